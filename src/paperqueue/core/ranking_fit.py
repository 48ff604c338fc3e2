"""Fitting the For-you model (:mod:`paperqueue.core.ranking`): one linear model
per interest.

A person usually follows a few unrelated interests, and stars them unevenly.
One linear model over all the stars lets the main interest dominate: papers
that only touch the main interest outrank papers squarely in a minor one.
So the positives are grouped into interests (papers linked by a cosine
similarity over :data:`LINK` in the "more like this" vectors, joined
transitively; groups of at least :data:`MIN_GROUP` papers, the
:data:`MAX_GROUPS` largest), and besides the model over all the positives,
each group gets its own model against the same negatives.  Every model's
scores are standardised over the whole index (mean 0, standard deviation 1),
and a paper's score is its best standardised score: the top of each interest
reaches the top of the list.

Each model is a linear SVM (scikit-learn's ``LinearSVC``, as in arxiv-sanity)
with strong regularisation (:data:`C`); the few positives weigh as much as all
the negatives together.  Negatives are the read/removed papers plus a sample
of the unlabelled ones (:data:`UNLABELLED_SAMPLE`): most papers in a feed are
not what a person is after.  The choices were measured in
``benchmarks/eval_ranking.py``; the numbers are in the README.

scikit-learn and NumPy are imported inside the functions, never at start-up.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

__all__ = ["C", "LINK", "MAX_GROUPS", "MIN_GROUP", "UNLABELLED_SAMPLE", "Fitted", "fit"]

C = 0.02  # inverse regularisation strength of each SVM
LINK = 0.2  # cosine similarity above which two positives share an interest
MIN_GROUP = 2  # a lone star (perhaps a mistake) gets no model of its own
MAX_GROUPS = 8  # bounds the training time: at most 1 + 8 fits
UNLABELLED_SAMPLE = 2000  # unlabelled papers used as weak negatives
UNLABELLED_WEIGHT = 1.0
_SEED = 12


@dataclass(frozen=True)
class Fitted:
    """``k`` linear models over the index's terms: ``weights`` (k x terms),
    ``bias``, and the mean and standard deviation of each model's raw scores
    over the whole index (to standardise them)."""

    weights: Any  # numpy float64 array, k x terms
    bias: Any  # k
    mean: Any  # k
    std: Any  # k

    def standard(self, matrix: Any) -> Any:
        """The standardised scores of every row of ``matrix`` under every model (rows x k)."""
        raw = matrix @ self.weights.T
        return (raw + self.bias - self.mean) / self.std


def groups(matrix: Any, pos: list[int]) -> list[list[int]]:
    """The positives' rows grouped by interest, largest group first, at most
    :data:`MAX_GROUPS` of at least :data:`MIN_GROUP` rows (ties: lowest row first)."""
    if len(pos) < 2 * MIN_GROUP:
        return []
    sims = (matrix[pos] @ matrix[pos].T).toarray()
    parent = list(range(len(pos)))

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in zip(*(sims > LINK).nonzero()):
        if a < b:
            parent[root(int(a))] = root(int(b))
    found: dict[int, list[int]] = {}
    for i, row in enumerate(pos):
        found.setdefault(root(i), []).append(row)
    kept = [sorted(g) for g in found.values() if len(g) >= MIN_GROUP]
    kept.sort(key=lambda g: (-len(g), g[0]))
    return kept[:MAX_GROUPS]


def _svm(matrix: Any, pos: list[int], negatives: list[int], weak: list[int]) -> tuple[Any, float]:
    import numpy as np
    from sklearn.svm import LinearSVC

    x = matrix[pos + negatives + weak]
    y = np.array([1] * len(pos) + [0] * (len(negatives) + len(weak)))
    weight = np.array([1.0] * (len(pos) + len(negatives)) + [UNLABELLED_WEIGHT] * len(weak))
    # Balanced classes: the few positives count as much as all the negatives.
    weight[: len(pos)] *= weight[len(pos):].sum() / max(1.0, weight[: len(pos)].sum())
    clf = LinearSVC(C=C, max_iter=10_000)
    clf.fit(x, y, sample_weight=weight)
    return clf.coef_[0].astype(np.float64), float(clf.intercept_[0])


def fit(matrix: Any, pos: list[int], neg: list[int]) -> Fitted | None:
    """The models for positive rows ``pos`` and negative rows ``neg`` of
    ``matrix`` (the index as CSR); ``None`` without positives or negatives."""
    import numpy as np

    total = matrix.shape[0]
    labelled = set(pos) | set(neg)
    pool = [r for r in range(total) if r not in labelled]
    weak = random.Random(_SEED).sample(pool, min(UNLABELLED_SAMPLE, len(pool)))
    if not pos or not (neg or weak):
        return None
    models = [_svm(matrix, pos, neg, weak)]
    interests = groups(matrix, pos)
    if len(interests) > 1:
        models += [_svm(matrix, g, neg, weak) for g in interests]
    weights = np.vstack([w for w, _ in models])
    bias = np.array([b for _, b in models])
    raw = matrix @ weights.T + bias
    mean, std = raw.mean(axis=0), raw.std(axis=0)
    std[std == 0] = 1.0
    return Fitted(weights, bias, mean, std)
