"""The queue as BibTeX that BibTeX, biber, pybtex and bibtexparser all read,
and that ``paperqueue import`` reads back into the same papers.

Text (titles, abstracts, venues, names, tags, notes) is stored as plain
Unicode, except ``$...$`` (and ``$$...$$``), which is TeX math kept as
arXiv shows it.  So:

* outside math, the characters TeX treats specially are written as
  commands: ``\\& \\% \\# \\_ \\$ \\textbackslash{} \\textasciitilde{}
  \\textasciicircum{}``;
* math passes through untouched, but for a bare ``%`` ``#`` ``&`` (which
  would end the line or break the document in LaTeX): they get a backslash;
* braces: BibTeX (and pybtex) count a brace even after a backslash, so a
  stray ``}`` written ``\\}`` ends the field early and the rest of the file
  goes wrong.  Braces that pair up within a value are written ``\\{ \\}``
  (in math: as they are); one without a partner becomes
  ``\\textbraceleft{}`` / ``\\textbraceright{}`` (in math ``\\lbrace{}`` /
  ``\\rbrace{}``, or nothing for a bare grouping brace).  Every value's
  braces balance.

Names are written as stored ("First Last"); a name holding a comma or the
word "and" (``Bell, II``, ``Barnes and Noble``) is wrapped in braces so no
reader splits it.  The title is wrapped in braces too, so styles keep its
case.  A paper known only by its arXiv id has no title field (the
placeholder the list shows is not a title); its ``eprint`` says which
paper it is.

Entry type: the one the paper came with (``@inproceedings`` stays
``@inproceedings``), else ``@article`` when a journal is known, else
``@misc``.  The venue is the ``booktitle`` of ``inproceedings``,
``incollection``, ``inbook`` and ``conference`` entries and the
``journal`` of every other type.

Links: ``url`` is the paper's arXiv page, else its DOI page, else its first
link that is not a code repository, else its first link (a search URL is
never written).  The other links (code, project pages, PDF) follow as
``bdsk-url-1``, ``bdsk-url-2``, ..., the fields BibDesk uses for extra
links; styles ignore them.  DOIs are written exactly as stored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from paperqueue.core.importers.record import CATEGORY_RE
from paperqueue.core.models import Paper, PaperDetails, PaperState

Row = tuple[Paper, PaperDetails, PaperState]

__all__ = ["bibtex_text", "citation_key", "latex_escape", "to_bibtex"]

# -- values --------------------------------------------------------------------

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
# Text: a math span, a brace, or one special character.  Linear: each
# alternative either matches at once or (math) scans to the next "$" only.
# Every alternative starts with a literal, so the engine skips plain text fast.
_TEXT_RE = re.compile(r"\$\$[^$]+\$\$|\$[^$]+\$|\{|\}|\\|&|%|\$|#|_|~|\^")
# Inside math: an escaped pair (kept; \{ and \} still count as braces), a
# bare brace, or a bare %, # or &.
_MATH_RE = re.compile(r"\\(?P<ebrace>[{}])|\\.|(?P<brace>[{}])|(?P<bare>[%#&])", re.DOTALL)
_BRACE_RE = re.compile(r"[{}]")
_MATH_BARE_RE = re.compile(r"[%#&]")

# For each brace: (written when paired, written when alone), by kind.
_TEXT_BRACE = {"{": ("\\{", r"\textbraceleft{}"), "}": ("\\}", r"\textbraceright{}")}
_MATH_EBRACE = {"{": ("\\{", r"\lbrace{}"), "}": ("\\}", r"\rbrace{}")}
_MATH_BRACE = {"{": ("{", ""), "}": ("}", "")}


class _Pieces:
    """Output pieces, with the braces among them balanced on demand."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.braces: list[tuple[int, bool, str]] = []  # (index, opens, written when alone)

    def add(self, text: str) -> None:
        self.out.append(text)

    def brace(self, char: str, forms: dict[str, tuple[str, str]]) -> None:
        paired, alone = forms[char]
        self.braces.append((len(self.out), char == "{", alone))
        self.out.append(paired)

    def balance(self) -> None:
        """Write every brace without a partner in its lone form."""
        open_at: list[tuple[int, str]] = []
        for index, opens, alone in self.braces:
            if opens:
                open_at.append((index, alone))
            elif open_at:
                open_at.pop()
            else:
                self.out[index] = alone
        for index, alone in open_at:
            self.out[index] = alone
        self.braces = []


def _math(span: str) -> str:
    """A math span as written: as it is when its braces balance and it has
    no bare ``%`` ``#`` ``&`` (the usual case), else mended."""
    depth = 0
    for brace in _BRACE_RE.findall(span):
        depth += 1 if brace == "{" else -1
        if depth < 0:
            break
    if depth == 0 and not _MATH_BARE_RE.search(span):
        return span
    pieces = _Pieces()  # a math span balances on its own
    last = 0
    for m in _MATH_RE.finditer(span):
        pieces.add(span[last : m.start()])
        last = m.end()
        if m.group("ebrace"):
            pieces.brace(m.group("ebrace"), _MATH_EBRACE)
        elif m.group("brace"):
            pieces.brace(m.group("brace"), _MATH_BRACE)
        elif m.group("bare"):
            pieces.add("\\" + m.group("bare"))
        else:
            pieces.add(m.group())
    pieces.add(span[last:])
    pieces.balance()
    return "".join(pieces.out)


# TeX that does more than typeset: file and shell I/O, definitions, building
# or re-reading control sequences, and ^^ (which spells any character, so
# any command).  A math span holding one is written as text, dollars and all.
_UNSAFE_MATH_RE = re.compile(
    r"\^\^|\\(?:write|immediate|openout|openin|closeout|closein|read|readline|input|include|"
    r"includeonly|InputIfFileExists|IfFileExists|verbatiminput|lstinputlisting|directlua|latelua|"
    r"special|def|edef|gdef|xdef|let|futurelet|catcode|lccode|uccode|csname|scantokens|"
    r"expandafter|newcommand|renewcommand|providecommand|DeclareRobustCommand|newenvironment|"
    r"renewenvironment|every[a-z]*|output|shipout|usepackage|RequirePackage|documentclass|"
    r"endinput|jobname|makeatletter|makeatother|ShellEscape|pdfprimitive)(?![A-Za-z])"
)
_PLAIN_RE = re.compile(r"[{}\\&%$#_~^]")


def _as_text(span: str) -> str:
    return _PLAIN_RE.sub(lambda m: "\0" + m.group() if m.group() in "{}" else _SPECIAL[m.group()], span)


def _token(m: re.Match[str]) -> str:
    token = m.group()
    if len(token) > 1:
        return _as_text(token) if _UNSAFE_MATH_RE.search(token) else _math(token)
    if token in "{}":
        return "\0" + token  # placed once the whole value is known
    return _SPECIAL[token]


def _place_braces(written: str) -> str:
    """Each brace of the text (after a NUL mark) as ``\\{ \\}`` when it pairs
    up within the value, else in its lone form."""
    parts = written.split("\0")
    open_at: list[int] = []
    alone: set[int] = set()
    for index in range(1, len(parts)):
        if parts[index][0] == "{":
            open_at.append(index)
        elif open_at:
            open_at.pop()
        else:
            alone.add(index)
    alone.update(open_at)
    out = [parts[0]]
    for index in range(1, len(parts)):
        part = parts[index]
        out.append(_TEXT_BRACE[part[0]][index in alone] + part[1:])
    return "".join(out)


def bibtex_text(text: str) -> str:
    """``text`` as the body of a braced BibTeX value (see the module docstring)."""
    # One line (a line starting with "@" would start an entry); NUL marks braces.
    text = " ".join(text.replace("\0", "").split())
    written = _TEXT_RE.sub(_token, text)
    return _place_braces(written) if "\0" in written else written


latex_escape = bibtex_text  # the name this had before math and braces were handled

_SPLITS_NAME_RE = re.compile(r",|\band\b", re.IGNORECASE)
# Braces (they would close the value), backslashes (TeX commands), blanks
# and control characters: percent-encoded, as in a URL.
_URL_UNSAFE_RE = re.compile(r"[{}\\\s\x00-\x1f\x7f-\x9f]")


def _name(name: str) -> str:
    written = bibtex_text(name)
    return "{" + written + "}" if _SPLITS_NAME_RE.search(written) else written


def _raw(value: str) -> str:
    """A URL, DOI or id as is, but for braces, backslashes, blanks and
    control characters (percent-encoded: ``%7B %7D %5C %20``)."""
    return _URL_UNSAFE_RE.sub(lambda m: f"%{ord(m.group()):02X}", value.strip())


# -- entries -------------------------------------------------------------------

_STOP = {"a", "an", "the", "on", "of", "for", "and", "in", "to", "with", "from", "via", "is", "are", "towards", "toward"}
_TYPE_RE = re.compile(r"[a-z]{1,40}")
_BOOKTITLE_TYPES = frozenset({"inproceedings", "incollection", "inbook", "conference"})
_CODE_HOST_RE = re.compile(r"https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|huggingface\.co)[/?#]", re.I)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if c.isascii() and c.isalnum()).lower()


def citation_key(paper: Paper, details: PaperDetails) -> str:
    """``lastname`` + ``year`` + first significant title word: vaswani2017attention.
    A paper known by its arXiv id alone: ``anonndarxiv240301234``."""
    author = details.authors[0].split()[-1] if details.authors else "anon"
    year = (details.published or "")[:4]
    year = year if year.isdigit() else "nd"
    words = [w for w in re.findall(r"[^\W_]+", paper.title) if w.lower() not in _STOP]
    if words:
        word = _ascii_word(words[0])
    elif not paper.title and paper.arxiv_id:
        word = "arxiv" + _ascii_word(paper.arxiv_id)
    else:
        word = "paper"
    return f"{_ascii_word(author) or 'anon'}{year}{word or 'paper'}"


def entry_type(details: PaperDetails) -> str:
    kind = (details.entry_type or "").strip().lower()
    if _TYPE_RE.fullmatch(kind):
        return kind
    return "article" if details.venue else "misc"


def _links(paper: Paper, details: PaperDetails) -> tuple[str | None, list[str]]:
    """The ``url`` and the other links, in order, without repeats."""
    links = list(dict.fromkeys(link for link in paper.links if link))
    if details.pdf_url and not paper.arxiv_id:  # an arXiv PDF says nothing the eprint does not
        links.append(details.pdf_url)
    if paper.arxiv_id or paper.doi:
        url = paper.primary_link
    else:  # the search URL primary_link falls back to is no citation
        url = next((link for link in links if not _CODE_HOST_RE.match(link)), links[0] if links else None)
    return url, [link for link in dict.fromkeys(links) if link != url]


def _fields(paper: Paper, details: PaperDetails, state: PaperState, kind: str) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    if paper.title:
        fields.append(("title", "{" + bibtex_text(paper.title) + "}"))
    if details.authors:
        fields.append(("author", " and ".join(_name(a) for a in details.authors)))
    if details.venue:
        fields.append(("booktitle" if kind in _BOOKTITLE_TYPES else "journal", bibtex_text(details.venue)))
    year = (details.published or "")[:4]
    if year.isdigit():
        fields.append(("year", year))
    if paper.arxiv_id:
        fields += [("eprint", _raw(paper.arxiv_id)), ("archivePrefix", "arXiv")]
        if details.categories and CATEGORY_RE.fullmatch(details.categories[0]):  # checked on import too
            fields.append(("primaryClass", details.categories[0]))
    if paper.doi:
        fields.append(("doi", _raw(paper.doi)))  # as stored: DOIs keep their case
    url, others = _links(paper, details)
    if url:
        fields.append(("url", _raw(url)))
    fields += [(f"bdsk-url-{n}", _raw(link)) for n, link in enumerate(others, 1)]
    if details.abstract:
        fields.append(("abstract", bibtex_text(details.abstract)))
    if state.tags:
        fields.append(("keywords", bibtex_text(", ".join(state.tags))))
    if state.note:
        fields.append(("note", bibtex_text(state.note)))
    return fields


def to_bibtex(store: object, selected: Iterable[Row]) -> str:
    """One entry per paper, blank-line separated; keys unique in the file."""
    entries = []
    used: dict[str, int] = {}
    for paper, details, state in selected:
        key = base = citation_key(paper, details)
        while key in used:  # smith2020deep, smith2020deepa, ...: never one already given
            used[base] += 1
            count = used[base] - 1
            key = base + _LETTERS[(count - 1) % 26] * (1 + (count - 1) // 26)
        used.setdefault(base, 1)
        used.setdefault(key, 1)
        kind = entry_type(details)
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in _fields(paper, details, state, kind))
        entries.append(f"@{kind}{{{key},\n{body}\n}}\n" if body else f"@{kind}{{{key}\n}}\n")
    return "\n".join(entries)
