"""How long a bulk archive takes: 1,000 sessions of a 10,000-session home, through the
ThreadStore's own single writes (store/bulk.py), on the files and through Codex's
`codex app-server`.

    python -m benchmarks.bulk --home /tmp/bench-home [--count 1000]
        [--work /tmp/bulk-work] [--paths files,appserver] [--codex-bin PATH] [--out PATH]

The home is only read: each path works on its own copy (`cp -a` into --work, removed
afterwards unless --keep). The sessions archived are the `--count` with the oldest
activity (prune's order), as `codex-tui prune --all --older-than ... --archive` picks them;
for the app-server path 0.20-era sessions are left out (Codex cannot read them, so those
are written on the files whatever the path).
Timed: from the first write to the last outcome (the listing before is not counted; it is
reported apart). Afterwards a fresh store lists the copy again and the archived count is
checked.

Results: a table on stdout and JSON in benchmarks/results/bulk.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.picker import machine, save_and_report  # noqa: E402

DEFAULT_OUT = HERE / "results" / "bulk.json"
DEFAULT_CODEX = "/root/.cache/codex-tui-test/codex-0.171.0/node_modules/.bin/codex"


def one_path(opts: argparse.Namespace, path: str) -> dict[str, Any]:
    from codex_tui.store import LocalThreadStore
    from codex_tui.store.bulk import run, totals
    from codex_tui.store.prune import PruneRule, select
    from codex_tui.store.storage import every_thread

    work = Path(opts.work) / path
    if work.exists():
        shutil.rmtree(work)
    work.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", opts.home, str(work)], check=True)
    cache = work.parent / f"{path}-cache"
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["CODEX_TUI_CACHE_DIR"] = str(cache)
    if path == "files":
        os.environ["CODEX_TUI_WRITES"] = "files"
        codex_bin = None
    else:
        os.environ.pop("CODEX_TUI_WRITES", None)
        codex_bin = opts.codex_bin
    try:
        store = LocalThreadStore(str(work), codex_bin=codex_bin)
        t0 = time.perf_counter()
        chosen = select(every_thread(store), PruneRule("archive"), datetime.now(UTC))
        if path != "files":  # Codex cannot read 0.20-era sessions: they go by the files
            chosen = [s for s in chosen if s.format != "bare"]
        chosen = chosen[: opts.count]
        listed = time.perf_counter() - t0
        t1 = time.perf_counter()
        outcomes = []
        first = None
        for outcome in run(store, chosen, "archive"):
            if first is None:
                first = time.perf_counter() - t1
            outcomes.append(outcome)
        seconds = time.perf_counter() - t1
        store.close()
        counted = totals(outcomes)
        fresh = {s.id: s for s in every_thread(LocalThreadStore(str(work), cache=False))}
        archived = sum(1 for o in outcomes if o.result == "done" and fresh[o.id].archived)
        vias = sorted({(o.via or "").split(":")[0] for o in outcomes})
        refused = [o.reason for o in outcomes if o.result == "refused"][:3]
        return {"path": path, "sessions": len(chosen), "list_seconds": listed,
                "seconds": seconds, "first_seconds": first,
                "per_session_ms": seconds * 1000 / max(len(chosen), 1),
                "results": {k: v[0] for k, v in counted.items()},
                "bytes": sum(o.bytes or 0 for o in outcomes if o.result == "done"),
                "archived_after": archived, "via": vias, "refused_examples": refused}
    finally:
        if not opts.keep:
            shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)


def report(result: dict[str, Any]) -> str:
    lines = [f"bulk archive of {result['count']} sessions, home {result['home']}",
             f"{'path':<10} {'list s':>7} {'write s':>8} {'ms/session':>11} {'done':>5} "
             f"{'refused':>8} {'checked':>8}  via"]
    for r in result["paths"]:
        lines.append(f"{r['path']:<10} {r['list_seconds']:>7.2f} {r['seconds']:>8.2f} "
                     f"{r['per_session_ms']:>11.1f} {r['results'].get('done', 0):>5} "
                     f"{r['results'].get('refused', 0):>8} {r['archived_after']:>8}  "
                     f"{', '.join(r['via'])}")
        for reason in r["refused_examples"]:
            lines.append(f"    refused: {reason[:150]}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", default="/tmp/bench-home")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--work", default="/tmp/bulk-work")
    ap.add_argument("--paths", default="files,appserver")
    ap.add_argument("--codex-bin", default=DEFAULT_CODEX)
    ap.add_argument("--keep", action="store_true", help="keep the worked-on copies")
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    opts = ap.parse_args()
    result: dict[str, Any] = {"home": opts.home, "count": opts.count, "machine": machine(),
                              "paths": []}
    for path in opts.paths.split(","):
        result["paths"].append(one_path(opts, path.strip()))
    save_and_report(result, opts.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
