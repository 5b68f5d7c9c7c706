"""Each thread's usage (accounting.ThreadUsage), cached beside the summary cache and keyed
the same way (every file's path, size, mtime and inode; see store/cache.py): a warm report
over 10,000 sessions reads this one file and no rollout. Never in CODEX_HOME; a cache that
can't be read or written is simply not used."""

from __future__ import annotations

import os
import zlib
from typing import Any

import orjson

from ..cache import _key, cache_dir, write_cache_file
from ..paths import ThreadFiles
from .accounting import ThreadUsage

USAGE_CACHE_VERSION = 1  # bump when the accounting rules (accounting.py) change


class UsageCache:
    def __init__(self, codex_home: str, directory: str | None = None) -> None:
        digest = f"{zlib.crc32(os.path.realpath(codex_home).encode()):08x}"
        self.path = os.path.join(directory or cache_dir(), f"usage-{digest}.jsonl")
        self._entries: dict[str, dict[str, Any]] | None = None
        self._dirty = False

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._entries is not None:
            return self._entries
        self._entries = {}
        try:
            with open(self.path, "rb") as stream:
                lines = stream.read().split(b"\n")
        except OSError:
            return self._entries
        try:
            header = orjson.loads(lines[0])
        except orjson.JSONDecodeError:
            return self._entries
        if not isinstance(header, dict) or header.get("version") != USAGE_CACHE_VERSION:
            return self._entries
        for line in lines[1:]:
            try:
                entry = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                self._entries[entry["id"]] = entry
        return self._entries

    def get(self, tf: ThreadFiles) -> ThreadUsage | None:
        entry = self._load().get(tf.thread_id)
        if entry is None or entry.get("key") != _key(tf):
            return None
        try:
            return ThreadUsage.from_json(entry["usage"])
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, tf: ThreadFiles, usage: ThreadUsage) -> None:
        self._load()[tf.thread_id] = {"id": tf.thread_id, "key": _key(tf),
                                      "usage": usage.to_json()}
        self._dirty = True

    def prune(self, live_ids: set[str]) -> None:
        entries = self._load()
        stale = [tid for tid in entries if tid not in live_ids]
        for tid in stale:
            del entries[tid]
        self._dirty = self._dirty or bool(stale)

    def save(self) -> None:
        """Write atomically; silently skip when the cache directory is not writable."""
        if not self._dirty or self._entries is None:
            return
        lines = (orjson.dumps(entry) for entry in self._entries.values())
        if write_cache_file(self.path, ".usage-", {"version": USAGE_CACHE_VERSION}, lines):
            self._dirty = False
