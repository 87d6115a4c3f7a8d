"""Print the trainers' pack: every facilitator page and handout of the built book as an A4 PDF.

    python3 run.py pack          # builds the book first, then writes _build/pack/*.pdf

Why: a trainer prints the session plan, the handouts and the cards before a workshop, often on
a printer that has no colour and on a computer with no internet. The PDFs are made by headless
Chromium's print-to-PDF from the built pages themselves (the book's print style asks for A4
and hides the navigation), so paper and screen never disagree. Nothing is fetched: the pages
are served from the built book on 127.0.0.1.

The PDFs' names follow the pages: ``book/trainers/04-tampering`` becomes
``trainers-04-tampering.pdf``, ``book/trainers/handouts/04-tampering`` becomes
``handout-04-tampering.pdf``. ``tests/test_print.py`` checks them.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-gpu"]


def toc_docnames(toc: Path = ROOT / "_toc.yml") -> list[str]:
    """Every page in the book's table of contents, in book order."""
    import yaml

    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                found.append(str(node["file"]))
            for key in ("root", "parts", "chapters", "sections"):
                if key in node:
                    walk(node[key] if key != "root" else {"file": node[key]})
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load(toc.read_text(encoding="utf-8")))
    return found


def pack_docnames(toc_docnames: Sequence[str]) -> list[str]:
    """The pages of the pack: every page in the book's trainers' part, in book order."""
    return [d for d in toc_docnames if d.startswith("book/trainers/")]


def pdf_name(docname: str) -> str:
    """``book/trainers/handouts/04-tampering`` -> ``handout-04-tampering.pdf``."""
    parts = docname.split("/")[2:]
    if parts[0] == "handouts":
        return f"handout-{'-'.join(parts[1:])}.pdf"
    return f"trainers-{'-'.join(parts)}.pdf"


@contextmanager
def serve(html_dir: Path) -> Iterator[str]:
    """Serve the built book on 127.0.0.1 for as long as the block runs; yield its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def print_page(page: object, url: str) -> bytes:
    """One page as PDF bytes, with the book's print style (A4) and no browser header/footer."""
    page.goto(url, wait_until="load")  # type: ignore[attr-defined]
    page.emulate_media(media="print")  # type: ignore[attr-defined]
    return page.pdf(prefer_css_page_size=True, print_background=False)  # type: ignore[attr-defined]


def print_pack(html_dir: Path, docnames: Sequence[str], out_dir: Path,
               chromium: str | None = None, browser: object | None = None) -> list[Path]:
    """Write one PDF per docname into ``out_dir``; return their paths in order.

    Pass a running Playwright ``browser`` to print with it (the tests share one); otherwise
    Debian's Chromium (``chromium``, ``$SAFERCARE_CHROMIUM`` or the one on PATH) is started.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with serve(html_dir) as base:
        if browser is not None:
            return _print_all(browser, base, docnames, out_dir)
        from playwright.sync_api import sync_playwright

        executable = (chromium or os.environ.get("SAFERCARE_CHROMIUM")
                      or shutil.which("chromium") or "/usr/bin/chromium")
        with sync_playwright() as playwright:
            started = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                return _print_all(started, base, docnames, out_dir)
            finally:
                started.close()


def _print_all(browser: object, base: str, docnames: Sequence[str], out_dir: Path) -> list[Path]:
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        written = []
        for docname in docnames:
            target = out_dir / pdf_name(docname)
            target.write_bytes(print_page(page, f"{base}{docname}.html"))
            written.append(target)
        return written
    finally:
        context.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the trainers' pack as A4 PDFs.")
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html",
                        help="the built book (default: _build/html)")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "pack",
                        help="where to write the PDFs (default: _build/pack)")
    args = parser.parse_args(argv)
    if not (args.html / "index.html").exists():
        print(f"There is no built book in {args.html}: run 'python3 run.py book' first.")
        return 2
    written = print_pack(args.html, pack_docnames(toc_docnames()), args.out)
    print(f"{len(written)} PDFs written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
