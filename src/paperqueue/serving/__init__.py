"""``paperqueue serve``'s server: the app in a browser over a websocket.

A package of its own, apart from ``core`` (which imports no web server) and
``commands`` (the command line only): it imports aiohttp and textual-serve
at import time, so only ``paperqueue serve`` loads it.
"""

PASSWORD_VARIABLE = "PAPERQUEUE_SERVE_PASSWORD"  # read by serve, kept from the apps it starts
