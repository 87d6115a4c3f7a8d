"""Driver diagrams from a plain table, drawn with matplotlib only, with a readable outline.

A driver diagram (Bennett & Provost 2015, "What's your theory?", *Quality Progress*
48(7):36-43; IHI's Model for Improvement) sets out a team's theory of change: one
**aim**, the **primary drivers** that most directly affect it, the **secondary
drivers** that act on those, and the **change ideas** to test (each one a PDSA cycle).

The table has four columns, ``aim``, ``primary_driver``, ``secondary_driver`` and
``change_idea`` (headings in any case, with spaces or underscores). Write one row per
change idea, or one row per link; a primary driver may have no secondary drivers and
a change idea may hang straight off a primary driver. Blank cells on the right are
fine. Errors (one :class:`~safercare.errors.DataError`, naming rows as Excel numbers
them): a blank aim, more than one aim, a change idea with no driver, a secondary driver
with no primary driver, a row with nothing but the aim, a missing column, a cell over
:data:`MAX_TEXT` characters, more than :data:`MAX_ROWS` rows.

Example::

    from safercare.pdsa import DriverDiagram
    table = pd.DataFrame({
        "aim": ["Discharge 33% of patients before noon by March"] * 3,
        "primary_driver": ["Plan the day before", "Plan the day before",
                           "Transport on time"],
        "secondary_driver": ["Medicines ready", "Patients know the plan", ""],
        "change_idea": ["Write tomorrow's TTOs today", "Tell patients at 4pm",
                        "Book transport the day before"]})
    dd = DriverDiagram.from_table(table)    # or DriverDiagram.from_csv("my_table.csv")
    print(dd.outline())                     # the diagram as a nested list in words
    display(HTML(dd.outline_html()))        # the same as escaped HTML lists, for a page
    fig = dd.plot()                         # A4 landscape; fig.alt_text from the table

The drawing needs no system program (no graphviz), so it renders the same in the
offline book, on Binder and on a trust laptop. Boxes are filled in four greys that
stay distinct when printed in black and white, with a heading over each column.
"""

from __future__ import annotations

import html
import os
import textwrap
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from safercare import style
from safercare.errors import DataError, Problem

__all__ = ["COLUMNS", "MAX_ROWS", "MAX_TEXT", "DriverDiagram"]

#: The table's columns, left to right in the drawing.
COLUMNS: tuple[str, ...] = ("aim", "primary_driver", "secondary_driver", "change_idea")
#: Column headings in the drawing and the outline.
HEADINGS = {"aim": "Aim", "primary_driver": "Primary drivers",
            "secondary_driver": "Secondary drivers", "change_idea": "Change ideas"}
_SINGULAR = {"aim": "Aim", "primary_driver": "Primary driver",
             "secondary_driver": "Secondary driver", "change_idea": "Change idea"}
#: Most rows in a table (a diagram bigger than this cannot be read on one page).
MAX_ROWS = 200
#: Most characters in one cell.
MAX_TEXT = 300
#: Box fill per column: four greys far enough apart to survive greyscale printing.
FILLS = {"aim": "#BFBFBF", "primary_driver": "#D9D9D9", "secondary_driver": "#EDEDED",
         "change_idea": "#FFFFFF"}
#: Padding inside a box and the least gap between boxes, in lines of text.
_PAD, _GAP = 0.6, 0.5
#: A4 landscape in inches.
A4_LANDSCAPE = (11.69, 8.27)


def _norm(heading: Any) -> str:
    return "_".join(str(heading).strip().lower().replace("-", " ").split())


def _cell(value: Any) -> str:
    if value is None or (np.ndim(value) == 0 and not isinstance(value, str)
                         and bool(pd.isna(value))):
        return ""
    return " ".join(str(value).split())


@dataclass(frozen=True)
class DriverDiagram:
    """A validated driver diagram: one aim and the links between its boxes.

    Attributes:
        aim: the aim, in words.
        nodes: for each column name in :data:`COLUMNS` after the aim, the boxes in order
            of first appearance.
        links: ``(from_column, from_text, to_column, to_text)`` pairs, each once, in
            order of first appearance (the aim links to every primary driver).
    """

    aim: str
    nodes: dict[str, tuple[str, ...]]
    links: tuple[tuple[str, str, str, str], ...]

    # ------------------------------------------------------------------- reading
    @classmethod
    def from_table(cls, table: pd.DataFrame, *, source: str | None = None,
                   rows: list[int] | None = None) -> DriverDiagram:
        """Validate a table (see the module docstring) and build the diagram."""
        names = {_norm(c): c for c in table.columns}
        missing = [c for c in COLUMNS if c not in names]
        if missing:
            raise DataError(Problem(1, None, "these columns are missing: "
                                    + ", ".join(missing), "the table needs the columns "
                                    + ", ".join(COLUMNS)), source=source)
        if len(table) > MAX_ROWS:
            raise DataError(Problem(None, None, f"the table has {len(table):,} rows, more "
                                    f"than the {MAX_ROWS} one diagram can show",
                                    "split it into one diagram per primary driver"),
                            source=source)
        rows = rows if rows is not None else list(range(2, 2 + len(table)))
        cells = {c: [_cell(v) for v in table[names[c]].tolist()] for c in COLUMNS}
        problems: list[Problem] = []
        keep = []
        for i, row in enumerate(rows):
            aim, primary, secondary, idea = (cells[c][i] for c in COLUMNS)
            if not (aim or primary or secondary or idea):
                continue                                   # a blank row: skip it
            for c in COLUMNS:
                if len(cells[c][i]) > MAX_TEXT:
                    problems.append(Problem(row, names[c], f"the text is longer than "
                                            f"{MAX_TEXT} characters", "shorten it to a few "
                                            "words: the detail belongs in the PDSA plan",
                                            cells[c][i][:40] + "…"))
            if not aim:
                problems.append(Problem(row, names["aim"], "the aim is blank", "type the "
                                        "aim in every row (copy it down)"))
            if idea and not (primary or secondary):
                problems.append(Problem(row, names["change_idea"], "this change idea has "
                                        "no driver", "say which primary (or secondary) "
                                        "driver it acts on", idea))
            elif secondary and not primary:
                problems.append(Problem(row, names["secondary_driver"], "this secondary "
                                        "driver has no primary driver", "type the primary "
                                        "driver it acts on in the same row", secondary))
            elif aim and not (primary or idea):
                problems.append(Problem(row, None, "this row has only the aim", "add a "
                                        "primary driver, or delete the row"))
            keep.append(i)
        aims = list(dict.fromkeys(cells["aim"][i] for i in keep if cells["aim"][i]))
        if len(aims) > 1:
            first = {a: next(rows[i] for i in keep if cells["aim"][i] == a) for a in aims}
            problems.append(Problem(first[aims[1]], names["aim"], "a driver diagram has one "
                                    f"aim, but this table has {len(aims)} (rows "
                                    + ", ".join(str(first[a]) for a in aims[:5]) + ")",
                                    "make one diagram per aim, or word the aim the same "
                                    "way in every row", aims[1]))
        if not keep:
            problems.append(Problem(None, None, "the table is empty", "add one row per "
                                    "change idea: aim, primary driver, secondary driver, "
                                    "change idea"))
        elif not aims and not problems:
            problems.append(Problem(None, names["aim"], "the aim is blank", "type the aim"))
        if problems:
            problems.sort(key=lambda p: p.row or 0)
            raise DataError(problems, source=source)
        return cls._build(aims[0], [tuple(cells[c][i] for c in COLUMNS) for i in keep])

    @classmethod
    def from_csv(cls, source: str | os.PathLike[str] | bytes | IO[bytes], *,
                 name: str | None = None) -> DriverDiagram:
        """Read the table from a CSV or Excel file, its bytes or CSV text, then validate it.

        A file over :data:`safercare.pdsa.MAX_BYTES` (2 MB) is refused before it is read.
        """
        from safercare.data.reading import read_grid
        from safercare.pdsa.log import _bounded_bytes

        content, label = _bounded_bytes(source, name, what="driver diagram table")
        grid = read_grid(content, name=label)
        cells = grid.cells
        if len(cells) - 1 > MAX_ROWS:
            raise DataError(Problem(None, None, f"the table has {len(cells) - 1:,} rows, "
                                    f"more than the {MAX_ROWS} one diagram can show",
                                    "split it into one diagram per primary driver"),
                            source=grid.source)
        header = [_cell(v) for v in cells.iloc[0].tolist()]
        frame = pd.DataFrame(cells.iloc[1:].to_numpy(), columns=header)
        return cls.from_table(frame, source=grid.source,
                              rows=[int(r) for r in cells.index[1:]])

    @classmethod
    def _build(cls, aim: str, rows: list[tuple[str, ...]]) -> DriverDiagram:
        nodes: dict[str, dict[str, None]] = {c: {} for c in COLUMNS[1:]}
        links: dict[tuple[str, str, str, str], None] = {}
        for _, primary, secondary, idea in rows:
            chain = [("aim", aim), ("primary_driver", primary)]
            if secondary:
                chain.append(("secondary_driver", secondary))
            if idea:
                chain.append(("change_idea", idea))
            for col, text in chain[1:]:
                nodes[col][text] = None
            for (c1, t1), (c2, t2) in zip(chain[:-1], chain[1:], strict=True):
                links[(c1, t1, c2, t2)] = None
        return cls(aim=aim, nodes={c: tuple(v) for c, v in nodes.items()},
                   links=tuple(links))

    # ------------------------------------------------------------------ in words
    def children(self, column: str, text: str) -> list[tuple[str, str]]:
        """The boxes a box links to, in order: ``[(column, text), ...]``."""
        return [(c2, t2) for c1, t1, c2, t2 in self.links if (c1, t1) == (column, text)]

    def outline(self) -> str:
        """The diagram as a nested list in plain words (Markdown bullets, 2-space indents).

        A box shared by two parents is listed under each. To show it on a page, use
        :meth:`outline_html` (escaped nested lists, which screen readers read as a list of
        lists); this plain text is for print, files and tests.
        """
        lines = [f"Aim: {self.aim}"]

        def walk(column: str, text: str, depth: int) -> None:
            for c, t in self.children(column, text):
                lines.append(f"{'  ' * depth}- {_SINGULAR[c]}: {t}")
                walk(c, t, depth + 1)

        walk("aim", self.aim, 0)
        return "\n".join(lines)

    def outline_html(self) -> str:
        """The outline as nested HTML lists, every piece of typed text escaped.

        Use this to show a table someone typed (``display(HTML(dd.outline_html()))``):
        text such as ``<b>`` or ``<script>`` is shown as text, never run as markup.
        """
        def walk(column: str, text: str) -> str:
            kids = self.children(column, text)
            if not kids:
                return ""
            items = "".join(f"<li>{_SINGULAR[c]}: {html.escape(t)}{walk(c, t)}</li>"
                            for c, t in kids)
            return f"<ul>{items}</ul>"

        return (f'<div class="driver-diagram-outline"><p>Aim: {html.escape(self.aim)}</p>'
                f"{walk('aim', self.aim)}</div>")

    def alt_text(self) -> str:
        """A short description of the drawing, made from the table."""
        n = {c: len(v) for c, v in self.nodes.items()}

        def count(k: int, word: str) -> str:
            return f"{k} {word}{'s' * (k != 1)}"

        parts = [f"Driver diagram, read from left to right. Aim: {self.aim}. "
                 f"{count(n['primary_driver'], 'primary driver')}, "
                 f"{count(n['secondary_driver'], 'secondary driver')} and "
                 f"{count(n['change_idea'], 'change idea')}."]
        for primary in self.nodes["primary_driver"]:
            below = self.children("primary_driver", primary)
            secs = [t for c, t in below if c == "secondary_driver"]
            ideas = {t for c, t in below if c == "change_idea"}
            for s in secs:
                ideas |= {t for _, t in self.children("secondary_driver", s)}
            words = f"Primary driver '{primary}'"
            if secs:
                words += ": secondary drivers " + ", ".join(f"'{s}'" for s in secs)
            words += f"; {count(len(ideas), 'change idea')}."
            parts.append(words)
        parts.append("The full outline is given as a list in the text.")
        return " ".join(parts)

    # ------------------------------------------------------------------- drawing
    def _layout(self) -> dict[tuple[str, str], float]:
        """Each box's vertical position (0 top … 1 bottom): leaves in tree order, each
        parent at the mean of its children, then each column spread evenly in that order."""
        order: dict[tuple[str, str], float] = {}
        leaf = 0

        def place(column: str, text: str) -> float:
            nonlocal leaf
            kids = self.children(column, text)
            ys = []
            for c, t in kids:
                if (c, t) not in order:
                    order[(c, t)] = place(c, t)
                ys.append(order[(c, t)])
            if ys:
                return float(np.mean(ys))
            leaf += 1
            return float(leaf)

        order[("aim", self.aim)] = place("aim", self.aim)
        return order

    def plot(self, ax: Axes | None = None, *, title: str | None = None,
             width: int = 26) -> Figure:
        """Draw the diagram: four columns of boxes, left to right, joined by lines.

        Sized for A4 landscape (taller if there are many boxes); text wrapped at
        ``width`` characters. Returns the Figure with ``fig.alt_text`` set.
        """
        order = self._layout()
        # A change idea linked straight to a primary driver passes through an empty slot
        # in the secondary column, so its line never runs behind a box.
        skips = [(t1, t2) for c1, t1, c2, t2 in self.links
                 if (c1, c2) == ("primary_driver", "change_idea")]
        slots = tuple(f"\0{p}\0{i}" for p, i in skips)
        for (_p, i), slot in zip(skips, slots, strict=True):
            order[("secondary_driver", slot)] = order[("change_idea", i)]
        columns = [("aim", (self.aim,)), *self.nodes.items()]
        columns[2] = ("secondary_driver", columns[2][1] + slots)
        wrapped = {(c, t): ("" if t.startswith("\0") else textwrap.fill(t, width))
                   for c, texts in columns for t in texts}
        # Height in lines of text: each box its lines plus padding, plus a gap after it.
        lines_per = {c: sum(wrapped[(c, t)].count("\n") + 1 + _PAD + _GAP for t in texts)
                     for c, texts in columns}
        tallest = max(lines_per.values())
        if ax is None:
            import matplotlib.pyplot as plt
            height = max(A4_LANDSCAPE[1], 0.2 * tallest + 1.2)
            with style.style_context():
                fig, ax = plt.subplots(figsize=(A4_LANDSCAPE[0], height),
                                       layout="constrained")
        fig = ax.figure
        font = style.FONT_SIZE - 1
        # One line of text is about 0.19 inches at this size: in axes units, that much
        # of the axes' height (so boxes fit their text however big the figure is).
        axes_inches = ax.get_position().height * fig.get_figheight()
        line_h = min(0.19 / max(axes_inches, 1e-3), 0.88 / max(tallest, 1.0))
        xs = {c: 0.02 + i * 0.25 for i, c in enumerate(COLUMNS)}
        box_w = 0.2
        centres: dict[tuple[str, str], tuple[float, float, float]] = {}
        with style.style_context():
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
            ax.axis("off")
            for c, texts in columns:
                ranked = sorted(texts, key=lambda t, c=c: order.get((c, t), 0.0))
                heights = [(wrapped[(c, t)].count("\n") + 1 + _PAD) * line_h
                           for t in ranked]
                gap = (0.9 - sum(heights)) / (len(ranked) + 1)
                y = 0.9 - max(gap, 0.2 * line_h)
                ax.text(xs[c], 0.96, HEADINGS[c], fontsize=font + 1, weight="bold",
                        va="center", color=style.TEXT_COLOUR, gid=f"heading-{c}")
                for t, h in zip(ranked, heights, strict=True):
                    if t.startswith("\0"):
                        centres[(c, t)] = (xs[c], y - h / 2, h)
                        y -= h + max(gap, 0.2 * line_h)
                        continue
                    box = FancyBboxPatch((xs[c], y - h), box_w, h,
                                         boxstyle="round,pad=0.004,rounding_size=0.01",
                                         facecolor=FILLS[c], edgecolor=style.LIMIT_COLOUR,
                                         linewidth=1.6 if c == "aim" else 1.0, zorder=2,
                                         gid=f"box-{c}")
                    ax.add_patch(box)
                    ax.text(xs[c] + 0.008, y - h / 2, wrapped[(c, t)], fontsize=font,
                            va="center", ha="left", color=style.TEXT_COLOUR, zorder=3,
                            linespacing=1.15)
                    centres[(c, t)] = (xs[c], y - h / 2, h)
                    y -= h + max(gap, 0.2 * line_h)
            def seg(a: tuple[str, str], b: tuple[str, str]) -> list[tuple[float, float]]:
                (xa, ya, _), (xb, yb, _) = centres[a], centres[b]
                if b[1].startswith("\0"):                 # on through the empty slot
                    end = centres[("change_idea", b[1].split("\0")[2])]
                    return [(xa + box_w, ya), (xb, yb), (xb + box_w, yb), (end[0], end[1])]
                return [(xa + box_w, ya), (xb, yb)]

            segs = [seg((c1, t1), (c2, t2)) for c1, t1, c2, t2 in self.links
                    if (c1, c2) != ("primary_driver", "change_idea")]
            segs += [seg(("primary_driver", p), ("secondary_driver", slot))
                     for (p, _), slot in zip(skips, slots, strict=True)]
            ax.add_collection(LineCollection(segs, colors=style.LIMIT_COLOUR,
                                             linewidths=1.0, zorder=1, gid="links"))
            if title:
                ax.set_title(title, loc="left", fontsize=font + 3)
        fig.alt_text = self.alt_text()  # type: ignore[attr-defined]
        return fig  # type: ignore[return-value]
