"""Lesson 7, *Did it work?*: its situation, exercise checks, the words it prints about its
results (the naive and the placebo interval, when a change started), the regression-to-the-
mean explorer (precomputed states, so it responds in the static book) and the room's own
dice (a live form: it needs Python).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import ipywidgets as w
import pandas as pd
from IPython.display import Markdown

from safercare import evaluation
from safercare.lessons.common import (
    WIDE,
    Feedback,
    live_form,
    no_answer,
    organisation_names,
    read_numbers,
    read_percent,
)
from safercare.widgets.explore import Explorer, Slider, View

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
                              f"programme's own share is about {abs(right):.0f}% (95% placebo "
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


#: The explorer's choices (3 x 2 x 2 states); the lesson's chart is the default state.
RTM_WORST = (5, 10, 30)
RTM_SPREAD = (0.0, 0.15)
RTM_SIZE = (500, 2000)


def regression_to_mean_explorer(seed: int | None = 2024, **options: Any) -> Explorer:
    """Pick the worst units in year 1; see them "improve" in year 2 with no change at all.

    Every state is simulated here (:func:`safercare.evaluation.regression_to_mean`); the
    page only switches between them.
    """

    def render(state: dict[str, Any]) -> View:
        result = evaluation.regression_to_mean(worst=state["worst"], spread=state["spread"],
                                               denominator=state["size"], seed=seed, **options)
        return View(figure=result.plot(title=f"The {state['worst']} worst in year 1, "
                                             "followed into year 2 (nothing changed)"),
                    words=result.describe())

    return Explorer(
        "Picked for being worst: regression to the mean",
        controls=[
            Slider("worst", "How many of the worst units to pick", RTM_WORST, default=10),
            Slider("spread", "Real differences between units (spread)", RTM_SPREAD,
                   default=0.15, text="{:.2f}"),
            Slider("size", "Patients per unit per year", RTM_SIZE, default=2000,
                   text="{:,}"),
        ],
        render=render,
    )


# ------------------------------------------------------------- words from the results
def _pct(ratio: float) -> str:
    return f"{ratio - 1:+.1%}"


def poisson_words(result: evaluation.BeforeAfterResult) -> str:
    """The naive interval: chance in the death counts only."""
    s = result.summary
    lo, hi = s["poisson_interval"]
    return (f"Counting only chance in the death counts (a Poisson interval), the programme's "
            f"own change is {_pct(s['ratio_of_ratios'])} with a 95% confidence interval of "
            f"{_pct(lo)} to {_pct(hi)}.")


def placebo_words(result: evaluation.BeforeAfterResult) -> str:
    """What the placebo check found: false alarms, overdispersion, the honest interval."""
    s, p = result.summary, result.placebos.summary
    lo, hi = s["placebo_interval"]
    expected = 0.05 * p["n"]
    return (
        f"The Poisson-only interval calls **{p['poisson_false_positives']} of {p['n']}** "
        f"placebo regions 'significant', though none of them had the programme; at 95% about "
        f"1 in 20 ({expected:.1f} of {p['n']}) should. Their effects vary about "
        f"{p['phi']:.1f} times as much (in variance) as chance in the counts predicts: the "
        f"overdispersion of lesson 6. Judged by the spread of the placebo effects instead, "
        f"**{p['placebo_false_positives']} of {p['n']}** looks significant, and the "
        f"programme's own change is {_pct(s['ratio_of_ratios'])} with a **95% placebo "
        f"interval of {_pct(lo)} to {_pct(hi)}**."
    )


def conclusion_words(result: evaluation.BeforeAfterResult) -> str:
    """What a careful reader concludes from the honest interval and the placebo ranking."""
    s, p = result.summary, result.placebos.summary
    lo, hi = s["placebo_interval"]
    where = result.programme
    claim = f"a fall of {abs(s['programme_change']):.0%}"
    if hi < 1:
        head = (f"**What to conclude:** the programme probably did help {where}, but by about "
                f"{abs(s['effect_change']):.0%} (somewhere between {1 - hi:.0%} and "
                f"{1 - lo:.0%}), not the {abs(s['programme_change']):.0%} fall in the annual "
                "report.")
    elif lo > 1:
        head = (f"**What to conclude:** the death rate in {where} rose relative to the other "
                "regions; the claim of a fall does not hold.")
    else:
        head = (f"**What to conclude:** the data cannot separate the programme's effect from "
                f"chance and the everyday differences between regions; {claim} is not "
                "evidence that it worked.")
    ranking = ("further from no change than every one of the placebo regions" if p["rank"] == 1
               else f"number {p['rank']} of {p['n'] + 1} in distance from no change")
    plo, phi = s["poisson_interval"]
    wider = (hi - lo) / (phi - plo)
    return (f"{head} Its change is {ranking}. With {p['n'] + 1} regions no check can be "
            f"surer than 1 in {p['n'] + 1} (permutation p = {p['permutation_p']:.2f}), and the "
            f"placebo interval is {wider:.1f} times as wide as the Poisson one: that is the "
            "honest size of what we know.")


def run_start_words(result: Any, start: str) -> str:
    """When the fixed-limit chart's improvement run begins, against the programme start."""
    t = result.table
    improving = t[t["verdict"].astype(str) == "improvement"]
    begin = pd.Timestamp(start)
    if improving.empty:
        return "The chart shows no improvement signal."
    first = pd.Timestamp(improving["date"].iloc[0])
    side = ("before" if first < begin else "after" if first > begin else "exactly when")
    head = (f"The chart's improvement signal is coloured from the quarter starting "
            f"{first:%B %Y}, {side} the programme started in {begin:%B %Y}.")
    if first < begin:
        return (head + " The first point of a run is not when a change happened: a run is "
                "only found once enough points have piled up, its first points may be chance, "
                "and a process that was already improving colours points from before anything "
                "was done.")
    return (head + " That fits the programme's start, but the run only became a signal once "
            "enough points had piled up: at its first point nobody could have known.")


# ------------------------------------------------------------- exercises 7.3 and 7.4
def check_placebo_false_alarms(answer: Any) -> Feedback:
    """Exercise 7.3: how many placebo regions the Poisson-only interval calls significant."""
    found = read_numbers(answer)
    if not found:
        return no_answer("my_answer = 5", answer)
    p = _before_after().placebos.summary
    right, honest = p["poisson_false_positives"], p["placebo_false_positives"]
    if round(found[0]) == right:
        return Feedback(True, f"{right} of {p['n']} regions with no programme look "
                              f"'significant' with the Poisson-only interval, far more than the "
                              f"1 in 20 a 95% interval promises. The placebo interval calls "
                              f"{honest}. An interval that fails on places where nothing was "
                              "done cannot be trusted where something was.")
    if round(found[0]) == honest:
        return Feedback(False, "That is the count with the placebo interval. How many does the "
                               "Poisson-only interval call significant?")
    return Feedback(False, f"You said {found[0]:g}. Read the description under the placebo "
                           "chart: it says how many the Poisson-only interval calls significant.")


_DATING = {
    "a": "the first point of the coloured run",
    "b": "the month the programme really started, from the project's own records",
    "c": "the point where the run became long enough to signal",
}


def check_change_date(answer: Any) -> Feedback:
    """Exercise 7.4: what dates a change: the run's first point, or what was done, and when?"""
    text = str(answer).strip().lower().strip("\"'() ")
    letter = text[:1] if text[:1] in _DATING else None
    if letter is None:
        return no_answer('my_answer = "a"', answer)
    if letter == "b":
        return Feedback(True, "Date a change from what was done and when (the project's "
                              "records), then ask whether the chart changed after it. A run's "
                              "first point is chance as much as change: the process may have "
                              "been improving already, or the first points of the run may be "
                              "ordinary months that happened to fall on one side.")
    if letter == "a":
        return Feedback(False, "The chart colours the whole run once it is long enough, "
                               "including points from before anyone could know, and here from "
                               "before the programme began. What dates a change?")
    return Feedback(False, "That is when the chart could first tell you, not when anything "
                           "changed. What dates the change itself?")


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
