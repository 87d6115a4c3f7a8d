"""Structure and honesty checks for lessons 1-4 (notebooks), their facilitator pages and
handouts: the lesson shape, tags, alt text that matches the package's own description, no
formulas in notebooks, exercises with checks and hidden solutions, and references that
exist. (nbval runs the notebooks themselves: ``pytest notebooks/01-...ipynb``.)"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from notebook_tools import SECTIONS, SYLLABUS_DOMAINS, alt_text, set_alt_text
from notebook_tools import cell_tags as _tags
from notebook_tools import code_cells as _code
from notebook_tools import markdown_text as _markdown

from safercare.games import measures
from safercare.lessons import measuring_what_matters as l1
from safercare.lessons import spc_the_making_data_count_way as l3
from safercare.lessons import tampering as l4
from safercare.lessons import variation_and_run_charts as l2

ROOT = Path(__file__).resolve().parents[1]
LESSONS = {
    1: "01-measuring-what-matters",
    2: "02-variation-and-run-charts",
    3: "03-spc-the-making-data-count-way",
    4: "04-tampering",
}
#: Code that would mean a notebook computes a statistic itself instead of calling the package.
FORMULA = re.compile(r"\bnp\.|import numpy|\.mean\(|\.std\(|\.var\(|\.median\(|\bsqrt\b|"
                     r"\b2\.66\b|\b3\.267\b|\b1\.128\b|\.diff\(|\.quantile\(")
IN_WORDS = "In words: "


def _nb(n: int) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "notebooks" / f"{LESSONS[n]}.ipynb", as_version=4)


def _exercises(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Exercise label -> title."""
    text = _markdown(nb)
    return {label: title.strip() for title, label in
            re.findall(r":::\{exercise\} (.+)\n:label: (\S+)\n:nonumber:", text)}


lessons = pytest.mark.parametrize("n", sorted(LESSONS))


@lessons
def test_lesson_shape_in_order(n):
    text = _markdown(_nb(n))
    assert text.lstrip().startswith("# Lesson")
    positions = [text.find(s) for s in SECTIONS]
    assert -1 not in positions, [s for s, p in zip(SECTIONS, positions, strict=True) if p < 0]
    assert positions == sorted(positions)


@lessons
def test_metadata_syllabus_domains_and_learning_time(n):
    nb = _nb(n)
    meta = nb.metadata["safercare"]
    assert meta["lesson"] == n and meta["part"] == "Measurement for improvement"
    assert meta["syllabus_domains"] and set(meta["syllabus_domains"]) <= SYLLABUS_DOMAINS
    assert 20 <= meta["learning_time_minutes"] <= 45
    first = nb.cells[0]
    assert any(t.startswith("syllabus-") for t in _tags(first))
    assert f"learning-time-{meta['learning_time_minutes']}-minutes" in _tags(first)
    assert f"about {meta['learning_time_minutes']} minutes" in first.source


@lessons
def test_every_code_cell_was_run_without_error(n):
    for cell in _code(_nb(n)):
        assert cell.execution_count is not None, cell.source[:60]
        assert not [o for o in cell.outputs if o.output_type == "error"
                    or (o.output_type == "stream" and o.name == "stderr")], cell.source[:60]


@lessons
def test_every_figure_has_alt_text_matching_its_description(n):
    figures = 0
    for cell in _code(_nb(n)):
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        if not images:
            continue
        figures += 1
        alt = alt_text(cell.metadata)
        words = [o.data["text/plain"] for o in cell.outputs
                 if o.get("data", {}).get("text/plain", "").startswith(IN_WORDS)]
        assert len(images) == 1 and len(words) == 1, cell.source[:60]
        # the description is the package's describe() output, compared again by nbval
        assert alt == words[0][len(IN_WORDS):] and len(alt) > 40
        assert "nbval-check-output" in _tags(cell)
    assert figures >= 1


@lessons
def test_widgets_are_labelled_ignored_and_followed_by_a_static_view(n):
    cells = _code(_nb(n))
    widgets = 0
    for i, cell in enumerate(cells):
        explorer = any('class="sc-explore"' in "".join(o.get("data", {}).get("text/html", ""))
                       for o in cell.outputs)
        if explorer:  # responds in the book too; its HTML holds every state, so it is checked
            widgets += 1
            assert "hide-input" in _tags(cell)
        if any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for o in cell.outputs):
            widgets += 1
            assert {"hide-input", "nbval-ignore-output"} <= set(_tags(cell))
            after = cells[i + 1:i + 3]
            assert any("nbval-check-output" in _tags(c) for c in after), cell.source
    assert widgets >= 1 or n == 3


@lessons
def test_no_formula_in_notebook_code(n):
    for cell in _code(_nb(n)):
        assert not FORMULA.search(cell.source), cell.source


@lessons
def test_code_is_hidden_unless_it_is_an_exercise(n):
    for cell in _code(_nb(n)):
        if "hide-input" not in _tags(cell):
            assert "check_" in cell.source, cell.source
            assert '"..."' in cell.source or "= []" in cell.source, cell.source


@lessons
def test_key_numbers_are_checked(n):
    checked = [c for c in _code(_nb(n)) if "nbval-check-output" in _tags(c)
               and "lessons.show" not in c.source]
    assert checked and all(c.outputs for c in checked)


@lessons
def test_at_least_two_exercises_each_with_a_check_and_a_hidden_solution(n):
    nb = _nb(n)
    text = _markdown(nb)
    found = _exercises(nb)
    assert len(found) >= 2 and len(found) == text.count(":::{exercise}")
    # numbered within the lesson (n.1, n.2, ...) so the facilitator page can refer to them
    assert [t.split(":")[0] for t in found.values()] == [f"{n}.{k}" for k in
                                                          range(1, len(found) + 1)]
    for label in found:
        # a plain solution, or a gated one (solution-start/-end) holding a cell whose words
        # come from the result
        solution = re.search(r":::\{solution(?:-start)?\} " + re.escape(label)
                             + r"\n:class: dropdown", text)
        assert solution, label
    checks = [c for c in _code(nb) if "check_" in c.source and "hide-input" not in _tags(c)]
    assert len(checks) >= len(found)
    names = set(re.findall(r"\b(check_\w+)\(", "\n".join(c.source for c in checks)))
    # every check a lesson calls lives in that lesson's own module (safercare/lessons/)
    module = {1: l1, 2: l2, 3: l3, 4: l4}[n]
    assert all(hasattr(module, name) for name in names), names


@lessons
def test_glossary_terms_citations_and_links_exist(n):
    text = _markdown(_nb(n))
    glossary = (ROOT / "book" / "glossary.md").read_text()
    terms = {t.strip().lower() for t in re.findall(r"^(\S[^\n]*)\n  \S", glossary, re.M)}
    used = re.findall(r"\{term\}`([^`<]+?)(?: <([^>]+)>)?`", text)
    assert used
    for shown, target in used:
        assert (target or shown).strip().lower() in terms, target or shown
    bib = (ROOT / "book" / "references.bib").read_text()
    keys = set(re.findall(r"^@\w+\{([^,]+),", bib, re.M))
    cited = {k.strip() for group in re.findall(r"\{cite:[pt]\}`([^`]+)`", text)
             for k in group.split(",")}
    assert cited and cited <= keys, cited - keys
    for doc in re.findall(r"\{doc\}`([^`]+)`", text):
        path = doc if doc.startswith("/") else f"/notebooks/{doc}"
        assert any((ROOT / (path.lstrip("/") + ext)).exists() for ext in (".ipynb", ".md")), doc


# --- facilitator pages and handouts ----------------------------------------------------

PAGE_SECTIONS = ["## Who it suits", "## Timed plan", "## What to prepare", "## How to run",
                 "## Discussion prompts", "## Answers to the exercises",
                 "## Common misconceptions"]


@lessons
def test_facilitator_page_has_every_part(n):
    page = (ROOT / "book" / "trainers" / f"{LESSONS[n]}.md").read_text()
    for section in PAGE_SECTIONS:
        assert section in page, section
    assert f"{{doc}}`/notebooks/{LESSONS[n]}`" in page
    assert f"{{doc}}`handouts/{LESSONS[n]}`" in page


@lessons
def test_timed_plan_fits_60_to_90_minutes(n):
    page = (ROOT / "book" / "trainers" / f"{LESSONS[n]}.md").read_text()
    plan = page.split("## Timed plan", 1)[1].split("\n## ", 1)[0]
    minutes = [int(m) for m in re.findall(r"^\| \d:\d\d \| (\d+) \|", plan, re.M)]
    assert len(minutes) >= 5 and 60 <= sum(minutes) <= 90
    starts = re.findall(r"^\| (\d):(\d\d) \|", plan, re.M)
    elapsed = [int(h) * 60 + int(m) for h, m in starts]
    assert elapsed == [sum(minutes[:i]) for i in range(len(minutes))]  # times add up


@lessons
def test_facilitator_page_answers_every_exercise(n):
    page = (ROOT / "book" / "trainers" / f"{LESSONS[n]}.md").read_text().lower()
    answers = page.split("## answers to the exercises", 1)[1].split("\n## ", 1)[0]
    for title in _exercises(_nb(n)).values():
        assert title.lower().rstrip("?") in answers, title


def test_lesson_1_answer_key_matches_the_package():
    page = (ROOT / "book" / "trainers" / f"{LESSONS[1]}.md").read_text()
    incidents = measures.synthetic_falls()
    for question, definition in l1.COUNT_QUESTIONS.items():
        count = measures.count_falls(incidents, definition)
        assert re.search(rf"\({question}\)[^*]*\*\*{count}\*\*", page), (question, count)


def test_lesson_4_answer_key_matches_the_data():
    from safercare import data
    from safercare.games import board_report

    heron = measures.falls_rate(data.load("falls"), ward_id="C07-AT1-W2")
    table = board_report.rag_table(heron, value="rate", date="month", target=6.6)
    worse = int((table["looks"] == "worse").sum())
    page = (ROOT / "book" / "trainers" / f"{LESSONS[4]}.md").read_text()
    # the page prints the package's own sentence ({course} role), never a typed count
    assert "{course}`l4-heron-looks`" in page
    from safercare.lessons.answer_keys import book_words

    assert book_words("l4-heron-looks").startswith(f"{worse} of the {len(table) - 1} ")


@lessons
def test_handout_is_one_short_page(n):
    handout = (ROOT / "book" / "trainers" / "handouts" / f"{LESSONS[n]}.md").read_text()
    assert handout.startswith("# Handout: ")
    assert len(handout.split()) <= 520
    assert "**Take away:**" in handout


def test_toc_lists_lessons_and_trainer_pages_in_order():
    toc = (ROOT / "_toc.yml").read_text()
    notebooks = [toc.index(f"file: notebooks/{name}\n") for name in LESSONS.values()]
    assert notebooks == sorted(notebooks)
    assert toc.index("caption: Measurement for improvement") < notebooks[0]
    assert notebooks[-1] < toc.index("file: notebooks/05-rare-events")
    trainers = toc.index("caption: For trainers")
    for name in LESSONS.values():
        page = toc.index(f"file: book/trainers/{name}\n")
        assert trainers < page < toc.index(f"file: book/trainers/handouts/{name}\n")


def test_lesson_1_story_numbers_match_the_package():
    nb = _nb(1)
    story = next(c.source for c in nb.cells if "## The situation" in c.source)
    incidents = measures.synthetic_falls()
    counts = [measures.count_falls(incidents, d) for d in (
        measures.FallDefinition(),
        measures.FallDefinition(include_assisted=True, people=measures.PEOPLE),
        measures.FallDefinition(min_harm="moderate harm"))]
    assert re.findall(r"says (\d+)", story) == [str(c) for c in counts]


def refresh_alt_text(path: Path) -> int:
    """Copy each figure cell's "In words" output into its alt text metadata.

    Run after re-executing a lesson (``jupyter nbconvert --to notebook --execute
    --inplace``): ``python tests/test_lessons_1_4.py notebooks/0N-....ipynb``. Returns
    the number of figures updated.
    """
    nb = nbformat.read(path, as_version=4)
    updated = 0
    for cell in _code(nb):
        words = [o.data["text/plain"] for o in cell.outputs
                 if o.get("data", {}).get("text/plain", "").startswith(IN_WORDS)]
        if any("image/png" in o.get("data", {}) for o in cell.outputs) and len(words) == 1:
            set_alt_text(cell.metadata, words[0][len(IN_WORDS):])
            updated += 1
    nbformat.write(nb, path)
    return updated


if __name__ == "__main__":
    import sys

    for name in sys.argv[1:]:
        print(f"{name}: alt text refreshed for {refresh_alt_text(Path(name))} figures")


def test_lesson_3_story_and_answer_key_match_the_data():
    """The lesson and its facilitator page describe Vellingford's board in words."""
    from safercare.games import board_report

    board = board_report.board_data("C04-AT1")
    rag = board_report.board_rag(board).set_index("measure")
    assert rag.loc["Falls per 1,000 bed days", ["rag", "looks"]].tolist() == ["green", "better"]
    assert rag.loc["Harm-free care (%)", ["rag", "looks"]].tolist() == ["amber", "worse"]
    assert rag.loc["Sepsis screening (%)", ["rag", "looks"]].tolist() == ["red", "worse"]
    assert round(-rag.loc["Sepsis screening (%)", "change"]) == 12
    assert rag.loc["Medication incidents reported", ["rag", "looks"]].tolist() == [
        "green", "worse"]
    charts = board_report.board_charts(board)
    assert l3.check_icons("improvement", "hit and miss",
                                 charts["Sepsis screening (%)"]).correct
    assert l3.check_board_action("none", board_report.latest_verdicts(charts)).correct


def test_board_action_reads_names_typed_as_one_sentence():
    """Learners who do not write Python lists can type the names between the quotes."""
    verdicts = {"Falls per 1,000 bed days": "concern", "Sepsis screening (%)": "concern",
                "Harm-free care (%)": "common_cause"}
    assert l3.check_board_action("Falls per 1,000 bed days, sepsis screening (%)",
                                        verdicts).correct
    partly = l3.check_board_action("Sepsis screening (%)", verdicts)
    assert not partly.correct and "Falls per 1,000 bed days" in partly.message
    extra = l3.check_board_action(
        "Falls per 1,000 bed days and Sepsis screening (%) and Harm-free care (%)", verdicts)
    assert not extra.correct and "Harm-free care (%)" in extra.message
    assert not l3.check_board_action("Flals", verdicts).correct


def test_lesson_2_story_and_answer_key_match_the_data():
    from safercare import data, spc
    from safercare.games import dice

    falls = data.load("falls")
    dunlin = spc.run_chart(measures.falls_rate(falls, ward_id="C12-AT2-W1"), value="rate",
                           date="month", direction="lower")
    heron = spc.run_chart(measures.falls_rate(falls, ward_id="C07-AT1-W2"), value="rate",
                          date="month", direction="lower")
    assert l2.check_signal("yes", dunlin).correct
    assert l2.check_signal("no", heron).correct
    rates = dice.compare_rules(1000, 20).set_index("chart and rules")["false alarms (%)"]
    assert 15 <= rates["XmR chart, Making Data Count rules"] <= 25  # "about one in five"
