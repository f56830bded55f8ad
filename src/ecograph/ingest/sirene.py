"""SIRENE unit files and ESS lists: one actor per SIREN, typed by its legal form.

INSEE's ``StockUniteLegale`` columns (siren, denominationUniteLegale,
categorieJuridiqueUniteLegale, activitePrincipaleUniteLegale,
economieSocialeSolidaireUniteLegale, sigleUniteLegale, etatAdministratifUniteLegale…), the
establishment file's commune columns, and the simpler names that derived lists use
(denomination, categorie_juridique, naf, rna, commune, code_postal, siret_siege, famille_ess —
the ess-numerique file's) are all read.

The legal-form code (``data/legal-forms.csv``: 4 digits, else its first 2, else its first)
gives the actor type and sector: 92xx associations, 9300 foundations, 5458/5558/5658 SCOP,
other cooperatives social enterprises, 7210 communes… A unit flagged ESS
(economieSocialeSolidaireUniteLegale = O) that the code calls a company is a social
enterprise. The activity code (NAF) gives a domain where it clearly says one.

INSEE's national stock files (``StockUniteLegale_utf8.csv``, about 30 M units, and
``StockEtablissement_utf8.csv``, about 40 M establishments: comma-separated, UTF-8, header of
INSEE's column names; "Base Sirene des entreprises et de leurs établissements (SIREN, SIRET)"
on data.gouv.fr, Licence Ouverte) are recognised by their ``statutDiffusion…`` column and
streamed (``streamed``, ``StockRows``): one actor per SIREN, with ``ess_only``
(``economieSocialeSolidaireUniteLegale`` = O), ``active_only`` (``etatAdministratif…`` = A)
and ``territory``. An establishment row gives its SIRET, and the commune of the unit's seat
(``etablissementSiege`` = true) to a unit the store already holds (import StockUniteLegale
first: an establishment alone does not say what the unit is); a unit file has no commune, so
``territory`` there keeps the units the store already places in the territory.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ecograph.domain_rules import Evidence, Keyword
from ecograph.ingest.conversion import ActorDraft, Conversion, Reject, RowProblem
from ecograph.ingest.mapping import Mapping
from ecograph.ingest.merge import StoreIndex
from ecograph.ingest.places import PlaceProblem, resolve_commune
from ecograph.ingest.readers import Table
from ecograph.ingest.row_fields import Fields, each_row
from ecograph.ingest.streamed import (
    RowFilters,
    StreamRefused,
    TerritoryFilter,
    positions_of,
    read_header,
)
from ecograph.ingest.values import ValueProblem, read_rna, read_siret
from ecograph.name_keys import name_key
from ecograph.resources import data_path

_Read = TypeVar("_Read")

COLUMNS: dict[str, tuple[str, ...]] = {
    "siren": ("siren",),
    "name": (
        "denominationUniteLegale",
        "denomination",
        "raison_sociale",
        "nom_complet",
        "nom_raison_sociale",
        "denominationUsuelle1UniteLegale",
    ),
    # a sole trader's names: each column apart, since the usual ones are most often empty
    "person_name": ("nomUsageUniteLegale",),
    "birth_name": ("nomUniteLegale",),
    "first_name": ("prenomUsuelUniteLegale",),
    "first_name_1": ("prenom1UniteLegale",),
    "sigle": ("sigleUniteLegale", "sigle"),
    "legal_form": ("categorieJuridiqueUniteLegale", "categorie_juridique", "nature_juridique"),
    "naf": ("activitePrincipaleUniteLegale", "naf", "activite_principale", "code_naf"),
    "ess": ("economieSocialeSolidaireUniteLegale", "flag_ess_sirene", "ess"),
    "state": ("etatAdministratifUniteLegale", "etat_administratif"),
    "active": ("est_active",),
    "family": ("famille_ess",),
    "rna": ("rna", "identifiantAssociationUniteLegale", "idAssociation"),
    "siret": ("siret_siege", "siret"),
    "commune": (
        "codeCommuneEtablissement",
        "code_commune",
        "code_insee",
        "commune",
        "libelleCommuneEtablissement",
    ),
    "postcode": ("codePostalEtablissement", "code_postal"),
}
_FAMILY_TYPES = {
    "association": "association",
    "cooperative": "socialEnterprise",
    "fondation": "foundation",
    "mutuelle": "socialEnterprise",
}
#: NAF code prefixes that clearly name a domain of action. The domain an actor gets from its
#: code is inferred (``eg:inferredWorksOn``, its code as the reason): SIRENE states the code,
#: ecograph reads a domain into it.
NAF_DOMAINS: dict[str, str] = {
    "85": "education",
    "86": "health",
    "87.10": "health",
    "87.20": "disability",
    "87.30": "ageing",
    "87.90": "poverty",
    "88.10": "ageing",
    "88.91": "childhoodYouth",
    "88.99": "poverty",
    "90": "culture",
    "91": "culture",
    "93": "culture",
    "68": "housing",
    "55.90": "housing",
    "38": "environment",
    "39": "environment",
    "49.3": "mobility",
    "56": "food",
    "10": "food",
    "01": "food",
    "78": "employment",
}


def looks_like_sirene(columns: list[str]) -> bool:
    """A table with a siren column and a SIRENE legal-form or name column."""
    keys = {name_key(c) for c in columns}
    return "siren" in keys and bool(
        keys & {name_key(c) for c in COLUMNS["legal_form"] + COLUMNS["name"][:2]}
    )


@functools.cache
def legal_forms() -> dict[str, tuple[str, str, str]]:
    """Code (1, 2 or 4 digits) → (label, actor type, sector), from ``data/legal-forms.csv``."""
    with data_path("legal-forms.csv").open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter=";")
        return {r["code"]: (r["label"], r["type"], r["sector"]) for r in rows}


def legal_form(code: str) -> tuple[str, str, str] | None:
    """The (label, type, sector) of a 4-digit code, by its most precise known prefix."""
    table = legal_forms()
    for length in (4, 2, 1):
        found = table.get(code[:length])
        if found:
            return found
    return None


def naf_domain(code: str) -> str | None:
    """The domain an activity code (NAF, "88.91A" or "8891A") names, if any."""
    compact = code.replace(".", "")
    for prefix, domain in sorted(NAF_DOMAINS.items(), key=lambda kv: -len(kv[0])):
        if compact.startswith(prefix.replace(".", "")):
            return domain
    return None


def convert_sirene(
    table: Table, mapping: Mapping, *, tick: Callable[[int], None] | None = None
) -> Conversion:
    """One actor per SIREN (rows of one SIREN, e.g. its establishments, merge)."""
    conversion = Conversion(kind="sirene units")
    by_key = {name_key(c): i for i, c in enumerate(table.columns)}
    positions: dict[str, int] = {}
    for field, names in COLUMNS.items():
        for name in names:
            if name_key(name) in by_key:
                positions[field] = by_key[name_key(name)]
                break
    if "siren" not in positions:
        conversion.rejects.append(Reject(1, None, None, "a SIRENE file needs a «siren» column"))
        return conversion
    used = set(positions.values())
    conversion.unused_columns = [c for i, c in enumerate(table.columns) if i not in used and c]
    fields = Fields(table, positions, mapping, conversion)
    for number, cells in each_row(table, conversion, fields, tick=tick):
        try:
            _unit(fields, conversion)
        except RowProblem as err:
            conversion.rejects.append(Reject(number, err.column, err.value, err.problem, cells))
    return conversion


def _unit(fields: Fields, conversion: Conversion, *, seat: Seat | None = None) -> ActorDraft:
    siren, _ = fields.siren("siren")
    if siren is None:
        raise fields.problem("siren", "", "every SIRENE row needs its SIREN (9 digits)")
    name = fields.text("name")
    if name is None:
        first = fields.text("first_name") or fields.text("first_name_1")
        last = fields.text("person_name") or fields.text("birth_name")
        person = " ".join(t for t in (first, last) if t)
        name = person or fields.text("sigle")
    if name is None:
        raise fields.problem(
            "name",
            "",
            "the unit has no name (denomination, nom or sigle); "
            "non-diffusible units ([ND]) cannot be imported",
        )
    actor_type, sector = _type_and_sector(fields, conversion)
    naf = fields.text("naf")
    naf_says = naf_domain(naf) if naf else None
    state, active = fields.text("state"), fields.text("active")
    if (state or "").upper() == "C" or (active or "").casefold() in ("false", "non", "0"):
        conversion.note("unit has ceased activity (still imported)", fields.row)
    draft = conversion.actors.add(
        fields.row,
        name=name,
        siren=siren,
        siret=_siret(fields, conversion) or (seat.siret if seat else None),
        rna=_optional(fields, "rna", read_rna, conversion),
        type=actor_type,
        sector=sector,
        place=_commune(fields, conversion) or (seat.commune if seat else None),
    )
    if naf and naf_says:  # ecograph's reading of the code: an inference, with its reason
        draft.inferred.setdefault(
            naf_says, Evidence(naf_says, Keyword.code(naf_says, naf), "code NAF")
        )
    sigle = fields.text("sigle")
    if sigle and sigle != name:
        draft.names[sigle] += 0  # kept as another spelling (skos:altLabel), never the name
    return draft


def _type_and_sector(fields: Fields, conversion: Conversion) -> tuple[str, str]:
    code = fields.text("legal_form")
    found = None
    if code:
        code = code[:-2] if code.endswith(".0") else code
        if not (code.isdigit() and len(code) in (1, 2, 4)):
            raise fields.problem(
                "legal_form",
                code,
                "a legal-form code (catégorie juridique) "
                "has 4 digits, e.g. 9220 for a declared association",
            )
        found = legal_form(code)
    if found is None:
        family = (fields.text("family") or "").casefold()
        actor_type = _FAMILY_TYPES.get(family, "company")
        sector = "ess" if family in _FAMILY_TYPES else "privateForProfit"
        conversion.note(f"no legal-form code: «{actor_type}» assumed", fields.row)
    else:
        _, actor_type, sector = found
    if (fields.text("ess") or "").casefold() in ("o", "oui", "true", "1", "yes"):
        if actor_type == "company":
            actor_type = "socialEnterprise"
            conversion.note("company flagged ESS: typed social enterprise", fields.row)
        if sector == "privateForProfit":
            sector = "ess"
    return actor_type, sector


def _siret(fields: Fields, conversion: Conversion) -> str | None:
    value = _optional(fields, "siret", read_siret, conversion)
    return value[0] if value is not None else None


def _optional(
    fields: Fields, field: str, reader: Callable[[str], _Read], conversion: Conversion
) -> _Read | None:
    """A secondary identifier: a bad one is left out and reported, the unit kept."""
    value = fields.text(field)
    if value is None:
        return None
    try:
        return reader(value)
    except ValueProblem as err:
        conversion.note(f"{fields.column(field)}: invalid value left out ({err})", fields.row)
        return None


def _commune(fields: Fields, conversion: Conversion) -> str | None:
    try:
        return fields.commune("commune")
    except RowProblem:
        conversion.note(
            f"{fields.column('commune')}: commune not found in the 2026 geography, "
            "actor kept without a commune",
            fields.row,
        )
        return None


# ----------------------------------------------------------------------------- stock files
STOCK_COLUMNS: dict[str, tuple[str, ...]] = {
    **COLUMNS,
    "name": (
        *COLUMNS["name"],
        "denominationUsuelleEtablissement",
        "enseigne1Etablissement",
    ),
    "state": ("etatAdministratifUniteLegale", "etatAdministratifEtablissement"),
    "siret": ("siret",),
    "seat": ("etablissementSiege",),
    "diffusion": ("statutDiffusionUniteLegale", "statutDiffusionEtablissement"),
}


def looks_like_sirene_stock(columns: list[str]) -> bool:
    """INSEE's stock files: a ``siren`` column and a ``statutDiffusion…`` one."""
    keys = {name_key(c) for c in columns}
    return "siren" in keys and bool(
        keys & {"statutdiffusionunitelegale", "statutdiffusionetablissement"}
    )


@dataclass(frozen=True)
class Seat:
    """Where a unit's seat establishment is: its commune IRI and SIRET."""

    commune: str
    siret: str | None


_SEAT_WORDS = ("true", "1", "o", "oui")


def seats_in(
    path: Path,
    territory: TerritoryFilter,
    *,
    active_only: bool = False,
    tick: Callable[[int, int], None] | None = None,
) -> dict[str, Seat]:
    """SIREN → its seat, for the seat establishments of a StockEtablissement file that lie in
    ``territory`` (closed seats left out with ``active_only``).

    A StockUniteLegale file has no address: the seats are what cuts it to one territory. The
    file is streamed, and only the territory's seats are kept (a département has some
    100,000; the whole country about 30 M establishments), so memory stays bounded.
    """
    table = read_header(path)
    positions = positions_of(table.columns, STOCK_COLUMNS)
    missing = [key for key in ("siren", "siret", "seat", "commune") if key not in positions]
    if missing:
        raise StreamRefused(
            f"--establishments: {path.name} is not a StockEtablissement file (it lacks "
            f"{', '.join(STOCK_COLUMNS[k][0] for k in missing)})"
        )
    siren_at, siret_at, seat_at, commune_at = (
        positions[k] for k in ("siren", "siret", "seat", "commune")
    )
    postcode_at, state_at = positions.get("postcode"), positions.get("state")
    width = max(positions.values()) + 1
    seats: dict[str, Seat] = {}
    for number, (_, cells) in enumerate(table.rows(), start=1):
        if tick is not None and number % 50_000 == 0:
            tick(table.bytes_read, table.size)
        if len(cells) < width or cells[seat_at].strip().casefold() not in _SEAT_WORDS:
            continue
        if active_only and state_at is not None and cells[state_at].strip().upper() != "A":
            continue
        postcode = cells[postcode_at] if postcode_at is not None else None
        try:
            place, _ = resolve_commune(cells[commune_at], postcode=postcode)
        except PlaceProblem:
            continue
        if territory.contains(place):
            siret = cells[siret_at].strip()
            seats[cells[siren_at].strip()] = Seat(place, siret if len(siret) == 14 else None)
    if tick is not None:
        tick(table.size, table.size)
    return seats


class StockRows:
    """StockUniteLegale / StockEtablissement rows → one actor per SIREN (a
    ``streamed.RowConverter``)."""

    def __init__(
        self,
        columns: list[str],
        filters: RowFilters,
        territory: TerritoryFilter | None,
        *,
        index: StoreIndex | None = None,
    ) -> None:
        self.positions = positions_of(columns, STOCK_COLUMNS)
        self.filters = filters
        self.territory = territory
        self.establishments = "siret" in self.positions
        self.kind = "sirene establishments" if self.establishments else "sirene units"
        if "siren" not in self.positions:
            raise StreamRefused("a SIRENE stock file needs a «siren» column")
        if filters.ess_only and "ess" not in self.positions:
            raise StreamRefused(
                "--ess-only reads economieSocialeSolidaireUniteLegale, which this file does "
                "not have (an establishment file): import StockUniteLegale with --ess-only"
            )
        if filters.include_dissolved:
            raise StreamRefused("--include-dissolved is for RNA files; SIRENE has --active-only")
        if filters.establishments is not None and (self.establishments or territory is None):
            raise StreamRefused(
                "--establishments goes with a StockUniteLegale file and --territory: the "
                "establishment file's seats say which units lie in the territory"
            )
        self.index = index
        #: For a unit file with --territory: SIREN → commune the store already holds.
        self.placed: dict[str, str] = {}
        #: SIREN → the seat that --establishments places in the territory.
        self.seats: dict[str, Seat] = {}
        if territory is not None and not self.establishments and index is not None:
            for row in index.store.query("SELECT ?v ?p WHERE { ?a eg:siren ?v ; eg:basedIn ?p }"):
                self.placed.setdefault(row["v"].value, row["p"].value)

    def prepare(self, tick: Callable[[int, int], None] | None) -> None:
        """With ``--establishments``: read the seats in the territory, which place the units."""
        if self.filters.establishments is None or self.territory is None:
            return
        self.seats = seats_in(
            self.filters.establishments,
            self.territory,
            active_only=self.filters.active_only,
            tick=tick,
        )
        for siren, seat in self.seats.items():
            self.placed.setdefault(siren, seat.commune)

    def key(self, fields: Fields) -> str | None:
        """A unit file has one row per SIREN; an establishment file several (each adds its
        SIRET: repeated facts of one actor are one triple in the graph)."""
        value = (fields.text("siren") or "").replace(" ", "")
        return f"siren:{value}" if value and not self.establishments else None

    def convert(self, fields: Fields, conversion: Conversion) -> ActorDraft | None:
        row = fields.row
        if self.filters.active_only and (fields.text("state") or "").upper() != "A":
            return self._skip(conversion, "not active (etatAdministratif ≠ A): skipped", row)
        if self.filters.ess_only and (fields.text("ess") or "").upper() != "O":
            return self._skip(conversion, "not flagged ESS: skipped (--ess-only)", row)
        if (fields.text("diffusion") or "").upper() == "P":  # names shown as [ND]
            return self._skip(conversion, "not publicly listed (statutDiffusion P): skipped", row)
        if self.establishments:
            return self._establishment(fields, conversion)
        if self.territory is not None:
            siren = (fields.text("siren") or "").strip()
            if not self.territory.contains(self.placed.get(siren)):
                return self._skip(
                    conversion,
                    f"not placed in {self.territory.label}: skipped (--territory on a unit "
                    "file keeps the units whose seat --establishments or the store places "
                    "there)",
                    row,
                )
        seat = self.seats.get((fields.text("siren") or "").strip())
        return _unit(fields, conversion, seat=seat)

    def seen_again(self, fields: Fields, conversion: Conversion, iri: str) -> list[str]:
        conversion.rows_skipped += 1
        conversion.note("SIREN already given on an earlier row: later row skipped", fields.row)
        return []

    def extra_lines(self, draft: ActorDraft) -> list[str]:
        return []

    def _skip(self, conversion: Conversion, why: str, row: int) -> ActorDraft | None:
        """Count a row left out by a filter, and say why; returns None (no actor)."""
        conversion.rows_skipped += 1
        conversion.note(why, row)
        return None

    def _establishment(self, fields: Fields, conversion: Conversion) -> ActorDraft | None:
        place = _commune(fields, conversion)
        if self.territory is not None and not self.territory.contains(place):
            return self._skip(
                conversion, f"outside {self.territory.label}: skipped (--territory)", fields.row
            )
        siren, _ = fields.siren("siren")
        if siren is None:
            raise fields.problem("siren", "", "every SIRENE row needs its SIREN (9 digits)")
        if self.index is not None and siren not in self.index.by_siren:
            return self._skip(
                conversion,
                "establishment of a unit the store does not hold: skipped (import "
                "StockUniteLegale first; establishments add SIRETs and the seat's commune)",
                fields.row,
            )
        seat = (fields.text("seat") or "").casefold() in ("true", "1", "o", "oui")
        name = fields.text("name")
        if name is None:
            conversion.note(
                "establishment without a name of its own: the unit's name comes with "
                "StockUniteLegale",
                fields.row,
            )
        if not seat:
            conversion.note(
                "not the unit's seat: its SIRET is kept, the actor's commune is its seat's",
                fields.row,
            )
        return conversion.actors.add(
            fields.row,
            name=name,
            siren=siren,
            siret=_siret(fields, conversion),
            place=place if seat else None,
        )
