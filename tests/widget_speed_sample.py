"""A small lesson-like widget for the smoke test of benchmarks/widget_speed.py.

One slider, one check box and one button redraw an XmR chart through the package's
shared drawing path, as a lesson widget does; one text box is only read by the button.
"""

from __future__ import annotations

import ipywidgets as w
import numpy as np
import pandas as pd

from safercare import spc
from safercare.widgets.display import show_in


def sample_explorer() -> w.VBox:
    """An XmR chart of ``points`` random values; the button draws new values."""
    points = w.IntSlider(value=20, min=10, max=40, step=5, description="Points")
    target = w.Checkbox(value=False, description="Show a target")
    note = w.Text(value="", description="A note")
    again = w.Button(description="Draw again")
    out = w.Output()
    state = {"seed": 1}

    def update(_: object = None) -> None:
        values = np.random.default_rng(state["seed"]).normal(20, 3, points.value)
        result = spc.xmr(pd.DataFrame({"value": values}), value="value",
                         target=25.0 if target.value else None, direction="lower")
        show_in(out, result.plot())

    def redraw(_: object) -> None:
        state["seed"] += 1
        update()

    points.observe(update, names="value")
    target.observe(update, names="value")
    again.on_click(redraw)
    update()
    return w.VBox([w.HTML("<b>Sample</b>"), w.HBox([points, target]), note, again, out])
