"""Same input and seed give byte-identical outputs (issue 5), whatever Python's hash seed.

Python randomises ``str`` hashing per process, so set and dict-of-set orders change between
runs; anything that leaks such an order into a result (a float sum, a tie-break, a row
order) shows up here as two processes with different ``PYTHONHASHSEED`` disagreeing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

COMMANDS = {
    "metrics.json": ["metrics", "--no-write", "-f", "json", "--out", "{out}", "--seed", "3"],
    "gaps.json": ["gaps", "-f", "json", "--seed", "3", "--top", "15", "--lang", "fr"],
    "evaluate.txt": ["gaps", "evaluate", "--repeats", "2", "--seed", "3"],
    "temporal.txt": ["gaps", "evaluate", "--repeats", "1", "--hide-from", "2024"],
    "network.graphml": ["network", "--out", "{out}/network.graphml", "--seed", "3"],
}


def _outputs(workspace: Path, out: Path, hash_seed: str) -> dict[str, bytes]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    env.update(PYTHONHASHSEED=hash_seed, ECOGRAPH_STORE=str(workspace), COLUMNS="200")
    out.mkdir()
    found: dict[str, bytes] = {}
    for name, arguments in COMMANDS.items():
        command = [
            sys.executable,
            "-m",
            "ecograph",
            *(a.replace("{out}", str(out)) for a in arguments),
        ]
        done = subprocess.run(command, capture_output=True, env=env, check=True)
        found[name] = done.stdout
    for path in sorted(out.iterdir()):
        found[path.name] = path.read_bytes()
    return found


def test_metrics_gaps_and_exports_are_byte_identical_across_hash_seeds(
    sample_workspace: Path, tmp_path: Path
) -> None:
    first = _outputs(sample_workspace, tmp_path / "a", "1")
    second = _outputs(sample_workspace, tmp_path / "b", "2024")
    assert sorted(first) == sorted(second)
    assert any(name.endswith(".json") and len(body) > 1000 for name, body in first.items())
    for name in first:
        assert first[name] == second[name], f"{name} differs between two runs"
