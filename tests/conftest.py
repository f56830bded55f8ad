"""Shared fixtures: temporary workspaces, and one loaded workspace per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ecograph.store import EmbeddedStore, Store, open_store

REPO_ROOT = Path(__file__).resolve().parents[1]
#: Small excerpts of real open data the tests read; sources and licences in its README.md.
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium for the browser tests of one module (see tests/chromium.py).

    Module-scoped: a crash or a leaked page stays inside the module that caused it, and no
    Chromium lives on while the rest of the suite runs."""
    from .chromium import launched_chromium

    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    """An empty writable workspace, closed after the test."""
    with open_store(tmp_path / "ws") as opened:
        yield opened


@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with the ontology, the territories, the sample and its metrics (as
    `ecograph demo` leaves it), built once."""
    from ecograph.ingest.territories import load_territories
    from ecograph.ontology import load_ontology
    from ecograph.sample import load_sample

    folder = tmp_path_factory.mktemp("sample") / "ws"
    with open_store(folder) as opened:
        load_ontology(opened)
        load_territories(opened)
        load_sample(opened)
        write_whole_metrics(opened)
    return folder


def write_whole_metrics(store: Store) -> None:
    """Compute the whole ecosystem's metrics and write them, as `ecograph metrics` does."""
    from ecograph.network.metrics import compute_metrics
    from ecograph.network.metrics_rdf import write_metrics
    from ecograph.network.projection import project

    write_metrics(store, compute_metrics(project(store), seed=0))


@pytest.fixture
def sample_store(sample_workspace: Path) -> Iterator[EmbeddedStore]:
    """The session's sample workspace, opened read-only for one test."""
    with open_store(sample_workspace, read_only=True) as opened:
        yield opened
