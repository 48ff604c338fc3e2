"""Paper identity: arXiv ids, normalised titles, dedup keys and links.

All regular expressions here are linear: no nested quantifiers, and every
variable-length part is a single character class, so hostile input (a 1 MB
line of garbage) cannot trigger catastrophic backtracking.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote_plus

__all__ = [
    "ARXIV_NEW",
    "ARXIV_OLD",
    "arxiv_abs_url",
    "arxiv_search_url",
    "extract_links",
    "find_arxiv_id",
    "normalise_title",
    "paper_key",
    "parse_arxiv_id",
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
        return "doi:" + doi.strip().lower()
    norm = normalise_title(title)
    if not norm:
        raise ValueError(f"cannot build a key from title {title!r}")
    return "title:" + norm.replace(" ", "-")


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
