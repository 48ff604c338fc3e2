"""JSON and XML files are read entry by entry, never whole (issue 9 item 18):
the same papers, problem lines and counts as the whole-text parsers give
for every real file, the same refusals (entity bombs, external entities,
broken files: nothing imported), and a big paperqueue JSON export imports
under a memory cap that reading it whole exceeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperqueue.core.importers.detect import parse_text
from paperqueue.core.importing import UnusableFileError, import_file, open_papers
from paperqueue.core.store import Store

from test_import_limits import run_import
from test_import_memory import export_json

TESTS = Path(__file__).parent
STREAMED = ("hf", "pq", "atom", "rss")
FILES = sorted(
    path
    for folder in (TESTS / "data" / "real" / "feeds", TESTS / "importers" / "fixtures")
    for path in folder.iterdir()
    if path.suffix in (".json", ".atom", ".rss", ".xml", ".rdf")
)
ATOM_OPEN = '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'


def streamed(path: Path) -> tuple[str, list, list[str], int]:
    opened = open_papers(path)
    papers = list(opened.papers)
    return opened.format, papers, opened.problems.lines(), opened.problems.not_understood


def whole(path: Path) -> tuple[str, list, list[str], int]:
    parsed = parse_text(path.read_text(encoding="utf-8"), path.name)
    return parsed.format, parsed.papers, parsed.problems, parsed.not_understood


def test_every_real_json_and_xml_file_is_streamed() -> None:
    assert {streamed(path)[0] for path in FILES} == set(STREAMED)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_a_real_file_read_as_a_stream_gives_what_the_whole_text_gives(path: Path) -> None:
    assert streamed(path) == whole(path)


def _feed_variants(tmp_path: Path) -> list[Path]:
    """Files made from the real ones to reach the odd corners: problems,
    a channel date after the items, an RDF channel."""
    made = []
    rss = (TESTS / "importers" / "fixtures" / "arxiv_cs_lg.rss").read_text(encoding="utf-8")
    if "<pubDate>" in rss:
        start = rss.index("<pubDate>")
        date = rss[start : rss.index("</pubDate>", start) + len("</pubDate>")]
        moved = rss.replace(date, "", 1).replace("</channel>", date + "</channel>")
        made.append(("late_date.rss", moved))
    rows = [{"key": f"k{n}", "title": f"Paper {n}", "tags": "not a list" if n % 3 else ["x"]} for n in range(30)]
    rows[4] = {"title": "no key"}
    rows[7] = "not an object"
    made.append(("problems.json", json.dumps(rows)))
    made.append(("wrapper_late.json", json.dumps({"papers": rows, "paperqueue": 1})))
    hf_row = {"paper": {"id": "2410.00001", "title": "One row", "summary": "An abstract."}, "numComments": 2}
    made.append(("one_row.json", json.dumps(hf_row)))
    made.append(("hf_wrapped.json", json.dumps({"papers": [hf_row, {"paper": {"id": "x", "title": "t"}}]})))
    entries = "".join(
        f"<entry><id>http://arxiv.org/abs/2401.{n:05d}v1</id><title>{'' if n == 3 else f'Title {n}'}</title>"
        f"<summary>Abstract {n}.</summary></entry>\n" for n in range(150)
    )
    made.append(("many.atom", f"{ATOM_OPEN}<title>feed</title>{entries}</feed>\n"))
    for name, text in made:
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [tmp_path / name for name, _ in made]


def test_made_files_with_problems_give_what_the_whole_text_gives(tmp_path: Path) -> None:
    for path in _feed_variants(tmp_path):
        assert streamed(path) == whole(path), path.name


def test_json_is_read_by_the_c_backend_when_it_is_built() -> None:
    try:
        import ijson.backends.yajl2_c  # noqa: F401
    except ImportError:
        pytest.skip("ijson's C backend is not built here: the pure Python one is used")
    from paperqueue.core.importers import json_stream

    assert json_stream.BACKEND == "yajl2_c"


# -- refusals: the same reasons, nothing imported ----------------------------

BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE feed [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10)).replace("&lol0;", "&lol;")
    + ']>\n<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol9;</title></entry></feed>\n'
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&x;</title></entry></feed>'
)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (BOMB, "XML entity expansion refused (possible entity bomb)"),
        (EXTERNAL, "XML external entity refused ('file:///etc/passwd'); nothing was read"),
        (ATOM_OPEN + "<entry><title>A</title><summary>B.</summary></entry>\n<entry><title>Cut", "XML is not well-formed"),
    ],
    ids=["bomb", "external", "cut"],
)
def test_refused_xml_imports_nothing(tmp_path: Path, pq_home: Path, text: str, reason: str) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as whole_error:
        parse_text(text, path.name)
    assert reason in str(whole_error.value)
    store = Store.open()
    before = len(store.papers)
    with pytest.raises(UnusableFileError) as error:
        import_file(store, path)
    assert reason in error.value.reason
    assert "\n" not in str(error.value)
    assert len(store.papers) == before
    store.close()


def test_json_cut_short_after_many_rows_imports_nothing_and_says_where(tmp_path: Path, pq_home: Path) -> None:
    rows = [{"key": f"k{n}", "title": f"Paper number {n}"} for n in range(500)]
    text = json.dumps(rows, indent=2)
    text = text[: len(text) - 200]
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    store = Store.open()
    before = len(store.papers)
    with pytest.raises(UnusableFileError) as error:
        import_file(store, path)
    # As json says it for the whole text: line, column, and the hint.
    assert error.value.reason.startswith("paperqueue JSON export: invalid JSON at line ")
    assert error.value.reason.endswith("(truncated file?)")
    assert len(store.papers) == before
    store.close()


# -- memory -------------------------------------------------------------------

ENTRIES = 60_000
# Read whole, this 60,000-paper export (71 MB) held its text, every decoded
# row and every parsed paper at once: 302 MB measured. Streamed: 87 MB.
CAP_MB = 150
_WORDS = "model data learning network training graph signal protein sample method result theory".split()


def write_export(path: Path, count: int, marked: bool = False) -> Path:
    """A paperqueue JSON export (as ``export --format json`` writes it) of
    ``count`` papers with abstracts of about 90 words, tags and notes
    (``marked``: every paper starred, read, tagged and noted)."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[")
        for n in range(count):
            words = " ".join(_WORDS[(n * 7 + i * 3) % len(_WORDS)] for i in range(90))
            row = {
                "key": f"doi:10.{1000 + n % 9000}/mem.{n:07d}", "arxiv_id": None, "doi": f"10.{1000 + n % 9000}/mem.{n:07d}",
                "title": f"Study number {n} of streamed imports", "abstract": f"{words} {n}",
                "authors": ["Anna Smith", "Wei Wang"], "published": f"{1990 + n % 35}-01-01", "updated": None,
                "categories": [], "upvotes": None, "comments": None, "pdf_url": None,
                "links": [], "primary_link": f"https://doi.org/10.{1000 + n % 9000}/mem.{n:07d}",
                "starred": n % 4 == 0, "read": n % 3 == 0, "added_at": "2024-01-01T00:00:00Z",
                "starred_at": "2024-01-02T00:00:00Z" if n % 4 == 0 else None, "read_at": None,
                "batches": ["big"], "tags": ["t1"] if n % 2 else [], "note": "a note" if n % 10 == 0 else "",
                "entry_type": "article", "venue": "Journal of Tests",
            }
            if marked:
                row.update(starred=True, read=True, starred_at="2024-01-02T00:00:00Z", read_at="2024-01-03T00:00:00Z",
                           tags=["t1", f"topic{n % 50}"], note=f"note {n}")
            handle.write(("," if n else "") + "\n  " + json.dumps(row, ensure_ascii=False))
        handle.write("\n]\n")
    return path


def test_a_big_json_export_imports_under_a_memory_cap(tmp_path: Path, pq_home: Path) -> None:
    export = write_export(tmp_path / "big.json", ENTRIES)
    run = run_import(pq_home, export)
    assert run.code == 0, run.err
    assert f"paperqueue JSON export: {ENTRIES:,} new, 0 already in the queue" in run.out
    assert run.peak_mb < CAP_MB, f"peak {run.peak_mb:.0f} MB for {ENTRIES:,} papers"
    papers = export_json(pq_home)
    assert len(papers) == ENTRIES
    by_title = {paper["title"]: paper for paper in papers}
    last = by_title[f"Study number {ENTRIES - 1} of streamed imports"]
    assert last["abstract"].endswith(f" {ENTRIES - 1}")
    assert by_title["Study number 8 of streamed imports"]["starred"] is True
    assert by_title["Study number 10 of streamed imports"]["note"] == "a note"


# Every paper starred, read, tagged and noted: 110 MB measured when new
# papers' states were held until the commit, 89 MB written as shards fill.
MARKED_CAP_MB = 100


def test_a_big_export_of_starred_and_tagged_papers_imports_under_a_memory_cap(tmp_path: Path, pq_home: Path) -> None:
    """New papers' stars, read marks, tags and notes are written shard by
    shard as the file is read, like their abstracts: not held to the end."""
    export = write_export(tmp_path / "marked.json", ENTRIES, marked=True)
    run = run_import(pq_home, export)
    assert run.code == 0, run.err
    assert f"paperqueue JSON export: {ENTRIES:,} new, 0 already in the queue" in run.out
    assert run.peak_mb < MARKED_CAP_MB, f"peak {run.peak_mb:.0f} MB for {ENTRIES:,} starred and tagged papers"
    papers = export_json(pq_home)
    assert len(papers) == ENTRIES
    assert all(paper["starred"] and paper["read"] for paper in papers)
    by_title = {paper["title"]: paper for paper in papers}
    last = by_title[f"Study number {ENTRIES - 1} of streamed imports"]
    assert last["tags"] == ["t1", f"topic{(ENTRIES - 1) % 50}"] and last["note"] == f"note {ENTRIES - 1}"


@pytest.mark.parametrize("suffix", [".json", ".atom"])
@pytest.mark.parametrize(
    ("bad", "reason"),
    [(b"\xff", "not UTF-8 text (bad byte at offset {at:,})"), (b"\x00", "binary file (not text): a NUL byte at offset {at:,}")],
    ids=["not-utf8", "nul"],
)
def test_a_bad_byte_far_into_the_file_refuses_it_where_it_is(tmp_path: Path, pq_home: Path, suffix: str, bad: bytes, reason: str) -> None:
    """Past the head (which is checked before reading), as the file streams."""
    if suffix == ".json":
        rows = [{"key": f"k{n}", "title": f"Paper number {n}", "abstract": "words " * 40} for n in range(2000)]
        text = json.dumps(rows)
        at = text.index('"Paper number 1500"') + 3
    else:
        text = ATOM_OPEN + "".join(
            f"<entry><title>Paper number {n}</title><summary>{'words ' * 40}</summary></entry>\n" for n in range(2000)
        ) + "</feed>\n"
        at = text.index(">Paper number 1500<") + 3
    data = text.encode()
    path = tmp_path / f"papers{suffix}"
    path.write_bytes(data[:at] + bad + data[at + 1 :])
    store = Store.open()
    with pytest.raises(UnusableFileError) as error:
        import_file(store, path)
    assert error.value.reason == reason.format(at=at)
    assert len(store.papers) == 0
    store.close()


@pytest.mark.parametrize(
    "text",
    [
        "[1] Attention is all you need\nWe propose a new simple network architecture, the Transformer.\n",
        "[2, 3] Two numbers first\nAn abstract about them that is long enough to be one.\n",
        "{ 3 } Braces first\nAn abstract about them that is long enough to be one.\n",
    ],
    ids=["one", "two", "braces"],
)
def test_a_page_that_starts_like_json_is_still_a_page(tmp_path: Path, text: str) -> None:
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    assert whole(path)[0] == "page"
    assert streamed(path) == whole(path)


_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from(["", "x", "2024-01-02", "2401.00001", "10.1/x", "https://github.com/a/b"]),
    st.lists(st.sampled_from(["a", "b", 1, None]), max_size=3),
)
_FIELDS = st.sampled_from(
    ["key", "title", "arxiv_id", "abstract", "tags", "starred", "note", "batches", "links", "upvotes", "paper", "id", "summary"]
)
_ROWS = st.one_of(
    st.dictionaries(_FIELDS, _VALUES, max_size=6),
    st.builds(lambda title, extra: {"key": f"k:{title}", "title": title, **extra},
              st.text("abc ", max_size=5), st.dictionaries(_FIELDS, _VALUES, max_size=3)),
    st.builds(lambda n, extra: {"paper": {"id": f"2401.{n:05d}", "title": f"T{n}", **extra}},
              st.integers(1, 99), st.dictionaries(_FIELDS, _VALUES, max_size=2)),
    st.sampled_from([None, 3, "row", []]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(_ROWS, max_size=30),
    st.sampled_from(["list", "wrapper", "wrapper_late", "papers"]),
)
def test_any_json_streamed_gives_what_the_whole_text_gives(tmp_path: Path, rows: list, shape: str) -> None:
    data = {"list": rows, "wrapper": {"paperqueue": 1, "papers": rows},
            "wrapper_late": {"papers": rows, "x": [1], "paperqueue": 1}, "papers": {"papers": rows}}[shape]
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    try:
        expected: object = whole(path)
    except ValueError as error:
        expected = str(error)
    try:
        got: object = streamed(path)
    except UnusableFileError as error:
        got = error.reason
    if isinstance(expected, str):
        # The same reason, named as the format when the file showed which.
        assert isinstance(got, str) and got.endswith(expected), (got, expected)
    else:
        assert got == expected


def test_the_pure_python_backend_reads_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where ijson's C backend is not built, ijson falls back to Python: same results."""
    import ijson

    from paperqueue.core.importers import json_stream

    paths = [path for path in [*FILES, *_feed_variants(tmp_path)] if path.suffix == ".json"]
    fast = [streamed(path) for path in paths]
    monkeypatch.setattr(json_stream, "_ijson", ijson.get_backend("python"))
    assert [streamed(path) for path in paths] == fast == [whole(path) for path in paths]


FEED_ENTRIES = 30_000
# Read whole, this 30,000-entry Atom feed (24 MB) held its text, its element
# tree and every parsed paper at once: 105 MB measured. Streamed: 44 MB.
FEED_CAP_MB = 75


def test_a_big_atom_feed_imports_under_a_memory_cap(tmp_path: Path, pq_home: Path) -> None:
    feed = tmp_path / "big.atom"
    with feed.open("w", encoding="utf-8") as handle:
        handle.write(ATOM_OPEN + "<title>big</title>\n")
        for n in range(FEED_ENTRIES):
            words = " ".join(_WORDS[(n * 7 + i * 3) % len(_WORDS)] for i in range(90))
            handle.write(
                f"<entry><id>http://example.org/feed/{n}</id><title>Feed study number {n}</title>"
                f"<summary>{words} {n}</summary><author><name>Anna Smith</name></author>"
                f"<published>2024-01-01T00:00:00Z</published></entry>\n"
            )
        handle.write("</feed>\n")
    run = run_import(pq_home, feed)
    assert run.code == 0, run.err
    assert f"arXiv Atom feed: {FEED_ENTRIES:,} new, 0 already in the queue" in run.out
    assert run.peak_mb < FEED_CAP_MB, f"peak {run.peak_mb:.0f} MB for {FEED_ENTRIES:,} entries"
    papers = export_json(pq_home)
    assert len(papers) == FEED_ENTRIES
    last = next(paper for paper in papers if paper["title"] == f"Feed study number {FEED_ENTRIES - 1}")
    assert last["abstract"].endswith(f" {FEED_ENTRIES - 1}")
