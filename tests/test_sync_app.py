"""Sync inside the app (issue 13): "Sync now" in the palette brings another
device's star in place (the cursor stays), and ``paperqueue sync`` while
the app is open hands the sync to it."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from paperqueue.cli import main
from paperqueue.core import handoff

from pilot_helpers import make_app, paper_list, queue_screen, settle, until, wait_loaded
from test_sync_folder import BIB, KEY, star


def _cli(monkeypatch, home: Path, *argv: str) -> int:
    monkeypatch.setenv("PAPERQUEUE_HOME", str(home))
    return main(list(argv))


@pytest.fixture
def homes(tmp_path, pq_home, monkeypatch, capsys):
    bib = tmp_path / "papers.bib"
    bib.write_text(BIB, encoding="utf-8")
    other = tmp_path / "other"
    for home in (pq_home, other):
        assert _cli(monkeypatch, home, "import", str(bib)) == 0
        assert _cli(monkeypatch, home, "sync", "init", "folder", str(tmp_path / "shared")) == 0
    monkeypatch.setenv("PAPERQUEUE_HOME", str(pq_home))
    capsys.readouterr()
    return pq_home, other


async def test_sync_now_shows_the_other_devices_star_in_place(homes, monkeypatch):
    here, other = homes
    star(other)
    assert _cli(monkeypatch, other, "sync") == 0
    monkeypatch.setenv("PAPERQUEUE_HOME", str(here))
    app = make_app(here)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        plist = paper_list(app)
        plist.move_to(2)
        cursor_key = plist.paper.key
        assert not app.store.state(KEY).starred
        app.action_sync_now()
        await until(pilot, lambda: app.store.state(KEY).starred, "the synced star")
        await settle(pilot)
        assert plist.paper.key == cursor_key
        assert queue_screen(app).queue.counts["starred"] == 1
        app.writer.undo()  # u undoes the import (the last local action), not the sync
        assert app.history.undo_stack == [] and "Synced 1 paper" in app.history.timeline[-2][1]


async def test_a_paper_imported_on_the_other_machine_joins_the_open_list(homes, monkeypatch, tmp_path):
    """Papers travel (not only states): after Sync now, the other machine's
    new paper is in the list, in a batch of the same name, with its star."""
    here, other = homes
    more = tmp_path / "more.bib"
    more.write_text("@article{b1, title={Batch Normalization}, author={Ioffe, Sergey}, year={2015},"
                    " eprint={1502.03167}, archivePrefix={arXiv}}\n", encoding="utf-8")
    assert _cli(monkeypatch, other, "import", str(more), "--name", "from the laptop") == 0
    assert _cli(monkeypatch, other, "sync") == 0
    monkeypatch.setenv("PAPERQUEUE_HOME", str(here))
    app = make_app(here)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        plist = paper_list(app)
        before = len(plist.queue)
        assert "arxiv:1502.03167" not in app.store.papers
        app.action_sync_now()
        await until(pilot, lambda: len(plist.queue) == before + 1, "the landed paper in the list")
        assert "arxiv:1502.03167" in app.store.papers
        names = [app.store.batch_name(number) for number in app.store.batch_info]
        assert "from the laptop" in names
        assert any(row.key == "arxiv:1502.03167" for row in plist.queue.rows)


async def test_paperqueue_sync_while_the_app_is_open_is_handed_to_it(homes, monkeypatch, capsys):
    here, other = homes
    star(other)
    assert _cli(monkeypatch, other, "sync") == 0
    monkeypatch.setenv("PAPERQUEUE_HOME", str(here))
    capsys.readouterr()
    app = make_app(here)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        done: list[int] = []
        command = threading.Thread(target=lambda: done.append(main(["sync"])))
        command.start()
        await until(pilot, lambda: bool(done), "the command's answer", tries=3000)
        command.join()
        assert done == [0]
        await until(pilot, lambda: app.store.state(KEY).starred, "the synced star")
    assert not list((here / handoff.FOLDER).glob("*.json"))  # claimed and answered


async def test_sync_now_offline_through_git_says_so_and_exits_1(homes, monkeypatch):
    """A git remote out of reach is not bad input: the changes wait in the
    tree and the next sync sends them (exit 1, one line)."""
    from paperqueue.core.sync import git

    here, _other = homes

    def offline(*_args, **_kwargs):
        raise git.Offline("could not reach server:paperqueue.git (offline?); your changes wait for the next sync")

    monkeypatch.setattr(git, "is_git", lambda home: True)
    monkeypatch.setattr(git, "sync_git", offline)
    app = make_app(here)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        lines, errors, status = await asyncio.to_thread(app.run_sync)  # as its worker runs it
        assert (lines, status) == ([], 1)
        assert errors == ["could not reach server:paperqueue.git (offline?); your changes wait for the next sync"]


async def test_sync_now_through_git_lands_the_other_machines_paper_in_the_list(tmp_path, pq_home, monkeypatch,
                                                                               capsys):
    """The app's sync through a git remote: git wraps the folder sync's
    summary, and a landed paper still reaches the open list."""
    from test_sync_folder import BIB
    from test_sync_git import bare_repo

    empty = tmp_path / "empty-home"
    empty.mkdir()
    monkeypatch.setenv("HOME", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    remote = bare_repo(tmp_path / "remote.git")
    bib = tmp_path / "papers.bib"
    bib.write_text(BIB, encoding="utf-8")
    other = tmp_path / "other"
    for home in (pq_home, other):
        assert _cli(monkeypatch, home, "import", str(bib)) == 0
        assert _cli(monkeypatch, home, "sync", "init", "git", str(remote)) == 0
    more = tmp_path / "more.bib"
    more.write_text("@article{b1, title={Batch Normalization}, author={Ioffe, Sergey}, year={2015},"
                    " eprint={1502.03167}, archivePrefix={arXiv}}\n", encoding="utf-8")
    assert _cli(monkeypatch, other, "import", str(more)) == 0
    assert _cli(monkeypatch, other, "sync") == 0
    monkeypatch.setenv("PAPERQUEUE_HOME", str(pq_home))
    capsys.readouterr()
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        before = len(paper_list(app).queue)
        lines, errors, status = await asyncio.to_thread(app.run_sync)
        assert (status, errors) == (0, [])
        assert "1 new paper added" in lines[0]
        await until(pilot, lambda: len(paper_list(app).queue) == before + 1, "the landed paper in the list")
