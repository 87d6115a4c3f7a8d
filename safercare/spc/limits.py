"""Vectorised per-segment statistics: means, medians and moving ranges.

A *segment* is one phase of one series (see :mod:`safercare.spc.inputs`). Every function
here works on whole arrays in sorted order with integer segment codes, using
``np.bincount`` and sorting tricks, so 10,000 series cost about as much as one long one.
"""

from __future__ import annotations

import numpy as np

__all__ = ["moving_ranges", "mr_bar", "seg_mean", "seg_median", "seg_sum"]


def _reduce(values: np.ndarray, mask: np.ndarray, starts: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Per-segment (sum, count) of ``values[mask]`` for contiguous segments (reduceat)."""
    if len(values) == 0:
        return np.zeros(0), np.zeros(0)
    if mask.all():
        total = np.add.reduceat(values, starts)
        count = np.diff(np.r_[starts, len(values)])
    else:
        total = np.add.reduceat(np.where(mask, values, 0.0), starts)
        running = np.zeros(len(values) + 1, dtype=np.int32)
        np.cumsum(mask, out=running[1:], dtype=np.int32)
        count = running[np.r_[starts[1:], len(values)]] - running[starts]
    return total, count


def seg_sum(seg: np.ndarray, values: np.ndarray, mask: np.ndarray, n_segs: int, *,
            starts: np.ndarray | None = None) -> np.ndarray:
    """Sum of ``values[mask]`` per segment (0 for a segment with nothing selected).

    ``starts`` (the first position of each segment, when segments are contiguous) uses
    ``np.add.reduceat``, which is faster than ``np.bincount``.
    """
    if starts is not None:
        return _reduce(values, mask, starts)[0]
    return np.bincount(seg[mask], weights=values[mask], minlength=n_segs)


def seg_mean(seg: np.ndarray, values: np.ndarray, mask: np.ndarray, n_segs: int, *,
             starts: np.ndarray | None = None, exact: bool = True) -> np.ndarray:
    """Mean of ``values[mask]`` per segment (NaN for a segment with nothing selected).

    With ``starts``, a constant segment has exactly that constant as its mean (no
    rounding puts its points off the centre line): directly when every value is used,
    otherwise by summing relative to the segment's first value.
    ``exact=False`` skips that (moving ranges of a constant are exactly 0 anyway).
    """
    if starts is not None and len(values) and exact and mask.all():
        # No missing or excluded values: plain sums, and a constant segment (max ==
        # min) gets exactly its constant, so rounding never puts its points off the line.
        total, count = _reduce(values, mask, starts)
        mean = total / count
        top = np.maximum.reduceat(values, starts)
        constant = top == np.minimum.reduceat(values, starts)
        return np.where(constant, top, mean)
    if starts is not None and len(values) and exact:
        ref = values[starts]
        ref = np.where(np.isfinite(ref), ref, 0.0)
        counts = np.diff(np.r_[starts, len(values)])
        total, count = _reduce(values - np.repeat(ref, counts), mask, starts)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, ref + total / np.maximum(count, 1), np.nan)
    if starts is not None:
        total, count = _reduce(values, mask, starts)
    else:
        count = np.bincount(seg[mask], minlength=n_segs)
        total = np.bincount(seg[mask], weights=values[mask], minlength=n_segs)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


#: Rows up to this long are sorted whole to find their medians (``np.sort`` along a
#: row is vectorised and beats a partition about two pivots); longer ones are
#: partitioned about one pivot.
_SORT_ROWS_UP_TO = 4096


def _row_medians(rows: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """Median of each row of a 2-D array; with ``counts``, of each row's first ``counts``.

    Rows padded with NaN after their ``counts`` values sort the padding last, exactly
    where a sort by (segment, value) would leave it.
    """
    width = rows.shape[1]
    if counts is not None:
        ordered = np.sort(rows, axis=1)
        lo = np.maximum((counts - 1) // 2, 0)
        hi = np.minimum(counts // 2, width - 1)
        ids = np.arange(len(rows))
        return np.where(counts > 0, (ordered[ids, lo] + ordered[ids, hi]) / 2.0, np.nan)
    lo, hi = (width - 1) // 2, width // 2
    if width <= _SORT_ROWS_UP_TO:
        ordered = np.sort(rows, axis=1)
        return (ordered[:, lo] + ordered[:, hi]) / 2.0
    part = np.partition(rows, hi, axis=1)
    upper = part[:, hi]
    lower = upper if lo == hi else part[:, :hi].max(axis=1)
    return (lower + upper) / 2.0


def seg_median(seg: np.ndarray, values: np.ndarray, mask: np.ndarray,
               n_segs: int) -> np.ndarray:
    """Median of ``values[mask]`` per segment (NaN where nothing is selected).

    When the selected values are in segment order (as :mod:`safercare.spc.inputs`
    leaves them), each segment becomes one row of a 2-D array and the rows are sorted
    on their own: a plain reshape when every segment has the same number of values (a
    common case: every series over the same months), else rows padded with NaN when
    that costs at most twice the memory. Otherwise it sorts once by (segment, value)
    and picks the middle element(s) of each segment. All paths give the same values.
    """
    if mask.all():
        s, v = seg, values
    else:
        s, v = seg[mask], values[mask]
    if len(v) == 0:
        return np.full(n_segs, np.nan)
    if n_segs > 0 and len(v) % n_segs == 0:
        width = len(v) // n_segs
        blocks = s.reshape(n_segs, width)
        if (blocks == np.arange(n_segs, dtype=s.dtype)[:, None]).all():
            return _row_medians(v.reshape(n_segs, width))
    in_order = len(s) < 2 or bool(np.all(s[1:] >= s[:-1]))
    if not in_order:
        order = np.lexsort((v, s))
        v, s = v[order], s[order]
    counts = np.bincount(s, minlength=n_segs)
    starts = np.cumsum(counts) - counts
    width = int(counts.max())
    if in_order and width <= _SORT_ROWS_UP_TO and n_segs * width <= 2 * len(v):
        rows = np.full((n_segs, width), np.nan)
        rows[s, np.arange(len(v)) - starts[s]] = v
        return _row_medians(rows, counts)
    if in_order:
        v = v[np.lexsort((v, s))]
    lo = np.clip(starts + (counts - 1) // 2, 0, len(v) - 1)
    hi = np.clip(starts + counts // 2, 0, len(v) - 1)
    return np.where(counts > 0, (v[lo] + v[hi]) / 2.0, np.nan)


def moving_ranges(y: np.ndarray, seg: np.ndarray, excluded: np.ndarray, *,
                  starts: np.ndarray | None = None) -> np.ndarray:
    """Moving range of each point: ``|y_i − y_j|``, j the previous non-excluded point.

    * An excluded point is bridged: it has no moving range of its own, and the next
      point's moving range joins the points either side of it.
    * A missing value makes the moving ranges that touch it missing (NaN).
    * The first point of each segment has no moving range (the range across a phase
      break is not used, as MDC SQL and the v5.0 conformance pack's decision).

    ``starts`` (first position of each contiguous segment) saves a comparison pass.
    """
    n = len(y)
    mr = np.full(n, np.nan)
    if not excluded.any():
        if n > 1:
            np.abs(np.subtract(y[1:], y[:-1], out=mr[1:]), out=mr[1:])
            if starts is not None:
                mr[starts] = np.nan
            else:
                mr[1:][seg[1:] != seg[:-1]] = np.nan
        return mr
    keep = np.flatnonzero(~excluded)
    if len(keep) > 1:
        a, b = keep[:-1], keep[1:]
        mr[b] = np.where(seg[a] == seg[b], np.abs(y[b] - y[a]), np.nan)
    return mr


def mr_bar(mr: np.ndarray, seg: np.ndarray, use: np.ndarray, n_segs: int, *,
           screen: bool, screen_constant: float = 3.267,
           starts: np.ndarray | None = None) -> np.ndarray:
    """Mean moving range per segment, over the moving ranges selected by ``use``.

    With ``screen``, moving ranges ``>= screen_constant × MR̄`` are dropped once and MR̄
    is recomputed (Provost & Murray 2011, p. 156; NHSRplotthedots; qicharts2).
    """
    use = use & ~np.isnan(mr)
    bar = seg_mean(seg, mr, use, n_segs, starts=starts, exact=False)
    if screen:
        with np.errstate(invalid="ignore"):
            keep = use & (mr < screen_constant * bar[seg])
        bar = seg_mean(seg, mr, keep, n_segs, starts=starts, exact=False)
    return bar
