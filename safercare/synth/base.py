"""Shared building blocks for the dataset generators: calendars, fields, CSV bytes.

Every generator returns a :class:`Dataset`: the table plus the metadata that
``datapackage.json`` and ``datasets/README.md`` are written from. CSV bytes are made
here and only here, with fixed decimals per float column and ``\\n`` line endings, so
the files are identical on every machine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: The monthly series run over three NHS financial years.
FIRST_MONTH = "2022-04-01"
N_MONTHS = 36

SYNTHETIC_NOTE = "Synthetic — not real patient data."


def months(start: str = FIRST_MONTH, n: int = N_MONTHS) -> pd.DatetimeIndex:
    """First days of ``n`` consecutive months from ``start``."""
    return pd.date_range(start, periods=n, freq="MS")


def quarters(start: str, n: int) -> pd.DatetimeIndex:
    """First days of ``n`` consecutive quarters from ``start``."""
    return pd.date_range(start, periods=n, freq="QS")


def fld(name: str, type_: str, description: str, unit: str | None = None,
        **extra: Any) -> dict[str, Any]:
    """One Frictionless field descriptor with our custom ``unit`` property."""
    out: dict[str, Any] = {"name": name, "type": type_, "description": description}
    if unit is not None:
        out["unit"] = unit
    out.update(extra)
    return out


@dataclass
class Dataset:
    """A generated table and everything said about it in the data package."""

    name: str
    title: str
    description: str
    story: str
    grain: str
    seed: int
    fields: list[dict[str, Any]]
    frame: pd.DataFrame
    sources: list[dict[str, str]]
    answer_key: list[dict[str, Any]] = field(default_factory=list)
    decimals: dict[str, int] = field(default_factory=dict)
    messy: bool = False
    problems: list[dict[str, Any]] = field(default_factory=list)
    #: The columns that identify a row (the grain); checked by Frictionless.
    primary_key: list[str] = field(default_factory=list)
    #: The resource whose answer key covers this one too (e.g. a PDSA log's ward data).
    companion: str | None = None

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    def csv_bytes(self) -> bytes:
        """The table as CSV bytes: ISO dates, fixed decimals, ``\\n`` line ends."""
        return to_csv_bytes(self.frame, self.decimals)

    def check_columns(self) -> None:
        """The schema and the table must name the same columns in the same order."""
        names = [f["name"] for f in self.fields]
        if names != list(self.frame.columns):
            raise AssertionError(f"{self.name}: schema {names} != columns "
                                 f"{list(self.frame.columns)}")


def to_csv_bytes(frame: pd.DataFrame, decimals: dict[str, int] | None = None) -> bytes:
    """Write ``frame`` as deterministic CSV bytes.

    Float columns must be listed in ``decimals`` (a forgotten one is an error, not
    a machine-dependent repr); datetimes are written as ISO dates, or date-times when
    they carry a time of day.
    """
    decimals = decimals or {}
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_float_dtype(col.dtype):
            if name not in decimals:
                raise ValueError(f"float column {name!r} needs a number of decimals")
            text = pd.Series(np.char.mod(f"%.{decimals[name]}f", col.to_numpy()),
                             index=frame.index)
            out[name] = text.where(col.notna(), "")
        elif pd.api.types.is_datetime64_any_dtype(col.dtype):
            has_time = bool((col.dt.normalize() != col).any())
            out[name] = col.dt.strftime("%Y-%m-%dT%H:%M:%S" if has_time else "%Y-%m-%d")
        else:
            out[name] = col
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


def poisson(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    """Poisson counts as int64 (numpy returns int64 already; this pins it)."""
    return rng.poisson(lam).astype(np.int64)


def signal(
    id: str,
    series: dict[str, Any],
    measure: str,
    start: str,
    kind: str,
    direction: str,
    meaning: str,
    effect: str,
    chart: dict[str, Any],
    aggregate: dict[str, Any] | None = None,
    strict: bool = True,
    expect: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One planted signal for the answer key.

    Args:
        id: a short stable name for the signal.
        series: which rows make the series, as ``{column: value}`` (a value may be a
            list); ``{}`` means every row.
        measure: the measure in words.
        start: ISO date the change starts (first affected period).
        kind: ``shift``, ``trend``, ``outlier``, ``longer_gaps``, ``confounding``,
            ``association`` or
            ``common_cause`` (a series where nothing was planted).
        direction: which way the data moves: ``lower``, ``higher`` or ``none``.
        meaning: what a correct chart should conclude: ``improvement``, ``concern`` or
            ``common_cause``.
        effect: the planted effect in words.
        chart: the chart and settings that should detect it: ``chart`` names a function
            of :mod:`safercare.spc` (or ``funnel`` for :func:`safercare.funnel.funnel`);
            every other key is a keyword argument of that function, passed as is.
            ``baseline`` is the number of points before ``start`` (limits fixed on
            them); ``direction`` is the way that counts as better. ``regression`` and
            ``correlation`` are not charts: they describe a check made with plain
            numpy (see the test of the answer key).
        aggregate: how to roll rows up before charting: ``{"by": col, "how": "sum"}``
            sums every number column per value of ``by``; ``{"by": col, "period":
            "month", "value": col, "how": "median"}`` takes the median (or ``mean``)
            of ``value`` per period; ``{"how": "days_between", "date": col}`` turns
            event dates into days since the previous event (column ``days_between``,
            the first event dropped); ``"date"`` and ``"from"`` keep rows on or after
            a date before summing.
        strict: whether no point before ``start`` may carry the ``meaning`` verdict.
        expect: extra conditions: ``unit`` (the funnel unit that must be flagged),
            ``rules`` (rule columns that must fire), ``only`` (the signal must be the
            only one of its kind in the chart).
    """
    return {"id": id, "series": series, "measure": measure, "start": start, "kind": kind,
            "direction": direction, "meaning": meaning, "effect": effect, "chart": chart,
            "aggregate": aggregate, "strict": strict, "expect": expect or {}}


def months_before(start: str, first: str = FIRST_MONTH) -> int:
    """How many monthly periods run from ``first`` up to (not including) ``start``."""
    a, b = pd.Timestamp(first), pd.Timestamp(start)
    return (b.year - a.year) * 12 + b.month - a.month


def split_columns(names: Iterable[str], split: np.ndarray) -> dict[str, np.ndarray]:
    """Name the columns of a multinomial split (one column per category) as int64."""
    return {name: split[:, k].astype(np.int64) for k, name in enumerate(names)}


def refs(prefix: str, n: int, width: int = 5) -> np.ndarray:
    """Synthetic references ``prefix00001`` … without a Python loop."""
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width))
