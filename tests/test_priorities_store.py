"""The workshop database: append-only, audited, exportable, crash-safe and concurrent-safe."""

from __future__ import annotations

import csv
import hashlib
import multiprocessing as mp
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from safercare.errors import DataError
from safercare.priorities import store as store_module
from safercare.priorities.scoring import Ballot, interim_scores
from safercare.priorities.store import (
    DB_ENV_VAR,
    PrioritiesStore,
    StoreError,
    csv_safe,
    default_db_path,
)

PROCESSES = 8
PER_PROCESS = 50


def test_the_path_is_set_in_one_place_with_an_env_override(tmp_path, monkeypatch):
    monkeypatch.setenv(DB_ENV_VAR, str(tmp_path / "x" / "w.sqlite3"))
    assert default_db_path() == tmp_path / "x" / "w.sqlite3"
    store = PrioritiesStore()
    assert store.path == tmp_path / "x" / "w.sqlite3" and store.path.exists()
    monkeypatch.delenv(DB_ENV_VAR)
    assert default_db_path() == Path.home() / ".safercare" / "priorities.sqlite3"


def test_wal_mode_and_append_only_tables(tmp_path):
    store = PrioritiesStore(tmp_path / "p.sqlite3")
    store.submit_suggestion("Teach safe handover", "staff")
    con = sqlite3.connect(store.path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        for sql in ("UPDATE submissions SET text = 'changed'", "DELETE FROM submissions",
                    "DELETE FROM audit"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                con.execute(sql)
            con.rollback()
    finally:
        con.close()
    assert store.suggestions()["text"].tolist() == ["Teach safe handover"]


def test_a_whole_workshop_round_trip_with_audit_and_csv(tmp_path):
    store = PrioritiesStore(tmp_path / "p.sqlite3")
    a = store.submit_suggestion("=HYPERLINK(\"x\") explain tablets", "patient_carer", "Hospital")
    b = store.submit_suggestion("Medicines at discharge", "staff", "GP practice")
    paper = store.submit_suggestion("Listen to carers", "both", None, source="paper")
    again = store.submit_suggestion("Medicines at discharge", "staff", uid=b.uid)  # double click
    assert a.ok and b.ok and paper.ok and again.ok and again.uid == b.uid
    meds = store.add_topic("Medicines at home", suggestion_uids=[a.uid, b.uid])
    listen = store.add_topic("Listening to carers", suggestion_uids=[paper.uid])
    store.link_suggestions(listen, [a.uid])  # a facilitator moves an idea; the old link stays
    ideas = store.suggestions().set_index("uid")
    assert len(ideas) == 3
    assert ideas.at[a.uid, "topic"] == "Listening to carers"
    assert ideas.at[paper.uid, "source"] == "paper"
    assert store.topics().set_index("title")["suggestions"].to_dict() == {
        "Listening to carers": 2, "Medicines at home": 1}
    v1 = store.cast_vote("staff", [meds, listen])
    store.cast_vote("staff", {meds: 1}, uid=v1.uid)  # resent: stored once
    store.cast_vote("patient_carer", [listen])
    assert store.ballots() == [
        Ballot("staff", {"Medicines at home": 1, "Listening to carers": 2}),
        Ballot("patient_carer", {"Listening to carers": 1}),
    ]
    assert not store.cast_vote("staff", []).ok
    assert not store.cast_vote("staff", list(range(1, 12))).ok
    store.record_groups(1, {"P01": 1, "S01": 1}, seed=3)
    store.record_group_ranking(1, "Group 1", {"Medicines at home": 2, "Listening to carers": 1})
    assert store.group_rankings() == {
        1: {"Group 1": {"Listening to carers": 1, "Medicines at home": 2}}}
    p = store.participation().set_index("constituency")
    assert p["suggestions"].to_dict() == {"patient_carer": 1, "staff": 1, "both": 1}
    assert p["votes"].to_dict() == {"patient_carer": 1, "staff": 1, "both": 0}
    paths = store.export_csv(tmp_path / "out")
    assert [x.name for x in paths] == ["suggestions.csv", "topics.csv", "votes.csv",
                                       "group_rankings.csv", "audit.csv"]
    with open(paths[0], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["text"].startswith("'=HYPERLINK")  # formula neutralised for spreadsheets
    actions = store.audit_log()["action"].tolist()
    assert actions == [
        "suggestion_saved", "suggestion_saved", "suggestion_saved",
        "topic_created", "suggestions_linked", "topic_created", "suggestions_linked",
        "suggestions_linked", "vote_cast", "vote_cast", "groups_allocated",
        "group_ranking_recorded", "exported_csv",
    ]


_CRASH = """
import os, sys
from safercare.priorities.store import PrioritiesStore
store = PrioritiesStore(sys.argv[1])
for i in range(5):
    store.submit_suggestion(f"Committed idea number {i}", "staff", uid=f"ok-{i}")
def body(con):
    con.execute("INSERT INTO submissions (uid, created_at, constituency, text)"
                " VALUES ('half', 'now', 'staff', 'half written')")
    os._exit(1)  # the process dies mid-transaction, before COMMIT
store._write(body)
"""


def test_nothing_is_lost_or_half_written_after_a_crash_mid_write(tmp_path):
    db = tmp_path / "crash.sqlite3"
    run = subprocess.run([sys.executable, "-c", _CRASH, str(db)], capture_output=True, timeout=60)
    assert run.returncode == 1
    store = PrioritiesStore(db)
    ideas = store.suggestions()
    assert sorted(ideas["uid"]) == [f"ok-{i}" for i in range(5)]
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    assert store.submit_suggestion("After the crash", "staff").ok


def _submitter(db: str, proc: int, start: object) -> None:
    start.wait()
    store = PrioritiesStore(db)
    for i in range(PER_PROCESS):
        uid = f"p{proc}-{i}"
        result = store.submit_suggestion(f"Idea {i} from session {proc}", "staff", uid=uid)
        assert result.ok
        if i % 10 == 0:  # a double click: the same submission sent again
            store.submit_suggestion(f"Idea {i} from session {proc}", "staff", uid=uid)
        store.cast_vote("patient_carer" if proc % 2 else "staff", [1], uid=f"v{proc}-{i}")


def test_concurrent_submissions_from_many_processes_all_land_exactly_once(tmp_path):
    db = str(tmp_path / "busy.sqlite3")
    store = PrioritiesStore(db)
    store.add_topic("Preventing falls")
    ctx = mp.get_context("fork")
    start = ctx.Event()
    procs = [ctx.Process(target=_submitter, args=(db, p, start)) for p in range(PROCESSES)]
    for p in procs:
        p.start()
    t0 = time.perf_counter()
    start.set()
    for p in procs:
        p.join(timeout=120)
    seconds = time.perf_counter() - t0
    assert [p.exitcode for p in procs] == [0] * PROCESSES
    ideas = store.suggestions()
    expected = {f"p{p}-{i}" for p in range(PROCESSES) for i in range(PER_PROCESS)}
    stored = ideas["uid"].tolist()
    lost = expected - set(stored)
    duplicates = len(stored) - len(set(stored))
    print(f"\nconcurrency: {PROCESSES} processes x {PER_PROCESS} submissions = {len(expected)} sent"
          f" (+{PROCESSES * PER_PROCESS // 10} resent); stored {len(stored)};"
          f" lost {len(lost)}; duplicates {duplicates}; votes {len(store.ballots())};"
          f" {seconds:.1f} s")
    assert not lost and duplicates == 0 and len(stored) == len(expected)
    assert len(store.ballots()) == len(expected)
    log = store.audit_log()
    assert (log["action"] == "suggestion_saved").sum() == len(expected)
    assert (log["action"] == "vote_cast").sum() == len(expected)


# -- a save that fails must never look like a success ----------------------------------------

def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _damaged(tmp_path: Path) -> Path:
    """A real workshop file with garbage written over one of its middle pages."""
    db = tmp_path / "damaged.sqlite3"
    store = PrioritiesStore(db)
    for i in range(90):  # about 12 pages of 4 KiB
        assert store.submit_suggestion(f"Idea number {i} about safer handover " + "x" * 300,
                                       "staff").ok
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    data[5 * page: 6 * page] = b"\xa5" * page
    db.write_bytes(bytes(data))
    return db


def _foreign(tmp_path: Path) -> Path:
    db = tmp_path / "accounts.sqlite3"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    con.execute("INSERT INTO invoices (total) VALUES (12.5)")
    con.commit()
    con.close()
    return db


@pytest.mark.parametrize("make, words", [
    (lambda d: (d / "notes.sqlite3").write_text("Bring biscuits\n" * 50) and d / "notes.sqlite3",
     "this file is not a database"),
    (_damaged, "the database file is damaged"),
    (_foreign, "this database belongs to something else"),
    (lambda d: d, "this is a folder, not a database file"),
])
def test_a_file_that_is_not_a_good_workshop_database_is_refused_and_left_untouched(
        tmp_path, make, words):
    path = make(tmp_path)
    before = _digest(path) if path.is_file() else None
    with pytest.raises(StoreError) as caught:
        PrioritiesStore(path)
    message = str(caught.value)
    assert words in message and str(path) in message and "Traceback" not in message
    assert isinstance(caught.value, DataError) and caught.value.reason == words
    if before is not None:
        assert _digest(path) == before  # never recreated, repaired or written to
        assert not Path(str(path) + "-wal").exists()


def test_a_database_that_cannot_be_opened_or_written_is_refused(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="could not use the file or its folder"):
        PrioritiesStore(blocker / "w.sqlite3")
    db = tmp_path / "w.sqlite3"
    PrioritiesStore(db).submit_suggestion("Teach safe handover", "staff")
    before = _digest(db)
    _read_only(monkeypatch)
    with pytest.raises(StoreError, match="can only be read, not written"):
        PrioritiesStore(db)
    assert _digest(db) == before


_REAL_CONNECT = sqlite3.connect


def _read_only(monkeypatch) -> None:
    """Every new connection opens the file read-only (as on a read-only disk or share)."""
    def connect(path, *args, **kwargs):
        return _REAL_CONNECT(f"file:{path}?mode=ro", *args, uri=True, **kwargs)
    monkeypatch.setattr(store_module.sqlite3, "connect", connect)


class _FullDisk(sqlite3.Connection):
    """A connection on a disk with no room left: SQLite's own limit on the file's pages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pages = super().execute("PRAGMA page_count").fetchone()[0]
        super().execute(f"PRAGMA max_page_count = {max(pages, 1)}")


class _FailingAudit(sqlite3.Connection):
    """A connection whose audit-log writes fail as on a full disk."""

    table = "audit"

    def execute(self, sql, *args):
        if sql.startswith(f"INSERT INTO {self.table}") or sql.startswith(
                f"INSERT OR IGNORE INTO {self.table}"):
            raise sqlite3.OperationalError("database or disk is full")
        return super().execute(sql, *args)


class _FailingSubmission(_FailingAudit):
    table = "submissions"


def _factory(monkeypatch, factory) -> None:
    def connect(*args, **kwargs):
        return _REAL_CONNECT(*args, factory=factory, **kwargs)
    monkeypatch.setattr(store_module.sqlite3, "connect", connect)


def _nothing_new(db: Path, before: int) -> None:
    fresh = PrioritiesStore(db)
    assert len(fresh.suggestions()) == before and len(fresh.audit_log()) == before


@pytest.mark.parametrize("fault, words", [
    ("read_only", "can only be read, not written"),
    ("disk_full", "disk is full"),
    ("surrogate", "broken character"),
])
def test_a_suggestion_that_cannot_be_stored_is_reported_not_saved(tmp_path, monkeypatch,
                                                                  fault, words):
    db = tmp_path / "w.sqlite3"
    store = PrioritiesStore(db)
    assert store.submit_suggestion("Explain my medicines", "patient_carer").ok
    text = "Teach safe handover at night " + "x" * 400
    if fault == "read_only":
        _read_only(monkeypatch)
    elif fault == "disk_full":
        _factory(monkeypatch, _FailingSubmission)
    else:
        text = "Teach safe handover \ud800 at night"
    result = store.submit_suggestion(text, "staff")
    assert not result.ok and result.receipt is None and "not_saved" in result.reasons
    assert "has NOT been saved" in result.message and words in result.message
    assert "Thank you" not in result.message
    monkeypatch.undo()
    _nothing_new(db, 1)


def test_on_a_really_full_file_every_confirmation_is_stored_and_every_failure_is_not(tmp_path,
                                                                                   monkeypatch):
    db = tmp_path / "w.sqlite3"
    store = PrioritiesStore(db)
    _factory(monkeypatch, _FullDisk)  # SQLite's own SQLITE_FULL once the file must grow
    results = [store.submit_suggestion(f"Idea {i}: " + "teach safe handover " * 23, "staff")
               for i in range(30)]
    monkeypatch.undo()
    failed = [r for r in results if not r.ok]
    assert failed and all("disk is full" in r.message for r in failed)
    stored = set(PrioritiesStore(db).suggestions()["uid"])
    assert stored == {r.uid for r in results if r.ok}


def test_a_vote_that_cannot_be_stored_is_reported_not_counted(tmp_path, monkeypatch):
    db = tmp_path / "w.sqlite3"
    store = PrioritiesStore(db)
    topic = store.add_topic("Preventing falls")
    _read_only(monkeypatch)
    result = store.cast_vote("staff", [topic])
    assert not result.ok and "Your vote has NOT been saved" in result.message
    monkeypatch.undo()
    assert store.ballots() == []


def test_a_refusal_whose_audit_line_cannot_be_written_still_says_it_was_not_kept(
        tmp_path, monkeypatch):
    store = PrioritiesStore(tmp_path / "w.sqlite3")
    _factory(monkeypatch, _FailingAudit)
    result = store.submit_suggestion("My NHS number is 943 476 5919", "patient_carer")
    assert not result.ok and "nhs_number" in result.reasons
    assert "we do not keep personal details" in result.message
    assert "record could not be written" in result.message and "disk is full" in result.message
    monkeypatch.undo()
    assert store.suggestions().empty and store.audit_log().empty


def test_the_confirmation_comes_from_the_committed_row_with_a_receipt(tmp_path):
    store = PrioritiesStore(tmp_path / "w.sqlite3")
    first = store.submit_suggestion("Explain my medicines", "patient_carer", uid="abcd1234")
    again = store.submit_suggestion("Explain my medicines", "patient_carer", uid="abcd1234")
    assert first.receipt == again.receipt == "I1-ABCD"
    assert first.receipt in first.message and "has been saved" in first.message
    topic = store.add_topic("Medicines")
    vote = store.cast_vote("staff", [topic], uid="feed0000")
    assert vote.receipt == "V1-FEED" and "counted" in vote.message


# -- voting codes: one vote per code ----------------------------------------------------------

A, B, C, D, E = ("Listening to families", "Medicines at home", "Safe handover",
                 "Preventing falls", "Spotting deterioration")


def _genuine_ballots() -> list[tuple[str, list[str]]]:
    """48 genuine voters: 8 patients and carers, 40 staff."""
    return ([("patient_carer", [A, B, C])] * 5 + [("patient_carer", [B, A, E])] * 3
            + [("staff", [E, A, B, C])] * 20 + [("staff", [B, E, C, D])] * 12
            + [("staff", [C, A, D])] * 8)


def _places(ballots: list[Ballot]) -> dict[str, int]:
    table = interim_scores(ballots, topics=[A, B, C, D, E])
    return dict(zip(table["topic"], table["rank"].astype(int), strict=True))


def test_twenty_repeat_votes_with_one_code_count_once(tmp_path):
    store = PrioritiesStore(tmp_path / "w.sqlite3")
    ids = {t: store.add_topic(t) for t in (A, B, C, D, E)}
    codes = store.issue_vote_codes(49)
    for code, (who, order) in zip(codes, _genuine_ballots(), strict=False):
        assert store.cast_vote(who, [ids[t] for t in order], code=code).ok
    genuine = _places(store.ballots())
    # One person, one slip, 20 sends (a new page each time, so a new id each time).
    attacker = codes[48]
    sent = [store.cast_vote("patient_carer", [ids[E]], code=attacker) for _ in range(20)]
    assert sent[0].ok and not any(r.ok for r in sent[1:])
    assert {r.reasons for r in sent[1:]} == {("code_used",)}
    assert all("NOT been counted" in r.message for r in sent[1:])
    after = _places(store.ballots())
    assert len(store.ballots()) == 49
    assert after[E] == genuine[E] == 4 and after[B] == 1  # the one real extra vote: no change
    # Without the codes the same 20 ballots would have put that topic first:
    undefended = store.ballots()[:48] + [Ballot("patient_carer", {E: 1})] * 20
    assert _places(undefended)[E] == 1
    print(f"\nrepeat votes: '{E}' is {genuine[E]} of 5 with the 48 genuine votes; "
          f"{_places(undefended)[E]} if 20 repeats counted (no codes); {after[E]} with codes "
          f"(1 counted, {sum(not r.ok for r in sent)} refused). Places with codes: {after}")
    assert store.vote_code_counts() == {"made": 49, "used": 49, "refused": 19}


def test_voting_codes_are_checked_typed_loosely_and_stored_only_as_hashes(tmp_path):
    db = tmp_path / "w.sqlite3"
    store = PrioritiesStore(db)
    topic = store.add_topic("Preventing falls")
    assert store.cast_vote("staff", [topic]).ok  # no codes made yet: voting is open
    codes = store.issue_vote_codes(3)
    assert all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", c) for c in codes)
    assert len(set(codes)) == 3 and not set("01OIL") & set("".join(codes))
    no_code = store.cast_vote("staff", [topic])
    assert not no_code.ok and no_code.reasons == ("no_code",)
    assert store.cast_vote("staff", [topic], code="ABCD-EFGH").reasons == ("unknown_code",)
    full_width = codes[0].lower().replace("-", " ").translate(
        {ord(c): ord(c) + 0xFEE0 for c in "abcdefghjkmnpqrstuvwxyz23456789"})
    first = store.cast_vote("both", [topic], code=full_width, uid="same-page")
    assert first.ok
    assert store.cast_vote("both", [topic], code=full_width, uid="same-page") == first  # resent
    assert store.vote_code_counts()["used"] == 1 and len(store.ballots()) == 2
    export = store.export_csv(tmp_path / "out")
    stored = db.read_bytes() + b"".join(p.read_bytes() for p in export)
    for code in codes:
        assert code.replace("-", "").encode() not in stored and code.encode() not in stored
    with pytest.raises(DataError, match="from 1 to"):
        store.issue_vote_codes(0)


# -- CSV export: no formula can run in a spreadsheet ------------------------------------------

DANGEROUS = ["=1+1", "+1", "-1", "@SUM(A1)", " =1+1", "   +cmd", "\t=1", "\n=1", "\r\n-1",
             "\r=HYPERLINK(\"x\")", "\u00a0=1", "\u3000=1", "\u200b=1", "\ufeff=1",
             "＝1+1", "＋1", "－1", "＠SUM(A1)", "﹦1", "﹢1", "﹣1", "﹫x", "−1", "–1", "—1",
             "|calc", "%0A=1", "\tplain text after a tab"]
SAFE = ["Explain medicines", "3 falls a month", " a leading space is fine", "Ward C5 = busy",
        "“quoted”", ""]


@pytest.mark.parametrize("value", DANGEROUS)
def test_csv_cells_that_could_run_as_a_formula_are_neutralised(value):
    assert csv_safe(value) == "'" + value


@pytest.mark.parametrize("value", SAFE)
def test_csv_cells_of_ordinary_text_are_left_alone(value):
    assert csv_safe(value) == value
    assert csv_safe(7) == 7 and csv_safe(None) is None


def test_exported_suggestions_cannot_start_a_formula(tmp_path):
    store = PrioritiesStore(tmp_path / "w.sqlite3")
    texts = ["  =HYPERLINK(\"http://x\") explain tablets", "\n+SUM(1) handover",
             "＝cmd|' /C calc'!A0 medicines", "Explain my medicines"]
    for t in texts:
        assert store.submit_suggestion(t, "staff").ok
    paths = store.export_csv(tmp_path / "out")
    with open(paths[0], newline="", encoding="utf-8") as f:
        cells = [row["text"] for row in csv.DictReader(f)]
    assert cells == ["'" + t for t in texts[:3]] + [texts[3]]


def _same_code(db: str, code: str, proc: int, start: object) -> None:
    start.wait()
    store = PrioritiesStore(db)
    for i in range(10):
        store.cast_vote("patient_carer", [1], code=code, uid=f"p{proc}-{i}")


def test_one_code_sent_from_many_processes_at_once_counts_once(tmp_path):
    db = str(tmp_path / "race.sqlite3")
    store = PrioritiesStore(db)
    store.add_topic("Preventing falls")
    code = store.issue_vote_codes(1)[0]
    ctx = mp.get_context("fork")
    start = ctx.Event()
    procs = [ctx.Process(target=_same_code, args=(db, code, p, start)) for p in range(4)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * 4
    assert len(store.ballots()) == 1
    assert store.vote_code_counts() == {"made": 1, "used": 1, "refused": 39}
