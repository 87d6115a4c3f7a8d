"""Concerns raised by patients and families on one ward, before and after a Martha's-Rule-style
scheme that lets them ask for an urgent review themselves.

Siskin ward (an acute medical unit at Saltreach Hospitals, collaborative C03) logs every
worry a patient or family member raises about a patient getting worse: when it was raised,
when a clinician reviewed it, who reviewed it, how long the review took, and whether the
patient went on to deteriorate (and when the team recognised it). Two things are planted:

* **Concerns come first.** Every deterioration in the log was recognised by the team some
  hours *after* the family raised its concern (a median of about 7 hours before the scheme):
  the family saw the change before the observations did, as the reviews behind Martha's
  Rule describe (NHS England 2024).
* **Faster reviews after the scheme starts** on 1 July 2024: a family can call the critical
  care outreach team directly, and the median time from concern to review falls from about
  2.5 hours to about 40 minutes. Concerns become more frequent (the balancing measures:
  calls per week, outreach time), and deterioration is recognised sooner after a concern.

The sizes of the effects are illustrative: the published evaluations report processes and
small numbers, not effect sizes a dataset could copy (see the lesson).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from safercare.synth import geography
from safercare.synth.base import SYNTHETIC_NOTE, Dataset, fld, signal
from safercare.synth.sources import cite

SEED = 4004
WARD = "C03-AT2-W4"                  # Siskin ward, Saltreach Hospitals, Southaven Coast
FIRST_WEEK = "2024-01-01"            # a Monday
N_WEEKS = 52
SCHEME_START = "2024-07-01"          # a Monday: the scheme's first week
#: Concerns a week (1 + Poisson), median minutes to review, outreach share, before/after.
CONCERNS_PER_WEEK = {"before": 2.0, "after": 3.5}
MEDIAN_MINUTES = {"before": 150.0, "after": 40.0}
OUTREACH_SHARE = {"before": 0.15, "after": 0.8}
#: Median hours from the concern to the team recognising deterioration, before/after.
HOURS_TO_RECOGNITION = {"before": 7.0, "after": 3.0}
DETERIORATION_CHANCE = 0.25


def generate() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    weeks = pd.date_range(FIRST_WEEK, periods=N_WEEKS, freq="7D")
    after_week = weeks >= pd.Timestamp(SCHEME_START)
    per_week = 1 + rng.poisson(np.where(after_week, CONCERNS_PER_WEEK["after"],
                                        CONCERNS_PER_WEEK["before"]))
    week = np.repeat(weeks.to_numpy(), per_week)
    after = np.repeat(after_week, per_week)
    n = len(week)
    # raised at any time of the week, more often in visiting hours (10:00 to 20:00)
    day = rng.integers(0, 7, n)
    visiting = rng.random(n) < 0.75
    hour = np.where(visiting, rng.uniform(10, 20, n), rng.uniform(0, 24, n))
    raised = (pd.to_datetime(week) + pd.to_timedelta(day, "D")
              + pd.to_timedelta(np.round(hour * 60), "min"))
    median = np.where(after, MEDIAN_MINUTES["after"], MEDIAN_MINUTES["before"])
    wait = np.maximum(5, np.round(median * rng.lognormal(0, 0.55, n))).astype(np.int64)
    reviewed = raised + pd.to_timedelta(wait, "min")
    outreach = rng.random(n) < np.where(after, OUTREACH_SHARE["after"],
                                        OUTREACH_SHARE["before"])
    review_minutes = np.round(rng.uniform(15, 45, n) + 10 * outreach).astype(np.int64)
    route = np.where(after & (rng.random(n) < 0.6), "outreach line", "ward staff")
    deteriorated = rng.random(n) < DETERIORATION_CHANCE
    lead = np.where(after, HOURS_TO_RECOGNITION["after"], HOURS_TO_RECOGNITION["before"])
    hours = np.round(np.maximum(1.0, lead * rng.lognormal(0, 0.4, n)), 1)
    hours = np.where(deteriorated, hours, np.nan)
    recognised = pd.Series(raised + pd.to_timedelta(np.nan_to_num(hours) * 60, "min"))
    recognised = recognised.dt.round("min").where(deteriorated)
    return pd.DataFrame({
        "concern_id": [f"FC{i + 1:04d}" for i in range(n)],
        "ward_id": WARD,
        "week": week,
        "raised_at": raised.to_numpy(),
        "raised_by": np.where(rng.random(n) < 0.8, "family", "patient"),
        "route": route,
        "reviewed_at": reviewed.to_numpy(),
        "minutes_to_review": wait,
        "reviewed_by": np.where(outreach, "critical care outreach", "ward team"),
        "review_minutes": review_minutes,
        "deteriorated": deteriorated,
        "recognised_at": recognised.to_numpy(),
        "hours_concern_before_recognition": hours,
    })


def dataset() -> Dataset:
    weeks = pd.date_range(FIRST_WEEK, periods=N_WEEKS, freq="7D")
    baseline = int(np.sum(weeks < pd.Timestamp(SCHEME_START)))
    return Dataset(
        name="family_concerns",
        primary_key=["concern_id"],
        title="Concerns raised by patients and families on one ward, with review times and "
              "deterioration",
        description=(
            "Every concern about a patient getting worse raised by a patient or family "
            "member on Siskin ward (Saltreach Hospitals, collaborative C03) in 2024: when it "
            "was raised and reviewed, by whom, for how long, and whether and when the team "
            "recognised that the patient was deteriorating. A scheme like Martha's Rule "
            f"starts on {SCHEME_START}. " + SYNTHETIC_NOTE
        ),
        story=(
            "Families on Siskin ward often noticed first that something was wrong. From July "
            "2024 they can call the critical care outreach team themselves. Did concerns get "
            "reviewed sooner, what did it cost the outreach team, and how many hours earlier "
            "than the team did families spot deterioration?"
        ),
        grain="one row per concern raised",
        seed=SEED,
        fields=[
            fld("concern_id", "string", "The concern's reference."),
            *geography.key_fields("ward_id"),
            fld("week", "date", "Monday of the week the concern was raised.", unit="week"),
            fld("raised_at", "datetime", "When the patient or family raised the concern."),
            fld("raised_by", "string", "family or patient."),
            fld("route", "string", "ward staff (told a nurse or doctor on the ward) or "
                "outreach line (called the critical care outreach team directly; from the "
                "scheme's start)."),
            fld("reviewed_at", "datetime", "When a clinician reviewed the patient because of "
                "the concern."),
            fld("minutes_to_review", "integer", "Minutes from the concern to the review.",
                unit="minutes"),
            fld("reviewed_by", "string", "ward team or critical care outreach."),
            fld("review_minutes", "integer", "Clinician time the review took.",
                unit="minutes"),
            fld("deteriorated", "boolean", "Whether the patient went on to deteriorate "
                "(needed escalation of care within 24 hours)."),
            fld("recognised_at", "datetime", "When the team recognised the deterioration "
                "(observations or an early warning score); blank if there was none."),
            fld("hours_concern_before_recognition", "number", "Hours from the concern to the "
                "team recognising deterioration; blank if there was none.", unit="hours"),
        ],
        frame=generate(),
        decimals={"hours_concern_before_recognition": 1},
        sources=[
            cite("nhse2024martha", "the scheme: patients and families may ask for an urgent "
                 "review by a team from elsewhere in the hospital"),
            cite("illustrative", "concerns a week, review times and the hours between a "
                 "concern and recognised deterioration"),
        ],
        answer_key=[signal(
            "family-concerns-faster-review", {}, "median minutes from concern to review, per "
            "week", SCHEME_START, "shift", "lower", "improvement",
            "median time to review falls from about 150 to about 40 minutes when families can "
            "call the outreach team directly",
            {"chart": "run_chart", "value": "minutes_to_review", "date": "week",
             "baseline": baseline, "direction": "lower"},
            aggregate={"by": "week", "value": "minutes_to_review", "how": "median"})],
    )
