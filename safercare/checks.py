"""Shared, vectorised checks that turn raw columns into numbers or plain-English problems.

Both :mod:`safercare.data` (files) and the analyses (:mod:`safercare.spc`,
:mod:`safercare.funnel`, for data passed in memory) use these, so a blank cell, a word
in a number column or a zero denominator is described the same way everywhere.

Each check returns the cleaned values and a list of :class:`~safercare.errors.Problem`;
callers collect problems from several checks and raise one
:class:`~safercare.errors.DataError`.

``first_row`` is the row number of the first value as the learner sees it: 2 for a
file with a header row (Excel's numbering), 1 for in-memory data (``unit="point"``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from safercare.errors import Problem

__all__ = ["as_numbers", "check_counts", "check_denominators", "check_proportions"]


def _rows(mask: np.ndarray, first_row: int) -> np.ndarray:
    return np.flatnonzero(mask) + first_row


def as_numbers(
    values: Sequence[object] | pd.Series | np.ndarray,
    column: str,
    *,
    first_row: int = 1,
    unit: str = "point",
    allow_missing: bool = True,
) -> tuple[np.ndarray, list[Problem]]:
    """Convert a column to float, reporting text that is not a number.

    Blank cells and ``None``/``NaN`` become ``NaN`` (a missing value, kept in place);
    they are a problem only when ``allow_missing`` is false. Numbers written with
    thousands separators ("1,024") or surrounding spaces are read as numbers; anything
    else that is not a number ("n/a", "12 falls", "TBC") is a problem naming its row.
    """
    series = pd.Series(values, copy=False) if not isinstance(values, pd.Series) else values
    if pd.api.types.is_bool_dtype(series.dtype):
        series = series.astype(float)
    if pd.api.types.is_numeric_dtype(series.dtype):
        numbers = series.to_numpy(dtype=float, na_value=np.nan)
        bad = np.zeros(len(numbers), dtype=bool)
    else:
        text = series.astype("string").str.strip()
        blank = text.isna() | (text == "")
        cleaned = text.str.replace(r"(?<=\d),(?=\d{3}(\D|$))", "", regex=True)
        parsed = pd.to_numeric(cleaned.where(~blank), errors="coerce")
        numbers = parsed.to_numpy(dtype=float, na_value=np.nan)
        bad = (np.isnan(numbers) & ~blank.to_numpy(dtype=bool)).astype(bool)
    problems = [
        Problem(
            int(row), column, "this is not a number",
            "type a number here, or leave the cell blank if the value is missing",
            value=str(series.iloc[row - first_row]), unit=unit,
        )
        for row in _rows(bad, first_row)
    ]
    numbers[bad] = np.nan
    infinite = np.isinf(numbers)
    problems += [
        Problem(int(row), column, "this number is infinite", "type a finite number",
                unit=unit)
        for row in _rows(infinite, first_row)
    ]
    numbers[infinite] = np.nan
    if not allow_missing:
        missing = np.isnan(numbers) & ~bad & ~infinite
        problems += [
            Problem(int(row), column, "the cell is blank",
                    "fill in the value, or delete the row if the period has no data",
                    unit=unit)
            for row in _rows(missing, first_row)
        ]
    return numbers, problems


def check_counts(
    counts: np.ndarray, column: str, *, first_row: int = 1, unit: str = "point"
) -> list[Problem]:
    """Counts must be whole numbers of zero or more (missing values are allowed)."""
    negative = counts < 0
    fractional = ~negative & (np.mod(counts, 1) != 0) & ~np.isnan(counts)
    return [
        Problem(int(r), column, "a count cannot be negative",
                "check the value; a count of events is 0 or more", value=_fmt(counts, r, first_row),
                unit=unit)
        for r in _rows(negative, first_row)
    ] + [
        Problem(int(r), column, "a count must be a whole number",
                "check the value; counts of events or patients have no decimals",
                value=_fmt(counts, r, first_row), unit=unit)
        for r in _rows(fractional, first_row)
    ]


def check_denominators(
    denominators: np.ndarray, column: str, *, first_row: int = 1, unit: str = "point"
) -> list[Problem]:
    """Denominators (patients, bed days, doses) must be above zero."""
    bad = denominators <= 0
    return [
        Problem(int(r), column, "the denominator must be more than zero",
                "a rate needs something to divide by: check the value, or leave the cell "
                "blank if there was no activity in that period",
                value=_fmt(denominators, r, first_row), unit=unit)
        for r in _rows(bad, first_row)
    ]


def check_proportions(
    numerators: np.ndarray,
    denominators: np.ndarray,
    numerator_column: str,
    denominator_column: str,
    *,
    first_row: int = 1,
    unit: str = "point",
) -> list[Problem]:
    """For a proportion, the numerator cannot exceed its denominator."""
    bad = numerators > denominators
    return [
        Problem(int(r), numerator_column,
                f"this is more than '{denominator_column}' on the same row",
                f"a proportion counts part of '{denominator_column}'; check both values",
                value=_fmt(numerators, r, first_row), unit=unit)
        for r in _rows(bad, first_row)
    ]


def _fmt(values: np.ndarray, row: int, first_row: int) -> str:
    value = float(values[row - first_row])
    return f"{value:g}"
