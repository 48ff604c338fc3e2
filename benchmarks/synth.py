"""Synthetic trending-papers pages of realistic sizes, for benchmarks.

Titles are about 90 characters, abstracts about 1,600, drawn from a
Zipf-like vocabulary so word frequencies resemble real abstracts.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

_SYLLABLES = ["ta", "ri", "no", "ve", "la", "mo", "ke", "si", "pu", "de", "zo", "an", "er", "ix", "ol", "um", "ent", "ion", "al", "ra"]
_COMMON = (
    "the of and to in a is we for that on with by this as are an our from model models learning data "
    "results method show which can be it these large language network neural training performance "
    "approach propose based task tasks using new time deep framework image generation"
).split()


def _vocabulary(rng: random.Random, size: int = 40_000) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 5))))
    return _COMMON + sorted(words)


def _sentence(rng: random.Random, vocab: list[str], cum: list[float], length: int) -> str:
    words = rng.choices(vocab, cum_weights=cum, k=length)
    return " ".join(words).capitalize()


def papers(count: int, seed: int = 1) -> Iterator[tuple[str, str]]:
    """``count`` (title, abstract) pairs; titles are unique.

    Abstracts are drawn from a pool of generated sentences (fast to make,
    and the word statistics stay Zipf-like).
    """
    rng = random.Random(seed)
    vocab = _vocabulary(rng)
    cum: list[float] = []
    total = 0.0
    for rank in range(len(vocab)):
        total += 1.0 / (rank + 1)
        cum.append(total)
    pool = [_sentence(rng, vocab, cum, rng.randint(12, 30)) + "." for _ in range(20_000)]
    titles = [_sentence(rng, vocab, cum, 11)[:84].rstrip() for _ in range(5_000)]
    for number in range(count):
        title = f"{rng.choice(titles)} {number:06d}"
        sentences = []
        size = 0
        while size < 1550:
            sentence = rng.choice(pool)
            sentences.append(sentence)
            size += len(sentence) + 1
        yield title, " ".join(sentences)


def write_page(path: Path, count: int, seed: int = 1) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nbyAK and the research community\n\nMar 13\n\n")
        for title, abstract in papers(count, seed):
            handle.write(f"{title}\n\n{abstract}\n\n")
    return path


_SURNAMES = ["M\\\"uller", "Garc{\\'\\i}a", "Smith", "Wang", "Kumar", "Nguyen", "O'Brien", "van der Berg",
             "Sch{\\\"o}lkopf", "Zhang", "Ivanov", "Rossi", "Kim", "Dubois", "Okafor", "Bell, II"]
_GIVEN = ["Anna", "Wei", "J.", "Maria", "Ravi", "Thi", "Jos{\\'e}", "Lars", "K.-H.", "Yuki"]
_VENUES = [("article", "journal", "Journal of Machine Learning Research"),
           ("article", "journal", "Transactions on Pattern Analysis and Machine Intelligence"),
           ("inproceedings", "booktitle", "Proceedings of the 40th International Conference on Machine Learning"),
           ("inproceedings", "booktitle", "Advances in Neural Information Processing Systems"),
           ("misc", "howpublished", "arXiv preprint")]


def bib_entries(count: int, seed: int = 1) -> Iterator[str]:
    """``count`` BibTeX entries with the titles and abstracts of :func:`papers`
    (so both files index the same text): authors with TeX accents, venues,
    pages, a DOI on half, an arXiv eprint on a third, a braced acronym now
    and then, the field layout reference managers write."""
    rng = random.Random(seed + 1)
    for number, (title, abstract) in enumerate(papers(count, seed)):
        kind, field, venue = _VENUES[number % len(_VENUES)]
        names = " and ".join(
            f"{{{rng.choice(_SURNAMES)}}}, {rng.choice(_GIVEN)}" if rng.random() < 0.05
            else f"{rng.choice(_SURNAMES)}, {rng.choice(_GIVEN)}"
            for _ in range(rng.randint(1, 6))
        )
        words = title.split()
        if number % 7 == 0 and len(words) > 2:
            words[1] = "{" + words[1].upper() + "}"
        lines = [f"@{kind}{{key{number:06d},", f"  title = {{{' '.join(words)}}},", f"  author = {{{names}}},",
                 f"  {field} = {{{venue}}},", f"  year = {{{2000 + number % 25}}},"]
        if kind != "misc":
            first = rng.randint(1, 900)
            lines.append(f"  pages = {{{first}--{first + rng.randint(5, 20)}}},")
        if number % 2 == 0:
            lines.append(f"  doi = {{10.{1000 + number % 9000}/j.synth.{number:06d}}},")
        if number % 3 == 0:
            lines += [f"  eprint = {{{23 + number // 90000:02d}{1 + number // 9000 % 12:02d}.{number % 90000:05d}}},",
                      "  archivePrefix = {arXiv},"]
        lines.append(f"  abstract = {{{abstract}}}")
        yield "\n".join(lines) + "\n}\n\n"


def write_bib(path: Path, count: int, seed: int = 1) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(bib_entries(count, seed))
    return path


if __name__ == "__main__":  # pragma: no cover
    import sys

    (write_bib if sys.argv[1].endswith(".bib") else write_page)(Path(sys.argv[1]), int(sys.argv[2]))
