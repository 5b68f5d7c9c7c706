"""`codex-tui usage`: tokens and estimated cost by day, week, month, project, model or session
(the accounting and the reports are store/usage/; this module parses and prints)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from typing import TYPE_CHECKING

from ..store.usage.report import GROUPINGS, Report, Row

if TYPE_CHECKING:
    from ..store import ThreadStore
    from .args import Subparsers

NO_DIRECTORY = "(no directory recorded)"
NO_MODEL = "(no model recorded)"


def add_parser(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "usage", help="tokens and estimated cost by day, week, month, project, model or "
                      "session (default: this directory's sessions, by day)")
    p.add_argument("--by", choices=GROUPINGS, default="day", help="one row per ... (default day)")
    p.add_argument("--since", metavar="DATE", type=parse_date,
                   help="from this day on (YYYY-MM-DD, inclusive)")
    p.add_argument("--until", metavar="DATE", type=parse_date,
                   help="up to this day (YYYY-MM-DD, inclusive)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--all", action="store_true", help="sessions from every directory")
    where.add_argument("--cwd", metavar="PATH", help="sessions started in PATH")
    p.add_argument("--utc", action="store_true",
                   help="days in UTC (default: local time, as you lived them)")
    p.add_argument("--json", action="store_true", help="JSON object (see README)")
    return p


def parse_date(text: str) -> date:
    compact = text.strip().replace("-", "")
    try:
        if len(compact) != 8 or not compact.isdigit():
            raise ValueError
        return date(int(compact[:4]), int(compact[4:6]), int(compact[6:]))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (YYYY-MM-DD)") from None


def run_usage(args: argparse.Namespace, store: ThreadStore, cwd: str | None) -> int:
    """Print the report for `store` (opened by the caller), `cwd` None for every directory."""
    import orjson

    from ..store.usage import build_report, load_prices

    prices = load_prices()
    for problem in prices.problems:
        print(f"codex-tui: {problem}", file=sys.stderr)
    threads, remote = store.usage_listing(cwd)
    for label in remote:
        print(f"codex-tui: {label}: usage is read from homes on this machine only",
              file=sys.stderr)
    report = build_report(threads, args.by, prices, args.since, args.until, args.utc)
    if not args.json and not report.rows:
        where = "anywhere" if cwd is None else f"in {cwd}"
        print(f"no usage recorded {where}" + ("" if cwd is None else " (try --all)"),
              file=sys.stderr)
        return 0
    if args.json:
        sys.stdout.buffer.write(orjson.dumps(report.to_json(), option=orjson.OPT_INDENT_2)
                                + b"\n")
        return 0
    sys.stdout.write(format_report(report))
    return 0


def tokens(n: int) -> str:
    return f"{n:,}"


def cost_text(row: Row) -> str:
    if row.usage.total == 0:
        return "-"
    if row.cost_usd is None:
        return "no price"
    text = f"${row.cost_usd:,.2f}"
    return text + "+" if row.unpriced_total else text  # some of its tokens have no price


def key_text(row: Row, by: str) -> str:
    if by == "project":
        return row.key or NO_DIRECTORY
    if by == "model":
        return row.key or NO_MODEL
    if by == "session" and row.summary is not None:
        from ..textutil import clip, one_line

        title = one_line(row.summary.name or row.summary.title or "") or "(no message)"
        return f"{row.summary.id}  {clip(title, 48)}"
    return row.key or "?"


HEADERS = ("SESSIONS", "INPUT", "CACHED", "OUTPUT", "REASONING", "TOTAL", "COST")


def format_report(report: Report) -> str:
    from ..textutil import printable

    by = report.by
    label = {"day": "DAY", "week": "WEEK", "month": "MONTH", "project": "PROJECT",
             "model": "MODEL", "session": "SESSION"}[by]
    table = [[label, *HEADERS]]
    for row in [*report.rows, report.totals]:
        u = row.usage
        key = "TOTAL" if row is report.totals else printable(key_text(row, by))
        table.append([key, str(row.sessions), tokens(u.input), tokens(u.cached_input),
                      tokens(u.output), tokens(u.reasoning_output), tokens(u.total),
                      cost_text(row)])
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    numbers_last = by in ("project", "session", "model")  # long keys go at the end

    def line(cells: list[str]) -> str:
        nums = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        if numbers_last:
            return "  ".join([*nums, cells[0]]).rstrip()
        return "  ".join([cells[0].ljust(widths[0]), *nums]).rstrip()

    out = [line(table[0])]
    out += [line(r) for r in table[1:-1]]
    out.append(line(["-" * widths[0] if not numbers_last else "",
                     *("-" * w for w in widths[1:])]).rstrip())
    out.append(line(table[-1]))
    out += notes(report)
    return "\n".join(out) + "\n"


def notes(report: Report) -> list[str]:
    out: list[str] = []
    if report.unpriced_models:
        names = ", ".join(m or NO_MODEL for m in report.unpriced_models)
        out.append(f"no price for: {names} (their tokens are shown, their cost is not "
                   f"estimated; add prices in {_override()})")
    nc = report.totals.not_counted
    repeated, inherited = nc.get("repeated", 0), nc.get("inherited", 0)
    parts = ([f"{tokens(repeated)} tokens of repeated token counts"] if repeated else []) \
        + ([f"{tokens(inherited)} copied from a parent thread"] if inherited else [])
    if parts:
        out.append(f"not counted: {', '.join(parts)} (see README: Usage)")
    if n := report.sessions_without_usage:
        out.append(f"{n} session{'s' if n != 1 else ''} recorded no token usage (not counted)")
    if report.undated_events:
        out.append(f"{report.undated_events} token counts without a time were not counted")
    if report.prices_as_of:
        out.append(f"cost: estimated at API list prices as of {report.prices_as_of}")
    return out


def _override() -> str:
    from ..store.usage.prices import override_path

    return override_path().replace(os.path.expanduser("~"), "~", 1)
