"""Lesson 3, *SPC the Making Data Count way*: its situation, the words it prints about its
charts, and its exercise checks.

Every sentence the lesson shows about what a chart says (a signal, common cause, the icons,
why two charts of the same data have different limits) is made here from the chart results,
so the words cannot disagree with the pictures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import pandas as pd

from safercare import data, spc
from safercare.games import board_report
from safercare.lessons.common import NOT_YET, Feedback, is_blank, no_answer, normalise
from safercare.spc.icons import icon_text

#: The situation: the board of Vellingford Hospitals (Westerby Vale collaborative).
LESSON3: dict[str, Any] = {"trust": "C04-AT1"}


@lru_cache(maxsize=4)
def known_changes(trust: str = LESSON3["trust"]) -> dict[str, tuple[pd.Timestamp, ...]]:
    """The changes the trust deliberately made to each board measure's process, with dates.

    Read from the datasets' answer keys (the improvements the story plants), so the lesson
    recalculates its limits exactly where its story says a change was made.
    """
    changes: dict[str, list[pd.Timestamp]] = {}
    for name, spec in board_report.BOARD_MEASURES.items():
        key = data.answer_key(str(spec["dataset"]))
        for row in key.itertuples():
            series = row.series if isinstance(row.series, dict) else {}
            if series.get("trust_id") == trust and row.kind == "shift":
                changes.setdefault(name, []).append(pd.Timestamp(row.start))
    return {k: tuple(sorted(v)) for k, v in changes.items()}


def board_charts(board: pd.DataFrame, trust: str = LESSON3["trust"]) -> dict[str, Any]:
    """The board's SPC charts, recalculated at each change the trust made."""
    return board_report.board_charts(board, known_changes(trust))


def _when(date: object) -> str:
    return pd.Timestamp(date).strftime("%B %Y")


def rag_story(rag: pd.DataFrame) -> str:
    """What the RAG report tells the board, measure by measure, from the RAG table itself."""
    lines = []
    for r in rag.itertuples():
        arrow = {"better": "“better”", "worse": "“worse”"}.get(r.looks, "unchanged")
        lines.append(f"- **{r.measure}**: {r.rag}, and {arrow} than last month "
                     f"({r.value:g} against {r.previous:g}; target {r.target:g}).")
    return "\n".join(lines)


def spc_story(charts: Mapping[str, Any]) -> str:
    """What each SPC chart says at its latest point, in words made from the results."""
    lines = []
    changes = known_changes()
    for name, result in charts.items():
        summary = result.summary
        latest = str(result.table["verdict"].iloc[-1]).replace("_", " ")
        words = [f"- **{name}**: the latest point is {latest}"]
        if name in changes:
            starts = " and ".join(_when(d) for d in changes[name])
            words.append(f"; the limits are recalculated from {starts}, when the trust "
                         "changed the process, so the icons describe the new process")
        table = result.table
        latest_phase = table[table["phase"] == table["phase"].max()]
        for verdict, said in (("improvement", "improvement"), ("concern", "concern"),
                              ("special_cause", "special cause")):
            count = int((latest_phase["verdict"] == verdict).sum())
            if count:
                words.append(f"; {count} point{'s' if count != 1 else ''} in the chart show"
                             f"{'' if count != 1 else 's'} special-cause {said}"
                             if verdict != "special_cause" else
                             f"; {count} point{'s' if count != 1 else ''} show special cause")
        words.append(f". Variation icon: {icon_text(summary['variation_icon'])}")
        if summary["assurance_icon"]:
            words.append(f". Assurance icon: {icon_text(summary['assurance_icon'])}")
        lines.append("".join(words) + ".")
    return "\n".join(lines)


def limits_note(board_chart: Any, xmr_chart: Any) -> str:
    """Why the board's falls panel and the XmR chart of the same falls show different limits."""
    b, x = board_chart.summary, xmr_chart.summary
    return (f"The board's falls panel is a {board_chart.chart} chart: its limits are worked out "
            f"from each month's bed days, so they change from month to month (in the latest "
            f"month {b['lower']:.3g} to {b['upper']:.3g}). The XmR chart of the same monthly "
            f"rates works its limits out from the moving ranges instead, so they are the same "
            f"every month: {x['lower']:.3g} to {x['upper']:.3g}. Both describe the same data; "
            "the u chart uses what we know about bed days, the XmR chart only the values.")


def rules_list(rules: str = "mdc") -> str:
    """The profile's special-cause rules as a numbered Markdown list, with its own lengths."""
    return "\n".join(f"{i}. {rule}" for i, rule in enumerate(spc.rules_in_words(rules), 1))


def icon_answer(result: Any) -> str:
    """The answer to exercise 3.2, from the chart itself."""
    summary = result.summary
    assurance = summary["assurance_icon"]
    return (f"**Answer (from the chart):** variation icon: {icon_text(summary['variation_icon'])}; "
            f"assurance icon: "
            + (icon_text(assurance) if assurance else "none (there is no target)") + ".")


def board_action_answer(verdicts: Mapping[str, str]) -> str:
    """The answer to exercise 3.3, from the latest verdicts of the board's charts."""
    concern = [m for m, v in verdicts.items() if v == "concern"]
    return ("**Answer (from the charts):** "
            + (", ".join(concern) if concern else "none: no measure shows a concerning "
               "special cause at its latest point") + ".")

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


def check_chart_choice(*answers: str | Mapping[str, str]) -> Feedback:
    """Exercise 3.1: choose p, u, c or XmR for each description in :data:`CHART_CHOICES`.

    The learner types four short answers, one per description in order
    (``check_chart_choice("p", "u", "c", "xmr")``); a mapping from description to chart
    is also accepted.
    """
    if len(answers) == 1 and isinstance(answers[0], Mapping):
        answers = answers[0]
    else:
        answers = dict(zip(CHART_CHOICES, answers, strict=False))
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


# ------------------------------------------------ now you try with different data (3.4)
#: Four other care settings, each a service whose dataset plants a change (its answer key
#: names the chart and the settings a correct chart uses). Letters are the exercise's.
OTHER_SETTINGS: dict[str, dict[str, str]] = {
    "a": {"setting": "Mental health", "dataset": "restrictive_interventions",
          "signal": "safewards-C11-MH1",
          "measure": "restrictive interventions per 1,000 occupied bed days"},
    "b": {"setting": "Community care", "dataset": "community_pressure_ulcers",
          "signal": "community-ulcers-C02-CT3",
          "measure": "new pressure ulcers per 1,000 patients on the caseload"},
    "c": {"setting": "Custody", "dataset": "custody_healthcare",
          "signal": "custody-timeliness-C07-PC2",
          "measure": "detainees seen within 60 minutes (%)"},
    "d": {"setting": "Children's services", "dataset": "childrens_health_assessments",
          "signal": "childrens-iha-C12-CS1",
          "measure": "children assessed within 20 working days (%)"},
}


def _planted(letter: str) -> pd.Series:
    """The answer-key entry of the change planted in one other setting's service."""
    spec = OTHER_SETTINGS[letter]
    return data.answer_key(spec["dataset"]).set_index("id").loc[spec["signal"]]


@lru_cache(maxsize=8)
def other_setting_chart(letter: str) -> Any:
    """The SPC chart of one other setting's service, with the settings its data's answer key
    names (the chart type, the direction that is better, the baseline months)."""
    spec, key = OTHER_SETTINGS[letter], _planted(letter)
    frame = data.load(spec["dataset"])
    for column, value in key["series"].items():
        frame = frame[frame[column] == value]
    settings = dict(key["chart"])
    chart = settings.pop("chart")
    return getattr(spc, chart)(frame.reset_index(drop=True), **settings)


def other_setting_name(letter: str) -> str:
    """The service's name (from the geography), for titles and words."""
    org = next(iter(_planted(letter)["series"].values()))
    geography = data.load("geography").set_index("org_id")
    return f"{geography.loc[org, 'org_name']} ({geography.loc[org, 'collaborative']})"


def other_setting_verdict(letter: str) -> str:
    """``concern``, ``improvement`` or ``common_cause``: what the chart shows at any point."""
    verdicts = set(other_setting_chart(letter).table["verdict"])
    for meaning in ("concern", "improvement"):
        if meaning in verdicts:
            return meaning
    return "common_cause"


def other_settings_explorer() -> Any:
    """The exploration: pick a care setting, see its service's chart and what it says."""
    from safercare.widgets.explore import Choice, Explorer, View

    def view(state: Mapping[str, Any]) -> View:
        letter = state["setting"]
        spec, result = OTHER_SETTINGS[letter], other_setting_chart(letter)
        figure = result.plot(title=f"{other_setting_name(letter)}: {spec['measure']}")
        return View(figure=figure, words=f"{spec['setting']}. {result.describe()}")

    options = [(k, f"{k}) {v['setting']}") for k, v in OTHER_SETTINGS.items()]
    return Explorer("Now you try with different data: four other care settings",
                    controls=[Choice("setting", "Care setting", options, style="radio")],
                    render=view)


def check_other_settings(answer: str) -> Feedback:
    """Exercise 3.4: which settings' charts show a **concern**? Letters, e.g. ``"a, d"``,
    or ``"none"``. The right letters come from the four charts' verdicts."""
    if is_blank(answer):
        return no_answer('"b, d"', answer)
    text = normalise(answer)
    given = set() if text in ("none", "nothing") else set(
        ch for ch in text if ch.isalpha() and ch in OTHER_SETTINGS)
    if not given and text not in ("none", "nothing"):
        return Feedback(False, "Type the letters of the settings, for example \"a, d\", or "
                               "\"none\".")
    verdicts = {k: other_setting_verdict(k) for k in OTHER_SETTINGS}
    needed = {k for k, v in verdicts.items() if v == "concern"}
    said = "; ".join(f"{k}) {OTHER_SETTINGS[k]['setting']}: "
                     f"{verdicts[k].replace('_', ' ')}" for k in OTHER_SETTINGS)
    if given == needed:
        return Feedback(True, f"Right. {said}. The same rules read every setting's chart; "
                              "what changes is whether higher or lower is better.")
    return Feedback(False, "Look for orange points: they are special cause in the worse "
                           "direction. Check which way is better for each measure (fewer "
                           "restraints and ulcers; more people seen or assessed on time).")


def other_settings_answer() -> str:
    """The solution's words for exercise 3.4, from the four charts."""
    lines = [f"- **{k}) {v['setting']}**, {other_setting_name(k)}: "
             f"{other_setting_chart(k).describe()}" for k, v in OTHER_SETTINGS.items()]
    concern = [k for k in OTHER_SETTINGS if other_setting_verdict(k) == "concern"]
    return "\n".join(lines) + f"\n\nThe answer: **{', '.join(concern) or 'none'}**."
