"""Shared pytest fixtures for the Safer Care tests.

Book and browser fixtures (reuse them in your own tests rather than building or launching
your own; each is created at most once per test session):

``repo_root``
    The repository root as a :class:`~pathlib.Path`.
``toc_docnames``
    Every page and notebook listed in ``_toc.yml``, as Sphinx docnames
    (``"book/index"``, ``"notebooks/00-start-here"``), in book order.
``built_book``
    Builds the book once (``jupyter-book build . --all -W --keep-going`` into ``_build``;
    notebook execution is cached in ``_build/.jupyter_cache``) and returns a
    :class:`BookBuild` with the exit code, the full log, the Sphinx warnings and the HTML
    folder. It does not assert anything: ``tests/test_book.py`` does.
``book_server``
    Serves the built HTML with ``python -m http.server --bind 127.0.0.1`` on a free port and
    returns its base URL (``"http://127.0.0.1:PORT/"``).
``chromium``
    A headless Chromium (Debian's package, never a downloaded one) driven by Playwright:
    ``$SAFERCARE_CHROMIUM`` or ``/usr/bin/chromium``, launched with the flags in
    ``CHROMIUM_ARGS``.
``offline_page``
    A fresh browser page that may talk only to 127.0.0.1/localhost: every other request is
    aborted and recorded, and console errors and uncaught page errors are recorded too. It
    returns a :class:`WatchedPage`; call ``watched.problems()`` after your checks (see
    ``tests/test_browser.py`` for an example). Use it for a Voila app too: start your server
    on 127.0.0.1 and ``watched.page.goto(url)``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = ROOT / "_build"
HTML_DIR = BUILD_DIR / "html"

# Notebooks, apps and kernels started by the tests must never write to a person's real
# priorities database (~/.safercare): give the whole session a private one.
os.environ.setdefault(
    "SAFERCARE_PRIORITIES_DB",
    os.path.join(tempfile.mkdtemp(prefix="safercare-tests-"), "priorities.sqlite3"),
)

#: Chromium flags for a quiet, offline, headless run as root (see TOOLCHAIN.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-gpu",
]

#: Hosts a page may contact: the local server only.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}

#: Console errors every stock Jupyter Book 1 page logs and that do no harm: the theme emits
#: the Thebe configuration snippet twice, so the second copy fails to redeclare a constant.
HARMLESS_CONSOLE_ERRORS = (re.compile(r"Identifier 'THEBE_JS_URL' has already been declared"),)

# A Sphinx warning or error line: "path:line: WARNING: ..." or "WARNING: ...".
_SPHINX_PROBLEM = re.compile(r"(?:^|: )(?:WARNING|ERROR|CRITICAL|SEVERE):", re.MULTILINE)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _toc_files(node: object) -> Iterator[str]:
    """Yield every ``file:`` entry of a jb-book table of contents, in book order."""
    if isinstance(node, dict):
        for key in ("root", "file"):
            if isinstance(node.get(key), str):
                yield node[key]
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []) or []:
                yield from _toc_files(child)


def read_toc_docnames(root: Path = ROOT) -> list[str]:
    """Every page listed in ``_toc.yml`` as a docname (no extension), in book order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    return [re.sub(r"\.(md|ipynb)$", "", entry) for entry in _toc_files(toc)]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def toc_docnames() -> list[str]:
    return read_toc_docnames()


@dataclass
class BookBuild:
    """The outcome of one ``jupyter-book build``."""

    returncode: int
    log: str
    seconds: float
    html_dir: Path
    warnings: list[str] = field(default_factory=list)

    def page(self, docname: str) -> Path:
        """The built HTML file of a docname such as ``"book/index"``."""
        return self.html_dir / f"{docname}.html"


def build_book(root: Path = ROOT) -> BookBuild:
    """Build the book with warnings as errors and collect what happened."""
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # kernels must be able to produce figures
    env["PYTHONUTF8"] = "1"
    # The same command as `python3 run.py book` (jupyter_book has no __main__ module), plus
    # --all so that every page is read again and no warning hides in Sphinx's cache.
    cli = "import sys; from jupyter_book.cli.main import main; sys.exit(main())"
    command = [sys.executable, "-c", cli, "build", str(root), "--all", "-W", "--keep-going"]
    # SAFERCARE_BOOK_OUT builds into another folder (its own _build/), so that several
    # authors working in one checkout can build at once without overwriting each other.
    out = Path(os.environ.get("SAFERCARE_BOOK_OUT", root))
    if out != root:
        command += ["--path-output", str(out)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=1200)
    seconds = time.perf_counter() - start
    log = _ANSI.sub("", done.stdout + done.stderr)
    warnings = [line for line in log.splitlines() if _SPHINX_PROBLEM.search(line)]
    return BookBuild(done.returncode, log, seconds, out / "_build" / "html", warnings)


@pytest.fixture(scope="session")
def built_book() -> BookBuild:
    return build_book()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    """Block until something accepts connections on 127.0.0.1:port, or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing answered on 127.0.0.1:{port} within {timeout:.0f} s")


@pytest.fixture(scope="session")
def book_server(built_book: BookBuild) -> Iterator[str]:
    if not (built_book.html_dir / "index.html").exists():
        pytest.fail("the book did not build, so there is nothing to serve (see test_book.py)")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=built_book.html_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("SAFERCARE_CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.fail(
            f"Chromium not found at {executable}. Install Debian's package "
            "(apt-get install chromium) or set SAFERCARE_CHROMIUM to its path."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class WatchedPage:
    """A Playwright page plus everything it did that a test may want to refuse."""

    page: object
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Requests to other hosts, HTTP errors, console and page errors (less harmless ones)."""
        found = [f"request to another host: {url}" for url in self.blocked]
        found += [f"HTTP error: {text}" for text in self.failed_responses]
        found += [f"console error: {text}" for text in self.console_errors if not harmless(text)]
        found += [f"uncaught error: {text}" for text in self.page_errors if not harmless(text)]
        return found


def harmless(message: str) -> bool:
    """True for the known harmless browser errors in ``HARMLESS_CONSOLE_ERRORS``."""
    return any(pattern.search(message) for pattern in HARMLESS_CONSOLE_ERRORS)


def is_local(url: str) -> bool:
    """True for URLs the page may load: the local server, inline data and blobs."""
    parsed = urlparse(url)
    if parsed.scheme in {"data", "blob", "about"}:
        return True
    return (parsed.hostname or "") in LOCAL_HOSTS


@pytest.fixture
def offline_page(chromium: object) -> Iterator[WatchedPage]:
    context = chromium.new_context(service_workers="block")
    page = context.new_page()
    watched = WatchedPage(page)

    def route(route: object) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            watched.blocked.append(url)
            route.abort()

    context.route("**/*", route)
    page.on(
        "console",
        lambda msg: watched.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
    page.on(
        "response",
        lambda response: watched.failed_responses.append(f"{response.status} {response.url}")
        if response.status >= 400
        else None,
    )
    try:
        yield watched
    finally:
        context.close()
