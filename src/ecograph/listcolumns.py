"""List columns: a library query's ``GROUP_CONCAT`` lists, and the order ecograph gives them.

SPARQL sets no order inside a ``GROUP_CONCAT``, and Oxigraph's follows its storage (an
in-memory and an on-disk store differ), so ``ecograph.queries.run_query`` sorts the items of
the columns a query declares with ``# lists:``. A plain module (no pyoxigraph), so that the
benchmark's rdflib process sorts them the same way without loading the other engine.
"""

from __future__ import annotations

import functools
import re
import unicodedata

#: How the library joins the items of a list column (``GROUP_CONCAT(…; separator=" ; ")``).
LIST_SEPARATOR = " ; "


def sorted_list_text(text: str) -> str:
    """The items of a list column's text, sorted for reading (ignoring case and accents)."""
    return LIST_SEPARATOR.join(sorted(text.split(LIST_SEPARATOR), key=_reading_order))


@functools.lru_cache(maxsize=1 << 16)
def _reading_order(text: str) -> tuple[str, str]:
    """Sort key: as a reader would, ignoring case and accents ("Économie" before "Secteur"),
    then the text itself, so that the order is total.

    Cached, and the accents dropped by one regular expression: names and labels repeat from
    row to row, and a Python loop over characters is slow on the thousands of names of one
    query.
    """
    return _ACCENTS.sub("", unicodedata.normalize("NFKD", text)).casefold(), text


#: Combining diacritical marks, as NFKD separates them from their letters.
_ACCENTS = re.compile("[\u0300-\u036f]")
