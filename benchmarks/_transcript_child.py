"""One measured transcript start-up, run in a fresh process by `benchmarks.transcript`.

    python benchmarks/_transcript_child.py bare|transcript [--home H] [--id ID] [--size WxH]

Times are seconds since process start (the parent's `time.monotonic()` is in $BENCH_T0), taken
with the picker benchmark's FrameWatch: "first_screen" is the end of the first frame in which
the TranscriptView drew the first blocks; "full" the end of the frame after the whole thread
replaced them. Peak memory is the process's maximum resident set size (ru_maxrss) at the end.
Imports only the standard library before the app itself.
"""

from __future__ import annotations

import os
import resource
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _picker_child as pc  # stdlib-only at import: its marks and frame watch


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def run_bare(size: tuple[int, int]) -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    pc._mark("imports")
    pc._FRAMES = pc.FrameWatch()

    class Bare(App):
        def compose(self) -> ComposeResult:
            yield Static("Hello from a bare Textual app", id="hello")

        def on_mount(self) -> None:
            pc._arm(self.screen, self.query_one(Static), "first_paint",
                    then=lambda: pc._finish({"peak_rss": _peak_rss_bytes()}))

    Bare().run(headless=True, size=size)


def run_transcript(home: str, thread_id: str, size: tuple[int, int]) -> None:
    import codex_tui.cli  # noqa: F401 - the real entry point imports it first
    from codex_tui.app import CodexTuiApp
    from codex_tui.store import LocalThreadStore
    from codex_tui.widgets.transcript_view import TranscriptView

    pc._mark("imports")
    pc._FRAMES = pc.FrameWatch()
    stats: dict = {}
    set_blocks = TranscriptView.set_blocks

    def timed_set_blocks(self, blocks, *args, **kwargs):
        set_blocks(self, blocks, *args, **kwargs)
        if "first_blocks" not in pc._MARKS:
            pc._mark("first_blocks")
            stats["first_blocks"] = len(blocks)
            stats["rss_at_first_blocks"] = _peak_rss_bytes()
            pc._arm(self.screen, self, "first_screen")
        self.app.call_later(check_full, self)

    def check_full(view) -> None:
        if view.screen.busy or "full_set" in pc._MARKS:
            return
        pc._mark("full_set")
        stats["blocks"] = len(view.blocks)

        def done() -> None:
            stats["peak_rss"] = _peak_rss_bytes()
            pc._finish(stats)

        pc._arm(view.screen, view, "full", then=done)
        view.refresh()

    TranscriptView.set_blocks = timed_set_blocks
    store = LocalThreadStore(home)
    app = CodexTuiApp(store, cwd=None, transcript=thread_id)
    pc._mark("app_built")
    pc._watchdog(app, 300)
    app.run(headless=True, size=size)


def main() -> None:
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("bare", "transcript"))
    p.add_argument("--home")
    p.add_argument("--id")
    p.add_argument("--size", default="150x40")
    a = p.parse_args()
    size = tuple(int(x) for x in a.size.split("x"))
    if a.mode == "bare":
        run_bare(size)
    else:
        run_transcript(a.home, a.id, size)


if __name__ == "__main__":
    main()
