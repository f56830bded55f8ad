"""The projection's rows are cached in the workspace until the data changes (issue 17, §2)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from ecograph.ingest.importer import import_file
from ecograph.network.projection import Projection, project
from ecograph.network.projection_cache import CACHE_DIR
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


def no_reads(store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any scan of the store fail: what follows must come from the cache."""

    def refuse(*_: object, **__: object) -> list[list[str]]:
        raise AssertionError("the store was scanned")

    monkeypatch.setattr(store, "select_values", refuse)


@pytest.fixture
def grants(store: EmbeddedStore) -> EmbeddedStore:
    import_file(store, FIXTURES / "scdl_maine_et_loire.csv")
    return store


def test_a_second_projection_reads_the_cache_and_is_the_same(
    grants: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = project(grants)
    cached = list((Path(grants.location) / CACHE_DIR).glob("projection-*.npz"))
    assert len(cached) == 1
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
    assert len(list((Path(grants.location) / CACHE_DIR).glob("projection-*.npz"))) == 1


def test_a_damaged_cache_is_read_past(grants: EmbeddedStore) -> None:
    first = project(grants)
    (path,) = (Path(grants.location) / CACHE_DIR).glob("projection-*.npz")
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
