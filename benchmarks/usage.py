"""`codex-tui usage --all --json` against ccusage's Codex daily report on the same home.

    python -m benchmarks.usage [--home /tmp/bench-home] [--runs 3] [--ccusage PATH]

Each run is a fresh process, timed from spawn to exit. codex-tui cold: its cache directory
emptied first (no summary cache, no usage cache: every rollout is read); warm: the caches
as the previous run left them, the files unchanged. ccusage (`@ccusage/codex` 18.0.11,
`--offline`) has no cache: each of its runs reads every rollout. Prints, and writes
benchmarks/results/usage.json: the median wall-clock and CPU seconds of each, and the ratios
(CPU time is the fairer one on a shared machine: wall time there counts other work).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CCUSAGE = (Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "codex-tui-test"
           / "ccusage-codex-18.0.11" / "node_modules" / ".bin" / "ccusage-codex")


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the process and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median(runs: list[tuple[float, float]], which: int) -> float:
    return round(statistics.median(r[which] for r in runs), 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", default="/tmp/bench-home")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ccusage", default=str(CCUSAGE))
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="usage-bench-cache-")
    env = {**os.environ, "CODEX_TUI_CACHE_DIR": cache, "TZ": "UTC"}
    ours = [sys.executable, "-m", "codex_tui", "--codex-home", args.home, "usage", "--all",
            "--json"]
    cold, warm, theirs = [], [], []
    for _ in range(args.runs):
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(timed(ours, env))
        warm.append(timed(ours, env))
    for _ in range(args.runs):
        warm.append(timed(ours, env))
    cc_env = {**env, "CODEX_HOME": args.home}
    for _ in range(args.runs):
        theirs.append(timed([args.ccusage, "daily", "--offline", "--json", "-z", "UTC"], cc_env))
    shutil.rmtree(cache, ignore_errors=True)
    result: dict = {
        "home": args.home,
        "sessions": sum(1 for _ in Path(args.home).rglob("rollout-*.jsonl*")),
        "load_average": os.getloadavg(),
    }
    for name, runs in (("codex_tui_cold", cold), ("codex_tui_warm", warm), ("ccusage", theirs)):
        result[f"{name}_wall_s"] = median(runs, 0)
        result[f"{name}_cpu_s"] = median(runs, 1)
    for kind in ("wall", "cpu"):
        for ours_name in ("cold", "warm"):
            result[f"ccusage_over_{ours_name}_{kind}"] = round(
                result[f"ccusage_{kind}_s"] / result[f"codex_tui_{ours_name}_{kind}_s"], 1)
    result["runs"] = {"cold": cold, "warm": warm, "ccusage": theirs}
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=2))
    out = ROOT / "benchmarks" / "results" / "usage.json"
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
