"""Plain-English descriptions of SPC results, for alt text and for learners.

Example: "24 monthly points from January 2023 to December 2024; mean 6.1; process
limits 2.3 to 9.9. Signals: a shift of 8 points below the mean since March 2024 —
improvement. Variation icon: special cause variation: improvement (low values)."

The text names the number of points (and their frequency, from the dates), the centre
line and limits in force at the last point, the most recent run of each rule that fired
(with its length, side, start and verdict), whether the chart is provisional, the
target and the icons.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from safercare.spc.chart_data import ChartData
from safercare.spc.engine import VERDICTS
from safercare.spc.icons import icon_text

__all__ = ["describe_result", "fmt_number"]

_VERDICT_WORDS = {"improvement": "improvement", "concern": "concern",
                  "special_cause": "special cause", "common_cause": "common cause"}


def fmt_number(x: float) -> str:
    """A number to about three significant figures, without scientific notation."""
    if x is None or not np.isfinite(x):
        return "not available"
    ax = abs(x)
    if ax >= 100:
        text = f"{x:,.0f}"
    elif ax >= 10:
        text = f"{x:.1f}"
    elif ax >= 1:
        text = f"{x:.2f}"
    elif ax == 0:
        text = "0"
    else:
        text = f"{x:.3g}"
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return text


def is_percentage(result: ChartData) -> bool:
    """A p or p′ chart on the 0–1 scale is best read as percentages."""
    upper = result.lines.get("upper")
    return (result.chart in ("p", "p_prime") and upper is not None
            and bool(np.nanmax(upper, initial=0) <= 1))


def _formatter(result: ChartData) -> Any:
    if is_percentage(result):
        return lambda x: (fmt_number(100 * x) + "%") if np.isfinite(x) else fmt_number(x)
    return fmt_number


def _frequency(dates: np.ndarray) -> str:
    if len(dates) < 2 or dates.dtype.kind != "M":
        return ""
    gaps = np.diff(dates).astype("timedelta64[s]").astype(float) / 86400
    gaps = gaps[np.isfinite(gaps)]
    for word, lo, hi in (("daily", 0.9, 1.1), ("weekly", 6, 8), ("monthly", 27, 32),
                         ("quarterly", 85, 95), ("yearly", 360, 370)):
        # Name a frequency only for a regular series: event dates (g and t charts)
        # whose median gap happens to be a week are not "weekly points".
        if len(gaps) and np.mean((gaps >= lo) & (gaps <= hi)) >= 0.9:
            return word + " "
    return ""


def _when(date: Any, freq: str) -> str:
    ts = pd.Timestamp(date)
    if freq.strip() in ("monthly", "quarterly"):
        return ts.strftime("%B %Y")
    if freq.strip() == "yearly":
        return ts.strftime("%Y")
    return f"{ts.day} {ts.strftime('%B %Y')}"


def _runs(flag: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) inclusive of each stretch of consecutive true values."""
    if not flag.any():
        return []
    f = np.r_[False, flag, False].astype(np.int8)
    d = np.diff(f)
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1, strict=True))


def describe_result(result: ChartData, group: Any = None) -> str:
    """Describe one series of ``result`` in plain English (see the module docstring)."""
    prep = result.prep
    code = result.group_code(group)
    lo_i, hi_i = (int(v) for v in np.searchsorted(prep.group, [code, code + 1]))
    sl = slice(lo_i, hi_i)
    y = result.y[sl]
    dates = prep.date[sl] if prep.date is not None else None
    n = int(np.sum(~np.isnan(y)))
    freq = _frequency(dates) if dates is not None else ""
    summary = result.summary_frame.iloc[code]

    def where(i: int) -> str:
        if dates is not None and dates.dtype.kind == "M":
            return _when(dates[i], freq)
        if dates is not None:
            return f"{prep.date_name or 'period'} {fmt_number(float(dates[i]))}"
        return f"point {i + 1}"

    parts = []
    noun = "event" if result.chart in ("g", "t") else "point"
    head = f"{n} {freq}{noun}{'s' if n != 1 else ''}"
    if dates is not None and dates.dtype.kind == "M" and len(y) > 1:
        head += f" from {where(0)} to {where(len(y) - 1)}"
    missing = len(y) - n
    if missing:
        head += f" ({missing} missing)"
    parts.append(head)
    centre_word = result.centre_name
    n_phases = int(prep.phase[sl].max()) if len(y) else 0
    num = _formatter(result)
    centre = f"{centre_word} {num(float(summary['centre']))}"
    if n_phases > 1:
        centre += f" in the latest of {n_phases} phases"
    parts.append(centre)
    if "lower" in summary and np.isfinite(summary.get("upper", np.nan)):
        trial = "trial " if summary["provisional"] else ""
        parts.append(f"{trial}process limits {num(float(summary['lower']))} to "
                     f"{num(float(summary['upper']))}")
    if result.target is not None:
        parts.append(f"target {num(float(result.target))}")
    text = "; ".join(parts) + "."
    if n_phases > 1:
        text += " " + _phase_sentence(result, sl, where, centre_word, num)
    lower = float(summary.get("lower", np.nan)) if "lower" in summary else np.nan
    if np.isfinite(lower) and lower < 0 and np.nanmin(y, initial=np.inf) >= 0:
        text += (" The lower limit is below zero, where no value can go, so only a rise "
                 "can show as a point outside the limits.")

    signals = _signal_sentences(result, sl, where, centre_word)
    if summary["provisional"]:
        text += (f" With fewer than {result.profile.min_points} points the limits are "
                 "provisional")
        text += (", so points are not coloured and no icons are given"
                 if not result.profile.colour_provisional else "") + "."
    hidden = summary["provisional"] and not result.profile.colour_provisional
    if signals:
        text += (" Trial signals (not shown): " if hidden else " Signals: ") + "; ".join(
            signals) + "."
    else:
        text += " No signals: only common cause variation."
    if summary["variation_icon"] is not None:
        text += f" Variation icon: {icon_text(summary['variation_icon'])}."
    if summary["assurance_icon"] is not None:
        text += f" Assurance icon: {icon_text(summary['assurance_icon'])}."
    return text


def _phase_sentence(result: ChartData, sl: slice, where: Any, centre_word: str,
                    num: Any) -> str:
    """Where the limits were recalculated and how the centre line moved at each change."""
    phase = np.asarray(result.prep.phase[sl])
    centre = np.asarray(result.lines["centre"][sl], dtype=float)
    starts = np.flatnonzero(np.r_[False, phase[1:] != phase[:-1]])
    moves = [f"from {where(int(i))} (the {centre_word} moved from {num(float(centre[i - 1]))} "
             f"to {num(float(centre[i]))})" for i in starts]
    return "Limits recalculated " + " and ".join(moves) + "."


def _signal_sentences(result: ChartData, sl: slice, where: Any, centre_word: str
                      ) -> list[str]:
    ev = result.ev
    verdict = ev.verdict[sl]
    n = len(verdict)
    out = []

    def verdict_of(a: int, b: int) -> str:
        codes = verdict[a:b + 1]
        codes = codes[codes > 0]
        if not len(codes):
            return ""
        return " — " + _VERDICT_WORDS[VERDICTS[int(np.bincount(codes).argmax())]]

    def at(i: int) -> str:
        text = where(i)
        if text.startswith(("point", result.prep.date_name or "period")):
            return f"at {text}"
        return f"on {text}" if text[0].isdigit() else f"in {text}"

    def since(a: int, b: int) -> str:
        return f"since {where(a)}" if b == n - 1 else f"from {where(a)} to {where(b)}"

    for rule in ("shift", "long_run", "trend"):
        if rule not in ev.sides:
            continue
        hi, lo = ev.sides[rule]
        # Points exactly on the centre line are skipped by some rules: bridge them.
        on_line = (result.y[sl] == result.lines["centre"][sl]) if rule != "trend" else None
        runs = []
        for flag, side_name in ((hi[sl], "high"), (lo[sl], "low")):
            for a, b in _runs(flag | on_line if on_line is not None else flag):
                inside = np.flatnonzero(flag[a:b + 1])
                if len(inside):
                    runs.append((a + int(inside[0]), a + int(inside[-1]), side_name,
                                 len(inside) if rule != "trend" else b - a + 1))
        if not runs:
            continue
        a, b, side, length = max(runs, key=lambda r: (r[1], r[0]))
        if rule == "trend":
            words = "rising" if side == "high" else "falling"
            text = f"a trend of {length} {words} points {since(a, b)}"
        else:
            words = "above" if side == "high" else "below"
            name = "shift" if rule == "shift" else "run"
            text = f"a {name} of {length} points {words} the {centre_word} {since(a, b)}"
        if len(runs) > 1:
            text += f" ({len(runs)} {rule.replace('_', ' ')}s in all)"
        out.append(text + verdict_of(a, b))
    if "beyond_limits" in ev.flags:
        idx = np.flatnonzero(ev.flags["beyond_limits"][sl])
        if len(idx):
            i = idx[-1]
            above = ev.sides["beyond_limits"][0][sl][i]
            side = "above the upper" if above else "below the lower"
            count = f"{len(idx)} points" if len(idx) > 1 else "1 point"
            latest = "the latest " if len(idx) > 1 else ""
            out.append(f"{count} outside the process limits ({latest}{at(i)}, {side} "
                       f"limit){verdict_of(i, i)}")
    if "two_of_three" in ev.flags:
        idx = np.flatnonzero(ev.flags["two_of_three"][sl])
        if len(idx):
            out.append(f"{len(idx)} points in two-out-of-three patterns beyond two sigma "
                       f"(the latest {at(idx[-1])}){verdict_of(idx[-1], idx[-1])}")
    summary = result.summary_frame.iloc[result.prep.group[sl.start]] if n else None
    for rule, words in (("few_crossings", "too few crossings of the median"),
                        ("too_few_runs", "too few runs"), ("too_many_runs", "too many runs")):
        if rule in ev.flags and ev.flags[rule][sl][-1]:
            extra = ""
            if rule == "few_crossings" and summary is not None:
                extra = (f" ({summary['n_crossings']}; fewer than "
                         f"{summary['n_crossings_min']} is unusual)")
            elif summary is not None and "n_runs" in summary:
                extra = (f" ({summary['n_runs']}; expected {summary['runs_min']} to "
                         f"{summary['runs_max']})")
            out.append(words + extra + " in the latest phase")
    return out
