"""The rows a projection reads, cached in the workspace until the data changes.

``map``, ``report``, ``gaps``, ``network`` and ``metrics`` all start by projecting the store,
and at 100,000 actors reading its 2.5 million rows is most of a command's time (about 7 µs a
term). The rows only change when the data does, and every load changes the data's
fingerprint (:func:`~ecograph.provenance.data_fingerprint`), so they are kept in
``{workspace}/cache/projection-{key}.npz``, the key digesting that fingerprint, the queries
and this module's layout. The file is columnar: each column of each query is one UTF-8 text,
its values joined by a separator no value holds, as a numpy byte array; reading it back is
one decode and one split per column. A remote store has no workspace and is read every time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ecograph.provenance import data_fingerprint
from ecograph.store.base import Store
from ecograph.store.embedded import EmbeddedStore

__all__ = ["CACHE_DIR", "cached_rows"]

CACHE_DIR = "cache"
#: Changes when the file's layout does, so an older file is never read as a newer one.
LAYOUT = "1"
_SEPARATOR = "\x1e"  # ASCII record separator: refused in a value, so a value never holds it

Rows = Sequence[Sequence[str]]


def cached_rows(store: Store, queries: Mapping[str, str]) -> dict[str, Rows]:
    """Each query's rows (lists of plain strings, as ``Store.select_values`` gives them),
    from the cache when the data has not changed since it was written."""
    folder = Path(store.location) / CACHE_DIR if isinstance(store, EmbeddedStore) else None
    rows: dict[str, Rows]
    if folder is None:
        rows = {key: store.select_values(query) for key, query in queries.items()}
        return rows
    digest = hashlib.sha256(f"{LAYOUT}\n{data_fingerprint(store)}".encode())
    for key in sorted(queries):
        digest.update(f"\n{key}\n{queries[key]}".encode())
    path = folder / f"projection-{digest.hexdigest()[:20]}.npz"
    found = _read(path, queries)
    if found is not None:
        return found
    rows = {key: store.select_values(query) for key, query in queries.items()}
    _write(path, rows)
    return rows


def _read(path: Path, queries: Mapping[str, str]) -> dict[str, Rows] | None:
    """The cached rows, or None when there are none or they cannot be read (a damaged file
    is only a cache: the store is read again)."""
    if not path.is_file():
        return None
    try:
        with np.load(path) as saved:
            rows: dict[str, Rows] = {}
            for key in queries:
                width = int(saved[f"{key}.width"])
                count = int(saved[f"{key}.count"])
                columns = [
                    saved[f"{key}.{j}"].tobytes().decode("utf-8").split(_SEPARATOR) if count else []
                    for j in range(width)
                ]
                if any(len(column) != count for column in columns):
                    return None
                rows[key] = list(zip(*columns, strict=True)) if width else []
            return rows
    except (OSError, KeyError, ValueError, UnicodeDecodeError):
        return None


def _write(path: Path, rows: Mapping[str, Rows]) -> None:
    """Write the rows, replacing any older cache file; nothing when a value holds the
    separator (a hostile name) or the disk refuses (the cache is an optimisation)."""
    arrays: dict[str, np.ndarray] = {}
    for key, found in rows.items():
        width = len(found[0]) if found else 0
        arrays[f"{key}.width"] = np.array(width)
        arrays[f"{key}.count"] = np.array(len(found))
        for j in range(width):
            text = _SEPARATOR.join(row[j] for row in found)
            if text.count(_SEPARATOR) != len(found) - 1:
                return
            arrays[f"{key}.{j}"] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    scratch = None
    try:
        path.parent.mkdir(exist_ok=True)
        handle, scratch = tempfile.mkstemp(prefix=".projection-", suffix=".npz", dir=path.parent)
        with os.fdopen(handle, "wb") as out:
            np.savez(out, allow_pickle=False, **arrays)
        os.replace(scratch, path)
        scratch = None
        for old in path.parent.glob("projection-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        return
    finally:
        if scratch is not None:
            with contextlib.suppress(OSError):
                os.unlink(scratch)
