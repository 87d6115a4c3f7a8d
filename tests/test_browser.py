"""The built book in a real browser: offline, error-free and accessible.

Serves ``_build/html`` on 127.0.0.1 (the ``book_server`` fixture reuses the session's book
build) and opens every page in headless Chromium. A page fails if it asks any other host for
anything, logs a console error (other than the known harmless Thebe one), throws, or has a
serious or critical axe-core finding. Moderate and minor findings fail too unless they are
listed in ``ALLOWED_FINDINGS`` with the reason we accept them.

Fixes for stock markup live in ``book/_ext/safercare_book.py`` (build time) and
``book/_assets/safercare-widgets.js`` (widget pages, in the browser). A figure shown inside a
widget (an ``Output``) needs its alt text as output metadata, which the saved widget state
keeps: ``display(fig, metadata={"image/png": {"alt": "..."}})``.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import WatchedPage, read_toc_docnames

#: Every page of the book: the table of contents plus the two pages Sphinx always writes.
PAGES = [*read_toc_docnames(), "genindex", "search"]

#: The lesson that carries maths and a widget (checked to render with no internet).
START_HERE = "notebooks/00-start-here"

#: Moderate or minor axe findings we accept, with why. Serious and critical ones never pass.
ALLOWED_FINDINGS: dict[str, str] = {}

AXE = Axe()
#: axe-core options: report violations only, and also run the rule that checks a control's
#: accessible name contains its visible words (WCAG 2.5.3; off by default in axe 4.12).
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {"label-content-name-mismatch": {"enabled": True}},
}


def open_page(watched: WatchedPage, base_url: str, docname: str) -> object:
    """Load a page, wait for the network to settle and for MathJax and widgets to finish."""
    page = watched.page
    response = page.goto(f"{base_url}{docname}.html", wait_until="load")
    assert response is not None and response.ok, f"{docname}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")
    # MathJax typesets after load; its startup promise resolves when the page is done.
    page.evaluate(
        "() => (window.MathJax && MathJax.startup && MathJax.startup.promise) || null"
    )
    if page.locator("script[type='application/vnd.jupyter.widget-view+json']").count():
        page.wait_for_selector(".jupyter-widgets", state="attached", timeout=20_000)
        page.wait_for_load_state("networkidle")
    return page


def axe_findings(page: object) -> list[str]:
    """axe-core violations that are not allowed, one line each."""
    results = AXE.run(page, options=AXE_OPTIONS)
    found = []
    for violation in results.response["violations"]:
        impact = violation.get("impact") or "unknown"
        if impact not in {"serious", "critical"} and violation["id"] in ALLOWED_FINDINGS:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        found.append(f"{violation['id']} ({impact}): {violation['help']} at {targets}")
    return found


@pytest.mark.browser
@pytest.mark.parametrize("docname", PAGES)
def test_page_is_offline_error_free_and_accessible(
    docname: str, book_server: str, offline_page: WatchedPage
) -> None:
    page = open_page(offline_page, book_server, docname)
    assert page.locator("mjx-merror, .MathJax_Error").count() == 0, "MathJax could not typeset"
    problems = offline_page.problems() + axe_findings(page)
    assert not problems, f"{docname}:\n" + "\n".join(problems)


@pytest.mark.browser
def test_maths_renders_from_the_local_copy_of_mathjax(
    book_server: str, offline_page: WatchedPage
) -> None:
    page = open_page(offline_page, book_server, START_HERE)
    assert page.locator("mjx-container").count() >= 2, "MathJax did not typeset the formulae"
    source = page.evaluate("() => document.querySelector('script[src*=\"tex-chtml\"]').src")
    assert source.startswith(book_server), source
    assert not offline_page.problems()


@pytest.mark.browser
def test_widgets_render_and_respond_without_a_kernel(
    book_server: str, offline_page: WatchedPage
) -> None:
    page = open_page(offline_page, book_server, START_HERE)
    slider = page.locator(".widget-slider").first
    slider.wait_for(state="visible", timeout=20_000)
    number = page.locator(".widget-text input").first
    number.fill("8")
    number.press("Enter")
    # The slider and the box are linked in the browser (jslink), so no kernel is needed.
    readout = "document.querySelector('.widget-slider .widget-readout')?.textContent.trim()"
    page.wait_for_function(f"() => {readout} === '8'", timeout=10_000)
    assert not offline_page.problems()


@pytest.mark.browser
def test_book_opens_in_light_mode_and_dark_mode_still_works(
    book_server: str, offline_page: WatchedPage
) -> None:
    page = open_page(offline_page, book_server, "book/index")
    theme = "document.documentElement.dataset.theme"
    assert page.evaluate(theme) == "light"
    # The button cycles through the modes (light, automatic, dark) in the theme's own order.
    for _ in range(3):
        page.locator(".theme-switch-button:visible").first.click()
        if page.evaluate(theme) == "dark":
            break
    assert page.evaluate(theme) == "dark"
    assert not offline_page.problems()


@pytest.mark.browser
def test_widget_figures_take_their_alt_text_from_output_metadata(
    book_server: str, offline_page: WatchedPage
) -> None:
    """book/_assets/safercare-widgets.js: display(fig, metadata={"image/png": {"alt": ...}})."""
    page = open_page(offline_page, book_server, START_HERE)
    page.evaluate(
        """() => {
            const state = {state: {m1: {state: {outputs: [{output_type: "display_data",
                data: {"image/png": "iVBORw0KGgo="},
                metadata: {"image/png": {"alt": "A test chart"}}}]}}}};
            const script = document.createElement("script");
            script.type = "application/vnd.jupyter.widget-state+json";
            script.textContent = JSON.stringify(state);
            document.head.appendChild(script);
            const area = document.createElement("div");
            area.className = "jupyter-widgets";
            area.innerHTML = '<img src="data:image/png;base64,iVBORw0KGgo=">';
            document.body.appendChild(area);
        }"""
    )
    page.wait_for_function(
        "() => document.querySelector('.jupyter-widgets img[alt=\"A test chart\"]') !== null",
        timeout=5_000,
    )
