"""Care outside the acute hospital: GP prescribing safety, mental health restrictive
interventions, community nursing, children's services and police-custody healthcare.

Each is a small monthly (or quarterly) table per service with one planted change. Where
no national figure was used the metadata says the rate is illustrative.
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
    quarters,
    signal,
    split_columns,
)
from safercare.synth.sources import cite

SEED_GP = 1801
SEED_RESTRICTIVE = 1802
SEED_COMMUNITY = 2103
SEED_CHILDREN = 1904
SEED_CUSTODY = 2005

# ---------------------------------------------------------------- GP prescribing safety
INDICATORS = {  # indicator: (share of list at risk, hazard proportion before PINCER)
    "nsaid_peptic_ulcer_no_ppi": (0.015, 0.030),
    "beta_blocker_asthma": (0.060, 0.015),
    "acei_loop_75plus_no_monitoring": (0.040, 0.080),
}
PINCER = ("C08", "2023-07-01", 0.6)


def gp_prescribing() -> pd.DataFrame:
    rng = np.random.default_rng(SEED_GP)
    practices = geography.orgs("gp_practice")
    quarter = quarters("2022-04-01", 12)
    n_p, n_q, n_i = len(practices), len(quarter), len(INDICATORS)
    share = np.array([v[0] for v in INDICATORS.values()])
    hazard = np.array([v[1] for v in INDICATORS.values()])
    list_size = practices["list_size"].to_numpy(dtype=float)
    at_risk = rng.poisson(list_size[:, None, None] * share[None, None, :]
                          * np.ones((1, n_q, 1))).astype(np.int64)
    practice_effect = rng.lognormal(0, 0.25, (n_p, 1, 1))
    p = np.clip(hazard[None, None, :] * practice_effect * np.ones((1, n_q, 1)), 0, 0.5)
    cid, start, size = PINCER
    p[np.ix_((practices["collaborative_id"] == cid).to_numpy(),
             quarter >= pd.Timestamp(start), np.arange(n_i))] *= size
    hazardous = rng.binomial(at_risk, p).astype(np.int64)
    return pd.DataFrame({
        **geography.org_period_keys(practices, "quarter", quarter, practice_id="org_id",
                                    each=n_i),
        "indicator": np.tile(list(INDICATORS), n_p * n_q),
        "patients_at_risk": at_risk.ravel(),
        "patients_with_hazard": hazardous.ravel(),
    })


def gp_dataset() -> Dataset:
    cid, start, size = PINCER
    baseline = int(np.sum(quarters("2022-04-01", 12) < pd.Timestamp(start)))
    return Dataset(
        name="gp_prescribing_safety",
        primary_key=["practice_id", "quarter", "indicator"],
        title="GP prescribing-safety indicators per practice per quarter",
        description=(
            "Three hazardous-prescribing indicators of the PINCER kind for each of the 120 "
            "GP practices, quarterly April 2022 to March 2025: patients at risk and "
            "patients with the hazard. " + SYNTHETIC_NOTE
        ),
        story=(
            f"Practice pharmacists search the records for hazardous prescribing. The "
            f"practices of {cid} adopted the pharmacist-led PINCER approach from "
            f"{start[:7]}: searches, feedback and support to fix each case."
        ),
        grain="one row per practice per quarter per indicator",
        seed=SEED_GP,
        fields=[
            *geography.key_fields("quarter", "collaborative_id"),
            fld("practice_id", "string", "GP practice (see geography)."),
            fld("indicator", "string", "nsaid_peptic_ulcer_no_ppi (NSAID with a history of "
                "peptic ulcer and no gastroprotection), beta_blocker_asthma, or "
                "acei_loop_75plus_no_monitoring (ACE inhibitor or loop diuretic at 75+ "
                "without a kidney blood test in 15 months)."),
            fld("patients_at_risk", "integer", "Patients the indicator applies to.",
                unit="patients"),
            fld("patients_with_hazard", "integer", "Of those, patients with the hazardous "
                "prescription or missing monitoring.", unit="patients"),
        ],
        frame=gp_prescribing(),
        sources=[
            cite("avery2012pincer", "the indicators and the size of the reduction"),
            cite("illustrative", "the share of patients at risk and the hazard "
                 "proportions"),
        ],
        answer_key=[signal(
            f"pincer-{cid}", {"collaborative_id": cid},
            "patients with a hazard, % of patients at risk (all three indicators)", start,
            "shift", "lower", "improvement", f"hazard proportions × {size} in every "
            f"practice of {cid} from {start[:7]}",
            {"chart": "p_chart", "numerator": "patients_with_hazard",
             "denominator": "patients_at_risk", "date": "quarter", "baseline": baseline,
             "direction": "lower"},
            aggregate={"by": "quarter", "how": "sum"})],
    )


# ------------------------------------------------------- restrictive interventions (MH)
RESTRAINT_TYPES = {"physical_restraint": 0.55, "prone_restraint": 0.08,
                   "seclusion": 0.12, "rapid_tranquillisation": 0.25}
SAFEWARDS = ("C11-MH1", "2023-06-01", 0.65)


def restrictive() -> pd.DataFrame:
    rng = np.random.default_rng(SEED_RESTRICTIVE)
    units = geography.orgs("mental_health_unit")
    month = months()
    n_u, n_m = len(units), len(month)
    beds = units["beds"].to_numpy(dtype=float)[:, None]
    bed_days = np.round(beds * month.days_in_month.to_numpy()[None, :]
                        * np.clip(rng.normal(0.95, 0.03, (n_u, n_m)), 0.8, 1.0)).astype(np.int64)
    effect = rng.lognormal(0, 0.35, (n_u, 1))
    unit_id, start, size = SAFEWARDS
    i = geography.org_row(units, unit_id)
    effect[i] = 1.5
    factor = np.ones((n_u, n_m))
    factor[i, months_before(start):] = size
    total = poisson(rng, 20 / 1000 * bed_days * effect * factor)
    split = rng.multinomial(total.ravel(), list(RESTRAINT_TYPES.values()))
    return pd.DataFrame({
        **geography.org_period_keys(units, "month", month, unit_id="org_id"),
        "occupied_bed_days": bed_days.ravel(),
        "restrictive_interventions": total.ravel(),
        **split_columns(RESTRAINT_TYPES, split),
    })


def restrictive_dataset() -> Dataset:
    unit_id, start, size = SAFEWARDS
    return Dataset(
        name="restrictive_interventions",
        primary_key=["unit_id", "month"],
        title="Restrictive interventions per mental health unit per month",
        description=(
            "Restrictive interventions (physical and prone restraint, seclusion, rapid "
            "tranquillisation) and occupied bed days for each of the 30 adult acute "
            "mental health units, April 2022 to March 2025. " + SYNTHETIC_NOTE
        ),
        story=(
            f"Every use of force is recorded. {unit_id} introduced the Safewards model "
            f"from {start[:7]} (calm-down methods, mutual-help meetings, positive words "
            "at handover)."
        ),
        grain="one row per mental health unit per month",
        seed=SEED_RESTRICTIVE,
        fields=[
            *geography.key_fields("month", "collaborative_id"),
            fld("unit_id", "string", "Mental health unit (see geography)."),
            fld("occupied_bed_days", "integer", "Occupied bed days in the month.",
                unit="bed days"),
            fld("restrictive_interventions", "integer", "All restrictive interventions.",
                unit="interventions"),
            *[fld(name, "integer", f"Of which {name.replace('_', ' ')}.",
                  unit="interventions") for name in RESTRAINT_TYPES],
        ],
        frame=restrictive(),
        sources=[
            cite("bowers2015safewards", "the size of the planted reduction"),
            cite("illustrative", "the rate (about 20 per 1,000 occupied bed days) and the "
                 "mix of types"),
        ],
        answer_key=[signal(
            f"safewards-{unit_id}", {"unit_id": unit_id},
            "restrictive interventions per 1,000 occupied bed days", start, "shift",
            "lower", "improvement", f"rate × {size} from {start[:7]}",
            {"chart": "u_chart", "numerator": "restrictive_interventions",
             "denominator": "occupied_bed_days", "date": "month", "multiplier": 1000,
             "baseline": months_before(start), "direction": "lower"})],
    )


# ------------------------------------------------------ community nursing: pressure ulcers
VACANCIES = ("C02-CT3", "2024-01-01", 2.2)


def community() -> pd.DataFrame:
    rng = np.random.default_rng(SEED_COMMUNITY)
    teams = geography.orgs("community_team")
    month = months()
    n_t, n_m = len(teams), len(month)
    caseload = rng.poisson(rng.uniform(450, 800, (n_t, 1)) * np.ones((1, n_m))).astype(np.int64)
    effect = rng.lognormal(0, 0.2, (n_t, 1))
    team_id, start, size = VACANCIES
    i = geography.org_row(teams, team_id)
    effect[i] = 1.3
    factor = np.ones((n_t, n_m))
    factor[i, months_before(start):] = size
    ulcers = poisson(rng, 4 / 1000 * caseload * effect * factor)
    return pd.DataFrame({
        **geography.org_period_keys(teams, "month", month, team_id="org_id"),
        "patients_on_caseload": caseload.ravel(),
        "new_pressure_ulcers": ulcers.ravel(),
    })


def community_dataset() -> Dataset:
    team_id, start, size = VACANCIES
    return Dataset(
        name="community_pressure_ulcers",
        primary_key=["team_id", "month"],
        title="New pressure ulcers per district nursing team per month",
        description=(
            "Patients on each of the 45 district nursing teams' caseloads and new "
            "pressure ulcers (category 2 or worse) that developed under their care, "
            "April 2022 to March 2025. " + SYNTHETIC_NOTE
        ),
        story=(
            f"District nurses care for housebound patients. From {start[:7]} {team_id} "
            "lost a third of its nurses to vacancies and sickness; visits were shortened "
            "and skin checks missed."
        ),
        grain="one row per community team per month",
        seed=SEED_COMMUNITY,
        fields=[
            *geography.key_fields("month", "collaborative_id"),
            fld("team_id", "string", "Community nursing team (see geography)."),
            fld("patients_on_caseload", "integer", "Patients on the caseload in the month.",
                unit="patients"),
            fld("new_pressure_ulcers", "integer", "New category 2-4 pressure ulcers that "
                "developed on the caseload.", unit="pressure ulcers"),
        ],
        frame=community(),
        sources=[
            cite("hscic2014thermometer", "pressure ulcers being more common in community "
                 "care than in hospital"),
            cite("illustrative", "the rate (about 4 new ulcers per 1,000 caseload patients "
                 "a month)"),
        ],
        answer_key=[signal(
            f"community-ulcers-{team_id}", {"team_id": team_id},
            "new pressure ulcers per 1,000 caseload patients", start, "shift", "higher",
            "concern", f"rate × {size} from {start[:7]}",
            {"chart": "u_chart", "numerator": "new_pressure_ulcers",
             "denominator": "patients_on_caseload", "date": "month", "multiplier": 1000,
             "baseline": months_before(start), "direction": "lower"})],
    )


# ------------------------------------------ children's services: initial health assessment
IHA = ("C12-CS1", "2023-04-01", 0.50, 0.82)


def childrens() -> pd.DataFrame:
    rng = np.random.default_rng(SEED_CHILDREN)
    services = geography.orgs("childrens_service")
    month = months()
    n_s, n_m = len(services), len(month)
    entering = rng.poisson(rng.uniform(12, 30, (n_s, 1)) * np.ones((1, n_m))).astype(np.int64)
    p = np.repeat(rng.beta(12, 10, (n_s, 1)), n_m, axis=1)
    service_id, start, before, after = IHA
    i = geography.org_row(services, service_id)
    p[i, :months_before(start)] = before
    p[i, months_before(start):] = after
    on_time = rng.binomial(entering, p).astype(np.int64)
    return pd.DataFrame({
        **geography.org_period_keys(services, "month", month, service_id="org_id"),
        "children_entering_care": entering.ravel(),
        "assessed_within_20_days": on_time.ravel(),
    })


def childrens_dataset() -> Dataset:
    service_id, start, before, after = IHA
    return Dataset(
        name="childrens_health_assessments",
        primary_key=["service_id", "month"],
        title="Initial health assessments for children entering care, per service per month",
        description=(
            "Children entering care in each collaborative and how many had their initial "
            "health assessment within 20 working days, April 2022 to March 2025. "
            + SYNTHETIC_NOTE
        ),
        story=(
            "Every child who comes into care should have a health assessment by a doctor "
            f"within 20 working days. {service_id} set up a shared booking hub with "
            f"children's social care from {start[:7]}."
        ),
        grain="one row per children's health service per month",
        seed=SEED_CHILDREN,
        fields=[
            *geography.key_fields("month", "collaborative_id"),
            fld("service_id", "string", "Children's health service (see geography)."),
            fld("children_entering_care", "integer", "Children who entered care in the "
                "month.", unit="children"),
            fld("assessed_within_20_days", "integer", "Of those, children assessed within "
                "20 working days.", unit="children"),
        ],
        frame=childrens(),
        sources=[
            cite("dfe2015lac", "the 20-working-day standard"),
            cite("illustrative", "the share assessed on time (about 55%)"),
        ],
        answer_key=[signal(
            f"childrens-iha-{service_id}", {"service_id": service_id},
            "children assessed within 20 working days, %", start, "shift", "higher",
            "improvement", f"on-time share rose from {before:.0%} to {after:.0%} from "
            f"{start[:7]}",
            {"chart": "p_chart", "numerator": "assessed_within_20_days",
             "denominator": "children_entering_care", "date": "month",
             "baseline": months_before(start), "direction": "higher"})],
    )


# ------------------------------------------------------------- police-custody healthcare
CONTRACT = ("C07-PC2", "2024-02-01", 0.66)


def custody() -> pd.DataFrame:
    rng = np.random.default_rng(SEED_CUSTODY)
    suites = geography.orgs("custody_healthcare")
    month = months()
    n_s, n_m = len(suites), len(month)
    referred = rng.poisson(rng.uniform(80, 220, (n_s, 1)) * np.ones((1, n_m))).astype(np.int64)
    p = np.repeat(rng.beta(40, 8, (n_s, 1)), n_m, axis=1)
    suite_id, start, after = CONTRACT
    i = geography.org_row(suites, suite_id)
    p[i, :months_before(start)] = 0.85
    p[i, months_before(start):] = after
    seen = rng.binomial(referred, p).astype(np.int64)
    return pd.DataFrame({
        **geography.org_period_keys(suites, "month", month, suite_id="org_id"),
        "detainees_referred": referred.ravel(),
        "seen_within_60_minutes": seen.ravel(),
    })


def custody_dataset() -> Dataset:
    suite_id, start, after = CONTRACT
    return Dataset(
        name="custody_healthcare",
        primary_key=["suite_id", "month"],
        title="Police-custody healthcare: detainees seen within an hour of referral",
        description=(
            "Detainees referred to the custody healthcare professional at each of the 30 "
            "custody suites, and how many were seen within 60 minutes, April 2022 to "
            "March 2025. " + SYNTHETIC_NOTE
        ),
        story=(
            "Nurses and paramedics in police custody see detainees who are unwell, "
            f"injured or intoxicated. At {suite_id} a new healthcare contract from "
            f"{start[:7]} left one practitioner covering two suites."
        ),
        grain="one row per custody suite per month",
        seed=SEED_CUSTODY,
        fields=[
            *geography.key_fields("month", "collaborative_id"),
            fld("suite_id", "string", "Custody suite healthcare service (see geography)."),
            fld("detainees_referred", "integer", "Detainees referred to the healthcare "
                "professional.", unit="detainees"),
            fld("seen_within_60_minutes", "integer", "Of those, detainees seen within 60 "
                "minutes of referral.", unit="detainees"),
        ],
        frame=custody(),
        sources=[cite("illustrative", "the share seen within an hour (about 83%); no "
                      "national benchmark is used")],
        answer_key=[signal(
            f"custody-timeliness-{suite_id}", {"suite_id": suite_id},
            "detainees seen within 60 minutes, %", start, "shift", "lower", "concern",
            f"share fell from 85% to {after:.0%} from {start[:7]}",
            {"chart": "p_chart", "numerator": "seen_within_60_minutes",
             "denominator": "detainees_referred", "date": "month",
             "baseline": months_before(start), "direction": "higher"})],
    )


DATASETS = [gp_dataset, restrictive_dataset, community_dataset, childrens_dataset,
            custody_dataset]
