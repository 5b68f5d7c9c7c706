"""Threads built in code, and a thread's transcript as the TUI draws it, as plain text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from codex_tui.render import BlockRenderer, build_blocks
from codex_tui.store import Problem, Thread
from codex_tui.store.model import ThreadSummary, TokenUsage, Turn, UserMessage

BETA = "/home/dev/src/beta"


def screen(thread: Thread, width: int = 100) -> str:
    """The transcript as the TUI draws it, as plain text (blocks folded)."""
    renderer = BlockRenderer()
    return "\n".join("".join(s.text for s in line) for block in build_blocks(thread)
                     for line in renderer.render(block, width, False))


T0 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def summary(thread_id: str = "01a1fe40-0000-7000-8000-000000000001", *, title: str = "synthetic",
            size: int = 0, **extra) -> ThreadSummary:
    return ThreadSummary(id=thread_id, path=f"/nowhere/{thread_id}.jsonl", created_at=T0,
                         updated_at=T0, cwd=BETA, preview=title, cli_version="0.169.0",
                         model="gpt-5.1-codex", size=size, **extra)


def turn(index: int, *items, **extra) -> Turn:
    start = T0 + timedelta(minutes=index)
    values = {"started_at": start, "completed_at": start + timedelta(seconds=3),
              "duration_ms": 3000, "status": "completed", "model": "gpt-5.1-codex",
              "tokens": TokenUsage(1200, 1000, 345, 0, 1545)}
    values.update(extra)
    user = next((i.text for i in items if isinstance(i, UserMessage)), None)
    return Turn(index, f"t{index}", user, list(items), **values)


def thread_of(*turns: Turn, problems: list[Problem] | None = None, rolled_back: int = 0,
              **summary_fields) -> Thread:
    return Thread(summary(**summary_fields), list(turns), problems or [],
                  rolled_back_turns=rolled_back)
