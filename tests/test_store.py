"""The embedded store: persistence, locking, metadata and all-or-nothing loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest

from ecograph import __version__
from ecograph.binding import BindingError
from ecograph.rdfterms import nt_literal
from ecograph.store import StoreError, StoreLockedError, open_store
from ecograph.store.base import bound_text

from .halting import kill_when_halted, read_line

G = "https://example.org/graph/g"
NT = b'<https://example.org/a> <https://example.org/p> "x" .\n'


def _snapshot(folder: Path) -> list[str]:
    """Every quad of the store as sorted text: equal snapshots mean an unchanged store."""
    with open_store(folder, read_only=True) as store:
        return sorted(str(q) for q in store.quads())


def test_data_survives_a_restart(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with open_store(folder) as store:
        store.load(NT, format=ox.RdfFormat.N_TRIPLES, graph=G)
    with open_store(folder) as store:
        assert store.named_graphs() == [G]
        assert len(store) == 1
        assert store.ask("ASK { <https://example.org/a> <https://example.org/p> 'x' }")


def test_metadata_records_versions_and_base(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with open_store(folder, base_iri="https://example.org/data/") as store:
        assert store.base_iri == "https://example.org/data/"
    metadata = json.loads((folder / "ecograph.json").read_text())
    assert metadata["created_with"] == {"ecograph": __version__, "pyoxigraph": ox.__version__}
    with pytest.raises(StoreError, match="cannot switch"):
        open_store(folder, base_iri="https://other.example/")


def test_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with open_store(folder):
        with pytest.raises(StoreLockedError, match=r"in use by process \d+"):
            open_store(folder)
        with pytest.raises(StoreLockedError):
            open_store(folder, read_only=True)
    with open_store(folder):  # released on close
        pass


def test_writer_in_another_process_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    open_store(folder).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys
            from ecograph.store import open_store
            store = open_store({str(folder)!r})
            print("ready", flush=True)
            sys.stdin.readline()  # holds the store until the test kills it
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert read_line(holder, 60) == "ready"
        with pytest.raises(StoreLockedError) as caught:
            open_store(folder)
        assert f"process {holder.pid}" in str(caught.value)
        assert "--store" in str(caught.value)
    finally:
        holder.kill()
        holder.communicate()
    with open_store(folder):  # the kernel released the dead holder's lock
        pass


def test_missing_store_is_explained(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="ecograph init"):
        open_store(tmp_path / "nowhere", read_only=True)


def test_refuses_a_folder_that_is_not_a_store(tmp_path: Path) -> None:
    (tmp_path / "other.txt").write_text("not mine")
    with pytest.raises(StoreError, match="not an ecograph store"):
        open_store(tmp_path)


def test_read_only_store_refuses_writes(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    open_store(folder).close()
    with open_store(folder, read_only=True) as store, pytest.raises(StoreError, match="read-only"):
        store.load(NT, format=ox.RdfFormat.N_TRIPLES, graph=G)


def test_a_bad_file_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with open_store(folder) as store:
        store.load(NT, format=ox.RdfFormat.N_TRIPLES, graph=G)
    before = _snapshot(folder)
    bad = tmp_path / "bad.nt"
    bad.write_bytes(NT.replace(b"/a>", b"/b>") * 1000 + b"<oops> not rdf .\n")
    with open_store(folder) as store, pytest.raises(StoreError, match=r"bad\.nt.*line 1001"):
        store.load(bad, format=ox.RdfFormat.N_TRIPLES, graph=G + "2")
    assert _snapshot(folder) == before


class _FullDisk:
    """Fails bulk loads as RocksDB does on a full disk: an orphan table, an errno-less
    ``OSError``."""

    def __init__(self, real: ox.Store, database: Path) -> None:
        self._real, self._database = real, database

    def bulk_load(self, *args: object, **kwargs: object) -> None:
        (self._database / "bulk-42.sst").write_bytes(b"\0" * 64)
        self.fail()

    def fail(self, *args: object, **kwargs: object) -> None:
        raise OSError(
            f"IO error: No space left on device: While appending to file: "
            f"{self._database}/000042.log: No space left on device"
        )

    extend = update = remove_graph = optimize = fail

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)


def test_a_full_disk_is_a_store_error_and_leaves_no_table(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with open_store(folder) as store:
        store.load(NT, format=ox.RdfFormat.N_TRIPLES, graph=G)
    before = _snapshot(folder)
    data = tmp_path / "big.nt"
    data.write_bytes(NT.replace(b"/a>", b"/b>"))
    with open_store(folder) as store:
        store._store = _FullDisk(store._store, folder / "oxigraph")
        with pytest.raises(
            StoreError,
            match=r"big\.nt: the disk holding the store .* is "
            r"full.*nothing was loaded",
        ):
            store.load(data, format=ox.RdfFormat.N_TRIPLES, graph=G + "2")
        store._store = store._store._real
        assert not list((folder / "oxigraph").glob("bulk-*.sst"))
    assert _snapshot(folder) == before


def test_every_write_on_a_full_disk_is_a_store_error(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with open_store(folder) as store:
        store.load(NT, format=ox.RdfFormat.N_TRIPLES, graph=G)
        store._store = _FullDisk(store._store, folder / "oxigraph")
        full = r"the disk holding the store .* is full"
        with pytest.raises(StoreError, match=full + ".*nothing was changed"):
            store.add([ox.Quad(ox.NamedNode(G), ox.NamedNode(G), ox.NamedNode(G), ox.NamedNode(G))])
        with pytest.raises(StoreError, match=full):
            store.update(f"INSERT DATA {{ <{G}> <{G}> <{G}> }}")
        with pytest.raises(StoreError, match=full):
            store.drop_graph(G)
        store._tables_at_open = set()  # as if this session wrote everything
        with pytest.raises(StoreError, match=full + ".*only its compaction failed"):
            store.compact_if_churned()
        store._store = store._store._real


def test_a_writer_cleans_litter_but_a_reader_does_not(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    open_store(folder).close()
    orphan = folder / "oxigraph" / "bulk-7.sst"
    scratch = folder / "tmp" / "ecograph-import-x"
    scratch.mkdir(parents=True)
    orphan.write_bytes(b"\0" * 64)
    with open_store(folder, read_only=True):
        assert orphan.exists() and scratch.exists()
    with open_store(folder) as store:
        assert not orphan.exists() and not scratch.exists()
        assert store.scratch_folder == folder / "tmp" and store.scratch_folder.is_dir()


def test_provenance_lands_with_the_data(store) -> None:
    store.load(
        NT,
        format=ox.RdfFormat.N_TRIPLES,
        graph=G,
        extra_ntriples=f'<{G}> <http://purl.org/dc/terms/title> "g" .',
    )
    assert store.ask(f"ASK {{ GRAPH <{G}> {{ <{G}> dcterms:title 'g' }} }}")


def test_replace_swaps_a_graph(store) -> None:
    store.load(NT, format=ox.RdfFormat.N_TRIPLES, graph=G)
    new = b'<https://example.org/b> <https://example.org/p> "y" .\n'
    store.load(new, format=ox.RdfFormat.N_TRIPLES, graph=G, replace=True)
    assert [str(q.subject) for q in store.quads(G)] == ["<https://example.org/b>"]
    assert store.named_graphs() == [G]


def test_bindings_are_terms_not_text(store) -> None:
    tricky = 'a "quoted" } UNION { ?s ?p ?o } #\n'
    line = f"<https://example.org/a> <https://example.org/p> {nt_literal(tricky)} ."
    store.load(line.encode() + b"\n" + NT, format=ox.RdfFormat.N_TRIPLES, graph=G)
    query = "SELECT ?s WHERE { VALUES ?value { UNDEF } ?s <https://example.org/p> ?value }"
    rows = store.select(query, {"value": ox.Literal(tricky)})
    assert [r["s"].value for r in rows] == ["https://example.org/a"]
    assert store.select(query, {"value": ox.Literal(tricky[:-1])}) == []
    with pytest.raises(BindingError, match=r"no 'VALUES \?other"):
        store.select(query, {"other": ox.Literal("x")})


KILL_SCRIPT = """
import sys
from pathlib import Path
import pyoxigraph as ox
sys.path.insert(0, sys.argv[3])
from halting import halfway
from ecograph.store import open_store
store = open_store(sys.argv[1])
store.load(halfway(Path(sys.argv[2])), format=ox.RdfFormat.N_TRIPLES,
           graph="https://example.org/big")
print("done", flush=True)
"""


@pytest.mark.slow
def test_sigkill_during_a_load_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with open_store(folder) as store:
        store.load(NT, format=ox.RdfFormat.N_TRIPLES, graph=G)
    before = _snapshot(folder)
    big = tmp_path / "big.nt"
    with big.open("w") as handle:
        for i in range(3_000_000):
            handle.write(f'<https://example.org/s{i}> <https://example.org/p> "{i}" .\n')
    # The child stops inside the load, halfway through its input: it is killed there.
    kill_when_halted(KILL_SCRIPT, str(folder), str(big))
    assert _snapshot(folder) == before
    with open_store(folder) as store:  # writable again, and still loadable
        store.load(NT, format=ox.RdfFormat.N_TRIPLES, graph=G + "/after")
        assert store.named_graphs() == [G, G + "/after"]


def test_select_values_keeps_awkward_text_and_unbound_cells(store) -> None:
    awkward = 'Café "Le Lien", rue des\nRemparts; 50 %'
    triple = ox.Triple(
        ox.NamedNode("https://e.org/a"), ox.NamedNode("https://e.org/name"), ox.Literal(awkward)
    )
    store.load(f"{triple} .\n".encode(), format=ox.RdfFormat.N_TRIPLES, graph="https://e.org/g")
    rows = store.select_values(
        "SELECT ?s ?o ?missing WHERE { ?s <https://e.org/name> ?o "
        "OPTIONAL { ?s <https://e.org/x> ?missing } }"
    )
    assert rows == [["https://e.org/a", awkward, ""]]


def _table_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in (folder / "oxigraph").glob("*.sst"))


def _many_triples(count: int) -> bytes:
    return "".join(
        f'<https://example.org/s{i}> <https://example.org/p> "value {i}" .\n' for i in range(count)
    ).encode()


def test_a_writer_that_replaced_a_big_graph_compacts_it_away(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with open_store(folder) as store:
        store.load(_many_triples(30_000), format=ox.RdfFormat.N_TRIPLES, graph=G)
    loaded = _table_bytes(folder)
    with open_store(folder) as store:
        store.drop_graph(G)
        store.load(NT, format=ox.RdfFormat.N_TRIPLES, graph=G)
    # Without a compaction the drop leaves the old rows plus their tombstones on disk (about
    # three times what was loaded); the term strings stay either way (Oxigraph never drops them).
    assert _table_bytes(folder) < loaded / 2
    assert _snapshot(folder) == [f'<https://example.org/a> <https://example.org/p> "x" <{G}>']


def test_a_small_write_into_a_big_store_is_not_worth_a_compaction(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with open_store(folder) as store:
        store.load(_many_triples(30_000), format=ox.RdfFormat.N_TRIPLES, graph=G)
        store._store.flush()
        assert store._churned()  # a fresh store: every table file is new
    with open_store(folder) as store:
        store.load(NT, format=ox.RdfFormat.N_TRIPLES, graph=G + "/small")
        store._store.flush()
        assert not store._churned()


def test_a_compaction_is_done_once_per_session(tmp_path: Path) -> None:
    with open_store(tmp_path / "ws") as store:
        store.load(_many_triples(30_000), format=ox.RdfFormat.N_TRIPLES, graph=G)
        assert store.compact_if_churned()
        assert not store.compact_if_churned()  # what it wrote counts as the new start
    with open_store(tmp_path / "ws", read_only=True) as store:
        assert len(store) == 30_000
        with pytest.raises(StoreError, match="read-only"):
            store.compact_if_churned()


def test_a_table_file_deleted_while_listed_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RocksDB compacts in the background: a file may vanish between listing and measuring."""
    from ecograph.store import embedded

    (tmp_path / "000001.sst").write_bytes(b"x" * 10)
    (tmp_path / "000002.sst").write_bytes(b"y" * 20)
    listed = list(os.scandir(tmp_path))
    real_scandir = os.scandir

    class Listing:
        def __enter__(self) -> list[os.DirEntry[str]]:
            (tmp_path / "000002.sst").unlink()  # compacted away after the listing
            return listed

        def __exit__(self, *exc: object) -> None:
            return None

    monkeypatch.setattr(
        embedded.os,
        "scandir",
        lambda path: Listing() if Path(path) == tmp_path else real_scandir(path),
    )
    assert embedded._table_sizes(tmp_path) == {"000001.sst": 10}


def test_bound_text_reads_what_a_query_binds(tmp_path: Path) -> None:
    with open_store(tmp_path / "ws") as store:
        rows = store.select(
            'SELECT ?iri ?label ?missing WHERE { VALUES (?iri ?label) { (<urn:x> "x"@fr) } }'
        )
    assert bound_text(rows[0], "iri") == "urn:x"
    assert bound_text(rows[0], "label") == "x"
    with pytest.raises(StoreError, match=r"\?missing unbound"):
        bound_text(rows[0], "missing")
