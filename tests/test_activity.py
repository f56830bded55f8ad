"""Per-territory activity counts, by hand on a tiny ecosystem (the golden query tests check
the same counts against the library queries' own SPARQL semantics on a bigger fixture)."""

from __future__ import annotations

import networkx as nx

from ecograph.ingest.territories import read_table
from ecograph.namespaces import territory_iri
from ecograph.network.activity import territory_activity
from ecograph.network.projection import Context, Projection

NANTES = territory_iri("commune", "44109")
METROPOLE = territory_iri("epci", "244400404")
DEPARTEMENT = territory_iri("departement", "44")
REGION = territory_iri("region", "52")
DOMAIN = "https://w3id.org/ecograph/id/domain/"


def _projection() -> Projection:
    G = nx.Graph()
    G.add_node("asso", sector="ess", place=NANTES)
    G.add_node("city", sector="public", place=NANTES)
    G.add_node("firm", sector="privateForProfit", place=territory_iri("commune", "49007"))
    G.add_node("dept", sector="public", place=DEPARTEMENT)
    contexts = {
        "p1": Context("p1", "partnership", domains={DOMAIN + "housing"},
                      members={"asso": "partner", "city": "partner"}),
        "p2": Context("p2", "partnership", domains={DOMAIN + "housing", DOMAIN + "health"},
                      members={"asso": "partner", "firm": "partner", "outsider": "partner"}),
        "j1": Context("j1", "project", domains={DOMAIN + "health"},
                      members={"dept": "participant", "firm": "participant"}),
    }
    return Projection(G, nx.DiGraph(), contexts)


def test_sector_pairs_by_territory_by_hand() -> None:
    pairs, _ = territory_activity(_projection(), read_table())
    found = {(p.territory, p.sector_a, p.sector_b): (p.partnerships, p.projects) for p in pairs}
    # Nantes: p1 (ess–public) and p2 (ess–private, via a member based elsewhere); j1 is not
    # Nantes' (dept and firm are based elsewhere)
    assert found[(NANTES, "ess", "public")] == (1, 0)
    assert found[(NANTES, "ess", "privateForProfit")] == (1, 0)
    assert (NANTES, "privateForProfit", "public") not in found
    # the département gets j1 through the département council itself (based at that level)
    assert found[(DEPARTEMENT, "privateForProfit", "public")] == (0, 1)
    # an EPCI is in no département in the territory graph, and the council is not in the EPCI
    assert (METROPOLE, "privateForProfit", "public") not in found
    # Angers (49007) is in Maine-et-Loire, same région: the région sees everything
    assert found[(REGION, "ess", "privateForProfit")] == (1, 0)
    assert found[(REGION, "privateForProfit", "public")] == (0, 1)


def test_domain_activity_by_hand() -> None:
    _, domains = territory_activity(_projection(), read_table())
    found = {(d.territory, d.domain): d for d in domains}
    housing = found[(NANTES, "housing")]
    # p1 and p2; their members asso, city, firm and the untyped "outsider"
    assert (housing.partnerships, housing.projects, housing.actors) == (2, 0, 4)
    assert housing.sectors == ("ess", "privateForProfit", "public")
    health = found[(DEPARTEMENT, "health")]
    # p2 (asso, in Nantes) and j1 (the council): everyone but the city takes part
    assert (health.partnerships, health.projects, health.actors) == (1, 1, 4)
    assert health.sectors == ("ess", "privateForProfit", "public")
    assert (METROPOLE, "health") in found and found[(METROPOLE, "health")].projects == 0
