"""Writing RDF terms as N-Triples text, for the fast paths that bulk-load text.

Generating millions of triples through term objects costs more than loading them; these
helpers escape correctly instead (N-Triples §2.4: ``\\``, ``"``, line breaks), so any user text
survives, and refuse IRIs that N-Triples cannot carry rather than emit a broken file.
"""

from __future__ import annotations

import re

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r]')
_LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")


def nt_iri(iri: str) -> str:
    """``<iri>``; raises ``ValueError`` for characters an IRI may not hold."""
    if not iri or _IRI_FORBIDDEN.search(iri):
        raise ValueError(f"not a valid IRI: {iri!r}")
    return f"<{iri}>"


def nt_literal(text: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal, escaped; with a language tag or a datatype IRI (not both)."""
    escaped = '"' + (text.translate(_ESCAPES) if _NEEDS_ESCAPE.search(text) else text) + '"'
    if lang is not None:
        if datatype is not None:
            raise ValueError("a literal has a language tag or a datatype, not both")
        if not _LANGUAGE_TAG.match(lang):
            raise ValueError(f"not a language tag: {lang!r}")
        return f"{escaped}@{lang}"
    if datatype is not None:
        return f"{escaped}^^{nt_iri(datatype)}"
    return escaped
