"""Apply a rule profile to a chart's lines and decide each point's verdict.

Every chart function computes its centre line and limits (sorted order, one value per
point) and hands them to :func:`evaluate`, which runs the profile's rules, resolves
conflicts, decides verdicts and colours, and works out per-series facts for the summary.
All of it is vectorised across series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from safercare.spc import rules as R
from safercare.spc.inputs import Prepared
from safercare.spc.profiles import Profile

__all__ = ["COLOURS", "DIRECTIONS", "Evaluation", "VERDICTS", "evaluate"]

#: Verdict codes: index into this tuple.
VERDICTS = ("common_cause", "improvement", "concern", "special_cause")
#: MDC colour name per verdict code.
COLOURS = ("grey", "blue", "orange", "purple")
DIRECTIONS = ("higher", "lower", "neither")


@dataclass
class Evaluation:
    """Rule flags, verdicts and per-series facts, all in sorted order."""

    flags: dict[str, np.ndarray]
    high: np.ndarray
    low: np.ndarray
    verdict: np.ndarray  # int8 codes into VERDICTS
    colour: np.ndarray  # int8 codes into COLOURS
    provisional_group: np.ndarray  # per group
    n_points_group: np.ndarray  # non-missing points per group
    runs: dict[str, np.ndarray]  # per run group (Anhøj / IHI facts)
    rg: np.ndarray
    n_rg: int
    sides: dict[str, tuple[np.ndarray, np.ndarray]]  # per rule: (high, low) flags
    #: Side used for ``_high``/``_low`` in a ``neither`` variation icon, when the profile
    #: decides it by rule priority (NHSR); ``None`` means "high if any high rule fired".
    icon_high: np.ndarray | None = None


def check_direction(direction: str) -> str:
    """Validate ``direction``."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}; "
                         f"got {direction!r}")
    return direction


def evaluate(prep: Prepared, y: np.ndarray, centre: np.ndarray, lower: np.ndarray,
             upper: np.ndarray, lower2: np.ndarray, upper2: np.ndarray, profile: Profile,
             direction: str) -> Evaluation:
    """Run ``profile``'s rules on the lines given and decide each point's verdict."""
    n = prep.n
    if profile.rules_cross_phases:
        rg, n_rg = prep.group, prep.n_groups
    else:
        rg, n_rg = prep.seg, prep.n_segs
    flags: dict[str, np.ndarray] = {}
    sides: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    runs: dict[str, np.ndarray] = {}
    # Only a shift needs to know which points can be judged; the other rules take the
    # side alone (a missing point is on neither side), so skip that pass when unused
    # (the empty array is a placeholder that no other rule reads).
    side = (R.side_of(y, centre) if profile.shift_length
            else (R.side_sign(y, centre), np.ones(0, dtype=bool)))
    if profile.beyond_limits:
        sides["beyond_limits"] = R.beyond_limits(y, lower, upper)
    if profile.shift_length:
        sides["shift"] = R.shift(y, centre, rg, profile.shift_length,
                                 on_centre=profile.on_centre, sides=side)
    if profile.trend_length:
        sides["trend"] = R.trend(y, rg, profile.trend_length, ties=profile.trend_ties,
                                 side=profile.trend_side)
    if profile.two_of_three:
        sides["two_of_three"] = R.two_of_three(
            y, centre, lower2, upper2, lower, upper, rg,
            counts_beyond_limits=profile.two_sigma_counts_beyond_limits, sides=side)
    if profile.anhoej:
        # qicharts2 runs.analysis uses only included points: an excluded point is
        # skipped like a point on the centre line (neither adds to nor breaks a run).
        a_side = side
        if prep.excluded.any():
            a_side = (np.where(prep.excluded, 0, side[0]).astype(np.int8), side[1])
        a = R.anhoej(y, centre, rg, n_rg, sides=a_side)
        sides["long_run"] = (a["long_high"], a["long_low"])
        runs.update({k: v for k, v in a.items() if k not in ("long_high", "long_low")})
    if profile.runs_test:
        runs.update(R.ihi_runs(y, centre, rg, n_rg))
    for name, (hi, lo) in sides.items():
        flags[name] = hi | lo
    if profile.anhoej:
        flags["few_crossings"] = runs["few_crossings"][rg]
    if profile.runs_test:
        flags["too_few_runs"] = runs["too_few_runs"][rg]
        flags["too_many_runs"] = runs["too_many_runs"][rg]

    high = np.zeros(n, dtype=bool)
    low = np.zeros(n, dtype=bool)
    for hi, lo in sides.values():
        high |= hi
        low |= lo
    verdict = _verdicts(high, low, sides, profile, direction)
    icon_high = _priority_high(sides, profile, n) if profile.conflict == "priority" else None

    if prep.missing.any():
        n_points = np.bincount(prep.group[~prep.missing], minlength=prep.n_groups)
    else:
        starts = np.flatnonzero(prep.group_start)
        n_points = np.diff(np.r_[starts, n])
    provisional_group = n_points < profile.min_points
    colour = verdict.copy()
    if not profile.colour_provisional and provisional_group.any():
        colour[provisional_group[prep.group]] = 0
    return Evaluation(flags=flags, high=high, low=low, verdict=verdict, colour=colour,
                      provisional_group=provisional_group, n_points_group=n_points,
                      runs=runs, rg=rg, n_rg=n_rg, sides=sides, icon_high=icon_high)


def _priority_high(sides: dict[str, tuple[np.ndarray, np.ndarray]],
                   profile: Profile, n: int) -> np.ndarray:
    """Per point: is the highest-priority rule that fired on the high side?"""
    out = np.zeros(n, dtype=bool)
    decided = np.zeros(n, dtype=bool)
    names = [r for r in profile.priority if r in sides] + \
        [r for r in sides if r not in profile.priority]
    for name in names:
        hi, lo = sides[name]
        fired = ~decided & (hi | lo)
        out[fired & hi] = True
        decided |= fired
    return out


def _verdicts(high: np.ndarray, low: np.ndarray,
              sides: dict[str, tuple[np.ndarray, np.ndarray]], profile: Profile,
              direction: str) -> np.ndarray:
    """Verdict codes from the high/low flags, the direction and the conflict policy."""
    verdict = np.zeros(len(high), dtype=np.int8)
    if direction == "neither":
        verdict[high | low] = 3
        return verdict
    good, bad = (high, low) if direction == "higher" else (low, high)
    verdict[bad] = 2
    verdict[good] = 1
    both = good & bad
    if profile.conflict == "concern":
        verdict[both] = 2
    elif profile.conflict == "priority" and both.any():
        decided = np.zeros(len(high), dtype=bool)
        for name in profile.priority:
            if name not in sides:
                continue
            hi, lo = sides[name]
            g, b = (hi, lo) if direction == "higher" else (lo, hi)
            fired = both & ~decided & (g | b)
            verdict[fired & b & ~g] = 2
            verdict[fired & g] = 1
            decided |= fired
    return verdict
