"""The queue as text for the CLI: a table for people, JSON and Markdown for tools."""

from __future__ import annotations

from paperqueue.core.formats import markdown_link
from paperqueue.core.views import select
from paperqueue.core.store import Store


def render_list(store: Store, view: str, fmt: str, limit: int | None = None) -> str:
    """``view``'s papers, newest import first (only the first ``limit``)."""
    papers = select(store.ordered_papers(), store.states, view)[:limit]
    if fmt == "json":
        from paperqueue.core.export import rows, to_json

        return to_json(store, rows(store, view, limit=limit))
    lines = []
    for paper in papers:
        state = store.state(paper.key)
        if fmt == "md":
            mark = "x" if state.read else " "
            star = " ★" if state.starred else ""
            lines.append(f"- [{mark}] {markdown_link(paper.display_title, paper.primary_link)}{star}")
        else:
            star = "★" if state.starred else " "
            read = "✓" if state.read else "●"  # as the app draws them
            lines.append(f"{star} {read}  {paper.arxiv_id or '-':<12}  {paper.display_title}")
    return "".join(line + "\n" for line in lines)
