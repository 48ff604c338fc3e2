"""A one-line progress bar for the command line (drawn only on a terminal)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.enabled = self.stream.isatty()
        self._last = 0.0
        self._drawn = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        if total:
            fraction = min(1.0, done / total)
            filled = int(fraction * self.width)
            bar = "█" * filled + "░" * (self.width - filled)
            text = f"\r{self.label}: {stage:<8} {bar} {fraction:4.0%}"
        else:
            text = f"\r{self.label}: {stage:<8} {done:,}"
        self.stream.write(text + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False
