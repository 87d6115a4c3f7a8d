"""The numbers of a computed chart (the table, summary and groups of every SPC result).

See :mod:`safercare.spc.result` for what the table and summary hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from safercare.spc.engine import COLOURS, VERDICTS, Evaluation
from safercare.spc.icons import assurance_icons, variation_icons
from safercare.spc.inputs import Prepared
from safercare.spc.profiles import Profile

__all__ = ["ChartData"]


@dataclass(eq=False)
class ChartData:
    """The numbers of a computed chart: what drawing and describing read.

    :class:`~safercare.spc.result.SPCResult` adds ``plot()`` and ``describe()``; this base
    class lets :mod:`~safercare.spc.plot` and :mod:`~safercare.spc.describe` name the type
    they draw and describe without importing the result (so there is no import circle).
    """

    chart: str
    title: str
    prep: Prepared
    ev: Evaluation
    y: np.ndarray
    lines: dict[str, np.ndarray]
    profile: Profile
    direction: str
    target: float | None
    value_name: str
    centre_name: str = "mean"
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    # ----------------------------------------------------------------- table
    @cached_property
    def _inverse(self) -> np.ndarray | None:
        if self.prep.extra.get("identity"):
            return None
        inv = np.empty(self.prep.n, dtype=np.int64)
        inv[self.prep.order] = np.arange(self.prep.n)
        return inv

    def _back(self, a: Any) -> Any:
        inv = self._inverse
        return a if inv is None else a[inv]

    @cached_property
    def table(self) -> pd.DataFrame:
        """One row per input row, in input order (see the module docstring)."""
        prep, ev = self.prep, self.ev
        cols: dict[str, Any] = {}
        if prep.group_labels is not None:
            for name in prep.by_names:
                cols[name] = prep.group_labels[name].to_numpy()[prep.group]
        if prep.date is not None:
            cols["date"] = prep.date
        cols["value"] = self.y
        counts = ("numerator", "denominator")
        cols.update({k: v for k, v in self.extra.items() if k in counts})
        cols.update(self.lines)
        cols.update({k: v for k, v in self.extra.items() if k not in counts})
        cols["phase"] = prep.phase
        cols["excluded"] = prep.excluded
        cols["provisional"] = ev.provisional_group[prep.group]
        cols.update(ev.flags)
        cols["signal_high"] = ev.high
        cols["signal_low"] = ev.low
        out = {k: self._back(np.asarray(v)) for k, v in cols.items()}
        out["verdict"] = pd.Categorical.from_codes(self._back(ev.verdict), VERDICTS)
        out["colour"] = pd.Categorical.from_codes(self._back(ev.colour), COLOURS)
        return pd.DataFrame(out, copy=False)

    # --------------------------------------------------------------- summary
    @cached_property
    def _last(self) -> np.ndarray:
        """Sorted position of the last non-missing point of each group (−1 if none)."""
        prep = self.prep
        idx = np.flatnonzero(~prep.missing)
        last = np.full(prep.n_groups, -1, dtype=np.int64)
        if len(idx):
            g = prep.group[idx]
            end = np.ones(len(idx), dtype=bool)
            end[:-1] = g[1:] != g[:-1]
            last[g[end]] = idx[end]
        return last

    @cached_property
    def summary_frame(self) -> pd.DataFrame:
        """The summary as a DataFrame with one row per series (also for one series)."""
        prep, ev = self.prep, self.ev
        last = self._last
        has = last >= 0
        li = np.where(has, last, 0)

        def at(a: np.ndarray, fill: Any = np.nan) -> np.ndarray:
            out = a[li] if len(a) else np.full(len(li), fill)
            return np.where(has, out, fill)

        rows: dict[str, Any] = {}
        if prep.group_labels is not None:
            for name in prep.by_names:
                rows[name] = prep.group_labels[name].to_numpy()
        rows["n"] = ev.n_points_group
        rows["phases"] = at(prep.phase, 0).astype(int)
        for key in ("centre", "lower", "upper"):
            if key in self.lines and (key == "centre" or self.chart != "run"):
                rows[key] = at(self.lines[key])
        provisional = ev.provisional_group
        rows["provisional"] = provisional
        colour = np.where(has, ev.colour[li], -1)
        show = has & ~(provisional & (not self.profile.colour_provisional))
        icon_high = ev.high if ev.icon_high is None else ev.icon_high
        var = variation_icons(np.where(show, colour, -1), icon_high[li] & has,
                              ev.low[li] & has, self.direction)
        rows["variation_icon"] = var
        if "lower" in self.lines:
            ass = assurance_icons(self.target, at(self.lines["lower"]),
                                  at(self.lines["upper"]), self.direction,
                                  on_limit=self.profile.target_on_limit)
            ass[~show] = None
        else:
            ass = np.full(prep.n_groups, None, dtype=object)
        rows["assurance_icon"] = ass
        rows["signals"] = np.bincount(prep.group[ev.verdict > 0], minlength=prep.n_groups)
        if ev.runs:
            rgl = ev.rg[li]
            keys = [k for k in ("n_useful", "longest_run", "longest_run_max", "n_crossings",
                                "n_crossings_min", "n_runs", "runs_min", "runs_max")
                    if k in ev.runs]
            for k in keys:
                v = np.where(has, ev.runs[k][rgl], np.nan).astype(float)
                rows[k] = pd.array(np.where(np.isnan(v), 0, v).astype(np.int64), dtype="Int64")
                rows[k][np.isnan(v)] = pd.NA
        return pd.DataFrame(rows)

    @property
    def summary(self) -> dict[str, Any] | pd.DataFrame:
        """A dict for one series; a DataFrame (one row per series) with ``by=``."""
        frame = self.summary_frame
        if self.prep.group_labels is not None:
            return frame
        if frame.empty:
            return {}
        return {k: _plain(v) for k, v in frame.iloc[0].to_dict().items()}

    # ------------------------------------------------------- plot / describe
    def groups(self) -> list[Any]:
        """The series labels (a tuple per series when several ``by`` columns)."""
        labels = self.prep.group_labels
        if labels is None:
            return [None]
        if labels.shape[1] == 1:
            return labels.iloc[:, 0].tolist()
        return list(labels.itertuples(index=False, name=None))

    def group_code(self, group: Any = None) -> int:
        """The internal code of a series label (the only series when there is no ``by``)."""
        labels = self.groups()
        if group is None:
            if len(labels) != 1:
                raise ValueError(f"this result holds {len(labels)} series: say which one "
                                 f"with group=, e.g. group={labels[0]!r}")
            return 0
        try:
            return labels.index(group)
        except ValueError:
            shown = ", ".join(repr(label) for label in labels[:10])
            more = " …" if len(labels) > 10 else ""
            raise ValueError(f"no series called {group!r}; use one of: {shown}{more}"
                             ) from None

def _plain(value: Any) -> Any:
    """numpy scalars to plain Python for a friendly dict."""
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NA:
        return None
    return value
