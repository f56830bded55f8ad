"""What the commands print stays readable at 80 columns and when piped: query names whole,
numbers never cut or wrapped, counts with thousands separators, progress as plain lines."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ecograph.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture(autouse=True)
def eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")


def _lines(text: str) -> list[str]:
    return text.splitlines()


def test_query_names_are_never_cut(sample_workspace: Path) -> None:
    from ecograph.queries import load_catalogue

    result = runner.invoke(app, ["--store", str(sample_workspace), "queries"])
    assert result.exit_code == 0, result.output
    assert all(len(line) <= 80 for line in _lines(result.stdout))
    for name in load_catalogue():
        assert any(f"│ {name} " in line for line in _lines(result.stdout)), name


def test_metric_numbers_are_whole_at_80_columns(sample_workspace: Path) -> None:
    store = ["--store", str(sample_workspace)]
    shown = runner.invoke(app, [*store, "metrics", "--no-write"])
    assert shown.exit_code == 0, shown.output
    assert all(len(line) <= 80 for line in _lines(shown.stdout))
    tables = json.loads(runner.invoke(app, [*store, "metrics", "--no-write", "-f", "json"]).stdout)
    brokers = sorted(tables["actors"], key=lambda r: (-(r["betweenness"] or 0), r["actor"]))[:15]
    numbers = set(re.findall(r"(?<![\d.])\d+\.\d{3}(?![\d.])", shown.stdout))
    for row in brokers:
        assert f"{row['betweenness']:.3f}" in numbers
        assert f"{row['blau']:.3f}" in numbers
    assert "1,000" in runner.invoke(app, [*store, "stats"]).stdout  # the sample's partnerships


def test_piped_import_prints_plain_progress_and_a_readable_source_list(tmp_path: Path) -> None:
    source = tmp_path / "une-liste-d-acteurs-au-nom-tres-long-2026.csv"
    shutil.copy(FIXTURES / "actors_bom.csv", source)
    store = ["--store", str(tmp_path / "ws")]
    imported = runner.invoke(app, [*store, "import", str(source)])
    assert imported.exit_code == 0, imported.output
    assert f"{source.name}: reading" in imported.stderr
    assert "\x1b[" not in imported.stderr  # no escape codes when not a terminal
    listed = runner.invoke(app, [*store, "sources"])
    assert listed.exit_code == 0
    first = _lines(listed.stdout)[1]
    assert "une-liste-d-acteurs-au-nom-tres-long-2026-csv" in first
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", " ".join(_lines(listed.stdout)[1:3]))
