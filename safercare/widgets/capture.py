"""The live-capture page pattern: "Sending…", then the store's confirmation or "NOT saved".

Every page that a room types into (priority suggestions and votes now; PDSA team results and
red beads per table later) sends in the same way, so that a save that failed can never look
like a success:

1. The moment the button is pressed, the page shows **Sending…** — in the browser itself (a
   small script in the Safer Care Voilà template watches buttons with the class
   :data:`SEND_CLASS`), and again from Python. If the kernel has died, Python never answers,
   so the page goes on saying "Sending…" and then, after a short wait, that nothing has been
   saved yet; it can never say "saved".
2. The only success message is the one the store returns after its transaction committed
   (with a short receipt).
3. Anything else — a refusal, a full disk, a read-only or damaged file, a bug — shows a plain
   message that it was **NOT** saved, and the words stay where the person typed them.

:class:`Sender` wires one button to one store call. A form is a box with the class
:data:`FORM_CLASS` holding the button and its status (class :data:`STATUS_CLASS`), so the
browser script finds the right status line for each button.
"""

from __future__ import annotations

import asyncio
import html
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import ipywidgets as w

from safercare.errors import DataError

__all__ = [
    "cannot_open",
    "export_beside",
    "watch",
    "FORM_CLASS",
    "SENDING",
    "SEND_CLASS",
    "STATUS_CLASS",
    "Outcome",
    "Sender",
    "Sent",
    "form_box",
    "status_html",
]

#: The first thing a person sees after pressing send.
SENDING = "Sending…"
#: CSS classes the browser script (in the Voilà template) looks for.
FORM_CLASS = "sc-form"
SEND_CLASS = "sc-send"
STATUS_CLASS = "sc-status"


class Outcome(Protocol):
    """What a send returns: :class:`~safercare.priorities.store.SubmitResult` is one."""

    @property
    def ok(self) -> bool: ...  # pragma: no cover - a protocol

    @property
    def message(self) -> str: ...  # pragma: no cover - a protocol


class Sent:
    """A plain :class:`Outcome` for checks a form makes before it calls the store."""

    def __init__(self, ok: bool, message: str):
        self.ok = ok
        self.message = message


def status_html(message: str, state: str | bool) -> str:
    """One status line: ``state`` is ``"sending"``, ``True`` (saved) or ``False`` (not).

    The text is escaped, so words typed by a person are shown as text. The line is a polite
    live region, so a screen reader reads it out when it changes.
    """
    if state == "sending":
        css, mark = "sc-sending", ' data-sc-sending="1"'
    else:
        css, mark = ("sc-ok" if state else "sc-refused"), ""
    return (f'<p role="status" aria-live="polite" class="{css}"{mark}>'
            f"{html.escape(message)}</p>")


class Sender:
    """Send with feedback: "Sending…", then the store's confirmation or "NOT saved".

    Args:
        button: the send button (it gets :data:`SEND_CLASS` and is disabled while sending).
        status: the HTML widget for the message (it gets :data:`STATUS_CLASS`).
        action: makes the checks and calls the store; returns an :class:`Outcome`.
        what: what is being sent, for the failure message ("Your idea").
        kept: what a failure leaves in place ("Your words are still in the box.").
        on_saved: runs after a confirmed save (clear the box, refresh a count); if it fails,
            the confirmation stays, because the store did save.

    Put ``button`` and ``status`` in one box and give it :data:`FORM_CLASS` (see
    :func:`form_box`).
    """

    def __init__(self, button: w.Button, status: w.HTML, action: Callable[[], Outcome], *,
                 what: str, kept: str, on_saved: Callable[[], None] | None = None):
        self.button = button
        self.status = status
        self.action = action
        self.what = what
        self.kept = kept
        self.on_saved = on_saved
        button.add_class(SEND_CLASS)
        status.add_class(STATUS_CLASS)
        button.on_click(self.send)

    def send(self, _button: object = None) -> Outcome:
        """Run the action with the feedback described above; returns its outcome."""
        self.button.disabled = True
        self.status.value = status_html(SENDING, "sending")
        try:
            try:
                outcome: Outcome = self.action()
            except DataError as error:  # the store's plain words, e.g. a full disk
                problem = error.problems[0]
                fix = problem.fix[:1].upper() + problem.fix[1:]
                outcome = Sent(False, f"{self.what} has NOT been saved, because {problem.what}. "
                                      f"{fix}.")
            except Exception:  # noqa: BLE001 - a page must never be left looking saved
                traceback.print_exc(file=sys.__stderr__)
                outcome = Sent(False, f"{self.what} has NOT been saved, because something went "
                                      "wrong on the workshop computer. Please tell the person "
                                      "running the workshop.")
            if outcome.ok:
                self.status.value = status_html(outcome.message, True)
                if self.on_saved is not None:
                    try:
                        self.on_saved()
                    except Exception:  # noqa: BLE001 - it was saved; say so, log the rest
                        traceback.print_exc(file=sys.__stderr__)
            else:
                self.status.value = status_html(f"{outcome.message} {self.kept}", False)
                detail = getattr(outcome, "detail", "")
                if detail:  # the facilitator's terminal gets the file name and the fix
                    print(detail, file=sys.__stderr__, flush=True)
            return outcome
        finally:
            self.button.disabled = False


def form_box(children: list[w.Widget]) -> w.VBox:
    """A form's box, marked so the browser script can pair its button with its status."""
    box = w.VBox(children)
    box.add_class(FORM_CLASS)
    return box


def cannot_open(error: DataError, *, facilitator: bool, takes: str = "results") -> w.HTML:
    """The page shown when a live page's data file cannot be used: one plain message.

    The full message (file name, what is wrong, what to do) also goes to the terminal that
    runs the page, where the facilitator sees it; a room's page says only what matters to the
    people in it (``takes`` names what they would send: "results", "ideas or votes").
    """
    from safercare.live.store import StoreError

    print(str(error), file=sys.__stderr__, flush=True)
    if facilitator:
        lines = "".join(f"<p>{html.escape(line)}</p>" for line in str(error).splitlines())
        return w.HTML(f"<div role='alert' class='sc-refused'><p><strong>This page cannot use "
                      f"its data file.</strong></p>{lines}</div>")
    reason = error.reason if isinstance(error, StoreError) else error.problems[0].what
    return w.HTML("<div role='alert' class='sc-refused'><p><strong>Sorry: this page cannot "
                  f"take {html.escape(takes)} right now</strong>, because {html.escape(reason)}. "
                  "Nothing you type here would be saved. Please tell the person running the "
                  "workshop.</p></div>")


def export_beside(store: object) -> Sent:
    """Export a live store's tables as CSV into a folder beside its file; say where, plainly.

    ``store`` has a ``path`` and an ``export_csv(folder)`` (every
    :class:`~safercare.live.store.AppendOnlyStore` does).
    """
    path = Path(store.path)  # type: ignore[attr-defined]
    folder = path.with_name(path.stem + "-export")
    try:
        paths = store.export_csv(folder)  # type: ignore[attr-defined]
    except OSError as error:
        return Sent(False, f"The files could not be written in {folder} "
                    f"({error.strerror or error}). Check the folder can be written.")
    return Sent(True, f"Saved {len(paths)} files in {folder}")


async def watch(refresh: Callable[[], object], seconds: float,
                trouble: Callable[[str], None] | None = None) -> None:
    """Call ``refresh`` every ``seconds`` until cancelled: how a facilitator's page follows a room.

    A :class:`~safercare.errors.DataError` (the file went away, say) is printed to the terminal
    once and passed to ``trouble`` for the page, and watching goes on; any other error goes to
    the terminal with its traceback, and watching goes on too.
    """
    said = ""
    while True:
        await asyncio.sleep(seconds)
        try:
            refresh()
            said = ""
        except DataError as error:
            if str(error) != said:
                said = str(error)
                print(said, file=sys.__stderr__, flush=True)
                if trouble is not None:
                    trouble(said)
        except Exception:  # noqa: BLE001 - keep watching; the terminal gets the details
            traceback.print_exc(file=sys.__stderr__)
