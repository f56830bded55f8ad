"""What every command shares: the consoles, the global options, opening the workspace,
reporting a failure, and the options several commands take (scope, seed, language).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ecograph.namespaces import graph_iri
from ecograph.safetext import labelled
from ecograph.store import RemoteStore, Store, StoreError, open_store

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
            )
            remote.check_union_default_graph()
            yield remote
            return
        with open_store(
            state.store, read_only=read_only, create=create, base_iri=base_iri
        ) as store:
            yield store
            if not read_only:
                with console.status("Compacting the store if this command rewrote much of it…"):
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


TerritoryOption = Annotated[
    str | None,
    typer.Option(
        help="Limit to a territory: LEVEL/CODE such as epci/244400404, departement/44, "
        "commune/44109, region/52."
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
) -> Any:

    from ecograph.analysis import Scope

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


def projection_of(store: Store, scope: Any) -> Any:
    from ecograph.analysis import project_scope

    try:
        with console.status("Projecting the graph…"):
            return project_scope(store, scope)
    except ValueError as err:
        raise fail(err, 2) from None


def graph_arg(store: Store, graph: str | None) -> str | None:
    """A graph given by short name ('sample') or IRI → its IRI."""
    if graph is None or "://" in graph:
        return graph
    return graph_iri(store.base_iri, graph)
