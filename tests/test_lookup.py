"""Finding an actor from what a person types: name, short id, CURIE or IRI."""

from __future__ import annotations

import networkx as nx
import pytest

from ecograph.network.lookup import ActorNotFound, find_actor

BASE = "https://w3id.org/ecograph/data/actor/"


@pytest.fixture
def graph() -> nx.Graph:
    g = nx.Graph()
    g.add_node(BASE + "sample-a0099", name="Asso Cap Emploi – Nantes")
    g.add_node(BASE + "sample-a0100", name="Asso Élan Emploi – Nantes")
    g.add_node(BASE + "siren/775672272", name="Fondation Abri")
    g.add_node(BASE + "other/775672272", name="Fondation Abri bis")
    g.add_node(BASE + "sample-a0200", name="Maison des Jeunes")
    g.add_node(BASE + "sample-a0201", name="Maison des jeunes")
    return g


@pytest.mark.parametrize(
    "typed",
    [
        BASE + "sample-a0099",
        "sample-a0099",
        "data:actor/sample-a0099",
        "Asso Cap Emploi – Nantes",
        "asso cap emploi - nantes",
        "  ASSO CAP EMPLOI NANTES ",
    ],
)
def test_every_way_of_naming_an_actor_finds_it(graph: nx.Graph, typed: str) -> None:
    assert find_actor(graph, typed) == BASE + "sample-a0099"


def test_accents_do_not_matter(graph: nx.Graph) -> None:
    assert find_actor(graph, "asso elan emploi nantes") == BASE + "sample-a0100"


def test_an_ending_shared_by_two_actors_is_refused_listing_both(graph: nx.Graph) -> None:
    with pytest.raises(ActorNotFound, match="2 actors answer") as caught:
        find_actor(graph, "775672272")
    assert "Fondation Abri (" in str(caught.value) and "Fondation Abri bis" in str(caught.value)
    assert find_actor(graph, "siren/775672272") == BASE + "siren/775672272"


def test_a_name_shared_by_two_actors_is_refused(graph: nx.Graph) -> None:
    with pytest.raises(ActorNotFound, match="2 actors answer"):
        find_actor(graph, "maison des jeunes")


def test_an_unknown_name_names_the_closest_and_how_to_list_actors(graph: nx.Graph) -> None:
    with pytest.raises(ActorNotFound) as caught:
        find_actor(graph, "Asso Cap Emploie Nantes")
    message = str(caught.value)
    assert "closest names: Asso Cap Emploi – Nantes" in message
    assert "ecograph query actors-in-territory" in message
