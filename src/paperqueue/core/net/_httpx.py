"""``httpx`` without its command-line tool.

``import httpx`` also imports ``httpx._main`` (the ``httpx`` command) when
rich, click and pygments are installed, which they are beside Textual: that
costs 40 ms and brings rich into the core. paperqueue never runs that
command, so the import is made with ``httpx._main`` marked missing; httpx
then defines a stand-in ``main`` that says its CLI is not installed."""

from __future__ import annotations

import sys

if "httpx" in sys.modules:
    import httpx
else:
    _blocked = "httpx._main" not in sys.modules
    if _blocked:
        sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx
    finally:
        if _blocked:
            del sys.modules["httpx._main"]

__all__ = ["httpx"]
