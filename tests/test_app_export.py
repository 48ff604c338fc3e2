"""W: the view or the selection exported from the app. In a terminal the
file lands in the Downloads folder (XDG_DOWNLOAD_DIR here), atomically and
never over an earlier export; what is in it is read back from disk."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from pilot_helpers import make_app, notifications, paper_list, seed_store, settle, wait_loaded


@pytest.fixture
def downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "Downloads"  # not made: the export makes it, as a browser would
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(folder))
    return folder


def today() -> str:
    return dt.date.today().isoformat()


async def test_starred_view_exported_as_json_twice_never_overwrites(pq_home: Path, downloads: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("j", "s", "j", "j", "s")
        await pilot.press("2")
        await settle(pilot)
        shown = [paper.key for paper in paper_list(app).queue.rows]
        assert len(shown) == 2
        await pilot.press("W", "j")
        await settle(pilot)
        first = downloads / f"paperqueue-starred-{today()}.json"
        assert any(str(first) in n for n in notifications(app)), notifications(app)
        rows = json.loads(first.read_text(encoding="utf-8"))
        assert [row["key"] for row in rows] == shown
        assert all(row["starred"] for row in rows)
        first.write_text("kept\n", encoding="utf-8")  # the person's edit of the earlier export
        await pilot.press("W", "j")
        await settle(pilot)
    assert first.read_text(encoding="utf-8") == "kept\n"
    second = downloads / f"paperqueue-starred-{today()}-2.json"
    assert [row["key"] for row in json.loads(second.read_text(encoding="utf-8"))] == shown


async def test_a_selection_exports_only_the_selected_papers_in_list_order(pq_home: Path, downloads: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("4", "j", "v", "j", "j", "v")
        rows = paper_list(app).queue.rows
        chosen = [rows[1].display_title, rows[2].display_title, rows[3].display_title]
        await pilot.press("W", "c")
        await settle(pilot)
    table = list(csv.DictReader(io.StringIO((downloads / f"paperqueue-all-{today()}.csv").read_text(encoding="utf-8"))))
    assert [row["title"] for row in table] == chosen


async def test_escape_closes_the_menu_and_writes_nothing(pq_home: Path, downloads: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("W", "escape")
        await settle(pilot)
        assert paper_list(app).has_focus
    assert not downloads.exists()


async def test_an_unwritable_downloads_folder_is_one_error_line(pq_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(blocker / "Downloads"))
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("W", "m")
        await settle(pilot)
        errors = [n for n in notifications(app) if n.startswith("Could not export")]
        assert len(errors) == 1 and "\n" not in errors[0], notifications(app)
        assert app.is_running
    assert blocker.read_text(encoding="utf-8") == "x"


async def test_a_downloads_folder_named_with_escape_codes_is_shown_clean(pq_home: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """XDG_DOWNLOAD_DIR comes from the environment: the notice names the
    file without the terminal ever receiving the folder's escape codes
    (every notification is cleaned by the app's notify)."""
    folder = tmp_path / "Down\x1b[31mloads\x07"
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(folder))
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("W", "m")
        await settle(pilot)
        said = [n for n in notifications(app) if n.startswith("Exported")]
        assert len(said) == 1 and "\x1b" not in said[0] and "\x07" not in said[0], notifications(app)
        assert "loads" in said[0]
    assert len(list(folder.glob("paperqueue-*.md"))) == 1
