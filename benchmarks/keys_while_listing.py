"""Typing in the picker while a cold listing is still reading heads: how long a key takes to
reach the screen while the listing worker competes with the UI for the GIL.

    python -m benchmarks.keys_while_listing [--home /tmp/bench-home] [--cwd DIR] [--runs 2]
        [--key-interval 0.1] [--patch FILE] [--out PATH]

Each run is this process's own `run_test` app (all directories, a new empty summary cache),
typing the picker benchmark's queries one key at a time from the first rows on, the search
cleared with Esc between queries, for as long as the listing reads (keys typed after it
ended are reported apart). Per key: from just before the key event is posted to the end of
the first frame that re-rendered the SessionList after the key's refilter (`FrameWatch`, as
`benchmarks.picker` measures a keystroke), and whether the listing was still going.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.picker import QUERIES, _key_name, machine, ms, pct, save_and_report

DEFAULT_OUT = Path(__file__).with_name("results") / "keys-while-listing.json"
GOAL_KEY_MS = 30.0


async def _run(opts: argparse.Namespace) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from textual import events

    from benchmarks._picker_child import FrameWatch, is_loading
    from codex_tui.app import CodexTuiApp
    from codex_tui.screens.picker import PickerScreen
    from codex_tui.store import LocalThreadStore
    from codex_tui.store.query import ListFilters
    from codex_tui.widgets.session_list import SessionList

    frames = FrameWatch()
    app = CodexTuiApp(LocalThreadStore(opts.home), cwd=opts.cwd,
                      filters=ListFilters(all_dirs=True))
    keys: list[dict[str, Any]] = []
    clears: list[dict[str, Any]] = []
    async with app.run_test(size=(150, 40)):
        started = time.perf_counter()
        while not (isinstance(app.screen, PickerScreen) and app.screen.list.rows):
            if time.perf_counter() - started > 60:
                raise RuntimeError("no rows in 60 s")
            await asyncio.sleep(0.005)
        screen = app.screen
        session_list = screen.query_one(SessionList)
        original = screen.refilter
        pending: dict[str, Any] = {}

        def refilter() -> None:
            original()
            probe = pending.get("probe")
            if probe is not None and "armed" not in probe:
                probe["armed"] = True
                probe["rows"] = len(session_list.rows)

                def painted(now: float) -> None:
                    probe["painted"] = now
                    probe["event"].set()

                frames.watch(session_list, painted)

        screen.refilter = refilter  # type: ignore[method-assign]

        async def press(name: str, char: str | None, paints: bool = True) -> dict[str, Any]:
            probe: dict[str, Any] = {"event": asyncio.Event(), "busy": is_loading(screen)}
            if paints:
                pending["probe"] = probe
            event = events.Key(name, char)
            event.set_sender(app)
            probe["pressed"] = time.perf_counter()
            app._driver.send_message(event)  # (not pilot.press: it waits for an idle app)
            if paints:
                await asyncio.wait_for(probe["event"].wait(), 30)
                pending.pop("probe", None)
            return probe

        await press("slash", "/", paints=False)
        await asyncio.sleep(opts.key_interval)
        while True:
            for query in QUERIES:
                for i, ch in enumerate(query):
                    name = "space" if ch == " " else ch if ch.isalnum() else _key_name(ch)
                    probe = await press(name, ch)
                    keys.append({"typed": query[:i + 1], "rows": probe["rows"],
                                 "busy": probe["busy"],
                                 "key_to_paint": probe["painted"] - probe["pressed"],
                                 "at": probe["pressed"] - started})
                    await asyncio.sleep(opts.key_interval)
                probe = await press("escape", None)  # (clears the search: every row)
                clears.append({"busy": probe["busy"],
                               "key_to_paint": probe["painted"] - probe["pressed"]})
                await asyncio.sleep(opts.key_interval)
                await press("slash", "/", paints=False)
                await asyncio.sleep(opts.key_interval)
            if not is_loading(screen):
                break
    return keys, clears


def summarize(keys: list[dict[str, Any]], clears: list[dict[str, Any]]) -> dict[str, Any]:
    def stats(sel: list[dict[str, Any]]) -> dict[str, Any]:
        lat = [k["key_to_paint"] for k in sel]
        return {"keys": len(lat), "median_s": pct(lat, 50), "p95_s": pct(lat, 95),
                "max_s": max(lat, default=None)}

    return {"while_listing": stats([k for k in keys if k["busy"]]),
            "after_listing": stats([k for k in keys if not k["busy"]]),
            "clear_while_listing": stats([k for k in clears if k["busy"]])}


def report(result: dict[str, Any]) -> str:
    m, s = result["machine"], result["summary"]
    lines = [f"codex-tui: typing while a cold listing reads  ·  {result['config']['home']}",
             f"machine: {m['nproc']} CPUs, Python {m['python']}, Textual {m['textual']}; load "
             f"average {m['loadavg_at_start'][0]:.2f} at start, {m['loadavg_at_end'][0]:.2f} "
             f"at end",
             f"code: {m['git']['commit']}"
             + ("  (codex_tui/ has uncommitted changes)" if m["git"]["codex_tui_dirty"] else "")]
    for label, key in (("while the listing reads", "while_listing"),
                       ("after it ended", "after_listing"),
                       ("Esc (every row again) while it reads", "clear_while_listing")):
        e = s[key]
        ok = "ok" if e["p95_s"] is not None and e["p95_s"] * 1000 < GOAL_KEY_MS else "MISS"
        lines.append(f"  key -> list repainted, {label} ({e['keys']} keys): median "
                     f"{ms(e['median_s'], 1)}  p95 {ms(e['p95_s'], 1)}  max "
                     f"{ms(e['max_s'], 1)} ms   goal < {GOAL_KEY_MS:.0f} ms: {ok}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.keys_while_listing", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--home", default="/tmp/bench-home")
    p.add_argument("--cwd", default=os.getcwd())
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--key-interval", type=float, default=0.1)
    p.add_argument("--patch", metavar="FILE", help="a Python file run before the app")
    p.add_argument("--out", default=str(DEFAULT_OUT))
    opts = p.parse_args(argv)
    if opts.patch:
        with open(opts.patch) as stream:
            exec(compile(stream.read(), opts.patch, "exec"), {"__name__": "bench_patch"})
    result: dict[str, Any] = {"config": vars(opts), "machine": machine(), "keys": [],
                              "clears": []}
    for run in range(opts.runs):
        with tempfile.TemporaryDirectory(prefix="typing-cache-") as cache:
            os.environ["CODEX_TUI_CACHE_DIR"] = cache
            keys, clears = asyncio.run(_run(opts))
        for k in keys:
            k["run"] = run
        result["keys"] += keys
        result["clears"] += clears
        print(f"  run {run + 1}/{opts.runs}: {len(keys)} keys", flush=True)
    result["summary"] = summarize(result["keys"], result["clears"])
    save_and_report(result, opts.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
