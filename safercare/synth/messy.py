"""Deliberately messy copies of two datasets, for the lessons on data quality.

Each is one series exported the way a busy team might keep it in a spreadsheet: UK
day-first dates (``01/04/2022``), a blank cell, words in number columns, a month typed
twice, months missing, a zero denominator. Every planted problem is listed (Excel row
number, column, kind, the text in the cell) so the loader's tests can check each one is
reported; a few cells that look odd but are fine (a number with spaces around it)
are listed as traps the loader must not report.

In ``datapackage.json`` the number columns of a messy file are described as text
(``string``), because that is what they are: a column of "falls" that holds "n/a" is
not a column of integers, and the data package must validate (``frictionless
validate``). The type each is meant to have once fixed is kept beside it as
``intended_type``. The date column stays a date (every cell is one, day first), but
the table's key (``month``, planted twice) is not declared as ``primaryKey``: it is
the resource's ``intended_primary_key``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from safercare.synth import falls, geography, sepsis
from safercare.synth.base import SYNTHETIC_NOTE, Dataset, fld
from safercare.synth.sources import cite

DATE_FORMAT = "%d/%m/%Y"


def _messify(clean: pd.DataFrame, date: str, *, missing: list[str], duplicate: str,
             edits: list[tuple[str, str, str, str | None]],
             traps: list[tuple[str, str]]) -> tuple[pd.DataFrame,
                                                                list[dict[str, Any]],
                                                                list[dict[str, Any]]]:
    """Apply the planted problems to a clean one-series table (all cells become text).

    ``edits`` are ``(period, column, new text, kind)`` (kind ``None``: a companion edit
    that is not a problem); ``traps`` are ``(period, column)`` cells whose true value is
    rewritten with spaces around it, which a loader must read as the number. Row
    numbers are Excel's: the header is row 1.
    """
    frame = clean.copy()
    periods = frame[date].dt.strftime("%Y-%m-%d")
    frame = frame[~periods.isin(missing)]
    dup_at = int((frame[date] == pd.Timestamp(duplicate)).to_numpy().nonzero()[0][0])
    frame = pd.concat([frame.iloc[:dup_at + 1], frame.iloc[[dup_at]],
                       frame.iloc[dup_at + 1:]], ignore_index=True)
    key = frame[date].dt.strftime("%Y-%m-%d").to_numpy()
    text = frame.astype(str)
    text[date] = frame[date].dt.strftime(DATE_FORMAT)

    def row_of(period: str, occurrence: int = 0) -> int:
        return int((key == period).nonzero()[0][occurrence]) + 2

    problems: list[dict[str, Any]] = []
    for period, column, value, kind in edits:
        text.loc[row_of(period) - 2, column] = value
        if kind is None:  # a consistent companion edit, not a problem in itself
            continue
        problems.append({"row": row_of(period), "column": column, "kind": kind,
                         "value": value, "period": period})
    problems.append({"row": row_of(duplicate, 1), "column": date,
                     "kind": "duplicate_period", "value": text.loc[row_of(duplicate, 1) - 2,
                                                                   date],
                     "period": duplicate})
    for period in missing:
        after = key[key > period].min()
        problems.append({"row": row_of(after), "column": date, "kind": "missing_period",
                         "value": pd.Timestamp(period).strftime(DATE_FORMAT),
                         "period": period,
                         "note": "this period is absent; row is the first one after the gap"})
    not_problems = []
    for period, column in traps:
        reads_as = float(frame.loc[row_of(period) - 2, column])
        value = f" {reads_as:.0f} "
        text.loc[row_of(period) - 2, column] = value
        not_problems.append({"row": row_of(period), "column": column, "value": value,
                             "reads_as": reads_as, "period": period})
    problems.sort(key=lambda p: (p["row"], p["column"]))
    return text, problems, not_problems


_NOUNS = {"integer": "whole numbers", "number": "numbers"}


def as_text(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A messy file's field descriptors: number columns as text, their type as intended_type."""
    out = []
    for spec in fields:
        kind = spec["type"]
        if kind not in _NOUNS:
            out.append(spec)
            continue
        out.append({**spec, "type": "string", "intended_type": kind,
                    "description": f"{spec['description']} Text in this messy copy: some "
                    f"cells are deliberately not {_NOUNS[kind]} (intended type: {kind})."})
    return out


PROBLEM_KINDS = {
    "blank": "the cell is empty",
    "not_a_number": "text in a number column",
    "duplicate_period": "the same period appears twice (the second copy is listed)",
    "missing_period": "a period in the regular series is absent",
    "zero_denominator": "the denominator is 0, so no rate can be worked out",
    "numerator_above_denominator": "more patients screened than were eligible",
}


def falls_messy() -> Dataset:
    ward = "C02-AT1-W1"
    clean = falls.generate()
    clean = clean.loc[clean["ward_id"] == ward,
                      ["month", "ward_id", "falls", "occupied_bed_days"]].reset_index(drop=True)
    frame, problems, traps = _messify(
        clean, "month", missing=["2024-02-01"], duplicate="2023-08-01",
        edits=[("2022-09-01", "falls", "", "blank"),
               ("2023-01-01", "falls", "n/a", "not_a_number"),
               ("2023-05-01", "occupied_bed_days", "TBC", "not_a_number"),
               ("2024-06-01", "occupied_bed_days", "0", "zero_denominator"),
               ("2024-11-01", "occupied_bed_days", "", "blank")],
        traps=[("2022-12-01", "occupied_bed_days")])
    return Dataset(
        name="falls_messy",
        primary_key=["month"],
        title="Falls on one ward, as kept in a spreadsheet (deliberately messy)",
        description=(
            f"The falls series of ward {ward} with planted data-quality problems, for "
            "practising data checks. Do not chart it before fixing it. " + SYNTHETIC_NOTE
        ),
        story=(
            "The ward manager keeps falls in a spreadsheet typed up each month. Dates are "
            "day-first, one month was typed twice, one never typed, a few cells were left "
            "blank or filled with a note, and in one month bed days were not filled in "
            "and show 0."
        ),
        grain="one row per month, as intended",
        seed=falls.SEED,
        fields=as_text([
            fld("month", "date", "First day of the month, written day-first (dd/mm/yyyy).",
                unit="month", format=DATE_FORMAT),
            *geography.key_fields("ward_id"),
            fld("falls", "integer", "Inpatient falls reported.", unit="falls"),
            fld("occupied_bed_days", "integer", "Occupied bed days.", unit="bed days"),
        ]),
        frame=frame,
        sources=[cite("rcp2015naif", "the underlying rate (see the falls dataset)")],
        messy=True,
        problems=problems + [{"kind": "trap", **t} for t in traps],
    )


def sepsis_messy() -> Dataset:
    trust = sepsis.IMPROVING_TRUST
    clean = sepsis.screening()
    clean = clean.loc[clean["trust_id"] == trust,
                      ["month", "trust_id", "patients_eligible",
                       "patients_screened"]].reset_index(drop=True)
    over = clean.loc[clean["month"] == "2024-05-01", "patients_eligible"].iloc[0] + 40
    frame, problems, traps = _messify(
        clean, "month", missing=["2023-10-01", "2023-11-01"], duplicate="2023-03-01",
        edits=[("2022-07-01", "patients_screened", "", "blank"),
               ("2022-12-01", "patients_eligible", "see note", "not_a_number"),
               ("2023-06-01", "patients_eligible", "0", "zero_denominator"),
               ("2023-06-01", "patients_screened", "0", None),
               ("2024-05-01", "patients_screened", str(over),
                "numerator_above_denominator")],
        traps=[("2024-09-01", "patients_eligible")])
    return Dataset(
        name="sepsis_screening_messy",
        primary_key=["month"],
        title="Sepsis screening at one trust, as kept in a spreadsheet (deliberately messy)",
        description=(
            f"The sepsis screening series of {trust} with planted data-quality problems, "
            "for practising data checks. " + SYNTHETIC_NOTE
        ),
        story=(
            "The sepsis lead copies the monthly audit into a spreadsheet. Dates are "
            "day-first; a month was pasted twice, two months were never entered, one "
            "month's audit was not done (0 eligible), and one screened count was typed "
            "into the wrong month."
        ),
        grain="one row per month, as intended",
        seed=sepsis.SEED,
        fields=as_text([
            fld("month", "date", "First day of the month, written day-first (dd/mm/yyyy).",
                unit="month", format=DATE_FORMAT),
            *geography.key_fields("trust_id"),
            fld("patients_eligible", "integer", "Patients who met the screening criteria.",
                unit="patients"),
            fld("patients_screened", "integer", "Patients screened.", unit="patients"),
        ]),
        frame=frame,
        sources=[cite("nhse2015sepsis", "the measure (see the sepsis_screening dataset)")],
        messy=True,
        problems=problems + [{"kind": "trap", **t} for t in traps],
    )
