"""Page noise from real copies of trending pages never becomes a title."""

from __future__ import annotations

import re

import pytest

from paperqueue.core.importers.detect import parse_text
from paperqueue.core.importers.page import is_author_line, is_chrome, parse_page

NOISE = ["42", "1.2k", "\u25b2 42", "\u25b2", "Upvote 42", "Upvote", "42 upvotes", "3 comments",
         "\u00b7 5 authors", "5 authors", "Submitted by akhaliq", "Submitted by", "Published on Mar 13",
         "\u00b7 Published on Mar 13", "Trending Papers", "Daily Papers"]
AUTHOR_LINES = [
    "Alice Smith, Bob Jones, Carol Li",
    "Alice Smith, Bob Jones, and Carol Li",
    "Alice Smith, Bob Jones, Carol Li \u00b7 5 authors",
    "Łukasz Kaiser, Noam Shazeer, et al.",
    "Jean-Philippe Fauconnier, Ludwig van Beethoven, J. S. Bach",
    "Brandon McKinzie, Zhe Gan, Anne-Marie O'Neil",
]
COMMA_TITLES = [
    "Lions, Tigers, and Bears: Oh My",
    "Pre-train, Prompt, and Predict: A Systematic Survey of Prompting Methods",
    "Large Language Models, Small Data",
    "Scaling LLM Agents, Tool Use Models",
    "Faster, Cheaper, Better",
    "Sparse, Dense, and Hybrid Retrieval",
    "Reading Minds, Writing Code: Agents at Work",
    "Deep Learning, Shallow Thinking",
    "Alice Smith",  # a single name is not an author *list*
]


@pytest.mark.parametrize("line", NOISE + AUTHOR_LINES)
def test_noise_is_chrome(line: str) -> None:
    assert is_chrome(line)
    text = f"{line}\n\nReal Title\n\n{line}\n\nThe abstract.\n\n{line}\n"
    assert [(p.title, p.abstract) for p in parse_page(text)] == [("Real Title", "The abstract.")]


@pytest.mark.parametrize("title", COMMA_TITLES)
def test_titles_with_commas_survive(title: str) -> None:
    assert not is_author_line(title)
    [paper] = parse_page(f"{title}\n\nAlice Smith, Bob Jones\n\nThe abstract.")
    assert (paper.title, paper.abstract) == (title, "The abstract.")


def _copied_page(abstract_a: str, abstract_b: str) -> str:
    return f"""Daily Papers
Submitted by akhaliq
\u25b2 42
Real Title: A Study of Things
Alice Smith, Bob Jones, Carol Li
\u00b7 5 authors
Published on Mar 13
{abstract_a}
Upvote 12
Title Without an Abstract
Submitted by someone
\u25b2 3
Another Title
Dan Brown, Eve Adams
{abstract_b}
"""


def test_realistic_copy_with_single_newlines() -> None:
    long_a = "We study things. " * 30 + "Code at https://github.com/a/b."
    long_b = "Another abstract that goes on. " * 15
    papers = parse_page(_copied_page(long_a, long_b))
    assert [(p.title, bool(p.abstract)) for p in papers] == [
        ("Real Title: A Study of Things", True),
        ("Title Without an Abstract", False),
        ("Another Title", True),
    ]
    assert papers[0].links == ("https://github.com/a/b",)


def test_realistic_copy_with_blank_lines() -> None:
    text = re.sub(r"\n", "\n\n", _copied_page("We study things.", "Another abstract."))
    papers = parse_text(text).papers
    assert [(p.title, p.abstract) for p in papers] == [
        ("Real Title: A Study of Things", "We study things."),
        ("Title Without an Abstract", ""),
        ("Another Title", "Another abstract."),
    ]
