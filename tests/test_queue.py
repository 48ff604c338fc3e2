"""Views, counts and unread navigation without the UI."""

from __future__ import annotations

import pytest

from paperqueue.core.models import Paper, PaperState
from paperqueue.core.queue import QueueView


def make(n: int) -> list[Paper]:
    return [Paper(key=f"title:p{i}", title=f"Paper {i}", seq=i) for i in range(n)]


def test_counts_follow_state_changes() -> None:
    papers = make(5)
    states: dict[str, PaperState] = {}
    view = QueueView(papers, states, "all")
    assert view.counts == {"inbox": 5, "starred": 0, "read": 0, "all": 5}
    old, new = PaperState(), PaperState(starred=True, read=True)
    states["title:p1"] = new
    view.state_changed(old, new)
    assert view.counts == {"inbox": 4, "starred": 1, "read": 1, "all": 5}
    fresh = QueueView(papers, states, "all")
    assert fresh.counts == view.counts


def test_sticky_rows_until_view_is_entered_again() -> None:
    papers = make(3)
    states: dict[str, PaperState] = {}
    view = QueueView(papers, states, "inbox")
    states["title:p0"] = PaperState(read=True)
    assert len(view) == 3 and view.is_stale(0)
    view.set_view("inbox")
    assert len(view) == 2 and view.row_of("title:p0") is None


def test_next_unread_both_ways_and_none_at_the_ends() -> None:
    papers = make(5)
    states = {"title:p1": PaperState(read=True), "title:p2": PaperState(read=True)}
    view = QueueView(papers, states, "all")
    assert view.next_unread(0, 1) == 3
    assert view.next_unread(3, -1) == 0
    assert view.next_unread(4, 1) is None
    assert view.next_unread(0, -1) is None


def test_unknown_view_is_an_error() -> None:
    with pytest.raises(ValueError):
        QueueView(make(1), {}, "archive")


def test_bulk_changes_recount_once_and_right() -> None:
    papers = make(6)
    states: dict[str, PaperState] = {}
    view = QueueView(papers, states, "all")
    assert view.batch_unread == {0: 6}
    changes = []
    for paper in papers[:4]:
        old, new = PaperState(), PaperState(removed=paper.key != "title:p0", tags=("ml",), read=True)
        states[paper.key] = new
        changes.append((old, new, paper))
    view.states_changed(changes)
    assert view.counts == {"inbox": 2, "starred": 0, "read": 1, "all": 3}
    assert view.tag_unread == {"ml": 0}
    assert view.batch_unread == {0: 2}
