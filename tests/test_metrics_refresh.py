"""The store's metrics graph always answers for the whole ecosystem: a filtered
`ecograph metrics` leaves it as it was, and `import` and `remove` bring its counts up to date
(:func:`ecograph.network.refresh.refresh_metrics`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ecograph.cli import app
from ecograph.ingest.importer import import_file
from ecograph.metrics_state import metrics_graph, metrics_state
from ecograph.network.refresh import REFRESH_STAGES, refresh_metrics
from ecograph.queries import QueryError, find_query, load_catalogue, run_query
from ecograph.store import EmbeddedStore, open_store

FIXTURES = Path(__file__).parent / "fixtures" / "import"
NANTES = "https://w3id.org/ecograph/territory/commune/44109"
runner = CliRunner()


@pytest.fixture
def workspace(sample_workspace: Path, tmp_path: Path) -> Path:
    """A writable copy of the sample workspace, whose whole-ecosystem metrics are current."""
    copy = tmp_path / "ws"
    shutil.copytree(sample_workspace, copy, ignore=shutil.ignore_patterns("writer.lock"))
    return copy


def _metrics_triples(store: EmbeddedStore) -> set[tuple[str, str, str]]:
    return {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in store.quads(metrics_graph(store.base_iri))
    }


def _metrics_query_rows(store: EmbeddedStore) -> dict[str, int]:
    """Rows of every library query that reads the metrics graph, run with its examples."""
    return {
        name: len(run_query(store, query, {p.name: p.example for p in query.parameters}).rows)
        for name, query in load_catalogue().items()
        if "metrics" in query.requires
    }


def _isolated_in_nantes(store: EmbeddedStore) -> set[str]:
    """Names of the actors of Nantes in no partnership, as the library query reads them from
    the per-actor partnership counts of the metrics graph."""
    result = run_query(store, find_query("isolated-actors"), {"territory": NANTES, "lang": "fr"})
    column = result.variables.index("name")
    return {str(row[column].value) for row in result.rows if row[column] is not None}


def test_a_filtered_run_leaves_the_whole_ecosystem_metrics_as_they_were(workspace: Path) -> None:
    with open_store(workspace, read_only=True) as store:
        before = _metrics_triples(store)
        rows_before = _metrics_query_rows(store)
    assert len(before) > 10_000 and len(rows_before) >= 8
    result = runner.invoke(
        app, ["--store", str(workspace), "metrics", "--territory", "epci/244400404", "--top", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "not written into the store" in result.stderr
    assert "Metrics written" not in result.stderr
    with open_store(workspace, read_only=True) as store:
        assert _metrics_triples(store) == before
        assert metrics_state(store) == "current"
        assert _metrics_query_rows(store) == rows_before  # none refuses to run


def test_refresh_after_an_import_makes_the_counts_current(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where a reject file would go
    with open_store(workspace) as store:
        assert "Habitat & Humanisme, Nantes" not in _isolated_in_nantes(store)
        import_file(store, FIXTURES / "actors_bom.csv")
        assert metrics_state(store) == "stale"
        with pytest.raises(QueryError, match="data changed"):
            _isolated_in_nantes(store)
        seen: list[tuple[str, int, int]] = []
        graph = refresh_metrics(store, progress=lambda *stage: seen.append(stage))
        assert graph == metrics_graph(store.base_iri)
        assert metrics_state(store) == "current"
        # the imported actors take part in no partnership: counted now, so listed as isolated
        assert "Habitat & Humanisme, Nantes" in _isolated_in_nantes(store)
        assert seen[0] == ("reading the ecosystem", 0, REFRESH_STAGES)
        assert seen[-1] == ("metrics written", REFRESH_STAGES, REFRESH_STAGES)
        assert ("computing metrics: betweenness", 1, REFRESH_STAGES) in seen
        assert refresh_metrics(store) is None  # already current: left alone
        assert refresh_metrics(store, force=True) == graph


def test_import_and_remove_refresh_the_metrics(
    workspace: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = str(workspace)
    imported = runner.invoke(app, ["--store", store, "import", str(FIXTURES / "actors_bom.csv")])
    assert imported.exit_code == 0, imported.output
    assert "Metrics brought up to date" in imported.stdout
    with open_store(workspace, read_only=True) as opened:
        assert metrics_state(opened) == "current"
        assert "Habitat & Humanisme, Nantes" in _isolated_in_nantes(opened)
    removed = runner.invoke(app, ["--store", store, "remove", "actors_bom.csv"])
    assert removed.exit_code == 0, removed.output
    assert "Metrics brought up to date" in removed.stdout
    with open_store(workspace, read_only=True) as opened:
        assert metrics_state(opened) == "current"
        assert "Habitat & Humanisme, Nantes" not in _isolated_in_nantes(opened)


def test_no_metrics_leaves_them_stale_until_ecograph_metrics(
    workspace: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = str(workspace)
    imported = runner.invoke(
        app, ["--store", store, "import", "--no-metrics", str(FIXTURES / "actors_bom.csv")]
    )
    assert imported.exit_code == 0, imported.output
    assert "Metrics brought up to date" not in imported.stdout
    with open_store(workspace, read_only=True) as opened:
        assert metrics_state(opened) == "stale"
        with pytest.raises(QueryError, match="ecograph metrics"):
            _isolated_in_nantes(opened)
    assert runner.invoke(app, ["--store", store, "metrics", "-f", "json"]).exit_code == 0
    with open_store(workspace, read_only=True) as opened:
        assert metrics_state(opened) == "current"
    removed = runner.invoke(app, ["--store", store, "remove", "--no-metrics", "actors_bom.csv"])
    assert removed.exit_code == 0, removed.output
    with open_store(workspace, read_only=True) as opened:
        assert metrics_state(opened) == "stale"


def test_metrics_computed_without_the_lock_are_not_written_over_newer_data(
    workspace: Path,
) -> None:
    """`ecograph metrics` reads the data, computes with no lock held, then writes: an import
    that lands in between is caught by the data's fingerprint, and nothing is written."""
    from ecograph.metrics_state import counts_fingerprint
    from ecograph.network.metrics import compute_metrics
    from ecograph.network.metrics_rdf import StaleMetricsError, write_metrics
    from ecograph.network.projection import project

    with open_store(workspace, read_only=True) as store:
        fingerprint = counts_fingerprint(store, metrics_graph(store.base_iri))
        result = compute_metrics(project(store), seed=0)
    with open_store(workspace) as store:  # another process imports meanwhile
        before = _metrics_triples(store)
        import_file(store, FIXTURES / "scdl_maine_et_loire.csv")
        with pytest.raises(StaleMetricsError, match="changed while"):
            write_metrics(store, result, computed_on=fingerprint)
        assert _metrics_triples(store) == before  # untouched, and now stale: it says so
        assert metrics_state(store) == "stale"
    with open_store(workspace) as store:  # unchanged data: written
        fingerprint = counts_fingerprint(store, metrics_graph(store.base_iri))
        write_metrics(store, compute_metrics(project(store), seed=0), computed_on=fingerprint)
        assert metrics_state(store) == "current"


def test_the_metrics_command_holds_no_lock_while_it_computes(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While `ecograph metrics` computes, another writer can open the workspace."""
    import ecograph.network.metrics as metrics_module

    real = metrics_module.compute_metrics
    opened_meanwhile: list[bool] = []

    def computing(*args: object, **kwargs: object) -> object:
        with open_store(workspace) as other:  # raises StoreLockedError if the lock were held
            opened_meanwhile.append(other is not None)
        return real(*args, **kwargs)

    monkeypatch.setattr(metrics_module, "compute_metrics", computing)
    done = runner.invoke(app, ["metrics", "--store", str(workspace)])
    assert done.exit_code == 0, done.output
    assert opened_meanwhile == [True]
    with open_store(workspace, read_only=True) as store:
        assert metrics_state(store) == "current"


def test_a_refresh_writes_the_change_and_equals_a_full_recomputation(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Import a département's grants into a store whose metrics are current: the refresh
    rewrites only the triples that changed, and the graph it leaves is the one a full
    recomputation writes from nothing on the same data."""
    import ecograph.network.metrics_rdf as metrics_rdf

    monkeypatch.chdir(tmp_path)
    changes = []
    replace = metrics_rdf.replace_graph

    def recording(*args: object, **kwargs: object) -> object:
        changes.append(replace(*args, **kwargs))  # type: ignore[arg-type]
        return changes[-1]

    monkeypatch.setattr(metrics_rdf, "replace_graph", recording)
    grants = FIXTURES / "scdl_maine_et_loire_excerpt.csv"
    full = tmp_path / "full"
    shutil.copytree(workspace, full, ignore=shutil.ignore_patterns("writer.lock"))
    with open_store(workspace) as store:
        import_file(store, grants)
        refresh_metrics(store)
        refreshed = _metrics_triples(store)
        graph = metrics_graph(store.base_iri)
    with open_store(full) as store:
        import_file(store, grants)
        store.drop_graph(graph)  # nothing to start from: the whole graph is written
        refresh_metrics(store, force=True)
        recomputed = _metrics_triples(store)
    assert [c.method for c in changes] == ["difference", "bulk load"]
    changed = changes[0].deleted + changes[0].inserted
    assert 0 < changed < len(recomputed) / 10
    # The graph's own description records when the data was imported, which differs.
    own = {t for t in refreshed | recomputed if t[0] == f"<{graph}>"}
    assert refreshed - own == recomputed - own
    assert len(refreshed - own) > 10_000
