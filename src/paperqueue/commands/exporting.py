"""``paperqueue export``: the queue as BibTeX, Markdown, JSON or CSV, to
standard output or written atomically with ``-o``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from paperqueue.commands import EXIT_INPUT, EXIT_OK, EXIT_STORE, open_for_reading
from paperqueue.commands import error as _error


def _umask_mode() -> int:
    """The mode a new file gets from ``open()`` here (0666 less the umask): an
    export is the person's own document, not part of the private store."""
    umask = os.umask(0o077)
    os.umask(umask)
    return 0o666 & ~umask


def _unwritable_output(path: Path) -> str | None:
    """Why ``export -o`` will not write ``path`` (a FIFO, a device, a link to
    one or to nothing), or ``None``. A regular file, a link to one, or a new
    name are fine."""
    import stat

    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"{path}: cannot check ({error.strerror or error})"
    if stat.S_ISLNK(info.st_mode):
        target = Path(os.path.realpath(path))
        try:
            info = os.lstat(target)
        except OSError:
            return f"{path}: is a symbolic link to {target}, which does not exist; give the file itself"
        if not stat.S_ISREG(info.st_mode):
            return f"{path}: is a symbolic link to {target}, which is not a regular file; leave out -o to write to standard output"
        return None
    if not stat.S_ISREG(info.st_mode):
        return f"{path}: not a regular file; leave out -o to write to standard output"
    return None


def cmd_export(args: argparse.Namespace) -> int:
    from paperqueue.core.atomic import UnsafePathError, atomic_write_bytes
    from paperqueue.core.export import UnknownBatchError, UnknownTagError, export, format_for

    implied = format_for(args.output) if args.output is not None else None
    if args.format is None:
        args.format = implied or "json"
    elif implied and implied != args.format:
        _error(f"note: writing {args.format} into {args.output} as --format asks")
    if args.output is not None:
        folder = args.output.parent
        if not folder.is_dir():
            _error(f"export: {folder}: no such folder" if not folder.exists() else f"export: {folder}: not a folder")
            return EXIT_INPUT
        if args.output.is_dir():
            _error(f"export: {args.output}: is a folder; give a file name")
            return EXIT_INPUT
        problem = _unwritable_output(args.output)
        if problem:
            _error(f"export: {problem}")
            return EXIT_INPUT
    store = open_for_reading()
    if store is None:
        return EXIT_STORE
    try:
        text = export(store, args.format, args.view, args.batch, args.tag)
    except (UnknownBatchError, UnknownTagError) as error:
        _error(str(error))
        return EXIT_INPUT
    finally:
        store.close()
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        # A link to a regular file is followed (the link stays, its file is
        # replaced); anything else that is not a regular file was refused above.
        atomic_write_bytes(args.output, text.encode("utf-8"), new_mode=_umask_mode(), follow=True)
    except UnsafePathError as error:
        _error(f"export: {error}")
        return EXIT_INPUT
    except OSError as error:
        _error(f"{args.output}: cannot write ({error.strerror or error})")
        return EXIT_STORE
    return EXIT_OK
