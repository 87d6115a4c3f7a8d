"""Safe staffing triggers for a shift on an adult inpatient ward, as NICE guideline SG1 sets them.

Why: "what are the recommended safe staffing levels?" has no single number for an English
adult ward. NICE's guideline SG1 (2014) sets no ratio; it says that a registered nurse
caring for more than 8 patients on a day shift is linked with a higher risk of harm and
should prompt a review, and it lists **nursing red flags**: events that should make the
nurse in charge act at once (for example, call in more registered nurses). This module
checks one shift, or a whole table of shifts, against those triggers and says plainly which
fired and where each comes from. It gives no verdict that a shift was "safe": NICE is clear
that staffing must be set from the patients' needs, by judgement as well as numbers.

Triggers (NICE SG1, 2014; sections on red flags and on day-shift staffing):

* ``fewer_than_two_rns`` -- fewer than 2 registered nurses on the ward during the shift
  (a red flag).
* ``rn_time_shortfall`` -- a shortfall of more than 8 hours, or of 25% or more, of the
  registered nurse time needed for the shift (whichever comes first; a red flag).
* ``more_than_8_per_rn_day`` -- more than 8 patients per registered nurse on a day shift:
  not a red flag but SG1's point at which the risk of harm is known to rise, so the
  staffing should be reviewed.
* the red-flag **events** in :data:`RED_FLAG_EVENTS` (missed medicines, a delay of more
  than 30 minutes in pain relief, vital signs not checked as planned, fundamental care
  checks delayed or missed), which the nurse in charge records as they happen.

The table version (:func:`check_shifts`) is vectorised, so a year of shifts on every ward
is checked in one pass; :func:`check_shift` checks one shift through the same code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from safercare.errors import DataError, Problem

__all__ = ["RED_FLAG_EVENTS", "SOURCE", "TRIGGERS", "ShiftCheck", "check_shift",
           "check_shifts"]

#: Where every trigger comes from.
SOURCE = ("NICE (2014) Safe staffing for nursing in adult inpatient wards in acute hospitals, "
          "guideline SG1")

#: Red-flag events a nurse in charge records, by short name (NICE SG1, 2014).
RED_FLAG_EVENTS: dict[str, str] = {
    "medicines": "a patient's medicines were missed without a plan to miss them",
    "pain_relief": "pain relief was delayed by more than 30 minutes",
    "vital_signs": "vital signs were not checked or recorded as the care plan says",
    "fundamental_care": ("regular checks on patients' fundamental care needs (pain, personal "
                         "needs, position, reach of the call bell) were delayed or missed"),
}

#: The staffing triggers worked out from the numbers, with what each means in words.
TRIGGERS: dict[str, str] = {
    "fewer_than_two_rns": "fewer than 2 registered nurses on the ward (a red flag)",
    "rn_time_shortfall": ("registered nurse time fell short of what the shift needed by more "
                          "than 8 hours or by 25% or more (a red flag)"),
    "more_than_8_per_rn_day": ("more than 8 patients per registered nurse on a day shift "
                               "(the point at which NICE says the risk of harm rises: review "
                               "the staffing)"),
}

#: Registered nurse hours a shift counts for (12-hour shifts, as in the course's data).
SHIFT_HOURS = 12.0


def _fail(bad: np.ndarray, raw: pd.Series, column: str, what: str, fix: str,
          one: bool) -> None:
    """Raise one DataError naming every bad cell by its shift (``raw``'s index + 1; the
    message lists the first few and counts the rest)."""
    rows = np.flatnonzero(bad)
    if len(rows):
        raise DataError([Problem(None if one else int(raw.index[r]) + 1, column, what, fix,
                                 value=str(raw.iloc[r]), unit="shift") for r in rows])


def _numbers(frame: pd.DataFrame, column: str, *, one: bool, required: bool = True
             ) -> np.ndarray:
    """A column as floats of 0 or more; every bad cell named (shift and value)."""
    if column not in frame.columns:
        if not required:
            return np.full(len(frame), np.nan)
        raise DataError(Problem(None, column, "the column is missing",
                                f"add a column called {column!r}"))
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(values) & (raw.notna().to_numpy() | required) | (values < 0)
    _fail(bad, raw, column, "this should be a number of 0 or more",
          "type a number, e.g. 5" + ("" if required else ", or leave it blank"), one)
    return values


def check_shifts(shifts: pd.DataFrame, *, shift_hours: float = SHIFT_HOURS) -> pd.DataFrame:
    """Check every shift in a table against NICE SG1's triggers.

    Columns read: ``patients`` and ``registered_nurses`` (needed); ``shift`` (``day`` or
    ``night``; day if absent); either ``rn_hours_needed`` and ``rn_hours_worked``, or
    ``registered_nurses_planned`` (then hours are nurses x ``shift_hours``), for the
    shortfall; and ``events`` (red-flag events, a list or a comma-separated text of the
    names in :data:`RED_FLAG_EVENTS`). Returns the table with ``patients_per_rn``,
    ``rn_shortfall_hours``, ``rn_shortfall_share``, one True/False column per trigger in
    :data:`TRIGGERS`, ``red_flag_events`` (a count) and ``any_trigger``. Bad cells raise one
    :class:`~safercare.errors.DataError` naming each shift (its 1-based position).
    """
    return _check(shifts, shift_hours, one=False)


def _check(shifts: pd.DataFrame, shift_hours: float, *, one: bool) -> pd.DataFrame:
    """The checks themselves, vectorised; ``one`` says a single shift is checked (no row
    numbers in messages)."""
    if not isinstance(shifts, pd.DataFrame):
        raise DataError(Problem(None, None, "this is not a table of shifts",
                                "pass a pandas DataFrame with a row per shift"))
    frame = shifts.reset_index(drop=True)
    patients = _numbers(frame, "patients", one=one)
    nurses = _numbers(frame, "registered_nurses", one=one)
    if "rn_hours_needed" in frame.columns:
        needed = _numbers(frame, "rn_hours_needed", one=one)
        worked = _numbers(frame, "rn_hours_worked", one=one, required=False)
        worked = np.where(np.isnan(worked), nurses * shift_hours, worked)
    else:
        needed = _numbers(frame, "registered_nurses_planned", one=one,
                          required=False) * shift_hours
        worked = nurses * shift_hours
    night = np.zeros(len(frame), bool)
    if "shift" in frame.columns:
        kind = frame["shift"].astype("string").str.strip().str.lower()
        _fail((~kind.isin(["day", "night"])).to_numpy(bool), frame["shift"], "shift",
              "a shift is day or night", 'type "day" or "night"', one)
        night = (kind == "night").to_numpy(bool)
    events = event_names(frame, one=one)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_rn = np.where(nurses > 0, patients / nurses, np.inf)
        shortfall = np.maximum(needed - worked, 0)
        share = np.where(needed > 0, shortfall / needed, 0.0)
    out = frame.assign(
        patients_per_rn=np.round(per_rn, 2),
        rn_shortfall_hours=shortfall,
        rn_shortfall_share=share,
        fewer_than_two_rns=nurses < 2,
        rn_time_shortfall=(np.nan_to_num(shortfall) > 8) | (np.nan_to_num(share) >= 0.25),
        more_than_8_per_rn_day=~night & (per_rn > 8) & (patients > 0),
        red_flag_events=events.groupby(level=0).count().reindex(frame.index, fill_value=0)
        .to_numpy(np.int64),
    )
    out["any_trigger"] = out[list(TRIGGERS)].any(axis=1) | (out["red_flag_events"] > 0)
    return out


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return value.split(",")
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return []  # blank (NaN or None): no events


def event_names(frame: pd.DataFrame, *, one: bool = False) -> pd.Series:
    """Every red-flag event named in ``events``, one per row of the result, indexed by shift.

    Names are read in any case, with spaces or underscores ("Pain relief"); an unknown name
    is a DataError naming its shift.
    """
    if "events" not in frame.columns:
        return pd.Series([], dtype="string", index=pd.Index([], dtype=np.int64))
    names = frame["events"].map(_as_list).explode().astype("string")
    names = names.str.strip().str.lower().str.replace(" ", "_").replace("", pd.NA).dropna()
    unknown = ~names.isin(list(RED_FLAG_EVENTS))
    _fail(unknown.to_numpy(bool), names, "events", "this is not a red-flag event we know",
          "use " + ", ".join(RED_FLAG_EVENTS), one)
    return names


@dataclass(frozen=True)
class ShiftCheck:
    """One shift checked: its numbers, the triggers that fired, and the events recorded."""

    patients: int
    registered_nurses: int
    shift: str
    patients_per_rn: float
    shortfall_hours: float
    shortfall_share: float
    fired: tuple[str, ...]
    events: tuple[str, ...]

    def describe(self) -> str:
        """The check in plain words, each trigger with what it means and its source."""
        ratio = ("no registered nurse" if not np.isfinite(self.patients_per_rn)
                 else f"{self.patients_per_rn:.1f} patients per registered nurse")
        nurses = (f"{self.registered_nurses} registered nurse"
                  + ("" if self.registered_nurses == 1 else "s"))
        head = f"A {self.shift} shift with {self.patients} patients and {nurses}: {ratio}."
        if self.shortfall_hours > 0:
            head += (f" Registered nurse time was {self.shortfall_hours:g} hours "
                     f"({100 * self.shortfall_share:.0f}%) short of what the shift needed.")
        lines = [f"- {TRIGGERS[t][0].upper()}{TRIGGERS[t][1:]}." for t in self.fired]
        lines += [f"- Red-flag event: {RED_FLAG_EVENTS[e]}." for e in self.events]
        if not lines:
            return (head + " No NICE trigger fired. That does not prove the shift was safe: "
                    "NICE asks for staffing set from the patients' needs and the nurse in "
                    f"charge's judgement ({SOURCE}).")
        n = len(lines)
        return (head + f" {n} trigger{'s' if n > 1 else ''} fired:\n\n" + "\n".join(lines)
                + f"\n\nSource: {SOURCE}. A red flag means the nurse in charge should act "
                  "now, for example by asking for more registered nurses.")


def check_shift(patients: int, registered_nurses: int, *, shift: str = "day",
                rn_hours_needed: float | None = None, rn_hours_worked: float | None = None,
                events: Iterable[str] | str = ()) -> ShiftCheck:
    """Check one shift's numbers against NICE SG1's triggers (see :func:`check_shifts`).

    ``rn_hours_needed`` is the registered nurse time the patients need this shift (from the
    ward's acuity tool); ``rn_hours_worked`` defaults to ``registered_nurses`` x 12 hours.
    """
    row: dict[str, object] = {"patients": patients, "registered_nurses": registered_nurses,
                              "shift": shift,
                              "events": events if isinstance(events, str) else list(events)}
    if rn_hours_needed is not None:
        row["rn_hours_needed"] = rn_hours_needed
        row["rn_hours_worked"] = np.nan if rn_hours_worked is None else rn_hours_worked
    result = _check(pd.DataFrame([row]), SHIFT_HOURS, one=True)
    first = result.iloc[0]
    return ShiftCheck(
        patients=int(first["patients"]), registered_nurses=int(first["registered_nurses"]),
        shift=str(first["shift"]).strip().lower(), patients_per_rn=float(first["patients_per_rn"]),
        shortfall_hours=float(np.nan_to_num(first["rn_shortfall_hours"])),
        shortfall_share=float(np.nan_to_num(first["rn_shortfall_share"])),
        fired=tuple(t for t in TRIGGERS if bool(first[t])),
        events=tuple(event_names(pd.DataFrame([row]), one=True)),
    )
