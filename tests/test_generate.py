"""The seeded generator and the built-in sample's promised structure."""

from __future__ import annotations

import hashlib
from collections import Counter

import pyoxigraph as ox
import pytest

from ecograph.namespaces import DEFAULT_BASE_IRI
from ecograph.sample import SAMPLE, ecosystem_lines
from ecograph.sample.generate import NEVER_MEET, NO_PUBLIC_PARTNER_DOMAINS, EcosystemSpec


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_same_seed_same_ecosystem_other_seed_other() -> None:
    spec = EcosystemSpec(actors=300, seed=5)
    first = ecosystem_lines(spec, DEFAULT_BASE_IRI)
    assert _digest(first) == _digest(ecosystem_lines(spec, DEFAULT_BASE_IRI))
    other = ecosystem_lines(EcosystemSpec(actors=300, seed=6), DEFAULT_BASE_IRI)
    assert _digest(first) != _digest(other)


def test_determinism_across_processes() -> None:
    """Hash seeds differ per process: output must not depend on set or dict-of-set order."""
    import subprocess
    import sys

    code = (
        "import hashlib; from ecograph.sample import ecosystem_lines; "
        "from ecograph.sample.generate import EcosystemSpec; "
        "print(hashlib.sha256('\\n'.join(ecosystem_lines(EcosystemSpec(200, 3), "
        "'https://e.org/')).encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": str(seed), **_env()},
        ).stdout
        for seed in (1, 2)
    }
    assert len(digests) == 1


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}


def test_generated_text_is_valid_ntriples() -> None:
    lines = ecosystem_lines(EcosystemSpec(actors=200, seed=1), DEFAULT_BASE_IRI)
    triples = list(ox.parse(("\n".join(lines) + "\n").encode(), ox.RdfFormat.N_TRIPLES))
    assert len(triples) == len(lines)


def test_sizes_follow_the_spec() -> None:
    spec = EcosystemSpec(actors=800, seed=2, projects=150, partnerships=1500)
    lines = ecosystem_lines(spec, DEFAULT_BASE_IRI)
    types = Counter(line.split()[2] for line in lines if "#type>" in line.split()[1])
    eg = "https://w3id.org/ecograph/ontology#"
    assert types[f"<{eg}Partnership>"] == 1500
    assert types[f"<{eg}Project>"] == 150
    assert types[f"<{eg}Actor>"] >= 800  # plus the real authorities that take part


def test_unknown_territory_is_refused() -> None:
    with pytest.raises(ValueError, match=r"no département has the code .999."):
        ecosystem_lines(EcosystemSpec(actors=10, seed=1, territory="999"), DEFAULT_BASE_IRI)


# ---------------------------------------------------------------------- the sample's shape
def test_sample_size(sample_store) -> None:
    row = sample_store.select("""
        SELECT (COUNT(DISTINCT ?a) AS ?actors) (COUNT(DISTINCT ?p) AS ?projects)
               (COUNT(DISTINCT ?t) AS ?ties) (COUNT(DISTINCT ?type) AS ?types)
               (COUNT(DISTINCT ?sector) AS ?sectors) WHERE {
          { ?a a eg:Actor ; eg:actorType ?type ; eg:sector ?sector }
          UNION { ?p a eg:Project } UNION { ?t a eg:Partnership } }""")[0]
    assert 400 <= int(row["actors"].value) <= 600
    assert int(row["projects"].value) == SAMPLE.project_count
    assert int(row["ties"].value) == SAMPLE.partnership_count
    assert int(row["sectors"].value) == 5
    assert int(row["types"].value) >= 14  # every fictional type + 4 authority types


def test_sample_sectors_that_never_meet(sample_store) -> None:
    rows = sample_store.select("""
        SELECT ?s1 ?s2 (COUNT(DISTINCT ?t) AS ?n) WHERE {
          ?t eg:partner ?a, ?b . ?a eg:sector ?s1 . ?b eg:sector ?s2 .
          FILTER(STR(?s1) < STR(?s2)) } GROUP BY ?s1 ?s2""")
    met = {
        frozenset((r["s1"].value.rsplit("/", 1)[1], r["s2"].value.rsplit("/", 1)[1])) for r in rows
    }
    assert NEVER_MEET not in met
    assert len(met) >= 8  # every other pair of the five sectors does meet


def test_sample_domains_without_public_partner(sample_store) -> None:
    rows = sample_store.select("""
        SELECT DISTINCT ?domain WHERE {
          ?t eg:domain ?domain ; eg:partner ?a . ?a eg:sector egsec:public . }""")
    with_public = {r["domain"].value.rsplit("/", 1)[1] for r in rows}
    assert with_public.isdisjoint(NO_PUBLIC_PARTNER_DOMAINS)
    assert len(with_public) >= 10


def test_sample_has_isolated_actors_and_brokers(sample_store) -> None:
    degrees = {
        r["a"].value: int(r["n"].value)
        for r in sample_store.select("""
            SELECT ?a (COUNT(DISTINCT ?t) AS ?n) WHERE {
              ?a a eg:Actor . OPTIONAL { ?t eg:partner ?a } } GROUP BY ?a""")
    }
    assert sum(n == 0 for n in degrees.values()) >= 10
    assert max(degrees.values()) >= 5 * (sum(degrees.values()) / len(degrees))


def test_sample_ties_cluster_by_epci(sample_store) -> None:
    row = sample_store.select("""
        SELECT (COUNT(DISTINCT ?t) AS ?all) (COUNT(DISTINCT ?same) AS ?local) WHERE {
          ?t eg:partner ?a, ?b . FILTER(STR(?a) < STR(?b))
          ?a eg:basedIn/eg:within ?e . ?e a igeo:Intercommunalite .
          ?b eg:basedIn/eg:within ?f . ?f a igeo:Intercommunalite .
          BIND(IF(?e = ?f, ?t, ?unbound) AS ?same) }""")[0]
    assert int(row["local"].value) / int(row["all"].value) > 0.4
