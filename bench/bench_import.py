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
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
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
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ecograph-bench-import-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        rows = run(args.actors, args.partnerships, workdir)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    table = Table(title="ecograph import vs raw pyoxigraph bulk_load (same run)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for row in rows:
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    sys.exit(main())
