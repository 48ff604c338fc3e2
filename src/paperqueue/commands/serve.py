"""``paperqueue serve``: the app in a web browser, through textual-serve.

This module is the command line half: the options, where the password
comes from, and the refusal to listen beyond the loopback address without
one. The server itself (aiohttp, the app subprocesses) is
:mod:`paperqueue.serving.server`, imported only once the options are good.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from paperqueue.commands import EXIT_INPUT, EXIT_OK
from paperqueue.commands import error as _error
from paperqueue.serving import PASSWORD_VARIABLE, is_loopback


def add_parser(commands) -> None:  # noqa: ANN001 - argparse's subparsers action
    serve = commands.add_parser(
        "serve",
        help="serve the app to a web browser",
        description="Serve the app to a web browser: each browser tab runs its own paperqueue. The first one "
        "writes the queue; others open it read-only, as a second terminal does. Listens on 127.0.0.1 "
        "unless --host says otherwise, and any other address needs a password.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    secret = serve.add_mutually_exclusive_group()
    secret.add_argument(
        "--password", action="store_true",
        help=f"ask the browser for a password: ${PASSWORD_VARIABLE}, else typed at a prompt",
    )
    secret.add_argument("--password-file", type=Path, metavar="FILE", help="ask the browser for the password in FILE (its first line)")
    serve.add_argument(
        "--public-url", metavar="URL",
        help="the address browsers use to reach this server (behind a proxy, say); default: the one each browser used",
    )


def _password(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """``(password, None)``, or ``(None, why not)`` when one was asked for
    and none could be had. Taken out of the environment either way, so the
    app's subprocesses never see it."""
    from_environment = os.environ.pop(PASSWORD_VARIABLE, None)
    if args.password_file is not None:
        try:
            with open(args.password_file, encoding="utf-8") as file:
                password = file.readline().rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as failure:
            return None, f"cannot read the password file: {getattr(failure, 'strerror', None) or failure}"
        return (password, None) if password else (None, "the password file's first line is empty")
    if not args.password:
        return None, None
    if from_environment:
        return from_environment, None
    if not sys.stdin.isatty():
        return None, f"--password: set {PASSWORD_VARIABLE} (standard input is not a terminal to ask on)"
    try:
        password = getpass.getpass("Password for the browser: ")
    except (EOFError, KeyboardInterrupt):
        return None, "no password given"
    return (password, None) if password else (None, "the password is empty")


def _public_url(url: str | None) -> tuple[str | None, str | None]:
    if url is None:
        return None, None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return None, "--public-url must be an http:// or https:// address, like https://papers.example.org"
    return url.rstrip("/"), None


def cmd_serve(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        _error(f"--port must be between 0 and 65535, not {args.port}")
        return EXIT_INPUT
    public_url, problem = _public_url(args.public_url)
    if problem:
        _error(problem)
        return EXIT_INPUT
    asked = args.password or args.password_file is not None
    if not asked and not is_loopback(args.host):
        os.environ.pop(PASSWORD_VARIABLE, None)
        _error(
            f"listening on {args.host} lets other machines in: give a password "
            f"(--password with ${PASSWORD_VARIABLE} or a prompt, or --password-file FILE), or use --host 127.0.0.1"
        )
        return EXIT_INPUT
    password, problem = _password(args)
    if problem:
        _error(problem)
        return EXIT_INPUT
    from paperqueue.serving.server import ServeError, serve

    try:
        serve(host=args.host, port=args.port, password=password, public_url=public_url)
    except ServeError as failure:
        _error(str(failure))
        return EXIT_INPUT
    return EXIT_OK
