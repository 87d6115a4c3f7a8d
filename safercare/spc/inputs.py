"""Turn what a learner passes in (a list, a Series, a DataFrame) into sorted numpy arrays.

Why: every chart needs the same preparation -- read the number columns (refusing text),
split into series (``by=``), put each series in date order, number the phases, mark
excluded points and the points that fix the limits (``baseline``). Doing it once, here,
and vectorised (no loop per series or per point) keeps each chart short and fast.

Everything in :class:`Prepared` is in **sorted order**: by group, then by date (or by
input order when there is no date). ``order`` maps a sorted position back to its input
row, so results can be returned in the order the rows were given.

Conventions (shared by every chart):

* Row numbers in error messages are 1-based positions in the data as given ("point 5").
* A missing value keeps its row; it is never used in a calculation and never signals.
* Integer ``phases`` are 0-based positions within each series in time order, with the
  same meaning as a Python slice: ``phases=[12]`` starts a new phase at the 13th point.
  Dates (when ``date=`` is given) start a phase at the first point on or after that date.
  A column name gives a label per row; a new phase starts wherever the label changes.
* ``exclude`` is a column name (true marks a point to exclude), a list of booleans, a
  list of 0-based input row positions, or (with ``date=``) a list of dates.
* ``baseline=b`` fixes the limits on the first ``b`` points (missing and excluded points
  among them count towards ``b`` but are not used), counted from the first point of
  the series -- or of each phase, if the profile keeps phases with a baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from safercare.checks import as_dates, as_numbers
from safercare.errors import DataError, Problem
from safercare.spc.profiles import Profile

__all__ = ["Prepared", "prepare", "prepare_value"]

#: A checker gets the numeric columns (input order, by role) and the column names, and
#: returns problems.
Checker = Callable[[dict[str, np.ndarray], dict[str, str]], list[Problem]]


@dataclass
class Prepared:
    """Input data as sorted numpy arrays (see the module docstring)."""

    n: int
    order: np.ndarray
    group: np.ndarray
    n_groups: int
    group_labels: pd.DataFrame | None
    by_names: list[str]
    values: dict[str, np.ndarray]
    names: dict[str, str]
    missing: np.ndarray
    excluded: np.ndarray
    phase: np.ndarray
    seg: np.ndarray
    n_segs: int
    calc: np.ndarray
    group_start: np.ndarray
    seg_start: np.ndarray
    date: np.ndarray | None = None
    date_name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def seg_starts(self) -> np.ndarray:
        """First sorted position of each segment."""
        if "seg_starts" not in self.extra:
            self.extra["seg_starts"] = np.flatnonzero(self.seg_start)
        return self.extra["seg_starts"]

    def spread(self, per_seg: np.ndarray) -> np.ndarray:
        """One value per segment to one value per point (segments are contiguous)."""
        counts = np.diff(np.r_[self.seg_starts, self.n])
        return np.repeat(per_seg, counts)


def _problem(column: str | None, what: str, fix: str, row: int | None = None,
             value: object = None) -> Problem:
    return Problem(row, column, what, fix, value=None if value is None else str(value),
                   unit="point")


def _column(data: pd.DataFrame | None, spec: Any, role: str, n: int | None) -> tuple[Any, str]:
    """A column of ``data`` named ``spec``, or ``spec`` itself as a sequence."""
    if isinstance(spec, str) and data is not None:
        if spec not in data.columns:
            cols = ", ".join(repr(str(c)) for c in data.columns)
            raise DataError(_problem(spec, f"there is no column called '{spec}' for the "
                                     f"{role}", f"use one of the columns: {cols}"))
        return data[spec], spec
    if isinstance(spec, str):
        raise TypeError(f"{role}={spec!r} names a column, so pass a DataFrame as data")
    name = getattr(spec, "name", None) or role
    values = spec if isinstance(spec, (pd.Series, np.ndarray)) else list(spec)
    if n is not None and len(values) != n:
        raise DataError(_problem(str(name), f"the {role} has {len(values)} values but the "
                                 f"data has {n} points", "give one value per point"))
    return values, str(name)


def _codes_sorted(keys: list[Any]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group codes (groups in sorted label order) and the labels of each code."""
    if len(keys) == 1:
        arr = np.asarray(keys[0])
        if arr.dtype.kind in "iu" or (arr.dtype.kind == "f" and not np.isnan(arr).any()):
            change = arr[1:] != arr[:-1]
            if len(arr) > 1 and np.all(arr[1:] >= arr[:-1]):
                # Already sorted by group (the usual layout): codes without hashing.
                codes = np.empty(len(arr), dtype=np.int32)
                codes[0] = 0
                np.cumsum(change, out=codes[1:], dtype=np.int32)
                starts = np.r_[0, np.flatnonzero(change) + 1]
                return codes, pd.DataFrame({0: arr[starts]})
        codes, uniques = pd.factorize(pd.Series(keys[0]).to_numpy(), sort=True,
                                      use_na_sentinel=False)
        return codes.astype(np.int64), pd.DataFrame({0: uniques})
    frame = pd.DataFrame({f"k{i}": pd.Series(k).to_numpy() for i, k in enumerate(keys)})
    grouped = frame.groupby(list(frame.columns), sort=True, dropna=False)
    codes = grouped.ngroup().to_numpy(dtype=np.int64)
    labels = grouped.size().reset_index(name="__size__").drop(columns="__size__")
    return codes, labels


def _dates(raw: Any, name: str) -> tuple[np.ndarray, list[Problem]]:
    """Dates as datetime64 (or numbers, e.g. week numbers), reporting blanks and text."""
    series = raw if isinstance(raw, pd.Series) else pd.Series(raw)
    series = series.reset_index(drop=True)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
            series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        blank = np.isnan(values)
        return values, [_problem(name, "the date is blank", "fill in the date of this point",
                                 int(r) + 1) for r in np.flatnonzero(blank)]
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        parsed = series
        bad = np.zeros(len(series), dtype=bool)
    else:
        # Text dates are read as the rest of the course reads them (checks.as_dates): UK
        # day first, so "01/02/2024" is 1 February, while ISO dates stay year-month-day.
        text = series.astype("string").str.strip()
        read, _ = as_dates(series, name, allow_missing=True)
        parsed = pd.Series(read.astype("datetime64[ns]"))
        bad = (parsed.isna() & text.notna() & (text != "")).to_numpy(dtype=bool)
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    values = parsed.to_numpy(dtype="datetime64[ns]")
    blank = np.isnat(values) & ~bad
    problems = [_problem(name, "this is not a date", "type a date such as 2024-03-31",
                         int(r) + 1, series.iloc[r]) for r in np.flatnonzero(bad)]
    problems += [_problem(name, "the date is blank", "fill in the date of this point",
                          int(r) + 1) for r in np.flatnonzero(blank)]
    return values, problems


def _sort_key(values: np.ndarray) -> np.ndarray:
    return values.view(np.int64) if values.dtype.kind == "M" else values


def prepare(
    data: Any,
    roles: dict[str, Any],
    *,
    main: str,
    date: Any = None,
    by: Any = None,
    phases: Any = None,
    baseline: int | None = None,
    exclude: Any = None,
    baseline_overrides_phases: bool = True,
    checker: Checker | None = None,
) -> Prepared:
    """Read, check and sort the input (see the module docstring for the conventions).

    Args:
        data: a sequence or Series of values, a DataFrame, or ``None`` when every role
            is given as a sequence.
        roles: role -> column name or sequence, e.g. ``{"value": "falls"}`` or
            ``{"numerator": "deaths", "denominator": "admissions"}``.
        main: the role whose missing values mark a point as missing.
        checker: extra data checks (counts, denominators) run on the numbers in input
            order; their problems are raised together with any others.
    """
    frame = data if isinstance(data, pd.DataFrame) else None
    if frame is not None:
        frame = frame.reset_index(drop=True)
    used_cols = {c for c in (date, phases, exclude) if isinstance(c, str)}
    if by is None:
        by_list: list[Any] = []
    elif isinstance(by, (list, tuple)) and by and all(isinstance(b, str) for b in by):
        by_list = list(by)  # several column names
    else:
        by_list = [by]  # one column name, or one sequence of labels
    used_cols |= {b for b in by_list if isinstance(b, str)}

    # Resolve each role to raw values.
    raw: dict[str, Any] = {}
    names: dict[str, str] = {}
    n: int | None = None if frame is None else len(frame)
    for role, spec in roles.items():
        if spec is None:
            if frame is not None:
                numeric = [c for c in frame.columns if c not in used_cols]
                if len(roles) == 1 and len(numeric) == 1:
                    spec = numeric[0]
                else:
                    raise TypeError(f"say which column holds the {role}: {role}='column'")
            elif len(roles) == 1 and data is not None:
                spec = data
            else:
                raise TypeError(f"give the {role}: {role}=[...] or a column name")
        values, name = _column(frame if isinstance(spec, str) else None, spec, role, n)
        raw[role], names[role] = values, name
        n = len(values) if n is None else n
    assert n is not None
    if n == 0:
        raise DataError(_problem(None, "there are no points to chart",
                                 "give at least one value"))

    problems: list[Problem] = []
    numbers: dict[str, np.ndarray] = {}
    for role, values in raw.items():
        numbers[role], found = as_numbers(values, names[role])
        problems += found
    if checker is not None and not problems:
        problems += checker(numbers, names)

    # Groups.
    by_names: list[str] = []
    if by_list:
        keys = []
        for spec in by_list:
            values, name = _column(frame, spec, "group", n)
            keys.append(values)
            by_names.append(name)
        group, labels = _codes_sorted(keys)
        labels.columns = by_names
        n_groups = len(labels)
    else:
        group = np.zeros(n, dtype=np.int32)
        labels = None
        n_groups = 1 if n else 0

    # Dates and the sort.
    date_values = None
    date_name = None
    if date is not None:
        raw_date, date_name = _column(frame, date, "date", n)
        date_values, found = _dates(raw_date, date_name)
        problems += found
    if problems:
        raise DataError(problems)

    identity = False
    if date_values is not None:
        key = _sort_key(date_values)
        if n > 1 and np.all(group[1:] >= group[:-1]) and np.all(
                (key[1:] > key[:-1]) | (group[1:] != group[:-1])):
            order = np.arange(n)
            identity = True
        else:
            order = np.lexsort((key, group))
        s_group = group[order]
        s_key = key[order]
        dup = np.zeros(n, dtype=bool)
        dup[1:] = (s_group[1:] == s_group[:-1]) & (s_key[1:] == s_key[:-1])
        if dup.any():
            raw_series = pd.Series(raw_date).reset_index(drop=True)
            first = np.flatnonzero(dup) - 1
            raise DataError([
                _problem(date_name, f"this date is the same as point {order[f] + 1}"
                         + (" in the same series" if by_list else ""),
                         "give each point its own date, or add up the points that share "
                         "a date", int(order[d]) + 1, raw_series.iloc[int(order[d])])
                for d, f in zip(np.flatnonzero(dup), first, strict=True)])
        date_values = date_values[order]
    elif by_list and not (n < 2 or np.all(group[1:] >= group[:-1])):
        order = np.argsort(group, kind="stable")
    else:
        order = np.arange(n)
        identity = True

    def srt(a: np.ndarray) -> np.ndarray:
        return a if identity else a[order]

    group = srt(group)
    values_sorted = {role: srt(v) for role, v in numbers.items()}
    # A point is missing when any of its roles is (the main one, e.g. a numerator,
    # or its denominator).
    missing = np.isnan(values_sorted[main])
    for role, v in values_sorted.items():
        if role != main:
            missing |= np.isnan(v)

    group_start = np.ones(n, dtype=bool)
    if n > 1:
        group_start[1:] = group[1:] != group[:-1]
    starts = np.flatnonzero(group_start)

    def positions() -> np.ndarray:
        """0-based position of each point within its series (only when needed)."""
        return np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))

    # Exclusions (input order, then sorted).
    excluded = np.zeros(n, dtype=bool)
    if exclude is not None:
        excluded = srt(_exclusions(frame, exclude, n, date, raw_date if date is not None
                                   else None, date_values, order, identity))

    # Phases.
    use_phases = phases is not None and not (baseline is not None and
                                             baseline_overrides_phases)
    if use_phases:
        phase_key = _phase_keys(frame, phases, n, positions, date_values, srt)
        change = group_start.copy()
        if n > 1:
            change[1:] |= phase_key[1:] != phase_key[:-1]
        seg = np.cumsum(change, dtype=np.int32) - 1
        n_segs = int(seg[-1]) + 1 if n else 0
        # Phase number within each group (1-based).
        phase = seg - np.repeat(seg[starts], np.diff(np.r_[starts, n])) + 1
    else:
        change, seg, n_segs = group_start, group, n_groups
        phase = np.ones(n, dtype=np.int32)

    calc = ~missing & ~excluded
    if baseline is not None:
        if int(baseline) != baseline or baseline < 2:
            raise ValueError(f"baseline must be a whole number of points, 2 or more (got "
                             f"{baseline!r}); e.g. baseline=12 fixes the limits on the "
                             "first 12 points")
        seg_starts = np.flatnonzero(change)
        pos_in_seg = np.arange(n) - np.repeat(seg_starts, np.diff(np.r_[seg_starts, n]))
        calc &= pos_in_seg < baseline

    return Prepared(
        n=n, order=order, group=group, n_groups=n_groups, group_labels=labels,
        by_names=by_names, values=values_sorted, names=names, missing=missing,
        excluded=excluded, phase=phase, seg=seg, n_segs=n_segs, calc=calc,
        group_start=group_start, seg_start=change, date=date_values, date_name=date_name,
        extra={"identity": identity},
    )


def prepare_value(data: Any, value: Any, profile: Profile, *, checker: Checker | None = None,
                  **where: Any) -> Prepared:
    """:func:`prepare` for a chart of one value per point (XmR, run, c, g and t charts).

    The role is ``"value"``; the profile decides whether a baseline overrides phases.
    ``where`` holds ``date``, ``by``, ``phases``, ``baseline`` and ``exclude``.
    """
    return prepare(data, {"value": value}, main="value", checker=checker,
                   baseline_overrides_phases=profile.baseline_overrides_phases, **where)


def _exclusions(frame: pd.DataFrame | None, exclude: Any, n: int, date: Any,
                raw_date: Any, sorted_dates: np.ndarray | None, order: np.ndarray,
                identity: bool) -> np.ndarray:
    """Excluded points as a boolean mask in input order."""
    if isinstance(exclude, str):
        values, name = _column(frame, exclude, "exclusions", n)
        return _flags(values, name)
    items = list(exclude.tolist() if isinstance(exclude, (np.ndarray, pd.Series)) else exclude)
    if items and all(isinstance(i, (bool, np.bool_)) for i in items):
        if len(items) != n:
            raise ValueError(f"exclude has {len(items)} true/false values but the data has {n} "
                             "points; give one true/false per point, or list the 0-based "
                             "positions to leave out instead")
        return np.asarray(items, dtype=bool)
    mask = np.zeros(n, dtype=bool)
    if items and all(isinstance(i, (int, np.integer)) for i in items):
        idx = np.asarray(items, dtype=np.int64)
        if (idx < 0).any() or (idx >= n).any():
            raise ValueError(f"exclude positions must be between 0 and {n - 1} (positions "
                             "count from 0, so the first point is 0); check the list "
                             "you gave")
        mask[idx] = True
        return mask
    if items and date is not None and sorted_dates is not None:
        wanted = _as_date_keys(items, sorted_dates)
        in_sorted = np.isin(_sort_key(sorted_dates), wanted)
        if identity:
            return in_sorted
        mask[order] = in_sorted
        return mask
    if not items:
        return mask
    raise ValueError("exclude must be a column name, true/false values, row positions "
                     "(0-based) or, with date=, dates; e.g. exclude=[3, 7] leaves out the "
                     "4th and 8th points")


#: Words read as true/false in an exclusions column (case and spaces ignored).
_FLAG_WORDS = {"true": True, "yes": True, "y": True, "1": True, "1.0": True,
               "false": False, "no": False, "n": False, "0": False, "0.0": False, "": False}


def _flags(values: Any, name: str) -> np.ndarray:
    """A true/false column (blank is false); text such as "yes"/"no" is read as words.

    Anything else raises :class:`DataError` naming the point, rather than counting
    every non-empty cell as true.
    """
    series = pd.Series(values).reset_index(drop=True)
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        return series.fillna(False).astype(bool).to_numpy()
    text = series.astype("string").str.strip().str.lower().fillna("")
    flags = text.map(_FLAG_WORDS)
    bad = flags.isna().to_numpy(dtype=bool)
    if bad.any():
        raise DataError([
            _problem(name, "this is not true or false",
                     "type TRUE (or yes) for a point to leave out of the limits, and FALSE "
                     "(or no), or leave it blank, for a point to keep", int(r) + 1,
                     series.iloc[r])
            for r in np.flatnonzero(bad)])
    return flags.to_numpy(dtype=bool)


def _as_date_keys(items: list[Any], like: np.ndarray) -> np.ndarray:
    if like.dtype.kind == "M":
        return pd.to_datetime(pd.Series(items)).to_numpy(dtype="datetime64[ns]").view(np.int64)
    return np.asarray(items, dtype=float)


def _phase_keys(frame: pd.DataFrame | None, phases: Any, n: int,
                positions: Callable[[], np.ndarray],
                sorted_dates: np.ndarray | None, srt: Callable[[np.ndarray], np.ndarray]
                ) -> np.ndarray:
    """An integer key per point (sorted order) that changes where a new phase starts."""
    if isinstance(phases, str):
        values, _ = _column(frame, phases, "phase", n)
        codes, _ = pd.factorize(pd.Series(values).to_numpy(), use_na_sentinel=False)
        return srt(codes.astype(np.int64))
    items = list(phases.tolist() if isinstance(phases, (np.ndarray, pd.Series)) else phases)
    if not items:
        return np.zeros(n, dtype=np.int64)
    if all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in items):
        starts = np.sort(np.asarray(items, dtype=np.int64))
        return np.searchsorted(starts, positions(), side="right")
    if sorted_dates is None:
        raise ValueError("phases must be a column name or 0-based positions (e.g. "
                         "phases=[12]); to start phases at dates, also pass date=")
    starts = np.sort(_as_date_keys(items, sorted_dates))
    return np.searchsorted(starts, _sort_key(sorted_dates), side="right")
