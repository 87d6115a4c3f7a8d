"""The live page server (safercare.live.server): a room's page loads do not exhaust memory,
a facilitator page is never reachable without its secret, and a mistake at start gets one
plain sentence instead of a traceback.

Every server here listens on 127.0.0.1 only, on a free port, serves a tiny notebook (so a
kernel starts in about a second), and is stopped at the end of its test. The room test runs
30 page loads through ``benchmarks/live_server_memory.py`` (the full 200 of the workshop page
are the benchmark's job) in about 40 seconds.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from tornado.web import HTTPError

from safercare.errors import DataError, Problem
from safercare.live import server
from safercare.live.server import LiveApp, LiveServerError, RoomLimits, voila_command

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "live_server_memory.py"
MIB = 2**20
DB_VAR = "SAFERCARE_LIVE_TEST_DB"


def _bench():
    spec = importlib.util.spec_from_file_location("live_server_memory", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A tiny room page and a tiny facilitator page."""
    folder = tmp_path_factory.mktemp("live")
    out = []
    for name in ("room", "facilitator"):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(f"print('the {name} page')")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        path = folder / f"{name}.ipynb"
        nbformat.write(nb, path)
        out.append(path)
    return out[0], out[1]


def _app(pages: tuple[Path, Path], open_data=None) -> LiveApp:
    return LiveApp(title="a test app", room_page=pages[0], facilitator_page=pages[1],
                   data_env_var=DB_VAR, open_data=open_data)


def _flag(argv: list[str], name: str) -> str:
    values = [a.split("=", 1)[1] for a in argv if a.startswith(f"--{name}=")]
    assert len(values) == 1, (name, argv)
    return values[0]


def test_pages_are_culled_when_idle_and_bounded_in_number(pages, monkeypatch):
    monkeypatch.setenv("JUPYTER_TOKEN", "someone-elses")  # must not leak into a room page
    argv, env = voila_command(pages[0], port=9999,
                              limits=RoomLimits(max_pages=7, idle_seconds=120, check_seconds=9))
    assert argv[1:4] == ["-m", "voila", str(pages[0])]
    manager = _flag(argv, "VoilaConfiguration.multi_kernel_manager_class")
    assert manager == "safercare.live.server.RoomKernelManager"
    assert _flag(argv, "RoomKernelManager.max_kernels") == "7"
    assert _flag(argv, "RoomKernelManager.cull_idle_timeout") == "120"
    assert _flag(argv, "RoomKernelManager.cull_interval") == "9"
    assert _flag(argv, "RoomKernelManager.cull_connected") == "False"  # open pages are kept
    assert _flag(argv, "Voila.ip") == "127.0.0.1"
    assert _flag(argv, "Voila.port_retries") == "0"  # the printed link stays right
    assert "JUPYTER_TOKEN" not in env and "--Voila.auto_token=True" not in argv
    template = Path(env["JUPYTER_PATH"].split(os.pathsep)[0]) / "voila/templates/safercare"
    full = (template / "503.html").read_text(encoding="utf-8")
    assert "The room is full — please try again in a minute" in full
    # The defaults suit a room of about 40.
    argv, _ = voila_command(pages[0])
    assert _flag(argv, "RoomKernelManager.max_kernels") == "50"
    assert _flag(argv, "RoomKernelManager.cull_idle_timeout") == "600"


def _run_alone(coroutine: object) -> object:
    """Run a coroutine to its end in a thread of its own, so that an event loop left running
    in this thread (Playwright's, after a browser test) cannot refuse ``asyncio.run``."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_the_kernel_manager_refuses_a_page_beyond_its_bound_without_starting_one():
    manager = server.RoomKernelManager(max_kernels=2)
    manager._starting.add("being-started")  # a page load that has not finished starting
    manager._stopping.add("being-shut-down")  # a kernel whose process has not ended yet
    assert manager.held() == 2
    with pytest.raises(HTTPError) as refused:
        _run_alone(manager.start_kernel(kernel_name="python3"))
    assert refused.value.status_code == 503 and refused.value.reason == "The room is full"
    assert manager.list_kernel_ids() == [] and manager.held() == 2


def test_a_facilitator_page_is_never_on_the_network_without_a_secret(pages, monkeypatch):
    for ip in ("0.0.0.0", "", "192.168.1.20", "::"):
        with pytest.raises(LiveServerError, match="without a secret"):
            voila_command(pages[1], ip=ip, private=True)
    voila_command(pages[1], ip="127.0.0.1", private=True)  # this computer only: allowed
    argv, env = voila_command(pages[0], ip="0.0.0.0")  # the room page is shared on purpose
    assert "JUPYTER_TOKEN" not in env
    argv, env = voila_command(pages[1], ip="0.0.0.0", private=True, token="s3cret-value")
    assert env["JUPYTER_TOKEN"] == "s3cret-value" and "--Voila.auto_token=True" in argv
    assert not any("s3cret-value" in a for a in argv)  # not readable from the process list

    # Started without a token, the facilitator page gets a new secret and prints it.
    monkeypatch.setattr(server, "check_port", lambda ip, port: None)  # bind nothing on 0.0.0.0
    args = ["--facilitator", "--ip", "0.0.0.0", "--port", "8867"]
    argv, env, welcome = server.prepare(_app(pages), args)
    token = env["JUPYTER_TOKEN"]
    assert len(token) >= 32 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert f":8867/?token={token}" in welcome and "do not share it" in welcome
    assert not any(token in a for a in argv)
    assert server.prepare(_app(pages), args)[1]["JUPYTER_TOKEN"] != token  # new each start
    with pytest.raises(LiveServerError, match="without a secret"):
        server.prepare(_app(pages), [*args, "--token", ""])
    # The room page: no secret, this computer only unless --ip says otherwise.
    argv, env, welcome = server.prepare(_app(pages), ["--port", "8866"])
    assert "JUPYTER_TOKEN" not in env and "token=" not in welcome
    assert _flag(argv, "Voila.ip") == "127.0.0.1" and "this computer only" in welcome


def test_the_facilitator_page_refuses_requests_without_its_secret(pages, tmp_path):
    port = _free_port()
    code = ("import sys; from pathlib import Path; from safercare.live.server import LiveApp, "
            f"main; main(LiveApp('a test app', Path({str(pages[0])!r}), "
            f"Path({str(pages[1])!r})), sys.argv[1:])")
    log_path = tmp_path / "server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-c", code, "--facilitator", "--port",
                                    str(port)], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            try:
                requests.get(url + "voila/static/x", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.25)
        printed = log_path.read_text()
        link = re.search(r"http://127\.0\.0\.1:\d+/\?token=([A-Za-z0-9_-]+)", printed)
        assert link, printed
        refused = requests.get(url, timeout=30, allow_redirects=False)
        assert refused.status_code in (302, 403)
        if refused.status_code == 302:
            assert "/login" in refused.headers["Location"]
        assert "the facilitator page" not in refused.text
        some_kernel = "api/kernels/00000000-0000-4000-8000-000000000000"
        assert requests.get(url + some_kernel, timeout=30,
                            allow_redirects=False).status_code == 403
        wrong = requests.get(url + "?token=not-the-secret", timeout=30, allow_redirects=False)
        assert wrong.status_code in (302, 403)
        page = requests.get(link.group(0), timeout=120)
        assert page.status_code == 200 and "the facilitator page" in page.text
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _not_a_store(path: Path) -> None:
    raise DataError(Problem(None, None, "the file is not a workshop database",
                            "choose the workshop's .sqlite3 file"), source=str(path))


@pytest.mark.parametrize("case", ["port in use", "no folder", "a folder", "bad file",
                                  "no such address", "bad port", "no facilitator secret"])
def test_a_mistake_at_start_gets_one_plain_message(pages, tmp_path, capsys, case):
    listening = socket.socket()
    open_data = None
    args = ["--port", str(_free_port()), "--db", str(tmp_path / "w.sqlite3")]
    expected = {
        "port in use": "is already in use",
        "no folder": "does not exist. Create it first",
        "a folder": "is a folder",
        "bad file": "the file is not a workshop database",
        "no such address": "This computer has no address 192.0.2.1",
        "bad port": "--port must be a number",
        "no facilitator secret": "cannot listen on 0.0.0.0 without a secret",
    }[case]
    if case == "port in use":
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        args[1] = str(listening.getsockname()[1])
    elif case == "no folder":
        args[3] = str(tmp_path / "missing" / "w.sqlite3")
    elif case == "a folder":
        args[3] = str(tmp_path)
    elif case == "bad file":
        open_data = _not_a_store
    elif case == "no such address":  # a documentation address no computer has (RFC 5737)
        args += ["--ip", "192.0.2.1"]
    elif case == "bad port":
        args[1] = "70000"
    else:
        args += ["--facilitator", "--ip", "0.0.0.0", "--token", ""]
    try:
        with pytest.raises(SystemExit) as stopped:
            server.main(_app(pages, open_data), args)
    finally:
        listening.close()
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("Cannot start: ") and expected in err, err
    assert "Traceback" not in err and len(err.splitlines()) <= 4


def test_memory_returns_to_its_start_after_a_room_of_page_loads(pages, tmp_path):
    bench = _bench()
    limits = RoomLimits(max_pages=4, idle_seconds=2, check_seconds=1)
    run = bench.run_room(pages[0], loads=30, workers=6, limits=limits, workdir=tmp_path,
                         out=lambda _line: None)
    print(run.report())
    # One page beyond the bound gets the plain page, not a traceback.
    assert run.full_status == 503
    assert "The room is full — please try again in a minute" in run.full_page
    assert "Traceback" not in run.full_page and 'lang="en"' in run.full_page
    # The bound held, and kernels really did start (the sampler sees them).
    assert 2 <= run.peak_kernels <= limits.max_pages
    assert run.peak_rss >= run.start_rss + 2 * 20 * MIB
    # Every closed tab's beacon was accepted (Voilà alone refuses it: no XSRF cookie).
    assert run.closes >= 5 and run.closes_refused == 0, run.report()
    # Every idle page was culled and the memory came back.
    assert run.start_kernels == 0 and run.end_kernels == 0
    assert run.end_rss <= run.start_rss + 64 * MIB, run.report()


@pytest.mark.browser
def test_in_a_browser_a_full_room_is_told_plainly_and_a_closed_tab_frees_its_page(
        pages, tmp_path, chromium):
    bench = _bench()
    limits = RoomLimits(max_pages=1, idle_seconds=600, check_seconds=60)  # no culling here
    with bench.serve(pages[0], limits, tmp_path / "server.log") as (url, process):
        sampler = bench.Sampler(process.pid)
        context = chromium.new_context(service_workers="block")
        failed: list[str] = []
        context.on("response", lambda r: failed.append(f"{r.status} {r.url}")
                   if r.status >= 400 and r.status != 503 else None)
        try:
            first = context.new_page()
            first.goto(url, wait_until="load", timeout=60_000)
            first.get_by_text("the room page").wait_for(timeout=60_000)
            assert sampler.measure()[1] == 1
            # The room is full: a second visitor gets a plain page, clean for axe-core.
            second = context.new_page()
            reply = second.goto(url, wait_until="load", timeout=60_000)
            assert reply.status == 503
            heading = second.get_by_role("heading", level=1).inner_text()
            assert heading == "The room is full — please try again in a minute"
            assert second.get_by_role("main").count() == 1
            findings = Axe().run(second).response["violations"]
            assert not findings, [f"{v['id']}: {v['help']}" for v in findings]
            # The first visitor closes the tab: the page's beacon shuts its kernel down now,
            # not ten minutes later, and the second visitor gets in on trying again.
            first.close(run_before_unload=True)
            deadline = time.monotonic() + 20
            while sampler.measure()[1] and time.monotonic() < deadline:
                time.sleep(0.2)
            assert sampler.measure()[1] == 0
            second.get_by_role("link", name="open the page again").click()
            second.get_by_text("the room page").wait_for(timeout=60_000)
            assert sampler.measure()[1] == 1
            assert not failed, failed  # the beacon was not refused (Voilà alone answers 403)
        finally:
            context.close()


def test_the_workshop_command_is_served_by_the_live_server(tmp_path):
    """``python -m safercare.widgets.priorities`` goes through safercare.live.server."""
    missing = tmp_path / "no such folder" / "workshop.sqlite3"
    done = subprocess.run([sys.executable, "-m", "safercare.widgets.priorities", "--facilitator",
                           "--ip", "0.0.0.0", "--db", str(missing)], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("Cannot start: The folder ") and "Traceback" not in done.stderr
    from safercare.widgets.priorities import voila_command as workshop_command

    with pytest.raises(LiveServerError, match="without a secret"):
        workshop_command(True, ip="0.0.0.0")
    argv, env = workshop_command(True, ip="0.0.0.0", token="t0ken-for-the-test")
    assert _flag(argv, "RoomKernelManager.max_kernels") == "5"  # a facilitator's few tabs
    assert env["JUPYTER_TOKEN"] == "t0ken-for-the-test"
    assert _flag(workshop_command(False)[0], "RoomKernelManager.max_kernels") == "50"
