"""Patients, carers and staff set the course's training topics together.

A James Lind Alliance style priority setting adapted to training topics (see
:mod:`safercare.priorities.scoring` for the method and its sources):

* :mod:`~safercare.priorities.privacy` — screens free text for personal details before it is stored;
* :mod:`~safercare.priorities.store` — the workshop's SQLite file (append-only, WAL, audit log);
* :mod:`~safercare.priorities.scoring` — interim vote scores with equal constituency weighting,
  group rank aggregation and seeded group allocation (pure functions);
* :mod:`~safercare.priorities.report` — ranked priorities, participation and the course modules
  that answer each priority (and the gaps); writes the book page;
* :mod:`~safercare.priorities.demo` — the seeded synthetic demonstration workshop;
* :mod:`~safercare.priorities.readability` — Flesch reading ease and Flesch–Kincaid grade.

The widgets that people use live in :mod:`safercare.widgets.priorities`.
"""

from safercare.priorities.privacy import Screening, is_valid_nhs_number, screen_text
from safercare.priorities.scoring import (
    CONSTITUENCIES,
    CONSTITUENCY_LABELS,
    MAX_RANKS,
    Ballot,
    aggregate_group_ranks,
    allocate_groups,
    ballot_points,
    interim_scores,
    reshuffle_groups,
)
from safercare.priorities.store import DB_ENV_VAR, PrioritiesStore, SubmitResult, default_db_path

__all__ = [
    "CONSTITUENCIES",
    "CONSTITUENCY_LABELS",
    "DB_ENV_VAR",
    "MAX_RANKS",
    "Ballot",
    "PrioritiesStore",
    "Screening",
    "SubmitResult",
    "aggregate_group_ranks",
    "allocate_groups",
    "ballot_points",
    "default_db_path",
    "interim_scores",
    "is_valid_nhs_number",
    "reshuffle_groups",
    "screen_text",
]
