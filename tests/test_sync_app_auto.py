"""Sync in the app by itself (issue 13, "In the app"): the status line says
how many own changes are not synced and when the last sync was; with
``sync_auto`` on the app syncs on open and on quit (a hanging folder never
keeps it open), and in folder mode it notices new files from other devices
while open."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from paperqueue.cli import main
from paperqueue.core.store import Store
from paperqueue.core.sync.status import ago, auto_setting
from paperqueue.ui import syncing
from paperqueue.ui.widgets.status import StatusLine

from pilot_helpers import make_app, paper_list, queue_screen, settle, until, wait_loaded
from test_sync_folder import BIB, KEY, star


def _cli(monkeypatch, home: Path, *argv: str) -> int:
    monkeypatch.setenv("PAPERQUEUE_HOME", str(home))
    return main(list(argv))


def _homes(tmp_path, pq_home, monkeypatch, capsys, *auto: str):
    bib = tmp_path / "papers.bib"
    bib.write_text(BIB, encoding="utf-8")
    other = tmp_path / "other"
    for home in (pq_home, other):
        assert _cli(monkeypatch, home, "import", str(bib)) == 0
        assert _cli(monkeypatch, home, "sync", "init", "folder", str(tmp_path / "shared"), *auto) == 0
    monkeypatch.setenv("PAPERQUEUE_HOME", str(pq_home))
    capsys.readouterr()
    return pq_home, other


@pytest.fixture
def homes(tmp_path, pq_home, monkeypatch, capsys):
    return _homes(tmp_path, pq_home, monkeypatch, capsys)


@pytest.fixture
def auto_homes(tmp_path, pq_home, monkeypatch, capsys):
    monkeypatch.setattr(syncing, "POLL", 0.1)
    return _homes(tmp_path, pq_home, monkeypatch, capsys, "--auto")


def status_text(app) -> str:
    return queue_screen(app).query_one(StatusLine).render().plain


def test_sync_init_folder_auto_sets_the_setting(auto_homes):
    here, _other = auto_homes
    store = Store.open(here, lock=False)
    try:
        assert auto_setting(here, store.settings) is True
    finally:
        store.close()


def test_ago_says_how_long_since_the_last_sync():
    now = "2026-03-13T09:00:00Z"
    assert ago(None, now) == "never synced"
    assert ago("2026-03-13T08:59:40Z", now) == "synced just now"
    assert ago("2026-03-13T08:55:00Z", now) == "synced 5 min ago"
    assert ago("2026-03-13T06:00:00Z", now) == "synced 3 h ago"
    assert ago("2026-03-10T09:00:00Z", now) == "synced 3 days ago"
    assert ago("garbage", now) == "synced"


async def test_status_line_shows_last_sync_and_changes_not_synced(homes, monkeypatch, tmp_path):
    here, _other = homes
    app = make_app(here)
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_loaded(pilot)
        await until(pilot, lambda: "never synced" in status_text(app), "never synced in the status line")
        app.action_sync_now()
        await until(pilot, lambda: "synced just now" in status_text(app), "the last sync in the status line")
        # The shared folder goes away (an unmounted disk): a star cannot go out.
        (tmp_path / "shared").rename(tmp_path / "away")
        plist = paper_list(app)
        await pilot.press("s")
        await settle(pilot)
        await until(pilot, lambda: "1 change not synced" in status_text(app), "the change waiting")
        text = status_text(app)
        assert text.index("1 change not synced") < text.index("papers")  # after the essentials, before the counts
        (tmp_path / "away").rename(tmp_path / "shared")
        app.action_sync_now()
        await until(pilot, lambda: "not synced" not in status_text(app), "nothing waiting after the sync")
        assert plist.paper is not None


async def test_status_line_cuts_the_sync_part_first_when_narrow(homes, tmp_path):
    here, _other = homes
    (tmp_path / "shared").rename(tmp_path / "away")  # a star that cannot go out: both sync parts to show
    app = make_app(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await until(pilot, lambda: app._sync_info is not None, "the sync setup read")
        await pilot.press("s")
        await settle(pilot)
        app.show_sync()
        line = queue_screen(app).query_one(StatusLine)
        assert "1 change not synced" in line._sync  # there, but the line has no room for it
        text = status_text(app)
        assert "0 read" in text  # the counts are never pushed out by it
        assert "not synced" not in text and "never" not in text  # cut whole, not mid-phrase
        await pilot.resize_terminal(200, 40)
        await settle(pilot)
        await until(pilot, lambda: "1 change not synced  ·  never synced" in status_text(app), "room for it")


async def test_auto_sync_on_open_brings_the_other_devices_star(auto_homes, monkeypatch):
    here, other = auto_homes
    star(other)
    assert _cli(monkeypatch, other, "sync") == 0
    monkeypatch.setenv("PAPERQUEUE_HOME", str(here))
    app = make_app(here)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await until(pilot, lambda: app.store.state(KEY).starred, "the star synced on open")
        await until(pilot, lambda: "synced just now" in status_text(app), "the last sync in the status line")


async def test_without_auto_the_app_does_not_sync_on_open(homes, monkeypatch):
    here, other = homes
    star(other)
    assert _cli(monkeypatch, other, "sync") == 0
    monkeypatch.setenv("PAPERQUEUE_HOME", str(here))
    app = make_app(here)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.pause(0.5)
        await settle(pilot)
        assert not app.store.state(KEY).starred


async def test_folder_poll_notices_the_other_devices_file_while_open(auto_homes, monkeypatch):
    here, other = auto_homes
    monkeypatch.setenv("PAPERQUEUE_HOME", str(here))
    app = make_app(here)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await until(pilot, lambda: "synced" in status_text(app) and "never" not in status_text(app), "the sync on open")
        plist = paper_list(app)
        plist.move_to(2)
        cursor_key = plist.paper.key
        done: list[int] = []
        worker = threading.Thread(target=lambda: (star(other), done.append(0)))
        worker.start()
        worker.join()
        await until(pilot, lambda: app.store.state(KEY).starred, "the star noticed while open", tries=3000)
        assert plist.paper.key == cursor_key


async def test_auto_sync_on_quit_sends_and_reads(auto_homes, monkeypatch):
    here, other = auto_homes
    app = make_app(here)
    calls: list[str] = []
    real = app.run_sync

    def counted():
        calls.append("sync")
        return real()

    monkeypatch.setattr(app, "run_sync", counted)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await until(pilot, lambda: len(calls) == 1, "the sync on open")
        await settle(pilot)
        await pilot.press("q")
        await until(pilot, lambda: len(calls) == 2, "the sync on quit")
    assert len(calls) == 2


async def test_quit_does_not_wait_for_a_hanging_sync(auto_homes, monkeypatch):
    here, _other = auto_homes
    monkeypatch.setattr(syncing, "QUIT_WAIT", 0.3)
    release = threading.Event()
    app = make_app(here)
    started: list[int] = []

    def hangs():
        started.append(1)
        release.wait(30)
        return [], [], 0

    monkeypatch.setattr(app, "run_sync", hangs)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot)
            await until(pilot, lambda: bool(started), "the sync on open")
            await pilot.press("q")
            await until(pilot, lambda: not app.is_running, "the app quits anyway", tries=3000)
        # The unfinished sync may still write: the queue stays locked until
        # the process ends, so no other paperqueue opens it under the sync.
        from paperqueue.core.lock import StoreLockedError

        with pytest.raises(StoreLockedError):
            Store.open(here)
    finally:
        release.set()
        if app.store is not None:
            app.store.close()  # what the end of the process does
    assert app.return_code in (None, 0)


async def test_palette_toggle_turns_auto_sync_on_and_off(homes):
    here, _other = homes
    app = make_app(here)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Sync automatically: off" in titles
        app.action_toggle_sync_auto()
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Sync automatically: on" in titles
        app.writer.save()
    store = Store.open(here, lock=False)
    try:
        assert auto_setting(here, store.settings) is True
    finally:
        store.close()


async def test_git_auto_syncs_on_open_and_counts_what_waits_to_be_pushed(tmp_path, pq_home, monkeypatch, capsys):
    """``sync init git URL --auto``: the app pulls another device's star on
    open; a star made while the remote is away waits, counted, and goes out
    with the sync on quit."""
    from test_sync_git import bare_repo

    bib = tmp_path / "papers.bib"
    bib.write_text(BIB, encoding="utf-8")
    remote = bare_repo(tmp_path / "queue.git")
    other = tmp_path / "other"
    for home in (pq_home, other):
        assert _cli(monkeypatch, home, "import", str(bib)) == 0
        assert _cli(monkeypatch, home, "sync", "init", "git", str(remote), "--auto") == 0
        assert _cli(monkeypatch, home, "sync") == 0
    star(other)
    assert _cli(monkeypatch, other, "sync") == 0
    monkeypatch.setenv("PAPERQUEUE_HOME", str(pq_home))
    capsys.readouterr()
    app = make_app(pq_home)
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_loaded(pilot)
        await until(pilot, lambda: app.store.state(KEY).starred, "the star pulled on open", tries=3000)
        await settle(pilot)
        await until(pilot, lambda: "synced just now" in status_text(app), "the last sync")
        assert "not synced" not in status_text(app)
        plist = paper_list(app)
        plist.move_to(1)
        await pilot.press("s")
        await settle(pilot)
        await until(pilot, lambda: "1 change not synced" in status_text(app), "the star waiting to be pushed")
        await pilot.press("q")
    assert _cli(monkeypatch, other, "sync") == 0
    assert sum(row["starred"] for row in listing_of(monkeypatch, other, capsys)) == 2
    monkeypatch.setenv("PAPERQUEUE_HOME", str(pq_home))


def listing_of(monkeypatch, home: Path, capsys) -> list[dict]:
    import json

    capsys.readouterr()
    assert _cli(monkeypatch, home, "list", "--format", "json") == 0
    return json.loads(capsys.readouterr().out)


async def test_a_quit_sync_that_finishes_after_the_app_stopped_saves_and_warns_nothing(auto_homes, monkeypatch):
    """Quit leaves a sync running (held here until the app has stopped); it
    then takes the other device's star: nothing is handed to the stopped app
    (no "coroutine ... never awaited"), and the star still lands on disk."""
    import gc
    import warnings

    from paperqueue.core.sync import run as sync_run

    here, other = auto_homes
    monkeypatch.setattr(syncing, "POLL", 3600.0)  # no look at the folder while open: the quit sync takes the star
    monkeypatch.setattr(syncing, "QUIT_WAIT", 0.3)
    real = sync_run.sync_folder
    hold = threading.Event()
    held: list[int] = []

    def held_at_quit(*args, **kwargs):
        if quitting:
            held.append(1)
            hold.wait(30)
        return real(*args, **kwargs)

    quitting = False
    monkeypatch.setattr(sync_run, "sync_folder", held_at_quit)
    app = make_app(here)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_loaded(pilot)
                await until(pilot, lambda: "synced just now" in status_text(app), "the sync on open")
                star(other)
                assert _cli(monkeypatch, other, "sync") == 0
                monkeypatch.setenv("PAPERQUEUE_HOME", str(here))
                quitting = True
                await pilot.press("q")
                await until(pilot, lambda: not app.is_running, "the app quits", tries=3000)
            assert held and app.sync_left_running
            hold.set()
            quit_sync = next(t for t in threading.enumerate() if t.name == "paperqueue-sync-quit")
            quit_sync.join(30)
            assert not quit_sync.is_alive()
        finally:
            hold.set()
            if app.store is not None:
                app.store.close()  # what the end of the process does
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)] == []
    store = Store.open(here, lock=False)
    try:
        assert store.state(KEY).starred, "the quit sync saved the other device's star"
    finally:
        store.close()


async def test_not_synced_counts_field_changes_as_sync_status_does(homes, monkeypatch, tmp_path, capsys):
    """A tag on 3 papers is 3 changes waiting (not 1 action), in the status
    line while open, after a restart (read from the log), and in
    ``paperqueue sync status``."""
    here, _other = homes
    (tmp_path / "shared").rename(tmp_path / "away")  # nothing can go out
    app = make_app(here)
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_loaded(pilot)
        await until(pilot, lambda: app._sync_info is not None, "the sync setup read")
        await pilot.press("v", "j", "v", "j", "v", "t", *"ml", "enter")
        await settle(pilot)
        assert [a.label for a in app.writer.history.undo_stack][-1] == "Tagged 3 papers: #ml"
        await until(pilot, lambda: "3 changes not synced" in status_text(app), "three field changes waiting")
        await pilot.press("escape", "s")  # a star on the paper under the cursor: one more
        await settle(pilot)
        await until(pilot, lambda: "4 changes not synced" in status_text(app), "four field changes waiting")
        await pilot.press("q")
    again = make_app(here)
    async with again.run_test(size=(200, 40)) as pilot:
        await wait_loaded(pilot)
        await until(pilot, lambda: "4 changes not synced" in status_text(again), "the log's count after a restart")
        await pilot.press("u")  # undoing the star is one more field change to send
        await settle(pilot)
        await until(pilot, lambda: "5 changes not synced" in status_text(again), "the undo counted too")
        await pilot.press("q")
    capsys.readouterr()
    assert _cli(monkeypatch, here, "sync", "status") == 0
    assert "field changes waiting to go out: 5" in capsys.readouterr().out
    (tmp_path / "away").rename(tmp_path / "shared")
    monkeypatch.setenv("PAPERQUEUE_HOME", str(here))
