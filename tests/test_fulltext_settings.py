"""The cache cap setting (``fulltext_cache_mb`` in settings.json)."""

from paperqueue.core.fulltext.cache import DEFAULT_CAP
from paperqueue.core.fulltext.settings import cache_cap


def test_the_cap_is_the_setting_in_megabytes_else_two_gigabytes():
    assert cache_cap({"fulltext_cache_mb": 500}) == 500 * 1024 * 1024
    assert DEFAULT_CAP == 2 * 1024**3
    for bad in ({}, {"fulltext_cache_mb": 0}, {"fulltext_cache_mb": "500"}, {"fulltext_cache_mb": 2.5},
                {"fulltext_cache_mb": True}, {"fulltext_cache_mb": -3}):
        assert cache_cap(bad) == DEFAULT_CAP, bad
