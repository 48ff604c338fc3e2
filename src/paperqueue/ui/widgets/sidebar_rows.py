"""What each sidebar row says: its name fitted to the room (long tag and
batch names cut in the middle, keeping a batch's import date and the part
that tells it from its nearest neighbour), its count (``3/12``: 3 unread
of 12; ``79``: 79, all unread), and the totals behind the counts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich.cells import cell_len

DATED = re.compile(r"^(.*?)\s*\b(\d{4})-(\d{2}-\d{2})$")  # "<source> 2026-03-12", as imports name batches
_DATE_IN = re.compile(r"\d{4}-\d{2}-\d{2}|\d{8}")
_WORD = re.compile(r"[^\W_]")  # letters and digits: "cs.LG_recent" keeps "LG"


def count_text(unread: int, total: int) -> str:
    """A row's count: ``unread/total``, or one number when all are unread."""
    return f"{unread:,}" if unread == total else f"{unread:,}/{total:,}"


# -- names cut in the middle, keeping what tells them apart --------------------


def span_apart(name: str, others: list[str]) -> tuple[int, int]:
    """The part of ``name`` that differs from the most alike of ``others``
    (widened to whole words and dates), as a (start, end) character range;
    (0, 0) when another name is the same."""
    best = (-1, 0, len(name))
    if not others:
        return 0, 0
    for other in others:
        if other == name:
            return 0, 0
        limit = min(len(name), len(other))
        p = 0
        while p < limit and name[p] == other[p]:
            p += 1
        q = 0
        while q < limit - p and name[-1 - q] == other[-1 - q]:
            q += 1
        if p + q > best[0]:
            best = (p + q, p, len(name) - q)
    _, start, end = best
    if start >= end:  # ``name`` is the other with something removed: keep around the gap
        start, end = max(0, start - 1), min(len(name), start + 1)
    for match in _DATE_IN.finditer(name):
        if match.start() < end and start < match.end():
            start, end = min(start, match.start()), max(end, match.end())
    while start > 0 and _WORD.match(name[start - 1]) and _WORD.match(name[start]):
        start -= 1
    while end < len(name) and _WORD.match(name[end]) and _WORD.match(name[end - 1]):
        end += 1
    return start, end


def _head(text: str, cells: int) -> str:
    """The longest start of ``text`` that fits in ``cells``."""
    out = ""
    for char in text:
        if cell_len(out + char) > cells:
            break
        out += char
    return out


def _tail(text: str, cells: int) -> str:
    """The longest end of ``text`` that fits in ``cells``."""
    out = ""
    for char in reversed(text):
        if cell_len(char + out) > cells:
            break
        out = char + out
    return out


def _cut(text: str, cells: int) -> str:
    """``text`` in ``cells`` cells, its middle (a little more of the start)
    replaced by ``…`` when it does not fit."""
    if cell_len(text) <= cells:
        return text
    if cells <= 1:
        return "…"[:cells]
    head = _head(text, cells // 2)
    return head + "…" + _tail(text, cells - 1 - cell_len(head))


def cut_middle(name: str, cells: int, keep: tuple[int, int] = (0, 0)) -> str:
    """``name`` in at most ``cells`` cells: whole if it fits, else with
    ``…`` where parts are left out, keeping the characters ``keep`` (a
    range) whole when there is room for them and cutting what is around."""
    if cell_len(name) <= cells:
        return name
    start, end = keep
    kept = name[start:end]
    if not kept or cell_len(kept) + 2 > cells:
        return _cut(name, cells)
    before, after = name[:start], name[end:]
    room = cells - cell_len(kept)
    fits_before = not before or cell_len(after) + 1 <= room  # one cut, in what comes before
    fits_after = not after or cell_len(before) + 1 <= room  # one cut, in what comes after
    if fits_before and (not fits_after or cell_len(before) >= cell_len(after)):
        return _cut(before, room - cell_len(after)) + kept + after
    if fits_after:
        return before + kept + _cut(after, room - cell_len(before))
    # Both sides are long: the start of the name, the kept part and the end.
    left = (room - 2 + 1) // 2 if room >= 6 else room - 2  # a cell or two: all to the start
    return _head(before, left) + "…" + kept + "…" + _tail(after, room - 2 - left)


def batch_label(name: str, cells: int, others: list[str], year: bool = True) -> str:
    """A batch's name in ``cells`` cells. Its import date (at the end of
    names made by imports) is never cut: without its year when ``year`` is
    false; the source before it is cut in the middle keeping what differs
    from the other batches' names (``others``)."""
    match = DATED.match(name)
    if match is None:
        return cut_middle(name, cells, span_apart(name, others))
    source, y, day = match.groups()
    date = f"{y}-{day}" if year else day
    if cell_len(date) >= cells:
        return _tail(date, cells)
    if not source:
        return date
    room = cells - cell_len(date) - 1
    if room < 2:
        return date
    # The date tells it from batches of other days: the source need only
    # tell it from those of the same day.
    same_day = [m.group(1) for o in others if (m := DATED.match(o)) and m.group(2, 3) == (y, day)]
    return f"{cut_middle(source, room, span_apart(source, same_day))} {date}"


# -- the totals behind each row's count -----------------------------------------


@dataclass
class Totals:
    """What the rows need beyond the queue's unread counts: starred papers
    still unread, papers per tag and per batch (removed ones left out), for
    the papers the search filter shows (batches: all of their papers, like
    their unread counts). Counted from the state map, and from the whole
    paper list once per list (an import or a load makes a new one)."""

    starred_unread: int = 0
    tags: dict[str, int] = field(default_factory=dict)
    batches: dict[int, int] = field(default_factory=dict)
    _papers: object = None  # the paper list the per-batch base was counted from
    _base: dict[int, int] = field(default_factory=dict)

    def count(self, queue, papers_by_key) -> None:
        if queue.papers is not self._papers:
            base: dict[int, int] = {}
            for paper in queue.papers:
                for batch in paper.batches or (paper.batch,):
                    base[batch] = base.get(batch, 0) + 1
            self._papers, self._base = queue.papers, base
        ids = queue.filter
        starred_unread = 0
        tags: dict[str, int] = {}
        batches = dict(self._base)
        hidden = getattr(queue, "hidden", ())  # papers of deleted batches: in no row
        for key, state in queue.states.items():
            if not (state.starred or state.removed or state.tags) or (hidden and key in hidden):
                continue
            if state.removed:
                paper = papers_by_key.get(key)
                if paper is not None:
                    for batch in paper.batches or (paper.batch,):
                        if batch in batches:
                            batches[batch] -= 1
                continue
            if ids is not None:
                paper = papers_by_key.get(key)
                if paper is None or paper.id not in ids:
                    continue
            if state.starred and not state.read:
                starred_unread += 1
            for tag in state.tags:
                tags[tag] = tags.get(tag, 0) + 1
        self.starred_unread, self.tags, self.batches = starred_unread, tags, batches
