"""Text forms of a paper: what ``y``/``Y`` copy and the CLI prints."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\\[\]])")


def markdown_link(title: str, url: str) -> str:
    """``[Title](url)``, with brackets and backslashes in the title escaped."""
    escaped = _MD_SPECIAL.sub(r"\\\1", title)
    safe_url = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{escaped}]({safe_url})"
