"""Lesson 11, *PDSA done properly*: Plover ward's log, its ramp, its cycles on the ward's
charts, the lounge's misleading before-after pair, the exercise checks and the words the
lesson prints (made from the log and the charts, never typed).

Everything is computed from the course's datasets ``discharge_before_noon`` and
``discharge_pdsa_log`` with :mod:`safercare.pdsa` and :mod:`safercare.spc`; the cycle
explorer is a :class:`~safercare.widgets.explore.Explorer`, so it responds in the static
book too.
"""

from __future__ import annotations

import dataclasses
import textwrap
from functools import lru_cache
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from safercare import data, spc, style
from safercare.lessons.common import NOT_YET, Feedback, is_blank, read_numbers, squash
from safercare.pdsa import Cycle, PDSALog, annotate
from safercare.pdsa.log import parse_scale
from safercare.widgets.explore import Choice, Explorer, View

#: The chart's columns (discharge_before_noon).
NUMERATOR, DENOMINATOR, DATE = "discharges_before_noon", "discharges", "date"
#: Days either side of a test in the before-after pair (three weeks, as the lounge ran).
PAIR_DAYS = 21


@lru_cache(maxsize=1)
def plover_log() -> PDSALog:
    """Plover ward's PDSA log (the course dataset), checked."""
    return PDSALog.from_frame(data.load("discharge_pdsa_log"), source="discharge_pdsa_log")


@lru_cache(maxsize=1)
def plover_days() -> pd.DataFrame:
    """Plover ward's days: discharges and discharges before noon."""
    return data.load("discharge_before_noon")


def adopted_ward_cycle(log: PDSALog | None = None) -> Cycle:
    """The first cycle adopted at the scale of the whole ward: where the limits are recalculated."""
    log = log or plover_log()
    return next(c for c in log if c.decision == "adopt" and c.do_date is not None
                and parse_scale(c.scale)[1] == "ward")


def days_before(when: Any, days: pd.DataFrame | None = None) -> int:
    """How many days of the data come before ``when`` (a position for ``baseline=``/``phases=``)."""
    days = plover_days() if days is None else days
    return int((days[DATE] < pd.Timestamp(when)).sum())


def p_chart(days: pd.DataFrame | None = None, *, recalculate: bool = False) -> spc.SPCResult:
    """The ward's daily p chart: limits from the days before the adopted change, or (with
    ``recalculate``) recalculated from the day the change was adopted ward-wide."""
    days = plover_days() if days is None else days
    start = days_before(adopted_ward_cycle().do_date, days)
    if recalculate:
        return spc.p_chart(days, NUMERATOR, DENOMINATOR, DATE, phases=[start],
                           direction="higher")
    return spc.p_chart(days, NUMERATOR, DENOMINATOR, DATE, baseline=start, direction="higher")


def daily_percent(days: pd.DataFrame | None = None) -> pd.DataFrame:
    """The day's discharges before noon as a percentage of the day's discharges."""
    days = plover_days() if days is None else days
    return pd.DataFrame({DATE: days[DATE],
                         "percent": 100 * days[NUMERATOR] / days[DENOMINATOR]})


def run_chart() -> spc.SPCResult:
    """A run chart of the daily percentage, its median from the days before the adopted change."""
    start = days_before(adopted_ward_cycle().do_date)
    return spc.run_chart(daily_percent(), "percent", DATE, baseline=start, direction="higher")


#: The measure's name on a chart's vertical axis.
YLABEL = "Discharges before noon (%)"


def annotated(result: spc.SPCResult, log: PDSALog | None = None, *,
              title: str | None = None) -> Figure:
    """A chart with the log's cycles marked at their do dates (alt text from both)."""
    fig = result.plot(title=title)
    fig.axes[0].set_ylabel(YLABEL)
    return annotate(fig, log or plover_log())


def missed_prediction_words(log: PDSALog | None = None) -> str:
    """The log's missed chances, each cycle named, in the log's own words (``log.notes``)."""
    log = log or plover_log()
    missed = log.missed_predictions()
    if not missed:
        return "Every cycle in the log has a written prediction."
    note = next(n for n in log.notes if n.column == "prediction")
    lines = []
    for cycle_id in missed:
        c = log[cycle_id]
        found = (f" Its result ({c.result_value:g}, {c.measure}) has nothing to be held "
                 "against." if c.result_value is not None else "")
        lines.append(f"**{cycle_id}** ({c.change_idea}; {c.scale}): {note.what}.{found} "
                     f"Next time, {note.fix.removeprefix('next time, ')}.")
    return "\n\n".join(lines)


def prediction_table(log: PDSALog | None = None) -> pd.DataFrame:
    """Prediction against result for every cycle, as a reader sees it."""
    table = (log or plover_log()).prediction_vs_result()
    return pd.DataFrame({"Cycle": table["cycle_id"], "Scale": table["scale"],
                         "Predicted": table["predicted_value"], "Found": table["result_value"],
                         "Decision": table["decision"].fillna(""),
                         "In words": table["in_words"]})


def biggest_miss(log: PDSALog | None = None) -> pd.Series:
    """The tested cycle whose result was furthest from its prediction."""
    table = (log or plover_log()).prediction_vs_result()
    return table.loc[table["abs_difference"].idxmax()]


# ------------------------------------------------------------------ before and after
def before_after(cycle_id: str = "C7", days: int = PAIR_DAYS) -> dict[str, Any]:
    """The before-after pair a team might report for a cycle: the ``days`` before its do
    date against the ``days`` from it (totals of both counts, as a percentage)."""
    cycle = plover_log()[cycle_id]
    frame = plover_days()
    start = pd.Timestamp(cycle.do_date)
    span = pd.Timedelta(days=days)
    out: dict[str, Any] = {"cycle": cycle_id, "days": days, "start": start}
    for name, lo, hi in (("before", start - span, start), ("during", start, start + span)):
        part = frame[(frame[DATE] >= lo) & (frame[DATE] < hi)]
        out[name] = {"numerator": int(part[NUMERATOR].sum()),
                     "denominator": int(part[DENOMINATOR].sum())}
        out[name]["percent"] = 100 * out[name]["numerator"] / out[name]["denominator"]
    out["change"] = out["during"]["percent"] - out["before"]["percent"]
    return out


def plot_before_after(pair: dict[str, Any]) -> Figure:
    """The pair as two bars, the way a before-after slide shows it (alt text from the numbers)."""
    fig, ax = style.new_axes(figsize=(6.0, 3.8))
    labels = [f"{pair['days'] // 7} weeks before", f"{pair['days'] // 7} weeks during"]
    values = [pair["before"]["percent"], pair["during"]["percent"]]
    bars = ax.bar(labels, values, color=[style.GREY, style.ORANGE], edgecolor="black",
                  hatch=["", "//"], width=0.55)
    for bar, v in zip(bars, values, strict=True):
        ax.text(bar.get_x() + bar.get_width() / 2, v + 0.8, f"{v:.1f}%", ha="center")
    style.apply_style(ax, title=f"Before and after {pair['cycle']}: one pair of numbers",
                      ylabel="Discharges before noon (%)")
    ax.set_ylim(0, max(values) * 1.25)
    fig.alt_text = before_after_words(pair)  # type: ignore[attr-defined]
    return fig


def before_after_words(pair: dict[str, Any]) -> str:
    """The pair in words: what a before-after slide would claim."""
    b, d = pair["before"], pair["during"]
    way = "fell" if pair["change"] < 0 else "rose"
    return (f"Bar chart of two numbers. In the {pair['days'] // 7} weeks before "
            f"{pair['cycle']}, {b['numerator']} of {b['denominator']} discharges were before "
            f"noon ({b['percent']:.1f}%); in the {pair['days'] // 7} weeks of the test, "
            f"{d['numerator']} of {d['denominator']} ({d['percent']:.1f}%). On its own the pair "
            f"says discharges before noon {way} by {abs(pair['change']):.1f} percentage points.")


def lounge_chart(cycle_id: str = "C7") -> spc.SPCResult:
    """The p chart of the days since the adopted change, limits fixed on the days before the
    lounge (the answer key's way to judge it)."""
    frame = plover_days()
    since = frame[frame[DATE] >= pd.Timestamp(adopted_ward_cycle().do_date)]
    base = days_before(plover_log()[cycle_id].do_date, since)
    return spc.p_chart(since, NUMERATOR, DENOMINATOR, DATE, baseline=base, direction="higher")


def quiet_pairs(days: int = PAIR_DAYS) -> pd.DataFrame:
    """Every before-after pair of ``days``-day spells in the stable weeks between the adopted
    change and the lounge (no test between them): how much two spells differ by chance.

    ``middle`` is the first day of the second spell; ``change`` is its percentage minus the
    first spell's (both totals of the counts, as :func:`before_after`).
    """
    frame = plover_days()
    lo = pd.Timestamp(adopted_ward_cycle().do_date)
    hi = pd.Timestamp(plover_log()["C7"].do_date)
    part = frame[(frame[DATE] >= lo) & (frame[DATE] < hi)]
    pct = (100 * part[NUMERATOR].rolling(days).sum()
           / part[DENOMINATOR].rolling(days).sum()).to_numpy()
    n = len(part)
    return pd.DataFrame({"middle": part[DATE].to_numpy()[days:n - days + 1],
                         "change": pct[2 * days - 1:] - pct[days - 1:n - days]})


def lounge_words(cycle_id: str = "C7") -> str:
    """What the pair says against what the chart says, from both results."""
    pair = before_after(cycle_id)
    chart = lounge_chart(cycle_id)
    quiet = quiet_pairs()
    after = chart.table[chart.table["date"] >= pair["start"]]
    signals = int((after["signal_high"] | after["signal_low"]).sum())
    chart_says = ("no point after the lounge started is a signal: only common cause variation"
                  if signals == 0 else f"{signals} points after the lounge started are signals")
    widest = float(quiet["change"].abs().max())
    gap = abs(pair["change"])
    verdict = (f"so a gap of {gap:.1f} points is no bigger than chance alone gave"
               if gap <= widest else
               f"so a gap of {gap:.1f} points is bigger than any of them")
    return (f"The pair: {pair['before']['percent']:.1f}% before, "
            f"{pair['during']['percent']:.1f}% during, a change of {pair['change']:+.1f} "
            f"percentage points. The chart: {chart_says}. When nothing was being tested, "
            f"{len(quiet)} pairs of {pair['days'] // 7}-week spells between "
            f"{pd.Timestamp(adopted_ward_cycle().do_date):%-d %B %Y} and "
            f"{pair['start']:%-d %B %Y} differed by as much as {widest:.1f} points, "
            f"{verdict}.")


# ---------------------------------------------------------------------- exercises
def check_missed_prediction(answer: object, log: PDSALog | None = None) -> Feedback:
    """Exercise 11.1: which cycle was run without a written prediction?"""
    log = log or plover_log()
    if is_blank(answer):
        return Feedback(False, NOT_YET, answered=False)
    missed = log.missed_predictions()
    given = squash(answer).upper()
    if given in missed:
        c = log[given]
        return Feedback(True, f"{given} ({c.change_idea.lower()}) had no prediction. Its "
                              f"result, {c.result_value:g}, was good, but the team could not "
                              "tell whether it surprised them, so they learned less.")
    if given in {c.cycle_id for c in log}:
        return Feedback(False, f"{given} has a prediction. Look at the *Predicted* column of "
                               "the table for an empty cell.")
    return Feedback(False, 'Type a cycle\'s name from the log, for example "C2".')


def check_c7_miss(answer: object, log: PDSALog | None = None) -> Feedback:
    """Exercise 11.2: by how many percentage points did the lounge (C7) miss its prediction?"""
    log = log or plover_log()
    if is_blank(answer):
        return Feedback(False, NOT_YET, answered=False)
    numbers = read_numbers(answer)
    if not numbers:
        return Feedback(False, 'Type a number of percentage points, for example "5".')
    c = log["C7"]
    gap = abs(c.result_value - c.predicted_value)
    if abs(abs(numbers[0]) - gap) <= 0.15:
        return Feedback(True, f"C7 predicted {c.predicted_value:g}% and found "
                              f"{c.result_value:g}%: {gap:.1f} points short. A miss this big "
                              "means the team's theory was wrong, which is worth knowing: the "
                              "delay comes before patients are ready to move.")
    return Feedback(False, f"Not {numbers[0]:g}. Take the result from the prediction: find C7's "
                           "row in the table, with its *Predicted* and *Found* numbers.")


def check_lounge(answer: object) -> Feedback:
    """Exercise 11.3: did the lounge change discharges before noon? ("yes" or "no")."""
    if is_blank(answer):
        return Feedback(False, NOT_YET, answered=False)
    word = squash(answer)
    if word not in {"yes", "no"}:
        return Feedback(False, 'Type "yes" or "no".')
    chart = lounge_chart()
    start = before_after()["start"]
    after = chart.table[chart.table["date"] >= start]
    changed = bool((after["signal_high"] | after["signal_low"]).any())
    right = "yes" if changed else "no"
    if word == right:
        return Feedback(True, lounge_words())
    return Feedback(False, "The bars differ, but look at the p chart: is any point after the "
                           "lounge started outside the limits, or part of a run? "
                           + lounge_words())


# ---------------------------------------------------------------------- exploration
def _alone(cycle: Cycle) -> PDSALog:
    """A log of one cycle (its link dropped), to mark it alone on a chart."""
    return PDSALog([dataclasses.replace(cycle, builds_on=None)])


def where_on_chart(cycle: Cycle, result: spc.SPCResult) -> str:
    """Where a cycle sits on the ward's p chart, in words, from the chart's own table."""
    if cycle.do_date is None:
        return f"{cycle.cycle_id} is planned, not tested yet, so it is not on the chart."
    table = result.table
    row = table[table["date"] >= pd.Timestamp(cycle.do_date)].iloc[0]
    unit = parse_scale(cycle.scale)[1]
    size = ("" if unit == "ward" else
            f" It tested {cycle.scale}, too small a part of the ward's days to show on the "
            "ward's chart: its own result is the number that counts.")
    verdict = {"improvement": "a signal of improvement", "concern": "a signal of concern",
               "common_cause": "common cause variation"}.get(str(row["verdict"]),
                                                           str(row["verdict"]))
    return (f"On {row['date']:%-d %B %Y}, the day {cycle.cycle_id} started, the ward's chart "
            f"shows {100 * row['value']:.0f}% before noon against a centre line of "
            f"{100 * row['centre']:.1f}%, {verdict}.{size}")


def cycle_view(cycle_id: str) -> View:
    """One cycle: its prediction, result and decision, and where it sits on the chart."""
    log = plover_log()
    cycle = log[cycle_id]
    result = p_chart(recalculate=True)
    row = log.prediction_vs_result().set_index("cycle_id").loc[cycle_id]
    fig = result.plot(title=f"Plover ward: discharges before noon, with {cycle_id} marked")
    fig.axes[0].set_ylabel(YLABEL)
    fig = annotate(fig, _alone(cycle))  # a cycle not run yet is named as such in the alt text
    prediction = cycle.prediction or "none written"
    words = [f"**{cycle_id}: {cycle.change_idea}** ({cycle.scale}"
             + (f", builds on {cycle.builds_on}" if cycle.builds_on else ", a new idea") + ").",
             f"**Prediction:** {prediction}. **Result:** {cycle.result or 'not tested yet'}. "
             f"**Decision:** {cycle.decision or 'not decided yet'}.",
             row["in_words"], where_on_chart(cycle, result)]
    return View(figure=fig, words="\n\n".join(words))


def cycle_explorer() -> Explorer:
    """Choose a cycle; see its prediction, result, decision and where it is on the chart."""
    # short labels, so the drop-down fits a narrow page
    options = [(c.cycle_id, f"{c.cycle_id}: "
                + textwrap.shorten(c.change_idea, 44, placeholder=" ..."))
               for c in plover_log()]
    return Explorer("Plover ward's cycles, one at a time",
                    controls=[Choice("cycle", "Cycle", options)],
                    render=lambda state: cycle_view(str(state["cycle"])))


def answers() -> dict[str, str]:
    """The exercises' answers in words, for the trainer page (``{course}`l11-...```)."""
    log = plover_log()
    return {"11.1": missed_prediction_words(log).replace("**", ""),
            "11.2": log.prediction_vs_result().set_index("cycle_id").loc["C7", "in_words"],
            "11.3": lounge_words(),
            "biggest-miss": str(biggest_miss(log)["in_words"]),
            "ramp": ramp_words(log)}


def ramp_words(log: PDSALog | None = None) -> str:
    """The ramp that led to the adopted change, cycle by cycle with scale and test date."""
    log = log or plover_log()
    chain = log.chain(adopted_ward_cycle(log).cycle_id)
    first, last = log[chain[0]], log[chain[-1]]
    steps = " → ".join(f"{c} ({log[c].scale})" for c in chain)
    return (f"{steps}: {len(chain)} linked cycles in {(last.do_date - first.do_date).days} "
            "days")
