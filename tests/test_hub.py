"""The course server for a room (deploy/): a real JupyterHub on 127.0.0.1, two learners.

Starts ``deploy/hub.py`` (JupyterHub, configurable-http-proxy from deploy/node_modules, the
idle culler and the facilitator service) on a free port with a fresh state folder, then checks
what the workshop relies on: learners log in with the workshop code and nothing else; each gets
a server with the course pulled into their home and runs a cell; neither can open the other's
files; the trainer's admin page and the facilitator service need the admin. Bounded: about a
minute on a quiet machine; everything is stopped at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import requests
from conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))

from hubclient import Learner, hub_process  # noqa: E402
from workshop_auth import WorkshopAuthenticator  # noqa: E402

COURSE = f"file://{ROOT}"


def _reachable_by_others(*folders: Path) -> bool:
    """Whether an unprivileged account can enter every folder on the way to ``folders``."""
    return all(os.stat(p).st_mode & 0o001 for f in folders for p in [f, *f.parents])


@pytest.fixture(scope="module")
def hub():
    # Not under pytest's tmp folder: that is closed to the 'nobody' account learners run as.
    top = Path(tempfile.mkdtemp(prefix="safercare-hub-"))
    top.chmod(0o711)
    state = top / "state"
    extra: list[str] = []
    if os.geteuid() == 0 and not _reachable_by_others(ROOT, Path(sys.executable).parent):
        # This clone sits in a folder other accounts cannot enter, so learners' servers cannot
        # drop to 'nobody' here; run them as root (what --learner-account root is for) rather
        # than not test the hub at all. Everything but the OS account is tested the same way.
        extra = ["--learner-account", "root"]
    with hub_process(state, free_port(), timeout=240, extra=tuple(extra)) as running:
        running.learners_as_root = bool(extra)
        yield running
    assert running.process.poll() is not None, "the hub is still running after the test"
    assert not running.leftovers, f"still running after the hub stopped: {running.leftovers}"
    shutil.rmtree(top, ignore_errors=True)


@pytest.fixture(scope="module")
def learners(hub):
    code = hub.secrets["workshop_code"]
    people = [Learner(hub.url, "amira"), Learner(hub.url, "ben")]
    for person in people:
        assert person.login(code).status_code == 302
        person.get_token()
        person.start_server(timeout=120)
        person.pull_course(COURSE, _branch(), timeout=120)
    return people


def _branch() -> str:
    out = subprocess.run(["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_secrets_are_generated_private_and_ignored(hub):
    for name in ("secrets.json", "cookie_secret"):
        mode = stat.S_IMODE((hub.state / name).stat().st_mode)
        assert mode == 0o600, f"{name} is {oct(mode)}"
    secrets = hub.secrets
    assert len(secrets["workshop_code"]) == 6 and len(secrets["admin_password"]) >= 16
    assert "state/" in (ROOT / "deploy" / ".gitignore").read_text().split()


def test_binds_to_loopback_only(hub):
    import psutil

    port = int(hub.url.rsplit(":", 1)[1])
    listening = {c.laddr.ip for c in psutil.net_connections("inet")
                 if c.status == psutil.CONN_LISTEN and c.laddr.port == port}
    assert listening == {"127.0.0.1"}, listening
    assert "for this computer only" in hub.log.read_text()


def test_wrong_code_and_learner_as_admin_are_refused(hub):
    assert Learner(hub.url, "carol").login("WRONG1").status_code == 403
    # the workshop code does not open the admin account, nor a name that is not a first name
    assert Learner(hub.url, "admin").login(hub.secrets["workshop_code"]).status_code == 403
    assert Learner(hub.url, "../etc").login(hub.secrets["workshop_code"]).status_code == 403


def test_each_learner_has_the_course_and_runs_a_cell(hub, learners):
    for person in learners:
        nb = person.notebook("safer-care/notebooks/00-start-here.ipynb")
        assert nb["cells"], "the start page is empty"
        home = hub.state / "homes" / person.name
        kernel = person.start_kernel()
        # the kernel starts in the learner's own home, and (under root) not as root
        as_root_allowed = os.geteuid() != 0 or hub.learners_as_root
        cell = (f"import os; assert os.path.realpath(os.getcwd()) == {str(home)!r}, os.getcwd()\n"
                f"assert {as_root_allowed} or os.geteuid() != 0, 'the kernel runs as root'")
        [result] = person.run_cells(kernel, [cell])
        assert result.status == "ok", result.error
        assert (home / "safer-care" / "notebooks" / "00-start-here.ipynb").is_file()


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Trainer", "-c", "user.email=trainer@example.org",
                    *args], cwd=repo, check=True, capture_output=True)


def test_a_trainers_update_reaches_a_learner_without_overwriting_their_work(hub, learners):
    amira = learners[0]
    repo = hub.state.parent / "course-update"
    repo.mkdir()
    (repo / "lesson.txt").write_text("trainer's first version\n")
    (repo / "notes.txt").write_text("write your notes here\n")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first")
    url = f"file://{repo}"
    amira.pull_course(url, "main", targetpath="update-check")
    put = amira.api("PUT", "/user/amira/api/contents/update-check/notes.txt",
                    json={"type": "file", "format": "text", "content": "amira's own notes\n"})
    assert put.status_code == 200, put.text
    (repo / "lesson.txt").write_text("trainer's corrected version\n")
    (repo / "new-lesson.txt").write_text("a new page\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "update")
    amira.pull_course(url, "main", targetpath="update-check")
    home = hub.state / "homes" / "amira" / "update-check"
    assert (home / "notes.txt").read_text() == "amira's own notes\n"  # her work is kept
    assert (home / "lesson.txt").read_text() == "trainer's corrected version\n"
    assert (home / "new-lesson.txt").is_file()


def test_a_learner_cannot_open_another_learners_files(hub, learners):
    amira, ben = learners
    # with amira's token: ben's contents and kernels are refused
    assert amira.api("GET", "/user/ben/api/contents/safer-care").status_code == 403
    assert amira.api("GET", "/user/ben/api/kernels").status_code == 403
    # and with amira's browser session: the hub refuses the login to ben's server
    r = amira.session.get(hub.url + "/user/ben/lab", timeout=60)
    assert r.status_code == 403 or "/user/ben/lab" not in r.url


def test_the_admin_page_needs_the_admin(hub, learners):
    amira = learners[0]
    assert amira.session.get(hub.url + "/hub/admin", timeout=60).status_code == 403
    assert amira.api("GET", "/hub/api/users").status_code == 403
    trainer = Learner(hub.url, "admin")
    assert trainer.login(hub.secrets["admin_password"]).status_code == 302
    r = trainer.session.get(hub.url + "/hub/admin", timeout=60)
    assert r.status_code == 200
    trainer.get_token()
    users = {u["name"] for u in trainer.api("GET", "/hub/api/users").json()}
    assert {"amira", "ben", "admin"} <= users
    # the culler and the facilitator pages run as the hub's services
    assert {"idle-culler", "facilitator"} <= set(trainer.api("GET", "/hub/api/services").json())


def test_the_facilitator_service_is_behind_the_login(hub, learners):
    page = hub.url + "/services/facilitator/voila/"
    anonymous = requests.get(page, timeout=60)
    assert "/hub/login" in anonymous.url  # sent to the hub's login page
    assert learners[0].session.get(page, timeout=60).status_code == 403
    trainer = Learner(hub.url, "admin")
    trainer.login(hub.secrets["admin_password"])
    assert trainer.session.get(page, timeout=60).status_code == 200
    listing = trainer.session.get(hub.url + "/services/facilitator/api/contents", timeout=60)
    names = {item["name"] for item in listing.json()["content"]}
    assert {"priorities-facilitator.ipynb", "team-game-facilitator.ipynb",
            "red-beads-facilitator.ipynb", "funnel-facilitator.ipynb"} <= names
    # the page itself renders (Voilà runs the notebook in the service's kernel)
    for name in ("priorities-facilitator.ipynb", "red-beads-facilitator.ipynb"):
        r = trainer.session.get(page + f"render/{name}", timeout=120)
        assert r.status_code == 200 and "jupyter-widgets" in r.text, (name, r.text[:500])


def test_authenticator_normalises_first_names():
    auth = WorkshopAuthenticator()
    assert auth.normalize_username("  Amira K ") == "amira-k"
    assert not auth.validate_username("../etc")
    assert not auth.validate_username("x" * 40)
    assert json.dumps(auth.validate_username("ben")) == "true"


def test_bad_options_and_a_damaged_secrets_file_get_a_plain_message(tmp_path, capsys):
    import hub as launcher

    for argv in (["--port", "0"], ["--ssl-cert", "a.crt"], ["--idle-minutes", "0"]):
        with pytest.raises(SystemExit):
            launcher.parse(argv)
        assert "error:" in capsys.readouterr().err
    state = tmp_path / "state"
    first = launcher.load_or_create_secrets(state)
    assert launcher.load_or_create_secrets(state) == first  # kept across restarts
    assert set(first["workshop_code"]) <= set(launcher.CODE_ALPHABET)
    (state / "secrets.json").write_text("{not json")
    with pytest.raises(SystemExit) as stop:
        launcher.load_or_create_secrets(state)
    assert "secrets.json cannot be read" in str(stop.value) and "Delete it" in str(stop.value)
