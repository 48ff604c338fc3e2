"""The record every importer produces, and the small normalisers they share.

Every parser hands out :class:`ParsedPaper` values whose text fields went
through :func:`~paperqueue.core.text.one_line`, so no terminal control
content and no hard-wrapped whitespace survives.  The helpers here turn the
loosely typed values of feeds and files (``object``) into the record's
canonical forms, returning ``None`` / ``()`` for anything unusable instead of
raising: a bad field never sinks a whole entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from paperqueue.core.identity import extract_links, parse_arxiv_id
from paperqueue.core.text import one_line

__all__ = [
    "ParsedPaper",
    "UnreadableError",
    "PartlyRead",
    "arxiv_id_from_doi",
    "checked_doi",
    "clean_categories",
    "clean_doi",
    "clean_names",
    "collect",
    "iso_datetime",
    "load_json",
    "not_understood",
    "order_links",
    "shown",
    "take",
]


@dataclass(frozen=True, slots=True)
class ParsedPaper:
    """One paper read from an input.  The first four fields keep the order
    the page parser has always used, so ``ParsedPaper(t, a, id, links)``
    still works."""

    title: str  # one_line'd; "" only for entries known by id alone
    abstract: str = ""
    arxiv_id: str | None = None  # versionless, via parse_arxiv_id
    links: tuple[str, ...] = ()  # code/project/other links, GitHub first; no arXiv pages
    authors: tuple[str, ...] = ()
    published: str | None = None  # "YYYY-MM-DDTHH:MM:SSZ", "YYYY-MM-DD" or (BibTeX) "YYYY"
    updated: str | None = None
    doi: str | None = None  # as written (DOIs match in any case), no resolver prefix
    categories: tuple[str, ...] = ()  # primary first
    upvotes: int | None = None
    comments: int | None = None
    pdf_url: str | None = None
    entry_type: str | None = None  # BibTeX entry type in lower case ("article", "inproceedings")
    venue: str | None = None  # journal or booktitle, decoded text
    authoritative: bool = False  # the source carries an arXiv id: its text wins
    key: str | None = None  # pq_json only: the key in the exporting store
    batches: tuple[str, ...] = ()  # pq_json only: names of the batches it was in
    # pq_json only: the person's fields as exported (dicts are unhashable,
    # so this field takes no part in hashing).
    state: Mapping[str, object] | None = field(default=None, hash=False)


def collect(
    entries: Iterable[object],
    read: Callable[[object, str, list[str]], ParsedPaper | None],
    noun: str = "entry",
) -> tuple[list[ParsedPaper], list[str]]:
    """Read each entry with ``read(entry, "entry N", problems)``; the papers
    that came out, and the problem lines of those that did not (or only in part)."""
    papers: list[ParsedPaper] = []
    problems: list[str] = []
    for number, entry in enumerate(entries, 1):
        paper = read(entry, f"{noun} {number}", problems)
        if paper is not None:
            papers.append(paper)
    return papers, problems


class PartlyRead(str):
    """A problem line about an entry that was still imported (in part), such
    as an undefined ``@string`` macro: it is shown, but the entry is not
    counted as "not understood".  Every other problem line stands for one
    entry that produced no paper."""

    __slots__ = ()


def not_understood(problems: Iterable[str]) -> int:
    """How many entries the problem lines say were skipped."""
    return sum(not isinstance(problem, PartlyRead) for problem in problems)


class UnreadableError(ValueError):
    """Nothing usable in the input; the message is one line for the user."""


def shown(value: object, limit: int = 60) -> str:
    """A short, clean ``repr`` of a bad value for a problem line."""
    text = one_line(value if isinstance(value, str) else repr(value))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


def clean_names(names: Iterable[object]) -> tuple[str, ...]:
    """Non-empty one_line'd strings, in order, without repeats."""
    out: dict[str, None] = {}
    for name in names:
        if isinstance(name, str):
            text = one_line(name)
            if text:
                out.setdefault(text)
    return tuple(out)


_GITHUB_RE = re.compile(r"https?://(?:www\.)?github\.com(?:[/?#:]|\Z)", re.IGNORECASE)


def order_links(urls: Iterable[object]) -> tuple[str, ...]:
    """http(s) links from *urls* (strings; anything else is skipped),
    de-duplicated, arXiv abs/pdf/html pages dropped, GitHub links first.

    Each string goes through :func:`extract_links`, so sentence punctuation
    around a URL is trimmed and a string with no URL gives nothing.
    """
    found: dict[str, None] = {}
    for url in urls:
        if not isinstance(url, str):
            continue
        for link in extract_links(one_line(url)):
            if parse_arxiv_id(link) is None:
                found.setdefault(link)
    return tuple(sorted(found, key=lambda link: _GITHUB_RE.match(link) is None))


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PARTIAL_DATE_RE = re.compile(r"\d{4}(?:-(?:0[1-9]|1[0-2]))?")


def iso_datetime(value: object) -> str | None:
    """``YYYY-MM-DDTHH:MM:SSZ`` (UTC) for an ISO 8601 or RFC 2822 date-time,
    ``YYYY-MM-DD`` for a bare date, ``YYYY`` / ``YYYY-MM`` kept as they are
    (a BibTeX year survives a round trip), None for anything else.

    A date-time without a zone is taken as UTC; fractions of a second are
    dropped.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    if _DATE_RE.fullmatch(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    if _PARTIAL_DATE_RE.fullmatch(text):
        return text
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        try:
            stamp = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    try:
        stamp = stamp.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return (
        f"{stamp.year:04d}-{stamp.month:02d}-{stamp.day:02d}"
        f"T{stamp.hour:02d}:{stamp.minute:02d}:{stamp.second:02d}Z"
    )


_DOI_PREFIX_RE = re.compile(
    r"(?:https?://)?(?:dx\.)?(?:doi\.org/)|doi:\s*", re.IGNORECASE
)
# "10." + registrant (digits, dotted sub-registrants) + "/" + a suffix without
# blanks, braces or control characters: a brace could close a BibTeX value,
# a blank ends a link.  (SICI DOIs keep their < > ; ( ) [ ].)
_DOI_RE = re.compile(r"10\.\d{4,9}(?:\.\d+)*/[^\s{}\x00-\x1f\x7f-\x9f]+")


def clean_doi(value: object) -> str | None:
    """``10.xxxx/yyy`` as written (DOIs are case-insensitive: match them
    with :func:`~paperqueue.core.identity.doi_key`), from a bare DOI,
    ``doi:…`` or a doi.org URL; None when *value* is not a DOI (see
    ``_DOI_RE``: no blank, brace or control character in it)."""
    if not isinstance(value, str):
        return None
    text = one_line(value)
    m = _DOI_PREFIX_RE.match(text)
    if m:
        text = text[m.end():]
    text = text.rstrip(".,;")
    return text if _DOI_RE.fullmatch(text) else None


def checked_doi(value: object, where: str, problems: list[str]) -> str | None:
    """:func:`clean_doi`, and a :class:`PartlyRead` line in *problems* when
    *value* is text that is not a DOI (it is left out; the entry imports)."""
    doi = clean_doi(value)
    if doi is None and isinstance(value, str) and value.strip():
        problems.append(PartlyRead(f"{where}: DOI {shown(value)} left out (not a DOI)"))
    return doi


# Subject classes a source may name: arXiv's (cs.CL, hep-th, q-bio.NC,
# cond-mat.mes-hall, an archive alone like "cs", the old "physics:quant-ph"),
# ACM's (I.4.8, F.4.m) and MSC's (03B70, 68Qxx, 05-01); a term may list
# several of the last two ("F.4.1; F.4.m; K.2", "03B70, 68Q99"), as arXiv does.
_ARXIV_CLASS = r"[a-z]+(?:-[a-z]+)?(?:[.:][A-Za-z]+(?:-[A-Za-z]+)*)?"
_ACM_CLASS = r"[A-K](?:\.(?:\d{1,2}|m)){0,3}"
_MSC_CLASS = r"\d\d(?:[A-Z](?:\d\d|xx)|-(?:\d\d|XX|xx)|xx)"
_CLASS = f"(?:{_ARXIV_CLASS}|{_ACM_CLASS}|{_MSC_CLASS})"
CATEGORY_RE = re.compile(f"{_CLASS}(?:[;,] ?{_CLASS}){{0,30}}")


def clean_categories(values: Iterable[object], where: str, problems: list[str]) -> tuple[str, ...]:
    """:func:`clean_names` of *values*, keeping only subject classes
    (``CATEGORY_RE``); each other non-empty one is left out with a
    :class:`PartlyRead` line in *problems*."""
    kept = []
    for name in clean_names(values):
        if CATEGORY_RE.fullmatch(name):
            kept.append(name)
        else:
            problems.append(PartlyRead(f"{where}: category {shown(name)} left out (not a subject class)"))
    return tuple(kept)


_ARXIV_DOI_RE = re.compile(r"10\.48550/arxiv\.(\S+)", re.IGNORECASE)


def arxiv_id_from_doi(doi: str | None) -> str | None:
    """arXiv's own DOIs (``10.48550/arXiv.2403.01234``) name the id."""
    m = _ARXIV_DOI_RE.fullmatch(doi or "")
    return parse_arxiv_id(m.group(1)) if m else None


_KIND_NAMES = {str: "a string", int: "an integer", bool: "true/false", list: "a list", dict: "an object"}


def take(obj: Mapping[str, object], name: str, kind: type, where: str, problems: list[str]):
    """``obj[name]`` when it is of *kind* (``int`` excludes ``bool``); None
    when missing or null; otherwise None and a problem line is recorded."""
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    problems.append(f'{where}: "{name}" is not {_KIND_NAMES.get(kind, kind.__name__)}')
    return None


def load_json(text: str) -> object:
    """``json.loads`` with one-line :class:`UnreadableError` reasons."""
    text = text.lstrip("\ufeff")
    try:
        return json.loads(text)
    except RecursionError:
        raise UnreadableError("JSON nested too deeply") from None
    except json.JSONDecodeError as error:
        cut = error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string")
        hint = " (truncated file?)" if cut else ""
        raise UnreadableError(
            f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}{hint}"
        ) from None
    except ValueError as error:  # e.g. an integer with too many digits
        raise UnreadableError(f"invalid JSON: {one_line(str(error))[:100]}") from None
