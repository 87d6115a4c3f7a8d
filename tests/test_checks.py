"""safercare.checks: the shared, vectorised checks used by read_table and the analyses."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from safercare import checks


def test_as_numbers_reads_separators_and_reports_text_with_point_numbers():
    numbers, problems = checks.as_numbers(["1", "2,048", " 3 ", "n/a", "", None, "1e999"],
                                          "falls")
    assert numbers[:3].tolist() == [1.0, 2048.0, 3.0]
    assert np.isnan(numbers[3:]).all()
    assert [(p.row, p.what) for p in problems] == [(4, "this is not a number"),
                                                   (7, "this number is infinite")]
    assert problems[0].sentence().startswith("Point 4, column 'falls'")


def test_as_numbers_blank_is_a_problem_only_when_not_allowed():
    _, problems = checks.as_numbers(["1", ""], "v", allow_missing=False, first_row=2,
                                    unit="row")
    assert [(p.row, p.what) for p in problems] == [(3, "the cell is blank")]
    assert problems[0].sentence().startswith("Row 3, column 'v'")


def test_as_numbers_does_not_write_into_read_only_input():
    series = pd.Series([1.0, np.inf, 3.0])
    numbers, problems = checks.as_numbers(series, "v")
    assert np.isnan(numbers[1]) and len(problems) == 1
    assert series.iloc[1] == np.inf  # the caller's data is untouched


def test_as_numbers_reports_true_false_cells():
    _, problems = checks.as_numbers(pd.Series([1, True], dtype=object), "v")
    assert [(p.row, p.value) for p in problems] == [(2, "True")]


def test_rows_argument_names_skipped_row_numbers():
    _, problems = checks.as_numbers(["1", "x", "y"], "v", rows=np.array([2, 5, 9]),
                                    unit="row")
    assert [p.row for p in problems] == [5, 9]
    assert [p.row for p in checks.check_counts(np.array([1.0, -1.0, 0.5]), "v",
                                               rows=np.array([2, 5, 9]))] == [5, 9]


def test_counts_denominators_proportions():
    counts = np.array([3.0, -1.0, 2.5, np.nan])
    assert [(p.row, p.what) for p in checks.check_counts(counts, "c")] == [
        (2, "a count cannot be negative"), (3, "a count must be a whole number")]
    assert [p.row for p in checks.check_denominators(np.array([5.0, 0.0, -2.0, np.nan]),
                                                     "d")] == [2, 3]
    found = checks.check_proportions(np.array([1.0, 6.0]), np.array([5.0, 5.0]), "n", "d")
    assert [(p.row, p.value) for p in found] == [(2, "6")]
    assert [p.row for p in checks.check_non_negative(np.array([0.0, -3.0]), "t")] == [2]


def test_as_dates_reads_common_spreadsheet_forms_day_first():
    values = ["03/04/2024", "3/4/24", "03-04-2024", "03.04.2024", "2024-04-03",
              "3 Apr 2024", "03-Apr-24", "3rd April 2024", dt.date(2024, 4, 3),
              dt.datetime(2024, 4, 3), pd.Timestamp("2024-04-03")]
    dates, problems = checks.as_dates(pd.Series(values, dtype=object), "d")
    assert problems == []
    assert (dates == np.datetime64("2024-04-03")).all()


def test_as_dates_month_forms_and_month_first():
    dates, _ = checks.as_dates(["Apr 2024", "April 2024", "Apr-24", "2024-04"], "m")
    assert (dates == np.datetime64("2024-04-01")).all()
    dates, _ = checks.as_dates(["04/03/2024"], "d", dayfirst=False)
    assert dates[0] == np.datetime64("2024-04-03")


def test_as_dates_problems():
    dates, problems = checks.as_dates(["31/02/2024", "soon", "", "01/01/2999", 45000.0],
                                      "d", first_row=2, unit="row")
    assert np.isnat(dates).all()
    assert [(p.row, p.what) for p in problems] == [
        (2, "this is not a date we can read"), (3, "this is not a date we can read"),
        (5, "this is not a date we can read"), (6, "this is not a date we can read"),
        (4, "the date is blank")]
    _, problems = checks.as_dates(["", None], "d", allow_missing=True)
    assert problems == []


def test_other_day_order_only_when_genuinely_either_way():
    other = checks.other_day_order(["01/02/2024", "01/03/2024"])
    assert list(other) == [np.datetime64("2024-01-02"), np.datetime64("2024-01-03")]
    assert checks.other_day_order(["13/02/2024", "01/03/2024"]) is None  # 13 is a day
    assert checks.other_day_order(["2024-02-01", "2024-03-01"]) is None  # ISO
    assert checks.other_day_order(["05/05/2024", "06/06/2024"]) is None  # same both ways
    assert checks.other_day_order(pd.Series([dt.datetime(2024, 1, 2)], dtype=object)) is None


def test_infer_frequency():
    def freq(dates, groups=None):
        return checks.infer_frequency(np.array(dates, dtype="datetime64[us]"), groups)

    assert freq(pd.date_range("2024-01-01", periods=10, freq="D")) == "daily"
    assert freq(pd.date_range("2024-01-01", periods=10, freq="7D")) == "weekly"
    assert freq(pd.date_range("2024-01-01", periods=10, freq="MS")) == "monthly"
    assert freq(pd.date_range("2024-01-15", periods=10, freq="MS")
                + pd.to_timedelta(np.arange(10) % 3, "D")) == "monthly"
    assert freq(pd.date_range("2024-01-01", periods=10, freq="QS")) == "quarterly"
    assert freq(pd.date_range("2020-01-01", periods=6, freq="YS")) == "yearly"
    assert freq(["2024-01-03", "2024-02-17", "2024-02-20", "2024-06-30"]) is None
    assert freq(["2024-01-01"]) is None
    # two wards, same months: judged within each group
    months = list(pd.date_range("2024-01-01", periods=6, freq="MS")) * 2
    assert freq(months, np.array(["A"] * 6 + ["B"] * 6, dtype=object)) == "monthly"


def test_check_periods_duplicates_and_gaps_within_groups():
    dates = np.array(["2024-01-01", "2024-02-01", "2024-02-01", "2024-05-01",
                      "2024-01-01", "2024-03-01"], dtype="datetime64[us]")
    groups = np.array(["A", "A", "A", "A", "B", "B"], dtype=object)
    found = checks.check_periods(dates, "Month", frequency="monthly", groups=groups,
                                 group_column="Ward", first_row=2, unit="row")
    assert [(p.row, p.what) for p in found] == [
        (4, "this month (February 2024) for Ward 'A' is already in row 3"),
        (5, "2 months (March 2024 to April 2024) are missing before this row for Ward 'A' "
            "(the series is monthly)"),
        (7, "there is no row for February 2024 before this one for Ward 'B' (the series is "
            "monthly)"),
    ]


def test_check_periods_without_frequency_only_exact_duplicates():
    dates = np.array(["2024-01-01", "2024-01-09", "2024-01-09", "NaT"],
                     dtype="datetime64[us]")
    found = checks.check_periods(dates, "d", frequency=None)
    assert [p.row for p in found] == [3]


def test_period_label():
    day = np.datetime64("2024-03-04")
    assert checks.period_label(day, "monthly") == "March 2024"
    assert checks.period_label(day, "quarterly") == "Q1 2024"
    assert checks.period_label(day, "weekly") == "the week of 4 March 2024"
    assert checks.period_label(day, "yearly") == "2024"
    assert checks.period_label(day, None) == "4 March 2024"


def test_as_dates_keeps_a_column_that_is_already_dates():
    # A column Excel or pandas already read as dates is dates, not blanks.
    import pandas as pd

    from safercare.checks import as_dates

    column = pd.Series(pd.to_datetime(["2024-01-31", None, "2024-03-31"]))
    values, problems = as_dates(column, "month", allow_missing=True)
    assert [str(v)[:10] for v in values] == ["2024-01-31", "NaT", "2024-03-31"]
    assert problems == []
    _, problems = as_dates(column, "month")
    assert [(int(p.row), p.what) for p in problems] == [(2, "the date is blank")]


def test_check_columns_names_each_missing_column_and_suggests_a_close_one():
    import pandas as pd

    from safercare.checks import check_columns

    table = pd.DataFrame({"month": [], "bed_days": [], "falls": []})
    problems = check_columns(table, ["month", "bed_dayz", None, "harm"])
    assert [p.column for p in problems] == ["bed_dayz", "harm"]
    assert problems[0].fix.startswith("did you mean 'bed_days'?")
    assert "'month', 'bed_days', 'falls'" in problems[1].fix
    assert "did you mean" not in problems[1].fix
