"""The run chart: the data in time order around the median, with Anhøj or IHI rules."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from safercare.errors import DataError, Problem
from safercare.spc.engine import check_direction, evaluate
from safercare.spc.inputs import prepare_value
from safercare.spc.limits import seg_median
from safercare.spc.profiles import Profile, get_profile
from safercare.spc.result import SPCResult
from safercare.spc.rules import anhoej_limits

__all__ = ["anhoej_thresholds", "run_chart"]


def anhoej_thresholds(n_useful: Any) -> pd.DataFrame:
    """Anhøj's run chart limits for each number of useful observations, as a table.

    Useful observations are the points not on the median (and not missing): count them
    after drawing the median, then read that row. This is what a room needs when it
    charts dice by hand: about one total in six sits on the median and is skipped, so 20
    rolls seldom give 20 useful points, and the limits for 20 would raise far more false
    alarms than the rules promise (Anhøj & Olesen 2014). The numbers are the ones
    :func:`run_chart` uses (``longest_run_max`` and ``n_crossings_min`` in its summary).

    Args:
        n_useful: one whole number, or several (e.g. ``range(14, 21)``), each at least 1.

    Returns:
        One row per number: ``useful points``; ``longest run allowed`` (a longer run, that
        is ``longest run allowed + 1`` or more points on one side, is a signal:
        round(log2(n)) + 3, Schilling 2012); ``fewest crossings allowed`` (fewer
        crossings are a signal: the 5th percentile of Binomial(n − 1, 0.5), Chen 2010).
    """
    values = np.atleast_1d(np.asarray(n_useful))
    problems = [Problem(None, "n_useful", "the number of useful points must be a whole number "
                        "of at least 1", "count the points not on the median, e.g. 17",
                        value=str(v))
                for v in values
                if not (np.issubdtype(type(v), np.integer) or float(v).is_integer()) or v < 1]
    if problems:
        raise DataError(problems)
    n = values.astype(np.int64)
    longest, crossings = anhoej_limits(n)
    return pd.DataFrame({"useful points": n,
                         "longest run allowed": longest.astype(np.int64),
                         "fewest crossings allowed": crossings.astype(np.int64)})


def run_chart(
    data: Any,
    value: str | None = None,
    date: Any = None,
    *,
    by: Any = None,
    phases: Any = None,
    baseline: int | None = None,
    exclude: Any = None,
    direction: str = "neither",
    target: float | None = None,
    rules: str | Profile = "anhoej",
) -> SPCResult:
    """A run chart: the median of each phase as the centre line, no limits.

    Rules (see :mod:`safercare.spc.profiles`):

    * ``"anhoej"`` (default; Anhøj & Olesen 2014, as qicharts2): useful observations are
      points not on the median; an unusually long run is longer than
      round(log2(n)) + 3; too few crossings is fewer than the 5th percentile of
      Binomial(n − 1, 0.5), n = useful observations (missing and excluded points are
      skipped, as qicharts2's ``runs.analysis``). Points of a too-long run are
      flagged ``long_run`` (improvement or concern by their side); too few crossings is
      a whole-phase signal (``few_crossings`` on every row of the phase) with no
      direction, so it does not change point verdicts.
    * ``"ihi"`` (Perla, Provost & Murray 2011): shift of 6 (points on the median
      skipped), trend of 5 (repeated values skipped), too few or too many runs
      (``too_few_runs``/``too_many_runs``, whole-phase signals; bounds from Perla et
      al.'s Table 1 for 10 to 40 useful observations, else the exact Swed & Eisenhart
      distribution). The astronomical-point rule is a visual judgement and is not
      automated.

    The median is taken over the points that fix the centre (``baseline``, not
    ``exclude``-d, not missing). ``.summary`` gives the useful observations, the longest
    run and its limit, the crossings and their minimum (Anhøj) or the runs and their
    bounds (IHI) for the last phase. Arguments and missing-value conventions are as for
    :func:`~safercare.spc.xmr`; ``target`` is drawn but gives no assurance icon (a run
    chart has no limits).
    """
    # A run chart has no limits: rules that need them cannot fire, so leave them out.
    profile = replace(get_profile(rules), beyond_limits=False, two_of_three=False)
    check_direction(direction)
    prep = prepare_value(data, value, profile, date=date, by=by, phases=phases,
                         baseline=baseline, exclude=exclude)
    y = prep.values["value"]
    centre = prep.spread(seg_median(prep.seg, y, prep.calc, prep.n_segs))
    nan = np.full(prep.n, np.nan)
    ev = evaluate(prep, y, centre, nan, nan, nan, nan, profile, direction)
    return SPCResult(chart="run", title="Run chart", prep=prep, ev=ev, y=y,
                     lines={"centre": centre, "lower": nan, "upper": nan}, profile=profile,
                     direction=direction, target=target,
                     value_name=prep.names.get("value", "value"), centre_name="median")
