"""The query library (queries/*.rq): headers, binding, and a golden result for every query.

The golden results (tests/fixtures/queries/expected/<name>.csv) were worked out by hand from
the small ecosystem in tests/fixtures/queries/ecosystem.ttl (its header is a cheat sheet), then
checked against the runs. A query whose result changes must be re-checked by hand, not copied.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from ecograph.queries import (
    LibraryQuery,
    QueryError,
    find_query,
    load_catalogue,
    parse_query_file,
    result_text,
    run_query,
    sort_lists,
)
from ecograph.resources import ontology_files
from ecograph.store import EmbeddedStore, open_store

from .conftest import write_whole_metrics

FIXTURES = Path(__file__).parent / "fixtures" / "queries"
ECOSYSTEM = FIXTURES / "ecosystem.ttl"
EXPECTED = FIXTURES / "expected"

TERRITORY = "https://w3id.org/ecograph/territory/"
ACTOR = "https://w3id.org/ecograph/data/actor/"
DOMAIN = "https://w3id.org/ecograph/id/domain/"
NANTES_METROPOLE = TERRITORY + "epci/244400404"
LOIRE_ATLANTIQUE = TERRITORY + "departement/44"
REZE = TERRITORY + "commune/44143"

#: The parameters each library query runs with against the fixture.
GOLDEN: dict[str, dict[str, str]] = {
    "actor-counts-by-territory": {"lang": "fr"},
    "actors-and-projects-by-domain": {"territory": LOIRE_ATLANTIQUE, "lang": "fr"},
    "actors-by-type-and-sector": {"territory": NANTES_METROPOLE, "lang": "fr"},
    "actors-in-territory": {"territory": NANTES_METROPOLE, "lang": "fr"},
    "actors-on-two-domains": {
        "domainA": DOMAIN + "poverty",
        "domainB": DOMAIN + "food",
        "lang": "fr",
    },
    "cross-sector-partnerships": {"territory": REZE, "lang": "fr"},
    "domains-without-private-partner": {"territory": LOIRE_ATLANTIQUE, "lang": "fr"},
    "domains-without-public-partner": {"territory": LOIRE_ATLANTIQUE, "lang": "fr"},
    "fact-provenance": {"subject": ACTOR + "siren/244400404", "lang": "fr"},
    "funding-to-associations": {"territory": LOIRE_ATLANTIQUE, "lang": "fr"},
    "isolated-actors": {"territory": LOIRE_ATLANTIQUE, "lang": "fr"},
    "partners-two-hops": {"actor": ACTOR + "a01", "lang": "fr"},
    "partnerships-by-type-and-year": {"lang": "fr"},
    "projects-by-criterion": {"lang": "fr"},
    "projects-without-cross-sector-partner": {"lang": "fr"},
    "search-actors-by-name": {"text": "SOLIDA", "lang": "fr"},
    "sector-pair-collaborations": {"territory": LOIRE_ATLANTIQUE, "lang": "fr"},
    "sector-pairs-never-collaborating": {"territory": LOIRE_ATLANTIQUE, "lang": "fr"},
    "top-funders": {"lang": "fr"},
}

HOSTILE_TEXTS = [
    'x" } UNION { ?s ?p ?o } #',
    "x' } UNION { ?s ?p ?o } #",
    '"""\n} UNION { ?actor ?p ?name }\n"""',
    "} UNION { ?s ?p ?o }",
    '\\" ) ) } } UNION { ?s ?p ?o } #\r\n{{}}',
]


def _examples(query: LibraryQuery) -> dict[str, str]:
    return {parameter.name: parameter.example for parameter in query.parameters}


def _fixture_quads() -> list[ox.Quad]:
    return list(ox.parse(path=ECOSYSTEM, format=ox.RdfFormat.TRIG))


@pytest.fixture(scope="module")
def catalogue() -> dict[str, LibraryQuery]:
    return load_catalogue()


@pytest.fixture(scope="module")
def ecosystem(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    """A fresh workspace holding only the fixture's four named graphs."""
    with open_store(tmp_path_factory.mktemp("queries") / "ws") as store:
        store.add(_fixture_quads())
        yield store


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    """The fixture plus its metrics graph, for the queries that read precomputed counts
    (``# requires: metrics``). A separate store, so the other golden results (say, the
    provenance of every fact about an actor) stay the hand-computed ones."""
    with open_store(tmp_path_factory.mktemp("measured") / "ws") as store:
        store.add(_fixture_quads())
        write_whole_metrics(store)
        yield store


def _store_for(name: str, ecosystem: EmbeddedStore, measured: EmbeddedStore) -> EmbeddedStore:
    return measured if "metrics" in find_query(name).requires else ecosystem


# ----------------------------------------------------------------------------- the fixture
def test_fixture_has_named_graphs_only() -> None:
    quads = _fixture_quads()
    graphs = {quad.graph_name for quad in quads}
    assert ox.DefaultGraph() not in graphs
    assert {g.value.rsplit("/", 1)[1] for g in graphs} == {
        "ontology",
        "territories",
        "source-a",
        "source-b",
    }


def test_fixture_ontology_extract_is_the_ontology_s() -> None:
    """What the fixture copies into its ontology graph (labels, scheme membership) is in
    ontology/ (copied, not invented)."""
    shipped = ox.Store()
    for path in ontology_files():
        shipped.bulk_load(path=path, format=ox.RdfFormat.TURTLE)
    copied = [q for q in _fixture_quads() if q.graph_name.value.endswith("/graph/ontology")]
    assert len(copied) > 80
    for quad in copied:
        assert ox.Quad(quad.subject, quad.predicate, quad.object) in shipped, quad


def test_fixture_territories_are_the_territories_graph_s() -> None:
    """The fixture's territories and local authorities are described exactly as
    `ecograph territories` describes them (an extract: populations left out)."""
    from ecograph.geography import geography
    from ecograph.ingest.territories import territory_ntriples
    from ecograph.namespaces import DEFAULT_BASE_IRI

    graph = DEFAULT_BASE_IRI + "graph/territories"
    copied = [
        q for q in _fixture_quads() if q.graph_name.value == graph and q.subject.value != graph
    ]
    lines = "\n".join(territory_ntriples(geography(), DEFAULT_BASE_IRI)) + "\n"
    real = ox.Store()
    real.bulk_load(lines.encode(), ox.RdfFormat.N_TRIPLES)
    assert len(copied) > 40
    for quad in copied:
        assert ox.Quad(quad.subject, quad.predicate, quad.object) in real, quad


# ----------------------------------------------------------------------------- headers
def test_every_library_query_has_a_golden_test(catalogue: dict[str, LibraryQuery]) -> None:
    assert len(catalogue) >= 16
    assert sorted(catalogue) == sorted(GOLDEN)


def test_readme_lists_every_query(catalogue: dict[str, LibraryQuery]) -> None:
    readme = (Path(__file__).parents[1] / "queries" / "README.md").read_text(encoding="utf-8")
    for name, query in catalogue.items():
        assert f"| [`{name}`]({name}.rq) | {query.title} |" in readme, name


def test_headers(catalogue: dict[str, LibraryQuery]) -> None:
    for name, query in catalogue.items():
        assert query.title.strip() and query.description.strip(), name
        assert name == name.lower() and " " not in name and "_" not in name, name
        for parameter in query.parameters:
            assert parameter.example and parameter.description, (name, parameter.name)
        # Every query here shows labels: each takes the language as a `lang` parameter.
        lang = query.parameter("lang")
        assert lang.type == "lang" and lang.example == "fr", name


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_query_is_self_contained_and_ordered(name: str) -> None:
    """Bound with its header examples, the query parses on a store with no default prefixes
    (as on a remote server), is a SELECT or an ASK, and a SELECT has an ORDER BY."""
    query = find_query(name)
    text = query.bind(_examples(query))
    result = ox.Store().query(text)  # a SyntaxError fails the test
    assert isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)), name
    if isinstance(result, ox.QuerySolutions):
        assert "ORDER BY" in text, name


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_binding_fills_every_placeholder(name: str) -> None:
    query = find_query(name)
    body = "\n".join(
        line for line in query.bind(_examples(query)).splitlines() if not line.startswith("#")
    )
    assert "UNDEF" not in body, name


# ----------------------------------------------------------------------------- golden results
@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_result(ecosystem: EmbeddedStore, measured: EmbeddedStore, name: str) -> None:
    result = run_query(_store_for(name, ecosystem, measured), find_query(name), GOLDEN[name])
    actual = "".join(result_text(result, "csv")).splitlines()
    expected = (EXPECTED / f"{name}.csv").read_text(encoding="utf-8").splitlines()
    assert actual == expected


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_same_result_without_default_prefixes(
    ecosystem: EmbeddedStore, measured: EmbeddedStore, name: str
) -> None:
    """The bound text gives the same rows on a bare pyoxigraph store (no prefixes given)."""
    store = _store_for(name, ecosystem, measured)
    bare = ox.Store()
    bare.extend(list(store.quads()))
    text = find_query(name).bind(GOLDEN[name])
    solutions = bare.query(text, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    rows = sort_lists(find_query(name), names, [tuple(s[n] for n in names) for s in solutions])
    assert rows == run_query(store, find_query(name), GOLDEN[name]).rows


def test_names_fall_back_to_french_and_labels_follow_lang(ecosystem: EmbeddedStore) -> None:
    """Actor names exist in French only: with lang=en they still show; concept labels are
    English."""
    result = run_query(
        ecosystem,
        find_query("actors-on-two-domains"),
        {**GOLDEN["actors-on-two-domains"], "lang": "en"},
    )
    rows = [[t.value if t is not None else None for t in row] for row in result.rows]
    assert rows == [
        [
            ACTOR + "a11",
            "Réseau Solidarités Ligériennes",
            "https://w3id.org/ecograph/id/actor-type/network",
            "Network or federation",
            "https://w3id.org/ecograph/id/sector/ess",
            "Social and solidarity economy",
        ],
        [
            ACTOR + "a03",
            "Épicerie Solidaire de Rezé",
            "https://w3id.org/ecograph/id/actor-type/association",
            "Association",
            "https://w3id.org/ecograph/id/sector/ess",
            "Social and solidarity economy",
        ],
    ]


def test_missing_label_keeps_the_row(measured: EmbeddedStore) -> None:
    """No label in German: rows stay, label columns are empty, names fall back to French."""
    result = run_query(measured, find_query("top-funders"), {"lang": "de"})
    assert len(result.rows) == 4
    index = result.variables.index
    assert all(row[index("typeLabel")] is None for row in result.rows)
    assert result.rows[0][index("name")].value == "Nantes Métropole"


def test_search_ignores_case_and_idle_authorities(ecosystem: EmbeddedStore) -> None:
    """ "Nantes" names the commune's authority too, but no source makes it an actor."""
    result = run_query(
        ecosystem, find_query("search-actors-by-name"), {"text": "NANTES", "lang": "fr"}
    )
    assert [row[0].value for row in result.rows] == [ACTOR + "siren/244400404"]


# ----------------------------------------------------------------------------- list columns
def test_list_items_are_sorted_as_a_reader_would(tmp_path: Path) -> None:
    """GROUP_CONCAT's order follows the store's; ecograph sorts a declared list's items,
    ignoring case and accents, and keeps the literal's language."""
    path = tmp_path / "lists.rq"
    path.write_text(
        "# title: t\n# description: d\n# lists: names\n"
        'SELECT ?names ?other WHERE { BIND("b ; a" AS ?names) }\n',
        encoding="utf-8",
    )
    query = parse_query_file(path)
    assert query.lists == ("names",)
    rows = [
        (ox.Literal("Secteur ; économie ; Zéro", language="fr"), ox.Literal("b ; a")),
        (ox.Literal("seul"), None),
    ]
    assert sort_lists(query, ["names", "other"], rows) == [
        (ox.Literal("économie ; Secteur ; Zéro", language="fr"), ox.Literal("b ; a")),
        (ox.Literal("seul"), None),
    ]


def test_a_list_the_query_never_binds_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lists.rq"
    path.write_text(
        "# title: t\n# description: d\n# lists: nmaes\n"
        'SELECT ?names WHERE { BIND("a" AS ?names) }\n',
        encoding="utf-8",
    )
    with pytest.raises(QueryError, match=r"lists.rq:3: .*nmaes"):
        parse_query_file(path)


# ----------------------------------------------------------------------------- binding safety
@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_search_text_is_one_literal(ecosystem: EmbeddedStore, text: str) -> None:
    query = find_query("search-actors-by-name")
    result = run_query(ecosystem, query, {"text": text, "lang": "fr"})
    assert result.rows == []
    bound = query.bind({"text": text, "lang": "fr"})
    ox.Store().query(bound)  # still one well-formed query


def test_missing_parameter_is_named_with_a_command_that_runs() -> None:
    with pytest.raises(QueryError, match="territory") as refused:
        find_query("actors-in-territory").bind({"lang": "fr"})
    assert "ecograph query actors-in-territory -p territory commune/44143" in str(refused.value)


def test_lang_defaults_to_the_caller_s_language() -> None:
    """A query's ``lang`` need not be given: it is the caller's (French unless told)."""
    query = find_query("actors-in-territory")
    given = {"territory": NANTES_METROPOLE}
    assert query.bind(given) == query.bind({**given, "lang": "fr"})
    assert query.bind(given, lang="en") == query.bind({**given, "lang": "en"})
    assert query.bind({**given, "lang": "de"}, lang="en") == query.bind({**given, "lang": "de"})
    assert '"en"' in query.bind(given, lang="en")
    assert query.bind({**given, "lang": ""}, lang="en") == query.bind(given, lang="en")


def test_iri_with_a_space_is_refused(ecosystem: EmbeddedStore) -> None:
    with pytest.raises(QueryError, match="territory"):
        run_query(
            ecosystem,
            find_query("actors-in-territory"),
            {"territory": TERRITORY + "epci/244400404 > } UNION { ?s ?p ?o", "lang": "fr"},
        )


def test_unknown_parameter_is_refused() -> None:
    with pytest.raises(QueryError, match="lang"):
        find_query("top-funders").bind({"lang": "fr", "limit": "10"})


# ----------------------------------------------------------------------------- derived counts
def test_queries_reading_metrics_refuse_missing_partial_or_stale_counts(tmp_path: Path) -> None:
    """Counts that are absent, written without the library's counts, or older than the data
    would give wrong answers silently: the query refuses and says what to run. Metrics of a
    filtered projection are never written (they would replace the whole ecosystem's)."""
    from ecograph.metrics_state import metrics_state
    from ecograph.network.metrics import compute_metrics
    from ecograph.network.metrics_rdf import FilteredMetricsError, write_metrics
    from ecograph.network.projection import ProjectionFilter, project

    query = find_query("sector-pairs-never-collaborating")
    values = GOLDEN["sector-pairs-never-collaborating"]
    with open_store(tmp_path / "ws") as store:
        store.add(_fixture_quads())
        with pytest.raises(QueryError, match=r"has no metrics yet.*ecograph metrics"):
            run_query(store, query, values)
        some = ProjectionFilter(domain="https://w3id.org/ecograph/id/domain/housing")
        with pytest.raises(FilteredMetricsError, match="not written"):
            write_metrics(store, compute_metrics(project(store, some)))
        assert metrics_state(store) == "missing"
        write_metrics(store, compute_metrics(project(store), activity=False))
        assert metrics_state(store) == "partial"  # no counts: no fingerprint either
        with pytest.raises(QueryError, match="lack the counts"):
            run_query(store, query, values)
        write_whole_metrics(store)
        assert metrics_state(store) == "current"
        assert run_query(store, query, values).rows
        store.load(
            b'<https://e.org/x> <https://e.org/p> "new" .\n',
            format=ox.RdfFormat.N_TRIPLES,
            graph="https://e.org/new-source",
            extra_ntriples="<https://e.org/new-source> "
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<https://w3id.org/ecograph/ontology#SourceGraph> .\n",
        )
        assert metrics_state(store) == "stale"
        with pytest.raises(QueryError, match="data changed"):
            run_query(store, query, values)


def test_counts_written_by_an_older_layout_read_as_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A metrics graph written before a count was added would answer that count's query with
    no rows: bumping ``COUNTS_LAYOUT`` makes such a graph stale until `ecograph metrics` runs."""
    from ecograph import metrics_state

    query = find_query("partnerships-by-type-and-year")
    with open_store(tmp_path / "ws") as store:
        store.add(_fixture_quads())
        write_whole_metrics(store)
        assert metrics_state.metrics_state(store) == "current"
        monkeypatch.setattr(metrics_state, "COUNTS_LAYOUT", metrics_state.COUNTS_LAYOUT + 1)
        assert metrics_state.metrics_state(store) == "stale"
        with pytest.raises(QueryError, match="older ecograph"):
            run_query(store, query, {"lang": "fr"})
        write_whole_metrics(store)
        assert run_query(store, query, {"lang": "fr"}).rows


# ----------------------------------------------------------------------------- the sample
def test_every_query_runs_on_the_sample(sample_store: EmbeddedStore) -> None:
    """With the header examples, every query runs on the built-in sample (real territories,
    generated actors) and finds something there."""
    empty = []
    for name, query in load_catalogue().items():
        if not run_query(sample_store, query, _examples(query)).rows:
            empty.append(name)
    assert empty == []
