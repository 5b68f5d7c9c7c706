"""What Codex's own index (`state_5.sqlite`, table `threads`) says about one thread: read
only, and without leaving a trace (nothing is created or written beside Codex's files).

Why it matters (observed with codex-cli 0.169.0): once Codex has built this index it does
not repair a row whose rollout file was moved or removed by another program. After a file
is archived here, `codex resume ID` answers "no rollout found" (not "is archived") and
`codex unarchive ID` fails; after a session that Codex archived is moved back here, Codex
still calls it archived and cannot unarchive it either. codex-tui never writes Codex's
SQLite files, so it reads this row to refuse (or warn about) a move that Codex's index
would contradict.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from urllib.parse import quote

STATE_DB = "state_5.sqlite"


@dataclass(frozen=True, slots=True)
class IndexRow:
    archived: bool
    rollout_path: str | None


def state_db_path(codex_home: str) -> str:
    """Where Codex keeps state_5.sqlite: $CODEX_SQLITE_HOME, else CODEX_HOME. (A
    `sqlite_home` set in config.toml is not read.)"""
    return os.path.join(os.environ.get("CODEX_SQLITE_HOME") or codex_home, STATE_DB)


def index_row(codex_home: str, thread_id: str) -> IndexRow | None:
    """The thread's row in Codex's index, or None (no index, no row, or unreadable)."""
    path = state_db_path(codex_home)
    if not os.path.isfile(path):
        return None
    if not os.path.exists(path + "-wal"):
        # The main file is the whole truth: opened as immutable, SQLite creates and writes
        # nothing beside it.
        row = _query(f"file:{quote(path)}?mode=ro&immutable=1", thread_id)
    else:
        # Recent changes are in the -wal file, and even a read-only connection would write
        # its read marks into Codex's -shm file: read a private copy of both instead (SQLite
        # rebuilds the index of the copied log, and skips a frame torn by a concurrent write).
        with tempfile.TemporaryDirectory(prefix="codex-tui-index-") as scratch:
            copy = os.path.join(scratch, STATE_DB)
            try:
                shutil.copyfile(path, copy)
                shutil.copyfile(path + "-wal", copy + "-wal")
            except OSError:
                return None
            row = _query(f"file:{quote(copy)}", thread_id)
    if row is None:
        return None
    archived, rollout_path = row
    return IndexRow(bool(archived), rollout_path if isinstance(rollout_path, str) else None)


def _query(uri: str, thread_id: str) -> tuple | None:
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=0.5)
    except sqlite3.Error:
        return None
    try:
        return connection.execute(
            "SELECT archived, rollout_path FROM threads WHERE id = ?", (thread_id,)).fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
