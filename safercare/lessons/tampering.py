"""Lesson 4, *Tampering*: its exercise checks, the funnel explorer, management by last
month's number, and the words it prints about them (made from the results, never typed).

The two explorations are :class:`~safercare.widgets.explore.Explorer` objects: every state is
computed when the cell runs, so their controls respond in the static book as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from safercare import spc
from safercare.games import funnel_experiment
from safercare.lessons.common import NOT_YET, Feedback, is_blank
from safercare.widgets.explore import Choice, Explorer, Slider, View


def check_funnel_ranking(ranking: Iterable[int] | str, result: pd.DataFrame | None = None
                         ) -> Feedback:
    """Exercise 4.1: rank rules 1-4 from best (closest to target) to worst.

    Rule 1 is always best and rule 2 second; rules 3 and 4 both grow without limit, so
    either order for the last two is accepted (with ``result``, the feedback quotes the
    simulated distances).
    """
    if is_blank(ranking):
        return Feedback(False, NOT_YET)
    if isinstance(ranking, str):  # "1, 2, 4, 3" typed as text is fine too
        ranking = re.findall(r"\d+", ranking)
    try:
        given = [int(r) for r in ranking]
    except (TypeError, ValueError):
        return Feedback(False, 'Type the rule numbers in order, for example "4, 3, 2, 1".')
    if sorted(given) != [1, 2, 3, 4]:
        return Feedback(False, "Use each of the rule numbers 1, 2, 3 and 4 once.")
    result = funnel_experiment.funnel_experiment(200) if result is None else result
    s = funnel_experiment.funnel_summary(result).set_index("rule")["rms_distance"]
    numbers = "; ".join(f"rule {r}: {s[r]:.1f}" for r in s.index)
    tail = f" (Typical distance from target in the simulation -- {numbers}.)"
    if given[:2] == [1, 2]:
        return Feedback(True, "Rule 1 (leave it alone) is best; rule 2 stays centred but spreads "
                              f"{s[2] / s[1]:.1f} times as wide; rules 3 and 4 swing or drift "
                              "ever further from the target." + tail)
    if given[0] != 1:
        return Feedback(False, f"You put rule {given[0]} first. Every adjustment adds the last "
                               "drop's random error back in, so the best rule is the one that "
                               "never adjusts." + tail)
    return Feedback(False, "Rule 1 first is right. Which of the others stays stable, and which "
                           "two wander further and further away?" + tail)


def check_worse_months(answer: object, data: pd.DataFrame) -> Feedback:
    """Exercise 4.2: in how many months did a stable measure look 'worse than last month'?

    ``data`` is a table from :func:`~safercare.games.funnel_experiment.management_by_last_month`
    (column ``worse_than_last``) or from :func:`~safercare.games.board_report.rag_table`
    (column ``looks``).
    """
    if is_blank(answer):
        return Feedback(False, NOT_YET)
    try:
        given = int(str(answer).strip())
    except ValueError:
        return Feedback(False, "Type a whole number of months, e.g. 12.")
    if "worse_than_last" in data.columns:
        worse = data["worse_than_last"].astype(bool)
    else:  # a table from safercare.games.board_report.rag_table
        worse = data["looks"] == "worse"
    right = int(worse.sum())
    compared = len(data) - 1
    if given == right:
        return Feedback(True, f"{right} of {compared} month-to-month comparisons looked "
                              f"'worse' ({100 * right / compared:.0f}%), from a process that "
                              "never changed. A board that reacts to each one is tampering "
                              "again and again.")
    return Feedback(False, f"Not {given}. Count the months marked 'worse' in the table (the "
                           f"first month has nothing to compare with, so there are {compared} "
                           "comparisons).")


#: Marbles a reader can drop under each rule.
FUNNEL_DROPS = (10, 25, 50, 100, 200)


def funnel_view(drops: int, seed: int) -> View:
    """One state of the funnel experiment: every rule on the same random misses."""
    result = funnel_experiment.funnel_experiment(drops, seed=seed)
    return View(figure=funnel_experiment.plot_funnel(result), words=funnel_words(result),
                table=funnel_table(result))


def funnel_table(result: pd.DataFrame) -> pd.DataFrame:
    """The funnel summary as a reader sees it: plain column names, two decimals."""
    summary = funnel_experiment.funnel_summary(result)
    return pd.DataFrame({
        "Rule": summary["rule_name"],
        "Average distance from target": summary["mean_distance"].round(2),
        "Furthest": summary["max_distance"].round(2),
        "Spread compared with rule 1": summary["spread_vs_rule_1"].round(2),
    })


def funnel_words(result: pd.DataFrame) -> str:
    """What the drops show, rule by rule, from the summary of this very run."""
    summary = funnel_experiment.funnel_summary(result).set_index("rule")
    drops = int(result.groupby("rule").size().iloc[0])
    best = int(summary["rms_distance"].idxmin())
    lines = [f"{drops} drops under each rule, all with the same random misses."]
    for rule, row in summary.iterrows():
        ratio = float(row["spread_vs_rule_1"])
        compare = ("" if rule == 1 else
                   f", {ratio:.1f} times rule 1's spread")
        lines.append(f"- **Rule {rule}**: on average {row['mean_distance']:.1f} from the target, "
                     f"the furthest {row['max_distance']:.1f}{compare}.")
    last = f"The smallest spread is rule {best}'s" + (
        " (leave the funnel alone)." if best == 1 else ".")
    # blank lines around the list, so it is a list in Markdown and in the explorer alike
    return lines[0] + "\n\n" + "\n".join(lines[1:]) + "\n\n" + last


def funnel_explorer(seed: int = 1993) -> Explorer:
    """Drop marbles through the funnel under each rule; compare how far they land.

    Every state is computed when the cell runs, so the controls work in the book too.
    """
    seeds = [(seed, "set A"), (seed + 1, "set B")]  # two sets of random misses to compare
    return Explorer(
        "The funnel experiment",
        controls=[Slider("drops", "Marbles dropped under each rule", FUNNEL_DROPS, default=50),
                  Choice("seed", "Random misses", seeds, style="radio")],
        render=lambda state: funnel_view(int(state["drops"]), int(state["seed"])),
    )


def _xmr_by_rule(months: int, rules: tuple[int, ...], seed: int) -> Any:
    data = funnel_experiment.management_by_last_month(months, seed=seed, rules=rules)
    return spc.xmr(data, value="value", date="month", by="rule", direction="lower")


def last_month_view(rule: int, months: int, seed: int = 2024) -> View:
    """Rule 1 (left alone) beside another rule, on the same months of common cause variation."""
    import matplotlib.pyplot as plt

    from safercare import style

    result = _xmr_by_rule(months, (1, rule), seed)
    with style.style_context():
        fig, axes = plt.subplots(2, 1, figsize=(9.0, 7.6), layout="constrained")
    for ax, k in zip(axes, (1, rule), strict=True):
        result.plot(ax=ax, group=k, title=funnel_experiment.MONTHLY_RULES[k])
    words = [f"**{funnel_experiment.MONTHLY_RULES[k]}:** {result.describe(group=k)}"
             for k in (1, rule)]
    words.append(limits_words(result, rule))
    fig.alt_text = " ".join(words).replace("**", "")  # type: ignore[attr-defined]
    plt.close(fig)
    return View(figure=fig, words="\n\n".join(words))


def limits_words(result: Any, rule: int) -> str:
    """How much wider (or narrower) a rule's process limits are than rule 1's."""
    summary = result.summary.set_index("rule")
    width = summary["upper"] - summary["lower"]
    ratio = float(width[rule] / width[1])
    if rule == 1:
        return "Both charts are rule 1: the same process, left alone."
    return (f"Rule {rule}'s process limits are {ratio:.1f} times as far apart as rule 1's "
            f"({summary.loc[rule, 'lower']:.1f} to {summary.loc[rule, 'upper']:.1f} against "
            f"{summary.loc[1, 'lower']:.1f} to {summary.loc[1, 'upper']:.1f}): "
            + ("the monthly corrections made the measure less predictable, not more."
               if ratio > 1 else "here the corrections did not widen them."))


def last_month_explorer(seed: int = 2024) -> Explorer:
    """Run a stable monthly measure by 'last month's number' and see what happens."""
    rules = [(k, v) for k, v in funnel_experiment.MONTHLY_RULES.items() if k != 1]
    return Explorer(
        "Management by last month's number",
        controls=[Choice("rule", "How the manager reacts", rules, default=2),
                  Slider("months", "Months", (12, 36, 60), default=36)],
        render=lambda state: last_month_view(int(state["rule"]), int(state["months"]), seed),
    )


def looks_words(months: pd.DataFrame) -> str:
    """How often a month looked 'worse' or 'better' than the one before, from the RAG table."""
    worse = int((months["looks"] == "worse").sum())
    better = int((months["looks"] == "better").sum())
    compared = int((months["looks"] != "").sum())
    return (f"{worse} of the {compared} month-to-month comparisons looked \"worse\" and {better} "
            f"looked \"better\" ({100 * worse / compared:.0f}% worse).")
