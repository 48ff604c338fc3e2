"""Keys that do not depend on the device (issue 13, "One paper, one key,
everywhere"): a paper whose key is taken by a different paper of the same
title gets a suffix made from its own data, so two stores reading the same
records give them the same keys whatever else they hold and in whatever
order they read them. Keys of older stores (``~57``) stay valid."""

from __future__ import annotations

import json
import re
from pathlib import Path

from paperqueue.core.identity import suffix_for, suffixes
from paperqueue.core.importing import import_file
from paperqueue.core.store import Store

TITLE = "Learning to Rank Reviews"
SLUG = "title:learning-to-rank-reviews"

SMITH = (
    "@article{smith19, title={Learning to Rank Reviews}, author={Smith, Anna and Wu, Li}, year={2019},\n"
    "  abstract={We rank product reviews by helpfulness with a pairwise model.}}\n"
)
JONES = (
    "@inproceedings{jones21, title={Learning to rank reviews}, author={Mary Jones}, year={2021},\n"
    "  abstract={Peer reviews of conference papers, ordered by a learned scorer.}}\n"
)
BROWN = "@book{brown90, title={Learning to Rank Reviews}, author={Brown, Carl}, year={1990}}\n"
LEE = "@misc{lee85, title={Learning to rank: reviews}, author={Lee, Kim}, year={1985}}\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def keys_by_author(home: Path) -> dict[str, str]:
    """First author's surname (as written in the files above) -> key, read
    from a fresh open of the store on disk."""
    store = Store.open(home)
    try:
        found = {}
        for key in store.papers:
            authors = store.details(key).authors
            found[authors[0].split(",")[0].split()[-1] if authors else ""] = key
        return found
    finally:
        store.close()


def run_imports(home: Path, files: list[Path]) -> None:
    store = Store.open(home)
    try:
        for path in files:
            result = import_file(store, path)
            assert result.new >= 1, result.summary()
    finally:
        store.close()


def test_two_stores_give_same_titled_papers_the_same_keys_in_any_order(tmp_path: Path) -> None:
    files = tmp_path / "files"
    both = write(files, "both.bib", SMITH + JONES)
    jones, smith = write(files, "jones.bib", JONES), write(files, "smith.bib", SMITH)
    # Store A already holds one unrelated paper of that title, store B
    # another one; A reads the pair in one file, B one by one in the other order.
    run_imports(tmp_path / "a", [write(files, "brown.bib", BROWN), both])
    run_imports(tmp_path / "b", [write(files, "lee.bib", LEE), jones, smith])
    a, b = keys_by_author(tmp_path / "a"), keys_by_author(tmp_path / "b")
    assert a["Brown"] == b["Lee"] == SLUG, "the paper read first keeps the plain key"
    assert a["Smith"] == b["Smith"] == SLUG + "~smith-2019"
    assert a["Jones"] == b["Jones"] == SLUG + "~jones-2021"

    # A third store that had none of them: the first one read takes the plain
    # key (a paper with no twin keeps the key it always had); its twin gets
    # the same key as everywhere else.
    run_imports(tmp_path / "c", [jones, smith])
    c = keys_by_author(tmp_path / "c")
    assert c == {"Jones": SLUG, "Smith": SLUG + "~smith-2019"}


def test_a_paper_with_no_twin_keeps_the_plain_title_key(tmp_path: Path) -> None:
    files = tmp_path / "files"
    run_imports(tmp_path / "a", [write(files, "only-title.bib", "@misc{x, title={Learning to Rank Reviews}}\n")])
    run_imports(tmp_path / "b", [write(files, "smith.bib", SMITH)])
    assert keys_by_author(tmp_path / "a") == {"": SLUG}
    assert keys_by_author(tmp_path / "b") == {"Smith": SLUG}


def test_twins_without_authors_get_the_same_hash_suffix_on_both_stores(tmp_path: Path) -> None:
    files = tmp_path / "files"
    old = write(files, "old.bib", "@misc{o, title={Annual Report}, year={1990}}\n")
    new = write(files, "new.bib", "@misc{n, title={Annual Report}, year={2010}, abstract={The tenth year.}}\n")
    run_imports(tmp_path / "a", [old, new])
    run_imports(tmp_path / "b", [old, new])
    key_a = sorted(Store.open(tmp_path / "a", lock=False).papers)
    key_b = sorted(Store.open(tmp_path / "b", lock=False).papers)
    assert key_a == key_b
    assert key_a[0] == "title:annual-report"
    assert re.fullmatch(r"title:annual-report~[0-9a-f]{8}", key_a[1]), key_a


def pq_json(folder: Path, name: str, papers: list[dict]) -> Path:
    return write(folder, name, json.dumps({"paperqueue": 1, "papers": papers}))


def test_an_old_numbered_key_still_opens_is_found_and_stays(tmp_path: Path) -> None:
    # An export of a queue made before content suffixes: its second paper of
    # the title holds the counter key ``~57``.
    files = tmp_path / "files"
    export = pq_json(
        files,
        "old-queue.json",
        [
            {"key": SLUG, "title": TITLE, "authors": ["Carl Brown"], "published": "1990"},
            {"key": SLUG + "~57", "title": TITLE, "authors": ["Anna Smith"], "published": "2019", "starred": True},
        ],
    )
    home = tmp_path / "home"
    run_imports(home, [export])
    store = Store.open(home)
    try:
        assert sorted(store.papers) == [SLUG, SLUG + "~57"]
        assert store.state(SLUG + "~57").starred
        # The same paper read again from BibTeX is found under its old key.
        again = import_file(store, write(files, "smith.bib", SMITH))
        assert (again.new, again.existing) == (0, 1), again.summary()
        # A third paper of the title gets a content suffix, not ``~58``.
        third = import_file(store, write(files, "jones.bib", JONES))
        assert third.new == 1
    finally:
        store.close()
    assert keys_by_author(home) == {"Brown": SLUG, "Smith": SLUG + "~57", "Jones": SLUG + "~jones-2021"}
    assert Store.open(home, lock=False).details(SLUG + "~57").abstract.startswith("We rank product reviews")


def test_a_taken_readable_suffix_falls_back_to_the_same_hash_everywhere(tmp_path: Path) -> None:
    # A paperqueue JSON made by hand or by another tool: its keys follow no
    # rule, and one already spells ``~smith-2019`` for a paper by Lee.
    files = tmp_path / "files"
    export = pq_json(
        files,
        "made-by-hand.json",
        [
            {"key": SLUG, "title": TITLE, "authors": ["Carl Brown"], "published": "1990"},
            {"key": SLUG + "~smith-2019", "title": TITLE, "authors": ["Kim Lee"], "published": "2005"},
        ],
    )
    smith = write(files, "smith.bib", SMITH)
    for home in (tmp_path / "a", tmp_path / "b"):
        run_imports(home, [export, smith])
    a, b = keys_by_author(tmp_path / "a"), keys_by_author(tmp_path / "b")
    assert a == b
    assert a["Brown"] == SLUG and a["Lee"] == SLUG + "~smith-2019"
    assert re.fullmatch(re.escape(SLUG) + r"~[0-9a-f]{8}", a["Smith"]), a

    # The same record read into a store where the readable key is free gets it.
    run_imports(tmp_path / "c", [write(files, "brown.bib", BROWN), smith])
    assert keys_by_author(tmp_path / "c")["Smith"] == SLUG + "~smith-2019"


def test_a_dry_run_then_the_import_give_the_content_key(tmp_path: Path) -> None:
    files = tmp_path / "files"
    home = tmp_path / "home"
    run_imports(home, [write(files, "brown.bib", BROWN)])
    store = Store.open(home)
    try:
        smith = write(files, "smith.bib", SMITH)
        dry = import_file(store, smith, dry_run=True)
        assert dry.new == 1 and sorted(store.papers) == [SLUG]
        assert import_file(store, smith).new == 1
    finally:
        store.close()
    assert keys_by_author(home) == {"Brown": SLUG, "Smith": SLUG + "~smith-2019"}


def test_suffixes_depend_only_on_the_papers_own_data() -> None:
    paper = dict(title=TITLE, authors=("Smith, Anna",), published="2019-05-01", abstract="We rank reviews.")
    chain = [s for s, _ in zip(suffixes(**paper), range(5), strict=False)]
    assert chain == [s for s, _ in zip(suffixes(**paper), range(5), strict=False)], "deterministic"
    assert chain[0] == "~smith-2019"
    assert [len(s) for s in chain[1:]] == [9, 17, 17, 17] and len(set(chain)) == 5
    assert chain[2].startswith(chain[1]), "the longer hash extends the short one"
    # Every part of the paper's data moves the hash.
    for change in (
        dict(title="Learning to Rank Reviewers"),
        dict(authors=("Wu, Li",)),
        dict(published="2021"),
        dict(abstract="We rank reviews!!! Differently."),
        dict(doi="10.1/x"),
        dict(arxiv_id="2401.00001"),
    ):
        assert list(zip(suffixes(**(paper | change)), range(2), strict=False))[1][0] != chain[1], change
    # Case, punctuation and accents of the title and abstract do not.
    same = paper | dict(title="learning to rank: REVIEWS", abstract="we  rank reviews")
    assert [s for s, _ in zip(suffixes(**same), range(2), strict=False)] == chain[:2]
    # A year alone never makes a digits-only suffix (old stores' ``~N``).
    first = next(suffixes(TITLE, published="2019"))
    assert first != "~2019" and re.fullmatch(r"~[0-9a-f]{8}", first), first
    taken = {SLUG + s for s in chain[:3]}
    assert suffix_for(SLUG, taken.__contains__, **paper) == chain[3]
