"""The priority-setting app in a real browser: served by Voilà, driven by headless Chromium.

A fixture starts Voilà on 127.0.0.1 with a fresh database (through ``SAFERCARE_PRIORITIES_DB``)
that holds two topics and two staff votes, waits until it answers, and stops it afterwards.
The tests then do what people in the room do: send an idea and see it counted, send an NHS
number and see it kindly refused, send HTML and see it shown as text, vote and see the ranking
change, reload and see nothing lost — by mouse and by keyboard — and audit each page with
axe-core: no serious or critical findings are allowed.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from axe_playwright_python.sync_playwright import Axe
from test_priorities_store import A, B, C, D, E, _genuine_ballots, _places

from safercare.priorities.store import DB_ENV_VAR, PrioritiesStore
from safercare.widgets.priorities import voila_command

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "safercare" / "priorities" / "apps"
FALLS = "Preventing falls in hospital"
LISTEN = "Listening to families <em>first</em>"  # markup in a title must show as text
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {"label-content-name-mismatch": {"enabled": True}},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_ready(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Voilà is ready when its HTTP server answers anything (an early page request can hang)."""
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
def app_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("priorities") / "workshop.sqlite3"
    store = PrioritiesStore(db)
    falls = store.add_topic(FALLS)
    listen = store.add_topic(LISTEN)
    for _ in range(2):
        store.cast_vote("staff", [falls, listen])
    return db


def _serve(facilitator: bool, db: Path, pids: list[int] | None = None) -> Iterator[str]:
    """Serve a page exactly as a facilitator would (the package's Voilà command line).

    ``pids`` (if given) receives the Voilà server's process id."""
    port = _free_port()
    command, env = voila_command(facilitator, port=port)
    assert command[3] == str(APPS / ("priorities-facilitator.ipynb" if facilitator
                                     else "priorities-workshop.ipynb"))
    env[DB_ENV_VAR] = str(db)
    log = open(db.with_suffix(f".{port}.log"), "w")  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}/"
    if pids is not None:
        pids.append(process.pid)
    try:
        _wait_until_ready(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def workshop_url(app_db: Path) -> Iterator[str]:
    yield from _serve(False, app_db)


@pytest.fixture(scope="module")
def facilitator_url(app_db: Path) -> Iterator[str]:
    yield from _serve(True, app_db)


def _open(page, url: str, ready: str) -> None:
    page.goto(url, wait_until="load", timeout=60_000)
    page.get_by_role("button", name=ready).first.wait_for(timeout=60_000)
    page.locator("[role=main]").wait_for(state="attached", timeout=10_000)  # the page's landmark


def _serious(page) -> list[str]:
    """Every axe finding on the page, of any impact (the issue asks for no serious or
    critical ones; the app has none of any kind, and this keeps it that way)."""
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        f"{[' '.join(map(str, n['target'])) for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]


def _first_place(page) -> str:
    rows = page.locator(".sc-results table").nth(1).locator("tbody tr")
    return rows.first.locator("th").inner_text()


def test_a_workshop_in_the_browser(offline_page, workshop_url, app_db):
    page = offline_page.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _open(page, workshop_url, "Send my idea")
    count = page.get_by_text("Ideas received so far:")
    assert "so far: 0" in count.inner_text()
    assert _first_place(page) == FALLS

    # Send an idea and see it counted.
    page.get_by_role("radio", name="A patient or carer").first.check()
    page.get_by_label("Care setting (optional)").select_option(label="Hospital")
    page.get_by_label("Your idea").fill("Explain my new medicines before I go home")
    page.get_by_role("button", name="Send my idea").click()
    page.get_by_text("Your idea has been saved").wait_for()
    page.get_by_text("Ideas received so far: 1").wait_for()

    # An NHS number is refused, kindly, and nothing is stored.
    page.get_by_label("Your idea").fill("My NHS number is 943 476 5919, check it every time")
    page.get_by_role("button", name="Send my idea").click()
    page.get_by_text("It looks like it has an NHS number in it").wait_for()
    assert "so far: 1" in count.inner_text()

    # By keyboard only: type, Tab to the button, press Enter. The markup is stored as text.
    box = page.get_by_label("Your idea")
    box.fill("<img src=x onerror=alert(1)> teach safe handover")
    box.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Send my idea"
    page.keyboard.press("Enter")
    page.get_by_text("Ideas received so far: 2").wait_for()

    # Cast a vote and see the ranking change (the patients' view counts as much as staff's).
    page.get_by_role("radio", name="A patient or carer").nth(1).check()
    page.get_by_label("1st choice").select_option(label=LISTEN)
    page.get_by_role("button", name="Send my vote").click()
    page.get_by_text("Your vote has been counted").wait_for()
    page.wait_for_function(
        "() => document.querySelectorAll('.sc-results table')[1]"
        "?.querySelector('tbody tr th')?.textContent.startsWith('Listening')"
    )
    assert _first_place(page) == LISTEN  # shown as text, not as markup
    assert page.locator(".sc-results em").count() == 0

    issues = _serious(page)
    assert not issues, "serious or critical accessibility findings:\n" + "\n".join(issues)

    # Reload: nothing is lost.
    _open(page, workshop_url, "Send my idea")
    assert "so far: 2" in page.get_by_text("Ideas received so far:").inner_text()
    assert _first_place(page) == LISTEN
    store = PrioritiesStore(app_db)
    assert store.suggestions()["text"].tolist() == [
        "Explain my new medicines before I go home",
        "<img src=x onerror=alert(1)> teach safe handover",
    ]
    assert store.participation().set_index("constituency").at["patient_carer", "votes"] == 1
    assert not dialogs, f"script from a suggestion ran: {dialogs}"
    # Nothing was fetched from another host and nothing failed, except that Voilà answers 403
    # to the old page's kernel-shutdown call on reload (and the browser logs that 403).
    shutdown_only = all("/voila/api/shutdown/" in r for r in offline_page.failed_responses)
    problems = [
        p for p in offline_page.problems()
        if "/voila/api/shutdown/" not in p
        and not (shutdown_only and "status of 403 (Forbidden)" in p)
    ]
    assert not problems, problems


def test_the_facilitator_page_is_accessible(offline_page, facilitator_url):
    page = offline_page.page
    _open(page, facilitator_url, "Make groups for the next round")
    page.get_by_role("button", name="Make groups for the next round").click()
    page.get_by_text("Round 1 groups (P = patient").wait_for()
    page.get_by_label("How many voting codes").fill("3")
    page.get_by_role("button", name="Make voting codes to print").click()
    page.get_by_text("Made 3 voting codes").wait_for()
    issues = _serious(page)
    assert not issues, "serious or critical accessibility findings:\n" + "\n".join(issues)


# -- sending, saved, NOT saved -----------------------------------------------------------------

#: Records every text that each status line shows, in order, from now on (a MutationObserver,
#: so the brief "Sending…" between click and answer is caught too).
_WATCH_STATUS = """() => {
  window.scStatus = [];
  for (const line of document.querySelectorAll('.sc-status')) {
    new MutationObserver(() => {
      const text = line.innerText.trim();
      if (text && window.scStatus[window.scStatus.length - 1] !== text) {
        window.scStatus.push(text);
      }
    }).observe(line, {childList: true, subtree: true, characterData: true});
  }
}"""


def test_a_send_shows_sending_then_the_receipt_the_store_returned(offline_page, workshop_url,
                                                                  app_db):
    page = offline_page.page
    _open(page, workshop_url, "Send my idea")
    page.evaluate(_WATCH_STATUS)
    page.get_by_role("radio", name="A member of staff").first.check()
    page.get_by_label("Your idea").fill("Teach safe handover between shifts")
    page.get_by_role("button", name="Send my idea").click()
    page.get_by_text("Your idea has been saved").wait_for()
    seen = page.evaluate("window.scStatus")
    stored = PrioritiesStore(app_db).suggestions().set_index("text")
    receipt = f"I{stored.at['Teach safe handover between shifts', 'id']}-"
    assert seen[0] == "Sending…" and receipt in seen[-1], seen
    assert page.get_by_label("Your idea").input_value() == ""


@pytest.fixture()
def lone_server(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """A workshop page on its own server (a test may kill its kernel)."""
    db = tmp_path / "alone.sqlite3"
    PrioritiesStore(db).add_topic(FALLS)
    pids: list[int] = []
    for url in _serve(False, db, pids):
        yield url, pids[0]


def test_a_dead_kernel_shows_sending_then_not_saved_never_saved(offline_page, lone_server):
    url, voila_pid = lone_server
    page = offline_page.page
    _open(page, url, "Send my idea")
    kernels = [p for p in psutil.Process(voila_pid).children(recursive=True)
               if "ipykernel" in " ".join(p.cmdline())]
    assert len(kernels) == 1
    kernels[0].send_signal(signal.SIGKILL)  # the page's own kernel, which this test started
    kernels[0].wait(timeout=10)
    page.evaluate(_WATCH_STATUS)
    page.get_by_role("radio", name="A member of staff").first.check()
    page.get_by_label("Your idea").fill("Teach safe handover at night")
    page.get_by_role("button", name="Send my idea").click()
    page.get_by_text("Sending…").wait_for(timeout=2_000)
    page.get_by_text("No answer from the workshop computer").wait_for(timeout=30_000)
    seen = page.evaluate("window.scStatus")
    assert seen[0] == "Sending…" and not any("saved." in s.lower() for s in seen), seen
    assert "NOT been saved" in seen[-1]
    assert page.get_by_label("Your idea").input_value() == "Teach safe handover at night"
    issues = _serious(page)
    assert not issues, "accessibility findings:\n" + "\n".join(issues)


def test_a_failed_save_says_not_saved_and_keeps_the_words(offline_page, lone_server, tmp_path):
    url, _ = lone_server
    db = tmp_path / "alone.sqlite3"
    page = offline_page.page
    _open(page, url, "Send my idea")
    page.evaluate(_WATCH_STATUS)
    page.get_by_role("radio", name="A patient or carer").first.check()
    box = page.get_by_label("Your idea")
    box.fill("Explain my medicines before I go home")
    page.get_by_role("button", name="Send my idea").click()
    page.get_by_text("Your idea has been saved").wait_for()
    # The file goes away mid-workshop (a USB stick pulled out, a sync tool moving it): a
    # folder now stands where the database was, so the next save cannot be made.
    moved = db.rename(tmp_path / "moved-away.sqlite3")
    db.mkdir()
    box.fill("Check my allergies every time")
    page.get_by_role("button", name="Send my idea").click()
    page.get_by_text("Your idea has NOT been saved").wait_for()
    seen = page.evaluate("window.scStatus")
    assert seen[0] == "Sending…" and "has been saved" in seen[1], seen
    assert seen[2] == "Sending…" and "could not be opened" in seen[-1], seen
    assert "Your words are still in the box" in seen[-1]
    assert box.input_value() == "Check my allergies every time"
    issues = _serious(page)
    assert not issues, "accessibility findings:\n" + "\n".join(issues)
    db.rmdir()
    moved.rename(db)
    assert PrioritiesStore(db).suggestions()["text"].tolist() == [
        "Explain my medicines before I go home"]


def test_a_broken_database_gives_one_plain_message_not_a_cell_error(offline_page, tmp_path):
    db = tmp_path / "notes.sqlite3"
    db.write_text("Bring biscuits for the workshop\n" * 20)
    before = db.read_bytes()
    for url in _serve(False, db):
        page = offline_page.page
        page.goto(url, wait_until="load", timeout=60_000)
        page.get_by_text("this page cannot take ideas or votes right now").wait_for(
            timeout=60_000)
        text = page.locator("body").inner_text()
        assert "this file is not a database" in text
        assert "There was an error" not in text and "Traceback" not in text
        assert page.get_by_role("button", name="Send my idea").count() == 0
        page.locator("[role=main]").wait_for(state="attached", timeout=10_000)
        issues = _serious(page)
        assert not issues, "accessibility findings:\n" + "\n".join(issues)
    assert db.read_bytes() == before


@pytest.fixture()
def coded_server(tmp_path: Path) -> Iterator[tuple[str, Path, str, dict[str, int]]]:
    """A workshop with voting codes and 48 genuine votes already in (8 patients, 40 staff)."""
    db = tmp_path / "coded.sqlite3"
    store = PrioritiesStore(db)
    ids = {t: store.add_topic(t) for t in (A, B, C, D, E)}
    codes = store.issue_vote_codes(49)
    for code, (who, order) in zip(codes, _genuine_ballots(), strict=False):
        assert store.cast_vote(who, [ids[t] for t in order], code=code).ok
    for url in _serve(False, db):
        yield url, db, codes[48], ids


def test_twenty_repeat_votes_from_one_page_count_once(offline_page, coded_server):
    url, db, code, ids = coded_server
    before = _places(PrioritiesStore(db).ballots())
    page = offline_page.page
    _open(page, url, "Send my vote")
    page.evaluate(_WATCH_STATUS)
    for attempt in range(1, 21):
        page.get_by_role("radio", name="A patient or carer").nth(1).check()
        page.get_by_label("Your voting code").fill(code)
        page.get_by_label("1st choice").select_option(label=E)
        page.get_by_role("button", name="Send my vote").click()
        page.wait_for_function(
            "n => window.scStatus.length >= 2 * n"
            " && window.scStatus[window.scStatus.length - 1] !== 'Sending…'", arg=attempt)
    seen = page.evaluate("window.scStatus")
    answers = seen[1::2]
    assert seen[0::2] == ["Sending…"] * 20 and "has been counted" in answers[0]
    assert all("already been used" in a and "NOT been counted" in a for a in answers[1:])
    store = PrioritiesStore(db)
    after = _places(store.ballots())
    assert len(store.ballots()) == 49 and after[E] == before[E] == 4
    assert store.vote_code_counts() == {"made": 49, "used": 49, "refused": 19}
    issues = _serious(page)
    assert not issues, "accessibility findings:\n" + "\n".join(issues)
