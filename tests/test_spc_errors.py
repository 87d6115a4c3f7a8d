"""Bad input: one plain-English DataError naming the point and column, nothing dropped."""

from __future__ import annotations

import pandas as pd
import pytest

from safercare import spc
from safercare.errors import DataError


def error_text(call) -> str:
    with pytest.raises(DataError) as info:
        call()
    return str(info.value)


def test_text_in_a_number_column_names_the_point_and_column():
    df = pd.DataFrame({"falls": [1, "two", 3, "n/a"]})
    text = error_text(lambda: spc.xmr(df, "falls"))
    assert "Point 2, column 'falls': this is not a number (found: 'two')" in text
    assert "Point 4, column 'falls'" in text


@pytest.mark.parametrize("chart", [spc.p_chart, spc.u_chart, spc.p_prime, spc.u_prime])
@pytest.mark.parametrize("bad", [0, -3])
def test_zero_or_negative_denominator(chart, bad):
    df = pd.DataFrame({"harms": [1, 2, 0], "patients": [10, bad, 12]})
    text = error_text(lambda: chart(df, "harms", "patients"))
    assert "Point 2, column 'patients': the denominator must be more than zero" in text


@pytest.mark.parametrize("chart", [spc.p_chart, spc.p_prime])
def test_numerator_above_denominator_in_a_p_chart(chart):
    df = pd.DataFrame({"harms": [1, 15, 0], "patients": [10, 12, 12]})
    text = error_text(lambda: chart(df, "harms", "patients"))
    assert "Point 2, column 'harms': this is more than 'patients'" in text


def test_u_chart_allows_numerator_above_denominator():
    spc.u_chart(numerator=[15, 3], denominator=[10, 10])


def test_text_in_a_denominator():
    text = error_text(lambda: spc.u_chart(numerator=[1, 2], denominator=[10, "ten"]))
    assert "Point 2, column 'denominator': this is not a number" in text


@pytest.mark.parametrize("chart", [spc.c_chart, spc.g_chart])
def test_counts_must_be_whole_and_not_negative(chart):
    text = error_text(lambda: chart([1, -2, 3.5]))
    assert "Point 2, column 'value': a count cannot be negative" in text
    assert "Point 3, column 'value': a count must be a whole number" in text


def test_time_between_events_must_be_positive():
    text = error_text(lambda: spc.t_chart([1, 0, 3]))
    assert "Point 2, column 'value': the time between events must be more than zero" in text


def test_duplicate_dates_in_a_series():
    df = pd.DataFrame({"month": ["2024-01-01", "2024-02-01", "2024-01-01"], "v": [1, 2, 3]})
    text = error_text(lambda: spc.xmr(df, "v", "month"))
    assert "Point 3, column 'month': this date is the same as point 1" in text
    assert "2024-01-01" in text


def test_duplicate_dates_in_different_series_are_fine_but_not_within_one():
    df = pd.DataFrame({"ward": ["A", "B", "A"], "month": ["2024-01-01"] * 3, "v": [1, 2, 3]})
    text = error_text(lambda: spc.xmr(df, "v", "month", by="ward"))
    assert "Point 3, column 'month': this date is the same as point 1 in the same series" in text
    spc.xmr(df.iloc[:2], "v", "month", by="ward")


def test_unreadable_and_blank_dates():
    df = pd.DataFrame({"month": ["2024-01-01", "soon", None], "v": [1, 2, 3]})
    text = error_text(lambda: spc.xmr(df, "v", "month"))
    assert "Point 2, column 'month': this is not a date (found: 'soon')" in text
    assert "Point 3, column 'month': the date is blank" in text


def test_a_missing_column_is_named():
    text = error_text(lambda: spc.xmr(pd.DataFrame({"v": [1, 2]}), "falls"))
    assert "there is no column called 'falls'" in text and "'v'" in text


def test_no_points():
    assert "no points" in error_text(lambda: spc.xmr([]))


def test_every_problem_is_reported_at_once():
    df = pd.DataFrame({"h": [1, 5, "x"], "n": [10, 4, 0]})
    with pytest.raises(DataError) as info:
        spc.p_chart(df, "h", "n")
    assert len(info.value.problems) == 1  # text first: other checks need numbers
    df = pd.DataFrame({"h": [1, 5, 2], "n": [10, 4, 0]})
    with pytest.raises(DataError) as info:
        spc.p_chart(df, "h", "n")
    assert {(p.row, p.column) for p in info.value.problems} == {(2, "h"), (3, "h"), (3, "n")}


def test_a_missing_value_is_not_an_error_and_keeps_its_row():
    r = spc.p_chart(numerator=[1, None, 2], denominator=[10, 10, None])
    assert len(r.table) == 3
    assert r.table["value"].isna().tolist() == [False, True, True]


def test_bad_options():
    with pytest.raises(ValueError, match="unknown rules"):
        spc.xmr([1, 2, 3], rules="western electric")
    with pytest.raises(ValueError, match="direction"):
        spc.xmr([1, 2, 3], direction="up")
    with pytest.raises(ValueError, match="shift_length"):
        spc.Profile(shift_length=1)
    with pytest.raises(TypeError, match="numerator"):
        spc.p_chart(numerator=[1, 2])


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: spc.xmr(list(range(20)), baseline=1), ["got 1", "baseline=12"]),
        (lambda: spc.xmr(list(range(5)), exclude=[True, False]),
         ["2 true/false values", "5 points", "one true/false per point"]),
        (lambda: spc.xmr(list(range(5)), exclude=[7]), ["between 0 and 4", "first point is 0"]),
        (lambda: spc.xmr(list(range(5)), exclude=["soon"]), ["exclude=[3, 7]"]),
        (lambda: spc.xmr(list(range(5)), phases=["2024-01-01"]), ["also pass date="]),
        (lambda: spc.Profile(min_points=0), ["min_points", "got 0"]),
        (lambda: spc.Profile(conflict="loud"), ["conflict", "'loud'"]),
    ],
)
def test_option_errors_say_what_to_do(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_asking_for_a_series_that_is_not_there_lists_the_series():
    df = pd.DataFrame({"ward": ["A"] * 3 + ["B"] * 3, "falls": [1, 2, 3, 4, 5, 6]})
    r = spc.xmr(df, "falls", by="ward")
    with pytest.raises(ValueError, match="no series called 'Z'; use one of: 'A', 'B'"):
        r.describe(group="Z")
    with pytest.raises(ValueError, match="holds 2 series: say which one with group=, e.g. "
                                         "group='A'"):
        r.group_code()


def test_an_exclusions_column_of_words_is_read_as_yes_or_no():
    df = pd.DataFrame({"falls": range(15), "skip": ["no"] * 13 + [" Yes", None]})
    r = spc.xmr(df, "falls", exclude="skip")
    assert r.table["excluded"].tolist() == [False] * 13 + [True, False]
    flags = pd.DataFrame({"falls": range(15), "skip": [True, None] + [False] * 13})
    assert spc.xmr(flags, "falls", exclude="skip").table["excluded"].sum() == 1


def test_an_exclusions_column_that_is_not_true_or_false_is_a_data_error():
    df = pd.DataFrame({"falls": [1, 2, 3, 4], "skip": ["no", "maybe", "FALSE", "x"]})
    text = error_text(lambda: spc.xmr(df, "falls", exclude="skip"))
    assert "Point 2, column 'skip': this is not true or false (found: 'maybe')" in text
    assert "Point 4, column 'skip'" in text
    assert "Point 3" not in text
    assert "Type TRUE (or yes)" in text


def test_text_dates_are_read_day_first_like_the_rest_of_the_course():
    # A UK course: 01/02/2024 is 1 February (as safercare.data reads it); ISO stays ISO.
    from safercare import spc

    frame = pd.DataFrame({"month": ["01/02/2024", "2024-03-01", "01/04/2024"],
                          "v": [1.0, 2.0, 3.0]})
    r = spc.xmr(frame, value="v", date="month")
    assert list(r.table["date"].dt.strftime("%Y-%m-%d")) == ["2024-02-01", "2024-03-01",
                                                               "2024-04-01"]
