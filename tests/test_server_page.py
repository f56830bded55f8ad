"""The query page in headless Chromium (Debian's ``chromium`` driven by Playwright).

The browser may only reach the server on 127.0.0.1: every other request is blocked and
recorded, and the tests assert that none was attempted, so the page works offline. Hostile
text from the store must show up as text, never run.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from ecograph.queries import load_catalogue
from ecograph.store import open_store

from .chromium import launched_chromium, require_chromium
from .ecograph_server import RunningServer, ecograph_server

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(2)</script>",
    '"><svg onload=alert(3)>',
    "' onmouseover='alert(4)",
]
GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def page_server(
    sample_workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    with ecograph_server(
        sample_workspace, tmp_path_factory.mktemp("logs"), "--max-rows", "200", "--workers", "1"
    ) as running:
        yield running


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A workspace whose only graph holds labels written to run script if pasted as HTML."""
    folder = tmp_path_factory.mktemp("hostile") / "ws"
    label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    graph = ox.NamedNode("http://example.org/graph/hostile")
    with open_store(folder) as store:
        store.add(
            ox.Quad(ox.NamedNode(f"http://example.org/thing/{n}"), label, ox.Literal(text), graph)
            for n, text in enumerate(HOSTILE)
        )
    with ecograph_server(folder, tmp_path_factory.mktemp("logs"), "--workers", "1") as running:
        yield running


class Watched:
    """A page whose dialogs and off-machine requests are recorded (and refused)."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(accept_downloads=True)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.blocked: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("http://127.0.0.1:") or url.startswith(("blob:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    page = Watched(browser)
    yield page
    assert page.blocked == [], f"the page tried to reach {page.blocked}"
    assert page.dialogs == [], f"script ran: {page.dialogs}"
    page.close()


def run_and_wait(page: Any, key: str | None = None) -> None:
    """Run the query (click Run, or press ``key`` in the editor) and wait for *this* run's answer.

    The page numbers its runs on ``#results`` (``data-run``) and keeps ``aria-busy="true"`` until
    the run's answer is shown, so an answer left from the previous run is never taken for it.
    """
    before = int(page.get_attribute("#results", "data-run") or 0)
    if key is None:
        page.click("#run")
    else:
        page.press("#query", key)
    done = page.locator(f'#results[data-run="{before + 1}"][aria-busy="false"]')
    done.wait_for(state="attached", timeout=30_000)


def header_cells(page: Any) -> list[str]:
    return page.locator("#results thead th").all_text_contents()


def body_rows(page: Any) -> list[list[str]]:
    rows = page.locator("#results tbody tr")
    return [rows.nth(i).locator("td").all_text_contents() for i in range(rows.count())]


def download_csv(page: Any) -> list[list[str]]:
    with page.expect_download() as info:
        page.click("#download")
    path = info.value.path()
    return list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8"), newline="")))


def test_library_query_runs_and_downloads(page_server: RunningServer, watched: Watched) -> None:
    page = watched.page
    page.goto(page_server.base + "/")
    catalogue = load_catalogue()
    if catalogue:
        chosen = next(
            (q for q in catalogue.values() if q.parameters), next(iter(catalogue.values()))
        )
        # Not wait_for_function: a string predicate is eval'd, which the page's CSP forbids.
        page.locator("#library option").nth(len(catalogue)).wait_for(state="attached")
        page.select_option("#library", chosen.name)
        assert page.input_value("#query") == chosen.text
        for parameter in chosen.parameters:
            assert page.input_value(f"#param-{parameter.name}") == parameter.example
    else:
        page.fill("#query", GRAPH_COUNTS)
    run_and_wait(page)
    assert page.locator("#results .error").count() == 0, page.inner_text("#results")
    columns = header_cells(page)
    assert columns
    rows = body_rows(page)
    table = download_csv(page)
    assert table[0] == columns
    assert [row for row in table[1:]] == rows


def test_territory_parameter_takes_a_name(page_server: RunningServer, watched: Watched) -> None:
    """The page sends what the user typed; the server reads a territory as the CLI does, and
    a language left empty is the default one."""
    page = watched.page
    page.goto(page_server.base + "/")
    page.wait_for_selector("#library option[value='actors-in-territory']", state="attached")
    page.select_option("#library", "actors-in-territory")
    page.fill("#param-territory", "Loire-Atlantique")
    page.fill("#param-lang", "")
    run_and_wait(page)
    assert page.locator("#results .error").count() == 0, page.inner_text("#results")
    assert len(body_rows(page)) > 10
    page.fill("#param-territory", "epci/999999999")
    run_and_wait(page)
    assert "no EPCI has the code '999999999'" in page.inner_text("#results .error")


def test_typed_query_and_syntax_error(page_server: RunningServer, watched: Watched) -> None:
    page = watched.page
    page.goto(page_server.base + "/")
    page.fill("#query", GRAPH_COUNTS)
    run_and_wait(page)
    assert header_cells(page) == ["g", "n"]
    graphs = [row[0] for row in body_rows(page)]
    assert len(graphs) == 4 and all(g.startswith("https://w3id.org/ecograph/") for g in graphs)
    page.fill("#query", "SELECT * WHERE {\n  ?s ?p\n}")
    run_and_wait(page, key="Control+Enter")
    assert page.locator("#results table").count() == 0  # the previous rows are gone
    assert page.inner_text("#results .error").startswith("Line 3, column")
    page.fill("#query", "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    run_and_wait(page)
    assert page.locator("#results .error").count() == 1  # this run's error only
    assert "SERVICE is refused" in page.inner_text("#results .error")


def test_a_run_clears_the_previous_answer_until_its_own_arrives(
    page_server: RunningServer, watched: Watched
) -> None:
    page = watched.page
    page.goto(page_server.base + "/")
    page.fill("#query", "SELECT * WHERE {\n  ?s ?p\n}")
    run_and_wait(page)
    assert page.locator("#results .error").count() == 1
    held: list[Any] = []  # the next query's request, answered only once the page is checked

    def hold(route: Any) -> None:
        held.append(route)

    page.route("**/sparql", hold)
    page.fill("#query", GRAPH_COUNTS)
    with page.expect_request("**/sparql"):
        page.click("#run")
    assert page.locator("#results > *").count() == 0  # the previous error is gone
    assert page.get_attribute("#results", "aria-busy") == "true"
    assert page.text_content("#status") == "Running…"
    assert page.is_disabled("#run")
    deadline = time.monotonic() + 30
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(20)  # lets Playwright deliver the held request to the handler
    assert held, "the query's request never reached the route"
    page.unroute("**/sparql")
    held[0].continue_()
    page.locator('#results[data-run="2"][aria-busy="false"]').wait_for(state="attached")
    assert header_cells(page) == ["g", "n"]
    assert page.locator("#results .error").count() == 0


def test_hostile_parameter_value_is_data(page_server: RunningServer, watched: Watched) -> None:
    string_queries = [
        q for q in load_catalogue().values() if any(p.type == "string" for p in q.parameters)
    ]
    if not string_queries:
        pytest.skip("the library has no query with a string parameter yet")
    chosen = string_queries[0]
    page = watched.page
    page.goto(page_server.base + "/")
    page.wait_for_selector(f"#library option[value='{chosen.name}']", state="attached")
    page.select_option("#library", chosen.name)
    for parameter in chosen.parameters:
        if parameter.type == "string":
            page.fill(f"#param-{parameter.name}", HOSTILE[0] + '" } SERVICE <http://x/> { #')
    run_and_wait(page)
    assert page.locator("#results img, #results script, #results svg").count() == 0


def test_hostile_text_renders_as_text(hostile_server: RunningServer, watched: Watched) -> None:
    page = watched.page
    page.goto(hostile_server.base + "/")
    page.fill("#query", "SELECT ?label WHERE { ?thing ?p ?label } ORDER BY ?thing")
    run_and_wait(page)
    assert [row[0] for row in body_rows(page)] == HOSTILE
    assert page.locator("#results img, #results script, #results svg").count() == 0
    assert page.locator("body img, body svg").count() == 0
    table = download_csv(page)
    assert [row[0] for row in table[1:]] == HOSTILE
