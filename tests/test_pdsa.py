"""safercare.pdsa: the PDSA log (validation, CSV in and out), its figures, driver diagrams.

Every validation error is checked with the row (or cycle) it names; the CSV round trip
is exact both ways; the ramp and annotation figures carry alt text made from the log
and one mark per cycle; the driver diagram's outline and alt text come from its table;
hostile files are refused with one plain message, without reading more than the limit.
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import safercare.spc as spc  # noqa: E402
from safercare.errors import DataError  # noqa: E402
from safercare.pdsa import (  # noqa: E402
    COLUMNS,
    MAX_BYTES,
    MAX_CYCLES,
    Cycle,
    DriverDiagram,
    PDSALog,
    annotate,
    parse_scale,
    plot_ramp,
)
from safercare.pdsa.driver import FILLS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def good(**changes) -> dict[str, str]:
    """One valid CSV row as a dict of text cells."""
    row = {"cycle_id": "C1", "builds_on": "", "change_idea": "Write TTOs the day before",
           "aim": "A third before noon", "measure": "patients before noon (of 5)",
           "prediction": "Four of five", "predicted_value": "4",
           "prediction_date": "2024-11-11", "plan": "Five patients on Tuesday",
           "plan_date": "2024-11-11", "do_date": "2024-11-12", "study_date": "2024-11-13",
           "scale": "5 patients", "result_value": "2", "result": "Two of five",
           "decision": "adapt", "learning": "Pharmacy must check TTOs early"}
    row.update(changes)
    return row


def csv_of(rows: list[dict[str, str]]) -> bytes:
    return pd.DataFrame(rows, dtype=str).to_csv(index=False).encode("utf-8")


def problems(rows: list[dict[str, str]]) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(DataError) as err:
        PDSALog.from_csv(csv_of(rows))
    return [(p.row, p.column, p.what) for p in err.value.problems]


def sample_log() -> PDSALog:
    return PDSALog([
        Cycle("A", "Idea one", "2024-11-01", "1 patient", prediction="yes",
              predicted_value=1, measure="patients (of 1)", do_date="2024-11-02",
              result_value=1, decision="adapt"),
        Cycle("B", "Idea one, bigger", "2024-11-05", "1 shift", builds_on="A",
              predicted_value=3, measure="patients (of 4)", do_date="2024-11-06",
              result_value=2, decision="adopt"),
        Cycle("C", "Idea two", "2024-11-10", "1 ward", do_date="2024-11-12",
              result="nothing changed", decision="abandon"),
        Cycle("D", "Idea one, ward", "2024-11-20", "1 ward", builds_on="B",
              predicted_value=30, measure="%"),
    ])


# ------------------------------------------------------------------- CSV round trip
def test_log_to_csv_and_back_is_equal_and_the_text_is_stable(tmp_path: Path) -> None:
    log = sample_log()
    text = log.to_csv(tmp_path / "log.csv")
    again = PDSALog.from_csv(tmp_path / "log.csv")
    assert again == log
    assert again.to_csv() == text
    assert text.splitlines()[0].split(",") == list(COLUMNS)
    assert b"\r" not in (tmp_path / "log.csv").read_bytes()


def test_round_trip_keeps_commas_quotes_newlines_and_precise_numbers() -> None:
    log = PDSALog([Cycle("C1", 'He said "go", then, later\nleft', "2024-01-02", "2 days",
                         predicted_value=0.1 + 0.2, measure="rate, per day",
                         result_value=-3.25e-7, decision="adopt")])
    again = PDSALog.from_csv(log.to_csv().encode())
    assert again == log
    assert again["C1"].predicted_value == 0.1 + 0.2


def test_uk_dates_percent_signs_and_decision_case_are_read_and_written_plainly() -> None:
    log = PDSALog.from_csv(csv_of([good(plan_date="11/11/2024", predicted_value="30%",
                                        decision=" Adapt ")]))
    cycle = log["C1"]
    assert cycle.plan_date == date(2024, 11, 11)
    assert cycle.predicted_value == 30.0
    assert cycle.decision == "adapt"
    assert ",2024-11-11," in log.to_csv() and ",30," in log.to_csv()


def test_columns_may_come_in_any_order_and_optional_ones_may_be_missing() -> None:
    text = b"scale,plan_date,change_idea,cycle_id\n1 ward,2024-05-01,Huddle,H1\n"
    log = PDSALog.from_csv(text)
    assert log["H1"].scale == "1 ward" and log["H1"].aim == ""
    assert log.missed_predictions() == ["H1"]


def test_headings_in_any_case_with_spaces_excel_files_and_other_encodings_are_read() -> None:
    import openpyxl

    log = PDSALog.from_csv(b"\xef\xbb\xbfCycle ID;Change idea;Plan-date;SCALE\n"
                           b"C1;Caf\xc3\xa9 huddle;2024-01-01;1 ward\n")
    assert log["C1"].change_idea == "Café huddle"
    cp1252 = "cycle_id,change_idea,plan_date,scale\nC1,café,2024-01-01,1 ward\n"
    assert PDSALog.from_csv(cp1252.encode("cp1252"))["C1"].change_idea == "café"
    book = openpyxl.Workbook()
    book.active.append(["cycle_id", "change_idea", "plan_date", "scale", "predicted_value",
                        "measure"])
    book.active.append(["C1", "x", pd.Timestamp("2024-01-01").to_pydatetime(), "1 ward", 30,
                        "%"])
    data = io.BytesIO()
    book.save(data)
    cycle = PDSALog.from_csv(data.getvalue(), name="log.xlsx")["C1"]
    assert (cycle.plan_date, cycle.predicted_value) == (date(2024, 1, 1), 30.0)
    with pytest.raises(DataError, match="used twice: 'Plan date', 'plan_date'"):
        PDSALog.from_csv(b"cycle_id,change_idea,plan_date,scale,Plan date\n"
                         b"C1,x,2024-01-01,1 ward,2024-01-01\n")


def test_blank_rows_are_skipped_but_rows_keep_their_excel_numbers() -> None:
    text = csv_of([good()]).decode() + ",,,,,,,,,,,,,,,,\n" + csv_of(
        [good(cycle_id="C2", decision="maybe")]).decode().split("\n", 1)[1]
    with pytest.raises(DataError) as err:
        PDSALog.from_csv(text.encode())
    assert [(p.row, p.column) for p in err.value.problems] == [(4, "decision")]


# ------------------------------------------------------------------- validation
@pytest.mark.parametrize(("change", "column", "words"), [
    ({"study_date": "2024-11-10"}, "study_date", "study date is before the plan date"),
    ({"do_date": "2024-11-01"}, "do_date", "run before it was planned"),
    ({"study_date": "2024-11-11", "do_date": "2024-11-12"}, "study_date",
     "before the test was run"),
    ({"decision": ""}, "decision", "a result but no decision"),
    ({"decision": "continue"}, "decision", "not one of the three decisions"),
    ({"builds_on": "C9"}, "builds_on", "no cycle in the log has this name"),
    ({"builds_on": "C1"}, "builds_on", "builds on itself"),
    ({"scale": "-2 wards"}, "scale", "at least 1"),
    ({"scale": "0 patients"}, "scale", "at least 1"),
    ({"scale": "1.5 shifts"}, "scale", "whole number"),
    ({"scale": "5000 patients"}, "scale", "more than one cycle could test"),
    ({"scale": "3 bananas"}, "scale", "unit we do not know"),
    ({"scale": "the ward"}, "scale", "does not start with a number"),
    ({"scale": ""}, "scale", "scale is blank"),
    ({"plan_date": "last Tuesday"}, "plan_date", "not a date"),
    ({"plan_date": "31/02/2024"}, "plan_date", "not a date"),
    ({"plan_date": ""}, "plan_date", "plan date is blank"),
    ({"do_date": "1899-01-01"}, "do_date", "plausible"),
    ({"predicted_value": "about four"}, "predicted_value", "not a number"),
    ({"result_value": "inf"}, "result_value", "not a number"),
    ({"measure": ""}, "measure", "predicted number but no measure"),
    ({"change_idea": ""}, "change_idea", "change idea is blank"),
    ({"cycle_id": ""}, "cycle_id", "no name"),
    ({"learning": "x" * 2001}, "learning", "longer than"),
])
def test_each_error_names_its_row_and_column(change: dict[str, str], column: str,
                                             words: str) -> None:
    rows = [good(cycle_id="C0", scale="1 patient"), good(**change)]
    found = problems(rows)
    assert [(r, c) for r, c, _ in found] == [(3, column)], found
    assert words in found[0][2]


def test_a_loop_of_cycles_is_one_error_at_its_first_row() -> None:
    rows = [good(cycle_id="C1", builds_on="C3"), good(cycle_id="C2", builds_on="C1"),
            good(cycle_id="C3", builds_on="C2"), good(cycle_id="C4", builds_on="C3")]
    found = problems(rows)
    assert len(found) == 1 and found[0][:2] == (2, "builds_on")
    assert "C1 → C3 → C2 → C1" in found[0][2]


def test_a_loop_entered_from_outside_is_reported_at_its_first_member() -> None:
    cycles = [Cycle("C4", "x", "2024-01-01", "1 ward", builds_on="C3"),
              Cycle("C3", "x", "2024-01-01", "1 ward", builds_on="C2"),
              Cycle("C2", "x", "2024-01-01", "1 ward", builds_on="C3")]
    with pytest.raises(DataError) as err:
        PDSALog(cycles)
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "builds_on")]
    assert "loop: C3 → C2 → C3" in err.value.problems[0].what


def test_long_chains_and_long_loops_are_handled_whole() -> None:
    chain = [Cycle(f"C{i}", "x", "2024-01-01", "1 ward", builds_on=f"C{i - 1}" if i else "")
             for i in range(MAX_CYCLES)]
    log = PDSALog(chain)
    assert log.ramps() == [[c.cycle_id for c in chain]]
    assert log.chain("C999")[:2] == ["C0", "C1"]
    loop = [Cycle(c.cycle_id, "x", "2024-01-01", "1 ward",
                  builds_on=f"C{(i - 1) % MAX_CYCLES}") for i, c in enumerate(chain)]
    with pytest.raises(DataError) as err:
        PDSALog(loop)
    assert len(err.value.problems) == 1
    assert err.value.problems[0].what.endswith("(1000 cycles in all)")


def test_a_repeated_cycle_name_is_an_error_at_the_second_row() -> None:
    found = problems([good(), good(result="other")])
    assert found[0][:2] == (3, "cycle_id") and "row 2" in found[0][2]


def test_every_problem_is_reported_at_once_in_one_plain_message() -> None:
    rows = [good(decision="maybe"), good(cycle_id="C2", plan_date="soon"),
            good(cycle_id="C3", builds_on="C7", scale="-1 ward")]
    with pytest.raises(DataError) as err:
        PDSALog.from_csv(csv_of(rows), name="team_log.csv")
    message = str(err.value)
    assert message.startswith("We found 4 problems in team_log.csv.")
    for where in ("Row 2, column 'decision'", "Row 3, column 'plan_date'",
                  "Row 4, column 'builds_on'", "Row 4, column 'scale'"):
        assert where in message
    assert "Traceback" not in message


def test_cycles_built_in_memory_are_named_by_position() -> None:
    with pytest.raises(DataError) as err:
        PDSALog([Cycle("A", "x", "2024-01-01", "1 ward"),
                 Cycle("B", "y", "2024-01-01", "1 ward", builds_on="Z")])
    assert str(err.value).splitlines()[1].startswith("- Cycle 2, column 'builds_on'")


# ------------------------------------------------------------------- notes, not errors
def test_a_missing_prediction_is_a_note_not_an_error() -> None:
    log = PDSALog.from_csv(csv_of([good(), good(cycle_id="C2", prediction="",
                                                predicted_value="", measure="")]))
    assert log.missed_predictions() == ["C2"]
    assert [(n.row, n.column) for n in log.notes] == [(3, "prediction")]
    assert "missed chance" in log.notes[0].what


def test_a_prediction_written_after_the_test_is_noted_and_shown_as_hindsight() -> None:
    log = PDSALog.from_csv(csv_of([good(prediction_date="2024-11-13")]))
    assert [(n.row, n.column) for n in log.notes] == [(2, "prediction_date")]
    table = log.prediction_vs_result()
    assert table.loc[0, "written_before_test"] is np.False_ or \
        table.loc[0, "written_before_test"] == False  # noqa: E712
    assert "written after the test" in table.loc[0, "in_words"]


def test_a_decision_with_no_result_is_noted() -> None:
    log = PDSALog([Cycle("A", "x", "2024-01-01", "1 ward", decision="abandon",
                         prediction="p")])
    assert [n.column for n in log.notes] == ["decision"]


# ------------------------------------------------------------------- studying
def test_prediction_against_result_table() -> None:
    table = sample_log().prediction_vs_result().set_index("cycle_id")
    assert table.loc["A", "difference"] == 0 and table.loc["B", "difference"] == -1
    assert table.loc["B", "abs_difference"] == 1
    assert bool(table.loc["B", "written_before_test"]) is True   # plan date counts
    assert pd.isna(table.loc["C", "written_before_test"])         # no prediction
    assert pd.isna(table.loc["D", "written_before_test"])         # not run yet
    assert table.loc["B", "in_words"] == ("B: predicted 3, found 2 (patients (of 4)): 1 "
                                          "below the prediction.")
    assert list(table["has_prediction"]) == [True, True, False, True]


def test_ramps_and_chains_follow_builds_on() -> None:
    log = sample_log()
    assert log.ramps() == [["A", "B", "D"], ["C"]]
    assert log.chain("D") == ["A", "B", "D"]


@pytest.mark.parametrize(("text", "expected"), [
    ("1 patient", (1, "patient")), ("5 Patients", (5, "patient")),
    ("one ward", (1, "ward")), ("2 weeks", (2, "week")), ("1 shift", (1, "shift")),
    ("3 bays", (3, "bay")), ("1 site", (1, "site")), ("1,000 patients", (1000, "patient")),
])
def test_scales_are_read(text: str, expected: tuple[int, str]) -> None:
    assert parse_scale(text) == expected


# ------------------------------------------------------------------- hostile files
def test_wrong_columns_get_one_message_naming_them() -> None:
    with pytest.raises(DataError) as err:
        PDSALog.from_csv(b"id,idea,date\nC1,x,2024-01-01\n")
    message = str(err.value)
    assert len(err.value.problems) == 2
    assert "'id', 'idea', 'date'" in message
    assert "missing: cycle_id, change_idea, plan_date, scale" in message


@pytest.mark.parametrize(("content", "words"), [
    (b"", "empty"),
    (b"cycle_id,change_idea,plan_date,scale\n", "no cycles"),
    (b"cycle_id,cycle_id,change_idea,plan_date,scale\nC1,C1,x,2024-01-01,1 ward\n",
     "used twice"),
    (bytes(range(256)) * 40, "not"),
    (b"%PDF-1.4 not a log", "PDF"),
])
def test_malformed_files_are_refused_plainly(content: bytes, words: str) -> None:
    with pytest.raises(DataError) as err:
        PDSALog.from_csv(content)
    assert words in str(err.value)


def test_too_many_cycles_are_refused() -> None:
    rows = "".join(f"C{i},x,2024-01-01,1 ward\n" for i in range(MAX_CYCLES + 1))
    with pytest.raises(DataError) as err:
        PDSALog.from_csv(("cycle_id,change_idea,plan_date,scale\n" + rows).encode())
    assert f"more than the {MAX_CYCLES:,}" in str(err.value)


def test_a_huge_file_is_refused_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:                  # 4 GB, sparse: nothing is written
        f.truncate(4 * 2**30)
    with pytest.raises(DataError) as err:
        PDSALog.from_csv(path)
    assert "larger than 2 MB" in str(err.value)

    class Counting(io.BytesIO):
        asked: list[int] = []

        def read(self, size: int | None = -1) -> bytes:
            self.asked.append(size)
            return super().read(size)

    stream = Counting(b"x" * (MAX_BYTES + 10))
    with pytest.raises(DataError):
        PDSALog.from_csv(stream)
    assert stream.asked == [MAX_BYTES + 1]


def test_hostile_logs_are_refused_in_bounded_time_in_a_child_process(tmp_path: Path) -> None:
    """One long line, many columns, a million commas, deep nesting of quotes: each is
    refused with a DataError; the child has 60 s (a bound, not a speed test)."""
    script = textwrap.dedent("""
        import sys
        from safercare.errors import DataError
        from safercare.pdsa import PDSALog
        header = b"cycle_id,change_idea,plan_date,scale\\n"
        cases = {
            "long line": header + b"C1," + b"x" * 1_900_000 + b",2024-01-01,1 ward\\n",
            "many columns": b",".join(b"c%d" % i for i in range(5000)) + b"\\n",
            "commas": header + b"," * 1_500_000 + b"\\n",
            "open quote": header + b'C1,"' + b"y" * 1_000_000 + b"\\n",
            "many rows": header + b"C,x,2024-01-01,1 ward\\n" * 90_000,
        }
        for name, content in cases.items():
            try:
                PDSALog.from_csv(content)
            except DataError as e:
                print(name, "refused", str(e).splitlines()[0])
            else:
                print(name, "READ")
                sys.exit(1)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("refused") == 5


# ------------------------------------------------------------------- ramp view
def test_ramp_has_one_marker_per_cycle_links_labels_and_alt_text() -> None:
    log = sample_log()
    fig = plot_ramp(log)
    ax = fig.axes[0]
    points = sum(len(c.get_offsets()) for c in ax.collections
                 if (c.get_gid() or "").startswith("pdsa-") and c.get_gid() != "pdsa-links")
    assert points == len(log)
    links = [c for c in ax.collections if c.get_gid() == "pdsa-links"][0]
    assert len(links.get_segments()) == 2                   # B on A, D on B
    labels = [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("pdsa-label")]
    assert labels == ["A", "B", "C (no prediction)", "D"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1 patient", "1 shift", "1 ward"]
    shapes = {c.get_gid(): c.get_paths()[0].vertices.round(3).tobytes() for c in ax.collections
              if c.get_gid() in ("pdsa-adopt", "pdsa-adapt", "pdsa-abandon")}
    assert len(set(shapes.values())) == 3                   # three different shapes
    assert fig.alt_text == (
        "Ramp chart of 4 PDSA cycles in 2 ramps, from 2 Nov 2024 to 20 Nov 2024; scale "
        "from 1 patient to 1 ward. Ramp 1: A (1 patient, 2 Nov 2024, adapt) → B (1 shift, "
        "6 Nov 2024, adopt) → D (1 ward, 20 Nov 2024, not tested yet). Ramp 2: C (1 ward, "
        "12 Nov 2024, abandon). No prediction was written for C.")


def test_ramp_alt_text_follows_the_log() -> None:
    log = sample_log()
    fewer = PDSALog([c for c in log if c.cycle_id != "C"])
    assert "2 ramps" in plot_ramp(log).alt_text
    assert "1 ramp," in plot_ramp(fewer).alt_text
    assert "No prediction" not in plot_ramp(fewer).alt_text


def test_ramp_draws_into_a_given_axes() -> None:
    fig, (a, b) = plt.subplots(1, 2)
    assert plot_ramp(sample_log(), ax=b) is fig
    assert not a.collections and b.collections


# ------------------------------------------------------------------- annotations
def _chart() -> spc.SPCResult:
    dates = pd.date_range("2024-10-01", periods=70, freq="D")
    rng = np.random.default_rng(1)
    return spc.run_chart(pd.DataFrame({"date": dates, "v": rng.normal(10, 1, 70)}),
                         "v", "date")


def test_annotate_marks_each_tested_cycle_at_its_do_date() -> None:
    result = _chart()
    before = result.table.copy()
    log = sample_log()
    fig = annotate(result, log)
    ax = fig.axes[0]
    lines = {line.get_gid(): line for line in ax.lines
             if (line.get_gid() or "").startswith("pdsa-cycle-")}
    assert sorted(lines) == ["pdsa-cycle-A", "pdsa-cycle-B", "pdsa-cycle-C"]  # D not run
    x = lines["pdsa-cycle-B"].get_xdata()[0]
    assert matplotlib.dates.num2date(x).date() == date(2024, 11, 6)
    markers = [line for line in ax.lines if (line.get_gid() or "").startswith("pdsa-marker")]
    assert sorted(m.get_marker() for m in markers) == ["D", "X", "s"]
    labels = sorted(t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("pdsa-"))
    assert labels == ["A adapt", "B adopt", "C abandon"]
    assert fig.alt_text.startswith(result.describe())
    assert fig.alt_text.endswith(
        "3 PDSA cycles marked at the date each was tested: A (adapt, 1 patient) on 2 Nov "
        "2024; B (adopt, 1 shift) on 6 Nov 2024; C (abandon, 1 ward) on 12 Nov 2024. Not "
        "tested yet: D.")
    assert fig.pdsa_marked == ["A", "B", "C"]
    pd.testing.assert_frame_equal(result.table, before)    # the SPC result is untouched


def test_annotate_accepts_an_axes_or_figure_and_says_what_is_off_the_chart() -> None:
    result = _chart()
    fig, ax = plt.subplots()
    result.plot(ax=ax)
    early = PDSALog([Cycle("Z", "x", "2023-01-01", "1 ward", do_date="2023-01-02",
                           decision="adopt", result="r"), *sample_log()])
    out = annotate(ax, early)
    assert out is fig and out.pdsa_marked == ["A", "B", "C"]
    assert "Outside this chart's dates: Z." in out.alt_text
    assert annotate(result.plot(), sample_log()).pdsa_marked == ["A", "B", "C"]


def test_annotate_refuses_charts_without_dates_and_small_multiples() -> None:
    undated = spc.xmr(list(range(20)))
    with pytest.raises(ValueError, match="no dates"):
        annotate(undated, sample_log())
    frame = pd.DataFrame({"date": list(pd.date_range("2024-01-01", periods=20)) * 2,
                          "v": np.arange(40.0), "g": ["a"] * 20 + ["b"] * 20})
    by_group = spc.xmr(frame, "v", "date", by="g")
    with pytest.raises(ValueError, match="2 series: say which to mark with group="):
        annotate(by_group, sample_log())
    with pytest.raises(ValueError, match="2 charts"):
        annotate(by_group.plot(), sample_log())
    early = PDSALog([Cycle("A", "x", "2024-01-02", "1 ward", do_date="2024-01-05")])
    fig = annotate(by_group, early, group="b")
    assert fig.pdsa_marked == ["A"] and fig.alt_text.startswith(by_group.describe(group="b"))


# ------------------------------------------------------------------- driver diagram
TABLE = pd.DataFrame({
    "Aim": ["Discharge a third before noon by March"] * 4,
    "Primary driver": ["Plan the day before", "Plan the day before", "Transport ready",
                       "Plan the day before"],
    "Secondary driver": ["Medicines ready", "Patients know", "", "Medicines ready"],
    "Change idea": ["TTOs written the day before", "Tell patients at 4pm",
                    "Book transport the day before", "Pharmacist at the board round"],
})


def test_driver_outline_comes_from_the_table() -> None:
    dd = DriverDiagram.from_table(TABLE)
    assert dd.outline() == "\n".join([
        "Aim: Discharge a third before noon by March",
        "- Primary driver: Plan the day before",
        "  - Secondary driver: Medicines ready",
        "    - Change idea: TTOs written the day before",
        "    - Change idea: Pharmacist at the board round",
        "  - Secondary driver: Patients know",
        "    - Change idea: Tell patients at 4pm",
        "- Primary driver: Transport ready",
        "  - Change idea: Book transport the day before",
    ])
    changed = TABLE.assign(**{"Change idea": TABLE["Change idea"].str.upper()})
    assert "TTOS WRITTEN" in DriverDiagram.from_table(changed).outline()


def test_driver_alt_text_comes_from_the_table() -> None:
    dd = DriverDiagram.from_table(TABLE)
    assert dd.alt_text() == (
        "Driver diagram, read from left to right. Aim: Discharge a third before noon by "
        "March. 2 primary drivers, 2 secondary drivers and 4 change ideas. Primary driver "
        "'Plan the day before': secondary drivers 'Medicines ready', 'Patients know'; 3 "
        "change ideas. Primary driver 'Transport ready'; 1 change idea. The full outline "
        "is given as a list in the text.")


def test_driver_plot_has_a_box_per_node_a_line_per_link_and_alt_text() -> None:
    dd = DriverDiagram.from_table(TABLE)
    fig = dd.plot()
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if (p.get_gid() or "").startswith("box-")]
    assert len(boxes) == 1 + 2 + 2 + 4
    links = [c for c in ax.collections if c.get_gid() == "links"][0]
    assert len(links.get_segments()) == len(dd.links) == 8
    assert fig.alt_text == dd.alt_text()
    assert tuple(fig.get_size_inches()) == pytest.approx((11.69, 8.27))
    for box in boxes:                          # every box inside the page
        x, y = box.get_x(), box.get_y()
        assert 0 <= x and x + box.get_width() <= 1 and 0 <= y and y + box.get_height() <= 1
    texts = [t.get_text() for t in ax.texts]
    assert all(len(line) <= 26 for t in texts for line in t.split("\n"))
    assert {"Aim", "Primary drivers", "Secondary drivers", "Change ideas"} <= set(texts)


def test_driver_fills_stay_distinct_in_greyscale() -> None:
    grey = sorted(np.dot(mcolors.to_rgb(c), [0.299, 0.587, 0.114]) for c in FILLS.values())
    assert min(np.diff(grey)) > 0.05


def test_a_big_driver_diagram_grows_taller_and_its_boxes_do_not_overlap() -> None:
    n = 40
    table = pd.DataFrame({"aim": ["Aim"] * n, "primary_driver": ["P"] * n,
                          "secondary_driver": [f"S{i % 8}" for i in range(n)],
                          "change_idea": [f"Change idea number {i} with some words"
                                          for i in range(n)]})
    fig = DriverDiagram.from_table(table).plot()
    assert fig.get_size_inches()[1] > 8.27
    ideas = sorted((p.get_y(), p.get_y() + p.get_height()) for p in fig.axes[0].patches
                   if p.get_gid() == "box-change_idea")
    assert len(ideas) == n
    assert all(a[1] <= b[0] for a, b in zip(ideas, ideas[1:], strict=False))
    assert ideas[0][0] >= 0


@pytest.mark.parametrize(("change", "row", "words"), [
    ({"Aim": ["A", "", "A", "A"]}, 3, "aim is blank"),
    ({"Primary driver": ["P", "P", "", "P"], "Secondary driver": ["S", "S", "", "S"]}, 4,
     "change idea has no driver"),
    ({"Primary driver": ["P", "", "P", "P"]}, 3, "secondary driver has no primary"),
    ({"Aim": ["A", "B", "A", "A"]}, 3, "has one aim, but this table has 2"),
    ({"Change idea": ["x" * 301, "b", "c", "d"]}, 2, "longer than 300"),
])
def test_driver_table_errors_name_the_row(change: dict[str, list[str]], row: int,
                                          words: str) -> None:
    with pytest.raises(DataError) as err:
        DriverDiagram.from_table(TABLE.assign(**change))
    found = [(p.row, p.what) for p in err.value.problems]
    assert len(found) == 1 and found[0][0] == row and words in found[0][1], found


def test_driver_table_whole_table_errors() -> None:
    with pytest.raises(DataError, match="missing: change_idea"):
        DriverDiagram.from_table(TABLE.drop(columns="Change idea"))
    with pytest.raises(DataError, match="table is empty"):
        DriverDiagram.from_table(TABLE.iloc[0:0])
    with pytest.raises(DataError, match="only the aim"):
        DriverDiagram.from_table(pd.DataFrame({"aim": ["A"], "primary_driver": [""],
                                               "secondary_driver": [""],
                                               "change_idea": [""]}))
    with pytest.raises(DataError, match="more than the 200"):
        DriverDiagram.from_table(pd.concat([TABLE] * 51))


def test_driver_diagram_reads_a_csv_and_needs_no_graphviz() -> None:
    dd = DriverDiagram.from_csv(TABLE.to_csv(index=False).encode(), name="drivers.csv")
    assert dd == DriverDiagram.from_table(TABLE)
    source = (ROOT / "safercare" / "pdsa" / "driver.py").read_text(encoding="utf-8")
    assert "import graphviz" not in source and "subprocess" not in source
    with pytest.raises(DataError) as err:
        DriverDiagram.from_csv(b"aim,primary driver,secondary driver,change idea\n"
                               b"A,P,S,C\n,P,S,D\n", name="drivers.csv")
    assert str(err.value).splitlines()[1].startswith("- Row 3, column 'aim'")


def test_the_speed_benchmark_builds_valid_workloads() -> None:
    """benchmarks/pdsa_speed.py cannot rot: its synthetic log and table are valid."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("pdsa_speed",
                                                  ROOT / "benchmarks" / "pdsa_speed.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    log = PDSALog.from_csv(bench.big_log(30))
    assert len(log) == 30 and len(log.ramps()) == 3 and log.notes == ()
    assert len(DriverDiagram.from_table(bench.driver_table(12)).nodes["change_idea"]) == 12


def test_text_a_spreadsheet_would_run_as_a_formula_is_written_harmlessly() -> None:
    """CSV injection: a cell starting = + - @ gets an apostrophe (Excel hides it, and
    from_csv removes it), so the round trip is still exact."""
    risky = '=HYPERLINK("http://example.invalid","click")'
    log = PDSALog([Cycle("C1", risky, "2024-01-02", "1 ward", learning="- one\n- two",
                         result="@SUM(A1)", decision="adopt", prediction="+5")])
    text = log.to_csv()
    assert "'=HYPERLINK" in text and "'- one" in text and "'@SUM" in text
    assert "'+5" in text
    assert not any(cell.startswith(("=", "+", "-", "@"))
                   for cell in pd.read_csv(io.StringIO(text), dtype=str,
                                           keep_default_na=False).to_numpy().ravel())
    assert PDSALog.from_csv(text.encode()) == log


def test_pandas_missing_values_are_blank_not_the_text_na() -> None:
    table = TABLE.astype("string")
    table.loc[2, "Secondary driver"] = pd.NA
    assert "<NA>" not in DriverDiagram.from_table(table).outline()
    log = PDSALog([Cycle("C1", "x", pd.Timestamp("2024-01-02"), "1 ward", aim=pd.NA,
                         predicted_value=pd.NA, do_date=pd.NaT, prediction="p")])
    assert log["C1"].aim == "" and log["C1"].predicted_value is None
    assert log["C1"].do_date is None


def test_driver_outline_html_is_nested_lists_with_typed_text_escaped() -> None:
    table = TABLE.copy()
    table.loc[1, "Change idea"] = "<script>alert('x')</script> & <b>bold</b>"
    dd = DriverDiagram.from_table(table)
    page = dd.outline_html()
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;" in page
    assert page.count("<ul>") == 1 + 2 + 2        # under the aim, 2 primaries, 2 secondaries
    assert page.count("<li>") == 2 + 2 + 4        # each driver and idea once here
    assert page.startswith('<div class="driver-diagram-outline"><p>Aim: Discharge')


def test_annotation_labels_of_cycles_close_in_time_do_not_sit_on_each_other() -> None:
    close = PDSALog([Cycle(f"K{i}", "x", "2024-11-01", "1 ward", do_date=f"2024-11-0{i + 2}",
                           decision="adapt", result="r") for i in range(3)])
    fig = annotate(_chart(), close)
    heights = [t.get_position()[1] for t in fig.axes[0].texts
               if (t.get_gid() or "").startswith("pdsa-label")]
    assert len(set(heights)) == 3


def test_adding_a_cycle_makes_a_new_checked_log_and_keeps_the_old_one() -> None:
    log = sample_log()
    more = log.add(Cycle("E", "Idea two again", "2024-11-25", "1 ward", builds_on="C",
                         prediction="p"))
    assert len(more) == 5 and len(log) == 4 and more.chain("E") == ["C", "E"]
    with pytest.raises(DataError) as err:
        log.add(Cycle("F", "x", "2024-11-25", "1 ward", builds_on="nope"))
    assert err.value.problems[0].row == 5 and len(log) == 4


def test_an_empty_log_draws_and_says_so() -> None:
    empty = PDSALog([])
    assert plot_ramp(empty).alt_text == "Ramp chart with no PDSA cycles."
    fig = annotate(_chart(), empty)
    assert fig.pdsa_marked == [] and fig.alt_text.endswith(
        "No PDSA cycle falls within this chart's dates.")
    assert empty.prediction_vs_result().empty and empty.ramps() == []


def test_csv_text_missing_files_and_impossible_names_get_plain_messages(tmp_path: Path) -> None:
    assert PDSALog.from_csv(sample_log().to_csv()) == sample_log()      # text, not a path
    with pytest.raises(DataError, match="not found"):
        PDSALog.from_csv(tmp_path / "no_such_log.csv")
    with pytest.raises(DataError, match="could not be opened"):
        PDSALog.from_csv("x" * 5000 + ".csv")
    with pytest.raises(DataError, match="could not be opened|not found"):
        PDSALog.from_csv(tmp_path)                                       # a folder


def test_a_huge_driver_table_is_refused_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "drivers.csv"
    with path.open("wb") as f:
        f.truncate(3 * 2**30)
    with pytest.raises(DataError, match="more than a driver diagram table needs"):
        DriverDiagram.from_csv(path)
    with pytest.raises(DataError, match="more than the 200"):
        DriverDiagram.from_csv(b"aim,primary_driver,secondary_driver,change_idea\n"
                               + b"A,P,S,C\n" * 201)
