"""Rule details: ties and points on the line, turning points, two of three, conflicts,
phases, provisional charts, directions and the by= path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from safercare import spc
from safercare.spc import rules as R


def flags(rule_pair):
    hi, lo = rule_pair
    return hi.astype(int) - lo.astype(int)


def test_trend_needs_six_points_and_ties_end_it():
    # The README's example: 13, 14, 18, 18, 24, 26, 29 has no trend.
    y = np.array([13, 14, 18, 18, 24, 26, 29], dtype=float)
    hi, lo = R.trend(y, np.zeros(7, dtype=int), 6)
    assert not hi.any() and not lo.any()
    y = np.array([13, 14, 18, 19, 24, 26, 20], dtype=float)
    hi, lo = R.trend(y, np.zeros(7, dtype=int), 6)
    assert hi.tolist() == [True] * 6 + [False]


def test_a_turning_point_belongs_to_both_trends():
    y = np.array([1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1], dtype=float)
    hi, lo = R.trend(y, np.zeros(len(y), dtype=int), 6)
    assert hi.tolist() == [True] * 6 + [False] * 5
    assert lo.tolist() == [False] * 5 + [True] * 6


def test_trend_does_not_run_across_series():
    y = np.arange(12, dtype=float)
    rg = np.repeat([0, 1], 6)
    hi, _ = R.trend(y, rg, 6)
    assert hi.all()
    hi, _ = R.trend(y, np.repeat([0, 1], [5, 7]), 6)
    assert hi.tolist() == [False] * 5 + [True] * 7


def test_a_point_on_the_mean_ends_a_shift_or_is_skipped():
    y = np.array([6, 6, 6, 5, 6, 6, 6, 0, 0, 0], dtype=float)
    centre = np.full(10, 5.0)
    rg = np.zeros(10, dtype=int)
    assert not R.shift(y, centre, rg, 6)[0].any()
    hi, _ = R.shift(y, centre, rg, 6, on_centre="skip")
    assert hi.tolist() == [True] * 3 + [False] + [True] * 3 + [False] * 3


def test_missing_value_ends_a_shift():
    y = np.array([6, 6, 6, np.nan, 6, 6, 6], dtype=float)
    hi, _ = R.shift(y, np.full(7, 5.0), np.zeros(7, dtype=int), 6, on_centre="skip")
    assert not hi.any()


def test_two_of_three_flags_only_the_points_beyond_two_sigma():
    y = np.array([0, 0, 2.5, 1, 2.5, 0, 0], dtype=float)
    n = len(y)
    hi, lo = R.two_of_three(y, np.full(n, 0.5), np.full(n, -2), np.full(n, 2),
                            np.full(n, -3), np.full(n, 3), np.zeros(n, dtype=int))
    # window 2.5, 1, 2.5: all above 0.5, two beyond 2 -> the two 2.5s only
    assert hi.tolist() == [False, False, True, False, True, False, False]
    assert not lo.any()


def test_two_of_three_needs_all_three_on_the_same_side():
    y = np.array([2.5, 0, 2.5], dtype=float)
    hi, _ = R.two_of_three(y, np.full(3, 0.5), np.full(3, -2), np.full(3, 2),
                           np.full(3, -3), np.full(3, 3), np.zeros(3, dtype=int))
    assert not hi.any()


def test_beyond_limit_points_do_not_count_towards_two_of_three_in_mdc():
    y = np.array([3.5, 2.5, 1.0], dtype=float)
    args = (np.full(3, 0.5), np.full(3, -2), np.full(3, 2), np.full(3, -3), np.full(3, 3),
            np.zeros(3, dtype=int))
    assert not R.two_of_three(y, *args)[0].any()
    assert R.two_of_three(y, *args, counts_beyond_limits=True)[0].tolist() == [True, True,
                                                                                False]


def test_beyond_limits_is_strict():
    hi, lo = R.beyond_limits(np.array([3.0, 3.1, -3.0, -3.1]), np.full(4, -3.0),
                             np.full(4, 3.0))
    assert hi.tolist() == [False, True, False, False]
    assert lo.tolist() == [False, False, False, True]


@pytest.mark.parametrize("direction,high,low", [("higher", "improvement", "concern"),
                                                ("lower", "concern", "improvement"),
                                                ("neither", "special_cause", "special_cause")])
def test_direction_decides_improvement_or_concern(direction, high, low):
    y = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 40, -20]
    t = spc.xmr(y, direction=direction).table
    assert t["verdict"][13] == high and t["verdict"][14] == low
    assert t["verdict"][0] == "common_cause"


def test_nhsr_priority_can_show_concern_in_a_conflict():
    # A falling trend (concern for "higher") while the points are above the mean (a
    # shift, improvement): MDC shows improvement; NHSR ranks trend above shift, and
    # beyond-limits above trend.
    y = [4, 5] * 5 + [4, 9, 8.5, 8, 7.5, 7, 6.5, 6, 4, 5, 4, 5, 4]
    mdc = spc.xmr(y, direction="higher").table
    nhsr = spc.xmr(y, direction="higher", rules="nhsr").table
    conflict = nhsr["trend"] & nhsr["shift"] & ~nhsr["beyond_limits"]
    assert conflict.sum() == 4
    assert (nhsr.loc[conflict, "verdict"] == "concern").all()
    assert (mdc.loc[conflict, "verdict"] == "improvement").all()
    outside = nhsr["trend"] & nhsr["beyond_limits"]
    assert outside.sum() == 3 and (nhsr.loc[outside, "verdict"] == "improvement").all()


def test_provisional_mdc_chart_has_trial_limits_but_grey_points_and_no_icons():
    y = [1, 1, 1, 1, 1, 1, 1, 9, 9, 9]
    r = spc.xmr(y, direction="higher", target=5)
    t = r.table
    assert t["provisional"].all()
    assert np.isfinite(t["upper"]).all()
    assert t["shift"].any()  # trial rules still run
    assert (t["colour"] == "grey").all()
    assert r.summary["variation_icon"] is None and r.summary["assurance_icon"] is None
    nhsr = spc.xmr(y, direction="higher", rules="nhsr")
    assert nhsr.table["provisional"].all() and nhsr.summary["variation_icon"] is not None


def test_missing_values_do_not_count_towards_the_minimum():
    y = [1.0] * 12 + [np.nan] * 3
    assert spc.xmr(y).summary["provisional"]


def test_by_gives_a_summary_per_series_in_label_order():
    df = pd.DataFrame({"ward": ["b"] * 15 + ["a"] * 15,
                       "v": list(range(15)) + [5, 6] * 7 + [5]})
    r = spc.xmr(df, "v", by="ward", direction="higher")
    s = r.summary
    assert isinstance(s, pd.DataFrame)
    assert s["ward"].tolist() == ["a", "b"]
    assert s.set_index("ward").loc["b", "variation_icon"] == "special_cause_improving_high"
    assert s.set_index("ward").loc["a", "variation_icon"] == "common_cause"
    assert r.table["ward"].tolist() == df["ward"].tolist()


def test_by_with_two_columns():
    df = pd.DataFrame({"trust": ["x", "x", "y", "y"] * 4, "ward": ["a", "b"] * 8,
                       "v": np.arange(16.0)})
    r = spc.xmr(df, "v", by=["trust", "ward"])
    assert len(r.summary) == 4
    assert r.groups()[0] == ("x", "a")


def test_run_chart_rules_stay_inside_a_phase():
    y = [1, 2, 1, 2, 1, 2, 10, 11, 10, 11, 10, 11]
    t = spc.run_chart(y, phases=[6]).table
    assert t["centre"].tolist() == [1.5] * 6 + [10.5] * 6
    assert not t["long_run"].any()


def test_custom_profile():
    strict = spc.Profile(name="strict", shift_length=8, trend_length=None,
                         two_of_three=False, min_points=5)
    y = [1, 2, 1, 2, 1, 2, 1, 5, 5, 5, 5, 5, 5, 5]
    t = spc.xmr(y, rules=strict).table
    assert "trend" not in t and "two_of_three" not in t
    assert not t["shift"].any()
    # 7 points below the mean, then 7 above
    assert spc.xmr(y, rules=strict.with_(shift_length=7)).table["shift"].sum() == 14
    assert "strict" in strict.with_(shift_length=7).name


def test_every_named_profile_documents_itself():
    for name, profile in spc.PROFILES.items():
        doc = profile.__doc__
        assert doc and doc != spc.Profile.__doc__
        assert profile.name == name
        assert any(word in doc.lower() for word in ("phase",))


def brute_long_run(b, k, rg):
    out = [False] * len(b)
    i = 0
    while i < len(b):
        j = i
        while j + 1 < len(b) and b[j + 1] == b[i] and rg[j + 1] == rg[i]:
            j += 1
        if b[i] and j - i + 1 >= k:
            out[i:j + 1] = [True] * (j - i + 1)
        i = j + 1
    return out


def test_sliding_window_runs_match_a_plain_loop():
    rng = np.random.default_rng(7)
    for _ in range(200):
        m = int(rng.integers(1, 60))
        b = rng.random(m) < rng.uniform(0.3, 0.9)
        rg = np.sort(rng.integers(0, 4, m))
        k = int(rng.integers(1, 8))
        assert R.in_long_run(b, k, rg).tolist() == brute_long_run(b.tolist(), k, rg.tolist())


def test_value_column_is_found_when_it_is_the_only_other_column():
    df = pd.DataFrame({"month": pd.date_range("2024-01-01", periods=4, freq="MS"),
                       "falls": [3, 4, 5, 6]})
    assert spc.xmr(df, date="month").table["value"].tolist() == [3, 4, 5, 6]


def test_numeric_periods_can_be_dates():
    df = pd.DataFrame({"week": [3, 1, 2, 4], "v": [30, 10, 20, 40]})
    t = spc.run_chart(df, "v", "week").table
    assert t["date"].tolist() == [3, 1, 2, 4] and t["value"].tolist() == [30, 10, 20, 40]
    assert "4 points" in spc.run_chart(df, "v", "week").describe()


def test_exclude_by_column_by_mask_and_by_date():
    dates = pd.date_range("2024-01-01", periods=5, freq="MS")
    df = pd.DataFrame({"d": dates, "v": [1, 3, 100, 2, 5], "skip": [0, 0, 1, 0, 0]})
    for exclude in ("skip", [False, False, True, False, False], [2], [dates[2]]):
        t = spc.xmr(df, "v", "d", exclude=exclude).table
        assert t["excluded"].tolist() == [False, False, True, False, False]
        assert t["centre"][0] == pytest.approx(2.75)


def test_run_chart_summary_has_no_limits():
    s = spc.run_chart([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).summary
    assert "upper" not in s and s["centre"] == 5.5


def reference_mdc_verdicts(y, starts, direction):
    """A plain, loop-by-loop reading of the v5.0 rules (README of the conformance pack)."""
    n = len(y)
    bounds = [0, *starts, n]
    mean, ucl, lcl, u2, l2 = ([0.0] * n for _ in range(5))
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        block = y[a:b]
        m = sum(block) / len(block)
        mr = [abs(block[i] - block[i - 1]) for i in range(1, len(block))]
        mrb = sum(mr) / len(mr)
        for i in range(a, b):
            mean[i], ucl[i], lcl[i] = m, m + 2.66 * mrb, m - 2.66 * mrb
            u2[i], l2[i] = m + 2 / 3 * 2.66 * mrb, m - 2 / 3 * 2.66 * mrb
    hi, lo = [False] * n, [False] * n
    for i in range(n):
        hi[i] |= y[i] > ucl[i]
        lo[i] |= y[i] < lcl[i]
    for sign, flags in ((1, hi), (-1, lo)):
        for i in range(n - 5):  # shift: 6 on one side
            if all((y[j] - mean[j]) * sign > 0 for j in range(i, i + 6)):
                for j in range(i, i + 6):
                    flags[j] = True
            if all((y[j + 1] - y[j]) * sign > 0 for j in range(i, i + 5)):  # trend
                for j in range(i, i + 6):
                    flags[j] = True
        for i in range(n - 2):  # two of three beyond two sigma, not beyond the limit
            window = range(i, i + 3)
            if not all((y[j] - mean[j]) * sign > 0 for j in window):
                continue
            near = [j for j in window if (y[j] > u2[j] and not y[j] > ucl[j]) if sign > 0]
            near = near if sign > 0 else [j for j in window
                                          if y[j] < l2[j] and not y[j] < lcl[j]]
            if len(near) >= 2:
                for j in near:
                    flags[j] = True
    good, bad = (hi, lo) if direction == "higher" else (lo, hi)
    return ["improvement" if g else "concern" if b else "common_cause"
            for g, b in zip(good, bad, strict=True)]


def test_vectorised_engine_matches_a_plain_loop_reference():
    rng = np.random.default_rng(11)
    for _ in range(150):
        n = int(rng.integers(13, 60))
        y = rng.integers(0, 12, n).astype(float)
        y += np.where(rng.random(n) < 0.2, rng.integers(-15, 15, n), 0)
        starts = sorted({int(s) for s in rng.integers(3, n - 3, rng.integers(0, 3))})
        if len(starts) == 2 and starts[1] - starts[0] < 2:
            starts = starts[:1]
        direction = str(rng.choice(["higher", "lower"]))
        got = spc.xmr(y, phases=starts or None, direction=direction).table["verdict"]
        want = reference_mdc_verdicts(list(y), starts, direction)
        assert got.astype(str).tolist() == want, (y.tolist(), starts, direction)


def loop_median(seg, values, mask, n_segs):
    """Per-segment median by a plain loop over segments (middle of each sorted segment)."""
    out = []
    for k in range(n_segs):
        v = sorted(values[(seg == k) & mask])
        out.append((v[(len(v) - 1) // 2] + v[len(v) // 2]) / 2 if v else np.nan)
    return np.array(out)


def test_seg_median_every_path_matches_a_plain_loop():
    from safercare.spc.limits import _SORT_ROWS_UP_TO, seg_median

    rng = np.random.default_rng(21)
    for trial in range(400):
        n_segs = int(rng.integers(1, 7))
        if trial % 4 == 0:  # equal lengths: the 2-D fast path
            lengths = np.full(n_segs, int(rng.integers(1, 12)))
        elif trial % 4 == 1:  # one segment much longer: the sort by (segment, value)
            lengths = rng.integers(0, 4, n_segs)
            lengths[0] = 40
        else:  # unequal lengths, some empty: the NaN-padded rows
            lengths = rng.integers(0, 12, n_segs)
        seg = np.repeat(np.arange(n_segs, dtype=np.int32), lengths)
        values = rng.integers(0, 4, len(seg)).astype(float)  # many ties
        mask = rng.random(len(seg)) < 0.8 if trial % 3 else np.ones(len(seg), dtype=bool)
        if trial % 5 == 0:  # segments not in order: the general sort
            order = rng.permutation(len(seg))
            seg, values, mask = seg[order], values[order], mask[order]
        np.testing.assert_array_equal(seg_median(seg, values, mask, n_segs),
                                      loop_median(seg, values, mask, n_segs))
    # Rows longer than the sort limit are partitioned instead (odd and even lengths).
    for width in (_SORT_ROWS_UP_TO + 1, _SORT_ROWS_UP_TO + 2):
        values = rng.normal(size=2 * width)
        seg = np.repeat(np.arange(2, dtype=np.int32), width)
        mask = np.ones(len(seg), dtype=bool)
        np.testing.assert_array_equal(seg_median(seg, values, mask, 2),
                                      loop_median(seg, values, mask, 2))


def test_run_chart_equal_length_fast_path_gives_the_same_table_as_the_general_path():
    rng = np.random.default_rng(22)
    groups, months = 40, 24
    df = pd.DataFrame({"ward": np.repeat(np.arange(groups), months),
                       "v": rng.integers(0, 6, groups * months).astype(float)})
    df.loc[rng.random(len(df)) < 0.05, "v"] = np.nan
    fast = spc.run_chart(df, "v", by="ward", direction="higher").table
    # One extra one-point series makes the lengths unequal (general path); drop it after.
    extra = pd.concat([df, pd.DataFrame({"ward": [groups], "v": [1.0]})], ignore_index=True)
    general = spc.run_chart(extra, "v", by="ward", direction="higher").table
    general = general[general["ward"] < groups].reset_index(drop=True)
    pd.testing.assert_frame_equal(fast.reset_index(drop=True), general, check_exact=True)
    # And the same as charting each ward on its own.
    for ward in (0, 17, groups - 1):
        one = spc.run_chart(df.loc[df["ward"] == ward, "v"].to_numpy(),
                            direction="higher").table
        part = fast[fast["ward"] == ward]
        for column in ("centre", "long_run", "few_crossings", "verdict"):
            assert part[column].tolist() == one[column].tolist(), (ward, column)


def loop_anhoej(side):
    """Anhøj's runs analysis of one series by a plain loop (0 = skipped)."""
    useful = [s for s in side if s != 0]
    n = len(useful)
    runs, flags = [], [False] * len(side)
    positions = [i for i, s in enumerate(side) if s != 0]
    for i, s in enumerate(useful):
        if i and s == useful[i - 1]:
            runs[-1].append(positions[i])
        else:
            runs.append([positions[i]])
    if n == 0:
        return 0, 0, flags
    limit = round(np.log2(n)) + 3
    for run in runs:
        if len(run) > limit:
            for i in run:
                flags[i] = True
    return max(len(r) for r in runs), len(runs) - 1, flags


def test_anhoej_matches_a_plain_loop():
    rng = np.random.default_rng(23)
    for trial in range(200):
        n_rg = int(rng.integers(1, 6))
        lengths = rng.integers(0, 30, n_rg) if trial % 2 else np.full(n_rg, 20)
        rg = np.repeat(np.arange(n_rg), lengths)
        y = rng.integers(0, 3, len(rg)).astype(float)  # long runs and points on the line
        y[rng.random(len(y)) < 0.1] = np.nan
        side = R.side_sign(y, np.ones(len(y)))
        got = R.anhoej(y, np.ones(len(y)), rg, n_rg, sides=(side, None))
        for k in range(n_rg):
            longest, crossings, flags = loop_anhoej(side[rg == k].tolist())
            assert got["longest_run"][k] == longest
            assert got["n_crossings"][k] == crossings
            flagged = (got["long_high"] | got["long_low"])[rg == k]
            assert flagged.tolist() == flags
            assert not (got["long_high"] & (side < 0)).any()


def test_rules_in_words_use_each_profiles_own_lengths():
    from safercare.spc.profiles import MDC, NHSR, rule_lengths_note, rules_in_words

    mdc = " ".join(rules_in_words("mdc"))
    assert f"{MDC.shift_length} or more points" in mdc and "median" not in mdc
    assert f"{NHSR.shift_length} or more points" in " ".join(rules_in_words("nhsr"))
    assert "median" in " ".join(rules_in_words("anhoej"))
    note = rule_lengths_note()
    assert note.startswith("Making Data Count") and "NHSRplotthedots" in note
    assert f"{MDC.shift_length} points for a shift" in note and f"use {NHSR.shift_length}" in note
