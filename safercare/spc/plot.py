"""Draw an SPC result in the Making Data Count style (matplotlib only).

* Points coloured grey / blue / orange / purple by verdict **and** each verdict with its
  own marker shape (:mod:`safercare.style`), joined by a thin grey line; missing values
  leave a gap; excluded points are hollow.
* Centre line solid, process limits dashed, two-sigma lines faint dash-dot, target
  dotted; each phase has its own lines with a vertical break between phases.
* Provisional charts (too few points for the profile) draw their trial limits faintly
  and say so in the legend.
* The MDC variation and assurance icons are drawn above the top-right corner with
  patches and text (:mod:`safercare.spc.icons`), readable in greyscale.

The figure carries the chart's plain-English description (``result.describe()``) as
``fig.alt_text``, so a notebook or the book can use it as alt text.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from safercare import style
from safercare.spc.chart_data import ChartData
from safercare.spc.describe import is_percentage
from safercare.spc.engine import VERDICTS
from safercare.spc.icons import draw_assurance_icon, draw_variation_icon

__all__ = ["plot_result"]

#: Most series drawn as small multiples when ``group=`` is not given.
MAX_PANELS = 12


def plot_result(result: ChartData, ax: Axes | None = None, *, group: Any = None,
                title: str | None = None, icons: bool = True) -> Figure:
    """Draw ``result`` (one series, or small multiples of up to 12) and return the Figure."""
    labels = result.groups()
    if group is None and len(labels) > 1:
        if ax is not None:
            result.group_code(None)  # one axes cannot hold several series: say so
        return _small_multiples(result, labels, title=title, icons=icons)
    code = result.group_code(group)
    fig, ax = style.new_axes(ax=ax)
    with style.style_context():
        _draw(result, ax, code, title=title, icons=icons)
    fig.alt_text = result.describe(group=group)  # type: ignore[attr-defined]
    return fig  # type: ignore[return-value]


def _small_multiples(result: ChartData, labels: list[Any], *, title: str | None,
                     icons: bool) -> Figure:
    import matplotlib.pyplot as plt

    if len(labels) > MAX_PANELS:
        raise ValueError(f"{len(labels)} series are too many to draw at once: pick one "
                         "with group=, or chart fewer")
    cols = min(3, len(labels))
    rows = -(-len(labels) // cols)
    with style.style_context():
        fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.6 * rows),
                                 layout="constrained", squeeze=False)
        for ax, label in zip(axes.ravel(), labels, strict=False):
            style.apply_style(ax)
            _draw(result, ax, labels.index(label), title=str(label), icons=icons,
                  legend=False)
        for ax in axes.ravel()[len(labels):]:
            ax.set_visible(False)
        if title:
            fig.suptitle(title)
    fig.alt_text = " ".join(  # type: ignore[attr-defined]
        f"{label}: {result.describe(group=label)}" for label in labels)
    return fig


def _draw(result: ChartData, ax: Axes, code: int, *, title: str | None, icons: bool,
          legend: bool = True) -> None:
    prep, ev = result.prep, result.ev
    lo_i, hi_i = np.searchsorted(prep.group, [code, code + 1])
    sl = slice(int(lo_i), int(hi_i))
    x = prep.date[sl] if prep.date is not None else np.arange(1, hi_i - lo_i + 1)
    y = result.y[sl]
    phase = prep.phase[sl]
    provisional = bool(ev.provisional_group[code])

    ax.plot(x, y, color="#7F7F7F", linewidth=1.0, zorder=2, label="_data")
    colour = ev.colour[sl]
    excluded = prep.excluded[sl]
    for v, name in enumerate(VERDICTS):
        keep = (colour == v) & ~np.isnan(y)
        if not keep.any():
            continue
        kw = style.point_style(name)
        solid = keep & ~excluded
        if solid.any():
            ax.scatter(x[solid], y[solid], s=42, label=style.VERDICT_LABELS[name],
                       gid=f"points-{name}", **kw)
        hollow = keep & excluded
        if hollow.any():
            kw = dict(kw)
            kw["edgecolors"] = kw.pop("color")
            ax.scatter(x[hollow], y[hollow], s=42, facecolors="none", linewidths=1.4,
                       marker=kw["marker"], zorder=3, edgecolors=kw["edgecolors"],
                       label="Excluded from the limits", gid=f"excluded-{name}")

    faint = 0.45 if provisional else 1.0
    trial = " (trial)" if provisional else ""
    names = {"centre": f"{result.centre_name.capitalize()}{trial}",
             "limits": f"Process limits{trial}", "two": "Two-sigma lines"}
    labelled: set[str] = set()
    runs_signal = np.zeros(prep.n, dtype=bool)
    for rule in ("few_crossings", "too_few_runs", "too_many_runs"):
        if rule in ev.flags:
            runs_signal |= ev.flags[rule]
    breaks = np.flatnonzero(np.diff(phase) != 0) + 1
    bounds = np.r_[0, breaks, len(phase)]
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        xs = x[a:b]
        for key, kwf, lab in (("centre", style.centre_line_kw, "centre"),
                              ("upper", style.limit_line_kw, "limits"),
                              ("lower", style.limit_line_kw, "limits"),
                              ("upper_2sigma", style.two_sigma_line_kw, "two"),
                              ("lower_2sigma", style.two_sigma_line_kw, "two")):
            line = result.lines.get(key)
            if line is None or np.all(np.isnan(line[sl][a:b])):
                continue
            kw = kwf()
            kw["alpha"] = faint
            label = names[lab] if lab not in labelled else "_nolegend_"
            if key == "centre" and runs_signal[sl][a:b].any():
                # A whole-phase runs signal (too few crossings / runs): dashed purple
                # centre line, as qicharts2 marks it with a dashed line.
                kw.update(color=style.PURPLE, linestyle=(0, (6, 2)), linewidth=1.8)
                label = f"{result.centre_name.capitalize()}: runs signal"
            ax.plot(xs, line[sl][a:b], drawstyle="steps-mid", gid=f"line-{key}",
                    label=label, **kw)
            if not label.endswith("runs signal"):
                labelled.add(lab)
    for b in breaks:
        xb = x[b - 1] + (x[b] - x[b - 1]) / 2
        ax.axvline(xb, color=style.LIMIT_COLOUR, linewidth=0.8, linestyle=":", zorder=1,
                   gid="phase-break")
    if result.target is not None:
        ax.axhline(result.target, label="Target", gid="target", **style.target_line_kw())

    label = result.value_name if result.value_name not in ("value", None) else "Value"
    style.apply_style(ax, title=title if title is not None else result.title,
                      xlabel=None if prep.date is not None else "Point",
                      ylabel=str(label), legend=legend)
    if is_percentage(result):
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    if prep.date is not None and np.issubdtype(np.asarray(x).dtype, np.datetime64):
        ax.tick_params(axis="x", labelrotation=30)
    if icons:
        summary = result.summary_frame.iloc[code]
        draw_variation_icon(ax, summary["variation_icon"])
        draw_assurance_icon(ax, summary["assurance_icon"])
