"""The hybrid logical clock sync stamps every change with (core/sync/hlc.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperqueue.core.sync.hlc import HLC, Stamp, parse_stamp


class Wall:
    """A wall clock the test moves by hand, backwards too."""

    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_stamps_follow_the_wall_clock_when_it_moves_forward() -> None:
    wall = Wall(1_700_000_000_000)
    clock = HLC("laptop", wall)
    first = clock.now()
    wall.ms += 5
    second = clock.now()
    assert first == Stamp(1_700_000_000_000, 0, "laptop")
    assert second == Stamp(1_700_000_000_005, 0, "laptop")


def test_stamps_keep_rising_when_the_wall_clock_goes_back_or_stands_still() -> None:
    wall = Wall(1_700_000_000_000)
    clock = HLC("laptop", wall)
    stamps = [clock.now()]
    for step in (0, -60_000, -1, 0, 30_000, 40_000):
        wall.ms += step
        stamps.append(clock.now())
    assert stamps == sorted(set(stamps))  # strictly rising, no repeats
    assert stamps[-1].ms == 1_700_000_010_000 - 1  # caught up with the wall again


def test_a_stamp_made_after_seeing_one_from_a_clock_far_ahead_orders_after_it() -> None:
    clock = HLC("desktop", Wall(1_700_000_000_000))
    ahead = Stamp(1_800_000_000_000, 7, "laptop")
    clock.observe(ahead)
    mine = clock.now()
    assert mine > ahead
    assert mine.device == "desktop"
    # Seeing an older stamp never moves the clock back.
    clock.observe(Stamp(1, 0, "old"))
    assert clock.now() > mine


def test_a_tie_on_time_and_counter_still_orders_after_the_stamp_seen() -> None:
    clock = HLC("a", Wall(1_000))
    seen = Stamp(1_000, 0, "zz")  # same ms, a device that sorts after "a"
    clock.observe(seen)
    assert clock.now() > seen


def test_the_counter_overflowing_moves_to_the_next_millisecond() -> None:
    clock = HLC("a", Wall(1_000), last=Stamp(1_000, 0xFFFFFF, "a"))
    assert clock.now() == Stamp(1_001, 0, "a")


def test_text_form_round_trips() -> None:
    stamp = Stamp(1_700_000_000_123, 42, "laptop-3f9a")
    assert stamp.text() == "1700000000123-00002a-laptop-3f9a"
    assert parse_stamp(stamp.text()) == stamp
    assert stamp.at() == "2023-11-14T22:13:20Z"


@given(st.lists(st.tuples(st.integers(0, 10**13 - 1), st.integers(0, 0xFFFFFF),
                          st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True)), min_size=2, max_size=20))
def test_text_forms_sort_as_the_stamps_do(raw: list[tuple[int, int, str]]) -> None:
    stamps = [Stamp(*r) for r in raw]
    assert sorted(stamps) == [parse_stamp(t) for t in sorted(s.text() for s in stamps)]


@pytest.mark.parametrize("text", [
    "", "1700000000123-00002a", "170000000012-00002a-a", "1700000000123-00002A-a",
    "1700000000123-00002a-Laptop", "1700000000123-00002a-../x", "1700000000123-00002a--a",
    "1700000000123-00002a-a\n", "x700000000123-00002a-a", "1700000000123-00002a-" + "a" * 70,
])
def test_malformed_stamps_are_refused(text: str) -> None:
    assert parse_stamp(text) is None
    with pytest.raises(ValueError):
        Stamp.parse(text)


def test_a_device_id_that_would_not_make_a_safe_folder_name_is_refused() -> None:
    for bad in ("", "Laptop", "a/b", "..", "-a", "a b"):
        with pytest.raises(ValueError):
            HLC(bad)
