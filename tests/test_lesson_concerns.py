"""Lesson 40 (When a patient or family says "something is wrong") and its dataset: the lesson
shape, words that come from the results, the run chart with the centre fixed or recalculated,
the planted signals of ``family_concerns`` (its answer key), the exercises, the reading grade
of the parts written for patients, the facilitator page and the handout.

The helpers at the top (``lesson_checks``) are shared with lesson 42's tests."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from notebook_tools import SECTIONS, SYLLABUS_DOMAINS, alt_text

from safercare import data
from safercare.lessons import answer_keys
from safercare.lessons import when_a_family_says_something_is_wrong as lesson
from safercare.priorities.readability import readability
from safercare.synth import family_concerns

ROOT = Path(__file__).resolve().parents[1]
NAME = "40-when-a-family-says-something-is-wrong"
#: Patient-readable prose: Flesch-Kincaid grade 7 or lower (a reading age of about 12).
MAX_GRADE = 7.0
IN_WORDS = "In words: "
#: Code that would mean a notebook computes a statistic itself instead of calling the package.
FORMULA = re.compile(r"\bnp\.|import numpy|\.mean\(|\.median\(|\.groupby\(|\bsqrt\b|lstsq")
PAGE_SECTIONS = ["## Who it suits", "## Timed plan", "## What to prepare", "## How to run",
                 "## Discussion prompts", "## Answers to the exercises",
                 "## Common misconceptions"]


# --- helpers shared with tests/test_lesson_staffing.py ---------------------------------
def load(name: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)


def markdown(nb: nbformat.NotebookNode) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def code(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.metadata.get("tags", [])


def shown(nb: nbformat.NotebookNode) -> str:
    return "\n".join("".join(o.get("data", {}).get(kind, "")) for c in code(nb)
                     for o in c.outputs for kind in ("text/markdown", "text/plain", "text/html"))


def exercises(text: str) -> dict[str, str]:
    return {label: title.strip() for title, label in
            re.findall(r":::\{exercise\} (.+)\n:label: (\S+)\n:nonumber:", text)}


def lesson_checks(name: str, number: int, module: object, title: str) -> None:
    """The shape every lesson follows, checked on one notebook."""
    nb = load(name)
    text = markdown(nb)
    assert text.lstrip().startswith(f"# Lesson {number}: {title}")
    positions = [text.find(s) for s in SECTIONS]
    assert -1 not in positions and positions == sorted(positions), positions
    meta = nb.metadata["safercare"]
    assert meta["lesson"] == number and meta["part"] == "Topics chosen with patients"
    assert set(meta["syllabus_domains"]) <= SYLLABUS_DOMAINS
    first = nb.cells[0]
    assert f"learning-time-{meta['learning_time_minutes']}-minutes" in tags(first)
    assert f"about {meta['learning_time_minutes']} minutes" in first.source
    for cell in code(nb):
        assert cell.execution_count is not None, cell.source[:60]
        assert not [o for o in cell.outputs if o.output_type == "error"
                    or (o.output_type == "stream" and o.name == "stderr")], cell.source[:60]
        assert not FORMULA.search(cell.source), cell.source
        if "hide-input" not in tags(cell):  # only exercises show their code
            assert "check_" in cell.source and '= "..."' in cell.source, cell.source
    # every figure: alt text equal to the words printed under it, compared by nbval
    figures = 0
    for cell in code(nb):
        if not any("image/png" in o.get("data", {}) for o in cell.outputs):
            continue
        figures += 1
        words = [o.data["text/plain"] for o in cell.outputs
                 if o.get("data", {}).get("text/plain", "").startswith(IN_WORDS)]
        assert len(words) == 1 and alt_text(cell.metadata) == words[0][len(IN_WORDS):]
        assert "nbval-check-output" in tags(cell) and len(words[0]) > 60
    assert figures >= 2
    # exercises: numbered N.k, each with a check from the lesson's module and a hidden solution
    found = exercises(text)
    assert [t.split(":")[0] for t in found.values()] == [
        f"{number}.{k}" for k in range(1, len(found) + 1)] and len(found) >= 2
    for label in found:
        assert re.search(r":::\{solution\} " + label + r"\n:class: dropdown", text), label
    names = set(re.findall(r"\b(check_\w+)\(", "\n".join(
        c.source for c in code(nb) if "hide-input" not in tags(c))))
    assert len(names) == len(found) and all(hasattr(module, n) for n in names), names
    # glossary terms, citations and links exist
    glossary = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    terms = {t.strip().lower() for t in re.findall(r"^(\S[^\n]*)\n  \S", glossary, re.M)}
    for term, target in re.findall(r"\{term\}`([^`<]+?)(?: <([^>]+)>)?`", text):
        assert (target or term).strip().lower() in terms, target or term
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"^@\w+\{([^,]+),", bib, re.M))
    page = (ROOT / "book" / "trainers" / f"{name}.md").read_text(encoding="utf-8")
    cited = {k.strip() for group in re.findall(r"\{cite:[pt]\}`([^`]+)`", text + page)
             for k in group.split(",")}
    assert cited and cited <= keys, cited - keys
    for doc in re.findall(r"\{doc\}`([^`]+)`", text):
        assert any((ROOT / (doc.lstrip("/") + ext)).exists() for ext in (".ipynb", ".md")), doc


def page_checks(name: str, keys: list[str]) -> None:
    """The facilitator page's parts, its timed plan, every exercise answered, and the handout."""
    page = (ROOT / "book" / "trainers" / f"{name}.md").read_text(encoding="utf-8")
    for section in PAGE_SECTIONS:
        assert section in page, section
    assert f"{{doc}}`/notebooks/{name}`" in page and f"{{doc}}`handouts/{name}`" in page
    plan = page.split("## Timed plan", 1)[1].split("\n## ", 1)[0]
    minutes = [int(m) for m in re.findall(r"^\| \d:\d\d \| (\d+) \|", plan, re.M)]
    assert len(minutes) >= 5 and 60 <= sum(minutes) <= 90
    assert f"({sum(minutes)} minutes)" in page.split("\n## Timed plan", 1)[1].split("\n")[0]
    starts = [int(h) * 60 + int(m) for h, m in re.findall(r"^\| (\d):(\d\d) \|", plan, re.M)]
    assert starts == [sum(minutes[:i]) for i in range(len(minutes))]
    answers = page.split("## Answers to the exercises", 1)[1].split("\n## ", 1)[0].lower()
    for title in exercises(markdown(load(name))).values():
        assert title.lower().rstrip("?") in answers, title
    for key in keys:
        assert f"{{course}}`{key}`" in page, key
        assert answer_keys.book_words(key)
    handout = (ROOT / "book" / "trainers" / "handouts" / f"{name}.md").read_text(encoding="utf-8")
    assert handout.startswith("# Handout: ") and "**Take away:**" in handout
    assert len(handout.split()) <= 520
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    part = toc.index("caption: Topics chosen with patients")
    assert toc.index("caption: Patients and priorities") < part
    assert part < toc.index(f"file: notebooks/{name}\n") < toc.index("caption: For trainers")
    trainers = toc.index("caption: For trainers")
    assert trainers < toc.index(f"file: book/trainers/{name}\n") < toc.index(
        f"file: book/trainers/handouts/{name}\n")


# --- lesson 40 -------------------------------------------------------------------------
def test_lesson_shape_figures_exercises_and_references():
    lesson_checks(NAME, 40, lesson, 'When a patient or family says "something is wrong"')


def test_facilitator_page_and_handout():
    page_checks(NAME, ["l40-40.1", "l40-40.2", "l40-lead", "l40-fixed", "l40-balancing"])


def test_sentences_come_from_the_results():
    text = shown(load(NAME))
    for words in (lesson.review_chart(False).describe(), lesson.review_chart(True).describe(),
                  lesson.lead_time_words(), lesson.balancing_words(),
                  lesson.review_figure(False)[1], "scheme's start on 1 July 2024"):
        assert words in text, words[:80]
    # no verdict about the chart is typed in the lesson's prose
    prose = markdown(load(NAME))
    assert not re.search(r"run of \d+|median (?:moved|of) \d+|\b159\b", prose)


def test_the_run_chart_finds_the_change_only_with_the_baseline_fixed():
    fixed, new = lesson.review_chart(False), lesson.review_chart(True)
    after = fixed.table["date"] >= lesson.SCHEME_START
    assert (fixed.table.loc[after, "verdict"] == "improvement").all()
    assert (fixed.table.loc[~after, "verdict"] == "common_cause").all()
    assert fixed.summary["variation_icon"] == "special_cause_improving_low"
    # recalculated at the scheme's start, the new phase is the new normal: no signal left
    assert new.summary["phases"] == 2 and new.summary["signals"] == 0
    assert "Limits recalculated from 1 July 2024" in new.describe()


def test_the_exploration_is_precomputed_and_both_states_differ():
    explorer = lesson.review_explorer()
    assert explorer.n_states == 2
    html = explorer._repr_html_()
    assert 'class="sc-explore"' in html and "<script" in html
    assert lesson.review_view(False).words != lesson.review_view(True).words
    cell = next(c for c in code(load(NAME)) if "review_explorer()" in c.source)
    assert "hide-input" in tags(cell)


def test_answer_key_of_the_dataset_concerns_come_first_by_hours():
    frame = data.load("family_concerns")
    worse = frame[frame["deteriorated"]]
    hours = (worse["recognised_at"] - worse["raised_at"]).dt.total_seconds() / 3600
    # the stored hours agree with the two times (to the minute's rounding)
    assert (hours - worse["hours_concern_before_recognition"]).abs().max() < 0.06
    assert (hours >= 1).all() and len(worse) >= 30
    before = worse["week"] < pd.Timestamp(family_concerns.SCHEME_START)
    assert 5 <= worse.loc[before, "hours_concern_before_recognition"].median() <= 9
    assert worse.loc[~before, "hours_concern_before_recognition"].median() < 4
    # no recognition time without a deterioration, and reviews always after the concern
    assert frame.loc[~frame["deteriorated"], "recognised_at"].isna().all()
    assert (frame["reviewed_at"] > frame["raised_at"]).all()
    minutes = (frame["reviewed_at"] - frame["raised_at"]).dt.total_seconds() / 60
    assert (minutes == frame["minutes_to_review"]).all()
    # the balancing measures move as planted: more calls, more outreach time
    b = lesson.balancing().set_index("Period")
    assert (b.loc[lesson.PERIODS[1]] > b.loc[lesson.PERIODS[0]]).all()
    # the outreach line exists only once the scheme has started
    assert (frame.loc[frame["route"] == "outreach line", "week"]
            >= pd.Timestamp(family_concerns.SCHEME_START)).all()


def test_the_dataset_is_in_the_data_package_with_its_answer_key():
    import json

    package = json.loads((ROOT / "datasets" / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "family_concerns")
    assert [s["id"] for s in resource["answer_key"]] == ["family-concerns-faster-review"]
    assert resource["answer_key"][0]["start"] == family_concerns.SCHEME_START
    assert {s["key"] for s in resource["base_rate_sources"]} == {"nhse2024martha",
                                                                  "illustrative"}
    csv = (ROOT / "datasets" / "family_concerns.csv").read_bytes()
    assert csv == family_concerns.dataset().csv_bytes()  # regenerated byte for byte


@pytest.mark.parametrize(("check", "right", "wrong", "hint"), [
    (lesson.check_hours_first, ["7", "about 7 hours", 7.0], ["3", "12"], "before the scheme"),
    (lesson.check_median_after, ["42", "41.8 minutes"], ["159", "90"], "recalculated"),
])
def test_exercises_read_the_numbers_and_give_specific_hints(check, right, wrong, hint):
    for answer in right:
        assert check(answer).correct, answer
    for answer in wrong:
        feedback = check(answer)
        assert not feedback.correct and feedback.answered, answer
        assert hint in feedback.message
    assert not check("...").answered
    assert not check("no idea").correct


def test_the_solutions_state_the_current_answers():
    text = markdown(load(NAME))
    a = lesson.answers()
    hours = re.search(r'my_hours = "([\d.]+)"', text).group(1)
    minutes = re.search(r'my_minutes = "([\d.]+)"', text).group(1)
    assert lesson.check_hours_first(hours).correct and lesson.check_median_after(minutes).correct
    assert a["40.2"] == f"{minutes} minutes"


def test_patient_readable_cells_are_grade_7_or_lower():
    cells = [c for c in load(NAME).cells if "patient-readable" in tags(c)]
    assert len(cells) >= 4
    r = readability("\n\n".join(c.source for c in cells))
    print(f"{NAME} patient-readable cells: {len(cells)} cells, {r.words} words, "
          f"Flesch-Kincaid grade {r.grade}, reading ease {r.reading_ease}")
    assert r.words > 300 and r.grade <= MAX_GRADE, r
    for cell in cells:  # no one cell hides behind the average
        assert readability(cell.source).grade <= MAX_GRADE, cell.source[:60]
    handout = (ROOT / "book" / "trainers" / "handouts" / f"{NAME}.md").read_text(encoding="utf-8")
    assert readability(handout).grade <= MAX_GRADE
