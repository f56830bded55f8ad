"""National-size registers, streamed: the RNA (associations) and SIRENE's stock files.

``importer.import_file`` reads a whole file into memory, which a national register (2 M
associations in the RNA, 30 M SIRENE establishments) does not fit. These files are read here
one line at a time and converted a batch of rows at a time, so memory stays bounded by the
batch, not the file:

- the file's digest is computed in chunks (the source version, as for every import);
- each line is decoded on its own: UTF-8 when it is valid UTF-8, else cp1252 (the registers
  were long published in cp1252/latin-1; a «�» appears only where cp1252 has no character);
- rows are parsed by ``csv`` from that line stream, with a bound on a line's length and a
  field's size (a stray quote cannot swallow the rest of the file);
- every ``BATCH`` rows, the batch's actors get their identity against the store
  (``merge.StoreIndex``) and their N-Triples go to the scratch file; only the identifiers seen
  are kept from one batch to the next (a register repeated, or the establishments of one
  unit, make one actor);
- the scratch files are loaded a part at a time (``load_parts``: pyoxigraph's bulk loader
  holds a load in memory), the source's description with the last part; a failed part drops
  the new graph, so a refused import still writes nothing.

Filters (``RowFilters``) keep what a territory needs: ``territory`` (any territory
``geography.resolve_territory`` reads: ``44``, ``epci/244400404``, ``region/52``…),
``include_dissolved`` (RNA), ``ess_only`` and ``active_only`` (SIRENE). They are part of the
source version: the same file imported with other filters is another version.
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from ecograph.domain_rules import DomainRules
from ecograph.geography import geography, resolve_territory
from ecograph.ingest.conversion import (
    ActorCollector,
    ActorDraft,
    Conversion,
    LineSink,
    Reject,
    RowProblem,
)
from ecograph.ingest.mapping import Mapping
from ecograph.ingest.merge import StoreIndex, write_actors
from ecograph.ingest.readers import Table
from ecograph.ingest.row_fields import Fields, too_wide
from ecograph.ingest.sources import description_lines, list_sources, source_graph, source_slug
from ecograph.name_keys import name_key
from ecograph.store.base import Store, StoreError
from ecograph.store.embedded import scratch_folder

if TYPE_CHECKING:
    from ecograph.ingest.importer import ImportResult, Progress

#: Formats read here (``--format``), and what each file lists.
STREAMED_FORMATS = ("rna", "sirene-stock")
#: Rows converted (and their actors identified) at a time.
BATCH = 5000
#: A physical line longer than this is refused (no register has lines near this size).
MAX_LINE_BYTES = 1 << 20
#: Refused rows kept before reading stops (each keeps its cells for the reject file).
MAX_REJECTS = 10_000
#: Bytes read to recognise a file by its header.
HEAD_BYTES = 1 << 16
_SEPARATORS = (";", ",", "\t", "|")


class StreamRefused(Exception):
    """The file cannot be streamed (unreadable, no header, unknown territory…)."""


@dataclass(frozen=True)
class RowFilters:
    """What to keep of a national register. Every field is off by default."""

    territory: str | None = None
    include_dissolved: bool = False
    ess_only: bool = False
    active_only: bool = False
    #: A StockEtablissement file whose seats place a StockUniteLegale file's units (which
    #: have no address), so that ``territory`` can cut a unit file too.
    establishments: Path | None = None

    @property
    def given(self) -> bool:
        """Whether any filter was asked for."""
        return bool(
            self.territory
            or self.include_dissolved
            or self.ess_only
            or self.active_only
            or self.establishments
        )

    def describe(self) -> str:
        """A stable text of the filters (part of the source version)."""
        text = (
            f"territory={self.territory or ''};dissolved={self.include_dissolved};"
            f"ess={self.ess_only};active={self.active_only}"
        )
        if self.establishments is not None:
            size = self.establishments.stat().st_size if self.establishments.exists() else 0
            text += f";establishments={self.establishments.name}:{size}"
        return text


class TerritoryFilter:
    """Whether a commune IRI lies in a territory (its ``enclosing`` closure), cached."""

    def __init__(self, text: str) -> None:
        try:
            self.territory = resolve_territory(text)
        except ValueError as err:
            raise StreamRefused(f"--territory: {err}") from None
        self.iri = self.territory.iri or ""
        self.label = self.territory.label

    @functools.lru_cache(maxsize=65536)  # noqa: B019 - one filter per import, freed with it
    def contains(self, place: str | None) -> bool:
        return bool(place) and self.iri in geography().enclosing(place or "")


# ----------------------------------------------------------------------------- reading
@dataclass
class StreamedTable:
    """A delimited file read line by line: its header, then ``rows()``."""

    path: Path
    columns: list[str]
    separator: str
    header_bytes: int
    size: int
    bytes_read: int = 0
    cp1252_lines: int = 0
    first_cp1252_line: int = 0
    replaced_lines: int = 0
    problems: list[Reject] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number as a spreadsheet shows it, cells), one at a time."""
        position = {"line": 1}  # the header is line 1
        reader_lines = self._lines(position)
        while True:
            reader = csv.reader(reader_lines, delimiter=self.separator)
            before = position["line"]  # the last line of the previous record
            try:
                for cells in reader:
                    start, before = before + 1, position["line"]
                    if not any(c.strip() for c in cells):
                        continue
                    yield start, cells
                return
            except csv.Error as err:
                self.problems.append(
                    Reject(
                        before + 1,
                        None,
                        None,
                        f"the row cannot be read as {self._sep_name()}-separated values "
                        f"({err}): an unclosed quote? Lines {before + 1}–{position['line']} "
                        "are skipped",
                    )
                )

    def _sep_name(self) -> str:
        return {";": "semicolon", ",": "comma", "\t": "tab", "|": "pipe"}[self.separator]

    def _lines(self, position: dict[str, int]) -> Iterator[str]:
        with self.path.open("rb") as handle:
            handle.seek(self.header_bytes)
            self.bytes_read = self.header_bytes
            while True:
                raw = handle.readline(MAX_LINE_BYTES)
                if not raw:
                    return
                self.bytes_read += len(raw)
                position["line"] += 1
                if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
                    while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                        raw = handle.readline(MAX_LINE_BYTES)
                        self.bytes_read += len(raw)
                    self.problems.append(
                        Reject(
                            position["line"],
                            None,
                            None,
                            f"the line is longer than {MAX_LINE_BYTES // 1024} KiB: "
                            "not a register row (skipped)",
                        )
                    )
                    continue
                yield self._decode(raw, position["line"])

    def _decode(self, raw: bytes, line: int) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.cp1252_lines += 1
            self.first_cp1252_line = self.first_cp1252_line or line
            text = raw.decode("cp1252", errors="replace")
            if "\ufffd" in text:
                self.replaced_lines += 1
            return text

    def assumptions(self) -> list[str]:
        """What reading assumed, for the summary."""
        out = [f"separator «{self.separator}» (from the header)"]
        if self.cp1252_lines:
            out.append(
                f"{self.cp1252_lines} line(s) were not UTF-8 and were read as cp1252 "
                f"(first at line {self.first_cp1252_line})"
            )
        if self.replaced_lines:
            out.append(f"{self.replaced_lines} line(s) held bytes no encoding reads: shown as «�»")
        return out


def read_header(path: Path) -> StreamedTable:
    """The header of a delimited file, its separator, and where its rows start."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            first = handle.readline(HEAD_BYTES)
    except OSError as err:
        raise StreamRefused(f"{path}: cannot be read ({err.strerror})") from None
    header_bytes = len(first)
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8) :]
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        text = first.decode("cp1252", errors="replace")
    text = text.rstrip("\r\n")
    if "\r" in text:  # lines ended by CR alone (old Mac exports): not a register's layout
        raise StreamRefused(f"{path.name}: lines end with CR alone; not streamed")
    if not text.strip():
        raise StreamRefused(f"{path.name}: the first line is empty; expected the header")
    separator = max(_SEPARATORS, key=text.count)
    try:
        columns = [c.strip() for c in next(csv.reader([text], delimiter=separator))]
    except csv.Error as err:
        raise StreamRefused(f"{path.name}: the header cannot be read ({err})") from None
    return StreamedTable(path, columns, separator, header_bytes, size)


def detect_streamed(path: Path) -> str | None:
    """``rna`` or ``sirene-stock`` when the file's header is one of those registers."""
    if path.suffix.lower() not in (".csv", ".txt", ".tsv", ""):
        return None
    try:
        table = read_header(path)
    except StreamRefused:
        return None
    from ecograph.ingest.rna import looks_like_rna_export
    from ecograph.ingest.sirene import looks_like_sirene_stock

    if looks_like_rna_export(table.columns):
        return "rna"
    if looks_like_sirene_stock(table.columns):
        return "sirene-stock"
    return None


# ----------------------------------------------------------------------------- converting
class RowConverter(Protocol):
    """One register's rows → actor drafts (``rna.RnaRows``, ``sirene.StockRows``)."""

    kind: str

    def key(self, fields: Fields) -> str | None:
        """The row's identifier, when one row per identifier is expected."""

    def convert(self, fields: Fields, conversion: Conversion) -> ActorDraft | None:
        """Add the row's actor to ``conversion.actors`` (None: the row was skipped)."""

    def seen_again(self, fields: Fields, conversion: Conversion, iri: str) -> list[str]:
        """A row whose identifier an earlier batch already wrote: the lines it adds."""

    def extra_lines(self, draft: ActorDraft) -> list[str]:
        """Lines about a written draft beyond the actor itself (dates…)."""

    def prepare(self, tick: Callable[[int, int], None] | None) -> None:
        """Read what the rows need besides themselves (another file), once the import is
        known to go ahead; ``tick(done, total)`` reports progress."""


def positions_of(columns: list[str], wanted: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Field → column index, by each field's spellings (case, accents, punctuation ignored)."""
    by_key = {name_key(c): i for i, c in enumerate(columns)}
    found: dict[str, int] = {}
    for name, spellings in wanted.items():
        for spelling in spellings:
            if name_key(spelling) in by_key:
                found[name] = by_key[name_key(spelling)]
                break
    return found


@dataclass
class StreamedWrite:
    """Totals over every batch."""

    created: int = 0
    merged: int = 0
    conflicts: list[str] = field(default_factory=list)
    #: Reading stopped early (too many refused rows): the import is refused whatever it asks.
    stopped: bool = False


def convert_stream(
    table: StreamedTable,
    converter: RowConverter,
    positions: dict[str, int],
    index: StoreIndex,
    slug: str,
    graph: str,
    sink: LineSink,
    *,
    tick: Callable[[int, int], None] | None = None,
    rules: DomainRules | None = None,
) -> tuple[Conversion, StreamedWrite]:
    """Every row of ``table``, a batch at a time, to N-Triples in ``sink`` (with ``rules``,
    each actor's inferred domains too)."""
    conversion = Conversion(kind=converter.kind)
    fields = Fields(Table(table.path.name, table.columns, []), positions, Mapping(), conversion)
    written = StreamedWrite()
    seen: set[str] = set()
    width = len(table.columns)
    for number, cells in table.rows():
        if len(conversion.rejects) >= MAX_REJECTS:
            conversion.rejects.append(
                Reject(
                    number,
                    None,
                    None,
                    f"more than {MAX_REJECTS:,} rows refused: reading stopped here "
                    f"(is this a {converter.kind.split()[0].upper()} file as published?)",
                )
            )
            written.stopped = True
            break
        conversion.rows_read += 1
        if tick and not conversion.rows_read & 4095:
            tick(table.bytes_read, table.size)
        wide = too_wide(number, cells, width)
        if wide is not None:
            conversion.rejects.append(wide)
            continue
        fields.load(cells, number)
        key = converter.key(fields)
        if key is not None and key in seen:
            iri = _known_iri(index, key)
            if iri:
                sink.extend(converter.seen_again(fields, conversion, iri))
            continue
        refused = len(conversion.rejects)
        conversion.begin_row()
        try:
            draft = converter.convert(fields, conversion)
        except RowProblem as err:
            conversion.rejects.append(Reject(number, err.column, err.value, err.problem, cells))
            draft = None
        if len(conversion.rejects) > refused:
            conversion.undo_row()
            continue
        conversion.end_row()
        if draft is None:
            continue
        if key is not None:
            seen.add(key)
        if len(conversion.actors.drafts) >= BATCH:
            _flush(conversion, converter, index, slug, graph, sink, written, rules)
    _flush(conversion, converter, index, slug, graph, sink, written, rules)
    conversion.rejects.extend(table.problems)
    conversion.rejects.sort(key=lambda reject: reject.row)
    if tick:
        tick(table.size, table.size)
    return conversion, written


def _known_iri(index: StoreIndex, key: str) -> str:
    """The IRI an earlier batch gave the actor of ``key`` ("siren:…" or "rna:…")."""
    draft = ActorDraft(key=key, first_row=0)
    kind, _, value = key.partition(":")
    if kind == "siren":
        draft.siren = value
    elif kind == "rna":
        draft.rna = value
    else:
        return ""
    return index.identify(draft, "")[0]


def _flush(
    conversion: Conversion,
    converter: RowConverter,
    index: StoreIndex,
    slug: str,
    graph: str,
    sink: LineSink,
    written: StreamedWrite,
    rules: DomainRules | None,
) -> None:
    """Identify and write the batch's actors, then start an empty batch."""
    actors = conversion.actors
    if not actors.drafts:
        return
    out = write_actors(actors.drafts, index, slug, graph, rules=rules)
    sink.extend(out.lines)
    described: set[str] = set()
    for draft in actors.drafts:
        lines = converter.extra_lines(draft)
        if draft.iri not in described:  # two drafts, one actor: the first one's, as above
            described.add(draft.iri)
            sink.extend(lines)
    written.created += out.created
    written.merged += out.merged
    written.conflicts.extend(out.conflicts)
    for row, first in actors.duplicate_rows:
        conversion.note(f"same identifier as row {first}: one actor", row)
    conversion.actors = ActorCollector()


# ----------------------------------------------------------------------------- importing
class PartedSink(LineSink):
    """A ``LineSink`` that starts a new file every ``PART_LINES`` lines.

    pyoxigraph's bulk loader holds a load's quads in memory while it sorts them (1.7 GiB for
    2 M triples in one load, 0.3 GiB in parts of 250,000): a national register is loaded a
    part at a time."""

    PART_LINES = 250_000

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.parts: list[Path] = []
        self._in_part = 0
        super().__init__(self._next_path())

    def _next_path(self) -> Path:
        path = self.folder / f"data-{len(self.parts):04d}.nt"
        self.parts.append(path)
        return path

    def flush(self) -> None:
        if not self._buffer:
            return
        self._handle.write("\n".join(self._buffer))
        self._handle.write("\n")
        self.count += len(self._buffer)
        self._in_part += len(self._buffer)
        self._buffer.clear()
        if self._in_part >= self.PART_LINES:
            self._handle.close()
            self.path = self._next_path()
            self._handle = self.path.open("w", encoding="utf-8")
            self._in_part = 0


def load_parts(store: Store, parts: list[Path], *, graph: str, description: str) -> None:
    """Load ``parts`` into the new ``graph``, the description with the last one.

    Each part is one all-or-nothing load; when one fails, the graph (new: its name holds the
    version) is dropped, so the store is as it was. A process killed between parts leaves a
    graph without its description, which ``list_sources`` does not list: importing the file
    again loads the same triples into it and completes it."""
    try:
        for number, part in enumerate(parts):
            last = number == len(parts) - 1
            store.load(
                part,
                format=ox.RdfFormat.N_TRIPLES,
                graph=graph,
                extra_ntriples=description if last else "",
            )
    except StoreError:
        store.drop_graph(graph)
        raise


def stream_version(path: Path, *parts: str) -> tuple[str, str]:
    """(version, checksum) as ``importer.version_of`` makes them, reading the file in chunks."""
    from ecograph.ingest.importer import CONVERTER_VERSION

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    checksum = digest.hexdigest()
    version = hashlib.sha256("\x1f".join((checksum, CONVERTER_VERSION, *parts)).encode())
    return version.hexdigest()[:16], checksum


def import_streamed(
    store: Store,
    path: Path,
    *,
    format: str,
    filters: RowFilters,
    replace: bool = False,
    keep_good_rows: bool = False,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
    formula_escape: bool = True,
    rules: DomainRules | None = None,
) -> ImportResult:
    """Import one national register file as one source, streamed (see the module's doc).

    Same contract as ``importer.import_file``: ``ImportRefused`` when nothing is written."""
    from ecograph.ingest.importer import ImportRefused, ImportResult, finish_import, write_rejects

    started = time.perf_counter()
    slug = source_slug(path.name)
    result = ImportResult(file=path.name, source=slug, format=format)
    if progress:
        progress("reading", 0, 0)  # the digest reads the whole file first
    known = list_sources(store)
    earlier = [s for s in known if s.source == slug]
    index = StoreIndex.build(store, ignore=[s.graph for s in earlier])
    try:
        table = read_header(path)
        converter, positions = _converter(format, table, filters, index)
        inference = f"domains={rules.fingerprint()}" if rules else "no-domain-inference"
        version, checksum = stream_version(path, format, filters.describe(), inference)
    except StreamRefused as err:
        raise ImportRefused(str(err), result) from None
    except OSError as err:
        raise ImportRefused(f"{path}: cannot be read ({err.strerror})", result) from None
    same = [s for s in known if s.version == version]
    if same:
        result.status, result.graph = "unchanged", same[0].graph
        result.message = (
            f"{path.name}: already imported as source «{same[0].source}» "
            f"({same[0].imported_at}); nothing changed"
        )
        return result
    if earlier and not replace:
        raise ImportRefused(
            f"{path.name}: a source «{slug}» was already imported from a different version of "
            "this file, with other filters or with other domain rules "
            f"({earlier[-1].imported_at}); use --replace to swap it, or rename the file to keep "
            "both",
            result,
        )
    graph = source_graph(store.base_iri, slug, version)
    result.graph = graph
    tick = (lambda done, total: progress("converting", done, total)) if progress else None
    try:
        converter.prepare(
            (lambda done, total: progress("reading establishments", done, total))
            if progress
            else None
        )
    except StreamRefused as err:
        raise ImportRefused(str(err), result) from None
    except OSError as err:
        raise ImportRefused(f"--establishments: cannot be read ({err.strerror})", result) from None
    if progress:
        progress("converting", 0, table.size)
    with tempfile.TemporaryDirectory(
        prefix="ecograph-import-", dir=scratch_folder(store)
    ) as scratch:
        sink = PartedSink(Path(scratch))
        try:
            conversion, written = convert_stream(
                table, converter, positions, index, slug, graph, sink, tick=tick, rules=rules
            )
        finally:
            sink.close()
        result.kind = conversion.kind
        for text in table.assumptions():
            conversion.note(text, 0)
        rejected_rows = {r.row for r in conversion.rejects}
        result.counts = {
            "rowsRead": conversion.rows_read,
            "rowsRejected": len(rejected_rows),
            "rowsSkipped": conversion.rows_skipped,
            "rowsImported": max(
                0, conversion.rows_read - conversion.rows_skipped - len(rejected_rows)
            ),
            "actorsCreated": written.created,
            "actorsMerged": written.merged,
            "projects": 0,
            "partnerships": 0,
        }
        result.assumptions = conversion.assumptions()
        result.rejects = conversion.rejects
        result.conflicts = written.conflicts
        result.unused_columns = conversion.unused_columns
        if result.rejects:
            result.reject_file = write_rejects(
                path,
                result.rejects,
                table.columns,
                target=rejects_path,
                formula_escape=formula_escape,
            )
            stopped = written.stopped
            if not keep_good_rows or result.counts["rowsImported"] == 0 or stopped:
                first = result.rejects[0].message(path.name)
                more = f" (and {len(result.rejects) - 1} more)" if len(result.rejects) > 1 else ""
                hint = (
                    "" if keep_good_rows or stopped else "; --keep-good-rows imports the other rows"
                )
                raise ImportRefused(
                    f"{first}{more}. Nothing was imported{hint}. Every refused row is listed "
                    f"in {result.reject_file}.",
                    result,
                )
        result.counts["triples"] = sink.count
        description = description_lines(
            graph,
            slug=slug,
            file_name=path.name,
            format=format,
            version=version,
            checksum=checksum,
            counts=result.counts,
            notes={"assumption": result.assumptions, "conflict": result.conflicts},
            mapping_text="",
        )
        if progress:
            progress("writing", 0, sink.count)
        try:
            load_parts(store, sink.parts, graph=graph, description="\n".join(description) + "\n")
        except StoreError as err:
            raise ImportRefused(
                f"{path.name}: the store refused the data ({err})", result
            ) from None
    return finish_import(store, result, earlier, started)


def _converter(
    format: str, table: StreamedTable, filters: RowFilters, index: StoreIndex
) -> tuple[RowConverter, dict[str, int]]:
    territory = TerritoryFilter(filters.territory) if filters.territory else None
    if format == "rna":
        from ecograph.ingest.rna import RnaRows

        if filters.ess_only or filters.active_only:
            raise StreamRefused(
                "--ess-only and --active-only are for SIRENE stock files; an RNA file has "
                "--include-dissolved"
            )
        rna = RnaRows(table.columns, filters, territory)
        return rna, rna.positions
    if format == "sirene-stock":
        from ecograph.ingest.sirene import StockRows

        stock = StockRows(table.columns, filters, territory, index=index)
        return stock, stock.positions
    raise StreamRefused(f"--format {format}: expected one of {', '.join(STREAMED_FORMATS)}")
