"""Risk in plain words: absolute and relative risk, natural frequencies, icon arrays.

Why: the same fact can sound large or small. "The tablet cuts the risk of a stroke by a
quarter" (a **relative** risk reduction) sounds bigger than "4 in 100 people like you have a
stroke without it and 3 in 100 with it" (the **absolute** risks), though they say the same
thing; people of every background understand the second better, especially as whole people
("3 in 100") rather than percentages ("3%") (Gigerenzer et al. 2007; Akl et al. 2011, a
Cochrane review). NICE's guideline on shared decision making (NG197, England, 2021) asks for
natural frequencies with the same denominator, both framings (good and bad outcome), absolute
rather than relative risks, and pictures such as icon arrays.

Everything here is a pure function of the numbers, so a lesson, a test or a decision aid can
print the same words:

* :func:`absolute_risk`, :func:`relative_risk`, :func:`relative_risk_reduction`,
  :func:`risk_difference`, :func:`number_needed_to_treat` (Laupacis, Sackett and Roberts 1988);
* :func:`wilson_interval`: the Wilson score interval for a proportion (Wilson 1927), which
  behaves well for small counts and rates near 0, unlike the simple "Wald" interval
  (Newcombe 1998; Brown, Cai and DasGupta 2001);
* :func:`choose_denominator` and :func:`natural_frequency`: "about 3 in 100 people";
* :func:`framing`: the same risk said both ways ("3 in 100 die; 97 in 100 survive");
* :func:`picture_denominator`: a crowd a reader can picture for 100, 1,000, ... people;
* :func:`rate_words`: a rate in plain words with its uncertainty ("between about 2 and 5
  in 100");
* :class:`Comparison` (from :func:`compare`): relative, absolute and number-needed-to-treat
  words for a treatment that changes a risk;
* :func:`read_frequency`: reads what a person typed ("2 in 100", "20 in 1,000", "1 in 50",
  "2%") as a risk, or says plainly what to type;
* :func:`icon_array`: the picture, drawn with shapes as well as shades (filled, hatched and
  outlined icons) so it reads in greyscale, with alt text made from the numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Literal

import numpy as np

from safercare.errors import DataError, Problem

__all__ = [
    "DENOMINATORS",
    "ICON_MAX",
    "MAX_TYPED",
    "PICTURES",
    "Comparison",
    "Framing",
    "Frequency",
    "absolute_risk",
    "choose_denominator",
    "compare",
    "describe_icon_array",
    "framing",
    "icon_array",
    "natural_frequency",
    "number_needed_to_treat",
    "picture_denominator",
    "rate_words",
    "read_frequency",
    "relative_risk",
    "relative_risk_reduction",
    "risk_difference",
    "wilson_interval",
]

#: The denominators used for natural frequencies, smallest first (powers of ten are easiest
#: to compare; NICE NG197 asks for the same denominator throughout one conversation).
DENOMINATORS: tuple[int, ...] = (100, 1_000, 10_000, 100_000, 1_000_000)
#: The most icons one icon array draws: past this the icons are too small to count.
ICON_MAX = 1_000
#: A rounded count may differ from the exact one by at most this fraction (else we go to
#: the next denominator): "1.5 in 100" becomes "15 in 1,000", not "about 2 in 100".
ROUNDING_TOLERANCE = 0.1


# --------------------------------------------------------------------------- checking
def _problem(field: str, what: str, fix: str, value: object = None) -> DataError:
    return DataError(Problem(row=None, column=field, what=what, fix=fix,
                             value=None if value is None else str(value)))


def _risk(value: object, field: str = "risk") -> float:
    """A risk between 0 and 1, or a DataError naming the field."""
    try:
        r = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _problem(field, "this is not a number", "give a risk between 0 and 1, e.g. 0.03",
                       value) from None
    if not math.isfinite(r) or not 0 <= r <= 1:
        raise _problem(field, "a risk must be between 0 and 1",
                       "give it as a proportion, e.g. 0.03 for 3 in 100", value)
    return r


def _count(value: object, field: str, *, minimum: int = 0) -> int:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _problem(field, "this is not a whole number", "type a whole number of people",
                       value) from None
    if not math.isfinite(number) or number != int(number) or number < minimum:
        raise _problem(field, f"this must be a whole number of at least {minimum}",
                       "type a whole number of people", value)
    return int(number)


# ---------------------------------------------------------------------- the measures
def absolute_risk(events: int, people: int) -> float:
    """The share of ``people`` who had the event: ``events / people`` (0 to 1)."""
    people = _count(people, "people", minimum=1)
    events = _count(events, "events")
    if events > people:
        raise _problem("events", f"{events} events is more than the {people} people",
                       "check the two numbers: events cannot be more than people", events)
    return events / people


def risk_difference(risk_without: float, risk_with: float) -> float:
    """The absolute risk reduction: ``risk_without - risk_with`` (negative if it rises)."""
    return _risk(risk_without, "risk_without") - _risk(risk_with, "risk_with")


def relative_risk(risk_without: float, risk_with: float) -> float:
    """The risk ratio ``risk_with / risk_without`` (1 means no change)."""
    base = _risk(risk_without, "risk_without")
    if base == 0:
        raise _problem("risk_without", "a relative risk needs a risk above 0 to compare with",
                       "give the risk without treatment as more than 0")
    return _risk(risk_with, "risk_with") / base


def relative_risk_reduction(risk_without: float, risk_with: float) -> float:
    """How much of the risk goes: ``1 - relative_risk`` (0.25 is "a quarter less")."""
    return 1 - relative_risk(risk_without, risk_with)


def number_needed_to_treat(risk_without: float, risk_with: float) -> float:
    """People to treat for one more to avoid the event: ``1 / risk difference``, rounded up.

    Rounded up to a whole person, so it never overstates the benefit (Laupacis, Sackett
    and Roberts 1988). A negative difference (the risk rises) gives the number needed to
    **harm**, as a positive number, from :meth:`Comparison.nnt_words`; no difference gives
    ``math.inf``.
    """
    diff = risk_difference(risk_without, risk_with)
    if diff == 0:
        return math.inf
    return float(math.ceil(round(1 / abs(diff), 9)))


def wilson_interval(events: int | Sequence[int] | np.ndarray,
                    people: int | Sequence[int] | np.ndarray,
                    confidence: float = 0.95) -> tuple[Any, Any]:
    """The Wilson score interval for ``events / people`` (vectorised over arrays).

    With p = events / n and z the normal quantile for ``confidence``:
    centre = (p + z²/2n) / (1 + z²/n) and half-width = z / (1 + z²/n) × √(p(1−p)/n + z²/4n²)
    (Wilson 1927). It stays inside 0 to 1 and is not zero-width at 0 events, which is why it
    is recommended over the simple p ± z√(p(1−p)/n) (Newcombe 1998; Brown, Cai and DasGupta
    2001). Returns ``(lower, upper)`` as proportions.
    """
    if not 0 < confidence < 1:
        raise _problem("confidence", "the confidence level must be between 0 and 1",
                       "use 0.95 for a 95% interval", confidence)
    e = np.asarray(events, dtype=float)
    n = np.asarray(people, dtype=float)
    if np.any(n < 1) or np.any(e < 0) or np.any(e > n) or np.any(e != np.round(e)):
        raise _problem("events", "events must be whole numbers from 0 to the number of people",
                       "check the counts")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = e / n
    scale = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / scale
    half = z / scale * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    # exact at the edges: 0 events has lower limit 0, all events upper limit 1
    low, high = np.where(e == 0, 0.0, low), np.where(e == n, 1.0, high)
    if np.ndim(low) == 0:
        return float(low), float(high)
    return low, high


# ------------------------------------------------------------------ natural frequencies
def _fits(count: float) -> bool:
    """True when a count can be rounded to a whole person without misleading."""
    return count == 0 or (count >= 0.95 and abs(_whole(count) - count)
                          <= ROUNDING_TOLERANCE * count + 1e-9)


def choose_denominator(*risks: float) -> int:
    """The smallest of :data:`DENOMINATORS` that shows every risk as a whole number of people.

    Give every risk of one conversation at once, so they share a denominator (3 in 1,000
    against 5 in 1,000, never 3 in 1,000 against 1 in 200). A count may be rounded by at
    most :data:`ROUNDING_TOLERANCE` of itself.
    """
    values = [_risk(r) for r in risks]
    for d in DENOMINATORS:
        if all(_fits(r * d) for r in values):
            return d
    return DENOMINATORS[-1]


def _people(n: float) -> str:
    return f"{n:,.0f}"


def _whole(x: float) -> int:
    """``x`` rounded to the nearest whole person, halves up (2.5 -> 3, as people expect)."""
    return math.floor(x + 0.5 + 1e-9)


def natural_frequency(risk: float, denominator: int | None = None, *,
                      people: str = "people") -> str:
    """A risk as whole people: "about 3 in 100 people" ("about" only when rounded).

    ``denominator`` defaults to :func:`choose_denominator` for this risk; the count is
    rounded to the nearest whole person. A risk that rounds to 0 says "fewer than 1 in ...".
    """
    r = _risk(risk)
    d = choose_denominator(r) if denominator is None else _count(denominator, "denominator",
                                                                  minimum=1)
    exact = r * d
    count = _whole(exact)
    tail = f" {people}" if people else ""
    if count == 0 and exact > 0:
        return f"fewer than 1 in {_people(d)}{tail}"
    about = "" if math.isclose(count, exact, abs_tol=1e-9) else "about "
    return f"{about}{_people(count)} in {_people(d)}{tail}"


@dataclass(frozen=True)
class Framing:
    """One risk said two ways, with counts that add up to the denominator."""

    negative: str
    positive: str
    denominator: int


def framing(risk: float, bad: str = "die", good: str = "survive",
            denominator: int | None = None) -> Framing:
    """The same risk framed by the bad and by the good outcome (NICE NG197 asks for both).

    "3 in 100 people die" and "97 in 100 people survive" are the same fact; people judge
    the first as more dangerous (the framing effect), so give both. The two counts add up to
    the denominator.
    """
    r = _risk(risk)
    d = choose_denominator(r) if denominator is None else _count(denominator, "denominator",
                                                                  minimum=1)
    negative = f"{natural_frequency(r, d)} {bad}"
    bad_count = _whole(r * d)
    if bad_count == 0 and r > 0:  # "fewer than 1 in 100 die; more than 99 in 100 survive"
        positive = f"more than {_people(d - 1)} in {_people(d)} people {good}"
    else:
        about = "" if math.isclose(bad_count, r * d, abs_tol=1e-9) else "about "
        positive = f"{about}{_people(d - bad_count)} in {_people(d)} people {good}"
    return Framing(negative=negative, positive=positive, denominator=d)


#: Crowds a reader can picture, for each denominator (rough sizes, to give a feel only).
PICTURES: dict[int, str] = {
    100: "three or four school classes",
    1_000: "everyone in a large secondary school",
    10_000: "everyone in a small town",
    100_000: "a full national football stadium",
    1_000_000: "everyone in a large city",
}


def picture_denominator(denominator: int) -> str:
    """A crowd of about ``denominator`` people that a reader can picture."""
    d = _count(denominator, "denominator", minimum=1)
    if d not in PICTURES:
        raise _problem("denominator", f"there is no picture for {d:,} people",
                       "use one of " + ", ".join(f"{k:,}" for k in PICTURES), d)
    return PICTURES[d]


def rate_words(events: int, people: int, *, outcome: str = "had the problem",
               denominator: int | None = None, confidence: float = 0.95) -> str:
    """A rate in plain words with its uncertainty, from the counts.

    For example, 30 of 1,000 people: "30 of 1,000 people had the problem. That is 3 in 100.
    We cannot be sure of the true rate from one group of people. It is likely to be between
    about 2 and 4 in 100." The range is the Wilson interval (:func:`wilson_interval`); the
    point and the range share one denominator: the rate's own (:func:`choose_denominator`),
    made bigger only if the lower end would round to 0 people.
    """
    p = absolute_risk(events, people)
    low, high = wilson_interval(events, people, confidence)
    if denominator is None:  # the rate's own denominator; the range only needs "about"
        d = choose_denominator(p)
        while 0 < low and _whole(low * d) == 0 and d < DENOMINATORS[-1]:
            d *= 10
    else:
        d = _count(denominator, "denominator", minimum=1)
    point = natural_frequency(p, d, people="")
    lo = natural_frequency(low, d, people="")
    hi = natural_frequency(high, d, people="")
    lo_n, hi_n = (x.replace("about ", "").split(" in ")[0] for x in (lo, hi))
    about = "about " if ("about" in lo or "about" in hi) else ""
    return (f"{events:,} of {people:,} people {outcome}. That is {point}. "
            "We cannot be sure of the true rate from one group of people. "
            f"It is likely to be between {about}{lo_n} and {hi_n} in {_people(d)}.")


# ------------------------------------------------------------------- treatment effects
@dataclass(frozen=True)
class Comparison:
    """A risk without and with a treatment, and every way of saying the change."""

    risk_without: float
    risk_with: float
    outcome: str = "have a stroke"
    treatment: str = "the treatment"
    denominator: int = 100

    @property
    def relative_change(self) -> float:
        """The relative risk reduction (negative when the risk rises)."""
        return relative_risk_reduction(self.risk_without, self.risk_with)

    @property
    def difference(self) -> float:
        """The absolute risk reduction (negative when the risk rises)."""
        return risk_difference(self.risk_without, self.risk_with)

    @property
    def nnt(self) -> float:
        """People to treat for one to avoid the outcome (or to harm one, if it rises)."""
        return number_needed_to_treat(self.risk_without, self.risk_with)

    def counts(self) -> tuple[int, int]:
        """Whole people out of the denominator: (without, with)."""
        d = self.denominator
        return _whole(self.risk_without * d), _whole(self.risk_with * d)

    def relative_words(self) -> str:
        """The relative change, as advertising often puts it."""
        change = self.relative_change
        if change == 0:
            return f"{self.treatment[:1].upper()}{self.treatment[1:]} does not change the risk."
        verb = "lowers" if change > 0 else "raises"
        return (f"{self.treatment[:1].upper()}{self.treatment[1:]} {verb} the risk by "
                f"{abs(change):.0%}.")

    def absolute_words(self) -> str:
        """The same change as whole people out of one denominator."""
        without = natural_frequency(self.risk_without, self.denominator)
        with_ = natural_frequency(self.risk_with, self.denominator, people="")
        diff = self.difference
        head = f"Without {self.treatment}, {without} {self.outcome}. With it, {with_} do."
        if diff == 0:
            return head + " So it makes no difference."
        moved = natural_frequency(abs(diff), self.denominator)
        if diff > 0:
            return head + f" So {moved} avoid this because of {self.treatment}."
        return head + f" So {moved} have it because of {self.treatment}."

    def nnt_words(self) -> str:
        """The number needed to treat (or harm) as a sentence."""
        if math.isinf(self.nnt):
            return f"{self.treatment[:1].upper()}{self.treatment[1:]} makes no difference."
        n = f"{self.nnt:,.0f}"
        if self.difference > 0:
            return (f"About {n} people need {self.treatment} for 1 of them to avoid this. "
                    f"The other {self.nnt - 1:,.0f} get no benefit from it.")
        return f"For about every {n} people who have {self.treatment}, 1 more will {self.outcome}."

    def words(self) -> str:
        """Relative, absolute and number needed to treat, in that order (one paragraph each)."""
        return "\n\n".join([
            f"**Relative:** {self.relative_words()}",
            f"**Absolute:** {self.absolute_words()}",
            f"**Number needed to treat:** {self.nnt_words()}",
        ])


def compare(risk_without: float, risk_with: float | None = None, *,
            relative_reduction: float | None = None, outcome: str = "have a stroke",
            treatment: str = "the treatment", denominator: int | None = None) -> Comparison:
    """A :class:`Comparison` from two risks, or from one risk and a relative risk reduction.

    ``compare(0.04, relative_reduction=0.25)`` is a risk of 4 in 100 cut by a quarter (to
    3 in 100). The denominator is chosen for both risks together.
    """
    base = _risk(risk_without, "risk_without")
    if (risk_with is None) == (relative_reduction is None):
        raise _problem("risk_with", "give either the risk with treatment or the relative "
                       "reduction, not both or neither",
                       "for example compare(0.04, relative_reduction=0.25)")
    if risk_with is None:
        rrr = float(relative_reduction)  # type: ignore[arg-type]
        if not math.isfinite(rrr) or rrr > 1:
            raise _problem("relative_reduction", "a reduction cannot be more than 100%",
                           "give it as a proportion, e.g. 0.25 for a quarter", rrr)
        risk_with = base * (1 - rrr)
    treated = _risk(round(risk_with, 12), "risk_with")
    d = choose_denominator(base, treated, abs(base - treated)) if denominator is None \
        else _count(denominator, "denominator", minimum=1)
    return Comparison(base, treated, outcome, treatment, d)


# --------------------------------------------------------------- reading typed answers
#: The longest typed answer read (an answer is a few words; a pasted page is refused).
MAX_TYPED = 500
_NUM = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_IN = re.compile(_NUM + r"\s*(?:in|out of|per|of|/|in every)\s*(?:a|every|each)?\s*" + _NUM)
_PERCENT = re.compile(_NUM + r"\s*(?:%|per ?cent|percent)")
_WORDS = {"a hundred": "100", "one hundred": "100", "a thousand": "1000",
          "one thousand": "1000", "ten thousand": "10000", "a million": "1000000",
          "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
          "seven": "7", "eight": "8", "nine": "9", "ten": "10", "twenty": "20"}


@dataclass(frozen=True)
class Frequency:
    """What a person typed, read as numbers: ``count`` in ``denominator`` (or a percent)."""

    count: float
    denominator: float
    percent: bool = False

    @property
    def risk(self) -> float:
        return self.count / self.denominator


def read_frequency(text: object) -> Frequency:
    """Read "2 in 100", "20 in 1,000", "1 in 50", "1 out of 50", "2%" or "two in a hundred".

    Commas between groups of three digits are thousands separators ("1,000"). Raises a
    :class:`~safercare.errors.DataError` saying what to type when no frequency is found.
    """
    typed = str(text)
    if len(typed) > MAX_TYPED:
        raise _problem("answer", f"the answer is {len(typed):,} characters long",
                       'type just the numbers, like "2 in 100"')
    typed = typed.lower().replace("−", "-")
    for word, digits in sorted(_WORDS.items(), key=lambda kv: -len(kv[0])):
        typed = re.sub(rf"\b{word}\b", digits, typed)
    found = _IN.search(typed)
    if found:
        count, denominator = (float(g.replace(",", "")) for g in found.groups())
        if denominator <= 0 or count > denominator:
            raise _problem("answer", "the first number must be no bigger than the second",
                           'type it like "2 in 100"', text)
        return Frequency(count, denominator)
    found = _PERCENT.search(typed)
    if found:
        value = float(found.group(1).replace(",", ""))
        if value > 100:
            raise _problem("answer", "a percentage cannot be more than 100",
                           'type it like "2 in 100"', text)
        return Frequency(value, 100.0, percent=True)
    raise _problem("answer", "we could not find a number of people out of a group",
                   'type it like "2 in 100" or "20 in 1,000"', text)


# ----------------------------------------------------------------------- icon arrays
_Shape = Literal["person", "square"]


def _person_marker() -> Any:
    """A person as a matplotlib marker path: a round head over a rounded body."""
    from matplotlib.path import Path

    head = Path.circle(center=(0.0, 0.62), radius=0.28)
    body = Path([(-0.42, -1.0), (-0.42, 0.05), (-0.25, 0.25), (0.25, 0.25), (0.42, 0.05),
                 (0.42, -1.0), (-0.42, -1.0)],
                [Path.MOVETO, Path.LINETO, Path.CURVE3, Path.LINETO, Path.CURVE3,
                 Path.LINETO, Path.CLOSEPOLY])
    return Path.make_compound_path(head, body)


def _grid(denominator: int, columns: int | None) -> tuple[int, int]:
    if columns is None:
        columns = 10 if denominator <= 100 else 25 if denominator <= 200 else 50
    columns = max(1, min(columns, denominator))
    return columns, math.ceil(denominator / columns)


def _icons(n: int, kind: str, shape: str) -> str:
    icon = "icon" if n == 1 else "icons"
    return f"{n:,} {kind} {shape} {icon}"


def describe_icon_array(n_affected: int, denominator: int, *, n_avoided: int = 0,
                        affected: str = "have the problem", avoided: str = "avoid it",
                        unaffected: str = "do not", shape: _Shape = "person") -> str:
    """Alt text for :func:`icon_array`, made from its numbers.

    For example: "An icon array of 100 people: 4 in 100 people have a stroke. 4 filled
    person icons: have a stroke. 96 outlined person icons: do not."
    """
    rest = denominator - n_affected - n_avoided
    parts = [f"An icon array of {denominator:,} people: "
             f"{natural_frequency(n_affected / denominator, denominator)} {affected}.",
             f"{_icons(n_affected, 'filled', shape)}: {affected}."]
    if n_avoided:
        parts.append(f"{_icons(n_avoided, 'striped', shape)}: {avoided}.")
    parts.append(f"{_icons(rest, 'outlined', shape)}: {unaffected}.")
    return " ".join(parts)


def _key(ax: Any, kinds: list[tuple[dict[str, Any], str]], marker: Any, area: float) -> None:
    """The key under the icons: one icon of each kind and its label, one line each.

    Drawn as a few markers and texts in axes coordinates (a matplotlib legend costs more to
    lay out than all the icons, and an exploration draws many of these).
    """
    from safercare.style import FONT_SIZE, TEXT_COLOUR

    fig, box = ax.figure, ax.get_position()
    step = 0.3 / (box.height * fig.get_figheight())  # 0.3 inch per line
    inch = 1 / (box.width * fig.get_figwidth())
    for i, (kw, label) in enumerate(kinds):
        y = -0.25 * step - i * step
        ax.scatter([0.12 * inch], [y], marker=marker, s=area, linewidths=0.9,
                   transform=ax.transAxes, clip_on=False, zorder=3, **kw)
        ax.text(0.35 * inch, y, label, transform=ax.transAxes, va="center", ha="left",
                fontsize=FONT_SIZE - 1, color=TEXT_COLOUR)


def icon_array(n_affected: int, denominator: int = 100, *, n_avoided: int = 0,
               affected: str = "have the problem", avoided: str = "avoid it because of "
               "the treatment", unaffected: str = "do not", title: str | None = None,
               shape: _Shape = "person", columns: int | None = None, ax: Any = None) -> Any:
    """Draw an icon array: ``denominator`` icons, the first ``n_affected`` filled.

    Icons are grouped, filled from the top left row by row, so the affected part reads as a
    block that can be counted and compared (Galesic, Garcia-Retamero and Gigerenzer 2009;
    Spiegelhalter, Pearson and Short 2011). Three kinds of icon differ in shape of fill as
    well as shade, so the picture reads in greyscale and for colour-blind readers:
    **filled** dark icons (``affected``), **striped** (hatched) icons (``n_avoided``, e.g.
    the people a treatment spares) and **outlined** white icons (``unaffected``). The key
    under the icons names each kind with its count. Returns the Figure, with ``alt_text`` from
    :func:`describe_icon_array`. One ``scatter`` per kind draws every icon at once.
    """
    from safercare.style import BLUE, FONT_SIZE, LIMIT_COLOUR, TEXT_COLOUR, new_axes

    d = _count(denominator, "denominator", minimum=1)
    if d > ICON_MAX:
        raise _problem("denominator", f"{d:,} icons are too many to see one by one",
                       f"draw at most {ICON_MAX:,} icons, and say the bigger number in words",
                       d)
    k = _count(n_affected, "n_affected")
    a = _count(n_avoided, "n_avoided")
    if k + a > d:
        raise _problem("n_affected", f"{k + a:,} people is more than the {d:,} drawn",
                       "check the counts", k + a)
    cols, rows = _grid(d, columns)
    idx = np.arange(d)
    x, y = idx % cols, -(idx // cols)
    width = 4.8 if cols <= 10 else 9.0
    if ax is None:  # fixed margins (no layout engine: an icon array's size is known)
        grid_in, legend_in, title_in = width * rows / cols, 0.3 * (3 if a else 2) + 0.2, \
            (0.45 if title else 0.1)
        height = grid_in + legend_in + title_in
        fig, ax = new_axes(figsize=(width, height))
        fig.set_layout_engine("none")
        ax.set_position((0.02, legend_in / height, 0.96, grid_in / height))
    else:
        fig = ax.figure
    marker = _person_marker() if shape == "person" else "s"
    area = (260 if cols <= 10 else 30) * (1.0 if shape == "person" else 0.8)
    kinds = [
        (slice(0, k), dict(facecolors=TEXT_COLOUR, edgecolors=TEXT_COLOUR, hatch=None),
         f"{k:,} {affected}"),
        (slice(k, k + a), dict(facecolors="white", edgecolors=BLUE, hatch="/////"),
         f"{a:,} {avoided}"),
        (slice(k + a, d), dict(facecolors="white", edgecolors=LIMIT_COLOUR, hatch=None),
         f"{d - k - a:,} {unaffected}"),
    ]
    for part, kw, label in kinds:
        if part.stop - part.start == 0:
            continue
        ax.scatter(x[part], y[part], marker=marker, s=area, linewidths=0.9, label=label,
                   zorder=3, **kw)
    ax.set_xlim(-0.7, cols - 0.3)
    ax.set_ylim(-rows + 0.3, 0.7)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=FONT_SIZE + 1, color=TEXT_COLOUR, loc="left")
    _key(ax, [(kw, label) for part, kw, label in kinds if part.stop > part.start], marker,
         area if cols <= 10 else area * 4)
    fig.alt_text = describe_icon_array(  # type: ignore[attr-defined]
        k, d, n_avoided=a, affected=affected, avoided=avoided, unaffected=unaffected,
        shape=shape)
    if title:
        fig.alt_text = f"{title}. {fig.alt_text}"  # type: ignore[attr-defined]
    return fig
