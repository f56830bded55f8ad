"""Every phrase the code asks ``say`` for has its French, and French is the default."""

from __future__ import annotations

import ast
from pathlib import Path

from typer.testing import CliRunner

from ecograph.cli import app
from ecograph.wording import FRENCH, say

SOURCE = Path(__file__).resolve().parents[1] / "src" / "ecograph"


def _asked() -> set[str]:
    found = set()
    for path in SOURCE.rglob("*.py"):
        if "from ecograph.wording import say" not in path.read_text(encoding="utf-8"):
            continue  # another module's own ``say``
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "say"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found


def test_every_phrase_asked_for_has_its_french() -> None:
    asked = _asked()
    assert len(asked) >= 10
    assert sorted(asked - set(FRENCH)) == []


def test_fields_are_filled_in_both_languages() -> None:
    phrase = "{sector} partner"
    assert say(phrase, "en", sector="Public sector") == "Public sector partner"
    assert say(phrase, "fr", sector="Secteur public") == "partenaire : Secteur public"


def test_tables_are_french_by_default_and_english_on_request(sample_workspace: Path) -> None:
    runner = CliRunner()
    french = runner.invoke(app, ["stats", "--store", str(sample_workspace)])
    assert french.exit_code == 0, french.output
    assert "Écosystème" in french.stdout and "Acteurs par secteur" in french.stdout
    assert "Économie sociale et solidaire" in french.stdout
    english = runner.invoke(app, ["stats", "--lang", "en", "--store", str(sample_workspace)])
    assert "Ecosystem" in english.stdout and "Social and solidarity economy" in english.stdout
    gaps = runner.invoke(app, ["gaps", "--store", str(sample_workspace)])
    assert gaps.exit_code == 0, gaps.output
    assert "Partenariats suggérés" in gaps.stdout
