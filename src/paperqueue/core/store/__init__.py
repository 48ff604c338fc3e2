"""The store of record (TinyDB files in the data folder)."""

from paperqueue.core.store.store import ReadOnlyStoreError, Store

__all__ = ["ReadOnlyStoreError", "Store"]
