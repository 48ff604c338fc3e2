"""One paper, one key, everywhere (issue 13): which key wins when two keys
turn out to be one paper.

Every key a paper line was sent under has a *first stamp*: the lowest
stamp of any paper line of that key, this device's own (recorded when it
sends them) or another's (recorded when it reads them). When a line of key
``K`` from another device is found to be a paper this queue knows as ``L``
(by arXiv id, DOI or title), the key with the lower first stamp wins (ties:
the smaller key), on every device, since every device sees the same lines:

- ``L`` wins: ``K`` becomes an alias of ``L`` here (the import's
  ``aliases``: it resolves wherever a key is looked up, and the other
  device's changes of ``K`` apply to ``L``);
- ``K`` wins: the paper here takes ``K`` (the import's ``rekeys``: a new
  paper of that key that ``L`` is folded into, keeping its place, batches
  and state) and ``L`` becomes the alias. The device that sent ``L`` does
  the same when it reads ``K``'s line.

The first stamps live in the device-local ``sync-firsts.json`` (read only
by a sync that sends or lands papers; rebuilt from every paper line in the
sync folder when it is missing or damaged: :func:`scan_firsts`); the older
per-device key map (their key -> the key here, from before aliases were
committed in the store) in ``sync-keys.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import orjson

from paperqueue.core.atomic import CorruptFileError, atomic_write_bytes, read_json, set_aside
from paperqueue.core.sync.changes import PaperLine
from paperqueue.core.sync.decoding import decode_chunk
from paperqueue.core.sync.hlc import Stamp, parse_stamp, valid_device

KEYS = "sync-keys.json"
FIRSTS = "sync-firsts.json"
_BLOCK = 8 << 20


@dataclass
class KeyMap:
    """``keys``: their key -> the key here (kept from older syncs);
    ``firsts``: key -> its first stamp (text), ``None`` until
    :meth:`ensure_firsts` reads them."""

    keys: dict[str, str] = field(default_factory=dict)
    firsts: dict[str, str] | None = None
    changed: bool = False  # firsts to save

    def ensure_firsts(self, home: Path, folder: Path) -> None:
        """Read the first stamps (the folder's paper lines when the file is
        missing or damaged, set aside, never deleted)."""
        if self.firsts is not None:
            return
        record = _read(home / FIRSTS)
        if record is None:
            self.firsts = {}
            scan_firsts(folder, self)
            self.changed = True
        else:
            self.firsts = {k: v for k, v in record.items() if isinstance(k, str) and isinstance(v, str)}

    def saw(self, key: str, stamp: Stamp) -> None:
        """Remember a paper line of ``key`` stamped ``stamp``."""
        assert self.firsts is not None, "ensure_firsts first"
        text = stamp.text()
        kept = self.firsts.get(key)
        if kept is None or _order(text) < _order(kept):
            self.firsts[key] = text
            self.changed = True

    def first(self, key: str) -> tuple | None:
        text = self.firsts.get(key) if self.firsts is not None else None
        return _order(text) if text is not None else None

    def winner(self, theirs: str, here: str) -> str:
        """The key that ``theirs`` and ``here`` (one paper) both take. A key
        whose first stamp is not known loses to one whose is; with neither
        known, the key here stays."""
        a, b = self.first(theirs), self.first(here)
        if a is None:
            return here
        if b is None:
            return theirs
        return theirs if (a, theirs) < (b, here) else here


def _order(text: str) -> tuple:
    stamp = parse_stamp(text)
    return (stamp.ms, stamp.counter, stamp.device) if stamp is not None else (1 << 62, 0, text)


def _read(path: Path) -> dict | None:
    """A JSON object file; ``None`` when missing, unreadable or damaged (set aside)."""
    try:
        record = read_json(path)
    except (ValueError, CorruptFileError):
        record = False
    except OSError:
        return None
    if record is None:
        return None
    if not isinstance(record, dict):
        try:
            set_aside(path)
        except OSError:
            pass  # replaced by the next save
        return None
    return record


def load(home: Path) -> KeyMap:
    """The key map (first stamps not read yet)."""
    record = _read(home / KEYS) or {}
    if isinstance(record.get("keys"), dict):  # a shape written for a while: keys and firsts in one file
        record = record["keys"]
    return KeyMap({k: v for k, v in record.items() if isinstance(k, str) and isinstance(v, str)})


def save(home: Path, keymap: KeyMap) -> None:
    """The key map, and the first stamps when they changed."""
    if keymap.firsts is not None and keymap.changed:
        atomic_write_bytes(home / FIRSTS, orjson.dumps(keymap.firsts), new_mode=0o600)
        keymap.changed = False
    atomic_write_bytes(home / KEYS, orjson.dumps(keymap.keys, option=orjson.OPT_SORT_KEYS), new_mode=0o600)


def scan_firsts(folder: Path, keymap: KeyMap) -> None:
    """Every paper line in the folder's files (this device's too) into
    ``keymap.firsts``: read when the first stamps file is missing (a sync
    folder set up before they were kept, or a damaged file)."""
    if keymap.firsts is None:
        keymap.firsts = {}
    try:
        owners = sorted(entry for entry in folder.iterdir() if entry.is_dir() and valid_device(entry.name))
    except OSError:
        return
    for owner in owners:
        for path in sorted(owner.iterdir()):
            if not path.name.endswith(".jsonl") or path.name.startswith("."):
                continue
            try:
                handle = path.open("rb")
            except OSError:
                continue
            with handle:
                held = b""
                while block := handle.read(_BLOCK):
                    papers: list[PaperLine] = []
                    data = held + block
                    _changes, _bad, used = decode_chunk(data, papers)
                    held = data[used:]
                    for line in papers:
                        keymap.saw(line.key, line.stamp)


def aliases_of(keymap: KeyMap, aliases: dict[str, str]) -> dict[str, str]:
    """Every other key -> the key here (the store's aliases over the older map)."""
    return {**keymap.keys, **aliases}


def names_here(keymap: KeyMap, aliases: dict[str, str], papers: object) -> dict[str, list[str]]:
    """Key here -> every key the fold may name that paper by (its own first)."""
    from paperqueue.core.store.fold import resolve

    found: dict[str, list[str]] = {}
    for other in aliases_of(keymap, aliases):
        here = resolve(other, keymap.keys, aliases)
        if here != other and here in papers:  # type: ignore[operator]
            found.setdefault(here, [here]).append(other)
    return found


__all__ = ["FIRSTS", "KEYS", "KeyMap", "aliases_of", "load", "names_here", "save", "scan_firsts"]
