"""PDSA cycles and the log a team keeps of them: validated, read from and written to CSV.

A PDSA (Plan-Do-Study-Act) cycle tests one change idea on a small scale. Done properly
(Langley et al. 2009, *The Improvement Guide*, 2nd ed.; Taylor et al. 2014, BMJ Quality
& Safety 23:290-298) the plan holds a **written, numeric prediction** about a named
measure; the study compares the result with it; the act decides to **adopt**, **adapt**
or **abandon** the change; and the next cycle **builds on** the last, growing in scale
(a *ramp*: one patient, one shift, one ward ...). Taylor et al. found that few published
PDSA reports did these things, so the log checks for them.

Example::

    from safercare.pdsa import Cycle, PDSALog
    log = PDSALog([
        Cycle("C1", change_idea="Write tomorrow's medicines to take home today",
              plan_date="2024-11-12", do_date="2024-11-13", study_date="2024-11-14",
              scale="1 patient", prediction="She leaves before noon",
              predicted_value=1, measure="patients leaving before noon (of 1)",
              result_value=1, result="Left at 10:40", decision="adapt"),
    ])
    log.notes                       # missed chances, e.g. a cycle with no prediction
    log.prediction_vs_result()      # one row per cycle: how far off, written before?
    log.to_csv("my_log.csv")        # and PDSALog.from_csv("my_log.csv") reads it back

What a log offers (all computed, nothing drawn; see :mod:`safercare.pdsa.plot` for the
figures):

* ``PDSALog(cycles)``, ``PDSALog.from_csv(path_or_bytes)`` (CSV or Excel),
  ``PDSALog.from_frame(table)``: a checked log (or one :class:`DataError`);
* ``log.to_csv(path=None)`` (the text, exact round trip), ``log.to_frame()`` (typed),
  ``log.to_text_frame()`` (the cells as written);
* ``log.add(cycle)``: a new log with one more cycle; ``log["C3"]``: one cycle;
* ``log.notes``, ``log.missed_predictions()``: the missed chances;
* ``log.ramps()``, ``log.chain("C4")``: linked cycles, oldest first;
* ``log.prediction_vs_result()``: one row per cycle, with a sentence made from it.

The CSV columns (:data:`COLUMNS`, in this order; the header row must name them, in any
order and case, with spaces or underscores, and ``cycle_id``, ``change_idea``,
``plan_date`` and ``scale`` must be there):

=================== ==============================================================
``cycle_id``        a short name for the cycle, unique in the log (e.g. ``C1``)
``builds_on``       the ``cycle_id`` of the cycle this one builds on, or blank
``change_idea``     the change being tested, in words
``aim``             what the team is trying to accomplish (how much, by when)
``measure``         the measure the prediction and the result are numbers of
``prediction``      what the team expects to happen, in words
``predicted_value`` the predicted number (a number; a trailing ``%`` is allowed)
``prediction_date`` when the prediction was written (blank: on the plan date)
``plan``            who does what, where and when, and what data is collected
``plan_date``       when the cycle was planned (``YYYY-MM-DD`` or ``DD/MM/YYYY``)
``do_date``         when the test was run (blank: not run yet)
``study_date``      when the result was studied
``scale``           how big the test was: a whole number and a unit, e.g. ``1
                    patient``, ``5 patients``, ``1 shift``, ``1 week``, ``1 ward``
                    (units in :data:`SCALE_UNITS`, smallest first)
``result_value``    the number found, on the same measure as the prediction
``result``          what happened, in words
``decision``        ``adopt``, ``adapt`` or ``abandon`` (blank until studied)
``learning``        what was learned
=================== ==============================================================

Errors (one :class:`~safercare.errors.DataError` listing every problem, each naming
the row as Excel numbers it, the header being row 1): a blank or repeated
``cycle_id``; a blank change idea or plan date; a date that is not a date; a do or
study date before the plan date, or a study date before the do date; a decision
missing after a result; an unknown decision word; a predicted value with no measure;
text in a number column; a scale that is not a positive whole number of a known unit,
or is absurdly large; a ``builds_on`` that names no cycle in the log, the cycle
itself, or makes a loop. Wrong columns, a file over :data:`MAX_BYTES` or more than
:data:`MAX_CYCLES` cycles are refused with one plain message.

Notes (:attr:`PDSALog.notes`, not errors): a cycle with no prediction (a missed chance
to learn), a prediction written after the test was run, a decision with no result.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from safercare.errors import DataError, Problem

__all__ = ["COLUMNS", "DECISIONS", "MAX_BYTES", "MAX_CYCLES", "MAX_TEXT", "SCALE_UNITS",
           "Cycle", "PDSALog", "parse_scale"]

#: The CSV columns, in the order :meth:`PDSALog.to_csv` writes them.
COLUMNS: tuple[str, ...] = (
    "cycle_id", "builds_on", "change_idea", "aim", "measure", "prediction",
    "predicted_value", "prediction_date", "plan", "plan_date", "do_date", "study_date",
    "scale", "result_value", "result", "decision", "learning")
#: Columns a file must have (the others may be left out and are then blank).
REQUIRED: tuple[str, ...] = ("cycle_id", "change_idea", "plan_date", "scale")
#: The three decisions of the Act step (Langley et al. 2009).
DECISIONS: tuple[str, ...] = ("adopt", "adapt", "abandon")
#: Units of a cycle's scale, smallest first (the ramp view's order), with the most of
#: each that one cycle could plausibly test (more is refused as absurd).
SCALE_UNITS: dict[str, int] = {
    "patient": 1000, "shift": 200, "day": 366, "week": 104, "month": 24, "bay": 50,
    "team": 50, "ward": 100, "site": 20, "hospital": 20, "trust": 20}
#: The largest log file read, in bytes (a log of 1,000 cycles is about 500 KB).
MAX_BYTES = 2 * 2**20
#: The most cycles in one log.
MAX_CYCLES = 1000
#: The most characters in one cell of text.
MAX_TEXT = 2000

_DATES = ("prediction_date", "plan_date", "do_date", "study_date")
_NUMBERS = ("predicted_value", "result_value")
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10, "a": 1, "an": 1}
_SCALE = re.compile(r"^\s*([+-]?[\d.,]+|[a-z]+)\s+([a-z]+?)(?:e?s)?\s*$", re.IGNORECASE)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UK = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")
_FIRST_YEAR, _LAST_YEAR = 1990, 2100
#: A text cell starting with one of these is a formula to a spreadsheet ("CSV injection"):
#: :meth:`PDSALog.to_csv` writes it after an apostrophe, which Excel hides and the reader
#: removes again, so a log passed round a team cannot run anything when it is opened.
_FORMULA_START = ("=", "+", "-", "@")


def parse_scale(text: str) -> tuple[int, str]:
    """``"5 patients"`` → ``(5, "patient")``; raises ``ValueError`` with a plain reason.

    The number may be a digit or a word up to ten (``"one ward"``); the unit is one of
    :data:`SCALE_UNITS`, singular or plural.
    """
    match = _SCALE.match(text or "")
    if not match:
        raise ValueError("is not a number and a unit")
    number, unit = match.group(1).lower(), match.group(2).lower()
    if unit not in SCALE_UNITS and unit + "e" in SCALE_UNITS:
        unit += "e"
    if unit not in SCALE_UNITS:
        raise ValueError(f"has a unit we do not know ({text.split()[-1]!r})")
    if number in _WORDS:
        count = float(_WORDS[number])
    else:
        try:
            count = float(number.replace(",", ""))
        except ValueError:
            raise ValueError("does not start with a number") from None
    if count < 1:
        raise ValueError("must be at least 1")
    if count != int(count):
        raise ValueError("must be a whole number")
    if count > SCALE_UNITS[unit]:
        raise ValueError(f"is more than one cycle could test (at most "
                         f"{SCALE_UNITS[unit]:,} {unit}s)")
    return int(count), unit


def _as_date(value: Any) -> date | None:
    """A date from a date, datetime, Timestamp, ISO or UK (day first) text; None if blank."""
    if _blank(value):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    text = str(value).strip()
    if not text:
        return None
    if _ISO.match(text):
        return datetime.strptime(text, "%Y-%m-%d").date()
    if _UK.match(text):
        return datetime.strptime(text, "%d/%m/%Y").date()
    raise ValueError("bad date")


def _as_number(value: Any) -> float | None:
    """A finite number from a number or text (a trailing % allowed); None if blank."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError("bad number")
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if math.isnan(number):
            return None
    else:
        text = str(value).strip().removesuffix("%").strip()
        if not text:
            return None
        number = float(text.replace(",", ""))
    if not math.isfinite(number) or abs(number) > 1e9:
        raise ValueError("bad number")
    return number


def _blank(value: Any) -> bool:
    """None, NaN, NaT or pandas' NA (not an empty string: that is text)."""
    return value is None or (np.ndim(value) == 0 and not isinstance(value, str)
                             and bool(pd.isna(value)))


def _text(value: Any) -> str:
    if _blank(value):
        return ""
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] in _FORMULA_START:
        return text[1:]                       # the apostrophe to_csv put before a formula
    return text


def _safe_cell(text: str) -> str:
    return "'" + text if text[:1] in _FORMULA_START and text else text


def _fmt_number(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if x == int(x) else repr(x)   # repr: the shortest exact text


@dataclass(frozen=True)
class Cycle:
    """One PDSA cycle. Only ``cycle_id``, ``change_idea``, ``plan_date`` and ``scale``
    are needed; everything else may be filled in as the cycle goes on.

    Dates may be given as ``date`` objects or text (``"2024-11-12"`` or
    ``"12/11/2024"``); numbers as numbers or text. They are checked when the cycle is
    put in a :class:`PDSALog` (so a log can report every problem at once), and stored
    as given until then.
    """

    cycle_id: str
    change_idea: str = ""
    plan_date: Any = None
    scale: str = ""
    builds_on: str = ""
    aim: str = ""
    measure: str = ""
    prediction: str = ""
    predicted_value: Any = None
    prediction_date: Any = None
    plan: str = ""
    do_date: Any = None
    study_date: Any = None
    result_value: Any = None
    result: str = ""
    decision: str = ""
    learning: str = ""

    @property
    def has_prediction(self) -> bool:
        """Whether a prediction was written (in words or as a number)."""
        return bool(self.prediction) or self.predicted_value is not None

    @property
    def has_result(self) -> bool:
        """Whether a result was recorded (in words or as a number)."""
        return bool(self.result) or self.result_value is not None

    @property
    def scale_count(self) -> int:
        """The number in the scale (``5`` for ``"5 patients"``); valid cycles only."""
        return parse_scale(self.scale)[0]

    @property
    def scale_unit(self) -> str:
        """The unit of the scale, singular (``"patient"``); valid cycles only."""
        return parse_scale(self.scale)[1]


def _clean(cycle: Cycle, row: int, unit: str) -> tuple[Cycle, list[Problem]]:
    """Check one cycle's own cells; return it with typed values, and its problems."""
    problems: list[Problem] = []

    def bad(column: str, what: str, fix: str, value: Any = None) -> None:
        problems.append(Problem(row, column, what, fix,
                                None if value is None else str(value)[:60], unit=unit))

    values: dict[str, Any] = {}
    for f in fields(Cycle):
        raw = getattr(cycle, f.name)
        if f.name in _DATES:
            try:
                values[f.name] = _as_date(raw)
                day = values[f.name]
                if day is not None and not _FIRST_YEAR <= day.year <= _LAST_YEAR:
                    values[f.name] = None
                    bad(f.name, "the year is not a plausible one", "check the date", raw)
            except (ValueError, TypeError):
                values[f.name] = None
                bad(f.name, "this is not a date", "type it as YYYY-MM-DD, e.g. "
                    "2024-11-12, or DD/MM/YYYY", raw)
        elif f.name in _NUMBERS:
            try:
                values[f.name] = _as_number(raw)
            except (ValueError, TypeError):
                values[f.name] = None
                bad(f.name, "this is not a number", "type a number only (e.g. 30), and "
                    "put words in the 'prediction' or 'result' column", raw)
        else:
            text = _text(raw)
            if len(text) > MAX_TEXT:
                bad(f.name, f"the text is longer than {MAX_TEXT:,} characters",
                    "shorten it", text[:40] + "…")
                text = text[:MAX_TEXT]
            values[f.name] = text
    clean = Cycle(**values)
    if not clean.cycle_id:
        bad("cycle_id", "the cycle has no name", "give each cycle a short name, e.g. C1")
    if not clean.change_idea:
        bad("change_idea", "the change idea is blank", "say what change this cycle tests")
    if clean.plan_date is None and "plan_date" not in {p.column for p in problems}:
        bad("plan_date", "the plan date is blank", "type the date the cycle was planned")
    if not clean.scale:
        bad("scale", "the scale is blank", "say how big the test was, e.g. '1 patient', "
            "'1 shift' or '1 ward'")
    else:
        try:
            parse_scale(clean.scale)
        except ValueError as why:
            bad("scale", f"the scale {why}", "use a whole number of 1 or more and one of "
                + ", ".join(SCALE_UNITS) + ", e.g. '5 patients'", clean.scale)
    plan, do, study = clean.plan_date, clean.do_date, clean.study_date
    if plan is not None and do is not None and do < plan:
        bad("do_date", "the test was run before it was planned", "check the plan and do "
            "dates", do.isoformat())
    if plan is not None and study is not None and study < plan:
        bad("study_date", "the study date is before the plan date", "check the plan and "
            "study dates", study.isoformat())
    elif do is not None and study is not None and study < do:
        bad("study_date", "the study date is before the test was run", "check the do and "
            "study dates", study.isoformat())
    decision = clean.decision.lower()
    if decision and decision not in DECISIONS:
        bad("decision", "this is not one of the three decisions", "type adopt, adapt or "
            "abandon", clean.decision)
    elif decision:
        clean = replace(clean, decision=decision)
    elif clean.has_result:
        bad("decision", "there is a result but no decision", "after studying the result, "
            "type adopt, adapt or abandon")
    if clean.predicted_value is not None and not clean.measure:
        bad("measure", "there is a predicted number but no measure", "say what the number "
            "counts, e.g. 'discharges before noon (%)'")
    return clean, problems


def _notes(cycle: Cycle, row: int, unit: str) -> list[Problem]:
    notes = []
    if not cycle.has_prediction:
        notes.append(Problem(row, "prediction", "no prediction was written: a missed "
                             "chance to learn", "next time, write down before the test "
                             "what you expect to happen, as a number", unit=unit))
    elif (cycle.prediction_date is not None and cycle.do_date is not None
          and cycle.prediction_date > cycle.do_date):
        notes.append(Problem(row, "prediction_date", "the prediction was written after the "
                             "test was run, so it is hindsight, not a prediction",
                             "write the prediction in the plan, before the test",
                             cycle.prediction_date.isoformat(), unit=unit))
    if cycle.decision and not cycle.has_result:
        notes.append(Problem(row, "decision", "there is a decision but no result",
                             "record what happened, so others can see why", unit=unit))
    return notes


def _links(cycles: Sequence[Cycle], rows: Sequence[int], unit: str) -> list[Problem]:
    """Unknown, self and circular ``builds_on`` links, and repeated names."""
    problems = []
    first: dict[str, int] = {}
    for cycle, row in zip(cycles, rows, strict=True):
        if cycle.cycle_id and cycle.cycle_id in first:
            problems.append(Problem(row, "cycle_id", f"the name is already used by "
                                    f"{unit} {first[cycle.cycle_id]}", "give each cycle its "
                                    "own name", cycle.cycle_id, unit=unit))
        first.setdefault(cycle.cycle_id, row)
    parent = {c.cycle_id: c.builds_on for c in cycles if c.cycle_id}
    for cycle, row in zip(cycles, rows, strict=True):
        link = cycle.builds_on
        if not link:
            continue
        if link == cycle.cycle_id:
            problems.append(Problem(row, "builds_on", "the cycle builds on itself",
                                    "name the earlier cycle it builds on, or leave it "
                                    "blank", link, unit=unit))
        elif link not in parent:
            problems.append(Problem(row, "builds_on", "no cycle in the log has this name",
                                    "use the cycle_id of an earlier cycle, or leave it "
                                    "blank", link, unit=unit))
    # Loops: each cycle has at most one parent, so walk each chain once, marking the
    # cycles on the current walk; meeting one again closes a loop (linear in the log).
    # Each loop is reported once, at the row of its member that comes first in the log.
    order = {c.cycle_id: i for i, c in reversed(list(enumerate(cycles))) if c.cycle_id}
    state: dict[str, int] = {}                  # 1: on the current walk; 2: finished
    for cycle in cycles:
        at = cycle.cycle_id
        walk: list[str] = []
        while at and at in parent and at not in state:
            state[at] = 1
            walk.append(at)
            at = parent[at]
        if at in state and state[at] == 1 and len(walk) > 1 and at in walk:
            loop = walk[walk.index(at):]
            if len(loop) > 1:
                first = min(range(len(loop)), key=lambda k: order[loop[k]])
                loop = loop[first:] + loop[:first]
                shown = [*loop, loop[0]] if len(loop) <= 8 else [
                    *loop[:6], f"… ({len(loop)} cycles in all)"]
                problems.append(Problem(rows[order[loop[0]]], "builds_on", "these cycles "
                                        "build on each other in a loop: " + " → ".join(shown),
                                        "a cycle can only build on an earlier one: break the "
                                        "loop", unit=unit))
        for name in walk:
            state[name] = 2
    return problems


@dataclass(frozen=True)
class PDSALog:
    """A validated log of PDSA cycles (see the module docstring for the rules).

    ``PDSALog(cycles)`` checks every cycle and raises one
    :class:`~safercare.errors.DataError` naming each problem's cycle (``Cycle 3`` is the
    third given); :meth:`from_csv` names Excel rows instead. The cycles are kept in the
    order given, with dates and numbers typed. ``notes`` holds the missed chances.
    """

    cycles: tuple[Cycle, ...]
    notes: tuple[Problem, ...] = field(default=(), compare=False)
    source: str | None = field(default=None, compare=False)

    def __init__(self, cycles: Iterable[Cycle], *, source: str | None = None,
                 _rows: Sequence[int] | None = None) -> None:
        cycles = list(cycles)
        unit = "row" if _rows is not None else "cycle"
        if len(cycles) > MAX_CYCLES:
            raise DataError(Problem(None, None, f"the log has {len(cycles):,} cycles, more "
                                    f"than the {MAX_CYCLES:,} a log can hold", "split it "
                                    "into one log per project"), source=source)
        rows = list(_rows) if _rows is not None else list(range(1, len(cycles) + 1))
        problems: list[Problem] = []
        clean = []
        for cycle, row in zip(cycles, rows, strict=True):
            typed, found = _clean(cycle, row, unit)
            clean.append(typed)
            problems += found
        problems += _links(clean, rows, unit)
        if problems:
            problems.sort(key=lambda p: (p.row or 0, COLUMNS.index(p.column)
                                         if p.column in COLUMNS else 0))
            raise DataError(problems, source=source)
        notes = [n for cycle, row in zip(clean, rows, strict=True)
                 for n in _notes(cycle, row, unit)]
        object.__setattr__(self, "cycles", tuple(clean))
        object.__setattr__(self, "notes", tuple(notes))
        object.__setattr__(self, "source", source)

    # ------------------------------------------------------------------ container
    def __len__(self) -> int:
        return len(self.cycles)

    def __iter__(self) -> Iterator[Cycle]:
        return iter(self.cycles)

    def __getitem__(self, cycle_id: str) -> Cycle:
        for cycle in self.cycles:
            if cycle.cycle_id == cycle_id:
                return cycle
        raise KeyError(cycle_id)

    def add(self, cycle: Cycle) -> PDSALog:
        """A new log with ``cycle`` added at the end, checked like the rest.

        The log itself never changes, so a widget can keep the last good log when a new
        cycle is refused (the :class:`~safercare.errors.DataError` names it as the last
        cycle).
        """
        return PDSALog([*self.cycles, cycle], source=self.source)

    def missed_predictions(self) -> list[str]:
        """The ``cycle_id`` of every cycle with no prediction."""
        return [c.cycle_id for c in self.cycles if not c.has_prediction]

    def chain(self, cycle_id: str) -> list[str]:
        """The ramp a cycle belongs to, oldest first: ``["C1", "C2", "C3"]`` for C3."""
        parent = {c.cycle_id: c.builds_on for c in self.cycles}
        out = [cycle_id]
        while parent[out[-1]]:
            out.append(parent[out[-1]])
        return out[::-1]

    def ramps(self) -> list[list[str]]:
        """Each ramp of linked cycles (a root and everything built on it), in log order."""
        parent = {c.cycle_id: c.builds_on for c in self.cycles}
        root_of: dict[str, str] = {}
        for c in self.cycles:
            walk, at = [], c.cycle_id
            while at not in root_of and parent[at]:
                walk.append(at)
                at = parent[at]
            root = root_of.get(at, at)
            root_of.update(dict.fromkeys([*walk, at], root))
        ramps: dict[str, list[str]] = {c.cycle_id: [] for c in self.cycles if not c.builds_on}
        for c in self.cycles:
            ramps[root_of[c.cycle_id]].append(c.cycle_id)
        return list(ramps.values())

    # -------------------------------------------------------------------- tables
    def to_frame(self) -> pd.DataFrame:
        """One row per cycle, the :data:`COLUMNS`: dates as Timestamps, numbers as floats."""
        data = {name: [getattr(c, name) for c in self.cycles] for name in COLUMNS}
        frame = pd.DataFrame(data, columns=list(COLUMNS))
        for name in _DATES:
            frame[name] = pd.to_datetime(frame[name])
        for name in _NUMBERS:
            frame[name] = pd.to_numeric(frame[name]).astype(float)
        return frame

    def to_text_frame(self) -> pd.DataFrame:
        """The :data:`COLUMNS` as the text :meth:`to_csv` writes: ISO dates, plain numbers
        (exact: read back, they are the same floats), and an apostrophe before any text
        that a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``)."""
        def cell(value: Any, name: str) -> str:
            if name in _NUMBERS:
                return _fmt_number(value)
            if name in _DATES:
                return value.isoformat() if value is not None else ""
            return _safe_cell(value)
        return pd.DataFrame({name: [cell(getattr(c, name), name) for c in self.cycles]
                             for name in COLUMNS}, columns=list(COLUMNS), dtype=object)

    def to_csv(self, path: str | os.PathLike[str] | None = None) -> str:
        """The log as CSV text (UTF-8, ``\\n`` line ends); also written to ``path`` if given.

        :meth:`from_csv` reads it back to an equal log, and writing that again gives the
        same text.
        """
        text = self.to_text_frame().to_csv(index=False, lineterminator="\n")
        if path is not None:
            Path(path).write_text(text, encoding="utf-8", newline="")
        return text

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, source: str | None = None,
                   rows: Sequence[int] | None = None) -> PDSALog:
        """A log from a table with (some of) the :data:`COLUMNS`.

        Problems name rows as Excel would (``rows``, default 2, 3, ... under a header).
        """
        columns = [_heading(c) for c in frame.columns]
        _check_columns(columns, source, [str(c) for c in frame.columns])
        if len(frame) > MAX_CYCLES:
            raise DataError(Problem(None, None, f"the log has {len(frame):,} rows, more "
                                    f"than the {MAX_CYCLES:,} a log can hold", "split it "
                                    "into one log per project"), source=source)
        frame = frame.set_axis(columns, axis=1).astype(object)
        records = frame.where(frame.notna(), None).to_dict("records")
        cycles = [Cycle(**{k: ("" if v is None and k == "cycle_id" else v)
                           for k, v in r.items()}) for r in records]
        rows = list(rows) if rows is not None else list(range(2, 2 + len(cycles)))
        return cls(cycles, source=source, _rows=rows)

    @classmethod
    def from_csv(cls, source: str | os.PathLike[str] | bytes | IO[bytes] | IO[str], *,
                 name: str | None = None) -> PDSALog:
        """Read a log from a CSV (or Excel) file, its bytes, an open file or CSV text.

        Problems name the rows as Excel shows them; blank rows are skipped. A file over
        :data:`MAX_BYTES` is refused before it is read.
        """
        from safercare.data.reading import read_grid

        content, label = _bounded_bytes(source, name)
        cells = read_grid(content, name=label).cells
        typed = [_text(v) for v in cells.iloc[0].tolist()]
        header = [_heading(v) for v in typed]
        if len(header) != len(set(header)):
            repeated = sorted({t for t, h in zip(typed, header, strict=True)
                               if header.count(h) > 1})
            raise DataError(Problem(1, None, "a column name is used twice: "
                                    + ", ".join(map(repr, repeated)), "keep one column of "
                                    "each name"), source=label)
        _check_columns(header, label, typed)
        body = cells.iloc[1:]
        text = body.astype(object).where(body.notna(), "").astype(str)
        body = body[(text.apply(lambda c: c.str.strip()) != "").any(axis=1).to_numpy()]
        if not len(body):
            raise DataError(Problem(None, None, "the log has a header row but no cycles",
                                    "add one row per cycle under the header"), source=label)
        frame = pd.DataFrame(body.to_numpy(), columns=header)
        return cls.from_frame(frame, source=label, rows=[int(r) for r in body.index])

    # ----------------------------------------------------------------- studying
    def prediction_vs_result(self) -> pd.DataFrame:
        """Prediction against result, one row per cycle.

        Columns: ``cycle_id``, ``scale``, ``measure``, ``predicted_value``,
        ``result_value``, ``difference`` (result − prediction), ``abs_difference``,
        ``has_prediction``, ``written_before_test`` (``True``/``False``; missing when
        there is no prediction or the test has not run; a blank ``prediction_date``
        counts as the plan date), ``decision`` and ``in_words`` (a sentence made from
        these numbers).
        """
        frame = self.to_frame()
        diff = (frame["result_value"] - frame["predicted_value"]).round(10)
        when = frame["prediction_date"].fillna(frame["plan_date"])
        has = pd.Series([c.has_prediction for c in self.cycles], dtype=bool)
        before = pd.Series(pd.array((when <= frame["do_date"]).to_numpy(), dtype="boolean"))
        before[~has.to_numpy() | frame["do_date"].isna().to_numpy()] = pd.NA
        out = pd.DataFrame({
            "cycle_id": frame["cycle_id"], "scale": frame["scale"],
            "measure": frame["measure"], "predicted_value": frame["predicted_value"],
            "result_value": frame["result_value"], "difference": diff,
            "abs_difference": diff.abs(), "has_prediction": has,
            "written_before_test": before, "decision": frame["decision"]})
        out["in_words"] = [_prediction_words(c, d, b) for c, d, b in
                           zip(self.cycles, diff.tolist(), before.tolist(), strict=True)]
        return out


def _prediction_words(cycle: Cycle, diff: float, before: Any) -> str:
    name = cycle.cycle_id
    if not cycle.has_prediction:
        return (f"{name}: no prediction was written, so the result cannot be compared "
                "with one.")
    if cycle.do_date is None:
        return f"{name}: predicted, not yet tested."
    hindsight = "" if before is True else " The prediction was written after the test."
    if cycle.predicted_value is None or cycle.result_value is None or math.isnan(diff):
        return (f"{name}: a prediction in words only; compare it with the result "
                f"yourself.{hindsight}")
    p, r = f"{cycle.predicted_value:.10g}", f"{cycle.result_value:.10g}"
    if diff == 0:
        gap = "exactly as predicted"
    else:
        gap = f"{abs(diff):.10g} {'above' if diff > 0 else 'below'} the prediction"
    return f"{name}: predicted {p}, found {r} ({cycle.measure}): {gap}.{hindsight}"


def _heading(name: Any) -> str:
    """A column heading as the log names it: ``"Plan date"`` → ``"plan_date"``."""
    return "_".join(_text(name).lower().replace("-", " ").split())


def _check_columns(columns: list[str], source: str | None,
                   typed: list[str] | None = None) -> None:
    typed = typed if typed is not None else columns
    unknown = [t for c, t in zip(columns, typed, strict=True) if c not in COLUMNS]
    missing = [c for c in REQUIRED if c not in columns]
    problems = []
    if unknown:
        problems.append(Problem(1, None, "these columns are not PDSA log columns: "
                                + ", ".join(repr(c[:40]) for c in unknown[:10]),
                                "rename or delete them; the columns are "
                                + ", ".join(COLUMNS)))
    if missing:
        problems.append(Problem(1, None, "these columns are missing: " + ", ".join(missing),
                                "add them to the header row (row 1)"))
    if problems:
        raise DataError(problems, source=source)


def _bounded_bytes(source: Any, name: str | None, what: str = "PDSA log"
                   ) -> tuple[bytes, str]:
    """The file's bytes and a label, refusing anything over :data:`MAX_BYTES` unread."""
    too_big = Problem(None, None, f"the file is larger than {MAX_BYTES // 2**20} MB, far "
                      f"more than a {what} needs", f"check that you chose your {what}")
    if isinstance(source, str) and "\n" in source:      # CSV text, not a file name
        source = source.encode("utf-8")
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        label = name or path.name[:80]
        try:
            if not path.is_file():
                raise DataError(Problem(None, None, "the file was not found", "check its "
                                        "name and folder"), source=label)
            if path.stat().st_size > MAX_BYTES:
                raise DataError(too_big, source=label)
            return path.read_bytes(), label
        except OSError as why:
            raise DataError(Problem(None, None, f"the file could not be opened "
                                    f"({why.strerror or why})", "check its name and that "
                                    "you may read it"), source=label) from None
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(MAX_BYTES + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    else:
        raise TypeError("from_csv needs a file name, bytes or an open file")
    label = name or f"your {what}"
    if len(data) > MAX_BYTES:
        raise DataError(too_big, source=label)
    return data, label
