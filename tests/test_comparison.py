"""Tests for safercare.comparison: league-table rank instability."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from safercare.comparison import parse_unit_counts, rank_intervals, redraw_counts
from safercare.errors import DataError


@pytest.fixture
def table() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    den = rng.integers(2000, 20000, 15)
    return pd.DataFrame({
        "unit": [f"Unit {i:02d}" for i in range(15)],
        "deaths": rng.binomial(den, 0.03),
        "admissions": den,
    })


def run(table: pd.DataFrame, **kw):
    return rank_intervals(table, numerator="deaths", denominator="admissions", unit="unit", **kw)


def test_same_seed_same_answer_and_shape(table):
    a = run(table, replicates=500, seed=3)
    b = run(table, replicates=500, seed=3)
    assert a.ranks.shape == (500, 15)
    np.testing.assert_array_equal(a.ranks, b.ranks)
    pd.testing.assert_frame_equal(a.table, b.table)
    c = run(table, replicates=500, seed=4)
    assert not np.array_equal(a.ranks, c.ranks)


def test_every_draw_is_a_full_ordering(table):
    result = run(table, replicates=200, seed=1)
    np.testing.assert_array_equal(np.sort(result.ranks, axis=1),
                                  np.tile(np.arange(1, 16), (200, 1)))


def test_published_rank_lowest_rate_first(table):
    result = run(table)
    t = result.table
    assert list(t["rank"]) == sorted(t["rank"])
    assert t["rate"].is_monotonic_increasing
    assert t.loc[0, "rate"] == pytest.approx((table["deaths"] / table["admissions"]).min())
    higher = run(table, lower_is_better=False)
    assert higher.table.loc[0, "rate"] == pytest.approx(
        (table["deaths"] / table["admissions"]).max())


def test_redrawn_ranks_are_consistent_with_redrawn_rates(table):
    result = run(table, replicates=50, seed=2)
    # In every re-drawn year, a better rank never has a higher rate.
    order = np.argsort(result.ranks, axis=1)
    sorted_rates = np.take_along_axis(result.rates, order, axis=1)
    assert (np.diff(sorted_rates, axis=1) >= 0).all()


def test_interval_contains_median_and_is_ordered(table):
    t = run(table, replicates=2000).table
    assert (t["rank_lower"] <= t["median_rank"]).all()
    assert (t["median_rank"] <= t["rank_upper"]).all()
    assert (t["interval_width"] == t["rank_upper"] - t["rank_lower"] + 1).all()
    assert t["chance_top_quarter"].between(0, 1).all()


def test_identical_units_have_wide_intervals_and_stable_differences_narrow():
    # Huge, truly different units: ranks barely move. Identical units: anything goes.
    den = np.full(10, 1_000_000)
    num = (np.linspace(0.01, 0.10, 10) * den).astype(int)
    units = [f"U{i}" for i in range(10)]
    distinct = rank_intervals(numerator=num, denominator=den, unit=units, replicates=500)
    assert (distinct.table["rank_lower"] == distinct.table["rank"]).all()
    assert (distinct.table["rank_upper"] == distinct.table["rank"]).all()
    same = rank_intervals(numerator=num, denominator=den, unit=units, replicates=2000,
                          underlying="common")
    assert same.summary["median_interval_width"] >= 9
    # With identical units each is top about 1 time in 10.
    assert same.summary["chance_top_stays_top"] == pytest.approx(0.1, abs=0.03)


def test_binomial_redraw_mean_matches_rate():
    den = np.array([100, 1000])
    counts = redraw_counts(np.array([0.2, 0.05]), den, replicates=20000, seed=1)
    np.testing.assert_allclose(counts.mean(axis=0), [20, 50], rtol=0.02)
    poisson = redraw_counts(np.array([2.0]), np.array([10.0]), kind="ratio", replicates=20000)
    assert poisson.var() == pytest.approx(20, rel=0.05)


def test_draw_and_describe(table):
    result = run(table, replicates=100)
    year = result.draw(5)
    assert list(year["rank"]) == list(range(1, 16))
    assert (year["moved"] == year["published_rank"] - year["rank"]).all()
    text = result.describe()
    assert "15 units" in text and "100 times" in text
    assert str(result.table.loc[0, "unit"]) in text
    with pytest.raises(DataError, match="re-drawn year 100"):
        result.draw(100)


def test_plot_returns_figure_with_units(table):
    fig = run(table, replicates=100).plot(replicate=0)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0] == run(table, replicates=100).table.loc[0, "unit"]
    assert len(labels) == 15


def test_bad_data_is_explained(table):
    bad = table.copy()
    bad["deaths"] = bad["deaths"].astype(object)
    bad.loc[3, "deaths"] = "n/a"
    bad.loc[5, "admissions"] = 0
    with pytest.raises(DataError) as info:
        run(bad)
    message = str(info.value)
    assert "Point 4, column 'deaths'" in message
    assert "Point 6, column 'admissions'" in message
    dup = table.copy()
    dup.loc[2, "unit"] = dup.loc[1, "unit"]
    with pytest.raises(DataError, match="more than once"):
        run(dup)
    with pytest.raises(DataError, match="not in the table"):
        rank_intervals(table, numerator="death", denominator="admissions", unit="unit")
    over = table.copy()
    over.loc[0, "deaths"] = over.loc[0, "admissions"] + 1
    with pytest.raises(DataError, match="more than 'admissions'"):
        run(over)
    with pytest.raises(DataError, match="replicates"):
        run(table, replicates=0)


def test_parse_unit_counts_reads_a_room():
    t = parse_unit_counts("Table 1, 4, 60\n\nTable 2: 7 out of 60\nBlue team: 3/50\n")
    assert list(t["unit"]) == ["Table 1", "Table 2", "Blue team"]
    assert list(t["events"]) == [4, 7, 3]
    assert list(t["trials"]) == [60, 60, 50]
    with pytest.raises(DataError, match="Line 3"):
        parse_unit_counts("A, 1, 10\n\nB, seven, 10")
    with pytest.raises(DataError, match="Line 2, column 'events'"):
        parse_unit_counts("A, 1, 10\nB, 12, 10")


def test_ratio_with_float_expected_counts_and_totals():
    from safercare.comparison import totals

    quarters = pd.DataFrame({
        "unit": ["A", "A", "B", "B", "C", "C"],
        "quarter": pd.to_datetime(["2024-01-01", "2024-04-01"] * 3),
        "deaths": [10, 12, 30, 28, 5, 6],
        "expected": [11.5, 11.0, 29.2, 30.1, 6.3, 5.9],
    })
    summed = totals(quarters, by="unit", columns=["deaths", "expected"], date="quarter",
                    start="2024-04-01")
    assert summed["deaths"].tolist() == [12, 28, 6]
    result = rank_intervals(summed, numerator="deaths", denominator="expected", unit="unit",
                            kind="ratio", replicates=200)
    assert result.table["rate"].iloc[0] == pytest.approx(28 / 30.1)
    blank = quarters.astype({"deaths": object})
    blank.loc[1, "deaths"] = None
    with pytest.raises(DataError, match="Point 2, column 'deaths'"):
        totals(blank, by="unit", columns=["deaths"])
    # After a date filter, the point is still numbered as in the whole table.
    with pytest.raises(DataError, match="Point 2, column 'deaths'"):
        totals(blank, by="unit", columns=["deaths"], date="quarter", start="2024-04-01")


def test_widgets_have_labelled_controls():
    import ipywidgets as w

    from safercare.lessons import comparing_fairly, did_it_work, rare_events

    # The rank, "days since" and regression-to-the-mean explorers are precomputed
    # explorations (safercare.widgets.explore), tested in tests/test_lessons_5_7.py.
    made = [
        comparing_fairly.live_comparison(),
        rare_events.live_rare_events(),
        did_it_work.live_regression_to_mean(),
    ]

    def controls(box):
        for child in box.children:
            if isinstance(child, w.Box):
                yield from controls(child)
            elif isinstance(child, (w.ValueWidget, w.Button)) and not isinstance(
                    child, (w.HTML, w.Output)):
                yield child

    for box in made:
        found = list(controls(box))
        assert found
        assert all(c.description for c in found), [type(c).__name__ for c in found]


def test_rank_distribution_rows_and_columns(table):
    result = run(table, replicates=300, seed=5)
    dist = result.distribution()
    assert dist.shape == (15, 15)
    assert dist.sum(axis=1).round(12).eq(1).all()
    assert dist.sum(axis=0).round(12).eq(1).all()  # every rank is taken once per year
    first = result.table["unit"].iloc[0]
    assert dist.loc[first, 1] == (result.ranks[:, 0] == 1).mean()


def test_totals_reports_an_unreadable_date_instead_of_dropping_it():
    from safercare.comparison import totals

    quarters = pd.DataFrame({
        "unit": ["A", "A", "B", "B"],
        "quarter": ["2024-01-01", "2024-04-01", "2024-04-01", "sometime"],
        "deaths": [10, 12, 30, 28],
    })
    with pytest.raises(DataError, match="Point 4, column 'quarter'"):
        totals(quarters, by="unit", columns=["deaths"], date="quarter", start="2024-04-01")
    summed = totals(quarters.iloc[:3], by="unit", columns=["deaths"], date="quarter",
                    start="2024-04-01")
    assert summed["deaths"].tolist() == [12, 30]
