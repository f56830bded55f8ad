"""The words people write land on concepts the schemes define, and nowhere else."""

from __future__ import annotations

import pytest

from ecograph import vocab
from ecograph.ingest.synonyms import SCHEMES, SYNONYMS, concept_iri, concepts, lookup

#: The generated vocabulary of each field's scheme, spelt out here rather than read from the
#: module under test.
VOCABULARY = {
    "type": vocab.ACTOR_TYPE,
    "sector": vocab.SECTOR,
    "domain": vocab.DOMAIN,
    "partnership_type": vocab.PARTNERSHIP_TYPE,
    "status": vocab.PROJECT_STATUS,
}


@pytest.mark.parametrize("field", sorted(SYNONYMS))
def test_every_synonym_names_a_concept_of_its_scheme(field: str) -> None:
    """A misspelt target in ``SYNONYMS`` would otherwise be accepted as a concept."""
    unknown = {
        word: local
        for word, local in SYNONYMS[field].items()
        if local not in VOCABULARY[field].__annotations__
    }
    assert unknown == {}


@pytest.mark.parametrize("field", sorted(SCHEMES))
def test_the_accepted_concepts_are_those_of_the_scheme(field: str) -> None:
    assert set(concepts(field)) == set(VOCABULARY[field].__annotations__)


@pytest.mark.parametrize(
    ("field", "word", "expected"),
    [
        ("type", "Asso", vocab.ACTOR_TYPE.association),
        ("type", "collectivité territoriale", vocab.ACTOR_TYPE.localAuthority),
        ("partnership_type", "Mécénat", vocab.PARTNERSHIP_TYPE.inKind),
        ("status", "en cours", vocab.PROJECT_STATUS.ongoing),
    ],
)
def test_a_word_becomes_the_iri_of_its_concept(field: str, word: str, expected: str) -> None:
    local = lookup(field, word)
    assert local is not None
    assert concept_iri(field, local) == str(expected)


@pytest.mark.parametrize(
    ("field", "local"),
    [("partnership_type", "fundng"), ("type", "Association"), ("sector", ""), ("domain", "_NS")],
)
def test_a_concept_the_scheme_lacks_is_refused(field: str, local: str) -> None:
    with pytest.raises(ValueError, match="is not a concept of the"):
        concept_iri(field, local)
