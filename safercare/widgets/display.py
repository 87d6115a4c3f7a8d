"""Showing figures and messages inside widgets, always with alt text.

Every widget front end shows its charts through :func:`show_in`, so a figure drawn by
a widget carries its plain-English description as the image's alt text (in JupyterLab,
in Voilà and in the book's saved widget state) and is closed afterwards so figures do
not pile up in memory.
"""

from __future__ import annotations

import IPython.display
import ipywidgets as w
import matplotlib.pyplot as plt

from safercare.errors import DataError

__all__ = ["display_figure", "show_error", "show_in"]


def display_figure(figure: plt.Figure, alt: str | None = None) -> None:
    """Display ``figure`` with alt text, then close it.

    ``alt`` defaults to ``figure.alt_text``, which every chart drawn by ``safercare``
    sets from its ``describe()`` text. A figure with neither is a bug: it raises
    ``ValueError`` rather than reach a screen-reader user as an unlabelled image.
    """
    text = alt or getattr(figure, "alt_text", None)
    if not text:
        raise ValueError("This figure has no alt text: pass alt= or set figure.alt_text.")
    IPython.display.display(figure, metadata={"image/png": {"alt": text}})
    plt.close(figure)


def show_in(out: w.Output, *items: object) -> None:
    """Replace what an Output area shows with ``items`` (figures get their alt text)."""
    out.clear_output(wait=True)
    with out:
        for item in items:
            if isinstance(item, plt.Figure):
                display_figure(item)
            else:
                IPython.display.display(item)


def show_error(out: w.Output, error: DataError) -> None:
    """Show a :class:`DataError` in an Output area as a plain message about what was typed."""
    show_in(out, IPython.display.Markdown(
        "**Please check what you typed.**\n\n" + str(error).replace("\n", "\n\n")))
