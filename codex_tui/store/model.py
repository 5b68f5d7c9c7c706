"""The normalized model every format generation decodes into.

Plain records, no behaviour beyond small derived properties: the store builds them,
screens and the CLI only read them. The immutable ones are NamedTuples: a frozen dataclass
compiles five methods when its module is imported, about 0.5 ms each class, and start-up
imports a dozen of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # the lazy re-exports (__getattr__ below), named for the type checker
    from .items import Aborted as Aborted
    from .items import AgentMessage as AgentMessage
    from .items import Compaction as Compaction
    from .items import ErrorItem as ErrorItem
    from .items import Item as Item
    from .items import Note as Note
    from .items import Patch as Patch
    from .items import PatchFile as PatchFile
    from .items import Plan as Plan
    from .items import PlanStep as PlanStep
    from .items import Reasoning as Reasoning
    from .items import Thread as Thread
    from .items import ToolCall as ToolCall
    from .items import Turn as Turn
    from .items import Unknown as Unknown
    from .items import UserMessage as UserMessage
    from .items import WebSearch as WebSearch

LIVE_SECONDS = 60.0  # a session written this recently is "live" (still being written)
FUTURE_SLACK = 5.0  # seconds a time may be ahead of this clock and still count as now


def live_age(age: float) -> bool:
    """Whether a file last written `age` seconds ago is live: the one rule for the picker's
    marker, the transcript's follow and a LiveThread."""
    return -FUTURE_SLACK <= age < LIVE_SECONDS


class Problem(NamedTuple):
    """Something the reader could not take at face value, stated rather than hidden."""

    message: str
    path: str | None = None
    line: int | None = None  # 1-based physical line in `path`

    def __str__(self) -> str:
        where = self.path or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        return f"{where}: {self.message}" if where else self.message


def unique_problems(problems: list[Problem]) -> list[Problem]:
    """Each problem once, in first-seen order."""
    return list(dict.fromkeys(problems))


class TokenUsage(NamedTuple):
    # (a tuple: add usages with plus(), never with +)
    input: int = 0
    cached_input: int = 0
    output: int = 0
    reasoning_output: int = 0
    total: int = 0

    def minus(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            self.input - other.input,
            self.cached_input - other.cached_input,
            self.output - other.output,
            self.reasoning_output - other.reasoning_output,
            self.total - other.total,
        )

    def plus(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            self.input + other.input,
            self.cached_input + other.cached_input,
            self.output + other.output,
            self.reasoning_output + other.reasoning_output,
            self.total + other.total,
        )


class ThreadSummary(NamedTuple):
    """What a listing knows about a thread, from the head of its rollout and the file system.
    Immutable: the listing worker and the screens share them (`_replace` makes a changed
    copy)."""

    id: str
    path: str  # the thread's current rollout file
    created_at: datetime | None  # UTC
    updated_at: datetime | None  # UTC, the current file's mtime (as Codex does)
    cwd: str | None = None
    preview: str | None = None  # first user message, as Codex derives it
    name: str | None = None  # thread name from session_index.jsonl
    source: str | None = None  # "cli", "vscode", "exec", "subagent:review", ...
    originator: str | None = None
    cli_version: str | None = None
    model: str | None = None
    model_provider: str | None = None
    git_branch: str | None = None
    git_sha: str | None = None
    git_origin: str | None = None
    archived: bool = False
    forked_from_id: str | None = None
    parent_thread_id: str | None = None  # sub-agents
    tokens: int | None = None  # newest total_token_usage.total_tokens seen (Codex's tokens_used)
    history_mode: str = "legacy"  # "legacy" | "paginated" (from session_meta)
    format: str = "envelope"  # "bare" (0.20-era lines) | "envelope" | "paginated"
    size: int | None = 0  # bytes of the current file (None: not known, as from a server)
    segments: tuple[str, ...] = ()  # every file of this thread, oldest first
    compressed: bool = False  # current file is .jsonl.zst
    problems: tuple[Problem, ...] = ()
    pending: bool = False  # only the file system pass is done: no head read yet
    home: str | None = None  # the machine or home it came from, when several are shown

    @property
    def title(self) -> str | None:
        """The thread name when there is one, else the preview (as Codex's picker shows)."""
        return self.name or self.preview

    def live(self, now: datetime) -> bool:
        """Written in the last minute, by `now` (an aware time)."""
        updated = self.updated_at
        return updated is not None and live_age((now - updated).total_seconds())


# A thread read in full (Thread, Turn and the transcript items) lives in items.py, imported
# on first use: a listing never needs them, and building their dozen dataclasses costs a
# few milliseconds of every start-up.
_ITEMS = frozenset({
    "Thread", "Turn", "UserMessage", "AgentMessage", "Reasoning", "ToolCall", "PatchFile",
    "Patch", "ErrorItem", "Aborted", "Compaction", "Note", "Unknown", "Item", "WebSearch",
    "Plan", "PlanStep",
})


def __getattr__(name: str) -> Any:
    if name in _ITEMS:
        from . import items

        return getattr(items, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
