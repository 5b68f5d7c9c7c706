"""`codex-tui` command line: plain and JSON commands over the ThreadStore.

JSON commands use the store alone (no Textual import), so they start fast and can be
scripted. Errors a user can fix exit with status 2 and one clear line on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import orjson

from ..store import Problem, StoreError, ThreadQuery, ThreadStore, ThreadSummary
from ..store.serialize import summary_json, thread_json
from ..textutil import clip, one_line, printable
from .args import build_parser, parse_args  # noqa: F401  (tests build the parser)

if TYPE_CHECKING:
    from ..resume import ResumeRequest

TITLE_MAX = 200


class UsageError(Exception):
    """A problem with what the user asked for (exit status 2)."""


def default_codex_home() -> str:
    return os.environ.get("CODEX_HOME") or os.path.join(os.path.expanduser("~"), ".codex")


def open_store(args: argparse.Namespace) -> ThreadStore:
    """The homes the options name (`--codex-home`, `--remote`, `--remote-command`; several
    are merged), this machine's writes through its codex when there is one."""
    from ..resume import codex_for_writes
    from ..store.thread_store.open import open_stores

    store = open_stores(args.codex_home or [], args.remote or [], args.remote_command or [],
                        codex_bin=codex_for_writes(args.codex_bin),
                        default_home=default_codex_home())
    opened = getattr(args, "opened", None)
    if opened is not None:
        opened.append(store)  # main() closes it: no app-server outlives the command
    return store


def resume_in_codex(args: argparse.Namespace, store: ThreadStore, request: ResumeRequest,
                    ) -> None:
    """Replace this process with the command that resumes the session where it lives."""
    from ..resume import exec_command, find_codex

    command = store.resume_command(request.thread_id, request.cwd,
                                   lambda: find_codex(args.codex_bin))
    store.close()
    exec_command(command)


def _current_dir() -> str:
    try:
        return os.getcwd()
    except FileNotFoundError:
        raise UsageError(
            "the current directory no longer exists; use --all or --cwd PATH") from None


def _warn(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(f"warning: {printable(str(problem))}", file=sys.stderr)


def _warn_failures(store: ThreadStore) -> None:
    for home, why in store.failures():
        print(f"warning: {printable(home)}: {printable(why)}", file=sys.stderr)


def _write_json(value: object) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2))
    sys.stdout.buffer.write(b"\n")


def _write_json_list(items: Iterable[object]) -> None:
    """The bytes `_write_json(list(items))` writes, one item at a time: a listing of 50,000
    sessions need not hold every row's JSON at once (~130 MB)."""
    out = sys.stdout.buffer
    sep = b"[\n  "
    for item in items:
        out.write(sep)
        out.write(orjson.dumps(item, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n  "))
        sep = b",\n  "
    out.write(b"[]\n" if sep.startswith(b"[") else b"\n]\n")


def _local(dt: datetime | None) -> str:
    return dt.astimezone().strftime("%Y-%m-%d %H:%M") if dt else "-"


def cmd_list(args: argparse.Namespace) -> int:
    store = open_store(args)
    cwd = None if args.all else os.path.abspath(args.cwd) if args.cwd else _current_dir()
    query = ThreadQuery(
        cwd=cwd,
        archived=args.archived,
        sort=args.sort,
        search=args.search,
        sources=frozenset(args.source) if args.source else None,
        limit=args.limit,
    )
    threads = store.list_threads(query)
    _warn_failures(store)  # on stderr, with --json too: a home that could not be listed
    if args.json:
        _write_json_list(map(summary_json, threads))
        return 0
    _warn(store.problems)
    for t in threads:
        _warn(t.problems)
    for t in threads:
        print(_list_row(t, show_cwd=cwd is None, created=args.sort == "created"))
    if not threads:
        where = "anywhere" if cwd is None else f"in {cwd}"
        kind = "archived sessions" if args.archived else "sessions"
        hint = "" if cwd is None else " (try --all)"
        print(f"no {kind} {where}{hint}", file=sys.stderr)
    return 0


def _list_row(t: ThreadSummary, show_cwd: bool, created: bool) -> str:
    when = _local(t.created_at if created else t.updated_at)
    tokens = f"{t.tokens:>9,}" if t.tokens is not None else " " * 9
    cols = [t.id, when, tokens, (t.source or "?").ljust(6)]
    if show_cwd:
        cols.append(one_line(t.cwd) or "?")
    # One line per session, however long the prompt (a 10 MB prompt is not printed whole).
    cols.append(clip(one_line(t.title[:TITLE_MAX * 2] if t.title else ""), TITLE_MAX)
                or "(no message yet)")
    return "  ".join(cols)


def cmd_show(args: argparse.Namespace) -> int:
    store = open_store(args)
    summary = store.resolve(args.id)
    if not args.json and not args.markdown and _interactive():
        return show_transcript(args, store, summary.id)
    thread = store.read_thread(summary.id)
    if args.json:
        _write_json(thread_json(thread))
        return 0
    from ..export.markdown import thread_markdown

    _warn(thread.problems)
    sys.stdout.write(printable(thread_markdown(thread)))
    return 0


def cmd_fork(args: argparse.Namespace) -> int:
    store = open_store(args)
    source = store.resolve(args.id)
    fork = store.fork_thread(source.id, args.turn, name=args.name)
    via = store.last_write_via()
    if args.json:
        _write_json({**summary_json(fork), "via": via})
    else:
        print(fork.id)  # alone on stdout: `codex resume "$(codex-tui fork ...)"`
        if via:
            print(f"written via {printable(via)}", file=sys.stderr)
    return 0


def manage_handlers() -> dict:
    from . import manage as cli_manage

    return {"archive": cli_manage.cmd_archive, "unarchive": cli_manage.cmd_unarchive,
            "rename": cli_manage.cmd_rename, "delete": cli_manage.cmd_delete,
            "export": cli_manage.cmd_export}


def storage_handlers() -> dict:
    def du(args: argparse.Namespace) -> int:
        from .du import cmd_du

        return cmd_du(args)

    def prune(args: argparse.Namespace) -> int:
        from .prune import cmd_prune

        return cmd_prune(args)

    return {"du": du, "prune": prune}


def _interactive() -> bool:
    """A terminal on both ends: otherwise (a pipe, a file) `show` prints Markdown."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def show_transcript(args: argparse.Namespace, store: ThreadStore, thread_id: str) -> int:
    """The TUI on one session's transcript; `c` there resumes it as the picker does."""
    from ..app import CodexTuiApp

    request = CodexTuiApp(store, cwd=_cwd_or_none(), transcript=thread_id).run()
    if request is not None:
        resume_in_codex(args, store, request)
    return 0


def _cwd_or_none() -> str | None:
    try:
        return os.getcwd()
    except FileNotFoundError:
        return None


def newest_session(store: ThreadStore, cwd: str | None) -> ThreadSummary | None:
    """The most recently updated active session for `cwd` (any directory when None), reading
    heads newest first and stopping at the first match."""
    from ..store.query import apply_query

    wanted = ThreadQuery(cwd=cwd or None, all_sources=False).matcher()
    # Newest first among every active one (a stub's time is its file's: no head read yet).
    for stub in apply_query(store.scan(), ThreadQuery()):
        s = store.summary(stub.id) if stub.pending else stub
        if wanted(s):
            return s
    return None


def cmd_picker(args: argparse.Namespace, resume_mode: bool) -> int:
    # The store first: a server's connection (ssh) starts now and overlaps importing the UI.
    store = open_store(args)
    from ..resume import ResumeRequest, find_codex
    from ..store import LocalThreadStore
    from ..store.query import ListFilters

    print_only = resume_mode and args.print
    if resume_mode and not print_only and isinstance(store, LocalThreadStore):
        find_codex(args.codex_bin)  # fail before the screen opens, not after
    cwd = _cwd_or_none()
    all_dirs = bool(getattr(args, "all", False) or args.picker_all) or cwd is None
    if cwd is None:
        print("codex-tui: the current directory no longer exists; showing every directory",
              file=sys.stderr)
    if resume_mode and args.last:
        chosen = newest_session(store, None if all_dirs else cwd)
        if chosen is None:
            where = "anywhere" if all_dirs else f"for {cwd}"
            raise UsageError(f"no session to resume {where} (try --all)")
        request: ResumeRequest | None = ResumeRequest(chosen.id, chosen.cwd)
    else:
        from ..app import CodexTuiApp

        app = CodexTuiApp(store, cwd=cwd, filters=ListFilters(all_dirs=all_dirs),
                          resume_mode=resume_mode)
        request = app.run()
    if request is None:
        return 0
    if print_only:
        print(request.thread_id)
        return 0
    resume_in_codex(args, store, request)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from ..store.history import TIERS
    from ..store.serialize import iso

    store = open_store(args)
    if args.query is None and not args.json and not args.cwd and _interactive():
        return history_screen(args, store)
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    history = store.history()
    if history.error:
        raise UsageError(f"cannot read {history.path}: {history.error}")
    sessions = None
    if args.cwd:
        cwd = os.path.abspath(args.cwd)
        sessions = {s.id for archived in (False, True)
                    for s in store.list_threads(ThreadQuery(cwd=cwd, archived=archived))}
    result = history.search(args.query or "", limit=args.limit, sessions=sessions)
    entries = list(result.entries[: args.limit])
    known = {s.id: s for s in store.scan()}
    rows = []
    for i, entry in enumerate(entries):
        summary = known.get(entry.session_id)
        if summary is not None and summary.pending:
            summary = store.summary(entry.session_id)
        tier = TIERS[result.tiers[i]] if i < len(result.tiers) else None
        rows.append((entry, summary, tier))
    if history.skipped:  # on stderr, with --json too: the count is not lost to a pipe
        print(f"warning: {printable(history.path or '')}: {history.skipped} unreadable line"
              f"{'s' if history.skipped != 1 else ''} skipped", file=sys.stderr)
    if args.json:
        _write_json([{
            "session_id": e.session_id,
            "ts": e.ts,
            "time": iso(e.when),
            "text": e.text,
            "line": e.line,
            "match": tier,
            "session": None if s is None else {
                "title": s.title, "cwd": s.cwd, "archived": s.archived},
        } for e, s, tier in rows])
        return 0
    for e, s, _tier in rows:
        where = one_line(s.cwd) if s is not None and s.cwd else "?"
        mark = "" if s is not None else "  (session not found)"
        print(f"{_local(e.when)}  {e.session_id[:8]}  {where}  "
              f"{clip(one_line(e.text[:TITLE_MAX * 2]), TITLE_MAX)}{mark}")
    if not rows:
        what = f"matching {args.query!r}" if args.query else "in history"
        where = f" for sessions in {args.cwd}" if args.cwd else ""
        missing = f" ({history.path} does not exist)" if history.missing else ""
        print(f"no prompts {what}{where}{missing}", file=sys.stderr)
    elif result.capped or len(result.entries) > len(rows):
        print(f"(first {len(rows)} shown; --limit N for more)", file=sys.stderr)
    return 0


def history_screen(args: argparse.Namespace, store: ThreadStore) -> int:
    """The TUI on the history search screen; resuming from it runs `codex resume`."""
    from ..app import CodexTuiApp

    request = CodexTuiApp(store, cwd=_cwd_or_none(), history=True).run()
    if request is not None:
        resume_in_codex(args, store, request)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from ..store.serialize import iso

    store = open_store(args)
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    if not args.query.split():
        raise UsageError("nothing to search for")
    show_progress = not args.json and sys.stderr.isatty()

    def progress(done: int, todo: int) -> None:
        if show_progress and todo:
            print(f"\rindexing transcripts: {done:,}/{todo:,}", end="", file=sys.stderr,
                  flush=True)

    stats = store.update_text_index(progress=progress)
    if show_progress and stats.added + stats.updated:
        print(file=sys.stderr)
    result = store.search_text(args.query, limit=args.limit, update=False)
    if result.error:
        raise UsageError(result.error)
    known = {s.id: s for s in store.scan()}

    def summary(thread_id: str) -> ThreadSummary | None:
        s = known.get(thread_id)
        return store.summary(thread_id) if s is not None and s.pending else s

    from datetime import UTC

    rows = [(hit, summary(hit.thread_id)) for hit in result.hits]
    if args.json:
        _write_json([{
            "thread_id": h.thread_id,
            "turn": h.turn,
            "kind": h.kind,
            "time": iso(datetime.fromtimestamp(h.ts, UTC)) if h.ts is not None else None,
            "excerpt": h.excerpt,
            "text": h.text,
            "session": None if s is None else {"title": s.title, "cwd": s.cwd,
                                               "archived": s.archived},
        } for h, s in rows])
        return 0
    for h, s in rows:
        when = _local(datetime.fromtimestamp(h.ts, UTC)) if h.ts is not None else "-"
        title = clip(one_line(s.title), 40) if s is not None and s.title else "?"
        print(f"{h.thread_id[:8]}  turn {h.turn:<3} {when}  {h.kind:<9}  {title}  |  "
              f"{clip(one_line(h.excerpt), TITLE_MAX)}")
    if not rows:
        print(f"no transcript text matches {args.query!r}", file=sys.stderr)
    elif result.more:
        print(f"(first {len(rows)} shown; --limit N for more)", file=sys.stderr)
    return 0


def cmd_tail(args: argparse.Namespace) -> int:
    from .tail import run_tail

    if args.lines < 0:
        raise UsageError("-n must be 0 or more")
    from ..store.thread_store import resolve_ref

    store = open_store(args)
    summary = resolve_ref(args.id, store.scan())  # ids and names: no head need be read
    return run_tail(store, summary.id, last=args.lines, as_json=args.json)


def cmd_usage(args: argparse.Namespace) -> int:
    from .usage import run_usage

    if args.since and args.until and args.since > args.until:
        raise UsageError("--since is after --until")
    cwd = None if args.all else os.path.abspath(args.cwd) if args.cwd else _current_dir()
    return run_usage(args, open_store(args), cwd)


def main(argv: Sequence[str] | None = None) -> int:
    from ..resume import CodexNotFound

    if argv is None:
        argv = sys.argv[1:]
    args = parse_args(argv)
    handlers = {
        "list": cmd_list,
        "show": cmd_show,
        "history": cmd_history,
        "search": cmd_search,
        "fork": cmd_fork,
        **manage_handlers(),
        "tail": cmd_tail,
        "usage": cmd_usage,
        **storage_handlers(),
        None: lambda a: cmd_picker(a, resume_mode=False),
        "resume": lambda a: cmd_picker(a, resume_mode=True),
    }
    args.opened = []
    try:
        return handlers[args.command](args)
    except (StoreError, UsageError, CodexNotFound) as exc:
        print(f"codex-tui: {printable(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`| head`); not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        for store in args.opened:
            store.close()


if __name__ == "__main__":
    sys.exit(main())
