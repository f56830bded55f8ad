"""How well the keyword rules of the domain scheme say the domains of real grants.

The measure is against grants labelled by hand (``data/domains/grants-labelled.csv``: real
rows of two départements' published SCDL files, see its PROVENANCE.md). The sample is split
into two halves by beneficiary: the rules are written looking at "tune" only, and the figures
that count are those of "test", which the rules' author never reads. Grants the labeller
could not judge ("unknown") are set aside and counted.

For each domain: precision (of the grants the rules give the domain, the share the labeller
gave it too) and recall (of the grants labelled with the domain, the share the rules find).
Coverage is the share of grants, and of euros, the rules give at least one domain; on a
stratified sample it is not the coverage of a whole file, which
:func:`file_coverage` measures on the published files themselves.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ecograph.domain_rules import DomainRules, Evidence
from ecograph.ingest.places import authority_named, commune_named
from ecograph.resources import data_path

#: The domains whose precision the project commits to (issue: ≥ 0.9 each).
KEY_DOMAINS = ("health", "housing", "ageing", "poverty", "employment")
HALVES = ("tune", "test")


def labelled_grants_path() -> Path:
    """The labelled sample shipped with ecograph."""
    return data_path("domains/grants-labelled.csv")


@dataclass(frozen=True)
class Sample:
    """A labelled sample the rules are measured on, and the part of it that counts."""

    name: str
    short: str
    file: str
    half: str


#: Every labelled sample and the part of it the rules were never written against, in the
#: order they were drawn (data/domains/PROVENANCE.md says how each was drawn and labelled).
MEASURED_SAMPLES = (
    Sample(
        "Loire-Atlantique and Maine-et-Loire, test half",
        "44+49 test",
        "grants-labelled.csv",
        "test",
    ),
    Sample("their audit", "44 audit", "grants-audit.csv", "audit"),
    Sample("Vendée, test half", "85 test", "grants-vendee.csv", "test"),
    Sample("Montpellier, audit", "Montpellier", "grants-audit-montpellier.csv", "audit"),
    Sample("the State's parliamentary reserve", "reserve", "grants-audit-reserve.csv", "audit"),
)


def measured(rules: DomainRules, domains: Sequence[str]) -> list[tuple[Sample, Evaluation]]:
    """The rules on the measured part of every shipped sample."""
    return [
        (
            sample,
            evaluate(
                rules,
                read_labelled(data_path(f"domains/{sample.file}")),
                half=sample.half,
                domains=domains,
            ),
        )
        for sample in MEASURED_SAMPLES
    ]


def vendee_grants_path() -> Path:
    """The labelled grants of a third département, the Vendée, whose files the rules were not
    first written on (its PROVENANCE.md says how they were drawn, labelled and split)."""
    return data_path("domains/grants-vendee.csv")


@dataclass(frozen=True)
class LabelledGrant:
    """One real grant and what the labeller said it funds: ``domains`` is empty for
    "none", None for "unknown"."""

    id: str
    half: str
    file: str
    beneficiary: str
    objet: str
    nature: str
    amount: Decimal
    domains: frozenset[str] | None


def read_labelled(path: Path | None = None) -> list[LabelledGrant]:
    """The labelled grants (default: the shipped sample)."""
    with (path or labelled_grants_path()).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    grants: list[LabelledGrant] = []
    for row in rows:
        label = row["domains"].strip()
        domains: frozenset[str] | None
        if label == "unknown":
            domains = None
        elif label == "none":
            domains = frozenset()
        else:
            domains = frozenset(d.strip() for d in label.split(";") if d.strip())
        amount = _amount(row["amount"])
        grants.append(
            LabelledGrant(
                row["id"],
                row["half"],
                row["file"],
                row["beneficiary"],
                row["objet"],
                row["nature"],
                amount,
                domains,
            )
        )
    return grants


def _amount(text: str) -> Decimal:
    """A published amount read as the importer reads it (``values.parse_amount``); none, or
    one it cannot read, counts as 0 € here (the import keeps such a grant without one)."""
    from ecograph.ingest.values import ValueProblem, parse_amount

    try:
        return parse_amount(text) or Decimal(0)
    except ValueProblem:
        return Decimal(0)


@dataclass
class DomainScore:
    """One domain's counts on one half."""

    domain: str
    labelled: int = 0
    given: int = 0
    right: int = 0

    @property
    def precision(self) -> float | None:
        return self.right / self.given if self.given else None

    @property
    def recall(self) -> float | None:
        return self.right / self.labelled if self.labelled else None


@dataclass
class Evaluation:
    """The rules measured on one half of the labelled sample."""

    half: str
    judged: int = 0
    unknown: int = 0
    covered: int = 0
    euros: Decimal = Decimal(0)
    euros_covered: Decimal = Decimal(0)
    #: Euros of the grants the labeller gave a domain, and of those the rules gave one too:
    #: coverage where there is something to find (a grant to a tourism board has none).
    euros_in_scope: Decimal = Decimal(0)
    euros_in_scope_covered: Decimal = Decimal(0)
    scores: dict[str, DomainScore] = field(default_factory=dict)
    #: (grant, domains the rules gave, keyword per domain) where they disagree with the label.
    mistakes: list[tuple[LabelledGrant, frozenset[str]]] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        return self.covered / self.judged if self.judged else 0.0

    @property
    def euro_coverage(self) -> float:
        return float(self.euros_covered / self.euros) if self.euros else 0.0

    @property
    def in_scope_euro_coverage(self) -> float:
        if not self.euros_in_scope:
            return 0.0
        return float(self.euros_in_scope_covered / self.euros_in_scope)


def predicted(rules: DomainRules, grant: LabelledGrant) -> frozenset[str]:
    """The domains the rules give a labelled grant, as an import would."""
    return frozenset(_classified(rules, grant.objet, grant.nature, grant.beneficiary))


def _classified(
    rules: DomainRules, objet: str | None, nature: str | None, beneficiary: str | None
) -> dict[str, Evidence]:
    """A grant's domains as the import gives them: a beneficiary it recognises as a local
    authority by its name is not classified by that name (a place: «NEUILLY-L'HOPITAL»)."""
    if beneficiary and (authority_named(beneficiary) or commune_named(beneficiary)):
        beneficiary = None
    return rules.grant_evidence(
        objet=objet or None, nature=nature or None, beneficiary=beneficiary or None
    )


def evaluate(
    rules: DomainRules, grants: Iterable[LabelledGrant], *, half: str, domains: Sequence[str]
) -> Evaluation:
    """Precision, recall and coverage of the rules on one half (``"all"``: both)."""
    result = Evaluation(half, scores={d: DomainScore(d) for d in domains})
    for grant in grants:
        if half != "all" and grant.half != half:
            continue
        if grant.domains is None:
            result.unknown += 1
            continue
        given = predicted(rules, grant)
        result.judged += 1
        result.euros += grant.amount
        if given:
            result.covered += 1
            result.euros_covered += grant.amount
        if grant.domains:
            result.euros_in_scope += grant.amount
            result.euros_in_scope_covered += grant.amount if given else 0
        for domain in given | grant.domains:
            score = result.scores.setdefault(domain, DomainScore(domain))
            score.labelled += domain in grant.domains
            score.given += domain in given
            score.right += domain in given and domain in grant.domains
        if given != grant.domains:
            result.mistakes.append((grant, given))
    return result


@dataclass
class FileCoverage:
    """How much of one published grant file the rules give a domain."""

    file: str
    grants: int = 0
    covered: int = 0
    euros: Decimal = Decimal(0)
    euros_covered: Decimal = Decimal(0)
    by_domain: dict[str, Decimal] = field(default_factory=dict)


def file_coverage(rules: DomainRules, path: Path) -> FileCoverage:
    """Coverage of a whole grant file, read as the importer reads it (an SCDL header in any
    of the schema's spellings, or a list's; rows split by unquoted commas repaired; a list's
    total rows left out): every row is one grant, its amount as published (a list's amount
    columns of money given, added); a row the import would refuse is left out."""
    from ecograph.ingest.readers import read_table
    from ecograph.ingest.scdl import repaired_grant_rows

    positions, table = repaired_grant_rows(read_table(path))
    result = FileCoverage(path.name)

    def cell(row: list[str], name: str) -> str | None:
        position = positions.get(name)
        if position is None or position >= len(row):
            return None
        return row[position].strip() or None

    amount_fields = [name for name in positions if name == "montant" or name.startswith("amount:")]
    for _, row in table.rows:
        amount = sum((_amount(cell(row, name) or "") for name in amount_fields), Decimal(0))
        found = _classified(
            rules, cell(row, "objet"), cell(row, "nature"), cell(row, "nomBeneficiaire")
        )
        result.grants += 1
        result.euros += amount
        if found:
            result.covered += 1
            result.euros_covered += amount
        for domain in found:
            result.by_domain[domain] = result.by_domain.get(domain, Decimal(0)) + amount
    return result
