"""Changes read from another device are logged as ``took`` records: applied
(and replayed after a crash) like an action, never undone or redone, shown
in the history; and compaction never drops a change not yet exported."""

from __future__ import annotations

import shutil

from test_sync_folder import KEY, act, listing, pair, run, star, sync  # noqa: F401 - fixtures

from paperqueue.core import log_file


def tag(home, name: str = "ml") -> None:  # noqa: ANN001
    act(home, "Tagged 1 paper", lambda s: {"tags": (*s.tags, name)})


def cli(run, home, *argv: str) -> str:  # noqa: ANN001
    code, out, err = run(home, *argv)
    assert code == 0, err
    return out


def test_undo_after_a_sync_undoes_the_last_local_action_not_the_synced_one(pair, run):
    a, b, _folder = pair
    tag(a)  # A's own action
    star(b)  # B's, on the same paper
    sync(run, b)
    assert "1 paper changed here" in sync(run, a)
    assert listing(run, a)[KEY]["starred"] and listing(run, a)[KEY]["tags"] == ["ml"]
    out = cli(run, a, "undo")
    assert out.startswith("undid: Tagged 1 paper")
    row = listing(run, a)[KEY]
    assert row["starred"] and row["tags"] == []  # the star B made stays
    sync(run, a)
    sync(run, b)
    row_b = listing(run, b)[KEY]
    assert row_b["starred"] and row_b["tags"] == []


def test_the_redo_stack_survives_a_sync(pair, run):
    a, b, _folder = pair
    tag(a)
    cli(run, a, "undo")
    star(b)
    sync(run, b)
    sync(run, a)
    assert cli(run, a, "redo").startswith("redid: Tagged 1 paper")
    row = listing(run, a)[KEY]
    assert row["starred"] and row["tags"] == ["ml"]


def test_a_sync_shows_in_the_history_and_its_record_is_a_valid_took(pair, run):
    from paperqueue.core.history import History

    a, b, _folder = pair
    star(b)
    sync(run, b)
    sync(run, a)
    history = History(a)
    history.load()
    assert history.timeline[-1][1].startswith("Synced 1 paper from ")
    assert [a.label[:8] for a in history.undo_stack] == ["Imported"] and not history.redo_stack
    records, skipped = log_file.read_records(a / "history.jsonl", repair=False)
    took = [r for r in records if r["kind"] == "took"]
    assert skipped == 0 and len(took) == 1 and took[0]["changes"][0][0] == KEY
    assert log_file.valid({"seq": 3, "kind": "took", "label": "x", "changes": [["k", {}, "bad"]]}) is None


def test_a_took_record_past_the_last_sync_line_is_applied_again_on_open(pair, run):
    """A crash after the log line, before the store: the next open replays it."""
    import orjson

    a, b, _folder = pair
    star(b)
    sync(run, b)
    sync(run, a)
    log = a / "history.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    while orjson.loads(lines[-1])["kind"] == "sync":  # drop the sync lines after the took record
        lines.pop()
    log.write_bytes(b"".join(lines))
    from paperqueue.core.history import History, repair
    from paperqueue.core.store import Store

    store = Store.open(a)  # the star is in the store; set it back, as if the crash came first
    try:
        store.load_rest()
        from paperqueue.core.models import PaperState

        store.set_state(KEY, PaperState())
        store.flush()
        history = History(a)
        assert repair(store, history) >= 1
    finally:
        store.close()
    assert listing(run, a)[KEY]["starred"]
    assert cli(run, a, "undo").startswith("undid: Imported papers.bib")  # the last local action


def test_compaction_keeps_the_changes_not_yet_exported(pair, run, tmp_path, monkeypatch):
    from paperqueue.core import history as history_module

    a, b, folder = pair
    monkeypatch.setattr(history_module, "_COMPACT_LINES", 2)
    star(a)
    sync(run, a)
    sync(run, b)
    assert listing(run, b)[KEY]["starred"]
    shutil.move(folder, tmp_path / "away")  # the folder is unreachable
    cli(run, a, "undo")  # A takes its star back: B must see that too
    tag(a)
    tag(a, "cv")
    shutil.move(tmp_path / "away", folder)
    sync(run, a)
    sync(run, b)
    row = listing(run, b)[KEY]
    assert not row["starred"] and row["tags"] == ["ml", "cv"]
    # Once everything went out, compaction runs again: the log stays small.
    tag(a, "nlp")
    records, _skipped = log_file.read_records(a / "history.jsonl", repair=False)
    assert len(records) < 12
