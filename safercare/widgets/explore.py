r"""Explorations that respond to the reader with no kernel: precomputed states, native controls.

Why: the published book has no Python behind it, so an ipywidgets callback never runs there
and its controls do nothing. An :class:`Explorer` instead computes **every state** of an
exploration in Python when the notebook runs (when the book builds, or when you run the cell
in JupyterLab or Binder), draws each state's chart once, and writes one self-contained piece
of HTML: native, labelled controls (``<select>``, radio buttons, a checkbox, a range slider,
buttons), the chart as an ``<img>`` with the state's alt text, the state's words in an
``aria-live`` region, and a small inline script that shows the state the controls pick. The
game logic stays in the package (one implementation, tested in Python); the page only shows.
Nothing is fetched: the charts are inline PNGs (palette-quantised, about 10-15 KB each, and a
chart shared by several states is stored once) and the script uses no ``eval`` and no network.

Without the script (an untrusted notebook in JupyterLab, a page with scripts off) the first
state's chart and words are still there, the controls are shown switched off, and a short
note says that they need the page's script or running the cell.

Convert a lesson widget in four steps
-------------------------------------
1. List the controls. Each takes a ``name`` (the key your function receives) and a visible
   ``label``. Keep the number of combinations small: at most :data:`MAX_STATES` (120).

   * :class:`Choice` -- one of a few options: ``style="select"`` (a drop-down) or
     ``style="radio"`` (radio buttons; best for two to four options).
   * :class:`Toggle` -- a checkbox; your function gets ``True`` or ``False``.
   * :class:`Slider` -- a range slider over a short list of values (e.g. 10, 15, ..., 60).
   * :class:`Stepper` -- a "Play the next day" button and a "Start again" button, for games
     played in steps; your function gets the step number (0 before the first step). An
     ipywidgets ``SelectMultiple`` becomes one :class:`Toggle` per item.
2. Write one function ``state -> View`` that calls the package (never compute in the
   page) and returns a :class:`View`: a matplotlib figure (its alt text comes from
   ``figure.alt_text``, which every ``safercare`` chart sets, or from ``alt=``), the words
   (plain text with ``**bold**``, ``*italics*``, line breaks and ``- `` bullet lists), and
   optionally a small table (a DataFrame; row numbers are not shown).
3. Build the explorer and make it the cell's last line (or call ``.display()``).
4. Tag the cell ``hide-input`` in the lesson, as for any widget cell.

Example (the red bead game: the manager's policy changes nothing the beads do)::

    from safercare.games import red_beads
    from safercare.widgets.explore import Choice, Explorer, Stepper, View

    POLICIES = [("nothing", "does nothing"), ("sack", "sacks the worst worker")]

    def red_bead_day(state):
        game, said = red_beads.RedBeadGame(seed=1986), ""
        for _ in range(state["day"]):
            today = game.play_day()
            if state["policy"] == "sack":
                said = game.act(today.loc[today["red"].idxmax(), "worker"], "sack")
        if state["day"] == 0:
            return View(words=f"No days played yet. After each day the manager "
                              f"{dict(POLICIES)[state['policy']]}.")
        result = red_beads.red_bead_chart(game.table)
        return View(figure=result.plot(), words=f"{result.describe()}\n{said}")

    explorer = Explorer(
        "The red bead game: you are the manager",
        controls=[
            Choice("policy", "After each day the manager", POLICIES, style="radio"),
            Stepper("Days played", steps=5, name="day", counter="Day {step} of {steps}"),
        ],
        render=red_bead_day,
    )
    explorer        # the cell's last line shows it

Everything a reader can reach is computed at once (2 policies x 6 days = 12 states here),
so when several controls combine, check ``Explorer.n_states`` before you add another.
Changing a choice part-way through a game shows that day of the game played with the
new choice from the start. Every control must change what the reader sees in every state
(the words above name the policy even before day 1, and say whom the manager sacked): in
the lesson's tests, ``assert explorer.inert_controls() == []``. Charts that are the same in
several states (here: whatever the manager does) are stored once.

What it costs (``benchmarks/explore_speed.py``): about 0.1-0.3 s per state when the notebook
runs, 4-15 KB of page per state, and a redraw in the browser within one frame or two.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from PIL import Image

__all__ = [
    "MAX_BYTES",
    "MAX_STATES",
    "Choice",
    "Explorer",
    "Slider",
    "Stepper",
    "Toggle",
    "View",
]

#: Most states one explorer may precompute. Past this, split the exploration or drop options:
#: every state costs build time and page weight, and a reader cannot explore 500 of them.
MAX_STATES = 120
#: Most bytes one explorer's HTML may take (the charts are most of it).
MAX_BYTES = 2_000_000

#: Shown until the script runs (and left in place when it cannot run).
NO_SCRIPT_NOTE = (
    "These controls need the page's script. In JupyterLab, run this cell (or trust the "
    "notebook) to use them. Until then you see the first choice."
)


# --------------------------------------------------------------------------------------
# Controls
# --------------------------------------------------------------------------------------


def _check_name(kind: str, name: str, label: str) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError(f"{kind}: give the control a name (the key your render function reads).")
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"{kind} {name!r}: give it a visible label, e.g. 'Chart and rules'.")


@dataclass(frozen=True)
class Choice:
    """One of a few options: a drop-down (``style="select"``) or radio buttons.

    ``options`` are ``(value, text)`` pairs: your render function receives the value, the
    reader sees the text. ``default`` is a value (the first option if not given).
    """

    name: str
    label: str
    options: Sequence[tuple[Any, str]]
    default: Any = None
    style: Literal["select", "radio"] = "select"

    def __post_init__(self) -> None:
        _check_name("Choice", self.name, self.label)
        options = tuple((value, str(text)) for value, text in self.options)
        if len(options) < 2:
            raise ValueError(f"Choice {self.name!r}: give at least two options.")
        if self.style not in ("select", "radio"):
            raise ValueError(f"Choice {self.name!r}: style must be 'select' or 'radio'.")
        object.__setattr__(self, "options", options)
        if self.default is not None and self.default not in self.values:
            raise ValueError(f"Choice {self.name!r}: the default {self.default!r} is not one "
                             "of its option values.")

    @property
    def values(self) -> list[Any]:
        return [value for value, _ in self.options]

    @property
    def start(self) -> int:
        return 0 if self.default is None else self.values.index(self.default)


@dataclass(frozen=True)
class Toggle:
    """A checkbox: your render function receives ``True`` (ticked) or ``False``."""

    name: str
    label: str
    default: bool = False

    def __post_init__(self) -> None:
        _check_name("Toggle", self.name, self.label)

    @property
    def values(self) -> list[Any]:
        return [False, True]

    @property
    def start(self) -> int:
        return int(bool(self.default))


@dataclass(frozen=True)
class Slider:
    """A range slider over a short list of values (arrow keys move it one value).

    ``text`` formats the value the reader sees next to the slider (and hears, as the
    slider's value text), e.g. ``"{} points"``.
    """

    name: str
    label: str
    values: Sequence[Any]
    default: Any = None
    text: str = "{}"

    def __post_init__(self) -> None:
        _check_name("Slider", self.name, self.label)
        values = tuple(self.values)
        if len(values) < 2:
            raise ValueError(f"Slider {self.name!r}: give at least two values.")
        object.__setattr__(self, "values", values)
        if self.default is not None and self.default not in values:
            raise ValueError(f"Slider {self.name!r}: the default {self.default!r} is not one "
                             "of its values.")

    @property
    def start(self) -> int:
        return 0 if self.default is None else list(self.values).index(self.default)

    def shown(self, value: Any) -> str:
        return self.text.format(value)


@dataclass(frozen=True)
class Stepper:
    """A game played in steps: a "next" button, a "start again" button and a counter.

    Your render function receives ``state[name]``: the number of steps taken, from 0
    (nothing played yet) to ``steps``. "Start again" goes back to 0. ``counter`` is the
    text beside the buttons; ``{step}`` and ``{steps}`` are filled in.
    """

    label: str
    steps: int
    button_text: str = "Play the next day"
    reset_text: str = "Start again"
    name: str = "step"
    counter: str = "Step {step} of {steps}"
    end_text: str = "That was the last one: press Start again to replay."

    def __post_init__(self) -> None:
        _check_name("Stepper", self.name, self.label)
        if not isinstance(self.steps, int) or self.steps < 1:
            raise ValueError(f"Stepper {self.name!r}: steps must be a whole number of at least 1.")

    @property
    def values(self) -> list[int]:
        return list(range(self.steps + 1))

    @property
    def start(self) -> int:
        return 0


Control = Choice | Toggle | Slider | Stepper


# --------------------------------------------------------------------------------------
# What one state shows
# --------------------------------------------------------------------------------------


@dataclass
class View:
    """What the page shows for one state.

    Args:
        words: the state's words, shown under the chart and announced to screen readers.
            Plain text, escaped; ``**bold**``, ``*italics*``, line breaks, blank-line
            paragraphs and ``- `` bullet lists are formatted. Never HTML.
        figure: a matplotlib figure, or ``None`` for a state without a chart. It is drawn
            once and closed.
        alt: the chart's alt text; defaults to ``figure.alt_text`` (set by every
            ``safercare`` chart). A figure without alt text is refused.
        table: an optional small table (a DataFrame), shown after the words. Its cells are
            escaped text; a plain 0, 1, 2 ... index is not shown, a named index is.
    """

    words: str = ""
    figure: Figure | None = None
    alt: str | None = None
    table: pd.DataFrame | None = None


# --------------------------------------------------------------------------------------
# Safe markup (everything from a state is escaped first)
# --------------------------------------------------------------------------------------

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def _inline(text: str) -> str:
    escaped = html.escape(text, quote=True)
    escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
    return _ITALIC.sub(r"<em>\1</em>", escaped)


def words_html(words: str) -> str:
    """A state's words as HTML: escaped text with bold, italics, paragraphs and lists.

    The only tags in the result are the ones this function writes (``p``, ``br``,
    ``strong``, ``em``, ``ul``, ``li``), so words from data can never inject markup.
    """
    blocks = [b for b in re.split(r"\n\s*\n", str(words).strip()) if b.strip()]
    out = []
    for block in blocks:
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line[2:].strip())}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        else:
            out.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    return "".join(out)


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value)
                         and pd.isna(value)):
        return "missing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table_html(table: pd.DataFrame) -> str:
    """A small DataFrame as an escaped HTML table, with column (and named row) headers."""
    show_index = any(name is not None for name in table.index.names)
    head = [str(n) for n in table.index.names] if show_index else []
    head += [str(c) for c in table.columns]
    rows = []
    for index, row in zip(table.index, table.itertuples(index=False, name=None), strict=True):
        cells = ""
        if show_index:
            keys = index if isinstance(index, tuple) else (index,)
            cells += "".join(f'<th scope="row">{html.escape(_cell(k))}</th>' for k in keys)
        cells += "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row)
        rows.append(f"<tr>{cells}</tr>")
    header = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in head)
    return (f'<table class="sc-explore-table"><thead><tr>{header}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def figure_png(figure: Figure, *, dpi: int = 90, colors: int = 64) -> tuple[bytes, int, int]:
    """Draw a figure as a compact PNG (palette of ``colors``); close it. Returns bytes, size.

    The figure is drawn once, by the same one-pass renderer that shows widget figures
    (:func:`safercare.widgets.display.figure_png`), not by ``savefig``'s two passes.
    """
    from safercare.widgets.display import figure_png as draw_png

    try:
        png = draw_png(figure, dpi=dpi)
    finally:
        plt.close(figure)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    small = image.quantize(colors=colors, method=Image.Quantize.FASTOCTREE,
                           dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue(), image.width, image.height


# --------------------------------------------------------------------------------------
# The explorer
# --------------------------------------------------------------------------------------


@dataclass
class _Built:
    images: list[str]               # base64 PNGs, each stored once
    states: list[list[Any]]         # [image index or -1, width, height, alt, words, table]
    seconds_render: float           # time in the author's render function (all states)
    seconds_encode: float           # time drawing and compressing the figures


_DISPLAYS = itertools.count(1)


@dataclass
class Explorer:
    """An exploration whose every state is computed in Python and switched in the page.

    Args:
        title: a short visible title (the name of the group of controls).
        controls: the controls, in the order they appear (see :class:`Choice`,
            :class:`Toggle`, :class:`Slider`, :class:`Stepper`).
        render: ``state -> View``, where ``state`` maps each control's name to its value.
        dpi, colors: chart resolution and palette size (smaller = lighter page).
        max_states: the most states allowed (default :data:`MAX_STATES`).

    Show it by making it a cell's last expression (``_repr_html_``) or with
    :meth:`display`. States are computed the first time it is shown, then reused.
    """

    title: str
    controls: Sequence[Control]
    render: Callable[[dict[str, Any]], View]
    dpi: int = 90
    colors: int = 64
    max_states: int = MAX_STATES
    _built: _Built | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.title, str) or not self.title.strip():
            raise ValueError("Explorer: give it a short visible title.")
        self.controls = tuple(self.controls)
        if not self.controls:
            raise ValueError(f"Explorer {self.title!r}: give it at least one control.")
        for control in self.controls:
            if not isinstance(control, Choice | Toggle | Slider | Stepper):
                raise TypeError(f"Explorer {self.title!r}: {control!r} is not a Choice, "
                                "Toggle, Slider or Stepper.")
        names = [c.name for c in self.controls]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"Explorer {self.title!r}: control names must differ; "
                             f"{', '.join(repeated)} is used twice.")
        if self.n_states > self.max_states:
            sizes = " x ".join(f"{len(c.values)} ({c.name})" for c in self.controls)
            raise ValueError(
                f"Explorer {self.title!r} would precompute {sizes} = {self.n_states} states; "
                f"the most allowed is {self.max_states}. Offer fewer options, fewer steps or "
                "fewer controls, or split it into two explorers.")

    # -- states ---------------------------------------------------------------------------

    @property
    def n_states(self) -> int:
        """How many states the controls can reach (the product of their option counts)."""
        return math.prod(len(c.values) for c in self.controls)

    def states(self) -> list[dict[str, Any]]:
        """Every state, in the page's order (the last control changes fastest)."""
        names = [c.name for c in self.controls]
        return [dict(zip(names, combo, strict=True))
                for combo in itertools.product(*(c.values for c in self.controls))]

    def first_state(self) -> int:
        """The position (in :meth:`states`) of the state every control starts in."""
        index = 0
        for control in self.controls:
            index = index * len(control.values) + control.start
        return index

    def build(self) -> _Built:
        """Compute, draw and compress every state (once; later calls reuse the result)."""
        if self._built is not None:
            return self._built
        images: list[str] = []
        seen: dict[str, int] = {}
        # A render function that returns the same Figure object for several states (a chart
        # only the words change) has it drawn once; the figures are kept alive meanwhile so
        # their ids cannot be reused.
        drawn: dict[int, tuple[Figure, bytes, int, int]] = {}
        states: list[list[Any]] = []
        render_s = encode_s = 0.0
        for state in self.states():
            start = time.perf_counter()
            try:
                view = self.render(dict(state))
            except Exception as error:
                error.add_note(f"Explorer {self.title!r}: while computing the state {state}.")
                raise
            if not isinstance(view, View):
                raise TypeError(f"Explorer {self.title!r}: render returned {type(view).__name__} "
                                f"for the state {state}; return a View(...).")
            middle = time.perf_counter()
            image, width, height, alt = -1, 0, 0, ""
            if view.figure is not None:
                alt = view.alt or getattr(view.figure, "alt_text", None) or ""
                if not alt.strip():
                    plt.close(view.figure)
                    raise ValueError(f"Explorer {self.title!r}: the chart for the state {state} "
                                     "has no alt text; pass View(alt=...) or set "
                                     "figure.alt_text.")
                if id(view.figure) not in drawn:
                    drawn[id(view.figure)] = (view.figure, *figure_png(
                        view.figure, dpi=self.dpi, colors=self.colors))
                _, png, width, height = drawn[id(view.figure)]
                encoded = base64.b64encode(png).decode("ascii")
                digest = hashlib.sha1(png).hexdigest()
                if digest not in seen:
                    seen[digest] = len(images)
                    images.append(encoded)
                image = seen[digest]
            table = table_html(view.table) if view.table is not None else ""
            states.append([image, width, height, alt, words_html(view.words), table])
            end = time.perf_counter()
            render_s += middle - start
            encode_s += end - middle
        self._built = _Built(images, states, render_s, encode_s)
        return self._built

    def inert_controls(self) -> list[str]:
        """Every place where a control would change nothing the reader sees.

        For each state and each control, the state reached by choosing another option
        (or, for a :class:`Stepper`, by taking the next step) must differ in its chart, its
        words or its table; a control that does nothing is a defect. Returns one sentence
        per problem (an empty list when every control always responds). Call it in the
        lesson's tests: ``assert explorer.inert_controls() == []``.
        """
        shown = [tuple(state[:1] + state[3:]) for state in self.build().states]
        sizes = [len(c.values) for c in self.controls]
        strides = [math.prod(sizes[i + 1:]) for i in range(len(sizes))]
        found = []
        for index, state in enumerate(self.states()):
            for i, control in enumerate(self.controls):
                position = index // strides[i] % sizes[i]
                if isinstance(control, Stepper):
                    others = [position + 1] if position < control.steps else []
                else:
                    others = [j for j in range(sizes[i]) if j != position]
                for other in others:
                    if shown[index + (other - position) * strides[i]] == shown[index]:
                        found.append(f"{type(control).__name__} {control.name!r}: from the state "
                                     f"{state}, changing it to {control.values[other]!r} "
                                     "shows exactly the same chart, words and table.")
        return found

    # -- HTML -----------------------------------------------------------------------------

    def html(self) -> str:
        """The whole exploration as one self-contained HTML fragment (controls, chart,
        words, script). Refuses an output above :data:`MAX_BYTES`."""
        built = self.build()
        uid = f"sc-x{next(_DISPLAYS)}-{self._digest(built)}"
        first = built.states[self.first_state()]
        image, width, height, alt, words, table = first
        src = f' src="data:image/png;base64,{built.images[image]}"' if image >= 0 else ""
        size = f' width="{width}" height="{height}"' if image >= 0 else ""
        hidden = "" if image >= 0 else " hidden"
        payload = {
            "images": built.images,
            "states": built.states,
            "sizes": [len(c.values) for c in self.controls],
            "first": self.first_state(),
            "steppers": {str(i): {"counter": c.counter, "steps": c.steps, "end": c.end_text}
                         for i, c in enumerate(self.controls) if isinstance(c, Stepper)},
        }
        data = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
        # Inside a <script>, "</" could end it and "<!--" could start a comment: escape "<".
        data = data.replace("<", "\\u003c")
        controls = "".join(self._control_html(i, c, uid) for i, c in enumerate(self.controls))
        out = (
            f'<div class="sc-explore" id="{uid}">'
            f"<style>{_CSS}</style>"
            f'<fieldset class="sc-explore-controls" disabled>'
            f"<legend>{html.escape(self.title)}</legend>{controls}</fieldset>"
            f'<p class="sc-explore-nojs">{html.escape(NO_SCRIPT_NOTE)}</p>'
            f'<div class="sc-explore-view">'
            f'<img class="sc-explore-chart" alt="{html.escape(alt)}"{src}{size}{hidden}>'
            f'<div class="sc-explore-words" aria-live="polite">{words}</div>'
            f'<div class="sc-explore-extra">{table}</div>'
            f"</div>"
            f"<script>{_SCRIPT}({data});</script>"
            f"</div>"
        )
        if len(out.encode("utf-8")) > MAX_BYTES:
            raise ValueError(
                f"Explorer {self.title!r} is {len(out):,} bytes; the most allowed is "
                f"{MAX_BYTES:,}. Lower dpi= (now {self.dpi}), make the figures smaller, or "
                "offer fewer states.")
        return out

    def _repr_html_(self) -> str:
        return self.html()

    def display(self) -> None:
        """Show the exploration in a notebook (the same as ending a cell with it)."""
        from IPython.display import HTML, display

        display(HTML(self.html()))

    def __repr__(self) -> str:
        return f"<Explorer {self.title!r}: {self.n_states} states>"

    # -- pieces ---------------------------------------------------------------------------

    @staticmethod
    def _digest(built: _Built) -> str:
        text = json.dumps(built.states[:3]) + "".join(img[:64] for img in built.images[:3])
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]

    @staticmethod
    def _control_html(index: int, control: Control, uid: str) -> str:
        cid = f"{uid}-c{index}"
        label = html.escape(control.label)
        attrs = f'data-sc-control="{index}"'
        if isinstance(control, Choice) and control.style == "select":
            options = "".join(
                f'<option value="{i}"{" selected" if i == control.start else ""}>'
                f"{html.escape(text)}</option>" for i, (_, text) in enumerate(control.options))
            return (f'<div class="sc-explore-control"><label for="{cid}">{label}</label> '
                    f'<select id="{cid}" {attrs}>{options}</select></div>')
        if isinstance(control, Choice):
            radios = "".join(
                f'<span class="sc-explore-radio"><input type="radio" id="{cid}-{i}" '
                f'name="{cid}" value="{i}" {attrs}{" checked" if i == control.start else ""}>'
                f'<label for="{cid}-{i}">{html.escape(text)}</label></span>'
                for i, (_, text) in enumerate(control.options))
            return (f'<fieldset class="sc-explore-control sc-explore-radios">'
                    f"<legend>{label}</legend>{radios}</fieldset>")
        if isinstance(control, Toggle):
            checked = " checked" if control.default else ""
            return (f'<div class="sc-explore-control"><input type="checkbox" id="{cid}" '
                    f'{attrs}{checked}> <label for="{cid}">{label}</label></div>')
        if isinstance(control, Slider):
            texts = [control.shown(v) for v in control.values]
            shown = html.escape(texts[control.start])
            return (f'<div class="sc-explore-control"><label for="{cid}">{label}</label> '
                    f'<input type="range" id="{cid}" min="0" max="{len(texts) - 1}" step="1" '
                    f'value="{control.start}" aria-valuetext="{shown}" {attrs} '
                    f"data-sc-texts=\"{html.escape(json.dumps(texts))}\"> "
                    f'<span class="sc-explore-value" aria-hidden="true">{shown}</span></div>')
        counter = html.escape(control.counter.format(step=0, steps=control.steps))
        return (f'<div class="sc-explore-control sc-explore-stepper" role="group" '
                f'aria-labelledby="{cid}-label">'
                f'<span id="{cid}-label" class="sc-explore-label">{label}:</span> '
                f'<button type="button" {attrs} data-sc-step="next">'
                f"{html.escape(control.button_text)}</button> "
                f'<button type="button" {attrs} data-sc-step="reset" aria-disabled="true">'
                f"{html.escape(control.reset_text)}</button> "
                f'<span class="sc-explore-counter" aria-live="polite">{counter}</span></div>')


# The page's part: read the controls, pick the state, show it. Plain ES2015, no eval, no
# network; the only markup it inserts is words and tables that Python escaped and built.
_SCRIPT = r"""(function (data) {
  "use strict";
  var me = document.currentScript;
  var root = me && me.parentNode;
  if (!root || !root.classList || !root.classList.contains("sc-explore")) { return; }
  var img = root.querySelector(".sc-explore-chart");
  var words = root.querySelector(".sc-explore-words");
  var extra = root.querySelector(".sc-explore-extra");
  var sizes = data.sizes;
  var steps = {};
  Object.keys(data.steppers).forEach(function (k) { steps[k] = 0; });
  var shownState = data.first;

  function controlValue(i) {
    var key = String(i);
    if (key in data.steppers) { return steps[key]; }
    var els = root.querySelectorAll('[data-sc-control="' + i + '"]');
    var el = els[0];
    if (el.type === "radio") {
      for (var j = 0; j < els.length; j++) { if (els[j].checked) { return +els[j].value; } }
      return 0;
    }
    if (el.type === "checkbox") { return el.checked ? 1 : 0; }
    return +el.value;
  }

  function show() {
    var index = 0;
    for (var i = 0; i < sizes.length; i++) { index = index * sizes[i] + controlValue(i); }
    var ranges = root.querySelectorAll('input[type="range"][data-sc-control]');
    for (var r = 0; r < ranges.length; r++) {
      var texts = JSON.parse(ranges[r].getAttribute("data-sc-texts"));
      var text = texts[+ranges[r].value];
      ranges[r].setAttribute("aria-valuetext", text);
      ranges[r].parentNode.querySelector(".sc-explore-value").textContent = text;
    }
    Object.keys(steps).forEach(function (k) {
      var s = data.steppers[k];
      var next = root.querySelector('[data-sc-control="' + k + '"][data-sc-step="next"]');
      var count = next.parentNode.querySelector(".sc-explore-counter");
      count.textContent = s.counter.replace("{step}", steps[k]).replace("{steps}", s.steps);
      var reset = root.querySelector('[data-sc-control="' + k + '"][data-sc-step="reset"]');
      next.setAttribute("aria-disabled", steps[k] >= s.steps ? "true" : "false");
      reset.setAttribute("aria-disabled", steps[k] === 0 ? "true" : "false");
    });
    if (index === shownState) { return; }
    shownState = index;
    var state = data.states[index];
    if (state[0] >= 0) {
      var src = "data:image/png;base64," + data.images[state[0]];
      if (img.getAttribute("src") !== src) { img.setAttribute("src", src); }
      img.width = state[1];
      img.height = state[2];
      img.alt = state[3];
      img.hidden = false;
    } else {
      img.removeAttribute("src");
      img.alt = "";
      img.hidden = true;
    }
    words.innerHTML = state[4];
    extra.innerHTML = state[5];
    root.setAttribute("data-sc-state", String(index));
  }

  root.addEventListener("change", show);
  root.addEventListener("input", show);
  root.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-sc-step]");
    if (!button || !root.contains(button)) { return; }
    var k = button.getAttribute("data-sc-control");
    var s = data.steppers[k];
    if (button.getAttribute("data-sc-step") === "reset") {
      if (steps[k] === 0) { return; }
      steps[k] = 0;
    } else if (steps[k] < s.steps) {
      steps[k] += 1;
    } else {
      var count = button.parentNode.querySelector(".sc-explore-counter");
      count.textContent = s.counter.replace("{step}", steps[k]).replace("{steps}", s.steps) +
        " " + s.end;
      return;
    }
    show();
  });
  root.querySelector(".sc-explore-controls").disabled = false;
  var note = root.querySelector(".sc-explore-nojs");
  if (note) { note.parentNode.removeChild(note); }
  root.setAttribute("data-sc-state", String(shownState));
  root.setAttribute("data-sc-ready", "true");
})"""

# Scoped to the component; colours come from the page so light and dark modes both work.
_CSS = (
    ".sc-explore{margin:1em 0;max-width:100%}"
    ".sc-explore fieldset{border:1px solid currentColor;border-radius:4px;padding:.5em .8em;"
    "margin:0 0 .6em 0;min-width:0}"
    # Page themes (Bootstrap) float legends and enlarge them; here a legend is a label.
    ".sc-explore legend{font-size:1.05em;font-weight:bold;float:none;width:auto;"
    "padding:0 .3em;margin:0;line-height:inherit}"
    ".sc-explore fieldset fieldset{border-style:dotted}"
    ".sc-explore fieldset fieldset legend{font-size:1em;font-weight:normal}"
    ".sc-explore-control{margin:.3em 0}"
    ".sc-explore-radio{display:inline-block;margin-right:1em}"
    ".sc-explore select,.sc-explore button{font:inherit;padding:.15em .5em}"
    ".sc-explore button[aria-disabled=true]{opacity:.6;cursor:not-allowed}"
    ".sc-explore-chart{display:block;max-width:100%;height:auto;margin:.4em 0}"
    ".sc-explore-chart[hidden]{display:none}"
    ".sc-explore-words,.sc-explore-extra{overflow-wrap:anywhere;white-space:normal}"
    ".sc-explore-table{border-collapse:collapse;margin:.4em 0}"
    ".sc-explore-table th,.sc-explore-table td{border:1px solid #767676;padding:.2em .5em;"
    "text-align:left}"
    ".sc-explore-nojs{font-style:italic}"
)

