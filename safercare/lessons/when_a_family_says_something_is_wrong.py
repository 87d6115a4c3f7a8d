"""Lesson 40, *When a patient or family says "something is wrong"*: the family concerns on Siskin
ward, the run chart of time to review (centre fixed on the weeks before the scheme, or
recalculated from its start), the hours by which concerns came before recognised
deterioration, the balancing measures, the exercise checks and the words the lesson prints
(made from the results, never typed).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from safercare import data, spc
from safercare.lessons.common import NOT_YET, Feedback, is_blank, organisation_names, read_numbers
from safercare.synth import family_concerns as source
from safercare.widgets.explore import Choice, Explorer, View

#: The scheme's first week, and the ward (both from the dataset's generator).
SCHEME_START = pd.Timestamp(source.SCHEME_START)
WARD = source.WARD
#: The two halves of the year, as the lesson names them.
PERIODS = ("before the scheme", "after the scheme")
#: The run chart's value (its axis label): the week's median minutes from concern to review.
VALUE = "Median minutes to review"


@lru_cache(maxsize=1)
def concerns() -> pd.DataFrame:
    """Every concern, with the period (before or after the scheme) it was raised in."""
    frame = data.load("family_concerns")
    return frame.assign(period=np.where(frame["week"] >= SCHEME_START, *PERIODS[::-1]))


def weekly_review_times() -> pd.DataFrame:
    """The median minutes from concern to review, week by week."""
    weeks = concerns().groupby("week", as_index=False)["minutes_to_review"].median()
    return weeks.rename(columns={"minutes_to_review": VALUE})


def baseline_weeks() -> int:
    """Weeks before the scheme (the run chart's baseline)."""
    return int((weekly_review_times()["week"] < SCHEME_START).sum())


@lru_cache(maxsize=2)
def review_chart(recalculate: bool = False) -> Any:
    """Run chart (Anhøj rules) of weekly median time to review.

    ``recalculate=False`` fixes the median on the weeks before the scheme and extends it, so
    a change shows as a long run; ``True`` starts a new median at the scheme's start (do this
    once the change has shown itself and held).
    """
    weeks = weekly_review_times()
    if recalculate:
        return spc.run_chart(weeks, value=VALUE, date="week", phases=[SCHEME_START],
                             direction="lower")
    return spc.run_chart(weeks, value=VALUE, date="week", baseline=baseline_weeks(),
                         direction="lower")


def chart_title(recalculate: bool) -> str:
    ward = organisation_names()[WARD]
    how = "new median from the scheme" if recalculate else "median before the scheme"
    return f"{ward}: minutes from concern to review ({how})"


def start_words() -> str:
    """The sentence that names the dashed line marking the scheme's start."""
    return f"A dashed line marks the scheme's start on {SCHEME_START:%-d %B %Y}."


def review_figure(recalculate: bool) -> tuple[Any, str]:
    """The run chart with the scheme's start marked, and its words (also its alt text)."""
    from safercare import style

    chart = review_chart(recalculate)
    fig = chart.plot(title=chart_title(recalculate))
    ax = fig.axes[0]
    ax.axvline(SCHEME_START, color=style.LIMIT_COLOUR, linestyle=(0, (4, 3)), linewidth=1.2,
               zorder=1.5)
    ax.annotate("scheme starts", (SCHEME_START, 1.0), xycoords=("data", "axes fraction"),
                xytext=(4, -4), textcoords="offset points", ha="left", va="top",
                fontsize=style.FONT_SIZE - 2, color=style.TEXT_COLOUR)
    words = f"{chart.describe()} {start_words()}"
    fig.alt_text = words
    return fig, words


@lru_cache(maxsize=2)
def review_view(recalculate: bool) -> View:
    figure, words = review_figure(recalculate)
    return View(figure=figure, words=words)


def review_explorer() -> Explorer:
    """Switch the run chart's centre between the baseline's median and a recalculated one."""
    return Explorer(
        "Are concerns reviewed sooner?",
        controls=[Choice("recalculate", "Centre line",
                         [(False, "fixed on the weeks before the scheme"),
                          (True, "recalculated from the scheme's start")], style="radio")],
        render=lambda state: review_view(bool(state["recalculate"])),
    )


def lead_times() -> pd.DataFrame:
    """For each period: concerns, deteriorations, and hours from concern to recognition."""
    frame = concerns()
    worse = frame[frame["deteriorated"]]
    hours = worse.groupby("period")["hours_concern_before_recognition"]
    table = pd.DataFrame({
        "Period": list(PERIODS),
        "Concerns": frame.groupby("period").size().reindex(PERIODS).to_numpy(),
        "Patients who deteriorated": hours.size().reindex(PERIODS).to_numpy(),
        "Median hours the concern came first": hours.median().reindex(PERIODS).round(1)
                                                .to_numpy(),
        "Shortest (hours)": hours.min().reindex(PERIODS).to_numpy(),
        "Longest (hours)": hours.max().reindex(PERIODS).to_numpy(),
    })
    return table


def lead_time_words() -> str:
    """How far ahead of the team the families were, in words, from :func:`lead_times`."""
    t = lead_times().set_index("Period")
    worse = int(t["Patients who deteriorated"].sum())
    frame = concerns()
    first = frame.loc[frame["deteriorated"], "hours_concern_before_recognition"]
    before, after = (t.loc[p, "Median hours the concern came first"] for p in PERIODS)
    ahead = int((first > 0).sum())
    which = "every one" if ahead == worse else f"{ahead} of the {worse}"
    return (f"Of the {len(frame)} concerns, {worse} were about a patient who went on to get "
            f"worse. In {which}, the concern came first: before the scheme, a median of "
            f"{before:.1f} hours before the team recognised it; after the scheme, {after:.1f} "
            "hours.")


def balancing() -> pd.DataFrame:
    """The balancing measures per period: calls, outreach reviews and clinician hours a week."""
    frame = concerns()
    weeks = frame.groupby("period")["week"].nunique().reindex(PERIODS)
    outreach = frame["reviewed_by"] == "critical care outreach"
    per_week = pd.DataFrame({
        "concerns": frame.groupby("period").size(),
        "outreach": frame[outreach].groupby("period").size(),
        "outreach_hours": frame[outreach].groupby("period")["review_minutes"].sum() / 60,
        "all_hours": frame.groupby("period")["review_minutes"].sum() / 60,
    }).reindex(PERIODS).div(weeks, axis=0)
    return pd.DataFrame({
        "Period": list(PERIODS),
        "Concerns a week": per_week["concerns"].round(1).to_numpy(),
        "Outreach reviews a week": per_week["outreach"].round(1).to_numpy(),
        "Outreach hours a week": per_week["outreach_hours"].round(1).to_numpy(),
        "Clinician hours on reviews a week": per_week["all_hours"].round(1).to_numpy(),
    })


def balancing_words() -> str:
    """What the scheme cost, in words, from :func:`balancing`."""
    t = balancing().set_index("Period")
    b, a = (t.loc[p] for p in PERIODS)
    return (f"Concerns rose from {b['Concerns a week']:.1f} to {a['Concerns a week']:.1f} a week, "
            f"and the outreach team's time on them from {b['Outreach hours a week']:.1f} to "
            f"{a['Outreach hours a week']:.1f} hours a week. That is the price of listening: "
            "watch it, and plan for it, alongside the review times.")


# ------------------------------------------------------------------- exercises
def _median_hours(period: str) -> float:
    t = lead_times().set_index("Period")
    return float(t.loc[period, "Median hours the concern came first"])


def check_hours_first(answer: object) -> Feedback:
    """Exercise 40.1: before the scheme, by how many hours (median) did the concern come first?"""
    if is_blank(answer):
        return Feedback(False, NOT_YET, answered=False)
    found = read_numbers(answer)
    if not found:
        return Feedback(False, "Type a number of hours, for example 4.5.")
    right = _median_hours(PERIODS[0])
    if abs(found[0] - right) <= 0.5:
        return Feedback(True, f"About {right:.1f} hours: the family saw it first, by most of a "
                              "shift.")
    if abs(found[0] - _median_hours(PERIODS[1])) <= 0.05:
        return Feedback(False, "That is the figure after the scheme. Read the row for before "
                               "the scheme.")
    return Feedback(False, f"Not {found[0]:g}. Read the column 'Median hours the concern came "
                           "first', in the row for before the scheme.")


def check_median_after(answer: object) -> Feedback:
    """Exercise 40.2: the median minutes to review after the scheme (the recalculated centre)."""
    if is_blank(answer):
        return Feedback(False, NOT_YET, answered=False)
    found = read_numbers(answer)
    if not found:
        return Feedback(False, "Type a number of minutes, for example 60.")
    right = float(review_chart(True).summary["centre"])
    before = float(review_chart(False).table["centre"].iloc[0])
    if abs(found[0] - right) <= 1:
        return Feedback(True, f"About {right:.0f} minutes, down from {before:.0f} before the "
                              "scheme.")
    if abs(found[0] - before) <= 1:
        return Feedback(False, "That is the median before the scheme. Choose the recalculated "
                               "centre line and read the new median.")
    return Feedback(False, f"Not {found[0]:g}. Choose 'recalculated from the scheme's start' and "
                           "read the median in the words under the chart.")


def answers() -> dict[str, str]:
    """The answers the facilitator page prints (``{course}`l40-...```), from the results."""
    t = lead_times().set_index("Period")
    return {
        "40.1": f"{t.loc[PERIODS[0], 'Median hours the concern came first']:.1f} hours",
        "40.2": f"{float(review_chart(True).summary['centre']):.0f} minutes",
        "lead": lead_time_words(),
        "fixed": review_chart(False).describe(),
        "balancing": balancing_words(),
    }
