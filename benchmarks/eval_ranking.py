"""Offline evaluation of the For-you ranking (paperqueue.core.ranking): `make eval`.

    .venv/bin/python benchmarks/eval_ranking.py [--readers 8] [--seeds 3] [--days 10] [--per-day 500]
                                                [--stars 10-40] [--real benchmarks/data/arxiv_2007-04.jsonl.gz]

A script, not a test: it prints tables and says which of issue 12's targets
are met.  Each method ranks the last day's papers (every method sees every
paper's text: they were imported) after learning from the days before, and is
judged against what the reader truly wants, not against her noisy stars.

Assumptions of the synthetic corpus (per seed), meant to look like an arXiv
feed rather than to flatter any method:

* 40 topics in 10 fields of 4 siblings (say, diffusion models, GANs, VAEs and
  flows in "generative models").  Topics differ in size (Zipf-like
  popularity: the largest is about 6x the smallest).
* Words are made-up letter strings (no stop-word list helps).  A word comes
  from the generic vocabulary shared by every paper (3,000 words, Zipfian:
  "model", "data", "learning" are everywhere) with probability 0.45, from its
  field's vocabulary (shared by the 4 siblings) with 0.25, and from its
  topic's own words with 0.30; within each vocabulary frequencies are
  Zipfian (exponent about 1).
* A paper has one main topic (weight 0.55-1.0); half of them also touch a
  second topic, a sibling in 70% of cases.  Abstracts are 100-250 words,
  titles 6-14 (drawn the same way).
* 10 days of 500 papers: the first 9 are the history, the 10th is ranked.

Assumptions about readers (8 per seed):

* A reader cares about 2-3 topics from different fields (far apart: their
  centroid sits between them), unequally (weights drawn from a Dirichlet),
  and is subscribed to those fields: she looks at 30% of her fields' papers
  and 1% of the rest.
* A paper is relevant when its weight on her topics is over 0.5.
* Of the relevant papers she looks at she stars a share that is scaled so she
  has 10-40 stars in all (``--stars``): most good papers are read and never
  starred (label noise the model must live with); she stars 0.5% of the
  others by mistake.  Of the papers she looks at and does not star she
  marks 85% read (the negatives: mostly her fields' sibling topics, read and
  never starred) and leaves 15% alone (unlabelled).  Removed papers are not
  simulated.
* Stars come unevenly from her topics (her weights), so a minor interest has
  few stars.

Methods: recency (the day's page order), random, centroid (today's `M`:
similar_to_many of the stars), learned (train()), and ideal (every relevant
paper first: the ceiling, below 100 when a day holds fewer than 10 or 50
relevant papers).  Metrics: precision@10,
precision@50, NDCG@50, mean and standard deviation over readers x seeds.

Real labels (``--real``): arXiv listings of 2007-03-31 to 2007-04-16 (2,000
papers with their categories, see benchmarks/data/SOURCES.md).  A reader is
1-2 categories (any of a paper's categories counts); she looks at every paper
of the archives those categories belong to (e.g. all of cond-mat for
cond-mat.str-el) and 2% of the rest, stars 10-40 papers (``--stars``) of her categories
and marks the rest she looked at read.  Papers in arXiv id order; the last
400 are ranked.
"""

from __future__ import annotations

import argparse
import gzip
import json
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

TOPICS = 40
SIBLINGS = 4  # topics come in fields of 4 siblings sharing a vocabulary
TOPIC_WORDS = 150
FIELD_WORDS = 300
GENERIC_WORDS = 3000
GENERIC_SHARE, FIELD_SHARE = 0.45, 0.25  # the rest (0.30) from the topic's own words
SEEN_IN_FIELD, SEEN_ELSEWHERE = 0.30, 0.01
MISTAKE_STAR = 0.005
READ_SHARE = 0.85
METHODS = ("recency", "random", "centroid", "learned", "ideal")
REAL = HERE / "data" / "arxiv_2007-04.jsonl.gz"


def made_up_words(rng: random.Random, n: int) -> list[str]:
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    seen: set[str] = set()
    while len(seen) < n:
        syllables = rng.randint(2, 4)
        seen.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables)))
    return sorted(seen)


def zipf(n: int, s: float = 1.0) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1) ** s
    return p / p.sum()


@dataclass
class Corpus:
    papers: list[Paper]
    texts: list[tuple[int, str, str]]
    mixtures: np.ndarray  # papers x topics
    test: list[Paper]  # the papers to rank (the last day's)


def make_corpus(seed: int, days: int, per_day: int) -> Corpus:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    fields = TOPICS // SIBLINGS
    words = made_up_words(rng, TOPICS * TOPIC_WORDS + fields * FIELD_WORDS + GENERIC_WORDS)
    rng.shuffle(words)
    topic_words = [words[t * TOPIC_WORDS:(t + 1) * TOPIC_WORDS] for t in range(TOPICS)]
    base = TOPICS * TOPIC_WORDS
    field_words = [words[base + f * FIELD_WORDS: base + (f + 1) * FIELD_WORDS] for f in range(fields)]
    generic = words[base + fields * FIELD_WORDS:]
    p_topic, p_field, p_generic = zipf(TOPIC_WORDS), zipf(FIELD_WORDS), zipf(GENERIC_WORDS, 1.05)
    popularity = nrng.permutation(zipf(TOPICS, 0.5))
    papers, texts, mixtures = [], [], []
    n = 0
    for day in range(days):
        for seq in range(per_day):
            n += 1
            mixture = np.zeros(TOPICS)
            main = int(nrng.choice(TOPICS, p=popularity))
            if nrng.random() < 0.5:
                if nrng.random() < 0.7:
                    other = main // SIBLINGS * SIBLINGS + (main + int(nrng.integers(1, SIBLINGS))) % SIBLINGS
                else:
                    other = int(nrng.choice([t for t in range(TOPICS) if t // SIBLINGS != main // SIBLINGS]))
                share = nrng.uniform(0.0, 0.45)
                mixture[main], mixture[other] = 1.0 - share, share
            else:
                mixture[main] = 1.0

            def draw(count: int) -> str:
                topics = nrng.choice(TOPICS, size=count, p=mixture)
                source = nrng.random(count)
                own = nrng.choice(TOPIC_WORDS, size=count, p=p_topic)
                shared = nrng.choice(FIELD_WORDS, size=count, p=p_field)
                gen = nrng.choice(GENERIC_WORDS, size=count, p=p_generic)
                return " ".join(
                    generic[g] if s < GENERIC_SHARE else field_words[t // SIBLINGS][f]
                    if s < GENERIC_SHARE + FIELD_SHARE else topic_words[t][o]
                    for t, s, o, f, g in zip(topics, source, own, shared, gen)
                )

            title, abstract = draw(int(nrng.integers(6, 15))), draw(int(nrng.integers(100, 251)))
            papers.append(Paper(key=f"p{n}", title=title, id=n, batch=day + 1, seq=seq, batches=(day + 1,)))
            texts.append((n, title, abstract))
            mixtures.append(mixture)
    test = [p for p in papers if p.batch == days]
    return Corpus(papers, texts, np.array(mixtures), test)


@dataclass
class FakeStore:
    """What ranking.train and Model.rank read from a store."""

    papers: dict[str, Paper]
    states: dict[str, PaperState]
    generation: int = 1
    order: list[Paper] = field(default_factory=list)

    def ordered_papers(self) -> list[Paper]:
        return self.order


def behave(rng: random.Random, history: list[Paper], relevant: set[str], seen: dict[str, float],
           stars: tuple[int, int]) -> dict[str, PaperState]:
    """The states a reader leaves on the history: ``seen[key]`` is the chance she looks at a paper."""
    looked = [p.key for p in history if rng.random() < seen[p.key]]
    good = [k for k in looked if k in relevant]
    share = min(0.9, rng.randint(*stars) / max(1, len(good)))
    states: dict[str, PaperState] = {}
    for key in looked:
        if rng.random() < (share if key in relevant else MISTAKE_STAR):
            states[key] = PaperState(starred=True, read=rng.random() < 0.5)
        elif rng.random() < READ_SHARE:
            states[key] = PaperState(read=True)
    return states


def synthetic_reader(corpus: Corpus, rng: random.Random, stars: tuple[int, int]) -> tuple[dict[str, PaperState], set[str]]:
    fields = rng.sample(range(TOPICS // SIBLINGS), rng.randint(2, 3))
    liked = [f * SIBLINGS + rng.randrange(SIBLINGS) for f in fields]
    weights = np.random.default_rng(rng.randrange(1 << 30)).dirichlet([1.0] * len(liked))
    interest = corpus.mixtures[:, liked].sum(axis=1)
    relevant = {p.key for p, value in zip(corpus.papers, interest) if value > 0.5}
    main = corpus.mixtures.argmax(axis=1)
    # Her minor interests get fewer stars: a relevant paper of topic t is a candidate for a star
    # with probability weight[t] / max(weight) (the rest of the pipeline is the same).
    keep = {t: w / weights.max() for t, w in zip(liked, weights)}
    history = [p for p in corpus.papers if p.batch < corpus.test[0].batch]
    starrable = {p.key for p, m in zip(corpus.papers, main) if p.key in relevant and rng.random() < keep.get(int(m), 1.0)}
    seen = {p.key: SEEN_IN_FIELD if m // SIBLINGS in fields else SEEN_ELSEWHERE for p, m in zip(corpus.papers, main)}
    states = behave(rng, history, starrable, seen, stars)
    return states, relevant & {p.key for p in corpus.test}


def precision(order: list[str], relevant: set[str], k: int) -> float:
    return sum(1 for key in order[:k] if key in relevant) / k


def ndcg(order: list[str], relevant: set[str], k: int) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, key in enumerate(order[:k]) if key in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def orders(corpus: Corpus, index: SimilarityIndex, states: dict[str, PaperState],
           rng: random.Random) -> dict[str, list[str]]:
    wanted = {p.key for p in corpus.test}
    store = FakeStore({p.key: p for p in corpus.papers}, states,
                      order=sorted(corpus.papers, key=lambda p: (-p.batch, p.seq)))
    shuffled = [p.key for p in corpus.test]
    rng.shuffle(shuffled)
    learned = train(store, index=index)
    positive, negative = labels(states)
    centroid = Model("similar", 0, store.generation, None, positive, negative, index)
    return {
        "recency": [p.key for p in corpus.test],
        "random": shuffled,
        "centroid": [s.paper.key for s in centroid.rank(store) if s.paper.key in wanted],
        "learned": [s.paper.key for s in learned.rank(store) if s.paper.key in wanted],
    }


def with_ideal(found: dict[str, list[str]], relevant: set[str]) -> dict[str, list[str]]:
    """``found`` plus the best order possible (every relevant paper first): the ceiling, since a day
    with 7 relevant papers cannot give a precision@10 over 70%."""
    day = found["recency"]
    return found | {"ideal": [k for k in day if k in relevant] + [k for k in day if k not in relevant]}


class Table:
    def __init__(self) -> None:
        self.results: dict[str, dict[str, list[float]]] = {m: {"p10": [], "p50": [], "ndcg50": []} for m in METHODS}
        self.stars: list[int] = []
        self.reads: list[int] = []

    def add(self, found: dict[str, list[str]], relevant: set[str], states: dict[str, PaperState]) -> None:
        self.stars.append(sum(1 for s in states.values() if s.starred))
        self.reads.append(sum(1 for s in states.values() if s.read and not s.starred))
        for method, order in found.items():
            self.results[method]["p10"].append(precision(order, relevant, 10))
            self.results[method]["p50"].append(precision(order, relevant, 50))
            self.results[method]["ndcg50"].append(ndcg(order, relevant, 50))

    def print(self, title: str, judged: bool = True) -> None:
        runs = len(self.stars)
        print(f"### {title}\n")
        print(f"{runs} runs; stars in the history: median {statistics.median(self.stars):.0f} "
              f"(min {min(self.stars)}, max {max(self.stars)}), read without a star: median "
              f"{statistics.median(self.reads):.0f}. Mean ± standard deviation over the runs.\n")
        print("| method | precision@10 | precision@50 | NDCG@50 |")
        print("|---|---|---|---|")
        for method in METHODS:
            cells = [f"{statistics.mean(v) * 100:5.1f} ± {statistics.pstdev(v) * 100:4.1f}"
                     for v in self.results[method].values()]
            print(f"| {method} | " + " | ".join(cells) + " |")
        gaps = [a - b for a, b in zip(self.results["learned"]["p10"], self.results["centroid"]["p10"])]
        mean_gap, worst = statistics.mean(gaps) * 100, min(gaps) * 100
        print()
        print(f"learned - centroid, precision@10: mean {mean_gap:+.1f} points, worst run {worst:+.1f} "
              f"({sum(1 for g in gaps if g < 0)} of {runs} runs worse, {sum(1 for g in gaps if g > 0)} better)")
        if judged:
            print(f"target: learned beats centroid by >= 10 points of precision@10: {'met' if mean_gap >= 10 else 'MISSED'}")
            print(f"target: learned never worse than centroid on any reader: {'met' if worst >= 0 else 'MISSED'}")
        print()


def synthetic(args: argparse.Namespace, stars: tuple[int, int]) -> None:
    table = Table()
    for seed in range(args.seeds):
        corpus = make_corpus(seed, args.days, args.per_day)
        index = SimilarityIndex.build(corpus.texts, generation=1)
        for reader in range(args.readers):
            rng = random.Random(1000 * seed + reader)
            states, relevant = synthetic_reader(corpus, rng, stars)
            table.add(with_ideal(orders(corpus, index, states, rng), relevant), relevant, states)
    table.print(f"Synthetic readers, {stars[0]}-{stars[1]} stars ({args.readers} readers x {args.seeds} seeds)")


def real(args: argparse.Namespace, stars: tuple[int, int]) -> None:
    rows = [json.loads(line) for line in gzip.open(args.real, "rt", encoding="utf-8")]
    rows.sort(key=lambda r: r["id"])
    papers = [Paper(key=f"arxiv:{r['id']}", title=r["title"], id=i + 1, batch=1 if i < len(rows) - 400 else 2,
                    seq=i, batches=(1,), arxiv_id=r["id"]) for i, r in enumerate(rows)]
    cats = {p.key: set(r["categories"].split()) for p, r in zip(papers, rows)}
    texts = [(p.id, r["title"], r["abstract"]) for p, r in zip(papers, rows)]
    test = [p for p in papers if p.batch == 2]
    corpus = Corpus(papers, texts, np.zeros((0, 0)), test)
    index = SimilarityIndex.build(texts, generation=1)
    history = [p for p in papers if p.batch == 1]
    counts: dict[str, int] = {}
    for p in history:
        for c in cats[p.key]:
            counts[c] = counts.get(c, 0) + 1
    test_counts: dict[str, int] = {}
    for p in test:
        for c in cats[p.key]:
            test_counts[c] = test_counts.get(c, 0) + 1
    usable = sorted(c for c, n in counts.items() if n >= 20 and test_counts.get(c, 0) >= 5)
    table = Table()
    rng = random.Random(7)
    for _ in range(args.real_readers):
        interests = set(rng.sample(usable, rng.randint(1, 2)))
        archives = {c.split(".")[0] for c in interests}
        relevant = {p.key for p in papers if cats[p.key] & interests}
        seen = {p.key: 1.0 if {c.split(".")[0] for c in cats[p.key]} & archives else 0.02 for p in papers}
        states = behave(rng, history, relevant, seen, stars)
        wanted = relevant & {p.key for p in test}
        table.add(with_ideal(orders(corpus, index, states, rng), wanted), wanted, states)
    print(f"Real abstracts: {len(rows):,} arXiv papers of 2007-03-31 to 2007-04-16 in id order, the last 400 ranked; "
          f"a reader is 1-2 of the {len(usable)} categories with at least 20 papers in the history and 5 in the "
          "ranked part; she looks at every paper of those categories' archives (all of cond-mat for "
          "cond-mat.str-el) and 2% of the rest.\n")
    table.print(f"Real arXiv abstracts, a category standing in for an interest, {stars[0]}-{stars[1]} stars "
                f"({args.real_readers} readers)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--per-day", type=int, default=500)
    parser.add_argument("--stars", default="10-40", help="stars per reader in the history, low-high")
    parser.add_argument("--real", type=Path, default=REAL, help="arXiv abstracts with categories (jsonl.gz)")
    parser.add_argument("--real-readers", type=int, default=40)
    args = parser.parse_args()
    low, high = (int(x) for x in args.stars.split("-"))
    print(f"Synthetic corpus: {TOPICS} topics in fields of {SIBLINGS}, {args.days} days x {args.per_day} papers; "
          "the last day's papers are ranked.\n")
    synthetic(args, (low, high))
    if args.real.exists():
        real(args, (low, high))
    else:
        print(f"(no real set at {args.real})")


if __name__ == "__main__":
    main()
