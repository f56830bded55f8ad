"""The settings of ``ecograph serve``: one frozen dataclass, each field with its risk in words.

Every setting has a safe default and a help text that says what changing it exposes (the way
datasette keeps ``Setting(name, default, help)``). The ``serve`` command's flags take their
help and defaults from here, and ``tests/test_server.py`` checks that every field has a flag
whose help is this text, so the CLI and the server cannot drift apart.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

#: Shortest update token accepted: a guessable token on a writable endpoint is no lock at all.
MIN_TOKEN_LENGTH = 16
#: Smallest worker memory limit accepted: below it a worker cannot even open the store.
MIN_WORKER_MEMORY_MB = 512


class SettingsError(ValueError):
    """A setting (or a combination of settings) that the server refuses; names the flag."""


def _about(flag: str | None, help: str) -> dict[str, str | None]:
    """A field's metadata: the ``serve`` flag that sets it and its help (the risk, in words)."""
    return {"flag": flag, "help": help}


@dataclass(frozen=True)
class ServerSettings:
    """What ``ecograph serve`` serves and how far it trusts its clients."""

    store: Path = field(
        default=Path("ecograph-data"),
        metadata=_about(
            None,
            "The workspace folder to serve (the global --store option). Read-only mode holds it "
            "with a shared lock: `ecograph` commands that write are refused until the server "
            "stops.",
        ),
    )
    host: str = field(
        default="127.0.0.1",
        metadata=_about(
            "--host",
            "Address to listen on. 127.0.0.1 lets in only programs on this machine; 0.0.0.0 or a "
            "public address lets anyone who can reach this machine query the store, so put a "
            "firewall or an authenticating proxy in front.",
        ),
    )
    port: int = field(default=8000, metadata=_about("--port", "TCP port to listen on."))
    enable_update: bool = field(
        default=False,
        metadata=_about(
            "--enable-update",
            "Accept SPARQL updates (POST, with the update token as 'Authorization: Bearer'). "
            "Anyone with the token can change or delete every graph; the server then holds the "
            "store for writing and runs everything in one worker process.",
        ),
    )
    update_token: str | None = field(
        default=None,
        repr=False,
        metadata=_about(
            "--update-token",
            "Secret that update requests must present (at least 16 characters). Prefer the "
            "ECOGRAPH_UPDATE_TOKEN variable: a command-line value is visible to every user of "
            "this machine in the process list.",
        ),
    )
    cors: bool = field(
        default=False,
        metadata=_about(
            "--cors",
            "Send 'Access-Control-Allow-Origin: *' so that pages on any web site can query this "
            "endpoint from their visitors' browsers, including a browser on this machine reaching "
            "127.0.0.1.",
        ),
    )
    query_timeout: float = field(
        default=10.0,
        metadata=_about(
            "--query-timeout",
            "Seconds a query (or update) may run before its worker process is killed and the "
            "client gets 503. A higher limit lets one client keep a CPU core busy for that long.",
        ),
    )
    max_rows: int = field(
        default=10_000,
        metadata=_about(
            "--max-rows",
            "Most result rows (or triples) returned; more are cut off and the response says "
            "'truncated'. A higher cap lets one query take more memory and bandwidth.",
        ),
    )
    max_body_bytes: int = field(
        default=1_000_000,
        metadata=_about(
            "--max-body-bytes",
            "Largest request body (and query string) accepted, in bytes; larger requests get 413. "
            "A higher cap lets one request take more memory.",
        ),
    )
    max_response_bytes: int = field(
        default=50_000_000,
        metadata=_about(
            "--max-response-bytes",
            "Largest result body sent, in bytes; rows (or triples) past it are cut off and the "
            "response says 'truncated', as with --max-rows. A higher cap lets one query (a string "
            "doubled by CONCAT, say) take more memory and bandwidth.",
        ),
    )
    worker_memory: int = field(
        default=4096,
        metadata=_about(
            "--worker-memory",
            "Memory each worker process may take, in MiB (its address space, RLIMIT_AS); a query "
            "that needs more is stopped, the client gets 503 and the worker is replaced. 0 lifts "
            "the limit, letting one query (an ORDER BY over a cross product, say) take all the "
            "machine's memory.",
        ),
    )
    header_timeout: float = field(
        default=10.0,
        metadata=_about(
            "--header-timeout",
            "Seconds a client has to send a request's headers once connected (or once its "
            "previous answer was sent). A longer limit lets slow clients hold connections open "
            "and exhaust the server's sockets.",
        ),
    )
    idle_timeout: float = field(
        default=10.0,
        metadata=_about(
            "--idle-timeout",
            "Seconds of silence allowed while a request body arrives, and between requests on a "
            "kept-alive connection, before the connection is closed. A longer limit lets idle "
            "clients hold connections open.",
        ),
    )
    workers: int = field(
        default=2,
        metadata=_about(
            "--workers",
            "Worker processes running queries at once (each opens the store read-only). More "
            "workers answer more clients at once but take more memory and CPU; with "
            "--enable-update there is exactly one, the store's only writer.",
        ),
    )

    def __post_init__(self) -> None:
        checks = [
            (1 <= self.port <= 65535, "--port must be between 1 and 65535"),
            (self.query_timeout > 0, "--query-timeout must be a positive number of seconds"),
            (self.max_rows >= 1, "--max-rows must be at least 1"),
            (self.max_body_bytes >= 1024, "--max-body-bytes must be at least 1024"),
            (self.workers >= 1, "--workers must be at least 1"),
            (self.max_response_bytes >= 1024, "--max-response-bytes must be at least 1024"),
            (
                self.worker_memory == 0 or self.worker_memory >= MIN_WORKER_MEMORY_MB,
                f"--worker-memory must be 0 (no limit) or at least {MIN_WORKER_MEMORY_MB} MiB",
            ),
            (self.header_timeout > 0, "--header-timeout must be a positive number of seconds"),
            (self.idle_timeout > 0, "--idle-timeout must be a positive number of seconds"),
        ]
        for ok, message in checks:
            if not ok:
                raise SettingsError(message)
        if self.enable_update:
            if not self.update_token:
                raise SettingsError(
                    "--enable-update needs a token: set ECOGRAPH_UPDATE_TOKEN (or "
                    "--update-token), e.g. to the output of "
                    "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`"
                )
            if len(self.update_token) < MIN_TOKEN_LENGTH:
                raise SettingsError(
                    f"the update token must be at least {MIN_TOKEN_LENGTH} "
                    "characters long (ECOGRAPH_UPDATE_TOKEN / --update-token)"
                )

    @property
    def worker_count(self) -> int:
        """Worker processes actually started: one writer in update mode, else ``workers``."""
        return 1 if self.enable_update else self.workers

    @property
    def is_loopback(self) -> bool:
        """Whether ``host`` only lets in programs on this machine."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def setting_help(name: str) -> str:
    """The help text of one setting, for the CLI flag that sets it."""
    return _field(name).metadata["help"]


def setting_default(name: str) -> Any:
    """The default of one setting, for the CLI flag that sets it."""
    return _field(name).default


def setting_flags() -> dict[str, str]:
    """Each setting that has a ``serve`` flag, by field name → flag."""
    return {f.name: f.metadata["flag"] for f in fields(ServerSettings) if f.metadata["flag"]}


def _field(name: str) -> Any:
    for candidate in fields(ServerSettings):
        if candidate.name == name:
            return candidate
    raise KeyError(f"no server setting named {name!r}")
