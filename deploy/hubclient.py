"""Simulated learners for the course server: what tests and the load test do in a browser's place.

A :class:`Learner` logs in with the workshop code (the hub's login form), asks for a token
(as JupyterLab does), starts their server, pulls the course with nbgitpuller's API and runs a
notebook's code cells one by one through the kernel's websocket (jupyter_server's REST and
kernel protocol). :func:`hub_process` starts and stops a hub for a test or benchmark on
127.0.0.1. Only ``requests`` and ``websocket-client`` are needed (both come with Jupyter).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import requests
import websocket

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from hub import COURSE_FOLDER  # noqa: E402


@dataclass
class Hub:
    """A running hub: its address, its state folder and its secrets."""

    url: str
    state: Path
    process: subprocess.Popen
    log: Path
    leftovers: list[str] = field(default_factory=list)

    @property
    def secrets(self) -> dict[str, str]:
        return json.loads((self.state / "secrets.json").read_text())


@contextlib.contextmanager
def hub_process(state: Path, port: int, *, timeout: float = 60,
                extra: tuple[str, ...] = ()) -> Iterator[Hub]:
    """Start ``deploy/hub.py`` on 127.0.0.1:port; stop it (and everything it started) at the end."""
    log = state.parent / f"{state.name}.log"
    state.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, str(HERE / "hub.py"), "--state", str(state),
                                 "--port", str(port), *extra],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    hub = Hub(f"http://127.0.0.1:{port}", state, proc, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the hub stopped at start:\n{log.read_text()[-3000:]}")
            try:
                if requests.get(hub.url + "/hub/api", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the hub did not start in {timeout:.0f} s:\n"
                                   f"{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield hub
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # the hub stops its proxy, services and servers
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        hub.leftovers = stop_leftovers(state)


def stop_leftovers(state: Path, wait: float = 15) -> list[str]:
    """Processes still running from this hub's state folder (there should be none); stopped."""
    import psutil

    def mine(p: psutil.Process) -> bool:
        try:
            return str(state) in " ".join(p.cmdline()) or p.cwd().startswith(str(state))
        except (psutil.Error, OSError):
            return False

    deadline = time.monotonic() + wait
    found = [p for p in psutil.process_iter() if mine(p)]
    while found and time.monotonic() < deadline:  # servers may still be finishing their exit
        time.sleep(0.5)
        found = [p for p in found if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    names = [" ".join(p.cmdline())[:120] for p in found if p.is_running()]
    for p in found:
        with contextlib.suppress(psutil.Error):
            p.kill()
    return names


@dataclass
class CellResult:
    seconds: float
    status: str  # "ok" or "error"
    error: str = ""


@dataclass
class Learner:
    """One person in the room, driving the hub over HTTP the way their browser would."""

    hub: str
    name: str
    session: requests.Session = field(default_factory=requests.Session)
    token: str = ""

    def login(self, code: str) -> requests.Response:
        """Fill in the hub's login form; returns the response to the form's POST."""
        self.session.get(self.hub + "/hub/login", timeout=30)
        xsrf = self.session.cookies.get("_xsrf", "")
        return self.session.post(self.hub + "/hub/login", allow_redirects=False, timeout=60,
                                 data={"username": self.name, "password": code, "_xsrf": xsrf})

    def get_token(self) -> str:
        """A token for this learner's API calls (what JupyterLab gets through OAuth)."""
        xsrf = self.session.cookies.get("_xsrf", "")
        r = self.session.post(f"{self.hub}/hub/api/users/{self.name}/tokens",
                              headers={"X-XSRFToken": xsrf}, json={"note": "load test"},
                              timeout=60)
        r.raise_for_status()
        self.token = r.json()["token"]
        return self.token

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 120)
        return requests.request(method, self.hub + path, headers=self.auth, **kwargs)

    def start_server(self, timeout: float = 240) -> float:
        """Ask for this learner's server and wait until it answers; seconds it took."""
        t0 = time.monotonic()
        r = self.api("POST", f"/hub/api/users/{self.name}/server")
        if r.status_code not in (201, 202, 400):  # 400: already running
            raise RuntimeError(f"{self.name}: spawn refused {r.status_code} {r.text[:200]}")
        while time.monotonic() - t0 < timeout:
            model = self.api("GET", f"/hub/api/users/{self.name}").json()
            server = model.get("servers", {}).get("", {})
            if server.get("ready"):
                if self.api("GET", f"/user/{self.name}/api/status").status_code == 200:
                    return time.monotonic() - t0
            elif not model.get("pending") and not server:
                raise RuntimeError(f"{self.name}: the server stopped while starting")
            time.sleep(0.5)
        raise RuntimeError(f"{self.name}: no server after {timeout:.0f} s")

    def pull_course(self, repo: str, branch: str, timeout: float = 300,
                    targetpath: str = COURSE_FOLDER) -> str:
        """Pull the course with nbgitpuller's API (as the link's page does); its last message."""
        query = urlencode({"repo": repo, "branch": branch, "targetpath": targetpath})
        last = ""
        with self.api("GET", f"/user/{self.name}/git-pull/api?{query}", stream=True,
                      timeout=timeout) as r:
            r.raise_for_status()
            for line in r.iter_lines(decode_unicode=True):
                if line and line.startswith("data:"):
                    event = json.loads(line[5:])
                    last = event.get("output") or event.get("message") or last
                    if event.get("phase") == "finished":
                        return last
                    if event.get("phase") == "error":
                        raise RuntimeError(f"{self.name}: nbgitpuller failed: {event}")
        raise RuntimeError(f"{self.name}: nbgitpuller stopped without finishing ({last})")

    def notebook(self, path: str) -> dict:
        r = self.api("GET", f"/user/{self.name}/api/contents/{path}")
        r.raise_for_status()
        return r.json()["content"]

    def start_kernel(self) -> str:
        r = self.api("POST", f"/user/{self.name}/api/kernels", json={"name": "python3"})
        r.raise_for_status()
        return r.json()["id"]

    def run_cells(self, kernel: str, sources: list[str], cwd: str | None = None,
                  timeout: float = 300) -> list[CellResult]:
        """Run each source in the kernel, in order; how long each took and whether it failed."""
        ws_url = (self.hub.replace("http", "ws", 1)
                  + f"/user/{self.name}/api/kernels/{kernel}/channels")
        ws = websocket.create_connection(ws_url, header=[f"Authorization: token {self.token}"],
                                         timeout=timeout)
        results = []
        try:
            if cwd:
                self._execute(ws, f"import os; os.chdir({cwd!r})", timeout)
            for source in sources:
                t0 = time.monotonic()
                status, error = self._execute(ws, source, timeout)
                results.append(CellResult(time.monotonic() - t0, status, error))
        finally:
            ws.close()
        return results

    def _execute(self, ws: websocket.WebSocket, code: str, timeout: float) -> tuple[str, str]:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.name, "session": msg_id,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
        deadline = time.monotonic() + timeout
        status, error, idle = "", "", False
        while not (status and idle):
            if time.monotonic() > deadline:
                return "error", "timed out"
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "execute_reply":
                status = msg["content"]["status"]
                if status != "ok":
                    error = f"{msg['content'].get('ename')}: {msg['content'].get('evalue')}"
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        return status, error

    def run_notebook(self, path: str) -> list[CellResult]:
        """Open a notebook of the course and run every code cell (expected errors excepted)."""
        nb = self.notebook(path)
        sources = [cell["source"] for cell in nb["cells"] if cell["cell_type"] == "code"
                   and "raises-exception" not in cell.get("metadata", {}).get("tags", [])]
        kernel = self.start_kernel()
        folder = str(Path(path).parent)
        return self.run_cells(kernel, sources, cwd=folder)
