"""arXiv's HTML version of a paper (LaTeXML's output) as plain text.

:func:`html_to_text` turns the page into text a terminal shows well:

- headings (the title, sections, paragraphs' run-in titles) on lines of
  their own, every block separated from the next by a blank line;
- list items as ``- `` lines (an enumerate keeps its label: ``- 1. ...``),
  nested items indented two spaces a level;
- figure and table captions as paragraphs, table rows one a line with the
  cells separated by `` | ``;
- equations as their LaTeX source: inline math as ``$...$``, display math
  and numbered equations on lines of their own as ``$$...$$ (1)``; the
  MathML's own symbols are never shown beside it;
- footnotes marked ``[^1]`` where they are and given after their paragraph
  as ``[^1]: ...``; references one a line (``[1] Authors. Title. ...``).

A page without arXiv's document markup (an error page served with status
200, an empty stub) raises :class:`NoHtmlVersion`: the caller falls back to
the PDF. The text is plain: every piece passes through
:func:`~paperqueue.core.text.clean_text` (no escape sequences, controls or
bidi overrides) and its whitespace is collapsed.

Parsing is selectolax's Lexbor parser; the walk is iterative over the
document's siblings and recursive over its depth, which stops descending
(the rest of a subtree is taken as plain text) past :data:`MAX_DEPTH`.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from paperqueue.core.text import clean_text, collapse_space

__all__ = ["MAX_DEPTH", "NoHtmlVersion", "html_to_text"]

MAX_DEPTH = 150  # nesting followed; deeper content is flattened to its text


class NoHtmlVersion(Exception):
    """The page is not a paper in arXiv's HTML (no LaTeXML document in it,
    or nothing readable in it): there is no HTML version to read."""


_TEXT = "-text"
_SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "nav", "header", "footer", "button", "img", "svg",
    "object", "iframe", "form", "input", "select", "textarea", "head", "dialog", "canvas", "video",
    "audio", "picture", "source", "annotation", "annotation-xml", "-comment", "link", "meta",
})
_SKIP_CLASSES = frozenset({
    "ltx_page_navbar", "ltx_TOC", "ltx_ERROR", "ltx_note_mark", "ltx_author_notes", "ltx_page_logo",
    "ltx_page_footer", "ltx_rule", "ltx_tag_item", "ltx_note_type", "ltx_role_footnotemark",
    "ltx_pagination", "ltx_tag_note",
})
_BLOCK_TAGS = frozenset({
    "div", "p", "section", "article", "figure", "figcaption", "blockquote", "main", "aside", "address",
    "center", "details", "summary", "fieldset", "hr", "body", "html", "dd", "dt",
})
_BLOCK_CLASSES = frozenset({"ltx_para", "ltx_p", "ltx_block", "ltx_caption"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LISTS = frozenset({"ul", "ol", "dl"})
_EQUATION_CLASSES = frozenset({"ltx_equation", "ltx_equationgroup", "ltx_eqn_table"})
_ROW_TAGS = frozenset({"tr"})
_CELL_TAGS = frozenset({"td", "th"})


def html_to_text(html: str | bytes) -> str:
    """The readable text of an arXiv HTML page (see the module's docstring).

    Raises :class:`NoHtmlVersion` when the page holds no LaTeXML document."""
    tree = LexborHTMLParser(html)
    root = tree.css_first(".ltx_document")
    if root is None:
        root = tree.css_first(".ltx_page_main")
        if root is None or root.css_first(".ltx_para, .ltx_p, .ltx_section") is None:
            raise NoHtmlVersion("the page has no arXiv HTML document in it")
    out = _Renderer()
    out.walk(root, 0)
    text = "\n\n".join(out.finish())
    if not text.strip():
        raise NoHtmlVersion("the page's document is empty")
    return text + "\n"


def _classes(node: LexborNode) -> tuple[str, ...]:
    value = node.attrs.get("class")
    return tuple(value.split()) if value else ()


def _math_tex(node: LexborNode) -> str:
    """A ``<math>`` element's LaTeX, on one line (``%`` line continuations joined)."""
    tex = node.attrs.get("alttext")
    if tex is None:
        annotation = node.css_first('annotation[encoding="application/x-tex"]')
        tex = annotation.text(deep=True) if annotation is not None else node.text(deep=True)
    if "%\n" in tex:
        parts = tex.split("%\n")
        tex = parts[0]
        for part in parts[1:]:
            tex += ("%\n" if tex.endswith("\\") else "") + part
    return _tidy(tex)


def _tidy(text: str) -> str:
    return collapse_space(clean_text(text))


class _Renderer:
    """Blocks of text built from a walk: ``blocks`` holds finished ones; the
    paragraph being built is ``lines`` (ended by ``<br>``) plus ``inline``."""

    def __init__(self, raw_math: bool = False, hold_notes: bool = False) -> None:
        self.raw_math = raw_math  # math as bare LaTeX (inside an equation's row)
        self.hold_notes = hold_notes  # footnotes kept in ``notes`` for the caller
        self.blocks: list[str] = []
        self.lines: list[str] = []
        self.inline: list[str] = []
        self.notes: list[str] = []  # footnotes waiting for the end of their paragraph

    # -- building ------------------------------------------------------------

    def flush(self) -> None:
        if self.inline:
            line = _tidy("".join(self.inline))
            self.inline = []
            if line:
                self.lines.append(line)
        if self.lines:
            self.blocks.append("\n".join(self.lines))
            self.lines = []
        if self.notes and not self.hold_notes:
            self.blocks.extend(self.notes)
            self.notes = []

    def line_break(self) -> None:
        line = _tidy("".join(self.inline))
        self.inline = []
        if line:
            self.lines.append(line)

    def block(self, text: str) -> None:
        self.flush()
        if text:
            self.blocks.append(text)

    def finish(self) -> list[str]:
        self.flush()
        return self.blocks

    def inline_text(self, node: LexborNode, depth: int) -> str:
        """``node``'s content on one line (for headings, cells, labels)."""
        sub = _Renderer(self.raw_math, hold_notes=True)
        sub.walk(node, depth)
        sub.flush()
        self.notes.extend(sub.notes)
        return " ".join(block.replace("\n", " ") for block in sub.blocks)

    # -- walking -------------------------------------------------------------

    def walk(self, parent: LexborNode, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.inline.append(" " + parent.text(deep=True) + " ")
            return
        depth += 1
        for node in parent.iter(include_text=True):
            tag = node.tag
            if tag == _TEXT:
                text = node.text_content
                if text:
                    self.inline.append(text)
                continue
            if tag in _SKIP_TAGS:
                continue
            classes = _classes(node)
            if classes and not _SKIP_CLASSES.isdisjoint(classes):
                continue
            if tag == "math":
                self.math(node)
            elif tag in _HEADINGS:
                self.block(self.inline_text(node, depth))
            elif tag == "br":
                self.line_break()
            elif classes and not _EQUATION_CLASSES.isdisjoint(classes) and tag == "table":
                self.equations(node, depth)
            elif tag == "table" or "ltx_tabular" in classes:
                self.table(node, depth)
            elif tag in _LISTS or "ltx_biblist" in classes:
                self.list(node, depth, classes)
            elif tag == "pre" or "ltx_listing" in classes:
                self.preformatted(node)
            elif "ltx_authors" in classes:
                self.authors(node, depth)
            elif "ltx_note" in classes:
                self.footnote(node, depth)
            elif tag in _BLOCK_TAGS or (classes and not _BLOCK_CLASSES.isdisjoint(classes)):
                self.flush()
                self.walk(node, depth)
                self.flush()
            else:
                self.walk(node, depth)

    def math(self, node: LexborNode) -> None:
        tex = _math_tex(node)
        if not tex:
            return
        if self.raw_math:
            self.inline.append(f" {tex} ")
        elif node.attrs.get("display") == "block":
            self.block(f"$${tex}$$")
        else:
            self.inline.append(f"${tex}$")

    def equations(self, table: LexborNode, depth: int) -> None:
        """A LaTeXML equation (group): a ``$$...$$`` line a row, its number after."""
        lines = []
        for row in _rows(table):
            tag = ""
            parts = []
            for cell in _cells(row):
                found = cell.css_first(".ltx_tag_equation")
                if found is not None:
                    tag = _tidy(found.text(deep=True))
                    continue
                sub = _Renderer(raw_math=True)
                text = sub.inline_text(cell, depth)
                if text.startswith("\\displaystyle"):
                    text = text[len("\\displaystyle"):].lstrip()
                if text:
                    parts.append(text.replace(" \\displaystyle", " "))
            if parts:
                lines.append(f"$${' '.join(parts)}$$" + (f" {tag}" if tag else ""))
        self.block("\n".join(lines))

    def table(self, table: LexborNode, depth: int) -> None:
        lines = []
        for row in _rows(table):
            cells = [self.inline_text(cell, depth) for cell in _cells(row)]
            if any(cells):
                lines.append(" | ".join(cells).strip())
        self.block("\n".join(lines))

    def list(self, node: LexborNode, depth: int, classes: tuple[str, ...]) -> None:
        bibliography = "ltx_biblist" in classes
        numbered = node.tag == "ol" or "ltx_enumerate" in classes
        items = []
        label_next = ""
        for item in node.iter(include_text=False):
            if item.tag == "dt":
                label_next = _tidy(item.text(deep=True))
                continue
            if item.tag not in ("li", "dd"):
                continue
            label = label_next
            label_next = ""
            if numbered and not label:
                tag = next((child for child in item.iter(include_text=False) if "ltx_tag_item" in _classes(child)), None)
                label = _tidy(tag.text(deep=True)) if tag is not None else ""
            sub = _Renderer()
            sub.walk(item, depth)
            lines = "\n".join(sub.finish()).split("\n")
            if bibliography:
                items.append(" ".join(line for line in lines if line))
                continue
            head = " ".join(filter(None, (label, lines[0])))
            items.append("\n".join(["- " + head, *("  " + line for line in lines[1:] if line)]))
        self.block("\n".join(item for item in items if item.strip()))

    def preformatted(self, node: LexborNode) -> None:
        lines = node.css(".ltx_listingline")
        if lines:
            texts = [line.text(deep=True) for line in lines]
        else:
            texts = node.text(deep=True).split("\n")
        cleaned = [clean_text(text.replace("\u00a0", " ").replace("\t", "    ")).rstrip() for text in texts]
        while cleaned and not cleaned[-1]:
            cleaned.pop()
        self.block("\n".join(cleaned).strip("\n"))

    def authors(self, node: LexborNode, depth: int) -> None:
        names = []
        for creator in node.css(".ltx_creator"):
            person = creator.css_first(".ltx_personname")
            if person is None:
                continue
            sub = _Renderer(hold_notes=True)
            sub.walk(person, depth)
            lines = [line for block in sub.finish() for line in block.split("\n")]
            if lines:
                names.append(", ".join(lines))
        if not names:
            self.flush()
            self.walk(node, depth)
            self.flush()
            return
        self.block(("\n" if any(", " in name for name in names) else ", ").join(names))

    def footnote(self, node: LexborNode, depth: int) -> None:
        content = node.css_first(".ltx_note_content")
        mark = node.css_first(".ltx_tag_note")
        number = _tidy(mark.text(deep=True)) if mark is not None else ""
        text = self.inline_text(content, depth) if content is not None else ""
        if not text:
            return
        label = f"[^{number or len(self.notes) + 1}]"
        self.inline.append(label)
        self.notes.append(f"{label}: {text}")


def _rows(table: LexborNode) -> list[LexborNode]:
    """The rows of ``table`` (``tr`` or ``.ltx_tr``), not those of a table nested in a cell."""
    rows: list[LexborNode] = []

    def visit(node: LexborNode, depth: int) -> None:
        for child in node.iter(include_text=False):
            if child.tag in _ROW_TAGS or "ltx_tr" in _classes(child):
                rows.append(child)
            elif depth < 8 and child.tag not in _SKIP_TAGS:
                visit(child, depth + 1)

    visit(table, 0)
    return rows


def _cells(row: LexborNode) -> list[LexborNode]:
    return [cell for cell in row.iter(include_text=False) if cell.tag in _CELL_TAGS or "ltx_td" in _classes(cell)]
