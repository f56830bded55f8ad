"""Replacing a graph writes only what changed, and the graph ends exactly as asked.

The kill-at-any-stage guarantee (old graph or new, never a mix) is in test_metrics_atomic.py;
here: the content after each kind of replacement, and that the transaction holds the change,
not the graph.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from ecograph.rdfterms import nt_iri, nt_literal
from ecograph.store import EmbeddedStore
from ecograph.store.graph_replace import replace_graph
from ecograph.vocab import EG

GRAPH = "https://example.org/graph/derived"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def _lines(values: dict[int, int]) -> list[str]:
    degree = nt_iri("urn:degree")
    return [
        f"{nt_iri(f'urn:actor:{k}')} {degree} {nt_literal(str(v), datatype=XSD_INTEGER)} ."
        for k, v in values.items()
    ]


def _content(store: EmbeddedStore) -> set[tuple[str, str, str]]:
    """The graph's triples but its eg:contentDigest, which names the kept copy."""
    return {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in store.quads(GRAPH)
        if q.predicate != ox.NamedNode(str(EG.contentDigest))
    }


class CountingDumps:
    """Records the graphs the store dumps."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.graphs: list[str | None] = []
        dump = store.dump

        def counting(output: object, **options: object) -> None:
            self.graphs.append(options.get("graph"))  # type: ignore[arg-type]
            dump(output, **options)  # type: ignore[arg-type]

        store.dump = counting  # type: ignore[method-assign]


def _expected(lines: list[str]) -> set[tuple[str, str, str]]:
    parsed = ox.parse("\n".join(lines) + "\n", format=ox.RdfFormat.N_TRIPLES)
    return {(str(t.subject), str(t.predicate), str(t.object)) for t in parsed}


class CountingUpdates:
    """Records the update requests the store receives."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.requests: list[str] = []
        self._update = store.update

        def update(text: str) -> None:
            self.requests.append(text)
            self._update(text)

        store.update = update  # type: ignore[method-assign]


def test_a_new_graph_is_bulk_loaded(store: EmbeddedStore) -> None:
    lines = _lines({k: k for k in range(50)})
    change = replace_graph(store, GRAPH, "\n".join(lines) + "\n")
    assert change.method == "bulk load"
    assert _content(store) == _expected(lines)


def test_only_the_triples_that_changed_are_written(store: EmbeddedStore) -> None:
    before = {k: k for k in range(1000)}
    replace_graph(store, GRAPH, (line + "\n" for line in _lines(before)))
    after = {**before, 3: 30, 7: 70}  # two values change
    del after[999]  # one actor goes
    after[1000] = 1  # one comes
    updates = CountingUpdates(store)
    change = replace_graph(store, GRAPH, (line + "\n" for line in _lines(after)))
    # and the content digest, which changes with the content
    assert (change.method, change.deleted, change.inserted) == ("difference", 4, 4)
    assert _content(store) == _expected(_lines(after))
    assert len(updates.requests) == 1  # one transaction
    assert updates.requests[0].count("urn:actor:") == 6  # the change, not the graph


def test_the_kept_copy_spares_reading_the_graph_back(store: EmbeddedStore) -> None:
    replace_graph(store, GRAPH, "\n".join(_lines({k: k for k in range(100)})))
    dumps = CountingDumps(store)
    replace_graph(store, GRAPH, "\n".join(_lines({k: k + 1 for k in range(100)})))
    assert dumps.graphs == []
    kept = list((Path(store.location) / "cache" / "graphs").glob("*.nt.gz"))
    assert len(kept) == 1  # the older copy went
    assert _content(store) == _expected(_lines({k: k + 1 for k in range(100)}))


def test_a_graph_changed_behind_the_copy_is_read_back(store: EmbeddedStore) -> None:
    """A triple added by hand: the count differs from the copy's, so the graph is dumped, and
    the stray triple goes like any other."""
    replace_graph(store, GRAPH, "\n".join(_lines({1: 1, 2: 2})))
    store.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:stray> <urn:p> <urn:o> }} }}")
    dumps = CountingDumps(store)
    replace_graph(store, GRAPH, "\n".join(_lines({1: 1, 2: 3})))
    assert dumps.graphs == [GRAPH]
    assert _content(store) == _expected(_lines({1: 1, 2: 3}))


def test_a_lost_copy_is_read_back(store: EmbeddedStore) -> None:
    replace_graph(store, GRAPH, "\n".join(_lines({1: 1})))
    for kept in (Path(store.location) / "cache" / "graphs").glob("*.nt.gz"):
        kept.unlink()
    dumps = CountingDumps(store)
    replace_graph(store, GRAPH, "\n".join(_lines({1: 2})))
    assert dumps.graphs == [GRAPH]
    assert _content(store) == _expected(_lines({1: 2}))


def test_the_same_content_writes_nothing(store: EmbeddedStore) -> None:
    lines = _lines({k: k for k in range(20)})
    replace_graph(store, GRAPH, "\n".join(lines))
    updates = CountingUpdates(store)
    change = replace_graph(store, GRAPH, "\n".join(lines))
    assert (change.deleted, change.inserted) == (0, 0)  # the digest too is the same
    assert updates.requests == []
    assert _content(store) == _expected(lines)


@pytest.mark.parametrize(
    "text", ['quote " and backslash \\', "tab\tnewline\ncontrol\x01", "é → 😀", "ends _: blank?"]
)
def test_literals_oxigraph_may_write_otherwise_stay_right(store: EmbeddedStore, text: str) -> None:
    """A triple Oxigraph dumps in another form than ecograph writes is deleted and inserted
    again in the same update: it stays, and what went still goes."""
    first = [f"<urn:a> <urn:label> {nt_literal(text, lang='fr')} .", "<urn:a> <urn:n> <urn:old> ."]
    second = [first[0], f"<urn:b> <urn:label> {nt_literal(text + '!')} ."]
    replace_graph(store, GRAPH, "\n".join(first) + "\n")
    replace_graph(store, GRAPH, "\n".join(second) + "\n")
    assert _content(store) == _expected(second)


def test_blank_nodes_replace_the_whole_graph(store: EmbeddedStore) -> None:
    replace_graph(store, GRAPH, "_:x <urn:p> <urn:a> .\n<urn:s> <urn:p> _:x .\n")
    change = replace_graph(store, GRAPH, "_:y <urn:p> <urn:b> .\n")
    assert change.method == "whole"
    assert [t[2] for t in _content(store)] == ["<urn:b>"]


def test_other_graphs_are_left_alone(store: EmbeddedStore) -> None:
    store.load(b"<urn:a> <urn:p> <urn:b> .\n", format=ox.RdfFormat.N_TRIPLES, graph="urn:other")
    replace_graph(store, GRAPH, "\n".join(_lines({1: 1})))
    replace_graph(store, GRAPH, "\n".join(_lines({1: 2})))
    assert len(list(store.quads("urn:other"))) == 1


def test_a_damaged_copy_is_read_back(store: EmbeddedStore) -> None:
    replace_graph(store, GRAPH, "\n".join(_lines({k: k for k in range(50)})))
    (kept,) = (Path(store.location) / "cache" / "graphs").glob("*.nt.gz")
    kept.write_bytes(kept.read_bytes()[:40])  # cut short
    dumps = CountingDumps(store)
    replace_graph(store, GRAPH, "\n".join(_lines({k: 2 * k for k in range(50)})))
    assert dumps.graphs == [GRAPH]
    assert _content(store) == _expected(_lines({k: 2 * k for k in range(50)}))
