"""The keyword rules of the domain scheme: how texts are matched, and that the rules are the
scheme's (editing a skos:hiddenLabel changes the classification)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from ecograph.domain_rules import DomainRules, DomainRulesError, Keyword, repaired, words_of
from ecograph.namespaces import PREFIXES
from ecograph.ontology import load_ontology
from ecograph.resources import ontology_path
from ecograph.store import open_store
from ecograph.vocab import EG

EGDOM = PREFIXES["egdom"]


def rules_of(*rows: tuple[str, str, str]) -> DomainRules:
    return DomainRules.from_rows((domain, kind, text, "fr") for domain, kind, text in rows)


def found(rules: DomainRules, text: str) -> dict[str, str]:
    return {domain: keyword.text for domain, keyword in rules.find(text).items()}


# ----------------------------------------------------------------------------- words
def test_words_ignore_accents_case_punctuation_and_small_words() -> None:
    assert words_of("Maison de l'Œuvre — Aînés & Cœur") == ["maison", "oeuvre", "aines", "coeur"]
    assert words_of("de la des et") == []


def test_utf8_read_as_windows_1252_is_read_back() -> None:
    assert repaired("LES RESTAURANTS DU CÅ’UR") == "LES RESTAURANTS DU CŒUR"
    assert repaired("soutien ÃƒÂ\xa0 l'enseignement") == "soutien à l'enseignement"
    assert repaired("Ãtre") == "Ãtre"  # does not decode: left alone
    assert words_of("CÃƒâ€¦Ã¢â‚¬â„¢UR") == ["coeur"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [("de la", "only small words"), ("ab*", "too short a stem"), ("lo*gement", "may only end")],
)
def test_a_keyword_that_cannot_match_sensibly_is_refused_in_words(text: str, problem: str) -> None:
    with pytest.raises(DomainRulesError, match=problem) as error:
        Keyword.read("housing", text, "fr")
    assert "egdom:housing" in str(error.value) and text in str(error.value)


# ----------------------------------------------------------------------------- matching
def test_whole_words_stems_and_phrases() -> None:
    rules = rules_of(
        ("ageing", "keyword", "maison* de retraite"),
        ("housing", "keyword", "logement*"),
        ("culture", "keyword", "art"),
    )
    assert found(rules, "ASS INTERCOM DE MAISONS RETRAITE") == {"ageing": "maison* de retraite"}
    assert found(rules, "Logements sociaux") == {"housing": "logement*"}
    assert found(rules, "artisans du bâtiment") == {}  # "art" is a whole word, not a stem
    assert found(rules, "") == {} and found(rules, "retraite") == {}


def test_a_word_cut_short_by_the_file_matches_but_not_a_prefix_standing_alone() -> None:
    rules = rules_of(
        ("childhoodYouth", "keyword", "enfance"),
        ("ageing", "keyword", "gérontolog*"),
        ("employment", "keyword", "association* intermédiaire*"),
    )
    assert found(rules, "REZE ACTIV EDUCA SOCIA LOISI ENFAN") == {"childhoodYouth": "enfance"}
    assert found(rules, "CTRE LOCAL INFORM COORD GERON") == {"ageing": "gérontolog*"}
    assert found(rules, "ENF") == {}  # too short to be taken for a cut word
    assert found(rules, "ASSOCIATION INTER FACES") == {}


def test_a_misleading_phrase_cancels_its_domains_keywords_inside_it_only() -> None:
    rules = rules_of(
        ("housing", "keyword", "logement*"),
        ("housing", "misleading", "logement* de fonction"),
        ("employment", "keyword", "logement de fonction"),  # another domain is not blocked
    )
    assert found(rules, "logement de fonction des gardiens") == {
        "employment": "logement de fonction"
    }
    later = found(rules, "logement de fonction, puis logement social")
    assert later == {"employment": "logement de fonction", "housing": "logement*"}


def test_the_longest_keyword_at_a_word_is_the_reason_given() -> None:
    rules = rules_of(("food", "keyword", "aide alimentaire"), ("food", "keyword", "aide*"))
    assert found(rules, "aide alimentaire aux familles") == {"food": "aide alimentaire"}


def test_a_grant_takes_its_objects_domains_else_its_beneficiarys_name() -> None:
    rules = rules_of(("food", "keyword", "aide alimentaire"), ("culture", "keyword", "basket"))
    by_object = rules.grant_evidence(
        objet="aide alimentaire", nature="en numéraire", beneficiary="ANGERS BASKET"
    )
    assert {d: e.place for d, e in by_object.items()} == {"food": "objet"}
    by_name = rules.grant_evidence(objet="fonctionnement", nature=None, beneficiary="ANGERS BASKET")
    assert {d: e.place for d, e in by_name.items()} == {"culture": "nom du bénéficiaire"}
    sentence = by_name["culture"].sentence("Culture", "fr")
    assert sentence == "Culture : « basket » dans le nom du bénéficiaire"


# ----------------------------------------------------------------------------- the scheme
def test_every_shipped_keyword_reads_and_every_misleading_phrase_holds_one() -> None:
    rules = DomainRules.shipped()
    assert len(rules) > 300
    notations = {k.domain for k in rules.keywords}
    assert len(notations) == 14
    assert all(rules.name(d, "fr") != d and rules.name(d, "en") != d for d in notations)
    for phrase in rules.misleading:
        words = [w for w, _ in phrase.pattern]
        mine = [k for k in rules.keywords if k.domain == phrase.domain]
        assert any(any(k.matches_at(words, i) for i in range(len(words))) for k in mine), (
            f"{phrase.domain}: «{phrase.text}» holds none of its keywords: it blocks nothing"
        )


def _shipped_scheme() -> Graph:
    return Graph().parse(ontology_path("schemes/domains.ttl"), format="turtle")


def test_editing_a_hidden_label_of_the_scheme_changes_the_classification(tmp_path: Path) -> None:
    """The rules are the SKOS scheme's: remove a keyword and it no longer fires; add one and
    it does, through a scheme file as a user would edit it."""
    text = "EHPAD Les Glycines"
    assert found(DomainRules.shipped(), text) == {"ageing": "ehpad"}
    graph = _shipped_scheme()
    ageing, housing = URIRef(EGDOM + "ageing"), URIRef(EGDOM + "housing")
    graph.remove((ageing, SKOS.hiddenLabel, Literal("ehpad", lang="fr")))
    graph.add((housing, SKOS.hiddenLabel, Literal("glycine*", lang="fr")))
    edited = tmp_path / "domains.ttl"
    graph.serialize(edited, format="turtle")
    assert found(DomainRules.from_file(edited), text) == {"housing": "glycine*"}


def test_a_misleading_label_added_to_the_scheme_blocks_its_keyword() -> None:
    graph = _shipped_scheme()
    text = "Maison de la culture et des loisirs"
    assert "culture" in found(DomainRules.from_graph(graph), text)
    graph.add((URIRef(EGDOM + "culture"), EG.misleadingLabel, Literal("maison de la culture")))
    assert found(DomainRules.from_graph(graph), text)["culture"] == "loisir*"


def test_the_workspace_reads_the_same_rules_from_its_ontology_graph(tmp_path: Path) -> None:
    with open_store(tmp_path / "ws") as store:
        load_ontology(store)
        from_store = DomainRules.from_store(store)
    shipped = DomainRules.shipped()
    assert from_store.keywords == shipped.keywords
    assert from_store.misleading == shipped.misleading
    assert from_store.names == shipped.names
    assert from_store.fingerprint() == shipped.fingerprint()
