"""Real stores that sync through one shared folder, for tests/test_sync_replicas.py.

A :class:`Replica` is one data home (its own ``PAPERQUEUE_HOME``-style
folder) set up with ``sync init folder`` into a folder the three share. It
acts as the app does: one Store, History and Writer held open, each change
recorded through ``Writer.record`` and put in memory with ``set_state``,
undo and redo through the writer, imports through ``import_file`` and
``Writer.record_import``, syncs through ``sync_folder``; :meth:`Replica.reopen`
closes it and opens it again as the next command would (repairing from the
log). Each replica has its own wall clock (an offset from a shared true
time, plus jitter that can send it backwards): the sync clock (HLC) and the
store's ISO times (``starred_at``, ``read_at``) read it.

Pages: the first papers of the real trending page in ``seeds/`` are the
pool. An import takes a few of them in one format: the pasted page text
(the seed's own lines, so keys are ``title:...``), or an arXiv API Atom
response, an arXiv RSS listing, a paperqueue JSON export or BibTeX written
here for the same papers with arXiv ids (so keys are ``arxiv:...``). The
arXiv ids and author names below are made up for the test.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from unittest import mock
from xml.sax.saxutils import escape

from paperqueue.core.history import History, repair
from paperqueue.core.identity import normalise_title
from paperqueue.core.importing import import_file
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.sync.changes import BATCH, NOTE, READ, REMOVED, STARRED, TAG, Change, PaperLine
from paperqueue.core.sync.decoding import decode_chunk
from paperqueue.core.sync import emitter as _emitter
from paperqueue.core.sync.hlc import HLC
from paperqueue.core.sync.merge import Merged
from paperqueue.core.sync.run import Summary, init_folder, sync_folder
from paperqueue.core.writer import Writer

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "trending-papers.txt"
START = 1_780_000_000_000  # 2026-05-28: the shared true time the test starts at
DAY = 86_400_000
POOL_SIZE = 6


# -- the pool of papers ------------------------------------------------------------------


@dataclass(frozen=True)
class PoolPaper:
    title: str
    abstract: str
    arxiv_id: str  # made up
    author: str  # made up

    @property
    def ident(self) -> str:
        return normalise_title(self.title)


def _seed_blocks() -> tuple[list[str], list[tuple[str, str]]]:
    """The seed page's header lines (up to its date line) and its first
    (title, abstract) blocks, as the page holds them."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    blocks = [line for line in lines if line.strip()]
    header_end = blocks.index("Mar 13") + 1
    header, body = blocks[:header_end], blocks[header_end:]
    pairs = [(body[i], body[i + 1]) for i in range(0, 2 * POOL_SIZE, 2)]
    return header, pairs


HEADER, _PAIRS = _seed_blocks()
POOL = [PoolPaper(title, abstract, f"2403.{10001 + i:05d}", f"Ada Example{i}")
        for i, (title, abstract) in enumerate(_PAIRS)]
FORMATS = ("page", "atom", "rss", "json", "bibtex")


def page_text(papers: list[PoolPaper]) -> str:
    """A pasted trending page: the seed's header, then title and abstract blocks."""
    return "\n\n".join([*HEADER, *(f"{p.title}\n\n{p.abstract}" for p in papers)]) + "\n"


def atom_text(papers: list[PoolPaper]) -> str:
    entries = "".join(f"""
  <entry>
    <id>http://arxiv.org/abs/{p.arxiv_id}v1</id>
    <updated>2024-03-13T17:59:58Z</updated>
    <published>2024-03-13T17:59:58Z</published>
    <title>{escape(p.title)}</title>
    <summary>  {escape(p.abstract)}
</summary>
    <author>
      <name>{escape(p.author)}</name>
    </author>
    <link href="http://arxiv.org/abs/{p.arxiv_id}v1" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{p.arxiv_id}v1" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.CV" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.CV" scheme="http://arxiv.org/schemas/atom"/>
  </entry>""" for p in papers)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?search_query=cat:cs.CV" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=cat:cs.CV</title>
  <id>http://arxiv.org/api/test</id>
  <updated>2024-03-14T00:00:00-04:00</updated>{entries}
</feed>
"""


def rss_text(papers: list[PoolPaper]) -> str:
    items = "".join(f"""
    <item>
      <title>{escape(p.title)}</title>
      <link>https://arxiv.org/abs/{p.arxiv_id}</link>
      <description>arXiv:{p.arxiv_id}v1 Announce Type: new
Abstract: {escape(p.abstract)}</description>
      <guid isPermaLink="false">oai:arXiv.org:{p.arxiv_id}v1</guid>
      <category>cs.CV</category>
      <pubDate>Thu, 14 Mar 2024 00:00:00 -0400</pubDate>
      <arxiv:announce_type>new</arxiv:announce_type>
      <dc:creator>{escape(p.author)}</dc:creator>
    </item>""" for p in papers)
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
  <channel>
    <title>cs.CV updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/cs.CV</link>
    <description>cs.CV updates on the arXiv.org e-print archive.</description>
    <pubDate>Thu, 14 Mar 2024 00:00:00 -0400</pubDate>{items}
  </channel>
</rss>
"""


def json_text(papers: list[PoolPaper], states: dict[int, dict] | None = None) -> str:
    """A paperqueue JSON export of the papers; ``states``: pool index -> the
    person's fields the export carries for it (stars, tags, a note)."""
    rows = []
    for i, p in enumerate(POOL):
        if p not in papers:
            continue
        row = {"key": f"arxiv:{p.arxiv_id}", "arxiv_id": p.arxiv_id, "doi": None, "title": p.title,
               "abstract": p.abstract, "authors": [p.author], "published": "2024-03-13T17:59:58Z",
               "categories": ["cs.CV"], "starred": False, "read": False, "tags": [], "note": ""}
        row.update((states or {}).get(i, {}))
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def bibtex_text(papers: list[PoolPaper]) -> str:
    return "".join(
        f"@misc{{example{p.arxiv_id.replace('.', '')},\n"
        f"  title = {{{p.title}}},\n"
        f"  author = {{{p.author.split()[1]}, {p.author.split()[0]}}},\n"
        f"  year = {{2024}},\n"
        f"  eprint = {{{p.arxiv_id}}},\n"
        f"  archivePrefix = {{arXiv}},\n"
        f"  primaryClass = {{cs.CV}},\n"
        f"  abstract = {{{p.abstract}}}\n"
        f"}}\n\n"
        for p in papers
    )


SUFFIX = {"page": "txt", "atom": "atom", "rss": "xml", "json": "json", "bibtex": "bib"}


def write_page(folder: Path, number: int, fmt: str, indices: list[int], states: dict[int, dict] | None = None) -> Path:
    papers = [POOL[i] for i in sorted(set(indices))]
    text = {
        "page": page_text, "atom": atom_text, "rss": rss_text, "bibtex": bibtex_text,
        "json": partial(json_text, states=states),
    }[fmt](papers)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"page{number:03d}.{SUFFIX[fmt]}"
    path.write_text(text, encoding="utf-8")
    return path


# -- clocks ------------------------------------------------------------------------------------


class World:
    """The true time all replicas' wall clocks are offsets from."""

    def __init__(self) -> None:
        self.now = START


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def wall_clock(wall: Callable[[], int]) -> Iterator[None]:
    """Every sync clock made meanwhile (``sync init``'s, the writer's) reads ``wall``."""
    clock = partial(HLC, wall=wall)
    with mock.patch("paperqueue.core.sync.run.HLC", clock), mock.patch.object(_emitter, "HLC", clock):
        yield


# -- a replica ---------------------------------------------------------------------------------


class Replica:
    def __init__(self, name: str, home: Path, folder: Path, world: World, offset: int) -> None:
        self.name = name  # also its device id (fixed, so a failing example replays the same)
        self.home = home
        self.world = world
        self.offset = offset
        self.jitter = 0
        self.imports = 0
        home.mkdir(parents=True)
        self._open()
        with wall_clock(self.wall), mock.patch("paperqueue.core.sync.run.new_device_id", lambda: name):
            settings = init_folder(self.store, self.history, folder)
        self.writer = self._writer()
        self.writer.note(f"Set up sync through the folder {settings.folder} as device {settings.device}")
        self.writer.save()

    # clocks

    def wall(self) -> int:
        return self.world.now + self.offset + self.jitter

    def iso(self) -> str:
        return iso(self.wall())

    # opening, as a command or the app does

    def _writer(self) -> Writer:
        with wall_clock(self.wall):
            return Writer(self.store, self.history)

    def _open(self) -> None:
        self.store = Store.open(self.home, clock=self.iso)
        self.history = History(self.home)
        repair(self.store, self.history)
        self.store.load_rest()
        self.writer = self._writer()

    def reopen(self) -> None:
        self.writer.save()
        self.store.close()
        self._open()

    def close(self) -> None:
        try:
            self.writer.save()
        finally:
            self.store.close()

    # finding papers

    def key_of(self, paper: PoolPaper) -> str | None:
        """The key this queue shows ``paper`` under (``None``: not here, or hidden)."""
        for key, found in self.store.papers.items():
            if normalise_title(found.title) == paper.ident and not self.store.hidden(found):
                return key
        return None

    # acting

    def change(self, key: str, label: str, how: Callable[[PaperState], PaperState]) -> bool:
        """One undoable action on one paper, as the app's ``change_states``."""
        before = self.store.state(key)
        after = how(before)
        if after == before:
            return False
        self.writer.record(label, [[key, before.to_record(), after.to_record()]])
        self.store.set_state(key, after)
        self.writer.save()
        return True

    def star(self, key: str) -> bool:
        state = self.store.state(key)
        return self.change(key, "Starred 1 paper", lambda s: s.with_star(not state.starred, self.iso()))

    def read(self, key: str) -> bool:
        state = self.store.state(key)
        return self.change(key, "Marked 1 paper read", lambda s: s.with_read(not state.read, self.iso()))

    def remove(self, key: str) -> bool:
        return self.change(key, "Removed 1 paper", lambda s: replace(s, removed=True))

    def tag(self, key: str, tag: str) -> bool:
        """Add ``tag`` (a tag already there in any case stays as it is), as the tag prompt does."""
        def add(state: PaperState) -> PaperState:
            if any(t.casefold() == tag.casefold() for t in state.tags):
                return state
            return replace(state, tags=(*state.tags, tag))
        return self.change(key, "Tagged 1 paper", add)

    def untag(self, key: str, tag: str) -> bool:
        return self.change(key, "Untagged 1 paper",
                           lambda s: replace(s, tags=tuple(t for t in s.tags if t.casefold() != tag.casefold())))

    def note(self, key: str, text: str, append: bool) -> bool:
        return self.change(key, "Edited the note on 1 paper",
                           lambda s: replace(s, note=(s.note + text) if append else text))

    def change_many(self, keys: list[str], field: str) -> bool:
        """``s`` / ``r`` on a selection: one action, all on (all off when all were on)."""
        states = {key: self.store.state(key) for key in keys}
        on = not all(getattr(state, field) for state in states.values())
        now = self.iso()
        new = {key: state.with_star(on, now) if field == "starred" else state.with_read(on, now)
               for key, state in states.items()}
        changes = [[key, states[key].to_record(), state.to_record()] for key, state in new.items() if state != states[key]]
        if not changes:
            return False
        self.writer.record(f"Changed {len(changes)} papers", changes)
        for key, _before, after in changes:
            self.store.set_state(key, PaperState.from_record(after))
        self.writer.save()
        return True

    def organize(self, plan_of: Callable[[Store], object]) -> bool:
        """A tag or batch rename or delete, as ``paperqueue tag`` / ``batch`` do
        (``False``: the command refuses it, e.g. no such tag)."""
        from paperqueue.core.organize import OrganizeError, carry_out

        try:
            plan = plan_of(self.store)
        except OrganizeError:
            return False
        carry_out(self.store, self.writer, plan)
        self.writer.save()
        return True

    def step(self, redo: bool) -> bool:
        """``u`` / ``ctrl+r``, as ``paperqueue undo`` / ``redo`` do it."""
        action = self.writer.redo() if redo else self.writer.undo()
        if action is None:
            return False
        for key, state in action.states(after=redo).items():
            if key in self.store.papers:
                self.store.set_state(key, state)
        self.writer.save()
        return True

    def import_page(self, path: Path, restore: bool = False) -> None:
        self.imports += 1
        name = f"{self.name} page {self.imports}"
        result = import_file(self.store, path, source=path.name, name=name, restore=restore)
        self.writer.record_import(f"Imported {path.name}: {result.summary()}", self.store.last_import)
        self.writer.save()

    def sync(self) -> Summary:
        return sync_folder(self.store, self.history, self.writer, self.iso())

    # what the person sees

    def view(self) -> dict[str, dict]:
        """Each paper the queue holds (shown, or hidden: only in deleted
        batches), by its title's identity form: its key and its state."""
        self.store.load_rest()
        held = {}
        for key, paper in self.store.papers.items():
            state = self.store.state(key)
            held[normalise_title(paper.title)] = {
                "key": key,
                "starred": (state.starred, state.starred_at), "read": (state.read, state.read_at),
                "removed": state.removed, "tags": sorted(state.tags), "note": state.note,
            }
        return held

    def tag_order(self) -> dict[str, list[str]]:
        """Each held paper's tags in the order shown."""
        return {normalise_title(p.title): list(self.store.state(k).tags) for k, p in self.store.papers.items()}

    def note_histories(self) -> dict[str, list[tuple[str, str]]]:
        """Each held paper's note history ("also edited on ..."): (text, stamp), newest first."""
        from paperqueue.core.sync.notes import load_note_history

        return {normalise_title(p.title): [(v.text, v.stamp.text()) for v in load_note_history(self.home, k)]
                for k, p in self.store.papers.items()}

    def shown(self) -> list[str]:
        """The papers the queue shows (not only in deleted batches), by title, sorted."""
        return sorted(normalise_title(p.title) for p in self.store.papers.values() if not self.store.hidden(p))

    def batches(self) -> list[str]:
        """The names of the batches the queue shows (not deleted), sorted, repeats kept."""
        return sorted(self.store.batch_name(b) for b in self.store.live_batches())

    def paper_batches(self) -> dict[str, list[str]]:
        """Per shown paper (by title): the names of the live batches holding it."""
        out = {}
        for paper in self.store.papers.values():
            if self.store.hidden(paper):
                continue
            out[normalise_title(paper.title)] = sorted(
                self.store.batch_name(b) for b in (paper.batches or (paper.batch,)) if b not in self.store.deleted_batches)
        return out


# -- the reference: every change in the shared folder, in stamp order -----------------------------


def shared_lines(folder: Path) -> tuple[list[Change], list[PaperLine]]:
    changes: list[Change] = []
    papers: list[PaperLine] = []
    for path in sorted(folder.glob("*/*.jsonl")):
        found, skipped, _used = decode_chunk(path.read_bytes(), papers)
        assert skipped == 0, f"{path}: {skipped} lines not understood"
        changes += found
    return changes, papers


def _titles(papers: list[PaperLine], replicas: list[Replica]) -> dict[str, str]:
    """Every key a paper is known by (paper lines, each replica's keys and aliases) -> its title's identity form."""
    title_of: dict[str, str] = {line.key: normalise_title(line.row["title"]) for line in papers}
    for replica in replicas:
        for key, paper in replica.store.papers.items():
            title_of.setdefault(key, normalise_title(paper.title))
        for old, into in replica.store.aliases.items():
            if into in replica.store.papers:
                title_of.setdefault(old, normalise_title(replica.store.papers[into].title))
    return title_of


def reference(folder: Path, replicas: list[Replica]) -> tuple[dict[str, dict], list[str], dict[str, list]]:
    """One replica applying every change in stamp order, each overwriting
    the last, every key a paper is known by counting as that paper (by its
    title): the state of each paper a change named, the batch names, and
    each paper's note history (the losing leaves of concurrent edits)."""
    changes, papers = shared_lines(folder)
    title_of = _titles(papers, replicas)
    notes = Merged()  # note histories: the fold of every note change, each key counted as its paper
    notes.apply(replace(c, key=title_of[c.key]) for c in changes if c.field == NOTE and not c.key.startswith(BATCH))
    histories = {title: [(v.text, v.stamp.text()) for v in notes.note_history(title)] for title in notes.keys()}
    fields: dict[str, dict[str, object]] = {}
    for change in sorted(changes, key=lambda c: c.stamp):
        key = change.key if change.key.startswith(BATCH) else title_of[change.key]
        fields.setdefault(key, {})[change.field] = change.value
    states = {}
    for key, values in fields.items():
        if key.startswith(BATCH):
            continue
        starred = values.get(STARRED, (False, None))
        read = values.get(READ, (False, None))
        states[key] = {
            "starred": tuple(starred), "read": tuple(read), "removed": bool(values.get(REMOVED, False)),
            "tags": sorted(str(v) for f, v in values.items() if f.startswith(TAG) and v is not None),
            "note": str(values.get(NOTE, "")),
        }
    # Batches: every batch a paper line names (sync id, name), renamed and
    # deleted as their batch changes say.
    batches: dict[str, str] = {}
    for line in sorted(papers, key=lambda line: line.stamp):
        for batch, name in line.batches:
            batches.setdefault(batch, name)
    for key, values in fields.items():
        if key.startswith(BATCH):
            batch = key[len(BATCH):]
            if isinstance(values.get("name"), str):
                batches[batch] = str(values["name"])
            if values.get("deleted"):
                batches.pop(batch, None)
    return states, sorted(batches.values()), histories


def plain(view: dict[str, dict]) -> dict[str, dict]:
    """A view without the keys (the key check is an assertion of its own)."""
    return {title: {k: v for k, v in row.items() if k != "key"} for title, row in view.items()}


DEFAULT = {"starred": (False, None), "read": (False, None), "removed": False, "tags": [], "note": ""}


def batch_sync_ids(replica: Replica) -> dict[str, str]:
    """Live batch sync id -> name on ``replica``."""
    return {_emitter.sync_id(replica.name, b, replica.store.batch_info.get(b)): replica.store.batch_name(b)
            for b in replica.store.live_batches()}
