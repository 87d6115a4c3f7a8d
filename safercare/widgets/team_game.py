"""The PDSA team game's live pages: a team's phone form and the facilitator's small multiples.

Two views over one :class:`~safercare.games.team_results.TeamResultsStore`:

* :class:`TeamForm` — a team types its name, the round (its PDSA cycle), its result and an
  optional note, and presses **Send our result**. It sends through
  :class:`safercare.widgets.capture.Sender`: "Sending…", then the receipt the store returned
  after it committed, or that it was NOT saved and why, with every box left as typed. Each
  result carries an idempotency key made once per result, so a double click stores it once;
  after a confirmed save the result and note boxes clear and the round moves on. The page
  lists what the store holds for the team, so a reload (type the team name again) shows
  that nothing was lost.
* :class:`FacilitatorView` — each team's run chart (:func:`safercare.spc.run_chart`, the
  median and Anhøj's rules) as small multiples, the latest results as a table, and a CSV
  export. It watches the store (:meth:`FacilitatorView.poll`, every
  :data:`POLL_SECONDS`) and redraws only the charts of teams with new results.

Served with Voilà by ``python -m safercare.games.team_game`` (see
:mod:`safercare.games.team_game`). Every text a person typed is escaped before it is shown;
every control has a visible label; labels sit above their boxes so the form fits a phone.
"""

from __future__ import annotations

import asyncio
import base64
import html
import io
import uuid
from collections.abc import Sequence

import ipywidgets as w
import pandas as pd

from safercare.errors import DataError
from safercare.games.team_results import MAX_NOTE, MAX_TEAM, TeamResultsStore, team_key
from safercare.games.team_simulation import MAX_ROUNDS
from safercare.widgets.capture import (
    Outcome,
    Sender,
    cannot_open,
    export_beside,
    form_box,
    watch,
)
from safercare.widgets.priorities import APP_CSS

__all__ = [
    "POLL_SECONDS",
    "TEAM_CSS",
    "FacilitatorView",
    "TeamForm",
    "facilitator_app",
    "team_app",
]

#: How often the facilitator's page looks for new results (seconds).
POLL_SECONDS = 0.5
#: The most team charts the page draws in one poll (about 0.2–0.5 s each).
CHARTS_PER_POLL = 3
#: How many of the newest results the facilitator's table shows.
TABLE_ROWS = 12

#: Labels above boxes and full-width controls, so the form fits a 320 px wide phone.
TEAM_CSS = """<style>
.sc-app { max-width: 100%; box-sizing: border-box; padding: 0 0.5em; }
.sc-team .widget-inline-hbox { flex-direction: column; align-items: stretch; }
.sc-team .widget-inline-hbox .widget-label { width: auto !important; max-width: none;
  text-align: left; margin-bottom: 0.2em; }
.sc-team .widget-text, .sc-team .widget-textarea, .sc-team .widget-inline-hbox {
  width: 100% !important; max-width: 30em; }
.sc-team input, .sc-team textarea { width: 100% !important; box-sizing: border-box; }
.sc-team .widget-hbox { flex-wrap: wrap; }
.sc-charts { display: flex; flex-wrap: wrap; gap: 0.5em; }
.sc-charts figure { margin: 0; width: 24em; max-width: 100%; }
.sc-charts figcaption { font-weight: bold; }
.sc-charts img { width: 100%; height: auto; border: 1px solid #4c6272; }
</style>"""

_KEPT = "Everything you typed is still in the boxes."


def _app(children: Sequence[w.Widget], *extra: str) -> w.VBox:
    box = w.VBox([w.HTML(APP_CSS + TEAM_CSS), *children])
    box.add_class("sc-app")
    for css in extra:
        box.add_class(css)
    return box


def _labelled(widget: w.Widget, tooltip: str) -> w.Widget:
    widget.style = {"description_width": "initial"}
    widget.tooltip = tooltip
    return widget


class TeamForm:
    """A team's form (see the module docstring); ``widget`` is what the page shows."""

    def __init__(self, store: TeamResultsStore):
        self.store = store
        game = store.game()
        self.game = game
        self.team = _labelled(w.Text(description="Team name", placeholder="for example Blue",
                                     continuous_update=False), "Your team's name")
        self.round = _labelled(w.Text(description="Round", value="1", continuous_update=False),
                               f"Which test this is: 1 for your first, up to {MAX_ROUNDS}")
        self.value = _labelled(w.Text(description=game.measure, placeholder="for example 12.5",
                                      continuous_update=False), f"Your result in {game.unit}")
        self.note = _labelled(w.Textarea(description="What did you change? (optional)",
                                         placeholder="for example: a smoother table"),
                              f"At most {MAX_NOTE} characters")
        self.button = w.Button(description="Send our result", button_style="primary",
                               tooltip="Send this result to the facilitator")
        self.status = w.HTML()
        self.sent = w.HTML()
        self._uid = uuid.uuid4().hex
        self._typed = self._fields()
        self.sender = Sender(self.button, self.status, self._send, what="Your result",
                             kept=_KEPT, on_saved=self._saved)
        self.team.observe(lambda _change: self._show_team(), names="value")
        intro = w.HTML(
            f"<h1>{html.escape(game.title)}: send your team's results</h1>"
            "<p>After each test, type your team's name, the round, your result and what you "
            f"changed, then press <strong>Send our result</strong>. Team names can have up to "
            f"{MAX_TEAM} characters.</p>")
        self.widget = w.VBox([intro, form_box([self.team, self.round, self.value, self.note,
                                               self.button, self.status]), self.sent])

    def _fields(self) -> tuple[str, str, str, str]:
        return (self.team.value, self.round.value, self.value.value, self.note.value)

    def _send(self) -> Outcome:
        fields = self._fields()
        if fields != self._typed:  # a different result from the last one tried: a new key
            self._typed = fields
            self._uid = uuid.uuid4().hex
        return self.store.submit(*fields, uid=self._uid)

    def _saved(self) -> None:
        self._uid = uuid.uuid4().hex  # the next result is a new submission
        self.value.value = ""
        self.note.value = ""
        self._show_team(next_round=True)
        self._typed = self._fields()

    def _show_team(self, next_round: bool = False) -> None:
        """List what the store holds for this team; move the round past its last one."""
        team = self.team.value.strip()
        if not team:
            self.sent.value = ""
            return
        table = self.store.latest()
        mine = table[table["team"].map(team_key) == team_key(team)]
        if mine.empty:
            self.sent.value = (f"<p>No results from {html.escape(team)} yet.</p>")
            return
        if next_round or self.round.value.strip() in ("", "1"):
            self.round.value = str(min(int(mine["round"].max()) + 1, MAX_ROUNDS))
        unit = html.escape(self.game.unit)
        items = "".join(f"<li>Round {int(r.round)}: {r.value:g} {unit}"
                        + (f" ({html.escape(str(r.note))})" if r.note else "") + "</li>"
                        for r in mine.itertuples(index=False))
        self.sent.value = (f"<h2>Saved for {html.escape(team)}</h2>"
                           f"<ul class='sc-saved'>{items}</ul>")


def _chart_html(team: str, png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f"<figure><figcaption>{html.escape(team)}</figcaption>"
            f"<img src='data:image/png;base64,{data}' alt='{html.escape(alt, quote=True)}'>"
            "</figure>")


class FacilitatorView:
    """The facilitator's page: a run chart per team, the newest results, a CSV export."""

    def __init__(self, store: TeamResultsStore, *, draw: bool = True):
        self.store = store
        self.game = store.game()
        self.count = w.HTML("<p class='sc-count'>Reading the results…</p>")
        self.charts = w.HTML()
        self.table = w.HTML()
        self.export = w.Button(description="Save the results as CSV", button_style="primary",
                               tooltip="Write every result to CSV files next to the room's file")
        self.export_status = w.HTML()
        Sender(self.export, self.export_status, self._export, what="The export",
               kept="The results are still in the room's file.")
        self._figures: dict[str, tuple[tuple, str]] = {}
        self._version = -1
        self._pending = False
        self._task: asyncio.Task | None = None
        self.widget = w.VBox([
            w.HTML(f"<h1>{html.escape(self.game.title)}: every team's run chart</h1>"
                   "<p>Each chart is one team's results in round order around its median "
                   "(Anhøj's rules). It redraws by itself when a team sends a result.</p>"),
            self.count, w.HTML("<h2>Run charts</h2>"), self.charts,
            w.HTML("<h2>Newest results</h2>"), self.table,
            w.HTML("<h2>Export</h2>"), form_box([self.export, self.export_status]),
        ])
        if draw:  # else the first poll draws, so the page itself appears at once
            self.refresh()

    def refresh(self, budget: int | None = None) -> bool:
        """Redraw if the store holds anything new; returns whether it did.

        ``budget`` caps how many team charts are drawn now (the rest say they are being
        drawn and are drawn at the next refresh), so a page opened on a full room shows its
        table at once and a kernel busy drawing never holds a new result back for long.
        """
        version = self.store.version()
        if version == self._version and not self._pending:
            return False
        self._version = version
        results = self.store.results()
        latest = self.store.latest()
        teams = sorted(latest["team"].unique()) if len(latest) else []
        self.count.value = (f"<p class='sc-count'>{len(results)} results from {len(teams)} "
                            f"team{'' if len(teams) == 1 else 's'}.</p>")
        self.table.value = self._table(results)
        self.charts.value = self._charts(latest, teams, budget)
        return True

    def _charts(self, latest: pd.DataFrame, teams: list[str], budget: int | None) -> str:
        self._pending = False
        if not teams:
            return "<p>No results yet: the charts appear as teams send them.</p>"
        import matplotlib
        import matplotlib.pyplot as plt

        import safercare.spc as spc

        matplotlib.use("agg")
        direction = "higher" if self.game.higher_is_better else "lower"
        result = None
        parts = []
        left = len(teams) if budget is None else budget
        # Out-of-date charts are drawn in team order, ``budget`` at a time.
        for team in teams:
            rows = latest[latest["team"] == team]
            key = tuple(zip(rows["round"], rows["value"], strict=True))
            cached = self._figures.get(team)
            if (cached is None or cached[0] != key) and left <= 0:
                self._pending = True
                parts.append(cached[1] if cached is not None else
                             f"<figure><figcaption>{html.escape(team)}</figcaption>"
                             "<p>This team's chart is being drawn…</p></figure>")
                continue
            if cached is None or cached[0] != key:
                left -= 1
                if result is None:  # one call charts every team; only changed ones redraw
                    result = spc.run_chart(latest, "value", "round", by="team",
                                           direction=direction)
                # The team's name is the figure's caption (HTML text), never matplotlib text,
                # where a "$" would start mathematics and could stop the chart being drawn.
                fig = result.plot(group=team, title=self.game.measure.replace("$", r"\$"))
                buffer = io.BytesIO()
                fig.set_size_inches(6, 3.4)
                fig.savefig(buffer, format="png", dpi=80)
                plt.close(fig)
                self._figures[team] = (key, _chart_html(team, buffer.getvalue(),
                                                        f"{team}: {fig.alt_text}"))
            parts.append(self._figures[team][1])
        return f"<div class='sc-charts'>{''.join(parts)}</div>"

    def _table(self, results: pd.DataFrame) -> str:
        if results.empty:
            return "<p>No results yet.</p>"
        newest = results.iloc[::-1].head(TABLE_ROWS)
        body = "".join(
            f"<tr><th scope='row'>{html.escape(str(r.team))}</th>"
            f"<td class='num'>{int(r.round)}</td><td class='num'>{r.value:g}</td>"
            f"<td>{html.escape(str(r.note))}</td><td>{html.escape(str(r.received_at)[11:19])}"
            f"</td><td>{html.escape(str(r.receipt))}</td></tr>"
            for r in newest.itertuples(index=False))
        return ("<div class='sc-results'><table><caption>The newest results (times in UTC)"
                "</caption><thead><tr><th scope='col'>Team</th><th scope='col'>Round</th>"
                f"<th scope='col'>{html.escape(self.game.measure)}</th><th scope='col'>Note</th>"
                "<th scope='col'>Received</th><th scope='col'>Receipt</th></tr></thead>"
                f"<tbody>{body}</tbody></table></div>")

    def _export(self) -> Outcome:
        return export_beside(self.store)

    async def poll(self, seconds: float = POLL_SECONDS) -> None:
        """Look for new results every ``seconds`` and redraw; runs until cancelled."""
        await watch(lambda: self.refresh(budget=CHARTS_PER_POLL), seconds, self._trouble)

    def _trouble(self, message: str) -> None:
        self.count.value = ("<p role='alert' class='sc-refused'>The charts cannot be "
                            f"updated right now: {html.escape(message)}</p>")

    def start(self) -> None:
        """Start watching the store in the kernel's event loop (the page keeps running)."""
        if self._task is None:
            self._task = asyncio.ensure_future(self.poll())




def team_app(store: TeamResultsStore | None = None) -> w.VBox:
    """The team page; a room file that cannot be used gives one plain message instead."""
    try:
        form = TeamForm(store or TeamResultsStore())
    except DataError as error:
        return _app([w.HTML("<h1>Team results</h1>"), cannot_open(error, facilitator=False)])
    return _app([form.widget], "sc-team")


def facilitator_app(store: TeamResultsStore | None = None, *, watch: bool = True) -> w.VBox:
    """The facilitator page; with ``watch`` it redraws by itself as results arrive."""
    try:
        view = FacilitatorView(store or TeamResultsStore(), draw=not watch)
    except DataError as error:
        return _app([w.HTML("<h1>Facilitator</h1>"), cannot_open(error, facilitator=True)])
    if watch:
        view.start()
    return _app([view.widget])
