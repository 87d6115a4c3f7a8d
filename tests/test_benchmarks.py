"""Smoke test for benchmarks/spc_speed.py, so the benchmark cannot rot (tiny workload, fast)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "spc_speed.py"


def _load():
    spec = importlib.util.spec_from_file_location("spc_speed", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def test_numpy_floor_matches_pandas_for_unequal_series():
    bench = _load()
    rng = np.random.default_rng(3)
    lengths = [5, 1, 9, 2]
    ids = np.repeat(np.arange(4), lengths)
    values = rng.normal(size=ids.size)
    starts = np.cumsum([0] + lengths[:-1])
    means, mean_mr = bench.numpy_floor(values, starts)
    frame = pd.DataFrame({"id": ids, "v": values})
    assert np.allclose(means, frame.groupby("id")["v"].mean())
    expected = frame.groupby("id")["v"].apply(lambda s: s.diff().abs().sum() / max(len(s) - 1, 1))
    assert np.allclose(mean_mr, expected)


def test_benchmark_runs_on_a_tiny_workload():
    bench = _load()
    notes: list[str] = []
    rows = bench.run(points=400, series=6, length=30, repeats=1, peer_series=2,
                     peer_points=60, peer_repeats=1, out=notes.append)
    names = {(row.workload.split()[0], row.implementation) for row in rows}
    for workload in ("(a)", "(b)"):
        assert (workload, "numpy floor (mean, |differences|)") in names
        assert (workload, "safercare xmr(rules='mdc')") in names
        assert (workload, "safercare run_chart(rules='anhoej')") in names
    timed = [row for row in rows if row.implementation.startswith(("numpy", "safercare"))]
    assert all(row.seconds is not None and row.seconds > 0 for row in timed)
    # Every published package is either timed or reported plainly as unavailable.
    peers = [row for row in rows if row not in timed]
    assert len(peers) == 2 * len(bench.PEERS)
    assert all(row.seconds is not None or "not importable" in row.note
               or "failed" in row.note for row in peers)
    table = bench.format_table(rows)
    assert "× floor" in table and table.count("\n") == len(rows) + 1
    assert notes == []


WIDGET_SCRIPT = SCRIPT.parent / "widget_speed.py"


def _load_widget_speed():
    spec = importlib.util.spec_from_file_location("widget_speed", WIDGET_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_widget_benchmark_finds_controls_in_nested_boxes_and_changes_each():
    import ipywidgets as w

    bench = _load_widget_speed()
    slider = w.IntSlider(value=20, min=10, max=60, step=5, description="Points")
    pick = w.SelectMultiple(options=[("a", 1), ("b", 2), ("c", 3)], value=(1, 2, 3))
    ticked = w.Checkbox(value=True, description="Count it")
    button = w.Button(description="Go")
    box = w.VBox([w.HTML("title"), w.HBox([slider, w.VBox([pick, button])]), ticked])
    assert bench.controls_of(box) == [slider, pick, button, ticked]
    for control in (slider, pick, ticked):
        values = bench.change_values(control, 7)
        assert len(values) == 7
        previous = control.value
        for value in values:
            assert value != previous  # every change is a real change
            control.value = value  # and a value the control accepts
            previous = value
    assert all(v % 5 == 0 and 10 <= v <= 60 for v in bench.change_values(slider, 7))
    assert all(v for v in bench.change_values(pick, 7))  # never an empty choice


def test_widget_benchmark_finds_the_lesson_widgets():
    bench = _load_widget_speed()
    found = [name for module in bench.lesson_modules()
             for name, _ in bench.widget_factories(module)]
    assert len(found) >= 5 and len(set(found)) == len(found)


def test_widget_benchmark_runs_in_a_kernel_and_sees_the_figures(monkeypatch):
    bench = _load_widget_speed()
    here = str(Path(__file__).parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (here, os.environ.get("PYTHONPATH")) if p))
    rows, facts = bench.run(changes=2, modules=["widget_speed_sample"])
    assert facts["backend"] == "inline"
    by_control = {row.control.split()[0]: row for row in rows}
    assert set(by_control) == {"(build,", "IntSlider", "Checkbox", "Text", "Button"}
    for kind in ("IntSlider", "Checkbox", "Button"):
        row = by_control[kind]
        assert row.widget == "sample_explorer" and not row.errors
        assert len(row.times_ms) == len(row.cpu_ms) == 2 and min(row.times_ms) > 0
        assert row.figures == 2 and row.unlabelled == 0  # each change rendered one PNG
    assert by_control["Text"].figures == 0 and "read when a button" in by_control["Text"].note
    table = bench.format_table(rows)
    assert table.count("\n") == len(rows) + 1 and "sample_explorer" in table
