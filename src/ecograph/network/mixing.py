"""Who ties with whom across sectors: share of cross-sector ties, mixing matrix, E-I index,
assortativity, and the same summaries per territory or domain.

Every function takes the node attribute that defines the groups (``attribute="sector"``), so
the same measures work for actor types or territories. A node without the attribute belongs
to the group ``""``. Ties are counted once, unweighted: a tie is a pair of actors that share
at least one partnership or project, however many.

Engine: numpy over the edge arrays (:mod:`ecograph.network.arrays`). networkx has the mixing
matrix and the assortativity coefficient; tests check these functions against it. Every
measure also takes ``arrays=``, the graph's :class:`~ecograph.network.arrays.GraphArrays`
when the caller already has them, so that several measures of one graph flatten it once.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

from ecograph.network.arrays import GraphArrays, arrays_for, sorted_unique

__all__ = [
    "TieSummary",
    "attribute_assortativity",
    "cross_sector_share",
    "cross_sector_ties",
    "ei_index",
    "ei_index_by_group",
    "ei_index_by_node",
    "mixing_matrix",
    "tie_summaries",
]


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def _edge_groups(
    G: nx.Graph, attribute: str, arrays: GraphArrays | None
) -> tuple[GraphArrays, list[str], np.ndarray]:
    arrays = arrays_for(G, arrays, reads_weight=False)
    labels, codes = arrays.group_codes(attribute)
    return arrays, labels, codes


def cross_sector_share(
    G: nx.Graph, *, attribute: str = "sector", arrays: GraphArrays | None = None
) -> float:
    r"""Share of ties whose two ends belong to different groups.

    .. math:: s = \frac{E}{E + I}

    with :math:`E` the ties between groups and :math:`I` the ties within one. For partnership
    brokers it is the plainest answer to "how much does this ecosystem work across sectors?":
    0 means every sector keeps to itself, 1 that every partnership crosses a boundary.

    Parameters
    ----------
    G : networkx.Graph
        Directed or undirected; ties are counted once, unweighted.
    attribute : str
        Node attribute naming the group.
    arrays : GraphArrays, optional
        ``graph_arrays(G)`` when the caller already has it (see
        :func:`~ecograph.network.arrays.arrays_for`); built from ``G`` otherwise.

    Returns
    -------
    float
        In [0, 1]; NaN for a graph without ties.

    Examples
    --------
    >>> G = nx.Graph([(1, 2), (2, 3)])
    >>> nx.set_node_attributes(G, {1: "ess", 2: "ess", 3: "public"}, "sector")
    >>> cross_sector_share(G)
    0.5

    References
    ----------
    .. [1] Krackhardt, D., Stern, R. N. (1988). Informal networks and organizational crises:
       an experimental simulation. *Social Psychology Quarterly* 51(2), 123–140.
    """
    arrays = arrays_for(G, arrays, reads_weight=False)
    return _ratio(cross_sector_ties(G, attribute=attribute, arrays=arrays), arrays.m)


def cross_sector_ties(
    G: nx.Graph, *, attribute: str = "sector", arrays: GraphArrays | None = None
) -> int:
    """Number of ties whose two ends belong to different groups (:math:`E` in
    :func:`cross_sector_share`), counted once each, unweighted.

    Examples
    --------
    >>> G = nx.Graph([(1, 2), (2, 3)])
    >>> nx.set_node_attributes(G, {1: "ess", 2: "ess", 3: "public"}, "sector")
    >>> cross_sector_ties(G)
    1
    """
    arrays, _, codes = _edge_groups(G, attribute, arrays)
    return int(np.count_nonzero(codes[arrays.source] != codes[arrays.target]))


def ei_index(G: nx.Graph, *, attribute: str = "sector", arrays: GraphArrays | None = None) -> float:
    r"""Krackhardt's E-I index of the whole graph.

    .. math:: EI = \frac{E - I}{E + I}

    with :math:`E` the ties between groups and :math:`I` the ties within one, so
    :math:`EI = 2s - 1` for the cross-sector share :math:`s`. −1: every tie stays inside its
    sector (homophily); +1: every tie crosses sectors (heterophily).

    Parameters
    ----------
    G : networkx.Graph
    attribute : str
        Node attribute naming the group.

    Returns
    -------
    float
        In [-1, 1]; NaN for a graph without ties.

    Examples
    --------
    >>> G = nx.Graph([(1, 2), (2, 3), (3, 1)])
    >>> nx.set_node_attributes(G, {1: "ess", 2: "ess", 3: "public"}, "sector")
    >>> round(ei_index(G), 4)
    0.3333

    References
    ----------
    .. [1] Krackhardt, D., Stern, R. N. (1988). Informal networks and organizational crises:
       an experimental simulation. *Social Psychology Quarterly* 51(2), 123–140.
    """
    share = cross_sector_share(G, attribute=attribute, arrays=arrays)
    return 2 * share - 1 if not math.isnan(share) else math.nan


def ei_index_by_group(
    G: nx.Graph, *, attribute: str = "sector", arrays: GraphArrays | None = None
) -> dict[str, float]:
    r"""E-I index of each group, over the ties with at least one end in it.

    For group :math:`g`, :math:`I_g` counts ties with both ends in :math:`g` and :math:`E_g`
    ties with exactly one end in :math:`g`; :math:`EI_g = (E_g - I_g) / (E_g + I_g)`. A sector
    near −1 works mostly with itself; near +1 it is mostly turned towards the others.

    Returns
    -------
    dict
        Group value → E-I in [-1, 1], sorted by group; NaN for a group without ties.

    Examples
    --------
    >>> G = nx.Graph([(1, 2), (2, 3)])
    >>> nx.set_node_attributes(G, {1: "ess", 2: "ess", 3: "public"}, "sector")
    >>> ei_index_by_group(G)
    {'ess': 0.0, 'public': 1.0}

    References
    ----------
    .. [1] Krackhardt, D., Stern, R. N. (1988). Informal networks and organizational crises:
       an experimental simulation. *Social Psychology Quarterly* 51(2), 123–140.
    """
    return {
        key: summary.ei_index
        for key, summary in tie_summaries(G, attribute, attribute=attribute, arrays=arrays).items()
    }


def ei_index_by_node(
    G: nx.Graph, *, attribute: str = "sector", arrays: GraphArrays | None = None
) -> dict[Hashable, float]:
    r"""E-I index of each node, over its own ties.

    :math:`E_v` counts the partners of :math:`v` in another group, :math:`I_v` those in its
    own group; :math:`EI_v = (E_v - I_v) / (E_v + I_v)`. An actor at +1 works only across
    sectors, a typical boundary spanner. Ties are counted in both directions of a directed
    graph.

    Returns
    -------
    dict
        Node → E-I in [-1, 1] in the graph's node order; NaN for an isolated node.

    Examples
    --------
    >>> G = nx.Graph([(1, 2), (2, 3)])
    >>> nx.set_node_attributes(G, {1: "ess", 2: "ess", 3: "public"}, "sector")
    >>> ei_index_by_node(G)
    {1: -1.0, 2: 0.0, 3: 1.0}

    References
    ----------
    .. [1] Krackhardt, D., Stern, R. N. (1988). Informal networks and organizational crises:
       an experimental simulation. *Social Psychology Quarterly* 51(2), 123–140.
    """
    arrays, _, codes = _edge_groups(G, attribute, arrays)
    loops = arrays.source == arrays.target
    source, target = arrays.source[~loops], arrays.target[~loops]
    cross = (codes[source] != codes[target]).astype(np.float64)
    ends = np.concatenate([source, target])
    external = np.bincount(ends, weights=np.concatenate([cross, cross]), minlength=arrays.n)
    total = np.bincount(ends, minlength=arrays.n).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(total > 0, (2 * external - total) / total, np.nan)
    return dict(zip(arrays.nodes, values.tolist(), strict=True))


def mixing_matrix(
    G: nx.Graph,
    *,
    attribute: str = "sector",
    normalized: bool = False,
    groups: Iterable[str] | None = None,
    arrays: GraphArrays | None = None,
) -> dict[str, dict[str, float]]:
    r"""Ties between each pair of groups.

    ``counts[s][t]`` is the number of ties between a node of group ``s`` and one of group
    ``t``. For an undirected graph the matrix is symmetric and the diagonal counts each
    within-group tie once (networkx's ``attribute_mixing_matrix`` counts both directions, so
    doubles the diagonal). For a directed graph ``counts[s][t]`` counts ties from ``s`` to
    ``t``. With ``normalized``, each row is divided by its sum:

    .. math:: m_{st} = \frac{n_{st}}{\sum_u n_{su}}

    the share of the ties involving sector ``s`` that reach sector ``t``. A zero off the
    diagonal is a pair of sectors that never work together; a row of zeros, a sector without
    ties.

    Parameters
    ----------
    G : networkx.Graph
    attribute : str
        Node attribute naming the group.
    normalized : bool
        Row-normalise the counts.
    groups : iterable of str, optional
        Rows and columns to report, in this order (default: the groups present, sorted).
    arrays : GraphArrays, optional
        ``graph_arrays(G)`` when the caller already has it; built from ``G`` otherwise.

    Returns
    -------
    dict of dict
        ``matrix[row][column]``: ints for counts, floats when normalised.

    Examples
    --------
    >>> G = nx.Graph([(1, 2), (2, 3)])
    >>> nx.set_node_attributes(G, {1: "ess", 2: "ess", 3: "public"}, "sector")
    >>> mixing_matrix(G)
    {'ess': {'ess': 1, 'public': 1}, 'public': {'ess': 1, 'public': 0}}

    References
    ----------
    .. [1] Newman, M. E. J. (2003). Mixing patterns in networks. *Physical Review E* 67,
       026126.
    """
    arrays, labels, codes = _edge_groups(G, attribute, arrays)
    return _matrix(
        _count_matrix(arrays, codes, len(labels)),
        labels,
        list(groups) if groups is not None else labels,
        normalized,
    )


def _matrix(
    counts: np.ndarray, labels: list[str], order: list[str], normalized: bool
) -> dict[str, dict[str, float]]:
    position = {label: i for i, label in enumerate(labels)}
    result: dict[str, dict[str, float]] = {}
    for row in order:
        i = position.get(row)
        values = [
            int(counts[i, position[c]]) if i is not None and c in position else 0 for c in order
        ]
        if normalized:
            total = sum(values)
            result[row] = {
                c: (v / total if total else 0.0) for c, v in zip(order, values, strict=True)
            }
        else:
            result[row] = dict(zip(order, values, strict=True))
    return result


def _count_matrix(arrays: GraphArrays, codes: np.ndarray, k: int) -> np.ndarray:
    gu, gv = codes[arrays.source], codes[arrays.target]
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (gu, gv), 1)
    if not arrays.directed:
        counts = counts + counts.T - np.diag(np.diag(counts))
    return counts


def attribute_assortativity(
    G: nx.Graph, *, attribute: str = "sector", arrays: GraphArrays | None = None
) -> float:
    r"""Newman's assortativity coefficient of a categorical node attribute.

    .. math:: r = \frac{\sum_i e_{ii} - \sum_i a_i b_i}{1 - \sum_i a_i b_i}

    where :math:`e_{ij}` is the fraction of tie ends joining group :math:`i` to group
    :math:`j` (each undirected tie counted in both directions) and :math:`a_i`, :math:`b_i`
    its row and column sums. :math:`r = 1` when sectors only tie within themselves, 0 when
    they mix as if at random, negative when they prefer other sectors: where E-I counts
    ties, :math:`r` corrects for the size of each sector.

    Same value as :func:`networkx.attribute_assortativity_coefficient`, computed from the
    group counts with numpy instead of a Python loop over tie ends.

    Returns
    -------
    float
        In [-1, 1]; NaN when undefined (no ties, or a single group).

    Examples
    --------
    >>> G = nx.Graph([(1, 2), (3, 4), (1, 3)])
    >>> nx.set_node_attributes(G, {1: "a", 2: "a", 3: "b", 4: "b"}, "sector")
    >>> round(attribute_assortativity(G), 4)
    0.3333

    References
    ----------
    .. [1] Newman, M. E. J. (2003). Mixing patterns in networks. *Physical Review E* 67,
       026126.
    """
    arrays, labels, codes = _edge_groups(G, attribute, arrays)
    k = len(labels)
    gu, gv = codes[arrays.source], codes[arrays.target]
    ends = np.zeros((k, k), dtype=np.float64)
    np.add.at(ends, (gu, gv), 1.0)
    if not arrays.directed:  # both directions of a tie; a self-loop once, as networkx does
        loops = arrays.source == arrays.target
        np.add.at(ends, (gv[~loops], gu[~loops]), 1.0)
    total = ends.sum()
    if total == 0:
        return math.nan
    e = ends / total
    s = float((e.sum(axis=1) * e.sum(axis=0)).sum())
    return _ratio(float(np.trace(e)) - s, 1 - s)


@dataclass(frozen=True)
class TieSummary:
    """Ties of one group of actors (a sector, a territory, a domain).

    ``ties`` counts the ties that belong to the group (see :func:`tie_summaries`);
    ``internal_ties`` those with both ends in the group; ``same_sector_ties`` and
    ``cross_sector_ties`` split ``ties`` by whether both ends share a sector.
    """

    actors: int
    ties: int
    internal_ties: int
    same_sector_ties: int
    cross_sector_ties: int

    @property
    def cross_sector_share(self) -> float:
        """``cross_sector_ties / ties`` (NaN without ties)."""
        return _ratio(self.cross_sector_ties, self.ties)

    @property
    def ei_index(self) -> float:
        """``(cross − same) / ties`` (NaN without ties)."""
        return _ratio(self.cross_sector_ties - self.same_sector_ties, self.ties)


def tie_summaries(
    G: nx.Graph,
    by: str,
    *,
    attribute: str = "sector",
    edge_keys: Mapping[tuple[Hashable, Hashable], Iterable[str]]
    | Sequence[Collection[str]]
    | None = None,
    arrays: GraphArrays | None = None,
) -> dict[str, TieSummary]:
    r"""Count actors and ties of each group of nodes, and how many ties cross sectors.

    Groups come from the node attribute ``by``: one value per node (``"sector"``,
    ``"epci"``), or several separated by spaces (``"domains"``). Empty values put a node in
    no group. A tie belongs to every group one of its ends is in, unless ``edge_keys`` says
    which groups each tie belongs to (e.g. the domains of the partnerships that made it).
    For each group the summary gives the E-I index and cross-sector share of its ties, over
    ``attribute`` (the sector).

    Grouped by the sector itself, ``internal_ties`` are the same-sector ties :math:`I_g` and
    ``cross_sector_ties`` the ties :math:`E_g` leaving the sector: Krackhardt's group E-I.
    Grouped by territory, the summary says how cross-sector the ties of the territory's
    actors are, including ties to partners based elsewhere (``internal_ties`` counts only
    those between two actors of the territory).

    Parameters
    ----------
    G : networkx.Graph
    by : str
        Node attribute naming the groups.
    attribute : str
        Node attribute whose mixing is measured.
    edge_keys : mapping or sequence, optional
        ``(u, v)`` (as in ``G.edges()``) → groups of that tie; or the groups of every tie,
        one collection per edge in ``G.edges()`` order (faster on large graphs: no lookup
        by node pair).
    arrays : GraphArrays, optional
        ``graph_arrays(G)`` when the caller already has it; built from ``G`` otherwise.

    Returns
    -------
    dict
        Group value → :class:`TieSummary`, sorted by group.

    Examples
    --------
    >>> G = nx.Graph([(1, 2), (2, 3)])
    >>> nx.set_node_attributes(G, {1: "ess", 2: "ess", 3: "public"}, "sector")
    >>> nx.set_node_attributes(G, {1: "X", 2: "Y", 3: "Y"}, "epci")
    >>> summary = tie_summaries(G, "epci")
    >>> summary["Y"].ties, summary["Y"].internal_ties, summary["Y"].ei_index
    (2, 1, 0.0)

    References
    ----------
    .. [1] Krackhardt, D., Stern, R. N. (1988). Informal networks and organizational crises:
       an experimental simulation. *Social Psychology Quarterly* 51(2), 123–140.
    """
    arrays = arrays_for(G, arrays, reads_weight=False)
    _, sectors = arrays.group_codes(attribute)
    labels, node_node, node_key = node_keys(G, arrays.nodes, by)
    edge_pairs = None
    if edge_keys is not None:
        edge_pairs = _edge_key_pairs(G, arrays, edge_keys, labels)
    return _summaries(arrays, sectors, labels, node_node, node_key, edge_pairs)


def _edge_key_pairs(
    G: nx.Graph,
    arrays: GraphArrays,
    edge_keys: Mapping[tuple[Hashable, Hashable], Iterable[str]] | Sequence[Collection[str]],
    labels: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """(edge index, group index) of every group ``edge_keys`` gives a tie; groups not in
    ``labels`` are appended to it."""
    per_edge: Sequence[Collection[str]]
    if isinstance(edge_keys, Mapping):
        looked_up: list[tuple[str, ...]] = []
        for u, v in G.edges():
            found = edge_keys.get((u, v))
            if found is None and not arrays.directed:
                found = edge_keys.get((v, u))
            looked_up.append(tuple(found or ()))
        per_edge = looked_up
    else:
        per_edge = edge_keys
        if len(per_edge) != arrays.m:
            raise ValueError(f"edge_keys has {len(per_edge)} entries for {arrays.m} edges")
    position = {label: i for i, label in enumerate(labels)}
    for key in itertools.chain.from_iterable(per_edge):
        if key not in position:
            position[key] = len(labels)
            labels.append(key)
    lengths = np.fromiter(map(len, per_edge), dtype=np.int64, count=len(per_edge))
    groups = np.fromiter(
        map(position.__getitem__, itertools.chain.from_iterable(per_edge)),
        dtype=np.int64,
        count=int(lengths.sum()),
    )
    return np.repeat(np.arange(len(per_edge), dtype=np.int64), lengths), groups


def node_keys(
    G: nx.Graph, nodes: list[Hashable], by: str
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Groups of each node from attribute ``by`` (space-separated values) as pairs.

    Returns the sorted group labels and two arrays: node index and group index of every
    (node, group) membership.
    """
    values = dict(G.nodes(data=by, default=""))
    node_index: list[int] = []
    keys: list[str] = []
    for i, node in enumerate(nodes):
        text = str(values[node])
        if " " in text:
            found = sorted(set(text.split()))
            node_index.extend([i] * len(found))
            keys.extend(found)
        elif text:
            node_index.append(i)
            keys.append(text)
    labels = sorted(set(keys))
    position = {label: i for i, label in enumerate(labels)}
    return (
        labels,
        np.asarray(node_index, dtype=np.int64),
        np.asarray([position[key] for key in keys], dtype=np.int64),
    )


def _expand(
    endpoint: np.ndarray, node_index: np.ndarray, key_index: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """(edge, group) pairs giving each edge the groups of one of its ends."""
    order = np.argsort(node_index, kind="stable")
    keys_sorted = key_index[order]
    counts = np.bincount(node_index, minlength=n)
    starts = np.cumsum(counts) - counts
    repeats = counts[endpoint]
    edges = np.repeat(np.arange(endpoint.size), repeats)
    offsets = np.arange(repeats.sum()) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    return edges, keys_sorted[np.repeat(starts[endpoint], repeats) + offsets]


def _summaries(
    arrays: GraphArrays,
    sectors: np.ndarray,
    labels: list[str],
    node_index: np.ndarray,
    key_index: np.ndarray,
    edge_pairs: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, TieSummary]:
    """:func:`tie_summaries` on arrays: (node, group) and optional (edge, group) pairs."""
    k = max(len(labels), 1)
    membership = sorted_unique(node_index * k + key_index)
    if edge_pairs is None:
        e_s, k_s = _expand(arrays.source, node_index, key_index, arrays.n)
        e_t, k_t = _expand(arrays.target, node_index, key_index, arrays.n)
        codes = sorted_unique(np.concatenate([e_s * k + k_s, e_t * k + k_t]))
    else:
        codes = sorted_unique(edge_pairs[0] * k + edge_pairs[1])
    edge, key = codes // k, codes % k
    inside = _member(membership, arrays.source[edge] * k + key) & _member(
        membership, arrays.target[edge] * k + key
    )
    crossing = (sectors[arrays.source] != sectors[arrays.target])[edge]
    actors = np.bincount(membership % k, minlength=k)
    ties = np.bincount(key, minlength=k)
    internal = np.bincount(key[inside], minlength=k)
    cross = np.bincount(key[crossing], minlength=k)
    order = sorted(range(len(labels)), key=labels.__getitem__)
    return {
        labels[i]: TieSummary(
            int(actors[i]), int(ties[i]), int(internal[i]), int(ties[i] - cross[i]), int(cross[i])
        )
        for i in order
    }


def _member(sorted_values: np.ndarray, values: np.ndarray) -> np.ndarray:
    if sorted_values.size == 0:
        return np.zeros(values.shape, dtype=bool)
    position = np.minimum(np.searchsorted(sorted_values, values), sorted_values.size - 1)
    return sorted_values[position] == values
