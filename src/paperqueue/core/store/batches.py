"""Import batches: their infos in memory (names, deletions; a paper all of
whose batches were deleted is hidden) and in ``meta.json``. A mixin of
:class:`~.store.Store`."""

from __future__ import annotations

from paperqueue.core.models import Paper
from paperqueue.core.store import layout


class Batches:
    """What the store knows of its import batches."""

    @property
    def batch_info(self) -> dict[int, dict]:
        return self._batch_info

    @batch_info.setter
    def batch_info(self, info: dict[int, dict]) -> None:
        self._batch_info = info
        self.deleted_batches = frozenset(b for b, i in info.items() if i.get("deleted"))

    def set_batch_info(self, batch: int, info: dict | None) -> None:
        """Change one batch's info in memory (``None``: forget it); its
        papers are hidden or shown at once. It reaches ``meta.json`` through
        :meth:`write_batches` (the writer, after its log record)."""
        with self._lock:
            infos = dict(self._batch_info)
            if info is None:
                infos.pop(batch, None)
            else:
                infos[batch] = dict(info)
            self.batch_info = infos

    def hidden(self, paper: Paper) -> bool:
        """Whether ``paper`` is hidden everywhere: every batch it belongs to
        was deleted. Free while no batch is deleted."""
        deleted = self.deleted_batches
        if not deleted:
            return False
        return all(b in deleted for b in (paper.batches or (paper.batch,)))

    def hidden_keys(self) -> frozenset[str]:
        """The keys of the hidden papers among those loaded (one pass; empty
        at once while no batch is deleted)."""
        if not self.deleted_batches:
            return frozenset()
        with self._lock:
            return frozenset(p.key for p in self.papers.values() if self.hidden(p))

    def live_batches(self) -> list[int]:
        """Batch numbers not deleted, newest first."""
        return sorted((b for b in self._batch_info if b not in self.deleted_batches), reverse=True)

    def write_batches(self, infos: dict[int, dict | None]) -> None:
        """Write these batches' infos into ``meta.json`` (atomically), on top
        of what the file holds (not of memory, which may be ahead)."""
        if not infos:
            return
        self._check_writable()
        with self._write_lock:
            meta = dict(self._meta or {"layout": layout.LAYOUT, "generation": self.generation,
                                       "count": self.count, "max_id": self.max_id})
            batches = layout.batch_info(meta.get("batches"))
            for batch, info in infos.items():
                if info is None:
                    batches.pop(batch, None)
                else:
                    batches[batch] = dict(info)
            meta["batches"] = {str(b): info for b, info in sorted(batches.items())}
            self._table(self.home / layout.META, "meta").put({1: meta})
            self._meta = meta

    def batch_name(self, batch: int) -> str:
        return str(self.batch_info.get(batch, {}).get("name") or f"import {batch}")


__all__ = ["Batches"]
