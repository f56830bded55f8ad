"""The SPARQL results writer against the W3C specifications' own examples, and the CLI and the
endpoint answering the same bytes.

The examples are typed in from the W3C Recommendations (W3C Software and Document License):
SPARQL 1.1 Query Results CSV and TSV Formats §3.3 and §4.3, SPARQL 1.1 Query Results JSON
Format §3 (ASK) and its full example, SPARQL Query Results XML Format (Second Edition) §2 and
§3. CSV and TSV examples are compared byte for byte. The JSON and XML examples are indented
for reading, so they are compared as parsed JSON and as canonical XML without whitespace.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from ecograph.cli import app
from ecograph.sparql_results import (
    MEDIA_TYPES,
    boolean_text,
    capped_solutions,
    encode_solutions,
    term_text,
    write_boolean,
    write_solutions,
)
from ecograph.store import open_store

from .ecograph_server import RunningServer, ecograph_server

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=iri(datatype))


def text(format: str, variables: list[str], rows: Sequence[Sequence[Any]], **options: Any) -> str:
    """The whole document, pieces joined."""
    return "".join(encode_solutions(format, variables, rows, **options))


# ----------------------------------------------------------------------------- CSV and TSV
X = iri("http://example/x")
#: The results table of the CSV/TSV specification, §1.1.
SPEC_TABLE = [
    (X, ox.Literal("String")),
    (X, ox.Literal('String-with-dquote"')),
    (ox.BlankNode("b0"), ox.Literal("Blank node")),
    (None, ox.Literal("Missing 'x'")),
    (None, None),
    (X, None),
    (ox.BlankNode("b1"), ox.Literal("String-with-lang", language="en")),
    (ox.BlankNode("b1"), typed("123", XSD + "integer")),
]


def test_csv_is_the_specification_example_byte_for_byte() -> None:
    example = [
        "x,literal",
        "http://example/x,String",
        'http://example/x,"String-with-dquote"""',
        "_:b0,Blank node",
        ",Missing 'x'",
        ",",
        "http://example/x,",
        "_:b1,String-with-lang",
        "_:b1,123",
    ]
    assert text("csv", ["x", "literal"], SPEC_TABLE) == "\r\n".join(example) + "\r\n"


def test_tsv_is_the_specification_example_byte_for_byte() -> None:
    # The example names its blank nodes _:blank0 and _:blank1 (labels are local to a result).
    table = [
        (
            ox.BlankNode({"b0": "blank0", "b1": "blank1"}[t.value])
            if isinstance(t, ox.BlankNode)
            else t,
            v,
        )
        for t, v in SPEC_TABLE
    ]
    example = [
        "?x\t?literal",
        '<http://example/x>\t"String"',
        '<http://example/x>\t"String-with-dquote\\""',
        '_:blank0\t"Blank node"',
        "\t\"Missing 'x'\"",
        "\t",
        "<http://example/x>\t",
        '_:blank1\t"String-with-lang"@en',
        "_:blank1\t123",
    ]
    assert text("tsv", ["x", "literal"], table) == "\n".join(example) + "\n"


HOSTILE = ox.Literal('quote " comma , tab \t newline \n return \r back \\ <tag> & done')


def test_csv_quotes_and_tsv_escapes_awkward_literals() -> None:
    rows = [(HOSTILE, ox.Literal("plain"))]
    csv_text = text("csv", ["a", "b"], rows)
    assert csv_text == (
        'a,b\r\n"quote "" comma , tab \t newline \n return \r back \\ <tag> & done",plain\r\n'
    )
    assert next(csv.reader(io.StringIO(csv_text.split("\r\n", 1)[1], newline=""))) == [
        HOSTILE.value,
        "plain",
    ]
    tsv_text = text("tsv", ["a", "b"], rows)
    assert tsv_text == (
        '?a\t?b\n"quote \\" comma , tab \\t newline \\n return \\r back \\\\ <tag> & done"'
        '\t"plain"\n'
    )


@pytest.mark.parametrize(
    ("literal", "written"),
    [
        (typed("42", XSD + "integer"), "42"),
        (typed("-7", XSD + "integer"), "-7"),
        (typed("1.5", XSD + "decimal"), "1.5"),
        (typed("1.0e3", XSD + "double"), "1.0e3"),
        (typed("1", XSD + "decimal"), f'"1"^^<{XSD}decimal>'),  # Turtle would read an integer
        (typed("1", XSD + "int"), f'"1"^^<{XSD}int>'),  # only the three numeric types
        (typed("INF", XSD + "double"), f'"INF"^^<{XSD}double>'),
        (typed("true", XSD + "boolean"), f'"true"^^<{XSD}boolean>'),
        (typed("2024-01-31", XSD + "date"), f'"2024-01-31"^^<{XSD}date>'),
        (ox.Literal("chat", language="fr"), '"chat"@fr'),
        (ox.Literal("12"), '"12"'),
    ],
)
def test_tsv_abbreviates_only_what_turtle_reads_back_the_same(
    literal: ox.Literal, written: str
) -> None:
    document = text("tsv", ["v"], [(literal,)])
    assert document == f"?v\n{written}\n"
    parsed = ox.parse_query_results(document.encode(), ox.QueryResultsFormat.TSV)
    assert isinstance(parsed, ox.QuerySolutions)
    assert [solution["v"] for solution in parsed] == [literal]


# ----------------------------------------------------------------------------- JSON and XML
#: The data of the JSON and XML specifications' full examples (the query in their §2).
ALICE_BOB_VARIABLES = ["x", "hpage", "name", "mbox", "age", "blurb", "friend"]
ALICE_BOB = [
    (
        ox.BlankNode("r1"),
        iri("http://work.example.org/alice/"),
        ox.Literal("Alice"),
        ox.Literal(""),
        None,
        typed(
            '<p xmlns="http://www.w3.org/1999/xhtml">My name is <b>alice</b></p>',
            RDF + "XMLLiteral",
        ),
        ox.BlankNode("r2"),
    ),
    (
        ox.BlankNode("r2"),
        iri("http://work.example.org/bob/"),
        ox.Literal("Bob", language="en"),
        iri("mailto:bob@work.example.org"),
        None,
        None,
        ox.BlankNode("r1"),
    ),
]
JSON_EXAMPLE = """
{
   "head": {
       "vars": [ "x", "hpage", "name", "mbox", "age", "blurb", "friend" ]
       },
   "results": {
       "bindings": [
               {
                   "x" : { "type": "bnode", "value": "r1" },
                   "hpage" : { "type": "uri", "value": "http://work.example.org/alice/" },
                   "name" : {  "type": "literal", "value": "Alice" } ,
                   "mbox" : {  "type": "literal", "value": "" } ,
                   "blurb" : {
                     "datatype": "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral",
                     "type": "literal",
                     "value": "<p xmlns=\\"http://www.w3.org/1999/xhtml\\">My name is <b>alice</b></p>"
                   },
                   "friend" : { "type": "bnode", "value": "r2" }
               },
               {
                   "x" : { "type": "bnode", "value": "r2" },
                   "hpage" : { "type": "uri", "value": "http://work.example.org/bob/" },
                   "name" : { "type": "literal", "value": "Bob", "xml:lang": "en" },
                   "mbox" : { "type": "uri", "value": "mailto:bob@work.example.org" },
                   "friend" : { "type": "bnode", "value": "r1" }
               }
           ]
       }
}
"""  # noqa: E501 (the example's lines, as written)
#: The XML example's data: the same, and Bob is 30.
XML_DATA = [ALICE_BOB[0], (*ALICE_BOB[1][:4], typed("30", XSD + "integer"), *ALICE_BOB[1][5:])]
# The XML example, without its <link href="example.rq"/> and schema attributes, which ecograph
# does not write.
XML_EXAMPLE = """<?xml version="1.0"?>
<sparql xmlns="http://www.w3.org/2005/sparql-results#">
  <head>
    <variable name="x"/>
    <variable name="hpage"/>
    <variable name="name"/>
    <variable name="mbox"/>
    <variable name="age"/>
    <variable name="blurb"/>
    <variable name="friend"/>
  </head>
  <results>
    <result>
      <binding name="x"><bnode>r1</bnode></binding>
      <binding name="hpage"><uri>http://work.example.org/alice/</uri></binding>
      <binding name="name"><literal>Alice</literal></binding>
      <binding name="mbox"><literal></literal></binding>
      <binding name="friend"><bnode>r2</bnode></binding>
      <binding name="blurb"><literal datatype="http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral">&lt;p xmlns="http://www.w3.org/1999/xhtml"&gt;My name is &lt;b&gt;alice&lt;/b&gt;&lt;/p&gt;</literal></binding>
    </result>
    <result>
      <binding name="x"><bnode>r2</bnode></binding>
      <binding name="hpage"><uri>http://work.example.org/bob/</uri></binding>
      <binding name="name"><literal xml:lang="en">Bob</literal></binding>
      <binding name="mbox"><uri>mailto:bob@work.example.org</uri></binding>
      <binding name="age"><literal datatype="http://www.w3.org/2001/XMLSchema#integer">30</literal></binding>
      <binding name="friend"><bnode>r1</bnode></binding>
    </result>
  </results>
</sparql>
"""  # noqa: E501 (the example's lines, as written)
SR = "{http://www.w3.org/2005/sparql-results#}"


def xml_structure(document: str) -> tuple[list[str], list[dict[str, str]]]:
    """The variables, and each result's bindings by name as canonical XML (the format leaves
    the order of a result's bindings to the writer, and whitespace between tags is layout)."""
    root = ElementTree.fromstring(document.encode())
    variables = [v.attrib["name"] for v in root.iter(SR + "variable")]
    results = [
        {
            binding.attrib["name"]: ElementTree.canonicalize(
                ElementTree.tostring(binding[0], encoding="unicode"), strip_text=True
            )
            for binding in result.iter(SR + "binding")
        }
        for result in root.iter(SR + "result")
    ]
    return variables, results


def canonical_xml(document: str) -> str:
    """The document without its declaration, in canonical XML, whitespace between tags gone."""
    body = document.split("?>", 1)[1] if document.startswith("<?xml") else document
    return ElementTree.canonicalize(body, strip_text=True)


def test_json_matches_the_specification_example() -> None:
    written = text("json", ALICE_BOB_VARIABLES, ALICE_BOB)
    assert json.loads(written) == json.loads(JSON_EXAMPLE)
    assert '"age":' not in written  # unbound in every row: left out of each


def test_xml_matches_the_specification_example() -> None:
    written = text("xml", ALICE_BOB_VARIABLES, XML_DATA)
    assert written.startswith('<?xml version="1.0"?><sparql xmlns=')
    assert xml_structure(written) == xml_structure(XML_EXAMPLE)


def test_ask_in_every_format() -> None:
    assert json.loads(boolean_text("json", True)) == json.loads(
        '{ "head" : { } , "boolean" : true }'
    )
    spec_ask = """<?xml version="1.0"?>
<sparql xmlns="http://www.w3.org/2005/sparql-results#">
  <head>
  </head>
  <boolean>true</boolean>
</sparql>"""
    assert canonical_xml(boolean_text("xml", True)) == canonical_xml(spec_ask)
    assert boolean_text("csv", False) == boolean_text("tsv", False) == "false"
    for format, parser in (
        ("json", ox.QueryResultsFormat.JSON),
        ("xml", ox.QueryResultsFormat.XML),
        ("tsv", ox.QueryResultsFormat.TSV),
    ):
        for value in (True, False):
            answer = ox.parse_query_results(boolean_text(format, value).encode(), parser)
            assert bool(answer) is value, format


TERMS: list[ox.NamedNode | ox.BlankNode | ox.Literal | None] = [
    iri("http://example.org/a?b=c&d=\u00e9#f"),
    ox.BlankNode("b0"),
    HOSTILE,
    ox.Literal("chat", language="fr"),
    typed("42", XSD + "integer"),
    typed("1", XSD + "int"),
    None,
]


@pytest.mark.parametrize(
    ("format", "parser"),
    [
        ("json", ox.QueryResultsFormat.JSON),
        ("xml", ox.QueryResultsFormat.XML),
        ("tsv", ox.QueryResultsFormat.TSV),
    ],
)
def test_lossless_formats_read_back_through_pyoxigraph(
    format: str, parser: ox.QueryResultsFormat
) -> None:
    """Every kind of term, and a literal with quotes, commas, tabs, LF, CR, backslashes and
    markup, comes back equal (a CR inside XML text must be written as a reference, or an XML
    parser reads it as LF)."""
    variables = ["v", "w"]
    rows = [(term, TERMS[(i + 1) % len(TERMS)]) for i, term in enumerate(TERMS)]
    document = text(format, variables, rows, truncated=True).encode()
    parsed = ox.parse_query_results(document, parser)
    assert isinstance(parsed, ox.QuerySolutions)
    assert [v.value for v in parsed.variables] == variables
    assert [(s["v"], s["w"]) for s in parsed] == rows


# ----------------------------------------------------------------------------- options
FORMULAS = [
    ox.Literal("=1+1"),
    ox.Literal("@SUM(A1)", language="fr"),
    typed("-3.5", XSD + "decimal"),
]


def test_formula_escape_is_an_option_of_csv_and_tsv_only() -> None:
    rows = [tuple(FORMULAS)]
    names = ["a", "b", "c"]
    assert text("csv", names, rows) == "a,b,c\r\n=1+1,@SUM(A1),-3.5\r\n"
    assert text("csv", names, rows, formula_escape=True) == "a,b,c\r\n'=1+1,'@SUM(A1),-3.5\r\n"
    assert text("tsv", names, rows, formula_escape=True) == (
        '?a\t?b\t?c\n"\'=1+1"\t"\'@SUM(A1)"@fr\t-3.5\n'
    )
    for format in ("json", "xml"):
        assert text(format, names, rows, formula_escape=True) == text(format, names, rows)


def test_write_solutions_to_text_and_binary_streams() -> None:
    as_text, as_bytes = io.StringIO(), io.BytesIO()
    write_solutions(as_text, "csv", ["x"], [(ox.Literal("é"),)])
    write_solutions(as_bytes, "csv", ["x"], [(ox.Literal("é"),)])
    assert as_text.getvalue() == "x\r\né\r\n"
    assert as_bytes.getvalue() == "x\r\né\r\n".encode()
    write_boolean(as_bytes, "tsv", True)
    assert as_bytes.getvalue().endswith(b"true")


def _rows(count: int) -> Iterator[tuple[ox.Literal]]:
    for number in range(count):
        yield (ox.Literal(f"row {number:03d}"),)


def test_capped_solutions_cuts_at_the_row_cap_and_reads_one_row_past_it() -> None:
    rows = _rows(100)
    body, truncated = capped_solutions(
        "json", ["r"], rows, max_rows=3, max_bytes=10_000, truncated_member=True
    )
    document = json.loads(body)
    assert truncated and document["truncated"] is True
    assert [b["r"]["value"] for b in document["results"]["bindings"]] == [
        "row 000",
        "row 001",
        "row 002",
    ]
    assert next(rows) == (ox.Literal("row 004"),)  # row 003 was read to learn there is more
    body, truncated = capped_solutions("csv", ["r"], _rows(3), max_rows=3, max_bytes=10_000)
    assert not truncated and body == text("csv", ["r"], list(_rows(3))).encode()


@pytest.mark.parametrize("format", sorted(MEDIA_TYPES))
def test_capped_solutions_keeps_the_longest_run_of_rows_that_fits(format: str) -> None:
    whole = text(format, ["r"], list(_rows(50)), truncated=False).encode()
    assert capped_solutions(
        format, ["r"], _rows(50), max_rows=50, max_bytes=len(whole), truncated_member=True
    ) == (whole, False)
    for cap in (len(whole) - 1, len(whole) // 2, 10):
        body, truncated = capped_solutions(
            format, ["r"], _rows(50), max_rows=50, max_bytes=cap, truncated_member=True
        )
        assert truncated
        kept = [n for n in range(50) if f"row {n:03d}".encode() in body]
        assert kept == list(range(len(kept)))  # leading rows, none skipped
        assert body == text(format, ["r"], list(_rows(len(kept))), truncated=True).encode()
        assert len(body) <= cap or not kept  # the head and tail alone always go out
        one_more = text(format, ["r"], list(_rows(len(kept) + 1)), truncated=True).encode()
        assert len(one_more) > cap


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="csv, tsv"):
        text("html", ["x"], [])


def test_term_text_reads_terms_for_people() -> None:
    assert term_text(iri("https://w3id.org/ecograph/id/sector/public")) == "egsec:public"
    assert term_text(iri("http://example.org/x")) == "http://example.org/x"
    assert term_text(iri("https://w3id.org/ecograph/id/sector/")) == (
        "https://w3id.org/ecograph/id/sector/"
    )
    nested = {"ex": "http://example.org/", "exv": "http://example.org/vocab#"}
    assert term_text(iri("http://example.org/vocab#a"), prefixes=nested) == "exv:a"
    assert term_text(iri("http://example.org/b"), prefixes=nested) == "ex:b"
    assert term_text(iri("https://w3id.org/ecograph/id/sector/x"), prefixes=nested) == "egsec:x"
    assert term_text(ox.BlankNode("b1")) == "_:b1"
    assert term_text(ox.Literal("Nantes", language="fr")) == "Nantes"
    assert term_text(typed("3", XSD + "integer")) == "3"
    assert term_text(None) == ""


# ----------------------------------------------------------------------------- CLI = server
DATA: list[tuple[ox.NamedNode | ox.BlankNode, ox.Literal]] = [
    (ox.BlankNode("b1"), ox.Literal("Bob", language="en")),
    (ox.BlankNode("b1"), HOSTILE),
    (iri("http://example.org/x"), typed("1.5", XSD + "decimal")),
    (iri("http://example.org/y"), typed("7", XSD + "int")),
    (iri("http://example.org/z"), ox.Literal("=1+1")),
    (iri("https://w3id.org/ecograph/id/sector/public"), ox.Literal("a | b")),
]
QUERY = """# title: every statement of p
# description: blank nodes, tags, datatypes and awkward text, in a stable order.
SELECT ?s ?o ?missing WHERE {
  ?s <http://example.org/p> ?o OPTIONAL { ?s <http://example.org/none> ?missing }
} ORDER BY STR(?o)"""


@pytest.fixture(scope="module")
def results_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, RunningServer]]:
    """A workspace holding blank nodes, tags, datatypes and awkward text, served read-only."""
    folder = tmp_path_factory.mktemp("results") / "ws"
    graph = iri("http://example.org/graph")
    with open_store(folder) as store:
        store.add(ox.Quad(s, iri("http://example.org/p"), o, graph) for s, o in DATA)
    with ecograph_server(folder, tmp_path_factory.mktemp("logs"), "--workers", "1") as running:
        yield folder, running


@pytest.mark.parametrize("format", ["csv", "tsv", "xml"])
def test_cli_and_endpoint_answer_the_same_bytes(
    results_server: tuple[Path, RunningServer], tmp_path: Path, format: str
) -> None:
    folder, server = results_server
    query_file = tmp_path / "q.rq"
    query_file.write_text(QUERY, encoding="utf-8")
    done = CliRunner().invoke(
        app,
        ["--store", str(folder), "query", str(query_file), "-f", format, "--no-formula-escape"],
    )
    assert done.exit_code == 0, done.output
    request = urllib.request.Request(
        server.sparql + "?" + urllib.parse.urlencode({"query": QUERY}),
        headers={"Accept": MEDIA_TYPES[format]},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        served = response.read()
    assert done.stdout_bytes == served
    if format == "csv":
        assert b"_:b1," in served  # a blank node, as the CSV format writes one


def test_cli_and_endpoint_answer_the_same_ask(
    results_server: tuple[Path, RunningServer], tmp_path: Path
) -> None:
    folder, server = results_server
    ask = "ASK { ?s <http://example.org/p> ?o }"
    query_file = tmp_path / "ask.rq"
    query_file.write_text("# title: t\n# description: d\n" + ask, encoding="utf-8")
    for format in MEDIA_TYPES:
        done = CliRunner().invoke(
            app, ["--store", str(folder), "query", str(query_file), "-f", format]
        )
        assert done.exit_code == 0, done.output
        request = urllib.request.Request(
            server.sparql + "?" + urllib.parse.urlencode({"query": ask}),
            headers={"Accept": MEDIA_TYPES[format]},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert done.stdout_bytes == response.read(), format


def test_cli_table_and_markdown_show_terms_as_term_text(
    results_server: tuple[Path, RunningServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The terminal table and Markdown read terms as ``term_text`` does: a CURIE, ``_:b1``."""
    from ecograph import cli

    monkeypatch.setattr(cli.console, "_width", 400)
    folder, _ = results_server
    query_file = tmp_path / "q.rq"
    query_file.write_text(QUERY, encoding="utf-8")
    base = ["--store", str(folder), "query", str(query_file)]
    table = CliRunner().invoke(app, base)
    assert table.exit_code == 0, table.output
    assert "egsec:public" in table.stdout and "_:b1" in table.stdout
    markdown = CliRunner().invoke(app, [*base, "-f", "md"])
    assert markdown.exit_code == 0, markdown.output
    lines = markdown.stdout.splitlines()
    assert lines[0] == "| s | o | missing |" and len(lines) == 2 + len(DATA)
    assert "| egsec:public | a \\| b |  |" in lines
    assert any(line.startswith('| _:b1 | quote " comma') for line in lines)
