"""One file → one source graph, in one all-or-nothing load.

The steps: read the bytes (digest → source version; an unchanged file changes nothing), detect
the format, convert rows to N-Triples (tabular, SCDL, SIRENE) or parse RDF safely, give actors
their identity against the store, then — only when every row passed, or with
``keep_good_rows`` — write data and description with one ``store.load``. A refused import
writes nothing; its reasons go to the reject file, one line per refused row.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ecograph.domain_rules import DomainRules
from ecograph.ingest.conversion import Conversion, LineSink, NameMerge, Reject
from ecograph.ingest.mapping import Mapping, guess_kind
from ecograph.ingest.merge import StoreIndex, write_actors
from ecograph.ingest.open_formats import is_ods, json_records, ods_sheet_names
from ecograph.ingest.rdf import RDF_SUFFIXES
from ecograph.ingest.readers import ReadError, Table, read_table
from ecograph.ingest.sources import (
    SourceInfo,
    description_lines,
    list_sources,
    source_graph,
    source_slug,
)
from ecograph.ingest.streamed import STREAMED_FORMATS, RowFilters, detect_streamed
from ecograph.store.base import Store, StoreError
from ecograph.store.embedded import scratch_folder

if TYPE_CHECKING:
    from ecograph.ingest.scdl import FunderChoice

CONVERTER_VERSION = "1"
FORMATS = ("csv", "xlsx", "scdl", "sirene", "rdf", *STREAMED_FORMATS)

Progress = Callable[[str, int, int], None]


class ImportRefused(Exception):
    """Nothing was written; ``result`` says why (rejects, an earlier version…)."""

    def __init__(self, message: str, result: ImportResult) -> None:
        super().__init__(message)
        self.result = result


@dataclass
class ImportResult:
    """What one import did (or would have done), for the summary table and the tests."""

    file: str
    source: str
    graph: str = ""
    format: str = ""
    kind: str = ""
    status: str = "imported"
    counts: dict[str, int] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    name_merges: list[NameMerge] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    reject_file: Path | None = None
    unused_columns: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    seconds: float = 0.0
    message: str = ""


def detect_format(path: Path, data: bytes, *, table: Table | None = None) -> str:
    """``rdf``, ``xlsx``/``csv`` (tabular), ``scdl`` or ``sirene`` from name and content."""
    suffix = path.suffix.lower()
    if suffix == ".json" and _json_table(data):
        pass  # records, not JSON-LD: a table, detected below
    elif suffix in RDF_SUFFIXES:
        return "rdf"
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix not in (".csv", ".tsv", ".txt", ".xlsx") and (
        head.startswith((b"<?xml", b"<rdf:RDF", b"@prefix", b"PREFIX", b"@base"))
    ):
        return "rdf"
    if table is not None:
        from ecograph.ingest.scdl import looks_like_scdl
        from ecograph.ingest.sirene import looks_like_sirene

        if looks_like_scdl(table.columns):
            return "scdl"
        if looks_like_sirene(table.columns):
            return "sirene"
    return "xlsx" if data.startswith(b"PK\x03\x04") else "csv"  # ODS and JSON: tables too


def _json_table(data: bytes) -> bool:
    """Whether JSON bytes are a table of records (a JSON too large to read is one too: the
    table reader then says so in words)."""
    try:
        return json_records(data) is not None
    except ReadError:
        return True


def version_of(data: bytes, *parts: str) -> tuple[str, str]:
    """(version, checksum): the file's SHA-256 and a digest of everything that shapes the
    graph (file, mapping, format, kind, converter), so a new mapping makes a new version."""
    checksum = hashlib.sha256(data).hexdigest()
    version = hashlib.sha256("\x1f".join((checksum, CONVERTER_VERSION, *parts)).encode())
    return version.hexdigest()[:16], checksum


def import_file(
    store: Store,
    path: Path,
    *,
    format: str | None = None,
    kind: str | None = None,
    mapping: Mapping | None = None,
    replace: bool = False,
    keep_good_rows: bool = False,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
    formula_escape: bool = True,
    strict: bool = False,
    funder: str | None = None,
    filters: RowFilters | None = None,
    infer_domains: bool = True,
) -> ImportResult:
    """Import one file as one source; raises ``ImportRefused`` when nothing may be written.

    ``formula_escape`` puts ``'`` before reject-file cells a spreadsheet would run as a formula
    (see ``write_rejects``). ``funder`` (a SIREN, an INSEE code or a name) names the funder of
    a grant list without a funder column, which is then read as SCDL. ``strict`` refuses SCDL
    rows that would otherwise land with an assumption (an invalid identifier, no amount…).
    National registers (RNA, SIRENE stock) are streamed, with ``filters``
    (``streamed.import_streamed``). ``infer_domains`` gives actors and grants the domains
    their words speak of, by the rules of the store's domain scheme (``domain_rules``);
    other rules make another version of the source."""
    started = time.perf_counter()
    mapping = mapping or Mapping()
    slug = source_slug(path.name)
    result = ImportResult(file=path.name, source=slug)
    rules = DomainRules.from_store(store) if infer_domains else None
    inference = f"domains={rules.fingerprint()}" if rules else "no-domain-inference"
    streamed = format if format in STREAMED_FORMATS else None
    if format is None and mapping.source_text == "":
        streamed = detect_streamed(path)
    if streamed:
        from ecograph.ingest.streamed import import_streamed

        return import_streamed(
            store,
            path,
            format=streamed,
            filters=filters or RowFilters(),
            replace=replace,
            keep_good_rows=keep_good_rows,
            rejects_path=rejects_path,
            progress=progress,
            formula_escape=formula_escape,
            rules=rules,
        )
    if filters is not None and filters.given:
        raise ImportRefused(
            f"{path.name}: --territory, --include-dissolved, --ess-only and --active-only "
            "filter the national registers (RNA, SIRENE stock files); this file is not one",
            result,
        )
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ImportRefused(f"{path}: cannot be read ({err.strerror})", result) from None
    if format is not None and format not in FORMATS:
        raise ImportRefused(f"--format {format}: expected one of {', '.join(FORMATS)}", result)
    funder_choice = None
    if funder is not None:
        from ecograph.ingest.scdl import resolve_funder

        try:
            funder_choice = resolve_funder(funder)
        except ValueError as err:
            raise ImportRefused(str(err), result) from None
        if format not in (None, "scdl", "csv", "xlsx"):
            raise ImportRefused(f"--funder is for grant lists; not with --format {format}", result)
    version, checksum = version_of(
        data,
        format or "",
        kind or "",
        mapping.source_text,
        *(("strict",) if strict else ()),
        *((f"funder={funder_choice}",) if funder_choice else ()),
        inference,
    )
    known = list_sources(store)
    earlier = [s for s in known if s.source == slug]
    same = [s for s in known if s.version == version]
    if same:
        result.status, result.graph = "unchanged", same[0].graph
        result.message = (
            f"{path.name}: already imported as source «{same[0].source}» "
            f"({same[0].imported_at}); nothing changed"
        )
        stale = [
            s for s in earlier if s.version != version and s.imported_at <= same[0].imported_at
        ]
        for old in stale:  # a --replace stopped between its two steps: finish it
            store.drop_graph(old.graph)
            result.replaced.append(old.graph)
        if stale:
            result.message += (
                f"; dropped {len(stale)} older version(s) left by an interrupted --replace"
            )
        return result
    if earlier and not replace:
        if earlier[-1].checksum.removeprefix("sha256:") == checksum:
            raise ImportRefused(
                f"{path.name}: this file was imported before ({earlier[-1].imported_at}) with "
                "other options or other domain rules (an edited domain scheme, or "
                "--no-infer-domains); use --replace to import it again with these",
                result,
            )
        raise ImportRefused(
            f"{path.name}: a source «{slug}» was already imported from a different version of "
            f"this file ({earlier[-1].imported_at}); use --replace to swap it, or rename the "
            "file to keep both",
            result,
        )
    graph = source_graph(store.base_iri, slug, version)
    result.graph = graph
    if progress:
        progress("reading", 0, 0)
    with tempfile.TemporaryDirectory(
        prefix="ecograph-import-", dir=scratch_folder(store)
    ) as scratch:
        sink = LineSink(Path(scratch) / "data.nt")
        collecting = gc.isenabled()
        gc.disable()  # millions of short-lived strings, no cycles: the collector only costs
        try:
            try:
                body, conversion, details = _convert(
                    store,
                    path,
                    data,
                    format=format,
                    kind=kind,
                    mapping=mapping,
                    slug=slug,
                    graph=graph,
                    ignore=[s.graph for s in earlier],
                    result=result,
                    progress=progress,
                    sink=sink,
                    strict=strict,
                    funder=funder_choice,
                    rules=rules,
                )
            finally:
                sink.close()
                if collecting:
                    gc.enable()
        except OSError as err:  # the scratch file: a full disk, most likely
            raise ImportRefused(
                f"{path.name}: the workspace's scratch space ({scratch}) could not be written "
                f"({err.strerror or err}); nothing was imported. Free space on that disk and "
                "import again.",
                result,
            ) from None
        _finish_counts(result, conversion, details)
        if result.rejects:
            _refuse_or_keep(
                path,
                result,
                conversion,
                details,
                keep_good_rows=keep_good_rows,
                rejects_path=rejects_path,
                formula_escape=formula_escape,
            )
        result.counts["triples"] = sink.count if body is None else details["rdf"].triples
        notes = {
            "assumption": result.assumptions,
            "conflict": result.conflicts,
            "nameMerge": [
                f"row {m.row}: «{m.name}» taken as «{m.merged_with}» ({m.iri})"
                for m in result.name_merges
            ],
        }
        description = description_lines(
            graph,
            slug=slug,
            file_name=path.name,
            format=result.format,
            version=version,
            checksum=checksum,
            counts=result.counts,
            notes=notes,
            mapping_text=mapping.source_text,
        )
        if progress:
            progress("writing", 0, result.counts["triples"])
        try:
            if body is None:
                store.load(
                    sink.path,
                    format=ox.RdfFormat.N_TRIPLES,
                    graph=graph,
                    extra_ntriples="\n".join(description) + "\n",
                )
            else:
                from ecograph.ingest.rdf import load_rdf

                load_rdf(
                    store, details["rdf"], graph=graph, extra_ntriples="\n".join(description) + "\n"
                )
        except StoreError as err:
            raise ImportRefused(
                f"{path.name}: the store refused the data ({err})", result
            ) from None
    return finish_import(store, result, earlier, started)


def finish_import(
    store: Store, result: ImportResult, earlier: list[SourceInfo], started: float
) -> ImportResult:
    """The last step of every import, once its graph is written: drop the sources it
    replaces (after, so a failed write leaves them whole) and stamp the result."""
    for old in earlier:
        store.drop_graph(old.graph)
        result.replaced.append(old.graph)
    result.status = "replaced" if earlier else "imported"
    result.seconds = time.perf_counter() - started
    return result


def _refuse_or_keep(
    path: Path,
    result: ImportResult,
    conversion: Conversion,
    details: dict[str, Any],
    *,
    keep_good_rows: bool,
    rejects_path: Path | None,
    formula_escape: bool = True,
) -> None:
    """Write the reject file; raise unless the good rows may land (and there are some)."""
    result.reject_file = write_rejects(
        path,
        result.rejects,
        details.get("columns", []),
        target=rejects_path,
        formula_escape=formula_escape,
    )
    nothing_good = result.counts["rowsImported"] == 0 and result.counts["rowsRead"] > 0
    if not keep_good_rows or nothing_good or conversion.rows_read == 0:
        first = result.rejects[0].message(path.name)
        more = f" (and {len(result.rejects) - 1} more)" if len(result.rejects) > 1 else ""
        hint = details.get("hint", "")
        hint += "" if keep_good_rows else "; --keep-good-rows imports the other rows"
        raise ImportRefused(
            f"{first}{more}. Nothing was imported{hint}. Every refused "
            f"row is listed in {result.reject_file}.",
            result,
        )


def _convert(
    store: Store,
    path: Path,
    data: bytes,
    *,
    format: str | None,
    kind: str | None,
    mapping: Mapping,
    slug: str,
    graph: str,
    ignore: list[str],
    result: ImportResult,
    progress: Progress | None,
    sink: LineSink,
    strict: bool = False,
    funder: FunderChoice | None = None,
    rules: DomainRules | None = None,
) -> tuple[bytes | None, Conversion, dict[str, Any]]:
    """Bytes → (the RDF body to load, or None when N-Triples went to ``sink``; conversion;
    details: for RDF, ``details["rdf"]`` is what ``read_rdf`` prepared)."""
    details: dict[str, Any] = {}
    if format == "rdf" or (format is None and detect_format(path, data) == "rdf"):
        from ecograph.ingest.rdf import RdfRefused, read_rdf

        try:
            parsed = read_rdf(path, data)
        except RdfRefused as err:
            raise ImportRefused(str(err), result) from None
        result.format = f"rdf/{parsed.syntax}"
        conversion = Conversion(kind="rdf")
        for text in parsed.notes:
            conversion.note(text, 0)
        details["rdf"] = parsed
        return parsed.body, conversion, details
    try:
        table = read_table(path, data=data, separator=mapping.separator, sheet=mapping.sheet)
    except ReadError as err:
        raise ImportRefused(str(err), result) from None
    if table.sheet is not None and mapping.sheet is None and format in (None, "scdl", "xlsx"):
        table = _grant_sheet(path, data, table, funder_given=funder is not None)
    details["columns"] = table.columns
    chosen = format if format in ("scdl", "sirene") else detect_format(path, data, table=table)
    if format in ("csv", "xlsx"):
        chosen = format
    if funder is not None:
        chosen = "scdl"
    result.format = chosen
    index = StoreIndex.build(store, ignore=ignore)
    total = len(table.rows)
    tick = (lambda done: progress("converting", done, total)) if progress else None
    if chosen == "scdl":
        from ecograph.ingest.scdl import convert_scdl

        conversion = convert_scdl(
            table, index, slug, tick=tick, out=sink, strict=strict, funder=funder, rules=rules
        )
    elif chosen == "sirene":
        from ecograph.ingest.sirene import convert_sirene

        conversion = convert_sirene(table, mapping, tick=tick)
        conversion.lines = sink
    else:
        from ecograph.ingest.tabular import convert_tabular

        chosen_kind = kind or guess_kind(table.columns, mapping)
        if mapping.kind and kind and mapping.kind != kind:
            raise ImportRefused(f"--kind {kind} but the mapping says kind = {mapping.kind}", result)
        conversion = convert_tabular(table, mapping, chosen_kind, index, slug, tick=tick, out=sink)
        if conversion.rejects and kind is None and not mapping.kind:
            from ecograph.ingest.scdl import is_grant_table

            if is_grant_table(table, funder_given=True):
                details["hint"] = (
                    "; this looks like a list of grants without a funder column: name the "
                    "funder with --funder SIREN|INSEE-code|name"
                )
    result.kind = conversion.kind
    for text in table.assumptions:
        conversion.note(text, 0)
    for row, first in conversion.actors.duplicate_rows:
        conversion.note(
            f"same SIREN or RNA as row {first} under another id: one actor, both ids kept", row
        )
    for row, keys in conversion.actors.shared_keys:
        conversion.note(
            f"{' and '.join(keys)} already given to another SIREN in this file: kept as two actors",
            row,
        )
    written = write_actors(conversion.actors.drafts, index, slug, graph, rules=rules)
    details["actors"] = written
    sink.extend(written.lines)
    written.lines = []
    if conversion.finish:
        conversion.finish()
    if tick:
        tick(total)
    return None, conversion, details


def _grant_sheet(path: Path, data: bytes, first: Table, *, funder_given: bool) -> Table:
    """In a workbook of several sheets whose first is not a grant table, the first sheet whose
    header is one (SCDL, or a grant list when the funder is given); else the first sheet."""
    from ecograph.ingest.scdl import is_grant_table

    if is_grant_table(first, funder_given=funder_given):
        return first
    if is_ods(data):
        names = ods_sheet_names(data, path.name)
    else:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, keep_links=False)
            names = list(workbook.sheetnames)
            workbook.close()
        except Exception:  # unreadable workbooks were refused by read_table already
            return first
    for name in names:
        if name == first.sheet:
            continue
        try:
            table = read_table(path, data=data, sheet=name)
        except ReadError:
            continue
        if is_grant_table(table, funder_given=funder_given):
            table.assumptions = [a for a in table.assumptions if not a.startswith("sheet:")]
            table.assumptions.append(
                f"sheet: «{name}», the one of {len(names)} whose header is a grant table"
            )
            return table
    return first


def _finish_counts(result: ImportResult, conversion: Conversion, details: dict[str, Any]) -> None:
    written = details.get("actors")
    rejected_rows = {r.row for r in conversion.rejects}
    rows_read = conversion.rows_read
    result.counts = {
        "rowsRead": rows_read,
        "rowsRejected": len(rejected_rows),
        "rowsSkipped": conversion.rows_skipped,
        "rowsImported": max(0, rows_read - conversion.rows_skipped - len(rejected_rows)),
        "actorsCreated": written.created if written else 0,
        "actorsMerged": written.merged if written else 0,
        "projects": conversion.projects,
        "partnerships": conversion.partnerships,
    }
    if "rdf" in details:
        parsed = details["rdf"]
        result.counts.update(parsed.counts)
    result.assumptions = conversion.assumptions()
    result.rejects = conversion.rejects
    result.unused_columns = conversion.unused_columns
    if written:
        result.conflicts = written.conflicts
        result.name_merges = conversion.actors.name_merges + written.name_merges


def write_rejects(
    path: Path,
    rejects: list[Reject],
    columns: list[str],
    *,
    target: Path | None = None,
    formula_escape: bool = True,
) -> Path:
    """A CSV (UTF-8 with BOM, ``;``: opens as-is in a French Excel) of every refused row:
    where, why, then the row's own cells so it can be fixed and imported again.

    The file is made to be opened in a spreadsheet, so with ``formula_escape`` (the default) a
    cell that would run as a formula (``=``, ``+``, ``-``, ``@``…) is written after a ``'``
    (:func:`ecograph.safetext.spreadsheet_cell`)."""
    from ecograph.safetext import spreadsheet_row

    out = target or Path.cwd() / f"{path.stem}.rejects.csv"
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        rows: list[list[str | int]] = [["file", "row", "column", "value", "problem", *columns]]
        rows += [
            [
                path.name,
                reject.row,
                reject.column or "",
                reject.value or "",
                reject.problem,
                *reject.cells,
            ]
            for reject in rejects
        ]
        writer.writerows(spreadsheet_row(row) if formula_escape else row for row in rows)
    return out
