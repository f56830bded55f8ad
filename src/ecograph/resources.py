"""Where the files that ship with ecograph live.

The ontology sits at the top of the repository (``ontology/``) so that people find it; the
wheel copies it into the package as ``ecograph/_ontology``. Both layouts are looked up here, in
one place, so no other module guesses paths.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def ontology_dir() -> Path:
    """The folder holding ``ecograph.ttl``, ``shapes.ttl`` and ``schemes/``.

    Raises ``FileNotFoundError`` naming both places looked at when neither exists, which only
    happens with a broken installation.
    """
    candidates = (_PACKAGE_DIR / "_ontology", _PACKAGE_DIR.parents[1] / "ontology")
    for candidate in candidates:
        if (candidate / "ecograph.ttl").is_file():
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"ecograph's ontology was not found (looked in {looked})")


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
