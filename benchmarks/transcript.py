"""Transcript viewer: time to first screen and peak memory on the largest generated rollout,
side by side with a bare Textual app, as ratios.

    python -m benchmarks.transcript [--home /tmp/bench-home] [--id ID] [--runs 5]

The default id is the `--huge-mb` session that `generate_home` recorded in
generate_home.json (30 MB). Each run is a fresh process (`_transcript_child.py`), bare and
transcript alternating. Results go to benchmarks/results/transcript.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHILD = HERE / "_transcript_child.py"
DEFAULT_OUT = HERE / "results" / "transcript.json"
GOAL_TIME_RATIO = 2.0
GOAL_MEMORY_RATIO = 3.0


def run(mode: str, home: str, thread_id: str, size: str, pycache: str) -> dict:
    args = [sys.executable, str(CHILD), mode, "--size", size]
    if mode == "transcript":
        args += ["--home", home, "--id", thread_id]
    env = dict(os.environ, PYTHONPYCACHEPREFIX=pycache,
               CODEX_TUI_CACHE_DIR=tempfile.mkdtemp(prefix="bench-cache-"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    t0 = time.monotonic()
    env["BENCH_T0"] = repr(t0)
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"{mode}: no result (exit {proc.returncode})\n{proc.stderr[-3000:]}")
    result = json.loads(line[len("BENCH "):])
    if "error" in result:
        raise RuntimeError(f"{mode}: {result['error']}")
    return result


def biggest(home: str) -> str:
    info = json.loads((Path(home) / "generate_home.json").read_text())
    big = info.get("big") or info.get("big_sessions") or []
    if big and isinstance(big[0], dict):
        return max(big, key=lambda b: b.get("bytes", 0)).get("id")
    raise SystemExit("pass --id: generate_home.json names no big session")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--home", default="/tmp/bench-home")
    p.add_argument("--id", help="thread id (default: the largest generated session)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--size", default="150x40")
    p.add_argument("--out", default=str(DEFAULT_OUT))
    opts = p.parse_args()
    thread_id = opts.id or biggest(opts.home)
    sys.path.insert(0, str(HERE.parent))
    from codex_tui.store import LocalThreadStore

    summary = LocalThreadStore(opts.home, cache=False).summary(thread_id)
    file_bytes = summary.size
    pycache = tempfile.mkdtemp(prefix="bench-pyc-")
    print("warming up (bytecode, page cache)...", flush=True)
    run("bare", opts.home, thread_id, opts.size, pycache)
    run("transcript", opts.home, thread_id, opts.size, pycache)
    bare, view = [], []
    for i in range(opts.runs):
        b = run("bare", opts.home, thread_id, opts.size, pycache)
        t = run("transcript", opts.home, thread_id, opts.size, pycache)
        bare.append(b)
        view.append(t)
        print(f"  run {i + 1}/{opts.runs}: bare {b['marks']['first_paint'] * 1000:.0f} ms, "
              f"first screen {t['marks']['first_screen'] * 1000:.0f} ms, whole thread "
              f"{t['marks']['full'] * 1000:.0f} ms, peak {t['peak_rss'] / 1e6:.0f} MB",
              flush=True)

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(r["marks"][key] for r in rows)

    bare_paint = med(bare, "first_paint")
    first = med(view, "first_screen")
    full = med(view, "full")
    bare_rss = statistics.median(r["peak_rss"] for r in bare)
    peak = statistics.median(r["peak_rss"] for r in view)
    extra = peak - bare_rss
    results = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "home": opts.home, "id": thread_id, "file_bytes": file_bytes, "runs": opts.runs,
        "size": opts.size, "python": sys.version.split()[0], "nproc": os.cpu_count(),
        "bare_first_paint_s": bare_paint, "first_screen_s": first, "whole_thread_s": full,
        "first_screen_ratio": first / bare_paint, "bare_peak_rss": bare_rss,
        "peak_rss": peak, "extra_rss": extra, "extra_rss_ratio_to_file": extra / file_bytes,
        "peak_rss_ratio_to_file": peak / file_bytes,
        "raw": {"bare": bare, "transcript": view},
    }
    Path(opts.out).parent.mkdir(parents=True, exist_ok=True)
    Path(opts.out).write_text(json.dumps(results, indent=2) + "\n")

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISS"

    print(f"\ntranscript of {thread_id} ({file_bytes / 1e6:.1f} MB), {opts.runs} runs, "
          f"medians, {opts.size}")
    print(f"  bare Textual app, first paint     {bare_paint * 1000:6.0f} ms   1.00x")
    print(f"  transcript, first screen          {first * 1000:6.0f} ms   {first / bare_paint:.2f}x"
          f"   goal {GOAL_TIME_RATIO}x: {verdict(first / bare_paint <= GOAL_TIME_RATIO)}")
    print(f"  transcript, whole thread shown    {full * 1000:6.0f} ms   {full / bare_paint:.2f}x")
    print(f"  peak memory: {peak / 1e6:.0f} MB ({bare_rss / 1e6:.0f} MB for the bare app); "
          f"beyond the bare app {extra / 1e6:.0f} MB = {extra / file_bytes:.2f}x the file "
          f"(goal under {GOAL_MEMORY_RATIO}x: "
          f"{verdict(extra / file_bytes < GOAL_MEMORY_RATIO)}); whole process "
          f"{peak / file_bytes:.2f}x")
    print(f"JSON: {opts.out}")


if __name__ == "__main__":
    main()
