"""Live tailing: latency from an append to the screen, and CPU used while idle-following.

    python -m benchmarks.tail [--appends 40] [--big-mb 20] [--idle 10] [--sessions 20]
        [--out benchmarks/results/tail.json]

Latency (in this process, `run_test`, headless, 120x40): the transcript of a live session
(a real 0.169 rollout from tests/fixtures, and the same grown to `--big-mb` MB by repeating
its turns), at the bottom. Each append writes the lines that open a new turn (task_started
and the user's message, one write per line, as Codex does) at a random moment (0.15-0.45 s
apart, so appends fall anywhere in the 100 ms poll cycle); the latency is from just before
the first write to the end of the first frame that drew the blocks the follower delivered
(`TranscriptView.appended_painted_at`, set in `render_lines` after `replace_from`).
Goal: p95 under 300 ms.

Idle CPU: the app as `codex-tui` opens it (the picker, which watches the home for new
sessions) with `--sessions` transcripts of live sessions pushed on top, each following its
file; nothing is written; CPU = process time / wall time (all threads), over `--idle`
seconds once the followers have settled to their quiet interval (200 ms, ten seconds after
the last change), and, separately, over the first seconds after opening (100 ms polling).
The same with following turned off gives Textual's own idle cost; the difference is what
following costs. Also the bare cost of polling `--sessions` followers from one thread.
Goal: under 2% of a core.

The results go to stdout and to benchmarks/results/tail.json.
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
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

FIXTURE_DAY = ROOT / "tests" / "fixtures" / "codex-home" / "sessions" / "2026" / "11" / "21"
SOURCE_ID = "01a1fe36-9923-7570-9f27-baeff79474f4"  # 0.169 exec, 4 turns, tool calls
DEFAULT_OUT = HERE / "results" / "tail.json"
GOAL_P95 = 0.300
GOAL_CPU = 0.02


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


def source_bytes() -> bytes:
    return next(FIXTURE_DAY.glob(f"rollout-*-{SOURCE_ID}.jsonl")).read_bytes()


def turn_lines(data: bytes) -> tuple[bytes, list[bytes]]:
    """(the file up to its first task_started, the lines of its turns)."""
    lines = data.splitlines(keepends=True)
    first = next(i for i, ln in enumerate(lines) if b'"task_started"' in ln)
    return b"".join(lines[:first]), lines[first:]


def make_home(root: Path, sessions: int, big_mb: int) -> tuple[Path, list[str], str]:
    """A CODEX_HOME with `sessions` copies of the source session (today's folder) and one
    grown to `big_mb` MB; (home, ids, big id)."""
    data = source_bytes()
    today = time.localtime()
    day = root / "sessions" / f"{today.tm_year:04d}" / f"{today.tm_mon:02d}" / \
        f"{today.tm_mday:02d}"
    day.mkdir(parents=True)
    ids = []
    for n in range(sessions + 1):
        tid = f"01a1ff00-0000-7000-8000-{n:012d}"
        body = data.replace(SOURCE_ID.encode(), tid.encode())
        if n == sessions:  # the big one
            head, turns = turn_lines(body)
            parts = [head]
            size = len(head)
            while size < big_mb * 1_000_000:
                chunk = b"".join(turns)
                parts.append(chunk)
                size += len(chunk)
            body = b"".join(parts)
        (day / f"rollout-2026-11-21T13-05-53-{tid}.jsonl").write_bytes(body)
        ids.append(tid)
    return root, ids[:-1], ids[-1]


def next_turn_lines(n: int) -> list[bytes]:
    ts = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    return [
        json.dumps({"timestamp": ts, "type": "event_msg", "payload": {
            "type": "task_started", "turn_id": f"bench-{n}"}}).encode() + b"\n",
        json.dumps({"timestamp": ts, "type": "event_msg", "payload": {
            "type": "user_message", "message": f"benchmark prompt {n}"}}).encode() + b"\n",
    ]


async def latency(home: Path, thread_id: str, appends: int) -> dict:
    from codex_tui.app import CodexTuiApp
    from codex_tui.screens.transcript import TranscriptScreen
    from codex_tui.store import LocalThreadStore

    store = LocalThreadStore(str(home), cache=False)
    path = Path(store.summary(thread_id).path)
    app = CodexTuiApp(store, cwd=None, transcript=thread_id)
    rng = random.Random(1)
    samples: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        start = time.monotonic()
        while not (isinstance(app.screen, TranscriptScreen) and not app.screen.busy
                   and any(w.group == "live-transcript" for w in app.workers)):
            assert time.monotonic() - start < 120, "the transcript did not load"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        view = app.screen.view
        for n in range(appends):
            await asyncio.sleep(rng.uniform(0.15, 0.45))
            t0 = time.perf_counter()
            with open(path, "ab") as stream:
                for line in next_turn_lines(n):
                    stream.write(line)
                    stream.flush()
            while True:
                painted = view.appended_painted_at
                if painted is not None and view.appended_at is not None \
                        and view.appended_at > t0 and painted >= view.appended_at:
                    break
                if time.perf_counter() - t0 > 5:
                    raise RuntimeError(f"append {n} never reached the screen")
                await asyncio.sleep(0.002)
            samples.append(painted - t0)
            assert f"benchmark prompt {n}" in "".join(
                b.item.text for b in view.blocks[-3:] if hasattr(b.item, "text"))
        await pilot.pause()
    return {"file_bytes": path.stat().st_size, "appends": appends,
            "p50_s": statistics.median(samples), "p95_s": pct(samples, 95),
            "max_s": max(samples), "samples_s": samples}


async def idle_cpu(home: Path, ids: list[str], seconds: float, follow: bool) -> dict:
    from codex_tui.app import CodexTuiApp
    from codex_tui.screens.picker import PickerScreen
    from codex_tui.screens.transcript import ACTIVE_SECONDS, TranscriptScreen
    from codex_tui.store import LocalThreadStore

    # Live: written just now (the LIVE badge and the running turn stay for a minute).
    for tid in ids:
        for p in home.rglob(f"rollout-*-{tid}.jsonl"):
            os.utime(p)
    store = LocalThreadStore(str(home), cache=False)
    app = CodexTuiApp(store, cwd=None)
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, PickerScreen) and not app.screen.busy):
            await asyncio.sleep(0.05)
        for tid in ids:
            await app.push_screen(TranscriptScreen(store, tid, follow=follow))
        start = time.monotonic()
        while any(w.is_running for w in app.workers if not (w.group or "").startswith("live-")) \
                or sum(1 for w in app.workers if w.group == "live-transcript") < \
                (len(ids) if follow else 0):
            if time.monotonic() - start > 120:
                raise RuntimeError("not all following: " + ", ".join(
                    f"{w.group}:{w.state.name}" for w in app.workers))
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # let start-up settle
        # The first ACTIVE_SECONDS after a change poll every 100 ms, then every 200 ms.
        cpu0, wall0 = time.process_time(), time.monotonic()
        await asyncio.sleep(min(seconds, ACTIVE_SECONDS - 1))
        cpu_active = time.process_time() - cpu0
        wall_active = time.monotonic() - wall0
        await asyncio.sleep(max(0.0, ACTIVE_SECONDS + 1.5 - (time.monotonic() - wall0)))
        cpu0, wall0 = time.process_time(), time.monotonic()
        await asyncio.sleep(seconds)
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        following = sum(1 for w in app.workers if w.group == "live-transcript" and w.is_running)
        watching = sum(1 for w in app.workers if w.group == "live-picker" and w.is_running)
        await pilot.pause()
    return {"follow": follow, "sessions": len(ids), "following": following,
            "picker_watching": watching, "seconds": wall, "cpu_s": cpu,
            "cpu_fraction": cpu / wall,
            "first_seconds": wall_active, "first_cpu_fraction": cpu_active / wall_active}


def bare_followers(home: Path, ids: list[str], seconds: float) -> dict:
    from codex_tui.store import LocalThreadStore
    from codex_tui.store.tail import POLL_SECONDS

    store = LocalThreadStore(str(home), cache=False)
    followers = [store.follow(tid, last=0) for tid in ids]
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            for f in followers:
                f.poll()
            stop.wait(POLL_SECONDS)

    thread = threading.Thread(target=loop)
    cpu0, wall0 = time.process_time(), time.monotonic()
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join()
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    return {"sessions": len(ids), "seconds": wall, "cpu_s": cpu, "cpu_fraction": cpu / wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--appends", type=int, default=40)
    parser.add_argument("--big-mb", type=int, default=20)
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    opts = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-tail-"))
    os.environ["CODEX_TUI_CACHE_DIR"] = str(root / "cache")
    try:
        home, ids, big = make_home(root / "home", opts.sessions, opts.big_mb)
        results: dict = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                         "python": sys.version.split()[0], "nproc": os.cpu_count(),
                         "machine": platform.machine()}
        print(f"latency, small session ({opts.appends} appends)…", flush=True)
        results["latency_small"] = asyncio.run(latency(home, ids[0], opts.appends))
        print(f"latency, {opts.big_mb} MB session…", flush=True)
        results["latency_big"] = asyncio.run(latency(home, big, opts.appends))
        print(f"idle CPU, picker + {opts.sessions} followed transcripts, {opts.idle:.0f} s…",
              flush=True)
        results["idle_following"] = asyncio.run(idle_cpu(home, ids, opts.idle, True))
        print("idle CPU, the same without following…", flush=True)
        results["idle_not_following"] = asyncio.run(idle_cpu(home, ids, opts.idle, False))
        results["bare_followers"] = bare_followers(home, ids, opts.idle)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    Path(opts.out).parent.mkdir(parents=True, exist_ok=True)
    Path(opts.out).write_text(json.dumps(results, indent=2) + "\n")

    def ok(good: bool) -> str:
        return "ok" if good else "MISS"

    print()
    for key, label in (("latency_small", "small"), ("latency_big", f"{opts.big_mb} MB")):
        r = results[key]
        print(f"append -> screen, {label:>6} session ({r['file_bytes'] / 1e6:.1f} MB): "
              f"p50 {r['p50_s'] * 1000:.0f} ms, p95 {r['p95_s'] * 1000:.0f} ms, "
              f"max {r['max_s'] * 1000:.0f} ms   goal p95 < {GOAL_P95 * 1000:.0f} ms: "
              f"{ok(r['p95_s'] < GOAL_P95)}")
    fol, base = results["idle_following"], results["idle_not_following"]
    extra = fol["cpu_fraction"] - base["cpu_fraction"]
    print(f"idle CPU, picker + {fol['sessions']} transcripts following: "
          f"{fol['cpu_fraction'] * 100:.2f}% of a core ({fol['following']} following); "
          f"not following: {base['cpu_fraction'] * 100:.2f}%; following costs "
          f"{extra * 100:.2f}%   goal < {GOAL_CPU * 100:.0f}%: {ok(fol['cpu_fraction'] < GOAL_CPU)}"
          f" (following alone: {ok(extra < GOAL_CPU)})")
    print(f"  (in the first {fol['first_seconds']:.0f} s after opening, 100 ms polling: "
          f"{fol['first_cpu_fraction'] * 100:.2f}%; without following "
          f"{base['first_cpu_fraction'] * 100:.2f}%)")
    bare = results["bare_followers"]
    print(f"{bare['sessions']} followers polled from one thread: "
          f"{bare['cpu_fraction'] * 100:.2f}% of a core")
    print(f"JSON: {opts.out}")


if __name__ == "__main__":
    main()
