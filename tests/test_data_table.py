"""read_table: every kind of problem in a learner's CSV or Excel file, named by row and column."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from safercare.data import DataError, DataNote, read_table, table_headings


def problems(source, **kwargs) -> list[str]:
    """The sentences of the DataError raised by read_table (fails if none is raised)."""
    with pytest.raises(DataError) as caught, warnings.catch_warnings():
        warnings.simplefilter("ignore", DataNote)
        read_table(source, **kwargs)
    return [p.sentence() for p in caught.value.problems]


def read(source, **kwargs) -> tuple[pd.DataFrame, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_table(source, **kwargs)
    return frame, [str(w.message) for w in caught if issubclass(w.category, DataNote)]


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], sheets: dict[str, list] | None = None
               ) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    for row in rows:
        sheet.append(row)
    for name, extra in (sheets or {}).items():
        other = book.create_sheet(name)
        for row in extra:
            other.append(row)
    book.save(path)
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


MONTHLY = "Month,Falls,Bed days\n" + "".join(
    f"{d:%d/%m/%Y},{f},{b}\n"
    for d, f, b in zip(pd.date_range("2023-04-01", periods=14, freq="MS"),
                       [5, 3, 6, 4, 7, 2, 5, 6, 4, 3, 5, 6, 4, 5],
                       [900, 880, 910, 905, 890, 870, 915, 920, 900, 890, 880, 910, 905, 900],
                       strict=True)
)


# --------------------------------------------------------------------------- clean data


def test_clean_monthly_csv_is_typed_with_original_rows(tmp_path):
    path = write_csv(tmp_path / "falls.csv", MONTHLY)
    frame, notes = read(path, date="Month", numerator="Falls", denominator="Bed days",
                        chart="u")
    assert list(frame.columns) == ["row", "date", "numerator", "denominator"]
    assert frame["row"].tolist() == list(range(2, 16))
    assert frame["date"].iloc[0] == pd.Timestamp("2023-04-01")
    assert frame["date"].iloc[-1] == pd.Timestamp("2024-05-01")
    assert frame["numerator"].dtype == np.float64
    assert frame["numerator"].sum() == 65
    assert frame.attrs["frequency"] == "monthly"
    assert frame.attrs["columns"] == {"date": "Month", "numerator": "Falls",
                                      "denominator": "Bed days"}
    # every date is 01/MM/YYYY, so the note says how they were read and why
    assert len(notes) == 1 and "read day first (UK: 01/04/2023 is 1 April 2023)" in notes[0]


def test_clean_xlsx_with_real_date_cells(tmp_path):
    rows = [["Week", "Minutes"]] + [
        [dt.datetime(2024, 1, 1) + dt.timedelta(weeks=i), 30 + i] for i in range(10)
    ]
    frame, _ = read(write_xlsx(tmp_path / "w.xlsx", rows), date="Week", value="Minutes",
                    chart="xmr")
    assert frame.attrs["frequency"] == "weekly"
    assert frame["value"].tolist() == [float(30 + i) for i in range(10)]
    assert frame["row"].tolist() == list(range(2, 12))


def test_headings_match_ignoring_case_and_spaces():
    frame, _ = read(MONTHLY.encode(), date="month", value=" falls ", chart="run")
    assert frame.attrs["columns"] == {"date": "month", "value": " falls "}
    assert len(frame) == 14


def test_no_columns_chosen_gives_every_column_as_text():
    frame, _ = read(b"Month,Falls\n01/04/2024,5\n01/05/2024,\n")
    assert list(frame.columns) == ["row", "Month", "Falls"]
    assert frame["Falls"].isna().tolist() == [False, True]
    assert frame["row"].tolist() == [2, 3]


def test_table_headings_lists_row_one():
    assert table_headings(MONTHLY.encode()) == ["Month", "Falls", "Bed days"]


# --------------------------------------------------------------------------- values


def test_blank_and_text_values_name_row_and_column():
    text = "Month,Falls\n01/04/2024,5\n01/05/2024,\n01/06/2024,n/a\n01/07/2024,4\n"
    found = problems(text.encode(), date="Month", value="Falls", chart="xmr", dayfirst=True)
    assert found == [
        "Row 3, column 'Falls': the cell is blank. Fill in the value; a chart needs a value "
        "for every period, so if it was not recorded, find it in the source system.",
        "Row 4, column 'Falls': this is not a number (found: 'n/a'). Type the number here "
        "(digits only, no words or units).",
    ]


def test_blank_values_allowed_without_a_chart():
    frame, _ = read(b"Month,Falls\n01/04/2024,5\n01/05/2024,\n", date="Month",
                    value="Falls", dayfirst=True)
    assert np.isnan(frame["value"].iloc[1])


def test_negative_and_fractional_counts_for_a_c_chart():
    text = "Month,Falls\n01/04/2024,5\n01/05/2024,-2\n01/06/2024,2.5\n"
    found = problems(text.encode(), date="Month", value="Falls", chart="c", dayfirst=True)
    assert any(s.startswith("Row 3, column 'Falls': a count cannot be negative") for s in found)
    assert any(s.startswith("Row 4, column 'Falls': a count must be a whole number")
               for s in found)


def test_p_chart_numerator_above_denominator_and_zero_denominator():
    text = ("Month,Screened,Eligible\n2024-01-01,8,10\n2024-02-01,12,10\n"
            "2024-03-01,0,0\n2024-04-01,3,5\n")
    found = problems(text.encode(), date="Month", numerator="Screened",
                     denominator="Eligible", chart="p")
    assert found[0].startswith("Row 3, column 'Screened': this is more than 'Eligible' on "
                               "the same row (found: '12')")
    assert found[1].startswith("Row 4, column 'Eligible': the denominator must be more "
                               "than zero (found: '0')")
    assert len(found) == 2


def test_p_chart_denominator_problems_are_reported_once_per_cell():
    text = "Month,N,D\n2024-01-01,1,-4\n2024-02-01,1,2.5\n2024-03-01,1,4\n"
    found = problems(text.encode(), date="Month", numerator="N", denominator="D", chart="p")
    # row 2: N is above D, and D is not above zero (not also "a count cannot be negative")
    assert [s.split(":")[0] for s in found] == ["Row 2, column 'N'", "Row 2, column 'D'",
                                                "Row 3, column 'D'"]
    assert "more than zero" in found[1] and "whole number" in found[2]


def test_u_chart_denominator_may_be_fractional_but_not_negative():
    text = "Month,Falls,Bed days\n2024-01-01,3,900.5\n2024-02-01,2,-1\n"
    found = problems(text.encode(), date="Month", numerator="Falls",
                     denominator="Bed days", chart="u")
    assert len(found) == 1 and found[0].startswith("Row 3, column 'Bed days': the "
                                                   "denominator must be more than zero")


def test_every_problem_is_collected_not_just_the_first(tmp_path):
    text = ("Month,Falls,Bed days\n01/04/2024,x,900\n01/05/2024,3,0\n"
            "31/06/2024,2,800\n01/08/2024,-1,\n")
    with pytest.raises(DataError) as caught:
        read_table(text.encode(), date="Month", numerator="Falls", denominator="Bed days",
                   chart="u", name="ward 7.csv")
    error = caught.value
    where = [(p.row, p.column) for p in error.problems]
    assert where == [(2, "Falls"), (3, "Bed days"), (4, "Month"), (5, "Falls"),
                     (5, "Bed days")]
    assert str(error).startswith("We found 5 problems in ward 7.csv.")
    table = error.to_frame()
    assert table["row"].tolist() == [2, 3, 4, 5, 5]


# --------------------------------------------------------------------------- dates


def test_unparseable_and_impossible_dates():
    text = "Month,Falls\n01/04/2024,5\nsoon,3\n31/02/2024,4\n01/01/1824,2\n,6\n"
    found = problems(text.encode(), date="Month", value="Falls")
    assert [s.split(":")[0] for s in found] == [
        "Row 3, column 'Month'", "Row 4, column 'Month'", "Row 5, column 'Month'",
        "Row 6, column 'Month'"]
    assert "not a date we can read (found: 'soon')" in found[0]
    assert "not a date we can read (found: '31/02/2024')" in found[1]
    assert "the date is blank" in found[3]


def test_many_date_forms_are_read_day_first():
    text = ("When,N\n13/01/2024,1\n14-1-24,1\n2024-01-15,1\n16 Jan 2024,1\n"
            "17-Jan-24,1\n18.01.2024,1\n19/01/2024 13:45,1\n")
    frame, _ = read(text.encode(), date="When", value="N")
    assert frame["date"].dt.day.tolist() == [13, 14, 15, 16, 17, 18, 19]
    assert (frame["date"].dt.month == 1).all()
    assert frame["date"].iloc[-1].hour == 13


def test_month_names_as_excel_shows_them():
    text = "Month,N\nJan-24,1\nFeb-24,2\nMarch 2024,3\nApr 2024,4\n"
    frame, _ = read(text.encode(), date="Month", value="N", chart="run")
    assert frame["date"].tolist() == list(pd.date_range("2024-01-01", periods=4, freq="MS"))
    assert frame.attrs["frequency"] == "monthly"


def test_genuinely_ambiguous_dates_are_a_problem_until_the_learner_says():
    # Twelve first-of-month dates in one year: day first they are monthly, month first
    # they are daily (1-12 January); both are regular series, so we must ask.
    text = "Month,N\n" + "".join(f"01/{m:02d}/2024,{m}\n" for m in range(1, 13))
    found = problems(text.encode(), date="Month", value="N", chart="xmr")
    assert len(found) == 1
    assert found[0].startswith("Row 3, column 'Month': every date in this column could be "
                               "read day first (UK) or month first (US)")
    assert "dayfirst=True" in found[0]
    uk, _ = read(text.encode(), date="Month", value="N", chart="xmr", dayfirst=True)
    assert uk["date"].dt.month.tolist() == list(range(1, 13))
    us, _ = read(text.encode(), date="Month", value="N", chart="xmr", dayfirst=False)
    assert us["date"].dt.day.tolist() == list(range(1, 13))
    monthly, _ = read(text.encode(), date="Month", value="N", chart="xmr",
                      frequency="monthly")
    assert monthly["date"].dt.month.tolist() == list(range(1, 13))


def test_dates_that_settle_themselves_are_not_ambiguous():
    # 24 months across two years: month first would leave an 11-month hole, so the
    # day-first reading is clearly right; it is read that way and a note says so.
    text = "Month,N\n" + "".join(
        f"01/{m:02d}/{y},{m}\n" for y in (2023, 2024) for m in range(1, 13))
    frame, notes = read(text.encode(), date="Month", value="N", chart="xmr")
    assert frame.attrs["frequency"] == "monthly"
    assert any("read day first" in n for n in notes)
    # a day above 12 settles it outright: no note at all
    frame, notes = read(b"Day,N\n13/01/2024,1\n01/02/2024,2\n", date="Day", value="N")
    assert frame["date"].tolist() == [pd.Timestamp("2024-01-13"), pd.Timestamp("2024-02-01")]
    assert notes == []


def test_us_dates_detected_when_month_first_fits_better():
    text = "Day,N\n" + "".join(f"01/{d:02d}/2024,{d}\n" for d in range(1, 13)) + \
        "".join(f"02/{d:02d}/2024,{d}\n" for d in range(1, 13))
    found = problems(text.encode(), date="Day", value="N", chart="run")
    assert len(found) == 1
    assert "read month first they fit the series better" in found[0]


# --------------------------------------------------------------------------- periods


def test_duplicate_period_names_both_rows():
    text = ("Month,N\n01/04/2024,1\n01/05/2024,2\n15/05/2024,3\n01/06/2024,4\n"
            "01/07/2024,5\n01/08/2024,6\n")
    found = problems(text.encode(), date="Month", value="N", chart="xmr", dayfirst=True)
    assert found == [
        "Row 4, column 'Month': this month (May 2024) is already in row 3. Keep one row per "
        "month: delete one of the two rows, or correct the date if it was mistyped."]


def test_duplicates_are_checked_within_each_group():
    text = ("Ward,Month,N\nA,01/04/2024,1\nB,01/04/2024,2\nA,01/05/2024,3\nB,01/05/2024,4\n"
            "B,01/05/2024,5\n")
    found = problems(text.encode(), date="Month", value="N", by="Ward", chart="run",
                     dayfirst=True)
    assert found == [
        "Row 6, column 'Month': this month (May 2024) for Ward 'B' is already in row 5. Keep "
        "one row per month: delete one of the two rows, or correct the date if it was "
        "mistyped."]


def test_gaps_in_monthly_weekly_and_daily_series():
    monthly = "Month,N\n2024-01-01,1\n2024-02-01,1\n2024-05-01,1\n2024-06-01,1\n"
    found = problems(monthly.encode(), date="Month", value="N", chart="xmr")
    assert found == [
        "Row 4, column 'Month': 2 months (March 2024 to April 2024) are missing before this "
        "row (the series is monthly). Add a row for each missing month with its value, or "
        "check the dates on either side of the gap."]
    weekly = "Week,N\n" + "".join(
        f"{d:%Y-%m-%d},1\n" for i, d in enumerate(pd.date_range("2024-01-01", periods=8,
                                                                  freq="7D")) if i != 3)
    found = problems(weekly.encode(), date="Week", value="N", chart="c")
    assert len(found) == 1 and found[0].startswith(
        "Row 5, column 'Week': there is no row for the week of 22 January 2024 before this "
        "one (the series is weekly)")
    daily = "Day,N\n2024-03-01,1\n2024-03-02,1\n2024-03-04,1\n2024-03-05,1\n"
    found = problems(daily.encode(), date="Day", value="N", chart="run")
    assert len(found) == 1 and "no row for 3 March 2024" in found[0]


def test_frequency_given_overrides_inference():
    text = "Month,N\n2024-01-01,1\n2024-03-01,1\n2024-05-01,1\n"
    frame, _ = read(text.encode(), date="Month", value="N", chart="xmr")
    assert frame.attrs["frequency"] is None  # every two months: not a standard frequency
    found = problems(text.encode(), date="Month", value="N", chart="xmr", frequency="monthly")
    assert len(found) == 2


def test_event_charts_allow_repeated_dates_and_do_not_check_gaps():
    text = "Incident,N\n2024-01-03,1\n2024-01-03,1\n2024-03-20,1\n2024-09-01,1\n"
    frame, _ = read(text.encode(), date="Incident", value="N", chart="g")
    assert len(frame) == 4


def test_unsorted_rows_are_sorted_and_the_note_says_so():
    text = "Month,N\n2024-03-01,3\n2024-01-01,1\n2024-02-01,2\n"
    frame, notes = read(text.encode(), date="Month", value="N", chart="xmr")
    assert frame["value"].tolist() == [1.0, 2.0, 3.0]
    assert frame["row"].tolist() == [3, 4, 2]
    assert len(notes) == 1 and "were sorted by date" in notes[0] and "row 3" in notes[0]
    assert frame.attrs["notes"] == notes


# --------------------------------------------------------------------------- columns


def test_missing_column_suggests_the_closest_heading():
    found = problems(MONTHLY.encode(), date="Month", numerator="Falls",
                     denominator="Beddays", chart="u")
    assert found == [
        "Row 1, column 'Beddays': there is no column with this heading. Did you mean "
        "'Bed days'? The headings in row 1 are 'Month', 'Falls' and 'Bed days'."]


def test_chart_without_the_columns_it_needs():
    found = problems(MONTHLY.encode(), date="Month", value="Falls", chart="p")
    assert found == [
        "The data: a p chart needs a numerator column. Choose the column that counts the "
        "events or patients with the outcome.",
        "The data: a p chart needs a denominator column. Choose the column that counts "
        "everyone (or the bed days, doses…) it is out of."]


def test_two_columns_with_the_same_heading():
    found = problems(b"Month,N,N\n2024-01-01,1,2\n", date="Month", value="N")
    assert found == ["Row 1, column 'N': more than one column has this heading (columns B, "
                     "C). Give each column a different heading."]


def test_header_row_that_is_not_the_first_row(tmp_path):
    text = "Falls on Ward 7,,\nExported 03/06/2024,,\n\nMonth,Falls,Bed days\n" + \
        MONTHLY.split("\n", 1)[1]
    found = problems(text.encode(), date="Month", value="Falls")
    assert found == [
        "Row 4: the column headings seem to be in row 4, not row 1. Delete the rows above "
        "the headings (titles, notes or blank rows) so the headings are in row 1; nothing "
        "above row 4 will be read."]
    path = write_xlsx(tmp_path / "t.xlsx", [["Falls on Ward 7"], [], ["Month", "Falls"],
                                            ["01/04/2024", 3], ["01/05/2024", 4]])
    with pytest.raises(DataError) as caught:
        table_headings(path)
    assert caught.value.problems[0].row == 3


def test_no_heading_row_at_all():
    found = problems(b"13/01/2024,5\n14/01/2024,6\n", date="Date", value="Falls")
    assert found == ["Row 1: row 1 holds numbers or dates, not column headings. Insert a row "
                     "at the top and type a heading for each column, e.g. 'Month' and "
                     "'Falls'."]


# --------------------------------------------------------------------------- files


def test_empty_file_and_headings_only(tmp_path):
    assert problems(write_csv(tmp_path / "e.csv", ""), date="d", value="v") == [
        "The data: the file is empty. Check that you chose the right file and that it was "
        "saved with your data in it."]
    assert problems(b" \n\n,,\n", date="d", value="v")[0].startswith("The data: the file is "
                                                                      "empty")
    assert problems(b"Month,N\n", date="Month", value="N") == [
        "The data: the table has headings but no rows of data. Add your data under the "
        "headings in row 1."]


def test_files_that_are_not_tables(tmp_path):
    assert "does not look like a table" in problems(bytes(range(256)) * 4, value="v")[0]
    assert "PDF" in problems(b"%PDF-1.7\n...", value="v")[0]
    assert "web page" in problems(b"<!DOCTYPE html><html><body>hi</body></html>",
                                  value="v")[0]
    assert "older Excel 97-2003" in problems(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64,
                                             value="v")[0]
    broken = write_csv(tmp_path / "broken.xlsx", "Month,N\n2024-01-01,1\n")
    assert "not an Excel workbook" in problems(broken, value="N")[0]
    assert "could not be opened as an Excel workbook" in problems(
        b"PK\x03\x04not really a zip", value="v")[0]
    assert "there is no file" in problems(tmp_path / "nowhere.csv", value="v")[0]


def test_windows_1252_file_is_read_and_the_note_says_so(tmp_path):
    path = write_csv(tmp_path / "cost.csv", "Month,Cost £\n2024-01-01,5\n2024-02-01,6\n",
                     encoding="cp1252")
    frame, notes = read(path, date="Month", value="Cost £")
    assert frame["value"].tolist() == [5.0, 6.0]
    assert any("Windows-1252" in n for n in notes)


def test_unreadable_encoding():
    # 0x81 is undefined in Windows-1252 and invalid UTF-8
    found = problems(b"Month,N\n2024-01-01,\x81\x8d\n", date="Month", value="N")
    assert "characters in this file could not be read" in found[0]


def test_utf8_bom_utf16_and_semicolons():
    frame, _ = read("\ufeffMonth,N\n2024-01-01,5\n".encode(), date="Month", value="N")
    assert frame["value"].tolist() == [5.0]
    frame, notes = read("Month\tN\n2024-01-01\t5\n".encode("utf-16"), date="Month", value="N")
    assert frame["value"].tolist() == [5.0] and any("tabs" in n for n in notes)
    frame, notes = read(b"Month;N\n2024-01-01;5\n", date="Month", value="N")
    assert frame["value"].tolist() == [5.0] and any("semicolons" in n for n in notes)


def test_thousands_separators_in_quoted_csv_numbers():
    frame, _ = read(b'Month,Bed days\n2024-01-01,"1,024"\n', date="Month", value="Bed days")
    assert frame["value"].tolist() == [1024.0]


def test_empty_rows_in_the_middle_are_skipped_with_a_note():
    frame, notes = read(b"Month,N\n2024-01-01,5\n,\n2024-02-01,6\n\n\n", date="Month",
                        value="N", chart="xmr")
    assert frame["row"].tolist() == [2, 4]
    assert notes == ["Empty rows were skipped: row 3."]


def test_xlsx_problems_use_excel_rows_and_error_cells(tmp_path):
    rows = [["Month", "Screened", "Eligible"],
            [dt.datetime(2024, 1, 1), 5, 10],
            [dt.datetime(2024, 2, 1), "#DIV/0!", 10],
            [dt.datetime(2024, 3, 1), 11, 10],
            [dt.datetime(2024, 5, 1), 4, None]]
    found = problems(write_xlsx(tmp_path / "s.xlsx", rows), date="Month",
                     numerator="Screened", denominator="Eligible", chart="p")
    assert [s.split(":")[0] for s in found] == [
        "Row 3, column 'Screened'", "Row 4, column 'Screened'", "Row 5, column 'Month'",
        "Row 5, column 'Eligible'"]
    assert "(found: '#DIV/0!')" in found[0]


def test_xlsx_sheets(tmp_path):
    path = write_xlsx(tmp_path / "two.xlsx", [["Notes"], ["see other sheet"]],
                      sheets={"Falls": [["Month", "N"], ["2024-01-01", 1]]})
    found = problems(path, date="Month", value="N")
    assert any("looked for on the sheet 'Data'" in s and "'Falls'" in s for s in found)
    frame, notes = read(path, sheet="Falls", date="Month", value="N")
    assert frame["value"].tolist() == [1.0]
    frame, _ = read(path, sheet=1, date="Month", value="N")
    assert frame["value"].tolist() == [1.0]
    assert "Did you mean 'Falls'?" in problems(path, sheet="falls", date="Month", value="N")[0]


def test_workbook_renamed_to_csv_is_read_as_a_workbook(tmp_path):
    book = write_xlsx(tmp_path / "real.xlsx", [["Month", "N"], ["2024-01-01", 4]])
    renamed = tmp_path / "renamed.csv"
    renamed.write_bytes(book.read_bytes())
    frame, notes = read(renamed, date="Month", value="N")
    assert frame["value"].tolist() == [4.0]
    assert any("Excel workbook" in n for n in notes)


def test_buffers_and_open_files(tmp_path):
    path = write_csv(tmp_path / "f.csv", MONTHLY)
    with path.open("rb") as handle:
        frame, _ = read(handle, date="Month", value="Falls", chart="run")
    assert len(frame) == 14
    frame, _ = read(io.StringIO(MONTHLY), date="Month", value="Falls", chart="run")
    assert len(frame) == 14


def test_the_learners_file_is_never_modified(tmp_path):
    messy = write_csv(tmp_path / "messy.csv",
                      "Month,Falls,Bed days\n01/05/2024,x,0\n01/04/2024,3,\n01/04/2024,2,5\n")
    good = write_csv(tmp_path / "good.csv",
                     "Month,Falls,Bed days\n2024-03-01,4,900\n2024-01-01,3,880\n"
                     "2024-02-01,2,890\n")
    book = write_xlsx(tmp_path / "book.xlsx", [["Month", "Falls"], ["2024-02-01", 1],
                                               ["2024-01-01", "n/a"]])
    before = {p: (sha(p), p.stat().st_mtime_ns) for p in (messy, good, book)}
    for path in before:
        for chart in ("u", "p", "xmr", None):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DataNote)
                    if chart in ("u", "p"):
                        read_table(path, date="Month", numerator="Falls",
                                   denominator="Bed days", chart=chart)
                    else:
                        read_table(path, date="Month", value="Falls", chart=chart)
            except DataError:
                pass
    assert {p: (sha(p), p.stat().st_mtime_ns) for p in before} == before


def test_mistakes_in_the_call_are_value_errors_not_data_errors():
    with pytest.raises(ValueError, match="chart must be one of"):
        read_table(MONTHLY.encode(), value="Falls", chart="pie")
    with pytest.raises(ValueError, match="frequency must be one of"):
        read_table(MONTHLY.encode(), value="Falls", frequency="fortnightly")
    with pytest.raises(TypeError):
        read_table(12345, value="Falls")


def test_sheet_names(tmp_path):
    from safercare.data import sheet_names

    path = write_xlsx(tmp_path / "two.xlsx", [["A"]], sheets={"Falls": [["Month"]]})
    assert sheet_names(path) == ["Data", "Falls"]
    assert sheet_names(MONTHLY.encode()) == []


# ------------------------------------------------- helping where the meaning is clear (issue 10)
def read_quietly(content: str, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataNote)
        return read_table(content.encode(), name="mine.csv", **kw)


def problems_of(content: str, **kw) -> list:
    with pytest.raises(DataError) as caught:
        read_quietly(content, **kw)
    return caught.value.problems


def test_semicolon_file_with_decimal_commas_is_read_with_a_note():
    frame = read_quietly("Monat;Wert;Belegtage\n15.01.2024;8,0;1.234,5\n15.02.2024;7,25;610\n"
                         "15.03.2024;9;0,5\n", date="Monat", value="Wert", chart="xmr")
    assert list(frame["value"]) == [8.0, 7.25, 9.0]
    assert any("decimal comma" in n and "'8,0' was read as 8.0" in n
               for n in frame.attrs["notes"])
    both = read_quietly("Monat;Wert;Belegtage\n15.01.2024;8,0;1.234,5\n15.02.2024;7,25;610\n"
                        "15.03.2024;9;0,5\n", date="Monat", numerator="Wert",
                        denominator="Belegtage")
    assert list(both["denominator"]) == [1234.5, 610.0, 0.5]


def test_one_comma_and_three_digits_in_a_semicolon_file_is_ambiguous_until_you_say():
    text = "month;falls\n2024-01-01;8,0\n2024-02-01;1,234\n2024-03-01;7\n"
    (problem,) = problems_of(text, date="month", value="falls", chart="run")
    assert (problem.row, problem.column, problem.value) == (3, "falls", "1,234")
    assert "with a decimal comma it is 1.234" in problem.what
    assert "between thousands it is 1234" in problem.what and "decimal=','" in problem.fix
    assert list(read_quietly(text, date="month", value="falls", decimal=",")["value"]) == [
        8.0, 1.234, 7.0]
    # with no decimal comma anywhere in the column, still two readings
    (alone,) = problems_of("month;beds\n2024-01-01;1,234\n2024-02-01;1,300\n", date="month",
                           value="beds")[:1]
    assert alone.row == 2 and "could be read two ways" in alone.what
    assert list(read_quietly("month;beds\n2024-01-01;1,234\n2024-02-01;1,300\n", date="month",
                             value="beds", decimal=".")["value"]) == [1234.0, 1300.0]


def test_a_dot_and_three_digits_in_a_decimal_comma_column_is_ambiguous():
    (problem,) = problems_of("month;falls\n2024-01-01;8,5\n2024-02-01;1.234\n", date="month",
                             value="falls")
    assert problem.row == 3
    assert problem.what.endswith("with a decimal point it is 1.234, with a separator between "
                                 "thousands it is 1234")
    frame = read_quietly("month;falls\n2024-01-01;8,5\n2024-02-01;1.234\n", date="month",
                         value="falls", decimal=",")
    assert list(frame["value"]) == [8.5, 1234.0]


def test_commas_in_a_comma_separated_file_still_group_thousands():
    frame = read_quietly('month,beds\n2024-01-01,"1,234"\n2024-02-01,"12,500.5"\n',
                         date="month", value="beds")
    assert list(frame["value"]) == [1234.0, 12500.5]


def test_percentages_in_a_value_column_are_read_as_percent_with_a_note():
    frame = read_quietly("month,compliance\n2024-01-01,90%\n2024-02-01,85.5 %\n"
                         "2024-03-01,93\n", date="month", value="compliance", chart="run")
    assert list(frame["value"]) == [90.0, 85.5, 93.0]
    assert any("written as percentages" in n for n in frame.attrs["notes"])
    semicolons = read_quietly("month;compliance\n2024-01-01;90,5%\n2024-02-01;85%\n",
                              date="month", value="compliance")
    assert list(semicolons["value"]) == [90.5, 85.0]


def test_a_bare_fraction_among_percentages_is_ambiguous():
    (problem,) = problems_of("month,compliance\n2024-01-01,90%\n2024-02-01,0.9\n",
                             date="month", value="compliance", chart="run")
    assert problem.row == 3 and "0.9% or 90%" in problem.what


def test_a_percentage_is_not_a_count():
    (problem,) = problems_of("month,screened,eligible\n2024-01-01,80%,100\n"
                             "2024-02-01,50,100\n", date="month", numerator="screened",
                             denominator="eligible", chart="p")
    assert (problem.row, problem.column) == (2, "screened")
    assert problem.what == "this is a percentage, not a count"


def test_excel_serial_dates_are_read_as_dates_with_a_note(tmp_path):
    frame = read_quietly("month,falls\n45292,3\n45323,4\n45352,5\n", date="month",
                         value="falls", chart="run")
    assert list(frame["date"]) == list(pd.to_datetime(["2024-01-01", "2024-02-01",
                                                       "2024-03-01"]))
    assert frame.attrs["frequency"] == "monthly"
    assert any("45292 is 1 January 2024" in n for n in frame.attrs["notes"])
    # numbers in a workbook's date column (a column formatted as General)
    from openpyxl import Workbook

    book = Workbook()
    for row in (["month", "falls"], [45292, 3], [45323, 4], [45352.0, 5]):
        book.active.append(row)
    book.save(tmp_path / "serial.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataNote)
        sheet = read_table(tmp_path / "serial.xlsx", date="month", value="falls", chart="run")
    assert sheet["date"].iloc[-1] == pd.Timestamp("2024-03-01")


def test_period_numbers_in_the_date_column_are_read_in_order():
    frame = read_quietly("week,falls\n3,5\n1,4\n2,6\n4,2\n", date="week", value="falls",
                         chart="run")
    assert list(frame["date"]) == [1, 2, 3, 4] and list(frame["row"]) == [3, 4, 2, 5]
    assert any("period numbers (1 to 4)" in n for n in frame.attrs["notes"])


def test_repeated_and_missing_period_numbers_are_problems():
    problems = problems_of("week,falls\n1,3\n2,4\n2,5\n5,2\n", date="week", value="falls",
                           chart="xmr")
    assert [(p.row, p.what) for p in problems] == [
        (4, "period 2 is already in row 3"),
        (5, "2 periods (3 to 4) are missing before this row")]


def test_period_numbers_chart_in_the_upload_widget():
    from safercare.widgets.upload import run_upload

    rows = "".join(f"{k},{v}\n" for k, v in enumerate([5, 3, 4, 6, 5, 4, 3, 5, 6, 4, 5, 3],
                                                     start=1))
    outcome = run_upload(("week;falls\n" + rows.replace(",", ";")).encode(), "weeks.csv",
                         chart="run", date="week", value="falls")
    assert outcome.ok, outcome.problems
    assert any("period numbers" in n for n in outcome.notes)
