"""What a converter makes of a file: actor drafts, RDF lines, refused rows and assumptions.

Converters (tabular, SCDL, SIRENE) read rows; ``merge`` gives actors their identity against
the store; ``importer`` writes everything in one load. The pieces they pass along live here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ecograph.domain_rules import Evidence
from ecograph.name_keys import name_key


@dataclass
class Reject:
    """One refused row: where, which value, and what was expected."""

    row: int
    column: str | None
    value: str | None
    problem: str
    cells: list[str] = field(default_factory=list)

    def message(self, file: str) -> str:
        """ "file, row 12, column «montant»: «douze» — expected a number…"."""
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
    #: Domains inferred from what the actor receives (a grant's object), with their evidence;
    #: those its name gives are added when it is written (``merge.write_actors``).
    inferred: dict[str, Evidence] = field(default_factory=dict)
    #: Every domain the actor is known to work on once written (what sources state, what the
    #: store and this import inferred): a grant that says nothing of its own takes them.
    known_domains: set[str] = field(default_factory=set)
    description: str | None = None
    #: The node of a local authority recognised by name (``places.authority_named``): it wins
    #: over the SIREN, so a funder with a broken or missing SIRET is still that authority.
    authority: str | None = None
    #: What the file said that could not be trusted as an identifier ("idAttribuant «…»:
    #: not a valid SIRET"), kept on the actor as ``skos:note``.
    notes: set[str] = field(default_factory=set)
    iri: str = ""

    @property
    def name(self) -> str:
        """The most frequent spelling (the first seen on a tie)."""
        return self.names.most_common(1)[0][0] if self.names else ""

    @property
    def identified(self) -> bool:
        """Known by an identifier, or as a local authority of the geography: not merely by
        its name, so finding it in the store is no name merge to review."""
        return bool(self.siren or self.rna or self.authority)


@dataclass
class NameMerge:
    """Two descriptions taken as one actor because their names (and commune) match."""

    row: int
    name: str
    merged_with: str
    iri: str


class ActorCollector:
    """Actor drafts of one file, merged by SIREN, RNA, local id, then name + commune.

    A row is added inside a savepoint (``begin_row``): when the row is refused,
    ``undo_row`` takes back every draft, key, name and merge it added, so a refused row's
    funder or beneficiary never reaches the store, not even as another spelling.
    """

    def __init__(self) -> None:
        self.drafts: list[ActorDraft] = []
        self._by_key: dict[str, ActorDraft] = {}
        self.name_merges: list[NameMerge] = []
        self.shared_keys: list[tuple[int, list[str]]] = []
        self.duplicate_rows: list[tuple[int, int]] = []
        self._savepoint: _Savepoint | None = None

    def begin_row(self) -> None:
        """Start recording what the next row adds, so ``undo_row`` can take it back."""
        self._savepoint = _Savepoint(
            len(self.drafts), len(self.name_merges), len(self.shared_keys), len(self.duplicate_rows)
        )

    def end_row(self) -> None:
        """The row passed: keep what it added."""
        self._savepoint = None

    def undo_row(self) -> None:
        """Forget everything added since ``begin_row``: the row was refused."""
        point = self._savepoint
        if point is None:
            return
        for key in point.new_keys:
            del self._by_key[key]
        for draft, state in point.before.values():
            vars(draft).update(state)
        del self.drafts[point.drafts :]
        del self.name_merges[point.name_merges :]
        del self.shared_keys[point.shared_keys :]
        del self.duplicate_rows[point.duplicate_rows :]
        self._savepoint = None

    def _keep(self, draft: ActorDraft) -> None:
        """Remember a draft's state before this row changes it (drafts it made are dropped
        whole on undo, so need nothing)."""
        point = self._savepoint
        if point is None or id(draft) in point.before:
            return
        if any(d is draft for d in self.drafts[point.drafts :]):
            return
        state = dict(vars(draft))
        state.update(
            names=Counter(draft.names),
            sirets=set(draft.sirets),
            other_ids=set(draft.other_ids),
            domains=set(draft.domains),
            notes=set(draft.notes),
        )
        point.before[id(draft)] = (draft, state)

    def _set_key(self, key: str, draft: ActorDraft) -> None:
        if key not in self._by_key:
            self._by_key[key] = draft
            if self._savepoint is not None:
                self._savepoint.new_keys.append(key)

    def add(
        self,
        row: int,
        *,
        name: str | None,
        siren: str | None = None,
        siret: str | None = None,
        rna: str | None = None,
        local_id: str | None = None,
        type: str | None = None,
        type_guessed: bool = False,
        sector: str | None = None,
        place: str | None = None,
        domains: set[str] | None = None,
        description: str | None = None,
        authority: str | None = None,
    ) -> ActorDraft:
        """Add what one row says about an actor; returns the (possibly shared) draft.
        ``authority`` is the node of a local authority the row's name designates
        (``places.authority_named``): rows designating the same one are one actor."""
        keys = [
            k
            for k in (
                siren and f"siren:{siren}",
                rna and f"rna:{rna}",
                local_id and f"id:{local_id}",
                authority and f"authority:{authority}",
            )
            if k
        ]
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
            draft = ActorDraft(key=keys[0] if keys else name_k or "", first_row=row)
            self.drafts.append(draft)
        else:
            self._keep(draft)
        for k in keys:
            self._set_key(k, draft)
        if name_k:
            self._set_key(name_k, draft)
        if name:
            draft.names[name] += 1
        draft.siren = draft.siren or siren
        if siret:
            draft.sirets.add(siret)
        draft.rna = draft.rna or rna
        draft.authority = draft.authority or authority
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


class _Savepoint:
    """Where the collector stood before a row: list lengths, keys it added, drafts it changed
    (a plain class with slots: one is made per row)."""

    __slots__ = ("before", "drafts", "duplicate_rows", "name_merges", "new_keys", "shared_keys")

    def __init__(
        self, drafts: int, name_merges: int, shared_keys: int, duplicate_rows: int
    ) -> None:
        self.drafts, self.name_merges = drafts, name_merges
        self.shared_keys, self.duplicate_rows = shared_keys, duplicate_rows
        self.new_keys: list[str] = []
        self.before: dict[int, tuple[ActorDraft, dict[str, object]]] = {}


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
    #: Assumptions noted since ``begin_row`` (text, whether it was the first of its kind).
    _row_notes: list[tuple[str, bool]] | None = field(default=None, init=False, repr=False)

    def note(self, text: str, row: int) -> None:
        """Record an assumption (counted; the first row it happened on is kept)."""
        self.notes[text] += 1
        first = text not in self.note_rows
        if first:
            self.note_rows[text] = row
        if self._row_notes is not None:
            self._row_notes.append((text, first))

    def begin_row(self) -> None:
        """A row starts: what it adds (actors, assumptions) can be taken back."""
        self.actors.begin_row()
        self._row_notes = []

    def end_row(self) -> None:
        """The row passed: what it added stays."""
        self.actors.end_row()
        self._row_notes = None

    def undo_row(self) -> None:
        """The row was refused: it leaves no actor and no assumption behind (only its
        reject). Lines are not undone: converters write them once a row has passed."""
        self.actors.undo_row()
        for text, first in reversed(self._row_notes or []):
            self.notes[text] -= 1
            if not self.notes[text]:
                del self.notes[text]
            if first:
                del self.note_rows[text]
        self._row_notes = None

    def assumptions(self) -> list[str]:
        """The assumptions in words: those about the whole file (encoding, separator, sheet)
        first, as a summary cut short must still show them, then the most frequent first."""
        out = [text for text in self.notes if self.note_rows[text] == 0]
        for text, count in self.notes.most_common():
            first = self.note_rows[text]
            if first == 0:
                continue
            out.append(
                f"{text} — {count} row(s), first at row {first}"
                if count > 1
                else f"{text} (row {first})"
            )
        return out
