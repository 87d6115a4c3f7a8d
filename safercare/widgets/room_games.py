"""The room games' live pages: a table's phone form and the facilitator's growing chart.

Two views over one :class:`~safercare.games.room_games.RoomGameStore`, for either game in
:data:`~safercare.games.room_games.GAMES` (red beads, the funnel experiment):

* :class:`TableForm` — one labelled box per :class:`~safercare.games.room_games.Field` of the
  game, and **Send our result**. It sends through :class:`safercare.widgets.capture.Sender`
  (the one page pattern): "Sending…", then the receipt the store returned after it committed,
  or the plain refusal naming the field, or that it was NOT saved and why — with every box
  left as typed. Each result carries an idempotency key made once per result, so a double
  click stores it once. After a confirmed save the measured boxes clear and the day (or drop
  number) moves on; the page lists what the store holds under the table's name, so a reload
  shows that nothing was lost.
* :class:`FacilitatorView` — the room's chart (red beads: the p chart of every worker's
  draws in day order; funnel: each rule's drops around the target, and the spread by rule),
  the sentence the chart's result gives, the newest results and a CSV export. It watches the
  store every :data:`POLL_SECONDS` and redraws only when there is something new.

Served with Voilà by ``python -m safercare.games.room_games`` (see
:mod:`safercare.games.room_games`). The page layout (labels above boxes, phone-width boxes)
is the PDSA team game's (:data:`safercare.widgets.team_game.TEAM_CSS`); every text a person
typed is escaped before it is shown.
"""

from __future__ import annotations

import asyncio
import base64
import html
import uuid
from collections.abc import Sequence

import ipywidgets as w
import pandas as pd

from safercare.errors import DataError
from safercare.games.room_games import (
    FUNNEL,
    GAMES,
    RED_BEADS,
    RoomGame,
    RoomGameStore,
    describe_room_funnel,
    funnel_room_table,
    red_beads_room_table,
)
from safercare.live.store import SubmitResult
from safercare.widgets.capture import (
    Outcome,
    Sender,
    cannot_open,
    export_beside,
    form_box,
    watch,
)
from safercare.widgets.display import figure_png
from safercare.widgets.priorities import APP_CSS
from safercare.widgets.team_game import TEAM_CSS

__all__ = ["POLL_SECONDS", "FacilitatorView", "TableForm", "facilitator_app", "table_app"]

#: How often the facilitator's page looks for new results (seconds).
POLL_SECONDS = 0.5
#: How many of the newest results the facilitator's table shows.
TABLE_ROWS = 10

_KEPT = "Everything you typed is still in the boxes."
_CHART_CSS = """<style>
.sc-room-chart img { width: 100%; max-width: 60em; height: auto; border: 1px solid #4c6272; }
.sc-room-chart figure { margin: 0; }
</style>"""


def _app(children: Sequence[w.Widget], *extra: str) -> w.VBox:
    box = w.VBox([w.HTML(APP_CSS + TEAM_CSS + _CHART_CSS), *children])
    box.add_class("sc-app")
    for css in extra:
        box.add_class(css)
    return box


def _spec(game: str | RoomGame) -> RoomGame:
    return game if isinstance(game, RoomGame) else GAMES[str(game).replace("-", "_")]


class TableForm:
    """A table's form for one room game (see the module docstring)."""

    def __init__(self, store: RoomGameStore, game: str | RoomGame):
        self.store = store
        self.game = _spec(game)
        self.boxes: dict[str, w.Text] = {}
        for f in self.game.fields:
            box = w.Text(description=f.label, placeholder=f"for example {f.example}",
                         value="1" if f.after_save == "next" else "",
                         continuous_update=False,
                         style={"description_width": "initial"},
                         tooltip=f.hint or f.label)
            self.boxes[f.key] = box
        self.name_key = self.game.fields[0].key
        self.button = w.Button(description="Send our result", button_style="primary",
                               tooltip="Send this result to the facilitator's screen")
        self.status = w.HTML()
        self.sent = w.HTML()
        self._uid = uuid.uuid4().hex
        self._typed = self._values()
        self.sender = Sender(self.button, self.status, self._send, what="Your result",
                             kept=_KEPT, on_saved=self._saved)
        self.boxes[self.name_key].observe(lambda _change: self._show_mine(), names="value")
        hints = "".join(f"<li><strong>{html.escape(f.label)}</strong>: {html.escape(f.hint)}</li>"
                        for f in self.game.fields[1:] if f.hint)
        intro = w.HTML(
            f"<h1>{html.escape(self.game.title)}: send your table's results</h1>"
            f"<p>{html.escape(self.game.instructions)}</p>"
            + (f"<ul>{hints}</ul>" if hints else ""))
        self.widget = w.VBox([intro, form_box([*self.boxes.values(), self.button,
                                               self.status]), self.sent])

    def _values(self) -> dict[str, str]:
        return {key: box.value for key, box in self.boxes.items()}

    def _send(self) -> Outcome:
        values = self._values()
        if values != self._typed:  # a different result from the last one tried: a new key
            self._typed = values
            self._uid = uuid.uuid4().hex
        return self.store.submit(self.game, values, uid=self._uid)

    def _saved(self) -> None:
        self._uid = uuid.uuid4().hex  # the next result is a new submission
        for f in self.game.fields:
            box = self.boxes[f.key]
            if f.after_save == "clear":
                box.value = ""
            elif f.after_save == "next" and box.value.strip().isdecimal():
                box.value = str(min(int(box.value) + 1, int(f.high)))
        self._show_mine()
        self._typed = self._values()

    def _move_on(self, mine: pd.DataFrame) -> None:
        """On a reloaded page, move a day (or drop number) still at 1 past the table's last.

        For the funnel, only the drops of the rule typed count (each rule starts at drop 1).
        """
        for f in self.game.fields:
            if f.after_save != "next" or self.boxes[f.key].value.strip() != "1":
                continue
            rows = mine
            for other in self.game.fields[1:]:
                if other.after_save == "keep" and other.kind == "whole":
                    typed = other.parse(self.boxes[other.key].value)
                    if not isinstance(typed, SubmitResult):
                        rows = rows[rows[other.key] == typed]
            if not rows.empty:
                self.boxes[f.key].value = str(min(int(rows[f.key].max()) + 1, int(f.high)))

    def _show_mine(self) -> None:
        """List what the store holds under this table's name (so a reload loses nothing)."""
        name = self.boxes[self.name_key].value.strip()
        if not name:
            self.sent.value = ""
            return
        table = self.store.latest(self.game)
        mine = table[table[self.name_key] == name]
        if mine.empty:
            self.sent.value = f"<p>No results from {html.escape(name)} yet.</p>"
            return
        self._move_on(mine)
        fields = self.game.fields[1:]
        items = "".join(
            "<li>" + ", ".join(f"{html.escape(f.label)} {getattr(r, f.key):g}" for f in fields)
            + "</li>" for r in mine.itertuples(index=False))
        self.sent.value = (f"<h2>Saved for {html.escape(name)} ({len(mine)})</h2>"
                           f"<ul class='sc-saved'>{items}</ul>")


def _figure_html(fig: object, caption: str) -> str:
    import matplotlib.pyplot as plt

    png = figure_png(fig, dpi=80)  # type: ignore[arg-type]
    alt = str(getattr(fig, "alt_text", caption))
    plt.close(fig)  # type: ignore[arg-type]
    data = base64.b64encode(png).decode("ascii")
    return (f"<figure><img src='data:image/png;base64,{data}' "
            f"alt='{html.escape(alt, quote=True)}'><figcaption>{html.escape(caption)}"
            "</figcaption></figure>")


class FacilitatorView:
    """The facilitator's screen for one room game: the room's chart, growing live."""

    def __init__(self, store: RoomGameStore, game: str | RoomGame):
        self.store = store
        self.game = _spec(game)
        self.count = w.HTML()
        self.words = w.HTML()
        self.chart = w.HTML()
        self.chart.add_class("sc-room-chart")
        self.summary = w.HTML()
        self.table = w.HTML()
        self.export = w.Button(description="Save the results as CSV", button_style="primary",
                               tooltip="Write every result to CSV files next to the room's file")
        self.export_status = w.HTML()
        Sender(self.export, self.export_status, self._export, what="The export",
               kept="The results are still in the room's file.")
        self._version = -1
        self._task: asyncio.Task | None = None
        heading = ("the room's p chart" if self.game is RED_BEADS
                   else "the spread by rule")
        self.widget = w.VBox([
            w.HTML(f"<h1>{html.escape(self.game.title)}: {heading}</h1>"
                   "<p>The chart redraws by itself within a second or two of a table "
                   "sending a result.</p>"),
            self.count, w.HTML("<h2>The room's chart</h2>"), self.words, self.chart,
            self.summary, w.HTML("<h2>Newest results</h2>"), self.table,
            w.HTML("<h2>Export</h2>"), form_box([self.export, self.export_status]),
        ])
        self.refresh()

    def refresh(self) -> bool:
        """Redraw if the store holds anything new; returns whether it did."""
        version = self.store.version(self.game)
        if version == self._version:
            return False
        self._version = version
        results = self.store.results(self.game)
        latest = self.store.latest(self.game)
        name = self.game.fields[0].key
        tables = latest[name].nunique()
        self.count.value = (f"<p class='sc-count'>{len(results)} result"
                            f"{'' if len(results) == 1 else 's'} from {tables} table"
                            f"{'' if tables == 1 else 's'}.</p>")
        if self.game is FUNNEL:
            self._funnel(latest)
        else:
            self._red_beads(latest)
        self.table.value = self._table(results)
        return True

    def _red_beads(self, latest: pd.DataFrame) -> None:
        from safercare.games.red_beads import red_bead_chart

        if len(latest) < 2:
            self.words.value = "<p>The p chart appears when two results have arrived.</p>"
            self.chart.value = ""
            return
        import matplotlib

        matplotlib.use("agg")
        draws = red_beads_room_table(latest)
        result = red_bead_chart(draws)
        fig = result.plot(title="Red beads per paddle, every worker, day by day")
        fig.set_size_inches(9, 3.6)
        ax = fig.axes[0]
        starts = draws.groupby("day")["draw"].min()
        for first in starts[starts > 1]:  # a dotted line where each new day begins
            ax.axvline(first - 0.5, color="#4c6272", linestyle=":", linewidth=1)
        ax.set_xlabel("Draw (in day order: " + "; ".join(
            f"day {d} from draw {s}" for d, s in starts.items()) + ")")
        words = result.describe()
        self.words.value = f"<p class='sc-words'>{html.escape(words)}</p>"
        self.chart.value = _figure_html(fig, f"The room's p chart: {len(draws)} draws of "
                                             f"{draws['worker'].nunique()} workers.")
        self.summary.value = ""

    def _funnel(self, latest: pd.DataFrame) -> None:
        from safercare.games.funnel_experiment import funnel_summary, plot_funnel

        drops = funnel_room_table(latest)
        if drops.empty:
            self.words.value = "<p>The chart appears when the first drop arrives.</p>"
            self.chart.value = self.summary.value = ""
            return
        import matplotlib

        matplotlib.use("agg")
        summary = funnel_summary(drops)
        words = describe_room_funnel(drops, summary)
        fig = plot_funnel(drops)
        fig.alt_text = words  # type: ignore[attr-defined]
        self.words.value = f"<p class='sc-words'>{html.escape(words)}</p>"
        self.chart.value = _figure_html(fig, "Each rule's drops around the target (cm).")
        rows = "".join(
            f"<tr><th scope='row'>{html.escape(r.rule_name)}</th>"
            f"<td class='num'>{r.mean_distance:.1f}</td><td class='num'>{r.rms_distance:.1f}"
            f"</td><td class='num'>{r.max_distance:.1f}</td><td class='num'>"
            + ("–" if pd.isna(r.spread_vs_rule_1) else f"{r.spread_vs_rule_1:.2f}")
            + "</td></tr>" for r in summary.itertuples())
        self.summary.value = (
            "<div class='sc-results'><table><caption>Spread by rule (cm from the target)"
            "</caption><thead><tr><th scope='col'>Rule</th><th scope='col'>Average</th>"
            "<th scope='col'>Root mean square</th><th scope='col'>Furthest</th>"
            "<th scope='col'>Spread compared with rule 1</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>")

    def _table(self, results: pd.DataFrame) -> str:
        if results.empty:
            return "<p>No results yet.</p>"
        newest = results.iloc[::-1].head(TABLE_ROWS)
        fields = self.game.fields
        head = "".join(f"<th scope='col'>{html.escape(f.label)}</th>" for f in fields)
        body = "".join(
            f"<tr><th scope='row'>{html.escape(str(r[fields[0].key]))}</th>"
            + "".join(f"<td class='num'>{float(r[f.key]):g}</td>" for f in fields[1:])
            + f"<td>{html.escape(str(r['received_at'])[11:19])}</td>"
            f"<td>{html.escape(str(r['receipt']))}</td></tr>"
            for _, r in newest.iterrows())
        return ("<div class='sc-results'><table><caption>The newest results (times in UTC)"
                f"</caption><thead><tr>{head}<th scope='col'>Received</th>"
                f"<th scope='col'>Receipt</th></tr></thead><tbody>{body}</tbody></table></div>")

    def _export(self) -> Outcome:
        return export_beside(self.store)

    async def poll(self, seconds: float = POLL_SECONDS) -> None:
        """Look for new results every ``seconds`` and redraw; runs until cancelled."""
        await watch(self.refresh, seconds, self._trouble)

    def _trouble(self, message: str) -> None:
        self.count.value = ("<p role='alert' class='sc-refused'>The chart cannot be "
                            f"updated right now: {html.escape(message)}</p>")

    def start(self) -> None:
        """Start watching the store in the kernel's event loop (the page keeps running)."""
        if self._task is None:
            self._task = asyncio.ensure_future(self.poll())




def table_app(game: str | RoomGame, store: RoomGameStore | None = None) -> w.VBox:
    """A table's page; a room file that cannot be used gives one plain message instead."""
    spec = _spec(game)
    try:
        form = TableForm(store or RoomGameStore(), spec)
    except DataError as error:
        return _app([w.HTML(f"<h1>{html.escape(spec.title)}</h1>"),
                     cannot_open(error, facilitator=False)])
    return _app([form.widget], "sc-team")


def facilitator_app(game: str | RoomGame, store: RoomGameStore | None = None, *,
                    watch: bool = True) -> w.VBox:
    """The facilitator's page; with ``watch`` it redraws by itself as results arrive."""
    spec = _spec(game)
    try:
        view = FacilitatorView(store or RoomGameStore(), spec)
    except DataError as error:
        return _app([w.HTML(f"<h1>{html.escape(spec.title)}: facilitator</h1>"),
                     cannot_open(error, facilitator=True)])
    if watch:
        view.start()
    return _app([view.widget])
