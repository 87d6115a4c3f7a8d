"""Helpers for judging an improvement claim: did it work, or did something else happen?

Why: "after our programme, mortality fell" can be true while the programme did nothing.
Three things commonly fool us, and each has a function here that shows it with numbers:

* **Rare events on a board.** A "days since the last serious incident" board counts up
  and resets. Long streaks happen by chance even when nothing changes.
  :func:`days_since_last` turns event dates into the board's daily number;
  :func:`gap_chance` and :func:`streak_chance` say how often a streak of a given length
  turns up by chance when events happen at random at a steady rate (a Poisson process,
  whose gaps are exponentially distributed; the same model underlies the g and t charts,
  Benneyan 2001, *Health Care Manag Sci* 4:305-18).
* **Regression to the mean.** Units picked because they were worst last year will
  usually look better next year with no change at all (Barnett, van der Pols and Dobson
  2005, *Int J Epidemiol* 34:215-20). :func:`regression_to_mean` simulates it (seeded,
  vectorised over replicates); :func:`follow_the_worst` does the same with real data;
  :func:`rtm_effect_normal` is Barnett et al's formula for the expected effect.
* **A secular trend.** Outcomes often improve everywhere at once (Benning et al 2011,
  *BMJ* 342:d195: the Safer Patients Initiative's control hospitals improved as much as
  its own). :func:`before_after` compares the change in a programme region with the
  change in comparison regions over the same time (a difference in differences on the
  rate-ratio scale). Its 95% interval respects the real differences between regions:
  :func:`placebo_effects` treats each comparison region in turn as if it had had the
  programme (a placebo study, Abadie, Diamond and Hainmueller 2010, *J Am Stat Assoc*
  105:493-505), and the spread of those no-programme "effects" sets the interval's width
  (the idea of Conley and Taber 2011, *Rev Econ Stat* 93:113-25, for a difference in
  differences with one treated group). The Poisson-only interval (Altman and Bland 2003,
  *BMJ* 326:219), which counts only chance in the death counts, is kept for comparison:
  with overdispersed data (Spiegelhalter 2005) it is too narrow.

Every result has ``.table``, ``.summary``, ``.plot(ax=None)`` (a matplotlib Figure) and
``.describe()`` (plain-English alt text), like the SPC and funnel results.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from safercare import style
from safercare.checks import as_numbers, check_columns, check_counts, check_denominators
from safercare.errors import DataError, Problem

__all__ = [
    "BeforeAfterResult",
    "PlaceboResult",
    "count_before",
    "counts_per_period",
    "dates_from_days",
    "DaysSinceResult",
    "RegressionToMeanResult",
    "before_after",
    "days_since_last",
    "financial_year",
    "gaps_between",
    "parse_two_rounds",
    "placebo_effects",
    "follow_the_worst",
    "gap_chance",
    "regression_to_mean",
    "rtm_effect_normal",
    "simulate_event_dates",
    "streak_chance",
]


def _problem(what: str, fix: str, *, column: str | None = None, value: Any = None) -> DataError:
    return DataError(Problem(None, column, what, fix,
                             value=None if value is None else str(value)))


def _positive(value: float, name: str, fix: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _problem(f"{name} must be a number", fix, value=value) from None
    if not np.isfinite(number) or number <= 0:
        raise _problem(f"{name} must be more than zero", fix, value=value)
    return number


def _counts_and_sizes(data: pd.DataFrame, numerator: str, denominator: str, *others: str
                      ) -> tuple[np.ndarray, np.ndarray, list[Problem]]:
    """Read an events column and a size column, after checking every named column exists.

    Raises one :class:`DataError` for any missing column; returns the numbers and the
    problems found in them (blank or not a number, negative or fractional counts, sizes
    of zero), so the caller can add its own before raising.
    """
    missing = check_columns(data, [numerator, denominator, *others])
    if missing:
        raise DataError(missing)
    num, p1 = as_numbers(data[numerator], numerator, allow_missing=False)
    den, p2 = as_numbers(data[denominator], denominator, allow_missing=False)
    return num, den, p1 + p2 + check_counts(num, numerator) + check_denominators(den, denominator)


def _enough_gaps(expected: float) -> int:
    """How many random gaps to draw so that their total passes the period in
    (practically) every draw: the expected number, plus eight standard deviations, plus
    ten."""
    return int(np.ceil(expected + 8 * np.sqrt(expected) + 10))


# ---------------------------------------------------------------------------
# "Days since the last ..." boards
# ---------------------------------------------------------------------------

def gap_chance(mean_gap_days: float, days: float) -> float:
    """Chance that one gap between events lasts at least ``days`` by chance alone.

    If events happen at random at a steady rate of one every ``mean_gap_days`` days, the
    gap between two events is exponentially distributed and this chance is
    ``exp(-days / mean_gap_days)``. For example, with one incident every 45 days on
    average, a 90-day run with none happens after about 14% of incidents.
    """
    mean_gap = _positive(mean_gap_days, "the average gap between events",
                         "give the usual number of days between events, e.g. 45")
    d = float(days)
    if d < 0:
        raise _problem("the number of days cannot be negative", "give 0 days or more", value=days)
    return float(np.exp(-d / mean_gap))


def streak_chance(
    mean_gap_days: float,
    days: float,
    horizon_days: float = 365,
    *,
    replicates: int = 10_000,
    seed: int | None = 2024,
) -> float:
    """Chance that a board reaches ``days`` at least once within ``horizon_days``.

    Simulated: for each replicate, draw exponential gaps until the horizon is passed
    (all replicates at once, as one array) and look for a gap, or the final unfinished
    run, of at least ``days``. Nothing changes in the simulated ward: this is how often
    chance alone produces a "record" streak.
    """
    mean_gap = _positive(mean_gap_days, "the average gap between events",
                         "give the usual number of days between events, e.g. 45")
    horizon = _positive(horizon_days, "the period to look over",
                        "give a number of days, e.g. 365")
    d = float(days)
    if d < 0:
        raise _problem("the number of days cannot be negative", "give 0 days or more", value=days)
    rng = np.random.default_rng(seed)
    n = int(replicates)
    # Enough gaps that the horizon is passed in (practically) every replicate.
    width = _enough_gaps(horizon / mean_gap)
    gaps = rng.exponential(mean_gap, size=(n, width))
    ends = np.cumsum(gaps, axis=1)
    starts = ends - gaps
    # A run that starts inside the horizon counts up to the horizon at most.
    visible = np.minimum(ends, horizon) - starts
    visible[starts >= horizon] = 0.0
    return float((visible >= d).any(axis=1).mean())


def simulate_event_dates(
    mean_gap_days: float,
    start: Any = "2024-01-01",
    end: Any = "2024-12-31",
    *,
    seed: int | None = 2024,
) -> pd.Series:
    """Dates of events that happen at random at a steady rate (nothing ever changes).

    Gaps are exponential with mean ``mean_gap_days`` (a Poisson process), rounded down to
    whole days. Use it to see what a "days since" board does in a ward where nothing
    changes at all.
    """
    mean_gap = _positive(mean_gap_days, "the average gap between events",
                         "give the usual number of days between events, e.g. 45")
    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if last < first:
        raise _problem("the end date is before the start date", "swap them", value=end)
    span = (last - first).days + 1
    width = _enough_gaps(span / mean_gap)
    offsets = np.floor(np.cumsum(np.random.default_rng(seed).exponential(mean_gap, width)))
    offsets = offsets[offsets < span]
    return pd.Series(first + pd.to_timedelta(offsets, unit="D"), name="date")


def count_before(dates: Sequence[Any] | pd.Series, start: Any) -> int:
    """How many dates fall before ``start``: the ``baseline=`` for an SPC chart.

    Fixing a chart's limits on the points before a change ("baseline") and judging the
    later points against them is how you ask "is this different from before?".
    """
    when = _read_dates(pd.Series(dates).reset_index(drop=True))
    return int((when < pd.Timestamp(start)).sum())


def dates_from_days(days: Sequence[Any] | str, start: Any = "2024-01-01") -> pd.Series:
    """Turn day numbers (day 1 = ``start``) into dates: for a room's dice game.

    Accepts a list of numbers or text such as ``"3, 9, 10 24"``. A day that is not a whole
    number of 1 or more is reported by its position.
    """
    items = re.split(r"[\s,;]+", days.strip()) if isinstance(days, str) else list(days)
    items = [i for i in items if str(i).strip() != ""]
    numbers, problems = as_numbers(items, "day", allow_missing=False)
    problems += check_counts(numbers, "day")
    problems += [Problem(int(i) + 1, "day", "day numbers start at 1",
                         "number the first day of the game 1", value=f"{numbers[i]:g}",
                         unit="point")
                 for i in np.flatnonzero(numbers == 0)]
    if problems:
        raise DataError(problems)
    if len(numbers) == 0:
        raise _problem("there are no day numbers", "type the day of each incident, e.g. 3, 9, 10")
    offsets = pd.to_timedelta(np.sort(numbers) - 1, unit="D")
    return pd.Series(pd.Timestamp(start).normalize() + offsets, name="date")


def parse_two_rounds(text: str) -> pd.DataFrame:
    """Read a room's two rounds of scores, one person per line: ``name, first, second``.

    Returns a long table (``unit``, ``round`` of "First round" or "Second round",
    ``score``, ``one``) ready for :func:`follow_the_worst` with ``numerator="score"`` and
    ``denominator="one"``. Lines that cannot be read are reported by line number.
    """
    rows, problems = [], []
    for number, line in enumerate(str(text).splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[,;\t]", line)]
        if len(parts) != 3 or not parts[0]:
            problems.append(Problem(number, None, "we could not read this line",
                                    "type a name and two scores, e.g. 'Asha, 9, 6'",
                                    value=line.strip(), unit="line"))
            continue
        rows.append((number, *parts))
    if problems:
        raise DataError(problems)
    if len(rows) < 3:
        raise _problem("we need at least three people's scores",
                       "type one line per person: name, first score, second score")
    frame = pd.DataFrame(rows, columns=["line", "unit", "first", "second"])
    found = []
    values = {}
    for column in ("first", "second"):
        numbers, p = as_numbers(frame[column], column, allow_missing=False)
        found += p + check_counts(numbers, column)
        values[column] = numbers
    if found:
        lines = frame["line"].to_numpy()
        raise DataError([Problem(int(lines[p.row - 1]), p.column, p.what, p.fix, value=p.value,
                                 unit="line") for p in found])
    n = len(frame)
    return pd.DataFrame({
        "unit": np.tile(frame["unit"].to_numpy(), 2),
        "round": np.repeat(["First round", "Second round"], n),
        "score": np.concatenate([values["first"], values["second"]]),
        "one": np.ones(2 * n),
    })


def counts_per_period(
    dates: Sequence[Any] | pd.Series,
    *,
    start: Any,
    end: Any,
    freq: str = "MS",
) -> pd.DataFrame:
    """Count events per month (or other period), keeping the periods with none.

    A monthly report of a rare event is mostly 0s and 1s; the zeros are real data and
    must be on the chart. ``freq`` is a pandas period start: ``"MS"`` months, ``"QS"``
    quarters, ``"W-MON"`` weeks. Returns columns ``period`` (first day) and ``events``.
    Events outside ``start`` to ``end`` are not counted.
    """
    when = _checked_dates(dates, "write the date as 2024-03-31, or delete the row",
                          detailed=False)
    periods = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq=freq)
    if len(periods) == 0:
        raise _problem("there is no whole period between the start and end",
                       "check the dates", value=f"{start} to {end}")
    edges = np.append(periods.to_numpy(), (periods[-1] + pd.tseries.frequencies.to_offset(
        freq)).to_datetime64())
    counts, _ = np.histogram(when.to_numpy().astype("datetime64[ns]").astype(np.int64),
                             bins=edges.astype("datetime64[ns]").astype(np.int64))
    return pd.DataFrame({"period": periods, "events": counts.astype(np.int64)})


def gaps_between(dates: Sequence[Any] | pd.Series, *, same_day: float = 0.5) -> pd.DataFrame:
    """The gap before each event, ready for a g chart or a t chart.

    Returns one row per event after the first (the first event starts the clock, so
    ``n`` events give ``n - 1`` gaps), in date order, with columns ``date`` (the event's
    day; a second event on the same day is placed an hour later, a third two hours, so
    that every point has its own date on a chart),
    ``days_between`` (whole days since the previous event, 0 for the same day: a g chart
    of days between) and ``time_between`` (the same, but two events on one day count as
    ``same_day`` days apart, because a t chart needs a time above zero).

    Raises:
        DataError: a blank or unreadable date, or fewer than two events.
    """
    parsed = _checked_dates(dates)
    if len(parsed) < 2:
        raise _problem("gaps need at least two events", "add the dates of more events")
    days = np.sort(parsed.dt.normalize().to_numpy())
    whole = (np.diff(days) / np.timedelta64(1, "D")).astype(np.int64)
    time = np.where(whole == 0, float(same_day), whole.astype(float))
    # The n-th event on a day is placed n - 1 hours after midnight, so that every point
    # has its own date on a chart (the gaps themselves are as described above).
    within = pd.Series(days).groupby(days).cumcount().to_numpy()
    stamps = days + within.astype("timedelta64[h]")
    return pd.DataFrame({
        "date": pd.DatetimeIndex(stamps[1:]),
        "days_between": whole,
        "time_between": time,
    })


@dataclass
class DaysSinceResult:
    """The daily number on a "days since the last ..." board.

    Attributes:
        table: one row per day: ``date``, ``days_since`` (the board's number that day;
            missing before the first event), ``event`` (an event happened that day).
        summary: ``events``, ``days``, ``longest_run`` (days), ``current_run``,
            ``mean_gap_days`` (average days between events), ``resets``.
    """

    table: pd.DataFrame
    label: str
    summary: dict[str, Any] = field(default_factory=dict)

    def plot(self, ax: Any = None, *, title: str | None = None) -> Figure:
        """The board's number over time: a saw-tooth that drops to zero at each event."""
        fig, ax = style.new_axes(figsize=(9.0, 4.2), ax=ax)
        t = self.table
        ax.plot(t["date"], t["days_since"], color=style.LIMIT_COLOUR, linewidth=1.2,
                label="Number on the board")
        events = t[t["event"]]
        ax.scatter(events["date"], np.zeros(len(events)), s=36,
                   label=f"{self.label.capitalize()} (board resets)",
                   **style.point_style("concern"))
        longest = self.summary["longest_run"]
        ax.axhline(self.summary["mean_gap_days"], label="Average gap between events",
                   **style.centre_line_kw())
        style.apply_style(ax, title=title or f"Days since the last {self.label.lower()}",
                          xlabel="Date", ylabel="Days on the board", legend=True)
        ax.set_ylim(bottom=-max(1.0, longest * 0.04))
        fig.alt_text = self.describe()  # type: ignore[attr-defined]
        return fig

    def describe(self) -> str:
        """Plain-English alt text."""
        s = self.summary
        t = self.table
        start, end = t["date"].iloc[0], t["date"].iloc[-1]
        return (
            f"A 'days since the last {self.label.lower()}' board from {start:%d %B %Y} to "
            f"{end:%d %B %Y}: {s['events']} events, so the board reset {s['resets']} times. "
            f"The average gap was {s['mean_gap_days']:.0f} days; the longest run was "
            f"{s['longest_run']} days and the board showed {s['current_run']} on the last day."
        )


def _read_dates(raw: pd.Series) -> pd.Series:
    """Dates as ISO (2024-03-31) first, then British day-first (31/03/2024)."""
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return raw
    text = raw.astype("string").str.strip()
    iso = pd.to_datetime(text, errors="coerce", format="ISO8601")
    british = pd.to_datetime(text.where(iso.isna()), errors="coerce", dayfirst=True,
                             format="mixed")
    return iso.fillna(british)


def _checked_dates(
    dates: Sequence[Any] | pd.Series,
    fix: str = "write the date as 2024-03-31 (or 31/03/2024), or delete the row",
    *,
    detailed: bool = True,
) -> pd.Series:
    """Read event dates (see :func:`_read_dates`), or raise one :class:`DataError`
    naming every blank or unreadable date by its position.

    ``detailed`` tells a blank date from an unreadable one and shows the value; without
    it every bad date is called unreadable. ``fix`` is the advice given for each.
    """
    raw = pd.Series(dates).reset_index(drop=True)
    parsed = _read_dates(raw)
    bad = parsed.isna().to_numpy()
    if bad.any():
        raise DataError([
            Problem(int(i) + 1, "date",
                    "the date is blank" if detailed and pd.isna(raw[i])
                    else "this is not a date we can read",
                    fix, value=str(raw[i]) if detailed and pd.notna(raw[i]) else None,
                    unit="point")
            for i in np.flatnonzero(bad)
        ])
    return parsed


def days_since_last(
    dates: Sequence[Any] | pd.Series,
    *,
    start: Any = None,
    end: Any = None,
    label: str = "event",
) -> DaysSinceResult:
    """Turn event dates into the daily number a "days since the last ..." board shows.

    Args:
        dates: the date of each event (any order; two on one day count as two events).
        start, end: the first and last day of the board (default: the first and last
            event).
        label: what the events are, e.g. "serious incident" (used in the chart text).

    Raises:
        DataError: a blank or unreadable date (named by its position), or no events.
    """
    parsed = _checked_dates(dates)
    if len(parsed) == 0:
        raise _problem("there are no event dates", "give at least one date")
    days = np.sort(parsed.dt.normalize().to_numpy())
    first = pd.Timestamp(start).normalize() if start is not None else pd.Timestamp(days[0])
    last = pd.Timestamp(end).normalize() if end is not None else pd.Timestamp(days[-1])
    if last < first:
        raise _problem("the end date is before the start date", "swap them", value=f"{end}")
    calendar = pd.date_range(first, last, freq="D")
    cal = calendar.to_numpy()
    # Index of the last event on or before each day (vectorised search).
    idx = np.searchsorted(days, cal, side="right") - 1
    since = np.where(idx >= 0, (cal - days[np.clip(idx, 0, None)]) / np.timedelta64(1, "D"),
                     np.nan)
    event = np.isin(cal, days)
    table = pd.DataFrame({"date": calendar, "days_since": since, "event": event})
    in_range = days[(days >= cal[0]) & (days <= cal[-1])]
    gaps = np.diff(in_range) / np.timedelta64(1, "D")
    observed_runs = np.concatenate([gaps, [since[-1]] if np.isfinite(since[-1]) else []])
    summary = {
        "events": int(len(in_range)),
        "days": int(len(calendar)),
        "resets": int(len(np.unique(in_range))),
        "longest_run": int(np.nanmax(observed_runs)) if len(observed_runs) else 0,
        "current_run": int(since[-1]) if np.isfinite(since[-1]) else 0,
        "mean_gap_days": float(gaps.mean()) if len(gaps) else float("nan"),
    }
    return DaysSinceResult(table=table, label=label, summary=summary)


# ---------------------------------------------------------------------------
# Regression to the mean
# ---------------------------------------------------------------------------

def rtm_effect_normal(mean: float, sd: float, correlation: float, cutoff: float,
                      *, above: bool = True) -> float:
    """Expected regression-to-the-mean effect for units selected beyond a cut-off.

    Barnett, van der Pols and Dobson (2005), equation 1: for a measure that is normally
    distributed with mean ``mean`` and total standard deviation ``sd``, measured twice
    with correlation ``correlation`` between the two measurements and no real change, the
    units selected because their first value was above ``cutoff`` move back towards the
    mean by ``(1 - correlation) * sd * C(z)``, where ``z = (cutoff - mean) / sd`` and
    ``C(z) = phi(z) / (1 - Phi(z))``. With ``above=False`` (units selected below the
    cut-off) the effect is the same size, upwards. Returned as a positive amount.
    """
    sd = _positive(sd, "the standard deviation", "give the spread of the measure, above zero")
    if not -1 <= correlation <= 1:
        raise _problem("the correlation must be between -1 and 1",
                       "use the correlation between two measurements of the same units",
                       value=correlation)
    z = (cutoff - mean) / sd
    if not above:
        z = -z
    c = stats.norm.pdf(z) / stats.norm.sf(z)
    return float((1 - correlation) * sd * c)


@dataclass
class RegressionToMeanResult:
    """Units picked as worst in one period, followed into the next.

    Attributes:
        table: one row per unit: ``unit``, ``first`` and ``second`` (rates in the two
            periods), ``selected`` (picked as worst in the first period), ``change``
            (second minus first) and, for a simulation, ``true_rate`` (unchanged).
        changes: for a simulation, one row per replicate with the selected units' mean
            rate in each period and the apparent ``relative_change``.
        summary: ``selected``, ``units``, ``first_mean_selected``,
            ``second_mean_selected``, ``relative_change`` (of the selected group),
            ``relative_change_others``, and for simulations ``replicates`` and
            ``relative_change_interval`` (middle 95% across replicates).
    """

    table: pd.DataFrame
    labels: tuple[str, str]
    measure: str
    lower_is_better: bool
    summary: dict[str, Any] = field(default_factory=dict)
    changes: pd.DataFrame | None = None

    def plot(self, ax: Any = None, *, title: str | None = None) -> Figure:
        """A slope chart: each unit's rate in the two periods, the selected ones highlighted."""
        fig, ax = style.new_axes(figsize=(6.5, 5.0), ax=ax)
        t = self.table
        x = np.array([0.0, 1.0])
        others = t[~t["selected"]]
        chosen = t[t["selected"]]
        if len(others):
            ax.plot(np.tile(x, (len(others), 1)).T, others[["first", "second"]].to_numpy().T,
                    color=style.GREY, linewidth=0.6, alpha=0.6, zorder=1)
            ax.scatter(np.zeros(len(others)), others["first"], s=14,
                       label="Other units", **style.point_style("common_cause"))
            ax.scatter(np.ones(len(others)), others["second"], s=14,
                       **style.point_style("common_cause"))
        ax.plot(np.tile(x, (len(chosen), 1)).T, chosen[["first", "second"]].to_numpy().T,
                color=style.ORANGE, linewidth=1.4, zorder=2)
        ax.scatter(np.zeros(len(chosen)), chosen["first"], s=40,
                   label=f"The {len(chosen)} worst in {self.labels[0]}",
                   **style.point_style("concern"))
        ax.scatter(np.ones(len(chosen)), chosen["second"], s=40, **style.point_style("concern"))
        s = self.summary
        ax.plot(x, [s["first_mean_selected"], s["second_mean_selected"]],
                label="Their average", **{**style.centre_line_kw(), "linewidth": 2.4})
        ax.set_xticks(x, list(self.labels))
        ax.set_xlim(-0.3, 1.3)
        style.apply_style(ax, title=title or "Picked for being worst, then followed up",
                          ylabel=self.measure, legend=True)
        fig.alt_text = self.describe()  # type: ignore[attr-defined]
        return fig

    def describe(self) -> str:
        """Plain-English alt text."""
        s = self.summary
        first, second = self.labels
        direction = "fell" if s["relative_change"] < 0 else "rose"
        picked = "unit" if s["selected"] == 1 else "units"
        text = (
            f"A slope chart of {s['units']} units' {self.measure.lower()} in {first} and "
            f"{second}. The {s['selected']} {picked} worst in {first} averaged "
            f"{s['first_mean_selected']:.3g}; in {second} the same {picked} averaged "
            f"{s['second_mean_selected']:.3g}, so their rate {direction} by "
            f"{abs(s['relative_change']):.0%}. The other units changed by "
            f"{s['relative_change_others']:+.1%}."
        )
        if "replicates" in s:
            lo, hi = s["relative_change_interval"]
            text += (
                f" Nothing changed in any unit: across {s['replicates']:,} simulated repeats the "
                f"worst group's apparent change averaged {s['mean_relative_change']:+.0%} "
                f"(95% of repeats between {lo:+.0%} and {hi:+.0%}), all regression to the mean."
            )
        return text


def _select_worst(first: np.ndarray, worst: int, lower_is_better: bool,
                  rng: np.random.Generator) -> np.ndarray:
    """Boolean mask (same shape as ``first``) of the ``worst`` units in each row."""
    key = -first if lower_is_better else first
    order = np.lexsort((rng.random(first.shape), key), axis=-1)
    mask = np.zeros(first.shape, dtype=bool)
    rows = np.arange(first.shape[0])[:, None]
    mask[rows, order[:, :worst]] = True
    return mask


def _rtm_summary(first: np.ndarray, second: np.ndarray, selected: np.ndarray) -> dict[str, Any]:
    f_sel, s_sel = first[selected].mean(), second[selected].mean()
    f_oth = first[~selected].mean() if (~selected).any() else np.nan
    s_oth = second[~selected].mean() if (~selected).any() else np.nan
    return {
        "units": int(len(first)),
        "selected": int(selected.sum()),
        "first_mean_selected": float(f_sel),
        "second_mean_selected": float(s_sel),
        "relative_change": float(s_sel / f_sel - 1) if f_sel else float("nan"),
        "relative_change_others": float(s_oth / f_oth - 1) if f_oth else float("nan"),
    }


def regression_to_mean(
    *,
    units: int = 150,
    rate: float = 0.03,
    denominator: float = 2000,
    spread: float = 0.15,
    worst: int = 10,
    lower_is_better: bool = True,
    replicates: int = 1000,
    seed: int | None = 2024,
    labels: tuple[str, str] = ("Year 1", "Year 2"),
    measure: str = "Rate",
) -> RegressionToMeanResult:
    """Simulate regression to the mean: pick the worst units, watch them "improve".

    Each of ``units`` units has a true rate that never changes: ``rate`` times a
    log-normal factor with standard deviation ``spread`` on the log scale (real
    differences between units). In each of two periods its count is Poisson with mean
    true rate x ``denominator``. The ``worst`` units in the first period are selected
    and followed into the second. Every replicate is drawn at once (arrays of
    ``replicates x units``). The result's table shows the first replicate; its
    ``changes`` and summary use all of them.
    """
    n = int(units)
    k = int(worst)
    if n < 2 or not 1 <= k < n:
        raise _problem("worst must be at least 1 and fewer than the number of units",
                       f"pick between 1 and {max(1, n - 1)} units", value=worst)
    base = _positive(rate, "the rate", "give the usual rate, e.g. 0.03 for 3%")
    size = _positive(denominator, "the denominator", "give each unit's size, e.g. 2000")
    if spread < 0:
        raise _problem("spread cannot be negative", "use 0 for identical units", value=spread)
    reps = int(replicates)
    if not 1 <= reps <= 100_000:
        raise _problem("replicates must be from 1 to 100,000", "1,000 is plenty", value=reps)
    rng = np.random.default_rng(seed)
    true = base * np.exp(rng.normal(-spread**2 / 2, spread, size=(reps, n)))
    first = rng.poisson(true * size) / size
    second = rng.poisson(true * size) / size
    selected = _select_worst(first, k, lower_is_better, rng)
    mean_first = np.where(selected, first, 0).sum(axis=1) / k
    mean_second = np.where(selected, second, 0).sum(axis=1) / k
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = mean_second / mean_first - 1
    changes = pd.DataFrame({"first_mean_selected": mean_first,
                            "second_mean_selected": mean_second, "relative_change": rel})
    table = pd.DataFrame({
        "unit": [f"Unit {i + 1}" for i in range(n)],
        "true_rate": true[0],
        "first": first[0],
        "second": second[0],
        "selected": selected[0],
    })
    table["change"] = table["second"] - table["first"]
    summary = _rtm_summary(first[0], second[0], selected[0])
    summary.update({
        "replicates": reps,
        "mean_relative_change": float(np.nanmean(rel)),
        "relative_change_interval": tuple(float(q) for q in np.nanquantile(rel, [0.025, 0.975])),
    })
    return RegressionToMeanResult(table=table, labels=labels, measure=measure,
                                  lower_is_better=lower_is_better, summary=summary,
                                  changes=changes)


def financial_year(dates: Sequence[Any] | pd.Series) -> pd.Series:
    """The NHS financial year (1 April to 31 March) of each date, e.g. ``"2023/24"``."""
    when = _checked_dates(dates, "write the date as 2024-03-31", detailed=False)
    start = when.dt.year - (when.dt.month < 4).astype(int)
    labels = start.astype(str) + "/" + ((start + 1) % 100).astype(str).str.zfill(2)
    return pd.Series(labels.to_numpy(), index=getattr(dates, "index", None),
                     name="financial_year")


def follow_the_worst(
    data: pd.DataFrame,
    *,
    numerator: str,
    denominator: str,
    unit: str,
    period: str,
    first: Any,
    second: Any,
    worst: int = 10,
    lower_is_better: bool = True,
    measure: str | None = None,
    seed: int | None = 2024,
) -> RegressionToMeanResult:
    """Pick the ``worst`` units in period ``first`` and follow them into ``second``.

    Rows are summed per unit within each period (e.g. four quarters make a year), so
    ``period`` can be a year column. Ties at the cut-off are broken at random (seeded).
    Use it to see regression to the mean in real (or course) data.
    """
    num, den, problems = _counts_and_sizes(data, numerator, denominator, unit, period)
    if problems:
        raise DataError(problems)
    frame = pd.DataFrame({"unit": data[unit].to_numpy(), "period": data[period].to_numpy(),
                          "num": num, "den": den})
    sums = frame.groupby(["unit", "period"], sort=True)[["num", "den"]].sum()
    rates = (sums["num"] / sums["den"]).unstack("period")
    for label in (first, second):
        if label not in rates.columns:
            raise _problem(f"there is no period {label!r} in column '{period}'",
                           "choose one of " + ", ".join(map(str, rates.columns)),
                           column=period, value=label)
    both = rates[[first, second]].dropna()
    dropped = len(rates) - len(both)
    if dropped:
        names = ", ".join(map(str, rates.index[rates[[first, second]].isna().any(axis=1)]))
        raise _problem(f"{dropped} unit(s) have no data in one of the two periods ({names})",
                       "add their rows, or remove them from the table first", column=unit)
    n = len(both)
    k = int(worst)
    if not 1 <= k < n:
        raise _problem("worst must be at least 1 and fewer than the number of units",
                       f"pick between 1 and {n - 1} units", value=worst)
    f = both[first].to_numpy(dtype=float)
    s = both[second].to_numpy(dtype=float)
    selected = _select_worst(f[None, :], k, lower_is_better, np.random.default_rng(seed))[0]
    table = pd.DataFrame({"unit": both.index.to_numpy(), "first": f, "second": s,
                          "selected": selected})
    table["change"] = table["second"] - table["first"]
    return RegressionToMeanResult(
        table=table, labels=(str(first), str(second)),
        measure=measure or f"{numerator} per {denominator}", lower_is_better=lower_is_better,
        summary=_rtm_summary(f, s, selected),
    )


# ---------------------------------------------------------------------------
# Before and after, with a comparison
# ---------------------------------------------------------------------------

@dataclass
class BeforeAfterResult:
    """A programme region's change set against the comparison regions' change.

    Attributes:
        table: one row per period and arm (``arm`` is "programme" or "comparison"):
            ``period``, ``numerator``, ``denominator``, ``rate`` (per ``per``), ``after``.
        cells: the four before/after x programme/comparison totals and rates.
        summary: ``programme_ratio`` and ``comparison_ratio`` (rate after / rate before),
            ``programme_change`` and ``comparison_change`` (as relative changes, e.g.
            -0.12 for a 12% fall), ``ratio_of_ratios`` (the programme's change once the
            comparison's change is allowed for), ``ratio_interval`` (the 95% interval
            used in the words: the placebo interval when there are at least
            :data:`MIN_PLACEBOS` comparison groups, else the Poisson one),
            ``interval_method`` (``"placebo"`` or ``"poisson"``), ``poisson_interval``
            (chance in the counts only), ``placebo_interval`` (or ``None``),
            ``effect_change`` (ratio_of_ratios - 1), ``start``.
        placebos: the placebo study (:class:`PlaceboResult`), or ``None`` with fewer
            than :data:`MIN_PLACEBOS` comparison groups.
    """

    table: pd.DataFrame
    cells: pd.DataFrame
    programme: str
    start: pd.Timestamp
    per: float
    measure: str
    summary: dict[str, Any] = field(default_factory=dict)
    placebos: PlaceboResult | None = None

    def plot(self, ax: Any = None, *, title: str | None = None) -> Figure:
        """Both arms' rates over time, the programme start marked by a dotted line."""
        fig, ax = style.new_axes(figsize=(9.0, 4.6), ax=ax)
        for arm, verdict, label in (("comparison", "common_cause", "Comparison regions"),
                                    ("programme", "improvement", self.programme)):
            part = self.table[self.table["arm"] == arm]
            kw = style.point_style(verdict)
            ax.plot(part["period"], part["rate"], color=kw["color"], linewidth=1.4, zorder=2)
            ax.scatter(part["period"], part["rate"], s=34, label=label, **kw)
        ax.axvline(self.start, label="Programme starts", **style.target_line_kw())
        style.apply_style(ax, title=title or "Before and after, with a comparison",
                          xlabel="Period", ylabel=self.measure,
                          legend=True)
        fig.alt_text = self.describe()  # type: ignore[attr-defined]
        return fig

    def describe(self) -> str:
        """Plain-English alt text with the headline numbers."""
        s = self.summary
        t = self.table
        lo, hi = s["ratio_interval"]

        def change(x: float) -> str:
            return f"fell by {-x:.0%}" if x < 0 else f"rose by {x:.0%}"

        effect = s["effect_change"]
        if s["interval_method"] == "placebo":
            kind = ("95% placebo interval, which allows for the real differences between "
                    "regions")
            what = "chance and the everyday differences between regions"
        else:
            kind = ("95% confidence interval from chance in the counts only; too few "
                    "comparison regions to check it with placebos, so it may be too narrow")
            what = "chance"
        verdict = (
            f"the interval includes no change, so the data cannot separate the programme's "
            f"effect from {what}" if lo <= 1 <= hi else
            "the interval does not include no change, so chance and the everyday "
            "differences between regions are unlikely to explain it on their own"
            if s["interval_method"] == "placebo" else
            "the interval does not include no change, so chance alone is an unlikely "
            "explanation"
        )
        return (
            f"{self.measure} by period from {t['period'].min():%B %Y} to "
            f"{t['period'].max():%B %Y} in {self.programme} (blue squares) and the comparison "
            f"regions (grey circles); the programme started in {self.start:%B %Y}. After the "
            f"start the rate in {self.programme} {change(s['programme_change'])}; in the "
            f"comparison regions it {change(s['comparison_change'])} over the same time. "
            f"Allowing for that shared trend, the programme's own change is "
            f"{effect:+.1%} ({kind}: {lo - 1:+.1%} to {hi - 1:+.1%}): {verdict}."
        )


def before_after(
    data: pd.DataFrame,
    *,
    numerator: str,
    denominator: str,
    date: str,
    group: str,
    programme: str,
    start: Any,
    comparison: Sequence[str] | None = None,
    per: float = 1000,
    measure: str | None = None,
    interval: str = "placebo",
) -> BeforeAfterResult:
    """Compare the change in a programme region with the change elsewhere.

    Rows (e.g. trusts by quarter) are summed per period within two arms: the
    ``programme`` group and the comparison groups (``comparison``, default every other
    group). Periods on or after ``start`` are "after". The programme's rate ratio
    (after/before) is divided by the comparison's rate ratio; the 95% confidence
    interval treats the four event counts as Poisson: the standard error of the log
    ratio of ratios is ``sqrt(1/a + 1/b + 1/c + 1/d)`` (Altman and Bland 2003).

    That Poisson interval counts only chance in the counts. Regions also differ from
    one another in everyday ways (overdispersion, lesson 6), so with large counts it is
    far too narrow: treat any comparison region as if it had had the programme and it
    often looks "significant". So, with at least :data:`MIN_PLACEBOS` comparison groups,
    the interval in ``summary["ratio_interval"]`` (and in the words) is the **placebo
    interval** of :func:`placebo_effects` instead; the Poisson one stays in
    ``summary["poisson_interval"]``. Pass ``interval="poisson"`` to use it anyway.

    This adjusts for a secular trend shared by both arms; it cannot adjust for a change
    that happened in one arm only at the same time, nor for regression to the mean if
    the programme region was chosen for its bad figures.
    """
    if interval not in ("placebo", "poisson"):
        raise _problem("interval must be 'placebo' or 'poisson'",
                       "leave interval out for the placebo interval", value=interval)
    num, den, problems = _counts_and_sizes(data, numerator, denominator, date, group)
    when = pd.to_datetime(data[date], errors="coerce")
    problems += [Problem(int(i) + 1, date, "this is not a date we can read",
                         "write the date as 2024-03-31, or delete the row",
                         value=str(data[date].iloc[i]), unit="point")
                 for i in np.flatnonzero(when.isna().to_numpy())]
    if problems:
        raise DataError(problems)
    groups = data[group].astype("string")
    if programme not in set(groups.dropna()):
        raise _problem(f"there is no group called {programme!r} in column '{group}'",
                       "choose one of " + ", ".join(sorted(set(groups.dropna()))),
                       column=group, value=programme)
    others = ([g for g in sorted(set(groups.dropna())) if g != programme] if comparison is None
              else list(comparison))
    if not others or programme in others:
        raise _problem("the comparison must be other groups than the programme",
                       "leave comparison out to compare with every other group", column=group)
    arm = np.where(groups == programme, "programme",
                   np.where(groups.isin(others), "comparison", ""))
    start_ts = pd.Timestamp(start)
    frame = pd.DataFrame({"arm": arm, "group": groups.to_numpy(), "period": when.to_numpy(),
                          "numerator": num, "denominator": den})
    frame = frame[frame["arm"] != ""]
    frame["after"] = frame["period"] >= start_ts
    if not frame["after"].any() or frame["after"].all():
        raise _problem("every period falls on one side of the start date",
                       "check the start date: there must be periods before and after it",
                       value=start)
    table = (frame.groupby(["arm", "period", "after"], sort=True)[["numerator", "denominator"]]
             .sum().reset_index())
    table["rate"] = table["numerator"] / table["denominator"] * per
    cells = (frame.groupby(["arm", "after"])[["numerator", "denominator"]].sum()
             .reindex(pd.MultiIndex.from_product([["programme", "comparison"], [False, True]],
                                                 names=["arm", "after"])))
    if cells["numerator"].isna().any() or (cells["numerator"] == 0).any():
        raise _problem("one arm has no events before or after the start",
                       "a rate ratio needs events in all four cells; use a longer period")
    cells["rate"] = cells["numerator"] / cells["denominator"] * per
    r = cells["rate"]
    prog_ratio = r["programme", True] / r["programme", False]
    comp_ratio = r["comparison", True] / r["comparison", False]
    ror = prog_ratio / comp_ratio
    se = float(np.sqrt((1 / cells["numerator"]).sum()))
    z = stats.norm.ppf(0.975)
    poisson = (float(ror * np.exp(-z * se)), float(ror * np.exp(z * se)))
    placebos = (_placebos(frame[frame["arm"] == "comparison"], programme, float(np.log(ror)))
                if len(others) >= MIN_PLACEBOS else None)
    placebo = None if placebos is None else placebos.summary["programme_interval"]
    method = "placebo" if interval == "placebo" and placebo is not None else "poisson"
    summary = {
        "programme_ratio": float(prog_ratio),
        "comparison_ratio": float(comp_ratio),
        "programme_change": float(prog_ratio - 1),
        "comparison_change": float(comp_ratio - 1),
        "ratio_of_ratios": float(ror),
        "ratio_interval": placebo if method == "placebo" else poisson,
        "interval_method": method,
        "poisson_interval": poisson,
        "placebo_interval": placebo,
        "effect_change": float(ror - 1),
        "start": start_ts,
    }
    return BeforeAfterResult(table=table, cells=cells.reset_index(), programme=programme,
                             start=start_ts, per=per,
                             measure=measure
                             or f"{numerator.capitalize()} per {per:,.0f} {denominator}",
                             summary=summary, placebos=placebos)


# ---------------------------------------------------------------------------
# Placebo study: how big an "effect" looks where there was no programme
# ---------------------------------------------------------------------------

#: Fewest comparison groups for a placebo interval (with fewer, its width rests on too
#: few placebo effects to mean anything, and the words say the Poisson interval is used).
MIN_PLACEBOS = 5


@dataclass
class PlaceboResult:
    """Each comparison group treated in turn as if it had had the programme.

    Attributes:
        table: one row per placebo group: ``unit``, ``ratio_of_ratios`` and
            ``effect_change`` (its "effect", which is no effect at all), ``poisson_lower``
            and ``poisson_upper`` (its Poisson-only 95% interval), ``poisson_significant``
            (that interval excludes 1), ``placebo_significant`` (outside the placebo
            interval built from the *other* placebo groups: the fair false-alarm check).
        programme: the real programme group's name.
        summary: ``n`` placebos; ``programme_effect`` (the real ratio of rate ratios);
            ``spread`` (root mean square of the placebo log effects: the standard error of
            an effect estimate where there is none); ``programme_interval`` (the real
            effect's 95% placebo interval); ``poisson_false_positives`` and
            ``placebo_false_positives`` (placebos called "significant" by each interval);
            ``rank`` (1 = the real effect is further from no change than every placebo)
            and ``permutation_p`` (rank / (n + 1), Abadie et al 2010); ``phi`` (the
            placebo effects' spread over what Poisson chance predicts, squared: an
            overdispersion factor as in Spiegelhalter 2005).
    """

    table: pd.DataFrame
    programme: str
    summary: dict[str, Any] = field(default_factory=dict)

    def plot(self, ax: Any = None, *, title: str | None = None) -> Figure:
        """Every placebo effect as a grey circle, the real effect as a blue square, and the
        band of the placebo interval around no change."""
        fig, ax = style.new_axes(figsize=(9.0, 4.2), ax=ax)
        t = self.table.sort_values("effect_change").reset_index(drop=True)
        s = self.summary
        half = float(np.expm1(self._half_width()))
        ax.axvspan(-half * 100, half * 100, color="#dddddd", zorder=0,
                   label="95% of no-programme effects")
        ax.axvline(0, color="#555555", linewidth=1, zorder=1)
        grey = style.point_style("common_cause")
        ax.scatter(t["effect_change"] * 100, np.arange(len(t)), s=34,
                   label="Placebo region", **grey)
        blue = style.point_style("improvement")
        ax.scatter([(s["programme_effect"] - 1) * 100], [len(t)], s=60,
                   label=f"{self.programme} (programme)", **blue)
        ax.set_yticks(list(range(len(t) + 1)), list(t["unit"]) + [self.programme])
        style.apply_style(ax, title=title or "Placebo check: 'effects' where nothing was done",
                          xlabel="Change allowing for the comparison's trend (%)", ylabel=None,
                          legend=True)
        fig.alt_text = self.describe()  # type: ignore[attr-defined]
        return fig

    def _half_width(self) -> float:
        return float(stats.t.ppf(0.975, self.summary["n"]) * self.summary["spread"])

    def describe(self) -> str:
        """Plain-English alt text: the placebo effects, the false alarms, the real effect."""
        s = self.summary
        t = self.table
        lo, hi = s["programme_interval"]
        beyond = ("further from no change than every placebo (permutation p = "
                  f"{s['permutation_p']:.2f}, the smallest possible with {s['n'] + 1} groups)"
                  if s["rank"] == 1 else
                  f"number {s['rank']} of {s['n'] + 1} in distance from no change "
                  f"(permutation p = {s['permutation_p']:.2f})")
        return (
            f"A dot chart of {s['n']} placebo effects: each comparison region treated as if it "
            f"had had the programme, against the others. Their changes run from "
            f"{t['effect_change'].min():+.1%} to {t['effect_change'].max():+.1%} with no "
            f"programme at all. The Poisson-only interval calls {s['poisson_false_positives']} "
            f"of {s['n']} of them significant; the placebo interval calls "
            f"{s['placebo_false_positives']} of {s['n']}. {self.programme}'s change is "
            f"{s['programme_effect'] - 1:+.1%}, {beyond}; its 95% placebo interval is "
            f"{lo - 1:+.1%} to {hi - 1:+.1%}."
        )


def _placebos(comparison: pd.DataFrame, programme: str, log_effect: float) -> PlaceboResult:
    """The placebo study over the comparison arm's rows (``group``, ``after``, counts).

    For each comparison group *g*, its ratio of rate ratios against all the other
    comparison groups (never the programme group: it had the programme). Vectorised over
    groups: the others' totals are the arm's totals minus *g*'s own.
    """
    sums = (comparison.groupby(["group", "after"])[["numerator", "denominator"]].sum()
            .unstack("after"))
    if sums.isna().any().any() or (sums["numerator"] == 0).any().any():
        raise _problem("a comparison group has no events before or after the start",
                       "a placebo check needs events in every group on both sides; use a "
                       "longer period or leave that group out of the comparison")
    a = sums["numerator"].to_numpy(float)      # columns: before (False), after (True)
    n = sums["denominator"].to_numpy(float)
    others_a = a.sum(axis=0) - a
    others_n = n.sum(axis=0) - n
    log_ror = (np.log(a[:, 1] / n[:, 1]) - np.log(a[:, 0] / n[:, 0])
               - np.log(others_a[:, 1] / others_n[:, 1]) + np.log(others_a[:, 0] / others_n[:, 0]))
    se = np.sqrt((1 / a).sum(axis=1) + (1 / others_a).sum(axis=1))
    z = stats.norm.ppf(0.975)
    k = len(log_ror)
    squares = log_ror ** 2
    spread = float(np.sqrt(squares.mean()))
    # Leave one out: each placebo judged by the spread of the others (k - 1 of them).
    spread_others = np.sqrt((squares.sum() - squares) / (k - 1))
    placebo_sig = np.abs(log_ror) > stats.t.ppf(0.975, k - 1) * spread_others
    table = pd.DataFrame({
        "unit": sums.index.astype(str),
        "ratio_of_ratios": np.exp(log_ror),
        "effect_change": np.expm1(log_ror),
        "poisson_lower": np.exp(log_ror - z * se),
        "poisson_upper": np.exp(log_ror + z * se),
    })
    table["poisson_significant"] = (table["poisson_lower"] > 1) | (table["poisson_upper"] < 1)
    table["placebo_significant"] = placebo_sig
    half = stats.t.ppf(0.975, k) * spread
    rank = int((np.abs(log_ror) >= abs(log_effect)).sum()) + 1
    summary = {
        "n": k,
        "programme_effect": float(np.exp(log_effect)),
        "spread": spread,
        "programme_interval": (float(np.exp(log_effect - half)),
                               float(np.exp(log_effect + half))),
        "poisson_false_positives": int(table["poisson_significant"].sum()),
        "placebo_false_positives": int(placebo_sig.sum()),
        "rank": rank,
        "permutation_p": rank / (k + 1),
        "phi": float((squares / se ** 2).mean()),
    }
    return PlaceboResult(table=table, programme=programme, summary=summary)


def placebo_effects(data: pd.DataFrame, **options: Any) -> PlaceboResult:
    """The placebo study behind :func:`before_after`'s interval (same arguments).

    Each comparison group is treated in turn as if it had had the programme, against the
    other comparison groups (Abadie, Diamond and Hainmueller 2010). Their "effects" show
    how big an effect looks where there was none: chance in the counts *and* the
    everyday differences between groups. The real effect's **placebo interval** is its
    log ratio of rate ratios plus or minus ``t(0.975, n) x s``, where ``s`` is the root mean
    square of the ``n`` placebo log effects (their spread around no change; a normal
    version of Conley and Taber's 2011 interval for one treated group). Each placebo is
    also judged against the spread of the *others*: at 95%, about 1 in 20 should look
    "significant". The **permutation p-value** is the real effect's rank in distance from
    no change among all ``n + 1`` groups divided by ``n + 1``: with 15 groups it cannot be
    below 1/15, whatever the counts say.
    """
    options.setdefault("interval", "placebo")
    result = before_after(data, **options)
    if result.placebos is None:
        raise _problem(f"a placebo check needs at least {MIN_PLACEBOS} comparison groups",
                       "compare with more groups, or use the Poisson interval and say that "
                       "it counts only chance")
    return result.placebos
