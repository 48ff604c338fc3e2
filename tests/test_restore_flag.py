"""`paperqueue import --restore`: a paper removed with `x` comes back only
when asked, and the summary says how many did."""

from __future__ import annotations

import json
from pathlib import Path

from paperqueue.cli import main
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store

from conftest import SAMPLE


def listed(capsys) -> list[str]:
    assert main(["list", "--format", "json"]) == 0
    return [row["key"] for row in json.loads(capsys.readouterr().out)]


def test_removed_papers_come_back_only_with_restore(pq_home: Path, capsys) -> None:
    assert main(["import", str(SAMPLE)]) == 0
    capsys.readouterr()
    store = Store.open(pq_home)
    gone, starred_gone, kept = list(store.papers)[:3]
    store.set_state(gone, PaperState(removed=True))
    store.set_state(starred_gone, PaperState(removed=True, starred=True))
    store.set_state(kept, PaperState(starred=True))
    store.flush()
    store.close()
    assert len(listed(capsys)) == 77

    assert main(["import", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "restored" not in out
    assert gone not in listed(capsys) and starred_gone not in listed(capsys)

    assert main(["import", "--restore", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert ", 2 restored" in out
    keys = listed(capsys)
    assert len(keys) == 79 and gone in keys and starred_gone in keys
    store = Store.open(pq_home)
    assert store.state(starred_gone) == PaperState(starred=True), "only the removal is undone"
    assert store.state(kept) == PaperState(starred=True)
    store.close()

    assert main(["import", "--restore", str(SAMPLE)]) == 0
    assert "restored" not in capsys.readouterr().out, "nothing left to restore"
