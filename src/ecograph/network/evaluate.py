"""How good are the suggestions? Hide known ties, rank, see how many come back.

A seeded share of the observed ties is hidden; every method scores the untied pairs of what is
left; a good method ranks the hidden ties near the top. Two numbers per method:

* **AUC** — the chance that a hidden tie scores higher than a pair that is truly untied
  (0.5 = guessing, 1 = perfect); ties between scores count half.
* **precision@k** — the share of hidden ties among the k best-ranked pairs.

ecograph's score (:mod:`ecograph.network.linkpred`) is refitted on the reduced graph, so it
never sees the hidden ties. It is compared on the same split with networkx's plain
``resource_allocation_index``, ``adamic_adar_index`` and ``jaccard_coefficient``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.stats

from ecograph.gcpause import collector_paused
from ecograph.network.linkpred import GraphIndex, fit, random_non_edges

ALL_PAIRS_LIMIT = 2_000_000  # above this many untied pairs, score a seeded sample of them
SAMPLED_NON_EDGES = 500_000


@dataclass(frozen=True)
class MethodScore:
    """One method's result on one split."""

    method: str
    auc: float
    precision_at: dict[int, float]


@dataclass(frozen=True)
class Evaluation:
    """All methods on one split."""

    hidden: int
    candidates: int
    seed: int
    hidden_share: float
    scores: list[MethodScore]


@collector_paused()
def evaluate(
    G: nx.Graph, *, hidden_share: float = 0.1, seed: int = 0, ks: Iterable[int] = (10, 50, 100)
) -> Evaluation:
    """Hide ``hidden_share`` of the ties of ``G`` (seeded) and score every method."""
    if not 0 < hidden_share < 1:
        raise ValueError("hidden_share must be between 0 and 1")
    rng = np.random.default_rng(seed)
    edges = sorted(tuple(sorted(e)) for e in G.edges())
    hidden_count = max(1, int(len(edges) * hidden_share))
    hidden_idx = set(rng.choice(len(edges), size=hidden_count, replace=False).tolist())
    hidden = [edges[i] for i in sorted(hidden_idx)]
    training = G.copy()
    training.remove_edges_from(hidden)
    index = GraphIndex(training)
    position = index.index
    hidden_u = np.array([position[a] for a, _ in hidden], dtype=np.int64)
    hidden_v = np.array([position[b] for _, b in hidden], dtype=np.int64)
    negatives_u, negatives_v = _negatives(index, G, rng)
    u = np.concatenate([hidden_u, negatives_u])
    v = np.concatenate([hidden_v, negatives_v])
    truth = np.concatenate([np.ones(hidden_u.size), np.zeros(negatives_u.size)])

    model = fit(index, seed=seed)
    methods: dict[str, Callable[[], np.ndarray]] = {
        "ecograph": lambda: model.score(index.features(u, v)),
        "resource allocation (networkx)": lambda: _networkx_scores(
            nx.resource_allocation_index, training, index, u, v
        ),
        "Adamic–Adar (networkx)": lambda: _networkx_scores(
            nx.adamic_adar_index, training, index, u, v
        ),
        "Jaccard (networkx)": lambda: _networkx_scores(
            nx.jaccard_coefficient, training, index, u, v
        ),
    }
    ks = tuple(ks)
    scores = []
    for name, compute in methods.items():
        values = compute()
        scores.append(
            MethodScore(name, _auc(values, truth), {k: _precision_at(values, truth, k) for k in ks})
        )
    return Evaluation(
        hidden=hidden_count,
        candidates=int(u.size),
        seed=seed,
        hidden_share=hidden_share,
        scores=scores,
    )


def _negatives(
    index: GraphIndex, full: nx.Graph, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs untied in the *full* graph: all of them when few enough, else a seeded sample."""
    n = len(index.nodes)
    full_index = {node: i for i, node in enumerate(index.nodes)}
    tied = {
        (min(full_index[a], full_index[b]), max(full_index[a], full_index[b]))
        for a, b in full.edges()
    }
    if n * (n - 1) // 2 - len(tied) <= ALL_PAIRS_LIMIT:
        u, v = np.triu_indices(n, k=1)
        keep = np.array([(a, b) not in tied for a, b in zip(u.tolist(), v.tolist(), strict=True)])
        return u[keep].astype(np.int64), v[keep].astype(np.int64)
    u, v = random_non_edges(index, SAMPLED_NON_EDGES, rng)
    keep = np.array([(a, b) not in tied for a, b in zip(u.tolist(), v.tolist(), strict=True)])
    return u[keep], v[keep]


def _networkx_scores(
    function: Callable[..., Iterable[tuple[object, object, float]]],
    graph: nx.Graph,
    index: GraphIndex,
    u: np.ndarray,
    v: np.ndarray,
) -> np.ndarray:
    nodes = index.nodes
    pairs = [(nodes[a], nodes[b]) for a, b in zip(u.tolist(), v.tolist(), strict=True)]
    return np.array([score for _, _, score in function(graph, pairs)], dtype=float)


def _auc(scores: np.ndarray, truth: np.ndarray) -> float:
    """Mann–Whitney AUC with average ranks for ties."""
    positives = truth == 1
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = scipy.stats.rankdata(scores)
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _precision_at(scores: np.ndarray, truth: np.ndarray, k: int) -> float:
    """Share of true ties among the k best scores (stable order: earlier pairs first)."""
    order = np.argsort(-scores, kind="stable")[:k]
    return float(truth[order].mean()) if order.size else float("nan")
