"""Medication incidents per acute trust per month, by type of error and by harm.

The mix follows the national reporting system (Cousins et al. 2012): omitted and
delayed medicines about 16% and wrong dose about 15% of reports; 16% of reports
describe actual harm and under 1% of those death or severe harm. One trust's
missed-doses programme halves omitted and delayed doses from a known month.
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

SEED = 1601
TYPES = ["omitted_or_delayed", "wrong_dose", "wrong_medicine", "wrong_frequency",
         "wrong_patient", "other"]
TYPE_SHARE = np.array([0.16, 0.15, 0.10, 0.08, 0.03, 0.48])
SEVERITY = ["no_harm", "low_harm", "moderate_harm", "severe_harm", "death"]
SEVERITY_SHARE = np.array([0.84, 0.1345, 0.0240, 0.0012, 0.0003])
PROGRAMME = ("C10-AT2", "2023-11-01", 0.5)   # omitted and delayed doses × 0.5


def generate() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    trusts = geography.orgs("acute_trust")
    month = months()
    n_t, n_m, n_k = len(trusts), len(month), len(TYPES)
    reports = rng.uniform(45, 110, (n_t, 1, 1)) * TYPE_SHARE[None, None, :]
    lam = np.broadcast_to(reports, (n_t, n_m, n_k)).copy()
    trust_id, start, size = PROGRAMME
    i = geography.org_row(trusts, trust_id)
    lam[i, months_before(start):, 0] *= size
    counts = poisson(rng, lam)
    by_severity = rng.multinomial(counts.ravel(), SEVERITY_SHARE)
    return pd.DataFrame({
        **geography.org_period_keys(trusts, "month", month, trust_id="org_id", each=n_k),
        "incident_type": np.tile(TYPES, n_t * n_m),
        "incidents": counts.ravel(),
        **split_columns(SEVERITY, by_severity),
    })


def dataset() -> Dataset:
    trust_id, start, size = PROGRAMME
    return Dataset(
        name="medication_incidents",
        primary_key=["trust_id", "month", "incident_type"],
        title="Medication incidents per trust per month, by type and harm",
        description=(
            "Reported medication incidents for each acute trust, April 2022 to March "
            "2025, one row per trust, month and type of error, with counts by harm "
            "grade. " + SYNTHETIC_NOTE
        ),
        story=(
            f"Pharmacy teams review every medication incident report. {trust_id} ran a "
            f"missed-doses programme from {start[:7]} (critical-medicines list, "
            "ward stock checks, an electronic prompt): omitted and delayed doses fell."
        ),
        grain="one row per acute trust per month per incident type",
        seed=SEED,
        fields=[
            *geography.key_fields("month", "collaborative_id", "trust_id"),
            fld("incident_type", "string", "Type of error: " + ", ".join(TYPES) + "."),
            fld("incidents", "integer", "Incidents reported, all harm grades.",
                unit="incidents"),
            *[fld(name, "integer", f"Incidents graded {name.replace('_', ' ')}.",
                  unit="incidents") for name in SEVERITY],
        ],
        frame=generate(),
        sources=[
            cite("cousins2012nrls", "the share of each error type and of each harm "
                 "grade"),
            cite("illustrative", "the number of reports per trust (45 to 110 a month)"),
        ],
        answer_key=[signal(
            f"medication-missed-doses-{trust_id}",
            {"trust_id": trust_id, "incident_type": "omitted_or_delayed"},
            "omitted or delayed dose incidents per month", start, "shift", "lower",
            "improvement", f"omitted and delayed doses multiplied by {size} from "
            f"{start[:7]}",
            {"chart": "c_chart", "value": "incidents", "date": "month",
             "baseline": months_before(start), "direction": "lower"})],
    )
