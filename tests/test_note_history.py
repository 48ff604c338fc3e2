"""Note histories (issue 13): a note edited on two devices between syncs
keeps the other text, saved device-local by ``save_note_histories`` and
shown in the reader under the note as "also edited on <device> at <time>:"
and that text (never as markup). A missing file is no history; a damaged
one is set aside, never deleted."""

from __future__ import annotations

from pathlib import Path

from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.sync.changes import NOTE, Change
from paperqueue.core.sync.hlc import Stamp
from paperqueue.core.sync.merge import Merged
from paperqueue.core.sync.notes import FILE, load_note_history, save_note_histories

from pilot_helpers import make_app, paper_list, seed_store, settle, until, wait_loaded

START = 1_773_392_400_000  # 2026-03-13T09:00:00Z in ms
OTHER = "[bold]desk[/bold] text\nsecond line"  # markup-looking user text


def concurrent(key: str) -> Merged:
    """A note started on the laptop, then edited on both devices from it:
    the laptop's edit (later stamp) wins, the desktop's is the history."""
    base = Change(key, NOTE, "shared start", Stamp(START, 0, "laptop"))
    laptop = Change(key, NOTE, "shared start; laptop", Stamp(START + 120_000, 0, "laptop"), base.stamp)
    desktop = Change(key, NOTE, OTHER, Stamp(START + 60_000, 0, "desktop"), base.stamp)
    merged = Merged()
    merged.apply([base, laptop, desktop])
    assert merged.state(key).note == "shared start; laptop"
    return merged


def test_saved_histories_load_back_and_only_papers_with_one_are_kept(tmp_path: Path) -> None:
    merged = concurrent("arxiv:1")
    merged.apply([Change("arxiv:2", NOTE, "alone", Stamp(START, 1, "laptop"))])  # no concurrent edit
    assert save_note_histories(tmp_path, merged) == 1
    [version] = load_note_history(tmp_path, "arxiv:1")
    assert version.text == OTHER and version.device == "desktop"
    assert version.describe() == "also edited on desktop at 2026-03-13T09:01:00Z"
    assert load_note_history(tmp_path, "arxiv:2") == []
    # A later save replaces it (the cache notices the new file).
    assert save_note_histories(tmp_path, Merged()) == 0
    assert load_note_history(tmp_path, "arxiv:1") == []


def test_versions_are_saved_under_the_stores_key(tmp_path: Path) -> None:
    """A paper the fold names by another key (known here under an alias)."""
    save_note_histories(tmp_path, concurrent("doi:10.1/x"), key_of={"doi:10.1/x": "arxiv:1"}.get)
    assert [v.text for v in load_note_history(tmp_path, "arxiv:1")] == [OTHER]
    assert load_note_history(tmp_path, "doi:10.1/x") == []


def test_no_file_is_no_history_and_none_is_written_without_one(tmp_path: Path) -> None:
    assert load_note_history(tmp_path, "arxiv:1") == []
    assert save_note_histories(tmp_path, Merged()) == 0
    assert not (tmp_path / FILE).exists()


def test_a_damaged_file_is_set_aside_and_read_as_empty(tmp_path: Path) -> None:
    for damage in (b"{not json", b'{"version": 1, "notes": {"arxiv:1": [["text", "not a stamp"]]}}'):
        (tmp_path / FILE).write_bytes(damage)
        assert load_note_history(tmp_path, "arxiv:1") == []
        assert not (tmp_path / FILE).exists()
        [aside] = tmp_path.glob(f"{FILE}.*.corrupt")
        assert aside.read_bytes() == damage, "set aside, never deleted"
        aside.unlink()
    # Read-only (another paperqueue writes the store): left where it is.
    (tmp_path / FILE).write_bytes(b"[]")
    assert load_note_history(tmp_path, "arxiv:1", set_aside=False) == []
    assert (tmp_path / FILE).read_bytes() == b"[]"


def note_shown(app) -> str:
    return str(app.screen.query_one("#reader-note").render())


async def test_the_reader_shows_the_other_version_under_the_note(pq_home: Path) -> None:
    seed_store(pq_home)
    store = Store.open(pq_home)
    try:
        first, second = (p.key for p in list(store.papers.values())[:2])
        store.set_state(first, PaperState(note="shared start; laptop"))
        store.set_state(second, PaperState(note="a note of its own"))
        store.flush()
    finally:
        store.close()
    save_note_histories(pq_home, concurrent(first))
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        plist = paper_list(app)
        plist.move_to(plist.queue.row_of(first))
        await until(pilot, lambda: "also edited" in note_shown(app), "the other version under the note")
        assert note_shown(app) == ("Note\nshared start; laptop\n\n"
                                   "also edited on desktop at 2026-03-13T09:01:00Z:\n" + OTHER)
        plist.move_to(plist.queue.row_of(second))
        await settle(pilot)
        assert note_shown(app) == "Note\na note of its own", "another paper's versions are never shown under it"
        plist.move_to(plist.queue.row_of(first))
        await until(pilot, lambda: "also edited" in note_shown(app), "shown again")


def test_damaged_sync_files_of_this_device_are_set_aside_never_deleted(tmp_path: Path) -> None:
    """The key map and the read positions are device-local files like the
    note history: a damaged one is moved aside (its bytes kept) and sync
    starts them again (positions from 0: folding again is harmless)."""
    from paperqueue.core.sync.positions import POSITIONS, Positions
    from paperqueue.core.sync.aliases import KEYS, KeyMap, load as load_keys

    for name in (KEYS, POSITIONS):
        (tmp_path / name).write_bytes(b'{"half written')
    assert load_keys(tmp_path) == KeyMap()
    assert Positions.load(tmp_path) == Positions()
    for name in (KEYS, POSITIONS):
        assert not (tmp_path / name).exists()
        [aside] = tmp_path.glob(f"{name}.*.corrupt")
        assert aside.read_bytes() == b'{"half written'
