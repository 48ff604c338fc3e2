"""Tags and import batches as a whole: list them, rename them, delete them.

Each change is planned here as one undoable action (:class:`Plan`: a label,
the papers' state changes and the batch changes) and applied by the caller
through :class:`paperqueue.core.writer.Writer` (``writer.record(plan.label,
plan.changes, plan.batches)`` after putting ``plan.states`` into the store),
so the command line and the app do exactly the same thing and undo reverts
it. Nothing here writes.

Tags compare without regard to case (as the tag prompt does): renaming onto
a tag already in use merges the two (a paper holding both keeps one, spelled
as the tag already in use). A rename or delete reaches every paper holding
the tag, removed and hidden ones too, so nothing comes back with the old
name.

A deleted batch stays in ``meta.json`` with ``"deleted": true``; its papers
that no live batch holds are hidden everywhere (:meth:`Store.hidden`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from paperqueue.core.history import BatchChange, Change
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.text import one_line

_SEPARATORS = re.compile(r"[\s,]+")


class OrganizeError(ValueError):
    """A request that cannot be done; the message is one line for the user."""


@dataclass
class Plan:
    label: str
    changes: list[Change] = field(default_factory=list)
    batches: list[BatchChange] = field(default_factory=list)

    @property
    def states(self) -> dict[str, PaperState]:
        """The states to put into the store (before recording)."""
        return {key: PaperState.from_record(after) for key, _before, after in self.changes}


def _papers(count: int) -> str:
    return f"{count:,} paper" if count == 1 else f"{count:,} papers"


# -- tags ------------------------------------------------------------------------


def parse_tags(text: str, known: list[str] | tuple[str, ...] = ()) -> tuple[str, ...]:
    """Words as tags, split on spaces and commas: no '#', no duplicates (in
    any case), in order, spelled as a ``known`` tag when one differs only in
    case, and nothing a terminal would act on or not show."""
    spelling = {tag.casefold(): tag for tag in known}
    tags: dict[str, str] = {}
    for word in _SEPARATORS.split(one_line(text)):
        word = word.lstrip("#")
        if word:
            tags.setdefault(word.casefold(), spelling.get(word.casefold(), word))
    return tuple(tags.values())


def known_tags(store: Store) -> dict[str, str]:
    """Every tag in use (on any paper), folded form -> spelling."""
    known: dict[str, str] = {}
    for state in store.states.values():
        for tag in state.tags:
            known.setdefault(tag.casefold(), tag)
    return known


def tag_counts(store: Store) -> list[tuple[str, int]]:
    """Each tag in use with the number of papers shown carrying it (removed
    and hidden papers not counted), by name in any case."""
    counts: dict[str, int] = {}
    spelled = known_tags(store)
    hidden = store.hidden_keys()
    for key, state in store.states.items():
        if not state.tags:
            continue
        shown = not state.removed and key not in hidden and key in store.papers
        for tag in state.tags:
            folded = tag.casefold()
            counts[folded] = counts.get(folded, 0) + shown
    return sorted(((spelled[t], n) for t, n in counts.items()), key=lambda item: item[0].casefold())


def _find_tag(store: Store, name: str) -> tuple[str, dict[str, str]]:
    known = known_tags(store)
    wanted = one_line(name).strip().lstrip("#").casefold()
    if not wanted or wanted not in known:
        listed = ", ".join(sorted(known.values(), key=str.casefold)) or "none yet"
        raise OrganizeError(f"no tag called {one_line(name)!r} (tags: {listed})")
    return wanted, known


def _retag(store: Store, wanted: str, replace_with: str | None) -> list[Change]:
    changes: list[Change] = []
    for key, state in store.states.items():
        if not any(tag.casefold() == wanted for tag in state.tags):
            continue
        tags: list[str] = []
        for tag in state.tags:
            tag = replace_with if tag.casefold() == wanted else tag
            if tag is not None and tag.casefold() not in {t.casefold() for t in tags}:
                tags.append(tag)
        new = PaperState(state.starred, state.read, state.starred_at, state.read_at, tuple(tags), state.note, state.removed)
        if new != state:
            changes.append((key, state.to_record(), new.to_record()))
    return changes


def rename_tag(store: Store, old: str, new: str) -> Plan:
    """Rename tag ``old`` to ``new`` on every paper holding it (merging
    into ``new`` when it is in use already)."""
    wanted, known = _find_tag(store, old)
    words = parse_tags(new)
    if len(words) != 1:
        why = "is empty" if not words else "must be one word (tags are split on spaces and commas)"
        raise OrganizeError(f"the new tag name {one_line(new)!r} {why}")
    target = words[0]
    if target.casefold() != wanted:
        target = known.get(target.casefold(), target)  # merging: spelled as the tag in use
    if target == known[wanted]:
        raise OrganizeError(f"the tag is already called #{target}")
    changes = _retag(store, wanted, target)
    merged = " (merged)" if target.casefold() in known and target.casefold() != wanted else ""
    return Plan(f"Renamed tag #{known[wanted]} to #{target}{merged} on {_papers(len(changes))}", changes)


def delete_tag(store: Store, name: str) -> Plan:
    """Take tag ``name`` off every paper holding it."""
    wanted, known = _find_tag(store, name)
    changes = _retag(store, wanted, None)
    return Plan(f"Deleted tag #{known[wanted]} from {_papers(len(changes))}", changes)


# -- batches -----------------------------------------------------------------------


@dataclass
class BatchRow:
    batch: int
    name: str
    added_at: str
    papers: int  # papers it holds that are shown (not removed, not hidden)


def batch_rows(store: Store) -> list[BatchRow]:
    """The live batches, newest first, with the papers shown in each."""
    store.load_rest()
    counts: dict[int, int] = {}
    for paper in store.papers.values():
        if store.state(paper.key).removed or store.hidden(paper):
            continue
        for batch in paper.batches or (paper.batch,):
            counts[batch] = counts.get(batch, 0) + 1
    return [
        BatchRow(batch, store.batch_name(batch), str(store.batch_info[batch].get("added_at") or ""), counts.get(batch, 0))
        for batch in store.live_batches()
    ]


def find_batch(store: Store, ref: str) -> int:
    """A live batch by number, by its whole name, or by the start of one name."""
    live = store.live_batches()
    text = one_line(ref).strip()
    if text.isdigit() and int(text) in live:
        return int(text)
    names = {batch: store.batch_name(batch) for batch in live}
    exact = [batch for batch, name in names.items() if name == text]
    if exact:
        return max(exact)
    prefixed = [batch for batch, name in names.items() if text and name.startswith(text)]
    if len(prefixed) == 1:
        return prefixed[0]
    listed = "; ".join(f"{b} {names[b]}" for b in live[:10]) or "none yet"
    more = f"; and {len(live) - 10:,} more" if len(live) > 10 else ""
    which = "more than one batch starts with" if prefixed else "no batch called"
    raise OrganizeError(f"{which} {text!r} (batches: {listed}{more})")


def rename_batch(store: Store, ref: str, new: str) -> Plan:
    batch = find_batch(store, ref)
    name = one_line(new).strip()
    if not name:
        raise OrganizeError("the new batch name is empty")
    if name.isdigit():
        raise OrganizeError(f"a batch name cannot be only digits ({name!r}): those name batches by number")
    before = dict(store.batch_info[batch])
    old = store.batch_name(batch)
    if name == old:
        raise OrganizeError(f"the batch is already called {name!r}")
    return Plan(f'Renamed batch "{old}" to "{name}"', [], [(batch, before, {**before, "name": name})])


def delete_batch(store: Store, ref: str) -> Plan:
    """Delete a batch: its papers that no other live batch holds are hidden."""
    batch = find_batch(store, ref)
    before = dict(store.batch_info[batch])
    store.load_rest()
    deleted = store.deleted_batches | {batch}
    hides = sum(
        1 for p in store.papers.values()
        if batch in (p.batches or (p.batch,)) and all(b in deleted for b in (p.batches or (p.batch,)))
        and not store.state(p.key).removed
    )
    return Plan(f'Deleted batch "{store.batch_name(batch)}" ({_papers(hides)} hidden)', [], [(batch, before, {**before, "deleted": True})])


def carry_out(store: Store, writer, plan: Plan):  # noqa: ANN001, ANN201 - a Writer; returns its Action
    """Put ``plan``'s states into the store and record it as one action
    (durable after ``writer.save()``)."""
    for key, state in plan.states.items():
        store.set_state(key, state)
    return writer.record(plan.label, plan.changes, plan.batches)
