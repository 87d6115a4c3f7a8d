"""Safety data from other industries: airlines, a machine shop, nuclear plants and surgery.

Patient safety borrowed its tools from these industries, so the course charts their data
too: voluntary safety reports (more reporting where the safety culture is better),
Shewhart's measurements and defectives, unplanned reactor shutdowns per 7,000 critical
hours, and adherence to the WHO surgical safety checklist.
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
    refs,
    signal,
)
from safercare.synth.sources import cite

SEED_AVIATION = 2101
SEED_MEASURE = 2502
SEED_DEFECTS = 1903
SEED_NUCLEAR = 2004
SEED_CHECKLIST = 2605

# --------------------------------------------------------------------------- aviation
AIRLINES = ["Skylark Regional", "Fellwing Airways", "Marram Air", "Curlew Express",
            "Tarnjet", "Gullwing Connect", "Heathwing", "Saltreach Air Link"]
JUST_CULTURE = ("A05", "2023-10-01")


def aviation() -> pd.DataFrame:
    rng = np.random.default_rng(SEED_AVIATION)
    month = months()
    n_a, n_m = len(AIRLINES), len(month)
    ids = refs("A", n_a, 2)
    departures = rng.poisson(rng.uniform(1500, 6000, (n_a, 1)) * np.ones((1, n_m)))
    culture = np.repeat(np.round(rng.uniform(50, 85, (n_a, 1))), n_m, axis=1)
    i = int(np.flatnonzero(ids == JUST_CULTURE[0])[0])
    culture[i] = 55.0
    culture[i, months_before(JUST_CULTURE[1]):] = 72.0
    reports_per_1000 = 1.0 + 0.12 * (culture - 50)      # more reporting, better culture
    occurrences_per_1000 = 1.2 * np.exp(-0.04 * (culture - 50))
    reports = poisson(rng, reports_per_1000 / 1000 * departures)
    occurrences = poisson(rng, occurrences_per_1000 / 1000 * departures)
    return pd.DataFrame({
        "month": np.tile(month.to_numpy(), n_a),
        "airline_id": np.repeat(ids, n_m),
        "airline": np.repeat(AIRLINES, n_m),
        "departures": departures.ravel().astype(np.int64),
        "safety_culture_score": culture.ravel().astype(np.int64),
        "voluntary_reports": reports.ravel(),
        "reportable_occurrences": occurrences.ravel(),
    })


def aviation_dataset() -> Dataset:
    airline, start = JUST_CULTURE
    return Dataset(
        name="aviation_safety_reports",
        primary_key=["airline_id", "month"],
        title="Airline voluntary safety reports and reportable occurrences per month",
        description=(
            "Departures, a staff safety-culture survey score, voluntary confidential "
            "safety reports and mandatory reportable occurrences for eight fictional "
            "airlines, April 2022 to March 2025. " + SYNTHETIC_NOTE
        ),
        story=(
            "Airlines learn from reports of things that nearly went wrong. Where crews "
            "trust that reporting is safe, they report more, and fewer serious "
            f"occurrences follow. {airline} adopted a just-culture policy in {start[:7]}."
        ),
        grain="one row per airline per month",
        seed=SEED_AVIATION,
        fields=[
            *geography.key_fields("month"),
            fld("airline_id", "string", "Airline identifier."),
            fld("airline", "string", "Fictional airline name."),
            fld("departures", "integer", "Flights departed.", unit="flights"),
            fld("safety_culture_score", "integer", "Staff safety-culture survey score "
                "(0-100, higher is better).", unit="score"),
            fld("voluntary_reports", "integer", "Voluntary confidential safety reports.",
                unit="reports"),
            fld("reportable_occurrences", "integer", "Mandatory reportable safety "
                "occurrences.", unit="occurrences"),
        ],
        frame=aviation(),
        sources=[
            cite("nasa_asrs", "the idea of voluntary confidential reporting"),
            cite("reason1997", "reporting culture as part of safety culture"),
            cite("illustrative", "all rates"),
        ],
        answer_key=[
            signal(f"aviation-just-culture-{airline}", {"airline_id": airline},
                   "voluntary reports per 1,000 departures", start, "shift", "higher",
                   "improvement", f"culture score 55 → 72 from {start[:7]}; reports rise",
                   {"chart": "u_chart", "numerator": "voluntary_reports",
                    "denominator": "departures", "date": "month", "multiplier": 1000,
                    "baseline": months_before(start), "direction": "higher"}),
            signal("aviation-culture-association", {}, "report and occurrence rates "
                   "against safety-culture score", "2022-04-01", "association", "none",
                   "common_cause", "reporting rate rises and occurrence rate falls with "
                   "the culture score",
                   {"chart": "correlation", "x": "safety_culture_score",
                    "y": ["voluntary_reports", "reportable_occurrences"],
                    "per": "departures", "signs": ["positive", "negative"]},
                   strict=False),
        ],
    )


# ---------------------------------------------------------------------- manufacturing
N_SAMPLES, SAMPLE_SIZE = 100, 5
TARGET_MM, SD_MM = 25.000, 0.010
TOOL_WEAR = (61, 0.012)        # from sample 61 the mean is 0.012 mm higher
N_LOTS = 60
BAD_LOT = (42, 0.09)           # one lot from a faulty batch of raw material


def _production_days(n: int) -> pd.DatetimeIndex:
    return pd.bdate_range("2024-01-08", periods=n)


def measurements() -> pd.DataFrame:
    rng = np.random.default_rng(SEED_MEASURE)
    sample = np.repeat(np.arange(1, N_SAMPLES + 1), SAMPLE_SIZE)
    mean = TARGET_MM + np.where(sample >= TOOL_WEAR[0], TOOL_WEAR[1], 0.0)
    return pd.DataFrame({
        "sample": sample,
        "sample_date": np.repeat(_production_days(N_SAMPLES).to_numpy(), SAMPLE_SIZE),
        "item": np.tile(np.arange(1, SAMPLE_SIZE + 1), N_SAMPLES),
        "diameter_mm": np.round(rng.normal(mean, SD_MM), 3),
    })


def defects() -> pd.DataFrame:
    rng = np.random.default_rng(SEED_DEFECTS)
    lot = np.arange(1, N_LOTS + 1)
    inspected = rng.integers(400, 601, N_LOTS)
    p = np.where(lot == BAD_LOT[0], BAD_LOT[1], 0.03)
    return pd.DataFrame({
        "lot": lot,
        "lot_date": _production_days(N_LOTS).to_numpy(),
        "units_inspected": inspected.astype(np.int64),
        "defective_units": rng.binomial(inspected, p).astype(np.int64),
    })


def measurements_dataset() -> Dataset:
    start = str(_production_days(N_SAMPLES)[TOOL_WEAR[0] - 1].date())
    return Dataset(
        name="manufacturing_measurements",
        primary_key=["sample", "item"],
        title="Shaft diameters measured in subgroups of five, Shewhart style",
        description=(
            f"{N_SAMPLES} samples of {SAMPLE_SIZE} consecutive shafts from one lathe, one "
            "sample per production day, diameter in millimetres. " + SYNTHETIC_NOTE
        ),
        story=(
            "A machine shop measures five shafts from a lathe every day. The target "
            f"diameter is {TARGET_MM:.3f} mm. From sample {TOOL_WEAR[0]} the cutting tool "
            "was worn and shafts came out slightly too thick: an assignable cause."
        ),
        grain="one row per measured item (five per sample)",
        seed=SEED_MEASURE,
        fields=[
            fld("sample", "integer", "Sample (subgroup) number."),
            fld("sample_date", "date", "Production day of the sample.", unit="day"),
            fld("item", "integer", "Item within the sample (1-5)."),
            fld("diameter_mm", "number", "Measured diameter.", unit="mm"),
        ],
        frame=measurements(),
        decimals={"diameter_mm": 3},
        sources=[cite("shewhart1931", "the design: small subgroups from a production "
                      "process and an assignable cause that shifts the mean")],
        answer_key=[signal(
            "manufacturing-tool-wear", {}, "mean diameter per sample (mm)", start, "shift",
            "higher", "special_cause", f"process mean +{TOOL_WEAR[1]} mm (1.2 standard "
            f"deviations of a single item) from sample {TOOL_WEAR[0]}",
            {"chart": "xmr", "value": "diameter_mm", "date": "sample_date",
             "baseline": TOOL_WEAR[0] - 1, "direction": "neither"},
            aggregate={"by": "sample_date", "value": "diameter_mm", "how": "mean"})],
    )


def defects_dataset() -> Dataset:
    start = str(_production_days(N_LOTS)[BAD_LOT[0] - 1].date())
    return Dataset(
        name="manufacturing_defects",
        primary_key=["lot"],
        title="Defective units per inspected lot",
        description=(
            f"{N_LOTS} production lots: units inspected and units found defective. "
            + SYNTHETIC_NOTE
        ),
        story=(
            "Inspectors check each lot. The defect rate is usually about 3%; lot "
            f"{BAD_LOT[0]} was made from a faulty batch of raw material."
        ),
        grain="one row per lot",
        seed=SEED_DEFECTS,
        fields=[
            fld("lot", "integer", "Lot number."),
            fld("lot_date", "date", "Production day of the lot.", unit="day"),
            fld("units_inspected", "integer", "Units inspected.", unit="units"),
            fld("defective_units", "integer", "Units found defective.", unit="units"),
        ],
        frame=defects(),
        sources=[cite("shewhart1931", "the fraction-defective chart for inspected lots"),
                 cite("illustrative", "the 3% defect rate")],
        answer_key=[signal(
            f"manufacturing-bad-lot-{BAD_LOT[0]}", {}, "defective units, % of inspected",
            start, "outlier", "higher", "concern", f"lot {BAD_LOT[0]} defect rate "
            f"{BAD_LOT[1]:.0%} (usual 3%)",
            {"chart": "p_chart", "numerator": "defective_units",
             "denominator": "units_inspected", "date": "lot_date", "direction": "lower"},
            expect={"rules": ["beyond_limits"], "only": True})],
    )


# ----------------------------------------------------------------------------- nuclear
N_PLANTS = 12
FIRST_QUARTER = "2020-04-01"
N_QUARTERS = 20
SCRAM_RATE = 0.6               # unplanned scrams per 7,000 critical hours
TROUBLED = ("N07", "2023-04-01", 4.0)


def nuclear() -> pd.DataFrame:
    rng = np.random.default_rng(SEED_NUCLEAR)
    quarter = quarters(FIRST_QUARTER, N_QUARTERS)
    ids = refs("N", N_PLANTS, 2)
    next_quarter = quarter + pd.offsets.QuarterBegin(startingMonth=1)
    hours = ((next_quarter - quarter).days * 24).to_numpy(dtype=float)  # 2,160 to 2,208
    availability = np.clip(rng.normal(0.93, 0.04, (N_PLANTS, N_QUARTERS)), 0.6, 1.0)
    refuel = (np.arange(N_QUARTERS)[None, :] + rng.integers(0, 6, (N_PLANTS, 1))) % 6 == 0
    availability = np.where(refuel, availability * 0.55, availability)
    critical = np.round(hours[None, :] * availability).astype(np.int64)
    rate = np.full((N_PLANTS, N_QUARTERS), SCRAM_RATE)
    plant, start, after = TROUBLED
    rate[ids == plant, quarter >= pd.Timestamp(start)] = after
    scrams = poisson(rng, rate / 7000 * critical)
    return pd.DataFrame({
        "quarter": np.tile(quarter.to_numpy(), N_PLANTS),
        "plant_id": np.repeat(ids, N_QUARTERS),
        "critical_hours": critical.ravel(),
        "unplanned_scrams": scrams.ravel(),
    })


def nuclear_dataset() -> Dataset:
    plant, start, after = TROUBLED
    baseline = int(np.sum(quarters(FIRST_QUARTER, N_QUARTERS) < pd.Timestamp(start)))
    return Dataset(
        name="nuclear_scrams",
        primary_key=["plant_id", "quarter"],
        title="Unplanned reactor shutdowns (scrams) per plant per quarter",
        description=(
            "Critical hours and unplanned automatic or manual scrams for 12 fictional "
            "nuclear power plants, quarterly April 2020 to March 2025. " + SYNTHETIC_NOTE
        ),
        story=(
            "Regulators watch unplanned scrams per 7,000 critical hours (about a year of "
            f"operation). From {start[:7]} plant {plant} had repeated feedwater control "
            "faults after a digital upgrade."
        ),
        grain="one row per plant per quarter",
        seed=SEED_NUCLEAR,
        fields=[
            *geography.key_fields("quarter"),
            fld("plant_id", "string", "Fictional plant identifier."),
            fld("critical_hours", "integer", "Hours the reactor was critical.",
                unit="hours"),
            fld("unplanned_scrams", "integer", "Unplanned scrams while critical.",
                unit="scrams"),
        ],
        frame=nuclear(),
        sources=[
            cite("nei9902", "the measure (scrams per 7,000 critical hours) and the 3.0 "
                 "threshold"),
            cite("illustrative", f"the usual rate ({SCRAM_RATE} per 7,000 critical "
                 "hours)"),
        ],
        answer_key=[signal(
            f"nuclear-scrams-{plant}", {"plant_id": plant},
            "unplanned scrams per 7,000 critical hours", start, "shift", "higher",
            "concern", f"rate {SCRAM_RATE} → {after} per 7,000 critical hours from "
            f"{start[:7]}",
            {"chart": "u_chart", "numerator": "unplanned_scrams",
             "denominator": "critical_hours", "date": "quarter", "multiplier": 7000,
             "baseline": baseline, "direction": "lower"})],
    )


# --------------------------------------------------------------- surgical safety checklist
CHECKLIST_TRUSTS = ["C01-AT1", "C01-AT2", "C02-AT1", "C02-AT2", "C03-AT1", "C03-AT2"]
FIRST_WEEK = "2023-04-03"
N_WEEKS = 104
CHECKLIST_START = "2023-10-02"
#: Haynes et al. 2009: before → after the checklist.
ADHERENCE = (0.34, 0.57)
COMPLICATIONS = (0.110, 0.070)
DEATHS = (0.015, 0.008)


def checklist() -> pd.DataFrame:
    rng = np.random.default_rng(SEED_CHECKLIST)
    week = pd.date_range(FIRST_WEEK, periods=N_WEEKS, freq="7D")
    n_t, n_w = len(CHECKLIST_TRUSTS), N_WEEKS
    operations = rng.poisson(rng.uniform(80, 160, (n_t, 1)) * np.ones((1, n_w)))
    after = np.broadcast_to((week >= pd.Timestamp(CHECKLIST_START))[None, :], (n_t, n_w))

    def rate(pair: tuple[float, float]) -> np.ndarray:
        return np.where(after, pair[1], pair[0])

    return pd.DataFrame({
        "week": np.tile(week.to_numpy(), n_t),
        "trust_id": np.repeat(CHECKLIST_TRUSTS, n_w),
        "operations": operations.ravel().astype(np.int64),
        "all_six_safety_measures": rng.binomial(operations, rate(ADHERENCE)).ravel()
        .astype(np.int64),
        "major_complications": rng.binomial(operations, rate(COMPLICATIONS)).ravel()
        .astype(np.int64),
        "deaths": rng.binomial(operations, rate(DEATHS)).ravel().astype(np.int64),
    })


def checklist_dataset() -> Dataset:
    baseline = int(np.sum(pd.date_range(FIRST_WEEK, periods=N_WEEKS, freq="7D")
                          < pd.Timestamp(CHECKLIST_START)))
    common = {"date": "week", "denominator": "operations", "baseline": baseline}
    return Dataset(
        name="surgical_checklist",
        primary_key=["trust_id", "week"],
        title="Surgical safety checklist: adherence and outcomes per trust per week",
        description=(
            "Operations, operations with all six basic safety measures done, major "
            "complications and deaths for the theatres of six acute trusts, weekly from "
            "April 2023 for two years. " + SYNTHETIC_NOTE
        ),
        story=(
            f"Six trusts introduced the WHO surgical safety checklist in the week of "
            f"{CHECKLIST_START}. The before-and-after rates copy the eight-hospital "
            "study that launched it (Haynes et al. 2009)."
        ),
        grain="one row per trust per week",
        seed=SEED_CHECKLIST,
        fields=[
            fld("week", "date", "Monday the week starts.", unit="week"),
            *geography.key_fields("trust_id"),
            fld("operations", "integer", "Operations performed.", unit="operations"),
            fld("all_six_safety_measures", "integer", "Operations with all six basic "
                "safety measures done (e.g. site marked, antibiotics before incision).",
                unit="operations"),
            fld("major_complications", "integer", "Operations followed by a major "
                "complication in hospital within 30 days.", unit="operations"),
            fld("deaths", "integer", "Deaths in hospital within 30 days.", unit="deaths"),
        ],
        frame=checklist(),
        sources=[cite("haynes2009checklist", "adherence, complication and death rates "
                      "before and after the checklist")],
        answer_key=[
            signal("checklist-adherence", {}, "operations with all six measures, %",
                   CHECKLIST_START, "shift", "higher", "improvement",
                   f"adherence {ADHERENCE[0]:.0%} → {ADHERENCE[1]:.0%}",
                   {"chart": "p_chart", "numerator": "all_six_safety_measures",
                    "direction": "higher", **common},
                   aggregate={"by": "week", "how": "sum"}),
            signal("checklist-complications", {}, "major complications, % of operations",
                   CHECKLIST_START, "shift", "lower", "improvement",
                   f"complications {COMPLICATIONS[0]:.1%} → {COMPLICATIONS[1]:.1%}",
                   {"chart": "p_chart", "numerator": "major_complications",
                    "direction": "lower", **common},
                   aggregate={"by": "week", "how": "sum"}),
        ],
    )


DATASETS = [aviation_dataset, measurements_dataset, defects_dataset, nuclear_dataset,
            checklist_dataset]
