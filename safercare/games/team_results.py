"""A workshop room's team results, typed live from phones: validated, append-only, never lost.

Built on :class:`safercare.live.store.AppendOnlyStore` (the one live-capture core: WAL,
retries, one transaction per result, an audit log, receipts, formula-safe CSV). This module
adds one table, ``results``: the game, the team, the round (the team's PDSA cycle), the
result value, an optional note, when it was received, and a unique id.

Checked before anything is stored
    :meth:`TeamResultsStore.submit` refuses, with one plain message naming the field and what
    to do, a team name that is blank or longer than :data:`MAX_TEAM`; a round that is not a
    whole number from 1 to :data:`~safercare.games.team_game.MAX_ROUNDS`; a result that is not
    a number (a time such as ``1:05`` where seconds are asked for, ``NaN``, words), is
    negative, or is beyond what the game makes possible (``Game.high``: an absurd value is a
    typing slip); a note longer than :data:`MAX_NOTE`; text that cannot be stored (a broken
    character from a paste). A refusal stores nothing but a line in the audit log naming the
    field (never the text).

Shown as text
    A team name or note is stored exactly as typed (after trimming spaces at the ends), HTML
    and all; every page shows it escaped (:func:`html.escape`), so it is never run.

Once per submission, and every submission
    Each send carries an idempotency key (``uid``) that the page makes once per result: a
    double click or a resend after a time-out stores it once and returns the same receipt.
    Two browsers of one team send different keys, so both results land. A later result for
    the same team and round replaces the earlier one on the charts (:meth:`latest`); both stay
    in the file and the export. Names that differ only in capitals or spaces are one team
    (:func:`team_key`), so a team's two phones need not type its name identically.

Nothing personal
    Team names are chosen by the teams; nothing else about anyone is asked or stored.
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
import uuid
from pathlib import Path
from typing import ClassVar

import pandas as pd

from safercare.games.team_simulation import DEFAULT_GAME, GAMES, MAX_ROUNDS, Game
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
    "DB_ENV_VAR",
    "MAX_NOTE",
    "MAX_TEAM",
    "TeamResultsStore",
    "default_db_path",
    "parse_result",
    "team_key",
]

#: The environment variable that sets the room's file.
DB_ENV_VAR = "SAFERCARE_TEAM_GAME_DB"
#: The longest team name and note (characters).
MAX_TEAM = 40
MAX_NOTE = 280
#: The longest idempotency key a page may send.
_MAX_UID = 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    received_at TEXT NOT NULL,
    game TEXT NOT NULL,
    team TEXT NOT NULL,
    round INTEGER NOT NULL CHECK (round >= 1),
    value REAL NOT NULL CHECK (value >= 0),
    note TEXT NOT NULL DEFAULT ''
);
"""

#: A number as people type it: "12", "12.5", "12,5" (a decimal comma), ".5".
_NUMBER = re.compile(r"[+]?(\d+([.,]\d*)?|[.,]\d+)")
_TIME = re.compile(r"\d+\s*[:'′]\s*\d+([.,]\d*)?")


def default_db_path() -> Path:
    """The room's file: ``$SAFERCARE_TEAM_GAME_DB`` if set, else one in the home folder."""
    value = os.environ.get(DB_ENV_VAR, "").strip()
    if value:
        return Path(value).expanduser()
    return Path.home() / ".safercare" / "team_game.sqlite3"


def team_key(name: str) -> str:
    """What makes two typed team names one team: case and runs of spaces are ignored."""
    return " ".join(str(name).split()).casefold()


def _refuse(field: str, why: str, *, code: str) -> SubmitResult:
    return SubmitResult(False, f"{field}: {why} Nothing has been saved yet.",
                        reasons=(code,))


def parse_result(text: object, game: Game) -> float | SubmitResult:
    """The result typed in the form as a number, or the refusal naming the field.

    Accepts a plain number with a decimal point or comma. A time written as minutes and
    seconds (``1:05``) is refused with how to write it in ``game.unit``, as are words,
    negative numbers and anything above ``game.high``.
    """
    field = game.measure
    raw = str(text).strip() if text is not None else ""
    if isinstance(text, int | float) and not isinstance(text, bool):
        raw = repr(float(text))
    if not raw:
        return _refuse(field, f"please type the result as a number of {game.unit}.",
                       code="value_missing")
    if _TIME.fullmatch(raw):
        return _refuse(field, f"please type the result as a number of {game.unit}, not as "
                       "minutes and seconds (for 1 minute 5 seconds, type 65).",
                       code="value_time")
    if raw.startswith("-") or raw.startswith("−"):
        return _refuse(field, f"a result cannot be below 0 {game.unit}. Please check the "
                       "number.", code="value_negative")
    if not _NUMBER.fullmatch(raw):
        return _refuse(field, f"please type the result as a number of {game.unit}, using "
                       "digits only (for example 12.5).", code="value_not_number")
    value = float(raw.replace(",", "."))
    if not math.isfinite(value) or value > game.high:
        return _refuse(field, f"{raw} {game.unit} is more than this game allows (up to "
                       f"{game.high:g}). Please check the number.", code="value_absurd")
    return value


class TeamResultsStore(AppendOnlyStore):
    """One workshop room's team results (see the module docstring).

    Every method opens its own short connection, so one store object is safe to share
    between widgets and threads, and many processes may write one file at once.
    """

    SCHEMA: ClassVar[str] = _SCHEMA
    APPEND_ONLY: ClassVar[tuple[str, ...]] = ("results",)
    MARKER_TABLE: ClassVar[str] = "results"
    ENV_VAR: ClassVar[str | None] = DB_ENV_VAR

    def __init__(self, path: str | os.PathLike[str] | None = None):
        super().__init__(path if path is not None else default_db_path())

    # -- the game -----------------------------------------------------------------------
    def game(self) -> Game:
        """The room's game (set by :meth:`set_game`; the default is the coin spin)."""
        key = self._retry(lambda: self._game_key())
        return GAMES.get(key, GAMES[DEFAULT_GAME])

    def _game_key(self) -> str:
        with self._connect() as con:
            return self._setting(con, "game") or DEFAULT_GAME

    def set_game(self, key: str) -> None:
        """Choose the room's game (a key of :data:`~safercare.games.team_game.GAMES`)."""
        if key not in GAMES:
            raise ValueError(f"There is no game called {key!r}: choose one of "
                             f"{', '.join(GAMES)}.")

        def body(con: sqlite3.Connection) -> None:
            if self._setting(con, "game") != key:
                self._set_setting(con, "game", key)
                self._audit(con, "game_set", {"game": key})

        self._write(body)

    # -- writing ------------------------------------------------------------------------
    def submit(self, team: object, round_number: object, value: object, note: object = "",
               *, uid: str | None = None) -> SubmitResult:
        """Check and store one team's result for one round; returns what to show.

        ``round_number`` and ``value`` may be typed text or numbers. ``uid`` is the
        submission's idempotency key: sending again with the same key stores nothing new and
        returns the first receipt. The confirmation is written only after ``COMMIT``.
        """
        game = self.game()
        checked = self._check(team, round_number, value, note, game)
        if isinstance(checked, SubmitResult):
            try:
                self.log("result_refused", reasons=list(checked.reasons))
            except StoreError:
                pass  # the refusal itself is what the person needs to see
            return checked
        team_text, round_value, number, note_text = checked
        uid = str(uid or uuid.uuid4().hex)[:_MAX_UID]

        def body(con: sqlite3.Connection) -> tuple[int, str, int, float]:
            cur = con.execute(
                "INSERT OR IGNORE INTO results (uid, received_at, game, team, round, value, note)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (uid, now(), game.key, team_text, round_value, number, note_text))
            if cur.rowcount:
                self._audit(con, "result_saved", {"uid": uid, "round": round_value})
            row = con.execute("SELECT id, team, round, value FROM results WHERE uid = ?",
                              (uid,)).fetchone()
            return int(row[0]), str(row[1]), int(row[2]), float(row[3])

        try:
            row_id, team_text, round_value, number = self._write(body)
        except StoreError as error:
            return SubmitResult(False, not_saved("Your result", error), reasons=("not_saved",),
                                detail=str(error))
        code = receipt("R", row_id, uid)
        return SubmitResult(True, f"Saved: {team_text}, round {round_value}, {number:g} "
                            f"{game.unit}. Your receipt is {code}.", uid=uid, receipt=code)

    @staticmethod
    def _check(team: object, round_number: object, value: object, note: object,
               game: Game) -> tuple[str, int, float, str] | SubmitResult:
        team_text = "" if team is None else str(team).strip()
        note_text = "" if note is None else str(note).strip()
        for field, text in (("Team name", team_text), ("Note", note_text)):
            broken = unstorable(text)
            if broken is not None:
                return _refuse(field, f"{broken.reason}. Please {broken.fix}.",
                               code=f"{field.split()[0].lower()}_encoding")
        if not team_text:
            return _refuse("Team name", "please type your team's name.", code="team_missing")
        if len(team_text) > MAX_TEAM:
            return _refuse("Team name", f"please use at most {MAX_TEAM} characters (this one "
                           f"has {len(team_text)}).", code="team_too_long")
        if len(note_text) > MAX_NOTE:
            return _refuse("Note", f"please use at most {MAX_NOTE} characters (this one has "
                           f"{len(note_text)}).", code="note_too_long")
        round_text = "" if round_number is None else str(round_number).strip()
        if isinstance(round_number, float) and round_number.is_integer():
            round_text = str(int(round_number))
        if not round_text.isdecimal() or not 1 <= int(round_text) <= MAX_ROUNDS:
            return _refuse("Round", f"please type the round as a whole number from 1 to "
                           f"{MAX_ROUNDS}.", code="round_invalid")
        number = parse_result(value, game)
        if isinstance(number, SubmitResult):
            return number
        return team_text, int(round_text), number, note_text

    # -- reading ------------------------------------------------------------------------
    def version(self) -> int:
        """The newest result's row number (0 when none): a cheap check for "anything new?"."""
        return int(self._read("SELECT COALESCE(MAX(id), 0) AS n FROM results")["n"].iat[0])

    def results(self) -> pd.DataFrame:
        """Every stored result, oldest first, with its receipt."""
        table = self._read("SELECT id, uid, received_at, game, team, round, value, note"
                           " FROM results ORDER BY id")
        table["receipt"] = ["R" + str(i) + "-" + u[:4].upper()
                            for i, u in zip(table["id"], table["uid"], strict=True)]
        return table

    def latest(self) -> pd.DataFrame:
        """One row per team and round (the latest sent wins), in team then round order.

        One team is one name however its phones typed it: names that differ only in capital
        letters or spaces (``"Blue team"``, ``"blue  Team"``) are one team, shown as it
        first typed its name (:func:`team_key`). Columns ``team``, ``round``, ``value``,
        ``note``, ``received_at``, ``receipt`` and ``sent`` (how many results were sent for
        that team and round).
        """
        columns = ["team", "round", "value", "note", "received_at", "receipt", "sent"]
        table = self.results()
        if table.empty:
            return table.assign(sent=pd.Series(dtype=int))[columns]
        key = table["team"].map(team_key)
        table["team"] = key.map(table.groupby(key)["team"].first())
        sent = table.groupby(["team", "round"])["id"].transform("size")
        table = table.assign(sent=sent).drop_duplicates(["team", "round"], keep="last")
        table = table.sort_values(["team", "round"], kind="stable").reset_index(drop=True)
        return table[columns]

    # -- export -------------------------------------------------------------------------
    def export_csv(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write every result and the audit log as CSV (formula-safe); returns the paths."""
        paths = write_csv_tables(folder, {"team_results": self.results().drop(columns="uid"),
                                          "audit": self.audit_log()})
        self.log("exported_csv", files=[p.name for p in paths])
        return paths
