"""Actor identity across sources: who in the store is the actor this file names?

An actor is the same actor when it has the same SIREN, else the same RNA number, else (no
identifier at all) the same normalised name in the same commune — that last kind of merge is
reported for review, because two associations can share a name.

The data model keeps *a fact in one graph* (queries read the union of graphs, where a fact
stated twice would count twice). So a source that names an actor already in the store writes
only what is new: a first name, type or sector, identifiers, domains, other spellings (as
``skos:altLabel``). What it says differently (another type, sector or commune) is kept out of
the data and reported as a conflict. A local authority described by the territories graph is
only made an ``eg:Actor``. Every source records which actors it named
(``<source graph> dcterms:references <actor>``), so "which sources said what" stays known.
"""

from __future__ import annotations

import functools
import hashlib
import urllib.parse
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ecograph.binding import bind
from ecograph.domain_rules import DomainRules
from ecograph.ingest.conversion import ActorDraft, NameMerge
from ecograph.ingest.inferred_domains import inferred_lines
from ecograph.ingest.synonyms import concept_iri, default_sectors
from ecograph.name_keys import name_key
from ecograph.namespaces import PREFIXES, actor_iri_for_siren
from ecograph.rdfterms import nt_iri, nt_literal
from ecograph.store.base import Store
from ecograph.vocab import EG

SKOS, DCT = PREFIXES["skos"], PREFIXES["dcterms"]
RDF_TYPE = PREFIXES["rdf"] + "type"
# plain strings (not rdflib URIRefs): they are compared with pyoxigraph values and dict keys
C_ACTOR = str(EG.Actor)
P_TYPE, P_SECTOR = str(EG.actorType), str(EG.sector)
P_LABEL, P_ALT = SKOS + "prefLabel", SKOS + "altLabel"
P_SIREN, P_SIRET, P_RNA = str(EG.siren), str(EG.siret), str(EG.rna)
P_BASED, P_WORKS = str(EG.basedIn), str(EG.worksOn)
P_INFERRED_WORKS = str(EG.inferredWorksOn)
P_NOTE = SKOS + "note"
D_SIREN, D_SIRET, D_RNA = str(EG.SIREN), str(EG.SIRET), str(EG.RNA)
P_DESCRIPTION, P_IDENTIFIER, P_REFERENCES = (
    DCT + "description",
    DCT + "identifier",
    DCT + "references",
)
N = {
    key: nt_iri(value)
    for key, value in {
        "type": RDF_TYPE,
        "Actor": C_ACTOR,
        "actorType": P_TYPE,
        "sector": P_SECTOR,
        "label": P_LABEL,
        "alt": P_ALT,
        "siren": P_SIREN,
        "siret": P_SIRET,
        "rna": P_RNA,
        "basedIn": P_BASED,
        "worksOn": P_WORKS,
        "description": P_DESCRIPTION,
        "identifier": P_IDENTIFIER,
        "references": P_REFERENCES,
        "note": P_NOTE,
    }.items()
}
_BATCH = 400
#: Every fact of a batch of actors, with its graph (the batch is bound to ``?a``).
_FACTS_QUERY = "SELECT ?a ?p ?o ?g WHERE { VALUES ?a { UNDEF } GRAPH ?g { ?a ?p ?o } }"
#: The whole store's SIREN and RNA numbers, and the same for a batch of them (bound to ``?v``).
_IDENTIFIER_QUERIES = {
    "siren": "SELECT ?a ?v ?g WHERE { GRAPH ?g { ?a eg:siren ?v } }",
    "rna": "SELECT ?a ?v ?g WHERE { GRAPH ?g { ?a eg:rna ?v } }",
}
_IDENTIFIER_LOOKUPS = {
    "siren": "SELECT ?a ?v ?g WHERE { VALUES ?v { UNDEF } GRAPH ?g { ?a eg:siren ?v } }",
    "rna": "SELECT ?a ?v ?g WHERE { VALUES ?v { UNDEF } GRAPH ?g { ?a eg:rna ?v } }",
}
#: The datatype ecograph gives each kind of number (the shapes ask for it). A lookup asks for
#: the typed number and the plain string, the form a hand-written RDF file may use.
_DATATYPES = {"siren": EG.SIREN, "rna": EG.RNA}
#: Up to this many numbers, a file's SIREN (or RNA) numbers are looked up one batch at a time;
#: past it, the store's are all read at once, which is then the cheaper of the two.
LOOKUP_LIMIT = 50_000


def rna_iri(base: str, rna: str) -> str:
    """Actors with only an RNA number: ``{base}actor/rna/{rna}`` (data model 0001)."""
    return f"{base}actor/rna/{rna}"


def local_actor_iri(base: str, source: str, key: str) -> str:
    """An actor without identifier: deterministic from the source and its key in the file,
    so importing the file again gives the same IRI."""
    return f"{base}actor/import/{source}/{urllib.parse.quote(key, safe='')}"


def name_place_key(name: str, place: str | None) -> str:
    """The key of an actor known only by name (and commune), hashed to keep IRIs short."""
    digest = hashlib.sha1(f"{name_key(name)}|{place or ''}".encode()).hexdigest()[:16]
    return f"n-{digest}"


class StoreIndex:
    """What the store already knows about actors, for matching one import against it.

    Each part (identifiers, local ids, names) is read from the store the first time it is
    needed: a partnerships file never reads names, an actors file with SIRENs never reads
    local ids. Graphs in ``ignore`` (the source being replaced) are left out, as if already
    removed.
    """

    def __init__(self, store: Store, *, ignore: Iterable[str] = ()) -> None:
        self.store = store
        self.base: str = store.base_iri
        self.ignore = frozenset(ignore)
        self._parts: dict[str, Any] = {}
        # Identifiers looked up by number before they were needed (``look_up``): part →
        # (the numbers asked, the actors found for them).
        self._looked_up: dict[str, tuple[set[str], dict[str, str]]] = {}

    @classmethod
    def build(cls, store: Store, *, ignore: Iterable[str] = ()) -> StoreIndex:
        """An index of ``store`` (parts are read on first use)."""
        return cls(store, ignore=ignore)

    def _rows(self, query: str) -> Iterator[Any]:
        """Solutions of a SELECT whose ``?g`` (when bound) is not an ignored graph."""
        ignore = self.ignore
        for row in self.store.query(query):
            graph = row["g"]
            if graph is None or graph.value not in ignore:
                yield row

    def _part(self, name: str) -> Any:
        if name not in self._parts:
            self._parts[name] = getattr(self, f"_read_{name}")()
        return self._parts[name]

    def _read_siren(self) -> dict[str, str]:
        return self._identifiers(self._rows(_IDENTIFIER_QUERIES["siren"]))

    def _read_rna(self) -> dict[str, str]:
        return self._identifiers(self._rows(_IDENTIFIER_QUERIES["rna"]))

    @staticmethod
    def _identifiers(rows: Iterable[Any]) -> dict[str, str]:
        found: dict[str, str] = {}
        for row in rows:
            found.setdefault(row["v"].value, row["a"].value)
        return found

    def look_up(self, drafts: Iterable[ActorDraft]) -> None:
        """Look up the SIREN and RNA numbers these drafts give, ahead of ``identify``.

        Without it, the first draft with a SIREN reads every SIREN of the store (and the
        first with an RNA number every RNA number): one département's grants, imported into
        a store of the 1.5 million associations of France, read 1.5 million numbers to match
        a few thousand, and half the import's time went there. Looked up by number, in
        batches, the work follows the file, not the store. Past ``LOOKUP_LIMIT`` numbers
        (importing the register itself) the whole part is read, as before. What a lookup
        did not ask is still read whole when asked. A number is looked up as ecograph writes
        it (typed ``eg:SIREN``, ``eg:RNA``, as the shapes ask) and as a plain string; one
        written with yet another datatype, which ``ecograph validate`` reports, is not found
        by a lookup (checking the whole store for one would read every number again).
        """
        asked: dict[str, set[str]] = {"siren": set(), "rna": set()}
        for draft in drafts:
            if draft.siren:
                asked["siren"].add(draft.siren)
            if draft.rna:
                asked["rna"].add(draft.rna)
        for part, numbers in asked.items():
            if not numbers or part in self._parts or len(numbers) > LOOKUP_LIMIT:
                continue
            known, found = self._looked_up.setdefault(part, (set(), {}))
            wanted = sorted(numbers - known)
            datatype = ox.NamedNode(str(_DATATYPES[part]))
            for start in range(0, len(wanted), _BATCH):
                batch = [
                    form
                    for number in wanted[start : start + _BATCH]
                    for form in (ox.Literal(number, datatype=datatype), ox.Literal(number))
                ]
                query = bind(_IDENTIFIER_LOOKUPS[part], {"v": batch})
                for number, actor in self._identifiers(self._rows(query)).items():
                    found.setdefault(number, actor)
            known.update(wanted)

    def _known(self, part: str, number: str) -> str | None:
        """The actor holding ``number`` (a SIREN or RNA number), from a lookup when one
        asked for it, else from the whole part."""
        if part not in self._parts:
            looked = self._looked_up.get(part)
            if looked is not None and number in looked[0]:
                return looked[1].get(number)
        return self._part(part).get(number)

    def _read_authorities(self) -> set[str]:
        return {
            row["a"].value for row in self.store.query("SELECT ?a WHERE { ?a a eg:LocalAuthority }")
        }

    def _read_ids(self) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        actors: dict[str, set[str]] = defaultdict(set)
        projects: dict[str, set[str]] = defaultdict(set)
        for row in self._rows(
            "SELECT ?a ?v ?c ?g WHERE { GRAPH ?g { ?a dcterms:identifier ?v } ?a a ?c "
            "FILTER(?c IN (eg:Actor, eg:Project)) }"
        ):
            found = actors if row["c"].value == C_ACTOR else projects
            found[row["v"].value].add(row["a"].value)
        return actors, projects

    def _read_names(self) -> tuple[dict[tuple[str, str], str], dict[str, set[str]], dict[str, str]]:
        by_place: dict[tuple[str, str], str] = {}
        by_name: dict[str, set[str]] = defaultdict(set)
        names: dict[str, str] = {}
        for row in self._rows(
            "SELECT ?a ?v ?p ?g WHERE { GRAPH ?g { ?a skos:prefLabel|skos:altLabel ?v } "
            "?a a eg:Actor OPTIONAL { ?a eg:basedIn ?p } }"
        ):
            actor, key = row["a"].value, name_key(row["v"].value)
            place = row["p"].value if row["p"] is not None else ""
            by_place.setdefault((key, place), actor)
            by_name[key].add(actor)
            names.setdefault(actor, row["v"].value)
        return by_place, by_name, names

    @property
    def by_siren(self) -> dict[str, str]:
        return self._part("siren")

    @property
    def by_rna(self) -> dict[str, str]:
        return self._part("rna")

    @property
    def authorities(self) -> set[str]:
        return self._part("authorities")

    @property
    def by_id(self) -> dict[str, set[str]]:
        return self._part("ids")[0]

    @property
    def projects_by_id(self) -> dict[str, set[str]]:
        return self._part("ids")[1]

    @property
    def by_name_place(self) -> dict[tuple[str, str], str]:
        return self._part("names")[0]

    @property
    def by_name(self) -> dict[str, set[str]]:
        return self._part("names")[1]

    @property
    def names(self) -> dict[str, str]:
        return self._part("names")[2]

    # ---------------------------------------------------------------- identity
    def identify(self, draft: ActorDraft, source: str) -> tuple[str, bool]:
        """The IRI of a draft, and whether the store already has that actor."""
        if draft.authority:
            held = draft.authority in self.authorities or (
                draft.siren is not None and self._known("siren", draft.siren) == draft.authority
            )
            return draft.authority, held
        if draft.siren:
            known = self._known("siren", draft.siren)
            return known or actor_iri_for_siren(self.base, draft.siren), known is not None
        if draft.rna:
            known = self._known("rna", draft.rna)
            return known or rna_iri(self.base, draft.rna), known is not None
        for name in draft.names:
            known = self.by_name_place.get((name_key(name), draft.place or ""))
            if known:
                return known, True
        if draft.notes and not draft.place:  # an identifier not trusted: found by name alone
            for name in draft.names:
                named = self.by_name.get(name_key(name), set())
                if len(named) == 1:
                    return next(iter(named)), True
        if draft.local_id:
            return local_actor_iri(self.base, source, draft.local_id), False
        return local_actor_iri(self.base, source, name_place_key(draft.name, draft.place)), False

    def resolve_reference(self, text: str) -> tuple[str | None, str]:
        """An actor named in a cell by local id, SIREN, RNA or exact name → (IRI, why not)."""
        ids = self.by_id.get(text.strip())
        if ids and len(ids) == 1:
            return next(iter(ids)), ""
        if ids:
            return None, (
                f"the id «{text}» is used by {len(ids)} actors of different "
                "sources; give the actor's SIREN instead"
            )
        compact = text.replace(" ", "")
        if compact.isdigit() and len(compact) in (9, 14) and compact[:9] in self.by_siren:
            return self.by_siren[compact[:9]], ""
        if compact.upper() in self.by_rna:
            return self.by_rna[compact.upper()], ""
        named = self.by_name.get(name_key(text), set())
        if len(named) == 1:
            return next(iter(named)), ""
        if named:
            return None, (
                f"{len(named)} actors are named «{text}»; give the actor's id or SIREN instead"
            )
        return None, (
            "no actor with this id, SIREN, RNA or name: import the actors first "
            "(or in the same command, before this file)"
        )

    # ---------------------------------------------------------------- facts
    def facts(self, iris: list[str]) -> dict[str, dict[str, set[str]]]:
        """Predicate → objects (N-Triples) of each actor, from graphs not ignored."""
        found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for start in range(0, len(iris), _BATCH):
            batch = [ox.NamedNode(i) for i in iris[start : start + _BATCH]]
            for row in self._rows(bind(_FACTS_QUERY, {"a": batch})):
                found[row["a"].value][row["p"].value].add(str(row["o"]))
        return found


@dataclass
class ActorWrite:
    """What writing the actors of one file did."""

    lines: list[str] = field(default_factory=list)
    created: int = 0
    merged: int = 0
    conflicts: list[str] = field(default_factory=list)
    name_merges: list[NameMerge] = field(default_factory=list)


def write_actors(
    drafts: list[ActorDraft],
    index: StoreIndex,
    source: str,
    graph: str,
    *,
    rules: DomainRules | None = None,
) -> ActorWrite:
    """Give each draft its IRI and write the facts the store does not hold yet; with
    ``rules``, the domains its names and received grants speak of that nothing states."""
    out = ActorWrite()
    known: list[str] = []
    index.look_up(drafts)
    for draft in drafts:
        draft.iri, exists = index.identify(draft, source)
        if exists:
            known.append(draft.iri)
            if not draft.identified:
                out.name_merges.append(
                    NameMerge(
                        draft.first_row, draft.name, index.names.get(draft.iri, ""), draft.iri
                    )
                )
    facts = index.facts(sorted(set(known))) if known else {}
    reasons: set[str] = set()  # shared domain evidence already written in this batch
    graph_nt = nt_iri(graph)
    seen: set[str] = set()
    known_domains: dict[str, set[str]] = {}
    for draft in drafts:
        if draft.iri in seen:  # two drafts, one actor (e.g. SIRET and name rows)
            continue
        seen.add(draft.iri)
        existing = facts.get(draft.iri)
        if existing is not None or draft.iri in index.authorities:
            out.merged += 1
        else:
            out.created += 1
        out.lines.append(f"{graph_nt} {N['references']} {nt_iri(draft.iri)} .")
        authority = draft.iri in index.authorities
        _actor_lines(draft, existing or {}, authority, out)
        if rules is not None and not authority:
            out.lines += _inferred(draft, existing or {}, source, index.base, rules, reasons)
        known_domains[draft.iri] = draft.known_domains
    for draft in drafts:  # the drafts of an actor written once share what is known of it
        draft.known_domains = known_domains.get(draft.iri, draft.known_domains)
    return out


def _inferred(
    draft: ActorDraft,
    existing: dict[str, set[str]],
    source: str,
    base: str,
    rules: DomainRules,
    reasons: set[str],
) -> list[str]:
    """The domains the actor's register codes give, then those its names and description
    speak of, then those of the grants it receives, less those a source states (this file,
    or a fact the store holds)."""
    # a register's code first (the source states it), then the actor's own words, then its
    # grants': each domain keeps the first reason found
    found = {d: e for d, e in draft.inferred.items() if e.place.startswith("code")}
    # a local authority's name is a place («Neuilly-l'Hôpital»), not what it does
    for name, _ in [] if draft.authority else draft.names.most_common():
        for domain, evidence in rules.evidence({"nom": name}).items():
            found.setdefault(domain, evidence)
    for domain, evidence in rules.evidence({"description": draft.description}).items():
        found.setdefault(domain, evidence)
    for domain, evidence in draft.inferred.items():
        found.setdefault(domain, evidence)
    stated = draft.domains | _locals(existing.get(P_WORKS, set()))
    kept = {d: e for d, e in found.items() if d not in stated}
    draft.known_domains = stated | set(found) | _locals(existing.get(P_INFERRED_WORKS, set()))
    return inferred_lines(
        draft.iri, kept, kind="actor", source=source, base=base, rules=rules, written=reasons
    )


def _locals(terms: Iterable[str]) -> set[str]:
    """The local names of concepts given as N-Triples IRIs (``<…/domain/health>``)."""
    return {term.strip("<>").rsplit("/", 1)[-1] for term in terms}


def _actor_lines(
    draft: ActorDraft, existing: dict[str, set[str]], authority: bool, out: ActorWrite
) -> None:
    s = nt_iri(draft.iri)
    lines = out.lines
    actor_class = N["Actor"]
    if actor_class not in existing.get(RDF_TYPE, set()):
        lines.append(f"{s} {N['type']} {actor_class} .")
    if authority:  # name, type, sector (and SIREN) live in the territories graph
        if draft.siren and not existing.get(P_SIREN):  # départements and régions have none
            _add(s, "siren", P_SIREN, nt_literal(draft.siren, datatype=D_SIREN), existing, lines)
        for local_id in _local_ids(draft):
            _add(s, "identifier", P_IDENTIFIER, nt_literal(local_id), existing, lines)
        for note in sorted(draft.notes):
            _add(s, "note", P_NOTE, nt_literal(note, lang="fr"), existing, lines)
        return
    labels = existing.get(P_LABEL, set()) | existing.get(P_ALT, set())
    names = [n for n, _ in draft.names.most_common()]
    if not names and not existing.get(P_LABEL) and (draft.siren or draft.rna):
        # a file that gives only an identifier: the actor is named by it until one names it
        names = [f"SIREN {draft.siren}" if draft.siren else f"RNA {draft.rna}"]
    for position, name in enumerate(names):
        literal = nt_literal(name, lang="fr")
        if literal in labels:
            continue
        first = position == 0 and not existing.get(P_LABEL)
        lines.append(f"{s} {N['label'] if first else N['alt']} {literal} .")
    actor_type = draft.type or ("association" if not existing.get(P_TYPE) else None)
    sector = draft.sector or (default_sectors().get(actor_type) if actor_type else None)
    _single(
        s, "actorType", P_TYPE, actor_type and _concept_nt("type", actor_type), existing, draft, out
    )
    _single(s, "sector", P_SECTOR, sector and _concept_nt("sector", sector), existing, draft, out)
    _single(s, "basedIn", P_BASED, draft.place and nt_iri(draft.place), existing, draft, out)
    if draft.siren:
        _add(s, "siren", P_SIREN, nt_literal(draft.siren, datatype=D_SIREN), existing, lines)
    for siret in sorted(draft.sirets):
        _add(s, "siret", P_SIRET, nt_literal(siret, datatype=D_SIRET), existing, lines)
    if draft.rna:
        _single(s, "rna", P_RNA, nt_literal(draft.rna, datatype=D_RNA), existing, draft, out)
    for domain in sorted(draft.domains):
        _add(s, "worksOn", P_WORKS, _concept_nt("domain", domain), existing, lines)
    if draft.description and not existing.get(P_DESCRIPTION):
        lines.append(f"{s} {N['description']} {nt_literal(draft.description, lang='fr')} .")
    for local_id in _local_ids(draft):
        _add(s, "identifier", P_IDENTIFIER, nt_literal(local_id), existing, lines)
    for note in sorted(draft.notes):
        _add(s, "note", P_NOTE, nt_literal(note, lang="fr"), existing, lines)


def _local_ids(draft: ActorDraft) -> list[str]:
    """Every id the file gave the actor (rows of one SIREN may give several), sorted."""
    ids = set(draft.other_ids)
    if draft.local_id is not None:
        ids.add(draft.local_id)
    return sorted(ids)


@functools.cache
def _concept_nt(field: str, local: str) -> str:
    return nt_iri(concept_iri(field, local))


def _add(
    s: str, key: str, predicate: str, obj: str, existing: dict[str, set[str]], lines: list[str]
) -> None:
    if obj not in existing.get(predicate, ()):
        lines.append(f"{s} {N[key]} {obj} .")


def _single(
    s: str,
    key: str,
    predicate: str,
    obj: str | bool | None,
    existing: dict[str, set[str]],
    draft: ActorDraft,
    out: ActorWrite,
) -> None:
    """A property an actor has once: written when absent, reported when it differs."""
    if not obj:
        return
    held = existing.get(predicate)
    if not held:
        out.lines.append(f"{s} {N[key]} {obj} .")
    elif obj not in held:
        out.conflicts.append(
            f"row {draft.first_row}: «{draft.name}» is already in the store with {key} "
            f"{_short(next(iter(held)))}; this file says {_short(str(obj))} (kept the store's)"
        )


def _short(nt: str) -> str:
    """``<…/actor-type/association>`` → ``association``, ``"W1…"^^<…#RNA>`` → ``W1…``, for
    messages."""
    if nt.startswith('"'):  # a literal: its lexical form, not its datatype's name
        return nt[1:].rsplit('"', 1)[0]
    text = nt.strip("<>")
    return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1] if "://" in text else text
