"""Query benchmark: every library query on ecograph's embedded store, raw pyoxigraph and rdflib.

Why this benchmark exists: ecograph runs its query library (``queries/*.rq``) through
``ecograph.queries.run_query`` — header parsing, parameter binding, the store's prefixes and
union default graph, one tuple of terms per row. That wrapping must stay cheap (target: within
1.2× of the same query on raw pyoxigraph) and every library query must stay usable on a large
ecosystem (target: under 2 s at 100,000 actors on the on-disk store). rdflib's in-memory store
is measured on the same data and queries, for scale: it is what many RDF users in Python would
reach for first.

Run it from the repository root (no install needed, ``src`` is put on the path)::

    python bench/bench_queries.py [--actors 100000] [--seed 1] [--repeat 3]
    python bench/bench_queries.py --store /tmp/ws100k        # reuse a workspace (read-only)
    python bench/bench_queries.py --store /tmp/ws10k --query top-funders --no-rdflib

How it measures, and why:

* The data is a workspace built as a user would: ``ecograph generate --out`` writes the
  N-Triples, then ontology, territories and that file are loaded into a fresh workspace in a
  temporary folder, and ``ecograph metrics`` writes the metrics graph some queries read.
  ``--store`` reuses an existing workspace instead, opened read-only only; a query declaring
  ``# requires: metrics`` is then left out (and listed) when that workspace's metrics are
  missing or stale, since ecograph refuses to answer it and raw pyoxigraph would answer nothing.
* The selected ``.rq`` files are copied into the temporary folder first, and every engine runs
  that snapshot with each query's header example values: the library may change while the
  benchmark runs, the engines must still run the same text.
* Each engine runs in its own Python subprocess, so neither inherits the other's caches or
  memory. **ecograph**: ``open_store(read_only=True)`` and ``run_query(store, query, examples)``,
  binding included in the timing, every row materialised. **raw** (the baseline):
  ``pyoxigraph.Store.read_only`` and ``store.query(bound_text, prefixes=PREFIXES,
  use_default_graph_as_union=True)`` with the very text ecograph binds (bound outside the
  timing), every row turned into a tuple of terms — what a pyoxigraph user would write.
* In every engine process each query first runs once untimed (warm-up: page cache, RocksDB
  block cache, pyoxigraph's first-use costs), then once timed. There are ``--repeat`` processes
  per engine, in alternating engine order; the table shows medians over them. Next to wall time
  each run records the process's CPU time (``getrusage``), and the parent records the load
  average and how many CPUs other processes kept busy: on a small shared machine wall time
  moves with the neighbours, CPU time much less.
* Both pyoxigraph engines must return the same rows (compared as sorted multisets of terms);
  otherwise the script stops with ``BENCHMARK ERROR`` and exit status 1.
* **rdflib**: the workspace is dumped to N-Quads once, and one subprocess parses it into
  ``rdflib.Dataset(default_union=True)`` (load time and peak memory reported; at most
  ``--rdflib-load-limit`` seconds), then runs each query — warm-up, then ``--rdflib-repeat``
  timed runs — each under a ``--rdflib-limit`` (60 s) alarm. A query that does not finish in
  time is reported as "> 60 s". rdflib's rows are compared too, for information only (its
  numbers may be written in another lexical form).

The result is a measurement, not a test: missing a target gives exit status 0. Results are
printed as a table and written to ``bench/results/queries-<actors>.json``; ``--report FILE``
prints a saved result again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from measure import (
    RESULTS_DIR,
    SRC,
    BenchError,
    busy_cpu_seconds,
    cpu_seconds,
    machine,
    own_and_children_cpu,
    peak_rss_mib,
)

#: ecograph may take at most this many times raw pyoxigraph's time on the same query.
RATIO_TARGET = 1.2
#: Every library query must answer within this many seconds at 100,000 actors.
SECONDS_TARGET = 2.0
#: rdflib gets this long per query run, and this long to load the data.
RDFLIB_LIMIT = 60.0
RDFLIB_LOAD_LIMIT = 900.0

ECOGRAPH = "ecograph"
BASELINE = "raw"
RDFLIB = "rdflib"
ENGINES = (ECOGRAPH, BASELINE)

#: Above this many CPUs kept busy by others during an engine run, the run is flagged.
CONTENDED_CPUS = 0.25

#: The graph name ``ecograph generate`` (without --out) would give the generated data.
_GENERATED_GRAPH = re.compile(r"/graph/generated/[^/]*?-(\d+)-(\d+)$")


# ============================================================================ child side
# Each child prints one JSON object per line on stdout as it goes ("event": "info", "query",
# "load", then "done"), so that the parent can log progress and keep what a child measured
# before dying (rdflib may be killed for memory).


def _emit(event: str, **payload: Any) -> None:
    print(json.dumps({"event": event, **payload}), flush=True)


def _digest(rows: Iterable[tuple[Any, ...]]) -> str:
    """A fingerprint of a result as a multiset of rows (order ignored: ties may sort apart)."""
    lines = sorted(json.dumps(row, ensure_ascii=False) for row in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def _sorted_lists(
    lists: Iterable[str], variables: list[str], rows: list[list[Any]]
) -> list[list[Any]]:
    """Keyed rows with the items of each list column sorted (``# lists:``), as ``run_query``
    sorts them: SPARQL sets no order inside a GROUP_CONCAT, and engines differ."""
    from ecograph.listcolumns import LIST_SEPARATOR, sorted_list_text  # no pyoxigraph

    wanted = set(lists)
    columns = [i for i, name in enumerate(variables) if name in wanted]
    for row in rows:
        for i in columns:
            key = row[i]
            if isinstance(key, list) and key[0] == "L" and LIST_SEPARATOR in key[1]:
                row[i] = ["L", sorted_list_text(key[1]), key[2]]
    return rows


def _ox_key(term: Any) -> Any:
    """A pyoxigraph term as plain data comparable across engines."""
    import pyoxigraph as ox

    if term is None or isinstance(term, bool):  # unbound, or an ASK's answer
        return term
    if isinstance(term, ox.NamedNode):
        return ["I", term.value]
    if isinstance(term, ox.BlankNode):
        return ["B"]  # blank node labels are per result: only their presence compares
    if isinstance(term, ox.Literal):
        return ["L", term.value, term.language or term.datatype.value]
    return ["?", str(term)]


def _rdflib_key(term: Any) -> Any:
    """An rdflib term as the same plain data as ``_ox_key``."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, URIRef):
        return ["I", str(term)]
    if isinstance(term, BNode):
        return ["B"]
    if isinstance(term, Literal):
        datatype = term.datatype or "http://www.w3.org/2001/XMLSchema#string"
        return ["L", str(term), term.language or str(datatype)]
    return ["?", str(term)]


def _time_queries(
    catalogue: dict[str, Any], run: Callable[[str], tuple[list[str], list[Any]]]
) -> None:
    """Warm-up then one timed run of each query, emitting one event per query.

    ``run`` returns the variables and rows (tuples of pyoxigraph terms); they are
    fingerprinted after the clock stops, so that the comparison costs neither engine anything.
    """
    for name, query in catalogue.items():
        run(name)  # warm-up, untimed
        cpu, started = cpu_seconds(), time.perf_counter()
        variables, rows = run(name)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        digest = _digest(
            _sorted_lists(query.lists, variables, [[_ox_key(term) for term in row] for row in rows])
        )
        _emit("query", name=name, seconds=seconds, cpu_seconds=cpu, rows=len(rows), digest=digest)


def _child_ecograph(store_dir: Path, snapshot: Path) -> None:
    """ecograph: ``run_query`` on the embedded store, read-only, binding included."""
    from ecograph.queries import load_catalogue, run_query
    from ecograph.store import open_store

    catalogue = load_catalogue(snapshot)
    examples = {
        name: {p.name: p.example for p in query.parameters} for name, query in catalogue.items()
    }
    started = time.perf_counter()
    store = open_store(store_dir, read_only=True, create=False)
    opened = time.perf_counter() - started
    _emit("info", open_seconds=opened, graphs=store.named_graphs())

    def run(name: str) -> tuple[list[str], list[Any]]:
        result = run_query(store, catalogue[name], examples[name])
        if result.boolean is not None:
            return ["boolean"], [(result.boolean,)]
        return result.variables, result.rows

    try:
        _time_queries(catalogue, run)
        quads = len(store)  # after the timing: counting scans the whole store
    finally:
        store.close()
    _emit("done", peak_rss_mib=peak_rss_mib(), quads=quads)


def _child_raw(store_dir: Path, snapshot: Path) -> None:
    """Raw pyoxigraph: the same bound text, ``Store.read_only``, prefixes and union graph."""
    import pyoxigraph as ox

    from ecograph.namespaces import PREFIXES
    from ecograph.queries import load_catalogue
    from ecograph.store.embedded import DATABASE_DIR

    catalogue = load_catalogue(snapshot)
    texts = {
        name: query.bind({p.name: p.example for p in query.parameters})
        for name, query in catalogue.items()
    }
    started = time.perf_counter()
    store = ox.Store.read_only(str(store_dir / DATABASE_DIR))
    opened = time.perf_counter() - started
    _emit("info", open_seconds=opened)

    def run(name: str) -> tuple[list[str], list[Any]]:
        result = store.query(texts[name], prefixes=PREFIXES, use_default_graph_as_union=True)
        if isinstance(result, bool):
            return ["boolean"], [(result,)]
        variables = [v.value for v in result.variables]
        return variables, [tuple(solution[v] for v in variables) for solution in result]

    _time_queries(catalogue, run)
    _emit("done", peak_rss_mib=peak_rss_mib())


def _child_dump(store_dir: Path, out: Path) -> None:
    """The workspace as one N-Quads file, for rdflib (read-only, like the other engines)."""
    import pyoxigraph as ox

    from ecograph.store import open_store

    started = time.perf_counter()
    with open_store(store_dir, read_only=True, create=False) as store, out.open("wb") as handle:
        store.dump(handle, format=ox.RdfFormat.N_QUADS)
    _emit("done", seconds=time.perf_counter() - started, bytes=out.stat().st_size)


def _child_build(workdir: Path, source: Path) -> None:
    """A fresh workspace: ontology and schemes, territories, then the generated file."""
    import pyoxigraph as ox

    from ecograph.ingest.territories import load_territories
    from ecograph.namespaces import graph_iri
    from ecograph.ontology import load_ontology
    from ecograph.store import open_store

    started = time.perf_counter()
    with open_store(workdir) as store:
        load_ontology(store)
        load_territories(store)
        graph = graph_iri(store.base_iri, f"generated/{source.stem}")
        store.load(source, format=ox.RdfFormat.N_TRIPLES, graph=graph)
        quads = len(store)
    _emit("done", seconds=time.perf_counter() - started, quads=quads, peak_rss_mib=peak_rss_mib())


def _child_inspect(store_dir: Path) -> None:
    """What the workspace holds that queries may require: its graphs and the metrics' state."""
    from ecograph.store import open_store

    with open_store(store_dir, read_only=True, create=False) as store:
        try:
            from ecograph.metrics_state import metrics_state
        except ImportError:
            metrics = "unknown"
        else:
            metrics = metrics_state(store)
        _emit("done", graphs=store.named_graphs(), metrics=metrics)


class _OutOfTime(BaseException):
    """Raised by the alarm: a BaseException, so that no ``except Exception`` in rdflib eats it."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise _OutOfTime


def _within(limit: float, work: Callable[[], Any]) -> tuple[bool, Any]:
    """``work()`` under a wall-clock alarm: (True, result), or (False, None) when out of time."""
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return True, work()
    except _OutOfTime:
        return False, None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _child_rdflib(nquads: Path, bound: Path, limit: float, load_limit: float, repeat: int) -> None:
    """rdflib: parse the N-Quads into a union Dataset, then each query under ``limit``."""
    import rdflib

    from ecograph.namespaces import PREFIXES  # a plain module: no pyoxigraph imported

    queries: dict[str, str] = json.loads(bound.read_text(encoding="utf-8"))
    lists: dict[str, list[str]] = json.loads(
        (bound.parent / "lists.json").read_text(encoding="utf-8")
    )
    dataset = rdflib.Dataset(default_union=True)
    cpu, started = cpu_seconds(), time.perf_counter()
    loaded, _ = _within(load_limit, lambda: dataset.parse(str(nquads), format="nquads"))
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    if not loaded:
        _emit("load", finished=False, seconds=seconds, cpu_seconds=cpu, peak_rss_mib=peak_rss_mib())
        _emit("done", peak_rss_mib=peak_rss_mib())
        return
    _emit(
        "load",
        finished=True,
        seconds=seconds,
        cpu_seconds=cpu,
        quads=len(dataset),
        peak_rss_mib=peak_rss_mib(),
    )

    def run(text: str, name: str) -> list[Any]:
        result = dataset.query(text, initNs=PREFIXES)
        if result.type == "ASK":
            return [[bool(result.askAnswer)]]
        return _sorted_lists(
            lists[name],
            [str(v) for v in result.vars],
            [[_rdflib_key(t) for t in row] for row in result],
        )

    for name, text in queries.items():
        runs: list[dict[str, float]] = []
        finished, rows = _within(limit, lambda text=text, name=name: run(text, name))  # warm-up
        for _ in range(repeat if finished else 0):
            cpu, started = cpu_seconds(), time.perf_counter()
            finished, rows = _within(limit, lambda text=text, name=name: run(text, name))
            if not finished:
                break
            runs.append(
                {"seconds": time.perf_counter() - started, "cpu_seconds": cpu_seconds() - cpu}
            )
        if finished:
            _emit(
                "query", name=name, finished=True, runs=runs, rows=len(rows), digest=_digest(rows)
            )
        else:
            _emit("query", name=name, finished=False, runs=runs)
    _emit("done", peak_rss_mib=peak_rss_mib())


def _run_child(args: argparse.Namespace) -> None:
    """Entry point of a child process."""
    if args.child == ECOGRAPH:
        _child_ecograph(Path(args.store), Path(args.snapshot))
    elif args.child == BASELINE:
        _child_raw(Path(args.store), Path(args.snapshot))
    elif args.child == RDFLIB:
        _child_rdflib(
            Path(args.file),
            Path(args.snapshot) / "bound.json",
            args.rdflib_limit,
            args.rdflib_load_limit,
            args.rdflib_repeat,
        )
    elif args.child == "dump":
        _child_dump(Path(args.store), Path(args.file))
    elif args.child == "build":
        _child_build(Path(args.store), Path(args.file))
    elif args.child == "inspect":
        _child_inspect(Path(args.store))


# ============================================================================ parent side


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    return env


def _spawn(
    step: str,
    args: argparse.Namespace,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    **options: Path | str,
) -> dict[str, Any]:
    """Run one step in a fresh interpreter; its events by kind, plus wall time and contention.

    ``on_event`` sees each event as it arrives (progress). A child that dies still returns
    what it reported, with ``exit`` set; the caller decides whether that is an error.
    """
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        step,
        "--rdflib-limit",
        str(args.rdflib_limit),
        "--rdflib-load-limit",
        str(args.rdflib_load_limit),
        "--rdflib-repeat",
        str(args.rdflib_repeat),
    ]
    for name, value in options.items():
        command += [f"--{name}", str(value)]
    load_before = os.getloadavg()[0]
    busy, ours, started = busy_cpu_seconds(), own_and_children_cpu(), time.perf_counter()
    events: dict[str, Any] = {"query": []}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_child_env()
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        for line in child.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a stray print from a library
            if on_event is not None:
                on_event(event)
            kind = event.pop("event", None)
            if kind == "query":
                events["query"].append(event)
            elif kind:
                events[kind] = event
        stderr = child.stderr.read()
        code = child.wait()
    wall = time.perf_counter() - started
    others = (busy_cpu_seconds() - busy) - (own_and_children_cpu() - ours)
    events.update(
        exit=code,
        stderr=stderr[-4000:],
        process_wall_seconds=wall,
        other_cpus_busy=round(max(others, 0.0) / wall, 2),
        loadavg_before=load_before,
        loadavg_after=os.getloadavg()[0],
    )
    return events


def _require(events: dict[str, Any], step: str) -> dict[str, Any]:
    """The events of a step that had to succeed."""
    if events["exit"] != 0 or "done" not in events:
        raise BenchError(f"step {step!r} failed (exit {events['exit']}):\n{events['stderr']}")
    return events


def _machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    import pyoxigraph
    import rdflib

    from ecograph import __version__ as ecograph_version

    found = machine(
        pyoxigraph=pyoxigraph.__version__, rdflib=rdflib.__version__, ecograph=ecograph_version
    )
    found["loadavg_start"] = found["load_average"]
    return found


def _snapshot_queries(selected: list[str], folder: Path) -> dict[str, dict[str, Any]]:
    """Copy the library's queries (all, or ``selected``) to ``folder`` with their bound text.

    Every engine reads this copy, so a query edited during the run is still the same query
    for all of them. ``bound.json`` holds the text ecograph binds, and ``lists.json`` each
    query's list columns, for rdflib.
    """
    from ecograph.queries import load_catalogue, parse_query_file

    catalogue = load_catalogue()
    unknown = [name for name in selected if name not in catalogue]
    if unknown:
        raise BenchError(
            f"no library query named {', '.join(unknown)}; the library has: {', '.join(catalogue)}"
        )
    folder.mkdir(parents=True)
    chosen: dict[str, dict[str, Any]] = {}
    bound: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    for name in selected or list(catalogue):
        copy = folder / f"{name}.rq"
        shutil.copyfile(catalogue[name].path, copy)
        query = parse_query_file(copy)
        examples = {p.name: p.example for p in query.parameters}
        bound[name] = query.bind(examples)
        lists[name] = list(query.lists)
        chosen[name] = {
            "title": query.title,
            "parameters": examples,
            "requires": list(getattr(query, "requires", ())),
            "sha256": hashlib.sha256(query.text.encode()).hexdigest()[:16],
        }
    (folder / "bound.json").write_text(json.dumps(bound, indent=1), encoding="utf-8")
    (folder / "lists.json").write_text(json.dumps(lists, indent=1), encoding="utf-8")
    return chosen


def _skip_unanswerable(
    queries: dict[str, dict[str, Any]], snapshot: Path, metrics: str
) -> dict[str, str]:
    """Take out of the snapshot the queries the workspace cannot answer; why, by name.

    A query declaring ``# requires: metrics`` reads the graph ``ecograph metrics`` writes;
    ecograph refuses it when that graph is missing or out of date (raw pyoxigraph would
    silently answer nothing), and a reused ``--store`` is never written to.
    """
    skipped: dict[str, str] = {}
    for name, query in queries.items():
        if "metrics" in query["requires"] and metrics != "current":
            skipped[name] = (
                f"requires metrics, and the workspace's are {metrics}: run `ecograph metrics` on it"
            )
    if skipped:
        bound_path = snapshot / "bound.json"
        bound = json.loads(bound_path.read_text(encoding="utf-8"))
        for name in skipped:
            (snapshot / f"{name}.rq").unlink()
            del bound[name]
        bound_path.write_text(json.dumps(bound, indent=1), encoding="utf-8")
    return skipped


def _build_workspace(args: argparse.Namespace, work: Path, console: Any) -> dict[str, Any]:
    """Generate with the CLI, then load ontology, territories and the file into ``work/ws``."""
    source = work / f"44-{args.actors}-{args.seed}.nt"
    command = [
        sys.executable,
        "-m",
        "ecograph",
        "generate",
        "--actors",
        str(args.actors),
        "--seed",
        str(args.seed),
        "--out",
        str(source),
    ]
    with console.status(f"Generating {args.actors:,} actors (seed {args.seed})…"):
        started = time.perf_counter()
        done = subprocess.run(
            command, capture_output=True, text=True, env=_child_env(), check=False
        )
        generate_seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(f"`ecograph generate` failed (exit {done.returncode}):\n{done.stderr}")
    with console.status("Loading ontology, territories and the ecosystem…"):
        built = _require(_spawn("build", args, store=work / "ws", file=source), "build")
    source.unlink()
    # Some library queries read the metrics graph: write it as a user would.
    with console.status("Computing the metrics (`ecograph metrics`)…"):
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "ecograph",
                "metrics",
                "--format",
                "json",
                "--out",
                str(work / "metrics"),
            ],
            capture_output=True,
            text=True,
            env={**_child_env(), "ECOGRAPH_STORE": str(work / "ws")},
            check=False,
        )
        metrics_seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(f"`ecograph metrics` failed (exit {done.returncode}):\n{done.stderr}")
    console.log(
        f"workspace built: generate {generate_seconds:.1f} s, load "
        f"{built['done']['seconds']:.1f} s, metrics {metrics_seconds:.1f} s, "
        f"{built['done']['quads']:,} quads before metrics"
    )
    return {
        "generate_seconds": generate_seconds,
        "load_seconds": built["done"]["seconds"],
        "metrics_seconds": metrics_seconds,
        "quads_before_metrics": built["done"]["quads"],
    }


def _actors_in(graphs: list[str], fallback: int) -> int:
    """The actor count in a workspace's generated graph name (``generated/44-<N>-<seed>``)."""
    counts = {int(m.group(1)) for g in graphs if (m := _GENERATED_GRAPH.search(g))}
    return counts.pop() if len(counts) == 1 else fallback


def _run_engines(
    args: argparse.Namespace, store: Path, snapshot: Path, names: list[str], console: Any
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    """``--repeat`` processes per pyoxigraph engine, alternating order; their events."""
    runs: dict[str, list[dict[str, Any]]] = {engine: [] for engine in ENGINES}
    info: dict[str, Any] = {}
    for repeat in range(args.repeat):
        order = ENGINES if repeat % 2 == 0 else tuple(reversed(ENGINES))
        for engine in order:
            label = f"{engine} (repeat {repeat + 1}/{args.repeat})"
            with console.status(f"Running {len(names)} queries on {label}…"):

                def progress(event: dict[str, Any], label: str = label) -> None:
                    if event.get("event") == "query":
                        console.log(
                            f"  {label}: {event['name']} {event['seconds']:.3f} s "
                            f"(CPU {event['cpu_seconds']:.3f} s, {event['rows']:,} "
                            "rows)"
                        )

                events = _require(
                    _spawn(engine, args, progress, store=store, snapshot=snapshot), engine
                )
            if engine == ECOGRAPH and not info:
                info = {**events["info"], "quads": events["done"]["quads"]}
            total = sum(q["seconds"] for q in events["query"])
            console.log(
                f"{label:<22} {total:7.2f} s over {len(events['query'])} queries "
                f"(open {events['info']['open_seconds']:.2f} s, others "
                f"{events['other_cpus_busy']:.2f} CPU, load "
                f"{events['loadavg_before']:.2f}→{events['loadavg_after']:.2f})"
            )
            runs[engine].append(events)
    return runs, info


def _run_rdflib(
    args: argparse.Namespace, store: Path, snapshot: Path, work: Path, console: Any
) -> dict[str, Any]:
    """Dump once, then one rdflib process: load, then every query under the limit."""
    nquads = work / "dataset.nq"
    with console.status("Dumping the workspace to N-Quads for rdflib…"):
        dumped = _require(_spawn("dump", args, store=store, file=nquads), "dump")["done"]
    console.log(
        f"dumped {dumped['bytes'] / 2**20:,.0f} MiB of N-Quads in {dumped['seconds']:.1f} s"
    )
    with console.status("rdflib: parsing the N-Quads…") as status:

        def progress(event: dict[str, Any]) -> None:
            kind = event.get("event")
            if kind == "load":
                state = "loaded" if event["finished"] else "NOT loaded"
                console.log(
                    f"rdflib {state} in {event['seconds']:.1f} s, peak "
                    f"{event['peak_rss_mib']:,.0f} MiB"
                )
                status.update("rdflib: running the queries…")
            elif kind == "query":
                times = [f"{r['seconds']:.2f}" for r in event["runs"]]
                shown = ", ".join(times) if event["finished"] else f"> {args.rdflib_limit:g} s"
                console.log(f"rdflib {event['name']}: {shown}")

        events = _spawn(RDFLIB, args, progress, snapshot=snapshot, file=nquads)
    nquads.unlink(missing_ok=True)
    return {"dump": dumped, **events}


def _median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def _per_query(runs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """An engine's timed runs, by query name, in run order."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for events in runs:
        for query in events["query"]:
            by_name.setdefault(query["name"], []).append(query)
    return by_name


def _summarise(
    names: list[str], runs: dict[str, list[dict[str, Any]]], rdflib: dict[str, Any] | None
) -> tuple[dict[str, Any], list[str]]:
    """Per query: rows, medians, ratio, rdflib; and the list of row disagreements."""
    per_engine = {engine: _per_query(engine_runs) for engine, engine_runs in runs.items()}
    rdflib_queries = {q["name"]: q for q in (rdflib or {}).get("query", [])}
    summary: dict[str, Any] = {}
    problems: list[str] = []
    for name in names:
        entry: dict[str, Any] = {}
        digests = set()
        for engine in ENGINES:
            timed = per_engine[engine].get(name, [])
            if len(timed) != len(runs[engine]):
                raise BenchError(f"{engine} did not report {name!r} in every run")
            digests |= {q["digest"] for q in timed}
            entry[engine] = {
                "seconds_median": _median(q["seconds"] for q in timed),
                "seconds_all": [round(q["seconds"], 4) for q in timed],
                "cpu_seconds_median": _median(q["cpu_seconds"] for q in timed),
                "rows": timed[0]["rows"],
            }
        if len(digests) != 1:
            counts = ", ".join(f"{engine} {entry[engine]['rows']:,}" for engine in ENGINES)
            problems.append(f"{name}: rows differ between runs or engines ({counts})")
        eco, raw = entry[ECOGRAPH], entry[BASELINE]
        entry["rows"] = eco["rows"]
        entry["rows_equal"] = len(digests) == 1
        entry["ratio"] = eco["seconds_median"] / raw["seconds_median"]
        entry["cpu_ratio"] = (
            eco["cpu_seconds_median"] / raw["cpu_seconds_median"]
            if raw["cpu_seconds_median"] > 0
            else None
        )
        entry["under_target"] = eco["seconds_median"] < SECONDS_TARGET
        if rdflib is not None:
            entry[RDFLIB] = _rdflib_entry(rdflib_queries.get(name), digests)
        summary[name] = entry
    return summary, problems


def _rdflib_entry(query: dict[str, Any] | None, digests: set[str]) -> dict[str, Any]:
    """rdflib's outcome for one query: finished (median, rows, same rows?) or not."""
    if query is None:
        return {"status": "not run"}
    if not query["finished"]:
        return {"status": "timeout", "seconds_all": [round(r["seconds"], 3) for r in query["runs"]]}
    return {
        "status": "ok",
        "seconds_median": _median(r["seconds"] for r in query["runs"]),
        "seconds_all": [round(r["seconds"], 3) for r in query["runs"]],
        "cpu_seconds_median": _median(r["cpu_seconds"] for r in query["runs"]),
        "rows": query["rows"],
        "rows_equal": query["digest"] in digests,
    }


def _bench(args: argparse.Namespace, console: Any) -> dict[str, Any]:
    """Workspace, snapshot, pyoxigraph engines, then rdflib; the whole result."""
    machine = _machine()
    with tempfile.TemporaryDirectory(prefix="ecograph-bench-queries-", dir=args.tmpdir) as tmp:
        work = Path(tmp)
        snapshot = work / "queries"
        queries = _snapshot_queries(args.query or [], snapshot)
        names = list(queries)
        build = None
        if args.store:
            store = Path(args.store)
        else:
            build = _build_workspace(args, work, console)
            store = work / "ws"
        inspected = _require(_spawn("inspect", args, store=store), "inspect")["done"]
        skipped = _skip_unanswerable(queries, snapshot, inspected["metrics"])
        for name, why in skipped.items():
            console.log(f"skipping {name}: {why}")
        names = [name for name in names if name not in skipped]
        if not names:
            raise BenchError("no library query can run on this workspace")
        runs, info = _run_engines(args, store, snapshot, names, console)
        rdflib = None if args.no_rdflib else _run_rdflib(args, store, snapshot, work, console)
    summary, problems = _summarise(names, runs, rdflib)
    actors = _actors_in(info.get("graphs", []), args.actors)
    busiest = max(e["other_cpus_busy"] for engine_runs in runs.values() for e in engine_runs)
    eco_total = sum(q[ECOGRAPH]["seconds_median"] for q in summary.values())
    raw_total = sum(q[BASELINE]["seconds_median"] for q in summary.values())
    over_ratio = [n for n, q in summary.items() if q["ratio"] > RATIO_TARGET]
    over_time = [n for n, q in summary.items() if not q["under_target"]]
    result = {
        "benchmark": "queries",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "parameters": {
            "actors": actors,
            "seed": args.seed,
            "repeat": args.repeat,
            "store": str(args.store) if args.store else None,
            "rdflib": not args.no_rdflib,
            "rdflib_limit": args.rdflib_limit,
            "rdflib_repeat": args.rdflib_repeat,
            "queries": names,
        },
        "machine": {**machine, "loadavg_end": [round(x, 2) for x in os.getloadavg()]},
        "store": {
            "quads": info.get("quads"),
            "graphs": info.get("graphs"),
            "open_seconds": _median(e["info"]["open_seconds"] for e in runs[ECOGRAPH]),
        },
        "build": build,
        "library": queries,
        "metrics_state": inspected["metrics"],
        "skipped": skipped,
        "queries": summary,
        "rows_problems": problems,
        "max_other_cpus_busy": busiest,
        "processes": {
            engine: [
                {
                    k: e[k]
                    for k in (
                        "process_wall_seconds",
                        "other_cpus_busy",
                        "loadavg_before",
                        "loadavg_after",
                    )
                }
                | {"peak_rss_mib": e["done"]["peak_rss_mib"]}
                for e in engine_runs
            ]
            for engine, engine_runs in runs.items()
        },
        "totals": {
            "ecograph_seconds": eco_total,
            "raw_seconds": raw_total,
            "ratio": eco_total / raw_total,
        },
        "targets": {
            "ratio_max": RATIO_TARGET,
            "seconds_max": SECONDS_TARGET,
            "ratio_ok": eco_total / raw_total <= RATIO_TARGET,
            "queries_over_ratio": over_ratio,
            "queries_over_seconds": over_time,
            "seconds_ok": not over_time,
        },
    }
    if rdflib is not None:
        result[RDFLIB] = {
            "dump": rdflib["dump"],
            "load": rdflib.get("load"),
            "exit": rdflib["exit"],
            "peak_rss_mib": rdflib.get("done", {}).get("peak_rss_mib"),
            "stderr": rdflib["stderr"] if rdflib["exit"] else "",
            "process_wall_seconds": rdflib["process_wall_seconds"],
            "other_cpus_busy": rdflib["other_cpus_busy"],
        }
    return result


def _rdflib_cell(entry: dict[str, Any] | None, limit: float) -> str:
    if entry is None:
        return "—"
    if entry["status"] == "timeout":
        return f"> {limit:g} s"
    if entry["status"] != "ok":
        return entry["status"]
    mark = "" if entry["rows_equal"] else f" ({entry['rows']:,} rows ≠)"
    return f"{entry['seconds_median']:.2f}{mark}"


def _seconds(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _report(result: dict[str, Any], console: Any) -> None:
    """The table, the two target lines, the machine line."""
    from rich.table import Table

    params, machine, targets = result["parameters"], result["machine"], result["targets"]
    limit = params["rdflib_limit"]
    start, end = machine["loadavg_start"], machine["loadavg_end"]
    table = Table(
        title=(
            f"Library queries — {params['actors']:,} actors, {result['store']['quads']:,} "
            f"quads, {params['repeat']} repeat(s), medians, after a warm-up run"
        ),
        caption=(
            f"{machine['cpus']} CPU · {machine['cpu_model']} · {machine['memory_gib']} GiB"
            f" · load average {start[0]:.2f} at start, {end[0]:.2f} at end · pyoxigraph "
            f"{machine['pyoxigraph']} · rdflib {machine['rdflib']} · "
            f"{result['when']}"
        ),
    )
    table.add_column("query", no_wrap=True)
    table.add_column("rows", justify="right")
    table.add_column("ecograph s", justify="right")
    table.add_column("raw s", justify="right")
    table.add_column("ecograph / raw", justify="right")
    table.add_column("ecograph CPU s", justify="right")
    table.add_column("raw CPU s", justify="right")
    table.add_column("CPU ratio", justify="right")
    table.add_column("rdflib s", justify="right")
    table.add_column(f"< {SECONDS_TARGET:g} s", justify="center")
    for name, entry in result["queries"].items():
        eco, raw = entry[ECOGRAPH], entry[BASELINE]
        ratio = f"{entry['ratio']:.2f}×"
        cpu_ratio = "" if entry["cpu_ratio"] is None else f"{entry['cpu_ratio']:.2f}×"
        table.add_row(
            name,
            f"{entry['rows']:,}",
            _seconds(eco["seconds_median"]),
            _seconds(raw["seconds_median"]),
            f"[red]{ratio}[/]" if entry["ratio"] > RATIO_TARGET else ratio,
            _seconds(eco["cpu_seconds_median"]),
            _seconds(raw["cpu_seconds_median"]),
            cpu_ratio,
            _rdflib_cell(entry.get(RDFLIB), limit),
            "PASS" if entry["under_target"] else "[red]FAIL[/]",
        )
    totals = result["totals"]
    eco_cpu = sum(q[ECOGRAPH]["cpu_seconds_median"] for q in result["queries"].values())
    raw_cpu = sum(q[BASELINE]["cpu_seconds_median"] for q in result["queries"].values())
    table.add_row(
        "[bold]all queries[/]",
        "",
        f"[bold]{_seconds(totals['ecograph_seconds'])}[/]",
        f"[bold]{_seconds(totals['raw_seconds'])}[/]",
        f"[bold]{totals['ratio']:.2f}×[/]",
        f"[bold]{_seconds(eco_cpu)}[/]",
        f"[bold]{_seconds(raw_cpu)}[/]",
        f"[bold]{eco_cpu / raw_cpu:.2f}×[/]" if raw_cpu else "",
        "",
        "",
        end_section=True,
    )
    console.print(table)
    count = len(result["queries"])
    over = targets["queries_over_ratio"]
    ratio_ok = targets["ratio_ok"]
    console.print(
        f"[{'bold green' if ratio_ok else 'bold red'}]{'PASS' if ratio_ok else 'FAIL'}[/] — "
        f"ecograph {totals['ratio']:.2f}× raw pyoxigraph over all queries (target ≤ "
        f"{RATIO_TARGET}×; CPU time {eco_cpu / raw_cpu:.2f}×); {count - len(over)}/{count} "
        f"queries within {RATIO_TARGET}× on their own"
        + (f" (over: {', '.join(over)})" if over else "")
    )
    slow = targets["queries_over_seconds"]
    cpu_under = sum(
        1 for q in result["queries"].values() if q[ECOGRAPH]["cpu_seconds_median"] < SECONDS_TARGET
    )
    seconds_ok = targets["seconds_ok"]
    console.print(
        f"[{'bold green' if seconds_ok else 'bold red'}]{'PASS' if seconds_ok else 'FAIL'}[/] — "
        f"{count - len(slow)}/{count} queries under {SECONDS_TARGET:g} s on the on-disk store"
        + (f" (over: {', '.join(slow)})" if slow else "")
        + f"; by CPU time {cpu_under}/{count}"
        + (
            ""
            if params["actors"] >= 100_000
            else " [yellow](the target is stated at 100,000 actors; "
            f"this is {params['actors']:,})[/]"
        )
    )
    rdflib = result.get(RDFLIB)
    if rdflib is not None:
        load = rdflib.get("load")
        if load is None:
            console.print(
                f"rdflib: the process died before loading (exit {rdflib['exit']}): "
                f"{rdflib['stderr'].strip().splitlines()[-1:]}"
            )
        elif not load["finished"]:
            console.print(
                f"rdflib: did not load the data within {load['seconds']:.0f} s "
                f"(peak {load['peak_rss_mib']:,.0f} MiB); no rdflib times"
            )
        else:
            timeouts = sum(
                1 for q in result["queries"].values() if q[RDFLIB]["status"] == "timeout"
            )
            peak = rdflib["peak_rss_mib"] or load["peak_rss_mib"]
            console.print(
                f"rdflib: loaded {load['quads']:,} quads in {load['seconds']:.1f} s "
                f"(CPU {load['cpu_seconds']:.1f} s), peak {peak:,.0f} MiB; "
                f"{timeouts}/{count} queries over {limit:g} s"
                + (f"; exit {rdflib['exit']}" if rdflib["exit"] else "")
            )
    console.print(
        f"Machine: {machine['cpus']} CPUs, {machine['cpu_model']}, "
        f"{machine['memory_gib']} GiB; load average {'/'.join(map(str, start))} at "
        f"start, {'/'.join(map(str, end))} at end; other processes kept up to "
        f"{result['max_other_cpus_busy']:.2f} CPU busy during an engine run."
    )
    for name, why in result.get("skipped", {}).items():
        console.print(f"[yellow]Not run:[/] {name} — {why}")
    if result["max_other_cpus_busy"] > CONTENDED_CPUS:
        console.print(
            f"[yellow]Warning:[/] other processes (or the hypervisor) kept up to "
            f"{result['max_other_cpus_busy']:.2f} of {machine['cpus']} CPUs busy "
            "during the runs: wall times are inflated and noisy, and small queries' "
            "ratios are noise. Compare the CPU columns, or rerun on a quiet machine."
        )
    if params["repeat"] < 3:
        console.print(
            "[yellow]Note:[/] fewer than 3 runs per engine: use --repeat 3 or more "
            "before concluding from a ratio."
        )
    if result["rows_problems"]:
        console.print("[bold red]Rows differ:[/] " + "; ".join(result["rows_problems"]))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Time every library query on ecograph's embedded store against raw "
        "pyoxigraph and rdflib's in-memory store, on a synthetic ecosystem."
    )
    parser.add_argument(
        "--actors",
        type=int,
        default=100_000,
        help="actors in the generated ecosystem (default: 100000, ≈3.6M quads with territories)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default: 1)")
    parser.add_argument(
        "--store",
        default=None,
        help="reuse this workspace instead of generating one (opened read-only)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="processes per pyoxigraph engine, alternating order; medians (default: 3)",
    )
    parser.add_argument(
        "--query",
        action="append",
        metavar="NAME",
        help="run only this library query (repeatable; default: all)",
    )
    parser.add_argument("--no-rdflib", action="store_true", help="skip rdflib")
    parser.add_argument(
        "--rdflib-limit",
        type=float,
        default=RDFLIB_LIMIT,
        help="seconds rdflib gets per query run (default: 60)",
    )
    parser.add_argument(
        "--rdflib-load-limit",
        type=float,
        default=RDFLIB_LOAD_LIMIT,
        help="seconds rdflib gets to parse the data (default: 900)",
    )
    parser.add_argument(
        "--rdflib-repeat",
        type=int,
        default=1,
        help="timed rdflib runs per query after its warm-up (default: 1)",
    )
    parser.add_argument(
        "--tmpdir",
        default=None,
        help="where to put the workspace and dump (default: system temp dir)",
    )
    parser.add_argument(
        "--report",
        metavar="JSON",
        default=None,
        help="print the table of a result written earlier, and exit",
    )
    parser.add_argument(
        "--json",
        default=None,
        help="where to write the result (default: bench/results/queries-<actors>.json)",
    )
    # Internal: how the parent asks a fresh interpreter to run one step.
    parser.add_argument(
        "--child", choices=(*ENGINES, RDFLIB, "dump", "build", "inspect"), help=argparse.SUPPRESS
    )
    parser.add_argument("--snapshot", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 unless a step failed or the engines disagree on rows."""
    args = _parser().parse_args(argv)
    if args.child:
        _run_child(args)
        return 0
    if args.report:
        from rich.console import Console

        _report(json.loads(Path(args.report).read_text(encoding="utf-8")), Console(width=160))
        return 0
    if args.actors < 1 or args.repeat < 1 or args.rdflib_repeat < 1:
        _parser().error("--actors, --repeat and --rdflib-repeat must be at least 1")
    if args.store and not (Path(args.store) / "ecograph.json").is_file():
        _parser().error(f"--store {args.store}: no ecograph workspace there (no ecograph.json)")
    sys.path.insert(0, str(SRC))
    from rich.console import Console

    console = Console()
    if not console.is_terminal:  # piped to a file or a log: don't squeeze the table
        console = Console(width=160)
    try:
        result = _bench(args, console)
    except BenchError as err:
        console.print(f"[bold red]BENCHMARK ERROR[/] {err}")
        return 1
    _report(result, console)
    out = (
        Path(args.json)
        if args.json
        else (RESULTS_DIR / f"queries-{result['parameters']['actors']}.json")
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    console.print(f"Result written to {out}")
    if result["rows_problems"]:
        console.print("[bold red]BENCHMARK ERROR[/] ecograph and raw pyoxigraph disagree")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
