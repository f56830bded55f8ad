"""SCDL "subventions" files (the open-data standard for grants by local authorities).

Columns (schema 2.x): nomAttribuant, idAttribuant, dateConvention, referenceDecision,
nomBeneficiaire, idBeneficiaire, objet, montant, nature, conditionsVersement,
datesPeriodeVersement, idRAE, notificationUE, pourcentageSubvention. Each row is one grant:
a funding partnership funder → beneficiary with its amount and date. Funders and
beneficiaries are actors identified by SIREN (the first 9 digits of their SIRET), merged with
actors already in the store; a beneficiary given by RNA number or by name only is kept too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from ecograph.ingest.conversion import ActorDraft, Conversion, LineSink, Reject, RowProblem
from ecograph.ingest.guess import guess_type
from ecograph.ingest.mapping import Mapping
from ecograph.ingest.merge import StoreIndex
from ecograph.ingest.readers import Table
from ecograph.ingest.row_fields import Fields, each_row
from ecograph.ingest.synonyms import concept_iri, default_sectors
from ecograph.ingest.tabular import T, _local_iri
from ecograph.ingest.values import (
    ValueProblem,
    decimal_lexical,
    looks_like_rna,
    read_rna,
    read_siren,
    read_siret,
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
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
)
_XSD = PREFIXES["xsd"]


def looks_like_scdl(columns: list[str]) -> bool:
    """A table with the SCDL's key columns (names compared without case and accents)."""
    keys = {name_key(c).replace(" ", "") for c in columns}
    return {"nomattribuant", "montant"} <= keys and bool(
        keys & {"nombeneficiaire", "idbeneficiaire"}
    )


@dataclass
class _Grant:
    key: str
    funder: ActorDraft
    beneficiary: ActorDraft
    amount: str
    date: str | None
    reference: str | None
    description: str | None


def convert_scdl(
    table: Table,
    index: StoreIndex,
    source: str,
    *,
    tick: Callable[[int], None] | None = None,
    out: LineSink | None = None,
) -> Conversion:
    """Convert SCDL rows; lines are written once funder and beneficiary have their IRIs."""
    conversion = Conversion(kind="scdl subsidies", lines=out if out is not None else [])
    by_key = {name_key(c).replace(" ", ""): i for i, c in enumerate(table.columns)}
    positions = {name: by_key[name.lower()] for name in SCDL_COLUMNS if name.lower() in by_key}
    missing = [c for c in ("nomAttribuant", "nomBeneficiaire", "montant") if c not in positions]
    if missing:
        conversion.rejects.append(
            Reject(1, None, None, f"an SCDL subsidy file needs the column(s) {', '.join(missing)}")
        )
        return conversion
    used = set(positions.values())
    conversion.unused_columns = [c for i, c in enumerate(table.columns) if i not in used and c]
    fields = Fields(table, positions, Mapping(), conversion)
    grants: list[_Grant] = []
    seen: set[str] = set()
    for number, cells in each_row(table, conversion, fields, tick=tick):
        try:
            grant = _grant(fields, conversion)
        except RowProblem as err:
            conversion.rejects.append(Reject(number, err.column, err.value, err.problem, cells))
            continue
        if grant.key in seen:
            conversion.note(
                "the same grant appears twice (same funder, beneficiary, "
                "decision and amount): kept once",
                number,
            )
            continue
        seen.add(grant.key)
        grants.append(grant)

    def finish() -> None:
        base = index.base
        funding = nt_iri(concept_iri("partnership_type", "funding"))
        lines = conversion.lines
        for grant in grants:
            s = nt_iri(_local_iri(base, "partnership", source, grant.key))
            funder, beneficiary = nt_iri(grant.funder.iri), nt_iri(grant.beneficiary.iri)
            lines.extend(
                [
                    f"{s} {T['type']} {T['Partnership']} .",
                    f"{s} {T['partnershipType']} {funding} .",
                    f"{s} {T['partner']} {funder} .",
                    f"{s} {T['partner']} {beneficiary} .",
                    f"{s} {T['funder']} {funder} .",
                    f"{s} {T['beneficiary']} {beneficiary} .",
                    f"{s} {T['amount']} {nt_literal(grant.amount, datatype=_XSD + 'decimal')} .",
                    f"{s} {T['currency']} {nt_literal('EUR')} .",
                ]
            )
            if grant.date:
                lines.append(f"{s} {T['start']} {nt_literal(grant.date, datatype=_XSD + 'date')} .")
            if grant.reference:
                lines.append(f"{s} {T['identifier']} {nt_literal(grant.reference)} .")
            if grant.description:
                lines.append(f"{s} {T['description']} {nt_literal(grant.description, lang='fr')} .")
        conversion.partnerships = len(grants)

    conversion.finish = finish
    return conversion


def _party(
    fields: Fields, conversion: Conversion, role: str, name_field: str, id_field: str
) -> ActorDraft:
    """A funder or beneficiary: identified by SIREN (from a SIRET), RNA, or name only."""
    name, raw_id = fields.text(name_field), fields.text(id_field)
    siren = siret = rna = None
    if raw_id:
        try:
            if looks_like_rna(raw_id):
                rna = read_rna(raw_id)
            else:
                siren, note = read_siren(raw_id)
                if note and note.startswith("SIRET"):
                    siret, _ = read_siret(raw_id)  # without Excel's apostrophe or spaces
                if note:
                    conversion.note(f"{id_field}: {note.split(' (')[0]}", fields.row)
        except ValueProblem as err:
            raise fields.problem(id_field, raw_id, str(err)) from None
    if not name and not (siren or rna):
        raise fields.problem(
            name_field, "", f"the {role} has neither a name nor an identifier ({id_field})"
        )
    if not (siren or rna):
        conversion.note(f"{role} without SIREN or RNA: identified by its name", fields.row)
    kind = guess_type(name, siren)
    if kind is None:
        kind = "localAuthority" if role == "funder" else "association"
        conversion.note(f"{role} type unknown: «{kind}» assumed", fields.row)
    else:
        conversion.note(f"{role} type guessed from its SIREN or name", fields.row)
    return conversion.actors.add(
        fields.row,
        name=name,
        siren=siren,
        siret=siret,
        rna=rna,
        type=kind,
        type_guessed=True,
        sector=default_sectors().get(kind),
    )


def _grant(fields: Fields, conversion: Conversion) -> _Grant:
    funder = _party(fields, conversion, "funder", "nomAttribuant", "idAttribuant")
    beneficiary = _party(fields, conversion, "beneficiary", "nomBeneficiaire", "idBeneficiaire")
    if funder is beneficiary:
        raise fields.problem(
            "idBeneficiaire",
            fields.text("idBeneficiaire") or "",
            "the beneficiary is the funder itself",
        )
    amount = fields.decimal("montant")
    if amount is None:
        raise fields.problem("montant", "", "the amount is empty; SCDL requires it (in euros)")
    date = fields.date("dateConvention")
    if date is None:
        conversion.note("dateConvention empty: grant kept without a date", fields.row)
    reference = fields.text("referenceDecision")
    objet, nature = fields.text("objet"), fields.text("nature")
    description = " — ".join(t for t in (objet, nature) if t) or None
    parts = (
        funder.key,
        beneficiary.key,
        reference or "",
        str(amount),
        date.isoformat() if date else "",
        objet or "",
    )
    key = "g-" + hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]
    return _Grant(
        key,
        funder,
        beneficiary,
        decimal_lexical(amount),
        date.isoformat() if date else None,
        reference,
        description,
    )
