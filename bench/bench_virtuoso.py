"""Virtuoso benchmark: a workspace loaded into OpenLink Virtuoso, and every library query on
both stores, side by side.

Why this benchmark exists: remote mode is the path past one machine, and a user deciding when
to move from the embedded store to a server needs the same table for both. This script takes
an existing workspace (built by ``bench_queries.py``, ``bench_national.py`` or by hand), starts a
fresh Virtuoso on 127.0.0.1 (the Debian package ``virtuoso-opensource``, started the way the
tests start it, with the stock limits unless told otherwise), and measures:

* **load**: every graph of the workspace sent through ``RemoteStore.load`` (Graph Store batches
  into a scratch graph, counted, then ``MOVE``d in place): seconds and triples per second,
  against the embedded store's own ``export`` of the same graphs (the time to read them out,
  which both paths pay);
* **queries**: every library query with its example values, or with ``--territory`` in place of
  a ``territory`` parameter: the embedded store (read-only) and Virtuoso, ``--repeat`` times
  each, alternating, medians; the rows must be the same (doubles compared at the 6 digits
  Virtuoso prints them with), or the script stops with ``BENCHMARK ERROR``.

Run it from the repository root::

    python bench/bench_virtuoso.py --store /tmp/ws100k --territory 44 --territory commune/44109

The result is a measurement, not a test: exit status 0 even when a target is missed (every
query under 2 s). Results go to ``bench/results/virtuoso-<name>.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # ecograph, and the tests' Virtuoso launcher

import pyoxigraph as ox  # noqa: E402
from measure import RESULTS_DIR, BenchError, busy_cpu_seconds, machine  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from ecograph.queries import QueryError, load_catalogue, run_query  # noqa: E402
from ecograph.store import RemoteStore, StoreError, open_store  # noqa: E402
from tests.virtuoso_server import ACCOUNT, virtuoso_server  # noqa: E402

XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
TARGET_SECONDS = 2.0
#: Virtuoso puts a graph in place (``MOVE``) as one transaction, whose log its stock
#: ``TransactionAfterImageLimit`` (50 MB) caps below a 3-million-triple graph (SR325).
PARAMETERS = "TransactionAfterImageLimit = 2000000000\n"


def _cell(term: Any) -> str:
    if isinstance(term, ox.Literal) and term.datatype.value == XSD_DOUBLE:
        return f"{float(term.value):.6g}"
    return str(term)


def _rows(result: Any) -> list[tuple[str, ...]]:
    return [tuple(_cell(cell) for cell in row) for row in result.rows]


def _difference(name: str, territory: str | None, expected: Any, served: Any) -> str:
    """Which rows differ, for the error: the first of each side's own."""
    mine, theirs = _rows(expected), _rows(served)
    only_mine = [row for row in mine if row not in set(theirs)][:3]
    only_theirs = [row for row in theirs if row not in set(mine)][:3]
    order = " (the same rows in another order)" if sorted(mine) == sorted(theirs) else ""
    return (
        f"{name} ({territory}): Virtuoso's rows differ{order}: {len(mine):,} embedded, "
        f"{len(theirs):,} Virtuoso; embedded only {only_mine}; Virtuoso only {only_theirs}"
    )


def _timed(store: Any, query: Any, values: dict[str, str]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = run_query(store, query, values)
    return time.perf_counter() - started, result


def load(workspace: Path, remote: RemoteStore, console: Console, scratch: Path) -> dict[str, Any]:
    """Every graph of the workspace into the server; export and load timed apart. Each graph
    goes through a file in ``scratch``: a national store's graphs (the register, the metrics)
    are gigabytes of N-Triples, which the load streams."""
    exported = loaded = 0.0
    triples = 0
    path = scratch / "graph.nt"
    with open_store(workspace, read_only=True) as embedded:
        for graph in embedded.named_graphs():
            started = time.perf_counter()
            with path.open("wb") as out:
                embedded.dump(out, format=ox.RdfFormat.N_TRIPLES, graph=graph)
            exported += time.perf_counter() - started
            with path.open("rb") as lines:
                count = sum(chunk.count(b"\n") for chunk in iter(lambda: lines.read(1 << 20), b""))
            started = time.perf_counter()
            remote.load(path, format=ox.RdfFormat.N_TRIPLES, graph=graph, replace=True)
            seconds = time.perf_counter() - started
            loaded += seconds
            triples += count
            console.log(f"loaded {graph}: {count:,} triples in {seconds:.1f} s")
        path.unlink(missing_ok=True)
        served = len(remote)
        if served != len(embedded):
            raise BenchError(f"Virtuoso holds {served:,} quads, the workspace {len(embedded):,}")
    return {"triples": triples, "export_s": exported, "load_s": loaded}


def queries(
    workspace: Path,
    remote: RemoteStore,
    territories: list[str | None],
    repeat: int,
    console: Console,
) -> list[dict[str, Any]]:
    """Every library query on both stores, alternating. Rows that differ are a result (the
    row says how, and the run ends with an error after the table), so that one difference
    does not hide the rest of the table."""
    rows = []
    with open_store(workspace, read_only=True) as embedded:
        for name, query in load_catalogue().items():
            takes_territory = any(p.name == "territory" for p in query.parameters)
            places: list[str | None] = list(territories) if takes_territory else [None]
            for territory in places:
                values = {p.name: p.example for p in query.parameters}
                if territory is not None:
                    values["territory"] = territory
                console.log(f"{name} {territory or ''}")
                row: dict[str, Any] = {"query": name, "territory": territory or ""}
                rows.append(row)
                mine, theirs = [], []
                try:
                    _timed(embedded, query, values)  # warm-up, both
                    _timed(remote, query, values)
                    for _ in range(repeat):
                        seconds, expected = _timed(embedded, query, values)
                        mine.append(seconds)
                        seconds, served = _timed(remote, query, values)
                        theirs.append(seconds)
                        if _rows(served) != _rows(expected):
                            row["differs"] = _difference(name, territory, expected, served)
                except (StoreError, QueryError) as err:  # a refusal is a result, not a crash
                    row["error"] = str(err)[:300]
                    continue
                row |= {
                    "rows": len(expected.rows),
                    "embedded_s": statistics.median(mine),
                    "virtuoso_s": statistics.median(theirs),
                }
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, help="the workspace to load and query")
    parser.add_argument(
        "--territory",
        action="append",
        default=[],
        help="value of the territory parameter (repeatable; default: each query's example)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per store (default 3)")
    parser.add_argument(
        "--max-rows", type=int, default=10_000, help="Virtuoso's ResultSetMaxRows (stock: 10000)"
    )
    parser.add_argument("--tmpdir", help="where Virtuoso keeps its database (default: system tmp)")
    parser.add_argument(
        "--buffers",
        type=int,
        default=20_000,
        help="Virtuoso's NumberOfBuffers, 8 KB pages (default 20000; a national store: 500000)",
    )
    parser.add_argument("--json", help="where to write the result (default: results/virtuoso-…)")
    args = parser.parse_args()
    console = Console()
    workspace = Path(args.store)
    if args.tmpdir:  # a folder named for the database: made if it is not there yet
        Path(args.tmpdir).mkdir(parents=True, exist_ok=True)
    busy_before = busy_cpu_seconds()
    started = time.perf_counter()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="ecograph-bench-virtuoso-", dir=args.tmpdir) as tmp,
            virtuoso_server(
                Path(tmp), max_rows=args.max_rows, parameters=PARAMETERS, buffers=args.buffers
            ) as server,
        ):
            remote = RemoteStore(
                server.query,
                update_endpoint=server.update,
                gsp_endpoint=server.store,
                credentials=ACCOUNT,
                timeout=3600,
            )
            loading = load(workspace, remote, console, Path(tmp))
            places: list[str | None] = list(args.territory) or [None]
            timings = queries(workspace, remote, places, args.repeat, console)
    except BenchError as err:
        console.print(f"[red]BENCHMARK ERROR[/red]: {err}")
        raise SystemExit(1) from None
    wall = time.perf_counter() - started
    others = (busy_cpu_seconds() - busy_before) / wall if wall else 0.0

    title = f"Library queries, embedded vs Virtuoso (ResultSetMaxRows {args.max_rows:,})"
    table = Table(title=title)
    for column in ("query", "territory", "rows", "embedded s", "Virtuoso s", "ratio", "< 2 s"):
        table.add_column(column, justify="left" if column in ("query", "territory") else "right")
    for row in timings:
        if "error" in row:
            table.add_row(row["query"], row["territory"], "", "", "refused", "", "FAIL")
            continue
        ratio = row["virtuoso_s"] / row["embedded_s"] if row["embedded_s"] else float("nan")
        table.add_row(
            row["query"],
            row["territory"],
            f"{row['rows']:,}",
            f"{row['embedded_s']:.3f}",
            f"{row['virtuoso_s']:.3f}",
            f"{ratio:.2f}×",
            "DIFFERS"
            if "differs" in row
            else "PASS"
            if row["virtuoso_s"] < TARGET_SECONDS
            else "FAIL",
        )
    console.print(table)
    for row in timings:
        if "error" in row:
            console.print(f"{row['query']} ({row['territory']}): {row['error']}", markup=False)
        if "differs" in row:
            console.print(f"BENCHMARK ERROR: {row['differs']}", markup=False)
    rate = loading["triples"] / loading["load_s"] if loading["load_s"] else 0.0
    console.print(
        f"Load: {loading['triples']:,} triples in {loading['load_s']:.1f} s "
        f"({rate:,.0f} triples/s); the embedded export of the same graphs took "
        f"{loading['export_s']:.1f} s ({loading['load_s'] / max(loading['export_s'], 1e-9):.1f}× "
        f"the load). Other processes kept {others:.2f} CPU busy."
    )
    if others > 0.25:
        console.print("[yellow]warning[/yellow]: the machine was busy; compare CPU or rerun.")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = Path(args.json) if args.json else RESULTS_DIR / f"virtuoso-{workspace.name}.json"
    out.write_text(
        json.dumps(
            {
                "machine": machine(pyoxigraph=ox.__version__),
                "store": str(workspace),
                "max_rows": args.max_rows,
                "buffers": args.buffers,
                "load": loading,
                "queries": timings,
                "other_cpus_busy": others,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    console.print(f"Results in {out}")
    if any("differs" in row for row in timings):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
