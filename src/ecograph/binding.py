"""Binding values into SPARQL as RDF terms, the same way for every engine.

A query marks each bindable variable with ``VALUES ?name { UNDEF }`` — valid SPARQL on its own,
where UNDEF leaves the variable free. Binding replaces that ``UNDEF`` with the value serialised
by pyoxigraph as an RDF term (IRIs validated, literals escaped), so user text stays data: a
value full of quotes, braces and newlines is one literal that matches itself and nothing else.

Why not the engines' own mechanisms: pyoxigraph's ``substitutions`` require the variable to be
projected (awkward with GROUP BY) and a remote SPARQL 1.1 server has none at all. One mechanism
means one behaviour, embedded and remote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class BindingError(ValueError):
    """A binding that the query does not declare a place for."""


def placeholder(name: str) -> re.Pattern[str]:
    """The pattern of ``VALUES ?name { UNDEF }`` in a query."""
    return re.compile(r"VALUES\s+\?" + re.escape(name) + r"\s*\{\s*UNDEF\s*\}", re.IGNORECASE)


def has_placeholder(text: str, name: str) -> bool:
    """Whether ``text`` has a place to bind ``name``."""
    return placeholder(name).search(text) is not None


_ANY_PLACEHOLDER = re.compile(r"VALUES\s+\?(\w+)\s*\{\s*UNDEF\s*\}", re.IGNORECASE)


def bind(text: str, bindings: Mapping[str, Term | Sequence[Term]]) -> str:
    """``text`` with each ``VALUES ?name { UNDEF }`` holding its bound term instead (or its
    bound terms, one solution each, when given a sequence: a batch of lookups in one query).

    One pass over the query text: a substituted term is never scanned again, so a value that
    itself looks like a placeholder stays inside its literal.
    """
    terms: dict[str, list[Term]] = {}
    for name, bound in bindings.items():
        terms[name] = list(bound) if isinstance(bound, Sequence) else [bound]
        for term in terms[name]:
            if not isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
                raise BindingError(
                    f"?{name} must be bound to an RDF term, not {type(term).__name__}"
                )
    found: set[str] = set()

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in bindings:
            return match.group(0)
        found.add(name)
        # pyoxigraph's N-Triples serialisation: IRIs validated, literals escaped
        return f"VALUES ?{name} {{ {' '.join(str(term) for term in terms[name])} }}"

    result = _ANY_PLACEHOLDER.sub(fill, text)
    for name in bindings:
        if name not in found:
            raise BindingError(f"the query has no 'VALUES ?{name} {{ UNDEF }}' to bind ?{name}")
    return result


def bind_language_tests(text: str, name: str, term: ox.Literal) -> str:
    """``text`` with each ``LANG(?x) = ?name`` comparing with ``term`` itself.

    A library query picks labels with ``OPTIONAL { ?s skos:prefLabel ?l FILTER(LANG(?l) =
    ?lang) }``, ``?lang`` bound once at the top. SPARQL lets the filter of an OPTIONAL read a
    variable bound outside it, but Virtuoso does not, and its labels came out empty. Bound
    inside each OPTIONAL with its own ``VALUES``, the labels were right everywhere but Oxigraph
    then evaluated every such OPTIONAL apart from its left side: 10 to 260 times slower. The
    comparison with the language tag itself is right and fast on both. Only this one form is
    rewritten, and ``term`` is serialised by pyoxigraph like every bound value; the query's
    ``VALUES ?name { UNDEF }`` is bound as usual, so ``?name`` keeps its value elsewhere.
    """
    if not isinstance(term, ox.Literal):
        raise BindingError(f"?{name} compares with a language tag, not {type(term).__name__}")
    pattern = re.compile(r"(LANG\(\s*\?\w+\s*\)\s*=\s*)\?" + re.escape(name) + r"(?!\w)")
    return pattern.sub(lambda match: match.group(1) + str(term), text)


def bind_path_ends(text: str, name: str, term: ox.NamedNode) -> str:
    """``text`` with each ``eg:within* ?name`` (a ``*`` or ``+`` path ending on ``?name``)
    ending on ``term`` itself.

    A library query finds a territory's places with ``?place eg:within* ?territory``,
    ``?territory`` bound by ``VALUES``. Oxigraph does not carry a ``VALUES`` term into a
    path: it walked the closure of every place of France, then kept the territory's (22 s
    for one département at a quarter of France, where the path from the IRI itself takes
    0.01 s). Only this form is rewritten, ``term`` is serialised by pyoxigraph like every
    bound value, and the ``VALUES`` stay bound as usual, so ``?name`` keeps its value
    elsewhere. Every library query's ``?territory`` is bound in each group that walks a
    path to it (tests/test_queries_binding.py checks the answers are unchanged).
    """
    if not isinstance(term, ox.NamedNode):
        raise BindingError(f"?{name} ends a path: it takes an IRI, not {type(term).__name__}")
    pattern = re.compile(
        r"((?:[A-Za-z][\w-]*:[\w-]+|<[^<>\s]*>)[*+]\s+)\?" + re.escape(name) + r"(?!\w)"
    )
    return pattern.sub(lambda match: match.group(1) + str(term), text)
