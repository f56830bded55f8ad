"""Binding values as RDF terms: no value can turn into query syntax."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecograph.binding import BindingError, bind, bind_language_tests
from ecograph.queries import Parameter, QueryError, parameter_term

TWO = "SELECT ?a ?b WHERE { VALUES ?a { UNDEF } VALUES ?b { UNDEF } }"


def test_a_value_that_looks_like_a_placeholder_stays_a_literal() -> None:
    text = bind(
        TWO, {"a": ox.Literal("VALUES ?b { UNDEF }"), "b": ox.Literal('z" } ?s ?p ?o } # ')}
    )
    rows = list(ox.Store().query(text))
    assert [(r["a"].value, r["b"].value) for r in rows] == [
        ("VALUES ?b { UNDEF }", 'z" } ?s ?p ?o } # ')
    ]


@given(st.text(), st.text())
def test_any_two_strings_round_trip(a: str, b: str) -> None:
    rows = list(ox.Store().query(bind(TWO, {"a": ox.Literal(a), "b": ox.Literal(b)})))
    assert [(r["a"].value, r["b"].value) for r in rows] == [(a, b)]


def test_unknown_binding_is_refused() -> None:
    with pytest.raises(BindingError, match=r"\?c"):
        bind(TWO, {"c": ox.Literal("x")})


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("integer", "1_000"),
        ("integer", " 10"),
        ("decimal", "NaN"),
        ("decimal", "1e3"),
        ("date", "20240131"),
        ("date", "2024-W05-3"),
        ("date", "2024-02-30"),
        ("boolean", "yes"),
        ("lang", "fr_FR"),
        ("iri", "not an iri"),
    ],
)
def test_values_outside_the_xsd_lexical_forms_are_refused(kind: str, raw: str) -> None:
    with pytest.raises(QueryError, match="expects"):
        parameter_term(Parameter("x", kind, "", ""), raw)


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("integer", "-5"),
        ("decimal", "1.50"),
        ("decimal", ".5"),
        ("date", "2024-01-31"),
        ("boolean", "true"),
        ("lang", "fr-CA"),
        ("string", 'a "quoted" } value\n'),
    ],
)
def test_valid_values_are_bound_unchanged(kind: str, raw: str) -> None:
    assert parameter_term(Parameter("x", kind, "", ""), raw).value == raw


def test_a_sequence_binds_one_solution_per_term() -> None:
    """A batch of lookups in one query: each term its own solution, each serialised alone."""
    terms = [
        ox.NamedNode("https://e.org/a"),
        ox.Literal('x" } UNDEF {'),
        ox.NamedNode("https://e.org/b"),
    ]
    text = bind("SELECT ?v WHERE { VALUES ?v { UNDEF } }", {"v": terms})
    assert text == (
        'SELECT ?v WHERE { VALUES ?v { <https://e.org/a> "x\\" } UNDEF {" <https://e.org/b> } }'
    )
    store = ox.Store()
    assert [row["v"] for row in store.query(text)] == terms
    with pytest.raises(BindingError, match="RDF term"):
        bind("SELECT ?v WHERE { VALUES ?v { UNDEF } }", {"v": [terms[0], "plain text"]})


def test_language_tests_compare_with_the_tag_itself() -> None:
    """``LANG(?x) = ?lang`` gets the tag (Virtuoso cannot read an outer ``?lang`` inside an
    OPTIONAL); other uses of ``?lang``, and ``?language``, are left to the usual binding."""
    text = (
        "SELECT ?name ?lang WHERE { VALUES ?lang { UNDEF } ?s <https://e.org/p> ?language .\n"
        "  OPTIONAL { ?s <https://e.org/name> ?name FILTER(LANG(?name) = ?lang) }\n"
        "  OPTIONAL { ?s <https://e.org/alt> ?alt FILTER( LANG( ?alt )=?lang ) } }"
    )
    bound = bind_language_tests(text, "lang", ox.Literal("en"))
    assert 'FILTER(LANG(?name) = "en")' in bound
    assert 'LANG( ?alt )="en"' in bound
    assert "VALUES ?lang { UNDEF }" in bound and "?language" in bound
    store = ox.Store()
    subject, name_of = ox.NamedNode("https://e.org/s"), ox.NamedNode("https://e.org/name")
    for language in ("fr", "en"):
        store.add(ox.Quad(subject, name_of, ox.Literal(language, language=language)))
    store.add(ox.Quad(subject, ox.NamedNode("https://e.org/p"), ox.Literal("x")))
    rows = list(store.query(bind(bound, {"lang": ox.Literal("en")})))
    assert [(row["name"].value, row["lang"].value) for row in rows] == [("en", "en")]
    with pytest.raises(BindingError):
        bind_language_tests(text, "lang", ox.NamedNode("https://e.org/en"))  # type: ignore[arg-type]
