"""The discharge-before-noon project: Plover ward's daily counts and its PDSA log agree.

The generic answer-key test (``tests/test_answer_key.py``) finds the planted shift and
the null result with the charts the data package names; this file checks what is
particular to this project: the log is in :class:`safercare.pdsa.PDSALog`'s format to
the byte, it has the mix of cycles the lessons need, its ward-level results are the
ward's own numbers, the answer key names the right cycles, the rates follow the cited
sources, a run chart finds the shift too, and the null check would catch an effect.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

import safercare.spc as spc
from safercare.pdsa import PDSALog
from safercare.synth import discharge

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"
PACKAGE = json.loads((DATASETS / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in PACKAGE["resources"]}
sys.path.insert(0, str(Path(__file__).parent))
from test_answer_key import failures  # noqa: E402


@pytest.fixture(scope="module")
def log() -> PDSALog:
    return PDSALog.from_csv(DATASETS / "discharge_pdsa_log.csv")


@pytest.fixture(scope="module")
def days() -> pd.DataFrame:
    return pd.read_csv(DATASETS / "discharge_before_noon.csv", parse_dates=["date"])


def signal(name: str) -> dict:
    return next(s for s in RESOURCES["discharge_before_noon"]["answer_key"]
                if s["id"] == name)


def percent(days: pd.DataFrame, start: str, end: str) -> float:
    part = days[(days["date"] >= start) & (days["date"] <= end)]
    return round(100 * part["discharges_before_noon"].sum() / part["discharges"].sum(), 1)


def test_the_log_file_is_the_pdsa_log_format_to_the_byte(log: PDSALog) -> None:
    text = (DATASETS / "discharge_pdsa_log.csv").read_text(encoding="utf-8")
    assert log.to_csv() == text


def test_the_log_has_the_cycles_the_lessons_need(log: PDSALog) -> None:
    decisions = [c.decision for c in log]
    assert 7 <= len(log) <= 9
    assert {"adopt", "adapt", "abandon"} <= set(decisions)
    assert decisions.count("adopt") >= 2 and decisions.count("abandon") >= 2
    assert log.missed_predictions() == ["C5"]
    assert [n.column for n in log.notes] == ["prediction"]
    assert log.chain("C4") == ["C1", "C2", "C3", "C4"]               # a ramp to the ward
    assert [c.scale for c in log if c.cycle_id in log.chain("C4")] == [
        "1 patient", "5 patients", "1 team", "1 ward"]
    assert log["C8"].do_date is None                                  # planned, not run


def test_ward_level_results_in_the_log_are_the_wards_own_numbers(log: PDSALog,
                                                                  days: pd.DataFrame) -> None:
    assert log["C4"].result_value == percent(days, discharge.ADOPTED, "2024-12-29")
    assert log["C7"].result_value == percent(days, *discharge.LOUNGE)
    assert abs(log["C3"].result_value - log["C3"].predicted_value) <= 10


def test_the_answer_key_names_the_adopted_and_the_abandoned_cycle(log: PDSALog) -> None:
    shift, null = signal("discharge-noon-shift"), signal("discharge-lounge-null")
    adopted, lounge = log[shift["expect"]["cycle"]], log[null["expect"]["cycle"]]
    assert adopted.decision == "adopt" and adopted.do_date.isoformat() == shift["start"]
    assert lounge.decision == "abandon" and lounge.do_date.isoformat() == null["start"]
    assert (shift["kind"], shift["meaning"]) == ("shift", "improvement")
    assert (null["kind"], null["meaning"]) == ("common_cause", "common_cause")
    assert RESOURCES["discharge_pdsa_log"]["answer_key_in"] == "discharge_before_noon"


def test_rates_follow_the_cited_sources(days: pd.DataFrame) -> None:
    before = percent(days, "2024-10-01", "2024-11-24")
    after = percent(days, discharge.ADOPTED, "2025-03-31")
    assert 9.5 < before < 20            # Bailey et al. 2024 start at 9.5%
    assert 24 < after < 36              # they reached 26.8%; SAFER's aim is 33%
    assert (days["discharges"] >= 1).all()
    assert (days["discharges_before_noon"] <= days["discharges"]).all()
    assert len(days) == 182 and days["date"].is_monotonic_increasing
    keys = {s["key"] for s in RESOURCES["discharge_before_noon"]["base_rate_sources"]}
    assert keys == {"nhsi2017safer", "bailey2024dbn"}


def test_a_run_chart_finds_the_shift_after_the_adopted_change_only(days: pd.DataFrame) -> None:
    """Anhøj rules on the daily percentage, median of the days before the change."""
    baseline = int((days["date"] < discharge.ADOPTED).sum())
    table = spc.run_chart(days.assign(pct=days["discharges_before_noon"] / days["discharges"]),
                          "pct", "date", baseline=baseline, direction="higher").table
    before = table["date"] < discharge.ADOPTED
    assert (table.loc[before, "verdict"] == "common_cause").all()
    assert (table.loc[~before, "verdict"] == "improvement").any()


def test_the_null_check_would_catch_a_lounge_that_worked(days: pd.DataFrame) -> None:
    """Plant a rise during the lounge weeks: the same answer-key check now fails."""
    null = signal("discharge-lounge-null")
    assert failures(days, null) == []
    during = (days["date"] >= discharge.LOUNGE[0]) & (days["date"] <= discharge.LOUNGE[1])
    lifted = days.copy()
    lifted.loc[during, "discharges_before_noon"] = lifted.loc[during, "discharges"]
    assert failures(lifted, null) != []


def test_the_shift_check_would_fail_without_the_change(days: pd.DataFrame) -> None:
    shift = signal("discharge-noon-shift")
    flat = days.copy()
    after = flat["date"] >= discharge.ADOPTED
    flat.loc[after, "discharges_before_noon"] = (flat.loc[after, "discharges"] * 0.14
                                                 ).round().astype(int)
    assert failures(flat, shift) != []


def test_the_generator_is_reproducible() -> None:
    a, results_a = discharge.simulate()
    b, results_b = discharge.simulate()
    pd.testing.assert_frame_equal(a, b)
    assert results_a == results_b
    c, _ = discharge.simulate(discharge.SEED + 1)
    assert not a.equals(c)


def test_the_driver_diagram_table_draws_and_names_every_cycle(log: PDSALog) -> None:
    from safercare.pdsa import DriverDiagram

    dd = DriverDiagram.from_csv(DATASETS / "discharge_driver_diagram.csv")
    assert dd.aim == log["C1"].aim
    assert len(dd.nodes["primary_driver"]) == 3 and len(dd.nodes["change_idea"]) == 9
    named = set(re.findall(r"\bC\d\b", dd.outline()))
    assert named == {c.cycle_id for c in log}
    assert dd.plot().alt_text == dd.alt_text()
    assert RESOURCES["discharge_driver_diagram"]["answer_key_in"] == "discharge_before_noon"
