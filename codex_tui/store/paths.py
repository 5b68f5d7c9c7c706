"""Where rollout files live and what their names say.

`rollout-YYYY-MM-DDThh-mm-ss-<thread uuid>[_<segment uuid>].jsonl[.zst]` under
`sessions/YYYY/MM/DD/` (and, from very old releases, directly under `sessions/`), or flat
under `archived_sessions/`. The name's timestamp is the writer's *local* time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

SESSIONS = "sessions"
ARCHIVED = "archived_sessions"

_NAME_RE = re.compile(
    r"^rollout-(?P<ts>\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2})-"
    r"(?P<id>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"(?:_(?P<seg>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}))?"
    r"\.jsonl(?P<zst>\.zst)?$"
)


@dataclass(frozen=True, slots=True)
class RolloutName:
    thread_id: str
    segment_id: str | None
    stamp: str  # "YYYY-MM-DDThh-mm-ss", the writer's local time
    compressed: bool

    @property
    def local_time(self) -> datetime | None:
        try:
            return datetime.strptime(self.stamp, "%Y-%m-%dT%H-%M-%S")
        except ValueError:
            return None

    @property
    def date_parts(self) -> tuple[str, str, str]:
        return self.stamp[0:4], self.stamp[5:7], self.stamp[8:10]


def parse_rollout_name(name: str) -> RolloutName | None:
    match = _NAME_RE.match(name)
    if match is None:
        return None
    thread_id = match.group("id").lower()  # the pattern already checked the UUID's shape
    seg = match.group("seg")
    return RolloutName(thread_id, seg.lower() if seg else None, match.group("ts"),
                       bool(match.group("zst")))


@dataclass(frozen=True, slots=True)
class RolloutFile:
    path: str
    name: RolloutName
    archived: bool
    size: int
    mtime_ns: int
    inode: int


def scan_rollout_files(codex_home: str, archived: bool) -> Iterator[RolloutFile]:
    """Every rollout file under `sessions/` (or `archived_sessions/`), stat'ed, in no
    particular order. Never follows directory symlinks; skips what vanishes mid-scan."""
    root = os.path.join(codex_home, ARCHIVED if archived else SESSIONS)
    yield from _walk(root, archived, depth=0)


def _walk(directory: str, archived: bool, depth: int) -> Iterator[RolloutFile]:
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                # sessions/YYYY/MM/DD: only numeric folders, three levels deep.
                if depth < 3 and entry.name.isdigit():
                    yield from _walk(entry.path, archived, depth + 1)
                continue
            name = parse_rollout_name(entry.name)
            if name is None:
                continue
            st = entry.stat(follow_symlinks=True)
        except OSError:
            continue  # vanished, a dangling link, or unreadable
        if not _is_regular(st.st_mode):
            continue
        yield RolloutFile(entry.path, name, archived, st.st_size, st.st_mtime_ns, st.st_ino)


def _is_regular(mode: int) -> bool:
    import stat

    return stat.S_ISREG(mode)
