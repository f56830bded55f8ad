"""The French administrative geography of 2026, and the one reading of a territory a user names.

The package ships a compact table (``data/territories-2026.json.gz``, ~1 MB) derived from the
Etalab ``@etalab/decoupage-administratif`` 6.0.0 files (INSEE COG, DGCL, La Poste; Licence
Ouverte) by :mod:`ecograph.geography_build`. :func:`geography` reads it once per process: the
loader, the importer, the projection, the maps and the report all index the same object.

:func:`resolve_territory` is the single parser of what a user types for a territory: the
command-line options, the query parameters of type ``territory`` (CLI and server), the
analysis scope and the report all call it, so every place accepts and refuses the same text.
"""

from __future__ import annotations

import difflib
import functools
import gzip
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ecograph.name_keys import name_key
from ecograph.namespaces import TERRITORY_BASE, TERRITORY_LEVELS, territory_iri
from ecograph.resources import data_path

__all__ = [
    "ATTRIBUTION",
    "SOURCE_DATASET",
    "TABLE_FILE",
    "Commune",
    "Territory",
    "TerritoryTable",
    "geography",
    "parent_of",
    "resolve_territory",
    "split_territory_iri",
]

TABLE_FILE = "territories-2026.json.gz"
SOURCE_DATASET = "COG 2026 (decoupage-administratif 6.0.0)"
ATTRIBUTION = (
    "Source: INSEE, DGCL, La Poste, via Etalab découpage administratif 6.0.0 "
    "(Licence Ouverte / Open Licence)."
)

#: How messages name each level.
LEVEL_NAMES = {
    "region": "région",
    "com": "overseas collectivity",
    "departement": "département",
    "epci": "EPCI",
    "commune": "commune",
    "arrondissement-municipal": "arrondissement municipal",
}
_HINT = (
    "write a code (44, 2A, 974, commune/44109, epci/244400404, region/52), "
    "an exact name (Nantes Métropole, Loire-Atlantique) or a territory IRI"
)
#: Text read as a bare code rather than a name: a département (44, 2A, 974), a commune
#: (44109, 2A004) or an EPCI (244400404); a length none of them has is refused as a code.
_BARE_CODE = re.compile(r"[0-9][0-9A-Z]*")


# ----------------------------------------------------------------------------- the table
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
    #: La Poste postcodes of the commune (several for a large town, one shared by several
    #: small communes).
    postcodes: tuple[str, ...] = ()


class TerritoryTable:
    """The shipped geography, indexed for the loader, the parser, the analysis and the tests."""

    def __init__(self, table: dict[str, Any]) -> None:
        self.raw = table
        self.regions: dict[str, str] = {c: n for c, n, _ in table["regions"]}
        self.region_zone: dict[str, str] = {c: z for c, _, z in table["regions"]}
        self.departements: dict[str, tuple[str, str]] = {
            c: (n, r) for c, n, r in table["departements"]
        }
        self.epcis: dict[str, tuple[str, str, int]] = {s: (n, k, p) for s, n, k, p in table["epci"]}
        self.communes: dict[str, Commune] = {
            code: Commune(
                code,
                name,
                departement,
                region,
                epci,
                siren,
                population,
                postcodes=tuple(rest[0]) if rest else (),
            )
            for code, name, departement, region, epci, siren, population, *rest in table["communes"]
        }
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
                tuple(rest[0]) if rest else (),
            )
            for code, name, parent, pop, *rest in table["arrondissements_municipaux"]
        }
        #: Communes merged into another (delegated or associated communes): code → (name,
        #: the current commune's code). Addresses and registers still name them.
        self.former_communes: dict[str, tuple[str, str]] = {
            code: (name, current) for code, name, current in table.get("former_communes", ())
        }

    @cached_property
    def communes_by_epci(self) -> dict[str, list[Commune]]:
        """EPCI SIREN → its member communes, in code order."""
        members: dict[str, list[Commune]] = {}
        for commune in self.communes.values():
            if commune.epci:
                members.setdefault(commune.epci, []).append(commune)
        return members

    @cached_property
    def communes_by_postcode(self) -> dict[str, list[Commune]]:
        """La Poste postcode → the current communes (and municipal arrondissements) it serves."""
        served: dict[str, list[Commune]] = defaultdict(list)
        for commune in (*self.communes.values(), *self.arrondissements.values()):
            for postcode in commune.postcodes:
                served[postcode].append(commune)
        return dict(served)

    def commune_at(self, postcode: str, town: str = "") -> Commune | None:
        """The commune a postal address names: the only one its postcode serves, or the one of
        those whose name matches ``town`` (case, accents and punctuation ignored, "St" for
        "Saint"). ``None`` when the postcode is unknown or the town does not pick one out.

        A postcode settles homonyms: "Saint-Herblain" is one commune, but "Sainte-Luce" and
        "Saint-Denis" are many, and only the postcode says which.
        """
        served = self.communes_by_postcode.get(postcode.strip().zfill(5), [])
        if not town.strip():
            return served[0] if len(served) == 1 else None
        wanted = place_key(town)
        named = [c for c in served if place_key(c.name) == wanted]
        if len(named) == 1:
            return named[0]
        if len(named) > 1:  # a town and its arrondissements: the town itself
            towns = [c for c in named if c.parent is None]
            return towns[0] if len(towns) == 1 else None
        return None

    def communes_in(self, departement: str) -> list[Commune]:
        """The current communes of one département (or overseas collectivity)."""
        return [c for c in self.communes.values() if c.departement == departement]

    def is_collectivity(self, region_code: str) -> bool:
        """True for the overseas collectivities (COM), which have no département."""
        return self.region_zone.get(region_code) == "com"

    def codes_of(self, level: str) -> dict[str, Any]:
        """The table of one level (``TERRITORY_LEVELS``), keyed by code; ``{}`` for others."""
        if level == "region":
            return {c: n for c, n in self.regions.items() if not self.is_collectivity(c)}
        if level == "com":
            return {c: n for c, n in self.regions.items() if self.is_collectivity(c)}
        tables: dict[str, dict[str, Any]] = {
            "departement": self.departements,
            "epci": self.epcis,
            "commune": self.communes,
            "arrondissement-municipal": self.arrondissements,
        }
        return tables.get(level, {})

    def name_of(self, level: str, code: str) -> str:
        """The name of a territory of the table (KeyError for an unknown one)."""
        entry = self.codes_of(level)[code]
        if isinstance(entry, Commune):
            return entry.name
        return entry if isinstance(entry, str) else entry[0]

    @cached_property
    def by_name(self) -> dict[str, list[tuple[str, str]]]:
        """Name key (:func:`name_key`) → the ``(level, code)`` of every territory so named."""
        names: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for level in TERRITORY_LEVELS:
            for code in self.codes_of(level):
                names[name_key(self.name_of(level, code))].append((level, code))
        return dict(names)

    def enclosing(self, place: str) -> tuple[str, ...]:
        """The territory IRIs ``place`` lies in, itself included: its ``eg:within*`` closure
        in the territories graph (so an EPCI is in no département; a commune is in its EPCI,
        département and région). Empty for an unknown place."""
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
        known: dict[str, dict[str, Any]] = {
            "epci": self.epcis,
            "region": self.regions,
            "com": self.regions,
        }
        return (place,) if code in known.get(level, {}) else ()


@functools.cache
def geography(path: Path | None = None) -> TerritoryTable:
    """The shipped 2026 geography (or another file of the same shape), read once per process.

    The table never changes while ecograph runs, so every caller shares one object: treat it
    as read-only.
    """
    with gzip.open(path or data_path(TABLE_FILE), "rt", encoding="utf-8") as handle:
        return TerritoryTable(json.load(handle))


# ----------------------------------------------------------------------------- territories
@dataclass(frozen=True)
class Territory:
    """A territory of the 2026 geography, or ``level="france"`` for the whole dataset."""

    level: str
    code: str
    name: str
    population: int | None = None

    @property
    def iri(self) -> str | None:
        """The territory's IRI (``None`` for the whole dataset)."""
        return None if self.level == "france" else territory_iri(self.level, self.code)

    @property
    def label(self) -> str:
        """``LEVEL/CODE (name)``, as messages list candidates."""
        return f"{self.level}/{self.code} ({self.name})"


_POSTAL_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


def place_key(name: str) -> str:
    """A commune name for matching: :func:`name_key` with La Poste's abbreviations spelt out
    ("St-Herblain" and "Saint-Herblain" give one key)."""
    return " ".join(_POSTAL_ABBREVIATIONS.get(word, word) for word in name_key(name).split())


def departement_of_postcode(postcode: str) -> str | None:
    """The département a 5-digit postcode's first digits name (``None`` for Corsica's
    ``20xxx``, which serves both 2A and 2B, and for anything that is not a postcode)."""
    if len(postcode) != 5 or not postcode.isdigit():
        return None
    departement = postcode[:3] if postcode.startswith("97") else postcode[:2]
    return None if departement == "20" else departement


def split_territory_iri(iri: str) -> tuple[str, str]:
    """``(level, code)`` of a territory IRI; ValueError for any other IRI or level."""
    if not iri.startswith(TERRITORY_BASE):
        raise ValueError(f"not a territory IRI: {iri!r} (expected {TERRITORY_BASE}…)")
    level, _, code = iri[len(TERRITORY_BASE) :].partition("/")
    if level not in TERRITORY_LEVELS:
        raise ValueError(f"{iri!r} has no territory level ({', '.join(TERRITORY_LEVELS)})")
    return level, code


def resolve_territory(text: str, *, table: TerritoryTable | None = None) -> Territory:
    """What a user typed for a territory → that territory of the 2026 geography.

    Accepts ``LEVEL/CODE`` (``commune/44109``, ``epci/244400404``, ``departement/44``,
    ``region/52``, ``com/975``, ``arrondissement-municipal/75101``), a full territory IRI, a
    bare code read by its shape (2–3 characters a département or an overseas collectivity:
    ``44``, ``2A``, ``974``, ``975``; 5 a commune or an arrondissement municipal; 9 digits an
    EPCI), or an exact name with case, accents and hyphens ignored (``nantes metropole``).
    A région needs its level (``region/52``): its code looks like a département's.

    Raises ValueError, naming the candidates when a name is shared by several territories and
    the closest names or codes when nothing matches.
    """
    table = table or geography()
    given = text.strip()
    if given.startswith(TERRITORY_BASE):
        given = given[len(TERRITORY_BASE) :]
    elif "://" in given:
        raise ValueError(f"territory {text!r}: not a territory IRI ({TERRITORY_BASE}…); {_HINT}")
    if not given:
        raise ValueError(f"territory {text!r}: empty; {_HINT}")
    if "/" in given:
        level, _, code = given.partition("/")
        level = level.strip().lower()
        if level not in TERRITORY_LEVELS:
            raise ValueError(
                f"territory {text!r}: unknown level {level!r}; the levels are "
                f"{', '.join(TERRITORY_LEVELS)} ({_HINT})"
            )
        return _by_code(text, level, code.strip().upper(), table)
    if _BARE_CODE.fullmatch(given.upper()):
        return _by_bare_code(text, given.upper(), table)
    return _by_name(text, given, table)


def _by_bare_code(text: str, code: str, table: TerritoryTable) -> Territory:
    if len(code) in (2, 3):
        level = "com" if table.is_collectivity(code) else "departement"
    elif len(code) == 5:
        level = "arrondissement-municipal" if code in table.arrondissements else "commune"
    elif len(code) == 9:
        level = "epci"
    else:
        raise ValueError(
            f"territory {text!r}: a bare code has 2–3 characters (département), "
            f"5 (commune) or 9 (EPCI); {_HINT}"
        )
    return _by_code(text, level, code, table)


def _by_code(text: str, level: str, code: str, table: TerritoryTable) -> Territory:
    codes = table.codes_of(level)
    if code in codes:
        return _territory(level, code, table)
    closest = difflib.get_close_matches(code, list(codes), n=3, cutoff=0.0)
    near = ", ".join(_territory(level, c, table).label for c in closest) or "none"
    raise ValueError(
        f"territory {text!r}: no {LEVEL_NAMES[level]} has the code {code!r} in the 2026 "
        f"geography; closest: {near}"
    )


def _by_name(text: str, name: str, table: TerritoryTable) -> Territory:
    key = name_key(name)
    found = table.by_name.get(key, [])
    if len(found) == 1:
        return _territory(*found[0], table)
    if found:
        listed = ", ".join(_territory(level, code, table).label for level, code in found[:12])
        more = f" and {len(found) - 12} more" if len(found) > 12 else ""
        raise ValueError(
            f"territory {text!r}: {len(found)} territories have this name: {listed}{more}; "
            "write the code of the one you mean"
        )
    closest = difflib.get_close_matches(key, list(table.by_name), n=3, cutoff=0.6)
    near = ", ".join(
        _territory(level, code, table).label for k in closest for level, code in table.by_name[k]
    )
    raise ValueError(
        f"territory {text!r}: no territory has this name in the 2026 geography; "
        f"closest: {near or 'none'} ({_HINT})"
    )


def _territory(level: str, code: str, table: TerritoryTable) -> Territory:
    """The territory of a known ``(level, code)``, with its population."""
    name = table.name_of(level, code)
    if level in ("commune", "arrondissement-municipal"):
        population = table.codes_of(level)[code].population
    elif level == "epci":
        population = table.epcis[code][2]
    elif level == "departement":
        population = _population(table.communes_in(code))
    else:  # a région or an overseas collectivity
        population = _population(c for c in table.communes.values() if c.region == code)
    return Territory(level, code, name, population)


def _population(communes: Any) -> int:
    return sum(c.population or 0 for c in communes)


def parent_of(territory: Territory, *, table: TerritoryTable | None = None) -> Territory:
    """The territory a report compares with: arrondissement → its commune, commune → its EPCI
    (its département when it has none), EPCI → the département holding most of its
    population, département → région; a région, an overseas collectivity or a commune of
    one → the whole dataset (``level="france"``)."""
    table = table or geography()
    if territory.level == "arrondissement-municipal":
        return _territory("commune", table.arrondissements[territory.code].parent or "", table)
    if territory.level == "commune":
        commune = table.communes[territory.code]
        if commune.epci and commune.epci in table.epcis:
            return _territory("epci", commune.epci, table)
        if commune.departement in table.departements:
            return _territory("departement", commune.departement, table)
    if territory.level == "epci":
        people: Counter[str] = Counter()
        for commune in table.communes_by_epci.get(territory.code, []):
            people[commune.departement] += commune.population or 0
        if people:
            departement = min(people, key=lambda d: (-people[d], d))
            return _territory("departement", departement, table)
    if territory.level == "departement" and table.departements[territory.code][1] in table.regions:
        return _territory("region", table.departements[territory.code][1], table)
    return Territory("france", "", "France")
