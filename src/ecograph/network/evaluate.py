"""How good are the suggestions? Hide known ties, rank, see how many come back.

Some observed ties are hidden; every method scores the untied pairs of what is left; a good
method ranks the hidden ties near the top. Two splits decide which ties are hidden:

* **random** (:func:`evaluate`): a seeded share of the ties. Averaged over several seeds
  (:func:`compare`), since one split of a thousand ties is a noisy test.
* **temporal** (:func:`evaluate_temporal`): the ties that started in or after a year, learning
  from those that started before it. A random split lets a method learn from ties made after
  the ones it must find; on dated data the temporal split is the honest test.

Two numbers per method:

* **AUC** — the chance that a hidden tie scores higher than a pair that is truly untied
  (0.5 = guessing, 1 = perfect); ties between scores count half.
* **precision@k** — the share of hidden ties among the k best-ranked pairs. Pairs with equal
  scores have no order, so when a block of equal scores straddles the k-th place each of its
  pairs counts for the share of the block that fits above the cut-off: the expected precision
  of a uniformly random order of the block. Every method is treated the same, whatever the
  order of the candidates. Scores are compared on 12 significant digits, so the rounding noise
  of a floating-point sum does not break a tie either.

ecograph's score (:mod:`ecograph.network.linkpred`) is refitted on the reduced graph, so it
never sees the hidden ties. It is compared on the same split with networkx's plain
``resource_allocation_index``, ``adamic_adar_index`` and ``jaccard_coefficient``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import scipy.stats

from ecograph.gcpause import collector_paused
from ecograph.network.linkpred import GraphIndex, fit, random_non_edges

ALL_PAIRS_LIMIT = 2_000_000  # above this many untied pairs, score a seeded sample of them
SAMPLED_NON_EDGES = 500_000

#: Cut-offs of precision@k.
KS = (10, 50, 100)

#: Splits averaged by default. One split is a noisy test; on the sample every run of 15 or more
#: consecutive seeds ranks the methods on every column as 160 splits do, and 20 leaves a margin
#: (README, "Network analysis and partnership gaps").
DEFAULT_REPEATS = 20

Tie = tuple[Hashable, Hashable]


@dataclass(frozen=True)
class MethodScore:
    """One method's result on one split."""

    method: str
    auc: float
    precision_at: dict[int, float]


@dataclass(frozen=True)
class Evaluation:
    """All methods on one split.

    ``hidden_from`` is the year of a temporal split (``None`` for a random one), and
    ``undated`` the ties left out of it because none of their partnerships or projects has a
    start date: they can be placed neither before nor after the year.
    """

    hidden: int
    candidates: int
    seed: int
    hidden_share: float
    scores: list[MethodScore]
    hidden_from: int | None = None
    undated: int = 0


@dataclass(frozen=True)
class Spread:
    """A measure over several splits: mean, sample standard deviation, lowest and highest."""

    mean: float
    sd: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        """The spread of ``values`` (standard deviation 0 for a single value)."""
        array = np.asarray(values, dtype=float)
        sd = float(array.std(ddof=1)) if array.size > 1 else 0.0
        return cls(float(array.mean()), sd, float(array.min()), float(array.max()))


@dataclass(frozen=True)
class MethodSummary:
    """One method over every split of a comparison."""

    method: str
    auc: Spread
    precision_at: dict[int, Spread]


@dataclass(frozen=True)
class Comparison:
    """Every method over several splits: the splits themselves and, per method, the spread."""

    runs: tuple[Evaluation, ...]
    methods: tuple[MethodSummary, ...]

    @property
    def repeats(self) -> int:
        return len(self.runs)

    @property
    def ks(self) -> tuple[int, ...]:
        return tuple(sorted(self.methods[0].precision_at)) if self.methods else ()

    def rows(self) -> list[dict[str, Any]]:
        """One plain row per method (means and standard deviations), for tables and data
        frames: ``method``, ``auc``, ``auc_sd``, ``precision@k``, ``precision@k_sd``…"""
        rows = []
        for summary in self.methods:
            row: dict[str, Any] = {
                "method": summary.method,
                "auc": summary.auc.mean,
                "auc_sd": summary.auc.sd,
            }
            for k in self.ks:
                row[f"precision@{k}"] = summary.precision_at[k].mean
                row[f"precision@{k}_sd"] = summary.precision_at[k].sd
            rows.append(row)
        return rows


def summarise(runs: Sequence[Evaluation]) -> Comparison:
    """Mean and spread of each method's AUC and precision@k over ``runs`` (same methods and
    cut-offs in every run, as :func:`evaluate` gives)."""
    if not runs:
        raise ValueError("no split to summarise")
    methods = []
    for i, first in enumerate(runs[0].scores):
        scores = [run.scores[i] for run in runs]
        if any(score.method != first.method for score in scores):
            raise ValueError("the splits do not list the same methods in the same order")
        methods.append(
            MethodSummary(
                first.method,
                Spread.of([score.auc for score in scores]),
                {
                    k: Spread.of([score.precision_at[k] for score in scores])
                    for k in first.precision_at
                },
            )
        )
    return Comparison(tuple(runs), tuple(methods))


def compare(
    G: nx.Graph,
    *,
    repeats: int = DEFAULT_REPEATS,
    hidden_share: float = 0.1,
    seed: int = 0,
    ks: Iterable[int] = KS,
) -> Comparison:
    """Every method on ``repeats`` random splits (seeds ``seed``, ``seed + 1``…), summarised."""
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    ks = tuple(ks)
    return summarise(
        [evaluate(G, hidden_share=hidden_share, seed=seed + i, ks=ks) for i in range(repeats)]
    )


def compare_temporal(
    G: nx.Graph,
    starts: Mapping[Tie, dt.date | None],
    *,
    hidden_from: int,
    repeats: int = 1,
    seed: int = 0,
    ks: Iterable[int] = KS,
) -> Comparison:
    """Every method on the temporal split at ``hidden_from``, summarised.

    The hidden ties are the same in every repeat; only the seeded draws of the fit (and of the
    untied pairs, on a large graph) change, so the spread shows how much the score depends on
    them.
    """
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    ks = tuple(ks)
    return summarise(
        [
            evaluate_temporal(G, starts, hidden_from=hidden_from, seed=seed + i, ks=ks)
            for i in range(repeats)
        ]
    )


def tie_starts(G: nx.Graph, contexts: Mapping[str, Any]) -> dict[Tie, dt.date | None]:
    """When each tie of ``G`` started: the earliest start of the partnerships and projects it
    is made of (``None`` when none is dated). Keys are the tie's two actors in sorted order.

    ``contexts`` maps partnership/project IRIs to objects with a ``start`` date, as
    :attr:`~ecograph.network.projection.Projection.contexts` does.
    """
    starts: dict[Tie, dt.date | None] = {}
    for a, b, data in G.edges(data=True):
        made_of = [*data.get("partnerships", ()), *data.get("projects", ())]
        dates = [
            start
            for iri in made_of
            if iri in contexts and (start := getattr(contexts[iri], "start", None)) is not None
        ]
        starts[_tie(a, b)] = min(dates) if dates else None
    return starts


@collector_paused()
def evaluate(
    G: nx.Graph, *, hidden_share: float = 0.1, seed: int = 0, ks: Iterable[int] = KS
) -> Evaluation:
    """Hide ``hidden_share`` of the ties of ``G`` (seeded) and score every method."""
    if not 0 < hidden_share < 1:
        raise ValueError("hidden_share must be between 0 and 1")
    rng = np.random.default_rng(seed)
    edges = sorted(_tie(a, b) for a, b in G.edges())
    hidden_count = max(1, int(len(edges) * hidden_share))
    hidden_idx = set(rng.choice(len(edges), size=hidden_count, replace=False).tolist())
    hidden = [edges[i] for i in sorted(hidden_idx)]
    scores, candidates = _score_split(G, hidden, [], rng, seed, tuple(ks))
    return Evaluation(
        hidden=hidden_count,
        candidates=candidates,
        seed=seed,
        hidden_share=hidden_share,
        scores=scores,
    )


@collector_paused()
def evaluate_temporal(
    G: nx.Graph,
    starts: Mapping[Tie, dt.date | None],
    *,
    hidden_from: int,
    seed: int = 0,
    ks: Iterable[int] = KS,
) -> Evaluation:
    """Hide the ties that started in or after the year ``hidden_from`` and score every method
    learning from the ties that started before it.

    ``starts`` gives each tie's start (see :func:`tie_starts`); a tie missing from it or
    without a date is left out of both sides (not learnt from, not to be found, and not
    counted as an untied pair either).
    """
    split = temporal_split(G, starts, hidden_from)
    if not split.hidden:
        raise ValueError(f"no tie started in or after {hidden_from}: nothing to find")
    if not split.learned:
        raise ValueError(f"no tie started before {hidden_from}: nothing to learn from")
    hidden, undated = split.hidden, split.undated
    rng = np.random.default_rng(seed)
    scores, candidates = _score_split(G, hidden, undated, rng, seed, tuple(ks))
    return Evaluation(
        hidden=len(hidden),
        candidates=candidates,
        seed=seed,
        hidden_share=len(hidden) / G.number_of_edges(),
        scores=scores,
        hidden_from=hidden_from,
        undated=len(undated),
    )


@dataclass(frozen=True)
class TemporalSplit:
    """The ties of a graph on either side of a year, each list sorted."""

    learned: list[Tie]  # started before the year
    hidden: list[Tie]  # started in or after it
    undated: list[Tie]  # no start date: on neither side


def temporal_split(
    G: nx.Graph, starts: Mapping[Tie, dt.date | None], hidden_from: int
) -> TemporalSplit:
    """Split the ties of ``G`` by the year their start date falls in (see :func:`tie_starts`):
    before ``hidden_from``, from it on, or unknown (missing from ``starts`` or ``None``)."""
    learned, hidden, undated = [], [], []
    for tie in sorted(_tie(a, b) for a, b in G.edges()):
        start = starts.get(tie)
        if start is None:
            undated.append(tie)
        elif start.year < hidden_from:
            learned.append(tie)
        else:
            hidden.append(tie)
    return TemporalSplit(learned, hidden, undated)


def _tie(a: Hashable, b: Hashable) -> Tie:
    first, second = sorted((a, b))  # type: ignore[type-var]
    return (first, second)


def _score_split(
    G: nx.Graph,
    hidden: list[Tie],
    left_out: list[Tie],
    rng: np.random.Generator,
    seed: int,
    ks: tuple[int, ...],
) -> tuple[list[MethodScore], int]:
    """Every method's scores on one split: learn from ``G`` without the ``hidden`` and
    ``left_out`` ties, rank the hidden ties against the pairs untied in ``G``."""
    training = G.copy()
    training.remove_edges_from(hidden)
    training.remove_edges_from(left_out)
    index = GraphIndex(training)
    position = index.index
    hidden_u = np.array([position[a] for a, _ in hidden], dtype=np.int64)
    hidden_v = np.array([position[b] for _, b in hidden], dtype=np.int64)
    negatives_u, negatives_v = _negatives(index, G, rng)
    u = np.concatenate([hidden_u, negatives_u])
    v = np.concatenate([hidden_v, negatives_v])
    truth = np.concatenate([np.ones(hidden_u.size), np.zeros(negatives_u.size)])

    model = fit(index, seed=seed)
    methods: dict[str, Callable[[], np.ndarray]] = {
        "ecograph": lambda: model.score(index.features(u, v)),
        "resource allocation (networkx)": lambda: _networkx_scores(
            nx.resource_allocation_index, training, index, u, v
        ),
        "Adamic–Adar (networkx)": lambda: _networkx_scores(
            nx.adamic_adar_index, training, index, u, v
        ),
        "Jaccard (networkx)": lambda: _networkx_scores(
            nx.jaccard_coefficient, training, index, u, v
        ),
    }
    scores = []
    for name, compute in methods.items():
        values = settle(compute())
        scores.append(
            MethodScore(name, auc(values, truth), {k: precision_at(values, truth, k) for k in ks})
        )
    return scores, int(u.size)


def _negatives(
    index: GraphIndex, full: nx.Graph, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs untied in the *full* graph: all of them when few enough, else a seeded sample."""
    n = len(index.nodes)
    full_index = {node: i for i, node in enumerate(index.nodes)}
    tied = {
        (min(full_index[a], full_index[b]), max(full_index[a], full_index[b]))
        for a, b in full.edges()
    }
    if n * (n - 1) // 2 - len(tied) <= ALL_PAIRS_LIMIT:
        u, v = np.triu_indices(n, k=1)
        keep = np.array([(a, b) not in tied for a, b in zip(u.tolist(), v.tolist(), strict=True)])
        return u[keep].astype(np.int64), v[keep].astype(np.int64)
    u, v = random_non_edges(index, SAMPLED_NON_EDGES, rng)
    keep = np.array([(a, b) not in tied for a, b in zip(u.tolist(), v.tolist(), strict=True)])
    return u[keep], v[keep]


def _networkx_scores(
    function: Callable[..., Iterable[tuple[object, object, float]]],
    graph: nx.Graph,
    index: GraphIndex,
    u: np.ndarray,
    v: np.ndarray,
) -> np.ndarray:
    nodes = index.nodes
    pairs = [(nodes[a], nodes[b]) for a, b in zip(u.tolist(), v.tolist(), strict=True)]
    return np.array([score for _, _, score in function(graph, pairs)], dtype=float)


#: Significant digits scores are compared on (see :func:`settle`).
SIGNIFICANT_DIGITS = 12


def settle(scores: np.ndarray) -> np.ndarray:
    """``scores`` rounded to :data:`SIGNIFICANT_DIGITS` significant digits.

    Equal sums added in another order differ in their last bits (networkx adds each pair's
    common partners in set order): without rounding, that noise would rank pairs that score
    the same, and the tie rule of :func:`precision_at` would not apply to them.
    """
    values = np.asarray(scores, dtype=float).copy()
    finite = np.isfinite(values) & (values != 0)
    exponent = np.floor(np.log10(np.abs(values[finite])))
    factor = 10.0 ** (SIGNIFICANT_DIGITS - 1 - exponent)
    values[finite] = np.round(values[finite] * factor) / factor
    return values


def auc(scores: np.ndarray, truth: np.ndarray) -> float:
    """Mann–Whitney AUC: the chance that a true tie (``truth`` 1) scores above an untied pair
    (``truth`` 0), equal scores counting half (average ranks)."""
    positives = truth == 1
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = scipy.stats.rankdata(scores)
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def precision_at(scores: np.ndarray, truth: np.ndarray, k: int) -> float:
    """Expected share of true ties (``truth`` 1) among the ``k`` best scores.

    Pairs scoring above the k-th best score count fully. The pairs scoring exactly the k-th
    best score form a block that may not fit whole: each of them counts for the share of the
    block that fits, ``(k - above) / len(block)``, which is the mean precision over every order
    of the block. So the order in which the candidates are listed never matters, and no method
    gains from ties. With fewer than ``k`` pairs, the share among all of them.
    """
    cut = min(k, scores.size)
    if cut <= 0:
        return float("nan")
    kth = np.partition(scores, scores.size - cut)[scores.size - cut]
    above = scores > kth
    block = scores == kth
    fits = cut - int(above.sum())
    found = float(truth[above].sum()) + fits * float(truth[block].sum()) / int(block.sum())
    return found / cut


__all__ = [
    "DEFAULT_REPEATS",
    "KS",
    "Comparison",
    "Evaluation",
    "MethodScore",
    "MethodSummary",
    "Spread",
    "TemporalSplit",
    "auc",
    "compare",
    "compare_temporal",
    "evaluate",
    "evaluate_temporal",
    "precision_at",
    "settle",
    "summarise",
    "temporal_split",
    "tie_starts",
]
