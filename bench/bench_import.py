"""Benchmark: `ecograph import` of a generated actors + partnerships CSV set, against a raw
pyoxigraph bulk load of the same triples, in the same run.

    python bench/bench_import.py                       # 100,000 actors, 500,000 partnerships
    python bench/bench_import.py --actors 10000 --partnerships 50000

Steps, each timed: write the two CSV files (French style: ``;``, "12 500,00", 01/03/2019,
SIRENs for some actors); import actors.csv then partnerships.csv into a new workspace (the
conversion and the store write are timed apart, from the importer's progress calls); dump
the imported graphs as N-Triples; bulk-load that file into a new raw ``pyoxigraph.Store``.
Prints rows/s of the conversion alone and of the whole import, the ratio of the import's
write and of the whole import to the raw load, and the peak memory (max RSS) of the process.

    python bench/bench_import.py --rna 2000000        # the RNA register at national size

``--rna ROWS`` benchmarks the streamed import of a national RNA waldec file instead
(``ecograph.sample.registers.write_rna_file``: the real layout, synthetic values, cp1252,
10 % dissolved). Each step runs in a fresh process that reports its own peak RSS: **read** —
Python's ``csv`` reading the file, decoding each line (the floor for any streamed reader);
**import** — ``import_file`` of the file, split into conversion and store write, once with
the domain inference (the default) and once without (``infer_domains=False``); **raw** —
the imported graph dumped as N-Triples and bulk-loaded into a new ``pyoxigraph.Store`` in one
load. Prints rows/s, the ratios to both baselines, and each step's peak memory (target: the
import below 1 GiB).

    python bench/bench_import.py --sirene 1000000     # SIRENE stock: 1 M units, ~2 M sites

``--sirene UNITS`` benchmarks the streamed import of INSEE's two stock files
(``ecograph.sample.registers.write_sirene_files``: the real layouts, synthetic values, about
two establishments a unit) cut to one département as a territory's user would:
``import_file(StockUniteLegale_utf8.csv, filters=RowFilters(territory="44", ess_only=True,
active_only=True, establishments=StockEtablissement_utf8.csv))`` on a new store, in a fresh
process (its own peak RSS), against a **raw scan** of both files (Python's ``csv`` over each
line, in another process). Prints rows/s over the units and establishments read, the ratio to
the raw scan, the actors created and the import's peak memory (target: below 1 GiB).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from measure import busy_cpu_seconds
from rich.console import Console
from rich.table import Table

from ecograph.identifiers import luhn_valid
from ecograph.ingest.importer import import_file
from ecograph.store import open_store

TYPES = [
    "association",
    "Asso",
    "SCOP",
    "scic",
    "entreprise",
    "fondation",
    "collectif",
    "commune",
    "université",
    "réseau",
]
DOMAINS = [
    "santé",
    "logement",
    "alimentation",
    "emploi",
    "culture",
    "mobilité",
    "environnement",
    "éducation",
]
KINDS = [
    "subvention",
    "co-construction",
    "prestation",
    "marché public",
    "mécénat",
    "adhésion",
    "recherche",
]
COMMUNES = ["44109", "44143", "44162", "44184", "44190", "44020", "Saint-Nazaire (44)", "Rezé"]


def _siren(rng: random.Random) -> str:
    while True:
        candidate = f"{rng.randrange(300_000_000, 999_999_999)}"
        for digit in "0123456789":
            if luhn_valid(candidate[:8] + digit):
                return candidate[:8] + digit


def write_inputs(folder: Path, actors: int, partnerships: int, seed: int = 1) -> None:
    """actors.csv and partnerships.csv, deterministic for a seed."""
    rng = random.Random(seed)
    used: set[str] = set()
    with (folder / "actors.csv").open("w", encoding="utf-8") as out:
        out.write("id;nom;type;siren;commune;domaines;description\n")
        for i in range(actors):
            siren = ""
            while i % 3 == 0 and (not siren or siren in used):
                siren = _siren(rng)
            used.add(siren)
            out.write(
                f"A{i};Structure {i} de l'économie locale;{rng.choice(TYPES)};{siren};"
                f"{rng.choice(COMMUNES)};{rng.choice(DOMAINS)};Agit « ici » n°{i}\n"
            )
    with (folder / "partnerships.csv").open("w", encoding="utf-8") as out:
        out.write("id;type;financeur;beneficiaire;partenaires;date;montant;domaines\n")
        for i in range(partnerships):
            a, b = rng.randrange(actors), rng.randrange(actors - 1)
            b += b >= a
            kind = rng.choice(KINDS)
            date = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2015, 2025)}"
            if kind == "subvention":
                amount = f"{rng.randint(500, 90_000):,}".replace(",", " ") + ",00"
                out.write(f"T{i};{kind};A{a};A{b};;{date};{amount};{rng.choice(DOMAINS)}\n")
            else:
                out.write(f"T{i};{kind};;;A{a}|A{b};{date};;{rng.choice(DOMAINS)}\n")


def _max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(actors: int, partnerships: int, workdir: Path) -> list[tuple[str, str]]:
    started = time.perf_counter()
    write_inputs(workdir, actors, partnerships)
    generate_s = time.perf_counter() - started
    marks: dict[str, tuple[float, float]] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks.setdefault(stage, (time.perf_counter(), time.process_time()))

    results = {}
    with open_store(workdir / "ws") as store:
        for name in ("actors.csv", "partnerships.csv"):
            marks.clear()
            begin = (time.perf_counter(), time.process_time())
            result = import_file(
                store,
                workdir / name,
                progress=progress,
                rejects_path=workdir / f"{name}.rejects.csv",
            )
            end = (time.perf_counter(), time.process_time())
            results[name] = (result, begin, marks.get("writing", end), end)
        graphs = [r.graph for r, *_ in results.values()]
        dump = workdir / "imported.nt"
        with dump.open("wb") as handle:
            for graph in graphs:
                store.dump(handle, format=ox.RdfFormat.N_TRIPLES, graph=graph)
    triples = sum(r.counts["triples"] for r, *_ in results.values())
    raw_started, raw_cpu = time.perf_counter(), time.process_time()
    raw = ox.Store(str(workdir / "raw"))
    raw.bulk_load(path=str(dump), format=ox.RdfFormat.N_TRIPLES)
    raw.flush()
    raw_s, raw_cpu = time.perf_counter() - raw_started, time.process_time() - raw_cpu
    rows = sum(r.counts["rowsRead"] for r, *_ in results.values())

    def spent(first: int, last: int, clock: int) -> float:
        return sum(
            times[last][clock] - times[first][clock]
            for times in ([m[1], m[2], m[3]] for m in results.values())
        )

    convert_s, convert_cpu = spent(0, 1, 0), spent(0, 1, 1)
    write_s, write_cpu = spent(1, 2, 0), spent(1, 2, 1)
    total_s, total_cpu = spent(0, 2, 0), spent(0, 2, 1)
    return [
        (
            "input",
            f"{actors:,} actors + {partnerships:,} partnerships "
            f"({rows:,} rows, written in {generate_s:.1f} s)",
        ),
        ("triples written", f"{triples:,}"),
        (
            "conversion (read, check, merge, N-Triples)",
            f"{convert_s:.1f} s = {rows / convert_s:,.0f} rows/s "
            f"(CPU {convert_cpu:.1f} s = {rows / convert_cpu:,.0f} rows/s)",
        ),
        (
            "store write (bulk_load + provenance)",
            f"{write_s:.1f} s = {triples / write_s:,.0f} triples/s (CPU {write_cpu:.1f} s)",
        ),
        ("whole import", f"{total_s:.1f} s = {rows / total_s:,.0f} rows/s (CPU {total_cpu:.1f} s)"),
        (
            "raw pyoxigraph bulk_load of the same N-Triples",
            f"{raw_s:.1f} s = {triples / raw_s:,.0f} triples/s (CPU {raw_cpu:.1f} s)",
        ),
        (
            "ratio import / raw load",
            f"{total_s / raw_s:.2f}× wall, {total_cpu / raw_cpu:.2f}× "
            f"CPU (store write alone: {write_s / raw_s:.2f}× wall)",
        ),
        ("peak memory (max RSS of this process)", f"{_max_rss_mib():,.0f} MiB"),
    ]


SRC = Path(__file__).resolve().parents[1] / "src"
#: Put before every child's code: the child's own peak RSS. Not ``getrusage``'s ru_maxrss,
#: which a child started by ``subprocess`` inherits from the parent's RSS across exec (a
#: plain csv scan reported the parent's 98 MiB); VmHWM starts afresh with the new program.
_PEAK = """
def peak_mib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""
_READ = """
import csv, json, resource, sys, time
started, cpu = time.perf_counter(), time.process_time()
rows = []
for path in sys.argv[2:]:
    with open(path, "rb") as handle:
        def lines():
            for raw in handle:
                try:
                    yield raw.decode("utf-8")
                except UnicodeDecodeError:
                    yield raw.decode("cp1252", errors="replace")
        rows.append(sum(1 for cells in csv.reader(lines(), delimiter=sys.argv[1])) - 1)
print(json.dumps({"rows": rows, "s": time.perf_counter() - started,
    "cpu": time.process_time() - cpu,
    "peak": peak_mib()}))
"""
_IMPORT = """
import json, resource, sys, time
from pathlib import Path
import pyoxigraph as ox
from ecograph.ingest.importer import import_file
from ecograph.store import open_store
marks = {}
def progress(stage, done, total):
    marks.setdefault(stage, (time.perf_counter(), time.process_time()))
begin = (time.perf_counter(), time.process_time())
infer = sys.argv[4] == "infer"
with open_store(Path(sys.argv[2])) as store:
    result = import_file(store, Path(sys.argv[1]), progress=progress, infer_domains=infer)
    end = (time.perf_counter(), time.process_time())
    peak = peak_mib()
    inferred = store.select_values(
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a eg:inferredWorksOn ?d }")[0][0]
    if sys.argv[3]:
        with open(sys.argv[3], "wb") as out:
            store.dump(out, format=ox.RdfFormat.N_TRIPLES, graph=result.graph)
write = marks.get("writing", end)
print(json.dumps({"counts": result.counts, "peak": peak, "inferred": int(inferred),
    "convert_s": write[0] - begin[0], "convert_cpu": write[1] - begin[1],
    "write_s": end[0] - write[0], "write_cpu": end[1] - write[1],
    "s": end[0] - begin[0], "cpu": end[1] - begin[1]}))
"""
_RAW = """
import json, resource, sys, time
import pyoxigraph as ox
started, cpu = time.perf_counter(), time.process_time()
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
store.flush()
print(json.dumps({"s": time.perf_counter() - started, "cpu": time.process_time() - cpu,
    "peak": peak_mib()}))
"""

_SIRENE_IMPORT = """
import json, resource, sys, time
from pathlib import Path
from ecograph.ingest.importer import import_file
from ecograph.ingest.streamed import RowFilters
from ecograph.store import open_store
marks = {}
def progress(stage, done, total):
    marks.setdefault(stage, (time.perf_counter(), time.process_time()))
filters = RowFilters(territory="44", ess_only=True, active_only=True,
    establishments=Path(sys.argv[2]))
begin = (time.perf_counter(), time.process_time())
with open_store(Path(sys.argv[3])) as store:
    result = import_file(store, Path(sys.argv[1]), filters=filters, progress=progress)
    end = (time.perf_counter(), time.process_time())
convert, write = marks.get("converting", end), marks.get("writing", end)
print(json.dumps({"counts": result.counts, "status": result.status,
    "peak": peak_mib(),
    "seats_s": convert[0] - begin[0], "seats_cpu": convert[1] - begin[1],
    "convert_s": write[0] - convert[0], "convert_cpu": write[1] - convert[1],
    "write_s": end[0] - write[0], "write_cpu": end[1] - write[1],
    "s": end[0] - begin[0], "cpu": end[1] - begin[1]}))
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _child(code: str, *args: str) -> dict:
    """Run one step in a fresh Python process (its own peak RSS), and read its JSON line;
    ``others_cpus``: how many CPUs other processes kept busy meanwhile (``/proc/stat``)."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    busy, own, started = busy_cpu_seconds(), _children_cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK + code, *args], capture_output=True, text=True, env=env
    )
    if done.returncode:
        raise SystemExit(f"BENCHMARK ERROR: {done.stderr[-2000:]}")
    seconds = time.perf_counter() - started
    others = busy_cpu_seconds() - busy - (_children_cpu() - own)
    return {
        **json.loads(done.stdout.strip().splitlines()[-1]),
        "others_cpus": max(0.0, others / seconds),
    }


def run_rna(rows: int, workdir: Path) -> list[tuple[str, str]]:
    """The streamed import of a national-size RNA file against a plain csv read and a raw
    bulk load of the same triples, each in its own process."""
    from ecograph.sample.registers import write_rna_file

    path = workdir / "rna_waldec_national.csv"
    started = time.perf_counter()
    write_rna_file(path, rows)
    generate_s = time.perf_counter() - started
    read = _child(_READ, ";", str(path))
    if read["rows"] != [rows]:
        raise SystemExit(f"BENCHMARK ERROR: csv read {read['rows']} rows, wrote {rows}")
    dump = workdir / "imported.nt"
    imp = _child(_IMPORT, str(path), str(workdir / "ws"), str(dump), "infer")
    counts = imp["counts"]
    if counts["rowsRead"] != rows or counts["rowsRejected"]:
        raise SystemExit(f"BENCHMARK ERROR: import counts {counts}")
    plain = _child(_IMPORT, str(path), str(workdir / "ws-plain"), "", "no-infer")
    shutil.rmtree(workdir / "ws-plain", ignore_errors=True)
    raw = _child(_RAW, str(dump), str(workdir / "raw"))
    triples = counts["triples"]
    verdict = "PASS" if imp["peak"] < 1024 else "FAIL"
    return [
        (
            "input",
            f"{rows:,} RNA rows ({path.stat().st_size / 2**20:,.0f} MiB, written in "
            f"{generate_s:.1f} s); {counts['rowsImported']:,} imported, "
            f"{counts['rowsSkipped']:,} skipped (dissolved)",
        ),
        ("triples written", f"{triples:,}"),
        (
            "baseline: csv read of the file (decode + split)",
            f"{read['s']:.1f} s = {rows / read['s']:,.0f} rows/s, peak {read['peak']:,.0f} MiB",
        ),
        (
            "conversion (read, check, identify, N-Triples)",
            f"{imp['convert_s']:.1f} s = {rows / imp['convert_s']:,.0f} rows/s "
            f"(CPU {imp['convert_cpu']:.1f} s) = {imp['convert_s'] / read['s']:.1f}× the csv read",
        ),
        (
            "store write (bulk loads in parts + provenance)",
            f"{imp['write_s']:.1f} s = {triples / imp['write_s']:,.0f} triples/s "
            f"(CPU {imp['write_cpu']:.1f} s)",
        ),
        (
            "whole import",
            f"{imp['s']:.1f} s = {rows / imp['s']:,.0f} rows/s (CPU {imp['cpu']:.1f} s)",
        ),
        (
            "baseline: the same import without domain inference (--no-infer-domains)",
            f"{plain['s']:.1f} s (conversion {plain['convert_s']:.1f} s), "
            f"{plain['counts']['triples']:,} triples",
        ),
        (
            "domain inference (names and declared purposes, by the scheme's keyword rules)",
            f"{imp['inferred']:,} associations given a domain; conversion "
            f"{imp['convert_s'] / plain['convert_s']:.2f}×, whole import "
            f"{imp['s'] / plain['s']:.2f}× the import without it",
        ),
        (
            "baseline: raw bulk_load of the same N-Triples (one load)",
            f"{raw['s']:.1f} s = {triples / raw['s']:,.0f} triples/s, peak {raw['peak']:,.0f} MiB",
        ),
        (
            "ratio import / raw load",
            f"{imp['s'] / raw['s']:.2f}× wall (store write alone {imp['write_s'] / raw['s']:.2f}×)",
        ),
        (
            "peak memory of the import process",
            f"{imp['peak']:,.0f} MiB — {verdict} (target < 1024 MiB)",
        ),
    ]


def run_sirene(units: int, workdir: Path) -> list[tuple[str, str]]:
    """The streamed import of national-size SIRENE stock files, cut to Loire-Atlantique's
    active ESS units, against a plain csv scan of both files, each in its own process."""
    from ecograph.sample.registers import write_sirene_files

    started = time.perf_counter()
    units_path, sites_path = write_sirene_files(workdir, units)
    generate_s = time.perf_counter() - started
    scan = _child(_READ, ",", str(units_path), str(sites_path))
    if scan["rows"][0] != units:
        raise SystemExit(f"BENCHMARK ERROR: csv read {scan['rows'][0]} units, wrote {units}")
    sites = scan["rows"][1]
    rows = units + sites
    imp = _child(_SIRENE_IMPORT, str(units_path), str(sites_path), str(workdir / "ws"))
    counts = imp["counts"]
    if imp["status"] != "imported" or counts["rowsRead"] != units or counts["rowsRejected"]:
        raise SystemExit(f"BENCHMARK ERROR: import {imp['status']}, counts {counts}")
    if not 0 < counts["actorsCreated"] < units:
        raise SystemExit(f"BENCHMARK ERROR: {counts['actorsCreated']} actors created")
    verdict = "PASS" if imp["peak"] < 1024 else "FAIL"
    mib = 2**20
    return [
        (
            "input",
            f"{units:,} units + {sites:,} establishments = {rows:,} rows "
            f"({units_path.stat().st_size / mib:,.0f} + {sites_path.stat().st_size / mib:,.0f}"
            f" MiB, written in {generate_s:.1f} s)",
        ),
        (
            "kept (--territory 44 --ess-only --active-only)",
            f"{counts['actorsCreated']:,} actors created, {counts['rowsSkipped']:,} units "
            f"skipped; {counts['triples']:,} triples",
        ),
        (
            "baseline: raw csv scan of both files (decode + split)",
            f"{scan['s']:.1f} s = {rows / scan['s']:,.0f} rows/s (CPU {scan['cpu']:.1f} s), "
            f"peak {scan['peak']:,.0f} MiB",
        ),
        (
            "seats read (establishment file) + digest",
            f"{imp['seats_s']:.1f} s = {sites / imp['seats_s']:,.0f} rows/s "
            f"(CPU {imp['seats_cpu']:.1f} s)",
        ),
        (
            "unit file converted (filters, N-Triples)",
            f"{imp['convert_s']:.1f} s = {units / imp['convert_s']:,.0f} rows/s "
            f"(CPU {imp['convert_cpu']:.1f} s)",
        ),
        ("store write", f"{imp['write_s']:.1f} s (CPU {imp['write_cpu']:.1f} s)"),
        (
            "whole import",
            f"{imp['s']:.1f} s = {rows / imp['s']:,.0f} rows/s (CPU {imp['cpu']:.1f} s = "
            f"{rows / imp['cpu']:,.0f} rows/s)",
        ),
        (
            "ratio import / raw scan",
            f"{imp['s'] / scan['s']:.2f}× wall, {imp['cpu'] / scan['cpu']:.2f}× CPU",
        ),
        (
            "peak memory of the import process",
            f"{imp['peak']:,.0f} MiB — {verdict} (target < 1024 MiB)",
        ),
        (
            "other processes (CPUs busy: scan, import)",
            f"{scan['others_cpus']:.2f}, {imp['others_cpus']:.2f}",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--partnerships", type=int, default=500_000)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="Where to write inputs and stores (default: a temporary folder)",
    )
    parser.add_argument(
        "--rna",
        type=int,
        default=0,
        metavar="ROWS",
        help="Benchmark a national RNA file of ROWS lines instead (national size: 2000000)",
    )
    parser.add_argument(
        "--sirene",
        type=int,
        default=0,
        metavar="UNITS",
        help="Benchmark SIRENE stock files of UNITS units (about 2 establishments each) "
        "instead, cut to --territory 44 --ess-only --active-only (try 1000000)",
    )
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ecograph-bench-import-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        if args.sirene:
            rows = run_sirene(args.sirene, workdir)
        elif args.rna:
            rows = run_rna(args.rna, workdir)
        else:
            rows = run(args.actors, args.partnerships, workdir)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.sirene:
        title = "SIRENE stock, streamed, vs a raw csv scan of both files (same run)"
    else:
        title = "RNA register, streamed" if args.rna else "ecograph import"
        title += " vs raw pyoxigraph bulk_load (same run)"
    table = Table(title=title)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for row in rows:
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    sys.exit(main())
