"""What each store file must hold, checked when it is read (issue 9 item 6).

Valid JSON of the wrong shape (a ``generation`` that is a string, a record
without ``key``, a state record that is a string, ``batches`` that is a
list) is treated like a file that is not JSON at all: the store sets it
aside and says so, instead of failing later with a traceback, or never.
The checks cost one pass of type tests over the records; the readers
(:meth:`Paper.from_record`, :meth:`PaperState.from_record`,
:meth:`PaperDetails.from_record`) may then trust the types they use.
"""

from __future__ import annotations

from pathlib import Path

from paperqueue.core.atomic import CorruptFileError
from paperqueue.core.models import Paper


class ShapeError(CorruptFileError):
    """A store file holds valid JSON, but not what paperqueue wrote there."""


_NONE = type(None)
_INT = (int,)
_OPT_STR = (str, _NONE)
_OPT_INT = (int, _NONE)


def _ints(value: object) -> bool:
    return type(value) is int


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(type(item) is str for item in value)


def _paper(record: object) -> str | None:
    if type(record) is not dict:
        return "a paper record is not an object"
    get = record.get
    if type(get("key")) is not str:
        return "a paper record has no key"
    if not isinstance(get("title", ""), str) or not isinstance(get("added_at", ""), str):
        return "a paper's title or time is not text"
    if not isinstance(get("arxiv_id"), _OPT_STR) or not isinstance(get("doi"), _OPT_STR):
        return "a paper's arXiv id or DOI is not text"
    if type(get("seq", 0)) is not int or type(get("batch", 0)) is not int:
        return "a paper's position or batch is not a number"
    links, batches = get("links"), get("batches")
    if links is not None and not _strings(links):
        return "a paper's links are not a list of text"
    if batches is not None and not (isinstance(batches, list) and all(map(_ints, batches))):
        return "a paper's batches are not a list of numbers"
    fold = get("fold")
    if fold is not None and not _strings(fold):
        return "a paper's fold is not a list of keys"
    was = get("was")
    if was is not None and _paper(was) is not None:
        return "a paper's earlier record is damaged"
    return None


def _state(record: object) -> str | None:
    if type(record) is not dict:
        return "a state record is not an object"
    get = record.get
    if type(get("key")) is not str:
        return "a state record has no key"
    if not isinstance(get("starred_at"), _OPT_STR) or not isinstance(get("read_at"), _OPT_STR):
        return "a state's time is not text"
    fold = get("fold")
    if fold is not None and not _strings(fold):
        return "a state's fold is not a list of keys"
    was = get("was")
    if was is not None and _state(was) is not None:
        return "a state's earlier record is damaged"
    return None


def _details(record: object) -> str | None:
    if type(record) is not dict:
        return "an abstract record is not an object"
    get = record.get
    if type(get("key")) is not str:
        return "an abstract record has no key"
    if not isinstance(get("abstract", ""), str):
        return "an abstract is not text"
    for name in ("authors", "categories"):
        value = get(name)
        if value is not None and not _strings(value):
            return f"{name} are not a list of text"
    for name in ("published", "updated", "pdf_url", "entry_type", "venue"):
        if not isinstance(get(name), _OPT_STR):
            return f"{name} is not text"
    for name in ("upvotes", "comments"):
        value = get(name)
        if not isinstance(value, _OPT_INT) or type(value) is bool:
            return f"{name} is not a number"
    return None


def meta_problem(meta: object) -> str | None:
    """What is wrong with ``meta.json``'s record (``None``: nothing)."""
    if type(meta) is not dict:
        return "its record is not an object"
    for name in ("generation", "count", "max_id", "layout"):
        value = meta.get(name, 0)
        if type(value) is not int or value < 0:
            return f"{name} is not a number"
    batches = meta.get("batches", {})
    if type(batches) is not dict:
        return "batches is not an object"
    for number, info in batches.items():
        if not number.isdigit() or not (type(info) is int or type(info) is dict):
            return "a batch is damaged"
        if type(info) is dict:
            if not isinstance(info.get("name"), _OPT_STR) or not isinstance(info.get("start"), _OPT_INT):
                return "a batch's name or first paper is damaged"
    aliases = meta.get("aliases", {})
    if type(aliases) is not dict or not all(type(v) is str for v in aliases.values()):
        return "aliases is not an object of keys"
    return None


_RECORDS = {"papers": _paper, "state": _state, "abstracts": _details}


def check(path: Path, table: str, data: dict, *, records: bool = True) -> None:
    """Raise :class:`ShapeError` if ``data`` (a whole TinyDB file) is not
    what the store writes to a ``table`` file. Without ``records`` each
    record is left for the reader to check (an index shard read at open:
    :func:`paper_of` checks a record as it reads it)."""
    docs = data.get(table, {})
    if type(docs) is not dict:
        raise ShapeError(path, f"the {table} table is not an object")
    for name, other in data.items():
        if type(other) is not dict:
            raise ShapeError(path, f"the {name} table is not an object")
    if not all(doc_id.isdigit() for doc_id in docs):
        raise ShapeError(path, "a document number is not a number")
    if table == "meta":
        if docs:
            problem = meta_problem(docs.get("1"))
            if problem:
                raise ShapeError(path, problem)
        return
    if table == "settings":
        if docs and type(docs.get("1")) is not dict:
            raise ShapeError(path, "the settings are not an object")
        return
    record_problem = _RECORDS.get(table)
    if record_problem is None or not records:
        return
    for record in docs.values():
        problem = record_problem(record)
        if problem:
            raise ShapeError(path, problem)


def paper_of(record: object, doc_id: int) -> Paper | None:
    """The paper an index record holds, read as :meth:`Paper.from_record`
    reads it, or ``None`` when the record fails :func:`_paper`'s checks:
    one pass over its fields for both (100,000 records at open). A record
    holding a fold or an earlier record is checked whole (:func:`_paper`)."""
    if type(record) is not dict:
        return None
    get = record.get
    key, title, added, arxiv, doi = get("key"), get("title", ""), get("added_at", ""), get("arxiv_id"), get("doi")
    seq, batch, links, batches = get("seq", 0), get("batch", 0), get("links"), get("batches")
    if (type(key) is not str or not isinstance(title, str) or not isinstance(added, str)
            or not isinstance(arxiv, _OPT_STR) or not isinstance(doi, _OPT_STR)
            or type(seq) is not int or type(batch) is not int):
        return None
    if links is not None and not _strings(links):
        return None
    if batches is not None and not (isinstance(batches, list) and all(map(_ints, batches))):
        return None
    if ("fold" in record or "was" in record) and _paper(record) is not None:
        return None
    return Paper(key, title, arxiv, tuple(links) if links else (), added, seq, batch, doc_id, doi,
                 tuple(batches) if batches else (batch,), get("auth", False), get("gen", 0))
