"""Opening the stores a command line asks for: Codex homes on this machine
(`--codex-home`, repeatable), other machines (`--remote HOST`: `ssh HOST codex app-server`),
and any command speaking the app-server protocol (`--remote-command CMD`); several of them
are merged into one store.

ssh is the system's `ssh` with the user's own config and keys, or `$CODEX_TUI_SSH_COMMAND`
(shell words, as GIT_SSH_COMMAND). It runs in batch mode: a password prompt cannot reach a
full-screen terminal, so a host that wants one is refused, with ssh's own words.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence

from ..errors import StoreError
from .protocol import ResumeCommand, ThreadStore

SSH_ENV = "CODEX_TUI_SSH_COMMAND"
SSH_CONNECT_TIMEOUT = 10  # seconds (ssh's ConnectTimeout; the user's own -o comes first)


def ssh_words() -> list[str]:
    words = shlex.split(os.environ.get(SSH_ENV) or "ssh")
    if not words:
        raise StoreError(f"${SSH_ENV} is empty")
    return words


def remote_store(host: str) -> ThreadStore:
    """`ssh HOST codex app-server`, resumed with `ssh -t HOST 'cd CWD && codex resume ID'`."""
    from .appserver import AppServerThreadStore
    from .jsonrpc import AppServerClient, ServerCommand

    if not host or host.startswith("-"):
        raise StoreError(f"not a host name: {host!r}")
    ssh = ssh_words()
    argv = [*ssh, "-T", "-o", "BatchMode=yes", "-o", f"ConnectTimeout={SSH_CONNECT_TIMEOUT}",
            host, "codex", "app-server"]
    client = AppServerClient(ServerCommand(argv, f"codex app-server on {host}"))
    client.start_soon()  # connecting takes ~0.3 s: let it overlap building the screen

    def resume(thread_id: str, cwd: str | None) -> ResumeCommand:
        script = f"codex resume {shlex.quote(thread_id)}"
        if cwd:
            script = f"cd {shlex.quote(cwd)} && {script}"
        return ResumeCommand([*ssh, "-t", host, script], {}, None, None)

    return AppServerThreadStore(client, host, resume=resume)


def command_store(command: str) -> ThreadStore:
    """Any command (run by the shell) that speaks the protocol on its stdio; resumed by the
    same command with its last word `app-server` replaced by `resume ID`."""
    from .appserver import AppServerThreadStore
    from .jsonrpc import AppServerClient, ServerCommand

    if not command.strip():
        raise StoreError("--remote-command is empty")
    label = _short(command)
    client = AppServerClient(ServerCommand(command, label, shell=True))
    client.start_soon()

    def resume(thread_id: str, cwd: str | None) -> ResumeCommand:
        words = command.rstrip()
        if not words.endswith("app-server"):
            raise StoreError("cannot resume through --remote-command: it does not end with "
                             "`app-server` (codex-tui runs it with `resume ID` in its place)")
        script = f"{words[: -len('app-server')]}resume {shlex.quote(thread_id)}"
        if cwd:
            script = f"cd {shlex.quote(cwd)} 2>/dev/null; {script}"
        return ResumeCommand(["/bin/sh", "-c", script], {}, None, None)

    return AppServerThreadStore(client, label, resume=resume)


def open_stores(codex_homes: Sequence[str], remotes: Sequence[str],
                remote_commands: Sequence[str], codex_bin: str | None,
                default_home: str) -> ThreadStore:
    """One store, or several merged. With no home, host or command given: `default_home`.
    `codex_bin`, when found, carries this machine's writes (local_writes.py)."""
    from .local import LocalThreadStore

    homes = list(codex_homes) or ([] if remotes or remote_commands else [default_home])
    several = len(homes) + len(remotes) + len(remote_commands) > 1
    stores: list[ThreadStore] = []
    for home in homes:
        label = _home_label(home) if several else "this machine"
        stores.append(LocalThreadStore(home, codex_bin=codex_bin, label=label))
    stores += [remote_store(host) for host in remotes]
    stores += [command_store(command) for command in remote_commands]
    if len(stores) == 1:
        return stores[0]
    from .merged import MergedThreadStore

    return MergedThreadStore(stores)


def _home_label(home: str) -> str:
    path = os.path.abspath(os.path.expanduser(home))
    user = os.path.expanduser("~")
    if path == user or path.startswith(user + os.sep):
        path = "~" + path[len(user):]
    return path


def _short(command: str, width: int = 32) -> str:
    flat = " ".join(command.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
