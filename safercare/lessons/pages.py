"""Parts of the book's markdown pages (handouts, facilitator pages, printables) that the
package writes, so that numbers on paper are the package's numbers.

Why: a handout's table of thresholds, or the incident cards a facilitator prints, must
agree with the lesson that uses them. Typing them by hand lets them drift. Instead a page
holds a marked block::

    <!-- generated: dice-thresholds (python -m safercare.lessons.pages) -->
    ... written by the package ...
    <!-- end generated -->

and :func:`refresh` rewrites every block from the function that owns it (see
:func:`blocks`). Run ``python -m safercare.lessons.pages`` after changing one of those
functions; the lesson tests check that every block equals what the package writes now.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

__all__ = ["block", "blocks", "refresh", "replace_block"]

ROOT = Path(__file__).resolve().parents[2]
_COMMAND = "python -m safercare.lessons.pages"


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- generated: {re.escape(name)} \([^)]*\) -->\n)(.*?)"
                      r"(<!-- end generated -->)", re.S)


def block(text: str, name: str) -> str:
    """The content of the generated block ``name`` in a page's text."""
    match = _pattern(name).search(text)
    if match is None:
        raise KeyError(f"no generated block {name!r}: add the line "
                       f"'<!-- generated: {name} ({_COMMAND}) -->' and "
                       "'<!-- end generated -->' where it belongs")
    return match.group(2)


def replace_block(text: str, name: str, content: str) -> str:
    """The page's text with the block ``name`` replaced by ``content``."""
    block(text, name)  # raises a clear error when the markers are missing
    body = content if content.endswith("\n") else content + "\n"
    return _pattern(name).sub(lambda m: m.group(1) + body + m.group(3), text, count=1)


def blocks() -> dict[str, tuple[str, Callable[[], str]]]:
    """Block name -> (its page, relative to the repository; the function that writes it)."""
    from safercare.lessons import measuring_what_matters as l1
    from safercare.lessons import variation_and_run_charts as l2

    return {
        "dice-thresholds": ("book/trainers/handouts/02-variation-and-run-charts.md",
                            l2.dice_thresholds_markdown),
        "incident-cards": ("book/trainers/01-incident-cards.md", l1.incident_cards_markdown),
        "measure-types": ("book/trainers/01-measuring-what-matters.md",
                          l1.measure_types_markdown),
    }


def refresh(root: Path = ROOT) -> list[str]:
    """Rewrite every generated block; returns the pages that changed."""
    changed = []
    for name, (page, write) in blocks().items():
        path = root / page
        text = path.read_text(encoding="utf-8")
        new = replace_block(text, name, write())
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(page)
    return changed


if __name__ == "__main__":
    pages = refresh()
    print("updated: " + ", ".join(pages) if pages else "every generated block is up to date")
