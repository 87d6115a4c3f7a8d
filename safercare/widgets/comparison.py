"""Thin ipywidgets front ends for lessons 5-7: rare events, fair comparison, did it work?

Every control has a visible label (its ``description``) so that screen readers can name
it. No computation happens here: each widget collects choices, calls
:mod:`safercare.comparison` or :mod:`safercare.evaluation`, and shows the result's
figure and its plain-English description. In the lessons each widget is followed by a
static figure, so the book (where widgets are not live) still shows the picture.

* :func:`rank_explorer` -- draw another year and watch league-table ranks move (lesson 6).
* :func:`live_comparison` -- type a room's own results; see the league table and its rank
  intervals (lesson 6 workshop).
* :func:`days_since_explorer` -- how long a "days since" board runs when nothing changes
  (lesson 5).
* :func:`live_rare_events` -- type the days a room's dice produced an "incident"; see the
  t chart and the board (lesson 5 workshop).
* :func:`live_regression_to_mean` -- type each person's two dice scores; watch the worst
  "improve" (lesson 7 workshop).
* :func:`regression_to_mean_explorer` -- pick the worst units, watch them "improve"
  (lesson 7).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import ipywidgets as w
from IPython.display import Markdown

from safercare import comparison, evaluation, spc
from safercare.errors import DataError
from safercare.widgets.display import show_error, show_in

__all__ = [
    "days_since_explorer",
    "live_comparison",
    "live_rare_events",
    "live_regression_to_mean",
    "rank_explorer",
    "regression_to_mean_explorer",
]

_WIDE = {"description_width": "initial"}
_LAYOUT = w.Layout(width="auto", min_width="420px")


_show = show_in
_error = show_error


def _movers(result: comparison.RankResult, replicate: int) -> str:
    """One sentence about the biggest climb and fall in a re-drawn year."""
    year = result.draw(replicate)
    up = year.loc[year["moved"].idxmax()]
    down = year.loc[year["moved"].idxmin()]
    return (
        f"**Re-drawn year {replicate + 1}.** Nothing about any unit changed, yet "
        f"{up['unit']} climbed from {up['published_rank']} to {up['rank']} and "
        f"{down['unit']} fell from {down['published_rank']} to {down['rank']}."
    )


def rank_explorer(data: Any = None, *, replicates: int = 1000, seed: int | None = 2024,
                  **columns: Any) -> w.VBox:
    """Draw another year from the same underlying rates and watch the ranks move.

    ``columns`` are passed to :func:`safercare.comparison.rank_intervals` (``numerator``,
    ``denominator``, ``unit``, ``kind``, ``lower_is_better``).
    """
    results = {
        which: comparison.rank_intervals(data, underlying=which, replicates=replicates,
                                         seed=seed, **columns)
        for which in ("observed", "common")
    }
    source = w.ToggleButtons(
        options=[("Each unit's own rate", "observed"), ("Every unit identical", "common")],
        value="observed", description="Re-draw counts from", style=_WIDE)
    year = w.IntSlider(value=1, min=1, max=replicates, step=1,
                       description="Re-drawn year", style=_WIDE, layout=_LAYOUT,
                       continuous_update=False)
    again = w.Button(description="Draw another year", button_style="primary",
                     tooltip="Show the ranks from the next re-drawn year")
    out = w.Output()

    def update(_: object = None) -> None:
        result = results[source.value]
        i = year.value - 1
        fig = result.plot(replicate=i)
        _show(out, Markdown(_movers(result, i)), fig, Markdown(result.describe()))

    def next_year(_: object) -> None:
        year.value = year.value % replicates + 1

    source.observe(update, names="value")
    year.observe(update, names="value")
    again.on_click(next_year)
    update()
    return w.VBox([w.HTML("<b>League-table lottery: the same rates, another year</b>"),
                   source, w.HBox([year, again]), out])


_EXAMPLE = "Table 1, 5, 60\nTable 2, 9, 60\nTable 3, 4, 60\nTable 4, 7, 60\nTable 5, 11, 60"


_Result = TypeVar("_Result")


def _live_form(title: str, inputs: Sequence[w.Widget], button: str, tooltip: str,
               read: Callable[[], _Result],
               show: Callable[[_Result], Sequence[object]]) -> w.VBox:
    """A room's live-data form: the inputs, a button and an output area.

    The button (and the first display) runs ``read`` on what was typed; a
    :class:`DataError` is shown as a plain message, anything else is passed to ``show``,
    whose items (tables, figures, text) replace the output.
    """
    go = w.Button(description=button, button_style="primary", tooltip=tooltip)
    out = w.Output()

    def update(_: object = None) -> None:
        try:
            result = read()
        except DataError as error:
            _error(out, error)
            return
        _show(out, *show(result))

    go.on_click(update)
    update()
    return w.VBox([w.HTML(f"<b>{title}</b>"), *inputs, go, out])


def live_comparison(example: str = _EXAMPLE, *, lower_is_better: bool = True,
                    seed: int | None = 2024) -> w.VBox:
    """Type each table's results (name, events, out of); see ranks and how far they move."""
    box = w.Textarea(value=example, rows=8, layout=w.Layout(width="420px"),
                     description="One line per table: name, events, out of", style=_WIDE)

    def read() -> comparison.RankResult:
        table = comparison.parse_unit_counts(box.value)
        return comparison.rank_intervals(table, numerator="events", denominator="trials",
                                         unit="unit", lower_is_better=lower_is_better,
                                         underlying="common", seed=seed)

    def show(result: comparison.RankResult) -> list[object]:
        return [result.table[["unit", "numerator", "denominator",
                              "rank", "rank_lower", "rank_upper"]]
                .rename(columns={"numerator": "events", "denominator": "out of",
                                 "rank": "published rank", "rank_lower": "lowest likely rank",
                                 "rank_upper": "highest likely rank"}),
                result.plot(title="Your tables: ranks if every table had the same chance"),
                Markdown(result.describe())]

    return _live_form("Your room's league table", [box], "Rank the tables",
                      "Rank the tables and re-draw 1,000 years from the same rates", read, show)


def days_since_explorer(seed: int | None = 2024) -> w.VBox:
    """A ward where nothing changes: how long does its "days since" board run?"""
    gap = w.IntSlider(value=45, min=5, max=180, step=5, continuous_update=False,
                      description="Average days between incidents", style=_WIDE,
                      layout=_LAYOUT)
    streak = w.IntSlider(value=90, min=10, max=365, step=5, continuous_update=False,
                         description="Board reaches (days)", style=_WIDE, layout=_LAYOUT)
    again = w.Button(description="Simulate another year", button_style="primary",
                     tooltip="Draw a new year of incidents at the same rate")
    state = {"seed": seed}
    out = w.Output()

    def update(_: object = None) -> None:
        dates = evaluation.simulate_event_dates(gap.value, "2024-01-01", "2024-12-31",
                                                seed=state["seed"])
        if len(dates) == 0:
            _show(out, Markdown("No incidents at all this year, by chance. Simulate again."))
            return
        board = evaluation.days_since_last(dates, start="2024-01-01", end="2024-12-31",
                                           label="incident")
        one = evaluation.gap_chance(gap.value, streak.value)
        year = evaluation.streak_chance(gap.value, streak.value, 365, seed=seed)
        text = (f"With an incident every **{gap.value} days** on average and nothing changing, "
                f"one gap lasts **{streak.value} days or more** {one:.0%} of the time, and the "
                f"board reaches {streak.value} at least once in **{year:.0%}** of years.")
        _show(out, Markdown(text), board.plot(), Markdown(board.describe()))

    def another(_: object) -> None:
        state["seed"] = (state["seed"] or 0) + 1
        update()

    gap.observe(update, names="value")
    streak.observe(update, names="value")
    again.on_click(another)
    update()
    return w.VBox([w.HTML("<b>A 'days since the last incident' board when nothing changes</b>"),
                   gap, streak, again, out])


def regression_to_mean_explorer(seed: int | None = 2024, **options: Any) -> w.VBox:
    """Pick the worst units in year 1; see them "improve" in year 2 with no change at all."""
    worst = w.IntSlider(value=10, min=1, max=50, step=1, continuous_update=False,
                        description="How many of the worst units to pick", style=_WIDE,
                        layout=_LAYOUT)
    spread = w.FloatSlider(value=0.15, min=0.0, max=0.5, step=0.05, continuous_update=False,
                           description="Real differences between units (spread)",
                           style=_WIDE, layout=_LAYOUT, readout_format=".2f")
    size = w.IntSlider(value=2000, min=200, max=20000, step=200, continuous_update=False,
                       description="Patients per unit per year", style=_WIDE, layout=_LAYOUT)
    out = w.Output()

    def update(_: object = None) -> None:
        result = evaluation.regression_to_mean(worst=worst.value, spread=spread.value,
                                               denominator=size.value, seed=seed, **options)
        _show(out, result.plot(), Markdown(result.describe()))

    for control in (worst, spread, size):
        control.observe(update, names="value")
    update()
    return w.VBox([w.HTML("<b>Picked for being worst: regression to the mean</b>"),
                   worst, spread, size, out])


_DAYS = "4, 5, 11, 19, 20, 26, 33, 34, 41, 52, 58, 60"


def live_rare_events(example: str = _DAYS, start: str = "2024-01-01") -> w.VBox:
    """Type the day numbers on which the room's dice gave an incident; chart the gaps."""
    box = w.Textarea(value=example, rows=3, layout=w.Layout(width="420px"),
                     description="Days with an incident (day 1 is the first day)", style=_WIDE)

    def read() -> tuple[spc.SPCResult, evaluation.DaysSinceResult]:
        dates = evaluation.dates_from_days(box.value, start)
        gaps = evaluation.gaps_between(dates)
        chart = spc.t_chart(gaps, value="time_between", date="date", direction="higher")
        return chart, evaluation.days_since_last(dates, label="incident")

    def show(results: tuple[spc.SPCResult, evaluation.DaysSinceResult]) -> list[object]:
        chart, board = results
        return [chart.plot(), Markdown(chart.describe()), board.plot(),
                Markdown(board.describe())]

    return _live_form("Your room's incidents: days between and the board", [box],
                      "Chart the gaps",
                      "Draw a t chart of the days between incidents, and the board", read, show)


_ROUNDS = "Asha, 9, 6\nBen, 11, 7\nCai, 5, 8\nDee, 7, 7\nEd, 10, 4\nFay, 4, 9\nGus, 8, 6"


def live_regression_to_mean(example: str = _ROUNDS, worst: int = 3) -> w.VBox:
    """Type each person's two scores (name, first, second); follow the worst first scores."""
    box = w.Textarea(value=example, rows=8, layout=w.Layout(width="420px"),
                     description="One line per person: name, first score, second score",
                     style=_WIDE)
    pick = w.BoundedIntText(value=worst, min=1, max=50, description="How many worst to pick",
                            style=_WIDE)

    def read() -> evaluation.RegressionToMeanResult:
        table = evaluation.parse_two_rounds(box.value)
        return evaluation.follow_the_worst(
            table, numerator="score", denominator="one", unit="unit", period="round",
            first="First round", second="Second round", worst=pick.value,
            measure="Score (higher is worse)")

    def show(result: evaluation.RegressionToMeanResult) -> list[object]:
        return [result.plot(title="Your room: the worst first scores, rolled again"),
                Markdown(result.describe())]

    return _live_form("Your room's dice: regression to the mean", [box, pick],
                      "Follow the worst",
                      "Pick the highest first scores and see their second scores", read, show)
