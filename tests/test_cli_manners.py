"""The command line as scripts and people meet it (issue 10 item 24): the
app without a terminal says so and exits 2, help describes every option
and its default, export filters by tag, undo names the paper it undid."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from paperqueue.cli import build_parser, main
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store


def test_the_app_without_a_terminal_says_so_and_exits_2(pq_home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "paperqueue"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PAPERQUEUE_HOME": str(pq_home)},
    )
    assert done.returncode == 2
    assert done.stdout == "" and "\x1b" not in done.stderr
    assert done.stderr.strip() == (
        "paperqueue: the app needs a terminal (standard input and output are not one); for scripts, see paperqueue --help"
    )
    assert not pq_home.exists(), "nothing was created"


@pytest.mark.parametrize("command", ["list", "export", "import"])
def test_every_option_has_help_and_the_defaults_are_said(command: str) -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    for action in sub._actions:
        if action.dest in ("help", "files"):
            continue
        assert action.help, f"{command} {action.option_strings} has no help"
    text = sub.format_help()
    if command != "import":
        assert "(the default)" in text or "default" in text


def test_export_by_tag_compares_without_case(pq_home: Path, tmp_path: Path, capsys) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("2401.00001\n2401.00002\n2401.00003\n", encoding="utf-8")
    assert main(["import", str(ids)]) == 0
    store = Store.open(pq_home)
    keys = sorted(store.papers)
    store.set_state(keys[0], PaperState(tags=("Reading-Group",)))
    store.set_state(keys[1], PaperState(tags=("other",)))
    store.flush()
    store.close()
    capsys.readouterr()
    assert main(["export", "--format", "json", "--tag", "#reading-group"]) == 0
    assert [row["key"] for row in json.loads(capsys.readouterr().out)] == [keys[0]]
    assert main(["export", "--tag", "nope"]) == 2
    assert capsys.readouterr().err.strip() == "paperqueue: no tag called 'nope' (tags: other, Reading-Group)"


def test_an_import_summary_counts_in_one_number_format_and_in_the_singular(tmp_path: Path) -> None:
    from paperqueue.core.models import ImportResult

    result = ImportResult("x.bib", new=42_005, existing=1_234, merged=1_000, not_understood=1, repeated=2_000)
    assert result.summary() == (
        "42,005 new, 1,234 already in the queue (1,000 merged, 234 unchanged), "
        "1 entry not understood, 2,000 repeated in the file"
    )
