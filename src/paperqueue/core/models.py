"""The records paperqueue keeps: a paper, and the person's state for it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from paperqueue.core.identity import arxiv_abs_url, arxiv_search_url


@dataclass(slots=True)
class Paper:
    """One paper in the queue. ``key`` is permanent once given."""

    key: str
    title: str
    abstract: str = ""
    arxiv_id: str | None = None
    links: tuple[str, ...] = ()
    added_at: str = ""
    seq: int = 0
    batch: int = 0

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
        return {
            "key": self.key,
            "title": self.title,
            "abstract": self.abstract,
            "arxiv_id": self.arxiv_id,
            "links": list(self.links),
            "added_at": self.added_at,
            "seq": self.seq,
            "batch": self.batch,
        }

    @classmethod
    def from_record(cls, record: dict) -> Paper:
        return cls(
            key=str(record["key"]),
            title=str(record.get("title", "")),
            abstract=str(record.get("abstract", "")),
            arxiv_id=record.get("arxiv_id") or None,
            links=tuple(record.get("links") or ()),
            added_at=str(record.get("added_at", "")),
            seq=int(record.get("seq", 0)),
            batch=int(record.get("batch", 0)),
        )


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

    def summary(self) -> str:
        return f"{self.new} new, {self.existing} already in the queue"
