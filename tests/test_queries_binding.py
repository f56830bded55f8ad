"""A territory bound into the library queries' ``eg:within*`` paths answers as ``VALUES`` does.

``LibraryQuery.bind`` writes the territory's IRI at the end of each ``eg:within* ?territory``
path (``binding.bind_path_ends``) because Oxigraph walks the closure of every place of France
when the path ends on a variable. That is only right where the variable is the parameter
itself, in every group that walks the path: these tests run each library query that takes a
territory both ways, at every level, and ask for the same rows.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from ecograph import queries
from ecograph.binding import BindingError, bind_path_ends
from ecograph.queries import load_catalogue, run_query
from ecograph.store import EmbeddedStore

TERRITORY_QUERIES = sorted(
    name
    for name, query in load_catalogue().items()
    if any(p.type == "territory" for p in query.parameters)
)
TERRITORIES = ("departement/44", "epci/244400404", "commune/44109", "region/52", "departement/35")


def _rows(store: EmbeddedStore, name: str, territory: str) -> list[tuple[str, ...]]:
    query = load_catalogue()[name]
    values = {p.name: p.example for p in query.parameters if p.type not in ("lang",)}
    values.update({p.name: territory for p in query.parameters if p.type == "territory"})
    result = run_query(store, query, values)
    return sorted(tuple(str(term) for term in row) for row in result.rows)


def test_every_territory_query_walks_a_path_to_its_territory() -> None:
    assert len(TERRITORY_QUERIES) >= 8
    for name in TERRITORY_QUERIES:
        text = load_catalogue()[name].text
        if "eg:within*" in text:
            bound = bind_path_ends(text, "territory", ox.NamedNode("https://e.org/t"))
            assert "eg:within* ?territory" not in bound, name


@pytest.mark.parametrize("name", TERRITORY_QUERIES)
def test_paths_bound_to_the_territory_answer_as_values_do(
    sample_store: EmbeddedStore, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bound = {territory: _rows(sample_store, name, territory) for territory in TERRITORIES}
    monkeypatch.setattr(queries, "bind_path_ends", lambda text, _name, _term: text)
    plain = {territory: _rows(sample_store, name, territory) for territory in TERRITORIES}
    assert bound == plain
    assert any(bound.values()), f"{name} answers nothing on the sample: the test proves nothing"


def test_only_a_path_ending_on_the_variable_is_rewritten() -> None:
    text = (
        "SELECT ?territory WHERE { VALUES ?territory { UNDEF } ?p eg:within* ?territory . "
        "?q <https://e.org/in>+ ?territory . ?x eg:within ?territory . "
        "?y eg:within* ?territoryName }"
    )
    iri = ox.NamedNode("https://e.org/t")
    bound = bind_path_ends(text, "territory", iri)
    assert "eg:within* <https://e.org/t> ." in bound
    assert "<https://e.org/in>+ <https://e.org/t> ." in bound
    assert "eg:within ?territory" in bound  # not a path: left to VALUES
    assert "?territoryName" in bound and "SELECT ?territory " in bound
    with pytest.raises(BindingError):
        bind_path_ends(text, "territory", ox.Literal("44"))  # type: ignore[arg-type]
