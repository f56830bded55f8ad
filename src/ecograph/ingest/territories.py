"""French administrative geography 2026: régions, départements, EPCI, communes.

The package ships a compact table (``data/territories-2026.json.gz``, ~1 MB) derived from the
Etalab ``@etalab/decoupage-administratif`` 6.0.0 files (INSEE COG, DGCL, La Poste; Licence
Ouverte). At load time it becomes N-Triples written straight into one ``bulk_load``: building
rdflib or pyoxigraph term objects for ~400,000 triples would cost more than the load itself.

Hierarchy (``eg:within``, transitive): arrondissement municipal → commune → EPCI and
commune → département → région; overseas collectivities' communes → the collectivity. EPCIs
are not put inside a département because a few straddle two: roll-ups go through communes.

Every commune, EPCI, département, région and overseas collectivity is also described as an
``eg:LocalAuthority`` (with its SIREN when the data has one) that governs its territory and is
based in it (so roll-ups treat authorities like every other actor). It is not an ``eg:Actor``
until a source names it as taking part in something.
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ecograph.namespaces import (
    PREFIXES,
    TERRITORY_BASE,
    actor_iri_for_siren,
    authority_iri,
    graph_iri,
    territory_iri,
)
from ecograph.rdfterms import nt_iri, nt_literal
from ecograph.resources import data_path
from ecograph.vocab import ACTOR_TYPE, EG, IGEO, SECTOR

TABLE_FILE = "territories-2026.json.gz"
SOURCE_DATASET = "COG 2026 (decoupage-administratif 6.0.0)"
# Bump the suffix when the RDF made from the same table changes, so stores reload it.
DATASET_VERSION = f"{SOURCE_DATASET}, ecograph territories v2"
ATTRIBUTION = (
    "Source: INSEE, DGCL, La Poste, via Etalab découpage administratif 6.0.0 "
    "(Licence Ouverte / Open Licence)."
)
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


@dataclass(frozen=True)
class Commune:
    """A current commune (or a municipal arrondissement when ``parent`` is set)."""

    code: str
    name: str
    departement: str
    region: str
    epci: str | None
    siren: str | None
    population: int | None
    parent: str | None = None


class TerritoryTable:
    """The shipped geography, indexed for the generator, the loader and the tests."""

    def __init__(self, table: dict[str, Any]) -> None:
        self.raw = table
        self.regions: dict[str, str] = {c: n for c, n, _ in table["regions"]}
        self.region_zone: dict[str, str] = {c: z for c, _, z in table["regions"]}
        self.departements: dict[str, tuple[str, str]] = {
            c: (n, r) for c, n, r in table["departements"]
        }
        self.epcis: dict[str, tuple[str, str, int]] = {s: (n, k, p) for s, n, k, p in table["epci"]}
        self.communes: dict[str, Commune] = {row[0]: Commune(*row) for row in table["communes"]}
        self.arrondissements: dict[str, Commune] = {
            code: Commune(
                code,
                name,
                self.communes[parent].departement,
                self.communes[parent].region,
                None,
                None,
                pop,
                parent,
            )
            for code, name, parent, pop in table["arrondissements_municipaux"]
        }

    @cached_property
    def communes_by_epci(self) -> dict[str, list[Commune]]:
        """EPCI SIREN → its member communes, in code order."""
        members: dict[str, list[Commune]] = {}
        for commune in self.communes.values():
            if commune.epci:
                members.setdefault(commune.epci, []).append(commune)
        return members

    def communes_in(self, departement: str) -> list[Commune]:
        """The current communes of one département (or overseas collectivity)."""
        return [c for c in self.communes.values() if c.departement == departement]

    def is_collectivity(self, region_code: str) -> bool:
        """True for the overseas collectivities (COM), which have no département."""
        return self.region_zone.get(region_code) == "com"

    def enclosing(self, place: str) -> tuple[str, ...]:
        """The territory IRIs ``place`` lies in, itself included: its ``eg:within*`` closure
        in the graph :func:`territory_lines` writes (so an EPCI is in no département; a
        commune is in its EPCI, département and région). Empty for an unknown place."""
        if not place.startswith(TERRITORY_BASE):
            return ()
        level, _, code = place[len(TERRITORY_BASE) :].partition("/")
        if level == "arrondissement-municipal" and code in self.arrondissements:
            parent = self.arrondissements[code].parent or ""
            return (place, *self.enclosing(territory_iri("commune", parent)))
        if level == "commune" and code in self.communes:
            commune = self.communes[code]
            if self.is_collectivity(commune.region):
                found = [place, territory_iri("com", commune.region)]
            else:
                found = [place, *self.enclosing(territory_iri("departement", commune.departement))]
            if commune.epci:
                found.append(territory_iri("epci", commune.epci))
            return tuple(found)
        if level == "departement" and code in self.departements:
            return (place, territory_iri("region", self.departements[code][1]))
        known = {"epci": self.epcis, "region": self.regions, "com": self.regions}
        return (place,) if code in known.get(level, ()) else ()


def read_table(path: Path | None = None) -> TerritoryTable:
    """The shipped table (or another file of the same shape)."""
    with gzip.open(path or data_path(TABLE_FILE), "rt", encoding="utf-8") as handle:
        return TerritoryTable(json.load(handle))


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


def load_territories(store: Any, *, force: bool = False) -> TerritoryLoad:
    """Load the geography into ``{base}graph/territories``, once per dataset version.

    A second call finds the graph already at this version and does nothing, unless ``force``.
    """
    from ecograph.provenance import graph_description, loaded_version

    graph = graph_iri(store.base_iri, GRAPH_NAME)
    started = time.perf_counter()
    if not force and loaded_version(store, graph) == DATASET_VERSION:
        return TerritoryLoad(graph, 0, 0.0, skipped=True)
    table = read_table()
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


# --------------------------------------------------------------------------- derivation
def derive_table(etalab_dir: Path) -> dict[str, Any]:
    """Build the compact table from the Etalab JSON files (run when the geography changes)."""

    def read(name: str) -> list[dict[str, Any]]:
        return json.loads((etalab_dir / f"{name}.json").read_text(encoding="utf-8"))

    epci_of: dict[str, str] = {}
    epcis = []
    for epci in read("epci"):
        epcis.append([epci["code"], epci["nom"], epci["type"], epci["populationMunicipale"]])
        for member in epci["membres"]:
            epci_of[member["code"]] = epci["code"]
    communes, arrondissements = [], []
    for row in read("communes"):
        if row["type"] == "commune-actuelle":
            communes.append(
                [
                    row["code"],
                    row["nom"],
                    row["departement"],
                    row["region"],
                    epci_of.get(row["code"]),
                    row.get("siren"),
                    row.get("population"),
                ]
            )
        elif row["type"] == "arrondissement-municipal":
            arrondissements.append([row["code"], row["nom"], row["commune"], row.get("population")])
    departements = [
        [d["code"], d["nom"], d["region"]] for d in read("departements") if d["zone"] != "com"
    ]
    regions = [[r["code"], r["nom"], r["zone"]] for r in read("regions")]
    return {
        "dataset": SOURCE_DATASET,
        "attribution": ATTRIBUTION,
        "regions": sorted(regions),
        "departements": sorted(departements),
        "epci": sorted(epcis),
        "communes": sorted(communes),
        "arrondissements_municipaux": sorted(arrondissements),
    }


def write_table(table: dict[str, Any], path: Path) -> None:
    """Write the table reproducibly (sorted, no timestamp in the gzip header)."""
    payload = json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write(payload)


if __name__ == "__main__":  # python -m ecograph.ingest.territories ../shared/data/territories
    source = Path(sys.argv[1])
    write_table(derive_table(source), data_path(TABLE_FILE))
    print(f"wrote {data_path(TABLE_FILE)}")
