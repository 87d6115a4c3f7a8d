"""Lesson 5, *Rare events*: its situation, exercise checks, the words it prints about its
charts, the "days since" board explorer (precomputed states, so it responds in the static
book) and the room's own dice incidents (a live form: it needs Python).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import ipywidgets as w
import pandas as pd
from IPython.display import Markdown

from safercare import evaluation, spc
from safercare.lessons.common import (
    WIDE,
    Feedback,
    live_form,
    no_answer,
    organisation_names,
    read_percent,
    squash,
)
from safercare.widgets.explore import Explorer, Slider, Stepper, View

#: The situation of lesson 5: which trust, which events, when the change started.
LESSON5: dict[str, Any] = {
    "cdiff_trust": "C03-AT1",
    "cdiff_start": "2023-10-01",
    "si_trust": "C15-AT2",
    "si_start": "2023-04-01",
    "board_mean_gap": 45,
    "board_days": 90,
}


def _events(trust: str, kind: str) -> pd.DataFrame:
    from safercare import data

    events = data.load("rare_events")
    pick = (events["trust_id"] == trust) & (events["event_type"] == kind)
    return events[pick.to_numpy()].reset_index(drop=True)


def _t_chart(trust: str, kind: str, start: str) -> Any:
    """The lesson's t chart: days between events, limits fixed on the gaps before ``start``."""
    from safercare import spc

    gaps = evaluation.gaps_between(_events(trust, kind)["event_date"])
    baseline = evaluation.count_before(gaps["date"], start)
    return spc.t_chart(gaps, value="time_between", date="date", direction="higher",
                       baseline=baseline)


@lru_cache(maxsize=1)
def _cdiff_chart() -> Any:
    return _t_chart(LESSON5["cdiff_trust"], "c_difficile", LESSON5["cdiff_start"])


@lru_cache(maxsize=1)
def _si_chart() -> Any:
    return _t_chart(LESSON5["si_trust"], "serious_incident", LESSON5["si_start"])


def _first_improvement(result: Any, start: str) -> pd.Timestamp | None:
    t = result.table
    after = t[(t["date"] >= pd.Timestamp(start)) & (t["verdict"] == "improvement")]
    return None if after.empty else pd.Timestamp(after["date"].iloc[0])


def _cases_until_signal() -> int:
    """Cases after the programme started, up to and including the first signal."""
    t = _cdiff_chart().table
    after = t[t["date"] >= pd.Timestamp(LESSON5["cdiff_start"])].reset_index(drop=True)
    hits = after.index[after["verdict"] == "improvement"]
    return int(hits[0]) + 1 if len(hits) else 0


# ------------------------------------------------------------------------- lesson 5
def check_board_chance(answer: Any) -> Feedback:
    """Exercise 5.1: chance of a 90-day gap when incidents come every 45 days on average."""
    value, note = read_percent(answer)
    if value is None:
        return no_answer("my_answer = 25", answer)
    right = 100 * evaluation.gap_chance(LESSON5["board_mean_gap"], LESSON5["board_days"])
    if abs(value - right) <= 1.5:
        return Feedback(True, f"About {right:.0f}% of gaps last {LESSON5['board_days']} days "
                              "or more with no change at all: roughly one gap in seven. A "
                              "long run on the board is not, on its own, evidence that "
                              f"the ward is safer.{note}")
    if value > 90:
        hint = ("That is close to certain. Remember that a gap this long needs two average "
                "gaps in a row without an incident.")
    elif abs(value - 50) < 3:
        hint = ("Half would be right for a gap of about 31 days, the median gap. A 90-day "
                "gap is twice the average gap, which is rarer.")
    elif value < 5:
        hint = ("That is too rare. Random events leave long gaps more often than people "
                "expect: set the board explorer to these two numbers and read the "
                "percentage.")
    else:
        hint = ("Set the board explorer's average gap to 45 days and the board to 90 days, "
                "and read the percentage in its words.")
    return Feedback(False, f"You said {value:g}%. {hint}{note}")


def _as_date(answer: Any) -> pd.Timestamp | None:
    try:
        stamp = pd.Timestamp(answer) if not isinstance(answer, str) else None
    except (TypeError, ValueError):
        stamp = None
    if stamp is None:
        parsed = evaluation._read_dates(pd.Series([str(answer)]))  # noqa: SLF001
        stamp = parsed.iloc[0]
    return None if pd.isna(stamp) else pd.Timestamp(stamp).normalize()


def check_first_signal(answer: Any) -> Feedback:
    """Exercise 5.2: the date of the first case the t chart marks as an improvement."""
    when = _as_date(answer)
    if when is None:
        return no_answer('my_answer = "2024-01-31"', answer)
    right = _first_improvement(_cdiff_chart(), LESSON5["cdiff_start"])
    start = pd.Timestamp(LESSON5["cdiff_start"])
    if right is None:  # pragma: no cover - the data plants a change
        return Feedback(False, "The chart shows no improvement signal after the change.")
    if when == right:
        days = (right - start).days
        return Feedback(True, f"The first blue point is the case on {right:%d %B %Y}, "
                              f"{days} days after the stewardship programme started. "
                              "Compare that with the monthly counts, which took much longer "
                              "to say anything.")
    if when < start:
        return Feedback(False, f"{when:%d %B %Y} is before the programme started on "
                               f"{start:%d %B %Y}. Look for the first blue square to the right "
                               "of October 2023, when the programme started.")
    if when < right:
        return Feedback(False, f"{when:%d %B %Y} is after the start, but the chart has not "
                               "signalled yet on that date. Look a little further to the right "
                               "for the first blue square.")
    return Feedback(False, f"On {when:%d %B %Y} the chart had already signalled. There is an "
                           "earlier blue square: the first one after October 2023.")


def _si_verdict() -> str:
    t = _si_chart().table
    after = t[t["date"] >= pd.Timestamp(LESSON5["si_start"])]
    verdicts = set(after["verdict"].astype(str))
    if "improvement" in verdicts:
        return "improvement"
    if "concern" in verdicts:
        return "concern"
    return "no signal"


def check_serious_incidents(answer: Any) -> Feedback:
    """Exercise 5.3: improvement, concern or no signal for serious incidents since April 2023?"""
    text = "" if answer is None else squash(answer)
    if "improv" in text or "better" in text or "rarer" in text:
        said = "improvement"
    elif "concern" in text or "worse" in text:
        said = "concern"
    elif text and ("no" in text or "none" in text or "common" in text):
        said = "no signal"
    else:
        return no_answer('my_answer = "no signal"', answer)
    right = _si_verdict()
    if said == right:
        trust = organisation_names()[LESSON5['si_trust']]
        return Feedback(True, f"Serious incidents at {trust} became rarer after the new "
                              "safety handover: the gaps between them lengthened until the "
                              "chart signalled. A monthly count of 0 or 1 would hardly have "
                              "shown it.")
    if said == "concern":
        return Feedback(False, "On a t chart a higher point means a longer gap between "
                               "incidents, which is good. Look at which way the points moved.")
    return Feedback(False, "Look again at the points after April 2023: do any of them "
                           "change colour or shape?")


#: The board explorer's choices (3 x 3 x 4 states; the chart depends on gap and year only).
BOARD_GAPS = (15, 45, 90)
BOARD_DAYS = (30, 90, 180)
BOARD_YEARS = 3


def board_words(gap: int, days: int, year_seed: int | None = None) -> str:
    """How often a board reaches ``days`` by chance when incidents come every ``gap`` days."""
    one = evaluation.gap_chance(gap, days)
    year = evaluation.streak_chance(gap, days, 365, seed=year_seed)
    return (f"With an incident every **{gap} days** on average and nothing changing, one gap "
            f"lasts **{days} days or more** {one:.0%} of the time, and the board reaches "
            f"{days} at least once in **{year:.0%}** of years.")


def days_since_explorer(seed: int = 2024) -> Explorer:
    """A ward where nothing changes: how long does its "days since" board run?

    Every state is computed here (the book's page only switches between them): the
    average gap, the board's target and which simulated year (``seed + year``).
    """
    boards: dict[tuple[int, int], Any] = {}

    def board(gap: int, year: int) -> Any:
        if (gap, year) not in boards:
            dates = evaluation.simulate_event_dates(gap, "2024-01-01", "2024-12-31",
                                                    seed=seed + year)
            boards[gap, year] = None if len(dates) == 0 else evaluation.days_since_last(
                dates, start="2024-01-01", end="2024-12-31", label="incident")
        return boards[gap, year]

    figures: dict[tuple[int, int], Any] = {}
    # The chances depend on the gap and the target only: worked out once for every year.
    chances = {(gap, days): board_words(gap, days, year_seed=seed)
               for gap in BOARD_GAPS for days in BOARD_DAYS}

    def render(state: dict[str, Any]) -> View:
        gap, days, year = state["gap"], state["days"], state["year"]
        words = chances[gap, days]
        result = board(gap, year)
        if result is None:
            return View(words=f"{words}\n\nSimulated year {year + 1}: no incidents at all, "
                              "by chance. Simulate another year.")
        if (gap, year) not in figures:
            figures[gap, year] = result.plot(
                title=f"A ward where nothing changes: simulated year {year + 1}")
        return View(figure=figures[gap, year],
                    words=f"{words}\n\n**Simulated year {year + 1}.** {result.describe()}")

    return Explorer(
        "A 'days since the last incident' board when nothing changes",
        controls=[
            Slider("gap", "Average days between incidents", BOARD_GAPS, default=45,
                   text="{} days"),
            Slider("days", "Board reaches (days)", BOARD_DAYS, default=90, text="{} days"),
            Stepper("Simulated year", steps=BOARD_YEARS, name="year",
                    button_text="Simulate another year", reset_text="Back to the first year",
                    counter="Other years simulated: {step} of {steps}"),
        ],
        render=render,
    )


def monthly_shift_words(result: Any, start: str) -> str:
    """What the monthly chart needs before it can show a change, from its own rules.

    The shift length comes from the chart's rule profile (Making Data Count: 6), and the
    months from the chart's table: when the run after ``start`` began, and the month in
    which it first had enough points to be a shift (the earliest anyone could know).
    """
    n = result.profile.shift_length
    t = result.table
    after = t[t["date"] >= pd.Timestamp(start)].reset_index(drop=True)
    text = (f"On this chart ({result.profile.name.upper()} rules) a **shift** is {n} or more "
            f"points in a row on one side of the mean, so the earliest it can show a change "
            f"is the {_ordinal(n)} month after the start.")
    low = after["shift"] & (after["value"] < after["centre"])
    if not low.iloc[:1].all() or len(after) < n:
        return text + " No shift below the mean starts in the first month after the start."
    return (text + f" Here the run begins in {after['date'].iloc[0]:%B %Y} and reaches "
            f"{n} points in {after['date'].iloc[n - 1]:%B %Y}: the chart then colours the "
            f"whole run from {after['date'].iloc[0]:%B %Y}, but nobody could know it before "
            f"{after['date'].iloc[n - 1]:%B %Y}'s figure arrived, some weeks later.")


def before_start_words(result: Any, start: str) -> str:
    """What the monthly chart marks before the programme started (e.g. a run of concern)."""
    t = result.table
    before = t[t["date"] < pd.Timestamp(start)]
    worse = before[before["verdict"].astype(str) == "concern"]
    if worse.empty:
        return "Before the programme the chart marks no month as a concern."
    return (f"Before the programme, the chart marks {len(worse)} months from "
            f"{worse['date'].iloc[0]:%B %Y} to {worse['date'].iloc[-1]:%B %Y} as a **concern** "
            "(orange triangles): a run of months above the old average.")


def first_cases_table(result: Any, start: str, n: int = 4) -> Any:
    """The first ``n`` cases after ``start``: date, days since the case before, the upper
    limit and the chart's verdict (no row numbers; days as whole numbers)."""
    from safercare.lessons.common import show_table

    t = result.table
    after = t[t["date"] >= pd.Timestamp(start)].head(n)
    table = pd.DataFrame({
        "case on": after["date"].dt.normalize(),
        "days since the case before": after["value"].round().astype(int),
        "upper limit (days)": after["upper"].round().astype(int),
        "verdict": after["verdict"].astype(str).str.replace("_", " "),
    })
    return show_table(table)


def _ordinal(n: int) -> str:
    words = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth",
             7: "seventh", 8: "eighth", 9: "ninth", 10: "tenth"}
    return words.get(n, f"{n}th")


def first_signal_words(result: Any, start: str) -> str:
    """The t chart's first improvement after ``start``: which case, how many cases in."""
    when = _first_improvement(result, start)
    if when is None:
        return "The t chart shows no improvement signal after the start."
    t = result.table
    after = t[t["date"] >= pd.Timestamp(start)].reset_index(drop=True)
    cases = int(after.index[after["date"] == when][0]) + 1
    row = after.loc[cases - 1]
    return (f"The t chart signals an improvement at case number {cases} after the start "
            f"(on {when:%d %B %Y}, {row['value']:.0f} days after the case before, above the "
            f"upper limit of {row['upper']:.0f} days).")


def chance_words(gap: int, days: int) -> str:
    """One gap's chance of lasting ``days`` when events come every ``gap`` days on average."""
    one = evaluation.gap_chance(gap, days)
    return (f"With an incident every {gap} days on average, a gap of {days} days or more "
            f"happens {one:.0%} of the time when nothing has changed: about 1 gap in "
            f"{1 / one:.1f}.")


_DAYS = "4, 5, 11, 19, 20, 26, 33, 34, 41, 52, 58, 60"


def live_rare_events(example: str = _DAYS, start: str = "2024-01-01") -> w.VBox:
    """Type the day numbers on which the room's dice gave an incident; chart the gaps."""
    box = w.Textarea(value=example, rows=3, layout=w.Layout(width="420px"),
                     description="Days with an incident (day 1 is the first day)", style=WIDE)

    def read() -> tuple[spc.SPCResult, evaluation.DaysSinceResult]:
        dates = evaluation.dates_from_days(box.value, start)
        gaps = evaluation.gaps_between(dates)
        chart = spc.t_chart(gaps, value="time_between", date="date", direction="higher")
        return chart, evaluation.days_since_last(dates, label="incident")

    def show(results: tuple[spc.SPCResult, evaluation.DaysSinceResult]) -> list[object]:
        # One chart per press (the board in words), so a press redraws in about 100 ms.
        chart, board = results
        return [chart.plot(), Markdown(f"**In words:** {chart.describe()}"),
                Markdown(f"**The board:** {board.describe()}")]

    return live_form("Your room's incidents: days between and the board", [box],
                      "Chart the gaps",
                      "Draw a t chart of the days between incidents; describe the board",
                      read, show)
