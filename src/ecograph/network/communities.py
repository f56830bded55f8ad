"""Communities of actors that work more with each other than with the rest (Louvain).

networkx's Louvain runs in pure Python; igraph's multilevel method is the same algorithm in
C, an order of magnitude faster at 100,000 actors (bench/README.md). Both are seeded, but they
visit nodes in different random orders, so their partitions differ in detail: the tests check
that both recover planted communities exactly and reach modularities within 0.03 of each
other on random graphs. Modularity itself is computed with numpy and equals
:func:`networkx.community.modularity`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Iterable
from typing import Literal

import networkx as nx
import numpy as np
from networkx.utils import not_implemented_for

from ecograph.network.arrays import GraphArrays, arrays_for

__all__ = ["louvain_communities", "modularity"]

Engine = Literal["igraph", "networkx"]


def _canonical(
    communities: Iterable[Iterable[Hashable]], order: dict[Hashable, int]
) -> list[frozenset[Hashable]]:
    """Largest first; ties broken by the earliest node in the graph's order."""
    sets = [frozenset(c) for c in communities]
    return sorted(sets, key=lambda c: (-len(c), min(order[n] for n in c)))


@not_implemented_for("directed")
def louvain_communities(
    G: nx.Graph,
    *,
    weight: str | None = "weight",
    resolution: float = 1.0,
    seed: int | None = 0,
    engine: Engine = "igraph",
    arrays: GraphArrays | None = None,
) -> list[frozenset[Hashable]]:
    r"""Partition the nodes by Louvain modularity optimisation, seeded.

    Louvain moves each node to the neighbouring community that most increases modularity
    :math:`Q` (see :func:`modularity`), then merges each community into one node and
    repeats until :math:`Q` stops growing. For a partnership broker, communities are the
    circles of actors that already work together: a broker's value lies between them.

    Parameters
    ----------
    G : networkx.Graph
        Undirected.
    weight : str or None
        Edge attribute holding tie strength (the number of shared partnerships/projects).
    resolution : float
        Above 1 favours smaller communities, below 1 larger ones.
    seed : int or None
        Seed of the node visiting order. Same graph and seed, same partition.
    engine : {"igraph", "networkx"}
        igraph's ``community_multilevel`` (fast) or networkx's ``louvain_communities``.
    arrays : GraphArrays, optional
        ``graph_arrays(G, weight)`` when the caller already has it (see
        :func:`~ecograph.network.arrays.arrays_for`); built from ``G`` otherwise.
        The networkx engine does not use them.

    Returns
    -------
    list of frozenset
        Communities, largest first (ties: the one holding the earliest node of ``G``). An
        isolated node is a community of its own.

    Examples
    --------
    >>> G = nx.disjoint_union(nx.complete_graph(4), nx.complete_graph(3))
    >>> G.add_edge(0, 4)
    >>> [sorted(c) for c in louvain_communities(G, seed=1)]
    [[0, 1, 2, 3], [4, 5, 6]]

    References
    ----------
    .. [1] Blondel, V. D., Guillaume, J.-L., Lambiotte, R., Lefebvre, E. (2008). Fast
       unfolding of communities in large networks. *Journal of Statistical Mechanics*
       P10008.
    .. [2] Csárdi, G., Nepusz, T. (2006). The igraph software package for complex network
       research. *InterJournal Complex Systems* 1695.
    """
    order = {node: i for i, node in enumerate(G)}
    if engine == "networkx":
        found = nx.community.louvain_communities(G, weight=weight, resolution=resolution, seed=seed)
        return _canonical(found, order)
    if engine != "igraph":
        raise ValueError(f"unknown engine {engine!r}; use 'igraph' or 'networkx'")
    arrays = arrays_for(G, arrays, weight=weight, reads_weight=weight is not None)
    membership = _multilevel(arrays, weighted=weight is not None, resolution=resolution, seed=seed)
    groups: dict[int, list[Hashable]] = {}
    for node, label in zip(arrays.nodes, membership.tolist(), strict=True):
        groups.setdefault(label, []).append(node)
    return _canonical(groups.values(), order)


def _multilevel(
    arrays: GraphArrays, *, weighted: bool, resolution: float, seed: int | None
) -> np.ndarray:
    """igraph's multilevel (Louvain) membership of each node, seeded."""
    import igraph

    graph = arrays.igraph
    # igraph draws from a global generator: seed a private one for this call, then restore
    # igraph's default (Python's ``random`` module).
    igraph.set_random_number_generator(random.Random(seed))
    try:
        membership = graph.community_multilevel(
            weights=arrays.weight.tolist() if weighted else None, resolution=resolution
        ).membership
    finally:
        igraph.set_random_number_generator(random)
    return np.asarray(membership, dtype=np.int64)


@not_implemented_for("directed")
def modularity(
    G: nx.Graph,
    communities: Iterable[Iterable[Hashable]],
    *,
    weight: str | None = "weight",
    resolution: float = 1.0,
    arrays: GraphArrays | None = None,
) -> float:
    r"""Newman–Girvan modularity of a partition of an undirected graph.

    .. math:: Q = \sum_c \left[ \frac{L_c}{m} - \gamma \left(\frac{d_c}{2m}\right)^2 \right]

    with :math:`L_c` the weight of ties inside community :math:`c`, :math:`d_c` the summed
    weighted degree of its members, :math:`m` the total weight and :math:`\gamma` the
    resolution. Around 0.3 and above, communities are clearly more tied inside than chance
    would give. Same value as :func:`networkx.community.modularity`, in numpy.

    Parameters
    ----------
    G : networkx.Graph
    communities : iterable of iterables of nodes
        A partition of the nodes of ``G``.
    weight : str or None
    resolution : float
    arrays : GraphArrays, optional
        ``graph_arrays(G, weight)`` when the caller already has it (see
        :func:`~ecograph.network.arrays.arrays_for`); built from ``G`` otherwise.

    Returns
    -------
    float
        NaN for a graph without ties.

    Examples
    --------
    >>> G = nx.barbell_graph(3, 0)
    >>> round(modularity(G, [{0, 1, 2}, {3, 4, 5}]), 4)
    0.3571

    References
    ----------
    .. [1] Newman, M. E. J. (2006). Modularity and community structure in networks. *PNAS*
       103(23), 8577–8582.
    """
    arrays = arrays_for(G, arrays, weight=weight, reads_weight=True)
    index = {node: i for i, node in enumerate(arrays.nodes)}
    label = np.full(arrays.n, -1, dtype=np.int64)
    for c, members in enumerate(communities):
        for node in members:
            label[index[node]] = c
    if (label < 0).any():
        raise nx.NetworkXError("communities must cover every node of G")
    return _modularity(arrays, label, resolution)


def _modularity(arrays: GraphArrays, label: np.ndarray, resolution: float = 1.0) -> float:
    """Modularity of the partition ``label`` (community index of each node).

    The per-community terms are added with :func:`math.fsum`, which rounds their exact sum
    once: the value does not depend on how the communities are numbered, so the same
    partition gives the same bits whether it comes from igraph or from a list of sets.
    """
    total = float(arrays.weight.sum())
    if total == 0:
        return float("nan")
    lu, lv = label[arrays.source], label[arrays.target]
    k = int(label.max()) + 1
    inside = np.bincount(lu[lu == lv], weights=arrays.weight[lu == lv], minlength=k)
    degree = np.bincount(lu, weights=arrays.weight, minlength=k) + np.bincount(
        lv, weights=arrays.weight, minlength=k
    )
    terms = inside / total - resolution * (degree / (2 * total)) ** 2
    return math.fsum(terms.tolist())
