"""The room games (red beads, the funnel experiment): the store's checks, a room sending at
once from several processes, the pages' widgets, the command, and both games in a browser.

The browser tests serve each game's two pages with Voilà exactly as
``python -m safercare.games.room_games GAME`` does (127.0.0.1; the facilitator's page behind a
secret), on a fresh room file, and drive them in headless Chromium as a table would: by
keyboard only, on a phone-sized screen. They check that a bad entry gets its message at once
and keeps the typed words, that axe-core finds nothing of any impact on either page, and
that the facilitator's page shows the new point within 2 seconds.
"""

from __future__ import annotations

import csv
import importlib.util
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from safercare.games import room_games
from safercare.games.funnel_experiment import funnel_experiment, funnel_summary
from safercare.games.red_beads import PADDLE, red_bead_chart
from safercare.games.room_games import (
    DB_ENV_VAR,
    FUNNEL,
    MAX_CM,
    MAX_DAYS,
    MAX_NAME,
    RED_BEADS,
    RoomGameStore,
    describe_room_funnel,
    funnel_room_table,
    red_beads_room_table,
)
from safercare.games.team_results import TeamResultsStore
from safercare.live.store import AppendOnlyStore, StoreError
from safercare.widgets.capture import SENDING
from safercare.widgets.room_games import FacilitatorView, TableForm

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks" / "room_games_load.py"


@pytest.fixture()
def store(tmp_path) -> RoomGameStore:
    return RoomGameStore(tmp_path / "room.sqlite3")


def _beads(worker="Blue", day="1", red="9") -> dict[str, object]:
    return {"worker": worker, "day": day, "red": red}


def _drop(name="Blue", rule="1", drop="1", x="1.5", y="-2") -> dict[str, object]:
    return {"name": name, "rule": rule, "drop_number": drop, "x": x, "y": y}


# -- the store -----------------------------------------------------------------------------

def test_the_store_is_built_on_the_one_live_capture_core(store):
    assert RoomGameStore.__mro__[1] is AppendOnlyStore
    assert TeamResultsStore.__mro__[1] is AppendOnlyStore


@pytest.mark.parametrize(("values", "field", "reason"), [
    (_beads(red="nine"), "Red beads on the paddle", "red_not_whole"),
    (_beads(red="9.5"), "Red beads on the paddle", "red_not_whole"),
    (_beads(red=""), "Red beads on the paddle", "red_missing"),
    (_beads(red="-3"), "Red beads on the paddle", "red_negative"),
    (_beads(red="−3"), "Red beads on the paddle", "red_negative"),
    (_beads(red=str(PADDLE + 1)), "Red beads on the paddle", "red_too_high"),
    (_beads(day="0"), "Day", "day_too_low"),
    (_beads(day=str(MAX_DAYS + 1)), "Day", "day_too_high"),
    (_beads(day="Monday"), "Day", "day_not_whole"),
    (_beads(worker=""), "Table or worker name", "worker_missing"),
    (_beads(worker="W" * (MAX_NAME + 1)), "Table or worker name", "worker_too_long"),
    (_beads(worker="Blue\ud800"), "Table or worker name", "worker_encoding"),
    (_drop(rule="5"), "Rule", "rule_too_high"),
    (_drop(rule="0"), "Rule", "rule_too_low"),
    (_drop(drop="first"), "Drop number", "drop_number_not_whole"),
    (_drop(x="two"), "Across from the target (cm)", "x_not_number"),
    (_drop(x="nan"), "Across from the target (cm)", "x_not_number"),
    (_drop(y=str(MAX_CM + 1)), "Up or down from the target (cm)", "y_too_high"),
    (_drop(y=str(-MAX_CM - 1)), "Up or down from the target (cm)", "y_too_low"),
    (_drop(name="   "), "Table name", "name_missing"),
])
def test_bad_input_gets_one_plain_refusal_naming_the_field(store, values, field, reason):
    game = RED_BEADS if "worker" in values else FUNNEL
    sent = store.submit(game, values)
    assert not sent.ok and sent.reasons == (reason,)
    assert sent.message.startswith(f"{field}: ") and "Nothing has been saved" in sent.message
    assert store.results(game).empty
    log = store.audit_log()
    assert log["action"].tolist() == ["result_refused"]
    assert "Blue" not in log["detail"].iat[0]  # reasons only, never the text


def test_more_red_beads_than_the_paddle_holds_says_so():
    message = RED_BEADS.field("red").parse("51").message
    assert "51 is more than 50 (the paddle holds 50 beads)" in message


def test_numbers_are_read_as_people_type_them(store):
    for day, red in (("1", " 9 "), ("2", 10), ("3", 11.0), ("4", "12.0")):
        assert store.submit(RED_BEADS, _beads(day=day, red=red)).ok
    assert store.results(RED_BEADS)["red"].tolist() == [9, 10, 11, 12]
    for drop, (x, y) in enumerate((("-2,5", "3"), ("−1.5", ".5"), (2, -0.25)), start=1):
        assert store.submit(FUNNEL, _drop(drop=drop, x=x, y=y)).ok
    table = store.results(FUNNEL)
    assert table["x"].tolist() == [-2.5, -1.5, 2.0] and table["y"].tolist() == [3, 0.5, -0.25]


def test_a_result_is_stored_with_a_receipt_and_results_are_append_only(store):
    sent = store.submit("red-beads", _beads())
    assert sent.ok and sent.receipt.startswith("B1-") and sent.receipt in sent.message
    row = store.results(RED_BEADS).iloc[0]
    assert (row["worker"], row["day"], row["red"], row["receipt"]) == ("Blue", 1, 9, sent.receipt)
    con = sqlite3.connect(store.path)
    try:
        for sql in ("UPDATE red_bead_draws SET red = 1", "DELETE FROM red_bead_draws",
                    "INSERT INTO red_bead_draws (uid, received_at, worker, day, red) "
                    "VALUES ('x', 'now', 'W', 1, 99)"):
            with pytest.raises(sqlite3.IntegrityError):
                con.execute(sql)
            con.rollback()
    finally:
        con.close()


def test_html_in_a_name_is_stored_as_typed(store):
    name = "<img src=x onerror=alert(1)> Reds"
    assert store.submit(FUNNEL, _drop(name=name)).ok
    assert store.results(FUNNEL)["name"].iat[0] == name


def test_a_double_click_stores_once_and_a_resend_replaces_on_the_chart(store):
    first = store.submit(RED_BEADS, _beads(red="9"), uid="click-1")
    again = store.submit(RED_BEADS, _beads(red="9"), uid="click-1")
    fixed = store.submit(RED_BEADS, _beads(red="8"), uid="fix-1")  # a typing slip put right
    assert first.ok and again.ok and fixed.ok and again.receipt == first.receipt
    assert len(store.results(RED_BEADS)) == 2
    latest = store.latest(RED_BEADS)
    assert latest[["worker", "day", "red", "sent"]].values.tolist() == [["Blue", 1, 8, 2]]


def test_a_result_that_cannot_be_written_says_not_saved(store, monkeypatch):
    real = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect",
                        lambda p, *a, **k: real(f"file:{p}?mode=ro", *a, uri=True, **k))
    sent = store.submit(FUNNEL, _drop())
    monkeypatch.undo()
    assert not sent.ok and sent.reasons == ("not_saved",)
    assert "Your result has NOT been saved" in sent.message and str(store.path) in sent.detail
    assert store.results(FUNNEL).empty


def test_a_file_of_something_else_is_refused_and_left_alone(tmp_path):
    other = tmp_path / "team.sqlite3"
    TeamResultsStore(other)
    before = other.read_bytes()
    with pytest.raises(StoreError, match="belongs to something else"):
        RoomGameStore(other)
    assert other.read_bytes() == before


def test_the_export_is_safe_to_open_in_a_spreadsheet(store, tmp_path):
    store.submit(RED_BEADS, _beads(worker="=HYPERLINK(\"x\")"))
    paths = store.export_csv(tmp_path / "out")
    assert [p.name for p in paths] == ["red_bead_draws.csv", "funnel_drops.csv", "audit.csv"]
    with open(paths[0], newline="", encoding="utf-8") as f:
        row = next(csv.DictReader(f))
    assert row["worker"].startswith("'=") and "uid" not in row


# -- what the facilitator's screen charts --------------------------------------------------

def test_red_beads_are_charted_in_demings_order_with_the_packages_p_chart(store):
    for day in (1, 2):
        for worker, red in (("Ann", 9), ("Bo", 12), ("Cy", 7)):
            store.submit(RED_BEADS, _beads(worker=worker, day=day, red=red + day))
    store.submit(RED_BEADS, _beads(worker="Bo", day=1, red=3))  # Bo's day 1 corrected
    draws = red_beads_room_table(store.latest(RED_BEADS))
    assert draws[["day", "worker", "red"]].values.tolist() == [
        [1, "Ann", 10], [1, "Bo", 3], [1, "Cy", 8], [2, "Ann", 11], [2, "Bo", 14], [2, "Cy", 9]]
    assert draws["draw"].tolist() == [1, 2, 3, 4, 5, 6] and set(draws["beads"]) == {PADDLE}
    result = red_bead_chart(draws)
    assert result.table["centre"].iloc[0] == pytest.approx(55 / 6)  # Σred / draws, per paddle


def test_funnel_drops_are_summarised_by_rule_with_words_from_the_summary(store):
    sim = funnel_experiment(drops=15, seed=4)
    for r in sim.itertuples():
        store.submit(FUNNEL, _drop(name=f"Table {r.rule}", rule=r.rule, drop=r.drop,
                                   x=round(r.x, 3), y=round(r.y, 3)))
    drops = funnel_room_table(store.latest(FUNNEL))
    summary = funnel_summary(drops)
    expected = funnel_summary(sim.assign(x=sim["x"].round(3), y=sim["y"].round(3)).assign(
        distance=lambda t: (t["x"] ** 2 + t["y"] ** 2) ** 0.5))
    assert summary["rms_distance"].to_numpy() == pytest.approx(expected["rms_distance"])
    words = describe_room_funnel(drops, summary)
    rule_3 = summary.set_index("rule").loc[3]
    assert f"spread {rule_3.spread_vs_rule_1:.2f} times rule 1's" in words
    assert "15 drops from 1 table" in words


# -- a room sending at once ----------------------------------------------------------------

def _bench():
    spec = importlib.util.spec_from_file_location("room_games_load", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_fifteen_tables_sending_at_once_from_several_processes_lose_and_double_nothing(
        tmp_path):
    """The CI form of benchmarks/room_games_load.py (15 tables × 20 results, both games)."""
    run = _bench().send_room(tmp_path / "room.sqlite3", tables=15, results=20, processes=3,
                             threads=2, double_every=4)
    assert run.sent == run.stored == 300
    assert (run.duplicates, run.missing, run.wrong_receipts, run.refused) == (0, 0, 0, 0)


# -- the pages' widgets --------------------------------------------------------------------

def test_the_table_form_sends_with_a_receipt_moves_on_and_shows_html_as_text(store):
    form = TableForm(store, RED_BEADS)
    form.boxes["worker"].value = "<b>Reds</b>"
    form.boxes["red"].value = "7"
    form.button.click()
    assert "Your receipt is B1-" in form.status.value and "&lt;b&gt;Reds" in form.status.value
    assert form.boxes["red"].value == "" and form.boxes["day"].value == "2"
    assert "<b>Reds" not in form.sent.value and "&lt;b&gt;Reds" in form.sent.value
    assert store.results(RED_BEADS)["worker"].tolist() == ["<b>Reds</b>"]


def test_a_refused_or_failed_send_keeps_every_box_as_typed(store, monkeypatch):
    form = TableForm(store, FUNNEL)
    typed = {"name": "Blue", "rule": "2", "drop_number": "4", "x": "abc", "y": "1"}
    for key, value in typed.items():
        form.boxes[key].value = value
    form.button.click()
    assert "Across from the target (cm): please type a number" in form.status.value
    assert "still in the boxes" in form.status.value and form._values() == typed
    real = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect",
                        lambda p, *a, **k: real(f"file:{p}?mode=ro", *a, uri=True, **k))
    form.boxes["x"].value = "2"
    form.button.click()
    monkeypatch.undo()
    assert "has NOT been saved" in form.status.value and SENDING not in form.status.value
    assert form._values() == {**typed, "x": "2"} and store.results(FUNNEL).empty


def test_pressing_twice_before_the_answer_stores_once(store):
    form = TableForm(store, RED_BEADS)
    form.boxes["worker"].value, form.boxes["red"].value = "Blue", "5"
    first, second = form._send(), form._send()
    assert first.receipt == second.receipt and len(store.results(RED_BEADS)) == 1


def test_a_reloaded_table_page_shows_what_was_stored_and_moves_on(store):
    for day in (1, 2):
        store.submit(RED_BEADS, _beads(worker="Blue", day=day, red=8 + day))
    form = TableForm(store, RED_BEADS)  # a new page, as after a reload
    form.boxes["worker"].value = "Blue"
    assert form.boxes["day"].value == "3" and "Saved for Blue (2)" in form.sent.value
    assert "Day 2, Red beads on the paddle 10" in form.sent.value
    for drop in (1, 2, 3):
        store.submit(FUNNEL, _drop(rule="2", drop=drop))
    form = TableForm(store, FUNNEL)
    form.boxes["rule"].value = "2"
    form.boxes["name"].value = "Blue"
    assert form.boxes["drop_number"].value == "4"


def test_the_facilitator_view_grows_and_shows_names_as_text(store):
    view = FacilitatorView(store, RED_BEADS)
    assert "appears when two results" in view.words.value and view.refresh() is False
    store.submit(RED_BEADS, _beads(worker="<i>Pinks</i>", red="9"))
    sent = store.submit(RED_BEADS, _beads(worker="Blue", red="12"))
    assert view.refresh() is True and sent.receipt in view.table.value
    assert "&lt;i&gt;Pinks&lt;/i&gt;" in view.table.value and "<i>Pinks" not in view.table.value
    words = red_bead_chart(red_beads_room_table(store.latest(RED_BEADS))).describe()
    assert words.startswith("2 points")
    assert words in view.words.value.replace("&#x27;", "'")
    assert f"alt='{words}" in view.chart.value.replace("&#x27;", "'")
    funnel = FacilitatorView(store, FUNNEL)
    store.submit(FUNNEL, _drop(rule="2"))
    assert funnel.refresh() and "Rule 2: move it from where it was" in funnel.summary.value
    assert "1 drop from 1 table" in funnel.words.value


# -- the command ---------------------------------------------------------------------------

def test_each_game_is_served_by_the_live_server_with_one_command(tmp_path, monkeypatch):
    from safercare.live import server

    seen = {}
    monkeypatch.setattr(server.os, "execve", lambda exe, argv, env: seen.update(
        argv=argv, env=env))
    db = tmp_path / "room.sqlite3"
    for game in (RED_BEADS, FUNNEL):
        room_games.main([game.command, "--db", str(db), "--port", str(_port())])
        assert seen["argv"][3] == str(room_games.app_notebook(game, False))
        assert "--Voila.ip=127.0.0.1" in seen["argv"] and "JUPYTER_TOKEN" not in seen["env"]
        assert seen["env"][DB_ENV_VAR] == str(db.resolve())
        room_games.main([game.command, "--db", str(db), "--facilitator", "--port", str(_port())])
        assert seen["argv"][3] == str(room_games.app_notebook(game, True))
        assert len(seen["env"]["JUPYTER_TOKEN"]) >= 24  # the facilitator page has a secret
        for facilitator in (False, True):
            assert room_games.app_notebook(game, facilitator).exists()


def test_an_unknown_game_gets_one_plain_message(capsys):
    with pytest.raises(SystemExit) as stop:
        room_games.main(["dice"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "'dice' is not a room game" in err and "red-beads | funnel" in err


def test_the_command_runs_as_a_script_with_one_plain_message_for_a_slip(tmp_path):
    done = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-m",
                           "safercare.games.room_games", "red-beads", "--db", str(tmp_path),
                           "--port", str(_port())],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("Cannot start:") and "is a folder" in done.stderr


def _port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- in a browser --------------------------------------------------------------------------

AXE_OPTIONS = {"resultTypes": ["violations"],
               "rules": {"label-content-name-mismatch": {"enabled": True}}}
PHONE = {"width": 375, "height": 740}


def _wait_until_ready(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Voilà exited with code {process.returncode}")
        try:
            urllib.request.urlopen(url + "voila/api/ready-check", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # the server answered (404 is fine): it is ready
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"Voilà did not answer at {url} within {timeout} s")


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> Iterator[dict[str, tuple[RoomGameStore, str, str]]]:
    """Both pages of both games, served as the command serves them, each game on a fresh
    room file; all four servers start at once (each game: its tables' page, and its
    facilitator's page behind a secret)."""
    from safercare.live.server import FACILITATOR_LIMITS, ROOM_LIMITS, voila_command

    folder = tmp_path_factory.mktemp("room-games")
    token = uuid.uuid4().hex
    processes, served = [], {}
    try:
        for game in (RED_BEADS, FUNNEL):
            db = folder / f"{game.key}.sqlite3"
            store = RoomGameStore(db)
            if game is RED_BEADS:  # one table has already sent, so the next makes a chart
                store.submit(RED_BEADS, _beads(worker="Ann", red="11"))
            urls = []
            for facilitator in (False, True):
                port = _port()
                command, env = voila_command(
                    room_games.app_notebook(game, facilitator), port=port,
                    token=token if facilitator else None, private=facilitator,
                    limits=FACILITATOR_LIMITS if facilitator else ROOM_LIMITS)
                env[DB_ENV_VAR] = str(db)
                log = open(folder / f"voila-{port}.log", "w")  # noqa: SIM115 - closed below
                process = subprocess.Popen(command, env=env, stdout=log,
                                           stderr=subprocess.STDOUT, cwd=ROOT)
                processes.append((process, log, f"http://127.0.0.1:{port}/"))
                urls.append(f"http://127.0.0.1:{port}/")
            served[game.key] = (store, urls[0], urls[1] + f"?token={token}")
        for process, _, url in processes:
            _wait_until_ready(url, process)
        yield served
    finally:
        for process, _, _ in processes:
            process.terminate()
        for process, log, _ in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def _findings(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            f"{[' '.join(map(str, n['target'])) for n in v['nodes'][:3]]}"
            for v in results.response["violations"]]


def _type_by_keyboard(page, values: list[str]) -> None:
    """From the first box: select what is there, type, Tab to the next; ends on the button."""
    for value in values:
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
        page.keyboard.press("Tab")


@pytest.mark.browser
@pytest.mark.parametrize("game", [RED_BEADS, FUNNEL], ids=lambda g: g.key)
def test_a_table_plays_in_the_browser_and_the_facilitator_sees_it_within_2_s(
        offline_page, servers, game):
    store, table_url, facilitator_url = servers[game.key]
    page = offline_page.page
    page.set_viewport_size(PHONE)
    board = page.context.new_page()
    # Voilà sends a page as its kernel runs it: wait for the widgets, not for "load".
    page.goto(table_url, wait_until="commit", timeout=120_000)
    board.goto(facilitator_url, wait_until="commit", timeout=120_000)
    page.get_by_role("button", name="Send our result").wait_for(timeout=120_000)
    board.locator(".sc-count").wait_for(timeout=120_000)
    page.locator("[role=main]").wait_for(state="attached", timeout=10_000)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    first = game.fields[0]
    page.get_by_label(first.label).focus()  # the first box; from here on, keyboard only
    if game is RED_BEADS:
        bad, good, field, kept = ["<b>Blue</b>", "1", "60"], "9", "Red beads on the paddle", "60"
        wrong = "Red beads on the paddle: 60 is more than 50 (the paddle holds 50 beads)"
    else:
        bad, good, field, kept = (["<b>Blue</b>", "3", "1", "two", "1.5"], "-2.5",
                                  "Across from the target (cm)", "two")
        wrong = "Across from the target (cm): please type a number"
    _type_by_keyboard(page, bad)
    assert page.evaluate("document.activeElement.textContent") == "Send our result"
    page.keyboard.press("Enter")
    page.get_by_text(wrong).wait_for(timeout=10_000)
    assert page.get_by_label(field).input_value() == kept  # the words are kept
    assert store.results(game).shape[0] == (1 if game is RED_BEADS else 0)

    # Back to the wrong box by keyboard: focus is still on the button after the answer.
    assert page.evaluate("document.activeElement.textContent") == "Send our result"
    for _ in range(1 if game is RED_BEADS else 2):
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.value") == kept
    page.keyboard.press("Control+A")
    page.keyboard.type(good)
    page.keyboard.press("Tab")
    if game is FUNNEL:
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("Your receipt is").wait_for(timeout=10_000)
    shown = time.monotonic()
    receipt = store.results(game)["receipt"].iat[-1]
    assert receipt in page.locator(".sc-status").inner_text()
    page.locator(".sc-saved li").first.wait_for(timeout=10_000)  # drawn just after the receipt
    assert page.locator(".sc-saved li").count() == 1 and page.locator(".sc-saved b").count() == 0

    board.get_by_text(receipt, exact=True).wait_for(timeout=10_000)
    points = "2 points" if game is RED_BEADS else "Rule 3: move it to the target"
    board.locator(f".sc-room-chart img[alt*='{points}']").wait_for(timeout=10_000)
    seen = time.monotonic() - shown
    print(f"{game.key}: the facilitator's page showed the new result {seen:.2f} s after the "
          "table's page showed its receipt")
    assert seen < 2.0, f"the facilitator's page took {seen:.1f} s to show the new result"
    assert board.locator(".sc-results b").count() == 0  # the name is shown as text

    for who, target in (("table", page), ("facilitator", board)):
        issues = _findings(target)
        assert not issues, f"axe findings on the {who}'s page:\n" + "\n".join(issues)
    assert not offline_page.blocked, offline_page.blocked
