"""Showing figures and messages inside widgets, always with alt text.

Every widget front end shows its charts through :func:`show_in`, so a figure drawn by
a widget carries its plain-English description as the image's alt text (in JupyterLab,
in Voilà and in the book's saved widget state) and is closed afterwards so figures do
not pile up in memory.

A widget redraws on every change of a control, so the picture must be ready in well
under a tenth of a second (issue 9; ``benchmarks/widget_speed.py`` measures it).
:func:`figure_png` renders a figure to PNG in one pass instead of IPython's two (its
``bbox_inches="tight"`` lays the figure out and draws it once to measure it, then draws
it again): the figures are laid out by matplotlib's constrained layout, which already
keeps every label inside the figure. It also keeps one Agg renderer per image size, so
text measured for one chart (tick labels, legend entries) is not measured again for the
next, and asks each axis for its ticks and their labels once rather than at every stage
of the layout.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import IPython.display
import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from IPython.core.interactiveshell import InteractiveShell
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, Locator
from PIL import Image

from safercare.errors import DataError

__all__ = ["display_figure", "figure_png", "show_error", "show_in"]

#: zlib level for the PNG: 1-3 encode about twice as fast as the default 6 and the
#: images (flat colours, thin lines) grow by only a few per cent.
PNG_COMPRESS_LEVEL = 3
#: Renderers kept for reuse, one per image size (each holds one RGBA image buffer).
_MAX_RENDERERS = 6
_renderers: OrderedDict[tuple[float, float, float], RendererAgg] = OrderedDict()
_lock = threading.Lock()


class _SharedRendererCanvas(FigureCanvasAgg):
    """An Agg canvas that borrows a renderer kept from earlier figures of the same size.

    matplotlib caches text measurements per renderer; a fresh renderer per figure (what
    a new canvas makes) measures every tick label and legend entry again.
    """

    def get_renderer(self) -> RendererAgg:
        w_px, h_px = self.get_width_height(physical=True)
        key = (w_px, h_px, self.figure.dpi)
        renderer = _renderers.pop(key, None)
        if renderer is None:
            renderer = RendererAgg(w_px, h_px, self.figure.dpi)
        _renderers[key] = renderer  # most recently used last
        while len(_renderers) > _MAX_RENDERERS:
            _renderers.popitem(last=False)
        self.renderer = renderer
        self._lastKey = key
        return renderer


class _OnceLocator(Locator):
    """Ask ``inner`` for an axis's ticks once per view and tick space, then remember them.

    Constrained layout measures each axis several times before the figure is drawn, and
    each measurement asks the locator again (a date axis runs ``dateutil.rrule`` every
    time). The answer only depends on the view limits and the room for ticks, which are
    the key, so the ticks drawn are exactly those ``inner`` gives.
    """

    def __init__(self, inner: Locator, axis: Axis) -> None:
        self.inner = inner
        self.axis = axis
        self._ticks: dict[tuple[float, float, int], Any] = {}

    def set_axis(self, axis: Axis) -> None:  # the inner locator keeps its own axis
        self.axis = axis

    def __call__(self) -> Any:
        vmin, vmax = self.axis.get_view_interval()
        key = (float(vmin), float(vmax), int(self.axis.get_tick_space()))
        if key not in self._ticks:
            self._ticks[key] = self.inner()
        return self._ticks[key]

    def tick_values(self, vmin: float, vmax: float) -> Any:
        return self.inner.tick_values(vmin, vmax)

    def nonsingular(self, v0: float, v1: float) -> tuple[float, float]:
        return self.inner.nonsingular(v0, v1)

    def view_limits(self, vmin: float, vmax: float) -> tuple[float, float]:
        return self.inner.view_limits(vmin, vmax)

    def set_params(self, **kwargs: Any) -> None:
        self.inner.set_params(**kwargs)

    def __getattr__(self, name: str) -> Any:  # anything else a formatter may ask
        return getattr(self.inner, name)


class _OnceFormatter(Formatter):
    """Label the same ticks in the same view once: repeat ``inner``'s last labels.

    Layout and drawing format an axis's ticks about as often as they locate them. Only
    a call identical to the one before (same tick values, same view) is answered from
    memory, so ``inner``'s own state (a scalar axis's offset, a date axis's unit) is
    always that of the labels returned.
    """

    def __init__(self, inner: Formatter, axis: Axis) -> None:
        self.inner = inner
        self.axis = axis
        self._key: tuple[Any, ...] | None = None
        self._labels: list[str] = []

    def set_axis(self, axis: Axis) -> None:
        self.axis = axis

    def format_ticks(self, values: Any) -> list[str]:
        key = (tuple(np.asarray(values).tolist()), tuple(self.axis.get_view_interval()))
        if key != self._key:
            self._labels = self.inner.format_ticks(values)
            self._key = key
        return self._labels

    def __call__(self, x: Any, pos: int | None = None) -> str:
        return self.inner(x, pos)

    def get_offset(self) -> str:
        return self.inner.get_offset()

    def set_locs(self, locs: Any) -> None:
        self._key = None
        self.inner.set_locs(locs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@contextmanager
def _remembered_ticks(figure: Figure) -> Iterator[None]:
    """While drawing, every axis's major locator and formatter remember their answers
    (the two classes above); afterwards the figure has its own back, unchanged."""
    axes = [axis for ax in _all_axes(figure) for axis in (ax.xaxis, ax.yaxis)]
    saved = [(axis, axis.major.locator, axis.major.formatter) for axis in axes]
    try:
        for axis, locator, formatter in saved:
            # Set directly, not with set_major_locator/formatter: those would also hand
            # the wrappers to each other, and a date formatter asks its locator for the
            # unit (the real locator keeps answering it).
            axis.major.locator = _OnceLocator(locator, axis)
            axis.major.formatter = _OnceFormatter(formatter, axis)
        yield
    finally:
        for axis, locator, formatter in saved:
            axis.major.locator, axis.major.formatter = locator, formatter


def _all_axes(figure: Figure) -> list[Any]:
    found, todo = [], list(figure.axes)
    while todo:
        ax = todo.pop()
        found.append(ax)
        todo.extend(getattr(ax, "child_axes", []))
    return found


def figure_png(figure: Figure, *, dpi: float | None = None) -> bytes:
    """``figure`` as PNG bytes, drawn once (see the module docstring).

    At the figure's own dpi (what IPython uses), or at ``dpi``, as ``savefig(dpi=...)``
    does. The figure is left as it was (its canvas, dpi, locators and formatters).
    """
    original_canvas, original_dpi = figure.canvas, figure.dpi
    with _lock:
        try:
            if dpi is not None:
                figure.set_dpi(dpi)
            canvas = _SharedRendererCanvas(figure)
            with _remembered_ticks(figure):
                canvas.draw()
            width, height = canvas.get_width_height(physical=True)
            rgba = np.asarray(canvas.buffer_rgba()).copy()  # the renderer is reused
        finally:
            figure.set_dpi(original_dpi)
            figure.set_canvas(original_canvas)
    image = Image.fromarray(rgba, "RGBA")
    if rgba[..., 3].min() == 255:  # opaque (every house-style figure): drop alpha
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="png", compress_level=PNG_COMPRESS_LEVEL)
    return out.getvalue()


def display_figure(figure: plt.Figure, alt: str | None = None) -> None:
    """Display ``figure`` as a PNG with alt text, then close it.

    ``alt`` defaults to ``figure.alt_text``, which every chart drawn by ``safercare``
    sets from its ``describe()`` text. A figure with neither is a bug: it raises
    ``ValueError`` rather than reach a screen-reader user as an unlabelled image.
    """
    text = alt or getattr(figure, "alt_text", None)
    if not text:
        raise ValueError("This figure has no alt text: pass alt= or set figure.alt_text.")
    metadata = {"image/png": {"alt": text}}
    try:
        if InteractiveShell.initialized():
            bundle = {"image/png": figure_png(figure), "text/plain": repr(figure)}
            IPython.display.display(bundle, raw=True, metadata=metadata)
        else:  # no notebook (a script, a test): IPython prints the figure's name as before
            IPython.display.display(figure, metadata=metadata)
    finally:
        plt.close(figure)


def show_in(out: w.Output, *items: object) -> None:
    """Replace what an Output area shows with ``items`` (figures get their alt text)."""
    out.clear_output(wait=True)
    with out:
        for item in items:
            if isinstance(item, Figure):
                display_figure(item)
            else:
                IPython.display.display(item)


def show_error(out: w.Output, error: DataError) -> None:
    """Show a :class:`DataError` in an Output area as a plain message about what was typed."""
    show_in(out, IPython.display.Markdown(
        "**Please check what you typed.**\n\n" + str(error).replace("\n", "\n\n")))
