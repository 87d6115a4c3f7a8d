"""Lessons 5-7: shape, tags, alt text that matches describe(), no formulas, answer checks.

The notebooks themselves are run (and their checked cells compared) by nbval:
``python -m pytest notebooks/05-rare-events.ipynb``. These tests check what nbval cannot:
that each lesson follows the course's lesson shape, that every figure carries alt text
equal to what the package's ``describe()`` returns *now*, that no statistics are worked
out in notebook code, and that every exercise's check accepts the worked solution and
gives specific feedback to a wrong answer.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
import pytest
from notebook_tools import SECTIONS, SYLLABUS_DOMAINS, alt_text, set_alt_text

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from safercare.lessons import answer_keys as keys  # noqa: E402
from safercare.lessons import comparing_fairly as l6  # noqa: E402
from safercare.lessons import did_it_work as l7  # noqa: E402
from safercare.lessons import rare_events as l5  # noqa: E402
from safercare.lessons import your_own_data as l8  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LESSONS = {
    5: ROOT / "notebooks" / "05-rare-events.ipynb",
    6: ROOT / "notebooks" / "06-comparing-fairly.ipynb",
    7: ROOT / "notebooks" / "07-did-it-work.ipynb",
}
#: Things that would mean a notebook is doing statistics itself.
FORBIDDEN = [r"\bimport numpy\b", r"\bimport scipy\b", r"\bnp\.", r"\bmath\.", r"\bsqrt\(",
             r"\bexp\(", r"\blog\(", r"\.mean\(", r"\.std\(", r"\.var\(", r"\.sum\(",
             r"\.quantile\(", r"\.median\(", r"\*\*", r"(?<![/#])/(?![/])", r"\.groupby\(",
             r"\.cumsum\(", r"\.diff\("]


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict[str, Any]) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def tags(cell: dict[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def has_figure(cell: dict[str, Any]) -> bool:
    return any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))


def figure_alts(path: Path) -> dict[int, str]:
    """Run a lesson's code in this process; return {cell index: describe() text now}.

    A figure cell names the result that draws it in ``metadata.safercare.alt_from``
    (e.g. ``"gap_chart.describe()"``); the expression is evaluated right after the cell.
    """
    nb = load(path)
    namespace: dict[str, Any] = {"__name__": "__lesson__"}
    alts: dict[int, str] = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code":
                continue
            exec(compile(source(cell), f"{path.name}[{i}]", "exec"), namespace)  # noqa: S102
            expr = cell.get("metadata", {}).get("safercare", {}).get("alt_from")
            if expr:
                alts[i] = str(eval(expr, namespace))  # noqa: S307
            plt.close("all")
    return alts


@pytest.fixture(scope="module", params=sorted(LESSONS), ids=lambda n: f"lesson{n}")
def lesson(request) -> tuple[int, dict[str, Any]]:
    return request.param, load(LESSONS[request.param])


def test_lesson_shape_and_metadata(lesson):
    number, nb = lesson
    text = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    positions = [text.find(h) for h in SECTIONS]
    assert all(p >= 0 for p in positions), [h for h, p in zip(SECTIONS, positions,
                                                               strict=True) if p < 0]
    assert positions == sorted(positions), "sections out of order"
    meta = nb["metadata"]["safercare"]
    assert meta["lesson"] == number
    assert meta["part"] == "Measurement for improvement"
    assert 20 <= meta["learning_time_minutes"] <= 60
    assert set(meta["syllabus_domains"]) <= SYLLABUS_DOMAINS and meta["syllabus_domains"]
    first = nb["cells"][0]
    assert f"learning-time-{meta['learning_time_minutes']}-minutes" in tags(first)
    for domain in meta["syllabus_domains"]:
        slug = "syllabus-" + re.sub(r"[^a-z]+", "-", domain.lower()).strip("-")
        assert slug in tags(first), slug
    assert f"about {meta['learning_time_minutes']} minutes" in source(first)


def test_exercises_have_checks_and_hidden_solutions(lesson):
    _, nb = lesson
    md = [source(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
    labels = [m for text in md for m in re.findall(r":::\{exercise\}[^\n]*\n:label: (\S+)", text)]
    assert len(labels) >= 2
    for label in labels:
        solution = next((t for t in md if f":::{{solution}} {label}\n:class: dropdown" in t),
                        None)
        assert solution is not None, f"no hidden solution for {label}"
    checks_called = [c for c in nb["cells"] if c["cell_type"] == "code"
                     and re.search(r"\bcheck_\w+\(", source(c))]
    assert len(checks_called) >= len(labels)
    for cell in checks_called:
        assert "..." in source(cell), "exercise cells start with dots for the learner's answer"


def test_tags_hide_code_and_ignore_widgets(lesson):
    _, nb = lesson
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "hide-input" in tags(code[0])
    for cell in code:
        if "widgets." in source(cell):
            assert "nbval-ignore-output" in tags(cell)
            assert "hide-input" in tags(cell)
    checked = [c for c in code if "nbval-check-output" in tags(c)]
    assert checked, "key numbers must be in checked cells"
    assert all(c.get("outputs") for c in checked), "checked cells must be executed and saved"


def test_every_widget_is_followed_by_a_static_figure(lesson):
    _, nb = lesson
    cells = nb["cells"]
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code" and "widgets." in source(cell):
            later = [c for c in cells[i + 1:i + 4] if c["cell_type"] == "code"]
            assert later and has_figure(later[0]), f"widget in cell {i} has no static figure"


def test_every_figure_has_alt_text_from_describe(lesson):
    number, nb = lesson
    figures = {i for i, c in enumerate(nb["cells"])
               if c["cell_type"] == "code" and has_figure(c) and "widgets." not in source(c)}
    assert figures, "a lesson shows charts"
    alts = figure_alts(LESSONS[number])
    assert figures <= set(alts), f"figure cells without alt_from: {sorted(figures - set(alts))}"
    for i, expected in alts.items():
        alt = alt_text(nb["cells"][i]["metadata"])
        assert alt == expected, f"cell {i}: alt text is stale; re-run the alt-text fill"
        assert len(alt) > 40


def test_no_formulas_in_notebook_code(lesson):
    _, nb = lesson
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        text = source(cell)
        # Strings and comments can say anything; look at the code itself.
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.BinOp):
                pytest.fail(f"arithmetic in notebook code: {ast.unparse(node)!r}")
        stripped = re.sub(r"#.*", "", re.sub(r"(['\"]).*?\1", "''", text))
        for pattern in FORBIDDEN:
            assert not re.search(pattern, stripped), f"{pattern} in:\n{text}"


def test_cells_were_executed_in_order(lesson):
    _, nb = lesson
    counts = [c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(counts), "execute the notebook and save it"
    assert counts == sorted(counts)


# --------------------------------------------------------------- answer checks
def test_every_check_accepts_the_worked_answer():
    expected = keys.expected_answers()
    when = expected["5.2 first improvement signal"]
    assert l5.check_board_chance(round(expected["5.1 board chance (%)"]))
    assert l5.check_board_chance(f"{expected['5.1 board chance (%)']:.1f}%")
    assert l5.check_first_signal(f"{when:%Y-%m-%d}")
    assert l5.check_first_signal(f"{when:%d/%m/%Y}")
    assert l5.check_serious_incidents(expected["5.3 serious incidents verdict"])
    assert l6.check_outlier(expected["6.1 above the upper limit"][0])
    assert l6.check_rank_interval(*expected["6.2 rank interval"])
    assert l6.check_overdispersion(*expected["6.3 practices outside (unadjusted, adjusted)"])
    assert l7.check_regression_to_mean(expected["7.1 regression to the mean (%)"])
    assert l7.check_programme_effect(expected["7.2 programme's own change (%)"])
    assert l7.check_balancing_measure(expected["7.3 balancing measure"])


def test_answers_match_the_planted_signals():
    """The lessons' answers are the signals the datasets were built to contain."""
    from safercare import data

    expected = keys.expected_answers()
    names = dict(zip(data.load("geography")["org_id"], data.load("geography")["org_name"],
                     strict=True))
    key = data.answer_key("mortality")
    outlier = re.search(r"C\d\d-AT\d", key.loc[key["kind"] == "outlier", "id"].iloc[0])[0]
    assert expected["6.1 above the upper limit"] == [names[outlier]]
    assert expected["5.2 first improvement signal"] >= pd.Timestamp(l5.LESSON5["cdiff_start"])
    assert expected["5.3 serious incidents verdict"] == "improvement"
    assert -20 < expected["7.2 programme's own change (%)"] < -5
    assert expected["7.2 naive change (%)"] < expected["7.2 programme's own change (%)"]


@pytest.mark.parametrize(("check", "answer", "words"), [
    (l5.check_board_chance, 50, "median gap"),
    (l5.check_board_chance, 99, "two average gaps"),
    (l5.check_first_signal, "2023-09-01", "before the programme"),
    (l5.check_first_signal, "2025-03-01", "earlier blue square"),
    (l5.check_serious_incidents, "concern", "higher point means a longer gap"),
    (l6.check_outlier, "Larchwater", "That is a collaborative"),
    (l6.check_outlier, "Nowhere Vale", "could not match"),
    (l6.check_rank_interval, (7, 7), "published rank"),
    (l6.check_overdispersion, (3, 40), "Count again"),
    (l7.check_regression_to_mean, 0, "picked when chance"),
    (l7.check_balancing_measure, "a", "outcome measure"),
    (l7.check_balancing_measure, "b", "process measure"),
])
def test_wrong_answers_get_specific_kind_feedback(check, answer, words):
    args = answer if isinstance(answer, tuple) else (answer,)
    feedback = check(*args)
    assert not feedback.correct
    assert words in feedback.message
    assert str(feedback).startswith("Not quite yet.")


def test_programme_effect_recognises_the_naive_and_trend_answers():
    expected = keys.expected_answers()
    naive = l7.check_programme_effect(expected["7.2 naive change (%)"])
    assert not naive and "whole fall" in naive.message


@pytest.mark.parametrize("check", [l5.check_board_chance, l5.check_first_signal,
                                   l5.check_serious_incidents, l6.check_outlier,
                                   l6.check_rank_interval, l6.check_overdispersion,
                                   l7.check_regression_to_mean,
                                   l7.check_programme_effect,
                                   l7.check_balancing_measure])
def test_an_unanswered_exercise_invites_an_answer(check):
    feedback = check("...")
    assert not feedback.answered and not feedback.correct
    assert feedback._repr_markdown_().startswith("**Your turn.**")


def test_what_the_lessons_say_about_the_data_is_true():
    """Guards for sentences in the lessons that describe the course data."""
    from safercare import data, spc
    from safercare.comparison import totals
    from safercare.evaluation import count_before, counts_per_period

    names = dict(zip(data.load("geography")["org_id"], data.load("geography")["org_name"],
                     strict=True))
    # Lesson 5: the monthly chart's improvement starts with the programme, not before.
    cdiff = l5._events(l5.LESSON5["cdiff_trust"], "c_difficile")
    monthly = counts_per_period(cdiff["event_date"], start="2022-04-01", end="2025-03-01")
    chart = spc.c_chart(monthly, value="events", date="period", direction="lower",
                        baseline=count_before(monthly["period"], l5.LESSON5["cdiff_start"]))
    better = chart.table.loc[chart.table["verdict"] == "improvement", "date"]
    assert better.min() == pd.Timestamp(l5.LESSON5["cdiff_start"])
    # Lesson 6: the collaborative with the outlier trust is bottom of the league table, in
    # every re-drawn year; several collaboratives are outside plain limits, fewer with
    # overdispersion; the practices below the adjusted limit all adopted PINCER (C08).
    ranks = l6._ranks()
    assert ranks.table["unit"].iloc[-1] == names["C13"]
    assert ranks.summary["chance_bottom_stays_bottom"] > 0.9
    plain = l6._funnel(l6._collaboratives(), "collaborative", None)
    wide = l6._funnel(l6._collaboratives(), "collaborative", "multiplicative")
    assert l6._outside(plain) >= 3
    assert l6._outside(wide) < l6._outside(plain)
    gp = l6._practice_funnel("multiplicative").table
    below = gp.loc[gp["below_998"], "unit"]
    assert len(below) and below.str.startswith("C08-").all()
    # Lesson 7: crude mortality was falling before the programme; the risk-adjusted ratio
    # shifts exactly when it starts.
    deaths = data.load("mortality")
    larch = totals(deaths[(deaths["collaborative_id"] == "C09").to_numpy()], by="quarter",
                   columns=["deaths", "admissions", "expected_deaths"])
    before = count_before(larch["quarter"], l7.LESSON7["start"])
    crude = spc.p_chart(larch, numerator="deaths", denominator="admissions", date="quarter",
                        direction="lower", baseline=before).table
    assert crude.loc[crude["verdict"] == "improvement", "date"].min() < pd.Timestamp(
        l7.LESSON7["start"])
    ratio = spc.u_chart(larch, numerator="deaths", denominator="expected_deaths",
                        date="quarter", direction="lower", baseline=before).table
    assert ratio.loc[ratio["verdict"] == "improvement", "date"].min() == pd.Timestamp(
        l7.LESSON7["start"])


def test_solutions_and_story_state_the_current_answers():
    """If the course data changes, the worked solutions and the story must change too."""
    from safercare import data

    names = dict(zip(data.load("geography")["org_id"], data.load("geography")["org_name"],
                     strict=True))
    a = keys.expected_answers()
    text = {n: "\n".join(source(c) for c in load(p)["cells"] if c["cell_type"] == "markdown")
            for n, p in LESSONS.items()}
    when = a["5.2 first improvement signal"]
    assert f'my_answer = "{when:%Y-%m-%d}"' in text[5]
    for org in ("C03-AT1", "C03", "C15-AT2", "C15"):
        assert names[org] in text[5], org
    assert f'my_answer = "{a["6.1 above the upper limit"][0]}"' in text[6]
    lo, hi = a["6.2 rank interval"]
    assert f"lowest = {lo}\n    highest = {hi}" in text[6]
    assert l6.rank_unit() in text[6]
    before, after = a["6.3 practices outside (unadjusted, adjusted)"]
    assert f"before = {before}\n    after = {after}" in text[6]
    for org in ("C13", "C13-AT2", "C08"):
        assert names[org] in text[6], org
    assert f"my_answer = {a['7.1 regression to the mean (%)']:.0f}" in text[7]
    effect = a["7.2 programme's own change (%)"]
    assert f"my_answer = {effect:.0f}" in text[7]
    assert names["C09"] in text[7]


def refresh(paths: list[Path]) -> None:
    """Write each figure's alt text from describe() now, then execute and save the lesson.

    Run after a change to the package's descriptions or the course data:
    ``.venv/bin/python tests/test_lessons_5_7.py`` (all three lessons) or with paths.
    """
    import subprocess
    import sys

    for path in paths:
        alts = figure_alts(path)
        nb = load(path)
        for i, alt in alts.items():
            set_alt_text(nb["cells"][i]["metadata"], alt)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        subprocess.run([str(Path(sys.executable).with_name("jupyter")), "nbconvert", "--to",
                        "notebook", "--execute", "--inplace", str(path)], check=True, cwd=ROOT)


if __name__ == "__main__":
    import sys

    refresh([Path(p).resolve() for p in sys.argv[1:]] or list(LESSONS.values()))


def test_lesson_8_row_check_reads_the_problem_table():
    """Lesson 8's exercise: the row with more screened than eligible, as the table shows it."""
    import warnings

    from safercare import data
    from safercare.widgets.upload import problems_table

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", data.DataNote)
        with pytest.raises(data.DataError) as caught:
            data.read_table(data.dataset_path("sepsis_screening_messy"), date="month",
                            numerator="patients_screened", denominator="patients_eligible",
                            chart="p")
    table = problems_table(caught.value)
    right = table.loc[table["problem"].str.startswith("this is more than"), "row"]
    assert len(right) == 1
    row = int(right.iloc[0])
    for typed in (row, str(row), f"row {row}"):
        assert l8.check_screened_row(typed, table).correct, typed
    other = int(table.loc[table["row"] != row, "row"].iloc[0])
    wrong = l8.check_screened_row(other, table)
    assert not wrong.correct and "different one" in wrong.message
    assert not l8.check_screened_row(row + 1000, table)
    unanswered = l8.check_screened_row(..., table)
    assert not unanswered.answered and "in place of the dots" in unanswered.message
    # The worked solution in lesson 8 states the current answer.
    lesson8 = json.loads((ROOT / "notebooks" / "08-your-own-data.ipynb").read_text())
    solution = next("".join(c["source"]) for c in lesson8["cells"]
                    if "{solution} l8-sepsis" in "".join(c["source"]))
    assert f"my_answer = {row}" in solution


# ------------------------------------------------------------------ issue 9 (lessons 5-8)
PAGES = sorted((ROOT / "book" / "trainers").glob("0[5-7]-*.md")) + sorted(
    (ROOT / "book" / "trainers" / "handouts").glob("0[5-7]-*.md"))
NOTEBOOKS_5_8 = [*LESSONS.values(), ROOT / "notebooks" / "08-your-own-data.ipynb"]
_NUMBER_WORDS = {"four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}


def _markdown(path: Path) -> str:
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    return "\n".join(source(c) for c in load(path)["cells"] if c["cell_type"] == "markdown")


def typed_rule_lengths(text: str) -> list[tuple[int, str]]:
    """Every hand-typed run length next to a shift or trend ("seven months in a row", "a
    shift of 7 points"), with the words around it."""
    number = r"(\d+|" + "|".join(_NUMBER_WORDS) + r")"
    unit = r"(?:\s+\w+)?\s+(?:months?|points?|quarters?|weeks?|days?)"
    patterns = [number + unit + r"[^.]{0,40}?\b(?:in a row|on one side|on the same side)",
                r"\b(?:shift|trend)s?\b[^.]{0,30}?\b" + number + unit,
                number + unit + r"[^.]{0,30}?\b(?:shift|trend)"]
    found = []
    for pattern in patterns:
        for match in re.finditer(pattern, text, flags=re.IGNORECASE):
            word = match.group(1).lower()
            found.append((int(word) if word.isdigit() else _NUMBER_WORDS[word], match.group(0)))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS_5_8 + PAGES, ids=lambda p: p.name)
def test_no_hand_typed_rule_length_disagrees_with_the_profile(path):
    """Issue 9 item 3: lesson 5 said a shift needs seven months; the "mdc" profile says 6."""
    from safercare.spc.profiles import get_profile

    mdc = get_profile("mdc")
    allowed = {mdc.shift_length, mdc.trend_length}
    wrong = [words for n, words in typed_rule_lengths(_markdown(path)) if n not in allowed]
    assert not wrong, f"rule lengths typed by hand that disagree with the profile: {wrong}"


def test_the_rule_length_scan_catches_the_old_lesson_5_wording():
    old = ("The chart needs a **shift**: seven\nmonths in a row below the average. The monthly "
           "c chart needed seven months below its average; a run of about seven months.")
    assert {n for n, _ in typed_rule_lengths(old)} == {7}


def test_lesson_5_prints_the_shift_length_from_the_charts_profile():
    nb = load(LESSONS[5])
    cell = next(c for c in nb["cells"] if "monthly_shift_words" in source(c))
    shown = "".join("".join(out["data"]["text/markdown"]) for out in cell["outputs"]
                    if "data" in out)
    from safercare.spc.profiles import get_profile

    n = get_profile("mdc").shift_length
    assert f"a **shift** is {n} or more points in a row on one side" in shown
    for page in [p for p in PAGES if p.name.startswith("05-")]:
        assert "{course}`mdc-shift-length`" in page.read_text(encoding="utf-8")


def executed_words(path: Path) -> dict[str, tuple[str, str]]:
    """Run a lesson's code here; for every cell that prints words (``Markdown(...)``,
    ``in_words(...)`` or ``print(...describe())``), return
    {cell id: (words saved in the notebook, words now)}."""
    nb = load(path)
    namespace: dict[str, Any] = {"__name__": "__lesson__"}
    found: dict[str, tuple[str, str]] = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code":
                continue
            text = source(cell).strip()
            exec(compile(text, f"{path.name}[{i}]", "exec"), namespace)  # noqa: S102
            expr = (text if text.startswith(("Markdown(", "in_words(")) else
                    text[len("print("):-1] if text.startswith("print(") else None)
            if expr:
                value = eval(expr, namespace)  # noqa: S307
                now = (value._repr_markdown_() if hasattr(value, "_repr_markdown_")
                       else getattr(value, "data", str(value)))
                saved = "".join("".join(out.get("data", {}).get("text/markdown", ""))
                                + "".join(out.get("text", "")) for out in cell["outputs"])
                found[cell["id"]] = (saved.strip(), str(now).strip())
            plt.close("all")
    return found


@pytest.mark.parametrize("number", sorted(LESSONS))
def test_every_printed_sentence_about_a_chart_matches_its_result_now(number):
    """Issue 9 item 5: words about a chart come from the result object and stay true."""
    words = executed_words(LESSONS[number])
    assert len(words) >= 5
    stale = {cid: saved for cid, (saved, now) in words.items() if saved != now}
    assert not stale, f"re-execute lesson {number}: these cells' words are stale: {stale}"


def test_every_chart_in_lessons_5_7_has_its_words_printed():
    for number, path in LESSONS.items():
        nb = load(path)
        for i, cell in enumerate(nb["cells"]):
            expr = cell.get("metadata", {}).get("safercare", {}).get("alt_from")
            if not expr:
                continue
            name = expr.split(".")[0]
            later = "\n".join(source(c) for c in nb["cells"][i + 1:i + 14]
                              if c["cell_type"] == "code")
            assert f"{name}.describe()" in later or f"{name}" in later, (number, i, expr)


#: Verdicts typed by hand next to a chart (the sentences issue 9 found wrong or untied).
TYPED_VERDICTS = [
    r"\bchart (?:shows|signals|signalled|marks)\s+(?:an?\s+)?(?:improvement|concern|special"
    r"|common|no signal|stable|shift)",
    r"\b(?:several|two|three|four|\d+)\s+(?:\w+\s+)?(?:sit|are|lie)\s+outside",
    r"\bfewer\s+\w+\s+stand out",
    r"\bthere is a signal\b",
    r"\bthey improved too\b",
    r"\bsignals an improvement after\b",
    r"\bthe story is the same\b",
]


def _outside_solutions(text: str) -> str:
    return re.sub(r":::\{solution\}.*?\n:::", "", text, flags=re.DOTALL)


@pytest.mark.parametrize("path", NOTEBOOKS_5_8[:3] + PAGES, ids=lambda p: p.name)
def test_no_verdict_about_a_chart_is_typed_by_hand(path):
    text = _outside_solutions(_markdown(path))
    found = [m.group(0) for pattern in TYPED_VERDICTS
             for m in re.finditer(pattern, text, flags=re.IGNORECASE)]
    assert not found, f"say these from the result instead: {found}"


def test_the_verdict_scan_catches_the_old_sentences():
    old = ("Look at the verdicts: the chart signals an improvement after **two cases**. "
           "Several collaboratives sit outside the 99.8% lines. With the wider limits, fewer "
           "collaboratives stand out. There is a signal of improvement. They improved too.")
    assert sum(len(re.findall(p, old, flags=re.IGNORECASE)) for p in TYPED_VERDICTS) >= 5


def test_lesson_7_teaches_the_naive_interval_the_placebos_and_the_honest_interval():
    nb = load(LESSONS[7])
    text = "\n".join(source(c) for c in nb["cells"])
    for name in ("poisson_words(effect)", "effect.placebos.plot(", "placebo_words(effect)",
                 "conclusion_words(effect)", "run_start_words(fixed"):
        assert name in text, name
    effect = l7._before_after()
    shown = "\n".join("".join(out.get("data", {}).get("text/markdown", ""))
                      for c in nb["cells"] if c["cell_type"] == "code" for out in c["outputs"])
    assert l7.poisson_words(effect) in shown
    assert l7.placebo_words(effect) in shown
    lo, hi = effect.summary["placebo_interval"]
    assert f"{lo - 1:+.1%} to {hi - 1:+.1%}" in shown
    # The words under the comparison chart use the honest interval, not the Poisson one.
    assert effect.summary["interval_method"] == "placebo"
    assert "placebo interval" in effect.describe()
    cite = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "abadie2010" in cite and "conley2011" in cite
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    assert "@article{abadie2010," in bib and "@article{conley2011," in bib


def test_new_lesson_7_exercises_check_their_answers():
    a = keys.expected_answers()
    poisson, placebo = a["7.4 placebo false alarms (Poisson, placebo)"]
    assert poisson >= 2 and placebo <= 1
    assert l7.check_placebo_false_alarms(poisson)
    wrong = l7.check_placebo_false_alarms(placebo)
    assert not wrong and "placebo interval" in wrong.message
    assert not l7.check_placebo_false_alarms("...").answered
    assert l7.check_change_date(a["7.5 what dates a change"])
    assert "colours the whole run" in l7.check_change_date("a").message
    assert not l7.check_change_date("c")
    assert not l7.check_change_date("...").answered
    # Lesson 7's fixed chart really does colour its run from before the programme.
    words = l7.run_start_words(spc_fixed_chart(), l7.LESSON7["start"])
    assert "before the programme started" in words


def spc_fixed_chart():
    from safercare import data, spc
    from safercare.comparison import totals
    from safercare.evaluation import count_before

    deaths = data.load("mortality")
    larch = totals(deaths[(deaths["collaborative_id"] == "C09").to_numpy()], by="quarter",
                   columns=["deaths", "admissions", "expected_deaths"])
    return spc.p_chart(larch, numerator="deaths", denominator="admissions", date="quarter",
                       direction="lower",
                       baseline=count_before(larch["quarter"], l7.LESSON7["start"]))


def _exercise_numbers(text: str) -> list[str]:
    return re.findall(r":::\{exercise\} (\d+\.\d+):", text)


@pytest.mark.parametrize("number", sorted(LESSONS))
def test_exercise_numbers_match_the_trainer_page(number):
    lesson_numbers = _exercise_numbers(_markdown(LESSONS[number]))
    assert lesson_numbers == [f"{number}.{i}" for i in range(1, len(lesson_numbers) + 1)]
    page = next(p for p in PAGES if p.parent.name == "trainers"
                and p.name.startswith(f"0{number}-"))
    answered = re.findall(r"\*\*Exercise (\d+\.\d+) \(", page.read_text(encoding="utf-8"))
    assert answered == lesson_numbers
    for text in [_markdown(LESSONS[number])]:
        assert text.count(":nonumber:") == len(lesson_numbers)


@pytest.mark.parametrize("number", sorted(LESSONS))
def test_exercises_need_only_a_short_typed_answer(number):
    """No exercise asks for a list, a dict or a function call; no code to edit is shown."""
    nb = load(LESSONS[number])
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        text = source(cell)
        if "hide-input" in tags(cell):
            continue
        tree = ast.parse(text)
        *assignments, last = tree.body
        assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and \
            ast.unparse(last.value.func).startswith("check_"), f"visible code:\n{text}"
        for node in assignments:
            assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant), text
    markdown = _outside_solutions(_markdown(LESSONS[number]))
    assert not re.search(r"change the (?:two )?numbers in the cell", markdown, re.I)
    solutions = re.findall(r":::\{solution\}.*?\n:::", _markdown(LESSONS[number]), re.DOTALL)
    for solution in solutions:
        code = [line.strip() for line in solution.splitlines() if line.startswith("    ")]
        for line in code:
            assert re.fullmatch(r"\w+ = (?:-?\d+|\"[^\"]*\")", line), line


def test_tables_in_lessons_5_8_have_no_row_numbers():
    for path in NOTEBOOKS_5_8[:3]:
        for cell in load(path)["cells"]:
            for out in cell.get("outputs", []):
                html = "".join(out.get("data", {}).get("text/html", ""))
                if "<table" in html and "sc-explore" not in html:
                    assert "row_heading" not in html and 'class="dataframe"' not in html, \
                        f"{path.name} {cell['id']}: a table shows pandas row numbers"


EXPLORERS = {
    "days since": lambda: l5.days_since_explorer(),
    "rank lottery": lambda: l6.rank_explorer(l6._collaboratives(), numerator="deaths",
                                             denominator="expected_deaths",
                                             unit="collaborative", kind="ratio"),
    "regression to the mean": lambda: l7.regression_to_mean_explorer(),
}


@pytest.fixture(scope="module")
def explorers() -> dict[str, Any]:
    made = {name: make() for name, make in EXPLORERS.items()}
    for explorer in made.values():
        explorer.build()
    return made


def test_explorers_respond_in_every_state(explorers):
    from safercare.widgets.explore import Explorer

    for name, explorer in explorers.items():
        assert isinstance(explorer, Explorer), name
        assert explorer.inert_controls() == [], name
    first = explorers["regression to the mean"]
    state = first.build().states[first.first_state()]
    assert state[4] == __import__("safercare.widgets.explore", fromlist=["words_html"]
                                  ).words_html(l7._rtm().describe())


def test_lessons_show_explorers_not_dead_widgets():
    """The three explorations are HTML states in the saved notebook, not ipywidgets."""
    calls = {5: "days_since_explorer(", 6: "rank_explorer(", 7: "regression_to_mean_explorer("}
    for number, call in calls.items():
        cell = next(c for c in load(LESSONS[number])["cells"] if call in source(c))
        data = [out.get("data", {}) for out in cell["outputs"]]
        assert any('class="sc-explore"' in "".join(d.get("text/html", "")) for d in data)
        assert not any("application/vnd.jupyter.widget-view+json" in d for d in data)
    text = "\n".join(_markdown(p) for p in LESSONS.values())
    assert "cannot redraw" not in text and "needs a running lesson" not in text
    assert text.count("This part needs a live session") == 3
    for path in NOTEBOOKS_5_8:  # no hedging: a live part says plainly that it needs Python
        words = re.sub(r"\s+", " ", _markdown(path))
        assert "does not appear" not in words and "may not appear" not in words, path.name
    assert "This part needs a live session" in _markdown(NOTEBOOKS_5_8[3])


@pytest.mark.parametrize("path", NOTEBOOKS_5_8, ids=lambda p: p.name)
def test_no_lesson_promises_no_code_then_asks_for_an_edit(path):
    """Issue 9: lessons said "you never have to write code" and then had the reader edit a
    cell; they now say what typing an answer involves."""
    text = re.sub(r"\s+", " ", _markdown(path))
    assert "never have to write code" not in text
    assert "never have to read or write code" not in text
    assert "No coding is needed: to answer an exercise you type a number or a few words" in text


def test_lesson_8_tables_have_no_row_numbers():
    lesson8 = load(ROOT / "notebooks" / "08-your-own-data.ipynb")
    tables = 0
    for cell in lesson8["cells"]:
        for out in cell.get("outputs", []):
            html = "".join(out.get("data", {}).get("text/html", ""))
            if "<table" in html:
                tables += 1
                assert "row_heading" not in html and 'class="dataframe"' not in html, cell["id"]
    assert tables >= 4


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_course_values_in_pages_are_not_inside_code_spans(path):
    """A ``{course}`` role inside backticks is printed as raw text, not as the value."""
    from safercare.lessons.answer_keys import BOOK_WORDS

    text = path.read_text(encoding="utf-8")
    assert not re.search(r"`\"?\{course\}", text)
    for key in re.findall(r"\{course\}`([^`]+)`", text):
        assert key in BOOK_WORDS, key
