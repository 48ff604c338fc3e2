"""The queue's views by name: the fixed views, the names of batch, tag,
subscription and For you views, which papers a view shows (:func:`matches`),
and the sort names. Plain Python, shared by the app and the CLI."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from paperqueue.core.models import Paper, PaperState

VIEWS: tuple[str, ...] = ("inbox", "starred", "read", "all")
VIEW_TITLES = {"inbox": "Inbox", "starred": "Starred", "read": "Read", "all": "All"}
SORTS: tuple[str, ...] = ("newest", "title", "unread")
SORT_TITLES = {"newest": "newest added", "title": "title", "unread": "unread first"}
NO_STATE = PaperState()


def batch_view(batch: int) -> str:
    """The view of one import batch: every paper in it, read or not."""
    return f"batch:{batch}"


def view_batch(view: str) -> int | None:
    return int(view[6:]) if view.startswith("batch:") else None


def tag_view(tag: str) -> str:
    """The view of one tag: every paper carrying it, read or not."""
    return f"tag:{tag}"


def view_tag(view: str) -> str | None:
    return view[4:] if view.startswith("tag:") else None


def subscription_view(name: str) -> str:
    """The view of one subscription: every paper of its live batches, read or not."""
    return f"sub:{name}"


def view_subscription(view: str) -> str | None:
    return view[4:] if view.startswith("sub:") else None


def subscription_batches(batch_info: Mapping[int, dict], deleted: Collection[int] = ()) -> dict[str, frozenset[int]]:
    """Subscription name -> the live batches its fetches made (a fetched
    batch's info says ``"subscription": NAME``), in name order."""
    found: dict[str, set[int]] = {}
    for batch, info in batch_info.items():
        name = info.get("subscription")
        if isinstance(name, str) and name and batch not in deleted:
            found.setdefault(name, set()).add(batch)
    return {name: frozenset(found[name]) for name in sorted(found, key=str.casefold)}


SIMILAR = "similar"  # a temporary view: rows given by a ranking, best first
FOR_YOU = "foryou"  # unread papers ranked by what the person stars (core/ranking.py)


def for_you_view(tag: str | None = None) -> str:
    """For you over every label, or with one tag's papers as the positives."""
    return FOR_YOU if tag is None else f"{FOR_YOU}:{tag}"


def is_for_you(view: str) -> bool:
    return view == FOR_YOU or view.startswith("foryou:")


def for_you_tag(view: str) -> str | None:
    return view[7:] if view.startswith("foryou:") else None


def liked(state: PaperState) -> bool:
    """A positive for For you: starred, tagged or annotated, not removed
    (the one rule: ``ranking.labels`` counts its positives with this)."""
    return not state.removed and bool(state.starred or state.tags or state.note.strip())


def ranked_count(state: PaperState) -> int:
    """1 when For you ranks a paper in this state (unread, not removed, not a positive)."""
    return int(not state.read and not state.removed and not liked(state))


def matches(view: str, state: PaperState) -> bool:
    """Whether a paper in this state belongs in ``view`` (batch views hold
    their papers whatever the state)."""
    if state.removed:
        return False
    if view == SIMILAR or view.startswith(("batch:", "sub:")):
        return True
    if view.startswith("tag:"):
        return view[4:] in state.tags
    if view == "inbox" or is_for_you(view):
        return not state.read
    if view == "starred":
        return state.starred
    if view == "read":
        return state.read
    if view == "all":
        return True
    raise ValueError(f"unknown view: {view}")


def select(papers: Sequence[Paper], states: Mapping[str, PaperState], view: str) -> list[Paper]:
    return [p for p in papers if matches(view, states.get(p.key, NO_STATE))]


def newest_first(papers: Sequence[Paper]) -> list[Paper]:
    """Newest import first; within one import, page order."""
    return sorted(papers, key=lambda p: (-p.batch, p.seq))
