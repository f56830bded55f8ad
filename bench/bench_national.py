"""National benchmark: the French social economy, generated in the real file layouts, through
ecograph on one machine — import, metrics, gaps, a département's report, an EPCI's map and
every library query — each step timed, with its peak memory and the store's size.

    python bench/bench_national.py                 # 1.5 M RNA rows, 200k SIRENE units, 2 M grants
    python bench/bench_national.py --scale 0.01    # 1 %: 15k, 2k, 20k (what the test runs)
    python bench/bench_national.py --scale 0.25 --workdir /tmp/national --keep

What it generates (``ecograph.sample``; nothing in it is real but the territories and the
authorities' names): an RNA waldec file of ``1.5 M × scale`` associations over France
(``registers.write_rna_file``), INSEE's two SIRENE stock files of ``200k × scale`` units
(``registers.write_sirene_files``) and ``2 M × scale`` grants in one SCDL file per publishing
authority — the 101 département councils, the 18 régions and the largest commune of each
département — whose beneficiaries are actors of those registers, by SIRET or RNA number
(``sample.scdl.write_scdl_files``).

The steps, each in a fresh process (its own memory; one that fails, runs out of time or
passes ``--memory-limit-gib`` is killed and reported as such, and the run goes on):

1. **import** — a new embedded workspace: ontology and schemes, territories, then the RNA file,
   the SIRENE unit file, the SIRENE establishment file and every SCDL file, with
   ``ecograph.ingest.importer.import_file`` — the function ``ecograph import`` calls, with its
   defaults (domain inference on); the metrics are left to step 2 (``--no-metrics``), as a user
   importing many files would;
2. ``ecograph metrics`` (whole ecosystem; writes the metrics graph the library reads);
3. ``ecograph gaps`` (whole ecosystem);
4. ``ecograph report --territory DEPARTEMENT``;
5. ``ecograph map --territory epci/EPCI``;
6. every library query (``queries/*.rq``) through ``ecograph.queries.run_query`` on the store
   opened read-only: with ``territory`` bound to the département, then to the commune (queries
   without a ``territory`` parameter run once, with their header's examples); as in
   ``bench_queries.py`` each runs once untimed (warm-up) and once timed.

Steps 2–5 run the ``ecograph`` command itself (``python -m ecograph``). **Peak memory** is the
largest sum of resident memory of the step's process and all its descendants, sampled every
0.2 s from ``/proc``, or the step's own high-water mark when larger. **CPU** is the step's and
its children's user + system time (``wait4``). **Store size** is the workspace folder on disk
after the step. The parent says how many CPUs other processes kept busy during each step
(``/proc/stat``): the machine is a shared 2-core one.

**Baseline** (house rule: ratios against a baseline measured in the same run): after the
steps, the whole store is dumped as N-Quads and bulk-loaded into a new raw ``pyoxigraph.Store``
(one ``bulk_load`` + ``flush``); the import is given as a multiple of that load. Each step's time
is also given per 1,000 actors in the store. ``--no-baseline`` skips the raw load.

**Targets:** end to end (steps 1–6) under 30 min; peak memory under 8 GiB; every library query
on one département under 2 s; one département's report under 30 s.

**Checks** (``BENCHMARK ERROR`` and exit status 1 when one fails, after the table): every row
of every generated file is read and none refused; the RNA import keeps exactly the active
associations (one per RNA number) and the SIRENE import the publicly listed units; each SCDL
file lands as many funding partnerships as it has grants, and creates no actor (every funder
is a territory's authority, every beneficiary an actor the registers brought); the store
then holds as many funding partnerships as grants were written. A step that fails is an error
too; a missed target is not (it is the measurement).

Results are printed and written to ``bench/results/national-<scale>.json``; ``--report FILE``
prints a saved result again.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from measure import RESULTS_DIR, SRC, busy_cpu_seconds, machine

#: National sizes at scale 1.0.
RNA_ROWS = 1_500_000
SIRENE_UNITS = 200_000
GRANTS = 2_000_000
#: Targets of issue 17.
END_TO_END_TARGET_S = 30 * 60
PEAK_TARGET_MIB = 8 * 1024
QUERY_TARGET_S = 2.0
REPORT_TARGET_S = 30.0
#: Every how many seconds the memory of a step's processes is sampled.
SAMPLE_EVERY = 0.2

GiB = 1024


# ============================================================================ child side
# A child prints one JSON object per line ("event": ...); the parent keeps the last of each
# kind, and every "part" and "query" event.


def _emit(event: str, **payload: Any) -> None:
    print(json.dumps({"event": event, **payload}), flush=True)


def _own_peak_mib() -> float:
    """This process's high-water resident memory (VmHWM), which a child does not inherit."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def child_generate(work: Path, scale: float, seed: int, communes: int) -> None:
    """Write the registers and the SCDL files, and the manifest of what they hold."""
    from ecograph.sample.registers import write_rna_file, write_sirene_files
    from ecograph.sample.scdl import read_beneficiaries, write_scdl_files

    inputs = work / "inputs"
    if inputs.exists():
        shutil.rmtree(inputs)
    (inputs / "scdl").mkdir(parents=True)
    rna_rows, units, grants = _sizes(scale)
    started = time.perf_counter()
    rna = inputs / "rna_waldec_20251201_national.csv"
    write_rna_file(rna, rna_rows, seed=seed)
    units_path, sites_path = write_sirene_files(inputs, units, seed=seed)
    beneficiaries = read_beneficiaries(rna=rna, units=units_path, establishments=sites_path)
    files = write_scdl_files(
        inputs / "scdl",
        grants,
        seed=seed,
        beneficiaries=beneficiaries,
        communes_per_departement=communes,
    )
    manifest = {
        "rna": {"path": str(rna), **_expected_rna(rna)},
        "units": {"path": str(units_path), **_expected_sirene(units_path, "Unite")},
        "establishments": {"path": str(sites_path), **_expected_sirene(sites_path, "Etab")},
        "scdl": [
            {
                "path": str(f.path),
                "publisher": f.publisher.name,
                "level": f.publisher.level,
                "layout": f.layout,
                "grants": f.grants,
            }
            for f in files
        ],
        "beneficiaries": len(beneficiaries),
        "bytes": sum(p.stat().st_size for p in inputs.rglob("*") if p.is_file()),
    }
    (work / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    _emit(
        "done",
        seconds=time.perf_counter() - started,
        cpu=_cpu(),
        peak_mib=_own_peak_mib(),
        files=2 + 1 + len(files),
        grants=sum(f.grants for f in files),
    )


def _sizes(scale: float) -> tuple[int, int, int]:
    return (
        max(1, round(RNA_ROWS * scale)),
        max(1, round(SIRENE_UNITS * scale)),
        max(1, round(GRANTS * scale)),
    )


def _expected_rna(path: Path) -> dict[str, int]:
    """What the RNA import must report, read from the file independently of the importer:
    rows, and the associations it keeps (active, first row of each RNA number)."""
    import csv

    rows = 0
    kept: dict[str, str] = {}
    with path.open(encoding="cp1252", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        columns = next(reader)
        number, position, dissolved, siret = (
            columns.index(c) for c in ("id", "position", "date_disso", "siret")
        )
        for cells in reader:
            rows += 1
            if cells[position] == "A" and cells[dissolved] in ("", "0001-01-01"):
                kept.setdefault(cells[number], cells[siret][:9])
    sirens = [siren for siren in kept.values() if siren]
    # two associations the generator gave the same random SIREN are one actor to the importer
    return {"rows": rows, "actors": len(kept), "shared_sirens": len(sirens) - len(set(sirens))}


def _expected_sirene(path: Path, kind: str) -> dict[str, int]:
    """Rows of a SIRENE stock file, and those publicly listed (statutDiffusion O), which the
    import keeps (partially diffusible ones, shown as [ND], are skipped)."""
    import csv

    column = "statutDiffusionUniteLegale" if kind == "Unite" else "statutDiffusionEtablissement"
    rows = listed = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows += 1
            listed += row[column] == "O"
    return {"rows": rows, "listed": listed}


def child_import(work: Path) -> None:
    """Ontology, territories, registers and every SCDL file into a new workspace, with the
    functions ``ecograph init``, ``territories`` and ``import`` call; one event per part."""
    from ecograph.ingest.importer import import_file
    from ecograph.ingest.territories import load_territories
    from ecograph.ontology import load_ontology
    from ecograph.store import open_store

    manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
    workspace = work / "ws"
    if workspace.exists():
        shutil.rmtree(workspace)
    started = time.perf_counter()
    with open_store(workspace) as store:
        clock = _Clock()
        load_ontology(store)
        load_territories(store)
        clock.part("ontology + territories")
        for name in ("rna", "units", "establishments"):
            result = import_file(store, Path(manifest[name]["path"]))
            clock.part(name, counts=result.counts, status=result.status)
        totals: dict[str, int] = {}
        per_file = []
        for number, entry in enumerate(manifest["scdl"], 1):
            file_started = time.perf_counter()
            result = import_file(store, Path(entry["path"]), format="scdl")
            counts = result.counts
            _emit(
                "file",
                number=number,
                of=len(manifest["scdl"]),
                seconds=time.perf_counter() - file_started,
                rows=counts.get("rowsRead", 0),
            )
            per_file.append({"file": Path(entry["path"]).name, "status": result.status, **counts})
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
        clock.part("scdl", counts=totals, files=per_file)
        import_seconds = time.perf_counter() - started
        import_cpu = _cpu()
        peak = _own_peak_mib()
        # Checks, after the clock: what the store now holds.
        found = {
            "actors": _count(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a eg:Actor }"),
            "funding": _count(
                store,
                "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p eg:funder ?f ; eg:beneficiary ?b }",
            ),
            "quads": len(store),
        }
    _emit(
        "done",
        seconds=import_seconds,
        cpu=import_cpu,
        peak_mib=peak,
        store=found,
    )


class _Clock:
    """Times the parts of the import, each emitted as it ends."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), _cpu()

    def part(self, name: str, **details: Any) -> None:
        wall, cpu = time.perf_counter(), _cpu()
        _emit(
            "part",
            name=name,
            seconds=wall - self.wall,
            cpu=cpu - self.cpu,
            peak_mib=_own_peak_mib(),
            **details,
        )
        self.wall, self.cpu = wall, cpu


def _count(store: Any, query: str) -> int:
    return int(store.select_values(query)[0][0])


def child_queries(work: Path, departement: str, commune: str) -> None:
    """Every library query, on the store opened read-only: territory queries for the
    département then the commune, the others once; warm-up, then one timed run."""
    from ecograph.queries import load_catalogue, run_query
    from ecograph.store import open_store

    catalogue = load_catalogue()
    store = open_store(work / "ws", read_only=True, create=False)
    try:
        for territory in (departement, commune):
            for name, query in catalogue.items():
                names = {p.name for p in query.parameters}
                if "territory" not in names and territory == commune:
                    continue  # nothing of it depends on the territory: timed once
                values = {p.name: p.example for p in query.parameters}
                where = "—"
                if "territory" in names:
                    values["territory"] = territory
                    where = territory
                first_started = time.perf_counter()
                run_query(store, query, values)  # warm-up
                first = time.perf_counter() - first_started
                cpu, started = _cpu(), time.perf_counter()
                result = run_query(store, query, values)
                _emit(
                    "query",
                    name=name,
                    territory=where,
                    seconds=time.perf_counter() - started,
                    cpu=_cpu() - cpu,
                    first_seconds=first,
                    rows=len(result.rows),
                )
    finally:
        store.close()
    _emit("done", peak_mib=_own_peak_mib())


def child_baseline(work: Path) -> None:
    """The whole store dumped as N-Quads, then bulk-loaded into a new raw pyoxigraph store:
    what loading the same quads costs with nothing of ecograph's around it."""
    import pyoxigraph as ox

    from ecograph.store import open_store

    dump = work / "baseline.nq"
    started = time.perf_counter()
    with open_store(work / "ws", read_only=True, create=False) as store, dump.open("wb") as out:
        store.dump(out, format=ox.RdfFormat.N_QUADS)
    dumped = time.perf_counter() - started
    raw_dir = work / "raw"
    if raw_dir.exists():
        shutil.rmtree(raw_dir)
    cpu, started = _cpu(), time.perf_counter()
    raw = ox.Store(str(raw_dir))
    raw.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    raw.flush()
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    quads = len(raw)
    del raw
    size = _folder_bytes(raw_dir)
    dump_bytes = dump.stat().st_size
    dump.unlink()
    shutil.rmtree(raw_dir, ignore_errors=True)
    _emit(
        "done",
        seconds=seconds,
        cpu=cpu,
        dump_seconds=dumped,
        dump_bytes=dump_bytes,
        quads=quads,
        store_bytes=size,
        peak_mib=_own_peak_mib(),
    )


# ============================================================================ parent side


@dataclass
class Step:
    """What running one step measured."""

    name: str
    status: str = "ok"  # ok | failed | killed (memory) | timeout | not run
    wall: float = 0.0
    cpu: float = 0.0
    peak_mib: float = 0.0
    others_cpus: float = 0.0
    store_bytes: int | None = None
    events: dict[str, Any] = field(default_factory=dict)
    stderr: str = ""
    note: str = ""


def _folder_bytes(folder: Path) -> int:
    """Bytes the files of a folder take on disk."""
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total


def _tree_rss_mib(root: int) -> tuple[float, float]:
    """(sum of VmRSS, largest VmHWM) over ``root`` and every process descending from it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total = high = 0.0
    pending = [root]
    while pending:
        pid = pending.pop()
        pending.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) / 1024
                    elif line.startswith("VmHWM:"):
                        high = max(high, int(line.split()[1]) / 1024)
        except OSError:
            continue
    return total, high


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    env.setdefault("COLUMNS", "160")
    return env


def run_step(
    name: str,
    command: list[str],
    *,
    limit_mib: float,
    timeout: float,
    log: Path,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    store: Path | None = None,
) -> Step:
    """Run ``command`` in its own process group, sampling its processes' memory; kill it when
    it passes ``limit_mib`` or ``timeout``. JSON lines on its stdout are events."""
    step = Step(name)
    busy, started = busy_cpu_seconds(), time.perf_counter()
    with log.open("a", encoding="utf-8") as errors:
        errors.write(f"\n===== {name}: {' '.join(command)}\n")
        errors.flush()
        child = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=_child_env(),
            start_new_session=True,
        )
        stop = threading.Event()
        peak = [0.0, 0.0]
        verdict: list[str] = []

        def watch() -> None:
            while not stop.wait(SAMPLE_EVERY):
                rss, high = _tree_rss_mib(child.pid)
                peak[0], peak[1] = max(peak[0], rss), max(peak[1], high)
                over_memory = peak[0] > limit_mib
                if over_memory or time.perf_counter() - started > timeout:
                    verdict.append("killed (memory)" if over_memory else "timeout")
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(child.pid, signal.SIGKILL)
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        assert child.stdout is not None
        for line in child.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # the command's own output
            if not isinstance(event, dict) or "event" not in event:
                continue
            kind = event.pop("event")
            if on_event is not None:
                on_event({"event": kind, **event})
            if kind in ("part", "query", "file"):
                step.events.setdefault(kind, []).append(event)
            else:
                step.events[kind] = event
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        watcher.join()
    step.wall = time.perf_counter() - started
    step.cpu = usage.ru_utime + usage.ru_stime
    reported = step.events.get("done", {}).get("peak_mib", 0.0)
    step.peak_mib = max(peak[0], peak[1], reported)
    step.others_cpus = max(0.0, (busy_cpu_seconds() - busy - step.cpu) / step.wall)
    if verdict:
        step.status = verdict[0]
        step.note = (
            f"over {limit_mib / GiB:g} GiB" if verdict[0].startswith("killed") else "too long"
        )
    elif child.returncode != 0:
        step.status = "failed"
        step.note = f"exit {child.returncode}"
    if store is not None and store.exists():
        step.store_bytes = _folder_bytes(store)
    if step.status != "ok":
        step.stderr = _tail(log)
    return step


def _tail(log: Path, size: int = 3000) -> str:
    text = log.read_text(encoding="utf-8", errors="replace")
    return text[-size:]


def _self(child: str, work: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        child,
        "--workdir",
        str(work),
        *extra,
    ]


def _cli(work: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "ecograph", "--store", str(work / "ws"), *args]


def bench(args: argparse.Namespace, console: Any) -> dict[str, Any]:
    """Generate, run every step, check the counts; the result as plain data."""
    work: Path = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    log = work / "steps.log"
    log.write_text("", encoding="utf-8")
    limit = args.memory_limit_gib * GiB
    steps: dict[str, Step] = {}
    errors: list[str] = []

    def step(name: str, command: list[str], **options: Any) -> Step:
        console.log(f"{name}…")
        done = run_step(
            name, command, limit_mib=limit, timeout=args.step_timeout, log=log, **options
        )
        steps[name] = done
        console.log(
            f"{name}: {done.status}, {done.wall:,.1f} s, CPU {done.cpu:,.1f} s, "
            f"peak {done.peak_mib:,.0f} MiB"
            + (f", store {done.store_bytes / 2**30:.2f} GiB" if done.store_bytes else "")
        )
        if done.status != "ok":
            errors.append(f"step {name}: {done.status} ({done.note})\n{done.stderr}")
        return done

    def progress(event: dict[str, Any]) -> None:
        if event["event"] == "file" and (event["number"] % 20 == 0 or event["number"] == 1):
            console.log(
                f"  import scdl file {event['number']}/{event['of']}: {event['rows']:,} rows "
                f"in {event['seconds']:,.1f} s"
            )
        if event["event"] == "part":
            console.log(
                f"  import {event['name']}: {event['seconds']:,.1f} s, "
                f"peak so far {event['peak_mib']:,.0f} MiB"
            )

    generated = step(
        "generate",
        _self(
            "generate",
            work,
            "--scale",
            str(args.scale),
            "--seed",
            str(args.seed),
            "--communes-per-departement",
            str(args.communes_per_departement),
        ),
    )
    if generated.status != "ok":
        return _result(args, steps, {}, errors)
    manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
    imported = step("import", _self("import", work), on_event=progress, store=work / "ws")
    if imported.status == "ok":
        errors += _check_import(manifest, imported)
        step(
            "metrics",
            _cli(work, "metrics", "--format", "json", "--out", str(work / "metrics")),
            store=work / "ws",
        )
        step("gaps", _cli(work, "gaps", "--format", "json", "--out", str(work / "gaps")))
        step(
            "report",
            _cli(
                work, "report", "--territory", args.departement, "--out", str(work / "report.html")
            ),
        )
        step(
            "map",
            _cli(work, "map", "--territory", f"epci/{args.epci}", "--out", str(work / "map.html")),
        )
        step(
            "queries",
            _self("queries", work, "--departement", args.departement, "--commune", args.commune),
        )
        if not args.no_baseline:
            step("baseline", _self("baseline", work))
    else:
        for name in ("metrics", "gaps", "report", "map", "queries"):
            steps[name] = Step(name, status="not run", note="the import failed")
    return _result(args, steps, manifest, errors)


def _check_import(manifest: dict[str, Any], imported: Step) -> list[str]:
    """Every count the import reports against what was generated."""
    problems: list[str] = []
    parts = {p["name"]: p for p in imported.events.get("part", [])}

    def expect(what: str, found: Any, wanted: Any) -> None:
        if found != wanted:
            problems.append(f"{what}: {found:,} where {wanted:,} were generated")

    rna, units, sites = manifest["rna"], manifest["units"], manifest["establishments"]
    for name, expected in (("rna", rna), ("units", units), ("establishments", sites)):
        counts = parts.get(name, {}).get("counts", {})
        expect(f"{name} rows read", counts.get("rowsRead"), expected["rows"])
        expect(f"{name} rows refused", counts.get("rowsRejected"), 0)
    counts = parts["rna"]["counts"]
    kept = counts["actorsCreated"] + counts["actorsMerged"]
    if not rna["actors"] - rna.get("shared_sirens", 0) <= kept <= rna["actors"]:
        problems.append(
            f"RNA associations kept (created + merged): {kept:,} where {rna['actors']:,} active "
            f"ones were generated ({rna.get('shared_sirens', 0)} sharing a SIREN)"
        )
    counts = parts["units"]["counts"]
    expect(
        "SIRENE units kept (created + merged)",
        counts["actorsCreated"] + counts["actorsMerged"],
        units["listed"],
    )
    expect(
        "SIRENE establishments kept",
        parts["establishments"]["counts"]["rowsImported"],
        sites["listed"],
    )
    grants = sum(f["grants"] for f in manifest["scdl"])
    files = {Path(f["path"]).name: f for f in manifest["scdl"]}
    for entry in parts["scdl"]["files"]:
        wanted = files[entry["file"]]["grants"]
        if (entry["rowsRead"], entry["rowsRejected"], entry["partnerships"]) != (wanted, 0, wanted):
            problems.append(
                f"{entry['file']}: {entry['rowsRead']:,} rows read, {entry['rowsRejected']:,} "
                f"refused, {entry['partnerships']:,} grants landed; {wanted:,} were written"
            )
        if entry["actorsCreated"]:
            problems.append(
                f"{entry['file']}: {entry['actorsCreated']:,} actors created; every funder and "
                "beneficiary should join an actor already in the store"
            )
    expect("SCDL files imported", len(parts["scdl"]["files"]), len(files))
    expect("funding partnerships in the store", imported.events["done"]["store"]["funding"], grants)
    return problems


def _result(
    args: argparse.Namespace, steps: dict[str, Step], manifest: dict[str, Any], errors: list[str]
) -> dict[str, Any]:
    rna_rows, units, grants = _sizes(args.scale)
    return {
        "benchmark": "national",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "parameters": {
            "scale": args.scale,
            "seed": args.seed,
            "rna_rows": rna_rows,
            "sirene_units": units,
            "grants": grants,
            "departement": args.departement,
            "commune": args.commune,
            "epci": args.epci,
            "communes_per_departement": args.communes_per_departement,
            "memory_limit_gib": args.memory_limit_gib,
        },
        "inputs": {
            "files": 3 + len(manifest.get("scdl", [])),
            "scdl_files": len(manifest.get("scdl", [])),
            "beneficiaries": manifest.get("beneficiaries"),
            "bytes": manifest.get("bytes"),
        },
        "steps": {
            name: {
                "status": s.status,
                "wall": round(s.wall, 2),
                "cpu": round(s.cpu, 2),
                "peak_mib": round(s.peak_mib),
                "others_cpus": round(s.others_cpus, 2),
                "store_bytes": s.store_bytes,
                "note": s.note,
                "events": s.events,
            }
            for name, s in steps.items()
        },
        "errors": errors,
    }


def _machine() -> dict[str, Any]:
    import pyoxigraph

    return machine(pyoxigraph=pyoxigraph.__version__)


# ============================================================================ the table
#: The steps of the end-to-end time, in order (generation and the baseline are not).
PIPELINE = ("import", "metrics", "gaps", "report", "map", "queries")


def _verdict(ok: bool) -> str:
    return "[green]PASS[/]" if ok else "[bold red]FAIL[/]"


def _mib(value: float) -> str:
    return f"{value:,.0f}"


def report(result: dict[str, Any], console: Any) -> None:
    """The result as a table: one row per step (the import's parts and each query too)."""
    from rich.table import Table

    steps = dict(result["steps"])
    done = steps.get("import", {}).get("events", {}).get("done")
    if done:  # the import's own time, without the counts checked after it in its process
        steps["import"] = {**steps["import"], "wall": done["seconds"], "cpu": done["cpu"]}
    params = result["parameters"]
    actors = steps.get("import", {}).get("events", {}).get("done", {}).get("store", {})
    per_k = (actors.get("actors") or 0) / 1000
    title = (
        f"National benchmark, scale {params['scale']}: {params['rna_rows']:,} RNA rows, "
        f"{params['sirene_units']:,} SIRENE units, {params['grants']:,} grants in "
        f"{result['inputs']['scdl_files']} SCDL files"
    )
    table = Table(title=title)
    for column, justify in (
        ("step", "left"),
        ("wall s", "right"),
        ("CPU s", "right"),
        ("peak MiB", "right"),
        ("s / 1k actors", "right"),
        ("target", "left"),
        ("", "center"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]

    def row(
        name: str, entry: dict[str, Any], target: str = "", ok: bool | None = None, per: bool = True
    ) -> None:
        """A step's row; one that did not end well keeps what it measured until it stopped."""
        status = entry["status"]
        if status == "not run":
            table.add_row(name, "", "", "", "", target, f"NOT RUN ({entry['note']})")
            return
        per_actor = f"{entry['wall'] / per_k:.3f}" if per_k and per else ""
        verdict = "" if ok is None else _verdict(ok)
        if status != "ok":
            verdict = f"[bold red]{status.upper()}[/] {entry['note']}"
        table.add_row(
            name,
            f"{entry['wall']:,.1f}",
            f"{entry['cpu']:,.1f}",
            _mib(entry["peak_mib"]),
            per_actor,
            target,
            verdict,
        )

    if "generate" in steps:
        row("generate the inputs (not timed in the total)", steps["generate"], per=False)
    imported = steps.get("import")
    if imported:
        for cells in _import_parts(imported, result["inputs"]["scdl_files"]):
            table.add_row(*cells, "", "", "")
        row("1. import (total)", imported)
    for number, name in ((2, "metrics"), (3, "gaps")):
        if name in steps:
            row(f"{number}. ecograph {name}", steps[name])
    if "report" in steps:
        entry = steps["report"]
        row(
            f"4. ecograph report --territory {params['departement']}",
            entry,
            f"< {REPORT_TARGET_S:.0f} s",
            entry["status"] == "ok" and entry["wall"] < REPORT_TARGET_S,
        )
    if "map" in steps:
        row(f"5. ecograph map --territory epci/{params['epci']}", steps["map"])
    queries = steps.get("queries")
    query_ok = None
    if queries:
        if queries["status"] == "ok":
            query_ok = True
            for q in queries["events"].get("query", []):
                department = q["territory"] != params["commune"]
                ok = q["seconds"] < QUERY_TARGET_S if department else None
                query_ok = query_ok and (ok is not False)
                where = q["territory"] if q["territory"] != "—" else "whole store"
                table.add_row(
                    f"  query {q['name']} ({where}; {q['rows']:,} rows)",
                    f"{q['seconds']:.2f}",
                    f"{q['cpu']:.2f}",
                    "",
                    "",
                    f"< {QUERY_TARGET_S:.0f} s" if department else "",
                    "" if ok is None else _verdict(ok),
                )
        row("6. every library query (one process)", queries, "each < 2 s (département)", query_ok)
    done = [steps[n] for n in PIPELINE if n in steps]
    total = sum(s["wall"] for s in done)
    total_cpu = sum(s["cpu"] for s in done)
    all_ok = len(done) == len(PIPELINE) and all(s["status"] == "ok" for s in done)
    peak = max((s["peak_mib"] for s in done), default=0)
    table.add_row(
        "[bold]end to end (steps 1–6)[/]",
        f"[bold]{total:,.1f}[/]",
        f"{total_cpu:,.1f}",
        _mib(peak),
        f"{total / per_k:.3f}" if per_k else "",
        f"< {END_TO_END_TARGET_S // 60} min; peak < {PEAK_TARGET_MIB // GiB} GiB",
        _verdict(all_ok and total < END_TO_END_TARGET_S)
        + " "
        + _verdict(all_ok and peak < PEAK_TARGET_MIB),
    )
    baseline = steps.get("baseline")
    if baseline and baseline["status"] == "ok" and imported and imported["status"] == "ok":
        event = baseline["events"]["done"]
        # per quad: the raw load also holds the metrics graph, written after the import
        imported_quads = imported["events"]["done"]["store"]["quads"]
        ratio = (imported["wall"] / imported_quads) / (event["seconds"] / event["quads"])
        table.add_row(
            f"baseline: raw pyoxigraph bulk_load of the store's {event['quads']:,} quads",
            f"{event['seconds']:,.1f}",
            f"{event['cpu']:,.1f}",
            _mib(baseline["peak_mib"]),
            "",
            f"import: {ratio:.1f}× its time per quad",
            "",
        )
    elif baseline:
        row("baseline: raw pyoxigraph bulk_load", baseline)
    console.print(table)
    _summary(result, console)


def _import_parts(imported: dict[str, Any], scdl_files: int) -> list[tuple[str, ...]]:
    """The import's parts as table cells (label, wall, CPU, peak so far); the SCDL files
    imported before an import that did not finish, with their mean time, too."""
    labels = {
        "ontology + territories": "  import: ontology, territories",
        "rna": "  import: RNA",
        "units": "  import: SIRENE units",
        "establishments": "  import: SIRENE establishments",
    }
    found: list[tuple[str, ...]] = []
    for part in imported["events"].get("part", []):
        label = labels.get(part["name"], "")
        if part["name"] == "scdl":
            mean = part["seconds"] / max(1, scdl_files)
            label = f"  import: SCDL ({scdl_files} files, {mean:.1f} s a file)"
        found.append(
            (
                label,
                f"{part['seconds']:,.1f}",
                f"{part['cpu']:,.1f}",
                f"(≤ {part['peak_mib']:,.0f})",
            )
        )
    files = imported["events"].get("file", [])
    if files and imported["status"] != "ok":
        seconds = sum(f["seconds"] for f in files)
        found.append(
            (
                f"  import: SCDL, {len(files)} of {files[0]['of']} files before the stop "
                f"({seconds / len(files):.1f} s a file)",
                f"{seconds:,.1f}",
                "",
                "",
            )
        )
    return found


def _summary(result: dict[str, Any], console: Any) -> None:
    steps = result["steps"]
    store = steps.get("import", {}).get("events", {}).get("done", {}).get("store", {})
    sizes = []
    for name in ("import", "metrics"):
        size = steps.get(name, {}).get("store_bytes")
        if size:
            sizes.append(f"after {name} {size / 2**30:.2f} GiB")
    m = result["machine"]
    others = {n: s["others_cpus"] for n, s in steps.items() if s["status"] == "ok"}
    busiest = max(others.values(), default=0.0)
    lines = [
        f"Store: {store.get('quads', 0):,} quads, {store.get('actors', 0):,} actors, "
        f"{store.get('funding', 0):,} funding partnerships; on disk "
        + (", ".join(sizes) or "unknown"),
        f"Machine: {m['cpu_model']}, {m['cpus']} CPUs, {m['memory_gib']} GiB; load average at "
        f"the end {m['load_average']}; other processes kept up to {busiest:.2f} CPUs busy "
        f"during a step",
    ]
    if busiest > 0.25:
        lines.append(
            "[yellow]Warning:[/] other processes were busy during some steps: wall times are "
            "longer than on a quiet machine (CPU times move much less)."
        )
    for line in lines:
        console.print(line)


# ============================================================================ entry point


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="National benchmark: generate a French-size ecosystem in the real file "
        "layouts, then time import, metrics, gaps, report, map and every library query."
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="1.0: 1.5 M RNA associations, 200k SIRENE units, 2 M grants (default: 1.0)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default: 1)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where to write the inputs and the workspace (default: a temporary folder, removed)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--communes-per-departement",
        type=int,
        default=1,
        help="communes publishing their grants in each département, the most populous "
        "(default: 1; each file costs an import of its own)",
    )
    parser.add_argument("--departement", default="44", help="the report's and queries' département")
    parser.add_argument("--commune", default="44109", help="the queries' commune (default: Nantes)")
    parser.add_argument(
        "--epci", default="244400404", help="the map's EPCI SIREN (default: Nantes Métropole)"
    )
    parser.add_argument(
        "--memory-limit-gib",
        type=float,
        default=16.0,
        help="kill a step whose processes pass this much resident memory (default: 16)",
    )
    parser.add_argument(
        "--step-timeout",
        type=float,
        default=3 * 3600,
        help="kill a step after this many seconds (default: 10800)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the raw bulk load")
    parser.add_argument("--json", type=Path, default=None, help="where to write the result")
    parser.add_argument("--report", type=Path, default=None, help="print a saved result, exit")
    # Internal: how the parent asks a fresh interpreter to run one step.
    parser.add_argument(
        "--child", choices=("generate", "import", "queries", "baseline"), help=argparse.SUPPRESS
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 1 when a step failed or a count is wrong."""
    args = _parser().parse_args(argv)
    if args.child:
        sys.path.insert(0, str(SRC))
        if args.child == "generate":
            child_generate(args.workdir, args.scale, args.seed, args.communes_per_departement)
        elif args.child == "import":
            child_import(args.workdir)
        elif args.child == "queries":
            child_queries(args.workdir, args.departement, args.commune)
        else:
            child_baseline(args.workdir)
        return 0
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=180)
    if args.report:
        report(json.loads(args.report.read_text(encoding="utf-8")), console)
        return 0
    if args.scale <= 0:
        _parser().error("--scale must be above 0")
    temporary = args.workdir is None
    if temporary:
        args.workdir = Path(tempfile.mkdtemp(prefix="ecograph-national-"))
    try:
        result = bench(args, console)
    finally:
        if temporary and not args.keep:
            shutil.rmtree(args.workdir, ignore_errors=True)
    report(result, console)
    out = args.json or RESULTS_DIR / f"national-{args.scale:g}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    console.print(f"Result written to {out}")
    if result["errors"]:
        for error in result["errors"]:
            console.print(f"BENCHMARK ERROR {error}", style="bold red", markup=False)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
