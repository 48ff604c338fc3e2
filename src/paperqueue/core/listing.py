"""The queue as text for the CLI: a table for people, JSON and Markdown for tools."""

from __future__ import annotations

import json

from paperqueue.core.formats import markdown_link
from paperqueue.core.models import Paper, PaperDetails, PaperState
from paperqueue.core.queue import select
from paperqueue.core.store import Store


def paper_json(paper: Paper, details: PaperDetails, state: PaperState) -> dict:
    return {
        "key": paper.key,
        "arxiv_id": paper.arxiv_id,
        "title": paper.title,
        "abstract": details.abstract,
        "links": paper.all_links,
        "primary_link": paper.primary_link,
        "starred": state.starred,
        "read": state.read,
        "added_at": paper.added_at or None,
        "starred_at": state.starred_at,
        "read_at": state.read_at,
    }


def render_list(store: Store, view: str, fmt: str) -> str:
    papers = select(store.ordered_papers(), store.states, view)
    if fmt == "json":
        details = {paper.key: found for paper, found in store.iter_details()}
        rows = [paper_json(p, details[p.key], store.state(p.key)) for p in papers]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    lines = []
    for paper in papers:
        state = store.state(paper.key)
        if fmt == "md":
            mark = "x" if state.read else " "
            star = " ★" if state.starred else ""
            lines.append(f"- [{mark}] {markdown_link(paper.title, paper.primary_link)}{star}")
        else:
            star = "★" if state.starred else " "
            read = "✓" if state.read else "·"
            lines.append(f"{star} {read}  {paper.arxiv_id or '-':<12}  {paper.title}")
    return "".join(line + "\n" for line in lines)
