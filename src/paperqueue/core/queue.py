"""The rows of a view of the queue (which papers a view shows is
:mod:`.views`): in which order, with which search filter; counts; moving between unread papers. Plain Python,
shared by the app and the CLI, and cheap at 100,000 papers: rows are one
list comprehension, counts come from the (small) state map.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Callable, Collection, Mapping, Sequence

from paperqueue.core.models import Paper, PaperState
from paperqueue.core.views import (NO_STATE, SIMILAR, SORTS, VIEWS, is_for_you, liked, matches, ranked_count,
                                   view_batch, view_subscription, view_tag)

_KEY = operator.attrgetter("key")
# A view that only papers with a state belong to is worked out from those
# papers while they are at most 1/FEW_SHARE of the queue (else a pass over
# every paper is cheaper than sorting them).
FEW_SHARE = 16


class QueueView:
    """The rows of one view, sorted and filtered, over a shared ``states`` map.

    ``papers`` must be in newest-first order. A paper that stops matching
    the view (read in Inbox, unstarred in Starred) keeps its row until the
    rows are computed again (view, sort or filter change), so the cursor
    never jumps; :meth:`is_stale` tells the list to mark it.
    """

    def __init__(
        self,
        papers: Sequence[Paper],
        states: Mapping[str, PaperState],
        view: str = "all",
        sort: str = "newest",
        total: int | None = None,
        hidden: Collection[str] = frozenset(),
        subscriptions: Mapping[str, Collection[int]] | None = None,
        by_key: Mapping[str, Paper] | None = None,
    ) -> None:
        # ``hidden``: keys of papers of deleted batches (``store.hidden_keys()``),
        # left out of every row and count, like removed papers. ``by_key``:
        # the store's key -> paper map, where a paper's id is looked up (else
        # a map is made from ``papers`` the first time one is needed: 28 ms
        # at 100,000, at the first keystroke of a search).
        self._by_key = by_key
        self.hidden = frozenset(hidden)
        self.papers = [p for p in papers if p.key not in self.hidden] if self.hidden else list(papers)
        # With ``total`` larger than ``papers``, this is the first screen of a
        # queue still loading: counts use the total, the list waits for the rest.
        self.total = max((total or 0) - len(self.hidden), len(self.papers))
        self.states = states
        self.view = view
        self.sort = sort if sort in SORTS else "newest"
        self.filter: set[int] | None = None
        self.rows: list[Paper] = []
        self.counts: dict[str, int] = {}
        self.for_you_count = 0
        self._sorted: dict[str, list[Paper]] = {"newest": self.papers}
        self._row_keys: list[str] | None = None
        self._order_places: tuple[list[Paper], dict[str, int]] | None = None
        self._key_ids: dict[str, int] | None = None
        self._batch_unread: dict[int, int] | None = None
        self.tag_unread: dict[str, int] = {}
        # Subscription name -> its live batches (``subscription_batches``).
        self.subscriptions = {name: frozenset(b) for name, b in (subscriptions or {}).items()}
        self._sub_of: dict[int, tuple[str, ...]] = {}
        for name, batches in self.subscriptions.items():
            for batch in batches:
                self._sub_of[batch] = (*self._sub_of.get(batch, ()), name)
        self._sub_counts: dict[str, list[int]] | None = None
        self.rows_version = 0  # bumped whenever the rows are computed again
        self.ranked: list[Paper] = []  # the Similar view's rows
        self.why: dict[str, str] = {}  # key -> the words that made it similar
        # For-you view -> (its papers best first, key -> score 0-1; empty when
        # the order is no score's, newest first). A view without one yet shows
        # its unread papers newest first.
        self.rankings: dict[str, tuple[list[Paper], dict[str, float]]] = {}
        self.set_view(view)

    # -- what is shown -------------------------------------------------------

    def set_view(self, view: str) -> None:
        if view not in VIEWS and view != SIMILAR and view_batch(view) is None and view_tag(view) is None \
                and view_subscription(view) is None and not is_for_you(view):
            raise ValueError(f"unknown view: {view}")
        self.view = view
        self.refresh()

    def show_ranked(self, papers: list[Paper], why: dict[str, str]) -> None:
        """Enter the Similar view with these papers, in this order."""
        self.ranked = papers
        self.why = why
        self.set_view(SIMILAR)

    def set_ranking(self, view: str, papers: list[Paper], scores: dict[str, float]) -> None:
        """The rows of For-you ``view``, best first; recomputed now if it is shown."""
        self.rankings[view] = (papers, scores)
        if self.view == view:
            self.refresh()

    @property
    def scores(self) -> dict[str, float]:
        """Key -> score of the For-you view shown (empty in any other view)."""
        ranking = self.rankings.get(self.view)
        return ranking[1] if ranking is not None else {}

    def set_sort(self, sort: str) -> None:
        if sort not in SORTS:
            raise ValueError(f"unknown sort: {sort}")
        self.sort = sort
        self._sorted.pop("unread", None)  # depends on state: recompute on entry
        self.refresh()

    def set_filter(self, ids: set[int] | None) -> None:
        """Show only papers with these ids (``None``: no filter)."""
        self.filter = ids
        self.refresh()

    def _ordered(self) -> list[Paper]:
        ordered = self._sorted.get(self.sort)
        if ordered is None:
            if self.sort == "title":
                ordered = sorted(self.papers, key=lambda p: p.title.casefold())
            else:  # unread first, newest first within each group
                states = self.states
                ordered = sorted(self.papers, key=lambda p: states.get(p.key, NO_STATE).read)
            self._sorted[self.sort] = ordered
        return ordered

    def refresh(self, keep: Collection[str] = ()) -> None:
        """Recompute rows and counts. Stale rows are dropped, except those of
        the papers in ``keep`` (the rows shown before an undo, a removal or
        an import: they keep their places, greyed, so nothing vanishes
        under the cursor)."""
        view = self.view
        by_state = view not in ("all", SIMILAR) and not view.startswith(("batch:", "sub:"))
        odd = _odd_keys(view, self.states, keep) if by_state else None
        few = self._few_rows(odd) if odd is not None and not is_for_you(view) else None
        self.rows = few if few is not None else self._rows_by_pass(odd)
        self._row_keys = None
        self.rows_version += 1
        self.recount()

    def _rows_by_pass(self, odd: tuple[bool, set[str]] | None) -> list[Paper]:
        """The rows, by a pass over every paper in the view's order (``odd``:
        :func:`_odd_keys`, for the views that go by state)."""
        ordered = self._ordered()
        ids = self.filter
        states = self.states
        view = self.view
        if ids is not None:
            ordered = [p for p in ordered if p.id in ids]
        removed = {key for key, state in states.items() if state.removed}
        if removed:
            ordered = [p for p in ordered if p.key not in removed]
        batch = view_batch(view)
        if view == SIMILAR:
            hidden = self.hidden
            return [p for p in self.ranked if p.key not in removed and p.key not in hidden and (ids is None or p.id in ids)]
        if is_for_you(view):
            ranking = self.rankings.get(view)
            if ranking is not None:
                hidden = self.hidden
                ordered = [p for p in ranking[0] if p.key not in removed and p.key not in hidden and (ids is None or p.id in ids)]
            return _belonging(ordered, odd)
        if batch is not None:
            return [p for p in ordered if p.in_batch(batch)]
        if view.startswith("sub:"):
            batches = self.subscriptions.get(view[4:], frozenset())
            return [p for p in ordered if not batches.isdisjoint(p.batches or (p.batch,))] if batches else []
        if view == "all":
            return ordered if ids is not None or removed or self.sort != "newest" else self.papers
        return _belonging(ordered, odd)

    def recount(self) -> None:
        """Counts per view, within the search filter; O(papers with state)."""
        ids = self.filter
        total = self.total if ids is None else len(ids)
        starred = read = liked_unread = 0
        tags: dict[str, int] = {}
        hidden = self.hidden
        for key, state in self.states.items():
            if not (state.starred or state.read or state.removed or state.tags or state.note):
                continue
            if hidden and key in hidden:
                continue  # not in the queue (its batch was deleted), not in ``total``
            if ids is not None and self._id_of(key) not in ids:
                continue
            if state.removed:
                total -= 1
                continue
            starred += state.starred
            read += state.read
            liked_unread += not state.read and liked(state)
            for tag in state.tags:
                tags[tag] = tags.get(tag, 0) + (not state.read)
        self.counts = {"inbox": total - read, "starred": starred, "read": read, "all": total}
        self.for_you_count = total - read - liked_unread  # unread papers For you ranks
        self.tag_unread = dict(sorted(tags.items()))

    @property
    def batch_unread(self) -> dict[int, int]:
        """Unread papers per import batch, counted once and then kept up to
        date. Unlike the view counts these do not follow a search filter:
        that would cost a pass over every paper on every keystroke."""
        if self._batch_unread is None:
            states = self.states
            counts: dict[int, int] = {}
            for paper in self.papers:
                state = states.get(paper.key, NO_STATE)
                if not (state.read or state.removed):
                    for batch in paper.batches or (paper.batch,):
                        counts[batch] = counts.get(batch, 0) + 1
            self._batch_unread = counts
        return self._batch_unread

    def _subs_of(self, paper: Paper) -> set[str]:
        sub_of = self._sub_of
        return {name for batch in (paper.batches or (paper.batch,)) for name in sub_of.get(batch, ())}

    def subscription_counts(self) -> dict[str, tuple[int, int]]:
        """Per subscription: (unread, total) of its papers (each paper once,
        removed ones left out), counted once and then kept up to date; like
        the batch counts, they do not follow a search filter."""
        if not self.subscriptions:
            return {}
        if self._sub_counts is None:
            counts = {name: [0, 0] for name in self.subscriptions}
            states = self.states
            sub_of = self._sub_of
            for paper in self.papers:
                batches = paper.batches or (paper.batch,)
                if not any(b in sub_of for b in batches):
                    continue
                state = states.get(paper.key, NO_STATE)
                if state.removed:
                    continue
                for name in self._subs_of(paper):
                    counts[name][1] += 1
                    counts[name][0] += not state.read
            self._sub_counts = counts
        return {name: (unread, total) for name, (unread, total) in self._sub_counts.items()}

    def _id_of(self, key: str) -> int | None:
        if self._by_key is not None:
            paper = self._by_key.get(key)
            return paper.id if paper is not None and key not in self.hidden else None
        if self._key_ids is None:
            self._key_ids = {p.key: p.id for p in self.papers}
        return self._key_ids.get(key)

    def states_changed(self, changes: list[tuple[PaperState, PaperState, Paper | None]]) -> None:
        """Keep the counts right after papers' states changed (old, new, paper):
        one pass for a whole bulk action, not one per paper."""
        if any(old.removed != new.removed or old.tags != new.tags for old, new, _paper in changes):
            self._batch_unread = None
            self._sub_counts = None
            self.recount()  # removals and tags: count again, once
            return
        for old, new, paper in changes:
            self.state_changed(old, new, paper)

    def state_changed(self, old: PaperState, new: PaperState, paper: Paper | None = None) -> None:
        """Keep the counts right after one paper's state changed."""
        if old.removed != new.removed or old.tags != new.tags:
            self.states_changed([(old, new, paper)])
            return
        for tag in new.tags:
            if old.read != new.read:
                self.tag_unread[tag] = self.tag_unread.get(tag, 0) + (1 if old.read else -1)
        self.counts["starred"] += int(new.starred) - int(old.starred)
        self.counts["read"] += int(new.read) - int(old.read)
        self.counts["inbox"] = self.counts["all"] - self.counts["read"]
        self.for_you_count += ranked_count(new) - ranked_count(old)
        if paper is not None and old.read != new.read and self._batch_unread is not None:
            delta = -1 if new.read else 1
            for batch in paper.batches or (paper.batch,):
                self._batch_unread[batch] = self._batch_unread.get(batch, 0) + delta
        if paper is not None and old.read != new.read and self._sub_counts is not None:
            for name in self._subs_of(paper):
                self._sub_counts[name][0] += -1 if new.read else 1
        elif paper is None and old.read != new.read:
            self._sub_counts = None

    @property
    def partial(self) -> bool:
        return self.total > len(self.papers)

    # -- rows ----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.rows)

    def state(self, paper: Paper) -> PaperState:
        return self.states.get(paper.key, NO_STATE)

    def is_stale(self, row: int) -> bool:
        return not matches(self.view, self.state(self.rows[row]))

    def keys(self) -> set[str]:
        """The keys of the papers that have a row."""
        return set(map(_KEY, self.rows))

    def row_of(self, key: str) -> int | None:
        """The row showing ``key``. The rows of most views keep the sorted
        order's sequence (a filter only leaves papers out), so the row is
        found by bisection over each paper's place in that order (a map
        made once per order): microseconds, where a scan of 100,000 rows
        took 4-8 ms at every search keystroke. The answer is checked, and
        rows in another order (Similar, For you) are scanned."""
        rows = self.rows
        ranked = self.view == SIMILAR or self.view in self.rankings
        places = self._places() if not ranked else {}
        place = places.get(key)
        if place is not None:
            row = bisect.bisect_left(rows, place, key=lambda p: places.get(p.key, -1))
            if row < len(rows) and rows[row].key == key:
                return row
        keys = self._row_keys
        if keys is None:
            keys = self._row_keys = list(map(_KEY, self.rows))
        try:
            return keys.index(key)
        except ValueError:
            return None

    def _few_rows(self, odd: tuple[bool, set[str]]) -> list[Paper] | None:
        """The rows of a view that only papers with a state belong to
        (Starred, Read, a tag), found from those papers (``odd``) and put in
        the sorted order by their places: no pass over 100,000 papers. None
        for other views, and when those papers are many (a pass is cheaper)."""
        default, keys = odd
        ordered = self._ordered()
        if default or len(keys) * FEW_SHARE > len(ordered):
            return None
        states, places, ids = self.states, self._places(), self.filter
        found = []
        for key in keys:
            place = places.get(key)
            if place is None or states.get(key, NO_STATE).removed:
                continue  # not among this view's papers (hidden, not read yet), or removed
            paper = ordered[place]
            if ids is None or paper.id in ids:
                found.append(place)
        found.sort()
        return [ordered[place] for place in found]

    def _places(self) -> dict[str, int]:
        """Key -> its place in the sorted order shown now (made once per order)."""
        ordered = self._ordered()
        if self._order_places is None or self._order_places[0] is not ordered:
            self._order_places = (ordered, {p.key: place for place, p in enumerate(ordered)})
        return self._order_places[1]

    def shown(self, keys: Collection[str]) -> list[Paper]:
        """The papers among ``keys`` that have a row, in row order."""
        if not keys:
            return []
        return [p for p in self.rows if p.key in keys]

    def find(self, start: int, step: int, wanted: Callable[[PaperState], bool]) -> int | None:
        """The first row after ``start`` (in direction ``step``) whose state is wanted."""
        row = start + step
        states = self.states
        rows = self.rows
        while 0 <= row < len(rows):
            if wanted(states.get(rows[row].key, NO_STATE)):
                return row
            row += step
        return None

    def next_unread(self, start: int, step: int = 1) -> int | None:
        return self.find(start, step, lambda state: not state.read)


def _odd_keys(view: str, states: Mapping[str, PaperState], keep: Collection[str]) -> tuple[bool, set[str]]:
    """Whether a paper with no state belongs in ``view``, and the keys that
    do otherwise (and those in ``keep``, whose rows stay). Only papers with
    a state can differ from one without (a paper without one is unread,
    unstarred, untagged): :func:`matches` runs once for each of those, not
    for each of 100,000 papers."""
    default = matches(view, NO_STATE)
    odd = {key for key, state in states.items() if matches(view, state) != default}
    if keep:
        kept = set(keep)
        odd = odd - kept if default else odd | kept
    return default, odd


def _belonging(ordered: list[Paper], odd: tuple[bool, set[str]] | None) -> list[Paper]:
    """The papers of ``ordered`` that the view shows, in order: ``[p for p in
    ordered if matches(view, state of p) or p.key in keep]``, one set
    lookup a paper (``odd``: :func:`_odd_keys`)."""
    assert odd is not None
    default, keys = odd
    if default:  # most papers belong: leave out the odd ones
        return [p for p in ordered if p.key not in keys] if keys else ordered
    return [p for p in ordered if p.key in keys]
