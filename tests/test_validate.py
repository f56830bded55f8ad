"""Validation: SHACL shapes plus the Python-side checks, reported the same way.

Each file of tests/fixtures/shapes/ other than valid.ttl is loaded together with valid.ttl and
breaks exactly one rule; the test checks that exactly that rule is reported, with the field a
user would recognise and a message saying what was expected.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import NamedTuple

import pyshacl
import pytest
from rdflib import RDF, SH, SKOS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from ecograph.resources import ontology_path
from ecograph.validate import Finding, ValidationReport, load_shapes, validate_graph
from ecograph.vocab import EG

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
# Plain namespaces rather than ecograph.vocab's: the tests need terms that do not exist.
DATA = Namespace("https://w3id.org/ecograph/data/")
DOMAIN = Namespace("https://w3id.org/ecograph/id/domain/")
SECTOR = Namespace("https://w3id.org/ecograph/id/sector/")
ACTOR_TYPE = Namespace("https://w3id.org/ecograph/id/actor-type/")
PARTNERSHIP_TYPE = Namespace("https://w3id.org/ecograph/id/partnership-type/")
STATUS = "https://w3id.org/ecograph/id/project-status/"
A = "https://w3id.org/ecograph/data/actor/siren/412345670"
B = "https://w3id.org/ecograph/data/actor/siren/812345676"
C = "https://w3id.org/ecograph/data/actor/siren/216901231"


def load(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(FIXTURES / f"{name}.ttl", format="turtle")
    return graph


class Expected(NamedTuple):
    kind: str
    field: str
    value: str | None
    message: str  # a part of the message that says what was expected
    source: str = "shacl"
    severity: str = "violation"


CASES: dict[str, Expected] = {
    # actors
    "actor-name-missing": Expected("Actor", "name", None, "expected a non-empty name"),
    "actor-name-two": Expected("Actor", "name", None, "at most one per language"),
    "actor-name-empty": Expected("Actor", "name", "", "non-empty name"),
    "actor-name-number": Expected("Actor", "name", "1901", "non-empty name"),
    "actor-type-missing": Expected("Actor", "actor type", None, "exactly one actor type, found 0"),
    "actor-type-unknown": Expected(
        "Actor", "actor type", str(ACTOR_TYPE.charity), "an actor type of the ecograph list"
    ),
    "actor-sector-missing": Expected("Actor", "sector", None, "exactly one sector"),
    "actor-sector-two": Expected("Actor", "sector", None, "found 2"),
    "actor-sector-unknown": Expected(
        "Actor", "sector", str(SECTOR.nonProfit), "public, privateForProfit, ess, civilSociety"
    ),
    "actor-domain-unknown": Expected(
        "Actor", "domains", str(DOMAIN.sport), "a domain of the ecograph list"
    ),
    "actor-based-in-text": Expected("Actor", "based in", "Lyon", "a territory IRI"),
    "actor-based-in-two": Expected("Actor", "based in", None, "at most one place"),
    # identifiers
    "siren-length": Expected("Actor", "SIREN", "62201199", "exactly 9 digits"),
    "siren-untyped": Expected("Actor", "SIREN", "530000009", "typed eg:SIREN"),
    "siren-luhn": Expected("Actor", "SIREN", "530000008", "check digit (Luhn key)", "python"),
    "siren-two": Expected("Actor", "SIREN", None, "at most one SIREN"),
    "siret-length": Expected("Actor", "SIRET", "5300000090001", "exactly 14 digits"),
    "siret-luhn": Expected("Actor", "SIRET", "53000000900016", "is not a valid SIRET", "python"),
    "siret-other-siren": Expected(
        "Actor", "SIRET", "77700000100019", "starting with its SIREN 530000009", "python"
    ),
    "siret-la-poste": Expected(
        "Actor", "SIRET", "35600000000013", "a multiple of 5 (here 18)", "python"
    ),
    "rna-pattern": Expected("Actor", "RNA", "W69123456", "a capital W then 9 digits"),
    "rna-two": Expected("Actor", "RNA", None, "at most one RNA number"),
    "local-authority-siren": Expected("LocalAuthority", "SIREN", "2169O0123", "exactly 9 digits"),
    "local-authority-type": Expected(
        "LocalAuthority", "actor type", str(ACTOR_TYPE.association), "local-authority type"
    ),
    # projects
    "project-name-missing": Expected("Project", "name", None, "non-empty name"),
    "project-no-participant": Expected("Project", "participants", None, "at least one participant"),
    "project-participant-not-actor": Expected(
        "Project", "participants", str(DATA["actor/unknown"]), "typed eg:Actor"
    ),
    "project-lead-not-participant": Expected(
        "Project", "lead", B, "lead to be one of the project's participants", "python"
    ),
    "project-two-leads": Expected("Project", "lead", None, "at most one lead"),
    "project-dates-order": Expected("Project", "dates", "2024-09-01", "end date not to be before"),
    "project-date-type": Expected("Project", "start date", "01/09/2024", "a valid xsd:date"),
    "project-date-impossible": Expected("Project", "start date", "2024-02-30", "a valid xsd:date"),
    "project-date-two": Expected("Project", "end date", None, "at most one end date"),
    "project-budget-negative": Expected("Project", "budget", "-500.00", "0 or more"),
    "project-budget-type": Expected("Project", "budget", "15000", "a decimal number"),
    "project-status-unknown": Expected("Project", "status", f"{STATUS}paused", "planned, ongoing"),
    "project-domain-unknown": Expected("Project", "domains", str(DOMAIN.sport), "a domain"),
    "project-territory-text": Expected(
        "Project", "territories", "Métropole de Lyon", "a territory IRI"
    ),
    "project-currency": Expected("Project", "currency", "euro", "ISO 4217"),
    # partnerships
    "partnership-one-partner": Expected("Partnership", "partners", None, "at least 2 distinct"),
    "partnership-partner-not-actor": Expected(
        "Partnership", "partners", str(DATA["actor/unknown"]), "typed eg:Actor"
    ),
    "partnership-type-missing": Expected("Partnership", "partnership type", None, "found 0"),
    "partnership-type-two": Expected("Partnership", "partnership type", None, "found 2"),
    "partnership-type-unknown": Expected(
        "Partnership", "partnership type", str(PARTNERSHIP_TYPE.sponsoring), "funding, coCon"
    ),
    "funding-no-funder": Expected("Partnership", "funder", None, "names exactly one funder"),
    "funding-no-beneficiary": Expected(
        "Partnership", "beneficiaries", None, "who receives the money"
    ),
    "funding-two-funders": Expected("Partnership", "funder", None, "at most one funder"),
    "funding-funder-not-partner": Expected(
        "Partnership", "funder", C, "funder to be one of the partnership's partners", "python"
    ),
    "funding-beneficiary-not-partner": Expected(
        "Partnership", "beneficiaries", B, "each beneficiary to be one of the", "python"
    ),
    "funder-not-funding": Expected(
        "Partnership",
        "partnership type",
        str(PARTNERSHIP_TYPE.coConstruction),
        "the partnership type is not funding",
        "python",
        "warning",
    ),
    "partnership-amount-negative": Expected("Partnership", "amount", "-100.00", "0 or more"),
    "partnership-amount-type": Expected("Partnership", "amount", "12 000 €", "a decimal number"),
    "partnership-currency": Expected("Partnership", "currency", "eur", "three capital letters"),
    "partnership-project-two": Expected("Partnership", "project", None, "at most one project"),
    "partnership-project-not-project": Expected(
        "Partnership", "project", str(DATA["project/unknown"]), "typed eg:Project"
    ),
    "partnership-dates-order": Expected(
        "Partnership", "dates", "2024-05-01", "end date not to be before"
    ),
    "partnership-domain-unknown": Expected("Partnership", "domains", str(DOMAIN.sport), "domain"),
    # assessments
    "assessment-score": Expected("Assessment", "score", "5", "from 0 to 4"),
    "assessment-no-project": Expected("Assessment", "assessed project", None, "found 0"),
}


# --- the valid file and each broken rule --------------------------------------------------------


def test_valid_fixture_conforms() -> None:
    report = validate_graph(load("valid"))
    assert report.findings == ()
    assert report.conforms
    assert report.to_text() == "No problems found: the data follows the ecograph data model."


def test_every_fixture_has_a_case() -> None:
    files = {path.stem for path in FIXTURES.glob("*.ttl")} - {"valid"}
    assert files == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_broken_rule_is_reported_once_with_its_field(name: str) -> None:
    expected = CASES[name]
    report = validate_graph(load("valid", name))

    assert len(report.findings) == 1, report.to_text()
    finding = report.findings[0]
    assert finding.kind == expected.kind
    assert finding.field == expected.field
    assert finding.value == expected.value
    assert expected.message in finding.message
    assert finding.source == expected.source
    assert finding.severity == expected.severity
    assert report.conforms is (expected.severity == "warning")
    # The focus is the node the fixture added, never one of the valid ones.
    assert finding.focus not in {str(s) for s in load("valid").subjects()}
    # One readable line naming the field and what was expected.
    line = report.to_text()
    assert "\n" not in line
    assert f"<{finding.focus}>: {expected.field}" in line
    assert expected.message in line


def test_report_line_reads_like_a_sentence() -> None:
    report = validate_graph(load("valid", "partnership-one-partner"))
    assert report.to_text() == (
        'Partnership "Aide au logement 2024" <https://w3id.org/ecograph/data/partnership/solo>: '
        "partners — expected at least 2 distinct partners, found 1"
    )


def test_value_is_quoted_in_the_line() -> None:
    report = validate_graph(load("valid", "siren-length"))
    assert report.to_text().startswith(
        'Actor "Association test" <https://w3id.org/ecograph/data/actor/siren-8>: '
        'SIREN "62201199" — expected a SIREN written as exactly 9 digits'
    )


def test_warnings_are_marked_and_do_not_break_conformance() -> None:
    report = validate_graph(load("valid", "funder-not-funding"))
    assert report.conforms
    assert report.violations == ()
    assert len(report.warnings) == 1
    assert report.to_text().startswith("warning: Partnership")


def test_wrong_type_is_not_also_reported_as_a_failed_comparison() -> None:
    # "12 000 €" cannot be compared with 0; saying "expected 0 or more" too would mislead.
    report = validate_graph(load("valid", "partnership-amount-type"))
    assert [f.message for f in report.findings] == [
        "expected at most one amount, a decimal number such as 15000.00 "
        "(xsd:decimal, no currency sign)"
    ]


# --- languages ---------------------------------------------------------------------------------


def test_french_report_uses_french_names_and_messages() -> None:
    report = validate_graph(load("valid", "actor-sector-missing"), lang="fr")
    (finding,) = report.findings
    assert finding.field == "secteur"
    assert finding.message == (
        "un secteur et un seul (toutes les mesures intersectorielles en dépendent) ; trouvé : 0"
    )


@pytest.mark.parametrize(
    ("name", "field", "fragment"),
    [
        ("project-lead-not-participant", "chef de file", "doit aussi figurer parmi"),
        ("siren-luhn", "SIREN", "clé de contrôle (Luhn) est fausse"),
        ("funder-not-funding", "type de partenariat", "vérifiez le type"),
        ("funding-no-funder", "financeur", "un partenariat de financement"),
    ],
)
def test_french_for_both_engines(name: str, field: str, fragment: str) -> None:
    (finding,) = validate_graph(load("valid", name), lang="fr").findings
    assert finding.field == field
    assert fragment in finding.message


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match='"en" or "fr"'):
        validate_graph(load("valid"), lang="de")


def test_label_prefers_the_report_language() -> None:
    graph = load("valid", "actor-name-two")
    assert validate_graph(graph).findings[0].focus_label == "Solidarity house"
    assert validate_graph(graph, lang="fr").findings[0].focus_label == "Maison des solidarités"


# --- report shape ------------------------------------------------------------------------------


def test_findings_are_sorted_and_stable() -> None:
    names = sorted(CASES)
    graph = load("valid", *names)
    first = validate_graph(graph)
    again = validate_graph(graph)
    assert first == again
    assert list(first.findings) == sorted(first.findings, key=Finding.sort_key)
    # Every broken rule is still found when they are all in one graph.
    assert len(first.findings) == len(CASES)
    # Violations come before warnings.
    severities = [f.severity for f in first.findings]
    assert severities == sorted(severities, key=["violation", "warning"].index)


def test_as_rows_gives_one_flat_dict_per_finding() -> None:
    report = validate_graph(load("valid", "siren-luhn", "partnership-one-partner"))
    rows = report.as_rows()
    assert len(rows) == 2
    assert set(rows[0]) == {
        "focus",
        "focus_label",
        "kind",
        "field",
        "value",
        "message",
        "severity",
        "source",
    }
    assert {row["source"] for row in rows} == {"shacl", "python"}


def test_findings_are_frozen() -> None:
    (finding,) = validate_graph(load("valid", "siren-luhn")).findings
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.value = "x"  # type: ignore[misc]


def test_empty_report() -> None:
    report = ValidationReport(findings=(), lang="fr")
    assert report.conforms
    assert report.to_text().startswith("Aucun problème")


# --- inputs ------------------------------------------------------------------------------------


def test_dataset_is_validated_as_the_union_of_its_graphs() -> None:
    # Actors in one named graph, the project citing them in another, one triple in the default
    # graph: validated separately, the project's participants would not be actors.
    valid = load("valid")
    dataset = Dataset()
    actors = dataset.graph(URIRef("https://w3id.org/ecograph/data/graph/actors"))
    projects = dataset.graph(URIRef("https://w3id.org/ecograph/data/graph/projects"))
    for triple in valid:
        subject = str(triple[0])
        target = projects if "/actor/" not in subject else actors
        target.add(triple)
    project = DATA["project/velo-ecole"]
    projects.remove((project, SKOS.prefLabel, None))
    label = Literal("Vélo-école pour tous", lang="fr")
    dataset.add((project, SKOS.prefLabel, label, DATASET_DEFAULT_GRAPH_ID))

    assert validate_graph(dataset).findings == ()

    projects.remove((project, EG.hasParticipant, URIRef(A)))
    (finding,) = validate_graph(dataset).findings
    assert (finding.field, finding.source, finding.value) == ("lead", "python", A)


def test_blank_nodes_are_reported_in_turtle_spelling() -> None:
    graph = load("valid")
    graph.parse(
        data="""
        @prefix eg: <https://w3id.org/ecograph/ontology#> .
        @prefix egpt: <https://w3id.org/ecograph/id/partnership-type/> .
        [] a eg:Partnership ; eg:partnershipType egpt:membership ;
           eg:partner <https://w3id.org/ecograph/data/actor/siren/412345670> .
        """,
        format="turtle",
    )
    (finding,) = validate_graph(graph).findings
    assert finding.focus.startswith("_:")
    assert finding.to_text().startswith(f"Partnership {finding.focus}: partners — ")


def test_data_is_not_modified() -> None:
    graph = load("valid", "siren-luhn", "funding-no-funder")
    before = set(graph)
    validate_graph(graph)
    assert set(graph) == before


def test_custom_shapes_without_messages_fall_back_to_pyshacl_words() -> None:
    shapes = Graph()
    shape = URIRef("https://example.org/shapes#Description")
    prop = URIRef("https://example.org/shapes#description")
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetClass, EG.Actor))
    shapes.add((shape, SH.property, prop))
    shapes.add((prop, SH.path, URIRef("http://purl.org/dc/terms/description")))
    shapes.add((prop, SH.minCount, Literal(1)))

    report = validate_graph(load("valid", "siren-luhn"), shapes=shapes)
    shacl = [f for f in report.findings if f.source == "shacl"]
    python = [f for f in report.findings if f.source == "python"]
    # Every actor but one lacks a description; the shape has no sh:name nor sh:message.
    assert len(shacl) == 5
    assert {f.field for f in shacl} == {"description"}
    assert all("found 0" in f.message and f.message != "found 0" for f in shacl)
    # The Python checks are part of the data model: they run whatever the shapes.
    assert [(f.field, f.value) for f in python] == [("SIREN", "530000008")]


# --- the shapes file itself --------------------------------------------------------------------


def test_shapes_are_valid_shacl() -> None:
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=load_shapes(), meta_shacl=True)
    assert conforms, text


def test_every_message_and_name_exists_in_english_and_french() -> None:
    shapes = load_shapes()
    for predicate in (SH.message, SH.name):
        for shape in set(shapes.subjects(predicate, None)):
            languages = {lit.language for lit in shapes.objects(shape, predicate)}
            assert languages == {"en", "fr"}, (shape, predicate)
    # Every shape that constrains something says it in words.
    for shape in set(shapes.subjects(SH.targetClass, None)) | set(
        shapes.subjects(SH.targetNode, None)
    ):
        assert (shape, SH.message, None) in shapes, shape
        assert (shape, SH.name, None) in shapes, shape


def _in_list(shapes: Graph, path: URIRef) -> set[URIRef]:
    values: set[URIRef] = set()
    for shape in shapes.subjects(SH.path, path):
        for head in shapes.objects(shape, SH["in"]):
            values |= {v for v in shapes.items(head) if isinstance(v, URIRef)}
    return values


@pytest.mark.parametrize(
    ("scheme_file", "path", "namespace"),
    [
        ("domains.ttl", EG.worksOn, str(DOMAIN)),
        ("domains.ttl", EG.domain, str(DOMAIN)),
        ("sectors.ttl", EG.sector, str(SECTOR)),
        ("actor-types.ttl", EG.actorType, str(ACTOR_TYPE)),
        ("partnership-types.ttl", EG.partnershipType, str(PARTNERSHIP_TYPE)),
        ("project-status.ttl", EG.status, STATUS),
    ],
)
def test_controlled_values_match_the_schemes(
    scheme_file: str, path: URIRef, namespace: str
) -> None:
    # The shapes list concept IRIs (import files rarely carry the schemes); they must not
    # drift from ontology/schemes/.
    scheme_path = ontology_path("schemes") / scheme_file
    if not scheme_path.is_file():
        pytest.skip(f"{scheme_path} is not written yet")
    scheme = Graph().parse(scheme_path, format="turtle")
    concepts = {
        c
        for c in scheme.subjects(RDF.type, SKOS.Concept)
        if isinstance(c, URIRef) and str(c).startswith(namespace)
    }
    allowed = _in_list(load_shapes(), path)
    if path == EG.actorType:
        # The local-authority shape allows a subset of the actor types.
        assert allowed <= concepts
        allowed = {v for v in allowed if v in concepts}
    assert allowed == concepts


# --- speed -------------------------------------------------------------------------------------


def _synthetic(n: int) -> Graph:
    """``n`` actors, projects and funding partnerships (~20 triples per n), all valid."""
    graph = Graph()
    actors = []
    for i in range(n):
        actor = DATA[f"actor/{i}"]
        actors.append(actor)
        graph.add((actor, RDF.type, EG.Actor))
        graph.add((actor, SKOS.prefLabel, Literal(f"Acteur {i}", lang="fr")))
        graph.add((actor, EG.actorType, ACTOR_TYPE.association))
        graph.add((actor, EG.sector, SECTOR.ess))
        graph.add((actor, EG.worksOn, DOMAIN.housing))
        graph.add((actor, EG.siren, Literal("412345670", datatype=EG.SIREN)))
    for i in range(n):
        project, first, second = DATA[f"project/{i}"], actors[i], actors[(i + 1) % n]
        graph.add((project, RDF.type, EG.Project))
        graph.add((project, SKOS.prefLabel, Literal(f"Projet {i}", lang="fr")))
        graph.add((project, EG.hasParticipant, first))
        graph.add((project, EG.hasParticipant, second))
        graph.add((project, EG.lead, first))
        graph.add((project, EG.domain, DOMAIN.food))
        partnership = DATA[f"partnership/{i}"]
        graph.add((partnership, RDF.type, EG.Partnership))
        graph.add((partnership, EG.partnershipType, PARTNERSHIP_TYPE.funding))
        graph.add((partnership, EG.partner, first))
        graph.add((partnership, EG.partner, second))
        graph.add((partnership, EG.funder, first))
        graph.add((partnership, EG.beneficiary, second))
        graph.add((partnership, EG.amount, Literal("100.00", datatype=XSD.decimal)))
    return graph


def test_twenty_thousand_triples_of_valid_data_give_no_finding() -> None:
    graph = _synthetic(1000)
    assert 19_000 <= len(graph) <= 21_000
    assert validate_graph(graph).findings == ()
