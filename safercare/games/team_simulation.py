"""The team PDSA game for a workshop: what teams measure and a seeded simulator of a room.

Which games, and why
    **Coin spin** (the default) — each team spins a coin on a table and times how long it
    spins, then tests change ideas one short cycle at a time (a smoother surface, a bigger
    coin, a two-finger flick…). One test takes 10–20 seconds, so a team runs 10–15 cycles in
    a quarter of an hour: enough points for a run chart, which is the point of the lesson.
    The effects are small beside the spin-to-spin noise, so the room learns why a single
    before-and-after pair misleads and a run of cycles does not. It needs only a coin and a
    phone's stopwatch.

    **Tennis-ball pass** — every team member must touch the ball, in order, and the team
    times the round. Redesigning the process (stand closer, pass in a line, everyone touches
    the ball at once) cuts the time by large steps, far beyond the noise, so the room sees
    what a real change looks like on a run chart. It is the classic "ball game" of
    improvement workshops (a cousin of Gloger's Ball Point Game, 2008).

    The paper-aeroplane factory was left out: a round takes 5–10 minutes, so a room gets
    three or four points per team, too few for a run chart.

Both follow the Model for Improvement's PDSA cycle (Langley et al. 2009, *The Improvement
Guide*, 2nd edn, Jossey-Bass): a team predicts, tests one change, studies the result against
its prediction and adopts, adapts or abandons the change.

The simulator (:func:`simulate_team_game`)
    Lets a lesson show a room's small multiples before a real room plays. Each game has a
    catalogue of change ideas with a *true* effect (a factor on the expected result; some
    help, some do nothing, some harm), noise (a coefficient of variation per attempt) and
    learning (a team's skill grows with practice: the expected result moves towards a
    ceiling by a share of the gap each round). A team tests one untried idea per round and
    adopts it when the result beats its current level by more than a margin; so, as in a real
    room, noise sometimes leads a team to adopt an idea that does nothing and to drop one that
    helps. The effect sizes, noise and learning rates are plausible classroom figures chosen
    for teaching, not measured values from a published study.

The live pages that a room types into are served by :mod:`safercare.games.team_game`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from safercare.errors import DataError, Problem

__all__ = [
    "CHANGE_IDEAS",
    "DEFAULT_GAME",
    "GAMES",
    "Game",
    "simulate_team_game",
]


@dataclass(frozen=True)
class Game:
    """What a team measures in one game, and which results are plausible.

    ``higher_is_better`` says which way is improvement; ``low``/``high`` bound a result a
    team could really record (anything outside is refused as a typing slip); ``baseline``,
    ``cv``, ``ceiling`` and ``learning`` drive the simulator.
    """

    key: str
    title: str
    measure: str  #: what the result field asks for, e.g. "Spin time (seconds)"
    unit: str
    higher_is_better: bool
    low: float
    high: float
    baseline: float  #: a new team's expected first result
    cv: float  #: noise: standard deviation of one attempt as a share of its expected value
    ceiling: float  #: the best expected result practice alone can reach
    learning: float  #: share of the gap to the ceiling that practice closes each round


GAMES: dict[str, Game] = {
    "coin_spin": Game("coin_spin", "Coin spin", "Spin time (seconds)", "seconds",
                      higher_is_better=True, low=0.0, high=120.0, baseline=6.0, cv=0.18,
                      ceiling=7.5, learning=0.15),
    "ball_pass": Game("ball_pass", "Tennis-ball pass", "Time for the round (seconds)",
                      "seconds", higher_is_better=False, low=0.0, high=600.0, baseline=40.0,
                      cv=0.12, ceiling=32.0, learning=0.2),
}
DEFAULT_GAME = "coin_spin"

#: Change ideas per game and their true effect: the factor on the expected result (above 1
#: lengthens it: better for a coin spin, worse for a ball pass).
CHANGE_IDEAS: dict[str, dict[str, float]] = {
    "coin_spin": {
        "Spin on a smooth, hard table": 1.30,
        "Use a larger, heavier coin": 1.20,
        "Flick with two fingers": 1.10,
        "Spin the coin upright, not tilted": 1.15,
        "Blow on the coin first": 1.00,
        "Spin it with your other hand": 0.92,
        "Count aloud while it spins": 1.00,
        "Spin on a tablecloth": 0.70,
    },
    "ball_pass": {
        "Stand closer together": 0.75,
        "Pass in a line, in the order of names": 0.80,
        "Hold hands out and roll the ball across them": 0.40,
        "Say each name before passing": 1.10,
        "Pass with the other hand": 1.00,
        "Practise one more round unchanged": 1.00,
        "Throw the ball across the circle": 1.05,
        "Everyone touches the ball at once": 0.25,
    },
}

#: A change is adopted when the result beats the team's current level by this share.
ADOPT_MARGIN = 0.05
MAX_TEAMS = 30
MAX_ROUNDS = 50


def _game(game: str) -> Game:
    if game not in GAMES:
        raise DataError(Problem(None, "game", "this is not one of the games",
                                f"choose one of: {', '.join(GAMES)}", value=str(game)))
    return GAMES[game]


def simulate_team_game(game: str = DEFAULT_GAME, *, teams: int | Sequence[str] = 6,
                       rounds: int = 12, seed: int = 0) -> pd.DataFrame:
    """A room's rapid PDSA cycles: one row per team and round, as the live page stores them.

    Round 1 is the team's baseline (no change). From round 2 each team tests one idea it
    has not tried (drawn at random from :data:`CHANGE_IDEAS`), on top of the changes it has
    adopted; it adopts the idea if the result beats its current level (the mean of its
    results since its last adopted change) by more than :data:`ADOPT_MARGIN`, else it
    abandons it. Practice moves the expected result a share ``Game.learning`` of the way
    towards ``Game.ceiling`` each round; each attempt's noise is normal with standard
    deviation ``Game.cv`` × its expected value.

    Args:
        game: a key of :data:`GAMES`.
        teams: how many teams (1–30), or their names.
        rounds: rounds per team (2–50).
        seed: the random seed; the same seed gives the same room.

    Returns:
        Columns ``team``, ``round``, ``change`` (the idea tested, "" for none),
        ``decision`` ("baseline", "adopt", "abandon", or "" once ideas run out),
        ``expected`` (the true expected result), ``value`` (the recorded result, rounded
        to 0.1) and ``game``.
    """
    spec = _game(game)
    names = ([f"Team {i + 1}" for i in range(int(teams))] if isinstance(teams, int | np.integer)
             else [str(t) for t in teams])
    if not 1 <= len(names) <= MAX_TEAMS:
        raise DataError(Problem(None, "teams", "this is not a number of teams we can play",
                                f"choose from 1 to {MAX_TEAMS} teams", value=str(len(names))))
    if not 2 <= int(rounds) <= MAX_ROUNDS:
        raise DataError(Problem(None, "rounds", "this is not a number of rounds we can play",
                                f"choose from 2 to {MAX_ROUNDS} rounds", value=str(rounds)))
    rounds = int(rounds)
    rng = np.random.default_rng(seed)
    ideas = list(CHANGE_IDEAS[game])
    effects = np.array([CHANGE_IDEAS[game][i] for i in ideas])
    n_teams = len(names)
    # Practice: the gap to the ceiling shrinks by a share each round (all teams at once).
    r = np.arange(rounds)
    skill = spec.ceiling + (spec.baseline - spec.ceiling) * (1 - spec.learning) ** r
    team_level = rng.normal(1.0, 0.08, n_teams)  # some teams start better than others
    order = np.argsort(rng.random((n_teams, len(ideas))), axis=1)  # each team's idea order
    noise = rng.normal(0.0, spec.cv, (n_teams, rounds))
    better = 1.0 if spec.higher_is_better else -1.0

    rows: list[tuple] = []
    for t in range(n_teams):  # a loop per team: each decision depends on the last result
        factor, since = 1.0, []
        for k in range(rounds):
            tested = ""
            effect = 1.0
            if 1 <= k <= len(ideas):
                tested = ideas[order[t, k - 1]]
                effect = effects[order[t, k - 1]]
            expected = skill[k] * team_level[t] * factor * effect
            value = max(0.0, round(float(expected * (1 + noise[t, k])), 1))
            if k == 0:
                decision = "baseline"
            elif tested:
                level = float(np.mean(since))
                adopt = better * (value - level) > ADOPT_MARGIN * level
                decision = "adopt" if adopt else "abandon"
            else:
                decision = ""
            if decision == "adopt":
                factor *= effect
                since = [value]
            elif decision in ("baseline", ""):
                since.append(value)
            rows.append((names[t], k + 1, tested, decision, float(expected), value))
    table = pd.DataFrame(rows, columns=["team", "round", "change", "decision", "expected",
                                        "value"])
    table["game"] = game
    return table


#: The two app notebooks (the team page and the facilitator page), shipped in the package.
