"""A home for the storage report, prune and bulk tests: sessions in several projects,
months and sources, of different sizes, active and archived, with a real fork pair.

Each session is the real 0.169 exec rollout of the fixture home with its session_meta made
this session's (id, time, cwd, source) and its turn lines repeated to make it bigger; its
mtime (the "updated" time) is set. The fork pair is copied from the fixture home as Codex
wrote it (the fork's history_base names the source).
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import orjson

from support.homes import FIXTURES

FIXTURE_DAY = FIXTURES / "codex-home" / "sessions/2026/11/21"
TEMPLATE = FIXTURE_DAY / "rollout-2026-11-21T13-05-53-01a1fe36-976d-7502-9877-b87642d8c5e2.jsonl"
FORK_SOURCE = "01a1fe36-9923-7570-9f27-baeff79474f4"  # 0.169 paginated; FORK starts from it
FORK = "01a1fe36-a3e5-7b30-9c75-8b09d6038321"
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # before the tests' fixed clock


class Spec(NamedTuple):
    id: str
    cwd: str
    created: datetime
    source: object = "cli"  # as Codex writes it: "cli", "exec", {"subagent": "review"}
    archived: bool = False
    copies: int = 1  # how many times the template's turn lines are written
    updated: datetime | None = None  # mtime; default: created + 1 hour


def sid(n: int) -> str:
    return f"01a1fe40-0000-7000-8000-{n:012x}"


SPECS = [
    # alpha: the biggest project; two old big sessions, one recent, one archived
    Spec(sid(1), "/home/dev/alpha", NOW - timedelta(days=200), "cli", copies=30),
    Spec(sid(2), "/home/dev/alpha", NOW - timedelta(days=100), "exec", copies=20),
    Spec(sid(3), "/home/dev/alpha", NOW - timedelta(days=3), "cli", copies=5),
    Spec(sid(4), "/home/dev/alpha", NOW - timedelta(days=150), "vscode", archived=True,
         copies=10),
    # beta: small sessions, one a sub-agent's
    Spec(sid(5), "/home/dev/beta", NOW - timedelta(days=40), "cli", copies=2),
    Spec(sid(6), "/home/dev/beta", NOW - timedelta(days=40),
         {"subagent": "review"}, copies=1),
    Spec(sid(7), "/home/dev/beta", NOW - timedelta(days=2), "exec", copies=1),
    # gamma: one archived, old
    Spec(sid(8), "/home/dev/gamma", NOW - timedelta(days=400), "exec", archived=True,
         copies=3),
]


def _session(spec: Spec, template: list[bytes]) -> bytes:
    meta = orjson.loads(template[0])
    created = spec.created.astimezone(UTC).isoformat(timespec="milliseconds") \
        .replace("+00:00", "Z")
    meta["timestamp"] = created
    payload = meta["payload"]
    payload.update(id=spec.id, session_id=spec.id, timestamp=created, cwd=spec.cwd,
                   source=spec.source)
    payload["runtime_workspace_roots"] = [spec.cwd]
    body = b"".join(line + b"\n" for line in template[1:])
    return orjson.dumps(meta) + b"\n" + body * spec.copies


def file_name(spec: Spec) -> str:
    return f"rollout-{spec.created.strftime('%Y-%m-%dT%H-%M-%S')}-{spec.id}.jsonl"


def build_home(home: Path, specs: list[Spec] = SPECS, forks: bool = True) -> Path:
    """The home; also a history.jsonl and a session_index.jsonl of known sizes."""
    template = TEMPLATE.read_bytes().splitlines()
    for spec in specs:
        if spec.archived:
            folder = home / "archived_sessions"
        else:
            folder = home / "sessions" / spec.created.strftime("%Y/%m/%d")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / file_name(spec)
        path.write_bytes(_session(spec, template))
        updated = (spec.updated or spec.created + timedelta(hours=1)).timestamp()
        os.utime(path, (updated, updated))
    if forks:
        day = home / "sessions/2026/11/21"
        day.mkdir(parents=True, exist_ok=True)
        for tid in (FORK_SOURCE, FORK):
            [src] = FIXTURE_DAY.glob(f"rollout-*{tid}.jsonl")
            shutil.copyfile(src, day / src.name)
            old = (NOW - timedelta(days=300)).timestamp()
            os.utime(day / src.name, (old, old))
    (home / "history.jsonl").write_bytes(
        b'{"session_id":"%s","ts":1795266600,"text":"hello"}\n' % sid(1).encode())
    (home / "session_index.jsonl").write_bytes(
        b'{"id":"%s","thread_name":"alpha work","updated_at":"2026-11-21T10:00:00.000000000Z"}\n'
        % sid(1).encode())
    (home / "state_5.sqlite").write_bytes(b"\0" * 4096)  # sized like a database, never read
    (home / "logs_2.sqlite-wal").write_bytes(b"\0" * 1000)
    return home


def disk_bytes(path: Path) -> int:
    """st_size of every regular file below `path`, by os.walk (independent of the store)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            if os.path.isfile(full) and not os.path.islink(full):
                total += os.stat(full).st_size
    return total


def session_bytes(home: Path, thread_id: str) -> int:
    return sum(p.stat().st_size for p in home.rglob(f"rollout-*{thread_id}*"))
