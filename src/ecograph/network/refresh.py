"""Keep the store's whole-ecosystem metrics current when its data changes.

Importing or removing a source changes the data the metrics graph was computed from, and the
library queries that read its counts then refuse to answer (they would answer for the old
data). :func:`refresh_metrics` recomputes the whole ecosystem's metrics and writes them, so
that ``ecograph import`` and ``ecograph remove`` can leave the counts current without the
user having to remember ``ecograph metrics``.
"""

from __future__ import annotations

from collections.abc import Callable

from ecograph.metrics_state import metrics_state
from ecograph.network.metrics import compute_metrics
from ecograph.network.metrics_rdf import write_metrics
from ecograph.network.projection import project
from ecograph.store.base import Store

__all__ = ["REFRESH_STAGES", "Progress", "refresh_metrics"]

#: ``progress(stage, done, total)``: ``done`` of ``total`` stages are finished and ``stage``
#: says what runs now; the signature of the importer's progress, so one bar serves both.
Progress = Callable[[str, int, int], None]

#: The stages :func:`refresh_metrics` reports: read the data, compute, write.
REFRESH_STAGES = 3


def refresh_metrics(
    store: Store,
    *,
    seed: int = 0,
    force: bool = False,
    progress: Progress | None = None,
) -> str | None:
    """Recompute the whole ecosystem's metrics and replace the metrics graph with them.

    Parameters
    ----------
    store : Store
        A writable store, embedded or remote.
    seed : int
        Seeds sampled betweenness and Louvain, as ``ecograph metrics --seed``.
    force : bool
        Recompute even when the metrics graph is already current for the data
        (:func:`~ecograph.metrics_state.metrics_state`); otherwise a current graph is
        left as it is, so an import that changed nothing costs nothing.
    progress : callable, optional
        ``progress(stage, done, total)`` at each stage, and at each step of the computation
        (``"computing metrics: betweenness"``), for a progress bar.

    Returns
    -------
    str or None
        The metrics graph's IRI, or None when it was current and left alone.
    """

    def report(stage: str, done: int) -> None:
        if progress is not None:
            progress(stage, done, REFRESH_STAGES)

    if not force and metrics_state(store) == "current":
        return None
    report("reading the ecosystem", 0)
    projection = project(store)
    report("computing metrics", 1)
    result = compute_metrics(
        projection, seed=seed, progress=lambda step: report(f"computing metrics: {step}", 1)
    )
    report("writing the metrics graph", 2)
    graph = write_metrics(store, result)
    report("metrics written", 3)
    return graph
