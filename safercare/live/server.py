"""Serve an app notebook as a live page with Voilà, safely, for a room of about 40 people.

Every page that someone opens starts its own Python kernel (about 100 MiB for the workshop
pages). Left alone, Voilà keeps each one until the server stops, so a room that reloads its
pages runs a laptop out of memory. :func:`voila_command` therefore serves every page with:

* **closing on leave** — Voilà's page asks the server to shut its kernel down when the tab
  is closed or reloaded (its ``beforeunload`` beacon to ``/voila/api/shutdown``), which
  Voilà on its own refuses for want of an XSRF cookie; :func:`give_page_its_xsrf_cookie`
  (a prelaunch hook, set in ``config/voila.py``) gives the page one;
* **culling** — a kernel with no page connected to it (the beacon was lost: a phone went to
  sleep, a browser crashed, or the page was fetched but never opened) is shut down once it
  has been idle for :attr:`RoomLimits.idle_seconds` (default 10 minutes), checked every
  :attr:`RoomLimits.check_seconds` (1 minute). A page that is still open is never culled,
  however long its reader thinks;
* **a bound** — :class:`RoomKernelManager` refuses a new kernel beyond
  :attr:`RoomLimits.max_pages` (50 for a room page: 40 people, a few second tabs and some
  pages waiting to be culled, about 5 GiB at most; 5 for a facilitator page) with the plain
  page "The room is full — please try again in a minute" (HTTP 503), never a traceback.

Voilà's preheated kernels (``preheat_kernel``) stay off: a pool holds kernels whether anyone
uses them or not, which is the opposite of what a laptop in a room needs.

A facilitator page (``private=True``) is never reachable without a secret: :func:`main`
generates one with :func:`secrets.token_urlsafe` unless it is given, Jupyter server's token
check then refuses every request without it, and the link printed at start carries it.
:func:`voila_command` refuses to put a private page on a network address without one. A room
page stays tokenless (its link is shared with the room) and, like every page, listens on
127.0.0.1 only unless ``--ip`` says otherwise. The secret is passed in the environment
(``JUPYTER_TOKEN``), not on the command line, so other users of the computer cannot read it
from the process list.

Mistakes at start (a port in use, an address the computer does not have, a missing folder for
the data file, a data file that cannot be opened) end with one plain sentence, not a
traceback. Measured memory: ``benchmarks/live_server_memory.py``.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import secrets
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer

__all__ = [
    "FACILITATOR_LIMITS",
    "ROOM_LIMITS",
    "TEMPLATE_ROOT",
    "LiveApp",
    "LiveServerError",
    "RoomKernelManager",
    "RoomLimits",
    "check_data_file",
    "check_port",
    "give_page_its_xsrf_cookie",
    "is_local",
    "main",
    "page_link",
    "voila_command",
]

#: The Voilà template folder (``voila/templates/safercare``): Voilà's lab template minus its
#: links to a font CDN, so a page fetches nothing from the internet, plus the plain
#: "room is full" page (``503.html``).
TEMPLATE_ROOT = Path(__file__).resolve().parent / "jupyter"
#: Where Jupyter server's token check reads the secret from (kept off the command line).
TOKEN_ENV_VAR = "JUPYTER_TOKEN"
#: The only folder Voilà reads configuration from (``voila.py``: the prelaunch hook).
CONFIG_DIR = Path(__file__).resolve().parent / "config"


class LiveServerError(ValueError):
    """A live page cannot be served as asked; the message says why and what to do."""


@dataclass(frozen=True)
class RoomLimits:
    """How many pages one server holds at once, and when an unused page is closed."""

    #: The most kernels (open pages) the server holds; one more gets "the room is full".
    max_pages: int = 50
    #: A kernel with no page connected is shut down after this many idle seconds.
    idle_seconds: int = 600
    #: How often (seconds) the server looks for such kernels.
    check_seconds: int = 60

    def __post_init__(self) -> None:
        for name in ("max_pages", "idle_seconds", "check_seconds"):
            if int(getattr(self, name)) < 1:
                raise LiveServerError(f"{name.replace('_', ' ')} must be 1 or more.")


#: Defaults for a room page shared by a room of about 40 people.
ROOM_LIMITS = RoomLimits()
#: Defaults for a facilitator page: the facilitator, the projector and a spare tab or two.
FACILITATOR_LIMITS = RoomLimits(max_pages=5)


class RoomKernelManager(AsyncMappingKernelManager):
    """Jupyter server's kernel manager with a ceiling on how many kernels it holds.

    Kernels being started count towards the ceiling as soon as they are asked for, and kernels
    being shut down until their process has gone, so a burst of page loads cannot overshoot
    it. Beyond it, :meth:`start_kernel` raises HTTP 503, which Voilà shows as the template's
    plain ``503.html`` page. Culling (``cull_idle_timeout``, ``cull_interval``,
    ``cull_connected``) is the parent class's.
    """

    max_kernels = Integer(ROOM_LIMITS.max_pages, config=True,
                          help="The most kernels held at once; a page beyond it is refused.")

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._starting: set[str] = set()
        self._stopping: set[str] = set()

    def held(self) -> int:
        """How many kernels are running, being started or being shut down."""
        return len(set(self._kernels) | self._starting | self._stopping)

    async def start_kernel(self, *, kernel_id: str | None = None, path: str | None = None,
                           **kwargs: Any) -> str:
        """Start a kernel for a new page, unless the server already holds ``max_kernels``."""
        if kernel_id is not None and kernel_id in self:
            return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        if self.held() >= self.max_kernels:
            self.log.warning("Refused a new page: %d of %d kernels in use.", self.held(),
                             self.max_kernels)
            raise web.HTTPError(503, reason="The room is full")
        kernel_id = kernel_id or self.new_kernel_id(**kwargs)
        self._starting.add(kernel_id)
        try:
            return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        finally:
            self._starting.discard(kernel_id)

    async def shutdown_kernel(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:
        """Shut a kernel down; it counts towards the ceiling until its process has ended."""
        self._stopping.add(kernel_id)
        try:
            await super().shutdown_kernel(kernel_id, *args, **kwargs)
        finally:
            self._stopping.discard(kernel_id)


def give_page_its_xsrf_cookie(handler: web.RequestHandler, notebook: Any = None,
                              cwd: str | None = None) -> None:
    """Voilà prelaunch hook: set the page's ``_xsrf`` cookie before its kernel starts.

    When a tab closes, Voilà's page posts the cookie's value to ``/voila/api/shutdown`` so
    the server can shut the page's kernel down at once. Voilà never sets that cookie, so the
    call is refused (403) and the kernel waits for the culler; reading ``xsrf_token`` sets it.
    """
    _ = handler.xsrf_token


def is_local(ip: str) -> bool:
    """Whether ``ip`` is reachable from this computer only (``127.0.0.1``, ``::1``, localhost)."""
    if ip.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip.strip()).is_loopback
    except ValueError:
        return False


def page_link(ip: str, port: int, token: str | None = None) -> str:
    """The address to open a page at; it carries the secret when there is one."""
    host = ip
    if ip in ("", "0.0.0.0", "::"):
        host = socket.gethostname()  # what other machines in the room can usually reach
    elif ":" in ip:
        host = f"[{ip}]"
    return f"http://{host}:{port}/" + (f"?token={token}" if token else "")


def voila_command(
    notebook: str | os.PathLike[str],
    *,
    port: int = 8866,
    ip: str = "127.0.0.1",
    token: str | None = None,
    private: bool = False,
    limits: RoomLimits = ROOM_LIMITS,
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that serve ``notebook`` as a live page.

    ``argv[3]`` is the notebook. ``private`` marks a facilitator page: it needs ``token``
    unless it listens on this computer only. A ``token`` travels in the environment
    (``JUPYTER_TOKEN``) and is then required by every request; without one the page is open
    to whoever can reach ``ip``. Raises :class:`LiveServerError` for a private page on a
    network address without a token.
    """
    if private and not token and not is_local(ip):
        raise LiveServerError(
            f"The facilitator page cannot listen on {ip or 'every address'} without a secret: "
            "anyone on the network could open it. Give --token, or leave --ip out to keep it "
            "on this computer.")
    env = dict(os.environ)
    for name in (TOKEN_ENV_VAR, "JUPYTER_TOKEN_FILE"):
        env.pop(name, None)  # a room page must not pick up someone's token by accident
    env["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(TEMPLATE_ROOT), env.get("JUPYTER_PATH", "")) if p)
    manager = "RoomKernelManager"
    argv = [
        sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}",
        f"--Voila.ip={ip}", "--Voila.port_retries=0", "--template=safercare",
        f"--Voila.config_file_paths={CONFIG_DIR}",
        "--show_tracebacks=False",
        f"--VoilaConfiguration.multi_kernel_manager_class={__name__}.{manager}",
        f"--{manager}.max_kernels={limits.max_pages}",
        f"--{manager}.cull_idle_timeout={limits.idle_seconds}",
        f"--{manager}.cull_interval={limits.check_seconds}",
        f"--{manager}.cull_connected=False",  # a page still open keeps its kernel
        f"--{manager}.cull_busy=False",  # and so does one still working
    ]
    if token:
        env[TOKEN_ENV_VAR] = token
        argv.append("--Voila.auto_token=True")  # turn the token check on; it reads the env
    return argv, env


def check_port(ip: str, port: int) -> None:
    """Raise :class:`LiveServerError` if a server could not listen on ``ip:port`` now."""
    try:
        infos = socket.getaddrinfo(ip or None, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise LiveServerError(
            f"This computer has no address called {ip!r}. Use --ip 127.0.0.1 (this computer "
            "only) or --ip 0.0.0.0 (every network this computer is on).") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Voilà's server does
        try:
            sock.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise LiveServerError(
                    f"Port {port} is already in use: perhaps this page is already running. "
                    "Stop the other server, or choose another port with --port.") from None
            if error.errno == errno.EACCES:
                raise LiveServerError(
                    f"This computer does not allow port {port}. Choose a port between 1024 "
                    "and 65535 with --port.") from None
            if error.errno == errno.EADDRNOTAVAIL:
                raise LiveServerError(
                    f"This computer has no address {ip}. Use --ip 127.0.0.1 (this computer "
                    "only) or --ip 0.0.0.0 (every network this computer is on).") from None
            raise LiveServerError(f"Cannot listen on {ip}:{port}: {error.strerror}.") from None


def check_data_file(path: str | os.PathLike[str]) -> Path:
    """The data file as an absolute path, or :class:`LiveServerError` saying what to fix."""
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        raise LiveServerError(
            f"{path} is a folder. Give --db a file name inside it, for example "
            f"{path / 'workshop.sqlite3'}.")
    if not path.parent.is_dir():
        raise LiveServerError(
            f"The folder {path.parent} does not exist. Create it first, or give --db a file "
            "in a folder that exists.")
    if not path.exists() and not os.access(path.parent, os.W_OK | os.X_OK):
        raise LiveServerError(
            f"Cannot create {path.name} in {path.parent}: you cannot write there. Choose "
            "another folder with --db.")
    return path


@dataclass(frozen=True)
class LiveApp:
    """A live app: the page the room uses, the facilitator's page and the file they share.

    ``data_env_var`` names the environment variable through which the pages find the data
    file (``--db`` sets it); ``default_data`` gives the file used when neither is set.
    ``open_data`` opens (and so checks) the data file before serving, so a file that cannot
    be used is reported at start; it may raise :class:`~safercare.errors.DataError` or
    :class:`OSError`.
    """

    title: str
    room_page: Path
    facilitator_page: Path | None = None
    data_env_var: str | None = None
    default_data: Callable[[], Path] | None = None
    open_data: Callable[[Path], object] | None = None


def _parser(app: LiveApp, prog: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=f"Serve {app.title}.")
    if app.facilitator_page is not None:
        parser.add_argument("--facilitator", action="store_true",
                            help="serve the facilitator page (always behind a secret)")
    parser.add_argument("--port", type=int, default=None,
                        help="the port (default 8866 for the room page, 8867 for the "
                             "facilitator page)")
    parser.add_argument("--ip", default="127.0.0.1",
                        help="the address to listen on (default 127.0.0.1: this computer "
                             "only; 0.0.0.0 lets phones and laptops in the room connect)")
    parser.add_argument("--token", default=None,
                        help="the facilitator page's secret (default: a new one each start)")
    parser.add_argument("--max-pages", type=int, default=None,
                        help=f"the most pages open at once (default {ROOM_LIMITS.max_pages}; "
                             f"{FACILITATOR_LIMITS.max_pages} for the facilitator page)")
    parser.add_argument("--idle-minutes", type=float, default=ROOM_LIMITS.idle_seconds / 60,
                        help="close a page nobody has open after this many idle minutes "
                             f"(default {ROOM_LIMITS.idle_seconds // 60})")
    if app.data_env_var is not None:
        parser.add_argument("--db", default=None, help="the data file the pages share")
    return parser


def prepare(app: LiveApp, argv: Sequence[str] | None = None, *,
            prog: str | None = None) -> tuple[list[str], dict[str, str], str]:
    """Check the options and return the command, its environment and what to tell the user.

    Raises :class:`LiveServerError` with a plain message for anything that would fail.
    """
    args = _parser(app, prog).parse_args(argv)
    private = bool(getattr(args, "facilitator", False))
    notebook = app.facilitator_page if private else app.room_page
    assert notebook is not None
    port = args.port if args.port is not None else (8867 if private else 8866)
    if not 1 <= port <= 65535:
        raise LiveServerError(f"--port must be a number from 1 to 65535, not {port}.")
    if args.max_pages is not None and args.max_pages < 1:
        raise LiveServerError(f"--max-pages must be 1 or more, not {args.max_pages}.")
    if not args.idle_minutes > 0:
        raise LiveServerError(f"--idle-minutes must be more than 0, not {args.idle_minutes:g}.")
    defaults = FACILITATOR_LIMITS if private else ROOM_LIMITS
    limits = RoomLimits(max_pages=args.max_pages or defaults.max_pages,
                        idle_seconds=max(1, round(args.idle_minutes * 60)),
                        check_seconds=defaults.check_seconds)
    token = args.token
    if private and token is None:
        token = secrets.token_urlsafe(24)
    command, env = voila_command(notebook, port=port, ip=args.ip, token=token or None,
                                 private=private, limits=limits)
    if app.data_env_var is not None:
        path = _data_file(app, args.db or env.get(app.data_env_var))
        if path is not None:
            env[app.data_env_var] = str(path)
    check_port(args.ip, port)
    return command, env, _welcome(app, private, args.ip, port, token or None, limits)


def _data_file(app: LiveApp, chosen: str | None) -> Path | None:
    """The data file to serve: the one chosen (which must be usable) or the app's default."""
    if chosen:
        path = check_data_file(chosen)
    elif app.default_data is None:
        return None
    else:
        path = Path(app.default_data()).expanduser().resolve()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)  # the app's own folder
        except OSError as error:
            raise LiveServerError(
                f"Cannot create the folder {path.parent} for the data file: "
                f"{error.strerror or error}. Choose a file with --db.") from None
        path = check_data_file(path)
    if app.open_data is not None:
        _open(app, path)
    return path


def _open(app: LiveApp, path: Path) -> None:
    from safercare.errors import DataError

    try:
        app.open_data(path)  # type: ignore[misc]
    except DataError as error:
        raise LiveServerError(str(error)) from None  # it names the file and what to do
    except OSError as error:
        raise LiveServerError(
            f"Cannot open the data file {path}: {error.strerror or error}. Check the file, or "
            "choose another with --db.") from None


def _welcome(app: LiveApp, private: bool, ip: str, port: int, token: str | None,
             limits: RoomLimits) -> str:
    link = page_link(ip, port, token)
    who = "this computer only" if is_local(ip) else "anyone on this computer's networks"
    lines = [f"Serving {'the facilitator page' if private else 'the room page'} of {app.title}."]
    if private:
        lines += ["Open this link yourself. It carries the page's secret: do not share it, "
                  "and do not show it on the projector.", f"    {link}"]
        if not is_local(ip):
            lines.append(f"    (on this computer: {page_link('127.0.0.1', port, token)})")
    elif is_local(ip):
        lines += ["Open this link on this computer (to let the room in, start the room page "
                  "with --ip 0.0.0.0):", f"    {link}"]
    elif token:
        lines += ["Share this link with the room; it carries the secret you gave:", f"    {link}"]
    else:
        lines += ["Share this link with the room (the room page has no secret on purpose; "
                  "never share the facilitator's link):", f"    {link}"]
    minutes = limits.idle_seconds / 60
    lines += [
        f"Who can reach it: {who} ({ip}).",
        f"At most {limits.max_pages} pages at once; a page nobody has open closes after "
        f"{minutes:g} idle minute{'s' if minutes != 1 else ''}.",
        "Stop the server with Ctrl+C.",
    ]
    return "\n".join(lines)


def main(app: LiveApp, argv: Sequence[str] | None = None, *, prog: str | None = None) -> None:
    """Serve ``app``'s room page (or, with ``--facilitator``, its facilitator page).

    Prints the link to open (with the secret for a facilitator page), then becomes the Voilà
    server. A problem at start ends the command with one plain message and exit status 2.
    """
    try:
        command, env, welcome = prepare(app, argv, prog=prog)
    except LiveServerError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    print(welcome, flush=True)
    sys.stderr.flush()
    os.execve(command[0], command, env)
