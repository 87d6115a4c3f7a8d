"""The PDSA team game in a real browser: both pages served by Voilà, driven by headless Chromium.

Each page is served exactly as ``python -m safercare.games.team_game`` serves it (the package's
Voilà command, 127.0.0.1, the facilitator page behind a secret) with a fresh room file. The
tests do what a room does: a team sends by keyboard only on a phone-sized screen, sees a time
typed where seconds are asked for refused with its words kept, reloads and finds its results;
the facilitator's page needs its secret and is axe-clean; and six teams play at once in six
browsers while the facilitator's page grows a run chart for each of them by itself.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import free_port, is_local
from test_priorities_browser import _serious, _wait_until_ready

from safercare.games.team_game import app_notebook
from safercare.games.team_results import DB_ENV_VAR, TeamResultsStore
from safercare.live.server import FACILITATOR_LIMITS, ROOM_LIMITS, voila_command

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
PHONE = {"width": 360, "height": 740}
TOKEN = "test-secret-for-this-room-only"
SEND = "Send our result"


def _serve(db: Path, facilitator: bool) -> Iterator[str]:
    port = free_port()
    command, env = voila_command(app_notebook(facilitator), port=port,
                                 token=TOKEN if facilitator else None, private=facilitator,
                                 limits=FACILITATOR_LIMITS if facilitator else ROOM_LIMITS)
    env[DB_ENV_VAR] = str(db)
    log = open(db.with_suffix(f".{port}.log"), "w")  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_ready(url, process)
        yield url + (f"?token={TOKEN}" if facilitator else "")
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def room_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("team-game") / "room.sqlite3"
    TeamResultsStore(db)
    return db


@pytest.fixture(scope="module")
def team_url(room_db: Path) -> Iterator[str]:
    yield from _serve(room_db, facilitator=False)


@pytest.fixture(scope="module")
def facilitator_url(room_db: Path) -> Iterator[str]:
    yield from _serve(room_db, facilitator=True)


def _context(chromium, phone: bool = True):
    """A browser context that may reach this computer only (like ``offline_page``)."""
    context = chromium.new_context(service_workers="block",
                                   viewport=PHONE if phone else {"width": 1280, "height": 900})
    blocked: list[str] = []

    def route(route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    context.blocked = blocked
    return context


def _open_team(page, url: str) -> None:
    page.goto(url, wait_until="load", timeout=90_000)
    page.get_by_role("button", name=SEND).wait_for(timeout=90_000)
    page.locator("[role=main]").wait_for(state="attached", timeout=10_000)


def _open_facilitator(page, url: str) -> None:
    page.goto(url, wait_until="load", timeout=90_000)
    page.get_by_role("button", name="Save the results as CSV").wait_for(timeout=90_000)


def _send(page, team: str, round_number: int, value: str, note: str = "") -> None:
    page.get_by_label("Team name").fill(team)
    page.get_by_label("Round").fill(str(round_number))
    page.get_by_label("Spin time (seconds)").fill(value)
    page.get_by_label("What did you change? (optional)").fill(note)
    page.get_by_role("button", name=SEND).click()


def test_a_team_sends_by_keyboard_on_a_phone_and_a_reload_loses_nothing(chromium, team_url,
                                                                        room_db):
    context = _context(chromium)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        _open_team(page, team_url)
        assert "import" not in page.locator("body").inner_text()  # no code shown
        # Keyboard only: click nothing. Focus the first box, then Tab through the form.
        page.get_by_label("Team name").focus()
        page.keyboard.type("<b>Reds</b>")
        page.keyboard.press("Tab")
        page.keyboard.press("Control+A")
        page.keyboard.type("1")
        page.keyboard.press("Tab")
        page.keyboard.type("1:05")  # a time where seconds are asked for
        page.keyboard.press("Tab")
        page.keyboard.type("smooth table")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == SEND
        page.keyboard.press("Enter")
        page.get_by_text("not as minutes and seconds").wait_for(timeout=30_000)
        assert page.get_by_label("Spin time (seconds)").input_value() == "1:05"  # words kept
        page.get_by_label("Spin time (seconds)").focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("65")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.get_by_text("Your receipt is R").wait_for(timeout=30_000)
        page.get_by_text("Saved for <b>Reds</b>").wait_for(timeout=10_000)  # shown as text
        assert page.locator(".sc-app b", has_text="Reds").count() == 0
        assert page.get_by_label("Round").input_value() == "2"
        # Nothing needs scrolling sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        issues = _serious(page)
        assert not issues, "accessibility findings:\n" + "\n".join(issues)

        stored = TeamResultsStore(room_db).results()
        mine = stored[stored["team"] == "<b>Reds</b>"]
        assert mine[["round", "value", "note"]].values.tolist() == [[1, 65.0, "smooth table"]]
        _open_team(page, team_url)  # reload
        page.get_by_label("Team name").fill("<b>Reds</b>")
        page.get_by_label("Team name").press("Enter")
        page.get_by_text("Round 1: 65 seconds (smooth table)").wait_for(timeout=30_000)
        assert page.get_by_label("Round").input_value() == "2"
        assert not dialogs and not context.blocked
    finally:
        context.close()


def test_the_facilitator_page_needs_its_secret_and_is_accessible(chromium, facilitator_url):
    bare = facilitator_url.split("?")[0]
    for url in (bare, bare + "?token=not-the-secret"):
        refused = requests.get(url, timeout=30, allow_redirects=False)
        assert refused.status_code in (302, 403)  # Jupyter server's token check
        if refused.status_code == 302:
            assert "/login" in refused.headers["Location"]
    context = _context(chromium, phone=False)
    page = context.new_page()
    try:
        _open_facilitator(page, facilitator_url)
        page.locator(".sc-count").wait_for(timeout=30_000)
        issues = _serious(page)
        assert not issues, "accessibility findings:\n" + "\n".join(issues)
        assert not context.blocked
    finally:
        context.close()


def test_six_teams_play_at_once_and_the_facilitator_sees_every_chart_grow(chromium, tmp_path):
    db = tmp_path / "six.sqlite3"
    TeamResultsStore(db)
    teams = [f"Team {name}" for name in ("Ash", "Birch", "Cedar", "Damson", "Elm", "<i>Fir</i>")]
    rounds = 3
    facilitator_server = _serve(db, facilitator=True)
    team_server = _serve(db, facilitator=False)
    facilitator, team = next(facilitator_server), next(team_server)
    contexts = [_context(chromium) for _ in teams]
    watcher = _context(chromium, phone=False)
    try:
        pages = [c.new_page() for c in contexts]
        for page in pages:
            _open_team(page, team)
        board = watcher.new_page()
        _open_facilitator(board, facilitator)
        for r in range(1, rounds + 1):
            for i, page in enumerate(pages):  # every team presses send before any answer
                _send(page, teams[i], r, f"{5 + i + r / 10:.1f}", f"idea {r}")
            for i, page in enumerate(pages):
                page.get_by_text(f"Saved for {teams[i]}").wait_for(timeout=60_000)
                page.get_by_text(f"Round {r}: ").wait_for(timeout=60_000)
        stored = TeamResultsStore(db).results()
        assert len(stored) == len(teams) * rounds
        assert not stored.duplicated(["team", "round"]).any()

        # The facilitator's page has redrawn by itself: one run chart per team.
        board.wait_for_function(
            "n => { const alts = [...document.querySelectorAll('.sc-charts img')]"
            ".map(i => i.alt); return alts.length === n"
            " && alts.every(a => a.includes(': 3 points; median')); }",
            arg=len(teams), timeout=60_000)
        captions = board.locator(".sc-charts figcaption").all_inner_texts()
        assert sorted(captions) == sorted(teams)  # "<i>Fir</i>" shown as text
        for caption in captions:
            alt = board.locator(".sc-charts figure", has_text=caption).locator("img") \
                .get_attribute("alt")
            assert alt.startswith(f"{caption}: 3 points; median")

        # A new result appears without a reload (its poll runs every half second). The
        # time it takes is measured by benchmarks/team_game_load.py, not asserted here.
        sent = pages[0].get_by_label("Spin time (seconds)")
        sent.fill("9.9")
        pages[0].get_by_role("button", name=SEND).click()
        pages[0].get_by_text("round 4, 9.9 seconds").wait_for(timeout=60_000)
        receipt = TeamResultsStore(db).results()["receipt"].iat[-1]
        board.get_by_text(receipt, exact=True).wait_for(timeout=30_000)
        board.wait_for_function(  # its team's chart redraws with it
            "team => [...document.querySelectorAll('.sc-charts img')]"
            ".some(i => i.alt.startsWith(team + ': 4 points'))", arg=teams[0], timeout=30_000)
        issues = _serious(board)
        assert not issues, "accessibility findings:\n" + "\n".join(issues)
        assert not any(c.blocked for c in [*contexts, watcher])
    finally:
        for context in [*contexts, watcher]:
            context.close()
        for server in (team_server, facilitator_server):
            server.close()
        time.sleep(0.1)
