"""Lesson 5, *Rare events*: its situation, exercise checks and widgets (the "days since"
board and the room's own dice incidents).
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
    WIDE_LAYOUT,
    Feedback,
    live_form,
    no_answer,
    organisation_names,
    read_percent,
    show_in,
    squash,
)

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
        hint = ("That is too rare. Use `gap_chance(45, 90)` from the cell above: random "
                "events leave long gaps more often than people expect.")
    else:
        hint = "Run `gap_chance(45, 90)` in the cell above and read the percentage."
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


def days_since_explorer(seed: int | None = 2024) -> w.VBox:
    """A ward where nothing changes: how long does its "days since" board run?"""
    gap = w.IntSlider(value=45, min=5, max=180, step=5, continuous_update=False,
                      description="Average days between incidents", style=WIDE,
                      layout=WIDE_LAYOUT)
    streak = w.IntSlider(value=90, min=10, max=365, step=5, continuous_update=False,
                         description="Board reaches (days)", style=WIDE, layout=WIDE_LAYOUT)
    again = w.Button(description="Simulate another year", button_style="primary",
                     tooltip="Draw a new year of incidents at the same rate")
    state = {"seed": seed}
    out = w.Output()

    def update(_: object = None) -> None:
        dates = evaluation.simulate_event_dates(gap.value, "2024-01-01", "2024-12-31",
                                                seed=state["seed"])
        if len(dates) == 0:
            show_in(out, Markdown("No incidents at all this year, by chance. Simulate again."))
            return
        board = evaluation.days_since_last(dates, start="2024-01-01", end="2024-12-31",
                                           label="incident")
        one = evaluation.gap_chance(gap.value, streak.value)
        year = evaluation.streak_chance(gap.value, streak.value, 365, seed=seed)
        text = (f"With an incident every **{gap.value} days** on average and nothing changing, "
                f"one gap lasts **{streak.value} days or more** {one:.0%} of the time, and the "
                f"board reaches {streak.value} at least once in **{year:.0%}** of years.")
        show_in(out, Markdown(text), board.plot(), Markdown(board.describe()))

    def another(_: object) -> None:
        state["seed"] = (state["seed"] or 0) + 1
        update()

    gap.observe(update, names="value")
    streak.observe(update, names="value")
    again.on_click(another)
    update()
    return w.VBox([w.HTML("<b>A 'days since the last incident' board when nothing changes</b>"),
                   gap, streak, again, out])


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
        chart, board = results
        return [chart.plot(), Markdown(chart.describe()), board.plot(),
                Markdown(board.describe())]

    return live_form("Your room's incidents: days between and the board", [box],
                      "Chart the gaps",
                      "Draw a t chart of the days between incidents, and the board", read, show)
