"""Text forms of a paper: what ``y``/``Y`` copy and the CLI prints."""

from __future__ import annotations

import re

# ASCII punctuation that can start Markdown syntax inside a line: raw HTML,
# autolinks and entities (< > &), link and image brackets ([ ] ( ) !),
# code spans, emphasis and strikethrough (` * _ ~), and the escape itself.
# A backslash before any ASCII punctuation is a CommonMark escape, so each
# shows as itself.
_MD_SPECIAL = re.compile(r"([\\`*_~\[\]()<>&!])")
# In a link destination: what would end it or open markup (percent-encoded).
_URL_UNSAFE = re.compile(r"[\s()<>\\`\x00-\x1f\x7f]")


def markdown_escape(text: str) -> str:
    """*text* as Markdown that a CommonMark renderer shows literally (one
    line: callers split notes into lines themselves)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def markdown_link(title: str, url: str) -> str:
    """``[Title](url)``: the title escaped (:func:`markdown_escape`), the
    URL percent-encoded where it could end the link or open markup."""
    safe_url = _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url)
    return f"[{markdown_escape(title)}]({safe_url})"


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
