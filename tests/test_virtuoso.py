"""Remote mode against a real OpenLink Virtuoso at its stock limits: the same answers as the
embedded store, whole loads, protected endpoints (issue 17, part 3)."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import Result
from typer.testing import CliRunner

from ecograph.cli import app
from ecograph.ingest.territories import load_territories
from ecograph.metrics_state import metrics_state
from ecograph.network.metrics_rdf import top_brokers
from ecograph.ontology import load_ontology
from ecograph.queries import load_catalogue, run_query
from ecograph.sample import load_sample
from ecograph.stats import count_tables, totals
from ecograph.store import RemoteStore, StoreError, triple_batches
from ecograph.store.credentials import PASSWORD_VARIABLE, USER_VARIABLE
from ecograph.store.remote import SCRATCH_SUFFIX
from ecograph.validate import validate_store

from .conftest import write_whole_metrics
from .virtuoso_server import ACCOUNT, VirtuosoServer, virtuoso_server

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as running:
        yield running


@pytest.fixture(scope="module")
def remote(server: VirtuosoServer) -> RemoteStore:
    """The server loaded with what the embedded sample workspace holds, through ecograph."""
    store = RemoteStore(
        server.query,
        update_endpoint=server.update,
        gsp_endpoint=server.store,
        credentials=ACCOUNT,
    )
    load_ontology(store)
    load_territories(store)
    load_sample(store)
    write_whole_metrics(store)
    return store


XSD_DOUBLE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")


def _cell(term: object) -> str:
    """A result cell as text; a double to the 6 significant digits Virtuoso prints it with
    in every results format (ecograph's own readers of doubles ask for STR(), which keeps
    16: ``top_brokers``)."""
    if isinstance(term, ox.Literal) and term.datatype == XSD_DOUBLE:
        return f"{float(term.value):.6g}"
    return str(term)


def _rows(result) -> list[tuple[str, ...]]:
    return [tuple(_cell(cell) for cell in row) for row in result.rows]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_library_query_gives_the_same_result(
    remote: RemoteStore, sample_store, lang: str
) -> None:
    """Labels in the language asked for included: Virtuoso ignores a ``?lang`` bound outside
    the OPTIONAL that filters on it, so the library binds it inside too."""
    catalogue = load_catalogue()
    assert catalogue, "the query library is empty"
    differing = []
    for name, query in catalogue.items():
        values = {p.name: p.example for p in query.parameters}
        if "lang" in values:
            values["lang"] = lang
        embedded = run_query(sample_store, query, values)
        served = run_query(remote, query, values)
        assert embedded.rows, name
        if served.variables != embedded.variables or _rows(served) != _rows(embedded):
            mine, theirs = _rows(embedded), _rows(served)
            differing.append(
                (
                    name,
                    [r for r in mine if r not in theirs][:3],
                    [r for r in theirs if r not in mine][:3],
                )
            )
    assert differing == []


def test_top_brokers_read_doubles_whole(remote: RemoteStore, sample_store) -> None:
    domain = "https://w3id.org/ecograph/id/domain/health"
    served, embedded = top_brokers(remote, domain), top_brokers(sample_store, domain)
    assert served and [row["actor"] for row in served] == [row["actor"] for row in embedded]
    for mine, theirs in zip(served, embedded, strict=True):
        for key in ("betweenness", "constraint"):  # 16 significant digits, not 6
            assert math.isclose(mine[key], theirs[key], rel_tol=1e-15), key


def test_stats_are_the_same(remote: RemoteStore, sample_store) -> None:
    assert totals(remote) == totals(sample_store)
    assert count_tables(remote, lang="fr") == count_tables(sample_store, lang="fr")


def test_export_pages_past_the_stock_row_limits(remote: RemoteStore, sample_store) -> None:
    """Virtuoso answers 10,000 rows at once and sorts at most 10,000: a graph of more than
    twice that (the metrics, all doubles and counts) is still read whole, its doubles to 16
    significant digits rather than the 6 Virtuoso prints, and the count of the whole store
    (about 500,000 quads) is right."""
    graph = remote.base_iri + "graph/metrics"
    served = sorted(map(_quad_key, remote.quads(graph)))
    embedded = sorted(map(_quad_key, sample_store.quads(graph)))
    assert len(embedded) > 20_000
    assert [key for key, _ in served] == [key for key, _ in embedded]
    for (key, mine), (_, theirs) in zip(served, embedded, strict=True):
        assert math.isclose(mine, theirs, rel_tol=1e-15), key
    assert len(remote) == len(sample_store)


def _quad_key(quad: ox.Quad) -> tuple[str, float]:
    """A quad as text and its double's value apart (Virtuoso's text of a double has 16
    significant digits, which may differ from Python's shortest form in the last one)."""
    obj = quad.object
    if isinstance(obj, ox.Literal) and obj.datatype == XSD_DOUBLE:
        return f"{quad.subject} {quad.predicate} double {quad.graph_name}", float(obj.value)
    return str(quad), 0.0


def test_only_ecographs_graphs_are_read(remote: RemoteStore, sample_store) -> None:
    graphs = remote.named_graphs()
    assert graphs == sample_store.named_graphs()
    assert not any("openlinksw" in graph for graph in graphs)
    assert validate_store(remote, graph=remote.base_iri + "graph/sample").conforms


def test_a_load_in_batches_keeps_its_blank_nodes(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sent in several requests, a graph arrives whole, and a blank node named in many
    triples stays one node (Virtuoso names it ``nodeID://…``, which is read back)."""
    monkeypatch.setattr(triple_batches, "TRIPLES_PER_REQUEST", 7)
    graph = remote.base_iri + "graph/test-batches"
    lines = [f'<https://e.org/s{i}> <https://e.org/p> "{i}" .' for i in range(40)]
    lines += [f"<https://e.org/s{i}> <https://e.org/q> _:shared ." for i in range(5)]
    lines.append('_:shared <https://e.org/name> "one node" .')
    remote.load("\n".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES, graph=graph)
    quads = list(remote.quads(graph))
    assert len(quads) == 46
    blanks = {q.object for q in quads if isinstance(q.object, ox.BlankNode)}
    subjects = {q.subject for q in quads if isinstance(q.subject, ox.BlankNode)}
    assert len(blanks) == 1 and blanks == subjects
    remote.drop_graph(graph)


def test_a_failed_load_changes_nothing(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A syntax error after the first batches went out: the graph keeps what it had, and no
    scratch graph is left behind."""
    monkeypatch.setattr(triple_batches, "TRIPLES_PER_REQUEST", 3)
    graph = remote.base_iri + "graph/test-all-or-nothing"
    remote.load(
        b'<https://e.org/a> <https://e.org/p> "old" .\n', format=ox.RdfFormat.N_TRIPLES, graph=graph
    )
    good = "".join(f'<https://e.org/n{i}> <https://e.org/p> "{i}" .\n' for i in range(10))
    with pytest.raises(StoreError, match="nothing was loaded"):
        remote.load(
            (good + "<broken\n").encode(), format=ox.RdfFormat.N_TRIPLES, graph=graph, replace=True
        )
    assert [q.object.value for q in remote.quads(graph)] == ["old"]
    assert not [g for g in remote.named_graphs() if g.endswith(SCRATCH_SUFFIX)]
    remote.load(good.encode(), format=ox.RdfFormat.N_TRIPLES, graph=graph, replace=True)
    assert len(list(remote.quads(graph))) == 10
    remote.drop_graph(graph)


def test_writes_without_credentials_say_how_to_give_them(server: VirtuosoServer) -> None:
    store = RemoteStore(server.query, update_endpoint=server.update, gsp_endpoint=server.store)
    with pytest.raises(StoreError, match="ECOGRAPH_HTTP_USER"):
        store.drop_graph("https://e.org/g")
    wrong = RemoteStore(
        server.query,
        update_endpoint=server.update,
        gsp_endpoint=server.store,
        credentials=type(ACCOUNT)("dba", "not-the-password"),
    )
    with pytest.raises(StoreError, match="refused the user and password"):
        wrong.drop_graph("https://e.org/g")


def test_dump_is_the_embedded_dump(remote: RemoteStore, sample_store) -> None:
    graph = remote.base_iri + "graph/sample"
    served, embedded = io.BytesIO(), io.BytesIO()
    remote.dump(served, format=ox.RdfFormat.N_TRIPLES, graph=graph)
    sample_store.dump(embedded, format=ox.RdfFormat.N_TRIPLES, graph=graph)
    assert sorted(served.getvalue().splitlines()) == sorted(embedded.getvalue().splitlines())


# ------------------------------------------------------------------ the commands, end to end
def _run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _endpoints(server: VirtuosoServer) -> list[str]:
    return [
        "--endpoint",
        server.query,
        "--update-endpoint",
        server.update,
        "--gsp-endpoint",
        server.store,
    ]


@pytest.fixture
def signed_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """The credentials in the environment, where a user gives them."""
    monkeypatch.setenv(USER_VARIABLE, ACCOUNT.user)
    monkeypatch.setenv(PASSWORD_VARIABLE, ACCOUNT.password)


def _files(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.iterdir())}


def test_metrics_and_gaps_match_the_embedded_store(
    server: VirtuosoServer, remote: RemoteStore, sample_workspace: Path, tmp_path: Path
) -> None:
    """The network pipeline reads the whole ecosystem through pages of 10,000 rows and
    finds what the embedded store finds, table for table."""
    for name, store in (
        ("virtuoso", _endpoints(server)),
        ("embedded", ["--store", str(sample_workspace)]),
    ):
        metrics = _run(*store, "metrics", "--no-write", "-f", "csv", "--out", str(tmp_path / name))
        assert metrics.exit_code == 0, metrics.output
        gaps = _run(
            *store,
            "gaps",
            "--territory",
            "epci/244400404",
            "-f",
            "csv",
            "--out",
            str(tmp_path / f"{name}-gaps"),
        )
        assert gaps.exit_code == 0, gaps.output
    assert _files(tmp_path / "virtuoso") == _files(tmp_path / "embedded")
    assert _files(tmp_path / "virtuoso-gaps") == _files(tmp_path / "embedded-gaps")


def test_metrics_are_written_back(server: VirtuosoServer, remote: RemoteStore, signed_in) -> None:
    result = _run(*_endpoints(server), "metrics", "--top", "3")
    assert result.exit_code == 0, result.output
    assert "Metrics written" in result.stderr
    assert metrics_state(remote) == "current"


def test_map_and_report_of_an_epci(
    server: VirtuosoServer, remote: RemoteStore, sample_workspace: Path, tmp_path: Path
) -> None:
    pages = {}
    for name, store in (
        ("virtuoso", _endpoints(server)),
        ("embedded", ["--store", str(sample_workspace)]),
    ):
        out = tmp_path / f"{name}-report.html"
        report = _run(*store, "report", "--territory", "epci/244400404", "--out", str(out))
        assert report.exit_code == 0, report.output
        drawn = tmp_path / f"{name}-map.html"
        drawn_map = _run(*store, "map", "--territory", "epci/244400404", "--out", str(drawn))
        assert drawn_map.exit_code == 0, drawn_map.output
        pages[name] = (_counts(report.stdout), _counts(drawn_map.stdout))
    assert pages["virtuoso"] == pages["embedded"]
    assert pages["embedded"][0] == ["119 actors", "172 ties"]


def _counts(said: str) -> list[str]:
    """The counts a command reports ("119 actors, 172 ties"), without paths and timings."""
    return re.findall(r"\d[\d,]* (?:actors|ties|suggested partnerships)", " ".join(said.split()))


def test_import_update_and_remove_through_the_graph_store(
    server: VirtuosoServer, remote: RemoteStore, signed_in, tmp_path: Path, monkeypatch
) -> None:
    """An import lands through the authenticated Graph Store endpoint, a second one of the
    same file changes nothing, a changed file replaces it, and ``remove`` takes it away."""
    monkeypatch.chdir(tmp_path)
    options = _endpoints(server)
    grants = FIXTURES / "subventions_scdl.csv"
    funded = "SELECT ?p WHERE { ?p eg:funder ?f }"
    before = len(remote.select(funded))
    result = _run(*options, "import", str(grants))
    assert result.exit_code == 0, result.output
    assert len(remote.select(funded)) == before + 5
    again = _run(*options, "import", str(grants))
    assert "nothing changed" in again.stdout
    changed = tmp_path / grants.name
    changed.write_bytes(
        grants.read_bytes().replace(
            b"Aide alimentaire hiver", b"Aide alimentaire hiver et printemps"
        )
    )
    replaced = _run(*options, "import", "--replace", str(changed))
    assert replaced.exit_code == 0, replaced.output
    assert "subventions-scdl-csv" in _run(*options, "sources").stdout
    removed = _run(*options, "remove", "subventions-scdl-csv")
    assert removed.exit_code == 0, removed.output
    assert len(remote.select(funded)) == before
    assert not [g for g in remote.named_graphs() if g.endswith(SCRATCH_SUFFIX)]
