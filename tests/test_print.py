"""The book on paper and on a narrow screen.

* Every one-page handout prints on **one A4 page** (headless Chromium's print-to-PDF of the
  built page, honouring the book's ``@page { size: A4 }``; pages counted with pypdf), and the
  printed text still holds the handout's headings.
* No prose scrolls sideways: a chart's words, a check's feedback or a file's list of problems
  printed in a cell output wraps at the edge of the page.
"""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from conftest import ROOT, BookBuild, read_toc_docnames
from pypdf import PdfReader

HANDOUTS = [d for d in read_toc_docnames() if d.startswith("book/trainers/handouts/")]
A4_POINTS = (595, 842)
PAGES_WITH_OUTPUT = [d for d in read_toc_docnames() if d.startswith("notebooks/")]


def _plain(text: str) -> str:
    """Text as a reader sees it: ligatures (ﬁ) and curly quotes made plain, spaces folded."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans("‘’“”", "''\"\""))
    return re.sub(r"\s+", " ", text)


def _print(page: object, url: str) -> PdfReader:
    page.goto(url, wait_until="load")
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=False)
    return PdfReader(io.BytesIO(pdf))


@pytest.mark.browser
@pytest.mark.parametrize("docname", HANDOUTS)
def test_handout_prints_on_one_a4_page(docname: str, built_book: BookBuild, book_server: str,
                                       offline_page: object) -> None:
    pdf = _print(offline_page.page, f"{book_server}{docname}.html")
    width, height = (round(float(v)) for v in pdf.pages[0].mediabox[2:])
    assert (width, height) == A4_POINTS, "the book's print style must ask for A4"
    assert len(pdf.pages) == 1, f"{docname} prints on {len(pdf.pages)} pages: shorten it"
    text = _plain(pdf.pages[0].extract_text())
    source = (ROOT / f"{docname}.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#{1,3} (.+)$", source, re.M)
    for heading in headings:
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
