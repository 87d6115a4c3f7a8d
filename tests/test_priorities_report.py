"""The report, the generated book page, the demonstration data and the readability measure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from safercare.lessons.setting_priorities_with_patients import (
    biggest_climb,
    check_biggest_climb,
    check_more_staff,
)
from safercare.priorities.demo import (
    DEMO_SIZES,
    DEMO_TOPICS,
    demo_ballots,
    demo_suggestions,
    demo_workshop,
)
from safercare.priorities.readability import count_syllables, markdown_to_prose, readability
from safercare.priorities.report import (
    COURSE_MODULES,
    TOPIC_MODULES,
    WRITTEN_FOR_CHOSEN_TOPICS,
    book_page,
    describe_weighting,
    participation_table,
    plot_weighting,
    priority_table,
    vote_code_sheet,
    weighting_comparison,
)
from safercare.priorities.scoring import interim_scores

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "book" / "patients" / "topics-chosen.md"
#: Every patient-facing page, measured for readability.
PATIENT_PAGES = sorted((ROOT / "book" / "patients").glob("*.md"))
#: Reading age = Flesch–Kincaid grade + 5; patient pages aim at about 11.
MAX_GRADE = 6.0


def test_the_committed_book_page_matches_a_fresh_generation():
    assert PAGE.read_text(encoding="utf-8") == book_page(), (
        "book/patients/topics-chosen.md is out of date: run "
        "`python -m safercare.priorities.report --book book/patients/topics-chosen.md`"
    )


def test_the_command_line_checks_and_writes_the_page(tmp_path):
    fresh = tmp_path / "page.md"
    cmd = [sys.executable, "-m", "safercare.priorities.report", "--book", str(fresh)]
    assert subprocess.run(cmd + ["--check"], capture_output=True).returncode == 1
    assert subprocess.run(cmd, capture_output=True).returncode == 0
    assert subprocess.run(cmd + ["--check"], capture_output=True).returncode == 0
    assert fresh.read_text(encoding="utf-8") == PAGE.read_text(encoding="utf-8")


def test_demo_is_seeded_with_many_staff_and_few_patients():
    a, b = demo_ballots(), demo_ballots()
    assert a == b
    counts = participation_table(a).set_index("constituency")["people"].to_dict()
    assert counts == {"Patient or carer": DEMO_SIZES["patient_carer"],
                      "Member of staff": DEMO_SIZES["staff"], "Both": DEMO_SIZES["both"]}
    assert all(1 <= len(x.ranking) <= 10 for x in a)
    ideas = demo_suggestions()
    assert len(ideas) == 120 and set(ideas["topic"]) <= set(DEMO_TOPICS)
    assert ideas.equals(demo_suggestions())


def test_equal_weighting_changes_the_demo_top_10():
    scores = interim_scores(demo_ballots())
    cmp = weighting_comparison(scores)
    joined = cmp[cmp["top_equal"] & ~cmp["top_pooled"]]["topic"].tolist()
    assert len(joined) >= 2  # the lesson's point: the answer changes
    # Every topic that joins is one the patients and carers rank in their own top 5.
    pc_rank = scores.set_index("topic")["rank_patient_carer"]
    assert all(pc_rank[t] <= 5 for t in joined)
    text = describe_weighting(scores)
    assert all(t in text for t in joined)
    assert biggest_climb() == cmp.sort_values("places_up", ascending=False)["topic"].iat[0]


def test_priority_table_maps_modules_and_marks_gaps():
    scores = interim_scores(demo_ballots())
    table = priority_table(scores)
    assert len(table) == 10 and table["rank"].is_monotonic_increasing
    for row in table.itertuples():
        assert row.gap == (TOPIC_MODULES[row.topic] == ())
        assert all(m in COURSE_MODULES for m in TOPIC_MODULES[row.topic])
    unknown = priority_table(scores.assign(topic="A new topic"), top=1)
    assert unknown["gap"].all()


def test_every_lesson_named_in_the_mapping_is_in_the_book():
    from conftest import read_toc_docnames

    toc = set(read_toc_docnames())
    named = {m for modules in TOPIC_MODULES.values() for m in modules}
    assert named <= set(COURSE_MODULES), named - set(COURSE_MODULES)
    assert set(COURSE_MODULES) <= toc, sorted(set(COURSE_MODULES) - toc)
    assert set(WRITTEN_FOR_CHOSEN_TOPICS) <= set(COURSE_MODULES)


def test_each_module_title_is_its_pages_own_title():
    import json
    import re

    for docname, title in COURSE_MODULES.items():
        path = ROOT / f"{docname}.ipynb"
        if path.exists():
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            heading = "".join(cells[0]["source"]).splitlines()[0]
        else:
            heading = (ROOT / f"{docname}.md").read_text(encoding="utf-8").splitlines()[0]
        assert re.sub(r"^# (Lesson \d+: )?", "", heading) == title, docname


def test_the_page_links_every_top_10_topic_to_a_lesson_and_says_what_changed():
    page = book_page()
    assert "Not taught yet" not in page
    assert "We will add them" not in page
    final = priority_table(demo_workshop().final, top=10)
    assert not final["gap"].any()
    for row in final.itertuples():
        for docname in row.docnames.split("; "):
            assert f"{COURSE_MODULES[docname]} </{docname}>`" in row_of(page, row.topic)
    changed = page.split("## What changed because of what you chose", 1)[1].split("\n## ")[0]
    for docname in WRITTEN_FOR_CHOSEN_TOPICS:
        assert f"</{docname}>`" in changed


def row_of(page: str, topic: str) -> str:
    return next(line for line in page.splitlines() if line.startswith("| ")
                and f" {topic} |" in line)


def test_the_weighting_figure_draws_both_markers():
    import matplotlib

    matplotlib.use("Agg")
    scores = interim_scores(demo_ballots())
    ax = plot_weighting(scores)
    assert len(ax.collections) == 2 and len(ax.get_yticklabels()) == len(DEMO_TOPICS)
    assert {c.get_label() for c in ax.collections} == {
        "Every vote counted once", "Each group counts equally"}


def test_lesson_checks_give_kind_feedback(capsys):
    assert check_biggest_climb(biggest_climb())
    assert not check_biggest_climb("Preventing falls in hospital")
    assert "furthest" in capsys.readouterr().out
    assert not check_biggest_climb("...")
    assert check_more_staff("no")
    assert not check_more_staff("yes")
    assert not check_more_staff("maybe")


@pytest.mark.parametrize(("word", "n"), [("the", 1), ("cat", 1), ("table", 2), ("people", 2),
                                         ("hospital", 3), ("priority", 3), ("chose", 1),
                                         ("improvement", 4), ("listened", 2)])
def test_syllables(word, n):
    assert count_syllables(word) == n


def test_flesch_formulas_on_a_counted_text():
    # 2 sentences and 11 words; the formulas are checked against the counted syllables.
    r = readability("Nurses check patients. They check them every day at the ward.",
                    markdown=False)
    assert (r.sentences, r.words) == (2, 11)
    wps, spw = 11 / 2, r.syllables / 11
    assert r.grade == round(0.39 * wps + 11.8 * spw - 15.59, 1)
    assert r.reading_ease == round(206.835 - 1.015 * wps - 84.6 * spw, 1)
    assert r.reading_age == pytest.approx(r.grade + 5)


def test_markdown_is_reduced_to_prose():
    prose = markdown_to_prose(
        "(label)=\n# Title\n\nA line that\nwraps {cite:p}`x2020`.\n\n- item one\n"
        "| a | b |\n| --- | --- |\n\n```python\ncode()\n```\n<div class='x'>Box</div>\n"
    )
    assert prose.splitlines() == ["Title", "A line that wraps .", "item one", "a", "b", "Box"]


@pytest.mark.parametrize("page", PATIENT_PAGES, ids=lambda p: p.name)
def test_patient_pages_are_plain_english(page):
    r = readability(page.read_text(encoding="utf-8"))
    print(f"{page.name}: {r.words} words, reading ease {r.reading_ease}, "
          f"Flesch-Kincaid grade {r.grade}, reading age about {r.reading_age:.0f}")
    assert r.words > 100
    assert r.grade <= MAX_GRADE, f"{page.name} reads at grade {r.grade}: shorten sentences"
    assert r.reading_ease >= 70


def test_the_printable_form_has_a_print_stylesheet_and_asks_nothing_personal():
    form = (ROOT / "book" / "patients" / "suggestion-form.md").read_text(encoding="utf-8")
    assert "@media print" in form and "@page" in form
    assert "sc-box-large" in form  # the big box to write in
    assert "Please do **not** write your name" in form
    for field in ("Name:", "Address:", "Phone:", "Email:", "Date of birth:", "NHS number:"):
        assert field.lower() not in form.lower()


def test_the_lesson_figure_alt_text_matches_the_data():
    import json

    nb = json.loads((ROOT / "notebooks" / "30-setting-priorities-with-patients.ipynb")
                    .read_text(encoding="utf-8"))
    alts = [c["metadata"]["mystnb"]["image"]["alt"] for c in nb["cells"]
            if "mystnb" in c.get("metadata", {})]
    assert alts == [describe_weighting(interim_scores(demo_ballots()))]
    assert all(c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code")


def test_the_voting_code_sheet_has_one_slip_per_code_on_a4_and_escapes_text():
    sheet = vote_code_sheet(["ABCD-EFGH", "<b>X</b>"], title="Your code & slip")
    assert sheet.count("<li class='slip'>") == 2 and "@page { size: A4" in sheet
    assert "ABCD-EFGH" in sheet and "&lt;b&gt;X&lt;/b&gt;" in sheet and "<b>X" not in sheet
    assert "Your code &amp; slip" in sheet and "It works once" in sheet
    assert "<html lang='en'>" in sheet and "<title>" in sheet and "<main>" in sheet
