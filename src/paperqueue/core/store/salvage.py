"""What is left when a store file had to be set aside (issue 9 items 4, 5).

* A **state** shard is rebuilt from the action log (``history.jsonl``): the
  log holds every change to stars, read marks, tags and notes as
  ``[key, before, after]`` records, so replaying it (with its undos and
  redos) gives each paper's last state. Papers the log does not know (it
  is compacted to the last 1,000 actions) start with nothing, and the
  warning counts them.
* An **abstracts** or **index** shard cannot be rebuilt: the warning says
  how many papers it held and which imports brought them, whose names name
  the files to import again (an import fills what a known paper lacks, and
  brings back a paper the index lost).

:func:`log_states` is a pure function over the log's lines: it tolerates
torn lines, lines of the wrong shape and undo records naming nothing.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

import orjson


def _changes(raw: object) -> list[tuple[str, dict, dict]]:
    changes = []
    for change in raw if isinstance(raw, list) else ():
        if (
            isinstance(change, list) and len(change) == 3 and isinstance(change[0], str)
            and isinstance(change[1], dict) and isinstance(change[2], dict)
        ):
            changes.append((change[0], change[1], change[2]))
    return changes


def log_states(lines: Iterable[bytes]) -> dict[str, dict]:
    """Each key's last effective state record after replaying the log's
    ``do``, ``took``, ``undo`` and ``redo`` records in order (an undo applies
    when it names the newest undoable action, as History replays it, setting
    what its own ``changes`` say when it carries them: a field-by-field undo
    after a sync; a ``took`` sets its states and is never undone)."""
    undo: list[tuple[object, list]] = []
    redo: list[tuple[object, list]] = []
    last: dict[str, dict] = {}

    def apply(changes: list, after: bool) -> None:
        for key, before, later in changes:
            last[key] = later if after else before

    for line in lines:
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(record, dict):
            continue
        kind = record.get("kind")
        if kind == "do":
            changes = _changes(record.get("changes"))
            undo.append((record.get("seq"), changes))
            redo.clear()
            apply(changes, after=True)
        elif kind == "took":
            apply(_changes(record.get("changes")), after=True)
        elif kind in ("undo", "redo"):
            source, target = (undo, redo) if kind == "undo" else (redo, undo)
            wanted = record.get("target")
            if source and wanted is not None and source[-1][0] == wanted:
                action = source.pop()
                target.append(action)
                if "changes" in record:
                    apply(_changes(record.get("changes")), after=True)
                else:
                    apply(action[1], after=kind == "redo")
    return last


def batch_of(batch_info: dict[int, dict], doc_id: int) -> int | None:
    """The import that added paper ``doc_id`` (its new papers' ids start at
    the batch's ``start`` and run up to the next batch's)."""
    starts = sorted((info["start"], batch) for batch, info in batch_info.items()
                    if isinstance(info.get("start"), int))
    at = bisect.bisect_right(starts, (doc_id, float("inf"))) - 1
    return starts[at][1] if at >= 0 else None


def names(batches: Iterable[str], most: int = 5) -> str:
    """``'a.bib', 'b.txt' and 3 more``."""
    ordered = sorted(dict.fromkeys(batches))
    shown = ", ".join(f"'{name}'" for name in ordered[:most])
    return shown + (f" and {len(ordered) - most} more" if len(ordered) > most else "")
