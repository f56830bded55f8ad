"""A right-to-left override in a name reverses nothing on a page (issue 13, item 9), in Chromium.

"Theta \u202egpj.exe" shows as "Theta exe.jpg" wherever U+202E reaches the page. The tests ask
the browser where it drew the "g" and the final "e": left to right once the override is gone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest

from ecograph.network.projection import Projection
from ecograph.render import build_map
from ecograph.store import open_store

from .chromium import require_chromium
from .ecograph_server import ecograph_server

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RLO_NAME = "Theta \u202egpj.exe"

# The left edge of the first "g" and of the last character of the element's first text node.
_EDGES = """(element) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const node = walker.nextNode();
  const range = document.createRange();
  const left = (i) => { range.setStart(node, i); range.setEnd(node, i + 1);
                        return range.getBoundingClientRect().left; };
  const text = node.textContent;
  return [left(text.indexOf("g")), left(text.length - 1), text,
          element.querySelector("bdi") !== null];
}"""


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(bypass_csp=True)  # for page.evaluate only
    yield context.new_page()
    context.close()


def _assert_left_to_right(element: Any) -> None:
    g, last, text, isolated = element.evaluate(_EDGES)
    assert "\u202e" not in text
    assert isolated, "the name is not in a <bdi>"
    assert g < last, f"{text!r} is drawn reversed"


def test_map_search_result_reads_left_to_right(page: Any, tmp_path: Path) -> None:
    G = nx.Graph()
    for key, name in (("a", RLO_NAME), ("b", "Iota")):
        G.add_node(
            key,
            name=name,
            actor_type="association",
            sector="ess",
            domains="housing",
            place="",
            commune="44109",
            epci="244400404",
            departement="44",
            region="52",
        )
    G.add_edge("a", "b", weight=1, partnerships=[], projects=["p"])
    path = build_map(Projection(G, nx.DiGraph(), {}), aggregate="none").write(tmp_path / "map.html")
    page.goto(path.as_uri())
    page.fill("#search", "theta")
    button = page.locator("#search-results button").first
    button.wait_for(timeout=5_000)
    _assert_left_to_right(button)


def test_query_page_cell_reads_left_to_right(page: Any, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with open_store(folder) as store:
        store.add(
            [
                ox.Quad(
                    ox.NamedNode("http://example.org/thing/1"),
                    ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                    ox.Literal(RLO_NAME),
                    ox.NamedNode("http://example.org/graph/g"),
                )
            ]
        )
    with ecograph_server(folder, tmp_path, "--workers", "1") as running:
        page.goto(running.base + "/")
        page.fill("#query", "SELECT ?label WHERE { ?thing ?p ?label }")
        page.click("#run")
        cell = page.locator("#results tbody td").first
        cell.wait_for(timeout=30_000)
        _assert_left_to_right(cell)
