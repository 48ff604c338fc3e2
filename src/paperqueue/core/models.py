"""The records paperqueue keeps: a paper, and the person's state for it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import quote

from paperqueue.core.identity import arxiv_abs_url, arxiv_search_url


@dataclass(slots=True)
class Paper:
    """What the list needs to know about a paper: small, loaded at start.

    ``key`` is permanent once given; ``id`` is its document id in the
    store's files. ``batch`` is the import that added it, ``batches`` every
    import it appeared in. ``auth`` says its title and abstract came from a
    source that carries an arXiv id (a feed or API dump), which pasted page
    text does not override. The abstract lives apart (:class:`PaperDetails`).
    """

    key: str
    title: str
    arxiv_id: str | None = None
    links: tuple[str, ...] = ()
    added_at: str = ""
    seq: int = 0
    batch: int = 0
    id: int = 0
    doi: str | None = None
    batches: tuple[int, ...] = ()
    auth: bool = False
    gen: int = 0  # the store generation whose import last changed this known paper (sync sends it again)

    @property
    def display_title(self) -> str:
        """The title, or what stands in for it while only the id is known."""
        if self.title:
            return self.title
        return f"arXiv:{self.arxiv_id} (title not known yet)" if self.arxiv_id else "(untitled)"

    @property
    def primary_link(self) -> str:
        if self.arxiv_id:
            return arxiv_abs_url(self.arxiv_id)
        if self.doi:
            # Percent-encoded: a SICI DOI's "<" would end the URL in text.
            return "https://doi.org/" + quote(self.doi, safe="/:;()[]@!$&'*+,=")
        return arxiv_search_url(self.title)

    @property
    def all_links(self) -> list[str]:
        """The primary link first, then the code and project links."""
        primary = self.primary_link
        return [primary, *(link for link in self.links if link != primary)]

    def in_batch(self, batch: int) -> bool:
        return batch == self.batch or batch in self.batches

    def to_record(self) -> dict:
        record: dict = {"key": self.key, "title": self.title}
        if self.arxiv_id:
            record["arxiv_id"] = self.arxiv_id
        if self.doi:
            record["doi"] = self.doi
        if self.links:
            record["links"] = list(self.links)
        record["added_at"] = self.added_at
        record["seq"] = self.seq
        record["batch"] = self.batch
        if self.batches and self.batches != (self.batch,):
            record["batches"] = list(self.batches)
        if self.auth:
            record["auth"] = True
        if self.gen:
            record["gen"] = self.gen
        return record

    @classmethod
    def from_record(cls, record: dict, doc_id: int = 0) -> Paper:
        # Called 100,000 times at start: positional, no conversions but
        # for the title (which must be a str to be drawn).
        get = record.get
        title = get("title", "")
        links = get("links")
        batch = get("batch", 0)
        batches = get("batches")
        return cls(
            record["key"],
            title if type(title) is str else str(title),
            get("arxiv_id"),
            tuple(links) if links else (),
            get("added_at", ""),
            get("seq", 0),
            batch,
            doc_id,
            get("doi"),
            tuple(batches) if batches else (batch,),
            get("auth", False),
            get("gen", 0),
        )


@dataclass(frozen=True, slots=True)
class PaperDetails:
    """The large part of a paper, loaded on demand."""

    abstract: str = ""
    authors: tuple[str, ...] = ()
    published: str | None = None
    updated: str | None = None
    categories: tuple[str, ...] = ()
    upvotes: int | None = None
    comments: int | None = None
    pdf_url: str | None = None
    entry_type: str | None = None  # BibTeX entry type ("article", "inproceedings")
    venue: str | None = None  # journal or proceedings title

    def to_record(self, key: str) -> dict:
        record: dict = {"key": key, "abstract": self.abstract}
        for name in ("authors", "categories"):
            if getattr(self, name):
                record[name] = list(getattr(self, name))
        for name in ("published", "updated", "upvotes", "comments", "pdf_url", "entry_type", "venue"):
            if getattr(self, name) is not None:
                record[name] = getattr(self, name)
        return record

    @classmethod
    def from_record(cls, record: dict) -> PaperDetails:
        return cls(
            abstract=str(record.get("abstract", "")),
            authors=tuple(record.get("authors") or ()),
            published=record.get("published"),
            updated=record.get("updated"),
            categories=tuple(record.get("categories") or ()),
            upvotes=record.get("upvotes"),
            comments=record.get("comments"),
            pdf_url=record.get("pdf_url"),
            entry_type=record.get("entry_type"),
            venue=record.get("venue"),
        )


@dataclass(frozen=True, slots=True)
class PaperState:
    """What the person did with a paper; timestamps are ISO 8601 UTC.

    ``removed`` hides a paper everywhere (``x``) without losing it: undo,
    or ``paperqueue import --restore``, brings it back.
    """

    starred: bool = False
    read: bool = False
    starred_at: str | None = None
    read_at: str | None = None
    tags: tuple[str, ...] = ()
    note: str = ""
    removed: bool = False

    def with_star(self, starred: bool, now: str) -> PaperState:
        return replace(self, starred=starred, starred_at=now)

    def with_read(self, read: bool, now: str) -> PaperState:
        return replace(self, read=read, read_at=now)

    def to_record(self) -> dict:
        record: dict = {
            "starred": self.starred,
            "read": self.read,
            "starred_at": self.starred_at,
            "read_at": self.read_at,
        }
        if self.tags:
            record["tags"] = list(self.tags)
        if self.note:
            record["note"] = self.note
        if self.removed:
            record["removed"] = True
        return record

    @classmethod
    def from_record(cls, record: dict) -> PaperState:
        tags = record.get("tags") or ()
        note = record.get("note") or ""
        return cls(
            starred=bool(record.get("starred", False)),
            read=bool(record.get("read", False)),
            starred_at=record.get("starred_at"),
            read_at=record.get("read_at"),
            tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, (list, tuple)) else (),
            note=note if isinstance(note, str) else "",
            removed=bool(record.get("removed", False)),
        )


def _state_maker():  # noqa: ANN202
    slots = [PaperState.__dict__[name].__set__ for name in
             ("starred", "read", "starred_at", "read_at", "tags", "note", "removed")]

    def make(starred: bool, read: bool, starred_at: str | None, read_at: str | None, tags: tuple[str, ...],
             note: str, removed: bool, _new=object.__new__, _cls=PaperState, _s=slots[0], _r=slots[1],  # noqa: ANN001
             _sa=slots[2], _ra=slots[3], _t=slots[4], _n=slots[5], _x=slots[6]) -> PaperState:  # noqa: ANN001
        state = _new(_cls)
        _s(state, starred)
        _r(state, read)
        _sa(state, starred_at)
        _ra(state, read_at)
        _t(state, tags)
        _n(state, note)
        _x(state, removed)
        return state

    return make


# ``PaperState(...)`` with every field given, positionally, without the
# frozen dataclass's __init__ (a field at a time through object.__setattr__):
# the slots set directly, the same object, in about half the time (a sync
# makes 100,000).
new_state = _state_maker()


@dataclass(slots=True)
class ImportResult:
    """What one import did: counts for the summary line.

    Each entry of the file is counted once: ``new + existing + repeated +
    not_understood`` is the number of entries. A paper met twice counts once
    (as new or as already in the queue); the second meeting is ``repeated``.
    """

    source: str
    format: str = ""
    new: int = 0  # papers this import added
    existing: int = 0  # papers already in the queue that the file names (merged + unchanged)
    merged: int = 0  # of those, the ones that gained something (a link, an abstract, an id...)
    not_understood: int = 0  # entries the importer could not read
    restored: int = 0  # removed papers brought back (--restore)
    repeated: int = 0  # entries naming a paper met earlier in the same file
    folded: int = 0  # papers found to be a second record of another, and folded into it
    unusable: int = 0  # entries with no id, no DOI and no letter or digit in the title: skipped
    rekeyed: int = 0  # sync: known papers that took the key another device gave them first
    problems: list[str] = field(default_factory=list)
    batch: int = 0
    generation: int = 0
    # For the search index (new papers reach it through ``on_new``): papers
    # whose text changed (id, old title, old abstract, new title, new abstract).
    reindexed: list[tuple[int, str, str, str, str]] = field(default_factory=list)

    @property
    def unchanged(self) -> int:
        return self.existing - self.merged

    def summary(self) -> str:
        # Numbers as everywhere else (42,005); "1 entry", not "1 entries".
        entries = "entry" if self.not_understood == 1 else "entries"
        return (
            f"{self.new:,} new, {self.existing:,} already in the queue "
            f"({self.merged:,} merged, {self.unchanged:,} unchanged), "
            f"{self.not_understood:,} {entries} not understood"
            + (f", {self.repeated:,} repeated in the file" if self.repeated else "")
            + (f", {self.restored:,} restored" if self.restored else "")
            + (f", {self.folded:,} folded into one" if self.folded else "")
        )
