"""What one ``j`` makes paperqueue do: frames, layout passes, what each
frame repaints, which widgets render how many lines, and where the time
goes (cProfile). Companion of ``keystroke.py``, which times the same key
in a real terminal.

    .venv/bin/python benchmarks/keystroke_profile.py STORE [--presses 20] [--size 120x40] [--top 25]

Runs the app headless (``run_test``) on a copy of STORE (a paperqueue data
folder, e.g. the one ``keystroke.py --work DIR`` leaves in DIR), waits
until it is idle, then presses ``j`` PRESSES times, each followed by a
quiet 0.3 s. Every frame is also encoded to terminal bytes, as a real
terminal's driver would (the headless one skips that). Prints, per press
on average: screen updates and their kind (a full-screen ``LayoutUpdate``
or a partial ``ChopsUpdate``, with the screen lines and cells it covers),
layout passes (``Compositor.reflow``), the widgets each update was for,
and lines rendered per widget; then one press in detail, and the
cProfile of all presses.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

clock = time.perf_counter


def widget_name(widget) -> str:
    return f"{type(widget).__name__}#{widget.id}" if widget.id else type(widget).__name__


async def profile(store: Path, presses: int, size: tuple[int, int], top: int) -> None:
    from textual._compositor import ChopsUpdate, Compositor, LayoutUpdate
    from textual.app import App
    from textual.screen import Screen
    from textual.widget import Widget

    from paperqueue.ui.app import PaperQueueApp

    events: list[tuple] = []  # (time, what, details)
    rendered: Counter = Counter()  # widget -> lines rendered
    recording = False

    display, timer_update, reflow, reflow_visible = App._display, Screen._on_timer_update, Compositor.reflow, Compositor.reflow_visible
    render_lines = Widget.render_lines

    def hooked_display(self, screen, renderable):
        display(self, screen, renderable)
        if renderable is None or not recording:
            return
        data = renderable.render_segments(self.console) if hasattr(renderable, "render_segments") else ""
        if isinstance(renderable, LayoutUpdate):
            kind, lines, cells = "full screen", size[1], size[0] * size[1]
        elif isinstance(renderable, ChopsUpdate):
            kind = "partial"
            lines = len({y for y, _, _ in renderable.spans})
            cells = sum(x2 - x1 for _, x1, x2 in renderable.spans)
        else:
            kind, lines, cells = type(renderable).__name__, 0, 0
        events.append((clock(), "frame", (kind, lines, cells, len(data.encode()))))

    def hooked_timer_update(self):
        if recording:
            why = []
            if self._layout_required:
                why.append("layout")
            if self._scroll_required:
                why.append("scroll")
            if self._repaint_required:
                why.append("repaint")
            dirty = sorted(widget_name(w) for w in self._dirty_widgets)
            layout_for = sorted(widget_name(w) for w in self._layout_widgets)
            events.append((clock(), "update", (why, dirty, layout_for)))
        start = clock()
        timer_update(self)
        if recording:
            events.append((clock(), "update done", clock() - start))

    def hooked_reflow(self, parent, size_):
        start = clock()
        result = reflow(self, parent, size_)
        if recording:
            events.append((clock(), "reflow", clock() - start))
        return result

    def hooked_reflow_visible(self, parent, size_):
        start = clock()
        result = reflow_visible(self, parent, size_)
        if recording:
            events.append((clock(), "reflow visible", clock() - start))
        return result

    def hooked_render_lines(self, crop):
        lines = render_lines(self, crop)
        if recording:
            rendered[widget_name(self)] += len(lines)
        return lines

    App._display = hooked_display
    Screen._on_timer_update = hooked_timer_update
    Compositor.reflow = hooked_reflow
    Compositor.reflow_visible = hooked_reflow_visible
    Widget.render_lines = hooked_render_lines
    # ScrollView subclasses (the paper list) draw through render_line, not render_lines.
    from paperqueue.ui.widgets.paper_list import PaperList

    list_render_line = PaperList.render_line

    def hooked_list_line(self, y):
        if recording:
            rendered["PaperList#papers (render_line)"] += 1
        return list_render_line(self, y)

    PaperList.render_line = hooked_list_line

    app = PaperQueueApp(home=store)
    per_press: list[list[tuple]] = []
    profiler = cProfile.Profile()
    async with app.run_test(size=size) as pilot:
        deadline = clock() + 300
        while not (app.store is not None and app.store.complete and app.queue_screen.searcher.index is not None):
            if clock() > deadline:
                raise TimeoutError("the queue did not load within 300 s")
            await asyncio.sleep(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause(1.0)
        for _ in range(presses):
            events.clear()
            recording = True
            start = clock()
            profiler.enable()
            await pilot.press("j")
            await pilot.pause(0.3)
            profiler.disable()
            recording = False
            per_press.append([(t - start, what, details) for t, what, details in events])
        rows = len(app.queue_screen.queue or [])

    frames = [[e for e in p if e[1] == "frame"] for p in per_press]
    reflows = [[e for e in p if e[1] == "reflow"] for p in per_press]
    print(f"{presses} presses of j at {size[0]}x{size[1]} on {rows:,} papers (headless; frames encoded as a terminal would)")
    print(f"  screen updates per press: median {statistics.median(len(f) for f in frames)}, "
          f"max {max(len(f) for f in frames)}")
    kinds = Counter(e[2][0] for f in frames for e in f)
    print(f"  kinds of update over all presses: {dict(kinds)}")
    print(f"  full layout passes (Compositor.reflow) per press: median {statistics.median(len(r) for r in reflows)}, "
          f"each {statistics.median([e[2] for r in reflows for e in r] or [0]) * 1000:.1f} ms median")
    print(f"  screen lines repainted per press: median {statistics.median(sum(e[2][1] for e in f) for f in frames)} "
          f"of {size[1]}; cells {statistics.median(sum(e[2][2] for e in f) for f in frames):,.0f} of {size[0] * size[1]:,}; "
          f"bytes to the terminal {statistics.median(sum(e[2][3] for e in f) for f in frames):,.0f}")
    print("  lines rendered per press, by widget:")
    for name, count in rendered.most_common():
        print(f"    {name}: {count / presses:.1f}")
    why = defaultdict(int)
    for p in per_press:
        for e in p:
            if e[1] == "update":
                why[(tuple(e[2][0]), tuple(e[2][1]), tuple(e[2][2]))] += 1
    print("  screen update passes (what was required, dirty widgets, widgets asking for layout) over all presses:")
    for (reasons, dirty, layout_for), count in sorted(why.items(), key=lambda kv: -kv[1]):
        print(f"    {count}x  {'+'.join(reasons) or '-'}  dirty={list(dirty)}  layout for={list(layout_for)}")
    middle = per_press[len(per_press) // 2]
    print(f"  press {len(per_press) // 2 + 1} in detail (ms from the key):")
    for t, what, details in middle:
        if what == "update done":
            details = f"{details * 1000:.1f} ms"
        elif what in ("reflow", "reflow visible"):
            details = f"{details * 1000:.1f} ms"
        print(f"    {t * 1000:7.1f}  {what}: {details}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    print(f"cProfile of all {presses} presses (includes the test pilot's own waiting), top {top} by cumulative time:")
    print(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path, help="a paperqueue data folder (copied; the copy is removed)")
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    work = Path(tempfile.mkdtemp(prefix="paperqueue-keyprof-"))
    try:
        home = work / "home"
        shutil.copytree(args.store, home, symlinks=True)
        (home / "queue.lock").unlink(missing_ok=True)
        asyncio.run(profile(home, args.presses, (width, height), args.top))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
