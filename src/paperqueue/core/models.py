"""The records paperqueue keeps: a paper, and the person's state for it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from paperqueue.core.identity import arxiv_abs_url, arxiv_search_url


@dataclass(slots=True)
class Paper:
    """What the list needs to know about a paper: small, loaded at start.

    ``key`` is permanent once given; ``id`` is its document id in the
    store's files. The abstract lives apart (see :class:`PaperDetails`).
    """

    key: str
    title: str
    arxiv_id: str | None = None
    links: tuple[str, ...] = ()
    added_at: str = ""
    seq: int = 0
    batch: int = 0
    id: int = 0

    @property
    def primary_link(self) -> str:
        if self.arxiv_id:
            return arxiv_abs_url(self.arxiv_id)
        return arxiv_search_url(self.title)

    @property
    def all_links(self) -> list[str]:
        """The primary link first, then the code and project links."""
        primary = self.primary_link
        return [primary, *(link for link in self.links if link != primary)]

    def to_record(self) -> dict:
        record: dict = {"key": self.key, "title": self.title}
        if self.arxiv_id:
            record["arxiv_id"] = self.arxiv_id
        if self.links:
            record["links"] = list(self.links)
        record["added_at"] = self.added_at
        record["seq"] = self.seq
        record["batch"] = self.batch
        return record

    @classmethod
    def from_record(cls, record: dict, doc_id: int = 0) -> Paper:
        # Called 100,000 times at start: positional, no conversions but
        # for the title (which must be a str to be drawn).
        get = record.get
        title = get("title", "")
        links = get("links")
        return cls(
            record["key"],
            title if type(title) is str else str(title),
            get("arxiv_id"),
            tuple(links) if links else (),
            get("added_at", ""),
            get("seq", 0),
            get("batch", 0),
            doc_id,
        )


@dataclass(frozen=True, slots=True)
class PaperDetails:
    """The large part of a paper, loaded on demand: its abstract."""

    abstract: str = ""

    def to_record(self, key: str) -> dict:
        return {"key": key, "abstract": self.abstract}

    @classmethod
    def from_record(cls, record: dict) -> PaperDetails:
        return cls(abstract=str(record.get("abstract", "")))


@dataclass(frozen=True, slots=True)
class PaperState:
    """What the person did with a paper; timestamps are ISO 8601 UTC."""

    starred: bool = False
    read: bool = False
    starred_at: str | None = None
    read_at: str | None = None

    def with_star(self, starred: bool, now: str) -> PaperState:
        return replace(self, starred=starred, starred_at=now)

    def with_read(self, read: bool, now: str) -> PaperState:
        return replace(self, read=read, read_at=now)

    def to_record(self) -> dict:
        return {
            "starred": self.starred,
            "read": self.read,
            "starred_at": self.starred_at,
            "read_at": self.read_at,
        }

    @classmethod
    def from_record(cls, record: dict) -> PaperState:
        return cls(
            starred=bool(record.get("starred", False)),
            read=bool(record.get("read", False)),
            starred_at=record.get("starred_at"),
            read_at=record.get("read_at"),
        )


@dataclass(slots=True)
class ImportResult:
    """What one import did: counts for the summary line."""

    source: str
    new: int = 0
    existing: int = 0
    new_keys: list[str] = field(default_factory=list)
    generation: int = 0
    # For the search index: new papers (id -> title, abstract) and papers
    # whose text changed (id, old title, old abstract, new title, new abstract).
    indexed: dict[int, tuple[str, str]] = field(default_factory=dict)
    reindexed: list[tuple[int, str, str, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.new} new, {self.existing} already in the queue"
