"""The measure builder: an operational definition applied to a list of falls incidents.

Why: "the number of falls" is not a fact until someone says exactly what counts. Do
assisted falls (a patient lowered to the floor by staff) count? Falls found on the floor
that nobody saw? Falls of visitors? Only falls that caused harm? An *operational
definition* answers such questions so that two people counting the same incidents get
the same number (Deming 1986, *Out of the Crisis*, ch. 9; Provost and Murray 2011, *The
Health Care Data Guide*, ch. 2). This module makes the point with numbers: one
synthetic year of incident reports from the fictional Reedholm Hospitals, and a definition you can
change to watch the count change.

The incidents are synthetic (seeded) and the proportions are illustrative only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from safercare.errors import DataError, Problem

__all__ = [
    "HARM_GRADES",
    "HOW",
    "PEOPLE",
    "WARDS",
    "FallDefinition",
    "compare_definitions",
    "count_falls",
    "describe_monthly_falls",
    "describe_definition",
    "falls_matching",
    "falls_rate",
    "monthly_falls",
    "plot_monthly_falls",
    "synthetic_falls",
]

#: Harm grades in increasing order (the grades used by NHS incident reporting).
HARM_GRADES: tuple[str, ...] = ("no harm", "low harm", "moderate harm", "severe harm", "death")
#: How the fall happened or was found.
HOW: tuple[str, ...] = ("witnessed", "found on floor", "assisted")
#: Who fell.
PEOPLE: tuple[str, ...] = ("patient", "visitor", "staff")
#: The four wards of the fictional Reedholm Hospitals (Eastling Marshes collaborative,
#: trust ``C02-AT1`` in :mod:`safercare.synth.geography`).
WARDS: tuple[str, ...] = ("Dunlin ward", "Plover ward", "Redstart ward", "Siskin ward")

_P_HARM = (0.62, 0.29, 0.065, 0.02, 0.005)
_P_HOW = (0.33, 0.52, 0.15)
_P_PEOPLE = (0.92, 0.05, 0.03)
_P_WARD = (0.35, 0.30, 0.20, 0.15)


def synthetic_falls(n: int = 420, *, start: str = "2024-04-01", end: str = "2025-03-31",
                    seed: int | None = 2025) -> pd.DataFrame:
    """One synthetic year of falls incident reports.

    Returns:
        One row per report with columns ``incident_id, date, ward, person, how, harm``
        (``harm`` is an ordered categorical of :data:`HARM_GRADES`).
    """
    rng = np.random.default_rng(seed)
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    days = (last - first).days + 1
    dates = first + pd.to_timedelta(np.sort(rng.integers(0, days, size=n)), unit="D")
    return pd.DataFrame({
        "incident_id": [f"F{i:04d}" for i in range(1, n + 1)],
        "date": dates,
        "ward": rng.choice(WARDS, size=n, p=_P_WARD),
        "person": rng.choice(PEOPLE, size=n, p=_P_PEOPLE),
        "how": rng.choice(HOW, size=n, p=_P_HOW),
        "harm": pd.Categorical(rng.choice(HARM_GRADES, size=n, p=_P_HARM),
                               categories=HARM_GRADES, ordered=True),
    })


@dataclass(frozen=True)
class FallDefinition:
    """An operational definition of "a fall" for counting.

    Attributes:
        include_found_on_floor: count unwitnessed falls (patient found on the floor).
        include_assisted: count assisted falls (lowered to the floor by staff).
        people: who counts (patients only, or visitors and staff too).
        min_harm: the least harm that counts (``"no harm"`` counts every fall).
        wards: which wards count (``None`` for all).
        start, end: the time window, inclusive (``None`` for no limit).
    """

    include_found_on_floor: bool = True
    include_assisted: bool = False
    people: tuple[str, ...] = ("patient",)
    min_harm: str = "no harm"
    wards: tuple[str, ...] | None = None
    start: str | None = None
    end: str | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.min_harm not in HARM_GRADES:
            problems.append(Problem(None, "min_harm", "this is not a harm grade",
                                    f"choose one of: {', '.join(HARM_GRADES)}",
                                    value=self.min_harm))
        unknown = [p for p in self.people if p not in PEOPLE]
        if unknown or not self.people:
            problems.append(Problem(None, "people", "choose at least one of patient, visitor, "
                                    "staff", f"choose from: {', '.join(PEOPLE)}",
                                    value=", ".join(unknown) if unknown else "nobody"))
        if problems:
            raise DataError(problems)


def falls_matching(incidents: pd.DataFrame, definition: FallDefinition) -> pd.DataFrame:
    """The incident reports that count as a fall under ``definition``."""
    how = ["witnessed"]
    if definition.include_found_on_floor:
        how.append("found on floor")
    if definition.include_assisted:
        how.append("assisted")
    harm = pd.Categorical(incidents["harm"], categories=HARM_GRADES, ordered=True)
    keep = (incidents["how"].isin(how).to_numpy()
            & incidents["person"].isin(definition.people).to_numpy()
            & (harm >= definition.min_harm))
    if definition.wards is not None:
        keep &= incidents["ward"].isin(definition.wards).to_numpy()
    if definition.start is not None:
        keep &= (incidents["date"] >= pd.Timestamp(definition.start)).to_numpy()
    if definition.end is not None:
        keep &= (incidents["date"] <= pd.Timestamp(definition.end)).to_numpy()
    return incidents.loc[keep]


def count_falls(incidents: pd.DataFrame, definition: FallDefinition | None = None) -> int:
    """How many falls there were, counted by ``definition`` (default: :class:`FallDefinition`)."""
    return int(len(falls_matching(incidents, definition or FallDefinition())))


def monthly_falls(incidents: pd.DataFrame, definition: FallDefinition | None = None
                  ) -> pd.DataFrame:
    """Falls per calendar month under ``definition`` (columns ``month, falls``), zeros kept."""
    counted = falls_matching(incidents, definition or FallDefinition())
    months = pd.period_range(incidents["date"].min(), incidents["date"].max(), freq="M")
    per = counted["date"].dt.to_period("M").value_counts()
    falls = per.reindex(months, fill_value=0).to_numpy()
    return pd.DataFrame({"month": months.to_timestamp(), "falls": falls})


def compare_definitions(incidents: pd.DataFrame,
                        definitions: dict[str, FallDefinition]) -> pd.DataFrame:
    """The count under each of several named definitions, with each definition in words."""
    return pd.DataFrame({
        "definition": list(definitions),
        "falls": [count_falls(incidents, d) for d in definitions.values()],
        "what counts": [describe_definition(d) for d in definitions.values()],
    })


def _join(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def describe_definition(definition: FallDefinition) -> str:
    """The definition as one plain-English sentence."""
    how = ["witnessed falls"]
    if definition.include_found_on_floor:
        how.append("people found on the floor")
    if definition.include_assisted:
        how.append("assisted falls")
    who = _join([p + "s" if p != "staff" else p for p in definition.people])
    harm = ("whatever the harm" if definition.min_harm == "no harm"
            else f"only with {definition.min_harm} or worse")
    where = "on all wards" if definition.wards is None else f"on {_join(definition.wards)}"
    if definition.start and definition.end:
        when = f" from {definition.start} to {definition.end}"
    elif definition.start:
        when = f" from {definition.start}"
    elif definition.end:
        when = f" up to {definition.end}"
    else:
        when = ""
    return f"Count {_join(how)} among {who}, {harm}, {where}{when}."


def plot_monthly_falls(monthly: pd.DataFrame, *, ax=None, title: str | None = None):
    """Bar chart of :func:`monthly_falls` (returns the matplotlib Figure)."""
    from safercare import style

    fig, ax = style.new_axes(figsize=(8.0, 3.6), ax=ax)
    ax.bar(monthly["month"].dt.strftime("%b %y"), monthly["falls"], color=style.BLUE,
           edgecolor=style.LIMIT_COLOUR, linewidth=0.6)
    style.apply_style(ax, title=title or "Falls counted each month", ylabel="Falls")
    ax.tick_params(axis="x", labelrotation=45)
    fig.alt_text = describe_monthly_falls(monthly)  # type: ignore[attr-defined]
    return fig


def describe_monthly_falls(monthly: pd.DataFrame, definition: FallDefinition | None = None
                           ) -> str:
    """Plain-English alt text for :func:`plot_monthly_falls`."""
    total = int(monthly["falls"].sum())
    low, high = monthly.loc[monthly["falls"].idxmin()], monthly.loc[monthly["falls"].idxmax()]
    rule = f" {describe_definition(definition)}" if definition is not None else ""
    return (f"Bar chart of falls counted in each of {len(monthly)} months, {total} in all."
            f"{rule} The fewest were {int(low['falls'])} in {low['month']:%B %Y}; the most "
            f"{int(high['falls'])} in {high['month']:%B %Y}.")


def falls_rate(falls: pd.DataFrame, *, ward_id: str | None = None,
               trust_id: str | None = None) -> pd.DataFrame:
    """Monthly falls per 1,000 occupied bed days for one ward or one trust.

    ``falls`` is the course's ``falls`` dataset (one row per ward per month). For a trust,
    falls and bed days are added up over its wards before dividing, so the rate is never
    an average of ward rates. Returns columns ``month, falls, occupied_bed_days, rate``.
    """
    if (ward_id is None) == (trust_id is None):
        raise DataError(Problem(None, "ward_id", "say which ward or which trust (one of them)",
                                "give ward_id='C02-AT1-W1' or trust_id='C02-AT1'"))
    column, wanted = ("ward_id", ward_id) if ward_id is not None else ("trust_id", trust_id)
    rows = falls[falls[column] == wanted]
    if rows.empty:
        raise DataError(Problem(None, column, "there are no rows for this id in the table",
                                "check the id in the geography dataset", value=str(wanted)))
    sums = rows.groupby("month", as_index=False)[["falls", "occupied_bed_days"]].sum()
    sums["rate"] = sums["falls"] / sums["occupied_bed_days"] * 1000
    return sums
