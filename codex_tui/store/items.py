"""Transcript items: what a turn holds, in the order it happened.

Re-exported by model.py (lazily), so `from .model import ToolCall` keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class UserMessage:
    text: str
    images: int = 0
    kind: str = "user_message"


@dataclass(slots=True)
class AgentMessage:
    text: str
    phase: str | None = None
    kind: str = "agent_message"


@dataclass(slots=True)
class Reasoning:
    text: str
    kind: str = "reasoning"


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
    kind: str = "tool_call"


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
    kind: str = "patch"


@dataclass(slots=True)
class ErrorItem:
    message: str
    kind: str = "error"


@dataclass(slots=True)
class Aborted:
    reason: str | None
    kind: str = "aborted"


@dataclass(slots=True)
class Compaction:
    message: str | None
    kind: str = "compaction"


@dataclass(slots=True)
class Note:
    """A known record worth a line in the transcript: a rename, a review mode, a plan, ..."""

    label: str
    text: str
    kind: str = "note"


@dataclass(slots=True)
class Unknown:
    """A record this version does not know: kept verbatim so nothing is dropped."""

    record_type: str
    raw: Any
    line: int | None = None
    kind: str = "unknown"


Item = (
    UserMessage
    | AgentMessage
    | Reasoning
    | ToolCall
    | Patch
    | ErrorItem
    | Aborted
    | Compaction
    | Note
    | Unknown
)
