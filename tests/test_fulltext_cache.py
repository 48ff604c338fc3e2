"""The full-text cache folder, its full-text search index and the reading
positions: what lands on disk, what is evicted, what survives a restart."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path

import pytest

from paperqueue.core.fulltext.cache import FullTextCache, stem_for
from paperqueue.core.fulltext.positions import ReadingPositions
from paperqueue.core.fulltext.search_index import FullTextIndex


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def put_pdf(cache: FullTextCache, key: str, size: int, when: float) -> Path:
    with cache.part(key) as (handle, part):
        handle.write(b"%PDF-1.4\n" + b"x" * (size - 9))
        path = cache.commit_pdf(key, part, handle)
    os.utime(path, (when, when))
    return path


@pytest.mark.parametrize("key", ["arxiv:2401.01234", "../../etc/passwd", "/abs/olé", "a/b\\c\x00d", ".", "..", "", "k" * 500, "hep-th/9901001"])
def test_every_key_names_a_file_inside_the_folder(pq_home: Path, key: str) -> None:
    cache = FullTextCache(pq_home)
    for path in (cache.pdf_path(key), cache.text_path(key)):
        assert path.parent == cache.folder
        assert not path.name.startswith(".")
        assert len(path.name) < 100
    assert stem_for(key) != stem_for(key + "x")


def test_keys_that_look_alike_do_not_share_files(pq_home: Path) -> None:
    cache = FullTextCache(pq_home)
    assert cache.pdf_path("a/b") != cache.pdf_path("a_b") != cache.pdf_path("a?b")


def test_text_round_trip_and_private_files(pq_home: Path) -> None:
    cache = FullTextCache(pq_home)
    cache.store_text("arxiv:1", "Body text\nsecond line\n", "html", "From arXiv's HTML version", "http://x/html/1")
    got = cache.read_text("arxiv:1")
    assert got is not None and got.text == "Body text\nsecond line\n" and got.source == "html"
    assert got.note == "From arXiv's HTML version"
    assert stat.S_IMODE(os.lstat(cache.folder).st_mode) == 0o700
    assert stat.S_IMODE(os.lstat(cache.text_path("arxiv:1")).st_mode) == 0o600
    assert cache.read_text("arxiv:2") is None


def test_a_link_planted_as_a_cached_file_is_not_read(pq_home: Path, tmp_path: Path) -> None:
    cache = FullTextCache(pq_home)
    cache.ensure()
    secret = tmp_path / "secret"
    secret.write_text('{"key": "arxiv:1"}\nsecret', encoding="utf-8")
    cache.text_path("arxiv:1").symlink_to(secret)
    cache.pdf_path("arxiv:1").symlink_to(secret)
    assert cache.read_text("arxiv:1") is None
    assert cache.open_pdf("arxiv:1") is None


def test_eviction_drops_the_least_recently_opened_first(pq_home: Path) -> None:
    clock = Clock()
    cache = FullTextCache(pq_home, cap=3000, clock=clock)
    put_pdf(cache, "old", 1000, clock.now - 300)
    put_pdf(cache, "middle", 1000, clock.now - 200)
    put_pdf(cache, "young", 1000, clock.now - 100)
    assert cache.open_pdf("old") is not None  # opened now: the most recent
    newest = put_pdf(cache, "new", 1000, clock.now)
    gone = cache.evict(keep=[newest])
    assert gone == [cache.pdf_path("middle")]
    assert [cache.has_pdf(key) for key in ("old", "middle", "young", "new")] == [True, False, True, True]
    assert cache.size().files_bytes == 3000


def test_the_file_just_fetched_is_kept_even_over_the_cap(pq_home: Path) -> None:
    cache = FullTextCache(pq_home, cap=500)
    big = put_pdf(cache, "big", 2000, 1_700_000_000.0)
    put_pdf(cache, "other", 100, 1_600_000_000.0)
    cache.evict(keep=[big])
    assert cache.has_pdf("big") and not cache.has_pdf("other")


def test_size_counts_pdfs_texts_and_the_index(pq_home: Path) -> None:
    cache = FullTextCache(pq_home)
    put_pdf(cache, "a", 1234, 1_700_000_000.0)
    cache.store_text("a", "words", "pdf", "note", "url")
    FullTextIndex(cache.index_path).add("a", "words")
    size = cache.size()
    assert (size.pdfs, size.texts) == (1, 1)
    assert size.files_bytes == 1234 + cache.text_path("a").stat().st_size
    assert size.index_bytes > 0 and size.total_bytes == size.files_bytes + size.index_bytes
    assert size.describe().startswith(f"{size.total_bytes / 1024:.1f} KiB (1 PDF, 1 text, search index ")
    assert size.describe().endswith(", cap 2.0 GiB")


def test_a_failed_download_leaves_nothing(pq_home: Path) -> None:
    cache = FullTextCache(pq_home)
    with pytest.raises(RuntimeError):
        with cache.part("arxiv:1") as (handle, _part):
            handle.write(b"%PDF-1.4 half")
            raise RuntimeError("connection lost")
    assert os.listdir(cache.folder) == []


def test_parts_left_by_killed_downloads_are_swept_once_stale(pq_home: Path) -> None:
    clock = Clock()
    cache = FullTextCache(pq_home, clock=clock)
    cache.ensure()
    stale = cache.folder / f".{stem_for('a')}.xyz.part"
    fresh = cache.folder / f".{stem_for('b')}.abc.part"
    for path, age in ((stale, 7 * 3600), (fresh, 60)):
        path.write_bytes(b"%PDF half")
        os.utime(path, (clock.now - age, clock.now - age))
    cache.evict()
    assert not stale.exists() and fresh.exists()  # a young part may be another process's download


# -- the full-text index ------------------------------------------------------


def test_full_text_search_finds_words_in_bodies(pq_home: Path) -> None:
    index = FullTextIndex(FullTextCache(pq_home).index_path)
    index.add("arxiv:1", "We train a zebrafinch song model with Adam.")
    index.add("arxiv:2", "Gradient descent on convex losses; Zürich data.")
    assert index.search("zebrafinch") == {"arxiv:1"}
    assert index.search("zebra") == {"arxiv:1"}  # the last word as a prefix
    assert index.search("ZURICH convex") == {"arxiv:2"}  # case and accents folded, every word
    assert index.search("zebrafinch convex") == set()
    assert index.search("  ") == set()


def test_adding_again_replaces_and_removing_forgets(pq_home: Path) -> None:
    index = FullTextIndex(FullTextCache(pq_home).index_path)
    index.add("k", "old words here")
    index.add("k", "new text")
    assert index.search("old") == set() and index.search("new") == {"k"}
    index.remove("k", "new text")
    assert index.search("new") == set() and index.keys() == set()


def test_the_index_survives_a_restart_and_is_not_search_sqlite(pq_home: Path) -> None:
    cache = FullTextCache(pq_home)
    FullTextIndex(cache.index_path).add("k", "persistent wombat")
    assert cache.index_path.parent == cache.folder and cache.index_path != pq_home / "search.sqlite"
    assert FullTextIndex(cache.index_path).search("wombat") == {"k"}


def test_a_damaged_index_is_rebuilt_from_the_cached_texts(pq_home: Path) -> None:
    cache = FullTextCache(pq_home)
    cache.store_text("a", "capybara facts", "html", "n", "u")
    cache.ensure()
    cache.index_path.write_bytes(b"this is not an sqlite file" * 100)
    index = FullTextIndex(cache.index_path)
    assert index.rebuild((entry.key, entry.text) for entry in cache.texts()) == 1
    assert index.search("capybara") == {"a"}
    assert list(cache.folder.glob("search.sqlite.*.corrupt"))


def _add_many(path: str, prefix: str) -> None:
    index = FullTextIndex(Path(path))
    for number in range(30):
        index.add(f"{prefix}{number}", f"shared word {prefix}unique{number}")


def test_two_processes_adding_at_once_both_land(pq_home: Path) -> None:
    path = FullTextCache(pq_home).index_path
    FullTextIndex(path).add("seed", "seed")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_add_many, args=(str(path), prefix)) for prefix in ("p", "q")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    found = FullTextIndex(path).search("shared")
    assert len(found) == 60


# -- reading positions ------------------------------------------------------------


def test_the_position_is_restored_after_a_restart(pq_home: Path) -> None:
    ReadingPositions(pq_home).save("arxiv:1", 120, 901)
    again = ReadingPositions(pq_home)
    position = again.get("arxiv:1")
    assert position is not None and position.line == 120 and position.fraction == pytest.approx(120 / 900)
    assert again.get("arxiv:2") is None
    assert set(again.all()) == {"arxiv:1"}


def test_a_damaged_positions_file_is_set_aside(pq_home: Path) -> None:
    positions = ReadingPositions(pq_home)
    positions.folder.mkdir(parents=True)
    positions.path.write_bytes(b"{not json")
    assert positions.get("k") is None
    positions.save("k", 3, 10)
    assert positions.get("k").line == 3
    assert list(positions.folder.glob("positions.json.*.corrupt"))
