"""Reading statistics: what came in and what got read, per day and per week.

Timestamps in the store are UTC (``YYYY-MM-DDTHH:MM:SSZ``); they are put on
the person's local calendar before being counted, so a paper read at 23:30
in New York counts for that evening, not for the next UTC day.

Built for 100,000 papers: timestamps older than the window are skipped by
comparing strings (the store's format sorts like time), and the local day of
a standard timestamp is cached per minute (an import stamps all of its
papers with the same time).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from paperqueue.core.models import Paper, PaperState

DAYS = 84  # twelve weeks
WEEKS = 12

_MISSING = object()


@dataclass(frozen=True)
class ReadingStats:
    days: list[tuple[date, int, int]]  # (local day, added, read), oldest first
    weeks: list[tuple[date, int, int]]  # (Monday of the week, added, read), oldest first
    unread: int
    oldest_unread: timedelta | None  # age of the oldest unread paper; None when nothing is unread
    stars_per_batch: list[tuple[str, int, int]]  # (batch name, starred, papers in batch), newest first


def local_zone() -> tzinfo:
    """The machine's local time zone (its current UTC offset)."""
    zone = datetime.now().astimezone().tzinfo
    return zone if zone is not None else UTC


def parse_stamp(stamp: object) -> datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime (naive means UTC), or ``None``."""
    if not isinstance(stamp, str) or not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _is_standard(stamp: str) -> bool:
    return len(stamp) == 20 and stamp[-1] == "Z" and stamp[10] == "T"


class _Days:
    """Local days of UTC timestamps inside ``[first, last]``."""

    def __init__(self, first: date, last: date, tz: tzinfo) -> None:
        self.first, self.last, self.tz = first, last, tz
        start = datetime.combine(first, time(), tzinfo=tz).astimezone(UTC)
        # Anything sorting before this (in the store's format) is too old.
        self.floor = (start - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._cache: dict[str, date | None] = {}

    def day(self, stamp: object) -> date | None:
        if not isinstance(stamp, str) or not stamp:
            return None
        standard = _is_standard(stamp)
        if standard and stamp < self.floor:
            return None
        key = stamp[:16] if standard else stamp
        found = self._cache.get(key, _MISSING)
        if found is _MISSING:
            moment = parse_stamp(stamp)
            found = None
            if moment is not None:
                local = moment.astimezone(self.tz).date()
                if self.first <= local <= self.last:
                    found = local
            self._cache[key] = found
        return found  # type: ignore[return-value]


def reading_stats(
    papers: Iterable[Paper],
    states: Mapping[str, PaperState],
    batch_names: Mapping[int, str],
    now: datetime,
    tz: tzinfo | None = None,
    hidden: Collection[str] = frozenset(),
) -> ReadingStats:
    """Count additions and reads per local day and week, unread papers and
    stars per import batch. A naive ``now`` is taken as UTC.

    A paper a batch holds is counted in every batch it appeared in (as the
    sidebar does). Removed papers still count in the daily and weekly
    history (they were added, and maybe read) but not in the unread count,
    the oldest unread age or the batches: those describe the queue as it is.
    """
    zone = tz if tz is not None else local_zone()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=DAYS - 1)
    monday = today - timedelta(days=today.weekday())
    first_monday = monday - timedelta(weeks=WEEKS - 1)
    days = _Days(min(first, first_monday), today, zone)

    added: dict[date, int] = {}
    read: dict[date, int] = {}
    unread = 0
    oldest: str | None = None  # the smallest standard stamp among unread papers
    oldest_other: datetime | None = None  # for stamps in any other ISO form
    batch_papers: dict[int, int] = {}
    batch_stars: dict[int, int] = {}
    no_state = PaperState()
    get_state = states.get
    day_of = days.day

    for paper in papers:
        if hidden and paper.key in hidden:
            continue  # of a deleted batch (an import undone): not in the queue, nor its history
        state = get_state(paper.key, no_state)
        stamp = paper.added_at
        day = day_of(stamp)
        if day is not None:
            added[day] = added.get(day, 0) + 1
        if state.read:
            day = day_of(state.read_at)
            if day is not None:
                read[day] = read.get(day, 0) + 1
        if getattr(state, "removed", False):
            continue  # gone from the queue: counted above as history only
        if not state.read:
            unread += 1
            if stamp:
                if _is_standard(stamp):
                    if oldest is None or stamp < oldest:
                        oldest = stamp
                else:
                    moment = parse_stamp(stamp)
                    if moment is not None and (oldest_other is None or moment < oldest_other):
                        oldest_other = moment
        for batch in paper.batches or (paper.batch,):
            batch_papers[batch] = batch_papers.get(batch, 0) + 1
            if state.starred:
                batch_stars[batch] = batch_stars.get(batch, 0) + 1

    candidates = [m for m in (parse_stamp(oldest), oldest_other) if m is not None]
    oldest_unread = None
    if unread and candidates:
        oldest_unread = max(now - min(candidates), timedelta(0))

    day_rows = []
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        day_rows.append((day, added.get(day, 0), read.get(day, 0)))
    week_rows = []
    for week in range(WEEKS):
        start = first_monday + timedelta(weeks=week)
        span = [start + timedelta(days=d) for d in range(7)]
        week_rows.append((start, sum(added.get(d, 0) for d in span), sum(read.get(d, 0) for d in span)))
    stars = [
        (str(batch_names.get(batch) or f"import {batch}"), batch_stars.get(batch, 0), count)
        for batch, count in sorted(batch_papers.items(), reverse=True)
    ]
    return ReadingStats(day_rows, week_rows, unread, oldest_unread, stars)
