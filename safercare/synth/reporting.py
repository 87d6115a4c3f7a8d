"""Incident reporting on wards: the reporting paradox and near-miss reports (lesson 23).

Two tables. ``unit_incident_reporting``: 30 wards with a true harm rate, an incident
reporting rate and a safety-culture survey score, planted so that wards which report
more are, on the whole, the safer ones. ``near_miss_reports``: 200 short synthetic
near-miss narratives, each tagged with one main contributing factor, with a planted
Pareto (the top two factors make about half the reports).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from safercare.synth import geography
from safercare.synth.base import SYNTHETIC_NOTE, Dataset, fld, refs, signal
from safercare.synth.sources import cite

SEED_UNITS = 2301
SEED_NEAR_MISS = 2302
N_WARDS = 30
N_REPORTS = 200

#: Contributing factors and the planted share of near-miss reports each one tags.
FACTORS: dict[str, float] = {
    "look-alike packaging": 0.28, "interruptions": 0.22, "handover": 0.14,
    "labelling": 0.12, "staffing": 0.10, "equipment": 0.08, "other": 0.06,
}

NARRATIVES: dict[str, list[str]] = {
    "look-alike packaging": [
        "Two insulin pens of different strengths were stored side by side; the nurse "
        "noticed before giving it.",
        "Two ampoules with near-identical boxes were in the same drawer; the second "
        "checker spotted the wrong one.",
        "A bag of potassium chloride looked like a plain saline bag; it was caught at the "
        "bedside check.",
    ],
    "interruptions": [
        "The nurse was called away during the drug round and came back to the wrong "
        "bay; the patient asked whose tablets they were.",
        "A phone call interrupted a dose calculation; the second check found the slip.",
        "A doctor was interrupted while prescribing and left the dose blank; the "
        "pharmacist queried it.",
    ],
    "handover": [
        "An allergy was missed at shift handover; the patient mentioned it before the "
        "dose was given.",
        "A fasting instruction was not passed on at handover; breakfast was stopped "
        "just in time.",
    ],
    "labelling": [
        "A syringe in the clean room had no label; it was thrown away and drawn up "
        "again.",
        "A blood sample was labelled with the bed number only; the lab rejected it "
        "before testing.",
    ],
    "staffing": [
        "One nurse covered two bays during a busy night; a late dose was noticed at "
        "the next check.",
        "An agency nurse did not know where the emergency trolley was kept; a colleague "
        "showed them before it was needed.",
    ],
    "equipment": [
        "An infusion pump was set in millilitres per hour instead of per minute; the "
        "pump's alarm caught it.",
        "The suction unit by a bed was not working at the morning check; it was "
        "replaced before it was needed.",
    ],
    "other": [
        "A patient with the same surname moved into the next bed; a name alert was "
        "added before any mix-up.",
    ],
}


def units() -> pd.DataFrame:
    """Thirty wards: culture drives reporting up and true harm down, with noise."""
    rng = np.random.default_rng(SEED_UNITS)
    wards = geography.orgs("ward")
    pick = np.sort(rng.choice(len(wards), N_WARDS, replace=False))
    chosen = wards.iloc[pick].reset_index(drop=True)
    bed_days = rng.integers(6000, 11001, N_WARDS)
    culture = np.round(rng.uniform(45, 90, N_WARDS))
    report_rate = np.exp(rng.normal(np.log(15 + 0.55 * (culture - 45)), 0.25))
    harm_rate = np.exp(rng.normal(np.log(3.2) - 0.022 * (culture - 45), 0.22))
    near_miss_rate = report_rate * rng.uniform(0.3, 0.8, N_WARDS)
    reports = rng.poisson(report_rate * bed_days / 1000)
    harms = rng.poisson(harm_rate * bed_days / 1000)
    near_misses = np.minimum(rng.poisson(near_miss_rate * bed_days / 1000), reports)
    return pd.DataFrame({
        "collaborative_id": chosen["collaborative_id"].to_numpy(),
        "trust_id": chosen["parent_id"].to_numpy(),
        "ward_id": chosen["org_id"].to_numpy(),
        "ward": chosen["org_name"].to_numpy(),
        "bed_days": bed_days.astype(np.int64),
        "safety_culture_score": culture.astype(np.int64),
        "incident_reports": reports.astype(np.int64),
        "near_miss_reports": near_misses.astype(np.int64),
        "harm_events": harms.astype(np.int64),
    })


def units_dataset() -> Dataset:
    """The reporting-paradox table as a course dataset."""
    return Dataset(
        name="unit_incident_reporting",
        primary_key=["ward_id"],
        title="Incident reports, near misses, harm and safety culture on 30 wards in a year",
        description=(
            "Bed days, a staff safety-culture survey score, incident reports (all kinds), "
            "near-miss reports and harm events found by case-note review for 30 fictional "
            "wards over one year. " + SYNTHETIC_NOTE
        ),
        story=(
            "A league table of incident reports looks like a table of the least safe "
            "wards. Here the wards that report most tend to have the best safety culture "
            "and the least harm found by case-note review: reporting measures openness, "
            "not danger."
        ),
        grain="one row per ward (one year)",
        seed=SEED_UNITS,
        fields=[
            *geography.key_fields("collaborative_id", "trust_id", "ward_id"),
            fld("ward", "string", "Fictional ward name."),
            fld("bed_days", "integer", "Occupied bed days in the year.", unit="bed days"),
            fld("safety_culture_score", "integer", "Staff safety-culture survey score "
                "(0-100, higher is better).", unit="score"),
            fld("incident_reports", "integer", "Incident reports of every kind, including "
                "near misses.", unit="reports"),
            fld("near_miss_reports", "integer", "Reports of near misses (caught before "
                "reaching the patient).", unit="reports"),
            fld("harm_events", "integer", "Harm events found by structured case-note "
                "review (the truer measure of harm).", unit="events"),
        ],
        frame=units(),
        sources=[
            cite("reason1997", "reporting culture as part of safety culture"),
            cite("illustrative", "all rates"),
        ],
        answer_key=[
            signal("reporting-paradox", {}, "report and harm rates per 1,000 bed days "
                   "against safety-culture score", "2024-04-01", "association", "none",
                   "common_cause", "reporting rate rises and harm rate falls with the "
                   "culture score",
                   {"chart": "correlation", "x": "safety_culture_score",
                    "y": ["incident_reports", "harm_events"], "per": "bed_days",
                    "signs": ["positive", "negative"]},
                   strict=False),
        ],
    )


def near_misses() -> pd.DataFrame:
    """Two hundred near-miss reports, each with one main contributing factor."""
    rng = np.random.default_rng(SEED_NEAR_MISS)
    names = list(FACTORS)
    counts = np.round(np.array(list(FACTORS.values())) * N_REPORTS).astype(int)
    counts[0] += N_REPORTS - counts.sum()
    factor = rng.permutation(np.repeat(names, counts))
    pick = rng.integers(0, 1000, N_REPORTS)
    texts = np.array([NARRATIVES[f][k % len(NARRATIVES[f])] for f, k in zip(factor, pick,
                                                                            strict=True)])
    wards = geography.orgs("ward")
    ward = wards.iloc[rng.integers(0, len(wards), N_REPORTS)]
    day = pd.Timestamp("2024-04-01") + pd.to_timedelta(np.sort(rng.integers(0, 366,
                                                                            N_REPORTS)), "D")
    return pd.DataFrame({
        "report_id": refs("NM", N_REPORTS, 4),
        "report_date": day,
        "ward_id": ward["org_id"].to_numpy(),
        "contributing_factor": factor,
        "narrative": texts,
    })


def near_miss_dataset() -> Dataset:
    """The near-miss narratives as a course dataset."""
    return Dataset(
        name="near_miss_reports",
        primary_key=["report_id"],
        title="Near-miss reports with their main contributing factor",
        description=(
            "Two hundred short near-miss narratives from fictional wards, April 2024 to "
            "March 2025, each tagged with one main contributing factor. No persons are "
            "named. " + SYNTHETIC_NOTE
        ),
        story=(
            "Most near misses share a few causes. Here look-alike packaging and "
            "interruptions together account for half the reports: a Pareto chart shows "
            "where to start."
        ),
        grain="one row per near-miss report",
        seed=SEED_NEAR_MISS,
        fields=[
            fld("report_id", "string", "Synthetic report reference."),
            fld("report_date", "date", "Date the report was made."),
            *geography.key_fields("ward_id"),
            fld("contributing_factor", "string", "Main contributing factor, as tagged "
                "by the reviewer."),
            fld("narrative", "string", "What nearly happened, in one or two sentences."),
        ],
        frame=near_misses(),
        sources=[cite("illustrative", "the narratives and the factor shares")],
        answer_key=[],
    )


DATASETS = [units_dataset]
