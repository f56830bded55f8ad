r"""Brokerage: Burt's structural holes and Gould–Fernandez brokerage roles.

Burt's constraint and effective size say how much an actor's partners are also partners of
each other (a closed circle) or not (holes the actor bridges). They return the values of
networkx's definitions (:func:`networkx.constraint`, :func:`networkx.effective_size` node by
node), weighted or not, but are computed tie by tie over the partners the tie's two ends
share, with numpy arrays, in batches: networkx walks every node in Python (far too slow at
100,000 actors) or, for all nodes at once, builds the full two-step product (constraint) or a
dense n × n matrix (effective size: tens of gigabytes at 100,000 actors). Figures in
bench/README.md (``bench_network.py``).

Gould–Fernandez roles classify each directed two-path :math:`A \to B \to C` by the groups of
the three actors; networkx has no counterpart. Engine: Python sets, cost
:math:`\sum_B \mathrm{in}(B) \cdot \mathrm{out}(B)`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from typing import Final

import networkx as nx
import numpy as np
import scipy.sparse as sp
from networkx.utils import not_implemented_for

from ecograph.network.arrays import (
    GraphArrays,
    arrays_for,
    cost_slices,
    keys_found,
    matrix_entries,
    values_at,
)

__all__ = ["ROLES", "brokerage_roles", "constraint", "effective_size"]

#: Gould–Fernandez roles, in their classic order.
ROLES: Final = ("coordinator", "gatekeeper", "representative", "consultant", "liaison")
#: Pairs of partners examined at once by :func:`_masked_product` (a few hundred MB of arrays).
_PRODUCT_ENTRIES = 5_000_000


def _mutual_weights(arrays: GraphArrays) -> tuple[sp.csr_array, sp.csr_array]:
    """The mutual weights a_uv + a_vu and the pattern of neighbours (both n × n)."""
    if np.any(arrays.source == arrays.target):
        raise nx.NetworkXError(
            "structural holes are not defined here for self-loops; "
            "remove them first (nx.selfloop_edges)"
        )
    shape = (arrays.n, arrays.n)
    directed = sp.csr_array((arrays.weight, (arrays.source, arrays.target)), shape=shape)
    mutual = (directed + directed.T).tocsr()
    ones = sp.csr_array((np.ones(arrays.m), (arrays.source, arrays.target)), shape=shape)
    pattern = (ones + ones.T).tocsr()
    pattern.data[:] = 1.0
    return mutual, pattern


def _row_scale(matrix: sp.csr_array, scale: np.ndarray) -> sp.csr_array:
    result = matrix.copy()
    factors = np.zeros_like(scale, dtype=np.float64)
    np.divide(1.0, scale, out=factors, where=scale != 0)
    result.data = result.data * np.repeat(factors, np.diff(matrix.indptr))
    return result


def _masked_product(left: sp.csr_array, right: sp.csr_array, pattern: sp.csr_array) -> sp.csr_array:
    """``(left @ right)`` only where the symmetric ``pattern`` has an entry, ``left`` and
    ``right`` holding entries only between neighbours.

    Entry ``(u, v)`` is then a sum over the partners ``w`` that ``u`` and ``v`` share, found by
    walking the partners of whichever of the two has fewer. The full product walked every
    partner of every partner: an association funded by a département met the département's
    other 10,000 beneficiaries, and at 1.5 M actors constraint and effective size took three
    minutes each. Pairs of partners go in batches of :data:`_PRODUCT_ENTRIES`.
    """
    n = pattern.shape[0]
    pattern = pattern.tocsr()
    pattern.sort_indices()
    degree = np.diff(pattern.indptr)
    rows = np.repeat(np.arange(n, dtype=np.int64), degree)
    cols = pattern.indices.astype(np.int64)
    pattern_keys = rows * n + cols  # sorted: rows ascending, sorted indices within a row
    left_keys, left_values = matrix_entries(left)
    right_keys, right_values = matrix_entries(right)
    smaller = degree[rows] <= degree[cols]
    pivot = np.where(smaller, rows, cols)
    other = np.where(smaller, cols, rows)
    cost = degree[pivot]
    sums = np.zeros(len(rows))
    for part in cost_slices(cost, _PRODUCT_ENTRIES):
        counts = cost[part]
        if not counts.sum():
            continue
        entry = np.repeat(np.arange(part.start, part.stop), counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        shared = cols[pattern.indptr[pivot[entry]] + offsets]
        both = keys_found(pattern_keys, other[entry] * n + shared)
        entry, shared = entry[both], shared[both]
        value = values_at(left_keys, left_values, rows[entry] * n + shared) * values_at(
            right_keys, right_values, shared * n + cols[entry]
        )
        sums[part] += np.bincount(
            entry - part.start, weights=value, minlength=part.stop - part.start
        )
    return sp.csr_array((sums, pattern.indices, pattern.indptr), shape=pattern.shape)


def _degrees(pattern: sp.csr_array) -> np.ndarray:
    return np.diff(pattern.indptr)


def constraint(
    G: nx.Graph, *, weight: str | None = None, arrays: GraphArrays | None = None
) -> dict[Hashable, float]:
    r"""Burt's constraint of every node.

    .. math:: c_u = \sum_{v \in N(u)} \Big(p_{uv} + \sum_{w \in N(u)} p_{uw} p_{wv}\Big)^2

    where :math:`N(u)` are the neighbours of :math:`u` (in either direction) and
    :math:`p_{uv} = (a_{uv} + a_{vu}) / \sum_{w \in N(u)} (a_{uw} + a_{wu})` the share of
    :math:`u`'s ties invested in :math:`v` (:math:`a` = edge weight, or 1). Constraint is high
    (up to 1 and a little more) when an actor's partners are few and tied to each other; a
    broker spanning structural holes between unconnected partners has low constraint.

    Equal to :func:`networkx.constraint`; NaN for an isolated node, as there.

    Parameters
    ----------
    G : networkx.Graph
        Directed or undirected, without self-loops.
    weight : str or None
        Edge attribute holding tie strength; None counts every tie as 1.
    arrays : GraphArrays, optional
        ``graph_arrays(G, weight)`` when the caller already has it (see
        :func:`~ecograph.network.arrays.arrays_for`); built from ``G`` otherwise.

    Returns
    -------
    dict
        Node → constraint, in the graph's node order.

    Examples
    --------
    >>> constraint(nx.star_graph(3))[0]  # three unconnected partners: 3 × (1/3)²
    0.3333333333333333

    References
    ----------
    .. [1] Burt, R. S. (1992). *Structural Holes: The Social Structure of Competition*.
       Harvard University Press.
    .. [2] Burt, R. S. (2004). Structural holes and good ideas. *American Journal of
       Sociology* 110(2), 349–399.
    """
    arrays = arrays_for(G, arrays, weight=weight, reads_weight=True)
    mutual, pattern = _mutual_weights(arrays)
    shares = _row_scale(mutual, np.asarray(mutual.sum(axis=1)).ravel())
    local = shares + _masked_product(shares, shares, pattern)
    values = np.asarray(local.power(2).sum(axis=1), dtype=np.float64).ravel()
    values[_degrees(pattern) == 0] = np.nan
    return dict(zip(arrays.nodes, values.tolist(), strict=True))


def effective_size(
    G: nx.Graph, *, weight: str | None = None, arrays: GraphArrays | None = None
) -> dict[Hashable, float]:
    r"""Burt's effective size of every node's network.

    .. math:: e_u = \sum_{v \in N(u)} \Big(1 - \sum_{w \in N(u)} p_{uw} m_{vw}\Big)

    with :math:`p_{uw}` as in :func:`constraint` and :math:`m_{vw}` the mutual weight of
    :math:`v` and :math:`w` divided by :math:`v`'s largest mutual weight. Unweighted and
    undirected it reduces to :math:`n - 2t/n` (Borgatti 1997), :math:`n` partners with
    :math:`t` ties among them. It counts the non-redundant partners: an actor whose five
    partners do not know each other has effective size 5; if they all know each other, 1.

    Equal to :func:`networkx.effective_size`; NaN for an isolated node, as there.

    Parameters
    ----------
    G : networkx.Graph
        Directed or undirected, without self-loops.
    weight : str or None
        Edge attribute holding tie strength; None counts every tie as 1.
    arrays : GraphArrays, optional
        ``graph_arrays(G, weight)`` when the caller already has it (see
        :func:`~ecograph.network.arrays.arrays_for`); built from ``G`` otherwise.

    Returns
    -------
    dict
        Node → effective size, in the graph's node order.

    Examples
    --------
    >>> effective_size(nx.complete_graph(4))[0]  # three partners who all know each other
    1.0

    References
    ----------
    .. [1] Burt, R. S. (1992). *Structural Holes: The Social Structure of Competition*.
       Harvard University Press.
    .. [2] Borgatti, S. P. (1997). Structural holes: unpacking Burt's redundancy measures.
       *Connections* 20(1), 35–38.
    """
    arrays = arrays_for(G, arrays, weight=weight, reads_weight=True)
    mutual, pattern = _mutual_weights(arrays)
    shares = _row_scale(mutual, np.asarray(mutual.sum(axis=1)).ravel())
    largest = mutual.max(axis=1).toarray().ravel() if mutual.nnz else np.zeros(arrays.n)
    relative = _row_scale(mutual, largest)
    redundancy = _masked_product(shares, relative.T.tocsr(), pattern)
    degrees = _degrees(pattern)
    values = degrees - np.asarray(redundancy.sum(axis=1), dtype=np.float64).ravel()
    values[degrees == 0] = np.nan
    return dict(zip(arrays.nodes, values.tolist(), strict=True))


@not_implemented_for("undirected")
def brokerage_roles(G: nx.DiGraph, *, attribute: str = "sector") -> dict[Hashable, dict[str, int]]:
    r"""Gould–Fernandez brokerage roles of every node of a directed graph.

    Node :math:`B` brokers each two-path :math:`A \to B \to C` with :math:`A \ne C` **and no
    direct tie** :math:`A \to C` (the classic definition: a broker is needed only when the
    two ends are not already tied). With :math:`g` the group (sector) of a node, the
    two-path makes :math:`B` a

    ==================  ======================================================
    coordinator         :math:`g(A) = g(B) = g(C)`: brokers inside its own sector
    gatekeeper          :math:`g(A) \ne g(B) = g(C)`: lets an outside actor into its sector
    representative      :math:`g(A) = g(B) \ne g(C)`: carries its sector's flow outside
    consultant          :math:`g(A) = g(C) \ne g(B)`: serves another sector from outside
    liaison             all three differ: links two sectors, belonging to neither
    ==================  ======================================================

    On funding ties (funder → beneficiary) a département funded by the State that funds an
    association is a gatekeeper when the association is public too, a representative when
    it is not, and so on: the roles say which sector boundaries each actor's funding
    position spans.

    Parameters
    ----------
    G : networkx.DiGraph
        Self-loops are ignored.
    attribute : str
        Node attribute naming the group.

    Returns
    -------
    dict
        Node → {role: count} for the five :data:`ROLES`, in the graph's node order (zeros
        included).

    Examples
    --------
    >>> G = nx.DiGraph([("region", "dept"), ("dept", "asso")])
    >>> nx.set_node_attributes(G, {"region": "public", "dept": "public", "asso": "ess"},
    ...                        "sector")
    >>> brokerage_roles(G)["dept"]["representative"]
    1

    References
    ----------
    .. [1] Gould, R. V., Fernandez, R. M. (1989). Structures of mediation: a formal approach
       to brokerage in transaction networks. *Sociological Methodology* 19, 89–126.
    """
    group = dict(G.nodes(data=attribute, default=""))
    successors = {node: set(G.successors(node)) - {node} for node in G}
    result: dict[Hashable, dict[str, int]] = {}
    for broker in G:
        counts: Counter[str] = Counter()
        after = successors[broker]
        if after:
            g_b = group[broker]
            after_groups = Counter(group[c] for c in after)
            for a in G.predecessors(broker):
                if a == broker:
                    continue
                # every C after B, minus C = A and the C that A already reaches directly
                skipped = Counter(group[c] for c in after & successors[a])
                if a in after:
                    skipped[group[a]] += 1
                g_a = group[a]
                for g_c, n in after_groups.items():
                    n -= skipped.get(g_c, 0)
                    if n:
                        counts[_role(g_a, g_b, g_c)] += n
        result[broker] = {role: counts.get(role, 0) for role in ROLES}
    return result


def _role(g_a: str, g_b: str, g_c: str) -> str:
    if g_a == g_b:
        return "coordinator" if g_b == g_c else "representative"
    if g_b == g_c:
        return "gatekeeper"
    return "consultant" if g_a == g_c else "liaison"
