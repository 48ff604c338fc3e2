"""For you (``5``): unread papers ranked by a model learned from what the
person stars, tags and notes (:mod:`paperqueue.core.ranking`), or, from a
tag view, from that tag's papers. A base class of the queue screen.

Training and ranking run in a thread worker (scikit-learn is imported
there, never before the view is asked for) with progress in the status
line, sharing the app's "more like this" index. The model is trained again
when :func:`~paperqueue.core.ranking.needs_training` says so: on entering
the view, after an import or a fetch, and after labels change while the
view is shown (once they stop changing for :data:`RETRAIN_AFTER` seconds).
A ranking that arrives after the person went to another view is kept for
the next visit, never forced on screen; one that arrives in the view keeps
the cursor on its paper.

Labels that change while a training runs start another (the worker group is
exclusive: the first is cancelled). The superseded one stops as early as
:func:`~paperqueue.core.ranking.train` lets it: while it rebuilds the
similarity index its progress callback raises :class:`_Superseded`, unless
the newer training waits for that very index (same store, same generation:
the work is shared, not wasted); after the fit it skips the ranking. The
fit itself cannot be stopped from here. A superseded result is never
applied: only the worker started for the labels the view wants now may.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.timer import Timer
from textual.worker import get_current_worker

from paperqueue.core.models import Paper, PaperState
from paperqueue.core.views import for_you_tag, for_you_view, is_for_you, view_tag
from paperqueue.ui.screens.ranking import RankingScreen, plural

if TYPE_CHECKING:
    from paperqueue.core.ranking import Model

RETRAIN_AFTER = 2.0  # seconds after the last label change before the shown view is ranked again
WHY_WORDS = 3  # words on the reader's "for you because" line
ACTIVITY = "for-you"


class _Superseded(Exception):
    """Raised from :func:`~paperqueue.core.ranking.train`'s progress callback
    to stop a training a newer one replaced."""


class ForYouScreen(RankingScreen):
    BINDINGS = [
        Binding("5", "for_you", "For you", show=False,
                tooltip="View: For you (unread papers ranked by what you star; from a tag view, by that tag)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._models: dict[str, Model] = {}  # For-you view -> its newest model
        self._ranked_keys: dict[str, tuple[list[str], dict[str, float]]] = {}  # view -> its ranking, by key
        self._training: dict[str, Any] = {}  # view -> the labels a worker is training on now
        self._retrain_timer: Timer | None = None
        self._entered: tuple[str, str | None] | None = None  # a view entered without a ranking, and its paper then
        self._train_lock = threading.Lock()  # one training at a time: two cores, shared

    # -- the key -------------------------------------------------------------------

    def action_for_you(self) -> None:
        """For you; from a tag view, For you for that tag; from For you for
        a tag, For you over every label."""
        if self.queue is None:
            return
        view = self.queue.view
        tag = view_tag(view)
        self.action_view(for_you_view(tag))

    # -- what the view says ----------------------------------------------------------

    def for_you_title(self, view: str) -> str:
        tag = for_you_tag(view)
        name = "For you" if tag is None else f"For you: #{tag}"
        model = self._models.get(view)
        if model is None:
            return f"{name} (ranking…)"
        if not model.needs:
            return name
        if tag is None:
            wanted = f"star {plural(model.needs, 'more paper' if model.positives else 'paper')}"
            until = "closest to your stars"
        else:
            wanted = f"tag {plural(model.needs, 'more paper' if model.positives else 'paper')} #{tag}"
            until = f"closest to #{tag}"
        if model.kind != "similar":
            until = "newest first"
        return f"{name}: {wanted} to learn from; until then, {until}"

    def for_you_why(self, paper: Paper) -> str:
        """The words that pushed ``paper`` up in the For-you view shown ("" elsewhere)."""
        if self.queue is None or not is_for_you(self.queue.view):
            return ""
        model = self._models.get(self.queue.view)
        if model is None or model.kind != "learned":
            return ""
        return ", ".join(model.why(paper, WHY_WORDS))

    # -- when to rank ------------------------------------------------------------------

    def for_you_shown(self, entering: bool = False) -> None:
        """The shown view is For you (``entering`` it, or the queue changed):
        rank it if it has no ranking yet or its model is out of date. Its
        first ranking starts at the best paper if the person entered and has
        not moved since (a restart keeps the remembered paper)."""
        if self.queue is not None and is_for_you(self.queue.view):
            view = self.queue.view
            if entering and view not in self.queue.rankings:
                paper = self.paper_list.paper
                self._entered = (view, paper.key if paper else None)
            self._rank_for_you(view)

    def carry_rankings(self, queue) -> None:  # noqa: ANN001 - a QueueView
        """Give a new queue (an import, the whole index loaded) the rankings
        made so far, with its own paper objects."""
        if self.store is None:
            return
        papers = self.store.papers
        for view, (keys, scores) in self._ranked_keys.items():
            queue.rankings[view] = ([papers[k] for k in keys if k in papers], scores)

    def set_states(self, states: dict[str, PaperState], *, reshow: bool = False, follow: str | None = None) -> None:
        super().set_states(states, reshow=reshow, follow=follow)
        if self.queue is not None and is_for_you(self.queue.view):
            # Not per keystroke: once the labels stop changing for a moment.
            if self._retrain_timer is not None:
                self._retrain_timer.stop()
            self._retrain_timer = self.set_timer(RETRAIN_AFTER, self._retrain_due)

    def _retrain_due(self) -> None:
        self._retrain_timer = None
        self.for_you_shown()

    def _rank_for_you(self, view: str) -> None:
        store = self.store
        if store is None or not store.complete:
            return  # store_complete calls again with every paper
        from paperqueue.core.ranking import Model, labels, needs_training

        model = self._models.get(view)
        if model is not None and not needs_training(model, store):
            return
        tag = for_you_tag(view)
        positive, negative = labels(dict(store.states), tag)
        wanted = Model("pending", 0, store.generation, None if tag is None else model_tag(tag), positive, negative)
        under_way = self._training.get(view)
        if under_way is not None and not needs_training(under_way, store):
            return  # a worker is training on these very labels
        self._training[view] = wanted
        self.run_worker(partial(self._train, view, tag, store, wanted), thread=True, exclusive=True,
                        group=f"for-you {view}", exit_on_error=False)

    # -- the worker ---------------------------------------------------------------------

    def _train(self, view: str, tag: str | None, store, wanted: Model) -> None:  # noqa: ANN001
        from paperqueue.core.ranking import train

        worker = get_current_worker()
        call = self.app.call_from_thread
        total = max(1, store.count)
        name = "For you" if tag is None else f"For you: #{tag}"
        generation = store.generation

        def report(done: int) -> None:
            if worker.is_cancelled and not self._index_wanted(store, generation, wanted):
                raise _Superseded
            call(self.set_activity, ACTIVITY, f"{min(done, total) * 80 // total}% {name}: reading the papers")

        with self._train_lock:
            if worker.is_cancelled:
                return
            try:
                call(self.set_activity, ACTIVITY, f"0% {name}: learning from your labels")
                model = train(store, report, tag=tag, index=self.app.similarity)
                if model.index is not None:
                    self.app.similarity = model.index  # m and M use it too
                if worker.is_cancelled:
                    return  # superseded: its ranking would never be shown
                call(self.set_activity, ACTIVITY, f"90% {name}: ranking the unread papers")
                scored = model.rank(store)
            except _Superseded:
                return
            finally:
                call(self.set_activity, ACTIVITY, None)
        if not worker.is_cancelled:
            call(self._ranked, view, wanted, model, scored)

    def _index_wanted(self, store, generation: int, wanted: Model) -> bool:  # noqa: ANN001
        """Whether a newer training waits for the index a superseded one is
        building (same store and generation): then it is finished, not wasted."""
        newer = any(w is not wanted for w in self._training.values())
        return newer and self.store is store and store.generation == generation

    def _ranked(self, view: str, wanted: Model, model: Model, scored: list) -> None:
        if self._training.get(view) is not wanted:
            return  # superseded after its worker last looked: a newer training is under way
        self._training.pop(view, None)
        if self.store is None or self.queue is None:
            return
        papers = [s.paper for s in scored]
        scores = {s.paper.key: s.score for s in scored} if model.kind != "recency" else {}
        self._models[view] = model
        self._ranked_keys[view] = ([p.key for p in papers], scores)
        queue = self.queue
        if queue.view != view:
            queue.set_ranking(view, papers, scores)  # kept for the next visit
            return
        # The cursor stays on its paper; a paper that left the ranking (read,
        # starred) hands it to the next one that stayed; a first ranking
        # nobody moved in yet starts at the best paper.
        plist = self.paper_list
        current = plist.paper
        follow = None
        entered, self._entered = self._entered, None
        if entered == (view, current.key if current else None) and papers:
            follow = papers[0].key
        elif current is not None:
            new = {p.key for p in papers}
            follow = next((p.key for p in queue.rows[plist.cursor:] if p.key in new), None)
        self._reshow(lambda q: q.set_ranking(view, papers, scores), follow)
        if needs_training(model, self.store):
            self._rank_for_you(view)  # labels changed while it trained


def model_tag(tag: str) -> str:
    return tag.lstrip("#").casefold()


def needs_training(model: Model, store) -> bool:  # noqa: ANN001
    from paperqueue.core.ranking import needs_training as needs

    return needs(model, store)
