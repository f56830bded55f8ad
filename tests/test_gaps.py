"""Partnership gaps, the link score and its evaluation: hand-checked small graphs + sample."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from types import SimpleNamespace

import networkx as nx
import numpy as np
import pytest

from ecograph.geography import TerritoryTable, geography
from ecograph.labels import Labels
from ecograph.namespaces import PREFIXES
from ecograph.network import gaps
from ecograph.network.evaluate import compare
from ecograph.network.gap_report import TABLES, GapReport, gap_report, write_report
from ecograph.network.linkpred import FEATURES, GraphIndex, candidate_pairs, fit
from ecograph.network.projection import Projection, project


def _graph() -> nx.Graph:
    """Six actors in two EPCIs (codes A and B) of one département.

        A: a1(ess) — a2(public) — a3(ess)        a4(privateForProfit), alone
        B: b1(ess) — b2(civilSociety)
    a1–a3 share partner a2; a4 has no tie.
    """
    G = nx.Graph()
    nodes = {
        "a1": ("ess", "A", "housing health"),
        "a2": ("public", "A", "housing"),
        "a3": ("ess", "A", "housing"),
        "a4": ("privateForProfit", "A", "housing"),
        "b1": ("ess", "B", "food"),
        "b2": ("civilSociety", "B", "food"),
    }
    for node, (sector, epci, domains) in nodes.items():
        G.add_node(
            node, sector=sector, epci=epci, departement="44", domains=domains, name=node.upper()
        )
    G.add_edges_from([("a1", "a2"), ("a2", "a3"), ("b1", "b2")])
    return G


def test_sector_pair_gaps_by_hand() -> None:
    found = {(g.territory, g.sector_a, g.sector_b) for g in gaps.sector_pair_gaps(_graph())}
    # EPCI A has ess, public, privateForProfit: ess–public tied; the two others are not.
    assert found == {("A", "ess", "privateForProfit"), ("A", "privateForProfit", "public")}


def test_actor_gaps_by_hand() -> None:
    found = {(g.actor, g.kind) for g in gaps.actor_gaps(_graph())}
    assert found == {
        ("a4", "isolated"),
        ("a1", "peripheral"),
        ("a3", "peripheral"),
        ("b1", "peripheral"),
        ("b2", "peripheral"),
    }


def test_domain_gaps_by_hand() -> None:
    G = _graph()
    domain = "https://w3id.org/ecograph/id/domain/"
    contexts = {
        "p1": SimpleNamespace(domains={domain + "housing"}, members={"a1": "", "a2": ""}),
        "p2": SimpleNamespace(domains={domain + "food"}, members={"b1": "", "b2": ""}),
    }
    found = {
        (g.territory, g.domain, g.missing)
        for g in gaps.domain_gaps(G, contexts, geography(), ["food", "health", "housing"])
    }
    assert found == {
        ("A", "food", "actor"),  # nobody in A works on food
        ("A", "health", "public"),
        ("A", "health", "privateForProfit"),  # no health tie at all
        ("A", "housing", "privateForProfit"),  # a4 works on housing but has no partnership
        ("B", "health", "actor"),
        ("B", "housing", "actor"),
        ("B", "food", "public"),
        ("B", "food", "privateForProfit"),
    }


def test_community_gaps_by_hand() -> None:
    G = _graph()
    found = gaps.community_gaps(G, [{"a1", "a2", "a3"}, {"b1", "b2"}, {"a4"}])
    assert [(g.community_a, g.community_b) for g in found] == [(1, 2)]  # numbered from 1


def _community_gaps_by_brute_force(G: nx.Graph, communities: list[set]) -> list:
    """Every pair of multi-actor communities with the same home département and no tie."""
    number = {n: i for i, c in enumerate(communities, start=1) for n in c}
    tied = {frozenset((number[a], number[b])) for a, b in G.edges()}
    home = {}
    for i, c in enumerate(communities, start=1):
        counts: dict[str, int] = {}
        for n in c:
            counts[G.nodes[n]["departement"]] = counts.get(G.nodes[n]["departement"], 0) + 1
        home[i] = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    found = [
        gaps.CommunityGap(home[i], i, j, len(communities[i - 1]), len(communities[j - 1]))
        for i in range(1, len(communities) + 1)
        for j in range(i + 1, len(communities) + 1)
        if home[i] == home[j]
        and frozenset((i, j)) not in tied
        and min(len(communities[i - 1]), len(communities[j - 1])) > 1
    ]
    return sorted(found, key=lambda g: (-g.size_a * g.size_b, g.community_a, g.community_b))


@pytest.mark.parametrize("seed", range(6))
def test_community_gaps_are_every_untied_pair_and_the_largest_first(seed: int) -> None:
    rng = np.random.default_rng(seed)
    G = nx.gnm_random_graph(300, 260, seed=seed)
    for node in G:
        G.nodes[node]["departement"] = str(rng.integers(1, 4))
    sizes = rng.integers(1, 9, size=80)
    nodes = rng.permutation(300).tolist()
    communities, start = [], 0
    for size in sizes:
        if start < 300:
            communities.append(set(nodes[start : start + int(size)]))
        start += int(size)
    everything = _community_gaps_by_brute_force(G, communities)
    assert everything  # the graph is sparse enough to leave untied pairs
    assert gaps.community_gaps(G, communities, per_departement=None) == everything
    limited = gaps.community_gaps(G, communities, per_departement=5)
    expected = []
    for departement in sorted({g.departement for g in everything}):
        expected += [g for g in everything if g.departement == departement][:5]
    key = lambda g: (-g.size_a * g.size_b, g.community_a, g.community_b)  # noqa: E731
    assert limited == sorted(expected, key=key)
    assert len(limited) < len(everything)  # the limit did leave pairs out


def test_resource_allocation_and_adamic_adar_match_networkx() -> None:
    G = nx.gnm_random_graph(40, 90, seed=3)
    nx.set_node_attributes(G, "ess", "sector")
    index = GraphIndex(G)
    pairs = [(u, v) for u in range(40) for v in range(u + 1, 40) if not G.has_edge(u, v)]
    u = np.array([index.index[a] for a, _ in pairs])
    v = np.array([index.index[b] for _, b in pairs])
    features = index.features(u, v)
    ra = [s for _, _, s in nx.resource_allocation_index(G, pairs)]
    aa = [s for _, _, s in nx.adamic_adar_index(G, pairs)]
    common = [len(list(nx.common_neighbors(G, a, b))) for a, b in pairs]
    assert np.allclose(features.columns["ra"], ra)
    assert np.allclose(features.columns["aa"], aa)
    assert features.common.tolist() == common


def test_clique_feature_by_hand() -> None:
    """x and y share partners p, q, r; p–q are tied, r is tied to neither: 1 of 3 pairs."""
    G = nx.Graph(
        [("x", "p"), ("x", "q"), ("x", "r"), ("y", "p"), ("y", "q"), ("y", "r"), ("p", "q")]
    )
    index = GraphIndex(G)
    features = index.features(np.array([index.index["x"]]), np.array([index.index["y"]]))
    assert math.isclose(features.columns["clique"][0], 1 / 3)
    assert features.common[0] == 3


@pytest.mark.parametrize("seed", range(4))
def test_clique_feature_counts_ties_among_common_partners_like_brute_force(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On random graphs with hubs (funders of many) and a self-tie, in batches so small that
    every row length is cut: ties among each pair's common partners, counted by hand."""
    rng = np.random.default_rng(seed)
    G = nx.gnp_random_graph(60, 0.08, seed=seed)
    for hub in (0, 1, 2):
        G.add_edges_from((hub, int(other)) for other in rng.choice(60, 30, replace=False))
    G.remove_edges_from(nx.selfloop_edges(G))
    G.add_edge(0, 0)
    monkeypatch.setattr("ecograph.network.linkpred.PRODUCT_ENTRIES", 7)
    index = GraphIndex(G)
    u, v = np.triu_indices(60, 1)  # every pair
    features = index.features(u, v)
    for i, (a, b) in enumerate(zip(u, v, strict=True)):
        shared = sorted(set(G[a]) & set(G[b]))  # G[0] holds 0 itself: its self-tie
        among = sum(G.has_edge(x, y) for j, x in enumerate(shared) for y in shared[j + 1 :])
        among += 0.5 * (0 in shared)  # the self-tie counts a half, as in (both·A)∘both
        possible = len(shared) * (len(shared) - 1) / 2
        expected = among / possible if possible else 0.0
        assert math.isclose(features.columns["clique"][i], expected), (a, b)


def test_candidates_are_untied_and_include_isolated_actors() -> None:
    index = GraphIndex(_graph())
    u, v = candidate_pairs(index)
    pairs = {(index.nodes[a], index.nodes[b]) for a, b in zip(u, v, strict=True)}
    assert ("a1", "a3") in pairs  # two steps apart
    assert any("a4" in pair for pair in pairs)  # isolated, same EPCI and domain
    assert not any(index.graph.has_edge(a, b) for a, b in pairs)


def test_explanations_read_well() -> None:
    sectors = {
        "ess": "Social economy",
        "privateForProfit": "Companies",
        "public": "Public sector",
        "civilSociety": "Civil society",
    }
    domains = {"housing": "Housing", "health": "Health", "food": "Food"}
    terms = {PREFIXES["egsec"] + key: label for key, label in sectors.items()}
    terms |= {PREFIXES["egdom"] + key: label for key, label in domains.items()}
    # A geography with one EPCI, coded "A" like the graph's.
    table = TerritoryTable(
        {
            "regions": [],
            "departements": [],
            "epci": [["A", "Nantes Métropole", "ME", 0]],
            "communes": [],
            "arrondissements_municipaux": [],
        }
    )
    words = Labels("en", terms, table=table)
    G = _graph()
    untied = gaps._untied_sector_pairs(GraphIndex(G))
    suggestion = gaps._explain(G, "a1", "a4", 1.0, 0, untied, words)
    assert suggestion.explanation == (
        "Both work on housing in Nantes Métropole and have no partner in common, and no "
        "social economy–companies tie exists there yet."
    )
    french = Labels("fr", {}, table=table)
    assert gaps._explain(G, "a1", "a3", 1.0, 1, set(), french).explanation == (
        "Les deux travaillent sur housing sur le territoire de Nantes Métropole et ont 1 "
        "partenaire en commun."
    )


@pytest.fixture(scope="module")
def sample_graph(sample_workspace):
    from ecograph.store import open_store

    with open_store(sample_workspace, read_only=True) as store:
        return project(store).collaboration


def test_sample_suggestions_are_deterministic_and_explained(sample_graph) -> None:
    words = Labels("en", {})
    first = gaps.suggest(sample_graph, words, top=10, seed=1)
    assert first == gaps.suggest(sample_graph, words, top=10, seed=1)
    assert len(first) == 10
    assert all(not sample_graph.has_edge(s.actor_a, s.actor_b) for s in first)
    assert all(s.explanation.startswith("Both ") for s in first)
    assert [s.score for s in first] == sorted((s.score for s in first), reverse=True)


def test_who_should_an_isolated_actor_meet(sample_graph) -> None:
    isolated = next(node for node, degree in sample_graph.degree() if degree == 0)
    found = gaps.suggest(sample_graph, Labels("en", {}), actor=isolated, top=3)
    assert len(found) == 3 and all(isolated in (s.actor_a, s.actor_b) for s in found)


def test_sample_sectors_that_never_meet_are_found(sample_graph) -> None:
    found = {
        (g.sector_a, g.sector_b) for g in gaps.sector_pair_gaps(sample_graph, level="departement")
    }
    assert found == {("civilSociety", "privateForProfit")}


def test_ecograph_ranking_beats_networkx_on_the_sample(sample_graph) -> None:
    """The issue's bar: better than plain RA, Adamic–Adar and Jaccard on the same splits."""
    result = compare(sample_graph, repeats=3, hidden_share=0.1, seed=0)
    mean_auc = {m.method: m.auc.mean for m in result.methods}
    assert mean_auc["ecograph"] > max(v for k, v in mean_auc.items() if k != "ecograph") + 0.05


def test_fit_is_deterministic(sample_graph) -> None:
    index = GraphIndex(sample_graph)
    first, second = fit(index, seed=4), fit(index, seed=4)
    assert np.array_equal(first.weights, second.weights)


def _tiny_report() -> tuple[GapReport, nx.Graph]:
    G = _graph()
    G.nodes["a4"]["name"] = "=HYPERLINK(1)"  # a name a spreadsheet would run
    domain = "https://w3id.org/ecograph/id/domain/"
    contexts = {"p1": SimpleNamespace(domains={domain + "housing"}, members={"a1": "", "a2": ""})}
    projection = Projection(collaboration=G, funding=nx.DiGraph(), contexts=contexts)  # type: ignore[arg-type]
    words = Labels("en", {})
    return gap_report(projection, words, ["food", "housing"], top=3, seed=2), G


def test_gap_report_gathers_every_finder() -> None:
    report, G = _tiny_report()
    assert report.sector_pairs == gaps.sector_pair_gaps(G, level="epci")
    assert report.actors == gaps.actor_gaps(G)
    assert {(g.territory, g.domain, g.missing) for g in report.domains} >= {("A", "food", "actor")}
    assert report.suggestions == gaps.suggest(G, Labels("en", {}), top=3, seed=2)
    assert 0 < len(report.suggestions) <= 3
    assert list(report.tables()) == list(TABLES)


def test_gap_report_csv_has_one_file_per_table_and_escapes_formulas(tmp_path: Path) -> None:
    report, _ = _tiny_report()
    written = write_report(report, "csv", out=tmp_path)
    assert [p.name for p in written] == [f"{name}.csv" for name in TABLES]
    with (tmp_path / "actors.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["actor"] for r in rows] == [g.actor for g in report.actors]
    assert {r["name"] for r in rows if r["actor"] == "a4"} == {"'=HYPERLINK(1)"}
    with (tmp_path / "suggestions.csv").open(encoding="utf-8", newline="") as handle:
        first = next(csv.DictReader(handle))
    assert first["shared_domains"] == " ".join(report.suggestions[0].shared_domains)
    assert float(first["score"]) == report.suggestions[0].score
    # an empty table still has its header
    header = (tmp_path / "communities.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "departement,community_a,community_b,size_a,size_b"
    raw = write_report(report, "csv", out=tmp_path / "raw", formula_escape=False)
    with raw[TABLES.index("actors")].open(encoding="utf-8", newline="") as handle:
        assert {r["name"] for r in csv.DictReader(handle) if r["actor"] == "a4"} == {
            "=HYPERLINK(1)"
        }
    with pytest.raises(ValueError, match="folder"):
        write_report(report, "csv")


def test_gap_report_json_to_a_stream_or_a_folder(tmp_path: Path) -> None:
    report, _ = _tiny_report()
    stream = io.StringIO()
    assert write_report(report, "json", stream=stream) == []
    assert json.loads(stream.getvalue()) == json.loads(json.dumps(report.tables(), default=str))
    (path,) = write_report(report, "json", out=tmp_path)
    assert path == tmp_path / "gaps.json"
    assert path.read_text(encoding="utf-8") == stream.getvalue()


def test_non_edges_survive_draws_that_pair_a_node_with_itself() -> None:
    """A small graph can draw only self-pairs in one round; the search draws again."""
    from ecograph.network.linkpred import random_non_edges

    class SelfPairsFirst:
        """A generator whose first round pairs every node with itself, then a real one's."""

        def __init__(self) -> None:
            self.calls = 0
            self.real = np.random.default_rng(0)

        def integers(self, low: int, high: int, size: int) -> np.ndarray:
            self.calls += 1
            if self.calls <= 2:
                return np.zeros(size, dtype=np.int64)
            return self.real.integers(low, high, size=size)

    index = GraphIndex(_graph())
    u, v = random_non_edges(index, 2, SelfPairsFirst())  # type: ignore[arg-type]
    assert len(u) == 2 and all(a != b for a, b in zip(u, v, strict=True))
    assert not any(index.adjacency[a, b] for a, b in zip(u, v, strict=True))


def test_cost_slices_keep_each_batch_within_budget() -> None:
    from ecograph.network.arrays import cost_slices

    cost = np.array([3, 1, 1, 9, 2, 2, 2, 1])
    parts = list(cost_slices(cost, 4))
    assert [cost[p].tolist() for p in parts] == [[3, 1], [1], [9], [2, 2], [2, 1]]
    assert [p.stop - p.start for p in cost_slices(np.ones(7), 100, most=3)] == [3, 3, 1]


def test_features_in_small_batches_equal_one_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    import ecograph.network.linkpred as linkpred

    G = nx.barabasi_albert_graph(300, 3, seed=5)  # hubs, so batches differ in size
    nx.set_node_attributes(G, "ess", "sector")
    index = GraphIndex(G)
    u, v = candidate_pairs(index, seed=0)
    whole = index.features(u, v)
    monkeypatch.setattr(linkpred, "PRODUCT_ENTRIES", 50)
    batched = index.features(u, v)
    assert np.array_equal(whole.common, batched.common)
    assert np.allclose(whole.matrix(), batched.matrix())


def test_pairs_through_a_crowded_partner_wait_for_the_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A hub's d²/2 pairs are listed only while the budget allows; small partners first."""
    import ecograph.network.linkpred as linkpred

    G = nx.star_graph(40)  # 0 funds 1..40
    G.add_edges_from([(41, 42), (42, 43)])  # 41 and 43 share partner 42
    nx.set_node_attributes(G, "ess", "sector")
    index = GraphIndex(G)

    def pairs() -> set[tuple[int, int]]:
        found = linkpred._shared_partner_pairs(index.adjacency)
        return set(zip(found.row.tolist(), found.col.tolist(), strict=True))

    assert len(pairs()) == 40 * 39 // 2 + 1
    monkeypatch.setattr(linkpred, "SHARED_PARTNER_PAIRS", 100)
    assert pairs() == {(index.index[41], index.index[43])}


def test_features_of_no_pairs_are_empty_columns() -> None:
    G = nx.path_graph(4)
    nx.set_node_attributes(G, "ess", "sector")
    features = GraphIndex(G).features(np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    assert features.matrix().shape == (0, len(FEATURES)) and features.common.size == 0
