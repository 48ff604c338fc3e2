"""Child processes for ``benchmarks/run.py``.

Each measurement that includes start-up runs in a fresh interpreter:
``python children.py MODE ARG...``. Imports are local to each mode, so the
floor app never pays for paperqueue's. A child announces its first frame
that shows list rows by writing ``MARK`` straight to file descriptor 1
(Textual captures ``print`` while an app runs); the parent times from just
before it spawned the child to reading that line. ``session`` prints one
``RESULT {json}`` line instead.

Modes:
    app HOME N             paperqueue's first frame with rows, then load fully
    floor TITLES           a Textual app showing 40 static lines
    datatable TITLES N     a DataTable holding N rows (title + 2 marker columns)
    session HOME N REPS QUERIES_JSON   end jump, search keystrokes, star via the app
    plain N DB             SQLite alone building a plain FTS5 index of the page's text
    settle HOME TEXTS_JSON search, settle the index after an import, search again
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
from pathlib import Path

MARK = b"FIRST-RENDER\n"
SIZE = (120, 40)
clock = time.perf_counter


def arm_marker(widget_cls: type, has_rows) -> dict:
    """Write MARK once, after the first frame in which ``widget_cls`` drew
    while ``has_rows(widget)`` held. The frame is also encoded to terminal
    bytes, which the headless driver would otherwise skip."""
    from textual._compositor import CompositorUpdate
    from textual.app import App

    state = {"drawn": False, "sent": False}
    render_lines = widget_cls.render_lines
    display = App._display

    def hooked_render_lines(self, crop):
        lines = render_lines(self, crop)
        if has_rows(self):
            state["drawn"] = True
        return lines

    def hooked_display(self, screen, renderable) -> None:
        display(self, screen, renderable)
        if state["sent"] or renderable is None or self._batch_count:
            return
        if isinstance(renderable, CompositorUpdate):
            renderable.render_segments(self.console)
        if state["drawn"]:
            state["sent"] = True
            os.write(1, MARK)

    widget_cls.render_lines = hooked_render_lines
    App._display = hooked_display
    return state


async def until(condition, what: str, timeout: float = 30.0) -> None:
    deadline = clock() + timeout
    while not condition():
        if clock() > deadline:
            raise TimeoutError(f"benchmark child: {what} did not happen within {timeout:.0f} s")
        await asyncio.sleep(0.0005)


def loaded(app, count: int) -> bool:
    """The whole queue is shown and the search index is open."""
    screen = app.queue_screen
    return screen.queue is not None and len(screen.queue) >= count and screen.searcher.index is not None


async def idle(app) -> None:
    try:
        await app.workers.wait_for_complete()
    except Exception:  # noqa: BLE001 - a failed worker is the app's business here
        pass


def read_titles(path: str, limit: int | None = None) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n") for _, line in zip(range(limit or sys.maxsize), handle)]


# -- first render ---------------------------------------------------------------


def run_app(home: str, count: str) -> None:
    from paperqueue.ui.app import PaperQueueApp
    from paperqueue.ui.widgets.paper_list import PaperList

    state = arm_marker(PaperList, lambda w: w.queue is not None and len(w.queue) > 0)
    app = PaperQueueApp(home=Path(home))

    async def drive() -> None:
        async with app.run_test(size=SIZE):
            await until(lambda: state["sent"], "the first frame with rows", 120)
            # Stay until fully loaded, so peak RSS covers the whole queue and its index.
            await until(lambda: loaded(app, int(count)), "loading every paper and the search index", 120)
            await idle(app)

    asyncio.run(drive())


def run_floor(titles: str) -> None:
    from textual.app import App
    from textual.widgets import Static

    lines = read_titles(titles, 40)

    class Floor(App[None]):
        def compose(self):
            yield Static("\n".join(lines))

    state = arm_marker(Static, lambda w: True)
    _run_until_marked(Floor(), state)


def run_datatable(titles: str, count: str) -> None:
    from textual.app import App
    from textual.widgets import DataTable

    rows = read_titles(titles, int(count))

    class Table(App[None]):
        def compose(self):
            yield DataTable(cursor_type="row")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("★", "●", "Title")
            table.add_rows((" ", "●", title) for title in rows)

    state = arm_marker(DataTable, lambda w: w.row_count > 0)
    _run_until_marked(Table(), state)


def _run_until_marked(app, state: dict) -> None:
    async def drive() -> None:
        async with app.run_test(size=SIZE):
            await until(lambda: state["sent"], "the first frame with rows", 600)

    asyncio.run(drive())


# -- one interactive session -----------------------------------------------------


class DiskPoller(threading.Thread):
    """Polls a state shard until paper ``doc_id`` has ``starred == want``."""

    def __init__(self, path: Path, doc_id: int, want: bool) -> None:
        super().__init__(daemon=True)
        self.path, self.doc_id, self.want = path, str(doc_id), want
        self.seen_at: float | None = None
        self.done = threading.Event()

    def _matches(self) -> bool:
        import orjson

        try:
            record = orjson.loads(self.path.read_bytes())["state"].get(self.doc_id)
        except (OSError, ValueError, KeyError):
            return False
        return record is not None and record.get("starred") == self.want

    def run(self) -> None:
        last = None
        deadline = clock() + 30
        while clock() < deadline:
            try:
                stat = self.path.stat()
                mark = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            except FileNotFoundError:
                mark = None
            if mark is not None and mark != last and self._matches():
                self.seen_at = clock()
                break
            last = mark
            time.sleep(0.0002)
        self.done.set()


def run_session(home: str, count: str, reps: str, queries_json: str) -> None:
    from textual.app import App

    from paperqueue.core.search import SearchIndex
    from paperqueue.core.store import layout
    from paperqueue.ui.app import PaperQueueApp
    from paperqueue.ui.screens.queue import QueueScreen
    from paperqueue.ui.widgets.paper_list import PaperList
    from paperqueue.ui.widgets.search_bar import SearchBar

    frames: list[tuple[float, int]] = []  # (time displayed, cursor row drawn in that frame)
    drawn: list[int] = []
    applied: list[tuple[str, float, float, int | None]] = []  # query, start, end, hits
    handlers: dict[str, list[float]] = {"G": [], "j": [], "s": []}
    sql: list[float] = []

    render_line, display, apply = PaperList.render_line, App._display, QueueScreen._apply_search

    def hooked_render_line(self, y):
        strip = render_line(self, y)
        if self.queue is not None and y + round(self.scroll_offset.y) == self.cursor:
            drawn.append(self.cursor)
        return strip

    def hooked_display(self, screen, renderable) -> None:
        display(self, screen, renderable)
        if drawn and renderable is not None:
            frames.append((clock(), drawn[-1]))
            drawn.clear()

    def hooked_apply(self, query, ids, *rest) -> None:
        start = clock()
        apply(self, query, ids, *rest)
        applied.append((query, start, clock(), None if ids is None else len(ids)))

    def timed(cls, name: str, into: list[float]) -> None:
        original = getattr(cls, name)

        def wrapper(*args, **kwargs):
            start = clock()
            try:
                return original(*args, **kwargs)
            finally:
                into.append(clock() - start)

        setattr(cls, name, wrapper)

    PaperList.render_line, App._display = hooked_render_line, hooked_display
    QueueScreen._apply_search = hooked_apply  # before the screen binds it
    timed(PaperList, "action_last", handlers["G"])
    timed(PaperList, "action_move", handlers["j"])
    # QueueScreen's own (the read-only guard around TriageScreen's): the one a key calls
    timed(QueueScreen, "action_toggle_star", handlers["s"])
    timed(SearchIndex, "search", sql)

    app = PaperQueueApp(home=Path(home))
    result: dict = {}

    async def quiet() -> None:
        await asyncio.sleep(0.6)  # the position is saved 0.5 s after a move
        await idle(app)

    async def list_key(pilot, key: str, target: int) -> float:
        seen = len(frames)
        start = clock()
        await pilot.press(key)
        await until(lambda: any(row == target for _, row in frames[seen:]), f"row {target} drawn after {key!r}")
        shown = next(t for t, row in frames[seen:] if row == target)
        await quiet()
        return shown - start

    async def jumps(pilot, plist: PaperList, repeat: int) -> None:
        last = len(plist.queue) - 1
        end, step = [], []
        for _ in range(repeat):
            if plist.cursor != 0:
                await list_key(pilot, "g", 0)
            end.append(await list_key(pilot, "G", last))
            await list_key(pilot, "g", 0)
            step.append(await list_key(pilot, "j", 1))
        result.update(end=end, step=step, end_handler=handlers["G"][-repeat:], step_handler=handlers["j"][-repeat:])

    async def searches(pilot, screen: QueueScreen, queries: list[str]) -> None:
        keys = []
        for query in queries:
            await pilot.press("slash")
            await until(lambda: isinstance(screen.focused, SearchBar), "focus in the search box")
            for typed in (query[: i + 1] for i in range(len(query))):
                seen, sql_seen = len(applied), len(sql)
                start = clock()
                await pilot.press(typed[-1])
                await until(lambda: any(q == typed for q, *_ in applied[seen:]), f"results for {typed!r}")
                _, began, ended, hits = next(a for a in applied[seen:] if a[0] == typed)
                keys.append({"query": typed, "total": ended - start, "apply": ended - began,
                             "sql": sum(sql[sql_seen:]), "hits": hits})
            await pilot.press("escape")
            await quiet()
        result["search"] = keys

    async def stars(pilot, screen: QueueScreen, repeat: int) -> None:
        paper = screen.paper_list.paper
        path = layout.shard_path(Path(home), layout.STATE, layout.shard_of(paper.id))
        disk = []
        for _ in range(repeat):
            poller = DiskPoller(path, paper.id, not screen.queue.state(paper).starred)
            poller.start()
            start = clock()
            await pilot.press("s")
            await asyncio.to_thread(poller.done.wait)
            if poller.seen_at is None:
                raise TimeoutError("the star never reached the disk")
            disk.append(poller.seen_at - start)
            await quiet()
        result.update(star_disk=disk, star_handler=handlers["s"][-repeat:])

    async def drive() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = app.queue_screen
            await until(lambda: loaded(app, int(count)) and frames, "loading every paper and the search index", 120)
            await quiet()
            await jumps(pilot, screen.paper_list, int(reps))
            await searches(pilot, screen, json.loads(queries_json))
            await stars(pilot, screen, int(reps))

    asyncio.run(drive())
    os.write(1, b"RESULT " + json.dumps(result).encode() + b"\n")


def run_plain(count: str, path: str) -> None:
    """SQLite alone building a plain FTS5 index (contentless, ``detail=none``,
    no prefix indexes, default tokenizer) of the benchmark page's titles and
    abstracts: one transaction, ``executemany`` from a list made beforehand.
    Only the build is timed."""
    import sqlite3

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import synth

    docs = [(i, t, a) for i, (t, a) in enumerate(synth.papers(int(count), 1), start=1)]
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    start = clock()
    con.execute("CREATE VIRTUAL TABLE plain USING fts5(title, abstract, content='', detail=none)")
    con.execute("BEGIN")
    con.executemany("INSERT INTO plain(rowid, title, abstract) VALUES (?, ?, ?)", docs)
    con.execute("COMMIT")
    seconds = clock() - start
    con.close()
    os.write(1, b"RESULT " + json.dumps(seconds).encode() + b"\n")


def run_settle(home: str, texts_json: str) -> None:
    """Search right after an import (new papers in the table without prefix
    indexes), settling them into the prefix table, and search again; the
    answers must not change."""
    from paperqueue.core.search import SearchIndex, query_words
    from paperqueue.core.store import Store, layout

    store = Store.open(Path(home))
    index = SearchIndex(Path(home) / layout.SEARCH)

    def searches() -> tuple[list[float], list[list[int]]]:
        times, answers = [], []
        for text in json.loads(texts_json):
            start = clock()
            answers.append(sorted(index.search(query_words(text))))
            times.append(clock() - start)
        return times, answers

    unsettled = index.unsettled()
    before, answers = searches()
    start = clock()
    settled = index.settle(store)
    settle_s = clock() - start
    after, again = searches()
    index.close()
    store.close()
    if not settled or answers != again:
        raise SystemExit("settling the search index failed or changed an answer")
    result = {"unsettled": unsettled, "settle_s": settle_s, "sql_before": before, "sql_after": after}
    os.write(1, b"RESULT " + json.dumps(result).encode() + b"\n")


if __name__ == "__main__":
    modes = {"app": run_app, "floor": run_floor, "datatable": run_datatable, "session": run_session,
             "plain": run_plain, "settle": run_settle}
    modes[sys.argv[1]](*sys.argv[2:])
