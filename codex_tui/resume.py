"""Handing a chosen session to the real Codex CLI: `codex resume <id>` in its directory."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from typing import NamedTuple, TextIO


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


def exec_resume(request: ResumeRequest, codex_bin: str, codex_home: str | None = None, *,
                err: TextIO = sys.stderr,
                execv: Callable[[str, list[str]], object] = os.execv) -> None:
    """Change to the session's directory (or say why not) and replace this process with
    `codex resume <id>`, pointed at the Codex home the session was found in."""
    if codex_home:
        os.environ["CODEX_HOME"] = os.path.abspath(codex_home)
    if request.cwd and os.path.isdir(request.cwd):
        os.chdir(request.cwd)
    elif request.cwd:
        try:
            here = os.getcwd()
        except OSError:
            here = "the current directory"
        print(f"codex-tui: the session's directory {request.cwd} no longer exists; "
              f"resuming in {here}", file=err)
    err.flush()
    execv(codex_bin, [codex_bin, "resume", request.thread_id])
