"""Harm-free care in the style of the NHS Safety Thermometer: a monthly point survey per ward.

On one day each month every inpatient is checked for four harms: pressure ulcers (any,
and new ones that developed in our care), falls with harm in the last 72 hours, urinary
infection in a patient with a catheter, and new venous thromboembolism (VTE). Rates
match the national survey once it had settled (HSCIC 2014): about 94% harm-free care
and about 4.5% of patients with a pressure ulcer; the share of ulcers that are new
(about 1 in 5) and the other harm rates are illustrative values of the same order.

Patients are simulated one by one (vectorised) so the harm-free counts agree exactly
with the harm counts, as they do in the real survey.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from safercare.synth import geography
from safercare.synth.base import SYNTHETIC_NOTE, Dataset, fld, months, months_before, signal
from safercare.synth.sources import cite

SEED = 1301
#: Probability per surveyed patient.
P_OLD_ULCER = 0.035      # pressure ulcer present on admission
P_NEW_ULCER = 0.010
P_FALL_HARM = 0.007
P_CATHETER = 0.14
P_UTI_GIVEN_CATHETER = 0.05
P_NEW_VTE = 0.005
#: Collaborative whose skin-and-continence bundle starts at a known month.
BUNDLE = ("C06", "2023-10-01", 0.3)   # new ulcers and catheter infections × 0.3


def survey_dates(month: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The second Wednesday of each month (the survey day)."""
    first_wednesday = month + pd.to_timedelta((2 - month.day_of_week) % 7, unit="D")
    return first_wednesday + pd.Timedelta(days=7)


def generate() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    wards = geography.orgs("ward")
    month = months()
    n_w, n_m = len(wards), len(month)
    beds = wards["beds"].to_numpy(dtype=np.int64)
    surveyed = rng.binomial(np.repeat(beds[:, None], n_m, axis=1), 0.92)

    cid, start, size = BUNDLE
    factor = np.ones((n_w, n_m))
    factor[(wards["collaborative_id"] == cid).to_numpy(), months_before(start):] = size
    group = np.repeat(np.arange(n_w * n_m), surveyed.ravel())   # one entry per patient
    f = factor.ravel()[group]
    n = group.size

    old_ulcer = rng.random(n) < P_OLD_ULCER
    new_ulcer = rng.random(n) < P_NEW_ULCER * f
    fall_harm = rng.random(n) < P_FALL_HARM
    catheter = rng.random(n) < P_CATHETER
    uti = catheter & (rng.random(n) < P_UTI_GIVEN_CATHETER * f)
    vte = rng.random(n) < P_NEW_VTE
    new_harm = new_ulcer | fall_harm | uti | vte
    any_harm = new_harm | old_ulcer

    def count(flags: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=flags, minlength=n_w * n_m).astype(np.int64)

    return pd.DataFrame({
        **geography.org_period_keys(wards, "survey_date", survey_dates(month),
                                    trust_id="parent_id", ward_id="org_id"),
        "patients_surveyed": surveyed.ravel().astype(np.int64),
        "pressure_ulcers_any": count(old_ulcer | new_ulcer),
        "pressure_ulcers_new": count(new_ulcer),
        "falls_with_harm": count(fall_harm),
        "patients_with_catheter": count(catheter),
        "catheter_uti_new": count(uti),
        "vte_new": count(vte),
        "patients_harm_free": count(~any_harm),
        "patients_new_harm_free": count(~new_harm),
    })


def dataset() -> Dataset:
    cid, start, size = BUNDLE
    return Dataset(
        name="harm_free_care",
        primary_key=["ward_id", "survey_date"],
        title="Harm-free care: a monthly point-prevalence survey per ward",
        description=(
            "Safety Thermometer-style survey of every inpatient on the second Wednesday "
            "of each month, April 2022 to March 2025, for all 120 acute wards: patients "
            "surveyed, patients with each of four harms and patients free of harm. "
            + SYNTHETIC_NOTE
        ),
        story=(
            "Nurses check every patient on the ward on one day a month for pressure "
            "ulcers, falls with harm, catheter-associated urinary infection and new blood "
            "clots. The hospitals of one collaborative introduced a skin and continence "
            "care bundle: new pressure ulcers and catheter infections fell."
        ),
        grain="one row per ward per monthly survey day",
        seed=SEED,
        fields=[
            fld("survey_date", "date", "The survey day (second Wednesday of the month).",
                unit="day"),
            *geography.key_fields("collaborative_id", "trust_id", "ward_id"),
            fld("patients_surveyed", "integer", "Inpatients checked on the survey day.",
                unit="patients"),
            fld("pressure_ulcers_any", "integer", "Patients with any pressure ulcer "
                "(category 2 to 4), old or new.", unit="patients"),
            fld("pressure_ulcers_new", "integer", "Patients with a pressure ulcer that "
                "developed 72 hours or more after admission.", unit="patients"),
            fld("falls_with_harm", "integer", "Patients who had a fall with harm in the "
                "last 72 hours.", unit="patients"),
            fld("patients_with_catheter", "integer", "Patients with a urinary catheter.",
                unit="patients"),
            fld("catheter_uti_new", "integer", "Patients with a catheter and a new urinary "
                "tract infection.", unit="patients"),
            fld("vte_new", "integer", "Patients with a new venous thromboembolism.",
                unit="patients"),
            fld("patients_harm_free", "integer", "Patients with none of the four harms "
                "(old or new).", unit="patients"),
            fld("patients_new_harm_free", "integer", "Patients with no new harm (old "
                "pressure ulcers allowed).", unit="patients"),
        ],
        frame=generate(),
        sources=[
            cite("hscic2014thermometer", "harm-free care of about 94%, the pressure-ulcer, "
                 "falls-with-harm, catheter-infection and VTE prevalences"),
        ],
        answer_key=[signal(
            f"harm-free-bundle-{cid}", {"collaborative_id": cid},
            "patients free of new harm, % of patients surveyed", start, "shift", "higher",
            "improvement", f"new pressure ulcers and catheter infections multiplied by "
            f"{size} in every ward of {cid} from {start[:7]}",
            {"chart": "p_chart", "numerator": "patients_new_harm_free",
             "denominator": "patients_surveyed", "date": "survey_date",
             "baseline": months_before(start), "direction": "higher"},
            aggregate={"by": "survey_date", "how": "sum"},
        )],
    )
