"""Id lists (issue 8 items 10 and 12): old ids without the slash, and the
common-form fast path agreeing with the general one."""

from __future__ import annotations

import pytest

from paperqueue.core.importers import id_list
from paperqueue.core.importers.id_list import parse_id_line, parse_ids


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # arXiv's bulk files (and datasets built from them) name old papers
        # without the slash: cond-mat0603718.pdf, hep-ph0001306.
        ("hep-ph0605279", "hep-ph/0605279"),
        ("cond-mat0603718", "cond-mat/0603718"),
        ("math0601451", "math/0601451"),
        ("math.GT0309136", "math.GT/0309136"),
        ("arXiv:hep-th0005159v2", "hep-th/0005159"),
        ("astro-ph9912345", "astro-ph/9912345"),
        ("- hep-ph0001306  # cited", "hep-ph/0001306"),
        # Not ids: an unknown archive, a month 13, a year after 2007, too short.
        ("abc0605279", None),
        ("hep-ph0613279", None),
        ("hep-ph1205279", None),
        ("hep-ph060527", None),
    ],
)
def test_old_ids_without_the_slash(line: str, expected: str | None) -> None:
    assert parse_id_line(line) == expected


def test_slashless_and_slashed_old_ids_are_one_paper() -> None:
    papers, problems = parse_ids("hep-ph0605279\nhep-ph/0605279v2\narXiv:hep-ph/0605279\n")
    assert problems == [] and [paper.arxiv_id for paper in papers] == ["hep-ph/0605279"]


LINES = [
    "2403.01234", "  2403.01234  ", "\t2403.01234v12", "arXiv:2403.01234", "ARXIV : 2403.01234v3",
    "https://arxiv.org/abs/2403.01234", "http://export.arxiv.org/abs/2403.01234v2/", "arxiv.org/pdf/2403.01234v2.pdf",
    "https://www.arxiv.org/html/2403.01234", "HTTPS://ARXIV.ORG/ABS/2403.01234", "2403.012345", "2403.0123",
    "24031.01234", "2403.01234 x", "2403.01234,", "<2403.01234>", "2403.01234 # note", "2403.01234v", "2403.01234.pdf",
    "/abs/2403.01234", "https://arxiv.org/abs/2403.01234?context=cs", "0704.0001", "9912.12345", "x2403.01234",
]


@pytest.mark.parametrize("line", LINES)
def test_fast_path_agrees_with_the_general_path(line: str) -> None:
    """Whatever the common-form pattern takes, the general path reads the
    same way: the speed-up changes no answer."""
    assert parse_id_line(line) == id_list._slow_id(line)
