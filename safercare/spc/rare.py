"""Rare-event charts: g (events between) and t (time between), following qicharts2.

When harm is rare, a monthly count is mostly zeros and a c or u chart tells you little.
Counting the opportunities (g) or the time (t) between events gives a chart that reacts
to every event. Both follow qicharts2 (Anhøj J, ``qic.g`` and ``qic.t`` in
``R/qic.charts.R``, github.com/anhoej/qicharts2) and by default apply its rules
(``rules="anhoej"``: a point beyond the 3-sigma limits, and Anhøj's runs analysis about
the centre line).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from safercare.errors import Problem
from safercare.spc.attribute import _count_checker, _finish
from safercare.spc.engine import check_direction, evaluate
from safercare.spc.inputs import prepare_value
from safercare.spc.limits import seg_mean, seg_median
from safercare.spc.profiles import Profile, get_profile
from safercare.spc.result import SPCResult
from safercare.spc.xmr import individuals_limits

__all__ = ["g_chart", "t_chart"]


def g_chart(data: Any, value: str | None = None, date: Any = None, *, by: Any = None,
            phases: Any = None, baseline: int | None = None, exclude: Any = None,
            direction: str = "neither", target: float | None = None,
            rules: str | Profile = "anhoej") -> SPCResult:
    """g chart: the number of opportunities (e.g. patients, days) between events.

    Formula (qicharts2 ``qic.g``; Montgomery 2019, p. 319; Provost & Murray 2011,
    ch. 9): ḡ the mean count between events, σ = √(ḡ(ḡ + 1)) (geometric
    distribution), limits ḡ ± 3σ with the lower limit clamped at 0; two-sigma lines
    ḡ ± 2σ. The **centre line is the median** of the points that fix the limits, as in
    qicharts2 (the geometric distribution is skewed, so the mean would put most points
    below the line); runs rules use that median. Values must be whole numbers of 0 or
    more. A higher g is usually better (``direction="higher"``): events are rarer.
    Other arguments as for :func:`~safercare.spc.xmr`.
    """
    profile = get_profile(rules)
    check_direction(direction)
    prep = prepare_value(data, value, profile, date=date, by=by, phases=phases,
                         baseline=baseline, exclude=exclude, checker=_count_checker)
    y = prep.values["value"]
    mean = prep.spread(seg_mean(prep.seg, y, prep.calc, prep.n_segs, starts=prep.seg_starts))
    sigma = np.sqrt(mean * (mean + 1))
    median = prep.spread(seg_median(prep.seg, y, prep.calc, prep.n_segs))
    return _finish(prep, y, mean, sigma, profile, direction, target, chart="g",
                   title="g chart", upper_cap=None, shown_centre=median,
                   centre_name="median", extra={"mean": mean})


def _positive(nums: dict[str, np.ndarray], names: dict[str, str]) -> list[Problem]:
    bad = np.flatnonzero(nums["value"] <= 0)
    return [Problem(int(r) + 1, names["value"], "the time between events must be more than "
                    "zero", "check the value; two events at the same moment can be "
                    "recorded a small time apart", value=f"{nums['value'][r]:g}", unit="point")
            for r in bad]


def t_chart(data: Any, value: str | None = None, date: Any = None, *, by: Any = None,
            phases: Any = None, baseline: int | None = None, exclude: Any = None,
            direction: str = "neither", target: float | None = None,
            rules: str | Profile = "anhoej") -> SPCResult:
    """t chart: the time between events (days between falls, say).

    Formula (qicharts2 ``qic.t``; Provost & Murray 2011, ch. 9; Nelson 1994): transform
    yᵢ' = yᵢ^(1/3.6) (which makes exponential times roughly symmetric), make an
    individuals chart of y' -- mean ± k × MR̄ with the profile's constant and
    moving-range screening (under the default ``"anhoej"``, k = 3/1.128 with
    screening, exactly qicharts2's ``qic.i``) -- then back-transform the centre and
    limits with ^3.6; a lower limit below 0 is set to 0. Times must be above zero.
    A longer time between harms is usually better (``direction="higher"``).
    Other arguments as for :func:`~safercare.spc.xmr`.
    """
    profile = get_profile(rules)
    check_direction(direction)
    prep = prepare_value(data, value, profile, date=date, by=by, phases=phases,
                         baseline=baseline, exclude=exclude, checker=_positive)
    y = prep.values["value"]
    yt = y ** (1 / 3.6)
    lines_t, _ = individuals_limits(prep, yt, profile)
    ev = evaluate(prep, yt, lines_t["centre"], lines_t["lower"], lines_t["upper"],
                  lines_t["lower_2sigma"], lines_t["upper_2sigma"], profile, direction)
    with np.errstate(invalid="ignore"):
        lines = {k: np.where(v < 0, 0.0, np.maximum(v, 0) ** 3.6) for k, v in lines_t.items()}
    return SPCResult(chart="t", title="t chart", prep=prep, ev=ev, y=y, lines=lines,
                     profile=profile, direction=direction, target=target,
                     value_name=prep.names.get("value", "value"),
                     centre_name="centre line", extra={"transformed": yt})
