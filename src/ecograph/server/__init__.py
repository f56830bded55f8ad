"""``ecograph serve``: a SPARQL 1.1 Protocol endpoint over a workspace, with a query page.

- ``settings`` — the settings, each with its default and the risk of changing it;
- ``app`` — the Starlette application (``create_app``) and ``serve``;
- ``protocol`` — media types, content negotiation, dataset parameters;
- ``limits`` — what is refused before any engine runs (SERVICE, FROM, LOAD; big bodies);
- ``workers`` — worker processes that run queries under a time limit;
- ``results`` — SPARQL results written with the row cap applied.

Only the settings are imported here, so the CLI can read their help without loading the web
stack.
"""

from ecograph.server.settings import ServerSettings, SettingsError

__all__ = ["ServerSettings", "SettingsError"]
