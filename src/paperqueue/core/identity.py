"""Paper identity: arXiv ids, normalised titles, dedup keys and links.

All regular expressions here are linear: no nested quantifiers, and every
variable-length part is a single character class, so hostile input (a 1 MB
line of garbage) cannot trigger catastrophic backtracking.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from urllib.parse import quote_plus

__all__ = [
    "ARXIV_NEW",
    "ARXIV_OLD",
    "arxiv_abs_url",
    "arxiv_search_url",
    "doi_key",
    "extract_links",
    "find_arxiv_id",
    "first_surname",
    "normalise_title",
    "paper_key",
    "parse_arxiv_id",
    "TitleIndex",
    "suffix_for",
    "suffixes",
    "year_of",
]

#: New-style identifier (April 2007 on): YYMM.NNNN or YYMM.NNNNN.
ARXIV_NEW = r"\d{4}\.\d{4,5}"
#: Old-style identifier: archive[.SUBJECT-CLASS]/YYMMNNN, e.g. ``hep-th/9901001``,
#: ``math.GT/0309136``, ``cs/0112017``.
ARXIV_OLD = r"[A-Za-z]+(?:-[A-Za-z]+)?(?:\.[A-Za-z]+(?:-[A-Za-z]+)?)?/\d{7}"

# The id, an optional version that is not returned, and no further digit (so a
# six-digit tail or an eight-digit old number is not cut down to a match).
_ID = rf"(?P<id>{ARXIV_NEW}|{ARXIV_OLD})(?:[vV]\d+)?(?!\d)"

# Where an id counts inside free text: after "arXiv:" or in an arxiv.org URL
# (any subdomain, e.g. export.arxiv.org).  A bare number does not count.
_FIND_RE = re.compile(rf"(?:\b(?i:arxiv)[ \t]*:[ \t]*|\b(?i:arxiv\.org/(?:abs|pdf|html))/){_ID}")

# What a user may type when they mean an id.
_PARSE_BARE_RE = re.compile(rf"(?:(?i:arxiv)\s*:\s*)?{_ID}")
_PARSE_URL_RE = re.compile(
    rf"(?:(?:(?i:https?)://)?(?:[\w-]+\.)*(?i:arxiv\.org))?/?(?i:abs|pdf|html)/{_ID}"
    r"(?:\.(?i:pdf))?/?(?:[?#]\S*)?"
)


def _canonical(m: re.Match[str]) -> str:
    """Old-style archive names are lower case; the subject class is kept."""
    aid = m.group("id")
    if "/" in aid:
        archive, sep, rest = aid.partition("/")
        head, dot, cls = archive.partition(".")
        return head.lower() + dot + cls + sep + rest
    return aid


def find_arxiv_id(text: str) -> str | None:
    """Return the first arXiv id written in *text*, without its version.

    Recognised forms: ``arXiv:2403.01234``, ``arXiv: 2403.01234v2``,
    ``arxiv.org/abs/…``, ``arxiv.org/pdf/…[.pdf]``, ``arxiv.org/html/…``
    (also on subdomains such as ``export.arxiv.org``); "arxiv" in any case;
    new-style and old-style ids.  Bare numbers in prose and DOIs such as
    ``10.1234/2403.01234`` are ignored.
    """
    if "arxiv" not in text.lower():  # cheap pre-check; most text has none
        return None
    m = _FIND_RE.search(text)
    return _canonical(m) if m else None


def parse_arxiv_id(s: str) -> str | None:
    """Parse a string meant to be an arXiv id (CLI/user input).

    Accepts ``2403.01234``, ``2403.01234v3``, ``arXiv:2403.01234v3``,
    ``https://arxiv.org/abs/…``, ``…/pdf/….pdf``, ``…/html/…``, with or
    without scheme, and old-style ids.  Returns the id without version, or
    None when the whole string is not one of these forms.
    """
    s = s.strip()
    m = _PARSE_BARE_RE.fullmatch(s) or _PARSE_URL_RE.fullmatch(s)
    return _canonical(m) if m else None


_NON_ALNUM_RE = re.compile(r"[\W_]+")


def normalise_title(title: str) -> str:
    """Identity form of a title.

    NFKC, casefold, accents stripped (NFKD and combining marks dropped), every
    run of characters that are not letters or digits becomes one space, ends
    stripped.  ``"Attention Is All You Need!"`` and
    ``"attention is all   you need"`` give the same result.
    """
    if title.isascii():  # the common case: no normalisation or accents to undo
        return _NON_ALNUM_RE.sub(" ", title.lower()).strip()
    s = unicodedata.normalize("NFKC", title).casefold()
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return _NON_ALNUM_RE.sub(" ", s).strip()


def paper_key(arxiv_id: str | None, title: str, doi: str | None = None) -> str:
    """Dedup key: ``arxiv:<id>`` when an id is known, else ``doi:<doi>`` when
    a DOI is, else ``title:<slug>``.

    A given id is passed through :func:`parse_arxiv_id` so that
    ``2403.01234v2`` and ``arXiv:2403.01234`` give the same key; a string that
    does not parse is used as given (stripped).  Raises ValueError when there
    is no id and the title has no letters or digits.
    """
    if arxiv_id and arxiv_id.strip():
        return "arxiv:" + (parse_arxiv_id(arxiv_id) or arxiv_id.strip())
    if doi and doi.strip():
        return "doi:" + doi_key(doi)
    norm = normalise_title(title)
    if not norm:
        raise ValueError(f"cannot build a key from title {title!r}")
    return "title:" + norm.replace(" ", "-")


def doi_key(doi: str) -> str:
    """The form DOIs are matched in: DOIs are case-insensitive, so lower
    case (a paper keeps its DOI as written; this is only for comparing)."""
    return doi.strip().lower()


def year_of(published: str | None) -> int | None:
    """The year of a stored date (``YYYY``, ``YYYY-MM-DD``, ISO date-time)."""
    if published and len(published) >= 4 and published[:4].isdigit():
        return int(published[:4])
    return None


_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def first_surname(authors: tuple[str, ...] | list[str]) -> str | None:
    """The first author's surname in identity form: ``"Vaswani, Ashish"``,
    ``"Ashish Vaswani"`` and ``"A. Vaswani"`` all give ``"vaswani"``. A
    trailing ``Jr.``/``III`` is skipped. None when there is no author."""
    if not authors:
        return None
    name = authors[0]
    head, comma, _rest = name.partition(",")
    words = normalise_title(head if comma else name).split()
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    return words[-1] if words else None


# How much of a surname a readable suffix keeps, and of the abstract the
# content hash reads (normalised): enough to tell papers apart, bounded
# for hostile input.
_SURNAME_CHARS = 40
_ABSTRACT_CHARS = 500


def suffixes(
    title: str,
    authors: tuple[str, ...] | list[str] = (),
    published: str | None = None,
    arxiv_id: str | None = None,
    doi: str | None = None,
    abstract: str = "",
) -> Iterator[str]:
    """The suffixes that may tell this paper's key from a taken one, best
    first, each a function of the paper's own data only (never of what a
    store holds), so every device that imports the same record tries the
    same ones in the same order.

    First ``~<surname>-<year>`` (or ``~<surname>``) when the first author's
    surname is known; never digits alone, so a new suffix is never mistaken
    for the ``~<number>`` of older stores. Then a hash of the normalised
    title, surname, year, arXiv id, DOI and the start of the abstract: 8 hex
    digits, then 16, then 16 of the hash of the hash, and so on without end.
    """
    surname = first_surname(tuple(authors))
    year = year_of(published)
    if surname and any(c.isalpha() for c in surname):
        readable = surname[:_SURNAME_CHARS]
        yield f"~{readable}-{year}" if year is not None else f"~{readable}"
    arxiv = (parse_arxiv_id(arxiv_id) or arxiv_id.strip()) if arxiv_id else ""
    content = "\x1f".join(
        (
            normalise_title(title),
            surname or "",
            str(year) if year is not None else "",
            arxiv,
            doi_key(doi) if doi else "",
            normalise_title(abstract)[:_ABSTRACT_CHARS] if abstract else "",
        )
    )
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    yield "~" + digest[:8]
    yield "~" + digest[:16]
    while True:
        digest = hashlib.sha256(digest.encode("ascii")).hexdigest()
        yield "~" + digest[:16]


def suffix_for(
    key: str,
    taken: Callable[[str], bool],
    title: str,
    authors: tuple[str, ...] | list[str] = (),
    published: str | None = None,
    arxiv_id: str | None = None,
    doi: str | None = None,
    abstract: str = "",
) -> str:
    """The first of :func:`suffixes` that makes ``key`` + suffix a key that
    ``taken`` says is free. The candidates are the same everywhere; which one
    is free is where a store still has a say: the readable one when another
    paper of that title, surname and year already holds it (rare: such a
    pair is told apart only by an id, and an id makes its own key), and a
    hash only when two papers' hashed data are identical (a merge folds such
    records into one, so only records it did not fold get this far)."""
    return next(s for s in suffixes(title, authors, published, arxiv_id, doi, abstract) if not taken(key + s))


class TitleIndex:
    """Normalised title -> the keys of every paper with that title, oldest
    first. Most titles have one paper, so a title maps to a plain key and
    only titles shared by several papers pay for a list."""

    __slots__ = ("_one", "_more")

    def __init__(self) -> None:
        self._one: dict[str, str] = {}
        self._more: dict[str, list[str]] = {}

    def add(self, normalised: str, key: str) -> None:
        first = self._one.setdefault(normalised, key)
        if first == key:
            return
        more = self._more.setdefault(normalised, [])
        if key not in more:
            more.append(key)

    def keys(self, normalised: str) -> tuple[str, ...]:
        first = self._one.get(normalised)
        if first is None:
            return ()
        more = self._more.get(normalised)
        return (first, *more) if more else (first,)

    def get(self, normalised: str) -> str | None:
        """The oldest paper of this title (what the index held before titles
        could be shared)."""
        return self._one.get(normalised)

    def __contains__(self, normalised: object) -> bool:
        return normalised in self._one

    def __len__(self) -> int:
        return len(self._one)


def arxiv_abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def arxiv_search_url(title: str) -> str:
    return f"https://arxiv.org/search/?query={quote_plus(title)}&searchtype=title"


# A URL runs until whitespace, <, >, ", or a control / bidi / invisible
# formatting character.
_URL_RE = re.compile(
    r"(?i:https?)://[^\s<>\"\x00-\x1f\x7f-\x9f"
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]+"
)
_TRAILING = frozenset(".,;:!?'\"")
_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}


def _trim(url: str) -> str:
    """Strip sentence punctuation and unbalanced closing brackets from the end.

    Bracket counts are taken once, so this is linear even for a URL ending
    in a million ``)``.
    """
    balance = {c: url.count(c) - url.count(o) for c, o in _CLOSERS.items()}
    end = len(url)
    while end:
        ch = url[end - 1]
        if ch in _TRAILING:
            end -= 1
        elif ch in balance and balance[ch] > 0:
            balance[ch] -= 1
            end -= 1
        else:
            break
    return url[:end]


def extract_links(text: str) -> list[str]:
    """http(s) URLs in *text*, in order of first appearance, de-duplicated.

    Trailing ``.,;:!?'"`` are dropped, and so are closing brackets that have
    no matching opener inside the URL: ``(see https://github.com/a/b).``
    gives ``https://github.com/a/b``, ``https://x.io/site/.`` gives
    ``https://x.io/site/``.  A URL with nothing after ``://`` is skipped.
    """
    if "://" not in text:  # cheap pre-check; most abstracts have no URL
        return []
    found: dict[str, None] = {}
    for m in _URL_RE.finditer(text):
        url = _trim(m.group())
        rest = url.partition("://")[2]
        if rest and rest[0] not in "/?#":
            found.setdefault(url)
    return list(found)
