"""How fast does every control of every lesson widget redraw? (issue 9: under 100 ms)

Starts a real Jupyter kernel (``jupyter_client.KernelManager`` and ``ipykernel``, with the
inline matplotlib backend a notebook uses), builds each lesson widget in it and, for every
control the widget shows (check boxes, drop-downs, multiple selections, sliders, toggle
buttons, buttons, text boxes), changes it several times. Each change is timed inside the
kernel, from the assignment (``control.value = ...``, or ``button.click()``) until it
returns. ipywidgets runs observers synchronously, so that time covers the whole redraw:
the computation, the figure and its rendering to PNG (IPython renders a figure to PNG when
it is displayed, before the message leaves the kernel). A hook on the kernel's display
publisher counts the PNG images each change publishes and checks each carries alt text,
so a redraw that skipped the figure cannot pass for a fast one.

The table gives the median and the slowest of the wall-clock times (what a reader waits
for; the goal is a median under 100 ms) and the median CPU time the kernel spent, which
moves less when other work shares the machine.

Widgets are found by introspection, so the benchmark survives lesson code moving: every
public function of the lesson modules whose return annotation is a ``VBox`` is built, and
its controls are found by walking the ``VBox`` children. A function that returns an
``Explorer`` (``safercare.widgets.explore``: every state drawn in advance, switched in the
page without a kernel) gets one row, the time to precompute a state;
``benchmarks/explore_speed.py`` times its controls in a browser. The lesson modules are
``safercare.lessons.*`` when that package exists, otherwise ``safercare.widgets.lessons``
and ``safercare.widgets.comparison``; ``--module`` names others. A widget is labelled with
its module when that module is a lesson of its own, otherwise with the lesson notebook
that calls it.

Run by hand (``benchmarks/README.md`` has the results); ``--quick`` changes each control
once and draws only the first state of a precomputed exploration (a smoke run; the test in
``tests/test_benchmarks.py`` runs a small sample widget the same way)::

    .venv/bin/python benchmarks/widget_speed.py
    PYTHONPATH=/tmp/sc-before .venv/bin/python benchmarks/widget_speed.py   # another copy
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Goal of issue 9, in milliseconds (median of several changes).
GOAL_MS = 100.0
#: Marks the kernel's answer among whatever else it prints.
_MARK = "@@widget-speed@@"

#: Widgets that need lesson data to be built: the setup their lesson notebook runs.
SETUP: dict[str, str] = {
    "rank_explorer": """
from safercare import data
from safercare.comparison import totals
_names = data.load("geography").set_index("org_id")["org_name"]
_table = totals(data.load("mortality"), by="collaborative_id",
                columns=["deaths", "expected_deaths"], date="quarter",
                start="2024-04-01", end="2025-04-01").rename(
    columns={"deaths": "Deaths", "expected_deaths": "Expected deaths"})
_table["collaborative"] = _table["collaborative_id"].map(_names)
ARGS = (_table,)
KWARGS = dict(numerator="Deaths", denominator="Expected deaths", unit="collaborative",
              kind="ratio")
""",
}


@dataclass
class Row:
    """One control's timings (milliseconds), or why it could not be timed."""

    lesson: str
    widget: str
    control: str
    times_ms: list[float]
    cpu_ms: list[float] = field(default_factory=list)  # the kernel's CPU time per change
    figures: int = 0  # PNG images published over all the changes
    unlabelled: int = 0  # of which without alt text
    displays: int = 0  # display messages of any kind
    note: str = ""
    errors: list[str] = field(default_factory=list)  # changes whose observer raised

    @property
    def median_ms(self) -> float | None:
        return _median(self.times_ms)

    @property
    def median_cpu_ms(self) -> float | None:
        return _median(self.cpu_ms)

    @property
    def max_ms(self) -> float | None:
        return max(self.times_ms) if self.times_ms else None

    @property
    def under_goal(self) -> bool | None:
        return None if self.median_ms is None else self.median_ms < GOAL_MS


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


# --------------------------------------------------------------------------------------
# Inside the kernel
# --------------------------------------------------------------------------------------

def lesson_modules(names: list[str] | None = None) -> list[Any]:
    """The modules holding lesson widgets (``safercare.lessons.*`` when it exists)."""
    import importlib
    import pkgutil

    if names:
        return [importlib.import_module(name) for name in names]
    import safercare

    try:
        package = importlib.import_module("safercare.lessons")
    except ModuleNotFoundError:
        package = None
    # An editable install can serve safercare.lessons from another checkout when an
    # older copy on PYTHONPATH lacks it: only count it if it is this copy's own.
    home = Path(safercare.__file__).resolve().parent
    if package is None or Path(package.__file__).resolve().parent.parent != home:
        return [importlib.import_module(name)
                for name in ("safercare.widgets.lessons", "safercare.widgets.comparison")]
    found = [importlib.import_module(info.name) for info in
             pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    return [package, *found]


def widget_factories(module: Any) -> list[tuple[str, Any]]:
    """Public functions defined in ``module`` that are declared to return a ``VBox`` (an
    ipywidgets widget) or an ``Explorer`` (a precomputed exploration) and can be called
    with no arguments (or have their lesson's arguments in :data:`SETUP`)."""
    import inspect

    found = []
    for name, obj in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(obj):
            continue
        if obj.__module__ != module.__name__:
            continue
        signature = inspect.signature(obj)
        returns = signature.return_annotation
        text = returns if isinstance(returns, str) else getattr(returns, "__name__", "")
        if str(text).split(".")[-1] not in ("VBox", "Explorer"):
            continue
        required = [p for p in signature.parameters.values() if p.default is p.empty
                    and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        if required and name not in SETUP:
            continue  # a building block (such as a form helper), not a lesson's widget
        found.append((name, obj))
    return found


def _notebook_lessons(root: Path) -> dict[str, str]:
    """Function name -> the lesson notebook (file stem) that calls it."""
    calls: dict[str, str] = {}
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError):
            continue
        source = "\n".join("".join(c.get("source", "")) for c in cells
                           if c.get("cell_type") == "code")
        calls[path.stem] = source
    return calls


def _lesson_of(name: str, module: Any, notebooks: dict[str, str]) -> str:
    modname = module.__name__
    if modname.startswith("safercare.lessons.") and modname.count(".") >= 2:
        return modname.rsplit(".", 1)[1]
    for stem, source in notebooks.items():
        if f"{name}(" in source:
            return stem
    return modname


def controls_of(widget: Any) -> list[Any]:
    """Every control inside ``widget``, in the order shown (walks Box children)."""
    import ipywidgets as w

    kinds = (w.Button, w.Checkbox, w.ToggleButton, w.Dropdown, w.ToggleButtons, w.RadioButtons,
             w.Select, w.SelectMultiple, w.SelectionSlider, w.SelectionRangeSlider,
             w.IntSlider, w.FloatSlider, w.IntRangeSlider, w.FloatRangeSlider,
             w.BoundedIntText, w.BoundedFloatText, w.IntText, w.FloatText,
             w.Text, w.Textarea, w.DatePicker, w.ColorPicker)
    found: list[Any] = []

    def walk(item: Any) -> None:
        if isinstance(item, w.Box):
            for child in item.children:
                walk(child)
        elif isinstance(item, kinds) and not getattr(item, "disabled", False):
            found.append(item)

    walk(widget)
    return found


def _label(control: Any) -> str:
    kind = type(control).__name__
    text = control.description or getattr(control, "placeholder", "") or ""
    return f"{kind} '{text}'" if text else kind


def _example_text(control: Any) -> str:
    """What a reader would type into an empty box: its placeholder, less any "e.g.""."""
    hint = (getattr(control, "placeholder", "") or "").strip()
    for prefix in ("e.g.", "eg.", "e.g", "for example"):
        if hint.lower().startswith(prefix):
            hint = hint[len(prefix):].strip(" :,")
    return hint


def _resets(button: Any) -> bool:
    """Whether a button's label says it clears or undoes what was played."""
    words = (button.description or "").lower().split()
    return bool(words) and words[0] in {"start", "undo", "clear", "reset", "restart"}


def change_values(control: Any, n: int) -> list[Any]:
    """``n`` values for ``control``, each different from the one before it."""
    import ipywidgets as w
    import numpy as np

    current = control.value
    if isinstance(control, w.Checkbox | w.ToggleButton):
        return [not current if i % 2 == 0 else current for i in range(n)]
    if isinstance(control, w.SelectMultiple):
        values = [value for _, value in control._options_full] if hasattr(
            control, "_options_full") else list(control.options)
        subsets = [tuple(v for v in values if v != drop) for drop in values]
        subsets = [s for s in subsets if s] + [tuple(values)]
        out, previous = [], tuple(current)
        for i in range(n):
            choice = subsets[i % len(subsets)]
            if choice == previous:
                choice = subsets[(i + 1) % len(subsets)]
            out.append(choice)
            previous = choice
        return out
    if isinstance(control, w.Dropdown | w.ToggleButtons | w.RadioButtons | w.Select
                  | w.SelectionSlider):
        values = [value for _, value in control._options_full] if hasattr(
            control, "_options_full") else list(control.options)
        if len(values) < 2:
            return []
        start = values.index(current) if current in values else 0
        return [values[(start + 1 + i) % len(values)] for i in range(n)]
    if isinstance(control, w.IntSlider | w.FloatSlider | w.BoundedIntText
                  | w.BoundedFloatText):
        lo, hi = control.min, control.max
        step = getattr(control, "step", None) or 1
        grid = np.linspace(lo, hi, n + 1)
        grid = lo + np.round((grid - lo) / step) * step
        if isinstance(control.value, int):
            grid = grid.astype(int)
        values = [v.item() for v in grid if v != current][:n]
        return values
    if isinstance(control, w.IntText | w.FloatText):
        return [current + (i + 1) for i in range(n)]
    if isinstance(control, w.Text | w.Textarea):
        other = _example_text(control) or current + " "
        return [other if i % 2 == 0 else current for i in range(n)]
    return []


class _Published:
    """Counts what the kernel publishes (a display publisher hook)."""

    def __init__(self) -> None:
        self.figures = self.unlabelled = self.displays = 0

    def __call__(self, msg: dict) -> dict:
        if msg.get("msg_type") in ("display_data", "update_display_data", "execute_result"):
            self.displays += 1
            content = msg.get("content", {})
            if "image/png" in content.get("data", {}):
                self.figures += 1
                alt = content.get("metadata", {}).get("image/png", {}).get("alt")
                if not alt:
                    self.unlabelled += 1
        return msg

    def reset(self) -> None:
        self.figures = self.unlabelled = self.displays = 0


def measure(changes: int = 7, modules: list[str] | None = None,
            only: list[str] | None = None, quick: bool = False) -> list[dict]:
    """Build every lesson widget and time every control (runs inside the kernel)."""
    import ipywidgets as w
    from IPython import get_ipython

    import safercare

    ip = get_ipython()
    published = _Published()
    if ip is not None and hasattr(ip.display_pub, "register_hook"):
        ip.display_pub.register_hook(published)
    root = Path(safercare.__file__).resolve().parents[1]
    notebooks = _notebook_lessons(root)
    rows: list[dict] = []
    try:
        for module in lesson_modules(modules):
            for name, factory in widget_factories(module):
                if only and name not in only:
                    continue
                lesson = _lesson_of(name, module, notebooks)
                rows += _measure_widget(lesson, name, factory, changes, published, w, quick)
    finally:
        if ip is not None and hasattr(ip.display_pub, "unregister_hook"):
            ip.display_pub.unregister_hook(published)
    return rows


def _measure_explorer(lesson: str, name: str, explorer: Any, *, quick: bool) -> Row:
    """A precomputed exploration (safercare.widgets.explore): every state is drawn once,
    then the page switches states with no kernel (``benchmarks/explore_speed.py`` times
    that in a browser). Here: the time to precompute a state (quick: the first state's
    chart only, without the explorer's own encoding)."""
    import matplotlib.pyplot as plt

    n = max(int(explorer.n_states), 1)
    start, cpu = time.perf_counter(), time.process_time()
    if quick:
        view = explorer.render(dict(explorer.states()[explorer.first_state()]))
        if getattr(view, "figure", None) is not None:
            plt.close(view.figure)
        total_ms = (time.perf_counter() - start) * 1000
        return Row(lesson, name, "(precomputed: first state, quick)", [total_ms],
                   [(time.process_time() - cpu) * 1000],
                   note=f"1 of {n} states; the page switches them without a kernel")
    explorer.build()
    total_ms = (time.perf_counter() - start) * 1000
    total_cpu = (time.process_time() - cpu) * 1000
    return Row(lesson, name, "(precomputed states, per state)", [total_ms / n],
               [total_cpu / n], note=f"{n} states drawn once in {total_ms / 1000:.1f} s; "
               "the page switches them without a kernel")


def _measure_widget(lesson: str, name: str, factory: Any, changes: int,
                    published: _Published, w: Any, quick: bool = False) -> list[dict]:
    space: dict[str, Any] = {"ARGS": (), "KWARGS": {}}
    try:
        if name in SETUP:
            exec(SETUP[name], space)  # noqa: S102 (our own fixed setup text)
        published.reset()
        start, cpu = time.perf_counter(), time.process_time()
        box = factory(*space["ARGS"], **space["KWARGS"])
        built_ms = (time.perf_counter() - start) * 1000
        built_cpu = (time.process_time() - cpu) * 1000
    except Exception as error:  # noqa: BLE001 (reported as a row, not raised)
        return [Row(lesson, name, "(build)", [], note=f"failed: {error!r}").__dict__]
    if not isinstance(box, w.Box) and hasattr(box, "build") and hasattr(box, "n_states"):
        return [_measure_explorer(lesson, name, box, quick=quick).__dict__]
    rows = [Row(lesson, name, "(build, first draw)", [built_ms], [built_cpu], published.figures,
                published.unlabelled, published.displays, note="once").__dict__]
    controls = controls_of(box)
    # Value controls first, then buttons, buttons that clear what was played last: so
    # "Do it" acts on a game that has days, and "Undo" has days to undo.
    controls.sort(key=lambda c: (isinstance(c, w.Button),
                                 isinstance(c, w.Button) and _resets(c)))
    texts = [c for c in controls if isinstance(c, w.Text | w.Textarea)]
    for control in controls:
        row = Row(lesson, name, _label(control), [])
        is_button = isinstance(control, w.Button)
        values = [None] * changes if is_button else change_values(control, changes)
        original = None if is_button else control.value
        if not values:
            row.note = "nothing to change"
        for value in values:
            if is_button:  # a reader types before pressing: fill empty boxes
                for box_ in texts:
                    if not box_.value and _example_text(box_):
                        box_.value = _example_text(box_)
            published.reset()
            start, cpu = time.perf_counter(), time.process_time()
            try:
                if is_button:
                    control.click()
                else:
                    control.value = value
            except Exception as error:  # noqa: BLE001 (a widget bug: reported, not timed)
                first = str(error).strip().splitlines()[0] if str(error).strip() else ""
                failure = f"{value!r} raised {type(error).__name__}: {first[:120]}"
                row.errors.append(failure)
                continue
            row.times_ms.append((time.perf_counter() - start) * 1000)
            row.cpu_ms.append((time.process_time() - cpu) * 1000)
            row.figures += published.figures
            row.unlabelled += published.unlabelled
            row.displays += published.displays
        if not is_button and original is not None and control.value != original:
            control.value = original  # untimed: leave the widget as it was
        if values and not row.displays:
            row.note = ("displays nothing new (a message line, or clears the output)"
                        if is_button else "no redraw: its value is read when a button is pressed")
        rows.append(row.__dict__)
    return rows


# --------------------------------------------------------------------------------------
# Outside: start the kernel, ask it, print the table
# --------------------------------------------------------------------------------------

def run(changes: int = 7, modules: list[str] | None = None, only: list[str] | None = None,
        timeout: float = 900.0, quick: bool = False) -> tuple[list[Row], dict[str, str]]:
    """Start a kernel, measure there, return the rows and facts about the kernel."""
    from jupyter_client import KernelManager

    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    km = KernelManager(kernel_name="python3")
    km.kernel_spec.argv[0] = sys.executable  # this interpreter, not whatever is on PATH
    km.start_kernel(env=env, cwd=str(Path(__file__).resolve().parents[1]))
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        code = (
            "%matplotlib inline\n"
            "import json, runpy, sys, matplotlib, safercare\n"
            f"_ws = runpy.run_path({str(Path(__file__).resolve())!r}, run_name='widget_speed')\n"
            f"_rows = _ws['measure']({changes!r}, {modules!r}, {only!r}, {quick!r})\n"
            "_facts = {'backend': matplotlib.get_backend(), 'python': sys.version.split()[0],"
            " 'matplotlib': matplotlib.__version__, 'safercare': safercare.__file__}\n"
            f"print({_MARK!r} + json.dumps({{'rows': _rows, 'facts': _facts}}))\n"
        )
        chunks: list[str] = []
        errors: list[str] = []

        def hook(msg: dict) -> None:
            kind = msg["header"]["msg_type"]
            if kind == "stream" and msg["content"].get("name") == "stdout":
                chunks.append(msg["content"]["text"])
            elif kind == "error":
                errors.append("\n".join(msg["content"].get("traceback", [])))

        reply = client.execute_interactive(code, timeout=timeout, output_hook=hook,
                                           store_history=False)
        if reply["content"]["status"] != "ok" or errors:
            raise RuntimeError("the benchmark failed inside the kernel:\n" + "\n".join(errors))
        text = "".join(chunks)
        answer = json.loads(text[text.index(_MARK) + len(_MARK):].splitlines()[0])
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)
    return [Row(**row) for row in answer["rows"]], answer["facts"]


def format_table(rows: list[Row]) -> str:
    """A Markdown table: lesson, widget, control, median and max ms, under the goal."""
    lines = ["| lesson | widget | control | median ms | max ms | < 100 ms | CPU ms | PNGs "
             "| note |", "|---|---|---|---:|---:|:---:|---:|---:|---|"]
    for row in rows:
        median = "" if row.median_ms is None else f"{row.median_ms:.0f}"
        peak = "" if row.max_ms is None else f"{row.max_ms:.0f}"
        cpu = "" if row.median_cpu_ms is None else f"{row.median_cpu_ms:.0f}"
        goal = "" if row.under_goal is None or row.control.startswith("(") else (
            "yes" if row.under_goal else "**no**")
        note = row.note
        if row.errors:
            note = (note + "; " if note else "") + (
                f"{len(row.errors)} change(s) raised an error, e.g. {row.errors[0]}")
        if row.unlabelled:
            note = (note + "; " if note else "") + f"{row.unlabelled} PNG(s) without alt text"
        lines.append(f"| {row.lesson} | {row.widget} | {row.control} | {median} | {peak} | "
                     f"{goal} | {cpu} | {row.figures} | {note} |")
    return "\n".join(lines)


def summary(rows: list[Row]) -> str:
    """How many timed controls meet the goal, and the slowest."""
    timed = [r for r in rows if r.median_ms is not None and not r.control.startswith("(")]
    if not timed:
        return "No control was timed."
    ok = sum(bool(r.under_goal) for r in timed)
    slowest = max(timed, key=lambda r: r.median_ms or 0)
    return (f"{ok} of {len(timed)} controls redraw in under {GOAL_MS:.0f} ms (median). "
            f"Slowest: {slowest.widget} {slowest.control}, median {slowest.median_ms:.0f} ms.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=7,
                        help="changes (or clicks) timed per control (default 7)")
    parser.add_argument("--module", action="append", dest="modules", metavar="MODULE",
                        help="a module holding lesson widgets (repeatable; default: "
                             "safercare.lessons.* if it exists, else safercare.widgets."
                             "lessons and safercare.widgets.comparison)")
    parser.add_argument("--only", action="append", metavar="WIDGET",
                        help="time only this widget function (repeatable)")
    parser.add_argument("--quick", action="store_true",
                        help="one change per control, and only the first state of a precomputed "
                             "exploration (a smoke run)")
    args = parser.parse_args(argv)
    changes = 1 if args.quick else args.changes
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows, facts = run(changes, args.modules, args.only, quick=args.quick)
    after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{started}; load average {load:.1f} at the start, {after:.1f} at the end "
          f"({os.cpu_count()} CPUs); {changes} change(s) per control; "
          f"backend {facts['backend']}; Python {facts['python']}, matplotlib "
          f"{facts['matplotlib']}; safercare from {facts['safercare']}\n")
    print(format_table(rows))
    print()
    print(summary(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
