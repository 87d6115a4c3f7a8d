"""Box's paper helicopter: the properties the PDSA lessons claim, checked on the simulator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from safercare.errors import DataError
from safercare.games import helicopter as h

SEEDS = range(20)


def _true_best() -> dict[str, float]:
    design = h.factorial_design()
    expected = h.expected_flight_time(design["wing_length"], design["body_length"],
                                      design["paper_gsm"], design["paper_clip"])
    return {k: float(design[k].iat[int(np.argmax(expected))]) for k in h.FACTORS}


def _expected(design: dict[str, float]) -> float:
    return float(h.expected_flight_time(*(design[k] for k in h.FACTORS)))


def test_times_are_those_of_a_classroom_helicopter():
    design = h.factorial_design()
    expected = h.expected_flight_time(design["wing_length"], design["body_length"],
                                      design["paper_gsm"], design["paper_clip"])
    assert 1.5 < expected.min() and expected.max() < 4.0


def test_the_clip_shortens_short_wings_and_lengthens_long_ones():
    """The wing length × paper clip interaction, in the noise-free model."""
    t = lambda wing, clip: _expected({**h.START, "wing_length": wing, "paper_clip": clip})  # noqa: E731
    assert t(6, 1) < t(6, 0)
    assert t(11, 1) > t(11, 0)


def test_replicates_vary_by_the_stated_amount():
    flights = h.fly(dict(h.START), replicates=20, seed=1)
    many = pd.concat([h.fly(dict(h.START), 20, seed=s) for s in range(100)])
    spread = (many["flight_time"] - many["expected_time"]).std(ddof=1)
    assert spread == pytest.approx(h.NOISE_SD, rel=0.06)
    assert flights["flight_time"].nunique() > 10  # replicates really differ
    same = h.fly(dict(h.START), replicates=20, seed=1)
    pd.testing.assert_frame_equal(flights, same)  # seeded


@pytest.mark.parametrize("seed", SEEDS)
def test_the_interaction_is_detectable_in_a_replicated_factorial(seed):
    table = h.effects(h.factorial_experiment(replicates=2, seed=seed)).set_index("term")
    row = table.loc["wing_length × paper_clip"]
    assert row["clear"] and row["effect"] > 0.5
    assert table["se"].iat[0] == pytest.approx(2 * h.NOISE_SD / np.sqrt(32), rel=0.5)


def test_effects_match_hand_arithmetic_on_a_two_by_two():
    levels = {"wing_length": (6.0, 11.0), "paper_clip": (0.0, 1.0)}
    flights = h.factorial_experiment(levels, replicates=3, seed=4)
    cell = flights.groupby(["wing_length", "paper_clip"])["flight_time"].mean()
    wing = (cell[11.0].mean() - cell[6.0].mean())
    both = ((cell[(11.0, 1.0)] - cell[(6.0, 1.0)]) - (cell[(11.0, 0.0)] - cell[(6.0, 0.0)])) / 2
    table = h.effects(flights).set_index("term")
    assert table.at["wing_length", "effect"] == pytest.approx(wing)
    assert table.at["wing_length × paper_clip", "effect"] == pytest.approx(both)


def test_the_best_design_is_found_in_one_small_replicated_factorial():
    best = _true_best()
    found = [h.best_design(h.factorial_experiment(replicates=2, seed=s)) for s in SEEDS]
    assert sum(f == best for f in found) >= 16  # 32 drops find the best of 16 designs
    assert all(_expected(best) - _expected(f) < 0.25 for f in found)


def test_one_factor_at_a_time_misses_the_best_design():
    best = _true_best()
    for seed in SEEDS:
        runs = h.one_factor_at_a_time(seed=seed)
        kept = runs[runs["kept"]].groupby("step").last()
        final = {k: float(kept[k].iat[-1]) for k in h.FACTORS}
        assert final != best
        assert _expected(best) - _expected(final) > 0.3
        assert len(runs) == 8  # two designs per factor, one drop each


def test_a_design_a_helicopter_cannot_have_is_refused_by_name():
    with pytest.raises(DataError, match="wing_length") as error:
        h.fly({**h.START, "wing_length": 40})
    assert "row 1" in str(error.value).lower() or "wing length" in str(error.value).lower()
    with pytest.raises(DataError, match="paper_clip"):
        h.fly({**h.START, "paper_clip": 0.5})
    with pytest.raises(DataError, match="replicates"):
        h.fly(dict(h.START), replicates=0)
