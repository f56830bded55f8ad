"""Which domains of action a text speaks of, by the keyword rules of the domain scheme.

Real files rarely state a domain: a grant has a free-text object ("aide au fonctionnement de
l'EHPAD…"), a beneficiary a name. The rules that read them are SKOS, in
``ontology/schemes/domains.ttl``, so a user can read and change them without touching code:

- each domain's ``skos:hiddenLabel`` is a keyword or a phrase; a trailing ``*`` on a word
  matches any ending (``handicap*`` → handicapé, handicaps);
- each domain's ``eg:misleadingLabel`` is a phrase in which its keywords do not mean it
  ("logement de fonction"): a keyword found inside it does not count.

Texts and keywords are compared as words: accents, case and punctuation are ignored, and so are
small words (de, la, des, et…), so that "maison de retraite" also matches the truncated
"MAISONS RETRAITE" a published file writes. There are no weights and no model: a domain is
given when one of its keywords is found, and the keyword is kept as the reason
(``Evidence``). Decision record: docs/decisions/0001-data-model.md, "Inferred domains".
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from ecograph.namespaces import PREFIXES, graph_iri
from ecograph.resources import ontology_path
from ecograph.store.base import Store
from ecograph.vocab import EG

#: Words too common to tell anything; dropped from texts and keywords alike.
SMALL_WORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "d",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "par",
        "pour",
        "sur",
        "un",
        "une",
        "and",
        "for",
        "of",
        "the",
        "to",
    ]
)
#: A wildcard stem shorter than this would match half the language.
_MIN_STEM = 3
#: A text word this long or longer that begins a keyword's word is taken as that word cut
#: short (registers cut names to a fixed width: "REZE ACTIV EDUCA SOCIA LOISI ENFAN").
MIN_CUT = 5
#: How many distinct words an index remembers before it starts again (bounded memory).
_SEEN_WORDS = 200_000
#: Prefixes that stand as words of their own in names ("ASSOCIATION INTER FACES"), and
#: words that begin a keyword's word without being it cut short («accès» is not a cut
#: «accessibilité»): never taken as a longer word cut short.
NOT_CUT = frozenset(
    {"inter", "trans", "multi", "super", "micro", "macro", "ultra", "extra", "acces"}
)
_WORD = re.compile(r"[a-z0-9]+")
#: Combining marks, which NFKD splits from their letter ("é" → "e" + U+0301).
_ACCENTS = re.compile("[\u0300-\u036f]")
_FOLDS = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
#: A lead byte of UTF-8 read as Windows-1252 ("Ã", "Â", "Å") followed by what a continuation
#: byte reads as there (Latin-1 symbols, or one of Windows-1252's own signs: ƒ, ’, €, ™…).
_MOJIBAKE = re.compile("[ÃÂÅ][\u0080-\u00bf\u0152-\u0192\u02c6\u02dc\u2013-\u2122]")
_SCHEME = PREFIXES["egdom"].rstrip("/")
#: What each property of a domain concept is to the rules.
_KINDS = {
    str(SKOS.hiddenLabel): "keyword",
    str(EG.misleadingLabel): "misleading",
    str(SKOS.prefLabel): "name",
}

#: Where a keyword was found, as eg:matchedIn says it: the key and its words in each language.
PLACES: dict[str, dict[str, str]] = {
    "objet": {"fr": "dans l'objet de la subvention", "en": "in the grant's object"},
    "nature": {"fr": "dans la nature de la subvention", "en": "in the grant's nature"},
    "nom du bénéficiaire": {
        "fr": "dans le nom du bénéficiaire",
        "en": "in the beneficiary's name",
    },
    "nom": {"fr": "dans le nom de l'acteur", "en": "in the actor's name"},
    "description": {
        "fr": "dans la description de l'acteur (l'objet qu'il déclare)",
        "en": "in the actor's description (the purpose it declares)",
    },
    "code NAF": {
        "fr": "est le code d'activité (NAF) de l'acteur",
        "en": "is the actor's activity code (NAF)",
    },
    "code objet social": {
        "fr": "est un code d'objet social (RNA) de l'association",
        "en": "is one of the association's purpose codes (RNA)",
    },
    "bénéficiaire": {
        "fr": "est le nom du bénéficiaire, qui agit dans ce domaine selon la base (la "
        "subvention ne dit pas son objet)",
        "en": "is the beneficiary, which works on it as the database knows (the grant does "
        "not say its object)",
    },
    "subvention reçue": {
        "fr": "dans l'objet d'une subvention reçue",
        "en": "in the object of a grant received",
    },
}


class DomainRulesError(ValueError):
    """A keyword of the scheme that cannot be used as written (named, with its domain)."""


def words_of(text: str) -> list[str]:
    """The words of a text as the rules compare them: no accents, lower case, no small
    words, and UTF-8 read as Windows-1252 ("CÅ’UR") read back ("CŒUR")."""
    plain = repaired(text).translate(_FOLDS).lower()
    if not plain.isascii():
        plain = _ACCENTS.sub("", unicodedata.normalize("NFKD", plain))
    return [w for w in _WORD.findall(plain) if w not in SMALL_WORDS]


def repaired(text: str) -> str:
    """The text with UTF-8 that was read as Windows-1252 decoded again, once or twice (files
    re-saved by spreadsheets carry "Ã©" for "é", even "Ãƒâ€¦" for a twice-wrong "Å");
    anything that does not decode is left as it was."""
    for _ in range(3):
        if not _MOJIBAKE.search(text):
            break
        try:
            text = text.encode("cp1252").decode("utf-8")
        except UnicodeError:
            break
    return text


@dataclass(frozen=True)
class Keyword:
    """One ``skos:hiddenLabel`` (or ``eg:misleadingLabel``) of a domain, ready to match."""

    domain: str
    text: str
    lang: str
    #: Each word, and whether it is a stem (written with a trailing ``*``).
    pattern: tuple[tuple[str, bool], ...]

    @classmethod
    def read(cls, domain: str, text: str, lang: str) -> Keyword:
        """The keyword as the scheme writes it; refused in words when it cannot match
        anything sensible."""
        pattern: list[tuple[str, bool]] = []
        for raw in text.split():
            stem = raw.endswith("*")
            words = words_of(raw.rstrip("*"))
            if "*" in raw.rstrip("*") or (stem and not words):
                raise DomainRulesError(f"egdom:{domain}: keyword «{text}»: a * may only end a word")
            if stem and len(words[-1]) < _MIN_STEM:
                raise DomainRulesError(
                    f"egdom:{domain}: keyword «{text}»: «{raw}» is too short a stem (at least "
                    f"{_MIN_STEM} letters before the *)"
                )
            pattern.extend((w, stem and i == len(words) - 1) for i, w in enumerate(words))
        if not pattern:
            raise DomainRulesError(
                f"egdom:{domain}: keyword «{text}» has only small words "
                f"({', '.join(sorted(SMALL_WORDS)[:6])}…), which texts are compared without"
            )
        return cls(domain, text, lang, tuple(pattern))

    @classmethod
    def code(cls, domain: str, code: str) -> Keyword:
        """A nomenclature code that names a domain (a NAF activity code, an RNA purpose
        code), as the reason an inference gives; it is matched by its own table, not as a
        word."""
        return cls(domain, code, "", ((code.lower(), False),))

    def matches_at(self, words: list[str], start: int) -> bool:
        if start + len(self.pattern) > len(words):
            return False
        return all(
            word_matches(word, expected, stem)
            for (expected, stem), word in zip(self.pattern, words[start:], strict=False)
        )


def word_matches(word: str, expected: str, stem: bool) -> bool:
    """One word of a text against one word of a keyword: the same word, a word the stem
    begins, or the keyword's word cut short as published files cut names ("ENFAN" for
    enfance, "GERON" for gérontologie), from :data:`MIN_CUT` letters."""
    if word == expected or (stem and word.startswith(expected)):
        return True
    return len(word) >= MIN_CUT and word not in NOT_CUT and expected.startswith(word)


class _Index:
    """Keywords by what a text word must be for them to start there: their first word
    whole, a stem it begins with, or a longer word it is a cut of. Every lookup is a
    dictionary's, so a text costs a few lookups a word whatever the number of keywords."""

    def __init__(self, keywords: Iterable[Keyword]) -> None:
        self.whole: dict[str, list[Keyword]] = {}
        self.stems: dict[str, list[Keyword]] = {}
        self.cuts: dict[str, list[Keyword]] = {}
        for keyword in keywords:
            first, stem = keyword.pattern[0]
            (self.stems if stem else self.whole).setdefault(first, []).append(keyword)
            for length in range(MIN_CUT, len(first)):
                self.cuts.setdefault(first[:length], []).append(keyword)
        self.stem_lengths = sorted({len(stem) for stem in self.stems})
        #: Words seen → their keywords: a register's names share most of their words.
        self.seen: dict[str, tuple[Keyword, ...]] = {}

    def starting_with(self, word: str) -> tuple[Keyword, ...]:
        """The keywords whose first word ``word`` matches (``word_matches``)."""
        known = self.seen.get(word)
        if known is not None:
            return known
        found = list(self.whole.get(word, ()))
        for length in self.stem_lengths:
            if length > len(word):
                break
            found += self.stems.get(word[:length], ())
        if len(word) >= MIN_CUT and word not in NOT_CUT:
            found += self.cuts.get(word, ())
        if len(self.seen) >= _SEEN_WORDS:
            self.seen.clear()
        self.seen[word] = tuple(found)
        return self.seen[word]

    def spans(self, words: list[str]) -> Iterable[tuple[int, int, Keyword]]:
        """Every (start, end, keyword) found, left to right, longest first at a start."""
        for start, word in enumerate(words):
            candidates = self.starting_with(word)
            if not candidates:
                continue
            found = [k for k in candidates if k.matches_at(words, start)]
            found.sort(key=lambda k: (-len(k.pattern), k.text))
            for keyword in found:
                yield start, start + len(keyword.pattern), keyword


@dataclass(frozen=True)
class Evidence:
    """Why a domain was inferred: the keyword, where it was found, and the grant it came
    from when an actor's domain came from a grant it receives."""

    domain: str
    keyword: Keyword
    place: str
    via: str | None = None

    def sentence(self, domain_label: str, lang: str) -> str:
        """One line a person reads: ``Santé : « ehpad » dans l'objet de la subvention``."""
        where = PLACES[self.place][lang]
        if lang == "fr":
            return f"{domain_label} : « {self.keyword.text} » {where}"
        return f'{domain_label}: "{self.keyword.text}" {where}'


class DomainRules:
    """The keyword rules of the domain scheme. Build with :meth:`shipped`,
    :meth:`from_store` or :meth:`from_graph`."""

    def __init__(
        self,
        keywords: Iterable[Keyword],
        misleading: Iterable[Keyword] = (),
        *,
        names: Mapping[tuple[str, str], str] | None = None,
    ) -> None:
        self.keywords = tuple(keywords)
        self.misleading = tuple(misleading)
        #: (domain, language) → the domain's skos:prefLabel, for the evidence sentences.
        self.names = dict(names or {})
        self._keywords = _Index(self.keywords)
        self._misleading = _Index(self.misleading)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str, str]]) -> DomainRules:
        """From (domain notation, kind, text, language) rows; kind is "keyword"
        (skos:hiddenLabel), "misleading" (eg:misleadingLabel) or "name" (skos:prefLabel)."""
        keywords: list[Keyword] = []
        misleading: list[Keyword] = []
        names: dict[tuple[str, str], str] = {}
        for domain, kind, text, lang in sorted(set(rows)):
            if kind == "name":
                names[(domain, lang)] = text
            else:
                target = keywords if kind == "keyword" else misleading
                target.append(Keyword.read(domain, text, lang))
        return cls(keywords, misleading, names=names)

    @classmethod
    def from_graph(cls, graph: Graph) -> DomainRules:
        """The rules of a parsed domain scheme (``domains.ttl``, or an edited copy)."""
        rows: list[tuple[str, str, str, str]] = []
        for concept in graph.subjects(SKOS.inScheme, URIRef(_SCHEME)):
            notation = graph.value(concept, SKOS.notation)
            if notation is None:
                continue
            for prop, kind in _KINDS.items():
                for label in graph.objects(concept, URIRef(prop)):
                    if isinstance(label, Literal):
                        rows.append((str(notation), kind, str(label), label.language or ""))
        return cls.from_rows(rows)

    @classmethod
    def from_file(cls, path: Path) -> DomainRules:
        """The rules of a scheme file in Turtle."""
        return cls.from_graph(Graph().parse(path, format="turtle"))

    @classmethod
    def shipped(cls) -> DomainRules:
        """The rules of the scheme shipped with ecograph (what ``ecograph init`` loads)."""
        return _shipped_rules()

    @classmethod
    def from_store(cls, store: Store) -> DomainRules:
        """The rules of the store's ontology graph: the scheme the workspace loaded, so an
        edited scheme (reloaded by ``ecograph init``) is the one imports use. A store that
        holds no domain scheme (a bare store, a remote server nobody initialised) gets the
        shipped rules."""
        graph = ox.NamedNode(graph_iri(store.base_iri, "ontology"))
        rows = store.select_values(_RULES_QUERY, {"graph": graph})
        if not rows:
            return cls.shipped()
        return cls.from_rows(
            (notation, _KINDS[prop], text, lang) for notation, prop, text, lang in rows
        )

    def name(self, domain: str, lang: str) -> str:
        """The domain's label in ``lang`` (its notation when the scheme has none)."""
        return self.names.get((domain, lang)) or domain

    def fingerprint(self) -> str:
        """A short digest of the rules, so an import made with other rules is another
        version of its source."""
        text = "\n".join(
            f"{kind}\t{k.domain}\t{k.text}\t{k.lang}"
            for kind, group in (("k", self.keywords), ("m", self.misleading))
            for k in group
        )
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    # ------------------------------------------------------------------ asking
    def find(self, text: str | None) -> dict[str, Keyword]:
        """Each domain the text speaks of → the first keyword that says so (longest first
        where several start at one word)."""
        if not text:
            return {}
        words = words_of(text)
        if not words:
            return {}
        blocked: dict[str, list[tuple[int, int]]] = {}
        for start, end, keyword in self._misleading.spans(words):
            blocked.setdefault(keyword.domain, []).append((start, end))
        found: dict[str, Keyword] = {}
        for start, end, keyword in self._keywords.spans(words):
            if keyword.domain in found:
                continue
            if any(s <= start and end <= e for s, e in blocked.get(keyword.domain, ())):
                continue
            found[keyword.domain] = keyword
        return found

    def evidence(
        self, texts: Mapping[str, str | None], *, via: str | None = None
    ) -> dict[str, Evidence]:
        """Each domain found in the texts (place → text, in the order given) → its evidence;
        a domain found in an earlier text keeps that reason."""
        found: dict[str, Evidence] = {}
        for place, text in texts.items():
            for domain, keyword in self.find(text).items():
                found.setdefault(domain, Evidence(domain, keyword, place, via))
        return found

    def grant_evidence(
        self, *, objet: str | None, nature: str | None, beneficiary: str | None
    ) -> dict[str, Evidence]:
        """A grant's domains: from its object and nature, or, when they give none, from its
        beneficiary's name (a grant to a retirement home is about ageing)."""
        found = self.evidence({"objet": objet, "nature": nature})
        return found or self.evidence({"nom du bénéficiaire": beneficiary})

    def __len__(self) -> int:
        return len(self.keywords)


@cache
def _shipped_rules() -> DomainRules:
    return DomainRules.from_file(ontology_path("schemes/domains.ttl"))


_RULES_QUERY = f"""
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?notation ?prop ?text ?lang WHERE {{
  VALUES ?graph {{ UNDEF }}
  GRAPH ?graph {{
    ?concept skos:inScheme <{_SCHEME}> ; skos:notation ?notation ;
      ?prop ?label .
    VALUES ?prop {{ skos:hiddenLabel <{EG.misleadingLabel}> skos:prefLabel }}
  }}
  BIND(STR(?label) AS ?text)
  BIND(LANG(?label) AS ?lang)
}}
"""
