"""Fetching into the open queue, for the App (issue 11): ``R`` fetches
every subscription, ``a`` adds papers by id, DOI or URL, and a ``fetch`` or
``add`` handed over by the command line (see :mod:`paperqueue.core.handoff`)
is done here. The work runs in thread workers with progress in the status
line; each subscription lands as one undoable import (the core does it).

One HTTP client serves the whole session (closed on quit). Fetches run one
at a time (a second ``R`` says so); landings take the imports' lock, so a
fetch, an add and an import never write at once. Optional ``fetch_on_open``
(settings) fetches when the queue opens, at most once an hour."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime, timedelta

from textual import work
from textual.app import SystemCommand
from textual.screen import Screen

from paperqueue.core.text import one_line

FETCH_ON_OPEN_EVERY = timedelta(hours=1)  # the minimum interval between fetches on open
NO_SUBSCRIPTIONS = "No subscriptions yet: paperqueue subscribe arxiv cs.CL (see README)"


def fetch_summary(lines) -> str:  # noqa: ANN001 - FetchLines
    """One line for a whole fetch: ``Fetched 3 subscriptions: 143 new, 1
    failed (cs.LG: connection refused)``, then how the papers ``add`` left
    pending fared (they are not a subscription). Which URL failed is in the
    subscription's last error (``paperqueue subscriptions``)."""
    from paperqueue.core.fetching import PENDING_NAME

    subs = [line for line in lines if line.name != PENDING_NAME]
    new = sum(line.new for line in lines)
    failed = [line for line in subs if not line.ok]
    text = f"Fetched {len(subs):,} subscription{'' if len(subs) == 1 else 's'}: {new:,} new"
    not_modified = sum(line.not_modified for line in subs)
    if not_modified:
        text += f" ({not_modified:,} not modified)"
    if failed:
        reasons = "; ".join(_why(line) for line in failed)
        text += f", {len(failed):,} failed ({reasons})"
    pending = [line for line in lines if line.name == PENDING_NAME]
    if pending:
        text += f"; {pending[0].text}"
    return one_line(text)


def _why(line) -> str:  # noqa: ANN001
    text = line.text
    for filler in (": failed, nothing imported: ", ": not imported, "):
        head, found, rest = text.partition(filler)
        if found:
            url, colon, reason = rest.partition(": ")
            if colon and "://" in url:
                rest = reason  # the URL is the subscription's own
            return f"{head}: {rest}"
    return text


def add_summary(lines: list[str], errors: list[str]) -> str:
    """One line for an ``add``: how many are new, which papers wait for
    their details (and why), what was refused."""
    parts: list[str] = []
    pending: list[str] = []
    why = ""
    for line in lines:
        head, found, rest = line.partition(": details pending (")
        if found:
            pending.append(head)
            why = why or rest.rpartition(")")[0].rpartition(": ")[2]
        elif line.startswith("add: "):
            parts.append(line.split(", ", 1)[0])
        else:
            parts.append(line)
    if pending:
        parts.append(f"details pending for {', '.join(pending)}" + (f" ({why})" if why else "")
                     + ": the next fetch (R) fills them in")
    parts.extend(errors)
    return one_line("; ".join(parts)) or "Nothing added"


def split_items(text: str) -> list[str]:
    """What was typed or pasted in the add prompt: ids, DOIs or URLs
    separated by spaces, commas or line breaks."""
    return [part for part in text.replace(",", " ").split() if part]


class FetchingMixin:
    """Mixed into the App (which provides ``store``, ``writer``,
    ``queue_screen``, ``flush_store`` and the imports' ``_one_at_a_time``)."""

    net_client = None  # the session's HTTP client (made on first use); tests put a fake here
    fetch_sources = None  # the sources module (None: paperqueue.core.sources); tests give fakes
    _fetching = threading.Lock()  # one fetch at a time: R, fetch on open, a handed-over fetch
    _fetched_on_open = False

    # -- the client ------------------------------------------------------------

    _making_client = threading.Lock()  # workers may ask for it at once (R, P, F)

    def _client(self):  # noqa: ANN202
        with self._making_client:
            if self.net_client is None:
                from paperqueue.core.net.client import Client

                self.net_client = Client(self.store.home)
            return self.net_client

    def http_client(self):  # noqa: ANN201
        """The session's one HTTP client (made on first use: call from a worker)."""
        return self._client()

    def close_net_client(self) -> None:
        client, self.net_client = self.net_client, None
        close = getattr(client, "close", None)
        if close is not None:
            try:
                close()
            except Exception:  # noqa: BLE001 - leaving anyway
                pass

    # -- R -----------------------------------------------------------------------

    def start_fetch(self) -> None:
        """``R``: fetch every subscription in a worker (one fetch at a time)."""
        store = self.store
        if store is None or store.read_only:
            return
        if not self._fetching.acquire(blocking=False):
            self.notify("Already fetching: the status line shows how far it got", timeout=3)
            return
        self.queue_screen.set_activity("fetch", "0% fetching the subscriptions")
        self._fetch_worker()

    @work(thread=True, group="fetch", exit_on_error=False)
    def _fetch_worker(self) -> None:
        from paperqueue.core import fetching
        from paperqueue.core.subscriptions import SubscriptionError, Subscriptions

        store = self.store
        summary, severity = None, "information"
        try:
            try:
                book = Subscriptions(store.home)
                names = [sub.name for sub in book.all()]
                pending = book.pending()
            except OSError as error:
                summary, severity = f"Could not read the subscriptions: {error.strerror or error}", "error"
                return
            if not names and not pending:
                summary = NO_SUBSCRIPTIONS
                return
            self._show_progress(0, len(names) + bool(pending), names or [fetching.PENDING_NAME])
            left = [*names, *([fetching.PENDING_NAME] if pending else [])]

            def progress(done: int, total: int, name: str) -> None:
                if name in left:
                    left.remove(name)
                self._show_progress(done, total, left)

            try:
                with self._one_at_a_time:
                    lines = fetching.fetch_all(store, self._client(), writer=self.writer,
                                               sources=self.fetch_sources, progress=progress)
            except (SubscriptionError, OSError) as error:
                summary, severity = f"Could not fetch: {one_line(str(error))}", "error"
                return
            summary = fetch_summary(lines)
            severity = "warning" if any(not line.ok for line in lines) else "information"
            self.call_from_thread(self._fetched, any(line.new or line.result for line in lines))
        finally:
            self._fetching.release()
            self.call_from_thread(self.queue_screen.set_activity, "fetch", None)
            if summary:
                self.call_from_thread(self.notify, summary, severity=severity, markup=False, timeout=8)

    def _show_progress(self, done: int, total: int, left: list[str]) -> None:
        share = done / total if total else 1.0
        shown = ", ".join(one_line(name) for name in left[:2]) + (" …" if len(left) > 2 else "")
        text = f"{share:.0%} fetching {shown}" if left else f"{share:.0%} fetched"
        self.call_from_thread(self.queue_screen.set_activity, "fetch", text)

    def _fetched(self, landed: bool) -> None:
        """On the UI thread after a fetch: remember when (for fetch_on_open),
        show the new papers where they belong, read the pending ids again."""
        store = self.store
        if store is not None and not store.read_only:
            store.set_settings(fetched_at=self.clock())
        self.flush_store()
        if landed:
            self.queue_screen.store_complete()  # keeps the cursor's paper
        self.queue_screen.read_pending()

    # -- a -------------------------------------------------------------------------

    def prompt_add(self) -> None:
        from paperqueue.ui.screens.add_prompt import AddPrompt

        def chosen(items: list[str] | None) -> None:
            if items:
                self.add_items(items)

        self.push_screen(AddPrompt(self.fetch_sources), chosen)

    @work(thread=True, group="fetch-add", exit_on_error=False)
    def add_items(self, items: list[str]) -> None:
        """Look the papers up and land them (``a``), one line said after."""
        self.call_from_thread(self.queue_screen.set_activity, "add", f"adding {len(items):,} paper{'' if len(items) == 1 else 's'}")
        try:
            lines, errors, status = self._do("add", {"items": items})
        finally:
            self.call_from_thread(self.queue_screen.set_activity, "add", None)
        text = add_summary(lines, errors)
        severity = "error" if status == 2 else "warning" if status else "information"
        self.call_from_thread(self.notify, text, severity=severity, markup=False, timeout=8)

    # -- the hand-over -------------------------------------------------------------

    def answer_work(self, kind: str, body: dict) -> tuple[list[str], list[str], int]:
        """A ``fetch`` or ``add`` handed over by the command line, on a worker's
        thread: (lines, error lines, exit code) as the command would give."""
        if kind == "fetch":
            with self._fetching:  # after an R under way
                self.call_from_thread(self.queue_screen.set_activity, "fetch", "0% fetching (from the command line)")
                try:
                    return self._do(kind, body, lambda done, total, name: self._show_progress(done, total, [name]))
                finally:
                    self.call_from_thread(self.queue_screen.set_activity, "fetch", None)
        return self._do(kind, body)

    def _do(self, kind: str, body: dict, progress=None) -> tuple[list[str], list[str], int]:  # noqa: ANN001
        from paperqueue.core import fetching

        store = self.store
        if store is None or store.read_only:
            return [], ["the queue is not open for writing"], 1
        try:
            with self._one_at_a_time:
                lines, errors, status = fetching.answer_request(store, self._client(), kind, body, writer=self.writer,
                                                                sources=self.fetch_sources, progress=progress)
        except OSError as error:
            return [], [f"{kind}: the store could not be written ({error.strerror or error})"], 1
        if kind == "fetch":
            self.call_from_thread(self._fetched, bool(lines))
        elif lines:
            self.call_from_thread(self._added)
        return lines, errors, status

    def _added(self) -> None:
        self.flush_store()
        self.queue_screen.store_complete()
        self.queue_screen.read_pending()

    # -- fetch on open -------------------------------------------------------------

    def queue_opened(self) -> None:
        """The queue is on screen: fetch now when ``fetch_on_open`` is on and
        the last fetch is an hour old or more (once per session)."""
        store = self.store
        if store is None or store.read_only or self._fetched_on_open or not store.settings.get("fetch_on_open"):
            return
        self._fetched_on_open = True
        last = _when(store.settings.get("fetched_at"))
        now = _when(self.clock())
        if last is not None and now is not None and now - last < FETCH_ON_OPEN_EVERY:
            return
        self.start_fetch()

    def toggle_fetch_on_open(self) -> None:
        store = self.store
        if store is None or store.read_only:
            return
        on = not bool(store.settings.get("fetch_on_open"))
        store.set_settings(fetch_on_open=on)
        self.flush_store()
        self.notify("Fetch on open: on (at most once an hour)" if on else "Fetch on open: off", timeout=3)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        store = self.store
        if store is not None and not store.read_only and screen is self.screen_stack[0]:
            on = bool(store.settings.get("fetch_on_open"))
            yield SystemCommand(
                f"Fetch on open: turn {'off' if on else 'on'}",
                f"now {'on' if on else 'off'}: fetch every subscription when paperqueue opens, at most once an hour",
                self.toggle_fetch_on_open,
            )


def _when(stamp: object) -> datetime | None:
    if not isinstance(stamp, str):
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
