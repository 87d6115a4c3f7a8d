"""What the lesson tests share: the shape every lesson follows and where MyST-NB reads a
figure's alt text (``metadata.mystnb.image.alt`` of the cell that draws it).

Used by ``test_lessons_1_4.py`` and ``test_lessons_5_7.py`` and by their ``refresh``
helpers, so both check and write lessons the same way.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

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
