"""Fuzz read_table with random messy tables: every input ends in a clean table or a DataError.

Hypothesis builds CSV and Excel files with random mixes of blanks, text in number
columns, negative numbers, zeros, duplicated, missing and unsorted dates in several
formats, odd or missing headings, titles above the table, ragged rows, other
encodings and plain random bytes, and calls read_table with random choices of columns,
chart, date order and frequency. Any exception other than DataError is a failure.

The run is repeatable (``derandomize=True``, a fixed ``max_examples``). The number of
cases that ran is printed (see it with ``pytest -s``), recorded as a junit property and,
if ``SAFERCARE_FUZZ_COUNT_FILE`` is set, written to that file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import warnings

import numpy as np
import openpyxl
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safercare.data import CHARTS, DataError, DataNote, read_table

settings.register_profile(
    "safercare-fuzz",
    # 300 in the normal run; set SAFERCARE_FUZZ_EXAMPLES for a longer hunt
    max_examples=int(os.environ.get("SAFERCARE_FUZZ_EXAMPLES", "300")),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("safercare-fuzz")

HEADINGS = ["Month", "month ", "Date", "Week", "Falls", "Bed days", "Bed  days", "Ward",
            "Screened", "Eligible", "", "£ cost", "Été", "N", "Value", "1", "Unnamed: 3"]
DAYS = [dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in
        (0, 1, 2, 3, 7, 14, 31, 59, 60, 91, 120, 152, 400, 2000)]
DATE_FORMATS = ["%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%d", "%d-%b-%y", "%b %Y", "%d.%m.%Y",
                "%d/%m/%y", "%Y-%m-%dT%H:%M:%S", "%d %B %Y"]
WORDS = ["n/a", "TBC", "-", "see note", "12 falls", "#DIV/0!", "NULL", "none", "1,024",
         " 651 ", "3.5", "1e999", "nan", "inf", "31/02/2024", "00/00/0000", "true",
         "=SUM(A1:A3)", '"quoted, text"', "0", "-0"]

safe_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12
)
numbers = st.one_of(
    st.integers(-50, 5000).map(str),
    st.sampled_from(["0", "-1", "-3", "0.0"]),
    st.floats(allow_nan=True, allow_infinity=True, width=32).map(lambda x: f"{x:g}"),
)
dates = st.builds(lambda d, f: d.strftime(f), st.sampled_from(DAYS),
                  st.sampled_from(DATE_FORMATS))
cells = st.one_of(
    st.just(""), numbers, dates, st.sampled_from(WORDS), safe_text,
)


@st.composite
def messy_tables(draw) -> dict:
    """A random table as file bytes, plus the read_table choices to read it with."""
    if draw(st.integers(0, 3)) == 0:  # a quarter: a tidy table with at most one slip
        return draw(tidy_tables())
    if draw(st.integers(0, 24)) == 0:  # sometimes: just random bytes
        content = draw(st.binary(max_size=400))
        return {"content": content, "name": draw(st.sampled_from(["x.csv", "x.xlsx", "x"])),
                "kwargs": {"value": "Falls", "chart": draw(st.sampled_from([None, "xmr"]))}}
    width = draw(st.integers(1, 5))
    headings = draw(st.lists(st.sampled_from(HEADINGS), min_size=width, max_size=width))
    n_rows = draw(st.integers(0, 30))
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=width + 1),
                         min_size=n_rows, max_size=n_rows))
    # columns that look like a real series: a date column and numbers, sometimes
    if draw(st.booleans()) and n_rows:
        fmt = draw(st.sampled_from(DATE_FORMATS))
        start = draw(st.sampled_from(DAYS))
        step = draw(st.sampled_from(["D", "7D", "MS", "QS"]))
        series = pd.date_range(start, periods=n_rows, freq=step)
        order = draw(st.permutations(range(n_rows))) if draw(st.booleans()) else range(n_rows)
        for i, j in enumerate(order):
            if rows[i]:
                rows[i][0] = series[j].strftime(fmt)
            else:
                rows[i] = [series[j].strftime(fmt)]
        if n_rows > 2 and draw(st.booleans()):
            rows.insert(1, list(rows[0]))  # a duplicated period
    # sometimes a title or notes above the headings
    above = draw(st.lists(st.lists(cells, max_size=2), max_size=3)) if draw(
        st.integers(0, 4)) == 0 else []
    table = above + [headings] + rows
    as_excel = draw(st.integers(0, 3)) == 0
    if as_excel:
        book = openpyxl.Workbook()
        sheet = book.active
        for row in table:
            sheet.append([_excel_cell(c, draw) for c in row])
        buffer = io.BytesIO()
        book.save(buffer)
        content, name = buffer.getvalue(), "table.xlsx"
    else:
        delimiter = draw(st.sampled_from([",", ",", ",", ";", "\t"]))
        text = "\n".join(delimiter.join(_quote(c, delimiter) for c in row) for row in table)
        text += draw(st.sampled_from(["", "\n", "\n\n,,\n", "\r\n"]))
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
        content, name = text.encode(encoding, errors="replace"), "table.csv"
        if draw(st.integers(0, 9)) == 0:  # a stray byte somewhere
            at = draw(st.integers(0, max(len(content) - 1, 0)))
            content = content[:at] + bytes([draw(st.integers(0, 255))]) + content[at:]
    chart = draw(st.sampled_from([None, *CHARTS]))
    present = [h for h in dict.fromkeys(headings) if h.strip()]
    if present and draw(st.integers(0, 3)):
        # mostly: the columns the chart needs, chosen from the headings that exist
        pick = st.sampled_from(present)
        kwargs = {"date": present[0] if draw(st.booleans()) else draw(pick),
                  "value": draw(pick)}
        if chart in ("p", "u"):
            kwargs = {"date": kwargs["date"], "numerator": draw(pick),
                      "denominator": draw(pick)}
        if draw(st.integers(0, 4)) == 0:
            kwargs["by"] = draw(pick)
    else:
        choices = present + ["Missing column", "falls"]
        pick = st.one_of(st.none(), st.sampled_from(choices))
        kwargs = {"date": draw(pick), "value": draw(pick), "numerator": draw(pick),
                  "denominator": draw(pick), "by": draw(pick)}
    kwargs.update(
        chart=chart,
        dayfirst=draw(st.sampled_from([None, True, False])),
        frequency=draw(st.sampled_from([None, None, "monthly", "weekly", "daily"])),
    )
    return {"content": content, "name": name, "kwargs": kwargs}


@st.composite
def tidy_tables(draw) -> dict:
    """A well-formed series (maybe shuffled, maybe per ward) with at most one bad cell."""
    n = draw(st.integers(1, 24))
    step = draw(st.sampled_from(["D", "7D", "MS", "QS"]))
    fmt = draw(st.sampled_from(DATE_FORMATS))
    series = pd.date_range(draw(st.sampled_from(DAYS)), periods=n, freq=step)
    counts = draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))
    totals = draw(st.lists(st.integers(60, 900), min_size=n, max_size=n))
    rows = [[d.strftime(fmt), str(c), str(t)] for d, c, t in zip(series, counts, totals,
                                                                  strict=True)]
    if draw(st.booleans()):
        rows = [rows[i] for i in draw(st.permutations(range(n)))]
    if draw(st.booleans()):
        rows[draw(st.integers(0, n - 1))][draw(st.integers(0, 2))] = draw(cells)
    grouped = draw(st.booleans())
    headings = ["Month", "Falls", "Bed days"]
    if grouped:
        headings = ["Ward", *headings]
        rows = [["Ward A", *r] for r in rows] + [["Ward B", *r] for r in rows]
    text = "\n".join(",".join(_quote(c, ",") for c in row) for row in [headings, *rows])
    chart = draw(st.sampled_from([None, *CHARTS]))
    kwargs = {"date": "Month", "by": "Ward" if grouped else None, "chart": chart,
              "dayfirst": draw(st.sampled_from([None, True, False])),
              "frequency": draw(st.sampled_from([None, None, "monthly", "weekly"]))}
    if chart in ("p", "u"):
        kwargs.update(numerator="Falls", denominator="Bed days")
    else:
        kwargs.update(value="Falls")
    return {"content": text.encode(), "name": "tidy.csv", "kwargs": kwargs}


def _quote(cell: str, delimiter: str) -> str:
    if delimiter in cell or '"' in cell or "\n" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _excel_cell(cell: str, draw) -> object:
    """Excel cells: numbers as numbers and dates as dates some of the time, else text."""
    try:
        number = float(cell)
        if np.isfinite(number) and draw(st.booleans()):
            return number
    except ValueError:
        pass
    try:
        when = dt.datetime.strptime(cell, "%Y-%m-%d")
        if draw(st.booleans()):
            return when
    except ValueError:
        pass
    return cell or None


def test_every_messy_table_ends_in_a_clean_frame_or_a_data_error(record_property):
    outcomes = {"cases": 0, "clean": 0, "data_error": 0}

    @FUZZ
    @given(case=messy_tables())
    def one_case(case: dict) -> None:
        outcomes["cases"] += 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataNote)
                frame = read_table(case["content"], name=case["name"], **case["kwargs"])
        except DataError as error:
            outcomes["data_error"] += 1
            assert error.problems and str(error).startswith("We found")
            for problem in error.problems:  # each names a place and a fix
                assert problem.what and problem.fix
                assert problem.row is None or problem.row >= 1
            return
        outcomes["clean"] += 1
        assert isinstance(frame, pd.DataFrame)
        assert "row" in frame and (frame["row"] >= 1).all()
        chosen = {k for k, v in case["kwargs"].items()
                  if v is not None and k in ("date", "value", "numerator", "denominator")}
        for role in chosen & {"value", "numerator", "denominator"}:
            assert frame[role].dtype == np.float64
            if case["kwargs"]["chart"] is not None:
                assert not frame[role].isna().any()  # blanks are problems for a chart
        if "date" in chosen:
            assert not frame["date"].isna().any()

    one_case()
    record_property("fuzz_cases", outcomes["cases"])
    print(f"\nread_table fuzz: {outcomes['cases']} cases ran "
          f"({outcomes['clean']} clean tables, {outcomes['data_error']} DataErrors)")
    report = os.environ.get("SAFERCARE_FUZZ_COUNT_FILE")
    if report:
        with open(report, "w", encoding="utf-8") as handle:
            json.dump(outcomes, handle)
    assert outcomes["cases"] >= FUZZ.max_examples
    assert outcomes["clean"] > 0 and outcomes["data_error"] > 0  # both paths exercised
