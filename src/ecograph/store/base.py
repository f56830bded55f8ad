"""What every ecograph store offers, embedded or remote.

The rest of ecograph talks to this interface only. Capabilities are explicit: a store that
cannot do something raises ``StoreError`` saying so; nothing silently falls back to another
engine (the rdflib store interface's habit that DESIGN §5 rules out).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Protocol

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal
RdfInput = Path | bytes | IO[bytes]


class StoreError(Exception):
    """A store problem a user can act on; the message says what and where."""


class StoreLockedError(StoreError):
    """Another process is using the store."""


class Store(Protocol):
    """The operations ecograph needs from a triple store."""

    @property
    def base_iri(self) -> str:
        """The base under which instance IRIs are minted."""

    @property
    def location(self) -> str:
        """Where the data lives (a folder, or an endpoint URL), for messages."""

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Any:
        """SELECT → rows with ``.variables``; ASK → bool; CONSTRUCT/DESCRIBE → triples."""

    def select(
        self, sparql: str, bindings: Mapping[str, Term] | None = None
    ) -> list[dict[str, Term | None]]:
        """A SELECT's rows as dicts keyed by variable name (unbound → None)."""

    def select_values(
        self, sparql: str, bindings: Mapping[str, Term] | None = None
    ) -> list[list[str]]:
        """A SELECT's rows as lists of plain strings, in projection order: an IRI's text, a
        literal's lexical form, "" when unbound. The bulk-scan path (network projection): it
        skips building one term object per cell, and drops what a scan does not need
        (datatype, language, IRI vs literal)."""

    def ask(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> bool:
        """An ASK query's answer."""

    def named_graphs(self) -> list[str]:
        """Every named graph's IRI, sorted."""

    def has_graph(self, graph: str) -> bool:
        """Whether the named graph exists."""

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad, or those of one graph."""

    def dump(self, output: IO[bytes], *, format: ox.RdfFormat, graph: str | None = None) -> None:
        """Serialise the dataset (quad formats) or one graph."""

    def load(
        self,
        source: RdfInput,
        *,
        format: ox.RdfFormat,
        graph: str,
        extra_ntriples: str = "",
        replace: bool = False,
    ) -> None:
        """Load RDF into a graph as one all-or-nothing step (see each store for the limits)."""

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add a few quads in one step."""

    def update(self, sparql_update: str) -> None:
        """Run one of ecograph's own SPARQL updates."""

    def drop_graph(self, graph: str) -> None:
        """Remove one named graph."""

    def close(self) -> None:
        """Release the store."""


def rdf_stream(source: RdfInput, extra_ntriples: str = "") -> IO[bytes]:
    """One binary stream of an RDF input followed by ``extra_ntriples`` (the graph's own
    provenance), read as it goes: a national register's file is never held whole in memory.
    The caller closes it (which closes a file ``source`` names)."""
    first: IO[bytes]
    if isinstance(source, Path):
        first = source.open("rb")
    elif isinstance(source, bytes):  # BytesIO shares the bytes: no copy of a big input
        first = io.BytesIO(source)
    else:
        first = source
    return io.BufferedReader(_ConcatenatedReader(first, extra_ntriples.encode()))


class _ConcatenatedReader(io.RawIOBase):
    """A binary stream of a file followed by a few extra bytes, for one ``bulk_load``."""

    def __init__(self, first: IO[bytes], tail: bytes) -> None:
        super().__init__()
        self._first = first
        self._tail = io.BytesIO(b"\n" + tail if tail else b"")
        self._first_done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        if not self._first_done:
            n = self._first.readinto(view)  # type: ignore[attr-defined]
            if n:
                return n
            self._first_done = True
        return self._tail.readinto(view)

    def close(self) -> None:
        self._first.close()
        super().close()


def csv_values(body: bytes) -> list[list[str]]:
    """Rows of a SPARQL 1.1 CSV result (header line first) as lists of strings.

    Lists, as the C reader makes them: turning them into tuples would cost a pass more.
    """
    reader = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
    next(reader, None)  # the variable names
    return list(reader)


def bound_text(row: Mapping[str, Term | None], name: str) -> str:
    """The text of a variable a query always binds: an IRI's text, a literal's lexical form.

    A ``StoreError`` naming the variable when the row leaves it unbound, rather than an
    ``AttributeError`` on ``None`` further down: such a row means the query does not say what
    its caller relies on.
    """
    term = row.get(name)
    if term is None:
        raise StoreError(f"the query left ?{name} unbound")
    return term.value


def select_rows(result: Any) -> list[dict[str, Term | None]]:
    """Rows of a SELECT result (pyoxigraph's or ``SelectResult``) as plain dicts."""
    names = [v.value for v in result.variables]
    return [{name: row[name] for name in names} for row in result]
