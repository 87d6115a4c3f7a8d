"""The shared drawing path for widget figures (safercare.widgets.display).

figure_png draws a figure once (no tight bounding box, a renderer shared between figures of
one size, ticks asked for once); these tests hold it to exactly the picture a plain
matplotlib Agg draw of the same figure gives.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from PIL import Image  # noqa: E402

from safercare import spc  # noqa: E402
from safercare.games import funnel_experiment  # noqa: E402
from safercare.widgets.display import display_figure, figure_png  # noqa: E402


def _plain(figure) -> np.ndarray:
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba()).copy()
    plt.close(figure)
    return pixels


def _decoded(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _dated_chart():
    months = pd.date_range("2022-04-01", periods=36, freq="MS")
    values = np.random.default_rng(4).normal(20, 3, 36)
    return spc.xmr(pd.DataFrame({"month": months, "value": values}), value="value",
                   date="month", direction="lower", target=18.0)


@pytest.mark.parametrize("make", [
    lambda: _dated_chart().plot(),  # date axis: the formatter still asks the real locator
    lambda: funnel_experiment.plot_funnel(funnel_experiment.funnel_experiment(30, seed=2)),
], ids=["xmr-with-dates", "funnel-four-panels"])
def test_figure_png_is_exactly_a_plain_draw_also_when_the_renderer_is_reused(make):
    for _ in range(2):  # the second figure of the same size reuses the renderer's caches
        expected = _plain(make())
        figure = make()
        got = _decoded(figure_png(figure))
        plt.close(figure)
        assert got.shape == expected.shape
        assert (got == expected).all()


def test_figure_png_is_a_png_at_the_figure_size_without_alpha_for_opaque_figures():
    figure = _dated_chart().plot()
    png = figure_png(figure)
    plt.close(figure)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.mode == "RGB"
    assert image.size == (900, 480)  # 9 x 4.8 inches at the figure's 100 dpi


def test_display_figure_refuses_a_figure_without_alt_text_and_closes_labelled_ones():
    figure, _ = plt.subplots()
    with pytest.raises(ValueError, match="no alt text"):
        display_figure(figure)
    plt.close(figure)
    labelled = _dated_chart().plot()
    display_figure(labelled)
    assert not plt.fignum_exists(labelled.number)
