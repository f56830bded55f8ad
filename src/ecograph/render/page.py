"""Turn a pyvis network into one self-contained, escaped HTML page.

pyvis keeps the network model (``Network.nodes``/``edges`` and the vis-network options) and
renders it (``Network.generate_html``), but through ecograph's template instead of its own:

- pyvis's template loads Bootstrap and tom-select from a CDN even with
  ``cdn_resources="in_line"``, and renders without autoescaping (the heading and node ids go
  into the page as HTML). ecograph's ``templates/map.html.j2`` is rendered by a Jinja
  environment with autoescape on, and has plain HTML controls instead of Bootstrap.
- Data goes into ``<script type="application/json">`` blocks with ``<``, ``>``, ``&`` and
  U+2028/2029 escaped, read with ``JSON.parse``: text from the store is never JavaScript.
- vis-network 9 (shipped inside pyvis) shows a string ``title`` with ``innerText``, so a
  tooltip is plain text. pyvis switches every tooltip to HTML when one contains "href";
  ecograph's page has no such switch.
- Labels from the data reach the page through the ``isolate`` filter
  (:func:`ecograph.safetext.isolate`): no control character or bidi override, and each one
  isolated from the count beside it, even inside ``<option>``, which holds no ``<bdi>``.
- A Content-Security-Policy allows only the two inline scripts it names by hash and no
  network at all (``default-src 'none'``): an injected ``<script>`` or ``onerror`` handler
  would not run even if some text escaped the escaping.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.resources
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from ecograph.safetext import isolate

if TYPE_CHECKING:  # pyvis imports IPython, slow to load: only the map's builder loads it
    from pyvis.network import Network

__all__ = ["TEMPLATE", "VIS_NETWORK_VERSION", "render", "script_json"]

TEMPLATE = "map.html.j2"
VIS_NETWORK_VERSION = "9.1.2"  # the copy shipped in pyvis 0.3.2 (pyvis/lib/vis-9.1.2)
# Replaced one after the other: five passes of str.replace are far faster on megabytes of
# JSON than one str.translate with a table, which looks up every character.
_ESCAPES = (
    ("&", "\\u0026"),
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def script_json(value: Any) -> Markup:
    """``value`` as JSON safe inside ``<script type="application/json">`` (a JSON text given
    as ``str`` is escaped as it is). The result cannot close the script element or open a
    comment, and parses back to ``value`` with ``JSON.parse``."""
    text = (
        value
        if isinstance(value, str)
        else json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    )
    for raw, escaped in _ESCAPES:
        text = text.replace(raw, escaped)
    return Markup(text)


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ecograph.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["script_json"] = script_json
    env.filters["isolate"] = isolate
    return env


@functools.lru_cache(maxsize=4)
def _asset(package: str, *parts: str) -> str:
    text = importlib.resources.files(package).joinpath(*parts).read_text(encoding="utf-8")
    if "</script" in text.lower():
        raise ValueError(f"{package}/{'/'.join(parts)} cannot be inlined: it contains </script")
    return text


def _scripts() -> tuple[str, str]:
    """vis-network (from the pyvis package) and ecograph's map script."""
    return (
        _asset("pyvis", "lib", f"vis-{VIS_NETWORK_VERSION}", "vis-network.min.js"),
        _asset("ecograph.render", "static", "map.js"),
    )


@functools.lru_cache(maxsize=1)
def _policy() -> str:
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in _scripts()
    )
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


class _TemplateWithPage:
    """What ``Network.generate_html`` expects of its template, with ecograph's context
    (legend, filters, words) added to the variables pyvis passes."""

    def __init__(self, template: jinja2.Template, page: Mapping[str, Any]) -> None:
        self._template = template
        self._page = page

    def render(self, **pyvis_context: Any) -> str:
        return self._template.render(**pyvis_context, **self._page)


class _Environment:
    """Stands in for pyvis's own (non-escaping) Jinja environment."""

    def __init__(self, page: Mapping[str, Any]) -> None:
        self._page = page

    def get_template(self, name: str) -> _TemplateWithPage:
        return _TemplateWithPage(_environment().get_template(name), self._page)


def render(net: Network, page: Mapping[str, Any]) -> str:
    """The page of ``net`` rendered by pyvis through ecograph's escaped template.

    ``page`` holds what the template needs beyond pyvis's variables (``lang``, ``words``,
    ``legend``, ``filters``, ``data``): see ``templates/map.html.j2``.
    """
    vis_js, map_js = _scripts()
    net.templateEnv = _Environment(
        {
            **page,
            "vis_js": Markup(vis_js),
            "map_js": Markup(map_js),
            "css": Markup(_asset("ecograph.render", "static", "map.css")),
            "policy": _policy(),
        }
    )
    net.path = TEMPLATE
    return net.generate_html()
