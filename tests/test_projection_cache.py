"""The projection's rows are cached in the workspace until the data changes (issue 17, §2)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from ecograph.ingest.importer import import_file
from ecograph.network.projection import SCANS, Projection, project
from ecograph.network.projection_cache import CACHE_DIR, cached_rows
from ecograph.provenance import graph_descriptions
from ecograph.store import EmbeddedStore

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def same(a: Projection, b: Projection) -> bool:
    return (
        dict(a.collaboration.nodes(data=True)) == dict(b.collaboration.nodes(data=True))
        and nx.utils.edges_equal(a.collaboration.edges(data=True), b.collaboration.edges(data=True))
        and a.contexts == b.contexts
        and a.leads == b.leads
        and a.partnerships_for == b.partnerships_for
    )


def _cached(store: EmbeddedStore) -> list[Path]:
    return sorted((Path(store.location) / CACHE_DIR / "projection").glob("*.npz"))


def no_reads(store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any scan of the store fail: what follows must come from the cache."""

    def refuse(*_: object, **__: object) -> list[list[str]]:
        raise AssertionError("the store was scanned")

    monkeypatch.setattr(store, "select_values", refuse)
    monkeypatch.setattr(store, "select_values_in", refuse)


@pytest.fixture
def grants(store: EmbeddedStore) -> EmbeddedStore:
    import_file(store, FIXTURES / "scdl_maine_et_loire.csv")
    return store


def test_a_second_projection_reads_the_cache_and_is_the_same(
    grants: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = project(grants)
    cached = _cached(grants)
    assert len(cached) == len(graph_descriptions(grants)) >= 1  # one file per described graph
    with monkeypatch.context() as patch:
        no_reads(grants, patch)
        second = project(grants)
    assert same(first, second)
    assert first.collaboration.number_of_nodes() > 40


def test_new_data_is_read_and_replaces_the_cache(grants: EmbeddedStore) -> None:
    before = project(grants)
    import_file(grants, FIXTURES / "scdl_loire_atlantique_excerpt.csv")
    after = project(grants)
    assert after.collaboration.number_of_nodes() > before.collaboration.number_of_nodes()
    assert len(_cached(grants)) == len(graph_descriptions(grants))


def test_after_an_import_only_the_new_graph_is_read(
    grants: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = set(grants.named_graphs())
    project(grants)
    import_file(grants, FIXTURES / "scdl_loire_atlantique_excerpt.csv")
    (new,) = set(grants.named_graphs()) - before
    read: set[str] = set()
    select_values_in = grants.select_values_in

    def reading(sparql: str, graph: str) -> list[list[str]]:
        read.add(graph)
        return select_values_in(sparql, graph)

    monkeypatch.setattr(grants, "select_values_in", reading)
    incremental = project(grants)
    assert read - set(graph_descriptions(grants)) | {new} == {new}
    assert new in read
    for path in (Path(grants.location) / CACHE_DIR).rglob("*.npz"):
        path.unlink()  # nothing cached: every graph read again
    assert same(project(grants), incremental)


def test_a_removed_graph_takes_its_rows_away(grants: EmbeddedStore) -> None:
    alone = project(grants)
    before = set(grants.named_graphs())
    import_file(grants, FIXTURES / "scdl_loire_atlantique_excerpt.csv")
    project(grants)
    (new,) = set(grants.named_graphs()) - before
    grants.drop_graph(new)
    assert same(project(grants), alone)
    assert len(_cached(grants)) == len(graph_descriptions(grants))


def test_a_damaged_cache_is_read_past(grants: EmbeddedStore) -> None:
    first = project(grants)
    path = _cached(grants)[0]
    path.write_bytes(b"not a numpy file")
    assert same(project(grants), first)
    assert path.read_bytes() != b"not a numpy file"  # written again


def test_a_value_holding_the_separator_is_not_cached_but_projected(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    table = tmp_path / "actors.csv"
    table.write_text("nom;type\nRécord\x1eSéparateur;association\n", encoding="utf-8")
    import_file(store, table)
    projection = project(store)
    names = {data["name"] for _, data in projection.collaboration.nodes(data=True)}
    assert "Récord\x1eSéparateur" in names
    assert not list((Path(store.location) / CACHE_DIR).glob("projection-*.npz"))


@pytest.mark.parametrize("read", ["from the store", "from the cache"])
def test_equal_texts_are_one_object(grants: EmbeddedStore, read: str) -> None:
    """What keeps a national projection in memory: an actor's IRI is held once, however many
    scans name it, and a sector once, however many actors have it."""
    if read == "from the cache":
        cached_rows(grants, SCANS)
    rows = cached_rows(grants, SCANS)
    actors = {iri: iri for iri in rows["actors"].column(0)}
    named = [subject for subject, _ in rows["name"] if subject in actors]
    assert len(named) > 40
    assert all(subject is actors[subject] for subject in named)
    sectors = rows["sector"].column(1)
    assert len(set(sectors)) < len(sectors)
    assert len({id(sector) for sector in sectors}) == len(set(sectors))


def test_a_projection_holds_each_actor_s_attributes_once(grants: EmbeddedStore) -> None:
    projection = project(grants)
    for actor, attributes in projection.collaboration.nodes(data=True):
        assert projection.funding.nodes[actor] is attributes
