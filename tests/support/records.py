"""Rollout lines built in code (`records(user("hi"), ev({...}), ri({...}))`), and a rollout
cut at a turn."""

from __future__ import annotations

import json

from codex_tui.store.rollout import Record, classify


def split_at_turn(data: bytes, turn: int) -> tuple[bytes, bytes]:
    """The file up to just after the `turn`-th task_started line (1-based), and the rest."""
    lines = data.splitlines(keepends=True)
    seen = 0
    for i, line in enumerate(lines):
        if b'"task_started"' in line:
            seen += 1
            if seen == turn:
                return b"".join(lines[: i + 1]), b"".join(lines[i + 1:])
    raise AssertionError("no such turn")


def records(*lines: dict) -> list[Record]:
    out = []
    for n, obj in enumerate(lines, 1):
        kind, typ, payload, ts, ordinal, bare = classify(json.loads(json.dumps(obj)))
        out.append(Record(kind, typ, payload, ts, ordinal, n, n * 10, n * 10 + 9, bare, "f"))
    return out


def ev(payload: dict) -> dict:
    return {"timestamp": "2026-11-21T10:00:00.000Z", "type": "event_msg", "payload": payload}


def ri(payload: dict) -> dict:
    return {"timestamp": "2026-11-21T10:00:00.000Z", "type": "response_item", "payload": payload}


def user(text: str) -> dict:
    return ev({"type": "user_message", "message": text, "images": []})
