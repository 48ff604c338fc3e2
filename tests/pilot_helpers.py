"""Helpers for driving the app with Pilot."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.worker import WorkerCancelled

from paperqueue.core.importing import import_file
from paperqueue.core.store import Store
from paperqueue.ui.app import PaperQueueApp
from paperqueue.ui.screens.queue import QueueScreen
from paperqueue.ui.widgets.paper_list import PaperList

from conftest import SAMPLE

FROZEN = "2026-03-13T09:00:00Z"


def frozen_clock() -> str:
    return FROZEN


def seed_store(home: Path, path: Path = SAMPLE) -> None:
    """Import a page before the app starts (no first-run notification)."""
    store = Store.open(home, clock=frozen_clock)
    import_file(store, path)
    store.close()


def make_app(home: Path) -> PaperQueueApp:
    return PaperQueueApp(home=home, clock=frozen_clock)


async def wait_loaded(pilot, timeout: float = 60.0) -> None:
    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while app.store is None or queue_screen(app).queue is None:
        if loop.time() > deadline:
            raise TimeoutError("the app did not load its store")
        await pilot.pause(0.02)
    await settle(pilot)


async def until(pilot, condition, what: str, tries: int = 1000) -> None:
    """Pause until ``condition()`` holds (a bound against hanging, not a timing)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


async def settle(pilot) -> None:
    """Let workers (saves, copies) finish and the screen catch up. A worker
    cancelled meanwhile (a search superseded by a newer one) is done too."""
    for _ in range(100):
        try:
            await pilot.app.workers.wait_for_complete()
            break
        except WorkerCancelled:
            continue
    await pilot.pause()


def queue_screen(app: PaperQueueApp) -> QueueScreen:
    return app.screen_stack[0]


def paper_list(app: PaperQueueApp) -> PaperList:
    return queue_screen(app).query_one(PaperList)


def list_lines(app: PaperQueueApp) -> list[str]:
    widget = paper_list(app)
    return [widget.render_line(y).text for y in range(widget.scrollable_content_region.height)]


def widget_text(app: PaperQueueApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def notifications(app: PaperQueueApp) -> list[str]:
    return [n.message for n in app._notifications]
