"""Lesson 7, *Did it work?*: its situation, exercise checks and widgets (regression to the
mean).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import ipywidgets as w
from IPython.display import Markdown

from safercare import evaluation
from safercare.lessons.common import (
    WIDE,
    WIDE_LAYOUT,
    Feedback,
    live_form,
    no_answer,
    organisation_names,
    read_percent,
    show_in,
)

#: Lesson 7: collaborative C09's mortality programme and the regression-to-the-mean simulation.
LESSON7: dict[str, Any] = {
    "programme": "C09",
    "start": "2023-04-01",
    "rtm_worst": 10,
    "rtm_seed": 2024,
}


@lru_cache(maxsize=1)
def _before_after() -> evaluation.BeforeAfterResult:
    from safercare import data

    deaths = data.load("mortality")
    deaths = deaths.assign(collaborative=deaths["collaborative_id"].map(organisation_names()))
    return evaluation.before_after(deaths, numerator="deaths", denominator="admissions",
                                   date="quarter", group="collaborative",
                                   programme=organisation_names()[LESSON7["programme"]],
                                   start=LESSON7["start"])


@lru_cache(maxsize=1)
def _rtm() -> evaluation.RegressionToMeanResult:
    return evaluation.regression_to_mean(worst=LESSON7["rtm_worst"], seed=LESSON7["rtm_seed"])


# ------------------------------------------------------------------------- lesson 7
def check_regression_to_mean(answer: Any) -> Feedback:
    """Exercise 7.1: average apparent change of the 10 worst units, with no real change."""
    value, note = read_percent(answer)
    if value is None:
        return no_answer("my_answer = -25", answer)
    right = 100 * _rtm().summary["mean_relative_change"]
    if abs(abs(value) - abs(right)) <= 1.5:
        return Feedback(True, f"The worst units 'improved' by about {abs(right):.0f}% on "
                              "average, and nothing about them changed. Any programme aimed "
                              "at the worst performers will look this good for free.")
    if abs(value) < 1:
        return Feedback(False, "The true rates do not change, but the selected units were "
                               "picked when chance made them look bad. Read the average change "
                               "in the description under the chart.")
    return Feedback(False, f"You said {value:g}%. Read the average apparent change across all "
                           f"the simulated repeats, in the sentence under the chart.{note}")


def check_programme_effect(answer: Any) -> Feedback:
    """Exercise 7.2: the programme's own change once the national trend is allowed for."""
    value, note = read_percent(answer)
    if value is None:
        return no_answer("my_answer = -10", answer)
    s = _before_after().summary
    where = organisation_names()[LESSON7["programme"]]
    right = 100 * s["effect_change"]
    naive = 100 * s["programme_change"]
    trend = 100 * s["comparison_change"]
    if abs(abs(value) - abs(right)) <= 1.5:
        lo, hi = (100 * (x - 1) for x in s["ratio_interval"])
        return Feedback(True, f"{where}'s death rate fell by {abs(naive):.0f}%, but about "
                              f"{abs(trend):.0f} points of that happened everywhere. The "
                              f"programme's own share is about {abs(right):.0f}% (95% confidence "
                              f"interval {lo:.0f}% to {hi:.0f}%).{note}")
    if abs(abs(value) - abs(naive)) <= 1.5:
        return Feedback(False, f"That is the whole fall in {where}, before allowing for the "
                               "fall that happened in every other collaborative too. Look for "
                               "the programme's own change in the description.")
    if abs(abs(value) - abs(trend)) <= 1.5:
        return Feedback(False, "That is the fall in the comparison collaboratives: the national "
                               "trend. What is left for the programme once you take it away?")
    return Feedback(False, f"You said {value:g}%. Read 'the programme's own change' in the "
                           f"sentence under the chart.{note}")


_BALANCING = {
    "a": "Deaths in hospital per 1,000 admissions is the outcome measure itself.",
    "b": "The share of patients screened for sepsis is a process measure: it tells you the "
         "programme is being done, not what it costs elsewhere.",
    "c": "Emergency readmissions within 30 days would show if patients were being sent home "
         "too soon or too sick: a problem the programme could cause somewhere else, which is "
         "exactly what a balancing measure is for.",
    "d": "Staff completing the training is a process (or structure) measure.",
}


def check_balancing_measure(answer: Any) -> Feedback:
    """Exercise 7.3: which is the best balancing measure for a hospital mortality programme?"""
    text = str(answer).strip().lower()
    letter = text[:1] if text[:1] in _BALANCING else None
    if letter is None:
        return no_answer('my_answer = "a"', answer)
    if letter == "c":
        return Feedback(True, _BALANCING["c"])
    return Feedback(False, _BALANCING[letter] + " Which option could get worse because of the "
                                                 "programme?")


def regression_to_mean_explorer(seed: int | None = 2024, **options: Any) -> w.VBox:
    """Pick the worst units in year 1; see them "improve" in year 2 with no change at all."""
    worst = w.IntSlider(value=10, min=1, max=50, step=1, continuous_update=False,
                        description="How many of the worst units to pick", style=WIDE,
                        layout=WIDE_LAYOUT)
    spread = w.FloatSlider(value=0.15, min=0.0, max=0.5, step=0.05, continuous_update=False,
                           description="Real differences between units (spread)",
                           style=WIDE, layout=WIDE_LAYOUT, readout_format=".2f")
    size = w.IntSlider(value=2000, min=200, max=20000, step=200, continuous_update=False,
                       description="Patients per unit per year", style=WIDE, layout=WIDE_LAYOUT)
    out = w.Output()

    def update(_: object = None) -> None:
        result = evaluation.regression_to_mean(worst=worst.value, spread=spread.value,
                                               denominator=size.value, seed=seed, **options)
        show_in(out, result.plot(), Markdown(result.describe()))

    for control in (worst, spread, size):
        control.observe(update, names="value")
    update()
    return w.VBox([w.HTML("<b>Picked for being worst: regression to the mean</b>"),
                   worst, spread, size, out])


_ROUNDS = "Asha, 9, 6\nBen, 11, 7\nCai, 5, 8\nDee, 7, 7\nEd, 10, 4\nFay, 4, 9\nGus, 8, 6"


def live_regression_to_mean(example: str = _ROUNDS, worst: int = 3) -> w.VBox:
    """Type each person's two scores (name, first, second); follow the worst first scores."""
    box = w.Textarea(value=example, rows=8, layout=w.Layout(width="420px"),
                     description="One line per person: name, first score, second score",
                     style=WIDE)
    pick = w.BoundedIntText(value=worst, min=1, max=50, description="How many worst to pick",
                            style=WIDE)

    def read() -> evaluation.RegressionToMeanResult:
        table = evaluation.parse_two_rounds(box.value)
        return evaluation.follow_the_worst(
            table, numerator="score", denominator="one", unit="unit", period="round",
            first="First round", second="Second round", worst=pick.value,
            measure="Score (higher is worse)")

    def show(result: evaluation.RegressionToMeanResult) -> list[object]:
        return [result.plot(title="Your room: the worst first scores, rolled again"),
                Markdown(result.describe())]

    return live_form("Your room's dice: regression to the mean", [box, pick],
                      "Follow the worst",
                      "Pick the highest first scores and see their second scores", read, show)
