"""``paperqueue export``: the format follows the file name unless --format
says otherwise, and a folder that does not exist is refused."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import bibtexparser
import pytest

from paperqueue.cli import main

from conftest import SAMPLE


@pytest.fixture
def queue(capsys) -> int:
    assert main(["import", str(SAMPLE)]) == 0
    capsys.readouterr()
    return 79  # papers on the sample page


def _is_bibtex(text: str, count: int) -> bool:
    library = bibtexparser.parse_string(text)
    return len(library.entries) == count and not library.failed_blocks


@pytest.mark.parametrize("name", ["out.bib", "OUT.BIB", "refs.bibtex"])
def test_a_bib_file_gets_bibtex(queue: int, tmp_path: Path, capsys, name: str) -> None:
    target = tmp_path / name
    assert main(["export", "-o", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("@") and _is_bibtex(text, queue)
    assert capsys.readouterr().err == ""


def test_each_extension_gets_its_format(queue: int, tmp_path: Path) -> None:
    assert main(["export", "-o", str(tmp_path / "q.json")]) == 0
    assert len(json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))) == queue
    assert main(["export", "-o", str(tmp_path / "q.csv")]) == 0
    assert len(list(csv.DictReader(io.StringIO((tmp_path / "q.csv").read_text(encoding="utf-8"))))) == queue
    for name in ("q.md", "q.markdown"):
        assert main(["export", "-o", str(tmp_path / name)]) == 0
        lines = (tmp_path / name).read_text(encoding="utf-8").splitlines()
        assert len(lines) == queue and all(line.startswith("- [ ] [") for line in lines)


def test_unknown_extension_and_stdout_stay_json(queue: int, tmp_path: Path, capsys) -> None:
    assert main(["export", "-o", str(tmp_path / "queue.txt")]) == 0
    assert len(json.loads((tmp_path / "queue.txt").read_text(encoding="utf-8"))) == queue
    assert main(["export"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == queue


def test_explicit_format_wins_with_a_note(queue: int, tmp_path: Path, capsys) -> None:
    target = tmp_path / "out.bib"
    assert main(["export", "--format", "json", "-o", str(target)]) == 0
    assert len(json.loads(target.read_text(encoding="utf-8"))) == queue
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "json" in err and "out.bib" in err
    assert main(["export", "--format", "bibtex", "-o", str(tmp_path / "same.bib")]) == 0
    assert capsys.readouterr().err == "", "no note when they agree"


def test_a_missing_folder_is_refused_and_nothing_is_written(queue: int, tmp_path: Path, capsys) -> None:
    target = tmp_path / "missing" / "dir" / "x.bib"
    assert main(["export", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such folder" in err and str(target.parent) in err
    assert not (tmp_path / "missing").exists()


def test_a_folder_as_output_is_refused(queue: int, tmp_path: Path, capsys) -> None:
    assert main(["export", "-o", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main(["export", "-o", str(tmp_path / "x.bib" / "y.bib")]) == 2, "a parent that does not exist"
    assert list(tmp_path.glob("*.bib")) == []


def test_a_new_export_follows_the_umask_and_an_existing_one_keeps_its_mode(queue: int, tmp_path: Path) -> None:
    """An export is the person's own document: a new file gets the mode any
    program would give it (0666 less the umask), not the store's private
    0600; rewriting a file keeps whatever mode it had."""
    old = os.umask(0o022)
    try:
        fresh = tmp_path / "shared.bib"
        assert main(["export", "-o", str(fresh)]) == 0
        assert fresh.stat().st_mode & 0o777 == 0o644
        private = tmp_path / "private.bib"
        private.write_text("old")
        private.chmod(0o600)
        assert main(["export", "-o", str(private)]) == 0
        assert private.stat().st_mode & 0o777 == 0o600 and private.read_text().startswith("@")
    finally:
        os.umask(old)
