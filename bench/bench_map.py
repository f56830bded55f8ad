"""Map benchmark: ``ecograph.render.build_map`` against plain pyvis, built and drawn.

Why this benchmark exists: pyvis's own path (``Network.from_nx`` + ``write_html``) adds nodes
one by one (a list membership check per node, so quadratic) and leaves vis-network's physics
to lay the graph out in the browser, which takes minutes in a software-rendered Chromium.
ecograph fills the pyvis network in bulk, computes the layout in Python and turns physics
off, and aggregates large ecosystems. This script measures both on the same generated
ecosystems, in the same run.

Run it from the repository root (``src`` is put on the path)::

    python bench/bench_map.py                          # 1,000, 10,000 and 50,000 actors
    python bench/bench_map.py --actors 1000 10000      # quicker
    python bench/bench_map.py --workspaces /tmp/wsmap  # keep the generated stores for reruns

For each size it generates an ecosystem (``ecograph.sample``, seed 1, département 44) into an
embedded store, projects it once (timed, not compared), then for each variant:

* **build**: ``build_map`` (or pyvis's ``from_nx`` + ``write_html``) to a file: wall and CPU
  seconds (CPU time is less sensitive to other jobs on the machine), and the file size;
* **draw**: the file opened in headless Debian Chromium (Playwright, every non-file request
  refused and counted): seconds from navigation until the first complete frame.
  ecograph's page marks it itself (``<html data-drawn>``, set on vis-network's first
  ``afterDrawing``, with a breakdown in ``data-timings``); for pyvis's page an init script
  notes the first canvas ``fill``/``stroke`` and the end of that task (the frame). A draw
  that has not happened after ``--draw-timeout`` seconds is reported as such.

A small map is built first, untimed: what a process reads once (geography table, labels,
vis-network's script, about 1 s) is not counted in the builds.

Variants: ``ecograph`` (defaults: ``aggregate="auto"``, i.e. communities above 5,000
actors), ``ecograph-actors`` (``aggregate="none"``: every actor drawn, up to
``--actors-up-to``), ``ecograph-geo`` (every actor at its commune, ``layout="geo"``, over the
basemap of IGN borders and commune names: what the basemap costs), ``pyvis`` (plain
``from_nx`` + ``write_html`` with ``cdn_resources="in_line"``, up to ``--baseline-up-to``: its
quadratic build would take about half an hour at 50,000). No metrics or suggestions are
drawn (sizes by degree), so both sides show the same graph.

The result is a measurement, not a test: exit status 0 even when a target is missed. Results
are printed and written to ``bench/results/map-<sizes>.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

RESULTS_DIR = ROOT / "bench" / "results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Targets for 10,000 actors (every actor drawn).
BUILD_TARGET_S = 3.0
DRAW_TARGET_S = 5.0

# Notes the end of the first task that paints on a canvas (the first frame), for pages that
# do not mark it themselves.
FIRST_FRAME_HOOK = """
(() => {
  const proto = CanvasRenderingContext2D.prototype;
  for (const name of ["fill", "stroke"]) {
    const original = proto[name];
    proto[name] = function (...args) {
      if (window.__firstPaint === undefined) {
        window.__firstPaint = performance.now();
        setTimeout(() => { window.__drawn = performance.now(); }, 0);
      }
      return original.apply(this, args);
    };
  }
})();
"""


def generate(actors: int, seed: int, workspaces: Path) -> tuple[Any, dict[str, float]]:
    """A generated ecosystem loaded into an embedded store, and its projection."""
    from ecograph.sample import load_generated
    from ecograph.sample.generate import EcosystemSpec
    from ecograph.scope import Scope, project_scope
    from ecograph.store import open_store

    spec = EcosystemSpec(actors=actors, seed=seed, territory="44", id_prefix=f"g{seed}-")
    timings = {}
    started = time.perf_counter()
    with open_store(workspaces / f"ws-{actors}-{seed}") as store:
        load_generated(store, spec, graph_name=f"bench-{actors}-{seed}", title=f"bench {actors}")
        timings["generate_load_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        projection = project_scope(store, Scope())
        timings["project_s"] = round(time.perf_counter() - started, 1)
    return projection, timings


def build_ecograph(
    projection: Any, path: Path, aggregate: str, layout: str = "force"
) -> dict[str, Any]:
    from ecograph.render import build_map

    wall, cpu = time.perf_counter(), time.process_time()
    document = build_map(projection, aggregate=aggregate, seed=0, layout=layout)
    document.write(path)
    return {
        "build_s": round(time.perf_counter() - wall, 2),
        "build_cpu_s": round(time.process_time() - cpu, 2),
        "nodes": document.summary.nodes,
        "edges": document.summary.edges,
        "aggregated": document.summary.aggregated,
    }


def build_pyvis(projection: Any, path: Path, timeout_s: float) -> dict[str, Any]:
    """pyvis's own path, in a child process stopped after ``timeout_s`` seconds: its
    ``add_edge`` scans every edge added so far, so 30,000 ties take many minutes."""
    graph = projection.collaboration
    source = path.with_suffix(".pickle")
    with source.open("wb") as handle:
        pickle.dump(graph, handle)
    result: dict[str, Any] = {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "aggregated": None,
    }
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--pyvis-child", str(source), str(path)],
            capture_output=True,
            text=True,
            check=True,
            timeout=timeout_s,
        )
        result.update(json.loads(done.stdout))
    except subprocess.TimeoutExpired:
        result.update(
            build_s=None, build_cpu_s=None, build_error=f"not built within {timeout_s:.0f} s"
        )
    finally:
        source.unlink()
    return result


def _pyvis_child(source: Path, path: Path) -> None:
    from pyvis.network import Network

    with source.open("rb") as handle:
        graph = pickle.load(handle)
    wall, cpu = time.perf_counter(), time.process_time()
    net = Network(cdn_resources="in_line")
    net.from_nx(graph)
    net.write_html(str(path))
    print(
        json.dumps(
            {
                "build_s": round(time.perf_counter() - wall, 2),
                "build_cpu_s": round(time.process_time() - cpu, 2),
            }
        )
    )


def draw(browser: Any, path: Path, own_marker: bool, timeout_s: float) -> dict[str, Any]:
    """Seconds from navigation to the first complete frame, and refused requests."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    blocked: list[str] = []

    def route(request_route: Any) -> None:
        if request_route.request.url.startswith("file://"):
            request_route.continue_()
        else:
            blocked.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    if not own_marker:
        context.add_init_script(FIRST_FRAME_HOOK)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    started = time.perf_counter()
    result: dict[str, Any] = {}
    try:
        page.goto(path.as_uri(), timeout=timeout_s * 1000)
        if own_marker:
            page.locator("html[data-drawn]").wait_for(timeout=timeout_s * 1000)
            result["page_timings_ms"] = json.loads(page.get_attribute("html", "data-timings"))
        else:
            page.wait_for_function(
                "() => window.__drawn !== undefined", timeout=timeout_s * 1000, polling=100
            )
        result["draw_s"] = round(time.perf_counter() - started, 2)
    except Exception as err:  # a timeout is a result here, not a failure
        result["draw_s"] = None
        result["draw_error"] = f"not drawn within {timeout_s:.0f} s ({type(err).__name__})"
    result["blocked_requests"] = len(blocked)
    result["page_errors"] = errors[:3]
    context.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--baseline-up-to",
        type=int,
        default=10000,
        help="Largest size for the plain pyvis baseline.",
    )
    parser.add_argument(
        "--actors-up-to",
        type=int,
        default=10000,
        help="Largest size for the every-actor ecograph map.",
    )
    parser.add_argument("--draw-timeout", type=float, default=120.0)
    parser.add_argument(
        "--baseline-timeout",
        type=float,
        default=180.0,
        help="Seconds the plain pyvis build may take (it is quadratic).",
    )
    parser.add_argument(
        "--workspaces",
        type=Path,
        default=None,
        help="Folder to keep generated stores in (default: a temporary one).",
    )
    parser.add_argument("--pyvis-child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pyvis_child:
        _pyvis_child(*args.pyvis_child)
        return 0

    from playwright.sync_api import sync_playwright

    workspaces = args.workspaces or Path(tempfile.mkdtemp(prefix="bench-map-"))
    workspaces.mkdir(parents=True, exist_ok=True)
    pages = Path(tempfile.mkdtemp(prefix="bench-map-pages-"))
    runs = []
    _warm_up()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for actors in args.actors:
            projection, prep = generate(actors, args.seed, workspaces)
            print(
                f"\n{actors:,} actors: {projection.collaboration.number_of_nodes():,} "
                f"projected, {projection.collaboration.number_of_edges():,} ties "
                f"(generate+load {prep['generate_load_s']} s, project {prep['project_s']} s)",
                flush=True,
            )
            variants = [("ecograph", "auto")]
            if actors <= args.actors_up_to:
                variants.append(("ecograph-actors", "none"))
                variants.append(("ecograph-geo", "none"))
            if actors <= args.baseline_up_to:
                variants.append(("pyvis", None))
            for name, aggregate in variants:
                path = pages / f"{name}-{actors}.html"
                load_before = os.getloadavg()[0]
                if aggregate is None:
                    built = build_pyvis(projection, path, args.baseline_timeout)
                else:
                    layout = "geo" if name == "ecograph-geo" else "force"
                    built = build_ecograph(projection, path, aggregate, layout)
                if path.exists():
                    built["html_bytes"] = path.stat().st_size
                    drawn = draw(
                        browser, path, own_marker=aggregate is not None, timeout_s=args.draw_timeout
                    )
                else:
                    built["html_bytes"] = None
                    drawn = {
                        "draw_s": None,
                        "draw_error": "no page",
                        "blocked_requests": 0,
                        "page_errors": [],
                    }
                run = {
                    "actors": actors,
                    "variant": name,
                    **prep,
                    **built,
                    **drawn,
                    "load_average_before": round(load_before, 1),
                    "load_average_after": round(os.getloadavg()[0], 1),
                }
                runs.append(run)
                shown = "–" if run["draw_s"] is None else f"{run['draw_s']:.1f} s"
                built_in = (
                    "–"
                    if run["build_s"] is None
                    else f"{run['build_s']:6.2f} s (CPU {run['build_cpu_s']:.2f})"
                )
                size = "–" if run["html_bytes"] is None else f"{run['html_bytes'] / 1e6:.2f} MB"
                print(
                    f"  {name:16} build {built_in:>20}  {size:>8}  drawn {shown:>8}  "
                    f"nodes {run['nodes']:,} edges {run['edges']:,}  "
                    f"blocked {run['blocked_requests']}  load {run['load_average_before']}"
                    + "".join(f"  [{run[k]}]" for k in ("build_error", "draw_error") if run.get(k)),
                    flush=True,
                )
            del projection
        browser.close()
    shutil.rmtree(pages, ignore_errors=True)
    if args.workspaces is None:
        shutil.rmtree(workspaces, ignore_errors=True)
    verdicts = _verdicts(runs)
    for line in verdicts:
        print(line)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"map-{'-'.join(str(a) for a in args.actors)}.json"
    out.write_text(
        json.dumps(
            {
                "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                },
                "versions": _versions(),
                "targets": {"build_s": BUILD_TARGET_S, "draw_s": DRAW_TARGET_S},
                "verdicts": verdicts,
                "runs": runs,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {out}")
    return 0


def _warm_up() -> None:
    """One small map first, so the timed builds do not include what a process reads once
    (the geography table, the scheme labels, vis-network's script: about 1 s)."""
    import networkx as nx

    from ecograph.network.projection import Projection
    from ecograph.render import build_map

    graph = nx.Graph()
    graph.add_edge("a", "b", weight=1, partnerships=[], projects=[])
    build_map(Projection(graph, nx.DiGraph(), {}), layout="force")


def _verdicts(runs: list[dict[str, Any]]) -> list[str]:
    lines = []
    for variant in ("ecograph", "ecograph-actors", "ecograph-geo"):
        for run in runs:
            if run["actors"] == 10000 and run["variant"] == variant:
                build_ok = run["build_s"] is not None and run["build_s"] < BUILD_TARGET_S
                draw_ok = run["draw_s"] is not None and run["draw_s"] < DRAW_TARGET_S
                lines.append(
                    f"{'PASS' if build_ok and draw_ok else 'FAIL'} {variant} at 10,000 actors: "
                    f"written in {run['build_s']} s (target < {BUILD_TARGET_S:g}), drawn in "
                    f"{run['draw_s']} s (target < {DRAW_TARGET_S:g}); load average "
                    f"{run['load_average_before']} on {os.cpu_count()} CPUs"
                )
    by = {r["variant"]: r for r in runs if r["actors"] == 10000}
    force, geo = by.get("ecograph-actors"), by.get("ecograph-geo")
    if force and geo and None not in (force["draw_s"], geo["draw_s"], geo["build_s"]):
        extra = geo["build_s"] + geo["draw_s"] - force["build_s"] - force["draw_s"]
        lines.append(
            f"{'PASS' if extra < 1.0 else 'FAIL'} the basemap at 10,000 actors: the geographic "
            f"map (borders and commune names under every actor) took {extra:+.1f} s written and "
            "drawn against the force layout's map of the same actors (target: < 1 s more; the "
            "force map also pays its community layout)"
        )
    return lines


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    found = {name: version(name) for name in ("pyvis", "igraph", "networkx", "playwright")}
    found["chromium"] = os.popen(f"{CHROMIUM} --version 2>/dev/null").read().strip()
    return found


if __name__ == "__main__":
    raise SystemExit(main())
