"""The one live-capture store: an SQLite file that can only grow, safe with a room at once.

Every page that a room types into (priority suggestions and votes, PDSA team results, red
beads per table) stores through :class:`AppendOnlyStore`; a page's own store is a subclass
that adds its tables and its checks (:class:`safercare.priorities.store.PrioritiesStore`,
:class:`safercare.games.team_results.TeamResultsStore`). There is no second copy of this logic.

Why SQLite
    It is a single file that needs no server, so a facilitator can run a workshop from one
    laptop and copy the file afterwards. In WAL mode (write-ahead logging) many readers and
    one writer work at once; writers wait for each other (a busy timeout, then a few retries
    with a short, growing, jittered pause) instead of failing.

Nothing is lost
    Every change is one transaction (``BEGIN IMMEDIATE`` … ``COMMIT``, in
    :meth:`AppendOnlyStore._write`) that lands whole or not at all, even if the kernel or the
    machine stops mid-write;
    ``synchronous=FULL`` makes a committed change survive a power cut. A subclass gives each
    submission a unique id (an idempotency key made in the page), so sending the same thing
    twice (a double click, a retry after a time-out) stores it once.

Append-only
    Triggers in the file refuse any UPDATE or DELETE on the audit log, the settings and every
    table a subclass names in :attr:`AppendOnlyStore.APPEND_ONLY`.

A save that fails says so
    A receipt (:func:`receipt`) is made only after ``COMMIT`` returned, from the committed row.
    Anything that stops a save — a full disk, a read-only or vanished file, a damaged file,
    text that cannot be encoded (a lone surrogate from a broken paste), a file busy for too
    long — becomes one :class:`StoreError` (a :class:`~safercare.errors.DataError`) with plain
    words, which a page turns into "… has NOT been saved, because …" (:func:`not_saved`).

Opening checks the file and never overwrites it
    A folder, a file that is not SQLite, a SQLite file of something else, a damaged file
    (``PRAGMA quick_check``) and one that cannot be written are each refused with one
    :class:`StoreError` before anything is written; the file is left byte for byte.

Exports are safe to open in a spreadsheet
    :func:`write_csv_tables` writes tables through :func:`csv_safe`, so typed text that a
    spreadsheet would run as a formula is kept as text.
"""

from __future__ import annotations

import csv
import json
import os
import random
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, TypeVar

import pandas as pd

from safercare.errors import DataError, Problem

__all__ = [
    "AppendOnlyStore",
    "StoreError",
    "SubmitResult",
    "csv_safe",
    "not_saved",
    "now",
    "receipt",
    "unstorable",
    "write_csv_tables",
]


_BUSY_TIMEOUT_MS = 30_000
_RETRIES = 12
#: Every SQLite file starts with these 16 bytes; anything else is not a database.
_SQLITE_HEADER = b"SQLite format 3\x00"

T = TypeVar("T")

#: Tables every append-only store has: the audit log and its settings (the latest value of a
#: key wins; earlier values stay in the file).
_BASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL
);
"""


def _triggers(tables: Iterable[str]) -> list[str]:
    out = []
    for table in tables:
        for verb in ("UPDATE", "DELETE"):
            out.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    return out



def now() -> str:
    """The time now in UTC, ISO 8601 to the microsecond (how every store writes times)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


class StoreError(DataError):
    """The database cannot be opened, read or written; ``reason`` says why in plain words.

    It is a :class:`~safercare.errors.DataError`, so ``str(error)`` is one plain message that
    names the file, what is wrong and what to do; ``error.reason`` is the short "because"
    part that a page puts into "Your idea has NOT been saved, because …".
    """

    def __init__(self, path: Path, reason: str, fix: str):
        self.reason = reason
        self.fix = fix
        super().__init__(Problem(None, None, reason, fix), source=str(path))

    def _message(self) -> str:
        fix = self.fix[:1].upper() + self.fix[1:]
        return f"The workshop's database {self.source} cannot be used: {self.reason}. {fix}."


#: The one failure the person typing can fix themselves.
_BROKEN_TEXT = ("the text has a broken character that cannot be stored (this can happen when "
                "text is copied and pasted)")


def _choose_file(env_var: str | None) -> str:
    """How a facilitator chooses another file: ``--db`` (and the store's variable, if any)."""
    return f"(set {env_var} or --db)" if env_var else "(with --db)"


def _explain(error: BaseException, env_var: str | None = None) -> tuple[str, str]:
    """Plain words (reason, fix) for what went wrong with the file or the text.

    ``env_var`` is the environment variable that chooses the store's file, named in fixes.
    """
    if isinstance(error, UnicodeError):
        return (_BROKEN_TEXT,
                "delete the last few characters you pasted, type them again and send again")
    if isinstance(error, OSError):
        return (f"the computer could not use the file or its folder ({error.strerror or error})",
                f"check that the folder exists and can be written, or choose another file "
                f"{_choose_file(env_var)}")
    name = str(getattr(error, "sqlite_errorname", "") or "")
    text = str(error).lower()
    if name == "SQLITE_FULL" or "full" in text:
        return ("the workshop computer's disk is full",
                "free some space on the disk, then send again")
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return ("the database file can only be read, not written",
                "check that the file and its folder can be written (not read-only, not a "
                "locked or write-protected drive), then send again")
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED") or _is_busy(error):
        return ("the database was busy for too long", "wait a moment, then send again")
    if name == "SQLITE_NOTADB" or "not a database" in text:
        return ("this file is not a database",
                "choose the workshop's database file, or a new file name for a new workshop; "
                "nothing has been written to this file")
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return ("the database file is damaged",
                "keep this file as it is (it may still be rescued) and start the workshop with a "
                "new file name, or with a copy saved before the damage")
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return ("the database file could not be opened",
                f"check that the folder exists and can be written, or choose another file "
                f"{_choose_file(env_var)}")
    if name.startswith("SQLITE_IOERR") or "disk i/o" in text:
        return ("the disk could not be read or written",
                "check the disk (is it full, removed or failing?), then send again")
    return (f"the database could not do it ({error})",
            "try again; if it keeps happening, tell the person running the workshop")



@dataclass(frozen=True)
class SubmitResult:
    """What happened to a submission.

    Attributes:
        ok: true when it is stored (or was already stored under the same ``uid``).
        message: a plain-English line to show the person. When ``ok`` it is the store's
            confirmation, written only after the change was committed.
        uid: the submission's id when stored.
        reasons: why it was refused: the privacy screen's codes, ``"not_saved"`` when the
            file could not be written, or a form check such as ``"no_constituency"``.
        receipt: a short code that proves the store committed it (for example ``I12-4F2A``:
            the row's number and the start of its id), shown to the person.
        detail: when the file could not be written, the full plain message for the
            facilitator (which file, what is wrong, what to do); a page prints it to the
            terminal that serves it.
    """

    ok: bool
    message: str
    uid: str | None = None
    reasons: tuple[str, ...] = ()
    receipt: str | None = None
    detail: str = ""


class AppendOnlyStore:
    """One SQLite file that can only grow: WAL, retries, an audit log, settings, plain errors.

    This is the live-capture core that every page a room types into builds on (the priority
    workshop, PDSA team results; red beads per table later): a subclass sets
    :attr:`SCHEMA` (``CREATE TABLE IF NOT EXISTS`` statements) and :attr:`APPEND_ONLY`
    (tables whose rows can never be changed or deleted, enforced by triggers in the file).

    Opening checks the file before anything is written: a path that is a folder, a file that
    is not a SQLite database, a database that belongs to something else, a damaged file
    (``PRAGMA quick_check``) or one that cannot be written each raise one
    :class:`StoreError` and leave the file exactly as it was. Every later read or write that
    fails raises :class:`StoreError` too, never a raw ``sqlite3`` error.
    """

    SCHEMA: ClassVar[str] = ""
    APPEND_ONLY: ClassVar[tuple[str, ...]] = ()
    #: A table only this kind of store has; a database with tables but not this one is refused.
    MARKER_TABLE: str = "audit"
    #: The environment variable that chooses this store's file (named in plain fixes).
    ENV_VAR: ClassVar[str | None] = None

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            is_dir = self.path.is_dir()
            head = b""
            if self.path.is_file():
                with open(self.path, "rb") as f:
                    head = f.read(len(_SQLITE_HEADER))
        except OSError as error:
            raise StoreError(self.path, *_explain(error, self.ENV_VAR)) from None
        if is_dir:
            raise StoreError(self.path, "this is a folder, not a database file",
                             "give the name of a file inside the folder, such as "
                             "workshop.sqlite3")
        if head and head != _SQLITE_HEADER:
            raise StoreError(self.path, *_explain(sqlite3.DatabaseError("not a database"),
                                                   self.ENV_VAR))
        self._retry(self._create)

    # -- connections and transactions -------------------------------------------------
    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            con.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("PRAGMA synchronous = FULL")
            yield con
        finally:
            con.close()

    def _retry(self, action: Callable[[], T]) -> T:
        """Run ``action``, retrying with a growing, jittered pause while the file is busy.

        Any other failure of the file (full, read-only, damaged, gone) or of the text (a
        character that cannot be encoded) becomes one :class:`StoreError`.
        """
        for attempt in range(_RETRIES):
            try:
                return action()
            except sqlite3.OperationalError as error:
                if not _is_busy(error) or attempt == _RETRIES - 1:
                    raise StoreError(self.path, *_explain(error, self.ENV_VAR)) from None
                time.sleep(min(0.02 * 2**attempt, 1.0) * (0.5 + random.random()))
            except (sqlite3.Error, UnicodeError, OSError) as error:
                raise StoreError(self.path, *_explain(error, self.ENV_VAR)) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _write(self, body: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``body`` in one ``BEGIN IMMEDIATE`` transaction, with retries when busy.

        Returns only after ``COMMIT`` succeeded, so what it returns is proof of storage.
        """

        def attempt() -> T:
            with self._connect() as con:
                con.execute("BEGIN IMMEDIATE")
                try:
                    result = body(con)
                except BaseException:
                    if con.in_transaction:  # SQLite may have rolled back itself (disk full)
                        con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
                return result

        return self._retry(attempt)

    def _read(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        def attempt() -> pd.DataFrame:
            with self._connect() as con:
                cur = con.execute(sql, params)
                cols = [d[0] for d in cur.description]
                return pd.DataFrame(cur.fetchall(), columns=cols)

        return self._retry(attempt)

    def _create(self) -> None:
        with self._connect() as con:
            problems = [r[0] for r in con.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                raise StoreError(self.path, *_explain(sqlite3.DatabaseError("malformed"),
                                                       self.ENV_VAR))
            tables = {r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and self.MARKER_TABLE not in tables:
                raise StoreError(self.path, "this database belongs to something else",
                                 "choose the workshop's database file, or a new file name for "
                                 "a new workshop; nothing has been written to this file")
            mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # pragma: no cover - e.g. a network drive
                raise StoreError(self.path, "the database could not switch to WAL mode",
                                 f"put the file on a local disk {_choose_file(self.ENV_VAR)}")
            statements = [s for s in (_BASE_SCHEMA + self.SCHEMA).split(";") if s.strip()]
            statements += _triggers(("audit", "settings", *self.APPEND_ONLY))
            con.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements:
                    con.execute(statement)
                # Prove the file can be written now, rather than at someone's first "Send"
                # (nothing of this stays: the probe table is rolled back with its savepoint).
                con.execute("SAVEPOINT probe")
                con.execute("CREATE TABLE write_probe (x)")
                con.execute("ROLLBACK TO probe")
                con.execute("RELEASE probe")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    @staticmethod
    def _audit(con: sqlite3.Connection, action: str, detail: Mapping[str, object]) -> None:
        con.execute(
            "INSERT INTO audit (at, action, detail) VALUES (?, ?, ?)",
            (now(), action, json.dumps(detail, sort_keys=True, ensure_ascii=False)),
        )

    def log(self, action: str, **detail: object) -> None:
        """Add one line to the audit log (for steps that change nothing else)."""
        self._write(lambda con: self._audit(con, action, detail))

    @staticmethod
    def _setting(con: sqlite3.Connection, key: str) -> str | None:
        row = con.execute("SELECT value FROM settings WHERE key = ? ORDER BY id DESC LIMIT 1",
                          (key,)).fetchone()
        return None if row is None else str(row[0])

    @staticmethod
    def _set_setting(con: sqlite3.Connection, key: str, value: str) -> None:
        con.execute("INSERT INTO settings (at, key, value) VALUES (?, ?, ?)", (now(), key, value))

    def audit_log(self) -> pd.DataFrame:
        """Every step, oldest first: time, action and details (JSON)."""
        return self._read("SELECT id, at, action, detail FROM audit ORDER BY id")



def not_saved(what: str, error: StoreError) -> str:
    """The plain message for a save that failed: ``what`` (e.g. "Your idea") was NOT saved.

    It is written for the person who pressed send: what they can fix themselves (a broken
    character in their text) they are told how to fix; anything about the file or the disk
    they are asked to tell the person running the workshop, whose terminal shows the full
    message (:attr:`SubmitResult.detail`).
    """
    if error.reason == _BROKEN_TEXT:
        fix = error.fix[:1].upper() + error.fix[1:]
    else:
        fix = "Please try again in a minute, or tell the person running the workshop"
    return f"{what} has NOT been saved, because {error.reason}. {fix}."


def receipt(prefix: str, row_id: int, uid: str) -> str:
    """A short receipt for a committed row, e.g. ``I12-4F2A`` (row 12, id starting 4f2a)."""
    return f"{prefix}{row_id}-{uid[:4].upper()}"


#: What a spreadsheet may take as the start of a formula (after folding full-width and other
#: compatibility forms, so "＝" and "﹦" count as "=").
_FORMULA_STARTS = frozenset("=+-@|%")
#: Unicode kinds that may open a formula or hide what comes first: maths symbols (such as the
#: minus sign "−"), dashes, and invisible spacing and control characters.
_RISKY_KINDS = frozenset({"Sm", "Pd"})
_SKIPPED_KINDS = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})


def csv_safe(value: object) -> object:
    """``value`` made safe for a spreadsheet: text that could run as a formula gets a ``'``.

    Excel, LibreOffice and Google Sheets run a cell as a formula when it starts with ``=``,
    ``+``, ``-`` or ``@`` (OWASP "CSV injection"); some skip leading spaces, tabs and line
    breaks first, or read full-width forms such as ``＝`` as ``=``. So the first visible
    character (after spaces, tabs, line breaks and invisible characters) is folded with
    Unicode NFKC, and the whole text is prefixed with an apostrophe (a spreadsheet's mark for
    "this is text") when that character is one of ``= + - @ | %``, any maths symbol (such as
    the minus sign ``−``) or any dash, or when the text starts with a control or invisible
    character. Numbers and other values are left as they are.
    """
    if not isinstance(value, str) or not value:
        return value
    first = next((ch for ch in value if unicodedata.category(ch) not in _SKIPPED_KINDS), "")
    folded = unicodedata.normalize("NFKC", first)[:1]
    risky = (
        unicodedata.category(value[0]) in ("Cc", "Cf")
        or folded in _FORMULA_STARTS
        or any(unicodedata.category(ch) in _RISKY_KINDS for ch in (first, folded) if ch)
    )
    return "'" + value if risky else value


def unstorable(text: object) -> StoreError | None:
    """A :class:`StoreError` when ``text`` cannot be stored as UTF-8 (e.g. a lone surrogate)."""
    try:
        str(text).encode("utf-8")
    except UnicodeError as error:
        return StoreError(Path("text"), *_explain(error))
    return None


def write_csv_tables(folder: str | os.PathLike[str],
                     tables: Mapping[str, pd.DataFrame]) -> list[Path]:
    """Write each table as ``folder/<name>.csv`` (UTF-8, ``\\n`` line ends), formula-safe.

    Every cell goes through :func:`csv_safe`, so text typed by a person can never run as a
    formula when the file is opened in a spreadsheet. Returns the paths in ``tables``' order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in tables.items():
        path = folder / f"{name}.csv"
        safe = table.astype(object).map(csv_safe)
        safe.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        paths.append(path)
    return paths
