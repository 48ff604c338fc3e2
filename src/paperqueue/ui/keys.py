"""Every key of the app, for the help screen (and the README)."""

from __future__ import annotations

KEY_HELP: tuple[tuple[str, str], ...] = (
    ("j / down", "next paper"),
    ("k / up", "previous paper"),
    ("g / home", "first paper"),
    ("G / end", "last paper"),
    ("pagedown / pageup", "page the list"),
    ("J / K", "scroll the reader pane down / up"),
    ("s", "toggle star"),
    ("r", "toggle read"),
    ("space", "mark read and move to the next unread paper"),
    ("n / p", "next / previous unread paper"),
    ("y", "copy the primary link"),
    ("Y", "copy a Markdown link [Title](url)"),
    ("o", "open the primary link in the browser (copies it when there is no display)"),
    ("1 2 3 4", "views: Inbox, Starred, Read, All"),
    ("/", "search titles and abstracts (enter keeps the filter, escape clears it)"),
    ("S", "sort: newest added / title / unread first"),
    ("b / B", "view the next / previous import batch"),
    ("i", "import a file (page, HF JSON, arXiv feed, BibTeX, id list, paperqueue JSON)"),
    ("ctrl+p", "command palette (also: change theme)"),
    ("?", "this help (?, escape or q closes it)"),
    ("q", "quit"),
)
