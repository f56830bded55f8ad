"""The package's layers hold: vocab → store → ingest/queries → network/server → render → cli.

Every ``import`` in ``src/ecograph`` (at the top of a module or inside a function: a lazy import
is still a dependency) may name only its own layer or a lower one, and the CLI's command
modules never import the package that assembles them. A newcomer can then read the code from
the bottom up, and a change low down cannot be broken by a command.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "ecograph"

#: Layer of each module or package, by dotted name below ``ecograph`` (longest prefix wins).
LAYERS: dict[str, int] = {
    # 0 — vocabulary and pure helpers: no store, no I/O beyond the package's own files
    "": 0,
    # 1 — the store and what reads the ontology through it
    "store": 1,
    "ontology": 1,
    "provenance": 1,
    "metrics_state": 1,
    "labels": 1,
    "domain_rules": 1,
    "domain_evaluation": 2,
    "sparql_results": 1,
    # 2 — getting data in and asking it questions
    "ingest": 2,
    "queries": 2,
    "validate": 2,
    "stats": 2,
    "sample": 2,
    "export": 2,
    # 3 — analysing the graph and serving it
    "network": 3,
    "server": 3,
    "scope": 3,
    "analysis": 3,
    # 4 — pictures and pages
    "render": 4,
    # 5 — the command line
    "cli": 5,
    "__main__": 5,
}
NAMES = ["vocab", "store", "ingest/queries", "network/server", "render", "cli"]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> int:
    best, layer = -1, 0
    for prefix, value in LAYERS.items():
        if (module == prefix or module.startswith(prefix + ".") or not prefix) and len(
            prefix
        ) > best:
            best, layer = len(prefix), value
    return layer


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module below ``ecograph``) of every ecograph import in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name == "ecograph" or name.startswith("ecograph."):
                found.append((node.lineno, name.removeprefix("ecograph").lstrip(".")))
    return found


def _is_module(name: str) -> bool:
    path = SOURCE.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


MODULES = sorted(SOURCE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p) or "ecograph")
def test_no_import_from_a_higher_layer(path: Path) -> None:
    here = _module_name(path)
    wrong = []
    for line, name in _imports(path):
        if not name or not _is_module(name):
            continue  # ``from ecograph import __version__`` or a name inside a module
        if _layer(name) > _layer(here):
            wrong.append(
                f"line {line}: {name} ({NAMES[_layer(name)]}) from {here} ({NAMES[_layer(here)]})"
            )
    assert not wrong, "\n".join(wrong)


def test_command_modules_never_import_the_app() -> None:
    for path in (SOURCE / "cli").glob("*.py"):
        if path.name == "__init__.py":
            continue
        assert "ecograph.cli" not in {name and f"ecograph.{name}" for _, name in _imports(path)}, (
            path.name
        )


def test_the_layer_table_knows_every_top_level_module() -> None:
    """A new top-level module must be placed in a layer on purpose, not fall into layer 0."""
    top = {_module_name(p).split(".")[0] for p in MODULES if _module_name(p)}
    low = {
        "namespaces",
        "vocab",
        "vocab_build",
        "rdfterms",
        "resources",
        "safetext",
        "gcpause",
        "listcolumns",
        "identifiers",
        "binding",
        "geography",
        "geography_build",
        "wording",
        "table_files",
        "name_keys",
    }
    assert top <= set(LAYERS) | low, sorted(top - set(LAYERS) - low)
