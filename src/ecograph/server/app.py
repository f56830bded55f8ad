"""The web application: the SPARQL 1.1 Protocol endpoint, the query page and its API.

Routes:

- ``GET /`` — the query page (``static/index.html``; its script and style are served from the
  package under ``/static``, nothing comes from a CDN);
- ``GET|POST /sparql`` — the SPARQL 1.1 Protocol: query by GET, POST form or POST direct,
  update by POST form or POST direct when ``--enable-update`` is on;
- ``GET /queries.json`` — the query library (name, title, description, parameters, text);
- ``POST /api/run`` — run a library query by name with parameter values, bound by
  ``LibraryQuery.bind`` as RDF terms (the page uses this, so no text is ever spliced).

Every error is a JSON object ``{"error": message}`` (plus ``line``/``column`` for syntax errors
and refusals, ``setting`` when a limit was hit); no traceback reaches a client.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import urllib.parse
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ecograph.queries import LibraryQuery, QueryError, load_catalogue
from ecograph.server import protocol
from ecograph.server.limits import BodyTimeout, BodyTooLarge, check_query_string, read_capped
from ecograph.server.protocol import Dataset, ProtocolError
from ecograph.server.settings import ServerSettings
from ecograph.server.workers import Job, Outcome, PoolError, WorkerPool

log = logging.getLogger("ecograph.server")

STATIC_DIR = Path(__file__).resolve().parent / "static"
TRUNCATED_HEADER = "X-Ecograph-Truncated"

#: Sent with every response: the page loads only its own files and talks only to this server.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def error_response(
    status: int, message: str, *, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """The endpoint's one error shape: ``{"error": ..., "line"?, "column"?, "setting"?}``."""
    body = {"error": message, **{k: v for k, v in extra.items() if v is not None}}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


class _Endpoint:
    """The request handlers, sharing the settings, the library and the worker pool."""

    def __init__(
        self, settings: ServerSettings, catalogue: Mapping[str, LibraryQuery], pool: WorkerPool
    ) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.pool = pool

    # ------------------------------------------------------------------ routes
    async def page(self, request: Request) -> Response:
        """The query page."""
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    async def queries(self, request: Request) -> Response:
        """The library as JSON, for the page's picker."""
        return JSONResponse(
            [
                {
                    "name": q.name,
                    "title": q.title,
                    "description": q.description,
                    "parameters": [
                        {
                            "name": p.name,
                            "type": p.type,
                            "example": p.example,
                            "description": p.description,
                        }
                        for p in q.parameters
                    ],
                    "text": q.text,
                }
                for q in self.catalogue.values()
            ]
        )

    async def sparql(self, request: Request) -> Response:
        """The SPARQL 1.1 Protocol endpoint."""
        try:
            is_update, text, dataset = await self._read_operation(request)
            if is_update:
                refusal = self._authorise(request)
                if refusal is not None:
                    return refusal
                job = self._job(text, update=True, base_iri=_endpoint_iri(request), dataset=dataset)
            else:
                job = self._job(
                    text,
                    base_iri=_endpoint_iri(request),
                    dataset=dataset,
                    accept=protocol.parse_accept(request.headers.get("accept")),
                )
        except (ProtocolError, BodyTooLarge, BodyTimeout) as err:
            return _refusal(err)
        return await self._run(job)

    async def run_library_query(self, request: Request) -> Response:
        """Run a library query by name, its parameters bound as RDF terms by the library."""
        try:
            if _media_type(request) != "application/json":
                raise ProtocolError(
                    415,
                    "Send the request as application/json: "
                    '{"name": "...", "params": {"name": "value"}}',
                )
            body = await self._read_body(request)
            payload = _json_object(body)
            name, params = payload.get("name"), payload.get("params", {})
            if (
                not isinstance(name, str)
                or not isinstance(params, dict)
                or not all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
            ):
                raise ProtocolError(400, 'Expected {"name": string, "params": {string: string}}')
            if name not in self.catalogue:
                raise ProtocolError(
                    404, f"No library query named {name!r}; GET /queries.json lists them."
                )
            text = self.catalogue[name].bind(params)
            lists = self.catalogue[name].lists
        except QueryError as err:
            return error_response(400, str(err))
        except (ProtocolError, BodyTooLarge, BodyTimeout) as err:
            return _refusal(err)
        job = self._job(
            text,
            base_iri=str(request.url_for("sparql")),
            accept=protocol.parse_accept(request.headers.get("accept")),
            lists=lists,
        )
        return await self._run(job)

    # ------------------------------------------------------------------ helpers
    async def _read_body(self, request: Request) -> bytes:
        return await read_capped(
            request.stream(),
            request.headers.get("content-length"),
            self.settings.max_body_bytes,
            idle_timeout=self.settings.idle_timeout,
        )

    def _job(self, text: str, *, update: bool = False, **options: Any) -> Job:
        """A job with the server's caps. The worker screens it (``screen.py``): parsing runs
        there, inside the time limit and off this event loop."""
        return Job(
            text,
            update=update,
            max_rows=self.settings.max_rows,
            max_response_bytes=self.settings.max_response_bytes,
            **options,
        )

    async def _read_operation(self, request: Request) -> tuple[bool, str, Dataset]:
        """(is it an update, its text, the dataset its parameters name) from any of the
        protocol's request shapes; ProtocolError (400/415) or BodyTooLarge otherwise."""
        check_query_string(request.url.query, self.settings.max_body_bytes)
        url_params = urllib.parse.parse_qsl(request.url.query, keep_blank_values=True)
        if request.method in ("GET", "HEAD"):
            return _operation(url_params, allow_update=False)
        media = _media_type(request)
        if media is None:
            raise ProtocolError(
                415,
                "A POST needs a Content-Type: "
                f"{protocol.QUERY_TYPE}, {protocol.UPDATE_TYPE} or "
                f"{protocol.FORM_TYPE}.",
            )
        if media not in (protocol.QUERY_TYPE, protocol.UPDATE_TYPE, protocol.FORM_TYPE):
            raise ProtocolError(
                415,
                f"Content-Type {media} is not a SPARQL request; use "
                f"{protocol.QUERY_TYPE}, {protocol.UPDATE_TYPE} or "
                f"{protocol.FORM_TYPE}.",
            )
        charset = _charset(request)
        if charset not in (None, "utf-8", "utf8"):
            raise ProtocolError(
                415, f"charset={charset} is not accepted: SPARQL requests are UTF-8."
            )
        body = await self._read_body(request)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError(400, "The request body is not valid UTF-8.") from None
        if media == protocol.FORM_TYPE:
            try:
                form = urllib.parse.parse_qsl(text, keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                raise ProtocolError(
                    400, "The form holds percent-encoded bytes that are not UTF-8."
                ) from None
            return _operation(url_params + form, allow_update=True)
        if any(name in ("query", "update") for name, _ in url_params):
            raise ProtocolError(
                400, f"A {media} request carries its operation in the body, not in the URL."
            )
        is_update = media == protocol.UPDATE_TYPE
        return is_update, text, _dataset(url_params, update=is_update)

    def _authorise(self, request: Request) -> Response | None:
        """None when the request may update; else the 403/401 to answer with.

        The token is compared with ``hmac.compare_digest``, whose time does not depend on
        where the first difference is, so timing cannot reveal the token byte by byte.
        """
        if not self.settings.enable_update or not self.settings.update_token:
            return error_response(
                403,
                "This endpoint is read-only; updates need the server "
                "to be started with --enable-update and a token.",
            )
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return error_response(
                401,
                "Updates need 'Authorization: Bearer <token>'.",
                headers={"WWW-Authenticate": 'Bearer realm="ecograph"'},
            )
        if not hmac.compare_digest(token.strip().encode(), self.settings.update_token.encode()):
            return error_response(403, "The update token is wrong.")
        return None

    async def _run(self, job: Job) -> Response:
        try:
            outcome = await anyio.to_thread.run_sync(self.pool.run, job)
        except PoolError as err:
            headers = {"Retry-After": "1"} if err.setting == "workers" else None
            return error_response(err.status, str(err), headers=headers, setting=err.setting)
        return _response(outcome)


# --------------------------------------------------------------------------- request parsing
def _operation(params: list[tuple[str, str]], *, allow_update: bool) -> tuple[bool, str, Dataset]:
    queries = [value for name, value in params if name == "query"]
    updates = [value for name, value in params if name == "update"]
    if updates and not allow_update:
        raise ProtocolError(
            400, f"An update must be sent by POST (form or {protocol.UPDATE_TYPE}), never by GET."
        )
    if queries and updates:
        raise ProtocolError(400, "A request carries either 'query' or 'update', not both.")
    found = queries or updates
    if not found:
        raise ProtocolError(400, "The request has no 'query' (or 'update') parameter.")
    if len(found) > 1:
        raise ProtocolError(
            400,
            f"The request has {len(found)} "
            f"'{'update' if updates else 'query'}' parameters; send one.",
        )
    return bool(updates), found[0], _dataset(params, update=bool(updates))


def _dataset(params: list[tuple[str, str]], *, update: bool) -> Dataset:
    default_name, named_name = (
        ("using-graph-uri", "using-named-graph-uri")
        if update
        else ("default-graph-uri", "named-graph-uri")
    )
    return Dataset(
        default=protocol.graph_iris([v for k, v in params if k == default_name], default_name),
        named=protocol.graph_iris([v for k, v in params if k == named_name], named_name),
    )


def _refusal(err: ProtocolError | BodyTooLarge | BodyTimeout) -> Response:
    """The JSON error for a request refused before any query runs."""
    if isinstance(err, BodyTooLarge):
        return error_response(413, str(err), setting="max_body_bytes")
    if isinstance(err, BodyTimeout):
        return error_response(
            408, str(err), setting="idle_timeout", headers={"Connection": "close"}
        )
    return error_response(err.status, str(err))


def _media_type(request: Request) -> str | None:
    header = request.headers.get("content-type")
    if not header:
        return None
    return header.split(";", 1)[0].strip().lower() or None


def _charset(request: Request) -> str | None:
    for parameter in request.headers.get("content-type", "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError(400, "The request body is not JSON.") from None
    if not isinstance(payload, dict):
        raise ProtocolError(400, "The request body must be a JSON object.")
    return payload


def _endpoint_iri(request: Request) -> str:
    """The endpoint's own URL, used as the base IRI of relative IRIs in requests."""
    return str(request.url.replace(query="", fragment=""))


def _response(outcome: Outcome) -> Response:
    headers = {"Vary": "Accept"}
    if outcome.truncated is not None:
        headers[TRUNCATED_HEADER] = "true" if outcome.truncated else "false"
    if outcome.status == 204:
        return Response(status_code=204)
    return Response(
        outcome.body,
        status_code=outcome.status,
        media_type=outcome.media_type or None,
        headers=headers,
    )


# --------------------------------------------------------------------------- middleware
class _SecurityHeaders:
    """Adds ``SECURITY_HEADERS`` to every response (pure ASGI, so streaming is untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [
                    (name.encode(), value.encode())
                    for name, value in SECURITY_HEADERS.items()
                    if name.encode() not in present
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _LoopbackHostsOnly:
    """On a loopback address, answer only requests whose ``Host`` names this machine.

    A web page can point a name it controls at 127.0.0.1 (DNS rebinding); the browser then
    treats the endpoint as that page's own origin and lets it read every answer, CORS or not.
    Such requests carry the page's name in ``Host``, so they are refused here.
    """

    ALLOWED = frozenset({"127.0.0.1", "localhost", "::1"})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = dict(scope.get("headers", [])).get(b"host")
            if host is not None and _host_name(host.decode("latin-1")) not in self.ALLOWED:
                response = error_response(
                    400,
                    "This server listens on a loopback address and answers only requests "
                    "addressed to 127.0.0.1, localhost or [::1] (the Host header).",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _host_name(host: str) -> str:
    """The name in a ``Host`` header, without the port (IPv6 without brackets)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", "") or "error"
    headers = getattr(exc, "headers", None)
    if status == 405:
        detail = f"{request.method} is not allowed here."
    return error_response(status, str(detail), headers=headers)


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s: %r", request.method, request.url.path, exc)
    return error_response(500, "Internal error; the server log has the details.")


# --------------------------------------------------------------------------- assembly
def create_app(
    settings: ServerSettings,
    *,
    catalogue: Mapping[str, LibraryQuery] | None = None,
    pool: WorkerPool | None = None,
) -> Starlette:
    """The Starlette application for ``settings``; its workers start with the app (lifespan).

    ``catalogue`` defaults to the installed query library; ``pool`` to one sized and timed by
    the settings (tests pass their own to share one).
    """
    if catalogue is None:
        try:
            catalogue = load_catalogue()
        except FileNotFoundError as err:
            log.warning("no query library: %s", err)
            catalogue = {}
    if pool is None:
        pool = WorkerPool(
            settings.store,
            size=settings.worker_count,
            writable=settings.enable_update,
            timeout=settings.query_timeout,
            memory_mb=settings.worker_memory,
        )
    endpoint = _Endpoint(settings, catalogue, pool)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(pool.start)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(pool.close)

    middleware = [Middleware(_SecurityHeaders)]
    if settings.is_loopback:
        middleware.append(Middleware(_LoopbackHostsOnly))
    if settings.cors:
        allowed_headers = ["Accept", "Content-Type"]
        if settings.enable_update:
            allowed_headers.append("Authorization")
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST"],
                allow_headers=allowed_headers,
                allow_credentials=False,
                expose_headers=[TRUNCATED_HEADER],
            )
        )
    routes = [
        Route("/", endpoint.page, methods=["GET"]),
        Route("/sparql", endpoint.sparql, methods=["GET", "POST"], name="sparql"),
        Route("/queries.json", endpoint.queries, methods=["GET"]),
        Route("/api/run", endpoint.run_library_query, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error, Exception: _internal_error},
    )


def check_workspace(settings: ServerSettings) -> None:
    """Open and close the workspace once, so a wrong folder or a busy store fails with the
    usual ``StoreError`` message before any worker starts."""
    from ecograph.store import open_store

    with open_store(settings.store, read_only=not settings.enable_update, create=False):
        pass


def serve(settings: ServerSettings) -> None:
    """Check the workspace, then run the endpoint with uvicorn until interrupted."""
    import uvicorn

    from ecograph.server.connections import header_deadline_protocol

    check_workspace(settings)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        server_header=False,
        proxy_headers=False,
        http=header_deadline_protocol(settings.header_timeout),
        timeout_keep_alive=max(1, round(settings.idle_timeout)),
    )
