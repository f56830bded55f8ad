"""Spreadsheets of actors, projects or partnerships (CSV or XLSX) → ecograph's RDF.

The RDF has the shape the sample generator gives (``sample/generate.py``), so queries and the
network code work on imported data as they do on the sample. Actors become drafts merged by
``merge``; projects and partnerships are written here, their actors found by local id, SIREN,
RNA or name among actors already in the store (import the actors file first, or before it in
the same command).
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from collections.abc import Callable

from ecograph.ingest.conversion import Conversion, LineSink, Reject, RowProblem
from ecograph.ingest.mapping import Mapping, locate_columns
from ecograph.ingest.merge import StoreIndex
from ecograph.ingest.readers import Table
from ecograph.ingest.row_fields import Fields, each_row, row_key
from ecograph.ingest.synonyms import concept_iri, default_sectors
from ecograph.ingest.values import decimal_lexical, split_list
from ecograph.namespaces import PREFIXES
from ecograph.rdfterms import nt_iri, nt_literal
from ecograph.vocab import EG

XSD = PREFIXES["xsd"]
T = {
    key: nt_iri(value)
    for key, value in {
        "type": PREFIXES["rdf"] + "type",
        "Project": str(EG.Project),
        "Partnership": str(EG.Partnership),
        "label": PREFIXES["skos"] + "prefLabel",
        "lead": str(EG.lead),
        "participant": str(EG.hasParticipant),
        "domain": str(EG.domain),
        "territory": str(EG.territory),
        "status": str(EG.status),
        "start": PREFIXES["schema"] + "startDate",
        "end": PREFIXES["schema"] + "endDate",
        "budget": str(EG.budget),
        "currency": str(EG.currency),
        "description": PREFIXES["dcterms"] + "description",
        "note": PREFIXES["skos"] + "note",
        "identifier": PREFIXES["dcterms"] + "identifier",
        "partnershipType": str(EG.partnershipType),
        "partner": str(EG.partner),
        "funder": str(EG.funder),
        "beneficiary": str(EG.beneficiary),
        "forProject": str(EG.forProject),
        "amount": str(EG.amount),
    }.items()
}
_DATE, _DECIMAL = XSD + "date", XSD + "decimal"
_TYPE, _PARTNERSHIP, _PTYPE, _PARTNER = (
    T["type"],
    T["Partnership"],
    T["partnershipType"],
    T["partner"],
)
_FUNDER, _BENEFICIARY, _DOMAIN, _START = T["funder"], T["beneficiary"], T["domain"], T["start"]
_AMOUNT, _CURRENCY, _EUR = T["amount"], T["currency"], nt_literal("EUR")
_SAFE_KEY = re.compile(r"[A-Za-z0-9._~-]+")


def convert_tabular(
    table: Table,
    mapping: Mapping,
    kind: str,
    index: StoreIndex,
    source: str,
    *,
    tick: Callable[[int], None] | None = None,
    out: LineSink | None = None,
) -> Conversion:
    """Convert a table of ``kind`` rows; refused rows are collected, never raised. Lines go
    to ``out`` when given (else to a list)."""
    conversion = Conversion(kind=kind, lines=out if out is not None else [])
    positions, problems = locate_columns(table.columns, kind, mapping)
    if problems:
        conversion.rejects.extend(Reject(1, None, None, p) for p in problems)
        return conversion
    used = set(positions.values())
    conversion.unused_columns = [c for i, c in enumerate(table.columns) if i not in used and c]
    fields = Fields(table, positions, mapping, conversion)
    converters: dict[str, Callable[[Fields, Conversion], None]] = {
        "actors": _actor_row,
        "projects": _ProjectRows(index, source),
        "partnerships": _PartnershipRows(index, source, fields),
    }
    convert_row = converters[kind]
    for number, cells in each_row(table, conversion, fields, tick=tick):
        try:
            convert_row(fields, conversion)
        except RowProblem as err:
            conversion.rejects.append(Reject(number, err.column, err.value, err.problem, cells))
    return conversion


def _actor_row(fields: Fields, conversion: Conversion) -> None:
    name = fields.text("name")
    if name is None:
        raise fields.problem("name", "", "every actor needs a name; the cell is empty")
    siren, siret_from_siren = fields.siren()
    siret = fields.siret() or siret_from_siren
    if siret and not siren:
        siren = siret[:9]
    actor_type = fields.concept("type", "type")
    if actor_type is None:
        actor_type = "association"
        conversion.note(
            "type not given: «association» assumed (set defaults.type in a mapping file to choose)",
            fields.row,
        )
    sector = fields.concept("sector", "sector") or default_sectors().get(actor_type)
    conversion.actors.add(
        fields.row,
        name=name,
        siren=siren,
        siret=siret,
        rna=fields.rna(),
        local_id=fields.text("id"),
        type=actor_type,
        sector=sector,
        place=fields.commune(),
        domains=fields.concepts("domains", "domain"),
        description=fields.text("description"),
    )


@functools.cache
def _concept_nt(field: str, local: str) -> str:
    return nt_iri(concept_iri(field, local))


def _key_segment(key: str) -> str:
    """A row key as an IRI path segment (percent-encoded unless already plain)."""
    return key if _SAFE_KEY.fullmatch(key) else urllib.parse.quote(key, safe="")


def _local_iri(base: str, kind: str, source: str, key: str) -> str:
    return f"{base}{kind}/import/{source}/{_key_segment(key)}"


class _References:
    """Actors named in cells, resolved once per distinct text."""

    def __init__(self, index: StoreIndex) -> None:
        self.index = index
        self.cache: dict[str, str | tuple[None, str]] = {}

    def actor(self, fields: Fields, field: str, text: str) -> str:
        found = self.cache.get(text)
        if found is None:
            iri, why = self.index.resolve_reference(text)
            found = self.cache[text] = nt_iri(iri) if iri else (None, why)
        if isinstance(found, tuple):
            raise fields.problem(field, text, found[1])
        return found


class _ProjectRows:
    def __init__(self, index: StoreIndex, source: str) -> None:
        self.refs = _References(index)
        self.base = index.base
        self.source = source

    def __call__(self, fields: Fields, conversion: Conversion) -> None:
        key, name, lead_text = fields.text("id"), fields.text("name"), fields.text("lead")
        for field, value in (("id", key), ("name", name), ("lead", lead_text)):
            if value is None:
                raise fields.problem(
                    field, "", f"every project needs its {field}; the cell is empty"
                )
        lead = self.refs.actor(fields, "lead", lead_text)  # type: ignore[arg-type]
        participants = [lead]
        for text in split_list(fields.text("participants") or ""):
            iri = self.refs.actor(fields, "participants", text)
            if iri not in participants:
                participants.append(iri)
        start, end = fields.date("start"), fields.date("end")
        if start and end and end < start:
            raise fields.problem(
                "end",
                fields.text("end"),
                f"the project ends before it starts ({start.isoformat()})",
            )
        budget = fields.decimal("budget")
        s = nt_iri(_local_iri(self.base, "project", self.source, key))  # type: ignore[arg-type]
        lines = [
            f"{s} {T['type']} {T['Project']} .",
            f"{s} {T['label']} {nt_literal(name, lang='fr')} .",  # type: ignore[arg-type]
            f"{s} {T['identifier']} {nt_literal(key)} .",  # type: ignore[arg-type]
            f"{s} {T['lead']} {lead} .",
        ]
        lines += [f"{s} {T['participant']} {p} ." for p in participants]
        lines += [
            f"{s} {T['domain']} {nt_iri(concept_iri('domain', d))} ."
            for d in sorted(fields.concepts("domains", "domain"))
        ]
        territory = fields.territory()
        if territory:
            lines.append(f"{s} {T['territory']} {nt_iri(territory)} .")
        status = fields.concept("status", "status")
        if status:
            lines.append(f"{s} {T['status']} {nt_iri(concept_iri('status', status))} .")
        if start:
            lines.append(f"{s} {T['start']} {nt_literal(start.isoformat(), datatype=_DATE)} .")
        if end:
            lines.append(f"{s} {T['end']} {nt_literal(end.isoformat(), datatype=_DATE)} .")
        if budget is not None:
            lines.append(
                f"{s} {T['budget']} {nt_literal(decimal_lexical(budget), datatype=_DECIMAL)} ."
            )
            lines.append(f"{s} {T['currency']} {nt_literal(fields.text('currency') or 'EUR')} .")
        description = fields.text("description")
        if description:
            lines.append(f"{s} {T['description']} {nt_literal(description, lang='fr')} .")
        conversion.lines.extend(lines)
        conversion.projects += 1


class _PartnershipRows:
    def __init__(self, index: StoreIndex, source: str, fields: Fields) -> None:
        self.refs = _References(index)
        self.index = index
        self.base = index.base
        self.source = source
        self.seen: set[str] = set()
        self.projects: dict[str, str] = {}
        self.funding_type = nt_iri(concept_iri("partnership_type", "funding"))
        self.type_cache: dict[str, str] = {}
        self.prefix = "<" + _local_iri(self.base, "partnership", source, "")

    def __call__(self, fields: Fields, conversion: Conversion) -> None:
        get = fields.values.get
        funder_text, beneficiary_text = get("funder"), get("beneficiary")
        kind = fields.concept("type", "partnership_type")
        if kind is None:
            if not (funder_text or beneficiary_text):
                raise fields.problem(
                    "type",
                    "",
                    "every partnership needs its type (funding, "
                    "coConstruction, …); the cell is empty",
                )
            kind = "funding"
        refs, known, partners = self.refs, self.refs.cache, []
        funder = beneficiary = None
        if funder_text:
            funder = known.get(funder_text)
            if not isinstance(funder, str):
                funder = refs.actor(fields, "funder", funder_text)
            partners.append(funder)
        if beneficiary_text:
            beneficiary = known.get(beneficiary_text)
            if not isinstance(beneficiary, str):
                beneficiary = refs.actor(fields, "beneficiary", beneficiary_text)
            if beneficiary not in partners:
                partners.append(beneficiary)
        partners_text = get("partners")
        if partners_text:
            for text in split_list(partners_text):
                iri = known.get(text)
                if not isinstance(iri, str):
                    iri = refs.actor(fields, "partners", text)
                if iri not in partners:
                    partners.append(iri)
        if len(partners) < 2:
            raise fields.problem(
                "partners",
                partners_text or "",
                "a partnership needs at least two different partners "
                "(partners, or funder and beneficiary)",
            )
        start = fields.date("start") if "start" in fields.values else None
        end = fields.date("end") if "end" in fields.values else None
        if start and end and end < start:
            raise fields.problem(
                "end", get("end"), f"the partnership ends before it starts ({start.isoformat()})"
            )
        amount = fields.decimal("amount") if "amount" in fields.values else None
        project = get("project")
        project_nt = self._project(fields, project) if project else None
        local_id = get("id")
        key = local_id or row_key(fields.cells)
        if key in self.seen:
            conversion.note(
                "duplicate partnership row (same id or same content) merged", fields.row
            )
            return
        self.seen.add(key)
        s = self.prefix + _key_segment(key) + ">"
        type_nt = self.type_cache.get(kind)
        if type_nt is None:
            type_nt = self.type_cache[kind] = nt_iri(concept_iri("partnership_type", kind))
        out = [f"{s} {_TYPE} {_PARTNERSHIP} .", f"{s} {_PTYPE} {type_nt} ."]
        out += [f"{s} {_PARTNER} {partner} ." for partner in partners]
        if kind == "funding" and funder and beneficiary:
            out.append(f"{s} {_FUNDER} {funder} .")
            out.append(f"{s} {_BENEFICIARY} {beneficiary} .")
        if project_nt:
            out.append(f"{s} {T['forProject']} {project_nt} .")
        if "domains" in fields.values:
            for domain in sorted(fields.concepts("domains", "domain")):
                out.append(f"{s} {_DOMAIN} {_concept_nt('domain', domain)} .")
        if start:
            out.append(f'{s} {_START} "{start.isoformat()}"^^<{_DATE}> .')
        if end:
            out.append(f'{s} {T["end"]} "{end.isoformat()}"^^<{_DATE}> .')
        if amount is not None:
            out.append(f'{s} {_AMOUNT} "{decimal_lexical(amount)}"^^<{_DECIMAL}> .')
            currency = get("currency")
            out.append(f"{s} {_CURRENCY} {nt_literal(currency) if currency else _EUR} .")
        description = get("description")
        if description:
            out.append(f"{s} {T['description']} {nt_literal(description, lang='fr')} .")
        if local_id:
            out.append(f"{s} {T['identifier']} {nt_literal(local_id)} .")
        conversion.lines.extend(out)
        conversion.partnerships += 1

    def _project(self, fields: Fields, text: str) -> str:
        found = self.projects.get(text)
        if found is None:
            iris = self.index.projects_by_id.get(text, set())
            if len(iris) != 1:
                why = (
                    "no project has this id: import the projects file first"
                    if not iris
                    else f"{len(iris)} projects of different sources have this id"
                )
                raise fields.problem("project", text, why)
            found = self.projects[text] = nt_iri(next(iter(iris)))
        return found
