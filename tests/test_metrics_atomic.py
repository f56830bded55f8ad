"""``ecograph metrics`` replaces its graph atomically, even under SIGKILL (issue 13, item 8).

A child process writes new metrics over old ones in a workspace of its own. The test wraps the
child's pyoxigraph store (not ecograph's code) so that every call that changes the database
announces itself at named stages — before, during and after the call — and, at the one the test
chose, stops there until killed: the kill points are the child's own progress, never a guessed
delay. After each SIGKILL the test reopens the store and asks for the complete old graph or the
complete new one (the same triples, not only as many), no stray graph, and a next run that works.
"""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from ecograph.metrics_state import metrics_graph
from ecograph.network.metrics import MetricsResult, compute_metrics
from ecograph.network.metrics_rdf import write_metrics
from ecograph.network.projection import project
from ecograph.rdfterms import nt_literal
from ecograph.sample import load_sample
from ecograph.store import EmbeddedStore, open_store

from .halting import read_line

# The child: load the pickled result, wrap the store's database, write the metrics.
CHILD = r"""
import os, pickle, signal, sys, threading
from pathlib import Path
from ecograph.network.metrics_rdf import write_metrics
from ecograph.store import open_store

stages = Path(os.environ["STAGES"])
kill_at = os.environ.get("KILL_AT", "")
WRITES = {"add", "add_graph", "bulk_extend", "bulk_load", "clear", "clear_graph", "extend",
          "load", "remove", "remove_graph", "update"}


def reach(stage, pause):
    with stages.open("a") as log:
        log.write(stage + "\n")
    if stage == kill_at:
        print(stage, flush=True)  # the test kills on reading this line
        if pause:
            signal.pause()


class Announcing:
    # Delegates to the pyoxigraph store, announcing each call that writes.
    def __init__(self, inner):
        self._inner, self._count = inner, 0

    def __getattr__(self, name):
        method = getattr(self._inner, name)
        if name not in WRITES:
            return method

        def call(*args, **kwargs):
            self._count += 1
            tag = f"{self._count}-{name}"
            reach(f"before-{tag}", pause=True)
            reach(f"during-{tag}", pause=False)  # killed as the call starts, or just after
            value = method(*args, **kwargs)
            reach(f"after-{tag}", pause=True)
            return value
        return call


result = pickle.loads(Path(sys.argv[2]).read_bytes())
with open_store(sys.argv[1]) as store:
    store._store = Announcing(store._store)
    write_metrics(store, result, version="new")
    reach("written", pause=True)
"""


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A workspace whose metrics graph is "old" (every other actor, version "old"), the full
    result pickled for the child, and the old graph's triples."""
    root = tmp_path_factory.mktemp("atomic")
    folder = root / "pristine"
    with open_store(folder) as store:
        load_sample(store)
        result = compute_metrics(project(store), seed=0)
        write_metrics(store, _older(result), version="old")
        old, graphs = _graph_state(store)
    pickled = root / "result.pickle"
    pickled.write_bytes(pickle.dumps(result))
    return {"folder": folder, "pickle": pickled, "old": old, "graphs": graphs, "result": result}


def _older(result: MetricsResult) -> MetricsResult:
    """A visibly different earlier result: half the actors, no communities."""
    return replace(result, actors=result.actors[::2], communities=[])


def _graph_state(store: EmbeddedStore) -> tuple[frozenset[str], list[str]]:
    """The metrics graph's triples (as N-Triples terms) and every named graph."""
    graph = metrics_graph(store.base_iri)
    triples = frozenset(f"{q.subject} {q.predicate} {q.object}" for q in store.quads(graph))
    return triples, store.named_graphs()


def _run_child(base: dict[str, object], work: Path, kill_at: str = "") -> list[str]:
    """Run the child on a fresh copy of the old workspace; SIGKILL it at ``kill_at`` (when it
    says that stage on its stdout); return the stages it reached."""
    shutil.copytree(base["folder"], work / "ws")  # type: ignore[arg-type]
    stages = work / "stages"
    env = {**os.environ, "STAGES": str(stages), "KILL_AT": kill_at}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(work / "ws"), str(base["pickle"])],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if kill_at:
            # 120 s only stops a hung child from hanging the suite.
            said = read_line(child, 120)
            assert said == kill_at, f"the child ended before {kill_at} (rc {child.poll()})"
            child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=120) == (-signal.SIGKILL if kill_at else 0)
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()
    return stages.read_text().split()


@pytest.fixture(scope="module")
def clean_run(
    base: dict[str, object], tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[str], frozenset[str]]:
    """The stages of an uninterrupted child, and the graph it leaves (the "new" graph)."""
    work = tmp_path_factory.mktemp("clean")
    stages = _run_child(base, work)
    with open_store(work / "ws", read_only=True) as store:
        new, graphs = _graph_state(store)
    assert graphs == base["graphs"]
    assert new != base["old"] and len(new) > len(base["old"])  # type: ignore[arg-type]
    return stages, new


@pytest.mark.slow
def test_a_kill_at_any_stage_leaves_the_old_or_the_new_graph(
    base: dict[str, object], clean_run: tuple[list[str], frozenset[str]], tmp_path: Path
) -> None:
    stages, new = clean_run
    assert any(stage.startswith("during-") for stage in stages), stages
    seen = set()
    for number, stage in enumerate(stages):
        work = tmp_path / str(number)
        _run_child(base, work, kill_at=stage)
        with open_store(work / "ws", read_only=True) as store:
            triples, graphs = _graph_state(store)
        assert triples in (base["old"], new), (
            f"killed at {stage}: a metrics graph of {len(triples)} triples, neither the old "
            f"({len(base['old'])}) nor the new ({len(new)})"
        )  # type: ignore[arg-type]
        assert graphs == base["graphs"], f"killed at {stage}: graphs {graphs}"
        seen.add("old" if triples == base["old"] else "new")
        with open_store(work / "ws") as store:  # the next run is not tripped up
            write_metrics(store, base["result"], version="new")  # type: ignore[arg-type]
            assert _graph_state(store) == (new, base["graphs"])
    assert seen == {"old", "new"}  # the kill points span the write


def test_a_leftover_scratch_graph_is_cleaned_by_the_next_run(
    base: dict[str, object], tmp_path: Path
) -> None:
    """ecograph 0.1 loaded into ``{graph}#ecograph-loading`` before a ``MOVE``: killed in
    between, it left a graph of measures that every query saw."""
    shutil.copytree(base["folder"], tmp_path / "ws")  # type: ignore[arg-type]
    with open_store(tmp_path / "ws") as store:
        graph = metrics_graph(store.base_iri)
        store.load(
            b'<urn:x> <urn:p> "stale" .',
            format=ox.RdfFormat.N_TRIPLES,
            graph=graph + "#ecograph-loading",
        )
        write_metrics(store, base["result"])  # type: ignore[arg-type]
        assert store.named_graphs() == base["graphs"]


def test_replacing_cannot_be_escaped_by_a_literal(store: EmbeddedStore) -> None:
    """The replacement is one SPARQL update built from N-Triples text: a literal that looks
    like the end of the block stays a literal, and no other graph is touched."""
    from ecograph.network.metrics_rdf import replace_graph  # new in 0.2: imported here so the
    # kill test above still runs (and fails) on the code before it

    other, graph = "urn:ecograph:test:other", "urn:ecograph:test:metrics"
    store.load(b'<urn:a> <urn:p> "keep" .', format=ox.RdfFormat.N_TRIPLES, graph=other)
    store.load(b'<urn:a> <urn:p> "old" .', format=ox.RdfFormat.N_TRIPLES, graph=graph)
    sneaky = '"} } ; DROP ALL ; INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:p> "x'
    replace_graph(store, graph, f"<urn:a> <urn:p> {nt_literal(sneaky)} .\n")
    assert [q.object.value for q in store.quads(graph) if q.subject.value == "urn:a"] == [sneaky]
    assert [q.object.value for q in store.quads(other)] == ["keep"]
    assert store.named_graphs() == sorted([graph, other])


@pytest.mark.slow
def test_a_remote_store_replaces_through_one_update(
    base: dict[str, object], tmp_path: Path
) -> None:
    """On a remote store the first write is one Graph Store POST, the next ones the same single
    update as embedded (Oxigraph server runs one update request as one transaction): the
    remote graph ends as the embedded one does."""
    from ecograph.store import RemoteStore

    from .oxigraph_server import oxigraph_server

    result: MetricsResult = base["result"]  # type: ignore[assignment]
    shutil.copytree(base["folder"], tmp_path / "ws")  # type: ignore[arg-type]
    with open_store(tmp_path / "ws") as store:
        write_metrics(store, result, version="new")
        expected = _graph_state(store)[0]
    with oxigraph_server(tmp_path / "server") as server:
        remote = RemoteStore(server.query, update_endpoint=server.update, gsp_endpoint=server.store)
        load_sample(remote)
        write_metrics(remote, _older(result), version="old")
        write_metrics(remote, result, version="new")
        graph = metrics_graph(remote.base_iri)
        triples = frozenset(f"{q.subject} {q.predicate} {q.object}" for q in remote.quads(graph))
        assert triples == expected
        assert not any(g.endswith("#ecograph-loading") for g in remote.named_graphs())
