"""The command line's arguments: global options (accepted before or after the subcommand,
as users type them) and one parser per subcommand, built only when named."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .. import __version__

if TYPE_CHECKING:
    from typing import TypeAlias

    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

# Options that may be given more than once, and the one-valued ones, that any subcommand
# also accepts after its name (`codex-tui list --codex-home X`): parsed into LATE_* and
# merged into the global value by `merge_late_options`.
GLOBAL_LISTS = ("codex_home", "remote", "remote_command")
GLOBAL_VALUES = ("codex_bin",)
LATE = "late_"
_VALUED = ("--codex-home", "--codex-bin", "--remote", "--remote-command")


def add_global_options(parser: argparse.ArgumentParser, late: bool = False) -> None:
    """The global options; on a subcommand (`late`) into their own names, so that a value
    given before the subcommand is not lost (argparse lets the subcommand's win)."""
    prefix = LATE if late else ""
    default = argparse.SUPPRESS if late else None
    parser.add_argument(
        "--codex-home", metavar="PATH", action="append", dest=prefix + "codex_home",
        default=default,
        help="a Codex home directory (default: $CODEX_HOME or ~/.codex); repeatable: "
             "the picker shows every home given")
    parser.add_argument(
        "--codex-bin", metavar="PATH", dest=prefix + "codex_bin", default=default,
        help="the codex binary that resumes sessions and makes writes through "
             "`codex app-server` (default: $CODEX_TUI_CODEX_BIN or codex on PATH)")
    parser.add_argument(
        "--remote", metavar="HOST", action="append", dest=prefix + "remote", default=default,
        help="sessions on HOST, through `ssh HOST codex app-server` (your ssh config and "
             "keys); repeatable")
    parser.add_argument(
        "--remote-command", metavar="CMD", action="append", dest=prefix + "remote_command",
        default=default,
        help="sessions through any command speaking the app-server protocol on its stdio, "
             "run by the shell (e.g. 'env CODEX_HOME=/x codex app-server'); repeatable")


def merge_late_options(args: argparse.Namespace) -> argparse.Namespace:
    for name in GLOBAL_LISTS:
        late = getattr(args, LATE + name, None)
        if late is not None:
            setattr(args, name, (getattr(args, name, None) or []) + late)
            delattr(args, LATE + name)
    for name in GLOBAL_VALUES:
        late = getattr(args, LATE + name, None)
        if late is not None:
            setattr(args, name, late)
            delattr(args, LATE + name)
    return args


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    return merge_late_options(build_parser(argv).parse_args(argv))


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser. Given the arguments it is for, only the subcommand they
    name is built: the picker, opened a hundred times a day, need not pay ~3 ms for a dozen
    subparsers. For help, an unknown command or no `argv`, every subcommand is built."""
    parser = argparse.ArgumentParser(
        prog="codex-tui",
        description="Find, read, fork, resume and manage OpenAI Codex CLI sessions.",
    )
    parser.add_argument("--version", action="version", version=f"codex-tui {__version__}")
    add_global_options(parser)
    parser.add_argument("--all", action="store_true", dest="picker_all",
                        help="open the picker on sessions from every directory")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _SUBCOMMANDS if argv is None else _named_subcommand(argv):
        add_global_options(_SUBCOMMANDS[name](sub), late=True)
    return parser


def _named_subcommand(argv: Sequence[str]) -> list[str]:
    """The subcommand `argv` names (its first word that is not an option or an option's
    value), as a list of the subcommands to build: none for the picker, all of them for
    help or a word that is not a subcommand."""
    words = iter(argv)
    for word in words:
        if "=" not in word and len(word) > 3 and any(o.startswith(word) for o in _VALUED):
            next(words, None)  # its value (argparse takes abbreviations too)
        elif word in ("-h", "--help") or not word.startswith("-"):
            return [word] if word in _SUBCOMMANDS else list(_SUBCOMMANDS)
    return []


def _add_resume(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser("resume", help="pick a session and run `codex resume` on it")
    p.add_argument("--all", action="store_true", help="sessions from every directory")
    p.add_argument("--last", action="store_true",
                   help="resume the newest session for this directory, no picker")
    p.add_argument("--print", action="store_true",
                   help="print the chosen session id instead of resuming it")
    return p


def _add_list(sub: Subparsers) -> argparse.ArgumentParser:
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
    return p


def _add_show(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "show", help="read one session's transcript (in the TUI; --markdown or --json print "
                     "it, as does a plain `show` whose output is not a terminal)")
    p.add_argument("id", metavar="ID", help=REF_HELP)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON object (see README)")
    fmt.add_argument("--markdown", action="store_true", help="Markdown")
    return p


def _add_history(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "history", help="search the prompts of history.jsonl (no QUERY in a terminal: the "
                        "history search screen)")
    p.add_argument("query", metavar="QUERY", nargs="?",
                   help="fuzzy: every word, as typed, in order, or with a typo")
    p.add_argument("--json", action="store_true", help="JSON array (see README)")
    p.add_argument("--limit", type=int, metavar="N", default=50,
                   help="at most N prompts (default 50)")
    p.add_argument("--cwd", metavar="PATH", help="only prompts of sessions started in PATH")
    return p


def _add_search(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "search", help="search the text of every transcript (messages and commands), "
                       "through an index kept in the cache directory")
    p.add_argument("query", metavar="QUERY", help="words to find (substrings)")
    p.add_argument("--json", action="store_true", help="JSON array (see README)")
    p.add_argument("--limit", type=int, metavar="N", default=50,
                   help="at most N results (default 50)")
    return p


def _add_fork(sub: Subparsers) -> argparse.ArgumentParser:
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
    return p


def _add_archive(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser("archive", help="move a session to archived_sessions/, as `codex "
                       "archive` does (Codex then refuses to resume it)")
    p.add_argument("id", metavar="ID", help=REF_HELP)
    _add_write_json(p)
    return p


def _add_write_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true",
                   help="JSON: the session after the change, and which way it was written")


def _add_unarchive(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser("unarchive", help="move an archived session back to sessions/")
    p.add_argument("id", metavar="ID", help=REF_HELP)
    _add_write_json(p)
    return p


def _add_rename(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser("rename", help="name a session (the name `codex resume NAME` finds)")
    p.add_argument("id", metavar="ID", help=REF_HELP)
    p.add_argument("name", metavar="NAME", help="the new name")
    _add_write_json(p)
    return p


def _add_delete(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser("delete", help="delete a session's files and names for good")
    p.add_argument("id", metavar="ID", help=REF_HELP)
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    _add_write_json(p)
    return p


def _add_export(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser("export", help="write a session as Markdown, HTML or JSON")
    p.add_argument("id", metavar="ID", help=REF_HELP)
    p.add_argument("--format", "-f", metavar="FORMAT",
                   help="markdown (md), html or json (default: from the output file's "
                        "extension, else markdown)")
    p.add_argument("--output", "-o", metavar="PATH",
                   help="write to PATH (default: standard output; '-' too)")
    p.add_argument("--force", action="store_true", help="replace PATH if it exists")
    return p


def _add_tail(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "tail", help="print a session's records as Codex appends them (like tail -f), "
                     "until interrupted")
    p.add_argument("id", metavar="ID", help=REF_HELP)
    p.add_argument("-n", "--lines", type=int, default=10, metavar="N",
                   help="start with the last N records already written (default 10; "
                        "0: only new ones)")
    p.add_argument("--json", action="store_true", help="one JSON object per line (see README)")
    return p


def _add_du(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser("du", help="where the home's space goes: per project, month, source "
                       "or size, active and archived, the largest sessions")
    p.add_argument("--by", choices=("project", "month", "source", "size"), default="project",
                   help="how to group the sessions (default: project)")
    p.add_argument("--top", type=int, default=20, metavar="N",
                   help="show the N biggest groups (default 20; 0: all; JSON has all)")
    p.add_argument("--largest", type=int, default=10, metavar="N",
                   help="list the N largest sessions (default 10)")
    p.add_argument("--json", action="store_true", help="JSON object (see README)")
    return p


def _add_prune(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser("prune", help="archive or delete many sessions at once (prints what "
                       "it would do unless --yes)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--cwd", metavar="PATH", help="sessions started in PATH")
    where.add_argument("--all", action="store_true", help="sessions from every directory")
    p.add_argument("--older-than", metavar="DURATION",
                   help="last active longer ago than DURATION: 90d, 6m (months), 2w, 1y, 12h")
    p.add_argument("--larger-than", metavar="SIZE",
                   help="bigger than SIZE (all its files): 500K, 10M, 1G (units of 1024)")
    p.add_argument("--source", action="append", metavar="KIND",
                   help="only this source: interactive, exec, sub-agent, or a label "
                        "(cli, vscode, subagent:review, ...); repeatable")
    state = p.add_mutually_exclusive_group()
    state.add_argument("--archived", action="store_true", help="archived sessions only")
    state.add_argument("--active", action="store_true", help="active sessions only")
    action = p.add_mutually_exclusive_group(required=True)
    action.add_argument("--archive", action="store_true",
                        help="move them to archived_sessions/ (active sessions only)")
    action.add_argument("--delete", action="store_true",
                        help="delete their files for good (archived ones, unless "
                             "--include-active)")
    p.add_argument("--include-active", action="store_true",
                   help="let --delete take active (unarchived) sessions too")
    p.add_argument("--yes", "-y", action="store_true",
                   help="do it (without: print what would be done, write nothing)")
    p.add_argument("--json", action="store_true", help="JSON object (see README)")
    return p


def _add_usage(sub: Subparsers) -> argparse.ArgumentParser:
    from .usage import add_parser  # (its choices come from the store's usage reports)

    return add_parser(sub)


REF_HELP = "session id, unique id prefix, or thread name"
# In the order `--help` lists them.
_SUBCOMMANDS = {
    "resume": _add_resume, "list": _add_list, "show": _add_show, "history": _add_history,
    "search": _add_search, "fork": _add_fork, "archive": _add_archive,
    "unarchive": _add_unarchive, "rename": _add_rename, "delete": _add_delete,
    "export": _add_export, "tail": _add_tail, "usage": _add_usage,
    "du": _add_du, "prune": _add_prune,
}
