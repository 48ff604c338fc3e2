"""Issue 9 "Proof", second half: one list of hostile inputs, placed in every
field a paper carries (title, authors, abstract, DOI, categories, tags,
note, batch names, file names), run through every CLI output in a child
process: import summaries and warnings, ``list`` in each format, ``export``
in each format, ``doctor``.  Nothing that a terminal, a spreadsheet, a
Markdown renderer or TeX would run comes out, and every structured format
parses to exactly the papers there are."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from pybtex.database import parse_string

HOSTILE = [
    "\x1b]52;c;cHduZWQ=\x07osc52",
    "\x1b]0;pwned title\x07osc0",
    "\x1b[2J\x1b[31mcsi red\x1b[0m",
    "\x9b31mc1 csi \x9d0;t\x9c",
    "bell\x07 \x1bPdcs\x1b\\",
    "\u202eevil bidi\u202c \u2066iso\u2069",
    "zero\u200bwidth\u200d\u200cjoin\ufeff\u00ad",
    "tag\U000e0041\U000e0042 \ufff9ann\ufffb",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "see <https://evil.example> [x](javascript:alert(1))",
    "x}}@misc{evil, note={\\write18{id}}}",
    "\\write18{touch /tmp/pwned} \\input{/etc/passwd}",
    "$\\immediate\\write18{id}$ $^^5cwrite18{id}$",
    '=HYPERLINK("https://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "[bold red]markup[/bold red] [/]",
    "[link=https://evil.example]link[/link] [@click=app.quit]",
]
TERMINAL_BAD = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200c\u200d\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    "\u00ad\ufeff\ufe00-\ufe0f\ufff9-\ufffb\U000e0000-\U000e007f]"
)
EVIL_NAME = "hostile\x1b]52;c;cHduZWQ=\x07\x1b]0;title\x07\u202e[bold]<img src=x>.json"


def paperqueue(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PAPERQUEUE_HOME=str(home), COLUMNS="100")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "paperqueue", *args], env=env, capture_output=True, text=True, timeout=120,
        errors="strict",
    )
    return done


def assert_terminal_safe(text: str, where: str) -> None:
    bad = TERMINAL_BAD.search(text)
    assert bad is None, f"{where}: {bad.group()!r} at {bad.start()}: {text[max(0, bad.start() - 60):bad.start() + 20]!r}"


def rows() -> list[dict]:
    out = []
    for number, text in enumerate(HOSTILE):
        out.append({
            "key": f"k{number}",
            "title": f"Paper {number} {text}",
            "authors": [text, "Ann Smith"],
            "abstract": f"Abstract {text}\n{text}",
            "doi": "10.1234/x}}@misc{evil,note={\\write18{id}}}" if number == 0 else f"10.1234/ok.{number}",
            "categories": [text, "cs.CL"],
            "links": [f"https://example.org/{number}}}}}@misc{{x,"],
            "tags": [text, "plain"],
            "note": f"{text}\n  {text}",
            "batches": [text],
            "starred": number % 2 == 0,
            "read": number % 3 == 0,
            "venue": text,
            "entry_type": "misc},@misc{evil,",
        })
    return out


@pytest.fixture(scope="module")
def hostile_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[subprocess.CompletedProcess[str]]]:
    base = tmp_path_factory.mktemp("hostile")
    home = base / "home"
    source = base / EVIL_NAME
    source.write_text(json.dumps(rows(), ensure_ascii=False), encoding="utf-8")
    page = base / "page\x1b[31m\x07.txt"
    page.write_text("\n\n".join(f"Page paper {text}\n\nAn abstract {text} arXiv:2403.0{n:04d}" for n, text in enumerate(HOSTILE)))
    imports = [
        paperqueue(home, "import", str(source)),
        paperqueue(home, "import", "--name", HOSTILE[0] + HOSTILE[8], str(page)),
        paperqueue(home, "import", "--dry-run", str(source)),
    ]
    return home, imports


def paper_count(home: Path) -> int:
    return len(json.loads(paperqueue(home, "export", "--format", "json").stdout))


def test_import_summaries_and_warnings_are_clean(hostile_home) -> None:
    _home, imports = hostile_home
    for done in imports:
        assert done.returncode == 0, done.stderr
        assert_terminal_safe(done.stdout, "import stdout")
        assert_terminal_safe(done.stderr, "import stderr")
    assert "category" in imports[0].stderr and "DOI" in imports[0].stderr  # the bad ones are said


@pytest.mark.parametrize("fmt", ["table", "json", "md"])
def test_every_list_format_is_clean(hostile_home, fmt: str) -> None:
    home, _ = hostile_home
    done = paperqueue(home, "list", "--format", fmt)
    assert done.returncode == 0, done.stderr
    assert_terminal_safe(done.stdout, f"list {fmt}")
    assert_terminal_safe(done.stderr, f"list {fmt} stderr")
    if fmt == "table":
        assert "[bold red]markup[/bold red]" in done.stdout, "Rich markup shows literally"
    if fmt == "json":
        assert len(json.loads(done.stdout)) == paper_count(home) >= 2 * len(HOSTILE)
    if fmt == "md":
        assert_markdown_inert(done.stdout, paper_count(home))


def assert_markdown_inert(text: str, papers: int) -> None:
    html = MarkdownIt("commonmark").render(text)
    for bad in ("<img", "<script", "<a href=\"javascript", "<a href=\"https://evil"):
        assert bad not in html
    assert len(re.findall("<a href=", html)) == papers, "one link per paper, its own"


def test_every_export_format_is_clean_and_parses(hostile_home) -> None:
    home, _ = hostile_home
    papers = paper_count(home)
    assert papers >= 2 * len(HOSTILE)
    for fmt in ("json", "csv", "markdown", "bibtex"):
        done = paperqueue(home, "export", "--format", fmt)
        assert done.returncode == 0, done.stderr
        text = done.stdout
        if fmt == "csv":  # multi-line notes are quoted cells; no other control
            assert_terminal_safe(text.replace("\n", " "), "export csv")
            table = list(csv.reader(io.StringIO(text)))
            assert len(table) == papers + 1
            for row in table[1:]:
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        else:
            assert_terminal_safe(text, f"export {fmt}")
        if fmt == "json":
            assert len(json.loads(text)) == papers
        if fmt == "markdown":
            assert_markdown_inert(text, papers)
        if fmt == "bibtex":
            data = parse_string(text, "bibtex")
            assert len(data.entries) == papers
            assert {entry.type for entry in data.entries.values()} <= {"misc", "article"}
            for entry in data.entries.values():
                assert set(entry.fields) <= {"title", "journal", "year", "eprint", "archivePrefix", "primaryClass",
                                             "doi", "url", "bdsk-url-1", "bdsk-url-2", "abstract", "keywords", "note"}
                for value in entry.fields.values():
                    for command in ("\\write", "\\immediate", "\\input", "^^"):
                        assert command not in value, (command, value)
                assert entry.fields.get("primaryClass", "cs.CL") == "cs.CL"


def test_doctor_is_clean(hostile_home) -> None:
    home, _ = hostile_home
    done = paperqueue(home, "doctor")
    assert done.returncode == 0, done.stderr
    assert_terminal_safe(done.stdout, "doctor")
    assert_terminal_safe(done.stderr, "doctor stderr")


def test_doctor_in_a_hostile_folder_name_is_clean(tmp_path: Path) -> None:
    home = tmp_path / "q\x1b]0;pwned\x07\x1b]52;c;eA==\x07\u202e"
    done = paperqueue(home, "doctor")
    assert_terminal_safe(done.stdout, "doctor")
    assert_terminal_safe(done.stderr, "doctor stderr")
