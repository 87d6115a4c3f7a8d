"""Rare events as dates: hospital-onset C. difficile cases and serious incidents per trust.

Rare events are charted by the time between them (g and t charts). The measure follows
UKHSA's surveillance of hospital-onset C. difficile cases per trust; the rates (tens of
cases a year per trust, and about one serious incident a month) are illustrative. At one
trust an antimicrobial stewardship programme lengthens the gaps between C. difficile
cases from a known date; at another, a change to handovers lengthens the gaps between
serious incidents.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from safercare.synth import geography
from safercare.synth.base import SYNTHETIC_NOTE, Dataset, fld, signal
from safercare.synth.sources import cite

SEED = 1601
FIRST_DAY = "2022-04-01"
LAST_DAY = "2025-03-31"
#: Mean cases (or incidents) per year before any change.
CDIFF_PER_YEAR = (25, 55)
SI_PER_YEAR = (10, 20)
#: trust → (event type, start date, rate factor)
CHANGES = {
    "C03-AT1": ("c_difficile", "2023-10-01", 0.25),
    "C15-AT2": ("serious_incident", "2023-04-01", 0.25),
}


def generate() -> pd.DataFrame:
    """Event dates from a Poisson process per trust and type, thinned after a change."""
    rng = np.random.default_rng(SEED)
    trusts = geography.orgs("acute_trust")["org_id"].to_numpy()
    first, last = pd.Timestamp(FIRST_DAY), pd.Timestamp(LAST_DAY)
    n_days = (last - first).days + 1
    frames = []
    for kind, (low, high) in (("c_difficile", CDIFF_PER_YEAR),
                              ("serious_incident", SI_PER_YEAR)):
        per_day = rng.uniform(low, high, trusts.size) / 365.25
        for trust_id, (change_kind, _start, _) in CHANGES.items():
            if change_kind == kind:
                per_day[trusts == trust_id] = high / 365.25
        counts = rng.poisson(per_day * n_days)
        trust = np.repeat(trusts, counts)
        day = np.floor(rng.random(trust.size) * n_days).astype(np.int64)
        keep = np.ones(trust.size, dtype=bool)
        for trust_id, (change_kind, start, factor) in CHANGES.items():
            if change_kind == kind:
                after = (trust == trust_id) & (day >= (pd.Timestamp(start) - first).days)
                keep &= ~after | (rng.random(trust.size) < factor)
        frames.append(pd.DataFrame({"trust_id": trust[keep],
                                    "event_date": first + pd.to_timedelta(day[keep], "D"),
                                    "event_type": kind}))
    frame = pd.concat(frames, ignore_index=True)
    # at most one event of a type per trust per day, so every gap is at least one day
    frame = frame.drop_duplicates().sort_values(["trust_id", "event_type", "event_date"],
                                                kind="stable")
    return frame.reset_index(drop=True)


def dataset() -> Dataset:
    frame = generate()
    key = []
    for trust_id, (kind, start, factor) in CHANGES.items():
        events = frame[(frame["trust_id"] == trust_id) & (frame["event_type"] == kind)]
        gaps_before = int((events["event_date"] < pd.Timestamp(start)).sum()) - 1
        what = ("hospital-onset C. difficile cases" if kind == "c_difficile"
                else "serious incidents")
        why = ("an antimicrobial stewardship programme" if kind == "c_difficile"
               else "a structured safety handover on every ward")
        key.append(signal(
            f"rare-{kind}-{trust_id}", {"trust_id": trust_id, "event_type": kind},
            f"days between {what}", start, "longer_gaps", "higher", "improvement",
            f"{what} became {1 / factor:.0f} times rarer from {start} after {why}",
            {"chart": "t_chart", "value": "days_between", "date": "event_date",
             "baseline": gaps_before, "direction": "higher"},
            aggregate={"how": "days_between", "date": "event_date"}))
    return Dataset(
        name="rare_events",
        primary_key=["trust_id", "event_type", "event_date"],
        title="Rare events as dates: C. difficile cases and serious incidents per trust",
        description=(
            "One row per event (a hospital-onset C. difficile case or a serious incident) "
            "at each acute trust, 1 April 2022 to 31 March 2025. " + SYNTHETIC_NOTE
        ),
        story=(
            "Infection prevention teams log every hospital-onset C. difficile case; the "
            "patient safety team logs every serious incident. Counts per month are mostly "
            "0, 1 or 2, so these are charted as the days between events."
        ),
        grain="one row per event (at most one of a type per trust per day)",
        seed=SEED,
        fields=[
            *geography.key_fields("trust_id"),
            fld("event_date", "date", "Date of the specimen (C. difficile) or of the "
                "incident.", unit="day"),
            fld("event_type", "string", "c_difficile or serious_incident."),
        ],
        frame=frame,
        sources=[
            cite("ukhsa2023hcai", "the measure: hospital-onset C. difficile cases per "
                 "trust"),
            cite("illustrative", "the rates: 25 to 55 C. difficile cases and 10 to 20 "
                 "serious incidents a year per trust"),
        ],
        answer_key=key,
    )
