"""Accessible figure style shared by every chart in the package.

Why: a chart that only a reader with full colour vision on a good screen can read is a
chart that fails a third of a ward team. This module fixes one look for every figure:

* the Making Data Count (MDC) palette -- grey for common cause, blue for improvement,
  orange for concern -- plus a purple for special cause when neither direction is better
  (NHS England, *Making Data Count*; colours as in the Single Chart Tool v5.0);
* a **distinct marker shape per verdict** (circle, square, triangle, diamond) so a point's
  meaning survives greyscale printing and colour-vision deficiency -- never colour alone;
* dashed process limits, a dotted target, a solid centre line, readable type (11 pt and
  up) and no chart junk.

Use :func:`apply_style` on an Axes after drawing, :func:`new_axes` to get a styled figure,
and :func:`point_style` for the colour and marker of a verdict. The SPC charts
(:mod:`safercare.spc`) and funnel plots (:mod:`safercare.funnel`) both use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = [
    "BLUE",
    "CENTRE_COLOUR",
    "FONT_SIZE",
    "GREY",
    "LIMIT_COLOUR",
    "ORANGE",
    "PALETTE",
    "PURPLE",
    "TARGET_COLOUR",
    "TEXT_COLOUR",
    "VERDICT_COLOURS",
    "VERDICT_LABELS",
    "VERDICT_MARKERS",
    "apply_style",
    "centre_line_kw",
    "limit_line_kw",
    "new_axes",
    "point_style",
    "rc_params",
    "style_context",
    "target_line_kw",
    "two_sigma_line_kw",
]

#: MDC common-cause grey.
GREY = "#A6A6A6"
#: MDC improvement blue.
BLUE = "#00B0F0"
#: MDC concern orange.
ORANGE = "#E46C0A"
#: Special cause with no preferred direction (the purple MDC uses for "neither").
PURPLE = "#490092"
#: Dark grey for the data line, limits and text: high contrast on white (WCAG AA).
LIMIT_COLOUR = "#404040"
#: Centre line (mean or median).
CENTRE_COLOUR = "#231F20"
#: Target line: a dark red-brown that stays distinct from the limits in greyscale by
#: its dotted style, not by colour.
TARGET_COLOUR = "#8B0000"
#: Body text.
TEXT_COLOUR = "#231F20"
#: Base type size in points (readable on a projector and when printed).
FONT_SIZE = 11

PALETTE: dict[str, str] = {
    "grey": GREY,
    "blue": BLUE,
    "orange": ORANGE,
    "purple": PURPLE,
    "limit": LIMIT_COLOUR,
    "centre": CENTRE_COLOUR,
    "target": TARGET_COLOUR,
    "text": TEXT_COLOUR,
}

#: Colour of a point by its verdict.
VERDICT_COLOURS: dict[str, str] = {
    "common_cause": GREY,
    "improvement": BLUE,
    "concern": ORANGE,
    "special_cause": PURPLE,
}

#: Marker shape by verdict: each verdict has its own shape so colour is never the only cue.
VERDICT_MARKERS: dict[str, str] = {
    "common_cause": "o",  # circle
    "improvement": "s",  # square
    "concern": "^",  # triangle
    "special_cause": "D",  # diamond
}

#: Legend wording by verdict (plain English, sentence case).
VERDICT_LABELS: dict[str, str] = {
    "common_cause": "Common cause",
    "improvement": "Special cause: improvement",
    "concern": "Special cause: concern",
    "special_cause": "Special cause",
}


def point_style(verdict: str) -> dict[str, Any]:
    """Keyword arguments for ``Axes.scatter``/``plot`` that draw a point of this verdict.

    Markers get a dark edge so light colours (grey, blue) stay visible on white paper and
    in greyscale.
    """
    return {
        "color": VERDICT_COLOURS[verdict],
        "marker": VERDICT_MARKERS[verdict],
        "edgecolors": LIMIT_COLOUR,
        "linewidths": 0.6,
        "zorder": 3,
    }


def limit_line_kw() -> dict[str, Any]:
    """Process (control) limits: dashed, dark grey."""
    return {"color": LIMIT_COLOUR, "linestyle": (0, (5, 3)), "linewidth": 1.3, "zorder": 2}


def two_sigma_line_kw() -> dict[str, Any]:
    """Inner (two-sigma or 95%) lines: fine dash-dot, lighter than the limits."""
    return {"color": "#7F7F7F", "linestyle": (0, (3, 2, 1, 2)), "linewidth": 0.8, "zorder": 1}


def centre_line_kw() -> dict[str, Any]:
    """Centre line (mean or median): solid."""
    return {"color": CENTRE_COLOUR, "linestyle": "-", "linewidth": 1.3, "zorder": 2}


def target_line_kw() -> dict[str, Any]:
    """Target: dotted, thicker, dark red-brown."""
    return {"color": TARGET_COLOUR, "linestyle": (0, (1, 1.5)), "linewidth": 1.8, "zorder": 2}


def rc_params() -> dict[str, Any]:
    """Matplotlib settings for readable, uncluttered figures."""
    return {
        "font.size": FONT_SIZE,
        "axes.titlesize": FONT_SIZE + 2,
        "axes.labelsize": FONT_SIZE,
        "xtick.labelsize": FONT_SIZE - 1,
        "ytick.labelsize": FONT_SIZE - 1,
        "legend.fontsize": FONT_SIZE - 1,
        "axes.edgecolor": LIMIT_COLOUR,
        "axes.labelcolor": TEXT_COLOUR,
        "text.color": TEXT_COLOUR,
        "xtick.color": LIMIT_COLOUR,
        "ytick.color": LIMIT_COLOUR,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.dpi": 150,
    }


@contextmanager
def style_context() -> Iterator[None]:
    """Temporarily apply :func:`rc_params` (``with style_context(): ...``)."""
    # rc_context restores every setting on exit, including interactive mode. When the
    # first chart of a notebook session is drawn inside it, the inline backend switches
    # interactive mode on inside the context; restoring it would silently stop every
    # later figure from showing. So keep whatever interactive state the context ended in.
    interactive = mpl.is_interactive()
    try:
        with mpl.rc_context(rc_params()):
            try:
                yield
            finally:
                interactive = mpl.is_interactive()
    finally:
        mpl.interactive(interactive)


def apply_style(ax: Axes, *, title: str | None = None, xlabel: str | None = None,
                ylabel: str | None = None, legend: bool = False) -> Axes:
    """Style an existing Axes: readable type, light horizontal grid, no top/right spines.

    Optionally set the title and axis labels, and draw a legend outside the data area
    (below the plot) so it never hides a point.
    """
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(LIMIT_COLOUR)
    ax.tick_params(colors=LIMIT_COLOUR, labelsize=FONT_SIZE - 1)
    ax.yaxis.grid(True, color="#E6E6E6", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    if title is not None:
        # An explicit y stops matplotlib moving the title above inset icons.
        ax.set_title(title, fontsize=FONT_SIZE + 2, color=TEXT_COLOUR, loc="left", y=1.0,
                     pad=8)
    if xlabel is not None:
        ax.set_xlabel(xlabel, fontsize=FONT_SIZE, color=TEXT_COLOUR)
    if ylabel is not None:
        ax.set_ylabel(ylabel, fontsize=FONT_SIZE, color=TEXT_COLOUR)
    if legend:
        handles, labels = ax.get_legend_handles_labels()
        if handles:
            ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.16),
                      ncol=min(4, len(handles)), frameon=False, fontsize=FONT_SIZE - 1)
    return ax


def new_axes(figsize: tuple[float, float] = (9.0, 4.8), *,
             ax: Axes | None = None) -> tuple[Figure, Axes]:
    """A new figure and Axes in the house style, or ``ax`` and its figure if one is given.

    Every ``plot(ax=None)`` in the package starts with this, so a chart can be drawn on its
    own or into a caller's Axes (to compose several charts in one figure).
    """
    if ax is not None:
        return ax.figure, ax
    with style_context():
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    apply_style(ax)
    return fig, ax
