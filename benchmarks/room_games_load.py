"""Does the room games' store take every table sending at once, with nothing lost or doubled?

``--tables`` tables (default 30) each send ``--results`` results (default 20: half red bead
days, half funnel drops) at the same time from ``--processes`` processes (default 6), each
with ``--threads`` threads (default 5), every result (or every ``--double-every``-th) sent
twice with the same idempotency key (a double click), into one fresh SQLite file. It then
checks that every result is stored exactly once, that every receipt a sender was shown is the
stored row's, and prints the wall time, results per second and the median, 95th percentile
and slowest time for one result (both sends of a double click).

Run from the repository root::

    .venv/bin/python benchmarks/room_games_load.py

``tests/test_room_games.py`` runs a smaller room (15 tables × 20 results) through
:func:`send_room`.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import queue
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from safercare.games.room_games import FUNNEL, RED_BEADS, RoomGameStore


@dataclass
class RoomRun:
    """What one concurrent room sent and what the store holds afterwards."""

    sent: int
    stored: int
    duplicates: int
    missing: int
    wrong_receipts: int
    refused: int
    seconds: float
    slowest_send: float
    median_send: float
    p95_send: float


def _name(i: int) -> str:
    return f"Table {i + 1} <b>&</b>" if i % 7 == 3 else f"Table {i + 1}"  # some carry HTML


def _jobs(table: int, results: int) -> list[tuple[str, dict[str, object]]]:
    """Half red bead days (at most ten), the rest funnel drops of the table's rule."""
    days = min(results // 2, 10)
    jobs: list[tuple[str, dict[str, object]]] = [
        ("red_beads", {"worker": _name(table), "day": d, "red": (table * 7 + d * 3) % 19})
        for d in range(1, days + 1)]
    jobs += [("funnel", {"name": _name(table), "rule": table % 4 + 1, "drop_number": k,
                         "x": f"{((table + k) % 9 - 4) / 2:.1f}", "y": f"{(k % 5 - 2):.1f}"})
             for k in range(1, results - days + 1)]
    return jobs


def _worker(db: str, tables: list[int], results: int, threads: int, double_every: int,
            start_at: float, out: mp.Queue) -> None:
    store = RoomGameStore(db)
    jobs = [(i, job) for t in tables for i, job in enumerate(_jobs(t, results))]

    def send(numbered: tuple[int, tuple[str, dict[str, object]]]
             ) -> tuple[str, str, str, float, bool]:
        i, (game, values) = numbered
        key = uuid.uuid4().hex
        began = time.perf_counter()
        first = store.submit(game, values, uid=key)
        again = store.submit(game, values, uid=key) if i % double_every == 0 else first
        took = time.perf_counter() - began
        same = first.ok and again.ok and first.receipt == again.receipt
        return (game, key, first.receipt or "", took, same)

    while time.time() < start_at:  # every process starts sending at the same moment
        time.sleep(0.001)
    with ThreadPoolExecutor(threads) as pool:
        out.put(list(pool.map(send, jobs)))


def send_room(db: Path, *, tables: int = 30, results: int = 20, processes: int = 6,
              threads: int = 5, double_every: int = 1) -> RoomRun:
    """Send ``tables`` × ``results`` results at once from several processes; check the store.

    Every ``double_every``-th result of a table is sent twice with the same key (a double
    click); 1 sends every result twice.
    """
    RoomGameStore(db)  # create the file before the rush
    context = mp.get_context("spawn")
    out: mp.Queue = context.Queue()
    start_at = time.time() + 3.0  # time for the spawned interpreters to start
    workers = [context.Process(target=_worker, args=(str(db), list(range(p, tables, processes)),
                                                     results, threads, double_every,
                                                     start_at, out))
               for p in range(processes)]
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:  # spawned workers import this module by name
        sys.path.insert(0, here)
    for worker in workers:
        worker.start()
    replies: list[tuple] = []
    done = 0
    deadline = time.monotonic() + 600
    while done < len(workers):
        try:
            replies += out.get(timeout=1)
            done += 1
        except queue.Empty:
            dead = [w.exitcode for w in workers if w.exitcode not in (None, 0)]
            if dead or time.monotonic() > deadline:
                for worker in workers:
                    worker.kill()
                raise RuntimeError(f"a sending process failed (exit codes {dead})") from None
    for worker in workers:
        worker.join(timeout=60)
    seconds = time.time() - start_at
    times = [took for *_, took, _ in replies]
    store = RoomGameStore(db)
    receipts: dict[str, str] = {}
    wanted = stored = duplicates = 0
    for game in (RED_BEADS, FUNNEL):
        rows = store.results(game)
        stored += len(rows)
        duplicates += int(rows.duplicated(list(game.identity)).sum())
        receipts.update(zip(rows["uid"], rows["receipt"], strict=True))
        wanted += sum(1 for t in range(tables) for g, _ in _jobs(t, results) if g == game.key)
    return RoomRun(
        sent=len(replies),
        stored=stored,
        duplicates=duplicates,
        missing=wanted - stored + duplicates,
        wrong_receipts=sum(receipts.get(key) != receipt or not same
                           for _, key, receipt, _, same in replies),
        refused=sum(not receipt for _, _, receipt, _, _ in replies),
        seconds=seconds,
        slowest_send=max(times),
        median_send=float(np.median(times)),
        p95_send=float(np.quantile(times, 0.95)),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=30)
    parser.add_argument("--results", type=int, default=20)
    parser.add_argument("--processes", type=int, default=6)
    parser.add_argument("--threads", type=int, default=5)
    parser.add_argument("--double-every", type=int, default=1,
                        help="send every Nth result twice (default 1: every result)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        run = send_room(Path(folder) / "room.sqlite3", tables=args.tables,
                        results=args.results, processes=args.processes, threads=args.threads,
                        double_every=args.double_every)
    doubled = ("every result" if args.double_every == 1
               else f"every {args.double_every}th result")
    print(f"{args.tables} tables x {args.results} results, {doubled} sent twice (a double "
          f"click), from {args.processes} processes x {args.threads} threads")
    print(f"sent {run.sent}, stored {run.stored}, duplicates {run.duplicates}, missing "
          f"{run.missing}, wrong receipts {run.wrong_receipts}, refused {run.refused}")
    print(f"wall time {run.seconds:.2f} s, {run.sent / run.seconds:.0f} results/s; time for one "
          f"result (both sends of a double click): median {run.median_send:.2f} s, 95th "
          f"percentile {run.p95_send:.2f} s, slowest {run.slowest_send:.2f} s")


if __name__ == "__main__":
    main()
