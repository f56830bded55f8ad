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

1. the new content is written to a scratch file (never held whole in memory), with one more
   triple, ``eg:contentDigest``, a digest of the rest;
2. no graph yet: one bulk load of that file, which is atomic and needs little memory;
3. otherwise the old content is read from the copy kept in the workspace when the graph
   still names it by its digest and holds as many triples (else the old graph is dumped by
   Oxigraph, about 60 s for 9 M triples); each line of the old and the new gets a 128-bit
   digest; lines of one whose digest the other lacks are the change;
4. one update, ``DELETE DATA`` of the old lines that went and ``INSERT DATA`` of the new
   ones, in one transaction whose size follows the change;
5. the new content is kept, compressed, in ``{workspace}/cache/graphs/`` for the next time.

A triple written in another form by Oxigraph than by ecograph (an escape, say) is both
deleted and inserted, so it stays: a form mismatch costs time, never a triple. Blank nodes
cannot be named in ``DELETE DATA``, so content with blank nodes is replaced whole (``DROP``
then ``INSERT DATA``), as before. A remote store takes its own all-or-nothing path:
:meth:`~ecograph.store.remote.RemoteStore.load` sends batches into a scratch graph, counts
them, and puts them in place with one ``MOVE``.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyoxigraph as ox

from ecograph.rdfterms import nt_iri, nt_literal
from ecograph.store.base import Store, bound_text
from ecograph.store.embedded import EmbeddedStore, scratch_folder
from ecograph.store.remote import RemoteStore
from ecograph.vocab import EG

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
    """Make ``graph`` hold exactly ``ntriples`` and its ``eg:contentDigest``, in one
    all-or-nothing step.

    ``ntriples`` is N-Triples text, whole or as chunks of whole lines (a generator keeps a
    large graph out of memory). See the module's docstring for how.
    """
    chunks = [ntriples] if isinstance(ntriples, str) else ntriples
    with tempfile.TemporaryDirectory(prefix="replace-", dir=scratch_folder(store)) as folder:
        new = Path(folder) / "new.nt"
        blank = _write(chunks, new)
        new_digests = _digests(new)
        content = _content_digest(new_digests)
        line = f"{nt_iri(graph)} {nt_iri(str(EG.contentDigest))} {nt_literal(content)} ."
        with new.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
        new_digests = np.concatenate([new_digests, _digest_of([line.encode()])])
        if isinstance(store, RemoteStore):
            store.load(new, format=ox.RdfFormat.N_TRIPLES, graph=graph, replace=True)
            return GraphChange(-1, -1, "remote load")
        if not isinstance(store, EmbeddedStore):
            raise TypeError(f"no way to replace a graph in a {type(store).__name__}")
        store.drop_graph(graph + OLD_SCRATCH_SUFFIX)
        if not store.has_graph(graph):
            store.load(new, format=ox.RdfFormat.N_TRIPLES, graph=graph)
            _keep(store, graph, content, new)
            return GraphChange(0, -1, "bulk load")
        if blank:
            store.update(_whole_update(graph, new.read_text(encoding="utf-8")))
            return GraphChange(-1, -1, "whole")
        old = _kept(store, graph)
        old_digests = _kept_digests(old) if old is not None else None
        # a line written twice is one triple in the graph: compare distinct lines
        if (
            old is None
            or old_digests is None
            or len(np.unique(old_digests)) != _triple_count(store, graph)
        ):
            old = Path(folder) / "old.nt"
            with old.open("wb") as dump:
                store.dump(dump, format=ox.RdfFormat.N_TRIPLES, graph=graph)
            old_digests = _digests(old)
        went = _lines_where(old, ~np.isin(old_digests, new_digests))
        came = _lines_where(new, ~np.isin(new_digests, old_digests))
        if went or came:
            store.update(_difference_update(graph, went, came))
        _keep(store, graph, content, new)
        return GraphChange(len(went), len(came), "difference")


def _content_digest(digests: np.ndarray) -> str:
    """One digest of a content's line digests, whatever their order."""
    return hashlib.blake2b(np.sort(digests).tobytes(), digest_size=16).hexdigest()


def _kept_folder(store: EmbeddedStore) -> Path:
    return Path(store.location) / "cache" / "graphs"


def _kept_name(graph: str) -> str:
    return hashlib.sha256(graph.encode()).hexdigest()[:16]


def _kept(store: EmbeddedStore, graph: str) -> Path | None:
    """The kept copy of the graph's content, if the graph still names it."""
    rows = store.select(_CONTENT_DIGEST_QUERY, {"graph": ox.NamedNode(graph)})
    if len(rows) != 1:
        return None
    path = _kept_folder(store) / f"{_kept_name(graph)}-{bound_text(rows[0], 'digest')}.nt.gz"
    return path if path.is_file() else None


def _keep(store: EmbeddedStore, graph: str, content: str, new: Path) -> None:
    """Keep the content just written for the next replacement, compressed (N-Triples shrink
    about tenfold); a failure to keep it only costs the next one a dump."""
    folder = _kept_folder(store)
    path = folder / f"{_kept_name(graph)}-{content}.nt.gz"
    scratch = new.with_suffix(".gz")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with new.open("rb") as source, gzip.open(scratch, "wb", compresslevel=1) as target:
            shutil.copyfileobj(source, target, 1 << 20)
        os.replace(scratch, path)
    except OSError:
        return
    for older in folder.glob(f"{_kept_name(graph)}-*.nt.gz"):
        if older != path:
            older.unlink(missing_ok=True)


def _kept_digests(path: Path) -> np.ndarray | None:
    """The kept copy's line digests, or None when it cannot be read whole (a damaged copy is
    only a cache: the graph is dumped instead)."""
    try:
        return _digests(path)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError):
        return None


def _triple_count(store: EmbeddedStore, graph: str) -> int:
    rows = store.select(_COUNT_QUERY, {"graph": ox.NamedNode(graph)})
    return int(bound_text(rows[0], "n"))


_CONTENT_DIGEST_QUERY = """
SELECT ?digest WHERE { VALUES ?graph { UNDEF } GRAPH ?graph { ?graph eg:contentDigest ?digest } }
"""
_COUNT_QUERY = """
SELECT (COUNT(*) AS ?n) WHERE { VALUES ?graph { UNDEF } GRAPH ?graph { ?s ?p ?o } }
"""


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
    """The file's triples, one per line, without the line end (blank lines skipped); a
    ``.gz`` file is read through gzip."""
    with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as lines:
        for line in lines:
            line = line.rstrip(b"\r\n")
            if line and not line.startswith(b"#"):
                yield line


def _digests(path: Path) -> np.ndarray:
    """A 128-bit digest of each triple line, in file order: two different lines share one
    with odds of about 10⁻²⁵ at national size, where 64 bits would give 10⁻⁶."""
    return _digest_of(_triple_lines(path))


def _digest_of(lines: Iterable[bytes]) -> np.ndarray:
    digests = bytearray()
    for line in lines:
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
