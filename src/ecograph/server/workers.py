"""Queries run in worker processes, so a runaway query can be stopped.

pyoxigraph evaluates a query in Rust without ever returning to Python, and offers no way to
cancel it: a thread running one cannot be stopped, only waited for. So every query (and update)
runs in a worker *process*; the server sends it the job over a pipe and waits at most
``query_timeout`` seconds for the answer. When the time is up the worker is killed (SIGKILL:
the kernel frees its memory and its workspace lock), the client gets 503, and a fresh worker
is started in the background while the others keep answering.

**Read-only mode** (the default): ``workers`` processes each take the workspace's *shared*
lock and open the store with ``pyoxigraph.Store.read_only``. The server process holds a shared
lock too, for its whole life, so no writer can slip in while a worker is being replaced.

**Update mode** (``--enable-update``): a writer needs the *exclusive* lock, which excludes every
reader, so there is exactly one worker: it opens the store for writing and runs queries and
updates one at a time. The time limit works the same way; killing the worker in the middle of
an update loses nothing but that update, since pyoxigraph commits an update as one transaction
(RocksDB replays its log when the store is reopened). The cost: clients are served one at a
time, and for the second it takes to reopen the store after a kill.

Workers open pyoxigraph directly rather than through ``EmbeddedStore``: the endpoint needs
engine options that the Store interface deliberately leaves out (a request's own default and
named graphs, a base IRI, lazy iteration to cut results at the row cap). The server checks the
workspace with ``open_store`` before starting them, so a wrong folder gets the usual message.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import multiprocessing
import os
import queue
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ecograph import sparql_results
from ecograph.namespaces import PREFIXES
from ecograph.queries import sorted_list_cells
from ecograph.server import protocol, results, sandbox
from ecograph.server.screen import Refused, Unreadable, nesting_bound, screen
from ecograph.store.embedded import DATABASE_DIR, LOCK_FILE
from ecograph.store.lock import LockHeldError, WorkspaceLock

log = logging.getLogger("ecograph.server")

#: How long a new worker may take to open the store before the server gives up on it.
START_TIMEOUT = 120.0
#: Longest syntax error message passed on (the rest is a list of every token the parser knew).
MAX_MESSAGE = 300
#: Pause between attempts to replace a worker that could not start (e.g. the store is busy).
RESPAWN_PAUSE = 2.0
#: Deepest nesting handed to pyoxigraph's parser for a syntax message: its recursive descent
#: overflows the stack and kills the process somewhere between 20,000 and 100,000 levels
#: (pyoxigraph 0.5.13). A request the screen parsed nests at most ``screen.MAX_NESTING``.
ENGINE_NESTING_LIMIT = 10_000
#: What a client is told when a job took more memory than a worker may have.
MEMORY_MESSAGE = (
    "The request needed more memory than a worker may take; the limit is set by --worker-memory."
)
#: Python frames a worker may stack: rdflib's grammar recurses a few dozen frames per level
#: of nesting, so the default (1,000) refuses a FILTER with twenty parentheses; this admits
#: the screen's ``MAX_NESTING`` levels (tried up to 50,000 frames without exhausting the C
#: stack of a worker's main thread).
WORKER_RECURSION_LIMIT = 20_000


class PoolError(RuntimeError):
    """The pool could not run a job; ``status`` and the message are for the client."""

    def __init__(self, status: int, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.setting = setting


@dataclass(frozen=True)
class Job:
    """One query or update, everything a worker needs to run and answer it."""

    text: str
    update: bool = False
    base_iri: str | None = None
    dataset: protocol.Dataset = field(default_factory=protocol.Dataset)
    accept: protocol.Accept = (("*/*", 1.0),)
    max_rows: int = 10_000
    max_response_bytes: int = 50_000_000
    #: Columns of a library query whose ``GROUP_CONCAT`` items are sorted, as the CLI does.
    lists: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """A worker's answer: what the server sends back as is."""

    status: int
    media_type: str = ""
    body: bytes = b""
    truncated: bool | None = None


def error_outcome(status: int, message: str, **extra: Any) -> Outcome:
    """An error as the endpoint's JSON error body."""
    body = {"error": message, **{k: v for k, v in extra.items() if v is not None}}
    return Outcome(status, "application/json", json.dumps(body, ensure_ascii=False).encode())


# ----------------------------------------------------------------------------- in the worker
def execute(store: ox.Store, job: Job, *, sandboxed: bool = False) -> Outcome:
    """Screen one job, run it on an open pyoxigraph store and serialise its answer (row and
    byte caps applied).

    ``sandboxed`` says this process cannot open network sockets (``sandbox.enter``); only then
    may a request the screen cannot read be handed to pyoxigraph's parser, on an empty store,
    to tell a plain syntax error (reported as pyoxigraph words it) from a refusal.
    """
    try:
        screen(job.text, update=job.update)
    except Unreadable as err:
        if sandboxed and nesting_bound(job.text) <= ENGINE_NESTING_LIMIT:
            syntax_error = _engine_syntax_error(job)
            if syntax_error is not None:
                return syntax_error
        return error_outcome(400, str(err), line=err.line, column=err.column)
    except Refused as err:
        return error_outcome(400, str(err), line=err.line, column=err.column)
    try:
        return _evaluate(store, job)
    except MemoryError:
        return _out_of_memory()


def _engine_syntax_error(job: Job) -> Outcome | None:
    """pyoxigraph's syntax error for ``job`` (run on an empty in-memory store, so nothing of
    the workspace is read or changed), or None when pyoxigraph can parse it."""
    scratch = ox.Store()
    try:
        if job.update:
            scratch.update(job.text, base_iri=job.base_iri, prefixes=PREFIXES)
        else:
            scratch.query(job.text, base_iri=job.base_iri, prefixes=PREFIXES)
    except SyntaxError as err:
        return _syntax_error(err)
    except (OSError, RuntimeError, ValueError, TypeError, MemoryError):
        return None  # it parsed; how it fails on an empty store says nothing more
    return None


def _evaluate(store: ox.Store, job: Job) -> Outcome:
    """Run a screened job; a syntax error or an evaluation error becomes its JSON answer."""
    try:
        if job.update:
            store.update(
                protocol.add_using(job.text, job.dataset), base_iri=job.base_iri, prefixes=PREFIXES
            )
            return Outcome(204)
        answer = store.query(
            job.text, base_iri=job.base_iri, prefixes=PREFIXES, **_dataset_options(job.dataset)
        )
        return _serialise(answer, job)
    except SyntaxError as err:
        return _syntax_error(err)
    except protocol.ProtocolError as err:
        return error_outcome(err.status, str(err))
    except (OSError, RuntimeError, ValueError, TypeError) as err:
        log.warning("evaluation failed: %s", err)
        return error_outcome(
            500,
            f"The {'update' if job.update else 'query'} could not be "
            f"evaluated: {' '.join(str(err).split())}",
        )


def _syntax_error(err: SyntaxError) -> Outcome:
    message = " ".join(str(err).split())
    line, column = protocol.syntax_error_position(message)
    if len(message) > MAX_MESSAGE:  # pyoxigraph lists every token it could have taken
        message = message[:MAX_MESSAGE].rstrip() + "…"
    return error_outcome(400, f"SPARQL syntax error: {message}", line=line, column=column)


def _out_of_memory() -> Outcome:
    return error_outcome(503, MEMORY_MESSAGE, setting="worker_memory")


def _dataset_options(dataset: protocol.Dataset) -> dict[str, Any]:
    """pyoxigraph options for a request's dataset: the union of all graphs unless the request
    named its graphs, in which case only those (protocol §2.1.4)."""
    if not dataset.given:
        return {"use_default_graph_as_union": True}
    return {
        "default_graph": [ox.NamedNode(g) for g in dataset.default or ()],
        "named_graphs": [ox.NamedNode(g) for g in dataset.named or ()],
    }


def _serialise(answer: Any, job: Job) -> Outcome:
    """The answer in the negotiated format, cut at ``max_rows`` rows (or triples) and then at
    ``max_response_bytes`` bytes; ``truncated`` says whether either cut anything."""
    if isinstance(answer, ox.QueryTriples):
        graph_media = protocol.negotiate(job.accept, protocol.GRAPH_OFFERS)
        if graph_media is None:
            return _not_acceptable(protocol.GRAPH_OFFERS)
        triples = list(itertools.islice(answer, job.max_rows + 1))
        body, kept = _fit(
            triples[: job.max_rows],
            job.max_response_bytes,
            lambda part, _cut: results.write_triples(part, graph_media),
        )
        return Outcome(200, graph_media, body, len(triples) > kept)
    media = protocol.negotiate(job.accept, protocol.RESULTS_OFFERS)
    if media is None:
        return _not_acceptable(protocol.RESULTS_OFFERS)
    results_format = results.RESULTS_FORMATS[media]
    if isinstance(answer, ox.QueryBoolean):
        return Outcome(
            200, media, sparql_results.boolean_text(results_format, bool(answer)).encode()
        )
    variables = [variable.value for variable in answer.variables]
    body, truncated = sparql_results.capped_solutions(
        results_format,
        variables,
        (
            sorted_list_cells(job.lists, variables, [solution[name] for name in variables])
            for solution in answer
        ),
        max_rows=job.max_rows,
        max_bytes=job.max_response_bytes,
        truncated_member=True,
    )
    return Outcome(200, media, body, truncated)


def _fit(
    items: Sequence[Any], cap: int, write: Callable[[Sequence[Any], bool], bytes]
) -> tuple[bytes, int]:
    """``write(items[:n], cut)`` for the largest ``n`` whose body holds in ``cap`` bytes, and
    that ``n``. ``cut`` tells the writer that items were dropped. Graph results use it; SELECT
    results are cut row by row as they are written (``sparql_results.capped_solutions``).

    The whole answer is written first (the common case: it fits); otherwise a binary search
    over prefixes finds the longest that fits, a handful of writes each smaller than the
    whole. An empty answer always fits: it is the format's header alone.
    """
    body = write(items, False)
    if len(body) <= cap:
        return body, len(items)
    fits, too_long = 0, len(items)
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if len(write(items[:middle], True)) <= cap:
            fits = middle
        else:
            too_long = middle
    return write(items[:fits], True), fits


def _not_acceptable(offers: tuple[tuple[str, str], ...]) -> Outcome:
    available = sorted({canonical for _, canonical in offers})
    return error_outcome(
        406,
        "None of the media types in the Accept header can hold this "
        f"result; available: {', '.join(available)}.",
    )


def worker_main(conn: Connection, folder: str, writable: bool, memory_mb: int = 0) -> None:
    """A worker process: leave the network, cap its memory, take the workspace lock, open the
    store, answer jobs until told to stop (``None``) or until the pipe closes.

    The sandbox goes first, before pyoxigraph starts any thread; the memory limit is the
    process's address space (RLIMIT_AS), so a query that grows past it fails to allocate: a
    Python MemoryError becomes a 503 here, and pyoxigraph aborting the process becomes one in
    the server (``WorkerPool.run``).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="ecograph worker: %(message)s"
    )
    no_sandbox = sandbox.enter()
    if no_sandbox is not None:
        log.warning("running without the network sandbox: %s", no_sandbox)
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.setrecursionlimit(WORKER_RECURSION_LIMIT)
    lock = WorkspaceLock(Path(folder) / LOCK_FILE, exclusive=writable)
    try:
        lock.acquire()
    except LockHeldError as held:
        who = f"process {held.holder.get('pid')}" if held.holder else "another process"
        conn.send(("error", f"the store at {folder} is in use by {who}"))
        return
    try:
        database = str(Path(folder) / DATABASE_DIR)
        store = ox.Store(database) if writable else ox.Store.read_only(database)
    except OSError as err:
        conn.send(("error", f"cannot open the store at {folder}: {err}"))
        lock.release()
        return
    conn.send(("ready", os.getpid()))
    try:
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                break
            if job is None:
                break
            conn.send(execute(store, job, sandboxed=no_sandbox is None))
    finally:
        if writable:
            store.flush()
        del store
        lock.release()


# ----------------------------------------------------------------------------- in the server
class _Worker:
    """One worker process and the server's end of its pipe."""

    def __init__(self, context: Any, folder: Path, writable: bool, memory_mb: int) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=worker_main,
            args=(child, str(folder), writable, memory_mb),
            name="ecograph-worker",
            daemon=True,
        )
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> None:
        """Block until the worker has opened the store; RuntimeError with its reason if not."""
        if not self.conn.poll(timeout):
            self.kill()
            raise RuntimeError(f"a worker did not open the store within {timeout:.0f} s")
        try:
            status, detail = self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise RuntimeError("a worker exited while opening the store") from None
        if status != "ready":
            self.kill()
            raise RuntimeError(str(detail))

    def kill(self) -> None:
        """Stop the process now (its lock and memory go with it) and close the pipe."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        """Ask the process to finish (flushing a writable store), kill it if it does not."""
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(5)
        self.kill()


class WorkerPool:
    """A fixed number of worker processes and the time limit on each job they run."""

    def __init__(
        self, folder: Path, *, size: int, writable: bool, timeout: float, memory_mb: int = 0
    ) -> None:
        if writable and size != 1:
            raise ValueError("a writable store admits one worker")
        self.folder = folder
        self.size = size
        self.writable = writable
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._guard = threading.Lock()
        self._closed = False
        self._lock: WorkspaceLock | None = None

    def start(self) -> None:
        """Start every worker and wait until each has opened the store."""
        if not self.writable:
            self._lock = WorkspaceLock(self.folder / LOCK_FILE, exclusive=False)
            self._lock.acquire()
        try:
            workers = [self._spawn() for _ in range(self.size)]
            for worker in workers:
                worker.wait_ready(START_TIMEOUT)
                self._idle.put(worker)
        except Exception:
            self.close()
            raise

    def run(self, job: Job) -> Outcome:
        """Run ``job`` on an idle worker within the time limit (blocking: call from a thread).

        Raises ``PoolError``: 503 when no worker is free within the time limit or the job
        overruns it (the worker is then replaced), 500 when a worker dies.
        """
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise PoolError(
                503,
                f"Every worker stayed busy for {self.timeout:g} s; try again "
                "later. The number of workers is set by --workers.",
                "workers",
            ) from None
        started = time.monotonic()
        try:
            worker.conn.send(job)
            if worker.conn.poll(self.timeout):
                outcome: Outcome = worker.conn.recv()
                self._idle.put(worker)
                return outcome
        except (EOFError, OSError):
            self._replace(worker)
            if self.memory_mb and worker.process.exitcode == -signal.SIGABRT:
                # pyoxigraph aborts the process when an allocation fails: under RLIMIT_AS
                # that is the memory limit (any other abort is a bug, and says so in the log)
                raise PoolError(503, MEMORY_MESSAGE, "worker_memory") from None
            raise PoolError(
                500, "The worker running this request stopped unexpectedly; it has been replaced."
            ) from None
        self._replace(worker)
        what = "update" if job.update else "query"
        raise PoolError(
            503,
            f"The {what} was stopped after {time.monotonic() - started:.1f} s:"
            f" the time limit is {self.timeout:g} s, set by --query-timeout.",
            "query_timeout",
        )

    def close(self) -> None:
        """Stop every worker and release the server's lock."""
        with self._guard:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self.folder, self.writable, self.memory_mb)
        with self._guard:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start its successor in the background."""
        with self._guard:
            self._all.discard(worker)
        worker.kill()
        threading.Thread(target=self._respawn, name="ecograph-respawn", daemon=True).start()

    def _respawn(self) -> None:
        while True:
            with self._guard:
                if self._closed:
                    return
            worker = self._spawn()
            try:
                worker.wait_ready(START_TIMEOUT)
            except RuntimeError as err:
                with self._guard:
                    self._all.discard(worker)
                log.error("could not replace a worker (%s); retrying in %g s", err, RESPAWN_PAUSE)
                time.sleep(RESPAWN_PAUSE)
                continue
            with self._guard:
                closed = self._closed
            if closed:
                worker.stop()
            else:
                self._idle.put(worker)
            return
