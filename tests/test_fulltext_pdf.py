"""A PDF's text with pypdf: PDFs made here with fpdf2, then damaged."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from paperqueue.core.fulltext.pdf_text import PdfTextError, pdf_to_text


def make_pdf(pages: list[str]) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


PAGES = [
    "Sparse attention for long documents. We study gradient descent on convex losses.",
    "Section 2: Results. The zebrafinch corpus gives 41.8 BLEU.",
]


def test_text_page_by_page(tmp_path: Path) -> None:
    path = tmp_path / "paper.pdf"
    path.write_bytes(make_pdf(PAGES))
    seen = []
    text = pdf_to_text(path, progress=lambda page, pages: seen.append((page, pages)))
    first, second = text.strip().split("\n\n")
    assert "Sparse attention for long documents." in first and "gradient descent" in first
    assert "zebrafinch corpus gives 41.8 BLEU." in second
    assert seen == [(1, 2), (2, 2)]


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_a_truncated_pdf_is_a_clear_error(tmp_path: Path, keep: float) -> None:
    data = make_pdf(PAGES)
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(PdfTextError) as raised:
        pdf_to_text(path)
    message = str(raised.value)
    assert message.startswith("cut.pdf: the PDF is damaged") and "\n" not in message


@pytest.mark.parametrize("body", [b"<html><body>Not found</body></html>", b"", b"%PDF-1.7\n" + b"\x00" * 2000])
def test_not_a_pdf_or_garbage_is_a_clear_error(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(body)
    with pytest.raises(PdfTextError) as raised:
        pdf_to_text(path)
    assert "\n" not in str(raised.value)


def test_pages_without_text_say_so(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf(["", ""]))
    with pytest.raises(PdfTextError, match="has no text"):
        pdf_to_text(path)


def test_control_characters_from_the_pdf_are_removed(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.set_compression(False)
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.cell(0, 8, "plain words!!!")
    data = bytes(pdf.output()).replace(b"plain words!!!", b"plain\x1b[2Jwords")  # same length: the xref still points right
    assert b"\x1b[2J" in data
    path = tmp_path / "esc.pdf"
    path.write_bytes(data)
    text = pdf_to_text(path)
    assert "\x1b" not in text and "plainwords" in text


def test_a_missing_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(PdfTextError, match="cannot read"):
        pdf_to_text(tmp_path / "gone.pdf")


REAL_PDFS = Path(__file__).parent / "data" / "real" / "fulltext"


def test_a_real_latex_pdf_gives_its_text_page_by_page():
    """A real LaTeX (Beamer) PDF from a public repository (origin in the folder's README)."""
    text = pdf_to_text(REAL_PDFS / "poppler-sample-beamer.pdf")
    assert "Example Presentation Created with the Beamer" in text
    assert "Charles Brunet" in text and "Transitions Tests" in text
    assert "\x00" not in text and "\x1b" not in text


def test_a_real_password_protected_pdf_says_so_in_one_line():
    """Said as encrypted, not as damaged (pypdf's 'not decrypted' error was shown as a cut-short file)."""
    with pytest.raises(PdfTextError) as caught:
        pdf_to_text(REAL_PDFS / "poppler-document-encrypted.pdf")
    assert str(caught.value) == "poppler-document-encrypted.pdf: the PDF is encrypted (it needs a password)"
