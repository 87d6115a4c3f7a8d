"""Hospital mortality per acute trust per quarter: admissions, deaths and expected deaths.

Built like the Summary Hospital-level Mortality Indicator (NHS Digital): deaths in
hospital or within 30 days of discharge, against expected deaths from a national risk
model recalibrated each period, so the national ratio of observed to expected deaths
stays close to 1 while the crude death rate falls gently (3% a year). Three signals are
planted: one trust whose true ratio is 1.3 throughout, the national decline, and one
collaborative whose mortality programme starts at a known quarter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from safercare.synth import geography
from safercare.synth.base import SYNTHETIC_NOTE, Dataset, fld, poisson, quarters, signal
from safercare.synth.sources import cite

SEED = 1601
FIRST_QUARTER = "2021-04-01"
N_QUARTERS = 16
CRUDE_RATE = 0.032           # deaths per admission at the start
ANNUAL_DECLINE = 0.97        # the national rate × 0.97 each year
OUTLIER = ("C13-AT2", 1.3)
PROGRAMME = ("C09", "2023-04-01", 0.88)


def generate() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    trusts = geography.orgs("acute_trust")
    quarter = quarters(FIRST_QUARTER, N_QUARTERS)
    n_t, n_q = len(trusts), len(quarter)
    size = rng.uniform(0.6, 1.5, (n_t, 1))
    winter = np.where(quarter.month.to_numpy() == 1, 1.05, 1.0)[None, :]
    admissions = rng.poisson(25000 * size * winter).astype(np.int64)
    years = np.arange(n_q) / 4
    national = CRUDE_RATE * ANNUAL_DECLINE ** years
    casemix = rng.uniform(0.85, 1.15, (n_t, 1)) * rng.normal(1, 0.01, (n_t, n_q))
    expected = admissions * national[None, :] * casemix
    ratio = rng.lognormal(0, 0.035, (n_t, 1)) * np.ones((1, n_q))
    trust_ids = trusts["org_id"].to_numpy()
    ratio[trust_ids == OUTLIER[0]] = OUTLIER[1]
    cid, start, size_effect = PROGRAMME
    in_region = (trusts["collaborative_id"] == cid).to_numpy()
    ratio[np.ix_(in_region, quarter >= pd.Timestamp(start))] *= size_effect
    deaths = poisson(rng, expected * ratio)
    return pd.DataFrame({
        **geography.org_period_keys(trusts, "quarter", quarter, trust_id="org_id"),
        "admissions": admissions.ravel(),
        "deaths": deaths.ravel(),
        "expected_deaths": np.round(expected.ravel(), 1),
    })


def dataset() -> Dataset:
    cid, start, size = PROGRAMME
    baseline = int(np.sum(quarters(FIRST_QUARTER, N_QUARTERS) < pd.Timestamp(start)))
    return Dataset(
        name="mortality",
        primary_key=["trust_id", "quarter"],
        title="Hospital mortality per trust per quarter: observed and expected deaths",
        description=(
            "For each acute trust and quarter, April 2021 to March 2025: admissions "
            "(spells), deaths in hospital or within 30 days of discharge, and deaths "
            "expected from a national risk model. " + SYNTHETIC_NOTE
        ),
        story=(
            "The national statistics team publishes each trust's observed and expected "
            "deaths every quarter. Nationally, fewer patients die each year. One trust has "
            f"had more deaths than expected all along; the collaborative {cid} started a "
            f"mortality improvement programme (sepsis, deteriorating patients, mortality "
            f"reviews) in {start[:7]}."
        ),
        grain="one row per acute trust per quarter",
        seed=SEED,
        fields=[
            *geography.key_fields("quarter", "collaborative_id", "trust_id"),
            fld("admissions", "integer", "Hospital spells ending in the quarter.",
                unit="spells"),
            fld("deaths", "integer", "Deaths in hospital or within 30 days of discharge.",
                unit="deaths"),
            fld("expected_deaths", "number", "Deaths expected from the national risk "
                "model given the trust's patients (recalibrated each quarter).",
                unit="deaths"),
        ],
        frame=generate(),
        decimals={"expected_deaths": 1},
        sources=[
            cite("nhsd2019shmi", "the structure: observed deaths over expected deaths from "
                 "a recalibrated national model, national ratio about 1"),
            cite("spiegelhalter2005", "the funnel plot that should find the outlier "
                 "trust"),
            cite("illustrative", "the crude death rate (3.2% of spells) and the 3% a year "
                 "national decline"),
        ],
        answer_key=[
            signal(f"mortality-outlier-{OUTLIER[0]}", {},
                   "deaths / expected deaths over the last four quarters", FIRST_QUARTER,
                   "outlier", "higher", "concern",
                   f"true ratio {OUTLIER[1]} in every quarter",
                   {"chart": "funnel", "numerator": "deaths",
                    "denominator": "expected_deaths", "unit": "trust_id", "kind": "ratio",
                    "overdispersion": "multiplicative", "direction": "lower"},
                   aggregate={"by": "trust_id", "how": "sum", "date": "quarter",
                              "from": "2024-04-01"}, strict=False,
                   expect={"unit": OUTLIER[0], "only": True}),
            signal("mortality-national-decline", {}, "crude deaths per admission, all "
                   "trusts", FIRST_QUARTER, "trend", "lower", "improvement",
                   f"crude death rate × {ANNUAL_DECLINE} each year",
                   {"chart": "p_chart", "numerator": "deaths", "denominator": "admissions",
                    "date": "quarter", "direction": "lower"},
                   aggregate={"by": "quarter", "how": "sum"}, strict=False),
            signal(f"mortality-programme-{cid}", {"collaborative_id": cid},
                   "deaths per expected death", start, "shift", "lower", "improvement",
                   f"true ratio × {size} in both trusts of {cid} from {start[:7]}",
                   {"chart": "u_chart", "numerator": "deaths",
                    "denominator": "expected_deaths", "date": "quarter",
                    "baseline": baseline, "direction": "lower"},
                   aggregate={"by": "quarter", "how": "sum"}),
        ],
    )
