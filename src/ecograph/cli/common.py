"""What every command shares: the consoles, the global options, opening the workspace,
reporting a failure, and the options several commands take (scope, seed, language).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from ecograph.namespaces import graph_iri
from ecograph.safetext import labelled, terminal
from ecograph.store import RemoteStore, Store, StoreError, open_store
from ecograph.store.credentials import Credentials

if TYPE_CHECKING:  # at run time, imported by the commands that project (networkx is slow to load)
    from ecograph.network.projection import Projection
    from ecograph.scope import Scope

#: Results (tables, data) go to standard output; messages and progress to standard error, so
#: that ``ecograph query -f csv > out.csv`` writes only the data.
console = Console()
errors = Console(stderr=True)


class _State:
    store: Path | None = None
    endpoint: str | None = None
    update_endpoint: str | None = None
    gsp_endpoint: str | None = None


state = _State()


def fail(message: Any, code: int) -> typer.Exit:
    """Print ``message`` after a red "error:" and return the exit to raise. The message often
    quotes data (a name, a cell, a path), so it is printed as text, never as rich markup."""
    errors.print(labelled("error:", "red", message))
    return typer.Exit(code)


@contextlib.contextmanager
def working(message: str) -> Iterator[None]:
    """Say what a long step is doing: a spinner on a terminal, one plain line on standard error
    when piped or redirected (a spinner there would print nothing, or escape codes)."""
    if errors.is_terminal:
        with errors.status(terminal(message)):
            yield
        return
    errors.print(terminal(message), highlight=False, soft_wrap=True)
    yield


class PlainProgress:
    """What a rich progress bar says, as plain lines on standard error: for piped runs and
    logs. A line when a task starts or changes stage, then at most one every ``every`` seconds.
    """

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self._tasks: dict[int, dict[str, Any]] = {}

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, description: str, total: float | None = None) -> int:
        task = len(self._tasks)
        self._tasks[task] = {"description": description, "completed": 0, "total": total}
        self._say(task)
        return task

    def update(
        self,
        task: int,
        *,
        description: str | None = None,
        completed: float | None = None,
        total: float | None = None,
    ) -> None:
        state = self._tasks[task]
        changed = description is not None and description != state["description"]
        for key, value in (("description", description), ("completed", completed)):
            if value is not None:
                state[key] = value
        state["total"] = total
        if changed or time.monotonic() - state["said"] >= self.every:
            self._say(task)

    def stop(self) -> None:
        return None

    def _say(self, task: int) -> None:
        state = self._tasks[task]
        state["said"] = time.monotonic()
        done, total = state["completed"], state["total"]
        count = f" {done:,.0f}/{total:,.0f}" if total else (f" {done:,.0f}" if done else "")
        errors.print(terminal(f"{state['description']}{count}"), highlight=False, soft_wrap=True)


def progress() -> Any:
    """A progress display for long work: rich's bar on a terminal (standard error), plain lines
    otherwise. Both have ``add_task``, ``update(task, description=, completed=, total=)``,
    ``stop`` and are context managers."""
    if not errors.is_terminal:
        return PlainProgress()
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    # markup=False: the description holds a file name, which may hold "[/]".
    return Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    )


@contextlib.contextmanager
def opened(
    *, read_only: bool = False, create: bool = True, base_iri: str | None = None
) -> Iterator[Store]:
    """Open the workspace (or the remote endpoint given by --endpoint), turning store errors
    into one readable line and exit code 1."""
    try:
        if state.endpoint:
            remote = RemoteStore(
                state.endpoint,
                update_endpoint=state.update_endpoint,
                gsp_endpoint=state.gsp_endpoint,
                base_iri=base_iri,
                credentials=Credentials.from_environment(),
            )
            remote.check_union_default_graph()
            yield remote
            return
        with open_store(
            state.store, read_only=read_only, create=create, base_iri=base_iri
        ) as store:
            yield store
            if not read_only:
                with working("Compacting the store if this command rewrote much of it…"):
                    store.compact_if_churned()
    except StoreError as err:
        raise fail(err, 1) from None


class Lang(StrEnum):
    fr = "fr"
    en = "en"


FormulaEscapeOption = Annotated[
    bool,
    typer.Option(
        "--formula-escape/--no-formula-escape",
        help="Put ' before text cells a spreadsheet would run as a formula (starting with =, +, -, "
        "@, tab or carriage return; plain numbers stay). Turn off only for a reader that is "
        "not a spreadsheet.",
    ),
]


RefreshOption = Annotated[
    bool,
    typer.Option(
        "--metrics/--no-metrics",
        help="Bring the store's metrics up to date after changing its data, so that the library "
        "queries that read them keep answering (a few seconds on thousands of actors, minutes "
        "at national scale). --no-metrics skips it, e.g. between several imports; "
        "`ecograph metrics` refreshes them later.",
    ),
]
TerritoryOption = Annotated[
    str | None,
    typer.Option(
        help="Limit to a territory: a code (44, epci/244400404, commune/44109, region/52), "
        "an exact name (Nantes Métropole) or its IRI."
    ),
]


DomainOption = Annotated[
    str | None, typer.Option(help="Limit to partnerships and projects of a domain (e.g. housing).")
]


TypeOption = Annotated[
    str | None,
    typer.Option(
        "--partnership-type", help="Limit to one partnership type (e.g. funding); drops projects."
    ),
]


SinceOption = Annotated[
    str | None, typer.Option(help="Keep ties that started on or after this date (YYYY-MM-DD).")
]


UntilOption = Annotated[
    str | None, typer.Option(help="Keep ties that started on or before this date (YYYY-MM-DD).")
]


SeedOption = Annotated[
    int, typer.Option(help="Seed of every random step (same seed, same output).")
]


def scope_of(
    territory: str | None,
    domain: str | None,
    partnership_type: str | None,
    since: str | None,
    until: str | None,
) -> Scope:
    """The scope the shared options name; a date that is not YYYY-MM-DD fails with exit 2.
    (A territory is read when the scope is projected: :func:`projection_of`.)"""
    from ecograph.scope import Scope

    try:
        return Scope(
            territory,
            domain,
            partnership_type,
            dt.date.fromisoformat(since) if since else None,
            dt.date.fromisoformat(until) if until else None,
        )
    except ValueError as err:
        raise fail(err, 2) from None


def projection_of(store: Store, scope: Scope) -> Projection:
    """The part of the store ``scope`` names, projected for analysis; a territory, domain or
    type that does not exist fails with exit 2 and the closest matches."""
    from ecograph.scope import project_scope

    try:
        with working("Projecting the graph…"):
            return project_scope(store, scope)
    except ValueError as err:
        raise fail(err, 2) from None


def graph_arg(store: Store, graph: str | None) -> str | None:
    """A graph given by short name ('sample') or IRI → its IRI."""
    if graph is None or "://" in graph:
        return graph
    return graph_iri(store.base_iri, graph)
