"""The library's signatures say what they take: a ``Store``, never ``Any``, and options by name.

Checked on the source (``ast``) rather than with ``inspect``: networkx's decorators hide the
signatures of the measures they wrap, and mypy cannot see through them either. The CLI's
command functions are left out: their parameters are Typer options already.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "ecograph"
SKIPPED = ("cli",)

#: Parameters that tune how a function works rather than say what it works on. Given a
#: default, they must be passed by name: ``ei_index(G, attribute="epci")``, not ``(G, "epci")``.
OPTIONS = {
    "attribute",
    "digits",
    "extra",
    "force",
    "formula_escape",
    "idle_timeout",
    "lang",
    "level",
    "node_metrics",
    "prefixes",
    "radius_per_point",
    "replace",
    "sectors",
    "seed",
    "spacing",
    "table",
    "top",
    "weight",
    "weights",
}

MODULES = sorted(
    path
    for path in SOURCE.rglob("*.py")
    if path.relative_to(SOURCE).parts[0] not in SKIPPED and path.name != "__main__.py"
)


def _functions(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """(qualified name, definition) of every module-level function and method."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{node.name}.{item.name}", item


def _public(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split("."))


def _positional_options(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """Options with a default that can still be passed by position. The first parameter is
    the function's main input, whatever its name (``Labels.shipped(lang)``)."""
    positional = [*function.args.posonlyargs, *function.args.args]
    if positional and positional[0].arg in ("self", "cls"):
        positional = positional[1:]
    first_default = max(len(positional) - len(function.args.defaults), 1)
    return [arg.arg for arg in positional[first_default:] if arg.arg in OPTIONS]


def _label(path: Path) -> str:
    return path.relative_to(SOURCE).as_posix()


@pytest.mark.parametrize("path", MODULES, ids=_label)
def test_options_are_keyword_only(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wrong = [
        f"{name}: {', '.join(found)}"
        for name, function in _functions(tree)
        if _public(name) and (found := _positional_options(function))
    ]
    assert not wrong, "pass these by name (add a bare * before them):\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", MODULES, ids=_label)
def test_stores_are_typed_as_the_protocol(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wrong = []
    for name, function in _functions(tree):
        arguments = function.args
        for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            if arg.arg == "store" and ast.unparse(arg.annotation or ast.Constant(None)) in (
                "Any",
                "object",
                "None",
            ):
                wrong.append(
                    f"{name}: store is {ast.unparse(arg.annotation or ast.Constant(None))}"
                )
    assert not wrong, "annotate with ecograph.store.base.Store:\n" + "\n".join(wrong)
