"""The book on paper and on a narrow screen.

* The trainers' pack (``python3 run.py pack``: every facilitator page and handout printed by
  headless Chromium from the built book, ``book/_tools/print_pack.py``): each PDF exists, is
  A4, and its text holds the page's headings; every one-page handout prints on **one** page.
* No prose scrolls sideways: a chart's words, a check's feedback or a file's list of problems
  printed in a cell output wraps at the edge of the page.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import ROOT, BookBuild, read_toc_docnames
from pypdf import PdfReader

sys.path.insert(0, str(ROOT / "book" / "_tools"))
import print_pack  # noqa: E402

PACK = print_pack.pack_docnames(read_toc_docnames())
A4_POINTS = (595, 842)
PAGES_WITH_OUTPUT = [d for d in read_toc_docnames() if d.startswith("notebooks/")]


def _plain(text: str) -> str:
    """Text as a reader sees it: ligatures (ﬁ) and curly quotes made plain, spaces folded."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans("‘’“”", "''\"\""))
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def pack(built_book: BookBuild, chromium: object,
         tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pack")
    # the session's browser: a second Playwright in one process is not allowed
    written = print_pack.print_pack(built_book.html_dir, PACK, out, browser=chromium)
    return dict(zip(PACK, written, strict=True))


def test_the_pack_holds_every_trainer_page_and_handout() -> None:
    names = [print_pack.pdf_name(d) for d in PACK]
    assert len(set(names)) == len(names)
    assert sum(n.startswith("handout-") for n in names) >= 7
    assert "trainers-04-tampering.pdf" in names and "handout-04-tampering.pdf" in names


@pytest.mark.browser
@pytest.mark.parametrize("docname", PACK)
def test_each_page_prints_on_a4_with_its_headings(docname: str, pack: dict[str, Path]) -> None:
    pdf = PdfReader(pack[docname])
    width, height = (round(float(v)) for v in pdf.pages[0].mediabox[2:])
    assert (width, height) == A4_POINTS, "the book's print style must ask for A4"
    if "/handouts/" in docname or docname.endswith(("-template", "-worksheet")):
        assert len(pdf.pages) == 1, f"{docname} prints on {len(pdf.pages)} pages: shorten it"
    text = _plain(" ".join(p.extract_text() for p in pdf.pages))
    source = (ROOT / f"{docname}.md").read_text(encoding="utf-8")
    for heading in re.findall(r"^#{1,3} (.+)$", source, re.M):
        words = _plain(re.sub(r"[`*_{}]|\(.*?\)", "", heading)).split()[:3]
        assert " ".join(words) in text, f"{docname}: heading {heading!r} missing on paper"


@pytest.mark.browser
@pytest.mark.parametrize("docname", PAGES_WITH_OUTPUT)
def test_no_prose_scrolls_sideways(docname: str, built_book: BookBuild, book_server: str,
                                   offline_page: object) -> None:
    page = offline_page.page
    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto(f"{book_server}{docname}.html", wait_until="load")
    scrolling = page.evaluate("""() => [...document.querySelectorAll(
        'div.cell_output pre, div.cell_output div.output')]
        .filter(e => e.scrollWidth > e.clientWidth + 2)
        .map(e => (e.innerText || '').trim())
        .filter(t => t.split(/\\s+/).length >= 12 && /[a-z]{3,} [a-z]{3,} [a-z]{3,}/.test(t))
        .map(t => t.slice(0, 80))""")
    assert not scrolling, f"{docname}: prose in a sideways-scrolling box: {scrolling}"
