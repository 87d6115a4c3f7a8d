"""Tests for safercare.games: the red beads, funnel, dice, measure builder, board report
and exercise checks used by lessons 1-4."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from safercare.errors import DataError
from safercare.games import board_report, measures, red_beads
from safercare.games import funnel_experiment as fx
from safercare.lessons import measuring_what_matters as l1
from safercare.lessons import spc_the_making_data_count_way as l3
from safercare.lessons import tampering as l4
from safercare.lessons import variation_and_run_charts as l2

# --- red beads -----------------------------------------------------------------------


def test_red_bead_experiment_shape_and_columns():
    t = red_beads.red_bead_experiment(workers=6, days=4, seed=1)
    assert list(t.columns) == red_beads.COLUMNS
    assert len(t) == 24
    assert t["draw"].tolist() == list(range(1, 25))
    assert t["day"].tolist() == [d for d in range(1, 5) for _ in range(6)]
    assert t["worker"].tolist()[:6] == list(red_beads.WORKERS)
    assert t["red"].between(0, 50).all()
    assert np.allclose(t["share_red"], t["red"] / 50)


def test_red_bead_experiment_is_seeded():
    a = red_beads.red_bead_experiment(seed=3)
    b = red_beads.red_bead_experiment(seed=3)
    c = red_beads.red_bead_experiment(seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["red"].equals(c["red"])


def test_red_bead_mean_matches_bowl():
    # 20% red, paddle of 50: mean 10; hypergeometric variance 50*.2*.8*(3950/3999) = 7.90
    t = red_beads.red_bead_experiment(workers=10, days=2000, seed=11)
    assert abs(t["red"].mean() - 10) < 0.15
    assert abs(t["red"].var() - 7.90) < 0.4


def test_red_bead_bad_inputs_raise_data_error():
    with pytest.raises(DataError, match="red_share"):
        red_beads.red_bead_experiment(red_share=1.5)
    with pytest.raises(DataError, match="days"):
        red_beads.red_bead_experiment(days=0)
    with pytest.raises(DataError, match="different"):
        red_beads.red_bead_experiment(workers=["A", "A"])


def test_managers_actions_change_nothing():
    calm, harsh = red_beads.RedBeadGame(seed=5), red_beads.RedBeadGame(seed=5)
    for _ in range(4):
        calm.play_day()
        harsh.play_day()
        worst = harsh.table.iloc[-6:].sort_values("red")["worker"].iloc[-1]
        best = harsh.table.iloc[-6:].sort_values("red")["worker"].iloc[0]
        harsh.act(best, "praise")
        if worst != best:
            harsh.act(worst, "sack")
    assert calm.table["red"].tolist() == harsh.table["red"].tolist()
    assert harsh.actions["action"].isin(["praise", "sack"]).all()
    assert set(harsh.workers) != set(calm.workers)  # someone was replaced...
    assert len(harsh.workers) == 6  # ...by a new starter


def test_game_act_rejects_unknown_worker_and_action():
    game = red_beads.RedBeadGame(seed=1)
    game.play_day()
    with pytest.raises(DataError, match="no worker"):
        game.act("Zed", "warn")
    with pytest.raises(DataError, match="praise, warn or sack"):
        game.act("Ben", "promote")
    assert "warned" in game.act("Ben", "warn")


def test_parse_counts_reads_any_separator_and_lists_every_problem():
    assert red_beads.parse_counts("9, 12 7;10\n3") == [9, 12, 7, 10, 3]
    with pytest.raises(DataError) as err:
        red_beads.parse_counts("9 x 51 4", expected=3)
    problems = err.value.problems
    assert [(p.row, p.value) for p in problems[:2]] == [(2, "x"), (3, "51")]
    assert "expected 3" in problems[2].what
    assert "Point 2" in str(err.value)


def test_tally_grows_and_undoes():
    tally = red_beads.RedBeadTally(["Asha", "Bilal", "Cara"])
    tally.add_day("9 12 7")
    tally.add_day([10, 8, 11])
    assert tally.table["red"].tolist() == [9, 12, 7, 10, 8, 11]
    assert tally.table["day"].tolist() == [1, 1, 1, 2, 2, 2]
    assert tally.table["draw"].tolist() == [1, 2, 3, 4, 5, 6]
    with pytest.raises(DataError):
        tally.add_day("1 2")
    assert tally.day == 2
    tally.undo()
    assert tally.table["red"].tolist() == [9, 12, 7]


# --- funnel experiment ---------------------------------------------------------------


def _loop(errors: np.ndarray, rule: int) -> np.ndarray:
    """Reference: the rules as Deming states them, one drop at a time."""
    funnel, drops = np.zeros(errors.shape[1]), []
    for e in errors:
        z = funnel + e
        drops.append(z)
        if rule == 2:
            funnel = funnel - z
        elif rule == 3:
            funnel = -z
        elif rule == 4:
            funnel = z
    return np.array(drops)


@pytest.mark.parametrize("rule", [1, 2, 3, 4])
def test_vectorised_rules_match_the_rules_as_stated(rule):
    result = fx.funnel_experiment(40, (rule,), seed=9)
    errors = np.random.default_rng(9).normal(0, 1, size=(40, 2))
    expected = _loop(errors, rule)
    assert np.allclose(result[["x", "y"]].to_numpy(), expected)
    funnel = result[["funnel_x", "funnel_y"]].to_numpy()
    assert np.allclose(funnel[0], 0)
    assert np.allclose(expected - funnel, errors)  # drop = funnel position + error


def test_rule_two_doubles_the_variance_and_three_four_explode():
    s = fx.funnel_summary(fx.funnel_experiment(20000, seed=2)).set_index("rule")
    assert s.loc[1, "spread_vs_rule_1"] == 1
    assert abs(s.loc[2, "spread_vs_rule_1"] - np.sqrt(2)) < 0.05
    assert s.loc[3, "spread_vs_rule_1"] > 20 and s.loc[4, "spread_vs_rule_1"] > 20


def test_funnel_bad_rule_and_drops():
    with pytest.raises(DataError, match="rules 1, 2, 3 and 4"):
        fx.funnel_experiment(10, (5,))
    with pytest.raises(DataError, match="at least 2"):
        fx.funnel_experiment(1)


def test_describe_funnel_mentions_every_rule():
    result = fx.funnel_experiment(30, seed=1)
    text = fx.describe_funnel(result)
    s = fx.funnel_summary(result)
    for row in s.itertuples():
        assert f"{row.mean_distance:.1f} units" in text
    assert "30 marble drops" in text


def test_management_by_last_month():
    m = fx.management_by_last_month(2000, sd=3, seed=1)
    sd = m.groupby("rule")["value"].std()
    assert abs(sd[1] - 3) < 0.2
    assert abs(sd[2] / sd[1] - np.sqrt(2)) < 0.08
    one = m[m["rule"] == 1]
    assert one["worse_than_last"].iloc[1:].tolist() == (one["value"].diff().iloc[1:] > 0).tolist()
    assert not one["worse_than_last"].iloc[0]


# --- measure builder -----------------------------------------------------------------


@pytest.fixture(scope="module")
def falls():
    return measures.synthetic_falls()


def test_synthetic_falls_is_seeded_and_plain(falls):
    pd.testing.assert_frame_equal(falls, measures.synthetic_falls())
    assert set(falls["how"]) <= set(measures.HOW)
    assert falls["date"].is_monotonic_increasing


def test_default_definition_counts_what_it_says(falls):
    manual = falls[(falls["person"] == "patient") & (falls["how"] != "assisted")]
    assert measures.count_falls(falls) == len(manual)


def test_each_choice_changes_the_count_the_right_way(falls):
    base = measures.count_falls(falls)
    more = measures.count_falls(falls, measures.FallDefinition(include_assisted=True,
                                                               people=measures.PEOPLE))
    assert more > base
    harms = [measures.count_falls(falls, measures.FallDefinition(min_harm=h))
             for h in measures.HARM_GRADES]
    assert harms == sorted(harms, reverse=True) and harms[0] == base
    serious = falls[(falls["person"] == "patient") & (falls["how"] != "assisted")
                    & falls["harm"].isin(["moderate harm", "severe harm", "death"])]
    assert harms[2] == len(serious)
    beech = measures.FallDefinition(wards=("Plover ward",), start="2024-10-01", end="2024-12-31")
    manual = falls[(falls["person"] == "patient") & (falls["how"] != "assisted")
                   & (falls["ward"] == "Plover ward")
                   & falls["date"].between("2024-10-01", "2024-12-31")]
    assert measures.count_falls(falls, beech) == len(manual)


def test_monthly_falls_adds_up(falls):
    d = measures.FallDefinition(min_harm="low harm")
    monthly = measures.monthly_falls(falls, d)
    assert len(monthly) == 12
    assert monthly["falls"].sum() == measures.count_falls(falls, d)


def test_bad_definition_raises_data_error():
    with pytest.raises(DataError, match="harm grade"):
        measures.FallDefinition(min_harm="a bit")
    with pytest.raises(DataError, match="patient, visitor"):
        measures.FallDefinition(people=())


def test_describe_definition():
    text = measures.describe_definition(
        measures.FallDefinition(include_assisted=True, min_harm="severe harm",
                                wards=("Dunlin ward", "Redstart ward")))
    assert text == ("Count witnessed falls, people found on the floor and assisted falls "
                    "among patients, only with severe harm or worse, on Dunlin ward and "
                    "Redstart ward.")


# --- board report --------------------------------------------------------------------


def test_rag_status_both_directions():
    v = np.array([4.0, 5.0, 5.2, 5.3, np.nan])
    assert board_report.rag_status(v, 5, "lower", amber=0.05).tolist() == [
        "green", "green", "amber", "red", "no data"]
    assert board_report.rag_status([96.0, 95.0, 90.0], 95.0, "higher").tolist() == [
        "green", "green", "red"]
    with pytest.raises(DataError):
        board_report.rag_status([1.0], 1, "sideways")


def test_rag_table_and_board_report():
    d = pd.DataFrame({"m": ["a"] * 3 + ["b"] * 3,
                      "d": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"] * 2),
                      "v": [5, 6, 5.1, 90, 92, 80], "t": [5] * 3 + [95] * 3})
    t = board_report.rag_table(d, value="v", date="d", target="t", by="m")
    assert t["change"].iloc[1] == 1 and np.isnan(t["change"].iloc[3])
    assert t["looks"].tolist() == ["", "worse", "better", "", "worse", "better"]
    b = board_report.board_report(d, value="v", date="d", target="t", by="m",
                                  direction={"a": "lower", "b": "higher"})
    assert b["m"].tolist() == ["a", "b"]
    assert b["rag"].tolist() == ["amber", "red"]
    assert b["looks"].tolist() == ["better", "worse"]
    with pytest.raises(DataError, match="not in the table"):
        board_report.rag_table(d, value="nope", date="d", target=5)


# --- exercise checks -----------------------------------------------------------------


def test_blank_answers_are_not_yet():
    for fb in (l1.check_aim(""), l1.check_measure_types({}),
               l1.check_fall_count(None), l4.check_funnel_ranking([]),
               l3.check_chart_choice({})):
        assert not fb.correct and "haven't answered" in fb.message


def test_check_measure_types():
    assert l1.check_measure_types(l1.MEASURE_TYPES).correct
    wrong = dict(l1.MEASURE_TYPES)
    first = next(iter(wrong))
    wrong[first] = "balancing"
    fb = l1.check_measure_types(wrong)
    assert not fb.correct and first in fb.message and "5 of 6" in fb.message


def test_check_aim():
    assert l1.check_aim("Reduce falls on Plover ward by 30% by March 2027").correct
    fb = l1.check_aim("Reduce falls on Plover ward")
    assert not fb.correct and "how much" in fb.message and "by when" in fb.message


def test_check_fall_count_names_the_slip(falls):
    d = l1.COUNT_QUESTIONS["a"]
    right = measures.count_falls(falls, d)
    assert l1.check_fall_count(str(right), "a").correct
    slip = measures.count_falls(falls, measures.FallDefinition(
        **{**d.__dict__, "include_assisted": True}))
    assert slip != right
    fb = l1.check_fall_count(slip, "a")
    assert not fb.correct and "assisted" in fb.message


def test_check_red_bead_worker():
    t = red_beads.red_bead_experiment(seed=1)
    assert l2.check_red_bead_worker("Nobody", t).correct
    fb = l2.check_red_bead_worker("ben", t)
    assert not fb.correct and "Ben drew" in fb.message


def test_check_chart_choice():
    answers = dict(l3.CHART_CHOICES)
    assert l3.check_chart_choice(answers).correct
    answers[next(iter(answers))] = "u"
    assert not l3.check_chart_choice(answers).correct


def test_check_board_action():
    verdicts = {"Falls": "concern", "Pressure ulcers": "common_cause", "Sepsis": "improvement"}
    assert l3.check_board_action(["Falls"], verdicts).correct
    fb = l3.check_board_action(["Falls", "Sepsis"], verdicts)
    assert not fb.correct and "Sepsis" in fb.message
    assert not l3.check_board_action(["Flals"], verdicts).correct


def test_check_funnel_ranking():
    assert l4.check_funnel_ranking([1, 2, 4, 3]).correct
    assert l4.check_funnel_ranking([1, 2, 3, 4]).correct
    assert l4.check_funnel_ranking("1, 2, 4, 3").correct
    assert not l4.check_funnel_ranking([2, 1, 3, 4]).correct
    assert not l4.check_funnel_ranking([1, 1, 2, 3]).correct


def test_check_worse_months():
    m = fx.management_by_last_month(24, seed=3)
    one = m[m["rule"] == 1]
    right = int(one["worse_than_last"].sum())
    assert l4.check_worse_months(right, one).correct
    assert not l4.check_worse_months(right + 1, one).correct


def test_check_noise_guess():
    signals = pd.DataFrame({"series": range(10), "any_signal": [True] * 3 + [False] * 7})
    assert l2.check_noise_guess("30%", signals).correct
    fb = l2.check_noise_guess(5, signals)
    assert not fb.correct and "too low" in fb.message


# --- dice: rules on pure noise (through safercare.spc) -------------------------------

from safercare import spc  # noqa: E402
from safercare.games import dice  # noqa: E402


def test_dice_series_is_seeded_and_in_range():
    d = dice.dice_series(50, 20, dice=2, seed=1)
    assert len(d) == 1000 and d["value"].between(2, 12).all()
    pd.testing.assert_frame_equal(d, dice.dice_series(50, 20, dice=2, seed=1))
    with pytest.raises(DataError, match="at least 2 points"):
        dice.dice_series(5, 1)


def test_noise_signals_agree_with_charting_one_series_alone():
    signals = dice.noise_signals(40, 20, chart="xmr", seed=3)
    assert list(signals["series"]) == list(range(1, 41))
    rules = ["beyond_limits", "shift", "trend", "two_of_three"]
    assert (signals["any_signal"] == signals[rules].any(axis=1)).all()
    series = dice.dice_series(40, 20, seed=3)
    for k in (1, 2, 17):
        one = spc.xmr(series[series["series"] == k], value="value", date="point").table
        assert signals.loc[k - 1, "any_signal"] == bool(one[rules].any().any())


def test_run_chart_noise_has_no_limit_rule_and_anhoej_is_stricter():
    run = dice.noise_signals(200, 20, chart="run", seed=2)
    assert "beyond_limits" not in run.columns and "long_run" in run.columns
    table = dice.compare_rules(500, 20, seed=4).set_index("chart and rules")
    rate = table["false alarms (%)"]
    assert rate["Run chart, Anhøj rules"] < rate["XmR chart, Making Data Count rules"]
    assert (rate > 0).all() and (rate < 50).all()
    with pytest.raises(DataError):
        dice.noise_signals(5, 20, chart="pie")


# --- the board report from course datasets -------------------------------------------


@pytest.fixture(scope="module")
def board():
    return board_report.board_data("C04-AT1")


def test_board_data_adds_wards_up_before_dividing(board):
    from safercare import data

    falls = data.load("falls")
    rows = falls[falls["trust_id"] == "C04-AT1"]
    first = rows[rows["month"] == rows["month"].min()]
    expected = first["falls"].sum() / first["occupied_bed_days"].sum() * 1000
    got = board[board["measure"] == "Falls per 1,000 bed days"]["value"].iloc[0]
    assert got == pytest.approx(expected)
    assert set(board["measure"]) == set(board_report.BOARD_MEASURES)
    with pytest.raises(DataError, match="no such acute trust"):
        board_report.board_data("C99-AT9")


def test_board_rag_and_spc_views(board):
    rag = board_report.board_rag(board)
    assert len(rag) == 4 and rag["month"].nunique() == 1
    assert set(rag["rag"]) <= {"red", "amber", "green"}
    charts = board_report.board_charts(board)
    verdicts = board_report.latest_verdicts(charts)
    assert set(verdicts.values()) <= {"common_cause", "improvement", "concern", "special_cause"}
    summary = board_report.board_summary(charts)
    assert list(summary["measure"]) == list(charts)
    text = board_report.describe_board(charts)
    assert all(name in text for name in charts)
    sepsis = charts["Sepsis screening (%)"]
    assert l3.check_icons("improvement", "hit and miss", sepsis).correct == (
        sepsis.summary["variation_icon"].startswith("special_cause_improving")
        and sepsis.summary["assurance_icon"] == "hit_and_miss")
    assert not l3.check_icons("concern", "fail", sepsis).correct


def test_red_bead_chart_reads_in_beads():
    t = red_beads.red_bead_experiment(seed=1)
    chart = red_beads.red_bead_chart(t)
    assert np.allclose(chart.table["value"], t["red"])
    assert chart.summary["centre"] == pytest.approx(t["red"].mean())
    run = red_beads.red_bead_chart(t, "run")
    assert run.summary["centre"] == pytest.approx(t["red"].median())


# --- widgets: thin, labelled, and working when clicked --------------------------------

import ipywidgets as widgets  # noqa: E402


def _controls(box):
    for child in box.children:
        if isinstance(child, widgets.Box):
            yield from _controls(child)
        elif isinstance(child, widgets.ValueWidget | widgets.Button):
            yield child


@pytest.mark.parametrize("make", [
    l1.measure_builder, l2.red_bead_game, l2.live_red_beads, l4.funnel_explorer,
    l2.noise_explorer, l4.last_month_explorer,
])
def test_every_widget_control_is_labelled(make):
    from safercare.widgets.explore import Explorer

    box = make()
    if isinstance(box, Explorer):  # runs in the browser: every native control has a label
        assert box.controls and all(c.label.strip() for c in box.controls)
        assert box.n_states >= 2
        return
    controls = list(_controls(box))
    assert controls
    for control in controls:
        if isinstance(control, widgets.HTML):
            continue
        assert control.description.strip(), type(control).__name__
        assert getattr(control, "tooltip", None) or getattr(control, "tooltips", None)


def _button(box, label):
    return next(c for c in _controls(box) if isinstance(c, widgets.Button)
                and c.description == label)


def test_live_capture_widget_adds_undoes_and_reports_typing_slips(capsys):
    box = l2.live_red_beads(["A", "B", "C"])
    counts = next(c for c in _controls(box) if isinstance(c, widgets.Text)
                  and c.description.startswith("Red beads today"))
    counts.value = "9 12 7"
    _button(box, "Add this day").click()
    assert counts.value == ""  # accepted, cleared for the next day
    counts.value = "9 x 7"
    _button(box, "Add this day").click()
    assert counts.value == "9 x 7"  # kept so the trainer can fix it
    _button(box, "Undo last day").click()


def test_red_bead_game_plays_and_sacks_and_the_beads_do_not_care():
    game = l2.red_bead_game(seed=3)
    assert game.inert_controls() == []  # every control changes what the page shows
    states = {(s["policy"], s["day"]): i for i, s in enumerate(game.states())}
    built = game.build().states
    day2 = {policy: built[states[(policy, 2)]] for policy, _ in l2.POLICIES}
    assert "sacked" in day2["sack"][4] and "sacked" not in day2["nothing"][4]
    # the same chart (one stored image) whatever the manager did
    assert len({state[0] for state in day2.values()}) == 1 and day2["sack"][0] >= 0
    assert built[states[("sack", 0)]][0] == -1  # no chart before the first day


def test_noise_signals_names_an_unknown_chart_after_checking_the_dice():
    with pytest.raises(DataError, match="'xmr' or 'run'"):
        dice.noise_signals(3, 10, chart="p")
    with pytest.raises(DataError, match="at least one series"):
        dice.noise_signals(0, 10, chart="p")
