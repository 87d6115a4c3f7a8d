"""The README's quick start is true: exactly two commands, the ones run.py and .ci/run use,
and the first really opens the course in JupyterLab at its start page."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
START_PAGE = "notebooks/00-start-here.ipynb"


def section(markdown: str, heading: str) -> str:
    """The text of a level-2 section, up to the next level-2 heading."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"README has no '## {heading}' section"
    return match.group(1)


def code_blocks(markdown: str) -> list[list[str]]:
    """The non-empty lines of each fenced code block."""
    blocks = re.findall(r"^```[\w-]*\n(.*?)^```", markdown, re.M | re.S)
    return [[line.strip() for line in block.splitlines() if line.strip()] for block in blocks]


def test_quick_start_is_exactly_two_commands() -> None:
    quick = section(README, "Quick start")
    blocks = code_blocks(quick)
    assert blocks[0] == ["python3 run.py course", "python3 run.py test"]
    assert ["py run.py course", "py run.py test"] in blocks, "Windows equivalents missing"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line.strip()
        for line in ci.splitlines()
        if line.strip() and not line.strip().startswith("#") and "run.py" in line
    ]
    assert commands == ["python3 run.py test"], commands


def test_run_py_offers_the_readme_commands() -> None:
    done = subprocess.run(
        [sys.executable, "run.py", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    for command in ("course", "test", "book"):
        assert f"python3 run.py {command}" in done.stdout
    assert "python3 run.py book" in section(README, "Build the book")
    run_py = (ROOT / "run.py").read_text(encoding="utf-8")
    assert f'START_PAGE = "{START_PAGE}"' in run_py
    assert (ROOT / START_PAGE).is_file()


def test_binder_badge_opens_the_start_page_of_the_configured_repository() -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    owner_repo = config["repository"]["url"].removeprefix("https://github.com/")
    branch = config["repository"]["branch"]
    badge = (
        f"https://mybinder.org/v2/gh/{owner_repo}/{branch}?urlpath=lab/tree/{START_PAGE}"
    )
    assert f"]({badge})" in README


def test_learner_requirements_leave_out_the_authoring_tools() -> None:
    learner = (ROOT / "requirements.txt").read_text(encoding="utf-8").lower()
    for tool in ("jupyter-book", "nbval", "pytest", "playwright", "sphinx"):
        assert tool not in learner, f"{tool} belongs in requirements-dev.txt"
    assert re.search(r"^-e \.$", learner, re.M), "the package itself must be installed"
    assert (ROOT / "runtime.txt").read_text().strip() in {"python-3.11", "python-3.12"}


def test_licences_are_present() -> None:
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    content = (ROOT / "LICENSE-content.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in content and "Attribution 4.0 International" in content


def _get(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_course_command_opens_jupyterlab_at_the_start_page() -> None:
    """`python3 run.py course` (here with a fixed port and token, and no browser)."""
    from conftest import free_port

    port, token = free_port(), secrets.token_hex(16)
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    env["JUPYTER_TOKEN"] = token
    args = ["--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1"]
    args.append("--ServerApp.port_retries=0")
    server = subprocess.Popen(
        [sys.executable, "run.py", "course", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so that stopping it also stops JupyterLab
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # a first run installs requirements.txt
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, body = _get(f"{base}/api/contents/{START_PAGE}?content=0", token)
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, f"JupyterLab did not serve {START_PAGE} (status {status})"
        assert json.loads(body)["type"] == "notebook"
        status, page = _get(f"{base}/lab/tree/{START_PAGE}", token)
        assert status == 200 and b"JupyterLab" in page
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
