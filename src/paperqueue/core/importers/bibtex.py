"""BibTeX (and biblatex) files, with a small parser of our own.

Why not bibtexparser: we need a problem line per broken entry with its line
number and recovery after it, a hard linear-time bound on hostile input (a
million ``{``), and LaTeX-to-text without pulling in pylatexenc.

Parsing: the text is cut into chunks at each line whose first non-blank
character is ``@``, one entry per chunk, so a broken entry (unbalanced
braces, a missing comma) costs only itself: ``entry 4 (line 37): unbalanced
braces``, and the rest still import.  Each chunk is scanned once, left to
right, by :mod:`~paperqueue.core.importers.bibtex_scan`: linear.  The price: a value cannot hold a line starting with ``@``.
Speed: a short braced field is read in one regex match, a long one with
``str.find`` from brace to brace; only other values (quoted, ``#``,
macros) take the general path.  ``one_line`` and ``latex_to_text`` skip
their regexes for text they would give back unchanged, and author names and
venues are converted once per run.  ``benchmarks/bibtex_bench.py`` times it.
``@string`` macros and month names expand, ``#`` concatenates, ``@comment``,
``@preamble`` and text between entries are skipped, ``%`` lines between
fields are allowed; for a repeated field the first wins.

Fields::

    title, abstract         -> title, abstract (LaTeX to text, see latex.py);
                               no title but an arXiv id: a paper known by its id
    author (else the entry's own editor)
                            -> authors: "Last, First and First Last and others"
                               gives ("First Last", "First Last")
    eprint (archivePrefix / eprinttype arXiv or none; "cs.LG/ID" too), arxivid,
      an arXiv DOI (10.48550/arXiv.ID), then "arXiv:ID" or an arxiv.org URL in
      url, journal, number, volume, note, howpublished, booktitle, pages, pdf,
      file... after case braces go (journal={Ar{X}iv:1607.06450}); journal
      CoRR/arXiv with volume "abs/ID"   -> arxiv_id   (never title or abstract)
    doi (or a doi.org url)  -> doi
    url, bdsk-url-N, pdf, epub, howpublished, file (http only) -> links
    primaryClass, eprintclass -> categories
    date / year, month, day -> published: "YYYY-MM-DD" only for a full date,
                               otherwise "YYYY"
    the entry type          -> entry_type (lower case)
    booktitle (in* types) or journal / journaltitle -> venue
    crossref                -> missing year, date, booktitle (or the parent's
                               title), journal, author, editor, publisher...
                               come from the entry it names, wherever it is;
                               never its title, DOI, id or links

Problem lines: an undefined ``@string`` name or a broken ``@string`` is a
:class:`PartlyRead` warning (the entry still imports); every other line is
one entry that gave no paper, so papers + not understood = entries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from paperqueue.core.importers.bibtex_fields import _INHERITED as INHERITED
from paperqueue.core.importers.bibtex_fields import _plain as plain
from paperqueue.core.importers.bibtex_fields import inherit, paper_of
from paperqueue.core.importers.bibtex_scan import ENTRY_KEY_RE, TYPE_RE, Malformed, Scanner
from paperqueue.core.importers.latex import latex_to_text
from paperqueue.core.importers.record import ParsedPaper, PartlyRead, shown
from paperqueue.core.text import one_line

__all__ = ["ENTRY_TYPES", "chunks_of", "iter_bibtex", "latex_to_text", "parse_bibtex"]

# -- reading entries ---------------------------------------------------------

# Chunks start at each line whose first non-blank is "@".  Searched as "\n"
# then blanks (a literal first character lets the engine skip ahead fast).
CHUNK_RE = re.compile(r"\n[ \t]*@")

# Entry types a line starting with "@" names; a head without its "{" is a
# broken entry, not text between entries.
ENTRY_TYPES = frozenset(
    """article book booklet conference inbook incollection inproceedings manual mastersthesis misc
    phdthesis proceedings techreport unpublished online report thesis software dataset electronic
    patent www collection reference periodical suppbook suppcollection suppperiodical artwork audio
    video mvbook mvcollection mvproceedings mvreference bookinbook inreference set xdata
    image movie music performance standard""".split()
)
_HEAD_NAME_RE = re.compile(r"[ \t]*@[ \t]*([A-Za-z]+)")


LONGEST_ENTRY = 8 << 20  # characters in one entry; a longer one is skipped unread
_HEAD_KEPT = 4096  # of a skipped entry, enough to name its type
_BLANK_TAIL_RE = re.compile(r"[ \t]*\Z")
_CROSSREF_RE = re.compile("crossref", re.IGNORECASE)

# (line number, text, whole): text is an entry (or @string...) from its "@"
# to the next one; an entry longer than LONGEST_ENTRY comes as its head
# alone, with whole False.
Chunk = tuple[int, str, bool]


def chunks_of(blocks: Iterable[str], longest: int = LONGEST_ENTRY) -> Iterator[Chunk]:
    """The chunks of a text given in pieces of any size (a file read in
    blocks): each starts at a line whose first non-blank is "@"; text
    before the first is dropped.  Holds at most one chunk (up to *longest*
    characters) plus one block at a time."""
    buf = "\n"  # a line end before the text: a first line starting with "@" starts a chunk
    counted, counted_line = 0, 0  # newlines before buf[counted] end line counted_line
    scan = 0  # where the next search for a chunk start begins
    start: int | None = None  # where the current chunk starts in buf
    start_line, head = 0, ""  # head: of a chunk grown too long (then start is -1)

    def line_at(pos: int) -> int:
        nonlocal counted, counted_line
        counted_line += buf.count("\n", counted, pos)
        counted = pos
        return counted_line

    def drop(upto: int) -> None:
        nonlocal buf, counted, scan
        if upto > counted:
            line_at(upto)
        counted -= upto
        scan -= upto
        buf = buf[upto:]

    first = True
    for block in blocks:
        if first and block:
            block, first = block.lstrip("\ufeff"), False
        buf += block
        while (m := CHUNK_RE.search(buf, scan)) is not None:
            found = m.start() + 1
            line = line_at(found)
            if start is not None:
                if start < 0 or found - start > longest:
                    yield start_line, head if start < 0 else buf[start : start + _HEAD_KEPT], False
                else:
                    yield start_line, buf[start:found], True
            start, start_line = found, line
            scan = found
        # A line end followed by blanks only may yet start a chunk.
        newline = buf.rfind("\n", scan)
        scan = newline if newline >= 0 and _BLANK_TAIL_RE.match(buf, newline + 1) else len(buf)
        if start is None or start < 0:
            drop(scan)  # text before the first chunk, or the rest of a chunk too long
        else:
            drop(start)
            start = 0
            if len(buf) > longest:
                head, start = buf[:_HEAD_KEPT], -1
                drop(scan)
    if start is not None:
        if start < 0 or len(buf) - start > longest:
            yield start_line, head if start < 0 else buf[start : start + _HEAD_KEPT], False
        else:
            yield start_line, buf[start:], True


def _target(fields: dict[str, str]) -> str:
    """The key a crossref field names, as :func:`inherit` looks it up."""
    return one_line(plain(fields.get("crossref", ""))).lower()


class _Reader:
    """Entries of a chunk stream in file order, ``@string`` macros applied as
    they are defined."""

    def __init__(self) -> None:
        self.scanner = Scanner("")

    def entries(
        self, chunks: Iterable[Chunk], problem: Callable[[str], None] | None = None, wanted: Callable[[str], bool] | None = None
    ) -> Iterator[tuple[int, str, str, str, dict[str, str], list[str] | tuple]]:
        """(line, where, kind, key, fields, undefined macro names) per entry.
        Problem lines go to *problem*; with *wanted*, only chunks it accepts
        are read (and ``@string`` ones)."""
        scanner = self.scanner
        number = 0
        for line, text, whole in chunks:
            end = len(text)
            head = TYPE_RE.match(text, 0, end)
            if head is None:
                name = _HEAD_NAME_RE.match(text, 0, end)
                if name and name.group(1).lower() in ENTRY_TYPES:
                    number += 1
                    if problem:
                        problem(f"entry {number} (line {line}): no '{{' after @{name.group(1)}")
                continue  # otherwise a stray "@" in text between entries
            kind = head.group(1).lower()
            if kind in ("comment", "preamble"):
                continue
            closer = "}" if head.group(2) == "{" else ")"
            if scanner.unknown:
                scanner.unknown = []
            too_long = f"longer than {LONGEST_ENTRY >> 20} MB, not read"
            if kind == "string":
                if not whole:
                    if problem:
                        problem(PartlyRead(f"line {line}: @string: {too_long}"))
                    continue
                scanner.text = text
                try:
                    scanner.macros.update(scanner.fields(head.end(), end, closer))
                except Malformed as error:
                    if problem:
                        problem(PartlyRead(f"line {line}: @string: {error}"))
                continue
            number += 1
            where = f"entry {number} (line {line})"
            if not whole:
                if problem:
                    problem(f"{where}: {too_long}")
                continue
            if wanted is not None and not wanted(text):
                continue
            scanner.text = text
            try:
                key, fields = scanner.entry(head.end(), end, closer)
            except Malformed as error:
                if problem:
                    problem(f"{where}: {error}")
                continue
            unknown = scanner.unknown
            if unknown:  # (an empty list is shared by the entries: none is kept)
                scanner.unknown = []
            yield line, where, kind, key, fields, unknown or ()


def _entry_key(text: str) -> str:
    """The key of the entry in *text*, lower case, read without its fields."""
    head = TYPE_RE.match(text)
    key = ENTRY_KEY_RE.match(text, head.end()) if head else None
    return key.group(1).lower() if key else ""


def _parents(open_chunks: Callable[[], Iterable[Chunk]]) -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    """The entries that crossref fields name (by lower-case key), with only
    the fields a child can take, and the line each one starts on.  One pass
    finds the names (reading only entries that mention "crossref"), then
    one pass per level of a crossref chain reads the entries named."""
    targets = {
        _target(fields)
        for *_, fields, _unknown in _Reader().entries(open_chunks(), wanted=_CROSSREF_RE.search)
        if "crossref" in fields
    }
    parents: dict[str, dict[str, str]] = {}
    lines: dict[str, int] = {}
    for _level in range(5):  # inherit() follows a chain 4 entries deep at most
        missing = targets - parents.keys()
        if not missing:
            break
        found = False
        for line, _where, _kind, key, fields, _unknown in _Reader().entries(
            open_chunks(), wanted=lambda text: _entry_key(text) in missing
        ):
            key = key.lower()
            if not key or key in parents or key not in missing:
                continue
            found = True
            parents[key] = {name: fields[name] for name in _KEPT if name in fields}
            lines[key] = line
            if "crossref" in fields:
                targets.add(_target(fields))
        if not found:
            break
    return parents, lines


_KEPT = (*INHERITED, "title", "crossref")


def iter_bibtex(open_chunks: Callable[[], Iterable[Chunk]], problem: Callable[[str], None]) -> Iterator[ParsedPaper]:
    """Papers of a BibTeX stream in file order, problem lines (``entry N
    (line L): reason``) to *problem* as they come.

    *open_chunks* gives the chunks (:func:`chunks_of`) from the start each
    time it is called.  It is read once for the papers; the first entry
    with a crossref field has the whole stream read again to find the
    entries crossref fields name (and once more per level of a crossref
    chain).  Memory: one chunk, and the named entries' inheritable fields.

    An entry read in part (an undefined ``@string`` name) gives a
    :class:`PartlyRead` line; so does a broken ``@string`` (no entry is
    lost).  Every other line stands for one entry that gave no paper, so
    papers + not understood lines = entries.
    """
    parents: dict[str, dict[str, str]] | None = None
    lines: dict[str, int] = {}
    for line, where, kind, key, fields, unknown in _Reader().entries(open_chunks(), problem):
        for name in unknown[:3]:
            problem(PartlyRead(f"{where}: unknown @string name {shown(name)}"))
        full = fields
        if "crossref" in fields:
            if parents is None:
                parents, lines = _parents(open_chunks)
            target = _target(fields)
            # An entry naming itself takes nothing (inherit() sees the same dict).
            if not (target == key.lower() and lines.get(target) == line):
                full = inherit(fields, parents)
        notes: list[str] = []  # a DOI or class left out: said, still imported
        paper = paper_of(kind, full, fields, notes, where)
        for note in notes:
            problem(note)
        if isinstance(paper, str):
            problem(f"{where}: {paper}")
        else:
            yield paper


def parse_bibtex(text: str) -> tuple[list[ParsedPaper], list[str]]:
    """Papers and problem lines of a whole text (see :func:`iter_bibtex`)."""
    problems: list[str] = []
    papers = list(iter_bibtex(lambda: chunks_of((text,)), problems.append))
    return papers, problems
