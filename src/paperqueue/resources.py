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
    """The main stylesheet (layout); :func:`style_paths` gives them all."""
    return _data_dir("styles") / "app.tcss"


def style_paths() -> list[Path]:
    """Every stylesheet, the main one first: one file per part of the UI."""
    main = styles_path()
    return [main, *sorted(p for p in main.parent.glob("*.tcss") if p != main)]


def sample_path() -> Path:
    return _data_dir("seeds") / "trending-papers.txt"
