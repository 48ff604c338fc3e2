"""arXiv's HTML version to text: a real page (trimmed, see
tests/data/real/fulltext/README.md) and the shapes of LaTeXML markup it
does not hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperqueue.core.fulltext.html_text import NoHtmlVersion, html_to_text

REAL = Path(__file__).parent / "data" / "real" / "fulltext" / "arxiv-1706.03762v7-trimmed.html"


@pytest.fixture(scope="module")
def attention() -> str:
    return html_to_text(REAL.read_text(encoding="utf-8"))


def blocks(text: str) -> list[str]:
    return text.strip("\n").split("\n\n")


def lines(text: str) -> list[str]:
    return text.split("\n")


def page(body: str) -> str:
    return f'<html><body><div class="ltx_page_main"><article class="ltx_document">{body}</article></div></body></html>'


def test_headings_stand_on_lines_of_their_own(attention: str) -> None:
    found = blocks(attention)
    for heading in ("Attention Is All You Need", "Abstract", "1 Introduction", "3.2.1 Scaled Dot-Product Attention",
                    "3.2.3 Applications of Attention in our Model", "4 Why Self-Attention", "References"):
        assert heading in found, heading
    assert found.index("Abstract") < found.index("1 Introduction") < found.index("References")


def test_paragraphs_are_separated_by_blank_lines(attention: str) -> None:
    found = blocks(attention)
    first = next(block for block in found if block.startswith("Recurrent neural networks, long short-term memory [13]"))
    second = found[found.index(first) + 1]
    assert second.startswith("Recurrent models typically factor computation")
    assert "\n" not in first  # one paragraph, one line (the reader wraps it)


def test_authors_in_one_line(attention: str) -> None:
    assert "Ashish Vaswani, Noam Shazeer, Niki Parmar, Jakob Uszkoreit, Llion Jones, Aidan N. Gomez, Łukasz Kaiser, Illia Polosukhin" in blocks(attention)
    assert "avaswani@google.com" not in attention  # the authors' notes are left out


def test_inline_math_is_its_latex_between_dollars(attention: str) -> None:
    assert "a sequence of hidden states $h_{t}$, as a function of the previous hidden state $h_{t-1}$" in attention
    assert "the scaling factor of $\\frac{1}{\\sqrt{d_{k}}}$." in attention


def test_display_math_stands_on_its_own_line_with_its_number(attention: str) -> None:
    assert "$$\\mathrm{Attention}(Q,K,V)=\\mathrm{softmax}(\\frac{QK^{T}}{\\sqrt{d_{k}}})V$$ (1)" in lines(attention)
    # an align group: a line a row, \displaystyle dropped
    assert "$$\\mathrm{MultiHead}(Q,K,V) =\\mathrm{Concat}(\\mathrm{head_{1}},...,\\mathrm{head_{h}})W^{O}$$" in lines(attention)
    assert "$$\\text{where}~\\mathrm{head_{i}} =\\mathrm{Attention}(QW^{Q}_{i},KW^{K}_{i},VW^{V}_{i})$$" in lines(attention)


def test_mathml_symbols_never_shown_beside_the_latex(attention: str) -> None:
    # The MathML of this page writes ℝ, − (U+2212) and ∈; the LaTeX says \mathbb{R}, -, \in.
    assert "\\mathbb{R}" in attention
    for symbol in ("ℝ", "\u2212", "∈", "\u2061", "\u200b"):
        assert symbol not in attention, repr(symbol)
    assert "hidden states $h_{t}$, as" in attention  # not "$h_{t}$ h t," nor "h_{t} h t"
    assert "Attention ( Q" not in attention and "$$ Attention" not in attention


def test_figure_and_table_captions(attention: str) -> None:
    found = blocks(attention)
    assert "Figure 1: The Transformer - model architecture." in found
    assert "Figure 2: (left) Scaled Dot-Product Attention. (right) Multi-Head Attention consists of several attention layers running in parallel." in found
    assert any(block.startswith("Table 1: Maximum path lengths, per-layer complexity") for block in found)
    assert "Refer to caption" not in attention  # the images' alt text


def test_table_cells_in_rows(attention: str) -> None:
    rows = lines(attention)
    assert "Layer Type | Complexity per Layer | Sequential | Maximum Path Length" in rows
    assert "Self-Attention | $O(n^{2}\\cdot d)$ | $O(1)$ | $O(1)$" in rows
    assert "Convolutional | $O(k\\cdot n\\cdot d^{2})$ | $O(1)$ | $O(log_{k}(n))$" in rows
    header = rows.index("Layer Type | Complexity per Layer | Sequential | Maximum Path Length")
    assert rows[header + 3].startswith("Recurrent | ")


def test_list_items(attention: str) -> None:
    items = [line for line in lines(attention) if line.startswith("- ")]
    assert len(items) == 3
    assert items[0].startswith('- In "encoder-decoder attention" layers, the queries come from the previous decoder layer')
    assert items[1].startswith("- The encoder contains self-attention layers.")
    assert "•" not in attention  # the bullet LaTeXML writes is replaced by the dash


def test_footnotes_marked_and_given_after_their_paragraph(attention: str) -> None:
    found = blocks(attention)
    with_mark = next(block for block in found if block.startswith("While for small values of $d_{k}$"))
    assert "[^1]" in with_mark
    note = found[found.index(with_mark) + 1]
    assert note.startswith("[^1]: To illustrate why the dot products get large")
    assert "$q\\cdot k=\\sum_{i=1}^{d_{k}}q_{i}k_{i}$" in note


def test_references_one_a_line(attention: str) -> None:
    refs = blocks(attention)[blocks(attention).index("References") + 1].split("\n")
    assert refs == [
        "[1] Jimmy Lei Ba, Jamie Ryan Kiros, and Geoffrey E Hinton. Layer normalization. arXiv preprint arXiv:1607.06450, 2016.",
        "[2] Dzmitry Bahdanau, Kyunghyun Cho, and Yoshua Bengio. Neural machine translation by jointly learning to align and translate. CoRR, abs/1409.0473, 2014.",
        "[3] Denny Britz, Anna Goldie, Minh-Thang Luong, and Quoc V. Le. Massive exploration of neural machine translation architectures. CoRR, abs/1703.03906, 2017.",
    ]


def test_navigation_and_page_chrome_left_out(attention: str) -> None:
    assert blocks(attention)[0].startswith("Provided proper attribution is provided, Google hereby grants")
    assert "ltx_" not in attention and "<span" not in attention and "</" not in attention
    assert blocks(attention).count("1 Introduction") == 1  # the table of contents' entry is not shown


# -- pages that are not a paper --------------------------------------------------


@pytest.mark.parametrize("html", [
    b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body><h1>Try again later</h1></body></html>",
    "<html><body><p>No HTML is available for this paper.</p></body></html>",
    '<html><body><div class="ltx_page_main">\n No content available\n</div></body></html>',
    page(""),
    page("<div class='ltx_para'><p class='ltx_p'>   </p></div>"),
    "",
    b"\x00\xff\xfe garbage",
])
def test_a_page_without_arxiv_markup_is_no_html_version(html: str | bytes) -> None:
    with pytest.raises(NoHtmlVersion):
        html_to_text(html)


# -- markup the real page lacks --------------------------------------------------


def test_enumerate_keeps_labels_and_nested_lists_are_indented() -> None:
    text = html_to_text(page(
        '<ol class="ltx_enumerate">'
        '<li class="ltx_item"><span class="ltx_tag ltx_tag_item">1.</span><div class="ltx_para"><p class="ltx_p">First step</p>'
        '<ul class="ltx_itemize"><li class="ltx_item"><span class="ltx_tag ltx_tag_item">•</span><p class="ltx_p">inner one</p></li>'
        '<li class="ltx_item"><span class="ltx_tag ltx_tag_item">•</span><p class="ltx_p">inner two</p></li></ul></div></li>'
        '<li class="ltx_item"><span class="ltx_tag ltx_tag_item">(b)</span><p class="ltx_p">Second step</p></li>'
        "</ol>"
    ))
    assert text.split("\n") == ["- 1. First step", "  - inner one", "  - inner two", "- (b) Second step", ""]


def test_description_list_items_start_with_their_term() -> None:
    text = html_to_text(page(
        '<dl class="ltx_description"><dt class="ltx_item"><span class="ltx_tag ltx_tag_item"><b>Recall</b></span></dt>'
        '<dd class="ltx_item"><p class="ltx_p">found over relevant</p></dd></dl>'
    ))
    assert text == "- Recall found over relevant\n"


def test_display_math_inside_a_paragraph_gets_its_own_line() -> None:
    text = html_to_text(page(
        '<div class="ltx_para"><p class="ltx_p">We minimise <math alttext="L" display="inline"><mi>L</mi></math> where'
        '<math alttext="L=\\sum_{i}\\ell_{i}" display="block"><mi>L</mi><mo>=</mo></math>over the batch.</p></div>'
    ))
    assert blocks(text) == ["We minimise $L$ where", "$$L=\\sum_{i}\\ell_{i}$$", "over the batch."]


def test_latex_line_continuations_are_joined_and_a_percent_sign_kept() -> None:
    text = html_to_text(page('<p class="ltx_p"><math alttext="a+b%\n+c=50\\%" display="inline"><mi>a</mi></math></p>'))
    assert text == "$a+b+c=50\\%$\n"


def test_math_without_alttext_uses_its_tex_annotation() -> None:
    text = html_to_text(page(
        '<p class="ltx_p">Let <math display="inline"><semantics><mi>α</mi>'
        '<annotation encoding="application/x-tex">\\alpha</annotation></semantics></math> vary.</p>'
    ))
    assert text == "Let $\\alpha$ vary.\n"


def test_line_breaks_inside_a_paragraph_are_kept() -> None:
    text = html_to_text(page('<p class="ltx_p">first line<br class="ltx_break">second line</p>'))
    assert text == "first line\nsecond line\n"


def test_listing_lines_keep_their_indentation() -> None:
    text = html_to_text(page(
        '<div class="ltx_listing"><div class="ltx_listingline">def f(x):</div>'
        '<div class="ltx_listingline">\u00a0\u00a0\u00a0\u00a0return x</div></div>'
    ))
    assert text == "def f(x):\n    return x\n"


def test_conversion_errors_and_scripts_left_out() -> None:
    text = html_to_text(page(
        '<p class="ltx_p">Shown <span class="ltx_ERROR undefined">\\vgtccategory</span>text'
        "<script>alert(1)</script><style>p{}</style></p>"
    ))
    assert text == "Shown text\n"


def test_control_characters_never_reach_the_text() -> None:
    text = html_to_text(page(
        '<h2 class="ltx_title">Intro\x1b]0;owned\x07duction</h2>'
        '<p class="ltx_p">red \x1b[31mtext&#27;[0m and \u202eevil\u202c, a tab\there</p>'
        '<p class="ltx_p"><math alttext="x\x1b[2J^2" display="inline"><mi>x</mi></math></p>'
    ))
    assert text == "Introduction\n\nred text and evil, a tab here\n\n$x^2$\n"
    assert not any(ord(ch) < 32 and ch != "\n" for ch in text)


def test_deep_nesting_is_flattened_not_a_crash() -> None:
    depth = 5000
    text = html_to_text(page("<span>" * depth + "deep words" + "</span>" * depth + '<p class="ltx_p">after</p>'))
    assert "deep words" in text and "after" in text


def test_tables_made_of_spans_are_rows_too() -> None:
    text = html_to_text(page(
        '<span class="ltx_tabular"><span class="ltx_tr"><span class="ltx_td">a</span><span class="ltx_td">b</span></span>'
        '<span class="ltx_tr"><span class="ltx_td">1</span><span class="ltx_td">2</span></span></span>'
    ))
    assert text == "a | b\n1 | 2\n"
