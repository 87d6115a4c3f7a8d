"""Log in to the course server with a first name and the room's workshop code.

A workshop room needs a login that takes ten seconds and no email: every learner types their
first name (with an initial if two people share one, e.g. ``amira-k``) and the short workshop
code the trainer writes on the board. The code keeps out anyone who is not in the room; it does
not prove *who* a learner is, so two people typing the same name share one server (the login
page says to add an initial).

The trainer's account is separate: its name (``admin`` unless configured) is refused with the
workshop code and accepted only with the admin password, which is generated on first start and
shown only in the trainer's terminal. So knowing the workshop code never makes a learner admin.
"""

from __future__ import annotations

import hmac
import re
from typing import Any

from jupyterhub.auth import Authenticator
from traitlets import Unicode

#: A first name as a hub user name: lower-case letters, digits and hyphens, 1 to 32 of them,
#: starting with a letter (so it is also a safe folder name and URL part).
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


def _same(given: str, secret: str) -> bool:
    """Compare a typed secret with the real one in constant time (no timing leak)."""
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


class WorkshopAuthenticator(Authenticator):
    """First name plus a shared workshop code for learners; a separate admin password."""

    workshop_code = Unicode("", config=True, help="The code every learner types.")
    admin_name = Unicode("admin", config=True, help="The trainer's (admin's) user name.")
    admin_password = Unicode("", config=True, help="The trainer's password.")

    def normalize_username(self, username: str) -> str:
        """'  Amira K ' becomes 'amira-k': one spelling per person whatever they type."""
        return re.sub(r"[\s_]+", "-", username.strip().lower())

    def validate_username(self, username: str) -> bool:
        return bool(NAME_PATTERN.match(username)) and super().validate_username(username)

    async def authenticate(self, handler: Any, data: dict[str, str]) -> str | None:
        """The user's name if the code (or, for the trainer, the admin password) is right."""
        name = self.normalize_username(data.get("username", ""))
        given = data.get("password", "").strip()
        if not self.validate_username(name):
            self.log.warning("Refused a login with a name that is not a first name")
            return None
        if name == self.admin_name:
            return name if _same(given, self.admin_password) else None
        return name if _same(given.upper(), self.workshop_code.upper()) else None
