"""Every planted signal in the datasets' answer keys is found by the charts it names.

This proves the data and the engine together: each answer-key entry in
``datasets/datapackage.json`` names a series, a start date, the chart of
:mod:`safercare.spc` (or :func:`safercare.funnel.funnel`) and its exact settings, and
the verdict a correct chart should reach. The test reads the committed CSVs, rolls the
rows up as the entry says, runs the chart with those settings as keyword arguments and
checks the verdict appears from the start date (and, for strict entries, not before).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import safercare.spc as spc
from safercare.funnel import funnel

DATASETS = Path(__file__).resolve().parents[1] / "datasets"
PACKAGE = json.loads((DATASETS / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in PACKAGE["resources"]}
SIGNALS = [(r["name"], s) for r in PACKAGE["resources"] for s in r["answer_key"]]
SPC_CHARTS = {"xmr", "run_chart", "p_chart", "u_chart", "c_chart", "g_chart", "t_chart"}


def read(name: str) -> pd.DataFrame:
    """A clean dataset with the date types its schema declares."""
    fields = RESOURCES[name]["schema"]["fields"]
    dates = [f["name"] for f in fields if f["type"] in ("date", "datetime")]
    return pd.read_csv(DATASETS / RESOURCES[name]["path"], parse_dates=dates)


def series(frame: pd.DataFrame, signal: dict[str, Any]) -> pd.DataFrame:
    """Select and roll up the rows exactly as the answer key says."""
    for column, value in signal["series"].items():
        frame = frame[frame[column].isin(value if isinstance(value, list) else [value])]
    agg = signal["aggregate"]
    if not agg:
        return frame
    if "from" in agg:
        frame = frame[frame[agg["date"]] >= pd.Timestamp(agg["from"])]
    how = agg["how"]
    if how == "sum":
        return frame.groupby(agg["by"], as_index=False).sum(numeric_only=True)
    if how in ("median", "mean"):
        key = frame[agg["by"]]
        if agg.get("period") == "month":
            key = key.dt.to_period("M").dt.to_timestamp()
        return frame.groupby(key.rename(agg["by"]))[agg["value"]].agg(how).reset_index()
    if how == "days_between":
        frame = frame.sort_values(agg["date"])
        days = frame[agg["date"]].diff().dt.days
        return frame.assign(days_between=days).iloc[1:]
    raise AssertionError(f"unknown aggregate {how!r}")


def failures(frame: pd.DataFrame, signal: dict[str, Any]) -> list[str]:
    """Why the chart named by ``signal`` does not find it in ``frame`` (empty: found)."""
    frame = series(frame, signal)
    settings = dict(signal["chart"])
    chart = settings.pop("chart")
    expect = signal["expect"]
    meaning = signal["meaning"]
    out: list[str] = []

    if chart == "funnel":
        table = funnel(frame, **settings).table
        flagged = table.loc[table["signal"] == meaning, "unit"].tolist()
        if expect["unit"] not in flagged:
            out.append(f"funnel flagged {flagged}, not {expect['unit']}")
        if expect.get("only") and flagged != [expect["unit"]]:
            out.append(f"funnel flagged others too: {flagged}")
        return out
    if chart == "regression":
        x = [(frame["shift"] == "night").to_numpy(float) if c == "night_shift"
             else frame[c].to_numpy(float) for c in [settings["exposure"],
                                                      *settings["adjust_for"]]]
        y = frame[settings["outcome"]].to_numpy(float)
        naive = np.corrcoef(x[0], y)[0, 1]
        adjusted = np.linalg.lstsq(np.column_stack([np.ones_like(y), *x]), y,
                                   rcond=None)[0][1]
        if not (naive > 0 and settings["naive_sign"] == "positive"):
            out.append(f"naive correlation {naive:.3f} is not positive")
        if not (adjusted < 0 and settings["adjusted_sign"] == "negative"):
            out.append(f"adjusted coefficient {adjusted:.3f} is not negative")
        return out
    if chart == "correlation":
        per = frame[settings["per"]].to_numpy(float)
        for column, sign in zip(settings["y"], settings["signs"], strict=True):
            r = np.corrcoef(frame[settings["x"]], frame[column] / per)[0, 1]
            if not ((r > 0.2) if sign == "positive" else (r < -0.2)):
                out.append(f"correlation of {column} rate with {settings['x']}: {r:.3f}")
        return out

    if chart not in SPC_CHARTS:
        return [f"unknown chart {chart!r}"]
    table = getattr(spc, chart)(frame, **settings).table
    after = (table["date"] >= pd.Timestamp(signal["start"])).to_numpy()
    verdict = table["verdict"].to_numpy()
    if meaning == "common_cause":
        if not (verdict == "common_cause").all():
            out.append(f"signals at {list(table.loc[verdict != 'common_cause', 'date'])}")
        return out
    hits = after & (verdict == meaning)
    if not hits.any():
        return [f"no {meaning} from {signal['start']}"]
    if signal["strict"] and (~after & (verdict == meaning)).any():
        out.append(f"{meaning} before the planted start, at "
                   f"{list(table.loc[~after & (verdict == meaning), 'date'])}")
    for rule in expect.get("rules", []):
        if not table.loc[hits, rule].any():
            out.append(f"rule {rule} did not fire")
    if expect.get("only"):
        first = table.index[table["date"] == pd.Timestamp(signal["start"])]
        if list(table.index[verdict == meaning]) != list(first):
            out.append(f"{meaning} also at {list(table.loc[verdict == meaning, 'date'])}")
    return out


@pytest.mark.parametrize(("name", "signal"), SIGNALS, ids=[s["id"] for _, s in SIGNALS])
def test_planted_signal_is_found(name: str, signal: dict[str, Any]) -> None:
    assert failures(read(name), signal) == []


def test_every_dataset_with_a_story_of_change_has_an_answer_key() -> None:
    """Each clean resource except the geography plants at least one signal, or names
    the resource whose answer key covers it (a PDSA log: its ward's daily data)."""
    missing = [r["name"] for r in PACKAGE["resources"]
               if not r.get("messy") and r["name"] != "geography" and not r["answer_key"]
               and not RESOURCES.get(r.get("answer_key_in"), {}).get("answer_key")]
    assert missing == []
