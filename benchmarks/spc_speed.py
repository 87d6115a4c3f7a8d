"""How fast are safercare's SPC charts? Seconds, and ratios to a bare numpy floor.

Run by hand (not by the test suite), ideally in a separate environment that also has
the published packages to compare with::

    python3 -m venv /tmp/bench-venv
    /tmp/bench-venv/bin/pip install -e . pyqicharts clinical-qikit shewhart
    /tmp/bench-venv/bin/python benchmarks/spc_speed.py

It prints one table from one run: workload × implementation → best-of-N seconds and the
ratio to the numpy floor timed in the same process on the same data.

Workloads (fixed seed, normal data):
  (a) one series of 1,000,000 points;
  (b) 10,000 series × 120 points, charted in one call with ``by=``.

Implementations:
  * ``safercare xmr``: :func:`safercare.spc.xmr` with ``rules="mdc"`` (every Making
    Data Count v5.0 rule: beyond limits, shift, trend, two of three beyond 2σ);
  * ``safercare run_chart``: :func:`safercare.spc.run_chart` with ``rules="anhoej"``;
  * ``numpy floor``: the least any XmR chart must do, vectorised: each series' mean and
    absolute successive differences (and their mean), over the same data;
  * published Python SPC packages, if importable, called series by series, because
    none of them charts many series in one call. They are slow, so only a sample is
    timed (``--peer-series`` series of workload (b), the first ``--peer-points``
    points of workload (a)) and the time is scaled up linearly; the table says so.
    Each peer row notes which rules the package computes: only some do the same job.

Ratios, not timed assertions: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

SEED = 20_261_127


# ------------------------------------------------------------------------ data
def make_single(points: int, seed: int = SEED) -> pd.DataFrame:
    """Workload (a): one series of ``points`` normal values."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"value": rng.normal(50.0, 5.0, points)})


def make_many(series: int, length: int, seed: int = SEED) -> pd.DataFrame:
    """Workload (b): ``series`` series of ``length`` points each, stacked, with a ``series`` id.

    Each series has its own mean and spread so the per-series limits differ.
    """
    rng = np.random.default_rng(seed + 1)
    means = rng.uniform(10.0, 90.0, series)
    spreads = rng.uniform(1.0, 8.0, series)
    values = rng.normal(0.0, 1.0, (series, length)) * spreads[:, None] + means[:, None]
    return pd.DataFrame({
        "series": np.repeat(np.arange(series), length),
        "value": values.ravel(),
    })


# ------------------------------------------------------------------ the floor
def numpy_floor(values: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and mean absolute successive difference of each series, vectorised.

    ``values`` holds the series one after another; ``starts`` is the index where each
    begins. Works for series of unequal length (no reshape trick).
    """
    counts = np.diff(np.append(starts, values.size))
    means = np.add.reduceat(values, starts) / counts
    moving = np.abs(np.diff(values))
    moving[starts[1:] - 1] = 0.0  # no moving range across a series boundary
    mr_sums = np.add.reduceat(np.append(moving, 0.0), starts)
    return means, mr_sums / np.maximum(counts - 1, 1)


# -------------------------------------------------------------------- timing
def best_time(func: Callable[[], object], repeats: int) -> float:
    """Best wall-clock time over ``repeats`` calls (time.perf_counter; taking the best
    discounts a cold first call and other processes on a shared machine)."""
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


@dataclass
class Row:
    workload: str
    implementation: str
    seconds: float | None
    note: str = ""


# --------------------------------------------------------------------- peers
@dataclass(frozen=True)
class Peer:
    """A published package's XmR or run chart for one series at a time."""

    label: str
    module: str
    chart: str  # "xmr" or "run"
    rules: str  # what it actually computes, in a few words
    call: Callable[[object, np.ndarray], object]


def _pyqicharts_xmr(mod: object, y: np.ndarray) -> object:
    frame = pd.DataFrame({"x": np.arange(y.size), "y": y})
    return mod.qic_table(frame, x="x", y="y", chart="i")


def _pyqicharts_run(mod: object, y: np.ndarray) -> object:
    frame = pd.DataFrame({"x": np.arange(y.size), "y": y})
    return mod.qic_table(frame, x="x", y="y", chart="run", method="anhoej")


PEERS: tuple[Peer, ...] = (
    Peer("pyqicharts 2.0 qic_table(chart='i')", "pyqicharts", "xmr",
         "same job: limits (3/1.128), shift 6, trend 6, 2 of 3 beyond 2σ (it counts "
         "points beyond the limits)",
         _pyqicharts_xmr),
    Peer("clinical-qikit 0.5 qic(chart='i')", "qikit", "xmr",
         "not the same job: 3σ limits + Anhøj runs rules, no trend or 2-of-3",
         lambda mod, y: mod.qic(y=y, chart="i", method="anhoej")),
    Peer("shewhart 0.1 imr(rules='nelson')", "shewhart", "xmr",
         "not the same job: Nelson rules 1-8 (9 in a row, 6 trending)",
         lambda mod, y: mod.imr(y, rules="nelson")),
    Peer("pyqicharts 2.0 qic_table(chart='run')", "pyqicharts", "run",
         "nearly the same job: Anhøj rules, but run > ceil(log2 n + 3) and crossings "
         "limit 1 below Anhøj's", _pyqicharts_run),
    Peer("clinical-qikit 0.5 qic(chart='run')", "qikit", "run",
         "nearly the same job: Anhøj rules, but run ≥ floor(log2 n) + 3 (9, not 11, at "
         "n = 120)", lambda mod, y: mod.qic(y=y, chart="run")),
    Peer("shewhart 0.1 run_chart()", "shewhart", "run",
         "not the same job: normal-approximation runs tests, not Anhøj",
         lambda mod, y: mod.run_chart(y)),
)


def _import(name: str) -> tuple[object | None, str]:
    try:
        return importlib.import_module(name), ""
    except Exception as error:  # any failure to import means "not available"
        return None, f"{type(error).__name__}: {error}"


# ----------------------------------------------------------------------- run
def run(
    *,
    points: int = 1_000_000,
    series: int = 10_000,
    length: int = 120,
    repeats: int = 5,
    peer_series: int = 100,
    peer_points: int = 2_000,
    peer_repeats: int = 2,
    peers: bool = True,
    out: Callable[[str], object] = print,
) -> list[Row]:
    """Time every implementation on both workloads; print progress notes and return rows."""
    single = make_single(points)
    many = make_many(series, length)
    workloads = {
        f"(a) 1 series × {points:,} points": (single, None, np.array([0])),
        f"(b) {series:,} series × {length} points": (
            many, "series", np.arange(series) * length),
    }
    spc, why = _import("safercare.spc")
    if spc is None:
        out(f"safercare.spc is not importable here ({why}); safercare is not timed.")
    rows: list[Row] = []
    for name, (frame, by, starts) in workloads.items():
        values = frame["value"].to_numpy()
        rows.append(Row(name, "numpy floor (mean, |differences|)",
                        best_time(lambda v=values, s=starts: numpy_floor(v, s), repeats)))
        kwargs = {"value": "value"} if by is None else {"value": "value", "by": by}
        for chart, rules in (("xmr", "mdc"), ("run_chart", "anhoej")):
            label = f"safercare {chart}(rules='{rules}')"
            func = getattr(spc, chart, None)
            if func is None:
                rows.append(Row(name, label, None, "not available in safercare.spc"))
                continue
            try:
                seconds = best_time(
                    lambda f=frame, k=kwargs, c=func, r=rules: c(f, rules=r, **k), repeats)
            except Exception as error:  # reported in the table rather than hidden
                rows.append(Row(name, label, None,
                                f"failed: {type(error).__name__}: {str(error)[:60]}"))
                continue
            rows.append(Row(name, label, seconds))
        if not peers:
            continue
        for peer in PEERS:
            mod, why = _import(peer.module)
            if mod is None:
                rows.append(Row(name, peer.label, None,
                                f"not importable here ({why.splitlines()[0][:60]})"))
                continue
            if by is None:
                take = min(peer_points, values.size)
                sample = [values[:take]]
                scale = values.size / take
                how = (f"first {take:,} points, × {scale:,.0f} (assumes linear time: a peer "
                       "that scales worse is slower than shown)" if scale > 1 else "all points")
            else:
                take = min(peer_series, series)
                sample = [values[s:s + length] for s in starts[:take]]
                scale = series / take
                how = (f"{take} of {series:,} series, × {scale:,.0f}" if scale > 1
                       else "all series")

            def job(mod=mod, peer=peer, sample=sample) -> None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    for y in sample:
                        peer.call(mod, y)

            try:
                seconds = best_time(job, peer_repeats) * scale
            except Exception as error:  # a peer that fails on this data is reported
                rows.append(Row(name, peer.label, None,
                                f"failed: {type(error).__name__}: {str(error)[:60]}"))
                continue
            rows.append(Row(name, peer.label, seconds, f"{how}; {peer.rules}"))
    return rows


def format_table(rows: list[Row]) -> str:
    """The rows as a plain-text table with ratios to the numpy floor of each workload."""
    floors = {r.workload: r.seconds for r in rows if r.implementation.startswith("numpy")}
    lines = []
    header = f"{'workload':<33} {'implementation':<40} {'seconds':>11} {'× floor':>10}  note"
    lines.append(header)
    lines.append("-" * len(header))
    for r in rows:
        if r.seconds is None:
            secs, ratio = "—", "—"
        else:
            secs = f"{r.seconds:11.4f}"
            floor = floors.get(r.workload)
            ratio = f"{r.seconds / floor:10,.1f}" if floor else "—"
        lines.append(f"{r.workload:<33} {r.implementation:<40} {secs:>11} {ratio:>10}  "
                     f"{r.note}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000, help="workload (a) length")
    parser.add_argument("--series", type=int, default=10_000, help="workload (b) series")
    parser.add_argument("--length", type=int, default=120, help="workload (b) points each")
    parser.add_argument("--repeats", type=int, default=5, help="best of this many runs")
    parser.add_argument("--peer-series", type=int, default=100,
                        help="series of (b) timed per peer, then scaled up")
    parser.add_argument("--peer-points", type=int, default=2_000,
                        help="points of (a) timed per peer, then scaled up")
    parser.add_argument("--peer-repeats", type=int, default=2)
    parser.add_argument("--no-peers", action="store_true", help="skip published packages")
    args = parser.parse_args(argv)
    print(f"Python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}; "
          f"seed {SEED}; best of {args.repeats} (peers: best of {args.peer_repeats}).")
    rows = run(points=args.points, series=args.series, length=args.length,
               repeats=args.repeats, peer_series=args.peer_series,
               peer_points=args.peer_points, peer_repeats=args.peer_repeats,
               peers=not args.no_peers)
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
