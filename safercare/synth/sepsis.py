"""Sepsis: screening compliance per trust per month, and door-to-antibiotic time per patient.

NICE NG51 sets the standard: antibiotics within one hour for people at high risk from
sepsis; NHS England's 2015 action plan made screening and timely antibiotics the
national improvement measures. Rates here are illustrative within those standards:
screening compliance around 75-85% before improvement work; a median door-to-antibiotic
time a little over an hour.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from safercare.synth import geography
from safercare.synth.base import SYNTHETIC_NOTE, Dataset, fld, months, months_before, refs, signal
from safercare.synth.sources import cite

SEED = 1401
SEED_PATIENTS = 1702
IMPROVING_TRUST = "C04-AT1"
START = "2023-09-01"
#: Trusts whose individual patients are listed in sepsis_antibiotics.
PATIENT_TRUSTS = ["C04-AT1", "C08-AT2", "C11-AT1"]
MEDIAN_MINUTES = 72.0
MEDIAN_MINUTES_AFTER = 44.0


def screening() -> pd.DataFrame:
    """Trust-month table: patients meeting screening criteria and patients screened."""
    rng = np.random.default_rng(SEED)
    trusts = geography.orgs("acute_trust")
    month = months()
    n_t, n_m = len(trusts), len(month)
    size = rng.uniform(0.6, 1.5, (n_t, 1))
    eligible = rng.poisson(170 * size * np.ones((1, n_m))).astype(np.int64)
    compliance = np.repeat(rng.beta(40, 11, (n_t, 1)), n_m, axis=1)
    i = geography.org_row(trusts, IMPROVING_TRUST)
    compliance[i, :months_before(START)] = 0.72
    compliance[i, months_before(START):] = 0.91
    screened = rng.binomial(eligible, compliance).astype(np.int64)
    return pd.DataFrame({
        **geography.org_period_keys(trusts, "month", month, trust_id="org_id"),
        "patients_eligible": eligible.ravel(),
        "patients_screened": screened.ravel(),
    })


def antibiotics() -> pd.DataFrame:
    """One row per patient with suspected high-risk sepsis in three trusts' emergency
    departments: arrival time and minutes from arrival to the first antibiotic dose."""
    rng = np.random.default_rng(SEED_PATIENTS)
    month = months()
    per_month = rng.poisson(28, (len(PATIENT_TRUSTS), len(month)))
    trust = np.repeat(np.repeat(PATIENT_TRUSTS, len(month)), per_month.ravel())
    month_start = np.repeat(np.tile(month.to_numpy(), len(PATIENT_TRUSTS)),
                            per_month.ravel())
    n = trust.size
    days = pd.DatetimeIndex(month_start).days_in_month.to_numpy()
    offset_minutes = np.floor(rng.random(n) * days * 1440).astype(np.int64)
    arrival = pd.DatetimeIndex(month_start) + pd.to_timedelta(offset_minutes, unit="min")
    improved = (trust == IMPROVING_TRUST) & (arrival >= pd.Timestamp(START))
    median = np.where(improved, MEDIAN_MINUTES_AFTER, MEDIAN_MINUTES)
    minutes = np.maximum(5, np.round(median * rng.lognormal(0, 0.5, n))).astype(np.int64)
    frame = pd.DataFrame({"trust_id": trust, "arrival": arrival,
                          "door_to_antibiotic_minutes": minutes,
                          "within_60_minutes": minutes <= 60})
    frame = frame.sort_values(["trust_id", "arrival"], kind="stable").reset_index(drop=True)
    frame.insert(0, "patient_ref", refs("S", len(frame)))
    return frame


SOURCES = [
    cite("nice2016ng51", "the one-hour antibiotic standard behind door-to-antibiotic "
         "time and the within_60_minutes flag"),
    cite("nhse2015sepsis", "screening compliance and timely antibiotics as the "
         "improvement measures"),
    cite("illustrative", "the baseline compliance (about 78%) and the median time "
         "(about 72 minutes)"),
]


def screening_dataset() -> Dataset:
    return Dataset(
        name="sepsis_screening",
        primary_key=["trust_id", "month"],
        title="Sepsis screening compliance per trust per month",
        description=(
            "Patients in each acute trust's emergency department who met the criteria "
            "for sepsis screening, and how many were screened, monthly April 2022 to "
            "March 2025. " + SYNTHETIC_NOTE
        ),
        story=(
            "Every trust audits whether patients who should be screened for sepsis were "
            f"screened. {IMPROVING_TRUST} started a sepsis improvement collaborative in "
            f"{START[:7]}: a screening tool built into triage and a sepsis nurse on each "
            "shift."
        ),
        grain="one row per acute trust per month",
        seed=SEED,
        fields=[
            *geography.key_fields("month", "collaborative_id", "trust_id"),
            fld("patients_eligible", "integer", "Patients who met the criteria for "
                "sepsis screening.", unit="patients"),
            fld("patients_screened", "integer", "Of those, patients screened with the "
                "sepsis tool.", unit="patients"),
        ],
        frame=screening(),
        sources=SOURCES,
        answer_key=[signal(
            f"sepsis-screening-{IMPROVING_TRUST}", {"trust_id": IMPROVING_TRUST},
            "patients screened, % of eligible", START, "shift", "higher", "improvement",
            f"compliance rose from 72% to 91% from {START[:7]}",
            {"chart": "p_chart", "numerator": "patients_screened",
             "denominator": "patients_eligible", "date": "month",
             "baseline": months_before(START), "direction": "higher"})],
    )


def antibiotics_dataset() -> Dataset:
    return Dataset(
        name="sepsis_antibiotics",
        primary_key=["patient_ref"],
        title="Door-to-antibiotic time per patient with suspected sepsis",
        description=(
            "One row per adult with suspected high-risk sepsis arriving at the emergency "
            f"departments of {', '.join(PATIENT_TRUSTS)}, April 2022 to March 2025: "
            "arrival time and minutes to the first antibiotic dose. " + SYNTHETIC_NOTE
        ),
        story=(
            "The standard is antibiotics within one hour. At "
            f"{IMPROVING_TRUST} the sepsis collaborative (from {START[:7]}) put "
            "pre-filled antibiotic packs in resuscitation bays; the other two trusts "
            "changed nothing."
        ),
        grain="one row per patient (event)",
        seed=SEED_PATIENTS,
        fields=[
            fld("patient_ref", "string", "Synthetic reference, not a real identifier."),
            *geography.key_fields("trust_id"),
            fld("arrival", "datetime", "Date and time of arrival in the emergency "
                "department.", unit="date-time"),
            fld("door_to_antibiotic_minutes", "integer", "Minutes from arrival to the "
                "first dose of intravenous antibiotics.", unit="minutes"),
            fld("within_60_minutes", "boolean", "Whether the first dose was given within "
                "60 minutes."),
        ],
        frame=antibiotics(),
        sources=SOURCES,
        answer_key=[signal(
            f"sepsis-antibiotics-{IMPROVING_TRUST}", {"trust_id": IMPROVING_TRUST},
            "median door-to-antibiotic minutes per month", START, "shift", "lower",
            "improvement", f"median time fell from {MEDIAN_MINUTES:.0f} to "
            f"{MEDIAN_MINUTES_AFTER:.0f} minutes from {START[:7]}",
            {"chart": "xmr", "value": "door_to_antibiotic_minutes", "date": "arrival",
             "baseline": months_before(START), "direction": "lower"},
            aggregate={"by": "arrival", "period": "month",
                       "value": "door_to_antibiotic_minutes", "how": "median"},
        )],
    )
