"""Folding two known papers into one when an entry proves they are the same.

An entry naming a paper by arXiv id or DOI (P1) whose title also matches,
with nothing contradicting, a different paper that has no id and no DOI of
its own (P2) shows that the queue holds one work twice. The older of the
two (lower document id) stays, with its key (keys are permanent); the other
is folded into it: its text fills what the kept one lacks (authoritative
text wins, as in a merge), its links and batches join, and the person's
states combine (starred or read if either was, the earlier time; tags
united in order; notes joined by a blank line; removed only if both were).

The folded paper's key becomes an alias of the kept one, stored in
``meta.json`` (``aliases``), so it lands with the import's commit: an
import naming it (a JSON export made before) reaches the kept paper, and
the folded paper's records are skipped when the store is read. The kept
paper's new index and state records carry ``fold`` (the folded keys) and
``was`` (its records before): until ``meta.json`` names those aliases, a
reader takes ``was``, so a crash before the commit leaves both papers as
they were.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from paperqueue.core.identity import doi_key, normalise_title
from paperqueue.core.models import PaperDetails, PaperState

if TYPE_CHECKING:
    from paperqueue.core.importers.record import ParsedPaper
    from paperqueue.core.models import Paper
    from paperqueue.core.store.merge import Merge
    from paperqueue.core.store.store import Store


def settled(record: dict, aliases: dict[str, str]) -> dict | None:
    """The record to believe: a fold's record only once its aliases are
    committed, else what it replaced (None: nothing, or a folded paper's)."""
    fold = record.get("fold")
    if fold and not all(key in aliases for key in fold):
        record = record.get("was")
        if not isinstance(record, dict):
            return None
    return None if record.get("key") in aliases else record


def resolve(key: str, *aliases: dict[str, str]) -> str:
    """The key a folded paper now lives under (itself if not folded)."""
    for _ in range(64):  # chains are flattened; this only bounds a damaged file
        for table in aliases:
            if key in table:
                key = table[key]
                break
        else:
            return key
    return key


def combined(kept: PaperState, gone: PaperState) -> PaperState:
    """The person's state of two records of one paper."""

    def when(flag_a: bool, at_a: str | None, flag_b: bool, at_b: str | None) -> str | None:
        times = [at for flag, at in ((flag_a, at_a), (flag_b, at_b)) if flag and at]
        return min(times) if times else (at_a if flag_a else at_b)

    notes = [note for note in (kept.note, gone.note) if note]
    return PaperState(
        starred=kept.starred or gone.starred,
        starred_at=when(kept.starred, kept.starred_at, gone.starred, gone.starred_at),
        read=kept.read or gone.read,
        read_at=when(kept.read, kept.read_at, gone.read, gone.read_at),
        tags=tuple(dict.fromkeys((*kept.tags, *gone.tags))),
        note="\n\n".join(dict.fromkeys(notes)),
        removed=kept.removed and gone.removed,
    )


def twin(merge: Merge, item: ParsedPaper, normalised: str, found: str) -> tuple[str, str] | None:
    """The paper ``item`` names by id or DOI and a second record of it that
    ``item`` names by title; None when there is none."""
    if not normalised:
        return None
    ident = _by_identifier(merge, item)
    if ident is None:
        return None
    candidates = (found, *merge._by_title.keys(normalised), *merge._new_titles.keys(normalised))
    others = []
    for key in dict.fromkeys(merge.live(key) for key in candidates):
        other = merge._paper(key)
        if key != ident and not other.arxiv_id and not other.doi:  # else: maybe a different work by id
            others.append(key)
    if not others:
        return None  # the common case: a paper met again, nothing to fold
    first = merge._paper(ident)
    if first.title and normalise_title(first.title) != normalised:
        return None  # the id's paper has another title: leave it to a person
    from paperqueue.core.store.entry import facts_of, real_doi

    facts = facts_of(item)
    doi = real_doi(item.doi)
    best, best_score = None, -1
    for key in others:
        score = merge._agreement(item, doi, facts, key)
        if score is None or not _agree(merge._known_facts(first), merge._known_facts(merge._paper(key))):
            continue
        if score > best_score:
            best, best_score = key, score
    if best is None or found not in (ident, best):
        return None
    return ident, best


def _by_identifier(merge: Merge, item: ParsedPaper) -> str | None:
    from paperqueue.core.store.entry import real_doi

    key = None
    if item.arxiv_id:
        key = merge._new_arxiv.get(item.arxiv_id) or merge._by_arxiv.get(item.arxiv_id)
    doi = real_doi(item.doi)
    if key is None and doi:
        key = merge._new_dois.get(doi_key(doi)) or merge._by_doi.get(doi_key(doi))
    return merge.live(key) if key else None


def _agree(a: tuple[int | None, str | None], b: tuple[int | None, str | None]) -> bool:
    if a[0] is not None and b[0] is not None and abs(a[0] - b[0]) > 1:
        return False
    return not (a[1] and b[1] and a[1] != b[1])


def fold(merge: Merge, one: str, other: str, keep: str | None = None) -> str:
    """Fold the newer of two papers into the older; returns the kept key.
    With ``keep`` (a sync rekey: a new paper of the key that came first
    elsewhere), that one is kept, taking the other's place in the list
    (its ``seq``) and its batches, first batch first."""
    from paperqueue.core.store.entry import DETAIL_FIELDS, content, joined

    kept, gone = merge._paper(one), merge._paper(other)
    if keep is not None:
        if gone.key == keep:
            kept, gone = gone, kept
    elif gone.id < kept.id:
        kept, gone = gone, kept
    old, theirs = merge._old_details(kept), merge._old_details(gone)
    wins = gone.auth and not kept.auth
    title = gone.title if gone.title and (not kept.title or wins) else kept.title
    abstract = theirs.abstract if theirs.abstract and (not old.abstract or wins) else old.abstract
    added = [at for at in (kept.added_at, gone.added_at) if at]
    updated = replace(
        kept,
        title=title,
        arxiv_id=kept.arxiv_id or gone.arxiv_id,
        doi=kept.doi or gone.doi,
        links=tuple(dict.fromkeys((*kept.links, *gone.links))),
        added_at=min(added) if added else kept.added_at,
        batches=joined(kept.batches, tuple(dict.fromkeys((gone.batch, *gone.batches)))),
        auth=kept.auth or gone.auth,
    )
    if keep is not None:
        first = tuple(dict.fromkeys((gone.batch, *gone.batches)))
        updated = replace(updated, seq=gone.seq, batch=gone.batch, batches=joined(first, kept.batches))
    details = filled_from(old, theirs, abstract, DETAIL_FIELDS)
    _count(merge, kept, gone, changed=details != old or content(updated) != content(kept))
    # The kept paper, as a merge would leave it.
    if updated != kept:
        merge.put(updated)
    merge._remember(updated, normalise_title(updated.title) if updated.title else "")
    if details != old:
        merge.put_details(kept, details)
    merge._facts.pop(kept.key, None)
    merge._last_read = None
    if (title, abstract) != (kept.title, old.abstract):
        merge._reindex(kept, old.abstract, title, abstract)
    # The search index forgets the folded paper.
    merge.result.reindexed.append((gone.id, gone.title, theirs.abstract, "", ""))
    # The person's state.
    store = merge.store
    mine = merge.states.get(kept.key)
    theirs = merge.states.pop(gone.key, None) or store.state(gone.key)
    if mine is None and keep is not None:
        state = theirs  # a rekey: the new paper has no state of its own (removed stays removed)
    else:
        state = combined(mine or store.state(kept.key), theirs)
    if state != store.state(kept.key) or kept.key in merge.states:
        merge.states[kept.key] = state
    # Forget the folded paper; a committed key becomes an alias.
    if merge.new.pop(gone.key, None) is not None:
        merge.chunks.drop(gone.id)
    merge.changed.pop(gone.key, None)
    merge.details.pop(gone.id, None)
    merge.folded[gone.key] = kept.key
    for old_key, into in list(merge.folded.items()):
        if into == gone.key:
            merge.folded[old_key] = kept.key
    if gone.key in store.papers:
        merge.folds.setdefault(kept.key, []).append(gone.key)
        merge.folds[kept.key].extend(merge.folds.pop(gone.key, []))
    else:
        merge.spent_ids.append(gone.id)
    merge.result.folded += 1
    return kept.key


def _count(merge: Merge, kept: Paper, gone: Paper, changed: bool) -> None:
    """Move the count of the entries that named the folded paper to the kept
    one, so that each entry is still counted once."""
    result = merge.result
    was_new = gone.key in merge.new
    was_met = gone.key in merge._met
    if gone.key in merge.merged:
        merge.merged.discard(gone.key)
        result.merged -= 1
    merge._met.discard(gone.key)
    if was_new or was_met:
        if was_new:
            result.new -= 1
        else:
            result.existing -= 1
        kept_known = kept.key not in merge.new
        if kept_known and kept.key not in merge._met:
            merge._met.add(kept.key)
            result.existing += 1
        else:
            result.repeated += 1
    if changed and kept.key not in merge.new and kept.key not in merge.merged:
        # Counted as merged once the entry at hand meets it (it always does).
        merge.merged.add(kept.key)
        result.merged += 1


def filled_from(old: PaperDetails, theirs: PaperDetails, abstract: str, fields: tuple[str, ...]) -> PaperDetails:
    """``old`` with its gaps filled from another paper's details."""
    values = {name: getattr(old, name) or getattr(theirs, name) for name in fields}
    return PaperDetails(
        abstract=abstract,
        upvotes=old.upvotes if old.upvotes is not None else theirs.upvotes,
        comments=old.comments if old.comments is not None else theirs.comments,
        **values,
    )


def settle_folds(store: Store, merge: Merge, gone: list[str], aliases: dict[str, str]) -> None:
    """In memory, once ``meta.json`` landed: the folded papers are gone, their
    keys are aliases, and the identity indexes are built again when next needed."""
    merge.gone_ids = {key: store.papers[key].id for key in gone}
    for key in gone:
        store.papers.pop(key, None)
        store.states.pop(key, None)
        store._dirty.discard(key)
    store.aliases = aliases
    store._by_arxiv = store._by_doi = store._by_title = None


def tidy_folds(store: Store, merge: Merge, gone: list[str]) -> None:
    """After the commit: drop the folded papers' records and write the kept
    ones plainly (a reader skips the former and settles the latter anyway,
    so a failure here changes nothing)."""
    from paperqueue.core.store import layout

    index: dict[int, dict[int, dict | None]] = {}
    states: dict[int, dict[int, dict | None]] = {}
    for doc_id in merge.gone_ids.values():
        index.setdefault(layout.shard_of(doc_id), {})[doc_id] = None
        states.setdefault(layout.shard_of(doc_id), {})[doc_id] = None
    for key in merge.folds:
        paper = store.papers.get(key)
        if paper is None:
            continue
        shard = layout.shard_of(paper.id)
        if key in merge.changed:
            index.setdefault(shard, {})[paper.id] = paper.to_record()
        if key in merge.states:
            states.setdefault(shard, {})[paper.id] = {"key": key, **store.state(key).to_record()}
    try:
        for shard, docs in index.items():
            store.write_shard(layout.shard_path(store.home, layout.INDEX, shard), "papers", docs)
        for shard, docs in states.items():  # the import holds the store's write lock
            store._table(layout.shard_path(store.home, layout.STATE, shard), "state").put(docs)
    except OSError:
        pass
