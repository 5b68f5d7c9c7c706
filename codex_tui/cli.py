"""`codex-tui` command line: plain and JSON commands over the ThreadStore.

JSON commands use the store alone (no Textual import), so they start fast and can be
scripted. Errors a user can fix exit with status 2 and one clear line on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import datetime

import orjson

from . import __version__
from .store import LocalThreadStore, Problem, StoreError, ThreadQuery, ThreadSummary
from .store.serialize import summary_json, thread_json
from .textutil import clip, one_line, printable

TITLE_MAX = 200


class UsageError(Exception):
    """A problem with what the user asked for (exit status 2)."""


def default_codex_home() -> str:
    return os.environ.get("CODEX_HOME") or os.path.join(os.path.expanduser("~"), ".codex")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser. Given the arguments it is for, only the subcommand they
    name is built: the picker, opened a hundred times a day, need not pay ~3 ms for a dozen
    subparsers. For help, an unknown command or no `argv`, every subcommand is built."""
    parser = argparse.ArgumentParser(
        prog="codex-tui",
        description="Find, read, fork, resume and manage OpenAI Codex CLI sessions.",
    )
    parser.add_argument("--version", action="version", version=f"codex-tui {__version__}")
    parser.add_argument(
        "--codex-home", metavar="PATH", default=None,
        help="Codex home directory (default: $CODEX_HOME or ~/.codex)",
    )
    parser.add_argument(
        "--codex-bin", metavar="PATH", default=None,
        help="the codex binary to resume with (default: $CODEX_TUI_CODEX_BIN or codex on PATH)",
    )
    parser.add_argument("--all", action="store_true", dest="picker_all",
                        help="open the picker on sessions from every directory")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _SUBCOMMANDS if argv is None else _named_subcommand(argv):
        _SUBCOMMANDS[name](sub)
    return parser


def _named_subcommand(argv: Sequence[str]) -> list[str]:
    """The subcommand `argv` names (its first word that is not an option or an option's
    value), as a list of the subcommands to build: none for the picker, all of them for
    help or a word that is not a subcommand."""
    words = iter(argv)
    for word in words:
        if len(word) > 3 and any(o.startswith(word) for o in ("--codex-home", "--codex-bin")):
            next(words, None)  # its value (argparse takes abbreviations too)
        elif word in ("-h", "--help") or not word.startswith("-"):
            return [word] if word in _SUBCOMMANDS else list(_SUBCOMMANDS)
    return []


def _add_resume(sub) -> None:
    p = sub.add_parser("resume", help="pick a session and run `codex resume` on it")
    p.add_argument("--all", action="store_true", help="sessions from every directory")
    p.add_argument("--last", action="store_true",
                   help="resume the newest session for this directory, no picker")
    p.add_argument("--print", action="store_true",
                   help="print the chosen session id instead of resuming it")


def _add_list(sub) -> None:
    p = sub.add_parser("list", help="list sessions (default: this directory, newest first)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--all", action="store_true", help="sessions from every directory")
    where.add_argument("--cwd", metavar="PATH", help="sessions started in PATH")
    p.add_argument("--archived", action="store_true", help="archived sessions instead")
    p.add_argument("--sort", choices=("updated", "created"), default="updated")
    p.add_argument("--search", metavar="Q", help="fuzzy match title, name, cwd, branch, id")
    p.add_argument("--source", action="append", metavar="KIND",
                   help="only this source (cli, vscode, exec, subagent:review, ...); "
                        "repeatable")
    p.add_argument("--limit", type=int, metavar="N", help="at most N sessions")
    p.add_argument("--json", action="store_true", help="JSON array (see README)")


def _add_show(sub) -> None:
    p = sub.add_parser(
        "show", help="read one session's transcript (in the TUI; --markdown or --json print "
                     "it, as does a plain `show` whose output is not a terminal)")
    p.add_argument("id", metavar="ID", help=REF_HELP)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON object (see README)")
    fmt.add_argument("--markdown", action="store_true", help="Markdown")


def _add_history(sub) -> None:
    p = sub.add_parser(
        "history", help="search the prompts of history.jsonl (no QUERY in a terminal: the "
                        "history search screen)")
    p.add_argument("query", metavar="QUERY", nargs="?",
                   help="fuzzy: every word, as typed, in order, or with a typo")
    p.add_argument("--json", action="store_true", help="JSON array (see README)")
    p.add_argument("--limit", type=int, metavar="N", default=50,
                   help="at most N prompts (default 50)")
    p.add_argument("--cwd", metavar="PATH", help="only prompts of sessions started in PATH")


def _add_search(sub) -> None:
    p = sub.add_parser(
        "search", help="search the text of every transcript (messages and commands), "
                       "through an index kept in the cache directory")
    p.add_argument("query", metavar="QUERY", help="words to find (substrings)")
    p.add_argument("--json", action="store_true", help="JSON array (see README)")
    p.add_argument("--limit", type=int, metavar="N", default=50,
                   help="at most N results (default 50)")


def _add_fork(sub) -> None:
    p = sub.add_parser(
        "fork", help="write a new session holding turns 1..N of a session (the Codex CLI "
                     "resumes it: codex resume NEW-ID); prints the new id")
    p.add_argument("id", metavar="ID", help=REF_HELP)
    p.add_argument("--turn", type=int, required=True, metavar="N",
                   help="keep turns 1..N (see `show ID`)")
    p.add_argument("--name", metavar="NAME",
                   help="name the fork (default: the source's name, as Codex does; "
                        "--name '' for none)")
    p.add_argument("--json", action="store_true", help="JSON summary of the new session")


def _add_archive(sub) -> None:
    p = sub.add_parser("archive", help="move a session to archived_sessions/, as `codex "
                       "archive` does (Codex then refuses to resume it)")
    p.add_argument("id", metavar="ID", help=REF_HELP)


def _add_unarchive(sub) -> None:
    p = sub.add_parser("unarchive", help="move an archived session back to sessions/")
    p.add_argument("id", metavar="ID", help=REF_HELP)


def _add_rename(sub) -> None:
    p = sub.add_parser("rename", help="name a session (the name `codex resume NAME` finds)")
    p.add_argument("id", metavar="ID", help=REF_HELP)
    p.add_argument("name", metavar="NAME", help="the new name")


def _add_delete(sub) -> None:
    p = sub.add_parser("delete", help="delete a session's files and names for good")
    p.add_argument("id", metavar="ID", help=REF_HELP)
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")


def _add_export(sub) -> None:
    p = sub.add_parser("export", help="write a session as Markdown, HTML or JSON")
    p.add_argument("id", metavar="ID", help=REF_HELP)
    p.add_argument("--format", "-f", metavar="FORMAT",
                   help="markdown (md), html or json (default: from the output file's "
                        "extension, else markdown)")
    p.add_argument("--output", "-o", metavar="PATH",
                   help="write to PATH (default: standard output; '-' too)")
    p.add_argument("--force", action="store_true", help="replace PATH if it exists")


def _add_tail(sub) -> None:
    p = sub.add_parser(
        "tail", help="print a session's records as Codex appends them (like tail -f), "
                     "until interrupted")
    p.add_argument("id", metavar="ID", help=REF_HELP)
    p.add_argument("-n", "--lines", type=int, default=10, metavar="N",
                   help="start with the last N records already written (default 10; "
                        "0: only new ones)")
    p.add_argument("--json", action="store_true", help="one JSON object per line (see README)")


REF_HELP = "session id, unique id prefix, or thread name"
# In the order `--help` lists them.
_SUBCOMMANDS = {
    "resume": _add_resume, "list": _add_list, "show": _add_show, "history": _add_history,
    "search": _add_search, "fork": _add_fork, "archive": _add_archive,
    "unarchive": _add_unarchive, "rename": _add_rename, "delete": _add_delete,
    "export": _add_export, "tail": _add_tail,
}


def open_store(args: argparse.Namespace) -> LocalThreadStore:
    return LocalThreadStore(args.codex_home or default_codex_home())


def _current_dir() -> str:
    try:
        return os.getcwd()
    except FileNotFoundError:
        raise UsageError(
            "the current directory no longer exists; use --all or --cwd PATH") from None


def _warn(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(f"warning: {printable(str(problem))}", file=sys.stderr)


def _write_json(value: object) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2))
    sys.stdout.buffer.write(b"\n")


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
    if args.json:
        _write_json([summary_json(t) for t in threads])
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
    from .export_markdown import thread_markdown

    _warn(thread.problems)
    sys.stdout.write(printable(thread_markdown(thread)))
    return 0


def cmd_fork(args: argparse.Namespace) -> int:
    store = open_store(args)
    source = store.resolve(args.id)
    fork = store.fork_thread(source.id, args.turn, name=args.name)
    if args.json:
        _write_json(summary_json(fork))
    else:
        print(fork.id)
    return 0


def manage_handlers() -> dict:
    from . import cli_manage

    return {"archive": cli_manage.cmd_archive, "unarchive": cli_manage.cmd_unarchive,
            "rename": cli_manage.cmd_rename, "delete": cli_manage.cmd_delete,
            "export": cli_manage.cmd_export}


def _interactive() -> bool:
    """A terminal on both ends: otherwise (a pipe, a file) `show` prints Markdown."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def show_transcript(args: argparse.Namespace, store: LocalThreadStore, thread_id: str) -> int:
    """The TUI on one session's transcript; `c` there resumes it as the picker does."""
    from .app import CodexTuiApp
    from .resume import exec_resume, find_codex

    request = CodexTuiApp(store, cwd=_cwd_or_none(), transcript=thread_id).run()
    if request is None:
        return 0
    exec_resume(request, find_codex(args.codex_bin), store.codex_home)
    return 0


def _cwd_or_none() -> str | None:
    try:
        return os.getcwd()
    except FileNotFoundError:
        return None


def newest_session(store: LocalThreadStore, cwd: str | None) -> ThreadSummary | None:
    """The most recently updated active session for `cwd` (any directory when None), reading
    heads newest first and stopping at the first match."""
    from .store.query import cwd_matcher, normalize_path, visible_source

    spellings = cwd_matcher(cwd) if cwd else None
    stubs = sorted((s for s in store.scan() if not s.archived),
                   key=lambda s: s.updated_at.timestamp() if s.updated_at else 0, reverse=True)
    for stub in stubs:
        s = store.summary(stub.id) if stub.pending else stub
        if not visible_source(s.source, all_sources=False):
            continue
        if spellings is None or (s.cwd and normalize_path(s.cwd) in spellings):
            return s
    return None


def cmd_picker(args: argparse.Namespace, resume_mode: bool) -> int:
    from .resume import ResumeRequest, exec_resume, find_codex
    from .screens.picker import PickerFilters

    store = open_store(args)
    print_only = resume_mode and args.print
    codex_bin = None
    if resume_mode and not print_only:
        codex_bin = find_codex(args.codex_bin)  # fail before the screen opens, not after
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
        from .app import CodexTuiApp

        app = CodexTuiApp(store, cwd=cwd, filters=PickerFilters(all_dirs=all_dirs),
                          resume_mode=resume_mode)
        request = app.run()
    if request is None:
        return 0
    if print_only:
        print(request.thread_id)
        return 0
    exec_resume(request, codex_bin or find_codex(args.codex_bin), store.codex_home)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from .store.history import TIERS
    from .store.serialize import iso

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


def history_screen(args: argparse.Namespace, store: LocalThreadStore) -> int:
    """The TUI on the history search screen; resuming from it runs `codex resume`."""
    from .app import CodexTuiApp
    from .resume import exec_resume, find_codex

    request = CodexTuiApp(store, cwd=_cwd_or_none(), history=True).run()
    if request is None:
        return 0
    exec_resume(request, find_codex(args.codex_bin), store.codex_home)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from .store.serialize import iso

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
    from .tail_cmd import run_tail

    if args.lines < 0:
        raise UsageError("-n must be 0 or more")
    from .store.thread_store import resolve_ref

    store = open_store(args)
    summary = resolve_ref(args.id, store.scan())  # ids and names: no head need be read
    return run_tail(store, summary.id, last=args.lines, as_json=args.json)


def main(argv: Sequence[str] | None = None) -> int:
    from .resume import CodexNotFound

    if argv is None:
        argv = sys.argv[1:]
    args = build_parser(argv).parse_args(argv)
    handlers = {
        "list": cmd_list,
        "show": cmd_show,
        "history": cmd_history,
        "search": cmd_search,
        "fork": cmd_fork,
        **manage_handlers(),
        "tail": cmd_tail,
        None: lambda a: cmd_picker(a, resume_mode=False),
        "resume": lambda a: cmd_picker(a, resume_mode=True),
    }
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


if __name__ == "__main__":
    sys.exit(main())
