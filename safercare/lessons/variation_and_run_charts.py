"""Lesson 2, *Variation and run charts*: its exercise checks, the red bead game and the
dice noise explorer.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as w
import pandas as pd
from IPython.display import Markdown

from safercare.errors import DataError
from safercare.games import dice, red_beads
from safercare.lessons.common import (
    NOT_YET,
    WIDE,
    Feedback,
    is_blank,
    normalise,
    show_error,
    show_in,
)

_NOBODY = {"none", "nobody", "no one", "noone", "no-one", "the system", "system", "management",
           "the manager", "no", "nobody should be sacked"}


def check_red_bead_worker(answer: str, table: pd.DataFrame) -> Feedback:
    """Exercise 2.1: which worker should the manager sack? (The answer is: nobody.)"""
    if is_blank(answer):
        return Feedback(False, NOT_YET)
    given = normalise(answer)
    if given in _NOBODY:
        return Feedback(True, "Nobody. Every worker used the same bowl, paddle and method; the "
                              "red beads come from the system (20% of the bowl), not from the "
                              "workers. Only management can change the system.")
    names = {n.lower(): n for n in table["worker"].unique()}
    if given in names:
        name = names[given]
        mine = table.loc[table["worker"] == name, "red"]
        return Feedback(False, f"{name} drew {', '.join(map(str, mine))} red beads. Compare "
                               f"with the whole room: from {table['red'].min()} to "
                               f"{table['red'].max()}, average {table['red'].mean():.1f}. "
                               f"{name} did nothing differently -- same bowl, same paddle. "
                               "Sacking them changes nothing: the next worker draws from the "
                               "same bowl. Who is responsible for the bowl?")
    return Feedback(False, f"Type one worker's name, or 'nobody'. The workers were: "
                           f"{', '.join(names.values())}.")


def _fired(result: object) -> list[str]:
    """Rule columns that fired anywhere on a chart result."""
    from safercare.games.dice import RULE_COLUMNS

    table = result.table  # type: ignore[attr-defined]
    return [c for c in RULE_COLUMNS if c in table.columns and bool(table[c].fillna(False).any())]


_RULE_WORDS = {
    "beyond_limits": "a point beyond a process limit",
    "shift": "a shift (a run of points on one side of the centre line)",
    "trend": "a trend (points going up, or down, in a row)",
    "two_of_three": "two out of three points near a limit",
    "long_run": "an unusually long run on one side of the median",
    "few_crossings": "too few crossings of the median",
    "too_few_runs": "too few runs",
    "too_many_runs": "too many runs",
}


def check_signal(answer: str, result: object) -> Feedback:
    """Does this chart show a signal (special cause)? Answer ``"yes"`` or ``"no"``."""
    if is_blank(answer):
        return Feedback(False, NOT_YET)
    given = normalise(answer)
    if given not in ("yes", "no", "y", "n"):
        return Feedback(False, "Please answer 'yes' or 'no'.")
    fired = _fired(result)
    truth = bool(fired)
    said = given.startswith("y")
    words = "; ".join(_RULE_WORDS[f] for f in fired)
    if said == truth:
        return Feedback(True, (f"Yes: the chart shows {words}." if truth else
                               "No rule fired: the points vary, but only as a stable process "
                               "does. Reacting to any single point would be tampering."))
    if truth:
        return Feedback(False, f"Look again: the chart shows {words}. The rules look for "
                               "patterns, not just single high or low points.")
    return Feedback(False, "No rule fired on this chart. A high or low point on its own is "
                           "not a signal unless it breaks a rule: that is what stops us "
                           "reacting to noise.")


def check_noise_guess(guess_percent: object, signals: pd.DataFrame) -> Feedback:
    """Exercise 2.3: guess the percentage of pure-noise charts in which a rule fires."""
    if is_blank(guess_percent):
        return Feedback(False, NOT_YET)
    try:
        guess = float(str(guess_percent).strip().rstrip("%"))
    except ValueError:
        return Feedback(False, "Type your guess as a number of percent, e.g. 5.")
    actual = 100 * float(signals["any_signal"].mean())
    gap = abs(guess - actual)
    msg = (f"In the simulation {actual:.0f}% of {len(signals)} charts of pure dice noise "
           f"showed at least one signal; you guessed {guess:g}%. ")
    if gap <= 5:
        return Feedback(True, msg + "Spot on. Every extra rule, and every extra point, adds to "
                                   "the false alarms: this is the price of catching real "
                                   "change sooner.")
    if guess < actual:
        return Feedback(False, msg + "Most people guess too low. Each rule on its own rarely "
                                     "fires by chance, but with several rules and many points "
                                     "the chances add up. Run the cell again with a new guess.")
    return Feedback(False, msg + "Lower than you thought: the rules were chosen to keep false "
                                 "alarms rare. Run the cell again with a new guess.")


def red_bead_game(seed: int | None = 1986, workers: int | Sequence[str] = 6,
                  chart: str = "p") -> w.VBox:
    """Be the manager: play a day, then praise, warn or sack a worker. The beads don't care."""
    state = {"game": red_beads.RedBeadGame(workers, seed=seed)}
    who = w.Dropdown(options=state["game"].workers, description="Worker",
                     tooltip="The worker the manager acts on", style=WIDE)
    action = w.ToggleButtons(options=[("Praise", "praise"), ("Warn", "warn"), ("Sack", "sack")],
                             description="Manager's action",
                             tooltips=["Praise the worker", "Warn the worker", "Sack the worker"],
                             style=WIDE)
    do = w.Button(description="Do it", tooltip="Carry out the manager's action")
    play = w.Button(description="Play the next day", button_style="primary",
                    tooltip="Every worker draws one paddle of 50 beads")
    restart = w.Button(description="Start again", tooltip="Clear all days")
    said = w.HTML()
    out = w.Output()

    def redraw() -> None:
        game = state["game"]
        table = game.table
        items: list[object] = []
        if game.day:
            today = table[table["day"] == game.day]
            items.append(Markdown(f"**Day {game.day}** red beads: " + ", ".join(
                f"{r.worker} {r.red}" for r in today.itertuples())))
        if len(table) >= 2:
            result = red_beads.red_bead_chart(table, chart)
            items.append(result.plot())
            items.append(Markdown(result.describe()))
        show_in(out, *items)
        who.options = game.workers

    def on_play(_: object) -> None:
        state["game"].play_day()
        said.value = ""
        redraw()

    def on_do(_: object) -> None:
        if not state["game"].day:
            said.value = "<i>Play a day first: the manager needs results to react to.</i>"
            return
        said.value = f"<i>{state['game'].act(who.value, action.value)}</i>"
        who.options = state["game"].workers

    def on_restart(_: object) -> None:
        state["game"] = red_beads.RedBeadGame(workers, seed=seed)
        said.value = ""
        redraw()

    play.on_click(on_play)
    do.on_click(on_do)
    restart.on_click(on_restart)
    redraw()
    return w.VBox([w.HTML("<b>The red bead game: you are the manager</b>"),
                   w.HBox([play, restart]), w.HBox([who, action, do]), said, out])


def live_red_beads(workers: Sequence[str] | int = 6, chart: str = "p") -> w.VBox:
    """Type each day's red bead counts from the room; the chart grows as the group plays."""
    state = {"tally": red_beads.RedBeadTally(workers)}
    names = w.Text(value=", ".join(state["tally"].workers),
                   description="Workers' names (comma separated)",
                   tooltip="Names in the order they draw", style=WIDE,
                   layout=w.Layout(width="90%"))
    counts = w.Text(value="", placeholder="e.g. 9 12 7 10 11 8",
                    description="Red beads today, one per worker in order",
                    tooltip="Type the counts, e.g. 9 12 7 10 11 8", style=WIDE,
                    layout=w.Layout(width="90%"))
    add = w.Button(description="Add this day", button_style="primary",
                   tooltip="Add the counts typed above as the next day")
    undo = w.Button(description="Undo last day", tooltip="Remove the last day entered")
    restart = w.Button(description="Start a new room",
                       tooltip="Clear all days and use the names typed above")
    out = w.Output()

    def redraw() -> None:
        tally = state["tally"]
        table = tally.table
        items: list[object] = [Markdown(f"{tally.day} day(s) entered, {len(table)} draws.")]
        if len(table) >= 2:
            result = red_beads.red_bead_chart(table, chart)
            items += [result.plot(), Markdown(result.describe())]
        if len(table):
            items.append(table.pivot(index="worker", columns="day", values="red")
                         .reindex(tally.workers))
        show_in(out, *items)

    def on_add(_: object) -> None:
        try:
            state["tally"].add_day(counts.value)
        except DataError as error:
            show_error(out, error)
            return
        counts.value = ""
        redraw()

    def on_undo(_: object) -> None:
        state["tally"].undo()
        redraw()

    def on_restart(_: object) -> None:
        try:
            state["tally"] = red_beads.RedBeadTally(
                [n.strip() for n in names.value.split(",") if n.strip()])
        except DataError as error:
            show_error(out, error)
            return
        redraw()

    add.on_click(on_add)
    undo.on_click(on_undo)
    restart.on_click(on_restart)
    redraw()
    return w.VBox([w.HTML("<b>Live data capture: the room's red beads</b>"), names, restart,
                   counts, w.HBox([add, undo]), out])


def noise_explorer(seed: int | None = 6) -> w.VBox:
    """Roll many dice series and see how often chart rules 'find' a signal in pure noise."""
    points = w.IntSlider(value=20, min=10, max=60, step=5, description="Points on each chart",
                         tooltip="How many dice rolls each chart shows", style=WIDE,
                         continuous_update=False)
    chart = w.Dropdown(options=[("XmR chart, Making Data Count rules", "xmr"),
                                ("Run chart, Anhøj rules", "run")],
                       description="Chart and rules", tooltip="The rules to apply",
                       style=WIDE)
    roll = w.Button(description="Roll 500 series", button_style="primary",
                    tooltip="Simulate 500 charts of pure dice noise")
    out = w.Output()

    def on_roll(_: object = None) -> None:
        signals = dice.noise_signals(500, points.value, chart=chart.value, seed=seed)
        rate = dice.signal_rate(signals)
        table = (rate.rename("share of noise series").mul(100).round(1).astype(str) + "%")
        show_in(out, Markdown(f"**{rate['any_signal']:.0%}** of 500 series of pure dice noise "
                            f"showed at least one signal."), table.to_frame())

    roll.on_click(on_roll)
    on_roll()
    return w.VBox([w.HTML("<b>How often do rules fire on pure noise?</b>"), points, chart, roll,
                   out])
