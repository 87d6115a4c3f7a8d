"""What more than one lesson uses: reading a learner's typed answer and showing kind feedback.

Why: a learner who types an answer deserves to know at once whether it is right and, if
not, a specific hint about where to look. Every lesson's ``check_...`` functions return a
:class:`Feedback`, which shows as a short, kind paragraph in a notebook. The answers they
expect are never typed in: each lesson module works them out with the same package calls
the lesson makes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from safercare import data
from safercare.errors import DataError
from safercare.widgets.display import display_figure, show_error, show_in

#: What a check says when nothing has been typed yet.
NOT_YET = ("You haven't answered yet. Type your answer where the cell shows it, then run the "
            "cell again (Shift + Enter).")


@dataclass(frozen=True)
class Feedback:
    """The result of checking an answer: ``correct`` and a plain-English ``message``."""

    correct: bool
    message: str
    #: ``False`` when nothing was typed yet: the message then invites an answer.
    answered: bool = True

    def _head(self) -> str:
        if not self.answered:
            return "Your turn."
        return "Well done." if self.correct else "Not quite yet."

    def __str__(self) -> str:
        return f"{self._head()} {self.message}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str:
        return f"**{self._head()}** {self.message}"

    def __bool__(self) -> bool:
        return self.correct


def is_blank(answer: object) -> bool:
    if answer is None:
        return True
    if isinstance(answer, str):
        return not answer.strip() or answer.strip() == "..."
    if isinstance(answer, Mapping):
        return not answer or all(is_blank(v) for v in answer.values())
    if isinstance(answer, Iterable):
        return not list(answer)
    return False


def normalise(text: object) -> str:
    """Lower case with runs of spaces made one: how typed words are compared."""
    return re.sub(r"\s+", " ", str(text).strip().lower())


def squash(text: Any) -> str:
    """Only the letters and digits, lower case: how typed names and codes are compared."""
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


# --------------------------------------------------------------------- reading answers
_NUMBER = re.compile(r"[-+−]?\d+(?:[.,]\d+)?")


def read_numbers(answer: Any) -> list[float]:
    """Every number in an answer: 14, "14%", "about 14.5", "3 to 10", (3, 10)."""
    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        return [float(answer)]
    if isinstance(answer, (list, tuple)):
        return [n for a in answer for n in read_numbers(a)]
    text = str(answer).replace("−", "-")
    return [float(m.replace(",", ".")) for m in _NUMBER.findall(text)]


def read_percent(answer: Any) -> tuple[float | None, str]:
    """A percentage from 14, "14%", or 0.14 (read as 14%, with a note)."""
    found = read_numbers(answer)
    if not found:
        return None, ""
    value = found[0]
    if isinstance(answer, (int, float)) and abs(value) < 1 and value != 0:
        return value * 100, (f" (We read {answer:g} as {value * 100:.1f}%: next time you can "
                             "type the percentage itself.)")
    return value, ""


def no_answer(example: str, answer: Any = "") -> Feedback:
    if answer is None or answer is Ellipsis or (isinstance(answer, str)
                                                 and not answer.strip(" .…")):
        return Feedback(False, f"Type your answer in place of the dots (for example "
                               f"`{example}`), then run the cell again.", answered=False)
    return Feedback(False, f"We could not find an answer in what you typed. Type it like "
                           f"this: `{example}`.")


# ------------------------------------------------------------------ expected answers
@lru_cache(maxsize=1)
def organisation_names() -> dict[str, str]:
    """Every organisation's name by its code, from the course's geography dataset."""
    geo = data.load("geography")
    return dict(zip(geo["org_id"].astype(str), geo["org_name"].astype(str), strict=True))


#: Widget style that lets a control's label take the width it needs.
WIDE = {"description_width": "initial"}


#: Widget layout for a wide control.
WIDE_LAYOUT = w.Layout(width="auto", min_width="420px")

Result = TypeVar("Result")


def live_form(title: str, inputs: Sequence[w.Widget], button: str, tooltip: str,
               read: Callable[[], Result],
               show: Callable[[Result], Sequence[object]]) -> w.VBox:
    """A room's live-data form: the inputs, a button and an output area.

    The button (and the first display) runs ``read`` on what was typed; a
    :class:`DataError` is shown as a plain message, anything else is passed to ``show``,
    whose items (tables, figures, text) replace the output.
    """
    go = w.Button(description=button, button_style="primary", tooltip=tooltip)
    out = w.Output()

    def update(_: object = None) -> None:
        try:
            result = read()
        except DataError as error:
            show_error(out, error)
            return
        show_in(out, *show(result))

    go.on_click(update)
    update()
    return w.VBox([w.HTML(f"<b>{title}</b>"), *inputs, go, out])


#: What :func:`show` puts before a figure's description.
IN_WORDS = "**In words:** "


def show(figure: plt.Figure, description: str) -> None:
    """Show a figure, then its plain-English description (the same text is its alt text).

    Lessons call this for every static figure, so a reader who cannot see the chart reads
    the same facts underneath it.
    """
    display_figure(figure, description)
    display(_Words(description))


def in_words(description: str) -> _Words:
    """A chart's description shown under it as "**In words:** ..." (the result's own words)."""
    return _Words(description)


class _Words:
    """A figure's description: formatted in a notebook, the same words as plain text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        short = shorten(self.text)
        if short == self.text:
            return IN_WORDS + self.text
        # The reader sees the gist; the whole text stays one click away (and is the figure's
        # alt text, so a screen reader still hears all of it).
        return (f"{IN_WORDS}{short}\n\n<details><summary>The full description</summary>\n\n"
                f"{self.text}\n\n</details>")

    def __repr__(self) -> str:
        return "In words: " + self.text


#: Descriptions longer than this many characters are shortened on the page.
SHORT_WORDS = 480


def shorten(text: str, limit: int = SHORT_WORDS) -> str:
    """The first sentences of ``text`` that fit in about ``limit`` characters (all if it fits).

    Sentences end at a full stop followed by a space, so numbers such as 7.33 stay whole.
    """
    if len(text) <= limit:
        return text
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)
    kept: list[str] = []
    for sentence in sentences:
        if kept and len(" ".join([*kept, sentence])) > limit * 0.8:
            break
        kept.append(sentence)
    return " ".join(kept) + (" …" if len(kept) < len(sentences) else "")


class Table:
    """A table as a reader should see it: no pandas row numbers, counts as whole numbers.

    Notebooks show it as HTML (a caption-free table with one header row); its plain-text form,
    which tests compare, is the same table as text, so nothing depends on a memory address.
    """

    def __init__(self, frame: pd.DataFrame, integers: Sequence[str] = ()) -> None:
        self.frame = frame.reset_index(drop=True)
        whole = [c for c in self.frame.columns if c in integers or _whole_numbers(self.frame[c])]
        self.integers = whole

    def _formatted(self) -> pd.DataFrame:
        out = self.frame.copy()
        for column in self.integers:
            out[column] = out[column].map(lambda v: "" if pd.isna(v) else f"{int(v):,}")
        for column in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[column]):
                monthly = bool((out[column].dropna().dt.day == 1).all())
                out[column] = out[column].dt.strftime("%b %Y" if monthly else "%d %b %Y")
        return out

    def _repr_html_(self) -> str:
        shown = self._formatted()
        # ids from the content, so the saved notebook does not change on every run
        uid = hashlib.sha1(shown.to_csv().encode()).hexdigest()[:10]
        return shown.style.hide(axis="index").set_uuid(uid).to_html()

    def __repr__(self) -> str:
        return self._formatted().to_string(index=False)


def _whole_numbers(column: pd.Series) -> bool:
    """True for a numeric column whose values are all whole numbers (a count)."""
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return False
    values = column.dropna()
    return bool(len(values)) and bool((values == values.round()).all())


def show_table(frame: pd.DataFrame, integers: Sequence[str] = ()) -> Table:
    """Show ``frame`` without row numbers and with counts as whole numbers (the cell's value)."""
    return Table(frame, integers)
