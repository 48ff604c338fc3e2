"""The CLI when the action log cannot be written (issue 9 item 4): an
import whose file landed says so in one line and goes on with the other
files (exit 1), never a traceback; undo says it failed and changes nothing."""

from __future__ import annotations

import errno
import json
from pathlib import Path

from paperqueue.cli import main
from paperqueue.core.history import History


def too_large(self, make, *, sync):
    raise OSError(errno.EFBIG, "File too large")


def test_an_import_whose_log_line_fails_goes_on_with_the_other_files(tmp_path: Path, monkeypatch, capsys) -> None:
    first, second = tmp_path / "one.txt", tmp_path / "two.txt"
    first.write_text("2401.00001\n", encoding="utf-8")
    second.write_text("2401.00002\n", encoding="utf-8")
    monkeypatch.setattr(History, "_append_bytes", too_large)
    assert main(["import", str(first), str(second)]) == 1
    out, err = capsys.readouterr()
    assert out.count("1 new") == 2, out
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 2 and all("could not be written (File too large)" in line for line in lines), err
    assert "Traceback" not in err
    monkeypatch.undo()
    monkeypatch.setenv("PAPERQUEUE_HOME", str(tmp_path / "pqhome"))
    assert main(["list", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_undo_with_an_unwritable_log_fails_in_one_line_and_changes_nothing(tmp_path: Path, monkeypatch, capsys) -> None:
    from paperqueue.core.models import PaperState
    from paperqueue.core.store import Store
    from paperqueue.core.writer import Writer

    ids = tmp_path / "ids.txt"
    ids.write_text("2401.00001\n", encoding="utf-8")
    assert main(["import", str(ids)]) == 0
    store = Store.open()
    history = History(store.home)
    writer = Writer(store, history)
    key = next(iter(store.papers))
    writer.record("Starred 1 paper", [(key, PaperState().to_record(), PaperState(starred=True).to_record())])
    store.set_state(key, PaperState(starred=True))
    writer.save()
    store.close()
    capsys.readouterr()
    monkeypatch.setattr(History, "_append_bytes", too_large)
    assert main(["undo"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "paperqueue: undo failed, the store could not be written (File too large)"
    monkeypatch.undo()
    monkeypatch.setenv("PAPERQUEUE_HOME", str(tmp_path / "pqhome"))
    assert main(["list", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["starred"] is True


def test_files_of_the_wrong_shape_never_give_a_traceback(tmp_path: Path, capsys) -> None:
    """Valid JSON of the wrong shape (issue 9 item 7): `list` and `undo`
    answer, the odd log line is skipped, the odd store file set aside."""
    ids = tmp_path / "ids.txt"
    ids.write_text("2401.00001\n2401.00002\n", encoding="utf-8")
    assert main(["import", str(ids)]) == 0
    home = tmp_path / "pqhome"
    with (home / "history.jsonl").open("ab") as log:
        log.write(b'{"seq":"abc","kind":"do"}\n{"seq":3,"kind":"undo","target":"x"}\n"just a string"\n')
    meta = json.loads((home / "meta.json").read_text())
    meta["_default" if "_default" in meta else next(iter(meta))]["1"]["generation"] = "seven"
    (home / "meta.json").write_text(json.dumps(meta))
    capsys.readouterr()
    assert main(["undo"]) == 0
    out, err = capsys.readouterr()
    # The import is the one action (undoable); the odd lines are skipped.
    assert out.strip().startswith("undid: Imported ids.txt: ") and "Traceback" not in err
    assert main(["list", "--format", "json"]) in (0, 1)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert list(home.glob("meta.json.*.corrupt")), "the odd meta.json was set aside, not deleted"
