"""LaTeX to plain Unicode text, for BibTeX field values and for the TeX that
arXiv feeds carry in titles, abstracts and author names.

:func:`latex_to_text` suits BibTeX values (braces are grouping, ``$...$`` is
kept verbatim).  Feed text (arXiv RSS/Atom titles, abstracts, authors) should
use :func:`tex_in_prose` once it lands here.

Accents (``{\\"o}``, ``\\'e``, ``\\v{c}``, ``\\c c``, ``{\\'\\i}``)
compose, ``\\ss \\o \\ae \\l`` give their letters, ``\\& \\% \\_`` their
characters, ``--``/``---`` dashes, ``~`` a space, ```` `` '' ```` curly quotes;
formatting commands (``\\textit{...}``, ``{\\em ...}``) and grouping braces go,
their text stays; ``\\cite{...}``, ``\\ref{...}``, ``\\footnote{...}`` go whole;
math ``$...$`` is kept verbatim, as arXiv shows it.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["latex_to_text"]


_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
}
_LETTERS = {
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
    "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ",
}
_WORDS = {
    "ldots": "…", "dots": "…", "textellipsis": "…", "textendash": "–", "textemdash": "—",
    "S": "§", "P": "¶", "copyright": "©", "textregistered": "®", "texttrademark": "™",
    "textquoteleft": "‘", "textquoteright": "’", "textquotedblleft": "“", "textquotedblright": "”",
    "textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^", "textunderscore": "_",
    "textbar": "|", "textless": "<", "textgreater": ">", "euro": "€", "pounds": "£",
    "textdegree": "°", "textbullet": "•", "quad": " ", "qquad": " ",
}
# Formatting commands and declarations: dropped, their argument (if any) kept.
_DROP = frozenset(
    """textit textbf textsc texttt textrm textsf textsl textup textmd textnormal emph em it bf sc
    tt rm sf sl up md mathrm mathbf mathit mathsf mathtt mathcal text mbox hbox url protect relax
    uppercase lowercase MakeUppercase MakeLowercase small large Large LARGE huge Huge normalsize
    footnotesize scriptsize tiny ensuremath""".split()
)
_PUNCTUATION = {"---": "—", "--": "–", "``": "“", "''": "”", "~": " ", "{": "", "}": ""}
_SYMBOLS = {"\\": " ", " ": " ", ",": " ", ";": " ", ":": " ", "!": "", "/": "", "-": "", "@": ""}
_DOTLESS = r"\\[ij](?![A-Za-z])"
_LATEX_RE = re.compile(
    r"(?P<math>\$[^$]*\$)"
    rf"|\\(?P<acc>[`'^\"~=.])\s*(?:\{{\s*(?P<b1>{_DOTLESS}|[A-Za-z]?)\s*\}}|(?P<b2>{_DOTLESS}|[A-Za-z]))"
    rf"|\\(?P<accw>[uvHckrdb])(?:\s*\{{\s*(?P<b3>{_DOTLESS}|[A-Za-z]?)\s*\}}|\s+(?P<b4>[A-Za-z]))"
    # References and notes vanish with their (unnested) argument.
    r"|(?P<gone>[ ~]?\\(?:cite[a-z]*|ref|eqref|autoref|label|footnote|thanks|noopsort)\*?"
    r"\s*(?:\[[^\]]*\]\s*)*\{[^{}]*\})"
    r"|\\(?P<word>[A-Za-z]+)(?P<space>\s*)(?P<empty>\{\})?"
    r"|\\(?P<sym>.)"
    r"|(?P<other>---?|``|''|[{}~])",
    re.DOTALL,
)


def _latex_token(m: re.Match[str]) -> str:
    kind = m.lastgroup
    if kind in ("math", None):
        return m.group()
    if kind == "gone":
        return ""
    accent = m.group("acc") or m.group("accw")
    if accent:
        base = m.group("b1") or m.group("b2") or m.group("b3") or m.group("b4") or ""
        if base:
            return base[-1] + _ACCENTS[accent]
        return "" if accent.isalpha() else accent
    word = m.group("word")
    if word:
        if word in _LETTERS:
            return _LETTERS[word]
        if word in _WORDS:
            return _WORDS[word] + m.group("space")
        if word in _DROP or m.string.startswith("{", m.end()):
            return ""  # formatting, or an unknown command: keep only its argument
        return word + m.group("space")
    if m.group("sym") is not None:
        return _SYMBOLS.get(m.group("sym"), m.group("sym"))
    return _PUNCTUATION[m.group()]


def latex_to_text(value: str) -> str:
    """Plain Unicode text for a BibTeX field value (see the module docstring)."""
    return unicodedata.normalize("NFC", _LATEX_RE.sub(_latex_token, value))
