"""Who works with whom, territory by territory: the summaries behind four library queries.

"Which sector pairs never collaborate in this territory?" and "which domains have no public
partner here?" need every partnership's members and their sectors. Asked of Oxigraph on disk
at 100,000 actors, such a query reads about a million rows and takes 10–25 s (issue 4). The
projection already holds those rows in memory, so this module counts, for every territory,
what those queries count, and :mod:`ecograph.network.metrics_rdf` writes the counts into the
metrics graph, where the queries read a few dozen rows.

The semantics are the library queries' own, so the same fixture gives the same golden
results either way (tests/test_queries.py):

- a partnership or project *belongs to* a territory when at least one of its partners or
  participants is based in it, at any level: an actor's ``eg:basedIn`` place and every
  territory that place lies in (``eg:within*``, :meth:`TerritoryTable.enclosing`);
- a *sector pair* of a partnership or project is two different sectors of its members
  (members anywhere, not only local ones);
- a *domain* of a partnership or project is its ``eg:domain``; the actors of a domain in a
  territory are the members of its partnerships and projects there.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx

from ecograph.ingest.territories import TerritoryTable
from ecograph.network.projection import Projection


@dataclass(frozen=True)
class SectorPairActivity:
    """The partnerships and projects of a territory that bring sectors ``sector_a`` and
    ``sector_b`` (local names, ``sector_a < sector_b`` as IRIs) together."""

    territory: str
    sector_a: str
    sector_b: str
    partnerships: int
    projects: int


@dataclass(frozen=True)
class DomainActivity:
    """The partnerships and projects of a territory on one domain (local name): how many,
    how many distinct actors take part, and the sectors (local names) those actors are in."""

    territory: str
    domain: str
    partnerships: int
    projects: int
    actors: int
    sectors: tuple[str, ...]


def territory_activity(projection: Projection, table: TerritoryTable
                       ) -> tuple[list[SectorPairActivity], list[DomainActivity]]:
    """Count sector pairs and domain activity for every territory with any activity.

    Sorted by territory IRI, then sectors or domain: same projection, same lists.
    """
    G = projection.collaboration
    places = _enclosing_of_members(G, table)
    pairs: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    domain_contexts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    domain_members: dict[tuple[str, str], set[str]] = defaultdict(set)
    for context in projection.contexts.values():
        members = sorted(context.members)
        territories = sorted({t for m in members for t in places.get(m, ())})
        if not territories:
            continue
        slot = 0 if context.kind == "partnership" else 1
        sectors = sorted({G.nodes[m]["sector"] for m in members
                          if m in G and G.nodes[m].get("sector")})
        domains = sorted(_local(d) for d in context.domains)
        for territory in territories:
            for a, b in itertools.combinations(sectors, 2):
                pairs[(territory, a, b)][slot] += 1
            for domain in domains:
                domain_contexts[(territory, domain)][slot] += 1
                domain_members[(territory, domain)].update(members)
    sector_rows = [SectorPairActivity(t, a, b, n[0], n[1])
                   for (t, a, b), n in sorted(pairs.items())]
    domain_rows = []
    for (territory, domain), counts in sorted(domain_contexts.items()):
        members = domain_members[(territory, domain)]
        present = sorted({G.nodes[m]["sector"] for m in members
                          if m in G and G.nodes[m].get("sector")})
        domain_rows.append(DomainActivity(territory, domain, counts[0], counts[1],
                                          len(members), tuple(present)))
    return sector_rows, domain_rows


def _enclosing_of_members(G: nx.Graph, table: TerritoryTable) -> dict[str, tuple[str, ...]]:
    """Each actor's place and the territories around it (computed once per place)."""
    cache: dict[str, tuple[str, ...]] = {}
    found = {}
    for actor, place in G.nodes(data="place", default=""):
        if place not in cache:
            cache[place] = table.enclosing(place)
        if cache[place]:
            found[actor] = cache[place]
    return found


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
