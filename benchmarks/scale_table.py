"""The README's table of how each cost grows with the home, from one picker and one history
benchmark result per size (two sizes or more, smallest first).

    python -m benchmarks.scale_table benchmarks/results/picker-10k.json \\
        benchmarks/results/history-10k.json benchmarks/results/picker-50k.json \\
        benchmarks/results/history-50k.json [picker-100k.json history-100k.json]

Prints a Markdown table: each cost at each size, and how it grew from each size to the next
(a linear cost grows as the number of sessions: 5.0x from 10,000 to 50,000; shown per
session, 1.00 is linear).
"""

from __future__ import annotations

import itertools
import json
import statistics
import sys
from collections.abc import Callable
from typing import Any


def _ms(v: float | None) -> str:
    return "-" if v is None else f"{v * 1000:,.0f} ms"


def _s(v: float | None) -> str:
    return "-" if v is None else f"{v:,.1f} s"


def _mb(v: float | None) -> str:
    return "-" if v is None else f"{v / 1e6:,.0f} MB"


def _x(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}x"


def _cpu_ratio(p: dict[str, Any]) -> float | None:
    """Median CPU time of the picker's full cold listing over that of the cold `list`."""
    raw = p["startup_raw"]
    picker = [r["cpu"]["loading_done"] for r in raw["picker/all/cold"]
              if "loading_done" in r["cpu"]]
    listing = [r["cpu"]["done"] for r in raw["list/all/cold"]]
    if not picker or not listing:
        return None
    return statistics.median(picker) / statistics.median(listing)


def _ratio(p: dict[str, Any], k: str) -> float | None:
    return p["startup"][k].get("paired_ratio_median")


Get = Callable[[dict[str, Any], dict[str, Any]], float | None]
# (what, how to read it from (picker result, history result), how to print it, whether it
# is a total that a linear cost makes grow as the number of sessions)
ROWS: list[tuple[str, Get, Callable[[float | None], str], bool]] = [
    ("picker: full cold listing, every directory", lambda p, h: p["startup"]["full_cold_listing"]
     ["median_all_cold_loading_done_s"], _s, True),
    ("`list --all --json`, cold", lambda p, h: p["startup"]["full_cold_listing"]
     ["median_list_all_cold_s"], _s, True),
    ("`list --all --json`, warm cache", lambda p, h: p["startup"]["full_cold_listing"]
     ["median_list_all_warm_s"], _s, True),
    ("picker full cold listing / `list` cold (paired)", lambda p, h: p["startup"]
     ["full_cold_listing"]["paired_ratio_to_list"], _x, False),
    ("the same in CPU time (less moved by a busy machine)", lambda p, h: _cpu_ratio(p), _x,
     False),
    ("first rows, this directory, cold (x bare app)", lambda p, h: _ratio(p, "picker/this/cold"),
     _x, False),
    ("first rows, every directory, cold (x bare app)", lambda p, h: _ratio(p, "picker/all/cold"),
     _x, False),
    ("first rows, this directory, warm (x bare app)", lambda p, h: _ratio(p, "picker/this/warm"),
     _x, False),
    ("first rows, every directory, warm (x bare app)", lambda p, h: _ratio(p, "picker/all/warm"),
     _x, False),
    ("picker keystroke, p95 (key to repainted list)", lambda p, h: p["search"]["p95_s"], _ms,
     False),
    ("picker keystroke, median", lambda p, h: p["search"]["median_s"], _ms, False),
    ("picker keystroke to every match found, p95", lambda p, h: p["search"]
     .get("complete_p95_s"), _ms, False),
    ("prompt-history keystroke, p95", lambda p, h: h["keys"]["p95_s"], _ms, False),
    ("prompt-history keystroke, median", lambda p, h: h["keys"]["median_s"], _ms, False),
    ("peak memory, picker cold (whole listing)", lambda p, h: p["startup"]["memory"]
     ["picker_all_cold_peak_rss_median"], _mb, True),
    ("peak memory, `list --all --json` cold", lambda p, h: p["startup"]["memory"]
     ["list_all_cold_peak_rss_median"], _mb, True),
    ("summary cache on disk", lambda p, h: p["startup"]["cache"]["bytes"], _mb, True),
    ("transcript index: cold build", lambda p, h: h["index"]["build_median_s"], _s, True),
    ("transcript index: size on disk", lambda p, h: h["index"]["bytes"], _mb, True),
    ("transcript index: update, nothing changed", lambda p, h: h["index"]
     ["noop_update_median_s"], _ms, True),
    ("transcript index: update after 10 new sessions", lambda p, h: h["index"]
     ["incremental_10"]["seconds"], _ms, True),
    ("transcript search, worst query median", lambda p, h: h["index"]
     ["search_worst_median_s"], _ms, False),
]


def table(sizes: list[tuple[dict[str, Any], dict[str, Any]]]) -> str:
    counts = [p["config"]["sessions"] for p, _ in sizes]
    steps = list(itertools.pairwise(counts))
    lines = ["| cost | " + " | ".join(f"{n:,} sessions" for n in counts) + " | "
             + " | ".join(f"growth {a // 1000}k to {b // 1000}k" for a, b in steps) + " |",
             "| --- " * (1 + len(counts) + len(steps)) + "|"]
    for label, get, fmt, per_session in ROWS:
        try:
            values = [get(p, h) for p, h in sizes]
        except (KeyError, TypeError):
            continue
        if all(v is None for v in values):
            continue
        growths = []
        for (a, b), (n1, n2) in zip(itertools.pairwise(values), steps,
                                    strict=True):
            growth = f"{b / a:.1f}x" if a and b else "-"
            if per_session and a and b:
                growth += f" ({b / a / (n2 / n1):.2f} per session)"
            growths.append(growth)
        lines.append(f"| {label} | " + " | ".join(fmt(v) for v in values) + " | "
                     + " | ".join(growths) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) < 4 or len(argv) % 2:
        print(__doc__, file=sys.stderr)
        return 2
    docs = []
    for path in argv:
        with open(path) as stream:
            docs.append(json.load(stream))
    print(table(list(zip(docs[::2], docs[1::2], strict=True))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
