"""The workshop database: append-only, audited, exportable, crash-safe and concurrent-safe."""

from __future__ import annotations

import csv
import multiprocessing as mp
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from safercare.priorities.scoring import Ballot
from safercare.priorities.store import DB_ENV_VAR, PrioritiesStore, default_db_path

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
