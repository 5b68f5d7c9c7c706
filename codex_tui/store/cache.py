"""Thread summaries cached in the user's cache directory (never in CODEX_HOME).

An entry is valid only while every file of the thread has the same path, size, mtime and
inode: `codex migrate-rollouts` rewrites files in place keeping their mtime, so mtime alone
is not enough. Names are not cached (they live in session_index.jsonl and change on their
own). A cache that can't be read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import datetime
from typing import Any

import orjson

from .catalog import ThreadFiles
from .model import Problem, ThreadSummary

CACHE_VERSION = 3


def cache_dir() -> str:
    explicit = os.environ.get("CODEX_TUI_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "codex-tui")


def _key(tf: ThreadFiles) -> list[list[Any]]:
    return [[rf.path, rf.size, rf.mtime_ns, rf.inode] for rf in tf.files]


def _dump(s: ThreadSummary) -> dict[str, Any]:
    data = {k: getattr(s, k) for k in ThreadSummary.__dataclass_fields__}
    data["created_at"] = s.created_at.timestamp() if s.created_at else None
    data["updated_at"] = s.updated_at.timestamp() if s.updated_at else None
    data["segments"] = list(s.segments)
    data["problems"] = [[p.message, p.path, p.line] for p in s.problems]
    data.pop("name", None)
    return data


def _load(data: dict[str, Any]) -> ThreadSummary:
    from datetime import UTC

    fields = dict(data)
    for key in ("created_at", "updated_at"):
        value = fields.get(key)
        fields[key] = datetime.fromtimestamp(value, UTC) if value is not None else None
    fields["segments"] = tuple(fields.get("segments") or ())
    fields["problems"] = tuple(Problem(m, p, ln) for m, p, ln in fields.get("problems") or ())
    return ThreadSummary(**fields)


class SummaryCache:
    def __init__(self, codex_home: str, directory: str | None = None) -> None:
        digest = hashlib.sha1(os.path.realpath(codex_home).encode()).hexdigest()[:16]
        self.path = os.path.join(directory or cache_dir(), f"threads-{digest}.json")
        self._entries: dict[str, dict[str, Any]] = {}
        self._dirty = False
        self._loaded = False

    def load(self) -> None:
        self._loaded = True
        try:
            with open(self.path, "rb") as stream:
                data = orjson.loads(stream.read())
        except (OSError, orjson.JSONDecodeError):
            return
        if isinstance(data, dict) and data.get("version") == CACHE_VERSION:
            entries = data.get("threads")
            if isinstance(entries, dict):
                self._entries = entries

    def get(self, tf: ThreadFiles) -> ThreadSummary | None:
        if not self._loaded:
            self.load()
        entry = self._entries.get(tf.thread_id)
        if entry is None or entry.get("key") != _key(tf):
            return None
        try:
            summary = _load(entry["summary"])
        except (KeyError, TypeError, ValueError):
            return None
        summary.archived = tf.archived
        return summary

    def put(self, tf: ThreadFiles, summary: ThreadSummary) -> None:
        self._entries[tf.thread_id] = {"key": _key(tf), "summary": _dump(summary)}
        self._dirty = True

    def prune(self, live_ids: set[str]) -> None:
        stale = [tid for tid in self._entries if tid not in live_ids]
        for tid in stale:
            del self._entries[tid]
        self._dirty = self._dirty or bool(stale)

    def save(self) -> None:
        """Write atomically; silently skip when the cache directory is not writable."""
        if not self._dirty:
            return
        directory = os.path.dirname(self.path)
        try:
            os.makedirs(directory, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".threads-", dir=directory)
            try:
                with os.fdopen(fd, "wb") as stream:
                    stream.write(orjson.dumps({"version": CACHE_VERSION,
                                               "threads": self._entries}))
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            return
        self._dirty = False
