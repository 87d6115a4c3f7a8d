"""The result every chart returns: a tidy table, a summary, a plot and a description.

``.table``
    One row per input row, **in input order**: any ``by`` columns, ``date``, ``value``
    (and ``numerator``/``denominator`` for attribute charts), ``centre``, ``lower``,
    ``upper`` (and ``lower_2sigma``/``upper_2sigma`` and ``moving_range`` for XmR),
    ``phase`` (1, 2, ... within each series), ``excluded``, ``provisional``, one
    true/false column per rule of the profile, ``signal_high``/``signal_low`` (which side
    a signal is on), ``verdict`` (``common_cause``, ``improvement``, ``concern`` or, when
    neither direction is better, ``special_cause``) and ``colour`` (the MDC colour:
    grey, blue, orange or purple). Built when first used.

``.summary``
    For one series a dict; with ``by=`` a DataFrame with one row per series. Keys: ``n``
    (non-missing points), ``phases``, ``centre``/``lower``/``upper`` in force at the
    last point, ``provisional``, ``variation_icon``, ``assurance_icon`` (``None`` when
    not given, e.g. a provisional MDC chart), ``signals`` (points with a special-cause
    verdict); for Anhøj ``n_useful``, ``longest_run``, ``longest_run_max``,
    ``n_crossings``, ``n_crossings_min``; for IHI ``n_useful``, ``n_runs``,
    ``runs_min``, ``runs_max`` -- all for the last phase.

Provisional charts
    Fewer non-missing points than the profile's ``min_points``: trial limits and rules
    are still computed and shown in the table (``provisional=True``). Under the MDC
    profile, which shows no limits or colours below 13 points, ``colour`` is grey and
    the icons are ``None``; the plot draws the trial limits faintly, labelled "trial".
"""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from safercare.spc.chart_data import ChartData
from safercare.spc.describe import describe_result
from safercare.spc.plot import plot_result

__all__ = ["SPCResult"]


class SPCResult(ChartData):
    """What a chart function returns (see the module docstring)."""

    def plot(self, ax: Axes | None = None, *, group: Any = None, title: str | None = None,
             icons: bool = True) -> Figure:
        """Draw the chart in the Making Data Count style; returns the Figure.

        With ``by=`` and more than one series, say which with ``group=``.
        """
        return plot_result(self, ax=ax, group=group, title=title, icons=icons)

    def describe(self, group: Any = None) -> str:
        """A plain-English description of the chart, suitable as alt text."""
        return describe_result(self, group=group)

    def __repr__(self) -> str:
        n = self.prep.n
        groups = self.prep.n_groups
        where = f", {groups} series" if self.prep.group_labels is not None else ""
        return (f"<SPCResult {self.title}: {n} points{where}, rules={self.profile.name!r}, "
                f"direction={self.direction!r}>")
