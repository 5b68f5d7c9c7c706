"""How fast the session picker shows rows, and how fast it searches, next to a bare Textual app.

    python -m benchmarks.picker [--home /tmp/bench-home] [--cwd DIR] [--runs 5] [--size 150x40]
        [--key-interval 0.1] [--skip-startup | --skip-search] [--patch FILE] [--out PATH]

Start-up (each run a fresh `python benchmarks/_picker_child.py` process, headless, timed from
just before the spawn, so interpreter start-up and imports count the same for every mode):

- bare: an App with one Static; the end of the first frame that painted the Static.
- picker/ui: the picker over an empty store; the end of its first frame (diagnostic).
- picker/{this,all}/{cold,warm}: `codex-tui [--all]` itself (`codex_tui.cli.main`, its argument
  parsing included, the app run headless in the `--cwd` directory); the end of the first
  frame that painted the SessionList after the refilter that gave it rows
  (`PickerScreen.first_rows_at`), for "this directory" (`--cwd`) and "all directories", with a
  cold summary cache (a new empty $CODEX_TUI_CACHE_DIR per run) and a warm one (filled by a
  complete cold run first). Cold runs go on until the listing is done (every head read), which
  gives the full listing time.

"Painted" is taken by `_picker_child.FrameWatch` (wrappers on `Screen._compositor_refresh`,
`Screen._on_timer_update` and the watched widget's `render_lines`), the same code for every
mode. `call_after_refresh` alone can run one frame early (before the refreshed widget has
asked its screen for a repaint), so its time is recorded beside it (`*_car`), not used.

Search (in this process, `run_test`, all directories, warm cache, after loading is done):
queries typed one key at a time. Per key: from just before the key event is posted to the end
of the first frame that re-rendered the SessionList after the refilter the key caused, split
into dispatch, filter (`PickerScreen.last_filter_seconds`), the rest of `refilter()`, the wait
for Textual's screen update timer and the frame. Also the wall time of `await
pilot.press(key); await pilot.pause()`, which has a floor of about 60 ms from the pilot's own
idle polling (three 20 ms sleeps), so it says little against a 30 ms goal.

The results go to stdout as a table and to benchmarks/results/picker.json. See README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CHILD = HERE / "_picker_child.py"
DEFAULT_OUT = HERE / "results" / "picker.json"
GOAL_RATIO = 1.3
GOAL_KEY_MS = 30.0
GOAL_LIST_RATIO = 1.2  # the picker's full cold listing against `list --all --json`
GOAL_RSS_MB = 250
QUERIES = ("fix parser", "reviw", "src/api", "auth middleware")  # + an id prefix at run time


# -- helpers ------------------------------------------------------------------------------------

def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def pct(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


def ms(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value * 1000:,.{digits}f}"


def save_and_report(result: dict[str, Any], out: str | Path,
                    report: Callable[[dict[str, Any]], str]) -> None:
    """Note the load average at the end, write the JSON and print the report."""
    result["machine"]["loadavg_at_end"] = list(os.getloadavg())
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print()
    print(report(result))
    print(f"\nJSON: {out}")


def machine() -> dict[str, Any]:
    import textual

    cpu = "?"
    try:
        with open("/proc/cpuinfo") as stream:
            cpu = next((ln.split(":", 1)[1].strip() for ln in stream
                        if ln.startswith("model name")), "?")
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as stream:
            kb = int(next(ln for ln in stream if ln.startswith("MemTotal")).split()[1])
            mem = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": cpu,
        "mem_gb": mem,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "textual": textual.__version__,
        "loadavg_at_start": list(os.getloadavg()),
        "git": _git(),
    }


def _git() -> dict[str, Any]:
    def run(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    dirty = run("status", "--porcelain", "--", "codex_tui")
    return {"commit": run("rev-parse", "--short", "HEAD") or None,
            "codex_tui_dirty": bool(dirty),
            "codex_tui_changes": dirty.splitlines()}


# -- start-up runs (subprocesses) ---------------------------------------------------------------

PYCACHE: dict[str, str] = {}  # PYTHONPYCACHEPREFIX for the children, set by startup()


def run_child(mode: str, *, home: str, cwd: str, all_dirs: bool, cache_dir: str,
              until: str, size: str, store: str = "local", patch: str | None = None,
              timeout: float = 300.0, extra: Sequence[str] = ()) -> dict[str, Any]:
    """One child run; `extra`: more child options (benchmarks.remote: --remote HOST)."""
    args = [sys.executable, str(CHILD), mode, "--size", size, "--timeout", str(timeout - 10),
            *extra]
    if patch:
        args += ["--patch", patch]
    if mode == "picker":
        args += ["--home", home, "--cwd", cwd, "--until", until, "--store", store]
        if all_dirs:
            args.append("--all")
    env = dict(os.environ, CODEX_TUI_CACHE_DIR=cache_dir, **PYCACHE)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    if PYCACHE:
        # Compiled once by the warm-up runs, as an installed package would be; without this,
        # PYTHONDONTWRITEBYTECODE=1 would compile codex_tui (no __pycache__) in every run.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    t0 = time.monotonic()
    env["BENCH_T0"] = repr(t0)
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    wall = time.monotonic() - t0
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"{mode} run gave no result (exit {proc.returncode}):\n"
                           f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    result = json.loads(line[len("BENCH "):])
    if "error" in result:
        raise RuntimeError(f"{' '.join(args[2:])}: {result['error']}\nmarks: "
                           f"{result.get('marks')}\nworkers: {result.get('workers')}\n"
                           f"{proc.stderr[-4000:]}")
    result["process_wall"] = wall
    return result


def run_list(*, home: str, cwd: str, cache_dir: str, timeout: float = 900.0) -> dict[str, Any]:
    """`codex-tui list --all --json` in a fresh process: the wall time from the spawn to its
    exit (as the picker's, Python start-up included) and its peak memory (wait4's rusage)."""
    args = [sys.executable, "-m", "codex_tui", "--codex-home", home, "list", "--all", "--json"]
    env = dict(os.environ, CODEX_TUI_CACHE_DIR=cache_dir, **PYCACHE)
    if PYCACHE:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    t0 = time.monotonic()
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=null, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"list run failed (exit {proc.returncode}): "
                           f"{proc.stderr.read()[-2000:] if proc.stderr else ''}")
    return {"marks": {"done": wall}, "cpu": {"done": usage.ru_utime + usage.ru_stime},
            "peak_rss": usage.ru_maxrss * 1024, "process_wall": wall}


def startup(opts: argparse.Namespace, work: Path) -> dict[str, Any]:
    home, cwd, size = opts.home, opts.cwd, opts.size
    warm_dir = work / "warm-cache"
    warm_dir.mkdir()
    if opts.pyc == "prefix":
        PYCACHE["PYTHONPYCACHEPREFIX"] = str(work / "pycache")

    def cold_dir() -> str:
        return tempfile.mkdtemp(prefix="cold-cache-", dir=work)

    patch = os.path.abspath(opts.patch) if opts.patch else None

    def run(config: str, cache_dir: str | None = None, patched: bool = True) -> dict[str, Any]:
        patch_file = patch if patched else None
        if config == "bare":  # the reference: never patched
            return run_child("bare", home=home, cwd=cwd, all_dirs=False, cache_dir=cold_dir(),
                             until="rows", size=size)
        if config.startswith("list/"):
            cold = config.endswith("/cold")
            directory = cold_dir() if cold else str(warm_dir)
            try:
                return run_list(home=home, cwd=cwd, cache_dir=directory)
            finally:
                if cold:
                    shutil.rmtree(directory, ignore_errors=True)
        if config == "picker/ui":
            return run_child("picker", home=home, cwd=cwd, all_dirs=True, cache_dir=cold_dir(),
                             until="rows", size=size, store="empty", patch=patch_file)
        _, view, cache = config.split("/")
        cold = cache == "cold"
        directory = cache_dir or (cold_dir() if cold else str(warm_dir))
        try:
            return run_child("picker", home=home, cwd=cwd, all_dirs=view == "all",
                             cache_dir=directory, until="done" if cold else "rows", size=size,
                             patch=patch_file)
        finally:
            if cold and cache_dir is None:
                shutil.rmtree(directory, ignore_errors=True)

    print("warming up (pyc files, OS page cache) and filling the warm cache...", flush=True)
    run("bare")
    run("picker/ui")
    fill = run("picker/all/cold", cache_dir=str(warm_dir), patched=False)  # never patched
    run("list/all/warm")  # its own modules compiled once too
    cache_files = sorted(f for f in warm_dir.rglob("*") if f.is_file())
    cache_bytes = sum(f.stat().st_size for f in cache_files)

    samples: dict[str, list[dict[str, Any]]] = {c: [] for c in CONFIGS}
    rng = random.Random(1)
    for i in range(0 if opts.skip_startup else opts.runs):
        order = list(CONFIGS)
        rng.shuffle(order)  # no config always runs right after another
        for config in order:
            samples[config].append(run(config))
        done = {k: ms(_end(k, v[-1]["marks"])) for k, v in samples.items()}
        print(f"  run {i + 1}/{opts.runs}: " + ", ".join(f"{k} {v}" for k, v in done.items()),
              flush=True)
    return {"samples": samples, "fill_run": fill, "cache_bytes": cache_bytes,
            "sessions": opts.sessions,
            "cache_files": [f.name for f in cache_files], "warm_dir": str(warm_dir)}


CONFIGS = ("bare", "picker/ui", "picker/this/cold", "picker/this/warm", "picker/all/cold",
           "picker/all/warm", "list/all/cold", "list/all/warm")
LISTS = ("list/all/cold", "list/all/warm")  # not start-up: the CLI's whole listing


def _end(config: str, marks: dict[str, float]) -> float | None:
    """The measured time of a run: first paint (bare, UI only) or first rows."""
    return marks.get(_END_MARK.get(config, "first_rows"))


_END_MARK = {"bare": "first_paint", "picker/ui": "picker_first_paint",
             "list/all/cold": "done", "list/all/warm": "done"}


def _end_cpu(config: str, run: dict[str, Any]) -> float | None:
    """CPU time (every thread of the process) at the measured mark: less sensitive than the
    wall time to other work on the machine."""
    return run.get("cpu", {}).get(_END_MARK.get(config, "first_rows"))


# Consecutive marks whose differences say where start-up time goes (first one from 0).
DELTAS = (
    ("imports", "interpreter", "imports"),
    ("build+mount", "imports", ("mount", "picker_mount")),
    ("first frame", ("mount", "picker_mount"), ("first_paint", "picker_first_paint")),
    ("rows handed over", "picker_first_paint", "first_rows_set"),
    ("rows painted", "first_rows_set", "first_rows"),
)


def phase_deltas(runs: list[dict[str, Any]]) -> dict[str, float | None]:
    """Median per phase of the differences between marks (negative: overlapping phases)."""

    def pick(marks: dict[str, float], name: str | tuple[str, ...]) -> float | None:
        for n in (name,) if isinstance(name, str) else name:
            if n in marks:
                return marks[n]
        return None

    out: dict[str, float | None] = {"start-up": median(
        [r["marks"]["interpreter"] for r in runs if "interpreter" in r["marks"]])}
    for label, a, b in DELTAS:
        values = []
        for r in runs:
            x, y = pick(r["marks"], a), pick(r["marks"], b)
            if x is not None and y is not None:
                values.append(y - x)
        out[label] = median(values)
    return out


def summarize_startup(data: dict[str, Any]) -> dict[str, Any]:
    samples = data["samples"]

    def series(k: str, mark: str) -> list[float]:
        return [s["marks"][mark] for s in samples[k] if mark in s["marks"]]

    bare = median(series("bare", "first_paint"))
    out: dict[str, Any] = {
        "bare": {"first_paint_s": series("bare", "first_paint"),
                 "median_s": bare,
                 "cpu_median_s": median([c for c in (_end_cpu("bare", r)
                                                     for r in samples["bare"]) if c]),
                 "mount_median_s": median(series("bare", "mount")),
                 "imports_median_s": median(series("bare", "imports")),
                 "interpreter_median_s": median(series("bare", "interpreter")),
                 "phase_deltas_median_s": phase_deltas(samples["bare"])},
    }
    phases = ("interpreter", "imports", "app_built", "picker_mount", "picker_first_paint",
              "cached_start", "cached_first_batch", "cached_end", "scan_start", "scan_end",
              "first_rows_set", "first_rows_car", "picker_rows_painted_at", "first_rows",
              "loading_done_set", "loading_done", "workers_done")
    for k in samples:
        if k == "bare" or k in LISTS:
            continue
        rows = [t for t in (_end(k, s["marks"]) for s in samples[k]) if t is not None]
        cpu = [c for c in (_end_cpu(k, r) for r in samples[k]) if c is not None]
        entry: dict[str, Any] = {
            "first_rows_s": rows,
            "median_s": median(rows),
            "cpu_median_s": median(cpu),
            "cpu_ratio_to_bare": (median(cpu) / out["bare"]["cpu_median_s"])
            if cpu and out["bare"]["cpu_median_s"] else None,
            "ratio_to_bare": (median(rows) / bare) if rows and bare else None,
            # Each run's own ratio (its configs ran within seconds of each other), then
            # the median: the machine's speed drifting between runs cancels out.
            "paired_ratio_median": median(
                [t / b for t, b in zip((_end(k, s["marks"]) for s in samples[k]),
                                       out["bare"]["first_paint_s"], strict=False)
                 if t is not None and b]),
            "phases_median_s": {p: median(series(k, p)) for p in phases if series(k, p)},
            "first_rows_count": [s.get("first_rows_count") for s in samples[k]],
        }
        entry["phase_deltas_median_s"] = phase_deltas(samples[k])
        if k.endswith("/cold"):
            entry["loading_done_s"] = series(k, "loading_done")
            entry["loading_done_median_s"] = median(series(k, "loading_done"))
        out[k] = entry
    fill = data["fill_run"]["marks"]
    out["full_cold_listing"] = {
        "fill_run_loading_done_s": fill.get("loading_done"),
        "fill_run_cache_written_s": fill.get("workers_done"),
        "median_all_cold_loading_done_s": out["picker/all/cold"].get("loading_done_median_s"),
        "median_this_cold_loading_done_s": out["picker/this/cold"].get("loading_done_median_s"),
    }
    for k in LISTS:
        out[k] = {"done_s": series(k, "done"), "median_s": median(series(k, "done")),
                  "peak_rss_median": median([s["peak_rss"] for s in samples[k]])}
    picker_cold = out["picker/all/cold"].get("loading_done_median_s")
    list_cold = out["list/all/cold"]["median_s"]
    sessions = data.get("sessions") or 0
    out["full_cold_listing"].update({
        "median_list_all_cold_s": list_cold,
        "median_list_all_warm_s": out["list/all/warm"]["median_s"],
        # Each run's own ratio (picker and list ran seconds apart), then the median.
        "paired_ratio_to_list": median([
            p["marks"]["loading_done"] / q["marks"]["done"]
            for p, q in zip(samples["picker/all/cold"], samples["list/all/cold"], strict=False)
            if "loading_done" in p["marks"]]),
        "ratio_to_list": picker_cold / list_cold if picker_cold and list_cold else None,
        "picker_ms_per_1000": picker_cold / sessions * 1e6 if picker_cold and sessions else None,
        "list_ms_per_1000": list_cold / sessions * 1e6 if list_cold and sessions else None,
    })
    out["memory"] = {
        "picker_all_cold_peak_rss_median": median(
            [s["peak_rss"] for s in samples["picker/all/cold"] if "peak_rss" in s]),
        "picker_all_warm_peak_rss_median": median(
            [s["peak_rss"] for s in samples["picker/all/warm"] if "peak_rss" in s]),
        "list_all_cold_peak_rss_median": out["list/all/cold"]["peak_rss_median"],
        "list_all_warm_peak_rss_median": out["list/all/warm"]["peak_rss_median"],
    }
    out["cache"] = {"bytes": data["cache_bytes"], "files": data["cache_files"]}
    return out


# -- search (in process) ------------------------------------------------------------------------

async def _search(opts: argparse.Namespace, warm_dir: str) -> dict[str, Any]:
    os.environ["CODEX_TUI_CACHE_DIR"] = warm_dir
    from textual import events

    from benchmarks._picker_child import FrameWatch, is_loading
    from codex_tui.app import CodexTuiApp
    from codex_tui.screens.picker import PickerScreen
    try:  # (older versions, measured side by side, named them PickerFilters)
        from codex_tui.store.query import ListFilters as Filters
    except ImportError:
        from codex_tui.screens.picker import PickerFilters as Filters  # type: ignore
    from codex_tui.store import LocalThreadStore
    from codex_tui.widgets.session_list import SessionList

    width, height = (int(x) for x in opts.size.split("x"))
    if opts.patch:
        with open(opts.patch) as stream:
            exec(compile(stream.read(), opts.patch, "exec"), {"__name__": "bench_patch"})
    frames = FrameWatch()  # before the app, so that the screen's update timer is wrapped too
    store = LocalThreadStore(opts.home)
    app = CodexTuiApp(store, cwd=opts.cwd, filters=Filters(all_dirs=True))
    keys: list[dict[str, Any]] = []
    clears: list[dict[str, Any]] = []
    async with app.run_test(size=(width, height)) as pilot:
        started = time.perf_counter()
        while True:
            screen = app.screen
            if isinstance(screen, PickerScreen) and not is_loading(screen):
                break
            if time.perf_counter() - started > 300:
                raise RuntimeError("the listing did not finish in 300 s")
            await asyncio.sleep(0.02)
        finite = [w for w in app.workers if not (w.group or "").startswith("live-")]
        if finite:  # (not the live-* workers: they watch as long as the screen)
            await app.workers.wait_for_complete(finite)
        await pilot.pause()
        load_seconds = time.perf_counter() - started
        # The search index is built a moment after the listing ends (INDEX_DELAY, where the
        # picker has it; older ones built it right after the frame that said so).
        import codex_tui.screens.picker as picker_module
        await asyncio.sleep(getattr(picker_module, "INDEX_DELAY", 0.0) + 0.1)
        session_list = screen.query_one(SessionList)
        total_rows = len(session_list.rows)
        # An id prefix as someone pastes it from `codex-tui list`: 8 hex digits of a real id.
        id_prefix = session_list.rows[len(session_list.rows) // 3].id[:8]
        queries = [*QUERIES, id_prefix]

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
                         filter_seconds=screen.last_filter_seconds,
                         rows=len(session_list.rows))

            def painted(now: float) -> None:
                probe["painted"] = now
                probe["tick"] = frames.tick_started
                probe["event"].set()

            def after_refresh() -> None:
                probe["car"] = time.perf_counter()

            frames.watch(session_list, painted)
            screen.call_after_refresh(after_refresh)

        screen.refilter = refilter  # the Input.Changed handler calls self.refilter()

        async def timed_key(name: str, char: str | None) -> dict[str, Any]:
            probe: dict[str, Any] = {"event": asyncio.Event()}
            pending["probe"] = probe
            event = events.Key(name, char)
            event.set_sender(app)
            probe["pressed"] = time.perf_counter()
            app._driver.send_message(event)  # what pilot.press does, minus its idle waits
            await asyncio.wait_for(probe["event"].wait(), 10)
            # A picker that finds a screenful first goes on searching after that frame:
            # wait for every match too (older pickers: the filter found them all at once).
            started = time.perf_counter()
            while getattr(screen, "_search_run", None) is not None:
                if time.perf_counter() - started > 10:
                    raise RuntimeError("the search did not end in 10 s")
                await asyncio.sleep(0.0005)
            done_at = getattr(screen, "search_done_at", None)
            probe["complete"] = done_at if done_at is not None and done_at > probe["pressed"] \
                else probe["filter_end"]
            await asyncio.sleep(0)  # let the call_after_refresh callback run too
            await pilot.pause()
            pending.pop("probe", None)
            return probe

        def record(probe: dict[str, Any], query: str, typed: str, index: int) -> dict[str, Any]:
            return {
                "query": query, "typed": typed, "index": index, "rows": probe["rows"],
                "key_to_paint": probe["painted"] - probe["pressed"],
                # every match found (the header's count is final): later than the paint
                # when the first screenful was drawn before the search went on
                "key_to_complete": max(probe["complete"], probe["painted"]) - probe["pressed"],
                "dispatch": probe["filter_start"] - probe["pressed"],
                "filter": probe["filter_seconds"],
                "chrome": probe["filter_end"] - probe["filter_start"] - probe["filter_seconds"],
                "paint": probe["painted"] - probe["filter_end"],
                # paint = wait (event loop, Textual's 60 fps update timer) + frame (layout+render)
                "wait": max(0.0, probe["tick"] - probe["filter_end"]),
                "frame": probe["painted"] - max(probe["tick"], probe["filter_end"]),
                "car": (probe["car"] - probe["pressed"]) if "car" in probe else None,
            }

        for query in queries:
            await pilot.press("slash")
            await pilot.pause()
            for i, ch in enumerate(query):
                name = "space" if ch == " " else ch if ch.isalnum() else _key_name(ch)
                probe = await timed_key(name, ch)
                keys.append(record(probe, query, query[: i + 1], i))
                await asyncio.sleep(opts.key_interval)
            probe = await timed_key("escape", None)  # clears the search, back to 10k rows
            clears.append(record(probe, query, "", -1))
            await asyncio.sleep(opts.key_interval)

        # The same keys through the pilot, wall time around press + pause (has a ~60 ms floor).
        pilot_walls: list[float] = []
        screen.refilter = original
        for query in queries[:2]:
            await pilot.press("slash")
            await pilot.pause()
            for ch in query:
                t = time.perf_counter()
                await pilot.press(ch)
                await pilot.pause()
                pilot_walls.append(time.perf_counter() - t)
            await pilot.press("escape")
            await pilot.pause()

    return {"keys": keys, "clears": clears, "pilot_walls": pilot_walls, "queries": queries,
            "total_rows": total_rows, "load_seconds_in_process": load_seconds}


def _key_name(ch: str) -> str:
    from textual.keys import _character_to_key

    return _character_to_key(ch)


def summarize_search(data: dict[str, Any]) -> dict[str, Any]:
    keys = data["keys"]
    lat = [k["key_to_paint"] for k in keys]
    later = [k["key_to_paint"] for k in keys[1:]]
    by_query = {}
    for q in data["queries"]:
        ks = [k for k in keys if k["query"] == q]
        by_query[q] = {
            "median_s": median([k["key_to_paint"] for k in ks]),
            "max_s": max(k["key_to_paint"] for k in ks),
            "filter_median_s": median([k["filter"] for k in ks]),
            "paint_median_s": median([k["paint"] for k in ks]),
            "rows_after_each_key": [k["rows"] for k in ks],
        }
    clears = data["clears"]
    return {
        "method": "key event posted -> end of the first screen refresh that re-rendered the "
                  "SessionList after the refilter it caused (dispatch + "
                  "PickerScreen.last_filter_seconds + repaint)",
        "keystrokes": len(lat),
        "total_rows": data["total_rows"],
        "median_s": median(lat), "p95_s": pct(lat, 95), "max_s": max(lat) if lat else None,
        "first_key_s": lat[0] if lat else None,
        "complete_median_s": median([k.get("key_to_complete", k["key_to_paint"])
                                     for k in keys]),
        "complete_p95_s": pct([k.get("key_to_complete", k["key_to_paint"]) for k in keys], 95),
        "median_after_first_s": median(later), "p95_after_first_s": pct(later, 95),
        "filter_median_s": median([k["filter"] for k in keys]),
        "filter_p95_s": pct([k["filter"] for k in keys], 95),
        "chrome_median_s": median([k["chrome"] for k in keys]),
        "wait_median_s": median([k["wait"] for k in keys]),
        "frame_median_s": median([k["frame"] for k in keys]),
        "frame_p95_s": pct([k["frame"] for k in keys], 95),
        "paint_median_s": median([k["paint"] for k in keys]),
        "paint_p95_s": pct([k["paint"] for k in keys], 95),
        "dispatch_median_s": median([k["dispatch"] for k in keys]),
        "call_after_refresh_median_s": median([k["car"] for k in keys if k["car"] is not None]),
        "clear_median_s": median([c["key_to_paint"] for c in clears]),
        "clear_max_s": max((c["key_to_paint"] for c in clears), default=None),
        "pilot_wall_median_s": median(data["pilot_walls"]),
        "pilot_wall_p95_s": pct(data["pilot_walls"], 95),
        "by_query": by_query,
        "keys": keys,
        "clears": clears,
    }


# -- report -------------------------------------------------------------------------------------

LABELS = {
    "bare": "bare Textual app, first paint",
    "picker/ui": "picker UI only (0 sessions), 1st frame",
    "picker/this/cold": "picker this dir, cold, first rows",
    "picker/this/warm": "picker this dir, warm, first rows",
    "picker/all/cold": "picker all dirs, cold, first rows",
    "picker/all/warm": "picker all dirs, warm, first rows",
}


def report(result: dict[str, Any]) -> str:
    m, c = result["machine"], result["config"]
    lines = [
        f"codex-tui picker benchmark  ·  {c['home']} ({c['sessions']:,} sessions)  ·  "
        f"this dir = {c['cwd']}",
        f"machine: {m['nproc']} CPUs ({m['cpu']}), {m['mem_gb']} GB, Python {m['python']}, "
        f"Textual {m['textual']}, {m['platform']}",
        f"load average (1 min): {m['loadavg_at_start'][0]:.2f} at start, "
        f"{m['loadavg_at_end'][0]:.2f} at end",
        f"code: {m['git']['commit']}"
        + ("  (codex_tui/ has uncommitted changes)" if m["git"]["codex_tui_dirty"] else "")
        + (f"  PATCHED with {c['patch']}" if c.get("patch") else ""),
        f"runs: {c['runs']} per config, fresh process each, headless {c['size']}, "
        f"bytecode: {c['pyc']}",
    ]
    if "startup" in result:
        lines += startup_report(result["startup"])
    else:
        lines.append(f"summary cache (warm): {result['cache']['bytes'] / 1e6:.2f} MB")
    if "search" in result:
        lines += search_report(result["search"], c)
    return "\n".join(lines)


def startup_report(s: dict[str, Any]) -> list[str]:
    bare = s["bare"]["median_s"]
    lines = [
        "",
        "Start-up, from process start to the end of the frame (ms)",
        f"{'':40}{'median':>7}{'min':>7}{'max':>7}{'ratio':>8}  {'goal':4}  |{'paired':>7}"
        f"  |{'CPU':>6}{'ratio':>7}",
    ]
    for k, label in LABELS.items():
        if k in LISTS:
            continue
        e = s[k]
        vals = e["first_paint_s"] if k == "bare" else e["first_rows_s"]
        ratio = 1.0 if k == "bare" else e["ratio_to_bare"]
        verdict = "" if k in ("bare", "picker/ui") else (
            "ok" if ratio is not None and ratio <= GOAL_RATIO else "MISS")
        cpu_ratio = 1.0 if k == "bare" else e.get("cpu_ratio_to_bare")
        paired = 1.0 if k == "bare" else e.get("paired_ratio_median")
        lines.append(f"{label:40}{ms(e['median_s']):>7}{ms(min(vals)):>7}{ms(max(vals)):>7}"
                     f"{ratio:>7.2f}x  {verdict:4}  |"
                     + (f"{paired:>6.2f}x" if paired else f"{'-':>7}")
                     + f"  |{ms(e.get('cpu_median_s')):>6}"
                     + (f"{cpu_ratio:>6.2f}x" if cpu_ratio else ""))
    lines.append(f"  goal: first rows <= {GOAL_RATIO}x the bare app's first paint "
                 f"(= {ms(bare * GOAL_RATIO)} ms here). CPU = process CPU time (all threads) "
                 "at that point,")
    lines.append("  medians; it moves less than wall time when the machine is busy. paired = the "
                 "median of each run's own")
    lines.append("  ratio (the configs of a run are seconds apart): less moved by the machine's "
                 "speed drifting between runs.")
    lines += ["", "Where it goes (ms, medians of per-run differences between marks)",
              f"{'':40}" + "".join(f"{h:>9}" for h in
                                   ("start", "imports", "build+", "1st", "rows", "rows"))
              + "     rows at",
              f"{'':40}" + "".join(f"{h:>9}" for h in
                                   ("python", "", "mount", "frame", "handed", "painted"))
              + "  1st paint"]
    for k, label in LABELS.items():
        if k in LISTS:
            continue
        d = s[k]["phase_deltas_median_s"]
        cells = [d.get("start-up"), d.get("imports"), d.get("build+mount"), d.get("first frame"),
                 d.get("rows handed over"), d.get("rows painted")]
        counts = s[k].get("first_rows_count") or []
        rows = str(counts[-1]) if counts and counts[-1] is not None else ""
        short = label.rsplit(",", 1)[0]
        lines.append(f"{short:40}" + "".join(f"{ms(x):>9}" for x in cells) + f"  {rows:>9}")
    lines += [
        "  rows handed = from the picker's first frame to first_rows_at (the worker's "
        "cache/scan/heads, then",
        "  the refilter); rows painted = from first_rows_at to the end of the frame that "
        "drew them.",
    ]
    car = [(k, s[k]["phases_median_s"]) for k in LABELS if k.startswith("picker/") and
           "first_rows_car" in s[k]["phases_median_s"]]
    if car:
        lines.append("  call_after_refresh after first_rows_at ran before the rows' frame in: "
                     + ", ".join(f"{k} (by {ms(p['first_rows'] - p['first_rows_car'])} ms)"
                                 for k, p in car if "first_rows" in p))
    fl = s["full_cold_listing"]
    lines += [
        "",
        "Full cold listing (every head read, list repainted), from process start",
        f"  all dirs: median {ms(fl['median_all_cold_loading_done_s'])} ms   this dir: median "
        f"{ms(fl['median_this_cold_loading_done_s'])} ms   (cache-filling run: "
        f"{ms(fl['fill_run_loading_done_s'])} ms, cache written at "
        f"{ms(fl['fill_run_cache_written_s'])} ms)",
        f"  `list --all --json` (same home, runs interleaved): cold median "
        f"{ms(fl['median_list_all_cold_s'])} ms, warm {ms(fl['median_list_all_warm_s'])} ms",
        f"  picker all dirs cold / list cold: {_x(fl['ratio_to_list'])} (paired "
        f"{_x(fl['paired_ratio_to_list'])})   goal <= {GOAL_LIST_RATIO}x: "
        + ("ok" if fl["paired_ratio_to_list"] and fl["paired_ratio_to_list"] <= GOAL_LIST_RATIO
           else "MISS"),
        f"  per 1,000 sessions: picker {_per(fl['picker_ms_per_1000'])} ms, "
        f"list {_per(fl['list_ms_per_1000'])} ms",
        f"  summary cache: {s['cache']['bytes'] / 1e6:.2f} MB ({', '.join(s['cache']['files'])})",
        "",
        "Peak memory (max RSS, medians): picker all dirs cold "
        f"{_mb(s['memory']['picker_all_cold_peak_rss_median'])}, warm "
        f"{_mb(s['memory']['picker_all_warm_peak_rss_median'])}; list --all --json cold "
        f"{_mb(s['memory']['list_all_cold_peak_rss_median'])}, warm "
        f"{_mb(s['memory']['list_all_warm_peak_rss_median'])}   goal < {GOAL_RSS_MB} MB",
    ]
    return lines


def _per(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value / 1e6:.0f} MB"


def search_report(q: dict[str, Any], c: dict[str, Any]) -> list[str]:
    ok = "ok" if q["p95_s"] is not None and q["p95_s"] * 1000 < GOAL_KEY_MS else "MISS"
    lines = [
        "",
        f"Search keystrokes: all dirs, warm, {q['total_rows']:,} rows, {q['keystrokes']} "
        f"keys, {c['key_interval'] * 1000:.0f} ms apart",
        "  measured: key event posted -> end of the first frame that re-rendered the "
        "SessionList",
        f"  key -> list repainted: median {ms(q['median_s'], 1)}  p95 {ms(q['p95_s'], 1)}  "
        f"max {ms(q['max_s'], 1)} ms     goal < {GOAL_KEY_MS:.0f} ms: {ok}",
        f"  key -> every match found (the header's count final; a screenful is drawn "
        f"first): median {ms(q.get('complete_median_s'), 1)}  p95 "
        f"{ms(q.get('complete_p95_s'), 1)} ms",
        f"  first key (search index cold) {ms(q['first_key_s'], 1)} ms; later keys median "
        f"{ms(q['median_after_first_s'], 1)}  p95 {ms(q['p95_after_first_s'], 1)} ms",
        f"  split (medians): dispatch {ms(q['dispatch_median_s'], 1)}  filter "
        f"(last_filter_seconds) {ms(q['filter_median_s'], 1)} (p95 "
        f"{ms(q['filter_p95_s'], 1)})  rest of refilter {ms(q['chrome_median_s'], 1)}  "
        f"repaint {ms(q['paint_median_s'], 1)} (p95 {ms(q['paint_p95_s'], 1)}) ms",
        f"  repaint = wait for the screen update {ms(q['wait_median_s'], 1)} + frame "
        f"{ms(q['frame_median_s'], 1)} (p95 {ms(q['frame_p95_s'], 1)}) ms (medians)",
        f"  Esc (clear, back to every row): median {ms(q['clear_median_s'], 1)}  max "
        f"{ms(q['clear_max_s'], 1)} ms",
        f"  for comparison: call_after_refresh after the refilter ran at a median "
        f"{ms(q['call_after_refresh_median_s'], 1)} ms after the key; pilot wall "
        f"(press + pause, ~60 ms floor) median {ms(q['pilot_wall_median_s'], 1)}  p95 "
        f"{ms(q['pilot_wall_p95_s'], 1)} ms",
        f"  {'query':18}{'median':>8}{'max':>8}{'filter':>8}{'paint':>8}  rows after each key",
    ]
    for query, e in q["by_query"].items():
        rows = " ".join(str(r) for r in e["rows_after_each_key"])
        lines.append(f"  {query!r:18}{ms(e['median_s'], 1):>8}{ms(e['max_s'], 1):>8}"
                     f"{ms(e['filter_median_s'], 1):>8}{ms(e['paint_median_s'], 1):>8}  "
                     f"{rows}")
    return lines


# -- main ---------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.picker", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--home", default="/tmp/bench-home", help="CODEX_HOME to list")
    p.add_argument("--cwd", default=os.getcwd(),
                   help="the 'this directory' view (default: the current directory)")
    p.add_argument("--runs", type=int, default=5, help="runs per start-up config")
    p.add_argument("--size", default="150x40", help="terminal size, WxH")
    p.add_argument("--key-interval", type=float, default=0.1,
                   help="seconds between search keys (typing speed)")
    p.add_argument("--skip-search", action="store_true")
    p.add_argument("--skip-startup", action="store_true",
                   help="only fill the warm cache, then measure the search")
    p.add_argument("--patch", metavar="FILE",
                   help="a Python file run before each picker app is built (start-up runs and "
                        "search, not the bare app or the cache-filling run): to measure an "
                        "idea by monkeypatching, without editing codex_tui")
    p.add_argument("--pyc", choices=("prefix", "as-is"), default="prefix",
                   help="prefix (default): the child processes compile to a private "
                        "PYTHONPYCACHEPREFIX in the warm-up and reuse it; as-is: leave "
                        "PYTHONDONTWRITEBYTECODE and __pycache__ as the environment has them")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="JSON results file")
    opts = p.parse_args(argv)
    opts.cwd = os.path.abspath(opts.cwd)
    opts.sessions = None
    if not os.path.isdir(os.path.join(opts.home, "sessions")):
        p.error(f"{opts.home} has no sessions/; make it with "
                f"`python -m benchmarks.generate_home {opts.home}`")

    sessions = None
    meta = Path(opts.home) / "generate_home.json"
    if meta.exists():
        sessions = json.loads(meta.read_text()).get("sessions")
    opts.sessions = sessions
    result: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {"home": opts.home, "cwd": opts.cwd, "runs": opts.runs, "size": opts.size,
                   "key_interval": opts.key_interval, "sessions": sessions or 0,
                   "pyc": opts.pyc, "patch": opts.patch,
                   "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE")},
        "machine": machine(),
        "goals": {"first_rows_ratio_max": GOAL_RATIO, "keystroke_ms_max": GOAL_KEY_MS},
    }
    with tempfile.TemporaryDirectory(prefix="bench-picker-") as tmp:
        work = Path(tmp)
        data = startup(opts, work)
        if not opts.skip_startup:
            result["startup"] = summarize_startup(data)
            result["startup_raw"] = data["samples"]
        result["fill_run_raw"] = data["fill_run"]
        result["cache"] = {"bytes": data["cache_bytes"], "files": data["cache_files"]}
        if not opts.skip_search:
            print("search keystrokes (in process)...", flush=True)
            result["search"] = summarize_search(asyncio.run(_search(opts, data["warm_dir"])))
    save_and_report(result, opts.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
