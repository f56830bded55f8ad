"""Labels: one way to turn an IRI into words, from the store or from the shipped ontology."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from ecograph.labels import Labels
from ecograph.namespaces import PREFIXES, TERRITORY_BASE, graph_iri
from ecograph.ontology import load_ontology
from ecograph.store import EmbeddedStore

SKOS = PREFIXES["skos"]
RDFS = PREFIXES["rdfs"]


@pytest.fixture
def ontology_store(store: EmbeddedStore) -> EmbeddedStore:
    load_ontology(store)
    return store


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_store_and_shipped_files_give_the_same_labels(
    ontology_store: EmbeddedStore, lang: str
) -> None:
    from_store = Labels.from_store(ontology_store, lang=lang)
    shipped = Labels.shipped(lang)
    assert from_store.terms == shipped.terms
    for scheme in ("sectors", "domains", "actor_types", "partnership_types"):
        assert getattr(from_store, scheme) == getattr(shipped, scheme)
        assert getattr(shipped, scheme), f"no {scheme} label in {lang}"
    # The five sectors of the scheme, each named in the language asked for.
    assert set(shipped.sectors) == {"public", "privateForProfit", "ess", "civilSociety", "academic"}


def test_french_and_english() -> None:
    fr, en = Labels.shipped("fr"), Labels.shipped("en")
    assert (fr.lang, en.lang) == ("fr", "en")
    assert fr.sector("ess") == "Économie sociale et solidaire"
    assert en.sector("ess") == "Social and solidarity economy"
    assert fr.of("egdom:housing") == "Logement" and en.of("egdom:housing") == "Housing"
    # Every concept named in both languages, and the two differ somewhere in each scheme.
    for scheme in ("sectors", "domains", "actor_types", "partnership_types"):
        french, english = getattr(fr, scheme), getattr(en, scheme)
        assert set(french) == set(english)
        assert french != english


def test_of_reads_iris_and_curies_alike() -> None:
    labels = Labels.shipped("en")
    iri = PREFIXES["egsec"] + "public"
    assert labels.of(iri) == labels.of("egsec:public") == labels.sector("public")
    assert labels.of(iri) == labels.sectors["public"]


def test_of_falls_back_to_a_curie_never_a_full_iri() -> None:
    labels = Labels.shipped("fr")
    assert labels.of(PREFIXES["egdom"] + "noSuchDomain") == "egdom:noSuchDomain"
    assert labels.of("egdom:noSuchDomain") == "egdom:noSuchDomain"
    assert labels.of("https://example.org/vocab#thing") == "thing"
    assert labels.of("https://example.org/things/42/") == "42"
    # A scheme's local-name helpers fall back to the local name, and to "" for no name.
    assert labels.domain("noSuchDomain") == "noSuchDomain"
    assert labels.sector("") == ""
    assert labels.missing_as("non renseigné").sector("") == "non renseigné"


def test_territories_are_named_from_the_geography() -> None:
    labels = Labels.shipped("fr")
    assert labels.of(TERRITORY_BASE + "epci/244400404") == "Nantes Métropole"
    assert labels.of("egterr:commune/44109") == "Nantes"
    assert labels.territory("departement", "44") == "Loire-Atlantique"
    assert labels.territory("epci", "999999999") is None
    assert labels.of(TERRITORY_BASE + "epci/999999999") == "egterr:epci/999999999"
    assert labels.epcis["244400404"] == "Nantes Métropole"


def test_the_store_labels_win_and_preflabel_beats_rdfs_label(
    ontology_store: EmbeddedStore,
) -> None:
    """A label a user adds to the ontology graph is read; the shipped files do not have it."""
    ontology = ox.NamedNode(graph_iri(ontology_store.base_iri, "ontology"))
    term = ox.NamedNode(PREFIXES["egdom"] + "localFood")
    ontology_store.add(
        [
            ox.Quad(term, ox.NamedNode(RDFS + "label"), ox.Literal("aaa", language="fr"), ontology),
            ox.Quad(
                term,
                ox.NamedNode(SKOS + "prefLabel"),
                ox.Literal("Circuits courts", language="fr"),
                ontology,
            ),
            # Outside the ontology graph: not a term label.
            ox.Quad(
                ox.NamedNode(PREFIXES["egdom"] + "elsewhere"),
                ox.NamedNode(SKOS + "prefLabel"),
                ox.Literal("Ailleurs", language="fr"),
                ox.NamedNode(graph_iri(ontology_store.base_iri, "source-a")),
            ),
        ]
    )
    labels = Labels.from_store(ontology_store, lang="fr")
    assert labels.domain("localFood") == "Circuits courts"
    assert labels.domains["localFood"] == "Circuits courts"
    assert labels.of("egdom:elsewhere") == "egdom:elsewhere"
    assert Labels.shipped("fr").of("egdom:localFood") == "egdom:localFood"


def test_the_language_is_bound_not_spliced(ontology_store: EmbeddedStore) -> None:
    hostile = 'fr") } } SELECT * WHERE { ?s ?p ?o } #'
    assert Labels.from_store(ontology_store, lang=hostile).terms == {}
    assert Labels.from_store(ontology_store, lang="de").terms == {}
