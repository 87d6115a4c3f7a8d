"""Lessons 5-7's explorations in a real browser, with no kernel and no other host.

The "days since" board (lesson 5), the league-table lottery (lesson 6) and the
regression-to-the-mean explorer (lesson 7) are written from the lesson modules' explorer
objects into one small page, served on 127.0.0.1, and every control is changed in headless
Chromium: each change must show a different chart or different words, and nothing may be
requested from another host.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from conftest import WatchedPage, free_port, wait_for_port

from safercare.lessons import comparing_fairly as l6
from safercare.lessons import did_it_work as l7
from safercare.lessons import rare_events as l5

pytestmark = pytest.mark.browser

SECTIONS = {
    "board": lambda: l5.days_since_explorer(),
    "ranks": lambda: l6.rank_explorer(l6._collaboratives(), numerator="deaths",
                                      denominator="expected_deaths", unit="collaborative",
                                      kind="ratio"),
    "rtm": lambda: l7.regression_to_mean_explorer(),
}


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("lessons57")
    body = "".join(f'<section id="{name}"><h2>{name}</h2>{make().html()}</section>'
                   for name, make in SECTIONS.items())
    (folder / "explore.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Lessons 5-7'
        f"</title></head><body><main><h1>Lessons 5 to 7</h1>{body}</main></body></html>",
        encoding="utf-8")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}/explore.html"
    finally:
        server.terminate()
        server.wait(timeout=10)


def view(page: object, section: str) -> tuple[str | None, str]:
    """The chart's source and the words an explorer shows now."""
    return page.evaluate(
        """(root) => {
            const el = document.querySelector(root + " .sc-explore");
            const img = el.querySelector(".sc-explore-chart");
            return [img.hidden ? null : img.getAttribute("src"),
                    el.querySelector(".sc-explore-words").textContent];
        }""", f"#{section}")


def changed(page: object, section: str, before: tuple[str | None, str]) -> tuple:
    now = view(page, section)
    assert now != before, f"{section}: the control changed nothing the reader sees"
    return now


def test_every_control_of_lessons_5_7_explorers_changes_the_page(
        offline_page: WatchedPage, page_url: str) -> None:
    page = offline_page.page
    response = page.goto(page_url, wait_until="load")
    assert response is not None and response.ok
    for name in SECTIONS:
        page.wait_for_selector(f"#{name} .sc-explore[data-sc-ready=true]", state="attached")

    # Lesson 5: two sliders and the "Simulate another year" stepper.
    board = page.locator("#board")
    now = view(page, "board")
    assert "45 days" in now[1] and "90 days or more" in now[1]
    board.get_by_label("Average days between incidents").fill("0")  # 15 days
    now = changed(page, "board", now)
    assert "15 days" in now[1]
    board.get_by_label("Board reaches (days)").fill("2")  # 180 days
    now = changed(page, "board", now)
    assert "180 days or more" in now[1]
    board.get_by_role("button", name="Simulate another year").click()
    now = changed(page, "board", now)
    assert "Simulated year 2" in now[1]
    board.get_by_role("button", name="Back to the first year").click()
    assert "Simulated year 1" in changed(page, "board", now)[1]

    # Lesson 6: the radio buttons and the "Draw another year" stepper.
    ranks = page.locator("#ranks")
    now = view(page, "ranks")
    ranks.get_by_role("button", name="Draw another year").click()
    now = changed(page, "ranks", now)
    assert "Re-drawn year 1." in now[1]
    ranks.get_by_label("Every unit identical").check()
    now = changed(page, "ranks", now)
    assert "one common rate" in now[1]
    ranks.get_by_role("button", name="Draw another year").click()
    assert "Re-drawn year 2." in changed(page, "ranks", now)[1]

    # Lesson 7: three sliders.
    rtm = page.locator("#rtm")
    now = view(page, "rtm")
    assert "The 10 units worst" in now[1]
    rtm.get_by_label("How many of the worst units to pick").fill("2")  # 30
    now = changed(page, "rtm", now)
    assert "The 30 units worst" in now[1]
    rtm.get_by_label("Real differences between units (spread)").fill("0")
    now = changed(page, "rtm", now)
    rtm.get_by_label("Patients per unit per year").fill("0")  # 500
    changed(page, "rtm", now)

    assert not offline_page.problems()
