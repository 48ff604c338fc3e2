"""The person's states an import carries (a paperqueue JSON's stars, tags
and notes), by key: held in memory for papers already in the queue, in
the new shards for new ones (see :class:`States`)."""

from __future__ import annotations

from collections.abc import ItemsView
from typing import TYPE_CHECKING

from paperqueue.core.models import PaperState

if TYPE_CHECKING:
    from paperqueue.core.store.merge import Merge

NO_STATE = PaperState()


class States:
    """The person's state of each paper the import changes, by key: held
    here for papers already in the queue (``held``), in the chunks for new
    ones (written as their shards fill, read back when asked for), so
    ``items()`` and ``len()`` give only the papers already in the queue."""

    def __init__(self, merge: Merge) -> None:
        self._merge = merge
        self.held: dict[str, PaperState] = {}

    def _new_id(self, key: str) -> int | None:
        return self._merge.new.get(key)

    def get(self, key: str, default: PaperState | None = None) -> PaperState | None:
        doc_id = self._new_id(key)
        if doc_id is None:
            return self.held.get(key, default)
        record = self._merge.chunks.state_record(doc_id)
        return PaperState.from_record(record) if record is not None else default

    def __getitem__(self, key: str) -> PaperState:
        state = self.get(key)
        if state is None:
            raise KeyError(key)
        return state

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __setitem__(self, key: str, state: PaperState) -> None:
        doc_id = self._new_id(key)
        if doc_id is None:
            self.held[key] = state
        else:  # a new paper without stars, tags or notes needs no record
            self._merge.chunks.put_state(doc_id, {"key": key, **state.to_record()} if state != NO_STATE else None)

    def pop(self, key: str, default: PaperState | None = None) -> PaperState | None:
        doc_id = self._new_id(key)
        if doc_id is None:
            return self.held.pop(key, default)
        state = self.get(key)
        if state is None:
            return default
        self._merge.chunks.put_state(doc_id, None)
        return state

    def items(self) -> ItemsView[str, PaperState]:
        return self.held.items()

    def __len__(self) -> int:
        return len(self.held)

    def __bool__(self) -> bool:
        return bool(self.held)
