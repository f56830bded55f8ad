"""``serve``: the store as a SPARQL 1.1 endpoint with a query page."""

from __future__ import annotations

from typing import Annotated

import typer

from ecograph.cli.common import errors, fail, state
from ecograph.safetext import labelled, terminal
from ecograph.server.settings import setting_default, setting_help
from ecograph.store import StoreError


def serve(
    host: Annotated[str, typer.Option(help=setting_help("host"))] = setting_default("host"),
    port: Annotated[int, typer.Option(help=setting_help("port"))] = setting_default("port"),
    enable_update: Annotated[
        bool, typer.Option("--enable-update", help=setting_help("enable_update"))
    ] = setting_default("enable_update"),
    update_token: Annotated[
        str | None,
        typer.Option(
            envvar="ECOGRAPH_UPDATE_TOKEN",
            show_envvar=True,
            show_default=False,
            help=setting_help("update_token"),
        ),
    ] = setting_default("update_token"),
    cors: Annotated[bool, typer.Option("--cors", help=setting_help("cors"))] = setting_default(
        "cors"
    ),
    query_timeout: Annotated[
        float, typer.Option(help=setting_help("query_timeout"))
    ] = setting_default("query_timeout"),
    max_rows: Annotated[int, typer.Option(help=setting_help("max_rows"))] = setting_default(
        "max_rows"
    ),
    max_body_bytes: Annotated[
        int, typer.Option(help=setting_help("max_body_bytes"))
    ] = setting_default("max_body_bytes"),
    max_response_bytes: Annotated[
        int, typer.Option(help=setting_help("max_response_bytes"))
    ] = setting_default("max_response_bytes"),
    worker_memory: Annotated[
        int, typer.Option(help=setting_help("worker_memory"))
    ] = setting_default("worker_memory"),
    header_timeout: Annotated[
        float, typer.Option(help=setting_help("header_timeout"))
    ] = setting_default("header_timeout"),
    idle_timeout: Annotated[
        float, typer.Option(help=setting_help("idle_timeout"))
    ] = setting_default("idle_timeout"),
    workers: Annotated[int, typer.Option(help=setting_help("workers"))] = setting_default(
        "workers"
    ),
) -> None:
    """Serve the store as a SPARQL 1.1 endpoint with a query page (read-only by default)."""
    from ecograph.queries import QueryError
    from ecograph.server import ServerSettings, SettingsError
    from ecograph.server.app import serve as run_server
    from ecograph.store.embedded import resolve_store_dir

    if state.endpoint:
        raise fail(
            "`ecograph serve` serves a workspace folder; --endpoint already names a SPARQL server.",
            2,
        )
    try:
        settings = ServerSettings(
            store=resolve_store_dir(state.store),
            host=host,
            port=port,
            enable_update=enable_update,
            update_token=update_token,
            cors=cors,
            query_timeout=query_timeout,
            max_rows=max_rows,
            max_body_bytes=max_body_bytes,
            max_response_bytes=max_response_bytes,
            worker_memory=worker_memory,
            header_timeout=header_timeout,
            idle_timeout=idle_timeout,
            workers=workers,
        )
    except SettingsError as err:
        raise fail(err, 2) from None
    mode = "updates ENABLED (token required)" if settings.enable_update else "read-only"
    errors.print(
        terminal(
            f"Serving {settings.store} at http://{settings.host}:{settings.port}/ "
            f"({mode}; SPARQL endpoint /sparql; time limit {settings.query_timeout:g} s, "
            f"row cap {settings.max_rows:,}, {settings.worker_count} worker(s)"
            f"{'; CORS on' if settings.cors else ''})."
        )
    )
    if not settings.is_loopback:
        errors.print(
            labelled(
                "warning:",
                "yellow",
                f"listening on {settings.host}: anyone "
                "who can reach this machine can query the store.",
            )
        )
    try:
        run_server(settings)
    except (StoreError, QueryError) as err:
        raise fail(err, 1) from None
