"""The full-text cache's size cap as the person sets it: ``fulltext_cache_mb``
in the store's ``settings.json`` (megabytes; absent, not a whole number, or
below 1: the default, 2 GB)."""

from __future__ import annotations

from paperqueue.core.fulltext.cache import DEFAULT_CAP

CAP_SETTING = "fulltext_cache_mb"


def cache_cap(settings: dict) -> int:
    """The cap in bytes that ``settings`` (the store's) asks for."""
    value = settings.get(CAP_SETTING)
    if type(value) is int and value >= 1:
        return value * 1024 * 1024
    return DEFAULT_CAP


__all__ = ["CAP_SETTING", "cache_cap"]
