"""Lesson 42 (Safe staffing) and the red-flag checker (:mod:`safercare.staffing`): NICE SG1's
triggers at their edges, plain messages for bad input, confounding by acuity in the staffing
data as its answer key says, the explorations, the missed-care chart, the exercises, the
facilitator page and the handout."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from test_lesson_concerns import code, lesson_checks, load, markdown, page_checks, shown, tags

from safercare import data, staffing
from safercare.errors import DataError
from safercare.lessons import safe_staffing as lesson

NAME = "42-safe-staffing"


# --- the checker -----------------------------------------------------------------------
@pytest.mark.parametrize(("patients", "nurses", "shift", "fires"), [
    (32, 4, "day", False),   # exactly 8 each: NICE's trigger is *more than* 8
    (33, 4, "day", True),
    (33, 4, "night", False),  # the 8-patient point is for day shifts
    (9, 1, "day", True),
])
def test_more_than_8_patients_per_nurse_by_day(patients, nurses, shift, fires):
    result = staffing.check_shift(patients, nurses, shift=shift)
    assert ("more_than_8_per_rn_day" in result.fired) is fires


@pytest.mark.parametrize(("needed", "worked", "fires"), [
    (48, 40, False),   # 8 hours short (17%): not more than 8 hours, under 25%
    (48, 39, True),    # 9 hours short: more than 8 hours
    (24, 18, True),    # 6 hours short but 25% exactly: "whichever is reached first"
    (24, 19, False),   # 5 hours, 21%
    (24, 30, False),   # more than needed is no shortfall
])
def test_registered_nurse_time_shortfall(needed, worked, fires):
    result = staffing.check_shift(20, 3, rn_hours_needed=needed, rn_hours_worked=worked)
    assert ("rn_time_shortfall" in result.fired) is fires
    assert result.shortfall_hours == max(needed - worked, 0)


def test_fewer_than_two_nurses_and_no_nurse_at_all():
    one = staffing.check_shift(6, 1, shift="night")
    assert one.fired == ("fewer_than_two_rns",)
    none = staffing.check_shift(6, 0)
    assert "fewer_than_two_rns" in none.fired and "no registered nurse" in none.describe()
    assert "fewer_than_two_rns" not in staffing.check_shift(6, 2).fired


def test_events_are_named_and_described_with_the_source():
    result = staffing.check_shift(20, 4, events="Pain relief, vital signs")
    assert result.events == ("pain_relief", "vital_signs")
    words = result.describe()
    assert "30 minutes" in words and "2 triggers fired" in words and "NICE (2014)" in words
    quiet = staffing.check_shift(20, 4).describe()
    assert "No NICE trigger fired" in quiet and "does not prove the shift was safe" in quiet


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"patients": "many", "registered_nurses": 3}, "Column 'patients': this should be a number"),
    ({"patients": -2, "registered_nurses": 3}, "0 or more (found: '-2')"),
    ({"patients": 20, "registered_nurses": 3, "events": "tea break"}, "not a red-flag event"),
    ({"patients": 20, "registered_nurses": 3, "shift": "late"}, "day or night"),
])
def test_bad_input_gets_one_plain_message(kwargs, words):
    with pytest.raises(DataError) as caught:
        staffing.check_shift(**kwargs)
    assert words in str(caught.value)


def test_a_table_of_shifts_is_checked_in_one_pass_and_rows_are_named():
    frame = data.load("staffing")
    checked = staffing.check_shifts(frame)
    assert len(checked) == len(frame)
    # the vectorised table agrees with the one-shift check on a sample of rows
    for i in np.random.default_rng(1).choice(len(frame), 25, replace=False):
        row = frame.iloc[i]
        one = staffing.check_shift(int(row["patients"]), int(row["registered_nurses"]),
                                   shift=row["shift"],
                                   rn_hours_needed=12 * row["registered_nurses_planned"])
        assert one.fired == tuple(t for t in staffing.TRIGGERS if checked.loc[i, t])
    counted = staffing.check_shifts(pd.DataFrame({
        "patients": [20, 20, 20], "registered_nurses": [3, 3, 3],
        "events": ["medicines, pain_relief", None, ["vital_signs"]]}))
    assert counted["red_flag_events"].tolist() == [2, 0, 1]
    assert counted["any_trigger"].tolist() == [True, False, True]
    with pytest.raises(DataError, match="Shift 3, column 'events'.*'tea'"):  # by shift, not place
        staffing.check_shifts(counted.assign(events=["medicines, pain_relief, vital_signs", None,
                                                   "tea"]))
    bad = pd.DataFrame({"patients": [20, "x", 18], "registered_nurses": [3, 3, -1]})
    with pytest.raises(DataError) as caught:
        staffing.check_shifts(bad)
    assert "Shift 2, column 'patients'" in str(caught.value)
    assert "Shift 3, column 'registered_nurses'" not in str(caught.value)  # one column at a time
    many = pd.DataFrame({"patients": ["?"] * 30, "registered_nurses": [3] * 30})
    with pytest.raises(DataError) as caught:
        staffing.check_shifts(many)
    assert "Shift 20," in str(caught.value) and "Shift 21," not in str(caught.value)
    assert "We found 30 problems" in str(caught.value) and "10 more like these" in str(
        caught.value)
    shifts = pd.DataFrame({"patients": [20, 20], "registered_nurses": [3, 3],
                           "shift": ["Day", "late"]})
    with pytest.raises(DataError, match="Shift 2, column 'shift'"):
        staffing.check_shifts(shifts)
    with pytest.raises(DataError, match="column is missing"):
        staffing.check_shifts(pd.DataFrame({"patients": [3]}))
    with pytest.raises(DataError, match="not a table"):
        staffing.check_shifts([1, 2])  # type: ignore[arg-type]


# --- confounding by acuity --------------------------------------------------------------
def test_naive_link_is_positive_and_the_fair_comparisons_reverse_it():
    # the dataset's answer key: naive positive, adjusted for acuity, patients and night negative
    assert lesson.estimate("naive") > 1
    assert abs(lesson.estimate("band")) < abs(lesson.estimate("naive"))
    assert lesson.estimate("band_patients") < 0 and lesson.estimate("adjusted") < -1
    frame = data.load("staffing")
    x = frame["registered_nurses"].to_numpy(float)
    y = frame["harms"].to_numpy(float)
    assert np.corrcoef(x, y)[0, 1] > 0
    assert lesson.estimate("naive") == pytest.approx(100 * np.polyfit(x, y, 1)[0])
    assert "turns the sign round" in lesson.confounding_words("adjusted")
    assert "shrinks" in lesson.confounding_words("band")
    assert "cause harm" in lesson.confounding_words("naive")


def test_the_explorations_are_precomputed_and_every_state_differs():
    conf = lesson.confounding_explorer()
    flags = lesson.red_flag_explorer()
    assert conf.n_states == len(lesson.METHODS) and flags.n_states == len(lesson.PRESETS)
    for explorer in (conf, flags):
        html = explorer._repr_html_()
        assert 'class="sc-explore"' in html and "<script" in html
    assert len({lesson.confounding_view(m).words for m, _ in lesson.METHODS}) == 4
    assert len({lesson.preset_check(i).describe() for i in range(len(lesson.PRESETS))}) == 5
    # the presets show every trigger and an event at least once, and one quiet shift
    fired = {t for i in range(len(lesson.PRESETS)) for t in lesson.preset_check(i).fired}
    assert fired == set(staffing.TRIGGERS)
    assert any(not lesson.preset_check(i).fired and not lesson.preset_check(i).events
               for i in range(len(lesson.PRESETS)))
    nb = load(NAME)
    cells = [c for c in code(nb) if "_explorer()" in c.source]
    assert len(cells) == 2 and all("hide-input" in tags(c) for c in cells)


def test_lesson_shape_figures_exercises_and_references():
    lesson_checks(NAME, 42, lesson, "Safe staffing: an honest answer to the nurse's question")


def test_facilitator_page_and_handout():
    page_checks(NAME, ["l42-42.1", "l42-42.2", "l42-42.3", "l42-naive", "l42-adjusted",
                       "l42-shortfall"])


def test_sentences_come_from_the_results():
    text = shown(load(NAME))
    chart = lesson.missed_care_chart()
    for words in (chart.describe(), lesson.confounding_words("naive"),
                  lesson.confounding_words("adjusted"), lesson.shortfall_words(),
                  staffing.check_shift(28, 3, rn_hours_needed=60).describe(),
                  lesson.confounding_view("adjusted").figure.alt_text):
        assert words in text, words[:80]
    prose = markdown(load(NAME))
    assert not re.search(r"\b3\.7\b|\b4\.6\b|\b24%", prose)  # estimates are never typed


def test_the_guidance_is_dated_and_the_four_nations_are_named():
    prose = markdown(load(NAME))
    for words in ("NICE guideline SG1 (2014)", "National Quality Board (2016)",
                  "Nurse Staffing Levels (Wales) Act 2016",
                  "Health and Care (Staffing) (Scotland) Act 2019", "1 April 2024",
                  "Northern Ireland", "no single nurse-to-patient ratio",
                  "What the evidence does not settle"):
        assert words in prose, words


@pytest.mark.parametrize(("check", "right", "wrong", "hint"), [
    (lesson.check_patients_per_nurse, ["10", "10 patients", 10], ["6", "7.5"],
     "registered nurses"),
    (lesson.check_confounding, ["fewer", "Fewer", "less"], ["more"], "fairest"),
    (lesson.check_red_flag_shift, ["2", "4", "shift 2"], ["1", "3", "5"], "short"),
])
def test_exercises_read_the_answers_and_give_specific_hints(check, right, wrong, hint):
    for answer in right:
        assert check(answer).correct, answer
    for answer in wrong:
        feedback = check(answer)
        assert not feedback.correct and feedback.answered, answer
        assert hint in feedback.message
    assert not check("...").answered


def test_the_solutions_state_the_current_answers():
    text = markdown(load(NAME))
    a = lesson.answers()
    assert f'my_ratio = "{a["42.1"].split()[0]}"' in text
    assert f'my_answer = "{a["42.2"]}"' in text
    shift = re.search(r'my_shift = "(\d)"', text).group(1)
    assert shift in a["42.3"].split(" or ")
    short = lesson.preset_check(int(shift) - 1)
    assert f"{short.shortfall_hours:g} hours ({100 * short.shortfall_share:.0f}%)" in text


def test_one_nurse_is_named_in_the_singular():
    assert "and 1 registered nurse:" in staffing.check_shift(9, 1, shift="night").describe()
    assert "and 3 registered nurses:" in staffing.check_shift(9, 3).describe()


def test_the_live_form_checks_what_is_typed_and_labels_every_control():
    import ipywidgets as w

    form = lesson.your_shift_form()
    assert form.read().fired == ()  # 28 patients, 4 nurses, 48 hours needed: quiet
    form.inputs["nurses"].value = 1
    form.inputs["events"][1].value = True  # pain relief late
    result = form.read()
    assert set(result.fired) == {"fewer_than_two_rns", "rn_time_shortfall",
                                 "more_than_8_per_rn_day"}
    assert result.events == ("pain_relief",)
    controls = [c for c in form.children + tuple(form.inputs["events"])
                if isinstance(c, (w.ValueWidget, w.Button)) and not isinstance(c, (w.HTML,
                                                                                  w.Output))]
    assert len(controls) >= 8 and all(c.description for c in controls)
    # the lesson says the form needs a live session, just above it
    cells = load(NAME).cells
    at = next(i for i, c in enumerate(cells) if "your_shift_form()" in c.source)
    assert "needs a live session" in cells[at - 1].source
    assert {"hide-input", "nbval-ignore-output"} <= set(tags(cells[at]))


def test_the_part_for_patients_and_carers_is_grade_7_or_lower():
    from safercare.priorities.readability import readability

    cells = [c for c in load(NAME).cells if "patient-readable" in tags(c)]
    assert cells
    r = readability("\n\n".join(c.source for c in cells))
    print(f"{NAME} patient-readable cells: {len(cells)} cells, {r.words} words, "
          f"Flesch-Kincaid grade {r.grade}, reading ease {r.reading_ease}")
    assert r.words > 100 and r.grade <= 7.0, r
    assert "more than 8 patients" in cells[0].source and "red flag" in cells[0].source
