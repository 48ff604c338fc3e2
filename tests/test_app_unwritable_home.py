"""A data folder the app cannot use (issue 9 item 19): a read-only folder
opens read-only and says why; a PAPERQUEUE_HOME that is a file makes the app
leave at once with the reason and exit status 1, never hang at "loading"."""

from __future__ import annotations

import errno
from pathlib import Path

from pilot_helpers import make_app, seed_store, until, wait_loaded, widget_text

from paperqueue.core import lock as lock_module


async def test_a_home_that_is_a_file_leaves_with_the_reason(tmp_path: Path, capsys) -> None:
    home = tmp_path / "not-a-folder"
    home.write_text("hello")
    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: not app.is_running or app._exit_renderables, "the app leaves")
    assert app.return_code == 1
    said = "".join(capsys.readouterr().err.split())  # printed on leaving, wrapped to the width
    assert "itisnotafolder" in said and "".join(str(home).split()) in said
    assert home.read_text() == "hello"


async def test_a_read_only_folder_opens_read_only_and_says_why(pq_home: Path, monkeypatch) -> None:
    seed_store(pq_home)

    def read_only_fs(self) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(self.path))

    monkeypatch.setattr(lock_module.StoreLock, "acquire", read_only_fs)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        assert app.store.read_only and len(app.store.papers) > 0
        assert "READ-ONLY" in widget_text(app, "#status")
        said = [n.message for n in app._notifications]
        assert any("Opened read-only" in m and "Read-only file system" in m for m in said), said
        await pilot.press("q")
    assert app.return_code in (0, None)


async def test_a_queue_that_cannot_be_read_for_an_unforeseen_reason_leaves_with_it(pq_home: Path, monkeypatch, capsys) -> None:
    from paperqueue.core.store import Store

    seed_store(pq_home)

    def broken(*args, **kwargs):
        raise TypeError("generation is not a number")

    monkeypatch.setattr(Store, "open", broken)
    app = make_app(pq_home)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: not app.is_running or app._exit_renderables, "the app leaves")
    assert app.return_code == 1
    assert "generation is not a number" in " ".join(capsys.readouterr().err.split())


async def test_damaged_store_files_are_not_a_first_run(pq_home: Path) -> None:
    """Corrupt meta.json and a corrupt index shard: both set aside, and the
    bundled sample is not imported over what is left (issue 9 item 5)."""
    seed_store(pq_home)
    (pq_home / "meta.json").write_bytes(b"{not json")
    for shard in (pq_home / "index").glob("*.json"):
        shard.write_bytes(b"\x00garbage")
    abstracts_before = {p.name: p.read_bytes() for p in (pq_home / "abstracts").glob("*.json")}
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        said = [n.message for n in app._notifications]
        assert not any("First run" in m for m in said), said
        assert any("corrupt" in m or "not valid" in m or "set aside" in m or "moved" in m for m in said), said
    assert {p.name: p.read_bytes() for p in (pq_home / "abstracts").glob("*.json")} == abstracts_before


async def test_a_damaged_abstracts_file_found_later_is_told(pq_home: Path) -> None:
    seed_store(pq_home)
    for shard in (pq_home / "abstracts").glob("*.json"):
        shard.write_bytes(b"{broken")
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await until(pilot, lambda: any("abstracts of" in n.message for n in app._notifications), "a warning about the abstracts")
        said = next(n.message for n in app._notifications if "abstracts of" in n.message)
        assert "import again the files of" in said


async def test_damaged_history_lines_are_told(pq_home: Path) -> None:
    seed_store(pq_home)
    (pq_home / "history.jsonl").write_bytes(b'{"seq":"abc","kind":"do"}\n{"kind":"sync","seq":0,"end":0}\n')
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await until(pilot, lambda: any("damaged line" in n.message for n in app._notifications), "a word about the log")
