"""The XmR chart (individuals and moving range): the course's main chart.

Formula (Wheeler; NHS England Making Data Count; Montgomery 2019, §6.4):

* centre line: the mean x̄ of the points that fix the limits;
* moving ranges MRᵢ = abs(xᵢ − xᵢ₋₁) between consecutive points of a phase; MR̄ their mean;
* process limits x̄ ± k × MR̄ with k = 2.66 (MDC, NHSR; 3/d₂ rounded, d₂ = 1.128) or
  3/1.128 (qicharts2), set by the profile;
* two-sigma lines x̄ ± (2/3) × k × MR̄.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from safercare.spc.engine import check_direction, evaluate
from safercare.spc.inputs import Prepared, prepare_value
from safercare.spc.limits import moving_ranges, mr_bar, seg_mean
from safercare.spc.profiles import Profile, get_profile
from safercare.spc.result import SPCResult

__all__ = ["xmr"]


def xmr(
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
    rules: str | Profile = "mdc",
) -> SPCResult:
    """An XmR (individuals) chart with Making Data Count rules by default.

    Formula: mean x̄ ± ``k`` × MR̄, ``k`` = 2.66 under ``"mdc"``; two-sigma lines at
    x̄ ± (2/3)·k·MR̄; MR̄ the mean moving range abs(xᵢ − xᵢ₋₁) within a phase (NHS England,
    *Making Data Count*, Single Chart Tool v5.0; Wheeler & Chambers 1992; Montgomery
    2019, §6.4). See :mod:`safercare.spc.profiles` for each rule set.

    Args:
        data: a list, array or Series of values, or a DataFrame.
        value: the column of ``data`` holding the values (a DataFrame with one
            column other than ``date``/``by`` needs none).
        date: a column (or sequence) of dates or period numbers. Each series is put in
            date order; the result does not depend on the order of the rows.
            Duplicate dates within a series raise :class:`~safercare.errors.DataError`.
        by: a column name (or list of names) to chart many series at once, vectorised.
        phases: where new limits start: 0-based positions in time order
            (``phases=[12]`` starts a phase at the 13th point), dates, or a column of
            phase labels.
        baseline: fix the limits on the first ``baseline`` points; they apply to every
            later point (extended forward).
        exclude: points left out of the limits but still shown and still judged by
            the point rules: a column of true/false, a list of booleans, 0-based row
            positions, or dates. Under ``"anhoej"`` they are also left out of the runs
            analysis (qicharts2 analyses only included points).
        direction: ``"higher"`` or ``"lower"`` is better, or ``"neither"``.
        target: a target value, for the assurance icon.
        rules: ``"mdc"`` (default), ``"nhsr"``, ``"anhoej"``, ``"ihi"`` or a Profile.

    Conventions:
        * A missing value keeps its row, never signals, ends every run, and makes the
          moving ranges that touch it missing.
        * An excluded point is bridged: it has no moving range of its own and the next
          point's moving range joins its neighbours; it is left out of the mean and MR̄.
        * The moving range across a phase break is not used.
        * Fewer non-missing points than the profile's minimum (13 for ``"mdc"``):
          trial limits and rules are still computed and ``provisional`` is true; under
          ``"mdc"`` the points are coloured grey and no icons are given, as the v5.0
          tool shows no limits below 13 points.
        * Text in the value column raises :class:`~safercare.errors.DataError` naming
          the point and column; nothing is dropped in silence.

    Returns:
        An :class:`~safercare.spc.result.SPCResult`.
    """
    profile = get_profile(rules)
    check_direction(direction)
    prep = prepare_value(data, value, profile, date=date, by=by, phases=phases,
                         baseline=baseline, exclude=exclude)
    return xmr_from_prepared(prep, prep.values["value"], profile, direction, target,
                             chart="xmr", title="XmR chart")


def individuals_limits(prep: Prepared, y: np.ndarray, profile: Profile
                       ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Centre, limits and two-sigma lines of an individuals chart, plus moving ranges."""
    mr = moving_ranges(y, prep.seg, prep.excluded, starts=prep.seg_starts)
    mean = seg_mean(prep.seg, y, prep.calc, prep.n_segs, starts=prep.seg_starts)
    bar = mr_bar(mr, prep.seg, prep.calc, prep.n_segs, screen=profile.screen_moving_ranges,
                 screen_constant=profile.screen_constant, starts=prep.seg_starts)
    half = profile.limit_constant * bar
    lines = {
        "centre": prep.spread(mean),
        "lower": prep.spread(mean - half),
        "upper": prep.spread(mean + half),
        "lower_2sigma": prep.spread(mean - half * (2 / 3)),
        "upper_2sigma": prep.spread(mean + half * (2 / 3)),
    }
    return lines, mr


def xmr_from_prepared(prep: Prepared, y: np.ndarray, profile: Profile, direction: str,
                      target: float | None, *, chart: str, title: str) -> SPCResult:
    """Limits, rules and result for an individuals chart on prepared data."""
    lines, mr = individuals_limits(prep, y, profile)
    ev = evaluate(prep, y, lines["centre"], lines["lower"], lines["upper"],
                  lines["lower_2sigma"], lines["upper_2sigma"], profile, direction)
    return SPCResult(chart=chart, title=title, prep=prep, ev=ev, y=y, lines=lines,
                     profile=profile, direction=direction, target=target,
                     value_name=prep.names.get("value", "value"),
                     extra={"moving_range": mr})
