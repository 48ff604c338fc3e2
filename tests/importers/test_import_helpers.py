"""The shared normalisers and the LaTeX-to-text conversion."""

from __future__ import annotations

import pytest

from paperqueue.core.importers.bibtex import latex_to_text
from paperqueue.core.importers.id_list import parse_id_line
from paperqueue.core.importers.record import clean_doi, iso_datetime, order_links


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2024-03-12T17:59:59.000Z", "2024-03-12T17:59:59Z"),
     ("2024-03-12T17:59:59+02:00", "2024-03-12T15:59:59Z"),
     ("2024-03-12T17:59:59", "2024-03-12T17:59:59Z"),
     ("Wed, 13 Mar 2024 00:00:00 -0400", "2024-03-13T04:00:00Z"),
     ("2024-03-12", "2024-03-12"), ("2024", "2024"), ("2024-03", "2024-03"),
     ("2024-02-30", None), ("yesterday", None), ("", None), (20240312, None), ("9" * 100, None),
     ("0001-01-01T00:00:00+01:00", None)],
)
def test_iso_datetime(value: object, expected: str | None) -> None:
    assert iso_datetime(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("10.1109/CVPR.2024.00123", "10.1109/CVPR.2024.00123"),  # DOIs keep their case
     ("https://doi.org/10.48550/arXiv.2403.01234", "10.48550/arXiv.2403.01234"),
     ("http://dx.doi.org/10.1145/3292500.3330701", "10.1145/3292500.3330701"),
     ("doi: 10.5555/ABC.", "10.5555/ABC"), ("not a doi", None), ("10.12/short", None), (None, None)],
)
def test_clean_doi(value: object, expected: str | None) -> None:
    assert clean_doi(value) == expected


def test_order_links() -> None:
    assert order_links([
        "https://example.org/project", "https://arxiv.org/abs/2403.01234v2", 7, None,
        "See https://github.com/a/b.", "https://github.com/a/b", "http://arxiv.org/pdf/2403.01234",
        "no url here", "https://www.github.com/c/d", "https://x.io/\x1b[31m",
    ]) == ("https://github.com/a/b", "https://www.github.com/c/d", "https://example.org/project", "https://x.io/")


@pytest.mark.parametrize(
    ("latex", "text"),
    [('{\\"o}', "ö"), ("\\'e", "é"), ("\\'{\\i}", "í"), ("\\v{c}", "č"), ("\\c c", "ç"), ("\\ss{}", "ß"),
     ("{\\O}", "Ø"), ("\\&", "&"), ("a--b", "a–b"), ("a---b", "a—b"), ("a~b", "a b"),
     ("\\textit{Fast} {BERT}", "Fast BERT"), ("{\\em Foo} bar", "Foo bar"),
     ("$\\mathcal{O}(n^2)$ time", "$\\mathcal{O}(n^2)$ time"), ("``q''", "“q”"),
     ("see~\\cite{a, b}.", "see."), ("100\\% \\_ \\$", "100% _ $"), ("\\LaTeX{} rocks", "LaTeX rocks"),
     ("\\unknown{arg}", "arg"), ("trailing \\", "trailing \\")],
)
def test_latex_to_text(latex: str, text: str) -> None:
    assert latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("line", "expected"),
    [("2403.01234", "2403.01234"), ("  arXiv:2403.01234v3 ", "2403.01234"), ("arxiv: 2403.01234", "2403.01234"),
     ("https://arxiv.org/abs/2403.01234v2", "2403.01234"), ("arxiv.org/pdf/2403.01234v2.pdf", "2403.01234"),
     ("https://www.arxiv.org/html/2403.01234v1#S2", "2403.01234"), ("https://hf.co/papers/2403.01234", "2403.01234"),
     ("https://huggingface.co/papers/2403.01234?x=1", "2403.01234"), ("https://alphaxiv.org/abs/2403.01234", "2403.01234"),
     ("doi:10.48550/arXiv.2403.01234", "2403.01234"), ("math.GT/0309136", "math.GT/0309136"),
     ("- 2403.01234", "2403.01234"), ("3. 2403.01234  # great", "2403.01234"), ("<https://arxiv.org/abs/2403.01234>", "2403.01234"),
     ("2403.01234,", "2403.01234"), ("2403.012345", None), ("12345", None), ("https://example.com/2403.01234", None),
     ("2403.01234 2403.05678", None), ("", None)],
)
def test_parse_id_line(line: str, expected: str | None) -> None:
    assert parse_id_line(line) == expected
