"""Changing the person's states: in memory (:meth:`StateWrites.set_state`,
:meth:`StateWrites.set_states`) and in the state shards
(:meth:`StateWrites.write_states`). A mixin of :class:`~.store.Store`."""

from __future__ import annotations

from paperqueue.core.atomic import dump_json
from paperqueue.core.models import PaperState
from paperqueue.core.store import layout
from paperqueue.core.store.shard_writes import replace_many

NO_STATE = PaperState()  # the state of a paper nobody did anything with: one shared, frozen
_BLANK = NO_STATE.to_record()

# key -> (state, its record without the key): a record the caller built
# already (a sync logs each state's record), used while it is of that state
Records = dict[str, tuple[PaperState, dict]]


class StateWrites:
    """Setting states in memory and writing them into the state shards."""

    def set_state(self, key: str, state: PaperState) -> None:
        """Change a paper's state in memory. The app's changes reach the disk
        through :class:`paperqueue.core.writer.Writer` (:meth:`write_states`,
        after their log records); :meth:`flush` writes what changed since the
        last write, for a caller that logs and writes on one thread."""
        with self._lock:
            self._check_writable()
            if key in self.aliases:
                return  # folded into another paper (an old logged action): nothing to show
            self.states[key] = state
            self._dirty.add(key)

    def set_states(self, states: dict[str, PaperState]) -> None:
        """:meth:`set_state` for each of ``states``, under one lock (a sync's 100,000)."""
        with self._lock:
            self._check_writable()
            aliases = self.aliases
            if aliases:
                states = {key: state for key, state in states.items() if key not in aliases}
            self.states.update(states)
            self._dirty.update(states)

    def write_states(self, states: dict[str, PaperState], records: Records | None = None) -> None:
        """Write exactly ``states``, whatever memory holds now: one atomic
        write per touched state shard (several shards: written together,
        :func:`.shard_writes.replace_many`). A paper folded into another or
        not in the queue is skipped; a state back to nothing (after an undo)
        is dropped, so the state files, and the next start, stay small.
        ``records``: records already made for some of these states."""
        if not states:
            return
        by_shard: dict[int, dict[int, dict | None]] = {}
        size = layout.SHARD_SIZE
        with self._lock:
            papers, aliases = self.papers, self.aliases
            if records and len(records) == len(states):  # made in the same order (a sync's): no lookups
                pairs = zip(states.items(), records.values())
            else:
                pairs = ((item, records.get(item[0]) if records else None) for item in states.items())
            for (key, state), made in pairs:
                paper = papers.get(key)
                if paper is None or (aliases and key in aliases):
                    continue
                # A record is of its state alone (not of its key): right whenever its state is this one.
                if made is not None and made[0] is state:
                    record = made[1]
                    record = None if state is NO_STATE or record == _BLANK else {"key": key, **record}
                elif state is NO_STATE or state == NO_STATE:
                    record = None
                else:
                    record = {"key": key, **state.to_record()}
                doc_id = paper.id
                docs = by_shard.get((doc_id - 1) // size)  # layout.shard_of
                if docs is None:
                    docs = by_shard[(doc_id - 1) // size] = {}
                docs[doc_id] = record
        with self._write_lock:
            shards = sorted(by_shard)
            tables = [self._table(layout.shard_path(self.home, layout.STATE, shard), "state") for shard in shards]
            if len(tables) == 1:
                tables[0].put(by_shard[shards[0]])
            else:
                self._check_writable()
                whole = [table.with_docs(by_shard[shard]) for table, shard in zip(tables, shards)]
                try:
                    replace_many([(table.path, dump_json(data)) for table, data in zip(tables, whole)])
                except BaseException:
                    for table in tables:
                        table.written(None)  # memory never claims what the disk may not hold
                    raise
                for table, data in zip(tables, whole):
                    table.written(data)
        with self._lock:
            self._dirty.difference_update(states)


__all__ = ["NO_STATE", "Records", "StateWrites"]
