"""The query benchmark still runs: every library query, both pyoxigraph engines, same rows.

``bench/bench_queries.py`` is run as a user would, on a tiny generated ecosystem, so that a
change to the library, the binding or the store API cannot leave the benchmark broken until
someone needs its numbers. rdflib is skipped: parsing the territories alone takes it a minute.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ecograph.queries import load_catalogue

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_queries.py"


@pytest.mark.slow
def test_bench_queries_runs_every_library_query(tmp_path: Path) -> None:
    out = tmp_path / "queries.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--actors",
            "300",
            "--seed",
            "3",
            "--repeat",
            "1",
            "--no-rdflib",
            "--tmpdir",
            str(tmp_path),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))

    # The library may gain a query between the bench's snapshot and this line only if someone
    # edits queries/ during the test; the bench must cover the library it found.
    assert set(result["queries"]) == set(load_catalogue())
    for name, entry in result["queries"].items():
        assert entry["rows_equal"], name
        assert entry["ecograph"]["rows"] == entry["raw"]["rows"], name
        assert entry["ecograph"]["seconds_median"] > 0, name
        assert entry["raw"]["seconds_median"] > 0, name
    assert result["rows_problems"] == []
    assert result["parameters"]["actors"] == 300
    # The tiny ecosystem must not be empty, or "same rows" would prove nothing.
    assert sum(entry["rows"] for entry in result["queries"].values()) > 0
    assert result["store"]["quads"] > 0
