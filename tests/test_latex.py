"""The LaTeX decoder (core/importers/latex.py): BibTeX values and feed text."""

from __future__ import annotations

import pytest

from paperqueue.core.importers import bibtex
from paperqueue.core.importers.latex import latex_to_text, tex_in_prose

BOTH = pytest.mark.parametrize("decode", [latex_to_text, tex_in_prose], ids=["bibtex", "prose"])


@BOTH
@pytest.mark.parametrize(
    ("tex", "text"),
    [  # issue 8 item 9: spacing and joining commands print what they mean
        ("Acme Inc.\\Dash A history", "Acme Inc.—A history"),
        ("R\\thinspace\\&\\thinspace D", "R & D"),
        ("a methodology\\hyphen independent test", "a methodology-independent test"),
        ("pages 3\\ndash 7", "pages 3–7"),
        ("and\\slash or", "and/or"),
        # accents as arXiv feeds carry them, without braces
        ('Hinrich Sch\\"utze', "Hinrich Schütze"),
        ("Goran Glava\\v{s}", "Goran Glavaš"),
        ("R\\'enyi entropy", "Rényi entropy"),
        ("{\\'E}cole Polytechnique F{\\'e}d{\\'e}rale", "École Polytechnique Fédérale"),
        # Greek letters and symbols outside math; math itself is verbatim
        ("\\alpha-decay of \\Omega baryons", "α-decay of Ω baryons"),
        ("a 2\\times speed-up, $\\alpha \\times \\beta$", "a 2× speed-up, $\\alpha \\times \\beta$"),
        ("\\LaTeX{} and \\BibTeX", "LaTeX and BibTeX"),
    ],
)
def test_commands_decode_to_what_they_print(decode, tex: str, text: str) -> None:
    assert decode(tex) == text


@BOTH
@pytest.mark.parametrize(
    ("tex", "text"),
    [("Inc.\\Frobnicate A", "Inc.\\Frobnicate A"), ("before \\frobnicate after", "before \\frobnicate after"),
     ("x\\frob{kept} y", "xkept y"), ("\\frob{kept}", "kept"), ("end\\frob.", "end\\frob.")],
)
def test_an_unknown_command_stays_as_written_and_never_glues(decode, tex: str, text: str) -> None:
    """The rule: an unknown command with an argument gives its argument; one
    without stays as written (an author's macro such as \\method names
    something: dropping it would lose a word), its blank kept."""
    assert decode(tex) == text


@BOTH
def test_links_keep_their_characters(decode) -> None:
    text = decode(
        "Code: https://github.com/acme/financial\\_rag\\_benchmark. Data: "
        "\\href{https://x.org/a\\_b}{https://x.org/a\\_b}; site: \\href{https://y.org/~me}{our page}"
    )
    assert text == (
        "Code: https://github.com/acme/financial_rag_benchmark. Data: "
        "https://x.org/a_b; site: our page (https://y.org/~me)"
    )


def test_bibtex_values_lose_every_brace() -> None:
    assert latex_to_text("{BERT}: the set {a, b}~is {\\em small}") == "BERT: the set a, b is small"


@pytest.mark.parametrize(
    ("prose", "text"),
    [("the set {a, b} is small", "the set {a, b} is small"),
     ("{\\em Foo} and \\textbf{bar} in {JSON {nested}}", "Foo and bar in {JSON {nested}}"),
     ("a stray } and {", "a stray } and {"),
     ("~5% faster (~2x), Fig.~3 and ref.~[4]", "~5% faster (~2x), Fig. 3 and ref. [4]"),
     ("run with --fast, pages 1--10", "run with --fast, pages 1–10"),
     ("an empty set {} here", "an empty set {} here")],
)
def test_prose_keeps_braces_and_tildes_that_are_not_tex(prose: str, text: str) -> None:
    assert tex_in_prose(prose) == text


def test_old_import_path_still_works() -> None:
    assert bibtex.latex_to_text is latex_to_text
