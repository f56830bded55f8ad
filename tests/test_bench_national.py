"""The national benchmark still runs, end to end, and checks what it generated.

``bench/bench_national.py`` is run as a user would, at 1 % of the national size (15,000 RNA
rows, 2,000 SIRENE units, 20,000 grants), so that a change to the importer, the commands or the
query library cannot leave it broken until someone needs its numbers. Only the département
councils and régions publish here (``--communes-per-departement 0``) and the raw-load baseline
is skipped: each SCDL file is an import of its own, about a second each even on a small store,
and the test must stay within a few minutes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ecograph.queries import load_catalogue

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_national.py"


@pytest.mark.slow
def test_bench_national_runs_every_step_at_one_percent(tmp_path: Path) -> None:
    out = tmp_path / "national.json"
    work = tmp_path / "work"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--scale",
            "0.01",
            "--workdir",
            str(work),
            "--communes-per-departement",
            "0",
            "--no-baseline",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["errors"] == []
    params = result["parameters"]
    assert (params["rna_rows"], params["sirene_units"], params["grants"]) == (15000, 2000, 20000)

    steps = result["steps"]
    assert set(steps) == {"generate", "import", "metrics", "gaps", "report", "map", "queries"}
    for name, step in steps.items():
        assert step["status"] == "ok", (name, step["note"])
        assert step["wall"] > 0 and step["peak_mib"] > 0, name

    # The import: every part ran, every SCDL file landed whole and joined the registers.
    imported = steps["import"]["events"]
    parts = {part["name"]: part for part in imported["part"]}
    assert list(parts) == ["ontology + territories", "rna", "units", "establishments", "scdl"]
    assert parts["rna"]["counts"]["rowsRead"] == 15000
    assert parts["units"]["counts"]["rowsRead"] == 2000
    files = parts["scdl"]["files"]
    assert len(files) == result["inputs"]["scdl_files"] >= 101  # every département's council
    assert sum(f["partnerships"] for f in files) == 20000
    assert all(f["rowsRejected"] == 0 and f["actorsCreated"] == 0 for f in files)
    store = imported["done"]["store"]
    assert store["funding"] == 20000
    assert store["actors"] > 15000 * 0.8
    assert steps["import"]["store_bytes"] > 0

    # Every library query ran for the département; those with a territory for the commune too.
    catalogue = load_catalogue()
    ran = [(q["name"], q["territory"]) for q in steps["queries"]["events"]["query"]]
    assert {name for name, _ in ran} == set(catalogue)
    territorial = {
        n for n, q in catalogue.items() if any(p.name == "territory" for p in q.parameters)
    }
    assert {n for n, where in ran if where == params["commune"]} == territorial
    assert {n for n, where in ran if where == params["departement"]} == territorial
    assert len(ran) == len(catalogue) + len(territorial)

    # What the commands wrote.
    assert (work / "report.html").stat().st_size > 0
    assert (work / "map.html").stat().st_size > 0
    assert any((work / "metrics").iterdir()) and any((work / "gaps").iterdir())
    assert "end to end" in done.stdout and "BENCHMARK ERROR" not in done.stdout
