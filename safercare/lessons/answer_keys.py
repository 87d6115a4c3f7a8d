"""Answer keys and the words the book's pages print, worked out by each lesson's own module.

Trainers' pages and the tests read the expected answers here, so the lesson, its check
and the facilitator's key cannot drift apart. :data:`BOOK_WORDS` is what a page without code
cells (a trainer page, a handout, the glossary) prints with the ``{course}`key``` role: the
value is worked out when the book is built, never typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
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
        "7.4 placebo false alarms (Poisson, placebo)": (
            l7._before_after().placebos.summary["poisson_false_positives"],
            l7._before_after().placebos.summary["placebo_false_positives"]),
        "7.5 what dates a change": "b",
    }


def _plain(markdown: str) -> str:
    """Markdown emphasis removed, for words printed inside a sentence of a page."""
    return re.sub(r"\*\*(.*?)\*\*", r"\1", markdown)


@lru_cache(maxsize=1)
def _lesson3() -> dict[str, Any]:
    from safercare.games import board_report
    from safercare.lessons import spc_the_making_data_count_way as l3

    board = board_report.board_data(l3.LESSON3["trust"])
    charts = l3.board_charts(board)
    return {"l3": l3, "charts": charts, "verdicts": board_report.latest_verdicts(charts)}


def _rule_length(profile: str, rule: str) -> Callable[[], str]:
    def value() -> str:
        from safercare.spc.profiles import get_profile

        return str(getattr(get_profile(profile), f"{rule}_length"))
    return value


def _lessons_5_7(key: str) -> Callable[[], str]:
    """A value of lessons 5-7's answer key, as a page prints it."""
    def value() -> str:
        a = expected_answers()
        words: dict[str, Callable[[], str]] = {
            "l5-board-percent": lambda: f"{a['5.1 board chance (%)']:.0f}%",
            "l5-board-year-percent": lambda: f"{a['5.1 streak in a year (%)']:.0f}%",
            "l5-first-signal": lambda: f"{a['5.2 first improvement signal']:%d %B %Y}",
            "l5-first-signal-iso": lambda: f"{a['5.2 first improvement signal']:%Y-%m-%d}",
            "l5-cases-until-signal": lambda: str(a["5.2 cases until the signal"]),
            "l5-incidents-verdict": lambda: str(a["5.3 serious incidents verdict"]),
            "l6-outlier": lambda: str(a["6.1 above the upper limit"][0]),
            "l6-rank-unit": lambda: str(a["6.2 rank unit"]),
            "l6-rank-lower": lambda: str(a["6.2 rank interval"][0]),
            "l6-rank-upper": lambda: str(a["6.2 rank interval"][1]),
            "l6-practices-plain": lambda: str(
                a["6.3 practices outside (unadjusted, adjusted)"][0]),
            "l6-practices-adjusted": lambda: str(
                a["6.3 practices outside (unadjusted, adjusted)"][1]),
            "l7-rtm-percent": lambda: f"{a['7.1 regression to the mean (%)']:.0f}",
            "l7-naive-percent": lambda: f"{a['7.2 naive change (%)']:.0f}",
            "l7-effect-percent": lambda: "{:.0f}".format(a["7.2 programme's own change (%)"]),
            "l7-placebo-poisson": lambda: str(
                a["7.4 placebo false alarms (Poisson, placebo)"][0]),
            "l7-placebo-placebo": lambda: str(
                a["7.4 placebo false alarms (Poisson, placebo)"][1]),
            "l7-placebo-interval": lambda: "{:+.0%} to {:+.0%}".format(
                *(x - 1 for x in l7._before_after().summary["placebo_interval"])),
            "l7-poisson-interval": lambda: "{:+.0%} to {:+.0%}".format(
                *(x - 1 for x in l7._before_after().summary["poisson_interval"])),
        }
        return words[key]()
    return value


_L57_KEYS = ("l5-board-percent", "l5-board-year-percent", "l5-first-signal",
             "l5-first-signal-iso", "l5-cases-until-signal", "l5-incidents-verdict",
             "l6-outlier", "l6-rank-unit", "l6-rank-lower", "l6-rank-upper",
             "l6-practices-plain", "l6-practices-adjusted", "l7-rtm-percent",
             "l7-naive-percent", "l7-effect-percent", "l7-placebo-poisson",
             "l7-placebo-placebo", "l7-placebo-interval", "l7-poisson-interval")

@lru_cache(maxsize=1)
def _lesson4() -> dict[str, Any]:
    from safercare import data, spc
    from safercare.games import board_report, funnel_experiment, measures
    from safercare.lessons import tampering as l4

    heron = measures.falls_rate(data.load("falls"), ward_id="C07-AT1-W2")
    months = board_report.rag_table(heron, value="rate", date="month", target=6.6,
                                    direction="lower")
    chart = spc.u_chart(heron, numerator="falls", denominator="occupied_bed_days",
                        date="month", multiplier=1000, direction="lower", target=6.6)
    summary = funnel_experiment.funnel_summary(funnel_experiment.funnel_experiment(200,
                                                                                   seed=1993))
    ratio = float(summary.set_index("rule").loc[2, "spread_vs_rule_1"])
    return {"looks": l4.looks_words(months), "chart": chart.describe(),
            "rule2": f"{ratio:.2f} times rule 1's spread"}


def _lesson2(key: str) -> str:
    """Lesson 2's answers to exercises 2.2 and 2.3, from its wards' run charts."""
    from safercare.lessons import variation_and_run_charts as l2

    if key == "timing":
        return l2.timing_note(l2.ward_chart(l2.DUNLIN), l2.change_started(l2.DUNLIN))
    return _plain(l2.signal_answer(l2.ward_chart(l2.DUNLIN if key == "dunlin" else l2.HERON)))


def _lesson41(part: str) -> Callable[[], str]:
    """Lesson 41's answers (risk in plain words), worked out by its module."""
    def value() -> str:
        from safercare.lessons import risk_in_plain_words as l41

        return l41.answers()[part]
    return value


def _lessons_40_42(key: str) -> Callable[[], str]:
    """Lessons 40 and 42's answers (``l40-...``, ``l42-...``), worked out by their modules."""
    def value() -> str:
        from safercare.lessons import safe_staffing as l42
        from safercare.lessons import when_a_family_says_something_is_wrong as l40

        lesson, part = key.split("-", 1)
        return (l40 if lesson == "l40" else l42).answers()[part]
    return value


_L40_42_KEYS = ("l40-40.1", "l40-40.2", "l40-lead", "l40-fixed", "l40-balancing",
                "l42-42.1", "l42-42.2", "l42-42.3", "l42-naive", "l42-adjusted",
                "l42-shortfall")


def _pdsa_a(key: str) -> Callable[[], str]:
    """Lessons 10, 11 and 14's answers (``l10-...``, ``l11-...``, ``l14-...``), worked out
    by their modules."""
    def value() -> str:
        from safercare.lessons import pdsa_done_properly as l11
        from safercare.lessons import spread_and_sustain as l14
        from safercare.lessons import the_model_for_improvement as l10

        lesson, part = key.split("-", 1)
        return {"l10": l10, "l11": l11, "l14": l14}[lesson].answers()[part]
    return value


_PDSA_A_KEYS = ("l10-10.2", "l10-10.3", "l10-drivers", "l11-11.1", "l11-11.2", "l11-11.3",
                "l11-biggest-miss", "l11-ramp", "l14-14.1", "l14-sustain")


def _pdsa_b(key: str) -> Callable[[], str]:
    """Lessons 12 and 13's answers (``l12-...``, ``l13-...``), worked out by their modules."""
    def value() -> str:
        from safercare.lessons import the_paper_helicopter as l12
        from safercare.lessons import workshop_mode as l13

        lesson, part = key.split("-", 1)
        return (l12 if lesson == "l12" else l13).answers()[part]
    return value


_PDSA_B_KEYS = ("l12-best", "l12-runs", "l12-interaction", "l12-compare", "l13-signals",
                "l13-misled", "l13-most", "l13-room")


#: Every value a page may print with ``{course}`key```, by key.
BOOK_WORDS: dict[str, Callable[[], str]] = {
    **{key: _pdsa_b(key) for key in _PDSA_B_KEYS},
    **{key: _lessons_5_7(key) for key in _L57_KEYS},
    "mdc-shift-length": _rule_length("mdc", "shift"),
    "mdc-trend-length": _rule_length("mdc", "trend"),
    "nhsr-shift-length": _rule_length("nhsr", "shift"),
    "nhsr-trend-length": _rule_length("nhsr", "trend"),
    "l3-icons-answer": lambda: _plain(_lesson3()["l3"].icon_answer(
        _lesson3()["charts"]["Sepsis screening (%)"])).replace("Answer (from the chart): ", ""),
    "l3-board-answer": lambda: _plain(_lesson3()["l3"].board_action_answer(
        _lesson3()["verdicts"])).replace("Answer (from the charts): ", ""),
    "l3-settings-answer": lambda: ", ".join(
        f"{k}) {v['setting']}: {_lesson3()['l3'].other_setting_verdict(k).replace('_', ' ')}"
        for k, v in _lesson3()["l3"].OTHER_SETTINGS.items()) + ".",
    "l3-sepsis-story": lambda: _plain(next(
        line for line in _lesson3()["l3"].spc_story(_lesson3()["charts"]).splitlines()
        if "Sepsis" in line)).lstrip("- "),
    "l4-heron-looks": lambda: _lesson4()["looks"],
    "l4-heron-chart": lambda: _lesson4()["chart"],
    "l4-rule2-spread": lambda: _lesson4()["rule2"],
    "l2-dunlin-answer": lambda: _lesson2("dunlin"),
    "l2-dunlin-timing": lambda: _lesson2("timing"),
    "l2-heron-answer": lambda: _lesson2("heron"),
    "l3-falls-story": lambda: _plain(next(
        line for line in _lesson3()["l3"].spc_story(_lesson3()["charts"]).splitlines()
        if "Falls" in line)).lstrip("- "),
    **{key: _lesson41(part) for key, part in (
        ("l41-infection", "41.1"), ("l41-avoided", "41.2"), ("l41-avoided-nnt", "41.2-nnt"),
        ("l41-framing", "41.3"), ("l41-audit", "audit"))},
    **{key: _lessons_40_42(key) for key in _L40_42_KEYS},
    **{key: _pdsa_a(key) for key in _PDSA_A_KEYS},
}


def book_words(key: str) -> str:
    """The value of ``{course}`key``` (a KeyError naming the known keys if there is none)."""
    try:
        make = BOOK_WORDS[key]
    except KeyError:
        raise KeyError(f"no course value called {key!r}; known: {', '.join(BOOK_WORDS)}"
                       ) from None
    return make()
