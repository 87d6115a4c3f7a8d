"""Lessons 1 and 2's explorations in a real browser, with no kernel and no other host.

Writes the lessons' own explorer objects (the measure builder, the six measure-type choices
of exercise 1.2, the red bead game and the dice noise explorer) into one small page, serves
it on 127.0.0.1 and checks in headless Chromium that **each control of each exploration**
changes what the page shows (chart, alt text, words or table), that nothing is fetched from
another host or logged as an error, that axe-core finds nothing, and that with scripts off
the first state is still shown.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import WatchedPage, free_port, wait_for_port

from safercare.lessons import measuring_what_matters as l1
from safercare.lessons import variation_and_run_charts as l2

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"resultTypes": ["violations"]}


def _explorers() -> dict[str, str]:
    """Section id -> the HTML the lesson cell shows."""
    return {
        "builder": l1.measure_builder().html(),
        "types": l1.measure_choices()._repr_html_(),
        "beads": l2.red_bead_game().html(),
        "noise": l2.noise_explorer().html(),
    }


@pytest.fixture(scope="module")
def lessons_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("lessons-0-2")
    sections = "".join(f'<section id="{key}"><h2>{key}</h2>{html}</section>'
                       for key, html in _explorers().items())
    (folder / "lessons.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Lessons 1 and 2 without a kernel</title></head><body><main>"
        f"<h1>Lessons 1 and 2 without a kernel</h1>{sections}</main></body></html>",
        encoding="utf-8")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}/lessons.html"
    finally:
        server.terminate()
        server.wait(timeout=10)


# Everything one exploration shows: image, alt text, words and table text.
_VIEW = """(root) => {
    const img = root.querySelector(".sc-explore-chart");
    return [img.hidden ? null : img.getAttribute("src"), img.alt,
            root.querySelector(".sc-explore-words").textContent,
            root.querySelector(".sc-explore-extra").textContent];
}"""

# One step for every control of one exploration: change it, in the way a reader would.
_CONTROLS = """(root) => {
    const seen = new Set(), out = [];
    root.querySelectorAll("[data-sc-control]").forEach((el) => {
        const key = el.getAttribute("data-sc-control");
        if (el.tagName === "BUTTON") {
            if (el.getAttribute("data-sc-step") === "next") { out.push([key, "next"]); }
        } else if (!seen.has(key)) { seen.add(key); out.push([key, el.type || el.tagName]); }
    });
    return out;
}"""


def _change(root: object, key: str, kind: str) -> str:
    """Change control ``key`` of the exploration ``root`` once; return what was done."""
    control = root.locator(f'[data-sc-control="{key}"]')
    if kind == "next":
        root.locator(f'button[data-sc-control="{key}"][data-sc-step="next"]').click()
        return "pressed Play the next day"
    if kind == "checkbox":
        control.first.click()
        return "ticked or unticked"
    if kind == "radio":
        choice = root.locator(f'input[data-sc-control="{key}"]:not(:checked)').first
        root.locator(f'label[for="{choice.get_attribute("id")}"]').click()
        return "chose another radio button"
    if kind == "range":
        value = int(control.first.input_value())
        top = int(control.first.get_attribute("max"))
        control.first.fill(str(value + 1 if value < top else value - 1))
        return "moved the slider"
    select = control.first
    now = int(select.input_value())
    count = select.locator("option").count()
    select.select_option(str((now + 1) % count))
    return "chose another option"


def _open(watched: WatchedPage, url: str) -> object:
    page = watched.page
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok
    for key in _explorers_keys():
        page.wait_for_selector(f"#{key} .sc-explore[data-sc-ready=true]", state="attached")
    return page


def _explorers_keys() -> list[str]:
    return ["builder", "types", "beads", "noise"]


def test_each_control_of_each_exploration_changes_what_the_page_shows(
    lessons_url: str, offline_page: WatchedPage
) -> None:
    page = _open(offline_page, lessons_url)
    changed: dict[str, int] = {}
    roots = page.locator(".sc-explore")
    for i in range(roots.count()):
        root = roots.nth(i)
        section = root.evaluate("(el) => el.closest('section').id")
        controls = root.evaluate(_CONTROLS)
        assert controls, section
        # a stepper goes first, so that the game has a chart for the other controls to change
        controls.sort(key=lambda c: c[1] != "next")
        for key, kind in controls:
            before = root.evaluate(_VIEW)
            done = _change(root, key, kind)
            after = root.evaluate(_VIEW)
            assert after != before, f"{section}: control {key} {done} but nothing changed"
            changed[section] = changed.get(section, 0) + 1
    # measure builder: 5 controls; exercise 1.2: 6 choices; beads: policy and stepper;
    # dice: slider and chart
    assert changed == {"builder": 5, "types": 6, "beads": 2, "noise": 2}
    assert not offline_page.problems()


def test_the_words_follow_the_controls(lessons_url: str, offline_page: WatchedPage) -> None:
    page = _open(offline_page, lessons_url)
    builder = page.locator("#builder .sc-explore")
    start = builder.evaluate(_VIEW)[2]
    assert start.startswith("329 falls")  # the ward manager's count, as the lesson says
    builder.get_by_label("Count assisted falls (lowered by staff)").check()
    builder.get_by_label("Who counts").select_option(label="Patients, visitors and staff")
    assert builder.evaluate(_VIEW)[2].startswith("420 falls")  # the risk team's count
    types = page.locator("#types .sc-explore").first
    types.get_by_label("This is a measure of type").select_option(label="Outcome")
    assert "Right: outcome" in types.evaluate(_VIEW)[2]
    beads = page.locator("#beads .sc-explore")
    beads.get_by_label("sacks the worst worker").check()
    for _ in range(2):
        beads.get_by_role("button", name="Play the next day").click()
    shown = beads.evaluate(_VIEW)
    assert "Day 2" in shown[2] and "sacked" in shown[2] and shown[0]
    noise = page.locator("#noise .sc-explore")
    noise.get_by_label("Chart and rules").select_option(label="Run chart, Anhøj rules")
    assert "Run chart, Anhøj rules" in noise.evaluate(_VIEW)[2]
    assert not offline_page.problems()


def test_explorations_pass_axe_and_show_their_first_state_without_scripts(
    lessons_url: str, offline_page: WatchedPage, chromium: object
) -> None:
    page = _open(offline_page, lessons_url)
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert not [f"{v['id']}: {v['help']}" for v in violations]
    context = chromium.new_context(java_script_enabled=False)
    try:
        still = context.new_page()
        still.route("**/*", lambda route: route.continue_()
                    if route.request.url.startswith("http://127.0.0.1") else route.abort())
        still.goto(lessons_url, wait_until="load")
        assert still.locator("#builder .sc-explore-words").inner_text().startswith("329 falls")
        assert "No days played yet" in still.locator("#beads .sc-explore-words").inner_text()
        assert "20 points" in still.locator("#noise .sc-explore-words").inner_text()
    finally:
        context.close()


def test_the_page_is_small_enough_to_load_quickly() -> None:
    sizes = {key: len(html.encode()) for key, html in _explorers().items()}
    assert all(size < 1_000_000 for size in sizes.values()), sizes
