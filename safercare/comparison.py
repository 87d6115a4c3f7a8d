"""How much a league-table rank can move by chance alone.

Why: a league table puts units (trusts, practices, collaboratives) in order and invites
a reader to praise the top and blame the bottom. But each unit's rate is a count of
events that would have come out a little differently in another year even if nothing
about the unit changed. Goldstein and Spiegelhalter (1996, *JRSS A* 159:385-443) and
Marshall and Spiegelhalter (1998, *BMJ* 316:1701-4) showed that once you allow for this
chance, most ranks are so uncertain that a unit could sit almost anywhere in the table.

Method (a parametric bootstrap, as in Marshall and Spiegelhalter 1998): keep each unit's
denominator fixed, re-draw its count many times from an underlying rate, re-rank every
unit in each re-drawn year, and report each unit's rank distribution and an interval
(by default the middle 95% of its ranks). Counts are binomial for a proportion (deaths
out of admissions) and Poisson for a ratio (deaths against expected deaths, or events
per bed day). The underlying rate is either each unit's own observed rate
(``underlying="observed"``: "how sure are we of this unit's rank?") or the same overall
rate for every unit (``underlying="common"``: "what ranks would identical units get?").
Every replicate is drawn in one vectorised call from a seeded generator, so the same
seed gives the same answer.

Ranks: 1 is the best. With ``lower_is_better=True`` (mortality, harm) the lowest rate
ranks 1. The published ("observed") rank uses competition ranking, as league tables do
(two units tied for 3rd are both 3rd, the next is 5th). In re-drawn years ties are
broken at random, like a coin toss, so every draw is a full ordering 1..n.

Example::

    from safercare.comparison import rank_intervals
    result = rank_intervals(table, numerator="deaths", denominator="admissions",
                            unit="trust", replicates=1000, seed=1)
    result.table      # one row per unit: rate, rank, median and interval of ranks
    result.plot()     # each unit's 95% rank interval
    result.describe() # plain-English alt text
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from safercare import style
from safercare.checks import (
    as_numbers,
    check_columns,
    check_counts,
    check_denominators,
    check_proportions,
)
from safercare.errors import DataError, Problem

__all__ = ["RankResult", "parse_unit_counts", "rank_intervals", "redraw_counts", "totals"]


Kind = Literal["proportion", "ratio"]
Underlying = Literal["observed", "common"]

#: The most replicates we allow (memory: replicates x units integers).
MAX_REPLICATES = 100_000


def _column(
    data: pd.DataFrame | None, spec: str | Sequence[Any] | pd.Series | np.ndarray, name: str
) -> tuple[Any, str]:
    """Return the values and the column name a learner would recognise."""
    if isinstance(spec, str):
        if data is None:
            raise DataError(Problem(None, spec, "there is no table to find this column in",
                                    f"pass the table first, e.g. rank_intervals(table, {name}="
                                    f"'{spec}', ...)"))
        if spec not in data.columns:
            raise DataError(check_columns(data, [spec]))
        return data[spec], spec
    return spec, name


def _validate(
    data: pd.DataFrame | None,
    numerator: Any,
    denominator: Any,
    unit: Any,
    kind: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numerators, denominators and unit names, checked; one :class:`DataError` for all."""
    problems: list[Problem] = []
    if kind not in ("proportion", "ratio"):
        raise DataError(Problem(None, None, f"kind must be 'proportion' or 'ratio', not {kind!r}",
                                "use 'proportion' for part of a whole (deaths out of "
                                "admissions) and 'ratio' for events per exposure or "
                                "observed against expected"))
    num_raw, num_name = _column(data, numerator, "numerator")
    den_raw, den_name = _column(data, denominator, "denominator")
    unit_raw, unit_name = _column(data, unit, "unit")
    lengths = {len(num_raw), len(den_raw), len(unit_raw)}
    if len(lengths) != 1:
        raise DataError(Problem(None, None, "the numerator, denominator and unit columns have "
                                "different lengths",
                                "give one numerator, one denominator and one name per unit"))
    num, p = as_numbers(num_raw, num_name, allow_missing=False)
    problems += p
    den, p = as_numbers(den_raw, den_name, allow_missing=False)
    problems += p
    problems += check_counts(num, num_name)
    problems += check_denominators(den, den_name)
    if kind == "proportion":
        problems += check_counts(den, den_name)
        problems += check_proportions(num, den, num_name, den_name)
    units = pd.Series(unit_raw).astype("string").to_numpy(dtype=object)
    dup = pd.Series(units).duplicated(keep="first").to_numpy()
    problems += [
        Problem(int(r) + 1, unit_name, "this unit appears more than once",
                "give each unit one row (add its numerators and denominators together)",
                value=str(units[r]))
        for r in np.flatnonzero(dup)
    ]
    if len(num) < 2 and not problems:
        problems.append(Problem(None, None, "a league table needs at least two units",
                                "add the other units' rows"))
    if problems:
        raise DataError(problems)
    return num, den, units


_LINE = re.compile(r"^\s*(?P<unit>.*?)\s*[,:;\t]\s*(?P<num>[-\d.]+)\s*"
                   r"(?:,|/|;|\t|out of|of)\s*(?P<den>[-\d.]+)\s*$", re.IGNORECASE)


def parse_unit_counts(text: str) -> pd.DataFrame:
    """Read a room's own results typed one unit per line: ``name, events, out of``.

    Accepts ``Table 1, 4, 60``, ``Table 1: 4 / 60`` or ``Table 1: 4 out of 60``. Blank
    lines are ignored. Returns a table with columns ``unit``, ``events`` and ``trials``;
    any line that cannot be read is reported (by line number) in one
    :class:`~safercare.errors.DataError`, and the counts are checked like any others.
    """
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for number, line in enumerate(str(text).splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if not match or not match["unit"]:
            problems.append(Problem(number, None, "we could not read this line",
                                    "type a name, the number of events and the number of "
                                    "tries, e.g. 'Table 1, 4, 60'", value=line.strip(),
                                    unit="line"))
            continue
        rows.append({"line": number, "unit": match["unit"], "events": match["num"],
                     "trials": match["den"]})
    if problems:
        raise DataError(problems)
    if len(rows) < 2:
        raise DataError(Problem(None, None, "a comparison needs at least two units",
                                "type one line per table or team"))
    table = pd.DataFrame(rows)
    events, p1 = as_numbers(table["events"], "events", allow_missing=False)
    trials, p2 = as_numbers(table["trials"], "out of", allow_missing=False)
    lines = table["line"].to_numpy()
    found = p1 + p2 + check_counts(events, "events") + check_counts(trials, "out of")
    found += check_denominators(trials, "out of")
    found += check_proportions(events, trials, "events", "out of")
    if found:
        # Report the typed line number, not the position among non-blank lines.
        raise DataError([Problem(int(lines[p.row - 1]) if p.row else None, p.column, p.what,
                                 p.fix, value=p.value, unit="line") for p in found])
    return pd.DataFrame({"unit": table["unit"], "events": events.astype(int),
                         "trials": trials.astype(int)})


def totals(
    data: pd.DataFrame,
    *,
    by: str | list[str],
    columns: Sequence[str],
    date: str | None = None,
    start: Any = None,
    end: Any = None,
) -> pd.DataFrame:
    """Add up counts per unit (optionally over a date window) ready for a comparison.

    A funnel plot or league table compares one total per unit, e.g. deaths and expected
    deaths per collaborative over the last four quarters. ``start`` is inclusive and
    ``end`` exclusive, so ``start="2024-04-01", end="2025-04-01"`` is one financial year.
    A blank count is not silently treated as zero: it is reported with its row.
    """
    keys = [by] if isinstance(by, str) else list(by)
    needed = keys + list(columns) + ([date] if date else [])
    missing = check_columns(data, needed)
    if missing:
        raise DataError(missing)
    frame = data
    positions = np.arange(1, len(data) + 1)
    if date is not None and (start is not None or end is not None):
        when = pd.to_datetime(data[date], errors="coerce")
        # A blank or unreadable date would fall outside every window: report it, never
        # drop it in silence.
        bad = np.flatnonzero(when.isna().to_numpy())
        if len(bad):
            raise DataError([Problem(int(i) + 1, date, "this date is blank or not a date we "
                                     "can read", "write the date as 2024-03-31, or delete "
                                     "the row", value=str(data[date].iloc[i]), unit="point")
                             for i in bad])
        keep = pd.Series(True, index=data.index)
        if start is not None:
            keep &= when >= pd.Timestamp(start)
        if end is not None:
            keep &= when < pd.Timestamp(end)
        frame = data[keep.to_numpy()]
        positions = positions[keep.to_numpy()]
        if frame.empty:
            raise DataError(Problem(None, date, "no rows fall between the start and end dates",
                                    "check the dates", value=f"{start} to {end}"))
    problems: list[Problem] = []
    values = {}
    for column in columns:
        numbers, found = as_numbers(frame[column], column, allow_missing=False,
                                    rows=positions)
        problems += found
        values[column] = numbers
    if problems:
        raise DataError(problems)
    return (pd.DataFrame({**{k: frame[k].to_numpy() for k in keys}, **values})
            .groupby(keys, sort=True)[list(columns)].sum().reset_index())


def redraw_counts(
    rates: np.ndarray,
    denominators: np.ndarray,
    *,
    kind: Kind = "proportion",
    replicates: int = 1000,
    seed: int | None = 2024,
) -> np.ndarray:
    """Re-draw every unit's count ``replicates`` times from its underlying rate.

    Returns an integer array of shape ``(replicates, units)``. Proportions are binomial
    (``denominators`` trials, probability ``rates``); ratios are Poisson with mean
    ``rates * denominators``. One vectorised call, seeded.
    """
    rng = np.random.default_rng(seed)
    size = (int(replicates), len(denominators))
    if kind == "proportion":
        return rng.binomial(denominators.astype(np.int64), rates, size=size)
    return rng.poisson(rates * denominators, size=size)


def _ranks(rates: np.ndarray, lower_is_better: bool, rng: np.random.Generator) -> np.ndarray:
    """Rank each row 1..n (1 best), breaking ties at random."""
    key = rates if lower_is_better else -rates
    tiebreak = rng.random(key.shape)
    order = np.lexsort((tiebreak, key), axis=-1)
    ranks = np.empty_like(order)
    rows = np.arange(order.shape[0])[:, None]
    ranks[rows, order] = np.arange(1, order.shape[1] + 1)
    return ranks


@dataclass
class RankResult:
    """League-table ranks re-drawn by chance, with one row per unit in :attr:`table`.

    Attributes:
        table: columns ``unit``, ``numerator``, ``denominator``, ``rate`` (observed),
            ``rank`` (the published rank, 1 = best), ``median_rank``, ``rank_lower`` and
            ``rank_upper`` (the interval holding ``level`` of the re-drawn ranks),
            ``interval_width`` (places spanned, inclusive), ``chance_top_quarter`` and
            ``chance_bottom_quarter`` (share of re-drawn years in the top or bottom quarter
            of the table), sorted by the published rank.
        ranks: integer array ``(replicates, units)`` of re-drawn ranks, columns in the
            order of :attr:`table`.
        rates: the re-drawn rates, same shape as :attr:`ranks`.
        summary: headline numbers (see :meth:`describe`).
    """

    table: pd.DataFrame
    ranks: np.ndarray
    rates: np.ndarray
    kind: str
    underlying: str
    level: float
    lower_is_better: bool
    seed: int | None
    summary: dict[str, Any] = field(default_factory=dict)

    def draw(self, replicate: int = 0) -> pd.DataFrame:
        """The league table of one re-drawn year, best first.

        Columns: ``unit``, ``rate`` (re-drawn), ``rank`` in that year, ``published_rank``
        and ``moved`` (published rank minus this year's rank: positive means it climbed).
        """
        n = self.ranks.shape[0]
        if not 0 <= replicate < n:
            raise DataError(Problem(None, None, f"there is no re-drawn year {replicate}",
                                    f"choose a number from 0 to {n - 1}"))
        out = pd.DataFrame({
            "unit": self.table["unit"].to_numpy(),
            "rate": self.rates[replicate],
            "rank": self.ranks[replicate],
            "published_rank": self.table["rank"].to_numpy(),
        })
        out["moved"] = out["published_rank"] - out["rank"]
        return out.sort_values("rank", kind="stable").reset_index(drop=True)

    def distribution(self) -> pd.DataFrame:
        """Each unit's rank distribution: the share of re-drawn years at each rank.

        One row per unit (in published order), one column per rank 1..n; rows sum to 1.
        """
        reps, n = self.ranks.shape
        # Count (unit, rank) pairs in one call: code each pair as unit * n + rank - 1.
        codes = (np.arange(n)[None, :] * n + self.ranks - 1).ravel()
        counts = np.bincount(codes, minlength=n * n).reshape(n, n)
        return pd.DataFrame(counts / reps, index=pd.Index(self.table["unit"], name="unit"),
                            columns=pd.RangeIndex(1, n + 1, name="rank"))

    def plot(self, ax: Any = None, *, replicate: int | None = None,
             title: str | None = None) -> Figure:
        """Each unit's rank interval (a line), published rank (circle) and median (diamond).

        With ``replicate`` also marks that re-drawn year's rank (orange triangle), which is
        what the widget shows as you draw another year.
        """
        n = len(self.table)
        fig, ax = style.new_axes(figsize=(9.0, max(3.5, 0.32 * n + 1.6)), ax=ax)
        y = np.arange(n)
        t = self.table
        ax.hlines(y, t["rank_lower"], t["rank_upper"], color=style.LIMIT_COLOUR, linewidth=2.2,
                  label=f"Middle {self.level:.0%} of re-drawn ranks", zorder=1)
        ax.scatter(t["rank"], y, s=46, label="Published rank", **style.point_style("common_cause"))
        ax.scatter(t["median_rank"], y, s=30, label="Median re-drawn rank",
                   **{**style.point_style("special_cause"), "zorder": 4})
        if replicate is not None:
            this = self.ranks[replicate]
            ax.scatter(this, y, s=60, label=f"Rank in re-drawn year {replicate + 1}",
                       **{**style.point_style("concern"), "zorder": 5})
        ax.set_yticks(y, [str(u) for u in t["unit"]])
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(0.3, n + 0.7)
        step = 1 if n <= 20 else int(np.ceil(n / 15))
        ax.set_xticks(np.arange(1, n + 1, step))
        what = "their own observed rates" if self.underlying == "observed" else \
            "one common rate (every unit identical)"
        style.apply_style(
            ax,
            title=title or f"How far each rank moves by chance ({self.ranks.shape[0]:,} "
                           "re-drawn years)",
            xlabel=f"Rank (1 = best), counts re-drawn from {what}",
            ylabel="Unit, in published order",
            legend=True,
        )
        ax.xaxis.grid(True, color="#E6E6E6", linewidth=0.6, zorder=0)
        fig.alt_text = self.describe()  # type: ignore[attr-defined]
        return fig

    def describe(self) -> str:
        """Plain-English alt text: what the chart shows and the headline numbers."""
        s = self.summary
        t = self.table
        top, bottom = t.iloc[0], t.iloc[-1]
        source = ("each unit's own observed rate" if self.underlying == "observed"
                  else "one common rate shared by every unit")
        return (
            f"Rank intervals for {s['units']} units: counts re-drawn {s['replicates']:,} times "
            f"from {source}, keeping each unit's size. The median {self.level:.0%} rank "
            f"interval spans {s['median_interval_width']:g} places; "
            f"{s['units_spanning_half']} of {s['units']} units could fall anywhere across "
            f"at least half the table. The published top unit, {top['unit']}, ranked between "
            f"{top['rank_lower']} and {top['rank_upper']}; the published bottom unit, "
            f"{bottom['unit']}, ranked between {bottom['rank_lower']} and "
            f"{bottom['rank_upper']}. It kept bottom place in {s['chance_bottom_stays_bottom']:.0%}"
            " of re-drawn years."
        )


def rank_intervals(
    data: pd.DataFrame | None = None,
    *,
    numerator: str | Sequence[float] | pd.Series | np.ndarray,
    denominator: str | Sequence[float] | pd.Series | np.ndarray,
    unit: str | Sequence[Any] | pd.Series | np.ndarray,
    kind: Kind = "proportion",
    lower_is_better: bool = True,
    underlying: Underlying = "observed",
    replicates: int = 1000,
    level: float = 0.95,
    seed: int | None = 2024,
) -> RankResult:
    """Re-draw each unit's count from an underlying rate and report how its rank moves.

    Args:
        data: a table with one row per unit (or ``None`` and pass arrays).
        numerator: events (deaths, incidents): a column name or values.
        denominator: for ``kind="proportion"`` the number of patients (whole numbers);
            for ``kind="ratio"`` the exposure or expected count.
        unit: the unit's name.
        kind: ``"proportion"`` (binomial) or ``"ratio"`` (Poisson).
        lower_is_better: ``True`` for harm and mortality (lowest rate ranks 1).
        underlying: ``"observed"`` re-draws each unit from its own rate; ``"common"``
            from the overall rate (sum of numerators over sum of denominators).
        replicates: re-drawn years (1 to 100,000).
        level: share of re-drawn ranks inside the reported interval (e.g. 0.95).
        seed: random seed; the same seed gives the same answer.

    Raises:
        DataError: blank or non-numeric cells, negative or fractional counts, zero
            denominators, numerators above denominators (proportions), repeated units,
            or fewer than two units.
    """
    num, den, units = _validate(data, numerator, denominator, unit, kind)
    if underlying not in ("observed", "common"):
        raise DataError(Problem(None, None, f"underlying must be 'observed' or 'common', not "
                                f"{underlying!r}", "use 'observed' (each unit's own rate) or "
                                "'common' (every unit identical)"))
    if not 1 <= int(replicates) <= MAX_REPLICATES:
        raise DataError(Problem(None, None, f"replicates must be from 1 to {MAX_REPLICATES:,}",
                                "1,000 re-drawn years is plenty for a stable picture",
                                value=str(replicates)))
    if not 0 < level < 1:
        raise DataError(Problem(None, None, "level must be between 0 and 1",
                                "use 0.95 for the middle 95% of ranks", value=str(level)))
    observed = num / den
    if underlying == "observed":
        truth = observed
    else:
        truth = np.full_like(observed, num.sum() / den.sum())
    counts = redraw_counts(truth, den, kind=kind, replicates=replicates, seed=seed)
    rates = counts / den
    rng = np.random.default_rng(None if seed is None else seed + 1)
    ranks = _ranks(rates, lower_is_better, rng)

    n = len(num)
    key = observed if lower_is_better else -observed
    published = pd.Series(key).rank(method="min").to_numpy(dtype=int)
    alpha = 1 - level
    lower = np.quantile(ranks, alpha / 2, axis=0, method="lower").astype(int)
    upper = np.quantile(ranks, 1 - alpha / 2, axis=0, method="higher").astype(int)
    quarter = max(1, int(np.ceil(n / 4)))
    table = pd.DataFrame({
        "unit": units,
        "numerator": num,
        "denominator": den,
        "rate": observed,
        "rank": published,
        "median_rank": np.median(ranks, axis=0),
        "rank_lower": lower,
        "rank_upper": upper,
        "interval_width": upper - lower + 1,
        "chance_top_quarter": (ranks <= quarter).mean(axis=0),
        "chance_bottom_quarter": (ranks > n - quarter).mean(axis=0),
    })
    order = np.lexsort((np.arange(n), published))
    table = table.iloc[order].reset_index(drop=True)
    ranks = ranks[:, order]
    rates = rates[:, order]
    summary = {
        "units": n,
        "replicates": int(replicates),
        "median_interval_width": float(np.median(table["interval_width"])),
        "units_spanning_half": int((table["interval_width"] >= n / 2).sum()),
        "chance_top_stays_top": float((ranks[:, 0] == 1).mean()),
        "chance_bottom_stays_bottom": float((ranks[:, -1] == n).mean()),
        "mean_places_moved": float(np.abs(ranks - table["rank"].to_numpy()).mean()),
    }
    return RankResult(table=table, ranks=ranks, rates=rates, kind=kind, underlying=underlying,
                      level=level, lower_is_better=lower_is_better, seed=seed, summary=summary)
