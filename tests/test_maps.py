"""The map (ecograph.render.maps): escaping, the JSON payload, layouts, aggregation, geography.

Fast tests on small hand-made projections; the drawing itself is checked in a real browser by
test_maps_browser.py.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import html as html_lib
import json
import re
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from typer.testing import CliRunner

from ecograph.cli import app
from ecograph.geography import TerritoryTable, geography
from ecograph.network.gaps import Suggestion
from ecograph.network.projection import Projection
from ecograph.render import build_map, geo, maps
from ecograph.render.layout import community_layout, fit, force_layout, spread_points
from ecograph.render.origins import Origin
from ecograph.render.page import script_json
from ecograph.resources import data_path

from .conftest import FIXTURES

HOSTILE = "<img src=x onerror=alert(1)>"
NANTES, REZE, NANTES_METROPOLE = "44109", "44143", "244400404"
# Created after the 2024 coordinates were compiled (COG 2026), in an EPCI of Maine-et-Loire.
NEW_COMMUNE = "49126"


@functools.cache
def table() -> TerritoryTable:
    return geography()


def actor(
    name: str,
    sector: str = "ess",
    actor_type: str = "association",
    commune: str = NANTES,
    domains: str = "housing",
) -> dict[str, str]:
    found = table().communes.get(commune)
    return {
        "name": name,
        "actor_type": actor_type,
        "sector": sector,
        "domains": domains,
        "place": "",
        "commune": commune,
        "epci": (found.epci or "") if found else "",
        "departement": found.departement if found else "",
        "region": found.region if found else "",
    }


def projection_of(G: nx.Graph) -> Projection:
    return Projection(G, nx.DiGraph(), {})


def small_graph() -> nx.Graph:
    G = nx.Graph()
    G.add_node("a", **actor("Alpha – Nantes", "public", "commune"))
    G.add_node("b", **actor(HOSTILE, "ess", "association", REZE, "housing health"))
    G.add_node("c", **actor('Gamma "quoted" </script><!--', "privateForProfit", "company"))
    G.add_node("d", **actor("Delta\u2028line", "academic", "researchEducation"))
    for a, b in [("a", "b"), ("b", "c"), ("a", "c")]:
        G.add_edge(a, b, weight=1, partnerships=[], projects=["p"])
    return G


def data_block(page: str, name: str) -> object:
    found = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', page, re.S)
    assert found, name
    return json.loads(found.group(1))


# --------------------------------------------------------------------------- escaping
def test_script_json_cannot_close_the_script_and_round_trips() -> None:
    value = {"name": "</script><script>alert(1)</script> & <!-- \u2028\u2029 é"}
    text = str(script_json(value))
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == value


def test_hostile_names_and_title_are_text_only() -> None:
    document = build_map(projection_of(small_graph()), title=HOSTILE, aggregate="none")
    page = document.html
    assert HOSTILE not in page
    assert page.count(html_lib.escape(HOSTILE)) >= 2  # <title>, <h1>, aria-label
    assert "</script><!--" not in page
    nodes = data_block(page, "map-nodes")
    assert {n["label"] for n in nodes} >= {HOSTILE, 'Gamma "quoted" </script><!--'}
    hostile = next(n for n in nodes if n["label"] == HOSTILE)
    assert hostile["title"].startswith(HOSTILE + "\n")  # a plain string, never an element


def test_page_asks_for_nothing_over_the_network() -> None:
    page = build_map(projection_of(small_graph()), aggregate="none").html
    assert not re.search(r"<(link|img|iframe)\b", page)
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert "bootstrap" not in page.lower() and "cdn" not in page.lower()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert policy and "default-src 'none'" in html_lib.unescape(policy.group(1))


def test_policy_allows_exactly_the_inline_scripts() -> None:
    page = build_map(projection_of(small_graph()), aggregate="none").html
    policy = html_lib.unescape(re.search(r'Security-Policy" content="([^"]*)"', page).group(1))
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 2  # vis-network and ecograph's map.js
    digests = {
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in scripts
    }
    allowed = set(re.search(r"script-src ([^;]*)", policy).group(1).split())
    assert allowed == digests


# --------------------------------------------------------------------------- payload
def test_nodes_carry_style_and_facets() -> None:
    page = build_map(projection_of(small_graph()), aggregate="none", lang="en").html
    nodes = data_block(page, "map-nodes")
    options = data_block(page, "map-options")
    assert options["physics"]["enabled"] is False
    assert len(nodes) == 4 and all({"x", "y", "s", "t", "d", "g"} <= set(n) for n in nodes)
    alpha = next(n for n in nodes if n["label"] == "Alpha – Nantes")
    assert alpha["shape"] == "triangle" and alpha["color"] == "#0072B2"
    assert "Type: Municipality (commune)" in alpha["title"] and "Nantes (44109)" in alpha["title"]
    assert "Public sector" in page and "Find an actor" in page


def origin_graph() -> tuple[nx.Graph, dict[str, Origin]]:
    """Two actors from an imported file, one from the sample, one stated by both."""
    G = small_graph()
    grants, sample = "urn:graph:grants", "urn:graph:sample"
    for node, sources in {"a": grants, "b": grants, "c": sample, "d": f"{grants} {sample}"}.items():
        G.nodes[node]["sources"] = sources
    origins = {
        grants: Origin(grants, "real — grants.csv", False),
        sample: Origin(sample, "fictional — ecograph's sample", True),
    }
    return G, origins


def test_the_legend_and_tooltips_say_which_actors_are_real() -> None:
    G, origins = origin_graph()
    page = build_map(projection_of(G), aggregate="none", lang="en", origins=origins).html
    legend = re.search(r'<fieldset id="filter-origins">(.*?)</fieldset>', page, re.S)
    assert legend is not None
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", legend.group(1)))
    # real first; "d" (stated by both) counts as real, once
    assert re.search(r"real — grants\.csv\S*\s+3\b", text)
    assert re.search(r"fictional — ecograph's sample\S*\s+1\b", text)
    assert text.index("real") < text.index("fictional")
    nodes = {n["label"]: n for n in data_block(page, "map-nodes")}
    assert nodes["Alpha – Nantes"]["o"] == [0]
    assert "Origin: real — grants.csv" in nodes["Alpha – Nantes"]["title"]
    assert [n["o"] for n in nodes.values() if n["label"].startswith("Gamma")] == [[1]]
    # without origins, no legend and no tooltip line
    plain = build_map(projection_of(G), aggregate="none", lang="en").html
    assert 'id="filter-origins"' not in plain
    assert not any("Origin:" in n["title"] for n in data_block(plain, "map-nodes"))


def test_size_follows_the_metric() -> None:
    G = small_graph()
    nodes = data_block(build_map(projection_of(G), aggregate="none").html, "map-nodes")
    sizes = {n["label"]: n["size"] for n in nodes}
    assert sizes["Alpha – Nantes"] > sizes["Delta\u2028line"]  # degree 2 vs 0


def test_suggestions_are_dashed_edges_with_their_explanation() -> None:
    suggestion = Suggestion(
        "a", "d", 0.9, ("housing",), 1, True, False, "Both work on <b>housing</b>."
    )
    document = build_map(projection_of(small_graph()), suggestions=[suggestion], aggregate="none")
    edges = data_block(document.html, "map-edges")
    dashed = [e for e in edges if "dashes" in e]
    assert len(dashed) == 1 and dashed[0]["title"].endswith("Both work on <b>housing</b>.")
    assert document.summary.suggestions == 1 and document.summary.edges == 4
    assert 'id="toggle-suggestions"' in document.html


def test_bad_arguments_name_the_setting() -> None:
    projection = projection_of(small_graph())
    with pytest.raises(ValueError, match="needs the metrics"):
        build_map(projection, size_by="betweenness")
    with pytest.raises(ValueError, match="layout 'circle'"):
        build_map(projection, layout="circle")
    with pytest.raises(ValueError, match="aggregate"):
        build_map(projection, aggregate="commune")


def test_write(tmp_path: Path) -> None:
    document = build_map(projection_of(small_graph()))
    written = document.write(tmp_path / "map.html")
    assert written.read_text(encoding="utf-8") == document.html


# --------------------------------------------------------------------------- layout
def test_force_layout_is_seeded() -> None:
    G = nx.les_miserables_graph()
    index = {n: i for i, n in enumerate(G)}
    edges = [(index[a], index[b]) for a, b in G.edges()]
    first = force_layout(len(index), edges, seed=3)
    assert np.array_equal(first, force_layout(len(index), edges, seed=3))
    assert not np.array_equal(first, force_layout(len(index), edges, seed=4))


def test_communities_are_laid_out_apart() -> None:
    """Two dense groups joined by one tie, and a star: each community gets its own disc, and
    no two discs overlap, so clusters read as clusters; same seed, same positions."""
    G = nx.disjoint_union_all([nx.complete_graph(12), nx.complete_graph(12), nx.star_graph(30)])
    G.add_edge(0, 12)
    G.add_edge(5, 24)
    G.add_node(999)  # no tie: the block beside
    index = {n: i for i, n in enumerate(G)}
    edges = [(index[a], index[b]) for a, b in G.edges()]
    positions = community_layout(len(index), edges, seed=2)
    assert np.array_equal(positions, community_layout(len(index), edges, seed=2))
    groups = [range(0, 12), range(12, 24), range(24, 55)]
    discs = []
    for group in groups:
        points = positions[[index[n] for n in group]]
        centre = points.mean(axis=0)
        discs.append((centre, np.linalg.norm(points - centre, axis=1).max()))
    for i, (a, ra) in enumerate(discs):
        for b, rb in discs[i + 1 :]:
            assert np.linalg.norm(a - b) > ra + rb  # apart, with room between
    alone = positions[index[999]]
    assert alone[0] > max(positions[[index[n] for n in range(55)], 0])


def test_same_projection_and_seed_same_page() -> None:
    projection = projection_of(nx.relabel_nodes(small_graph(), str))
    assert build_map(projection, seed=1).html == build_map(projection, seed=1).html


def test_fit_scales_with_the_node_count_and_spread_separates() -> None:
    points = fit(np.random.default_rng(0).normal(size=(400, 2)), spacing=10)
    assert np.percentile(np.abs(points), 95) == pytest.approx(100, rel=0.02)
    offsets = spread_points(50)
    distances = np.linalg.norm(offsets[:, None] - offsets[None], axis=-1)
    assert distances[np.triu_indices(50, 1)].min() > 5


# --------------------------------------------------------------------------- aggregation
def big_graph(n: int = 60) -> nx.Graph:
    G = nx.Graph()
    communes = [NANTES, REZE, "44184", "44026"]  # Saint-Nazaire (CARENE), Carquefou (Nantes M.)
    for i in range(n):
        G.add_node(
            f"x{i:03}", **actor(f"Actor {i}", ("ess", "public")[i % 2], commune=communes[i % 4])
        )
    for i in range(n):
        G.add_edge(f"x{i:03}", f"x{(i + 1) % n:03}", weight=1, partnerships=[], projects=[])
        G.add_edge(f"x{i:03}", f"x{(i + 4) % n:03}", weight=1, partnerships=[], projects=[])
    return G


def test_auto_aggregates_above_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    projection = projection_of(big_graph())
    assert build_map(projection).summary.aggregated is None
    monkeypatch.setattr(maps, "AGGREGATE_ABOVE", 50)
    document = build_map(projection)
    assert document.summary.aggregated == "community"
    nodes = data_block(document.html, "map-nodes")
    assert sum(int(re.search(r"\((\d+)\)$", n["label"]).group(1)) for n in nodes) == 60
    assert 'id="aggregated-note"' in document.html


def test_territory_aggregation_counts_actors_and_ties() -> None:
    document = build_map(projection_of(big_graph()), aggregate="epci", lang="en")
    nodes = data_block(document.html, "map-nodes")
    labels = sorted(n["label"] for n in nodes)
    assert len(labels) == 2 and any(label.startswith("Nantes Métropole (45)") for label in labels)
    edges = data_block(document.html, "map-edges")
    assert len(edges) == 1  # one pair of EPCIs; ties inside an EPCI are in its tooltip
    departement = build_map(projection_of(big_graph()), aggregate="departement")
    assert departement.summary.nodes == 1


# --------------------------------------------------------------------------- geography
#: An excerpt of datas.fun's communes/départements/régions files (tests/fixtures/README.md).
GEO_SOURCE = FIXTURES / "geo"


def test_geo_layout_places_actors_at_their_commune_and_says_when_it_cannot() -> None:
    G = small_graph()
    G.add_node("e", **actor("Echo", commune=NEW_COMMUNE))
    G.add_node("f", **actor("Foxtrot", commune=""))
    document = build_map(
        projection_of(G), layout="geo", aggregate="none", lang="en", coordinates=GEO_SOURCE
    )
    assert document.summary.fallback == 1 and document.summary.unplaced == 1
    nodes = {n["label"]: n for n in data_block(document.html, "map-nodes")}
    assert "commune without a point on the map" in nodes["Echo"]["title"]
    assert "not located" in nodes["Foxtrot"]["title"]
    # Rezé is south of Nantes: a larger y on screen.
    assert nodes[HOSTILE]["y"] > nodes["Alpha – Nantes"]["y"]


def test_geo_layout_works_with_the_shipped_centroids(monkeypatch: pytest.MonkeyPatch) -> None:
    """No coordinates given: the centroids ecograph ships from IGN's contours place every
    commune (a 2026 commune created by a merger too), and the page says whose they are."""
    monkeypatch.delenv(geo.COORDINATES_ENV, raising=False)
    shipped = geo.read_coordinates()
    communes = table().communes.values()
    metropolitan = [c for c in communes if not c.departement.startswith(("97", "98"))]
    placed = sum(c.code in shipped.communes for c in metropolitan)
    assert placed / len(metropolitan) > 0.999  # all but the few re-created since 2018
    overseas = [c for c in communes if c.departement in {"971", "972", "973", "974", "976"}]
    assert all(c.code in shipped.communes for c in overseas)
    assert NEW_COMMUNE in shipped.communes  # a commune nouvelle, union of its old communes
    nantes, reze = shipped.communes[NANTES], shipped.communes[REZE]
    assert 47.20 < nantes[0] < 47.26 and -1.60 < nantes[1] < -1.50
    assert reze[0] < nantes[0]  # Rezé is south of Nantes
    assert set(shipped.departements) >= {"44", "2A", "974"} and "52" in shipped.regions
    G = small_graph()
    G.add_node("e", **actor("Echo", commune=NEW_COMMUNE))
    document = build_map(projection_of(G), layout="geo", aggregate="none", lang="en")
    assert document.summary.fallback == 0 and document.summary.unplaced == 0
    assert "IGN, Admin Express COG 2018" in document.html


def test_centroids_of_a_square_and_of_a_merged_commune() -> None:
    from ecograph.render.centroids_build import shape_centroid

    square = {"type": "Polygon", "coordinates": [[[0, 0], [0, 2], [2, 2], [2, 0], [0, 0]]]}
    holed = {
        "type": "Polygon",
        "coordinates": [
            [[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]],
            [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]],  # a hole in one corner
        ],
    }
    area, lat, lon = shape_centroid([square])
    assert area == pytest.approx(4, rel=1e-3)  # in degrees², longitude scaled by cos(lat)
    assert (round(lat, 6), round(lon, 6)) == (1.0, 1.0)
    east = {"type": "Polygon", "coordinates": [[[2, 0], [4, 0], [4, 2], [2, 2], [2, 0]]]}
    _, lat, lon = shape_centroid([square, east])  # a union: the centre of the whole
    assert (round(lat, 6), round(lon, 6)) == (1.0, 2.0)
    _, lat, lon = shape_centroid([holed])
    assert lat > 1.0 and lon > 1.0  # pushed away from the hole
    assert shape_centroid([]) is None


def test_borders_are_arcs_shared_by_neighbours_and_dropped_inside_a_merger() -> None:
    """Two unit squares side by side: their common edge is one arc with both communes on
    its sides, drawn once; when the second was absorbed by the first, that arc goes."""
    from ecograph.render.borders_build import build_arcs, simplify

    def square(x: int) -> dict:
        ring = [[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]
        return {"type": "Polygon", "coordinates": [ring]}

    shapes = {"44001": [square(0)], "44002": [square(1)]}
    arcs = build_arcs(shapes, {})
    sides = sorted((a, b) for a, b, _ in arcs)
    assert sides == [("44001", ""), ("44001", "44002"), ("44002", "")]
    shared = next(points for a, b, points in arcs if b == "44002")
    assert len(shared) == 2  # the one common edge, with its two ends
    merged = build_arcs(shapes, {"44002": "44001"})
    assert sorted((a, b) for a, b, _ in merged) == [("44001", ""), ("44001", "")]
    wiggle = [(0, 0), (50, 10), (100, 0), (150, 300), (200, 0)]
    assert simplify(wiggle, tolerance=60) == [(0, 0), (100, 0), (150, 300), (200, 0)]


def test_a_geo_map_carries_layers_that_shade_communes_as_the_report_does() -> None:
    """Actors per 1,000 inhabitants and funding per inhabitant, one colour per commune of the
    département drawn: a commune with actors is shaded, one without is white."""
    G = nx.Graph()
    for i in range(30):
        G.add_node(f"r{i:02}", **actor(f"Rezé {i}", commune=REZE))
    G.add_node("n", **actor("Nantes 0", commune=NANTES))
    document = build_map(projection_of(G), layout="geo", aggregate="none", lang="fr")
    layers = data_block(document.html, "map-page")["layers"]
    communes44 = [c for c in table().communes.values() if c.departement == "44" and c.population]
    assert len(layers["shapes"]) == len(layers["names"]) == len(communes44)
    density = next(layer for layer in layers["layers"] if layer["id"] == "density")
    colour = dict(zip(layers["names"], density["colours"], strict=True))
    assert colour["Rezé"] != "#ffffff" and colour["Nantes"] != "#ffffff"
    assert colour["Rezé"] != colour["Nantes"]  # 30 actors for 42,000 people, 1 for 320,000
    assert colour["Saint-Nazaire"] == "#ffffff"
    assert density["legend"][0] == ["#ffffff", "aucun acteur"]
    housing = next(layer for layer in layers["layers"] if layer["id"] == "density-housing")
    assert housing["title"] == "Acteurs « Logement » pour 1 000 habitants"
    assert housing["colours"] == density["colours"]  # every actor here works on housing
    assert 'id="layer"' in document.html
    force = build_map(projection_of(G), aggregate="none")
    assert 'id="layer"' not in force.html


def test_actors_of_one_commune_are_spread_inside_it() -> None:
    """Two hundred actors in Rezé and one in Nantes next door: Rezé's stand side by side on a
    spiral that stays nearer Rezé's centre than halfway to any other commune's, so they sit
    inside Rezé, not on one spot and not over Nantes."""
    G = nx.Graph()
    for i in range(200):
        G.add_node(f"r{i:03}", **actor(f"Rezé {i}", commune=REZE))
    G.add_node("n", **actor("Nantes 0", commune=NANTES))
    document = build_map(projection_of(G), layout="geo", aggregate="none", lang="en")
    nodes = data_block(document.html, "map-nodes")
    reze = np.array([(n["x"], n["y"]) for n in nodes if n["label"].startswith("Rezé")])
    nantes = next(np.array((n["x"], n["y"])) for n in nodes if n["label"] == "Nantes 0")
    assert len({tuple(p) for p in reze.tolist()}) == 200  # no two on one spot
    centre = reze.mean(axis=0)
    reach = float(np.hypot(*(reze - centre).T).max())
    assert 0 < reach < 0.5 * float(np.hypot(*(nantes - centre)))


def test_a_geo_map_draws_the_borders_of_its_territory_under_the_actors() -> None:
    """The shipped borders, in the nodes' plane: Nantes's node lies within the span of the
    commune borders drawn, and the départements' outline is among them."""
    from ecograph.render import basemap

    document = build_map(projection_of(small_graph()), layout="geo", aggregate="none")
    page_data = data_block(document.html, "map-page")
    lines = page_data["basemap"]
    assert set(lines) == set(basemap.KINDS)
    assert all(lines[kind] for kind in basemap.KINDS)
    xs = [x for polyline in lines["commune"] for x in polyline[0::2]]
    ys = [y for polyline in lines["commune"] for y in polyline[1::2]]
    nantes = next(
        n for n in data_block(document.html, "map-nodes") if n["label"].startswith("Alpha")
    )
    assert min(xs) < nantes["x"] < max(xs) and min(ys) < nantes["y"] < max(ys)
    assert "IGN, Admin Express COG 2018" in document.html
    force = build_map(projection_of(small_graph()), aggregate="none")
    assert data_block(force.html, "map-page")["basemap"] == {}


def test_every_shipped_border_names_current_communes() -> None:
    from ecograph.render import basemap

    borders = basemap.shipped_borders()
    communes = table().communes
    assert borders.scale == 100_000 and len(borders.sides) > 90_000
    assert all(a in communes and (not b or b in communes) for a, b in borders.sides)
    assert len(borders.starts) == len(borders.sides) + 1
    assert borders.points(0).shape[1] == 2 and len(borders.points(0)) >= 2


def test_locate_falls_back_to_the_epci_then_the_departement() -> None:
    coordinates = geo.read_coordinates(GEO_SOURCE)
    new = table().communes[NEW_COMMUNE]
    spot = geo.locate(actor("x", commune=NEW_COMMUNE), coordinates, table())
    assert (spot.how, spot.code, spot.fallback) == ("epci", new.epci, True)
    no_epci = {"commune": "99999", "epci": "", "departement": "44", "region": "52"}
    assert geo.locate(no_epci, coordinates, table()).how == "departement"
    assert geo.locate({"region": "52"}, coordinates, table()).how == "region"
    paris = geo.locate({"commune": "75056"}, coordinates, table())
    assert paris.how == "commune" and 48.8 < paris.lat < 48.9


def test_coordinates_are_derived_from_the_datas_fun_files_or_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder is derived on the fly; the derived file reads back the same; a file that
    cannot be read is refused with its row. (The datas.fun compilation itself is never
    shipped: it states no licence.)"""
    rebuilt = tmp_path / "coords.csv.gz"
    geo.write_coordinates(geo.derive_coordinates(GEO_SOURCE), rebuilt)
    with gzip.open(rebuilt, "rt", encoding="utf-8") as handle:
        levels = [line.split(",", 1)[0] for line in handle]
    # Nantes, Rezé and two communes of Mauges Communauté from their COM rows (one row per
    # postcode), Paris from its arrondissements; the delegated communes (COMD) and a commune
    # without coordinates left out; three départements, two régions.
    assert (levels.count("commune"), levels.count("departement"), levels.count("region")) == (
        5,
        3,
        2,
    )
    from_file, from_folder = geo.read_coordinates(rebuilt), geo.read_coordinates(GEO_SOURCE)
    assert from_file.communes == from_folder.communes
    monkeypatch.setenv(geo.COORDINATES_ENV, str(rebuilt))
    assert geo.read_coordinates().communes == from_file.communes
    monkeypatch.delenv(geo.COORDINATES_ENV)
    broken = tmp_path / "broken.csv"
    broken.write_text("level,code,lat,lon\ncommune,44109,north,2\n", encoding="utf-8")
    with pytest.raises(geo.CoordinatesMissing, match="row 2"):
        geo.read_coordinates(broken)
    assert not list(data_path("").parent.glob("**/communes-latlon*")), "coordinates shipped"


# --------------------------------------------------------------------------- command
def test_map_command(sample_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    result = CliRunner().invoke(
        app,
        [
            "--store",
            str(sample_workspace),
            "map",
            "--out",
            str(out),
            "--no-metrics",
            "--suggestions",
            "5",
            "--territory",
            f"epci/{NANTES_METROPOLE}",
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "5 suggested partnerships" in result.output
    page = out.read_text(encoding="utf-8")
    assert len(data_block(page, "map-nodes")) > 50
    epcis = re.search(
        r'<optgroup label="Intercommunalities \(EPCI\)">(.*?)</optgroup>', page, re.S
    ).group(1)
    assert re.findall(r"<option[^>]*>([^(<]*)", epcis) == ["Nantes Métropole "]
    refused = CliRunner().invoke(
        app,
        [
            "--store",
            str(sample_workspace),
            "map",
            "--out",
            str(out),
            "--no-metrics",
            "--size-by",
            "betweenness",
        ],
    )
    assert refused.exit_code == 2 and "--no-metrics" in refused.output


def test_size_by_choices_match_the_metrics() -> None:
    from ecograph.cli.maps import SizeBy
    from ecograph.render.style import METRICS

    assert [m.value for m in SizeBy] == list(METRICS)
