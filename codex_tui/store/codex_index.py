"""What Codex's own index (`state_5.sqlite`, table `threads`) says about one thread: read
only, and without leaving a trace (no `-wal`/`-shm` files are created).

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
import sqlite3
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
    # With no -wal file the main file is the whole truth: open it as immutable, which makes
    # SQLite create nothing beside it. With one (Codex is running), a read-only connection
    # uses the -shm that Codex keeps.
    live = os.path.exists(path + "-wal")
    uri = f"file:{quote(path)}?mode=ro" + ("" if live else "&immutable=1")
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=0.5)
    except sqlite3.Error:
        return None
    try:
        row = connection.execute(
            "SELECT archived, rollout_path FROM threads WHERE id = ?", (thread_id,)).fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    if row is None:
        return None
    archived, rollout_path = row
    return IndexRow(bool(archived), rollout_path if isinstance(rollout_path, str) else None)
