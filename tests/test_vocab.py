"""The generated vocabulary: current with the ontology, and strict."""

from __future__ import annotations

import pytest

from ecograph import vocab
from ecograph.vocab_build import render_vocab, vocab_path


def test_vocab_is_up_to_date() -> None:
    """Fails when the ontology changed without `python -m ecograph.vocab_build`."""
    assert vocab_path().read_text(encoding="utf-8") == render_vocab(), (
        "src/ecograph/vocab.py is out of date: run `python -m ecograph.vocab_build`"
    )


def test_misspelt_terms_fail() -> None:
    assert str(vocab.EG.Actor) == "https://w3id.org/ecograph/ontology#Actor"
    with pytest.raises(AttributeError):
        _ = vocab.EG.Actr
    with pytest.raises(AttributeError):
        _ = vocab.DOMAIN.heath


def test_every_scheme_namespace_has_terms() -> None:
    assert len(vocab.DOMAIN.__annotations__) >= 13
    assert set(vocab.SECTOR.__annotations__) == {
        "public",
        "privateForProfit",
        "ess",
        "civilSociety",
        "academic",
    }
    assert "CollectiviteDOutreMer" in vocab.IGEO.__annotations__
