"""Partnership gaps: what is missing in a territory, and who should meet.

Structural gaps read the projected graph directly:

* sector pairs that never collaborate in a territory although both sectors are present;
* territory × domain cells where no actor works on the domain, or where no partnership of
  that domain involves a public (or private) partner — weighed by the territory's population,
  the need indicator every territory has;
* isolated actors (no tie) and peripheral ones (a single tie);
* communities (found by the metrics) that have no tie to any other community of their
  département.

Suggested partnerships rank untied pairs with ecograph's fitted link score
(:mod:`ecograph.network.linkpred`) and explain each in a sentence built from the features that
made the score: shared domains, shared partners, same EPCI, and a sector pair that has no tie
in that territory yet.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp

from ecograph.gcpause import collector_paused
from ecograph.geography import TerritoryTable
from ecograph.labels import Labels
from ecograph.network.arrays import graph_arrays, group_codes, sorted_unique
from ecograph.network.linkpred import FEATURES, GraphIndex, candidate_pairs, fit

MAIN_SECTORS = ("public", "privateForProfit")


@dataclass(frozen=True)
class SectorPairGap:
    """Two sectors present in a territory that share no tie there."""

    level: str
    territory: str
    sector_a: str
    sector_b: str
    actors_a: int
    actors_b: int


@dataclass(frozen=True)
class DomainGap:
    """A domain a territory lacks: no actor at all, or no partner of one sector."""

    level: str
    territory: str
    domain: str
    missing: str  # "actor" or a sector ("public", "privateForProfit")
    actors_on_domain: int
    population: int


@dataclass(frozen=True)
class ActorGap:
    """An actor at the edge of the network."""

    actor: Hashable
    name: str
    kind: str  # "isolated" | "peripheral"
    degree: int
    epci: str


@dataclass(frozen=True)
class CommunityGap:
    """Two communities of the same département with no tie between them."""

    departement: str
    community_a: int
    community_b: int
    size_a: int
    size_b: int


@dataclass(frozen=True)
class Suggestion:
    """Two actors who should meet, with the reasons."""

    actor_a: Hashable
    actor_b: Hashable
    score: float
    shared_domains: tuple[str, ...]
    common_partners: int
    same_epci: bool
    sector_pair_untied_here: bool
    explanation: str


# ----------------------------------------------------------------------------- structural
@collector_paused()
def sector_pair_gaps(G: nx.Graph, *, level: str = "epci") -> list[SectorPairGap]:
    """Per territory at ``level``: pairs of present sectors with no tie between them.

    A tie counts for a territory when both actors are in it. Largest pairs (by the product of
    their actor counts) first.
    """
    arrays = graph_arrays(G)
    places, place = group_codes(G, arrays.nodes, level)
    sectors, sector = group_codes(G, arrays.nodes, "sector")
    return _sector_pair_gaps(level, places, place, sectors, sector, arrays.source, arrays.target)


def _sector_pair_gaps(
    level: str,
    places: list[str],
    place: np.ndarray,
    sectors: list[str],
    sector: np.ndarray,
    source: np.ndarray,
    target: np.ndarray,
) -> list[SectorPairGap]:
    """:func:`sector_pair_gaps` on integer codes (labels sorted, so code order is label
    order): one pass of numpy over the ties instead of a dictionary update per tie."""
    k = len(sectors)
    if k == 0 or not places:
        return []
    counts = np.bincount(place * k + sector, minlength=len(places) * k).reshape(-1, k)
    inside = place[source] == place[target]
    a, b = sector[source[inside]], sector[target[inside]]
    tied = set(
        sorted_unique(
            place[source[inside]] * k * k + np.minimum(a, b) * k + np.maximum(a, b)
        ).tolist()
    )
    gaps = []
    for p, territory in enumerate(places):
        if not territory:
            continue
        present = [x for x in range(k) if counts[p, x] and sectors[x]]
        for x, y in itertools.combinations(present, 2):
            if p * k * k + x * k + y not in tied:
                gaps.append(
                    SectorPairGap(
                        level,
                        territory,
                        sectors[x],
                        sectors[y],
                        int(counts[p, x]),
                        int(counts[p, y]),
                    )
                )
    return sorted(
        gaps, key=lambda g: (-g.actors_a * g.actors_b, g.territory, g.sector_a, g.sector_b)
    )


@collector_paused()
def domain_gaps(
    G: nx.Graph,
    contexts: Mapping[str, object],
    table: TerritoryTable,
    domains: Iterable[str],
    *,
    level: str = "epci",
    sectors: Iterable[str] = MAIN_SECTORS,
) -> list[DomainGap]:
    """Territory × domain cells with no actor, or no partnership with a partner of a sector.

    ``contexts`` maps partnership/project IRIs to objects with ``domains`` (concept IRIs) and
    ``members`` (actor IRIs), as :class:`~ecograph.network.projection.Context` has. Weighed by
    population: the same gap matters more where more people live.
    """
    domains = sorted(domains)
    sectors = tuple(sectors)
    working: dict[tuple[str, str], int] = Counter()
    territories: set[str] = set()
    for _, data in G.nodes(data=True):
        territory = data.get(level)
        if not territory:
            continue
        territories.add(territory)
        for domain in (data.get("domains") or "").split():
            working[(territory, domain)] += 1
    partnered: set[tuple[str, str, str]] = set()
    for context in contexts.values():
        members = [m for m in getattr(context, "members", {}) if m in G]
        for concept in getattr(context, "domains", ()):
            domain = concept.rsplit("/", 1)[-1]
            for member in members:
                data = G.nodes[member]
                if data.get(level):
                    partnered.add((data[level], domain, data.get("sector", "")))
    gaps = []
    for territory in sorted(territories):
        population = _population(table, level, territory)
        for domain in domains:
            count = working[(territory, domain)]
            if count == 0:
                gaps.append(DomainGap(level, territory, domain, "actor", 0, population))
                continue
            for sector in sectors:
                if (territory, domain, sector) not in partnered:
                    gaps.append(DomainGap(level, territory, domain, sector, count, population))
    return sorted(
        gaps, key=lambda g: (g.missing != "actor", -g.population, g.territory, g.domain, g.missing)
    )


def _population(table: TerritoryTable, level: str, code: str) -> int:
    if level == "epci" and code in table.epcis:
        return int(table.epcis[code][2] or 0)
    if level == "commune" and code in table.communes:
        return int(table.communes[code].population or 0)
    if level in ("departement", "region"):
        return sum(c.population or 0 for c in table.communes.values() if getattr(c, level) == code)
    return 0


@collector_paused()
def actor_gaps(G: nx.Graph) -> list[ActorGap]:
    """Isolated actors (no tie) and peripheral ones (one tie), by name."""
    gaps = []
    for node, degree in G.degree():
        if degree <= 1:
            data = G.nodes[node]
            gaps.append(
                ActorGap(
                    node,
                    data.get("name", ""),
                    "isolated" if degree == 0 else "peripheral",
                    degree,
                    data.get("epci", ""),
                )
            )
    return sorted(gaps, key=lambda g: (g.degree, g.epci, g.name, str(g.actor)))


#: Community gaps listed per département, the pairs with the largest communities first. A
#: département of the national register holds thousands of small communities, so "every
#: untied pair" would be millions of rows nobody reads (and quadratic time to list them).
COMMUNITY_GAPS_PER_DEPARTEMENT = 100


@collector_paused()
def community_gaps(
    G: nx.Graph,
    communities: list[set[Hashable]],
    *,
    per_departement: int | None = COMMUNITY_GAPS_PER_DEPARTEMENT,
) -> list[CommunityGap]:
    """Pairs of communities based mostly in the same département with no tie between them.

    Communities are numbered from 1 in the order given — the order of
    :func:`~ecograph.network.communities.louvain_communities` and of the metrics tables
    (largest first). A community's département is the one most of its members are based in
    (ties broken by code, so the answer does not depend on set order). Single actors are not
    communities here: they are the isolated actors of :func:`actor_gaps`.

    At most ``per_departement`` pairs per département (None: all), those whose sizes have the
    largest product: the pairs are walked from the largest down (:func:`_largest_pairs`), so
    the work follows the rows listed and the ties, not the square of the communities.
    """
    membership = {node: i for i, members in enumerate(communities, start=1) for node in members}
    linked = {
        (min(membership[a], membership[b]), max(membership[a], membership[b]))
        for a, b in G.edges()
        if a in membership and b in membership and membership[a] != membership[b]
    }
    by_departement: dict[str, list[tuple[int, int]]] = {}
    for i, members in enumerate(communities, start=1):
        if len(members) < 2:
            continue
        departements = Counter(G.nodes[m].get("departement", "") for m in members)
        home = min(departements.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if home:
            by_departement.setdefault(home, []).append((len(members), i))
    gaps = []
    for departement, sized in by_departement.items():
        for (size_a, a), (size_b, b) in _largest_pairs(sized, linked, per_departement):
            gaps.append(CommunityGap(departement, a, b, size_a, size_b))
    return sorted(gaps, key=lambda g: (-g.size_a * g.size_b, g.community_a, g.community_b))


def _largest_pairs(
    sized: list[tuple[int, int]], linked: set[tuple[int, int]], limit: int | None
) -> Iterable[tuple[tuple[int, int], tuple[int, int]]]:
    """Untied pairs of ``(size, number)`` communities, largest size product first (then by
    numbers), at most ``limit`` of them.

    With the communities sorted by size, pair (i, j) can only be reached after (i, j - 1) and
    (i - 1, i) (the first of each never smaller), so a heap of the frontier yields the pairs
    in order without listing them all.
    """
    order = sorted(sized, key=lambda c: (-c[0], c[1]))
    n = len(order)

    def key(i: int, j: int) -> tuple[int, int, int]:
        a, b = sorted((order[i][1], order[j][1]))
        return (-order[i][0] * order[j][0], a, b)

    frontier = [(key(0, 1), 0, 1)] if n > 1 else []
    listed = 0
    while frontier and (limit is None or listed < limit):
        _, i, j = heapq.heappop(frontier)
        if j + 1 < n:
            heapq.heappush(frontier, (key(i, j + 1), i, j + 1))
        if j == i + 1 and j + 1 < n:
            heapq.heappush(frontier, (key(j, j + 1), j, j + 1))
        first, second = sorted((order[i], order[j]), key=lambda c: c[1])
        if (first[1], second[1]) not in linked:
            listed += 1
            yield first, second


# ----------------------------------------------------------------------------- suggestions
#: Candidate pairs scored at once: features of a pair are sparse row products, so memory grows
#: with the batch (the millions of candidates of 100,000 actors in one batch need gigabytes).
SCORING_CHUNK = 200_000


@collector_paused()
def suggest(
    G: nx.Graph,
    labels: Labels,
    *,
    actor: Hashable | None = None,
    top: int = 20,
    seed: int = 0,
) -> list[Suggestion]:
    """The ``top`` untied pairs with the highest fitted score, each explained.

    With ``actor``, only pairs that involve it: "who should this actor meet?" — scored against
    every actor of its département, not only the usual candidates. ``labels`` names the
    sectors, domains and EPCIs of the explanations, in its language.
    """
    if G.number_of_nodes() < 3:
        return []
    index = GraphIndex(G)
    model = fit(index, seed=seed)
    if actor is not None:
        if actor not in index.index:
            raise KeyError(f"{actor} is not in the projected graph")
        u, v = _pairs_for(index, index.index[actor])
    else:
        u, v = candidate_pairs(index, seed=seed)
    if u.size == 0:
        return []
    best_u, best_v, best_score, best_common = [], [], [], []
    for chunk in range(0, u.size, SCORING_CHUNK):
        cu, cv = u[chunk : chunk + SCORING_CHUNK], v[chunk : chunk + SCORING_CHUNK]
        features = index.features(cu, cv)
        scores = model.score(features)
        keep = _best(scores, cu, cv, top)
        best_u.append(cu[keep])
        best_v.append(cv[keep])
        best_score.append(scores[keep])
        best_common.append(features.common[keep])
    u, v = np.concatenate(best_u), np.concatenate(best_v)
    scores, common = np.concatenate(best_score), np.concatenate(best_common)
    order = np.lexsort((v, u, -scores))[:top]
    untied_pairs = _untied_sector_pairs(index)
    suggestions = []
    for i in order.tolist():
        a, b = index.nodes[int(u[i])], index.nodes[int(v[i])]
        suggestions.append(
            _explain(G, a, b, float(scores[i]), int(common[i]), untied_pairs, labels)
        )
    return suggestions


def _best(scores: np.ndarray, u: np.ndarray, v: np.ndarray, top: int) -> np.ndarray:
    """Positions of the ``top`` best pairs, by score then (u, v): what a full lexsort gives,
    but sorting only the pairs at or above the top-th score (a chunk holds 200,000)."""
    if scores.size > top:
        threshold = np.partition(scores, scores.size - top)[scores.size - top]
        at_least = np.flatnonzero(scores >= threshold)
    else:
        at_least = np.arange(scores.size)
    order = np.lexsort((v[at_least], u[at_least], -scores[at_least]))
    return at_least[order][:top]


def _pairs_for(index: GraphIndex, actor: int) -> tuple[np.ndarray, np.ndarray]:
    departement = index.departement[actor]
    same = np.flatnonzero(index.departement == departement)
    if np.asarray(index.dept_labels)[departement] == "":
        same = np.arange(len(index.nodes))
    others = same[same != actor]
    tied = np.asarray(index.adjacency[np.full(others.size, actor), others]).ravel() > 0
    others = others[~tied]
    return np.minimum(actor, others), np.maximum(actor, others)


def _untied_sector_pairs(index: GraphIndex) -> set[tuple[str, frozenset[str]]]:
    """(EPCI, sector pair) combinations with no tie inside that EPCI, from the index's
    arrays (the explanations need them; rebuilding them from the graph costs seconds at
    100,000 actors)."""
    ties = sp.triu(index.adjacency, k=1).tocoo()
    gaps = _sector_pair_gaps(
        "epci",
        list(index.epci_labels),
        index.epci,
        list(index.sector_labels),
        index.sector,
        ties.row.astype(np.int64),
        ties.col.astype(np.int64),
    )
    return {(g.territory, frozenset((g.sector_a, g.sector_b))) for g in gaps}


_TEXT = {
    "en": {
        "subject": "Both",
        "work": "work on {domains}",
        "be": "are based",
        "place": "in {place}",
        "partners": "share {n} partner{s}",
        "none": "have no partner in common",
        "gap": "no {a}–{b} tie exists there yet",
        "and": " and ",
        "list": ", ",
        "then": ", and ",
    },
    "fr": {
        "subject": "Les deux",
        "work": "travaillent sur {domains}",
        "be": "sont établis",
        "place": "sur le territoire de {place}",
        "partners": "ont {n} partenaire{s} en commun",
        "none": "n'ont aucun partenaire commun",
        "gap": "aucun lien {a}–{b} n'y existe encore",
        "and": " et ",
        "list": ", ",
        "then": " ; ",
    },
}


def _explain(
    G: nx.Graph,
    a: Hashable,
    b: Hashable,
    score: float,
    common: int,
    untied_pairs: set[tuple[str, frozenset[str]]],
    labels: Labels,
) -> Suggestion:
    """One sentence from the facts behind the score, e.g. "Both work on housing in Nantes
    Métropole and share 3 partners, and no association–local authority tie exists there"."""
    text = _TEXT["fr" if labels.lang == "fr" else "en"]
    da, db = G.nodes[a], G.nodes[b]
    shared = tuple(
        sorted(set((da.get("domains") or "").split()) & set((db.get("domains") or "").split()))
    )
    same_epci = bool(da.get("epci")) and da.get("epci") == db.get("epci")
    sectors = frozenset((da.get("sector", ""), db.get("sector", "")))
    gap_here = same_epci and len(sectors) == 2 and (da["epci"], sectors) in untied_pairs
    place = (
        " " + text["place"].format(place=labels.territory("epci", da["epci"]) or da["epci"])
        if same_epci
        else ""
    )
    clauses = []
    if shared:
        names = [labels.domain(d).lower() for d in shared]
        clauses.append(text["work"].format(domains=_join(names, text)) + place)
    elif same_epci:
        clauses.append(text["be"] + place)
    clauses.append(
        text["partners"].format(n=common, s="s" if common > 1 else "") if common else text["none"]
    )
    sentence = f"{text['subject']} {_join(clauses, text)}"
    if gap_here:
        x, y = sorted(sectors)
        sentence += text["then"] + text["gap"].format(
            a=labels.sector(x).lower(), b=labels.sector(y).lower()
        )
    return Suggestion(a, b, round(score, 6), shared, common, same_epci, gap_here, sentence + ".")


def _join(items: list[str], text: Mapping[str, str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return text["list"].join(items[:-1]) + text["and"] + items[-1]


__all__ = [
    "FEATURES",
    "ActorGap",
    "CommunityGap",
    "DomainGap",
    "SectorPairGap",
    "Suggestion",
    "actor_gaps",
    "community_gaps",
    "domain_gaps",
    "sector_pair_gaps",
    "suggest",
]
