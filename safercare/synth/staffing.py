"""Ward staffing by shift, linked to harms, with confounding by acuity built in.

Sicker patients (higher acuity) bring both more nurses (the roster is set from acuity)
and more harm. So, looked at naively, shifts with more registered nurses have *more*
harm; compared at the same acuity, more registered nurses means less harm and less
missed care, as the research finds (Ball et al. 2014; Griffiths et al. 2019). Red flags
follow NICE SG1: a registered nurse shortfall of 25% or more of the planned time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from safercare.synth import geography
from safercare.synth.base import SYNTHETIC_NOTE, Dataset, fld, poisson, signal
from safercare.synth.sources import cite

SEED = 1701
COLLABORATIVE = "C05"
FIRST_DAY = "2024-04-01"
N_DAYS = 365
SHIFTS = ["day", "night"]
PATIENTS_PER_RN = {"day": 7.0, "night": 9.0}   # planned, at acuity 1


def generate() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    wards = geography.orgs("ward")
    wards = wards[wards["collaborative_id"] == COLLABORATIVE].reset_index(drop=True)
    n_w, n_s = len(wards), N_DAYS * len(SHIFTS)
    beds = wards["beds"].to_numpy(dtype=np.int64)[:, None]
    patients = rng.binomial(np.broadcast_to(beds, (n_w, n_s)), 0.93)
    elderly = (wards["specialty"] == "Elderly care").to_numpy()[:, None]
    # acuity: a ward level plus slowly wandering day-to-day variation (AR(1), phi 0.8)
    wander = lfilter([1.0], [1.0, -0.8], rng.normal(0, 0.06, (n_w, n_s)), axis=1)
    ward_level = rng.normal(0, 0.08, (n_w, 1))
    acuity = np.clip(1.15 + 0.4 * elderly + ward_level + wander, 0.9, 2.2)
    night = np.tile([0, 1], N_DAYS)[None, :].astype(bool)
    ratio = np.where(night, PATIENTS_PER_RN["night"], PATIENTS_PER_RN["day"])
    planned = np.ceil(patients * acuity / ratio).astype(np.int64)
    absent = rng.binomial(planned, 0.06)
    registered = np.maximum((planned + 1) // 2, planned - absent)
    absent = planned - registered
    support = np.maximum(1, np.round(patients / np.where(night, 10, 7)
                                     + rng.normal(0, 0.6, (n_w, n_s)))).astype(np.int64)
    load = patients / registered                      # patients per registered nurse
    shortfall = absent / planned
    red_flags = poisson(rng, 0.1 + 1.5 * (shortfall >= 0.25))
    missed_care = poisson(rng, np.exp(-0.2 + 0.25 * np.minimum(load - 6, 6)
                                      + 1.2 * (acuity - 1.3)))
    awake = np.where(night, 0.8, 1.3)                 # more falls while patients are up
    harms = poisson(rng, 0.14 * awake * np.exp(3.0 * (acuity - 1.3)
                                               + 0.2 * np.minimum(load - 6, 6)))

    day = pd.date_range(FIRST_DAY, periods=N_DAYS, freq="D").to_numpy()
    return pd.DataFrame({
        "date": np.tile(np.repeat(day, len(SHIFTS)), n_w),
        "shift": np.tile(SHIFTS, n_w * N_DAYS),
        "trust_id": np.repeat(wards["parent_id"].to_numpy(), n_s),
        "ward_id": np.repeat(wards["org_id"].to_numpy(), n_s),
        "patients": patients.ravel().astype(np.int64),
        "acuity": np.round(acuity.ravel(), 2),
        "registered_nurses_planned": planned.ravel(),
        "registered_nurses": registered.ravel().astype(np.int64),
        "support_workers": support.ravel(),
        "red_flags": red_flags.ravel(),
        "missed_care": missed_care.ravel(),
        "harms": harms.ravel(),
    })


def dataset() -> Dataset:
    return Dataset(
        name="staffing",
        primary_key=["ward_id", "date", "shift"],
        title="Ward staffing by shift, with acuity, red flags, missed care and harms",
        description=(
            f"Every day and night shift on the eight wards of collaborative {COLLABORATIVE}, "
            "April 2024 to March 2025: patients, their acuity, planned and actual "
            "registered nurses, support workers, NICE red flags, missed care and harms. "
            + SYNTHETIC_NOTE
        ),
        story=(
            "The chief nurse asks whether more nurses on a shift means fewer harms. The "
            "raw numbers seem to say the opposite: busy, sick wards get more nurses and "
            "still have more harm. Compare shifts at the same acuity to see the real "
            "relationship."
        ),
        grain="one row per ward per shift (day or night)",
        seed=SEED,
        fields=[
            fld("date", "date", "Date the shift starts.", unit="day"),
            fld("shift", "string", "day (07:30-19:30) or night (19:30-07:30)."),
            *geography.key_fields("trust_id", "ward_id"),
            fld("patients", "integer", "Patients on the ward at the start of the shift.",
                unit="patients"),
            fld("acuity", "number", "Mean acuity and dependency multiplier of the "
                "patients (1 = standard ward care; higher = sicker).", unit="index"),
            fld("registered_nurses_planned", "integer", "Registered nurses rostered, set "
                "from patients and acuity.", unit="nurses"),
            fld("registered_nurses", "integer", "Registered nurses who actually worked "
                "the shift.", unit="nurses"),
            fld("support_workers", "integer", "Healthcare support workers on the shift.",
                unit="staff"),
            fld("red_flags", "integer", "Nursing red flags raised (NICE SG1).",
                unit="red flags"),
            fld("missed_care", "integer", "Care activities reported as left undone.",
                unit="activities"),
            fld("harms", "integer", "Falls, new pressure ulcers and medication errors "
                "with harm during the shift.", unit="harms"),
        ],
        frame=generate(),
        decimals={"acuity": 2},
        sources=[
            cite("nice2014sg1", "red flags (a shortfall of 25% or more of registered "
                 "nurse time)"),
            cite("ball2014undone", "missed care rising with patients per registered "
                 "nurse"),
            cite("griffiths2019staffing", "harm rising when registered nurse staffing "
                 "falls below what the patients need"),
            cite("illustrative", "the size of each effect"),
        ],
        answer_key=[signal(
            "staffing-confounded-by-acuity", {}, "harms per shift against registered "
            "nurses", FIRST_DAY, "confounding", "none", "common_cause",
            "acuity raises both staffing and harm: the raw correlation between registered "
            "nurses and harms is positive; adjusted for acuity, patients and night shifts, more "
            "registered nurses go with fewer harms",
            {"chart": "regression", "outcome": "harms", "exposure": "registered_nurses",
             "adjust_for": ["acuity", "patients", "night_shift"], "naive_sign": "positive",
             "adjusted_sign": "negative"}, strict=False)],
    )
