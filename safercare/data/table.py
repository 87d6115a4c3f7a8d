"""Read a learner's own table and check it for the chart it will feed.

:func:`read_table` is the one path from a learner's CSV or Excel file to a clean
DataFrame. It collects every problem it finds (not just the first) and raises them
together as one :class:`~safercare.errors.DataError`, each naming the Excel row, the
column, what is wrong and what to do. Nothing is dropped or changed in silence: the
few things it does for you (skipping empty rows, sorting rows into date order, reading
Windows text) are listed in the result's ``attrs["notes"]`` and shown as a
:class:`DataNote` warning. The file itself is only ever read.

Decisions (documented so a learner and a trainer can rely on them)
    * Dates are read day first (UK: ``01/02/2024`` is 1 February). When every date in
      the column could be read either way and the file itself does not settle it (the
      day-first reading is not more regular than the month-first one), that is a
      problem until you say which you mean with ``dayfirst=True``/``False`` (or give
      ``frequency=``). Real Excel date cells and ISO dates are never ambiguous.
    * Rows that are out of date order are sorted (within each group) and a note says
      so, naming the first row out of order; the ``row`` column keeps each value's
      original row number.
    * For the charts of a regular series (xmr, run, p, u, c) blank values, duplicated
      periods and missing periods are problems, because runs, trends and limits count
      consecutive periods. The t and g charts are for events, so repeated dates are
      allowed and gaps are not checked.

Helping where the meaning is clear (each is named in a note next to the result)
    * **Decimal commas.** A comma is a decimal mark only in a file whose columns are
      separated by semicolons (the convention wherever the comma is the decimal mark),
      or when you say so with ``decimal=","``. In such a file a number column uses
      decimal commas when one of its values has a comma that can only be a decimal
      mark: followed by one, two or four or more digits (``8,0``, ``12,75``), after a
      leading zero (``0,125``), or after dots that group thousands (``1.234,5``). Then
      ``8,0`` is 8.0 and ``1.234,5`` is 1234.5.
    * **Truly ambiguous numbers are a problem until you say.** In a semicolon file
      ``1,234`` (one comma, exactly three digits after it) could be 1.234 or 1234, and
      so could ``1.234`` in a column that uses decimal commas. Each is reported, row by
      row, until you pass ``decimal=","`` (commas are decimal marks, dots group
      thousands) or ``decimal="."`` (the reverse, the usual UK reading).
    * **Percentages.** In a value column, ``90%`` is read as 90 (the chart is then in
      percent). When some values carry a % sign and others do not, a value without one
      between 0 and 1 (``0.9``) could be 0.9% or 90%, so it is a problem; a bigger one
      (``93``) is read as 93. A numerator or denominator must be a count, so a
      percentage there is a problem that says so.
    * **Excel serial dates.** A number from 20,000 to 73,050 in a date column is a date
      as Excel stores it (days since 30 December 1899: 45292 is 1 January 2024), for
      example a date column exported as numbers; it is read as that date.
    * **Period numbers.** A date column whose every value is a whole number below
      20,000 (1, 2, 3 …, week or period numbers) is read as numbered periods: the
      ``date`` column holds the numbers, rows are put in order, and for a regular series
      repeated and missing period numbers are problems.
"""

from __future__ import annotations

import difflib
import re
import warnings

import numpy as np
import pandas as pd

from safercare import checks
from safercare.data.reading import Grid, Source, _heading, _is_blank, _letter, read_grid
from safercare.errors import DataError, Problem

__all__ = ["CHARTS", "DataNote", "read_table", "table_headings"]

#: The charts :func:`read_table` can check data for.
CHARTS = ("xmr", "run", "p", "u", "c", "g", "t")
#: Charts of a regular series (one value per period).
REGULAR = ("xmr", "run", "p", "u", "c")

_CHART_NAMES = {
    "xmr": "an XmR chart", "run": "a run chart", "p": "a p chart", "u": "a u chart",
    "c": "a c chart", "g": "a g chart", "t": "a t chart",
}
_ROLE_HELP = {
    "value": "the column of numbers to chart",
    "numerator": "the column that counts the events or patients with the outcome",
    "denominator": "the column that counts everyone (or the bed days, doses…) it is out of",
    "date": "the column of dates (one per event)",
}
_NEEDS = {
    "xmr": ("value",), "run": ("value",), "c": ("value",), "g": ("value",),
    "p": ("numerator", "denominator"), "u": ("numerator", "denominator"), "t": ("date",),
}
_ROLES = ("date", "value", "numerator", "denominator", "group")
_HEADER_SEARCH_ROWS = 30
#: Excel serial day numbers read as dates in a date column (4 October 1954 to 31
#: December 2099); whole numbers below the first are period numbers.
SERIAL_DATES = (20_000, 73_050)
_EXCEL_DAY_ZERO = np.datetime64("1899-12-30")
_SIGN = r"[+-]?"
#: Commas that can only be decimal marks: 8,0 · 12,75 · 3,1416 · 0,125 · ,5 · 1.234,5
_DECIMAL_ONLY = re.compile(_SIGN + r"(?:\d+,\d{1,2}|\d+,\d{4,}|0,\d+|,\d+|\d{1,3}(?:\.\d{3})+,\d+)")
#: One comma or dot with exactly three digits after it: 1,234 or 1.234 (two readings).
_AMBIGUOUS_COMMA = re.compile(_SIGN + r"[1-9]\d{0,2},\d{3}")
_AMBIGUOUS_DOT = re.compile(_SIGN + r"[1-9]\d{0,2}\.\d{3}")
#: A number written in the decimal-comma way (dots may group thousands).
_COMMA_NUMBER = re.compile(_SIGN + r"(?:\d{1,3}(?:\.\d{3})+|\d*)(?:,\d+)?")
_PERCENT = re.compile(r"(" + _SIGN + r"[\d.,]*\d)\s*%")


class DataNote(UserWarning):
    """Something the learner should know about how their file was read (not an error)."""


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


def _looks_like_data(cells: pd.Series) -> bool:
    """True when every filled cell of a row is a number or a date (so it is not headings)."""
    filled = pd.Series([c for c in cells if _heading(c) != ""], dtype=object)
    if filled.empty:
        return False
    numbers, _ = checks.as_numbers(filled, "h")
    dates, _ = checks.as_dates(filled, "h")
    return bool((~np.isnan(numbers) | ~np.isnat(dates)).all())


def _header_row_guess(cells: pd.DataFrame) -> int | None:
    """The row that looks like the headings when row 1 does not (titles above a table)."""
    top = cells.iloc[:_HEADER_SEARCH_ROWS]
    filled = (~_is_blank(top)).sum(axis=1)
    widest = filled.max()
    if filled[0] >= widest or widest < 2:
        return None
    for position in range(1, len(top)):
        if filled[position] == widest and not any(
            not isinstance(c, str) or _looks_like_data(pd.Series([c], dtype=object))
            for c in top.iloc[position] if _heading(c) != ""
        ):
            return int(top.index[position])
    return None


def _check_headings_in_row_1(grid: Grid) -> None:
    """Raise a :class:`DataError` when the headings seem to sit below row 1."""
    guess = _header_row_guess(grid.cells)
    if guess is not None:
        raise DataError(Problem(guess, None,
                                f"the column headings seem to be in row {guess}, not row 1",
                                "delete the rows above the headings (titles, notes or blank "
                                "rows) so the headings are in row 1"), source=grid.source)


def _find_columns(grid: Grid, names: dict[str, str]) -> tuple[dict[str, int], list[Problem]]:
    """Match the chosen headings to columns of row 1; explain any that do not match."""
    headings = [_heading(c) for c in grid.cells.iloc[0]]
    found: dict[str, int] = {}
    problems: list[Problem] = []
    missing: list[str] = []
    for role, name in names.items():
        exact = [i for i, h in enumerate(headings) if h == name.strip()]
        loose = [i for i, h in enumerate(headings) if _norm(h) == _norm(name)]
        matches = exact or loose
        if len(matches) == 1:
            found[role] = matches[0]
        elif len(matches) > 1:
            letters = ", ".join(_letter(i) for i in matches)
            problems.append(Problem(1, name, f"more than one column has this heading "
                                    f"(columns {letters})",
                                    "give each column a different heading"))
        else:
            missing.append(role)
    if not missing:
        return found, problems
    # Are the headings further down (a title or notes above the table)?
    wanted = [_norm(names[r]) for r in names]
    for row in grid.cells.index[1:_HEADER_SEARCH_ROWS]:
        row_headings = {_norm(_heading(c)) for c in grid.cells.loc[row]}
        if all(w in row_headings for w in wanted):
            problems.append(Problem(
                row, None,
                f"the column headings seem to be in row {row}, not row 1",
                f"delete the rows above the headings (titles, notes or blank rows) so the "
                f"headings are in row 1; nothing above row {row} will be read"))
            return found, problems
    if _looks_like_data(grid.cells.iloc[0]):
        problems.append(Problem(1, None, "row 1 holds numbers or dates, not column headings",
                                "insert a row at the top and type a heading for each "
                                "column, e.g. 'Month' and 'Falls'"))
        return found, problems
    if len(grid.sheets) > 1:
        others = ", ".join(f"'{n}'" for n in grid.sheets if n != grid.sheet)
        problems.append(Problem(None, None, f"the headings were looked for on the sheet "
                                f"'{grid.sheet}' (the workbook has {len(grid.sheets)} sheets)",
                                f"if your data is on another sheet ({others}), choose it with "
                                "sheet="))
    shown = [h for h in headings if h]
    lookup = {_norm(h): h for h in shown}
    for role in missing:
        name = names[role]
        close = difflib.get_close_matches(_norm(name), list(lookup), n=1, cutoff=0.5)
        quoted = [f"'{h}'" for h in shown[:12]]
        listing = (quoted[0] if len(quoted) == 1 else
                   ", ".join(quoted[:-1]) + f" and {quoted[-1]}") if quoted else ""
        listing += " …" if len(shown) > 12 else ""
        hint = f"did you mean '{lookup[close[0]]}'? " if close else ""
        problems.append(Problem(
            1, name, "there is no column with this heading",
            f"{hint}The headings in row 1 are {listing}" if shown
            else "row 1 has no headings: type a heading above each column"))
    return found, problems


def table_headings(source: Source, *, sheet: str | int | None = None,
                   name: str | None = None) -> list[str]:
    """The column headings in row 1 of a file, for choosing columns (e.g. in a widget).

    Raises :class:`~safercare.errors.DataError` if the file cannot be read as a table
    or its headings are not in row 1.
    """
    grid = read_grid(source, sheet=sheet, name=name)
    _check_headings_in_row_1(grid)
    return [h for h in (_heading(c) for c in grid.cells.iloc[0]) if h]


def _score(dates: np.ndarray, groups: np.ndarray | None, frequency: str | None,
           regular: bool) -> tuple[int, ...]:
    """How well a reading of the dates fits a series (lower is better), for day/month order."""
    unsorted = int(not _is_sorted(dates, groups))
    if not regular:
        return (unsorted,)
    freq = frequency or checks.infer_frequency(dates, groups)
    issues = checks.check_periods(dates, "d", frequency=freq, groups=groups)
    return (unsorted, int(freq is None), len(issues))


def _order(dates: np.ndarray, groups: np.ndarray | None) -> np.ndarray:
    """Stable order: groups in order of first appearance, dates ascending within each."""
    codes = (pd.factorize(pd.Series(groups, dtype=object), use_na_sentinel=False)[0]
             if groups is not None else np.zeros(len(dates), dtype=np.int64))
    as_int = (dates.astype("datetime64[us]").astype("int64") if dates.dtype.kind == "M"
              else dates)
    frame = pd.DataFrame({"g": codes, "d": as_int})
    return frame.sort_values(["g", "d"], kind="stable").index.to_numpy()


def _is_sorted(dates: np.ndarray, groups: np.ndarray | None) -> bool:
    order = _order(dates, groups)
    return bool(np.all(order == np.arange(len(order))))


def _argument_checks(chart: str | None, frequency: str | None, dayfirst: bool | None) -> None:
    if chart is not None and chart not in CHARTS:
        raise ValueError(f"chart must be one of {', '.join(CHARTS)} (or None), not {chart!r}")
    if frequency is not None and frequency not in checks.FREQUENCIES:
        raise ValueError(f"frequency must be one of {', '.join(checks.FREQUENCIES)} "
                         f"(or None to work it out), not {frequency!r}")
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise ValueError("dayfirst must be True (UK dates), False (US dates) or None")


def _needed(chart: str | None, names: dict[str, str], source: str) -> None:
    if chart is None:
        return
    missing = [role for role in _NEEDS[chart] if role not in names]
    if missing:
        raise DataError(
            [Problem(None, None, f"{_CHART_NAMES[chart]} needs a {role} column",
                     f"choose {_ROLE_HELP[role]}") for role in missing],
            source=source)


def read_table(
    path_or_buffer: Source,
    *,
    sheet: str | int | None = None,
    date: str | None = None,
    value: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    by: str | None = None,
    chart: str | None = None,
    dayfirst: bool | None = None,
    frequency: str | None = None,
    decimal: str | None = None,
    name: str | None = None,
) -> pd.DataFrame:
    """Read your own CSV or Excel table and check it for the chart it will feed.

    Args:
        path_or_buffer: a path, the file's bytes, or an open file (.csv or .xlsx).
        sheet: the Excel sheet, by name or number from 0 (default: the first).
        date, value, numerator, denominator, by: the headings (in row 1) of the
            columns to use. ``by`` splits the table into groups, e.g. one per ward.
        chart: one of ``xmr``, ``run``, ``p``, ``u``, ``c``, ``g``, ``t``: check the
            data for that chart (e.g. a p chart needs a numerator no bigger than its
            denominator). ``None`` only checks that numbers and dates can be read.
        dayfirst: ``None`` (default) reads dates day first (UK) but reports a column
            that could genuinely be read either way; ``True``/``False`` says which.
        frequency: ``daily``, ``weekly``, ``monthly``, ``quarterly`` or ``yearly``;
            ``None`` works it out from the dates.
        decimal: the decimal mark in number columns: ``"."`` (commas group thousands,
            as in the UK), ``","`` (commas are decimal marks and dots group thousands),
            or ``None`` (default) to work it out, reporting numbers that could be read
            either way (see the module's decisions).
        name: the file's name for messages (useful when passing bytes).

    Returns:
        A DataFrame with a ``row`` column (the Excel row each value came from) and one
        plainly named column per chosen role: ``group``, ``date`` (datetime, or whole
        numbers when the column holds period numbers 1, 2, 3 …),
        ``value``, ``numerator``, ``denominator`` (floats; blank cells, allowed only
        when ``chart`` is None, are NaN). With no columns chosen, every column is
        returned as text. ``attrs`` holds ``columns`` (role → your heading),
        ``notes``, ``frequency`` and ``source``.

    Raises:
        DataError: listing every problem found, each with its row, column, what is
            wrong and what to do.
        ValueError: for an unknown ``chart`` or ``frequency`` (a mistake in the call,
            not the data).
    """
    _argument_checks(chart, frequency, dayfirst)
    if decimal not in (None, ".", ","):
        raise ValueError(f"decimal must be '.', ',' or None, not {decimal!r}")
    grid = read_grid(path_or_buffer, sheet=sheet, name=name)
    names = {role: heading for role, heading in zip(
        _ROLES, (date, value, numerator, denominator, by), strict=True) if heading is not None}
    names = {role: str(heading) for role, heading in names.items()}
    _needed(chart, names, grid.source)
    if not names:
        return _whole_table(grid)
    columns, problems = _find_columns(grid, names)
    if problems:
        raise DataError(problems, source=grid.source)

    notes = list(grid.notes)
    body = grid.cells.iloc[1:, sorted(set(columns.values()))]
    everything_blank = _is_blank(grid.cells.iloc[1:]).all(axis=1)
    empty_rows = body.index[everything_blank]
    if len(empty_rows):
        listing = ", ".join(str(r) for r in empty_rows[:10]) + (" …" if len(empty_rows) > 10
                                                                else "")
        notes.append(f"Empty rows were skipped: row{'s' if len(empty_rows) > 1 else ''} "
                     f"{listing}.")
    body = body[~everything_blank]
    if body.empty:
        raise DataError(Problem(None, None, "the table has headings but no rows of data",
                                "add your data under the headings in row 1"),
                        source=grid.source)
    rows = body.index.to_numpy(dtype=np.int64)
    kw = {"rows": rows, "unit": "row"}
    out: dict[str, object] = {"row": rows}
    groups: np.ndarray | None = None
    if "group" in names:
        cells = body[columns["group"]]
        labels = cells.map(_heading)
        blank = (labels == "").to_numpy(bool)
        problems += [Problem(int(r), names["group"], "the group is blank",
                             "type which group (e.g. which ward) this row belongs to")
                     for r in rows[blank]]
        groups = labels.to_numpy(dtype=object)
        out["group"] = pd.array(labels.where(~blank, None), dtype="string")
    for role in ("value", "numerator", "denominator"):
        if role in names:
            numbers, found, note = _numbers(body[columns[role]].reset_index(drop=True),
                                            names[role], role, chart, decimal,
                                            grid.delimiter == ";", kw)
            problems += found
            notes += [note] if note else []
            out[role] = numbers
    problems += _chart_checks(chart, names, out, kw)

    frequency_used: str | None = None
    if "date" in names:
        dates, date_problems, frequency_used, note = _dates(
            body[columns["date"]].reset_index(drop=True), names, groups, chart, dayfirst,
            frequency, kw, notes)
        problems += date_problems
        if note:
            notes.append(note)
        out["date"] = dates
    if problems:
        raise DataError(_sorted(problems, list(names.values())), source=grid.source)

    frame = pd.DataFrame({key: out[key] for key in ("row", *_ROLES) if key in out})
    if "date" in frame:
        order = _order(frame["date"].to_numpy(), groups)
        if not np.all(order == np.arange(len(order))):
            first = int(frame["row"].to_numpy()[order][np.flatnonzero(
                order != np.arange(len(order)))[0]])
            within = " within each group" if groups is not None else ""
            notes.append(f"Your rows were not in date order, so they were sorted by date"
                         f"{within} (row {first} is the first that moved). The 'row' column "
                         "still shows where each value is in your file.")
            frame = frame.iloc[order].reset_index(drop=True)
    frame.attrs.update(columns=names, notes=notes, frequency=frequency_used,
                       source=grid.source)
    for note in notes:
        warnings.warn(note, DataNote, stacklevel=2)
    return frame


def _chart_checks(chart: str | None, names: dict[str, str], out: dict[str, object],
                  kw: dict) -> list[Problem]:
    problems: list[Problem] = []
    if chart in ("c", "g"):
        problems += checks.check_counts(out["value"], names["value"], **kw)
    if chart == "t" and "value" in out:
        problems += checks.check_non_negative(out["value"], names["value"], **kw)
    if chart in ("p", "u"):
        problems += checks.check_counts(out["numerator"], names["numerator"], **kw)
        problems += checks.check_denominators(out["denominator"], names["denominator"], **kw)
    if chart == "p":  # whole numbers too (a negative one is reported once, above)
        positive = np.where(np.asarray(out["denominator"]) < 0, np.nan, out["denominator"])
        problems += checks.check_counts(positive, names["denominator"], **kw)
        problems += checks.check_proportions(out["numerator"], out["denominator"],
                                             names["numerator"], names["denominator"], **kw)
    return problems


def _dates(cells: pd.Series, names: dict[str, str], groups: np.ndarray | None,
           chart: str | None, dayfirst: bool | None, frequency: str | None, kw: dict,
           notes: list[str]) -> tuple[np.ndarray, list[Problem], str | None, str | None]:
    """Parse the date column, settle day/month order, and check the periods.

    Excel serial numbers become dates and a column of period numbers stays numbers
    (see the module's decisions); ``notes`` is told what was done.
    """
    column = names["date"]
    regular = chart in REGULAR or (chart is None and frequency is not None)
    numbers = _numeric_cells(cells)
    filled = ~_blank_cells(cells)
    if filled.any() and (numbers[filled] >= 0).all() and (numbers[filled] < SERIAL_DATES[0]
                                                           ).all():
        if np.all(np.mod(numbers[filled], 1) == 0):
            return _period_numbers(numbers, filled, column, names, groups, regular, kw,
                                   notes)
    serial = (numbers >= SERIAL_DATES[0]) & (numbers <= SERIAL_DATES[1])
    if serial.any():
        days = (numbers[serial] * 86_400_000_000).round().astype("int64")
        stamps = _EXCEL_DAY_ZERO.astype("datetime64[us]") + days.astype("timedelta64[us]")
        cells = cells.astype(object).copy()
        cells[serial] = list(pd.DatetimeIndex(stamps).to_pydatetime())
        first = int(np.flatnonzero(serial)[0])
        notes.append(f"Some dates in '{column}' were numbers such as {numbers[first]:g}, the "
                     f"way Excel stores dates; they were read as Excel dates ("
                     f"{numbers[first]:g} is {_day(stamps[0])}).")
    dates, problems = checks.as_dates(cells, column, dayfirst=dayfirst is not False, **kw)
    note = None
    if dayfirst is None and not problems:
        other = checks.other_day_order(cells)
        if other is not None:
            uk = _score(dates, groups, frequency, regular)
            us = _score(other, groups, frequency, regular)
            differs = np.flatnonzero(dates != other)[0]
            example = str(cells.iloc[differs]).strip()
            if uk < us:
                note = (f"Every date in '{column}' could be read day first or month first; "
                        f"they were read day first (UK: {example} is "
                        f"{_day(dates[differs])}), which fits the "
                        "series better. Set dayfirst=False if they are US dates.")
            else:
                fit = ("both fit the data" if uk == us else
                       "read month first they fit the series better")
                problems.append(Problem(
                    int(kw["rows"][differs]), column,
                    "every date in this column could be read day first (UK) or month first "
                    f"(US), and {fit}: '{example}' could be {_day(dates[differs])} or "
                    f"{_day(other[differs])}",
                    "say which you mean: dayfirst=True for UK dates (day/month/year) or "
                    "dayfirst=False for US dates; or write the dates as 2024-02-01",
                    unit="row"))
    if problems:
        return dates, problems, None, note
    frequency_used = None
    if regular:
        frequency_used = frequency or checks.infer_frequency(dates, groups)
        problems += checks.check_periods(
            dates, column, frequency=frequency_used, groups=groups,
            group_column=names.get("group"), **kw)
        if frequency_used is None and len(dates) >= 3:
            note = (f"The dates in '{column}' are not evenly spaced (daily, weekly, monthly, "
                    "quarterly or yearly), so missing periods were not checked. Give "
                    "frequency= if they should be.")
    return dates, problems, frequency_used, note


def _blank_cells(cells: pd.Series) -> np.ndarray:
    return _is_blank(cells.to_frame())[:, 0]


def _numeric_cells(cells: pd.Series) -> np.ndarray:
    """Each cell as a number if it is one (a number cell, or text that is only a number)."""
    values = cells.to_numpy(dtype=object)
    is_number = np.array([isinstance(v, int | float | np.integer | np.floating)
                          and not isinstance(v, bool | np.bool_) for v in values], dtype=bool)
    out = np.full(len(values), np.nan)
    if is_number.any():
        out[is_number] = values[is_number].astype(float)
    text = ~is_number & np.array([isinstance(v, str) for v in values], dtype=bool)
    if text.any():
        as_text = pd.Series(values[text], dtype="string").str.strip()
        plain = as_text.str.fullmatch(r"[+-]?\d+(?:\.\d+)?").fillna(False).to_numpy(bool)
        parsed = pd.to_numeric(as_text.where(plain), errors="coerce")
        out[np.flatnonzero(text)] = parsed.to_numpy(dtype=float, na_value=np.nan)
    return out


def _period_numbers(numbers: np.ndarray, filled: np.ndarray, column: str,
                    names: dict[str, str], groups: np.ndarray | None, regular: bool,
                    kw: dict, notes: list[str]
                    ) -> tuple[np.ndarray, list[Problem], str | None, str | None]:
    """A date column of whole numbers (1, 2, 3 …): numbered periods, checked for a series."""
    rows = kw["rows"]
    problems = [Problem(int(r), column, "the period is blank",
                        "type the number of this period, or delete the row if it is not "
                        "data", unit="row") for r in rows[~filled]]
    periods = np.where(filled, numbers, 0).astype(np.int64)
    notes.append(f"The '{column}' column holds period numbers ({periods[filled].min()} to "
                 f"{periods[filled].max()}) rather than dates; they were read as numbered "
                 "periods, in order.")
    if regular and not problems:
        codes = (pd.factorize(pd.Series(groups, dtype=object), use_na_sentinel=False)[0]
                 if groups is not None else np.zeros(len(periods), dtype=np.int64))
        frame = pd.DataFrame({"g": codes, "p": periods, "row": rows}).sort_values(
            ["g", "p", "row"], kind="stable")
        first = frame.groupby(["g", "p"])["row"].transform("first")
        where = names.get("group")
        for p, row, earlier, g in zip(frame["p"][frame["row"] != first],
                                      frame["row"][frame["row"] != first],
                                      first[frame["row"] != first],
                                      frame["g"][frame["row"] != first], strict=True):
            label = f" for {where} '{groups[codes == g][0]}'" if where else ""
            problems.append(Problem(int(row), column, f"period {p}{label} is already in row "
                                    f"{int(earlier)}", "keep one row per period: delete "
                                    "one of the two rows, or correct the period number",
                                    unit="row"))
        unique = frame.drop_duplicates(["g", "p"])
        step = unique.groupby("g")["p"].diff()
        for row, p, missing, g in zip(unique["row"][step > 1], unique["p"][step > 1],
                                      step[step > 1] - 1, unique["g"][step > 1], strict=True):
            label = f" for {where} '{groups[codes == g][0]}'" if where else ""
            what = (f"there is no row for period {p - 1} before this one" if missing == 1
                    else f"{int(missing)} periods ({p - int(missing)} to {p - 1}) are missing "
                    "before this row")
            problems.append(Problem(int(row), column, what + label,
                                    "add a row for each missing period with its value, or "
                                    "check the period numbers on either side of the gap",
                                    unit="row"))
    return periods, problems, None, None


def _numbers(cells: pd.Series, column: str, role: str, chart: str | None,
             decimal: str | None, semicolons: bool, kw: dict
             ) -> tuple[np.ndarray, list[Problem], str | None]:
    """A number column read with the help described in the module's decisions."""
    rows = kw["rows"]
    is_text = np.array([isinstance(v, str) for v in cells.to_numpy(dtype=object)], dtype=bool)
    text = pd.Series(cells.to_numpy(dtype=object), dtype=object).where(is_text, None)
    text = text.astype("string").str.strip()
    own: dict[int, Problem] = {}  # position → a problem explained here, not by checks
    notes: list[str] = []

    percent = text.str.fullmatch(_PERCENT.pattern).fillna(False).to_numpy(bool)
    if percent.any():
        if role != "value":
            for pos in np.flatnonzero(percent):
                own[pos] = Problem(int(rows[pos]), column, "this is a percentage, not a count",
                                   "type the count itself (the number of patients or "
                                   "events); the chart works out the percentage",
                                   value=str(cells.iloc[pos]), unit="row")
        else:
            notes.append(f"The values in '{column}' are written as percentages (e.g. "
                         f"'{text[percent].iloc[0]}'); they were read as the numbers before "
                         "the % sign, so the chart is in percent.")
        text = text.where(~percent, text.str.extract(_PERCENT.pattern, expand=False))

    comma = decimal == "," or (decimal is None and semicolons and bool(
        text.str.fullmatch(_DECIMAL_ONLY.pattern).fillna(False).any()))
    if decimal is None and semicolons:
        ambiguous = text.str.fullmatch(_AMBIGUOUS_COMMA.pattern).fillna(False).to_numpy(bool)
        if comma:
            ambiguous |= text.str.fullmatch(_AMBIGUOUS_DOT.pattern).fillna(False
                                                                           ).to_numpy(bool)
        for pos in np.flatnonzero(ambiguous):
            written = str(text.iloc[pos])
            mark = "comma" if "," in written else "point"
            own[pos] = Problem(
                int(rows[pos]), column, f"this number could be read two ways: with a decimal "
                f"{mark} it is {written.replace(',', '.')}, with a separator between "
                f"thousands it is {written.replace(',', '').replace('.', '')}",
                "say which you mean: decimal=',' if commas are decimal marks, or decimal='.' "
                "if they separate thousands (in the upload form: 'Decimal mark'); or write "
                "the number without a thousands separator",
                value=str(cells.iloc[pos]), unit="row")
    if comma:
        written = text.str.fullmatch(_COMMA_NUMBER.pattern).fillna(False) & text.str.contains(
            r"[,.]", regex=True).fillna(False)
        converted = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        text = text.where(~written, converted)
        if written.any() and decimal is None:
            example = str(cells.iloc[int(np.flatnonzero(written.to_numpy(bool))[0])]).strip()
            notes.append(f"The numbers in '{column}' use a decimal comma, as is usual in a "
                         f"file separated by semicolons ('{example}' was read as "
                         f"{converted[written].iloc[0]}). Set decimal='.' if the commas "
                         "separate thousands.")
    values = pd.Series(cells.to_numpy(dtype=object), dtype=object)
    values = values.where(~is_text, text.astype(object))
    for pos in own:
        values.iloc[pos] = None
    numbers, problems = checks.as_numbers(values, column, allow_missing=chart is None, **kw)
    if role == "value" and percent.any():
        plain = ~percent & ~np.isnan(numbers) & (numbers > 0) & (numbers <= 1)
        for pos in np.flatnonzero(plain):
            own[pos] = Problem(int(rows[pos]), column, "other values in this column are "
                               "percentages, and this one has no % sign: it could be "
                               f"{numbers[pos]:g}% or {100 * numbers[pos]:g}%",
                               "write it as a percentage like the others, e.g. "
                               f"{100 * numbers[pos]:g}%", value=str(cells.iloc[pos]),
                               unit="row")
            numbers[pos] = np.nan
    if own:
        taken = {int(rows[pos]) for pos in own}
        problems = [p for p in problems if p.row not in taken] + list(own.values())
        numbers[list(own)] = np.nan
    return numbers, problems, " ".join(notes) or None


def _day(date: np.datetime64) -> str:
    stamp = pd.Timestamp(date)
    return f"{stamp.day} {stamp.strftime('%B %Y')}"


def _sorted(problems: list[Problem], order: list[str]) -> list[Problem]:
    rank = {name: i for i, name in enumerate(order)}
    return sorted(problems, key=lambda p: (p.row if p.row is not None else 0,
                                           rank.get(p.column or "", -1)))


def _whole_table(grid: Grid) -> pd.DataFrame:
    """No columns chosen: every column as text, headed as in row 1, with the row number."""
    _check_headings_in_row_1(grid)
    notes = list(grid.notes)
    headings = [_heading(c) for c in grid.cells.iloc[0]]
    named: list[str] = []
    for i, heading in enumerate(headings):
        label = heading or f"(column {_letter(i)})"
        if label in named or label == "row":
            label = f"{label} (column {_letter(i)})"
        named.append(label)
    if named != headings:
        notes.append("Some columns had no heading or the same heading as another; they are "
                     "named by their Excel column letter.")
    body = grid.cells.iloc[1:]
    text = body.apply(lambda col: col.map(_heading)).astype("string")
    text.columns = named
    text = text.replace("", pd.NA)
    text.insert(0, "row", body.index.to_numpy(dtype=np.int64))
    text = text.reset_index(drop=True)
    text.attrs.update(columns={}, notes=notes, frequency=None, source=grid.source)
    for note in notes:
        warnings.warn(note, DataNote, stacklevel=3)
    return text
