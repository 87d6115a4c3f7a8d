"""One ward's discharges before noon, day by day for six months, and its PDSA log.

Plover ward (``C02-AT1-W2``, respiratory, Eastling Marshes) sets out to discharge more
patients before noon, the "E" (early discharge) of NHS Improvement's SAFER patient flow
bundle, whose aim is a third of discharges from base wards before midday. Before the
work, about 15% of the ward's patients leave before noon: between the 9.5% baseline of
Bailey et al. (2024) and the SAFER aim. Eight PDSA cycles follow, in two ramps and two
single ideas; the change that works (medicines to take home written and checked by the
ward pharmacist the afternoon before) doubles the rate to 30%, close to the 26.8% Bailey
et al. reached with linked PDSA cycles. A discharge lounge, tested ward-wide, changes
nothing: an honest null result, and the team abandons it.

Three resources share one seed: ``discharge_before_noon`` (the daily counts),
``discharge_pdsa_log`` (the cycles, written in :class:`safercare.pdsa.PDSALog`'s own CSV
format, so ``PDSALog.from_csv`` reads it) and ``discharge_driver_diagram`` (the team's
theory of change as the plain table :class:`safercare.pdsa.DriverDiagram` draws, its
primary drivers following the SAFER bundle). Ward-level results in the log (cycles C3,
C4 and C7) are computed from the same simulated discharges, so the log and the chart
agree.

Seed. Successive seeds were tried until both answer-key entries held, neither the p
chart nor the run chart (Anhøj rules, median of the days before the change) showed any
signal before 2 December 2024, and the ward-level results told the story the log tells
(team A's week and the ward's first four weeks near the predicted 30%, the lounge's three
weeks no higher than before it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from safercare.pdsa.driver import DriverDiagram
from safercare.pdsa.log import COLUMNS, Cycle, PDSALog
from safercare.synth import geography
from safercare.synth.base import SYNTHETIC_NOTE, Dataset, fld, signal
from safercare.synth.sources import cite

SEED = 8309
WARD = "C02-AT1-W2"
FIRST_DAY, LAST_DAY = "2024-10-01", "2025-03-31"
#: Discharges a day (Poisson means, Monday first): fewer at weekends, at least one a day.
DISCHARGES_PER_DAY = np.array([6.8, 6.5, 6.5, 6.6, 7.4, 3.6, 3.0])
#: Share of the day's discharges before noon before the work, and once adopted.
BASE_RATE, ADOPTED_RATE = 0.15, 0.30
#: Cycle C3: one of the ward's two medical teams uses the change for one week.
TEAM_WEEK = ("2024-11-25", "2024-12-01")
#: Cycle C4: the whole ward adopts it.
ADOPTED = "2024-12-02"
#: Cycle C7: the discharge lounge, tested ward-wide for three weeks (no effect).
LOUNGE = ("2025-02-03", "2025-02-23")
#: The day after cycle C4's four study weeks.
C4_STUDY = "2024-12-30"
MEASURE = "discharges before noon (%)"
AIM = ("Discharge a third of Plover ward's patients before noon by 31 March 2025 "
       "(from about 15%)")


def days() -> pd.DatetimeIndex:
    """Every day of the six months."""
    return pd.date_range(FIRST_DAY, LAST_DAY, freq="D")


def simulate(seed: int = SEED) -> tuple[pd.DataFrame, dict[str, float]]:
    """The daily table and the ward-level results the log reports (in %)."""
    rng = np.random.default_rng(seed)
    day = days()
    weekday = day.day_of_week.to_numpy()
    discharges = np.maximum(1, rng.poisson(DISCHARGES_PER_DAY[weekday])).astype(np.int64)
    rate = np.where(day >= pd.Timestamp(ADOPTED), ADOPTED_RATE, BASE_RATE)
    # The team week: about half the discharges are team A's, who use the change.
    week = (day >= pd.Timestamp(TEAM_WEEK[0])) & (day <= pd.Timestamp(TEAM_WEEK[1]))
    team_a = np.where(week, rng.binomial(discharges, 0.5), 0)
    team_a_noon = rng.binomial(team_a, ADOPTED_RATE)
    before_noon = team_a_noon + rng.binomial(discharges - team_a, rate)
    ward = geography.orgs("ward")
    row = ward.iloc[geography.org_row(ward, WARD)]
    frame = pd.DataFrame({
        "date": day,
        "weekday": day.strftime("%a"),
        "collaborative_id": row["collaborative_id"],
        "trust_id": row["parent_id"],
        "ward_id": WARD,
        "discharges": discharges,
        "discharges_before_noon": before_noon.astype(np.int64),
    })

    def pct(start: str, end: str) -> float:
        keep = (day >= pd.Timestamp(start)) & (day <= pd.Timestamp(end))
        return round(float(100 * before_noon[keep].sum() / discharges[keep].sum()), 1)

    results = {"C3": round(float(100 * team_a_noon.sum() / team_a.sum()), 1),
               "C4": pct(ADOPTED, "2024-12-29"), "C7": pct(*LOUNGE),
               "baseline": pct(FIRST_DAY, "2024-11-24")}
    return frame, results


def log(results: dict[str, float]) -> PDSALog:
    """The ward's eight PDSA cycles (three results taken from the simulated days)."""
    c = [
        Cycle("C1", change_idea="Write the medicines to take home (TTO) the afternoon "
              "before discharge", aim=AIM, measure="patients leaving before noon (of 1)",
              prediction="The patient will leave before noon, because her medicines will "
              "be ready when she is", predicted_value=1, prediction_date="2024-11-04",
              plan="The ward doctor writes one patient's TTO at the 3pm board round; the nurse "
              "in charge notes the time the patient leaves", plan_date="2024-11-04",
              do_date="2024-11-05", study_date="2024-11-06", scale="1 patient",
              result_value=1, result="She left at 10:40; her TTO was ready at 09:15",
              decision="adapt", learning="It works for one patient if the doctor is "
              "reminded at the board round; try it with every planned discharge"),
        Cycle("C2", builds_on="C1", change_idea="Write the TTO at the 3pm board round for "
              "every patient going home tomorrow", aim=AIM,
              measure="patients leaving before noon (of 5)", prediction="Four of the "
              "five patients will leave before noon", predicted_value=4,
              prediction_date="2024-11-11", plan="The registrar writes the TTOs of the five "
              "patients expected home on Wednesday; the nurse in charge notes who leaves "
              "before noon", plan_date="2024-11-11", do_date="2024-11-12",
              study_date="2024-11-13", scale="5 patients", result_value=2,
              result="Two left before noon; three waited until the afternoon for pharmacy "
              "to check their TTO", decision="adapt", learning="Writing the TTO early is "
              "not enough: pharmacy must check it before 10am"),
        Cycle("C3", builds_on="C2", change_idea="The ward pharmacist joins the 3pm board "
              "round and checks each TTO the same afternoon", aim=AIM,
              measure="team A discharges before noon (%)", prediction="About 30% of team "
              "A's discharges this week will leave before noon", predicted_value=30,
              prediction_date="2024-11-18", plan="Team A only, for one week; the ward "
              "clerk records each discharge time from the patient administration system",
              plan_date="2024-11-18", do_date=TEAM_WEEK[0], study_date="2024-11-29",
              scale="1 team", result_value=results["C3"],
              result="Team A's TTOs were all checked by 5pm the day before",
              decision="adopt", learning="Pharmacy can check about eight TTOs in the "
              "afternoon; that is enough for the whole ward"),
        Cycle("C4", builds_on="C3", change_idea="Pharmacist at the 3pm board round and "
              "TTOs checked the afternoon before, for the whole ward", aim=AIM,
              measure=MEASURE, prediction="The ward will discharge about 30% of its "
              "patients before noon, every day, not just on good days",
              predicted_value=30, prediction_date="2024-11-29", plan="Both teams, every "
              "day from Monday 2 December; daily discharges before noon on the ward's "
              "p chart", plan_date="2024-11-29", do_date=ADOPTED, study_date=C4_STUDY,
              scale="1 ward", result_value=results["C4"], result="A shift on the p chart "
              "from the first week; no rise in readmissions", decision="adopt",
              learning="The rise held for four weeks at ward scale: keep it, and keep "
              "charting it"),
        Cycle("C5", change_idea="Tell patients at 4pm the day before that they are going "
              "home tomorrow, and by when", aim=AIM,
              measure="patients leaving before noon (of 3)", plan="The nurse in charge "
              "tells three patients expected home tomorrow", plan_date="2024-12-16",
              do_date="2024-12-17", study_date="2024-12-18", scale="3 patients",
              result_value=2, result="Two of three left before noon; families said knowing "
              "early helped them arrange a lift", decision="adapt", learning="We did not "
              "write a prediction, so we cannot tell whether this surprised us"),
        Cycle("C6", builds_on="C5", change_idea="Give a going-home leaflet with the 4pm "
              "talk", aim=AIM, measure="patients leaving before noon (of 6)",
              prediction="Five of the six patients will leave before noon",
              predicted_value=5, prediction_date="2025-01-06", plan="All six patients "
              "expected home on Tuesday get the talk and the leaflet",
              plan_date="2025-01-06", do_date="2025-01-07", study_date="2025-01-08",
              scale="1 day", result_value=2, result="Two of six left before noon; most "
              "had not read the leaflet", decision="abandon", learning="The talk matters, "
              "the leaflet does not: stop printing it"),
        Cycle("C7", change_idea="Move patients to the discharge lounge by 10am to wait "
              "for transport", aim=AIM, measure=MEASURE, prediction="Discharges before "
              "noon will rise from 30% to 40%", predicted_value=40,
              prediction_date="2025-01-27", plan="Every patient going home who is ready "
              "by 10am moves to the lounge, for three weeks", plan_date="2025-01-27",
              do_date=LOUNGE[0], study_date="2025-02-24", scale="1 ward",
              result_value=results["C7"], result="No change on the p chart: most patients "
              "were not ready to move until their TTO and transport were, so the lounge "
              "sat empty in the morning", decision="abandon", learning="The lounge moves "
              "patients who are already ready; the delay is before that"),
        Cycle("C8", builds_on="C5", change_idea="Book hospital transport at the 4pm talk "
              "for tomorrow's discharges", aim=AIM,
              measure="patients leaving before noon (of 1)", prediction="The patient "
              "will leave before noon", predicted_value=1, prediction_date="2025-03-24",
              plan="One patient who needs hospital transport, next week",
              plan_date="2025-03-24", scale="1 patient"),
    ]
    return PDSALog(c)


#: The team's driver diagram: (primary driver, secondary driver, change idea).
DRIVERS: list[tuple[str, str, str]] = [
    ("Plan each discharge the day before", "Medicines to take home ready in time",
     "Write TTOs the afternoon before discharge (cycles C1, C2)"),
    ("Plan each discharge the day before", "Medicines to take home ready in time",
     "Ward pharmacist checks TTOs at the 3pm board round (cycles C3, C4)"),
    ("Plan each discharge the day before", "Patients and families know the plan",
     "Tell patients at 4pm the day before (cycle C5)"),
    ("Plan each discharge the day before", "Patients and families know the plan",
     "Going-home leaflet with the 4pm talk (cycle C6)"),
    ("Plan each discharge the day before", "Expected date of discharge set early",
     "Set an expected date of discharge at the post-take ward round (not tested yet)"),
    ("Patients leave as soon as they are ready", "Transport booked in time",
     "Book hospital transport at the 4pm talk (cycle C8)"),
    ("Patients leave as soon as they are ready", "A place to wait that frees the bed",
     "Discharge lounge from 10am (cycle C7)"),
    ("Senior decisions early in the day", "Senior review before noon",
     "Consultant board round at 9am, discharges first (not tested yet)"),
    ("Senior decisions early in the day", "Discharge against agreed clinical criteria",
     "Nurses discharge against agreed criteria at weekends (not tested yet)"),
]


def driver_table() -> pd.DataFrame:
    """The driver diagram as a plain table, checked by :class:`DriverDiagram`."""
    frame = pd.DataFrame(DRIVERS, columns=["primary_driver", "secondary_driver",
                                           "change_idea"])
    frame.insert(0, "aim", AIM)
    DriverDiagram.from_table(frame)            # a table the package cannot draw is a bug
    return frame


def _chart(baseline: int) -> dict[str, object]:
    return {"chart": "p_chart", "numerator": "discharges_before_noon",
            "denominator": "discharges", "date": "date", "baseline": baseline,
            "direction": "higher"}


def answer_key() -> list[dict[str, object]]:
    """The planted shift after the adopted change, and the null result of the lounge."""
    day = days()
    before = int((day < pd.Timestamp(ADOPTED)).sum())
    settled = int(((day >= pd.Timestamp(ADOPTED)) & (day < pd.Timestamp(LOUNGE[0]))).sum())
    return [
        signal("discharge-noon-shift", {"ward_id": WARD}, "discharges before noon as a "
               "proportion of the day's discharges", ADOPTED, "shift", "higher",
               "improvement", f"the chance of leaving before noon doubled from "
               f"{BASE_RATE:.0%} to {ADOPTED_RATE:.0%} on {ADOPTED}, when cycle C4 adopted "
               "same-afternoon TTO checks ward-wide (one team had used them for the week "
               "before, cycle C3)", _chart(before), expect={"cycle": "C4"}),
        signal("discharge-lounge-null", {"ward_id": WARD}, "discharges before noon as a "
               "proportion of the day's discharges", LOUNGE[0], "common_cause", "none",
               "common_cause", f"nothing planted: the discharge lounge (cycle C7, "
               f"abandoned) left the proportion at {ADOPTED_RATE:.0%}. Chart the days from "
               f"{ADOPTED} with limits fixed on those before {LOUNGE[0]}: only "
               "common-cause variation", _chart(settled),
               aggregate={"how": "sum", "by": "date", "date": "date", "from": ADOPTED},
               expect={"cycle": "C7"}),
    ]


_SOURCES = [
    cite("nhsi2017safer", "the aim of a third of discharges before midday and the "
         "change ideas (the 'E' of SAFER)"),
    cite("bailey2024dbn", "the baseline of about 15% (between their 9.5% and the SAFER "
         "aim) and the size of the rise a linked series of PDSA cycles can bring"),
]


def datasets() -> list[Dataset]:
    """The three resources: the daily counts, the PDSA log and the driver diagram."""
    frame, results = simulate()
    cycles = log(results)
    story = (
        "Plover ward, a 31-bed respiratory ward in Eastling Marshes, wants more patients "
        "to go home before noon, so that beds are free when the emergency department "
        "needs them. Its team tested eight changes in PDSA cycles (see "
        "discharge_pdsa_log): one worked and was adopted ward-wide, one (a discharge "
        "lounge) made no difference and was abandoned, and one cycle was run without a "
        "written prediction. Can you see, on a p chart of the days, which change "
        "worked and from when?")
    daily = Dataset(
        name="discharge_before_noon",
        primary_key=["date"],
        title="Discharges before noon on one ward, day by day",
        description=(
            "The number of patients discharged from Plover ward each day, and how many "
            "left before noon, 1 October 2024 to 31 March 2025. " + SYNTHETIC_NOTE),
        story=story,
        grain="one row per day",
        seed=SEED,
        fields=[
            fld("date", "date", "The day.", unit="day"),
            fld("weekday", "string", "Day of the week (Mon to Sun)."),
            *geography.key_fields("collaborative_id", "trust_id", "ward_id"),
            fld("discharges", "integer", "Patients discharged home or onward that day "
                "(every day had at least one).", unit="patients"),
            fld("discharges_before_noon", "integer", "Of those, patients who left the "
                "ward before 12:00.", unit="patients"),
        ],
        frame=frame,
        sources=_SOURCES,
        answer_key=answer_key(),
    )
    pdsa = Dataset(
        name="discharge_pdsa_log",
        primary_key=["cycle_id"],
        title="Plover ward's PDSA log for discharge before noon",
        description=(
            "Eight PDSA cycles of Plover ward's discharge-before-noon project, in the "
            "PDSA log format of safercare.pdsa (read it with "
            "PDSALog.from_csv). " + SYNTHETIC_NOTE),
        story=story + (
            " Cycles C1 to C4 are a ramp from one patient to the whole ward (C4 adopted "
            "on " + ADOPTED + "); C5, C6 and C8 build on telling patients the day before "
            "(C5 has no prediction, a missed chance; C6 was abandoned; C8 is planned, "
            "not run yet); C7 is the discharge lounge, abandoned. Ward-level results "
            "(C3, C4, C7) are computed from discharge_before_noon."),
        grain="one row per PDSA cycle",
        seed=SEED,
        fields=[fld(name, *_LOG_FIELDS[name]) for name in COLUMNS],
        frame=cycles.to_text_frame(),
        sources=_SOURCES,
        companion="discharge_before_noon",
    )
    drivers = Dataset(
        name="discharge_driver_diagram",
        primary_key=["change_idea"],
        title="Plover ward's driver diagram for discharge before noon",
        description=(
            "The discharge-before-noon team's driver diagram as a plain table: one row "
            "per change idea, with the aim, its primary and secondary driver; draw it "
            "with safercare.pdsa.DriverDiagram. " + SYNTHETIC_NOTE),
        story=story + (
            " Before testing anything, the team set out its theory: three primary "
            "drivers (planning the day before, leaving as soon as ready, senior decisions "
            "early), following the SAFER bundle. Each change idea says which PDSA cycles "
            "tested it."),
        grain="one row per change idea",
        seed=SEED,
        fields=[
            fld("aim", "string", "The aim (the same in every row)."),
            fld("primary_driver", "string", "What most directly moves the aim."),
            fld("secondary_driver", "string", "What acts on the primary driver."),
            fld("change_idea", "string", "A change to test, and the cycles that tested it."),
        ],
        frame=driver_table(),
        sources=[_SOURCES[0]],
        companion="discharge_before_noon",
    )
    return [daily, pdsa, drivers]


def daily_dataset() -> Dataset:
    """The daily counts (generated with the log, so the two always agree)."""
    return datasets()[0]


def log_dataset() -> Dataset:
    """The PDSA log."""
    return datasets()[1]


def driver_dataset() -> Dataset:
    """The driver diagram table."""
    return datasets()[2]


#: The generators, in data package order.
DATASETS = [daily_dataset, log_dataset, driver_dataset]


#: The log's columns in the data package: (type, description).
_LOG_FIELDS: dict[str, tuple[str, str]] = {
    "cycle_id": ("string", "The cycle's short name."),
    "builds_on": ("string", "The cycle this one builds on (blank: a new idea)."),
    "change_idea": ("string", "The change tested."),
    "aim": ("string", "What the team is trying to accomplish."),
    "measure": ("string", "What the predicted and result numbers count."),
    "prediction": ("string", "What the team expected, in words (blank: none written)."),
    "predicted_value": ("number", "The predicted number, on the measure."),
    "prediction_date": ("date", "When the prediction was written."),
    "plan": ("string", "Who does what, where and when."),
    "plan_date": ("date", "When the cycle was planned."),
    "do_date": ("date", "When the test started (blank: not run yet)."),
    "study_date": ("date", "When the result was studied."),
    "scale": ("string", "How big the test was (a number and a unit)."),
    "result_value": ("number", "The number found, on the measure."),
    "result": ("string", "What happened, in words."),
    "decision": ("string", "adopt, adapt or abandon (blank: not decided yet)."),
    "learning": ("string", "What the team learned."),
}
