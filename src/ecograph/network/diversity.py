r"""How varied the sectors around an actor, or inside a community, are: Blau and Shannon.

Both indices read a distribution :math:`p_k` over the groups (the share of an actor's
partners, or of a community's members, in sector :math:`k`):

- Blau's index :math:`B = 1 - \sum_k p_k^2`, the chance that two partners drawn at random
  (with replacement) come from different sectors; 0 when all share one sector, at most
  :math:`1 - 1/K` over :math:`K` sectors.
- Shannon's entropy :math:`H = -\sum_k p_k \ln p_k`, with the **natural logarithm** (nats);
  0 for one sector, at most :math:`\ln K`. It weighs rare sectors more than Blau does.

Partners are counted once each, whatever the number of partnerships shared. Engine: numpy
and scipy sparse over the edge arrays; no networkx counterpart.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping

import networkx as nx
import numpy as np
import scipy.sparse as sp
from networkx.utils import not_implemented_for

from ecograph.network.arrays import GraphArrays, arrays_for

__all__ = ["blau", "group_diversity", "partner_diversity", "shannon"]


def _shares(counts: Mapping[str, float] | Iterable[float]) -> np.ndarray:
    """The non-zero shares, sorted: floating-point sums depend on the order of their terms,
    and a Counter's order follows the members' (hash-seeded) set order, so sorting is what
    makes the same groups give the same bytes in every run."""
    values = np.sort(
        np.asarray(
            list(counts.values() if isinstance(counts, Mapping) else counts), dtype=np.float64
        )
    )
    total = values.sum()
    return values[values > 0] / total if total > 0 else np.empty(0)


def blau(counts: Mapping[str, float] | Iterable[float]) -> float:
    r"""Blau's index of heterogeneity of a distribution given as counts.

    .. math:: B = 1 - \sum_k p_k^2, \qquad p_k = n_k / \sum_j n_j

    Parameters
    ----------
    counts : mapping or iterable of numbers
        How many items fall in each group (zeros allowed).

    Returns
    -------
    float
        In [0, 1); NaN for an empty distribution.

    Examples
    --------
    >>> blau({"ess": 2, "public": 1, "academic": 1})
    0.625

    References
    ----------
    .. [1] Blau, P. M. (1977). *Inequality and Heterogeneity: A Primitive Theory of Social
       Structure*. Free Press.
    """
    shares = _shares(counts)
    return 1.0 - float(np.sum(shares**2)) if shares.size else math.nan


def shannon(counts: Mapping[str, float] | Iterable[float]) -> float:
    r"""Shannon's entropy of a distribution given as counts, in nats (natural log).

    .. math:: H = -\sum_k p_k \ln p_k

    Returns
    -------
    float
        In [0, ln K]; NaN for an empty distribution.

    Examples
    --------
    >>> round(shannon({"ess": 1, "public": 1}), 6)  # ln 2
    0.693147

    References
    ----------
    .. [1] Shannon, C. E. (1948). A mathematical theory of communication. *Bell System
       Technical Journal* 27, 379–423.
    """
    shares = _shares(counts)
    return float(-np.sum(shares * np.log(shares))) + 0.0 if shares.size else math.nan


@not_implemented_for("directed")
def partner_diversity(
    G: nx.Graph, *, attribute: str = "sector", arrays: GraphArrays | None = None
) -> dict[Hashable, tuple[float, float]]:
    r"""Blau and Shannon diversity of the sectors of each node's partners.

    For node :math:`v` with partners :math:`N(v)`, :math:`p_k` is the share of :math:`N(v)`
    in sector :math:`k` (the node's own sector counts only through its partners). A broker
    whose partners spread over many sectors scores high on both; an actor whose partners all
    come from one sector scores 0, even if that sector differs from its own (that is what the
    E-I index sees).

    Parameters
    ----------
    G : networkx.Graph
        Undirected; self-loops are ignored.
    attribute : str
        Node attribute naming the group.
    arrays : GraphArrays, optional
        ``graph_arrays(G)`` when the caller already has it (see
        :func:`~ecograph.network.arrays.arrays_for`); built from ``G`` otherwise.

    Returns
    -------
    dict
        Node → ``(blau, shannon)`` in the graph's node order; ``(nan, nan)`` for an isolated
        node.

    Examples
    --------
    >>> G = nx.star_graph(3)  # centre 0, leaves 1, 2, 3
    >>> nx.set_node_attributes(G, {0: "ess", 1: "ess", 2: "public", 3: "public"}, "sector")
    >>> b, h = partner_diversity(G)[0]
    >>> round(b, 4), round(h, 4)
    (0.4444, 0.6365)

    References
    ----------
    .. [1] Blau, P. M. (1977). *Inequality and Heterogeneity*. Free Press.
    .. [2] Shannon, C. E. (1948). A mathematical theory of communication. *Bell System
       Technical Journal* 27, 379–423.
    """
    arrays = arrays_for(G, arrays, reads_weight=False)
    labels, codes = arrays.group_codes(attribute)
    k = len(labels)
    keep = arrays.source != arrays.target
    source, target = arrays.source[keep], arrays.target[keep]
    rows = np.concatenate([source, target])
    partner_groups = codes[np.concatenate([target, source])]
    counts = sp.csr_array((np.ones(rows.size), (rows, partner_groups)), shape=(arrays.n, max(k, 1)))
    counts.sum_duplicates()
    present = np.diff(counts.indptr)  # groups present among the partners
    partners = np.asarray(counts.sum(axis=1)).ravel()
    row_of = np.repeat(np.arange(arrays.n), present)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = counts.data / partners[row_of]
        blau_values = 1.0 - np.bincount(row_of, weights=shares**2, minlength=arrays.n)
        shannon_values = (
            -np.bincount(row_of, weights=shares * np.log(shares), minlength=arrays.n) + 0.0
        )
    isolated = partners == 0
    blau_values[isolated] = math.nan
    shannon_values[isolated] = math.nan
    return {
        node: (float(b), float(h))
        for node, b, h in zip(arrays.nodes, blau_values, shannon_values, strict=True)
    }


def group_diversity(
    G: nx.Graph, groups: Iterable[Iterable[Hashable]], *, attribute: str = "sector"
) -> list[tuple[float, float]]:
    r"""Blau and Shannon diversity of the sectors of the members of each group of nodes.

    For a community, :math:`p_k` is the share of its members in sector :math:`k`: a
    community that mixes public bodies, ESS and companies scores high; a single-sector
    cluster scores 0.

    Returns
    -------
    list of (float, float)
        ``(blau, shannon)`` per group, in the order given.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from([(1, {"sector": "ess"}), (2, {"sector": "ess"}),
    ...                   (3, {"sector": "public"})])
    >>> [tuple(round(x, 4) for x in d) for d in group_diversity(G, [[1, 2, 3], [1, 2]])]
    [(0.4444, 0.6365), (0.0, 0.0)]

    References
    ----------
    .. [1] Blau, P. M. (1977). *Inequality and Heterogeneity*. Free Press.
    .. [2] Shannon, C. E. (1948). A mathematical theory of communication. *Bell System
       Technical Journal* 27, 379–423.
    """
    result = []
    for members in groups:
        counts = Counter(G.nodes[node].get(attribute, "") for node in members)
        result.append((blau(counts), shannon(counts)))
    return result
