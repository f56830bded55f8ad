"""What a converter makes of a file: actor drafts, RDF lines, refused rows and assumptions.

Converters (tabular, SCDL, SIRENE) read rows; ``merge`` gives actors their identity against
the store; ``importer`` writes everything in one load. The pieces they pass along live here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ecograph.ingest.values import name_key


@dataclass
class Reject:
    """One refused row: where, which value, and what was expected."""

    row: int
    column: str | None
    value: str | None
    problem: str
    cells: list[str] = field(default_factory=list)

    def message(self, file: str) -> str:
        """"file, row 12, column «montant»: «douze» — expected a number…"."""
        where = f"{file}, row {self.row}"
        if self.column:
            where += f", column «{self.column}»"
        if self.value is not None:
            where += f": «{self.value}»"
        return f"{where} — {self.problem}"


class RowProblem(ValueError):
    """Raised inside a converter for one row; becomes a ``Reject``."""

    def __init__(self, column: str | None, value: str | None, problem: str) -> None:
        super().__init__(problem)
        self.column = column
        self.value = value
        self.problem = problem


@dataclass
class ActorDraft:
    """One actor as the file describes it, gathered over every row that names it."""

    key: str
    first_row: int
    names: Counter[str] = field(default_factory=Counter)
    siren: str | None = None
    sirets: set[str] = field(default_factory=set)
    rna: str | None = None
    local_id: str | None = None
    other_ids: set[str] = field(default_factory=set)
    type: str | None = None
    type_guessed: bool = False
    sector: str | None = None
    place: str | None = None
    domains: set[str] = field(default_factory=set)
    description: str | None = None
    iri: str = ""

    @property
    def name(self) -> str:
        """The most frequent spelling (the first seen on a tie)."""
        return self.names.most_common(1)[0][0] if self.names else ""

    @property
    def identified(self) -> bool:
        return bool(self.siren or self.rna)


@dataclass
class NameMerge:
    """Two descriptions taken as one actor because their names (and commune) match."""

    row: int
    name: str
    merged_with: str
    iri: str


class ActorCollector:
    """Actor drafts of one file, merged by SIREN, RNA, local id, then name + commune."""

    def __init__(self) -> None:
        self.drafts: list[ActorDraft] = []
        self._by_key: dict[str, ActorDraft] = {}
        self.name_merges: list[NameMerge] = []
        self.shared_keys: list[tuple[int, list[str]]] = []
        self.duplicate_rows: list[tuple[int, int]] = []

    def add(self, row: int, *, name: str | None, siren: str | None = None,
            siret: str | None = None, rna: str | None = None, local_id: str | None = None,
            type: str | None = None, type_guessed: bool = False, sector: str | None = None,
            place: str | None = None, domains: set[str] | None = None,
            description: str | None = None) -> ActorDraft:
        """Add what one row says about an actor; returns the (possibly shared) draft."""
        keys = [k for k in (siren and f"siren:{siren}", rna and f"rna:{rna}",
                            local_id and f"id:{local_id}") if k]
        # a name of punctuation only ("-", ";") has an empty key: match it exactly instead
        name_k = f"name:{name_key(name) or '=' + name}|{place or ''}" if name else None
        draft = next((self._by_key[k] for k in keys if k in self._by_key), None)
        if draft is not None and siren and draft.siren and draft.siren != siren:
            # one RNA or local id given to two SIRENs: two actors, and the user is told
            self.shared_keys.append((row, [k for k in keys if self._by_key.get(k) is draft]))
            draft = None
            keys = [f"siren:{siren}"]
        if draft is None and name_k and not (siren or rna) and name_k in self._by_key:
            draft = self._by_key[name_k]
            if name is not None and (name not in draft.names or draft.identified):
                self.name_merges.append(NameMerge(row, name, draft.name, ""))
        if draft is None:
            if not keys and not name_k:
                raise RowProblem(None, None, "an actor needs a name, a SIREN or an RNA number")
            draft = ActorDraft(key=(keys or [name_k])[0] or "", first_row=row)
            self.drafts.append(draft)
        for k in keys:
            self._by_key.setdefault(k, draft)
        if name_k:
            self._by_key.setdefault(name_k, draft)
        if name:
            draft.names[name] += 1
        draft.siren = draft.siren or siren
        if siret:
            draft.sirets.add(siret)
        draft.rna = draft.rna or rna
        if local_id and draft.local_id and local_id != draft.local_id:
            draft.other_ids.add(local_id)  # two rows, one SIREN: both ids find the actor
            self.duplicate_rows.append((row, draft.first_row))
        draft.local_id = draft.local_id or local_id
        if type and (draft.type is None or (draft.type_guessed and not type_guessed)):
            draft.type, draft.type_guessed = type, type_guessed
        draft.sector = draft.sector or sector
        draft.place = draft.place or place
        if domains:
            draft.domains |= domains
        draft.description = draft.description or description
        return draft


class LineSink:
    """N-Triples lines written to a file as they come, a batch at a time.

    A 500,000-row file makes millions of lines: kept in a list, then joined and encoded, they
    would cost three copies of the data in memory; here they cost one batch. It takes
    ``append``, ``extend`` and ``+=`` like the list it replaces.
    """

    BATCH = 65536

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = path.open("w", encoding="utf-8")
        self._buffer: list[str] = []
        self.count = 0

    def append(self, line: str) -> None:
        self._buffer.append(line)
        if len(self._buffer) >= self.BATCH:
            self.flush()

    def extend(self, lines: Iterable[str]) -> None:
        self._buffer.extend(lines)
        if len(self._buffer) >= self.BATCH:
            self.flush()

    def __iadd__(self, lines: Iterable[str]) -> LineSink:
        self.extend(lines)
        return self

    def __len__(self) -> int:
        return self.count + len(self._buffer)

    def flush(self) -> None:
        if self._buffer:
            self._handle.write("\n".join(self._buffer))
            self._handle.write("\n")
            self.count += len(self._buffer)
            self._buffer.clear()

    def close(self) -> None:
        self.flush()
        self._handle.close()


@dataclass
class Conversion:
    """Everything one file gave, before it is written."""

    kind: str
    actors: ActorCollector = field(default_factory=ActorCollector)
    rejects: list[Reject] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)
    note_rows: dict[str, int] = field(default_factory=dict)
    rows_read: int = 0
    rows_skipped: int = 0
    partnerships: int = 0
    projects: int = 0
    lines: list[str] | LineSink = field(default_factory=list)
    unused_columns: list[str] = field(default_factory=list)
    #: Called once actors have their IRIs, to write lines that point at them (SCDL).
    finish: Callable[[], None] | None = None

    def note(self, text: str, row: int) -> None:
        """Record an assumption (counted; the first row it happened on is kept)."""
        self.notes[text] += 1
        self.note_rows.setdefault(text, row)

    def assumptions(self) -> list[str]:
        """The assumptions in words, most frequent first."""
        out = []
        for text, count in self.notes.most_common():
            first = self.note_rows[text]
            if first == 0:  # about the whole file (encoding, separator, sheet)
                out.append(text)
            else:
                out.append(f"{text} — {count} row(s), first at row {first}" if count > 1
                           else f"{text} (row {first})")
        return out
