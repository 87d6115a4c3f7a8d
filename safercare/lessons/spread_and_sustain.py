"""Lesson 14, *Spread and sustain*: the Breakthrough Series collaborative model, holding the
gains after handover (Plover ward's days extended by a seeded simulation), the shared-case
format, the exercise checks and the words the lesson prints (made from the results).

The six months after handover are **simulated here** with a fixed seed (:data:`SEED`): the
days keep Plover ward's own daily discharge counts (resampled) and the chance of leaving
before noon it reached after the adopted change, until :data:`SLIP_DATE`, when the story
says the ward pharmacist's afternoon session was cut and the chance falls back halfway to
where it started. The chart (weekly totals) is judged against limits recalculated from the
adopted change and frozen at handover, so a slip shows as a signal of concern.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from safercare import spc
from safercare.lessons import pdsa_done_properly as l11
from safercare.lessons.common import NOT_YET, Feedback, is_blank, squash
from safercare.widgets.explore import Explorer, Slider, View

#: The simulation's seed (the six months after handover are generated, not recorded).
SEED = 2025
#: The day the improvement team handed the change over to the ward.
HANDOVER = pd.Timestamp("2025-04-01")
#: The last simulated day.
END = pd.Timestamp("2025-09-30")
#: The day the simulated slip begins (the pharmacist's afternoon session is cut).
SLIP_DATE = pd.Timestamp("2025-07-07")
#: How far back the chance of leaving before noon falls at the slip (half the gain).
SLIP_SHARE = 0.5

#: The Breakthrough Series collaborative model, in the order a collaborative runs it
#: (Institute for Healthcare Improvement 2003).
BREAKTHROUGH_SERIES = (
    ("Choose the topic", "A gap between what is known to work and what is done, where "
     "better care is possible now."),
    ("Recruit the faculty", "Experts in the topic and in improvement plan the collaborative "
     "and its change package (the ideas worth testing)."),
    ("Enrol teams", "Organisations join with a team each, a senior sponsor and a day-to-day "
     "leader; pre-work: an aim, measures and a first look at their own data."),
    ("Learning session 1", "Teams meet for one or two days: the change package, the Model "
     "for Improvement, and plans for their first PDSA cycles."),
    ("Action period 1", "At home, teams test changes in PDSA cycles and report their "
     "measures every month; calls and an online space keep them in touch."),
    ("Learning sessions 2 and 3, with action periods", "Teams share what worked and what did "
     "not, and test again, bigger, at home."),
    ("Summative congress", "Teams present their results and the changes that worked; the "
     "learning is written up for others."),
)

#: The sections of the shared case, in order (the printable template uses the same).
CASE_SECTIONS = ("Title", "Where and who", "The problem and the aim", "The change that worked",
                 "How it was tested", "What did not work", "Results", "Holding the gains",
                 "Advice to the next team")


@lru_cache(maxsize=1)
def sustain_days() -> pd.DataFrame:
    """Plover ward's days from the adopted change to 30 September 2025: recorded to 31
    March, simulated (seed :data:`SEED`) after handover. Column ``simulated`` says which."""
    days = l11.plover_days()
    start = pd.Timestamp(l11.adopted_ward_cycle().do_date)
    before = days[days["date"] < start]
    after = days[days["date"] >= start]
    p_base = before["discharges_before_noon"].sum() / before["discharges"].sum()
    p_gain = after["discharges_before_noon"].sum() / after["discharges"].sum()
    rng = np.random.default_rng(SEED)
    dates = pd.date_range(HANDOVER, END, freq="D")
    counts = rng.choice(days["discharges"].to_numpy(), size=len(dates))
    p = np.where(dates < SLIP_DATE, p_gain, p_gain - SLIP_SHARE * (p_gain - p_base))
    noon = rng.binomial(counts, p)
    new = pd.DataFrame({"date": dates, "discharges": counts, "discharges_before_noon": noon})
    recorded = after[["date", "discharges", "discharges_before_noon"]]
    return pd.concat([recorded.assign(simulated=False), new.assign(simulated=True)],
                     ignore_index=True)


def sustain_weeks() -> pd.DataFrame:
    """:func:`sustain_days` summed into whole weeks that start on a handover weekday, so one
    week boundary falls on the handover day; a part-week at either end is left out (a
    week of daily counts reads far better on a chart than 300 single days)."""
    days = sustain_days()
    offset = (days["date"] - HANDOVER).dt.days // 7
    week = HANDOVER + pd.to_timedelta(7 * offset, unit="D")
    weeks = days.groupby(week.rename("week")).agg(
        discharges=("discharges", "sum"), discharges_before_noon=("discharges_before_noon", "sum"),
        days=("date", "size"), simulated=("simulated", "all")).reset_index()
    return weeks[weeks["days"] == 7].reset_index(drop=True)


def sustain_chart(until: pd.Timestamp | None = None) -> spc.SPCResult:
    """The weekly p chart from the adopted change onwards: limits recalculated from that
    change (the weeks up to handover), frozen, and every later week judged against them."""
    weeks = sustain_weeks()
    if until is not None:
        weeks = weeks[weeks["week"] <= until]
    base = int((weeks["week"] < HANDOVER).sum())
    return spc.p_chart(weeks, "discharges_before_noon", "discharges", "week", baseline=base,
                       direction="higher")


def first_slip(result: spc.SPCResult | None = None) -> pd.Timestamp | None:
    """The first week after handover flagged as a signal of concern (None if there is none);
    the date is the week's first day."""
    result = result or sustain_chart()
    table = result.table
    flagged = table[(table["date"] >= HANDOVER) & table["signal_low"]]
    return None if flagged.empty else pd.Timestamp(flagged["date"].iloc[0])


def sustain_words(result: spc.SPCResult | None = None) -> str:
    """Holding the gains, in words: from the chart's own description and signals."""
    result = result or sustain_chart()
    slip = first_slip(result)
    table = result.table
    after = table[table["date"] >= HANDOVER]
    if after.empty:
        return "Handover has not happened yet on this chart. " + result.describe()
    held = ("no week after handover signals slipping back: the gain is holding"
            if slip is None else
            f"the gain held from handover on {HANDOVER:%-d %B %Y} until "
            f"the week of {slip:%-d %B %Y}, the first week that signals slipping back")
    planted = ""
    if slip is not None and slip >= SLIP_DATE:
        weeks = (slip - SLIP_DATE).days // 7
        planted = (f" In the simulation the slip began on {SLIP_DATE:%-d %B %Y}: the first "
                   f"week flagged is {weeks} weeks later, and the flag itself only appears "
                   "once enough weeks in a row sit below the centre line.")
    return f"After handover, {held}.{planted} The chart: {result.describe()}"


def months_after(k: int) -> pd.Timestamp:
    """The last day of the ``k``-th month after handover (k = 0: the day before handover)."""
    return HANDOVER + pd.DateOffset(months=k) - pd.Timedelta(days=1)


def sustain_view(months: int) -> View:
    """One state: the chart with ``months`` months after handover."""
    result = sustain_chart(months_after(months))
    fig = l11.annotated(result, title="Plover ward after handover: discharges before noon")
    return View(figure=fig, words=sustain_words(result))


def sustain_explorer() -> Explorer:
    """Add the months after handover one at a time; watch for slipping back."""
    months = int(round((END - HANDOVER).days / 30.4))
    return Explorer("Holding the gains after handover",
                    controls=[Slider("months", "Months after handover",
                                     list(range(0, months + 1)), default=months,
                                     text="{} months")],
                    render=lambda state: sustain_view(int(state["months"])))


# ---------------------------------------------------------------------- the case
def case_study() -> str:
    """Plover ward's tested change as a shared case, in :data:`CASE_SECTIONS` order, made
    from the log and the charts (Markdown)."""
    log = l11.plover_log()
    adopted = l11.adopted_ward_cycle(log)
    chain = log.chain(adopted.cycle_id)
    abandoned = [c for c in log if c.decision == "abandon"]
    fixed = l11.p_chart()
    ramp = " → ".join(f"{c} ({log[c].scale}, {log[c].decision})" for c in chain)
    body = {
        "Title": f"{adopted.change_idea} (Plover ward)",
        "Where and who": "Plover ward, a 31-bed respiratory ward; the ward team, its "
                         "pharmacist and the improvement team (synthetic).",
        "The problem and the aim": adopted.aim,
        "The change that worked": f"{adopted.change_idea}. {adopted.learning}.",
        "How it was tested": f"A ramp of {len(chain)} linked cycles: {ramp}.",
        "What did not work": " ".join(f"{c.cycle_id}, {c.change_idea.lower()}: "
                                      f"{c.learning}." for c in abandoned),
        "Results": fixed.describe(),
        "Holding the gains": sustain_words(),
        "Advice to the next team": "Start with one patient; write a number in every "
                                   "prediction; keep the daily chart going after handover.",
    }
    return "\n\n".join(f"**{k}.** {body[k]}" for k in CASE_SECTIONS)


# ---------------------------------------------------------------------- exercises
def _read_date(answer: object) -> pd.Timestamp | None:
    text = str(answer).strip()
    for dayfirst in (False, True):
        try:
            return pd.Timestamp(pd.to_datetime(text, dayfirst=dayfirst, format="mixed"))
        except (ValueError, TypeError):
            continue
    return None


def check_slip_date(answer: object, result: spc.SPCResult | None = None) -> Feedback:
    """Exercise 14.1: from which day does the chart first signal slipping back?

    Accepts a date in the first flagged week or within a week either side of it (reading a
    day off a ten-month chart is not exact).
    """
    if is_blank(answer):
        return Feedback(False, NOT_YET, answered=False)
    given = _read_date(answer)
    if given is None:
        return Feedback(False, 'Type a date, for example "2025-05-20" or "20 May 2025".')
    slip = first_slip(result)
    if slip is None:
        return Feedback(False, "This chart has no signal of slipping back.")
    if -7 <= (given - slip).days <= 13:
        return Feedback(True, f"The first signal of concern is the week of {slip:%-d %B %Y}. "
                              + sustain_words(result))
    way = "before" if given < slip else "after"
    return Feedback(False, f"{given:%-d %B %Y} is more than a week {way} the first orange "
                           "point below the centre line. Look for the first point the chart "
                           "marks as a concern after handover.")


def check_action_period(answer: object) -> Feedback:
    """Exercise 14.2: in the Breakthrough Series, what is the time between learning sessions?"""
    if is_blank(answer):
        return Feedback(False, NOT_YET, answered=False)
    if "action" in squash(answer):
        return Feedback(True, "An action period: teams test changes at home in PDSA cycles "
                              "and report their measures every month.")
    return Feedback(False, 'Look at the table of the model: two words, the second is "period".')


def answers() -> dict[str, str]:
    """The exercises' answers in words, for the trainer page (``{course}`l14-...```)."""
    slip = first_slip()
    return {"14.1": (f"the week of {slip:%-d %B %Y}" if slip is not None
                     else "no week signals slipping back"),
            "sustain": sustain_words()}
