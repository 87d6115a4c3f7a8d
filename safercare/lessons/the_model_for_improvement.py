"""Lesson 10, *The Model for Improvement*: the three questions, an aim checker, Plover ward's
driver diagram, which measure answers which driver, and the exercise checks.

The diagram is drawn by :class:`safercare.pdsa.DriverDiagram` from the course dataset
``discharge_driver_diagram``; the driver explorer is a
:class:`~safercare.widgets.explore.Explorer` (precomputed states), so it responds in the
static book too. The measures table is the team's plan (which measure answers which
driver), written here once; every sentence about the diagram is made from the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from safercare import data
from safercare.lessons.common import NOT_YET, Feedback, is_blank, read_numbers, squash
from safercare.pdsa import DriverDiagram, PDSALog
from safercare.widgets.explore import Choice, Explorer, View

#: The Model for Improvement's three questions (Langley et al. 2009).
THREE_QUESTIONS = (
    "What are we trying to accomplish?",
    "How will we know that a change is an improvement?",
    "What changes can we make that will result in improvement?",
)

#: The three kinds of measure (Provost & Murray 2011).
MEASURE_TYPES = {
    "outcome": "how the system performs for patients: the aim itself",
    "process": "whether a part of the system works as planned: a driver",
    "balancing": "what might get worse elsewhere because of the change",
}

#: Plover ward's family of measures: which measure answers which part of the diagram.
#: ("aim" is the outcome; each primary driver has a process measure.)
PLOVER_MEASURES = (
    ("Aim", "Discharges before noon (% of the day's discharges)", "outcome",
     "daily, from the patient administration system"),
    ("Plan each discharge the day before",
     "Next day's discharges with medicines to take home checked by 5pm (%)", "process",
     "daily, the ward pharmacist's list"),
    ("Patients leave as soon as they are ready",
     "Minutes from 'ready to go' to leaving the ward (median)", "process",
     "daily, the nurse in charge's discharge board"),
    ("Senior decisions early in the day",
     "Patients reviewed by a senior doctor before 11am (%)", "process",
     "weekly sample of 10 patients, from the notes"),
    ("Aim", "Readmissions within 7 days of discharge (%)", "balancing",
     "monthly, from the trust's information team"),
)


# ------------------------------------------------------------------------- the aim
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_WHEN = re.compile(
    rf"\b(by|before|within|until|in|from)\s+(the\s+)?(end\s+of\s+)?"
    rf"(\d{{1,2}}(st|nd|rd|th)?\s+)?(({_MONTHS})(\s+\d{{4}})?|\d+\s+(days?|weeks?|months?|years?)|"
    r"(next|this)\s+(week|month|year|winter|summer|spring|autumn|quarter)|"
    r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}|christmas|easter|q[1-4])\b"
    rf"|\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b|\b({_MONTHS})\s+\d{{4}}\b|\b20\d\d\b",
    re.IGNORECASE)
_WORD_AMOUNTS = re.compile(r"\b(half|a third|one third|two thirds|a quarter|one quarter|"
                           r"three quarters|all|every|none|zero|double|halve)\b", re.I)
#: Words that name who an aim is for (a ward, a group of patients, a service ...).
_WHO = re.compile(
    r"\b(patients?|people|residents?|children|babies|mothers|women|men|adults|carers?|"
    r"families|ward|wards|unit|units|department|practice|practices|clinic|clinics|"
    r"theatres?|team|teams|service|services|hospital|trust|care home|care homes|staff|"
    r"nurses|doctors|surgery|icu|a&e)\b", re.IGNORECASE)


#: The longest aim the check reads (an aim is one sentence).
MAX_AIM = 400


@dataclass(frozen=True)
class AimParts:
    """What a typed aim says: how much, by when, for whom (the words found, or "")."""

    how_much: str
    by_when: str
    for_whom: str

    @property
    def missing(self) -> list[str]:
        return [name for name, found in (("how much", self.how_much),
                                         ("by when", self.by_when),
                                         ("for whom", self.for_whom)) if not found]


def read_aim(text: str) -> AimParts:
    """Find the three parts of an aim statement in typed text.

    *By when*: a date or a deadline ("by March 2026", "within 6 months", "31/03/2026").
    *How much*: a number that is not part of the date ("from 15% to 33%", "halve"),
    or a fraction in words. *For whom*: a place or a group of people ("on Plover ward",
    "patients over 65"). A check of form, not of wisdom: it cannot tell a good aim from a
    bad one, only one that says all three from one that does not.
    """
    text = str(text)
    when = _WHEN.search(text)
    rest = text[:when.start()] + " " + text[when.end():] if when else text
    numbers = [n for n in re.findall(r"\d+(?:[.,]\d+)?\s*%?", rest)]
    words = _WORD_AMOUNTS.search(rest)
    how = numbers[0].strip() if numbers else (words.group(0) if words else "")
    who = _WHO.search(text)
    return AimParts(how_much=how, by_when=when.group(0).strip() if when else "",
                    for_whom=who.group(0) if who else "")


def check_aim(text: object) -> Feedback:
    """Exercise 10.1: does a typed aim say how much, by when and for whom?"""
    if is_blank(text):
        return Feedback(False, NOT_YET, answered=False)
    if len(str(text)) > MAX_AIM:
        return Feedback(False, f"Your aim is {len(str(text)):,} characters long. An aim fits "
                               f"in one sentence: shorten it to under {MAX_AIM} characters.")
    parts = read_aim(str(text))
    found = [f"how much ({parts.how_much!r})" if parts.how_much else "",
             f"by when ({parts.by_when!r})" if parts.by_when else "",
             f"for whom ({parts.for_whom!r})" if parts.for_whom else ""]
    said = ", ".join(f for f in found if f)
    if not parts.missing:
        return Feedback(True, f"Your aim says {said}. Now ask the team: is the number bold "
                              "enough to need a change to the system, and is it one you can "
                              "measure every week?")
    hints = {"how much": "a number: from what to what, or by how much (e.g. 'from 15% to 33%')",
             "by when": "a date (e.g. 'by 31 March 2026')",
             "for whom": "who or where (e.g. 'on Plover ward', 'patients going home')"}
    need = "; ".join(f"**{m}**: {hints[m]}" for m in parts.missing)
    start = f"We found {said}. " if said else ""
    return Feedback(False, f"{start}Still missing -- {need}.")


# ---------------------------------------------------------------- the driver diagram
@lru_cache(maxsize=1)
def plover_table() -> pd.DataFrame:
    """Plover ward's driver diagram as a plain table (the course dataset)."""
    return data.load("discharge_driver_diagram")


@lru_cache(maxsize=1)
def plover_diagram() -> DriverDiagram:
    """Plover ward's driver diagram, checked."""
    return DriverDiagram.from_table(plover_table(), source="discharge_driver_diagram")


def measures_table() -> pd.DataFrame:
    """The family of measures: which measure answers which driver, and of what kind."""
    return pd.DataFrame(PLOVER_MEASURES, columns=["Answers", "Measure", "Kind",
                                                  "How often, from where"])


def cycles_named(change_idea: str) -> list[str]:
    """The PDSA cycles a change idea names ("... (cycles C1, C2)")."""
    return re.findall(r"\bC\d+\b", change_idea)


def untested_ideas(table: pd.DataFrame | None = None) -> list[str]:
    """The change ideas no PDSA cycle has tested yet (they name no cycle)."""
    table = plover_table() if table is None else table
    return [idea for idea in table["change_idea"] if not cycles_named(idea)]


def driver_words(driver: str, log: PDSALog | None = None) -> str:
    """One primary driver: its measure, its secondary drivers and change ideas, and what
    the log says each cycle decided. Made from the diagram, the measures table and the log."""
    dd = plover_diagram()
    log = log or PDSALog.from_frame(data.load("discharge_pdsa_log"))
    measure = measures_table().set_index("Answers").loc[[driver]]
    m = measure[measure["Kind"] == "process"].iloc[0]
    lines = [f"**{driver}** is answered by a {m['Kind']} measure: {m['Measure']} "
             f"({m['How often, from where']})."]
    for _, secondary in dd.children("primary_driver", driver):
        ideas = dd.children("secondary_driver", secondary)
        lines.append(f"- {secondary}: " + "; ".join(
            _idea_words(idea, log) for _, idea in ideas))
    return lines[0] + "\n\n" + "\n".join(lines[1:])


def _idea_words(idea: str, log: PDSALog) -> str:
    found = cycles_named(idea)
    if not found:
        return f"*{idea}*"
    decided = ", ".join(f"{c} {log[c].decision or 'not decided yet'}" for c in found)
    return f"*{idea}* ({decided})"


def aim_words() -> str:
    """The whole diagram in one sentence, and the outcome and balancing measures."""
    dd = plover_diagram()
    t = measures_table()
    outcome = t.loc[t["Kind"] == "outcome", "Measure"].iloc[0]
    balancing = t.loc[t["Kind"] == "balancing", "Measure"].iloc[0]
    tested = len(plover_table()) - len(untested_ideas())
    return (f"The aim, *{dd.aim}*, is answered by the outcome measure {outcome}. "
            f"{len(dd.nodes['primary_driver'])} primary drivers, "
            f"{len(dd.nodes['secondary_driver'])} secondary drivers and "
            f"{len(dd.nodes['change_idea'])} change ideas ({tested} tested so far). The "
            f"balancing measure, {balancing}, watches for harm from going home too early.")


def driver_view(driver: str) -> View:
    """One state of the explorer: the diagram for one primary driver (or all of it)."""
    table = plover_table()
    if driver == "all":
        dd = plover_diagram()
        return View(figure=dd.plot(title="Plover ward's driver diagram"), words=aim_words(),
                    table=measures_table())
    part = DriverDiagram.from_table(table[table["primary_driver"] == driver])
    return View(figure=part.plot(title=f"One primary driver: {driver}"),
                words=driver_words(driver),
                table=measures_table().query("Answers == @driver"))


def driver_explorer() -> Explorer:
    """Pick a primary driver; see its part of the diagram, its measure and its change ideas."""
    drivers = plover_diagram().nodes["primary_driver"]
    return Explorer("Which measure answers which driver?",
                    controls=[Choice("driver", "Primary driver",
                                     [("all", "The whole diagram"),
                                      *[(d, d) for d in drivers]])],
                    render=lambda state: driver_view(str(state["driver"])))


# ------------------------------------------------------------------------ exercises
def check_measure_kind(answer: object) -> Feedback:
    """Exercise 10.2: what kind of measure is 'readmissions within 7 days'?"""
    if is_blank(answer):
        return Feedback(False, NOT_YET, answered=False)
    word = squash(answer)
    kinds = measures_table().set_index("Measure")["Kind"]
    right = kinds[next(m for m in kinds.index if m.startswith("Readmissions"))]
    if word.startswith(right[:5]):
        return Feedback(True, f"A {right} measure: {MEASURE_TYPES[right]}. Sending people "
                              "home earlier in the day must not send them home too soon.")
    if word in {squash(k) for k in MEASURE_TYPES}:
        return Feedback(False, f"Not {word}. Does a readmission tell you whether the aim is "
                               "met, whether a driver works, or whether something else got "
                               "worse?")
    return Feedback(False, 'Type one word: "outcome", "process" or "balancing".')


def check_untested(answer: object, table: pd.DataFrame | None = None) -> Feedback:
    """Exercise 10.3: how many change ideas has no PDSA cycle tested yet?"""
    if is_blank(answer):
        return Feedback(False, NOT_YET, answered=False)
    numbers = read_numbers(answer)
    if not numbers:
        return Feedback(False, 'Type a whole number, for example "2".')
    ideas = untested_ideas(table)
    if numbers[0] == len(ideas):
        return Feedback(True, f"{len(ideas)} change ideas wait for a first test: "
                              + "; ".join(ideas) + ". Each would start its own ramp, at "
                              "the scale of one patient or one day.")
    return Feedback(False, f"Not {numbers[0]:g}. Read the change ideas in the outline: a "
                           "tested idea names its cycles, an untested one says so.")


def answers() -> dict[str, str]:
    """The exercises' answers in words, for the trainer page (``{course}`l10-...```)."""
    return {"10.2": check_measure_kind("balancing").message,
            "10.3": check_untested(len(untested_ideas())).message,
            "drivers": aim_words().replace("*", "")}


# ------------------------------------------------------------ your own diagram (live)
#: The example a reader starts from in the form: three rows of a table, as CSV text.
_AIM = "Halve falls on our ward by 31 March 2026"
EXAMPLE_TABLE = "\n".join([
    "aim,primary_driver,secondary_driver,change_idea",
    f"{_AIM},Patients can reach what they need,Call bell in reach,"
    "Check the call bell at every intentional rounding",
    f"{_AIM},Patients can reach what they need,Glasses and frame in reach,"
    "Bedside checklist at handover",
    f"{_AIM},Staff know who is at risk,Falls risk known at handover,"
    "Falls risk on the handover sheet",
]) + "\n"


def draw_own(text: str) -> DriverDiagram:
    """A reader's own driver diagram from a table pasted as CSV text (one
    :class:`~safercare.errors.DataError` naming the row and column if it is not right)."""
    return DriverDiagram.from_csv(str(text), name="your table")


def own_diagram_form() -> Any:
    """A form (needs a live session): paste a table, press the button, see the diagram and
    its outline. What was typed stays in the box when the table is refused."""
    import ipywidgets as w
    from IPython.display import HTML

    from safercare.lessons.common import WIDE, live_form

    box = w.Textarea(value=EXAMPLE_TABLE, description="Your table (CSV)", style=WIDE,
                     layout=w.Layout(width="auto", min_width="420px", height="160px"))

    def shown(dd: DriverDiagram) -> list[object]:
        return [dd.plot(title="Your driver diagram"), HTML(dd.outline_html())]

    return live_form("Draw your own driver diagram", [box], "Draw my diagram",
                     "Draw the diagram from the table in the box", lambda: draw_own(box.value),
                     shown)
