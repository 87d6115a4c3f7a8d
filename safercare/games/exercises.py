"""Check functions for the exercises in lessons 1-4: kind, specific feedback.

Why: a learner working alone needs to know not just *whether* an answer is right but
*why*, and what to look at next. Each ``check_*`` function takes the learner's answer
(and, where the answer depends on data, the result it should be checked against),
works out the right answer with the same package functions the lesson uses, and returns
a :class:`Feedback`: ``correct`` plus a short message that shows as formatted text in a
notebook. Nothing here is hard-coded that the package can compute.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from safercare.games import measures
from safercare.games.funnel_experiment import funnel_experiment, funnel_summary

__all__ = [
    "CHART_CHOICES",
    "COUNT_QUESTIONS",
    "MEASURE_TYPES",
    "Feedback",
    "check_aim",
    "check_board_action",
    "check_chart_choice",
    "check_fall_count",
    "check_funnel_ranking",
    "check_icons",
    "check_measure_types",
    "check_noise_guess",
    "check_red_bead_worker",
    "check_signal",
    "check_worse_months",
]

_NOT_YET = ("You haven't answered yet. Type your answer where the cell shows it, then run the "
            "cell again (Shift + Enter).")


@dataclass(frozen=True)
class Feedback:
    """The result of checking an answer: whether it is right, and what to say."""

    correct: bool
    message: str

    def __str__(self) -> str:
        head = "Well done." if self.correct else "Not quite yet."
        return f"{head} {self.message}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str:
        head = "**Well done.**" if self.correct else "**Not quite yet.**"
        return f"{head} {self.message}"


def _blank(answer: object) -> bool:
    if answer is None:
        return True
    if isinstance(answer, str):
        return not answer.strip() or answer.strip() == "..."
    if isinstance(answer, Mapping):
        return not answer or all(_blank(v) for v in answer.values())
    if isinstance(answer, Iterable):
        return not list(answer)
    return False


def _norm(text: object) -> str:
    return re.sub(r"\s+", " ", str(text).strip().lower())


# --- Lesson 1 ---------------------------------------------------------------------------

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
    if _blank(answers):
        return Feedback(False, _NOT_YET)
    wrong, missing = [], []
    for measure, kind in MEASURE_TYPES.items():
        given = _norm(answers.get(measure, ""))
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
    if _blank(aim):
        return Feedback(False, _NOT_YET)
    text = _norm(aim)
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
    if _blank(answer):
        return Feedback(False, _NOT_YET)
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


# --- Lesson 2 ---------------------------------------------------------------------------

_NOBODY = {"none", "nobody", "no one", "noone", "no-one", "the system", "system", "management",
           "the manager", "no", "nobody should be sacked"}


def check_red_bead_worker(answer: str, table: pd.DataFrame) -> Feedback:
    """Exercise 2.1: which worker should the manager sack? (The answer is: nobody.)"""
    if _blank(answer):
        return Feedback(False, _NOT_YET)
    given = _norm(answer)
    if given in _NOBODY:
        return Feedback(True, "Nobody. Every worker used the same bowl, paddle and method; the "
                              "red beads come from the system (20% of the bowl), not from the "
                              "workers. Only management can change the system.")
    names = {n.lower(): n for n in table["worker"].unique()}
    if given in names:
        name = names[given]
        mine = table.loc[table["worker"] == name, "red"]
        return Feedback(False, f"{name} drew {', '.join(map(str, mine))} red beads. Compare "
                               f"with the whole room: from {table['red'].min()} to "
                               f"{table['red'].max()}, average {table['red'].mean():.1f}. "
                               f"{name} did nothing differently -- same bowl, same paddle. "
                               "Sacking them changes nothing: the next worker draws from the "
                               "same bowl. Who is responsible for the bowl?")
    return Feedback(False, f"Type one worker's name, or 'nobody'. The workers were: "
                           f"{', '.join(names.values())}.")


def _fired(result: object) -> list[str]:
    """Rule columns that fired anywhere on a chart result."""
    from safercare.games.dice import RULE_COLUMNS

    table = result.table  # type: ignore[attr-defined]
    return [c for c in RULE_COLUMNS if c in table.columns and bool(table[c].fillna(False).any())]


_RULE_WORDS = {
    "beyond_limits": "a point beyond a process limit",
    "shift": "a shift (a run of points on one side of the centre line)",
    "trend": "a trend (points going up, or down, in a row)",
    "two_of_three": "two out of three points near a limit",
    "long_run": "an unusually long run on one side of the median",
    "few_crossings": "too few crossings of the median",
    "too_few_runs": "too few runs",
    "too_many_runs": "too many runs",
}


def check_signal(answer: str, result: object) -> Feedback:
    """Does this chart show a signal (special cause)? Answer ``"yes"`` or ``"no"``."""
    if _blank(answer):
        return Feedback(False, _NOT_YET)
    given = _norm(answer)
    if given not in ("yes", "no", "y", "n"):
        return Feedback(False, "Please answer 'yes' or 'no'.")
    fired = _fired(result)
    truth = bool(fired)
    said = given.startswith("y")
    words = "; ".join(_RULE_WORDS[f] for f in fired)
    if said == truth:
        return Feedback(True, (f"Yes: the chart shows {words}." if truth else
                               "No rule fired: the points vary, but only as a stable process "
                               "does. Reacting to any single point would be tampering."))
    if truth:
        return Feedback(False, f"Look again: the chart shows {words}. The rules look for "
                               "patterns, not just single high or low points.")
    return Feedback(False, "No rule fired on this chart. A high or low point on its own is "
                           "not a signal unless it breaks a rule: that is what stops us "
                           "reacting to noise.")


def check_noise_guess(guess_percent: object, signals: pd.DataFrame) -> Feedback:
    """Exercise 2.3: guess the percentage of pure-noise charts in which a rule fires."""
    if _blank(guess_percent):
        return Feedback(False, _NOT_YET)
    try:
        guess = float(str(guess_percent).strip().rstrip("%"))
    except ValueError:
        return Feedback(False, "Type your guess as a number of percent, e.g. 5.")
    actual = 100 * float(signals["any_signal"].mean())
    gap = abs(guess - actual)
    msg = (f"In the simulation {actual:.0f}% of {len(signals)} charts of pure dice noise "
           f"showed at least one signal; you guessed {guess:g}%. ")
    if gap <= 5:
        return Feedback(True, msg + "Spot on. Every extra rule, and every extra point, adds to "
                                   "the false alarms: this is the price of catching real "
                                   "change sooner.")
    if guess < actual:
        return Feedback(False, msg + "Most people guess too low. Each rule on its own rarely "
                                     "fires by chance, but with several rules and many points "
                                     "the chances add up. Run the cell again with a new guess.")
    return Feedback(False, msg + "Lower than you thought: the rules were chosen to keep false "
                                 "alarms rare. Run the cell again with a new guess.")


# --- Lesson 3 ---------------------------------------------------------------------------

#: Exercise 3.1: data descriptions and the chart Making Data Count would choose.
CHART_CHOICES: dict[str, str] = {
    "Patients screened for sepsis out of all eligible patients, each month": "p",
    "Falls each month, with occupied bed days varying from month to month": "u",
    "Medication incidents reported each month on one ward of steady size": "c",
    "Average minutes from arrival to antibiotics, each month": "xmr",
}

_CHART_WHY = {
    "p": "a p chart: each patient either had it or not, out of a known total",
    "u": "a u chart: events counted against an exposure (bed days) that changes",
    "c": "a c chart: a count of events in the same-sized opportunity each time (an XmR "
         "chart also works, and Making Data Count often uses XmR for counts)",
    "xmr": "an XmR chart: a measurement such as time, averaged per month",
}


def check_chart_choice(answers: Mapping[str, str]) -> Feedback:
    """Exercise 3.1: choose p, u, c or XmR for each description in :data:`CHART_CHOICES`."""
    if _blank(answers):
        return Feedback(False, _NOT_YET)
    wrong = []
    for what, chart in CHART_CHOICES.items():
        given = _norm(answers.get(what, "")).replace(" chart", "").replace("-", "")
        ok = given == chart or (chart == "c" and given == "xmr")
        if not ok:
            wrong.append(f"- *{what}*: {_CHART_WHY[chart]}.")
    if not wrong:
        return Feedback(True, "All four are right. Ask two questions: is it a count or a "
                              "measurement? If a count, out of what?")
    return Feedback(False, f"{len(CHART_CHOICES) - len(wrong)} of {len(CHART_CHOICES)} right. "
                           "Ask: is it a count or a measurement? If a count, out of what?\n\n"
                    + "\n".join(wrong))


_VARIATION_WORDS = {
    "common cause": "common_cause", "common": "common_cause", "grey": "common_cause",
    "improvement": "improving", "improving": "improving", "blue": "improving",
    "concern": "concerning", "concerning": "concerning", "orange": "concerning",
    "neither": "neither", "purple": "neither", "special cause": "neither",
}
_ASSURANCE_WORDS = {
    "pass": "pass", "consistently pass": "pass", "fail": "fail", "consistently fail": "fail",
    "hit and miss": "hit_and_miss", "hit or miss": "hit_and_miss", "hit & miss": "hit_and_miss",
    "none": None, "no icon": None, "no target": None,
}


def check_icons(variation: str, assurance: str, result: object) -> Feedback:
    """Exercise 3.2: name a chart's Making Data Count variation and assurance icons.

    ``variation``: ``"common cause"``, ``"improvement"``, ``"concern"`` or ``"neither"``;
    ``assurance``: ``"pass"``, ``"fail"``, ``"hit and miss"`` or ``"none"``. The right
    answers come from ``result.summary``.
    """
    from safercare.spc.icons import icon_text

    if _blank(variation) or _blank(assurance):
        return Feedback(False, _NOT_YET)
    v, a = _VARIATION_WORDS.get(_norm(variation)), _norm(assurance)
    if v is None or a not in _ASSURANCE_WORDS:
        return Feedback(False, "For variation, type 'common cause', 'improvement', 'concern' "
                               "or 'neither'; for assurance, 'pass', 'fail', 'hit and miss' or "
                               "'none'.")
    summary = result.summary  # type: ignore[attr-defined]
    true_v, true_a = summary["variation_icon"], summary["assurance_icon"]
    v_ok = (true_v == "common_cause") if v == "common_cause" else (
        true_v is not None and true_v.startswith(f"special_cause_{v}"))
    a_ok = _ASSURANCE_WORDS[a] == true_a
    said = f"The variation icon says {icon_text(true_v)}; the assurance icon says " + (
        icon_text(true_a) if true_a else "nothing (there is no target to assure against)")
    if v_ok and a_ok:
        return Feedback(True, said + ".")
    parts = []
    if not v_ok:
        parts.append("The variation icon comes from the **latest point**: is it grey (common "
                     "cause), or coloured by a rule that fired?")
    if not a_ok:
        parts.append("The assurance icon compares the **target with the process limits**: "
                     "both limits on the good side of the target means pass, both on the bad "
                     "side means fail, the target between them means hit and miss.")
    return Feedback(False, " ".join(parts) + f" ({said}.)")


def check_board_action(answer: Iterable[str], verdicts: Mapping[str, str]) -> Feedback:
    """Exercise 3.3: which measures need an action plan now because of a concerning signal?

    ``answer`` is a list of measure names, one string naming one or more measures (as a
    learner who does not write lists would type it: "Falls, Sepsis"), or ``"none"``.

    ``verdicts`` maps each measure to its latest SPC verdict (``common_cause``,
    ``improvement``, ``concern`` or ``special_cause``); the measures that need attention
    are those whose latest point shows concern.
    """
    if answer is None or (isinstance(answer, str) and _blank(answer)):
        return Feedback(False, _NOT_YET)
    if isinstance(answer, str) and _norm(answer) in ("none", "nothing", "no measures", "[]"):
        answer = []
    if isinstance(answer, str):
        named = [m for m in verdicts if _norm(m) in _norm(answer)]
        answer = named if named and answer.strip() not in verdicts else [answer]
    given = {a.strip() for a in answer if a.strip()}
    unknown = given - set(verdicts)
    if unknown:
        return Feedback(False, f"I don't recognise {', '.join(sorted(unknown))}. Use the "
                               f"measure names exactly: {', '.join(verdicts)}.")
    needed = {m for m, v in verdicts.items() if v == "concern"}
    if given == needed:
        which = ", ".join(sorted(needed)) if needed else "none of them"
        return Feedback(True, f"Right: {which}. The other measures vary within their limits "
                              "(or are improving): a red rating or a down arrow on its own is "
                              "not a reason to act.")
    extra, missed = given - needed, needed - given
    parts = []
    if extra:
        parts.append(f"{', '.join(sorted(extra))}: the SPC chart shows no concerning signal, "
                     "so this month's colour or arrow is most likely common-cause variation.")
    if missed:
        parts.append(f"{', '.join(sorted(missed))}: the SPC chart shows special-cause "
                     "concern, even if the RAG rating did not shout about it.")
    return Feedback(False, " ".join(parts))


# --- Lesson 4 ---------------------------------------------------------------------------

def check_funnel_ranking(ranking: Iterable[int] | str, result: pd.DataFrame | None = None
                         ) -> Feedback:
    """Exercise 4.1: rank rules 1-4 from best (closest to target) to worst.

    Rule 1 is always best and rule 2 second; rules 3 and 4 both grow without limit, so
    either order for the last two is accepted (with ``result``, the feedback quotes the
    simulated distances).
    """
    if _blank(ranking):
        return Feedback(False, _NOT_YET)
    if isinstance(ranking, str):  # "1, 2, 4, 3" typed as text is fine too
        ranking = re.findall(r"\d+", ranking)
    try:
        given = [int(r) for r in ranking]
    except (TypeError, ValueError):
        return Feedback(False, "List the rule numbers, e.g. [4, 3, 2, 1].")
    if sorted(given) != [1, 2, 3, 4]:
        return Feedback(False, "Use each of the rule numbers 1, 2, 3 and 4 once.")
    result = funnel_experiment(200) if result is None else result
    s = funnel_summary(result).set_index("rule")["rms_distance"]
    numbers = "; ".join(f"rule {r}: {s[r]:.1f}" for r in s.index)
    tail = f" (Typical distance from target in the simulation -- {numbers}.)"
    if given[:2] == [1, 2]:
        return Feedback(True, "Rule 1 (leave it alone) is best; rule 2 is stable but about 40% "
                              "more spread out; rules 3 and 4 swing or drift ever further from "
                              "the target." + tail)
    if given[0] != 1:
        return Feedback(False, f"You put rule {given[0]} first. Every adjustment adds the last "
                               "drop's random error back in, so the best rule is the one that "
                               "never adjusts." + tail)
    return Feedback(False, "Rule 1 first is right. Which of the others stays stable, and which "
                           "two wander further and further away?" + tail)


def check_worse_months(answer: object, data: pd.DataFrame) -> Feedback:
    """Exercise 4.2: in how many months did a stable measure look 'worse than last month'?

    ``data`` is a table from :func:`~safercare.games.funnel_experiment.management_by_last_month`
    (column ``worse_than_last``) or from :func:`~safercare.games.board_report.rag_table`
    (column ``looks``).
    """
    if _blank(answer):
        return Feedback(False, _NOT_YET)
    try:
        given = int(str(answer).strip())
    except ValueError:
        return Feedback(False, "Type a whole number of months, e.g. 12.")
    if "worse_than_last" in data.columns:
        worse = data["worse_than_last"].astype(bool)
    else:  # a table from safercare.games.board_report.rag_table
        worse = data["looks"] == "worse"
    right = int(worse.sum())
    compared = len(data) - 1
    if given == right:
        return Feedback(True, f"{right} of {compared} month-to-month comparisons looked "
                              "'worse' -- about half, from a process that never changed. A "
                              "board that reacts to each one is tampering about every other "
                              "month.")
    return Feedback(False, f"Not {given}. Count the months marked 'worse' in the table (the "
                           f"first month has nothing to compare with, so there are {compared} "
                           "comparisons).")
