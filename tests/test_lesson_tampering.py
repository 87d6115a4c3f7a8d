"""Lesson 4 (Tampering): its words come from its results, and its explorations respond in the
static book (every state precomputed by the package)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from safercare import data, spc
from safercare.games import board_report, funnel_experiment, measures
from safercare.lessons import tampering as lesson

NB = Path(__file__).resolve().parents[1] / "notebooks" / "04-tampering.ipynb"


def _cells() -> list[dict]:
    return json.loads(NB.read_text(encoding="utf-8"))["cells"]


def _shown() -> str:
    return "\n".join("".join(o.get("data", {}).get(kind, ""))
                     for c in _cells() for o in c.get("outputs", [])
                     for kind in ("text/markdown", "text/html", "text/plain"))


def test_sentences_about_the_runs_are_the_results_own() -> None:
    drops = funnel_experiment.funnel_experiment(50, seed=1993)
    months = funnel_experiment.management_by_last_month(36, mean=20, sd=3, seed=2024,
                                                        rules=(1, 2))
    by_rule = spc.xmr(months, value="value", date="month", by="rule", direction="lower")
    heron = measures.falls_rate(data.load("falls"), ward_id="C07-AT1-W2")
    heron_months = board_report.rag_table(heron, value="rate", date="month", target=6.6,
                                          direction="lower")
    heron_chart = spc.u_chart(heron, numerator="falls", denominator="occupied_bed_days",
                              date="month", multiplier=1000, direction="lower", target=6.6)
    shown = _shown()
    for words in (lesson.funnel_words(drops), lesson.limits_words(by_rule, 2),
                  lesson.looks_words(heron_months), heron_chart.describe()):
        assert words in shown, words[:80]
    # the lesson once said "the XmR chart shows" under a u chart: no chart is named by hand
    markdown = "\n".join("".join(c["source"]) for c in _cells() if c["cell_type"] == "markdown")
    assert "XmR chart shows is stable" not in markdown
    assert not re.search(r"about 40% wider|\b\d+ of the 35\b", markdown)


def test_the_explorations_are_precomputed_and_every_control_changes_the_view() -> None:
    for explorer in (lesson.funnel_explorer(), lesson.last_month_explorer()):
        built = explorer.build() if hasattr(explorer, "build") else None
        html = explorer._repr_html_()
        assert 'class="sc-explore"' in html and "<script" in html
        assert explorer.n_states >= 6
        if built is not None:
            words = {state[4] for state in built.states}
            assert len(words) == explorer.n_states  # each state says something different
    shown = "".join("".join(o.get("data", {}).get("text/html", ""))
                    for c in _cells() for o in c.get("outputs", []))
    assert shown.count('class="sc-explore"') == 2


def test_exercise_4_1_is_a_short_typed_answer() -> None:
    code = [("".join(c["source"])) for c in _cells() if c["cell_type"] == "code"]
    ranking = next(c for c in code if "check_funnel_ranking(" in c)
    assert 'my_ranking = "..."' in ranking
    assert lesson.check_funnel_ranking("1, 2, 3, 4").correct
