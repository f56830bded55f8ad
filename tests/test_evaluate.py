"""Evaluation of the link scores: the tie rule of precision@k, the temporal split, the averaging
over splits; hand-checked on graphs small enough to score by hand."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import networkx as nx
import numpy as np
import pytest

from ecograph.network.evaluate import (
    Evaluation,
    MethodScore,
    auc,
    compare,
    evaluate,
    evaluate_temporal,
    precision_at,
    settle,
    summarise,
    temporal_split,
    tie_starts,
)

OLD, NEW = dt.date(2020, 5, 1), dt.date(2024, 1, 1)


def _star() -> tuple[nx.Graph, dict[tuple[str, str], dt.date | None]]:
    """a tied to b, c, d since 2020; b–c tied in 2024; e alone.

    Learning from the 2020 star, resource allocation scores b–c, b–d and c–d 1/3 each (one
    common partner, a, of degree 3) and every pair with e 0: the hidden b–c sits in a block of
    three equal scores, two of them untied pairs.
    """
    G = nx.Graph()
    for node in "abcde":
        G.add_node(node, sector="ess", epci="A", departement="44", domains="housing")
    starts: dict[tuple[str, str], dt.date | None] = {
        ("a", "b"): OLD,
        ("a", "c"): OLD,
        ("a", "d"): OLD,
        ("b", "c"): NEW,
    }
    G.add_edges_from(starts)
    return G, starts


def _scores(evaluation: Evaluation) -> dict[str, MethodScore]:
    return {score.method: score for score in evaluation.scores}


def test_precision_counts_a_tied_block_at_the_cut_off_fractionally() -> None:
    scores = np.array([3.0, 2.0, 2.0, 2.0, 2.0, 1.0])
    truth = np.array([0, 0, 0, 1, 1, 1])
    # k=3: 3.0 is in (not a tie); two of the four 2.0s fit, and half the block are ties,
    # though the first two listed are not
    assert precision_at(scores, truth, 3) == pytest.approx((0 + 2 * 2 / 4) / 3)
    assert precision_at(scores, truth, 5) == pytest.approx(2 / 5)  # the block fits whole
    assert precision_at(scores, truth, 6) == pytest.approx(3 / 6)
    assert precision_at(scores, truth, 60) == pytest.approx(3 / 6)  # fewer pairs than k


def test_precision_does_not_depend_on_the_order_of_the_candidates() -> None:
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 4, size=200).astype(float)  # many equal scores
    truth = (rng.random(200) < 0.2).astype(float)
    for k in (1, 10, 50, 137):
        expected = precision_at(scores, truth, k)
        for _ in range(5):
            order = rng.permutation(200)
            assert precision_at(scores[order], truth[order], k) == pytest.approx(expected)


def test_scores_equal_but_for_the_order_of_a_sum_tie() -> None:
    one, other = (0.1 + 0.2) + 0.3, (0.3 + 0.2) + 0.1
    assert one != other  # the same three terms, added in another order
    scores = settle(np.array([one, other, 0.5, 0.0, -2.5e-7, np.inf]))
    assert scores[0] == scores[1]
    assert scores[2:].tolist() == [0.5, 0.0, -2.5e-7, np.inf]
    assert settle(np.array([1.0, 1.0 + 1e-9]))[0] != settle(np.array([1.0, 1.0 + 1e-9]))[1]
    truth = np.array([1, 0])
    assert precision_at(settle(np.array([one, other])), truth, 1) == 0.5


def test_auc_by_hand() -> None:
    scores = np.array([0.9, 0.8, 0.1, 0.8])
    truth = np.array([1, 0, 0, 1])
    # positive pairs: (0.9 > 0.8, 0.9 > 0.1), (0.8 = 0.8 → ½, 0.8 > 0.1) → 3.5 / 4
    assert auc(scores, truth) == pytest.approx(3.5 / 4)


def test_tie_starts_take_the_earliest_dated_context() -> None:
    G = nx.Graph()
    G.add_edge("x", "y", partnerships=["p1", "p2"], projects=["j1"])
    G.add_edge("y", "z", partnerships=["p3"], projects=[])
    contexts = {
        "p1": SimpleNamespace(start=dt.date(2021, 3, 1)),
        "p2": SimpleNamespace(start=None),
        "j1": SimpleNamespace(start=dt.date(2019, 7, 1)),
        "p3": SimpleNamespace(start=None),
    }
    assert tie_starts(G, contexts) == {("x", "y"): dt.date(2019, 7, 1), ("y", "z"): None}


def test_temporal_split_hides_the_ties_from_the_year_on() -> None:
    G, starts = _star()
    G.add_edge("d", "e")  # undated
    starts[("c", "d")] = dt.date(2023, 12, 31)
    G.add_edge("c", "d")
    split = temporal_split(G, starts, 2024)
    assert split.hidden == [("b", "c")]
    assert split.learned == [("a", "b"), ("a", "c"), ("a", "d"), ("c", "d")]
    assert split.undated == [("d", "e")]


def test_temporal_evaluation_learns_from_the_earlier_ties_only() -> None:
    G, starts = _star()
    evaluation = evaluate_temporal(G, starts, hidden_from=2024, ks=(1, 2, 3, 5))
    assert (evaluation.hidden, evaluation.hidden_from, evaluation.undated) == (1, 2024, 0)
    assert evaluation.candidates == 1 + 6  # b–c against the six pairs never tied
    ra = _scores(evaluation)["resource allocation (networkx)"]
    # b–c ties with b–d and c–d at 1/3, above the four pairs with e (0): AUC (1 + 4) / 6
    assert ra.auc == pytest.approx(5 / 6)
    # one hidden tie in the top block of three, whatever the cut-off inside it
    assert ra.precision_at == pytest.approx({1: 1 / 3, 2: 1 / 3, 3: 1 / 3, 5: 1 / 5})
    # had b–c been learnt from, Jaccard would put b–d and c–d (1/2) above b–c (1/3)
    assert _scores(evaluation)["Jaccard (networkx)"].precision_at[1] == pytest.approx(1 / 3)


def test_temporal_evaluation_refuses_an_empty_side() -> None:
    G, starts = _star()
    with pytest.raises(ValueError, match="nothing to find"):
        evaluate_temporal(G, starts, hidden_from=2030)
    with pytest.raises(ValueError, match="nothing to learn from"):
        evaluate_temporal(G, starts, hidden_from=2000)


def test_summarise_gives_mean_and_spread_per_method() -> None:
    runs = [
        Evaluation(10, 100, seed, 0.1, [MethodScore("m", a, {5: p}), MethodScore("n", 0.5, {5: 0})])
        for seed, (a, p) in enumerate([(0.6, 0.2), (0.8, 0.4), (0.7, 0.9)])
    ]
    result = summarise(runs)
    assert result.repeats == 3 and result.ks == (5,)
    m, n = result.methods
    assert (m.method, n.method) == ("m", "n")
    assert m.auc.mean == pytest.approx(0.7) and m.auc.sd == pytest.approx(0.1)
    assert (m.auc.low, m.auc.high) == (0.6, 0.8)
    assert m.precision_at[5].mean == pytest.approx(0.5)
    assert n.auc.sd == 0.0
    assert result.rows()[0] == pytest.approx(
        {
            "method": "m",
            "auc": 0.7,
            "auc_sd": 0.1,
            "precision@5": 0.5,
            "precision@5_sd": np.std([0.2, 0.4, 0.9], ddof=1),
        }
    )


def test_summarise_refuses_splits_of_other_methods() -> None:
    first = Evaluation(1, 2, 0, 0.1, [MethodScore("m", 0.5, {})])
    other = Evaluation(1, 2, 1, 0.1, [MethodScore("n", 0.5, {})])
    with pytest.raises(ValueError):
        summarise([first, other])
    with pytest.raises(ValueError):
        summarise([])


def test_compare_averages_the_seeded_splits() -> None:
    G = nx.gnm_random_graph(40, 120, seed=3)
    for node in G:
        G.nodes[node].update(sector="ess", epci="A", departement="44", domains="housing")
    result = compare(G, repeats=3, seed=5, ks=(10,))
    assert [run.seed for run in result.runs] == [5, 6, 7]
    assert result.runs[1] == evaluate(G, seed=6, ks=(10,))
    for i, method in enumerate(result.methods):
        aucs = [run.scores[i].auc for run in result.runs]
        assert method.auc.mean == pytest.approx(np.mean(aucs))
        assert method.auc.sd == pytest.approx(np.std(aucs, ddof=1))
    with pytest.raises(ValueError):
        compare(G, repeats=0)
