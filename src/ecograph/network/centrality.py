"""Betweenness: who sits on the short paths between other actors.

networkx computes it in pure Python, which is too slow at 100,000 actors; the
default engine here is igraph (C), run with the very same sources networkx would draw for the
same ``seed``, and rescaled as networkx does, so the two engines return the same numbers (the
tests check it on random graphs). Degree and weighted degree are networkx's ``G.degree``.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Hashable
from pathlib import Path
from typing import Literal

import networkx as nx
import numpy as np
from networkx.utils import create_py_random_state

from ecograph.network.arrays import GraphArrays, arrays_for

__all__ = ["BETWEENNESS_SAMPLES", "EXACT_BETWEENNESS_BELOW", "betweenness", "betweenness_sources"]

#: Graphs with fewer nodes get exact betweenness. Exact costs grow as n × m: at 10,000 actors
#: (31,600 ties) exact betweenness costs about what the sample below costs at 100,000 actors,
#: so no graph costs much more than that (figures in bench/README.md, ``bench_network.py``).
EXACT_BETWEENNESS_BELOW = 10_000
#: Number of source nodes sampled above the threshold (its error: :func:`betweenness`).
BETWEENNESS_SAMPLES = 256

Engine = Literal["igraph", "networkx"]


def betweenness_sources(
    G: nx.Graph,
    *,
    exact_below: int = EXACT_BETWEENNESS_BELOW,
    samples: int = BETWEENNESS_SAMPLES,
    seed: int | None = 0,
) -> list[Hashable] | None:
    """The source nodes :func:`betweenness` uses: ``None`` (all, exact) or a sample.

    The sample is ``random.Random(seed).sample(list(G), samples)``, the draw networkx makes
    in ``betweenness_centrality(G, k=samples, seed=seed)``.
    """
    if len(G) < exact_below or samples >= len(G):
        return None
    return create_py_random_state(seed).sample(list(G), samples)


def betweenness(
    G: nx.Graph,
    *,
    exact_below: int = EXACT_BETWEENNESS_BELOW,
    samples: int = BETWEENNESS_SAMPLES,
    seed: int | None = 0,
    normalized: bool = True,
    engine: Engine = "igraph",
    arrays: GraphArrays | None = None,
) -> dict[Hashable, float]:
    r"""Shortest-path betweenness of every node, exact on small graphs, sampled on large ones.

    .. math:: c_B(v) = \sum_{s \ne v \ne t} \frac{\sigma(s, t \mid v)}{\sigma(s, t)}

    where :math:`\sigma(s, t)` counts the shortest paths from :math:`s` to :math:`t` and
    :math:`\sigma(s, t \mid v)` those through :math:`v`; normalised by
    :math:`(n-1)(n-2)` (ordered pairs, as networkx). Paths are counted in hops, unweighted: a
    tie made of five partnerships is no shorter than one made of one. An actor with high
    betweenness connects parts of the ecosystem that would otherwise be far apart, the
    position of a partnership broker.

    Below ``exact_below`` nodes every node is a source (exact). Above it, ``samples``
    sources are drawn with ``seed`` and the sums extrapolated (Brandes & Pich 2007), exactly
    as ``nx.betweenness_centrality(G, k=samples, seed=seed)`` does.

    With the default 256 sources the leading brokers come out right (each within about
    20 % of its exact value, three quarters of the top 100 found) while small values are
    noisy; pass more ``samples`` when a precise ranking matters. The error depends on the
    number of sources much more than on the size of the graph, and the cost grows linearly
    with it. The error of 128 to 1000 sources against exact values, and the cost per source,
    are in bench/README.md (``bench_network.py``).

    Parameters
    ----------
    G : networkx.Graph
        Directed or undirected.
    exact_below : int
        Node count under which betweenness is exact.
    samples : int
        Number of sampled sources above it.
    seed : int or None
        Seed of the source sample.
    normalized : bool
        Divide by the number of ordered pairs of other nodes.
    engine : {"igraph", "networkx"}
        ``"igraph"`` (fast, C) or ``"networkx"`` (reference); same result.
    arrays : GraphArrays, optional
        ``graph_arrays(G)`` when the caller already has it (see
        :func:`~ecograph.network.arrays.arrays_for`); built from ``G`` otherwise.
        Hops are counted unweighted whatever weight the arrays carry; the networkx engine
        does not use them.

    Returns
    -------
    dict
        Node → betweenness, in the graph's node order.

    Examples
    --------
    >>> betweenness(nx.path_graph(4))
    {0: 0.0, 1: 0.6666666666666666, 2: 0.6666666666666666, 3: 0.0}

    References
    ----------
    .. [1] Brandes, U. (2001). A faster algorithm for betweenness centrality. *Journal of
       Mathematical Sociology* 25(2), 163–177.
    .. [2] Brandes, U., Pich, C. (2007). Centrality estimation in large networks.
       *International Journal of Bifurcation and Chaos* 17(7), 2303–2318.
    .. [3] Csárdi, G., Nepusz, T. (2006). The igraph software package for complex network
       research. *InterJournal Complex Systems* 1695.
    """
    sources = betweenness_sources(G, exact_below=exact_below, samples=samples, seed=seed)
    if engine == "networkx":
        return nx.betweenness_centrality(
            G, k=None if sources is None else samples, normalized=normalized, seed=seed
        )
    if engine != "igraph":
        raise ValueError(f"unknown engine {engine!r}; use 'igraph' or 'networkx'")
    arrays = arrays_for(G, arrays, reads_weight=False)
    values = _rescale(_igraph_betweenness(arrays, sources), arrays, sources, normalized)
    return dict(zip(arrays.nodes, values.tolist(), strict=True))


def _igraph_betweenness(arrays: GraphArrays, sources: list[Hashable] | None) -> np.ndarray:
    """Sum over ordered (source, target) pairs, as networkx accumulates before rescaling.

    igraph runs on a copy whose vertices are renumbered in reverse Cuthill–McKee order, so
    that neighbours sit near each other in memory: each source's breadth-first search is
    bound by cache misses at this size, and the renumbering shortens it markedly (same
    values, to rounding).

    Betweenness is a sum over sources, so large jobs are split across the machine's cores:
    :func:`_split_sources` decides, and each part but the first runs in a worker process
    (igraph holds the interpreter lock). Parts are summed in a fixed order, so results do
    not depend on which finishes first. The gains of both are in bench/README.md
    (``bench_network.py``).
    """
    order = _locality_order(arrays)  # order[new] = old
    renumber = np.empty(arrays.n, dtype=np.int64)
    renumber[order] = np.arange(arrays.n)
    edges = np.column_stack([renumber[arrays.source], renumber[arrays.target]])
    if sources is None:
        chosen = np.arange(arrays.n, dtype=np.int64)
    else:
        index = {node: i for i, node in enumerate(arrays.nodes)}
        chosen = renumber[
            np.fromiter((index[s] for s in sources), dtype=np.int64, count=len(sources))
        ]
    parts = _split_sources(chosen, arrays.m)
    if len(parts) == 1:
        raw = betweenness_part(
            arrays.n, arrays.directed, edges, None if sources is None else chosen
        )
    else:
        with tempfile.TemporaryDirectory(prefix="ecograph-betweenness-") as folder:
            workers = [
                _start_worker(Path(folder), i, arrays.n, arrays.directed, edges, part)
                for i, part in enumerate(parts[1:], start=1)
            ]
            try:
                raw = betweenness_part(arrays.n, arrays.directed, edges, parts[0])
                for worker in workers:
                    raw = raw + _worker_result(*worker)
            finally:  # an error or an interrupt here leaves no worker running
                for process, _ in workers:
                    if process.poll() is None:
                        process.kill()
                        process.wait()
    values = raw[renumber]  # back to the node order
    return values if arrays.directed else 2.0 * values  # igraph counts unordered pairs


#: Split betweenness over processes when sources × edges reaches this: a job that size keeps
#: igraph busy several times longer than a worker process takes to start.
PARALLEL_BETWEENNESS_WORK = 25_000_000
#: At most this many processes (the caller's included): each worker holds its own copy of
#: the graph's edges.
MAX_BETWEENNESS_PROCESSES = 4


def _split_sources(sources: np.ndarray, edges: int) -> list[np.ndarray]:
    """The sources in one part per usable core, up to :data:`MAX_BETWEENNESS_PROCESSES`
    (one part for small jobs or on one core)."""
    cores = (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )
    parts = min(cores, MAX_BETWEENNESS_PROCESSES, sources.size)
    if parts < 2 or sources.size * edges < PARALLEL_BETWEENNESS_WORK:
        return [sources]
    return np.array_split(sources, parts)


def betweenness_part(
    n: int, directed: bool, edges: np.ndarray, sources: np.ndarray | None
) -> np.ndarray:
    """igraph's betweenness sums from ``sources`` only (all nodes when None); what each
    process computes (``python -m ecograph.network.centrality IN OUT`` in a worker)."""
    import igraph

    graph = igraph.Graph(n=n, directed=directed)
    graph.add_edges(edges.tolist())
    if sources is None:
        raw = graph.betweenness(directed=directed)
    else:
        raw = graph.betweenness(directed=directed, sources=sources.tolist(), targets=None)
    return np.asarray(raw, dtype=np.float64)


def _start_worker(
    folder: Path, number: int, n: int, directed: bool, edges: np.ndarray, sources: np.ndarray
) -> tuple[subprocess.Popen[bytes], Path]:
    """Start a worker process on one part. A plain subprocess with its input in a file,
    rather than ``multiprocessing``, whose "spawn" re-runs the caller's main script (and
    fails when there is none, as with ``python -c``)."""
    given, result = folder / f"part-{number}.npz", folder / f"part-{number}.npy"
    np.savez(given, n=n, directed=directed, edges=edges, sources=sources)
    # the worker imports this very copy of ecograph, installed or not (benchmarks run from src)
    package_root = str(Path(__file__).resolve().parents[2])
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, (package_root, os.environ.get("PYTHONPATH")))),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "ecograph.network.centrality", str(given), str(result)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=environment,
    )
    return process, result


def _worker_result(process: subprocess.Popen[bytes], result: Path) -> np.ndarray:
    _, errors = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(
            "a betweenness worker process failed:\n" + errors.decode("utf-8", "replace")[-2000:]
        )
    return np.load(result)


def _worker_main(given: str, result: str) -> None:
    with np.load(given) as data:
        raw = betweenness_part(
            int(data["n"]), bool(data["directed"]), data["edges"], data["sources"]
        )
    np.save(result, raw)


def _locality_order(arrays: GraphArrays) -> np.ndarray:
    """Reverse Cuthill–McKee order of the (symmetrised) graph: ``order[i]`` is the node
    placed at position ``i``. Deterministic for a given graph and node order."""
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    if arrays.m == 0:
        return np.arange(arrays.n, dtype=np.int64)
    adjacency = csr_array(
        (np.ones(arrays.m, dtype=np.int8), (arrays.source, arrays.target)),
        shape=(arrays.n, arrays.n),
    )
    return np.asarray(
        reverse_cuthill_mckee((adjacency + adjacency.T).tocsr(), symmetric_mode=True),
        dtype=np.int64,
    )


def _rescale(
    values: np.ndarray, arrays: GraphArrays, sources: list[Hashable] | None, normalized: bool
) -> np.ndarray:
    """networkx's ``_rescale`` (endpoints excluded), vectorised."""
    pairs = arrays.n - 1
    if pairs < 2:
        return values
    correction = 1 if arrays.directed else 2
    if sources is None:
        scale = 1 / (pairs * (pairs - 1)) if normalized else 1 / correction
        return values * scale
    k = len(sources)
    if normalized:
        scale_source = 1 / ((k - 1) * (pairs - 1)) if k > 1 else math.nan
        scale_other = 1 / (k * (pairs - 1))
    else:
        scale_source = pairs / ((k - 1) * correction) if k > 1 else math.nan
        scale_other = pairs / (k * correction)
    index = {node: i for i, node in enumerate(arrays.nodes)}
    scales = np.full(arrays.n, scale_other)
    scales[[index[s] for s in sources]] = scale_source
    return values * scales


if __name__ == "__main__":  # a worker process of _igraph_betweenness
    _worker_main(sys.argv[1], sys.argv[2])
