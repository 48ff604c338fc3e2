"""File names and error messages from outside never reach the terminal as
escape codes (issue 9 item 9): the import prompt's completion never offers
a name it cannot show, a paste is cleaned, and every notification is plain,
cleaned text."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import make_app, seed_store, settle, until, wait_loaded
from textual import events
from textual.widgets import Input

OSC52 = "\x1b]52;c;cHduZWQ=\x07"
TITLE = "\x1b]0;owned\x07"


def _screen_text(app) -> str:
    return app.export_screenshot()


async def test_completion_skips_a_name_carrying_escape_codes(pq_home: Path, tmp_path: Path, monkeypatch) -> None:
    seed_store(pq_home)
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / f"papers{OSC52}.bib").write_text("@misc{a, title={A}}\n")
    (folder / "papers-clean.bib").write_text("@misc{b, title={B}}\n")
    monkeypatch.chdir(tmp_path)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.focused, Input), "the import prompt")
        for key in "drop/pap":
            await pilot.press(key)
        box = app.focused
        await until(pilot, lambda: box._suggestion != "", "a suggestion")
        await pilot.press("tab")
        await settle(pilot)
        assert box.value == "drop/papers-clean.bib", "the only name that can be shown is offered"
        box.value = ""
        box.post_message(events.Paste(f"drop/x{TITLE}y.bib\nsecond line"))
        await settle(pilot)
        assert "\x1b" not in box.value and "\x07" not in box.value
        assert box.value.startswith("drop/x") and box.value.endswith(".bib")
        assert "\x1b" not in _screen_text(app)


async def test_a_notification_quoting_a_hostile_name_is_cleaned(pq_home: Path, tmp_path: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        app.notify(f"Could not import {TITLE}evil[bold].bib{OSC52}: no such file", markup=True)
        await settle(pilot)
        shown = [n.message for n in app._notifications]
        assert any("evil[bold].bib" in m for m in shown), "markup in a name shows literally"
        assert not any("\x1b" in m or "\x07" in m for m in shown)
        assert "\x1b]" not in _screen_text(app)
