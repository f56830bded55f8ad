"""The README's main job, end to end: `ecograph demo` on a fresh workspace, then again."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _demo(workspace: Path) -> str:
    env = dict(os.environ, COLUMNS="200")
    done = subprocess.run(
        [sys.executable, "-m", "ecograph", "--store", str(workspace), "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_demo_loads_validates_analyses_and_writes_the_map_and_report(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    first = _demo(workspace)
    assert "Sample ecosystem" in first and "loaded" in first
    assert "conforms" in first
    # the real grants beside the fictional sample, with their source
    assert "Real grants of the Département de Loire-Atlantique: loaded" in first
    assert "18,148 grants" in first and "Licence Ouverte" in first
    # tables in French, like every command's default
    assert "Les 5 principaux intermédiaires" in first
    assert "Les 5 partenariats suggérés en tête" in first
    assert "ne travaillent jamais ensemble" in first  # the gap the sample was built with
    pages = {name: workspace / "demo" / f"{name}-departement-44.html" for name in ("map", "report")}
    for page in pages.values():
        assert str(page) in first.replace("\n", "")
        html = page.read_text(encoding="utf-8")
        # offline: nothing is fetched from the network (no src/href to http(s))
        assert not re.search(r"""(src|href)\s*=\s*["']https?://""", html), page
    assert "Loire-Atlantique" in pages["report"].read_text(encoding="utf-8")

    again = _demo(workspace)
    assert "already loaded" in again
    assert "conforms" in again
