"""Network benchmark: projection + every metric + gaps + suggestions, against networkx.

Why this benchmark exists: issue 5 asks for the full analysis pipeline on a 100,000-actor
ecosystem in under 2 minutes and 4 GiB on a 2-CPU machine, with networkx as the graph model
but faster engines (igraph, vectorised scipy) behind the measures networkx is slow at. This
script measures each step on generated ecosystems and compares ecograph's implementation of
constraint, effective size, betweenness, Louvain and assortativity with networkx's own on
the same graph, in the same run.

Run it from the repository root (no install needed, ``src`` is put on the path)::

    python bench/bench_network.py [--actors 10000 --actors 100000] [--seed 1]
    python bench/bench_network.py --store /tmp/ws100k     # reuse a workspace (read-only)

How it measures, and why:

* Each size runs in fresh subprocesses: ``prepare`` generates the ecosystem and loads it, with
  the ontology and the French territories, into a new workspace (skipped with ``--store``);
  ``pipeline`` opens that workspace read-only and times projection (cold: a fresh process
  reads everything from disk), ``compute_metrics`` (its per-step timings), the metrics graph's
  N-Triples serialisation, and gaps (sector pairs, domain cells, isolated actors, communities,
  20 suggestions); ``networkx`` times networkx's functions on the same collaboration graph
  (handed over as a pickle). Peak memory is each child's ``ru_maxrss``.
* networkx is too slow to run whole at 100,000 actors for two measures, so they are timed on
  part of the work and scaled, and the table says so: ``constraint`` and ``effective_size``
  on a seeded sample of nodes (networkx takes a ``nodes`` argument; per-node cost is
  independent of the others), betweenness with fewer sampled sources (cost is linear in the
  number of sources, ``k``). Louvain and assortativity run whole.
* Determinism: the pipeline child hashes its outputs (metrics tables as JSON, gaps and
  suggestions as JSON, the metrics N-Triples). With ``--check-determinism`` the pipeline runs
  twice with different ``PYTHONHASHSEED`` values and the digests must be equal.

The result is a measurement, not a test: the exit status is non-zero only when a step fails
or determinism is checked and broken. Results: a rich table per size, and
``bench/results/network-<actors>.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from measure import (
    RESULTS_DIR,
    ROOT,
    SRC,
    BenchError,
    machine,
    own_and_children_cpu,
    peak_rss_mib,
)

#: The whole pipeline at 100,000 actors must take less than this many seconds...
PIPELINE_SECONDS_TARGET = 120.0
#: ...and peak under this resident memory.
MEMORY_TARGET_MIB = 4096.0
#: Nodes networkx's constraint / effective size are timed on (then scaled to all nodes).
NX_NODE_SAMPLE = 500
#: Sources networkx's sampled betweenness is timed with (then scaled to ecograph's count).
NX_BETWEENNESS_SOURCES = 16


def _timed(steps: dict[str, dict[str, float]], name: str, work: Callable[[], Any]) -> Any:
    """Run ``work``, recording wall and CPU seconds and the memory high-water mark after it."""
    cpu, started = own_and_children_cpu(), time.perf_counter()
    result = work()
    steps[name] = {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": own_and_children_cpu() - cpu,
        "peak_rss_mib": peak_rss_mib(),
    }
    return result


# ============================================================================ children
def _child_prepare(actors: int, seed: int, workdir: Path) -> dict[str, Any]:
    """A workspace with the ontology, the territories and a generated ecosystem."""
    from ecograph.ingest.territories import load_territories
    from ecograph.ontology import load_ontology
    from ecograph.sample import load_generated
    from ecograph.sample.generate import EcosystemSpec
    from ecograph.store import open_store

    started = time.perf_counter()
    with open_store(workdir) as store:
        load_ontology(store)
        load_territories(store)
        load_generated(
            store,
            EcosystemSpec(actors=actors, seed=seed),
            graph_name=f"generated/bench-{actors}-{seed}",
            title="Network benchmark ecosystem (synthetic)",
        )
        quads = len(store)  # type: ignore[arg-type]
    return {
        "seconds": time.perf_counter() - started,
        "quads": quads,
        "peak_rss_mib": peak_rss_mib(),
    }


def _child_pipeline(workdir: Path, seed: int, graph_out: Path) -> dict[str, Any]:
    """Projection, metrics, gaps and suggestions, each timed, with digests of the outputs."""
    from dataclasses import asdict

    from ecograph.geography import geography
    from ecograph.labels import Labels
    from ecograph.network import gaps
    from ecograph.network.metrics import compute_metrics
    from ecograph.network.metrics_rdf import metrics_ntriples
    from ecograph.network.projection import project
    from ecograph.scope import domain_names
    from ecograph.store import open_store

    steps: dict[str, dict[str, float]] = {}
    total_cpu, total_started = own_and_children_cpu(), time.perf_counter()
    table = geography()
    with open_store(workdir, read_only=True, create=False) as store:
        projection = _timed(steps, "projection", lambda: project(store, table=table))
        words = Labels.from_store(store, lang="en", table=table)
        domains = domain_names(store)
        base = store.base_iri
    graph = projection.collaboration
    result = _timed(steps, "metrics (all)", lambda: compute_metrics(projection, seed=seed))
    body = _timed(steps, "metrics → N-Triples", lambda: metrics_ntriples(result, base))
    members: dict[int, set[str]] = {}
    for row in result.actors:
        if row.community is not None:
            members.setdefault(row.community, set()).add(row.actor)
    communities = [members[number] for number in sorted(members)]
    found = {
        "sector_pairs": _timed(
            steps, "gaps: sector pairs", lambda: gaps.sector_pair_gaps(graph, level="epci")
        ),
        "domains": _timed(
            steps,
            "gaps: domain cells",
            lambda: gaps.domain_gaps(graph, projection.contexts, table, domains, level="epci"),
        ),
        "actors": _timed(steps, "gaps: isolated actors", lambda: gaps.actor_gaps(graph)),
        "suggestions": _timed(
            steps, "suggestions (top 20)", lambda: gaps.suggest(graph, words, top=20, seed=seed)
        ),
    }
    found["communities"] = _timed(
        steps, "gaps: communities", lambda: gaps.community_gaps(graph, communities)
    )
    total = {
        "seconds": time.perf_counter() - total_started,
        "cpu_seconds": own_and_children_cpu() - total_cpu,
        "peak_rss_mib": peak_rss_mib(),
    }
    with graph_out.open("wb") as handle:
        pickle.dump(graph, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tables = json.dumps(result.tables(), sort_keys=True, default=str)
    gaps_json = json.dumps(
        {k: [asdict(g) for g in v] for k, v in found.items()}, sort_keys=True, default=str
    )
    return {
        "actors": graph.number_of_nodes(),
        "ties": graph.number_of_edges(),
        "contexts": len(projection.contexts),
        "steps": steps,
        "metric_steps": result.timings,
        "total": total,
        "digests": {
            name: hashlib.sha256(text.encode()).hexdigest()
            for name, text in (
                ("metrics_tables", tables),
                ("gaps", gaps_json),
                ("metrics_ntriples", body),
            )
        },
    }


def _child_networkx(graph_in: Path, seed: int) -> dict[str, Any]:
    """networkx's own functions on the same graph, next to ecograph's, measure by measure."""
    import random

    import networkx as nx

    from ecograph.network import brokerage, centrality, communities, mixing

    with graph_in.open("rb") as handle:
        G = pickle.load(handle)
    n = G.number_of_nodes()
    rng = random.Random(seed)
    sample = rng.sample(sorted(G.nodes), min(NX_NODE_SAMPLE, n))
    sources = centrality.betweenness_sources(G, seed=seed)
    k = len(sources) if sources is not None else n
    nx_k = min(NX_BETWEENNESS_SOURCES, n)
    rows: list[dict[str, Any]] = []

    def compare(
        measure: str, ours: Callable[[], Any], theirs: Callable[[], Any], scale: float, how: str
    ) -> None:
        started = time.perf_counter()
        ours()
        ours_s = time.perf_counter() - started
        started = time.perf_counter()
        theirs()
        theirs_s = (time.perf_counter() - started) * scale
        rows.append(
            {
                "measure": measure,
                "ecograph_s": ours_s,
                "networkx_s": theirs_s,
                "networkx_how": how,
                "speedup": theirs_s / ours_s if ours_s else None,
            }
        )

    compare(
        "constraint",
        lambda: brokerage.constraint(G, weight="weight"),
        lambda: nx.constraint(G, nodes=sample, weight="weight"),
        n / len(sample),
        f"{len(sample)} nodes timed, × {n / len(sample):.0f}",
    )
    compare(
        "effective size",
        lambda: brokerage.effective_size(G, weight="weight"),
        lambda: nx.effective_size(G, nodes=sample, weight="weight"),
        n / len(sample),
        f"{len(sample)} nodes timed, × {n / len(sample):.0f}",
    )
    compare(
        "betweenness",
        lambda: centrality.betweenness(G, seed=seed),
        lambda: nx.betweenness_centrality(G, k=nx_k, seed=seed),
        k / nx_k,
        f"k={nx_k} timed, × {k / nx_k:.0f} (ecograph: {k} sources)",
    )
    compare(
        "Louvain",
        lambda: communities.louvain_communities(G, seed=seed),
        lambda: nx.community.louvain_communities(G, weight="weight", seed=seed),
        1.0,
        "whole graph",
    )
    compare(
        "sector assortativity",
        lambda: mixing.attribute_assortativity(G, attribute="sector"),
        lambda: nx.attribute_assortativity_coefficient(G, "sector"),
        1.0,
        "whole graph",
    )
    return {"rows": rows, "peak_rss_mib": peak_rss_mib()}


def _run_child(args: argparse.Namespace) -> None:
    if args.child == "prepare":
        result = _child_prepare(args.actors[0], args.seed, Path(args.workdir))
    elif args.child == "pipeline":
        result = _child_pipeline(Path(args.workdir), args.seed, Path(args.graph_file))
    else:
        result = _child_networkx(Path(args.graph_file), args.seed)
    print(json.dumps(result))


# ============================================================================ parent side
def _spawn(
    step: str, args: argparse.Namespace, hash_seed: str = "0", **options: str
) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        step,
        "--seed",
        str(args.seed),
        "--actors",
        str(args.actors[0]),
    ]
    for name, value in options.items():
        command += [f"--{name.replace('_', '-')}", value]
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise BenchError(f"{step} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = time.perf_counter() - started
    return result


def _machine() -> dict[str, Any]:
    import networkx
    import pyoxigraph

    return machine(networkx=networkx.__version__, pyoxigraph=pyoxigraph.__version__)


def _bench_size(actors: int, args: argparse.Namespace, console: Any) -> dict[str, Any]:
    sized = argparse.Namespace(**{**vars(args), "actors": [actors]})
    with tempfile.TemporaryDirectory(dir=args.tmpdir) as tmp:
        workdir = Path(args.store) if args.store else Path(tmp) / "workspace"
        prepared = None
        if not args.store:
            with console.status(f"Generating and loading {actors:,} actors…"):
                prepared = _spawn("prepare", sized, workdir=str(workdir))
            console.log(
                f"prepared {actors:,} actors: {prepared['quads']:,} quads in "
                f"{prepared['seconds']:.1f} s"
            )
        graph_file = str(Path(tmp) / "graph.pickle")
        with console.status("Projection, metrics, gaps…"):
            pipeline = _spawn("pipeline", sized, workdir=str(workdir), graph_file=graph_file)
        console.log(
            f"pipeline: {pipeline['total']['seconds']:.1f} s, peak "
            f"{pipeline['total']['peak_rss_mib']:.0f} MiB"
        )
        again = None
        if args.check_determinism:
            with console.status("Pipeline again with another PYTHONHASHSEED…"):
                again = _spawn(
                    "pipeline",
                    sized,
                    hash_seed="12345",
                    workdir=str(workdir),
                    graph_file=graph_file,
                )
        versus = None
        if not args.no_networkx:
            with console.status("networkx on the same graph…"):
                versus = _spawn("networkx", sized, graph_file=graph_file)
    deterministic = None if again is None else again["digests"] == pipeline["digests"]
    return {
        "actors_requested": actors,
        "prepare": prepared,
        "pipeline": pipeline,
        "networkx": versus,
        "deterministic": deterministic,
    }


def _report(result: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    pipeline, machine = result["pipeline"], result["machine"]
    caption = (
        f"{machine['cpus']} CPU · {machine['cpu_model']} · {machine['memory_gib']} GiB · "
        f"load average at start {machine['load_average'][0]:.1f}"
    )
    table = Table(
        title=(
            f"Network pipeline — {pipeline['actors']:,} actors, "
            f"{pipeline['ties']:,} ties, {pipeline['contexts']:,} partnerships "
            "and projects"
        ),
        caption=caption,
    )
    for column in ("step", "seconds", "CPU s", "peak RSS MiB"):
        table.add_column(column, justify="left" if column == "step" else "right")
    for name, step in pipeline["steps"].items():
        table.add_row(
            name,
            f"{step['seconds']:.2f}",
            f"{step['cpu_seconds']:.2f}",
            f"{step['peak_rss_mib']:.0f}",
        )
    total = pipeline["total"]
    table.add_row(
        "[bold]total[/]",
        f"[bold]{total['seconds']:.2f}[/]",
        f"{total['cpu_seconds']:.2f}",
        f"{total['peak_rss_mib']:.0f}",
    )
    console.print(table)
    inner = Table(title="Inside compute_metrics (seconds)")
    inner.add_column("step")
    inner.add_column("seconds", justify="right")
    for name, seconds in pipeline["metric_steps"].items():
        inner.add_row(name, f"{seconds:.2f}")
    console.print(inner)
    if result["networkx"]:
        versus = Table(title="ecograph vs networkx on the same graph")
        for column in (
            "measure",
            "ecograph s",
            "networkx s",
            "networkx ÷ ecograph",
            "how networkx was timed",
        ):
            versus.add_column(
                column,
                justify="left" if column in ("measure", "how networkx was timed") else "right",
            )
        for row in result["networkx"]["rows"]:
            versus.add_row(
                row["measure"],
                f"{row['ecograph_s']:.3f}",
                f"{row['networkx_s']:.1f}",
                f"{row['speedup']:.0f}×" if row["speedup"] else "–",
                row["networkx_how"],
            )
        console.print(versus)
    if pipeline["actors"] >= 100_000:
        ok_time = total["seconds"] < PIPELINE_SECONDS_TARGET
        ok_memory = total["peak_rss_mib"] < MEMORY_TARGET_MIB
        console.print(
            f"{'PASS' if ok_time and ok_memory else 'FAIL'} — pipeline "
            f"{total['seconds']:.0f} s (target < {PIPELINE_SECONDS_TARGET:.0f} s), "
            f"peak {total['peak_rss_mib']:.0f} MiB (target < "
            f"{MEMORY_TARGET_MIB:.0f} MiB)"
        )
    if result["deterministic"] is not None:
        console.print(
            "Determinism across PYTHONHASHSEED: "
            + (
                "[green]identical outputs[/]"
                if result["deterministic"]
                else "[red]outputs differ[/]"
            )
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--actors",
        type=int,
        action="append",
        help="Ecosystem size (repeatable; default 10000 and 100000).",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--store",
        help="Reuse this workspace (read-only) instead of "
        "generating one; then give one --actors for the label.",
    )
    parser.add_argument("--tmpdir", help="Folder for temporary workspaces.")
    parser.add_argument("--no-networkx", action="store_true", help="Skip the networkx comparison.")
    parser.add_argument(
        "--check-determinism",
        action="store_true",
        help="Run the pipeline twice with different PYTHONHASHSEED values.",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--graph-file", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.child:
        sys.path.insert(0, str(SRC))
        _run_child(args)
        return 0
    from rich.console import Console

    console = Console()
    sizes = args.actors or [10_000, 100_000]
    if args.store and len(sizes) != 1:
        console.print("[red]--store needs exactly one --actors (the size it holds)[/]")
        return 2
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    status = 0
    for actors in sizes:
        try:
            result = _bench_size(actors, args, console)
        except BenchError as err:
            console.print(f"[red]{err}[/]")
            return 1
        result["machine"] = _machine()
        _report(result, console)
        if result["deterministic"] is False:
            status = 1
        out = RESULTS_DIR / f"network-{actors}.json"
        out.write_text(json.dumps(result, indent=1))
        console.print(f"Result written to {out.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
