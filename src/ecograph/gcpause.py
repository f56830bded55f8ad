"""Pause Python's cyclic garbage collector during bulk work on large graphs.

Why: a projected ecosystem of 100,000 actors is a few million small dicts, lists and strings
that live for the whole command. Every burst of allocations (building the graph, turning an
array into a list, writing a row per metric) makes the collector walk that whole heap looking
for reference cycles, and the analysis makes no cycles worth finding: at 100,000 actors those
walks are a large share of a projection, and several times the work of a ``tolist`` on the
graph's edges (figures in bench/README.md, ``bench_network.py``). Reference counting still
frees everything as usual; cycle detection only waits until the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block (or decorated function); restore its
    previous state after, so nested uses and callers that keep it off are respected."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
