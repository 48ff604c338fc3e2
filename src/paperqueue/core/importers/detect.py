"""Format detection and the one entry point for every input format.

Detection looks at the CONTENT first (the first 16 KB, after a BOM and
leading whitespace); the file name's extension only breaks ties:

1. ``[`` or ``{`` followed by JSON-ish text (``{ [ " ] }`` or the end):
   JSON.  Decoded in full and recognised by shape: rows with a ``paper``
   object -> ``hf`` (also a single row, or ``{"papers": [rows]}``); rows with
   ``key`` and ``title``, or the wrapper ``{"paperqueue": …, "papers": […]}``
   -> ``pq``.  JSON of any other shape raises :class:`UnreadableError`
   (never "page").  JSON that does not decode (truncated) is still put down
   to ``hf`` / ``pq`` when its head has ``"paper": {`` / ``"key":`` or
   ``"paperqueue":``, so parsing then reports where it broke; otherwise the
   decoding error is raised.
2. ``<``: XML.  The root element (found by skipping ``<?…?>``, comments and
   ``<!…>`` declarations) decides: ``feed`` with the Atom namespace in the head
   -> ``atom``; ``rss`` or ``rdf:RDF`` -> ``rss``.  When the head does not
   settle it and the text starts with ``<?xml`` or ``<!`` (or has a ``feed``
   root, or the name ends in .xml/.atom/.rss), the whole text is parsed
   (safely, see :mod:`xml_safe`) to find the root: entity refusals surface
   here, and any other root raises UnreadableError.  So does an HTML page.
3. A line starting with ``@article{`` / ``@misc(`` / ``@string{`` … (any
   standard BibTeX or biblatex entry type) -> ``bibtex``.
4. At least 60 % of the non-blank, non-``#`` lines name an arXiv id or URL
   -> ``ids``.
5. Otherwise a name ending in ``.bib`` -> ``bibtex``; anything else -> ``page``.

That is :func:`parse_text`, for text in memory.  A file is never decoded
whole: :func:`head_kind` classifies its head, and the importer then decides
JSON by its first rows (:mod:`json_stream`, the same :func:`json_shape`) and
XML by its root element (parsed only up to it, :func:`xml_format`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from paperqueue.core.importers.arxiv_feed import ATOM, RDF, load_xml, parse_atom
from paperqueue.core.importers.rss_feed import parse_rss
from paperqueue.core.importers.bibtex import parse_bibtex
from paperqueue.core.importers.hf_json import hf_rows, parse_hf
from paperqueue.core.importers.id_list import parse_ids, share_of_ids
from paperqueue.core.importers.page import NoPapersError, parse_page
from paperqueue.core.importers.pq_json import parse_pq, pq_rows
from paperqueue.core.importers.record import (
    ParsedPaper,
    PartlyRead,
    UnreadableError,
    load_json,
    not_understood,
)

__all__ = ["FORMATS", "ParseResult", "Problems", "UnreadableError", "detect_format", "parse_text"]

FORMATS = {
    "page": "trending-papers page",
    "hf": "Hugging Face daily papers JSON",
    "atom": "arXiv Atom feed",
    "rss": "arXiv RSS feed",
    "bibtex": "BibTeX",
    "ids": "list of arXiv ids/URLs",
    "pq": "paperqueue JSON export",
}
_NOUNS = {**FORMATS, "bibtex": "BibTeX file"}


@dataclass
class ParseResult:
    format: str  # a FORMATS key
    papers: list[ParsedPaper]
    problems: list[str] = field(default_factory=list)  # one line each
    # Entries that gave no paper, counted before the problem lines are cut
    # short; PartlyRead lines (warnings about entries still imported) do not count.
    not_understood: int = 0


_HEAD = 16 * 1024
MAX_PROBLEMS = 100  # problem lines returned; more are summed up in one last line
_IDS_SHARE = 0.6
_LEADING = "\ufeff \t\r\n"
_JSON_START_RE = re.compile(r"[\[{]\s*(?:[\[{\"\]}]|\Z)")
_HF_MARK_RE = re.compile(r'"paper"\s*:\s*\{')
_PQ_MARK_RE = re.compile(r'"(?:key|paperqueue)"\s*:')
_TAG_RE = re.compile(r"[A-Za-z_][\w.:-]*")
_ATOM_NS = ATOM.strip("{}")
_BIB_TYPES = (
    "article|book|booklet|conference|inbook|incollection|inproceedings|manual|"
    "mastersthesis|misc|phdthesis|proceedings|techreport|unpublished|online|"
    "report|thesis|software|dataset|electronic|patent|www|collection|"
    "reference|periodical|suppbook|suppcollection|artwork|audio|video|"
    "preamble|string|comment"
)
_BIB_RE = re.compile(rf"^[ \t]*@[ \t]*(?:{_BIB_TYPES})[ \t]*[{{(]", re.IGNORECASE | re.MULTILINE)


class Problems:
    """Problem lines as they come, for a stream: the first
    :data:`MAX_PROBLEMS` kept (then one line counting the rest), every
    entry that gave no paper counted (:class:`PartlyRead` lines are not)."""

    def __init__(self) -> None:
        self.kept: list[str] = []
        self.total = 0
        self.not_understood = 0

    def add(self, line: str) -> None:
        self.total += 1
        self.not_understood += not isinstance(line, PartlyRead)
        if len(self.kept) <= MAX_PROBLEMS:
            self.kept.append(line)

    def lines(self) -> list[str]:
        """The lines to show: all of them, or the first MAX_PROBLEMS and a count."""
        if self.total <= MAX_PROBLEMS + 1:
            return list(self.kept)
        return [*self.kept[:MAX_PROBLEMS], PartlyRead(f"… and {self.total - MAX_PROBLEMS} more problems")]


def no_papers(fmt: str, first_problem: str | None) -> UnreadableError:
    """The refusal of a file of format *fmt* that gave no paper."""
    reason = f": {first_problem}" if first_problem else ""
    return UnreadableError(f"no papers found in this {_NOUNS[fmt]}{reason}")


def _xml_root(head: str) -> str | None:
    """Name of the first element tag in *head*, or None."""
    pos = 0
    while (pos := head.find("<", pos)) >= 0:
        if head.startswith("<?", pos):
            end = head.find("?>", pos)
        elif head.startswith("<!--", pos):
            end = head.find("-->", pos)
        elif head.startswith("<!", pos):
            end = head.find(">", pos)
        else:
            tag = _TAG_RE.match(head, pos + 1)
            return tag.group() if tag else None
        if end < 0:
            return None
        pos = end + 1
    return None


def json_shape(data: object) -> str:
    """``"hf"`` or ``"pq"`` for decoded JSON *data* (only its first rows are
    looked at); :class:`UnreadableError` for JSON of any other shape."""
    if hf_rows(data) is not None:
        return "hf"
    if pq_rows(data) is not None:
        return "pq"
    if data in ([], {}):
        raise UnreadableError("JSON holds nothing (an empty list or object)")
    raise UnreadableError(
        "JSON of an unknown shape: not a list of daily-papers rows (with \"paper\" "
        "objects) nor a paperqueue export (papers with \"key\" and \"title\")"
    )


def json_marks(head: str) -> str | None:
    """``"hf"`` / ``"pq"`` when JSON that does not decode shows the marks of
    one in its head (so the error is reported as that format's), else None."""
    head = head[:_HEAD]
    if _HF_MARK_RE.search(head):
        return "hf"
    if _PQ_MARK_RE.search(head):
        return "pq"
    return None


def _json_format(body: str, data: object = None) -> tuple[str, object]:
    try:
        data = load_json(body) if data is None else data
    except UnreadableError as error:
        marked = json_marks(body)
        if marked:
            return marked, error
        raise
    return json_shape(data), data


def head_kind(text: str, name: str = "", json: bool = True) -> str:
    """What the head of a file says: a :data:`FORMATS` key, or ``"json"``
    (JSON for sure: decide the kind by its rows), ``"json?"`` (JSON only if
    it decodes, such as ``[1, 2]``), ``"xml"`` (XML whose root is past the
    head: parse up to it).  With ``json=False`` the JSON checks are skipped
    (for a ``"json?"`` head that did not decode).  Raises
    :class:`UnreadableError` for an HTML page."""
    body = text.lstrip(_LEADING)
    head = body[:_HEAD]
    extension = name.lower().rpartition(".")[2] if "." in name else ""
    if json and _JSON_START_RE.match(head):
        return "json"
    if json and head.startswith(("[", "{")):  # "[1, 2]", "{ 3 }"...: JSON only if it decodes
        return "json?"
    if head.startswith("<"):
        root = _xml_root(head)
        local = (root or "").rpartition(":")[2]
        if local == "feed" and _ATOM_NS in head:
            return "atom"
        if local in ("rss", "RDF"):
            return "rss"
        if local.lower() == "html":
            raise UnreadableError("an HTML page: copy the page's text from the browser instead")
        if head.startswith(("<?xml", "<!")) or local == "feed" or extension in ("xml", "atom", "rss"):
            # The root is past the head (a long DTD?) or of another kind:
            # parse (safely) to find out; refusals surface there.
            return "xml"
    if _BIB_RE.search(head):
        return "bibtex"
    if len(body) > _HEAD:
        head = head.rpartition("\n")[0]  # the last line may be cut short
    if share_of_ids(head) >= _IDS_SHARE:
        return "ids"
    if extension in ("bib", "bibtex"):
        return "bibtex"
    return "page"


def xml_format(tag: str) -> str:
    """``"atom"`` / ``"rss"`` for a root element's tag; UnreadableError otherwise."""
    if tag == ATOM + "feed":
        return "atom"
    if tag in ("rss", RDF + "RDF"):
        return "rss"
    raise UnreadableError(f"XML with root <{tag.rpartition('}')[2]}>: not an Atom or RSS feed")


def _sniff(text: str, name: str) -> tuple[str, object]:
    """(format, decoded JSON / parsed XML root / a decoding error / None)."""
    kind = head_kind(text, name)
    body = text.lstrip(_LEADING)
    if kind == "json":
        return _json_format(body)
    if kind == "json?":
        try:
            data = load_json(body)
        except UnreadableError:
            data = None
        if isinstance(data, (list, dict)):
            return _json_format(body, data)
        kind = head_kind(text, name, json=False)
    if kind == "xml":
        element = load_xml(body)
        return xml_format(element.tag), element
    return kind, None


def detect_format(text: str, name: str = "") -> str:
    """The :data:`FORMATS` key for *text* (*name* only breaks ties).
    Raises :class:`UnreadableError` for JSON or XML of no known kind.

    The first 16 KB of a file are enough (so a caller can stream a huge
    "page" file through :func:`~paperqueue.core.importers.page.iter_page`):
    cut-off JSON is still recognised by its ``"paper": {`` / ``"key":``
    marks, XML by its root tag in the head."""
    return _sniff(text, name)[0]


def parse_text(text: str, name: str = "") -> ParseResult:
    """Detect the format of *text* and parse it.

    Returns the papers and one-line problems (entries or lines that were
    skipped or partly read; at most :data:`MAX_PROBLEMS` of them, then one
    line counting the rest).  Raises :class:`UnreadableError` with a
    one-line reason when nothing usable is found (zero papers).
    """
    fmt, data = _sniff(text, name)
    if isinstance(data, UnreadableError):
        raise data
    text = text.lstrip("\ufeff")
    problems: list[str] = []
    if fmt == "page":
        try:
            papers = parse_page(text)
        except NoPapersError:
            raise UnreadableError("no papers found (no title followed by an abstract)") from None
    elif fmt == "hf":
        papers, problems = parse_hf(data)
    elif fmt == "pq":
        papers, problems = parse_pq(data)
    elif fmt == "atom":
        papers, problems = parse_atom(text if data is None else data)
    elif fmt == "rss":
        papers, problems = parse_rss(text if data is None else data)
    elif fmt == "bibtex":
        papers, problems = parse_bibtex(text)
    else:
        papers, problems = parse_ids(text)
    if not papers:
        raise no_papers(fmt, problems[0] if problems else None)
    skipped = not_understood(problems)  # warnings (PartlyRead) are shown, not counted
    if len(problems) > MAX_PROBLEMS + 1:
        more = len(problems) - MAX_PROBLEMS
        problems = [*problems[:MAX_PROBLEMS], PartlyRead(f"… and {more} more problems")]
    return ParseResult(fmt, papers, problems, skipped)
