"""Attribute charts: p (proportions), u (rates), c (counts) and Laney's p′ and u′.

All use 3-sigma limits from the chart's own distribution (the profile's limit constant
applies to XmR-type charts only) and the profile's run rules. Centre lines are pooled
over the points that fix the limits (``baseline``, not excluded, not missing).

Sources: Provost LP, Murray SK (2011) *The Health Care Data Guide*, ch. 6; Montgomery
DC (2019) *Introduction to Statistical Quality Control*, 8th ed., §7.2–7.3; Laney DB
(2002) Improved control charts for attributes, *Quality Engineering* 14(4): 531–537;
qicharts2 (``qic.p``, ``qic.u``, ``qic.c``, ``qic.pprime``, ``qic.uprime`` in
``R/qic.charts.R``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from safercare.checks import check_counts, check_denominators, check_proportions
from safercare.errors import Problem
from safercare.spc.engine import check_direction, evaluate
from safercare.spc.inputs import Prepared, prepare, prepare_value
from safercare.spc.limits import moving_ranges, mr_bar, seg_mean, seg_sum
from safercare.spc.profiles import Profile, get_profile
from safercare.spc.result import SPCResult

__all__ = ["c_chart", "p_chart", "p_prime", "u_chart", "u_prime"]


def _ratio_checker(proportion: bool):
    def check(nums: dict[str, np.ndarray], names: dict[str, str]) -> list[Problem]:
        problems = check_counts(nums["numerator"], names["numerator"])
        problems += check_denominators(nums["denominator"], names["denominator"])
        if proportion:
            problems += check_proportions(nums["numerator"], nums["denominator"],
                                          names["numerator"], names["denominator"])
        return problems
    return check


def _count_checker(nums: dict[str, np.ndarray], names: dict[str, str]) -> list[Problem]:
    return check_counts(nums["value"], names["value"])


def _prepare_ratio(data: Any, numerator: Any, denominator: Any, proportion: bool,
                   profile: Profile, **kw: Any) -> Prepared:
    if numerator is None or denominator is None:
        raise TypeError("give both numerator= and denominator= (column names or sequences)")
    return prepare(data, {"numerator": numerator, "denominator": denominator},
                   main="numerator", checker=_ratio_checker(proportion),
                   baseline_overrides_phases=profile.baseline_overrides_phases, **kw)


def _finish(prep: Prepared, y: np.ndarray, centre: np.ndarray, sigma: np.ndarray,
            profile: Profile, direction: str, target: float | None, *, chart: str,
            title: str, upper_cap: float | None, multiplier: float = 1.0,
            extra: dict[str, np.ndarray] | None = None,
            shown_centre: np.ndarray | None = None, centre_name: str = "mean") -> SPCResult:
    """3-sigma and 2-sigma lines (lower clamped at 0, upper at ``upper_cap``), rules and
    the result. ``multiplier`` rescales values and lines (e.g. per 1,000 bed days).
    ``shown_centre`` replaces the centre line drawn and used by the rules (g chart)."""
    def clamp(a: np.ndarray) -> np.ndarray:
        a = np.maximum(a, 0.0)
        return a if upper_cap is None else np.minimum(a, upper_cap)

    lines = {
        "centre": centre,
        "lower": clamp(centre - 3 * sigma),
        "upper": clamp(centre + 3 * sigma),
        "lower_2sigma": clamp(centre - 2 * sigma),
        "upper_2sigma": clamp(centre + 2 * sigma),
    }
    if shown_centre is not None:
        lines["centre"] = shown_centre
    ev = evaluate(prep, y, lines["centre"], lines["lower"], lines["upper"],
                  lines["lower_2sigma"], lines["upper_2sigma"], profile, direction)
    if multiplier != 1:
        y = y * multiplier
        lines = {k: v * multiplier for k, v in lines.items()}
    return SPCResult(chart=chart, title=title, prep=prep, ev=ev, y=y, lines=lines,
                     profile=profile, direction=direction, target=target,
                     value_name=_value_name(prep, chart),
                     extra=extra or {}, centre_name=centre_name)


def _value_name(prep: Prepared, chart: str) -> str:
    """Axis label: "harms / patients" from column names, else "Proportion" or "Rate"."""
    if "numerator" not in prep.names:
        return prep.names.get("value", "value")
    num, den = prep.names["numerator"], prep.names["denominator"]
    if (num, den) != ("numerator", "denominator"):
        return f"{num} / {den}"
    return "Proportion" if chart.startswith("p") else "Rate"


def _pooled(prep: Prepared, proportion: bool
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Numerators, denominators, each point's ratio, the pooled centre (Σnum / Σden over
    the points that fix the limits) and each point's sigma: binomial √(p̄(1 − p̄)/nᵢ) for
    a proportion (p, p′), Poisson √(ū/nᵢ) for a rate (u, u′)."""
    num, den = prep.values["numerator"], prep.values["denominator"]
    with np.errstate(invalid="ignore", divide="ignore"):
        y = num / den
        centre = prep.spread(
            seg_sum(prep.seg, num, prep.calc, prep.n_segs, starts=prep.seg_starts)
            / seg_sum(prep.seg, den, prep.calc, prep.n_segs, starts=prep.seg_starts))
    with np.errstate(invalid="ignore"):
        sigma = np.sqrt(centre * (1 - centre) / den) if proportion else np.sqrt(centre / den)
    return num, den, y, centre, sigma


def _laney_sigma_z(prep: Prepared, y: np.ndarray, centre: np.ndarray,
                   sigma: np.ndarray, profile: Profile) -> np.ndarray:
    """σz per point: mean abs(zᵢ − zᵢ₋₁) / 1.128 over the points that fix the limits.

    Laney (2002) uses every moving range of z. qicharts2 (0.7.4 and later, ``qic.pp`` /
    ``qic.up``) screens them as its I chart does when its ``qic.screenedmr`` option is
    on (the default once the package is attached): moving ranges ≥ 3.267 × MR̄ are
    dropped once. Here the profile decides: ``"mdc"`` (the default) never screens, so
    σz is exactly Laney's; ``"anhoej"`` screens, as qicharts2.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (y - centre) / sigma
    mr = moving_ranges(z, prep.seg, prep.excluded, starts=prep.seg_starts)
    bar = mr_bar(mr, prep.seg, prep.calc, prep.n_segs, screen=profile.screen_moving_ranges,
                 screen_constant=profile.screen_constant, starts=prep.seg_starts)
    return prep.spread(bar / 1.128)


_ARGS_DOC = """
    Arguments ``date``, ``by``, ``phases``, ``baseline``, ``exclude``, ``direction``,
    ``target`` and ``rules`` are as for :func:`~safercare.spc.xmr` (default rules
    ``"mdc"``: limits here are always 3 sigma; the profile supplies the run rules,
    minimum points and conflict policy). A missing numerator or denominator makes the
    point missing (kept, never signals). ``multiplier`` rescales the values and lines,
    e.g. 1000 for a rate per 1,000 bed days (the rules are unaffected).
"""


def p_chart(data: Any = None, numerator: Any = None, denominator: Any = None,
            date: Any = None, *, by: Any = None, phases: Any = None,
            baseline: int | None = None, exclude: Any = None, direction: str = "neither",
            target: float | None = None, rules: str | Profile = "mdc",
            multiplier: float = 1.0) -> SPCResult:
    """p chart for a proportion (e.g. patients harmed / patients).

    Formula (Provost & Murray 2011, ch. 6; Montgomery 2019, §7.2): pᵢ = dᵢ/nᵢ,
    p̄ = Σd/Σn, σᵢ = √(p̄(1 − p̄)/nᵢ), limits p̄ ± 3σᵢ clamped to [0, 1], so they
    vary with each point's denominator. Numerators must be whole numbers of 0 or more
    and not above their denominator; denominators must be above 0
    (:class:`~safercare.errors.DataError` names the point otherwise).
    """
    profile = get_profile(rules)
    check_direction(direction)
    prep = _prepare_ratio(data, numerator, denominator, True, profile, date=date, by=by,
                          phases=phases, baseline=baseline, exclude=exclude)
    num, den, y, centre, sigma = _pooled(prep, proportion=True)
    return _finish(prep, y, centre, sigma, profile, direction, target, chart="p",
                   title="p chart", upper_cap=1.0, multiplier=multiplier,
                   extra={"numerator": num, "denominator": den})


def u_chart(data: Any = None, numerator: Any = None, denominator: Any = None,
            date: Any = None, *, by: Any = None, phases: Any = None,
            baseline: int | None = None, exclude: Any = None, direction: str = "neither",
            target: float | None = None, rules: str | Profile = "mdc",
            multiplier: float = 1.0) -> SPCResult:
    """u chart for a rate (e.g. falls / bed days).

    Formula (Provost & Murray 2011, ch. 6; Montgomery 2019, §7.3.1): uᵢ = cᵢ/nᵢ,
    ū = Σc/Σn, σᵢ = √(ū/nᵢ), limits ū ± 3σᵢ, lower clamped at 0. Counts must be
    whole numbers of 0 or more; denominators above 0.
    """
    profile = get_profile(rules)
    check_direction(direction)
    prep = _prepare_ratio(data, numerator, denominator, False, profile, date=date, by=by,
                          phases=phases, baseline=baseline, exclude=exclude)
    num, den, y, centre, sigma = _pooled(prep, proportion=False)
    return _finish(prep, y, centre, sigma, profile, direction, target, chart="u",
                   title="u chart", upper_cap=None, multiplier=multiplier,
                   extra={"numerator": num, "denominator": den})


def c_chart(data: Any, value: str | None = None, date: Any = None, *, by: Any = None,
            phases: Any = None, baseline: int | None = None, exclude: Any = None,
            direction: str = "neither", target: float | None = None,
            rules: str | Profile = "mdc") -> SPCResult:
    """c chart for counts of events in equal areas of opportunity.

    Formula (Montgomery 2019, eq. 7.17; Provost & Murray 2011, ch. 6): c̄ the mean
    count, σ = √c̄, limits c̄ ± 3√c̄, lower clamped at 0. Counts must be whole
    numbers of 0 or more.
    """
    profile = get_profile(rules)
    check_direction(direction)
    prep = prepare_value(data, value, profile, date=date, by=by, phases=phases,
                         baseline=baseline, exclude=exclude, checker=_count_checker)
    y = prep.values["value"]
    centre = prep.spread(seg_mean(prep.seg, y, prep.calc, prep.n_segs, starts=prep.seg_starts))
    return _finish(prep, y, centre, np.sqrt(centre), profile, direction, target,
                   chart="c", title="c chart", upper_cap=None)


def p_prime(data: Any = None, numerator: Any = None, denominator: Any = None,
            date: Any = None, *, by: Any = None, phases: Any = None,
            baseline: int | None = None, exclude: Any = None, direction: str = "neither",
            target: float | None = None, rules: str | Profile = "mdc",
            multiplier: float = 1.0) -> SPCResult:
    """Laney's p′ chart: a p chart corrected for over-dispersion (large denominators).

    Formula (Laney 2002; qicharts2 ``qic.pprime``): p̄ and σᵢ = √(p̄(1 − p̄)/nᵢ) as for
    the p chart; zᵢ = (pᵢ − p̄)/σᵢ; σz = mean abs(zᵢ − zᵢ₋₁) / 1.128; limits
    p̄ ± 3 σᵢ σz clamped to [0, 1]. Moving ranges of z are screened only if the
    profile screens (``"mdc"``, the default, does not: exactly Laney 2002; under
    ``"anhoej"`` they are, as qicharts2 0.7.4+).
    """
    profile = get_profile(rules)
    check_direction(direction)
    prep = _prepare_ratio(data, numerator, denominator, True, profile, date=date, by=by,
                          phases=phases, baseline=baseline, exclude=exclude)
    num, den, y, centre, sigma = _pooled(prep, proportion=True)
    sigma_z = _laney_sigma_z(prep, y, centre, sigma, profile)
    return _finish(prep, y, centre, sigma * sigma_z, profile, direction, target,
                   chart="p_prime", title="p′ chart (Laney)", upper_cap=1.0,
                   multiplier=multiplier,
                   extra={"numerator": num, "denominator": den, "sigma_z": sigma_z})


def u_prime(data: Any = None, numerator: Any = None, denominator: Any = None,
            date: Any = None, *, by: Any = None, phases: Any = None,
            baseline: int | None = None, exclude: Any = None, direction: str = "neither",
            target: float | None = None, rules: str | Profile = "mdc",
            multiplier: float = 1.0) -> SPCResult:
    """Laney's u′ chart: a u chart corrected for over-dispersion (large denominators).

    Formula (Laney 2002; qicharts2 ``qic.uprime``): ū and σᵢ = √(ū/nᵢ) as for the u
    chart; zᵢ = (uᵢ − ū)/σᵢ; σz = mean abs(zᵢ − zᵢ₋₁) / 1.128; limits ū ± 3 σᵢ σz, lower
    clamped at 0. Moving ranges of z are screened only if the profile screens (as for
    :func:`p_prime`).
    """
    profile = get_profile(rules)
    check_direction(direction)
    prep = _prepare_ratio(data, numerator, denominator, False, profile, date=date, by=by,
                          phases=phases, baseline=baseline, exclude=exclude)
    num, den, y, centre, sigma = _pooled(prep, proportion=False)
    sigma_z = _laney_sigma_z(prep, y, centre, sigma, profile)
    return _finish(prep, y, centre, sigma * sigma_z, profile, direction, target,
                   chart="u_prime", title="u′ chart (Laney)", upper_cap=None,
                   multiplier=multiplier,
                   extra={"numerator": num, "denominator": den, "sigma_z": sigma_z})


for _f in (p_chart, u_chart, c_chart, p_prime, u_prime):
    _f.__doc__ = (_f.__doc__ or "") + _ARGS_DOC
