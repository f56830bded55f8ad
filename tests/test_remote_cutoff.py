"""Remote reads against a server that cuts results off (DESIGN §10, issue 13 item 13).

Virtuoso caps every answer at ``ResultSetMaxRows`` and says so only in ``X-SPARQL-MaxRows``;
``ecograph serve`` says ``X-Ecograph-Truncated: true``. ``virtuoso_stub`` does the same on
127.0.0.1 with a cap of 5, over 26 quads in 7 graphs, so every bulk read here crosses the cap.
Each read path must either return the complete answer (the stub's own store is the truth) or
refuse with an error naming the server setting.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from ecograph.cli import app
from ecograph.namespaces import DEFAULT_BASE_IRI, graph_iri
from ecograph.store import RemoteStore, StoreError
from ecograph.store.remote import ResultCutOffError

from .virtuoso_stub import CappingEndpoint, capping_endpoint

EX = "https://example.org/"
#: The graphs live where ecograph keeps its own: a remote store reads no other graph whole.
GRAPHS = graph_iri(DEFAULT_BASE_IRI, "")
BIG = GRAPHS + "big"
RANK = ox.NamedNode(EX + "rank")
CAP = 5


def _data() -> ox.Store:
    """26 quads: six graphs of three, one of eight; literals that CSV must quote, a language
    tag, a datatype and a blank node, so the round trip is checked term by term."""
    store = ox.Store()
    for number in range(6):
        graph = ox.NamedNode(f"{GRAPHS}{number}")
        subject = ox.NamedNode(f"{EX}actor/{number}")
        store.add(
            ox.Quad(
                subject,
                ox.NamedNode(EX + "name"),
                ox.Literal(f'Actor "{number}", Nantes\nMétropole', language="fr"),
                graph,
            )
        )
        store.add(
            ox.Quad(
                subject,
                RANK,
                ox.Literal(
                    str(number % 3),
                    datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"),
                ),
                graph,
            )
        )
        store.add(ox.Quad(subject, ox.NamedNode(EX + "knows"), ox.BlankNode(f"b{number}"), graph))
    for number in range(8):
        store.add(
            ox.Quad(
                ox.NamedNode(f"{EX}project/{number}"),
                RANK,
                ox.Literal(str(number)),
                ox.NamedNode(BIG),
            )
        )
    return store


@pytest.fixture(scope="module")
def data() -> ox.Store:
    return _data()


@pytest.fixture
def stub(data: ox.Store) -> Iterator[CappingEndpoint]:
    with capping_endpoint(data, max_rows=CAP) as running:
        yield running


def _quads(store: ox.Store, graph: str | None = None) -> set[ox.Quad]:
    pattern = ox.NamedNode(graph) if graph else None
    return {
        q
        for q in store.quads_for_pattern(None, None, None, pattern)
        if not isinstance(q.graph_name, ox.DefaultGraph)
    }


# ---------------------------------------------------------------- paged: complete answers
@pytest.mark.parametrize("style", ["virtuoso", "ecograph"])
def test_export_reads_every_quad_past_the_cap(
    stub: CappingEndpoint, data: ox.Store, style: str
) -> None:
    stub.style = style
    buffer = io.BytesIO()
    RemoteStore(stub.url).dump(buffer, format=ox.RdfFormat.N_QUADS)
    exported = set(ox.parse(buffer.getvalue(), ox.RdfFormat.N_QUADS))
    assert exported == _quads(data)
    assert len(stub.queries) > 1, "the cap must have been crossed, and paged past"


def test_json_truncated_member_alone_is_enough(stub: CappingEndpoint, data: ox.Store) -> None:
    """``ecograph serve`` also says it in the JSON body: a proxy dropping the header must not
    turn a cut result into a complete one."""
    stub.style = "ecograph-body"
    rows = RemoteStore(stub.url).select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert len(rows) == len(_quads(data))


def test_one_graph_export_reads_every_triple(stub: CappingEndpoint, data: ox.Store) -> None:
    buffer = io.BytesIO()
    RemoteStore(stub.url).dump(buffer, format=ox.RdfFormat.N_TRIPLES, graph=BIG)
    triples = {q.triple for q in ox.parse(buffer.getvalue(), ox.RdfFormat.N_TRIPLES)}
    assert triples == {q.triple for q in _quads(data, BIG)}
    assert len(triples) > CAP


def test_graph_list_and_count_are_complete(stub: CappingEndpoint, data: ox.Store) -> None:
    remote = RemoteStore(stub.url)
    assert remote.named_graphs() == sorted(g.value for g in data.named_graphs())
    assert len(remote.named_graphs()) > CAP
    assert len(remote) == len(_quads(data)) == 26


def test_paged_select_keeps_the_query_order(stub: CappingEndpoint, data: ox.Store) -> None:
    """Its own ORDER BY comes first (ranks repeat: ties are broken by the projected
    variables), so the order a user asked for survives the paging."""
    query = f"SELECT ?s ?rank WHERE {{ ?s <{RANK.value}> ?rank }} ORDER BY DESC(STR(?rank))"
    rows = RemoteStore(stub.url).select(query)
    expected = data.query(query, use_default_graph_as_union=True)
    assert sorted((str(r["s"]), str(r["rank"])) for r in rows) == sorted(
        (str(r["s"]), str(r["rank"])) for r in expected
    )
    ranks = [r["rank"].value for r in rows]
    assert ranks == sorted(ranks, reverse=True) and len(rows) == 14


def test_bulk_scan_as_csv_is_complete(stub: CappingEndpoint, data: ox.Store) -> None:
    """The network projection's path: SPARQL CSV, names with quotes, commas, line breaks."""
    values = RemoteStore(stub.url).select_values("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    expected = [
        [
            q.subject.value,
            q.predicate.value,
            "_:" + q.object.value if isinstance(q.object, ox.BlankNode) else q.object.value,
        ]
        for q in _quads(data)
    ]
    assert sorted(values) == sorted(expected)


def test_complete_answer_under_an_announced_cap_is_taken(stub: CappingEndpoint) -> None:
    """A server that announces its cap on every answer: fewer rows than the cap is complete,
    one request, no paging."""
    stub.announce_always = True
    remote = RemoteStore(stub.url)
    rows = remote.select(f"SELECT ?s WHERE {{ GRAPH <{GRAPHS}0> {{ ?s ?p ?o }} }}")
    assert len(rows) == 3 and len(stub.queries) == 1
    assert remote.has_graph(BIG)
    limited = remote.select(f"SELECT ?s WHERE {{ ?s <{RANK.value}> ?o }} LIMIT {CAP}")
    assert len(limited) == CAP, "its own LIMIT is within the cap: the answer is complete"


# ---------------------------------------------------------------- refused: clear errors
def test_query_with_its_own_limit_is_refused(stub: CappingEndpoint) -> None:
    with pytest.raises(ResultCutOffError, match=r"ResultSetMaxRows.*virtuoso.ini") as caught:
        RemoteStore(stub.url).select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 10")
    assert "LIMIT or OFFSET" in str(caught.value)
    assert "X-SPARQL-MaxRows: 5" in str(caught.value)


def test_cut_construct_is_refused(stub: CappingEndpoint) -> None:
    with pytest.raises(ResultCutOffError, match=r"CONSTRUCT.*ResultSetMaxRows"):
        RemoteStore(stub.url).query("CONSTRUCT WHERE { ?s ?p ?o }")


def test_marked_ask_is_refused(stub: CappingEndpoint) -> None:
    stub.style, stub.mark_everything = "ecograph", True
    with pytest.raises(ResultCutOffError, match=r"X-Ecograph-Truncated: true.*--max-rows"):
        RemoteStore(stub.url).ask("ASK { ?s ?p ?o }")


def test_page_cut_again_is_refused(stub: CappingEndpoint) -> None:
    stub.style, stub.mark_everything = "ecograph", True
    with pytest.raises(ResultCutOffError, match="cut off again"):
        RemoteStore(stub.url).named_graphs()


def test_sorted_pages_past_max_sorted_top_rows_are_read_as_subqueries(
    stub: CappingEndpoint, data: ox.Store
) -> None:
    """Virtuoso refuses a sorted slice deeper than MaxSortedTopRows (SR353) but serves the
    sorted query as a subquery sliced outside it: the pages past the limit take that form."""
    stub.max_sorted_top_rows = 10
    assert set(RemoteStore(stub.url).quads()) == _quads(data)
    assert any(query.rstrip().endswith("OFFSET 10") and "} }" in query for query in stub.queries)


def test_partial_anytime_answer_is_refused(stub: CappingEndpoint) -> None:
    stub.anytime = True
    with pytest.raises(ResultCutOffError, match=r"partial result.*MaxQueryExecutionTime"):
        RemoteStore(stub.url).select(f"SELECT ?s WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }}")


def test_refusal_is_a_store_error(stub: CappingEndpoint) -> None:
    """Commands turn StoreError into one line and exit 1: a refusal must be one."""
    assert issubclass(ResultCutOffError, StoreError)


# ---------------------------------------------------------------- the command users ran
def test_cli_export_writes_every_quad(
    stub: CappingEndpoint, data: ox.Store, tmp_path: Path
) -> None:
    out = tmp_path / "all.nq"
    result = CliRunner().invoke(
        app,
        ["--endpoint", stub.url, "export", "--format", "nquads", "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert set(ox.parse(out.read_bytes(), ox.RdfFormat.N_QUADS)) == _quads(data)


def test_cli_export_refusal_names_the_setting(stub: CappingEndpoint, tmp_path: Path) -> None:
    stub.style, stub.mark_everything = "ecograph", True
    result = CliRunner().invoke(
        app,
        ["--endpoint", stub.url, "export", "--format", "nquads", "--out", str(tmp_path / "all.nq")],
    )
    assert result.exit_code == 1
    assert "--max-rows" in result.output and "Traceback" not in result.output
