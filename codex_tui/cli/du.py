"""`codex-tui du`: where a Codex home's space goes (store/storage.py), as text with bars or
as JSON (`du --json`, whose names scripts rely on: extend, don't rename)."""

from __future__ import annotations

import argparse
import sys

from ..store.storage import file_rows, human_bytes, report_json, store_report
from ..textutil import clip, one_line, printable, text_bar
from .commands import _warn_failures, _write_json, open_store

BAR = 20
TITLE = 60
HEADINGS = {"project": "By project (directory the session started in)",
            "month": "By month (when the session started, UTC)",
            "source": "By source", "size": "By session size"}


def cmd_du(args: argparse.Namespace) -> int:
    store = open_store(args)
    report = store_report(store, by=args.by, largest=args.largest)
    _warn_failures(store)
    if args.json:
        _write_json(report_json(report))
        return 0
    out = sys.stdout
    home = getattr(store, "codex_home", None)  # a local home by its path, others by name
    homes = home if isinstance(home, str) else ", ".join(store.homes)
    out.write(f"{printable(homes)}: {human_bytes(report.total_bytes)} in all, "
              f"{report.sessions:,} sessions ({report.archived_sessions:,} archived)\n")
    rows = file_rows(report.files)
    width = max((len(name) for name, _size in rows), default=0)
    counts = {"sessions/": report.sessions - report.archived_sessions,
              "archived_sessions/": report.archived_sessions}
    for name, size in rows:
        n = counts.get(name)
        sessions = f"  {n:,} session{'s' if n != 1 else ''}" if n is not None else ""
        out.write(f"  {printable(name):<{width}}  {human_bytes(size):>10}{sessions}\n")
    if report.unknown_size:
        out.write(f"  ({report.unknown_size:,} sessions of unknown size: "
                  "a home reached through an app-server)\n")

    groups = report.groups[: args.top] if args.top else report.groups
    out.write(f"\n{HEADINGS[report.by]}\n")
    out.write(f"  {'size':>10} {'':<{BAR}} {'sessions':>8}  {'archived':>10}  {report.by}\n")
    biggest = max((g.bytes for g in report.groups), default=0) or 1
    for g in groups:
        key = "(no directory recorded)" if g.key is None and report.by == "project" else \
            "(unknown)" if g.key is None else g.key
        archived = human_bytes(g.archived_bytes) if g.archived_bytes else "-"
        out.write(f"  {human_bytes(g.bytes):>10} {text_bar(g.bytes / biggest, BAR)} "
                  f"{g.sessions:>8,}  {archived:>10}  {one_line(key)}\n")
    if len(groups) < len(report.groups):
        rest = report.groups[len(groups):]
        out.write(f"  ... {len(rest)} more ({human_bytes(sum(g.bytes for g in rest))}); "
                  "--top 0 shows all\n")

    if report.largest:
        out.write("\nLargest sessions\n")
        for s in report.largest:
            title = clip(one_line(s.title[:TITLE * 2] if s.title else ""), TITLE)
            state = " archived" if s.archived else ""
            out.write(f"  {human_bytes(s.size):>10}  {s.id}{state}  "
                      f"{one_line(s.cwd) or '?'}  {title}\n")
    return 0
