"""The N-Triples that say a domain was inferred, and why.

What a source states and what ecograph infers stay apart: an inferred domain is
``eg:inferredWorksOn`` (actors) or ``eg:inferredDomain`` (partnerships), never also
``eg:worksOn``/``eg:domain``, and each has an ``eg:DomainEvidence`` node naming the keyword
that fired, the text it was found in, the grant it came through, and a sentence in French and
English that ``fact-provenance`` shows. Subjects given a domain by the same keyword in the
same place share one such node per source. Decision record: docs/decisions/0001-data-model.md,
"Inferred domains".
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping

from ecograph.domain_rules import DomainRules, Evidence, Keyword
from ecograph.ingest.synonyms import concept_iri
from ecograph.namespaces import PREFIXES
from ecograph.rdfterms import nt_iri, nt_literal
from ecograph.vocab import EG

_T = {
    key: nt_iri(value)
    for key, value in {
        "type": PREFIXES["rdf"] + "type",
        "label": PREFIXES["rdfs"] + "label",
        "actor": str(EG.inferredWorksOn),
        "partnership": str(EG.inferredDomain),
        "evidence": str(EG.domainEvidence),
        "Evidence": str(EG.DomainEvidence),
        "for": str(EG.evidenceFor),
        "keyword": str(EG.matchedKeyword),
        "in": str(EG.matchedIn),
        "via": str(EG.viaPartnership),
    }.items()
}
LANGUAGES = ("fr", "en")


def evidence_iri(subject: str, source: str, domain: str) -> str:
    """The evidence of a domain an actor got through one grant (it names the grant, so it is
    the actor's own)."""
    return f"{subject}/domain-evidence/{source}/{domain}"


def reason_iri(base: str, source: str, evidence: Evidence) -> str:
    """The evidence every subject of one source shares when the same keyword (or code), in
    the same place, gave them the same domain: a register's hundred thousand associations
    have a few thousand reasons, each written once."""
    keyword = evidence.keyword
    key = "\x1f".join((evidence.domain, keyword.text, keyword.lang, evidence.place))
    return f"{base}domain-reason/{source}/{hashlib.sha1(key.encode()).hexdigest()[:16]}"


def inferred_lines(
    subject: str,
    found: Mapping[str, Evidence],
    *,
    kind: str,
    source: str,
    base: str,
    rules: DomainRules,
    written: set[str],
) -> list[str]:
    """The triples of each inferred domain of ``subject`` (``kind``: "actor" or
    "partnership"), in a stable order. A shared reason is described the first time it is
    met (``written`` holds those already written in this batch; a later batch writing one
    again is harmless, the store keeps each triple once)."""
    s = nt_iri(subject)
    lines: list[str] = []
    for domain, evidence in sorted(found.items()):
        concept, facts = _facts(rules, evidence.domain, evidence.keyword, evidence.place)
        if evidence.via:
            node = nt_iri(evidence_iri(subject, source, domain))
            lines += [f"{node} {fact} ." for fact in facts]
            lines.append(f"{node} {_T['via']} {nt_iri(evidence.via)} .")
        else:
            node = nt_iri(reason_iri(base, source, evidence))
            if node not in written:
                written.add(node)
                lines += [f"{node} {fact} ." for fact in facts]
        lines += [f"{s} {_T[kind]} {concept} .", f"{s} {_T['evidence']} {node} ."]
    return lines


@functools.lru_cache(maxsize=4096)
def _facts(
    rules: DomainRules, domain: str, keyword: Keyword, place: str
) -> tuple[str, tuple[str, ...]]:
    """The domain's N-Triples term and what an evidence of this keyword in this place says
    (predicate and object), built once."""
    concept = nt_iri(concept_iri("domain", domain))
    sentence = Evidence(domain, keyword, place)
    facts = (
        f"{_T['type']} {_T['Evidence']}",
        f"{_T['for']} {concept}",
        f"{_T['keyword']} {nt_literal(keyword.text, lang=keyword.lang or None)}",
        f"{_T['in']} {nt_literal(place)}",
        *(
            f"{_T['label']} "
            f"{nt_literal(sentence.sentence(rules.name(domain, lang), lang), lang=lang)}"
            for lang in LANGUAGES
        ),
    )
    return concept, facts
