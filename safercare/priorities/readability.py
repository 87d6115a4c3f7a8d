"""How easy a page is to read: Flesch reading ease and the Flesch–Kincaid grade.

Formulas (Flesch 1948; Kincaid, Fishburne, Rogers and Chissom 1975):

* reading ease = 206.835 − 1.015 × (words / sentences) − 84.6 × (syllables / words);
  60–70 is plain English, 80–90 is easy;
* Flesch–Kincaid grade = 0.39 × (words / sentences) + 11.8 × (syllables / words) − 15.59,
  a US school grade; the **reading age** is about the grade + 5 years.

Syllables are counted with the usual vowel-group rule (a run of vowels is one syllable; a
silent final "e", "-es" or "-ed" after a consonant is dropped; words of up to three letters
and every other word have at least one),
which agrees with dictionaries for most everyday words. Before counting, Markdown is reduced to
its prose: code, directives' option lines, HTML tags, link targets, labels and table rules are
removed; headings, list items and table cells count as sentences of their own.

Run ``python -m safercare.priorities.readability FILE ...`` for a table of scores.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Readability", "count_syllables", "markdown_to_prose", "readability", "main"]

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n")


@dataclass(frozen=True)
class Readability:
    """Counts and scores for one text."""

    sentences: int
    words: int
    syllables: int
    reading_ease: float
    grade: float

    @property
    def reading_age(self) -> float:
        """The approximate reading age in years (grade + 5)."""
        return self.grade + 5


def count_syllables(word: str) -> int:
    """Syllables in one English word by the vowel-group rule (at least 1)."""
    w = word.lower().replace("’", "'").split("'")[0]
    if not w:
        return 1
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", w)  # silent endings
    w = re.sub(r"^y", "", w)
    n = len(re.findall(r"[aeiouy]{1,2}", w))
    return max(1, n)


def markdown_to_prose(text: str) -> str:
    """The readable prose of a MyST Markdown page, one sentence-like unit per line."""
    text = re.sub(r"^---\n.*?\n---\n", "", text, flags=re.S)  # front matter
    text = re.sub(r"^(```|~~~)[^\n]*\n(?:(?!\1).)*?^\1\s*$", _keep_admonition, text,
                  flags=re.S | re.M)
    text = re.sub(r"^\(.*\)=\s*$", "", text, flags=re.M)  # labels
    text = re.sub(r"^\s*:[\w-]+:.*$", "", text, flags=re.M)  # directive options
    text = re.sub(r"^\s*\|?\s*:?-{3,}.*$", "", text, flags=re.M)  # table rules
    text = re.sub(r"\{cite(?::\w+)?\}`[^`]*`", "", text)  # citations are not read aloud
    text = re.sub(r"\{[\w:-]+\}`([^`<]*?)\s*(?:<[^`]*>)?`", r"\1", text)  # other roles
    text = re.sub(r"<style.*?</style>", "", text, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"`[^`]*`", " ", text)  # inline code
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"&\w+;|&#\d+;", " ", text)
    return _units(text)


def _units(text: str) -> str:
    """Join wrapped lines into paragraphs; headings, list items and table cells stand alone."""
    units: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            units.append(" ".join(current))
            current.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            units.append(line.lstrip("#").strip())
        elif "|" in line:
            flush()
            units.extend(cell.strip() for cell in line.strip("|").split("|"))
        elif re.match(r"^(?:[-*+]|\d+\.)\s+", line):
            flush()
            current.append(re.sub(r"^(?:[-*+]|\d+\.)\s+", "", line))
        else:
            current.append(line)
    flush()
    return "\n".join(re.sub(r"[*_]{1,3}", "", u) for u in units if u)


def _keep_admonition(match: re.Match[str]) -> str:
    block = match.group(0)
    head = block.split("\n", 1)[0]
    if re.match(r"^(```|~~~)\{(note|tip|important|warning|admonition|seealso)\}", head):
        return block.split("\n", 1)[1].rsplit("\n", 1)[0].rstrip("`~")
    return ""


def readability(text: str, *, markdown: bool = True) -> Readability:
    """Flesch reading ease and Flesch–Kincaid grade of ``text`` (Markdown by default)."""
    prose = markdown_to_prose(text) if markdown else text
    units = [u for u in _SENTENCE_END.split(prose) if _WORD.search(u)]
    words = [w for u in units for w in _WORD.findall(u)]
    n_sent, n_words = max(len(units), 1), max(len(words), 1)
    n_syll = sum(count_syllables(w) for w in words)
    wps, spw = n_words / n_sent, n_syll / n_words
    ease = 206.835 - 1.015 * wps - 84.6 * spw
    grade = 0.39 * wps + 11.8 * spw - 15.59
    return Readability(n_sent, len(words), n_syll, round(ease, 1), round(grade, 1))


def main(argv: Sequence[str] | None = None) -> int:
    """Print a table of scores for each Markdown file named."""
    paths = [Path(p) for p in (sys.argv[1:] if argv is None else argv)]
    print(f"{'page':50} {'words':>6} {'ease':>6} {'grade':>6} {'age':>5}")
    for path in paths:
        r = readability(path.read_text(encoding="utf-8"))
        print(f"{str(path):50} {r.words:6d} {r.reading_ease:6.1f} {r.grade:6.1f} "
              f"{r.reading_age:5.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
