"""The README's promises: two quick-start commands, CI runs the second, commands documented."""

from __future__ import annotations

import re

import typer.main

from ecograph.cli import app

from .conftest import REPO_ROOT


def _quick_start_commands() -> list[str]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the Quick start section has no ```bash block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_has_exactly_two_commands() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2
    assert "ecograph demo" in commands[0]
    assert "[test]" in commands[1] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "## Quick start" in ci and "sed -n 2p" in ci


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help, f"`ecograph {name}` has no help text"
        assert f"`ecograph {name}" in readme, f"`ecograph {name}` is not in README.md"
        for param in command.params:
            if param.name != "help":
                assert getattr(param, "help", None), f"ecograph {name} {param.name}: no help"
