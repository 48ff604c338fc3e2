"""Timestamps: ISO 8601 in UTC, second precision, with a trailing Z."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], str]


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def compact_stamp() -> str:
    """A timestamp that is safe in a file name (for ``.corrupt`` copies)."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
