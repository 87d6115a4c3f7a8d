"""Thin ipywidgets front ends for the *Measurement for improvement* lessons 1-4.

Every control has a visible label (its ``description``) so that screen readers can name
it. No computation happens here: each widget collects choices, calls a function in
:mod:`safercare.games` or :mod:`safercare.spc`, and shows the result. Every widget is
followed in the lessons by a static figure, so the book (where widgets are not live)
still shows the picture.

* :func:`measure_builder` -- change an operational definition of "a fall", watch the
  count change (lesson 1).
* :func:`red_bead_game` -- play the red bead experiment as the manager (lesson 2).
* :func:`live_red_beads` -- type a room's own red bead counts; the chart grows (lesson 2).
* :func:`noise_explorer` -- how often rules fire on dice rolls (lesson 2).
* :func:`funnel_explorer` -- the four funnel rules (lesson 4).
* :func:`last_month_explorer` -- management by last month's number (lesson 4).
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from safercare.errors import DataError
from safercare.games import dice, funnel_experiment, measures, red_beads
from safercare.widgets.display import display_figure, show_error, show_in

__all__ = [
    "IN_WORDS",
    "funnel_explorer",
    "last_month_explorer",
    "live_red_beads",
    "measure_builder",
    "noise_explorer",
    "red_bead_game",
    "show",
]

_WIDE = {"description_width": "initial"}
#: What :func:`show` puts before a figure's description.
IN_WORDS = "**In words:** "
_LAYOUT = w.Layout(width="auto")


_show = show_in
_error = show_error


def show(figure: plt.Figure, description: str) -> None:
    """Show a figure, then its plain-English description (the same text is its alt text).

    Lessons call this for every static figure, so a reader who cannot see the chart reads
    the same facts underneath it.
    """
    display_figure(figure, description)
    display(_Words(description))


class _Words:
    """A figure's description: formatted in a notebook, the same words as plain text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return IN_WORDS + self.text

    def __repr__(self) -> str:
        return "In words: " + self.text


def measure_builder(incidents: pd.DataFrame | None = None) -> w.VBox:
    """Choose what counts as a fall and see the year's count and its monthly pattern."""
    incidents = measures.synthetic_falls() if incidents is None else incidents
    floor = w.Checkbox(value=True, description="Count people found on the floor (unwitnessed)",
                       tooltip="Tick to count falls that nobody saw", style=_WIDE,
                       layout=_LAYOUT)
    assisted = w.Checkbox(value=False, description="Count assisted falls (lowered by staff)",
                          tooltip="Tick to count patients lowered to the floor by staff",
                          style=_WIDE, layout=_LAYOUT)
    people = w.SelectMultiple(options=measures.PEOPLE, value=("patient",), rows=3,
                              description="Who counts (Ctrl-click for more than one)",
                              tooltip="Patients, visitors, staff", style=_WIDE)
    harm = w.Dropdown(options=measures.HARM_GRADES, value="no harm",
                      description="Least harm that counts",
                      tooltip="Count only falls with at least this harm", style=_WIDE)
    wards = w.SelectMultiple(options=measures.WARDS, value=measures.WARDS, rows=4,
                             description="Wards", tooltip="Wards to count", style=_WIDE)
    out = w.Output()

    def update(_: object = None) -> None:
        try:
            definition = measures.FallDefinition(
                include_found_on_floor=floor.value, include_assisted=assisted.value,
                people=tuple(people.value), min_harm=harm.value, wards=tuple(wards.value))
        except DataError as error:
            _error(out, error)
            return
        n = measures.count_falls(incidents, definition)
        monthly = measures.monthly_falls(incidents, definition)
        fig = measures.plot_monthly_falls(monthly, title=f"{n} falls in the year")
        sentence = measures.describe_definition(definition)
        _show(out, Markdown(f"**{n} falls** in the year. {sentence}"), fig)

    for control in (floor, assisted, people, harm, wards):
        control.observe(update, names="value")
    update()
    return w.VBox([w.HTML("<b>Measure builder: what counts as a fall?</b>"), floor, assisted,
                   people, harm, wards, out])


def red_bead_game(seed: int | None = 1986, workers: int | Sequence[str] = 6,
                  chart: str = "p") -> w.VBox:
    """Be the manager: play a day, then praise, warn or sack a worker. The beads don't care."""
    state = {"game": red_beads.RedBeadGame(workers, seed=seed)}
    who = w.Dropdown(options=state["game"].workers, description="Worker",
                     tooltip="The worker the manager acts on", style=_WIDE)
    action = w.ToggleButtons(options=[("Praise", "praise"), ("Warn", "warn"), ("Sack", "sack")],
                             description="Manager's action",
                             tooltips=["Praise the worker", "Warn the worker", "Sack the worker"],
                             style=_WIDE)
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
        _show(out, *items)
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
                   tooltip="Names in the order they draw", style=_WIDE,
                   layout=w.Layout(width="90%"))
    counts = w.Text(value="", placeholder="e.g. 9 12 7 10 11 8",
                    description="Red beads today, one per worker in order",
                    tooltip="Type the counts, e.g. 9 12 7 10 11 8", style=_WIDE,
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
        _show(out, *items)

    def on_add(_: object) -> None:
        try:
            state["tally"].add_day(counts.value)
        except DataError as error:
            _error(out, error)
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
            _error(out, error)
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
                         tooltip="How many dice rolls each chart shows", style=_WIDE,
                         continuous_update=False)
    chart = w.Dropdown(options=[("XmR chart, Making Data Count rules", "xmr"),
                                ("Run chart, Anhøj rules", "run")],
                       description="Chart and rules", tooltip="The rules to apply",
                       style=_WIDE)
    roll = w.Button(description="Roll 500 series", button_style="primary",
                    tooltip="Simulate 500 charts of pure dice noise")
    out = w.Output()

    def on_roll(_: object = None) -> None:
        signals = dice.noise_signals(500, points.value, chart=chart.value, seed=seed)
        rate = dice.signal_rate(signals)
        table = (rate.rename("share of noise series").mul(100).round(1).astype(str) + "%")
        _show(out, Markdown(f"**{rate['any_signal']:.0%}** of 500 series of pure dice noise "
                            f"showed at least one signal."), table.to_frame())

    roll.on_click(on_roll)
    on_roll()
    return w.VBox([w.HTML("<b>How often do rules fire on pure noise?</b>"), points, chart, roll,
                   out])


def funnel_explorer(seed: int | None = 1993) -> w.VBox:
    """Drop marbles through the funnel under each rule; compare how far they land."""
    drops = w.IntSlider(value=50, min=10, max=200, step=10, description="Marbles dropped",
                        tooltip="Marbles dropped under each rule", style=_WIDE,
                        continuous_update=False)
    rules = w.SelectMultiple(options=[(v, k) for k, v in funnel_experiment.RULES.items()],
                             value=(1, 2, 3, 4), rows=4, description="Rules to compare",
                             tooltip="Ctrl-click to choose several", style=_WIDE,
                             layout=w.Layout(width="90%"))
    out = w.Output()

    def update(_: object = None) -> None:
        if not rules.value:
            _show(out, Markdown("Choose at least one rule."))
            return
        result = funnel_experiment.funnel_experiment(drops.value, tuple(sorted(rules.value)),
                                                     seed=seed)
        summary = funnel_experiment.funnel_summary(result).round(2)
        _show(out, funnel_experiment.plot_funnel(result), summary)

    drops.observe(update, names="value")
    rules.observe(update, names="value")
    update()
    return w.VBox([w.HTML("<b>The funnel experiment</b>"), drops, rules, out])


def last_month_explorer(seed: int | None = 2024) -> w.VBox:
    """Run a stable monthly measure by 'last month's number' and see what happens."""
    rule = w.Dropdown(options=[(v, k) for k, v in funnel_experiment.MONTHLY_RULES.items()],
                      value=2, description="How the manager reacts",
                      tooltip="The rule used after each month", style=_WIDE,
                      layout=w.Layout(width="90%"))
    months = w.IntSlider(value=36, min=12, max=60, step=6, description="Months",
                         tooltip="Months simulated", style=_WIDE, continuous_update=False)
    out = w.Output()

    def update(_: object = None) -> None:
        from safercare import spc

        data = funnel_experiment.management_by_last_month(months.value, seed=seed,
                                                          rules=(1, rule.value))
        items: list[object] = []
        for k, part in data.groupby("rule", sort=True):
            result = spc.xmr(part, value="value", date="month", direction="lower")
            fig = result.plot()
            fig.axes[0].set_title(funnel_experiment.MONTHLY_RULES[k], loc="left")
            items += [fig, Markdown(result.describe())]
        _show(out, *items)

    rule.observe(update, names="value")
    months.observe(update, names="value")
    update()
    return w.VBox([w.HTML("<b>Management by last month's number</b>"), rule, months, out])
