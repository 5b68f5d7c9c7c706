"""The stable JSON shapes of `list --json` and `show --json` (documented in README.md)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .model import Problem, ThreadSummary, TokenUsage

if TYPE_CHECKING:
    from .items import Item, Thread, Turn


def iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def problem_json(p: Problem) -> dict[str, Any]:
    return {"message": p.message, "path": p.path, "line": p.line}


def tokens_json(t: TokenUsage | None) -> dict[str, int] | None:
    return None if t is None else t._asdict()


def summary_json(s: ThreadSummary) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "name": s.name,
        "preview": s.preview,
        "cwd": s.cwd,
        "created_at": iso(s.created_at),
        "updated_at": iso(s.updated_at),
        "source": s.source,
        "originator": s.originator,
        "cli_version": s.cli_version,
        "model": s.model,
        "model_provider": s.model_provider,
        "git_branch": s.git_branch,
        "git_sha": s.git_sha,
        "git_origin": s.git_origin,
        "archived": s.archived,
        "forked_from_id": s.forked_from_id,
        "parent_thread_id": s.parent_thread_id,
        "path": s.path,
        "segments": list(s.segments),
        "size": s.size,
        "tokens": s.tokens,
        "history_mode": s.history_mode,
        "format": s.format,
        "home": s.home,
        "warnings": [problem_json(p) for p in s.problems],
    }


def item_json(item: Item) -> dict[str, Any]:
    data = asdict(item)
    kind = data.pop("kind")
    if item.kind == "unknown":
        data["raw"] = item.raw
    return {"kind": kind, **data}


def turn_json(t: Turn) -> dict[str, Any]:
    return {
        "index": t.index,
        "turn_id": t.turn_id,
        "user_message": t.user_message,
        "status": t.status,
        "error": t.error,
        "started_at": iso(t.started_at),
        "completed_at": iso(t.completed_at),
        "duration_ms": t.duration_ms,
        "model": t.model,
        "inherited": t.inherited,
        "compaction": t.compaction,
        "tokens": tokens_json(t.tokens),
        "items": [item_json(i) for i in t.items],
    }


def thread_json(th: Thread) -> dict[str, Any]:
    thread = summary_json(th.summary)
    thread.pop("warnings")
    thread["token_usage"] = tokens_json(th.tokens)
    thread["inherited_from"] = th.inherited_from
    thread["rolled_back_turns"] = th.rolled_back_turns
    thread["bookkeeping"] = dict(th.bookkeeping)
    return {
        "thread": thread,
        "turns": [turn_json(t) for t in th.turns],
        "warnings": [problem_json(p) for p in th.problems],
    }
