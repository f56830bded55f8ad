"""The ``ecograph`` command line: thin Typer commands over the library.

This module only assembles the app. Each command lives in a module of its own (``workspace``,
``querying``, ``analysis``, ``gaps``, ``maps``, ``report``, ``imports``, ``serve``, ``demo``),
parses its options and calls library functions; what every command shares (the consoles, the
global options, opening the workspace, ``fail``) lives once in :mod:`ecograph.cli.common`.
Command modules import ``common`` and ``tables``, never this module, so there is no cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ecograph import __version__
from ecograph.cli import (
    analysis,
    demo,
    domains,
    gaps,
    imports,
    maps,
    querying,
    report,
    serve,
    workspace,
)
from ecograph.cli.common import console, errors, state

__all__ = ["app", "console", "errors"]

#: The global options and whether each takes a value; they may follow the subcommand too.
GLOBAL_OPTIONS = {
    "--store": True,
    "--endpoint": True,
    "--update-endpoint": True,
    "--gsp-endpoint": True,
}
#: Options whose following words are data, never global options (``query -p NAME VALUE``).
_DATA_OPTIONS = {"-p": 2, "--param": 2}


def hoist_global_options(args: Sequence[str]) -> list[str]:
    """``args`` with the global options moved before the subcommand, so that
    ``ecograph demo --store X`` means ``ecograph --store X demo``.

    Words after ``--`` and the values of ``-p NAME VALUE`` are left where they are: they are
    data, even when they look like an option.
    """
    hoisted: list[str] = []
    rest: list[str] = []
    words = list(args)
    while words:
        word = words.pop(0)
        if word == "--":
            rest += [word, *words]
            break
        if word in _DATA_OPTIONS:
            taken = _DATA_OPTIONS[word]
            rest += [word, *words[:taken]]
            del words[:taken]
            continue
        name, equals, _ = word.partition("=")
        if name in GLOBAL_OPTIONS:
            hoisted.append(word)
            if GLOBAL_OPTIONS[name] and not equals and words:
                hoisted.append(words.pop(0))
            continue
        rest.append(word)
    return hoisted + rest


class _GlobalOptionsAnywhere(TyperGroup):
    """The top-level group: reads global options wherever the user put them."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args))


app = typer.Typer(
    cls=_GlobalOptionsAnywhere,
    help="ecograph: map and analyse a social innovation ecosystem as a knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"ecograph {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            envvar="ECOGRAPH_STORE",
            help="Workspace folder holding the store (default: ./ecograph-data). Like every "
            "global option, it may also follow the command.",
        ),
    ] = None,
    endpoint: Annotated[
        str | None,
        typer.Option(
            envvar="ECOGRAPH_ENDPOINT",
            help="Work on a remote SPARQL 1.1 query endpoint instead of the embedded store.",
        ),
    ] = None,
    update_endpoint: Annotated[
        str | None,
        typer.Option(
            envvar="ECOGRAPH_UPDATE_ENDPOINT",
            help="The remote SPARQL 1.1 update endpoint (needed to change remote data).",
        ),
    ] = None,
    gsp_endpoint: Annotated[
        str | None,
        typer.Option(
            envvar="ECOGRAPH_GSP_ENDPOINT",
            help="The remote Graph Store Protocol endpoint (needed to load into remote data).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Global options."""
    state.store = store
    state.endpoint = endpoint
    state.update_endpoint = update_endpoint
    state.gsp_endpoint = gsp_endpoint


_QUERY_SETTINGS: dict[str, Any] = {"allow_extra_args": True, "ignore_unknown_options": True}

app.command()(workspace.init)
app.command()(workspace.territories)
app.command()(workspace.generate)
app.command()(workspace.validate)
app.command()(workspace.stats)
app.command()(workspace.export)
app.command("queries")(querying.list_queries)
app.command(context_settings=_QUERY_SETTINGS, help=querying.QUERY_HELP)(querying.query)
app.command()(analysis.network)
app.command()(analysis.metrics)
gaps_app = typer.Typer(
    help="Partnership gaps and suggested partnerships, explained.", no_args_is_help=False
)
gaps_app.callback(invoke_without_command=True)(gaps.gaps)
gaps_app.command("evaluate")(gaps.gaps_evaluate)
app.add_typer(gaps_app, name="gaps")
domains_app = typer.Typer(
    help="The keyword rules that give real grants and actors their domains: try them on a "
    "text, measure them on hand-labelled real grants.",
    no_args_is_help=True,
)
domains_app.command("explain")(domains.explain)
domains_app.command("evaluate")(domains.evaluate)
app.add_typer(domains_app, name="domains")
app.command()(demo.demo)
app.command()(serve.serve)
app.command()(report.report)
app.command("import")(imports.import_files)
app.command()(imports.sources)
app.command()(imports.remove)
app.command("map")(maps.map_command)
