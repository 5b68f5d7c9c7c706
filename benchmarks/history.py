"""How fast the history search answers: a keystroke over 100,000 prompts, and a transcript
search over 10,000 sessions once they are indexed (with the index's build time and size).

    python -m benchmarks.history [--home /tmp/bench-home] [--runs 5] [--size 150x40]
        [--key-interval 0.1] [--skip-keys | --skip-index] [--out PATH]

The home is only read, but for the incremental update: the summary cache and the text index
go to a temporary $CODEX_TUI_CACHE_DIR (made cold for the index build, then reused warm).
The incremental update adds 10 sessions (copies of small ones with new ids) in
sessions/2099/01/01/ of the home, updates the index, and removes them again.

Prompts (in this process, `run_test`, "all directories", after history.jsonl and the sessions
are loaded): queries typed one key at a time, `--key-interval` apart, each ended with Esc.
Per key: from just before the key event is posted to the end of the first frame that
re-rendered the HistoryList after the refilter the key caused (benchmarks/_picker_child's
FrameWatch, as benchmarks/picker.py does), split into dispatch, search
(`HistorySearchScreen.last_filter_seconds`) and repaint. Goal: p95 under 30 ms.

Transcripts: `LocalThreadStore.update_text_index()` on a cold cache directory, `--runs`
times (each a fresh directory): the build time, and the index's size on disk. Then, on the
built index, each query of TEXT_QUERIES `--runs` times through `store.search_text(q,
update=False)` (the query itself, 200 results), and the no-change update that runs when the
screen opens (every thread's files stat'ed and compared with the index). Goal: a search under
300 ms once indexed. Also, in the screen: key -> the frame that painted the results (this
includes the screen's 80 ms wait for a next key).

Results: a table on stdout and JSON in benchmarks/results/history.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # `python benchmarks/history.py` as well as `-m`
    sys.path.insert(0, str(ROOT))

from benchmarks.picker import machine, median, ms, pct, save_and_report  # noqa: E402

DEFAULT_OUT = HERE / "results" / "history.json"
GOAL_KEY_MS = 30.0
GOAL_TEXT_MS = 300.0
KEY_QUERIES = ("fix parser", "reviw", "src/api", "auth middleware", "thumbnial",
               "migrate_query app/auth")
TEXT_QUERIES = ("parser", "fix parser", "auth middleware", "pytest -q", "thumbnail worker",
                "src/api/settings.ts", "deadlock detected", "ab", "the", "zzqx")
SCREEN_TEXT_QUERIES = ("thumbnail worker", "deadlock")


# -- prompts: keystrokes in the screen -----------------------------------------------------------

async def _keys(opts: argparse.Namespace, cache_dir: str) -> dict[str, Any]:
    os.environ["CODEX_TUI_CACHE_DIR"] = cache_dir
    from textual import events

    from benchmarks._picker_child import FrameWatch
    from codex_tui.app import CodexTuiApp
    from codex_tui.screens.history_search import HistorySearchScreen
    from codex_tui.store import LocalThreadStore
    from codex_tui.store.text_index import TextHit
    from codex_tui.widgets.history_list import HistoryList

    width, height = (int(x) for x in opts.size.split("x"))
    frames = FrameWatch()
    store = LocalThreadStore(opts.home)
    app = CodexTuiApp(store, cwd=None, history=True)
    keys: list[dict[str, Any]] = []
    clears: list[dict[str, Any]] = []
    text_keys: list[dict[str, Any]] = []
    async with app.run_test(size=(width, height)) as pilot:
        started = time.perf_counter()
        while True:
            screen = app.screen
            if isinstance(screen, HistorySearchScreen) and screen.history is not None \
                    and screen._sessions_done:
                break
            if time.perf_counter() - started > 600:
                raise RuntimeError("history and sessions not loaded in 600 s")
            await asyncio.sleep(0.02)
        await app.workers.wait_for_complete()
        await pilot.pause()
        load_seconds = time.perf_counter() - started
        history_lines = len(screen.history)
        hlist = screen.query_one(HistoryList)

        pending: dict[str, Any] = {}
        original = screen.refilter

        def refilter() -> None:
            t_start = time.perf_counter()
            original()
            t_end = time.perf_counter()
            probe = pending.get("probe")
            if probe is None or "filter_start" in probe:
                return
            probe.update(filter_start=t_start, filter_end=t_end,
                         filter_seconds=screen.last_filter_seconds, rows=len(hlist.rows))

            def painted(now: float) -> None:
                probe["painted"] = now
                probe["tick"] = frames.tick_started
                probe["event"].set()

            frames.watch(hlist, painted)

        screen.refilter = refilter

        async def timed_key(name: str, char: str | None) -> dict[str, Any]:
            probe: dict[str, Any] = {"event": asyncio.Event()}
            pending["probe"] = probe
            event = events.Key(name, char)
            event.set_sender(app)
            probe["pressed"] = time.perf_counter()
            app._driver.send_message(event)  # what pilot.press does, minus its idle waits
            await asyncio.wait_for(probe["event"].wait(), 10)
            # A screen that draws a screenful first fills the page after that frame: wait
            # for the page too (older screens searched the page at once).
            while getattr(screen, "_rest", None) is not None:
                await asyncio.sleep(0.0005)
            done_at = getattr(screen, "search_done_at", None)
            probe["complete"] = max(probe["painted"], done_at if done_at is not None
                                    and done_at > probe["pressed"] else probe["painted"])
            await pilot.pause()
            pending.pop("probe", None)
            return probe

        def record(probe: dict[str, Any], query: str, typed: str, index: int) -> dict[str, Any]:
            return {
                "query": query, "typed": typed, "index": index, "rows": probe["rows"],
                "key_to_paint": probe["painted"] - probe["pressed"],
                "key_to_complete": probe["complete"] - probe["pressed"],  # the whole page
                "dispatch": probe["filter_start"] - probe["pressed"],
                "filter": probe["filter_seconds"],
                "paint": probe["painted"] - probe["filter_end"],
                "wait": max(0.0, probe["tick"] - probe["filter_end"]),
                "frame": probe["painted"] - max(probe["tick"], probe["filter_end"]),
            }

        for _run in range(opts.key_runs):
            for query in KEY_QUERIES:
                for i, ch in enumerate(query):
                    probe = await timed_key(_key_name(ch), ch)
                    keys.append(record(probe, query, query[: i + 1], i))
                    await asyncio.sleep(opts.key_interval)
                probe = await timed_key("escape", None)  # clears: back to every prompt
                clears.append(record(probe, query, "", -1))
                await asyncio.sleep(opts.key_interval)
        screen.refilter = original

        if not opts.skip_index:
            # Transcript mode in the screen, on the index built before (warm).
            await pilot.press("tab")
            await app.workers.wait_for_complete()
            await pilot.pause()
            while screen.busy:
                await asyncio.sleep(0.02)
            show = hlist.show  # the results reach the list through this (an instance patch)
            probe: dict[str, Any] = {}

            def watched_show(rows, **kw) -> None:
                show(rows, **kw)
                if probe.get("query") == kw.get("query", "").strip() and "results" not in probe \
                        and rows and isinstance(rows[0], TextHit):
                    probe["results"] = time.perf_counter()
                    probe["hits"] = len(rows)
                    frames.watch(hlist, lambda now: (probe.__setitem__("painted", now),
                                                     probe["event"].set()))

            hlist.show = watched_show
            for query in SCREEN_TEXT_QUERIES:
                probe.clear()
                for ch in query[:-1]:
                    await pilot.press(_key_name(ch))
                await app.workers.wait_for_complete()
                await pilot.pause()
                probe.update(query=query, event=asyncio.Event(), pressed=time.perf_counter())
                await pilot.press(_key_name(query[-1]))
                await asyncio.wait_for(probe["event"].wait(), 30)
                text_keys.append({"query": query, "hits": probe["hits"],
                                  "key_to_results": probe["results"] - probe["pressed"],
                                  "key_to_paint": probe["painted"] - probe["pressed"]})
                await pilot.press("escape")
                await app.workers.wait_for_complete()
                await pilot.pause()
            hlist.show = show
    return {"keys": keys, "clears": clears, "text_keys": text_keys,
            "history_lines": history_lines, "load_seconds_in_process": load_seconds}


def _key_name(ch: str) -> str:
    from textual.keys import _character_to_key

    return "space" if ch == " " else ch if ch.isalnum() else _character_to_key(ch)


def summarize_keys(data: dict[str, Any]) -> dict[str, Any]:
    keys = data["keys"]
    lat = [k["key_to_paint"] for k in keys]
    by_query: dict[str, Any] = {}
    for q in KEY_QUERIES:
        ks = [k for k in keys if k["query"] == q]
        by_query[q] = {
            "median_s": median([k["key_to_paint"] for k in ks]),
            "max_s": max(k["key_to_paint"] for k in ks),
            "filter_median_s": median([k["filter"] for k in ks]),
            "filter_max_s": max(k["filter"] for k in ks),
            "rows_after_each_key": [k["rows"] for k in ks if k is not None][: len(q)],
        }
    return {
        "method": "key event posted -> end of the first frame that re-rendered the HistoryList "
                  "after the refilter it caused",
        "history_lines": data["history_lines"],
        "keystrokes": len(lat),
        "median_s": median(lat), "p95_s": pct(lat, 95), "max_s": max(lat) if lat else None,
        "complete_median_s": median([k.get("key_to_complete", k["key_to_paint"])
                                     for k in keys]),
        "complete_p95_s": pct([k.get("key_to_complete", k["key_to_paint"]) for k in keys], 95),
        "filter_median_s": median([k["filter"] for k in keys]),
        "filter_p95_s": pct([k["filter"] for k in keys], 95),
        "filter_max_s": max((k["filter"] for k in keys), default=None),
        "dispatch_median_s": median([k["dispatch"] for k in keys]),
        "paint_median_s": median([k["paint"] for k in keys]),
        "paint_p95_s": pct([k["paint"] for k in keys], 95),
        "frame_median_s": median([k["frame"] for k in keys]),
        "clear_median_s": median([c["key_to_paint"] for c in data["clears"]]),
        "clear_max_s": max((c["key_to_paint"] for c in data["clears"]), default=None),
        "load_seconds_in_process": data["load_seconds_in_process"],
        "by_query": by_query,
        "text_keys": data["text_keys"],
        "keys": keys,
        "clears": data["clears"],
    }


# -- transcripts: the index ------------------------------------------------------------------------

def _index(opts: argparse.Namespace, work: Path) -> tuple[dict[str, Any], str]:
    """Cold builds (fresh cache directories), then searches on the last one. Returns the
    summary and the warm cache directory."""
    from codex_tui.store import LocalThreadStore

    builds = []
    warm = ""
    for run in range(opts.runs):
        cache = work / f"index-{run}"
        cache.mkdir()
        os.environ["CODEX_TUI_CACHE_DIR"] = str(cache)
        store = LocalThreadStore(opts.home)
        store.scan()  # the listing is not what is measured
        t = time.perf_counter()
        stats = store.update_text_index()
        seconds = time.perf_counter() - t
        index = store.text_index()
        with index._conn() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        builds.append({"seconds": seconds, "bytes": index.size_bytes(),
                       "threads": stats.added, "items": stats.items, "failed": stats.failed,
                       "mode": index.mode})
        print(f"  build {run + 1}/{opts.runs}: {seconds:.1f} s, "
              f"{index.size_bytes() / 1e6:.1f} MB", flush=True)
        index.close()
        if run + 1 < opts.runs:
            shutil.rmtree(cache)
        else:
            warm = str(cache)
    # Searches on the built index, in a new store (as a later run of codex-tui would).
    store = LocalThreadStore(opts.home)
    noop = []
    for _ in range(opts.runs):
        store.refresh()
        t = time.perf_counter()
        stats = store.update_text_index()
        noop.append(time.perf_counter() - t)
        assert stats.changed == 0, stats
    searches: dict[str, Any] = {}
    for query in TEXT_QUERIES:
        times = []
        hits = 0
        for _ in range(opts.runs):
            t = time.perf_counter()
            result = store.search_text(query, 200, update=False)
            times.append(time.perf_counter() - t)
            hits = len(result.hits)
        searches[query] = {"median_s": median(times), "max_s": max(times), "hits": hits,
                           "more": result.more}
    incremental = _incremental(opts.home, store)
    all_times = [v["median_s"] for v in searches.values()]
    summary = {
        "build_median_s": median([b["seconds"] for b in builds]),
        "build_runs": builds,
        "bytes": builds[-1]["bytes"],
        "threads": builds[-1]["threads"],
        "items": builds[-1]["items"],
        "mode": builds[-1]["mode"],
        "noop_update_median_s": median(noop),
        "noop_update_runs": noop,
        "search_median_of_medians_s": median(all_times),
        "search_worst_median_s": max(all_times),
        "searches": searches,
        "incremental_10": incremental,
    }
    return summary, warm


NEW_DAY = ("2099", "01", "01")  # a day folder no generated home has


def _incremental(home: str, store: Any) -> dict[str, Any]:
    """10 new sessions, then the index update that follows: it must read those 10 and only
    stat the others. The sessions are removed again (and the index brought back) after."""
    import uuid

    from codex_tui.store.paths import parse_rollout_name

    day = Path(home, "sessions", *NEW_DAY)
    if day.exists():
        raise SystemExit(f"{day} exists: remove it (a benchmark stopped half way?)")
    sources = sorted((p for p in Path(home, "sessions").rglob("rollout-*.jsonl")
                      if p.stat().st_size < 200_000), key=lambda p: p.name)[-10:]
    day.mkdir(parents=True)
    try:
        for src in sources:
            name = parse_rollout_name(src.name)
            assert name is not None
            new_id = str(uuid.uuid4())
            data = src.read_bytes().replace(name.thread_id.encode(), new_id.encode())
            (day / src.name.replace(name.thread_id, new_id)).write_bytes(data)
        store.refresh()
        t = time.perf_counter()
        stats = store.update_text_index()
        seconds = time.perf_counter() - t
    finally:
        shutil.rmtree(Path(home, "sessions", NEW_DAY[0]))
    store.refresh()
    store.update_text_index()
    return {"seconds": seconds, "added": stats.added, "updated": stats.updated,
            "unchanged": stats.unchanged, "items": stats.items}


# -- report ----------------------------------------------------------------------------------------

def report(result: dict[str, Any]) -> str:
    m, c = result["machine"], result["config"]
    lines = [
        f"codex-tui history search benchmark  ·  {c['home']}",
        f"machine: {m['nproc']} CPUs ({m['cpu']}), {m['mem_gb']} GB, Python {m['python']}, "
        f"Textual {m['textual']}; load average {m['loadavg_at_start'][0]:.2f} at start, "
        f"{m['loadavg_at_end'][0]:.2f} at end",
        f"code: {m['git']['commit']}"
        + ("  (codex_tui/ has uncommitted changes)" if m["git"]["codex_tui_dirty"] else ""),
    ]
    if "index" in result:
        x = result["index"]
        ok = "ok" if x["search_worst_median_s"] * 1000 < GOAL_TEXT_MS else "MISS"
        builds = ", ".join(f"{b['seconds']:.1f}" for b in x["build_runs"])
        lines += [
            "",
            f"Transcript index ({x['mode']}): {x['threads']:,} sessions, {x['items']:,} "
            f"messages and commands",
            f"  cold build: median {x['build_median_s']:.1f} s over {len(x['build_runs'])} "
            f"runs ({builds} s); size "
            f"{x['bytes'] / 1e6:.1f} MB",
            f"  no-change update (the screen's check on opening): median "
            f"{ms(x['noop_update_median_s'])} ms",
            f"  after 10 new sessions: {ms(x['incremental_10']['seconds'])} ms "
            f"({x['incremental_10']['added']} read, {x['incremental_10']['unchanged']:,} "
            f"unchanged and not read)",
            f"  search (200 results, update=False): worst median "
            f"{ms(x['search_worst_median_s'], 1)} ms   goal < {GOAL_TEXT_MS:.0f} ms: {ok}",
            f"  {'query':24}{'median':>9}{'max':>9}  hits",
        ]
        for q, e in x["searches"].items():
            more = "+" if e["more"] else ""
            lines.append(f"  {q!r:24}{ms(e['median_s'], 1):>9}{ms(e['max_s'], 1):>9}  "
                         f"{e['hits']}{more}")
    if "keys" in result:
        k = result["keys"]
        ok = "ok" if k["p95_s"] * 1000 < GOAL_KEY_MS else "MISS"
        lines += [
            "",
            f"Prompt search keystrokes: {k['history_lines']:,} prompts, {k['keystrokes']} keys, "
            f"{c['key_interval'] * 1000:.0f} ms apart, all directories, size {c['size']}",
            "  measured: key event posted -> end of the first frame that re-rendered the "
            "HistoryList",
            f"  key -> list repainted: median {ms(k['median_s'], 1)}  p95 {ms(k['p95_s'], 1)}  "
            f"max {ms(k['max_s'], 1)} ms     goal < {GOAL_KEY_MS:.0f} ms (p95): {ok}",
            f"  key -> the whole page of results (500 at most; a screenful is drawn "
            f"first): median {ms(k.get('complete_median_s'), 1)}  p95 "
            f"{ms(k.get('complete_p95_s'), 1)} ms",
            f"  split (medians): dispatch {ms(k['dispatch_median_s'], 1)}  search "
            f"{ms(k['filter_median_s'], 1)} (p95 {ms(k['filter_p95_s'], 1)}, max "
            f"{ms(k['filter_max_s'], 1)})  repaint {ms(k['paint_median_s'], 1)} (p95 "
            f"{ms(k['paint_p95_s'], 1)}) ms",
            f"  Esc (back to all {k['history_lines']:,}): median {ms(k['clear_median_s'], 1)}  "
            f"max {ms(k['clear_max_s'], 1)} ms",
            f"  {'query':26}{'median':>8}{'max':>8}{'search':>8}{'s.max':>8}  results after "
            "each key",
        ]
        for q, e in k["by_query"].items():
            rows = " ".join(str(r) for r in e["rows_after_each_key"])
            lines.append(f"  {q!r:26}{ms(e['median_s'], 1):>8}{ms(e['max_s'], 1):>8}"
                         f"{ms(e['filter_median_s'], 1):>8}{ms(e['filter_max_s'], 1):>8}  "
                         f"{rows}")
        for t in k["text_keys"]:
            lines.append(f"  transcript mode, last key of {t['query']!r}: results "
                         f"{ms(t['key_to_results'])} ms, painted {ms(t['key_to_paint'])} ms "
                         f"({t['hits']} hits; includes the 80 ms wait for a next key)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.history", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--home", default="/tmp/bench-home", help="CODEX_HOME (only read)")
    p.add_argument("--runs", type=int, default=3, help="index builds and searches per query")
    p.add_argument("--key-runs", type=int, default=2, help="times each query is typed")
    p.add_argument("--size", default="150x40", help="terminal size, WxH")
    p.add_argument("--key-interval", type=float, default=0.1)
    p.add_argument("--skip-keys", action="store_true")
    p.add_argument("--skip-index", action="store_true")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="JSON results file")
    opts = p.parse_args(argv)
    if not os.path.exists(os.path.join(opts.home, "history.jsonl")):
        p.error(f"{opts.home} has no history.jsonl; make it with "
                f"`python -m benchmarks.generate_home {opts.home}`")
    result: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {"home": opts.home, "runs": opts.runs, "key_runs": opts.key_runs,
                   "size": opts.size, "key_interval": opts.key_interval},
        "machine": machine(),
        "goals": {"keystroke_ms_max": GOAL_KEY_MS, "text_search_ms_max": GOAL_TEXT_MS},
    }
    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        work = Path(tmp)
        warm = str(work / "warm")
        os.makedirs(warm)
        if not opts.skip_index:
            print("transcript index: cold builds...", flush=True)
            result["index"], warm = _index(opts, work)
        if not opts.skip_keys:
            os.environ["CODEX_TUI_CACHE_DIR"] = warm
            from codex_tui.store import LocalThreadStore

            print("summary cache: filling...", flush=True)
            LocalThreadStore(opts.home).problems  # noqa: B018  (scan + complete, cache saved)
            print("prompt keystrokes (in process)...", flush=True)
            result["keys"] = summarize_keys(asyncio.run(_keys(opts, warm)))
    save_and_report(result, opts.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
