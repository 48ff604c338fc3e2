"""``paperqueue serve``'s server: the app in a browser over a websocket.

A package of its own, apart from ``core`` (which imports no web server) and
``commands`` (the command line only). This file imports nothing heavy (the
command line reads it to check its options); :mod:`.server` imports aiohttp
and textual-serve, so only a running ``paperqueue serve`` loads them.
"""

from __future__ import annotations

import ipaddress

PASSWORD_VARIABLE = "PAPERQUEUE_SERVE_PASSWORD"  # read by serve, kept from the apps it starts


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or name, IPv6 maybe in brackets) is this
    machine only: localhost, 127.0.0.0/8, ::1. Other names may resolve
    anywhere, so they are not."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
