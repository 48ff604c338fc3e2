"""Files shipped with paperqueue: the TCSS and the bundled sample page.

In a wheel they live in ``paperqueue/_data`` (hatch force-include); in a
checkout they are the top-level ``styles/`` and ``seeds/`` folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parents[1] / name


def styles_path() -> Path:
    return _data_dir("styles") / "app.tcss"


def sample_path() -> Path:
    return _data_dir("seeds") / "trending-papers.txt"
