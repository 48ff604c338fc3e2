"""Importing into the open queue, for the App: the ``i`` prompt, and the
imports handed over by ``paperqueue import`` while the app holds the lock
(see :mod:`paperqueue.core.handoff`). Both run in workers, with progress
in the status line."""

from __future__ import annotations

import threading
from pathlib import Path

from textual import work


class ImportsMixin:
    """Mixed into the App (which provides ``store``, ``history``, ``queue_screen``).

    Imports run one at a time (``_one_at_a_time``), whichever worker asks:
    the ``i`` prompt's and the hand-over's workers are not exclusive, since
    cancelling a thread worker does not stop its thread, only hides it."""

    _one_at_a_time = threading.Lock()

    def _import_progress(self, stage: str, done: int, total: int) -> None:
        """Called from an import worker: show how far it got in the status line."""
        text = f"importing: {stage} {done / total:.0%}" if total else f"importing: {stage} {done:,}"
        self.call_from_thread(self.queue_screen.set_activity, "import", text)

    def _check_requests(self) -> None:
        """Look (off the UI thread) for imports handed over by the command line."""
        if not any(w.group == "import" and not w.is_finished for w in self.workers):
            self._take_requests()

    def prompt_import(self) -> None:
        from paperqueue.ui.screens.import_prompt import ImportPrompt

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.import_path(path)

        self.push_screen(ImportPrompt(), chosen)

    @work(thread=True, group="import", exit_on_error=False)
    def import_path(self, path: Path) -> None:
        """Import ``path`` into the open queue (``i``), with progress in the status line."""
        lines, errors, _status = self._import_files([path])
        text = "\n".join([*lines, *errors]) or f"Nothing imported from {path}"
        self.call_from_thread(self.notify, text, severity="error" if errors and not lines else "information", markup=False, timeout=8)

    def _import_files(self, paths: list[Path], name: str | None = None, restore: bool = False) -> tuple[list[str], list[str], int]:
        """Import files in a worker thread: summary lines, error lines, and the
        exit code ``paperqueue import`` would give (0, 1 store, 2 input)."""
        store = self.store
        if store is None:
            return [], ["the queue is not open yet"], 1
        with self._one_at_a_time:
            return self._import_each(store, paths, name, restore)

    def _import_each(self, store, paths: list[Path], name: str | None, restore: bool) -> tuple[list[str], list[str], int]:  # noqa: ANN001
        from paperqueue.core.importing import UnusableFileError, import_file, summary_line
        from paperqueue.core.text import one_line

        lines: list[str] = []
        errors: list[str] = []
        status = 0
        try:
            for path in paths:
                label = one_line(path.name)
                try:
                    result = import_file(store, path, source=label, progress=self._import_progress, name=name, restore=restore)
                except UnusableFileError as error:
                    errors.append(one_line(str(error)))
                    status = 2
                    continue
                except OSError as error:
                    errors.append(f"{label}: not imported, the store could not be written ({error.strerror or error})")
                    status = status or 1
                    continue
                logged = store.last_import
                line = summary_line(label, result, logged=logged)
                lines.append(line)
                errors.extend(f"{path}: {problem}" for problem in result.problems)
                if self.writer is not None:
                    self.writer.record_import(f"Imported {line}", logged)  # u undoes it
        finally:
            self.call_from_thread(self.queue_screen.set_activity, "import", None)
        if lines:
            self.call_from_thread(self.flush_store)
            self.call_from_thread(self.queue_screen.store_complete)
        return lines, errors, status

    @work(thread=True, group="import", exit_on_error=False)
    def _take_requests(self) -> None:
        """Work handed over by the command line while the app is open:
        imports (``paperqueue import``), fetches and adds (``paperqueue
        fetch``, ``paperqueue add``), syncs (``paperqueue sync``); a kind this version does not know is
        answered so (exit 2)."""
        from paperqueue.core import handoff
        from paperqueue.core.text import one_line

        store = self.store
        if store is None or store.read_only:
            return
        while (claimed := handoff.claim(store.home)) is not None:
            working, body = claimed
            kind = handoff.kind_of(body)
            said = body.get("kind")
            answered = kind or (one_line(said) if isinstance(said, str) else handoff.IMPORT)
            lines: list[str] = []
            errors = [f"the open paperqueue could not {kind or 'do'} it (see its window)"]
            status = 1
            try:
                if kind == handoff.IMPORT:
                    files = [Path(f) for f in body.get("files", []) if isinstance(f, str)]
                    name = body.get("name") if isinstance(body.get("name"), str) else None
                    lines, errors, status = self._import_files(files, name, bool(body.get("restore")))
                elif kind in (handoff.FETCH, handoff.ADD):
                    lines, errors, status = self.answer_work(kind, body)  # ui/fetching.py
                elif kind == handoff.SYNC:
                    lines, errors, status = self.run_sync()  # ui/syncing.py
                else:
                    lines, errors, status = [], ["unknown request"], 2
            finally:
                # Always answered: the waiting command must never wait forever.
                handoff.answer(working, lines, errors, status, answered)
            if lines and kind == handoff.IMPORT:
                self.call_from_thread(self.notify, "\n".join(["From the command line:", *lines]), markup=False, timeout=8)
            elif lines:  # a fetch or an add: one line
                text = one_line(f"From the command line: paperqueue {kind}: " + "; ".join(lines))
                self.call_from_thread(self.notify, text, markup=False, timeout=8)
