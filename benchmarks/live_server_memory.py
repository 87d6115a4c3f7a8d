"""How much memory does a live page server hold through a room's worth of page loads?

Serves an app notebook exactly as a facilitator would (``safercare.live.server.voila_command``)
on 127.0.0.1 with short cull timeouts, then loads the page ``--loads`` times from ``--workers``
threads at once, the way browsers do:

* first it opens as many pages as the server allows and checks that one more gets the plain
  "room is full" page (HTTP 503), not a traceback;
* then each load fetches the page (which starts a kernel) and, in turn, either closes the tab
  (Voilà's ``beforeunload`` beacon to ``/voila/api/shutdown``), drops the connection without
  saying goodbye (opens the kernel's websocket, then closes it: a crashed browser or a phone
  gone to sleep) or never connects at all (a fetched but unopened page). A load that finds the
  room full waits and tries again.

A sampler reads the server's process tree (the server and its kernels) every 0.1 s with
psutil: resident memory (RSS, summed over every process in the tree) and the number of
kernels (distinct connection files). It prints the
RSS before the first page, the peak, and after the last kernel has been culled, with the
kernel counts, so you can see that memory comes back and that the bound held. Run from the
repository root::

    .venv/bin/python benchmarks/live_server_memory.py            # 200 loads of the workshop page

``--help`` lists the options. ``tests/test_live_server.py`` runs a smaller room (30 loads of a
tiny notebook) through :func:`run_room`.
"""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests
import websocket

from safercare.live.server import RoomLimits, voila_command

ROOT = Path(__file__).resolve().parents[1]
WORKSHOP = ROOT / "safercare" / "priorities" / "apps" / "priorities-workshop.ipynb"
MODES = ("leave", "drop", "never")  # close the tab; lose the connection; never connect
MIB = 2**20
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
CONNECTION_FILE = re.compile(r"kernel-([0-9a-f-]{36})\.json")


@dataclass
class Sampler:
    """Samples a process tree's total RSS and its number of kernels in a thread."""

    pid: int
    interval: float = 0.1
    peak_rss: int = 0
    peak_kernels: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def server_rss(self) -> int:
        """RSS of the server process alone (without its kernels)."""
        return psutil.Process(self.pid).memory_info().rss

    def measure(self) -> tuple[int, int]:
        """(RSS in bytes summed over the server and its children, number of kernels)."""
        root = psutil.Process(self.pid)
        rss, kernels = 0, set()
        for proc in [root, *root.children(recursive=True)]:
            try:
                rss += proc.memory_info().rss
                # A kernel is named by its connection file; a short-lived fork of a kernel that
                # is shutting down carries the same name and is not another kernel.
                kernels.update(CONNECTION_FILE.findall(" ".join(proc.cmdline())))
            except psutil.NoSuchProcess:
                continue
        return rss, len(kernels)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, kernels = self.measure()
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_kernels = max(self.peak_kernels, kernels)
            self._stop.wait(self.interval)

    @contextmanager
    def running(self) -> Iterator[Sampler]:
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()


@dataclass
class RoomRun:
    """What one run measured (bytes for memory)."""

    loads: int
    max_pages: int
    start_rss: int
    peak_rss: int
    end_rss: int
    server_start_rss: int  # the server process alone, without kernels
    server_end_rss: int
    start_kernels: int
    peak_kernels: int
    end_kernels: int
    refused: int  # loads that found the room full and tried again
    closes: int  # tabs closed with the page's shutdown beacon
    closes_refused: int  # beacons the server refused (the kernel then waits for the culler)
    full_status: int  # the status of the request beyond the bound (503)
    full_page: str  # its text
    seconds: float  # the loads
    settle_seconds: float  # from the last load until every kernel was gone

    def report(self) -> str:
        return "\n".join([
            f"page loads: {self.loads} (max {self.max_pages} pages at once; {self.refused} "
            f"found the room full and tried again); {self.seconds:.1f} s",
            f"one page beyond the bound: HTTP {self.full_status}; tabs closed with the page's "
            f"beacon: {self.closes} ({self.closes_refused} refused)",
            f"server tree RSS at start: {self.start_rss / MIB:.0f} MiB "
            f"({self.start_kernels} kernels)",
            f"peak:                     {self.peak_rss / MIB:.0f} MiB "
            f"({self.peak_kernels} kernels at most)",
            f"after culling:            {self.end_rss / MIB:.0f} MiB "
            f"({self.end_kernels} kernels; {self.settle_seconds:.1f} s after the last load)",
            f"the server process alone: {self.server_start_rss / MIB:.0f} MiB at start, "
            f"{self.server_end_rss / MIB:.0f} MiB at the end (its caches warm up over the "
            "first pages; it holds no kernel)",
        ])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(notebook: Path, limits: RoomLimits, log: Path,
          env_extra: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """Serve ``notebook`` on 127.0.0.1 with the live server's command; stop it afterwards."""
    port = _free_port()
    argv, env = voila_command(notebook, port=port, limits=limits)
    env.update(env_extra or {})
    with open(log, "w") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   cwd=ROOT)
        url = f"http://127.0.0.1:{port}/"
        try:
            _wait_until_ready(url, process)
            yield url, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Ready when the server answers anything on a path that starts no kernel."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            requests.get(url + "voila/static/nothing", timeout=2, allow_redirects=False)
            return
        except requests.RequestException:
            time.sleep(0.25)
    raise TimeoutError(f"the server did not answer at {url} within {timeout} s")


def open_page(url: str, session: requests.Session) -> tuple[int, str, str | None]:
    """GET the page (this starts its kernel): (status, text, kernel id or None)."""
    reply = session.get(url, timeout=300)
    text = reply.content.decode("utf-8", errors="replace")  # the page says utf-8 in a meta tag
    found = KERNEL_ID.search(text)
    return reply.status_code, text, found.group(1) if found else None


def close_tab(url: str, session: requests.Session, kernel_id: str) -> int:
    """What Voilà's page does on ``beforeunload``: POST the shutdown beacon carrying the value
    of the ``_xsrf`` cookie the page was given (or nothing, as the page does without one), with
    the page's cookies. Returns the HTTP status (204 when the kernel was shut down)."""
    xsrf = session.cookies.get("_xsrf") or ""
    reply = session.post(f"{url}voila/api/shutdown/{kernel_id}", files={"_xsrf": (None, xsrf)},
                         headers={"Origin": url.rstrip("/")}, timeout=30)
    return reply.status_code


def drop_connection(url: str, kernel_id: str) -> None:
    """Connect the page's kernel websocket, as the page does, then vanish without a goodbye."""
    ws_url = url.replace("http://", "ws://") + (
        f"api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}")
    try:
        ws = websocket.create_connection(ws_url, timeout=30)
    except websocket.WebSocketBadStatusException as error:
        if error.status_code == 404:  # on a busy machine the culler was quicker: it is gone
            return
        raise
    time.sleep(0.3)
    ws.close()


def run_room(notebook: Path = WORKSHOP, *, loads: int = 200, workers: int = 6,
             limits: RoomLimits | None = None, workdir: Path | None = None,
             env_extra: dict[str, str] | None = None,
             out: Callable[[str], None] = print) -> RoomRun:
    """Serve ``notebook`` and load it ``loads`` times; return what was measured."""
    limits = limits or RoomLimits(max_pages=8, idle_seconds=3, check_seconds=1)
    workdir = Path(workdir or tempfile.mkdtemp(prefix="live-memory-"))
    with serve(notebook, limits, workdir / "server.log", env_extra) as (url, process):
        sampler = Sampler(process.pid)
        time.sleep(1.0)
        start_rss, start_kernels = sampler.measure()
        server_start_rss = sampler.server_rss()
        refused = closes = closes_refused = 0
        lock = threading.Lock()

        def load(i: int, mode: str | None = None) -> None:
            nonlocal refused, closes, closes_refused
            session = requests.Session()
            while True:
                status, _text, kernel_id = open_page(url, session)
                if status != 503:
                    break
                with lock:
                    refused += 1
                time.sleep(0.5)
            if status != 200 or kernel_id is None:
                raise RuntimeError(f"load {i}: HTTP {status} without a kernel")
            mode = mode or MODES[i % len(MODES)]
            if mode == "leave":
                status = close_tab(url, session, kernel_id)
                with lock:
                    closes += 1
                    closes_refused += status != 204
            elif mode == "drop":
                drop_connection(url, kernel_id)

        began = time.monotonic()
        with sampler.running():
            # Fill the room, then one more page must be refused plainly.
            fill = min(limits.max_pages, loads)
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(lambda i: load(i, "never"), range(fill)))
            full_status, full_page, _ = open_page(url, requests.Session())
            out(f"room filled with {fill} pages; one more: HTTP {full_status}")
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(load, range(fill, loads)))
            seconds = time.monotonic() - began
            out(f"{loads} loads in {seconds:.1f} s; waiting for idle pages to be culled")
            deadline = time.monotonic() + limits.idle_seconds + 4 * limits.check_seconds + 60
            while sampler.measure()[1] and time.monotonic() < deadline:
                time.sleep(0.2)
            settle = time.monotonic() - began - seconds
            time.sleep(1.0)  # let the last kernel's memory go back
        end_rss, end_kernels = sampler.measure()
        server_end_rss = sampler.server_rss()
    return RoomRun(loads=loads, max_pages=limits.max_pages, start_rss=start_rss,
                   peak_rss=sampler.peak_rss, end_rss=end_rss,
                   server_start_rss=server_start_rss, server_end_rss=server_end_rss,
                   start_kernels=start_kernels,
                   peak_kernels=sampler.peak_kernels, end_kernels=end_kernels, refused=refused,
                   closes=closes, closes_refused=closes_refused, full_status=full_status,
                   full_page=full_page, seconds=seconds, settle_seconds=settle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=200)
    parser.add_argument("--workers", type=int, default=6, help="page loads at the same time")
    parser.add_argument("--max-pages", type=int, default=8)
    parser.add_argument("--idle-seconds", type=int, default=3)
    parser.add_argument("--check-seconds", type=int, default=1)
    parser.add_argument("--notebook", type=Path, default=WORKSHOP)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="live-memory-"))
    limits = RoomLimits(max_pages=args.max_pages, idle_seconds=args.idle_seconds,
                        check_seconds=args.check_seconds)
    print(f"serving {args.notebook.name}: {limits}")
    run = run_room(args.notebook, loads=args.loads, workers=args.workers, limits=limits,
                   workdir=workdir,
                   env_extra={"SAFERCARE_PRIORITIES_DB": str(workdir / "bench.sqlite3")})
    print(run.report())


if __name__ == "__main__":
    main()
