#!/usr/bin/env python3
"""Set up and run the Safer Care course with one command each.

    python3 run.py course   # set everything up and open the course in JupyterLab
    python3 run.py test     # set everything up and run every test
    python3 run.py book     # build the book into _build/html
    python3 run.py pack     # build the book, then print the trainers' pack (_build/pack/*.pdf)
    python3 run.py hub      # start the course server for a room (JupyterHub; --ip ADDRESS)

The first run creates a virtual environment in .venv and installs the pinned
requirements into it; later runs reuse it (and reinstall only when a
requirements file changes). Any extra arguments are passed on: to JupyterLab
for ``course`` (e.g. ``--no-browser --port 8890``) and to pytest for ``test``
(e.g. ``-k xmr``). Works on Linux, macOS and Windows with Python 3.11 or newer.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
START_PAGE = "notebooks/00-start-here.ipynb"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def say(message: str) -> None:
    print(f"[safercare] {message}", flush=True)


def venv_bin(name: str) -> Path:
    folder = "Scripts" if os.name == "nt" else "bin"
    suffix = ".exe" if os.name == "nt" else ""
    return VENV / folder / f"{name}{suffix}"


def requirements_digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def setup(requirements: str) -> Path:
    """Create .venv if needed and install a requirements file into it; return its python."""
    if sys.version_info < (3, 11):  # noqa: UP036 (run.py may be started by an older python3)
        sys.exit("Safer Care needs Python 3.11 or newer. Please install it and try again.")
    python = venv_bin("python")
    if not python.exists():
        say(f"creating a virtual environment in {VENV.name}/ (first run only)")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    files = [ROOT / "requirements.txt", ROOT / "pyproject.toml"]
    if requirements != "requirements.txt":
        files.append(ROOT / requirements)
    stamp = VENV / f".installed-{Path(requirements).stem}"
    wanted = requirements_digest(files)
    if stamp.exists() and stamp.read_text() == wanted:
        return python
    say(f"installing {requirements} (about a minute the first time)")
    pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--quiet", "--upgrade", "pip"], check=True, cwd=ROOT)
    subprocess.run([*pip, "install", "--quiet", "-r", requirements], check=True, cwd=ROOT)
    stamp.write_text(wanted)
    return python


def find_chromium() -> str | None:
    """The Chromium the browser tests use: $SAFERCARE_CHROMIUM, else one on PATH."""
    explicit = os.environ.get("SAFERCARE_CHROMIUM")
    if explicit:
        return explicit
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def clean_env() -> dict[str, str]:
    env = dict(os.environ)
    # Kernels must be able to show figures: a global Agg backend would leave
    # notebooks with no figure outputs at all.
    env.pop("MPLBACKEND", None)
    env["PYTHONUTF8"] = "1"
    return env


def course(args: list[str]) -> int:
    python = setup("requirements.txt")
    # The course's own notebooks are trusted, so their saved charts and widgets show in
    # full before a learner runs anything (this writes only to Jupyter's local trust store).
    lessons = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").rglob("*.ipynb")
                     if ".ipynb_checkpoints" not in p.parts)
    subprocess.run([str(python), "-m", "jupyter", "trust", *lessons], cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    say(f"opening the course at {START_PAGE} (press Ctrl+C twice to stop)")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
        args = ["--allow-root", *args]  # containers and CI run as root; JupyterLab refuses it
    command = [str(python), "-m", "jupyterlab", f"--ServerApp.root_dir={ROOT}", *args, START_PAGE]
    return subprocess.call(command, cwd=ROOT, env=clean_env())


def test(args: list[str]) -> int:
    python = setup("requirements-dev.txt")
    install_proxy()  # the course server's tests start a real hub
    env = clean_env()
    chromium = find_chromium()
    if chromium is None:
        say(
            "the browser tests need Chromium, which was not found. Install it "
            "(Debian/Ubuntu: sudo apt-get install chromium; macOS: brew install --cask chromium) "
            "or set SAFERCARE_CHROMIUM to its path, then run this again."
        )
        return 2
    env["SAFERCARE_CHROMIUM"] = chromium
    say(f"running every test (browser: {chromium})")
    return subprocess.call([str(python), "-m", "pytest", *args], cwd=ROOT, env=env)


def book(args: list[str]) -> int:
    python = setup("requirements-dev.txt")
    # jupyter_book has no __main__ module, so "python -m jupyter_book" cannot run it.
    cli = "import sys; from jupyter_book.cli.main import main; sys.exit(main())"
    command = [str(python), "-c", cli, "build", ".", "-W", "--keep-going", *args]
    if subprocess.call(command, cwd=ROOT, env=clean_env()) == 0:
        say(f"the book is in {ROOT / '_build' / 'html' / 'index.html'}")
        return 0
    return 1


def pack(args: list[str]) -> int:
    """Build the book, then print every facilitator page and handout as an A4 PDF."""
    if book([]) != 0:
        return 1
    python = venv_bin("python")
    script = ROOT / "book" / "_tools" / "print_pack.py"
    return subprocess.call([str(python), str(script), *args], cwd=ROOT, env=clean_env())


def install_proxy() -> None:
    """Install the hub's proxy (configurable-http-proxy) from deploy/package-lock.json with npm."""
    deploy = ROOT / "deploy"
    lock, stamp = deploy / "package-lock.json", deploy / "node_modules" / ".installed-lock"
    if stamp.exists() and stamp.read_text() == requirements_digest([lock]):
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("The course server needs Node.js and npm (Debian/Ubuntu: sudo apt-get install "
                 "nodejs npm; macOS: brew install node). Install them and try again.")
    say("installing the hub's proxy with npm (first run only)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], check=True,
                   cwd=deploy)
    stamp.write_text(requirements_digest([lock]))


def hub(args: list[str]) -> int:
    python = setup("requirements-hub.txt")
    install_proxy()
    command = [str(python), str(ROOT / "deploy" / "hub.py"), *args]
    if os.name == "posix":  # become the hub, so a stop signal or Ctrl+C reaches it directly
        os.chdir(ROOT)
        os.execve(command[0], command, clean_env())
    return subprocess.call(command, cwd=ROOT, env=clean_env())  # JupyterHub needs POSIX


COMMANDS = {"course": course, "test": test, "book": book, "pack": pack, "hub": hub}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
