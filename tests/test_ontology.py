"""Checks of the ontology and the SKOS schemes under ``ontology/`` (fast, offline).

The decision record ``docs/decisions/0001-data-model.md`` is the contract: these tests check
that every ``eg:`` term it names is defined, labelled and defined in French and English, and
that the schemes are complete, consistent and aligned with the reference vocabularies (UN SDG,
ESSGLOBAL: excerpts of their terms in ``tests/fixtures/ontologies/``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "ecograph.ttl"
SCHEMES_DIR = ONTOLOGY_DIR / "schemes"
RECORD = ROOT / "docs" / "decisions" / "0001-data-model.md"
REFERENCE_ONTOLOGIES = ROOT / "tests" / "fixtures" / "ontologies"
SDG_FILE = REFERENCE_ONTOLOGIES / "un-sdg" / "sdg-excerpt.ttl"
ESSGLOBAL_DIR = REFERENCE_ONTOLOGIES / "essglobal"

EG = Namespace("https://w3id.org/ecograph/ontology#")
ONTOLOGY_IRI = URIRef("https://w3id.org/ecograph/ontology")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
SDG_BASE = "http://metadata.un.org/sdg/"
ESSGLOBAL_BASE = "http://purl.org/essglobal/"

# scheme file -> namespace (from the record's namespace table)
SCHEMES = {
    "domains.ttl": "https://w3id.org/ecograph/id/domain/",
    "sectors.ttl": "https://w3id.org/ecograph/id/sector/",
    "actor-types.ttl": "https://w3id.org/ecograph/id/actor-type/",
    "partnership-types.ttl": "https://w3id.org/ecograph/id/partnership-type/",
    "assessment-grid.ttl": "https://w3id.org/ecograph/id/criterion/",
    "project-status.ttl": "https://w3id.org/ecograph/id/project-status/",
}
CRIT = Namespace(SCHEMES["assessment-grid.ttl"])
SEC = Namespace(SCHEMES["sectors.ttl"])
TYPE = Namespace(SCHEMES["actor-types.ttl"])

REQUIRED_DOMAINS = {
    "health",
    "housing",
    "ageing",
    "poverty",
    "education",
    "employment",
    "environment",
    "food",
    "mobility",
    "culture",
    "disability",
    "childhoodYouth",
    "digitalInclusion",
    "migration",
}
CORE_CRITERIA = 8  # the grid's "critères socles"
COMPLEMENTARY_CRITERIA = 12
CAMEL_CASE = re.compile(r"[a-z][A-Za-z0-9]*")
EG_TERM_TYPES = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDFS.Datatype,
)
# namespaces whose terms are OWL/RDF/XSD machinery, not reused vocabulary
BUILTIN_PREFIXES = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")

TTL_FILES = sorted(ONTOLOGY_DIR.rglob("*.ttl"))


def _id(path: Path) -> str:
    return str(path.relative_to(ONTOLOGY_DIR))


@cache
def load(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def ontology() -> Graph:
    return load(ONTOLOGY_FILE)


def scheme(name: str) -> Graph:
    return load(SCHEMES_DIR / name)


def scheme_iri(name: str) -> URIRef:
    return URIRef(SCHEMES[name].rstrip("/"))


def langs(graph: Graph, subject: URIRef, predicate: URIRef) -> set[str | None]:
    return {
        obj.language
        for obj in graph.objects(subject, predicate)
        if isinstance(obj, Literal) and str(obj).strip()
    }


def eg_terms() -> set[URIRef]:
    g = ontology()
    return {
        s
        for t in EG_TERM_TYPES
        for s in g.subjects(RDF.type, t)
        if isinstance(s, URIRef) and s.startswith(str(EG))
    }


def concepts(graph: Graph) -> set[URIRef]:
    return set(graph.subjects(RDF.type, SKOS.Concept))


def local_name(iri: URIRef, namespace: str) -> str:
    assert iri.startswith(namespace), f"{iri} is not in {namespace}"
    return iri[len(namespace) :]


def test_files_present() -> None:
    assert ONTOLOGY_FILE.exists()
    for name in SCHEMES:
        assert (SCHEMES_DIR / name).exists(), name


# --- parsing and round trips -------------------------------------------------------------


@pytest.mark.parametrize("path", TTL_FILES, ids=_id)
def test_parses(path: Path) -> None:
    assert len(load(path)) > 0


# rdflib's own JSON-LD parser still uses ConjunctiveGraph internally
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("path", TTL_FILES, ids=_id)
def test_round_trip_isomorphic(path: Path) -> None:
    """Turtle -> JSON-LD -> N-Triples -> Turtle keeps the same graph."""
    original = load(path)
    from_jsonld = Graph().parse(data=original.serialize(format="json-ld"), format="json-ld")
    from_nt = Graph().parse(data=from_jsonld.serialize(format="nt"), format="nt")
    back = Graph().parse(data=from_nt.serialize(format="turtle"), format="turtle")
    assert isomorphic(original, back)


@pytest.mark.parametrize("path", TTL_FILES, ids=_id)
def test_no_empty_literals(path: Path) -> None:
    empty = [(s, p) for s, p, o in load(path) if isinstance(o, Literal) and not str(o).strip()]
    assert not empty


# --- the ontology ------------------------------------------------------------------------


def test_ontology_header() -> None:
    g = ontology()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert langs(g, ONTOLOGY_IRI, DCTERMS.title) >= {"fr", "en"}
    assert langs(g, ONTOLOGY_IRI, DCTERMS.description) >= {"fr", "en"}
    assert str(g.value(ONTOLOGY_IRI, OWL.versionInfo)) == "0.1.0"
    assert g.value(ONTOLOGY_IRI, DCTERMS.license) is not None
    assert not list(g.objects(ONTOLOGY_IRI, OWL.imports)), "terms are reused by IRI, not imported"


def test_record_terms_are_defined() -> None:
    """Every eg: term named in the decision record is defined in the ontology, and back."""
    named = {EG[name] for name in re.findall(r"`eg:([A-Za-z]+)`", RECORD.read_text("utf-8"))}
    defined = eg_terms()
    assert named - defined == set(), "named in the record but not defined"
    assert defined - named == set(), "defined but missing from the record"


@pytest.mark.parametrize("path", TTL_FILES, ids=_id)
def test_eg_terms_used_are_defined(path: Path) -> None:
    """No misspelt eg: term in any file (subjects, predicates or objects)."""
    defined = eg_terms()
    used = {
        node
        for triple in load(path)
        for node in triple
        if isinstance(node, URIRef) and node.startswith(str(EG))
    }
    assert used - defined == set()


def test_eg_terms_labelled_and_defined_in_both_languages() -> None:
    g = ontology()
    for term in sorted(eg_terms()):
        assert langs(g, term, RDFS.label) >= {"fr", "en"}, term
        assert langs(g, term, SKOS.definition) >= {"fr", "en"}, term
        assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in g, term


def test_properties_have_domain_and_range() -> None:
    g = ontology()
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in g.subjects(RDF.type, kind):
            assert g.value(prop, RDFS.domain) is not None, prop
            assert g.value(prop, RDFS.range) is not None, prop


def test_alignments_from_record() -> None:
    g = ontology()
    org = Namespace("http://www.w3.org/ns/org#")
    prov = Namespace("http://www.w3.org/ns/prov#")
    assert (EG.Actor, RDFS.subClassOf, org.Organization) in g
    assert (EG.LocalAuthority, RDFS.subClassOf, org.FormalOrganization) in g
    assert (EG.Project, RDFS.subClassOf, org.OrganizationalCollaboration) in g
    assert (EG.SourceGraph, RDFS.subClassOf, prov.Entity) in g
    assert (EG.lead, RDFS.subPropertyOf, EG.hasParticipant) in g
    assert (EG.funder, RDFS.subPropertyOf, EG.partner) in g
    assert (EG.beneficiary, RDFS.subPropertyOf, EG.partner) in g
    assert (EG.within, RDF.type, OWL.TransitiveProperty) in g
    for prop, datatype in ((EG.siren, EG.SIREN), (EG.siret, EG.SIRET), (EG.rna, EG.RNA)):
        assert (prop, RDF.type, OWL.DatatypeProperty) in g
        assert (prop, RDFS.subPropertyOf, org.identifier) in g
        assert (prop, RDFS.range, datatype) in g
        assert (datatype, RDF.type, RDFS.Datatype) in g


@pytest.mark.parametrize(
    ("datatype", "good", "bad"),
    [
        ("SIREN", ["123456782", "356000000"], ["12345678", "1234567820", "12345678A"]),
        ("SIRET", ["12345678200010"], ["1234567820001", "123456782000100"]),
        ("RNA", ["W751234567", "W9R1000123"], ["751234567", "W75123456", "w751234567"]),
    ],
)
def test_identifier_datatype_patterns(datatype: str, good: list[str], bad: list[str]) -> None:
    """The xsd:pattern facet of each identifier datatype accepts and rejects the shapes given
    in its definition (check digits are not expressible as a pattern)."""
    g = ontology()
    patterns = [
        str(pattern)
        for restriction in g.objects(EG[datatype], OWL.equivalentClass)
        for facets in g.objects(restriction, OWL.withRestrictions)
        for facet in g.items(facets)
        for pattern in g.objects(facet, URIRef("http://www.w3.org/2001/XMLSchema#pattern"))
    ]
    assert len(patterns) == 1
    for value in good:
        assert re.fullmatch(patterns[0], value), value
    for value in bad:
        assert not re.fullmatch(patterns[0], value), value


def test_references_list_the_reused_terms() -> None:
    """dcterms:references on the ontology node lists the external terms ecograph uses (the
    vocabulary generator reads it): every external superclass, superproperty, domain or range
    is listed, nothing from eg: is, and the INSEE geography terms are all there."""
    g = ontology()
    refs = set(g.objects(ONTOLOGY_IRI, DCTERMS.references))
    assert all(isinstance(r, URIRef) and not r.startswith(str(EG)) for r in refs)
    used = {
        o
        for p in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, RDF.first)
        for o in g.objects(None, p)
        if isinstance(o, URIRef) and not str(o).startswith((str(EG), *BUILTIN_PREFIXES))
    }
    assert used - refs == set()
    igeo_terms = (
        "Region",
        "Departement",
        "Intercommunalite",
        "Commune",
        "ArrondissementMunicipal",
        "codeINSEE",
    )
    assert {IGEO[t] for t in igeo_terms} <= refs
    sdo = Namespace("https://schema.org/")
    assert {SKOS.prefLabel, DCTERMS.description, sdo.startDate, sdo.endDate} <= refs


# --- the SKOS schemes --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_scheme_header(name: str) -> None:
    g = scheme(name)
    iri = scheme_iri(name)
    assert (iri, RDF.type, SKOS.ConceptScheme) in g
    assert langs(g, iri, SKOS.prefLabel) >= {"fr", "en"}
    assert langs(g, iri, DCTERMS.description) >= {"fr", "en"}
    assert set(g.subjects(RDF.type, SKOS.ConceptScheme)) == {iri}


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_concepts_complete(name: str) -> None:
    g = scheme(name)
    namespace, iri = SCHEMES[name], scheme_iri(name)
    found = concepts(g)
    assert found
    for concept in sorted(found):
        local = local_name(concept, namespace)
        assert CAMEL_CASE.fullmatch(local), concept
        assert (concept, SKOS.inScheme, iri) in g, concept
        assert str(g.value(concept, SKOS.notation)) == local, concept
        assert langs(g, concept, SKOS.prefLabel) >= {"fr", "en"}, concept
        assert langs(g, concept, SKOS.definition) >= {"fr", "en"}, concept
        for lang in ("fr", "en"):
            labels = [o for o in g.objects(concept, SKOS.prefLabel) if o.language == lang]
            assert len(labels) == 1, (concept, lang)
        top = (concept, SKOS.topConceptOf, iri) in g
        broader = set(g.objects(concept, SKOS.broader))
        assert top != bool(broader), f"{concept}: top concept xor broader"
        assert top == ((iri, SKOS.hasTopConcept, concept) in g), concept
        assert broader <= found, concept


def test_concept_iris_unique_across_schemes() -> None:
    seen: dict[URIRef, str] = {}
    for name in SCHEMES:
        for concept in concepts(scheme(name)):
            assert concept not in seen, (concept, seen.get(concept), name)
            seen[concept] = name


def test_required_domains() -> None:
    namespace = SCHEMES["domains.ttl"]
    found = {local_name(c, namespace) for c in concepts(scheme("domains.ttl"))}
    assert found >= REQUIRED_DOMAINS


def test_sectors() -> None:
    namespace = SCHEMES["sectors.ttl"]
    found = {local_name(c, namespace) for c in concepts(scheme("sectors.ttl"))}
    assert found == {"public", "privateForProfit", "ess", "civilSociety", "academic"}


def test_project_statuses() -> None:
    namespace = SCHEMES["project-status.ttl"]
    found = {local_name(c, namespace) for c in concepts(scheme("project-status.ttl"))}
    assert found == {"planned", "ongoing", "completed", "stopped"}


def test_partnership_types() -> None:
    namespace = SCHEMES["partnership-types.ttl"]
    found = {local_name(c, namespace) for c in concepts(scheme("partnership-types.ttl"))}
    assert found == {
        "funding",
        "coConstruction",
        "serviceDelivery",
        "procurement",
        "inKind",
        "membership",
        "research",
    }


def test_actor_type_hierarchy() -> None:
    g = scheme("actor-types.ttl")
    expected_broader = {
        "corporateFoundation": "foundation",
        "scop": "socialEnterprise",
        "scic": "socialEnterprise",
        "insertionEnterprise": "socialEnterprise",
        "commune": "localAuthority",
        "epci": "localAuthority",
        "departement": "localAuthority",
        "region": "localAuthority",
    }
    for narrow, broad in expected_broader.items():
        assert set(g.objects(TYPE[narrow], SKOS.broader)) == {TYPE[broad]}, narrow
    namespace = SCHEMES["actor-types.ttl"]
    found = {local_name(c, namespace) for c in concepts(g)}
    assert found >= set(expected_broader) | {
        "association",
        "company",
        "stateBody",
        "citizenCollective",
        "researchEducation",
        "network",
    }


def test_default_sectors_exist() -> None:
    """Every actor type has exactly one eg:defaultSector, and it is a sector concept."""
    types, sectors = scheme("actor-types.ttl"), concepts(scheme("sectors.ttl"))
    for actor_type in concepts(types):
        values = set(types.objects(actor_type, EG.defaultSector))
        assert len(values) == 1, actor_type
        assert values <= sectors, actor_type
    for path in TTL_FILES:
        for obj in load(path).objects(None, EG.defaultSector):
            assert obj in sectors, (path.name, obj)
    assert types.value(TYPE.citizenCollective, EG.defaultSector) == SEC.civilSociety
    assert types.value(TYPE.corporateFoundation, EG.defaultSector) == SEC.privateForProfit


def test_assessment_grid_collections() -> None:
    g = scheme("assessment-grid.ttl")
    core = set(g.objects(CRIT.core, SKOS.member))
    complementary = set(g.objects(CRIT.complementary, SKOS.member))
    assert len(core) == CORE_CRITERIA
    assert len(complementary) == COMPLEMENTARY_CRITERIA
    assert core.isdisjoint(complementary)
    for collection, notation in ((CRIT.core, "core"), (CRIT.complementary, "complementary")):
        assert (collection, RDF.type, SKOS.Collection) in g
        assert str(g.value(collection, SKOS.notation)) == notation
        assert langs(g, collection, SKOS.prefLabel) >= {"fr", "en"}
    categories = {
        CRIT.socialNeedsAndStakeholders,
        CRIT.otherPositiveEffects,
        CRIT.experimentationAndRisk,
    }
    assert {c for c in concepts(g) if (c, SKOS.topConceptOf, None) in g} == categories
    criteria = concepts(g) - categories
    assert criteria == core | complementary
    for criterion in criteria:
        assert len(set(g.objects(criterion, SKOS.broader)) & categories) == 1, criterion


def test_assessment_grid_says_where_it_comes_from() -> None:
    g = scheme("assessment-grid.ttl")
    iri = scheme_iri("assessment-grid.ttl")
    for description in g.objects(iri, DCTERMS.description):
        for word in ("Avise", "2011", "CSESS", "2017", "ecograph"):
            assert word in description, (description.language, word)


# --- alignments with the reference vocabularies ------------------------------------------


def _matches(graph: Graph, prefix: str) -> set[URIRef]:
    mapping = (
        SKOS.closeMatch,
        SKOS.exactMatch,
        SKOS.relatedMatch,
        SKOS.broadMatch,
        SKOS.narrowMatch,
    )
    return {o for p in mapping for o in graph.objects(None, p) if str(o).startswith(prefix)}


def test_every_domain_has_an_sdg_goal_match() -> None:
    g = scheme("domains.ttl")
    goals = {URIRef(f"{SDG_BASE}{n}") for n in range(1, 18)}
    for domain in concepts(g):
        assert set(g.objects(domain, SKOS.closeMatch)) & goals, domain


def test_sdg_matches_exist_in_un_sdg() -> None:
    sdg = load(SDG_FILE)
    sdg_scheme = URIRef(SDG_BASE.rstrip("/"))
    goals = set(sdg.objects(sdg_scheme, SKOS.hasTopConcept))
    assert len(goals) == 17
    g = scheme("domains.ttl")
    for domain in concepts(g):
        assert set(g.objects(domain, SKOS.closeMatch)) & goals, domain
    for iri in _matches(g, SDG_BASE):
        assert (iri, RDF.type, SKOS.Concept) in sdg, iri


def test_essglobal_matches_exist() -> None:
    known: set[URIRef] = set()
    for path in ESSGLOBAL_DIR.rglob("*.ttl"):
        graph = load(path)
        known |= {s for s in graph.subjects() if isinstance(s, URIRef)}
    used: set[URIRef] = set()
    for path in TTL_FILES:
        used |= _matches(load(path), ESSGLOBAL_BASE)
    assert used
    assert used - known == set()
