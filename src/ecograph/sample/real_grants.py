"""The real grants ``ecograph demo`` imports beside the fictional sample.

The sample's actors are invented; a first picture should also show real ties. ecograph ships
one real published file, the Département de Loire-Atlantique's grants to associations (SCDL
"subventions", Licence Ouverte; see ``data/subsidies/PROVENANCE.md``), and imports it like any
user file: one source graph, with its provenance, so every page can say which actors and ties
are real and where they come from.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox

from ecograph.ingest.importer import ImportResult, Progress, import_file
from ecograph.resources import data_path
from ecograph.store.base import Store, bound_text
from ecograph.store.embedded import scratch_folder

#: The shipped file, gzipped; imported under its published name.
REAL_GRANTS = (
    "subsidies/224400028_subventions-aux-associations-du-departement-de-loire-atlantique.csv.gz"
)
#: Who published it, as the pages attribute it.
ATTRIBUTION = (
    "Source : Département de Loire-Atlantique, subventions aux associations, data.gouv.fr, "
    "Licence Ouverte"
)


def load_real_grants(store: Store, *, progress: Progress | None = None) -> ImportResult:
    """Import the shipped real grants (unchanged when already imported)."""
    shipped = data_path(REAL_GRANTS)
    with tempfile.TemporaryDirectory(dir=scratch_folder(store)) as folder:
        published = Path(folder) / shipped.name.removesuffix(".gz")
        with gzip.open(shipped, "rb") as packed, published.open("wb") as plain:
            shutil.copyfileobj(packed, plain)
        return import_file(store, published, format="scdl", progress=progress)


_GRANTS_QUERY = """
SELECT (COUNT(DISTINCT ?grant) AS ?grants) (COUNT(DISTINCT ?beneficiary) AS ?beneficiaries)
WHERE {
  VALUES ?graph { UNDEF }
  GRAPH ?graph { ?grant eg:funder ?funder ; eg:beneficiary ?beneficiary }
}
"""


def grant_counts(store: Store, graph: str) -> tuple[int, int]:
    """(grants, beneficiaries) the imported grants graph holds: what the demo says it holds
    whether it imported the file now or found it already there."""
    row = store.select(_GRANTS_QUERY, {"graph": ox.NamedNode(graph)})[0]
    return int(bound_text(row, "grants")), int(bound_text(row, "beneficiaries"))
