"""Stop the line: a seeded simulator of andon (anyone may stop the line) for Lesson 25.

A line makes one item per minute. At a random minute a fault starts (a worn tool, or on a
ward a patient who starts to deteriorate); from then on each item is defective with
probability ``fault_size``. Three rules are compared:

``"off"``
    No andon: nobody stops the line. Defects pass downstream until the end inspection,
    which happens every ``inspect_every`` minutes.
``"on"``
    Anyone may stop the line (andon, Toyota's jidoka). Each defective item is noticed by
    the person making it with probability ``notice``; the line stops at once. People also
    stop the line for items that were in fact good (false stops) with probability
    ``false_stop_rate`` per good item: stopping has a cost, and the result counts it.
``"permission"``
    People must first ask a supervisor: a noticed defect stops the line only after
    ``permission_delay`` more minutes. False stops are rarer (the supervisor filters them),
    at half the rate.

All trials are drawn at once with ``numpy.random.default_rng(seed)`` (no loop per trial).
This is a teaching model; its numbers are not measurements from any factory or ward.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from safercare.errors import DataError, Problem

__all__ = ["RULES", "StopTheLineResult", "simulate", "compare"]

RULES = ("off", "on", "permission")


@dataclass(frozen=True)
class StopTheLineResult:
    """Outcome of many simulated shifts under one rule.

    ``table`` has one row per trial: ``fault_start``, ``detected_at``,
    ``time_to_detection`` (minutes), ``defects_downstream`` and ``false_stops``.
    """

    rule: str
    fault_size: float
    table: pd.DataFrame

    @property
    def mean_time_to_detection(self) -> float:
        """Average minutes from the fault starting to its detection."""
        return float(self.table["time_to_detection"].mean())

    @property
    def mean_defects_downstream(self) -> float:
        """Average defective items passed downstream before detection."""
        return float(self.table["defects_downstream"].mean())

    @property
    def mean_false_stops(self) -> float:
        """Average stops for items that were in fact good, per shift."""
        return float(self.table["false_stops"].mean())

    def describe(self) -> str:
        """Plain words for this result."""
        return (
            f"With andon {self.rule}, a fault of size {self.fault_size:.0%} was found on average "
            f"{self.mean_time_to_detection:.1f} minutes after it started; "
            f"{self.mean_defects_downstream:.1f} defective items passed downstream first, "
            f"and there were {self.mean_false_stops:.1f} false stops per shift."
        )


def simulate(
    rule: str = "on",
    *,
    fault_size: float = 0.3,
    trials: int = 1000,
    minutes: int = 480,
    inspect_every: int = 120,
    notice: float = 0.8,
    false_stop_rate: float = 0.002,
    permission_delay: int = 15,
    seed: int = 25,
) -> StopTheLineResult:
    """Simulate ``trials`` shifts under ``rule`` ("off", "on" or "permission")."""
    if rule not in RULES:
        raise DataError(Problem(row=None, column=None,
                                what=f"rule {rule!r} is not one of {RULES}",
                                fix="choose off, on or permission"))
    if not 0 < fault_size <= 1:
        raise DataError(Problem(row=None, column=None,
                                what="fault_size must be above 0 and at most 1",
                                fix="give a probability such as 0.3"))
    rng = np.random.default_rng(seed)
    span = minutes + inspect_every  # room after the shift for the end inspection
    start = rng.integers(0, minutes // 2, size=trials)
    t = np.arange(span)
    after = t[None, :] >= start[:, None]
    defective = after & (rng.random((trials, span)) < fault_size)
    noticed = defective & (rng.random((trials, span)) < notice)
    inspection = np.zeros(span, dtype=bool)
    inspection[inspect_every - 1 :: inspect_every] = True
    big = span - 1
    if rule == "off":
        seen = np.cumsum(defective, axis=1) > 0
        hit = seen & inspection[None, :]
        detected = np.where(hit.any(axis=1), hit.argmax(axis=1), big)
    else:
        first = np.where(noticed.any(axis=1), noticed.argmax(axis=1), big)
        delay = permission_delay if rule == "permission" else 0
        seen = np.cumsum(defective, axis=1) > 0
        hit = seen & inspection[None, :]
        inspected = np.where(hit.any(axis=1), hit.argmax(axis=1), big)
        detected = np.minimum(np.minimum(first + delay, big), inspected)
    before = t[None, :] < detected[:, None]
    downstream = (defective & before).sum(axis=1)
    if rule == "off":
        false_stops = np.zeros(trials, dtype=int)
    else:
        rate = false_stop_rate if rule == "on" else false_stop_rate / 2
        good = ~defective & (t[None, :] < np.minimum(detected, minutes)[:, None])
        false_stops = (good & (rng.random((trials, span)) < rate)).sum(axis=1)
    table = pd.DataFrame(
        {
            "fault_start": start,
            "detected_at": detected,
            "time_to_detection": detected - start,
            "defects_downstream": downstream,
            "false_stops": false_stops,
        }
    )
    return StopTheLineResult(rule=rule, fault_size=fault_size, table=table)


def compare(fault_size: float = 0.3, *, seed: int = 25, trials: int = 1000) -> pd.DataFrame:
    """One row per rule: mean time to detection, defects downstream and false stops."""
    rows = []
    for rule in RULES:
        r = simulate(rule, fault_size=fault_size, seed=seed, trials=trials)
        rows.append(
            {
                "rule": rule,
                "time_to_detection": r.mean_time_to_detection,
                "defects_downstream": r.mean_defects_downstream,
                "false_stops": r.mean_false_stops,
            }
        )
    return pd.DataFrame(rows)
