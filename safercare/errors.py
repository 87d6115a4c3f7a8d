"""The one exception type for bad input data, written for learners, not programmers.

Every check in the package that finds something wrong with the data it was given
collects :class:`Problem` records and raises a single :class:`DataError`. Its message
lists every problem found (not just the first) with the row, the column, what is wrong
and what to do about it, so a learner can fix a spreadsheet in one pass.

Row numbers
    For a file, ``row`` is the row number the learner sees in Excel: the header is
    row 1, so the first data row is row 2. For data passed in memory (a list, a
    Series or a DataFrame) ``row`` is the 1-based position of the point, and the
    message says "point" instead of "row".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

__all__ = ["DataError", "Problem"]

#: The most problems spelled out in the message; the rest are counted.
MAX_LISTED = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, in plain English.

    Attributes:
        row: where the problem is (see the module docstring), or ``None`` when it
            concerns the whole table or column.
        column: the column's name as the learner typed it, or ``None``.
        what: what is wrong, e.g. ``"the cell is blank"``.
        fix: what to do, e.g. ``"type the number of bed days, or delete the row"``.
        value: the offending value as text, shown so the learner can find it.
        unit: ``"row"`` for files, ``"point"`` for in-memory data.
    """

    row: int | None
    column: str | None
    what: str
    fix: str
    value: str | None = None
    unit: str = "row"

    def where(self) -> str:
        """Where the problem is, e.g. ``"Row 5, column 'bed_days'"``."""
        parts = []
        if self.row is not None:
            parts.append(f"{self.unit.capitalize()} {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        if not parts:
            return "The data"
        text = ", ".join(parts)
        return text[:1].upper() + text[1:]

    def sentence(self) -> str:
        """The problem as one line: where, what (with the value) and how to fix it."""
        value = f" (found: {self.value!r})" if self.value is not None else ""
        return f"{self.where()}: {self.what}{value}. {self.fix[:1].upper()}{self.fix[1:]}."


class DataError(ValueError):
    """Bad input data, explained.

    Raised with every problem found. ``str(error)`` is a plain-English message that
    names each problem's row and column, what is wrong and how to fix it;
    ``error.problems`` keeps the structured list and :meth:`to_frame` turns it into a
    table for a notebook or widget.
    """

    def __init__(self, problems: Iterable[Problem] | Problem, source: str | None = None):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        if not self.problems:
            raise TypeError("DataError needs at least one Problem")
        self.source = source
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.problems)
        where = f" in {self.source}" if self.source else ""
        head = (
            f"We found a problem{where}."
            if n == 1
            else f"We found {n} problems{where}."
        )
        lines = [head]
        lines += [f"- {p.sentence()}" for p in self.problems[:MAX_LISTED]]
        if n > MAX_LISTED:
            lines.append(f"- … and {n - MAX_LISTED:,} more like these.")
        lines.append("Nothing has been changed in your data; fix these and try again.")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """The problems as a table with columns row, column, value, problem, what to do."""
        return pd.DataFrame(
            {
                "row": pd.array([p.row for p in self.problems], dtype="Int64"),
                "column": [p.column for p in self.problems],
                "value": [p.value for p in self.problems],
                "problem": [p.what for p in self.problems],
                "what to do": [p.fix for p in self.problems],
            }
        )
