"""A hybrid logical clock: the stamp every synced change carries.

A :class:`Stamp` is (physical milliseconds, counter, device id), ordered in
that order. :meth:`HLC.now` never goes back, even when the wall clock does,
and :meth:`HLC.observe` moves the clock past every stamp the device has
read from another device, so a change made after seeing another device's
change orders after it whatever the two wall clocks say (the counter
carries the order while the wall clock lags behind).

A stamp's text form (:meth:`Stamp.text`) is fixed-width up to the device id,
``1717200000123-00002a-laptop-3f9a``, so sorting the texts sorts the stamps.
Device ids are lower-case letters, digits and ``-`` (at most 63, not
starting with ``-``): they are folder names under ``sync/``, safe on
case-insensitive file systems.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

DEVICE = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_TEXT = re.compile(r"([0-9]{13})-([0-9a-f]{6})-([a-z0-9][a-z0-9-]{0,62})")
MAX_COUNTER = 0xFFFFFF


def valid_device(device: object) -> bool:
    return isinstance(device, str) and DEVICE.fullmatch(device) is not None


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, order=True, slots=True)
class Stamp:
    ms: int  # physical time, milliseconds since 1970 (UTC)
    counter: int
    device: str

    def text(self) -> str:
        return f"{self.ms:013d}-{self.counter:06x}-{self.device}"

    def __str__(self) -> str:
        return self.text()

    def at(self) -> str:
        """Its physical time as the rest of paperqueue writes times (ISO 8601 UTC)."""
        return datetime.fromtimestamp(self.ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @classmethod
    def parse(cls, text: object) -> Stamp:
        stamp = parse_stamp(text)
        if stamp is None:
            raise ValueError(f"not a sync stamp: {text!r}")
        return stamp


def parse_stamp(text: object) -> Stamp | None:
    """The stamp ``text`` writes, or ``None`` when it is not one."""
    if not isinstance(text, str):
        return None
    match = _TEXT.fullmatch(text)
    if match is None:
        return None
    return Stamp(int(match[1]), int(match[2], 16), match[3])


class HLC:
    """This device's clock. ``last`` (the highest stamp made or seen) comes
    from the sync files when the store opens, so the clock never restarts
    below what it already handed out."""

    def __init__(self, device: str, wall: Callable[[], int] = wall_ms, last: Stamp | None = None) -> None:
        if not valid_device(device):
            raise ValueError(f"not a device id (lower-case letters, digits and '-'): {device!r}")
        self.device = device
        self._wall = wall
        self.last = last
        self._lock = threading.Lock()

    def now(self) -> Stamp:
        """A stamp above every stamp made or seen so far."""
        with self._lock:
            physical = self._wall()
            last = self.last
            if last is None or physical > last.ms:
                stamp = Stamp(physical, 0, self.device)
            elif last.counter < MAX_COUNTER:
                stamp = Stamp(last.ms, last.counter + 1, self.device)
            else:
                stamp = Stamp(last.ms + 1, 0, self.device)  # runs a millisecond ahead of time
            self.last = stamp
            return stamp

    def observe(self, stamp: Stamp) -> None:
        """Another device's stamp was read: the next :meth:`now` orders after it."""
        with self._lock:
            last = self.last
            if last is None or (stamp.ms, stamp.counter) > (last.ms, last.counter):
                self.last = Stamp(stamp.ms, stamp.counter, self.device)
