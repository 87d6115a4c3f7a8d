"""Start here (lesson 0): the first chart a reader sees, and the words that describe it.

The chart is a ward whose falls prevention work the dataset's answer key plants (the first
planted improvement in the ``falls`` dataset). Making Data Count recalculates a chart's
limits when the process has changed for a known reason and the change has shown as a
signal, so the chart starts a new phase in the month the work began; the icons then
describe the latest phase (the new process). Every sentence about the chart is made here
from the results.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from safercare import data, spc
from safercare.games.measures import falls_rate

__all__ = ["VALUE", "change_month", "latest_answer", "start_chart", "start_words", "ward"]

#: The value the chart shows (its column name, and the axis label).
VALUE = "Falls per 1,000 bed days"


@lru_cache(maxsize=1)
def _planted() -> pd.Series:
    key = data.answer_key("falls")
    return key.query("kind == 'shift' and meaning == 'improvement'").iloc[0]


def ward() -> pd.Series:
    """The ward's row of the geography dataset (its name and collaborative)."""
    return data.load("geography").set_index("org_id").loc[_planted()["series"]["ward_id"]]


def change_month() -> pd.Timestamp:
    """The month the ward's falls prevention work began (from the answer key)."""
    return pd.Timestamp(_planted()["start"])


def _rates() -> pd.DataFrame:
    rates = falls_rate(data.load("falls"), ward_id=_planted()["series"]["ward_id"])
    return rates.rename(columns={"rate": VALUE})


def start_chart() -> spc.SPCResult:
    """The start page's XmR chart: new limits from the month the falls work began."""
    return spc.xmr(_rates(), value=VALUE, date="month", direction="lower",
                   phases=[change_month()])


def _before_chart() -> spc.SPCResult:
    """The same months judged against the limits of the months before the work only."""
    rates = _rates()
    before = int((rates["month"] < change_month()).sum())
    return spc.xmr(rates, value=VALUE, date="month", direction="lower", baseline=before)


def start_words(chart: spc.SPCResult | None = None) -> str:
    """Why the limits were recalculated, and what the chart shows, from the results."""
    chart = start_chart() if chart is None else chart
    when = f"{change_month():%B %Y}"
    before = _before_chart().table
    after = before[before["date"] >= change_month()]
    improving = int((after["verdict"] == "improvement").sum())
    if improving:
        why = (f"The ward began its falls prevention work in {when}. Judged against the "
               f"months before it, {improving} of the {len(after)} months since then are "
               "special-cause improvement, so the chart starts new limits in "
               f"{when}: they describe the new process.")
    else:
        why = (f"The ward began its falls prevention work in {when}, and the chart starts "
               "new limits in that month. Judged against the months before it, no month "
               "since then shows special-cause improvement yet.")
    return f"{why} {chart.describe()}"


def latest_answer(chart: spc.SPCResult | None = None) -> str:
    """The answer to the start page's exercise: where the latest month sits, from the chart."""
    chart = start_chart() if chart is None else chart
    last = chart.table.dropna(subset=["value"]).iloc[-1]
    side = ("above" if last["value"] > last["centre"] else
            "below" if last["value"] < last["centre"] else "on")
    return (f"The latest month, {last['date']:%B %Y}, is {last['value']:.1f}: {side} the centre "
            f"line ({last['centre']:.1f}, the average of its phase). One point on its own "
            "usually moves by chance (lesson 2 calls this *common cause variation*): you need "
            "one of the chart's rules to fire before you call it a change.")
