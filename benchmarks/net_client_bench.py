"""The HTTP client's numbers: refusing a body over the cap, and arXiv's spacing.

    .venv/bin/python benchmarks/net_client_bench.py [--delay 1.0] [--requests 5]

1. A 60 MB body (plain, streamed without a length; and a gzip bomb that
   inflates to 60 MB) against the 50 MB cap: the time until the refusal and
   the memory held, in a fresh child process each (peak RSS over a child
   that fetched a tiny body, and the tracemalloc peak of the request).
2. Two processes each sending ``--requests`` requests to an "arXiv" on the
   loopback host with ``PAPERQUEUE_ARXIV_DELAY=--delay``: the gaps between
   requests as the server saw them (never below the delay).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from net_server import Canned, NetServer  # noqa: E402

MB = 1024 * 1024

REFUSE = """
import json, resource, sys, time, tracemalloc
from pathlib import Path
from paperqueue.core.net import Client, FetchError

url, home, traced = sys.argv[1], Path(sys.argv[2]), sys.argv[3] == "1"
client = Client(home)
client.get(url.rsplit("/", 1)[0] + "/tiny")  # warm: connection pool, imports
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if traced:
    tracemalloc.start()
start = time.perf_counter()
try:
    client.get(url)
    reason = "accepted"
except FetchError as error:
    reason = error.reason
elapsed = time.perf_counter() - start
peak = tracemalloc.get_traced_memory()[1] if traced else 0
print(json.dumps({"reason": reason, "seconds": elapsed, "rss_kb_over_base": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base, "traced": peak}))
"""

SPACED = """
import sys
from pathlib import Path
from paperqueue.core.net import Client

with Client(Path(sys.argv[1])) as http:
    for _ in range(int(sys.argv[3])):
        http.get(sys.argv[2])
"""


def refusal(server: NetServer, home: Path) -> None:
    server.route("/tiny", Canned.text("ok"))
    server.route("/plain", Canned.streamed(60 * MB))
    server.route("/bomb", Canned.gzip_bomb(60 * MB))
    print("60 MB body against the 50 MB cap (child process each):")
    for name in ("plain", "bomb"):
        for traced in ("0", "1"):
            out = subprocess.run(
                [sys.executable, "-c", REFUSE, server.url_for(f"/{name}"), str(home), traced],
                capture_output=True, text=True, check=True,
            ).stdout
            found = json.loads(out)
            if traced == "0":
                print(f"  {name:5}: {found['reason']!r} in {found['seconds'] * 1000:.0f} ms, peak RSS +{found['rss_kb_over_base'] / 1024:.1f} MB over a tiny request", end="")
            else:
                print(f"; tracemalloc peak {found['traced'] / MB:.1f} MB")


def spacing(server: NetServer, home: Path, delay: float, requests: int) -> None:
    url = server.route("/api/query", Canned.text("<feed/>"))
    env = dict(
        os.environ,
        PAPERQUEUE_ARXIV_RSS=server.url + "/rss",
        PAPERQUEUE_ARXIV_API=server.url + "/api/query",
        PAPERQUEUE_ARXIV_WEB=server.url,
        PAPERQUEUE_ARXIV_DELAY=str(delay),
    )
    before = len(server.requests)
    children = [subprocess.Popen([sys.executable, "-c", SPACED, str(home), url, str(requests)], env=env) for _ in range(2)]
    for child in children:
        child.wait()
    times = sorted(request.at for request in server.requests[before:])
    gaps = [b - a for a, b in zip(times, times[1:])]
    print(
        f"arXiv gate, 2 processes x {requests} requests, delay {delay} s: {len(times)} requests, "
        f"gaps min {min(gaps):.3f} s, median {statistics.median(gaps):.3f} s, max {max(gaps):.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=5)
    args = parser.parse_args()
    server = NetServer()
    try:
        with tempfile.TemporaryDirectory() as folder:
            refusal(server, Path(folder))
            spacing(server, Path(folder), args.delay, args.requests)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
