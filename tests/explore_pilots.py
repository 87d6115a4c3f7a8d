"""Two pilot explorations built with :mod:`safercare.widgets.explore`, for its tests and
benchmark (``benchmarks/explore_speed.py``). Lesson owners wire the real ones into their
lesson modules; these show the pattern and exercise every kind of control.

* :func:`red_bead_explorer` -- the red bead game played day by day under a manager's
  policy (radio buttons), charted as a p chart or a run chart (drop-down): 4 x 2 x 7 = 56
  states. Whatever the manager does, the beads are the same: the charts are shared by the
  four policies, so each is stored once.
* :func:`dice_explorer` -- how often chart rules fire on pure dice noise (slider, drop-down,
  checkbox): 11 x 2 x 2 = 44 states, every chart different.
"""

from __future__ import annotations

from safercare import spc
from safercare.games import dice, red_beads
from safercare.widgets.explore import Choice, Explorer, Slider, Stepper, Toggle, View

POLICIES = [
    ("nothing", "does nothing"),
    ("praise", "praises the best worker"),
    ("warn", "warns the worst worker"),
    ("sack", "sacks the worst worker"),
]
CHARTS = [("p", "p chart (red beads per paddle)"), ("run", "run chart (Anhøj rules)")]


def red_bead_day(state: dict) -> View:
    """One state of the red bead game: ``policy``, ``chart`` and ``day`` (0 to 6)."""
    game = red_beads.RedBeadGame(seed=1986)
    said = ""
    for _ in range(state["day"]):
        today = game.play_day()
        if state["policy"] != "nothing":
            pick = today["red"].idxmin() if state["policy"] == "praise" else today["red"].idxmax()
            said = game.act(today.loc[pick, "worker"], state["policy"])
    if state["day"] == 0:
        # Every control changes something in every state (Explorer.inert_controls() is
        # empty), so even before the first day the words say what was chosen.
        return View(words=f"No days played yet. After each day the manager "
                          f"{dict(POLICIES)[state['policy']]}; the results will be drawn on a "
                          f"{dict(CHARTS)[state['chart']]}. Press **Play the next day**: every "
                          "worker draws one paddle of 50 beads.")
    today = game.table[game.table["day"] == state["day"]]
    counts = ", ".join(f"{row.worker} {row.red}" for row in today.itertuples())
    result = red_beads.red_bead_chart(game.table, state["chart"])
    words = f"**Day {state['day']}** red beads: {counts}."
    if said:
        words += f"\n{said}"
    words += f"\n\n{result.describe()}"
    return View(figure=result.plot(), words=words,
                table=red_beads.tally_grid(game.table))


def red_bead_explorer(days: int = 6) -> Explorer:
    return Explorer(
        "The red bead game: you are the manager",
        controls=[
            Choice("policy", "After each day the manager", POLICIES, style="radio"),
            Choice("chart", "Chart", CHARTS),
            Stepper("Days played", steps=days, name="day", counter="Day {step} of {steps}"),
        ],
        render=red_bead_day,
    )


def dice_noise(state: dict) -> View:
    """One state of the dice noise explorer: ``points``, ``chart`` and ``three_dice``."""
    n_dice = 3 if state["three_dice"] else 2
    signals = dice.noise_signals(500, state["points"], chart=state["chart"], dice=n_dice)
    rate = dice.signal_rate(signals)
    example = dice.dice_series(1, state["points"], dice=n_dice)
    chart = spc.xmr if state["chart"] == "xmr" else spc.run_chart
    result = chart(example, value="value", date="point")
    table = (rate.rename("share of noise series").mul(100).round(1).astype(str) + "%").to_frame()
    table.index.name = "rule"
    words = (f"**{rate['any_signal']:.0%}** of 500 series of pure dice noise ({n_dice} dice, "
             f"{state['points']} points) showed at least one signal. The chart is the first "
             f"of them: {result.describe()}")
    return View(figure=result.plot(), words=words, table=table)


def dice_explorer() -> Explorer:
    return Explorer(
        "How often do rules fire on pure noise?",
        controls=[
            Slider("points", "Points on each chart", list(range(10, 61, 5)), default=20,
                   text="{} points"),
            Choice("chart", "Chart and rules", [("xmr", "XmR chart, Making Data Count rules"),
                                                ("run", "Run chart, Anhøj rules")]),
            Toggle("three_dice", "Roll three dice instead of two"),
        ],
        render=dice_noise,
    )
