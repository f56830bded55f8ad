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

The rows come back as columns, and every distinct text is one string object however many
rows hold it (:class:`Columns`). An actor's IRI is the subject of eight scans and the object
of many more, a sector or a currency the value of hundreds of thousands of rows: one tuple
and one string per cell held 2.8 GiB at a quarter of France, for 0.4 GiB of distinct texts.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np

from ecograph.provenance import graph_descriptions
from ecograph.store.base import Store
from ecograph.store.embedded import EmbeddedStore

__all__ = ["CACHE_DIR", "Columns", "cached_rows"]

CACHE_DIR = "cache"
#: Changes when the file's layout does, so an older file is never read as a newer one.
LAYOUT = "3"
_SEPARATOR = "\x1e"  # ASCII record separator: refused in a value, so a value never holds it

Rows = Sequence[Sequence[str]]


class Columns:
    """One query's answer, column by column: ``columns[j][i]`` is row ``i``'s ``j``-th value.

    Iterating gives the rows as tuples, made one at a time. No row object is kept: a tuple
    per row costs 64 bytes, more than its two pointers.
    """

    __slots__ = ("columns",)

    def __init__(self, width: int) -> None:
        self.columns: tuple[list[str], ...] = tuple([] for _ in range(width))

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        return zip(*self.columns, strict=True)

    def column(self, index: int) -> list[str]:
        """Every row's ``index``-th value."""
        return self.columns[index]

    def extend(self, columns: Sequence[Sequence[str]], texts: dict[str, str]) -> None:
        """Append rows given as columns, holding each text as the one object ``texts`` maps
        it to (a text first seen is added)."""
        for mine, theirs in zip(self.columns, columns, strict=True):
            mine.extend(map(texts.setdefault, theirs, theirs))


def cached_rows(store: Store, queries: Mapping[str, str]) -> dict[str, Columns]:
    """Each query's rows (plain strings, as ``Store.select_values`` gives them) as
    :class:`Columns`, graph by graph from the cache when the graph has not changed since it
    was written. Equal texts are one object."""
    texts: dict[str, str] = {}
    widths = {key: _width(query) for key, query in queries.items()}
    columns = {key: Columns(width) for key, width in widths.items()}
    if not isinstance(store, EmbeddedStore):
        for key, query in queries.items():
            columns[key].extend(_columns(store.select_values(query), widths[key]), texts)
        return columns
    folder = Path(store.location) / CACHE_DIR / "projection"
    descriptions = graph_descriptions(store)
    layout = hashlib.sha256(LAYOUT.encode())
    for key in sorted(queries):
        layout.update(f"\n{key}\n{queries[key]}".encode())
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
            found = _read(path, widths)
        if found is None:
            found = {
                key: _columns(store.select_values_in(query, graph), widths[key])
                for key, query in queries.items()
            }
            if path is not None:
                _write(path, found)
        for key in queries:
            columns[key].extend(found[key], texts)
    _forget(folder, kept)
    return columns


def _width(query: str) -> int:
    """How many variables a scan selects (``SELECT [DISTINCT] ?a ?b WHERE``): the width of
    its rows, known before any row is read."""
    return len(re.findall(r"\?\w+", query.split("WHERE", 1)[0]))


def _columns(rows: Rows, width: int) -> list[Sequence[str]]:
    """Rows as ``width`` columns (empty ones when there are no rows)."""
    if not rows:
        return [[] for _ in range(width)]
    columns: list[Sequence[str]] = list(zip(*rows, strict=True))
    if len(columns) != width:
        raise ValueError(f"a scan gave rows of {len(columns)} values where {width} were expected")
    return columns


def _forget(folder: Path, kept: set[str]) -> None:
    """Remove the files of graphs that changed or went, and ecograph 0.1's single file."""
    for old in folder.glob("*.npz"):
        if old.name not in kept:
            old.unlink(missing_ok=True)
    for old in folder.parent.glob("projection-*.npz"):
        old.unlink(missing_ok=True)


def _read(path: Path, widths: Mapping[str, int]) -> dict[str, list[Sequence[str]]] | None:
    """The cached columns of each query, or None when there are none or they cannot be read
    (a damaged file is only a cache: the store is read again).

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
        found: dict[str, list[Sequence[str]]] = {}
        at, offset = 0, 0
        for key in sorted(widths):
            width, count = layout[at], layout[at + 1]
            sizes = layout[at + 2 : at + 2 + width]
            at += 2 + width
            expected = widths[key]
            if count and width != expected:
                return None
            columns: list[Sequence[str]] = []
            for size in sizes:
                column = text[offset : offset + size].decode("utf-8").split(_SEPARATOR)
                offset += size
                if len(column) != count:
                    return None
                columns.append(column)
            found[key] = columns if count else [[] for _ in range(expected)]
        return found if at == len(layout) and offset == len(text) else None
    except (OSError, KeyError, ValueError, UnicodeDecodeError, zipfile.BadZipFile):
        return None


def _write(path: Path, found: Mapping[str, Sequence[Sequence[str]]]) -> None:
    """Write each query's columns (in :func:`_read`'s layout), replacing any older file;
    nothing when a value holds the separator (a hostile name) or the disk refuses (the cache
    is an optimisation)."""
    layout: list[int] = []
    texts: list[bytes] = []
    for key in sorted(found):
        columns = found[key]
        count = len(columns[0]) if columns else 0
        width = len(columns) if count else 0
        layout += [width, count]
        for column in columns if count else ():
            text = _SEPARATOR.join(column)
            if text.count(_SEPARATOR) != count - 1:
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
