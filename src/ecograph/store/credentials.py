"""HTTP credentials for a remote store's protected endpoints, read from the environment.

Production servers guard writes: Virtuoso's update and Graph Store endpoints
(``/sparql-auth``, ``/sparql-graph-crud-auth``) answer 401 until the client proves who it is
by HTTP Digest; Fuseki behind Shiro and GraphDB ask for HTTP Basic. ecograph takes the user and
password from ``ECOGRAPH_HTTP_USER`` and ``ECOGRAPH_HTTP_PASSWORD`` only, never from the command
line, where other users of the machine can read them in the process list and the shell keeps
them in its history.

Which scheme an endpoint wants is read from its own challenge (``WWW-Authenticate``), so the
user never has to say it, and a password is never sent to an endpoint that did not ask for one.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field

from ecograph.store.base import StoreError

USER_VARIABLE = "ECOGRAPH_HTTP_USER"
PASSWORD_VARIABLE = "ECOGRAPH_HTTP_PASSWORD"


@dataclass(frozen=True)
class Challenge:
    """What an endpoint asked for: ``scheme`` is "basic" or "digest"; ``realm`` may be ""."""

    scheme: str
    realm: str


@dataclass(frozen=True)
class Credentials:
    """A user and password for HTTP Basic or Digest (the password is kept out of ``repr``)."""

    user: str
    password: str = field(repr=False)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Credentials | None:
        """The credentials the environment holds, or None when it holds none.

        Only one of the two variables set is a mistake worth stopping for: the writes would
        fail later with a bare 401.
        """
        env = os.environ if environ is None else environ
        user, password = env.get(USER_VARIABLE), env.get(PASSWORD_VARIABLE)
        if not user and not password:
            return None
        if not user or password is None:
            missing = USER_VARIABLE if not user else PASSWORD_VARIABLE
            raise StoreError(
                f"{missing} is not set: set both {USER_VARIABLE} and {PASSWORD_VARIABLE} "
                "to write to a protected endpoint."
            )
        return cls(user, password)

    def opener(self, asked: Challenge, url: str) -> urllib.request.OpenerDirector:
        """A urllib opener that answers ``url``'s challenge with these credentials.

        One handler, of the scheme asked: urllib's Basic handler raises on a Digest challenge
        instead of leaving it to the next handler.
        """
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, self.user, self.password)
        handler: urllib.request.BaseHandler
        if asked.scheme == "digest":
            handler = urllib.request.HTTPDigestAuthHandler(passwords)
        else:
            handler = urllib.request.HTTPBasicAuthHandler(passwords)
        return urllib.request.build_opener(handler)


def challenge(url: str, *, timeout: float) -> Challenge | None:
    """The authentication ``url`` asks for, read from its answer to a plain GET; None when it
    answers without asking (an open endpoint, or one that only refuses the empty request).

    One small request, made once per endpoint, before the first write that needs it.
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
        return None
    except urllib.error.HTTPError as err:
        if err.code != 401:
            return None
        header = err.headers.get("WWW-Authenticate", "")
    except (urllib.error.URLError, OSError) as err:
        raise StoreError(f"cannot reach {url}: {err}") from None
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() not in ("basic", "digest"):
        raise StoreError(
            f"{url} asks for {scheme or 'an unnamed'} authentication; ecograph speaks HTTP "
            "Basic and Digest only."
        )
    return Challenge(scheme.lower(), _realm(rest))


def _realm(parameters: str) -> str:
    """The ``realm="…"`` of a challenge's parameters ("" when absent)."""
    for part in parameters.split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "realm":
            return value.strip().strip('"')
    return ""
