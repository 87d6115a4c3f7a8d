"""Hostile files for the table reader: the time and memory it takes to refuse (or read) each.

Run by hand from the repository root::

    .venv/bin/python benchmarks/hostile_files.py            # every file
    .venv/bin/python benchmarks/hostile_files.py --only bomb_xlsx

Each file is written to a temporary folder, then read by
:func:`safercare.data.read_table` in a **fresh child process**, one per file, so that
one file's memory cannot hide another's. The child reports, from the same run:

* ``seconds``: wall time of the ``read_table`` call (``time.perf_counter``);
* ``peak MiB``: the child's maximum resident set size (``ru_maxrss``) after the call,
  and ``+MiB`` the growth over its size just before the call (after the imports);
* ``outcome``: ``read`` with the rows returned, or the first line of the plain
  :class:`~safercare.errors.DataError` message.

The child runs with an address-space limit (``--memory-mib``, default 1,500 MiB on top
of its size after the imports) and a time limit (``--timeout``, default 120 s), so a
regression is reported as "memory limit" or "timed out" instead of taking the machine
down. The generators here are also used by ``tests/test_data_hostile.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import struct
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path

# ----------------------------------------------------------------------------- generators
#: The small table every workbook starts with (a heading row and six months).
TABLE = [["month", "falls", "bed_days"]] + [[dt.datetime(2024, m, 1), 5 + m % 3, 600 + m]
                                            for m in range(1, 7)]


def _workbook(path: Path, build: Callable | None = None) -> Path:
    """An .xlsx written by openpyxl: :data:`TABLE` on the first sheet, then ``build(book)``."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    for row in TABLE:
        sheet.append(row)
    if build is not None:
        build(book)
    book.save(path)
    return path


def stray_space_xlsx(path: Path) -> Path:
    """A ~5 KB workbook with one space in the very last cell, XFD1048576."""
    def build(book):
        book.active["XFD1048576"] = " "
    return _workbook(path, build)


def fill_xlsx(path: Path) -> Path:
    """A small table and one formatted (filled) but empty cell at AZ60000."""
    from openpyxl.styles import PatternFill

    def build(book):
        book.active["AZ60000"].fill = PatternFill("solid", fgColor="FFFF00")
    return _workbook(path, build)


def far_value_xlsx(path: Path) -> Path:
    """A small table and a stray "x" far away, at AZ60000 (60,000 × 52: too many cells)."""
    def build(book):
        book.active["AZ60000"] = "x"
    return _workbook(path, build)


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
    'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" '
    'r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>')


def _bomb(path: Path, rows: int, *, declared: str) -> Path:
    """A hand-written workbook whose one sheet is ``rows`` rows of 16 zeros, deflated.

    Rows and cells carry no ``r`` reference (the format allows that: each follows the
    one before), so every row is the same bytes and deflate squeezes them about 1,000:1.
    """
    row = b"<row>" + b"<c><v>0</v></c>" * 16 + b"</row>"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://'
                      b'schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="'
                      + declared.encode() + b'"/><sheetData>')
            block = row * 1000
            for _ in range(rows // 1000):
                out.write(block)
            out.write(row * (rows % 1000) + b"</sheetData></worksheet>")
    return path


def entity_bomb_xlsx(path: Path) -> Path:
    """A sheet whose XML declares nested entities ("billion laughs": 10⁹ characters from
    1 KB); the XML parser must refuse to expand them."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        entities = '<!ENTITY e0 "laughing!">' + "".join(
            f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
        zf.writestr("xl/worksheets/sheet1.xml",
                    f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]><worksheet '
                    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e9;</t></is></c>'
                    '</row></sheetData></worksheet>')
    return path


def bomb_xlsx(path: Path) -> Path:
    """An xlsx "bomb": a 1 MB file whose sheet unpacks to 263 MB of XML (1,048,576 rows)."""
    return _bomb(path, 1_048_576, declared="A1:P1048576")


def small_bomb_xlsx(path: Path) -> Path:
    """Under the size limit when unpacked (11 MB) but 40,000 rows × 16 columns of zeros,
    and a dimension that claims the whole sheet: read, bounded by the cells that hold data."""
    return _bomb(path, 40_000, declared="A1:XFD1048576")


def huge_csv(path: Path) -> Path:
    """A 60 MB CSV (more than the 50 MB limit)."""
    line = b"01/01/2024,5,600\n"
    with path.open("wb") as out:
        out.write(b"month,falls,bed_days\n")
        block = line * 100_000
        while out.tell() < 60 * 2**20:
            out.write(block)
    return path


def many_rows_csv(path: Path) -> Path:
    """A 7 MB CSV of 400,000 data rows (more than the 100,000-row limit)."""
    rows = "".join(f"{i},5,600\n" for i in range(400_000))
    path.write_text("week,falls,bed_days\n" + rows)
    return path


def long_line_csv(path: Path) -> Path:
    """One line of 30 MB with no separator at all (one enormous cell)."""
    path.write_bytes(b"month,falls\n01/01/2024," + b"9" * (30 * 2**20) + b"\n")
    return path


def wide_line_csv(path: Path) -> Path:
    """A heading row with 5,000,000 columns (a 25 MB line of '12,12,12…')."""
    path.write_bytes(b"12," * 5_000_000 + b"\n1,2\n")
    return path


def many_columns_csv(path: Path) -> Path:
    """1,000 columns × 50 rows, every cell filled (more than the 200-column limit)."""
    head = ",".join(f"c{i}" for i in range(1000))
    body = "\n".join(",".join(str(i) for i in range(1000)) for _ in range(50))
    path.write_text(head + "\n" + body + "\n")
    return path


def many_problems_csv(path: Path) -> Path:
    """50,000 monthly rows whose every value is 'n/a': 50,000 problems."""
    months = [f"{1 + i % 28:02d}/{1 + (i // 28) % 12:02d}/{1900 + i // 336}"
              for i in range(50_000)]
    path.write_text("date,value\n" + "".join(f"{m},n/a\n" for m in months))
    return path


def _events() -> list:
    """100,000 events an hour apart from 1 January 2015 (the dates of a t chart)."""
    start = dt.datetime(2015, 1, 1)
    return [start + dt.timedelta(hours=i) for i in range(100_000)]


def limit_csv(path: Path) -> Path:
    """Not hostile: the largest table that is read, 100,000 events × 4 columns."""
    path.write_text("when,minutes,bed_days,ward\n" + "".join(
        f"{when:%Y-%m-%d %H:%M},{3 + i % 5},{600 + i % 50},W{i % 7}\n"
        for i, when in enumerate(_events())))
    return path


def limit_xlsx(path: Path) -> Path:
    """Not hostile: the same 100,000 rows × 4 columns as a workbook (real date cells)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    sheet.append(["when", "minutes", "bed_days", "ward"])
    for i, when in enumerate(_events()):
        sheet.append([when, 3 + i % 5, 600 + i % 50, f"W{i % 7}"])
    book.save(path)
    return path


def max_cells_csv(path: Path) -> Path:
    """Not hostile: as many cells as are read, 10,000 rows × 200 columns (2,000,000 cells)."""
    head = ",".join(f"c{i}" for i in range(200))
    row = ",".join(f"{i}.5" for i in range(200))
    path.write_text(head + "\n" + (row + "\n") * 9_999)
    return path


def formula_xlsx(path: Path) -> Path:
    """A formula (=B2*2) whose value was never calculated and saved (openpyxl saves none)."""
    def build(book):
        book.active["B4"] = "=B2*2"
    return _workbook(path, build)


def merged_xlsx(path: Path) -> Path:
    """Two month cells merged into one (A3:A4)."""
    def build(book):
        book.active.merge_cells("A3:A4")
    return _workbook(path, build)


def hidden_first_sheet_xlsx(path: Path) -> Path:
    """The first sheet ('Lookups') is hidden; the table is on the second, visible sheet."""
    def build(book):
        hidden = book.create_sheet("Lookups", 0)
        hidden["A1"] = "ward codes"
        hidden.sheet_state = "hidden"
    return _workbook(path, build)


def _cfb_entry(name: str, kind: int, child: int = -1, right: int = -1) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    nosid = 0xFFFFFFFF
    return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", nosid if right == -1 else right, nosid,
                          nosid if child == -1 else child)
            + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
            + struct.pack("<IIi", 0xFFFFFFFE, 0, 0))


def encrypted_xlsx(path: Path) -> Path:
    """A password-protected workbook: Excel stores it as an OLE compound file (not a zip)
    holding the streams EncryptionInfo and EncryptedPackage (MS-OFFCRYPTO). A minimal,
    well-formed compound file with those (empty) streams."""
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9) + struct.pack("<H", 6) + b"\0" * 6
              + struct.pack("<IIII", 0, 1, 1, 0)  # dir sectors, FAT sectors, first dir, txn
              + struct.pack("<IIIII", 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0))
    difat = struct.pack("<I", 0) + b"\xff" * (436 - 4)  # FAT in sector 0
    header = header + difat
    fat = struct.pack("<II", 0xFFFFFFFD, 0xFFFFFFFE) + b"\xff" * (512 - 8)
    directory = (_cfb_entry("Root Entry", 5, child=1)
                 + _cfb_entry("EncryptionInfo", 2, right=2)
                 + _cfb_entry("EncryptedPackage", 2)
                 + b"\0" * 128)
    path.write_bytes(header + fat + directory)
    return path


#: Every hostile file: name → (generator, the read_table call's keyword arguments).
FILES: dict[str, tuple[Callable[[Path], Path], dict]] = {
    "stray_space_xlsx": (stray_space_xlsx, {"date": "month", "value": "falls"}),
    "fill_xlsx": (fill_xlsx, {"date": "month", "value": "falls"}),
    "far_value_xlsx": (far_value_xlsx, {"date": "month", "value": "falls"}),
    "bomb_xlsx": (bomb_xlsx, {}),
    "entity_bomb_xlsx": (entity_bomb_xlsx, {}),
    "small_bomb_xlsx": (small_bomb_xlsx, {}),
    "huge_csv": (huge_csv, {"date": "month", "value": "falls"}),
    "many_rows_csv": (many_rows_csv, {"date": "week", "value": "falls"}),
    "long_line_csv": (long_line_csv, {"date": "month", "value": "falls"}),
    "wide_line_csv": (wide_line_csv, {}),
    "many_columns_csv": (many_columns_csv, {}),
    "many_problems_csv": (many_problems_csv, {"date": "date", "value": "value",
                                              "chart": "run"}),
    "limit_csv": (limit_csv, {"date": "when", "value": "minutes", "chart": "t"}),
    "limit_xlsx": (limit_xlsx, {"date": "when", "value": "minutes", "chart": "t"}),
    "max_cells_csv": (max_cells_csv, {}),
    "formula_xlsx": (formula_xlsx, {"date": "month", "value": "falls"}),
    "merged_xlsx": (merged_xlsx, {"date": "month", "value": "falls"}),
    "hidden_first_sheet_xlsx": (hidden_first_sheet_xlsx, {"date": "month", "value": "falls"}),
    "encrypted_xlsx": (encrypted_xlsx, {}),
}

# ----------------------------------------------------------------------------- measuring
_CHILD = textwrap.dedent("""
    import json, resource, sys, time, warnings
    path, kwargs, budget = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
    from safercare.data import DataError, read_table
    def vm_kib():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    limit = (vm_kib() + budget * 1024) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = read_table(path, **kwargs)
        outcome = {"kind": "read", "rows": len(frame), "notes": frame.attrs["notes"]}
    except DataError as error:
        outcome = {"kind": "refused", "message": str(error),
                   "problems": len(error.problems)}
    except MemoryError:
        outcome = {"kind": "memory limit", "message": "MemoryError"}
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_kib": after, "before_kib": before,
                      **outcome}))
""")


def measure(path: Path, kwargs: dict, *, memory_mib: int = 1500, timeout: float = 120
            ) -> dict:
    """Read ``path`` with ``read_table(**kwargs)`` in a bounded child; its report as a dict."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD, str(path), json.dumps(kwargs),
                               str(memory_mib)], capture_output=True, text=True,
                              timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        return {"kind": "timed out", "seconds": timeout, "message": f"over {timeout} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"kind": "crashed", "message": tail[0]}
    return json.loads(lines[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(FILES), help="files to try")
    parser.add_argument("--memory-mib", type=int, default=1500)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args(argv)
    names = args.only or list(FILES)
    print(f"{'file':<24} {'size':>10} {'seconds':>8} {'peak MiB':>9} {'+MiB':>6}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            make, kwargs = FILES[name]
            suffix = ".csv" if name.endswith("_csv") else ".xlsx"
            path = make(Path(folder) / f"{name}{suffix}")
            size = path.stat().st_size
            report = measure(path, kwargs, memory_mib=args.memory_mib, timeout=args.timeout)
            peak = report.get("peak_kib")
            grew = peak - report["before_kib"] if peak else None
            if report["kind"] == "read":
                outcome = f"read {report['rows']:,} rows"
            else:
                first = report.get("message", "").splitlines()
                outcome = f"{report['kind']}: " + (first[1] if len(first) > 1 else
                                                   (first[0] if first else ""))
            print(f"{name:<24} {size:>10,} {report.get('seconds', 0):>8.2f} "
                  f"{peak / 1024 if peak else float('nan'):>9.0f} "
                  f"{grew / 1024 if grew is not None else float('nan'):>6.0f}  "
                  f"{outcome[:150]}")
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
