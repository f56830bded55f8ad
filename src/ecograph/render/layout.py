"""Node positions computed once in Python, so the browser draws a still map at once.

vis-network's own physics needs minutes to settle a few thousand nodes in a software-rendered
browser. igraph's Fruchterman–Reingold does the same job in C in under a second for 10,000
nodes (grid variant, 300 iterations); the map then opens with physics off. igraph's DrL is
far slower at that size. Below ``EXACT_BELOW`` nodes the exact (no grid) variant runs:
slower, slightly tidier. Timings in bench/README.md (``bench_map.py``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import igraph
import numpy as np

__all__ = [
    "EXACT_BELOW",
    "ITERATIONS",
    "community_layout",
    "fit",
    "force_layout",
    "spread_points",
]

ITERATIONS = 300
EXACT_BELOW = 1000
# Pixels of canvas per node, as the side of the square each node gets on average.
SPACING = 70.0


def force_layout(
    n: int,
    edges: Sequence[tuple[int, int]],
    *,
    weights: Sequence[float] | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Fruchterman–Reingold positions (``n`` × 2) of nodes ``0..n-1``; same input and seed,
    same positions.

    Nodes without a tie take no part in the simulation (they would only drift to the rim):
    they are lined up in a square block to the right of the others. igraph draws its
    starting positions from a global generator: a private one seeded with ``seed`` is used
    for this call, then igraph's default (Python's ``random`` module) is restored. (Passing
    starting positions instead makes the grid variant several times slower.)
    """
    positions = np.zeros((n, 2))
    tied = np.zeros(n, dtype=bool)
    for a, b in edges:
        tied[a] = tied[b] = True
    members = np.flatnonzero(tied)
    if members.size:
        local = np.full(n, -1)
        local[members] = np.arange(members.size)
        graph = igraph.Graph(
            n=int(members.size), edges=[(int(local[a]), int(local[b])) for a, b in edges]
        )
        igraph.set_random_number_generator(random.Random(seed))
        try:
            found = graph.layout_fruchterman_reingold(
                weights=list(weights) if weights is not None else None,
                niter=ITERATIONS,
                grid="nogrid" if members.size < EXACT_BELOW else "grid",
            )
        finally:
            igraph.set_random_number_generator(random)
        positions[members] = np.asarray(found.coords, dtype=float)
    _place_alone(positions, tied)
    return positions


#: Above this many communities the packing (quadratic in them) gives way to one global
#: force layout.
MAX_PACKED = 400
#: Room between two communities' discs, in node spacings.
GAP = 1.5
#: A community this large is laid out with the grid variant: at 10,000 actors in 50
#: communities of 200, the exact one takes 1.1 s and the grid one 0.35 s.
EXACT_COMMUNITY_BELOW = 100


def community_layout(n: int, edges: Sequence[tuple[int, int]], *, seed: int = 0) -> np.ndarray:
    """Positions (``n`` × 2) where each Louvain community of the tie graph is laid out on
    its own (Fruchterman–Reingold) as a disc whose area follows its size, and the discs are
    packed side by side, largest first, nearest the centre. Clusters then read as clusters:
    one global force layout draws a large star and the small groups around it as one blot.
    Nodes without a tie go in a block to the right, as in :func:`force_layout`. Same input
    and seed, same positions.
    """
    positions = np.zeros((n, 2))
    tied = np.zeros(n, dtype=bool)
    for a, b in edges:
        tied[a] = tied[b] = True
    members = np.flatnonzero(tied)
    if not members.size:
        _place_alone(positions, tied)
        return positions
    local = np.full(n, -1)
    local[members] = np.arange(members.size)
    graph = igraph.Graph(
        n=int(members.size), edges=[(int(local[a]), int(local[b])) for a, b in edges]
    )
    graph.simplify()
    igraph.set_random_number_generator(random.Random(seed))
    try:
        membership = graph.community_multilevel().membership
        groups: dict[int, list[int]] = {}
        for vertex, community in enumerate(membership):
            groups.setdefault(community, []).append(vertex)
        if len(groups) > MAX_PACKED:
            return force_layout(n, edges, seed=seed)
        ordered = sorted(groups.values(), key=lambda g: (-len(g), g[0]))
        discs = [_disc(graph, group) for group in ordered]
    finally:
        igraph.set_random_number_generator(random)
    centres = _pack([radius for _, radius in discs])
    for group, (coords, _), centre in zip(ordered, discs, centres, strict=True):
        positions[members[group]] = coords + centre
    _place_alone(positions, tied)
    return positions


def _disc(graph: igraph.Graph, group: list[int]) -> tuple[np.ndarray, float]:
    """One community laid out alone and scaled into a disc of about ``sqrt(size)`` spacings."""
    radius = math.sqrt(len(group)) + 0.5  # about 3 square spacings a node: room for labels
    if len(group) == 1:
        return np.zeros((1, 2)), radius
    sub = graph.subgraph(group)  # vertices keep the order of ``group`` (sorted ids)
    coords = np.asarray(
        sub.layout_fruchterman_reingold(
            niter=ITERATIONS, grid="nogrid" if len(group) < EXACT_COMMUNITY_BELOW else "grid"
        ).coords,
        dtype=float,
    )
    coords -= coords.mean(axis=0)
    extent = float(np.linalg.norm(coords, axis=1).max())
    return (coords * (radius - 0.5) / extent if extent else coords), radius


def _pack(radii: list[float]) -> np.ndarray:
    """Centres for discs of ``radii`` (largest first), none overlapping: each goes at the
    free spot nearest the origin among those touching an already placed disc."""
    centres = np.zeros((len(radii), 2))
    placed_r = np.asarray(radii, dtype=float)
    angles = np.linspace(0.0, 2 * math.pi, 24, endpoint=False)
    ring = np.column_stack([np.cos(angles), np.sin(angles)])
    for i in range(1, len(radii)):
        r = placed_r[i]
        reach = placed_r[:i] + r + GAP  # distance from each placed centre to touch it
        candidates = (centres[:i, None, :] + reach[:, None, None] * ring[None]).reshape(-1, 2)
        gaps = np.linalg.norm(candidates[:, None, :] - centres[None, :i], axis=2)
        free = (gaps >= placed_r[None, :i] + r + GAP - 1e-9).all(axis=1)
        options = candidates[free]
        centres[i] = options[np.argmin(np.linalg.norm(options, axis=1))]
    return centres


def _place_alone(positions: np.ndarray, tied: np.ndarray) -> None:
    """Put the nodes without a tie in a square block to the right of the others, as densely
    packed as the tied nodes are on average."""
    members = np.flatnonzero(tied)
    alone = np.flatnonzero(~tied)
    if alone.size:
        # As densely packed as the tied nodes are on average, in a square block.
        step = 1.0
        if members.size > 1:
            low, high = np.percentile(positions[members], [5, 95], axis=0)
            width, height = (float(v) for v in high - low)
            step = (
                math.sqrt(width * height / members.size)
                if width * height > 0
                else max(width, height) / (members.size - 1)
            ) or 1.0
        side = math.ceil(math.sqrt(alone.size))
        left = positions[members, 0].max() + 3 * step if members.size else 0.0
        top = positions[members, 1].min() if members.size else 0.0
        index = np.arange(alone.size)
        positions[alone] = np.column_stack(
            [left + step * (index % side), top + step * (index // side)]
        )


def fit(positions: np.ndarray, *, spacing: float = SPACING) -> np.ndarray:
    """Centre ``positions`` and scale them so each node has about ``spacing`` pixels of
    room: the drawing's area grows with the node count, so labels stay apart when zoomed."""
    if len(positions) == 0:
        return positions
    centre, factor = fit_transform(positions, spacing=spacing)
    return np.round((positions - centre) * factor, 1)


def fit_transform(positions: np.ndarray, *, spacing: float = SPACING) -> tuple[np.ndarray, float]:
    """``(centre, factor)`` such that :func:`fit` is ``(positions − centre) × factor``: what
    a basemap drawn under the nodes applies to its own points."""
    centre = np.median(positions, axis=0)
    # A robust extent: a few far-flung isolated actors must not squeeze the rest together.
    extent = float(np.percentile(np.abs(positions - centre), 95))
    if extent == 0:  # nearly all on one point: the few elsewhere set the scale
        extent = float(np.abs(positions - centre).max())
    if extent == 0:
        return centre, 1.0
    return centre, spacing * math.sqrt(len(positions)) / 2 / extent


def spread_points(count: int, *, radius_per_point: float = 9.0) -> np.ndarray:
    """``count`` offsets on a sunflower spiral around (0, 0), evenly filling a disc whose area
    grows with ``count``: actors of the same commune stand side by side, not on one spot."""
    if count <= 1:
        return np.zeros((max(count, 0), 2))
    index = np.arange(count) + 0.5
    radius = radius_per_point * np.sqrt(index)
    angle = index * math.pi * (3.0 - math.sqrt(5.0))
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
