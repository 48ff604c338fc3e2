"""For you: unread papers ranked by what the person stars, tags and notes.

Labels come from the person's own states (nothing else, nothing sent anywhere):

* positives: starred, tagged or annotated papers (with ``tag``: that tag's papers);
* negatives: papers marked read without a star, and removed papers (with
  ``tag``: also the other positives, arxiv-sanity's per-tag SVM);
* unlabelled: the rest.  A sample of them joins the negatives (see
  :mod:`paperqueue.core.ranking_fit`).

Features are the rows of the "more like this" index (``similar.bin``,
:mod:`paperqueue.core.similar`): each paper's top TF-IDF terms, L2-normalised,
title words counted twice.  That cache is already kept current per import, so
training only fits the model (:func:`paperqueue.core.ranking_fit.fit`): a
linear SVM over all the positives plus one per interest (groups of similar
positives), each paper scored by its best standardised score.  The model
itself is not cached: fitting 1,000 labels takes well under a second (see
``benchmarks/ranking_bench.py``).

Cold start: with fewer than :data:`MIN_POSITIVES` positives, ``needs`` says how
many more stars are wanted, and the order is the similarity to the centroid of
the positives (the app's ``M``), or the newest first when there are none.

Blocking (the first call may build ``similar.bin``): call from a worker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from paperqueue.core.collector import paused
from paperqueue.core.models import Paper, PaperState
from paperqueue.core.views import liked as _liked
from paperqueue.core.ranking_fit import Fitted, fit
from paperqueue.core.similar import SimilarityIndex, open_index

__all__ = ["MIN_POSITIVES", "Model", "Scored", "labels", "needs_training", "train"]

MIN_POSITIVES = 5
RETRAIN_NEGATIVES = 5  # new or dropped negatives that call for a new model
RETRAIN_SHARE = 0.1  # ... or this share of the model's negatives, if more


@dataclass(frozen=True)
class Scored:
    paper: Paper
    score: float  # 0-1, higher is better (0.0 throughout the recency order)


def _norm_tag(tag: str) -> str:
    return tag.lstrip("#").casefold()


def labels(states: Mapping[str, PaperState], tag: str | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """The (positive, negative) paper keys among ``states``."""
    liked = {k for k, s in states.items() if _liked(s)}
    disliked = {k for k, s in states.items() if s.removed or (s.read and not s.starred and k not in liked)}
    if tag is not None:
        wanted = _norm_tag(tag)
        tagged = {k for k in liked if wanted in {t.casefold() for t in states[k].tags}}
        return frozenset(tagged), frozenset(disliked | (liked - tagged))
    return frozenset(liked), frozenset(disliked)


@dataclass
class Model:
    kind: str  # "learned", "similar" (cold start, some positives) or "recency" (none)
    needs: int  # positives still missing before the model learns (0 once it does)
    generation: int
    tag: str | None
    positive_keys: frozenset[str]
    negative_keys: frozenset[str]
    index: SimilarityIndex | None = field(default=None, repr=False)
    fitted: Fitted | None = field(default=None, repr=False)  # the learned model's linear models

    @property
    def positives(self) -> int:
        return len(self.positive_keys)

    @property
    def negatives(self) -> int:
        return len(self.negative_keys)

    def candidates(self, store: Any) -> list[Paper]:
        """Unread papers, not removed, not hidden, not starred, not already a
        positive (a per-tag ranking leaves out starred papers of other tags
        too); newest first."""
        states = dict(store.states)
        none = PaperState()
        return [
            p for p in store.ordered_papers()
            if p.key not in self.positive_keys
            and not (s := states.get(p.key, none)).read and not s.removed and not s.starred
        ]

    def rank(self, store: Any, limit: int | None = None) -> list[Scored]:
        """The candidates best first (ties: newest first)."""
        papers = self.candidates(store)
        if self.kind == "learned":
            return self._learned(papers, limit)
        elif self.kind == "similar":
            ranked = self._similar(store, papers)
        else:
            ranked = [Scored(p, 0.0) for p in papers]
        return ranked if limit is None else ranked[: max(0, limit)]

    def _learned(self, papers: list[Paper], limit: int | None) -> list[Scored]:
        """The ranking by the best standardised score; the shown score is the
        share of the queue's papers (all of them, not only these) a paper
        outscores, so 0.9 means in the top 10%.  Only the ``limit`` first
        results are built."""
        import numpy as np

        get = self.index._row.get  # noqa: SLF001 - same package
        rows = np.fromiter((get(p.id, -1) for p in papers), dtype=np.int64, count=len(papers))
        best = self._best(_matrix(self.index)).max(axis=1)  # all rows: one sparse product
        raw = np.where(rows >= 0, best[rows] if len(best) else 0.0, -np.inf)  # not indexed: last
        order = np.argsort(-raw, kind="stable")  # ties: newest first
        if limit is not None:
            order = order[: max(0, limit)]
        top = raw[order]
        shares = np.searchsorted(np.sort(best), top, side="left") / max(1, len(best))
        scores = np.where(np.isfinite(top), shares, 0.0)
        with paused():  # 100,000 fresh objects, no cycle: the collector's passes took half of ranking (250 -> 130 ms)
            return [Scored(papers[i], s) for i, s in zip(order.tolist(), scores.tolist())]

    def _similar(self, store: Any, papers: list[Paper]) -> list[Scored]:
        by_id = {p.id: p for p in papers}
        seeds = [store.papers[k].id for k in self.positive_keys if k in store.papers]
        matches = self.index.similar_to_many(seeds, limit=len(self.index)) if self.index is not None else []
        ranked = [Scored(by_id[m.paper_id], m.score) for m in matches if m.paper_id in by_id]
        seen = {s.paper.id for s in ranked}
        return ranked + [Scored(p, 0.0) for p in papers if p.id not in seen]

    def _best(self, matrix: Any) -> Any:
        """Every row's standardised score under each linear model (rows x models)."""
        import numpy as np

        if self.fitted is None:
            return np.zeros((matrix.shape[0], 1))
        return self.fitted.standard(matrix)

    def why(self, paper: Paper, n: int = 5) -> list[str]:
        """The words of ``paper`` that push its score up most, strongest first,
        under the model (interest) that scores it best (the learned model
        only; none in a cold start)."""
        if self.kind != "learned" or self.index is None or self.fitted is None:
            return []
        index = self.index
        row = index._row.get(paper.id)  # noqa: SLF001
        if row is None:
            return []
        best = int(self._best(_matrix(index)[row]).argmax())
        weights = self.fitted.weights[best]
        a, b = index.fwd_off[row], index.fwd_off[row + 1]
        pushes = [(float(weights[t]) * w, index.vocab[t]) for t, w in zip(index.fwd_terms[a:b], index.fwd_w[a:b])]
        return [word for push, word in sorted(pushes, key=lambda pw: (-pw[0], pw[1])) if push > 0][:n]


def _matrix(index: SimilarityIndex) -> Any:
    """The index's rows as a SciPy CSR matrix (built once per index, shares no
    memory with the arrays it reads)."""
    cached = getattr(index, "_pq_matrix", None)
    if cached is not None:
        return cached
    import numpy as np
    from scipy.sparse import csr_matrix

    data = np.frombuffer(index.fwd_w, dtype=np.uint16).astype(np.float32) / 65535.0
    terms = np.frombuffer(index.fwd_terms, dtype=np.uint32).astype(np.int32)
    offsets = np.frombuffer(index.fwd_off, dtype=np.uint32).astype(np.int64)
    matrix = csr_matrix((data, terms, offsets), shape=(len(index), max(1, len(index.vocab))))
    index._pq_matrix = matrix  # type: ignore[attr-defined]
    return matrix


def train(store: Any, progress: Callable[[int], None] | None = None, tag: str | None = None,
          index: SimilarityIndex | None = None) -> Model:
    """A model for ``store`` as it is now (blocking: call from a worker).

    ``progress(done)`` reports papers read while ``similar.bin`` is rebuilt, if it
    must be.  ``index``: one already open (the app's ``m`` index), skipping the load."""
    generation = store.generation
    positive, negative = labels(dict(store.states), tag)
    tag_name = None if tag is None else _norm_tag(tag)
    needs = max(0, MIN_POSITIVES - len(positive))
    if not positive:
        return Model("recency", needs, generation, tag_name, positive, negative)
    if index is None or index.generation != generation:
        index = open_index(store, progress)
    if needs:
        return Model("similar", needs, generation, tag_name, positive, negative, index)
    fitted = _fit(store, index, positive, negative)
    return Model("learned", 0, generation, tag_name, positive, negative, index, fitted)


def _fit(store: Any, index: SimilarityIndex, positive: frozenset[str], negative: frozenset[str]) -> Fitted | None:
    row_of = index._row  # noqa: SLF001
    papers = store.papers

    def rows(keys: frozenset[str]) -> list[int]:
        found = (row_of.get(papers[k].id) for k in sorted(keys) if k in papers)
        return [r for r in found if r is not None]

    return fit(_matrix(index), rows(positive), rows(negative))


def needs_training(model: Model | None, store: Any) -> bool:
    """Whether ``model`` is out of date for ``store``: another generation (an
    import or a fetch brought papers to score), any positive gained or lost
    (each star matters while they are few), or negatives changed by at least
    :data:`RETRAIN_NEGATIVES` or :data:`RETRAIN_SHARE` of the model's, whichever
    is more (read marks come by the dozen in triage)."""
    if model is None or model.generation != store.generation:
        return True
    positive, negative = labels(dict(store.states), model.tag)
    if positive != model.positive_keys:
        return True
    changed = len(negative ^ model.negative_keys)
    return changed >= max(RETRAIN_NEGATIVES, RETRAIN_SHARE * len(model.negative_keys))
