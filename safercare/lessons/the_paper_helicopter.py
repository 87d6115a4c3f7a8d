"""Lesson 12, *The paper helicopter*: the team's PDSA log, the two explorations (build and
drop one helicopter; run a one-factor-at-a-time plan or a 2^3 factorial, cycle by cycle),
the words printed about the results and the exercise checks.

Everything is computed by :mod:`safercare.games.helicopter` (Box 1992's helicopter, seeded);
this module only chooses the lesson's designs and seed, keeps the PDSA log with
:mod:`safercare.pdsa` and turns the results into sentences, so the words cannot disagree
with the numbers. The explorations are :class:`~safercare.widgets.explore.Explorer` objects:
every state is computed when the cell runs, so their controls respond in the static book.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from safercare import style
from safercare.games import helicopter
from safercare.lessons.common import Feedback, no_answer, normalise, read_numbers
from safercare.pdsa import Cycle, PDSALog
from safercare.widgets.explore import Choice, Explorer, Slider, Stepper, Toggle, View

#: The lesson's seed: every table, chart and answer of the lesson comes from it.
SEED = 0
#: The 2^3 factorial the lesson runs (body length stays at the classroom start, 4 cm).
LEVELS: dict[str, tuple[float, float]] = {
    "wing_length": (6.0, 11.0),
    "paper_gsm": (80.0, 120.0),
    "paper_clip": (0.0, 1.0),
}
#: Drops of each design in both plans.
REPLICATES = 2
#: The interaction the lesson teaches (a term of :func:`helicopter.effects`).
INTERACTION = "wing_length × paper_clip"
#: The workshop day the team's log is dated on.
DAY = "2025-03-14"
#: What the team believes before testing each factor (its prediction: seconds gained).
BELIEFS: dict[str, tuple[str, float]] = {
    "wing_length": ("Longer wings catch more air, so it falls more slowly", 0.5),
    "paper_gsm": ("Thicker paper is stiffer, so the wings hold their shape", 0.2),
    "paper_clip": ("A clip steadies the spin", 0.3),
}

_NAMES = {"wing_length": "wing length", "paper_gsm": "paper weight", "paper_clip": "paper clip"}


# ----------------------------------------------------------------------------- words
def design_words(row: Any) -> str:
    """A design in words: "11 cm wings, 4 cm body, 80 g/m² paper, a paper clip"."""
    clip = "a paper clip" if float(row["paper_clip"]) else "no clip"
    return (f"{float(row['wing_length']):g} cm wings, {float(row['body_length']):g} cm body, "
            f"{float(row['paper_gsm']):g} g/m² paper, {clip}")


def _times(values: pd.Series) -> str:
    shown = [f"{v:.2f}" for v in values]
    if len(shown) == 1:
        return f"{shown[0]} s"
    return ", ".join(shown[:-1]) + f" and {shown[-1]} s"


def drops_words(flights: pd.DataFrame) -> str:
    """What the drops of one design show: the times, their mean and their range."""
    row = flights.iloc[0]
    times = flights["flight_time"]
    n = len(times)
    head = f"**{design_words(row)}.**"
    if n == 1:
        return (f"{head} One drop took {_times(times)}. One drop cannot tell you how much the "
                "next drop of the same helicopter will differ: drop it again.")
    spread = float(times.max() - times.min())
    return (f"{head} {n} drops took {_times(times)}: a mean of {times.mean():.2f} s. The "
            f"same helicopter varied by {spread:.2f} s from its slowest to its fastest drop, "
            "so a difference between two designs smaller than that could be chance.")


# ------------------------------------------------------------------ the two plans
@lru_cache(maxsize=4)
def factorial(seed: int = SEED) -> pd.DataFrame:
    """The lesson's 2^3 factorial: 8 designs, each dropped :data:`REPLICATES` times."""
    return helicopter.factorial_experiment(LEVELS, REPLICATES, seed=seed)


@lru_cache(maxsize=4)
def ofat(seed: int = SEED) -> pd.DataFrame:
    """The lesson's one-factor-at-a-time plan over the same three factors and levels."""
    return helicopter.one_factor_at_a_time(levels=LEVELS, replicates=REPLICATES, seed=seed)


def design_table(flights: pd.DataFrame) -> pd.DataFrame:
    """One row per design flown, numbered in the order flown: its settings, drops and mean."""
    key = "step" if "step" in flights else None
    cols = list(helicopter.FACTORS)
    groups = flights.groupby(([key] if key else []) + cols, sort=False)["flight_time"]
    table = groups.agg(drops=lambda s: ", ".join(f"{v:.2f}" for v in s), mean="mean")
    table = table.reset_index()
    table.insert(0, "design", range(1, len(table) + 1))
    table["mean"] = table["mean"].round(3)
    return table


def reader_table(table: pd.DataFrame) -> pd.DataFrame:
    """A design table with plain column names, as a reader sees it."""
    out = pd.DataFrame({
        "Design": table["design"],
        "Wing length (cm)": table["wing_length"],
        "Paper (g/m²)": table["paper_gsm"],
        "Paper clip": table["paper_clip"].map({0.0: "no", 1.0: "yes"}),
        "Drops (s)": table["drops"],
        "Mean (s)": table["mean"].round(2),
    })
    if "step" in table:
        out.insert(1, "Cycle", table["step"])
    return out


def ofat_answer(seed: int = SEED) -> dict[str, float]:
    """The design the one-factor-at-a-time plan ends with (the last kept settings)."""
    runs = ofat(seed)
    last = runs[runs["kept"] & (runs["step"] == runs["step"].max())].iloc[0]
    return {k: float(last[k]) for k in helicopter.FACTORS}


def true_best() -> dict[str, float]:
    """The best of the eight designs by the model's expected (noise-free) time."""
    design = helicopter.factorial_design(LEVELS)
    expected = helicopter.expected_flight_time(*(design[k] for k in helicopter.FACTORS))
    best = design.iloc[int(expected.argmax())]
    return {k: float(best[k]) for k in helicopter.FACTORS}


def best_factorial_design(seed: int = SEED) -> int:
    """The number (in :func:`design_table` order) of the factorial's longest-flying design."""
    table = design_table(factorial(seed))
    return int(table.loc[table["mean"].idxmax(), "design"])


# --------------------------------------------------------------------- PDSA logs
def _cycle_learning(factor: str, kept: float, low: float, gain: float) -> str:
    name = _NAMES[factor]
    if kept == low:
        return f"Changing the {name} alone made it worse by {-gain:.2f} s: keep the start."
    return f"Changing the {name} gained {gain:.2f} s: keep the change."


def ofat_log(seed: int = SEED, cycles: int | None = None) -> PDSALog:
    """The team's PDSA log of the one-factor-at-a-time plan: one cycle per factor tested.

    Each cycle predicts the changed design's mean time from the team's belief
    (:data:`BELIEFS`), flies the current and the changed design, and adopts the change
    when it flew longer, else abandons it. ``cycles`` keeps only the first cycles.
    """
    runs = ofat(seed)
    steps = sorted(runs["step"].unique())[: cycles]
    log, previous = [], ""
    for step in steps:
        part = runs[runs["step"] == step]
        factor = str(part["factor"].iat[0])
        means = part.groupby(factor, sort=False)["flight_time"].mean()
        low, high = LEVELS[factor]
        current, changed = float(means[low]), float(means[high])
        belief, gain = BELIEFS[factor]
        kept = float(part.loc[part["kept"], factor].iat[0])
        cycle_id = f"C{step}"
        log.append(Cycle(
            cycle_id, builds_on=previous, plan_date=DAY, do_date=DAY, study_date=DAY,
            change_idea=f"Change the {_NAMES[factor]} from {low:g} to {high:g}"
                        if factor != "paper_clip" else "Add a paper clip to the body",
            measure="seconds in the air, mean of 2 drops", scale="1 team",
            prediction=belief, predicted_value=round(current + gain, 2),
            result_value=round(changed, 2),
            result=f"{changed:.2f} s against {current:.2f} s without the change",
            decision="adopt" if kept == high else "abandon",
            learning=_cycle_learning(factor, kept, low, changed - current)))
        previous = cycle_id
    return PDSALog(log)


def factorial_log(seed: int = SEED) -> PDSALog:
    """The PDSA log of the factorial: one planned cycle flying all eight designs."""
    table = design_table(factorial(seed))
    best = table.loc[table["mean"].idxmax()]
    return PDSALog([Cycle(
        "F1", plan_date=DAY, do_date=DAY, study_date=DAY, scale="1 team",
        change_idea="Fly every combination of wing length, paper weight and clip",
        measure="longest mean flight time of the 8 designs (s)",
        prediction="One of the eight designs beats the start by half a second",
        predicted_value=round(float(table["mean"].iat[0]) + 0.5, 2),
        result_value=round(float(best["mean"]), 2),
        result=f"design {int(best['design'])} ({design_words(best)}) flew longest",
        decision="adopt", learning=interaction_words(seed))])


def log_table(log: PDSALog) -> pd.DataFrame:
    """The columns of a PDSA log a reader needs, as the log writes them."""
    text = log.to_text_frame()
    return pd.DataFrame({
        "Cycle": text["cycle_id"], "Builds on": text["builds_on"],
        "Change tested": text["change_idea"], "Predicted (s)": text["predicted_value"],
        "Found (s)": text["result_value"], "Decision": text["decision"],
        "What we learned": text["learning"]})


# ------------------------------------------------------------------------ effects
@lru_cache(maxsize=4)
def effects(seed: int = SEED, replicates: int = REPLICATES) -> pd.DataFrame:
    """Main effects and interactions of the factorial (its first ``replicates`` drops)."""
    flights = factorial(seed)
    return helicopter.effects(flights[flights["replicate"] <= replicates])


def effects_table(seed: int = SEED) -> pd.DataFrame:
    """The effects as a reader sees them."""
    table = effects(seed)
    return pd.DataFrame({
        "Term": table["term"].str.replace("_", " "),
        "Effect (s)": table["effect"].round(2),
        "Standard error (s)": table["se"].round(2),
        "Clear of the noise?": table["clear"].map({True: "yes", False: "no"}),
    })


def interaction_exists(seed: int = SEED) -> bool:
    """Whether the factorial shows the wing length × paper clip interaction clearly."""
    table = effects(seed).set_index("term")
    return bool(table.loc[INTERACTION, "clear"])


def interaction_words(seed: int = SEED) -> str:
    """What the factorial says about wings and the clip, from its own flights."""
    flights = factorial(seed)
    means = flights.groupby(["wing_length", "paper_clip"])["flight_time"].mean()
    (short, long_) = LEVELS["wing_length"]
    gain_short = float(means[(short, 1.0)] - means[(short, 0.0)])
    gain_long = float(means[(long_, 1.0)] - means[(long_, 0.0)])
    row = effects(seed).set_index("term").loc[INTERACTION]
    verdict = ("clear of the noise" if bool(row["clear"]) else "no bigger than the noise")
    return (f"With {short:g} cm wings a clip changed the mean time by {gain_short:+.2f} s; "
            f"with {long_:g} cm wings by {gain_long:+.2f} s. The effect of the clip depends on "
            f"the wing length: an interaction of {float(row['effect']):.2f} s (standard "
            f"error {float(row['se']):.2f} s), {verdict}.")


def comparison_words(seed: int = SEED) -> str:
    """One-factor-at-a-time against the factorial: drops used and design found."""
    o, f = ofat(seed), factorial(seed)
    kept, best = ofat_answer(seed), helicopter.best_design(f)
    o_mean = float(o[o["kept"] & (o["step"] == o["step"].max())]["flight_time"].mean())
    f_mean = float(f.groupby(list(helicopter.FACTORS))["flight_time"].mean().max())
    same = kept == best
    return (f"One factor at a time used {len(o)} drops and ended with "
            f"{design_words(kept)} (its last cycle's drops: mean {o_mean:.2f} s). The "
            f"factorial used {len(f)} drops and found {design_words(best)} (mean {f_mean:.2f} s). "
            + ("Both plans found the same design." if same else
               "One factor at a time never flew long wings with a clip, so it could not "
               "find the best design."))


def replicate_words(seed: int = SEED) -> str:
    """Why the factorial needs its replicates: no error estimate from single drops."""
    one = effects(seed, 1)
    two = effects(seed, REPLICATES)
    clear = int(two["clear"].sum())
    if not one["se"].isna().all():  # only when the engine can measure noise from one drop
        return f"{clear} of the {len(two)} effects stand clear of the noise."
    return (f"With one drop of each design there is no way to measure the noise: every one "
            f"of the {len(one)} effects could be chance. With {REPLICATES} drops of each, the "
            f"differences between drops of the same design give a standard error of "
            f"{float(two['se'].iat[0]):.2f} s, and {clear} of the {len(two)} effects stand "
            "clear of it.")


# ---------------------------------------------------------------- explorations
WINGS = (5.0, 7.0, 9.0, 11.0)
DROPS = (1, 3, 5)


def one_helicopter_view(state: dict[str, Any], seed: int = SEED) -> View:
    """Build one helicopter and drop it 1, 3 or 5 times (more drops add to the same ones)."""
    design = {"wing_length": float(state["wing"]), "body_length": float(state["body"]),
              "paper_gsm": float(state["paper"]), "paper_clip": float(state["clip"])}
    # each design gets its own seeded drops, so the same design always flies the same
    key = (WINGS.index(design["wing_length"]) * 8 + int(design["body_length"] == 8.0) * 4
           + int(design["paper_gsm"] == 120.0) * 2 + int(design["paper_clip"]))
    flights = helicopter.fly(design, max(DROPS), seed=seed * 1000 + key)
    flights = flights.head(int(state["drops"]))
    table = pd.DataFrame({"Drop": flights["replicate"],
                          "Flight time (s)": flights["flight_time"]})
    return View(words=drops_words(flights), table=table)


def one_helicopter_explorer(seed: int = SEED) -> Explorer:
    """Build a helicopter with four controls and drop it: times and words per drop."""
    return Explorer(
        "Build a helicopter and drop it",
        controls=[
            Slider("wing", "Wing length", WINGS, default=7.0, text="{} cm"),
            Choice("body", "Body length", [(4.0, "4 cm"), (8.0, "8 cm")], style="radio"),
            Choice("paper", "Paper weight", [(80.0, "80 g/m² (printer paper)"),
                                             (120.0, "120 g/m² (thin card)")], style="radio"),
            Toggle("clip", "A paper clip on the body"),
            Slider("drops", "Drops of the same helicopter", DROPS, default=3),
        ],
        render=lambda state: one_helicopter_view(state, seed),
    )


PLANS = (("ofat", "One factor at a time"), ("factorial", "A 2×2×2 factorial"))
STEPS = 4
#: Designs flown per press of the button (one OFAT cycle: the current and the changed design).
PER_STEP = 2


def _flown(plan: str, designs: int, seed: int) -> pd.DataFrame:
    runs = ofat(seed) if plan == "ofat" else factorial(seed)
    table = design_table(runs)
    return table.head(designs)


def plan_figure(table: pd.DataFrame, flights: pd.DataFrame, title: str) -> plt.Figure:
    """Each design flown so far: its drops (circles) and its mean (a bar), best in orange."""
    with style.style_context():
        fig, ax = plt.subplots(figsize=(7.0, 3.4), layout="constrained")
    style.apply_style(ax, title=title, xlabel="Design number",
                      ylabel="Flight time (s)")
    best = int(table["mean"].idxmax())
    for i, row in table.iterrows():
        mask = pd.Series(True, index=flights.index)
        for k in helicopter.FACTORS:
            mask &= flights[k] == row[k]
        if "step" in table:
            mask &= flights["step"] == row["step"]
        colour = style.ORANGE if i == best else style.BLUE
        marker = "D" if i == best else "o"
        ax.bar(row["design"], row["mean"], width=0.6, color=colour, alpha=0.35)
        ax.scatter([row["design"]] * int(mask.sum()), flights.loc[mask, "flight_time"],
                   color=colour, marker=marker, edgecolor=style.TEXT_COLOUR, zorder=3)
    ax.set_xticks(range(1, STEPS * PER_STEP + 1))
    ax.set_xlim(0.4, STEPS * PER_STEP + 0.6)
    ax.set_ylim(0, 4.2)
    plt.close(fig)
    return fig


def plan_words(plan: str, step: int, seed: int = SEED) -> str:
    """What the plan has found after ``step`` presses (:data:`PER_STEP` designs each)."""
    designs = step * PER_STEP
    name = dict(PLANS)[plan]
    runs = ofat(seed) if plan == "ofat" else factorial(seed)
    total = len(design_table(runs))
    if designs == 0:
        steps = ("tests one factor per PDSA cycle, keeping whichever level flew longer"
                 if plan == "ofat" else "flies every combination of the three factors in "
                 "one planned cycle")
        return (f"**{name}** {steps}: {total} designs, {REPLICATES} drops each. Press the "
                f"button to fly the next {PER_STEP} designs.")
    table = _flown(plan, designs, seed)
    best = table.loc[table["mean"].idxmax()]
    shown = min(designs, total)
    words = (f"**{name}:** {shown} of {total} designs flown ({shown * REPLICATES} drops). "
             f"Longest so far: design {int(best['design'])}, {design_words(best)}, mean "
             f"{float(best['mean']):.2f} s.")
    if designs > total:
        words += (f" The plan stopped after {total} designs: it keeps "
                  f"{design_words(ofat_answer(seed))}. The factorial would be flying its "
                  f"designs {designs - 1} and {designs} now (choose it above to compare).")
    elif designs == total:
        words += " " + (comparison_words(seed) if plan == "factorial" else
                        f"The plan is finished: it keeps {design_words(ofat_answer(seed))}.")
    return words


def plan_view(plan: str, step: int, seed: int = SEED) -> View:
    """One state of the plan stepper: the chart, the words and the PDSA log so far."""
    words = plan_words(plan, step, seed)
    designs = step * PER_STEP
    if designs == 0:
        return View(words=words)
    runs = ofat(seed) if plan == "ofat" else factorial(seed)
    table = _flown(plan, designs, seed)
    fig = plan_figure(table, runs, dict(PLANS)[plan])
    total = len(design_table(runs))
    if plan == "ofat":
        done = min(designs, total) // PER_STEP
        log = log_table(ofat_log(seed, done)) if done else None
    else:
        log = log_table(factorial_log(seed)) if designs >= total else None
    alt = (f"Bar chart of the mean flight time of each design flown, with its "
           f"{REPLICATES} drops as points. " + words.replace("**", ""))
    if log is not None:
        log = log[["Cycle", "Change tested", "Predicted (s)", "Found (s)", "Decision"]]
    return View(figure=fig, words=words, alt=alt, table=log)


def plan_explorer(seed: int = SEED) -> Explorer:
    """Run either plan one design at a time and watch what it finds (and logs)."""
    return Explorer(
        "One factor at a time, or a factorial?",
        controls=[Choice("plan", "Plan", PLANS, style="radio"),
                  Stepper("Designs flown", steps=STEPS, name="step",
                          button_text="Fly the next two designs",
                          counter="Press {step} of {steps}")],
        render=lambda state: plan_view(str(state["plan"]), int(state["step"]), seed),
    )


def ofat_figure(seed: int = SEED) -> tuple[plt.Figure, str]:
    """The whole one-factor-at-a-time plan, as a still picture, with its words."""
    words = plan_words("ofat", STEPS, seed).replace("**", "")
    table = design_table(ofat(seed))
    fig = plan_figure(table, ofat(seed), "One factor at a time")
    return fig, "Bar chart of each design's mean flight time, with its drops. " + words


def factorial_figure(seed: int = SEED) -> tuple[plt.Figure, str]:
    """The whole factorial, as a still picture, with its words."""
    words = plan_words("factorial", STEPS, seed).replace("**", "")
    fig = plan_figure(design_table(factorial(seed)), factorial(seed), "A 2×2×2 factorial")
    return fig, "Bar chart of each design's mean flight time, with its drops. " + words


# ------------------------------------------------------------------------ checks
def check_best_design(answer: Any, seed: int = SEED) -> Feedback:
    """Exercise 12.1: the number of the factorial design you would build (from its table)."""
    numbers = read_numbers(answer)
    if not numbers:
        return no_answer("7", answer)
    given, right = int(numbers[0]), best_factorial_design(seed)
    table = design_table(factorial(seed)).set_index("design")
    if given not in table.index:
        return Feedback(False, f"The factorial flew designs 1 to {len(table)}: type one of "
                               "those numbers.")
    mean = float(table.loc[right, "mean"])
    if given == right:
        return Feedback(True, f"Design {right} ({design_words(table.loc[right])}) flew "
                              f"longest, a mean of {mean:.2f} s. Long wings only pay with a "
                              "clip to steady them.")
    their = float(table.loc[given, "mean"])
    return Feedback(False, f"Design {given} flew a mean of {their:.2f} s. "
                           "Look down the Mean column for the longest mean, not one lucky drop.")


def check_factorial_drops(answer: Any, seed: int = SEED) -> Feedback:
    """Exercise 12.2: how many drops the factorial needed (designs × replicates)."""
    numbers = read_numbers(answer)
    if not numbers:
        return no_answer("16", answer)
    flights = factorial(seed)
    designs = flights.groupby(list(helicopter.FACTORS)).ngroups
    right, given = len(flights), int(numbers[0])
    o_drops = len(ofat(seed))
    if given == right:
        return Feedback(True, f"{designs} designs × {REPLICATES} drops = {right} drops, only "
                              f"{right - o_drops} more than one factor at a time ({o_drops}), "
                              "and every drop is used to estimate every effect.")
    if given == designs:
        return Feedback(False, f"{designs} is the number of designs. Each was dropped "
                               f"{REPLICATES} times: how many drops is that?")
    return Feedback(False, f"Not {given}. Count the designs in the table (2 levels of 3 "
                           "factors) and multiply by the drops of each.")


def check_interaction(answer: Any, seed: int = SEED) -> Feedback:
    """Exercise 12.3: does the wing length × paper clip interaction exist? "yes" or "no"."""
    text = normalise(answer)
    if text.strip(" .…") == "":
        return no_answer("yes", answer)
    if text.startswith(("yes", "y ")) or text == "y":
        given = True
    elif text.startswith(("no", "n ")) or text == "n":
        given = False
    else:
        return Feedback(False, 'Type "yes" or "no".')
    right = interaction_exists(seed)
    words = interaction_words(seed)
    if given == right:
        return Feedback(True, words)
    return Feedback(False, "Look at the row for wing length × paper clip in the effects "
                           "table, and compare the clip's effect with short and long wings.")


def expected_answers(seed: int = SEED) -> dict[str, Any]:
    """Each exercise's answer, worked out from the simulation (for tests and the trainer)."""
    return {"12.1": best_factorial_design(seed), "12.2": len(factorial(seed)),
            "12.3": "yes" if interaction_exists(seed) else "no"}


def answers(seed: int = SEED) -> dict[str, str]:
    """The trainer page's answers (``{course}`l12-...```), in the words the checks print."""
    return {"best": check_best_design(best_factorial_design(seed), seed).message,
            "runs": check_factorial_drops(len(factorial(seed)), seed).message,
            "interaction": interaction_words(seed), "compare": comparison_words(seed)}
