"""Draw a PDSA log: its ramps (cycles by scale over time), and its cycles on an SPC chart.

Both functions take a validated :class:`~safercare.pdsa.log.PDSALog`, return a
matplotlib Figure and set ``fig.alt_text`` from the log (and, for :func:`annotate`, from
the chart's own description), so a sentence about the picture cannot disagree with it.
Each decision has its own **shape as well as colour** (adopt: blue square; adapt: dark
grey diamond; abandon: orange cross; not decided yet: hollow circle) and every cycle is
labelled with its name, so the figures read in greyscale and without colour vision.

Example::

    import safercare.spc as spc
    from safercare.data import load
    from safercare.pdsa import PDSALog, annotate, plot_ramp

    log = PDSALog.from_frame(load("discharge_pdsa_log"))
    fig = plot_ramp(log)
    print(fig.alt_text)      # "Ramp chart of 8 PDSA cycles in 3 ramps, ..."

    days = load("discharge_before_noon")
    chart = spc.p_chart(days, "discharges_before_noon", "discharges", "date",
                        baseline=62, direction="higher")   # any safercare.spc chart
    fig = annotate(chart, log)          # or annotate(chart.plot(ax=ax), log)
    fig.pdsa_marked                     # ["C1", ..., "C7"]: C8 is not run yet
"""

from __future__ import annotations

from datetime import date
from typing import Any

import matplotlib.dates as mdates
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from safercare import style
from safercare.pdsa.log import SCALE_UNITS, Cycle, PDSALog, parse_scale

__all__ = ["DECISION_STYLE", "annotate", "plot_ramp", "ramp_alt_text", "scale_order"]

#: Colour, marker, line style and legend label for each decision ("" = not decided).
DECISION_STYLE: dict[str, dict[str, Any]] = {
    "adopt": {"color": style.BLUE, "marker": "s", "linestyle": "-", "label": "Adopt"},
    "adapt": {"color": "#595959", "marker": "D", "linestyle": (0, (5, 2)),
              "label": "Adapt"},
    "abandon": {"color": style.ORANGE, "marker": "X", "linestyle": (0, (1, 1.5)),
                "label": "Abandon"},
    "": {"color": "white", "marker": "o", "linestyle": (0, (3, 2, 1, 2)),
         "label": "Not decided yet"},
}
#: Most cycles labelled by name on a ramp chart (more would be unreadable).
MAX_LABELS = 60
#: Most cycles listed one by one in alt text.
MAX_LISTED = 40


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def scale_order(scales: list[str]) -> list[str]:
    """The distinct scales, smallest first: by unit (:data:`SCALE_UNITS`), then number."""
    rank = {u: i for i, u in enumerate(SCALE_UNITS)}

    def key(text: str) -> tuple[int, int]:
        count, unit = parse_scale(text)
        return rank[unit], count

    seen: dict[tuple[int, int], str] = {}
    for text in sorted(scales, key=key):
        seen.setdefault(key(text), text)
    return list(seen.values())


def _when(c: Cycle) -> date:
    return c.do_date if c.do_date is not None else c.plan_date


def _cycle_words(c: Cycle) -> str:
    decision = c.decision or ("not decided yet" if c.do_date else "not tested yet")
    return f"{c.cycle_id} ({c.scale}, {_day(_when(c))}, {decision})"


def ramp_alt_text(log: PDSALog) -> str:
    """The ramp chart in words: its span, each ramp in order, missed predictions."""
    if not len(log):
        return "Ramp chart with no PDSA cycles."
    order = scale_order([c.scale for c in log])
    days = [_when(c) for c in log]
    ramps = log.ramps()
    head = (f"Ramp chart of {len(log)} PDSA cycle{'s' * (len(log) != 1)} in "
            f"{len(ramps)} ramp{'s' * (len(ramps) != 1)}, from {_day(min(days))} to "
            f"{_day(max(days))}; scale from {order[0]} to {order[-1]}.")
    parts = [head]
    listed = 0
    for i, ramp in enumerate(ramps, 1):
        if listed >= MAX_LISTED:
            parts.append(f"And {len(ramps) - i + 1} more ramps.")
            break
        words = " → ".join(_cycle_words(log[cid]) for cid in ramp[:MAX_LISTED])
        more = f" and {len(ramp) - MAX_LISTED} more" if len(ramp) > MAX_LISTED else ""
        parts.append(f"Ramp {i}: {words}{more}.")
        listed += len(ramp)
    missed = log.missed_predictions()
    if missed:
        parts.append(f"No prediction was written for {_join(missed)}.")
    return " ".join(parts)


def _join(names: list[str]) -> str:
    names = names[:MAX_LISTED] + ([f"{len(names) - MAX_LISTED} more"]
                                  if len(names) > MAX_LISTED else [])
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def plot_ramp(log: PDSALog, ax: Axes | None = None, *, title: str | None = None) -> Figure:
    """Cycles by scale (up) over time (across), each linked to the cycle it builds on.

    A cycle sits at its do date (its plan date, hollow, if not run yet); its height is
    its scale, smallest at the bottom (:func:`scale_order`). Returns the Figure with
    ``fig.alt_text`` from :func:`ramp_alt_text`.
    """
    fig, ax = style.new_axes(figsize=(9.0, 4.8), ax=ax)
    cycles = list(log)
    order = scale_order([c.scale for c in cycles]) if cycles else []
    level = {}
    for i, text in enumerate(order):
        level[parse_scale(text)] = i
    x = np.array([mdates.date2num(_when(c)) for c in cycles], dtype=float)
    y = np.array([level[parse_scale(c.scale)] for c in cycles], dtype=float)
    index = {c.cycle_id: i for i, c in enumerate(cycles)}
    with style.style_context():
        links = [((x[index[c.builds_on]], y[index[c.builds_on]]), (x[i], y[i]))
                 for i, c in enumerate(cycles) if c.builds_on]
        if links:
            ax.add_collection(LineCollection(links, colors=style.LIMIT_COLOUR,
                                             linewidths=1.0, zorder=2, gid="pdsa-links"))
        decisions = np.array([c.decision for c in cycles], dtype=object)
        run = np.array([c.do_date is not None for c in cycles], dtype=bool)
        for decision, spec in DECISION_STYLE.items():
            keep = (decisions == decision) & run
            if keep.any():
                ax.scatter(x[keep], y[keep], s=70, marker=spec["marker"],
                           color=spec["color"], edgecolors=style.LIMIT_COLOUR,
                           linewidths=0.8, zorder=3, label=spec["label"],
                           gid=f"pdsa-{decision or 'undecided'}")
        if (~run).any():
            ax.scatter(x[~run], y[~run], s=70, marker="o", facecolors="none",
                       edgecolors=style.LIMIT_COLOUR, linestyle=(0, (2, 1)),
                       linewidths=0.8, zorder=3, label="Planned, not run yet",
                       gid="pdsa-planned")
        if len(cycles) <= MAX_LABELS:
            for i, c in enumerate(cycles):
                text = c.cycle_id + ("" if c.has_prediction else " (no prediction)")
                ax.annotate(text, (x[i], y[i]), xytext=(6, 6), textcoords="offset points",
                            fontsize=style.FONT_SIZE - 2, color=style.TEXT_COLOUR,
                            gid=f"pdsa-label-{c.cycle_id}")
        ax.set_yticks(range(len(order)), order)
        if len(order):
            ax.set_ylim(-0.6, len(order) - 0.4)
        if len(x):
            pad = max(3.0, 0.05 * (x.max() - x.min()))
            ax.set_xlim(x.min() - pad, x.max() + pad)
        ax.xaxis_date()
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
        style.apply_style(ax, title=title or "PDSA ramps: cycles by scale over time",
                          ylabel="Scale of the test", legend=True)
    fig.alt_text = ramp_alt_text(log)  # type: ignore[attr-defined]
    return fig  # type: ignore[return-value]


def _target_axes(target: Any, group: Any = None) -> tuple[Figure, Axes]:
    """The single Axes to mark: from an SPC result (plotted now), a Figure or an Axes."""
    if isinstance(target, Axes):
        return target.figure, target  # type: ignore[return-value]
    if isinstance(target, Figure):
        axes = [a for a in target.axes if a.get_visible() and a.get_label() != "<colorbar>"
                and a.get_navigate()]
        if len(axes) != 1:
            raise ValueError(f"this figure has {len(axes)} charts: pass the one to mark "
                             "(its Axes) instead")
        return target, axes[0]
    if hasattr(target, "plot") and hasattr(target, "table"):
        if group is None and len(target.groups()) > 1:
            raise ValueError(f"this result has {len(target.groups())} series: say which to "
                             "mark with group=")
        return _target_axes(target.plot(group=group))
    raise TypeError("annotate needs a safercare.spc result, a Figure or an Axes")


def _is_date_axis(ax: Axes) -> bool:
    getter = getattr(ax.xaxis, "get_converter", None)
    converter = getter() if getter else ax.xaxis.converter
    return isinstance(converter, mdates.DateConverter | mdates.ConciseDateConverter) or (
        converter is not None and "date" in type(converter).__name__.lower())


def annotate(target: Any, log: PDSALog, *, group: Any = None, label: bool = True) -> Figure:
    """Mark each tested cycle of ``log`` on a chart with dates, at its do date.

    ``target`` is a :mod:`safercare.spc` result (plotted here), its Figure, or the Axes
    it was drawn on (``result.plot(ax=ax)``); the SPC engine is not changed. For a result
    of several series (``by=``), ``group=`` names the one to draw and mark. Each cycle
    gets a vertical line in its decision's colour and line style, a marker of its
    decision's shape at the top, and (``label=True``) its name and decision, in date
    order (labels of cycles close together step down so they do not overlap). Cycles not
    run yet, or dated outside the chart, are not drawn; the alt text says so. The
    chart's alt text (``fig.alt_text``) is kept and the cycles are added to it.
    """
    fig, ax = _target_axes(target, group)
    if not _is_date_axis(ax):
        raise ValueError("this chart has no dates along the bottom, so the cycles cannot "
                         "be placed: chart your data with date= set")
    lo, hi = ax.get_xlim()
    top = blended_transform_factory(ax.transData, ax.transAxes)
    marked: list[str] = []
    outside: list[str] = []
    last_x, level = -np.inf, 0
    untested = [c.cycle_id for c in log if c.do_date is None]
    for c in sorted((c for c in log if c.do_date is not None), key=lambda c: c.do_date):
        x = mdates.date2num(c.do_date)
        if not lo <= x <= hi:
            outside.append(c.cycle_id)
            continue
        # Labels of cycles close in time step down (three levels) so they never overlap.
        level = (level + 1) % 3 if x - last_x < 0.025 * (hi - lo) else 0
        last_x = x
        spec = DECISION_STYLE[c.decision]
        colour = spec["color"] if c.decision else style.LIMIT_COLOUR
        ax.axvline(x, color=colour, linestyle=spec["linestyle"], linewidth=1.4, zorder=1.5,
                   gid=f"pdsa-cycle-{c.cycle_id}")
        ax.plot([x], [1.0], transform=top, marker=spec["marker"], markersize=8,
                color=spec["color"], markeredgecolor=style.LIMIT_COLOUR, clip_on=False,
                zorder=4, linestyle="none", gid=f"pdsa-marker-{c.cycle_id}")
        if label:
            words = f"{c.cycle_id} {c.decision or 'tested'}"
            ax.text(x, 0.97 - 0.3 * level, words, transform=top, rotation=90, ha="right", va="top",
                    fontsize=style.FONT_SIZE - 2, color=style.TEXT_COLOUR, zorder=4,
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8,
                          "pad": 1.0}, gid=f"pdsa-label-{c.cycle_id}")
        marked.append(f"{c.cycle_id} ({c.decision or 'not decided yet'}, {c.scale}) on "
                      f"{_day(c.do_date)}")
    words = []
    if marked:
        words.append(f"{len(marked)} PDSA cycle{'s' * (len(marked) != 1)} marked at the "
                     f"date each was tested: {'; '.join(marked[:MAX_LISTED])}"
                     + (f"; and {len(marked) - MAX_LISTED} more" if len(marked) > MAX_LISTED
                        else "") + ".")
    else:
        words.append("No PDSA cycle falls within this chart's dates.")
    if outside:
        words.append(f"Outside this chart's dates: {_join(outside)}.")
    if untested:
        words.append(f"Not tested yet: {_join(untested)}.")
    before = getattr(fig, "alt_text", "")
    fig.alt_text = (before + " " if before else "") + " ".join(words)  # type: ignore[attr-defined]
    fig.pdsa_marked = [m.split(" ", 1)[0] for m in marked]  # type: ignore[attr-defined]
    return fig
