"""``paperqueue list --for-you``: the unread papers ranked by what the person stars."""

from __future__ import annotations

import argparse
import json
import sys

from paperqueue.commands import EXIT_OK, EXIT_STORE, error, open_for_reading


def cmd_for_you(args: argparse.Namespace) -> int:
    from paperqueue.core.ranking import train

    store = open_for_reading()
    if store is None:
        return EXIT_STORE
    try:
        model = train(store)
        if model.needs:
            stars = "starred paper" if model.needs == 1 else "starred papers"
            until = "the closest to your stars" if model.kind == "similar" else "newest first"
            error(f"For you needs {model.needs} more {stars} to learn from; until then: {until}")
        ranked = model.rank(store, args.limit)
        sys.stdout.write(render(store, ranked, args.format))
    finally:
        store.close()
    return EXIT_OK


def render(store, ranked, fmt: str) -> str:
    from paperqueue.core.formats import markdown_link

    if fmt == "json":
        from paperqueue.core.export import paper_json

        rows = [
            paper_json(store, s.paper, store.details(s.paper.key), store.state(s.paper.key)) | {"score": round(s.score, 4)}
            for s in ranked
        ]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    lines = []
    for s in ranked:
        percent = f"{round(s.score * 100)}%"
        if fmt == "md":
            lines.append(f"- [ ] {markdown_link(s.paper.display_title, s.paper.primary_link)} {percent}")
        else:
            lines.append(f"{percent:>4}  {s.paper.arxiv_id or '-':<12}  {s.paper.display_title}")
    return "".join(line + "\n" for line in lines)
