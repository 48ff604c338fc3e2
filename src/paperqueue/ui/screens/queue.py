"""The main screen: sidebar of views, the paper list, the reader pane,
the search box. It owns the view and sort state and routes the list's
highlight to the reader; the reader pane's loading and keys come from
:class:`QueueReaderScreen` (``queue_reader.py``), the search box from
:class:`QueueSearchScreen` (``queue_search.py``), ``P`` and ``F`` (PDFs,
full texts) from :class:`QueueFullTextScreen` (``queue_fulltext.py``), the triage keys from
:class:`TriageScreen`, :class:`AnnotateScreen` and :class:`RankingScreen`,
the cursor keys from the list widget."""

from __future__ import annotations

from rich.text import Text

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer

from paperqueue.core.queue import QueueView
from paperqueue.core.store import Store
from paperqueue.core.views import (
    FOR_YOU,
    SIMILAR,
    SORT_TITLES,
    SORTS,
    VIEW_TITLES,
    VIEWS,
    batch_view,
    for_you_tag,
    is_for_you,
    newest_first,
    subscription_batches,
    view_batch,
    view_subscription,
    view_tag,
)
from paperqueue.ui.follow import writes
from paperqueue.ui.screens.for_you import ForYouScreen
from paperqueue.ui.screens.queue_fulltext import QueueFullTextScreen
from paperqueue.ui.widgets.paper_list import PaperList
from paperqueue.ui.widgets.reader import Reader
from paperqueue.ui.widgets.search_bar import SearchBar
from paperqueue.ui.widgets.sidebar import Sidebar
from paperqueue.ui.widgets.footer import QueueFooter
from paperqueue.ui.widgets.status import StatusLine

SAVE_POSITION_AFTER = 0.5  # seconds of stillness before the position is saved
READER_AFTER_TYPING = 0.15  # seconds of stillness in the search box before the reader follows


class QueueScreen(QueueFullTextScreen):
    AUTO_FOCUS = "#papers"  # not the (hidden) search box, also before the queue is open
    BINDINGS = [
        # Not a priority binding: keys typed right after "/" (a burst such as
        # "/model" from tmux) reach the box in order through ui/typeahead.py.
        Binding("slash", "search", "Search", tooltip="Search titles, abstracts and the full texts fetched"),
        Binding("escape", "clear_search", "Clear search", show=False, tooltip="Clear the search filter"),
        Binding("S", "cycle_sort", "Sort", show=False, tooltip="Sort: newest added / title / unread first"),
        Binding("J", "scroll_reader(1)", "Reader down", show=False, tooltip="Scroll the reader pane down"),
        Binding("K", "scroll_reader(-1)", "Reader up", show=False, tooltip="Scroll the reader pane up"),
        Binding("1", "view('inbox')", "Inbox", show=False, tooltip="View: Inbox (unread papers)"),
        Binding("2", "view('starred')", "Starred", show=False, tooltip="View: Starred papers"),
        Binding("3", "view('read')", "Read view", show=False, tooltip="View: Read papers"),
        Binding("4", "view('all')", "All", show=False, tooltip="View: All papers"),
        Binding("b", "cycle_batch(1)", "Batch", show=False, tooltip="View the next import batch (newest first)"),
        Binding("B", "cycle_batch(-1)", "Prev batch", show=False, tooltip="View the previous import batch"),
        Binding("i", "import_file", "Import", show=False, tooltip="Import a file (any supported format)"),
        # In the footer from 112 columns (ui/widgets/footer.py WIDER): below, "q Quit" would be cut.
        Binding("R", "fetch", "Fetch", tooltip="Fetch every subscription (new papers from arXiv, Hugging Face, feeds)"),
        Binding("a", "add_papers", "Add", show=False, tooltip="Add papers by arXiv id, DOI or URL"),
        Binding("z,enter", "toggle_reader", "Zoom", show=False, tooltip="Reader full screen (toggle)"),
        Binding("L", "reading_log", "Log", show=False, tooltip="Reading log: added vs read, history"),
        Binding("f", "triage_cards", "Triage", show=False, tooltip="Triage mode: one paper at a time, in this view's order"),
        # While the reader is full screen the list is hidden (and unfocused):
        # these keep moving between papers.
        Binding("j,down", "list_move(1)", "Next", show=False),
        Binding("k,up", "list_move(-1)", "Previous", show=False),
        # The list's own ctrl+d / ctrl+u move half a page; these act when
        # the reader is full screen: they scroll it half a page.
        Binding("ctrl+d", "half_page(1)", "Half page down", show=False),
        Binding("ctrl+u", "half_page(-1)", "Half page up", show=False),
    ]

    # Every key that would change the queue, in one list: while the queue is
    # read-only (another paperqueue has it) each says so and does nothing,
    # before any prompt opens or memory changes (see ui/follow.py).
    action_toggle_star = writes("star")(ForYouScreen.action_toggle_star)
    action_toggle_read = writes("mark read")(ForYouScreen.action_toggle_read)
    action_read_and_next = writes("mark read")(ForYouScreen.action_read_and_next)
    action_remove = writes("remove")(ForYouScreen.action_remove)
    action_mark_all_read = writes("mark all read")(ForYouScreen.action_mark_all_read)
    action_undo = writes("undo")(ForYouScreen.action_undo)
    action_redo = writes("redo")(ForYouScreen.action_redo)
    action_edit_tags = writes("tag")(ForYouScreen.action_edit_tags)
    action_edit_note = writes("edit the note")(ForYouScreen.action_edit_note)
    action_rename_view = writes("rename")(ForYouScreen.action_rename_view)
    action_delete_view = writes("delete")(ForYouScreen.action_delete_view)

    def __init__(self) -> None:
        super().__init__()
        self.store: Store | None = None
        self.queue: QueueView | None = None
        self._list_title = ""  # the list border's title as last set
        self._save_timer: Timer | None = None
        self._activity: dict[str, str] = {}
        self._restore_pending = False
        self._reader_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Horizontal(id="panes"):
            yield Sidebar(id="sidebar")
            with Vertical(id="list-pane"):
                yield SearchBar(id="search")
                yield PaperList(id="papers")
            yield Reader(id="reader", full_text=True)
        yield QueueFooter()

    def on_mount(self) -> None:
        box = self.query_one(SearchBar)
        box.display = False
        box.select_on_focus = False  # "/" again edits the query (as in less, vim, mutt)

    # -- loading -------------------------------------------------------------

    def load(self, store: Store) -> None:
        """Show ``store``'s queue where the person left it (All on first run)."""
        self.store = store
        settings = store.settings
        view = settings.get("view") if _known_view(settings.get("view"), store) else "all"
        sort = settings.get("sort") if settings.get("sort") in SORTS else "newest"
        self.queue = _queue_view(store, view, sort)
        row = self.queue.row_of(settings.get("key") or "")
        self._restore_pending = row is None and bool(settings.get("key"))
        self.paper_list.show(self.queue, row or 0)
        box = self.query_one(SearchBar)
        if box.has_focus and box.value:  # typed before the queue was open
            self.searcher.search(store, box.value)
        else:
            self.set_focus(self.paper_list)
        self.refresh_views()
        if store.complete:
            self.prepare_search(store)
        if is_for_you(view):
            self.call_after_refresh(self.for_you_shown)  # after the first paint
        self.read_pending()
        self.load_reading_progress()  # the list's markers for papers being read
        self.app.queue_opened()  # fetch_on_open (ui/fetching.py)

    def store_complete(self) -> None:
        """The whole index is loaded, or an import changed it: show every row,
        keeping view, sort, filter and the highlighted paper (or the saved
        one, if still unmoved)."""
        store, old = self.store, self.queue
        if store is None or old is None:
            return
        current = self.paper_list.paper
        view = old.view if old.view == SIMILAR or _known_view(old.view, store) else "inbox"
        queue = _queue_view(store, view, old.sort)
        queue.filter = old.filter
        if view == SIMILAR:  # the same ranking, over the papers as they are now
            queue.show_ranked([store.papers[p.key] for p in old.ranked if p.key in store.papers], dict(old.why))
        self.carry_rankings(queue)
        queue.refresh(keep=old.keys() if old.view == queue.view else ())  # greyed rows stay
        self.queue = queue
        key = store.settings.get("key") if self._restore_pending and self.paper_list.cursor == 0 else None
        target = key or (current.key if current else "")
        self.paper_list.show(queue, queue.row_of(target) or 0)
        self.refresh_views()
        self.prepare_search(store)
        self.searcher.rerun()  # a partial answer covered only the papers read so far
        self.for_you_shown()  # new papers to rank (the model says whether it must learn again)
        if store.complete:
            self.run_waiting_steps()

    def set_activity(self, name: str, text: str | None) -> None:
        """Show (or with ``None`` clear) a background activity in the status line."""
        if text is None:
            self._activity.pop(name, None)
        else:
            self._activity[name] = text
        self.refresh_views()

    def refresh_views(self) -> None:
        if self.queue is None or self.store is None:
            if self._activity:
                self.query_one(StatusLine).show_activity("  ·  ".join(self._activity.values()))
            return
        queue = self.queue
        selected = len(self.paper_list.selected)
        hidden = selected - len(self.selected_shown()) if selected else 0
        batches = [(b, self.store.batch_name(b), queue.batch_unread.get(b, 0)) for b in self.store.live_batches()]
        counts = {**queue.counts, FOR_YOU: queue.for_you_count}
        self.query_one(Sidebar).update_views(queue.view, counts, batches, queue.tag_unread,
                                             subscriptions=queue.subscription_counts())
        self.query_one(StatusLine).update_status(
            self.view_title(queue.view),
            self.paper_list.cursor,
            len(queue),
            queue.counts,
            sort=SORT_TITLES[queue.sort],
            query=self.searcher.query if queue.filter is not None else "",
            partial=self.searcher.partial,
            selected=selected,
            hidden=hidden,
            activity="  ·  ".join(self._activity.values()),
            unsaved=self.app.writer.unsaved if self.app.writer is not None else 0,
            read_only=self.store.read_only,
        )
        title = self._list_border_title(queue)
        if title != self._list_title:  # setting it repaints the whole bordered list
            self._list_title = title
            self.paper_list.border_title = Text(title)

    def _list_border_title(self, queue: QueueView) -> str:
        """The list's border title; a batch's name cut in the middle to fit,
        keeping its import date (as the sidebar does), not cut at the end."""
        count = f" ({len(queue):,})"
        batch = view_batch(queue.view)
        if batch is None or self.store is None:
            return f"{self.view_title(queue.view)}{count}"
        from paperqueue.ui.widgets.sidebar_rows import batch_label

        names = [self.store.batch_name(b) for b in self.store.live_batches() if b != batch]
        room = self.paper_list.size.width - len("Batch: ") - len(count) - 6  # corners, dashes, spaces
        return f"Batch: {batch_label(self.store.batch_name(batch), max(room, 12), names)}{count}"

    def on_resize(self) -> None:
        if self.queue is not None:
            self.refresh_views()

    def view_title(self, view: str) -> str:
        if view == SIMILAR:
            return f"Similar: {self._similar_label}"
        if is_for_you(view):
            return self.for_you_title(view)
        tag = view_tag(view)
        if tag is not None:
            return f"#{tag}"
        sub = view_subscription(view)
        if sub is not None:
            return f"Subscription: {sub}"
        batch = view_batch(view)
        if batch is None:
            return VIEW_TITLES[view]
        return f"Batch: {self.store.batch_name(batch)}" if self.store else "Batch"

    # -- the list's highlight: to the reader, and saved -------------------------

    @on(PaperList.Highlighted)
    def _highlighted(self, event: PaperList.Highlighted) -> None:
        if isinstance(self.focused, SearchBar):
            # While typing a search the top result changes on every key: draw
            # the reader once typing pauses, so keystrokes stay quick.
            if self._reader_timer is not None:
                self._reader_timer.stop()
            self._reader_timer = self.set_timer(READER_AFTER_TYPING, lambda: self.show_in_reader(self.paper_list.paper))
        else:
            self.show_in_reader(event.paper)
        self.refresh_views()
        self._save_position_soon()

    # -- views, sort ------------------------------------------------------------

    @on(PaperList.SelectionChanged)
    def _selection_changed(self) -> None:
        self.refresh_views()

    @on(Sidebar.ViewChosen)
    def _view_chosen(self, event: Sidebar.ViewChosen) -> None:
        self.action_view(event.view)

    def _reshow(self, change, follow: str | None = None) -> None:
        """Apply ``change`` to the queue, keeping the highlighted paper if it
        stays (or moving to ``follow``, when given and shown)."""
        if self.queue is None:
            return
        current = self.paper_list.paper
        change(self.queue)
        row = self.queue.row_of(follow) if follow else None
        if row is None:
            row = self.queue.row_of(current.key) if current else None
        self.paper_list.show(self.queue, row or 0)
        self.refresh_views()

    def action_view(self, view: str) -> None:
        self._reshow(lambda queue: queue.set_view(view))
        self.for_you_shown(entering=True)

    def reshow(self, follow: str | None = None) -> None:
        """Show the rows again after papers were removed or restored: the
        other rows stay, greyed ones too; the cursor stays on its paper,
        or goes to ``follow``."""
        self._reshow(lambda queue: queue.refresh(keep=queue.keys()), follow)

    def action_reading_log(self) -> None:
        self.app.show_reading_log()

    def action_triage_cards(self) -> None:
        from paperqueue.ui.screens.cards import open_cards

        open_cards(self)

    def action_cycle_batch(self, step: int) -> None:
        if self.queue is None or self.store is None or not self.store.live_batches():
            self.notify("No import batches yet", timeout=2)
            return
        batches = self.store.live_batches()
        current = view_batch(self.queue.view)
        if current in batches:
            index = (batches.index(current) + step) % len(batches)
        else:
            index = 0 if step > 0 else len(batches) - 1
        self.action_view(batch_view(batches[index]))

    @writes("import")
    def action_import_file(self) -> None:
        if self.store is not None:
            self.app.prompt_import()

    @writes("fetch")
    def action_fetch(self) -> None:
        if self.store is not None:
            self.app.start_fetch()

    @writes("add")
    def action_add_papers(self) -> None:
        if self.store is not None:
            self.app.prompt_add()

    def action_cycle_sort(self) -> None:
        if self.queue is None or self.store is None:
            return
        sort = SORTS[(SORTS.index(self.queue.sort) + 1) % len(SORTS)]
        self._reshow(lambda queue: queue.set_sort(sort))
        self.notify(f"Sorted by {SORT_TITLES[sort]}", timeout=2)
        if not self.store.read_only:
            self.store.set_settings(sort=sort)
            self.app.flush_store()

    # -- position ------------------------------------------------------------

    def _save_position_soon(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_POSITION_AFTER, self.save_position)

    def save_position(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        if self.store is None or self.queue is None or self.store.read_only:
            return
        paper = self.paper_list.paper
        self.store.set_settings(view=self.queue.view, key=paper.key if paper else None)
        self.app.flush_store()


def _known_view(view: object, store: Store) -> bool:
    if not isinstance(view, str):
        return False
    if view_tag(view) is not None or view == "foryou" or for_you_tag(view):
        return True
    sub = view_subscription(view)
    if sub is not None:
        return sub in subscription_batches(store.batch_info, store.deleted_batches)
    batch = view_batch(view)
    return view in VIEWS if batch is None else batch in store.batch_info and batch not in store.deleted_batches


def _queue_view(store: Store, view: str, sort: str) -> QueueView:
    """The queue's rows for ``view``: every paper read so far but those of
    deleted batches (removed papers are the view's own business)."""
    return QueueView(newest_first(list(store.papers.values())), store.states, view, sort, store.count,
                     hidden=store.hidden_keys(), by_key=store.papers,
                     subscriptions=subscription_batches(store.batch_info, store.deleted_batches))
