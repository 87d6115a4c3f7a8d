"""Tests for safercare.evaluation: boards, regression to the mean, before/after."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from safercare import evaluation as ev
from safercare.errors import DataError


def test_gap_chance_is_exponential():
    assert ev.gap_chance(45, 90) == pytest.approx(np.exp(-2))
    assert ev.gap_chance(30, 0) == 1.0
    with pytest.raises(DataError, match="more than zero"):
        ev.gap_chance(0, 10)
    with pytest.raises(DataError, match="negative"):
        ev.gap_chance(10, -1)


def test_streak_chance_agrees_with_a_slow_loop():
    # A plain loop over 4,000 simulated years, independently written.
    rng = np.random.default_rng(99)
    hits = 0
    for _ in range(4000):
        t, longest = 0.0, 0.0
        while t < 365:
            gap = rng.exponential(45)
            longest = max(longest, min(t + gap, 365) - t)
            t += gap
        hits += longest >= 90
    fast = ev.streak_chance(45, 90, 365, replicates=20000, seed=1)
    assert fast == pytest.approx(hits / 4000, abs=0.03)
    assert ev.streak_chance(45, 90, 365, seed=5) == ev.streak_chance(45, 90, 365, seed=5)
    # Longer streaks are rarer; a horizon shorter than the streak can never reach it.
    assert ev.streak_chance(45, 180, 365) < ev.streak_chance(45, 90, 365)
    assert ev.streak_chance(45, 100, 60) == 0.0


def test_days_since_last_counts_up_and_resets():
    board = ev.days_since_last(["2024-01-03", "2024-01-10", "10/01/2024"],
                               start="2024-01-01", end="2024-01-15", label="Fall")
    t = board.table
    assert len(t) == 15
    assert t["days_since"].iloc[:2].isna().all()
    assert t.set_index("date").loc["2024-01-09", "days_since"] == 6
    assert t.set_index("date").loc["2024-01-10", "days_since"] == 0
    assert t["days_since"].iloc[-1] == 5
    assert board.summary["events"] == 3
    assert board.summary["resets"] == 2  # two events on one day reset the board once
    assert board.summary["longest_run"] == 7
    assert "3 events" in board.describe()
    fig = board.plot()
    assert fig.axes[0].get_ylabel() == "Days on the board"


def test_days_since_last_names_bad_dates():
    with pytest.raises(DataError, match="Point 2"):
        ev.days_since_last(["2024-01-03", "not a date", "2024-02-01"])


def test_simulated_dates_have_the_right_rate():
    dates = ev.simulate_event_dates(10, "2020-01-01", "2029-12-31", seed=1)
    assert dates.is_monotonic_increasing
    assert dates.min() >= pd.Timestamp("2020-01-01")
    assert dates.max() <= pd.Timestamp("2029-12-31")
    assert len(dates) == pytest.approx(3653 / 10, rel=0.1)


def test_rtm_formula_matches_simulation():
    rng = np.random.default_rng(1)
    x = rng.multivariate_normal([50, 50], [[100, 60], [60, 100]], size=400_000)
    chosen = x[:, 0] > 60
    simulated = x[chosen, 0].mean() - x[chosen, 1].mean()
    assert ev.rtm_effect_normal(50, 10, 0.6, 60) == pytest.approx(simulated, rel=0.02)
    # Selecting below a cut-off: same size by symmetry.
    assert ev.rtm_effect_normal(50, 10, 0.6, 40, above=False) == pytest.approx(
        ev.rtm_effect_normal(50, 10, 0.6, 60))
    assert ev.rtm_effect_normal(50, 10, 1.0, 60) == 0.0


def test_regression_to_the_mean_simulation():
    r = ev.regression_to_mean(units=150, worst=10, replicates=2000, seed=3)
    s = r.summary
    assert r.changes.shape == (2000, 3)
    assert r.table["selected"].sum() == 10
    # The worst-looking units "improve" with no change; others barely move.
    assert s["mean_relative_change"] < -0.05
    lo, hi = s["relative_change_interval"]
    assert lo < s["mean_relative_change"] < hi
    # Selected units really were the worst in year 1.
    t = r.table
    assert t.loc[t["selected"], "first"].min() >= t.loc[~t["selected"], "first"].max()
    # True rates do not change, so the average unit does not improve.
    everyone = ev.regression_to_mean(units=150, worst=149, replicates=2000, seed=3)
    assert abs(everyone.summary["mean_relative_change"]) < 0.01
    # Smaller units: more noise, more regression to the mean.
    small = ev.regression_to_mean(denominator=300, replicates=2000, seed=3)
    assert small.summary["mean_relative_change"] < s["mean_relative_change"]
    assert "regression to the mean" in r.describe()
    with pytest.raises(DataError, match="worst"):
        ev.regression_to_mean(units=10, worst=10)


def _regions(effect: float = 0.9, trend: float = 0.99, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    quarters = pd.date_range("2014-01-01", periods=24, freq="QS")
    regions = ["North", "South West", "East", "West"]
    q, r = np.meshgrid(np.arange(24), np.arange(4), indexing="ij")
    start = quarters.get_loc(pd.Timestamp("2016-04-01"))
    rate = 0.03 * trend ** q * np.where((r == 1) & (q >= start), effect, 1.0)
    n = 50_000
    return pd.DataFrame({
        "region": np.array(regions)[r.ravel()],
        "quarter": quarters[q.ravel()],
        "deaths": rng.poisson(rate.ravel() * n),
        "admissions": n,
    })


def test_before_after_recovers_the_programme_effect():
    df = _regions(effect=0.9)
    res = ev.before_after(df, numerator="deaths", denominator="admissions", date="quarter",
                          group="region", programme="South West", start="2016-04-01")
    s = res.summary
    assert s["ratio_of_ratios"] == pytest.approx(0.9, abs=0.02)
    lo, hi = s["ratio_interval"]
    assert lo < 0.9 < hi and hi < 1
    # The secular trend makes the naive before/after change bigger than the effect.
    assert s["programme_change"] < s["effect_change"] < 0
    assert s["comparison_change"] < 0
    assert set(res.table["arm"]) == {"programme", "comparison"}
    assert len(res.table) == 48
    text = res.describe()
    assert "South West" in text and "April 2016" in text


def test_before_after_with_no_effect_includes_one():
    df = _regions(effect=1.0, seed=4)
    s = ev.before_after(df, numerator="deaths", denominator="admissions", date="quarter",
                        group="region", programme="South West", start="2016-04-01").summary
    lo, hi = s["ratio_interval"]
    assert lo < 1 < hi
    assert s["programme_change"] < -0.05  # it still "fell": the national trend


def test_before_after_explains_bad_input():
    df = _regions()
    with pytest.raises(DataError, match="no group called 'Nowhere'"):
        ev.before_after(df, numerator="deaths", denominator="admissions", date="quarter",
                        group="region", programme="Nowhere", start="2016-04-01")
    with pytest.raises(DataError, match="one side of the start"):
        ev.before_after(df, numerator="deaths", denominator="admissions", date="quarter",
                        group="region", programme="East", start="2030-01-01")
    bad = df.astype({"deaths": object})
    bad.loc[7, "deaths"] = "lots"
    with pytest.raises(DataError, match="Point 8, column 'deaths'"):
        ev.before_after(bad, numerator="deaths", denominator="admissions", date="quarter",
                        group="region", programme="East", start="2016-04-01")


def test_follow_the_worst_on_a_table():
    df = _regions(effect=1.0, trend=1.0, seed=9).assign(year=lambda d: d["quarter"].dt.year)
    res = ev.follow_the_worst(df, numerator="deaths", denominator="admissions", unit="region",
                              period="year", first=2014, second=2015, worst=1)
    t = res.table
    assert len(t) == 4 and t["selected"].sum() == 1
    assert t.loc[t["selected"], "first"].item() == t["first"].max()
    with pytest.raises(DataError, match="no period 2031"):
        ev.follow_the_worst(df, numerator="deaths", denominator="admissions", unit="region",
                            period="year", first=2014, second=2031)


def test_gaps_between_for_g_and_t_charts():
    gaps = ev.gaps_between(["2024-01-10", "2024-01-01", "2024-01-10", "2024-01-15"])
    assert list(gaps["days_between"]) == [9, 0, 5]
    assert list(gaps["time_between"]) == [9.0, 0.5, 5.0]
    assert gaps["date"].is_unique and gaps["date"].is_monotonic_increasing
    assert gaps["date"].iloc[1] == pd.Timestamp("2024-01-10 01:00")
    with pytest.raises(DataError, match="at least two events"):
        ev.gaps_between(["2024-01-01"])


def test_counts_per_period_keeps_empty_months():
    counts = ev.counts_per_period(["2024-01-05", "2024-01-20", "2024-03-31", "2023-12-31"],
                                  start="2024-01-01", end="2024-04-01")
    assert list(counts["events"]) == [2, 0, 1, 0]
    assert counts["period"].iloc[1] == pd.Timestamp("2024-02-01")


def test_small_helpers():
    assert ev.count_before(["2024-01-01", "2024-05-01", "2023-12-01"], "2024-02-01") == 2
    days = ev.dates_from_days("3, 9 1")
    assert list(days) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-03"),
                          pd.Timestamp("2024-01-09")]
    with pytest.raises(DataError, match="Point 2"):
        ev.dates_from_days([1, 0, 4])
    years = ev.financial_year(pd.to_datetime(["2024-03-31", "2024-04-01", "2000-01-15"]))
    assert list(years) == ["2023/24", "2024/25", "1999/00"]
    rounds = ev.parse_two_rounds("A, 9, 6\nB, 12, 7\n\nC, 5, 8")
    assert list(rounds["round"].unique()) == ["First round", "Second round"]
    assert rounds["score"].tolist() == [9, 12, 5, 6, 7, 8]
    with pytest.raises(DataError, match="Line 2"):
        ev.parse_two_rounds("A, 9, 6\nB 12 7\nC, 5, 8")


@pytest.mark.parametrize("call", ["before_after", "follow_the_worst"])
def test_missing_and_bad_count_columns_are_named(call):
    df = pd.DataFrame({"unit": ["A", "B", "C"], "year": [1, 1, 1],
                       "deaths": [3, -1, 2], "admissions": [100, 0, 90],
                       "quarter": ["2024-01-01"] * 3})
    kwargs = {"numerator": "deaths", "denominator": "admissions"}
    if call == "before_after":
        kwargs.update(date="quarter", group="unit", programme="A", start="2024-01-01")
    else:
        kwargs.update(unit="unit", period="year", first=1, second=2)
    with pytest.raises(DataError, match="not in the table") as missing:
        getattr(ev, call)(df.drop(columns="admissions"), **kwargs)
    assert missing.value.problems[0].column == "admissions"
    with pytest.raises(DataError) as bad:
        getattr(ev, call)(df, **kwargs)
    assert {p.column for p in bad.value.problems} == {"deaths", "admissions"}
    assert all(p.row == 2 for p in bad.value.problems)


# --------------------------------------------------------------- placebo interval (issue 9)
def _mortality_by_collaborative() -> pd.DataFrame:
    from safercare import data

    deaths = data.load("mortality")
    names = data.load("geography").set_index("org_id")["org_name"]
    return deaths.assign(collaborative=deaths["collaborative_id"].map(names))


_LESSON7 = dict(numerator="deaths", denominator="admissions", date="quarter",
                group="collaborative", start="2023-04-01")


def test_poisson_interval_calls_untreated_collaboratives_significant():
    """The old behaviour: treat each untreated collaborative as if it had the programme and
    the Poisson-only interval calls 2 of the 14 "significant" (far above 5%)."""
    deaths = _mortality_by_collaborative()
    untreated = sorted(set(deaths["collaborative"]) - {"Larchwater"})
    assert len(untreated) == 14
    called = [not (lo <= 1 <= hi) for lo, hi in (
        ev.before_after(deaths, programme=g, interval="poisson", **_LESSON7)
        .summary["ratio_interval"] for g in untreated)]
    assert sum(called) == 2


def test_placebo_interval_false_alarms_at_most_the_nominal_rate():
    deaths = _mortality_by_collaborative()
    result = ev.before_after(deaths, programme="Larchwater", **_LESSON7)
    s, placebos = result.summary, result.placebos
    assert s["interval_method"] == "placebo"
    assert s["ratio_interval"] == s["placebo_interval"] == placebos.summary["programme_interval"]
    p = placebos.summary
    assert p["n"] == 14 and "Larchwater" not in set(placebos.table["unit"])
    # Poisson chance alone: too many false alarms; the placebo interval: at most 1 in 14.
    assert p["poisson_false_positives"] >= 2
    assert p["placebo_false_positives"] <= 1
    assert p["phi"] > 1  # the placebo effects are overdispersed, as lesson 6 finds
    # The honest interval is wider than the Poisson one and still excludes no change.
    (lo, hi), (plo, phi) = s["placebo_interval"], s["poisson_interval"]
    assert lo < plo and hi > phi and hi < 1
    assert p["rank"] == 1 and p["permutation_p"] == pytest.approx(1 / 15)
    # Each untreated collaborative judged with the placebo interval: at most 1 of 14.
    untreated = sorted(set(deaths["collaborative"]) - {"Larchwater"})
    called = sum(not (lo <= 1 <= hi) for lo, hi in (
        ev.before_after(deaths, programme=g, comparison=[u for u in untreated if u != g],
                        **_LESSON7).summary["ratio_interval"] for g in untreated))
    assert called <= 1
    assert "placebo interval" in result.describe()
    words = placebos.describe()
    assert f"calls {p['poisson_false_positives']} of 14" in words
    assert f"calls {p['placebo_false_positives']} of 14" in words
    assert placebos.plot().alt_text == words


def _overdispersed(seed: int, units: int = 15, sd: float = 0.03) -> pd.DataFrame:
    """No programme anywhere, but every unit drifts by its own amount: overdispersion."""
    rng = np.random.default_rng(seed)
    quarters = pd.date_range("2020-01-01", periods=16, freq="QS")
    drift = rng.normal(0, sd, units)
    q, u = np.meshgrid(np.arange(16), np.arange(units), indexing="ij")
    rate = 0.03 * np.exp(np.where(q >= 8, drift[u], 0.0))
    return pd.DataFrame({"unit": [f"U{i:02d}" for i in u.ravel()], "quarter": quarters[q.ravel()],
                         "deaths": rng.poisson(rate.ravel() * 40_000), "admissions": 40_000})


def test_placebo_interval_covers_no_effect_about_95_percent_when_poisson_does_not():
    covered = {"placebo": 0, "poisson": 0}
    runs = 120
    for seed in range(runs):
        s = ev.before_after(_overdispersed(seed), numerator="deaths", denominator="admissions",
                            date="quarter", group="unit", programme="U00",
                            start="2022-01-01").summary
        for kind in covered:
            lo, hi = s[f"{kind}_interval"]
            covered[kind] += lo <= 1 <= hi
    assert covered["placebo"] / runs >= 0.88
    assert covered["poisson"] / runs < 0.7


def test_too_few_comparison_groups_for_placebos_says_so():
    result = ev.before_after(_regions(), numerator="deaths", denominator="admissions",
                             date="quarter", group="region", programme="South West",
                             start="2016-04-01")
    assert result.placebos is None
    assert result.summary["interval_method"] == "poisson"
    assert "too few comparison regions" in result.describe()
    with pytest.raises(DataError, match="at least 5 comparison groups"):
        ev.placebo_effects(_regions(), numerator="deaths", denominator="admissions",
                           date="quarter", group="region", programme="South West",
                           start="2016-04-01")
    with pytest.raises(DataError, match="interval must be"):
        ev.before_after(_regions(), numerator="deaths", denominator="admissions",
                        date="quarter", group="region", programme="South West",
                        start="2016-04-01", interval="wide")


def test_without_overdispersion_both_intervals_cover_about_95_percent():
    covered = {"placebo": 0, "poisson": 0}
    runs = 80
    for seed in range(runs):
        s = ev.before_after(_overdispersed(seed, sd=0.0), numerator="deaths",
                            denominator="admissions", date="quarter", group="unit",
                            programme="U00", start="2022-01-01").summary
        for kind in covered:
            lo, hi = s[f"{kind}_interval"]
            covered[kind] += lo <= 1 <= hi
    assert covered["placebo"] / runs >= 0.88 and covered["poisson"] / runs >= 0.88
