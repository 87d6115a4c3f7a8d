"""Lesson 3, *SPC the Making Data Count way*: its exercise checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from safercare.lessons.common import NOT_YET, Feedback, is_blank, normalise

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
    if is_blank(answers):
        return Feedback(False, NOT_YET)
    wrong = []
    for what, chart in CHART_CHOICES.items():
        given = normalise(answers.get(what, "")).replace(" chart", "").replace("-", "")
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

    if is_blank(variation) or is_blank(assurance):
        return Feedback(False, NOT_YET)
    v, a = _VARIATION_WORDS.get(normalise(variation)), normalise(assurance)
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
    if answer is None or (isinstance(answer, str) and is_blank(answer)):
        return Feedback(False, NOT_YET)
    if isinstance(answer, str) and normalise(answer) in ("none", "nothing", "no measures", "[]"):
        answer = []
    if isinstance(answer, str):
        named = [m for m in verdicts if normalise(m) in normalise(answer)]
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
