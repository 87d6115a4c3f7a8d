"""Lesson 1, *Measuring what matters*: its exercise checks, its measure builder, the
choices for sorting measures and the counting game's incident cards.

The measure builder and the measure choices are
:class:`~safercare.widgets.explore.Explorer` objects: every state is computed when the
notebook runs, and the page (the book or JupyterLab) only switches between them, so they
respond with no kernel. The incident cards (:func:`incident_cards_markdown`) are written
into the book by ``python -m safercare.lessons.pages``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from safercare.errors import DataError, Problem
from safercare.games import measures
from safercare.lessons.common import (
    NOT_YET,
    Feedback,
    is_blank,
    normalise,
)
from safercare.widgets.explore import Choice, Explorer, Toggle, View

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


# ------------------------------------------------------------------ incident cards
#: The counting game's 12 cards, drawn from the measure builder's incidents: (how many,
#: who fell, how, the harm grades allowed). The first matching reports by date are used.
CARD_MIX: tuple[tuple[int, str, str, tuple[str, ...]], ...] = (
    (3, "patient", "witnessed", ("no harm", "low harm")),
    (1, "patient", "witnessed", ("moderate harm",)),
    (3, "patient", "found on floor", ("no harm", "low harm")),
    (1, "patient", "found on floor", ("moderate harm",)),
    (2, "patient", "assisted", ("no harm", "low harm")),
    (1, "visitor", "witnessed", measures.HARM_GRADES),
    (1, "staff", "witnessed", measures.HARM_GRADES),
)

#: How each kind of report reads on a card ({ward} and {harm} are filled in).
_CARD_TEXT = {
    ("patient", "witnessed"): "A patient stood up from the bed, lost their balance and fell. "
                              "A nurse saw it happen.",
    ("patient", "found on floor"): "A patient was found on the floor beside the bed. Nobody "
                                   "saw how they got there.",
    ("patient", "assisted"): "A patient's legs gave way while walking with a healthcare "
                             "assistant, who lowered them gently to the floor.",
    ("visitor", "witnessed"): "A visitor slipped on a wet floor in the ward corridor and fell. "
                              "A nurse saw it happen.",
    ("staff", "witnessed"): "A nurse tripped over a drip stand cable and fell. A colleague "
                            "saw it happen.",
}

#: The three answers from the lesson's meeting, applied to the cards.
MEETING_DEFINITIONS: dict[str, measures.FallDefinition] = {
    "Ward manager": measures.FallDefinition(),
    "Risk team": measures.FallDefinition(include_assisted=True, people=measures.PEOPLE),
    "Patient safety lead": measures.FallDefinition(min_harm="moderate harm"),
}


def incident_cards(incidents: pd.DataFrame | None = None) -> pd.DataFrame:
    """The 12 incident reports of the counting game, in card order (see :data:`CARD_MIX`).

    They are real rows of the measure builder's synthetic year, so a definition counts the
    cards the same way the builder counts the year. Adds ``card`` (1 to 12) and ``text``.
    """
    incidents = measures.synthetic_falls() if incidents is None else incidents
    chosen = []
    for count, person, how, harms in CARD_MIX:
        rows = incidents[(incidents["person"] == person) & (incidents["how"] == how)
                         & incidents["harm"].isin(harms)].sort_values("date").head(count)
        if len(rows) < count:
            raise DataError(Problem(None, "how", f"the incidents hold only {len(rows)} {how} "
                                    f"reports about a {person} with {' or '.join(harms)}",
                                    f"give incidents with at least {count} such reports",
                                    value=how))
        chosen.append(rows)
    cards = pd.concat(chosen).sort_values("date", kind="stable").reset_index(drop=True)
    cards.insert(0, "card", range(1, len(cards) + 1))
    cards["text"] = [_CARD_TEXT[(p, h)] for p, h in zip(cards["person"], cards["how"],
                                                       strict=True)]
    return cards


def incident_cards_markdown(incidents: pd.DataFrame | None = None) -> str:
    """The printable cards and their answer key, as markdown for the cards page."""
    incidents = measures.synthetic_falls() if incidents is None else incidents
    cards = incident_cards(incidents)
    lines = ["| Card | Incident report |", "|---|---|"]
    for row in cards.itertuples():
        lines.append(f"| **{row.card}** | **{row.incident_id}**, {row.ward}, "
                     f"{row.date:%-d %B %Y}. {row.text} Harm recorded: {row.harm}. |")
    counts = measures.compare_definitions(cards, MEETING_DEFINITIONS)
    key = [f"- **{name}**: {falls} of the {len(cards)} cards. {words}"
           for name, falls, words in counts.itertuples(index=False)]
    return ("\n".join(lines) + "\n\n## Answer key: what each definition counts\n\n"
            "These are the three definitions from the lesson's falls meeting, applied to "
            "the cards by the same code as the measure builder:\n\n" + "\n".join(key) + "\n")


#: The measure builder's choices of who counts (a drop-down of two, to keep its states few).
WHO_COUNTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("patient",), "Patients only"),
    (measures.PEOPLE, "Patients, visitors and staff"),
)
#: The least harm that counts: any harm, or only the more serious falls.
LEAST_HARM: tuple[tuple[str, str], ...] = (
    ("no harm", "Any harm (or none)"),
    ("low harm", "Low harm or worse"),
    ("moderate harm", "Moderate harm or worse"),
)
#: Which wards count: all of them, or one.
WARD_CHOICES: tuple[tuple[tuple[str, ...] | None, str], ...] = (
    (None, "All wards"), *(((ward,), ward) for ward in measures.WARDS))


def builder_view(incidents: pd.DataFrame, definition: measures.FallDefinition) -> tuple[
        str, pd.DataFrame]:
    """The measure builder's words and table for one definition: the year's count, the
    definition in words, and the count on each ward."""
    counted = measures.falls_matching(incidents, definition)
    n = len(counted)
    by_ward = counted["ward"].value_counts().reindex(measures.WARDS, fill_value=0)
    table = pd.DataFrame({"ward": measures.WARDS, "falls counted": by_ward.to_numpy()})
    return f"**{n} falls** in the year. {measures.describe_definition(definition)}", table


def measure_builder(incidents: pd.DataFrame | None = None) -> Explorer:
    """Choose what counts as a fall and see the year's count (works with no kernel)."""
    incidents = measures.synthetic_falls() if incidents is None else incidents

    def render(state: dict) -> View:
        definition = measures.FallDefinition(
            include_found_on_floor=state["floor"], include_assisted=state["assisted"],
            people=state["people"], min_harm=state["harm"], wards=state["wards"])
        words, table = builder_view(incidents, definition)
        return View(words=words, table=table)

    return Explorer(
        "Measure builder: what counts as a fall?",
        controls=[
            Toggle("floor", "Count people found on the floor (unwitnessed)", default=True),
            Toggle("assisted", "Count assisted falls (lowered by staff)"),
            Choice("people", "Who counts", WHO_COUNTS),
            Choice("harm", "Least harm that counts", LEAST_HARM),
            Choice("wards", "Wards", WARD_CHOICES),
        ],
        render=render,
    )


def measure_type_feedback(measure: str, given: str) -> str:
    """Feedback on one measure's type (exercise 1.2), from :data:`MEASURE_TYPES`."""
    kind = MEASURE_TYPES[measure]
    if not given:
        return "Choose outcome, process or balancing."
    if given == kind:
        return f"**Right: {kind}.** {_TYPE_HINTS[kind]}."
    return (f"**Not quite.** This is not a {given} measure. Think again: is it about patients "
            "being better off, about doing the steps of care reliably, or about harm "
            "somewhere else?")


def measure_type_choices() -> list[Explorer]:
    """Exercise 1.2: one drop-down per measure, each with its own feedback (no kernel)."""
    options = (("", "Choose a type"), ("outcome", "Outcome"), ("process", "Process"),
               ("balancing", "Balancing"))

    def explorer(measure: str) -> Explorer:
        return Explorer(measure, controls=[Choice("type", "This is a measure of type",
                                                  options)],
                        render=lambda state: View(words=measure_type_feedback(
                            measure, state["type"])))

    return [explorer(measure) for measure in MEASURE_TYPES]


def measure_types_answer() -> str:
    """The answer to exercise 1.2, from :data:`MEASURE_TYPES` (the key the choices use)."""
    lines = [f"- *{measure}*: **{kind}**" for measure, kind in MEASURE_TYPES.items()]
    return ("\n".join(lines) + "\n\nIf staff keep patients in bed to stop them falling, "
            "mobility suffers; if every patient at risk gets one-to-one care, staff time runs "
            "out elsewhere: that is what the balancing measures watch.")


def measure_types_markdown() -> str:
    """Exercise 1.2's answer key as a markdown table (the facilitator page's, written by
    ``python -m safercare.lessons.pages``)."""
    rows = [f"| {measure} | {kind} |" for measure, kind in MEASURE_TYPES.items()]
    return "\n".join(["| Measure | Type |", "|---|---|", *rows]) + "\n"


class MeasureChoices:
    """The six drop-downs of exercise 1.2 shown together (the last line of a cell)."""

    def __init__(self) -> None:
        self.explorers = measure_type_choices()

    def _repr_html_(self) -> str:
        return "".join(e.html() for e in self.explorers)


def measure_choices() -> MeasureChoices:
    """Exercise 1.2's choices, ready to show."""
    return MeasureChoices()

