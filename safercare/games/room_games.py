"""The measurement lessons' games played by a whole room: each table types its results into a
phone page, and the facilitator's screen charts the room's results as they arrive.

Two games, one store
    **Red beads** (Deming's red bead experiment, :mod:`safercare.games.red_beads`): each table
    (one "willing worker") types its name, the day and the red beads on its paddle of
    :data:`~safercare.games.red_beads.PADDLE`. The facilitator's screen shows the room's p
    chart, one point per worker and day, in Deming's order (day 1's workers, then day 2's…),
    with limits from every draw (:func:`~safercare.games.red_beads.red_bead_chart`, a p chart
    scaled to red beads per paddle). **The funnel experiment**
    (:mod:`safercare.games.funnel_experiment`): each table types its drops (the rule it
    plays, the drop number, and how far the marble landed from the target across and up, in
    cm); the screen shows each rule's drops around the target and the spread by rule
    (:func:`~safercare.games.funnel_experiment.funnel_summary`).

    Both store through :class:`RoomGameStore`, a subclass of the one live-capture core
    :class:`safercare.live.store.AppendOnlyStore` (WAL, retries, one transaction per result,
    an audit log, receipts, formula-safe CSV), exactly as the PDSA team game's
    :class:`~safercare.games.team_results.TeamResultsStore` does. That store keeps one number
    per result (game, team, round, value, note); a funnel drop has two (across and up) and a
    rule, so the room games keep their own tables, each described once by a
    :class:`RoomGame` of :class:`Field` specs that drive the checks, the table, the page's
    boxes and the messages alike.

Checked before anything is stored
    Every field is checked by its :class:`Field`: a name that is blank, longer than
    :data:`MAX_NAME` characters or holds a broken character from a paste; a whole number
    (day, red beads, rule, drop number) that is text, has a fraction, is negative or is out of
    range (more red beads than the paddle holds, a day beyond :data:`MAX_DAYS`); a distance
    that is not a number or is further than :data:`MAX_CM` cm from the target. The refusal is
    one plain sentence that starts with the field's label, and nothing is stored but a line in
    the audit log naming the field (never the text typed).

Shown as text, once per submission
    A name is stored exactly as typed (trimmed), HTML and all, and every page shows it
    escaped. Each send carries an idempotency key (``uid``) that the page makes once per
    result, so a double click stores it once and returns the same receipt. A later result for
    the same name and day (red beads) or name, rule and drop (funnel) replaces the earlier one
    on the charts (:meth:`RoomGameStore.latest`); both stay in the file and the export.

The live pages (:func:`main`)
    ``python -m safercare.games.room_games red-beads --db room.sqlite3`` serves the tables'
    page (add ``--ip 0.0.0.0`` to let phones in the room connect); add ``--facilitator`` for
    the facilitator's screen, which is always behind a generated secret. ``funnel`` instead of
    ``red-beads`` serves the funnel experiment. Served by :mod:`safercare.live.server`.
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
import pandas as pd

from safercare.games.funnel_experiment import RULES
from safercare.games.red_beads import PADDLE
from safercare.live.store import (
    AppendOnlyStore,
    StoreError,
    SubmitResult,
    not_saved,
    now,
    receipt,
    unstorable,
    write_csv_tables,
)

__all__ = [
    "APPS_DIR",
    "DB_ENV_VAR",
    "FUNNEL",
    "GAMES",
    "MAX_CM",
    "MAX_DAYS",
    "MAX_DROPS",
    "MAX_NAME",
    "RED_BEADS",
    "Field",
    "RoomGame",
    "RoomGameStore",
    "app_notebook",
    "default_db_path",
    "describe_room_funnel",
    "funnel_room_table",
    "main",
    "red_beads_room_table",
]

#: The environment variable that sets the room's file (``--db`` sets it too).
DB_ENV_VAR = "SAFERCARE_ROOM_GAMES_DB"
#: The longest table or worker name (characters).
MAX_NAME = 40
#: The most working days a room plays (Deming played four; some rooms play a few more).
MAX_DAYS = 10
#: The most drops one table makes under one rule (Deming's experiment has 50).
MAX_DROPS = 100
#: The furthest a drop can land from the target (cm): beyond it is a typing slip.
MAX_CM = 150
#: The longest idempotency key a page may send.
_MAX_UID = 64

APPS_DIR = Path(__file__).resolve().parent / "apps"

#: A whole number as people type it (a trailing ".0" is fine), and a decimal one.
_WHOLE = re.compile(r"\+?\d+([.,]0*)?")
_DECIMAL = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
_MINUS = "−–"  # the minus sign and the en dash that phones' keyboards give


@dataclass(frozen=True)
class Field:
    """One box on a table's page: what it asks for and which answers are possible.

    ``kind`` is ``"name"`` (text up to :data:`MAX_NAME` characters), ``"whole"`` (a whole
    number from ``low`` to ``high``) or ``"number"`` (a decimal from ``low`` to ``high``).
    ``high_why`` says in plain words why nothing above ``high`` is possible ("the paddle
    holds 50 beads"). ``after_save`` says what the page does with the box once a result is
    saved: ``"keep"`` it, move it to the ``"next"`` number, or ``"clear"`` it.
    """

    key: str
    label: str
    kind: Literal["name", "whole", "number"]
    low: float = 0
    high: float = 0
    unit: str = ""
    high_why: str = ""
    example: str = ""
    hint: str = ""
    after_save: Literal["keep", "next", "clear"] = "keep"

    def _refuse(self, why: str, code: str) -> SubmitResult:
        return SubmitResult(False, f"{self.label}: {why} Nothing has been saved yet.",
                            reasons=(f"{self.key}_{code}",))

    def _range(self) -> str:
        return f"from {self.low:g} to {self.high:g}" + (f" {self.unit}" if self.unit else "")

    def parse(self, typed: object) -> str | int | float | SubmitResult:
        """The typed answer as stored (text, int or float), or the refusal naming the field."""
        if isinstance(typed, bool):
            typed = str(typed)
        if isinstance(typed, int | float):
            raw = repr(typed) if isinstance(typed, float) else str(typed)
        else:
            raw = "" if typed is None else str(typed).strip()
        broken = unstorable(raw)
        if broken is not None:
            return self._refuse(f"{broken.reason}. Please {broken.fix}.", "encoding")
        if self.kind == "name":
            if not raw:
                return self._refuse(f"please type {self.hint or 'a name'}.", "missing")
            if len(raw) > MAX_NAME:
                return self._refuse(f"please use at most {MAX_NAME} characters (this one has "
                                    f"{len(raw)}).", "too_long")
            return raw
        raw = raw.replace(" ", "")
        if raw and raw[0] in _MINUS:
            raw = "-" + raw[1:]
        if not raw:
            return self._refuse(f"please type a number {self._range()}.", "missing")
        if self.kind == "whole":
            if raw.startswith("-") and _WHOLE.fullmatch(raw[1:]):
                return self._refuse(f"a count cannot be below {self.low:g}. Please type a "
                                    f"whole number {self._range()}.", "negative")
            if not _WHOLE.fullmatch(raw):
                return self._refuse(f"please type a whole number {self._range()}, using digits "
                                    f"only (for example {self.example}).", "not_whole")
            value: int | float = int(float(raw.replace(",", ".")))
        else:
            if not _DECIMAL.fullmatch(raw):
                return self._refuse(f"please type a number {self._range()}, using digits only "
                                    f"(for example {self.example}).", "not_number")
            value = float(raw.replace(",", "."))
            if not math.isfinite(value):  # pragma: no cover - the pattern rules it out
                return self._refuse(f"please type a number {self._range()}.", "not_number")
        if value < self.low:
            code = "negative" if value < 0 <= self.low else "too_low"
            return self._refuse(f"{raw} is below {self.low:g}. Please type a number "
                                f"{self._range()}.", code)
        if value > self.high:
            why = f" ({self.high_why})" if self.high_why else ""
            return self._refuse(f"{raw} is more than {self.high:g}{why}. Please type a number "
                                f"{self._range()}.", "too_high")
        return value


@dataclass(frozen=True)
class RoomGame:
    """A room game: its page's fields, the table that stores them and what names a result.

    ``identity`` lists the fields that name one result: a later result with the same values
    of these replaces the earlier one on the charts. ``prefix`` starts every receipt.
    """

    key: str
    title: str
    table: str
    fields: tuple[Field, ...]
    identity: tuple[str, ...]
    prefix: str
    instructions: str

    @property
    def command(self) -> str:
        """The game's name on the command line (``red-beads``, ``funnel``)."""
        return self.key.replace("_", "-")

    def field(self, key: str) -> Field:
        """The field called ``key``."""
        return next(f for f in self.fields if f.key == key)

    def schema(self) -> str:
        """The game's ``CREATE TABLE`` statement, with the field bounds as checks in the file."""
        columns = []
        for f in self.fields:
            if f.kind == "name":
                columns.append(f"{f.key} TEXT NOT NULL")
            else:
                kind = "INTEGER" if f.kind == "whole" else "REAL"
                columns.append(f"{f.key} {kind} NOT NULL CHECK ({f.key} BETWEEN {f.low:g} AND "
                               f"{f.high:g})")
        return (f"CREATE TABLE IF NOT EXISTS {self.table} (id INTEGER PRIMARY KEY, "
                "uid TEXT NOT NULL UNIQUE, received_at TEXT NOT NULL, "
                + ", ".join(columns) + ");")


_NAME_HINT = "a name, such as your table's colour or number"

RED_BEADS = RoomGame(
    key="red_beads",
    title="Red beads",
    table="red_bead_draws",
    fields=(
        Field("worker", "Table or worker name", "name", hint="your table's or worker's name",
              example="Blue table"),
        Field("day", "Day", "whole", 1, MAX_DAYS, example="1", after_save="next",
              high_why=f"the game has at most {MAX_DAYS} days"),
        Field("red", "Red beads on the paddle", "whole", 0, PADDLE, example="9",
              high_why=f"the paddle holds {PADDLE} beads", after_save="clear"),
    ),
    identity=("worker", "day"),
    prefix="B",
    instructions=(f"After each draw, type your table's name, the day and how many red beads "
                  f"are on the paddle (it holds {PADDLE}), then press Send our result."),
)

FUNNEL = RoomGame(
    key="funnel",
    title="The funnel experiment",
    table="funnel_drops",
    fields=(
        Field("name", "Table name", "name", hint=_NAME_HINT, example="Blue table"),
        Field("rule", "Rule", "whole", 1, 4, example="1",
              high_why="the experiment has rules 1 to 4"),
        Field("drop_number", "Drop number", "whole", 1, MAX_DROPS, example="1",
              after_save="next", high_why=f"a table makes at most {MAX_DROPS} drops per rule"),
        Field("x", "Across from the target (cm)", "number", -MAX_CM, MAX_CM, unit="cm",
              example="-2.5", hint="right is plus, left is minus", after_save="clear",
              high_why="further than the table is wide"),
        Field("y", "Up or down from the target (cm)", "number", -MAX_CM, MAX_CM, unit="cm",
              example="1.5", hint="away from you is plus, towards you is minus",
              after_save="clear", high_why="further than the table is wide"),
    ),
    identity=("name", "rule", "drop_number"),
    prefix="F",
    instructions=("After each drop, type your table's name, the rule you are playing, the drop "
                  "number and where the marble landed, in cm from the target (right and away "
                  "from you are plus; left and towards you are minus), then press Send our "
                  "result."),
)

#: The room games by key.
GAMES: dict[str, RoomGame] = {g.key: g for g in (RED_BEADS, FUNNEL)}


def _game(game: str | RoomGame) -> RoomGame:
    if isinstance(game, RoomGame):
        return game
    key = str(game).replace("-", "_")
    if key not in GAMES:
        raise ValueError(f"There is no room game called {game!r}: choose one of "
                         f"{', '.join(g.command for g in GAMES.values())}.")
    return GAMES[key]


def default_db_path() -> Path:
    """The room's file: ``$SAFERCARE_ROOM_GAMES_DB`` if set, else one in the home folder."""
    value = os.environ.get(DB_ENV_VAR, "").strip()
    if value:
        return Path(value).expanduser()
    return Path.home() / ".safercare" / "room_games.sqlite3"


class RoomGameStore(AppendOnlyStore):
    """One room's red bead draws and funnel drops (see the module docstring).

    Every method opens its own short connection, so one store object is safe to share
    between widgets and threads, and many processes may write one file at once.
    """

    SCHEMA: ClassVar[str] = "\n".join(g.schema() for g in GAMES.values())
    APPEND_ONLY: ClassVar[tuple[str, ...]] = tuple(g.table for g in GAMES.values())
    MARKER_TABLE: ClassVar[str] = FUNNEL.table
    ENV_VAR: ClassVar[str | None] = DB_ENV_VAR

    def __init__(self, path: str | os.PathLike[str] | None = None):
        super().__init__(path if path is not None else default_db_path())

    @staticmethod
    def check(game: str | RoomGame, values: Mapping[str, object]
              ) -> dict[str, str | int | float] | SubmitResult:
        """Every field of ``values`` read as stored, or the first refusal (in page order)."""
        spec = _game(game)
        out: dict[str, str | int | float] = {}
        for f in spec.fields:
            value = f.parse(values.get(f.key))
            if isinstance(value, SubmitResult):
                return value
            out[f.key] = value
        return out

    def submit(self, game: str | RoomGame, values: Mapping[str, object], *,
               uid: str | None = None) -> SubmitResult:
        """Check and store one table's result; returns what to show.

        ``values`` maps each field's key to what was typed (text or a number). ``uid`` is the
        submission's idempotency key: sending again with the same key stores nothing new and
        returns the first receipt. The confirmation is written only after ``COMMIT``.
        """
        spec = _game(game)
        checked = self.check(spec, values)
        if isinstance(checked, SubmitResult):
            try:
                self.log("result_refused", game=spec.key, reasons=list(checked.reasons))
            except StoreError:
                pass  # the refusal itself is what the person needs to see
            return checked
        uid = str(uid or uuid.uuid4().hex)[:_MAX_UID]
        keys = [f.key for f in spec.fields]
        insert = (f"INSERT OR IGNORE INTO {spec.table} (uid, received_at, {', '.join(keys)}) "
                  f"VALUES ({', '.join('?' * (len(keys) + 2))})")

        select = f"SELECT id, {', '.join(keys)} FROM {spec.table} WHERE uid = ?"

        def body(con: sqlite3.Connection) -> tuple[object, ...]:
            cur = con.execute(insert, (uid, now(), *(checked[k] for k in keys)))
            if cur.rowcount:
                self._audit(con, "result_saved", {"game": spec.key, "uid": uid})
            return con.execute(select, (uid,)).fetchone()

        try:
            # A resend (a double click, a retry) is answered from a read, which never waits
            # for the room's writers; a new result is written in one transaction.
            known = self._read(select, (uid,))
            row = tuple(known.iloc[0]) if len(known) else self._write(body)
        except StoreError as error:
            return SubmitResult(False, not_saved("Your result", error), reasons=("not_saved",),
                                detail=str(error))
        code = receipt(spec.prefix, int(row[0]), uid)
        stored = dict(zip(keys, row[1:], strict=True))
        said = ", ".join(_say(f, stored[f.key]) for f in spec.fields)
        return SubmitResult(True, f"Saved: {said}. Your receipt is {code}.", uid=uid,
                            receipt=code)

    def version(self, game: str | RoomGame) -> int:
        """The game's newest row number (0 when none): a cheap check for "anything new?"."""
        spec = _game(game)
        return int(self._read(f"SELECT COALESCE(MAX(id), 0) AS n FROM {spec.table}")["n"].iat[0])

    def results(self, game: str | RoomGame) -> pd.DataFrame:
        """Every stored result of ``game``, oldest first, with its receipt."""
        spec = _game(game)
        keys = ", ".join(f.key for f in spec.fields)
        table = self._read(f"SELECT id, uid, received_at, {keys} FROM {spec.table} ORDER BY id")
        table["receipt"] = [f"{spec.prefix}{i}-{u[:4].upper()}"
                            for i, u in zip(table["id"], table["uid"], strict=True)]
        return table

    def latest(self, game: str | RoomGame) -> pd.DataFrame:
        """One row per result named by the game's ``identity`` (the latest sent wins), in the
        order each was first sent, with ``sent`` (how many were sent under that name)."""
        spec = _game(game)
        table = self.results(spec)
        ident = list(spec.identity)
        first = table.groupby(ident, sort=False)["id"].transform("min")
        sent = table.groupby(ident, sort=False)["id"].transform("size")
        table = table.assign(first_id=first, sent=sent).drop_duplicates(ident, keep="last")
        return table.sort_values("first_id", kind="stable").reset_index(drop=True)

    def export_csv(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write every game's results and the audit log as CSV (formula-safe); returns paths."""
        tables = {g.table: self.results(g).drop(columns="uid") for g in GAMES.values()}
        paths = write_csv_tables(folder, {**tables, "audit": self.audit_log()})
        self.log("exported_csv", files=[p.name for p in paths])
        return paths


def _say(field: Field, value: object) -> str:
    if field.kind == "name":
        return str(value)
    number = f"{float(value):g}"  # type: ignore[arg-type]
    return f"{field.label.split(' (')[0].lower()} {number}" + (f" {field.unit}" if field.unit
                                                                else "")


# -- what the facilitator's screen charts ---------------------------------------------------

def red_beads_room_table(latest: pd.DataFrame) -> pd.DataFrame:
    """The room's draws in :mod:`~safercare.games.red_beads`' tidy form, in Deming's order.

    One row per worker and day (the latest sent for each), ordered by day and, within a
    day, by when each worker first sent a result; columns ``draw, day, worker, red, beads,
    share_red`` as :func:`~safercare.games.red_beads.red_bead_experiment` returns, so
    :func:`~safercare.games.red_beads.red_bead_chart` charts it.
    """
    order = latest.groupby("worker", sort=False)["first_id"].transform("min")
    rows = latest.assign(_order=order).sort_values(["day", "_order"], kind="stable")
    red = rows["red"].to_numpy(dtype=int)
    return pd.DataFrame({
        "draw": np.arange(1, len(rows) + 1),
        "day": rows["day"].to_numpy(dtype=int),
        "worker": rows["worker"].astype(str).to_numpy(),
        "red": red,
        "beads": PADDLE,
        "share_red": red / PADDLE,
    })


def funnel_room_table(latest: pd.DataFrame) -> pd.DataFrame:
    """The room's drops in :func:`~safercare.games.funnel_experiment.funnel_experiment`'s form.

    Columns ``rule, rule_name, drop, x, y, distance, table`` (one row per table, rule and
    drop), so :func:`~safercare.games.funnel_experiment.funnel_summary` and
    :func:`~safercare.games.funnel_experiment.plot_funnel` work on it unchanged.
    """
    x = latest["x"].to_numpy(dtype=float)
    y = latest["y"].to_numpy(dtype=float)
    rule = latest["rule"].to_numpy(dtype=int)
    return pd.DataFrame({
        "rule": rule,
        "rule_name": [RULES[r] for r in rule],
        "drop": latest["drop_number"].to_numpy(dtype=int),
        "x": x,
        "y": y,
        "distance": np.hypot(x, y),
        "table": latest["name"].astype(str).to_numpy(),
    })


def describe_room_funnel(drops: pd.DataFrame, summary: pd.DataFrame) -> str:
    """Plain words for the room's funnel chart, from ``funnel_summary`` and the drop counts."""
    if drops.empty:
        return "No drops yet."
    counts = drops.groupby("rule").agg(drops=("drop", "size"), tables=("table", "nunique"))
    parts = [f"{len(summary)} panel{'s' if len(summary) != 1 else ''}, one per rule played, "
             "each showing the room's drops around the target at the centre (cm)."]
    for row in summary.itertuples():
        n = counts.loc[row.rule]
        part = (f"{row.rule_name}: {n.drops} drop{'s' if n.drops != 1 else ''} from "
                f"{n.tables} table{'s' if n.tables != 1 else ''}, on average "
                f"{row.mean_distance:.1f} cm from the target, the furthest "
                f"{row.max_distance:.1f} cm")
        if not np.isnan(row.spread_vs_rule_1) and row.rule != 1:
            part += f"; spread {row.spread_vs_rule_1:.2f} times rule 1's"
        parts.append(part + ".")
    return " ".join(parts)


# -- the command ---------------------------------------------------------------------------

def app_notebook(game: str | RoomGame, facilitator: bool) -> Path:
    """The tables' page notebook of ``game``, or (``facilitator``) the facilitator's."""
    spec = _game(game)
    return APPS_DIR / f"{spec.command}-{'facilitator' if facilitator else 'table'}.ipynb"


def main(argv: Sequence[str] | None = None) -> None:
    """Serve a room game's page for the tables, or with ``--facilitator`` the facilitator's.

    ``python -m safercare.games.room_games red-beads|funnel --db room.sqlite3
    [--facilitator] [--ip 0.0.0.0] [--port N]``. Other options are those of
    :func:`safercare.live.server.main` (``--token``, ``--max-pages``, ``--idle-minutes``).
    """
    import sys

    from safercare.live.server import LiveApp
    from safercare.live.server import main as serve

    args = list(sys.argv[1:] if argv is None else argv)
    prog = "python -m safercare.games.room_games"
    names = [g.command for g in GAMES.values()]
    if not args or args[0] not in names:
        chosen = repr(args[0]) if args and not args[0].startswith("-") else "no game"
        print(f"Cannot start: {chosen} is not a room game. Name the game first: "
              f"{prog} {' | '.join(names)} [--db room.sqlite3] [--facilitator]",
              file=sys.stderr)
        raise SystemExit(2)
    spec = _game(args[0])
    app = LiveApp(title=f"the room game '{spec.title}'",
                  room_page=app_notebook(spec, False),
                  facilitator_page=app_notebook(spec, True), data_env_var=DB_ENV_VAR,
                  default_data=default_db_path, open_data=RoomGameStore)
    serve(app, args[1:], prog=f"{prog} {spec.command}")


if __name__ == "__main__":
    main()
