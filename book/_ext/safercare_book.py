"""Sphinx extension for the Safer Care book: accessibility fixes to generated markup.

Why: the stock Jupyter Book 1 stack emits a few patterns that fail an accessibility check
(axe-core) and that no configuration option removes. We fix them in the HTML body of each
page as it is written, so the source pages and notebooks stay ordinary MyST:

* sphinxcontrib-bibtex (via docutils) renders a bibliography as ``role="list"`` whose
  children carry ``role="doc-biblioentry"``, which is not a list item: screen readers
  announce a list with no items (axe ``aria-required-children``, critical). We give each
  entry ``role="listitem"``.
* pandas (and a Markdown table with an empty first heading) renders the top-left corner as
  an empty ``<th>`` (axe ``empty-table-header``). An empty corner is not a header, so we make it
  an empty ``<td>``.
* myst-nb labels the "Show code cell source" toggle of hidden code ``aria-label="Toggle
  hidden content"``, a name that does not match the visible words, so speech-input users
  cannot say what they see (axe ``label-content-name-mismatch``). We drop the label and let
  the visible words name it.
* MyST task lists render each item's box as a disabled ``<input type="checkbox">`` with no
  label (axe ``label``, critical). We name it "checklist item"; the words after it say what
  the item is.

The theme's own buttons are fixed by template overrides in ``book/_templates/``. The
sidebar's expand/collapse toggles (a ``<summary>`` holding only a chevron icon, axe
``summary-name``, serious) are named after the page whose sub-pages they show, by wrapping
the theme's ``generate_toctree_html`` template function.

It also words the status page's execution table (myst-nb's ``{nb-exec-table}``) in plain
English: "succeeded" or "failed" rather than emoji that some screen readers and fonts lack,
and "Run time (seconds)" in sentence case.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx

__version__ = "0.1.0"

_BIBLIOENTRY = re.compile(r'(<div class="citation"[^>]*?)\s+role="doc-biblioentry"')
_EMPTY_TH = re.compile(r"<th(\s[^>]*)?>(?:\s|&nbsp;|&#160;|<p>\s*</p>)*</th>")
_SUMMARY_LABEL = re.compile(r'<summary aria-label="Toggle hidden content">')
_TASK_CHECKBOX = re.compile(r'<input class="task-list-item-checkbox"(?![^>]*aria-label)')
_NAMED_CHECKBOX = '<input class="task-list-item-checkbox" aria-label="checklist item"'


_TOGGLE = re.compile(r"(<a\b[^>]*>(?P<text>[^<]+)</a>\s*<details\b[^>]*>\s*)<summary>")


def name_toctree_toggles(html: str) -> str:
    """Give each sidebar expand/collapse toggle a name: "Pages in <the page it follows>"."""
    return _TOGGLE.sub(
        lambda m: f'{m.group(1)}<summary aria-label="Pages in {m["text"].strip()}">', html
    )


def fix_body(html: str) -> str:
    """Return a page body with the known accessibility faults repaired."""
    html = _BIBLIOENTRY.sub(r'\1 role="listitem"', html)
    html = _SUMMARY_LABEL.sub("<summary>", html)
    html = _TASK_CHECKBOX.sub(_NAMED_CHECKBOX, html)
    return _EMPTY_TH.sub(lambda m: f"<td{m.group(1) or ''}></td>", html)


def _on_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    body = context.get("body")
    if isinstance(body, str):
        context["body"] = fix_body(body)
    toctree = context.get("generate_toctree_html")
    if callable(toctree) and not getattr(toctree, "safercare", False):

        def named_toctree(*args: Any, **kwargs: Any) -> str:
            return name_toctree_toggles(str(toctree(*args, **kwargs)))

        named_toctree.safercare = True  # type: ignore[attr-defined]
        context["generate_toctree_html"] = named_toctree


def _plain_words_in_execution_table() -> None:
    """Reword myst-nb's execution table (module-level tables of myst-nb 1.4, pinned)."""
    try:
        from myst_nb.ext import execution_tables
    except ImportError:  # a different myst-nb: leave its table as it is
        return
    headers = getattr(execution_tables, "_key2header", None)
    transforms = getattr(execution_tables, "_key2transform", None)
    if isinstance(headers, dict) and "runtime" in headers:
        headers["runtime"] = "Run time (seconds)"
    if isinstance(transforms, dict) and "succeeded" in transforms:
        transforms["succeeded"] = lambda ok: "succeeded" if ok is True else "failed"


def _course_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any,
                 options: Any = None, content: Any = None) -> tuple[list[Any], list[Any]]:
    """``{course}`key``` in a page: words or numbers worked out by the package at build time.

    Trainer pages and handouts have no code cells, yet their answers and rule lengths must
    come from the results, not be typed (see ``safercare.lessons.answer_keys.BOOK_WORDS``).
    An unknown key is a build error, so ``-W`` catches a typo.
    """
    from docutils import nodes

    from safercare.lessons.answer_keys import book_words

    try:
        value = book_words(text.strip())
    except KeyError as error:
        message = inliner.reporter.error(str(error), line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    return [nodes.Text(value)], []


def setup(app: Sphinx) -> dict[str, Any]:
    _plain_words_in_execution_table()
    app.add_role("course", _course_role)
    # After the theme (priority 500) has put generate_toctree_html into the context.
    app.connect("html-page-context", _on_page_context, priority=900)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
