"""The shared drawing path for widget figures (safercare.widgets.display).

figure_png draws a figure once (no tight bounding box, a renderer shared between figures of
one size, ticks and their labels asked for once); these tests hold it to exactly the
picture a plain matplotlib Agg draw of the same figure gives, on the kinds of axes the
course draws (dates, an offset, percentages, named ticks, several panels).
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

from safercare import comparison, spc  # noqa: E402
from safercare.games import funnel_experiment, red_beads  # noqa: E402
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


def _offset_chart():
    # Values near a million vary in the last digits: the y axis labels need an offset
    # ("+1e6"), which the formatter keeps as state between calls.
    values = 1_000_000 + np.random.default_rng(5).normal(0, 0.02, 30)
    return spc.xmr(pd.DataFrame({"value": values}), value="value")


def _red_beads():
    game = red_beads.RedBeadGame(6, seed=1986)
    for _ in range(4):
        game.play_day()
    return red_beads.red_bead_chart(game.table, "p")  # a proportion: percent axis


def _ranks():
    table = comparison.parse_unit_counts("A, 5, 60\nB, 9, 60\nC, 4, 60\nD, 7, 60")
    return comparison.rank_intervals(table, numerator="events", denominator="trials",
                                     unit="unit", replicates=200, seed=1)


@pytest.mark.parametrize("make", [
    lambda: _dated_chart().plot(),  # date axis: the formatter still asks the real locator
    lambda: _offset_chart().plot(),
    lambda: _red_beads().plot(),
    lambda: _ranks().plot(replicate=3),  # named ticks (fixed labels)
    lambda: funnel_experiment.plot_funnel(funnel_experiment.funnel_experiment(30, seed=2)),
], ids=["xmr-with-dates", "axis-offset", "percent-axis", "named-ticks", "funnel-four-panels"])
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


def test_figure_png_leaves_the_figure_as_it_was():
    figure = _dated_chart().plot()
    canvas, dpi = figure.canvas, figure.dpi
    axis = figure.axes[0].xaxis
    locator, formatter = axis.get_major_locator(), axis.get_major_formatter()
    small = Image.open(io.BytesIO(figure_png(figure, dpi=50)))
    assert small.size == (450, 240)
    assert figure.canvas is canvas and figure.dpi == dpi
    assert axis.get_major_locator() is locator and axis.get_major_formatter() is formatter
    plt.close(figure)
