"""JupyterHub configuration of the Safer Care course server for one room (one machine).

Started by ``deploy/hub.py`` (``python3 run.py hub``), which generates the secrets, picks the
ports and passes everything here in ``SAFERCARE_HUB_*`` environment variables. Read
``deploy/README.md`` for what each choice protects and what it does not.
"""

# ruff: noqa: F821  (``c`` is JupyterHub's configuration object, given when this file runs)
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from hub import Settings, course_link  # noqa: E402
from safer_spawner import CourseSpawner  # noqa: E402
from workshop_auth import WorkshopAuthenticator  # noqa: E402

s = Settings.from_env()
BIN = Path(sys.executable).parent

# The hub: one public address (the proxy), everything else on 127.0.0.1 only.
c.JupyterHub.bind_url = f"http://{s.ip}:{s.port}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{s.hub_port}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s.proxy_api_port}"
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.auth_token = s.secrets["proxy_auth_token"]
c.ConfigurableHTTPProxy.pid_file = str(s.state / "proxy.pid")
c.JupyterHub.cookie_secret_file = str(s.state / "cookie_secret")
c.JupyterHub.db_url = f"sqlite:///{s.state / 'jupyterhub.sqlite'}"
c.JupyterHub.pid_file = str(s.state / "jupyterhub.pid")
c.JupyterHub.template_paths = [str(HERE / "templates")]
c.JupyterHub.template_vars = {"announcement_login": (
    "Type your first name and the workshop code the trainer gives you.")}
if s.ssl_cert:
    c.JupyterHub.ssl_cert, c.JupyterHub.ssl_key = s.ssl_cert, s.ssl_key

# Who can log in: a first name and the workshop code; the trainer is a separate admin.
c.JupyterHub.authenticator_class = WorkshopAuthenticator
c.WorkshopAuthenticator.workshop_code = s.secrets["workshop_code"]
c.WorkshopAuthenticator.admin_name = s.admin_name
c.WorkshopAuthenticator.admin_password = s.secrets["admin_password"]
c.Authenticator.allow_all = True  # the workshop code is the gate
c.Authenticator.admin_users = {s.admin_name}

# Each learner: a server and kernels of their own, a home under the state folder, the course
# pulled into it by nbgitpuller on arrival (their own edits are kept on every later pull).
c.JupyterHub.spawner_class = CourseSpawner
c.CourseSpawner.home_dir_template = str(s.state / "homes" / "{username}")
c.CourseSpawner.learner_account = s.learner_account
c.Spawner.notebook_dir = str(s.state / "homes" / "{username}")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = course_link(s.course_repo, s.course_branch)
c.Spawner.environment = {
    "PYTHONUTF8": "1",
    # The course clone belongs to the trainer's account; learners' git may read it.
    "GIT_CONFIG_GLOBAL": str(HERE / "learner.gitconfig"),
}
c.Spawner.start_timeout = 180  # a loaded machine takes a while to start thirty servers
c.Spawner.http_timeout = 120
c.JupyterHub.concurrent_spawn_limit = 10
c.JupyterHub.active_server_limit = s.max_learners
c.Spawner.args = ["--MappingKernelManager.cull_idle_timeout=1800",
                  "--MappingKernelManager.cull_interval=120"]
if os.geteuid() == 0:
    c.Spawner.args.append("--allow-root")  # the server drops to 'nobody' first: see the spawner

# Services: the idle culler, and the facilitator's live pages behind the hub's login.
service_env = {"JUPYTER_PATH": s.voila_templates, "PYTHONUTF8": "1", **s.live_data_env}
c.JupyterHub.services = [
    {"name": "idle-culler",
     "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                 f"--timeout={s.idle_minutes * 60}", "--cull-every=120"]},
    {"name": "facilitator", "url": f"http://127.0.0.1:{s.facilitator_port}",
     "command": [str(BIN / "jupyterhub-singleuser"), "--allow-root",
                 f"--ServerApp.root_dir={s.state / 'live' / 'facilitator'}",
                 "--ServerApp.default_url=/voila/", "--VoilaConfiguration.template=safercare",
                 "--MappingKernelManager.cull_idle_timeout=600"],
     "environment": service_env, "oauth_no_confirm": True, "display": True},
]
c.JupyterHub.load_roles = [
    {"name": "idle-culler", "services": ["idle-culler"],
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
    # Learners keep JupyterHub's default: only their own server. Only the admin role holds
    # access:services, so only the trainer can open the facilitator service.
]
