"""A red/amber/green (RAG) board report with month-on-month arrows, for comparison with SPC.

Why: many boards still see each measure as this month's number, a colour against a
target and an arrow against last month. Making Data Count argues that this format
invites a reaction to every change, good or bad, when most changes are common-cause
variation, and recommends SPC charts with variation and assurance icons instead (NHS
England and NHS Improvement, *Making Data Count*, 2019; Mohammed et al. 2001). Lesson 3
shows the same data both ways; this module produces the RAG view so that the lesson
computes it rather than types it in.

The RAG rule here is a common local convention, not a published method: **green** when
the month meets its target, **amber** when it misses by no more than ``amber`` (a
fraction of the target, 5% by default), **red** otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from safercare.checks import check_columns
from safercare.errors import DataError, Problem

__all__ = ["BOARD_MEASURES", "board_charts", "board_data", "board_rag", "board_report",
           "board_summary", "describe_board", "latest_verdicts", "plot_board", "rag_status",
           "rag_table"]

_ARROWS = {"up": "▲ up", "down": "▼ down", "same": "▶ same"}


def rag_status(values: np.ndarray | pd.Series, target: float | np.ndarray | pd.Series,
               direction: str = "lower", amber: float = 0.05) -> np.ndarray:
    """``"green"``, ``"amber"`` or ``"red"`` for each value against its target.

    ``direction`` says which way is better: ``"lower"`` (e.g. falls) or ``"higher"``
    (e.g. harm-free care). Missing values get ``"no data"``.
    """
    if direction not in ("lower", "higher"):
        raise DataError(Problem(None, "direction", "a RAG rating needs a better direction",
                                "use 'lower' or 'higher'", value=str(direction)))
    v = np.asarray(values, dtype=float)
    t = np.broadcast_to(np.asarray(target, dtype=float), v.shape)
    gap = (v - t) if direction == "lower" else (t - v)  # > 0 means the target was missed
    status = np.where(gap <= 0, "green", np.where(gap <= amber * np.abs(t), "amber", "red"))
    return np.where(np.isnan(v), "no data", status).astype(object)


def rag_table(data: pd.DataFrame, *, value: str, date: str, target: float | str,
              direction: str = "lower", amber: float = 0.05, by: str | None = None
              ) -> pd.DataFrame:
    """Every period rated red/amber/green, with the change since the previous period.

    Args:
        data: one row per period (and per measure if ``by`` is given).
        value, date: column names.
        target: a number, or the name of a column holding each row's target.
        direction: ``"lower"`` or ``"higher"`` is better.
        amber: how far (as a fraction of the target) a miss can be and still be amber.
        by: optional column naming the measure, for several measures in one table.

    Returns:
        Columns ``[by,] date, value, target, rag, previous, change, arrow, looks``
        where ``looks`` is how a month-on-month report reads it (``"better"``,
        ``"worse"`` or ``"no change"``).
    """
    missing = check_columns(data, [value, date, by, target if isinstance(target, str) else None])
    if missing:
        raise DataError(missing)
    keys = [by] if by else []
    out = data.sort_values(keys + [date]).reset_index(drop=True)
    t = out[target] if isinstance(target, str) else target
    out = pd.DataFrame({
        **({by: out[by]} if by else {}),
        "date": out[date],
        "value": out[value].astype(float),
        "target": np.broadcast_to(np.asarray(t, dtype=float), len(out)),
    })
    out["rag"] = rag_status(out["value"], out["target"], direction, amber)
    out["previous"] = out.groupby(by)["value"].shift() if by else out["value"].shift()
    out["change"] = out["value"] - out["previous"]
    arrow = np.where(out["change"] > 0, _ARROWS["up"],
                     np.where(out["change"] < 0, _ARROWS["down"], _ARROWS["same"]))
    better = out["change"] < 0 if direction == "lower" else out["change"] > 0
    worse = out["change"] > 0 if direction == "lower" else out["change"] < 0
    out["arrow"] = np.where(out["previous"].isna(), "", arrow)
    out["looks"] = np.where(out["previous"].isna(), "",
                            np.where(better, "better", np.where(worse, "worse", "no change")))
    return out


def board_report(data: pd.DataFrame, *, value: str, date: str, target: float | str,
                 direction: str | dict[str, str] = "lower", amber: float = 0.05,
                 by: str | None = None, period: object | None = None) -> pd.DataFrame:
    """The board's view: one row per measure for one period (default: the latest).

    ``direction`` may be a dict from measure name to ``"lower"``/``"higher"`` when ``by``
    names several measures with different better directions.
    """
    if isinstance(direction, dict):
        if by is None:
            raise DataError(Problem(None, "direction", "a direction per measure needs 'by'",
                                    "name the column that holds the measure"))
        parts = [rag_table(g, value=value, date=date, target=target, direction=direction[k],
                           amber=amber, by=by) for k, g in data.groupby(by, sort=False)]
        table = pd.concat(parts, ignore_index=True)
    else:
        table = rag_table(data, value=value, date=date, target=target, direction=direction,
                          amber=amber, by=by)
    when = table["date"].max() if period is None else pd.Timestamp(period)
    return table.loc[table["date"] == when].reset_index(drop=True)


#: The measures on the lesson's board report: where each comes from, which way is better
#: for a RAG rating, which way SPC should treat as better, and the trust's own target.
#: Medication incidents *reported* have no better direction on an SPC chart: more reports
#: can mean a safer reporting culture, not more harm (a RAG rating has to pick one).
BOARD_MEASURES: dict[str, dict[str, object]] = {
    "Falls per 1,000 bed days": {
        "dataset": "falls", "date": "month", "numerator": "falls",
        "denominator": "occupied_bed_days", "multiplier": 1000, "chart": "u",
        "rag_direction": "lower", "spc_direction": "lower", "target": 6.6},
    "Harm-free care (%)": {
        "dataset": "harm_free_care", "date": "survey_date", "numerator": "patients_harm_free",
        "denominator": "patients_surveyed", "multiplier": 100, "chart": "p",
        "rag_direction": "higher", "spc_direction": "higher", "target": 95.0},
    "Sepsis screening (%)": {
        "dataset": "sepsis_screening", "date": "month", "numerator": "patients_screened",
        "denominator": "patients_eligible", "multiplier": 100, "chart": "p",
        "rag_direction": "higher", "spc_direction": "higher", "target": 90.0},
    "Medication incidents reported": {
        "dataset": "medication_incidents", "date": "month", "numerator": "incidents",
        "denominator": None, "multiplier": 1, "chart": "xmr",
        "rag_direction": "lower", "spc_direction": "neither", "target": 70.0},
}


def board_data(trust_id: str) -> pd.DataFrame:
    """Monthly board measures for one acute trust, from the course datasets.

    Ward rows are added up to the trust (numerators and denominators separately, so a
    rate is never averaged). Returns a long table with columns ``measure, month,
    numerator, denominator, value, target`` (``value`` already multiplied, e.g. per 1,000
    bed days or per cent).
    """
    from safercare import data

    frames = []
    for name, spec in BOARD_MEASURES.items():
        table = data.load(str(spec["dataset"]))
        rows = table[table["trust_id"] == trust_id]
        if rows.empty:
            raise DataError(Problem(None, "trust_id", "there is no such acute trust in the "
                                    f"'{spec['dataset']}' dataset",
                                    "use an id such as 'C14-AT1' (see the geography dataset)",
                                    value=trust_id))
        month = rows[str(spec["date"])].dt.to_period("M").dt.to_timestamp()
        cols = [c for c in (spec["numerator"], spec["denominator"]) if c]
        sums = rows[cols].groupby(month.to_numpy()).sum()
        num = sums[str(spec["numerator"])].to_numpy(dtype=float)
        den = (sums[str(spec["denominator"])].to_numpy(dtype=float) if spec["denominator"]
               else np.ones(len(sums)))
        frames.append(pd.DataFrame({
            "measure": name, "month": sums.index, "numerator": num, "denominator": den,
            "value": num / den * float(spec["multiplier"]),  # type: ignore[arg-type]
            "target": float(spec["target"]),  # type: ignore[arg-type]
        }))
    return pd.concat(frames, ignore_index=True)


def board_rag(board: pd.DataFrame, *, amber: float = 0.05) -> pd.DataFrame:
    """The board's RAG view of :func:`board_data`: the latest month of every measure.

    Values are rounded to one decimal place, as a board report shows them (the rating is
    worked out before rounding).
    """
    direction = {m: str(s["rag_direction"]) for m, s in BOARD_MEASURES.items()}
    out = board_report(board, value="value", date="month", target="target",
                       direction=direction, amber=amber, by="measure")
    out[["value", "previous", "change"]] = out[["value", "previous", "change"]].round(1)
    return out.rename(columns={"date": "month"})


def board_charts(board: pd.DataFrame,
                 changes: Mapping[str, Sequence[object]] | None = None) -> dict[str, object]:
    """The SPC view of :func:`board_data`: one Making Data Count chart per measure.

    ``changes`` maps a measure to the dates when its process was deliberately changed
    (for example ``{"Sepsis screening (%)": ["2023-09-01"]}``). Making Data Count
    recalculates the limits from such a date, so each chart starts a new phase there and
    its icons describe the latest phase: one set of limits across a known change would
    describe a process that no longer exists.
    """
    from safercare import spc

    changes = dict(changes or {})
    unknown = sorted(set(changes) - set(BOARD_MEASURES))
    if unknown:
        raise DataError(Problem(None, "changes", "there is no such board measure",
                                f"use one of: {', '.join(BOARD_MEASURES)}", value=unknown[0]))
    charts: dict[str, object] = {}
    for name, part in board.groupby("measure", sort=False):
        spec = BOARD_MEASURES[str(name)]
        common = {"date": "month", "direction": spec["spc_direction"],
                  "target": spec["target"] if spec["spc_direction"] != "neither" else None}
        if changes.get(str(name)):
            common["phases"] = [pd.Timestamp(d) for d in changes[str(name)]]
        if spec["chart"] == "xmr":
            charts[str(name)] = spc.xmr(part, value="value", **common)
        else:
            chart = spc.p_chart if spec["chart"] == "p" else spc.u_chart
            charts[str(name)] = chart(part, numerator="numerator", denominator="denominator",
                                      multiplier=float(spec["multiplier"]), **common)
    return charts


def board_summary(charts: dict[str, object]) -> pd.DataFrame:
    """What the SPC view tells the board: one row per measure, in plain words.

    Columns ``measure, latest point`` (the verdict of the latest month: common cause,
    improvement, concern or special cause), ``variation`` and ``assurance`` (the Making
    Data Count icons in words).
    """
    from safercare.spc.icons import icon_text

    rows = []
    for name, result in charts.items():
        summary = result.summary  # type: ignore[attr-defined]
        verdict = str(result.table["verdict"].iloc[-1])  # type: ignore[attr-defined]
        assurance = summary["assurance_icon"]
        rows.append({
            "measure": name,
            "latest point": verdict.replace("_", " "),
            "variation": icon_text(summary["variation_icon"]),
            "assurance": icon_text(assurance) if assurance else "no target to assure against",
        })
    return pd.DataFrame(rows)


def latest_verdicts(charts: dict[str, object]) -> dict[str, str]:
    """The verdict of each measure's latest point (for exercise checks)."""
    return {name: str(r.table["verdict"].iloc[-1])  # type: ignore[attr-defined]
            for name, r in charts.items()}


def plot_board(charts: dict[str, object], *, ncols: int = 2):
    """All the board's SPC charts on one figure, one panel per measure, with their icons."""
    import matplotlib.pyplot as plt

    from safercare import style

    n = len(charts)
    nrows = -(-n // ncols)
    with style.style_context():
        fig, axes = plt.subplots(nrows, ncols, figsize=(7.0 * ncols, 4.2 * nrows),
                                 layout="constrained", squeeze=False)
    for ax, (name, result) in zip(axes.ravel(), charts.items(), strict=False):
        result.plot(ax=ax, title=name)  # type: ignore[attr-defined]
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.alt_text = describe_board(charts)  # type: ignore[attr-defined]
    return fig


def describe_board(charts: dict[str, object]) -> str:
    """Alt text for :func:`plot_board`: each panel's own description, in order."""
    parts = [f"{len(charts)} SPC charts, one per board measure."]
    parts += [f"{name}: {r.describe()}" for name, r in charts.items()]  # type: ignore[attr-defined]
    return " ".join(parts)
