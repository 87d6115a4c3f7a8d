"""Lesson 2, *Variation and run charts*: its situation (Dunlin and Heron wards), exercise
checks, the words it says about its charts, the red bead game and the dice noise explorer.

Every sentence the lesson says about a chart is made here from the chart's result, so the
words cannot disagree with the picture. The red bead game and the dice noise explorer are
:class:`~safercare.widgets.explore.Explorer` objects: the package computes every state when
the notebook runs, and the page (the book, or JupyterLab) only switches between them. The
room's own red beads (:func:`live_red_beads`) need Python, so they stay a live widget.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from safercare import data, spc
from safercare.errors import DataError
from safercare.games import dice, measures, red_beads
from safercare.lessons.common import (
    NOT_YET,
    WIDE,
    Feedback,
    is_blank,
    normalise,
    show_error,
    show_in,
)
from safercare.spc.run import anhoej_thresholds
from safercare.widgets.explore import Choice, Explorer, Slider, Stepper, View

#: Useful points (not on the median) a room's 20 dice rolls can leave: the handout's table.
#: About one total in six sits on the median, so 20 rolls usually leave 14 to 20.
DICE_USEFUL = range(10, 21)


def dice_thresholds(useful: Sequence[int] = DICE_USEFUL) -> pd.DataFrame:
    """Anhøj's limits for a hand-drawn run chart, by the number of useful points.

    One row per number of useful points (the points not on the median): the shortest run
    that is a signal and the crossings below which there are too few. The numbers are the
    package's own (:func:`safercare.spc.run.anhoej_thresholds`), so the handout, the
    lesson and the simulator apply one rule.
    """
    table = anhoej_thresholds(list(useful))
    return pd.DataFrame({
        "Useful points (not on the median)": table["useful points"],
        "Signal: a run of at least": table["longest run allowed"] + 1,
        "Signal: fewer crossings than": table["fewest crossings allowed"],
    })


def dice_thresholds_markdown(useful: Sequence[int] = DICE_USEFUL) -> str:
    """:func:`dice_thresholds` as a compact markdown table, one column per count (the
    handout's table; ``python -m safercare.lessons.pages`` writes it there)."""
    table = dice_thresholds(useful).set_index("Useful points (not on the median)").T
    head = "| Useful points (not on the median) | " + " | ".join(map(str, table.columns))
    rows = [head + " |", "|---" * (len(table.columns) + 1) + "|"]
    rows += [f"| {name} | " + " | ".join(str(int(v)) for v in values) + " |"
             for name, values in table.iterrows()]
    return "\n".join(rows) + "\n"


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


# ------------------------------------------------------------------------ the situation
#: The two wards the lesson charts: one whose falls work the dataset's answer key plants,
#: one where nothing was changed on purpose.
DUNLIN = "C12-AT2-W1"
HERON = "C07-AT1-W2"
#: The measure the wards' run charts show (the axis label).
RATE = "Falls per 1,000 bed days"


def _planted(ward_id: str) -> pd.Series:
    key = data.answer_key("falls")
    return key[key["series"].map(lambda s: s.get("ward_id")) == ward_id].iloc[0]


def ward_chart(ward_id: str) -> spc.SPCResult:
    """A ward's monthly falls rate on a run chart (Anhøj rules).

    Where the dataset says the ward changed its care (Dunlin ward, April 2024), the median
    is fixed on the months before the change and extended over the months after it (a
    frozen baseline, qicharts2's ``freeze``): the question is whether the months after the
    change sit where the old process would put them.
    """
    falls = measures.falls_rate(data.load("falls"), ward_id=ward_id).rename(
        columns={"rate": RATE})
    planted = _planted(ward_id)
    baseline = None
    if planted["kind"] != "common_cause":
        baseline = int((falls["month"] < planted["start"]).sum())
    return spc.run_chart(falls, value=RATE, date="month", direction="lower",
                         baseline=baseline, rules="anhoej")


def change_started(ward_id: str) -> str:
    """When the ward's falls work started, as the lesson says it (e.g. "April 2024")."""
    return f"{pd.Timestamp(_planted(ward_id)['start']):%B %Y}"


def _fired(result: spc.SPCResult) -> list[str]:
    """Rule columns that fired anywhere on a chart result."""
    table = result.table
    return [c for c in dice.RULE_COLUMNS
            if c in table.columns and bool(table[c].fillna(False).any())]


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


def shows_signal(result: spc.SPCResult) -> bool:
    """Whether any rule fired on the chart (the answer to "does it show a signal?")."""
    return bool(_fired(result))


def signal_answer(result: spc.SPCResult) -> str:
    """Whether a chart shows a signal, and which, in words made from its result.

    The answer to exercises 2.2 and 2.3 and the words of their solutions. It names the
    rules that fired, repeats the package's description of the chart (the same words as
    the alt text) and, for a signal, its verdict and icon, so it cannot disagree with them.
    """
    fired = _fired(result)
    if not fired:
        return ("**No.** No rule fired: the points vary, but only as a stable process does. "
                "Asking the ward to explain each month would be asking it to explain red "
                f"beads. The package's description: {result.describe()}")
    words = "; ".join(_RULE_WORDS[f] for f in fired)
    return (f"**Yes.** The chart shows {words}. The package's description: "
            f"{result.describe()}")


def timing_note(result: spc.SPCResult, started: str) -> str:
    """Whether the signal's points come after the change, from the chart's table."""
    table = result.table
    flagged = table.loc[table["verdict"].astype(str).isin(["improvement", "concern"]), "date"]
    if flagged.empty:
        return ""
    first = f"{pd.Timestamp(flagged.min()):%B %Y}"
    after = pd.Timestamp(flagged.min()) >= pd.Timestamp(f"1 {started}")
    return (f"The signal's points start in {first}; the falls work started in {started}. "
            + ("The timing fits the project. It does not prove the project caused the change "
               "(lesson 7 is about that), but it is evidence worth following up."
               if after else "The change began before the project, so something else may "
               "explain it."))


def check_signal(answer: str, result: spc.SPCResult) -> Feedback:
    """Does this chart show a signal (special cause)? Answer ``"yes"`` or ``"no"``."""
    if is_blank(answer):
        return Feedback(False, NOT_YET)
    given = normalise(answer)
    if given not in ("yes", "no", "y", "n"):
        return Feedback(False, "Please answer 'yes' or 'no'.")
    truth = shows_signal(result)
    if given.startswith("y") == truth:
        return Feedback(True, signal_answer(result).split("** ", 1)[1])
    if truth:
        return Feedback(False, f"Look again: the chart shows "
                               f"{'; '.join(_RULE_WORDS[f] for f in _fired(result))}. The rules "
                               "look for patterns, not just single high or low points.")
    return Feedback(False, "No rule fired on this chart. A high or low point on its own is "
                           "not a signal unless it breaks a rule: that is what stops us "
                           "reacting to noise.")


def bead_chart_words(result: spc.SPCResult) -> str:
    """What the red bead chart says about the workers, from the chart's result."""
    outside = int(result.table["beyond_limits"].fillna(False).sum())
    fired = _fired(result)
    if not fired:
        return ("Every point is inside the limits and no rule fires. The workers did not "
                "cause the red beads: the **system** did (the bowl with "
                f"{red_beads.RED_SHARE:.0%} red, the paddle, the method).")
    return (f"{outside} point{'s are' if outside != 1 else ' is'} outside the limits and "
            f"these rules fire: {'; '.join(_RULE_WORDS[f] for f in fired)}. With beads drawn "
            "at random this is a false alarm: every worker used the same bowl and paddle.")


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


#: What the manager of the red bead game does after each day (the explorer's choices).
POLICIES: tuple[tuple[str, str], ...] = (
    ("nothing", "does nothing"),
    ("praise", "praises the best worker"),
    ("warn", "warns the worst worker"),
    ("sack", "sacks the worst worker"),
)


def red_bead_game(seed: int | None = 1986, days: int = red_beads.DAYS) -> Explorer:
    """Be the manager: play a day, then praise, warn or sack. The beads don't care.

    Every day of the game under every policy is played by :class:`RedBeadGame` when the
    cell runs; the page switches between them. The draws come from one random stream that
    the manager's actions never touch, so the chart is the same whatever the policy: it is
    drawn once per day (:func:`_picture`) and the page stores it once.
    """
    explorer_dpi = 90
    pictures: dict[int, tuple[np.ndarray, str]] = {}

    def render(state: dict) -> View:
        policy, day = state["policy"], state["day"]
        if day == 0:
            return View(words=f"No days played yet. After each day the manager "
                              f"{dict(POLICIES)[policy]}. Press **Play the next day**: every "
                              f"worker draws one paddle of {red_beads.PADDLE} beads.")
        game = red_beads.RedBeadGame(seed=seed)
        said = []
        for _ in range(day):
            today = game.play_day()
            if policy != "nothing":
                pick = today["red"].idxmin() if policy == "praise" else today["red"].idxmax()
                said.append(game.act(today.loc[pick, "worker"], policy))
        table = game.table
        today = table[table["day"] == day]
        result = red_beads.red_bead_chart(table)
        words = (f"**Day {day}** red beads: "
                 + ", ".join(f"{r.worker} {r.red}" for r in today.itertuples()) + ".")
        if said:
            words += "\n" + said[-1]
        words += f"\n\n{bead_chart_words(result)}\n\n**In words:** {result.describe()}"
        if day not in pictures:
            pictures[day] = _pixels(result.plot(title="Red beads per paddle, in the order "
                                                      "drawn"), explorer_dpi)
        return View(figure=_picture(*pictures[day], explorer_dpi), words=words,
                    table=red_beads.tally_grid(table))

    return Explorer(
        "The red bead game: you are the manager",
        controls=[
            Choice("policy", "Manager's action after each day", POLICIES, style="radio"),
            Stepper("Days played", steps=days, name="day", counter="Day {step} of {steps}"),
        ],
        render=render,
        dpi=explorer_dpi,
    )


def _pixels(figure: Figure, dpi: int) -> tuple[np.ndarray, str]:
    """A chart drawn once at ``dpi``: its pixels and its alt text (the figure is closed)."""
    try:
        figure.set_dpi(dpi)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        return np.asarray(canvas.buffer_rgba()).copy(), figure.alt_text
    finally:
        plt.close(figure)


def _picture(pixels: np.ndarray, alt: str, dpi: int) -> Figure:
    """A figure that only shows already-drawn pixels, at their own size.

    Why: several states of an exploration can show the same chart. Drawing a chart costs
    a tenth of a second or more; saving a figure that holds only its picture costs almost
    nothing, and gives the same bytes every time, so the page stores it once.
    """
    height, width = pixels.shape[:2]
    figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    figure.figimage(pixels, origin="upper")
    figure.alt_text = alt  # type: ignore[attr-defined]
    return figure


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
            figure = red_beads.red_bead_chart(table, chart).plot()
            # the chart's words are its alt text (one description, not two)
            items += [figure, Markdown(figure.alt_text)]
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


#: The charts the dice noise explorer offers: (value, label), as the package names them.
NOISE_CHARTS: tuple[tuple[str, str], ...] = (
    ("xmr", "XmR chart, Making Data Count rules"),
    ("run", "Run chart, Anhøj rules"),
)


def noise_words(signals: pd.DataFrame, points: int, chart: str) -> tuple[str, pd.DataFrame]:
    """How often rules fired on pure dice noise, in words and as a table, from a simulation."""
    rate = dice.signal_rate(signals)
    rules = rate.drop("any_signal")
    top = rules.idxmax()
    words = (f"**{rate['any_signal']:.0%}** of {len(signals):,} series of {points} points of "
             f"pure dice noise ({dict(NOISE_CHARTS)[chart]}) showed at least one signal")
    words += (f"; the rule that fired most often was {_RULE_WORDS[top]} "
              f"({rules[top]:.0%} of series)." if rules[top] > 0 else ".")
    table = pd.DataFrame({"rule": [_RULE_WORDS.get(k, "any rule") for k in rate.index],
                          "share of noise series (%)": (100 * rate).round(1).to_numpy()})
    return words, table


def noise_answer(signals: pd.DataFrame, points: int = 20, chart: str = "xmr") -> str:
    """The answer to exercise 2.4, from the simulation the check uses."""
    return noise_words(signals, points, chart)[0]


def noise_explorer(seed: int | None = 6, series: int = 500) -> Explorer:
    """Roll many dice series and see how often chart rules 'find' a signal in pure noise."""

    def render(state: dict) -> View:
        signals = dice.noise_signals(series, state["points"], chart=state["chart"], seed=seed)
        words, table = noise_words(signals, state["points"], state["chart"])
        return View(words=words, table=table)

    return Explorer(
        "How often do rules fire on pure noise?",
        controls=[
            Slider("points", "Points on each chart", list(range(10, 61, 5)), default=20,
                   text="{} points"),
            Choice("chart", "Chart and rules", NOISE_CHARTS),
        ],
        render=render,
    )
