"""Lesson 1, *Measuring what matters*: its exercise checks and its measure builder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import ipywidgets as w
import pandas as pd
from IPython.display import Markdown

from safercare.errors import DataError
from safercare.games import measures
from safercare.lessons.common import (
    NOT_YET,
    WIDE,
    Feedback,
    is_blank,
    normalise,
    show_error,
    show_in,
)

#: Measures for a falls project and their type (the answer key for exercise 1.1).
MEASURE_TYPES: dict[str, str] = {
    "Inpatient falls per 1,000 occupied bed days": "outcome",
    "Falls causing moderate harm or worse per 1,000 occupied bed days": "outcome",
    "Percentage of patients with a lying and standing blood pressure recorded": "process",
    "Percentage of patients with a falls risk assessment within 24 hours of admission":
        "process",
    "Percentage of patients walking independently at discharge": "balancing",
    "Nursing hours spent on one-to-one observation": "balancing",
}


_TYPE_HINTS = {
    "outcome": "An outcome measure tells you whether patients are better off: here, whether "
               "falls (or the harm they cause) are going down",
    "process": "A process measure tells you whether the changes are being done reliably: a "
               "step in care that should prevent falls",
    "balancing": "A balancing measure watches for harm elsewhere: if staff stop patients "
                 "walking to stop them falling, mobility and staff time can suffer",
}


def check_measure_types(answers: Mapping[str, str]) -> Feedback:
    """Exercise 1.1: label each measure in :data:`MEASURE_TYPES` outcome/process/balancing."""
    if is_blank(answers):
        return Feedback(False, NOT_YET)
    wrong, missing = [], []
    for measure, kind in MEASURE_TYPES.items():
        given = normalise(answers.get(measure, ""))
        if not given or given == "...":
            missing.append(measure)
        elif given.removesuffix(" measure") != kind:
            wrong.append(f"- *{measure}*: **{kind}**. {_TYPE_HINTS[kind]}.")
    if not wrong and not missing:
        return Feedback(True, f"All {len(MEASURE_TYPES)} measures are labelled correctly. A "
                              "family of measures like this -- outcome, process and balancing "
                              "-- is what the Model for Improvement asks for.")
    parts = [f"{len(MEASURE_TYPES) - len(wrong) - len(missing)} of {len(MEASURE_TYPES)} "
             "are right so far."]
    if wrong:
        parts.append("Have another look at these:\n\n" + "\n".join(wrong))
    if missing:
        parts.append("Still to label: " + "; ".join(f"*{m}*" for m in missing) + ".")
    return Feedback(False, "\n\n".join(parts))


_MONTHS = (r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|"
           r"sep(tember)?|oct(ober)?|nov(ember)?|dec(ember)?")


def check_aim(aim: str) -> Feedback:
    """Exercise 1.2: does the aim say what, how much and by when?

    The check looks for a number (how much: a percentage, a rate or a count) and a
    deadline (a year, or a month with a year, or "by ..."). It cannot judge whether the
    aim is wise -- that is for the team -- only whether it is measurable.
    """
    if is_blank(aim):
        return Feedback(False, NOT_YET)
    text = normalise(aim)
    has_when = bool(re.search(r"\b(19|20)\d{2}\b", text) or
                    re.search(rf"\bby (the end of )?({_MONTHS})\b", text))
    has_how_much = bool(re.search(r"\d+(\.\d+)?\s*(%|per ?cent|percent)", text) or
                        re.search(r"\b(from|to) \d+(\.\d+)?\b", text) or
                        re.search(r"\b(halve|half|by a third|by a quarter)\b", text))
    has_what = any(word in text for word in ("reduce", "increase", "cut", "lower", "raise",
                                             "improve", "halve", "fall", "harm", "%"))
    if has_when and has_how_much and has_what:
        return Feedback(True, "Your aim says what will change, how much and by when, so "
                              "everyone will know whether it has been met. Check it with your "
                              "team: is it ambitious but possible?")
    missing = []
    if not has_what:
        missing.append("**what** will change (e.g. *reduce inpatient falls on Plover ward*)")
    if not has_how_much:
        missing.append("**how much** (a number: e.g. *by 30%* or *from 8 to 5 per 1,000 "
                       "bed days*)")
    if not has_when:
        missing.append("**by when** (a date: e.g. *by March 2027*)")
    return Feedback(False, "A good start. To make it measurable, add " + " and ".join(missing)
                    + ".")


#: Questions for exercise 1.3: each is a definition; the answer is its count.
COUNT_QUESTIONS: dict[str, measures.FallDefinition] = {
    "a": measures.FallDefinition(include_found_on_floor=True, include_assisted=False,
                                 people=("patient",), min_harm="moderate harm"),
    "b": measures.FallDefinition(include_found_on_floor=True, include_assisted=True,
                                 people=("patient",), wards=("Plover ward",)),
}


def check_fall_count(answer: object, question: str = "a",
                     incidents: pd.DataFrame | None = None) -> Feedback:
    """Exercise 1.3: count falls under a stated definition (see :data:`COUNT_QUESTIONS`).

    A wrong count is compared with the counts under nearby definitions so that the
    feedback can say which choice probably differed.
    """
    if is_blank(answer):
        return Feedback(False, NOT_YET)
    try:
        given = int(str(answer).strip())
    except ValueError:
        return Feedback(False, f"Your answer {answer!r} is not a whole number. Type the "
                               "count shown by the measure builder, e.g. 42.")
    incidents = measures.synthetic_falls() if incidents is None else incidents
    definition = COUNT_QUESTIONS[question]
    right = measures.count_falls(incidents, definition)
    if given == right:
        return Feedback(True, f"{right} is right: {measures.describe_definition(definition)}")
    d = definition.__dict__
    variants = {
        "also counted assisted falls" if not definition.include_assisted else
        "left out assisted falls": {**d, "include_assisted": not definition.include_assisted},
        "left out people found on the floor" if definition.include_found_on_floor else
        "also counted people found on the floor":
            {**d, "include_found_on_floor": not definition.include_found_on_floor},
        "counted visitors and staff too": {**d, "people": measures.PEOPLE},
        "counted every harm grade": {**d, "min_harm": "no harm"},
        "counted every ward": {**d, "wards": None},
    }
    for slip, kw in variants.items():
        if kw != d and measures.count_falls(incidents, measures.FallDefinition(**kw)) == given:
            return Feedback(False, f"You found {given}, which is the count if you {slip}. "
                                   "Re-read the definition and set the measure builder to "
                                   "match it exactly. That one choice changes the count: "
                                   "that is why the definition must be written down.")
    return Feedback(False, f"You found {given}. Set each control in the measure builder to "
                           f"match the definition: {measures.describe_definition(definition)}")


_LAYOUT = w.Layout(width="auto")


def measure_builder(incidents: pd.DataFrame | None = None) -> w.VBox:
    """Choose what counts as a fall and see the year's count and its monthly pattern."""
    incidents = measures.synthetic_falls() if incidents is None else incidents
    floor = w.Checkbox(value=True, description="Count people found on the floor (unwitnessed)",
                       tooltip="Tick to count falls that nobody saw", style=WIDE,
                       layout=_LAYOUT)
    assisted = w.Checkbox(value=False, description="Count assisted falls (lowered by staff)",
                          tooltip="Tick to count patients lowered to the floor by staff",
                          style=WIDE, layout=_LAYOUT)
    people = w.SelectMultiple(options=measures.PEOPLE, value=("patient",), rows=3,
                              description="Who counts (Ctrl-click for more than one)",
                              tooltip="Patients, visitors, staff", style=WIDE)
    harm = w.Dropdown(options=measures.HARM_GRADES, value="no harm",
                      description="Least harm that counts",
                      tooltip="Count only falls with at least this harm", style=WIDE)
    wards = w.SelectMultiple(options=measures.WARDS, value=measures.WARDS, rows=4,
                             description="Wards", tooltip="Wards to count", style=WIDE)
    out = w.Output()

    def update(_: object = None) -> None:
        try:
            definition = measures.FallDefinition(
                include_found_on_floor=floor.value, include_assisted=assisted.value,
                people=tuple(people.value), min_harm=harm.value, wards=tuple(wards.value))
        except DataError as error:
            show_error(out, error)
            return
        n = measures.count_falls(incidents, definition)
        monthly = measures.monthly_falls(incidents, definition)
        fig = measures.plot_monthly_falls(monthly, title=f"{n} falls in the year")
        sentence = measures.describe_definition(definition)
        show_in(out, Markdown(f"**{n} falls** in the year. {sentence}"), fig)

    for control in (floor, assisted, people, harm, wards):
        control.observe(update, names="value")
    update()
    return w.VBox([w.HTML("<b>Measure builder: what counts as a fall?</b>"), floor, assisted,
                   people, harm, wards, out])
