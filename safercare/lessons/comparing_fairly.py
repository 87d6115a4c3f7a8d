"""Lesson 6, *Comparing fairly*: its situation, exercise checks, the league-table lottery
explorer (precomputed states, so it responds in the static book) and the room's own league
table (a live form: it needs Python).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import ipywidgets as w
import pandas as pd
from IPython.display import Markdown

from safercare import comparison
from safercare.lessons.common import (
    WIDE,
    Feedback,
    live_form,
    no_answer,
    organisation_names,
    read_numbers,
    squash,
)
from safercare.widgets.explore import Choice, Explorer, Stepper, View

#: Lesson 6: the latest financial year of mortality, compared between collaboratives.
LESSON6: dict[str, Any] = {
    "year_start": "2024-04-01",
    "year_end": "2025-04-01",
    "rank_place": 7,
    "indicator": "acei_loop_75plus_no_monitoring",
    "replicates": 1000,
    "seed": 2024,
}


@lru_cache(maxsize=1)
def _collaboratives() -> pd.DataFrame:
    from safercare import data

    deaths = data.load("mortality")
    table = comparison.totals(deaths, by="collaborative_id",
                              columns=["deaths", "expected_deaths"], date="quarter",
                              start=LESSON6["year_start"], end=LESSON6["year_end"])
    table["collaborative"] = table["collaborative_id"].map(organisation_names())
    return table


@lru_cache(maxsize=1)
def _trusts() -> pd.DataFrame:
    from safercare import data

    deaths = data.load("mortality")
    table = comparison.totals(deaths, by="trust_id", columns=["deaths", "expected_deaths"],
                              date="quarter", start=LESSON6["year_start"],
                              end=LESSON6["year_end"])
    table["trust"] = table["trust_id"].map(organisation_names())
    return table


@lru_cache(maxsize=1)
def _practices() -> pd.DataFrame:
    from safercare import data

    gp = data.load("gp_prescribing_safety")
    gp = gp[(gp["indicator"] == LESSON6["indicator"]).to_numpy()]
    return comparison.totals(gp, by="practice_id",
                             columns=["patients_with_hazard", "patients_at_risk"],
                             date="quarter", start=LESSON6["year_start"],
                             end=LESSON6["year_end"])


def _funnel(table: pd.DataFrame, unit: str, overdispersion: str | None) -> Any:
    from safercare.funnel import funnel

    return funnel(table, numerator="deaths", denominator="expected_deaths", unit=unit,
                  kind="ratio", overdispersion=overdispersion)


def _practice_funnel(overdispersion: str | None) -> Any:
    from safercare.funnel import funnel

    return funnel(_practices(), numerator="patients_with_hazard",
                  denominator="patients_at_risk", unit="practice_id",
                  overdispersion=overdispersion)


@lru_cache(maxsize=1)
def _ranks() -> comparison.RankResult:
    return comparison.rank_intervals(_collaboratives(), numerator="deaths",
                                     denominator="expected_deaths", unit="collaborative",
                                     kind="ratio", replicates=LESSON6["replicates"],
                                     seed=LESSON6["seed"])


def _outside(result: Any) -> int:
    t = result.table
    return int((t["above_998"] | t["below_998"]).sum())


def rank_unit() -> str:
    """The collaborative in the published place that exercise 6.2 asks about."""
    t = _ranks().table
    return str(t.loc[t["rank"] == LESSON6["rank_place"], "unit"].iloc[0])


# ------------------------------------------------------------------------- lesson 6
def check_outlier(answer: Any) -> Feedback:
    """Exercise 6.1: the trust above the upper 99.8% limit (funnel allowing overdispersion)."""
    if answer is None or answer is Ellipsis or not str(answer).strip(" .…"):
        return no_answer(f'my_answer = "{organisation_names()["C01-AT1"]}"', answer)
    result = _funnel(_trusts(), "trust", "multiplicative")
    t = result.table
    above = t.loc[t["above_998"], "unit"].tolist()
    below = t.loc[t["below_998"], "unit"].tolist()
    table = _trusts()
    aliases = {squash(n): n for n in table["trust"]}
    aliases.update({squash(i): n for i, n in zip(table["trust_id"], table["trust"], strict=True)})
    # The town is enough: every trust is called "<town> Hospitals".
    aliases.update({squash(n).removesuffix("hospitals"): n for n in table["trust"]})
    said_name = aliases.get(squash(answer))
    if said_name in above:
        return Feedback(True, f"{said_name} is above the upper 99.8% limit even after the limits "
                              "are widened for overdispersion. That is a reason to ask "
                              "questions and look closer (data, case mix, care), not to blame.")
    if said_name in below:
        return Feedback(False, f"{said_name} is outside the limits, but below them: fewer deaths "
                               "than expected. Which trust is above the upper line?")
    if said_name is None:
        collaboratives = {squash(n) for n in _collaboratives()["collaborative"]}
        if squash(answer) in collaboratives:
            return Feedback(False, "That is a collaborative. This funnel plot shows the 30 "
                                   "hospital trusts: type the name of a trust.")
        return Feedback(False, f"We could not match '{answer}' to a trust. Copy the name from "
                               "the labels on the funnel plot.")
    return Feedback(False, f"{said_name} is inside the limits: its ratio is within what chance "
                           "and the usual spread between trusts would give. Look for the "
                           "labelled point above the dashed upper line.")


def check_rank_interval(lowest: Any, highest: Any = None) -> Feedback:
    """Exercise 6.2: the middle 95% of the 7th-placed collaborative's re-drawn ranks."""
    found = read_numbers(lowest) + ([] if highest is None else read_numbers(highest))
    if len(found) < 2:
        return no_answer("lowest = 2 and highest = 12", lowest)
    lo, hi = sorted(int(round(x)) for x in found[:2])
    unit = rank_unit()
    row = _ranks().table.set_index("unit").loc[unit]
    right = (int(row["rank_lower"]), int(row["rank_upper"]))
    if (lo, hi) == right:
        return Feedback(True, f"{unit} is published as number "
                              f"{int(row['rank'])}, "
                              f"but in re-drawn years it could be anywhere from {right[0]} to "
                              f"{right[1]}. Its place in the table says very little on its own.")
    if (lo, hi) == (int(row["rank"]), int(row["rank"])):
        return Feedback(False, "That is its published rank. Read the two ends of its line on "
                               "the rank chart.")
    return Feedback(False, f"You said {lo} to {hi}. Find {unit} on the rank chart and read "
                           "the ranks at the two ends of its line.")


def check_overdispersion(unadjusted: Any, adjusted: Any = None) -> Feedback:
    """Exercise 6.3: GP practices outside the 99.8% limits, before and after adjustment."""
    found = read_numbers(unadjusted) + ([] if adjusted is None else read_numbers(adjusted))
    if len(found) < 2:
        return no_answer("before = 12 and after = 5", unadjusted)
    before, after = (int(round(x)) for x in found[:2])
    right_before = _outside(_practice_funnel(None))
    right_after = _outside(_practice_funnel("multiplicative"))
    if (before, after) == (right_before, right_after):
        return Feedback(True, f"{right_before} practices look 'unusual' with plain limits, but "
                              f"only {right_after} once the limits allow for the real, everyday "
                              "differences between practices. Without the adjustment you would "
                              "send letters to dozens of practices about false alarms.")
    parts = []
    if before != right_before:
        parts.append("Count again the points beyond the dashed 99.8% lines on the first plot "
                     "(above and below both count).")
    if after != right_after:
        parts.append("On the adjusted plot, count the labelled points outside the wider "
                     "dashed lines.")
    return Feedback(False, " ".join(parts))


def _movers(result: comparison.RankResult, replicate: int) -> str:
    """One sentence about the biggest climb and fall in a re-drawn year."""
    year = result.draw(replicate)
    up = year.loc[year["moved"].idxmax()]
    down = year.loc[year["moved"].idxmin()]
    return (
        f"**Re-drawn year {replicate + 1}.** Nothing about any unit changed, yet "
        f"{up['unit']} climbed from {up['published_rank']} to {up['rank']} and "
        f"{down['unit']} fell from {down['published_rank']} to {down['rank']}."
    )


#: Re-drawn years the explorer can step through (states: 2 sources x (years + 1)).
RANK_YEARS = 3


def rank_explorer(data: Any = None, *, replicates: int = 1000, seed: int | None = 2024,
                  years: int = RANK_YEARS, **columns: Any) -> Explorer:
    """Draw another year from the same underlying rates and watch the ranks move.

    ``columns`` are passed to :func:`safercare.comparison.rank_intervals` (``numerator``,
    ``denominator``, ``unit``, ``kind``, ``lower_is_better``). Every state (two sources of
    re-drawn counts, and the first ``years`` re-drawn years) is computed here; the page only
    switches between them.
    """
    results = {
        which: comparison.rank_intervals(data, underlying=which, replicates=replicates,
                                         seed=seed, **columns)
        for which in ("observed", "common")
    }

    def render(state: dict[str, Any]) -> View:
        result = results[state["source"]]
        if state["year"] == 0:
            return View(figure=result.plot(title="Ranks in 1,000 re-drawn years"),
                        words="Press **Draw another year** to see one re-drawn year's ranks "
                              f"(orange triangles).\n\n{result.describe()}")
        i = state["year"] - 1
        return View(figure=result.plot(replicate=i, title=f"Re-drawn year {i + 1}"),
                    words=f"{_movers(result, i)}\n\n{result.describe()}")

    return Explorer(
        "League-table lottery: the same rates, another year",
        controls=[
            Choice("source", "Re-draw counts from",
                   [("observed", "Each unit's own rate"), ("common", "Every unit identical")],
                   style="radio"),
            Stepper("Re-drawn years", steps=years, name="year",
                    button_text="Draw another year", reset_text="Back to the 1,000 years",
                    counter="Re-drawn year {step} of {steps}"),
        ],
        render=render,
    )


_EXAMPLE = "Table 1, 5, 60\nTable 2, 9, 60\nTable 3, 4, 60\nTable 4, 7, 60\nTable 5, 11, 60"




def live_comparison(example: str = _EXAMPLE, *, lower_is_better: bool = True,
                    seed: int | None = 2024) -> w.VBox:
    """Type each table's results (name, events, out of); see ranks and how far they move."""
    box = w.Textarea(value=example, rows=8, layout=w.Layout(width="420px"),
                     description="One line per table: name, events, out of", style=WIDE)

    def read() -> comparison.RankResult:
        table = comparison.parse_unit_counts(box.value)
        return comparison.rank_intervals(table, numerator="events", denominator="trials",
                                         unit="unit", lower_is_better=lower_is_better,
                                         underlying="common", seed=seed)

    def show(result: comparison.RankResult) -> list[object]:
        return [result.table[["unit", "numerator", "denominator",
                              "rank", "rank_lower", "rank_upper"]]
                .rename(columns={"numerator": "events", "denominator": "out of",
                                 "rank": "published rank", "rank_lower": "lowest likely rank",
                                 "rank_upper": "highest likely rank"}),
                result.plot(title="Your tables: ranks if every table had the same chance"),
                Markdown(result.describe())]

    return live_form("Your room's league table", [box], "Rank the tables",
                      "Rank the tables and re-draw 1,000 years from the same rates", read, show)


def outside_words(plain: Any, adjusted: Any, units: str) -> str:
    """How many units each funnel puts outside its 99.8% limits (above or below)."""
    before, after = _outside(plain), _outside(adjusted)
    total = len(plain.table)
    return (f"With limits for chance alone, **{before} of {total}** {units} are outside the "
            f"99.8% lines; once the limits allow for overdispersion (φ = "
            f"{plain.summary['phi']:.2f}), **{after} of {total}** are.")


def league_table(ranks: comparison.RankResult) -> Any:
    """The newspaper's table: place, name, deaths, expected deaths and their ratio."""
    from safercare.lessons.common import show_table

    t = ranks.table
    return show_table(pd.DataFrame({
        "rank": t["rank"].astype(int),
        "collaborative": t["unit"],
        "deaths": t["numerator"].round().astype(int),
        "expected deaths": t["denominator"].round(1),
        "deaths / expected": t["rate"].round(3),
    }))
