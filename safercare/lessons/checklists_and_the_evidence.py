"""Lesson 21, *Checklists, and what the evidence really says*: estimates of a checklist's
effect under three study designs, and the exercise checks (work in progress).

The roll-out is simulated by :mod:`safercare.games.checklist_rollout`; this module only
computes rate ratios with 95% confidence intervals and checks answers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from safercare.games import checklist_rollout
from safercare.lessons.common import Feedback, no_answer, read_percent

SEED = 0
#: Letters of the do-confirm pause items that belong (killer items, checked after doing).
DO_CONFIRM_RIGHT = {"a", "c", "e"}


def rollout(seed: int = SEED) -> pd.DataFrame:
    """The lesson's simulated roll-out table."""
    return checklist_rollout.simulate(seed).table


def rate_ratio(after_events: int, after_n: int, before_events: int,
               before_n: int) -> tuple[float, float, float]:
    """Rate ratio after/before with a 95% confidence interval (log method)."""
    rr = (after_events / after_n) / (before_events / before_n)
    se = np.sqrt(1 / after_events + 1 / before_events)
    return rr, float(rr * np.exp(-1.96 * se)), float(rr * np.exp(1.96 * se))


def before_after(seed: int = SEED, hospital: str = "H1") -> tuple[float, float, float]:
    """Naive before–after in one hospital."""
    t = rollout(seed)
    t = t[t["hospital"] == hospital]
    a, b = t[t["checklist"]], t[~t["checklist"]]
    return rate_ratio(int(a["major_complications"].sum()), int(a["operations"].sum()),
                      int(b["major_complications"].sum()), int(b["operations"].sum()))


def naive_change_percent(seed: int = SEED) -> float:
    """Exercise 21.1's answer: the before–after change in H1, in percent."""
    return (before_after(seed)[0] - 1) * 100


def check_naive_change(answer: Any, seed: int = SEED) -> Feedback:
    """Exercise 21.1: the naive before–after change, as a percent (e.g. -25)."""
    value, note = read_percent(answer)
    if value is None:
        return no_answer("-25%", answer)
    right = naive_change_percent(seed)
    if abs(value - right) <= 1.0:
        return Feedback(True, f"Yes: complications changed by {right:.0f}% before to after. "
                              "But part of that fall would have happened anyway." + note)
    return Feedback(False, f"Not {value:g}%. Compare the after rate with the before rate." + note)


def check_do_confirm(answer: Any) -> Feedback:
    """Exercise 21.3: letters of the items for a do-confirm pause."""
    letters = {c for c in str(answer).lower() if c.isalpha() and c <= "f"}
    if not letters:
        return no_answer("a, c", answer)
    if letters == DO_CONFIRM_RIGHT:
        return Feedback(True, "Yes: a short pause holds only the killer items that are easy "
                              "to miss, and the team confirms they were done.")
    return Feedback(False, "Keep the pause short: only items that are critical and easily "
                           "missed, not things done well every time.")
