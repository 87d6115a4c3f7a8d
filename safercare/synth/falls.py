"""Inpatient falls per ward per month, with harm grades and planted improvement work.

Rates follow the national picture: about 6.6 falls per 1,000 occupied bed days on
average (Royal College of Physicians 2015), higher on elderly care and stroke wards and
lower on surgical wards, within the 3 to 14 range reported across hospitals (Healey et
al. 2008). Most falls cause no or low harm.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from safercare.synth import geography
from safercare.synth.base import (
    SYNTHETIC_NOTE,
    Dataset,
    fld,
    months,
    months_before,
    poisson,
    signal,
    split_columns,
)
from safercare.synth.sources import cite

SEED = 4701

#: Falls per 1,000 occupied bed days before any improvement work, by specialty.
BASE_RATE = {"Elderly care": 8.2, "Stroke": 8.0, "Acute medical unit": 6.5,
             "Respiratory": 6.0, "Orthopaedics": 5.0, "General surgery": 3.0}
#: Share of falls by harm grade (no harm, low, moderate, severe, death).
HARM_SPLIT = np.array([0.66, 0.30, 0.028, 0.010, 0.002])
HARM_COLUMNS = ["falls_no_harm", "falls_low_harm", "falls_moderate_harm",
                "falls_severe_harm", "falls_death"]

#: Wards that ran documented falls improvement work: ward → (start month, rate factor).
IMPROVEMENT = {
    "C02-AT1-W1": ("2023-07-01", 0.55),
    "C05-AT2-W1": ("2023-10-01", 0.55),
    "C09-AT1-W1": ("2024-01-01", 0.55),
    "C12-AT2-W1": ("2024-04-01", 0.50),
}
#: A ward that moved to an older building with poor sight lines: falls rise.
DETERIORATION = {"C14-AT1-W1": ("2024-06-01", 1.7)}
#: A ward where nothing changed: a chart should show only common-cause variation.
QUIET = "C07-AT1-W2"


def generate() -> pd.DataFrame:
    """The clean ward-month table, vectorised over wards × months."""
    rng = np.random.default_rng(SEED)
    wards = geography.orgs("ward")
    month = months()
    n_w, n_m = len(wards), len(month)
    days = month.days_in_month.to_numpy()
    winter = np.cos(2 * np.pi * (month.month.to_numpy() - 1) / 12)  # +1 in January
    occupancy = np.clip(0.91 + 0.03 * winter + rng.normal(0, 0.025, (n_w, n_m)), 0.7, 0.99)
    beds = wards["beds"].to_numpy(dtype=float)[:, None]
    bed_days = np.round(beds * days * occupancy).astype(np.int64)

    base = wards["specialty"].map(BASE_RATE).to_numpy(dtype=float)[:, None]
    ward_effect = rng.lognormal(-0.02, 0.2, (n_w, 1))
    planted = {**IMPROVEMENT, **DETERIORATION}
    for ward_id in planted:
        ward_effect[geography.org_row(wards, ward_id)] = 1.25
    factor = np.ones((n_w, n_m))
    for ward_id, (start, size) in planted.items():
        factor[geography.org_row(wards, ward_id), months_before(start):] = size
    rate = base * ward_effect * (1 + 0.05 * winter) * factor / 1000
    falls = poisson(rng, rate * bed_days)
    harm = rng.multinomial(falls.ravel(), HARM_SPLIT)

    return pd.DataFrame({
        **geography.org_period_keys(wards, "month", month, trust_id="parent_id",
                                    ward_id="org_id", specialty="specialty"),
        "occupied_bed_days": bed_days.ravel(),
        "falls": falls.ravel(),
        **split_columns(HARM_COLUMNS, harm),
    })


def _chart(start: str, direction: str = "lower") -> dict[str, object]:
    return {"chart": "u_chart", "numerator": "falls", "denominator": "occupied_bed_days",
            "date": "month", "multiplier": 1000, "baseline": months_before(start),
            "direction": direction}


def answer_key() -> list[dict[str, object]]:
    """The planted signals: four improving wards, one deteriorating, one quiet."""
    key = [
        signal(f"falls-improvement-{ward}", {"ward_id": ward},
               "falls per 1,000 occupied bed days", start, "shift", "lower",
               "improvement", f"falls rate multiplied by {size} from {start[:7]} "
               "(documented falls improvement work: lying and standing blood pressure, "
               "bay nursing, a falls huddle)", _chart(start))
        for ward, (start, size) in IMPROVEMENT.items()
    ]
    key += [
        signal(f"falls-deterioration-{ward}", {"ward_id": ward},
               "falls per 1,000 occupied bed days", start, "shift", "higher", "concern",
               f"falls rate multiplied by {size} from {start[:7]} (the ward moved to an "
               "older building with poor sight lines)", _chart(start))
        for ward, (start, size) in DETERIORATION.items()
    ]
    key.append(signal(
        f"falls-quiet-{QUIET}", {"ward_id": QUIET}, "falls per 1,000 occupied bed days",
        "2022-04-01", "common_cause", "none", "common_cause",
        "nothing planted: only common-cause variation",
        {"chart": "u_chart", "numerator": "falls", "denominator": "occupied_bed_days",
         "date": "month", "multiplier": 1000, "direction": "lower"}))
    return key


def dataset() -> Dataset:
    """Falls as a course dataset with its metadata."""
    frame = generate()
    return Dataset(
        name="falls",
        primary_key=["ward_id", "month"],
        title="Inpatient falls and occupied bed days per ward per month",
        description=(
            "Monthly counts of inpatient falls, by harm grade, and occupied bed days for "
            "each of the 120 acute wards, April 2022 to March 2025. " + SYNTHETIC_NOTE
        ),
        story=(
            "Every ward reports its falls to the trust's incident system and its occupied "
            "bed days from the patient administration system. Four elderly care wards ran "
            "documented falls improvement work from a known month; one ward moved to an "
            "older building and its falls rose. Can you find them?"
        ),
        grain="one row per ward per month",
        seed=SEED,
        fields=[
            *geography.key_fields("month", "collaborative_id", "trust_id", "ward_id"),
            fld("specialty", "string", "Ward specialty."),
            fld("occupied_bed_days", "integer", "Sum over the month's days of beds "
                "occupied at midnight.", unit="bed days"),
            fld("falls", "integer", "Inpatient falls reported, all harm grades.",
                unit="falls"),
            fld("falls_no_harm", "integer", "Falls graded no harm.", unit="falls"),
            fld("falls_low_harm", "integer", "Falls graded low harm.", unit="falls"),
            fld("falls_moderate_harm", "integer", "Falls graded moderate harm.",
                unit="falls"),
            fld("falls_severe_harm", "integer", "Falls graded severe harm.", unit="falls"),
            fld("falls_death", "integer", "Falls that led to death.", unit="falls"),
        ],
        frame=frame,
        sources=[
            cite("rcp2015naif", "the average rate of about 6.6 falls per 1,000 "
                 "occupied bed days"),
            cite("nhsi2017falls", "the scale of the problem (about 250,000 reported "
                 "falls a year)"),
            cite("healey2008falls", "the spread of ward rates (3 to 14 per 1,000 bed "
                 "days) and the mostly no- or low-harm split of harm grades"),
        ],
        answer_key=answer_key(),
    )
