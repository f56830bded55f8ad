"""Check a graph against ecograph's data model and say, in plain words, what is wrong.

Two engines look at the same graph:

- pySHACL with ``ontology/shapes.ttl`` (SHACL Core, no inference), for everything a shape can
  say: counts, controlled values, datatypes, patterns, date order.
- A few checks in Python for what SHACL Core cannot say: the Luhn check digit of SIREN and
  SIRET (with La Poste's exception), that a SIRET starts with its actor's SIREN, that a
  project's lead is one of its participants, and that a partnership's funder and
  beneficiaries are among its partners. They use rdflib triple lookups, one pass per
  property, so they stay linear in the size of the graph.

Both produce the same ``Finding`` records, so a user (or an importer writing a reject file)
never needs to know which engine found a problem. Messages come from the shapes (``sh:name``
and ``sh:message``, in English or French); pySHACL's own message is only a fallback for
shapes that have none.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal as TypingLiteral

import pyoxigraph as ox
import pyshacl
from rdflib import RDF, SH, SKOS, BNode, ConjunctiveGraph, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from ecograph.identifiers import luhn_valid, siren_problem, siret_problem
from ecograph.namespaces import graph_iri
from ecograph.resources import ontology_path
from ecograph.store.base import Store
from ecograph.vocab import EG, PARTNERSHIP_TYPE

__all__ = ["Finding", "ValidationReport", "load_shapes", "validate_graph"]

Severity = TypingLiteral["violation", "warning"]
Source = TypingLiteral["shacl", "python"]

# Which class names a focus node in a report, most specific first: a node typed both
# eg:Actor and eg:LocalAuthority is reported as an Actor, the role the data gives it.
_KINDS: tuple[tuple[URIRef, str], ...] = (
    (EG.Partnership, "Partnership"),
    (EG.Project, "Project"),
    (EG.Assessment, "Assessment"),
    (EG.Actor, "Actor"),
    (EG.LocalAuthority, "LocalAuthority"),
)
_SEVERITY_RANK = {"violation": 0, "warning": 1}
_SEVERITIES: dict[Node, Severity] = {
    SH.Violation: "violation",
    SH.Warning: "warning",
    SH.Info: "warning",
}
_COUNT_COMPONENTS = (SH.MinCountConstraintComponent, SH.MaxCountConstraintComponent)
_COMPARISON_COMPONENTS = (
    SH.MinInclusiveConstraintComponent,
    SH.MaxInclusiveConstraintComponent,
    SH.MinExclusiveConstraintComponent,
    SH.MaxExclusiveConstraintComponent,
    SH.LessThanConstraintComponent,
    SH.LessThanOrEqualsConstraintComponent,
)
_LANGS = ("en", "fr")
_SIREN_SHAPE = re.compile(r"[0-9]{9}")
_SIRET_SHAPE = re.compile(r"[0-9]{14}")

# Words of the Python checks, in both languages. Field names are looked up in the shapes
# first (sh:name of a shape on the same property), these are the fallback.
_TEXT: dict[str, dict[str, str]] = {
    "found": {"en": "{message}, found {count}", "fr": "{message} ; trouvé : {count}"},
    "lead": {
        "en": "expected the lead to be one of the project's participants too "
        "(eg:hasParticipant lists every participant, lead included)",
        "fr": "le chef de file doit aussi figurer parmi les participants du projet "
        "(eg:hasParticipant liste tous les participants, chef de file compris)",
    },
    "funder": {
        "en": "expected the funder to be one of the partnership's partners too (eg:partner)",
        "fr": "le financeur doit aussi figurer parmi les partenaires (eg:partner)",
    },
    "beneficiary": {
        "en": "expected each beneficiary to be one of the partnership's partners too (eg:partner)",
        "fr": "chaque bénéficiaire doit aussi figurer parmi les partenaires (eg:partner)",
    },
    "not_funding": {
        "en": "a funder or beneficiary is given but the partnership type is not funding: "
        "check the type",
        "fr": "un financeur ou un bénéficiaire est indiqué mais le type de partenariat n'est "
        "pas « funding » : vérifiez le type",
    },
    "siret_owner": {
        "en": "expected a SIRET of this actor, starting with its SIREN {siren}",
        "fr": "un SIRET de cet acteur, commençant par son SIREN {siren}",
    },
    "conforms": {
        "en": "No problems found: the data follows the ecograph data model.",
        "fr": "Aucun problème : les données suivent le modèle de données ecograph.",
    },
    "warning": {"en": "warning", "fr": "avertissement"},
    "fallback": {
        "en": "does not satisfy the constraint {component}",
        "fr": "ne respecte pas la contrainte {component}",
    },
}
_FIELD_FALLBACK: dict[URIRef, dict[str, str]] = {
    EG.siren: {"en": "SIREN", "fr": "SIREN"},
    EG.siret: {"en": "SIRET", "fr": "SIRET"},
    EG.lead: {"en": "lead", "fr": "chef de file"},
    EG.funder: {"en": "funder", "fr": "financeur"},
    EG.beneficiary: {"en": "beneficiaries", "fr": "bénéficiaires"},
    EG.partnershipType: {"en": "partnership type", "fr": "type de partenariat"},
}


@dataclass(frozen=True)
class Finding:
    """One problem, whichever engine found it.

    ``focus`` is the IRI (or blank-node id) of the node at fault and ``focus_label`` its
    ``skos:prefLabel`` when it has one, so a person can find it in their spreadsheet.
    ``field`` is the human name of the property ("SIREN", "sector", "partners"), ``value``
    the offending value when there is one, and ``message`` what was expected.
    """

    focus: str
    focus_label: str | None
    kind: str
    field: str
    value: str | None
    message: str
    severity: Severity
    source: Source

    def sort_key(self) -> tuple[int, str, str, str, str, str, str, str]:
        """Violations first, then by kind, label, node, field, message, value, engine."""
        return (
            _SEVERITY_RANK[self.severity],
            self.kind,
            self.focus_label or "",
            self.focus,
            self.field,
            self.message,
            self.value or "",
            self.source,
        )

    def to_text(self, *, lang: str = "en") -> str:
        """One readable line: ``Kind "label" <iri>: field "value" — message``.

        A blank node is shown as ``_:id``, so it is not mistaken for an IRI.
        """
        label = f' "{self.focus_label}"' if self.focus_label else ""
        focus = self.focus if self.focus.startswith("_:") else f"<{self.focus}>"
        value = f' "{self.value}"' if self.value is not None else ""
        prefix = f"{_TEXT['warning'].get(lang, 'warning')}: " if self.severity == "warning" else ""
        return f"{prefix}{self.kind}{label} {focus}: {self.field}{value} — {self.message}"


@dataclass(frozen=True)
class ValidationReport:
    """The findings of one validation, sorted so that the same data gives the same report.

    ``conforms`` is True when there is no violation; warnings are worth reading but do not
    stop an import.
    """

    findings: tuple[Finding, ...]
    lang: str = "en"

    @property
    def conforms(self) -> bool:
        """True when no finding is a violation."""
        return not any(f.severity == "violation" for f in self.findings)

    @property
    def violations(self) -> tuple[Finding, ...]:
        """The findings that make the data unfit to import."""
        return tuple(f for f in self.findings if f.severity == "violation")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The findings worth a look that do not block an import."""
        return tuple(f for f in self.findings if f.severity == "warning")

    def as_rows(self) -> list[dict[str, str | None]]:
        """The findings as dictionaries (one per finding, same keys), for tables and CSV."""
        return [dataclasses.asdict(f) for f in self.findings]

    def to_text(self) -> str:
        """One line per finding, or one line saying the data conforms."""
        if not self.findings:
            return _TEXT["conforms"][self.lang]
        return "\n".join(f.to_text(lang=self.lang) for f in self.findings)


@lru_cache(maxsize=1)
def _default_shapes() -> Graph:
    """ecograph's shapes, parsed once per process (pySHACL only reads them)."""
    return Graph().parse(ontology_path("shapes.ttl"), format="turtle")


def load_shapes() -> Graph:
    """A fresh copy of ecograph's shapes graph (``ontology/shapes.ttl``), safe to modify."""
    copy = Graph()
    for triple in _default_shapes():
        copy.add(triple)
    return copy


def validate_graph(
    data: Graph | Dataset,
    *,
    shapes: Graph | None = None,
    lang: str = "en",
) -> ValidationReport:
    """Validate ``data`` against the ecograph shapes and the Python-side checks.

    ``data`` is an rdflib ``Graph``, or a ``Dataset``/``ConjunctiveGraph`` whose graphs are
    validated together as one union graph (a project in one named graph may cite an actor
    described in another). ``shapes`` replaces ``ontology/shapes.ttl`` when given; the Python
    checks always run, since they are part of the data model. ``lang`` ("en" or "fr") picks
    the language of field names and messages. ``data`` is never modified.

    Raises whatever pySHACL raises for data it cannot evaluate at all (e.g. a blank node
    where a date is compared); values that are merely wrong are findings, not errors.
    """
    if lang not in _LANGS:
        raise ValueError(f'lang must be "en" or "fr", not {lang!r}')
    graph = _union(data) if isinstance(data, ConjunctiveGraph) else data
    graph = _without_ill_typed_literals(graph)
    shapes_graph = _default_shapes() if shapes is None else shapes

    _, results, _ = pyshacl.validate(
        graph,
        shacl_graph=shapes_graph,
        inference="none",
        advanced=False,
        abort_on_first=False,
        allow_warnings=False,
        meta_shacl=False,
        debug=False,
    )
    findings = set(_shacl_findings(results, graph, shapes_graph, lang))
    findings.update(_python_findings(graph, shapes_graph, lang))
    return ValidationReport(findings=tuple(sorted(findings, key=Finding.sort_key)), lang=lang)


def _union(data: ConjunctiveGraph) -> Graph:
    """Every triple of every graph of ``data`` in one plain graph.

    pySHACL validates each named graph of a dataset on its own, which would report a project
    whose participants are described in another graph as wrong; the data model says queries
    see the union, so validation does too.
    """
    union = Graph()
    for subject, predicate, obj, _ in data.quads((None, None, None, None)):
        union.add((subject, predicate, obj))
    return union


def _without_ill_typed_literals(graph: Graph) -> Graph:
    """``graph``, or a copy where ill-typed literals ("2024-02-30"^^xsd:date) are plain text.

    pySHACL crashes (TypeError) when sh:lessThanOrEquals meets an ill-typed date that rdflib
    cannot order. As plain text the value is still refused by the shape's sh:datatype, with
    the same lexical form in the report, and the comparison is merely "incomparable". The
    copy is only made when such literals exist, which is rare.
    """
    ill_typed = [(s, p, o) for s, p, o in graph if isinstance(o, Literal) and o.ill_typed is True]
    if not ill_typed:
        return graph
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    for subject, predicate, obj in ill_typed:
        copy.remove((subject, predicate, obj))
        copy.add((subject, predicate, Literal(str(obj))))
    return copy


# ---------------------------------------------------------------------------------------------
# SHACL results -> findings
# ---------------------------------------------------------------------------------------------


def _shacl_findings(results: Graph, data: Graph, shapes: Graph, lang: str) -> Iterator[Finding]:
    """Turn pySHACL's validation results into findings, with the shapes' own words."""
    wrong_type: set[tuple[str, Node]] = set()  # (focus, property) with a datatype finding
    compared: list[
        tuple[Finding, set[Node | None]]
    ] = []  # comparison findings, properties compared
    # Only the report's own results: pySHACL also records, under sh:detail, the results of
    # nested shapes (sh:node, sh:or...), which would repeat one problem in other words.
    top_level = results.objects(None, SH.result)
    for result in sorted(set(top_level), key=str):
        focus = results.value(result, SH.focusNode)
        if focus is None:
            continue
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        shape = results.value(result, SH.sourceShape)
        component = results.value(result, SH.sourceConstraintComponent)
        level = results.value(result, SH.resultSeverity)
        severity = "violation" if level is None else _SEVERITIES.get(level, "violation")

        message = _pick(shapes.objects(shape, SH.message), lang) if shape is not None else None
        if message is None:
            message = _pick(results.objects(result, SH.resultMessage), lang)
        if message is None:
            name = _local_name(component) if component is not None else "?"
            message = _TEXT["fallback"][lang].format(component=name)
        if component in _COUNT_COMPONENTS and isinstance(path, URIRef):
            count = len(set(data.objects(focus, path)))
            message = _TEXT["found"][lang].format(message=message, count=count)

        if isinstance(path, BNode) and results.value(path, SH.inversePath) is not None:
            # Shapes that walk back from a concept to the nodes using it (the funding rules)
            # find fault with the value node, not with the concept they start from.
            focus, value = value if value is not None else focus, None
        # A node-level constraint reports the focus node itself as its value; that says
        # nothing new, so it is left out.
        shown_value = None if value is None or value == focus else value
        finding = Finding(
            focus=_node_id(focus),
            focus_label=_label(data, focus, lang),
            kind=_kind(data, focus),
            field=_field(shapes, shape, path, lang),
            value=None if shown_value is None else _node_id(shown_value),
            message=str(message),
            severity=severity,
            source="shacl",
        )
        if component == SH.DatatypeConstraintComponent and path is not None:
            wrong_type.add((finding.focus, path))
        elif component in _COMPARISON_COMPONENTS:
            others = set() if shape is None else set(shapes.objects(shape, SH.lessThanOrEquals))
            if shape is not None:
                others.update(shapes.objects(shape, SH.lessThan))
            compared.append((finding, {path, *others}))
            continue
        yield finding

    # A value of the wrong type ("12 000 €" as an amount, "2024-02-30" as a date) also fails
    # every comparison it takes part in (">= 0", "start <= end"); one line says it better.
    for finding, properties in compared:
        if not any((finding.focus, prop) in wrong_type for prop in properties):
            yield finding


def _field(shapes: Graph, shape: Node | None, path: Node | None, lang: str) -> str:
    """The human name of what is wrong: the shape's sh:name, else the property's name."""
    if shape is not None:
        name = _pick(shapes.objects(shape, SH.name), lang)
        if name is not None:
            return name
    if isinstance(path, URIRef):
        return _path_name(shapes, path, lang)
    return _local_name(shape) if isinstance(shape, URIRef) else "?"


def _path_name(shapes: Graph, path: URIRef, lang: str) -> str:
    """The sh:name given to ``path`` by any shape, else a built-in name, else its local name."""
    for shape in sorted(shapes.subjects(SH.path, path), key=str):
        name = _pick(shapes.objects(shape, SH.name), lang)
        if name is not None:
            return name
    if path in _FIELD_FALLBACK:
        return _FIELD_FALLBACK[path][lang]
    return _local_name(path)


# ---------------------------------------------------------------------------------------------
# Checks SHACL Core cannot express
# ---------------------------------------------------------------------------------------------


def _python_findings(data: Graph, shapes: Graph, lang: str) -> Iterator[Finding]:
    """Check digits, SIRET ownership, lead among participants, funders among partners."""
    names: dict[URIRef, str] = {}

    def finding(focus: Node, path: URIRef, value: Node | str, message: str) -> Finding:
        if path not in names:
            names[path] = _path_name(shapes, path, lang)
        return Finding(
            focus=_node_id(focus),
            focus_label=_label(data, focus, lang),
            kind=_kind(data, focus),
            field=names[path],
            value=_node_id(value),
            message=message,
            severity="violation",
            source="python",
        )

    # Values whose shape (digit count) is wrong are left to SHACL's pattern, so each problem
    # is reported once.
    for actor, siren in data.subject_objects(EG.siren):
        text = str(siren)
        if _SIREN_SHAPE.fullmatch(text) and not luhn_valid(text):
            yield finding(actor, EG.siren, text, siren_problem(text, lang=lang) or "")

    for actor, siret in data.subject_objects(EG.siret):
        text = str(siret)
        if not _SIRET_SHAPE.fullmatch(text):
            continue
        problem = siret_problem(text, lang=lang)
        if problem is not None:
            yield finding(actor, EG.siret, text, problem)
            continue
        sirens = {str(s) for s in data.objects(actor, EG.siren)}
        if sirens and text[:9] not in sirens:
            owner = " / ".join(sorted(sirens))
            yield finding(actor, EG.siret, text, _TEXT["siret_owner"][lang].format(siren=owner))

    for project, lead in data.subject_objects(EG.lead):
        if (project, EG.hasParticipant, lead) not in data:
            yield finding(project, EG.lead, lead, _TEXT["lead"][lang])

    directed: set[Node] = set()
    for prop, key in ((EG.funder, "funder"), (EG.beneficiary, "beneficiary")):
        for partnership, actor in data.subject_objects(prop):
            directed.add(partnership)
            if (partnership, EG.partner, actor) not in data:
                yield finding(partnership, prop, actor, _TEXT[key][lang])

    # A funder on a partnership typed, say, co-construction: probably the wrong type. A
    # partnership with no type at all is already reported by the shapes.
    for partnership in directed:
        types = set(data.objects(partnership, EG.partnershipType))
        if types and PARTNERSHIP_TYPE.funding not in types:
            shown = " ".join(sorted(str(t) for t in types))
            found = finding(partnership, EG.partnershipType, shown, _TEXT["not_funding"][lang])
            yield dataclasses.replace(found, severity="warning")


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _pick(literals: Iterable[Node], lang: str) -> str | None:
    """The text in ``lang``, else English, else untagged, else any — deterministically."""
    texts = sorted((lit for lit in literals if isinstance(lit, Literal)), key=str)
    for wanted in (lang, "en", None):
        for lit in texts:
            if lit.language == wanted:
                return str(lit)
    return str(texts[0]) if texts else None


def _label(data: Graph, node: Node, lang: str) -> str | None:
    """The node's skos:prefLabel, preferring ``lang`` then French (names are mostly French)."""
    labels = data.objects(node, SKOS.prefLabel)
    texts = sorted((lit for lit in labels if isinstance(lit, Literal)), key=str)
    for wanted in (lang, "fr", "en", None):
        for lit in texts:
            if lit.language == wanted and str(lit):
                return str(lit)
    return str(texts[0]) if texts and str(texts[0]) else None


def _kind(data: Graph, node: Node) -> str:
    """The ecograph class of ``node`` as a word ("Actor", "Project"...), "Resource" if none."""
    for cls, word in _KINDS:
        if (node, RDF.type, cls) in data:
            return word
    return "Resource"


def _node_id(node: Node | str) -> str:
    """An IRI as is, a blank node as ``_:id`` (its Turtle spelling)."""
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _local_name(term: Node) -> str:
    """The last segment of an IRI (after '#' or '/'), for names no shape provides."""
    text = str(term)
    return re.split(r"[#/]", text.rstrip("/#"))[-1] or text


# --- validating what is in a store --------------------------------------------------------------

# Reference graphs are ecograph's own and are not ecosystem data; the territories graph joins
# only through the authorities that the data names as actors.
_REFERENCE_GRAPHS = ("ontology", "territories")

_AUTHORITY_DESCRIPTIONS = """
SELECT DISTINCT ?s ?p ?o WHERE {
  VALUES ?territories { UNDEF }
  ?s a eg:Actor .
  GRAPH ?territories { ?s a eg:LocalAuthority ; ?p ?o }
}
"""


def store_data_graph(store: Store, graph: str | None = None) -> Graph:
    """The ecosystem data of a store as one rdflib graph, ready for ``validate_graph``.

    ``graph`` limits it to one named graph; otherwise every graph but the reference ones. The
    territories graph's descriptions of the local authorities that take part are added, since
    a source names an authority (``a eg:Actor``) without repeating its name, type and SIREN.
    """
    reference = {graph_iri(store.base_iri, name) for name in _REFERENCE_GRAPHS}
    chosen = [graph] if graph else [g for g in store.named_graphs() if g not in reference]
    buffer = io.BytesIO()
    for name in chosen:
        store.dump(buffer, format=ox.RdfFormat.N_TRIPLES, graph=name)
    territories = ox.NamedNode(graph_iri(store.base_iri, "territories"))
    rows = store.query(_AUTHORITY_DESCRIPTIONS, {"territories": territories})
    ox.serialize((ox.Triple(r["s"], r["p"], r["o"]) for r in rows), buffer, ox.RdfFormat.N_TRIPLES)
    data = Graph()
    data.parse(data=buffer.getvalue(), format="nt")
    return data


def validate_store(store: Store, *, graph: str | None = None, lang: str = "en") -> ValidationReport:
    """Validate a store's ecosystem data (or one named graph of it); see ``store_data_graph``."""
    return validate_graph(store_data_graph(store, graph), lang=lang)
