"""The workshop's database: one SQLite file, append-only, safe with many people at once.

It is built on :class:`safercare.live.store.AppendOnlyStore`, the one live-capture core
(WAL, retries, transactions, audit log, plain errors, receipts, formula-safe CSV); this module
adds the workshop's tables and checks. Its generic names are re-exported from here.

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

A save that fails says so
    A confirmation ("Your idea has been saved. Your receipt is I12-4F2A.") is written only
    after ``COMMIT`` returned, from the committed row (its number and the start of its id).
    Anything that stops a save — a full disk, a read-only or vanished file, a damaged file,
    text that cannot be encoded (a lone surrogate from a broken paste), a file busy for too
    long — becomes a :class:`StoreError` (a :class:`~safercare.errors.DataError`) with plain
    words, and :meth:`PrioritiesStore.submit_suggestion` and
    :meth:`~PrioritiesStore.cast_vote` return it as "… has NOT been saved, because …".

Opening checks the file and never overwrites it
    A folder, a file that is not SQLite, a SQLite file of something else, a damaged file
    (``PRAGMA quick_check``) and one that cannot be written are each refused with one
    :class:`StoreError` before anything is written; the file is left byte for byte.

One vote per voting code
    :meth:`PrioritiesStore.issue_vote_codes` makes one-time codes for the facilitator to
    print; only a keyed hash of each is stored. Once codes exist, a vote needs an unused one,
    and its use is stored in the ballot's own transaction, so a code counts once however
    often it is sent. Codes do not say who anyone is.

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

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

import pandas as pd

from safercare.errors import DataError, Problem
from safercare.live.store import (
    AppendOnlyStore,
    StoreError,
    SubmitResult,
    csv_safe,
    not_saved,
    receipt,
    write_csv_tables,
)
from safercare.live.store import now as _now
from safercare.live.store import unstorable as _unstorable
from safercare.priorities.privacy import screen_text
from safercare.priorities.scoring import CONSTITUENCY_LABELS, MAX_RANKS, Ballot

__all__ = [
    "DB_ENV_VAR",
    "SETTINGS",
    "AppendOnlyStore",
    "PrioritiesStore",
    "StoreError",
    "SubmitResult",
    "csv_safe",
    "default_db_path",
    "normalise_code",
    "not_saved",
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
CREATE TABLE IF NOT EXISTS vote_codes (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    code_hash TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS vote_code_uses (
    id INTEGER PRIMARY KEY,
    used_at TEXT NOT NULL,
    code_hash TEXT NOT NULL UNIQUE REFERENCES vote_codes(code_hash),
    ballot_uid TEXT NOT NULL REFERENCES ballots(uid)
);
"""


def default_db_path() -> Path:
    """The database file: ``$SAFERCARE_PRIORITIES_DB`` if set, else the default in the home."""
    value = os.environ.get(DB_ENV_VAR, "").strip()
    if value:
        return Path(value).expanduser()
    return Path.home() / ".safercare" / "priorities.sqlite3"



#: Letters and digits of a voting code: no 0/O, 1/I/L, so a code read aloud or from paper is
#: typed right (32 symbols, 8 per code: 40 bits, about a million million codes).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
#: The most voting codes made at once.
MAX_CODES = 2000


def normalise_code(code: str) -> str:
    """A typed code in its stored form: full-width letters folded, case and spaces ignored."""
    folded = unicodedata.normalize("NFKC", str(code)).upper()
    return "".join(ch for ch in folded if ch in CODE_ALPHABET)


def _hash_code(salt: str, code: str) -> str:
    return hmac.new(bytes.fromhex(salt), normalise_code(code).encode("ascii"),
                    hashlib.sha256).hexdigest()


class PrioritiesStore(AppendOnlyStore):
    """One workshop's suggestions, topics, votes, group rankings and audit log.

    Every method opens its own short connection, so one store object is safe to share
    between widgets, threads and (by path) processes.
    """

    SCHEMA: ClassVar[str] = _SCHEMA
    ENV_VAR: ClassVar[str | None] = DB_ENV_VAR
    APPEND_ONLY: ClassVar[tuple[str, ...]] = (
        "submissions", "topic_links", "ballots", "ballot_ranks", "group_rankings",
        "vote_codes", "vote_code_uses")

    def __init__(self, path: str | os.PathLike[str] | None = None):
        super().__init__(path if path is not None else default_db_path())

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
        unstorable = _unstorable(text)
        if unstorable is not None:
            return SubmitResult(False, not_saved("Your idea", unstorable),
                                reasons=("not_saved", "encoding"))
        screening = screen_text(text)
        if not screening.ok:
            message = screening.message
            try:
                self.log("suggestion_refused", reasons=list(screening.reasons), source=source)
            except StoreError as error:
                message += (f" (Also, the workshop's record could not be written, because "
                            f"{error.reason}: please tell the person running the workshop.)")
            return SubmitResult(False, message, reasons=screening.reasons)
        uid = uid or uuid.uuid4().hex

        def body(con: sqlite3.Connection) -> int:
            cur = con.execute(
                "INSERT OR IGNORE INTO submissions (uid, created_at, constituency, setting, text,"
                " source) VALUES (?, ?, ?, ?, ?, ?)",
                (uid, _now(), constituency, setting, text, source),
            )
            if cur.rowcount:
                self._audit(con, "suggestion_saved",
                            {"uid": uid, "constituency": constituency, "source": source})
            row = con.execute("SELECT id FROM submissions WHERE uid = ?", (uid,)).fetchone()
            return int(row[0])

        try:
            row_id = self._write(body)
        except StoreError as error:
            return SubmitResult(False, not_saved("Your idea", error), reasons=("not_saved",),
                                detail=str(error))
        code = receipt("I", row_id, uid)
        return SubmitResult(True, f"Thank you. Your idea has been saved. Your receipt is {code}.",
                            uid=uid, receipt=code)

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
        code: str | None = None,
        uid: str | None = None,
    ) -> SubmitResult:
        """Store one interim vote: topic ids in order (best first) or a topic id → rank mapping.

        Once the facilitator has made voting codes (:meth:`issue_vote_codes`), every vote needs
        an unused ``code``: the code's use and the ballot are stored in one transaction, so a
        code counts once however often it is sent (a refused attempt is audited, with its
        reason only). Sending again with the same ``uid`` (a double click) stores nothing new
        and returns the first receipt.
        """
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

        def body(con: sqlite3.Connection) -> SubmitResult:
            known = {r[0] for r in con.execute("SELECT id FROM topics")}
            unknown = [t for t in ranks if t not in known]
            if unknown:
                raise DataError(Problem(None, "topic", "this topic is not on the list",
                                        "choose topics from the list", value=str(unknown[0])))
            row = con.execute("SELECT id FROM ballots WHERE uid = ?", (uid,)).fetchone()
            if row is not None:  # sent again: already counted once
                return self._counted(int(row[0]), uid)
            code_hash = None
            if con.execute("SELECT 1 FROM vote_codes LIMIT 1").fetchone() is not None:
                refusal = self._check_code(con, code)
                if isinstance(refusal, SubmitResult):
                    self._audit(con, "vote_refused", {"reasons": list(refusal.reasons)})
                    return refusal
                code_hash = refusal
            cur = con.execute(
                "INSERT INTO ballots (uid, created_at, constituency) VALUES (?, ?, ?)",
                (uid, _now(), constituency),
            )
            ballot_id = int(cur.lastrowid or 0)
            con.executemany(
                "INSERT INTO ballot_ranks (ballot_id, topic_id, rank) VALUES (?, ?, ?)",
                [(ballot_id, int(t), int(r)) for t, r in ranks.items()],
            )
            if code_hash is not None:
                con.execute("INSERT INTO vote_code_uses (used_at, code_hash, ballot_uid)"
                            " VALUES (?, ?, ?)", (_now(), code_hash, uid))
            self._audit(con, "vote_cast", {"uid": uid, "constituency": constituency,
                                           "topics": len(ranks), "code": code_hash is not None})
            return self._counted(ballot_id, uid)

        try:
            return self._write(body)
        except StoreError as error:
            return SubmitResult(False, not_saved("Your vote", error), reasons=("not_saved",),
                                detail=str(error))

    @staticmethod
    def _counted(ballot_id: int, uid: str) -> SubmitResult:
        code = receipt("V", ballot_id, uid)
        return SubmitResult(True, f"Thank you. Your vote has been counted. Your receipt is "
                            f"{code}.", uid=uid, receipt=code)

    def _check_code(self, con: sqlite3.Connection, code: str | None) -> str | SubmitResult:
        """The code's hash if it is known and unused, else the refusal to show."""
        typed = normalise_code(code or "")
        if not typed:
            return SubmitResult(False, "Please type the voting code from your slip. Your vote "
                                "has NOT been counted yet.", reasons=("no_code",))
        salt = self._setting(con, "vote_code_salt")
        code_hash = _hash_code(salt or "", typed) if salt else ""
        if con.execute("SELECT 1 FROM vote_codes WHERE code_hash = ?", (code_hash,)).fetchone() \
                is None:
            return SubmitResult(False, "We do not know that voting code, so your vote has NOT "
                                "been counted. Please check the code on your slip and type it "
                                "again.", reasons=("unknown_code",))
        if con.execute("SELECT 1 FROM vote_code_uses WHERE code_hash = ?", (code_hash,)) \
                .fetchone() is not None:
            return SubmitResult(False, "This voting code has already been used, so this vote has "
                                "NOT been counted. Each code counts once. If you have not voted "
                                "yet, ask the person running the workshop for a new code.",
                                reasons=("code_used",))
        return code_hash

    def issue_vote_codes(self, n: int) -> list[str]:
        """Make ``n`` new one-time voting codes (such as ``K7QM-2XDP``) and return them.

        Only a keyed hash of each code is stored (HMAC-SHA-256 with a random key kept in the
        file), so the file and its CSV export never hold a code that could still be used: the
        returned list is the only copy, to be printed (:func:`~safercare.priorities.report.
        vote_code_sheet`) and handed out, one slip per person. Once any code exists, every
        vote needs one.
        """
        if not 1 <= int(n) <= MAX_CODES:
            raise DataError(Problem(None, "number of codes", "this is not a number of codes we "
                                    "can make", f"choose a number from 1 to {MAX_CODES}",
                                    value=str(n)))
        codes = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                 for _ in range(int(n))]

        def body(con: sqlite3.Connection) -> None:
            salt = self._setting(con, "vote_code_salt")
            if salt is None:
                salt = secrets.token_hex(16)
                self._set_setting(con, "vote_code_salt", salt)
            now = _now()
            con.executemany("INSERT INTO vote_codes (created_at, code_hash) VALUES (?, ?)",
                            [(now, _hash_code(salt, c)) for c in codes])
            self._audit(con, "vote_codes_issued", {"n": len(codes)})

        self._write(body)
        return [f"{c[:4]}-{c[4:]}" for c in codes]

    def vote_code_counts(self) -> dict[str, int]:
        """How many voting codes were made and used, and how many votes were refused for a
        missing, unknown or already used code (for the facilitator's page)."""
        made = self._read("SELECT COUNT(*) AS n FROM vote_codes")["n"].iat[0]
        used = self._read("SELECT COUNT(*) AS n FROM vote_code_uses")["n"].iat[0]
        refused = self._read("SELECT COUNT(*) AS n FROM audit WHERE action = 'vote_refused'")
        return {"made": int(made), "used": int(used), "refused": int(refused["n"].iat[0])}

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

    # -- export -------------------------------------------------------------------------
    def export_csv(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write suggestions, topics, votes, group rankings and the audit log as CSV files.

        Cells that a spreadsheet would run as a formula (starting with =, +, -, @) are
        prefixed with an apostrophe, so an exported suggestion can never run in Excel.
        """
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
        paths = write_csv_tables(folder, tables)
        self.log("exported_csv", files=[p.name for p in paths])
        return paths
