"""Start the Safer Care course server for one room: ``python3 run.py hub [--ip ADDRESS]``.

On first start this writes the room's secrets into the state folder (``deploy/state/`` by
default, git-ignored, mode 0600): JupyterHub's cookie secret, the proxy's token, the workshop
code learners type and the trainer's admin password. It then starts JupyterHub with
``jupyterhub_config.py`` (which reads the settings made here from ``SAFERCARE_HUB_*``
environment variables), on 127.0.0.1 unless ``--ip`` gives the room's address.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_STATE = HERE / "state"
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
#: Where nbgitpuller puts the course in each learner's home, and the page they land on.
COURSE_FOLDER = "safer-care"
START_PAGE = "notebooks/00-start-here.ipynb"
#: Letters for the workshop code: no 0/O or 1/I/L to misread from a whiteboard.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ENV = "SAFERCARE_HUB_"


def make_secrets() -> dict[str, str]:
    """New secrets for a room: random, from :mod:`secrets`."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    return {"proxy_auth_token": secrets.token_hex(32), "workshop_code": code,
            "admin_password": secrets.token_urlsafe(12)}


def load_or_create_secrets(state: Path) -> dict[str, str]:
    """The room's secrets, created on first start (files readable by their owner only)."""
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o711)  # learners' servers may pass through to their homes, not list it
    (state / "homes").mkdir(exist_ok=True)
    os.chmod(state / "homes", 0o711)
    path = state / "secrets.json"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(make_secrets(), out, indent=1)
    cookie = state / "cookie_secret"
    if not cookie.exists():
        fd = os.open(cookie, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        sys.exit(f"The secrets file {path} cannot be read ({error}). Delete it to make new "
                 "secrets (learners then need the new workshop code).")
    missing = [k for k in make_secrets() if not isinstance(found.get(k), str) or not found[k]]
    if missing:
        sys.exit(f"The secrets file {path} lacks {', '.join(missing)}. Delete it to make new ones.")
    return found


def course_link(repo: str, branch: str) -> str:
    """The nbgitpuller link (from a learner's server) that pulls the course, then opens it."""
    query = urlencode({"repo": repo, "branch": branch, "targetpath": COURSE_FOLDER,
                       "urlpath": f"lab/tree/{COURSE_FOLDER}/{START_PAGE}"})
    return f"/git-pull?{query}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def current_branch() -> str:
    out = subprocess.run(["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    return out.stdout.strip() or "main"


@dataclass
class Settings:
    """What ``jupyterhub_config.py`` needs, passed through the environment."""

    state: Path
    ip: str = "127.0.0.1"
    port: int = 8000
    hub_port: int = 0
    proxy_api_port: int = 0
    facilitator_port: int = 0
    admin_name: str = "admin"
    course_repo: str = ""
    course_branch: str = "main"
    idle_minutes: int = 60
    max_learners: int = 40
    ssl_cert: str = ""
    ssl_key: str = ""
    learner_account: str = "nobody"
    secrets: dict[str, str] = field(default_factory=dict)

    def to_env(self) -> dict[str, str]:
        skip = {"secrets"}
        return {ENV + k.upper(): str(v) for k, v in vars(self).items() if k not in skip}

    @classmethod
    def from_env(cls) -> Settings:
        values = {k[len(ENV):].lower(): v for k, v in os.environ.items() if k.startswith(ENV)}
        ints = {"port", "hub_port", "proxy_api_port", "facilitator_port", "idle_minutes",
                "max_learners"}
        kwargs = {k: (int(v) if k in ints else v) for k, v in values.items()
                  if k in cls.__dataclass_fields__ and k != "secrets"}
        kwargs["state"] = Path(kwargs["state"])
        settings = cls(**kwargs)
        settings.secrets = load_or_create_secrets(settings.state)
        return settings

    @property
    def voila_templates(self) -> str:
        from safercare.live.server import TEMPLATE_ROOT
        return str(TEMPLATE_ROOT)

    @property
    def live_data_env(self) -> dict[str, str]:
        """Where the facilitator pages keep their data: the state folder."""
        from safercare.games.room_games import DB_ENV_VAR as ROOM
        from safercare.games.team_results import DB_ENV_VAR as GAME
        from safercare.priorities.store import DB_ENV_VAR as PRIORITIES
        live = self.state / "live"
        return {PRIORITIES: str(live / "priorities.sqlite3"), GAME: str(live / "team-game.sqlite3"),
                ROOM: str(live / "room-games.sqlite3")}


def facilitator_pages() -> dict[str, Path]:
    """The facilitator pages the ``facilitator`` service serves, by the name they appear under."""
    from safercare.games import room_games
    from safercare.games.team_game import app_notebook
    from safercare.widgets.priorities import _app_notebook
    pages = {"priorities-facilitator.ipynb": _app_notebook(True),
             "team-game-facilitator.ipynb": app_notebook(True)}
    for game in room_games.GAMES:  # the measurement lessons' room games: red beads, funnel
        page = room_games.app_notebook(game, True)
        pages[page.name] = page
    return pages


def link_facilitator_pages(state: Path) -> None:
    folder = state / "live" / "facilitator"
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in facilitator_pages().items():
        link = folder / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(source)


def check_reachable(folder: Path) -> None:
    """Stop with a plain message if learners' servers (run as 'nobody') cannot reach ``folder``.

    The venv, the course clone and the homes must be reachable (``o+x`` on every parent).
    """
    for parent in [folder, *folder.parents]:
        if not os.stat(parent).st_mode & 0o001:
            sys.exit(f"Learners' servers (which run as 'nobody') could not reach {folder}: "
                     f"{parent} is closed to other accounts. Put the course folder (or --state) "
                     f"somewhere else, or run 'chmod o+x {parent}'.")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python3 run.py hub",
                                     description="Start the course server for a room.")
    parser.add_argument("--ip", default="127.0.0.1",
                        help="the address learners reach (default 127.0.0.1: this computer only;"
                             " give the room network's address, or 0.0.0.0, to let the room in)")
    parser.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    parser.add_argument("--state", type=Path, default=DEFAULT_STATE,
                        help="the folder for secrets, the database and learners' homes")
    parser.add_argument("--course", default=f"file://{ROOT}",
                        help="the git repository of the course (default: this clone)")
    parser.add_argument("--branch", default=None, help="its branch (default: this clone's)")
    parser.add_argument("--admin-name", default="admin", help="the trainer's user name")
    parser.add_argument("--learner-account", default="nobody",
                        help="the OS account learners' servers run as when the hub is root "
                             "(default nobody; naming root keeps them as root, which isolates "
                             "nothing: for a test machine only)")
    parser.add_argument("--idle-minutes", type=int, default=60,
                        help="stop a learner's server after this many idle minutes (default 60)")
    parser.add_argument("--max-learners", type=int, default=40,
                        help="the most learners' servers at once (default 40)")
    parser.add_argument("--ssl-cert", default="", help="a TLS certificate file for HTTPS")
    parser.add_argument("--ssl-key", default="", help="its key file")
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        parser.error(f"--port must be from 1 to 65535, not {args.port}")
    if args.idle_minutes < 1 or args.max_learners < 1:
        parser.error("--idle-minutes and --max-learners must be 1 or more")
    if bool(args.ssl_cert) != bool(args.ssl_key):
        parser.error("give both --ssl-cert and --ssl-key, or neither")
    return args


def welcome(s: Settings) -> str:
    host = s.ip if s.ip not in ("0.0.0.0", "") else socket.gethostname()
    scheme = "https" if s.ssl_cert else "http"
    room = f"{scheme}://{host}:{s.port}/"
    who = "this computer only" if s.ip.startswith("127.") else "anyone on this network"
    lines = [
        f"The course server is starting for {who}: {room}",
        f"  Learners: open {room}, type their first name and the workshop code "
        f"{s.secrets['workshop_code']}",
        f"  Trainer: log in as {s.admin_name!r} with the admin password "
        f"{s.secrets['admin_password']} (keep it off the projector)",
        f"  Admin view {room}hub/admin · facilitator pages {room}services/facilitator/",
        f"  Secrets, database and learners' homes: {s.state} (delete it to start afresh)",
    ]
    if os.geteuid() != 0:
        lines.append("  Note: not started as root, so learners' servers run as your own account "
                     "(see deploy/README.md, 'What is isolated').")
    lines.append("Stop it with Ctrl+C.")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = parse(argv)
    if not PROXY.exists():
        sys.exit("The proxy is not installed: run 'npm ci' in deploy/ (python3 run.py hub does).")
    os.umask(0o077)  # everything the hub writes (database, logs) is its own
    state = args.state.resolve()
    s = Settings(state=state, ip=args.ip, port=args.port, hub_port=free_port(),
                 proxy_api_port=free_port(), facilitator_port=free_port(),
                 admin_name=args.admin_name, course_repo=args.course,
                 learner_account=args.learner_account,
                 course_branch=args.branch or current_branch(), idle_minutes=args.idle_minutes,
                 max_learners=args.max_learners, ssl_cert=args.ssl_cert, ssl_key=args.ssl_key)
    s.secrets = load_or_create_secrets(state)
    if os.geteuid() == 0 and s.learner_account != "root":
        check_reachable(state / "homes")
        check_reachable(Path(sys.executable).parent)  # learners' servers run from this .venv
        if args.course.startswith("file://"):
            check_reachable(Path(args.course[len("file://"):]))
    link_facilitator_pages(state)
    env = {**os.environ, **s.to_env()}
    for name in ("JUPYTER_TOKEN", "JUPYTERHUB_API_TOKEN"):
        env.pop(name, None)
    print(welcome(s), flush=True)
    hub = str(Path(sys.executable).parent / "jupyterhub")
    os.chdir(state)
    # Become JupyterHub (not its parent), so Ctrl+C and a stop signal reach it directly and it
    # stops the proxy, the services and every learner's server on its way out.
    os.execve(hub, [hub, "-f", str(HERE / "jupyterhub_config.py")], env)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
