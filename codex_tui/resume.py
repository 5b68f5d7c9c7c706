"""Handing a chosen session to the real Codex CLI: `codex resume <id>` in its directory."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, TextIO

if TYPE_CHECKING:
    from .store.thread_store.protocol import ResumeCommand


class ResumeRequest(NamedTuple):
    """What the picker hands back when the user chooses a session to resume."""

    thread_id: str
    cwd: str | None


class CodexNotFound(Exception):
    pass


def find_codex(explicit: str | None = None) -> str:
    """The codex binary: `--codex-bin`, else $CODEX_TUI_CODEX_BIN, else `codex` on PATH."""
    candidate = explicit or os.environ.get("CODEX_TUI_CODEX_BIN") or "codex"
    found = shutil.which(candidate)
    if found is None:
        where = "--codex-bin" if explicit else (
            "$CODEX_TUI_CODEX_BIN" if os.environ.get("CODEX_TUI_CODEX_BIN") else "PATH")
        raise CodexNotFound(
            f"cannot run Codex: {candidate!r} not found (from {where}); install the Codex CLI "
            "or pass --codex-bin PATH")
    return found


def codex_for_writes(explicit: str | None = None) -> str | None:
    """The codex binary that makes this machine's writes through `codex app-server`, or None
    (writes then go to the files). An explicit `--codex-bin` that is not there is an error."""
    if explicit:
        return find_codex(explicit)
    try:
        return find_codex(None)
    except CodexNotFound:
        return None


def exec_command(command: ResumeCommand, *, err: TextIO = sys.stderr,
                 execvpe: Callable[[str, list[str], dict[str, str]], object] = os.execvpe
                 ) -> None:
    """Replace this process with `command` (`codex resume ID` in the session's directory,
    pointed at its home; or `ssh -t HOST ...`), saying first why it runs elsewhere."""
    env = {**os.environ, **command.env}
    if command.cwd:
        os.chdir(command.cwd)
    if command.note:
        try:
            here = os.getcwd()
        except OSError:
            here = "the current directory"
        print(f"codex-tui: {command.note}; resuming in {here}", file=err)
    err.flush()
    execvpe(command.argv[0], command.argv, env)
