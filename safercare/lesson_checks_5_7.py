"""Answer checks for the exercises in lessons 5-8 (rare events, comparing, did it work?,
your own data).

Why: a learner who types an answer deserves to know at once whether it is right and,
if not, a specific hint about where to look -- not just "wrong". Each ``check_...``
function takes the learner's answer exactly as typed (a number, "14%", a name or a
date) and returns a :class:`Feedback`, which shows as a short, kind paragraph in a
notebook. The expected answers are never typed in here: each check works them out by
calling the same package functions, on the same course data, as the lesson does, so
the lesson, the check and the facilitator's answer key cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from safercare import comparison, evaluation

__all__ = [
    "Feedback",
    "LESSON5",
    "LESSON6",
    "LESSON7",
    "check_balancing_measure",
    "check_board_chance",
    "check_first_signal",
    "check_outlier",
    "check_overdispersion",
    "check_programme_effect",
    "check_rank_interval",
    "check_regression_to_mean",
    "check_screened_row",
    "check_serious_incidents",
    "expected_answers",
    "rank_unit",
]

#: The situation of lesson 5: which trust, which events, when the change started.
LESSON5: dict[str, Any] = {
    "cdiff_trust": "C03-AT1",
    "cdiff_start": "2023-10-01",
    "si_trust": "C15-AT2",
    "si_start": "2023-04-01",
    "board_mean_gap": 45,
    "board_days": 90,
}
#: Lesson 6: the latest financial year of mortality, compared between collaboratives.
LESSON6: dict[str, Any] = {
    "year_start": "2024-04-01",
    "year_end": "2025-04-01",
    "rank_place": 7,
    "indicator": "acei_loop_75plus_no_monitoring",
    "replicates": 1000,
    "seed": 2024,
}
#: Lesson 7: collaborative C09's mortality programme and the regression-to-the-mean simulation.
LESSON7: dict[str, Any] = {
    "programme": "C09",
    "start": "2023-04-01",
    "rtm_worst": 10,
    "rtm_seed": 2024,
}


@dataclass(frozen=True)
class Feedback:
    """The result of checking an answer: ``correct`` and a plain-English ``message``."""

    correct: bool
    message: str
    #: ``False`` when nothing was typed yet: the message then invites an answer.
    answered: bool = True

    def _head(self) -> str:
        if not self.answered:
            return "Your turn."
        return "Well done." if self.correct else "Not quite yet."

    def __str__(self) -> str:
        return f"{self._head()} {self.message}"

    def _repr_markdown_(self) -> str:
        return f"**{self._head()}** {self.message}"

    def __bool__(self) -> bool:
        return self.correct


# --------------------------------------------------------------------- reading answers
_NUMBER = re.compile(r"[-+−]?\d+(?:[.,]\d+)?")


def _numbers(answer: Any) -> list[float]:
    """Every number in an answer: 14, "14%", "about 14.5", "3 to 10", (3, 10)."""
    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        return [float(answer)]
    if isinstance(answer, (list, tuple)):
        return [n for a in answer for n in _numbers(a)]
    text = str(answer).replace("−", "-")
    return [float(m.replace(",", ".")) for m in _NUMBER.findall(text)]


def _percent(answer: Any) -> tuple[float | None, str]:
    """A percentage from 14, "14%", or 0.14 (read as 14%, with a note)."""
    found = _numbers(answer)
    if not found:
        return None, ""
    value = found[0]
    if isinstance(answer, (int, float)) and abs(value) < 1 and value != 0:
        return value * 100, (f" (We read {answer:g} as {value * 100:.1f}%: next time you can "
                             "type the percentage itself.)")
    return value, ""


def _no_answer(example: str, answer: Any = "") -> Feedback:
    if answer is None or answer is Ellipsis or (isinstance(answer, str)
                                                 and not answer.strip(" .…")):
        return Feedback(False, f"Type your answer in place of the dots (for example "
                               f"`{example}`), then run the cell again.", answered=False)
    return Feedback(False, f"We could not find an answer in what you typed. Type it like "
                           f"this: `{example}`.")


def _norm(text: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


# ------------------------------------------------------------------ expected answers
@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    from safercare import data

    geo = data.load("geography")
    return dict(zip(geo["org_id"].astype(str), geo["org_name"].astype(str), strict=True))


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


@lru_cache(maxsize=1)
def _collaboratives() -> pd.DataFrame:
    from safercare import data

    deaths = data.load("mortality")
    table = comparison.totals(deaths, by="collaborative_id",
                              columns=["deaths", "expected_deaths"], date="quarter",
                              start=LESSON6["year_start"], end=LESSON6["year_end"])
    table["collaborative"] = table["collaborative_id"].map(_names())
    return table


@lru_cache(maxsize=1)
def _trusts() -> pd.DataFrame:
    from safercare import data

    deaths = data.load("mortality")
    table = comparison.totals(deaths, by="trust_id", columns=["deaths", "expected_deaths"],
                              date="quarter", start=LESSON6["year_start"],
                              end=LESSON6["year_end"])
    table["trust"] = table["trust_id"].map(_names())
    return table


@lru_cache(maxsize=1)
def _practices() -> pd.DataFrame:
    from safercare import data

    gp = data.load("gp_prescribing_safety")
    gp = gp[(gp["indicator"] == LESSON6["indicator"]).to_numpy()]
    return comparison.totals(gp, by="practice_id",
                             columns=["patients_with_hazard", "patients_at_risk"],
                             date="quarter", start=LESSON6["year_start"],
                             end=LESSON6["year_end"])


def _funnel(table: pd.DataFrame, unit: str, overdispersion: str | None) -> Any:
    from safercare.funnel import funnel

    return funnel(table, numerator="deaths", denominator="expected_deaths", unit=unit,
                  kind="ratio", overdispersion=overdispersion)


def _practice_funnel(overdispersion: str | None) -> Any:
    from safercare.funnel import funnel

    return funnel(_practices(), numerator="patients_with_hazard",
                  denominator="patients_at_risk", unit="practice_id",
                  overdispersion=overdispersion)


@lru_cache(maxsize=1)
def _ranks() -> comparison.RankResult:
    return comparison.rank_intervals(_collaboratives(), numerator="deaths",
                                     denominator="expected_deaths", unit="collaborative",
                                     kind="ratio", replicates=LESSON6["replicates"],
                                     seed=LESSON6["seed"])


@lru_cache(maxsize=1)
def _before_after() -> evaluation.BeforeAfterResult:
    from safercare import data

    deaths = data.load("mortality")
    deaths = deaths.assign(collaborative=deaths["collaborative_id"].map(_names()))
    return evaluation.before_after(deaths, numerator="deaths", denominator="admissions",
                                   date="quarter", group="collaborative",
                                   programme=_names()[LESSON7["programme"]],
                                   start=LESSON7["start"])


@lru_cache(maxsize=1)
def _rtm() -> evaluation.RegressionToMeanResult:
    return evaluation.regression_to_mean(worst=LESSON7["rtm_worst"], seed=LESSON7["rtm_seed"])


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


def _outside(result: Any) -> int:
    t = result.table
    return int((t["above_998"] | t["below_998"]).sum())


def rank_unit() -> str:
    """The collaborative in the published place that exercise 6.2 asks about."""
    t = _ranks().table
    return str(t.loc[t["rank"] == LESSON6["rank_place"], "unit"].iloc[0])


def expected_answers() -> dict[str, Any]:
    """Every exercise's expected answer, worked out from the data (for trainers and tests)."""
    ranks = _ranks().table.set_index("unit")
    row = ranks.loc[rank_unit()]
    adjusted = _funnel(_trusts(), "trust", "multiplicative")
    above = adjusted.table.loc[adjusted.table["above_998"], "unit"].tolist()
    ba = _before_after().summary
    return {
        "5.1 board chance (%)": 100 * evaluation.gap_chance(LESSON5["board_mean_gap"],
                                                            LESSON5["board_days"]),
        "5.1 streak in a year (%)": 100 * evaluation.streak_chance(
            LESSON5["board_mean_gap"], LESSON5["board_days"], 365),
        "5.2 first improvement signal": _first_improvement(_cdiff_chart(),
                                                           LESSON5["cdiff_start"]),
        "5.2 cases until the signal": _cases_until_signal(),
        "5.3 serious incidents verdict": _si_verdict(),
        "6.1 above the upper limit": above,
        "6.2 rank unit": rank_unit(),
        "6.2 rank interval": (int(row["rank_lower"]), int(row["rank_upper"])),
        "6.3 practices outside (unadjusted, adjusted)": (
            _outside(_practice_funnel(None)), _outside(_practice_funnel("multiplicative"))),
        "7.1 regression to the mean (%)": 100 * _rtm().summary["mean_relative_change"],
        "7.2 naive change (%)": 100 * ba["programme_change"],
        "7.2 programme's own change (%)": 100 * ba["effect_change"],
        "7.3 balancing measure": "c",
    }


# ------------------------------------------------------------------------- lesson 5
def check_board_chance(answer: Any) -> Feedback:
    """Exercise 5.1: chance of a 90-day gap when incidents come every 45 days on average."""
    value, note = _percent(answer)
    if value is None:
        return _no_answer("my_answer = 25", answer)
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
        return _no_answer('my_answer = "2024-01-31"', answer)
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
    text = "" if answer is None else _norm(answer)
    if "improv" in text or "better" in text or "rarer" in text:
        said = "improvement"
    elif "concern" in text or "worse" in text:
        said = "concern"
    elif text and ("no" in text or "none" in text or "common" in text):
        said = "no signal"
    else:
        return _no_answer('my_answer = "no signal"', answer)
    right = _si_verdict()
    if said == right:
        return Feedback(True, f"Serious incidents at {_names()[LESSON5['si_trust']]} became "
                              "rarer after the new "
                              "safety handover: the gaps between them lengthened until the "
                              "chart signalled. A monthly count of 0 or 1 would hardly have "
                              "shown it.")
    if said == "concern":
        return Feedback(False, "On a t chart a higher point means a longer gap between "
                               "incidents, which is good. Look at which way the points moved.")
    return Feedback(False, "Look again at the points after April 2023: do any of them "
                           "change colour or shape?")


# ------------------------------------------------------------------------- lesson 6
def check_outlier(answer: Any) -> Feedback:
    """Exercise 6.1: the trust above the upper 99.8% limit (funnel allowing overdispersion)."""
    if answer is None or answer is Ellipsis or not str(answer).strip(" .…"):
        return _no_answer(f'my_answer = "{_names()["C01-AT1"]}"', answer)
    result = _funnel(_trusts(), "trust", "multiplicative")
    t = result.table
    above = t.loc[t["above_998"], "unit"].tolist()
    below = t.loc[t["below_998"], "unit"].tolist()
    table = _trusts()
    aliases = {_norm(n): n for n in table["trust"]}
    aliases.update({_norm(i): n for i, n in zip(table["trust_id"], table["trust"], strict=True)})
    # The town is enough: every trust is called "<town> Hospitals".
    aliases.update({_norm(n).removesuffix("hospitals"): n for n in table["trust"]})
    said_name = aliases.get(_norm(answer))
    if said_name in above:
        return Feedback(True, f"{said_name} is above the upper 99.8% limit even after the limits "
                              "are widened for overdispersion. That is a reason to ask "
                              "questions and look closer (data, case mix, care), not to blame.")
    if said_name in below:
        return Feedback(False, f"{said_name} is outside the limits, but below them: fewer deaths "
                               "than expected. Which trust is above the upper line?")
    if said_name is None:
        collaboratives = {_norm(n) for n in _collaboratives()["collaborative"]}
        if _norm(answer) in collaboratives:
            return Feedback(False, "That is a collaborative. This funnel plot shows the 30 "
                                   "hospital trusts: type the name of a trust.")
        return Feedback(False, f"We could not match '{answer}' to a trust. Copy the name from "
                               "the labels on the funnel plot.")
    return Feedback(False, f"{said_name} is inside the limits: its ratio is within what chance "
                           "and the usual spread between trusts would give. Look for the "
                           "labelled point above the dashed upper line.")


def check_rank_interval(lowest: Any, highest: Any = None) -> Feedback:
    """Exercise 6.2: the middle 95% of the 7th-placed collaborative's re-drawn ranks."""
    found = _numbers(lowest) + ([] if highest is None else _numbers(highest))
    if len(found) < 2:
        return _no_answer("lowest = 2 and highest = 12", lowest)
    lo, hi = sorted(int(round(x)) for x in found[:2])
    unit = rank_unit()
    row = _ranks().table.set_index("unit").loc[unit]
    right = (int(row["rank_lower"]), int(row["rank_upper"]))
    if (lo, hi) == right:
        return Feedback(True, f"{unit} is published as number "
                              f"{int(row['rank'])}, "
                              f"but in re-drawn years it could be anywhere from {right[0]} to "
                              f"{right[1]}. Its place in the table says very little on its own.")
    if (lo, hi) == (int(row["rank"]), int(row["rank"])):
        return Feedback(False, "That is its published rank. Read the ends of its line on the "
                               "rank chart (or the rank_lower and rank_upper columns).")
    return Feedback(False, f"You said {lo} to {hi}. Find {unit} in the table "
                           "above and read its rank_lower and rank_upper columns.")


def check_overdispersion(unadjusted: Any, adjusted: Any = None) -> Feedback:
    """Exercise 6.3: GP practices outside the 99.8% limits, before and after adjustment."""
    found = _numbers(unadjusted) + ([] if adjusted is None else _numbers(adjusted))
    if len(found) < 2:
        return _no_answer("before = 12 and after = 5", unadjusted)
    before, after = (int(round(x)) for x in found[:2])
    right_before = _outside(_practice_funnel(None))
    right_after = _outside(_practice_funnel("multiplicative"))
    if (before, after) == (right_before, right_after):
        return Feedback(True, f"{right_before} practices look 'unusual' with plain limits, but "
                              f"only {right_after} once the limits allow for the real, everyday "
                              "differences between practices. Without the adjustment you would "
                              "send letters to dozens of practices about false alarms.")
    parts = []
    if before != right_before:
        parts.append("Count again the points beyond the dashed 99.8% lines on the first plot "
                     "(above and below both count).")
    if after != right_after:
        parts.append("On the adjusted plot, count the labelled points outside the wider "
                     "dashed lines.")
    return Feedback(False, " ".join(parts))


# ------------------------------------------------------------------------- lesson 7
def check_regression_to_mean(answer: Any) -> Feedback:
    """Exercise 7.1: average apparent change of the 10 worst units, with no real change."""
    value, note = _percent(answer)
    if value is None:
        return _no_answer("my_answer = -25", answer)
    right = 100 * _rtm().summary["mean_relative_change"]
    if abs(abs(value) - abs(right)) <= 1.5:
        return Feedback(True, f"The worst units 'improved' by about {abs(right):.0f}% on "
                              "average, and nothing about them changed. Any programme aimed "
                              "at the worst performers will look this good for free.")
    if abs(value) < 1:
        return Feedback(False, "The true rates do not change, but the selected units were "
                               "picked when chance made them look bad. Read the average change "
                               "in the description under the chart.")
    return Feedback(False, f"You said {value:g}%. Read the average apparent change across all "
                           f"the simulated repeats, in the sentence under the chart.{note}")


def check_programme_effect(answer: Any) -> Feedback:
    """Exercise 7.2: the programme's own change once the national trend is allowed for."""
    value, note = _percent(answer)
    if value is None:
        return _no_answer("my_answer = -10", answer)
    s = _before_after().summary
    where = _names()[LESSON7["programme"]]
    right = 100 * s["effect_change"]
    naive = 100 * s["programme_change"]
    trend = 100 * s["comparison_change"]
    if abs(abs(value) - abs(right)) <= 1.5:
        lo, hi = (100 * (x - 1) for x in s["ratio_interval"])
        return Feedback(True, f"{where}'s death rate fell by {abs(naive):.0f}%, but about "
                              f"{abs(trend):.0f} points of that happened everywhere. The "
                              f"programme's own share is about {abs(right):.0f}% (95% confidence "
                              f"interval {lo:.0f}% to {hi:.0f}%).{note}")
    if abs(abs(value) - abs(naive)) <= 1.5:
        return Feedback(False, f"That is the whole fall in {where}, before allowing for the "
                               "fall that happened in every other collaborative too. Look for "
                               "the programme's own change in the description.")
    if abs(abs(value) - abs(trend)) <= 1.5:
        return Feedback(False, "That is the fall in the comparison collaboratives: the national "
                               "trend. What is left for the programme once you take it away?")
    return Feedback(False, f"You said {value:g}%. Read 'the programme's own change' in the "
                           f"sentence under the chart.{note}")


_BALANCING = {
    "a": "Deaths in hospital per 1,000 admissions is the outcome measure itself.",
    "b": "The share of patients screened for sepsis is a process measure: it tells you the "
         "programme is being done, not what it costs elsewhere.",
    "c": "Emergency readmissions within 30 days would show if patients were being sent home "
         "too soon or too sick: a problem the programme could cause somewhere else, which is "
         "exactly what a balancing measure is for.",
    "d": "Staff completing the training is a process (or structure) measure.",
}


def check_balancing_measure(answer: Any) -> Feedback:
    """Exercise 7.3: which is the best balancing measure for a hospital mortality programme?"""
    text = str(answer).strip().lower()
    letter = text[:1] if text[:1] in _BALANCING else None
    if letter is None:
        return _no_answer('my_answer = "a"', answer)
    if letter == "c":
        return Feedback(True, _BALANCING["c"])
    return Feedback(False, _BALANCING[letter] + " Which option could get worse because of the "
                                                 "programme?")


def check_screened_row(answer: Any, problems: pd.DataFrame) -> Feedback:
    """Lesson 8: the spreadsheet row with more patients screened than were eligible.

    ``problems`` is the table of problems the lesson shows (from
    ``safercare.widgets.upload.problems_table``); the right row is read from it, so the
    check and the table cannot disagree. ``answer`` may be typed as 26, "26" or "row 26".
    """
    found = _numbers(answer)
    if not found:
        return _no_answer("my_answer = 12", answer)
    too_many = problems["problem"].astype(str).str.startswith("this is more than")
    rows = [int(row) for row in problems.loc[too_many, "row"]]
    if found[0] in rows:
        return Feedback(True, f"Row {found[0]:g} has more patients screened than eligible. A "
                              "proportion cannot be above 100%, so one of the two numbers is "
                              "wrong: check both in the audit.")
    if found[0] in {int(row) for row in problems["row"].dropna()}:
        return Feedback(False, f"Row {found[0]:g} does have a problem, but a different one. "
                               "Look for the problem that says *this is more than "
                               "'patients_eligible' on the same row*, and type that row's "
                               "number.")
    return Feedback(False, f"Row {found[0]:g} has no problem in the table. Look for the "
                           "problem that says *this is more than 'patients_eligible' on the "
                           "same row*, and type the number in its **row** column.")
