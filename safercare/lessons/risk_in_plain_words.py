"""Lesson 41, *Risk in plain words*: the consent-form sentences it starts from, its exercise
checks (which read the numbers a learner types), the before/after exploration and the words it
prints (all made by :mod:`safercare.risk`, never typed).

The numbers in the consent form are made up for teaching; they are chosen so that the sums
come out in whole people.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from safercare import risk
from safercare.errors import DataError
from safercare.lessons.common import Feedback, is_blank, no_answer
from safercare.widgets.explore import Choice, Explorer, View

#: The lesson's consent form (Ambleworth Hospitals' day-surgery unit; made-up figures).
#: Each entry: the form's sentence, and the fact it states as numbers.
CONSENT: dict[str, dict[str, Any]] = {
    "infection": {
        "sentence": "The risk of a wound infection after this operation is 2%.",
        "risk": 0.02, "outcome": "get a wound infection"},
    "stroke": {
        "sentence": ("This tablet reduces your risk of a stroke by 25%. (Your risk of a stroke "
                     "in the next 10 years is 4% without it.)"),
        "risk": 0.04, "relative_reduction": 0.25, "outcome": "have a stroke",
        "treatment": "the tablet"},
    "survival": {
        "sentence": "The operation has a 97% survival rate.",
        "risk": 0.97, "outcome": "survive"},
}
#: The unit's own audit: wound infections among the people it operated on last year.
AUDIT = {"events": 6, "people": 300, "outcome": "got a wound infection"}

EXAMPLE = '"5 in 100"'


def consent_words() -> str:
    """The consent form's three sentences, as the lesson shows them (a Markdown list)."""
    return "\n".join(f"- *{form['sentence']}*" for form in CONSENT.values())


def stroke_words() -> str:
    """The consent form's stroke sentence, said the three ways."""
    return stroke_comparison().words()


def stroke_figure() -> Any:
    """The consent form's tablet as two icon arrays (without and with it)."""
    return before_after(stroke_comparison())


def one_in_a_thousand() -> Any:
    """1 in 1,000 as an icon array of 1,000 squares."""
    return risk.icon_array(1, 1_000, shape="square", affected="has the problem",
                           unaffected="do not", title="1 in 1,000")


def stroke_comparison(baseline: float | None = None,
                      relative_reduction: float | None = None) -> risk.Comparison:
    """The tablet of the consent form (or another baseline and reduction), compared."""
    form = CONSENT["stroke"]
    return risk.compare(form["risk"] if baseline is None else baseline,
                        relative_reduction=(form["relative_reduction"]
                                            if relative_reduction is None
                                            else relative_reduction),
                        outcome=form["outcome"], treatment=form["treatment"], denominator=100)


def audit_words() -> str:
    """The unit's infection rate in plain words, with its Wilson interval."""
    return risk.rate_words(AUDIT["events"], AUDIT["people"], outcome=AUDIT["outcome"])


def framing_words() -> str:
    """The survival sentence said both ways."""
    f = risk.framing(1 - CONSENT["survival"]["risk"], bad="die", good="survive")
    return (f"{f.positive[:1].upper()}{f.positive[1:]}. That also means "
            f"{f.negative}. Both sentences are true. Say both.")


def crowd_table() -> pd.DataFrame:
    """"1 in ..." with a crowd a reader can picture, for each denominator."""
    return pd.DataFrame({
        "Risk": [risk.natural_frequency(1 / d, d, people="") for d in risk.PICTURES],
        "As a percentage": [f"{100 / d:g}%" for d in risk.PICTURES],
        "Picture a crowd of": [risk.picture_denominator(d) for d in risk.PICTURES],
    })


# --------------------------------------------------------------------------- checks
def _read(answer: object) -> risk.Frequency | Feedback:
    if is_blank(answer):
        return no_answer(EXAMPLE.strip('"'), answer)
    try:
        return risk.read_frequency(answer)
    except DataError:
        return Feedback(False, 'We could not find "a number in a number" in what you typed. '
                               f'Type it like {EXAMPLE} or "20 in 1,000".')


def _same_as(expected: float) -> str:
    forms = sorted({risk.natural_frequency(expected, d, people="")
                    for d in (100, 1_000) if risk._fits(expected * d)},
                   key=lambda s: len(s))
    return " or ".join(f'"{f}"' for f in forms)


def _n(x: float) -> str:
    """A typed count as the learner wrote it: 20 -> "20", 2.5 -> "2.5", 1000 -> "1,000"."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,g}"


def check_frequency(answer: object, expected: float) -> Feedback:
    """Is ``answer`` ("2 in 100", "20 in 1,000", "1 in 50" ...) the risk ``expected``?

    Any denominator is accepted when the count is the expected risk of that many people,
    rounded to a whole person (so "1 in 300" passes for 0.35%). A percentage is the same
    number but not yet plain words, and a part of a person ("2.5 in 100") is not yet a
    natural frequency, so each gets a hint instead.
    """
    read = _read(answer)
    if isinstance(read, Feedback):
        return read
    if read.percent:
        return Feedback(False, "That is a percentage. Say it as a number of people: "
                               f"how many in 100? (For example {EXAMPLE}.)")
    if not float(read.count).is_integer():
        return Feedback(False, f"{_n(read.count)} in {_n(read.denominator)} is not a whole "
                               "number of people. Use a bigger group, such as 1,000.")
    exact = expected * read.denominator
    if abs(read.count - exact) <= 0.5 and (read.count >= 1 or expected == 0):
        return Feedback(True, f"{_n(read.count)} in {_n(read.denominator)} is the same risk "
                              f"as {_same_as(expected)}.")
    if read.risk > expected:
        return Feedback(False, f"{_n(read.count)} in {_n(read.denominator)} is more than "
                               "the form says. Look again at the number on the form.")
    return Feedback(False, f"{_n(read.count)} in {_n(read.denominator)} is less than the "
                           "form says. Look again at the number on the form.")


def check_infection(answer: object) -> Feedback:
    """Exercise 41.1: the infection sentence as a natural frequency (2 in 100)."""
    return check_frequency(answer, CONSENT["infection"]["risk"])


def check_avoided(answer: object) -> Feedback:
    """Exercise 41.2: out of 100 people, how many avoid a stroke because of the tablet?

    The answer is the absolute risk reduction; the two common slips (the relative reduction,
    or one of the two risks) get a hint that names them.
    """
    c = stroke_comparison()
    read = _read(answer)
    if isinstance(read, Feedback):
        return read
    if not read.percent and abs(read.risk - c.relative_change) < 1e-9:
        return Feedback(False, f"{_n(read.count)} in {_n(read.denominator)} is the "
                               "relative change. Start from the 4 in 100 people who would "
                               "have a stroke: what is a quarter of them?")
    for known, name in ((c.risk_without, "without"), (c.risk_with, "with")):
        if abs(read.risk - known) < 1e-9:
            return Feedback(False, f"That is the risk {name} the tablet. How many fewer "
                                   "people have a stroke with it?")
    found = check_frequency(answer, c.difference)
    if found.correct:
        return Feedback(True, found.message + " " + c.nnt_words())
    return found


def check_framing(answer: object) -> Feedback:
    """Exercise 41.3: a 97% survival rate, said the other way (3 in 100 die)."""
    read = _read(answer)
    if isinstance(read, risk.Frequency) and not read.percent and abs(
            read.risk - CONSENT["survival"]["risk"]) < 1e-9:
        return Feedback(False, "That is how many survive. How many in 100 do not survive?")
    return check_frequency(answer, 1 - CONSENT["survival"]["risk"])


# ----------------------------------------------------------------------- exploration
#: Baseline risks (in 100) and relative reductions a reader can choose (all whole people).
BASELINES = (4, 8, 12, 20)
REDUCTIONS = (0.25, 0.5, 0.75)


def before_after(comparison: risk.Comparison) -> Any:
    """Two icon arrays of 100 people: without and with the treatment, and their alt text."""
    import matplotlib.pyplot as plt

    from safercare import style

    d = comparison.denominator
    without, with_ = comparison.counts()
    avoided = max(without - with_, 0)
    outcome = comparison.outcome
    with style.style_context():  # fixed margins: no layout engine to run for each state
        fig = plt.figure(figsize=(9.6, 6.4))
        axes = [fig.add_axes((left, 0.15, 0.46, 0.74)) for left in (0.02, 0.52)]
    avoid = f"avoid it because of {comparison.treatment}"
    alts = []
    for ax, title, kwargs in (
        (axes[0], f"Without {comparison.treatment}", dict(n_affected=without)),
        (axes[1], f"With {comparison.treatment}", dict(n_affected=with_, n_avoided=avoided)),
    ):
        risk.icon_array(denominator=d, affected=outcome, avoided=avoid, title=title, ax=ax,
                        **kwargs)
        alts.append(f"{title}: " + risk.describe_icon_array(
            denominator=d, affected=outcome, avoided=avoid, **kwargs))
    fig.alt_text = "Two icon arrays side by side. " + " ".join(alts)  # type: ignore[attr-defined]
    plt.close(fig)
    return fig


def risk_view(baseline: int, reduction: float) -> View:
    """One state of the exploration: icon arrays and the three ways of saying the change."""
    c = stroke_comparison(baseline / 100, reduction)
    return View(figure=before_after(c), words=c.words())


def risk_explorer() -> Explorer:
    """Choose a risk and how much a treatment cuts it; see the people and the words."""
    return Explorer(
        "Relative and absolute: the same change in people",
        controls=[
            Choice("baseline", "Risk of a stroke without the tablet",
                   [(b, f"{b} in 100") for b in BASELINES], default=4),
            Choice("reduction", "The tablet cuts the risk by",
                   [(r, f"{r:.0%} (relative)") for r in REDUCTIONS], default=0.25,
                   style="radio"),
        ],
        render=lambda state: risk_view(int(state["baseline"]), float(state["reduction"])),
    )


def answers() -> dict[str, str]:
    """The three exercises' answers as the trainer page prints them."""
    c = stroke_comparison()
    return {
        "41.1": risk.natural_frequency(CONSENT["infection"]["risk"], 100, people=""),
        "41.2": risk.natural_frequency(c.difference, 100, people=""),
        "41.2-nnt": c.nnt_words(),
        "41.3": risk.natural_frequency(1 - CONSENT["survival"]["risk"], 100, people=""),
        "audit": audit_words(),
    }
