"""Cross-sector metrics: hand-computed values on small drawn graphs, agreement with networkx
where it has the measure, fast engines (igraph, scipy) against networkx on seeded random
graphs, determinism, and sanity on the built-in sample."""

from __future__ import annotations

import doctest
import itertools
import json
import math
import random
from collections import Counter
from fractions import Fraction

import networkx as nx
import numpy as np
import pytest

from ecograph.network import (
    brokerage,
    centrality,
    communities,
    diversity,
    metrics,
    mixing,
)
from ecograph.network.brokerage import ROLES, brokerage_roles, constraint, effective_size
from ecograph.network.centrality import betweenness
from ecograph.network.communities import louvain_communities, modularity
from ecograph.network.diversity import blau, group_diversity, partner_diversity, shannon
from ecograph.network.metrics import MetricsResult, compute_metrics
from ecograph.network.mixing import (
    attribute_assortativity,
    cross_sector_share,
    cross_sector_ties,
    ei_index,
    ei_index_by_group,
    ei_index_by_node,
    mixing_matrix,
    tie_summaries,
)
from ecograph.network.projection import Context, Projection, project

SECTORS = ("public", "privateForProfit", "ess", "civilSociety", "academic")


def close(a: float | None, b: float | None, tol: float = 1e-9) -> bool:
    if a is None or b is None:
        return a is b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= tol


def same_values(ours: dict, reference: dict, keys=None) -> bool:
    return all(close(ours[k], reference[k]) for k in (keys if keys is not None else reference))


# --------------------------------------------------------------------------- drawn graphs
def five_actors() -> nx.Graph:
    r"""Five actors, three sectors, two EPCIs (p2 has none)::

        a1 (ess, X) ─── a2 (ess, X)
          │     ╲          │
          │      ╲─── c1 (civilSociety, X)
          │
        p1 (public, Y)
          │
        p2 (public, —)

    Ties: a1–a2 and p1–p2 inside a sector (I = 2); a1–p1, a1–c1, a2–c1 across (E = 3).
    """
    G = nx.Graph()
    for node, sector, epci, domains in (
        ("a1", "ess", "X", "housing employment"),
        ("a2", "ess", "X", "housing"),
        ("c1", "civilSociety", "X", "employment"),
        ("p1", "public", "Y", ""),
        ("p2", "public", "", ""),
    ):
        G.add_node(node, sector=sector, epci=epci, domains=domains)
    G.add_edges_from(
        [("a1", "a2"), ("a1", "p1"), ("a1", "c1"), ("a2", "c1"), ("p1", "p2")], weight=1
    )
    return G


def random_graph(seed: int, n: int = 30, m: int = 60, *, directed: bool = False) -> nx.Graph:
    """A seeded random graph with weights 1–5, five sectors, an isolated node and two EPCIs."""
    rng = random.Random(seed)
    G = nx.gnm_random_graph(n, m, seed=seed, directed=directed)
    G.add_node(n)  # isolated
    for u, v in G.edges():
        G[u][v]["weight"] = rng.randint(1, 5)
    for node in G:
        G.nodes[node]["sector"] = rng.choice(SECTORS)
        G.nodes[node]["epci"] = rng.choice(("", "A", "B"))
        G.nodes[node]["domains"] = " ".join(
            rng.sample(("housing", "food", "mobility"), rng.randint(0, 2))
        )
    return G


# --------------------------------------------------------------------------- mixing
def test_cross_sector_share_and_ei_by_hand() -> None:
    G = five_actors()
    assert cross_sector_share(G) == pytest.approx(3 / 5)
    assert ei_index(G) == pytest.approx((3 - 2) / 5)


def test_ei_index_by_group_by_hand() -> None:
    # civilSociety: E = 2 (a1–c1, a2–c1), I = 0; ess: E = 3, I = 1; public: E = 1, I = 1
    assert ei_index_by_group(five_actors()) == pytest.approx(
        {"civilSociety": 1.0, "ess": (3 - 1) / 4, "public": 0.0}
    )


def test_ei_index_by_node_by_hand() -> None:
    # a1: a2 same, p1 and c1 other → (2 − 1)/3; p2: only p1, same sector → −1
    assert ei_index_by_node(five_actors()) == pytest.approx(
        {"a1": 1 / 3, "a2": 0.0, "c1": 1.0, "p1": 0.0, "p2": -1.0}
    )


def test_ei_index_of_an_isolated_node_is_nan() -> None:
    G = five_actors()
    G.add_node("lonely", sector="ess")
    assert math.isnan(ei_index_by_node(G)["lonely"])


def test_mixing_matrix_by_hand() -> None:
    G = five_actors()
    assert mixing_matrix(G) == {
        "civilSociety": {"civilSociety": 0, "ess": 2, "public": 0},
        "ess": {"civilSociety": 2, "ess": 1, "public": 1},
        "public": {"civilSociety": 0, "ess": 1, "public": 1},
    }
    # rows divided by the ties involving the sector: civilSociety 2, ess 4, public 2
    assert mixing_matrix(G, normalized=True) == {
        "civilSociety": {"civilSociety": 0.0, "ess": 1.0, "public": 0.0},
        "ess": {"civilSociety": 0.5, "ess": 0.25, "public": 0.25},
        "public": {"civilSociety": 0.0, "ess": 0.5, "public": 0.5},
    }


def test_mixing_matrix_fixed_groups_include_absent_sectors() -> None:
    matrix = mixing_matrix(five_actors(), groups=SECTORS)
    assert list(matrix) == list(SECTORS)
    assert matrix["academic"] == dict.fromkeys(SECTORS, 0)


def test_assortativity_by_hand() -> None:
    # Tie ends (both directions): civ–ess 2+2, ess–ess 2, ess–pub 1+1, pub–pub 2; total 10.
    # trace = 4/10; row sums a = (2, 5, 3)/10; r = (0.4 − 0.38)/(1 − 0.38) = 1/31.
    assert attribute_assortativity(five_actors()) == pytest.approx(1 / 31)


@pytest.mark.parametrize("seed", range(8))
def test_mixing_agrees_with_networkx(seed: int) -> None:
    G = random_graph(seed, directed=seed % 2 == 1)
    labels = sorted(set(nx.get_node_attributes(G, "sector").values()))
    reference = nx.attribute_mixing_matrix(
        G, "sector", mapping={s: i for i, s in enumerate(labels)}, normalized=False
    )
    ours = mixing_matrix(G)
    for i, s in enumerate(labels):
        for j, t in enumerate(labels):
            # networkx counts tie ends: an undirected within-sector tie twice
            expected = reference[i, j] / (2 if i == j and not G.is_directed() else 1)
            assert ours[s][t] == expected
    assert attribute_assortativity(G) == pytest.approx(
        nx.attribute_assortativity_coefficient(G, "sector"), abs=1e-12
    )


def test_tie_summaries_by_territory_by_hand() -> None:
    # X: a1, a2, c1; its ties a1–a2, a1–c1, a2–c1 (internal) and a1–p1; cross: 3 of 4.
    # Y: p1; its ties a1–p1 (cross) and p1–p2 (same sector; p2 has no EPCI, so not internal).
    summary = tie_summaries(five_actors(), "epci")
    assert list(summary) == ["X", "Y"]
    x, y = summary["X"], summary["Y"]
    assert (x.actors, x.ties, x.internal_ties, x.cross_sector_ties) == (3, 4, 3, 3)
    assert x.ei_index == pytest.approx(0.5)
    assert x.cross_sector_share == pytest.approx(0.75)
    assert (y.actors, y.ties, y.internal_ties, y.cross_sector_ties) == (1, 2, 0, 1)
    assert y.ei_index == 0.0


def test_tie_summaries_by_domain_with_edge_keys_by_hand() -> None:
    # The partnerships behind a1–a2 are about housing, a1–c1 employment, a2–c1 both.
    edge_keys = {
        ("a1", "a2"): {"housing"},
        ("a1", "c1"): {"employment"},
        ("c1", "a2"): {"housing", "employment"},
    }  # either order is accepted
    summary = tie_summaries(five_actors(), "domains", edge_keys=edge_keys)
    housing, employment = summary["housing"], summary["employment"]
    # housing: a1, a2 work on it; ties a1–a2 (internal, same sector), a2–c1 (cross)
    assert (housing.actors, housing.ties, housing.internal_ties, housing.cross_sector_ties) == (
        2,
        2,
        1,
        1,
    )
    # employment: a1, c1; ties a1–c1 (internal), a2–c1; both cross → E-I = 1
    assert (
        employment.actors,
        employment.ties,
        employment.internal_ties,
        employment.cross_sector_ties,
    ) == (2, 2, 1, 2)
    assert employment.ei_index == 1.0


def _brute_force_summaries(G, by, edge_keys=None):
    keys = {n: set(str(d.get(by, "")).split()) for n, d in G.nodes(data=True)}
    actors = Counter(k for ks in keys.values() for k in ks)
    rows: dict[str, list[int]] = {}
    for u, v in G.edges():
        groups = set(edge_keys.get((u, v), ())) if edge_keys is not None else keys[u] | keys[v]
        for k in groups:
            row = rows.setdefault(k, [0, 0, 0])
            row[0] += 1
            row[1] += k in keys[u] and k in keys[v]
            row[2] += G.nodes[u]["sector"] != G.nodes[v]["sector"]
    return {k: (actors[k], *rows.get(k, [0, 0, 0])) for k in set(actors) | set(rows)}


@pytest.mark.parametrize("seed", range(6))
def test_tie_summaries_agree_with_brute_force(seed: int) -> None:
    G = random_graph(seed)
    rng = random.Random(seed)
    edge_keys = {
        e: set(rng.sample(("housing", "food", "culture"), rng.randint(0, 2))) for e in G.edges()
    }
    for by, keys in (("epci", None), ("sector", None), ("domains", None), ("domains", edge_keys)):
        expected = _brute_force_summaries(G, by, keys)
        found = tie_summaries(G, by, edge_keys=keys)
        assert list(found) == sorted(found)
        assert {
            k: (s.actors, s.ties, s.internal_ties, s.cross_sector_ties) for k, s in found.items()
        } == expected


# --------------------------------------------------------------------------- diversity
def test_blau_and_shannon_by_hand() -> None:
    assert blau({"ess": 2, "public": 1, "academic": 1}) == pytest.approx(1 - (4 + 1 + 1) / 16)
    assert shannon([1, 1, 1, 1]) == pytest.approx(math.log(4))  # natural log
    assert blau([5]) == 0.0 and shannon([5]) == 0.0
    assert blau([3, 0]) == 0.0  # empty groups do not count
    assert math.isnan(blau([])) and math.isnan(shannon({}))


def test_partner_diversity_by_hand() -> None:
    # a1's partners: a2 (ess), p1 (public), c1 (civilSociety) → three thirds
    # a2's partners: a1 (ess), c1 (civilSociety) → halves; c1's: a1, a2, both ess
    found = partner_diversity(five_actors())
    expected = {
        "a1": (2 / 3, math.log(3)),
        "a2": (0.5, math.log(2)),
        "c1": (0.0, 0.0),
        "p1": (0.5, math.log(2)),
        "p2": (0.0, 0.0),
    }
    for node, (b, h) in expected.items():
        assert found[node] == pytest.approx((b, h))


@pytest.mark.parametrize("seed", range(4))
def test_partner_diversity_agrees_with_counting(seed: int) -> None:
    G = random_graph(seed)
    found = partner_diversity(G)
    for node in G:
        counts = Counter(G.nodes[v]["sector"] for v in G[node])
        assert close(found[node][0], blau(counts)) and close(found[node][1], shannon(counts))


def test_group_diversity_by_hand() -> None:
    # {a1, a2, c1}: ess 2, civilSociety 1 → Blau 1 − (4 + 1)/9 = 4/9
    ((b, h),) = group_diversity(five_actors(), [["a1", "a2", "c1"]])
    assert b == pytest.approx(4 / 9)
    assert h == pytest.approx(-(2 / 3) * math.log(2 / 3) - (1 / 3) * math.log(1 / 3))


# --------------------------------------------------------------------------- betweenness
def test_betweenness_by_hand() -> None:
    # a1 separates {p1, p2} from {a2, c1}: 4 pairs; p1 separates p2 from the rest: 3 pairs.
    # Normalised by (n − 1)(n − 2)/2 = 6 unordered pairs.
    found = betweenness(five_actors())
    assert found == pytest.approx({"a1": 4 / 6, "a2": 0.0, "c1": 0.0, "p1": 3 / 6, "p2": 0.0})


@pytest.mark.parametrize("seed", range(8))
def test_betweenness_igraph_equals_networkx_exact(seed: int) -> None:
    G = random_graph(seed, directed=seed % 2 == 1)
    for normalized in (True, False):
        ours = betweenness(G, normalized=normalized)
        assert list(ours) == list(G)
        assert same_values(ours, nx.betweenness_centrality(G, normalized=normalized))


@pytest.mark.parametrize("seed", range(8))
def test_betweenness_igraph_equals_networkx_sampled(seed: int) -> None:
    """Above the threshold both engines draw the same sources for the same seed."""
    G = random_graph(seed, n=60, m=150, directed=seed % 2 == 1)
    ours = betweenness(G, exact_below=10, samples=12, seed=seed)
    reference = betweenness(G, exact_below=10, samples=12, seed=seed, engine="networkx")
    assert same_values(ours, reference)
    assert same_values(reference, nx.betweenness_centrality(G, k=12, seed=seed))


@pytest.mark.parametrize("directed", [False, True])
def test_betweenness_ignores_self_loops_as_networkx_does(directed: bool) -> None:
    G = random_graph(2, directed=directed)
    G.add_edges_from([(1, 1), (5, 5)])
    assert same_values(betweenness(G), nx.betweenness_centrality(G))
    assert same_values(
        betweenness(G, exact_below=5, samples=9, seed=2), nx.betweenness_centrality(G, k=9, seed=2)
    )


def test_betweenness_sampling_is_seeded() -> None:
    G = random_graph(3, n=80, m=200)
    first = betweenness(G, exact_below=10, samples=20, seed=7)
    assert betweenness(G, exact_below=10, samples=20, seed=7) == first
    assert betweenness(G, exact_below=10, samples=20, seed=8) != first


@pytest.mark.parametrize("directed", [False, True])
def test_betweenness_split_across_worker_processes_equals_networkx(
    directed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large jobs are summed from parts computed in worker processes: same values, exact and
    sampled, as networkx (the threshold is lowered so a small graph takes that path)."""
    monkeypatch.setattr(centrality, "PARALLEL_BETWEENNESS_WORK", 0)
    monkeypatch.setattr(centrality.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    G = random_graph(4, n=50, m=120, directed=directed)
    assert same_values(betweenness(G), nx.betweenness_centrality(G))
    assert same_values(
        betweenness(G, exact_below=10, samples=9, seed=4), nx.betweenness_centrality(G, k=9, seed=4)
    )


def test_split_sources_uses_every_core_for_large_jobs_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(centrality.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    sources = np.arange(10)
    small = centrality._split_sources(sources, edges=10)
    assert [part.tolist() for part in small] == [sources.tolist()]
    large = centrality._split_sources(sources, edges=centrality.PARALLEL_BETWEENNESS_WORK)
    assert [part.tolist() for part in large] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    monkeypatch.setattr(centrality.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert len(centrality._split_sources(sources, edges=10**9)) == 1
    monkeypatch.setattr(
        centrality.os, "sched_getaffinity", lambda pid: set(range(64)), raising=False
    )
    many = centrality._split_sources(sources, edges=10**9)
    assert len(many) == centrality.MAX_BETWEENNESS_PROCESSES
    assert sorted(np.concatenate(many).tolist()) == sources.tolist()


def test_betweenness_unknown_engine() -> None:
    with pytest.raises(ValueError, match="engine"):
        betweenness(five_actors(), engine="graph-tool")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- structural holes
def test_star_constraint_and_effective_size_by_hand() -> None:
    # centre 0 with k = 4 unconnected partners: constraint k·(1/k)² = 1/4, effective size 4;
    # each leaf has a single partner: constraint 1, effective size 1
    G = nx.star_graph(4)
    assert constraint(G) == pytest.approx({0: 0.25, 1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0})
    assert effective_size(G) == pytest.approx({0: 4.0, 1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0})


def test_constraint_and_effective_size_by_hand() -> None:
    # c1's partners a1, a2 are tied: p(c1,a1) = p(c1,a2) = 1/2, p(a2,a1) = 1/2, p(a1,a2) = 1/3
    # constraint(c1) = (1/2 + 1/2·1/2)² + (1/2 + 1/2·1/3)² = 9/16 + 4/9 = 145/144
    # effective size (Borgatti n − 2t/n): a1 has 3 partners, 1 tie among them → 3 − 2/3
    G = five_actors()
    assert constraint(G)["c1"] == pytest.approx(145 / 144)
    assert effective_size(G) == pytest.approx(
        {"a1": 7 / 3, "a2": 1.0, "c1": 1.0, "p1": 2.0, "p2": 1.0}
    )


def test_weighted_constraint_and_effective_size_by_hand() -> None:
    r"""Triangle a–b (weight 2), b–c (1), a–c (1)::

            a
         2 ╱ ╲ 1
          b ─── c
             1

    p(a,b) = 2/3, p(a,c) = 1/3, p(c,b) = 1/2, p(b,c) = 1/3;
    constraint(a) = (2/3 + 1/3·1/2)² + (1/3 + 2/3·1/3)² = 25/36 + 25/81 = 325/324.
    m(b,c) = 1/2 (b's strongest tie weighs 2), m(c,b) = 1;
    effective size(a) = (1 − 1/3·1/2) + (1 − 2/3·1) = 7/6.
    """
    G = nx.Graph()
    G.add_edge("a", "b", weight=2)
    G.add_edge("b", "c", weight=1)
    G.add_edge("a", "c", weight=1)
    assert constraint(G, weight="weight")["a"] == pytest.approx(float(Fraction(325, 324)))
    assert effective_size(G, weight="weight")["a"] == pytest.approx(7 / 6)


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("weight", [None, "weight"])
def test_structural_holes_agree_with_networkx(seed: int, weight: str | None) -> None:
    """Against networkx's node-by-node definition (``nodes=`` given). For a directed graph
    that path returns NaN for nodes without successors, so only the others are compared
    there; networkx's all-nodes sparse path of ``constraint`` covers every node. (Its
    all-nodes path of weighted ``effective_size`` divides by the wrong node's largest weight,
    so it is not used as a reference.)"""
    G = random_graph(seed, directed=seed % 2 == 1)
    keys = [v for v in G if len(G[v]) or not nx.degree(G, v)]
    assert same_values(
        constraint(G, weight=weight), nx.constraint(G, nodes=list(G), weight=weight), keys
    )
    assert same_values(
        effective_size(G, weight=weight), nx.effective_size(G, nodes=list(G), weight=weight), keys
    )
    assert same_values(constraint(G, weight=weight), nx.constraint(G, weight=weight))


def test_structural_holes_refuse_self_loops() -> None:
    G = nx.Graph([(1, 1), (1, 2)])
    with pytest.raises(nx.NetworkXError, match="self-loops"):
        constraint(G)


def test_structural_holes_on_many_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of the masked product join up to the whole, and to networkx, on a graph with
    hubs (funders of many, tied to each other) where shared partners are walked from the
    endpoint with fewer."""
    G = random_graph(11, n=50, m=140)
    for hub in (0, 1, 2):
        G.add_edges_from((hub, other, {"weight": 1 + other % 3}) for other in range(3, 50, 2))
    whole = constraint(G, weight="weight"), effective_size(G, weight="weight")
    assert same_values(whole[0], nx.constraint(G, weight="weight"))
    # networkx's definition, node by node: its all-nodes sparse shortcut (3.6) gives other
    # values for the hubs of this weighted graph.
    assert same_values(whole[1], nx.effective_size(G, nodes=list(G), weight="weight"))
    monkeypatch.setattr(brokerage, "_PRODUCT_ENTRIES", 7)
    assert same_values(constraint(G, weight="weight"), whole[0])
    assert same_values(effective_size(G, weight="weight"), whole[1])


# --------------------------------------------------------------------------- Gould–Fernandez
@pytest.mark.parametrize(
    ("sectors", "role"),
    [
        (("public", "public", "public"), "coordinator"),
        (("public", "ess", "ess"), "gatekeeper"),
        (("ess", "ess", "public"), "representative"),
        (("public", "ess", "public"), "consultant"),
        (("public", "ess", "civilSociety"), "liaison"),
    ],
)
def test_each_role_on_a_funding_chain(sectors: tuple[str, str, str], role: str) -> None:
    # A → B → C, B the broker
    G = nx.DiGraph([("A", "B"), ("B", "C")])
    nx.set_node_attributes(G, dict(zip("ABC", sectors, strict=True)), "sector")
    roles = brokerage_roles(G)
    assert roles["B"] == {r: int(r == role) for r in ROLES}
    assert sum(roles["A"].values()) == sum(roles["C"].values()) == 0


def test_roles_skip_closed_and_returning_chains() -> None:
    r"""Region R (public) funds département D (public) and association X (ess); D funds X,
    association Y (ess) and commune Z (public), and Z funds D back::

        R ──► D ──► Y        R → D → X is closed by R → X: not counted
        │     │ ▲            R → D → Y: public, public, ess  → representative
        ▼     ▼ │            R → D → Z: all public           → coordinator
        X ◄───┘ Z            Z → D → Z returns to its start: not counted
                             Z → D → X: public, public, ess  → representative
                             Z → D → Y: public, public, ess  → representative
    """
    G = nx.DiGraph([("R", "D"), ("R", "X"), ("D", "X"), ("D", "Y"), ("D", "Z"), ("Z", "D")])
    nx.set_node_attributes(
        G, {"R": "public", "D": "public", "Z": "public", "X": "ess", "Y": "ess"}, "sector"
    )
    roles = brokerage_roles(G)
    assert roles["D"] == {
        "coordinator": 1,
        "gatekeeper": 0,
        "representative": 3,
        "consultant": 0,
        "liaison": 0,
    }
    # Z brokers D → Z → D? No: it returns to its start. Nothing else passes through Z.
    assert sum(roles["Z"].values()) == 0


def _brute_force_roles(G):
    group = nx.get_node_attributes(G, "sector")
    counts = {b: dict.fromkeys(ROLES, 0) for b in G}
    for a, b, c in itertools.permutations(G, 3):
        if G.has_edge(a, b) and G.has_edge(b, c) and not G.has_edge(a, c):
            ga, gb, gc = group[a], group[b], group[c]
            role = (
                "coordinator"
                if ga == gb == gc
                else "representative"
                if ga == gb
                else "gatekeeper"
                if gb == gc
                else "consultant"
                if ga == gc
                else "liaison"
            )
            counts[b][role] += 1
    return counts


@pytest.mark.parametrize("seed", range(8))
def test_roles_agree_with_brute_force(seed: int) -> None:
    G = nx.gnm_random_graph(18, 70, seed=seed, directed=True)
    rng = random.Random(seed)
    nx.set_node_attributes(G, {n: rng.choice(SECTORS[:3]) for n in G}, "sector")
    assert brokerage_roles(G) == _brute_force_roles(G)


def test_roles_need_a_directed_graph() -> None:
    with pytest.raises(nx.NetworkXNotImplemented):
        brokerage_roles(nx.Graph([(1, 2)]))


# --------------------------------------------------------------------------- communities
def two_cliques() -> nx.Graph:
    """K4 {0..3} and K3 {4, 5, 6} joined by the single tie 0–4."""
    G = nx.disjoint_union(nx.complete_graph(4), nx.complete_graph(3))
    G.add_edge(0, 4)
    return G


@pytest.mark.parametrize("engine", ["igraph", "networkx"])
def test_louvain_finds_planted_communities(engine: str) -> None:
    found = louvain_communities(two_cliques(), seed=1, engine=engine)
    assert found == [frozenset({0, 1, 2, 3}), frozenset({4, 5, 6})]
    planted = nx.planted_partition_graph(4, 15, 0.7, 0.01, seed=3)
    expected = [frozenset(range(i * 15, (i + 1) * 15)) for i in range(4)]
    assert louvain_communities(planted, seed=2, engine=engine) == expected


@pytest.mark.parametrize("seed", range(5))
def test_louvain_engines_reach_comparable_modularity(seed: int) -> None:
    """igraph and networkx visit nodes in different random orders, so partitions differ;
    their modularities stay within 0.03 (measured: within 0.02 on these graphs)."""
    G = random_graph(seed, n=200, m=600)
    fast = louvain_communities(G, seed=seed)
    reference = louvain_communities(G, seed=seed, engine="networkx")
    for partition in (fast, reference):
        assert sorted(n for c in partition for n in c) == sorted(G)
    assert modularity(G, fast) == pytest.approx(modularity(G, reference), abs=0.03)


def test_louvain_is_deterministic_and_sorted() -> None:
    G = random_graph(4, n=200, m=500)
    first = louvain_communities(G, seed=5)
    assert louvain_communities(G, seed=5) == first
    sizes = [len(c) for c in first]
    assert sizes == sorted(sizes, reverse=True)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("resolution", [1.0, 0.5])
def test_modularity_equals_networkx(seed: int, resolution: float) -> None:
    G = random_graph(seed)
    partition = louvain_communities(G, seed=seed)
    for weight in (None, "weight"):
        assert modularity(G, partition, weight=weight, resolution=resolution) == pytest.approx(
            nx.community.modularity(G, partition, weight=weight, resolution=resolution), abs=1e-12
        )


def test_modularity_by_hand() -> None:
    # barbell of two triangles joined by one tie: m = 7, each side L = 3, d = 7
    # Q = 2 × (3/7 − (7/14)²) = 6/7 − 1/2
    G = nx.barbell_graph(3, 0)
    assert modularity(G, [{0, 1, 2}, {3, 4, 5}]) == pytest.approx(6 / 7 - 1 / 2)


def test_modularity_needs_a_partition() -> None:
    with pytest.raises(nx.NetworkXError, match="cover"):
        modularity(two_cliques(), [{0, 1, 2, 3}])


# --------------------------------------------------------------------------- compute_metrics
def hand_projection() -> Projection:
    """:func:`five_actors` as a projection: the a1–a2 and a2–c1 ties come from a housing
    partnership, a1–c1 from an employment project; p1 funds a1, which funds c1."""
    G = five_actors()
    for node in G:
        G.nodes[node].update(name=node.upper(), departement="44")
    base = "https://w3id.org/ecograph/id/domain/"
    contexts = {
        "h": Context("h", "partnership", domains={base + "housing"}),
        "e": Context("e", "project", domains={base + "employment"}),
    }
    for u, v in G.edges():
        G[u][v].update(partnerships=[], projects=[])
    G["a1"]["a2"]["partnerships"] = ["h"]
    G["a2"]["c1"]["partnerships"] = ["h"]
    G["a1"]["c1"]["projects"] = ["e"]
    funding = nx.DiGraph([("p1", "a1"), ("a1", "c1")])
    nx.set_node_attributes(funding, {n: G.nodes[n]["sector"] for n in funding}, "sector")
    return Projection(G, funding, contexts)


def test_compute_metrics_on_the_drawn_graph() -> None:
    result = compute_metrics(hand_projection())
    overall = result.overall
    assert (overall.actors, overall.ties, overall.cross_sector_ties) == (5, 5, 3)
    assert overall.ei_index == pytest.approx(0.2)
    assert overall.sector_assortativity == pytest.approx(1 / 31)
    assert overall.betweenness_method == "exact"
    assert [(r.key, r.ties, r.internal_ties, r.ei_index) for r in result.sectors] == [
        ("civilSociety", 2, 0, 1.0),
        ("ess", 4, 1, 0.5),
        ("public", 2, 1, 0.0),
    ]
    cell = {(c.sector, c.other): (c.ties, c.share) for c in result.mixing}
    assert cell[("ess", "civilSociety")] == (2, 0.5)
    assert cell[("public", "civilSociety")] == (0, 0.0)
    assert [(r.scope, r.key, r.ties) for r in result.territories] == [
        ("departement", "44", 5),
        ("epci", "X", 4),
        ("epci", "Y", 2),
    ]
    assert [(r.key, r.ties, r.cross_sector_ties) for r in result.domains] == [
        ("employment", 1, 1),
        ("housing", 2, 1),
    ]
    a1 = next(a for a in result.actors if a.actor == "a1")
    assert (a1.degree, a1.weighted_degree, a1.name) == (3, 3.0, "A1")
    assert a1.betweenness == pytest.approx(4 / 6)
    assert a1.effective_size == pytest.approx(7 / 3)
    assert a1.blau == pytest.approx(2 / 3) and a1.shannon == pytest.approx(math.log(3))
    assert a1.ei_index == pytest.approx(1 / 3)
    # p1 (public) → a1 (ess) → c1 (civilSociety): a liaison
    assert (a1.liaison, a1.brokerage) == (1, 1)
    assert [a.actor for a in result.actors] == sorted(a.actor for a in result.actors)
    assert {a.community for a in result.actors} == {c.community for c in result.communities}
    assert sum(c.size for c in result.communities) == 5


def test_compute_metrics_marks_isolated_actors() -> None:
    projection = hand_projection()
    projection.collaboration.add_node(
        "z", sector="ess", name="Z", epci="", departement="", domains=""
    )
    z = next(a for a in compute_metrics(projection).actors if a.actor == "z")
    assert (z.degree, z.betweenness, z.community) == (0, 0.0, None)
    assert z.constraint is z.effective_size is z.blau is z.ei_index is None


@pytest.mark.parametrize("nodes", [[], [("a", {"sector": "ess"}), ("b", {"sector": "public"})]])
def test_compute_metrics_without_ties(nodes: list) -> None:
    G = nx.Graph()
    G.add_nodes_from(nodes)
    result = compute_metrics(Projection(G, nx.DiGraph(), {}))
    overall = result.overall
    assert (overall.actors, overall.ties, overall.communities) == (len(nodes), 0, 0)
    assert overall.ei_index is overall.cross_sector_share is overall.modularity is None
    assert all(cell.ties == 0 and cell.share == 0.0 for cell in result.mixing)
    json.dumps(result.tables(), allow_nan=False)


def test_compute_metrics_samples_betweenness_above_the_threshold() -> None:
    result = compute_metrics(
        hand_projection(), exact_betweenness_below=3, betweenness_samples=2, seed=4
    )
    assert result.overall.betweenness_method == "sampled: 2 sources, seed 4"


# --------------------------------------------------------------------------- the sample
@pytest.fixture(scope="module")
def sample_projection(sample_workspace) -> Projection:
    from ecograph.store import open_store

    with open_store(sample_workspace, read_only=True) as store:
        return project(store)


@pytest.fixture(scope="module")
def sample_metrics(sample_projection: Projection) -> MetricsResult:
    return compute_metrics(sample_projection, seed=0)


def test_sample_metrics_are_in_range(sample_metrics: MetricsResult) -> None:
    overall = sample_metrics.overall
    assert 0 <= overall.cross_sector_share <= 1
    assert -1 <= overall.ei_index <= 1 and -1 <= overall.sector_assortativity <= 1
    assert overall.communities >= 1 and 0 < overall.modularity < 1
    for row in (*sample_metrics.sectors, *sample_metrics.territories, *sample_metrics.domains):
        assert row.ties == row.same_sector_ties + row.cross_sector_ties
        assert row.internal_ties <= row.ties
        if row.ties:
            assert 0 <= row.cross_sector_share <= 1 and -1 <= row.ei_index <= 1
    for actor in sample_metrics.actors:
        assert 0 <= actor.betweenness <= 1
        if actor.degree:
            assert -1 <= actor.ei_index <= 1
            assert 0 <= actor.blau < 1 and 0 <= actor.shannon <= math.log(len(SECTORS))
            assert 1 <= actor.effective_size <= actor.degree
            assert actor.constraint > 0
    for community in sample_metrics.communities:
        assert community.size == sum(community.sectors.values()) >= 2
        assert 0 <= community.blau < 1


def test_sample_tables_add_up(sample_metrics: MetricsResult, sample_projection: Projection) -> None:
    G = sample_projection.collaboration
    overall = sample_metrics.overall
    assert (overall.actors, overall.ties) == (len(G), G.number_of_edges())
    # each same-sector tie is counted by one sector, each cross-sector tie by two
    assert sum(r.ties for r in sample_metrics.sectors) == overall.ties + overall.cross_sector_ties
    cells = {(c.sector, c.other): c.ties for c in sample_metrics.mixing}
    assert sum(n for (s, t), n in cells.items() if s <= t) == overall.ties
    for row in sample_metrics.sectors:
        assert sum(c.share for c in sample_metrics.mixing if c.sector == row.key) == (
            pytest.approx(1.0)
        )
    assert sum(a.degree for a in sample_metrics.actors) == 2 * overall.ties


def test_sample_sectors_that_never_meet(sample_metrics: MetricsResult) -> None:
    """In the sample, companies and civil-society groups never work together."""
    cells = {(c.sector, c.other): c for c in sample_metrics.mixing}
    for pair in (("privateForProfit", "civilSociety"), ("civilSociety", "privateForProfit")):
        assert cells[pair].ties == 0 and cells[pair].share == 0.0
    assert {c.sector for c in sample_metrics.mixing} == set(SECTORS)


def test_sample_agrees_with_networkx(
    sample_metrics: MetricsResult, sample_projection: Projection
) -> None:
    G = sample_projection.collaboration
    assert sample_metrics.overall.sector_assortativity == pytest.approx(
        nx.attribute_assortativity_coefficient(G, "sector"), abs=1e-12
    )
    exact = nx.betweenness_centrality(G)
    constraints = nx.constraint(G, weight="weight")
    degree = dict(G.degree(weight="weight"))
    for actor in sample_metrics.actors:
        assert actor.betweenness == pytest.approx(exact[actor.actor], abs=1e-12)
        assert close(actor.constraint, _none(constraints[actor.actor]))
        assert actor.weighted_degree == degree[actor.actor]


def _none(value: float) -> float | None:
    return None if math.isnan(value) else value


def test_sample_metrics_are_deterministic(
    sample_projection: Projection, sample_metrics: MetricsResult
) -> None:
    again = compute_metrics(sample_projection, seed=0)
    assert again == sample_metrics
    assert json.dumps(again.tables(), allow_nan=False) == json.dumps(
        sample_metrics.tables(), allow_nan=False
    )


def test_tables_are_plain_rows(sample_metrics: MetricsResult) -> None:
    tables = sample_metrics.tables()
    assert set(tables) == {
        "global",
        "sectors",
        "mixing",
        "territories",
        "domains",
        "actors",
        "communities",
        "territory_sector_pairs",
        "territory_domains",
        "partnership_years",
        "funding_flows",
        "funders",
        "project_sectors",
        "partnership_sectors",
    }
    for rows in tables.values():
        for row in rows:
            assert all(v is None or isinstance(v, str | int | float) for v in row.values())
    first = tables["communities"][0]
    assert {f"sector_{s}" for s in SECTORS} <= set(first)
    assert tables["actors"][0]["brokerage"] == sample_metrics.actors[0].brokerage


# --------------------------------------------------------------------------- docstrings
@pytest.mark.parametrize(
    "module",
    [mixing, diversity, centrality, brokerage, communities, metrics],
    ids=lambda m: m.__name__.rsplit(".", 1)[-1],
)
def test_docstring_examples_run(module) -> None:
    result = doctest.testmod(module, extraglobs={"nx": nx}, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_pipeline_returns_what_the_public_measures_return(
    sample_projection: Projection,
) -> None:
    """compute_metrics flattens the graph once and hands the arrays to each public measure:
    every number must equal what that measure gives when called on its own, with the graph
    alone (betweenness sampled here, so that the sampled path is covered too)."""
    G = sample_projection.collaboration
    result = compute_metrics(sample_projection, seed=3, exact_betweenness_below=50)
    actors = {a.actor: a for a in result.actors}

    def table(values: dict) -> dict:
        return {str(node): (None if math.isnan(v) else v) for node, v in values.items()}

    between = betweenness(G, exact_below=50, seed=3)
    assert {k: a.betweenness for k, a in actors.items()} == table(between)
    assert {k: a.constraint for k, a in actors.items()} == table(constraint(G, weight="weight"))
    assert {k: a.effective_size for k, a in actors.items()} == table(
        effective_size(G, weight="weight")
    )
    assert {k: a.ei_index for k, a in actors.items()} == table(ei_index_by_node(G))
    diversity_values = partner_diversity(G)
    assert {k: a.blau for k, a in actors.items()} == table(
        {n: b for n, (b, _) in diversity_values.items()}
    )
    assert {k: a.shannon for k, a in actors.items()} == table(
        {n: h for n, (_, h) in diversity_values.items()}
    )
    partition = louvain_communities(G, seed=3)
    communities = [c for c in partition if len(c) > 1]
    assert {k: a.community for k, a in actors.items()} == {
        str(n): next((i for i, c in enumerate(communities, 1) if n in c), None) for n in G
    }
    assert result.overall.modularity == modularity(G, partition)
    assert result.overall.communities == len(communities)
    assert result.overall.sector_assortativity == attribute_assortativity(G)
    assert result.overall.cross_sector_share == cross_sector_share(G)
    assert result.overall.ei_index == pytest.approx(ei_index(G), abs=1e-15)
    sectors = [row.key for row in result.sectors]
    counts = mixing_matrix(G, groups=sectors)
    shares = mixing_matrix(G, groups=sectors, normalized=True)
    assert [(c.sector, c.other, c.ties, c.share) for c in result.mixing] == [
        (s, t, counts[s][t], shares[s][t]) for s in sectors for t in sectors
    ]
    for row in result.sectors:
        assert (
            metrics.GroupMetrics.of("sector", row.key, tie_summaries(G, "sector")[row.key]) == row
        )
    epci = tie_summaries(G, "epci")
    assert [r for r in result.territories if r.scope == "epci"] == [
        metrics.GroupMetrics.of("epci", key, summary) for key, summary in epci.items()
    ]
    domains_of = {
        iri: {d.rsplit("/", 1)[-1] for d in context.domains}
        for iri, context in sample_projection.contexts.items()
    }
    edge_keys = {
        (u, v): set().union(*(domains_of[c] for c in data["partnerships"] + data["projects"]))
        for u, v, data in G.edges(data=True)
    }
    by_domain = tie_summaries(G, "domains", edge_keys=edge_keys)
    assert result.domains == [
        metrics.GroupMetrics.of("domain", key, summary) for key, summary in by_domain.items()
    ]


def test_measures_take_the_arrays_of_their_own_graph_only() -> None:
    """Arrays handed to a measure give its own result, and arrays of another graph, or
    built with another weight than the measure reads, are refused rather than measured."""
    from ecograph.network.arrays import graph_arrays

    G = five_actors()
    for u, v in G.edges():
        G.edges[u, v]["weight"] = 2.0 if "p1" in (u, v) else 1.0
    weighted = graph_arrays(G, weight="weight")
    assert cross_sector_ties(G, arrays=weighted) == cross_sector_ties(G) == 3
    assert constraint(G, weight="weight", arrays=weighted) == constraint(G, weight="weight")
    assert betweenness(G, arrays=weighted) == betweenness(G)
    assert tie_summaries(G, "epci", arrays=weighted) == tie_summaries(G, "epci")
    with pytest.raises(ValueError, match="1 entries for 5 edges"):
        tie_summaries(G, "domains", edge_keys=[("housing",)])
    with pytest.raises(ValueError, match="another graph"):
        betweenness(G, arrays=graph_arrays(G.copy()))
    with pytest.raises(ValueError, match="weight=None"):
        constraint(G, weight=None, arrays=weighted)
    with pytest.raises(ValueError, match="weight='weight'"):
        modularity(G, [set(G)], arrays=graph_arrays(G))


def test_modularity_does_not_depend_on_the_order_of_the_communities(
    sample_projection: Projection,
) -> None:
    """The same partition listed in another order has the same modularity, to the last bit
    (a plain float sum in community order differs in the last digit on the sample), so the
    pipeline's value equals the public function's whatever numbering igraph chose."""
    G = sample_projection.collaboration
    partition = louvain_communities(G, seed=0)
    values = set()
    for seed in range(5):
        shuffled = list(partition)
        random.Random(seed).shuffle(shuffled)
        values.add(modularity(G, shuffled))
    assert len(values) == 1
