"""Lesson 42, *Safe staffing: an honest answer to the nurse's question*: confounding by acuity in
the course's ``staffing`` data, the red-flag checker's preset shifts, the missed-care chart, the
exercise checks and the words the lesson prints (made from the results, never typed).

Confounding is shown with one method named plainly: ordinary least squares (a straight line
fitted to harms per shift), first on registered nurses alone, then within acuity bands, then
with the acuity score, patients and night shifts in the same model -- the comparison the
dataset's answer key names.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from safercare import data, spc, staffing, style
from safercare.lessons.common import NOT_YET, Feedback, is_blank, organisation_names, read_numbers
from safercare.widgets.explore import Choice, Explorer, View

#: Acuity bands (the acuity score's lower edges) and what the reader sees.
ACUITY_BANDS = ((0.0, "acuity under 1.3"), (1.3, "acuity 1.3 to 1.6"),
                (1.6, "acuity 1.6 and over"))
#: How shifts can be compared, from the crudest to the fairest.
METHODS = (
    ("naive", "all shifts together"),
    ("band", "shifts within the same acuity band"),
    ("band_patients", "shifts with the same acuity band, patients and time of day"),
    ("adjusted", "shifts adjusted for the acuity score, patients and time of day"),
)
#: The ward whose missed care the lesson charts (an elderly care ward in collaborative C05).
MISSED_CARE_WARD = "C05-AT1-W1"


@lru_cache(maxsize=1)
def shifts() -> pd.DataFrame:
    """The staffing data with the acuity band of each shift."""
    frame = data.load("staffing")
    edges = [b for b, _ in ACUITY_BANDS] + [np.inf]
    band = pd.cut(frame["acuity"], edges, right=False, labels=[t for _, t in ACUITY_BANDS])
    return frame.assign(acuity_band=band.astype(str))


def _design(frame: pd.DataFrame, method: str) -> np.ndarray:
    """The columns of the least-squares model for one method (registered nurses first)."""
    nurses = frame["registered_nurses"].to_numpy(float)
    night = (frame["shift"] == "night").to_numpy(float)
    bands = np.column_stack([(frame["acuity_band"] == t).to_numpy(float)
                             for _, t in ACUITY_BANDS])
    columns = {
        "naive": [nurses, np.ones_like(nurses)],
        "band": [nurses, bands],
        "band_patients": [nurses, bands, frame["patients"].to_numpy(float), night],
        "adjusted": [nurses, np.ones_like(nurses), frame["acuity"].to_numpy(float),
                     frame["patients"].to_numpy(float), night],
    }[method]
    return np.column_stack(columns)


@lru_cache(maxsize=8)
def estimate(method: str, outcome: str = "harms") -> float:
    """Change in ``outcome`` per 100 shifts for one more registered nurse (least squares)."""
    frame = shifts()
    y = frame[outcome].to_numpy(float)
    coef = np.linalg.lstsq(_design(frame, method), y, rcond=None)[0]
    return float(100 * coef[0])


def estimates(outcome: str = "harms") -> pd.DataFrame:
    """Every method's estimate, as the lesson's table shows it."""
    return pd.DataFrame({
        "How shifts are compared": [text for _, text in METHODS],
        "Change in harms per 100 shifts with one more registered nurse":
            [round(estimate(m, outcome), 1) + 0.0 for m, _ in METHODS],
    })


def _way(value: float) -> str:
    return (f"{abs(value):.1f} more" if value > 0.05 else
            f"{abs(value):.1f} fewer" if value < -0.05 else "almost no change in")


def confounding_words(method: str) -> str:
    """What one way of comparing shifts says, with the numbers from the model."""
    value = estimate(method)
    text = dict(METHODS)[method]
    head = (f"Comparing {text}, each extra registered nurse on a shift goes with "
            f"{_way(value)} harms per 100 shifts.")
    if method == "naive":
        return head + (" Read on its own, this says nurses cause harm. They do not: sicker "
                       "patients bring both more nurses and more harm.")
    naive = estimate("naive")
    return head + (f" All shifts together said {_way(naive)}. Comparing like with like "
                   + ("shrinks the link to almost nothing." if abs(value) <= 0.05 else
                      "turns the sign round." if value * naive < 0 else
                      "shrinks the link." if abs(value) < abs(naive) else
                      "does not change it.")
                   + " The sicker the patients, the more nurses they get and the more "
                     "harm they come to: that is confounding by acuity.")


def _harm_by_nurses(frame: pd.DataFrame) -> pd.DataFrame:
    grouped = frame.groupby("registered_nurses")["harms"].agg(["mean", "size"])
    return grouped[grouped["size"] >= 30]  # fewer shifts than this: too noisy to draw


def confounding_figure(method: str) -> plt.Figure:
    """Harms per 100 shifts by registered nurses on shift (all shifts or by band), and the
    estimate of each method so far."""
    frame = shifts()
    with style.style_context():
        fig, (left, right) = plt.subplots(2, 1, figsize=(9.0, 8.0), layout="constrained",
                                          height_ratios=(1.3, 1))
    markers = ("o", "s", "^")
    colours = (style.BLUE, style.ORANGE, style.PURPLE)
    if method == "naive":
        grouped = _harm_by_nurses(frame)
        left.plot(grouped.index, 100 * grouped["mean"], marker="o", color=style.BLUE,
                  label="all shifts")
    else:
        for (_, text), marker, colour in zip(ACUITY_BANDS, markers, colours, strict=True):
            grouped = _harm_by_nurses(frame[frame["acuity_band"] == text])
            left.plot(grouped.index, 100 * grouped["mean"], marker=marker, color=colour,
                      label=text)
    style.apply_style(left, title="Harms per 100 shifts", xlabel="Registered nurses on the shift",
                      ylabel="Harms per 100 shifts", legend=True)
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    shown = [m for m, _ in METHODS][: [m for m, _ in METHODS].index(method) + 1]
    values = [estimate(m) for m in shown]
    ypos = np.arange(len(shown))[::-1]
    right.axvline(0, color=style.LIMIT_COLOUR, linewidth=1)
    right.scatter(values, ypos, s=70, color=[style.ORANGE if v > 0 else style.BLUE
                                             for v in values],
                  marker="D", zorder=3)
    for v, y in zip(values, ypos, strict=True):
        right.annotate(f"{round(v, 1) + 0.0:+.1f}", (v, y), textcoords="offset points",
                       xytext=(0, 9), ha="center")
    right.set_yticks(ypos, [textwrap.fill(dict(METHODS)[m], 34) for m in shown], fontsize=9)
    right.set_ylim(-0.7, len(METHODS) - 0.3)
    low = min(-6.0, min(values) - 1)
    high = max(6.0, max(values) + 1)
    right.set_xlim(low, high)
    style.apply_style(right, title="One more registered nurse: the change in harms, by method",
                      xlabel="Harms per 100 shifts (+ more, - fewer)")
    fig.alt_text = (  # type: ignore[attr-defined]
        f"Above: harms per 100 shifts against registered nurses on the shift, "
        f"{'all shifts together' if method == 'naive' else 'one line per acuity band'}. "
        "Below: " + "; ".join(f"{dict(METHODS)[m]}: {v:+.1f}" for m, v in
                              zip(shown, values, strict=True)) + ". "
        + confounding_words(method))
    plt.close(fig)
    return fig


@lru_cache(maxsize=len(METHODS))
def confounding_view(method: str) -> View:
    """One state of the confounding exploration (drawn once, shared by the still pictures)."""
    return View(figure=confounding_figure(method), words=confounding_words(method))


def confounding_explorer() -> Explorer:
    """Compare shifts all together or like with like, and watch the sign of the link change."""
    return Explorer(
        "Do more nurses mean more harm?",
        controls=[Choice("method", "How to compare shifts", list(METHODS), style="radio")],
        render=lambda state: confounding_view(str(state["method"])),
    )


# ------------------------------------------------------------------- the red-flag checker
@dataclass(frozen=True)
class PresetShift:
    """A shift a ward might have, for the red-flag checker's explorer."""

    label: str
    patients: int
    registered_nurses: int
    shift: str = "day"
    rn_hours_needed: float | None = None
    events: tuple[str, ...] = ()


#: The shifts the explorer offers (numbers chosen to show each trigger once).
PRESETS: tuple[PresetShift, ...] = (
    PresetShift("28 patients, 5 registered nurses, a calm day", 28, 5, rn_hours_needed=60),
    PresetShift("28 patients, 3 registered nurses (2 off sick)", 28, 3, rn_hours_needed=60),
    PresetShift("28 patients, 4 nurses, pain relief late", 28, 4, rn_hours_needed=48,
                events=("pain_relief",)),
    PresetShift("18 patients at night, 1 registered nurse", 18, 1, shift="night",
                rn_hours_needed=24),
    PresetShift("34 patients, 4 nurses, observations missed", 34, 4, rn_hours_needed=48,
                events=("vital_signs",)),
)


def preset_check(index: int) -> staffing.ShiftCheck:
    """The red-flag checker's verdict on one preset shift."""
    p = PRESETS[index]
    return staffing.check_shift(p.patients, p.registered_nurses, shift=p.shift,
                                rn_hours_needed=p.rn_hours_needed, events=p.events)


def red_flag_explorer() -> Explorer:
    """Pick a shift; see which NICE triggers fire and why (no chart, just the words)."""
    return Explorer(
        "The red-flag checker",
        controls=[Choice("shift", "A shift on the ward",
                         [(i, p.label) for i, p in enumerate(PRESETS)])],
        render=lambda state: View(words=preset_check(int(state["shift"])).describe()),
    )


# ------------------------------------------------------------------- missed care, charted
def missed_care_weeks(ward_id: str = MISSED_CARE_WARD) -> pd.DataFrame:
    """One ward's missed care and patient-shifts, week by week."""
    frame = shifts()
    frame = frame[frame["ward_id"] == ward_id]
    week = frame["date"].dt.to_period("W-SUN").dt.start_time
    return (frame.assign(week=week).groupby("week", as_index=False)[["missed_care", "patients"]]
            .sum())


def missed_care_title(ward_id: str = MISSED_CARE_WARD) -> str:
    """The missed-care chart's title, naming the ward from the course's geography."""
    return f"Care left undone per 100 patient-shifts, {organisation_names()[ward_id]}"


def missed_care_chart(ward_id: str = MISSED_CARE_WARD) -> Any:
    """A u chart of care left undone per 100 patient-shifts (Making Data Count rules)."""
    return spc.u_chart(missed_care_weeks(ward_id), numerator="missed_care",
                       denominator="patients", date="week", multiplier=100, direction="lower")


# ------------------------------------------------------------------- exercises
def check_patients_per_nurse(answer: object, patients: int = 30, nurses: int = 3) -> Feedback:
    """Exercise 42.1: patients per registered nurse on a day shift, and is it over 8?"""
    if is_blank(answer):
        return Feedback(False, NOT_YET, answered=False)
    found = read_numbers(answer)
    result = staffing.check_shift(patients, nurses)
    if not found:
        return Feedback(False, "Type a number, for example 7.5.")
    if abs(found[0] - result.patients_per_rn) < 0.05:
        fired = "more_than_8_per_rn_day" in result.fired
        return Feedback(True, f"{patients} patients / {nurses} registered nurses = "
                              f"{result.patients_per_rn:g} patients each. "
                              + ("That is more than 8 on a day shift, so NICE says review the "
                                 "staffing." if fired else "That is 8 or fewer."))
    return Feedback(False, f"Not {found[0]:g}. Divide the patients ({patients}) by the registered "
                           f"nurses ({nurses}); count only registered nurses.")


def check_confounding(answer: object) -> Feedback:
    """Exercise 42.2: compared like with like, do more nurses go with more or fewer harms?"""
    if is_blank(answer):
        return Feedback(False, NOT_YET, answered=False)
    word = str(answer).strip().lower().strip('".')
    adjusted = estimate("adjusted")
    right = "fewer" if adjusted < 0 else "more"
    if word in ("fewer", "less"):
        word = "fewer"
    if word == right:
        return Feedback(True, confounding_words("adjusted"))
    if word in ("more", "fewer"):
        return Feedback(False, "That is what all shifts together say. Choose the fairest "
                               "comparison in the explorer and read the sign again.")
    return Feedback(False, 'Type "more" or "fewer".')


def check_red_flag_shift(answer: object) -> Feedback:
    """Exercise 42.3: which preset shift fires a red flag for registered nurse time?"""
    if is_blank(answer):
        return Feedback(False, NOT_YET, answered=False)
    found = read_numbers(answer)
    right = [i + 1 for i in range(len(PRESETS))
             if "rn_time_shortfall" in preset_check(i).fired]
    if not found or int(found[0]) not in range(1, len(PRESETS) + 1):
        return Feedback(False, f"Type the number of a shift, 1 to {len(PRESETS)}.")
    pick = int(found[0])
    if pick in right:
        return Feedback(True, preset_check(pick - 1).describe().split("\n")[0])
    return Feedback(False, f"Shift {pick} does not. Look for a shift where the registered "
                           "nurse time is more than 8 hours, or 25% or more, short.")


def red_flag_answer() -> list[int]:
    """The preset shifts (numbered from 1) where registered nurse time fell short."""
    return [i + 1 for i in range(len(PRESETS)) if "rn_time_shortfall" in preset_check(i).fired]


def shortfall_words() -> str:
    """How often a shift in the course data had a registered nurse time red flag."""
    checked = staffing.check_shifts(shifts())
    share = float(checked["rn_time_shortfall"].mean())
    over = float(checked.loc[checked["shift"] == "day", "more_than_8_per_rn_day"].mean())
    return (f"Across {len(checked):,} shifts on the eight wards, {100 * share:.0f}% had a red "
            f"flag for registered nurse time (one 12-hour nurse missing is already more than "
            f"8 hours short), and {100 * over:.1f}% of day shifts had more than 8 patients per "
            "registered nurse.")


def answers() -> dict[str, str]:
    """The answers the facilitator page prints (``{course}`l42-...```), from the results."""
    ratio = staffing.check_shift(30, 3)
    return {
        "42.1": f"{ratio.patients_per_rn:g} patients per registered nurse",
        "42.2": "fewer" if estimate("adjusted") < 0 else "more",
        "42.3": " or ".join(str(n) for n in red_flag_answer()),
        "naive": confounding_words("naive"),
        "adjusted": confounding_words("adjusted"),
        "shortfall": shortfall_words(),
    }


def your_shift_form() -> Any:
    """Type your own shift's numbers; the checker says which triggers fired (a live session).

    In the static book the form's button cannot run Python, so the lesson says so above it
    and the preset explorer stands in for it.
    """
    import ipywidgets as w
    from IPython.display import Markdown

    from safercare.lessons.common import WIDE, live_form

    patients = w.BoundedIntText(value=28, min=0, max=200, description="Patients on the ward",
                                style=WIDE)
    nurses = w.BoundedIntText(value=4, min=0, max=60, description="Registered nurses on shift",
                              style=WIDE)
    shift = w.RadioButtons(options=[("day", "day"), ("night", "night")], value="day",
                           description="Shift", style=WIDE)
    needed = w.BoundedFloatText(value=48.0, min=0, max=2000, step=0.5, style=WIDE,
                                description="Registered nurse hours the patients need")
    events = [w.Checkbox(value=False, description=text, indent=False,
                         layout=w.Layout(width="auto"))
              for text in staffing.RED_FLAG_EVENTS.values()]

    def read() -> staffing.ShiftCheck:
        chosen = [name for name, box in zip(staffing.RED_FLAG_EVENTS, events, strict=True)
                  if box.value]
        return staffing.check_shift(patients.value, nurses.value, shift=shift.value,
                                    rn_hours_needed=needed.value, events=chosen)

    def show(result: staffing.ShiftCheck) -> list[object]:
        return [Markdown(result.describe())]

    form = live_form("Check your shift", [patients, nurses, shift, needed,
                                          w.HTML("Red-flag events on this shift:"), *events],
                     "Check the shift", "Check these numbers against NICE's triggers",
                     read, show)
    # what a test (or an author) drives: the inputs and the same reading the button does
    form.inputs = {"patients": patients, "nurses": nurses, "shift": shift,
                   "needed": needed, "events": events}
    form.read = read
    return form
