"""Text forms of a paper: what ``y``/``Y`` copy and the CLI prints."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\\[\]])")


def markdown_link(title: str, url: str) -> str:
    """``[Title](url)``, with brackets and backslashes in the title escaped."""
    escaped = _MD_SPECIAL.sub(r"\\\1", title)
    safe_url = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{escaped}]({safe_url})"


def copy_text(form: str, papers: list, bibtex: str = "") -> str:
    """The text the copy menu puts on the clipboard for ``papers``.

    ``form`` is one of link, id, markdown, bibtex, title, links; for several
    papers, one line (or entry) each, and Markdown becomes a list.
    """
    if form == "link":
        return "\n".join(p.primary_link for p in papers)
    if form == "id":
        return "\n".join(p.arxiv_id for p in papers if p.arxiv_id)  # only real ids
    if form == "markdown":
        links = [markdown_link(p.display_title, p.primary_link) for p in papers]
        return links[0] if len(links) == 1 else "\n".join(f"- {link}" for link in links)
    if form == "bibtex":
        return bibtex
    if form == "title":
        return "\n".join(p.display_title for p in papers)
    if form == "links":
        return "\n".join(link for p in papers for link in p.all_links)
    raise ValueError(f"unknown copy form: {form}")
