"""Lesson 4, *Tampering*: its exercise checks, the funnel explorer and management by last
month's number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import ipywidgets as w
import pandas as pd
from IPython.display import Markdown

from safercare import spc
from safercare.games import funnel_experiment
from safercare.lessons.common import NOT_YET, WIDE, Feedback, is_blank, show_in


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
        return Feedback(False, "List the rule numbers, e.g. [4, 3, 2, 1].")
    if sorted(given) != [1, 2, 3, 4]:
        return Feedback(False, "Use each of the rule numbers 1, 2, 3 and 4 once.")
    result = funnel_experiment.funnel_experiment(200) if result is None else result
    s = funnel_experiment.funnel_summary(result).set_index("rule")["rms_distance"]
    numbers = "; ".join(f"rule {r}: {s[r]:.1f}" for r in s.index)
    tail = f" (Typical distance from target in the simulation -- {numbers}.)"
    if given[:2] == [1, 2]:
        return Feedback(True, "Rule 1 (leave it alone) is best; rule 2 is stable but about 40% "
                              "more spread out; rules 3 and 4 swing or drift ever further from "
                              "the target." + tail)
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
                              "'worse' -- about half, from a process that never changed. A "
                              "board that reacts to each one is tampering about every other "
                              "month.")
    return Feedback(False, f"Not {given}. Count the months marked 'worse' in the table (the "
                           f"first month has nothing to compare with, so there are {compared} "
                           "comparisons).")


def funnel_explorer(seed: int | None = 1993) -> w.VBox:
    """Drop marbles through the funnel under each rule; compare how far they land."""
    drops = w.IntSlider(value=50, min=10, max=200, step=10, description="Marbles dropped",
                        tooltip="Marbles dropped under each rule", style=WIDE,
                        continuous_update=False)
    rules = w.SelectMultiple(options=[(v, k) for k, v in funnel_experiment.RULES.items()],
                             value=(1, 2, 3, 4), rows=4, description="Rules to compare",
                             tooltip="Ctrl-click to choose several", style=WIDE,
                             layout=w.Layout(width="90%"))
    out = w.Output()

    def update(_: object = None) -> None:
        if not rules.value:
            show_in(out, Markdown("Choose at least one rule."))
            return
        result = funnel_experiment.funnel_experiment(drops.value, tuple(sorted(rules.value)),
                                                     seed=seed)
        summary = funnel_experiment.funnel_summary(result).round(2)
        show_in(out, funnel_experiment.plot_funnel(result), summary)

    drops.observe(update, names="value")
    rules.observe(update, names="value")
    update()
    return w.VBox([w.HTML("<b>The funnel experiment</b>"), drops, rules, out])


def last_month_explorer(seed: int | None = 2024) -> w.VBox:
    """Run a stable monthly measure by 'last month's number' and see what happens."""
    rule = w.Dropdown(options=[(v, k) for k, v in funnel_experiment.MONTHLY_RULES.items()],
                      value=2, description="How the manager reacts",
                      tooltip="The rule used after each month", style=WIDE,
                      layout=w.Layout(width="90%"))
    months = w.IntSlider(value=36, min=12, max=60, step=6, description="Months",
                         tooltip="Months simulated", style=WIDE, continuous_update=False)
    out = w.Output()

    def update(_: object = None) -> None:

        data = funnel_experiment.management_by_last_month(months.value, seed=seed,
                                                          rules=(1, rule.value))
        items: list[object] = []
        for k, part in data.groupby("rule", sort=True):
            result = spc.xmr(part, value="value", date="month", direction="lower")
            fig = result.plot()
            fig.axes[0].set_title(funnel_experiment.MONTHLY_RULES[k], loc="left")
            items += [fig, Markdown(result.describe())]
        show_in(out, *items)

    rule.observe(update, names="value")
    months.observe(update, names="value")
    update()
    return w.VBox([w.HTML("<b>Management by last month's number</b>"), rule, months, out])
