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
"""

from safercare.games import (
    board_report,
    dice,
    funnel_experiment,
    measures,
    red_beads,
)

__all__ = ["board_report", "dice", "funnel_experiment", "measures", "red_beads"]
