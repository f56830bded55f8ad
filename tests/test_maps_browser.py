"""The map in headless Chromium (Debian's ``chromium`` driven by Playwright).

The page is opened from a file with every other request refused and recorded; each test
asserts that none was attempted (the map works offline), that no dialog opened and no script
error happened. Hostile names, labels, titles and explanations must show as text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from ecograph.labels import Labels
from ecograph.namespaces import PREFIXES
from ecograph.network.gaps import Suggestion, suggest
from ecograph.network.metrics import compute_metrics
from ecograph.network.projection import Projection
from ecograph.render import build_map
from ecograph.scope import Scope, project_scope

from .chromium import require_chromium

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_2 = "<script>alert(2)</script>"
HOSTILE_3 = '"><svg onload=alert(3)> href'


@pytest.fixture(scope="module")
def sample_map(
    sample_workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[dict[str, Any]], int]:
    """The sample ecosystem's map with metrics and 10 suggestions: path, nodes, suggestions."""
    from ecograph.store import open_store

    with open_store(sample_workspace, read_only=True) as store:
        projection = project_scope(store, Scope())
        labels = Labels.from_store(store, lang="fr")
    found = suggest(projection.collaboration, labels, top=10, seed=0)
    document = build_map(
        projection,
        metrics=compute_metrics(projection, seed=0),
        suggestions=found,
        size_by="betweenness",
        aggregate="none",
    )
    path = document.write(tmp_path_factory.mktemp("maps") / "sample.html")
    return path, _nodes(document.html), document.summary.suggestions


@pytest.fixture(scope="module")
def layered_map(
    sample_workspace: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, int]:
    """The sample's map with its ties drawn as the canvas layer of large maps."""
    from ecograph.render import maps
    from ecograph.store import open_store

    with open_store(sample_workspace, read_only=True) as store:
        projection = project_scope(store, Scope())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(maps, "EDGE_LAYER_ABOVE", 100)
        document = build_map(projection, aggregate="none", layout="force")
    path = document.write(tmp_path_factory.mktemp("maps") / "layered.html")
    return path, document.summary.edges


@pytest.fixture(scope="module")
def hostile_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A map whose names, labels, title and explanations are written to run script."""
    G = nx.Graph()
    place = {
        "commune": "44109",
        "epci": "244400404",
        "departement": "44",
        "region": "52",
        "place": "",
        "domains": "housing",
    }
    for key, name, sector in (
        ("a", HOSTILE, "ess"),
        ("b", HOSTILE_2, "public"),
        ("c", HOSTILE_3, "academic"),
    ):
        G.add_node(key, name=name, actor_type="association", sector=sector, **place)
    G.add_edge("a", "b", weight=1, partnerships=[], projects=["p"])
    labels = Labels(
        "fr", {PREFIXES["egsec"] + "ess": HOSTILE_2, PREFIXES["egdom"] + "housing": HOSTILE}
    )
    suggestion = Suggestion("a", "c", 0.5, (), 0, True, False, f"{HOSTILE} {HOSTILE_3}")
    document = build_map(
        Projection(G, nx.DiGraph(), {}),
        title=HOSTILE,
        suggestions=[suggestion],
        labels=labels,
        aggregate="none",
    )
    return document.write(tmp_path_factory.mktemp("maps") / "hostile.html")


def _nodes(page: str) -> list[dict[str, Any]]:
    block = re.search(r'<script type="application/json" id="map-nodes">(.*?)</script>', page, re.S)
    assert block
    return json.loads(block.group(1))


class Watched:
    """A page whose dialogs, script errors and off-machine requests are recorded."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1200, "height": 800})
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.context.route("**/*", self._route)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, path: Path) -> Any:
        self.page.goto(path.as_uri())
        self.page.locator("html[data-drawn]").wait_for(timeout=30_000)
        return self.page

    def number(self, attribute: str) -> int:
        return int(self.page.get_attribute("html", attribute) or -1)


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    page = Watched(browser)
    yield page
    assert page.blocked == [], f"the page tried to reach {page.blocked}"
    assert page.dialogs == [], f"script ran: {page.dialogs}"
    assert page.errors == [], f"script errors: {page.errors}"
    page.context.close()


def test_the_map_draws_every_node_offline(watched: Watched, sample_map: Any) -> None:
    path, nodes, suggestions = sample_map
    page = watched.open(path)
    assert watched.number("data-shown") == len(nodes)
    assert page.locator("#map canvas").count() == 1
    assert page.locator("#status").text_content().startswith(f"{len(nodes)} nœuds")
    assert suggestions == 10 and page.locator("#toggle-suggestions").is_checked()


def test_search_finds_and_focuses_an_actor(watched: Watched, sample_map: Any) -> None:
    path, nodes, _ = sample_map
    page = watched.open(path)
    target = nodes[len(nodes) // 2]
    page.fill("#search", target["label"].upper())  # case does not matter
    page.press("#search", "Enter")
    page.locator(f"html[data-focused='{target['id']}']").wait_for(timeout=5_000)
    assert target["label"] in page.locator("#search-results button").all_text_contents()
    page.fill("#search", "zzz-nobody")
    assert page.locator("#search-count").text_content() == "Aucun acteur de ce nom."


def test_filters_hide_and_show_nodes(watched: Watched, sample_map: Any) -> None:
    path, nodes, suggestions = sample_map
    page = watched.open(path)
    total, edges = len(nodes), watched.number("data-edges")
    public = page.locator("#filter-sectors input").nth(0)  # public sector comes first
    public_count = sum(0 in n["s"] for n in nodes)
    public.uncheck()
    assert watched.number("data-shown") == total - public_count
    page.click("#reset")
    assert watched.number("data-shown") == total
    page.select_option("#filter-domain", index=1)
    domain = int(page.locator("#filter-domain").input_value())
    assert watched.number("data-shown") == sum(domain in n["d"] for n in nodes) < total
    page.select_option("#filter-domain", value="")
    option = page.locator("#filter-territory option", has_text="Nantes Métropole")
    page.select_option("#filter-territory", value=option.get_attribute("value"))
    territory = int(page.locator("#filter-territory").input_value())
    assert watched.number("data-shown") == sum(territory in n["g"] for n in nodes) < total
    page.click("#reset")
    page.locator("#filter-types input").nth(0).uncheck()
    assert watched.number("data-shown") == sum(0 not in n["t"] for n in nodes)
    page.click("#reset")
    page.uncheck("#toggle-suggestions")
    assert watched.number("data-edges") == edges - suggestions


@pytest.fixture(scope="module")
def origins_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real and fictional actors side by side, as the demo draws them."""
    from ecograph.render.origins import Origin

    G = nx.Graph()
    for i in range(6):
        G.add_node(
            f"n{i}",
            name=f"Acteur {i}",
            actor_type="association",
            sector="ess",
            domains="housing",
            place="",
            sources="urn:graph:grants" if i < 4 else "urn:graph:sample",
        )
    G.add_edges_from((f"n{i}", f"n{i + 1}") for i in range(5))
    origins = {
        "urn:graph:grants": Origin("urn:graph:grants", "réel — grants.csv", False),
        "urn:graph:sample": Origin("urn:graph:sample", "fictif — échantillon", True),
    }
    document = build_map(Projection(G, nx.DiGraph(), {}), aggregate="none", origins=origins)
    return document.write(tmp_path_factory.mktemp("maps") / "origins.html")


def test_the_fictional_actors_can_be_hidden(watched: Watched, origins_map: Path) -> None:
    page = watched.open(origins_map)
    assert watched.number("data-shown") == 6
    page.locator("#filter-origins input").nth(1).uncheck()  # fictional comes last
    assert watched.number("data-shown") == 4
    page.locator("#filter-origins input").nth(0).uncheck()
    assert watched.number("data-shown") == 0
    page.click("#reset")
    assert watched.number("data-shown") == 6


@pytest.fixture(scope="module")
def generated_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated 2,000-actor territory, every actor drawn."""
    from ecograph.ontology import load_ontology
    from ecograph.sample import load_generated
    from ecograph.sample.generate import EcosystemSpec
    from ecograph.store import open_store

    with open_store(tmp_path_factory.mktemp("generated") / "ws") as store:
        load_ontology(store)
        spec = EcosystemSpec(actors=2000, seed=11, territory="44", id_prefix="g-")
        load_generated(store, spec, graph_name="generated/g", title="2,000 actors")
        projection = project_scope(store, Scope())
    document = build_map(projection, aggregate="none")
    return document.write(tmp_path_factory.mktemp("maps") / "generated.html")


def _first_view(watched: Watched, path: Path) -> tuple[list[dict], list[dict], dict]:
    page = watched.open(path)
    page.wait_for_function("document.documentElement.hasAttribute('data-labels-shown')")
    labels = page.evaluate("window.ecographLabels()")
    boxes = page.evaluate("window.ecographNodeBoxes()")
    size = page.evaluate("window.ecographViewSize()")
    return labels, boxes, size


def _overlapping(boxes: list[dict]) -> int:
    return sum(
        1
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]
    )


def _outside(boxes: list[dict], size: dict) -> int:
    return sum(
        1
        for b in boxes
        if b["x0"] < 0 or b["y0"] < 0 or b["x1"] > size["width"] or b["y1"] > size["height"]
    )


@pytest.mark.parametrize("which", ["sample_map", "generated_map"])
def test_the_first_view_has_no_overlapping_label_and_nothing_cut(
    watched: Watched, request: pytest.FixtureRequest, which: str
) -> None:
    """What a person sees on opening the map: labels drawn only where they fit, none over
    another, and every node and label inside the view (issue 16, first view)."""
    fixture = request.getfixturevalue(which)
    path = fixture[0] if isinstance(fixture, tuple) else fixture
    labels, boxes, size = _first_view(watched, path)
    shown = watched.number("data-labels-shown")
    hidden = watched.number("data-labels-hidden")
    assert shown == len(labels) > 0
    assert shown + hidden == watched.number("data-shown") == len(boxes)
    assert _overlapping(labels) == 0
    assert _outside(labels, size) == 0
    assert _outside(boxes, size) == 0


def test_zooming_in_shows_more_labels_and_untied_actors_are_listed(
    watched: Watched, sample_map: Any
) -> None:
    path, _, _ = sample_map
    page = watched.open(path)
    page.wait_for_function("document.documentElement.hasAttribute('data-labels-shown')")
    before = watched.number("data-labels-shown")
    page.mouse.move(800, 400)
    page.mouse.wheel(0, -600)
    page.wait_for_function(
        f"Number(document.documentElement.getAttribute('data-labels-shown')) > {before}"
    )
    assert _overlapping(page.evaluate("window.ecographLabels()")) == 0
    untied = watched.number("data-isolated")
    if untied:
        page.click("#isolated-count")
        assert page.locator("#isolated-list button").count() == untied
        page.locator("#isolated-list button").first.click()
        assert page.get_attribute("html", "data-focused") is not None


def test_a_geo_map_draws_its_basemap_offline(
    watched: Watched, sample_workspace: Path, tmp_path: Path
) -> None:
    from ecograph.store import open_store

    with open_store(sample_workspace, read_only=True) as store:
        projection = project_scope(store, Scope(territory="epci/244400404"))
    document = build_map(projection, layout="geo", aggregate="none")
    page = watched.open(document.write(tmp_path / "geo.html"))
    assert watched.number("data-basemap") > 100  # the borders of the département's communes
    assert "IGN" in page.locator("#attribution").text_content()
    # Communes are named once the zoom gives them room: more names closer in.
    # Communes are named where the zoom gives them room, none over another; closer in, a
    # commune too small to be named before is named.
    page.locator("html[data-place-names]").wait_for(state="attached", timeout=10_000)
    before = {n["name"] for n in page.evaluate("window.ecographPlaceNames()")}
    assert before and _overlapping(page.evaluate("window.ecographPlaceNames()")) == 0
    page.mouse.move(800, 400)
    page.mouse.wheel(0, -900)
    after: set[str] = set()
    for _ in range(100):  # polled here: the page's policy forbids wait_for_function's eval
        after = {n["name"] for n in page.evaluate("window.ecographPlaceNames()")}
        if after - before:
            break
        page.wait_for_timeout(100)
    assert after - before
    assert _overlapping(page.evaluate("window.ecographPlaceNames()")) == 0
    # A layer fills the communes by a figure, with its legend; "none" takes it away.
    plain = page.locator("#map canvas").screenshot()
    page.select_option("#layer", "0")
    assert page.get_attribute("html", "data-layer") == "density"
    assert page.locator("#layer-legend li").count() >= 2
    assert page.locator("#map canvas").screenshot() != plain
    page.select_option("#layer", "")
    assert page.get_attribute("html", "data-layer") == ""


def test_large_maps_draw_ties_on_one_layer(watched: Watched, layered_map: Any) -> None:
    path, ties = layered_map
    page = watched.open(path)
    assert watched.number("data-edges") == ties
    page.locator("#filter-ties input").nth(0).uncheck()
    assert 0 < watched.number("data-edges") < ties
    # The ties are painted: the canvas differs with and without them.
    shown = page.locator("#map canvas").screenshot()
    page.locator("#filter-ties input").nth(0).check()
    assert page.locator("#map canvas").screenshot() != shown


def test_hostile_text_shows_as_text_and_runs_nothing(watched: Watched, hostile_map: Path) -> None:
    page = watched.open(hostile_map)
    assert page.locator("h1").text_content() == HOSTILE
    assert page.title() == HOSTILE
    assert page.locator("body img, body svg, body script[src]").count() == 0
    assert HOSTILE_2 in page.locator("#filter-sectors").text_content()
    assert HOSTILE in page.locator("#filter-domain").text_content()
    page.fill("#search", "<")
    assert sorted(page.locator("#search-results button").all_text_contents()) == sorted(
        [HOSTILE, HOSTILE_2, HOSTILE_3]
    )
    page.fill("#search", "onerror")
    page.press("#search", "Enter")
    page.locator("html[data-focused]").wait_for(timeout=5_000)
    box = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2 + 1, box["y"] + box["height"] / 2 + 1)
    tooltip = page.locator(".vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert tooltip.text_content().startswith((HOSTILE, HOSTILE_2, HOSTILE_3))
    # innerText turns line breaks into <br>; nothing else may be parsed from the text.
    assert tooltip.locator("*:not(br)").count() == 0
