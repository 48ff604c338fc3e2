"""A ``paperqueue sync`` killed at every write boundary (tests/crash_harness.py):
both stores stay openable and no change is lost, whether it was reported
synced or only saved: the next sync on each side carries it over; and
what a sync took from the other device is never undone by ``undo``."""

from __future__ import annotations

import json
from pathlib import Path

from crash_harness import every_boundary, run_child

BIB = """@article{a1, title={Attention Is All You Need}, author={Vaswani, Ashish}, year={2017}, eprint={1706.03762}, archivePrefix={arXiv}}
@article{a2, title={Deep Residual Learning}, author={He, Kaiming}, year={2015}, eprint={1512.03385}, archivePrefix={arXiv}}
"""
ACT = """
import sys
from dataclasses import replace
from paperqueue.core.history import History, repair
from paperqueue.core.store import Store
from paperqueue.core.writer import Writer
key, field = sys.argv[1], sys.argv[2]
store = Store.open()
history = History(store.home)
repair(store, history)
store.load_rest()
writer = Writer(store, history)
before = store.state(key)
after = replace(before, **{field: True})
writer.record("change", [[key, before.to_record(), after.to_record()]])
store.set_state(key, after)
writer.save()
store.close()
print("saved", flush=True)
"""
# The harness copies the prepared folder elsewhere: point both stores at the copy's shared folder.
MOVED = """
import json, os
from pathlib import Path
here = Path(os.environ["PAPERQUEUE_HOME"])
for store in (here, here / "a"):
    settings = json.loads((store / "sync.json").read_text())
    settings["folder"] = str(here / "shared")
    (store / "sync.json").write_text(json.dumps(settings))
"""
SCRIPT = MOVED + ACT.replace("key, field = sys.argv[1], sys.argv[2]", "key, field = 'arxiv:1512.03385', 'read'") + """
from paperqueue.cli import main
raise SystemExit(main(["sync"]))
"""


def _cli(home: Path, *argv: str) -> str:
    done = run_child(home, f"from paperqueue.cli import main; raise SystemExit(main({list(argv)!r}))")
    assert done.returncode == 0, done.stderr
    return done.stdout


def _act(home: Path, key: str, field: str) -> None:
    done = run_child(home, "import sys; sys.argv = ['x', %r, %r]\n" % (key, field) + ACT)
    assert done.returncode == 0, done.stderr


def test_a_sync_killed_at_every_boundary_loses_nothing(tmp_path):
    home = tmp_path / "home"  # B's store, with A's store and the shared folder inside
    bib = tmp_path / "papers.bib"
    bib.write_text(BIB, encoding="utf-8")

    def prepare(start: Path) -> None:
        start.mkdir(parents=True)
        for store in (start, start / "a"):
            store.mkdir(exist_ok=True)
            _cli(store, "import", str(bib))
            _cli(store, "sync", "init", "folder", str(start / "shared"))
        _act(start / "a", "arxiv:1706.03762", "starred")  # A stars, and syncs
        _cli(start / "a", "sync")

    stops = 0
    for stop in every_boundary(home, SCRIPT, prepare, tmp_path / "work"):
        stops += 1
        # Both open; the next sync on each side brings everything over.
        assert run_child(home, MOVED).returncode == 0
        _cli(home, "sync")
        _cli(home / "a", "sync")
        _cli(home, "sync")
        rows_b = {r["key"]: r for r in json.loads(_cli(home, "list", "--format", "json"))}
        rows_a = {r["key"]: r for r in json.loads(_cli(home / "a", "list", "--format", "json"))}
        assert rows_b["arxiv:1706.03762"]["starred"], stop.label
        if "saved" in stop.out:
            assert rows_a["arxiv:1512.03385"]["read"], stop.label
            assert rows_b["arxiv:1512.03385"]["read"], stop.label
        assert rows_a == rows_b or {k: (r["starred"], r["read"]) for k, r in rows_a.items()} == \
            {k: (r["starred"], r["read"]) for k, r in rows_b.items()}, stop.label
        # What a sync took from the other device is never what u undoes.
        assert not _cli(home, "undo").startswith("undid: Synced"), stop.label
    assert stops > 10
