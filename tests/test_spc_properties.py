"""Invariants that must hold for any data (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safercare import spc

FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
# Integers keep the arithmetic exact enough that no point moves across a line by rounding.
series = st.lists(st.integers(-1000, 1000), min_size=2, max_size=40)
RULES = ["beyond_limits", "shift", "trend", "two_of_three"]
LINES = ["centre", "lower", "upper", "lower_2sigma", "upper_2sigma"]


@FAST
@given(series, st.sampled_from([2, 3, 10]), st.sampled_from(["mdc", "nhsr", "anhoej"]))
def test_scaling_the_data_scales_the_limits(values, k, rules):
    a = spc.xmr(values, rules=rules).table
    b = spc.xmr([v * k for v in values], rules=rules).table
    for col in LINES:
        np.testing.assert_allclose(b[col], a[col] * k, rtol=1e-9, atol=1e-9)
    assert (a["verdict"] == b["verdict"]).all()


@FAST
@given(series, st.integers(-10_000, 10_000))
def test_adding_a_constant_shifts_the_limits(values, c):
    a = spc.xmr(values).table
    b = spc.xmr([v + c for v in values]).table
    for col in LINES:
        np.testing.assert_allclose(b[col], a[col] + c, rtol=1e-9, atol=1e-6)
    assert (a["verdict"] == b["verdict"]).all()


@FAST
@given(st.floats(-1e6, 1e6, allow_nan=False), st.integers(1, 60),
       st.sampled_from(["mdc", "nhsr", "anhoej", "ihi"]))
def test_a_constant_series_never_signals(value, n, rules):
    for chart in (spc.xmr, spc.run_chart):
        t = chart([value] * n, rules=rules, direction="higher").table
        assert (t["verdict"] == "common_cause").all()
        assert not t["signal_high"].any() and not t["signal_low"].any()


@FAST
@given(st.lists(st.integers(0, 50), min_size=3, max_size=30), st.randoms(use_true_random=False),
       st.sampled_from(["xmr", "run_chart", "c_chart"]))
def test_row_order_does_not_matter_when_dates_are_given(values, rnd, chart):
    df = pd.DataFrame({"date": pd.date_range("2022-01-01", periods=len(values), freq="MS"),
                       "v": values})
    order = list(range(len(values)))
    rnd.shuffle(order)
    shuffled = df.iloc[order]
    fn = getattr(spc, chart)
    a = fn(df, "v", "date", phases=[len(values) // 2]).table
    b = fn(shuffled, "v", "date", phases=[len(values) // 2]).table
    assert b["date"].tolist() == shuffled["date"].tolist()  # returned in input order
    b = b.sort_values("date").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=25), min_size=1,
                max_size=8),
       st.sampled_from(["mdc", "nhsr", "anhoej", "ihi"]), st.booleans(),
       st.sampled_from(["xmr", "run_chart"]))
def test_by_equals_each_series_charted_alone(groups, rules, with_phase, chart):
    frames = [pd.DataFrame({"unit": f"u{i}", "t": np.arange(len(g)), "v": g})
              for i, g in enumerate(groups)]
    df = pd.concat(frames, ignore_index=True).sample(frac=1, random_state=1)
    phases = [3] if with_phase else None
    fn = getattr(spc, chart)
    together = fn(df, "v", "t", by="unit", rules=rules, phases=phases, direction="lower")
    table = together.table
    summary = together.summary.set_index("unit")
    for i, frame in enumerate(frames):
        alone = fn(frame, "v", "t", rules=rules, phases=phases, direction="lower")
        part = table[table["unit"] == f"u{i}"].sort_values("date").drop(columns="unit")
        pd.testing.assert_frame_equal(part.reset_index(drop=True), alone.table,
                                      check_categorical=False)
        for key, value in alone.summary.items():
            got = summary.loc[f"u{i}", key]
            assert (got == value) or (pd.isna(got) and pd.isna(value)), key


@FAST
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 40)), min_size=2, max_size=30))
def test_p_chart_limits_stay_between_zero_and_one(pairs):
    num = [min(a, b) for a, b in pairs]
    den = [b for _, b in pairs]
    t = spc.p_chart(numerator=num, denominator=den).table
    assert ((t["lower"] >= 0) & (t["upper"] <= 1) & (t["lower"] <= t["upper"])).all()
