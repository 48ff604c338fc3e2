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
