"""Which column holds what: default column names, their usual French variants, and the
small mapping file (YAML or TOML) a user writes for anything else.

A mapping file::

    kind = "actors"                 # actors | projects | partnerships (else guessed)
    sheet = "Structures"            # XLSX: the sheet to read (default: the first)
    [columns]                       # ecograph field = the column's name in your file
    name = "Nom de la structure"
    siren = ["SIREN", "N° SIREN"]   # several names: the first one present is used
    [values.type]                   # your words → ecograph concepts (type, sector, domain,
    "Asso" = "association"          #   partnership_type, status)
    [defaults]                      # a value for every row whose cell is empty
    type = "association"
    commune = "44109"

The same keys in YAML work the same way. Every mistake in the file is reported with the key
and the accepted values.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecograph.ingest.synonyms import SCHEMES, accepted, concepts
from ecograph.name_keys import name_key

KINDS = ("actors", "projects", "partnerships")
#: Deeper YAML is refused before it is built (PyYAML builds nested values recursively).
_MAX_YAML_DEPTH = 16

#: Field → usual column names (compared with ``name_key``); the field's own name comes first.
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "actors": {
        "id": ("identifiant", "code", "ref", "reference", "id structure"),
        "name": (
            "nom",
            "raison sociale",
            "denomination",
            "structure",
            "nom de la structure",
            "organisme",
            "acteur",
        ),
        "type": ("type de structure", "forme juridique", "statut", "type d acteur", "categorie"),
        "sector": ("secteur",),
        "siren": ("n siren", "numero siren", "siren de la structure"),
        "siret": ("n siret", "numero siret"),
        "rna": ("numero rna", "n rna", "id rna", "rna id"),
        "commune": (
            "code commune",
            "code insee",
            "insee",
            "code insee commune",
            "ville",
            "commune du siege",
            "localite",
        ),
        "postcode": ("code postal", "cp", "codpost", "code postal du siege"),
        "domains": (
            "domaines",
            "domaine",
            "thematique",
            "thematiques",
            "champ d action",
            "secteur d intervention",
        ),
        "description": ("objet", "activite", "activites", "presentation"),
    },
    "projects": {
        "id": ("identifiant", "code", "ref", "reference", "code projet"),
        "name": ("nom", "nom du projet", "intitule", "titre", "projet"),
        "lead": ("porteur", "chef de file", "pilote", "structure porteuse"),
        "participants": ("partenaires", "membres", "participant"),
        "domains": ("domaines", "domaine", "thematique", "thematiques"),
        "territory": ("territoire", "commune", "lieu"),
        "start": ("debut", "date de debut", "date debut"),
        "end": ("fin", "date de fin", "date fin"),
        "budget": ("cout", "cout total", "montant", "budget total"),
        "currency": ("devise",),
        "status": ("statut", "etat", "avancement"),
        "description": ("objet", "resume", "presentation"),
    },
    "partnerships": {
        "id": ("identifiant", "code", "ref", "reference"),
        "type": ("type de partenariat", "nature", "nature du partenariat"),
        "partners": ("partenaires", "partenaire", "acteurs"),
        "funder": ("financeur", "attribuant", "donneur", "commanditaire"),
        "beneficiary": ("beneficiaire", "porteur", "laureat"),
        "project": ("projet", "id projet", "code projet"),
        "domains": ("domaines", "domaine", "thematique"),
        "start": ("date", "debut", "date de debut", "date convention", "date de signature"),
        "end": ("fin", "date de fin"),
        "amount": ("montant", "montant eur", "montant en euros", "somme"),
        "currency": ("devise",),
        "description": ("objet", "intitule", "commentaire"),
    },
}
REQUIRED = {"actors": ("name",), "projects": ("id", "name", "lead"), "partnerships": ("type",)}
#: Fields whose values are concepts of a scheme.
CONCEPT_FIELDS = {"type": "type", "sector": "sector", "domains": "domain", "status": "status"}


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file, key and fix."""


@dataclass
class Mapping:
    """Column names, value vocabularies and defaults for one tabular import."""

    kind: str | None = None
    columns: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    separator: str | None = None
    source_text: str = ""
    path: str | None = None

    def vocabulary(self, field_name: str) -> dict[str, str]:
        """The user's words for one scheme field, keyed by ``name_key``."""
        return self.values.get(field_name, {})


def load_mapping(path: Path) -> Mapping:
    """Read and check a ``.toml``, ``.yaml`` or ``.yml`` mapping file."""
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".yaml", ".yml"):
        raise MappingError(f"{path}: a mapping file ends in .toml, .yaml or .yml")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise MappingError(
            f"{path}: byte {err.start} is not UTF-8; save the mapping file as UTF-8"
        ) from None
    except OSError as err:
        raise MappingError(f"{path}: cannot be read ({err.strerror})") from None
    data = _parse_toml(text, path) if suffix == ".toml" else _parse_yaml(text, path)
    mapping = parse_mapping(data, where=str(path))
    mapping.source_text = text
    return mapping


def _parse_toml(text: str, path: Path) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise MappingError(f"{path}: not valid TOML: {err}") from None
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        raise MappingError(
            f"{path}: nested too deep; a mapping file has at most three levels"
        ) from None


def _parse_yaml(text: str, path: Path) -> Any:
    """YAML without anchors or aliases: a mapping never needs them, and nine nested aliases
    in 500 bytes (a "billion laughs") expand to more values than memory holds."""
    import yaml

    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            depth += isinstance(event, yaml.CollectionStartEvent)
            depth -= isinstance(event, yaml.CollectionEndEvent)
            if depth > _MAX_YAML_DEPTH:
                mark = event.start_mark
                raise MappingError(
                    f"{path}, line {mark.line + 1}, column {mark.column + 1}: "
                    f"nested more than {_MAX_YAML_DEPTH} levels deep; a "
                    "mapping file has at most three"
                )
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                what = (
                    "an alias (*" if isinstance(event, yaml.AliasEvent) else "an anchor (&"
                ) + f"{event.anchor})"
                raise MappingError(
                    f"{path}, line {mark.line + 1}, column {mark.column + 1}: "
                    f"{what}; mapping files may not use YAML anchors or "
                    "aliases: write each value out"
                )
        return yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise MappingError(f"{path}: not valid YAML: {err}") from None


def parse_mapping(data: Any, *, where: str = "mapping") -> Mapping:
    """Check a mapping's content (already parsed) and build a Mapping."""
    if not isinstance(data, dict):
        raise MappingError(f"{where}: expected keys such as kind, columns, values, defaults")
    unknown = set(data) - {"kind", "columns", "values", "defaults", "sheet", "separator"}
    if unknown:
        raise MappingError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; expected "
            "kind, columns, values, defaults, sheet, separator"
        )
    kind = data.get("kind")
    if kind is not None and kind not in KINDS:
        raise MappingError(f"{where}: kind = «{kind}»; expected one of {', '.join(KINDS)}")
    known_fields = set(FIELDS[kind]) if kind else set().union(*map(set, FIELDS.values()))
    columns: dict[str, list[str]] = {}
    for name, value in (data.get("columns") or {}).items():
        if name not in known_fields:
            raise MappingError(
                f"{where}: columns.{name} is not a field"
                f"{' of ' + kind if kind else ''}; fields: "
                f"{', '.join(sorted(known_fields))}"
            )
        names = value if isinstance(value, list) else [value]
        if not all(isinstance(n, str) and n for n in names):
            raise MappingError(f"{where}: columns.{name} must be a column name or a list")
        columns[name] = names
    values: dict[str, dict[str, str]] = {}
    for name, table in (data.get("values") or {}).items():
        scheme = CONCEPT_FIELDS.get(name, name)
        if scheme not in SCHEMES or not isinstance(table, dict):
            raise MappingError(
                f"{where}: values.{name}: expected a table of your words for "
                f"one of {', '.join(sorted(SCHEMES))}"
            )
        vocabulary = {}
        for word, target in table.items():
            if target not in concepts(scheme):
                raise MappingError(
                    f"{where}: values.{name}: «{word}» = «{target}», which is "
                    f"not one of {accepted(scheme)}"
                )
            vocabulary[name_key(str(word))] = target
        values[scheme] = vocabulary
    defaults = {str(k): str(v) for k, v in (data.get("defaults") or {}).items()}
    for name in defaults:
        if name not in known_fields:
            raise MappingError(
                f"{where}: defaults.{name} is not a field; fields: "
                f"{', '.join(sorted(known_fields))}"
            )
    separator = data.get("separator")
    if separator is not None and separator not in (";", ",", "\t", "|", "tab"):
        raise MappingError(f"{where}: separator = «{separator}»; expected ; , | or tab")
    return Mapping(
        kind=kind,
        columns=columns,
        values=values,
        defaults=defaults,
        sheet=data.get("sheet"),
        path=where,
        separator="\t" if separator == "tab" else separator,
    )


def guess_kind(columns: list[str], mapping: Mapping) -> str:
    """actors, projects or partnerships, from the mapping or the columns present."""
    if mapping.kind:
        return mapping.kind
    keys = {name_key(c) for c in columns} | set(mapping.columns)
    partnership_words = {
        "funder",
        "beneficiary",
        "amount",
        "partners",
        "financeur",
        "beneficiaire",
        "montant",
        "attribuant",
        "type de partenariat",
    }
    if keys & partnership_words:
        return "partnerships"
    if keys & {"lead", "participants", "budget", "porteur", "chef de file", "nom du projet"}:
        return "projects"
    if keys & {"partenaires", "partenaire", "partners"}:
        return "partnerships"
    return "actors"


def locate_columns(
    columns: list[str], kind: str, mapping: Mapping
) -> tuple[dict[str, int], list[str]]:
    """Field → column index, and the list of missing required fields' messages."""
    by_key: dict[str, int] = {}
    for index, column in enumerate(columns):
        by_key.setdefault(name_key(column), index)
    found: dict[str, int] = {}
    problems: list[str] = []
    for field_name, aliases in FIELDS[kind].items():
        wanted = mapping.columns.get(field_name)
        if wanted:
            hits = [by_key[name_key(w)] for w in wanted if name_key(w) in by_key]
            if not hits:
                problems.append(
                    f"the mapping says {field_name} is in column «{wanted[0]}», "
                    "which the file does not have"
                )
                continue
            found[field_name] = hits[0]
            continue
        for alias in (field_name.replace("_", " "), *aliases):
            if name_key(alias) in by_key:
                found[field_name] = by_key[name_key(alias)]
                break
    for field_name in REQUIRED[kind]:
        if field_name not in found and field_name not in mapping.defaults:
            if kind == "partnerships" and field_name == "type":
                continue  # funder/beneficiary columns imply funding
            looked = ", ".join(repr(a) for a in (field_name, *FIELDS[kind][field_name][:4]))
            problems.append(
                f"no column for «{field_name}» (looked for {looked}); rename "
                "the column or map it in a mapping file"
            )
    return found, problems
