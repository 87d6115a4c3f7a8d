"""Every chart against small examples worked by hand from the published formulas."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from safercare import spc
from safercare.spc.rules import anhoej, ihi_runs_bounds

approx = pytest.approx


def row(result, i=0):
    return result.table.iloc[i]


# --------------------------------------------------------------------------- XmR
def test_xmr_limits_use_2_66():
    r = spc.xmr([1, 3, 2, 5, 4])
    # mean 3; moving ranges 2, 1, 3, 1 -> MR-bar 1.75
    t = row(r)
    assert t["centre"] == approx(3)
    assert t["upper"] == approx(3 + 2.66 * 1.75)
    assert t["lower"] == approx(3 - 2.66 * 1.75)
    assert t["upper_2sigma"] == approx(3 + 2 / 3 * 2.66 * 1.75)
    assert t["lower_2sigma"] == approx(3 - 2 / 3 * 2.66 * 1.75)
    assert r.table["moving_range"].tolist()[1:] == [2, 1, 3, 1]


def test_xmr_anhoej_profile_uses_3_over_1_128_and_screening():
    data = [10, 11] * 5 + [40, 10, 11, 10]
    r = spc.xmr(data, rules="anhoej")
    mr = np.abs(np.diff(data))  # ten 1s, 29, 30, 1, 1: MR-bar 71/13
    bar = mr.mean()
    kept = mr[mr < 3.267 * bar]  # the ranges of 29 and 30 are screened out
    assert len(kept) == 11 and kept.mean() == 1
    assert row(r)["upper"] == approx(np.mean(data) + 3 / 1.128 * kept.mean())


def test_nhsr_screens_moving_ranges_but_keeps_the_mean():
    data = [10, 11] * 5 + [40, 10, 11, 10]
    r = spc.xmr(data, rules="nhsr")
    assert row(r)["centre"] == approx(np.mean(data))
    assert row(r)["upper"] == approx(np.mean(data) + 2.66 * 1.0)


def test_excluded_point_is_bridged_and_left_out():
    r = spc.xmr([1, 3, 100, 2, 5, 4], exclude=[2])
    # used values 1 3 2 5 4; moving ranges 2, |2-3| = 1 (bridged), 3, 1
    t = r.table
    assert t["centre"][0] == approx(3)
    assert t["upper"][0] == approx(3 + 2.66 * 1.75)
    assert np.isnan(t["moving_range"][2])
    assert t["moving_range"][3] == 1
    assert t["excluded"].tolist() == [False, False, True, False, False, False]
    assert t["beyond_limits"][2]  # still shown and judged


def test_missing_value_keeps_its_row_and_breaks_moving_ranges():
    r = spc.xmr([1, 3, None, 2, 5, 4])
    t = r.table
    assert len(t) == 6 and np.isnan(t["value"][2])
    # moving ranges: 2, -, -, 3, 1 -> mean 2
    assert t["upper"][0] == approx(3 + 2.66 * 2)
    assert t["moving_range"].isna().tolist() == [True, False, True, True, False, False]
    assert t["verdict"][2] == "common_cause"
    assert not t.loc[2, ["beyond_limits", "shift", "trend", "two_of_three"]].any()


def test_phases_give_each_phase_its_own_limits_and_skip_the_crossing_range():
    data = [1, 3, 2, 5, 4, 11, 13, 12, 15, 14]
    r = spc.xmr(data, phases=[5])
    t = r.table
    assert t["phase"].tolist() == [1] * 5 + [2] * 5
    assert t["centre"][0] == approx(3) and t["centre"][9] == approx(13)
    assert t["upper"][9] == approx(13 + 2.66 * 1.75)
    assert np.isnan(t["moving_range"][5])


def test_phases_from_dates_and_from_a_column():
    dates = pd.date_range("2024-01-01", periods=10, freq="MS")
    df = pd.DataFrame({"d": dates, "v": [1, 3, 2, 5, 4, 11, 13, 12, 15, 14],
                       "p": ["before"] * 5 + ["after"] * 5})
    a = spc.xmr(df, "v", "d", phases=["2024-06-01"]).table
    b = spc.xmr(df, "v", "d", phases="p").table
    assert a["phase"].tolist() == b["phase"].tolist() == [1] * 5 + [2] * 5


def test_baseline_fixes_limits_and_extends_them_forward():
    data = [1, 3, 2, 5, 4, 50, 60, 70]
    r = spc.xmr(data, baseline=5)
    assert r.table["centre"].tolist() == approx([3] * 8)
    assert r.table["upper"][7] == approx(3 + 2.66 * 1.75)


def test_mdc_baseline_overrides_phases_but_nhsr_applies_it_in_each_phase():
    data = [1, 3, 2, 5, 4, 9, 11, 13, 12, 15, 14, 90]
    mdc = spc.xmr(data, phases=[6], baseline=5).table
    assert (mdc["phase"] == 1).all() and mdc["centre"].nunique() == 1
    nhsr = spc.xmr(data, phases=[6], baseline=5, rules="nhsr").table
    assert nhsr["centre"][6] == approx(np.mean([11, 13, 12, 15, 14]))


# --------------------------------------------------------------------- run chart
# Anhøj & Olesen (2014) Table 1, as tabulated in the qicharts2 vignette: for n useful
# observations, the longest run allowed and the fewest crossings expected.
ANHOEJ_TABLE = {
    10: (6, 2), 11: (6, 2), 12: (7, 3), 13: (7, 3), 14: (7, 4), 15: (7, 4), 16: (7, 4),
    17: (7, 5), 18: (7, 5), 19: (7, 6), 20: (7, 6), 21: (7, 6), 22: (7, 7), 23: (8, 7),
    24: (8, 8), 25: (8, 8), 26: (8, 8), 27: (8, 9), 28: (8, 9), 29: (8, 10), 30: (8, 10),
    31: (8, 11), 32: (8, 11), 33: (8, 11), 34: (8, 12), 35: (8, 12), 36: (8, 13),
    37: (8, 13), 38: (8, 14), 39: (8, 14), 40: (8, 14),
}


def independent_thresholds(n: int) -> tuple[int, int]:
    """round(log2 n) + 3 and the 5th percentile of Binomial(n - 1, 1/2), from first principles."""
    longest = round(math.log2(n)) + 3
    cum, k = 0.0, -1
    while cum < 0.05:
        k += 1
        cum += math.comb(n - 1, k) / 2 ** (n - 1)
    return longest, k


@pytest.mark.parametrize("n", range(10, 41))
def test_anhoej_thresholds_match_the_published_table(n):
    y = np.tile([1.0, 3.0], n)[:n]  # alternating about 2: every point useful
    a = anhoej(y, np.full(n, 2.0), np.zeros(n, dtype=np.int64), 1)
    assert a["n_useful"][0] == n
    assert (a["longest_run_max"][0], a["n_crossings_min"][0]) == ANHOEJ_TABLE[n]
    assert independent_thresholds(n) == ANHOEJ_TABLE[n]
    if n % 2 == 0:  # an even series has no point on its median: the run chart agrees
        s = spc.run_chart(y).summary
        assert (s["n_useful"], s["longest_run_max"], s["n_crossings_min"]) == (
            n, *ANHOEJ_TABLE[n])


def test_anhoej_long_run_and_few_crossings():
    # median 5.5; 8 below then 8 above: longest run 8 > 7, 1 crossing < 5 (n = 16)
    y = [1, 2, 3, 4, 1, 2, 3, 4, 7, 8, 9, 10, 7, 8, 9, 10]
    r = spc.run_chart(y, direction="higher")
    s = r.summary
    assert s["centre"] == 5.5
    assert (s["longest_run"], s["longest_run_max"]) == (8, 7)
    assert (s["n_crossings"], s["n_crossings_min"]) == (1, 4)
    t = r.table
    assert t["long_run"].all() and t["few_crossings"].all()
    assert t["verdict"].tolist() == ["concern"] * 8 + ["improvement"] * 8


def test_points_on_the_median_are_not_useful_observations():
    y = [1, 5, 9, 5, 1, 9, 5, 9, 1, 5, 9]
    s = spc.run_chart(y).summary
    assert s["centre"] == 5 and s["n_useful"] == 7


def test_ihi_shift_skips_points_on_the_median():
    y = [1, 1, 1, 5, 1, 1, 1, 9, 9, 5, 9, 9, 9, 9, 9]
    r = spc.run_chart(y, rules="ihi")
    t = r.table
    assert t["shift"].tolist() == [True] * 3 + [False] + [True] * 3 + [True] * 2 + [False] \
        + [True] * 5


def test_ihi_trend_skips_repeated_values():
    y = [5, 1, 2, 2, 3, 4, 5, 3]  # 1 2 (2) 3 4 5 is five rising values
    r = spc.run_chart(y, rules="ihi")
    assert r.table["trend"].tolist() == [False, True, True, True, True, True, True, False]
    mdc_like = spc.run_chart(y, rules=spc.IHI.with_(trend_ties="breaks"))
    assert not mdc_like.table["trend"].any()


def test_ihi_runs_bounds_from_swed_eisenhart():
    # n = 10 split 5/5: P(R <= 2) = 2/252 <= 0.025 < P(R <= 3) = 10/252 -> fewest 3;
    # by symmetry P(R >= 10) = 2/252, P(R >= 9) = 10/252 -> most 9.
    lo, hi = ihi_runs_bounds(np.array([10, 20]))
    assert (lo[0], hi[0]) == (3, 9)
    assert lo[1] < hi[1]


# ------------------------------------------------------------ attribute charts
def test_p_chart_limits_vary_with_the_denominator():
    r = spc.p_chart(numerator=[10, 20], denominator=[100, 400])
    t = r.table
    p = 30 / 500
    for i, n in enumerate([100, 400]):
        s = math.sqrt(p * (1 - p) / n)
        assert t["centre"][i] == approx(p)
        assert t["upper"][i] == approx(p + 3 * s)
        assert t["lower"][i] == approx(max(0.0, p - 3 * s))
        assert t["upper_2sigma"][i] == approx(p + 2 * s)
    assert t["value"].tolist() == approx([0.1, 0.05])
    assert t["upper"][0] > t["upper"][1]


def test_p_chart_upper_limit_is_capped_at_one():
    r = spc.p_chart(numerator=[1, 2], denominator=[2, 2])
    assert r.table["upper"].max() <= 1


def test_u_chart():
    r = spc.u_chart(numerator=[4, 9], denominator=[2, 3], multiplier=1000)
    t = r.table
    u = 13 / 5
    assert t["centre"][0] == approx(u * 1000)
    assert t["upper"][0] == approx((u + 3 * math.sqrt(u / 2)) * 1000)
    assert t["upper"][1] == approx((u + 3 * math.sqrt(u / 3)) * 1000)
    assert t["lower"].tolist() == [0, 0]
    assert t["value"][1] == approx(3000)


def test_c_chart():
    t = spc.c_chart([2, 4, 6]).table
    assert t["centre"][0] == 4 and t["upper"][0] == approx(10) and t["lower"][0] == 0


def test_laney_p_prime():
    num, den = [10, 30, 20], [100, 200, 100]
    t = spc.p_prime(numerator=num, denominator=den).table
    p = 60 / 400
    sd = [math.sqrt(p * (1 - p) / n) for n in den]
    z = [(a / n - p) / s for a, n, s in zip(num, den, sd, strict=True)]
    sigma_z = (abs(z[1] - z[0]) + abs(z[2] - z[1])) / 2 / 1.128
    for i in range(3):
        assert t["upper"][i] == approx(p + 3 * sd[i] * sigma_z)
        assert t["lower"][i] == approx(max(0, p - 3 * sd[i] * sigma_z))
    assert t["sigma_z"][0] == approx(sigma_z)


def test_laney_u_prime():
    num, den = [10, 30, 20, 18], [10, 20, 10, 12]
    t = spc.u_prime(numerator=num, denominator=den).table
    u = sum(num) / sum(den)
    sd = [math.sqrt(u / n) for n in den]
    z = [(a / n - u) / s for a, n, s in zip(num, den, sd, strict=True)]
    sigma_z = np.mean(np.abs(np.diff(z))) / 1.128
    assert t["upper"].tolist() == approx([u + 3 * s * sigma_z for s in sd])


def test_g_chart_follows_qicharts2():
    t = spc.g_chart([2, 5, 11]).table
    mean = 6
    assert t["centre"][0] == 5  # the median is the centre line
    assert t["upper"][0] == approx(mean + 3 * math.sqrt(mean * (mean + 1)))
    assert t["lower"][0] == 0


def test_t_chart_follows_qicharts2():
    y = [3.0, 10.0, 7.0, 40.0, 2.0, 12.0, 5.0, 9.0]
    t = spc.t_chart(y).table
    yt = [v ** (1 / 3.6) for v in y]
    mean = sum(yt) / len(yt)
    mr = [abs(b - a) for a, b in zip(yt, yt[1:], strict=False)]
    bar = sum(mr) / len(mr)
    kept = [m for m in mr if m < 3.267 * bar]
    sigma = sum(kept) / len(kept) / 1.128
    assert t["centre"][0] == approx(mean ** 3.6)
    assert t["upper"][0] == approx((mean + 3 * sigma) ** 3.6)
    low = mean - 3 * sigma
    assert t["lower"][0] == approx(low ** 3.6 if low > 0 else 0)
    assert t["value"].tolist() == y


@pytest.mark.parametrize("lengths", [[5, 5, 5], [1, 4, 7, 2], [6]])
def test_run_chart_medians_per_series(lengths):
    rng = np.random.default_rng(len(lengths))
    frames = [pd.DataFrame({"unit": i, "v": rng.integers(0, 9, n)}) for i, n in
              enumerate(lengths)]
    df = pd.concat(frames, ignore_index=True)
    s = spc.run_chart(df, "v", by="unit").summary
    assert s["centre"].tolist() == [float(np.median(f["v"])) for f in frames]


def test_anhoej_summary_matches_a_plain_loop():
    from itertools import groupby
    from statistics import median

    rng = np.random.default_rng(3)
    for _ in range(100):
        y = rng.integers(0, 6, int(rng.integers(2, 50))).tolist()
        m = median(y)
        signs = [1 if v > m else -1 for v in y if v != m]
        runs = [len(list(r)) for _, r in groupby(signs)]
        s = spc.run_chart(y).summary
        assert s["centre"] == m
        assert s["n_useful"] == len(signs)
        if signs:
            assert s["longest_run"] == max(runs)
            assert s["n_crossings"] == len(runs) - 1
            limit = round(math.log2(len(signs))) + 3
            flagged = spc.run_chart(y).table["long_run"].sum()
            assert flagged == sum(r for r in runs if r > limit)


def test_ihi_runs_bounds_vectorised_match_one_at_a_time():
    from safercare.spc.rules import PERLA_RUNS_TABLE, _runs_bounds_one

    n = np.array([0, 1, 2, 11, 45, 11, 9, 40, 2, 0, 45])
    lo, hi = ihi_runs_bounds(n)
    for i, k in enumerate(n.tolist()):
        if k < 2:
            assert np.isnan(lo[i]) and np.isnan(hi[i])
            continue
        expected = PERLA_RUNS_TABLE.get(k) or _runs_bounds_one(k, 0.05)
        assert (lo[i], hi[i]) == expected
