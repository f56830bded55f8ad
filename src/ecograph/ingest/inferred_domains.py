"""The N-Triples that say a domain was inferred, and why.

What a source states and what ecograph infers stay apart: an inferred domain is
``eg:inferredWorksOn`` (actors) or ``eg:inferredDomain`` (partnerships), never also
``eg:worksOn``/``eg:domain``, and each has an ``eg:DomainEvidence`` node naming the keyword
that fired, the text it was found in, the grant it came through, and a sentence in French and
English that ``fact-provenance`` shows. Decision record: docs/decisions/0001-data-model.md,
"Inferred domains".
"""

from __future__ import annotations

import functools
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
    """Where the evidence of one inferred domain of a subject, by one source, lives."""
    return f"{subject}/domain-evidence/{source}/{domain}"


def inferred_lines(
    subject: str,
    found: Mapping[str, Evidence],
    *,
    kind: str,
    source: str,
    rules: DomainRules,
) -> list[str]:
    """The triples of each inferred domain of ``subject`` (``kind``: "actor" or
    "partnership"), in a stable order."""
    s = nt_iri(subject)
    lines: list[str] = []
    for domain, evidence in sorted(found.items()):
        concept, facts = _facts(rules, evidence.domain, evidence.keyword, evidence.place)
        node = nt_iri(evidence_iri(subject, source, domain))
        lines += [f"{s} {_T[kind]} {concept} .", f"{s} {_T['evidence']} {node} ."]
        lines += [f"{node} {fact} ." for fact in facts]
        if evidence.via:
            lines.append(f"{node} {_T['via']} {nt_iri(evidence.via)} .")
    return lines


@functools.lru_cache(maxsize=4096)
def _facts(
    rules: DomainRules, domain: str, keyword: Keyword, place: str
) -> tuple[str, tuple[str, ...]]:
    """The domain's N-Triples term and what every evidence of this keyword in this place
    says (predicate and object): the same for every subject, so written once. A national
    register gives a hundred thousand actors a handful of distinct reasons."""
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
