"""When a store file is unreadable: it is set aside (never deleted), and
what can be saved is saved: a state shard is rebuilt from the action log,
and the warning for a lost abstracts or index shard names the imports that
brought its papers (:mod:`salvage`). A mixin of :class:`Store`."""

from __future__ import annotations

from pathlib import Path

from paperqueue.core.atomic import CorruptFileError, set_aside
from paperqueue.core.lock import StoreLockedError
from paperqueue.core.models import PaperState
from paperqueue.core.store import layout, salvage
from paperqueue.core.store.fold import settled
from paperqueue.core.store.shape import ShapeError, check
from paperqueue.core.store.tables import TableFile

_NO_STATE = PaperState()


class Damage:
    """Opening store files, and what happens when one cannot be read."""

    def _table(self, path: Path, name: str, *, records: bool = True) -> TableFile:
        """The table file at ``path``, its shape checked when it is opened
        (without ``records``: all but each record, which the caller checks
        as it reads it, :func:`.shape.paper_of`)."""
        table = self._tables.get(path)
        if table is not None:
            return table
        table = TableFile(path, name, read_only=self.read_only)
        try:
            check(path, name, table.all_tables(), records=records)
        except CorruptFileError as error:
            what = f"did not hold what paperqueue expects ({error.reason})" if isinstance(error, ShapeError) else "was not valid JSON"
            shown = self._shown(path)
            if self._may_set_aside():
                aside = self._set_aside(path)
                note = f"{shown} {what}; moved it to {aside.name}"
                table = TableFile(path, name, read_only=self.read_only)
            else:
                table.show({})
                note = f"{shown} {what}; showing it as empty until paperqueue can set it aside"
            self._tables[path] = table
            self.warnings.append(self._after_loss(path, name, note, table))
            return table
        self._tables[path] = table
        return table

    def _shown(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.home))
        except ValueError:
            return path.name

    def _may_set_aside(self) -> bool:
        """Moving a file needs the writer lock; a reader borrows it if free."""
        if self._file_lock.held:
            return True
        try:
            self._file_lock.acquire()
        except (StoreLockedError, OSError):
            return False
        self._borrowed_lock = True
        return True

    def _set_aside(self, path: Path) -> Path:
        return set_aside(path)

    # -- what a set-aside file leaves (salvage.py) ---------------------------------

    def _after_loss(self, path: Path, name: str, note: str, table: TableFile) -> str:
        """The warning for a file set aside (or shown empty), after saving
        what can be saved from the rest of the store."""
        if name == "meta":
            self._meta_lost = True
            return note
        if name == "state" and path.stem.isdigit():
            return self._rebuild_states(int(path.stem), note, table)
        if name in ("abstracts", "papers") and path.stem.isdigit():
            shard = int(path.stem)
            papers = self._shard_papers(shard, skip=path)
            batches = salvage.names(self.batch_name(batch) for batch in papers.values() if batch is not None)
            again = f"; import again the files of {batches} to get them back" if batches else ""
            if name == "abstracts":
                return f"{note}; the abstracts of {len(papers)} papers are gone{again}"
            self.count = max(0, self.count - len(papers))
            self._meta_dirty = bool(papers)
            return f"{note}; {len(papers)} papers are no longer listed{again}"
        return f"{note} and started it empty"

    def _shard_papers(self, shard: int, skip: Path) -> dict[int, int | None]:
        """Committed papers of one shard: doc id -> the batch that added it,
        from the index shard, or from the abstracts when that is the one lost."""
        folder = layout.ABSTRACTS if skip.parent.name == layout.INDEX else layout.INDEX
        path = layout.shard_path(self.home, folder, shard)
        if path == skip or not path.exists():
            return {}
        docs = self._table(path, "abstracts" if folder == layout.ABSTRACTS else "papers").docs()
        papers: dict[int, int | None] = {}
        for doc_id, record in docs.items():
            number = int(doc_id)
            if number > self.max_id:
                continue
            if folder == layout.INDEX:
                record = settled(record, self.aliases) if "fold" in record or self.aliases else record
                if record is not None:
                    papers[number] = record.get("batch")
            elif record.get("key") not in self.aliases:
                papers[number] = salvage.batch_of(self.batch_info, number)
        return papers

    def _rebuild_states(self, shard: int, note: str, table: TableFile) -> str:
        """Put back the states of a lost state shard from the action log."""
        from paperqueue.core.history import FILE

        path = layout.shard_path(self.home, layout.INDEX, shard)
        keys: dict[int, str] = {}
        if path.exists():
            for doc_id, record in self._table(path, "papers").docs().items():
                record = settled(record, self.aliases) if "fold" in record or self.aliases else record
                if record is not None and int(doc_id) <= self.max_id:
                    keys[int(doc_id)] = record["key"]
        try:
            with (self.home / FILE).open("rb") as log:
                known = salvage.log_states(log)
        except OSError:
            known = {}
        docs: dict[int, dict | None] = {}
        rebuilt = 0
        for doc_id, key in keys.items():
            if key in known:
                rebuilt += 1
                state = PaperState.from_record(known[key])
                if state != _NO_STATE:
                    docs[doc_id] = {"key": key, **state.to_record()}
        if self.read_only:
            table.show({str(doc_id): record for doc_id, record in docs.items()})
        elif docs:
            try:
                table.put(docs)
            except OSError:
                table.show({str(doc_id): record for doc_id, record in docs.items()})
        unknown = len(keys) - rebuilt
        return (
            f"{note}; rebuilt the stars, read marks, tags and notes of {rebuilt} of its {len(keys)} papers "
            f"from the action log ({FILE})"
            + (f"; {unknown} papers are not in the log and start with none" if unknown else "")
        )
