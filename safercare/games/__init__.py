"""Classroom games and exercises for the *Measurement for improvement* lessons.

Each game is a seeded simulator that returns a tidy :class:`pandas.DataFrame` (one row per
bead draw, funnel drop or noise series), so a lesson can chart it with :mod:`safercare.spc`
and a test can check its numbers. The lessons' widgets (in :mod:`safercare.lessons`) only
call these functions.

* :mod:`~safercare.games.red_beads` -- Deming's red bead experiment, plus live capture of a
  room's own counts.
* :mod:`~safercare.games.funnel_experiment` -- Deming's funnel experiment (rules 1-4) and
  "management by last month's number".
* :mod:`~safercare.games.dice` -- how often chart rules fire on pure noise.
* :mod:`~safercare.games.measures` -- operational definitions applied to a synthetic list
  of falls incidents (the measure builder).
* :mod:`~safercare.games.board_report` -- a red/amber/green board report with month-on-month
  arrows, to set beside an SPC chart.
* :mod:`~safercare.games.room_games` -- red beads and the funnel experiment played by a whole
  room: each table types its results into a phone page, the facilitator's screen charts them
  live (one store on :mod:`safercare.live.store`, served by :mod:`safercare.live.server`).

For the *Testing changes (PDSA)* lessons:

* :mod:`~safercare.games.helicopter` -- Box's paper helicopter: one factor at a time against a
  replicated two-level factorial, with the wing length × paper clip interaction.
* :mod:`~safercare.games.team_game` -- the team PDSA game (coin spin, tennis-ball pass): what
  teams measure, a seeded simulator of a room's rapid cycles, and the command that serves its
  live pages.
* :mod:`~safercare.games.team_results` -- the room's live results store (append-only,
  validated, built on :mod:`safercare.live.store`).
"""

from safercare.games import (
    board_report,
    dice,
    funnel_experiment,
    helicopter,
    measures,
    red_beads,
)

# team_game, team_results and room_games are imported when asked for (``from safercare.games
# import team_game``), not here: ``python -m safercare.games.team_game`` (or ``room_games``)
# runs that module as a script, which must not already be imported by its package.

__all__ = ["board_report", "dice", "funnel_experiment", "helicopter", "measures", "red_beads",
           "room_games", "team_game", "team_results"]
