"""Load test of the course server on loopback: N simulated learners on one machine.

Starts the real hub (``deploy/hub.py``: JupyterHub, configurable-http-proxy, the culler and the
facilitator service) on 127.0.0.1 with a fresh state folder, then for each room size N in
``--sizes`` (default 5, 10, 20, 30), growing one room:

1. **a few at a time**: the learners not yet in (N minus the last size) log in with the workshop
   code, start their server and pull the course with nbgitpuller, ``--batch`` (5) at once;
2. **all together**: all N learners open the start-here notebook and one lesson at the same
   moment and run every code cell through the kernel API (REST + kernel websocket), each
   notebook in its own kernel, as a learner with both tabs open would.

It then measures, per learner, the memory of their server and its kernels (the sum over the
process tree of RSS, and of PSS, which shares common pages fairly between processes), the CPU
seconds their tree used in step 2, the time to a ready server in step 1, the time of each cell
in step 2, and every failure (a refused login, a server that does not start, a failed pull, a
cell that fails or times out). Kernels are shut down after each size.

Bounded: at most ``--max-learners`` (40) learners, every request has a timeout, and the sweep
stops by itself after ``--minutes`` (15), reporting how far it got. The machine's load average
is printed with each row, since other work on a shared machine slows every figure.

    .venv/bin/python benchmarks/hub_load.py                # the full sweep, about 10-15 minutes
    .venv/bin/python benchmarks/hub_load.py --sizes 2 --lesson notebooks/00-start-here.ipynb
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))

from hubclient import Learner, hub_process  # noqa: E402

START = "safer-care/notebooks/00-start-here.ipynb"
MiB = 2**20


@dataclass
class Round:
    """The figures for one room size."""

    n: int
    ready_seconds: list[float] = field(default_factory=list)
    cell_seconds: list[float] = field(default_factory=list)
    run_seconds: float = 0.0
    rss_mib: list[float] = field(default_factory=list)
    pss_mib: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    hub_mib: float = 0.0
    failures: list[str] = field(default_factory=list)
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)


def free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def learner_tree(state: Path, name: str) -> list[psutil.Process]:
    """The learner's single-user server and everything under it (their kernels)."""
    home = str(state / "homes" / name)
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if "jupyterhub-singleuser" in " ".join(proc.info["cmdline"] or []) \
                    and proc.cwd() == home:
                return [proc, *proc.children(recursive=True)]
        except psutil.Error:
            continue
    return []


def tree_memory(procs: list[psutil.Process]) -> tuple[float, float]:
    rss = pss = 0
    for proc in procs:
        try:
            info = proc.memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return rss / MiB, pss / MiB


def tree_cpu(procs: list[psutil.Process]) -> float:
    total = 0.0
    for proc in procs:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            continue
    return total


def hub_memory(hub_pid: int, state: Path) -> float:
    """RSS of the hub, its proxy and its services (everything but the learners' trees)."""
    try:
        root = psutil.Process(hub_pid)
        procs = [root, *root.children(recursive=False)]
    except psutil.Error:
        return 0.0
    learners = {p.pid for p in psutil.process_iter() if _is_learner(p, state)}
    keep = [p for p in procs if p.pid not in learners]
    keep += [c for p in keep[1:] for c in _children(p)]
    return sum(_rss(p) for p in keep) / MiB


def _is_learner(p: psutil.Process, state: Path) -> bool:
    try:
        return p.cwd().startswith(str(state / "homes"))
    except psutil.Error:
        return False


def _children(p: psutil.Process) -> list[psutil.Process]:
    try:
        return p.children(recursive=True)
    except psutil.Error:
        return []


def _rss(p: psutil.Process) -> int:
    try:
        return p.memory_info().rss
    except psutil.Error:
        return 0


def arrive(learner: Learner, code: str, repo: str, branch: str) -> float:
    """Log in, start the server, pull the course; seconds from asking to a ready server."""
    if learner.login(code).status_code != 302:
        raise RuntimeError(f"{learner.name}: login refused")
    learner.get_token()
    ready = learner.start_server(timeout=300)
    learner.pull_course(repo, branch, timeout=300)
    return ready


def work(learner: Learner, lesson: str) -> list:
    """Open the start page and the lesson, each in its own kernel, and run every cell."""
    return learner.run_notebook(START) + learner.run_notebook(f"safer-care/{lesson}")


def run_round(hub, learners: list[Learner], new: list[Learner], batch: int, lesson: str,
              repo: str, branch: str, deadline: float) -> Round:
    result = Round(len(learners))
    code = hub.secrets["workshop_code"]
    ok = [p for p in learners if p not in new]
    with ThreadPoolExecutor(batch) as pool:  # a few at a time
        futures = {pool.submit(arrive, p, code, repo, branch): p for p in new}
        for future, person in futures.items():
            try:
                result.ready_seconds.append(future.result(timeout=max(1, deadline - time.time())))
                ok.append(person)
            except Exception as error:  # noqa: BLE001 (every failure is counted and shown)
                result.failures.append(f"arrive {person.name}: {str(error)[:160]}")
    trees = {p.name: learner_tree(hub.state, p.name) for p in ok}
    cpu0 = {name: tree_cpu(t) for name, t in trees.items()}
    t0 = time.monotonic()
    with ThreadPoolExecutor(len(ok) or 1) as pool:  # then all together
        futures = {pool.submit(work, p, lesson): p for p in ok}
        for future, person in futures.items():
            try:
                cells = future.result(timeout=max(1, deadline - time.time()))
            except Exception as error:  # noqa: BLE001
                result.failures.append(f"run {person.name}: {str(error)[:160]}")
                continue
            result.cell_seconds += [c.seconds for c in cells]
            result.failures += [f"cell {person.name}: {c.error}" for c in cells
                                if c.status != "ok"]
    result.run_seconds = time.monotonic() - t0
    result.load = os.getloadavg()
    for person in ok:
        tree = learner_tree(hub.state, person.name)
        rss, pss = tree_memory(tree)
        result.rss_mib.append(rss)
        result.pss_mib.append(pss)
        result.cpu_seconds.append(tree_cpu(tree) - cpu0.get(person.name, 0.0))
    result.hub_mib = hub_memory(hub.process.pid, hub.state)
    for person in ok:  # close the tabs: shut the kernels down
        for kernel in person.api("GET", f"/user/{person.name}/api/kernels").json():
            person.api("DELETE", f"/user/{person.name}/api/kernels/{kernel['id']}")
    return result


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def table(rounds: list[Round]) -> str:
    head = ("| learners | ready s (median / max) | cell s (median / p95 / max) | all-run wall s "
            "| RSS MiB/learner | PSS MiB/learner | CPU s/learner | hub, proxy, services MiB "
            "| failures | load (1/5/15 min) |")
    lines = [head, "|" + "---|" * 10]
    for r in rounds:
        ready = (f"{statistics.median(r.ready_seconds):.1f} / {max(r.ready_seconds):.1f}"
                 if r.ready_seconds else "–")
        lines.append(
            f"| {r.n} | {ready} | {pct(r.cell_seconds, .5):.2f} / {pct(r.cell_seconds, .95):.2f}"
            f" / {max(r.cell_seconds, default=float('nan')):.2f} | {r.run_seconds:.0f} "
            f"| {statistics.mean(r.rss_mib) if r.rss_mib else float('nan'):.0f} "
            f"| {statistics.mean(r.pss_mib) if r.pss_mib else float('nan'):.0f} "
            f"| {statistics.mean(r.cpu_seconds) if r.cpu_seconds else float('nan'):.1f} "
            f"| {r.hub_mib:.0f} | {len(r.failures)} | {r.load[0]:.1f} / {r.load[1]:.1f} / "
            f"{r.load[2]:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="5,10,20,30", help="room sizes, growing (5,10,20,30)")
    parser.add_argument("--batch", type=int, default=5, help="learners arriving at once (5)")
    parser.add_argument("--lesson", default="notebooks/01-measuring-what-matters.ipynb")
    parser.add_argument("--minutes", type=float, default=15, help="stop after this long (15)")
    parser.add_argument("--max-learners", type=int, default=40)
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    if not sizes or sizes[0] < 1 or sizes[-1] > args.max_learners:
        parser.error(f"sizes must be from 1 to {args.max_learners}")
    deadline = time.time() + args.minutes * 60
    branch = subprocess.run(["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=ROOT, text=True,
                            capture_output=True, check=True).stdout.strip()
    repo = f"file://{ROOT}"
    top = Path(tempfile.mkdtemp(prefix="safercare-hubload-"))
    top.chmod(0o711)
    rounds: list[Round] = []
    print(f"machine: {psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB;"
          f" load {os.getloadavg()[0]:.1f} at start", flush=True)
    try:
        t0 = time.monotonic()
        with hub_process(top / "state", free_port(), timeout=120,
                         extra=("--max-learners", str(args.max_learners))) as hub:
            print(f"hub ready in {time.monotonic() - t0:.1f} s", flush=True)
            learners: list[Learner] = []
            for n in sizes:
                if time.time() > deadline:
                    print(f"stopped: the {args.minutes:g}-minute limit came before N={n}")
                    break
                new = [Learner(hub.url, f"learner-{i:02d}") for i in range(len(learners), n)]
                learners += new
                r = run_round(hub, learners, new, args.batch, args.lesson, repo, branch,
                              deadline)
                rounds.append(r)
                print(table([r]).splitlines()[-1], flush=True)
                for failure in r.failures[:5]:
                    print("   failure:", failure, flush=True)
        if hub.leftovers:
            print("left running after the hub stopped (now stopped):", hub.leftovers)
    finally:
        shutil.rmtree(top, ignore_errors=True)
    print()
    print(table(rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
