"""One action of the log (:mod:`.history`): the states and batch infos it
changed, read from its line; and how undo and redo move only the fields an
action changed (:func:`moved_fields`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from paperqueue.core.models import PaperState
from paperqueue.core.text import one_line

Change = tuple[str, dict, dict]  # key, state before, state after (records)
BatchChange = tuple[int, dict, dict]  # batch, its info before, after (meta.json records)


@dataclass
class Action:
    seq: int
    at: str
    label: str
    changes: list[Change] = field(default_factory=list)
    batches: list[BatchChange] = field(default_factory=list)
    sync: list[str] = field(default_factory=list)  # its sync changes' lines (a store set up for sync)

    def states(self, after: bool) -> dict[str, PaperState]:
        return {key: PaperState.from_record(a if after else b) for key, b, a in self.changes}

    def batch_infos(self, after: bool) -> dict[int, dict]:
        """The batch infos the action leaves (``after``) or found."""
        return {batch: dict(a if after else b) for batch, b, a in self.batches}

    def record(self) -> dict:
        """Its ``do`` line."""
        line = {"seq": self.seq, "at": self.at, "kind": "do", "label": self.label, "changes": self.changes}
        if self.batches:
            line["batches"] = self.batches
        if self.sync:
            line["sync"] = self.sync
        return line

    def described(self, title_of: Callable[[str], str | None]) -> str:
        """The label, naming the paper when the action touched one
        (``Marked 1 paper read: "Pointer Networks"``)."""
        if len(self.changes) == 1:
            title = title_of(self.changes[0][0])
            if title:
                return f'{self.label}: "{one_line(title)}"'
        return self.label


def moved_fields(current: PaperState, source: PaperState, target: PaperState) -> PaperState:
    """``current`` with the fields that differ between ``source`` and
    ``target`` set as ``target`` has them (undo: ``source`` is the action's
    after-state, ``target`` its before-state): a field changed meanwhile by
    someone else keeps its value when the action did not touch it."""
    if current == source:
        return target
    values: dict = {}
    if (source.starred, source.starred_at) != (target.starred, target.starred_at):
        values["starred"], values["starred_at"] = target.starred, target.starred_at
    if (source.read, source.read_at) != (target.read, target.read_at):
        values["read"], values["read_at"] = target.read, target.read_at
    if source.removed != target.removed:
        values["removed"] = target.removed
    if source.note != target.note:
        values["note"] = target.note
    if source.tags != target.tags:
        had = {tag.casefold() for tag in source.tags}
        gets = {tag.casefold() for tag in target.tags}
        tags = [tag for tag in current.tags if tag.casefold() not in had - gets]
        held = {tag.casefold() for tag in tags}
        for tag in target.tags:
            if tag.casefold() not in held:
                tags.append(tag)
                held.add(tag.casefold())
        values["tags"] = tuple(tags)
    return replace(current, **values)


def batch_changes(record: dict) -> list[BatchChange]:
    """The ``batches`` of a ``do`` line; entries of the wrong shape are skipped."""
    found = record.get("batches")
    if not isinstance(found, list):
        return []
    return [
        (change[0], change[1], change[2])
        for change in found
        if isinstance(change, list) and len(change) == 3 and type(change[0]) is int
        and isinstance(change[1], dict) and isinstance(change[2], dict)
    ]


def sync_lines(record: dict) -> list[str]:
    found = record.get("sync")
    return [line for line in found if isinstance(line, str)] if isinstance(found, list) else []
