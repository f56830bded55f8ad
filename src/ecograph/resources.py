"""Where the files that ship with ecograph live.

The ontology and the query library sit at the top of the repository (``ontology/``,
``queries/``) so that people find them; the wheel copies them into the package as
``ecograph/_ontology`` and ``ecograph/_queries``. Both layouts are looked up here, in
one place, so no other module guesses paths.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped_dir(name: str, marker: str) -> Path:
    """A top-level folder of the repository, as installed (``ecograph/_{name}``) or in a
    checkout (``{name}/``); ``marker`` is a file that must be in it.

    Raises ``FileNotFoundError`` naming both places looked at when neither exists, which only
    happens with a broken installation.
    """
    candidates = (_PACKAGE_DIR / f"_{name}", _PACKAGE_DIR.parents[1] / name)
    for candidate in candidates:
        if (candidate / marker).is_file():
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"ecograph's {name} folder was not found (looked in {looked})")


def ontology_dir() -> Path:
    """The folder holding ``ecograph.ttl``, ``shapes.ttl`` and ``schemes/``."""
    return _shipped_dir("ontology", "ecograph.ttl")


def queries_dir() -> Path:
    """The folder holding the query library (``*.rq``)."""
    return _shipped_dir("queries", "README.md")


def ontology_path(name: str) -> Path:
    """A file of the ontology folder, e.g. ``ontology_path("shapes.ttl")``."""
    return ontology_dir() / name


def ontology_files() -> list[Path]:
    """The ontology and every SKOS scheme, in a stable order (shapes are not included)."""
    folder = ontology_dir()
    return [folder / "ecograph.ttl", *sorted((folder / "schemes").glob("*.ttl"))]


def data_path(name: str) -> Path:
    """A data file shipped inside the package (``src/ecograph/data``)."""
    return _PACKAGE_DIR / "data" / name
