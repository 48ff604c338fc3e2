"""Papers' full texts: PDFs and texts cached in the data folder, arXiv's
HTML version turned into text (the PDF's text without one), and a search
index over the texts fetched.

- :mod:`.html_text`: arXiv's HTML (LaTeXML) to plain text;
- :mod:`.pdf_text`: a PDF's text (pypdf);
- :mod:`.cache`: the cache folder, its size cap and eviction;
- :mod:`.download`: :func:`fetch_pdf` and :func:`full_text`, through the
  project's HTTP client;
- :mod:`.search_index`: the full-text FTS5 index;
- :mod:`.positions`: where reading stopped, per paper.
"""

from paperqueue.core.fulltext.cache import DEFAULT_CAP, CachedText, CacheSize, FullTextCache, stem_for
from paperqueue.core.fulltext.download import (
    MAX_PDF_BYTES,
    FullText,
    FullTextError,
    PaperRef,
    Progress,
    fetch_pdf,
    full_text,
    html_url,
    pdf_url,
)
from paperqueue.core.fulltext.html_text import NoHtmlVersion, html_to_text
from paperqueue.core.fulltext.pdf_text import PdfTextError, pdf_to_text
from paperqueue.core.fulltext.positions import Position, ReadingPositions
from paperqueue.core.fulltext.search_index import FullTextIndex

__all__ = [
    "DEFAULT_CAP", "MAX_PDF_BYTES", "CacheSize", "CachedText", "FullText", "FullTextCache", "FullTextError",
    "FullTextIndex", "NoHtmlVersion", "PaperRef", "PdfTextError", "Position", "Progress", "ReadingPositions",
    "fetch_pdf", "full_text", "html_to_text", "html_url", "pdf_to_text", "pdf_url", "stem_for",
]
