"""Reading statistics: exact counts per local day and week, unread, stars per batch."""

from __future__ import annotations

from linear import assert_linear
from datetime import UTC, date, datetime, timedelta, timezone

from paperqueue.core.models import Paper, PaperState
from paperqueue.core.stats import DAYS, WEEKS, reading_stats

NOW = datetime(2026, 3, 13, 9, 0, tzinfo=UTC)  # a Friday
NEW_YORK_WINTER = timezone(timedelta(hours=-5))


def paper(key: str, added_at: str, batch: int = 1, batches: tuple[int, ...] = ()) -> Paper:
    return Paper(key, f"Title {key}", added_at=added_at, batch=batch, batches=batches or (batch,))


def read(at: str, starred: bool = False) -> PaperState:
    return PaperState(starred=starred, read=True, read_at=at, starred_at=at if starred else None)


def by_day(stats) -> dict[date, tuple[int, int]]:
    return {day: (added, done) for day, added, done in stats.days}


def sample():
    papers = [
        paper("p1", "2026-03-13T08:00:00Z", batch=2),
        paper("p2", "2026-03-13T01:00:00Z", batch=2),
        paper("p3", "2026-03-10T12:00:00Z", batch=2, batches=(2, 3)),
        paper("p4", "2025-12-19T23:00:00Z", batch=1),  # the day before the window
        paper("p5", "2025-12-20T00:00:00Z", batch=1),  # the window's first day
    ]
    states = {
        "p2": read("2026-03-13T08:30:00Z", starred=True),
        "p3": read("2026-03-12T23:59:59Z", starred=True),
        "p5": read("2026-03-09T00:00:00Z"),
        "p4": PaperState(starred=True, starred_at="2026-01-01T00:00:00Z"),
        "gone": read("2026-03-13T00:00:00Z"),  # a state without its paper counts for nothing
    }
    return papers, states, {1: "Old page", 2: "New page"}


def test_days_weeks_unread_and_stars_in_utc() -> None:
    papers, states, names = sample()
    stats = reading_stats(papers, states, names, NOW, tz=UTC)

    assert len(stats.days) == DAYS
    assert stats.days[0] == (date(2025, 12, 20), 1, 0)
    assert stats.days[-1] == (date(2026, 3, 13), 2, 1)
    days = by_day(stats)
    assert days[date(2026, 3, 12)] == (0, 1)
    assert days[date(2026, 3, 10)] == (1, 0)
    assert days[date(2026, 3, 9)] == (0, 1)
    assert sum(a for _, a, _ in stats.days) == 4  # p4 is older than the window
    assert sum(r for _, _, r in stats.days) == 3

    assert len(stats.weeks) == WEEKS
    assert [w for w, _, _ in stats.weeks] == [date(2025, 12, 22) + timedelta(weeks=i) for i in range(WEEKS)]
    assert all(w.weekday() == 0 for w, _, _ in stats.weeks)
    assert stats.weeks[-1] == (date(2026, 3, 9), 3, 3)
    assert sum(a for _, a, _ in stats.weeks[:-1]) == 0  # p5's week (Dec 15) is before the first week

    assert stats.unread == 2  # p1 and p4
    assert stats.oldest_unread == timedelta(days=83, hours=10)
    # Newest batch first; p3 belongs to batches 2 and 3; batch 3 has no name.
    assert stats.stars_per_batch == [("import 3", 1, 1), ("New page", 2, 3), ("Old page", 1, 2)]


def test_local_day_boundaries_west_of_utc() -> None:
    now = datetime(2026, 3, 13, 3, 0, tzinfo=UTC)  # 22:00 on the 12th in UTC-5
    papers = [
        paper("late", "2026-03-12T04:59:59Z"),  # 23:59:59 on the 11th locally
        paper("early", "2026-03-12T05:00:00Z"),  # midnight on the 12th locally
        paper("edge-out", "2025-12-19T04:59:59Z"),  # 23:59:59 on Dec 18: outside
        paper("edge-in", "2025-12-19T05:00:00Z"),  # midnight on Dec 19: the first day
    ]
    states = {"early": read("2026-03-13T02:00:00Z")}  # 21:00 on the 12th locally

    local = reading_stats(papers, states, {}, now, tz=NEW_YORK_WINTER)
    assert local.days[0] == (date(2025, 12, 19), 1, 0)
    assert local.days[-1] == (date(2026, 3, 12), 1, 1)
    assert by_day(local)[date(2026, 3, 11)] == (1, 0)
    assert sum(a for _, a, _ in local.days) == 3
    assert local.weeks[-1] == (date(2026, 3, 9), 2, 1)

    utc = reading_stats(papers, states, {}, now, tz=UTC)
    assert utc.days[-1] == (date(2026, 3, 13), 0, 1)
    assert by_day(utc)[date(2026, 3, 12)] == (2, 0)
    assert utc.days[0] == (date(2025, 12, 20), 0, 0)
    assert sum(a for _, a, _ in utc.days) == 2  # both December papers fall before Dec 20


def test_east_of_utc_moves_evening_reads_to_the_next_day() -> None:
    tokyo = timezone(timedelta(hours=9))
    papers = [paper("a", "2026-03-01T00:00:00Z")]
    states = {"a": read("2026-03-12T15:00:00Z")}  # midnight on the 13th in Tokyo
    stats = reading_stats(papers, states, {}, NOW, tz=tokyo)
    assert stats.days[-1] == (date(2026, 3, 13), 0, 1)
    assert by_day(stats)[date(2026, 3, 12)] == (0, 0)
    assert stats.unread == 0 and stats.oldest_unread is None


def test_odd_timestamps_are_tolerated() -> None:
    papers = [
        paper("offset", "2026-03-13T10:00:00+02:00"),  # 08:00 UTC
        paper("naive", "2026-03-12T10:00:00"),  # taken as UTC
        paper("junk", "yesterday"),
        paper("blank", ""),
        paper("future", "2026-03-14T00:00:00Z"),
    ]
    stats = reading_stats(papers, {"junk": read("not a time")}, {}, NOW, tz=UTC)
    assert stats.days[-1] == (date(2026, 3, 13), 1, 0)
    assert stats.days[-2] == (date(2026, 3, 12), 1, 0)
    assert sum(r for _, _, r in stats.days) == 0
    assert stats.unread == 4
    assert stats.oldest_unread == timedelta(hours=23)  # the naive one; junk and blank have no age
    assert stats.stars_per_batch == [("import 1", 0, 5)]


def test_empty_queue() -> None:
    stats = reading_stats([], {}, {}, NOW.replace(tzinfo=None), tz=UTC)
    assert len(stats.days) == DAYS and all(a == r == 0 for _, a, r in stats.days)
    assert stats.unread == 0 and stats.oldest_unread is None and stats.stars_per_batch == []


def test_default_zone_is_the_machines() -> None:
    papers, states, names = sample()
    stats = reading_stats(papers, states, names, NOW)
    assert len(stats.days) == DAYS and stats.unread == 2


def _queue_of(count: int) -> tuple[list[Paper], dict[str, PaperState]]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    papers, states = [], {}
    for i in range(count):
        added = start + timedelta(minutes=i)  # a distinct minute each, all inside the window
        key = f"k{i}"
        papers.append(paper(key, added.strftime("%Y-%m-%dT%H:%M:%SZ"), batch=1 + i // 1000))
        if i % 2:
            states[key] = read((added + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ"), starred=i % 6 == 1)
    return papers, states


def test_hundred_thousand_papers_counted_in_linear_time() -> None:
    now = datetime(2026, 3, 13, tzinfo=UTC)
    half, whole = _queue_of(50_000), _queue_of(100_000)
    stats = reading_stats(*whole, {}, now, tz=NEW_YORK_WINTER)
    assert stats.unread == 50_000
    assert sum(a for _, a, _ in stats.days) == 100_000
    assert len(stats.stars_per_batch) == 100
    assert_linear(lambda q: reading_stats(*q, {}, now, tz=NEW_YORK_WINTER), half, whole, "reading_stats")


def test_removed_papers_count_as_history_only() -> None:
    papers = [paper("kept", "2026-03-12T10:00:00Z"), paper("gone", "2026-01-01T00:00:00Z"), paper("gone-read", "2026-03-11T00:00:00Z")]
    states = {
        "gone": PaperState(starred=True, removed=True),
        "gone-read": PaperState(read=True, read_at="2026-03-12T00:00:00Z", removed=True),
    }
    stats = reading_stats(papers, states, {}, NOW, tz=UTC)
    assert stats.unread == 1
    assert stats.oldest_unread == timedelta(hours=23)
    assert stats.stars_per_batch == [("import 1", 0, 1)]
    assert sum(a for _, a, _ in stats.days) == 3 and by_day(stats)[date(2026, 3, 12)] == (1, 1)
