"""NHS England's Making Data Count XmR conformance pack (Single Chart Tool v5.0).

Every one of the 35 scenarios in ``tests/conformance/mdc-xmr-v5`` is a test: each
point's expected colour, the limits the spec publishes and the icons it lists. The pack
README's "Known disagreements" section documents one transcription slip in the source
colours ("Special cause conflict - High is good", point 15: the source says blue, the
rules give grey, the spec text, the low-is-good twin and the FDP project's own grouped
JSON all say grey). As the README says, we expect grey there.

The README's "Which scenarios tell the rule sets apart" section also says exactly which
points change under each alternative rule; those become tests of the ``Profile`` knobs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from safercare.spc import MDC, xmr

PACK = Path(__file__).parent / "conformance" / "mdc-xmr-v5"
SCENARIOS = json.loads((PACK / "scenarios.json").read_text(encoding="utf-8"))["scenarios"]
POINTS = pd.read_csv(PACK / "points.csv")
BY_NAME = {s["scenario"]: s for s in SCENARIOS}


def expected_colours(scenario: dict) -> np.ndarray:
    """The pack's colours, with each known disagreement replaced by the rule colour."""
    pts = POINTS[POINTS["scenario"] == scenario["scenario"]].sort_values("index")
    colours = pts["expected_colour"].to_numpy().copy()
    for slip in scenario["known_disagreements"]:
        # README "Known disagreements": "Tests should skip this point or expect grey."
        colours[slip["index"] - 1] = slip["rule_colour"]
    return colours


def run(scenario: dict, rules=MDC, **kw):
    pts = POINTS[POINTS["scenario"] == scenario["scenario"]]
    starts = kw.pop("recalculation_starts", scenario["recalculation_starts"])
    return xmr(pts, "value", "date", phases=[i - 1 for i in starts] or None,
               baseline=scenario["baseline"], direction=scenario["improvement_direction"],
               rules=rules, **kw)


def test_pack_is_complete():
    assert len(SCENARIOS) == 35
    assert len(POINTS) == 765
    assert sum(len(s["known_disagreements"]) for s in SCENARIOS) == 1


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["scenario"] for s in SCENARIOS])
def test_scenario(scenario):
    result = run(scenario)
    table = result.table
    assert len(table) == scenario["n_points"]
    got = table["colour"].astype(str).to_numpy()
    want = expected_colours(scenario)
    wrong = np.flatnonzero(got != want) + 1
    assert not len(wrong), f"points {wrong.tolist()}: got {got[wrong - 1]}, want {want[wrong - 1]}"

    summary = result.summary
    assert summary["provisional"] is (not scenario["expected_limits_shown"])
    if scenario["expected_icons_shown"]:
        assert summary["variation_icon"] == scenario["expected_variation_icon"]
    else:
        assert summary["variation_icon"] is None
        assert summary["assurance_icon"] is None
    assert summary["assurance_icon"] == scenario["expected_assurance_icon"]
    if scenario["expected_mean"] is not None:
        assert round(summary["centre"], 2) == scenario["expected_mean"]
    if scenario["expected_upl"] is not None:
        assert round(summary["upper"], 2) == scenario["expected_upl"]
        assert round(summary["lower"], 2) == scenario["expected_lpl"]
    other = scenario.get("expected_other_published")
    if other:
        mr = table["moving_range"].mean()
        assert round(mr, 2) == other["mean_moving_range"]
        assert round(mr / 1.128, 2) == other["sigma"]
        assert round(summary["upper"] - summary["centre"], 2) == other["three_sigma"]


ASSURANCE = [(s, case) for s in SCENARIOS for case in s.get("assurance_cases", [])]


@pytest.mark.parametrize("scenario,case", ASSURANCE,
                         ids=[f"{s['scenario']}-target{c['target']}-recalc{c['recalculation_starts']}"
                              for s, c in ASSURANCE])
def test_assurance_cases(scenario, case):
    result = run(scenario, target=case["target"],
                 recalculation_starts=case["recalculation_starts"])
    assert result.summary["assurance_icon"] == case["expected_assurance_icon"]


def colours(name: str, rules) -> np.ndarray:
    return run(BY_NAME[name], rules=rules).table["colour"].astype(str).to_numpy()


def changed(name: str, rules) -> list[int]:
    """1-based points whose colour differs from the v5.0 colour under ``rules``."""
    return (np.flatnonzero(colours(name, rules) != colours(name, MDC)) + 1).tolist()


def test_beyond_limit_points_counting_in_two_sigma_changes_one_point():
    # README: "Beyond-limit points count in two-sigma (SQL v2.6)": two-sigma - 2 p21 orange.
    rules = MDC.with_(two_sigma_counts_beyond_limits=True)
    assert changed("Special cause - two-sigma - 2", rules) == [21]
    assert colours("Special cause - two-sigma - 2", rules)[20] == "orange"


def test_rules_kept_inside_phases():
    rules = MDC.with_(rules_cross_phases=False)
    assert changed("Special cause crossing recalculations - shift", rules) == list(range(14, 20))
    assert changed("Special cause crossing recalculations - two-sigma", rules) == [15, 16]
    assert changed("Special cause crossing recalculations - trend", rules)


def test_concern_winning_conflicts():
    rules = MDC.with_(conflict="concern")
    for name in ("Special cause conflict - High is good", "Special cause conflict - Low is good"):
        assert changed(name, rules) == [1, 2, 3, 4, 8, 9, 10, 11]
    assert changed("Special cause crossing recalculations - trend", rules) == [15, 16]


@pytest.mark.parametrize("knob,n_scenarios", [("shift_length", 15), ("trend_length", 5)])
def test_seven_point_rules(knob, n_scenarios):
    rules = MDC.with_(**{knob: 7})
    assert sum(bool(changed(s["scenario"], rules)) for s in SCENARIOS) == n_scenarios


def test_limit_constant_makes_no_colour_difference():
    rules = MDC.with_(limit_constant=3 / 1.128)
    assert not any(changed(s["scenario"], rules) for s in SCENARIOS)
