"""Does the PDSA team game's store take a whole room sending at once, and how fast does the
facilitator's page show a new result?

1. **Concurrency.** ``--teams`` teams × ``--rounds`` results each (default 30 × 20 = 600)
   are sent at the same time from ``--processes`` processes (default 6), each with
   ``--threads`` threads (default 5), every result sent twice with the same idempotency key
   (a double click), into one fresh SQLite file. It then checks that every result is stored
   exactly once, that every receipt a sender was shown is the stored row's, and prints the
   wall time, results per second and the slowest single send.
2. **Latency.** The facilitator page is served with Voilà exactly as
   ``python -m safercare.games.team_game --facilitator`` serves it (127.0.0.1, a secret), and
   opened in headless Chromium (it prints how long the page and all 30 charts take to
   appear); ``--latency-samples`` new results are then sent one at a time and the script
   times how long each takes to appear on the page: its receipt in the table, and its team's
   run chart redrawn with the new point (read from the chart's alt text), printing the median
   and the slowest. Skip with ``--no-latency``.

Run from the repository root::

    .venv/bin/python benchmarks/team_game_load.py

``tests/test_team_results.py`` runs a smaller room through :func:`send_room`.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from safercare.games.team_results import TeamResultsStore


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


def _team_name(i: int) -> str:
    return f"Team {i + 1} <b>&</b>" if i % 7 == 3 else f"Team {i + 1}"  # some names carry HTML


def _worker(db: str, teams: list[int], rounds: int, threads: int, start_at: float,
            out: mp.Queue) -> None:
    """Send every round of ``teams``, each twice with one key; report receipts and times."""
    store = TeamResultsStore(db)
    jobs = [(t, r) for r in range(1, rounds + 1) for t in teams]

    def send(job: tuple[int, int]) -> tuple[str, int, str, str, float, bool]:
        team, round_number = job
        key = uuid.uuid4().hex
        value = f"{5 + (team * 31 + round_number * 7) % 40 / 4:.2f}"
        began = time.perf_counter()
        first = store.submit(_team_name(team), round_number, value, f"cycle {round_number}",
                             uid=key)
        again = store.submit(_team_name(team), round_number, value, f"cycle {round_number}",
                             uid=key)
        took = time.perf_counter() - began
        same = first.ok and again.ok and first.receipt == again.receipt
        return (_team_name(team), round_number, key, first.receipt or "", took, same)

    while time.time() < start_at:  # every process starts sending at the same moment
        time.sleep(0.001)
    with ThreadPoolExecutor(threads) as pool:
        out.put(list(pool.map(send, jobs)))


def send_room(db: Path, *, teams: int = 30, rounds: int = 20, processes: int = 6,
              threads: int = 5) -> RoomRun:
    """Send ``teams`` × ``rounds`` results at once from several processes; check the store."""
    TeamResultsStore(db)  # create the file before the rush
    context = mp.get_context("spawn")
    out: mp.Queue = context.Queue()
    start_at = time.time() + 3.0  # time for the spawned interpreters to start
    workers = [context.Process(target=_worker, args=(str(db), list(range(p, teams, processes)),
                                                     rounds, threads, start_at, out))
               for p in range(processes)]
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:  # spawned workers import this module by name
        sys.path.insert(0, here)
    for worker in workers:
        worker.start()
    replies: list[tuple] = []
    done = 0
    deadline = time.monotonic() + 900
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
    stored = TeamResultsStore(db).results()
    by_key = dict(zip(stored["uid"], stored["receipt"], strict=True))
    wanted = {(team, r) for team, r, *_ in replies}
    have = set(zip(stored["team"], stored["round"], strict=True))
    return RoomRun(
        sent=len(replies),
        stored=len(stored),
        duplicates=int(stored.duplicated(["team", "round"]).sum()),
        missing=len(wanted - have),
        wrong_receipts=sum(by_key.get(key) != receipt or not same
                           for _, _, key, receipt, _, same in replies),
        refused=sum(not receipt for _, _, _, receipt, _, _ in replies),
        seconds=seconds,
        slowest_send=max(took for *_, took, _ in replies),
    )


def facilitator_latency(db: Path, samples: int, out: Callable[[str], None] = print
                        ) -> list[tuple[float, float]]:
    """Seconds from a committed result to (its receipt in the table, its team's chart
    redrawn with the new point) on the facilitator's page, one pair per sample."""
    from playwright.sync_api import sync_playwright

    from safercare.games.team_game import app_notebook
    from safercare.games.team_results import DB_ENV_VAR
    from safercare.live.server import FACILITATOR_LIMITS, voila_command

    sock_port = _free_port()
    token = uuid.uuid4().hex
    command, env = voila_command(app_notebook(True), port=sock_port, token=token,
                                 private=True, limits=FACILITATOR_LIMITS)
    env[DB_ENV_VAR] = str(db)
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    store = TeamResultsStore(db)
    times = []
    try:
        url = f"http://127.0.0.1:{sock_port}/?token={token}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("SAFERCARE_CHROMIUM", "/usr/bin/chromium"),
                headless=True)
            page = browser.new_page()
            deadline = time.monotonic() + 120
            while True:
                try:
                    page.goto(url, wait_until="load", timeout=60_000)
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
            began = time.perf_counter()
            page.get_by_text("Run charts").wait_for(timeout=120_000)
            opened = time.perf_counter() - began
            page.wait_for_function(
                "() => !document.body.innerText.includes('is being drawn')"
                " && document.body.innerText.includes('results from')", timeout=600_000)
            out(f"Facilitator page on the full room: page shown {opened:.1f} s after loading, "
                f"every team's chart drawn {time.perf_counter() - began:.1f} s after loading")
            for i in range(samples):
                sent = store.submit("Latency team", i + 1, f"{6 + i % 3}", uid=f"lat-{i}")
                began = time.perf_counter()
                page.get_by_text(sent.receipt or "?", exact=True).wait_for(timeout=60_000)
                shown = time.perf_counter() - began
                points = f"Latency team: {i + 1} point{'s' if i else ''};"
                page.wait_for_function(
                    "p => [...document.querySelectorAll('.sc-charts img')]"
                    ".some(i => i.alt.startsWith(p))", arg=points, timeout=60_000)
                times.append((shown, time.perf_counter() - began))
                time.sleep(0.3)
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    return times


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teams", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--processes", type=int, default=6)
    parser.add_argument("--threads", type=int, default=5)
    parser.add_argument("--latency-samples", type=int, default=10)
    parser.add_argument("--no-latency", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "room.sqlite3"
        run = send_room(db, teams=args.teams, rounds=args.rounds, processes=args.processes,
                        threads=args.threads)
        print(f"Concurrency: {args.teams} teams x {args.rounds} results, each sent twice with "
              f"one key, from {args.processes} processes x {args.threads} threads")
        print(f"  sent {run.sent}, stored {run.stored}, duplicates {run.duplicates}, missing "
              f"{run.missing}, refused {run.refused}, receipts not matching the store "
              f"{run.wrong_receipts}")
        print(f"  wall time {run.seconds:.2f} s ({run.sent / run.seconds:.0f} results/s, "
              f"{2 * run.sent / run.seconds:.0f} sends/s); slowest result (two sends) "
              f"{run.slowest_send:.2f} s")
        if not args.no_latency:
            times = facilitator_latency(db, args.latency_samples)
            table, chart = zip(*times, strict=True)
            print(f"Facilitator page, {len(times)} new results one at a time (it polls every "
                  f"0.5 s): in the table after median {statistics.median(table):.2f} s "
                  f"(slowest {max(table):.2f} s); on the team's run chart after median "
                  f"{statistics.median(chart):.2f} s (slowest {max(chart):.2f} s)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
