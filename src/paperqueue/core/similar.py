""""More like this": TF-IDF over titles and abstracts, cosine similarity.

Tokens: case- and accent-folded runs of letters/digits, length >= 2; pure
numbers and :data:`STOP_WORDS` (English function words, topic-free academic
boilerplate) dropped; light plural stemming (policies -> policy, classes ->
class, models -> model; endings ss/us/is/as kept).  Title words count
:data:`TITLE_WEIGHT` times.  Frequent topical words ("model", "image") are
left to IDF.  Weights are ``(1 + ln tf) * (1 + ln((1 + N) / (1 + df)))``;
each paper keeps its :data:`TOP_K` heaviest terms, L2-normalised and
quantised to uint16, so scores are exact integer dot products (order-free,
deterministic; ties go to the lower paper id).  Vectors and the inverted
index (term -> rows, weights) are flat ``array`` columns (CSR), no
per-paper dicts; a query only touches the postings of its own terms.

``similar.bin``: magic + version, a header (generation, sizes, TOP_K,
CRC32), the little-endian columns, then the terms joined by newlines.  Any
mismatch loads as ``None``.  There is no incremental ``add``: IDF shifts
with every import, so the index is rebuilt per import (:func:`open_index`
rebuilds when the cache is missing, unreadable or of another generation).
"""

from __future__ import annotations

import heapq
import math
import re
import struct
import sys
import unicodedata
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import accumulate
from operator import mul
from pathlib import Path
from typing import Any

from paperqueue.core.atomic import UnsafePathError, atomic_write_bytes, check_regular

__all__ = ["CACHE_NAME", "Match", "SimilarityIndex", "STOP_WORDS", "open_index", "tokens"]

CACHE_NAME = "similar.bin"
TOP_K = 32  # terms kept per document
CENTROID_TERMS = 64  # terms kept in a similar_to_many query
TITLE_WEIGHT = 2  # a title word counts this many times
WHY_WORDS = 4
PROGRESS_EVERY = 1000

_SCALE = 65535  # weights are stored as round(w * _SCALE)
_SCALE2 = float(_SCALE * _SCALE)
_MAGIC = b"PQSIM\x00\x01\n"  # bump the version when tokens or weights change
_HEADER = struct.Struct("<qIIIIII")  # generation, docs, terms, entries, vocab bytes, top_k, crc32
_WORD_RE = re.compile(r"[^\W_]{2,}")
_MARKS_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")

STOP_WORDS = frozenset(
    """
    a about above after again against all almost along also although am among an and another any are around as
    at be because been before being below between both but by can cannot could did do does doing done down
    during each either else etc even ever every few for from further had has have having he her here hers him
    his how however i if in into is it its itself just least less many may me might more moreover most much must
    my neither no nor not now of off often on once one only onto or other otherwise our ours out over own per
    rather same several she should since so some such than that the their them then there thereby therefore
    these they this those though through thus to too toward towards two under until up upon us very via was we
    well were what whatever when where whereas whether which while who whom whose why will with within without
    would yet you your
    paper propose proposed introduce introduced present presented show shown demonstrate result method approach
    approaches novel new based using use used existing achieve achieved achieving art furthermore extensive
    experiment work study significant significantly effective effectively various respectively et al ii iii also
    first second third addition finally specifically particular recent recently improve improved outperform
    outperforming enable provide allow require leverage including
    """.split()
)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if len(word) > 3 and word[-1] == "s" and word[-2] not in "suia":
        return word[:-1]
    return word


def _term(raw: str) -> str | None:
    """The indexed term for a raw (folded) token, ``None`` when dropped."""
    if raw.isdigit() or raw in STOP_WORDS:
        return None
    term = _stem(raw)
    return None if term in STOP_WORDS or len(term) < 2 else term


def _fold(text: str) -> str:
    text = text.casefold()
    if not text.isascii():
        text = _MARKS_RE.sub("", unicodedata.normalize("NFKD", text))
    return text


def tokens(text: str) -> list[str]:
    """The indexed terms of ``text``, in order (for tests and tools)."""
    return [t for t in map(_term, _WORD_RE.findall(_fold(text or ""))) if t]


class _Vocabulary(dict):
    """Folded token -> term id (-1: dropped); ``names[id]`` is the term."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.ids: dict[str, int] = {}

    def __missing__(self, raw: str) -> int:
        term = _term(raw)
        tid = -1 if term is None else self.ids.setdefault(term, len(self.names))
        if tid == len(self.names):
            self.names.append(term)  # type: ignore[arg-type]
        self[raw] = tid
        return tid


@dataclass(frozen=True)
class Match:
    paper_id: int
    score: float
    words: tuple[str, ...]  # the terms that contributed most, heaviest first


class SimilarityIndex:
    """Top-K TF-IDF vectors of every paper plus their inverted index.

    Rows are documents in build order; ``fwd_*`` hold each row's terms (CSR by
    row), ``post_*`` each term's rows (CSR by term, rows ascending).
    """

    def __init__(self, generation: int, ids: array, fwd_off: array, fwd_terms: array, fwd_w: array,
                 post_off: array, post_rows: array, post_w: array, vocab: list[str]) -> None:
        self.generation = generation
        self.ids, self.vocab = ids, vocab
        self.fwd_off, self.fwd_terms, self.fwd_w = fwd_off, fwd_terms, fwd_w
        self.post_off, self.post_rows, self.post_w = post_off, post_rows, post_w
        self._row = {pid: row for row, pid in enumerate(ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._row

    # -- building --------------------------------------------------------------

    @classmethod
    def build(cls, docs: Iterable[tuple[int, str, str]], generation: int,
              progress: Callable[[int], None] | None = None) -> SimilarityIndex:
        """Index ``docs`` (paper id, title, abstract); a repeated id keeps its first text.

        ``progress(done)`` every :data:`PROGRESS_EVERY` documents read and once with the total
        at the end of reading; weighting and inverting follow (about a third of the time)."""
        vocab = _Vocabulary()
        ids, off, terms, counts = array("q"), array("I", [0]), array("I"), array("H")
        df: Counter[int] = Counter()
        seen: set[int] = set()
        find = _WORD_RE.findall
        for pid, title, abstract in docs:
            if pid in seen:
                continue
            seen.add(pid)
            words = find(_fold(abstract or "")) + find(_fold(title or "")) * TITLE_WEIGHT
            tf = Counter(map(vocab.__getitem__, words))  # in C but for tokens never seen before
            tf.pop(-1, None)
            if tf and max(tf.values()) > 65535:
                tf = Counter({t: min(c, 65535) for t, c in tf.items()})
            ids.append(pid)
            terms.extend(tf.keys())
            counts.extend(tf.values())
            off.append(len(terms))
            df.update(tf.keys())
            if progress is not None and len(ids) % PROGRESS_EVERY == 0:
                progress(len(ids))
        if progress is not None:
            progress(len(ids))
        names = vocab.names
        del vocab, seen  # the token cache can be large; the arrays below replace it
        return cls._weigh(generation, ids, off, terms, counts, df, names)

    @classmethod
    def _weigh(cls, generation: int, ids: array, off: array, terms: array, counts: array,
               df: Counter[int], names: list[str]) -> SimilarityIndex:
        total = len(ids)
        idf = [0.0] * len(names)
        for tid, n in df.items():
            idf[tid] = 1.0 + math.log((1 + total) / (1 + n))
        log_tf = [0.0] + [1.0 + math.log(c) for c in range(1, 65536)]  # counts are capped there
        tf_of, idf_of = log_tf.__getitem__, idf.__getitem__
        fwd_off, fwd_terms, fwd_w = array("I", [0]), array("I"), array("H")
        for row in range(total):
            a, b = off[row], off[row + 1]
            tids = terms[a:b]
            weights = list(map(mul, map(tf_of, counts[a:b]), map(idf_of, tids)))
            best = sorted(range(b - a), key=weights.__getitem__, reverse=True)[:TOP_K]  # stable on ties
            if best:
                ws, top = list(map(weights.__getitem__, best)), map(tids.__getitem__, best)
                quantised = array("H", map(round, map((_SCALE / math.hypot(*ws)).__mul__, ws)))
                fwd_terms.extend(top)
                fwd_w.extend(quantised if 0 not in quantised else (max(1, q) for q in quantised))
            fwd_off.append(len(fwd_terms))
        # Keep only the terms some document kept, renumbered densely.
        used = sorted(set(fwd_terms))
        remap = dict(zip(used, range(len(used))))
        fwd_terms = array("I", map(remap.__getitem__, fwd_terms))
        vocab = [names[t] for t in used]
        post_off, post_rows, post_w = cls._invert(fwd_off, fwd_terms, fwd_w, len(vocab))
        return cls(generation, ids, fwd_off, fwd_terms, fwd_w, post_off, post_rows, post_w, vocab)

    @staticmethod
    def _invert(fwd_off: array, fwd_terms: array, fwd_w: array, nterms: int) -> tuple[array, array, array]:
        sizes = Counter(fwd_terms)
        post_off = array("I", [0])
        post_off.extend(accumulate(sizes.get(t, 0) for t in range(nterms)))
        cursor = list(post_off[:-1])
        post_rows = array("I", bytes(4 * len(fwd_terms)))
        post_w = array("H", bytes(2 * len(fwd_terms)))
        for row in range(len(fwd_off) - 1):
            a, b = fwd_off[row], fwd_off[row + 1]
            for t, w in zip(fwd_terms[a:b], fwd_w[a:b]):
                pos = cursor[t]
                post_rows[pos] = row
                post_w[pos] = w
                cursor[t] = pos + 1
        return post_off, post_rows, post_w

    # -- queries ---------------------------------------------------------------

    def _vector(self, row: int) -> dict[int, int]:
        a, b = self.fwd_off[row], self.fwd_off[row + 1]
        return dict(zip(self.fwd_terms[a:b], self.fwd_w[a:b]))

    def _rank(self, query: dict[int, int], skip: set[int], limit: int) -> list[Match]:
        """The ``limit`` best rows for ``query`` (term -> weight), minus ``skip`` rows."""
        acc: dict[int, int] = {}
        get = acc.get
        post_off, post_rows, post_w = self.post_off, self.post_rows, self.post_w
        for t, qw in query.items():
            a, b = post_off[t], post_off[t + 1]
            for r, w in zip(post_rows[a:b], post_w[a:b]):
                acc[r] = get(r, 0) + qw * w
        for r in skip:
            acc.pop(r, None)
        if limit <= 0 or not acc:
            return []
        floor = min(heapq.nlargest(limit, acc.values()))
        ids = self.ids
        best = sorted(((-s, ids[r], r) for r, s in acc.items() if s >= floor))[:limit]
        return [Match(pid, min(1.0, -s / _SCALE2), self._why(query, r)) for s, pid, r in best]

    def _why(self, query: dict[int, int], row: int) -> tuple[str, ...]:
        doc = self._vector(row)
        parts = sorted((-qw * doc[t], self.vocab[t]) for t, qw in query.items() if t in doc)
        return tuple(word for _, word in parts[:WHY_WORDS])

    def _rows_of(self, paper_ids: Iterable[int]) -> set[int]:
        return {r for r in map(self._row.get, paper_ids) if r is not None}

    def similar_to(self, paper_id: int, limit: int = 50, hidden: Iterable[int] = ()) -> list[Match]:
        """The paper itself (score 1.0), then the ``limit - 1`` best others
        (none of the ``hidden`` ids: papers of deleted batches); unknown id: ``[]``."""
        row = self._row.get(paper_id)
        if row is None or limit <= 0:
            return []
        query = self._vector(row)
        first = Match(paper_id, 1.0, self._why(query, row))
        return [first, *self._rank(query, {row} | self._rows_of(hidden), limit - 1)]

    def similar_to_many(self, paper_ids: Iterable[int], limit: int = 50, hidden: Iterable[int] = ()) -> list[Match]:
        """Papers closest to the centroid of the seeds' vectors, seeds and
        ``hidden`` ids excluded, unknown ids ignored.

        The centroid keeps its :data:`CENTROID_TERMS` heaviest terms, which bounds the query cost."""
        rows = sorted(self._rows_of(paper_ids))
        total: dict[int, int] = {}
        for row in rows:
            for t, w in self._vector(row).items():
                total[t] = total.get(t, 0) + w
        top = sorted(total.items(), key=lambda tw: (-tw[1], tw[0]))[:CENTROID_TERMS]
        norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
        query = {t: max(1, round(w / norm * _SCALE)) for t, w in top}
        return self._rank(query, set(rows) | self._rows_of(hidden), limit)

    # -- the cache file --------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the index to ``path`` atomically: header, little-endian columns, vocabulary."""
        parts = [c.tobytes() for c in self._columns()] + ["\n".join(self.vocab).encode("utf-8")]
        crc = 0
        for part in parts:
            crc = zlib.crc32(part, crc)
        header = _HEADER.pack(self.generation, len(self.ids), len(self.vocab), len(self.fwd_terms),
                              len(parts[-1]), TOP_K, crc)
        try:
            check_regular(path)
        except UnsafePathError:
            # A link, FIFO or device where the cache belongs: a cache is only
            # ours to rebuild, so the entry goes (never what a link points to).
            Path(path).unlink()
        atomic_write_bytes(path, b"".join([_MAGIC, header, *parts]))

    @classmethod
    def load(cls, path: Path) -> SimilarityIndex | None:
        """The index saved at ``path``; ``None`` when missing, unreadable, corrupt or of another format."""
        try:
            if check_regular(path) is None:  # not a link, FIFO or device: those are rebuilt
                return None
            return cls._decode(memoryview(Path(path).read_bytes()))
        except (OSError, ValueError, struct.error, IndexError, MemoryError):
            return None

    def _columns(self) -> list[array]:
        columns = [self.ids, self.fwd_off, self.fwd_terms, self.fwd_w, self.post_off, self.post_rows, self.post_w]
        if sys.byteorder == "big":  # pragma: no cover - the file is little-endian
            columns = [array(c.typecode, c) for c in columns]
            for column in columns:
                column.byteswap()
        return columns

    @classmethod
    def _decode(cls, data: memoryview) -> SimilarityIndex | None:
        start = len(_MAGIC) + _HEADER.size
        if len(data) < start or bytes(data[: len(_MAGIC)]) != _MAGIC:
            return None
        generation, ndocs, nterms, nent, nvocab, top_k, crc = _HEADER.unpack_from(data, len(_MAGIC))
        sizes = [("q", ndocs), ("I", ndocs + 1), ("I", nent), ("H", nent), ("I", nterms + 1), ("I", nent), ("H", nent)]
        need = sum(array(code).itemsize * n for code, n in sizes) + nvocab
        if top_k != TOP_K or len(data) != start + need or zlib.crc32(data[start:]) != crc:
            return None
        columns, pos = [], start
        for code, n in sizes:
            column = array(code)
            column.frombytes(data[pos : pos + column.itemsize * n])
            if sys.byteorder == "big":  # pragma: no cover
                column.byteswap()
            columns.append(column)
            pos += column.itemsize * n
        ids, fwd_off, fwd_terms, _, post_off, post_rows, _ = columns
        ok = (
            len(set(ids)) == ndocs and fwd_off[0] == post_off[0] == 0 and fwd_off[-1] == post_off[-1] == nent
            and all(a <= b for a, b in zip(fwd_off, fwd_off[1:]))
            and all(a <= b for a, b in zip(post_off, post_off[1:]))
            and (not nent or (max(fwd_terms) < nterms and max(post_rows) < ndocs))
        )
        vocab = str(data[pos:], "utf-8").split("\n") if nterms else []
        return cls(generation, *columns, vocab) if ok and len(vocab) == nterms else None


def open_index(store: Any, progress: Callable[[int], None] | None = None) -> SimilarityIndex:
    """The store's similarity index: ``similar.bin`` when current, else rebuilt and saved.

    Blocking (a rebuild reads every abstract): run it in a worker. The generation is read
    first, so an import racing the build leaves a stale cache, never one claiming too much."""
    path = Path(store.home) / CACHE_NAME
    generation = store.generation
    index = SimilarityIndex.load(path)
    if index is not None and index.generation == generation:
        return index
    docs = ((paper.id, paper.title, details.abstract) for paper, details in store.iter_details())
    index = SimilarityIndex.build(docs, generation, progress)
    if not getattr(store, "read_only", False):
        try:
            index.save(path)
        except OSError:
            pass  # a cache: the next start rebuilds it
    return index
