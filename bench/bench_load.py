"""Load benchmark: ecograph's ``EmbeddedStore.load`` against a raw pyoxigraph ``bulk_load``.

Why this benchmark exists: ecograph wraps pyoxigraph's bulk loader with a workspace lock,
metadata, and provenance appended to the same all-or-nothing load. Those extras must stay
cheap, so this script loads the same synthetic ecosystem twice — once with pyoxigraph alone,
once through ``ecograph.store.open_store(...).load(...)`` — and compares time and peak memory.

Run it from the repository root (no install needed, ``src`` is put on the path)::

    python bench/bench_load.py [--actors 100000] [--seed 1] [--repeat 1]

How it measures, and why:

* The N-Triples file is generated once (timed too) into a temporary folder, so both loaders
  read the very same bytes, already in the page cache.
* Every load runs in a fresh Python subprocess. ``ru_maxrss`` is a high-water mark per
  process, so this is the only way to get a peak-memory figure per run; the child reports
  its own ``getrusage(RUSAGE_SELF).ru_maxrss`` as JSON on stdout (``RUSAGE_CHILDREN`` would
  give the maximum over all children so far, not the run at hand).
* The timed section is open store → load → flush/close, the same work for both sides; the
  quad count is taken afterwards, on a read-only reopen, outside the timing and after the
  memory reading.
* The order of the two loaders alternates between repeats, so neither always profits from
  (or pays for) what the other left in the page cache; times are medians, memory is the
  maximum over repeats.
* The loader uses every CPU of a small machine, so for each load the parent also records how
  many CPUs other processes (and hypervisor steal) kept busy meanwhile, from ``/proc/stat``,
  and flags the run as contended: those wall times are not comparable.
* ``--diagnose`` adds raw pyoxigraph variants that isolate where a gap comes from (reading a
  path vs. a Python file object vs. a Python-level concatenating stream).

The result is a measurement, not a test: the exit status is 0 even when a target is missed
(it is non-zero only when a step fails or the quad counts disagree). Results are printed as
a table and written to ``bench/results/load-<actors>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from measure import (
    RESULTS_DIR,
    ROOT,
    SRC,
    BenchError,
    busy_cpu_seconds,
    cpu_seconds,
    machine,
    own_and_children_cpu,
    peak_rss_mib,
)

#: ecograph's load may take at most this many times the raw bulk_load's time.
TIME_RATIO_TARGET = 1.3
#: ecograph's load must peak under this resident memory.
MEMORY_TARGET_MIB = 2048

#: Above this many CPUs kept busy by others during a load, the run is flagged as contended.
CONTENDED_CPUS = 0.25

GRAPH_NAME = "bench"
BASELINE = "raw"
ECOGRAPH = "ecograph"
#: Extra raw pyoxigraph variants run with --diagnose (see ``_load_raw``).
DIAGNOSTIC_STEPS = ("raw-input-file", "raw-concat-reader", "raw-buffered-concat")
LOAD_STEPS = (BASELINE, ECOGRAPH, *DIAGNOSTIC_STEPS)


# ============================================================================ child side
# Each function below runs in its own subprocess and returns a JSON-able dict. Imports are
# local so the parent stays lean and each child's peak memory includes what it really loads.


def _child_generate(actors: int, seed: int, out: Path) -> dict[str, Any]:
    """Generate the ecosystem and write it as one N-Triples file.

    Also counts distinct lines: the generator writes each triple in a single lexical form,
    so that count is the number of quads a correct load must end with.
    """
    from ecograph.namespaces import DEFAULT_BASE_IRI
    from ecograph.sample import ecosystem_lines
    from ecograph.sample.generate import EcosystemSpec

    started = time.perf_counter()
    lines = ecosystem_lines(EcosystemSpec(actors=actors, seed=seed), DEFAULT_BASE_IRI)
    generated = time.perf_counter()
    with out.open("w", encoding="utf-8", newline="\n") as handle:
        for line in lines:
            handle.write(line)
            handle.write("\n")
    written = time.perf_counter()
    return {
        "seconds": written - started,
        "generate_seconds": generated - started,
        "write_seconds": written - generated,
        "peak_rss_mib": peak_rss_mib(),
        "lines": len(lines),
        "distinct_lines": len(set(lines)),
        "bytes": out.stat().st_size,
    }


def _provenance_lines(graph: str, actors: int, seed: int) -> list[str]:
    """The provenance ecograph appends to the load, as the CLI would record it."""
    from ecograph.provenance import graph_description

    return graph_description(
        graph,
        title="Load benchmark ecosystem (synthetic)",
        version=f"actors={actors} seed={seed}",
        generated_at=dt.datetime.now(dt.UTC),
    )


def _count_quads(database: Path) -> int:
    """Quads in a closed pyoxigraph database, via a read-only reopen."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(database))
    try:
        return len(store)
    finally:
        del store


def _load_raw(step: str, source: Path, workdir: Path, graph: str) -> dict[str, Any]:
    """pyoxigraph alone: open, one ``bulk_load`` into ``graph``, flush.

    ``raw`` is the baseline (``path=``: pyoxigraph opens and reads the file itself). The
    diagnostic variants feed the same bytes through Python objects, as ecograph does:
    ``raw-input-file`` passes an open binary file, ``raw-concat-reader`` ecograph's own
    ``_ConcatenatedReader`` around it (with nothing appended), and ``raw-buffered-concat`` that
    reader behind a 1 MiB ``io.BufferedReader``: pyoxigraph asks for about 2 KB per ``read``,
    and this variant answers those calls in C instead of in Python.
    """
    import pyoxigraph as ox

    database = workdir / "oxigraph"  # the same layout as an ecograph workspace
    workdir.mkdir(parents=True, exist_ok=True)  # pyoxigraph creates only the last level
    cpu_started, started = cpu_seconds(), time.perf_counter()
    store = ox.Store(str(database))
    target = ox.NamedNode(graph)
    if step == BASELINE:
        store.bulk_load(path=str(source), format=ox.RdfFormat.N_TRIPLES, to_graph=target)
    elif step == "raw-input-file":
        with source.open("rb") as handle:
            store.bulk_load(handle, ox.RdfFormat.N_TRIPLES, to_graph=target)
    elif step == "raw-concat-reader":
        from ecograph.store.embedded import _ConcatenatedReader

        stream = _ConcatenatedReader(source.open("rb"), b"")
        try:
            store.bulk_load(stream, ox.RdfFormat.N_TRIPLES, to_graph=target)
        finally:
            stream.close()
    elif step == "raw-buffered-concat":
        import io

        from ecograph.store.embedded import _ConcatenatedReader

        with io.BufferedReader(
            _ConcatenatedReader(source.open("rb"), b""), buffer_size=1 << 20
        ) as buffered:
            store.bulk_load(buffered, ox.RdfFormat.N_TRIPLES, to_graph=target)
    else:
        raise ValueError(f"unknown raw step {step!r}")
    store.flush()
    del store
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    peak = peak_rss_mib()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mib": peak,
        "quads": _count_quads(database),
        "extra_triples": 0,
    }


def _load_ecograph(
    source: Path, workdir: Path, graph: str, actors: int, seed: int
) -> dict[str, Any]:
    """ecograph: ``open_store`` (lock, metadata), ``load`` with provenance appended, close."""
    import pyoxigraph as ox

    from ecograph.store import open_store
    from ecograph.store.embedded import DATABASE_DIR

    extra = _provenance_lines(graph, actors, seed)
    cpu_started, started = cpu_seconds(), time.perf_counter()
    store = open_store(workdir)
    try:
        store.load(
            source,
            format=ox.RdfFormat.N_TRIPLES,
            graph=graph,
            extra_ntriples="\n".join(extra) + "\n",
        )
    finally:
        store.close()
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    peak = peak_rss_mib()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mib": peak,
        "quads": _count_quads(workdir / DATABASE_DIR),
        "extra_triples": len(extra),
    }


def _run_child(args: argparse.Namespace) -> None:
    """Entry point of a child process: do one step, print its JSON on the last stdout line."""
    if args.child == "generate":
        result = _child_generate(args.actors, args.seed, Path(args.file))
    elif args.child == ECOGRAPH:
        result = _load_ecograph(
            Path(args.file), Path(args.workdir), args.graph, args.actors, args.seed
        )
    else:
        result = _load_raw(args.child, Path(args.file), Path(args.workdir), args.graph)
    print(json.dumps(result))


# ============================================================================ parent side


def _spawn(step: str, args: argparse.Namespace, **paths: Path | str) -> dict[str, Any]:
    """Run one step in a fresh interpreter and return its JSON report (plus wall time)."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        step,
        "--actors",
        str(args.actors),
        "--seed",
        str(args.seed),
    ]
    for name, value in paths.items():
        command += [f"--{name}", str(value)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    busy, ours, started = busy_cpu_seconds(), own_and_children_cpu(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    # What the rest of the machine burnt meanwhile, in CPUs: other processes and steal. The
    # loader wants both CPUs of a small machine, so anything here slows it down.
    others = (busy_cpu_seconds() - busy) - (own_and_children_cpu() - ours)
    if done.returncode != 0:
        raise BenchError(f"step {step!r} failed (exit {done.returncode}):\n{done.stderr}")
    try:
        report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise BenchError(
            f"step {step!r} printed no JSON report:\n{done.stdout}\n{done.stderr}"
        ) from None
    report["process_wall_seconds"] = wall
    report["other_cpus_busy"] = round(max(others, 0.0) / wall, 2)
    return report


def _folder_mib(folder: Path) -> float:
    """Disk size of a store folder, for the record."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def _machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    import pyoxigraph

    sys.path.insert(0, str(SRC))
    from ecograph import __version__ as ecograph_version

    return machine(pyoxigraph=pyoxigraph.__version__, ecograph=ecograph_version)


def _summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median time, maximum peak memory, and the (identical) quad count over repeats."""
    return {
        "seconds_median": statistics.median(r["seconds"] for r in runs),
        "seconds_all": [round(r["seconds"], 3) for r in runs],
        "cpu_seconds_median": statistics.median(r["cpu_seconds"] for r in runs),
        "cpu_seconds_all": [round(r["cpu_seconds"], 3) for r in runs],
        "peak_rss_mib_max": max(r["peak_rss_mib"] for r in runs),
        "peak_rss_mib_all": [round(r["peak_rss_mib"], 1) for r in runs],
        "quads": runs[0]["quads"],
        "store_mib": runs[0].get("store_mib"),
    }


def _check_counts(generated: dict[str, Any], runs: dict[str, list[dict[str, Any]]]) -> None:
    """Every load must hold exactly the distinct triples, plus ecograph's provenance."""
    expected = generated["distinct_lines"]
    problems = []
    for step, step_runs in runs.items():
        for number, run in enumerate(step_runs, 1):
            want = expected + run["extra_triples"]
            if run["quads"] != want:
                problems.append(
                    f"{step} run {number}: {run['quads']:,} quads, expected "
                    f"{want:,} ({expected:,} distinct triples + "
                    f"{run['extra_triples']} provenance)"
                )
    if problems:
        raise BenchError("quad counts disagree:\n  " + "\n  ".join(problems))


def _bench(args: argparse.Namespace, console: Any) -> dict[str, Any]:
    """Generate once, then run every load step ``--repeat`` times in alternating order."""
    steps = [BASELINE, ECOGRAPH, *(DIAGNOSTIC_STEPS if args.diagnose else ())]
    sys.path.insert(0, str(SRC))
    from ecograph.namespaces import DEFAULT_BASE_IRI, graph_iri

    graph = graph_iri(DEFAULT_BASE_IRI, GRAPH_NAME)
    with tempfile.TemporaryDirectory(prefix="ecograph-bench-", dir=args.tmpdir) as tmp:
        work = Path(tmp)
        source = work / f"ecosystem-{args.actors}-{args.seed}.nt"
        with console.status(f"Generating {args.actors:,} actors (seed {args.seed})…"):
            generated = _spawn("generate", args, file=source)
        console.log(
            f"generated {generated['lines']:,} lines, "
            f"{generated['bytes'] / 2**20:,.0f} MiB in {generated['seconds']:.1f} s"
        )
        runs: dict[str, list[dict[str, Any]]] = {step: [] for step in steps}
        for repeat in range(args.repeat):
            order = steps if repeat % 2 == 0 else list(reversed(steps))
            for step in order:
                workdir = work / f"{step}-{repeat}"
                label = f"Loading with {step} (repeat {repeat + 1}/{args.repeat})…"
                with console.status(label):
                    run = _spawn(step, args, file=source, workdir=workdir, graph=graph)
                run["store_mib"] = round(_folder_mib(workdir), 1)
                shutil.rmtree(workdir)  # a 100k-actor store is ~1 GB; keep the disk free
                console.log(
                    f"{step:<19} repeat {repeat + 1}: {run['seconds']:7.2f} s "
                    f"(CPU {run['cpu_seconds']:7.2f} s, others "
                    f"{run['other_cpus_busy']:.2f} CPU), "
                    f"peak {run['peak_rss_mib']:7.1f} MiB, {run['quads']:,} quads"
                )
                runs[step].append(run)
    _check_counts(generated, runs)
    busiest = max(r["other_cpus_busy"] for step_runs in runs.values() for r in step_runs)
    contended = busiest > CONTENDED_CPUS
    summary = {step: _summarise(step_runs) for step, step_runs in runs.items()}
    raw, eco = summary[BASELINE], summary[ECOGRAPH]
    time_ratio = eco["seconds_median"] / raw["seconds_median"]
    memory_ratio = eco["peak_rss_mib_max"] / raw["peak_rss_mib_max"]
    cpu_ratio = eco["cpu_seconds_median"] / raw["cpu_seconds_median"]
    return {
        "benchmark": "load",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "parameters": {
            "actors": args.actors,
            "seed": args.seed,
            "repeat": args.repeat,
            "diagnose": args.diagnose,
        },
        "machine": _machine(),
        "generate": generated,
        "steps": summary,
        "runs": runs,
        "max_other_cpus_busy": busiest,
        "contended": contended,
        "ratios": {"time": time_ratio, "cpu": cpu_ratio, "memory": memory_ratio},
        "targets": {
            "time_ratio_max": TIME_RATIO_TARGET,
            "memory_mib_max": MEMORY_TARGET_MIB,
            "time_ok": time_ratio <= TIME_RATIO_TARGET,
            "memory_ok": eco["peak_rss_mib_max"] < MEMORY_TARGET_MIB,
        },
    }


def _report(result: dict[str, Any], console: Any) -> None:
    """The table and the PASS/FAIL line."""
    from rich.table import Table

    steps, generated = result["steps"], result["generate"]
    params, machine = result["parameters"], result["machine"]
    table = Table(
        title=(
            f"Load benchmark — {params['actors']:,} actors, seed {params['seed']}, "
            f"{params['repeat']} repeat(s)"
        ),
        caption=(
            f"{machine['cpus']} CPU · {machine['cpu_model']} · "
            f"{machine['memory_gib']} GiB · pyoxigraph {machine['pyoxigraph']}"
        ),
    )
    table.add_column("step", no_wrap=True)
    table.add_column("seconds (median)", justify="right")
    table.add_column("CPU s (median)", justify="right")
    table.add_column("peak RSS MiB", justify="right")
    table.add_column("quads", justify="right")
    table.add_column("store MiB", justify="right")
    table.add_row(
        "generate N-Triples",
        f"{generated['seconds']:.2f}",
        "",
        f"{generated['peak_rss_mib']:.0f}",
        f"{generated['lines']:,} lines",
        f"{generated['bytes'] / 2**20:.0f} (file)",
    )
    for step, summary in steps.items():
        table.add_row(
            step,
            f"{summary['seconds_median']:.2f}",
            f"{summary['cpu_seconds_median']:.2f}",
            f"{summary['peak_rss_mib_max']:.0f}",
            f"{summary['quads']:,}",
            f"{summary['store_mib']:.0f}",
        )
    ratios = result["ratios"]
    table.add_row(
        "[bold]ecograph / raw[/]",
        f"[bold]{ratios['time']:.2f}×[/]",
        f"[bold]{ratios['cpu']:.2f}×[/]",
        f"[bold]{ratios['memory']:.2f}×[/]",
        "",
        "",
        end_section=True,
    )
    for step in DIAGNOSTIC_STEPS:
        if step in steps:
            ratio = steps[step]["seconds_median"] / steps[BASELINE]["seconds_median"]
            cpu = steps[step]["cpu_seconds_median"] / steps[BASELINE]["cpu_seconds_median"]
            memory = steps[step]["peak_rss_mib_max"] / steps[BASELINE]["peak_rss_mib_max"]
            table.add_row(f"{step} / raw", f"{ratio:.2f}×", f"{cpu:.2f}×", f"{memory:.2f}×", "", "")
    console.print(table)
    targets = result["targets"]
    eco_peak = steps[ECOGRAPH]["peak_rss_mib_max"]
    time_line = (
        f"time {ratios['time']:.2f}× raw (target ≤ {TIME_RATIO_TARGET}×; CPU "
        f"{ratios['cpu']:.2f}×): " + ("PASS" if targets["time_ok"] else "FAIL")
    )
    memory_line = f"peak memory {eco_peak:.0f} MiB (target < {MEMORY_TARGET_MIB} MiB): " + (
        "PASS" if targets["memory_ok"] else "FAIL"
    )
    overall = targets["time_ok"] and targets["memory_ok"]
    style = "bold green" if overall else "bold red"
    console.print(f"[{style}]{'PASS' if overall else 'FAIL'}[/] — {time_line}; {memory_line}")
    if result["contended"]:
        console.print(
            f"[yellow]Warning:[/] during some loads other processes (or the "
            f"hypervisor) kept up to {result['max_other_cpus_busy']:.2f} of "
            f"{machine['cpus']} CPUs busy: wall times are inflated and noisy. Compare "
            "the CPU column, or rerun on a quiet machine."
        )
    if params["repeat"] < 3:
        console.print(
            "[yellow]Note:[/] one run per loader: even on a quiet machine a load "
            "varies by about 10%. Use --repeat 3 or more before concluding from the "
            "time ratio."
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Time and measure the peak memory of ecograph's store load against a "
        "raw pyoxigraph bulk_load of the same synthetic ecosystem."
    )
    parser.add_argument(
        "--actors",
        type=int,
        default=100_000,
        help="actors in the generated ecosystem (default: 100000, ≈3.1M triples)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default: 1)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each loader; order alternates (default: 1)"
    )
    parser.add_argument(
        "--diagnose",
        action="store_true",
        help="also run raw variants that read through Python file objects",
    )
    parser.add_argument(
        "--tmpdir",
        default=None,
        help="where to put the file and stores (default: the system temp dir)",
    )
    # Internal: how the parent asks a fresh interpreter to run one step.
    parser.add_argument("--child", choices=("generate", *LOAD_STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--graph", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 unless a step failed or the loads disagree (misses are not errors)."""
    args = _parser().parse_args(argv)
    if args.child:
        _run_child(args)
        return 0
    if args.actors < 1 or args.repeat < 1:
        _parser().error("--actors and --repeat must be at least 1")
    from rich.console import Console

    console = Console()
    if not console.is_terminal:  # piped to a file or a log: don't squeeze the table into 80
        console = Console(width=110)
    try:
        result = _bench(args, console)
    except BenchError as err:
        console.print(f"[bold red]BENCHMARK ERROR[/] {err}")
        return 1
    _report(result, console)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"load-{args.actors}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    console.print(f"Result written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
