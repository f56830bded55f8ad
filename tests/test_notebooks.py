"""The notebooks run from top to bottom on the sample (executed with nbclient)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import REPO_ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(
    path: Path, sample_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each notebook runs on a copy of the session's sample workspace (it may write)."""
    workspace = tmp_path / "ecograph-data"
    shutil.copytree(sample_workspace, workspace, ignore=shutil.ignore_patterns("writer.lock"))
    monkeypatch.setenv("ECOGRAPH_STORE", str(workspace))
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    outputs = [
        o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
    ]
    assert outputs, "the notebook produced no output at all"
