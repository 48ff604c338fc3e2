"""Every key of the app, for the help screen (and the README), and what the
symbols of a list row mean."""

from __future__ import annotations

from paperqueue.ui.widgets.paper_list import IN_BODY, NOTE, READ, STAR, UNREAD, progress_mark

KEY_HELP: tuple[tuple[str, str], ...] = (
    ("j / down", "next paper"),
    ("k / up", "previous paper"),
    ("g / home", "first paper"),
    ("G / end", "last paper"),
    ("pagedown / pageup", "page the list"),
    ("ctrl+d / ctrl+u", "half a page down / up (in the full-screen reader: scroll it half a page)"),
    ("J / K", "scroll the reader pane down / up"),
    ("s", "toggle star"),
    ("r", "toggle read"),
    ("space", "mark read and move to the next unread paper"),
    ("n / p (or N)", "next / previous unread paper (also after a search: within its results)"),
    ("y", "copy the primary link"),
    ("Y", "copy a Markdown link [Title](url)"),
    ("o", "open the primary link in the browser (copies it when there is no display; served to a browser: a new tab)"),
    ("1 2 3 4", "views: Inbox, Starred, Read, All"),
    ("5", "For you: unread papers ranked by what you star, tag and note (learned here, nothing leaves the machine); from a tag view, For you for that tag"),
    ("/", "search titles, abstracts and the full texts fetched (enter keeps the filter, escape clears it; / again edits the query)"),
    ("S", "sort: newest added / title / unread first"),
    ("b / B", "view the next / previous import batch"),
    ("E / D", "in a tag or batch view: rename / delete that tag or batch (D asks first; deleting a batch hides the papers no other batch holds; u undoes either)"),
    ("i", "import a file (page, HF JSON, arXiv feed, BibTeX, id list, paperqueue JSON)"),
    ("R", "fetch every subscription (progress in the status line; new papers join their views, the cursor stays)"),
    ("a", "add papers by arXiv id, DOI or URL (several: spaces, commas, or paste a list)"),
    ("v", "select a range as in vim: v, then j/k/g/G/pages extend it, v again ends it (v v: one paper); v on a selected paper unselects it"),
    ("V / escape", "select the whole view / clear the selection (escape again clears the search)"),
    ("u / ctrl+r", "undo / redo (every change, also after a restart)"),
    ("x", "remove the paper (or the selection) from the queue"),
    ("A", "mark every paper in the view read (asks first)"),
    ("f", "triage mode: the view's papers one at a time (s star (unstar on a starred card), space/r read, x remove, each moving on; t tag, e note, u back to the card it undoes, ctrl+r redo, o open, y copy, escape back to the list); at the end a summary, y copies the starred as Markdown"),
    ("t / T", "edit tags (of the selection) / view the next tag"),
    ("e", "edit the note on the paper (ctrl+s saves, escape cancels)"),
    ("c", "copy menu: l link, i arXiv id, m Markdown, b BibTeX, t title, a all links"),
    ("W", "export the view (or the selection) as BibTeX, Markdown, JSON or CSV: a file in your Downloads folder (served to a browser: a download)"),
    ("m / M", "more like this paper / like all starred papers (escape leaves)"),
    ("P", "the paper's PDF: downloaded into the cache (progress in the status line), then opened in the system viewer; with no display, its path is shown and copied; again: the cached file at once"),
    ("F", "the paper's full text in the reader (arXiv's HTML version, else the PDF's text; cached), from where you stopped last time; F or escape: back to the abstract"),
    ("/ n N (in the full text)", "find words in the full text, next / previous match; j/k, space/b, g/G scroll it"),
    ("z / enter", "reader full screen (toggle; also while reading a full text)"),
    ("L", "reading log: added vs read, stars per batch, history"),
    ("ctrl+p", "command palette (also: change theme)"),
    ("?", "this help (?, escape or q closes it)"),
    ("ctrl+l", "in a read-only window (another paperqueue has the queue): open it for writing once the other one closed"),
    ("q / ctrl+c", "quit (saving first)"),
)

# The symbols are the list's own constants, so the legend cannot drift from the rows.
ROW_LEGEND: tuple[tuple[str, str], ...] = (
    ("highlighted row", "the cursor: the paper the reader shows, which the keys act on"),
    ("▌", "selected (v, V): s r x t c act on every selected paper"),
    (STAR, "starred"),
    (NOTE, "has a note (e edits it; the reader shows it)"),
    (UNREAD, "unread"),
    (READ, "read"),
    ("greyed row", "no longer matches the view (read in Inbox, unstarred in Starred); it keeps its place until you enter the view again"),
    ("#tag", "the paper's tags"),
    ("~ words", "in the Similar view (m, M): the words the paper shares with what it was ranked against"),
    (progress_mark(0.42), "being read: how far into its full text you are (F)"),
    (IN_BODY, "after a search (/): found in the paper's full text, not its title or abstract"),
    ("87%", "in For you (5): how likely you want it, as learned from your labels (the reader says which words pushed it up)"),
    ("3/12", "in the sidebar: unread papers / all papers of that view, tag or batch; one number: all of them unread"),
)
