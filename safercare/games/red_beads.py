"""Deming's red bead experiment: a seeded simulator and a tally for a room's own results.

Why: the red bead experiment shows, in ten minutes, that when the system produces the
defects, praising, warning or sacking the people working in it changes nothing. Deming
ran it with a bowl of 4,000 beads, 800 of them red (20%), a paddle with 50 holes, six
"willing workers" and four working days (Deming 1986, *Out of the Crisis*, ch. 11; Deming
1993, *The New Economics*, ch. 7). Each draw takes 50 beads from the bowl; the beads go
back and are mixed before the next draw. So the number of red beads in one draw follows
a hypergeometric distribution: mean 10 and, with a well-mixed bowl, almost every draw
between 2 and 18. (Deming's own mechanical paddle averaged about 9.4 red beads: the way
beads settle matters. The simulator draws at random.)

:func:`red_bead_experiment` plays a whole experiment at once; :class:`RedBeadGame` plays
it day by day while a "manager" praises, warns and sacks workers -- and because a
worker's draw never depends on what the manager says, the results are exactly the same
whatever the manager does (try it with the same seed). :class:`RedBeadTally` records a
room's real counts, typed in by the trainer, so the chart grows as the group plays.

Every function returns the same tidy table: one row per draw with columns ``draw``
(1, 2, ... in the order drawn), ``day``, ``worker``, ``red`` (red beads on the paddle),
``beads`` (paddle size) and ``share_red`` (``red / beads``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from safercare.errors import DataError, Problem

__all__ = [
    "ACTIONS",
    "BOWL_BEADS",
    "DAYS",
    "PADDLE",
    "RED_SHARE",
    "WORKERS",
    "RedBeadGame",
    "RedBeadTally",
    "parse_counts",
    "red_bead_chart",
    "red_bead_experiment",
    "tally_grid",
]

#: Beads in Deming's bowl.
BOWL_BEADS = 4000
#: Share of the bowl that is red (800 of 4,000).
RED_SHARE = 0.20
#: Holes in the paddle: beads taken per draw.
PADDLE = 50
#: Working days in Deming's experiment.
DAYS = 4
#: Fictional "willing workers" (six, as in Deming's experiment).
WORKERS: tuple[str, ...] = ("Amira", "Ben", "Chen", "Dana", "Eli", "Femi")
#: New starters who replace sacked workers, in order.
_RESERVES: tuple[str, ...] = ("Gita", "Hugo", "Iris", "Jon", "Kemi", "Luca", "Mo", "Nia",
                              "Omar", "Priya", "Quinn", "Rosa")
#: What the manager can do after a day's inspection.
ACTIONS: tuple[str, ...] = ("praise", "warn", "sack")

COLUMNS = ["draw", "day", "worker", "red", "beads", "share_red"]


def _bowl(bowl: int, red_share: float, paddle: int) -> tuple[int, int]:
    """Red and white bead numbers, checked for a bowl the paddle can draw from."""
    problems = []
    if not 0 < red_share < 1:
        problems.append(Problem(None, "red_share", "the share of red beads must be between 0 and 1",
                                "use e.g. 0.2 for 20% red", value=str(red_share)))
    if not 0 < paddle <= bowl:
        problems.append(Problem(None, "paddle", "the paddle must hold at least one bead and no "
                                "more beads than the bowl", "use e.g. 50", value=str(paddle)))
    if problems:
        raise DataError(problems)
    red = round(bowl * red_share)
    return red, bowl - red


def _names(workers: int | Sequence[str]) -> list[str]:
    if isinstance(workers, int):
        if not 1 <= workers <= len(WORKERS) + len(_RESERVES):
            raise DataError(Problem(None, "workers", "the number of workers must be between 1 "
                                    f"and {len(WORKERS) + len(_RESERVES)}", "use e.g. 6",
                                    value=str(workers)))
        return list((WORKERS + _RESERVES)[:workers])
    names = [str(w) for w in workers]
    if not names or len(set(names)) != len(names):
        raise DataError(Problem(None, "workers", "worker names must be given and all different",
                                "give each worker a different name"))
    return names


def _table(day: np.ndarray, worker: Sequence[str], red: np.ndarray, paddle: int,
           first_draw: int = 1) -> pd.DataFrame:
    red = np.asarray(red, dtype=int)
    return pd.DataFrame({
        "draw": np.arange(first_draw, first_draw + red.size),
        "day": np.asarray(day, dtype=int),
        "worker": list(worker),
        "red": red,
        "beads": paddle,
        "share_red": red / paddle,
    })


def red_bead_experiment(
    workers: int | Sequence[str] = 6,
    days: int = DAYS,
    *,
    bowl: int = BOWL_BEADS,
    red_share: float = RED_SHARE,
    paddle: int = PADDLE,
    seed: int | None = 1986,
) -> pd.DataFrame:
    """Play a whole red bead experiment: every worker draws one paddle each day.

    Args:
        workers: how many workers (named from :data:`WORKERS`), or their names.
        days: working days.
        bowl, red_share, paddle: the bowl and paddle (Deming: 4,000 beads, 20% red, 50).
        seed: random seed; the same seed always gives the same draws.

    Returns:
        One row per draw, in the order drawn (day 1 worker 1, day 1 worker 2, ...), with
        columns ``draw, day, worker, red, beads, share_red``.
    """
    names = _names(workers)
    if days < 1:
        raise DataError(Problem(None, "days", "there must be at least one day", "use e.g. 4",
                                value=str(days)))
    red, white = _bowl(bowl, red_share, paddle)
    rng = np.random.default_rng(seed)
    draws = rng.hypergeometric(red, white, paddle, size=(days, len(names)))
    day = np.repeat(np.arange(1, days + 1), len(names))
    return _table(day, names * days, draws.ravel(), paddle)


class _DayLog:
    """The days of draws shared by :class:`RedBeadGame` and :class:`RedBeadTally`.

    A subclass sets ``workers``, ``paddle`` and an empty ``_days`` list in ``__init__``.
    """

    workers: list[str]
    paddle: int
    _days: list[pd.DataFrame]

    @property
    def day(self) -> int:
        """Days played or entered so far."""
        return len(self._days)

    @property
    def table(self) -> pd.DataFrame:
        """Every draw so far, in the same shape as :func:`red_bead_experiment` (columns
        ``draw, day, worker, red, beads, share_red``)."""
        if not self._days:
            return _table(np.array([], dtype=int), [], np.array([], dtype=int), self.paddle)
        return pd.concat(self._days, ignore_index=True)

    def _record(self, red: np.ndarray) -> pd.DataFrame:
        """Add one day's red counts (one per current worker, in order); return its rows."""
        today = _table(np.full(len(red), self.day + 1), self.workers, red,
                       self.paddle, first_draw=self.day * len(self.workers) + 1)
        self._days.append(today)
        return today


class RedBeadGame(_DayLog):
    """The red bead experiment played one day at a time, with a manager who acts on results.

    The manager's actions are recorded (in :attr:`actions`) but, as in the real
    experiment, they cannot change the beads: the draws come from one random stream that
    nothing the manager does touches. A sacked worker is replaced from the next day by a
    new starter who draws from the same bowl with the same paddle.

    Example::

        game = RedBeadGame(seed=7)
        game.play_day()
        game.act("Ben", "sack")
        game.play_day()
        game.table      # all draws so far
        game.actions    # what the manager did
    """

    def __init__(self, workers: int | Sequence[str] = 6, *, bowl: int = BOWL_BEADS,
                 red_share: float = RED_SHARE, paddle: int = PADDLE,
                 seed: int | None = 1986) -> None:
        self.workers: list[str] = _names(workers)
        self._red, self._white = _bowl(bowl, red_share, paddle)
        self.paddle = paddle
        self._rng = np.random.default_rng(seed)
        self._reserves = [n for n in WORKERS + _RESERVES if n not in self.workers]
        self._days: list[pd.DataFrame] = []
        self._actions: list[dict[str, object]] = []

    @property
    def actions(self) -> pd.DataFrame:
        """What the manager did: columns ``day, worker, action``."""
        return pd.DataFrame(self._actions, columns=["day", "worker", "action"])

    def play_day(self) -> pd.DataFrame:
        """Every current worker draws one paddle; returns that day's rows."""
        draws = self._rng.hypergeometric(self._red, self._white, self.paddle,
                                         size=len(self.workers))
        return self._record(draws)

    def act(self, worker: str, action: str) -> str:
        """Praise, warn or sack a worker after today's inspection; returns what happened."""
        if worker not in self.workers:
            raise DataError(Problem(None, "worker", "there is no worker of that name today",
                                    f"choose one of: {', '.join(self.workers)}", value=worker))
        if action not in ACTIONS:
            raise DataError(Problem(None, "action", "the manager can only praise, warn or sack",
                                    "choose 'praise', 'warn' or 'sack'", value=action))
        self._actions.append({"day": self.day, "worker": worker, "action": action})
        if action == "sack":
            new = self._reserves.pop(0) if self._reserves else f"Worker {len(self._actions)}"
            self.workers[self.workers.index(worker)] = new
            return f"{worker} has been sacked. {new} starts tomorrow with the same bowl and paddle."
        if action == "praise":
            return f"{worker} has been praised and told to keep it up."
        return f"{worker} has been warned: fewer red beads tomorrow, or else."


def parse_counts(text: str | Sequence[object], *, expected: int | None = None,
                 paddle: int = PADDLE) -> list[int]:
    """Read a room's red bead counts typed as ``"9, 12 7; 10"`` (any separator).

    Every count must be a whole number from 0 to the paddle size. With ``expected``,
    there must be exactly that many counts (one per worker). Raises one
    :class:`~safercare.errors.DataError` listing every count that is wrong.
    """
    items = ([s for s in re.split(r"[\s,;]+", text.strip()) if s] if isinstance(text, str)
             else [str(t).strip() for t in text])
    problems: list[Problem] = []
    counts: list[int] = []
    for i, item in enumerate(items, start=1):
        if not re.fullmatch(r"\d+", item):
            problems.append(Problem(i, "red beads", "this is not a whole number",
                                    "type the number of red beads on the paddle, e.g. 9",
                                    value=item, unit="point"))
        elif int(item) > paddle:
            problems.append(Problem(i, "red beads", f"the paddle only holds {paddle} beads",
                                    f"type a number from 0 to {paddle}", value=item,
                                    unit="point"))
        else:
            counts.append(int(item))
    if expected is not None and len(items) != expected:
        problems.append(Problem(None, "red beads",
                                f"we expected {expected} counts (one per worker) but found "
                                f"{len(items)}", "type one count for each worker, in order"))
    if problems:
        raise DataError(problems)
    return counts


class RedBeadTally(_DayLog):
    """A room's own red bead results, entered one day at a time (live data capture).

    Example::

        tally = RedBeadTally(["Asha", "Bilal", "Cara"])
        tally.add_day("9 12 7")
        tally.table
    """

    def __init__(self, workers: int | Sequence[str] = 6, *, paddle: int = PADDLE) -> None:
        self.workers = _names(workers)
        self.paddle = paddle
        self._days: list[pd.DataFrame] = []

    def add_day(self, counts: str | Sequence[object]) -> pd.DataFrame:
        """Add one day's counts (one per worker, in order); returns that day's rows."""
        values = parse_counts(counts, expected=len(self.workers), paddle=self.paddle)
        return self._record(np.array(values))

    def undo(self) -> None:
        """Remove the last day entered (for a typing slip)."""
        if self._days:
            self._days.pop()


def red_bead_chart(table: pd.DataFrame, chart: str = "p"):
    """Chart red bead draws in the order drawn with :mod:`safercare.spc`.

    ``chart="p"`` gives a p chart of red beads out of the paddle's beads (the right chart
    for a count out of a fixed number, Provost and Murray 2011, ch. 6), scaled by the
    paddle size so that values and limits read as red beads per paddle -- with a fixed
    paddle this is Deming's np chart. ``chart="run"`` gives a run chart of the counts
    with the Anhøj rules. Returns the SPC result (``.plot()``, ``.table``, ``.describe()``).
    """
    from safercare import spc

    if len(table) < 2:
        raise DataError(Problem(None, "red", "a chart needs at least two draws",
                                "play or enter at least one more draw"))
    if chart == "p":
        paddle = float(table["beads"].iloc[0])
        return spc.p_chart(table, numerator="red", denominator="beads", date="draw",
                           multiplier=paddle)
    if chart == "run":
        return spc.run_chart(table, value="red", date="draw")
    raise DataError(Problem(None, "chart", "choose a p chart or a run chart",
                            "use 'p' or 'run'", value=str(chart)))


def tally_grid(table: pd.DataFrame) -> pd.DataFrame:
    """Red beads as the recorder writes them: one row per worker, one column per day."""
    grid = table.pivot_table(index="worker", columns="day", values="red", sort=False)
    grid.columns = [f"Day {d}" for d in grid.columns]
    grid.index.name = "Worker"
    return grid.astype("Int64")
