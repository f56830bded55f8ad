"""French territories: the shipped table, its RDF, counts and the roll-up."""

from __future__ import annotations

import pytest

from ecograph.geography import TABLE_FILE, geography
from ecograph.geography_build import derive_table
from ecograph.ingest.territories import territory_ntriples
from ecograph.resources import data_path

from .conftest import SHARED_DATA

ETALAB = SHARED_DATA / "territories"


@pytest.mark.skipif(not ETALAB.is_dir(), reason="../shared/data/territories is not here")
def test_shipped_table_is_derived_from_the_etalab_files(tmp_path) -> None:
    """The packaged file is exactly what derive_table makes of the shared source data."""
    import gzip
    import json

    with gzip.open(data_path(TABLE_FILE), "rt", encoding="utf-8") as handle:
        shipped = json.load(handle)
    assert shipped == json.loads(json.dumps(derive_table(ETALAB)))


def test_table_counts_match_the_2026_geography() -> None:
    table = geography()
    # INSEE COG 2026: 18 régions + 8 overseas collectivities, 101 départements,
    # 1,255 EPCI à fiscalité propre, 34,969 current communes.
    assert len(table.regions) == 26
    assert sum(not table.is_collectivity(code) for code in table.regions) == 18
    assert len(table.departements) == 101
    assert len(table.epcis) == 1255
    assert len(table.communes) == 34969
    assert table.communes["44109"].name == "Nantes"
    assert table.communes["44109"].epci == "244400404"  # Nantes Métropole


def test_store_counts_and_authorities(sample_store) -> None:
    counts = {
        row["cls"].value.split("#")[1]: int(row["n"].value)
        for row in sample_store.select("""
            SELECT ?cls (COUNT(DISTINCT ?t) AS ?n) WHERE {
              ?t a ?cls . FILTER(STRSTARTS(STR(?cls), STR(igeo:)))
            } GROUP BY ?cls""")
    }
    assert counts == {
        "Region": 18,
        "CollectiviteDOutreMer": 8,
        "Departement": 101,
        "Intercommunalite": 1255,
        "Commune": 34969,
        "ArrondissementMunicipal": 45,
    }
    nantes = sample_store.select("""
        SELECT ?authority ?siren WHERE {
          ?authority eg:governs egterr:commune\\/44109 ; eg:siren ?siren ;
                     eg:actorType egtype:commune ; eg:sector egsec:public .
        }""")
    assert [row["siren"].value for row in nantes] == ["214401093"]


def test_commune_counts_roll_up_in_one_query(sample_store) -> None:
    """One query sums commune populations to every EPCI, département and région."""
    rows = sample_store.select("""
        SELECT ?territory (SUM(?population) AS ?total) WHERE {
          ?commune a igeo:Commune ; eg:population ?population ; eg:within+ ?territory .
        } GROUP BY ?territory""")
    totals = {
        row["territory"].value.rsplit("/", 2)[-2]
        + "/"
        + row["territory"].value.rsplit("/", 1)[-1]: int(row["total"].value)
        for row in rows
    }
    table = geography()
    loire_atlantique = sum(c.population or 0 for c in table.communes_in("44"))
    assert totals["departement/44"] == loire_atlantique
    assert totals["region/52"] == sum(
        c.population or 0 for c in table.communes.values() if c.region == "52"
    )
    assert totals["epci/244400404"] == sum(
        c.population or 0 for c in table.communes_by_epci["244400404"]
    )
    assert totals["region/52"] > totals["departement/44"] > totals["epci/244400404"] > 0


def test_territory_triples_are_deterministic() -> None:
    table = geography()
    first = list(territory_ntriples(table, "https://example.org/"))
    assert first == list(territory_ntriples(table, "https://example.org/"))
    assert any("actor/siren/244400404" in line for line in first)


def test_enclosing_is_the_within_closure_of_the_store(sample_store) -> None:
    """The Python roll-up the metrics use (TerritoryTable.enclosing) and the store's
    eg:within* agree, for every kind of place an actor can be based in."""
    import pyoxigraph as ox

    from ecograph.namespaces import territory_iri

    table = geography()
    places = [
        territory_iri(level, code)
        for level, code in (
            ("commune", "44109"),
            ("commune", "44184"),
            ("epci", "244400404"),
            ("departement", "44"),
            ("region", "52"),
            ("arrondissement-municipal", "75101"),
            ("commune", "97501"),
            ("com", "975"),
            ("commune", "2A004"),
        )
    ]
    query = "SELECT ?t WHERE { VALUES ?place { UNDEF } ?place eg:within* ?t }"
    for place in places:
        expected = {
            row["t"].value for row in sample_store.select(query, {"place": ox.NamedNode(place)})
        }
        assert set(table.enclosing(place)) == expected, place
    assert table.enclosing("https://w3id.org/ecograph/territory/commune/00000") == ()
