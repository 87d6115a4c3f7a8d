"""Hostile and careless files: each is read or refused plainly, in seconds and bounded memory.

The big ones are read in a child process with an address-space limit (``RLIMIT_AS``, a
budget on top of the child's size after its imports) and a time limit, so a regression
fails the test instead of exhausting the machine or hanging CI. The generators live in
``benchmarks/hostile_files.py``, which prints each file's time and peak memory.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from safercare import data
from safercare.data import reading
from safercare.widgets.upload import run_upload

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "hostile_files.py"
#: Memory a child may use beyond its size after the imports, and its time limit.
BUDGET_MIB, TIMEOUT_S = 400, 60


def _load():
    spec = importlib.util.spec_from_file_location("hostile_files", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


hostile = _load()


def bounded(name: str, tmp_path: Path) -> dict:
    """Make hostile file ``name`` and read it in a bounded child; the child's report."""
    make, kwargs = hostile.FILES[name]
    path = make(tmp_path / (name + (".csv" if name.endswith("_csv") else ".xlsx")))
    report = hostile.measure(path, kwargs, memory_mib=BUDGET_MIB, timeout=TIMEOUT_S)
    assert report["kind"] in ("read", "refused"), report
    return report


def refused(name: str, tmp_path: Path) -> str:
    report = bounded(name, tmp_path)
    assert report["kind"] == "refused", report
    return report["message"]


# ------------------------------------------------------------ read by the cells that hold data
def test_one_space_in_the_last_cell_of_the_sheet_is_not_data(tmp_path):
    """5 KB, a space in XFD1048576: was 5.3 GiB then MemoryError; now the 6 rows are read."""
    report = bounded("stray_space_xlsx", tmp_path)
    assert report["kind"] == "read" and report["rows"] == 6


def test_a_filled_empty_cell_far_away_is_not_data(tmp_path):
    """A fill at AZ60000: was 14 s and 777 MiB; formatting is not data."""
    report = bounded("fill_xlsx", tmp_path)
    assert report["kind"] == "read" and report["rows"] == 6


def test_a_stray_value_far_away_is_refused_naming_where_it_is(tmp_path):
    message = refused("far_value_xlsx", tmp_path)
    assert "row 60,000 and column AZ" in message and "2,000,000 cells" in message


def test_an_xlsx_bomb_is_refused_before_it_is_unpacked(tmp_path):
    """1 MB of zip that unpacks to 251 MB of sheet XML."""
    message = refused("bomb_xlsx", tmp_path)
    assert "unpacks to 251 MB" in message and "50 MB" in message


def test_nested_xml_entities_are_not_expanded(tmp_path):
    """A "billion laughs" sheet (10⁹ characters from 1.6 KB) is refused as damaged."""
    message = refused("entity_bomb_xlsx", tmp_path)
    assert "could not be opened as an Excel workbook" in message


def test_a_sheet_whose_dimension_claims_everything_is_read_by_its_rows(tmp_path):
    report = bounded("small_bomb_xlsx", tmp_path)
    assert report["kind"] == "read" and report["rows"] == 39_999


# ------------------------------------------------------------------------------ CSV files
def test_a_huge_csv_is_refused_by_its_size(tmp_path):
    message = refused("huge_csv", tmp_path)
    assert "this file is 62 MB, more than the 50 MB that can be read" in message


def test_too_many_rows_are_refused_at_the_first_row_beyond_the_limit(tmp_path):
    message = refused("many_rows_csv", tmp_path)
    assert "Row 100002" in message and "at most 100,000 rows" in message


def test_one_enormous_line_is_refused(tmp_path):
    message = refused("long_line_csv", tmp_path)
    assert "Row 2: this line of the file is longer than 1,000,000 characters" in message


def test_five_million_columns_are_refused(tmp_path):
    message = refused("wide_line_csv", tmp_path)
    assert "Row 1: this line of the file is longer than 1,000,000 characters" in message


def test_a_thousand_columns_are_refused(tmp_path):
    message = refused("many_columns_csv", tmp_path)
    assert "at most 200 columns can be read" in message


def test_a_table_at_the_limits_is_still_read(tmp_path):
    """100,000 data rows (and a few blank lines after them) are not refused."""
    path = tmp_path / "limit.csv"
    path.write_text("n,falls\n" + "".join(f"{i},3\n" for i in range(reading.MAX_ROWS))
                    + ",\n" * 5)
    grid = reading.read_grid(path)
    assert grid.cells.shape == (reading.MAX_ROWS + 1, 2)


@pytest.mark.parametrize("length", [40_000, 200_000])
def test_a_cell_longer_than_excel_allows_is_explained(tmp_path, length):
    """Whatever csv.field_size_limit() is (frictionless raises it for the whole process)."""
    path = tmp_path / "long_cell.csv"
    path.write_text('month,note\n2024-01-01,"' + "x\n" * (length // 2) + '"\n')
    with pytest.raises(data.DataError) as caught:
        data.read_table(path)
    (problem,) = caught.value.problems
    assert problem.row == 2
    assert "characters or more, more than the 32,767 that Excel allows" in problem.what


def test_an_open_file_larger_than_the_limit_is_refused_without_reading_it_all():
    class Endless:
        name = "stream.csv"
        asked: list[int] = []

        def read(self, size=-1):
            self.asked.append(size)
            return b"a,b\n" * ((size // 4) + 1)

    with pytest.raises(data.DataError, match="more than the 50 MB"):
        data.read_table(Endless())
    assert Endless.asked == [reading.MAX_FILE_BYTES + 1]


# ------------------------------------------------- workbook features with their own message
def make(name: str, tmp_path: Path) -> Path:
    function, _ = hostile.FILES[name]
    return function(tmp_path / f"{name}.xlsx")


def test_a_formula_without_a_saved_value_is_not_called_blank(tmp_path):
    with pytest.raises(data.DataError) as caught:
        data.read_table(make("formula_xlsx", tmp_path), date="month", value="falls",
                        chart="run")
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (4, "falls")
    assert "cell B4 holds a formula whose value Excel did not save" in problem.what
    assert problem.fix.startswith("open the file in Excel, save it, and try again")
    assert "blank" not in str(caught.value)


def test_merged_cells_get_their_own_message(tmp_path):
    with pytest.raises(data.DataError) as caught:
        data.read_table(make("merged_xlsx", tmp_path), date="month", value="falls")
    (problem,) = caught.value.problems
    assert "cells A3:A4 are merged" in problem.what and "Unmerge Cells" in problem.fix


def test_a_hidden_first_sheet_is_passed_over_for_the_first_visible_one(tmp_path):
    path = make("hidden_first_sheet_xlsx", tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", data.DataNote)
        frame = data.read_table(path, date="month", value="falls", chart="run")
    assert len(frame) == 6
    (note,) = frame.attrs["notes"]
    assert "'Lookups', is hidden in Excel" in note and "'Data', was read" in note
    assert data.sheet_names(path) == ["Lookups", "Data"]
    assert data.table_headings(path, sheet="Lookups") == ["ward codes"]


def test_a_password_protected_workbook_gets_its_own_message(tmp_path):
    with pytest.raises(data.DataError) as caught:
        data.read_table(make("encrypted_xlsx", tmp_path))
    message = str(caught.value)
    assert "protected with a password" in message and "97-2003" not in message
    old = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024  # an Excel 97-2003 file
    with pytest.raises(data.DataError, match="older Excel 97-2003"):
        data.read_table(old, name="old.xls")


def test_sheet_names_do_not_read_the_sheets(tmp_path, monkeypatch):
    """The widget lists sheets on upload: that must not parse any sheet's XML (openpyxl's
    read-only load_workbook scans every sheet without a <dimension> to its end)."""
    from openpyxl.worksheet import _reader

    path = make("hidden_first_sheet_xlsx", tmp_path)
    parsers = []
    original = _reader.WorkSheetParser.__init__

    def counted(self, *args, **kwargs):
        parsers.append(args)
        original(self, *args, **kwargs)

    monkeypatch.setattr(_reader.WorkSheetParser, "__init__", counted)
    assert data.sheet_names(path) == ["Lookups", "Data"]
    assert parsers == []
    data.table_headings(path)
    assert len(parsers) == 1  # reading a table parses its one sheet, once


# ---------------------------------------------------------- 50,000 problems: the first few
@pytest.fixture(scope="module")
def many_problems() -> bytes:
    dates = pd.date_range("1900-01-01", periods=50_000, freq="D").strftime("%Y-%m-%d")
    return ("date,value\n" + "".join(f"{d},n/a\n" for d in dates)).encode()


def test_fifty_thousand_problems_are_counted_not_all_listed(many_problems):
    with pytest.raises(data.DataError) as caught:
        data.read_table(many_problems, name="long.csv", date="date", value="value",
                        chart="run")
    assert len(caught.value.problems) == 50_000
    message = str(caught.value)
    assert message.count("\n- ") == 21 and "and 49,980 more" in message


def test_the_upload_widget_lists_the_first_problems_and_counts_the_rest(many_problems):
    outcome = run_upload(many_problems, "long.csv", chart="run", date="date", value="value")
    assert outcome.problem_count == 50_000
    table = outcome.problems
    assert len(table) == 21
    assert table["problem"].iloc[-1] == "… and 49,980 more problems"
    assert list(table["row"].iloc[:3]) == [2, 3, 4]
    assert np.all(table["problem"].iloc[:20] == "this is not a number")


def test_the_benchmark_prints_one_measured_row_per_file(capsys):
    assert hostile.main(["--only", "encrypted_xlsx", "hidden_first_sheet_xlsx",
                         "--timeout", str(TIMEOUT_S)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["file", "size", "seconds", "peak"]
    assert lines[1].startswith("encrypted_xlsx") and "protected with a password" in lines[1]
    assert lines[2].startswith("hidden_first_sheet_xlsx") and "read 6 rows" in lines[2]
    assert all(float(line.split()[3]) > 0 for line in lines[1:])  # a measured peak


def test_a_value_beyond_the_column_limit_in_a_workbook_names_its_cell(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["month", "falls"])
    book.active.cell(row=3, column=reading.MAX_COLUMNS + 1, value="note")
    book.save(tmp_path / "wide.xlsx")
    with pytest.raises(data.DataError) as caught:
        data.read_table(tmp_path / "wide.xlsx")
    (problem,) = caught.value.problems
    assert problem.row == 3 and "column GS (cell GS3)" in problem.what


def test_a_sheet_of_formatted_empty_cells_is_refused_by_its_count(tmp_path, monkeypatch):
    """Formatting alone is not data, but it still costs time to stream: past the cell (or
    row) count the sheet is refused (limits made small here to keep the test fast)."""
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    book = Workbook()
    book.active.append(["month", "falls"])
    for row in range(2, 60):
        for column in range(1, 21):
            book.active.cell(row=row, column=column).fill = PatternFill("solid",
                                                                         fgColor="FFFF00")
    book.save(tmp_path / "formatted.xlsx")
    assert data.table_headings(tmp_path / "formatted.xlsx") == ["month", "falls"]
    monkeypatch.setattr(reading, "MAX_CELLS", 1000)
    with pytest.raises(data.DataError, match="more than 200,000 rows or 1,000 cells, counting "
                                             "empty ones that only carry formatting"):
        data.read_table(tmp_path / "formatted.xlsx")


def test_cells_without_references_keep_their_columns_past_formatted_empty_ones(tmp_path):
    """<c> elements may omit r= (each follows the one before): an empty formatted cell
    still takes its column."""
    import zipfile

    path = hostile._bomb(tmp_path / "plain.xlsx", 1, declared="A1:C1")
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(
        parts[sheet][parts[sheet].index(b"<row>"):parts[sheet].index(b"</sheetData>")],
        b'<row><c t="inlineStr"><is><t>a</t></is></c><c s="1"/>'
        b'<c t="inlineStr"><is><t>c</t></is></c></row><row><c><v>1</v></c><c/><c><v>3</v>'
        b'</c></row>')
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in parts.items():
            zf.writestr(name, content)
    grid = reading.read_grid(path)
    assert grid.cells.values.tolist() == [["a", None, "c"], [1, None, 3]]
