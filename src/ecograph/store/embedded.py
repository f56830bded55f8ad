"""The embedded store: pyoxigraph (RocksDB) in a workspace folder on disk.

A workspace is a plain folder::

    ecograph-data/
      ecograph.json   versions that created and last wrote the store, the instance base IRI
      oxigraph/       the RocksDB database
      writer.lock     held (flock) by the process that writes; readers hold it shared
      tmp/            scratch space of the writer (import files), emptied at each writable open

Every write goes through one pyoxigraph call that is all-or-nothing (``bulk_load``, ``extend``,
``update``), so a failed or killed load leaves the store as it was. Queries see the union of all
named graphs as their default graph, which is how ecograph keeps one graph per source. A writer
that rewrote much of the database compacts it before it closes (``compact_if_churned``).

A process killed (or stopped by a full disk) in the middle of a write leaves litter that no
one else would remove: ``bulk-*.sst`` files of an unfinished ``bulk_load`` in ``oxigraph/`` and
scratch folders in ``tmp/``. The next writer removes both when it opens the store, holding the
exclusive lock, so it cannot be someone else's load in progress.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from ecograph import __version__
from ecograph.binding import bind
from ecograph.namespaces import DEFAULT_BASE_IRI, PREFIXES
from ecograph.store.base import (
    RdfInput,
    Store,
    StoreError,
    StoreLockedError,
    Term,
    csv_values,
    rdf_stream,
    select_rows,
)
from ecograph.store.lock import LockHeldError, WorkspaceLock

DEFAULT_STORE_DIR = "ecograph-data"
METADATA_FILE = "ecograph.json"
DATABASE_DIR = "oxigraph"
LOCK_FILE = "writer.lock"
SCRATCH_DIR = "tmp"
#: How pyoxigraph names the table files of a bulk load before RocksDB takes them in.
BULK_TABLE_GLOB = "bulk-*.sst"
WORKSPACE_FORMAT = 1
# A writer compacts the database when it closes if at least this share of the table files
# is new since it opened (see ``EmbeddedStore._churned``).
COMPACTION_SHARE = 0.1


def resolve_store_dir(store: str | os.PathLike[str] | None) -> Path:
    """The workspace folder: the argument, else ``$ECOGRAPH_STORE``, else ``./ecograph-data``."""
    chosen = store or os.environ.get("ECOGRAPH_STORE") or DEFAULT_STORE_DIR
    return Path(chosen).expanduser()


def open_store(
    store: str | os.PathLike[str] | None = None,
    *,
    read_only: bool = False,
    create: bool = True,
    base_iri: str | None = None,
) -> EmbeddedStore:
    """Open (and by default create) the workspace at ``store`` — see ``resolve_store_dir``."""
    return EmbeddedStore(
        resolve_store_dir(store), read_only=read_only, create=create, base_iri=base_iri
    )


class EmbeddedStore:
    """One workspace folder holding one pyoxigraph store.

    Use it as a context manager (or call ``close``) so the lock is released promptly; the
    kernel releases it anyway when the process ends.
    """

    def __init__(
        self,
        folder: Path,
        *,
        read_only: bool = False,
        create: bool = True,
        base_iri: str | None = None,
    ) -> None:
        self.folder = folder
        self.read_only = read_only
        metadata_path = folder / METADATA_FILE
        if not metadata_path.exists():
            if read_only or not create:
                raise StoreError(
                    f"No ecograph store at {folder} (no {METADATA_FILE} there). "
                    "Create one with `ecograph init`, or point --store / ECOGRAPH_STORE at it."
                )
            if folder.exists() and any(folder.iterdir()):
                raise StoreError(
                    f"{folder} exists and is not an ecograph store (no {METADATA_FILE}); "
                    "choose an empty or new folder with --store."
                )
            folder.mkdir(parents=True, exist_ok=True)
        self._lock = WorkspaceLock(folder / LOCK_FILE, exclusive=not read_only)
        try:
            self._lock.acquire()
        except LockHeldError as held:
            raise StoreLockedError(_locked_message(folder, held, read_only)) from None
        try:
            self.metadata = self._read_or_create_metadata(metadata_path, base_iri)
            self._database = folder / DATABASE_DIR
            if not read_only:
                remove_litter(folder)
            self._store = (
                ox.Store.read_only(str(self._database))
                if read_only
                else ox.Store(str(self._database))
            )
            self._tables_at_open = set() if read_only else set(_table_sizes(self._database))
        except Exception:
            self._lock.release()
            raise

    # ----------------------------------------------------------------- lifecycle
    def close(self) -> None:
        """Flush, compact if this session rewrote much of the database, release the lock."""
        store = getattr(self, "_store", None)
        try:
            if store is not None and not self.read_only:
                self.compact_if_churned()
        finally:
            if store is not None:
                del self._store
            self._lock.release()

    def compact_if_churned(self) -> bool:
        """Flush, then compact the database if this session rewrote much of it (see
        ``_churned``); whether it compacted. ``close`` calls it; a command may call it first
        to tell the user why it pauses (a noticeable pause on a large store)."""
        self._require_writable()
        with self._writing("the data is as it was; only its compaction failed"):
            self._store.flush()
            if not self._churned():
                return False
            self._store.optimize()
        self._tables_at_open = set(_table_sizes(self._database))
        return True

    def _churned(self) -> bool:
        """Whether this session's writes left enough new table files to be worth compacting.

        RocksDB compacts in background threads, but ecograph's writers are short commands
        that exit first, and readers never compact. Left as they are, a bulk load's
        overlapping files and the tombstones of a replaced graph (every ``ecograph metrics``)
        make each index lookup about twice as slow, and lookups are most of a label-heavy
        query's time. A full compaction of a large store takes a noticeable pause, so it is
        only worth it when much has changed: small imports into a big store skip it. Figures
        in bench/README.md (``bench_queries.py``).
        """
        tables = _table_sizes(self._database)
        new = sum(size for name, size in tables.items() if name not in self._tables_at_open)
        return new > 0 and new >= COMPACTION_SHARE * sum(tables.values())

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def location(self) -> str:
        """The workspace folder, for messages."""
        return str(self.folder.resolve())

    @property
    def base_iri(self) -> str:
        """The base under which this workspace mints instance IRIs."""
        return str(self.metadata["base_iri"])

    @property
    def scratch_folder(self) -> Path:
        """Where a writer keeps its temporary files: inside the workspace, so they count
        against the store's own disk and the next writable open removes what a killed
        writer left (see ``remove_litter``)."""
        self._require_writable()
        folder = self.folder / SCRATCH_DIR
        folder.mkdir(exist_ok=True)
        return folder

    def _read_or_create_metadata(self, path: Path, base_iri: str | None) -> dict[str, Any]:
        versions = {"ecograph": __version__, "pyoxigraph": ox.__version__}
        if path.exists():
            try:
                metadata = json.loads(path.read_text(encoding="utf-8"))
            except ValueError as err:
                raise StoreError(
                    f"{path} is not valid JSON ({err}); it describes the store "
                    "and must be restored or removed with the store."
                ) from None
            if metadata.get("format") != WORKSPACE_FORMAT:
                raise StoreError(
                    f"{path}: workspace format {metadata.get('format')!r}, "
                    f"this ecograph reads format {WORKSPACE_FORMAT}."
                )
            if base_iri and base_iri != metadata["base_iri"]:
                raise StoreError(
                    f"This store mints IRIs under {metadata['base_iri']}; "
                    f"it cannot switch to {base_iri}. Use a new --store."
                )
            if not self.read_only and metadata.get("last_written_with") != versions:
                metadata["last_written_with"] = versions
                _write_json_atomically(path, metadata)
            return metadata
        metadata = {
            "format": WORKSPACE_FORMAT,
            "base_iri": base_iri or DEFAULT_BASE_IRI,
            "created_with": versions,
            "last_written_with": versions,
        }
        _write_json_atomically(path, metadata)
        return metadata

    # ----------------------------------------------------------------- reading
    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Any:
        """Run a SPARQL query over the union of all graphs.

        ``bindings`` fill the query's ``VALUES ?name { UNDEF }`` places with RDF terms (see
        ``ecograph.binding``), so a value full of quotes matches itself and nothing else.
        """
        text = bind(sparql, bindings) if bindings else sparql
        try:
            return self._store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
        except SyntaxError as err:
            raise StoreError(f"SPARQL syntax error: {err}") from None

    def select(
        self, sparql: str, bindings: Mapping[str, Term] | None = None
    ) -> list[dict[str, Term | None]]:
        """A SELECT query's rows as dicts keyed by variable name (unbound → None)."""
        return select_rows(self.query(sparql, bindings))

    def select_values(
        self, sparql: str, bindings: Mapping[str, Term] | None = None
    ) -> list[list[str]]:
        """A SELECT's rows as lists of plain strings (see ``Store.select_values``).

        Oxigraph writes the rows as SPARQL CSV in Rust and Python's C ``csv`` reader splits
        them: on large results that is several times faster than one term object per cell.
        """
        result = self.query(sparql, bindings)
        return csv_values(result.serialize(format=ox.QueryResultsFormat.CSV))

    def select_values_in(self, sparql: str, graph: str) -> list[list[str]]:
        """``select_values`` over one named graph alone: it is the default graph, and the
        only one ``GRAPH ?g`` sees. The projection caches its rows graph by graph this way,
        so that after an import only the new graph is read."""
        node = ox.NamedNode(graph)
        result: Any
        try:
            result = self._store.query(
                sparql, prefixes=PREFIXES, default_graph=node, named_graphs=[node]
            )
        except SyntaxError as err:
            raise StoreError(f"SPARQL syntax error: {err}") from None
        return csv_values(result.serialize(format=ox.QueryResultsFormat.CSV))

    def ask(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> bool:
        """An ASK query's answer."""
        return bool(self.query(sparql, bindings))

    def named_graphs(self) -> list[str]:
        """Every named graph's IRI, sorted."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def has_graph(self, graph: str) -> bool:
        """Whether the named graph exists."""
        return self._store.contains_named_graph(ox.NamedNode(graph))

    def __len__(self) -> int:
        return len(self._store)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad, or those of one graph."""
        graph_node = ox.NamedNode(graph) if graph else None
        return self._store.quads_for_pattern(None, None, None, graph_node)

    def dump(self, output: IO[bytes], *, format: ox.RdfFormat, graph: str | None = None) -> None:
        """Serialise the whole dataset (quad formats) or one graph (any format)."""
        if graph is not None:
            self._store.dump(output, format, from_graph=ox.NamedNode(graph), prefixes=PREFIXES)
        elif format.supports_datasets:
            self._store.dump(output, format)
        else:
            raise StoreError(f"{format.name} holds one graph: name one, or choose N-Quads/TriG.")

    # ----------------------------------------------------------------- writing
    def load(
        self,
        source: RdfInput,
        *,
        format: ox.RdfFormat,
        graph: str,
        extra_ntriples: str = "",
        replace: bool = False,
        base_iri: str | None = None,
        lenient: bool = False,
    ) -> None:
        """Load RDF into ``graph`` in one all-or-nothing step.

        ``extra_ntriples`` (N-Triples text, e.g. the graph's own provenance) is appended to the
        same load, so data and its description land together or not at all. It is supported
        for the line-based and Turtle-family formats, where appending N-Triples is valid.
        ``base_iri`` resolves relative IRIs; ``lenient`` skips pyoxigraph's validation of IRIs
        and language tags, only for input that was just parsed strictly (``ingest.rdf``).

        A failed write (disk full, input over the parser's limits) raises ``StoreError`` naming
        the input, and removes the table files the failed load left behind.

        With ``replace``, an existing graph is dropped first, then the new content loaded:
        each step is atomic, so the graph is always the old one, absent, or the new one —
        never half-written. It is meant for ecograph's own derived graphs (ontology,
        territories, generated data), which a rerun restores. The metrics graph, which
        queries read while it is replaced, changes in one transaction instead, which deletes
        and inserts only the triples that differ (``store.graph_replace.replace_graph``).
        """
        self._require_writable()
        if replace:
            self.drop_graph(graph)
        if extra_ntriples and format not in _APPENDABLE:
            raise StoreError(
                f"Provenance can only be appended to N-Triples, N-Quads, Turtle "
                f"or TriG input, not {format.name}; convert the input first."
            )
        stream = rdf_stream(source, extra_ntriples)
        where = f"{source}: " if isinstance(source, Path) else ""
        try:
            self._store.bulk_load(
                stream, format, to_graph=ox.NamedNode(graph), base_iri=base_iri, lenient=lenient
            )
        except SyntaxError as err:
            raise StoreError(f"{where}{err}; nothing was loaded.") from None
        except MemoryError as err:  # pyoxigraph: one term over its 16 MiB buffer
            raise StoreError(
                f"{where}{err} (a term longer than the parser's 16 MiB limit, or "
                "out of memory); nothing was loaded."
            ) from None
        except OSError as err:
            remove_bulk_tables(self._database)
            raise StoreError(
                f"{where}{_write_failure(self.folder, err)}; nothing was loaded."
            ) from None
        finally:
            stream.close()

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction (for small writes; use ``load`` for big ones)."""
        self._require_writable()
        with self._writing():
            self._store.extend(quads)

    def update(self, sparql_update: str) -> None:
        """Run a SPARQL update in one transaction. Only for ecograph's own fixed updates."""
        self._require_writable()
        with self._writing():
            self._store.update(sparql_update, prefixes=PREFIXES)

    def drop_graph(self, graph: str) -> None:
        """Remove one named graph, in one transaction."""
        self._require_writable()
        if self.has_graph(graph):
            with self._writing():
                self._store.remove_graph(ox.NamedNode(graph))

    @contextlib.contextmanager
    def _writing(self, after: str = "nothing was changed") -> Iterator[None]:
        """Turn a failed write (a full disk, above all) into a ``StoreError`` that says what
        happened and that the store is as it was (each write is one transaction)."""
        try:
            yield
        except OSError as err:
            raise StoreError(f"{_write_failure(self.folder, err)}; {after}.") from None

    def _require_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"The store at {self.folder} was opened read-only.")


_APPENDABLE = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS, ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)


def _write_failure(folder: Path, err: OSError) -> str:
    """What went wrong in a failed write, in the user's terms.

    RocksDB's errors reach Python as ``OSError`` without an ``errno``; a full disk is only
    recognisable by its text ("IO error: No space left on device: While appending to…").
    """
    if err.errno == errno.ENOSPC or "No space left on device" in str(err):
        return (
            f"the disk holding the store ({folder}) is full; free some space and run the "
            "command again"
        )
    return f"the store at {folder} could not be written ({err})"


def remove_litter(folder: Path) -> None:
    """Remove what a killed or failed writer left in a workspace: the ``tmp/`` scratch folders
    and the ``bulk-*.sst`` files of an unfinished bulk load.

    Only for the holder of the exclusive lock: no one else can be writing these files.
    """
    scratch = folder / SCRATCH_DIR
    if scratch.is_dir():
        for entry in scratch.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    remove_bulk_tables(folder / DATABASE_DIR)


def remove_bulk_tables(database: Path) -> None:
    """Delete the ``bulk-*.sst`` files in a database folder.

    pyoxigraph writes a bulk load's tables there first and RocksDB takes them in (by moving
    them) only when the whole load succeeded, so any left afterwards belong to no database.
    """
    if database.is_dir():
        for table in database.glob(BULK_TABLE_GLOB):
            table.unlink(missing_ok=True)


def scratch_folder(store: Store) -> Path | None:
    """Where an import keeps its scratch files: the embedded workspace's ``tmp/``; None (the
    system's temporary folder) for a remote store, which has no workspace."""
    return store.scratch_folder if isinstance(store, EmbeddedStore) else None


def _table_sizes(database: Path) -> dict[str, int]:
    """The RocksDB table files (``*.sst``) of a database folder and their sizes in bytes.

    RocksDB's background compaction deletes files at any moment: one listed but gone by the
    time it is measured is simply no longer part of the database.
    """
    sizes = {}
    with os.scandir(database) as entries:
        for entry in entries:
            if entry.name.endswith(".sst"):
                try:
                    sizes[entry.name] = entry.stat().st_size
                except FileNotFoundError:
                    continue
    return sizes


def _write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise StoreError(
            f"{path}: {_write_failure(path.parent, err)}; the file was left as it was."
        ) from None


def _locked_message(folder: Path, held: LockHeldError, read_only: bool) -> str:
    holder = held.holder
    who = (
        f"process {holder.get('pid')} (`{holder.get('command')}`, since {holder.get('since')})"
        if holder
        else "another process (a reader such as `ecograph serve`, or a writer)"
    )
    action = "read" if read_only else "write to"
    return (
        f"Cannot {action} the store at {folder}: it is in use by {who}. "
        "Wait for it to finish, stop it, or use --store to work on another folder."
    )
