"""safercare.spc against the published methods it names.

Every expected number here comes from a published source (cited at each test), not
from the engine: Anhøj & Olesen (2014) and qicharts2's R code for the run chart;
Perla, Provost & Murray (2011) Table 1 for the IHI runs test; NHSRplotthedots 0.2.2's
R code for the "nhsr" profile; Montgomery (2019) worked examples and qicharts2's R
code for the attribute and rare-event charts; the MDC XmR conformance pack's list of
decisions for the "mdc" profile.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from pytest import approx

from safercare import spc
from safercare.spc.rules import PERLA_RUNS_TABLE, ihi_runs_bounds


def _codes(result) -> list[int]:
    """Verdicts as +1 improvement, -1 concern, 0 common cause."""
    v = result.table["verdict"].astype(str)
    return [1 if x == "improvement" else -1 if x == "concern" else 0 for x in v]


# ============================================================ Anhøj run-chart rules
# qicharts2 R/helper.functions.R, runs.analysis():
#   runs <- sign(y - cl); runs <- runs[runs != 0 & !is.na(runs)]; n.useful <- length(runs)
#   longest.run.max <- round(log2(n.useful)) + 3            # Schilling 2012
#   n.crossings.min <- qbinom(0.05, max(n.useful - 1, 0), 0.5)  # Chen 2010
# Anhøj & Olesen (2014) PLoS ONE 9(11): e113825, Table 1 lists the same limits.

@pytest.mark.parametrize(("n", "longest_max", "crossings_min"), [
    (10, 6, 2), (12, 7, 3), (14, 7, 4), (17, 7, 5), (20, 7, 6), (24, 8, 8), (30, 8, 10),
    (40, 8, 14), (50, 9, 19), (60, 9, 23), (100, 10, 41),
])
def test_anhoej_limits_table(n, longest_max, crossings_min):
    # Alternating values about their mean (Anhøj rules on an I chart, centre = mean):
    # no point on the centre line, so every point is useful.
    y = np.tile([1.0, 3.0], n // 2 + 1)[:n]
    s = spc.xmr(y, rules="anhoej").summary
    assert s["n_useful"] == n
    assert s["longest_run_max"] == longest_max
    assert s["n_crossings_min"] == crossings_min


def test_anhoej_qbinom_is_exact_for_many_n():
    # qbinom(0.05, n - 1, 0.5): the smallest x with P(X <= x) >= 0.05, exactly.
    for n in range(2, 130):
        m, total, k = n - 1, 0, 0
        for k in range(m + 1):
            total += math.comb(m, k)
            if Fraction(total, 2 ** m) >= Fraction(1, 20):
                break
        y = np.tile([1.0, 3.0], n // 2 + 1)[:n]
        assert spc.xmr(y, rules="anhoej").summary["n_crossings_min"] == k, n


def test_anhoej_shift_with_too_few_crossings():
    # 12 rising values: median 6.5, 6 below then 6 above. n = 12, longest run 6 <= 7
    # (round(log2 12) + 3 = 4 + 3), crossings 1 < qbinom(0.05, 11, 0.5) = 3.
    r = spc.run_chart(list(range(1, 13)))
    s = r.summary
    assert (s["n_useful"], s["longest_run"], s["longest_run_max"]) == (12, 6, 7)
    assert (s["n_crossings"], s["n_crossings_min"]) == (1, 3)
    assert r.table["few_crossings"].all()
    assert not r.table["long_run"].any()


def test_anhoej_points_on_the_median_are_not_useful():
    # Sorted: 1 2 3 5 5 5 5 5 7 8 -> median 5. The five 5s are skipped (sign 0):
    # useful signs - + - + - : n 5, 5 runs, 4 crossings, longest 1;
    # round(log2 5) + 3 = 5; qbinom(0.05, 4, 0.5) = 0 (P(X = 0) = 1/16 >= 0.05).
    r = spc.run_chart([3, 5, 5, 5, 7, 5, 2, 8, 5, 1])
    s = r.summary
    assert r.table["centre"][0] == 5
    assert (s["n_useful"], s["longest_run"], s["n_crossings"]) == (5, 1, 4)
    assert (s["longest_run_max"], s["n_crossings_min"]) == (5, 0)


def test_anhoej_points_on_the_median_neither_add_to_nor_break_a_run():
    # Median 5. Below: 1 1 1 (5) 1 1 1 1 -> one run of 7 useful points; 5 on the line.
    y = [1, 1, 1, 5, 1, 1, 1, 1, 9, 9, 9, 9, 9, 9, 9, 5, 5]
    r = spc.run_chart(y)
    s = r.summary
    assert r.table["centre"][0] == 5
    assert s["n_useful"] == 14
    assert s["longest_run"] == 7 and s["n_crossings"] == 1
    # round(log2 14) + 3 = 7: a run of 7 is not longer than 7.
    assert s["longest_run_max"] == 7 and not r.table["long_run"].any()
    assert not r.table["long_run"][3]


def test_anhoej_long_run_flags_its_points():
    # 1..9 then 11..19: median 10, two runs of 9; n 18: round(log2 18) + 3 = 7 < 9;
    # 1 crossing < qbinom(0.05, 17, 0.5) = 5.
    y = list(range(1, 10)) + list(range(11, 20))
    r = spc.run_chart(y, direction="higher")
    t = r.table
    assert t["centre"][0] == 10
    s = r.summary
    assert (s["longest_run"], s["longest_run_max"]) == (9, 7)
    assert (s["n_crossings"], s["n_crossings_min"]) == (1, 5)
    assert t["long_run"].all()
    assert _codes(r) == [-1] * 9 + [1] * 9


def test_anhoej_missing_values_are_skipped():
    # qicharts2 drops NA signs before rle(): a missing value does not break a run.
    y = [1, 1, 1, 1, np.nan, 1, 1, 1, 1, 9, 9, 9, 9, 9, 9, 9, 9]
    s = spc.run_chart(y).summary
    assert s["n_useful"] == 16 and s["longest_run"] == 8 and s["n_crossings"] == 1


def test_anhoej_excluded_points_are_left_out_of_the_runs_analysis():
    # qicharts2: runs.analysis uses y[x$include] only, so an excluded point neither
    # counts as useful nor breaks a run (and is left out of the median).
    y = [1, 2, 3, 4, 20, 1, 2, 3, 4] + list(range(11, 19))
    # Kept: median 11 (9th of 17), the 11 on it: - - - - + - - - - (11) + x7.
    kept = spc.run_chart(y).summary
    assert (kept["n_useful"], kept["longest_run"], kept["n_crossings"]) == (16, 7, 3)
    # Excluded: median 7.5 of the other 16; 20 skipped: 8 below then 8 above.
    r = spc.run_chart(y, exclude=[4])
    assert r.table["centre"][0] == 7.5
    s = r.summary
    assert (s["n_useful"], s["longest_run"], s["n_crossings"]) == (16, 8, 1)
    assert not r.table["long_run"][4]
    assert r.table["long_run"].sum() == 16


def test_anhoej_each_phase_has_its_own_median_and_analysis():
    # qicharts2 qic.agg splits by part, then qic.run (median of the part's baseline
    # and included points) and runs.analysis per part.
    a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    b = [101, 103, 102, 108, 104, 106, 105, 107, 100, 109]
    r = spc.run_chart(a + b, phases=[10])
    t = r.table
    assert t["centre"][0] == 5.5 and t["centre"][10] == 104.5
    s = r.summary  # the last phase
    assert s["n_useful"] == 10 and s["n_crossings_min"] == 2


def test_anhoej_baseline_median_applies_to_every_point():
    # qicharts2 freeze: median of the first `freeze` points; runs analysis over all.
    y = [5, 7, 5, 7, 5, 7, 5, 7, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    r = spc.run_chart(y, baseline=8)
    assert (r.table["centre"] == 6.0).all()
    s = r.summary
    assert s["n_useful"] == 18 and s["longest_run"] == 10
    assert s["longest_run_max"] == round(math.log2(18)) + 3 == 7
    assert r.table["long_run"].sum() == 10


# ============================================================= IHI run-chart rules
# Perla RJ, Provost LP, Murray SK (2011) The run chart: a simple analytical tool for
# learning from variation in healthcare processes. BMJ Qual Saf 20: 46-51, Table 1
# (lower and upper limits for the number of runs, from Swed & Eisenhart 1943), rows
# 10-40 as reproduced in published run-chart code.
PERLA_TABLE_1 = {
    10: (3, 9), 11: (3, 10), 12: (3, 11), 13: (4, 11), 14: (4, 12), 15: (5, 12),
    16: (5, 13), 17: (5, 13), 18: (6, 14), 19: (6, 15), 20: (6, 16), 21: (7, 16),
    22: (7, 17), 23: (7, 17), 24: (8, 18), 25: (8, 18), 26: (9, 19), 27: (9, 20),
    28: (10, 20), 29: (10, 21), 30: (11, 22), 31: (11, 22), 32: (11, 23), 33: (11, 24),
    34: (12, 24), 35: (12, 25), 36: (13, 25), 37: (13, 26), 38: (14, 26), 39: (14, 27),
    40: (15, 27),
}


def test_ihi_runs_bounds_reproduce_the_whole_published_table():
    n = np.array(sorted(PERLA_TABLE_1))
    lo, hi = ihi_runs_bounds(n)
    assert [(int(a), int(b)) for a, b in zip(lo, hi, strict=True)] == \
        [PERLA_TABLE_1[k] for k in n]
    assert PERLA_RUNS_TABLE == PERLA_TABLE_1


def _exact_bounds(n: int) -> tuple[int, int]:
    """Swed & Eisenhart (1943): runs distribution for n1 = n // 2, n2 = n - n1, by
    counting arrangements; 2.5% in each tail."""
    n1, n2 = n // 2, n - n // 2
    total = math.comb(n, n1)
    p = {}
    for r in range(2, n + 1):
        k = r // 2
        if r % 2 == 0:
            ways = 2 * math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k - 1)
        else:
            ways = (math.comb(n1 - 1, k) * math.comb(n2 - 1, k - 1)
                    + math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k))
        p[r] = Fraction(ways, total)
    cum, lo = Fraction(0), None
    for r in range(2, n + 1):
        cum += p[r]
        if cum > Fraction(1, 40):
            lo = r
            break
    cum, hi = Fraction(0), None
    for r in range(n, 1, -1):
        cum += p[r]
        if cum > Fraction(1, 40):
            hi = r
            break
    return lo, hi


def _tails(n: int, lo: int, hi: int) -> tuple[Fraction, Fraction]:
    """P(R < lo) and P(R > hi) under Swed & Eisenhart for an even split."""
    n1, n2 = n // 2, n - n // 2
    total = math.comb(n, n1)

    def ways(r: int) -> int:
        k = r // 2
        if r % 2 == 0:
            return 2 * math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k - 1)
        return (math.comb(n1 - 1, k) * math.comb(n2 - 1, k - 1)
                + math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k))

    low = Fraction(sum(ways(r) for r in range(2, lo)), total)
    high = Fraction(sum(ways(r) for r in range(hi + 1, n + 1)), total)
    return low, high


def test_every_table_row_keeps_each_tail_within_two_and_a_half_percent():
    # Table 1 is "about 5% risk" split over two tails: no row may be more liberal
    # than 2.5% per tail, and the exact cut is never more conservative than it.
    for n, (lo, hi) in PERLA_TABLE_1.items():
        low, high = _tails(n, lo, hi)
        assert low <= Fraction(1, 40) and high <= Fraction(1, 40), n
        exact_lo, exact_hi = _exact_bounds(n)
        assert lo <= exact_lo and hi >= exact_hi, n


@pytest.mark.parametrize("n", [4, 7, 9, 41, 50, 60])
def test_ihi_runs_bounds_outside_the_table_use_the_exact_distribution(n):
    lo, hi = ihi_runs_bounds(np.array([n]))
    assert (int(lo[0]), int(hi[0])) == _exact_bounds(n)


def test_ihi_table_row_20_in_a_chart():
    # 20 useful points in 6 runs: Table 1 row 20 gives 6 to 16, so 6 runs is not
    # "too few" (an exact 2.5% cut would give 7 and call it too few).
    y = [1] * 4 + [9] * 3 + [1] * 3 + [9] * 4 + [1] * 3 + [9] * 3
    r = spc.run_chart(y, rules="ihi")
    s = r.summary
    assert (s["n_useful"], s["n_runs"], s["runs_min"], s["runs_max"]) == (20, 6, 6, 16)
    assert not r.table["too_few_runs"].any()
    fewer = spc.run_chart([1] * 5 + [9] * 5 + [1] * 5 + [9] * 5, rules="ihi")
    assert fewer.summary["n_runs"] == 4 and fewer.table["too_few_runs"].all()


def test_ihi_shift_and_trend_rules():
    # Perla et al. (2011): shift = 6 or more points all above or all below the median
    # (points on the median skipped); trend = 5 or more points all going up or down
    # (repeated values skipped, "like values do not make or break a trend").
    y = [5, 6, 6, 7, 8, 9, 1, 2, 1, 2, 1, 2]
    r = spc.run_chart(y, rules="ihi")
    assert r.table["trend"].tolist() == [True] * 6 + [False] * 6
    shift = spc.run_chart([1, 2, 1, 5, 2, 1, 2, 9, 8, 9, 8, 9, 9], rules="ihi")
    t = shift.table
    assert t["centre"][0] == 5
    # Below the median: 1 2 1 (5 on it) 2 1 2 -> six points, the 5 skipped; above it:
    # 9 8 9 8 9 9 -> six points.
    assert t["shift"].tolist() == [True] * 3 + [False] + [True] * 9


# ============================================ NHSRplotthedots 0.2.2 ("nhsr" profile)
# R/ptd_spc_standard.R: limit 2.66; mr < 3.267 * amr kept, amr recomputed, mean
# unchanged; all by (facet, rebase_group). R/ptd_calculate_point_type.R: 7-point
# shift and trend; two in three in the 2-3 sigma band; label priority outside limits
# > trend > two in three > shift; a trend point takes the step to its right when the
# next point is also in a trend. R/ptd_calculate_assurance_type.R: strict comparisons.

def test_nhsr_screens_moving_ranges_and_keeps_the_mean():
    y = [10, 12, 10, 12, 10, 12, 10, 40, 10, 12, 10, 12]
    r = spc.xmr(y, rules="nhsr")
    mean = sum(y) / 12
    mr = np.abs(np.diff(y))
    amr = mr.mean()
    kept = mr[mr < 3.267 * amr]  # drops 30 and 30
    assert len(kept) == 9
    assert r.table["centre"][0] == approx(mean)
    assert r.table["upper"][0] == approx(mean + 2.66 * kept.mean())


def test_nhsr_peak_between_two_trends_counts_as_falling():
    # Noise inflates the limits; then 7 rising points and 7 falling points share the
    # peak 14. ptd_special_cause_type: the peak and the next point are both in a
    # trend, so the peak takes sign(14 -> 13) = decreasing: concern when higher is
    # better. Under MDC v5.0 the peak belongs to both trends and blue wins.
    y = [0, 20] * 8 + [8, 9, 10, 11, 12, 13, 14, 13, 12, 11, 10, 9, 8] + [20, 0] * 3
    peak = 22
    nhsr = _codes(spc.xmr(y, direction="higher", rules="nhsr"))
    assert nhsr[16:29] == [1] * 6 + [-1] * 7
    assert nhsr[peak] == -1
    mdc = _codes(spc.xmr(y, direction="higher", rules="mdc"))
    assert mdc[peak] == 1
    lower = _codes(spc.xmr(y, direction="lower", rules="nhsr"))
    assert lower[16:29] == [-1] * 6 + [1] * 7


def test_nhsr_seven_point_rules_and_no_crossing_of_a_rebase():
    base = [14, 10] * 5
    six = base + [13, 13, 13, 13, 13, 13] + [10]
    assert not spc.xmr(six, rules="nhsr").table["shift"].any()
    seven = base + [13] * 7
    assert spc.xmr(seven, rules="nhsr").table["shift"][10:].all()
    assert spc.xmr(six, rules="mdc").table["shift"][10:16].all()
    # Seven points above the mean, split 3 + 4 by a rebase: no shift in either part.
    y = base + [13] * 3 + [13] * 4 + [10, 14, 10, 14, 10, 14, 10]
    split = spc.xmr(y, rules="nhsr", phases=[13])
    assert not split.table["shift"].any()


def test_nhsr_target_on_a_limit_is_hit_and_miss():
    y = [10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10, 12]
    r = spc.xmr(y, rules="nhsr", direction="higher")
    upper = r.summary["upper"]
    # target > upl -> consistent_fail; on the limit -> inconsistent (hit and miss).
    assert spc.xmr(y, rules="nhsr", direction="higher",
                   target=upper).summary["assurance_icon"] == "hit_and_miss"
    assert spc.xmr(y, rules="nhsr", direction="higher",
                   target=upper + 0.01).summary["assurance_icon"] == "fail"
    # MDC (SQL's inclusive comparison, the conformance pack's decision 4): fail.
    assert spc.xmr(y, rules="mdc", direction="higher",
                   target=upper).summary["assurance_icon"] == "fail"


def test_nhsr_neutral_icon_follows_the_highest_priority_rule():
    # Last 7 points: above the mean (7-point shift, high) and falling (7-point trend,
    # low). ptd_special_cause_type ranks trend above shift -> "Decreasing" ->
    # special_cause_neutral_low. MDC's decision 6: high when a high rule fired.
    y = [0, 20] * 8 + [20, 19, 18, 17, 16, 15, 14]
    r = spc.xmr(y, rules="nhsr", direction="neither")
    t = r.table
    assert t["trend"].iloc[-7:].all() and t["shift"].iloc[-7:].all()
    assert not t["beyond_limits"].iloc[-1]
    assert r.summary["variation_icon"] == "special_cause_neither_low"
    mdc = spc.xmr(y, rules=spc.MDC.with_(shift_length=7, trend_length=7),
                  direction="neither")
    assert mdc.summary["variation_icon"] == "special_cause_neither_high"


def test_nhsr_two_in_three_ignores_points_beyond_the_limits():
    # close_to_limits = !outside_limits & beyond the 2-sigma line.
    y = [10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10]
    mean = float(np.mean(y))
    mr = float(np.mean(np.abs(np.diff(y))))
    two = mean + 2 * 2.66 / 3 * mr
    upl = mean + 2.66 * mr
    near = (two + upl) / 2
    # Limits fixed on the first 15 points (fix_after_n_points = 15).
    r = spc.xmr(y + [near, 11.5, near], rules="nhsr", baseline=15)
    assert r.table["upper"][0] == approx(upl)
    assert r.table["two_of_three"].tolist()[-3:] == [True, False, True]
    beyond = spc.xmr(y + [upl + 5, 11.5, near], rules="nhsr", baseline=15)
    assert beyond.table["beyond_limits"].tolist()[-3] is True
    assert not beyond.table["two_of_three"].any()


# ========================================================== attribute charts
def test_p_chart_montgomery_example_7_1():
    # Montgomery (2019) Introduction to Statistical Quality Control, 8th ed., Example
    # 7.1 (Table 7.1): 30 samples of n = 50 cans; p̄ = 347/1500 = 0.2313,
    # UCL = 0.4102, LCL = 0.0524; samples 15 and 23 are above the UCL.
    d = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11, 20, 18,
         24, 15, 9, 12, 7, 13, 9, 6]
    r = spc.p_chart(numerator=d, denominator=[50] * 30)
    t = r.table
    assert t["centre"][0] == approx(0.2313, abs=5e-5)
    assert t["upper"][0] == approx(0.4102, abs=5e-5)
    assert t["lower"][0] == approx(0.0524, abs=5e-5)
    assert np.flatnonzero(t["beyond_limits"]).tolist() == [14, 22]


def test_c_chart_montgomery_example_7_3():
    # Montgomery (2019) Example 7.3: nonconformities in 26 samples of 100 circuit
    # boards; c̄ = 19.85, UCL = 33.22, LCL = 6.48; samples 6 and 20 are outside.
    c = [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16, 19, 10, 17, 13, 22, 18, 39,
         30, 24, 16, 19, 17, 15]
    t = spc.c_chart(c).table
    assert t["centre"][0] == approx(19.85, abs=5e-3)
    assert t["upper"][0] == approx(33.22, abs=1e-2)
    assert t["lower"][0] == approx(6.48, abs=1e-2)
    assert np.flatnonzero(t["beyond_limits"]).tolist() == [5, 19]


def test_u_chart_montgomery_example_7_5():
    # Montgomery (2019) Example 7.5: 20 samples of 5 computers; ū = 1.93,
    # UCL = 3.79, LCL = 0.07.
    c = [10, 12, 8, 14, 10, 16, 11, 7, 10, 15, 9, 5, 7, 11, 12, 6, 8, 10, 7, 5]
    t = spc.u_chart(numerator=c, denominator=[5] * 20).table
    assert t["centre"][0] == approx(1.93)
    assert t["upper"][0] == approx(3.79, abs=5e-3)
    assert t["lower"][0] == approx(0.07, abs=5e-3)
    assert not t["beyond_limits"].any()


def test_p_prime_laney_worked_by_hand():
    # Laney (2002): z_i = (p_i - p̄)/σ_pi, σz = mean|Δz| / 1.128, limits
    # p̄ ± 3 σ_pi σz. Four points, n = 10,000 each (σ_pi all equal):
    # p = .10 .12 .11 .13 -> p̄ = .115, σ_p = sqrt(.115 × .885 / 10000) = .0031903
    # z = -4.7018, 1.5673, -1.5673, 4.7018; |Δz| = 6.2691, 3.1345, 6.2691
    # σz = 5.2242 / 1.128 = 4.6314; UCL = .115 + 3 × .0031903 × 4.6314 = .15933.
    r = spc.p_prime(numerator=[1000, 1200, 1100, 1300], denominator=[10000] * 4)
    t = r.table
    assert t["centre"][0] == approx(0.115)
    assert t["sigma_z"][0] == approx(4.6314, abs=1e-4)
    assert t["upper"][0] == approx(0.15933, abs=1e-5)
    assert t["lower"][0] == approx(0.115 - (0.15933 - 0.115), abs=1e-5)


def test_u_prime_screening_follows_the_profile():
    # qicharts2 0.7.4+ qic.up screens the moving ranges of z (>= 3.267 × mean) when
    # the qic.screenedmr option is on (set on attach); Laney 2002 does not.
    num = [100, 102, 98, 101, 99, 100, 250, 100, 101, 99, 100, 102]
    den = [1000] * 12
    laney = spc.u_prime(numerator=num, denominator=den)
    anhoej = spc.u_prime(numerator=num, denominator=den, rules="anhoej")
    u = np.array(num) / 1000
    ubar = u.mean()
    z = (u - ubar) / np.sqrt(ubar / 1000)
    mr = np.abs(np.diff(z))
    assert laney.table["sigma_z"][0] == approx(mr.mean() / 1.128)
    kept = mr[mr < 3.267 * mr.mean()]
    assert len(kept) == 9
    assert anhoej.table["sigma_z"][0] == approx(kept.mean() / 1.128)


# ======================================================== rare-event charts
def test_g_chart_follows_qicharts2():
    # qicharts2 qic.g: cl <- mean(y[base]); stdev <- sqrt(cl * (cl + 1))
    # (Montgomery p. 319); ucl <- cl + 3 * stdev; lcl < 0 set to 0; then the centre
    # line is set to median(y[base]) (the 0.693 × mean "theoretical median" of
    # Provost & Murray p. 228 is used only for a user-given cl, which we do not take).
    y = [0, 1, 2, 3, 10, 4, 7, 1, 12, 5]
    t = spc.g_chart(y).table
    mean = np.mean(y)
    sd = math.sqrt(mean * (mean + 1))
    assert t["centre"][0] == np.median(y) == 3.5
    assert t["upper"][0] == approx(mean + 3 * sd)
    assert t["lower"][0] == 0 and t["lower_2sigma"][0] == 0
    assert t["upper_2sigma"][0] == approx(mean + 2 * sd)


def test_t_chart_follows_qicharts2():
    # qicharts2 qic.t: y^(1/3.6); qic.i: cl = mean, mr = |diff|, amr = mean(mr),
    # screened (mr < 3.267 amr kept, qic.screenedmr on), stdev = amr / 1.128,
    # limits cl ± 3 stdev; back-transform ^3.6; lcl < 0 or NaN -> 0.
    y = [3.0, 10.0, 25.0, 7.0, 40.0, 15.0, 2.0, 30.0, 12.0, 20.0]
    t = spc.t_chart(y).table
    yt = np.array(y) ** (1 / 3.6)
    cl = yt.mean()
    mr = np.abs(np.diff(yt))
    mr = mr[mr < 3.267 * mr.mean()]
    sd = mr.mean() / 1.128
    assert t["centre"][0] == approx(cl ** 3.6)
    assert t["upper"][0] == approx((cl + 3 * sd) ** 3.6)
    low = cl - 3 * sd
    assert t["lower"][0] == approx(low ** 3.6 if low > 0 else 0.0)
    assert t["transformed"].to_numpy() == approx(yt)


# ============================================== MDC profile: documented decisions
@pytest.mark.parametrize("phrase", [
    "exactly on its mean ends a shift",          # decision 1
    "no special-cause colouring",                # decision 2
    "moving range between the last point",       # decision 3
    "target exactly on a process limit",         # decision 4
    "does not count towards the two",            # decision 5
    "variation icon",                            # decision 6
    "counted from the first point of the chart",  # decision 7
    "whole chart, whatever the recalculations",  # decision 8
])
def test_mdc_docstring_documents_each_open_decision(phrase):
    assert phrase in " ".join(spc.MDC.__doc__.split())
