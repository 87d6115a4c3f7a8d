"""Vectorised special-cause rules: beyond limits, shift, trend, two of three, runs analysis.

Every rule works on whole arrays in sorted order (series after series, each in time
order). ``rg`` is the *run group* of each point: a run never continues from one run
group to the next. It is the series (rules cross phase breaks) or the phase (they do
not), see :class:`~safercare.spc.profiles.Profile`. Runs are found with sliding
windows of boolean shifts (:func:`in_long_run`) or, where run lengths themselves are
needed, the run-length trick (positions where a new run starts, then ``np.diff`` and
``np.repeat``), so there is no Python loop over series or points.

A missing value (NaN) never signals and ends every run, except in Anhøj's runs
analysis (:func:`anhoej`), which skips it as qicharts2 does (``runs.analysis`` drops
missing signs before counting runs). Each rule returns two boolean arrays: points
flagged on the **high** side and on the **low** side.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = [
    "anhoej",
    "anhoej_limits",
    "beyond_limits",
    "ihi_runs",
    "PERLA_RUNS_TABLE",
    "ihi_runs_bounds",
    "in_long_run",
    "run_lengths",
    "shift",
    "side_of",
    "side_sign",
    "trend",
    "two_of_three",
]


def run_lengths(key: np.ndarray, rg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of equal ``key`` inside each run group.

    Returns ``(run_starts, length_of_its_run, run_start)``: the position where each run
    starts, then per element the length of its run and whether it starts a run.
    """
    n = len(key)
    start = np.ones(n, dtype=bool)
    if n > 1:
        np.not_equal(key[1:], key[:-1], out=start[1:])
        start[1:] |= rg[1:] != rg[:-1]
    starts = np.flatnonzero(start)
    lengths = np.diff(np.r_[starts, n])
    return starts, np.repeat(lengths, lengths), start


def _erode(b: np.ndarray, k: int) -> np.ndarray:
    """``w[i]`` = all of ``b[i : i + k]`` (length ``len(b) − k + 1``), by doubling ANDs."""
    e, p = b, 1
    while 2 * p <= k:
        e = e[:-p] & e[p:]
        p *= 2
    return e if p == k else e[: len(e) - (k - p)] & e[k - p:]


def _dilate(w: np.ndarray, k: int, m: int) -> np.ndarray:
    """``out[i]`` = any of ``w[i − k + 1 : i + 1]`` for i < m (w padded with False)."""
    g = np.zeros(m, dtype=bool)
    g[: len(w)] = w
    p = 1
    while 2 * p <= k:
        g[p:] |= g[:-p]  # numpy buffers overlapping operands, so this reads the old g
        p *= 2
    if p < k:
        g[k - p:] |= g[: m - (k - p)]
    return g


def in_long_run(b: np.ndarray, k: int, rg: np.ndarray | None = None) -> np.ndarray:
    """True where ``b`` is part of ``k`` or more consecutive true values (one run group).

    Sliding-window form of the run-length test with boolean shifts only (no per-element
    loop, no run ids): a window of ``k`` elements that is all true marks every element
    it covers. Runs never span a change of ``rg``.
    """
    m = len(b)
    if m < k:
        return np.zeros(m, dtype=bool)
    w = _erode(b, k)  # window starting at i is all true
    if rg is not None and k > 1:
        w &= rg[k - 1:] == rg[: m - k + 1]
    if not w.any():
        return np.zeros(m, dtype=bool)
    return _dilate(w, k, m)


def side_sign(y: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Side of the centre line as int8: +1 above, −1 below, 0 on it or missing.

    Written into one int8 array (fewer fresh temporaries: faster on large arrays).
    """
    side = np.empty(np.broadcast_shapes(np.shape(y), np.shape(centre)), dtype=np.int8)
    with np.errstate(invalid="ignore"):
        np.greater(y, centre, out=side.view(bool))
        side -= np.less(y, centre).view(np.int8)
    return side


def side_of(y: np.ndarray, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Side of the centre line (+1, −1, 0 on it) and whether the point can be judged."""
    valid = ~(np.isnan(y) | np.isnan(centre))
    return side_sign(y, centre), valid


def beyond_limits(y: np.ndarray, lower: np.ndarray,
                  upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points strictly above the upper or strictly below the lower limit."""
    with np.errstate(invalid="ignore"):
        return y > upper, y < lower


def shift(y: np.ndarray, centre: np.ndarray, rg: np.ndarray, length: int, *,
          on_centre: str = "breaks", sides: tuple[np.ndarray, np.ndarray] | None = None
          ) -> tuple[np.ndarray, np.ndarray]:
    """``length`` or more points in a row strictly on one side of their own centre line.

    Every point of such a run is flagged, however long the run. A point exactly on the
    centre line ends the run (``on_centre="breaks"``) or is skipped (``"skip"``: it
    neither adds to nor breaks the run and is not flagged). ``sides`` is
    :func:`side_of` ``(y, centre)`` when already computed.
    """
    side, valid = sides if sides is not None else side_of(y, centre)
    if on_centre == "breaks":
        return in_long_run(side > 0, length, rg), in_long_run(side < 0, length, rg)
    # "skip": drop the points on the line; a missing point (side 0, not valid) stays
    # and, having its own key, still breaks the run.
    idx = np.flatnonzero((side != 0) | ~valid)
    key = side[idx]
    _, length_of, _ = run_lengths(key, rg[idx])
    hit = length_of >= length
    high = np.zeros(len(side), dtype=bool)
    low = np.zeros(len(side), dtype=bool)
    high[idx[hit & (key > 0)]] = True
    low[idx[hit & (key < 0)]] = True
    return high, low


def trend(y: np.ndarray, rg: np.ndarray, length: int, *,
          ties: str = "breaks", side: str = "both") -> tuple[np.ndarray, np.ndarray]:
    """``length`` or more points in a row, each strictly above (below) the one before.

    That is ``length − 1`` consecutive rises (falls). Every point of the run is flagged,
    its first point included. A trend ignores the centre line and limits. Two equal
    consecutive values end the run (``ties="breaks"``) or are skipped (``"skip"``).
    Rising is the high side. ``side`` says which side a flagged point is on:

    * ``"both"`` (MDC v5.0): the side of every run it belongs to, so a turning point
      belongs to both runs it joins (high and low);
    * ``"next_step"`` (NHSRplotthedots 0.2.2, ``ptd_special_cause_type``): one side
      only -- the direction of the step to the next point when that point is also in
      a trend, otherwise of the step from the previous point; a step that is not a
      rise (a fall or a repeat) counts as falling, exactly as that code does.
    """
    high, low = _trend_both(y, rg, length, ties)
    if side == "next_step" and len(y) > 1:
        return _trend_next_step(y, rg, high | low)
    return high, low


def _trend_next_step(y: np.ndarray, rg: np.ndarray,
                     flagged: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """NHSRplotthedots' side of each trend point (see :func:`trend`)."""
    n = len(y)
    with np.errstate(invalid="ignore"):
        rise = np.zeros(n - 1, dtype=bool)
        np.greater(y[1:], y[:-1], out=rise)
    same = rg[1:] == rg[:-1]
    use_next = np.zeros(n, dtype=bool)
    use_next[:-1] = flagged[:-1] & flagged[1:] & same
    up = np.zeros(n, dtype=bool)
    up[:-1] = use_next[:-1] & rise
    from_prev = np.zeros(n, dtype=bool)
    from_prev[1:] = rise & same
    up |= ~use_next & from_prev
    return flagged & up, flagged & ~up


def _trend_both(y: np.ndarray, rg: np.ndarray, length: int,
                ties: str) -> tuple[np.ndarray, np.ndarray]:
    """Trend flags with a turning point on both sides (see :func:`trend`)."""
    n = len(y)
    high = np.zeros(n, dtype=bool)
    low = np.zeros(n, dtype=bool)
    if n < 2:
        return high, low
    same = rg[1:] == rg[:-1]
    if ties == "breaks":
        # Comparisons with a missing value are false, so NaN ends a trend by itself.
        with np.errstate(invalid="ignore"):
            steps = ((y[1:] > y[:-1]) & same, (y[1:] < y[:-1]) & same)
        for flags, step in zip((high, low), steps, strict=True):
            cover = in_long_run(step, length - 1)
            flags[:-1] |= cover
            flags[1:] |= cover
        return high, low
    with np.errstate(invalid="ignore"):
        d = np.sign(y[1:] - y[:-1])
    valid = ~np.isnan(d) & same
    d = np.where(valid, d, 0).astype(np.int8)
    pos = np.arange(1, n)  # the diff at pos i joins points i-1 and i
    if ties == "skip":
        keep = (d != 0) | ~valid
        d, pos, valid = d[keep], pos[keep], valid[keep]
    # A diff that cannot be judged gets its own key so it always breaks the run.
    key = np.where(valid, d, 2).astype(np.int8)
    _, length_of, start = run_lengths(key, np.zeros(len(key), dtype=np.int8))
    hit = (length_of >= length - 1) & (key != 0) & (key != 2)
    if not hit.any():
        return high, low
    # Span of each hit run: from the point before its first diff to its last diff.
    first = start & hit
    last = np.zeros(len(key), dtype=bool)
    last[:-1] = start[1:]
    last[-1] = True
    last &= hit
    for flags, sign in ((high, 1), (low, -1)):
        f = pos[first & (key == sign)] - 1
        e = pos[last & (key == sign)]
        if len(f):
            mark = np.zeros(n + 1, dtype=np.int32)
            mark[f] += 1  # runs of one sign never share a first point
            np.subtract.at(mark, e + 1, 1)
            flags |= np.cumsum(mark[:-1]) > 0
    return high, low


def two_of_three(y: np.ndarray, centre: np.ndarray, lower2: np.ndarray, upper2: np.ndarray,
                 lower: np.ndarray, upper: np.ndarray, rg: np.ndarray, *,
                 counts_beyond_limits: bool = False,
                 sides: tuple[np.ndarray, np.ndarray] | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Two out of three points in a row strictly beyond a two-sigma line.

    A window of three consecutive points (in one run group) signals when all three are
    strictly on the same side of their own centre line and at least two are strictly
    beyond their own two-sigma line on that side. Only those points are flagged. A
    point beyond its process limit counts towards the two only if
    ``counts_beyond_limits`` (MDC v5.0: it does not; it still counts as on its side).
    """
    n = len(y)
    high = np.zeros(n, dtype=bool)
    low = np.zeros(n, dtype=bool)
    if n < 3:
        return high, low
    side, _ = sides if sides is not None else side_of(y, centre)
    # Points beyond two sigma are few: find them, then work on them only (pairs of
    # them at most 2 apart are the only possible signals).
    for flags, sgn in ((high, 1), (low, -1)):
        with np.errstate(invalid="ignore"):
            c = np.flatnonzero(y > upper2 if sgn > 0 else y < lower2)
            keep = side[c] == sgn
            if not counts_beyond_limits:
                keep &= ~(y[c] > upper[c]) if sgn > 0 else ~(y[c] < lower[c])
        c = c[keep]
        if len(c) < 2:
            continue
        a, z = c[:-1], c[1:]
        gap = z - a
        same = rg[a] == rg[z]
        # gap 2: the one window a..a+2 needs its middle point on the same side.
        ok2 = (gap == 2) & same & (side[np.minimum(a + 1, n - 1)] == sgn)
        # gap 1: windows a-1..a+1 or a..a+2 need their third point on the side, in series.
        left = np.maximum(a - 1, 0)
        right = np.minimum(z + 1, n - 1)
        ok_left = (a >= 1) & (side[left] == sgn) & (rg[left] == rg[a])
        ok_right = (z + 1 < n) & (side[right] == sgn) & (rg[right] == rg[z])
        ok1 = (gap == 1) & same & (ok_left | ok_right)
        hit = ok1 | ok2
        flags[a[hit]] = True
        flags[z[hit]] = True
    return high, low


def anhoej_limits(n_useful: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Anhøj's two limits for each number of useful observations ``n`` (NaN where n = 0).

    The longest run chance allows is ``round(log2(n)) + 3`` (Schilling 2012): a longer
    run signals. The fewest crossings chance allows is ``qbinom(0.05, n − 1, 0.5)``
    (Chen 2010): fewer signal. Returns ``(longest_run_max, crossings_min)``, floats.
    """
    n_useful = np.asarray(n_useful, dtype=np.int64)
    has = n_useful > 0
    longest_max = np.where(has, np.round(np.log2(np.maximum(n_useful, 1))) + 3, np.nan)
    # The 5th percentile for each distinct n only (most groups share a few n).
    trials, which = np.unique(np.maximum(n_useful - 1, 0), return_inverse=True)
    crossings_min = np.where(has, stats.binom.ppf(0.05, trials, 0.5)[which.reshape(-1)]
                             .reshape(n_useful.shape), np.nan)
    return longest_max, crossings_min


def anhoej(y: np.ndarray, centre: np.ndarray, rg: np.ndarray, n_rg: int,
           sides: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Anhøj's runs analysis per run group (qicharts2 ``runs.analysis``).

    Useful observations are non-missing points not on the centre line (the caller
    passes ``sides`` with excluded points set to 0 to leave them out too). Missing
    points and points on the line are skipped: they neither add to nor break a run
    (qicharts2 ``runs.analysis``). With n of them,
    a run is unusually long if longer than ``round(log2(n)) + 3`` (Schilling 2012) and
    there are too few crossings if fewer than ``qbinom(0.05, n − 1, 0.5)`` (Chen 2010).

    Returns per-point ``long_high``/``long_low`` flags, per-group ``n_useful``,
    ``longest_run``, ``longest_run_max``, ``n_crossings``, ``n_crossings_min``,
    ``long_run_signal`` and ``few_crossings`` (per run group).
    """
    side, _ = sides if sides is not None else side_of(y, centre)
    n = len(y)
    useful = side != 0
    if useful.all():  # common with an even number of points per group: no gather
        idx, key, g = None, side, rg
    else:
        idx = np.flatnonzero(useful)
        key, g = side[idx], rg[idx]  # g is non-decreasing
    m = len(key)
    # Run starts among the useful observations (a new run group starts a run too), and
    # where each run group with useful observations begins; reused for every count.
    start = np.ones(m, dtype=bool)
    group_pos = np.zeros(min(m, 1), dtype=np.int64)
    if m > 1:
        new_group = g[1:] != g[:-1]
        np.not_equal(key[1:], key[:-1], out=start[1:])
        start[1:] |= new_group
        group_pos = np.r_[group_pos, np.flatnonzero(new_group) + 1]
    present = g[group_pos]  # run groups that have useful observations
    run_pos = np.flatnonzero(start)
    run_len = np.diff(np.r_[run_pos, m])
    first_run = np.searchsorted(run_pos, group_pos)  # every group start is a run start
    n_useful = np.zeros(n_rg, dtype=np.int64)
    n_useful[present] = np.diff(np.r_[group_pos, m])
    n_runs = np.zeros(n_rg, dtype=np.int64)
    n_runs[present] = np.diff(np.r_[first_run, len(run_pos)])
    longest = np.zeros(n_rg, dtype=np.int64)
    if len(run_pos):
        longest[present] = np.maximum.reduceat(run_len, first_run)
    longest_max, crossings_min = anhoej_limits(n_useful)
    crossings = np.maximum(n_runs - 1, 0)
    long_signal = (n_useful > 0) & (longest > longest_max)
    few = (n_useful > 0) & (crossings < crossings_min)
    long_high = np.zeros(n, dtype=bool)
    long_low = np.zeros(n, dtype=bool)
    if long_signal.any():
        # Only runs in a signalling group can be too long: expand just those runs.
        run_limit = np.repeat(longest_max[present], np.diff(np.r_[first_run, len(run_pos)]))
        hit = np.flatnonzero(run_len > run_limit)
        hit_len = run_len[hit]
        offset = np.repeat(run_pos[hit] - (np.cumsum(hit_len) - hit_len), hit_len)
        points = offset + np.arange(len(offset))
        if idx is not None:
            points = idx[points]
        up = np.repeat(key[run_pos[hit]] > 0, hit_len)
        long_high[points[up]] = True
        long_low[points[~up]] = True
    return {
        "long_high": long_high, "long_low": long_low, "n_useful": n_useful,
        "longest_run": np.where(n_useful > 0, longest, 0), "longest_run_max": longest_max,
        "n_crossings": crossings, "n_crossings_min": crossings_min,
        "long_run_signal": long_signal, "few_crossings": few,
    }


#: Perla, Provost & Murray (2011), BMJ Qual Saf 20: 46-51, Table 1 ("Tests for number of
#: runs above and below the median"), adapted there from Swed & Eisenhart (1943): for
#: each number of useful observations, the fewest runs that are not "too few" and the
#: most runs that are not "too many" (a run count below the first value is too few;
#: above the second, too many). Rows 10-40 as reproduced in third-party run-chart code;
#: the article's rows 41-60 could not be checked, so the exact distribution is used
#: there. Every row keeps each tail at or below 2.5% of the Swed & Eisenhart
#: distribution for an even split (checked in tests/test_spc_published.py).
#: The published table is more conservative than an exact 2.5%-per-tail cut in some
#: rows (e.g. n = 11: 3 and 10, where the exact cut gives 4 and 9), so it is used as
#: a lookup wherever it applies; outside 10-40 the exact distribution is used.
PERLA_RUNS_TABLE: dict[int, tuple[int, int]] = {
    10: (3, 9), 11: (3, 10), 12: (3, 11), 13: (4, 11), 14: (4, 12), 15: (5, 12),
    16: (5, 13), 17: (5, 13), 18: (6, 14), 19: (6, 15), 20: (6, 16), 21: (7, 16),
    22: (7, 17), 23: (7, 17), 24: (8, 18), 25: (8, 18), 26: (9, 19), 27: (9, 20),
    28: (10, 20), 29: (10, 21), 30: (11, 22), 31: (11, 22), 32: (11, 23), 33: (11, 24),
    34: (12, 24), 35: (12, 25), 36: (13, 25), 37: (13, 26), 38: (14, 26), 39: (14, 27),
    40: (15, 27),
}


def ihi_runs_bounds(n_useful: np.ndarray, alpha: float = 0.05, *,
                    table: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Fewest and most runs expected by chance for ``n_useful`` useful observations.

    With ``table`` (the default) and 10 to 40 useful observations, the values of
    Perla, Provost & Murray's (2011) Table 1 (:data:`PERLA_RUNS_TABLE`). Otherwise the
    exact Swed & Eisenhart (1943) distribution of the number of runs with the
    observations split as evenly as possible above and below the median
    (n1 = ⌊n/2⌋, n2 = ⌈n/2⌉), two-sided ``alpha``: a run count below the first value
    (P(R ≤ count) ≤ alpha/2) is too few; above the second, too many. ``table=False``
    always uses the exact distribution. NaN for n < 2.
    """
    n_useful = np.asarray(n_useful, dtype=np.int64)
    # One look-up per distinct n (most groups share a few), then spread back.
    distinct, which = np.unique(n_useful, return_inverse=True)
    lower = np.full(len(distinct), np.nan)
    upper = np.full(len(distinct), np.nan)
    for i, n in enumerate(distinct.tolist()):
        if n < 2:
            continue
        if table and alpha == 0.05 and n in PERLA_RUNS_TABLE:
            lower[i], upper[i] = PERLA_RUNS_TABLE[n]
        else:
            lower[i], upper[i] = _runs_bounds_one(n, alpha)
    return lower[which], upper[which]


_BOUNDS_CACHE: dict[tuple[int, float], tuple[int, int]] = {}


def _runs_bounds_one(n: int, alpha: float) -> tuple[int, int]:
    """Runs bounds for one n (cached; one small loop over possible run counts)."""
    if (n, alpha) in _BOUNDS_CACHE:
        return _BOUNDS_CACHE[(n, alpha)]
    from math import comb

    n1, n2 = n // 2, n - n // 2
    total = comb(n, n1)
    r = np.arange(2, n + 1)
    k = r // 2
    even = r % 2 == 0
    ways = np.array([
        2 * comb(n1 - 1, kk - 1) * comb(n2 - 1, kk - 1) if ev else
        comb(n1 - 1, kk) * comb(n2 - 1, kk - 1) + comb(n1 - 1, kk - 1) * comb(n2 - 1, kk)
        for kk, ev in zip(k, even, strict=True)
    ], dtype=float) / total
    cum_lo = np.cumsum(ways)
    cum_hi = np.cumsum(ways[::-1])[::-1]
    lo = int(r[np.argmax(cum_lo > alpha / 2)])
    hi = int(r[len(r) - 1 - np.argmax(cum_hi[::-1] > alpha / 2)])
    _BOUNDS_CACHE[(n, alpha)] = (lo, hi)
    return lo, hi


def ihi_runs(y: np.ndarray, centre: np.ndarray, rg: np.ndarray,
             n_rg: int) -> dict[str, np.ndarray]:
    """Too few or too many runs about the median, per run group (Perla et al. 2011)."""
    side = side_sign(y, centre)
    idx = np.flatnonzero(side != 0)
    g = rg[idx]
    _, _, start = run_lengths(side[idx], g)
    n_useful = np.bincount(g, minlength=n_rg)
    n_runs = np.bincount(g[start], minlength=n_rg)
    lower, upper = ihi_runs_bounds(n_useful)
    with np.errstate(invalid="ignore"):
        return {"n_useful": n_useful, "n_runs": n_runs, "runs_min": lower, "runs_max": upper,
                "too_few_runs": n_runs < lower, "too_many_runs": n_runs > upper}
