"""How fast and how heavy are precomputed explorations (safercare.widgets.explore)?

For each pilot in ``tests/explore_pilots.py`` (the red bead game, 56 states; the dice noise
explorer, 44 states) this prints, all measured in this run:

* the precompute time per state in Python: the author's render function (the package's
  game and chart code) and drawing + compressing the chart, then the whole HTML;
* the payload: bytes of the one HTML output, per state, and the number of distinct charts;
* the click-to-redraw time in headless Chromium, per control: the median (and maximum) of
  ``--repeats`` changes, each timed with ``performance.now()`` from the control change to
  the new chart having loaded and decoded and the next animation frame.

Run: ``.venv/bin/python benchmarks/explore_speed.py`` (about 30 s on 2 shared cores).
Chromium is Debian's (``/usr/bin/chromium`` or ``$SAFERCARE_CHROMIUM``); the page is set
directly into the browser (no server, no network).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from explore_pilots import dice_explorer, red_bead_explorer  # noqa: E402

from safercare.widgets.explore import Explorer  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-gpu"]


@dataclass
class Precompute:
    name: str
    states: int
    charts: int
    bytes: int
    render_ms: float      # per state, in the author's render function
    encode_ms: float      # per state, drawing and compressing the chart
    total_s: float        # everything, including writing the HTML
    html: str


def precompute(name: str, make: Callable[[], Explorer]) -> Precompute:
    start = time.perf_counter()
    explorer = make()
    html = explorer.html()
    total = time.perf_counter() - start
    built = explorer.build()
    n = explorer.n_states
    return Precompute(name, n, len(built.images), len(html.encode("utf-8")),
                      1000 * built.seconds_render / n, 1000 * built.seconds_encode / n,
                      total, html)


# One timed change of one control, inside the page. Returns milliseconds.
_TIMED_CHANGE = """async ([root, control, kind]) => {
    const el = document.querySelector(root);
    const img = el.querySelector(".sc-explore-chart");
    const all = el.querySelectorAll('[data-sc-control="' + control + '"]');
    const next = el.querySelector('[data-sc-control="' + control + '"][data-sc-step="next"]');
    if (kind === "next" && next.getAttribute("aria-disabled") === "true") {
        el.querySelector('[data-sc-control="' + control + '"][data-sc-step="reset"]').click();
    }
    if (kind === "reset") { next.click(); next.click(); }
    const before = img.getAttribute("src");
    const t0 = performance.now();
    const c = all[0];
    if (kind === "select") {
        c.selectedIndex = (c.selectedIndex + 1) % c.options.length;
        c.dispatchEvent(new Event("change", {bubbles: true}));
    } else if (kind === "radio") {
        const on = Array.from(all).findIndex((r) => r.checked);
        all[(on + 1) % all.length].click();
    } else if (kind === "checkbox") {
        c.click();
    } else if (kind === "range") {
        c.value = String((+c.value + 1) % (+c.max + 1));
        c.dispatchEvent(new Event("input", {bubbles: true}));
    } else {
        el.querySelector('[data-sc-control="' + control + '"][data-sc-step="' + kind + '"]')
            .click();
    }
    const after = img.getAttribute("src");
    if (after && after !== before) {
        if (!img.complete) {
            await new Promise((done) => img.addEventListener("load", done, {once: true}));
        }
        await img.decode();
    }
    await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
    return performance.now() - t0;
}"""

# Each pilot's controls: (what the table calls it, control position, kind of change).
CONTROLS = {
    "red beads": [("manager's policy (radio)", 0, "radio"), ("chart (drop-down)", 1, "select"),
                  ("Play the next day (button)", 2, "next"), ("Start again (button)", 2, "reset")],
    "dice noise": [("points (slider)", 0, "range"), ("chart and rules (drop-down)", 1, "select"),
                   ("three dice (checkbox)", 2, "checkbox")],
}


def click_times(pages: dict[str, str], repeats: int, browser: object | None = None
                ) -> dict[tuple[str, str], list[float]]:
    """Milliseconds per change, for every control of every pilot, in headless Chromium
    (``browser``: a Playwright browser to use; by default one is launched and closed)."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        executable = os.environ.get("SAFERCARE_CHROMIUM", "/usr/bin/chromium")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=executable, headless=True,
                                                  args=CHROMIUM_ARGS)
            try:
                return click_times(pages, repeats, launched)
            finally:
                launched.close()
    times: dict[tuple[str, str], list[float]] = {}
    page = browser.new_page()
    try:
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        body = "".join(f'<section id="p{i}">{html}</section>'
                       for i, html in enumerate(pages.values()))
        page.set_content('<!doctype html><html lang="en"><head><meta charset="utf-8">'
                         f"<title>benchmark</title></head><body><main>{body}</main></body>"
                         "</html>", wait_until="load")
        for i, name in enumerate(pages):
            root = f"#p{i} .sc-explore"
            page.wait_for_selector(f"{root}[data-sc-ready=true]", state="attached")
            steppers = [c for _, c, kind in CONTROLS[name] if kind == "next"]
            for control in steppers:  # start mid-game, so that every state has a chart
                for _ in range(3):
                    page.evaluate(_TIMED_CHANGE, [root, control, "next"])
            for label, control, kind in CONTROLS[name]:
                times[(name, label)] = [page.evaluate(_TIMED_CHANGE, [root, control, kind])
                                        for _ in range(repeats)]
                if kind == "reset":
                    for _ in range(3):
                        page.evaluate(_TIMED_CHANGE, [root, control, "next"])
        if errors:
            raise RuntimeError(f"the page logged errors: {errors}")
    finally:
        page.close()
    return times


PILOTS: dict[str, Callable[[], Explorer]] = {"red beads": red_bead_explorer,
                                             "dice noise": dice_explorer}


def run(repeats: int = 15, pilots: dict[str, Callable[[], Explorer]] | None = None,
        out: Callable[[str], None] = print) -> tuple[list[Precompute], dict]:
    done = [precompute(name, make) for name, make in (pilots or PILOTS).items()]
    out("Precompute in Python (per state) and payload")
    out("| pilot | states | distinct charts | render ms/state | draw+compress ms/state | "
        "total s | HTML bytes | bytes/state |")
    out("|---|---:|---:|---:|---:|---:|---:|---:|")
    for p in done:
        out(f"| {p.name} | {p.states} | {p.charts} | {p.render_ms:.0f} | {p.encode_ms:.0f} | "
            f"{p.total_s:.1f} | {p.bytes:,} | {p.bytes // p.states:,} |")
    times = click_times({p.name: p.html for p in done}, repeats)
    out("")
    out(f"Click to redraw in headless Chromium ({repeats} changes each)")
    out("| pilot | control | median ms | max ms |")
    out("|---|---|---:|---:|")
    for (name, label), values in times.items():
        out(f"| {name} | {label} | {statistics.median(values):.1f} | {max(values):.1f} |")
    return done, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed changes per control")
    args = parser.parse_args()
    run(args.repeats)


if __name__ == "__main__":
    main()
