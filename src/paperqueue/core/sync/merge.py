"""Applying field changes: every device that has seen the same changes
shows the same queue, whatever order they arrived in and however often.

Per (paper, field) the change with the highest stamp wins; stamps hold the
device id, so two devices never tie. (Two different changes of one device
with one stamp for one field are a bug elsewhere; they are still told apart
by their encoded value, so the result stays deterministic.) Applying is
idempotent, commutative and associative: :class:`Merged` keeps the winner
of each field, which is the maximum over the set of changes seen.

Notes keep more than the winner. Each note change names the version it
was edited from (``base``). A note version no other change was edited
from is a leaf: a line of edits nobody continued. The note shown is the
winner; every other leaf holding text is kept in the note's history
("also edited on <device> at <time>"), so two devices editing the same note
between syncs never lose text. A later edit from the version shown does
not drop the other leaf: it stays in the history (dismissing it would be a
change of its own; see the package docstring's open questions).

Tags are shown in the order they were put on (the stamp of the change that
set each one; one action's tags by name).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import orjson

from paperqueue.core.models import PaperState, new_state
from paperqueue.core.sync.changes import BATCH, NOTE, READ, REMOVED, STARRED, TAG, Change
from paperqueue.core.sync.hlc import Stamp


@dataclass(frozen=True, slots=True)
class NoteVersion:
    """A note text that lost to a concurrent edit, kept in the note's history."""

    text: str
    stamp: Stamp

    @property
    def device(self) -> str:
        return self.stamp.device

    def describe(self) -> str:
        return f"also edited on {self.stamp.device} at {self.stamp.at()}"


def _order(change: Change) -> tuple:
    # The stamp decides; the encoded value only separates a (buggy) same-stamp pair.
    base = change.base.text() if change.base is not None else ""
    return change.stamp, orjson.dumps(change.value), base


class Merged:
    """The fold of every change seen: the winning change of each field, and
    every note change (for the note history)."""

    def __init__(self) -> None:
        self._fields: dict[str, dict[str, Change]] = {}
        self._notes: dict[str, set[Change]] = {}
        self.lines = 0  # lines of the cache file this fold was read from (see reading.write_merged)

    def apply(self, changes: Iterable[Change]) -> set[str]:
        """Take in ``changes`` (any order, repeats welcome); returns the keys
        whose state or note history changed."""
        touched: set[str] = set()
        for change in changes:
            key = change.key
            fields = self._fields.get(key)
            if fields is None:
                fields = self._fields[key] = {}
            if change.field == NOTE:
                notes = self._notes.setdefault(key, set())
                if change not in notes:
                    notes.add(change)
                    touched.add(key)
            current = fields.get(change.field)
            if current is None or (current != change and _order(change) > _order(current)):
                fields[change.field] = change
                touched.add(key)
        return touched

    # -- what it shows -------------------------------------------------------------

    def keys(self) -> list[str]:
        """Every key a change named (papers and batches)."""
        return list(self._fields)

    def state(self, key: str) -> PaperState:
        fields = self._fields.get(key)
        if not fields:
            return PaperState()
        starred, at_star = _flag(fields.get(STARRED))
        read, at_read = _flag(fields.get(READ))
        removed = fields.get(REMOVED)
        note = fields.get(NOTE)
        tags = sorted(
            ((change.stamp, name, change.value) for name, change in fields.items()
             if name.startswith(TAG) and change.value is not None),
        )
        return PaperState(
            starred=starred,
            read=read,
            starred_at=at_star,
            read_at=at_read,
            tags=tuple(str(value) for _stamp, _name, value in tags),
            note=str(note.value) if note is not None else "",
            removed=bool(removed.value) if removed is not None else False,
        )

    def applied(self, state: PaperState, key: str) -> PaperState:
        """``state`` with each field the fold knows for ``key`` set as
        :meth:`state` shows it, and the fields no change named left as they
        are (a tag no change named stays, before the synced ones). Reads
        only the fields named: the per-paper step of applying a sync.
        ``state`` itself when nothing differs (so ``is`` tells)."""
        fields = self._fields.get(key)
        if not fields:
            return state
        if len(fields) == 1:  # most often one field of a paper changed: said at once
            name, change = next(iter(fields.items()))
            if name == STARRED or name == READ:
                on, at = change.value  # type: ignore[misc]
                on = bool(on)
                if name == STARRED:
                    if on == state.starred and at == state.starred_at:
                        return state
                    return new_state(on, state.read, at, state.read_at, state.tags, state.note, state.removed)
                if on == state.read and at == state.read_at:
                    return state
                return new_state(state.starred, on, state.starred_at, at, state.tags, state.note, state.removed)
        starred, read, starred_at, read_at = state.starred, state.read, state.starred_at, state.read_at
        tags, note, removed = state.tags, state.note, state.removed
        tagged: list[tuple[Stamp, str, object]] | None = None
        for name, change in fields.items():
            if name == STARRED:
                on, starred_at = change.value  # type: ignore[misc]
                starred = bool(on)
            elif name == READ:
                on, read_at = change.value  # type: ignore[misc]
                read = bool(on)
            elif name == REMOVED:
                removed = bool(change.value)
            elif name == NOTE:
                note = str(change.value)
            elif name.startswith(TAG):
                if tagged is None:
                    tagged = []
                if change.value is not None:
                    tagged.append((change.stamp, name, change.value))
        if tagged is not None:
            if len(tagged) > 1:
                tagged.sort()
            tags = (*(tag for tag in state.tags if TAG + tag.casefold() not in fields),
                    *(str(value) for _stamp, _name, value in tagged))
        if (starred == state.starred and starred_at == state.starred_at and read == state.read
                and read_at == state.read_at and removed == state.removed and note == state.note
                and tags == state.tags):
            return state
        return new_state(starred, read, starred_at, read_at, tags, note, removed)

    def fields(self, key: str) -> dict[str, Change]:
        """The winning change of each field a change named for ``key``."""
        return dict(self._fields.get(key, {}))

    def states(self) -> dict[str, PaperState]:
        """The state of every paper a change named."""
        return {key: self.state(key) for key in self._fields if not key.startswith(BATCH)}

    def note_stamp(self, key: str) -> Stamp | None:
        """The stamp of the note version shown: the ``base`` of the next edit."""
        note = self._fields.get(key, {}).get(NOTE)
        return note.stamp if note is not None else None

    def noted(self) -> list[str]:
        """The keys with a note change (papers only have notes)."""
        return list(self._notes)

    def note_changes(self, key: str) -> set[Change]:
        """Every note change of ``key`` kept (the winner and the versions)."""
        return set(self._notes.get(key, ()))

    def note_history(self, key: str) -> list[NoteVersion]:
        """Texts of concurrent edits that lost, newest first, one per text."""
        notes = self._notes.get(key)
        if not notes:
            return []
        winner = self._fields[key][NOTE]
        continued = {change.base for change in notes if change.base is not None}
        kept: dict[str, NoteVersion] = {}
        for change in sorted(notes, key=_order, reverse=True):
            text = str(change.value)
            if change == winner or change.stamp in continued or not text or text == winner.value:
                continue
            kept.setdefault(text, NoteVersion(text, change.stamp))
        return list(kept.values())

    def batch_info(self, batch: str) -> dict:
        """The synced fields of a batch (``name``, ``deleted``) as changes set them."""
        return {name: change.value for name, change in self._fields.get(BATCH + batch, {}).items()}

    def size(self) -> int:
        """At least as many as :meth:`kept` yields: the fields' winners and every note change."""
        return sum(map(len, self._fields.values())) + sum(map(len, self._notes.values()))

    def kept(self) -> Iterator[Change]:
        """What a compacted file must hold to fold to the same result: each
        field's winner and the note leaves (in no particular order)."""
        for key, fields in self._fields.items():
            yield from fields.values()
            notes = self._notes.get(key)
            if notes:
                continued = {change.base for change in notes if change.base is not None}
                winner = fields.get(NOTE)
                yield from (c for c in notes if c != winner and c.stamp not in continued)


def _flag(change: Change | None) -> tuple[bool, str | None]:
    if change is None:
        return False, None
    on, at = change.value  # type: ignore[misc]
    return bool(on), at
