"""The upload widget's logic, without a browser: bytes + choices → problems or a chart."""

from __future__ import annotations

import datetime as dt
import io

import ipywidgets as w
import matplotlib
import openpyxl
import pandas as pd
import pytest

matplotlib.use("Agg")

from safercare.widgets.upload import CHART_CHOICES, problems_table, run_upload, upload_widget  # noqa: E402

GOOD = ("Month,Falls,Bed days\n" + "".join(
    f"{d:%Y-%m-%d},{n},{900 + i}\n" for i, (d, n) in enumerate(zip(
        pd.date_range("2023-01-01", periods=24, freq="MS"),
        [4, 6, 5, 3, 7, 5, 4, 6, 5, 4, 3, 6, 5, 4, 6, 5, 3, 4, 5, 6, 4, 5, 3, 4],
        strict=True)))).encode()
MESSY = b"Month,Falls,Bed days\n2024-01-01,4,900\n2024-02-01,n/a,0\n2024-02-01,5,880\n"


@pytest.mark.parametrize("chart", ["run", "xmr", "p", "u"])
def test_good_file_gives_a_chart_and_its_description(chart):
    outcome = run_upload(GOOD, "falls.csv", chart=chart, date="Month", value="Falls",
                         numerator="Falls", denominator="Bed days", multiplier=1000)
    assert outcome.ok and outcome.problems is None
    assert isinstance(outcome.figure, matplotlib.figure.Figure)
    assert outcome.alt_text.startswith("24 monthly points from January 2023")
    assert len(outcome.data) == 24
    matplotlib.pyplot.close(outcome.figure)


def test_messy_file_gives_the_problems_table_and_no_chart():
    outcome = run_upload(MESSY, "ward.csv", chart="u", date="Month", numerator="Falls",
                         denominator="Bed days")
    assert not outcome.ok and outcome.figure is None
    table = outcome.problems
    assert list(table.columns) == ["row", "column", "value", "problem", "what to do"]
    assert table[["row", "column"]].values.tolist() == [[3, "Falls"], [3, "Bed days"],
                                                        [4, "Month"]]
    assert table.loc[0, "value"] == "n/a"


def test_chart_checks_reach_the_table_too():
    # two points: the file is fine for read_table, but an XmR chart may need more;
    # whatever the chart decides, the outcome is a chart or a problems table
    outcome = run_upload(b"Month,N\n2024-01-01,1\n2024-02-01,2\n", "t.csv", chart="xmr",
                         date="Month", value="N")
    assert (outcome.figure is None) != (outcome.problems is None)


def test_xlsx_upload_with_groups_draws_the_first_group(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Ward", "Month", "Falls"])
    for ward in ("Ward A", "Ward B"):
        for i in range(15):
            sheet.append([ward, dt.datetime(2024, 1, 1) + pd.DateOffset(months=i), i % 4])
    buffer = io.BytesIO()
    book.save(buffer)
    outcome = run_upload(buffer.getvalue(), "wards.xlsx", chart="run", date="Month",
                         value="Falls", by="Ward")
    assert outcome.ok
    assert "15 monthly points" in outcome.alt_text
    matplotlib.pyplot.close(outcome.figure)


def test_problems_table_shows_blanks_as_blanks():
    outcome = run_upload(b"", "empty.csv", chart="run", date="Month", value="Falls")
    assert outcome.problems.loc[0, "row"] == "" and outcome.problems.loc[0, "column"] == ""
    assert "empty" in outcome.problems.loc[0, "problem"]
    assert callable(problems_table)


def test_unknown_chart_is_a_mistake_in_the_call():
    with pytest.raises(ValueError):
        run_upload(GOOD, "f.csv", chart="pie", value="Falls")


def test_every_control_has_a_label_and_a_description():
    form = upload_widget()
    controls = [c for c in form.children if isinstance(c, w.Dropdown | w.Button |
                                                        w.FileUpload)]
    assert len(controls) >= 9
    for control in controls:
        assert control.description.strip(), control
        assert control.tooltip and control.tooltip.strip(), control.description
    upload = next(c for c in controls if isinstance(c, w.FileUpload))
    assert upload.accept == ".csv,.xlsx"
    chart = next(c for c in controls if c.description == "Chart")
    assert [code for _, code in chart.options] == [code for _, code in CHART_CHOICES]
    assert [code for _, code in CHART_CHOICES] == ["run", "xmr", "p", "u"]


def test_uploading_fills_the_column_choices():
    form = upload_widget()
    upload = next(c for c in form.children if isinstance(c, w.FileUpload))
    upload.value = ({"name": "falls.csv", "type": "text/csv", "size": len(GOOD),
                     "content": memoryview(GOOD), "last_modified": dt.datetime(2024, 1, 1)},)
    by_label = {c.description: c for c in form.children if isinstance(c, w.Dropdown)}
    assert [label for label, _ in by_label["Date column"].options] == [
        "(none)", "Month", "Falls", "Bed days"]
    assert by_label["Date column"].value == "Month"
    assert by_label["Value column"].value == "Falls"
    assert by_label["Denominator column"].value == "Bed days"
    by_label["Chart"].value = "u"
    assert by_label["Value column"].layout.display == "none"
    assert by_label["Numerator column"].layout.display is None
    assert by_label["Show the rate per"].value == 1000.0


def _upload(form: w.VBox, content: bytes, name: str) -> None:
    upload = next(c for c in form.children if isinstance(c, w.FileUpload))
    upload.value = ({"name": name, "type": "text/csv", "size": len(content),
                     "content": memoryview(content), "last_modified": dt.datetime(2024, 1, 1)},)


@pytest.fixture
def shown(monkeypatch) -> list:
    """Everything the widget displays, as text (Markdown text, tables, figures)."""
    import IPython.display

    items: list = []

    def collect(*objects, **_):
        for item in objects:
            if isinstance(item, IPython.display.Markdown):
                items.append(item.data)
            elif isinstance(item, pd.DataFrame):
                items.append(item.to_string())
            else:
                items.append(type(item).__name__)

    monkeypatch.setattr(IPython.display, "display", collect)
    return items


def test_pressing_the_button_shows_problems_or_a_chart(shown):
    form = upload_widget()
    button = next(c for c in form.children if isinstance(c, w.Button))
    button.click()  # no file yet
    assert shown[-1] == "Choose a file first."
    _upload(form, MESSY, "ward.csv")
    by_label = {c.description: c for c in form.children if isinstance(c, w.Dropdown)}
    by_label["Chart"].value = "u"
    shown.clear()
    button.click()
    assert shown[0].startswith("**We found 3 problems.**") and "what to do" in shown[1]
    _upload(form, GOOD, "falls.csv")
    by_label["Chart"].value = "xmr"
    shown.clear()
    button.click()
    assert shown[0] == "Figure"
    assert shown[1].startswith("**What the chart shows:** 24 monthly points")


def test_a_file_that_cannot_be_read_says_so_on_upload(shown):
    form = upload_widget()
    _upload(form, b"Falls report\n\nMonth,Falls\n2024-01-01,3\n", "titled.csv")
    assert shown[0].startswith("**This file cannot be used yet.**")
    assert "headings seem to be in row 3" in shown[1]


def test_a_workbook_with_several_sheets_offers_a_sheet_choice(shown):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["Read me first"])
    data_sheet = book.create_sheet("Falls")
    data_sheet.append(["Month", "Falls"])
    for i in range(14):
        data_sheet.append([dt.datetime(2024, 1, 1) + pd.DateOffset(months=i), i % 5])
    buffer = io.BytesIO()
    book.save(buffer)
    form = upload_widget()
    _upload(form, buffer.getvalue(), "two sheets.xlsx")
    by_label = {c.description: c for c in form.children if isinstance(c, w.Dropdown)}
    sheet = by_label["Sheet (Excel files)"]
    assert sheet.layout.display is None
    assert [label for label, _ in sheet.options] == ["(the first sheet)", "Notes", "Falls"]
    sheet.value = "Falls"
    assert [label for label, _ in by_label["Date column"].options] == ["(none)", "Month",
                                                                       "Falls"]
    shown.clear()
    next(c for c in form.children if isinstance(c, w.Button)).click()
    assert shown[0] == "Figure" and "14 monthly points" in shown[1]


def test_fifty_thousand_problems_show_the_first_twenty_and_a_count(shown):
    dates = pd.date_range("1900-01-01", periods=50_000, freq="D").strftime("%Y-%m-%d")
    content = ("date,value\n" + "".join(f"{d},n/a\n" for d in dates)).encode()
    form = upload_widget()
    _upload(form, content, "long.csv")
    by_label = {c.description: c for c in form.children if isinstance(c, w.Dropdown)}
    by_label["Chart"].value = "xmr"
    shown.clear()
    next(c for c in form.children if isinstance(c, w.Button)).click()
    assert shown[0].startswith("**We found 50,000 problems.** The first 20 are listed.")
    table = shown[1].splitlines()
    assert len(table) == 1 + 21 and "… and 49,980 more problems" in table[-1]


def test_the_decimal_mark_choice_settles_an_ambiguous_number(shown):
    rows = "".join(f"2024-{m:02d}-01;{v}\n" for m, v in zip(
        range(1, 13), ["1,234", "1,5", "2", "1,75", "2,5", "1", "2", "1,5", "3", "2", "1", "2"],
        strict=True))
    content = ("month;rate\n" + rows).encode()
    form = upload_widget()
    _upload(form, content, "rates.csv")
    by_label = {c.description: c for c in form.children if isinstance(c, w.Dropdown)}
    button = next(c for c in form.children if isinstance(c, w.Button))
    shown.clear()
    button.click()
    assert shown[0].startswith("**We found 1 problem.**") and "two ways" in shown[1]
    assert by_label["Decimal mark"].tooltip
    by_label["Decimal mark"].value = ","
    shown.clear()
    button.click()
    assert shown[0] == "Figure"
    matplotlib.pyplot.close("all")
