"""The request/answer files between `paperqueue import` and the open app."""

from __future__ import annotations

import threading
from pathlib import Path

from paperqueue.core import handoff


def test_claimed_request_is_answered(tmp_path: Path) -> None:
    request = handoff.submit(tmp_path, [tmp_path / "a.txt"], name="n", restore=True)

    def app() -> None:
        claimed = None
        while claimed is None:
            claimed = handoff.claim(tmp_path)
        working, body = claimed
        assert body == {"files": [str((tmp_path / "a.txt").resolve())], "name": "n", "restore": True}
        handoff.answer(working, ["a.txt: 1 new"], [], 0)

    thread = threading.Thread(target=app)
    thread.start()
    result = handoff.wait(request, lambda: True, claim_within=5)
    thread.join()
    assert result == {"lines": ["a.txt: 1 new"], "errors": [], "status": 0}
    assert not list((tmp_path / handoff.FOLDER).iterdir())


def test_unclaimed_request_is_withdrawn(tmp_path: Path) -> None:
    request = handoff.submit(tmp_path, [], name=None, restore=False)
    assert handoff.wait(request, lambda: True, claim_within=0.2) is None
    assert not request.exists()
    assert handoff.claim(tmp_path) is None


def test_app_dying_mid_import_releases_the_command(tmp_path: Path) -> None:
    request = handoff.submit(tmp_path, [], name=None, restore=False)
    assert handoff.claim(tmp_path) is not None  # claimed, then the app dies without answering
    assert handoff.wait(request, lambda: False, claim_within=5) is None


def test_clean_stale_removes_what_crashes_left_and_keeps_live_files(tmp_path: Path) -> None:
    import os

    folder = tmp_path / handoff.FOLDER
    fresh = handoff.submit(tmp_path, [], name=None, restore=False)  # a command waits on it right now
    for name in ("dead.working", "old.result", "old.json", ".old.json.abc.tmp", "notes.txt"):
        (folder / name).write_bytes(b"{}")
        os.utime(folder / name, (1, 1))
    (folder / "new.result").write_bytes(b"{}")
    (folder / "new.working").write_bytes(b"{}")  # no app holds the lock when clean_stale runs: stale
    assert handoff.clean_stale(tmp_path) == 5
    assert sorted(p.name for p in folder.iterdir()) == sorted([fresh.name, "new.result", "notes.txt"])
    assert handoff.clean_stale(tmp_path / "nowhere") == 0


def test_a_fifo_request_does_not_hang_the_app(tmp_path: Path) -> None:
    import os

    folder = tmp_path / handoff.FOLDER
    folder.mkdir()
    os.mkfifo(folder / "planted.json")
    assert handoff.claim(tmp_path) is None  # returns at once: the FIFO is never opened
