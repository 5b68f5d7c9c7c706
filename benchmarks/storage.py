"""How long the storage report takes on a large home, against a warm `list --all --json`.

    python -m benchmarks.storage --home /tmp/bench-home [--runs 5] [--out PATH]

The home is only read; the summary cache goes to a temporary $CODEX_TUI_CACHE_DIR, warmed by
one listing first (as a user's second run finds it). Timed, each `--runs` times (median and
best): the commands as a user runs them (a new process each: `codex-tui list --all --json`,
`codex-tui du --json`, `codex-tui du` as text), and the Storage screen in this process
(`run_test`, once the picker under it has listed the home): from pushing the screen to the
first frame after its report is drawn.
Goal: du within 1.5x of the listing.

Results: a table on stdout and JSON in benchmarks/results/storage.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.picker import machine, median, save_and_report  # noqa: E402

DEFAULT_OUT = HERE / "results" / "storage.json"
GOAL_RATIO = 1.5


def cli_seconds(home: str, args: list[str], runs: int) -> list[float]:
    exe = str(Path(sys.executable).with_name("codex-tui"))
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([exe, "--codex-home", home, *args], check=True,
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return times


async def screen_once(home: str) -> float:
    from codex_tui.app import CodexTuiApp
    from codex_tui.screens.storage import StorageScreen
    from codex_tui.store import LocalThreadStore

    app = CodexTuiApp(LocalThreadStore(home), cwd="/nowhere")
    async with app.run_test(size=(150, 45)) as pilot:
        while app.screen.loading:  # the picker's own listing done first: not measured
            await asyncio.sleep(0.01)
        await pilot.pause()
        t0 = time.perf_counter()
        screen = StorageScreen(app.store)
        await app.push_screen(screen)
        while screen.report is None:
            await asyncio.sleep(0.002)
        await pilot.pause()  # the frame with the report
        return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", default="/tmp/bench-home")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="codex-tui-bench-") as cache:
        os.environ["CODEX_TUI_CACHE_DIR"] = cache
        cli_seconds(opts.home, ["list", "--all", "--json"], 1)  # warm the cache
        rows: dict[str, list[float]] = {
            "list --all --json": cli_seconds(opts.home, ["list", "--all", "--json"], opts.runs),
            "du --json": cli_seconds(opts.home, ["du", "--json"], opts.runs),
            "du (text)": cli_seconds(opts.home, ["du"], opts.runs),
            "du --by month --json": cli_seconds(opts.home, ["du", "--by", "month", "--json"],
                                                opts.runs),
            "Storage screen": [asyncio.run(screen_once(opts.home)) for _ in range(opts.runs)],
        }
    base = median(rows["list --all --json"]) or 1.0
    result: dict[str, Any] = {
        "home": opts.home, "runs": opts.runs, "machine": machine(),
        "rows": {name: {"median_s": median(t), "best_s": min(t),
                        "ratio_to_list": (median(t) or 0) / base} for name, t in rows.items()},
        "goal_ratio": GOAL_RATIO,
    }
    save_and_report(result, opts.out, report)
    return 0


def report(result: dict[str, Any]) -> str:
    lines = [f"storage report, home {result['home']} ({result['runs']} runs, warm cache)",
             f"{'':<24} {'median s':>9} {'best s':>8} {'x list':>7}"]
    for name, r in result["rows"].items():
        lines.append(f"{name:<24} {r['median_s']:>9.3f} {r['best_s']:>8.3f} "
                     f"{r['ratio_to_list']:>7.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
