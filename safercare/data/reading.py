"""Turn a learner's file (CSV or Excel) into a grid of cells, or explain why it cannot be read.

This is the only place that touches the bytes of a learner's file. It reads them once
(it never writes), works out what kind of file it is from its content rather than
trusting its name, decodes text (UTF-8, then Windows-1252, the usual encoding of Excel
on UK Windows, and UTF-16 for Excel's "Unicode text"), and returns every cell with the
row number the learner sees in Excel. Anything that stops the file being read as a
table becomes a :class:`~safercare.errors.DataError`.

Limits (a learner's table never comes near them; a hostile or careless file is refused
in seconds and in bounded memory, with a plain message, before it can exhaust the
machine):

* :data:`MAX_FILE_BYTES`, 50 MB: the file itself (checked before it is read);
* :data:`MAX_UNPACKED_BYTES`, 50 MB: what a workbook's parts unpack to (checked in the
  zip directory before anything is unpacked, so an xlsx "bomb" is refused without
  inflating it);
* :data:`MAX_ROWS`, 100,000 rows of data under the heading row;
* :data:`MAX_COLUMNS`, 200 columns;
* :data:`MAX_CELLS`, 2,000,000 cells in the table (rows × columns), and as many cell
  elements streamed from a sheet, formatted empty ones included;
* :data:`MAX_ROW_CHARS`, 1,000,000 characters in one row of a CSV file, and
  :data:`MAX_CELL_CHARS`, 32,767 in one cell (Excel's own limit).

What counts is the cells that hold data: a workbook's ``<dimension>`` and its
formatted but empty cells (a fill, a border, a stray space) are not data, so one space
in cell XFD1048576 does not make a table of 17 billion cells. A workbook sheet is
streamed (openpyxl's read-only parser, one ``<row>`` at a time, each emptied once
read) and only its filled cells are kept; a CSV file's blank rows and trailing blank
cells are not kept either.

Things in a workbook that change what a cell means get their own message: a formula
whose value Excel did not save, merged cells, a password-protected (encrypted)
workbook. A hidden first sheet is passed over for the first visible one, with a note.
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from safercare.errors import DataError, Problem

__all__ = ["MAX_CELLS", "MAX_CELL_CHARS", "MAX_COLUMNS", "MAX_FILE_BYTES", "MAX_ROWS",
           "MAX_ROW_CHARS", "MAX_UNPACKED_BYTES", "Grid", "Source", "read_grid", "sheet_names"]

#: The largest file read, in bytes (CSV or Excel).
MAX_FILE_BYTES = 50 * 2**20
#: The most a workbook's parts may unpack to, in bytes (pictures excepted: never read).
MAX_UNPACKED_BYTES = 50 * 2**20
#: The most rows of data under the heading row.
MAX_ROWS = 100_000
#: The most columns.
MAX_COLUMNS = 200
#: The most cells in the table read (rows × columns, the heading row included).
MAX_CELLS = 2_000_000
#: The most characters in one row of a CSV file.
MAX_ROW_CHARS = 1_000_000
#: The most characters in one cell of a CSV file (Excel's own limit for a cell).
MAX_CELL_CHARS = 32_767
#: The most entries in a workbook's zip archive (a real workbook has a few dozen).
_MAX_PARTS = 10_000
#: Rows (``<row>`` elements, empty formatted ones included) streamed from a sheet before
#: giving up; each leaves an empty shell of about 80 bytes until the sheet is read.
_MAX_ROW_ELEMENTS = 2 * MAX_ROWS

#: What :func:`read_grid` accepts: a path, the file's bytes, or an open file.
Source = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes] | IO[str]

_SAVE_AS = ("in Excel, use File > Save As and choose 'CSV UTF-8 (Comma delimited)' or "
            "'Excel Workbook (.xlsx)'")


@dataclass
class Grid:
    """Every cell of a table as read, before any column is chosen.

    Attributes:
        cells: one row per spreadsheet row (index = the Excel row number, from 1) and
            one column per spreadsheet column (0, 1, 2 …); text from a CSV file,
            text/numbers/dates from Excel; blank cells are ``None`` or ``""``.
        source: the file's name, for messages.
        notes: things the learner should know about how the file was read.
    """

    cells: pd.DataFrame
    source: str
    notes: list[str] = field(default_factory=list)
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    #: The character between columns of a CSV file (``None`` for a workbook).
    delimiter: str | None = None


def _letter(index: int) -> str:
    """Excel column letter for a 0-based column index (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _heading(cell: object) -> str:
    """A cell as heading text: blank for nothing, ``3`` rather than ``3.0``."""
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _problem(what: str, fix: str) -> Problem:
    return Problem(None, None, what, fix)


def _fail(source: str, what: str, fix: str) -> DataError:
    return DataError(_problem(what, fix), source=source)


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB" if size >= 2**20 else f"{size / 2**10:,.0f} KB"


def _check_size(size: int, label: str) -> None:
    if size > MAX_FILE_BYTES:
        raise _fail(label, f"this file is {_mb(size)}, more than the {_mb(MAX_FILE_BYTES)} "
                    "that can be read", "keep only the rows and columns your chart needs "
                    "(for example one row per month) and save it again; a table for a "
                    "chart is rarely more than a few hundred kilobytes")


def _too_many_rows(label: str, row: int) -> DataError:
    return DataError(Problem(row, None, f"there is data in row {row:,}, and at most "
                             f"{MAX_ROWS:,} rows under the headings can be read",
                             "keep only the rows your chart needs (for example add them up "
                             "by week or month) and delete everything below your table"),
                     source=label)


def _too_many_columns(label: str, row: int, column: int) -> DataError:
    return DataError(Problem(row, None, f"there is data in column {_letter(column)} (cell "
                             f"{_letter(column)}{row}), and at most {MAX_COLUMNS} columns "
                             "can be read",
                             "delete the columns you do not need (or copy just your table "
                             "to a new sheet) and save the file again"), source=label)


def _too_many_cells(label: str, rows: int, columns: int) -> DataError:
    return _fail(label, f"the table reaches row {rows:,} and column {_letter(columns - 1)}, "
                 f"{rows * columns:,} cells, and at most {MAX_CELLS:,} cells can be read",
                 "keep only the rows and columns your chart needs and delete anything else "
                 f"(look for stray entries in the last row, {rows:,}, and the last column, "
                 f"{_letter(columns - 1)}), then save the file again")


def _long_cell(label: str, row: int, length: int) -> DataError:
    return DataError(Problem(row, None, f"a cell in this row holds {length:,} characters or "
                             f"more, more than the {MAX_CELL_CHARS:,} that Excel allows in a "
                             "cell", "check that you chose the right file; " + _SAVE_AS),
                     source=label)


def _take_bytes(source: Source, name: str | None) -> tuple[bytes | str, str]:
    """The file's content (bytes, or text for a text stream) and a name for messages."""
    if isinstance(source, bytes | bytearray | memoryview):
        _check_size(len(source), name or "your file")
        return bytes(source), name or "your file"
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        label = name or path.name
        if not path.exists():
            raise _fail(label, f"there is no file at '{path}'",
                        "check the file name and folder, and that the file has been uploaded")
        if path.is_dir():
            raise _fail(label, f"'{path}' is a folder, not a file",
                        "choose the CSV or Excel file inside it")
        _check_size(path.stat().st_size, label)
        with path.open("rb") as handle:  # read only: the learner's file is never changed
            return handle.read(MAX_FILE_BYTES + 1), label
    if hasattr(source, "read"):
        content = source.read(MAX_FILE_BYTES + 1)
        label = name or Path(str(getattr(source, "name", "your file"))).name
        if isinstance(content, str | bytes):
            _check_size(len(content), label)
            return content, label
    raise TypeError(
        "read_table needs a file path, the file's bytes or an open file, "
        f"not {type(source).__name__}"
    )


def _decode(content: bytes, label: str, notes: list[str]) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in content[:20000]:
        raise _fail(label, "this does not look like a table (a CSV or Excel file)",
                    "choose a CSV or Excel (.xlsx) file; " + _SAVE_AS)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError:
        raise _fail(
            label, "the characters in this file could not be read (it is not UTF-8 or "
            "Windows text)", _SAVE_AS + ", then try again",
        ) from None
    notes.append(
        "Your file is not saved as UTF-8, so it was read as Windows-1252 text (Excel's "
        "usual encoding in the UK). Check that symbols such as £ and accented letters "
        "look right."
    )
    return text


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return controls > max(2, len(sample) // 50)


def _delimiter(text: str) -> str:
    """Comma unless the first lines clearly use tabs or semicolons."""
    lines = [line for line in text[:100_000].splitlines()[:20] if line.strip()][:5]
    sample = "\n".join(lines)
    counts = {d: sample.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


#: One line and its ending (\r\n, \r or \n), as a file opened with newline="" gives it.
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")


def _bounded_lines(text: str, label: str, chars: list[int]) -> Iterator[str]:
    """The lines of ``text``; refuses a row (which may span lines) longer than the limit.

    ``chars[0]`` counts the characters since the last complete row; the caller resets
    it each time the CSV reader hands back a row. A line is measured before it is
    copied out of ``text``, and nothing else is copied.
    """
    for number, match in enumerate(_LINE.finditer(text), start=1):
        chars[0] += match.end() - match.start()
        if chars[0] > MAX_ROW_CHARS:
            raise DataError(Problem(number, None, "this line of the file is longer than "
                                    f"{MAX_ROW_CHARS:,} characters, far more than a row of "
                                    "a table needs",
                                    "check that you chose the right file; " + _SAVE_AS),
                            source=label)
        yield match.group()


def _read_text(content: bytes | str, label: str, notes: list[str]
               ) -> tuple[pd.DataFrame, str]:
    text = content if isinstance(content, str) else _decode(content, label, notes)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text or text.isspace():  # (no stripped copy of a big file)
        raise _fail(label, "the file is empty", "check that you chose the right file and "
                    "that it was saved with your data in it")
    if _looks_binary(text):
        raise _fail(label, "this does not look like a table (a CSV or Excel file)",
                    "choose a CSV or Excel (.xlsx) file; " + _SAVE_AS)
    head = text[:10_000].lstrip()[:500].lower()
    if head.startswith("<") and ("<html" in head or "<!doctype" in head or "<table" in head):
        raise _fail(label, "this is a web page (HTML), not a table file",
                    "open it in Excel and " + _SAVE_AS.removeprefix("in Excel, "))
    delimiter = _delimiter(text)
    chars = [0]
    reader = csv.reader(_bounded_lines(text, label, chars), delimiter=delimiter,
                        strict=False)
    rows: list[list[str] | tuple] = []
    pending = 0  # blank rows not yet stored (kept only if a filled row follows)
    width = 0
    try:
        for row in reader:
            chars[0] = 0
            end = len(row)
            while end and not row[end - 1].strip():
                end -= 1
            if not end:
                pending += 1
                continue
            number = len(rows) + pending + 1
            if number > MAX_ROWS + 1:
                raise _too_many_rows(label, number)
            if end > MAX_COLUMNS:
                raise _too_many_columns(label, number, end - 1)
            longest = max(map(len, row[:end]))
            if longest > MAX_CELL_CHARS:
                raise _long_cell(label, number, longest)
            rows.extend([()] * pending)
            pending = 0
            rows.append([cell if cell.strip() else "" for cell in row[:end]])
            width = max(width, end)
            if len(rows) * width > MAX_CELLS:
                raise _too_many_cells(label, len(rows), width)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise _long_cell(label, len(rows) + pending + 1, csv.field_size_limit()
                             ) from None
        raise _fail(label, f"this file could not be read as a table ({error})",
                    _SAVE_AS + ", then try again") from None
    if delimiter != ",":
        name = "tabs" if delimiter == "\t" else "semicolons"
        notes.append(f"The columns in your file are separated by {name}, not commas; "
                     f"they were read that way.")
    grid = np.full((len(rows), width), "", dtype=object)
    for i, row in enumerate(rows):
        grid[i, :len(row)] = row
    return pd.DataFrame(grid, dtype=object), delimiter


def _sheet_names_words(names: list[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


_DAMAGED = ("this file could not be opened as an Excel workbook (it may be damaged or "
            "not really an .xlsx file)",
            "open it in Excel and save it again as 'Excel Workbook (.xlsx)' or as 'CSV UTF-8'")
#: Parts of a workbook that the reader never opens (pictures), so their size does not count.
_NOT_READ = ("xl/media/", "docProps/thumbnail")


def _check_archive(content: bytes, label: str) -> None:
    """Refuse a damaged zip, or one that would unpack to too much, before unpacking anything.

    The sizes come from the zip's directory; :mod:`zipfile` never inflates a part beyond
    the size its directory declares, so a part cannot lie its way past this check.
    """
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _fail(label, *_DAMAGED) from None
    if len(parts) > _MAX_PARTS:
        raise _fail(label, f"this workbook is made of {len(parts):,} parts, far more than "
                    "a real workbook", _DAMAGED[1])
    unpacked = sum(p.file_size for p in parts if not p.filename.startswith(_NOT_READ))
    if unpacked > MAX_UNPACKED_BYTES:
        raise _fail(label, f"this workbook unpacks to {_mb(unpacked)} of data, more than the "
                    f"{_mb(MAX_UNPACKED_BYTES)} that can be read (the file itself is "
                    f"{_mb(len(content))})",
                    "keep only the rows and columns your chart needs (copy your table to a "
                    "new workbook) and save it again, or save it as 'CSV UTF-8'")


@dataclass
class _Book:
    """A workbook opened without reading any sheet: its parts, strings and styles.

    openpyxl's own read-only ``load_workbook`` measures every sheet when it opens the
    file (it scans a sheet to its end when the sheet has no ``<dimension>``), which
    doubles the time of the one sheet read and spends time on every other; this opens
    the same pieces through openpyxl's ``ExcelReader`` and lists the sheets only.
    """

    reader: Any
    #: (name, state, part) of each worksheet, in order; state is "visible", "hidden"
    #: or "veryHidden".
    sheets: list[tuple[str, str, str]]

    @property
    def names(self) -> list[str]:
        return [name for name, _, _ in self.sheets]

    def close(self) -> None:
        self.reader.archive.close()


def _open_workbook(content: bytes, label: str) -> _Book:
    """The workbook's strings, styles and list of sheets (no sheet is read)."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    _check_archive(content, label)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know
            reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True,
                                 keep_links=False)
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            sheets = [(sheet.name, sheet.state or "visible", rel.target)
                      for sheet, rel in reader.parser.find_sheets()
                      if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
    except Exception:  # noqa: BLE001 - any failure to open a corrupt workbook means the same
        raise _fail(label, *_DAMAGED) from None
    if not sheets:
        raise _fail(label, "this workbook has no sheet of cells (only charts, or nothing)",
                    "open it in Excel, put your table on a sheet, and save it again")
    return _Book(reader, sheets)


def _choose_sheet(book: _Book, label: str, sheet: str | int | None, notes: list[str]
                  ) -> tuple[str, str, str]:
    import difflib

    names = book.names
    if sheet is None:
        chosen = book.sheets[0]
        visible = [s for s in book.sheets if s[1] == "visible"]
        if chosen[1] != "visible" and visible:
            chosen = visible[0]
            notes.append(f"The first sheet of your workbook, '{names[0]}', is hidden in "
                         f"Excel, so the first sheet you can see, '{chosen[0]}', was "
                         "read. Choose another with sheet= (the sheets are "
                         f"{_sheet_names_words(names)}).")
        elif len(names) > 1:
            notes.append(f"Your workbook has {len(names)} sheets "
                         f"({_sheet_names_words(names)}); the first, '{names[0]}', was "
                         "read. Choose another with sheet=.")
        return chosen
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            raise _fail(label, f"there is no sheet number {sheet} (sheets are counted from 0 "
                        f"and this workbook has {len(names)})",
                        f"choose one of {_sheet_names_words(names)}")
        return book.sheets[sheet]
    if str(sheet) not in names:
        close = difflib.get_close_matches(str(sheet), names, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'? The" if close else "the"
        raise _fail(label, f"there is no sheet called '{sheet}'",
                    f"{hint} sheets are {_sheet_names_words(names)}")
    return book.sheets[names.index(str(sheet))]


#: A cell holding a formula whose value was never saved (``<f>`` without ``<v>``).
UNSAVED_FORMULA = object()


def _stream_sheet(book: _Book, part: str, label: str
                  ) -> tuple[pd.DataFrame, list[tuple[int, int]], list[str]]:
    """The filled cells of a sheet, streamed one ``<row>`` at a time.

    Returns the cells (a rectangle from A1 to the last filled row and column), the
    (row, column) of each formula whose value was not saved, and the merged ranges.
    Refuses, as soon as it sees one, a filled cell beyond the row or column limit.
    """
    from xml.etree.ElementTree import iterparse

    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS

    row_tag = f"{{{SHEET_MAIN_NS}}}row"
    formula_tag, merge_tag = f"{{{SHEET_MAIN_NS}}}f", f"{{{SHEET_MAIN_NS}}}mergeCell"
    workbook = book.reader.wb
    found_rows = array("q")  # machine integers: no Python int kept per cell
    found_cols = array("q")
    values: list[object] = []
    formulas: list[tuple[int, int]] = []
    merged: list[str] = []
    elements = cell_elements = 0
    with book.reader.archive.open(part) as source:
        parser = WorkSheetParser(source, book.reader.shared_strings, data_only=True,
                                 epoch=workbook.epoch,
                                 date_formats=workbook._date_formats,  # noqa: SLF001
                                 timedelta_formats=workbook._timedelta_formats)  # noqa: SLF001
        try:
            for _, element in iterparse(source):
                if element.tag == merge_tag:
                    merged.append(str(element.get("ref", "")))
                elif element.tag == row_tag:
                    elements += 1
                    cell_elements += len(element)
                    if elements > _MAX_ROW_ELEMENTS or cell_elements > MAX_CELLS:
                        raise _fail(label, f"this sheet has more than {_MAX_ROW_ELEMENTS:,} "
                                    f"rows or {MAX_CELLS:,} cells, counting empty ones that "
                                    "only carry formatting, far more than a table needs",
                                    "copy just your table to a new workbook and save it "
                                    "again, or save the sheet as 'CSV UTF-8'")
                    number = element.get("r")
                    parser.row_counter = int(number) if number else parser.row_counter + 1
                    parser.col_counter = 0
                    for cell in element:
                        if not len(cell):  # formatting only: no value, no formula
                            if cell.get("r") is None:
                                parser.col_counter += 1  # as parse_cell would count it
                            continue
                        parsed = parser.parse_cell(cell)
                        value = parsed["value"]
                        if value is None and cell.find(formula_tag) is not None:
                            value = UNSAVED_FORMULA
                        elif value is None or (isinstance(value, str) and not value.strip()):
                            continue
                        row, column = parsed["row"], parsed["column"]
                        if column > MAX_COLUMNS:
                            raise _too_many_columns(label, row, column - 1)
                        if row > MAX_ROWS + 1:
                            raise _too_many_rows(label, row)
                        if value is UNSAVED_FORMULA:
                            formulas.append((row, column - 1))
                        found_rows.append(row)
                        found_cols.append(column)
                        values.append(value)
                    element.clear()  # an empty shell of the row stays until the end
        except DataError:
            raise
        except Exception:  # noqa: BLE001 - malformed sheet XML means a damaged file
            raise _fail(label, *_DAMAGED) from None
    if not values:
        return pd.DataFrame(dtype=object), formulas, merged
    rows = np.frombuffer(found_rows, dtype=np.int64)
    cols = np.frombuffer(found_cols, dtype=np.int64)
    height, width = int(rows.max()), int(cols.max())
    if height * width > MAX_CELLS:
        raise _too_many_cells(label, height, width)
    grid = np.full((height, width), None, dtype=object)
    grid[rows - 1, cols - 1] = np.array(values + [None], dtype=object)[:-1]
    return pd.DataFrame(grid, dtype=object), formulas, merged


def _excel_problems(label: str, cells: pd.DataFrame, formulas: list[tuple[int, int]],
                    merged: list[str]) -> None:
    """Raise one DataError for formulas without saved values and for merged cells."""
    problems: list[Problem] = []
    headings = [_heading(c) for c in cells.iloc[0]] if len(cells) else []
    for row, column in formulas:
        heading = headings[column] if column < len(headings) and row > 1 else ""
        problems.append(Problem(
            row, heading or None,
            f"cell {_letter(column)}{row} holds a formula whose value Excel did not save",
            "open the file in Excel, save it, and try again (Excel saves each formula's "
            "value when it saves the file; some programs that write .xlsx files do not)"))
    for ref in merged:
        problems.append(Problem(
            None, None, f"cells {ref} are merged, so only the first of them holds a value",
            "select them in Excel and choose Home > Merge & Center > Unmerge Cells, type "
            "the value into each cell, save, and try again"))
    if problems:
        raise DataError(problems, source=label)


def _read_excel(content: bytes, label: str, sheet: str | int | None, notes: list[str]
                ) -> tuple[pd.DataFrame, str, list[str]]:
    book = _open_workbook(content, label)
    try:
        name, _, part = _choose_sheet(book, label, sheet, notes)
        cells, formulas, merged = _stream_sheet(book, part, label)
        _excel_problems(label, cells, formulas, merged)
        return cells, name, book.names
    finally:
        book.close()


_ENCRYPTED = "EncryptedPackage\0".encode("utf-16-le")


def _is_encrypted_workbook(content: bytes) -> bool:
    """True for a password-protected Office file: a compound (OLE) file whose directory
    holds the ``EncryptedPackage`` stream (MS-OFFCRYPTO). Directory entries are 128 bytes
    and start at multiples of 128, which rules out the name appearing by chance in data."""
    start = content.find(_ENCRYPTED)
    while start != -1:
        if start % 128 == 0:
            return True
        start = content.find(_ENCRYPTED, start + 1)
    return False


def _is_blank(cells: pd.DataFrame) -> np.ndarray:
    """True for each empty cell (nothing, or only spaces); also used by :mod:`.table`.

    The reader stores a cell of only spaces as ``""`` (CSV) or ``None`` (Excel), so this
    is one vectorised comparison.
    """
    values = cells.to_numpy(dtype=object)
    return pd.isna(values) | (values == "")


def read_grid(source: Source, *, sheet: str | int | None = None, name: str | None = None
              ) -> Grid:
    """Read every cell of a CSV or Excel file, with Excel row numbers.

    The kind of file is worked out from its content (an .xlsx file is a zip archive),
    so a workbook renamed to .csv still reads. Trailing empty rows and columns (which
    Excel often leaves behind) are removed; nothing else is. Raises
    :class:`~safercare.errors.DataError` when the file is missing, empty, an old
    .xls or PDF file, not text, or has an unreadable encoding.
    """
    content, label = _take_bytes(source, name)
    notes: list[str] = []
    sheet_name: str | None = None
    sheet_names: list[str] = []
    delimiter: str | None = None
    suffix = Path(label).suffix.lower()
    if isinstance(content, bytes) and content.startswith(b"PK\x03\x04"):
        if suffix == ".csv":
            notes.append("Your file's name ends in .csv but it is an Excel workbook; it was "
                         "read as a workbook.")
        cells, sheet_name, sheet_names = _read_excel(content, label, sheet, notes)
    elif isinstance(content, bytes) and content.startswith(b"\xd0\xcf\x11\xe0"):
        if _is_encrypted_workbook(content):
            raise _fail(label, "this workbook is protected with a password, so it cannot be "
                        "read", "open it in Excel with its password, choose File > Info > "
                        "Protect Workbook > Encrypt with Password, delete the password, "
                        "save, and try again (or save a copy without a password)")
        raise _fail(label, "this is an older Excel 97-2003 (.xls) file, which cannot be read",
                    "open it in Excel and save it as 'Excel Workbook (.xlsx)' or 'CSV UTF-8'")
    elif isinstance(content, bytes) and content.startswith(b"%PDF"):
        raise _fail(label, "this is a PDF document, not a table",
                    "use the spreadsheet the PDF was made from, saved as CSV or .xlsx")
    elif suffix in {".xlsx", ".xlsm"} and isinstance(content, bytes) and content.strip():
        raise _fail(label, f"this file's name ends in {suffix} but it is not an Excel "
                    "workbook", "open it in Excel and save it again as 'Excel Workbook (.xlsx)'")
    else:
        if sheet is not None:
            notes.append("sheet= was ignored: a CSV file has only one sheet.")
        cells, delimiter = _read_text(content, label, notes)
    if cells.size:
        blank = _is_blank(cells)
        filled_rows = (~blank).any(axis=1).nonzero()[0]
        filled_cols = (~blank).any(axis=0).nonzero()[0]
        if len(filled_rows):
            cells = cells.iloc[: filled_rows[-1] + 1, : filled_cols[-1] + 1]
        else:
            cells = cells.iloc[0:0, 0:0]
    if cells.size == 0:
        where = "the sheet" if sheet is not None else "the file"
        raise _fail(label, f"{where} is empty", "check that you chose the right file (and "
                    "sheet) and that it was saved with your data in it")
    cells = cells.reset_index(drop=True)
    cells.index = cells.index + 1  # Excel row numbers
    cells.columns = range(cells.shape[1])
    return Grid(cells=cells, source=label, notes=notes, sheet=sheet_name, sheets=sheet_names,
                delimiter=delimiter)


def sheet_names(source: Source, *, name: str | None = None) -> list[str]:
    """The sheets of an Excel workbook, in order (``[]`` for a CSV file).

    Raises :class:`~safercare.errors.DataError` if the workbook cannot be opened.
    """
    content, label = _take_bytes(source, name)
    if not (isinstance(content, bytes) and content.startswith(b"PK\x03\x04")):
        return []
    book = _open_workbook(content, label)  # the sheets' names only: no sheet is read
    try:
        return book.names
    finally:
        book.close()
