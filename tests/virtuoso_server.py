"""Start a real OpenLink Virtuoso (Debian package ``virtuoso-opensource``) on 127.0.0.1.

The server runs from a fresh database in a temporary folder, with the stock limits of the
Debian package that matter to ecograph (``ResultSetMaxRows`` 10,000, ``MaxSortedTopRows``
10,000, ``MaxQueryCostEstimationTime`` 400 s), so the tests see what a new user sees. Its
default account (dba/dba) guards the update and Graph Store endpoints by HTTP Digest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from ecograph.store.credentials import Credentials

from .serving import free_port, start_server

#: What ``virtuoso-t +foreground`` writes once both its SQL and HTTP ports listen.
READY = "Server online at"
#: A fresh database is created at the first start: a few seconds, more on a loaded machine.
START_TIMEOUT = 120.0
#: Virtuoso's own account, which the Debian package creates.
ACCOUNT = Credentials("dba", "dba")

_CONFIG = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., /usr/share/virtuoso-opensource-7/vad
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
{parameters}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
"""


@dataclass(frozen=True)
class VirtuosoServer:
    """URLs of a running server."""

    base: str

    @property
    def query(self) -> str:
        return self.base + "/sparql"

    @property
    def update(self) -> str:
        """The authenticated endpoint: the open one refuses updates until the SPARQL user
        is granted the ``SPARQL_UPDATE`` role."""
        return self.base + "/sparql-auth"

    @property
    def store(self) -> str:
        return self.base + "/sparql-graph-crud-auth"


@contextmanager
def virtuoso_server(
    folder: Path, *, max_rows: int = 10_000, parameters: str = "", buffers: int = 20_000
) -> Iterator[VirtuosoServer]:
    """Run ``virtuoso-t`` until the block ends.

    ``buffers`` is ``NumberOfBuffers``, Virtuoso's page cache in 8 KB pages: 20,000 (160 MB)
    for the tests, about 85,000 per GB a national store can have.

    Skips the test where Virtuoso is not installed, except in CI (``CI`` set), where
    ``.ci/run`` installs it and a missing server must fail rather than pass unseen.
    """
    binary = shutil.which("virtuoso-t")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("virtuoso-t is missing: .ci/run installs virtuoso-opensource")
        pytest.skip("Virtuoso (Debian package virtuoso-opensource) is not installed")
    folder.mkdir(parents=True, exist_ok=True)

    def command(http_port: int) -> list[str]:
        config = folder / f"virtuoso-{http_port}.ini"
        config.write_text(
            _CONFIG.format(
                folder=folder,
                sql_port=free_port(),
                http_port=http_port,
                max_rows=max_rows,
                parameters=parameters,
                buffers=buffers,
                dirty_buffers=buffers * 3 // 5,
            ),
            encoding="utf-8",
        )
        return [binary, "+foreground", "+configfile", str(config)]

    started = start_server(command, folder, ready=READY, name="virtuoso", seconds=START_TIMEOUT)
    try:
        yield VirtuosoServer(f"http://127.0.0.1:{started.port}")
    finally:
        started.stop(subprocess.Popen.terminate, 30)
