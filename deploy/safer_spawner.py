"""The learners' spawner: one server and kernel per learner, each in a home of their own.

JupyterHub's ``SimpleLocalProcessSpawner`` starts every learner's server as the hub's own OS
user. When the hub runs as root that would make every learner's kernel root, able to read the
hub's secrets and change the machine. :class:`CourseSpawner` therefore drops a learner's server
to one unprivileged account (``nobody`` by default) before it starts, when the hub is root.

What this isolates and what it does not (deploy/README.md says the same for trainers):

* through the hub, a learner reaches only their own server: the proxy routes ``/user/NAME/`` to
  NAME's server alone, and that server refuses any token without ``access:servers`` for NAME
  (403), so no learner can open another's files, notebooks or kernels in JupyterLab;
* as root, the hub's state (secrets, database) is 0600 root, out of every learner's reach;
* but every learner's *own code* runs as the same OS account, so a learner who types Python
  that opens another learner's folder can read it. Use the room server for the course's
  synthetic data only; for staff's own data use the Kubernetes deployment (one container each).
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Callable

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Unicode


class CourseSpawner(SimpleLocalProcessSpawner):
    """A local process per learner, started in their home, as an unprivileged account."""

    learner_account = Unicode("nobody", config=True,
                              help="The OS account learners' servers run as when the hub is root.")

    def make_preexec_fn(self, name: str) -> Callable[[], None]:
        home = self.home_dir
        account = pwd.getpwnam(self.learner_account) if os.geteuid() == 0 else None

        def preexec() -> None:
            os.makedirs(home, 0o700, exist_ok=True)
            if account is not None:
                os.chown(home, account.pw_uid, account.pw_gid)
                os.setgroups([])
                os.setgid(account.pw_gid)
                os.setuid(account.pw_uid)
            os.chdir(home)

        return preexec
