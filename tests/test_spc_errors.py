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
