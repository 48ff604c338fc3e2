"""Triage mode (``f``): the current view's papers one at a time, the whole
abstract in sight, one key per decision.

The cards are the view's rows when ``f`` was pressed, in the view's order
(whatever ranks them), from the highlighted paper on; rows greyed because
they no longer match the view are skipped. Every change goes through the
queue screen's :meth:`~paperqueue.ui.screens.triage.TriageScreen.change_states`,
so it is the same undoable action as in the list (one history, one writer,
the list and counts updated underneath). ``s`` toggles the star as in the
list: it stars and moves on, or, on a starred card, unstars and stays.
``u`` here undoes the last change made here and goes back to its card;
``ctrl+r`` redoes it and moves on as the key that made it did (``s``,
``space``/``r``, ``x`` to the next card; an unstar, ``t`` and ``e`` stay).

After the last card a summary says what changed (counted against the states
the cards had when triage began, so undone changes do not count) and ``y``
copies the starred ones as Markdown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from paperqueue.core.formats import copy_text
from paperqueue.core.models import Paper, PaperDetails, PaperState
from paperqueue.ui.follow import writes
from paperqueue.ui.screens.cards_text import elapsed_label, summary_text
from paperqueue.ui.widgets.reader import Reader

if TYPE_CHECKING:
    from paperqueue.ui.app import PaperQueueApp
    from paperqueue.ui.screens.queue import QueueScreen


@dataclass
class Step:
    """A change made here: the card it was made on, the history action that
    holds it (``u`` undoes it only while it is still the last one, ``ctrl+r``
    redoes it only while it is the next to redo) and whether its key moved on."""

    card: int
    action: object
    moves: bool = False


class CardsScreen(Screen[None]):
    """One paper at a time; dismissed with the key of the last card shown."""

    BINDINGS = [
        Binding("question_mark", "app.help", "Help", show=False),
        Binding("s", "star_next", "Star"),
        Binding("space,r", "read_next", "Read"),
        Binding("x", "remove_next", "Remove"),
        Binding("t", "tag", "Tag"),
        Binding("e", "note", "Note"),
        Binding("u", "undo", "Undo"),
        Binding("ctrl+r", "redo", "Redo"),
        Binding("o", "open", "Open"),
        Binding("y", "copy", "Copy"),
        Binding("j,down", "move(1)", "Skip", show=False),
        Binding("k,up", "move(-1)", "Back", show=False),
        Binding("J,pagedown", "scroll_reader(1)", "Reader down", show=False),
        Binding("K,pageup", "scroll_reader(-1)", "Reader up", show=False),
        Binding("escape", "leave", "Leave"),
        # Still quits, but out of the footer: with ^r Redo in it, every key
        # here fills 80 columns (escape is this screen's way out; ? lists q).
        Binding("q", "app.quit", "Quit", show=False),
    ]

    app: PaperQueueApp
    clock = staticmethod(time.monotonic)  # elapsed time in the progress line

    def __init__(self, queue_screen: QueueScreen, cards: list[Paper], start: int, title: str) -> None:
        super().__init__()
        self.queue_screen = queue_screen
        self.cards = cards
        self.index = start  # len(cards): the summary
        self.view_title = title
        # The state each card had when first shown: what the summary counts
        # against (only cards shown can change here; a view of 100,000 papers
        # costs nothing more than the cards seen).
        self.before: dict[str, PaperState] = {}
        self.steps: list[Step] = []
        self.undone: list[Step] = []  # undone here, newest last: what ctrl+r redoes
        self.started = self.clock()
        self._timer = None

    def compose(self) -> ComposeResult:
        yield Static(id="cards-progress")
        with Vertical(id="cards-body"):  # centres the card on a wide terminal
            yield Reader(id="cards-reader")
            yield Static(id="cards-summary")
        # Compact and without the palette key: every key here fits 80 columns.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.show_card()
        self._timer = self.set_interval(30, self._show_progress)

    # -- what is shown -----------------------------------------------------------

    @property
    def store(self):
        return self.queue_screen.store

    @property
    def paper(self) -> Paper | None:
        return self.cards[self.index] if 0 <= self.index < len(self.cards) else None

    def counts(self) -> dict[str, int]:
        """What changed here, counted against the states when triage began."""
        store = self.store
        counts = {"starred": 0, "read": 0, "removed": 0}
        if store is None:
            return counts
        for key, old in self.before.items():
            new = store.state(key)
            counts["starred"] += new.starred and not old.starred and not new.removed
            counts["read"] += new.read and not old.read and not new.removed
            counts["removed"] += new.removed and not old.removed
        return counts

    def starred_here(self) -> list[Paper]:
        store = self.store
        if store is None:
            return []
        return [p for p in self.cards if p.key in self.before
                and (s := store.state(p.key)).starred and not s.removed and not self.before[p.key].starred]

    def _show_progress(self) -> None:
        counts = self.counts()
        at = min(self.index + 1, len(self.cards))
        where = "done" if self.paper is None else f"{at:,} of {len(self.cards):,}"
        parts = [f"Triage: {self.view_title}", where, f"{counts['starred']:,} starred",
                 elapsed_label(self.clock() - self.started)]
        self.query_one("#cards-progress", Static).update(Text(" · ".join(parts)))

    def show_card(self) -> None:
        reader = self.query_one(Reader)
        summary = self.query_one("#cards-summary", Static)
        paper = self.paper
        store = self.store
        self._show_progress()
        if paper is None or store is None:
            reader.display = False
            summary.display = True
            summary.update(self._summary())
            return
        summary.display = False
        reader.display = True
        self.before.setdefault(paper.key, store.state(paper.key))
        details = store.cached_details(paper.key)
        reader.show(paper, store.state(paper.key), details)
        if details is None:
            self._load_details(paper)

    def _summary(self) -> Text:
        return summary_text(self.view_title, len(self.before), len(self.cards), self.clock() - self.started,
                            self.counts(), len(self.starred_here()), can_undo=bool(self.steps),
                            can_redo=bool(self.undone))

    @work(thread=True, exclusive=True, group="card-details", exit_on_error=False)
    def _load_details(self, paper: Paper) -> None:
        store = self.store
        if store is None:
            return
        details = store.details(paper.key)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._details_loaded, paper, details)

    def _details_loaded(self, paper: Paper, details: PaperDetails) -> None:
        if self.paper is paper and self.store is not None:
            self.query_one(Reader).show(paper, self.store.state(paper.key), details)

    def go(self, index: int) -> None:
        self.index = max(0, min(index, len(self.cards)))
        self.show_card()

    # -- changing state ------------------------------------------------------------

    def _change(self, label: str, state: PaperState, *, reshow: bool = False, moves: bool = False) -> bool:
        """Make one change to the shown paper through the queue screen (one
        undoable action); whether it was made (or there was nothing to do)."""
        paper = self.paper
        writer = self.app.writer
        if paper is None or writer is None:
            return False
        stack = writer.history.undo_stack
        last = stack[-1] if stack else None
        if not self.queue_screen.change_states(label, {paper.key: state}, reshow=reshow):
            return False
        if stack and stack[-1] is not last:
            self.steps.append(Step(self.index, stack[-1], moves))
            self.undone.clear()  # a new change: nothing left to redo (as in the history)
        return True

    @writes("star")
    def action_star_next(self) -> None:
        """Star and move on; on a starred card, unstar and stay (the list's toggle)."""
        if (paper := self.paper) is None or self.store is None:
            return
        state = self.store.state(paper.key)
        if state.starred:
            if self._change("Unstarred 1 paper", state.with_star(False, self.store.clock())):
                self.show_card()
            return
        if self._change("Starred 1 paper", state.with_star(True, self.store.clock()), moves=True):
            self.go(self.index + 1)

    @writes("mark read")
    def action_read_next(self) -> None:
        if (paper := self.paper) is None or self.store is None:
            return
        if self._change("Marked 1 paper read", self.store.state(paper.key).with_read(True, self.store.clock()), moves=True):
            self.go(self.index + 1)

    @writes("remove")
    def action_remove_next(self) -> None:
        if (paper := self.paper) is None or self.store is None:
            return
        if self._change("Removed 1 paper", replace(self.store.state(paper.key), removed=True), reshow=True, moves=True):
            self.go(self.index + 1)

    @writes("tag")
    def action_tag(self) -> None:
        paper, store, queue = self.paper, self.store, self.queue_screen.queue
        if paper is None or store is None or queue is None:
            return
        from paperqueue.ui.screens.tag_prompt import TagPrompt

        current = store.state(paper.key).tags

        def done(tags: tuple[str, ...] | None) -> None:
            if tags is None or self.paper is not paper:
                return
            # As in the list: tags compare in any case ("ML" on "ml" is no change).
            wanted = {t.casefold() for t in tags}
            state = store.state(paper.key)
            kept = tuple(t for t in state.tags if t.casefold() in wanted)
            have = {t.casefold() for t in kept}
            new = replace(state, tags=kept + tuple(t for t in tags if t.casefold() not in have))
            self._change("Tagged 1 paper: " + " ".join(f"#{t}" for t in tags), new)
            self.show_card()

        self.app.push_screen(TagPrompt(current, list(queue.tag_unread), 1), done)

    @writes("edit the note")
    def action_note(self) -> None:
        paper, store = self.paper, self.store
        if paper is None or store is None:
            return
        from paperqueue.ui.screens.note_editor import NoteEditor

        def done(note: str | None) -> None:
            if note is not None and self.paper is paper:
                self._change("Edited the note on 1 paper", replace(store.state(paper.key), note=note))
                self.show_card()

        self.app.push_screen(NoteEditor(paper.display_title, store.state(paper.key).note), done)

    @writes("undo")
    def action_undo(self) -> None:
        writer = self.app.writer
        if not self.steps or writer is None:
            self.notify("Nothing to undo in this triage (escape, then u, undoes earlier changes)", timeout=3)
            return
        step = self.steps[-1]
        stack = writer.history.undo_stack
        if not stack or stack[-1] is not step.action:
            self.notify("Cannot undo here: another change came after this triage's last one (escape, then u)",
                        severity="warning", timeout=4)
            return
        self.queue_screen.action_undo()
        if stack and stack[-1] is step.action:
            return  # not undone (the queue screen said why)
        self.undone.append(self.steps.pop())
        self.go(step.card)

    @writes("redo")
    def action_redo(self) -> None:
        writer = self.app.writer
        if not self.undone or writer is None:
            self.notify("Nothing to redo in this triage", timeout=3)
            return
        step = self.undone[-1]
        stack = writer.history.redo_stack
        if not stack or stack[-1] is not step.action:
            self.notify("Cannot redo here: the change to redo is not this triage's (escape, then ctrl+r)",
                        severity="warning", timeout=4)
            return
        self.queue_screen.action_redo()
        if stack and stack[-1] is step.action:
            return  # not redone (the queue screen said why)
        self.steps.append(self.undone.pop())
        self.go(step.card + 1 if step.moves else step.card)

    # -- moving, reading, links ------------------------------------------------------

    def action_move(self, step: int) -> None:
        self.go(self.index + step)

    def action_scroll_reader(self, direction: int) -> None:
        self.query_one(Reader).page(direction)

    def action_open(self) -> None:
        if (paper := self.paper) is not None:
            self.app.open_link(paper.primary_link)

    def action_copy(self) -> None:
        paper = self.paper
        if paper is not None:
            self.app.copy_text(paper.primary_link, "link")
            return
        starred = self.starred_here()
        if not starred:
            self.notify("Nothing was starred in this triage: nothing copied", timeout=3)
            return
        label = "Markdown link" if len(starred) == 1 else f"Markdown links of {len(starred)} starred papers"
        self.app.copy_text(copy_text("markdown", starred), label)

    def action_leave(self) -> None:
        self.dismiss(None)

    def last_shown(self) -> Paper | None:
        """The card the list's cursor goes to on leaving (the last card after the summary)."""
        if not self.cards:
            return None
        return self.cards[min(self.index, len(self.cards) - 1)]


def open_cards(screen: QueueScreen) -> None:
    """``f`` on the queue screen: triage the view's rows from the highlighted one."""
    queue, store = screen.queue, screen.store
    if queue is None or store is None:
        return
    rows = queue.rows
    current = screen.paper_list.paper
    cards: list[Paper] = []
    start = 0
    for row, paper in enumerate(rows):
        if current is not None and paper.key == current.key:
            start = len(cards)
        if not queue.is_stale(row):
            cards.append(paper)
    if not cards:
        screen.notify(f"Nothing to triage in {screen.view_title(queue.view)}", timeout=3, markup=False)
        return
    cards_screen = CardsScreen(screen, cards, min(start, len(cards) - 1), screen.view_title(queue.view))

    def left(_result: None) -> None:
        _back_to_list(screen, cards_screen)

    screen.app.push_screen(cards_screen, left)


def _back_to_list(screen: QueueScreen, cards: CardsScreen) -> None:
    """The list's cursor on the last card shown, or, when that one left the
    view (removed), on the next card still in it, else the one before."""
    queue = screen.queue
    last = cards.last_shown()
    if queue is None or last is None:
        return
    at = cards.cards.index(last)
    for paper in (*cards.cards[at:], *reversed(cards.cards[:at])):
        row = queue.row_of(paper.key)
        if row is not None:
            screen.paper_list.move_to(row)
            return
