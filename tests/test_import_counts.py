"""The import summary tells the truth: new + already in the queue + repeated
in the file + not understood == the entries in the file, and "merged" means
the known paper gained something."""

from __future__ import annotations

import json
from pathlib import Path

from paperqueue.cli import main
from paperqueue.core.importers.pq_json import parse_pq
from paperqueue.core.importers.record import not_understood
from paperqueue.core.importing import import_file
from paperqueue.core.store import Store

REAL = Path(__file__).parent / "data" / "real" / "identity"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def total(result) -> int:
    return result.new + result.existing + result.repeated + result.not_understood


def test_real_repeats_in_one_file_are_not_already_in_an_empty_queue(pq_home: Path) -> None:
    # Fourteen "Copyright and Disclaimer" pages of one 2024 volume (no DOI,
    # same author, same year) and two articles: 16 entries.
    store = Store.open(pq_home)
    result = import_file(store, REAL / "meps2024_copyright_pages.bib")
    assert result.summary() == (
        "3 new, 0 already in the queue (0 merged, 0 unchanged), 0 entries not understood, 13 repeated in the file"
    )
    assert total(result) == 16
    store.close()


def test_cli_prints_the_repeated_count_after_the_old_phrase(pq_home: Path, capsys) -> None:
    assert main(["import", str(REAL / "meps2024_copyright_pages.bib")]) == 0
    out = capsys.readouterr().out
    assert out.strip() == (
        "meps2024_copyright_pages.bib: BibTeX: 3 new, 0 already in the queue "
        "(0 merged, 0 unchanged), 0 entries not understood, 13 repeated in the file"
    )


def test_a_known_paper_twice_in_a_file_counts_once_as_already(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, write(tmp_path, "a.bib", "@article{a, title={Known Paper}, year={2020}}\n"))
    twice = "@article{a, title={Known Paper}, year={2020}}\n@article{b, title={Known paper}, year={2020}}\n@article{c, title={Other}}\n"
    result = import_file(store, write(tmp_path, "b.bib", twice))
    assert result.summary() == (
        "1 new, 1 already in the queue (0 merged, 1 unchanged), 0 entries not understood, 1 repeated in the file"
    )
    assert total(result) == 3
    store.close()


def test_a_merge_that_adds_only_a_link_is_merged(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, write(tmp_path, "a.bib", "@article{a, title={Known Paper}, year={2020}}\n"))
    result = import_file(
        store, write(tmp_path, "b.bib", "@article{a, title={Known Paper}, year={2020}, url={https://example.org/code}}\n")
    )
    assert (result.existing, result.merged, result.unchanged) == (1, 1, 0)
    store.close()


def test_a_repeat_that_adds_a_link_to_a_known_paper_makes_it_merged(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, write(tmp_path, "a.bib", "@article{a, title={Known Paper}, year={2020}}\n"))
    bib = "@article{a, title={Known Paper}, year={2020}}\n@article{b, title={Known Paper}, url={https://example.org/code}}\n"
    result = import_file(store, write(tmp_path, "b.bib", bib))
    assert (result.existing, result.merged, result.unchanged, result.repeated) == (1, 1, 0, 1)
    (paper,) = store.papers.values()
    assert paper.links == ("https://example.org/code",)
    store.close()


def test_joining_the_import_batch_alone_is_unchanged(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, write(tmp_path, "a.bib", "@article{a, title={Known Paper}, year={2020}}\n"))
    result = import_file(store, write(tmp_path, "b.bib", "@article{a, title={Known Paper}, year={2020}}\n"
                                      "@article{b, title={New Paper}, year={2021}}\n"))
    assert (result.new, result.existing, result.merged, result.unchanged) == (1, 1, 0, 1)
    paper = store.papers["title:known-paper"]
    assert result.batch in paper.batches, "the paper still joins the batch"
    store.close()


def test_pq_json_field_of_the_wrong_type_is_a_warning_not_a_skipped_entry() -> None:
    rows = [
        {"key": "title:a", "title": "A", "tags": "not-a-list"},
        {"key": "title:b", "title": "B"},
        {"key": 7, "title": "C"},
    ]
    papers, problems = parse_pq(json.dumps(rows))
    assert [p.title for p in papers] == ["A", "B"]
    assert len(problems) == 3, problems  # tags, key not a string, no key
    assert not_understood(problems) == 1, "only entry 3 was skipped"


def test_an_import_leaves_no_connection_to_the_search_index_open(pq_home: Path, tmp_path: Path) -> None:
    """The index is closed when the import returns, not whenever the garbage
    collector gets to it (in the app, a later import would otherwise find the
    file rewritten under it by this connection's last checkpoint)."""
    import gc
    import os

    from paperqueue.core.importing import import_file
    from paperqueue.core.search import SearchIndex
    from paperqueue.core.store import Store, layout

    def open_on_index() -> list[str]:
        fds = Path("/proc/self/fd")
        targets = [os.readlink(fd) for fd in fds.iterdir() if fd.name.isdigit() and os.path.exists(fd)]
        return [t for t in targets if t.startswith(str(pq_home / layout.SEARCH))]

    page = tmp_path / "page.txt"
    page.write_text("A First Paper\n\nIts abstract.\n")
    later = tmp_path / "later.txt"
    later.write_text("A Second Paper\n\nAnother abstract.\n")
    with Store.open(pq_home) as store:
        import_file(store, page)
        index = SearchIndex(pq_home / layout.SEARCH)
        index.rebuild(((p.id, p.title, d.abstract) for p, d in store.iter_details()), store.generation)
        index.close()
        gc.disable()
        try:
            import_file(store, later)  # indexed as it lands: the index is current
            assert open_on_index() == []
        finally:
            gc.enable()
