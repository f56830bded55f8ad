"""Node positions computed once in Python, so the browser draws a still map at once.

vis-network's own physics needs minutes to settle a few thousand nodes in a software-rendered
browser (58 s for 500 nodes, never within 4 minutes for 2,000, measured with pyvis 0.3.2
defaults). igraph's Fruchterman–Reingold does the same job in C in under a second for 10,000
nodes (grid variant, 300 iterations); the map then opens with physics off.

Measured on the 2-core reference machine (Barabási graphs, 3 ties per node), 300 iterations:
500 nodes 0.1 s (grid) / 0.3 s (exact), 10,000 nodes 0.8 s (grid). DrL took 64 s at 10,000.
Below ``EXACT_BELOW`` nodes the exact (no grid) variant runs: slower, slightly tidier.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import igraph
import numpy as np

__all__ = ["EXACT_BELOW", "ITERATIONS", "fit", "force_layout", "spread_points"]

ITERATIONS = 300
EXACT_BELOW = 1000
# Pixels of canvas per node, as the side of the square each node gets on average.
SPACING = 70.0


def force_layout(n: int, edges: Sequence[tuple[int, int]],
                 weights: Sequence[float] | None = None, *, seed: int = 0) -> np.ndarray:
    """Fruchterman–Reingold positions (``n`` × 2) of nodes ``0..n-1``; same input and seed,
    same positions.

    igraph draws from a global generator: a private one seeded with ``seed`` is used for this
    call, then igraph's default (Python's ``random`` module) is restored. The starting
    positions come from numpy's generator with the same seed.
    """
    if n == 0:
        return np.zeros((0, 2))
    if n == 1:
        return np.zeros((1, 2))
    graph = igraph.Graph(n=n, edges=list(edges))
    start = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, 2)) * math.sqrt(n)
    igraph.set_random_number_generator(random.Random(seed))
    try:
        layout = graph.layout_fruchterman_reingold(
            weights=list(weights) if weights is not None else None, niter=ITERATIONS,
            seed=start.tolist(), grid="nogrid" if n < EXACT_BELOW else "grid")
    finally:
        igraph.set_random_number_generator(random)
    return np.asarray(layout.coords, dtype=float)


def fit(positions: np.ndarray, spacing: float = SPACING) -> np.ndarray:
    """Centre ``positions`` and scale them so each node has about ``spacing`` pixels of
    room: the drawing's area grows with the node count, so labels stay apart when zoomed."""
    if len(positions) == 0:
        return positions
    centred = positions - np.median(positions, axis=0)
    # A robust extent: a few far-flung isolated actors must not squeeze the rest together.
    extent = float(np.percentile(np.abs(centred), 95))
    if extent == 0:
        return centred
    half_side = spacing * math.sqrt(len(positions)) / 2
    return np.round(centred * (half_side / extent), 1)


def spread_points(count: int, radius_per_point: float = 9.0) -> np.ndarray:
    """``count`` offsets on a sunflower spiral around (0, 0), evenly filling a disc whose area
    grows with ``count``: actors of the same commune stand side by side, not on one spot."""
    if count <= 1:
        return np.zeros((max(count, 0), 2))
    index = np.arange(count) + 0.5
    radius = radius_per_point * np.sqrt(index)
    angle = index * math.pi * (3.0 - math.sqrt(5.0))
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
