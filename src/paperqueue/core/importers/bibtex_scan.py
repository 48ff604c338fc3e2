"""Scanning one BibTeX entry's text into its type, key and fields
(:class:`Scanner`), left to right, once: linear whatever the input (a
million ``{``). A short braced field is read in one regex match, a long
one with ``str.find`` from brace to brace; only other values (quoted,
``#``, macros) take the general path. ``@string`` macros and month names
expand, ``#`` concatenates; for a repeated field the first wins. A broken
entry raises :class:`Malformed` with the reason its problem line gives.
The file is cut into entries, and entries read into papers, by
:mod:`~paperqueue.core.importers.bibtex`."""

from __future__ import annotations

import re

from paperqueue.core.importers.bibtex_fields import MONTHS
from paperqueue.core.importers.record import shown

TYPE_RE = re.compile(r"[ \t]*@[ \t]*([A-Za-z][\w-]*)\s*([{(])")
_SPACE_RE = re.compile(r"(?:\s|%[^\n]*)*")
_NAME_RE = re.compile(r"[A-Za-z_][\w:.+/-]*")
_NUMBER_RE = re.compile(r"\d+")
_QUOTED_RE = re.compile(r'\\[{}]|[{}"]')
# The start of a field in one match: blanks and comments, a name, "=",
# blanks.  Possessive quantifiers: nothing to backtrack into, so a failed
# match costs one pass.
_BLANKS = r"(?:\s|%[^\n]*+)*+"
ENTRY_KEY_RE = re.compile(rf"{_BLANKS}([^\s,{{}}()=\"#%]*+){_BLANKS}")
_HEAD_RE = re.compile(rf"{_BLANKS}([A-Za-z_][\w:.+/-]*+){_BLANKS}={_BLANKS}")
# A whole short field: its head, a braced value of at most 300 characters
# holding no brace (nor ending with a backslash, which would escape the
# "}"), blanks, then "," or the closer; one match instead of several steps.
_SHORT_FIELD_RE = re.compile(
    rf"{_BLANKS}([A-Za-z_][\w:.+/-]*+){_BLANKS}={_BLANKS}\{{([^{{}}]{{0,300}}+)(?<!\\)\}}{_BLANKS}([,)}}])"
)


class Malformed(Exception):
    pass


class Scanner:
    """Reads values and fields left to right; *end* bounds the current chunk.
    ``macros`` grows with each ``@string``; ``unknown`` collects undefined
    macro names for the entry being read."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.macros = {name[:3]: name.capitalize() for name in MONTHS}
        self.unknown: list[str] = []

    def skip(self, pos: int) -> int:
        return _SPACE_RE.match(self.text, pos).end()

    def closing(self, pos: int, end: int, quoted: bool) -> int:
        """Index of the ``}`` (or ``"``) closing a value whose body starts at pos.
        A brace right after a backslash (``\\{``) does not count."""
        if quoted:
            return self._closing_quote(pos, end)
        text, depth, close = self.text, 0, -1
        while True:  # str.find from brace to brace; each stretch is scanned once
            if close < pos:
                close = text.find("}", pos, end)
                if close < 0:
                    raise Malformed("unbalanced braces")
            opening = text.find("{", pos, close)
            if opening >= 0:
                if text[opening - 1] != "\\":
                    depth += 1
                pos = opening + 1
                continue
            pos = close + 1
            if text[close - 1] != "\\":
                if depth == 0:
                    return close
                depth -= 1

    def _closing_quote(self, pos: int, end: int) -> int:
        depth = 0
        for m in _QUOTED_RE.finditer(self.text, pos, end):
            token = m.group()
            if token == "{":
                depth += 1
            elif token == "}":
                if depth == 0:
                    raise Malformed("unbalanced braces")
                depth -= 1
            elif token == '"' and depth == 0:
                return m.start()
        raise Malformed("unbalanced braces" if depth else "unterminated quoted value")

    def value(self, pos: int, end: int) -> tuple[str, int]:
        """A value: ``{…}``, ``"…"``, a number or a macro, joined by ``#``."""
        text, parts = self.text, []
        while True:
            pos = self.skip(pos)
            char = text[pos] if pos < end else ""
            if char in ("{", '"'):
                close = self.closing(pos + 1, end, char == '"')
                parts.append(text[pos + 1 : close])
                pos = close + 1
            elif m := (_NUMBER_RE.match(text, pos, end) or _NAME_RE.match(text, pos, end)):
                name = m.group()
                if name.isdigit() or name.lower() in self.macros:
                    parts.append(name if name.isdigit() else self.macros[name.lower()])
                else:
                    self.unknown.append(name)
                pos = m.end()
            else:
                raise Malformed(f"unexpected {shown(char)} in a field value" if char else "a value is missing")
            pos = self.skip(pos)
            if pos >= end or text[pos] != "#":
                return "".join(parts), pos
            pos += 1

    def fields(self, pos: int, end: int, closer: str) -> dict[str, str]:
        """``name = value`` pairs separated by commas, up to *closer*."""
        text, fields = self.text, {}
        while True:
            short = _SHORT_FIELD_RE.match(text, pos, end)
            if short is not None and short.group(3) in (",", closer):
                fields.setdefault(short.group(1).lower(), short.group(2))
                if short.group(3) == closer:
                    return fields
                pos = short.end()
                continue
            head = _HEAD_RE.match(text, pos, end)  # blanks, name, blanks, "=", blanks
            if head is None:
                pos = self.skip(pos)
                if pos < end and text[pos] == closer:
                    return fields
                found = shown(text[pos : min(end, pos + 20)]) if pos < end else "the end"
                raise Malformed(f"expected a field name or {closer!r}, found {found}")
            name, start = head.group(1).lower(), head.end()
            # The common value: braced, right before "," or the closer (its
            # end found with str.find).  Anything else: the general path.
            close = -1
            if text.startswith("{", start):
                close = text.find("}", start + 1, end)
                if close < 0 or text[close - 1] == "\\" or text.find("{", start + 1, close) >= 0:
                    close = self.closing(start + 1, end, False)  # braces inside
            pos = close + 1
            if close > 0 and pos < end and text[pos] not in (",", closer):
                pos = self.skip(pos)  # blanks before the comma or the closer
            if close > 0 and pos < end and text[pos] in (",", closer):
                value = text[start + 1 : close]
            else:
                value, pos = self.value(start, end)
            fields.setdefault(name, value)
            if pos < end and text[pos] == ",":
                pos += 1
            elif pos >= end or text[pos] != closer:
                raise Malformed(f"expected ',' or {closer!r} after field {name!r}")

    def entry(self, pos: int, end: int, closer: str) -> tuple[str, dict[str, str]]:
        """Key and fields of an entry whose body starts at pos: key, comma, fields."""
        key = ENTRY_KEY_RE.match(self.text, pos, end)  # blanks, the key, blanks
        after = key.end()
        follow = self.text[after] if after < end else ""
        if follow == ",":
            return key.group(1), self.fields(after + 1, end, closer)
        if follow == closer:
            return key.group(1), {}
        if follow == "=":  # no key at all: the fields start at once
            return "", self.fields(pos, end, closer)
        raise Malformed("expected ',' after the entry key")
