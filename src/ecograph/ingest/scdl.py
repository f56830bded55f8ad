"""SCDL "subventions" files (the open-data standard for grants by local authorities), and
lists of voted grants without a funder column.

Fields (schema 1.x to 2.1): nomAttribuant, idAttribuant, dateConvention, referenceDecision,
nomBeneficiaire, idBeneficiaire, rnaBeneficiaire, objet, montant, nature,
conditionsVersement, datesPeriodeVersement, idRAE, notificationUE, pourcentageSubvention,
dispositifAide, multiFinanceur — a header may use these names or the schema's titles ("Nom
de l'attribuant", "Montant total de la subvention"), in any case, with or without accents.
Each row is one grant: a funding partnership funder → beneficiary with its amount and date.
Funders and beneficiaries are actors identified by SIREN (the first 9 digits of their
SIRET), merged with actors already in the store; a beneficiary given by RNA number or by name
only is kept too.

Nothing real is lost (unless ``strict``): a grant without an amount is a funding tie without
one; an invalid or Excel-rounded identifier is kept as a ``skos:note`` and the actor is found
by name; a funder whose name designates a local authority (``places.authority_named``) is
that authority's node; a funder named alike with several SIRENs is one actor; a row split by
separators inside values that are not in quotes is put back together by its typed columns
(``repair_row``). Every such step is an assumption of the import summary. A grant list
without a funder column takes its funder from ``--funder`` (``resolve_funder``), and each
filled amount column becomes one grant with the column's nature.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ecograph.domain_rules import DomainRules, Evidence, Keyword
from ecograph.ingest.conversion import ActorDraft, Conversion, LineSink, Reject, RowProblem
from ecograph.ingest.guess import guess_type
from ecograph.ingest.inferred_domains import inferred_lines
from ecograph.ingest.mapping import Mapping
from ecograph.ingest.merge import StoreIndex
from ecograph.ingest.places import (
    Authority,
    PlaceProblem,
    authority_named,
    authority_of_code,
    commune_iri,
    commune_named,
    resolve_commune,
)
from ecograph.ingest.readers import Table
from ecograph.ingest.row_fields import Fields, _cached_date, _cached_decimal, each_row
from ecograph.ingest.synonyms import concept_iri, default_sectors
from ecograph.ingest.tabular import T, _local_iri
from ecograph.ingest.values import (
    ValueProblem,
    decimal_lexical,
    is_missing,
    looks_like_rna,
    parse_amount,
    parse_decimal,
    read_organisation_id,
    read_rna,
    read_siren,
)
from ecograph.name_keys import name_key
from ecograph.namespaces import PREFIXES
from ecograph.rdfterms import nt_iri, nt_literal

SCDL_COLUMNS = (
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
    "multiFinanceur",
    # the 2017 decree's annex, published by the first files (schema 1.x)
    "montantPret",
    "montantGarantie",
    "avantagesNature",
    "estimationAvantagesNature",
)
#: The fields the data model has no property for, kept on the grant as ``skos:note`` lines
#: "label (field): value", so nothing a file says is lost and a query can still find them.
NOTE_FIELDS = {
    "conditionsVersement": "conditions de versement",
    "datesPeriodeVersement": "date ou période de versement",
    "idRAE": "identifiant RAE de l'aide",
    "notificationUE": "aide d'État notifiée à la Commission européenne",
    "pourcentageSubvention": "part du montant total attribuée au bénéficiaire",
    "dispositifAide": "dispositif d'aide",
    "multiFinanceur": "plusieurs financeurs",
    "montantPret": "montant du prêt",
    "montantGarantie": "montant de la garantie",
    "avantagesNature": "avantages en nature",
    "estimationAvantagesNature": "estimation des avantages en nature",
}
#: Positions of the columns kept as notes are named ``extra:N``.
EXTRA = "extra:"
#: Amounts of the 2017 annex: in a grant list without an SCDL ``montant`` column, each is
#: an amount column like any other (one grant per filled column).
_ANNEX_AMOUNTS = ("montantPret", "montantGarantie", "estimationAvantagesNature")
#: The schema's field titles (versions 1.x to 2.1) and their usual variants, as name keys
#: without spaces: a header may use them instead of the field names.
_TITLES: dict[str, tuple[str, ...]] = {
    "nomAttribuant": ("nomdelattribuant", "nomattribuant", "attribuant"),
    "idAttribuant": (
        "identificationdelattribuant",
        "identifiantdelattribuant",
        "siretdelattribuant",
        "siretattribuant",
    ),
    "dateConvention": (
        "datedelaconventiondesubvention",
        "datedelaconvention",
        "dateconventiondesubvention",
        "datedeconvention",
    ),
    "referenceDecision": ("referencedeladecision", "referencedecision"),
    "nomBeneficiaire": ("nomdubeneficiaire", "nombeneficiaire", "raisonsocialedubeneficiaire"),
    "idBeneficiaire": (
        "identificationdubeneficiaire",
        "identifiantdubeneficiaire",
        "siretdubeneficiaire",
        "siretbeneficiaire",
    ),
    "rnaBeneficiaire": ("rnadubeneficiaire", "numerornadubeneficiaire", "identifiantrna"),
    "objet": ("objetdelasubvention", "objetsubvention"),
    "montant": ("montanttotaldelasubvention", "montantdelasubvention", "montanttotal"),
    "nature": ("naturedelasubvention", "naturesubvention"),
    "conditionsVersement": ("conditionsdeversementdelasubvention", "conditionsdeversement"),
    "datesPeriodeVersement": (
        "dateouperiodedeversement",
        "datesouperiodedeversement",
        "periodedeversement",
        "datesdeversement",
    ),
    "idRAE": ("identifiantrae",),
    "notificationUE": ("aidedetatnotifiee", "notificationue"),
    "pourcentageSubvention": ("pourcentagedumontanttotal", "pourcentagedelasubvention"),
    "dispositifAide": ("dispositifdaide", "dispositifaide"),
    "multiFinanceur": ("multifinanceur", "multifinanceurs", "financementmultiple"),
    "montantPret": ("montantdupret", "montantpret"),
    "montantGarantie": ("montantdelagarantie", "montantgarantie"),
    "avantagesNature": ("detaildesavantagesennature", "avantagesennature"),
    "estimationAvantagesNature": ("estimationdesavantagesennature",),
}
#: Titles this long are often cut or extended by publishers: a header starting with one
#: is that field ("Identifiant RAE de l'aide au titre de laquelle…").
_TITLE_STARTS = {
    "idRAE": "identifiantrae",
    "notificationUE": "aidedetatnotifiee",
    "pourcentageSubvention": "pourcentagedumontant",
}
_PARENTHESIS = re.compile(r"\([^)]*\)")
_XSD = PREFIXES["xsd"]


def _header_key(column: str) -> str:
    """A header as compared: no case, accents, punctuation, spaces or "(SIRET)" remark."""
    return name_key(_PARENTHESIS.sub(" ", column)).replace(" ", "")


def scdl_positions(columns: list[str]) -> dict[str, int]:
    """SCDL field → the position of its column, for headers written with the schema's field
    names or titles, in any case, with or without accents (the first column of a field wins)."""
    wanted: dict[str, str] = {}
    for field_name in SCDL_COLUMNS:
        wanted.setdefault(field_name.lower(), field_name)
        for title in _TITLES.get(field_name, ()):
            wanted.setdefault(title, field_name)
    positions: dict[str, int] = {}
    for position, column in enumerate(columns):
        key = _header_key(column)
        found = wanted.get(key)
        if found is None:
            found = next((f for f, start in _TITLE_STARTS.items() if key.startswith(start)), None)
        if found is not None and found not in positions:
            positions[found] = position
    return positions


def looks_like_scdl(columns: list[str]) -> bool:
    """A table with the SCDL's key columns (by field name or title, any case or accents)."""
    found = scdl_positions(columns)
    return {"nomAttribuant", "montant"} <= set(found) and bool(
        {"nomBeneficiaire", "idBeneficiaire"} & set(found)
    )


@dataclass
class _Grant:
    key: str
    funder: ActorDraft
    beneficiary: ActorDraft
    amount: str | None
    date: str | None
    reference: str | None
    description: str | None
    notes: tuple[str, ...] = ()
    objet: str | None = None
    nature: str | None = None
    #: Domains inferred from the object and nature (or the beneficiary's name).
    domains: dict[str, Evidence] = field(default_factory=dict)


@dataclass(frozen=True)
class FunderChoice:
    """The funder ``--funder`` names for a grant list without a funder column."""

    name: str
    siren: str | None = None
    authority: Authority | None = None


def resolve_funder(text: str) -> FunderChoice:
    """``--funder SIREN|SIRET|INSEE code|name`` → the funder: a local authority when the code
    or the name designates one, else an actor with that SIREN, else an actor by that name."""
    raw = text.strip()
    if not raw:
        raise ValueError("--funder is empty; give a SIREN, an INSEE code or a name")
    compact = raw.replace(" ", "")
    authority = authority_of_code(raw) if any(c.isdigit() for c in compact[:3]) else None
    if authority is None and not compact.isdigit():
        authority = authority_named(raw)
    if authority is not None:
        return FunderChoice(authority.label, authority.siren, authority)
    if compact.isdigit() and len(compact) in (9, 14):
        try:
            siren, _ = read_siren(compact)
        except ValueProblem as err:
            raise ValueError(f"--funder {raw}: {err}") from None
        departement = _departement_of_siren(siren)
        if departement is not None:
            return FunderChoice(departement.label, siren, departement)
        return FunderChoice("", siren)  # named by the store, or known by its SIREN alone
    if compact.isdigit():
        raise ValueError(
            f"--funder {raw}: expected a SIREN (9 digits), a SIRET (14), the INSEE code of a "
            "commune (5) or a département (2–3), or a name"
        )
    return FunderChoice(raw)


def _departement_of_siren(siren: str) -> Authority | None:
    """A département's council by its SIREN: "22", the département's code, then zeros
    (224400028 is Loire-Atlantique's, 229740014 La Réunion's); None for any other SIREN."""
    if not siren.startswith("22"):
        return None
    for code in (siren[2:5], siren[2:4]):
        if siren[2 + len(code) : 4 + len(code)] == "00":
            found = authority_of_code(code) if code.isdigit() else None
            if found is not None and found.level == "departement":
                return found
    return None


#: Natures of a list's amount columns that are not money given: a loan guarantee commits the
#: funder to pay only if the borrower defaults, a loan is paid back. Their figures are notes on
#: the funding tie, as the SCDL schema's annex fields are, never summed with grants.
_NOT_GIVEN = frozenset({"garantie d'emprunt", "prêt"})
_NATURES = (
    ("fonctionnement", "subvention de fonctionnement"),
    ("investissement", "subvention d'investissement"),
    ("garantie", "garantie d'emprunt"),
    ("pret", "prêt"),
    ("avance", "avance remboursable"),
    ("nature", "aide en nature"),
    ("exceptionnel", "subvention exceptionnelle"),
)
#: Words of a grant list's columns (name keys, no spaces) when it has no SCDL header.
_LIST_FIELDS: dict[str, tuple[str, ...]] = {
    "nomBeneficiaire": (
        "beneficiaire",
        "nomdubeneficiaire",
        "association",
        "nomdelassociation",
        "organisme",
        "raisonsociale",
        "structure",
        "nom",
        "denomination",
        "tiers",
    ),
    "idBeneficiaire": ("siret", "siren", "nsiret", "numerosiret", "nsiren", "numerosiren"),
    "rnaBeneficiaire": ("rna", "nrna", "numerorna"),
    "postcode": ("codepostal", "cp", "codepostaldubeneficiaire", "codepostalbeneficiaire"),
    "commune": (
        "commune",
        "ville",
        "localite",
        "communedubeneficiaire",
        "villedubeneficiaire",
        "communebeneficiaire",
    ),
    "address": (
        "adresse",
        "adressedubeneficiaire",
        "adressebeneficiaire",
        "adressepostale",
        "adressecomplete",
    ),
    "objet": (
        "objet",
        "objetdelademande",
        "projet",
        "intitule",
        "libelle",
        "descriptif",
        "description",
        "action",
    ),
    "dateConvention": ("date", "datedevote", "datedeladecision", "annee", "exercice"),
    "referenceDecision": ("deliberation", "decision", "ndeliberation"),
}
#: A name column written out in full: «Nom de l'organisme bénéficiaire», «Nom de la structure
#: bénéficiaire», «Raison sociale du tiers» (budget annexes list grants this way).
_BENEFICIARY_NAME = re.compile(
    r"^(nom|raisonsociale|denomination)(de|du|des)?(l|la|le)?"
    r"(organisme|structure|association|tiers|beneficiaire|personne)\w*$"
)
_AMOUNT_WORDS = re.compile(
    r"montant|subvention|fonctionnement|investissement|garantie|pret|somme|vote|attribue"
    r"|accorde|aide|euros?$"
)


_TOTAL_WORDS = re.compile(r"total|cumul")
#: The end of a French postal address: «… 94120 Fontenay-sous-Bois», «BP13 94161 Saint-Mandé
#: Cedex», «- 79000 NIORT»; or the town first: «NIORT 79000».
#: Both read a stripped cell, greedily: linear in its length, however long its runs of spaces.
_ADDRESS_TOWN = re.compile(r"(?<![\d.,])(?P<postcode>\d{5})\s*-?\s*(?P<town>[^\d,;]+)$")
_TOWN_THEN_POSTCODE = re.compile(r"^(?P<town>[^\d,;]*[^\d,;\s])\s+(?P<postcode>\d{5})$")


def _place_positions(table: Table, positions: dict[str, int]) -> dict[str, int]:
    """An SCDL file with the beneficiary's postcode, town or address besides the schema's
    fields (some aggregated files add them): those columns place the beneficiary."""
    found = dict(positions)
    for position, column in enumerate(table.columns):
        key = _header_key(column)
        for field_name in ("postcode", "commune", "address"):
            taken = field_name in found or position in found.values()
            if not taken and key in _LIST_FIELDS[field_name]:
                found[field_name] = position
    return found


#: Headers that name the beneficiary as such; «nom», «structure», «association» name it only
#: when nothing better does (the column order decides between those).
_NAMED_BENEFICIARY = frozenset({"beneficiaire", "nomdubeneficiaire"})


def _ranks(field_name: str, key: str, words: tuple[str, ...]) -> list[int]:
    """How well a header key names a list field (lower is better): for the beneficiary, a
    header that says «bénéficiaire» before any other; for the other fields, the key's place
    among the field's words."""
    if field_name != "nomBeneficiaire":
        return [words.index(key)] if key in words else []
    if _BENEFICIARY_NAME.match(key) or key in _NAMED_BENEFICIARY:
        return [0]
    return [1] if key in words else []


def _list_positions(table: Table, positions: dict[str, int]) -> tuple[dict[str, int], list[int]]:
    """A grant list without a funder column: its beneficiary, place and text columns, and
    every amount column (a header about money whose filled cells are numbers)."""
    found = dict(positions)
    keys = [_header_key(column) for column in table.columns]
    for field_name, words in _LIST_FIELDS.items():
        if field_name in found:
            continue
        # The header that names the field best, not the first that names it: in «nom;
        # prenom;groupe;beneficiaire» (a list naming who proposed each grant) «nom» is a
        # person's name and «beneficiaire» the beneficiary.
        ranked = [
            (rank, position)
            for position, key in enumerate(keys)
            if position not in found.values()
            for rank in _ranks(field_name, key, words)
        ]
        if ranked:
            found[field_name] = min(ranked)[1]
    if "montant" in found:  # SCDL-shaped: its amount is the grant; loans etc. become notes
        return found, [found.pop("montant")]
    for field_name in _ANNEX_AMOUNTS:  # "Montant du prêt" in a list is one of its amounts
        found.pop(field_name, None)
    taken = set(found.values())
    amounts = [
        p
        for p, column in enumerate(table.columns)
        if p not in taken and _AMOUNT_WORDS.search(_header_key(column)) and _numbers(table, p)
    ]
    parts = [p for p in amounts if not _TOTAL_WORDS.search(_header_key(table.columns[p]))]
    return found, parts or amounts  # a "total" beside its parts would count twice


def _total_positions(table: Table, amounts: list[int]) -> list[int]:
    """The amount columns a list totals its grants in, beside the ones it details them in
    («Total des subventions» beside «Détail des subventions»)."""
    return [
        p
        for p, column in enumerate(table.columns)
        if p not in amounts
        and _TOTAL_WORDS.search(_header_key(column))
        and _AMOUNT_WORDS.search(_header_key(column))
        and _numbers(table, p)
    ]


@dataclass
class _Subtotals:
    """What :func:`_subtotal_rows` found: rows that only total a beneficiary's grants
    (``skipped``), total rows with no detail row (``alone``: the total is the grant), and
    total rows their details do not add up to (``wrong``)."""

    skipped: set[int] = field(default_factory=set)
    alone: set[int] = field(default_factory=set)
    wrong: set[int] = field(default_factory=set)


def _subtotal_rows(
    table: Table, positions: dict[str, int], amounts: list[int], totals: list[int]
) -> _Subtotals:
    """The rows of a list that give a beneficiary's total and no detail.

    The State's lists of subsidised associations give each association a row with its total,
    and one row per budget line with its amount; sorted by name, associations of one name
    have their total rows first, then their detail rows. A total row is no grant of its own:
    it is skipped when the detail rows of the same beneficiary (by identifier, else by name)
    add up to it. A total with no detail row is the one figure given: it is the grant. A
    total its details do not add up to is kept, so nothing is lost, and the difference said.
    """
    found = _Subtotals()
    key_at = positions.get("idBeneficiaire", positions.get("nomBeneficiaire"))
    if not totals or not amounts or key_at is None:
        return found

    def cell(cells: list[str], p: int) -> str:
        return cells[p].strip() if p < len(cells) else ""

    def amount(cells: list[str], at: list[int]) -> Decimal | None:
        try:
            read = [parse_amount(cell(cells, p)) for p in at if cell(cells, p)]
        except ValueProblem:
            return None
        return sum((a for a in read if a is not None), Decimal(0))

    heads: dict[str, list[tuple[int, Decimal | None]]] = {}
    details: dict[str, list[Decimal | None]] = {}
    for number, cells in table.rows:
        key = cell(cells, key_at)
        if any(cell(cells, p) for p in amounts):
            details.setdefault(key, []).append(amount(cells, amounts))
        elif any(cell(cells, p) for p in totals):
            heads.setdefault(key, []).append((number, amount(cells, totals)))
    for key, rows in heads.items():
        numbers = {number for number, _ in rows}
        parts = details.get(key, [])
        if not parts:
            (found.alone if len(rows) == 1 else found.wrong).update(numbers)
        elif (
            None not in parts
            and all(total is not None for _, total in rows)
            and sum((p for p in parts if p is not None), Decimal(0))
            == sum((t for _, t in rows if t is not None), Decimal(0))
        ):
            found.skipped.update(numbers)
        else:
            found.wrong.update(numbers)
    return found


def is_grant_table(table: Table, *, funder_given: bool) -> bool:
    """Whether a table is SCDL (by its header), or, when the funder is given, a grant list:
    a beneficiary column and at least one amount column."""
    if looks_like_scdl(table.columns):
        return True
    if not funder_given:
        return False
    positions, amounts = _list_positions(table, scdl_positions(table.columns))
    return bool(amounts) and bool({"nomBeneficiaire", "idBeneficiaire"} & set(positions))


def _numbers(table: Table, position: int) -> bool:
    """Whether a column's filled cells (at least one) are amounts, nine in ten at least."""
    filled = bad = 0
    for _, cells in table.rows:
        if position < len(cells) and not is_missing(cells[position]):
            filled += 1
            try:
                parse_decimal(cells[position])
            except ValueProblem:
                bad += 1
    return filled > 0 and bad * 10 <= filled


def _nature_of(column: str) -> str:
    key = name_key(column)
    return next((nature for word, nature in _NATURES if word in key), column.strip())


def convert_scdl(
    table: Table,
    index: StoreIndex,
    source: str,
    *,
    tick: Callable[[int], None] | None = None,
    out: LineSink | None = None,
    strict: bool = False,
    funder: FunderChoice | None = None,
    rules: DomainRules | None = None,
) -> Conversion:
    """Convert SCDL rows (or a grant list with ``funder``); lines are written once funder
    and beneficiary have their IRIs. With ``rules``, each grant's domains are inferred from
    its object and nature (else its beneficiary's name), and a domain an object gives is
    inferred for the beneficiary too, through that grant.

    Unless ``strict``, nothing real is lost: a grant without an amount is a funding tie
    without one; an invalid or untrusted identifier is kept as a note and the actor is found
    by name; a local authority is recognised by name; a funder named the same with several
    SIRETs is one actor. Each of these is an assumption of the summary. ``strict`` refuses
    such rows, as earlier versions did."""
    conversion = Conversion(kind="scdl subsidies", lines=out if out is not None else [])
    positions = scdl_positions(table.columns)
    amounts: list[int] = []
    no_funder_column = "nomAttribuant" not in positions and "idAttribuant" not in positions
    if no_funder_column:
        positions, amounts = _list_positions(table, positions)
        for position in amounts:
            positions[f"amount:{position}"] = position
        needed = [] if amounts else ["montant"]
        if funder is None:
            needed.insert(0, "nomAttribuant (or name the funder with --funder)")
    else:
        needed = ["montant"] if "montant" not in positions else []
        positions = _place_positions(table, positions)
    if "nomBeneficiaire" not in positions and "idBeneficiaire" not in positions:
        needed.append("nomBeneficiaire")
    if needed:
        conversion.rejects.append(
            Reject(1, None, None, f"an SCDL subsidy file needs the column(s) {', '.join(needed)}")
        )
        return conversion
    used = set(positions.values())
    kept = [(i, c) for i, c in enumerate(table.columns) if i not in used and c.strip()]
    for position, _ in kept:  # nothing is dropped: their values are notes on each grant
        positions[f"{EXTRA}{position}"] = position
    if kept:
        conversion.note(
            "columns with no place in the data model, kept as notes on each grant "
            f"(«column : value»): {', '.join(c for _, c in kept)}",
            0,
        )
    table = _repaired(table, positions, conversion, strict=strict)
    if no_funder_column and "objet" not in positions and "nomBeneficiaire" in positions:
        table = _projects_named_in_names(table, positions, conversion)
    total_cells = _total_positions(table, amounts) if no_funder_column else []
    subtotals = _subtotal_rows(table, positions, amounts, total_cells)
    for position in total_cells:  # read as an amount where a total is the only figure
        positions[f"amount:{position}"] = position
    fields = Fields(table, positions, Mapping(), conversion)
    reader = _Rows(conversion, index.base, strict=strict, funder=funder)
    reader.funder_sirens = _funder_sirens(table, positions) if funder is None else {}
    grants: list[_Grant] = []
    occurrences: Counter[str] = Counter()
    amount_cells = amounts or [positions[f] for f in ("montant",) if f in positions]
    totals = _UnwordedTotals(amount_cells)
    for number, cells in each_row(table, conversion, fields, tick=tick):
        row_amounts = amounts
        if number in subtotals.skipped:
            conversion.rows_skipped += 1
            conversion.note(
                "a row giving a beneficiary's total and no detail, whose detail rows add up "
                "to it: a subtotal, skipped",
                number,
            )
            continue
        if number in subtotals.alone:
            row_amounts = total_cells
            conversion.note(
                "a row giving a beneficiary's total and no detail, with no detail row for "
                "this beneficiary: the total is imported as its grant",
                number,
            )
        if number in subtotals.wrong:
            conversion.note(
                "a row giving a beneficiary's total and no detail, whose detail rows do not "
                "add up to it: kept as a funding tie without an amount, its total as a note",
                number,
            )
        if totals.is_total(cells):
            conversion.rows_skipped += 1
            conversion.note(
                "a row holding only an amount, the sum of the grants above it: a total "
                "without the word, skipped",
                number,
            )
            continue
        try:
            found = reader.grants(fields, row_amounts)
        except RowProblem as err:
            conversion.rejects.append(Reject(number, err.column, err.value, err.problem, cells))
            continue
        totals.add(found)
        for grant in found:
            occurrences[grant.key] += 1
            if occurrences[grant.key] > 1:
                conversion.note(
                    "the same grant appears again (same funder, beneficiary, decision, amount, "
                    "date and object): kept as another grant",
                    number,
                )
                grant.key += f"-{occurrences[grant.key]}"
            grants.append(grant)
    if rules is not None:
        _infer_domains(grants, rules, base=index.base, source=source)

    def finish() -> None:
        base = index.base
        funding = nt_iri(concept_iri("partnership_type", "funding"))
        lines = conversion.lines
        reasons: set[str] = set()  # shared domain evidence already written
        for grant in grants:
            iri = _local_iri(base, "partnership", source, grant.key)
            s = nt_iri(iri)
            funder_nt, beneficiary = nt_iri(grant.funder.iri), nt_iri(grant.beneficiary.iri)
            lines.extend(
                [
                    f"{s} {T['type']} {T['Partnership']} .",
                    f"{s} {T['partnershipType']} {funding} .",
                    f"{s} {T['partner']} {funder_nt} .",
                    f"{s} {T['partner']} {beneficiary} .",
                    f"{s} {T['funder']} {funder_nt} .",
                    f"{s} {T['beneficiary']} {beneficiary} .",
                ]
            )
            if grant.amount is not None:
                amount = nt_literal(grant.amount, datatype=_XSD + "decimal")
                lines.append(f"{s} {T['amount']} {amount} .")
                lines.append(f"{s} {T['currency']} {nt_literal('EUR')} .")
            if grant.date:
                lines.append(f"{s} {T['start']} {nt_literal(grant.date, datatype=_XSD + 'date')} .")
            if grant.reference:
                lines.append(f"{s} {T['identifier']} {nt_literal(grant.reference)} .")
            if grant.description:
                lines.append(f"{s} {T['description']} {nt_literal(grant.description, lang='fr')} .")
            lines.extend(f"{s} {T['note']} {nt_literal(note, lang='fr')} ." for note in grant.notes)
            if not grant.domains and rules is not None and grant.beneficiary.known_domains:
                grant.domains = _beneficiary_domains(grant.beneficiary)
            if grant.domains and rules is not None:
                lines.extend(
                    inferred_lines(
                        iri,
                        grant.domains,
                        kind="partnership",
                        source=source,
                        base=base,
                        rules=rules,
                        written=reasons,
                    )
                )
        conversion.partnerships = len(grants)

    if grants:
        euros = [Decimal(g.amount) for g in grants if g.amount is not None]
        total = f"{sum(euros, Decimal(0)):,.2f}".replace(",", " ")
        without = len(grants) - len(euros)
        conversion.note(
            f"grants: {len(grants):,}, {total} € in all"
            + (f"; {without:,} without an amount" if without else ""),
            0,
        )
    conversion.finish = finish
    return conversion


class _UnwordedTotals:
    """Totals a file writes without a word saying so (Montpellier's list ends «;;;19 256 523
    €»): a row whose only filled cells are amounts that add up to the grants above it, since
    the last such row or from the start. Anything else in the row, or another sum, and it is
    a grant like the others (one without a beneficiary is still real money)."""

    def __init__(self, positions: list[int]) -> None:
        self.positions = frozenset(positions)
        self.since_last = Decimal(0)
        self.in_all = Decimal(0)

    def is_total(self, cells: list[str]) -> bool:
        filled = [i for i, cell in enumerate(cells) if cell.strip()]
        if not filled or not self.in_all or not self.positions.issuperset(filled):
            return False
        try:
            found = [parse_amount(cells[i]) for i in filled]
        except ValueProblem:
            return False
        amount = sum((a for a in found if a is not None), Decimal(0))
        if amount in (self.since_last, self.in_all):
            self.since_last = Decimal(0)
            return True
        return False

    def add(self, grants: list[_Grant]) -> None:
        amount = sum((Decimal(g.amount) for g in grants if g.amount is not None), Decimal(0))
        self.since_last += amount
        self.in_all += amount


def _infer_domains(grants: list[_Grant], rules: DomainRules, *, base: str, source: str) -> None:
    """Each grant's domains; those its object or nature gives go to its beneficiary too
    (the first grant that gives a domain is the one its evidence names)."""
    for grant in grants:
        # a local authority's name is a place («Neuilly-l'Hôpital»), not what it does
        named = None if grant.beneficiary.authority else grant.beneficiary.name
        grant.domains = rules.grant_evidence(
            objet=grant.objet, nature=grant.nature, beneficiary=named
        )
        via = _local_iri(base, "partnership", source, grant.key)
        for domain, evidence in grant.domains.items():
            if evidence.place in ("objet", "nature"):
                grant.beneficiary.inferred.setdefault(
                    domain, Evidence(domain, evidence.keyword, "subvention reçue", via)
                )


def _beneficiary_domains(beneficiary: ActorDraft) -> dict[str, Evidence]:
    """A grant that says nothing of its domain (no object, a name without keyword) funds
    what its beneficiary is known to work on: stated by a source, or inferred from its
    register codes or purpose when that source was imported."""
    return {
        domain: Evidence(domain, Keyword.code(domain, beneficiary.name), "bénéficiaire")
        for domain in sorted(beneficiary.known_domains)
    }


def _funder_sirens(table: Table, positions: dict[str, int]) -> dict[str, str]:
    """Each funder name → the SIREN most of its rows give (a funder is one actor by name)."""
    name_at, id_at = positions.get("nomAttribuant"), positions.get("idAttribuant")
    if name_at is None or id_at is None:
        return {}
    seen: dict[str, Counter[str]] = {}
    for _, cells in table.rows:
        if max(name_at, id_at) >= len(cells):
            continue
        key = name_key(cells[name_at])
        if not key:
            continue
        found = _identifier(cells[id_at])
        if found.value and not found.problem and not looks_like_rna(found.value):
            seen.setdefault(key, Counter())[found.value] += 1
    return {key: counts.most_common(1)[0][0] for key, counts in seen.items()}


_PERIOD = re.compile(r"^\s*(\S+?)\s*(?:/|_|\s+au\s+|\s+-\s+)\s*(\S+)\s*$", re.IGNORECASE)


def _period_start(text: str) -> str | None:
    """The first day of a period written "2017-10-06/2018-06-30", "2018-04-01_2018-12-31" or
    "01/03/2019 au 30/06/2019" (ISO), or None."""
    match = _PERIOD.match(text)
    if not match:
        return None
    try:
        return _cached_date(match[1]).isoformat()
    except ValueProblem:
        return None


@dataclass(frozen=True)
class _Id:
    """An identifier cell read: SIREN or RNA, the SIRET it came from, what was assumed, or
    why it cannot be trusted."""

    value: str | None = None
    siret: str | None = None
    note: str | None = None
    problem: str | None = None


def _identifier(raw: str) -> _Id:
    """An identifier cell, with Excel's leading or trailing apostrophes and spaces removed; a
    number Excel rounded (scientific notation, a SIRET whose NIC is 00000) is not trusted, and
    an invalid one (Luhn key, length) neither."""
    text = raw.strip().strip("'’‘`\"").strip()
    if not text:
        return _Id()
    if looks_like_rna(text):
        try:
            return _Id(read_rna(text))
        except ValueProblem as err:
            return _Id(problem=str(err))
    try:
        found = read_organisation_id(raw.strip())  # it says which quotes it removed
    except ValueProblem as err:  # rounded by a spreadsheet, a wrong check digit, not digits
        return _Id(problem=str(err))
    notes = [*(["SIRET cut to its SIREN"] if found.siret else []), *found.notes]
    return _Id(found.siren, found.siret, "; ".join(notes) or None)


#: Past this many, what is listed row by row (repairs, identifiers) is counted instead, so a
#: large file's summary and source description stay readable.
_LISTED = 200


def _listed(conversion: Conversion, listed: Counter[str], text: str, more: str, row: int) -> None:
    """A note listed on its own, the first ``_LISTED`` times of its kind (``more``), then
    counted under ``more``; ``listed`` counts each kind."""
    if text in conversion.notes or listed[more] < _LISTED:
        if text not in conversion.notes:
            listed[more] += 1
        conversion.note(text, row)
    else:
        conversion.note(more, row)


_TYPE_OF_LEVEL = {
    "departement": "departement",
    "region": "region",
    "commune": "commune",
    "epci": "epci",
}


class _Rows:
    """Reads one row's funder, beneficiary and grant(s)."""

    def __init__(
        self, conversion: Conversion, base: str, *, strict: bool, funder: FunderChoice | None
    ) -> None:
        self.conversion = conversion
        self.base = base
        self.strict = strict
        self.funder = funder
        self.funder_sirens: dict[str, str] = {}
        self.listed: Counter[str] = Counter()
        #: The row's amount cells that do not read as amounts, as published: notes on its grants.
        self.unread: list[str] = []

    def grants(self, fields: Fields, amounts: list[int]) -> list[_Grant]:
        conversion = self.conversion
        funder = self._funder(fields)
        beneficiary = self._party(
            fields, "beneficiary", "nomBeneficiaire", "idBeneficiaire", funder=funder
        )
        if funder is beneficiary:
            raise fields.problem(
                "idBeneficiaire",
                fields.text("idBeneficiaire") or "",
                "the beneficiary is the funder itself (same identifier and name); a grant "
                "ties two actors",
            )
        date = self._date(fields)
        objet, nature = fields.text("objet"), fields.text("nature")
        found: list[_Grant] = []
        self.unread = []
        if not amounts:
            amount = self._amount(fields, "montant")
            found.append(self._grant(fields, funder, beneficiary, amount, date, objet, nature))
            found[0].notes += tuple(self.unread)
            return found
        pledged: list[str] = []  # guarantees and loans: said on the tie, not counted as given
        for position in amounts:
            field_name = f"amount:{position}"
            if len(amounts) > 1 and fields.text(field_name) is None:
                continue  # an empty column of several: no grant of that nature, nothing to say
            column_nature = _nature_of(fields.column(field_name))
            if column_nature in _NOT_GIVEN:
                pledged.append(f"{column_nature} : {fields.text(field_name)}")
                conversion.note(
                    f"{fields.column(field_name)}: a {column_nature} is not money given; its "
                    "amount is a note on the funding tie, not a grant's amount",
                    fields.row,
                )
                continue
            amount = self._amount(fields, field_name)
            if amount is None and len(amounts) > 1:
                continue
            grant_nature = column_nature if len(amounts) > 1 else nature
            found.append(
                self._grant(fields, funder, beneficiary, amount, date, objet, grant_nature)
            )
        if not found:  # several amount columns, all empty: one tie without an amount
            if not pledged:
                conversion.note(
                    "no amount in any amount column: a funding tie without one", fields.row
                )
            only = pledged[0].split(" : ")[0] if len(pledged) == 1 else nature
            found.append(self._grant(fields, funder, beneficiary, None, date, objet, only))
        for grant in found:
            grant.notes += (*pledged, *self.unread)
        return found

    def _grant(
        self,
        fields: Fields,
        funder: ActorDraft,
        beneficiary: ActorDraft,
        amount: Decimal | None,
        date: str | None,
        objet: str | None,
        nature: str | None,
    ) -> _Grant:
        reference = fields.text("referenceDecision")
        description = " — ".join(t for t in (objet, nature) if t) or None
        lexical = decimal_lexical(amount) if amount is not None else None
        parts = (
            funder.key,
            beneficiary.key,
            reference or "",
            lexical or "",
            date or "",
            objet or "",
            nature or "",
        )
        unread = fields.text("dateConvention") if date is None else None
        notes = (
            ((f"date de la convention (dateConvention) : {unread}",) if unread else ())
            + tuple(
                f"{label} ({field_name}) : {value}"
                for field_name, label in NOTE_FIELDS.items()
                if field_name in fields.positions and (value := fields.text(field_name))
            )
            + tuple(
                f"{fields.column(name)} : {value}"
                for name in fields.positions
                if name.startswith(EXTRA) and (value := fields.text(name))
            )
        )
        # What the notes say tells grants apart too: two budget lines of 1,500 € to one
        # association («IMPUTATION : … 131 - Création», «… 163 - Jeunesse») are two grants.
        key = "g-" + hashlib.sha1("\x1f".join(parts + notes).encode()).hexdigest()[:16]
        return _Grant(
            key, funder, beneficiary, lexical, date, reference, description, notes, objet, nature
        )

    def _amount(self, fields: Fields, field_name: str) -> Decimal | None:
        try:
            amount = fields.decimal(field_name)
        except RowProblem:
            if self.strict:
                raise
            self.conversion.note(
                f"{fields.column(field_name)}: not an amount; the grant is kept without one, "
                "the text as published a note on it",
                fields.row,
            )
            self.unread.append(f"{fields.column(field_name)} : {fields.text(field_name)}")
            return None
        if amount is None:
            if self.strict:
                raise fields.problem(
                    field_name, "", "the amount is empty; SCDL requires it (in euros)"
                )
            self.conversion.note(
                "no amount (aid in kind?): a funding tie without an amount", fields.row
            )
        elif amount < 0:
            self.conversion.note(
                "negative amount (a cancellation or a repayment?): kept as published, so the "
                "file's total holds; `ecograph validate` lists it for review",
                fields.row,
            )
        return amount

    def _date(self, fields: Fields) -> str | None:
        try:
            date = fields.date("dateConvention")
        except RowProblem:
            start = _period_start(fields.text("dateConvention") or "")
            if start is not None:
                self.conversion.note(
                    f"{fields.column('dateConvention')}: a period; its first day taken",
                    fields.row,
                )
                return start
            if self.strict:
                raise
            self.conversion.note(
                f"{fields.column('dateConvention')}: not a date; grant kept without one",
                fields.row,
            )
            return None
        if date is None:
            self.conversion.note("dateConvention empty: grant kept without a date", fields.row)
            return None
        return date.isoformat()

    def _funder(self, fields: Fields) -> ActorDraft:
        """The row's funder; ``--funder`` names it where the file does not (no funder
        column, or empty funder cells)."""
        choice = self.funder
        given = fields.text("nomAttribuant") or fields.text("idAttribuant")
        if choice is None or given:
            return self._party(fields, "funder", "nomAttribuant", "idAttribuant")
        if "nomAttribuant" in fields.positions or "idAttribuant" in fields.positions:
            self.conversion.note("funder cells empty: the funder given with --funder", fields.row)
        draft = self.conversion.actors.add(
            fields.row,
            name=choice.name or None,
            siren=choice.siren,
            type=_TYPE_OF_LEVEL[choice.authority.level] if choice.authority else None,
            type_guessed=True,
            sector="public" if choice.authority else None,
        )
        if choice.authority is not None:
            draft.authority = choice.authority.iri(self.base)
        elif draft.type is None:
            draft.type = guess_type(choice.name, choice.siren) or "localAuthority"
            draft.sector = default_sectors().get(draft.type)
        return draft

    def _party(
        self,
        fields: Fields,
        role: str,
        name_field: str,
        id_field: str,
        *,
        funder: ActorDraft | None = None,
    ) -> ActorDraft:
        """A funder or beneficiary: by SIREN (from a SIRET), RNA, or name; a funder whose
        name designates a local authority is that authority. A beneficiary given the
        funder's own SIREN under another name (a service, a CCAS) is found by its name."""
        conversion = self.conversion
        name, raw_id = fields.text(name_field), fields.text(id_field)
        column = fields.column(id_field)
        read = _identifier(raw_id) if raw_id else _Id()
        siren, siret, problem = read.value, read.siret, read.problem
        if (
            funder is not None
            and siren
            and siren == funder.siren
            and name
            and not self.strict
            and name_key(name) not in {name_key(n) for n in funder.names}
        ):
            siren, siret = None, None
            problem = "the funder's own SIREN, under another name"
        rna = None
        if siren and looks_like_rna(siren):
            siren, rna = None, siren
        if role == "beneficiary" and rna is None:
            raw_rna = fields.text("rnaBeneficiaire")
            if raw_rna:
                try:
                    rna = read_rna(raw_rna)
                except ValueProblem as err:
                    if self.strict:
                        raise fields.problem("rnaBeneficiaire", raw_rna, str(err)) from None
                    conversion.note(
                        f"{fields.column('rnaBeneficiaire')}: not a valid RNA number; kept as "
                        "a note on the actor",
                        fields.row,
                    )
        notes: list[str] = []
        if problem:
            if self.strict:
                raise fields.problem(id_field, raw_id, problem)
            if not name:
                raise fields.problem(
                    id_field,
                    raw_id,
                    f"nothing identifies the {role}: no name, and the identifier is not "
                    f"usable ({problem})",
                )
            _listed(
                conversion,
                self.listed,
                f"{column} «{raw_id}» of «{name}»: {problem.rstrip('.')}; the {role} is found "
                "or created by its name, the identifier kept as a note (never as a SIREN)",
                f"{column}: more invalid or untrusted identifiers, kept as notes the same way",
                fields.row,
            )
            notes.append(f"{column} «{raw_id}» non retenu comme SIREN : {problem}")
        elif read.note:
            conversion.note(f"{column}: {read.note}", fields.row)
        if not name and not (siren or rna):
            if role == "funder" or self.strict:
                raise fields.problem(
                    name_field, "", f"the {role} has neither a name nor an identifier ({id_field})"
                )
            return self._unnamed(fields)
        authority = None
        if role == "funder" and name:
            expected = self.funder_sirens.get(name_key(name))
            if siren and expected and siren != expected:
                if self.strict:
                    raise fields.problem(
                        id_field, raw_id, f"another SIREN ({expected}) than other rows of «{name}»"
                    )
                _listed(
                    conversion,
                    self.listed,
                    f"funder «{name}» has another SIREN ({siren}) than in its other rows "
                    f"({expected}): one actor, the other SIREN kept as a note",
                    "more funders with another SIREN than in their other rows: one actor each",
                    fields.row,
                )
                notes.append(f"{column} «{raw_id}» : autre SIREN que {expected}")
                siren, siret = expected, None
            elif siren is None and expected:
                siren = expected
            authority = authority_named(name, siren=siren)
            if authority is not None and authority.siren and siren and siren != authority.siren:
                conversion.note(
                    f"funder «{name}» recognised as {authority.label}, whose SIREN is "
                    f"{authority.siren}, not {siren}: the other SIREN kept as a note",
                    fields.row,
                )
                notes.append(f"{column} «{raw_id}» : SIREN {siren} différent de {authority.label}")
                siren, siret = authority.siren, None
            if authority is not None:
                conversion.note(
                    f"funder «{name}» recognised by its name as the local authority "
                    f"{authority.label}",
                    fields.row,
                )
        if role == "funder" and authority is None and siren:  # "Conseil départemental"
            authority = _departement_of_siren(siren)
        if role == "beneficiary" and name and not (siren or rna):
            authority = authority_named(name) or commune_named(name)
            if authority is not None:
                _listed(
                    conversion,
                    self.listed,
                    f"beneficiary «{name}» recognised by its name as the local authority "
                    f"{authority.label}",
                    "more beneficiaries recognised by their names as local authorities",
                    fields.row,
                )
        if not (siren or rna) and authority is None:
            conversion.note(f"{role} without SIREN or RNA: identified by its name", fields.row)
        if authority is not None:
            kind: str | None = _TYPE_OF_LEVEL[authority.level]
        else:
            kind = guess_type(name, siren)
            if kind is None:
                kind = "localAuthority" if role == "funder" else "association"
                conversion.note(f"{role} type unknown: «{kind}» assumed", fields.row)
            else:
                conversion.note(f"{role} type guessed from its SIREN or name", fields.row)
        draft = conversion.actors.add(
            fields.row,
            name=name,
            siren=siren,
            siret=siret,
            rna=rna,
            type=kind,
            type_guessed=authority is None,
            sector="public" if authority else default_sectors().get(kind or ""),
            place=self._place(fields) if role == "beneficiary" else None,
            authority=authority.iri(self.base) if authority is not None else None,
        )
        draft.notes.update(notes)
        address = fields.text("address") if role == "beneficiary" else None
        if address:
            draft.notes.add(f"{fields.column('address')} : {address}")
        return draft

    def _unnamed(self, fields: Fields) -> ActorDraft:
        """A beneficiary the row neither names nor identifies: the grant is real money from
        a known funder, so it lands, tied to an actor of its own that says so."""
        self.conversion.note(
            "the beneficiary is neither named nor identified: the grant is kept, tied to an "
            "actor «Bénéficiaire non renseigné (ligne N)» of its own",
            fields.row,
        )
        draft = self.conversion.actors.add(
            fields.row,
            name=f"Bénéficiaire non renseigné (ligne {fields.row})",
            local_id=f"unnamed-beneficiary-row-{fields.row}",
        )
        draft.notes.add("Le fichier ne nomme ni n'identifie ce bénéficiaire.")
        return draft

    def _place(self, fields: Fields) -> str | None:
        if fields.text("commune") is None:
            if fields.text("postcode") is None and fields.text("address") is not None:
                return self._place_of_address(fields)
            return self._place_of_postcode(fields)
        try:
            return fields.commune("commune")
        except RowProblem as err:
            self.conversion.note(
                f"{fields.column('commune')}: {err.problem.split(';')[0]}; the beneficiary "
                "is kept without a commune",
                fields.row,
            )
            return None

    def _place_of_address(self, fields: Fields) -> str | None:
        """A list that gives an address, not a town: the commune its «postcode town» ends
        with («… 16, rue Aubry 94120 Fontenay-sous-Bois»), or the commune the whole cell
        names («Montréal la Cluse»). The address itself is a note on the actor
        (:meth:`_party`); one that names no commune (a canton, a region: «Haut-Bugey») is
        said, and the beneficiary kept without a commune."""
        # the 2013 reserve wraps its addresses in quotes of their own: «"Mairie\n86700 COUHE"»
        address = (fields.text("address") or "").strip().strip('"«»').strip()
        found = _ADDRESS_TOWN.search(address) or _TOWN_THEN_POSTCODE.search(address)
        town, postcode = (found["town"], found["postcode"]) if found else (address, None)
        try:
            iri, assumed = resolve_commune(town.strip(" -,"), postcode=postcode)
        except PlaceProblem:
            self.conversion.note(
                f"{fields.column('address')}: no commune read in the address (a canton, a "
                "region, a shared name?); the beneficiary is kept without a commune, the "
                "address as a note",
                fields.row,
            )
            return None
        if assumed:
            self.conversion.note(f"{fields.column('address')}: {assumed}", fields.row)
        return iri

    def _place_of_postcode(self, fields: Fields) -> str | None:
        """A list that gives the postcode but not the town: the commune when the postcode
        serves only one."""
        postcode = fields.text("postcode")
        if postcode is None:
            return None
        try:
            return commune_iri("", postcode=postcode)
        except PlaceProblem:
            self.conversion.note(
                f"{fields.column('postcode')}: postcode «{postcode}» serves several communes "
                "or none, and no town is given; the beneficiary is kept without a commune",
                fields.row,
            )
            return None


# ----------------------------------------------------------------------------- repairs
_DATE_FIELDS = frozenset({"dateConvention"})
_ID_FIELDS = frozenset({"idAttribuant", "idBeneficiaire", "rnaBeneficiaire"})
_NUMBER_FIELDS = frozenset({"montant", "pourcentageSubvention"})
_BOOLEANS = frozenset({"oui", "non", "true", "false", "vrai", "faux", "0", "1", "o", "n"})
_ID_SHAPE = re.compile(r"^(?:\d{9}|\d{13,14}|W[0-9A-Z]{9}|\d(?:[.,]\d+)?E\+?\d+|\d+\.0)$")
_DECIMAL_TAIL = re.compile(r"^\d{1,3}\s*(?:€|eur|euros?)?$", re.IGNORECASE)
#: Past this many extra cells a row is not a few unquoted commas: it is left to be refused.
_MAX_EXTRA = 6
_AID = re.compile(r"^aide en |numeraire|en nature")
_MAX_CANDIDATES = 20000
_REPAIR_BUDGET = 1_000_000
_REPAIR_STEPS_PER_ROW = 100


def _fits(role: str, value: str) -> bool:
    """Whether a value can be the cell of a typed column (empty always can)."""
    text = value.strip()
    if not text or is_missing(text):
        return True
    try:
        if role == "date":
            return _period_start(text) is not None or bool(_cached_date(text))
        elif role == "number":
            _cached_decimal(text)
        elif role == "id":
            compact = re.sub(r"[\s\u00a0\u202f]+", "", text.strip("'’`\"")).upper()
            return bool(_ID_SHAPE.match(compact))
        elif role == "bool":
            return name_key(text) in _BOOLEANS
    except ValueProblem:
        return False
    return True


def _roles(width: int, positions: dict[str, int]) -> list[str]:
    roles = ["text"] * width
    for field_name, position in positions.items():
        if field_name in _DATE_FIELDS:
            roles[position] = "date"
        elif field_name in _ID_FIELDS:
            roles[position] = "id"
        elif field_name in _NUMBER_FIELDS or field_name.startswith("amount:"):
            roles[position] = "number"
        elif field_name == "notificationUE":
            roles[position] = "bool"
        elif field_name == "nature":
            roles[position] = "nature"
    return roles


def _join_score(role: str, left: str, right: str) -> int:
    """How sure a separator between two pieces was a character of one value: a piece that
    starts with a space ("Sport, Culture"), the decimals of an amount ("100 000,00"), a
    decimal comma in a text ("avance de 20,00 %")."""
    if right[:1].isspace():
        return 2
    if role == "number" and left[-1:].isdigit() and _DECIMAL_TAIL.match(right.strip()):
        return 2
    if role == "id" and left[-1:].isdigit() and right[:1].isdigit():  # 7,86E+13
        return 2
    if role == "nature" and _AID.search(name_key(left)) and _AID.search(name_key(right)):
        return 2  # "aide en numéraire;aide en nature": the schema lists natures so
    if role == "text" and left[-1:].isdigit() and right[:1].isdigit():
        return 1
    return 0


def _joins_natures(pieces: list[str]) -> bool:
    """Whether pieces may share the nature cell: the schema's natures are a short list
    ("aide en numéraire", "aide en nature"), so a piece that is none of them is another
    column's."""
    return len(pieces) == 1 or all(_AID.search(name_key(piece)) for piece in pieces)


def repair_row(cells: list[str], roles: list[str], separator: str) -> list[str] | None:
    """The row put back together (see ``_repair``), or None."""
    return _repair(cells, roles, separator, _MAX_CANDIDATES)[0]


def _repair(
    cells: list[str], roles: list[str], separator: str, budget: int
) -> tuple[list[str] | None, int]:
    """(the row, steps taken). The row's pieces are joined back into ``len(roles)`` cells so
    that every typed column (date, identifier, amount, yes/no) holds a value of its type,
    choosing the joins that look most like a separator inside a value; the row is None when
    no way, or several equally likely ways, fit, or when telling would take more than
    ``budget`` steps."""
    width, extra = len(roles), len(cells) - len(roles)
    if extra <= 0 or extra > _MAX_EXTRA:
        return None, 0
    best: list[tuple[int, list[str]]] = []
    tried = 0

    def walk(column: int, start: int, spare: int, score: int, built: list[str]) -> None:
        nonlocal tried
        tried += 1
        if tried > budget:
            return
        if column == width:
            if start == len(cells):
                best.append((score, list(built)))
            return
        role = roles[column]
        last = column == width - 1
        for take in range(spare + 1, 0, -1) if last else range(1, spare + 2):
            if last and start + take != len(cells):
                continue
            pieces = cells[start : start + take]
            value = separator.join(pieces)
            if role not in ("text", "nature") and not _fits(role, value):
                continue
            if role == "nature" and not _joins_natures(pieces):
                continue
            gained = sum(_join_score(role, a, b) for a, b in itertools.pairwise(pieces))
            built.append(value)
            walk(column + 1, start + take, spare - (take - 1), score + gained, built)
            built.pop()

    walk(0, 0, extra, 0, [])
    if not best or tried > budget:
        return None, tried
    top = max(score for score, _ in best)
    winners = {tuple(cells) for score, cells in best if score == top}
    return (list(next(iter(winners))) if len(winners) == 1 else None), tried


def repaired_grant_rows(table: Table) -> tuple[dict[str, int], Table]:
    """(the field positions, the rows) of a grant file as the import reads them: each row
    split by a separator inside a value put back together, each one that cannot be left
    out. For measures over a published file (``domain_evaluation.file_coverage``).

    A list without a funder column is read as a list: its beneficiary and object columns by
    their headers, each amount column of money given as ``amount:N`` (not a guarantee or a
    loan), and the rows that only total a beneficiary's lines left out."""
    positions = scdl_positions(table.columns)
    if "nomAttribuant" in positions or "idAttribuant" in positions:
        return positions, _repaired(table, positions, Conversion("scdl"), strict=False)
    positions, amounts = _list_positions(table, positions)
    given = [p for p in amounts if _nature_of(table.columns[p]) not in _NOT_GIVEN]
    positions.update({f"amount:{p}": p for p in given})
    repaired = _repaired(table, positions, Conversion("scdl"), strict=False)
    subtotals = _subtotal_rows(repaired, positions, amounts, _total_positions(repaired, amounts))
    kept = [(number, cells) for number, cells in repaired.rows if number not in subtotals.skipped]
    return positions, dataclasses.replace(repaired, rows=kept)


#: «Via Voltaire Projet Prévention, soutien…»: a list without an object column that writes
#: the project after the beneficiary's name, behind «Projet» (Montpellier's lists do).
_PROJECT_IN_NAME = re.compile(r"^(?P<name>.*\S)\s+Projet\s+(?P<objet>\S.*)$")
#: Words a name does not end with: «Association du Projet Jeunes» is one name.
_NAME_ENDS_NOT = frozenset({"de", "du", "des", "la", "le", "les", "l", "d", "et", "au", "aux"})


def project_named_in_name(cell: str) -> tuple[str, str]:
    """(name, object) of a beneficiary cell «NAME Projet WHAT»; (the cell, "") for any other:
    «Projet» written so, after a name of two letters at least that does not end in «de»,
    «du»… («Association du Projet Jeunes» is one name)."""
    found = _PROJECT_IN_NAME.match(cell.strip())
    if found is None or len(found["name"]) < 2:
        return cell.strip(), ""
    if name_key(found["name"]).rsplit(" ", 1)[-1] in _NAME_ENDS_NOT:
        return cell.strip(), ""
    return found["name"], found["objet"]


def _projects_named_in_names(
    table: Table, positions: dict[str, int], conversion: Conversion
) -> Table:
    """The table with each beneficiary cell of the form «NAME Projet WHAT» cut in two: the
    name, and the object in a column of its own, so one association funded for its running
    and for a project is one actor (``project_named_in_name``); the cuts are said."""
    at = positions["nomBeneficiaire"]
    rows: list[tuple[int, list[str]]] = []
    cut = 0
    for number, cells in table.rows:
        name, objet = project_named_in_name(cells[at]) if at < len(cells) else ("", "")
        if objet:
            cells = [*cells[:at], name, *cells[at + 1 :]]
            cut += 1
        rows.append((number, [*cells, objet]))
    if not cut:
        return table
    positions["objet"] = len(table.columns)
    conversion.note(
        f"{table.columns[at]}: {cut} cell(s) name a project after the beneficiary, behind "
        "«Projet»; read as the beneficiary's name and the grant's object",
        0,
    )
    return dataclasses.replace(table, columns=[*table.columns, "objet"], rows=rows)


def _unwrapped(cells: list[str], roles: list[str], separator: str) -> list[str] | None:
    """A row narrower than its header whose first cell holds separators is a line an export
    wrapped in quotes whole, as one value: its cells are that value cut at each separator,
    then the rest. None for any other row, or when that does not give at least the header's
    width with typed columns that fit (a longer row is then repaired as any other)."""
    if len(cells) >= len(roles) or separator not in cells[0]:
        return None
    candidate = cells[0].split(separator) + cells[1:]
    if len(candidate) < len(roles):
        return None
    if len(candidate) == len(roles) and not all(
        _fits(role, value)
        for role, value in zip(roles, candidate, strict=True)
        if role not in ("text", "nature")
    ):
        return None
    return candidate


def _repaired(
    table: Table, positions: dict[str, int], conversion: Conversion, *, strict: bool
) -> Table:
    """The table with each row too wide for its header (a separator in a value that is not in
    quotes) put back together by anchoring on its typed columns; each repair is listed."""
    width = len(table.columns)
    separator = table.separator
    if strict or separator is None:
        return table
    roles = _roles(width, positions)
    rows = table.rows
    changed: list[tuple[int, list[str]]] | None = None
    dropped: set[int] = set()
    listed: Counter[str] = Counter()
    # steps for the whole file (a row of a real file takes about 55): bounded, so a hostile
    # file cannot make the import hang, and growing with the rows, so a large file is repaired
    budget = _REPAIR_BUDGET + _REPAIR_STEPS_PER_ROW * len(rows)
    for at, (number, cells) in enumerate(rows):
        unwrapped = _unwrapped(cells, roles, separator)
        if unwrapped is not None:
            if changed is None:
                changed = list(rows)
            changed[at] = (number, unwrapped)
            cells = unwrapped
            _listed(
                conversion,
                listed,
                f"row {number}: the whole line was written in quotes as one value; it was "
                "split again at its separators",
                "more lines written in quotes as one value, split again",
                number,
            )
        if len(cells) <= width or not any(c.strip() for c in cells[width:]):
            continue
        fixed, steps = _repair(cells, roles, separator, min(_MAX_CANDIDATES, budget))
        budget -= steps
        if changed is None:
            changed = list(rows)
        if fixed is None:
            conversion.rows_read += 1
            conversion.rejects.append(
                Reject(
                    number,
                    None,
                    None,
                    f"the row has {len(cells)} cells but the header has {width}: a separator "
                    "inside a value that is not in quotes, and its dates, identifiers and "
                    "amounts do not tell in one way only where the values end; put the values "
                    "that hold a separator in quotes",
                    cells,
                )
            )
            dropped.add(at)
            continue
        changed[at] = (number, fixed)
        _listed(
            conversion,
            listed,
            f"row {number}: {len(cells) - width} separator(s) inside values that are not in "
            "quotes; the row was repaired by its dates, identifiers and amounts",
            "more rows with separators inside values not in quotes, repaired the same way",
            number,
        )
    if changed is None:
        return table
    kept = [row for at, row in enumerate(changed) if at not in dropped]
    return dataclasses.replace(table, rows=kept)
