"""RDF imports: loaded as they are (fast), refused in one line when hostile or too big, and a
failed or killed write leaves neither the store changed nor litter behind (issue 13, items 6
and 12)."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from ecograph.cli import app
from ecograph.ingest.importer import ImportRefused, import_file
from ecograph.store import EmbeddedStore, open_store

from .watching import wait_for_file

FIXTURES = Path(__file__).parent / "fixtures" / "import"
EG = "https://w3id.org/ecograph/ontology#"
FULL_DISK = (
    "IO error: No space left on device: While appending to file: "
    "{folder}/bulk-1234.sst: No space left on device"
)


def _snapshot(store: EmbeddedStore) -> tuple[int, list[str]]:
    return len(store), store.named_graphs()


def _spy_loads(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record every ``EmbeddedStore.load`` call, then let it load."""
    calls: list[dict[str, Any]] = []
    real = EmbeddedStore.load

    def spy(self: EmbeddedStore, source: Any, **options: Any) -> None:
        calls.append({"source": source, **options})
        real(self, source, **options)

    monkeypatch.setattr(EmbeddedStore, "load", spy)
    return calls


# ------------------------------------------------------------------ item 12: no rewriting
@pytest.mark.parametrize(
    ("name", "rdf_format"),
    [("actors.ttl", ox.RdfFormat.TURTLE), ("actors.nt", ox.RdfFormat.N_TRIPLES)],
)
def test_turtle_and_ntriples_reach_the_store_as_they_are(
    store, monkeypatch, name: str, rdf_format: ox.RdfFormat
) -> None:
    """The file's own bytes go to pyoxigraph's loader: no triple is rewritten in Python (that
    rewrite made a 3 M-triple import 2.4× as slow as a raw load)."""
    calls = _spy_loads(monkeypatch)
    path = FIXTURES / name
    result = import_file(store, path)
    [call] = calls
    assert call["format"] == rdf_format and call["source"] == path.read_bytes()
    assert call["base_iri"] == path.resolve().as_uri() and call["lenient"] is True
    assert result.counts["triples"] == result.counts["rowsRead"] > 0
    assert store.ask("ASK { GRAPH ?g { ?a a eg:Actor } }")
    assert result.graph in call["extra_ntriples"]  # data and description in one load


def test_counts_and_relative_iris_are_those_of_the_file(store, tmp_path) -> None:
    """Counting happens in the validating parse; relative IRIs resolve against the file."""
    path = tmp_path / "two.ttl"
    path.write_text(
        f"@prefix eg: <{EG}> .\n<a1> a eg:Actor . <a2> a eg:Actor .\n"
        '<p1> a eg:Project ; <name> "P" .\n',
        encoding="utf-8",
    )
    result = import_file(store, path)
    assert result.counts["triples"] == 4 and result.counts["actorsCreated"] == 2
    assert result.counts["projects"] == 1
    assert store.ask(f"ASK {{ <{tmp_path.resolve().as_uri()}/a1> a eg:Actor }}")


def test_quads_without_named_graphs_load_as_they_are(store, tmp_path, monkeypatch) -> None:
    calls = _spy_loads(monkeypatch)
    path = tmp_path / "plain.nq"
    path.write_text(f'<https://example.org/a> <{EG[:-1]}#x> "1" .\n', encoding="utf-8")
    import_file(store, path)
    assert calls[0]["format"] == ox.RdfFormat.N_QUADS


def test_quads_in_named_graphs_are_folded_into_the_source_graph(store, monkeypatch) -> None:
    calls = _spy_loads(monkeypatch)
    result = import_file(store, FIXTURES / "actors.nq")
    assert calls[0]["format"] == ox.RdfFormat.N_TRIPLES
    assert any("named graph(s) were put in this source's graph" in a for a in result.assumptions)
    assert store.named_graphs() == [result.graph]


def test_an_invalid_iri_is_refused_before_anything_is_written(store, tmp_path) -> None:
    """The strict parse runs first, so the lenient load never sees invalid input."""
    path = tmp_path / "bad.nt"
    path.write_text('<https://example.org/a b> <https://example.org/p> "x" .\n')
    with pytest.raises(ImportRefused, match=r"bad.nt: not valid ntriples — .*line 1"):
        import_file(store, path)
    assert len(store) == 0


@pytest.mark.parametrize(
    ("name", "graph"),
    [("star.nt", ""), ("star.nq", " <https://example.org/g>")],
)
def test_a_triple_term_typed_as_a_class_imports(store, tmp_path, name: str, graph: str) -> None:
    """RDF 1.2 lets a triple term be the object of ``rdf:type``; it is no class to count. Both
    counting passes (file loaded as it is, quads folded into one graph) skip it, where they
    used to stop on it with an AttributeError traceback."""
    path = tmp_path / name
    path.write_text(
        "<https://example.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<<( <https://example.org/a> <https://example.org/p> <https://example.org/b> )>>"
        f"{graph} .\n"
        f"<https://example.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EG}Actor>"
        f"{graph} .\n",
        encoding="utf-8",
    )
    result = import_file(store, path)
    assert result.counts["triples"] == 2 and result.counts["actorsCreated"] == 1
    assert store.ask(f"ASK {{ GRAPH <{result.graph}> {{ <https://example.org/a> a eg:Actor }} }}")


def test_a_jsonld_context_inside_a_node_is_read_from_its_file(store, tmp_path) -> None:
    """A ``@context`` deep inside the document (here in a node of ``@graph``) names a file next
    to it, as the top-level one may; a remote one there is refused as well."""
    (tmp_path / "inner.jsonld").write_text(
        json.dumps({"@context": {"Actor": f"{EG}Actor"}}), encoding="utf-8"
    )
    node = {"@context": "inner.jsonld", "@id": "https://example.org/a", "@type": "Actor"}
    path = tmp_path / "nested.jsonld"
    path.write_text(json.dumps({"@graph": [{"@graph": [node]}]}), encoding="utf-8")
    assert import_file(store, path).counts["actorsCreated"] == 1
    remote = tmp_path / "remote.jsonld"
    node["@context"] = "https://example.org/context.jsonld"
    remote.write_text(json.dumps({"@graph": [node]}), encoding="utf-8")
    with pytest.raises(ImportRefused, match=r"«https://example\.org/context\.jsonld» is remote"):
        import_file(store, remote)


# ------------------------------------------------------------- item 6: one-line refusals
def test_jsonld_nested_hundreds_of_levels_deep_imports(store, tmp_path) -> None:
    """Arrays in arrays: the context walk used to recurse, two frames a level, and end in a
    RecursionError traceback from about 500 levels. The depth follows the recursion limit
    (pyvis, imported by the CLI, raises it to 3000), so that JSON's own reader still copes."""
    path = tmp_path / "deep.jsonld"
    inner: Any = {"@id": "https://example.org/a", "@type": EG + "Actor"}
    for _ in range(int(sys.getrecursionlimit() * 0.7)):
        inner = [inner]
    path.write_text(json.dumps({"@context": {}, "@graph": inner}), encoding="utf-8")
    result = import_file(store, path)
    assert result.counts["actorsCreated"] == 1


def test_jsonld_nested_thousands_of_levels_deep_is_refused_in_one_line(store, tmp_path) -> None:
    path = tmp_path / "deeper.jsonld"
    path.write_text(
        '{"@id": "https://example.org/a", "https://example.org/p": '
        + "[" * 5000
        + "]" * 5000
        + "}",
        encoding="utf-8",
    )
    with pytest.raises(ImportRefused, match=r"^deeper.jsonld: the JSON nests too deeply"):
        import_file(store, path)
    assert len(store) == 0


def test_a_literal_over_16_mib_is_refused_in_one_line(store, tmp_path) -> None:
    path = tmp_path / "huge.ttl"
    with path.open("wb") as out:
        out.write(b'<https://example.org/a> <https://example.org/p> "')
        out.write(b"x" * (17 * 2**20))
        out.write(b'" .\n')
    with pytest.raises(
        ImportRefused,
        match=r"^huge.ttl: a term .* longer than the parser's "
        r"limit of 16 MiB",
    ):
        import_file(store, path)
    assert len(store) == 0


class _FullDisk:
    """A pyoxigraph store whose bulk loads fail as RocksDB does on a full disk: a partly
    written ``bulk-*.sst`` left behind, then ``OSError`` without an errno."""

    def __init__(self, real: ox.Store, database: Path) -> None:
        self._real = real
        self._database = database

    def bulk_load(self, *args: Any, **kwargs: Any) -> None:
        (self._database / "bulk-1234.sst").write_bytes(b"\0" * 4096)
        raise OSError(FULL_DISK.format(folder=self._database))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def test_a_full_disk_refuses_the_import_and_leaves_no_litter(store, tmp_path) -> None:
    import_file(store, FIXTURES / "actors.nt")
    before = _snapshot(store)
    database = store.folder / "oxigraph"
    store._store = _FullDisk(store._store, database)  # type: ignore[assignment]
    with pytest.raises(
        ImportRefused,
        match=r"^actors.ttl: .*the disk holding the store .* "
        r"is full.*nothing was loaded",
    ):
        import_file(store, FIXTURES / "actors.ttl")
    store._store = store._store._real  # type: ignore[attr-defined]
    assert _snapshot(store) == before
    assert not list(database.glob("bulk-*.sst"))


def test_a_full_disk_prints_one_line_from_the_command(tmp_path, monkeypatch) -> None:
    real_init = EmbeddedStore.__init__

    def init(self: EmbeddedStore, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        if not self.read_only:
            self._store = _FullDisk(self._store, self.folder / "oxigraph")  # type: ignore

    monkeypatch.setattr(EmbeddedStore, "__init__", init)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app, ["--store", str(tmp_path / "ws"), "import", str(FIXTURES / "actors.ttl")]
    )
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "actors.ttl" in result.output and "is full" in result.output


# ------------------------------------------------------- item 6: scratch space and litter
def test_import_scratch_space_is_inside_the_workspace(store, tmp_path) -> None:
    seen: list[list[str]] = []
    scratch = store.folder / "tmp"

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "writing":
            seen.append(sorted(p.name for p in scratch.iterdir()))

    before = {p.name for p in Path(tempfile.gettempdir()).glob("ecograph-import-*")}
    import_file(store, FIXTURES / "actors_bom.csv", progress=progress)
    assert seen and seen[0] and seen[0][0].startswith("ecograph-import-")
    assert not list(scratch.iterdir())  # removed at the end of a normal import
    after = {p.name for p in Path(tempfile.gettempdir()).glob("ecograph-import-*")}
    assert after <= before


def _litter(folder: Path) -> list[Path]:
    scratch = folder / "tmp" / "ecograph-import-killed"
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / "data.nt").write_bytes(b"<a> <b> <c> .\n" * 1000)
    orphan = folder / "oxigraph" / "bulk-987654321.sst"
    orphan.write_bytes(b"\0" * 4096)
    return [scratch, orphan]


def test_the_next_writer_removes_what_a_killed_one_left(tmp_path) -> None:
    folder = tmp_path / "ws"
    with open_store(folder) as store:
        import_file(store, FIXTURES / "actors.nt")
        before = _snapshot(store)
    litter = _litter(folder)
    with open_store(folder, read_only=True) as reader:  # a reader leaves it alone
        assert _snapshot(reader) == before
    assert all(p.exists() for p in litter)
    with open_store(folder) as writer:
        assert not any(p.exists() for p in litter)
        assert _snapshot(writer) == before


_KILLED_LOADER = """
import sys
from pathlib import Path
import pyoxigraph as ox
from ecograph.store import open_store
with open_store(sys.argv[1]) as store:
    print("open", flush=True)
    store.load(Path(sys.argv[2]), format=ox.RdfFormat.N_TRIPLES, graph="https://example.org/g")
"""


@pytest.mark.slow
def test_a_load_killed_midway_leaves_the_store_unchanged_and_clean(tmp_path) -> None:
    """SIGKILL while pyoxigraph writes its bulk tables; the next writer finds the store as
    it was and removes the orphan tables."""
    data = tmp_path / "big.nt"
    with data.open("w", encoding="utf-8") as out:
        for i in range(1_500_000):
            out.write(f'<https://example.org/s{i}> <https://example.org/p{i % 97}> "value {i}" .\n')
    folder = tmp_path / "ws"
    with open_store(folder) as store:
        import_file(store, FIXTURES / "actors.nt")
        before = _snapshot(store)
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_LOADER, str(folder), str(data)],
        stdout=subprocess.PIPE,
        env=dict(os.environ),
    )
    assert child.stdout is not None and child.stdout.readline().strip() == b"open"
    tables = wait_for_file(
        folder / "oxigraph", "bulk-*.sst", seconds=120, until_closed=child.stdout
    )
    assert tables, f"the load ended before any bulk table was seen (rc {child.wait()})"
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert list((folder / "oxigraph").glob("bulk-*.sst"))
    with open_store(folder) as store:
        assert _snapshot(store) == before
        assert not list((folder / "oxigraph").glob("bulk-*.sst"))


def test_a_remote_store_gets_ntriples_with_iris_resolved_here(tmp_path) -> None:
    """A Graph Store endpoint would resolve relative IRIs against its own URL: it gets
    N-Triples, resolved against the file as the embedded store does."""
    from ecograph.store import RemoteStore

    from .oxigraph_server import oxigraph_server

    path = tmp_path / "rel.ttl"
    path.write_text(f"<a1> a <{EG}Actor> .\n", encoding="utf-8")
    with oxigraph_server(tmp_path / "server") as server:
        remote = RemoteStore(server.query, update_endpoint=server.update, gsp_endpoint=server.store)
        result = import_file(remote, path)
        assert result.counts["actorsCreated"] == 1
        assert remote.ask(f"ASK {{ <{tmp_path.resolve().as_uri()}/a1> a eg:Actor }}")


def test_a_full_disk_while_converting_a_csv_is_a_refusal(store, monkeypatch) -> None:
    """The scratch N-Triples of a tabular import cannot be written: a refusal naming the
    file, not a traceback, and nothing lands."""
    from ecograph.ingest import conversion

    def full(self: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    before = len(store)
    monkeypatch.setattr(conversion.LineSink, "flush", full)
    with pytest.raises(ImportRefused, match=r"actors_bom\.csv.*No space left") as refused:
        import_file(store, FIXTURES / "actors_bom.csv")
    assert "nothing was imported" in str(refused.value)
    assert len(store) == before
