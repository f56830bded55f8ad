"""Cutting one graph's RDF into requests a remote server takes reliably.

A large graph sent in one Graph Store request can hang a server: Virtuoso deadlocked on a
67 MB territory load and kept the half it had read. Sent in batches of a few tens of thousands
of triples, each request is small and quick, and the receiving graph can be counted at the end
to prove that every triple arrived.

Blank nodes are the catch: a blank node's label names it only inside one document, so
``_:b1`` sent in two requests becomes two different nodes. Every triple that holds a blank node
therefore travels in the last request, all together, and keeps its identity.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

import pyoxigraph as ox

from ecograph.store.base import StoreError

#: Triples per request: about 5–10 MB of N-Triples, which every server tried takes in a second.
TRIPLES_PER_REQUEST = 50_000


class TripleBatches:
    """The triples of one RDF document as N-Triples requests, and how many distinct triples
    they hold (known once iterated: a store keeps a repeated triple once).

    The document is bytes or a stream, parsed as it is read: a graph of tens of millions of
    triples (a national register, its metrics) is never held whole, only one request's
    lines and a number per distinct triple.

    Iterating parses the document; a syntax error is raised as ``StoreError`` at the point it
    is met, after the batches before it were yielded, so the caller must be ready to undo them.
    """

    def __init__(
        self,
        body: bytes | IO[bytes],
        format: ox.RdfFormat,
        *,
        where: str = "",
        per_request: int = TRIPLES_PER_REQUEST,
    ) -> None:
        self._body = body
        self._format = format
        self._where = where
        self._per_request = per_request
        self.distinct = 0
        self.requests = 0

    def __iter__(self) -> Iterator[bytes]:
        seen: set[int] = set()
        plain: list[str] = []
        with_blank_nodes: list[str] = []
        try:
            for quad in ox.parse(self._body, self._format):
                triple = quad.triple
                line = f"{triple} .\n"
                # Counted by hash, never dropped by it: a repeat is sent again (harmless), so
                # a hash collision could only make the count check fail, not lose a triple.
                seen.add(hash(line))
                if isinstance(triple.subject, ox.BlankNode) or isinstance(
                    triple.object, ox.BlankNode
                ):
                    with_blank_nodes.append(line)
                    continue
                plain.append(line)
                if len(plain) >= self._per_request:
                    yield self._request(plain)
                    plain = []
        except SyntaxError as err:
            raise StoreError(f"{self._where}{err}; nothing was loaded.") from None
        self.distinct = len(seen)
        if plain:
            yield self._request(plain)
        if with_blank_nodes:
            yield self._request(with_blank_nodes)

    def _request(self, lines: list[str]) -> bytes:
        self.requests += 1
        return "".join(lines).encode("utf-8")
