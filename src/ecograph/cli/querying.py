"""``queries`` and ``query``: the SPARQL query library from the command line."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from ecograph.cli.common import FormulaEscapeOption, Lang, console, fail, opened
from ecograph.cli.tables import Kind, add_row, make_table
from ecograph.namespaces import curie
from ecograph.queries import PARAMETER_USAGE
from ecograph.safetext import for_stream, terminal


def list_queries() -> None:
    """List the query library: name, title and parameters."""
    from ecograph.queries import load_catalogue

    table = make_table(
        "Query library (ecograph query NAME -p PARAM VALUE ...)",
        [("name", "key"), ("title", "text"), ("parameters", "text")],
    )
    for name, query in load_catalogue().items():
        params = ", ".join(
            f"{p.name} ({p.type}, e.g. {curie(p.example)})" for p in query.parameters
        )
        needs = " (needs `ecograph metrics`)" if "metrics" in query.requires else ""
        add_row(table, name, query.title + needs, params or "-")
    console.print(table)


class QueryFormat(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"
    md = "md"


#: ``ecograph query --help``: what the command does, then how to pass parameters.
QUERY_HELP = (
    "Run a library query (or a .rq file). Values are bound as RDF terms typed from the query's "
    "header, never pasted into the query text: a value full of quotes or braces matches itself "
    "and nothing else.\n\n" + PARAMETER_USAGE
)


def query(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A library query name, or a path to a .rq file.")],
    format: Annotated[
        QueryFormat,
        typer.Option(
            "--format", "-f", help="Output: a terminal table, SPARQL CSV/TSV/JSON/XML, or Markdown."
        ),
    ] = QueryFormat.table,
    formula_escape: FormulaEscapeOption = True,
    lang: Annotated[
        Lang, typer.Option(help="Language of labels: the value of a lang parameter left out.")
    ] = Lang.fr,
) -> None:
    """Run a library query (or a .rq file). Values are bound as RDF terms typed from the
    query's header, never pasted into the query text."""
    from ecograph.queries import QueryError, find_query, markdown_table, result_text, run_query

    try:
        library_query = find_query(name)
        values = parameter_pairs(ctx.args)
        with opened(read_only=True, create=False) as store:
            result = run_query(store, library_query, values, lang=lang.value)
            base = store.base_iri
    except QueryError as err:
        raise fail(err, 2) from None
    if format is QueryFormat.md:
        sys.stdout.write(for_stream(markdown_table(result), sys.stdout))
        return
    if format is not QueryFormat.table:
        for piece in result_text(result, format.value, formula_escape=formula_escape):
            sys.stdout.write(for_stream(piece, sys.stdout))
        return
    if result.boolean is not None:
        console.print("true" if result.boolean else "false")
        return
    print_result_table(library_query.title, result, data=base)


def print_result_table(title: str, result: Any, *, data: str) -> None:
    """A SELECT result as a terminal table: IRIs as CURIEs (the workspace's own IRIs under
    ``data:``), numeric columns right-aligned with thousands separators from five digits (so a
    year stays 2024)."""
    import pyoxigraph as ox

    def numeric(term: Any) -> bool:
        return isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC

    columns = list(zip(*result.rows, strict=True)) if result.rows else []
    kinds: list[tuple[str, Kind]] = [
        (
            variable,
            "number" if columns and all(t is None or numeric(t) for t in columns[i]) else "text",
        )
        for i, variable in enumerate(result.variables)
    ]
    table = make_table(terminal(f"{title} ({len(result.rows):,} rows)"), kinds)
    prefixes = {"data": data}
    for row in result.rows:
        add_row(table, *(_term_text(term, prefixes) for term in row))
    console.print(table)


_NUMERIC = {
    f"http://www.w3.org/2001/XMLSchema#{name}"
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "decimal",
        "double",
        "float",
        "nonNegativeInteger",
        "positiveInteger",
    )
}


def _term_text(term: Any, prefixes: dict[str, str]) -> str:
    """A cell: the term as ``sparql_results.term_text`` reads it, a whole number of five
    digits or more with thousands separators."""
    import pyoxigraph as ox

    from ecograph.sparql_results import term_text

    if (
        isinstance(term, ox.Literal)
        and term.datatype.value in _NUMERIC
        and term.value.lstrip("-").isdigit()
    ):
        number = int(term.value)
        return f"{number:,}" if abs(number) >= 10_000 else term.value
    return term_text(term, prefixes=prefixes)


def parameter_pairs(args: list[str]) -> dict[str, str]:
    """``-p NAME VALUE`` pairs from the words Typer left over (it has no pair options)."""
    from ecograph.queries import QueryError

    values: dict[str, str] = {}
    words = list(args)
    while words:
        flag = words.pop(0)
        if flag not in ("-p", "--param") or len(words) < 2:
            raise QueryError(f"unexpected {flag!r}: parameters are given as -p NAME VALUE")
        name, value = words.pop(0), words.pop(0)
        values[name] = value
    return values
