"""More like this (``m``, ``M``): rank the queue by TF-IDF similarity to
the highlighted paper or to every starred one, shown as a temporary Similar
view. A base class of the queue screen; the index is loaded, or built in a
worker with progress in the status line, on first use and cached."""

from __future__ import annotations

from textual import work
from textual.binding import Binding
from textual.worker import get_current_worker

from paperqueue.core.views import SIMILAR
from paperqueue.ui.screens.organize import OrganizeScreen


LABEL_TITLE = 40  # cells of a title quoted in the Similar view's label


def short_title(title: str, width: int = LABEL_TITLE) -> str:
    """``title`` cut at a word to at most ``width`` characters, with an
    ellipsis when it was cut (one long word is cut inside, having no other place)."""
    title = " ".join(title.split())
    if len(title) <= width:
        return title
    cut = title[: width - 1]
    if title[width - 1] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.:;-–—") + "…"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


class RankingScreen(OrganizeScreen):
    BINDINGS = [
        Binding("m", "more_like_this", "Similar", show=False, tooltip="More like this: papers similar to the highlighted one"),
        Binding("M", "more_like_starred", "Like starred", show=False, tooltip="Papers similar to all starred papers"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._before_similar = "all"  # the view escape returns to from Similar
        self._before_similar_key: str | None = None  # and the paper it was opened from
        self._similar_label = ""
        self._asked = 0  # bumped by every m / M: only the newest answer may show

    def _origin(self) -> tuple[int, str, str | None]:
        self._asked += 1
        paper = self.paper_list.paper
        return self._asked, self.queue.view if self.queue else "", paper.key if paper else None

    def action_more_like_this(self) -> None:
        if (paper := self.paper_list.paper) is not None:
            self._rank([paper.id], f"like “{short_title(paper.display_title)}”", True, self._origin())

    def action_more_like_starred(self) -> None:
        if self.store is None:
            return
        starred = [self.store.papers[k].id for k, s in self.store.states.items() if s.starred and not s.removed and k in self.store.papers]
        if not starred:
            self.notify("Star some papers first: M ranks the queue by similarity to them", timeout=3)
            return
        self._rank(starred, f"like your {plural(len(starred), 'starred paper')}", False, self._origin())

    @work(thread=True, exclusive=True, group="similar", exit_on_error=False)
    def _rank(self, seeds: list[int], label: str, one: bool, origin: tuple[int, str, str | None]) -> None:
        """Rank the queue by similarity to one paper or to several; the
        seeds themselves are never results."""
        from paperqueue.core.similar import open_index

        store = self.store
        if store is None:
            return
        index = self.app.similarity
        if index is None or index.generation != store.generation:
            total = max(1, store.count)
            report = lambda done: self.app.call_from_thread(  # noqa: E731
                self.set_activity, "similar", f"building the similarity index {min(done, total) / total:.0%}"
            )
            try:
                index = open_index(store, report)
            finally:
                self.app.call_from_thread(self.set_activity, "similar", None)
            self.app.similarity = index
        hidden = [store.papers[key].id for key in store.hidden_keys()]  # papers of deleted batches
        matches = index.similar_to(seeds[0], 201, hidden) if one else index.similar_to_many(seeds, 200, hidden)
        matches = [m for m in matches if m.paper_id not in seeds]  # similar_to lists the paper itself first
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_ranked, matches, label, origin, one)

    def _show_ranked(self, matches, label: str, origin: tuple[int, str, str | None], one: bool) -> None:
        if self.store is None or self.queue is None:
            return
        asked, view, key = origin
        current = self.paper_list.paper
        if asked != self._asked:
            return  # a newer m / M is on its way
        if self.queue.view != view or (one and (current is None or current.key != key)):
            # The person moved on while the ranking was made: never pull them back.
            self.notify(f"Similar papers ready ({label}): press {'m' if one else 'M'} to see them", timeout=4, markup=False)
            return
        by_id = {p.id: p for p in self.store.papers.values()}
        papers = [by_id[m.paper_id] for m in matches if m.paper_id in by_id]
        if not papers:
            # An empty Similar view would look like a failure: stay, and say why.
            whose = "its" if one else "their"
            self.notify(f"Nothing is similar to {label.removeprefix('like ')}: no other paper shares {whose} words",
                        timeout=4, markup=False)
            return
        why = {by_id[m.paper_id].key: " ".join(m.words) for m in matches if m.paper_id in by_id}
        if not self.queue.view == SIMILAR:
            self._before_similar, self._before_similar_key = view, key
        self._similar_label = label
        self._reshow(lambda queue: queue.show_ranked(papers, why))
        self.paper_list.move_to(0, force=True)

    def leave_similar(self) -> None:
        """Back to the view and the paper the Similar view was opened from."""
        self.action_view(self._before_similar)
        row = self.queue.row_of(self._before_similar_key) if self.queue and self._before_similar_key else None
        if row is not None:
            self.paper_list.move_to(row)
