"""LaTeX to plain Unicode text: BibTeX field values, and the TeX that arXiv
feeds carry in titles, abstracts and author names.

Two entry points share one decoder:

* :func:`latex_to_text` is for BibTeX values, where every brace is
  grouping (``{BERT}`` protects case): all braces go.
* :func:`tex_in_prose` is for FEED TEXT (arXiv RSS/Atom titles, abstracts,
  author names, Hugging Face summaries).  It decodes the same commands but
  keeps braces that are not LaTeX grouping (``the set {a, b}`` stays), keeps
  a ``~`` that is not a tie between two words (``~5% faster`` stays), and
  keeps ``--flag``.

What both do, outside math: accents (``{\\"o}``, ``\\'e``, ``Sch\\"utze``,
``\\v{c}``, ``\\c c``, ``{\\'\\i}``) compose; ``\\ss \\o \\ae \\l`` give their
letters; ``\\& \\% \\_ \\$ \\#`` their characters; ``--``/``---`` dashes;
`````` `` '' `````` curly quotes; ``~`` between words a space; Greek letter
commands and a few symbols (``\\times``, ``\\pm``, ``\\leq``) their characters;
the TeX logos their names.  Spacing and joining commands become what they
print: ``\\thinspace``/``\\,`` a space, ``\\hyphen`` a hyphen, ``\\Dash`` an
em dash, and like TeX they swallow the blank after them
(``methodology\\hyphen independent`` -> ``methodology-independent``).
Formatting commands (``\\textit{…}``, ``{\\em …}``) go, their text stays;
``\\cite{…}``, ``\\ref{…}``, ``\\footnote{…}`` go whole; ``\\href{url}{text}``
gives ``text (url)`` (or the url alone when the text is the url).  URLs are
kept as they are apart from TeX escapes (``financial\\_rag`` -> ``financial_rag``).
Math ``$…$`` is kept verbatim, as arXiv shows it.

The rule for a command we do not know (``\\foo``): its NAME is dropped and
its argument kept (``\\foo{bar}`` -> ``bar``); a blank after it stays a
blank, so the name never glues onto the next word (``Inc.\\foo A`` ->
``Inc. A``).

Every pattern is linear in the input: no nested quantifiers, bounded
look-ahead for optional arguments.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["latex_to_text", "tex_in_prose"]

_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
}
# Letters: like TeX, the blank after the command goes ("{\o}", "\o ne").
_LETTERS = {
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
    "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ",
}
_GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau "
    "upsilon phi chi psi omega"
).split()
# Symbols and words: a blank after them is kept (people write "\ldots and").
_WORDS = {
    "ldots": "…", "dots": "…", "textellipsis": "…", "textendash": "–", "textemdash": "—",
    "S": "§", "P": "¶", "copyright": "©", "textregistered": "®", "texttrademark": "™",
    "textquoteleft": "‘", "textquoteright": "’", "textquotedblleft": "“", "textquotedblright": "”",
    "textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^", "textunderscore": "_",
    "textbar": "|", "textless": "<", "textgreater": ">", "euro": "€", "pounds": "£",
    "textdegree": "°", "textbullet": "•", "dag": "†", "ddag": "‡", "textdagger": "†",
    "times": "×", "pm": "±", "approx": "≈", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥",
    "neq": "≠", "ne": "≠", "infty": "∞", "rightarrow": "→", "to": "→", "leftarrow": "←",
    "cdot": "·", "textmu": "µ", "textpm": "±", "texttimes": "×",
    "TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX", "XeTeX": "XeTeX",
    "LuaTeX": "LuaTeX", "ConTeXt": "ConTeXt", "AmS": "AmS", "AMS": "AMS", "TikZ": "TikZ",
    **{name: chr(0x3B1 + n + (n > 16)) for n, name in enumerate(_GREEK)},
    **{name.capitalize(): chr(0x391 + n + (n > 16)) for n, name in enumerate(_GREEK)
       if name in ("gamma", "delta", "theta", "lambda", "xi", "pi", "sigma", "upsilon", "phi", "psi", "omega")},
}
# Spacing and joining commands: what they print; the blank after them goes.
_GLUE = {
    "thinspace": " ", "enspace": " ", "enskip": " ", "quad": " ", "qquad": " ", "space": " ",
    "nobreakspace": " ", "medspace": " ", "thickspace": " ", "negthinspace": "", "hyphen": "-",
    "Dash": "—", "dash": "—", "ndash": "–", "mdash": "—", "slash": "/", "nobreakdash": "",
    "hspace": " ", "allowbreak": "", "linebreak": " ", "newline": " ", "par": " ", "break": " ",
}
# Formatting commands and declarations: dropped, their argument (if any) kept.
_DROP = frozenset(
    """textit textbf textsc texttt textrm textsf textsl textup textmd textnormal emph em it bf sc
    tt rm sf sl up md mathrm mathbf mathit mathsf mathtt mathcal text mbox hbox url protect relax
    uppercase lowercase MakeUppercase MakeLowercase small large Large LARGE huge Huge normalsize
    footnotesize scriptsize tiny ensuremath textsuperscript textsubscript NoCaseChange""".split()
)
_PUNCTUATION = {"---": "—", "--": "–", "``": "“", "''": "”", "~": " "}
_SYMBOLS = {"\\": " ", " ": " ", ",": " ", ";": " ", ":": " ", "!": "", "/": "", "-": "", "@": ""}
_URL_ESCAPE_RE = re.compile(r"\\([_%&#~$/])")
_DOTLESS = r"\\[ij](?![A-Za-z])"
_LATEX_RE = re.compile(
    r"(?P<math>\$[^$]*\$)"
    r"|(?P<url>https?://(?:[^\s{}\\<>\"$]|\\[_%&#~$/])+)"
    r"|\\href\s*\{(?P<href>[^{}\s]*)\}\s*\{(?P<htext>[^{}]*)\}"
    rf"|\\(?P<acc>[`'^\"~=.])\s*(?:\{{\s*(?P<b1>{_DOTLESS}|[A-Za-z]?)\s*\}}|(?P<b2>{_DOTLESS}|[A-Za-z]))"
    rf"|\\(?P<accw>[uvHckrdb])(?:\s*\{{\s*(?P<b3>{_DOTLESS}|[A-Za-z]?)\s*\}}|\s+(?P<b4>[A-Za-z]))"
    # References and notes vanish with their (unnested) argument; at most
    # three short optional arguments are looked at, so the scan is bounded.
    r"|(?P<gone>[ ~]?\\(?:cite[a-zA-Z]*|ref|eqref|autoref|cref|Cref|label|footnote|thanks|noopsort)\*?"
    r"\s*(?:\[[^\][{}]{0,200}\]\s*){0,3}\{[^{}]*\})"
    r"|\\(?P<word>[A-Za-z]+)\*?(?P<space>\s*)(?P<empty>\{\})?"
    r"|\\(?P<sym>.)"
    r"|(?P<other>---?|``|''|[{}~])",
    re.DOTALL,
)
_TIE_BETWEEN_WORDS = re.compile(r"(?<=[\w.,:;)\]])~(?=[\w(\[$\\])")
_FLAG_RE = re.compile(r"(?<![^\s(\[])--(?=[A-Za-z])")


class _Decoder:
    """One pass over one value; *prose* keeps the braces that are not
    grouping (see the module docstring)."""

    def __init__(self, prose: bool) -> None:
        self.prose = prose
        self.groups: list[bool] = []  # per open "{": is it grouping (to drop)?
        self.command_end = -1  # where the last command name (and its blanks) ended

    def token(self, m: re.Match[str]) -> str:
        kind = m.lastgroup
        if kind in ("math", None):
            return m.group()
        if kind == "url":
            return _url(m.group())
        if m.group("href") is not None:
            url = _URL_ESCAPE_RE.sub(r"\1", m.group("href"))
            text = _Decoder(self.prose).run(m.group("htext")).strip()
            return url if text in ("", url) else f"{text} ({url})"
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
            return self.command(m, word)
        if m.group("sym") is not None:
            return _SYMBOLS.get(m.group("sym"), m.group("sym"))
        return self.punctuation(m)

    def command(self, m: re.Match[str], word: str) -> str:
        space = m.group("space")
        self.command_end = m.end()
        if word in _LETTERS:
            return _LETTERS[word]
        if word in _WORDS:
            return _WORDS[word] + (" " if space else "")
        if word in _GLUE:
            return _GLUE[word]
        if word in _DROP or m.string.startswith("{", m.end()):
            return ""  # formatting, or a command with an argument: keep only the argument
        # Unknown, with no argument (an author's own macro such as \method):
        # kept as written, so no word is lost and its name glues onto nothing.
        return "\\" + word + (" " if space else "")

    def punctuation(self, m: re.Match[str]) -> str:
        token, at = m.group(), m.start()
        if token == "{":
            grouping = not self.prose or at == self.command_end or m.string.startswith("\\", m.end())
            self.groups.append(grouping)
            return "" if grouping else "{"
        if token == "}":
            grouping = self.groups.pop() if self.groups else not self.prose
            return "" if grouping else "}"
        if self.prose and token == "~" and not _TIE_BETWEEN_WORDS.match(m.string, at):
            return "~"
        if self.prose and token == "--" and _FLAG_RE.match(m.string, at):
            return "--"
        return _PUNCTUATION[token]

    def run(self, value: str) -> str:
        return _LATEX_RE.sub(self.token, value)


def _url(url: str) -> str:
    """A URL found in the text: TeX escapes undone, a closing ``''`` left out."""
    url = _URL_ESCAPE_RE.sub(r"\1", url)
    return url[:-2] + "”" if url.endswith("''") else url


def _no_commands(text: str) -> bool:
    """True when *text* holds no token of the decoder but braces: no
    backslash, tilde or dollar, no dashes or TeX quotes; a URL without a
    backslash or ``''`` is kept as it is.  Plain ``in`` tests, a one-character
    test first: much faster than a regex search over a long abstract."""
    return not (
        "\\" in text or "~" in text or "$" in text
        or ("-" in text and "--" in text)
        or ("'" in text and "''" in text)
        or ("`" in text and "``" in text)
    )


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def latex_to_text(value: str) -> str:
    """Plain Unicode text for a BibTeX field value: every brace is grouping
    and goes (see the module docstring)."""
    if _no_commands(value):  # here every brace is grouping, and goes
        return _nfc(value.replace("{", "").replace("}", "") if "{" in value or "}" in value else value)
    return _nfc(_Decoder(prose=False).run(value))


def tex_in_prose(text: str) -> str:
    """Plain Unicode text for feed text that may hold TeX (arXiv RSS/Atom
    titles, abstracts and author names): accents and known commands decoded
    outside ``$…$``, braces that are not LaTeX grouping left alone."""
    if "{" not in text and "}" not in text and _no_commands(text):
        return _nfc(text)
    return _nfc(_Decoder(prose=True).run(text))
