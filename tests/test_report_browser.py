"""The territorial report in headless Chromium (Debian's ``chromium`` driven by Playwright).

The report is opened from a file with every non-file request refused and recorded: the tests
assert that none was attempted (the page is offline), that the charts are drawn, and that
hostile names run no script — no dialog, no page error, and no console message of a script
trying one (a sandboxed frame without ``allow-modals`` drops ``alert`` and says so in the
console).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ecograph.render.report import TerritoryReport, build_report
from ecograph.render.report_page import render_html, write_report
from ecograph.store import open_store

from .chromium import require_chromium
from .test_report import HOSTILE, NANTES_METROPOLE, fixture_quads, hostile_report

require_chromium()

pytestmark = pytest.mark.browser

CHARTS = (
    "#chart-sectors",
    "#chart-types",
    "#chart-domains",
    "#chart-sub",
    "#chart-ptypes",
    "#chart-cross",
    "#chart-mixing",
)
LOCAL = ("file:", "data:", "blob:", "about:")


def _has_map() -> bool:
    try:
        from ecograph.render.maps import build_map  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def nantes(tmp_path_factory: pytest.TempPathFactory) -> TerritoryReport:
    with open_store(tmp_path_factory.mktemp("report-browser") / "ws") as store:
        store.add(fixture_quads())
        return build_report(store, NANTES_METROPOLE, lang="fr")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> TerritoryReport:
    return hostile_report(tmp_path_factory.mktemp("report-hostile") / "ws")


class Watched:
    """A page whose dialogs, errors, console messages and off-machine requests are recorded
    (and the requests refused)."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1100, "height": 900})
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        self.blocked: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on(
            "console", lambda message: self.console.append(f"{message.type}: {message.text}")
        )
        self.context.route("**/*", self._route)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(LOCAL):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, path: Path) -> Any:
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_load_state("load")
        return self.page


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    page = Watched(browser)
    yield page
    assert page.blocked == [], f"the page tried to reach {page.blocked}"
    assert page.dialogs == [], f"script ran: {page.dialogs}"
    assert page.errors == [], f"page errors: {page.errors}"
    assert not [m for m in page.console if "alert" in m or "Content Security" in m], page.console
    page.context.close()


def test_charts_are_drawn(nantes: TerritoryReport, watched: Watched, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(render_html(nantes), encoding="utf-8")
    page = watched.open(path)
    for chart in CHARTS:
        svg = page.locator(f"{chart} svg")
        assert svg.count() == 1, chart
        assert svg.is_visible(), chart
        box = svg.bounding_box()
        assert box and box["width"] > 150 and box["height"] > 30, (chart, box)
        assert page.locator(f"{chart} svg rect").count() > 0, chart
    # Five sectors: 25 cells of two lines each, the diagonal's ess cell reads 3 and 33 %.
    assert page.locator("#chart-mixing text.cell-line-0").count() == 25
    assert "33\u202f%" in page.locator("#chart-mixing").inner_text()
    assert page.locator("#chart-sectors").inner_text().count("\n") >= 4
    assert page.locator("#comparison tbody tr").count() == 2


def test_print_layout_hides_the_map_and_keeps_the_charts(
    nantes: TerritoryReport, watched: Watched, tmp_path: Path
) -> None:
    path = tmp_path / "report.html"
    path.write_text(render_html(nantes, map_page="<!doctype html><p>map</p>"), encoding="utf-8")
    page = watched.open(path)
    assert page.locator("iframe.map-frame").is_visible()
    assert not page.locator("#map .print-only").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("iframe.map-frame").is_visible()
    assert page.locator("#map .print-only").is_visible()
    assert not page.locator("nav").is_visible()
    for chart in CHARTS:
        assert page.locator(f"{chart} svg").is_visible(), chart


def test_hostile_names_run_no_script(
    hostile: TerritoryReport, watched: Watched, tmp_path: Path
) -> None:
    path = tmp_path / "hostile.html"
    write_report(hostile, path, with_map=_has_map())
    page = watched.open(path)
    assert page.locator("img, script, body iframe:not(.map-frame)").count() == 0
    assert page.locator("[onerror], [onload], [onmouseover]").count() == 0
    text = page.locator("body").inner_text()
    for key in ("actor", "actor2", "sector", "domain"):
        assert HOSTILE[key] in text, key
    for selector in ("#broker-table td", "#suggestion-table td", "#chart-types g"):
        if page.locator(selector).count():
            page.locator(selector).first.hover()
    for frame in page.frames:
        assert frame.locator("img[src='x'], [onload], [onerror], [onmouseover]").count() == 0
    page.wait_for_timeout(300)  # let a late onerror or timer fire, if anything was injected


@pytest.mark.skipif(not _has_map(), reason="ecograph.render.maps is not there yet")
def test_map_is_embedded_and_works_offline(
    nantes: TerritoryReport, watched: Watched, tmp_path: Path
) -> None:
    path = tmp_path / "with-map.html"
    write_report(nantes, path)
    page = watched.open(path)
    frame = page.locator("iframe.map-frame")
    assert frame.get_attribute("sandbox") == "allow-scripts"
    inner = page.frame_locator("iframe.map-frame")
    inner.locator("canvas, svg").first.wait_for(state="visible", timeout=15_000)
    # The map's script runs in an opaque origin: it cannot read the report.
    assert page.title().startswith("Rapport territorial")


def test_pdf(nantes: TerritoryReport, tmp_path: Path) -> None:
    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    written = write_report(nantes, html, with_map=_has_map(), pdf=pdf)
    assert written == [html, pdf.resolve()]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 10_000
    assert b"/Pages" in data
