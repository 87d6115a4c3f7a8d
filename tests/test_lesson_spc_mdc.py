"""Lesson 3 (SPC the Making Data Count way) says only what its charts say.

Each test here would have failed on the lesson as it was: one set of limits across the
September 2023 sepsis change (17 of 36 points outside), hand-typed verdicts ("harm-free
care is stable" beside a chart with improvement points), rule lengths typed by hand, and two
sets of falls limits shown without a word on why.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from safercare import spc
from safercare.games import board_report
from safercare.lessons import spc_the_making_data_count_way as lesson

NB = Path(__file__).resolve().parents[1] / "notebooks" / "03-spc-the-making-data-count-way.ipynb"


def _cells() -> list[dict]:
    return json.loads(NB.read_text(encoding="utf-8"))["cells"]


def _outputs() -> str:
    text = []
    for cell in _cells():
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            text.append("".join(data.get("text/markdown", "")))
    return "\n".join(text)


def _markdown() -> str:
    return "\n".join("".join(c["source"]) for c in _cells() if c["cell_type"] == "markdown")


def _charts() -> dict:
    return lesson.board_charts(board_report.board_data(lesson.LESSON3["trust"]))


def test_sepsis_limits_are_recalculated_at_the_known_change() -> None:
    change = lesson.known_changes()["Sepsis screening (%)"]
    assert change == (pd.Timestamp("2023-09-01"),)  # the sepsis work of the story
    sepsis = _charts()["Sepsis screening (%)"]
    assert sepsis.summary["phases"] == 2
    outside = (sepsis.table["value"] > sepsis.table["upper"]) | (
        sepsis.table["value"] < sepsis.table["lower"])
    assert outside.sum() <= 2  # one set of limits across the change left 17 of 36 outside
    # the icons come from the latest phase, and the exercise's check agrees with them
    answer = lesson.icon_answer(sepsis)
    assert "common cause" in answer
    assert lesson.check_icons("common cause", "hit and miss", sepsis).correct


def test_every_sentence_about_a_chart_is_the_results_own() -> None:
    charts = _charts()
    shown = _outputs()
    board = board_report.board_data(lesson.LESSON3["trust"])
    falls = board[board["measure"] == "Falls per 1,000 bed days"]
    falls_xmr = spc.xmr(falls, value="value", date="month", direction="lower", target=6.6)
    for words in (lesson.rag_story(board_report.board_rag(board)), lesson.spc_story(charts),
                  lesson.limits_note(charts["Falls per 1,000 bed days"], falls_xmr),
                  falls_xmr.describe(), board_report.describe_board(charts),
                  lesson.rules_list("mdc"), spc.rule_lengths_note("mdc", "nhsr"),
                  lesson.icon_answer(charts["Sepsis screening (%)"]),
                  lesson.board_action_answer(board_report.latest_verdicts(charts))):
        assert words in shown, words[:80]


def test_no_verdict_or_rule_length_is_typed_by_hand() -> None:
    text = _markdown()
    assert not re.search(r"\b\d+ or more points\b", text), "rule lengths must come from the profile"
    assert not re.search(r"\b(shift|trend) of \d+\b", text)
    typed = re.compile(r"\*\*(Falls|Sepsis screening|Harm-free care|Medication incidents)[^*]*\*\*"
                       r"[^.\n]*\b(stable|improved|vary around|is a signal|common cause)\b", re.I)
    assert not typed.search(text), typed.search(text)


def test_harm_free_care_is_not_called_stable_while_its_chart_shows_improvement() -> None:
    harm_free = _charts()["Harm-free care (%)"]
    improving = int((harm_free.table["verdict"] == "improvement").sum())
    story = lesson.spc_story(_charts())
    line = next(ln for ln in story.splitlines() if "Harm-free" in ln)
    assert ("improvement" in line) == (improving > 0)
    assert "stable" not in line


BOOK = Path(__file__).resolve().parents[1] / "book"


def test_pages_without_cells_print_rule_lengths_and_answers_from_the_package() -> None:
    from safercare.lessons.answer_keys import BOOK_WORDS, book_words

    pages = [BOOK / "glossary.md", BOOK / "trainers" / "03-spc-the-making-data-count-way.md",
             BOOK / "trainers" / "handouts" / "03-spc-the-making-data-count-way.md"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        typed = r"\b\d+ or more points\b|\buses \d+ points\b|treats \d+ such"
        assert not re.search(typed, text), page
        for key in re.findall(r"\{course\}`([^`]+)`", text):
            assert key in BOOK_WORDS, (page.name, key)
    assert book_words("mdc-shift-length") == str(spc.MDC.shift_length)
    assert book_words("nhsr-shift-length") == str(spc.NHSR.shift_length)
    trainer = pages[1].read_text(encoding="utf-8")
    assert "{course}`l3-icons-answer`" in trainer and "variation **improvement**" not in trainer


# ------------------------------------------- exercise 3.4: four other care settings
def test_each_other_setting_chart_finds_its_planted_change() -> None:
    """Each service's chart reaches the verdict its dataset's answer key plants."""
    from safercare import data

    for letter, spec in lesson.OTHER_SETTINGS.items():
        key = data.answer_key(spec["dataset"]).set_index("id").loc[spec["signal"]]
        assert lesson.other_setting_verdict(letter) == key["meaning"], letter


def test_other_settings_check_takes_letters_and_rejects_wrong_ones() -> None:
    concern = [k for k in lesson.OTHER_SETTINGS if lesson.other_setting_verdict(k) == "concern"]
    assert concern  # the exercise is not trivially "none"
    assert lesson.check_other_settings(", ".join(concern)).correct
    assert lesson.check_other_settings(" ".join(c.upper() for c in concern)).correct
    assert not lesson.check_other_settings("a, b, c, d").correct
    assert not lesson.check_other_settings("none").correct
    assert not lesson.check_other_settings("...").answered
    assert "letters" in lesson.check_other_settings("123").message


def test_other_settings_words_on_the_page_are_the_charts_own() -> None:
    outputs = _outputs()
    for letter in lesson.OTHER_SETTINGS:
        assert lesson.other_setting_chart(letter).describe() in outputs, letter
    assert lesson.other_settings_answer() in outputs
