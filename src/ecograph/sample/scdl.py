"""Synthetic SCDL "subventions" files, one per publishing authority, for the national benchmark.

Real grants are published by each authority on its own: every département council, every
région, many communes put their "données essentielles des conventions de subvention" (SCDL
"subventions" schema) on their open-data portal, each in its own layout. ``write_scdl_files``
writes such a set for the whole of France, deterministic for a seed:

- **publishers**: the council of each département (all 101), of each of the 18 régions, and of
  the ``communes_per_departement`` most populous communes of each département; each writes one
  file, named as portals name them (``{SIREN}_subventions-{year}….csv``);
- **layouts**, as publishers really differ: the schema 2.x field names with ``rnaBeneficiaire``
  (UTF-8, ``;``, ISO dates, ``2500.00``); the schema's field *titles* as the Département de
  Loire-Atlantique writes them (CRLF, a bare year for a date, ``250.0``, the RNA number in
  ``idBeneficiaire`` when there is no SIRET); the 1.x field names from a French spreadsheet
  (cp1252, CRLF, ``15/03/2021``, ``1 234,56``);
- **beneficiaries** are drawn from the registers the benchmark imports first (``Beneficiary``,
  read from the files ``registers.write_rna_file`` and ``registers.write_sirene_files`` wrote):
  their SIRET or SIREN and RNA number, and the name the register gives, so that every grant
  joins an actor already in the store. A council funds actors of its territory (a commune
  mostly its own, then its département's; a région any of its départements'), some of them
  year after year (a skewed draw);
- **objects** are worded as real files word them ("Aide alimentaire aux familles en
  difficulté", "Fonctionnement de l'école de musique"), so that domain inference has work to
  do, with a share of generic ones ("Subvention de fonctionnement 2022") that say nothing.

Nothing in these files is real: the grants, amounts, dates and decisions are invented and the
beneficiaries are the fictional ones of the generated registers. Only the territories and the
names of the authorities are real; their identifiers are those the shipped geography gives
(communes) or follow the shape of real councils' SIRENs ("22" + the département's code for a
département, "23" + the région's code for a région) without being their actual values.
"""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ecograph.geography import Commune, geography
from ecograph.ingest.scdl import SCDL_COLUMNS

__all__ = [
    "LAYOUTS",
    "Beneficiary",
    "Publisher",
    "ScdlFile",
    "publishers",
    "read_beneficiaries",
    "write_scdl_files",
]


# ----------------------------------------------------------------------------- beneficiaries
@dataclass(frozen=True, slots=True)
class Beneficiary:
    """An actor of the generated registers that may receive a grant: its name as the register
    writes it, the identifiers a grant file would give, its commune and département, and
    whether it is an association (most grants go to associations)."""

    name: str
    siret: str | None
    rna: str | None
    commune: str
    departement: str
    association: bool


def read_beneficiaries(
    *,
    rna: Path | None = None,
    units: Path | None = None,
    establishments: Path | None = None,
) -> list[Beneficiary]:
    """The actors of generated register files that ``ecograph import`` keeps and a grant can
    name: active associations of an RNA waldec file (the first row of each RNA number, as the
    importer keeps it), and the active, publicly listed legal persons of SIRENE stock files
    (sole traders receive no grants here) at their seat. Read one line at a time; only what a
    grant needs is kept."""
    found: list[Beneficiary] = []
    if rna is not None:
        found.extend(_rna_beneficiaries(rna))
    if units is not None:
        if establishments is None:
            raise ValueError("a StockUniteLegale file needs its StockEtablissement file (seats)")
        found.extend(_sirene_beneficiaries(units, establishments))
    return found


def _rna_beneficiaries(path: Path) -> Iterator[Beneficiary]:
    communes = geography().communes
    seen: set[str] = set()
    with path.open(encoding="cp1252", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        columns = next(reader)
        at = {name: columns.index(name) for name in ("id", "siret", "titre", "adrs_codeinsee")}
        position, dissolved = columns.index("position"), columns.index("date_disso")
        for cells in reader:
            number = cells[at["id"]]
            if cells[position] != "A" or cells[dissolved] not in ("", "0001-01-01"):
                continue
            if number in seen:
                continue  # the importer keeps the first row of an RNA number
            seen.add(number)
            commune = communes.get(cells[at["adrs_codeinsee"]])
            if commune is None:
                continue
            yield Beneficiary(
                cells[at["titre"]],
                cells[at["siret"]] or None,
                number,
                commune.code,
                commune.departement,
                True,
            )


def _sirene_beneficiaries(units: Path, establishments: Path) -> Iterator[Beneficiary]:
    communes = geography().communes
    seats: dict[str, tuple[str, str]] = {}
    with establishments.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            if row["etablissementSiege"] == "true":
                seats[row["siren"]] = (row["siret"], row["codeCommuneEtablissement"])
    with units.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            legal_form = row["categorieJuridiqueUniteLegale"]
            if (
                legal_form == "1000"  # a sole trader
                or row["etatAdministratifUniteLegale"] != "A"
                or row["statutDiffusionUniteLegale"] != "O"
                or row["siren"] not in seats
            ):
                continue
            siret, code = seats[row["siren"]]
            commune = communes.get(code)
            if commune is None:
                continue
            yield Beneficiary(
                row["denominationUniteLegale"],
                siret,
                row["identifiantAssociationUniteLegale"] or None,
                commune.code,
                commune.departement,
                legal_form.startswith("92"),
            )


# ----------------------------------------------------------------------------- publishers
@dataclass(frozen=True)
class Publisher:
    """An authority that publishes its grants: its level (departement, region, commune), its
    code, its name as its file writes it, its SIRET, and the départements whose actors it
    funds."""

    level: str
    code: str
    name: str
    siret: str
    departements: tuple[str, ...]
    population: int

    @property
    def siren(self) -> str:
        return self.siret[:9]


def _luhn_complete(body: str) -> str:
    """``body`` followed by the digit that makes it pass the Luhn check (SIREN, SIRET)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:  # the check digit's neighbour is doubled
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return body + str(-total % 10)


def _council_siret(prefix: str, code: str) -> str:
    """A council's SIRET in the shape of real ones: "22" + the département's code (Corsica's
    as 20) or "23" + the région's code, zeros, Luhn keys (14 digits); not the council's
    actual number."""
    digits = code.replace("2A", "20").replace("2B", "20")
    filler = "2" if code == "2B" else "1"  # Corsica's two councils apart
    siren = _luhn_complete(f"{prefix}{digits}000" + filler * (3 - len(digits)))
    return _luhn_complete(siren + "0001")


def _commune_siret(siren: str) -> str:
    return _luhn_complete(siren + "0001")


def publishers(communes_per_departement: int = 1) -> list[Publisher]:
    """Every publishing authority, in a fixed order: the 101 département councils, the 18
    régions, then the ``communes_per_departement`` most populous communes of each département
    (with a SIREN in the shipped geography)."""
    table = geography()
    members: dict[str, list[Commune]] = defaultdict(list)
    for commune in table.communes.values():
        members[commune.departement].append(commune)
    population = {d: sum(c.population or 0 for c in members[d]) for d in table.departements}
    found: list[Publisher] = []
    for code, (name, _region) in sorted(table.departements.items()):
        found.append(
            Publisher(
                "departement",
                code,
                f"Département {_of(name)}",
                _council_siret("22", code),
                (code,),
                population[code],
            )
        )
    for code, name in sorted(table.regions.items()):
        if table.is_collectivity(code):
            continue
        inside = tuple(sorted(d for d, (_, r) in table.departements.items() if r == code))
        found.append(
            Publisher(
                "region",
                code,
                f"Région {name}",
                _council_siret("23", code),
                inside,
                sum(population[d] for d in inside),
            )
        )
    for departement in sorted(table.departements):
        largest = sorted(
            (c for c in members[departement] if c.siren),
            key=lambda c: (-(c.population or 0), c.code),
        )[:communes_per_departement]
        for commune in largest:
            found.append(
                Publisher(
                    "commune",
                    commune.code,
                    f"Ville {_of(commune.name)}",
                    _commune_siret(commune.siren or ""),
                    (departement,),
                    commune.population or 0,
                )
            )
    return found


_VOWELS = "AEIOUYÉÈÊÎÏÔÂH"


def _of(name: str) -> str:
    """How files write "of" before a name: "de Loire-Atlantique", "d'Ille-et-Vilaine" (the
    article of a département, "du Nord", is often dropped by publishers too)."""
    return f"d'{name}" if name[:1].upper() in _VOWELS else f"de {name}"


# ----------------------------------------------------------------------------- wording
#: Grant objects as real files word them, by what they fund; ``{year}`` and ``{place}`` are
#: filled in. Most speak of a domain; the last group says nothing a rule could read.
_OBJECTS: tuple[tuple[str, ...], ...] = (
    (
        "Aide alimentaire aux familles en difficulté",
        "Fonctionnement de l'épicerie solidaire",
        "Distribution de colis alimentaires - campagne d'hiver {year}",
        "Accompagnement social des personnes en situation de précarité",
        "Lutte contre l'exclusion et accès aux droits",
        "Accueil de jour des personnes sans domicile",
    ),
    (
        "Hébergement d'urgence des personnes sans abri",
        "Fonctionnement de la pension de famille",
        "Aide à l'amélioration de l'habitat des propriétaires modestes",
        "Accompagnement vers le logement des jeunes",
        "Lutte contre l'habitat indigne à {place}",
    ),
    (
        "Maintien à domicile des personnes âgées",
        "Animation en EHPAD et lutte contre l'isolement des aînés",
        "Soutien aux proches aidants",
        "Bien vieillir à {place} : ateliers de prévention",
    ),
    (
        "Soutien scolaire et accompagnement à la scolarité",
        "Lutte contre l'illettrisme et alphabétisation des adultes",
        "Projet éducatif des accueils périscolaires",
        "Classes découvertes des écoles de {place}",
        "Formation des bénévoles",
    ),
    (
        "Chantier d'insertion espaces verts",
        "Accompagnement des demandeurs d'emploi vers le retour à l'emploi",
        "Insertion professionnelle des jeunes - Mission locale",
        "Aide à la création d'entreprise",
    ),
    (
        "Éducation à l'environnement dans les écoles",
        "Protection de la biodiversité et des zones humides",
        "Ressourcerie : réemploi et réduction des déchets",
        "Plan climat : transition énergétique des équipements",
        "Jardins partagés du quartier",
    ),
    (
        "Permis de conduire pour les personnes en insertion",
        "Transport solidaire en milieu rural",
        "Plateforme mobilité et location de véhicules",
    ),
    (
        "Festival de musique {year}",
        "Saison culturelle {year}-{next}",
        "Fonctionnement de l'école de musique",
        "Restauration du patrimoine bâti de {place}",
        "Organisation du tournoi de football des jeunes",
        "Aide au club sportif pour la saison {year}-{next}",
        "Fonctionnement de la médiathèque associative",
        "Spectacle de fin d'année et fête de quartier",
    ),
    (
        "Accueil de loisirs sans hébergement",
        "Fonctionnement de la crèche associative",
        "Actions de soutien à la parentalité",
        "Prévention spécialisée auprès des jeunes",
    ),
    (
        "Accessibilité des activités aux personnes handicapées",
        "Sport adapté et handisport",
        "Accompagnement des enfants autistes",
    ),
    (
        "Médiation numérique et accompagnement aux démarches en ligne",
        "Inclusion numérique des seniors",
    ),
    (
        "Accueil et accompagnement des réfugiés",
        "Cours de français langue étrangère pour primo-arrivants",
    ),
    (
        "Prévention santé et dépistage",
        "Centre de soins infirmiers",
        "Prévention des addictions chez les jeunes",
        "Don du sang : collectes {year}",
    ),
    (
        "Subvention de fonctionnement {year}",
        "Aide au fonctionnement",
        "Soutien à l'activité de l'association",
        "Subvention exceptionnelle",
        "Projet associatif {year}",
        "Aide au démarrage",
    ),
)
#: How often each group above is drawn (generic objects are a large share of real files).
_OBJECT_WEIGHTS = (9, 5, 5, 7, 6, 5, 2, 16, 6, 3, 2, 2, 4, 28)

_CONDITIONS = ("unique", "unique", "échelonné", "autre : sur justificatifs")


# ----------------------------------------------------------------------------- layouts
@dataclass(frozen=True)
class _Layout:
    """How a publisher writes its file: header, encoding, line ending, and cell styles."""

    columns: tuple[str, ...]
    encoding: str
    newline: str
    date: str  # iso | french | year
    amount: str  # dot | comma | float
    rna_column: bool  # False: an association without SIRET is identified by its RNA number


LAYOUTS: dict[str, _Layout] = {
    # schema 2.x, field names, as most portals export it
    "fields-2": _Layout(
        SCDL_COLUMNS[:16],  # the schema's fields up to dispositifAide, as the importer reads them
        "utf-8",
        "\n",
        "iso",
        "dot",
        True,
    ),
    # schema 1.x field titles, as the Département de Loire-Atlantique publishes them
    "titles-1": _Layout(
        (
            "Nom de l'attribuant",
            "Identification de l'attribuant",
            "Date de la convention de subvention",
            "Référence de la décision",
            "Nom du bénéficiaire",
            "Identification du bénéficiaire",
            "Objet de la subvention",
            "Montant total de la subvention",
            "Nature de la subvention",
            "Conditions de versement de la subvention",
            "Date ou période de versement",
            "Identifiant RAE de l’aide au titre de laquelle la subvention est attribuée",
            "Aide d'Etat notifiée à la Commission Européenne",
            "Pourcentage du montant total de la subvention attribuée au bénéficiaire",
        ),
        "utf-8",
        "\r\n",
        "year",
        "float",
        False,
    ),
    # schema 1.x field names from a French spreadsheet
    "fields-1-excel": _Layout(
        (
            "nomAttribuant",
            "idAttribuant",
            "dateConvention",
            "referenceDecision",
            "nomBeneficiaire",
            "idBeneficiaire",
            "objet",
            "montant",
            "nature",
            "conditionsVersement",
            "datesPeriodeVersement",
            "notificationUE",
            "pourcentageSubvention",
        ),
        "cp1252",
        "\r\n",
        "french",
        "comma",
        False,
    ),
}
_LAYOUT_WEIGHTS = {"fields-2": 5, "titles-1": 3, "fields-1-excel": 2}
#: The field each column of a layout holds (titles → schema field names).
_FIELD_OF_TITLE = {
    "Nom de l'attribuant": "nomAttribuant",
    "Identification de l'attribuant": "idAttribuant",
    "Date de la convention de subvention": "dateConvention",
    "Référence de la décision": "referenceDecision",
    "Nom du bénéficiaire": "nomBeneficiaire",
    "Identification du bénéficiaire": "idBeneficiaire",
    "Objet de la subvention": "objet",
    "Montant total de la subvention": "montant",
    "Nature de la subvention": "nature",
    "Conditions de versement de la subvention": "conditionsVersement",
    "Date ou période de versement": "datesPeriodeVersement",
    "Identifiant RAE de l’aide au titre de laquelle la subvention est attribuée": "idRAE",
    "Aide d'Etat notifiée à la Commission Européenne": "notificationUE",
    "Pourcentage du montant total de la subvention attribuée au bénéficiaire": (
        "pourcentageSubvention"
    ),
}


@dataclass(frozen=True)
class ScdlFile:
    """One written file: where, who published it, in which layout, and how many grants."""

    path: Path
    publisher: Publisher
    layout: str
    grants: int


# ----------------------------------------------------------------------------- writing
def write_scdl_files(
    folder: Path,
    grants: int,
    *,
    seed: int = 1,
    beneficiaries: Sequence[Beneficiary],
    departements: Iterable[str] = (),
    communes_per_departement: int = 1,
    first_year: int = 2017,
    last_year: int = 2025,
) -> list[ScdlFile]:
    """Write ``grants`` grants in one SCDL file per publishing authority into ``folder`` and
    return the files written (publishers that get no grant write none).

    ``departements`` keeps the publishers of those départements only (a région when one of
    its départements is kept), for a territory's benchmark; empty: all of France. Grants are
    shared among publishers in proportion to the population they serve (départements 55 %,
    communes 25 %, régions 20 %), each drawing its beneficiaries among ``beneficiaries`` of
    its territory. Deterministic for ``seed`` and the same beneficiaries."""
    if grants < 0:
        raise ValueError("grants: a number of grants, 0 or more")
    folder.mkdir(parents=True, exist_ok=True)
    kept = set(departements)
    chosen = [
        p
        for p in publishers(communes_per_departement)
        if not kept or kept.intersection(p.departements)
    ]
    pools = _Pools(beneficiaries)
    chosen = [p for p in chosen if pools.has_any(p)]
    counts = _shares(chosen, grants)
    written: list[ScdlFile] = []
    for publisher, count in zip(chosen, counts, strict=True):
        if count == 0:
            continue
        rng = random.Random(f"{seed}:{publisher.level}:{publisher.code}")
        layout = rng.choices(list(_LAYOUT_WEIGHTS), weights=list(_LAYOUT_WEIGHTS.values()))[0]
        path = folder / _file_name(publisher, last_year)
        _write_file(path, publisher, LAYOUTS[layout], count, rng, pools, (first_year, last_year))
        written.append(ScdlFile(path, publisher, layout, count))
    return written


_LEVEL_SHARE = {"departement": 0.55, "commune": 0.25, "region": 0.20}


def _shares(chosen: list[Publisher], grants: int) -> list[int]:
    """Each publisher's number of grants: its level's share split by population, rounded so
    that the numbers add up to ``grants`` exactly (largest remainders)."""
    levels = {p.level for p in chosen}
    level_total = sum(_LEVEL_SHARE[level] for level in levels) or 1.0
    population: dict[str, int] = defaultdict(int)
    for p in chosen:
        population[p.level] += max(p.population, 1)
    exact = [
        grants * _LEVEL_SHARE[p.level] / level_total * max(p.population, 1) / population[p.level]
        for p in chosen
    ]
    counts = [int(x) for x in exact]
    order = sorted(range(len(chosen)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: grants - sum(counts)]:
        counts[i] += 1
    return counts


def _file_name(publisher: Publisher, year: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", _ascii(publisher.name).lower()).strip("-")
    return f"{publisher.siren}_subventions-{slug}-{year}.csv"


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class _Pools:
    """The beneficiaries of each département and commune, associations apart, for drawing."""

    def __init__(self, beneficiaries: Sequence[Beneficiary]) -> None:
        self.by_departement: dict[tuple[str, bool], list[Beneficiary]] = defaultdict(list)
        self.by_commune: dict[tuple[str, bool], list[Beneficiary]] = defaultdict(list)
        for beneficiary in beneficiaries:
            key = beneficiary.association
            self.by_departement[(beneficiary.departement, key)].append(beneficiary)
            self.by_commune[(beneficiary.commune, key)].append(beneficiary)

    def has_any(self, publisher: Publisher) -> bool:
        return any(
            self.by_departement.get((d, a)) for d in publisher.departements for a in (True, False)
        )

    def for_publisher(
        self, publisher: Publisher, association: bool, rng: random.Random
    ) -> list[Beneficiary]:
        """The publisher's own order of the beneficiaries it may fund (a commune's own first,
        then the rest of its département): the head of the list is funded most often."""
        if publisher.level == "commune":
            own = list(self.by_commune.get((publisher.code, association), ()))
            rest = [
                b
                for b in self.by_departement.get((publisher.departements[0], association), ())
                if b.commune != publisher.code
            ]
            rng.shuffle(own)
            rng.shuffle(rest)
            return own + rest
        pool = [
            b for d in publisher.departements for b in self.by_departement.get((d, association), ())
        ]
        rng.shuffle(pool)
        return pool


def _draw(pool: list[Beneficiary], rng: random.Random) -> Beneficiary:
    """A skewed draw: the head of the pool gets many grants (the same association funded year
    after year), the tail a few."""
    return pool[int(len(pool) * rng.random() ** 2.5)]


def _write_file(
    path: Path,
    publisher: Publisher,
    layout: _Layout,
    count: int,
    rng: random.Random,
    pools: _Pools,
    years: tuple[int, int],
) -> None:
    associations = pools.for_publisher(publisher, True, rng)
    others = pools.for_publisher(publisher, False, rng)
    object_groups = list(range(len(_OBJECTS)))
    communes = geography().communes
    # places the objects name ("Classes découvertes des écoles de …"): where its most
    # funded beneficiaries are
    funded = sorted({b.commune for b in (associations or others)[:50]})
    place_names = [communes[code].name for code in funded]
    fields = [_FIELD_OF_TITLE.get(c, c) for c in layout.columns]
    with path.open("w", encoding=layout.encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator=layout.newline)
        writer.writerow(layout.columns)
        for number in range(count):
            use_association = not others or (associations and rng.random() < 0.8)
            beneficiary = _draw(associations if use_association else others, rng)
            year = rng.randint(*years)
            group = rng.choices(object_groups, weights=_OBJECT_WEIGHTS)[0]
            place = rng.choice(place_names)
            objet = rng.choice(_OBJECTS[group]).format(year=year, next=year + 1, place=place)
            row = _row(publisher, layout, beneficiary, objet, year, number, rng)
            writer.writerow([row.get(f, "") for f in fields])


def _row(
    publisher: Publisher,
    layout: _Layout,
    beneficiary: Beneficiary,
    objet: str,
    year: int,
    number: int,
    rng: random.Random,
) -> dict[str, str]:
    """One grant's cells, by schema field, in the layout's styles."""
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    amount = _amount(rng)
    identifier = beneficiary.siret or ""
    if not identifier and not layout.rna_column:
        identifier = beneficiary.rna or ""
    row = {
        "nomAttribuant": publisher.name,
        "idAttribuant": publisher.siret,
        "dateConvention": _date(layout.date, year, month, day),
        "referenceDecision": f"{_decision_prefix(publisher)}-{year}-{number % 997 + 1:03d}",
        "nomBeneficiaire": beneficiary.name,
        "idBeneficiaire": identifier,
        "objet": objet,
        "montant": _amount_text(layout.amount, amount),
        "nature": "aide en numéraire" if rng.random() < 0.97 else "aide en nature",
    }
    if layout.rna_column:
        row["rnaBeneficiaire"] = beneficiary.rna or ""
    if layout.date == "year":  # as Loire-Atlantique: the year paid, the share of the total
        row["datesPeriodeVersement"] = str(year)
        row["pourcentageSubvention"] = "1"
    elif rng.random() < 0.3:
        row["conditionsVersement"] = rng.choice(_CONDITIONS)
        row["notificationUE"] = "non"
    return row


def _decision_prefix(publisher: Publisher) -> str:
    return {"departement": "CP", "region": "CR", "commune": "DEL"}[publisher.level]


def _amount(rng: random.Random) -> int:
    """Euros, log-normal around 2,000 € (a few grants of several hundred thousand), rounded
    as councils vote them."""
    value = rng.lognormvariate(7.6, 1.3)
    step = 10 if value < 2_000 else 100 if value < 50_000 else 1_000
    return max(50, min(2_000_000, round(value / step) * step))


def _amount_text(style: str, euros: int) -> str:
    if style == "float":
        return f"{euros}.0"
    if style == "comma":
        return f"{euros:,}".replace(",", " ") + ",00"
    return f"{euros}.00"


def _date(style: str, year: int, month: int, day: int) -> str:
    if style == "year":
        return str(year) if day % 3 else f"{year}-{month:02d}-{day:02d}"
    if style == "french":
        return f"{day:02d}/{month:02d}/{year}"
    return f"{year}-{month:02d}-{day:02d}"


def grant_total(files: Iterable[ScdlFile]) -> int:
    """The grants written in ``files`` (what an import must report as partnerships)."""
    return sum(f.grants for f in files)
