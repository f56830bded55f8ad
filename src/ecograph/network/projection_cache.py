"""The rows a projection reads, cached in the workspace graph by graph until a graph changes.

``map``, ``report``, ``gaps``, ``network`` and ``metrics`` all start by projecting the store,
and reading its rows is most of a command's time (about 7 µs a term: 100 s at a quarter of
France). Each graph's rows only change when the graph does, and every load describes its
graph (version, checksum or time: :func:`~ecograph.provenance.graph_descriptions`), so each
graph's rows are kept in ``{workspace}/cache/projection/{key}.npz``, the key digesting the
graph's IRI and description, the queries and this module's layout. After an import only the
new graph is read; after a removal, its file goes. A graph with no description is read every
time. The rows of all graphs together are the rows of the union (the projection's scans make
values distinct per subject, so a triple stated in two graphs counts once).

Each file is columnar (:func:`_read` has the layout): each column of each query is one UTF-8
text, its values joined by a separator no value holds; reading it back is one decode and one
split per column. A remote store has no workspace and is read every time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ecograph.provenance import graph_descriptions
from ecograph.store.base import Store
from ecograph.store.embedded import EmbeddedStore

__all__ = ["CACHE_DIR", "cached_rows"]

CACHE_DIR = "cache"
#: Changes when the file's layout does, so an older file is never read as a newer one.
LAYOUT = "3"
_SEPARATOR = "\x1e"  # ASCII record separator: refused in a value, so a value never holds it

Rows = Sequence[Sequence[str]]


def cached_rows(store: Store, queries: Mapping[str, str]) -> dict[str, Rows]:
    """Each query's rows (lists of plain strings, as ``Store.select_values`` gives them),
    graph by graph from the cache when the graph has not changed since it was written."""
    if not isinstance(store, EmbeddedStore):
        return {key: store.select_values(query) for key, query in queries.items()}
    folder = Path(store.location) / CACHE_DIR / "projection"
    descriptions = graph_descriptions(store)
    layout = hashlib.sha256(LAYOUT.encode())
    for key in sorted(queries):
        layout.update(f"\n{key}\n{queries[key]}".encode())
    rows: dict[str, list[Sequence[str]]] = {key: [] for key in queries}
    kept = set()
    for graph in store.named_graphs():
        description = descriptions.get(graph)
        found = None
        path = None
        if description is not None:
            digest = layout.copy()
            digest.update("\n".join([graph, *description]).encode())
            path = folder / f"{digest.hexdigest()[:24]}.npz"
            kept.add(path.name)
            found = _read(path, queries)
        if found is None:
            found = {key: store.select_values_in(query, graph) for key, query in queries.items()}
            if path is not None:
                _write(path, found)
        for key in queries:
            rows[key].extend(found[key])
    _forget(folder, kept)
    return dict(rows)


def _forget(folder: Path, kept: set[str]) -> None:
    """Remove the files of graphs that changed or went, and ecograph 0.1's single file."""
    for old in folder.glob("*.npz"):
        if old.name not in kept:
            old.unlink(missing_ok=True)
    for old in folder.parent.glob("projection-*.npz"):
        old.unlink(missing_ok=True)


def _read(path: Path, queries: Mapping[str, str]) -> dict[str, Rows] | None:
    """The cached rows, or None when there are none or they cannot be read (a damaged file
    is only a cache: the store is read again).

    A file holds two arrays: ``text``, every column's values joined, one column after the
    other, and ``layout``, for each query in name order its width, its row count and each
    column's length in bytes. Two arrays, not one per column: a store has a graph per
    imported file, and numpy parses a header per array (at 226 graphs × 19 queries, a
    second per projection went to headers alone).
    """
    if not path.is_file():
        return None
    try:
        with np.load(path) as saved:
            layout = saved["layout"].tolist()
            text = saved["text"].tobytes()
        rows: dict[str, Rows] = {}
        at, offset = 0, 0
        for key in sorted(queries):
            width, count = layout[at], layout[at + 1]
            sizes = layout[at + 2 : at + 2 + width]
            at += 2 + width
            columns = []
            for size in sizes:
                column = text[offset : offset + size].decode("utf-8").split(_SEPARATOR)
                offset += size
                if len(column) != count:
                    return None
                columns.append(column)
            rows[key] = list(zip(*columns, strict=True)) if width and count else []
        return rows if at == len(layout) and offset == len(text) else None
    except (OSError, KeyError, ValueError, UnicodeDecodeError, zipfile.BadZipFile):
        return None


def _write(path: Path, rows: Mapping[str, Rows]) -> None:
    """Write the rows (in :func:`_read`'s layout), replacing any older file; nothing when a
    value holds the separator (a hostile name) or the disk refuses (the cache is an
    optimisation)."""
    layout: list[int] = []
    texts: list[bytes] = []
    for key in sorted(rows):
        found = rows[key]
        width = len(found[0]) if found else 0
        layout += [width, len(found)]
        for j in range(width):
            text = _SEPARATOR.join(row[j] for row in found)
            if text.count(_SEPARATOR) != len(found) - 1:
                return
            encoded = text.encode("utf-8")
            layout.append(len(encoded))
            texts.append(encoded)
    arrays: dict[str, np.ndarray] = {
        "layout": np.array(layout, dtype=np.int64),
        "text": np.frombuffer(b"".join(texts), dtype=np.uint8),
    }
    scratch = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, scratch = tempfile.mkstemp(prefix=".rows-", suffix=".tmp", dir=path.parent)
        with os.fdopen(handle, "wb") as out:
            np.savez(out, allow_pickle=False, **arrays)
        os.replace(scratch, path)
        scratch = None
    except OSError:
        return
    finally:
        if scratch is not None:
            with contextlib.suppress(OSError):
                os.unlink(scratch)
