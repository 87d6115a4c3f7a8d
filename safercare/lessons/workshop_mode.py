"""Lesson 13, *Workshop mode: learning across teams*: a simulated room playing the coin-spin
PDSA game, its small multiples of run charts (one per team), the rounds explorer, the words
printed about the room and the exercise checks.

The room comes from :func:`safercare.games.team_simulation.simulate_team_game` (seeded), each
team's run chart from :func:`safercare.spc.run_chart` (Anhøj rules, the package default);
this module only chooses the lesson's room and turns the results into sentences. The live
pages a real room types into are served by :mod:`safercare.games.team_game` (see the
README's "Run the PDSA team game"); this module never touches them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

from safercare import spc, style
from safercare.games import team_simulation
from safercare.lessons.common import Feedback, no_answer, read_numbers, squash
from safercare.widgets.explore import Explorer, Stepper, View

#: The lesson's room: the game, the number of teams and rounds, and the seed.
GAME = team_simulation.DEFAULT_GAME
TEAMS = 6
ROUNDS = 15
SEED = 0
#: Rounds played at each press of the explorer's button.
ROUNDS_PER_STEP = 5


@lru_cache(maxsize=4)
def room(seed: int = SEED) -> pd.DataFrame:
    """The simulated room: one row per team and round (see ``simulate_team_game``)."""
    return team_simulation.simulate_team_game(GAME, teams=TEAMS, rounds=ROUNDS, seed=seed)


def _direction() -> str:
    return "higher" if team_simulation.GAMES[GAME].higher_is_better else "lower"


def run_charts(results: pd.DataFrame) -> Any:
    """Each team's run chart (one group per team), improvement the game's way."""
    return spc.run_chart(results, value="value", date="round", by="team",
                         direction=_direction())


def signalled(chart: Any) -> list[str]:
    """The teams whose run chart shows a non-random signal (a long run or few crossings)."""
    table = chart.table
    flags = table.groupby("team", sort=False)[["long_run", "few_crossings"]].any()
    return [str(t) for t in flags.index[flags.any(axis=1)]]


def _ideas(text: str) -> str:
    return f"“{text}”"


def team_words(results: pd.DataFrame, team: str) -> str:
    """One team's story: its first result, what it adopted, and what its run chart says."""
    rows = results[results["team"] == team]
    unit = team_simulation.GAMES[GAME].unit
    adopted = rows[rows["decision"] == "adopt"]
    kept = ", ".join(f"{_ideas(c)} (round {r})" for c, r in
                     zip(adopted["change"], adopted["round"], strict=True))
    chart = run_charts(rows)
    words = (f"**{team}:** {len(rows)} rounds, from {rows['value'].iat[0]:.1f} {unit} in "
             f"round 1 to {rows['value'].iat[-1]:.1f} in round {rows['round'].iat[-1]}. ")
    words += f"Adopted {kept}. " if kept else "Adopted no change yet. "
    return words + chart.describe(group=team)


def ideas_table(results: pd.DataFrame) -> pd.DataFrame:
    """Each change idea: its true effect (known only to the simulator), tests and adoptions."""
    truth = team_simulation.CHANGE_IDEAS[GAME]
    tested = results[results["change"] != ""]
    counts = tested.groupby("change")["decision"].agg(
        tested="size", adopted=lambda d: int((d == "adopt").sum()))
    table = pd.DataFrame({"idea": list(truth), "true_effect": list(truth.values())})
    table = table.join(counts, on="idea").fillna({"tested": 0, "adopted": 0})
    table[["tested", "adopted"]] = table[["tested", "adopted"]].astype(int)
    return table.sort_values("true_effect", ascending=False, kind="stable").reset_index(drop=True)


def reader_ideas_table(results: pd.DataFrame) -> pd.DataFrame:
    """The ideas table as a reader sees it."""
    table = ideas_table(results)
    helps = table["true_effect"] > 1 if team_simulation.GAMES[GAME].higher_is_better else (
        table["true_effect"] < 1)
    return pd.DataFrame({
        "Change idea": table["idea"],
        "What it truly does": [f"×{e:.2f}" + (" (helps)" if h else " (does nothing or harms)")
                               for e, h in zip(table["true_effect"], helps, strict=True)],
        "Teams that tested it": table["tested"],
        "Teams that adopted it": table["adopted"],
    })


def misled_adoptions(results: pd.DataFrame) -> int:
    """Adoptions of ideas that truly do nothing or make things worse (noise misled the team)."""
    table = ideas_table(results)
    useless = (table["true_effect"] <= 1) if team_simulation.GAMES[GAME].higher_is_better else (
        table["true_effect"] >= 1)
    return int(table.loc[useless, "adopted"].sum())


def most_adopted(results: pd.DataFrame) -> list[str]:
    """The idea(s) adopted by the most teams."""
    table = ideas_table(results)
    top = int(table["adopted"].max())
    return table.loc[table["adopted"] == top, "idea"].tolist()


def room_words(results: pd.DataFrame) -> str:
    """What the room learned, from its results: signals, adoptions, and the misled ones."""
    chart = run_charts(results)
    teams = results["team"].nunique()
    rounds = int(results["round"].max())
    sig = signalled(chart)
    adopted = int((results["decision"] == "adopt").sum())
    misled = misled_adoptions(results)
    top = most_adopted(results)
    top_n = int(ideas_table(results)["adopted"].max())
    named = ", ".join(sig) if sig else "none"
    return (f"{teams} teams played {rounds} rounds each. {len(sig)} of the {teams} run charts "
            f"show a signal (Anhøj rules: {named}); the others show only common cause "
            f"variation so far. The teams adopted {adopted} changes in all; {misled} of them "
            f"truly do nothing or make things worse, adopted because one good spin looked "
            f"like a change. The idea adopted by the most teams ({top_n}): "
            f"{' and '.join(_ideas(t) for t in top)}.")


def small_multiples(results: pd.DataFrame, title: str = "") -> tuple[plt.Figure, str]:
    """One run chart per team on one figure (same scales), adopted changes as triangles.

    Returns the figure and its words (also its alt text).
    """
    chart = run_charts(results)
    teams = list(dict.fromkeys(results["team"]))
    spec = team_simulation.GAMES[GAME]
    with style.style_context():
        fig, axes = plt.subplots(2, (len(teams) + 1) // 2, figsize=(9.0, 4.8),
                                 sharex=True, sharey=True, layout="constrained")
    top = float(results["value"].max()) * 1.1
    for ax, team in zip(axes.flat, teams, strict=False):
        chart.plot(ax=ax, group=team, title=team, icons=False)
        rows = results[(results["team"] == team) & (results["decision"] == "adopt")]
        ax.scatter(rows["round"], rows["value"], marker="^", s=90, facecolor="none",
                   edgecolor=style.ORANGE, linewidth=1.6, zorder=4,
                   label="change adopted")
        ax.set_xlim(0.5, ROUNDS + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(0, top)
        ax.set_xlabel("Round")
        ax.set_ylabel(spec.measure)
        if ax.get_legend():
            ax.get_legend().remove()
    for ax in list(axes.flat)[len(teams):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    words = room_words(results)
    alt = (f"{len(teams)} small run charts, one per team, of {spec.measure.lower()} by round, "
           "with each team's median as a line and its adopted changes as triangles. " + words)
    fig.alt_text = alt  # type: ignore[attr-defined]
    plt.close(fig)
    return fig, words


def rounds_view(step: int, seed: int = SEED) -> View:
    """The room after ``step`` × :data:`ROUNDS_PER_STEP` rounds."""
    upto = step * ROUNDS_PER_STEP
    if step == 0:
        return View(words=f"{TEAMS} teams are ready to play the coin spin. Press the button to "
                          f"play {ROUNDS_PER_STEP} rounds; each round is one PDSA cycle.")
    results = room(seed)
    results = results[results["round"] <= upto]
    fig, words = small_multiples(results, f"After round {upto}")
    return View(figure=fig, words=words)


def rounds_explorer(seed: int = SEED) -> Explorer:
    """Step through the rounds and watch the teams' run charts grow."""
    return Explorer(
        "The room's run charts, round by round",
        controls=[Stepper("Rounds played", steps=ROUNDS // ROUNDS_PER_STEP, name="step",
                          button_text=f"Play {ROUNDS_PER_STEP} more rounds",
                          counter="Stage {step} of {steps}")],
        render=lambda state: rounds_view(int(state["step"]), seed),
    )


# ------------------------------------------------------------------------ checks
def check_signals(answer: Any, seed: int = SEED) -> Feedback:
    """Exercise 13.1: how many teams' run charts show a signal after all the rounds?"""
    numbers = read_numbers(answer)
    if not numbers:
        return no_answer("2", answer)
    results = room(seed)
    sig = signalled(run_charts(results))
    given, right = int(numbers[0]), len(sig)
    if given == right:
        return Feedback(True, f"{right} of {TEAMS} teams ({', '.join(sig) or 'none'}) have a "
                              "run chart that shows a signal. The others may have improved "
                              "too, but their charts cannot yet tell it from noise.")
    return Feedback(False, f"Not {given}. Read each team's words under the charts: count the "
                           "teams whose run chart shows a signal, not the teams whose last "
                           "spin was their best.")


def check_misled(answer: Any, seed: int = SEED) -> Feedback:
    """Exercise 13.2: how many adoptions were of ideas that truly do nothing or harm?"""
    numbers = read_numbers(answer)
    if not numbers:
        return no_answer("3", answer)
    results = room(seed)
    given, right = int(numbers[0]), misled_adoptions(results)
    adopted = int((results["decision"] == "adopt").sum())
    if given == right:
        return Feedback(True, f"{right} of the room's {adopted} adoptions were of ideas that do "
                              "nothing or harm: one spin is one point of a noisy process. "
                              "Comparing across teams shows which ideas help every time.")
    return Feedback(False, f"Not {given}. In the ideas table, add up the 'Teams that adopted "
                           "it' for the ideas marked 'does nothing or harms'.")


def check_most_adopted(answer: Any, seed: int = SEED) -> Feedback:
    """Exercise 13.3: which idea did the most teams adopt? (a few words of it will do)"""
    text = squash(answer)
    if not text:
        return no_answer("smooth table", answer)
    results = room(seed)
    top = most_adopted(results)
    table = ideas_table(results).set_index("idea")
    best = str(table["true_effect"].idxmax()) if team_simulation.GAMES[GAME].higher_is_better \
        else str(table["true_effect"].idxmin())
    for idea in top:
        if text in squash(idea) and len(text) >= 4:
            n, effect = int(table.loc[idea, "adopted"]), float(table.loc[idea, "true_effect"])
            if idea == best:
                return Feedback(True, f"{_ideas(idea)} ({n} teams), and it is also the idea "
                                      "that truly helps most.")
            return Feedback(True, f"{_ideas(idea)}, adopted by {n} teams. Yet its true effect "
                                  f"(×{effect:.2f}) is smaller than that of {_ideas(best)} "
                                  f"(×{float(table.loc[best, 'true_effect']):.2f}): counting "
                                  "adoptions is not measuring an effect. Teams that compare "
                                  "their charts, not their votes, learn which idea is best.")
    return Feedback(False, "Look at the 'Teams that adopted it' column of the ideas table and "
                           "type a few words of the idea with the biggest number.")


def expected_answers(seed: int = SEED) -> dict[str, Any]:
    """Each exercise's answer, from the simulated room (for tests and the trainer)."""
    results = room(seed)
    return {"13.1": len(signalled(run_charts(results))),
            "13.2": misled_adoptions(results), "13.3": most_adopted(results)}


def answers(seed: int = SEED) -> dict[str, str]:
    """The trainer page's answers (``{course}`l13-...```), in the words the checks print."""
    key = expected_answers(seed)
    return {"signals": check_signals(key["13.1"], seed).message,
            "misled": check_misled(key["13.2"], seed).message,
            "most": check_most_adopted(key["13.3"][0], seed).message,
            "room": room_words(room(seed))}
