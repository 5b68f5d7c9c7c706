"""A thread read in full: its turns, and the items each turn holds in the order they happened.

Re-exported by model.py (lazily), so `from .model import Turn, ToolCall` keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .model import TokenUsage

if TYPE_CHECKING:
    from datetime import datetime

    from .model import Problem, ThreadSummary


@dataclass(slots=True)
class UserMessage:
    text: str
    images: int = 0
    kind: Literal["user_message"] = "user_message"


@dataclass(slots=True)
class AgentMessage:
    text: str
    phase: str | None = None
    kind: Literal["agent_message"] = "agent_message"


@dataclass(slots=True)
class Reasoning:
    text: str
    kind: Literal["reasoning"] = "reasoning"


@dataclass(slots=True)
class ToolCall:
    call_id: str | None
    name: str
    command: str | None = None  # one display line: the shell command, query, or arguments
    arguments: str | None = None  # raw arguments as recorded
    output: str | None = None
    exit_code: int | None = None
    duration_ms: int | None = None
    status: str | None = None
    kind: Literal["tool_call"] = "tool_call"


@dataclass(slots=True)
class PatchFile:
    path: str
    change: str  # "add" | "update" | "delete" | "move" | ...
    diff: str | None = None


@dataclass(slots=True)
class Patch:
    call_id: str | None
    patch: str | None = None  # apply_patch input as the model wrote it
    files: list[PatchFile] = field(default_factory=list)
    success: bool | None = None
    output: str | None = None
    kind: Literal["patch"] = "patch"


@dataclass(slots=True)
class WebSearch:
    """A web search the model ran (or a page it opened, or a pattern it looked for in one):
    its `web_search_call`, `web_search_end` and WebSearch item, however many were written."""

    call_id: str | None
    action: str | None = None  # "search" | "open_page" | "find_in_page" | "other" | ...
    query: str | None = None
    queries: list[str] = field(default_factory=list)  # a search of several queries
    url: str | None = None
    pattern: str | None = None
    status: str | None = None
    kind: Literal["web_search"] = "web_search"


@dataclass(slots=True)
class PlanStep:
    step: str
    status: str | None  # "pending" | "in_progress" | "completed", as recorded


@dataclass(slots=True)
class Plan:
    """A plan: a proposed plan (plan mode; Markdown `text`) or a checklist (`update_plan`;
    `steps` and an optional `explanation`)."""

    text: str | None = None
    steps: list[PlanStep] = field(default_factory=list)
    explanation: str | None = None
    call_id: str | None = None
    kind: Literal["plan"] = "plan"


@dataclass(slots=True)
class ErrorItem:
    message: str
    kind: Literal["error"] = "error"


@dataclass(slots=True)
class Aborted:
    reason: str | None
    kind: Literal["aborted"] = "aborted"


@dataclass(slots=True)
class Compaction:
    message: str | None
    window_number: int | None = None  # the context window it opens, when recorded
    kind: Literal["compaction"] = "compaction"


@dataclass(slots=True)
class Note:
    """A known record worth a line in the transcript: a rename, a review mode, a goal, ..."""

    label: str
    text: str
    kind: Literal["note"] = "note"


@dataclass(slots=True)
class Unknown:
    """A record this version does not know: kept verbatim so nothing is dropped."""

    record_type: str
    raw: Any
    line: int | None = None
    kind: Literal["unknown"] = "unknown"


Item = (
    UserMessage
    | AgentMessage
    | Reasoning
    | ToolCall
    | Patch
    | WebSearch
    | Plan
    | ErrorItem
    | Aborted
    | Compaction
    | Note
    | Unknown
)


@dataclass(slots=True)
class Turn:
    index: int  # 1-based, in display order
    turn_id: str | None = None
    user_message: str | None = None
    items: list[Item] = field(default_factory=list)
    started_at: datetime | None = None
    completed_at: datetime | None = None
    duration_ms: int | None = None
    # "completed" | "failed" | "aborted" | "incomplete" (no end recorded: running or cut off)
    status: str = "incomplete"
    error: str | None = None
    model: str | None = None
    tokens: TokenUsage | None = None
    inherited: bool = False  # part of a fork's parent history
    compaction: bool = False  # a compaction turn (no user input)
    # where the turn's lines are: (file, first byte, byte after its last line)
    source_path: str | None = None
    start_offset: int | None = None
    end_offset: int | None = None


@dataclass(slots=True)
class Thread:
    summary: ThreadSummary
    turns: list[Turn]
    problems: list[Problem]
    inherited_from: str | None = None  # id of the thread whose history this one starts with
    rolled_back_turns: int = 0  # turns dropped by thread_rolled_back markers
    # known records with no item of their own (kinds.BOOKKEEPING), counted by record type
    bookkeeping: dict[str, int] = field(default_factory=dict)

    @property
    def tokens(self) -> TokenUsage | None:
        """The thread's own usage: inherited turns (a fork's or a sub-agent's copy of its
        parent's history) were the parent's, and are counted there."""
        usages = [t.tokens for t in self.turns if t.tokens is not None and not t.inherited]
        if not usages:
            return None
        total = TokenUsage()
        for usage in usages:
            total = total.plus(usage)
        return total
