"""Thread names from `session_index.jsonl` (append-only; the newest entry per id wins).

Codex appends `{"id", "thread_name", "updated_at"}` lines under `session_index.jsonl.lock`;
an empty newest name means the thread has no name.
"""

from __future__ import annotations

import os

from .fields import s
from .model import Problem
from .rollout import iter_raw_lines, parse_json

SESSION_INDEX = "session_index.jsonl"


def read_names(codex_home: str) -> tuple[dict[str, str], list[Problem]]:
    """Map thread id -> name (only ids whose newest entry has a non-blank name)."""
    path = os.path.join(codex_home, SESSION_INDEX)
    latest: dict[str, str] = {}
    problems: list[Problem] = []
    bad = 0
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return {}, []
    except OSError as exc:
        return {}, [Problem(f"cannot read thread names: {exc.strerror}", path)]
    with stream:
        for raw in iter_raw_lines(stream):
            if raw.data is None or not raw.data.strip():
                bad += raw.data is None
                continue
            value, _ = parse_json(raw.data.rstrip(b"\r"))
            thread_id = s(value, "id")
            name = s(value, "thread_name")
            if thread_id is None or name is None:
                bad += 1
                continue
            latest[thread_id.lower()] = name
    if bad:
        problems.append(Problem(f"{bad} unreadable line(s) skipped", path))
    return {k: v.strip() for k, v in latest.items() if v.strip()}, problems
