"""Offline evaluation of the For-you ranking (paperqueue.core.ranking): `make eval`.

    .venv/bin/python benchmarks/eval_ranking.py [--readers 8] [--seeds 3] [--days 8] [--per-day 400]

A script, not a test: it prints a table and says which of issue 12's targets
are met.

Corpus (per seed): K latent topics, each a distribution over its own words
(Zipf-like) plus a shared background vocabulary; each paper is a Dirichlet
mixture of one to three topics; abstracts of 90-220 words, titles of 6-12,
each word drawn from a topic picked by the mixture (or the background, 35%).
Words are made-up letter strings, so no stop-word list helps.

Readers: each likes 2-3 topics; a paper's interest is the mixture weight on
them; the reader stars a paper of interest > 0.5 with probability 0.8 and any
other with probability 0.03 (noise); of the rest, 60% are marked read (the
negatives) and 40% left alone (unlabelled).  Removed papers are not simulated.

Split: the first days are the history (the labels); the last day's papers are
ranked, each method seeing every paper's text (they were imported), and are
judged against the reader's true interest (> 0.5), not the noisy stars.

Methods: recency (the day's page order), random, centroid (today's `M`:
similar_to_many of the stars), learned (train()).  Metrics: precision@10,
precision@50, NDCG@50, mean and standard deviation over readers x seeds.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

import numpy as np  # noqa: E402

from paperqueue.core.models import Paper, PaperState  # noqa: E402
from paperqueue.core.ranking import Model, labels, train  # noqa: E402
from paperqueue.core.similar import SimilarityIndex  # noqa: E402

TOPICS = 30
TOPIC_WORDS = 120
BACKGROUND_WORDS = 1500
BACKGROUND_SHARE = 0.35
SIBLINGS = 3  # topics come in fields of 3 siblings sharing vocabulary
FIELD_SHARE = 0.5  # of a topic's words, this share is drawn from its field's
METHODS = ("recency", "random", "centroid", "learned")


def made_up_words(rng: random.Random, n: int) -> list[str]:
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    seen: set[str] = set()
    while len(seen) < n:
        syllables = rng.randint(2, 4)
        seen.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables)))
    return sorted(seen)


@dataclass
class Corpus:
    papers: list[Paper]
    texts: list[tuple[int, str, str]]
    mixtures: np.ndarray  # papers x topics
    day_of: list[int]


def make_corpus(seed: int, days: int, per_day: int) -> Corpus:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    fields = TOPICS // SIBLINGS
    words = made_up_words(rng, (TOPICS + fields) * TOPIC_WORDS + BACKGROUND_WORDS)
    rng.shuffle(words)
    topic_words = [words[t * TOPIC_WORDS:(t + 1) * TOPIC_WORDS] for t in range(TOPICS + fields)]
    field_words = topic_words[TOPICS:]
    background = words[(TOPICS + fields) * TOPIC_WORDS:]
    zipf_t = 1.0 / np.arange(1, TOPIC_WORDS + 1) ** 1.1
    zipf_t /= zipf_t.sum()
    zipf_b = 1.0 / np.arange(1, BACKGROUND_WORDS + 1) ** 1.0
    zipf_b /= zipf_b.sum()
    papers, texts, mixtures, day_of = [], [], [], []
    n = 0
    for day in range(days):
        for seq in range(per_day):
            n += 1
            mixture = np.zeros(TOPICS)
            chosen = nrng.choice(TOPICS, size=nrng.integers(1, 4), replace=False)
            mixture[chosen] = nrng.dirichlet([0.6] * len(chosen))

            def draw(count: int) -> str:
                topics = nrng.choice(TOPICS, size=count, p=mixture)
                from_bg = nrng.random(count) < BACKGROUND_SHARE
                from_field = nrng.random(count) < FIELD_SHARE
                own = nrng.choice(TOPIC_WORDS, size=count, p=zipf_t)
                shared = nrng.choice(TOPIC_WORDS, size=count, p=zipf_t)
                bg = nrng.choice(BACKGROUND_WORDS, size=count, p=zipf_b)
                return " ".join(
                    background[b] if is_bg else field_words[t // SIBLINGS][s] if is_field else topic_words[t][o]
                    for t, is_bg, is_field, o, s, b in zip(topics, from_bg, from_field, own, shared, bg)
                )

            title, abstract = draw(int(nrng.integers(6, 13))), draw(int(nrng.integers(90, 221)))
            papers.append(Paper(key=f"p{n}", title=title, id=n, batch=day + 1, seq=seq, batches=(day + 1,)))
            texts.append((n, title, abstract))
            mixtures.append(mixture)
            day_of.append(day)
    return Corpus(papers, texts, np.array(mixtures), day_of)


@dataclass
class FakeStore:
    """What ranking.train and Model.rank read from a store."""

    papers: dict[str, Paper]
    states: dict[str, PaperState]
    generation: int = 1
    order: list[Paper] = field(default_factory=list)

    def ordered_papers(self) -> list[Paper]:
        return self.order


def simulate_reader(corpus: Corpus, rng: random.Random, last_day: int,
                    dislikes: bool, seen: float = 0.2) -> tuple[dict[str, PaperState], set[str]]:
    liked = rng.sample(range(TOPICS), rng.randint(2, 3))
    interest = corpus.mixtures[:, liked].sum(axis=1)
    if dislikes:  # a sibling of each liked topic (same field, shared words) is unwelcome
        disliked = [t // SIBLINGS * SIBLINGS + (t + rng.randint(1, SIBLINGS - 1)) % SIBLINGS for t in liked]
        interest = interest - corpus.mixtures[:, [t for t in disliked if t not in liked]].sum(axis=1)
    states: dict[str, PaperState] = {}
    relevant: set[str] = set()
    for paper, day, value in zip(corpus.papers, corpus.day_of, interest):
        if day == last_day:
            if value > 0.5:
                relevant.add(paper.key)
            continue
        if rng.random() >= seen:
            continue  # never looked at: unlabelled
        if rng.random() < (0.8 if value > 0.5 else 0.03):
            states[paper.key] = PaperState(starred=True, read=rng.random() < 0.5)
        elif rng.random() < 0.6:
            states[paper.key] = PaperState(read=True)
    return states, relevant


def precision(order: list[str], relevant: set[str], k: int) -> float:
    return sum(1 for key in order[:k] if key in relevant) / k


def ndcg(order: list[str], relevant: set[str], k: int) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, key in enumerate(order[:k]) if key in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def orders(corpus: Corpus, index: SimilarityIndex, states: dict[str, PaperState], last_day: int,
           rng: random.Random) -> dict[str, list[str]]:
    test = [p for p, d in zip(corpus.papers, corpus.day_of) if d == last_day]
    wanted = {p.key for p in test}
    store = FakeStore({p.key: p for p in corpus.papers}, states, order=sorted(corpus.papers, key=lambda p: (-p.batch, p.seq)))
    shuffled = [p.key for p in test]
    rng.shuffle(shuffled)
    learned = train(store, index=index)
    positive, negative = labels(states)
    centroid = Model("similar", 0, store.generation, None, positive, negative, index)
    return {
        "recency": [p.key for p in test],
        "random": shuffled,
        "centroid": [s.paper.key for s in centroid.rank(store) if s.paper.key in wanted],
        "learned": [s.paper.key for s in learned.rank(store) if s.paper.key in wanted],
    }


def evaluate(args: argparse.Namespace, dislikes: bool, corpora: dict[int, tuple[Corpus, SimilarityIndex]]) -> None:
    results: dict[str, dict[str, list[float]]] = {m: {"p10": [], "p50": [], "ndcg50": []} for m in METHODS}
    gaps: list[float] = []
    stars: list[int] = []
    last_day = args.days - 1
    for seed in range(args.seeds):
        if seed not in corpora:
            corpus = make_corpus(seed, args.days, args.per_day)
            corpora[seed] = corpus, SimilarityIndex.build(corpus.texts, generation=1)
        corpus, index = corpora[seed]
        for reader in range(args.readers):
            rng = random.Random(1000 * seed + reader)
            states, relevant = simulate_reader(corpus, rng, last_day, dislikes, args.seen)
            stars.append(sum(1 for s in states.values() if s.starred))
            found = orders(corpus, index, states, last_day, rng)
            for method, order in found.items():
                results[method]["p10"].append(precision(order, relevant, 10))
                results[method]["p50"].append(precision(order, relevant, 50))
                results[method]["ndcg50"].append(ndcg(order, relevant, 50))
            gaps.append(results["learned"]["p10"][-1] - results["centroid"]["p10"][-1])
    runs = args.readers * args.seeds
    who = "readers who like 2-3 topics and dislike a sibling of each" if dislikes else "readers who like 2-3 topics"
    print(f"### {who}\n")
    print(f"{args.readers} readers x {args.seeds} seeds = {runs} runs; stars in the history: "
          f"median {statistics.median(stars):.0f} (min {min(stars)}, max {max(stars)}). "
          "Mean ± standard deviation over the runs.\n")
    print("| method | precision@10 | precision@50 | NDCG@50 |")
    print("|---|---|---|---|")
    for method in METHODS:
        cells = [f"{statistics.mean(v) * 100:5.1f} ± {statistics.pstdev(v) * 100:4.1f}" for v in results[method].values()]
        print(f"| {method} | " + " | ".join(cells) + " |")
    mean_gap = statistics.mean(gaps) * 100
    worst = min(gaps) * 100
    print()
    print(f"learned - centroid, precision@10: mean {mean_gap:+.1f} points, worst run {worst:+.1f}")
    print(f"target: learned beats centroid by >= 10 points of precision@10: {'met' if mean_gap >= 10 else 'MISSED'}")
    print(f"target: learned never worse than centroid on any reader: {'met' if worst >= 0 else 'MISSED'}"
          f" ({sum(1 for g in gaps if g < 0)} of {runs} runs worse)\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--days", type=int, default=8)
    parser.add_argument("--per-day", type=int, default=400)
    parser.add_argument("--seen", type=float, default=0.2,
                        help="share of the history's papers the reader looked at (0.05: about 12 stars)")
    args = parser.parse_args()
    print(f"Synthetic corpus: {TOPICS} topics in fields of {SIBLINGS}, {args.days} days x {args.per_day} papers; "
          f"the reader looked at {args.seen:.0%} of the history; the last day's papers are ranked.\n")
    corpora: dict[int, tuple[Corpus, SimilarityIndex]] = {}
    for dislikes in (False, True):
        evaluate(args, dislikes, corpora)


if __name__ == "__main__":
    main()
