"""A networkx graph as flat arrays, the shared input of the vectorised metrics.

networkx stays the model and the API: every metric takes an ``nx.Graph``. The metrics that
must scale to 100,000 actors first turn the graph into integer arrays (one row per edge) once,
then work with numpy, scipy or igraph. Node ``i`` is the ``i``-th node of ``list(G)``, so
results map back in the graph's own node order (sorted, for a projection).

Each public measure builds the arrays of the graph it is given, unless the caller hands it
the ones it already has (``arrays=``): :func:`~ecograph.network.metrics.compute_metrics`
flattens the collaboration graph once and passes the same :class:`GraphArrays` to every
measure, instead of each one flattening the graph again.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["GraphArrays", "arrays_for", "cost_slices", "graph_arrays", "group_codes"]


@dataclass(frozen=True)
class GraphArrays:
    """Edges of a graph as integer arrays over the node order ``nodes``.

    ``source[e]``, ``target[e]`` and ``weight[e]`` describe edge ``e`` once (an undirected
    edge is not repeated in the other direction). ``weight_attribute`` is the edge attribute
    the weights were read from (None: every edge weighs 1) and ``graph`` the graph flattened,
    so that a measure handed these arrays can check they are the ones of its graph
    (:func:`arrays_for`). The graph must not change while its arrays are in use.
    """

    nodes: list[Hashable]
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    directed: bool
    weight_attribute: str | None = None
    graph: nx.Graph | None = field(default=None, compare=False, repr=False)
    _groups: dict[str, tuple[list[str], np.ndarray]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.nodes)

    @property
    def m(self) -> int:
        """Number of edges."""
        return int(self.source.size)

    @cached_property
    def igraph(self) -> Any:
        """The same graph as an ``igraph.Graph`` (vertex ``i`` = node ``i``; edge ``e`` =
        edge ``e``), built once and shared by the measures that run on igraph."""
        import igraph

        graph = igraph.Graph(n=self.n, directed=self.directed)
        graph.add_edges(np.column_stack([self.source, self.target]).tolist())
        return graph

    def group_codes(self, attribute: str) -> tuple[list[str], np.ndarray]:
        """:func:`group_codes` of the graph's node attribute ``attribute``, computed once per
        attribute and shared by the measures that group nodes by it."""
        if self.graph is None:
            raise ValueError("these arrays do not keep their graph; use group_codes(G, ...)")
        if attribute not in self._groups:
            self._groups[attribute] = group_codes(self.graph, self.nodes, attribute)
        return self._groups[attribute]


def graph_arrays(G: nx.Graph, *, weight: str | None = None) -> GraphArrays:
    """Flatten ``G`` into :class:`GraphArrays`; edges without ``weight`` weigh 1."""
    if G.is_multigraph():
        raise nx.NetworkXNotImplemented("multigraphs are not supported; collapse them first")
    nodes = list(G)
    index = {node: i for i, node in enumerate(nodes)}
    m = G.number_of_edges()
    source = np.empty(m, dtype=np.int64)
    target = np.empty(m, dtype=np.int64)
    weights = np.ones(m, dtype=np.float64)
    if weight is None:
        for e, (u, v) in enumerate(G.edges()):
            source[e] = index[u]
            target[e] = index[v]
    else:
        for e, (u, v, w) in enumerate(G.edges(data=weight, default=1)):
            source[e] = index[u]
            target[e] = index[v]
            weights[e] = w
    return GraphArrays(nodes, source, target, weights, G.is_directed(), weight, G)


def arrays_for(
    G: nx.Graph, arrays: GraphArrays | None, *, weight: str | None = None, reads_weight: bool
) -> GraphArrays:
    """The arrays a measure of ``G`` works on: ``arrays`` when the caller passed them, else
    ``graph_arrays(G, weight)``.

    Passed arrays must come from this very graph (``graph_arrays(G, ...)``) and, for a measure
    that ``reads_weight``, from the same weight attribute: anything else would give the
    numbers of another graph, so it raises ``ValueError`` instead.
    """
    if arrays is None:
        return graph_arrays(G, weight=weight)
    if arrays.graph is not G:
        raise ValueError("arrays were built from another graph; pass graph_arrays(G, ...)")
    if reads_weight and arrays.weight_attribute != weight:
        raise ValueError(
            f"arrays were built with weight={arrays.weight_attribute!r}, "
            f"this measure needs weight={weight!r}"
        )
    return arrays


def group_codes(G: nx.Graph, nodes: list[Hashable], attribute: str) -> tuple[list[str], np.ndarray]:
    """The sorted distinct values of a node attribute and each node's index into them.

    A node without the attribute gets the value ``""``, a group of its own.
    """
    found = dict(G.nodes(data=attribute, default=""))
    values = [str(found[node]) for node in nodes]
    labels = sorted(set(values))
    position = {label: i for i, label in enumerate(labels)}
    return labels, np.fromiter((position[v] for v in values), dtype=np.int64, count=len(values))


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values, by sorting: numpy 2.3+ ``np.unique`` hashes first, which is
    many times slower than a sort on the millions of pair keys of a 100,000-actor ecosystem."""
    ordered = np.sort(values)
    keep = np.empty(ordered.size, dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def cost_slices(cost: np.ndarray, budget: float, *, most: int | None = None) -> Iterator[slice]:
    """Consecutive slices of items whose ``cost`` adds up to at most ``budget`` each (an item
    over budget alone gets a slice of its own), and at most ``most`` items.

    Sparse products over a batch of actor pairs need memory in proportion to the pairs'
    degrees, not their number: a batch that meets a funder of 8,000 associations a thousand
    times must be cut smaller than one of small associations.
    """
    total = np.cumsum(cost, dtype=np.float64)
    start, size = 0, len(total)
    while start < size:
        spent = total[start - 1] if start else 0.0
        end = int(np.searchsorted(total, spent + budget, side="right"))
        end = max(end, start + 1)
        if most is not None:
            end = min(end, start + most)
        yield slice(start, min(end, size))
        start = end


def matrix_entries(matrix: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """A square sparse matrix's entries as sorted keys ``row * n + column`` and their values:
    entries looked up by the million with one ``searchsorted`` (:func:`keys_found`,
    :func:`values_at`) instead of indexing the matrix."""
    matrix = matrix.tocsr()
    matrix.sort_indices()
    n = matrix.shape[0]
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(matrix.indptr))
    return rows * n + matrix.indices.astype(np.int64), matrix.data


def _position(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    return np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))


def keys_found(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Whether each wanted key is among the sorted ``keys``."""
    if not len(keys):
        return np.zeros(len(wanted), dtype=bool)
    return keys[_position(keys, wanted)] == wanted


def values_at(keys: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The value at each wanted key, 0 where there is none."""
    if not len(keys):
        return np.zeros(len(wanted))
    at = _position(keys, wanted)
    return np.where(keys[at] == wanted, values[at], 0.0)
