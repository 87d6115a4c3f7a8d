"""The PDSA team game: its simulator, its results store and its two pages' widgets."""

from __future__ import annotations

import csv
import importlib.util
import sqlite3
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from safercare.games import team_game
from safercare.games.team_game import CHANGE_IDEAS, GAMES, simulate_team_game
from safercare.games.team_results import (
    DB_ENV_VAR,
    MAX_NOTE,
    MAX_TEAM,
    TeamResultsStore,
    default_db_path,
)
from safercare.live.store import AppendOnlyStore, StoreError
from safercare.priorities.store import PrioritiesStore
from safercare.widgets.capture import SENDING
from safercare.widgets.team_game import FacilitatorView, TeamForm

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "team_game_load.py"


@pytest.fixture()
def store(tmp_path) -> TeamResultsStore:
    return TeamResultsStore(tmp_path / "room.sqlite3")


# -- the simulator -------------------------------------------------------------------------

def test_the_simulator_is_seeded_and_tidy():
    room = simulate_team_game(teams=6, rounds=12, seed=3)
    assert len(room) == 72 and list(room.columns) == [
        "team", "round", "change", "decision", "expected", "value", "game"]
    pd.testing.assert_frame_equal(room, simulate_team_game(teams=6, rounds=12, seed=3))
    assert not room.equals(simulate_team_game(teams=6, rounds=12, seed=4))
    assert (room.groupby("team")["round"].apply(list) == [list(range(1, 13))] * 6).all()
    assert set(room.loc[room["round"] == 1, "decision"]) == {"baseline"}


@pytest.mark.parametrize("game", list(GAMES))
def test_teams_improve_on_average_and_every_idea_has_its_stated_effect(game):
    spec = GAMES[game]
    room = simulate_team_game(game, teams=30, rounds=9, seed=1)
    first = room[room["round"] == 1]["expected"].mean()
    last = room[room["round"] == 9]["expected"].mean()
    assert (last > first) == spec.higher_is_better
    tested = room[room["change"] != ""]
    assert set(tested["change"]) <= set(CHANGE_IDEAS[game])
    # Adopting helps more often than abandoning: the decisions follow the data, noisily.
    adopted = tested[tested["decision"] == "adopt"]["change"].map(CHANGE_IDEAS[game])
    abandoned = tested[tested["decision"] == "abandon"]["change"].map(CHANGE_IDEAS[game])
    better = np.mean if spec.higher_is_better else (lambda s: -np.mean(s))
    assert better(adopted) > better(abandoned)


def test_noise_is_the_stated_share_of_the_expected_result():
    room = simulate_team_game("coin_spin", teams=30, rounds=50, seed=2)
    share = (room["value"] / room["expected"] - 1).std(ddof=1)
    assert share == pytest.approx(GAMES["coin_spin"].cv, rel=0.1)


def test_a_room_the_simulator_cannot_play_is_refused_by_name():
    from safercare.errors import DataError

    with pytest.raises(DataError, match="teams"):
        simulate_team_game(teams=31)
    with pytest.raises(DataError, match="rounds"):
        simulate_team_game(rounds=1)
    with pytest.raises(DataError, match="game"):
        simulate_team_game("paper_aeroplanes")


# -- the store -----------------------------------------------------------------------------

def test_the_store_is_built_on_the_one_live_capture_core(store):
    assert isinstance(store, AppendOnlyStore)
    assert TeamResultsStore.__mro__[1] is AppendOnlyStore
    assert PrioritiesStore.__mro__[1] is AppendOnlyStore


def test_the_path_is_set_in_one_place_with_an_env_override(tmp_path, monkeypatch):
    monkeypatch.setenv(DB_ENV_VAR, str(tmp_path / "room.sqlite3"))
    assert default_db_path() == tmp_path / "room.sqlite3"
    assert TeamResultsStore().path.exists()


def test_a_result_is_stored_with_a_receipt_and_results_are_append_only(store):
    sent = store.submit("Blue", "1", "12.5", "smoother table")
    assert sent.ok and sent.receipt and sent.receipt in sent.message
    row = store.results().iloc[0]
    assert (row["team"], row["round"], row["value"], row["note"], row["game"]) == (
        "Blue", 1, 12.5, "smoother table", "coin_spin")
    assert row["receipt"] == sent.receipt
    con = sqlite3.connect(store.path)
    try:
        for sql in ("UPDATE results SET value = 1", "DELETE FROM results"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                con.execute(sql)
            con.rollback()
    finally:
        con.close()


@pytest.mark.parametrize(("team", "round_number", "value", "note", "field", "reason"), [
    ("Blue", "1", "1:05", "", "Spin time (seconds)", "value_time"),
    ("Blue", "1", "12 secs", "", "Spin time (seconds)", "value_not_number"),
    ("Blue", "1", "nan", "", "Spin time (seconds)", "value_not_number"),
    ("Blue", "1", "", "", "Spin time (seconds)", "value_missing"),
    ("Blue", "1", "-3", "", "Spin time (seconds)", "value_negative"),
    ("Blue", "1", "−3", "", "Spin time (seconds)", "value_negative"),
    ("Blue", "1", "5000", "", "Spin time (seconds)", "value_absurd"),
    ("Blue", "1", float("inf"), "", "Spin time (seconds)", "value_not_number"),
    ("", "1", "5", "", "Team name", "team_missing"),
    ("B" * (MAX_TEAM + 1), "1", "5", "", "Team name", "team_too_long"),
    ("Blue", "1", "5", "n" * (MAX_NOTE + 1), "Note", "note_too_long"),
    ("Blue", "first", "5", "", "Round", "round_invalid"),
    ("Blue", "0", "5", "", "Round", "round_invalid"),
    ("Blue", "2.5", "5", "", "Round", "round_invalid"),
    ("Blue\ud800", "1", "5", "", "Team name", "team_encoding"),
])
def test_bad_input_gets_one_plain_refusal_naming_the_field(store, team, round_number, value,
                                                           note, field, reason):
    sent = store.submit(team, round_number, value, note)
    assert not sent.ok and sent.reasons == (reason,)
    assert sent.message.startswith(f"{field}: ") and "Nothing has been saved" in sent.message
    assert store.results().empty
    assert store.audit_log()["action"].tolist() == ["result_refused"]
    assert "Blue" not in store.audit_log()["detail"].iat[0]  # reasons only, never the text


def test_numbers_are_read_as_people_type_them(store):
    for i, typed in enumerate(("12", "12.5", "12,5", " 7 ", ".5", 9, 9.25), start=1):
        assert store.submit("Blue", i, typed).ok
    assert store.results()["value"].tolist() == [12, 12.5, 12.5, 7, 0.5, 9, 9.25]


def test_the_game_sets_the_field_its_unit_and_what_is_absurd(store):
    store.set_game("ball_pass")
    assert store.game().title == "Tennis-ball pass"
    assert store.submit("Blue", 1, "300").ok  # five minutes is possible for a ball pass
    assert "Time for the round" in store.submit("Blue", 2, "4000").message
    with pytest.raises(ValueError, match="no game called"):
        store.set_game("chess")


def test_html_in_a_team_name_is_stored_as_typed(store):
    name = "<img src=x onerror=alert(1)> Reds"
    sent = store.submit(name, 1, "4")
    assert sent.ok and store.results()["team"].iat[0] == name


def test_a_double_click_stores_once_and_two_browsers_of_one_team_both_land(store):
    first = store.submit("Blue", 1, "5", uid="click-1")
    again = store.submit("Blue", 1, "5", uid="click-1")
    other = store.submit("Blue", 1, "6", uid="browser-2")  # the team's second phone
    assert first.ok and again.ok and other.ok
    assert again.receipt == first.receipt and other.receipt != first.receipt
    assert len(store.results()) == 2
    latest = store.latest()
    assert latest[["team", "round", "value", "sent"]].values.tolist() == [["Blue", 1, 6.0, 2]]


def test_a_result_that_cannot_be_written_says_not_saved(store, monkeypatch):
    real = sqlite3.connect

    def read_only(path, *args, **kwargs):
        return real(f"file:{path}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", read_only)
    sent = store.submit("Blue", 1, "5")
    monkeypatch.undo()
    assert not sent.ok and sent.reasons == ("not_saved",)
    assert "Your result has NOT been saved" in sent.message and str(store.path) in sent.detail
    assert store.results().empty


def test_a_file_of_something_else_is_refused_and_left_alone(tmp_path):
    other = tmp_path / "workshop.sqlite3"
    PrioritiesStore(other)
    before = other.read_bytes()
    with pytest.raises(StoreError, match="belongs to something else"):
        TeamResultsStore(other)
    assert other.read_bytes() == before


def test_the_export_is_safe_to_open_in_a_spreadsheet(store, tmp_path):
    store.submit("=HYPERLINK(\"x\")", 1, "5", "+1 idea")
    paths = store.export_csv(tmp_path / "out")
    assert [p.name for p in paths] == ["team_results.csv", "audit.csv"]
    with open(paths[0], newline="", encoding="utf-8") as f:
        row = next(csv.DictReader(f))
    assert row["team"].startswith("'=") and row["note"] == "'+1 idea"
    assert "uid" not in row


def _bench():
    spec = importlib.util.spec_from_file_location("team_game_load", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_room_sending_at_once_from_several_processes_loses_and_doubles_nothing(tmp_path):
    """The reduced form of benchmarks/team_game_load.py (the full room is 30 × 20 there)."""
    run = _bench().send_room(tmp_path / "room.sqlite3", teams=10, rounds=8, processes=4,
                             threads=3)
    assert run.sent == run.stored == 80
    assert (run.duplicates, run.missing, run.wrong_receipts, run.refused) == (0, 0, 0, 0)


# -- the pages' widgets --------------------------------------------------------------------

def test_the_team_form_sends_with_a_receipt_moves_on_and_shows_html_as_text(store):
    form = TeamForm(store)
    form.team.value = "<b>Reds</b>"
    form.value.value = "7.5"
    form.note.value = "flat table <script>"
    form.button.click()
    assert "Your receipt is R1-" in form.status.value and "&lt;b&gt;Reds" in form.status.value
    assert form.value.value == "" and form.note.value == "" and form.round.value == "2"
    assert "<b>Reds" not in form.sent.value and "&lt;script&gt;" in form.sent.value
    assert store.results()["team"].tolist() == ["<b>Reds</b>"]


def test_a_refused_or_failed_send_keeps_every_box_as_typed(store, monkeypatch):
    form = TeamForm(store)
    form.team.value, form.round.value, form.value.value = "Blue", "3", "1:05"
    form.button.click()
    assert "NOT" not in form.status.value or "saved" in form.status.value
    assert "minutes and seconds" in form.status.value and "still in the boxes" in form.status.value
    assert (form.team.value, form.round.value, form.value.value) == ("Blue", "3", "1:05")
    real = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect",
                        lambda p, *a, **k: real(f"file:{p}?mode=ro", *a, uri=True, **k))
    form.value.value = "65"
    form.button.click()
    monkeypatch.undo()
    assert "has NOT been saved" in form.status.value and SENDING not in form.status.value
    assert form.value.value == "65" and store.results().empty


def test_pressing_twice_before_the_answer_stores_once(store):
    form = TeamForm(store)
    form.team.value, form.value.value = "Blue", "5"
    first = form._send()
    second = form._send()  # the second click of a double click, same boxes
    assert first.receipt == second.receipt and len(store.results()) == 1


def test_a_reloaded_team_page_shows_what_was_stored(store):
    store.submit("Blue", 1, "5")
    store.submit("Blue", 2, "6", "bigger coin")
    form = TeamForm(store)  # a new page
    form.team.value = "Blue"
    assert form.round.value == "3"
    assert "Round 2: 6 seconds (bigger coin)" in form.sent.value


def test_the_facilitator_view_redraws_only_when_there_is_something_new(store):
    for row in simulate_team_game(teams=3, rounds=4, seed=1).itertuples():
        store.submit(row.team, row.round, row.value, row.change)
    store.submit("<i>Pinks</i>", 1, "4")
    store.submit("$x^$ {", 1, "4")  # would be broken mathematics as matplotlib text
    view = FacilitatorView(store)
    assert view.charts.value.count("<figure>") == 5
    assert "<figcaption>$x^$ {</figcaption>" in view.charts.value
    assert "&lt;i&gt;Pinks&lt;/i&gt;" in view.table.value and "<i>Pinks" not in view.table.value
    assert "alt='&lt;i&gt;Pinks&lt;/i&gt;: 1 point" in view.charts.value
    assert "14 results from 5 teams" in view.count.value
    assert view.refresh() is False
    cached = dict(view._figures)
    sent = store.submit("Team 2", 5, "9.9")
    assert view.refresh() is True and sent.receipt in view.table.value
    assert view._figures["Team 1"] is cached["Team 1"]  # unchanged teams are not redrawn
    assert view._figures["Team 2"] is not cached["Team 2"]


def test_the_command_serves_the_packaged_pages_on_this_computer(tmp_path, monkeypatch):
    from safercare.live import server

    seen = {}
    monkeypatch.setattr(server.os, "execve", lambda exe, argv, env: seen.update(
        argv=argv, env=env))
    db = tmp_path / "room.sqlite3"
    team_game.main(["--db", str(db), "--game", "ball_pass", "--port", str(_port())])
    assert seen["argv"][3] == str(team_game.app_notebook(False))
    assert "--Voila.ip=127.0.0.1" in seen["argv"] and "JUPYTER_TOKEN" not in seen["env"]
    assert seen["env"][DB_ENV_VAR] == str(db.resolve())
    assert TeamResultsStore(db).game().key == "ball_pass"
    team_game.main(["--db", str(db), "--facilitator", "--port", str(_port())])
    assert seen["argv"][3] == str(team_game.app_notebook(True))
    assert len(seen["env"]["JUPYTER_TOKEN"]) >= 24  # the facilitator page has a secret
    assert team_game.app_notebook(True).exists() and team_game.app_notebook(False).exists()


def test_the_documented_command_runs_cleanly_and_says_what_it_takes(tmp_path):
    import subprocess

    run = subprocess.run([sys.executable, "-m", "safercare.games.team_game", "--help"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "--game {ball_pass,coin_spin}" in run.stdout
    assert "--facilitator" in run.stdout and "--ip" in run.stdout
    assert "Warning" not in run.stderr, run.stderr
    bad = subprocess.run([sys.executable, "-m", "safercare.games.team_game", "--db",
                          str(tmp_path / "no" / "room.sqlite3")],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith("Cannot start: The folder") and "does not exist" in bad.stderr


def _capture(failed: list[BaseException], action) -> None:
    try:
        action()
    except BaseException as error:  # noqa: BLE001 - handed to the test's thread
        failed.append(error)


def _port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_facilitator_view_watches_the_store_by_itself(store, monkeypatch):
    import asyncio

    view = FacilitatorView(store)
    assert "0 results" in view.count.value

    async def play() -> None:
        task = asyncio.ensure_future(view.poll(0.01))
        store.submit("Blue", 1, "5")
        for _ in range(500):
            await asyncio.sleep(0.01)
            if "1 results" in view.count.value:
                break
        assert "1 results from 1 team." in view.count.value
        monkeypatch.setattr(store, "version", lambda: (_ for _ in ()).throw(
            StoreError(store.path, "the database file could not be opened", "check it")))
        for _ in range(500):
            await asyncio.sleep(0.01)
            if "cannot be updated" in view.count.value:
                break
        task.cancel()

    # In a thread of its own: a browser test's Playwright may hold this thread's event loop.
    failed: list[BaseException] = []
    thread = threading.Thread(target=lambda: _capture(failed, lambda: asyncio.run(play())))
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive() and not failed, failed
    assert "The charts cannot be updated right now" in view.count.value
    assert "could not be opened" in view.count.value


def test_a_full_room_is_drawn_a_few_charts_at_a_time(store):
    for row in simulate_team_game(teams=5, rounds=3, seed=2).itertuples():
        store.submit(row.team, row.round, row.value)
    view = FacilitatorView(store, draw=False)
    assert "Reading the results" in view.count.value and view.charts.value == ""
    drawn = []
    for _ in range(3):
        assert view.refresh(budget=2) is True
        drawn.append(view.charts.value.count("<img"))
        assert view.charts.value.count("<figure>") == 5
        assert "15 results from 5 teams" in view.count.value  # the table is never held back
    assert drawn == [2, 4, 5] and view.refresh(budget=2) is False


def test_names_one_team_typed_differently_on_two_phones_are_one_team(store):
    store.submit("Blue team", 1, "5")
    store.submit("blue  Team ", 2, "6")  # the team's other phone
    store.submit("Reds", 1, "4")
    latest = store.latest()
    assert latest[["team", "round"]].values.tolist() == [
        ["Blue team", 1], ["Blue team", 2], ["Reds", 1]]
    assert store.results()["team"].tolist() == ["Blue team", "blue  Team", "Reds"]  # as typed
    form = TeamForm(store)
    form.team.value = "BLUE TEAM"
    assert form.round.value == "3" and "Round 2: 6 seconds" in form.sent.value
