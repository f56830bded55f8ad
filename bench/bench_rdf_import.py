"""Benchmark: `ecograph import file.nt` against a raw pyoxigraph bulk load of the same file,
measured in the same run.

    python bench/bench_rdf_import.py                       # about 1,000,000 triples, 1 run
    python bench/bench_rdf_import.py --triples 3000000     # about 3.09 M triples
    python bench/bench_rdf_import.py --repeat 3            # medians over 3 runs

Steps: generate an ecosystem (``ecograph.sample``, seed 1) as one N-Triples file, then, each in
a fresh child process so that peak memory is per run:

- **raw** — ``pyoxigraph.Store(dir).bulk_load(path=file, format=N_TRIPLES, to_graph=g)`` and
  ``flush()``: the floor for any importer;
- **raw+compact** — the same, then ``optimize()``: the end state ``ecograph`` leaves (a big
  write is compacted before the command ends, because a freshly bulk-loaded store answers
  lookup-heavy queries about twice as slowly), so the like-for-like comparison;
- **ecograph** — ``python -m ecograph --store dir import file``: the command users type, start-up,
  screening, provenance, lock and the compaction that follows a big write included.

The order alternates between repeats; every store must hold the file's triples afterwards
(ecograph: plus its provenance), else the script stops with ``BENCHMARK ERROR``. Missing the
target (ecograph ≤ 1.3 × raw bulk_load, median wall time) is not an error: read the PASS/FAIL line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import SRC, BenchError, busy_cpu_seconds, machine

TARGET = 1.3
KINDS = ("raw", "raw+compact", "ecograph")
#: Triples per generated actor at seed 1 (3,093,156 triples for 100,000 actors).
TRIPLES_PER_ACTOR = 30.93
GRAPH = "https://example.org/bench/graph"
_GENERATE = """
import sys
from ecograph.sample import ecosystem_lines
from ecograph.sample.generate import EcosystemSpec
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in ecosystem_lines(EcosystemSpec(actors=int(sys.argv[1]), seed=1),
                                "https://example.org/eg/"):
        out.write(line if line.endswith("\\n") else line + "\\n")
"""
_RAW = """
import sys
import pyoxigraph as ox
store = ox.Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(sys.argv[3]))
store.flush()
if sys.argv[4:] == ["compact"]:
    store.optimize()
"""
_COUNT = """
import sys
import pyoxigraph as ox
print(len(ox.Store.read_only(sys.argv[1])))
"""


def _child_env() -> dict[str, str]:
    """The children import ecograph from this checkout even without an install."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(SRC)) if p)
    return env


def run_child(argv: list[str]) -> dict[str, float]:
    """Run one child to the end; its wall and CPU seconds, peak RSS, and others' CPU use.

    ``os.wait4`` gives the child's own resource usage, so each run has its own peak memory.
    """
    busy, started = busy_cpu_seconds(), time.perf_counter()
    child = subprocess.Popen(
        argv, env=_child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise BenchError(f"{' '.join(argv[:4])}… exited {child.returncode}: {stderr[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rss_mib": usage.ru_maxrss / 1024,
        "others_cpus": max(0.0, (busy_cpu_seconds() - busy - cpu) / seconds),
    }


def quad_count(database: Path) -> int:
    """Quads in a pyoxigraph database folder, read in a child (no lock kept here)."""
    out = subprocess.run(
        [sys.executable, "-c", _COUNT, str(database)],
        env=_child_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout)


def load_once(kind: str, data: Path, workdir: Path) -> dict[str, float]:
    """One load into a new store, checked; the store is deleted afterwards."""
    target = workdir / f"store-{kind}"
    shutil.rmtree(target, ignore_errors=True)
    if kind in ("raw", "raw+compact"):
        numbers = run_child(
            [
                sys.executable,
                "-c",
                _RAW,
                str(target),
                str(data),
                GRAPH,
                *(["compact"] if kind == "raw+compact" else []),
            ]
        )
        numbers["quads"] = quad_count(target)
    else:
        numbers = run_child(
            [sys.executable, "-m", "ecograph", "--store", str(target), "import", str(data)]
        )
        numbers["quads"] = quad_count(target / "oxigraph")
    shutil.rmtree(target, ignore_errors=True)
    return numbers


def check(runs: dict[str, list[dict[str, float]]], triples: int) -> None:
    """Both stores must hold every distinct triple; ecograph adds only its provenance."""
    for run in runs["raw"] + runs["raw+compact"]:
        if run["quads"] != triples:
            raise BenchError(f"raw store holds {run['quads']:,} quads, file has {triples:,}")
    for run in runs["ecograph"]:
        if not triples < run["quads"] < triples + 100:
            raise BenchError(
                f"ecograph store holds {run['quads']:,} quads for {triples:,} "
                "triples (expected the triples plus a few of provenance)"
            )


def summarise(runs: dict[str, list[dict[str, float]]]) -> dict[str, float]:
    """Medians of time, maxima of memory and contention, and the ratios."""
    out: dict[str, float] = {}
    for kind, numbers in runs.items():
        out[f"{kind}_s"] = statistics.median(n["seconds"] for n in numbers)
        out[f"{kind}_cpu"] = statistics.median(n["cpu"] for n in numbers)
        out[f"{kind}_rss_mib"] = max(n["rss_mib"] for n in numbers)
        out[f"{kind}_others_cpus"] = max(n["others_cpus"] for n in numbers)
    out["ratio_wall"] = out["ecograph_s"] / out["raw_s"]
    out["ratio_cpu"] = out["ecograph_cpu"] / out["raw_cpu"]
    out["ratio_compacted_wall"] = out["ecograph_s"] / out["raw+compact_s"]
    out["ratio_compacted_cpu"] = out["ecograph_cpu"] / out["raw+compact_cpu"]
    return out


def print_report(
    triples: int,
    size_mib: float,
    runs: dict[str, list[dict[str, float]]],
    summary: dict[str, float],
) -> None:
    """A plain table (no rich: this output goes into bench/README.md as it is)."""
    print(
        f"\n{triples:,} triples, {size_mib:,.0f} MiB of N-Triples, {len(runs['raw'])} run(s) each"
    )
    print(f"{'load':<12} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9} {'others CPUs':>12}  runs")
    for kind in KINDS:
        each = " / ".join(f"{n['seconds']:.1f}" for n in runs[kind])
        print(
            f"{kind:<12} {summary[kind + '_s']:>8.1f} {summary[kind + '_cpu']:>8.1f} "
            f"{summary[kind + '_rss_mib']:>9.0f} {summary[kind + '_others_cpus']:>12.2f}  "
            f"{each}"
        )
    verdict = "PASS" if summary["ratio_wall"] <= TARGET else "FAIL"
    print(
        f"ecograph import / raw bulk_load: {summary['ratio_wall']:.2f}× wall, "
        f"{summary['ratio_cpu']:.2f}× CPU — {verdict} (target ≤ {TARGET}× wall)"
    )
    print(
        f"ecograph import / raw bulk_load + optimize: {summary['ratio_compacted_wall']:.2f}× "
        f"wall, {summary['ratio_compacted_cpu']:.2f}× CPU (the same end state)"
    )
    if max(summary[kind + "_others_cpus"] for kind in KINDS) > 0.25:
        print(
            "warning: other processes kept more than 0.25 CPU busy during a load; "
            "compare CPU seconds or rerun on a quieter machine"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--triples",
        type=int,
        default=1_000_000,
        help="About how many triples to generate (default 1,000,000)",
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="Where to write the file and stores (default: a temporary folder)",
    )
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ecograph-bench-rdf-"))
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / "ecosystem.nt"
    try:
        actors = max(10, round(args.triples / TRIPLES_PER_ACTOR))
        started = time.perf_counter()
        run_child([sys.executable, "-c", _GENERATE, str(actors), str(data)])
        with data.open("rb") as handle:
            triples = sum(1 for _ in handle)
        print(
            f"generated {triples:,} triples ({actors:,} actors) in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in KINDS}
        for repeat in range(args.repeat):
            for kind in KINDS if repeat % 2 == 0 else KINDS[::-1]:
                runs[kind].append(load_once(kind, data, workdir))
                print(f"  {kind}: {runs[kind][-1]['seconds']:.1f} s", flush=True)
        check(runs, triples)
        summary = summarise(runs)
        print_report(triples, data.stat().st_size / 2**20, runs, summary)
        print(
            json.dumps(
                {
                    "triples": triples,
                    **summary,
                    "machine": machine(pyoxigraph=_pyoxigraph_version()),
                }
            )
        )
    except BenchError as err:
        print(f"BENCHMARK ERROR: {err}", file=sys.stderr)
        return 1
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _pyoxigraph_version() -> str:
    import pyoxigraph

    return pyoxigraph.__version__


if __name__ == "__main__":
    sys.exit(main())
