"""Lessons 0-2 (start here, measuring what matters, variation and run charts): every number
on their pages and handouts comes from the package, and every sentence about a chart comes
from its result.

* The dice game's thresholds on the handout are the package's Anhøj limits for the number of
  *useful* points, and a room that uses them raises false alarms as rarely as the simulator.
* The printable incident cards are rows of the measure builder's incidents, and their answer
  key is the package's count.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from safercare import spc
from safercare.errors import DataError
from safercare.games import dice, measures
from safercare.lessons import measuring_what_matters as l1
from safercare.lessons import pages
from safercare.lessons import variation_and_run_charts as l2
from safercare.spc.run import anhoej_thresholds

ROOT = Path(__file__).resolve().parents[1]
HANDOUT_2 = ROOT / "book" / "trainers" / "handouts" / "02-variation-and-run-charts.md"
TRAINER_2 = ROOT / "book" / "trainers" / "02-variation-and-run-charts.md"
CARDS = ROOT / "book" / "trainers" / "01-incident-cards.md"


# --- Anhøj thresholds by the number of useful points ---------------------------------

def test_anhoej_thresholds_are_the_published_formulas_and_what_run_chart_uses():
    table = anhoej_thresholds(range(1, 61))
    n = table["useful points"].to_numpy()
    # Anhøj & Olesen 2014 (qicharts2): round(log2(n)) + 3 and qbinom(0.05, n - 1, 0.5)
    from scipy import stats
    assert (table["longest run allowed"] == np.round(np.log2(n)) + 3).all()
    assert (table["fewest crossings allowed"] == stats.binom.ppf(0.05, n - 1, 0.5)).all()
    # published values (Anhøj 2014, table 1): n = 10 -> 6 and 2; 20 -> 7 and 6; 36 -> 8, 13
    rows = table.set_index("useful points")
    assert rows.loc[10].tolist() == [6, 2] and rows.loc[20].tolist() == [7, 6]
    assert rows.loc[36].tolist() == [8, 13]
    # and run_chart reports the same limits for a series with that many useful points
    rng = np.random.default_rng(3)
    for size in (11, 17, 24, 36):
        summary = spc.run_chart(rng.normal(size=size)).summary
        n_useful = summary["n_useful"]  # an odd number of points puts one on the median
        assert n_useful == size - size % 2
        assert [summary["longest_run_max"], summary["n_crossings_min"]] == \
            rows.loc[n_useful].tolist()


def test_anhoej_thresholds_refuse_counts_that_are_not_whole_and_positive():
    with pytest.raises(DataError, match="n_useful"):
        anhoej_thresholds([0])
    with pytest.raises(DataError, match="whole number"):
        anhoej_thresholds([12.5])


def _handout_thresholds() -> dict[int, tuple[int, int]]:
    """The handout's table as {useful points: (shortest signalling run, crossings below)}."""
    text = pages.block(HANDOUT_2.read_text(encoding="utf-8"), "dice-thresholds")
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in text.splitlines()
            if line.startswith("|") and not line.startswith("|---")]
    head, run, cross = rows
    assert head[0].startswith("Useful points") and run[0].startswith("Signal: a run")
    assert cross[0].startswith("Signal: fewer crossings")
    return {int(n): (int(r), int(c)) for n, r, c in zip(head[1:], run[1:], cross[1:],
                                                          strict=True)}


def test_handout_thresholds_are_the_packages_for_each_number_of_useful_points():
    table = _handout_thresholds()
    assert set(range(14, 21)) <= set(table)  # what 20 dice rolls usually leave
    expected = anhoej_thresholds(sorted(table)).set_index("useful points")
    for n, (run, crossings) in table.items():
        assert run == expected.loc[n, "longest run allowed"] + 1
        assert crossings == expected.loc[n, "fewest crossings allowed"]
    assert pages.block(HANDOUT_2.read_text(encoding="utf-8"), "dice-thresholds") == \
        l2.dice_thresholds_markdown()


def test_handout_and_trainer_page_no_longer_give_the_20_point_limits_for_every_chart():
    for page in (HANDOUT_2, TRAINER_2):
        text = page.read_text(encoding="utf-8")
        assert "For 20\npoints, a run of **8 or more**" not in text
        assert not re.search(r"for 20\s+points\b", text, re.I), page.name
        assert "useful points" in text


def _room_plays(totals: np.ndarray, limits: dict[int, tuple[int, int]]) -> np.ndarray:
    """What a room does by hand with each row of dice totals, independently of spc: draw
    the median, skip the points on it, find the longest run and count the crossings, then
    read the limits for that many useful points. Returns True where it calls a signal."""
    calls = np.zeros(len(totals), dtype=bool)
    for i, row in enumerate(totals):
        median = np.median(row)
        sides = np.sign(row[row != median] - median)
        n = len(sides)
        changes = np.flatnonzero(np.diff(sides) != 0)
        crossings = len(changes)
        longest = int(np.max(np.diff(np.r_[-1, changes, n - 1])))
        run_signal, crossings_min = limits[n]
        calls[i] = longest >= run_signal or crossings < crossings_min
    return calls


def test_a_room_using_the_handout_raises_false_alarms_as_rarely_as_the_simulator():
    games, seed = 2000, 2026
    series = dice.dice_series(games, 20, seed=seed)
    totals = series["value"].to_numpy().reshape(games, 20)
    useful = {int(np.sum(row != np.median(row))) for row in totals}
    table = _handout_thresholds()
    missing = sorted(useful - set(table))
    # a game with fewer useful points than the table covers is rare; treat it with the package
    extra = anhoej_thresholds(missing).set_index("useful points") if missing else None
    limits = dict(table)
    for n in missing:
        limits[n] = (int(extra.loc[n, "longest run allowed"]) + 1,
                     int(extra.loc[n, "fewest crossings allowed"]))
    room = _room_plays(totals, limits).mean()
    simulator = dice.noise_signals(games, 20, chart="run", seed=seed)["any_signal"].mean()
    assert abs(room - simulator) <= 0.01, (room, simulator)
    assert room < 0.04
    # the old handout ("for 20 points, a run of 8 or more, fewer than 6 crossings") applied
    # the 20-point limits whatever the number of useful points: about 11%, not about 2%
    old = _room_plays(totals, {n: (8, 6) for n in range(21)}).mean()
    assert old > 0.08 and old > 3 * simulator


# --- incident cards ---------------------------------------------------------------------

def test_incident_cards_are_rows_of_the_measure_builders_incidents():
    incidents = measures.synthetic_falls()
    cards = l1.incident_cards(incidents)
    assert len(cards) == 12 and cards["card"].tolist() == list(range(1, 13))
    rows = incidents.set_index("incident_id").loc[cards["incident_id"]]
    for column in ("ward", "person", "how", "harm"):
        assert rows[column].astype(str).tolist() == cards[column].astype(str).tolist()
    # the mix the facilitator page promises: several kinds of fall, so definitions disagree
    assert set(cards["how"]) == set(measures.HOW)
    assert set(cards["person"]) == set(measures.PEOPLE)


def test_cards_page_is_generated_and_its_key_is_the_packages_count():
    text = CARDS.read_text(encoding="utf-8")
    assert pages.block(text, "incident-cards") == l1.incident_cards_markdown()
    cards = l1.incident_cards()
    for name, definition in l1.MEETING_DEFINITIONS.items():
        count = measures.count_falls(cards, definition)
        assert f"**{name}**: {count} of the 12 cards" in text
    for row in cards.itertuples():
        assert f"**{row.incident_id}**, {row.ward}" in text
    counts = {measures.count_falls(cards, d) for d in l1.MEETING_DEFINITIONS.values()}
    assert len(counts) == 3  # the three definitions give three different counts


def test_cards_page_is_in_the_book_under_lesson_1s_facilitator_page():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    trainer = toc.index("file: book/trainers/01-measuring-what-matters\n")
    cards = toc.index("file: book/trainers/01-incident-cards\n")
    assert trainer < cards < toc.index("file: book/trainers/02-variation-and-run-charts\n")
    page = (ROOT / "book" / "trainers" / "01-measuring-what-matters.md").read_text()
    assert "{doc}`01-incident-cards`" in page


def test_every_generated_block_is_up_to_date():
    for name, (page, write) in pages.blocks().items():
        assert pages.block((ROOT / page).read_text(encoding="utf-8"), name) == write(), page


# --- words from results -------------------------------------------------------------------

NOTEBOOKS = {0: "00-start-here", 1: "01-measuring-what-matters",
             2: "02-variation-and-run-charts"}


def _nb(n: int):
    import nbformat

    return nbformat.read(ROOT / "notebooks" / f"{NOTEBOOKS[n]}.ipynb", as_version=4)


def _outputs(cell) -> str:
    """Every text a cell printed or displayed (plain and markdown), joined."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out["text"])
        for kind in ("text/markdown", "text/plain", "text/html"):
            if kind in out.get("data", {}):
                parts.append(out["data"][kind])
    return "\n".join(parts)


def _cell_with(nb, text: str):
    hits = [c for c in nb.cells if c.cell_type == "code" and text in c.source]
    assert len(hits) == 1, text
    return hits[0]


def test_start_page_recalculates_at_the_ward_change_and_says_so_from_the_result():
    from safercare.lessons import start_here

    chart = start_here.start_chart()
    table = chart.table
    # a new phase starts in the month the falls work began, as the page says
    assert table.loc[table["date"] >= start_here.change_month(), "phase"].eq(2).all()
    assert table.loc[table["date"] < start_here.change_month(), "phase"].eq(1).all()
    # the icons describe the latest phase: its own mean, not the old one
    latest = table[table["phase"] == 2]
    assert chart.summary["centre"] == pytest.approx(latest["value"].mean())
    assert chart.summary["phases"] == 2
    # the printed words are the package's, for this chart
    cell = _cell_with(_nb(0), "start_words(chart)")
    assert "nbval-check-output" in cell.metadata.get("tags", [])
    words = start_here.start_words(chart)
    assert _outputs(cell).strip() == words
    assert chart.describe() in words and "below zero" in words  # the lower limit explained
    # the old page kept the first months' limits across the whole change
    old = spc.xmr(table.assign(v=table["value"]), value="v", date="date", direction="lower",
                  baseline=int((table["date"] < start_here.change_month()).sum()))
    assert old.summary["phases"] == 1 and old.describe() not in _outputs(cell)


#: A sentence that names one of the lessons' charts ...
_CHART_NAMES = re.compile(r"Dunlin|Heron|red bead chart|bead chart|the room's (?:p )?chart|"
                          r"the chart (?:above|below|at the top|shows)|this chart|"
                          r"the start page's chart|like this one|on a chart", re.I)
#: ... and says what it shows ...
_VERDICT = re.compile(r"\bsignal(?:s|led|ling)?\b|common cause|special cause|\bimprovement\b|"
                      r"\bstable\b|\b(?:inside|outside|within) the limits\b|no rule fires|"
                      r"\bshift of \d+", re.I)


def _hand_typed_verdicts(text: str) -> list[str]:
    """Sentences stating what a named chart shows, typed in a page (questions, which ask the
    reader to judge, and {course} values, which the package prints, are not verdicts)."""
    text = re.sub(r"\{course\}`[^`]+`", "", text)
    text = re.sub(r"<!-- generated: .*?<!-- end generated -->", "", text, flags=re.S)
    sentences = re.split(r"(?<=[.!?])\s+|\n\s*\n|\n[-\d.]+\s", text)
    return [" ".join(s.split()) for s in sentences
            if _CHART_NAMES.search(s) and _VERDICT.search(s) and not s.strip().endswith("?")]


def _pages() -> dict[str, str]:
    found = {}
    for n in NOTEBOOKS:
        nb = _nb(n)
        found[NOTEBOOKS[n]] = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for page in ("01-measuring-what-matters", "02-variation-and-run-charts"):
        for folder in ("book/trainers", "book/trainers/handouts"):
            found[f"{folder}/{page}"] = (ROOT / folder / f"{page}.md").read_text(encoding="utf-8")
    return found


def test_no_page_of_lessons_0_2_types_what_a_chart_shows():
    typed = {name: found for name, text in _pages().items()
             if (found := _hand_typed_verdicts(text))}
    assert not typed


def test_the_verdict_scan_catches_the_old_hand_typed_sentences():
    old = [
        "The chart shows a signal: the description under the chart says which rule fired.",
        "**Exercise 2.2: has Dunlin ward's falls work made a difference?** **Yes**, a signal: "
        "lower falls rates cluster after the falls work started in April 2024.",
        "Heron ward's falls go up and down, but no run is longer than chance allows. This is a "
        "stable process: asking Heron ward's manager to explain each month is pointless.",
        "3. Dunlin ward shows a signal. What else would you want to know?",
        "And the same 24 draws on a chart. The dashed lines are the range a stable process "
        "like this one will almost always stay within.",
    ]
    assert len(_hand_typed_verdicts("\n\n".join(old))) >= 4


def test_lesson_2_words_about_its_charts_are_printed_from_their_results():
    from safercare.games import red_beads

    nb = _nb(2)
    dunlin, heron = l2.ward_chart(l2.DUNLIN), l2.ward_chart(l2.HERON)
    beads = red_beads.red_bead_chart(red_beads.red_bead_experiment(workers=6, days=4,
                                                                   seed=1986))
    noise = dice.noise_signals(1000, 20, chart="xmr", rules="mdc")
    expected = {
        "bead_chart_words(bead_chart)": l2.bead_chart_words(beads),
        "signal_answer(dunlin_chart)": l2.signal_answer(dunlin) + "\n\n" + l2.timing_note(
            dunlin, l2.change_started(l2.DUNLIN)),
        "signal_answer(heron_chart)": l2.signal_answer(heron),
        "noise_answer(noise": l2.noise_answer(noise, 20, "xmr"),
        "dunlin_chart.describe()": dunlin.describe(),
        "heron_chart.describe()": heron.describe(),
    }
    for source, words in expected.items():
        cell = _cell_with(nb, source)
        assert "nbval-check-output" in cell.metadata.get("tags", []), source
        assert words in _outputs(cell), source


def test_dunlin_is_called_a_signal_only_where_its_icon_and_points_say_so():
    """The old lesson called Dunlin's run chart a signal (too few crossings, a rule with no
    direction) while its points and icon said common cause."""
    for ward in (l2.DUNLIN, l2.HERON):
        chart = l2.ward_chart(ward)
        verdicts = set(chart.table["verdict"].astype(str))
        if l2.shows_signal(chart):
            assert chart.summary["variation_icon"] != "common_cause"
            assert verdicts & {"improvement", "concern"}
            assert l2.signal_answer(chart).startswith("**Yes.**")
        else:
            assert chart.summary["variation_icon"] == "common_cause"
            assert l2.signal_answer(chart).startswith("**No.**")
    # the frozen baseline is the months before the falls work: the old chart was not
    from safercare import data

    old = spc.run_chart(measures.falls_rate(data.load("falls"), ward_id=l2.DUNLIN),
                        value="rate", date="month", direction="lower")
    assert l2.shows_signal(old) and old.summary["variation_icon"] == "common_cause"
    assert l2.ward_chart(l2.DUNLIN).summary["variation_icon"] == "special_cause_improving_low"


def test_trainer_page_2_answers_come_from_the_package():
    from safercare.lessons.answer_keys import book_words

    page = TRAINER_2.read_text(encoding="utf-8")
    answers = page.split("## Answers to the exercises", 1)[1].split("\n## ", 1)[0]
    for key in ("l2-dunlin-answer", "l2-dunlin-timing", "l2-heron-answer"):
        assert f"{{course}}`{key}`" in answers
        assert book_words(key)
    assert book_words("l2-dunlin-answer").startswith("Yes.")
    assert book_words("l2-heron-answer").startswith("No.")


def test_measure_builder_reaches_every_definition_the_lesson_asks_for():
    """Exercise 1.3's two definitions and the meeting's three answers are states of the
    builder, and the builder's words give the package's count for each."""
    incidents = measures.synthetic_falls()
    builder = l1.measure_builder(incidents)
    assert builder.inert_controls() == []
    built = builder.build().states
    words = {}
    for i, state in enumerate(builder.states()):
        definition = measures.FallDefinition(
            include_found_on_floor=state["floor"], include_assisted=state["assisted"],
            people=state["people"], min_harm=state["harm"], wards=state["wards"])
        words[definition] = built[i][4]
    wanted = [*l1.COUNT_QUESTIONS.values(), *l1.MEETING_DEFINITIONS.values()]
    for definition in wanted:
        assert definition in words, definition
        assert f"<strong>{measures.count_falls(incidents, definition)} falls</strong>" in \
            words[definition]


def test_measure_type_choices_say_right_only_for_the_key():
    for explorer, (measure, kind) in zip(l1.measure_type_choices(), l1.MEASURE_TYPES.items(),
                                         strict=True):
        assert explorer.title == measure and explorer.inert_controls() == []
        shown = {state["type"]: view[4] for state, view in zip(explorer.states(),
                                                               explorer.build().states,
                                                               strict=True)}
        assert "Right" in shown[kind]
        assert all("Right" not in text for key, text in shown.items() if key != kind)
    assert l1.measure_types_answer().count("**") == 2 * len(l1.MEASURE_TYPES)


def test_lesson_2_story_dates_are_the_datasets():
    """The lesson's story says when Dunlin ward's falls work began; the chart's frozen
    baseline and the answer key use the dataset's date."""
    text = "\n".join(c.source for c in _nb(2).cells if c.cell_type == "markdown")
    months = set(re.findall(r"(?:January|February|March|April|May|June|July|August|September|"
                            r"October|November|December) 20\d\d", text))
    assert months == {l2.change_started(l2.DUNLIN)}
    chart = l2.ward_chart(l2.DUNLIN)
    before = chart.table["date"] < pd.Timestamp(f"1 {l2.change_started(l2.DUNLIN)}")
    # the median is the before months' median, extended over the later months
    assert chart.summary["centre"] == pytest.approx(chart.table.loc[before, "value"].median())


def test_start_page_exercise_answer_is_read_off_the_chart():
    from safercare.lessons import start_here

    chart = start_here.start_chart()
    cell = _cell_with(_nb(0), "latest_answer(chart)")
    assert start_here.latest_answer(chart) in _outputs(cell)
    last = chart.table.iloc[-1]
    side = "above" if last["value"] > last["centre"] else "below"
    assert f": {side} the centre line" in start_here.latest_answer(chart)


def test_lesson_1_says_the_drop_from_changing_definitions_as_the_counts_give_it():
    text = " ".join(" ".join(c.source.split()) for c in _nb(1).cells
                    if c.cell_type == "markdown")
    incidents = measures.synthetic_falls()
    risk, ward = (measures.count_falls(incidents, l1.MEETING_DEFINITIONS[name])
                  for name in ("Risk team", "Ward manager"))
    assert "by a fifth overnight" in text and round(5 * (risk - ward) / risk) == 1
