"""Reading one row's fields: the shared steps of every tabular converter.

``Fields`` finds a field's cell (or the mapping's default), reads it with ``values``, and turns
every failure into a ``RowProblem`` that names the column and the value, so converters read as
a list of fields and nothing else.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable, Iterator
from decimal import Decimal

from ecograph.ingest.conversion import Conversion, Reject, RowProblem
from ecograph.ingest.mapping import Mapping
from ecograph.ingest.places import PlaceProblem, resolve_commune, territory_ref
from ecograph.ingest.readers import Table
from ecograph.ingest.synonyms import accepted, lookup
from ecograph.ingest.values import (
    MISSING_MARKERS,
    ValueProblem,
    parse_date,
    parse_decimal,
    read_rna,
    read_siren,
    read_siret,
    split_list,
)
from ecograph.name_keys import name_key

_TOTAL_STARTS = frozenset({"total", "sous-", "sous ", "sous_", "monta", "totau"})
_TOTAL = re.compile(r"^(sous )?(total|totaux)\b|^montant total\b")


def is_total_row(cells: list[str]) -> bool:
    """A "Total" or "Sous-total" line mixed with detail rows (its first filled text cells)."""
    seen = 0
    for cell in cells[:4]:
        head = cell.lstrip()[:5]
        if not head:
            continue
        if head.casefold() in _TOTAL_STARTS and _TOTAL.match(name_key(cell)):
            return True
        seen += 1
        if seen == 2:
            break
    return False


@functools.lru_cache(maxsize=8192)
def _cached_date(text: str) -> dt.date:
    """Dates repeat across rows: read each spelling once (errors are not cached)."""
    return parse_date(text)


@functools.lru_cache(maxsize=65536)
def _cached_decimal(text: str) -> Decimal:
    return parse_decimal(text)


class Fields:
    """The cells of one row, by field name, with the mapping's defaults."""

    def __init__(
        self, table: Table, positions: dict[str, int], mapping: Mapping, conversion: Conversion
    ) -> None:
        self.columns = table.columns
        self.positions = positions
        self.mapping = mapping
        self.defaults = mapping.defaults
        self.conversion = conversion
        self.cells: list[str] = []
        self.row = 0
        self.values: dict[str, str] = {}
        self._items = list(positions.items())
        self._concepts: dict[tuple[str, str], str | None] = {}

    def column(self, field: str) -> str:
        """The column's name as the file spells it (for messages)."""
        position = self.positions.get(field)
        return self.columns[position] if position is not None else field

    def load(self, cells: list[str], row: int) -> None:
        """Read one row's cells once: ``values`` holds each present, non-missing field
        (stripped), over the mapping's defaults."""
        self.cells, self.row = cells, row
        values = dict(self.defaults)
        width = len(cells)
        for field, position in self._items:
            if position < width:
                value = cells[position]
                if value:
                    value = value.strip()
                    if value and value.casefold() not in MISSING_MARKERS:
                        values[field] = value
        self.values = values

    def text(self, field: str) -> str | None:
        """The cell's text, the mapping's default when the cell is empty, or None."""
        return self.values.get(field)

    def problem(self, field: str, value: str | None, text: str) -> RowProblem:
        return RowProblem(self.column(field), value, text)

    def _read(self, field: str, reader: Callable[[str], object]) -> object | None:
        value = self.text(field)
        if value is None:
            return None
        try:
            return reader(value)
        except (ValueProblem, PlaceProblem) as err:
            raise self.problem(field, value, str(err)) from None

    def decimal(self, field: str) -> Decimal | None:
        return self._read(field, _cached_decimal)  # type: ignore[return-value]

    def date(self, field: str) -> dt.date | None:
        return self._read(field, _cached_date)  # type: ignore[return-value]

    def siren(self, field: str = "siren") -> tuple[str | None, str | None]:
        """(SIREN, SIRET when the cell held one); notes what was assumed."""
        value = self.text(field)
        if value is None:
            return None, None
        try:
            siren, note = read_siren(value)
        except ValueProblem as err:
            raise self.problem(field, value, str(err)) from None
        siret = None
        if note and note.startswith("SIRET"):
            siret, _ = read_siret(value)
        if note:
            self.conversion.note(f"{self.column(field)}: {note.split(' (')[0]}", self.row)
        return siren, siret

    def siret(self, field: str = "siret") -> str | None:
        value = self.text(field)
        if value is None:
            return None
        try:
            siret, note = read_siret(value)
        except ValueProblem as err:
            raise self.problem(field, value, str(err)) from None
        if note:
            self.conversion.note(f"{self.column(field)}: {note.split(' (')[0]}", self.row)
        return siret

    def rna(self, field: str = "rna") -> str | None:
        return self._read(field, read_rna)  # type: ignore[return-value]

    def concept(self, field: str, scheme: str) -> str | None:
        """A value of a SKOS scheme, through the mapping's words and the built-in ones."""
        value = self.text(field)
        if value is None:
            return None
        found = self._lookup(scheme, value)
        if found is None:
            raise self.problem(
                field,
                value,
                f"not a known {scheme.replace('_', ' ')}; "
                f"expected one of {accepted(scheme)}, or map this word in the "
                f"mapping file under [values.{scheme}]",
            )
        return found

    def concepts(self, field: str, scheme: str) -> set[str]:
        """Several values of a scheme in one cell ("santé; logement")."""
        value = self.text(field)
        if value is None:
            return set()
        found = set()
        for part in split_list(value):
            concept = self._lookup(scheme, part)
            if concept is None:
                raise self.problem(
                    field,
                    value,
                    f"«{part}» is not a known {scheme}; expected "
                    f"one of {accepted(scheme)}, or map it in the mapping file "
                    f"under [values.{scheme}]",
                )
            found.add(concept)
        return found

    def _lookup(self, scheme: str, text: str) -> str | None:
        """``synonyms.lookup``, remembered: a column repeats a few words many times."""
        key = (scheme, text)
        if key not in self._concepts:
            self._concepts[key] = lookup(scheme, text, user=self.mapping.vocabulary(scheme))
        return self._concepts[key]

    def commune(self, field: str = "commune") -> str | None:
        """A commune by INSEE code or name; a postcode column, when there is one, tells
        communes of the same name apart. A CEDEX address or a merged commune's name is read
        too, and said."""
        postcode = self.values.get("postcode")
        found = self._read(field, lambda text: resolve_commune(text, postcode=postcode))
        if not isinstance(found, tuple):
            return None
        iri: str = found[0]
        if found[1]:
            self.conversion.note(f"{self.column(field)}: {found[1]}", self.row)
        return iri

    def territory(self, field: str = "territory") -> str | None:
        return self._read(field, territory_ref)  # type: ignore[return-value]


def row_key(cells: list[str]) -> str:
    """A stable key for a row without an id: its content, so re-import finds the same key."""
    return "r-" + hashlib.sha1("\x1f".join(c.strip() for c in cells).encode()).hexdigest()[:16]


def too_wide(number: int, cells: list[str], width: int) -> Reject | None:
    """The refusal of a row with more filled cells than the header has columns (a separator
    inside a value that is not in quotes), or None for a row that fits."""
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        return Reject(
            number,
            None,
            None,
            f"the row has {len(cells)} cells but the header has {width}: a separator inside "
            "a value that is not in quotes?",
            cells,
        )
    return None


def each_row(
    table: Table,
    conversion: Conversion,
    fields: Fields,
    *,
    tick: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, list[str]]]:
    """Rows to convert: counts them, skips total rows, refuses rows wider than the header;
    ``tick`` hears the number of rows read every few thousand rows (progress bars).

    Each row is converted inside a savepoint: a row the converter refuses (it adds a
    ``Reject``) is undone, so its actors and assumptions leave no trace in the store."""
    width = len(table.columns)
    for number, cells in table.rows:
        conversion.rows_read += 1
        if tick and not conversion.rows_read & 4095:
            tick(conversion.rows_read)
        if is_total_row(cells):
            conversion.rows_skipped += 1
            conversion.note("total or subtotal row skipped (not a detail row)", number)
            continue
        wide = too_wide(number, cells, width)
        if wide is not None:
            conversion.rejects.append(wide)
            continue
        fields.load(cells, number)
        refused = len(conversion.rejects)
        conversion.begin_row()
        yield number, cells
        if len(conversion.rejects) > refused:
            conversion.undo_row()
        else:
            conversion.end_row()
