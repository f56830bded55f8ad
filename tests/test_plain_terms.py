"""Ontology and scheme terms in ``src/`` go through the generated vocabulary.

``EG.partner`` raises on a typo; ``PREFIXES["eg"] + "partnr"`` mints a wrong IRI that nothing
ever reads, so the data silently misses its triples. This module scans the package's source
for terms of ecograph's namespaces (the ontology, its SKOS schemes and the INSEE terms it
uses, as listed by ``vocab_build.NAMESPACES``) written as plain strings:

- a string constant holding a namespace followed by a name (``"https://…/ontology#Actor"``);
- a namespace plus a string (``PREFIXES["eg"] + "Actor"``, or ``EG + "Actor"`` after
  ``EG = PREFIXES["eg"]``);
- an f-string that puts a name right after a namespace (``f"<{PREFIXES['eg']}partner>"``).

Docstrings are prose, not IRIs, and are not scanned. A namespace joined with a variable
(``PREFIXES["egsec"] + sector``) is a value read from data, not a term spelt in the code.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ecograph.namespaces import PREFIXES
from ecograph.vocab_build import NAMESPACES

SOURCE = Path(__file__).resolve().parents[1] / "src" / "ecograph"
#: The generated module itself spells every term once, by design.
GENERATED = SOURCE / "vocab.py"

VOCAB_NAMESPACES = frozenset(namespace for namespace, _ in NAMESPACES.values())
VOCAB_PREFIXES = frozenset(key for key, value in PREFIXES.items() if value in VOCAB_NAMESPACES)
_TERM_IN_TEXT = re.compile(
    "(" + "|".join(re.escape(ns) for ns in sorted(VOCAB_NAMESPACES, key=len, reverse=True)) + r")"
    r"([A-Za-z_]\w*)"
)
_NAME_START = re.compile(r"[A-Za-z_]\w*")


def _docstrings(tree: ast.AST) -> set[int]:
    """The ``id`` of every docstring constant in ``tree``."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and (
            node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
            and isinstance(node.body[0].value.value, str)
        ):
            found.add(id(node.body[0].value))
    return found


def _is_prefixes_lookup(node: ast.AST) -> bool:
    """``PREFIXES["eg"]`` (or ``namespaces.PREFIXES["eg"]``) for a vocabulary namespace."""
    if not isinstance(node, ast.Subscript):
        return False
    holder = node.value
    named = (isinstance(holder, ast.Name) and holder.id == "PREFIXES") or (
        isinstance(holder, ast.Attribute) and holder.attr == "PREFIXES"
    )
    key = node.slice
    return named and isinstance(key, ast.Constant) and key.value in VOCAB_PREFIXES


class _Namespaces:
    """Which expressions of one module stand for a vocabulary namespace."""

    def __init__(self, tree: ast.AST) -> None:
        self.names: set[str] = set()
        assignments = [
            node for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AnnAssign))
        ]
        changed = True
        while changed:  # ``A = PREFIXES["eg"]`` then ``B = A``
            changed = False
            for node in assignments:
                for target, value in self._pairs(node):
                    if target not in self.names and self.holds(value):
                        self.names.add(target)
                        changed = True

    @staticmethod
    def _pairs(node: ast.Assign | ast.AnnAssign) -> list[tuple[str, ast.expr]]:
        if isinstance(node, ast.AnnAssign):
            if isinstance(node.target, ast.Name) and node.value is not None:
                return [(node.target.id, node.value)]
            return []
        pairs = []
        for target in node.targets:
            if isinstance(target, ast.Name):
                pairs.append((target.id, node.value))
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                pairs += [
                    (name.id, value)
                    for name, value in zip(target.elts, node.value.elts, strict=False)
                    if isinstance(name, ast.Name)
                ]
        return pairs

    def holds(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.names
        if isinstance(node, ast.Constant):
            return node.value in VOCAB_NAMESPACES
        return _is_prefixes_lookup(node)


def plain_terms(source: str) -> list[tuple[int, str]]:
    """(line, what is written) for each vocabulary term ``source`` spells as a plain string."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    namespaces = _Namespaces(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            found += [(node.lineno, match.group(0)) for match in _TERM_IN_TEXT.finditer(node.value)]
        elif (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Add)
            and namespaces.holds(node.left)
            and isinstance(node.right, ast.Constant)
            and isinstance(node.right.value, str)
            and _NAME_START.match(node.right.value)
        ):
            found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.JoinedStr):
            for part, following in zip(node.values, node.values[1:], strict=False):
                if (
                    isinstance(part, ast.FormattedValue)
                    and namespaces.holds(part.value)
                    and isinstance(following, ast.Constant)
                    and _NAME_START.match(str(following.value))
                ):
                    found.append((node.lineno, ast.unparse(node)))
    return found


@pytest.mark.parametrize(
    "source",
    [
        'ACTOR = "https://w3id.org/ecograph/ontology#Actor"',
        'HEALTH = "<https://w3id.org/ecograph/id/domain/health>"',
        'P = PREFIXES["eg"] + "partner"',
        'P = namespaces.PREFIXES["egsec"] + "public"',
        'EG = PREFIXES["eg"]\nP = EG + "partner"',
        'EG, XSD = PREFIXES["eg"], PREFIXES["xsd"]\ndef f():\n    return EG + "funder"',
        'NS = PREFIXES["eg"]\nEG = NS\nP = EG + "partner"',
        "Q = f\"ASK {{ ?p <{PREFIXES['eg']}partner> ?a }}\"",
        'EG = "https://w3id.org/ecograph/ontology#"\nQ = f"<{EG}basedIn>"',
        'T = PREFIXES["egpt"] + "funding"',
        'EG: str = PREFIXES["eg"]\nP = EG + "partner"',
    ],
)
def test_the_scan_finds_each_way_of_spelling_a_term(source: str) -> None:
    assert len(plain_terms(source)) == 1, source


@pytest.mark.parametrize(
    "source",
    [
        '"""A module about ``https://w3id.org/ecograph/ontology#Actor``."""',
        'def f():\n    """Returns <https://w3id.org/ecograph/ontology#partner>."""',
        "from ecograph.vocab import EG\nP = str(EG.partner)",
        'SECTOR = PREFIXES["egsec"] + name',
        'LABEL = PREFIXES["skos"] + "prefLabel"',
        'Q = "PREFIX eg: <https://w3id.org/ecograph/ontology#>\\nSELECT ?a { ?a a eg:Actor }"',
        'ok = iri.startswith(PREFIXES["eg"])',
    ],
)
def test_the_scan_leaves_prose_data_and_sparql_alone(source: str) -> None:
    assert plain_terms(source) == [], source


def test_no_ontology_term_is_written_as_a_plain_string() -> None:
    """Every term in ``src/ecograph`` is an attribute of ``ecograph.vocab`` (``EG.partner``)."""
    found = [
        f"{path.relative_to(SOURCE)}:{line}: {text}"
        for path in sorted(SOURCE.rglob("*.py"))
        if path != GENERATED
        for line, text in plain_terms(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "write these through ecograph.vocab (EG.partner, SECTOR.public):\n" + (
        "\n".join(found)
    )
