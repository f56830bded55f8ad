"""Replace a named graph's content in one all-or-nothing step, writing only what changed.

ecograph's derived graphs (the metrics above all) are rewritten whole by each run, while
readers query the union of all graphs: the new content cannot wait in a scratch graph (a
kill before the swap would leave it visible beside the old), and dropping the old graph
before loading the new would leave no graph when killed in between. So the embedded store
replaces a graph in one transaction. Oxigraph holds a transaction in memory and removes
quads one at a time (about 50 µs and 1.3 KB each, measured on 1.9 M metrics triples), so
``DROP`` + ``INSERT DATA`` of a national metrics graph (9 M triples at a quarter of France)
needs more memory than the machine has. Between two runs most triples are the same, so
:func:`replace_graph` sends one update that deletes the triples that went and inserts
those that came, and nothing else:

1. the new content is written to a scratch file (never held whole in memory);
2. no graph yet: one bulk load of that file, which is atomic and needs little memory;
3. otherwise the old graph is dumped by Oxigraph to a second file; each line of both files
   gets a 128-bit digest; lines of one file whose digest the other lacks are the change;
4. one update, ``DELETE DATA`` of the old lines that went and ``INSERT DATA`` of the new
   ones, in one transaction whose size follows the change.

A triple written in another form by Oxigraph than by ecograph (an escape, say) is both
deleted and inserted, so it stays: a form mismatch costs time, never a triple. Blank nodes
cannot be named in ``DELETE DATA``, so content with blank nodes is replaced whole (``DROP``
then ``INSERT DATA``), as before. A remote store takes its own all-or-nothing path:
:meth:`~ecograph.store.remote.RemoteStore.load` sends batches into a scratch graph, counts
them, and puts them in place with one ``MOVE``.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyoxigraph as ox

from ecograph.rdfterms import nt_iri
from ecograph.store.base import Store
from ecograph.store.embedded import scratch_folder
from ecograph.store.remote import RemoteStore

__all__ = ["GraphChange", "replace_graph"]

#: The scratch graph of ecograph 0.1's replacing load (``{graph}#ecograph-loading``): a run
#: killed between its load and its ``MOVE`` left it behind, full of measures every query saw.
OLD_SCRATCH_SUFFIX = "#ecograph-loading"

_DIGEST = np.dtype("V16")


@dataclass(frozen=True)
class GraphChange:
    """What a replacement wrote: triples deleted and inserted, and how."""

    deleted: int
    inserted: int
    method: str  # "bulk load" | "difference" | "whole" | "remote load"


def replace_graph(store: Store, graph: str, ntriples: str | Iterable[str]) -> GraphChange:
    """Make ``graph`` hold exactly ``ntriples``, in one all-or-nothing step.

    ``ntriples`` is N-Triples text, whole or as chunks of whole lines (a generator keeps a
    large graph out of memory). See the module's docstring for how.
    """
    chunks = [ntriples] if isinstance(ntriples, str) else ntriples
    with tempfile.TemporaryDirectory(prefix="replace-", dir=scratch_folder(store)) as folder:
        new = Path(folder) / "new.nt"
        blank = _write(chunks, new)
        if isinstance(store, RemoteStore):
            store.load(new, format=ox.RdfFormat.N_TRIPLES, graph=graph, replace=True)
            return GraphChange(-1, -1, "remote load")
        store.drop_graph(graph + OLD_SCRATCH_SUFFIX)
        if not store.has_graph(graph):
            store.load(new, format=ox.RdfFormat.N_TRIPLES, graph=graph)
            return GraphChange(0, -1, "bulk load")
        if blank:
            store.update(_whole_update(graph, new.read_text(encoding="utf-8")))
            return GraphChange(-1, -1, "whole")
        old = Path(folder) / "old.nt"
        with old.open("wb") as out:
            store.dump(out, format=ox.RdfFormat.N_TRIPLES, graph=graph)
        old_digests, new_digests = _digests(old), _digests(new)
        went = _lines_where(old, ~np.isin(old_digests, new_digests))
        came = _lines_where(new, ~np.isin(new_digests, old_digests))
        if went or came:
            store.update(_difference_update(graph, went, came))
        return GraphChange(len(went), len(came), "difference")


def _write(chunks: Iterable[str], path: Path) -> bool:
    """Write the chunks to ``path``; whether any line may hold a blank node."""
    blank = False
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for chunk in chunks:
            if not chunk:
                continue
            # A blank node starts a line or follows a space; a literal holding " _:" is a
            # false alarm that only costs the whole-graph path.
            blank = blank or chunk.startswith("_:") or " _:" in chunk or "\n_:" in chunk
            out.write(chunk)
            if not chunk.endswith("\n"):
                out.write("\n")
    return blank


def _triple_lines(path: Path) -> Iterator[bytes]:
    """The file's triples, one per line, without the line end (blank lines skipped)."""
    with path.open("rb") as lines:
        for line in lines:
            line = line.rstrip(b"\r\n")
            if line and not line.startswith(b"#"):
                yield line


def _digests(path: Path) -> np.ndarray:
    """A 128-bit digest of each triple line, in file order: two different lines share one
    with odds of about 10⁻²⁵ at national size, where 64 bits would give 10⁻⁶."""
    digests = bytearray()
    for line in _triple_lines(path):
        digests += hashlib.blake2b(line, digest_size=16).digest()
    return np.frombuffer(bytes(digests), dtype=_DIGEST)


def _lines_where(path: Path, keep: np.ndarray) -> list[str]:
    """The lines of ``path`` at the positions ``keep`` marks."""
    if not keep.any():
        return []
    return [
        line.decode("utf-8")
        for line, wanted in zip(_triple_lines(path), keep.tolist(), strict=True)
        if wanted
    ]


def _difference_update(graph: str, went: list[str], came: list[str]) -> str:
    """One update request (so one transaction): delete what went, insert what came.

    The lines are N-Triples, valid SPARQL triples; the old ones were written by Oxigraph and
    the new ones by :mod:`ecograph.rdfterms`, which escapes every term, so no value can end
    the block.
    """
    name = nt_iri(graph)
    parts = []
    if went:
        parts.append(f"DELETE DATA {{ GRAPH {name} {{\n" + "\n".join(went) + "\n} }")
    if came:
        parts.append(f"INSERT DATA {{ GRAPH {name} {{\n" + "\n".join(came) + "\n} }")
    return " ;\n".join(parts)


def _whole_update(graph: str, ntriples: str) -> str:
    """``DROP`` + ``INSERT DATA`` of ``graph``: one update request, so one transaction."""
    name = nt_iri(graph)
    return f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n{ntriples}}} }}"
