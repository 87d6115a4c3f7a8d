"""Lesson 41 (Risk in plain words): the lesson shape, words that come from the package's
results, exercises that read the numbers a learner types, the exploration, the reading grade
of the parts written for patients, and its facilitator page and handout."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from notebook_tools import SECTIONS, SYLLABUS_DOMAINS, alt_text
from notebook_tools import cell_tags as _tags
from notebook_tools import code_cells as _code
from notebook_tools import markdown_text as _markdown

from safercare import risk
from safercare.lessons import answer_keys
from safercare.lessons import risk_in_plain_words as lesson
from safercare.priorities.readability import readability

ROOT = Path(__file__).resolve().parents[1]
NAME = "41-risk-in-plain-words"
NB = ROOT / "notebooks" / f"{NAME}.ipynb"
TRAINER = ROOT / "book" / "trainers" / f"{NAME}.md"
HANDOUT = ROOT / "book" / "trainers" / "handouts" / f"{NAME}.md"
#: Patient-readable prose: Flesch-Kincaid grade 7 or lower (a reading age of about 12).
MAX_GRADE = 7.0
IN_WORDS = "In words: "
FORMULA = re.compile(r"\bnp\.|import numpy|\.mean\(|\bsqrt\b|/ 100\b|\* 100\b|1 - ")


def _nb() -> nbformat.NotebookNode:
    return nbformat.read(NB, as_version=4)


def _shown(nb: nbformat.NotebookNode) -> str:
    return "\n".join("".join(o.get("data", {}).get(kind, "")) for c in _code(nb)
                     for o in c.outputs for kind in ("text/markdown", "text/plain"))


def _exercises(text: str) -> dict[str, str]:
    return {label: title.strip() for title, label in
            re.findall(r":::\{exercise\} (.+)\n:label: (\S+)\n:nonumber:", text)}


def test_lesson_shape_metadata_and_learning_time():
    nb = _nb()
    text = _markdown(nb)
    assert text.lstrip().startswith("# Lesson 41: Risk in plain words")
    positions = [text.find(s) for s in SECTIONS]
    assert -1 not in positions and positions == sorted(positions)
    meta = nb.metadata["safercare"]
    assert meta["lesson"] == 41 and meta["part"] == "Topics chosen with patients"
    assert set(meta["syllabus_domains"]) <= SYLLABUS_DOMAINS
    first = nb.cells[0]
    assert f"learning-time-{meta['learning_time_minutes']}-minutes" in _tags(first)
    assert f"about {meta['learning_time_minutes']} minutes" in first.source


def test_every_code_cell_ran_cleanly_and_code_is_hidden_unless_an_exercise():
    for cell in _code(_nb()):
        assert cell.execution_count is not None, cell.source[:60]
        assert not [o for o in cell.outputs if o.output_type == "error"
                    or (o.output_type == "stream" and o.name == "stderr")], cell.source[:60]
        assert not FORMULA.search(cell.source), cell.source
        if "hide-input" not in _tags(cell):
            assert "check_" in cell.source and 'my_answer = "..."' in cell.source


def test_every_figure_has_alt_text_from_the_numbers():
    figures = 0
    for cell in _code(_nb()):
        if not any("image/png" in o.get("data", {}) for o in cell.outputs):
            continue
        figures += 1
        words = [o.data["text/plain"] for o in cell.outputs
                 if o.get("data", {}).get("text/plain", "").startswith(IN_WORDS)]
        assert alt_text(cell.metadata) == words[0][len(IN_WORDS):]
        assert "nbval-check-output" in _tags(cell)
    assert figures == 2
    shown = _shown(_nb())
    assert lesson.stroke_figure().alt_text in shown
    assert lesson.one_in_a_thousand().alt_text in shown


def test_sentences_come_from_the_package():
    shown = _shown(_nb())
    for words in (lesson.consent_words(), lesson.stroke_words(), lesson.framing_words(),
                  lesson.audit_words()):
        assert words in shown, words[:80]
    c = lesson.stroke_comparison()
    assert (c.risk_without, round(c.risk_with, 9), c.nnt) == (0.04, 0.03, 100)
    assert "between about 1 and 4 in 100" in lesson.audit_words()
    low, high = risk.wilson_interval(lesson.AUDIT["events"], lesson.AUDIT["people"])
    assert (round(low * 100), round(high * 100)) == (1, 4)


def test_the_exploration_is_precomputed_and_each_state_differs():
    explorer = lesson.risk_explorer()
    assert explorer.n_states == len(lesson.BASELINES) * len(lesson.REDUCTIONS)
    html = explorer._repr_html_()
    assert 'class="sc-explore"' in html and "<script" in html
    for b in lesson.BASELINES:
        for r in lesson.REDUCTIONS:
            view = lesson.risk_view(b, r)
            c = lesson.stroke_comparison(b / 100, r)
            without, with_ = c.counts()
            assert view.words == c.words()
            assert view.figure.alt_text.count("An icon array of 100 people") == 2
            alt = view.figure.alt_text
            for n, kind in ((without, "filled"), (with_, "filled"),
                            (without - with_, "striped")):
                assert re.search(rf"\b{n} {kind} person icons?:", alt), (n, kind, alt)
    words = {lesson.risk_view(b, r).words for b in lesson.BASELINES for r in lesson.REDUCTIONS}
    assert len(words) == explorer.n_states
    cell = next(c for c in _code(_nb()) if "risk_explorer()" in c.source)
    assert "hide-input" in _tags(cell)
    assert any('class="sc-explore"' in "".join(o.get("data", {}).get("text/html", ""))
               for o in cell.outputs)


@pytest.mark.parametrize(("check", "right", "wrong"), [
    (lesson.check_infection, ["2 in 100", "20 in 1,000", "1 in 50", "about 200 in 10,000"],
     ["2%", "3 in 100", "98 in 100", "2 in 1,000"]),
    (lesson.check_avoided, ["1 in 100", "10 in 1,000"],
     ["25 in 100", "3 in 100", "4 in 100", "1%"]),
    (lesson.check_framing, ["3 in 100", "30 in 1,000"], ["97 in 100", "3%", "1 in 100"]),
])
def test_exercises_read_the_numbers_and_judge_equivalence(check, right, wrong):
    for answer in right:
        assert check(answer).correct, answer
    for answer in wrong:
        feedback = check(answer)
        assert not feedback.correct and feedback.answered, answer
    assert not check("...").answered
    assert "Type it like" in check("no idea").message


def test_wrong_answers_get_a_hint_that_names_the_slip():
    assert "relative change" in lesson.check_avoided("25 in 100").message
    assert "risk with the tablet" in lesson.check_avoided("3 in 100").message
    assert "percentage" in lesson.check_infection("2%").message
    assert "survive" in lesson.check_framing("97 in 100").message


def test_each_solution_gives_the_answer_the_package_works_out():
    text = _markdown(_nb())
    a = lesson.answers()
    for label, key in (("l41-infection", "41.1"), ("l41-avoided", "41.2"),
                       ("l41-framing", "41.3")):
        solution = text.split(":::{solution} " + label, 1)[1].split("\n:::", 1)[0]
        assert f'my_answer = "{a[key]}"' in solution, label


def test_exercises_are_numbered_with_checks_and_hidden_solutions():
    nb = _nb()
    text = _markdown(nb)
    found = _exercises(text)
    assert [t.split(":")[0] for t in found.values()] == ["41.1", "41.2", "41.3"]
    for label in found:
        assert re.search(r":::\{solution\} " + label + r"\n:class: dropdown", text), label
    names = set(re.findall(r"\b(check_\w+)\(", "\n".join(c.source for c in _code(nb))))
    assert names == {"check_infection", "check_avoided", "check_framing"}
    # the example in the instructions never gives the answer away
    for title_text in re.findall(r":::\{exercise\}.*?:::", text, re.S):
        assert '"2 in 100"' not in title_text and '"1 in 100"' not in title_text
        assert '"3 in 100"' not in title_text


def test_glossary_terms_citations_and_links_exist():
    text = _markdown(_nb())
    glossary = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    terms = {t.strip().lower() for t in re.findall(r"^(\S[^\n]*)\n  \S", glossary, re.M)}
    for shown, target in re.findall(r"\{term\}`([^`<]+?)(?: <([^>]+)>)?`", text):
        assert (target or shown).strip().lower() in terms, target or shown
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"^@\w+\{([^,]+),", bib, re.M))
    pages = text + TRAINER.read_text(encoding="utf-8")
    cited = {k.strip() for group in re.findall(r"\{cite:[pt]\}`([^`]+)`", pages)
             for k in group.split(",")}
    assert {"gigerenzer2007", "akl2011", "nice2021ng197", "montgomery2015"} <= cited <= keys


def test_patient_readable_cells_are_grade_7_or_lower():
    cells = [c for c in _nb().cells if "patient-readable" in _tags(c)]
    assert len(cells) >= 8
    text = "\n\n".join(c.source for c in cells)
    r = readability(text)
    print(f"{NAME} patient-readable cells: {r.words} words, Flesch-Kincaid grade {r.grade}, "
          f"reading ease {r.reading_ease}")
    assert r.words > 400 and r.grade <= MAX_GRADE, r
    for cell in cells:  # no one cell hides behind the average
        assert readability(cell.source).grade <= MAX_GRADE + 1, cell.source[:60]


def test_the_generated_plain_words_are_grade_7_or_lower():
    text = "\n\n".join([lesson.framing_words(), lesson.audit_words(),
                        lesson.stroke_comparison().absolute_words(),
                        lesson.stroke_comparison().nnt_words()])
    assert readability(text, markdown=False).grade <= MAX_GRADE


# --- facilitator page and handout ------------------------------------------------------

PAGE_SECTIONS = ["## Who it suits", "## Timed plan", "## What to prepare", "## How to run",
                 "## Discussion prompts", "## Answers to the exercises",
                 "## Common misconceptions"]


def test_facilitator_page_has_every_part_a_timed_plan_and_every_answer():
    page = TRAINER.read_text(encoding="utf-8")
    for section in PAGE_SECTIONS:
        assert section in page, section
    assert f"{{doc}}`/notebooks/{NAME}`" in page and f"{{doc}}`handouts/{NAME}`" in page
    plan = page.split("## Timed plan", 1)[1].split("\n## ", 1)[0]
    minutes = [int(m) for m in re.findall(r"^\| \d:\d\d \| (\d+) \|", plan, re.M)]
    assert len(minutes) >= 5 and 60 <= sum(minutes) <= 90
    starts = [int(h) * 60 + int(m) for h, m in re.findall(r"^\| (\d):(\d\d) \|", plan, re.M)]
    assert starts == [sum(minutes[:i]) for i in range(len(minutes))]
    answers = page.split("## Answers to the exercises", 1)[1].split("\n## ", 1)[0].lower()
    for title in _exercises(_markdown(_nb())).values():
        assert title.lower() in answers, title
    for key in ("l41-infection", "l41-avoided", "l41-avoided-nnt", "l41-framing", "l41-audit"):
        assert f"{{course}}`{key}`" in page, key


def test_the_course_values_on_the_pages_are_the_lessons_answers():
    a = lesson.answers()
    assert answer_keys.book_words("l41-infection") == a["41.1"] == "2 in 100"
    assert answer_keys.book_words("l41-avoided") == a["41.2"] == "1 in 100"
    assert answer_keys.book_words("l41-framing") == a["41.3"] == "3 in 100"
    assert answer_keys.book_words("l41-avoided-nnt") == a["41.2-nnt"]
    assert answer_keys.book_words("l41-audit") == lesson.audit_words()
    for answer, check in ((a["41.1"], lesson.check_infection), (a["41.2"], lesson.check_avoided),
                          (a["41.3"], lesson.check_framing)):
        assert check(answer).correct


def test_handout_is_one_short_page():
    handout = HANDOUT.read_text(encoding="utf-8")
    assert handout.startswith("# Handout: ") and "**Take away:**" in handout
    assert len(handout.split()) <= 520
    r = readability(handout)
    assert r.grade <= MAX_GRADE + 1, r


def test_toc_places_the_lesson_in_its_part_and_the_pages_under_for_trainers():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    part = toc.index("caption: Topics chosen with patients")
    assert toc.index("caption: Patients and priorities") < part
    lesson_at = toc.index(f"file: notebooks/{NAME}\n")
    assert part < lesson_at < toc.index("caption: For trainers")
    trainers = toc.index("caption: For trainers")
    page = toc.index(f"file: book/trainers/{NAME}\n")
    assert trainers < page < toc.index(f"file: book/trainers/handouts/{NAME}\n")


def test_typed_numbers_are_echoed_as_typed_and_long_pastes_are_refused():
    half = lesson.check_infection("2.5 in 100")
    assert not half.correct and "2.5 in 100" in half.message and "whole" in half.message
    assert lesson.check_infection("2.0 in 100").correct
    assert "1,000" in lesson.check_infection("20 in 1,000").message
    feedback = lesson.check_infection("2 in 100 " * 200)
    assert not feedback.correct and "Type it like" in feedback.message
    assert lesson.check_avoided("1 in 100 ").correct


def test_every_frequency_typed_in_the_lesson_is_one_the_package_works_out():
    """Numbers in the prose are the consent form's, worked out by the package, or examples."""
    text = _markdown(_nb())
    c = lesson.stroke_comparison()
    form = lesson.CONSENT
    worked_out = {
        risk.natural_frequency(v, d, people="")
        for v in (form["infection"]["risk"], c.risk_without, c.risk_with, c.difference,
                  form["survival"]["risk"], 1 - form["survival"]["risk"])
        for d in (100, 1_000)
    } | {"1 in 50"}  # the infection risk with another denominator (exercise 41.1's solution)
    examples = {"5 in 100", "50 in 1,000",  # how to type an answer (never an answer)
                "10 in 100",  # NICE NG197's own example of a natural frequency
                "1 in 33",  # the mixed-denominator trap, beside "3 in 100"
                "1 in 1,000"}  # the crowd table's heading
    typed = set(re.findall(r"\b\d[\d,]* in [\d,]+\b", text))
    assert typed <= worked_out | examples, typed - worked_out - examples
