"""safercare: the package behind the Safer Care course in improvement science.

Computation lives here and only here; the course notebooks call it.

* :mod:`safercare.errors` — the one exception type for bad data (:class:`DataError`).
* :mod:`safercare.spc` — run charts, XmR and attribute charts, Making Data Count rules.
* :mod:`safercare.funnel` — funnel plots for comparing units fairly.
* :mod:`safercare.data` — loading and validating course datasets and learners' files.
* :mod:`safercare.synth` — the generators of the synthetic course datasets.
"""

from safercare.errors import DataError, Problem

__version__ = "0.1.0"

__all__ = ["DataError", "Problem", "__version__"]
