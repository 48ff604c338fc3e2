"""Subscriptions: what ``paperqueue fetch`` asks for, kept in the store.

They live in ``subscriptions.json`` beside the other store files, a TinyDB
file with two tables: ``subscriptions`` (one record per subscription) and
``pending`` (papers ``paperqueue add`` landed without their details, to be
filled in by the next fetch). Every change is one atomic write (temp file,
fsync, rename: see :mod:`paperqueue.core.atomic`) made under a small lock
file (``subscriptions.lock``, fcntl), read-modify-write, so the app and a
command line ``subscribe`` or cron ``fetch`` never lose each other's
changes. A file that is not valid JSON or not of this shape is set aside as
``subscriptions.json.<time>.corrupt`` and the subscriptions start empty,
with a warning.

A subscription's ``validators`` (ETags, Last-Modified dates, the newest
submission date seen, the last Hugging Face day fetched) are saved only
after its papers landed: a crash in between fetches the same papers again
next time, which merges them (nothing lost, nothing counted twice).
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from paperqueue.core.atomic import (
    CorruptFileError,
    PRIVATE_FILE,
    atomic_write_bytes,
    check_regular,
    dump_json,
    make_private_dirs,
    read_json,
)
from paperqueue.core.text import one_line

FILE = "subscriptions.json"
LOCK = "subscriptions.lock"
TABLE = "subscriptions"
PENDING = "pending"

KINDS = ("arxiv", "arxiv-search", "hf", "feed")
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
DEFAULT_TYPES = ("new", "cross")
DEFAULT_MAX = 100
LONGEST_NAME = 80
_CATEGORY = re.compile(r"\A[a-z-]+(?:\.[A-Za-z-]+)?\Z")


class SubscriptionError(ValueError):
    """A subscription that cannot be made or found; one line for the user."""


@dataclass
class Subscription:
    name: str
    kind: str  # one of KINDS
    params: dict = field(default_factory=dict)  # categories+types / query+max / url
    validators: dict = field(default_factory=dict)  # what the source sends next time
    created: str = ""
    last_fetch: str | None = None  # when its papers last landed (UTC, ISO)
    papers_brought: int = 0  # new papers its fetches added, all told
    last_error: str | None = None  # the last fetch's failure, cleared by a success

    def to_record(self) -> dict:
        return asdict(self)

    @classmethod
    def from_record(cls, record: object) -> Subscription | None:
        """The subscription in ``record``, or ``None`` when it is not of the shape written."""
        if not isinstance(record, dict):
            return None
        name, kind = record.get("name"), record.get("kind")
        if not isinstance(name, str) or not name or kind not in KINDS:
            return None
        params = record.get("params")
        validators = record.get("validators")
        brought = record.get("papers_brought")
        return cls(
            name=name,
            kind=kind,
            params=params if isinstance(params, dict) else {},
            validators=validators if isinstance(validators, dict) else {},
            created=_text(record.get("created")) or "",
            last_fetch=_text(record.get("last_fetch")),
            papers_brought=brought if isinstance(brought, int) and brought >= 0 else 0,
            last_error=_text(record.get("last_error")),
        )

    @property
    def description(self) -> str:
        """What it fetches, in a few words (for ``paperqueue subscriptions``)."""
        p = self.params
        if self.kind == "arxiv":
            return f"arXiv {' '.join(p.get('categories', []))} ({','.join(p.get('types', DEFAULT_TYPES))})"
        if self.kind == "arxiv-search":
            return f"arXiv search {p.get('query', '')!r}, newest {p.get('max', DEFAULT_MAX)}"
        if self.kind == "hf":
            return "Hugging Face daily papers"
        return f"feed {p.get('url', '')}"


@dataclass(frozen=True)
class Pending:
    """A paper ``add`` landed by id alone (the network was down): ``kind``
    "arxiv" (``value`` a versionless id) or "doi"."""

    kind: str
    value: str
    added: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value.lower() if self.kind == 'doi' else self.value}"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


# -- checking what the person typed ------------------------------------------------


def check_name(name: str) -> str:
    cleaned = one_line(name).strip()
    if not cleaned:
        raise SubscriptionError("a subscription name cannot be empty")
    if cleaned != name.strip():
        raise SubscriptionError(f"a subscription name cannot hold control characters or line breaks: {cleaned!r}")
    if len(cleaned) > LONGEST_NAME:
        raise SubscriptionError(f"a subscription name is at most {LONGEST_NAME} characters")
    return cleaned


def arxiv_params(categories: list[str], types: str | None) -> dict:
    cats: list[str] = []
    for raw in categories:
        for cat in raw.replace("+", " ").replace(",", " ").split():
            if not _CATEGORY.match(cat):
                raise SubscriptionError(f"not an arXiv category: {one_line(cat)!r} (like cs.CL, math.PR or hep-th)")
            if cat not in cats:
                cats.append(cat)
    if not cats:
        raise SubscriptionError("give at least one arXiv category (like cs.CL)")
    chosen = list(DEFAULT_TYPES)
    if types is not None:
        chosen = [t.strip() for t in types.split(",") if t.strip()]
        unknown = [t for t in chosen if t not in ANNOUNCE_TYPES]
        if unknown or not chosen:
            raise SubscriptionError(
                f"--types takes some of {','.join(ANNOUNCE_TYPES)} (got {one_line(types)!r})"
            )
        chosen = [t for t in ANNOUNCE_TYPES if t in chosen]
    return {"categories": cats, "types": chosen}


def search_params(query: str, max_results: int | None) -> dict:
    text = one_line(query).strip()
    if not text:
        raise SubscriptionError("an arXiv search needs a query (like 'ti:transformer AND cat:cs.CL')")
    count = DEFAULT_MAX if max_results is None else max_results
    if not 1 <= count <= 10_000:
        raise SubscriptionError("--max is a number of papers from 1 to 10,000")
    return {"query": text, "max": count}


def feed_params(url: str) -> dict:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SubscriptionError(f"a feed is an http or https URL (got {one_line(url)!r})")
    return {"url": url.strip()}


def default_name(kind: str, params: dict) -> str:
    if kind == "arxiv":
        return "+".join(params["categories"])
    if kind == "arxiv-search":
        return params["query"][:LONGEST_NAME]
    if kind == "hf":
        return "hf"
    return (urlsplit(params["url"]).hostname or params["url"])[:LONGEST_NAME]


# -- the file ------------------------------------------------------------------------


class Subscriptions:
    """The subscriptions of the store in ``home``. Each method reads the
    file afresh (another process may have changed it) and each change is
    one atomic write under the lock."""

    def __init__(self, home: Path, *, clock: Callable[[], str] | None = None) -> None:
        from paperqueue.core.clock import utc_now

        self.home = home
        self.path = home / FILE
        self.clock = clock or utc_now
        self.warnings: list[str] = []

    # reading

    def _tables(self) -> dict:
        """The file's tables; a damaged file is set aside (with a warning) and read as empty."""
        try:
            data = read_json(self.path)
        except CorruptFileError as error:
            return self._set_aside(error.reason)
        if data is None:
            return {}
        if not isinstance(data, dict) or not all(isinstance(data.get(t, {}), dict) for t in (TABLE, PENDING)):
            return self._set_aside("not of the shape paperqueue writes")
        return data

    def _set_aside(self, reason: str) -> dict:
        from paperqueue.core.atomic import set_aside

        try:
            where = f"moved to {set_aside(self.path).name}"
        except OSError:
            where = "left where it is"
        self.warnings.append(f"{FILE} was damaged ({one_line(reason)}); {where}, subscriptions start empty")
        return {}

    def all(self) -> list[Subscription]:
        """Every subscription, in the order they were made."""
        table = self._tables().get(TABLE, {})
        found = []
        for doc_id in sorted(table, key=lambda d: int(d) if d.isdigit() else 0):
            sub = Subscription.from_record(table[doc_id])
            if sub is not None:
                found.append(sub)
        return found

    def get(self, name: str) -> Subscription | None:
        return next((s for s in self.all() if s.name == name), None)

    def pending(self) -> list[Pending]:
        table = self._tables().get(PENDING, {})
        found = []
        for record in table.values():
            if isinstance(record, dict) and record.get("kind") in ("arxiv", "doi") and _text(record.get("value")):
                found.append(Pending(record["kind"], record["value"], _text(record.get("added")) or ""))
        return found

    # changing

    @contextmanager
    def _locked(self) -> Iterator[dict]:
        """The file's tables, to change in place, under the lock; written
        back (atomically) when the block ends without an exception."""
        make_private_dirs(self.home)
        lock_path = self.home / LOCK
        check_regular(lock_path)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC, PRIVATE_FILE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            tables = self._tables()
            tables = {**tables, TABLE: dict(tables.get(TABLE, {})), PENDING: dict(tables.get(PENDING, {}))}
            yield tables
            atomic_write_bytes(self.path, dump_json(tables))
        finally:
            os.close(fd)  # releases the lock

    def add(self, sub: Subscription) -> Subscription:
        """Save a new subscription; :class:`SubscriptionError` when the name is taken."""
        with self._locked() as tables:
            table = tables[TABLE]
            for record in table.values():
                if isinstance(record, dict) and record.get("name") == sub.name:
                    raise SubscriptionError(f"a subscription named {sub.name!r} exists already; choose another with --name")
            sub.created = sub.created or self.clock()
            next_id = max((int(d) for d in table if d.isdigit()), default=0) + 1
            table[str(next_id)] = sub.to_record()
        return sub

    def remove(self, name: str) -> Subscription:
        with self._locked() as tables:
            table = tables[TABLE]
            for doc_id, record in list(table.items()):
                sub = Subscription.from_record(record)
                if sub is not None and sub.name == name:
                    del table[doc_id]
                    return sub
            raise SubscriptionError(f"no subscription named {name!r} (paperqueue subscriptions lists them)")

    def update(self, name: str, change: Callable[[Subscription], None]) -> Subscription | None:
        """Apply ``change`` to the saved subscription ``name`` (read afresh)
        and save it; ``None`` when it is gone (unsubscribed meanwhile)."""
        with self._locked() as tables:
            table = tables[TABLE]
            for doc_id, record in table.items():
                sub = Subscription.from_record(record)
                if sub is not None and sub.name == name:
                    change(sub)
                    table[doc_id] = sub.to_record()
                    return sub
            return None

    def add_pending(self, items: list[Pending]) -> None:
        if not items:
            return
        with self._locked() as tables:
            table = tables[PENDING]
            for item in items:
                table[item.key] = {"kind": item.kind, "value": item.value, "added": item.added or self.clock()}

    def drop_pending(self, items: list[Pending]) -> None:
        if not items:
            return
        with self._locked() as tables:
            for item in items:
                tables[PENDING].pop(item.key, None)
