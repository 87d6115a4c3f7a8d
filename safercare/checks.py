"""Shared, vectorised checks that turn raw columns into numbers, dates or plain-English problems.

Both :mod:`safercare.data` (files) and the analyses (:mod:`safercare.spc`,
:mod:`safercare.funnel`, for data passed in memory) use these, so a blank cell, a word
in a number column, a date that cannot be read or a zero denominator is described the
same way everywhere.

Each check returns the cleaned values and/or a list of :class:`~safercare.errors.Problem`;
callers collect problems from several checks and raise one
:class:`~safercare.errors.DataError`.

``first_row`` is the row number of the first value as the learner sees it: 2 for a
file with a header row (Excel's numbering), 1 for in-memory data (``unit="point"``).
When some rows of a file were skipped (empty rows), pass ``rows=``, the row number of
every value, instead.

Dates
    :func:`as_dates` reads the date forms people type into spreadsheets: ``01/02/2024``,
    ``1/2/24``, ``01-02-2024``, ``01.02.2024``, ``2024-02-01`` (ISO), ``2024-02``,
    ``1 Feb 2024``, ``01-Feb-24``, ``Feb 2024``, ``February 2024``, ``Jan-24`` (how Excel
    shows a month), optionally followed by a time (``13:45`` or ``13:45:10``), and real
    date cells from Excel. Numeric dates are read day first (UK) unless
    ``dayfirst=False``. :func:`other_day_order` tells whether a column could equally be
    read month first, so a caller can ask the learner instead of guessing.

Periods
    :func:`infer_frequency` tells whether dates are daily, weekly, monthly, quarterly or
    yearly; :func:`check_periods` finds duplicated periods and gaps in a regular series.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from safercare.errors import Problem

__all__ = [
    "FREQUENCIES",
    "as_dates",
    "as_numbers",
    "check_columns",
    "check_counts",
    "check_denominators",
    "check_non_negative",
    "check_periods",
    "check_proportions",
    "infer_frequency",
    "other_day_order",
    "period_label",
]

#: How often a regular series is measured, in words a learner would use.
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "yearly")

#: The singular noun for one period of each frequency, used in messages.
_PERIOD_NOUN = {
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "quarterly": "quarter",
    "yearly": "year",
}


def _rows(mask: np.ndarray, first_row: int, rows: np.ndarray | None = None) -> np.ndarray:
    """Row numbers (as the learner sees them) where ``mask`` is true."""
    if rows is not None:
        return np.asarray(rows)[np.flatnonzero(mask)]
    return np.flatnonzero(mask) + first_row


def _positions_rows(
    mask: np.ndarray, first_row: int, rows: np.ndarray | None
) -> list[tuple[int, int]]:
    """(position, row number) pairs where ``mask`` is true."""
    positions = np.flatnonzero(mask)
    numbers = np.asarray(rows)[positions] if rows is not None else positions + first_row
    return list(zip(positions.tolist(), numbers.tolist(), strict=True))


def as_numbers(
    values: Sequence[object] | pd.Series | np.ndarray,
    column: str,
    *,
    first_row: int = 1,
    unit: str = "point",
    allow_missing: bool = True,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, list[Problem]]:
    """Convert a column to float, reporting text that is not a number.

    Blank cells and ``None``/``NaN`` become ``NaN`` (a missing value, kept in place);
    they are a problem only when ``allow_missing`` is false. Numbers written with
    thousands separators ("1,024") or surrounding spaces are read as numbers; anything
    else that is not a number ("n/a", "12 falls", "TBC", a date) is a problem naming
    its row.
    """
    series = pd.Series(values, copy=False) if not isinstance(values, pd.Series) else values
    if pd.api.types.is_bool_dtype(series.dtype):
        series = series.astype(float)
    if pd.api.types.is_numeric_dtype(series.dtype):
        # a copy: pandas may hand back a read-only view of the caller's data
        numbers = np.array(series.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        bad = np.zeros(len(numbers), dtype=bool)
    else:
        if series.dtype == object:
            # True/False (e.g. from an Excel cell) are not counts: make them text so
            # they are reported rather than read as 1/0.
            is_bool = series.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(bool)
            if is_bool.any():
                series = series.where(~is_bool, series.astype(str))
        text = series.astype("string").str.strip()
        blank = (text.isna() | (text == "")).to_numpy(dtype=bool)
        cleaned = text.str.replace(r"(?<=\d),(?=\d{3}(\D|$))", "", regex=True)
        parsed = pd.to_numeric(cleaned.where(~blank), errors="coerce")
        numbers = np.array(pd.Series(parsed).to_numpy(dtype=float, na_value=np.nan),
                           dtype=float)
        bad = np.isnan(numbers) & ~blank
    problems = [
        Problem(
            row, column, "this is not a number",
            "type a number here, or leave the cell blank if the value is missing"
            if allow_missing else "type the number here (digits only, no words or units)",
            value=str(series.iloc[pos]), unit=unit,
        )
        for pos, row in _positions_rows(bad, first_row, rows)
    ]
    numbers[bad] = np.nan
    infinite = np.isinf(numbers)
    problems += [
        Problem(int(row), column, "this number is infinite", "type a finite number",
                unit=unit)
        for row in _rows(infinite, first_row, rows)
    ]
    numbers[infinite] = np.nan
    if not allow_missing:
        missing = np.isnan(numbers) & ~bad & ~infinite
        problems += [
            Problem(int(row), column, "the cell is blank",
                    "fill in the value; a chart needs a value for every period, so if it "
                    "was not recorded, find it in the source system",
                    unit=unit)
            for row in _rows(missing, first_row, rows)
        ]
    return numbers, problems


def check_counts(
    counts: np.ndarray,
    column: str,
    *,
    first_row: int = 1,
    unit: str = "point",
    rows: np.ndarray | None = None,
) -> list[Problem]:
    """Counts must be whole numbers of zero or more (missing values are allowed)."""
    counts = np.asarray(counts, dtype=float)
    negative = counts < 0
    fractional = ~negative & ~np.isnan(counts) & (np.mod(np.nan_to_num(counts), 1) != 0)
    return [
        Problem(row, column, "a count cannot be negative",
                "check the value; a count of events is 0 or more",
                value=_fmt(counts, pos), unit=unit)
        for pos, row in _positions_rows(negative, first_row, rows)
    ] + [
        Problem(row, column, "a count must be a whole number",
                "check the value; counts of events or patients have no decimals",
                value=_fmt(counts, pos), unit=unit)
        for pos, row in _positions_rows(fractional, first_row, rows)
    ]


def check_non_negative(
    values: np.ndarray,
    column: str,
    *,
    first_row: int = 1,
    unit: str = "point",
    rows: np.ndarray | None = None,
) -> list[Problem]:
    """Measurements such as minutes or days between events cannot be below zero."""
    values = np.asarray(values, dtype=float)
    return [
        Problem(row, column, "this cannot be negative",
                "check the value; a time or an amount is 0 or more",
                value=_fmt(values, pos), unit=unit)
        for pos, row in _positions_rows(values < 0, first_row, rows)
    ]


def check_denominators(
    denominators: np.ndarray,
    column: str,
    *,
    first_row: int = 1,
    unit: str = "point",
    rows: np.ndarray | None = None,
) -> list[Problem]:
    """Denominators (patients, bed days, doses) must be above zero."""
    denominators = np.asarray(denominators, dtype=float)
    bad = denominators <= 0
    return [
        Problem(row, column, "the denominator must be more than zero",
                "a rate needs something to divide by: check the value in the source "
                "system (a 0 often means it was never filled in)",
                value=_fmt(denominators, pos), unit=unit)
        for pos, row in _positions_rows(bad, first_row, rows)
    ]


def check_proportions(
    numerators: np.ndarray,
    denominators: np.ndarray,
    numerator_column: str,
    denominator_column: str,
    *,
    first_row: int = 1,
    unit: str = "point",
    rows: np.ndarray | None = None,
) -> list[Problem]:
    """For a proportion, the numerator cannot exceed its denominator."""
    numerators = np.asarray(numerators, dtype=float)
    bad = numerators > np.asarray(denominators, dtype=float)
    return [
        Problem(row, numerator_column,
                f"this is more than '{denominator_column}' on the same row",
                f"a proportion counts part of '{denominator_column}'; check both values",
                value=_fmt(numerators, pos), unit=unit)
        for pos, row in _positions_rows(bad, first_row, rows)
    ]


def _fmt(values: np.ndarray, position: int) -> str:
    return f"{float(values[position]):g}"


# --------------------------------------------------------------------------- dates

_TIME = r"(?:[ T]+(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:\.\d+)?)?Z?)?"
#: 01/02/2024, 1-2-24, 01.02.2024 (day and month order decided by the caller)
_NUMERIC = r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})" + _TIME + r"$"
#: 2024-02-01, 2024/2/1, 2024-02
_ISO = r"^(?P<y>\d{4})[/.\-](?P<m>\d{1,2})(?:[/.\-](?P<d>\d{1,2}))?" + _TIME + r"$"
#: 1 Feb 2024, 01-Feb-24, Feb 2024, February 2024, Jan-24, 1st February 2024
_NAMED = (
    r"^(?:(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s\-/]*)?(?P<mon>[A-Za-z]{3,9})\.?[\s\-/,]+"
    r"(?P<y>\d{4}|\d{2})" + _TIME + r"$"
)
_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in {
        _dt.date(2000, number, 1).strftime("%B").lower(),
        _dt.date(2000, number, 1).strftime("%b").lower(),
        _dt.date(2000, number, 1).strftime("%B").lower()[:4],  # "sept", "june", "july"
    }
}

#: Dates outside these years are almost certainly typing slips.
_EARLIEST_YEAR, _LATEST_YEAR = 1900, 2100


def _year(text: pd.Series) -> pd.Series:
    """Four-digit years from two- or four-digit text (24 → 2024, 85 → 1985)."""
    number = pd.to_numeric(text, errors="coerce").astype(float)
    two_digit = (text.astype("string").str.len() == 2).fillna(False).astype(bool)
    century = np.where(number < 70, 2000, 1900)
    return number.where(~two_digit, number + century)


def _float(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _assemble(year: pd.Series, month: pd.Series, day: pd.Series, parts: pd.DataFrame
              ) -> np.ndarray:
    """Build datetimes from parts with numpy; impossible dates (31 February) become NaT."""
    y, m, d = _float(year), _float(month), _float(day)
    hh, mi, ss = (np.nan_to_num(_float(parts[k])) for k in ("hh", "mi", "ss"))
    with np.errstate(invalid="ignore"):
        ok = ((y >= _EARLIEST_YEAR) & (y <= _LATEST_YEAR) & (m >= 1) & (m <= 12) & (d >= 1)
              & (hh <= 23) & (mi <= 59) & (ss <= 59)
              & (np.mod(np.nan_to_num(y), 1) == 0) & (np.mod(np.nan_to_num(m), 1) == 0)
              & (np.mod(np.nan_to_num(d), 1) == 0))
    result = np.full(len(y), np.datetime64("NaT"), dtype="datetime64[us]")
    if not ok.any():
        return result
    months = ((y[ok] - 1970) * 12 + (m[ok] - 1)).astype(np.int64)
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    days_in_month = ((months + 1).astype("datetime64[M]").astype("datetime64[D]") - first
                     ).astype(np.int64)
    valid = d[ok] <= days_in_month
    seconds = (hh[ok] * 3600 + mi[ok] * 60 + ss[ok]).astype(np.int64)
    stamps = (first + (d[ok].astype(np.int64) - 1)).astype("datetime64[us]") + \
        seconds.astype("timedelta64[s]")
    stamps[~valid] = np.datetime64("NaT")
    result[ok] = stamps
    return result


def _parse_text_dates(text: pd.Series, dayfirst: bool) -> tuple[pd.Series, pd.Series]:
    """Parse stripped text; return (dates, is_numeric_form).

    Each form is tried only on the cells no earlier form matched, so a column written
    one way costs one pass.
    """
    dates = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[us]")
    is_numeric = np.zeros(len(text), dtype=bool)
    left = (text != "").to_numpy(bool)
    for form in ("numeric", "iso", "named"):
        if not left.any():
            break
        subset = text[left]
        where = np.flatnonzero(left)
        if form == "numeric":
            parts = subset.str.extract(_NUMERIC)
            found = parts["a"].notna().to_numpy(bool)
            day, month = (parts["a"], parts["b"]) if dayfirst else (parts["b"], parts["a"])
            built = _assemble(_year(parts["y"]), month, day, parts)
            is_numeric[where[found]] = True
        elif form == "iso":
            parts = subset.str.extract(_ISO)
            found = parts["y"].notna().to_numpy(bool)
            built = _assemble(parts["y"], parts["m"], parts["d"].fillna("1"), parts)
        else:
            parts = subset.str.extract(_NAMED)
            month = parts["mon"].str.lower().map(_MONTHS)
            found = (parts["mon"].notna() & month.notna()).to_numpy(bool)
            built = _assemble(_year(parts["y"]), month, parts["d"].fillna("1"), parts)
        dates[where[found]] = built[found]
        left[where[found]] = False
    return (pd.Series(dates, index=text.index),
            pd.Series(is_numeric, index=text.index))


def _split_cells(values: Sequence[object] | pd.Series | np.ndarray) -> tuple[
    pd.Series, pd.Series, pd.Series, pd.Series
]:
    """Split raw cells into (original, text, real-date cells as datetimes, number cells)."""
    series = pd.Series(values, copy=False) if not isinstance(values, pd.Series) else values
    series = series.reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        real = series.astype("datetime64[us]")
        return series, pd.Series(pd.NA, index=series.index, dtype="string"), real, ~series.isna()
    if series.dtype == object:
        is_date = series.map(
            lambda v: isinstance(v, _dt.date | pd.Timestamp | np.datetime64)
            and not pd.isna(v)
        ).to_numpy(bool)
    else:
        is_date = np.zeros(len(series), dtype=bool)
    real = pd.Series(pd.NaT, index=series.index, dtype="datetime64[us]")
    if is_date.any():
        converted = pd.to_datetime(series[is_date].map(_as_timestamp), errors="coerce")
        real[is_date] = converted.astype("datetime64[us]")
    text = series.where(~is_date).astype("string").str.strip()
    return series, text, real, pd.Series(is_date, index=series.index)


def _as_timestamp(value: object) -> object:
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return _dt.datetime(value.year, value.month, value.day)
    return value


def as_dates(
    values: Sequence[object] | pd.Series | np.ndarray,
    column: str,
    *,
    first_row: int = 1,
    unit: str = "point",
    dayfirst: bool = True,
    allow_missing: bool = False,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, list[Problem]]:
    """Convert a column to ``datetime64[us]``, reporting anything that is not a date.

    Numeric dates such as ``01/02/2024`` are read day first (1 February 2024) unless
    ``dayfirst`` is false. A blank cell is ``NaT`` and a problem unless
    ``allow_missing``; text that is not a date, an impossible date (31/02/2024) and a
    year before 1900 or after 2100 are always problems.
    """
    original, text, real, is_date = _split_cells(values)
    parsed, _ = _parse_text_dates(text.fillna(""), dayfirst)
    dates = real.where(is_date.to_numpy(bool), parsed)
    blank = (~is_date & (text.isna() | (text == ""))).to_numpy(bool)
    real_bad = is_date.to_numpy(bool) & (
        real.isna().to_numpy(bool)
        | ~real.dt.year.between(_EARLIEST_YEAR, _LATEST_YEAR).to_numpy(bool)
    )
    bad = (dates.isna().to_numpy(bool) & ~blank) | real_bad
    problems = [
        Problem(row, column, "this is not a date we can read",
                "write the date as day/month/year, e.g. 31/01/2024, and check that the day "
                "exists and the year is right",
                value=str(original.iloc[pos]), unit=unit)
        for pos, row in _positions_rows(bad, first_row, rows)
    ]
    if not allow_missing:
        problems += [
            Problem(row, column, "the date is blank",
                    "type the date of this period, or delete the row if it is not data",
                    unit=unit)
            for row in _rows(blank, first_row, rows)
        ]
    result = dates.to_numpy(dtype="datetime64[us]").copy()
    result[bad] = np.datetime64("NaT")
    return result, problems


def other_day_order(
    values: Sequence[object] | pd.Series | np.ndarray, *, dayfirst: bool = True
) -> np.ndarray | None:
    """The other reading of a date column, if it could genuinely be read either way.

    Returns the dates read with the day and month swapped when every written date in
    the column is numeric (like ``03/04/2024``), every one would also be a valid date
    the other way round, and at least one would change. Otherwise returns ``None``:
    the column's meaning is settled by its own values (``13/04/2024`` can only be day
    first; ``2024-04-03`` and Excel date cells are never ambiguous).
    """
    _, text, _, is_date = _split_cells(values)
    text = text.fillna("")
    written = (text != "").to_numpy(bool) & ~is_date.to_numpy(bool)
    if not written.any() or is_date.any():
        return None
    this_way, numeric = _parse_text_dates(text, dayfirst)
    other_way, _ = _parse_text_dates(text, not dayfirst)
    numeric = numeric.to_numpy(bool)
    if not numeric[written].all():
        return None
    if this_way[written].isna().any() or other_way[written].isna().any():
        return None
    if (this_way[written] == other_way[written]).all():
        return None
    return other_way.to_numpy(dtype="datetime64[us]")


# --------------------------------------------------------------------------- periods


def _period_keys(dates: np.ndarray, frequency: str | None, origin: np.datetime64 | None = None
                 ) -> np.ndarray:
    """An integer per date: equal for dates in the same period, consecutive periods differ by 1.

    With no frequency the key is the exact date (in seconds), so only identical dates
    count as duplicates.
    """
    stamps = pd.DatetimeIndex(dates)
    if frequency == "daily":
        return (dates.astype("datetime64[D]").astype("int64")).astype(np.int64)
    if frequency == "weekly":
        days = dates.astype("datetime64[D]").astype("int64")
        start = days.min() if origin is None else origin.astype("datetime64[D]").astype("int64")
        return np.floor_divide(days - start, 7).astype(np.int64)
    if frequency == "monthly":
        return (stamps.year * 12 + stamps.month - 1).to_numpy(np.int64)
    if frequency == "quarterly":
        return (stamps.year * 4 + (stamps.month - 1) // 3).to_numpy(np.int64)
    if frequency == "yearly":
        return stamps.year.to_numpy(np.int64)
    return dates.astype("datetime64[s]").astype("int64")


def period_label(date: np.datetime64 | pd.Timestamp, frequency: str | None) -> str:
    """A period as a learner would name it: 'March 2024', 'week of 4 March 2024', 'Q1 2024'."""
    stamp = pd.Timestamp(date)
    if frequency == "monthly":
        return stamp.strftime("%B %Y")
    if frequency == "quarterly":
        return f"Q{(stamp.month - 1) // 3 + 1} {stamp.year}"
    if frequency == "yearly":
        return str(stamp.year)
    if frequency == "weekly":
        return f"the week of {stamp.day} {stamp.strftime('%B %Y')}"
    if stamp.hour or stamp.minute or stamp.second:
        return f"{stamp.day} {stamp.strftime('%B %Y %H:%M')}"
    return f"{stamp.day} {stamp.strftime('%B %Y')}"


def infer_frequency(
    dates: np.ndarray, groups: np.ndarray | None = None
) -> str | None:
    """How often the dates come: 'daily', 'weekly', 'monthly', 'quarterly', 'yearly' or None.

    Tries each frequency from the coarsest (yearly) to the finest (daily) and takes the
    first under which, within each group, at most a fifth of the dates share a period
    with another and at least 60% of the steps between periods are one period long. So
    a few missing or duplicated periods, or monthly dates typed on different days of
    the month, do not change the answer. ``None`` means the dates are not evenly spaced
    (for example the dates of events) or there are fewer than two.
    """
    dates = np.asarray(dates, dtype="datetime64[us]")
    keep = ~np.isnat(dates)
    if keep.sum() < 2:
        return None
    kept = dates[keep]
    codes = (
        pd.factorize(pd.Series(np.asarray(groups, dtype=object)[keep]),
                     use_na_sentinel=False)[0]
        if groups is not None else np.zeros(len(kept), dtype=np.int64)
    )
    for frequency in reversed(FREQUENCIES):
        frame = pd.DataFrame({"g": codes, "key": _period_keys(kept, frequency)})
        unique = frame.drop_duplicates().sort_values(["g", "key"])
        shared = 1 - len(unique) / len(frame)
        steps = unique.groupby("g")["key"].diff().dropna()
        if len(steps) and shared <= 0.2 and float((steps == 1).mean()) >= 0.6:
            return frequency
    return None


def check_periods(
    dates: np.ndarray,
    column: str,
    *,
    frequency: str | None,
    groups: np.ndarray | None = None,
    group_column: str | None = None,
    check_gaps: bool = True,
    first_row: int = 1,
    unit: str = "point",
    rows: np.ndarray | None = None,
) -> list[Problem]:
    """Duplicated periods and gaps in a regular series (within each group).

    Two dates in the same period (for a monthly series, the same month) are a
    duplicate: the later row is reported with the row it repeats. A missing period
    between the first and last date of a group is a gap, reported at the row that
    follows it. ``NaT`` dates are ignored here (:func:`as_dates` reports them). With
    no ``frequency`` only identical dates are duplicates and gaps are not checked.
    """
    dates = np.asarray(dates, dtype="datetime64[us]")
    n = len(dates)
    row_numbers = np.asarray(rows) if rows is not None else np.arange(n) + first_row
    keep = ~np.isnat(dates)
    if not keep.any():
        return []
    group_values = (
        np.asarray(groups, dtype=object) if groups is not None else np.full(n, None, dtype=object)
    )
    codes = pd.factorize(pd.Series(group_values), use_na_sentinel=False)[0]
    keys = np.zeros(n, dtype=np.int64)
    keys[keep] = _period_keys(dates[keep], frequency)
    frame = pd.DataFrame(
        {"g": codes, "key": keys, "row": row_numbers, "pos": np.arange(n)}
    )[keep]
    frame = frame.sort_values(["g", "key", "row"], kind="stable")
    noun = _PERIOD_NOUN.get(frequency or "", "date")
    problems: list[Problem] = []

    first_of_period = frame.groupby(["g", "key"])["row"].transform("first")
    duplicate = frame["row"] != first_of_period
    for pos, row, first in zip(
        frame["pos"][duplicate], frame["row"][duplicate], first_of_period[duplicate], strict=True
    ):
        label = period_label(dates[pos], frequency)
        where = _group_words(group_values[pos], group_column)
        problems.append(
            Problem(int(row), column,
                    f"this {noun} ({label}){where} is already in {unit} {int(first)}",
                    f"keep one row per {noun}: delete one of the two rows, or correct "
                    "the date if it was mistyped",
                    unit=unit)
        )

    if check_gaps and frequency in FREQUENCIES:
        periods = frame.drop_duplicates(["g", "key"])
        step = periods.groupby("g")["key"].diff()
        gap = (step > 1).to_numpy(bool)
        previous_pos = periods["pos"].shift(1)
        for pos, row, before, missing in zip(
            periods["pos"][gap], periods["row"][gap], previous_pos[gap], step[gap] - 1,
            strict=True,
        ):
            first_missing = _next_period(dates[int(before)], frequency, 1)
            last_missing = _next_period(dates[int(before)], frequency, int(missing))
            count = int(missing)
            if count == 1:
                span = period_label(first_missing, frequency)
                what = f"there is no row for {span} before this one"
            else:
                span = (f"{period_label(first_missing, frequency)} to "
                        f"{period_label(last_missing, frequency)}")
                what = f"{count} {noun}s ({span}) are missing before this row"
            where = _group_words(group_values[pos], group_column)
            problems.append(
                Problem(int(row), column, f"{what}{where} (the series is {frequency})",
                        f"add a row for each missing {noun} with its value, or check the "
                        "dates on either side of the gap",
                        unit=unit)
            )
    return sorted(problems, key=lambda p: (p.row or 0))


def _group_words(group: object, group_column: str | None) -> str:
    if group_column is None or group is None or (isinstance(group, float) and np.isnan(group)):
        return ""
    return f" for {group_column} '{group}'"


def _next_period(date: np.datetime64, frequency: str, steps: int) -> pd.Timestamp:
    stamp = pd.Timestamp(date)
    if frequency == "daily":
        return stamp + pd.Timedelta(days=steps)
    if frequency == "weekly":
        return stamp + pd.Timedelta(weeks=steps)
    if frequency == "monthly":
        return stamp + pd.DateOffset(months=steps)
    if frequency == "quarterly":
        return stamp + pd.DateOffset(months=3 * steps)
    return stamp + pd.DateOffset(years=steps)


def check_columns(data: pd.DataFrame, names: Sequence[object]) -> list[Problem]:
    """Each name in ``names`` (``None`` skipped) that is not a column of ``data``.

    The fix lists the table's columns and, where one is close, suggests it ("Did you
    mean 'Bed days'?"), so a typing slip is a one-step repair.
    """
    import difflib

    columns = [str(c) for c in data.columns]
    problems = []
    for name in names:
        if name is None or name in data.columns:
            continue
        close = difflib.get_close_matches(str(name), columns, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        problems.append(Problem(None, str(name), "this column is not in the table",
                                f"{hint}check the spelling; the columns are "
                                + ", ".join(f"'{c}'" for c in columns)))
    return problems
