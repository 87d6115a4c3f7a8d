"""What the lesson tests share: the shape every lesson follows and where MyST-NB reads a
figure's alt text (``metadata.mystnb.image.alt`` of the cell that draws it).

Used by ``test_lessons_1_4.py`` and ``test_lessons_5_7.py`` and by their ``refresh``
helpers, so both check and write lessons the same way.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

import nbformat

#: The sections of every lesson, in order (see DESIGN.md, "Lessons, not code dumps").
SECTIONS = ["## What you will learn", "## The situation", "## Explore", "## Try it",
            "## Reflect", "## Summary", "## Further reading"]
#: The syllabus domains a lesson's metadata may name.
SYLLABUS_DOMAINS = {"Systems approach to patient safety", "Learning from incidents",
                    "Human factors, human performance and safety management",
                    "Creating safe systems", "Being sure about safety"}


def alt_text(metadata: MutableMapping[str, Any]) -> str:
    """A figure cell's alt text, from its metadata (a KeyError if it has none)."""
    return metadata["mystnb"]["image"]["alt"]


def set_alt_text(metadata: MutableMapping[str, Any], text: str) -> None:
    """Store a figure cell's alt text in its metadata, where MyST-NB reads it."""
    metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = text


# -- reading a lesson notebook (shared by every lesson's tests) ---------------------------


def markdown_text(nb: nbformat.NotebookNode) -> str:
    """All the markdown cells of a notebook, joined."""
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The notebook's code cells, in order."""
    return [c for c in nb.cells if c.cell_type == "code"]


def cell_tags(cell: nbformat.NotebookNode) -> list[str]:
    """A cell's tags (``hide-input``, ``nbval-check-output`` …)."""
    return cell.metadata.get("tags", [])


def exercise_titles(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Each exercise's label and title, from its ``:::{exercise}`` box."""
    return {label: title.strip() for title, label in
            re.findall(r":::\{exercise\} (.+)\n:label: (\S+)\n:nonumber:", markdown_text(nb))}
