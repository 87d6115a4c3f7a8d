"""The workshop's database: one SQLite file, append-only, safe with many people at once.

Why SQLite
    It is a single file that needs no server, so a facilitator can run a workshop from one
    laptop and copy the file afterwards. In WAL mode (write-ahead logging) many readers and
    one writer work at once; writers wait for each other (a busy timeout, then a few retries
    with a short, growing pause) instead of failing.

Nothing is lost
    Every change is one transaction (``BEGIN IMMEDIATE`` … ``COMMIT``): a suggestion, a vote
    with all its ranks, or a facilitator's step together with its audit-log line either lands
    whole or not at all, even if the kernel or the machine stops mid-write. ``synchronous=FULL``
    makes a committed change survive a power cut. Each submission carries a unique id made in
    the browser session, so sending the same thing twice (a double click, a retry after a
    time-out) stores it once.

Append-only
    Suggestions, votes, their ranks, group rankings and the audit log can only be added to:
    triggers in the database refuse any UPDATE or DELETE. A facilitator who merges suggestions
    into a topic adds a *link*; a later link for the same suggestion supersedes an earlier one,
    and both stay in the file, so the original words are always traceable.

Where the file lives
    In exactly one place: :func:`default_db_path`, which reads the environment variable
    ``SAFERCARE_PRIORITIES_DB`` (:data:`DB_ENV_VAR`) and otherwise uses
    ``~/.safercare/priorities.sqlite3``.

Private by design
    No names or contact details are asked for. Free text is screened by
    :func:`safercare.priorities.privacy.screen_text` *before* it reaches the file; refused
    text is never stored, and the audit log records only the reason codes.
"""

from __future__ import annotations

import csv
import json
import os
import random
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pandas as pd

from safercare.errors import DataError, Problem
from safercare.priorities.privacy import screen_text
from safercare.priorities.scoring import CONSTITUENCY_LABELS, MAX_RANKS, Ballot

__all__ = [
    "DB_ENV_VAR",
    "SETTINGS",
    "PrioritiesStore",
    "SubmitResult",
    "default_db_path",
]

#: The environment variable that sets the database file.
DB_ENV_VAR = "SAFERCARE_PRIORITIES_DB"

#: Care settings a person may choose (optional).
SETTINGS: tuple[str, ...] = (
    "Hospital",
    "GP practice",
    "Mental health",
    "Community or home care",
    "Children and young people",
    "Care home",
    "Ambulance or urgent care",
    "Police custody healthcare",
    "Other",
)

_BUSY_TIMEOUT_MS = 30_000
_RETRIES = 12

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    constituency TEXT NOT NULL CHECK (constituency IN ('patient_carer', 'staff', 'both')),
    setting TEXT,
    text TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'web'
);
CREATE TABLE IF NOT EXISTS topics (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    title TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS topic_links (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    submission_uid TEXT NOT NULL REFERENCES submissions(uid),
    topic_id INTEGER NOT NULL REFERENCES topics(id)
);
CREATE TABLE IF NOT EXISTS ballots (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    constituency TEXT NOT NULL CHECK (constituency IN ('patient_carer', 'staff', 'both'))
);
CREATE TABLE IF NOT EXISTS ballot_ranks (
    ballot_id INTEGER NOT NULL REFERENCES ballots(id),
    topic_id INTEGER NOT NULL REFERENCES topics(id),
    rank INTEGER NOT NULL CHECK (rank >= 1),
    PRIMARY KEY (ballot_id, topic_id)
);
CREATE TABLE IF NOT EXISTS group_rankings (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    round INTEGER NOT NULL,
    group_name TEXT NOT NULL,
    ranking TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
"""
_APPEND_ONLY = ("submissions", "topic_links", "ballots", "ballot_ranks", "group_rankings", "audit")


def _triggers() -> list[str]:
    out = []
    for table in _APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            out.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    return out


def default_db_path() -> Path:
    """The database file: ``$SAFERCARE_PRIORITIES_DB`` if set, else the default in the home."""
    value = os.environ.get(DB_ENV_VAR, "").strip()
    if value:
        return Path(value).expanduser()
    return Path.home() / ".safercare" / "priorities.sqlite3"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


@dataclass(frozen=True)
class SubmitResult:
    """What happened to a submission.

    Attributes:
        ok: true when it is stored (or was already stored under the same ``uid``).
        message: a plain-English line to show the person.
        uid: the submission's id when stored.
        reasons: the privacy screen's reason codes when refused.
    """

    ok: bool
    message: str
    uid: str | None = None
    reasons: tuple[str, ...] = ()


class PrioritiesStore:
    """One workshop's suggestions, topics, votes, group rankings and audit log.

    Every method opens its own short connection, so one store object is safe to share
    between widgets, threads and (by path) processes.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path) if path is not None else default_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
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
        """Run ``action``, retrying with a growing, jittered pause while the file is busy."""
        for attempt in range(_RETRIES):
            try:
                return action()
            except sqlite3.OperationalError as error:
                if not _is_busy(error) or attempt == _RETRIES - 1:
                    raise
                time.sleep(min(0.02 * 2**attempt, 1.0) * (0.5 + random.random()))
        raise AssertionError("unreachable")  # pragma: no cover

    def _write(self, body: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``body`` in one ``BEGIN IMMEDIATE`` transaction, with retries when busy."""

        def attempt() -> T:
            with self._connect() as con:
                con.execute("BEGIN IMMEDIATE")
                try:
                    result = body(con)
                except BaseException:
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
            mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # pragma: no cover - e.g. a network drive
                raise DataError(
                    Problem(None, None, "the database could not switch to WAL mode",
                            f"put the file on a local disk (set {DB_ENV_VAR})", value=str(mode))
                )
            statements = [s for s in _SCHEMA.split(";") if s.strip()] + _triggers()
            con.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements:
                    con.execute(statement)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    @staticmethod
    def _audit(con: sqlite3.Connection, action: str, detail: Mapping[str, object]) -> None:
        con.execute(
            "INSERT INTO audit (at, action, detail) VALUES (?, ?, ?)",
            (_now(), action, json.dumps(detail, sort_keys=True, ensure_ascii=False)),
        )

    def log(self, action: str, **detail: object) -> None:
        """Add one line to the audit log (for steps that change nothing else)."""
        self._write(lambda con: self._audit(con, action, detail))

    # -- writing ------------------------------------------------------------------------
    def submit_suggestion(
        self,
        text: str,
        constituency: str,
        setting: str | None = None,
        *,
        source: str = "web",
        uid: str | None = None,
    ) -> SubmitResult:
        """Screen and store one suggestion; refused text is never stored.

        ``source`` is ``"web"`` or ``"paper"`` (keyed in by a facilitator from the printed
        form). Returns a :class:`SubmitResult` whose message is ready to show.
        """
        if constituency not in CONSTITUENCY_LABELS:
            return SubmitResult(False, "Please choose who you are: a patient or carer, a member "
                                "of staff, or both.", reasons=("no_constituency",))
        if setting is not None and setting not in SETTINGS:
            setting = "Other"
        screening = screen_text(text)
        if not screening.ok:
            self.log("suggestion_refused", reasons=list(screening.reasons), source=source)
            return SubmitResult(False, screening.message, reasons=screening.reasons)
        uid = uid or uuid.uuid4().hex

        def body(con: sqlite3.Connection) -> bool:
            cur = con.execute(
                "INSERT OR IGNORE INTO submissions (uid, created_at, constituency, setting, text,"
                " source) VALUES (?, ?, ?, ?, ?, ?)",
                (uid, _now(), constituency, setting, text, source),
            )
            if cur.rowcount:
                self._audit(con, "suggestion_saved",
                            {"uid": uid, "constituency": constituency, "source": source})
            return bool(cur.rowcount)

        self._write(body)
        return SubmitResult(True, "Thank you. Your idea has been saved.", uid=uid)

    def add_topic(
        self, title: str, description: str = "", suggestion_uids: Iterable[str] = ()
    ) -> int:
        """Add a candidate topic (a facilitator step) and link suggestions to it; returns its id.

        Adding a topic whose title already exists returns the existing topic's id and only
        adds the links.
        """
        title = " ".join(str(title).split())
        screening = screen_text(title + " " + description, min_length=1)
        if not title or not screening.ok:
            raise DataError(Problem(None, "title", screening.message or "the title is blank",
                                    "give the topic a short title with no personal details",
                                    value=title))
        uids = list(suggestion_uids)

        def body(con: sqlite3.Connection) -> int:
            row = con.execute("SELECT id FROM topics WHERE title = ?", (title,)).fetchone()
            if row is None:
                cur = con.execute(
                    "INSERT INTO topics (created_at, title, description) VALUES (?, ?, ?)",
                    (_now(), title, description),
                )
                topic_id = int(cur.lastrowid or 0)
                self._audit(con, "topic_created", {"topic_id": topic_id, "title": title})
            else:
                topic_id = int(row[0])
            self._link(con, topic_id, uids)
            return topic_id

        return self._write(body)

    def _link(self, con: sqlite3.Connection, topic_id: int, uids: Sequence[str]) -> None:
        if not uids:
            return
        known = {r[0] for r in con.execute(
            f"SELECT uid FROM submissions WHERE uid IN ({','.join('?' * len(uids))})", list(uids))}
        missing = [u for u in uids if u not in known]
        if missing:
            raise DataError(Problem(None, "suggestion", "this suggestion is not in the database",
                                    "choose suggestions from the list", value=missing[0]))
        now = _now()
        con.executemany(
            "INSERT INTO topic_links (created_at, submission_uid, topic_id) VALUES (?, ?, ?)",
            [(now, u, topic_id) for u in uids],
        )
        self._audit(con, "suggestions_linked", {"topic_id": topic_id, "uids": list(uids)})

    def link_suggestions(self, topic_id: int, suggestion_uids: Iterable[str]) -> None:
        """Merge suggestions into a topic (a later link supersedes an earlier one)."""
        uids = list(suggestion_uids)
        self._write(lambda con: self._link(con, topic_id, uids))

    def cast_vote(
        self,
        constituency: str,
        ranking: Mapping[int, int] | Sequence[int],
        *,
        uid: str | None = None,
    ) -> SubmitResult:
        """Store one interim vote: topic ids in order (best first) or a topic id → rank mapping."""
        if constituency not in CONSTITUENCY_LABELS:
            return SubmitResult(False, "Please choose who you are: a patient or carer, a member "
                                "of staff, or both.", reasons=("no_constituency",))
        ranks = dict(ranking) if isinstance(ranking, Mapping) else {
            int(t): i for i, t in enumerate(ranking, start=1)}
        if not ranks:
            return SubmitResult(False, "Please choose at least one topic before you send your "
                                "vote.", reasons=("empty",))
        if len(ranks) > MAX_RANKS:
            return SubmitResult(False, f"Please choose no more than {MAX_RANKS} topics.",
                                reasons=("too_many",))
        uid = uid or uuid.uuid4().hex

        def body(con: sqlite3.Connection) -> None:
            known = {r[0] for r in con.execute("SELECT id FROM topics")}
            unknown = [t for t in ranks if t not in known]
            if unknown:
                raise DataError(Problem(None, "topic", "this topic is not on the list",
                                        "choose topics from the list", value=str(unknown[0])))
            cur = con.execute(
                "INSERT OR IGNORE INTO ballots (uid, created_at, constituency) VALUES (?, ?, ?)",
                (uid, _now(), constituency),
            )
            if not cur.rowcount:
                return
            ballot_id = cur.lastrowid
            con.executemany(
                "INSERT INTO ballot_ranks (ballot_id, topic_id, rank) VALUES (?, ?, ?)",
                [(ballot_id, int(t), int(r)) for t, r in ranks.items()],
            )
            self._audit(con, "vote_cast",
                        {"uid": uid, "constituency": constituency, "topics": len(ranks)})

        self._write(body)
        return SubmitResult(True, "Thank you. Your vote has been counted.", uid=uid)

    def record_groups(self, round_number: int, groups: Mapping[str, int], seed: int) -> None:
        """Log a round's group allocation (so the room can be re-created exactly)."""
        self.log("groups_allocated", round=round_number, seed=seed, groups=dict(groups))

    def record_group_ranking(
        self, round_number: int, group_name: str, ranking: Mapping[str, int],
        *, uid: str | None = None,
    ) -> None:
        """Store one group's ranking of the shortlist (topic title → rank) for a round."""
        uid = uid or uuid.uuid4().hex

        def body(con: sqlite3.Connection) -> None:
            cur = con.execute(
                "INSERT OR IGNORE INTO group_rankings (uid, created_at, round, group_name, ranking)"
                " VALUES (?, ?, ?, ?, ?)",
                (uid, _now(), int(round_number), str(group_name),
                 json.dumps(dict(ranking), sort_keys=True, ensure_ascii=False)),
            )
            if cur.rowcount:
                self._audit(con, "group_ranking_recorded",
                            {"round": int(round_number), "group": str(group_name)})

        self._write(body)

    # -- reading ------------------------------------------------------------------------
    def suggestions(self) -> pd.DataFrame:
        """Every stored suggestion with its current topic (the latest link), oldest first."""
        return self._read(
            "SELECT s.id, s.uid, s.created_at, s.constituency, s.setting, s.text, s.source,"
            " t.id AS topic_id, t.title AS topic FROM submissions s"
            " LEFT JOIN (SELECT submission_uid, topic_id, MAX(id) AS link_id FROM topic_links"
            "            GROUP BY submission_uid) l ON l.submission_uid = s.uid"
            " LEFT JOIN topics t ON t.id = l.topic_id ORDER BY s.id"
        )

    def topics(self) -> pd.DataFrame:
        """The long list: topic id, title, description and how many suggestions it gathers."""
        table = self._read("SELECT id, title, description, created_at FROM topics ORDER BY title")
        links = self.suggestions()
        counts = links.groupby("topic_id").size() if len(links) else pd.Series(dtype=int)
        table["suggestions"] = table["id"].map(counts).fillna(0).astype(int)
        return table

    def ballots(self) -> list[Ballot]:
        """Every interim vote as a :class:`~safercare.priorities.scoring.Ballot` keyed by title."""
        rows = self._read(
            "SELECT b.id, b.constituency, t.title, r.rank FROM ballots b"
            " JOIN ballot_ranks r ON r.ballot_id = b.id JOIN topics t ON t.id = r.topic_id"
            " ORDER BY b.id, r.rank"
        )
        out = []
        for _, group in rows.groupby("id", sort=True):
            out.append(Ballot(group["constituency"].iat[0],
                              dict(zip(group["title"], group["rank"].astype(int), strict=True))))
        return out

    def group_rankings(self, round_number: int | None = None) -> dict[int, dict[str, dict]]:
        """Group rankings per round: round → group → (topic → rank); the latest entry wins."""
        table = self._read("SELECT round, group_name, ranking FROM group_rankings ORDER BY id")
        out: dict[int, dict[str, dict]] = {}
        for r, g, ranking in table.itertuples(index=False):
            if round_number is None or int(r) == round_number:
                out.setdefault(int(r), {})[g] = json.loads(ranking)
        return out

    def participation(self) -> pd.DataFrame:
        """How many suggestions and votes came from each constituency."""
        s = self._read("SELECT constituency, COUNT(*) AS n FROM submissions GROUP BY constituency")
        b = self._read("SELECT constituency, COUNT(*) AS n FROM ballots GROUP BY constituency")
        table = pd.DataFrame({"constituency": list(CONSTITUENCY_LABELS)})
        table["label"] = table["constituency"].map(CONSTITUENCY_LABELS)
        table["suggestions"] = table["constituency"].map(
            dict(zip(s["constituency"], s["n"], strict=True))).fillna(0).astype(int)
        table["votes"] = table["constituency"].map(
            dict(zip(b["constituency"], b["n"], strict=True))).fillna(0).astype(int)
        return table

    def audit_log(self) -> pd.DataFrame:
        """Every step, oldest first: time, action and details (JSON)."""
        return self._read("SELECT id, at, action, detail FROM audit ORDER BY id")

    # -- export -------------------------------------------------------------------------
    def export_csv(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write suggestions, topics, votes, group rankings and the audit log as CSV files.

        Cells that a spreadsheet would run as a formula (starting with =, +, -, @) are
        prefixed with an apostrophe, so an exported suggestion can never run in Excel.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        votes = self._read(
            "SELECT b.uid AS ballot, b.created_at, b.constituency, t.id AS topic_id,"
            " t.title AS topic, r.rank FROM ballots b JOIN ballot_ranks r ON r.ballot_id = b.id"
            " JOIN topics t ON t.id = r.topic_id ORDER BY b.id, r.rank"
        )
        tables = {
            "suggestions": self.suggestions(),
            "topics": self.topics(),
            "votes": votes,
            "group_rankings": self._read("SELECT * FROM group_rankings ORDER BY id"),
            "audit": self.audit_log(),
        }
        paths = []
        for name, table in tables.items():
            path = folder / f"{name}.csv"
            safe = table.astype(object).map(_csv_safe)
            safe.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
            paths.append(path)
        self.log("exported_csv", files=[p.name for p in paths])
        return paths


def _csv_safe(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
