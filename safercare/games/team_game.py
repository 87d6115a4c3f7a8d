"""The PDSA team game's live pages: the command that serves them.

``python -m safercare.games.team_game --db room.sqlite3`` serves the team page (start it with
``--ip 0.0.0.0`` to let phones in the room connect); add ``--facilitator`` for the
facilitator's page, which is always behind a generated secret. ``--game ball_pass`` chooses
the game for a new room file. Both pages share one
:class:`~safercare.games.team_results.TeamResultsStore`, served by :mod:`safercare.live.server`.

The games themselves and the simulator of a room are in :mod:`safercare.games.team_simulation`
(their names are also importable from here, as before).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from safercare.errors import DataError
from safercare.games.team_results import DB_ENV_VAR, TeamResultsStore, default_db_path
from safercare.games.team_simulation import (
    ADOPT_MARGIN,
    CHANGE_IDEAS,
    DEFAULT_GAME,
    GAMES,
    MAX_ROUNDS,
    MAX_TEAMS,
    Game,
    simulate_team_game,
)

__all__ = [
    "ADOPT_MARGIN",
    "APPS_DIR",
    "CHANGE_IDEAS",
    "DEFAULT_GAME",
    "GAMES",
    "MAX_ROUNDS",
    "MAX_TEAMS",
    "Game",
    "app_notebook",
    "main",
    "simulate_team_game",
]

APPS_DIR = Path(__file__).resolve().parent / "apps"


def app_notebook(facilitator: bool) -> Path:
    """The team page's notebook, or (``facilitator``) the facilitator page's."""
    return APPS_DIR / ("team-game-facilitator.ipynb" if facilitator else "team-game.ipynb")


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the team page, or with ``--facilitator`` the facilitator's page.

    ``python -m safercare.games.team_game --db room.sqlite3 [--facilitator] [--ip 0.0.0.0]
    [--port N] [--game coin_spin|ball_pass]``. Other options are those of
    :func:`safercare.live.server.main` (``--token``, ``--max-pages``, ``--idle-minutes``).
    ``--game`` sets the game of the room's file (a file keeps the game it was started with
    unless told again).
    """
    import argparse
    import sys

    from safercare.live.server import LiveApp, check_data_file
    from safercare.live.server import main as serve

    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--game", choices=sorted(GAMES), default=None)
    pre.add_argument("--db", default=None)
    known, rest = pre.parse_known_args(argv)
    if {"-h", "--help"} & set(rest):
        print(f"--game {{{','.join(sorted(GAMES))}}}: the room's game (default {DEFAULT_GAME}; "
              "a room's file keeps the game it was given). Other options:")
    if known.game is not None:
        try:
            db = check_data_file(known.db) if known.db else default_db_path()
            TeamResultsStore(db).set_game(known.game)
        except (DataError, ValueError) as error:
            print(f"Cannot start: {error}", file=sys.stderr)
            raise SystemExit(2) from None
    if known.db is not None:
        rest = [*rest, "--db", known.db]
    app = LiveApp(title="the PDSA team game", room_page=app_notebook(False),
                  facilitator_page=app_notebook(True), data_env_var=DB_ENV_VAR,
                  default_data=default_db_path, open_data=TeamResultsStore)
    serve(app, rest, prog="python -m safercare.games.team_game")




if __name__ == "__main__":
    main()
