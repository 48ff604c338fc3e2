"""Stop a child process at every write boundary in turn (see
:mod:`paperqueue.core.crashpoints`), and let the test check what is on disk
after each stop.

    for stop in every_boundary(home, SCRIPT, prepare=seed):
        ...check home...

``prepare(home)`` rebuilds the starting state before each run (the harness
copies a prepared folder, so preparing happens once). ``SCRIPT`` is Python
run with ``PAPERQUEUE_HOME`` set; what it prints to standard output is in
``stop.out`` (a script prints what it has reported saved).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Stop:
    number: int  # the boundary the child was killed at; 0 for the run that finished
    label: str
    killed: bool
    out: str
    home: Path


def run_child(home: Path, script: str, *, crash_at: int = 0, log: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    child_env = {**os.environ, "PAPERQUEUE_HOME": str(home), **(env or {})}
    child_env.pop("PAPERQUEUE_CRASH_AT", None)
    child_env.pop("PAPERQUEUE_CRASH_LOG", None)
    if crash_at:
        child_env["PAPERQUEUE_CRASH_AT"] = str(crash_at)
    if log is not None:
        child_env["PAPERQUEUE_CRASH_LOG"] = str(log)
    return subprocess.run([sys.executable, "-c", script], env=child_env, capture_output=True, text=True, timeout=300)


def boundaries(home: Path, script: str, prepare: Callable[[Path], None], work: Path, env: dict | None = None) -> list[str]:
    """The labels of every boundary the script passes, in order."""
    start = work / "start"
    if start.exists():
        shutil.rmtree(start)
    prepare(start)
    trial = work / "count"
    _copy(start, trial)
    log = work / "boundaries.log"
    log.unlink(missing_ok=True)
    done = run_child(trial, script, log=log, env=env)
    assert done.returncode == 0, done.stderr
    if not log.exists():
        return []
    return [line.split(" ", 1)[1] for line in log.read_text(encoding="utf-8").splitlines()]


def every_boundary(
    home: Path, script: str, prepare: Callable[[Path], None], work: Path, *, env: dict | None = None, every: int = 1
) -> Iterator[Stop]:
    """Run ``script`` once per boundary (every ``every``-th), killed there,
    starting each time from what ``prepare`` made; yields each stop (``home``
    holds what the killed child left). A last run is not killed."""
    labels = boundaries(home, script, prepare, work, env)
    assert labels, "the script wrote nothing: no boundary to stop at"
    start = work / "start"
    numbers = list(range(1, len(labels) + 1, every))
    if numbers[-1] != len(labels):
        numbers.append(len(labels))
    for number in [*numbers, 0]:
        _copy(start, home)
        done = run_child(home, script, crash_at=number, env=env)
        killed = done.returncode == -9
        assert killed == bool(number), f"stop {number}: exit {done.returncode}\n{done.stderr}"
        yield Stop(number, labels[number - 1] if number else "finished", killed, done.stdout, home)


def _copy(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, symlinks=True)
