"""Writing the 2026 geography into the store: régions, départements, EPCI, communes.

The table itself (and its one parser of what users type) is :mod:`ecograph.geography`. At load
time it becomes N-Triples written straight into one ``bulk_load``: building rdflib or
pyoxigraph term objects for ~400,000 triples would cost more than the load itself.

Hierarchy (``eg:within``, transitive): arrondissement municipal → commune → EPCI and
commune → département → région; overseas collectivities' communes → the collectivity. EPCIs
are not put inside a département because a few straddle two: roll-ups go through communes.

Every commune, EPCI, département, région and overseas collectivity is also described as an
``eg:LocalAuthority`` (with its SIREN when the data has one) that governs its territory and is
based in it (so roll-ups treat authorities like every other actor). It is not an ``eg:Actor``
until a source names it as taking part in something.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from ecograph.geography import ATTRIBUTION, SOURCE_DATASET, TerritoryTable, geography
from ecograph.namespaces import (
    PREFIXES,
    actor_iri_for_siren,
    authority_iri,
    graph_iri,
    territory_iri,
)
from ecograph.rdfterms import nt_iri, nt_literal
from ecograph.store.base import Store
from ecograph.vocab import ACTOR_TYPE, EG, IGEO, SECTOR

# Bump the suffix when the RDF made from the same table changes, so stores reload it.
DATASET_VERSION = f"{SOURCE_DATASET}, ecograph territories v2"
GRAPH_NAME = "territories"

TYPE = nt_iri(PREFIXES["rdf"] + "type")
LABEL = nt_iri(PREFIXES["skos"] + "prefLabel")
CODE = nt_iri(str(IGEO.codeINSEE))
WITHIN = nt_iri(str(EG.within))
POPULATION = nt_iri(str(EG.population))
GOVERNS = nt_iri(str(EG.governs))
BASED_IN = nt_iri(str(EG.basedIn))
ACTOR_TYPE_P = nt_iri(str(EG.actorType))
SECTOR_P = nt_iri(str(EG.sector))
SIREN_P = nt_iri(str(EG.siren))
LOCAL_AUTHORITY = nt_iri(str(EG.LocalAuthority))
PUBLIC_SECTOR = nt_iri(str(SECTOR.public))
XSD_INTEGER = PREFIXES["xsd"] + "integer"
SIREN_DATATYPE = str(EG.SIREN)

_CLASS_OF_LEVEL = {
    "region": "Region",
    "com": "CollectiviteDOutreMer",
    "departement": "Departement",
    "epci": "Intercommunalite",
    "commune": "Commune",
    "arrondissement-municipal": "ArrondissementMunicipal",
}
_AUTHORITY_TYPE = {
    "region": "region",
    "com": "localAuthority",
    "departement": "departement",
    "epci": "epci",
    "commune": "commune",
}
_AUTHORITY_PREFIX = {
    "region": "Région",
    "com": "Collectivité",
    "departement": "Département",
}


def territory_ntriples(table: TerritoryTable, base: str) -> Iterator[str]:
    """Every triple of the territories graph, as N-Triples lines."""
    igeo_class = {level: nt_iri(str(getattr(IGEO, cls))) for level, cls in _CLASS_OF_LEVEL.items()}

    def territory(level: str, code: str, name: str, population: int | None) -> Iterator[str]:
        iri = nt_iri(territory_iri(level, code))
        yield f"{iri} {TYPE} {igeo_class[level]} ."
        yield f"{iri} {LABEL} {nt_literal(name, lang='fr')} ."
        yield f"{iri} {CODE} {nt_literal(code)} ."
        if population is not None:
            yield f"{iri} {POPULATION} {nt_literal(str(population), datatype=XSD_INTEGER)} ."

    def authority(level: str, code: str, name: str, siren: str | None) -> Iterator[str]:
        iri = nt_iri(
            actor_iri_for_siren(base, siren) if siren else authority_iri(base, level, code)
        )
        label = f"{_AUTHORITY_PREFIX[level]} {name}" if level in _AUTHORITY_PREFIX else name
        yield f"{iri} {TYPE} {LOCAL_AUTHORITY} ."
        yield f"{iri} {LABEL} {nt_literal(label, lang='fr')} ."
        yield f"{iri} {ACTOR_TYPE_P} {nt_iri(str(getattr(ACTOR_TYPE, _AUTHORITY_TYPE[level])))} ."
        yield f"{iri} {SECTOR_P} {PUBLIC_SECTOR} ."
        yield f"{iri} {GOVERNS} {nt_iri(territory_iri(level, code))} ."
        yield f"{iri} {BASED_IN} {nt_iri(territory_iri(level, code))} ."
        if siren:
            yield f"{iri} {SIREN_P} {nt_literal(siren, datatype=SIREN_DATATYPE)} ."

    population_of: dict[str, int] = {}
    for commune in table.communes.values():
        for key in (commune.departement, commune.region):
            population_of[key] = population_of.get(key, 0) + (commune.population or 0)

    for code, name in table.regions.items():
        level = "com" if table.is_collectivity(code) else "region"
        yield from territory(level, code, name, population_of.get(code))
        yield from authority(level, code, name, None)
    for code, (name, region) in table.departements.items():
        yield from territory("departement", code, name, population_of.get(code))
        yield (
            f"{nt_iri(territory_iri('departement', code))} {WITHIN} "
            f"{nt_iri(territory_iri('region', region))} ."
        )
        yield from authority("departement", code, name, None)
    for siren, (name, _kind, population) in table.epcis.items():
        yield from territory("epci", siren, name, population)
        yield from authority("epci", siren, name, siren)
    for commune in table.communes.values():
        iri = nt_iri(territory_iri("commune", commune.code))
        yield from territory("commune", commune.code, commune.name, commune.population)
        if table.is_collectivity(commune.region):
            yield f"{iri} {WITHIN} {nt_iri(territory_iri('com', commune.region))} ."
        else:
            yield f"{iri} {WITHIN} {nt_iri(territory_iri('departement', commune.departement))} ."
        if commune.epci:
            yield f"{iri} {WITHIN} {nt_iri(territory_iri('epci', commune.epci))} ."
        yield from authority("commune", commune.code, commune.name, commune.siren)
    for arrondissement in table.arrondissements.values():
        yield from territory(
            "arrondissement-municipal",
            arrondissement.code,
            arrondissement.name,
            arrondissement.population,
        )
        yield (
            f"{nt_iri(territory_iri('arrondissement-municipal', arrondissement.code))} "
            f"{WITHIN} {nt_iri(territory_iri('commune', arrondissement.parent or ''))} ."
        )


@dataclass(frozen=True)
class TerritoryLoad:
    """What ``load_territories`` did."""

    graph: str
    triples: int
    seconds: float
    skipped: bool


#: What to say when a territory's report or map is empty for want of the geography.
NOT_LOADED = (
    "The territories are not loaded in this workspace, and actors are placed through them: "
    "run `ecograph territories`, then this command again."
)


def territories_loaded(store: Store) -> bool:
    """Whether the geography is in the store: actors are placed in a département, an EPCI or
    a région through it, so a territory's report or map is empty without it."""
    from ecograph.provenance import loaded_version

    return loaded_version(store, graph_iri(store.base_iri, GRAPH_NAME)) is not None


def load_territories(store: Store, *, force: bool = False) -> TerritoryLoad:
    """Load the geography into ``{base}graph/territories``, once per dataset version.

    A second call finds the graph already at this version and does nothing, unless ``force``.
    """
    from ecograph.provenance import graph_description, loaded_version

    graph = graph_iri(store.base_iri, GRAPH_NAME)
    started = time.perf_counter()
    if not force and loaded_version(store, graph) == DATASET_VERSION:
        return TerritoryLoad(graph, 0, 0.0, skipped=True)
    table = geography()
    lines = list(territory_ntriples(table, store.base_iri))
    lines.extend(
        graph_description(
            graph, title="French territories 2026", version=DATASET_VERSION, source=ATTRIBUTION
        )
    )
    store.load(
        ("\n".join(lines) + "\n").encode(), format=ox.RdfFormat.N_TRIPLES, graph=graph, replace=True
    )
    return TerritoryLoad(graph, len(lines), time.perf_counter() - started, skipped=False)
