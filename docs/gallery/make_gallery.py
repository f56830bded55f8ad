"""Write the gallery: screenshots of what ecograph draws, taken in headless Chromium.

    python docs/gallery/make_gallery.py            # writes docs/gallery/*.png and README.md

It runs the commands a user runs, in a fresh workspace in a temporary folder: ``ecograph
demo`` (the sample and the real Loire-Atlantique grants), a geographic map of Nantes
Métropole, a map of the département grouped by EPCI, and the département's report. Each page
is opened offline in Chromium (Debian's ``/usr/bin/chromium``, through Playwright) and
photographed once it has drawn: a map when it has placed its labels (``data-labels-shown``),
a report once loaded. Regenerate it, and commit the pictures, whenever the look changes.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
MAP_VIEW = {"width": 1400, "height": 900}
REPORT_VIEW = {"width": 1200, "height": 1500}

#: (picture, page, what it shows): the README's captions.
PICTURES: list[tuple[str, str, str]] = [
    (
        "demo-map.png",
        "map-departement-44.html",
        "The demo's map (`ecograph demo`): Loire-Atlantique's fictional sample and the real "
        "beneficiaries of the Département's grants, communities laid out apart, labels only "
        "where they fit, suggested partnerships dashed, actors without a tie listed in the "
        "panel.",
    ),
    (
        "geo-nantes-metropole.png",
        "geo-nantes.html",
        "`ecograph map --territory epci/244400404 --layout geo`: the same actors at their "
        "communes' centres, over the IGN commune and EPCI borders (no extra file needed).",
    ),
    (
        "geo-nantes-metropole-layer.png",
        "geo-nantes.html@layer=0",
        "The same map with a layer chosen in the panel: its communes shaded by actors per 1,000 "
        "inhabitants, in the classes and colours of the report's maps.",
    ),
    (
        "map-by-epci-44.png",
        "epci-44.html",
        "`ecograph map --territory 44 --aggregate epci`: Loire-Atlantique's actors grouped by "
        "EPCI, one circle per EPCI, ties summed.",
    ),
    (
        "report-44-first-page.png",
        "report-departement-44.html",
        "The first page of `ecograph report --territory 44`: where the actors come from, the "
        "figures in brief.",
    ),
    (
        "report-44-density.png",
        "report-departement-44.html#chart-density",
        "The report's choropleth: actors per 1,000 inhabitants in each EPCI, with its table.",
    ),
    (
        "report-44-domain-gap.png",
        "report-departement-44.html#chart-domain-gap",
        "The EPCIs with no actor in the social domain that leaves the most inhabitants out, "
        "shaded by population, with a line per domain.",
    ),
    (
        "report-44-funding-by-domain.png",
        "report-departement-44.html#chart-funding-domains",
        "Funding by domain on real grants, most of whose domains ecograph inferred from their "
        "words (the table says how many).",
    ),
]


def run(folder: Path, *words: str) -> None:
    """One ecograph command in ``folder``, as a user types it; stops the gallery on failure."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ecograph", *words, "--store", str(folder / "ws")],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"ecograph {' '.join(words)} failed:\n{done.stderr[-3000:]}")
    print(f"ecograph {' '.join(words)}: {time.perf_counter() - started:.0f} s")


def pages(folder: Path) -> dict[str, Path]:
    """Make every page the gallery shows; returns them by file name."""
    run(folder, "demo")
    demo = folder / "ws" / "demo"
    run(
        folder,
        "map",
        "--territory",
        "epci/244400404",
        "--layout",
        "geo",
        "--out",
        "geo-nantes.html",
    )
    run(folder, "map", "--territory", "44", "--aggregate", "epci", "--out", "epci-44.html")
    run(folder, "report", "--territory", "44", "--out", "report-departement-44.html")
    found = {p.name: p for p in [*demo.glob("*.html"), *folder.glob("*.html")]}
    missing = {_page_of(page) for _, page, _ in PICTURES} - set(found)
    if missing:
        raise SystemExit(f"pages not written: {', '.join(sorted(missing))}")
    return found


def _page_of(target: str) -> str:
    """The file a picture's target names (``page.html#section`` or ``page.html@layer=N``)."""
    return target.split("#")[0].split("@")[0]


def photograph(page: Page, path: Path, target: str, out: Path) -> None:
    """A map once its labels are placed; a report's first screen; or one section of it."""
    target, _, layer = target.partition("@layer=")
    name, _, anchor = target.partition("#")
    is_map = not name.startswith("report")
    page.set_viewport_size(MAP_VIEW if is_map else REPORT_VIEW)
    page.goto(path.as_uri())
    if is_map:
        page.wait_for_selector("html[data-labels-shown]", state="attached", timeout=120_000)
        if layer:
            page.select_option("#layer", layer)
        page.wait_for_timeout(500)
        page.screenshot(path=str(out))
    elif not anchor:
        page.screenshot(path=str(out))
    else:
        chart = page.locator(f"#{anchor}")
        chart.scroll_into_view_if_needed()
        heading = chart.locator("xpath=preceding-sibling::h3[1]")
        table = chart.locator("xpath=following-sibling::table[1]")
        top = heading.bounding_box() or chart.bounding_box()
        bottom = table.bounding_box() or chart.bounding_box()
        assert top is not None and bottom is not None
        page.screenshot(
            path=str(out),
            full_page=True,
            clip={
                "x": 0,
                "y": top["y"] + page.evaluate("window.scrollY") - 12,
                "width": REPORT_VIEW["width"],
                "height": bottom["y"] + bottom["height"] - top["y"] + 24,
            },
        )
    print(f"{out.name}: {out.stat().st_size / 1024:,.0f} KB")


def write_index() -> None:
    lines = [
        "# Gallery",
        "",
        "What ecograph draws, photographed in headless Chromium by `python "
        "docs/gallery/make_gallery.py` (the command regenerates every picture; run it, and "
        "commit the pictures, whenever the look changes). Actors of the built-in sample are "
        "fictional; the beneficiaries of the Département de Loire-Atlantique's grants are real "
        "(Licence Ouverte). Borders: IGN Admin Express COG 2018 (Licence Ouverte).",
        "",
    ]
    for picture, _, caption in PICTURES:
        lines += [
            f"## {picture.removesuffix('.png')}",
            "",
            caption,
            "",
            f"![{picture}]({picture})",
            "",
        ]
    (HERE / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ecograph-gallery-") as scratch:
        found = pages(Path(scratch))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            page = browser.new_page()
            page.route("http*://**", lambda route: route.abort())  # offline, as promised
            for picture, target, _ in PICTURES:
                photograph(page, found[_page_of(target)], target, HERE / picture)
            browser.close()
    write_index()


if __name__ == "__main__":
    main()
