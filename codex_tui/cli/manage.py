"""`codex-tui archive | unarchive | rename | delete | export`: the store's write operations
and the exports on the command line. One line of result on stdout; warnings on stderr."""

from __future__ import annotations

import argparse
import sys

import orjson

from ..store import ThreadStore, ThreadSummary
from ..store.serialize import summary_json
from ..textutil import clip, one_line, printable
from .commands import UsageError, _warn, open_store


def _label(s: ThreadSummary) -> str:
    title = clip(one_line(s.title[:400]) if s.title else "", 80)
    return f"{s.id}  {printable(title)}" if title else s.id


def _report(args: argparse.Namespace, store: ThreadStore, action: str,
            summary: ThreadSummary, text: str, warnings: list[str]) -> int:
    """One line (or, with --json, one object) saying what was done and which way: through
    Codex's app-server, or on the files (and why)."""
    via = store.last_write_via()
    if args.json:
        sys.stdout.buffer.write(orjson.dumps({
            "action": action, "id": summary.id, "via": via,
            "session": summary_json(summary), "warnings": warnings},
            option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    for warning in warnings:
        print(f"warning: {printable(warning)}", file=sys.stderr)
    print(f"{text}" + (f"  (via {printable(via)})" if via else ""))
    return 0


def cmd_archive(args: argparse.Namespace) -> int:
    store = open_store(args)
    summary = store.archive(store.resolve(args.id).id)
    note = store.codex_index_note(summary.id)
    return _report(args, store, "archive", summary, f"archived {_label(summary)}",
                   [note] if note else [])


def cmd_unarchive(args: argparse.Namespace) -> int:
    store = open_store(args)
    summary = store.unarchive(store.resolve(args.id).id)
    return _report(args, store, "unarchive", summary, f"unarchived {_label(summary)}", [])


def cmd_rename(args: argparse.Namespace) -> int:
    store = open_store(args)
    summary, warnings = store.set_name(store.resolve(args.id).id, args.name)
    return _report(args, store, "rename", summary,
                   f"named {summary.id}  {printable(summary.name or '')}", warnings)


def cmd_delete(args: argparse.Namespace) -> int:
    store = open_store(args)
    summary = store.resolve(args.id)
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError(f"not deleting {summary.id} without confirmation: "
                             "add --yes (there is no undo)")
        files = len(summary.segments) or 1
        sys.stderr.write(f"Delete session {_label(summary)}\n({files} file"
                         f"{'s' if files != 1 else ''}, no undo)? [y/N] ")
        sys.stderr.flush()
        answer = sys.stdin.readline()
        if answer.strip().lower() not in ("y", "yes"):
            print("not deleted", file=sys.stderr)
            return 1
    store.delete(summary.id)
    return _report(args, store, "delete", summary, f"deleted {_label(summary)}", [])


def cmd_export(args: argparse.Namespace) -> int:
    from ..export.formats import format_for_path, parse_format, render, write_export

    to_stdout = args.output in (None, "-")
    if args.format:
        fmt = parse_format(args.format)
    else:
        fmt = (None if to_stdout else format_for_path(args.output)) or "markdown"
    store = open_store(args)
    thread = store.read_thread(store.resolve(args.id).id)
    _warn(thread.problems)
    data = render(thread, fmt)
    if to_stdout:
        if sys.stdout.isatty():  # no escape sequences from session text on a terminal
            data = printable(data.decode("utf-8", "replace")).encode()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    path = write_export(args.output, data, overwrite=args.force)
    print(f"exported {thread.summary.id} ({fmt}) to {printable(path)}")
    return 0
