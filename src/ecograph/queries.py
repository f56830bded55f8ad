"""The query library: loading ``queries/*.rq``, binding parameters as RDF terms, results.

Each library query starts with a header of comment lines::

    # title: Actors of a territory by type and sector
    # description: Counts the actors based in a territory at any level, rolling up from
    #   communes through eg:within, by actor type and sector.
    # param: territory | territory | epci/244400404 | a territory at any level

and marks where each parameter goes with ``VALUES ?territory { UNDEF }`` — valid SPARQL on its
own (UNDEF leaves the variable free); ``ecograph.binding`` explains why and how binding fills
it with an RDF term. The same bound text runs on the embedded store and on any remote server.

:func:`parameter_term` is the one conversion of a typed value into a term, used by
``ecograph query`` and by the server's library endpoint alike: a ``territory`` is read by
:func:`ecograph.geography.resolve_territory` (``44``, ``epci/244400404``, ``Nantes Métropole``
or the IRI), and a ``lang`` parameter left out takes the caller's language. A ``.rq`` file
given by path needs no header: it then runs as plain SPARQL.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ecograph.binding import bind, bind_language_tests, bind_path_ends, has_placeholder
from ecograph.geography import resolve_territory
from ecograph.listcolumns import LIST_SEPARATOR, sorted_list_text
from ecograph.resources import queries_dir
from ecograph.sparql_results import boolean_text, encode_solutions, term_text
from ecograph.store.base import Store

XSD = "http://www.w3.org/2001/XMLSchema#"
#: The language a ``lang`` parameter takes when the caller gives none.
DEFAULT_LANG = "fr"

#: Parameter types, the XSD datatype their literal gets, and an example for error messages.
PARAMETER_TYPES: dict[str, tuple[str | None, str]] = {
    "iri": (None, "https://w3id.org/ecograph/data/actor/siren/244400404"),
    "territory": (None, "44"),
    "string": (XSD + "string", "Nantes"),
    "lang": (XSD + "string", "fr"),
    "integer": (XSD + "integer", "10"),
    "decimal": (XSD + "decimal", "1500.50"),
    "date": (XSD + "date", "2024-01-31"),
    "boolean": (XSD + "boolean", "true"),
}


#: The XSD lexical forms accepted for typed parameters (Python's own parsers accept more:
#: "1_000", " 10 ", "NaN", "20240131", which would become literals that match nothing).
_LEXICAL_FORMS: dict[str, re.Pattern[str]] = {
    "integer": re.compile(r"[+-]?[0-9]+"),
    "decimal": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"),
    "date": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    "boolean": re.compile(r"true|false"),
    "lang": re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*"),
}


class QueryError(Exception):
    """A query or parameter problem, worded for the person who ran the query."""


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a library query."""

    name: str
    type: str
    example: str
    description: str


@dataclass(frozen=True)
class LibraryQuery:
    """A query of the library (or a user's file) with its header."""

    name: str
    path: Path
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str
    #: Derived graphs the query reads (``# requires: metrics``), checked before it runs.
    requires: tuple[str, ...] = ()
    #: Columns holding a GROUP_CONCAT list (``# lists: partnerNames``), joined with
    #: :data:`LIST_SEPARATOR`. SPARQL sets no order inside a GROUP_CONCAT, and Oxigraph's
    #: follows its storage, so ``run_query`` sorts each list's items.
    lists: tuple[str, ...] = ()

    def parameter(self, name: str) -> Parameter:
        """The declared parameter ``name``; QueryError naming the known ones otherwise."""
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise QueryError(f"query {self.name!r} has no parameter {name!r} (it has: {known})")

    def bind(self, raw_values: Mapping[str, str], *, lang: str = DEFAULT_LANG) -> str:
        """The query text with every parameter's ``VALUES ?p { UNDEF }`` filled.

        Every declared parameter must be given (the header's example shows the form), except
        those of type ``lang``, which default to ``lang`` (the command's ``--lang``) when left
        out or empty.
        """
        for name in raw_values:
            self.parameter(name)
        terms = {}
        for parameter in self.parameters:
            raw = raw_values.get(parameter.name)
            if not raw and parameter.type == "lang":  # left out, or left empty on the page
                raw = lang
            if raw is None:
                raise QueryError(
                    f"query {self.name!r} needs -p {parameter.name} VALUE "
                    f"({parameter.type}, e.g. {parameter.example}); {self.usage()}"
                )
            terms[parameter.name] = parameter_term(parameter, raw)
        text = self.text
        for parameter in self.parameters:
            term = terms[parameter.name]
            if parameter.type == "lang" and isinstance(term, ox.Literal):
                text = bind_language_tests(text, parameter.name, term)
            elif parameter.type == "territory" and isinstance(term, ox.NamedNode):
                text = bind_path_ends(text, parameter.name, term)
        return bind(text, terms)

    def usage(self) -> str:
        """A command line that runs this query with its header's examples, e.g.
        ``ecograph query actors-in-territory -p territory 44`` (``lang`` parameters are left
        out: they default to ``--lang``)."""
        name = self.name if _in_library(self.path) else str(self.path)
        pairs = [
            f"-p {p.name} {shlex.quote(p.example)}" for p in self.parameters if p.type != "lang"
        ]
        return " ".join(["ecograph query", shlex.quote(name), *pairs])


#: How to pass parameters, for ``ecograph query --help``.
PARAMETER_USAGE = (
    "Give each parameter as -p NAME VALUE (repeatable), e.g. "
    "`ecograph query actors-in-territory -p territory 44`. A territory is a code (44, 2A, "
    "epci/244400404, commune/44109, region/52), an exact name (Nantes Métropole) or its IRI; "
    "lang defaults to the command's language. `ecograph queries` lists each query's "
    "parameters; a .rq file without a header runs as plain SPARQL."
)


def _in_library(path: Path) -> bool:
    """Whether ``path`` is a file of the installed query library (run by its name)."""
    try:
        return path.parent.resolve() == queries_dir().resolve()
    except FileNotFoundError:  # a broken installation: name the file by its path
        return False


@dataclass
class QueryResult:
    """A SELECT's variables and rows (terms; None when unbound), or an ASK's boolean."""

    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    boolean: bool | None = None


# ----------------------------------------------------------------------------- catalogue
_HEADER_LINE = re.compile(r"^#\s?(.*)$")


def parse_query_file(path: Path, *, require_header: bool = True) -> LibraryQuery:
    """Read one ``.rq`` file and its header; QueryError names the file and line at fault.

    Without ``require_header``, a file with no ``# title:``, ``# description:`` or
    ``# param:`` line is plain SPARQL: a query named after the file, with no parameters.
    """
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    parameters: list[Parameter] = []
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER_LINE.match(line)
        if not match:
            break
        content = match.group(1)
        if current and content.startswith("  ") and content.strip():
            fields[current] += " " + content.strip()
            continue
        key, sep, value = content.partition(":")
        if not sep:
            current = None
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "param":
            parts = [part.strip() for part in value.split("|")]
            if len(parts) != 4 or parts[1] not in PARAMETER_TYPES:
                raise QueryError(
                    f"{path}:{number}: expected '# param: name | type | example | description' "
                    f"with type one of {', '.join(PARAMETER_TYPES)}"
                )
            parameters.append(Parameter(*parts))
            current = None
        elif key in ("title", "description"):
            fields[key] = value
            current = key
        elif key == "requires":
            unknown = set(value.split()) - set(REQUIREMENTS)
            if unknown:
                raise QueryError(
                    f"{path}:{number}: unknown requirement(s) "
                    f"{', '.join(sorted(unknown))}; known: "
                    f"{', '.join(REQUIREMENTS)}"
                )
            fields[key] = value
            current = None
        elif key == "lists":
            missing = [
                name for name in value.split() if not re.search(rf"\?{re.escape(name)}\b", text)
            ]
            if missing:
                raise QueryError(
                    f"{path}:{number}: '# lists:' names {', '.join(missing)}, "
                    "which the query never binds"
                )
            fields[key] = value
            current = None
    if not require_header and not parameters and not {"title", "description"} & set(fields):
        fields["title"], fields["description"] = path.name, ""
    for required in ("title", "description"):
        if required not in fields:
            raise QueryError(f"{path}: the header has no '# {required}:' line")
    for parameter in parameters:
        if not has_placeholder(text, parameter.name):
            raise QueryError(
                f"{path}: parameter {parameter.name!r} is declared but the query "
                f"has no 'VALUES ?{parameter.name} {{ UNDEF }}' to bind it"
            )
    return LibraryQuery(
        path.stem,
        path,
        fields["title"],
        fields["description"],
        tuple(parameters),
        text,
        tuple(fields.get("requires", "").split()),
        tuple(fields.get("lists", "").split()),
    )


def load_catalogue(folder: Path | None = None) -> dict[str, LibraryQuery]:
    """Every library query by name (file stem), sorted by name."""
    folder = folder or queries_dir()
    return {path.stem: parse_query_file(path) for path in sorted(folder.glob("*.rq"))}


def find_query(name_or_path: str) -> LibraryQuery:
    """A library query by name, or any ``.rq`` file by path."""
    path = Path(name_or_path)
    if path.suffix == ".rq" and path.is_file():
        return parse_query_file(path, require_header=False)
    catalogue = load_catalogue()
    if name_or_path in catalogue:
        return catalogue[name_or_path]
    raise QueryError(
        f"no library query named {name_or_path!r} and no such .rq file; "
        "`ecograph queries` lists the library"
    )


# ----------------------------------------------------------------------------- binding
def parameter_term(parameter: Parameter, raw: str) -> ox.NamedNode | ox.Literal:
    """The RDF term for a raw value (command line or server), checked against the declared
    type; a ``territory`` is resolved in the 2026 geography to its IRI."""
    expected = (
        f"parameter {parameter.name!r} expects {parameter.type} "
        f"(e.g. {parameter.example}), got {raw!r}"
    )
    if parameter.type == "iri":
        try:
            return ox.NamedNode(raw)
        except ValueError:
            raise QueryError(expected) from None
    if parameter.type == "territory":
        try:
            return ox.NamedNode(resolve_territory(raw).iri or "")
        except ValueError as err:
            raise QueryError(f"parameter {parameter.name!r}: {err}") from None
    datatype, _ = PARAMETER_TYPES[parameter.type]
    pattern = _LEXICAL_FORMS.get(parameter.type)
    if pattern is not None and not pattern.fullmatch(raw):
        raise QueryError(expected)
    if parameter.type == "date":
        try:
            dt.date.fromisoformat(raw)  # the pattern lets 2024-02-30 through; the calendar not
        except ValueError:
            raise QueryError(expected) from None
    return ox.Literal(raw, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(raw)


# ----------------------------------------------------------------------------- running
def run_query(
    store: Store,
    query: LibraryQuery | str,
    raw_values: Mapping[str, str] | None = None,
    *,
    lang: str = DEFAULT_LANG,
) -> QueryResult:
    """Run a library query (bound; ``lang`` parameters not given take ``lang``) or plain
    SPARQL text on a store (embedded or remote)."""
    text = query.bind(raw_values or {}, lang=lang) if isinstance(query, LibraryQuery) else query
    if isinstance(query, LibraryQuery) and "metrics" in query.requires:
        _check_metrics(store, query)
    result = store.query(text)
    if isinstance(result, bool | ox.QueryBoolean):  # remote stores give a bool, pyoxigraph not
        return QueryResult(boolean=bool(result))
    if not hasattr(result, "variables"):
        raise QueryError(
            "only SELECT and ASK queries give tables; "
            "use `ecograph export` or the endpoint for CONSTRUCT/DESCRIBE"
        )
    variables = [v.value for v in result.variables]
    rows = [tuple(solution[name] for name in variables) for solution in result]
    if isinstance(query, LibraryQuery):
        rows = sort_lists(query, variables, rows)
    return QueryResult(variables=variables, rows=rows)


def sort_lists(
    query: LibraryQuery, variables: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """``rows`` with the items of each of ``query.lists`` sorted, so that the same data gives
    the same text on every store and server (:func:`sorted_list_cells`)."""
    return [sorted_list_cells(query.lists, variables, row) for row in rows]


def sorted_list_cells(
    lists: Collection[str], variables: Sequence[str], row: Sequence[Any]
) -> tuple[Any, ...]:
    """One row with the items of its ``lists`` columns sorted; the endpoint calls it too, so
    that ``ecograph query`` and ``/api/run`` answer the same text.

    An item that itself contains :data:`LIST_SEPARATOR` is sorted as two items: the list
    still holds every character, in another order.
    """
    cells = list(row)
    for i, name in enumerate(variables):
        cell = cells[i]
        if name in lists and isinstance(cell, ox.Literal) and LIST_SEPARATOR in cell.value:
            items = sorted_list_text(cell.value)
            cells[i] = (
                ox.Literal(items, language=cell.language)
                if cell.language
                else ox.Literal(items, datatype=cell.datatype)
            )
    return tuple(cells)


#: What a query may declare with ``# requires:``.
REQUIREMENTS = ("metrics",)

_METRICS_PROBLEMS = {
    "missing": "the store has no metrics yet",
    "partial": (
        "the metrics in the store lack the counts the library reads (written without them, "
        "or by an older ecograph on a filtered part of the ecosystem)"
    ),
    "stale": (
        "the data changed since the metrics were computed (or an older ecograph "
        "computed them, without every count the library reads now)"
    ),
}


def _check_metrics(store: Store, query: LibraryQuery) -> None:
    """Refuse to answer from precomputed counts that are absent, partial or out of date."""
    from ecograph.metrics_state import metrics_state

    state = metrics_state(store)
    if state != "current":
        raise QueryError(
            f"query {query.name!r} reads the counts that `ecograph metrics` "
            f"writes into the store, and {_METRICS_PROBLEMS[state]}: run `ecograph metrics` "
            "(on the whole ecosystem, without filters), then the query again"
        )


def to_dataframe(result: QueryResult) -> Any:
    """A pandas DataFrame: numbers and dates as Python values, IRIs and text as strings."""
    import pandas as pd

    return pd.DataFrame(
        [[python_value(term) for term in row] for row in result.rows], columns=result.variables
    )


_NUMERIC = {
    XSD + "integer": int,
    XSD + "decimal": float,
    XSD + "double": float,
    XSD + "float": float,
    XSD + "int": int,
    XSD + "long": int,
}


def python_value(term: Any) -> Any:
    """A term as the Python value an analyst expects in a table cell."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in _NUMERIC:
            try:
                return _NUMERIC[datatype](term.value)
            except ValueError:
                return term.value
        if datatype == XSD + "date":
            try:
                return dt.date.fromisoformat(term.value)
            except ValueError:
                return term.value
        if datatype == XSD + "boolean":
            return term.value == "true"
    return term.value


# ----------------------------------------------------------------------------- formats
def result_text(result: QueryResult, format: str, *, formula_escape: bool = False) -> Iterator[str]:
    """A result in a SPARQL results format (``csv``, ``tsv``, ``json``, ``xml``), piece by
    piece, written by :mod:`ecograph.sparql_results` as the endpoint writes it."""
    if result.boolean is not None:
        yield boolean_text(format, result.boolean)
        return
    yield from encode_solutions(
        format, result.variables, result.rows, formula_escape=formula_escape
    )


_LINE_END = re.compile(r"\r\n|[\r\n]")


def markdown_table(result: QueryResult) -> str:
    """A result as a Markdown table, each term as :func:`ecograph.sparql_results.term_text`
    shows it (``|`` escaped, line breaks as spaces so that a row stays one line)."""
    if result.boolean is not None:
        return ("true" if result.boolean else "false") + "\n"

    def cell(term: Any) -> str:
        return _LINE_END.sub(" ", term_text(term).replace("|", "\\|"))

    lines = ["| " + " | ".join(result.variables) + " |", "|" + "---|" * len(result.variables)]
    lines += ["| " + " | ".join(cell(t) for t in row) + " |" for row in result.rows]
    return "\n".join(lines) + "\n"
