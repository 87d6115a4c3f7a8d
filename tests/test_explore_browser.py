"""Precomputed explorations in a real browser, with no kernel and no other host.

Writes the two pilot explorers of ``tests/explore_pilots.py`` (between them every kind of
control: radio buttons, drop-downs, a stepper, a slider and a checkbox) into one page in a
temporary folder, serves it on 127.0.0.1 and checks in headless Chromium that every control
changes what the page shows, with the mouse and with the keyboard alone; that nothing is
requested from another host and nothing is logged as an error; that axe-core finds nothing
at all (any impact); and that with scripts off the first state is still shown, with a note.
The same output saved in a notebook is opened in JupyterLab (no kernel needed): untrusted,
it shows the first state and the note; trusted, its controls respond.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import WatchedPage, free_port, is_local, wait_for_port
from explore_pilots import dice_explorer, red_bead_explorer

from safercare.widgets.explore import NO_SCRIPT_NOTE

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {"label-content-name-mismatch": {"enabled": True}},
}
BEADS = "#beads .sc-explore"
DICE = "#dice .sc-explore"


BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "explore_speed.py"


@pytest.fixture(scope="module")
def pilot_html() -> dict[str, str]:
    """Each pilot's HTML output, computed once for this module."""
    return {"red beads": red_bead_explorer().html(), "dice noise": dice_explorer().html()}


def write_page(folder: Path, pilots: dict[str, str]) -> Path:
    """The pilots in a minimal, valid page (as the book or JupyterLab would hold them)."""
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Explorations without a kernel</title></head><body><main>"
        "<h1>Explorations without a kernel</h1>"
        f'<section id="beads"><h2>Red beads</h2>{pilots["red beads"]}</section>'
        f'<section id="dice"><h2>Dice</h2>{pilots["dice noise"]}</section>'
        "</main></body></html>"
    )
    path = folder / "explore.html"
    path.write_text(page, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def explore_url(tmp_path_factory: pytest.TempPathFactory,
                pilot_html: dict[str, str]) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("explore")
    write_page(folder, pilot_html)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}/explore.html"
    finally:
        server.terminate()
        server.wait(timeout=10)


def open_page(watched: WatchedPage, url: str) -> object:
    page = watched.page
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok
    page.wait_for_selector(f"{BEADS}[data-sc-ready=true]", state="attached")
    page.wait_for_selector(f"{DICE}[data-sc-ready=true]", state="attached")
    return page


def view(page: object, root: str) -> tuple[str | None, str, str, str]:
    """What an explorer shows now: image source, alt text, words and table text."""
    return page.evaluate(
        """(root) => {
            const el = document.querySelector(root);
            const img = el.querySelector(".sc-explore-chart");
            return [img.hidden ? null : img.getAttribute("src"), img.alt,
                    el.querySelector(".sc-explore-words").textContent,
                    el.querySelector(".sc-explore-extra").textContent];
        }""",
        root,
    )


def axe_violations(page: object) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [f"{v['id']} ({v.get('impact')}): {v['help']} at "
            f"{[' '.join(map(str, n['target'])) for n in v['nodes'][:3]]}"
            for v in results.response["violations"]]


def test_every_control_changes_what_the_page_shows(
    explore_url: str, offline_page: WatchedPage
) -> None:
    page = open_page(offline_page, explore_url)
    assert page.locator(".sc-explore-nojs").count() == 0, "the no-script note stays"
    assert page.locator("fieldset.sc-explore-controls:disabled").count() == 0
    assert not axe_violations(page)

    # Red beads: the stepper first (day 0 has no chart), then the choices on day 1.
    start = view(page, BEADS)
    assert start[0] is None and "No days played yet" in start[2]
    page.get_by_role("button", name="Play the next day").click()
    day1 = view(page, BEADS)
    assert day1[0] and day1[0].startswith("data:image/png;base64,")
    assert "Day 1" in day1[2] and day1[1] and "Day 1" in day1[3]
    assert page.locator(BEADS).get_by_text("Day 1 of 6").is_visible()

    page.locator(BEADS).get_by_label("Chart").select_option(label="run chart (Anhøj rules)")
    run = view(page, BEADS)
    assert run[0] != day1[0] and run[2] != day1[2] and "median" in run[1]

    page.get_by_label("sacks the worst worker").check()
    sacked = view(page, BEADS)
    assert sacked[2] != run[2] and "sacked" in sacked[2]
    assert sacked[0] == run[0], "the beads do not care what the manager does"

    for _ in range(5):
        page.get_by_role("button", name="Play the next day").click()
    assert "Day 6" in view(page, BEADS)[2]
    play = page.get_by_role("button", name="Play the next day")
    assert play.get_attribute("aria-disabled") == "true"
    play.click(force=True)  # one press too many says so rather than doing nothing
    assert page.locator(BEADS).get_by_text("That was the last one").is_visible()
    page.get_by_role("button", name="Start again").click()
    assert view(page, BEADS)[0] is None and "No days played yet" in view(page, BEADS)[2]

    # Dice: slider, drop-down and checkbox each redraw the chart and the words.
    before = view(page, DICE)
    page.get_by_label("Roll three dice instead of two").check()
    three = view(page, DICE)
    assert three[0] != before[0] and three[2] != before[2] and "3 dice" in three[2]
    page.locator(DICE).get_by_label("Chart and rules").select_option("1")
    run = view(page, DICE)
    assert run[0] != three[0] and run[2] != three[2]
    slider = page.get_by_label("Points on each chart")
    slider.fill("8")  # the ninth value: 50 points
    fifty = view(page, DICE)
    assert fifty[0] != run[0] and "50 points" in fifty[2]
    assert slider.get_attribute("aria-valuetext") == "50 points"

    assert not axe_violations(page)
    assert not offline_page.problems()


def test_keyboard_alone_reaches_and_changes_every_control(
    explore_url: str, offline_page: WatchedPage
) -> None:
    page = open_page(offline_page, explore_url)

    def tab_to(selector: str, limit: int = 30) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        pytest.fail(f"Tab never reached {selector}")

    def changes(root: str, key: str) -> None:
        before = view(page, root)
        page.keyboard.press(key)
        after = view(page, root)
        assert after != before, f"{key} on {page.evaluate('document.activeElement.outerHTML')}"

    tab_to(f"{BEADS} button[data-sc-step=next]")
    changes(BEADS, "Enter")
    changes(BEADS, "Space")
    page.keyboard.press("Shift+Tab")  # back to the chart drop-down
    assert page.evaluate("document.activeElement.tagName") == "SELECT"
    changes(BEADS, "ArrowDown")
    page.keyboard.press("Shift+Tab")  # back to the checked radio button
    assert page.evaluate("document.activeElement.type") == "radio"
    changes(BEADS, "ArrowDown")
    tab_to(f"{BEADS} button[data-sc-step=reset]")
    changes(BEADS, "Enter")

    tab_to(f"{DICE} input[type=range]")
    changes(DICE, "ArrowRight")
    tab_to(f"{DICE} select")
    changes(DICE, "ArrowDown")
    tab_to(f"{DICE} input[type=checkbox]")
    changes(DICE, "Space")
    assert not offline_page.problems()


def test_without_scripts_the_first_state_and_a_note_are_shown(
    explore_url: str, chromium: object
) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_()
                   if route.request.url.startswith("http://127.0.0.1") else route.abort())
        page.goto(explore_url, wait_until="load")
        chart = page.locator(f"{DICE} img.sc-explore-chart")
        assert chart.is_visible()
        assert page.evaluate(f"document.querySelector('{DICE} img').naturalWidth") > 100
        assert "20 points" in page.locator(f"{DICE} .sc-explore-words").inner_text()
        assert "No days played yet" in page.locator(f"{BEADS} .sc-explore-words").inner_text()
        assert page.get_by_text(NO_SCRIPT_NOTE).count() == 2
        assert page.locator("fieldset.sc-explore-controls:disabled").count() == 2
    finally:
        context.close()


def test_the_speed_benchmark_times_every_control(
    pilot_html: dict[str, str], chromium: object
) -> None:
    """benchmarks/explore_speed.py still runs (two changes per control), so it cannot rot."""
    spec = importlib.util.spec_from_file_location("explore_speed", BENCHMARK)
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses look their module up here
    spec.loader.exec_module(bench)
    times = bench.click_times(pilot_html, repeats=2, browser=chromium)
    expected = {(name, label) for name, rows in bench.CONTROLS.items() for label, _, _ in rows}
    assert set(times) == expected
    assert all(len(values) == 2 and all(v > 0 for v in values) for values in times.values())


@pytest.fixture
def jupyterlab(tmp_path: Path, pilot_html: dict[str, str]) -> Iterator[tuple[str, dict]]:
    """JupyterLab on 127.0.0.1 with a secret token, private settings and two copies of a
    notebook whose saved output is the red bead explorer (no kernel is started)."""
    for name in ("untrusted", "trusted"):
        # Trust is recorded per content, so the two notebooks must differ (here, a title).
        notebook = nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_markdown_cell(f"# The {name} copy"),
            nbformat.v4.new_code_cell("red_bead_explorer()", execution_count=1, outputs=[
                nbformat.v4.new_output("execute_result", execution_count=1, data={
                    "text/html": pilot_html["red beads"], "text/plain": "<Explorer>"})])])
        nbformat.write(notebook, tmp_path / f"{name}.ipynb")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    for key in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        env[key] = str(tmp_path / "home" / key.lower())
    jupyter = str(Path(sys.executable).with_name("jupyter"))
    subprocess.run([jupyter, "trust", str(tmp_path / "trusted.ipynb")], env=env, check=True,
                   capture_output=True, timeout=60)
    token, port = secrets.token_hex(16), free_port()
    lab = subprocess.Popen(
        [jupyter, "lab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={tmp_path}", "--LabApp.extension_manager=readonly",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.news_url=None"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, timeout=90)
        yield f"http://127.0.0.1:{port}/lab/tree/{{}}?reset&token={token}", env
    finally:
        lab.terminate()
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:
            lab.kill()
            lab.wait(timeout=10)


def no_kernel(page: object) -> None:
    """Answer JupyterLab's "Select Kernel" question (the notebooks name none): no kernel."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.locator(".jp-Dialog").get_by_role("button", name="No Kernel", exact=True).click(
            timeout=15_000)
    except PlaywrightTimeout:
        pass  # JupyterLab did not ask


def test_jupyterlab_runs_it_when_trusted_and_shows_the_first_state_when_not(
    jupyterlab: tuple[str, dict], chromium: object
) -> None:
    url, _ = jupyterlab
    context = chromium.new_context()
    blocked: list[str] = []
    errors: list[str] = []
    context.route("**/*", lambda route: route.continue_() if is_local(route.request.url)
                  else (blocked.append(route.request.url), route.abort()))
    try:
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url.format("untrusted.ipynb"))
        output = page.locator(".jp-OutputArea-output .sc-explore")
        output.wait_for(state="visible", timeout=120_000)
        no_kernel(page)
        # JupyterLab never runs the script of an untrusted output: the first state and the
        # note are shown, and the controls are switched off.
        assert output.get_attribute("data-sc-ready") is None
        assert output.get_by_text("No days played yet").is_visible()
        assert output.get_by_text(NO_SCRIPT_NOTE).is_visible()
        assert output.get_by_role("button", name="Play the next day").is_disabled()

        page.goto(url.format("trusted.ipynb"))
        ready = page.locator(".jp-OutputArea-output .sc-explore[data-sc-ready=true]")
        ready.wait_for(state="visible", timeout=120_000)
        no_kernel(page)
        ready.get_by_role("button", name="Play the next day").click()
        assert "Day 1" in ready.locator(".sc-explore-words").inner_text()
        assert ready.locator(".sc-explore-chart").is_visible()
        assert not blocked and not errors, (blocked, errors)
    finally:
        context.close()
