"""The associations' register (RNA), "waldec" export: one actor per association.

The Ministère de l'Intérieur publishes the Répertoire National des Associations on
data.gouv.fr ("Répertoire National des Associations", Licence Ouverte) as two extractions:
``rna_waldec_AAAAMMJJ_dpt_XX.csv`` (associations with an RNA number, one file per
département, plus a national file of about 2 M lines) and ``rna_import`` (older ones, without
a W number; not read here). A waldec file is ``;``-separated, quoted, with the header::

    id;id_ex;siret;rup_mi;gestion;date_creat;date_decla;date_publi;date_disso;nature;
    groupement;titre;titre_court;objet;objet_social1;objet_social2;adrs_complement;
    adrs_numvoie;adrs_repetition;adrs_typevoie;adrs_libvoie;adrs_distrib;adrs_codeinsee;
    adrs_codepostal;adrs_libcommune;adrg_declarant;adrg_complemid;adrg_complemgeo;
    adrg_libvoie;adrg_distrib;adrg_codepostal;adrg_achemine;adrg_pays;dir_civilite;
    siteweb;publiweb;observation;position;maj_time

(field descriptions: the RNA's "description des champs" as reproduced in
https://gist.github.com/hugolepetit/3c6e70dc85622b9e28344d22638b84f0 and in the etalab
``rna_as_api`` importer: ``id`` the W number, ``siret`` optional, ``date_creat`` the date of the
creation declaration, ``date_disso`` of the dissolution, ``objet_social1`` the mandatory code
of the national nomenclature, ``objet_social2`` an optional second one, ``adrs_*`` the seat's
address, ``position`` A active, D dissolved, S deleted from the register). Older files are
cp1252 (latin-1), newer ones UTF-8: each line is decoded on its own (``streamed``). Dates are
ISO (``2012-05-31``); a never-dissolved association has ``date_disso`` empty or
``0001-01-01``.

What becomes of a row:

- the actor is identified by its RNA number (``eg:rna``); its SIRET, when given and valid,
  adds ``eg:siret``/``eg:siren``, so it is merged with the SIRENE actor of that SIREN
  (``merge.StoreIndex``, decision 0002);
- type ``association`` and sector ``ess`` (legal form 9220, ``data/legal-forms.csv``; 9230 when
  it has a public-utility number ``rup_mi``);
- commune from ``adrs_codeinsee``; when that code is not a 2026 commune (merged communes
  keep their old code in the register), from ``adrs_libcommune`` within the postcode's
  département; else no commune, noted;
- domains (inferred, the code as the reason) from ``objet_social1``/``objet_social2`` through
  ``data/rna-objets-sociaux.csv``;
- ``date_creat`` → ``schema:foundingDate``, ``date_disso`` → ``schema:dissolutionDate``
  (schema.org's Organization terms, reused by the ontology);
- dissolved (``position`` D, or a ``date_disso``) and deleted (``position`` S) associations
  are skipped and counted, unless ``include_dissolved``.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections.abc import Callable

from ecograph.domain_rules import Evidence, Keyword
from ecograph.ingest.conversion import ActorDraft, Conversion, RowProblem
from ecograph.ingest.places import PlaceProblem, resolve_commune
from ecograph.ingest.row_fields import Fields
from ecograph.ingest.sirene import legal_form
from ecograph.ingest.streamed import RowFilters, TerritoryFilter, positions_of
from ecograph.ingest.values import ValueProblem, parse_date, read_rna, read_siret
from ecograph.name_keys import name_key
from ecograph.namespaces import PREFIXES
from ecograph.rdfterms import nt_iri, nt_literal
from ecograph.resources import data_path

COLUMNS: dict[str, tuple[str, ...]] = {
    "rna": ("id",),
    "siret": ("siret",),
    "rup": ("rup_mi",),
    "created": ("date_creat",),
    "dissolved": ("date_disso",),
    "name": ("titre",),
    "short_name": ("titre_court",),
    "purpose": ("objet",),
    "code1": ("objet_social1",),
    "code2": ("objet_social2",),
    "commune": ("adrs_codeinsee",),
    "postcode": ("adrs_codepostal",),
    "town": ("adrs_libcommune",),
    "position": ("position",),
}
_SCHEMA = PREFIXES["schema"]
_FOUNDED = nt_iri(_SCHEMA + "foundingDate")
_DISSOLVED = nt_iri(_SCHEMA + "dissolutionDate")
_XSD_DATE = PREFIXES["xsd"] + "date"
#: Dates before this are placeholders (``0001-01-01``), not dates.
_FIRST_YEAR = 1800


def looks_like_rna_export(columns: list[str]) -> bool:
    """The RNA waldec header: ``id``, ``titre``, ``objet_social1`` and ``position`` or
    ``date_creat``."""
    keys = {name_key(c) for c in columns}
    return {"id", "titre", "objet social1"} <= keys and bool(keys & {"position", "date creat"})


@functools.cache
def purpose_domains() -> dict[str, tuple[str, ...]]:
    """Nomenclature code → ecograph domains (empty: the code names none), from
    ``data/rna-objets-sociaux.csv``."""
    with data_path("rna-objets-sociaux.csv").open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter=";")
        return {r["code"]: tuple(d for d in (r["domain"] or "").split("|") if d) for r in rows}


def domains_of_code(code: str) -> tuple[str, ...] | None:
    """The domains a purpose code gives: its own row, else its theme's (``0060xx`` →
    ``006000``); None when the code is not in the nomenclature."""
    table = purpose_domains()
    code = code.strip()
    if code.isdigit() and len(code) < 6:
        code = code.zfill(6)
    if code in table:
        return table[code]
    theme = code[:3] + "000"
    if len(code) == 6 and code.isdigit() and theme in table:
        return table[theme]
    return None


class RnaRows:
    """RNA waldec rows → association drafts (a ``streamed.RowConverter``)."""

    kind = "rna associations"

    def __init__(
        self, columns: list[str], filters: RowFilters, territory: TerritoryFilter | None
    ) -> None:
        self.positions = positions_of(columns, COLUMNS)
        self.filters = filters
        self.territory = territory
        self.dates: dict[int, tuple[dt.date | None, dt.date | None]] = {}
        keys = {name_key(c) for c in columns}
        if "libcom" in keys and "adrs libcommune" not in keys:
            from ecograph.ingest.streamed import StreamRefused

            raise StreamRefused(
                "this is an RNA «import» file (associations declared before 2009 that have no "
                "W number since: columns adr1…, libcom): ecograph reads the rna_waldec files, "
                "whose associations have their W number"
            )
        missing = [c for c in ("rna", "name") if c not in self.positions]
        if missing:
            from ecograph.ingest.streamed import StreamRefused

            raise StreamRefused(
                "an RNA waldec file needs the columns «id» (the W number) and «titre»; "
                f"missing: {', '.join(COLUMNS[c][0] for c in missing)}"
            )
        association = legal_form("9220")
        public_utility = legal_form("9230")
        assert association and public_utility  # shipped in data/legal-forms.csv
        self._plain = association[1:]
        self._rup = public_utility[1:]

    def key(self, fields: Fields) -> str | None:
        value = fields.text("rna")
        return f"rna:{value.strip().upper()}" if value else None

    def convert(self, fields: Fields, conversion: Conversion) -> ActorDraft | None:
        row = fields.row
        rna = self._rna(fields)
        created = self._date(fields, "created", conversion)
        dissolved = self._date(fields, "dissolved", conversion)
        position = (fields.text("position") or "").upper()[:1]
        gone = position in ("D", "S") or dissolved is not None
        if gone and not self.filters.include_dissolved:
            conversion.rows_skipped += 1
            what = "deleted from the register (position S)" if position == "S" else "dissolved"
            conversion.note(f"association {what}: skipped (--include-dissolved keeps them)", row)
            return None
        place = self._commune(fields, conversion)
        if self.territory is not None and not self.territory.contains(place):
            conversion.rows_skipped += 1
            where = "no commune found, so not known to be in" if place is None else "outside"
            conversion.note(f"{where} {self.territory.label}: skipped (--territory)", row)
            return None
        name = fields.text("name") or fields.text("short_name")
        if name is None:
            raise fields.problem("name", "", "every association has a title (titre)")
        siret = self._siret(fields, conversion)
        actor_type, sector = self._rup if fields.text("rup") else self._plain
        domains: dict[str, Evidence] = {}
        for column in ("code1", "code2"):
            code = fields.text(column)
            if not code or not code.strip("0"):  # 000000: no second purpose
                continue
            found = domains_of_code(code)
            if found is None:
                conversion.note(
                    f"{fields.column(column)}: code not in the nomenclature of association "
                    "purposes (no domain)",
                    row,
                )
            else:  # the RNA states the code; the domain is ecograph's reading of it
                for domain in found:
                    evidence = Evidence(domain, Keyword.code(domain, code), "code objet social")
                    domains.setdefault(domain, evidence)
        draft = conversion.actors.add(
            row,
            name=name,
            siren=siret[:9] if siret else None,
            siret=siret,
            rna=rna,
            type=actor_type,
            sector=sector,
            place=place,
            description=fields.text("purpose"),
        )
        for domain, evidence in domains.items():
            draft.inferred.setdefault(domain, evidence)
        short = fields.text("short_name")
        if short and name_key(short) != name_key(name):
            draft.names[short] += 0  # another spelling (skos:altLabel), never the name
        if created or dissolved:
            self.dates[id(draft)] = (created, dissolved)
        return draft

    def seen_again(self, fields: Fields, conversion: Conversion, iri: str) -> list[str]:
        conversion.rows_skipped += 1
        conversion.note("RNA number already given on an earlier row: later row skipped", fields.row)
        return []

    def prepare(self, tick: Callable[[int, int], None] | None) -> None:
        """An RNA file needs nothing besides itself."""

    def extra_lines(self, draft: ActorDraft) -> list[str]:
        created, dissolved = self.dates.pop(id(draft), (None, None))
        subject = nt_iri(draft.iri)
        lines = []
        if created:
            lines.append(
                f"{subject} {_FOUNDED} {nt_literal(created.isoformat(), datatype=_XSD_DATE)} ."
            )
        if dissolved:
            lines.append(
                f"{subject} {_DISSOLVED} {nt_literal(dissolved.isoformat(), datatype=_XSD_DATE)} ."
            )
        return lines

    # ------------------------------------------------------------------ fields
    def _rna(self, fields: Fields) -> str:
        value = fields.text("rna")
        if value is None:
            raise fields.problem("rna", "", "every row of an RNA file has its W number (id)")
        try:
            return read_rna(value)
        except ValueProblem as err:
            raise fields.problem("rna", value, str(err)) from None

    def _date(self, fields: Fields, column: str, conversion: Conversion) -> dt.date | None:
        value = fields.text(column)
        if value is None:
            return None
        try:
            date = parse_date(value.split(" ")[0].split("T")[0])
        except ValueProblem as err:
            conversion.note(
                f"{fields.column(column)}: unreadable date left out ({err})", fields.row
            )
            return None
        return date if date.year >= _FIRST_YEAR else None

    def _siret(self, fields: Fields, conversion: Conversion) -> str | None:
        value = fields.text("siret")
        if value is None:
            return None
        try:
            return read_siret(value)[0]
        except ValueProblem as err:
            conversion.note(f"{fields.column('siret')}: invalid SIRET left out ({err})", fields.row)
            return None

    def _commune(self, fields: Fields, conversion: Conversion) -> str | None:
        code, town = fields.text("commune"), fields.text("town")
        postcode = fields.text("postcode")
        if code:
            try:
                return fields.commune("commune")
            except RowProblem:
                pass
        if town or postcode:
            try:
                place, assumed = resolve_commune(town or "", postcode=postcode)
            except PlaceProblem:
                pass
            else:
                if assumed:
                    conversion.note(f"{fields.column('town')}: {assumed}", fields.row)
                if code:
                    conversion.note(
                        f"{fields.column('commune')}: not a 2026 commune code; commune taken "
                        f"from {fields.column('town')} and the postcode",
                        fields.row,
                    )
                return place
        if code or town or postcode:
            conversion.note(
                "seat's commune not found in the 2026 geography (code, or town and postcode): "
                "actor kept without a commune",
                fields.row,
            )
        return None
