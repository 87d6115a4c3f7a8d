"""Lessons 12 (the paper helicopter) and 13 (workshop mode): the lesson shape, figures whose
alt text is the package's words, explorations that respond in the static book, exercises with
checks and hidden solutions, facilitator pages and handouts, and the properties the lessons
claim, held to the simulators' results. (nbval runs the notebooks: ``pytest notebooks/12-...``;
``tests/test_print.py`` prints every handout, the template and the flight record on A4.)"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from notebook_tools import SECTIONS, SYLLABUS_DOMAINS, alt_text
from notebook_tools import cell_tags as _tags
from notebook_tools import code_cells as _code
from notebook_tools import exercise_titles as _exercises
from notebook_tools import markdown_text as _markdown

from safercare.games import helicopter, team_game
from safercare.lessons import the_paper_helicopter as l12
from safercare.lessons import workshop_mode as l13
from safercare.lessons.answer_keys import BOOK_WORDS, book_words
from safercare.widgets.explore import MAX_STATES

ROOT = Path(__file__).resolve().parents[1]
LESSONS = {12: "12-the-paper-helicopter", 13: "13-workshop-mode-learning-across-teams"}
MODULES = {12: l12, 13: l13}
FORMULA = re.compile(r"\bnp\.|import numpy|\.mean\(|\.std\(|\.var\(|\.median\(|\bsqrt\b|"
                     r"\.diff\(|\.quantile\(")
IN_WORDS = "In words: "
lessons = pytest.mark.parametrize("n", sorted(LESSONS))


def _nb(n: int) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "notebooks" / f"{LESSONS[n]}.ipynb", as_version=4)


def _outputs_text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in _code(nb):
        for o in cell.outputs:
            data = o.get("data", {})
            parts.append(data.get("text/markdown", "") or data.get("text/plain", ""))
    return "\n".join(parts)


def _page(n: int) -> str:
    return (ROOT / "book" / "trainers" / f"{LESSONS[n]}.md").read_text()


# --- the notebooks ---------------------------------------------------------------------

@lessons
def test_lesson_shape_in_order(n):
    text = _markdown(_nb(n))
    assert text.lstrip().startswith(f"# Lesson {n}:")
    positions = [text.find(s) for s in SECTIONS]
    assert -1 not in positions, [s for s, p in zip(SECTIONS, positions, strict=True) if p < 0]
    assert positions == sorted(positions)


@lessons
def test_metadata_syllabus_domains_and_learning_time(n):
    nb = _nb(n)
    meta = nb.metadata["safercare"]
    assert meta["lesson"] == n and meta["part"] == "Testing changes (PDSA)"
    assert meta["syllabus_domains"] and set(meta["syllabus_domains"]) <= SYLLABUS_DOMAINS
    assert 20 <= meta["learning_time_minutes"] <= 45
    first = nb.cells[0]
    assert f"learning-time-{meta['learning_time_minutes']}-minutes" in _tags(first)
    assert f"about {meta['learning_time_minutes']} minutes" in first.source


@lessons
def test_every_code_cell_was_run_without_error(n):
    for cell in _code(_nb(n)):
        assert cell.execution_count is not None, cell.source[:60]
        assert not [o for o in cell.outputs if o.output_type == "error"
                    or (o.output_type == "stream" and o.name == "stderr")], cell.source[:60]


@lessons
def test_every_figure_has_alt_text_matching_its_words(n):
    figures = 0
    for cell in _code(_nb(n)):
        if not any("image/png" in o.get("data", {}) for o in cell.outputs):
            continue
        figures += 1
        words = [o.data["text/plain"] for o in cell.outputs
                 if o.get("data", {}).get("text/plain", "").startswith(IN_WORDS)]
        assert len(words) == 1 and alt_text(cell.metadata) == words[0][len(IN_WORDS):]
        assert "nbval-check-output" in _tags(cell)
    assert figures >= 1


@lessons
def test_explorations_respond_in_the_static_book(n):
    cells = [c for c in _code(_nb(n)) if any(
        'class="sc-explore"' in "".join(o.get("data", {}).get("text/html", ""))
        for o in c.outputs)]
    assert cells and all("hide-input" in _tags(c) for c in cells)
    explorers = ([l12.one_helicopter_explorer(), l12.plan_explorer()] if n == 12
                 else [l13.rounds_explorer()])
    assert len(cells) == len(explorers)
    for explorer in explorers:
        assert explorer.n_states <= MAX_STATES
        assert explorer.inert_controls() == []


@lessons
def test_no_formula_and_code_hidden_unless_it_is_an_exercise(n):
    for cell in _code(_nb(n)):
        assert not FORMULA.search(cell.source), cell.source
        if "hide-input" not in _tags(cell):
            assert "check_" in cell.source and '"..."' in cell.source, cell.source


@lessons
def test_exercises_have_checks_in_the_lesson_module_and_hidden_solutions(n):
    nb = _nb(n)
    text = _markdown(nb)
    found = _exercises(nb)
    assert len(found) >= 2 and len(found) == text.count(":::{exercise}")
    assert [t.split(":")[0] for t in found.values()] == [f"{n}.{k}" for k in
                                                          range(1, len(found) + 1)]
    for label in found:
        assert re.search(r":::\{solution-start\} " + re.escape(label) + r"\n:class: dropdown",
                         text), label
    checks = [c for c in _code(nb) if "check_" in c.source and "hide-input" not in _tags(c)]
    assert len(checks) == len(found)
    for cell in checks:  # unanswered, each check invites an answer
        assert "Your turn." in _outputs_text(nbformat.v4.new_notebook(cells=[cell]))
        for name in re.findall(r"\b(check_\w+)\(", cell.source):
            assert hasattr(MODULES[n], name), name


@lessons
def test_key_numbers_are_checked_by_nbval(n):
    checked = [c for c in _code(_nb(n)) if "nbval-check-output" in _tags(c)]
    assert len(checked) >= 4 and all(c.outputs for c in checked)


@lessons
def test_glossary_terms_citations_and_links_exist(n):
    text = _markdown(_nb(n)) + _page(n)
    glossary = (ROOT / "book" / "glossary.md").read_text()
    terms = {t.strip().lower() for t in re.findall(r"^(\S[^\n]*)\n  \S", glossary, re.M)}
    for shown, target in re.findall(r"\{term\}`([^`<]+?)(?: <([^>]+)>)?`", text):
        assert (target or shown).strip().lower() in terms, target or shown
    bib = (ROOT / "book" / "references.bib").read_text()
    keys = set(re.findall(r"^@\w+\{([^,]+),", bib, re.M))
    cited = {k.strip() for group in re.findall(r"\{cite:[pt]\}`([^`]+)`", text)
             for k in group.split(",")}
    assert cited and cited <= keys, cited - keys
    for doc in re.findall(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", text):
        if doc.startswith("handouts/"):
            doc = "/book/trainers/" + doc
        assert (ROOT / (doc.lstrip("/") + ".md")).exists() or \
            (ROOT / (doc.lstrip("/") + ".ipynb")).exists(), doc


def test_lesson_12_prints_the_packages_words():
    shown = _outputs_text(_nb(12))
    for words in (l12.comparison_words(), l12.replicate_words(),
                  l12.check_interaction("yes").message):
        assert words in shown
    log = l12.ofat_log()
    for sentence in log.prediction_vs_result()["in_words"]:
        assert sentence in shown


def test_lesson_13_prints_the_packages_words():
    shown = _outputs_text(_nb(13))
    results = l13.room()
    assert l13.room_words(results) in shown
    for team in results["team"].unique():
        assert l13.team_words(results, team) in shown


# --- what lesson 12 claims about the helicopter ----------------------------------------

def test_one_factor_at_a_time_misses_the_best_design_the_factorial_finds():
    assert l12.ofat_answer() != l12.true_best()
    assert helicopter.best_design(l12.factorial()) == l12.true_best()
    assert l12.true_best()["paper_clip"] == 1.0 and l12.true_best()["wing_length"] == 11.0
    assert "could not find the best design" in l12.comparison_words()


def test_the_interaction_is_clear_and_replicates_are_what_measure_noise():
    assert l12.interaction_exists()
    assert np.isnan(l12.effects(replicates=1)["se"]).all()
    assert (l12.effects()["se"] > 0).all()
    words = l12.interaction_words()
    table = l12.effects().set_index("term")
    assert f"{table.loc[l12.INTERACTION, 'effect']:.2f} s" in words


def test_the_team_log_is_a_valid_pdsa_log_of_linked_cycles():
    log = l12.ofat_log()
    frame = log.to_frame()
    assert list(frame["cycle_id"]) == ["C1", "C2", "C3"]
    assert list(frame["builds_on"]) == ["", "C1", "C2"]
    assert len(log.missed_predictions()) == 0 and not log.notes
    runs = l12.ofat()
    for step, row in zip((1, 2, 3), frame.itertuples(), strict=True):
        part = runs[runs["step"] == step]
        changed = part[~part["kept"]] if row.decision == "abandon" else part[part["kept"]]
        assert row.result_value == pytest.approx(changed["flight_time"].mean(), abs=0.005)
    assert len(l12.factorial_log().to_frame()) == 1


def test_lesson_12_checks_accept_the_answer_and_explain_the_wrong_ones():
    key = l12.expected_answers()
    assert l12.check_best_design(str(key["12.1"])).correct
    assert l12.check_best_design(f"design {key['12.1']}").correct
    wrong = next(d for d in range(1, 9) if d != key["12.1"])
    assert not l12.check_best_design(str(wrong)).correct
    assert "1 to 8" in l12.check_best_design("12").message
    assert not l12.check_best_design("...").answered
    assert key["12.2"] == 16 and l12.check_factorial_drops("16 drops").correct
    assert "number of designs" in l12.check_factorial_drops("8").message
    assert l12.check_interaction("Yes").correct and not l12.check_interaction("no").correct
    assert "yes" in l12.check_interaction("maybe").message


def test_one_helicopter_explorer_adds_drops_to_the_same_ones():
    three = l12.one_helicopter_view({"wing": 9.0, "body": 4.0, "paper": 80.0, "clip": True,
                                     "drops": 3}).table
    five = l12.one_helicopter_view({"wing": 9.0, "body": 4.0, "paper": 80.0, "clip": True,
                                    "drops": 5}).table
    assert list(five["Flight time (s)"].head(3)) == list(three["Flight time (s)"])
    one = l12.one_helicopter_view({"wing": 9.0, "body": 4.0, "paper": 80.0, "clip": True,
                                   "drops": 1})
    assert "drop it again" in one.words


def test_helicopter_template_matches_the_simulators_paper():
    """The printed strip is the helicopter the model flies: 8 cm of wings, a 12 cm² hub, a
    3 cm body, and the factorial's wing and body lengths marked (all in millimetres)."""
    page = (ROOT / "book/trainers/handouts/12-helicopter-template.md").read_text()
    rects = [tuple(float(v) for v in r) for r in re.findall(
        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', page)]
    wings, hub, body = rects
    assert wings[2] == 80 and hub[2] * hub[3] / 100 == 12 and body[2] == 30
    assert hub[1] == wings[1] + wings[3] and body[1] == hub[1] + hub[3]
    short, long_ = helicopter.FACTORIAL_LEVELS["wing_length"]
    assert wings[3] == long_ * 10
    dashed = [float(y) for y in re.findall(r'y1="([\d.]+)" x2="[\d.]+" y2="\1" '
                                           r'stroke-dasharray="2 1.5"', page)]
    hub_top = hub[1]
    assert hub_top - dashed[0] == short * 10
    low, high = helicopter.FACTORIAL_LEVELS["body_length"]
    assert dashed[1] - body[1] == low * 10 and body[3] == high * 10
    assert 'role="img"' in page and "<title" in page and "<desc" in page


# --- what lesson 13 claims about the room ----------------------------------------------

def test_the_room_signals_and_misled_adoptions_come_from_the_results():
    results = l13.room()
    chart = l13.run_charts(results)
    for team in results["team"].unique():
        said = chart.describe(group=team)
        assert (team in l13.signalled(chart)) == ("No signals" not in said)
    truth = team_game.CHANGE_IDEAS[l13.GAME]
    adopted = results[results["decision"] == "adopt"]
    assert l13.misled_adoptions(results) == int(adopted["change"].map(truth).le(1).sum())
    assert 0 < l13.misled_adoptions(results) < len(adopted)


def test_lesson_13_checks_accept_the_answer_and_explain_the_wrong_ones():
    key = l13.expected_answers()
    assert l13.check_signals(str(key["13.1"])).correct
    assert not l13.check_signals(str(key["13.1"] + 1)).correct
    assert l13.check_misled(key["13.2"]).correct and not l13.check_misled("0").correct
    assert l13.check_most_adopted(key["13.3"][0].split()[0]).correct
    assert not l13.check_most_adopted("tablecloth").correct
    assert not l13.check_signals("...").answered


def test_rounds_explorer_grows_round_by_round():
    words = [l13.rounds_view(step).words for step in range(4)]
    assert "ready to play" in words[0]
    assert [f"played {5 * k} rounds each" in w for k, w in enumerate(words) if k] == [True] * 3


def test_handout_change_ideas_are_the_games_catalogue():
    handout = (ROOT / "book/trainers/handouts/13-workshop-mode-learning-across-teams.md"
               ).read_text()
    for idea in team_game.CHANGE_IDEAS["coin_spin"]:
        assert idea in handout, idea


def test_live_page_commands_are_the_readmes_own():
    """The commands a trainer types are exactly the README's, in its team game section."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Run the PDSA team game", 1)[1].split("\n## ", 1)[0]
    wanted = re.findall(r"^\S*python -m safercare\.games\.team_game .+$", section, re.M)
    assert len(wanted) == 2 and "--facilitator" in wanted[1]
    for text in (_markdown(_nb(13)), _page(13)):
        commands = re.findall(r"^\S*python -m safercare\.games\.team_game .+$", text, re.M)
        assert commands == wanted
        assert "computer running the course" in text


# --- facilitator pages and handouts ----------------------------------------------------

PAGE_SECTIONS = ["## Who it suits", "## Timed plan", "## What to prepare", "## How to run",
                 "## Discussion prompts", "## Answers to the exercises",
                 "## Common misconceptions"]


@lessons
def test_facilitator_page_has_every_part(n):
    page = _page(n)
    for section in PAGE_SECTIONS:
        assert section in page, section
    assert f"{{doc}}`/notebooks/{LESSONS[n]}`" in page
    assert f"{{doc}}`handouts/{LESSONS[n]}`" in page
    assert "simulator" in page.lower()


@lessons
def test_timed_plan_fits_60_to_90_minutes(n):
    plan = _page(n).split("## Timed plan", 1)[1].split("\n## ", 1)[0]
    minutes = [int(m) for m in re.findall(r"^\| \d:\d\d \| (\d+) \|", plan, re.M)]
    assert len(minutes) >= 5 and 60 <= sum(minutes) <= 90
    starts = [int(h) * 60 + int(m) for h, m in re.findall(r"^\| (\d):(\d\d) \|", plan, re.M)]
    assert starts == [sum(minutes[:i]) for i in range(len(minutes))]
    assert f"({sum(minutes)} minutes)" in _page(n)


@lessons
def test_facilitator_page_answers_every_exercise_with_course_values(n):
    answers = _page(n).lower().split("## answers to the exercises", 1)[1].split("\n## ", 1)[0]
    for title in _exercises(_nb(n)).values():
        assert title.lower().rstrip("?") in answers, title
    keys = re.findall(r"\{course\}`([^`]+)`", _page(n))
    assert len(keys) >= len(_exercises(_nb(n)))
    for key in keys:
        assert key in BOOK_WORDS and book_words(key)


def test_answer_key_words_are_the_checks_own():
    assert book_words("l12-best") == l12.check_best_design(l12.best_factorial_design()).message
    assert book_words("l13-misled") == l13.check_misled(l13.misled_adoptions(l13.room())).message
    assert book_words("l12-compare") == l12.comparison_words()


@lessons
def test_handout_is_one_short_page(n):
    handout = (ROOT / "book" / "trainers" / "handouts" / f"{LESSONS[n]}.md").read_text()
    assert handout.startswith("# Handout: ")
    assert len(handout.split()) <= 520
    assert "**Take away:**" in handout


def test_toc_lists_lessons_and_trainer_pages_in_order():
    toc = (ROOT / "_toc.yml").read_text()
    part = toc.index("caption: Testing changes (PDSA)")
    at = [toc.index(f"file: notebooks/{name}\n") for name in LESSONS.values()]
    assert part < toc.index("file: book/testing-changes\n") < at[0] < at[1]
    for before in ("11-pdsa-done-properly",):
        assert toc.index(f"file: notebooks/{before}\n") < at[0]
    assert at[1] < toc.index("file: notebooks/14-spread-and-sustain\n")
    trainers = toc.index("caption: For trainers")
    for name in LESSONS.values():
        page = toc.index(f"file: book/trainers/{name}\n")
        assert trainers < page < toc.index(f"file: book/trainers/handouts/{name}\n")
    for sheet in ("12-helicopter-template", "12-flight-record"):
        assert toc.index("file: book/trainers/12-the-paper-helicopter\n") < toc.index(
            f"file: book/trainers/handouts/{sheet}\n")


def test_lesson_12_story_numbers_are_the_lessons_settings():
    text = " ".join(_markdown(_nb(12)).split())
    start = helicopter.START
    assert (f"({start['wing_length']:g} cm wings, {start['body_length']:g} cm body, "
            f"{start['paper_gsm']:g} g/m² printer paper, no clip)") in text
    assert start["paper_clip"] == 0 and l12.LEVELS["wing_length"][0] == start["wing_length"]
    assert f"longer wings ({l12.LEVELS['wing_length'][1]:g} cm)" in text
    assert f"thicker paper ({l12.LEVELS['paper_gsm'][1]:g} g/m²)" in text
    # "the team abandoned it ... abandoned them too": both cycles were abandoned
    assert set(l12.ofat_log().to_frame()["decision"]) == {"abandon"}


def test_the_clip_shortens_short_wings_and_lengthens_long_ones():
    """What the handout and the lesson say, in the model and in the lesson's flights."""
    short, long_ = l12.LEVELS["wing_length"]
    model = helicopter.expected_flight_time
    assert model(short, 4, 80, 1) < model(short, 4, 80, 0)
    assert model(long_, 4, 80, 1) > model(long_, 4, 80, 0)
    gains = re.findall(r"by ([+-]\d\.\d\d) s", l12.interaction_words())
    assert float(gains[0]) < 0 < float(gains[1])


def test_lesson_13_story_numbers_are_the_lessons_room():
    text = _markdown(_nb(13))
    words = {6: "six", 15: "fifteen", 5: "five"}
    assert f"{words[l13.TEAMS]} teams, {words[l13.ROUNDS]} rounds" in text
    assert f"play {words[l13.ROUNDS_PER_STEP]} rounds at a time" in text
    assert l13.GAME == "coin_spin" and "coin spin" in text


def test_commands_are_shown_as_plain_text_not_highlighted_code():
    """A command block without a language is highlighted as Python, whose number colours
    fail axe's colour-contrast rule; ```text keeps it plain."""
    for text in (_markdown(_nb(13)), _page(13)):
        fences = [line[3:] for line in text.splitlines() if line.startswith("```")]
        opening = fences[::2]  # fences alternate: opening, closing
        assert opening and all(f == "text" for f in opening), opening
