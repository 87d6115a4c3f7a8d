"""How long do the PDSA tools take? Validate a log, draw its figures, draw a driver diagram.

Run by hand (not by the test suite)::

    .venv/bin/python benchmarks/pdsa_speed.py            # best of 5
    .venv/bin/python benchmarks/pdsa_speed.py --repeat 3

Workloads:

* the course's own log (``datasets/discharge_pdsa_log.csv``, 8 cycles) and a synthetic
  log of :data:`safercare.pdsa.MAX_CYCLES` (1,000) cycles in 100 ramps of 10, the
  largest a log may be: read from CSV bytes and validated; written back to CSV;
  the prediction-against-result table;
* the ramp view of each (drawn and rendered to PNG at 100 dpi, as a notebook would);
* the discharge p chart annotated with the 8 cycles (the SPC chart drawn, then marked,
  then rendered), and the marking alone on a drawn chart;
* a driver diagram of 7 change ideas and one of 60 (parse, validate, draw, render).

It prints the best-of-N wall time and CPU time of each, in milliseconds (on a shared,
busy machine the CPU time is the steadier figure). Figures depend on the machine:
compare rows with each other, not with another machine's run.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import safercare.spc as spc  # noqa: E402
from safercare.pdsa import MAX_CYCLES, Cycle, DriverDiagram, PDSALog, annotate, plot_ramp  # noqa: E402


def best(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best-of-``repeat`` wall and CPU time of ``fn()`` in ms (figures closed after each)."""
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
        plt.close("all")
    return 1000 * min(wall), 1000 * min(cpu)


def big_log(n: int = MAX_CYCLES) -> bytes:
    """``n`` valid cycles: ramps of ten, each from 1 patient up to 1 ward."""
    scales = ["1 patient", "3 patients", "5 patients", "1 shift", "1 day", "2 days",
              "1 week", "2 weeks", "1 team", "1 ward"]
    start = pd.Timestamp("2024-01-01")
    cycles = []
    for i in range(n):
        ramp, step = divmod(i, 10)
        plan = start + pd.Timedelta(days=3 * i)
        cycles.append(Cycle(
            f"R{ramp}-{step}", change_idea=f"Change idea {ramp}", plan_date=plan.date(),
            scale=scales[step], builds_on=f"R{ramp}-{step - 1}" if step else "",
            measure="patients before noon (%)", prediction="A rise",
            predicted_value=30, do_date=(plan + pd.Timedelta(days=1)).date(),
            result_value=25 + step, result="Some rise",
            decision="adapt" if step < 9 else "adopt", learning="More to learn"))
    return PDSALog(cycles).to_csv().encode("utf-8")


def driver_table(n: int) -> pd.DataFrame:
    return pd.DataFrame({
        "aim": ["Discharge a third of patients before noon by March"] * n,
        "primary_driver": [f"Primary driver {i % 4}" for i in range(n)],
        "secondary_driver": [f"Secondary driver {i % 12}" for i in range(n)],
        "change_idea": [f"Change idea number {i}, worded as a team would" for i in range(n)],
    })


def render(fig) -> None:
    fig.savefig(io.BytesIO(), format="png", dpi=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    r = args.repeat

    course = (ROOT / "datasets" / "discharge_pdsa_log.csv").read_bytes()
    big = big_log()
    days = pd.read_csv(ROOT / "datasets" / "discharge_before_noon.csv", parse_dates=["date"])
    log8 = PDSALog.from_csv(course)
    log1000 = PDSALog.from_csv(big)
    chart = spc.p_chart(days, "discharges_before_noon", "discharges", "date",
                        baseline=62, direction="higher")
    small, large = driver_table(7), driver_table(60)

    marking: list[tuple[float, float]] = []

    def annotate_drawn() -> None:
        fig = chart.plot()
        w, c = time.perf_counter(), time.process_time()
        annotate(fig, log8)
        marking.append((time.perf_counter() - w, time.process_time() - c))

    rows = [
        ("read + validate the course log (8 cycles)", best(lambda: PDSALog.from_csv(course), r)),
        (f"read + validate a log of {MAX_CYCLES:,} cycles", best(lambda: PDSALog.from_csv(big), r)),
        (f"write a log of {MAX_CYCLES:,} cycles to CSV", best(log1000.to_csv, r)),
        (f"prediction vs result, {MAX_CYCLES:,} cycles", best(log1000.prediction_vs_result, r)),
        ("ramp view, 8 cycles (draw + PNG)", best(lambda: render(plot_ramp(log8)), r)),
        (f"ramp view, {MAX_CYCLES:,} cycles (draw + PNG)",
         best(lambda: render(plot_ramp(log1000)), r)),
        ("p chart + 8 cycles marked (draw + PNG)",
         best(lambda: render(annotate(chart, log8)), r)),
        ("driver diagram, 7 change ideas (validate + draw + PNG)",
         best(lambda: render(DriverDiagram.from_table(small).plot()), r)),
        ("driver diagram, 60 change ideas (validate + draw + PNG)",
         best(lambda: render(DriverDiagram.from_table(large).plot()), r)),
        ("driver diagram, 60 change ideas (validate only)",
         best(lambda: DriverDiagram.from_table(large), r)),
    ]
    best(annotate_drawn, r)
    rows.insert(7, ("marking 8 cycles on a drawn p chart (annotate only)",
                    (1000 * min(m[0] for m in marking), 1000 * min(m[1] for m in marking))))
    width = max(len(name) for name, _ in rows)
    print(f"best of {r}, milliseconds")
    print(f"{'workload':<{width}}  {'wall':>8}  {'CPU':>8}")
    for name, (wall, cpu) in rows:
        print(f"{name:<{width}}  {wall:8.1f}  {cpu:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
