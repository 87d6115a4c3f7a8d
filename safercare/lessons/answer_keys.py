"""The answer key for lessons 5-7, worked out from the data by each lesson's own module.

Trainers' pages and the tests read the expected answers here, so the lesson, its check
and the facilitator's key cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from safercare import evaluation
from safercare.lessons import comparing_fairly as l6
from safercare.lessons import did_it_work as l7
from safercare.lessons import rare_events as l5


def expected_answers() -> dict[str, Any]:
    """Every exercise's expected answer, worked out from the data (for trainers and tests)."""
    ranks = l6._ranks().table.set_index("unit")
    row = ranks.loc[l6.rank_unit()]
    adjusted = l6._funnel(l6._trusts(), "trust", "multiplicative")
    above = adjusted.table.loc[adjusted.table["above_998"], "unit"].tolist()
    ba = l7._before_after().summary
    board = l5.LESSON5
    return {
        "5.1 board chance (%)": 100 * evaluation.gap_chance(board["board_mean_gap"],
                                                            board["board_days"]),
        "5.1 streak in a year (%)": 100 * evaluation.streak_chance(
            board["board_mean_gap"], board["board_days"], 365),
        "5.2 first improvement signal": l5._first_improvement(l5._cdiff_chart(),
                                                              board["cdiff_start"]),
        "5.2 cases until the signal": l5._cases_until_signal(),
        "5.3 serious incidents verdict": l5._si_verdict(),
        "6.1 above the upper limit": above,
        "6.2 rank unit": l6.rank_unit(),
        "6.2 rank interval": (int(row["rank_lower"]), int(row["rank_upper"])),
        "6.3 practices outside (unadjusted, adjusted)": (
            l6._outside(l6._practice_funnel(None)),
            l6._outside(l6._practice_funnel("multiplicative"))),
        "7.1 regression to the mean (%)": 100 * l7._rtm().summary["mean_relative_change"],
        "7.2 naive change (%)": 100 * ba["programme_change"],
        "7.2 programme's own change (%)": 100 * ba["effect_change"],
        "7.3 balancing measure": "c",
    }
