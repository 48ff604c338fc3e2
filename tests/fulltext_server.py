"""What the full-text tests serve from the loopback server (net_server.py):
a real arXiv HTML page (trimmed; its origin is noted beside it in
tests/data/real/fulltext/) and PDFs made with fpdf2 in the test."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from net_server import Canned

REAL = Path(__file__).parent / "data" / "real" / "fulltext" / "arxiv-1706.03762v7-trimmed.html"


def make_pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


PDF = make_pdf("A paper without an HTML version. The okapi estimator converges.")


def html_answer() -> Canned:
    return Canned.text(REAL.read_bytes(), "text/html; charset=utf-8")


def pdf_answer(body: bytes = PDF) -> Canned:
    return Canned(200, body, {"Content-Type": "application/pdf"})
