"""What each view of the queue lists, in which order, and the counts beside
it, as the paper list and the sidebar show them (QueueView is their model)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperqueue.core.models import Paper, PaperState
from paperqueue.core import queue as queue_module
from paperqueue.core.queue import QueueView
from paperqueue.core.views import SIMILAR, batch_view, matches, newest_first, select, tag_view, view_batch, view_tag

READ, STAR, GONE = PaperState(read=True), PaperState(starred=True), PaperState(removed=True)


def papers() -> list[Paper]:
    """Two imports: batch 2 (newest, three papers) then batch 1 (two papers);
    the first paper of batch 1 appeared again in batch 2."""
    raw = [
        Paper(key="a", title="beta networks", seq=0, batch=2, id=10, batches=(2,)),
        Paper(key="b", title="Alpha models", seq=1, batch=2, id=11, batches=(2,)),
        Paper(key="c", title="delta rules", seq=2, batch=2, id=12, batches=(2,)),
        Paper(key="d", title="Gamma rays", seq=0, batch=1, id=13, batches=(1, 2)),
        Paper(key="e", title="epsilon", seq=1, batch=1, id=14, batches=(1,)),
    ]
    return newest_first(list(reversed(raw)))


def rows(view: QueueView) -> list[str]:
    return [p.key for p in view.rows]


def test_newest_first_is_newest_import_then_page_order() -> None:
    assert [p.key for p in papers()] == ["a", "b", "c", "d", "e"]


def test_each_view_lists_the_papers_in_that_state() -> None:
    states = {"a": READ, "b": PaperState(starred=True, read=True), "c": STAR, "e": GONE}
    view = QueueView(papers(), states, "inbox")
    assert rows(view) == ["c", "d"]
    view.set_view("starred")
    assert rows(view) == ["b", "c"]
    view.set_view("read")
    assert rows(view) == ["a", "b"]
    view.set_view("all")
    assert rows(view) == ["a", "b", "c", "d"], "a removed paper is in no view"
    assert view.counts == {"inbox": 2, "starred": 2, "read": 2, "all": 4}


def test_batch_views_hold_every_paper_of_that_import_whatever_its_state() -> None:
    states = {"a": READ, "d": STAR, "c": GONE}
    view = QueueView(papers(), states, batch_view(2))
    assert rows(view) == ["a", "b", "d"], "d came again in import 2; c is removed"
    view.set_view(batch_view(1))
    assert rows(view) == ["d", "e"]
    assert view.batch_unread == {2: 2, 1: 2}
    assert not view.is_stale(0)
    view.set_view(batch_view(3))
    assert rows(view) == []


def test_tag_views_and_unread_counts_per_tag() -> None:
    states = {
        "a": PaperState(tags=("ml", "to-cite")),
        "b": PaperState(tags=("ml",), read=True),
        "c": PaperState(tags=("ml",), removed=True),
        "d": PaperState(tags=("physics",)),
    }
    view = QueueView(papers(), states, tag_view("ml"))
    assert rows(view) == ["a", "b"]
    assert view.tag_unread == {"ml": 1, "physics": 1, "to-cite": 1}
    assert list(view.tag_unread) == ["ml", "physics", "to-cite"], "tags in name order"
    view.set_view(tag_view("to-cite"))
    assert rows(view) == ["a"]
    view.set_view(tag_view("none"))
    assert rows(view) == []


def test_view_names_round_trip() -> None:
    assert view_batch(batch_view(12)) == 12 and view_batch("inbox") is None and view_batch("tag:x") is None
    assert view_tag(tag_view("batch:1")) == "batch:1" and view_tag("batch:3") is None and view_tag("all") is None
    for bad in ("archive", "Inbox", ""):
        with pytest.raises(ValueError, match=f"^unknown view: {bad}$"):
            QueueView(papers(), {}, bad)
        with pytest.raises(ValueError, match=f"^unknown view: {bad}$"):
            matches(bad, PaperState())
    view = QueueView(papers(), {})
    with pytest.raises(ValueError, match="^unknown sort: oldest$"):
        view.set_sort("oldest")
    assert view.sort == "newest"
    assert QueueView(papers(), {}, sort="bogus").sort == "newest", "a stale saved sort falls back"


def test_matches_and_select_agree_with_the_views() -> None:
    assert matches(SIMILAR, READ) and matches(batch_view(1), READ)
    assert not matches(SIMILAR, GONE) and not matches(batch_view(1), GONE) and not matches("all", GONE)
    assert matches("inbox", STAR) and not matches("inbox", READ)
    assert matches("starred", STAR) and not matches("starred", READ)
    assert matches("read", READ) and not matches("read", STAR)
    assert matches(tag_view("x"), PaperState(tags=("x",))) and not matches(tag_view("x"), PaperState(tags=("xy",)))
    assert [p.key for p in select(papers(), {"a": READ}, "inbox")] == ["b", "c", "d", "e"]


def test_sorts_by_title_and_unread_first() -> None:
    states = {"a": READ, "c": READ}
    view = QueueView(papers(), states, "all", sort="title")
    assert rows(view) == ["b", "a", "c", "e", "d"], "titles sorted without regard to case"
    view.set_sort("unread")
    assert rows(view) == ["b", "d", "e", "a", "c"], "unread first, newest first within each"
    view.set_sort("newest")
    assert rows(view) == ["a", "b", "c", "d", "e"]
    # The unread order follows states changed since it was last computed.
    states["b"] = READ
    view.set_sort("unread")
    assert rows(view) == ["d", "e", "a", "b", "c"]
    view.set_view("inbox")
    assert rows(view) == ["d", "e"]


def test_a_search_filter_limits_rows_and_counts() -> None:
    states = {"a": READ, "b": STAR, "c": PaperState(tags=("ml",)), "e": GONE}
    view = QueueView(papers(), states, "all")
    view.set_filter({10, 12, 14})  # a, c, e
    assert rows(view) == ["a", "c"]
    assert view.counts == {"inbox": 1, "starred": 0, "read": 1, "all": 2}
    assert view.tag_unread == {"ml": 1}
    view.set_view("inbox")
    assert rows(view) == ["c"]
    view.set_sort("title")
    view.set_view("all")
    assert rows(view) == ["a", "c"]
    view.set_filter(set())
    assert rows(view) == [] and view.counts == {"inbox": 0, "starred": 0, "read": 0, "all": 0}
    view.set_filter(None)
    assert rows(view) == ["b", "a", "c", "d"]
    assert view.counts == {"inbox": 3, "starred": 1, "read": 1, "all": 4}


def test_the_similar_view_keeps_the_ranking_order_within_the_filter() -> None:
    ps = papers()
    states = {"d": GONE}
    view = QueueView(ps, states, "inbox")
    by_key = {p.key: p for p in ps}
    view.show_ranked([by_key[k] for k in ("e", "d", "a", "c")], {"e": "delta, rules"})
    assert view.view == SIMILAR
    assert rows(view) == ["e", "a", "c"]
    assert view.why == {"e": "delta, rules"}
    view.set_filter({10, 14})
    assert rows(view) == ["e", "a"]
    view.set_sort("title")
    assert rows(view) == ["e", "a"], "a ranking is not re-sorted"


def test_counts_while_the_queue_is_still_loading() -> None:
    first = papers()[:2]
    view = QueueView(first, {"a": READ}, "all", total=5)
    assert view.partial
    assert view.counts == {"inbox": 4, "starred": 0, "read": 1, "all": 5}
    assert not QueueView(papers(), {}, total=3).partial
    assert QueueView(papers(), {}, total=3).counts["all"] == 5


def test_counts_and_batch_counts_follow_single_changes() -> None:
    ps = papers()
    states: dict[str, PaperState] = {"a": PaperState(tags=("ml",))}
    view = QueueView(ps, states, "inbox")
    assert view.batch_unread == {2: 4, 1: 2}
    d = next(p for p in ps if p.key == "d")
    states["d"] = READ
    view.state_changed(PaperState(), READ, d)
    assert view.batch_unread == {2: 3, 1: 1}
    assert view.counts == {"inbox": 4, "starred": 0, "read": 1, "all": 5}
    assert view.is_stale(view.row_of("d")), "read in Inbox: marked, not yet gone"
    states["d"] = PaperState()
    view.state_changed(READ, PaperState(), d)
    assert view.batch_unread == {2: 4, 1: 2}
    old, new = states["a"], PaperState(tags=("ml",), read=True, starred=True)
    states["a"] = new
    view.state_changed(old, new, ps[0])
    assert view.tag_unread == {"ml": 0}
    assert view.counts == {"inbox": 4, "starred": 1, "read": 1, "all": 5}
    assert view.batch_unread == {2: 3, 1: 2}
    states["a"] = old
    view.state_changed(new, old, ps[0])
    assert view.tag_unread == {"ml": 1}
    # Starring alone changes no unread count.
    states["b"] = STAR
    view.state_changed(PaperState(), STAR, ps[1])
    assert view.batch_unread == {2: 4, 1: 2} and view.counts["starred"] == 1 and view.counts["inbox"] == 5


def test_a_removal_or_a_new_tag_recounts_everything() -> None:
    ps = papers()
    states: dict[str, PaperState] = {}
    view = QueueView(ps, states, "all")
    assert view.batch_unread == {2: 4, 1: 2}
    states["d"] = GONE
    view.state_changed(PaperState(), GONE, ps[3])
    assert view.counts == {"inbox": 4, "starred": 0, "read": 0, "all": 4}
    assert view.batch_unread == {2: 3, 1: 1}
    states["e"] = PaperState(tags=("new",))
    view.state_changed(PaperState(), states["e"], ps[4])
    assert view.tag_unread == {"new": 1}
    # A bulk change of read states only: counted paper by paper.
    changes = []
    for p in ps[:3]:
        states[p.key] = READ
        changes.append((PaperState(), READ, p))
    view.states_changed(changes)
    assert view.counts == {"inbox": 1, "starred": 0, "read": 3, "all": 4}
    assert view.batch_unread.get(2, 0) == 0 and view.batch_unread[1] == 1


def test_unread_navigation_and_finding_rows() -> None:
    states = {"b": READ, "c": STAR}
    view = QueueView(papers(), states, "all")
    assert view.next_unread(-1) == 0
    assert view.next_unread(0) == 2
    assert view.next_unread(2, -1) == 0
    assert view.find(0, 1, lambda s: s.starred) == 2
    assert view.find(4, -1, lambda s: s.starred) == 2
    assert view.find(2, 1, lambda s: s.starred) is None
    assert view.row_of("e") == 4 and view.row_of("zz") is None
    assert len(view) == 5
    assert view.state(view.rows[1]) == READ and view.state(view.rows[3]) == PaperState()
    view.set_view("inbox")
    assert view.row_of("e") == 3, "rows found again after the view changed"


def test_an_empty_queue_counts_zero_everywhere() -> None:
    view = QueueView([], {})
    assert view.counts == {"inbox": 0, "starred": 0, "read": 0, "all": 0}
    assert rows(view) == [] and view.batch_unread == {} and not view.partial
    assert view.next_unread(-1) is None and view.row_of("a") is None


def test_the_similar_view_before_any_ranking_is_empty() -> None:
    view = QueueView(papers(), {}, SIMILAR)
    assert rows(view) == [] and view.why == {}
    view.set_filter({10})
    assert rows(view) == []


def test_a_bulk_read_change_keeps_the_import_counts() -> None:
    ps = papers()
    states: dict[str, PaperState] = {}
    view = QueueView(ps, states, "inbox")
    assert view.batch_unread == {2: 4, 1: 2}
    changes = []
    for p in ps[2:4]:  # c (import 2) and d (imports 1 and 2)
        states[p.key] = READ
        changes.append((PaperState(), READ, p))
    view.states_changed(changes)
    assert view.batch_unread == {2: 2, 1: 1}
    assert view.counts == {"inbox": 3, "starred": 0, "read": 2, "all": 5}


def test_unread_counts_of_a_fully_read_import_come_back() -> None:
    ps = papers()
    states = {"d": READ, "e": READ}  # import 1 entirely read
    view = QueueView(ps, states, "all")
    assert view.batch_unread.get(1, 0) == 0
    states["e"] = PaperState()
    view.state_changed(READ, PaperState(), ps[4])
    assert view.batch_unread[1] == 1


def test_counts_add_to_what_was_there() -> None:
    ps = papers()
    states = {"a": STAR, "b": PaperState(), "c": READ}  # b: a state back to nothing
    view = QueueView(ps, states, "all")
    assert view.counts == {"inbox": 4, "starred": 1, "read": 1, "all": 5}
    states["d"] = PaperState(starred=True, read=True)
    view.state_changed(PaperState(), states["d"], ps[3])
    assert view.counts == {"inbox": 3, "starred": 2, "read": 2, "all": 5}


def test_a_search_filter_in_all_without_removed_papers() -> None:
    view = QueueView(papers(), {}, "all")
    view.set_filter({11, 13})
    assert rows(view) == ["b", "d"]


_STATES = st.builds(PaperState, starred=st.booleans(), read=st.booleans(), removed=st.booleans(),
                    tags=st.lists(st.sampled_from(["ml", "rl"]), max_size=2, unique=True).map(tuple))


@settings(max_examples=300, deadline=None)
@given(states=st.dictionaries(st.sampled_from("abcdex"), _STATES, max_size=6),
       view=st.sampled_from(["inbox", "starred", "read", "all", tag_view("ml"), tag_view("zz"), "foryou"]),
       sort=st.sampled_from(["newest", "title", "unread"]),
       search=st.one_of(st.none(), st.sets(st.integers(10, 14))),
       keep=st.lists(st.sampled_from("abcdex"), max_size=3),
       few_share=st.sampled_from([0, queue_module.FEW_SHARE]))
def test_rows_are_the_papers_each_view_matches_in_order(states, view, sort, search, keep, few_share) -> None:
    """The view's rows, worked out from the few papers that have a state,
    are the papers in order whose state the view matches (or kept rows),
    whatever the states, sort, search and kept rows; with ``few_share`` 0
    Starred, Read and tag views never take a pass over every paper."""
    queue = QueueView(papers(), states, view, sort)
    queue.filter = search
    default = queue_module.FEW_SHARE
    queue_module.FEW_SHARE = few_share
    try:
        queue.refresh(keep=keep)
    finally:
        queue_module.FEW_SHARE = default
    expected = [p for p in queue._ordered()
                if (search is None or p.id in search) and not states.get(p.key, PaperState()).removed
                and (matches(view, states.get(p.key, PaperState())) or p.key in keep)]
    assert rows(queue) == [p.key for p in expected]
    shown = rows(queue)
    assert [queue.row_of(key) for key in "abcdex"] == [shown.index(k) if k in shown else None for k in "abcdex"]


@settings(max_examples=200, deadline=None)
@given(order=st.permutations("abcde"), search=st.one_of(st.none(), st.sets(st.integers(10, 14))),
       similar=st.booleans())
def test_row_of_finds_every_row_in_a_ranked_order_too(order, search, similar) -> None:
    """Similar and For-you rows come in their ranking's order, not the
    sorted one: each paper's row is still found."""
    by_key = {p.key: p for p in papers()}
    ranked = [by_key[key] for key in order]
    queue = QueueView(papers(), {}, "all")
    if similar:
        queue.show_ranked(ranked, {})
    else:
        queue.set_ranking("foryou", ranked, {})
        queue.set_view("foryou")
    queue.set_filter(search)
    shown = rows(queue)
    assert shown == [key for key in order if search is None or by_key[key].id in search]
    assert [queue.row_of(key) for key in "abcdex"] == [shown.index(k) if k in shown else None for k in "abcdex"]


@settings(max_examples=200, deadline=None)
@given(states=st.dictionaries(st.sampled_from("abcdex"), _STATES, max_size=6),
       search=st.one_of(st.none(), st.sets(st.integers(10, 14))),
       hidden=st.sets(st.sampled_from("abcde"), max_size=2))
def test_counts_are_the_same_with_the_stores_key_map(states, search, hidden) -> None:
    """Ids looked up in the store's key -> paper map (no map made at the
    first search) count the same as a map made from the view's papers."""
    made = QueueView(papers(), states, "inbox", hidden=hidden)
    looked_up = QueueView(papers(), states, "inbox", hidden=hidden, by_key={p.key: p for p in papers()})
    for queue in (made, looked_up):
        queue.set_filter(search)
    assert (looked_up.counts, looked_up.tag_unread, looked_up.for_you_count) == (made.counts, made.tag_unread, made.for_you_count)
    assert rows(looked_up) == rows(made)
