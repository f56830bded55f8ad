"""A projection filtered to a territory works out only what the territory needs
(``projection._near``) and gives exactly what working out the whole store gives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from ecograph.geography import geography, resolve_territory
from ecograph.ingest.importer import import_file
from ecograph.ingest.territories import load_territories
from ecograph.network import projection as projection_module
from ecograph.network.projection import Projection, ProjectionFilter, project
from ecograph.ontology import load_ontology
from ecograph.sample import load_sample
from ecograph.store import EmbeddedStore, open_store

FIXTURES = Path(__file__).parent / "fixtures"
PARIS_GRANT = """
@prefix eg: <https://w3id.org/ecograph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/ecograph/data/graph/paris> {{
  <https://w3id.org/ecograph/data/actor/paris> a eg:Actor ; skos:prefLabel "Fondation"@fr ;
      eg:actorType <https://w3id.org/ecograph/id/actor-type/foundation> ;
      eg:sector <https://w3id.org/ecograph/id/sector/privateNonProfit> ;
      eg:basedIn <https://w3id.org/ecograph/territory/commune/75056> .
  <https://w3id.org/ecograph/data/partnership/paris-grant> a eg:Partnership ;
      eg:partnershipType <https://w3id.org/ecograph/id/partnership-type/funding> ;
      eg:partner <https://w3id.org/ecograph/data/actor/paris> , <{beneficiary}> ;
      eg:funder <https://w3id.org/ecograph/data/actor/paris> ; eg:beneficiary <{beneficiary}> ;
      eg:amount 1500.0 .
}}
"""
DOMAIN = "https://w3id.org/ecograph/id/domain/"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    """The sample (Loire-Atlantique, with partners elsewhere) and a real grants file of
    Maine-et-Loire, whose beneficiaries have no address until a register places them; one of
    them also has a grant from a Paris foundation, which names nobody of Maine-et-Loire."""
    folder = tmp_path_factory.mktemp("territory") / "ws"
    with open_store(folder) as opened:
        load_ontology(opened)
        load_territories(opened)
        load_sample(opened)
        import_file(opened, FIXTURES / "import" / "scdl_maine_et_loire.csv")
        whole = project(opened)
        beneficiary = min(a for a, place in whole.collaboration.nodes(data="place") if not place)
        opened.add(ox.parse(PARIS_GRANT.format(beneficiary=beneficiary), format=ox.RdfFormat.TRIG))
        yield opened


def _everything(
    actor_iris: list[str], *_: object
) -> tuple[list[str], set[str] | None]:  # what projecting did before _near
    return actor_iris, None


def _shape(projection: Projection) -> tuple[object, ...]:
    return (
        list(projection.collaboration.nodes(data=True)),
        list(projection.collaboration.edges(data=True)),
        list(projection.funding.edges(data=True)),
        sorted(projection.contexts),
        [projection.contexts[iri].members for iri in sorted(projection.contexts)],
        sorted(projection.outside.items()),
    )


@pytest.mark.parametrize(
    "text",
    ["44", "49", "epci/244400404", "commune/44109", "region/52", "epci/244900015", "75"],
)
@pytest.mark.parametrize(
    "extra",
    [{}, {"domain": DOMAIN + "poverty"}, {"start": dt.date(2020, 1, 1)}],
    ids=["all", "one domain", "a period"],
)
def test_a_territory_s_projection_is_the_whole_store_s_cut(
    store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch, text: str, extra: dict[str, object]
) -> None:
    table = geography()
    filters = ProjectionFilter(territory=resolve_territory(text, table=table).iri, **extra)  # type: ignore[arg-type]
    near = project(store, filters, table=table)
    monkeypatch.setattr(projection_module, "_near", _everything)
    whole = project(store, filters, table=table)
    assert _shape(near) == _shape(whole)


def test_the_territory_keeps_its_partners_from_elsewhere(store: EmbeddedStore) -> None:
    table = geography()
    maine_et_loire = project(store, ProjectionFilter(territory=resolve_territory("49").iri))
    assert maine_et_loire.collaboration.number_of_nodes() > 40
    unplaced = [a for a, place in maine_et_loire.collaboration.nodes(data="place") if not place]
    assert unplaced  # the grants' beneficiaries, tied to 49 by its council's grants
    whole = project(store, table=table)
    for actor, attributes in maine_et_loire.outside.items():
        assert actor not in maine_et_loire.collaboration
        assert attributes == whole.collaboration.nodes[actor]
    assert "https://w3id.org/ecograph/data/partnership/paris-grant" in maine_et_loire.contexts
    assert "https://w3id.org/ecograph/data/actor/paris" in maine_et_loire.outside
