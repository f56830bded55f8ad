"""Link prediction for partnership suggestions: features, a fitted score, candidate pairs.

The classic scores (resource allocation, Adamic–Adar, Jaccard) look only at shared partners,
so they have nothing to say about an actor with one partner or none — exactly the actors a
partnership broker worries about. ecograph's score combines them with what the ecosystem data
knows about each pair:

===================  ========================================================================
feature              meaning
===================  ========================================================================
``ra``               resource allocation: Σ 1/deg(w) over common partners w
``aa``               Adamic–Adar: Σ 1/log deg(w) over common partners w
``hub_promoted``     common partners / min(deg u, deg v): how much of the smaller actor's
                     network they already share
``salton``           common partners / √(deg u · deg v)
``clique``           share of pairs of their common partners that are tied to each other:
                     high when both sit in one working group (a project, a consortium)
``activity``         log(1 + deg(u)·deg(v)): active actors make more partnerships
``same_epci``        both are based in the same EPCI
``same_departement`` both are based in the same département
``shared_domains``   Jaccard overlap of the domains they work on
``sector_affinity``  how often their two sectors tie here, relative to chance (mixing matrix)
===================  ========================================================================

A logistic regression learns the weights from the graph itself — observed ties against as many
seeded random non-ties — so the score adapts to each ecosystem instead of hard-coding how much
a shared domain is worth. Everything is vectorised (scipy sparse, numpy): features for a million
pairs take seconds.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp

from ecograph.network.arrays import (
    cost_slices,
    graph_arrays,
    group_codes,
    keys_found,
    matrix_entries,
    sorted_unique,
)

FEATURES = (
    "ra",
    "aa",
    "hub_promoted",
    "salton",
    "clique",
    "activity",
    "same_epci",
    "same_departement",
    "shared_domains",
    "sector_affinity",
)


#: Nonzero entries one sparse product over a batch of pairs may make, about (12 bytes each).
PRODUCT_ENTRIES = 5_000_000


@dataclass
class PairFeatures:
    """Feature columns for pairs ``(u[i], v[i])`` (node indices)."""

    u: np.ndarray
    v: np.ndarray
    columns: dict[str, np.ndarray]
    common: np.ndarray  # number of common partners, for explanations

    def matrix(self) -> np.ndarray:
        return np.column_stack([self.columns[name] for name in FEATURES])


class GraphIndex:
    """A graph's nodes, adjacency and attributes as arrays, built once per graph."""

    def __init__(self, G: nx.Graph) -> None:
        arrays = graph_arrays(G)
        self.graph = G
        self.nodes: list[Hashable] = arrays.nodes
        self.index = {node: i for i, node in enumerate(self.nodes)}
        n = len(self.nodes)
        pairs = sp.csr_array((np.ones(arrays.m), (arrays.source, arrays.target)), shape=(n, n))
        self.adjacency = ((pairs + pairs.T) > 0).astype(float).tocsr()  # symmetric, 0/1
        self.degree = np.asarray(self.adjacency.sum(axis=1)).ravel()
        self.sector_labels, self.sector = group_codes(G, self.nodes, "sector")
        self.epci_labels, self.epci = group_codes(G, self.nodes, "epci")
        self.dept_labels, self.departement = group_codes(G, self.nodes, "departement")
        domain_names = sorted(
            {d for _, ds in G.nodes(data="domains", default="") for d in (ds or "").split()}
        )
        self.domain_labels = domain_names
        position = {name: j for j, name in enumerate(domain_names)}
        self.domains = np.zeros((len(self.nodes), max(1, len(domain_names))), dtype=bool)
        for i, node in enumerate(self.nodes):
            for domain in (G.nodes[node].get("domains") or "").split():
                self.domains[i, position[domain]] = True
        self.domain_count = self.domains.sum(axis=1).astype(float)
        self.sector_affinity = self._sector_affinity(arrays.source, arrays.target)
        self._ra_weights = np.divide(
            1.0, self.degree, out=np.zeros_like(self.degree), where=self.degree > 0
        )
        log_degree = np.log(self.degree, out=np.zeros_like(self.degree), where=self.degree > 1)
        self._aa_weights = np.divide(
            1.0, log_degree, out=np.zeros_like(log_degree), where=log_degree > 0
        )

    def _sector_affinity(self, source: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Observed ties between sector pairs over the ties expected if partners were drawn
        at random (1 = as expected, 0 = never), smoothed so unseen pairs are not -inf."""
        k = len(self.sector_labels)
        counts = np.zeros((k, k))
        np.add.at(counts, (self.sector[source], self.sector[target]), 1.0)
        counts = counts + counts.T
        sizes = np.bincount(self.sector, minlength=k).astype(float)
        expected = np.outer(sizes, sizes) / max(1.0, sizes.sum()) ** 2 * max(1.0, counts.sum())
        return (counts + 0.5) / (expected + 0.5)

    def features(
        self, u: np.ndarray, v: np.ndarray, *, exclude_own_tie: bool = False
    ) -> PairFeatures:
        """Features of pairs (u, v). With ``exclude_own_tie`` (training on observed ties)
        the tie itself is removed from both degrees, so a tie does not predict itself.

        A pair's features read both actors' partner rows, so the pairs go in batches of
        :data:`PRODUCT_ENTRIES` partners, not of a number of pairs: a funder of 8,000
        associations met 50,000 times would otherwise need gigabytes at once.
        """
        parts = list(cost_slices(self.degree[u] + self.degree[v] + 1, PRODUCT_ENTRIES))
        batches = [
            self._features(u[part], v[part], exclude_own_tie=exclude_own_tie)
            for part in parts or [slice(0, 0)]  # no pairs: the empty columns
        ]
        if len(batches) == 1:
            return batches[0]
        return PairFeatures(
            u,
            v,
            {name: np.concatenate([b.columns[name] for b in batches]) for name in FEATURES},
            np.concatenate([b.common for b in batches]),
        )

    def _features(self, u: np.ndarray, v: np.ndarray, *, exclude_own_tie: bool) -> PairFeatures:
        left, right = self.adjacency[u], self.adjacency[v]
        both = left.multiply(right)  # common partners of each pair, one row per pair
        ra = np.asarray(both @ self._ra_weights).ravel()
        aa = np.asarray(both @ self._aa_weights).ravel()
        common = np.asarray(both.sum(axis=1)).ravel()
        degree_u, degree_v = self.degree[u].copy(), self.degree[v].copy()
        if exclude_own_tie:
            degree_u -= 1
            degree_v -= 1
        shared = (self.domains[u] & self.domains[v]).sum(axis=1).astype(float)
        smaller = np.maximum(np.minimum(degree_u, degree_v), 1)
        product = np.maximum(degree_u, 1) * np.maximum(degree_v, 1)
        among = self._ties_among_common_partners(sp.csr_array(both), common)
        possible = common * (common - 1) / 2
        union = self.domain_count[u] + self.domain_count[v] - shared
        columns = {
            "ra": ra,
            "aa": aa,
            "hub_promoted": common / smaller,
            "salton": common / np.sqrt(product),
            "clique": np.divide(among, possible, out=np.zeros_like(among), where=possible > 0),
            "activity": np.log1p(np.maximum(degree_u, 0) * np.maximum(degree_v, 0)),
            "same_epci": (
                (self.epci[u] == self.epci[v]) & (np.asarray(self.epci_labels)[self.epci[u]] != "")
            ).astype(float),
            "same_departement": (
                (self.departement[u] == self.departement[v])
                & (np.asarray(self.dept_labels)[self.departement[u]] != "")
            ).astype(float),
            "shared_domains": np.divide(shared, union, out=np.zeros_like(shared), where=union > 0),
            "sector_affinity": np.log(self.sector_affinity[self.sector[u], self.sector[v]]),
        }
        return PairFeatures(u, v, columns, common)

    def _ties_among_common_partners(self, both: sp.csr_array, common: np.ndarray) -> np.ndarray:
        """Ties among each pair's common partners, pair of partners by pair of partners.

        A pair has few common partners (two or three), but they are often hubs: multiplying
        its row by the adjacency walked every tie of each hub, and the beneficiaries of a
        département funding 2,000 associations are 2 M candidate pairs. Each two of a
        pair's common partners is looked up among the sorted tie keys instead; the pairs
        of partners are generated row length by row length, in batches of
        :data:`PRODUCT_ENTRIES`. (A self-tie of a common partner counts a half, as in the
        product this replaces.)
        """
        among = np.zeros_like(common)
        several = np.flatnonzero(common >= 2)
        if not several.size:
            return among
        rows = both[several].tocsr()
        rows.eliminate_zeros()
        lengths = np.diff(rows.indptr)
        for length in np.unique(lengths[lengths >= 2]):
            which = np.flatnonzero(lengths == length)
            first, second = np.triu_indices(int(length), 1)
            per_row = len(first)
            for part in cost_slices(np.full(len(which), per_row), PRODUCT_ENTRIES):
                chosen = which[part]
                members = rows.indices[rows.indptr[chosen][:, None] + np.arange(length)]
                tied = self._tied(members[:, first].ravel(), members[:, second].ravel())
                among[several[chosen]] = tied.reshape(len(chosen), per_row).sum(axis=1)
        if self._self_ties.any():
            among[several] += np.asarray(rows @ self._self_ties).ravel() / 2
        return among

    @functools.cached_property
    def _tie_keys(self) -> np.ndarray:
        """Every tie ``(a, b)`` of the symmetric adjacency as ``a * n + b``, sorted."""
        return matrix_entries(self.adjacency)[0]

    @functools.cached_property
    def _self_ties(self) -> np.ndarray:
        return np.asarray(self.adjacency.diagonal()).ravel()

    def _tied(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether each ``(a[i], b[i])`` is a tie, as 0/1 floats."""
        keys = a.astype(np.int64) * len(self.nodes) + b.astype(np.int64)
        return keys_found(self._tie_keys, keys).astype(float)


@dataclass
class LinkModel:
    """A fitted logistic score over standardised features."""

    weights: np.ndarray
    intercept: float
    mean: np.ndarray
    scale: np.ndarray

    def score(self, features: PairFeatures) -> np.ndarray:
        """The fitted log-odds of a tie; higher means more expected. Log-odds rather than
        probabilities because the sigmoid rounds the best pairs all to 1.0 and would lose
        their order, which is the whole point of a ranking."""
        z = (features.matrix() - self.mean) / self.scale
        return z @ self.weights + self.intercept

    def contributions(self, features: PairFeatures) -> np.ndarray:
        """Each feature's share of the linear score, for explanations (pairs × features)."""
        return (features.matrix() - self.mean) / self.scale * self.weights


def random_non_edges(
    index: GraphIndex, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` distinct unordered pairs of different nodes that are not tied."""
    n = len(index.nodes)
    chosen: set[tuple[int, int]] = set()
    A = index.adjacency
    attempts = 0
    while len(chosen) < count and attempts < 50:
        attempts += 1
        u = rng.integers(0, n, size=2 * count)
        v = rng.integers(0, n, size=2 * count)
        keep = u != v
        if not keep.any():  # every draw paired a node with itself (small graphs)
            continue
        u, v = np.minimum(u[keep], v[keep]), np.maximum(u[keep], v[keep])
        tied = np.asarray(A[u, v]).ravel() > 0
        for a, b in zip(u[~tied].tolist(), v[~tied].tolist(), strict=True):
            chosen.add((a, b))
            if len(chosen) >= count:
                break
    pairs = np.array(sorted(chosen), dtype=np.int64).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


#: Observed ties the logistic score is fitted on, at most (a seeded sample above it): ten
#: coefficients are pinned down long before the 320,000 ties of 100,000 actors, which are
#: slow to featurise.
MAX_TRAINING_TIES = 50_000


def fit(index: GraphIndex, *, seed: int = 0, ridge: float = 1.0) -> LinkModel:
    """Fit the logistic score: observed ties (1) against as many random non-ties (0).

    Newton–Raphson (IRLS) with a small ridge penalty: a handful of iterations on a few features
    converge exactly and deterministically, with no optimiser dependency.
    """
    A = sp.triu(index.adjacency, k=1).tocoo()
    u_pos, v_pos = A.row.astype(np.int64), A.col.astype(np.int64)
    rng = np.random.default_rng(seed)
    if u_pos.size > MAX_TRAINING_TIES:
        kept = np.sort(rng.choice(u_pos.size, size=MAX_TRAINING_TIES, replace=False))
        u_pos, v_pos = u_pos[kept], v_pos[kept]
    u_neg, v_neg = random_non_edges(index, max(1, u_pos.size), rng)
    positives = index.features(u_pos, v_pos, exclude_own_tie=True).matrix()
    negatives = index.features(u_neg, v_neg).matrix()
    X = np.vstack([positives, negatives])
    y = np.concatenate([np.ones(len(positives)), np.zeros(len(negatives))])
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = np.column_stack([np.ones(len(X)), (X - mean) / scale])
    beta = np.zeros(Z.shape[1])
    penalty = np.eye(Z.shape[1]) * ridge
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(Z @ beta)))
        gradient = Z.T @ (y - p) - penalty @ beta
        hessian = (Z * (p * (1 - p))[:, None]).T @ Z + penalty
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    return LinkModel(weights=beta[1:], intercept=float(beta[0]), mean=mean, scale=scale)


#: Pairs with a common partner listed at most, about: a partner of d actors gives d²/2 of
#: them, so one département council funding 4,000 associations would give 8 million.
SHARED_PARTNER_PAIRS = 20_000_000


def _shared_partner_pairs(A: sp.csr_array) -> sp.coo_array:
    """Untied-or-not pairs (upper triangle) of actors with a common partner, through the
    partners of fewest ties first, and only up to :data:`SHARED_PARTNER_PAIRS`.

    A partner shared with thousands of actors says little about any two of them (its resource
    allocation share is 1/d), and listing its d² pairs would exhaust memory at national scale;
    those actors still get candidates from their own territory (:func:`candidate_pairs`).
    Below the budget, every partner counts, so small ecosystems are unchanged.
    """
    degree = np.diff(A.indptr).astype(np.int64)
    cost_up_to = np.cumsum(np.bincount(degree, weights=degree * degree))
    limit = int(np.flatnonzero(cost_up_to <= SHARED_PARTNER_PAIRS)[-1])
    if limit < degree.max(initial=0):
        A = A[:, np.flatnonzero(degree <= limit)]
    return sp.triu(A @ A.T, k=1).tocoo()


def candidate_pairs(
    index: GraphIndex, *, per_actor: int = 20, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Untied pairs worth scoring: actors two steps apart (a common partner, within
    :data:`SHARED_PARTNER_PAIRS`), plus, for each
    actor, up to ``per_actor`` actors of its EPCI (or département when it has no EPCI) sharing
    a domain — so isolated actors get suggestions too. Sorted, without duplicates.

    The same-place draw is vectorised per territory: each actor draws ``4 * per_actor``
    others at random (seeded; all of them in a small territory) and keeps the first
    ``per_actor`` sharing a domain. A Python loop per actor is too slow at 100,000 actors.
    """
    A = index.adjacency
    two_hop = _shared_partner_pairs(A)
    u = [two_hop.row.astype(np.int64)]
    v = [two_hop.col.astype(np.int64)]
    rng = np.random.default_rng(seed)
    place = np.where(
        np.asarray(index.epci_labels)[index.epci] != "",
        index.epci,
        len(index.epci_labels) + index.departement,
    )
    draws = 4 * per_actor
    for group in sorted_unique(place):
        members = np.flatnonzero(place == group)
        size = members.size
        if size < 2:
            continue
        if size - 1 <= draws:  # everyone else, in order
            offsets = np.tile(np.arange(size - 1), (size, 1))
        else:
            offsets = rng.integers(0, size - 1, size=(size, draws))
        # offset k of actor i is member k, skipping i itself
        picked = offsets + (offsets >= np.arange(size)[:, None])
        for rows in np.array_split(np.arange(size), max(1, size * picked.shape[1] // 2_000_000)):
            actors = members[rows]
            others = members[picked[rows]]
            overlap = (index.domains[others] & index.domains[actors][:, None, :]).any(axis=2)
            keep = overlap & (np.cumsum(overlap, axis=1) <= per_actor)
            chosen_actor = np.broadcast_to(actors[:, None], others.shape)[keep]
            chosen = others[keep]
            u.append(np.minimum(chosen_actor, chosen))
            v.append(np.maximum(chosen_actor, chosen))
    # one int64 key per pair (u * n + v): 1-D unique and membership are fast, where
    # np.unique(axis=0) on millions of rows is not
    n = np.int64(len(index.nodes))
    keys = sorted_unique(np.concatenate(u) * n + np.concatenate(v))
    ties = sp.triu(A, k=1).tocoo()
    tie_keys = np.sort(ties.row.astype(np.int64) * n + ties.col.astype(np.int64))
    keys = keys[~np.isin(keys, tie_keys, assume_unique=True)]
    first, second = keys // n, keys % n
    different = first != second
    return first[different], second[different]
