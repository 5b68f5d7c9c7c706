"""One measured start-up, run in a fresh process by `benchmarks.picker` and
`benchmarks.remote` (not by hand).

    python benchmarks/_picker_child.py bare|picker [--home H] [--cwd DIR] [--all]
        [--until rows|done] [--size WxH] [--remote HOST | --remote-command CMD]

The parent puts its `time.monotonic()` from just before the spawn in $BENCH_T0 (CLOCK_MONOTONIC
is shared by every process), so every time printed here is "seconds since process start",
interpreter start-up and imports included. Both modes take their times the same way, with a
`FrameWatch`: "painted" is the end of the first compositor refresh of the screen, after the
trigger, in which the watched widget rendered (the Static of the bare app, the SessionList of
the picker). `call_after_refresh` alone is not enough: it can run before a widget that was
just refreshed has asked its screen for the repaint (the widget's idle handler posts that), so
it is only recorded alongside, as `<name>_car`. The last result prints one JSON line and
leaves with `os._exit` (no shutdown in the measurement). With --remote or --remote-command
the picker lists through `codex app-server`, and the marks split its time: the server's start,
each request, the names read from the server, the conversion of the rows (`_time_rpc`).

This file imports only the standard library before the app itself, so that the bare Textual
app and the picker pay for the same things.
"""

from __future__ import annotations

import os
import sys
import time

_T0 = float(os.environ.get("BENCH_T0") or time.monotonic())
_MARKS: dict[str, float] = {"interpreter": time.monotonic() - _T0}
_CPU: dict[str, float] = {"interpreter": time.process_time()}  # CPU of all threads so far


def _mark(name: str) -> None:
    if name not in _MARKS:
        _MARKS[name] = time.monotonic() - _T0
        _CPU[name] = time.process_time()


def _finish(extra: dict | None = None) -> None:
    import json
    import resource

    # Peak resident memory of the whole process (Linux: KiB), whatever the run measured.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    out = {"marks": _MARKS, "cpu": _CPU, "peak_rss": peak, **(extra or {})}
    sys.__stdout__.write("BENCH " + json.dumps(out) + "\n")
    sys.__stdout__.flush()
    os._exit(0)


class FrameWatch:
    """Calls back at the end of the first screen refresh, after `watch()`, in which a given
    widget rendered. Wraps `Screen._compositor_refresh` and `Screen._on_timer_update` (class
    attributes, once) and the watched widget's own `render_lines` (an instance attribute, so
    that it still sees renders when something patches the widget's class)."""

    def __init__(self, clock=time.perf_counter) -> None:
        from textual.screen import Screen

        self.clock = clock
        self._pending: list[list] = []  # [widget, rendered, callback]
        self.tick_started = 0.0  # when the screen update that is painting began
        compositor_refresh = Screen._compositor_refresh
        on_timer_update = Screen._on_timer_update
        watch = self

        def watched_on_timer_update(screen):
            watch.tick_started = watch.clock()
            on_timer_update(screen)

        def watched_compositor_refresh(screen):
            compositor_refresh(screen)
            if watch._pending:
                now = watch.clock()
                done = [e for e in watch._pending if e[1]]
                watch._pending = [e for e in watch._pending if not e[1]]
                for entry in done:
                    entry[2](now)

        Screen._compositor_refresh = watched_compositor_refresh
        Screen._on_timer_update = watched_on_timer_update

    def watch(self, widget, callback) -> None:
        """`callback(time)` after the next frame that includes a new render of `widget`."""
        if not getattr(widget, "_frame_watched", False):
            render_lines = widget.render_lines  # bound: whatever the class has now

            def watched_render_lines(crop):
                for entry in self._pending:
                    if entry[0] is widget:
                        entry[1] = True
                return render_lines(crop)

            widget.render_lines = watched_render_lines
            widget._frame_watched = True
        self._pending.append([widget, False, callback])


_FRAMES: FrameWatch | None = None


def is_loading(screen) -> bool:
    """PickerScreen.busy where the picker has it, else (older pickers) its `loading`
    property, else its private flag."""
    for name in ("busy", "loading"):
        if isinstance(getattr(type(screen), name, None), property):
            return getattr(screen, name)
    return screen._loading


def _arm(screen, widget, name: str, then=None) -> None:
    """Record `name` when `widget` has been painted (and, for comparison, `<name>_car` at the
    screen's next `call_after_refresh`). The same path for every mode."""

    def painted(_now: float) -> None:
        _mark(name)
        if then is not None:
            then()

    _FRAMES.watch(widget, painted)
    screen.call_after_refresh(_mark, name + "_car")


def _parse(argv: list[str]) -> dict:
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("bare", "picker"))
    p.add_argument("--home")
    p.add_argument("--cwd")
    p.add_argument("--all", action="store_true")
    p.add_argument("--until", choices=("rows", "done"), default="rows")
    p.add_argument("--size", default="150x40")
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--store", choices=("local", "empty"), default="local",
                   help="empty: an InMemoryThreadStore with no sessions (the picker's UI alone; "
                        "the run ends at the picker's first frame)")
    p.add_argument("--patch", help="a Python file run just before the app is built (to try "
                                   "an idea by monkeypatching, without editing codex_tui)")
    p.add_argument("--remote", help="`codex-tui --remote HOST` instead of --codex-home")
    p.add_argument("--remote-command", help="`codex-tui --remote-command CMD` instead")
    a = p.parse_args(argv)
    w, h = (int(x) for x in a.size.split("x"))
    return {"mode": a.mode, "home": a.home, "cwd": a.cwd, "all": a.all, "until": a.until,
            "size": (w, h), "timeout": a.timeout, "store": a.store, "patch": a.patch,
            "remote": a.remote, "remote_command": a.remote_command}


def _apply_patch(path: str | None) -> None:
    if path:
        with open(path) as stream:
            exec(compile(stream.read(), path, "exec"), {"__name__": "bench_patch"})


def _watchdog(app, seconds: float) -> None:
    """Give up (with what the workers say) when the measurement never ends."""
    import threading

    def expire() -> None:
        workers = [f"{w.name}: {w.state.name} {w.error!r}" for w in list(app.workers)]
        sys.__stdout__.write("BENCH " + __import__("json").dumps(
            {"error": f"no result after {seconds} s", "marks": _MARKS,
             "workers": workers}) + "\n")
        sys.__stdout__.flush()
        os._exit(2)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


def _time_listing(cls, stats: dict) -> None:
    """Marks around a store class's `scan` and `cached` (the listing the picker asks for)."""
    scan = cls.scan

    def timed_scan(self, *args, **kwargs):
        _mark("scan_start")
        result = scan(self, *args, **kwargs)
        _mark("scan_end")
        stats["scan_threads"] = len(result)
        stats["scan_pending"] = sum(1 for s in result if s.pending)
        return result

    cls.scan = timed_scan

    cached = getattr(cls, "cached", None)
    if cached is not None:  # a store that shows cached rows before the scan
        def timed_cached(self, *args, **kwargs):
            _mark("cached_start")
            result = cached(self, *args, **kwargs)
            if isinstance(result, list):  # all at once
                _mark("cached_end")
                stats["cached_threads"] = len(result)
                return result
            return batches(result)

        def batches(result):
            stats["cached_threads"] = 0
            for batch in result:
                stats["cached_threads"] += len(batch)
                _mark("cached_first_batch")
                yield batch
            _mark("cached_end")

        cls.cached = timed_cached


def _time_rpc(stats: dict) -> None:
    """A remote store's time, split: the server's start (`spawn`: ssh or the command), each
    request (its first one as marks `rpc METHOD` / `rpc METHOD done`; counts and seconds of
    all in stats["rpc"]), the thread names read from the server (`names`), and the pages of
    `thread/list` (stats["list_pages"]: pages, rows, seconds converting rows)."""
    from codex_tui.store.thread_store import appserver
    from codex_tui.store.thread_store.jsonrpc import AppServerClient

    spawn, call = AppServerClient._spawn, AppServerClient._call
    store_cls = appserver.AppServerThreadStore
    list_page, names, convert = store_cls._list_page, store_cls._names, \
        appserver.summary_from_thread
    rpc = stats.setdefault("rpc", {})
    pages = stats.setdefault("list_pages", [0, 0, 0.0])  # pages, rows, conversion seconds

    def timed_spawn(self, *args, **kwargs):
        _mark("spawn")
        spawn(self, *args, **kwargs)
        _mark("spawned")

    def timed_call(self, method, *args, **kwargs):
        _mark(f"rpc {method}")
        started = time.perf_counter()
        try:
            return call(self, method, *args, **kwargs)
        finally:
            count, seconds = rpc.get(method, (0, 0.0))
            rpc[method] = (count + 1, seconds + time.perf_counter() - started)
            _mark(f"rpc {method} done")

    def timed_list_page(self, *args, **kwargs):
        rows, result = list_page(self, *args, **kwargs)
        pages[0] += 1
        pages[1] += len(rows)
        return rows, result

    def timed_convert(*args, **kwargs):
        started = time.perf_counter()
        summary = convert(*args, **kwargs)
        pages[2] += time.perf_counter() - started
        return summary

    def timed_names(self, *args, **kwargs):
        _mark("names")
        started = time.perf_counter()
        result = names(self, *args, **kwargs)
        stats["names_seconds"] = stats.get("names_seconds", 0.0) + time.perf_counter() - started
        _mark("names done")
        return result

    AppServerClient._spawn, AppServerClient._call = timed_spawn, timed_call
    store_cls._list_page, store_cls._names = timed_list_page, timed_names
    appserver.summary_from_thread = timed_convert


def run_bare(opts: dict) -> None:
    global _FRAMES
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    _mark("imports")
    _FRAMES = FrameWatch()
    _apply_patch(opts["patch"])

    class Bare(App):
        def compose(self) -> ComposeResult:
            yield Static("Hello from a bare Textual app", id="hello")

        def on_mount(self) -> None:
            _mark("mount")
            _arm(self.screen, self.query_one(Static), "first_paint", then=_finish)

    app = Bare()
    _mark("app_built")
    _watchdog(app, opts["timeout"])
    app.run(headless=True, size=opts["size"])


def run_picker(opts: dict) -> None:
    global _FRAMES
    import codex_tui.cli
    from codex_tui.app import CodexTuiApp
    from codex_tui.screens.picker import PickerScreen
    try:  # (older versions, measured side by side, named them PickerFilters)
        from codex_tui.store.query import ListFilters as Filters
    except ImportError:
        from codex_tui.screens.picker import PickerFilters as Filters  # type: ignore
    from codex_tui.store import LocalThreadStore
    from codex_tui.widgets.session_list import SessionList

    _mark("imports")
    _apply_patch(opts["patch"])  # first, so that the hooks below wrap what it installs
    _FRAMES = FrameWatch()
    until_done = opts["until"] == "done"
    state: dict = {"rows_armed": False, "done_armed": False}
    stats: dict = {}

    # Hooks: wrap, never change, what the picker does (any signature, old and new stores).
    _time_listing(LocalThreadStore, stats)
    if opts["remote"] or opts["remote_command"]:
        from codex_tui.store.thread_store.appserver import AppServerThreadStore

        _time_listing(AppServerThreadStore, stats)
        _time_rpc(stats)

    # The picker's own mount step: `mounted()` (called by its base class's on_mount) where it
    # has one, else on_mount. (Wrapping an inherited on_mount would define one on the picker,
    # and Textual would then run both: the picker would mount twice.)
    hook = "mounted" if hasattr(PickerScreen, "mounted") else "on_mount"
    mount = getattr(PickerScreen, hook)
    ui_only = opts["store"] == "empty"

    def timed_mount(self):
        _mark("picker_mount")
        mount(self)
        _arm(self, self, "picker_first_paint", then=(lambda: _finish(stats)) if ui_only else None)

    setattr(PickerScreen, hook, timed_mount)

    refilter = PickerScreen.refilter

    def timed_refilter(self):
        refilter(self)
        stats["refilters"] = stats.get("refilters", 0) + 1
        stats["filter_seconds_total"] = stats.get("filter_seconds_total", 0.0) \
            + self.last_filter_seconds
        session_list = self.query_one(SessionList)
        if self.first_rows_at is not None and not state["rows_armed"]:
            state["rows_armed"] = True
            _MARKS["first_rows_set"] = self.first_rows_at - time.perf_counter() \
                + time.monotonic() - _T0
            stats["first_rows_count"] = len(session_list.rows)
            stats["first_rows_filter_seconds"] = self.last_filter_seconds
            _arm(self, session_list, "first_rows", then=None if until_done else rows_done)
        if until_done and not is_loading(self) and not state["done_armed"]:
            state["done_armed"] = True
            _mark("loading_done_set")
            stats["rows_at_done"] = len(session_list.rows)
            if "rpc" in stats:  # the requests of the listing (not the watcher's after it)
                stats["at_done"] = {"rpc": dict(stats["rpc"]),
                                    "list_pages": list(stats["list_pages"]),
                                    "names_seconds": stats.get("names_seconds", 0.0)}
            # The header says the listing is done (the rows on screen may be unchanged:
            # a list that draws only what changed does not render again).
            _arm(self, done_widget(self), "loading_done",
                 then=lambda: self.app.call_later(wait_workers, self))

    PickerScreen.refilter = timed_refilter

    def done_widget(screen):
        """The widget whose frame shows the listing done: the header where the picker has
        one (its status), else (older pickers) the list."""
        try:
            from codex_tui.widgets.list_header import ListHeader
        except ImportError:
            return screen.query_one(SessionList)
        return screen.query_one(ListHeader)

    def own_marks(screen) -> None:
        # The picker's own call_after_refresh time for its first rows, when it has one.
        painted = getattr(screen, "first_rows_painted_at", None)
        if painted is not None:
            _MARKS["picker_rows_painted_at"] = painted - time.perf_counter() \
                + time.monotonic() - _T0

    def rows_done() -> None:
        own_marks(state["app"].screen)
        _finish(stats)

    async def wait_workers(screen) -> None:
        # The summary cache is written when the listing worker ends: wait for it, so that
        # the next (warm) run finds a complete cache file.
        # (not the live-* workers: they watch for new sessions as long as the screen)
        finite = [w for w in screen.app.workers if not (w.group or "").startswith("live-")]
        if finite:
            await screen.app.workers.wait_for_complete(finite)
        _mark("workers_done")
        own_marks(screen)
        _finish(stats)

    if ui_only:
        from codex_tui.store import InMemoryThreadStore

        cwd = opts["cwd"] or os.getcwd()
        app = state["app"] = CodexTuiApp(InMemoryThreadStore([]), cwd=cwd,
                                         filters=Filters(all_dirs=opts["all"]))
        _mark("app_built")
        _watchdog(app, opts["timeout"])
        app.run(headless=True, size=opts["size"])
        return
    # The real entry point, `codex-tui [--all]` in this directory (its argument parsing and
    # store included), with the app run headless.
    run = CodexTuiApp.run

    def headless_run(self, *args, **kwargs):
        state["app"] = self
        _mark("app_built")
        _watchdog(self, opts["timeout"])
        return run(self, headless=True, size=opts["size"])

    CodexTuiApp.run = headless_run
    if opts["cwd"]:
        os.chdir(opts["cwd"])
    if opts["remote"]:
        where = ["--remote", opts["remote"]]
    elif opts["remote_command"]:
        where = ["--remote-command", opts["remote_command"]]
    else:
        where = ["--codex-home", opts["home"]]
    codex_tui.cli.main([*where, *(["--all"] if opts["all"] else [])])


def main() -> None:
    opts = _parse(sys.argv[1:])
    if opts["mode"] == "bare":
        run_bare(opts)
    else:
        run_picker(opts)
    # Only reached when the app ended before the measurement did.
    sys.__stdout__.write("BENCH " + '{"error": "app exited before the measurement"}\n')
    sys.exit(1)


if __name__ == "__main__":
    main()
