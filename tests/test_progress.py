"""The CLI progress bar draws on a terminal and stays silent in a pipe."""

from __future__ import annotations

import io

from paperqueue.progress import ProgressBar


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_draws_on_a_terminal_and_clears_itself() -> None:
    stream = FakeTTY()
    bar = ProgressBar("big.txt", stream=stream)
    bar("reading", 50, 100)
    assert "big.txt: reading" in stream.getvalue() and "50%" in stream.getvalue()
    bar("writing", 100, 100)
    assert "100%" in stream.getvalue()
    bar.finish()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_bar_is_silent_in_a_pipe() -> None:
    stream = io.StringIO()
    bar = ProgressBar("big.txt", stream=stream)
    bar("reading", 50, 100)
    bar.finish()
    assert stream.getvalue() == ""
