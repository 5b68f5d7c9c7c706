"""Defensive field access and the text rules Codex applies to messages.

Files edited by other tools can carry any type in any field (`"cwd": 5`, `"payload": []`),
so every read goes through these helpers instead of trusting the shape.
"""

from __future__ import annotations

import json
import math
import re
import shlex
from datetime import UTC, datetime
from typing import Any, overload

from .model import TokenUsage

USER_MESSAGE_BEGIN = "## My request for Codex:"
PREVIEW_MAX = 2000

# Injected context that Codex records as role-"user" response items (never the user's words).
_CONTEXT_PREFIXES = (
    "<environment_context",
    "<user_instructions",
    "<instructions",
    "<INSTRUCTIONS",
    "# AGENTS.md instructions",
    "<skill",
    "<user_shell_command",
    "<turn_aborted",
    "<subagent_notification",
    "<permissions instructions",
    "<collaboration_mode",
    "<personality",
    "<model_switch",
    "<apps_instructions",
    "<hook_prompt",
    "<realtime",
    "<goal",
)


def s(d: Any, key: str) -> str | None:
    """d[key] when d is a dict and the value is a string."""
    if isinstance(d, dict):
        value = d.get(key)
        if isinstance(value, str):
            return value
    return None


def i(d: Any, key: str) -> int | None:
    if isinstance(d, dict):
        value = d.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value == value and abs(value) < 2**63:
            return int(value)
    return None


def dct(d: Any, key: str) -> dict[str, Any]:
    if isinstance(d, dict):
        value = d.get(key)
        if isinstance(value, dict):
            return value
    return {}


def lst(d: Any, key: str) -> list[Any]:
    if isinstance(d, dict):
        value = d.get(key)
        if isinstance(value, list):
            return value
    return []


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 string or unix seconds to an aware UTC datetime; None for nonsense."""
    try:
        if isinstance(value, str) and value:
            text = value.strip()
            if text.endswith("Z"):
                text = text[:-1] + "+00:00"
            # Python 3.11 accepts at most 6 fractional digits; Codex writes up to 9.
            text = re.sub(r"(\.\d{6})\d+", r"\1", text)
            parsed = datetime.fromisoformat(text)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = float(value)
            if seconds > 1e11:  # milliseconds
                seconds /= 1000.0
            if 0 < seconds < 1e11:
                return datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def content_text(content: Any, kinds: tuple[str, ...] = ("input_text", "output_text", "text",
                                                         "Text")) -> str:
    """Join the text parts of a message `content` (a list of parts, or a plain string)."""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for part in content if isinstance(content, list) else ():
        if isinstance(part, dict) and part.get("type") in kinds:
            text = part.get("text")
            if isinstance(text, str):
                parts.append(text)
    return "\n".join(parts)


def count_images(content: Any) -> int:
    if not isinstance(content, list):
        return 0
    return sum(
        1
        for part in content
        if isinstance(part, dict)
        and part.get("type") in ("input_image", "image", "Image", "local_image", "LocalImage")
    )


def is_contextual(text: str) -> bool:
    """True for injected context (environment, AGENTS.md, instructions), not the user's words."""
    stripped = text.lstrip()
    return stripped.startswith(_CONTEXT_PREFIXES)


def is_real_user_response_item(payload: dict[str, Any]) -> bool:
    """A role-"user" message response item that carries what the user typed."""
    if payload.get("role") != "user":
        return False
    meta = dct(payload, "internal_chat_message_metadata_passthrough")
    kinds = lst(meta, "content_item_kinds")
    if kinds and all(isinstance(k, str) for k in kinds):
        # 0.169 tags every content part; only "user.*" parts are the user's input.
        return any(k.startswith("user.") for k in kinds)
    text = content_text(payload.get("content"))
    if text.strip():
        return not is_contextual(text)
    return count_images(payload.get("content")) > 0


def preview_text(message: str, images: int = 0) -> str | None:
    """The preview Codex derives from a user message: the text after the legacy
    `## My request for Codex:` marker when present, trimmed; `[Image]` for image-only."""
    idx = message.find(USER_MESSAGE_BEGIN)
    if idx != -1:
        message = message[idx + len(USER_MESSAGE_BEGIN):]
    message = message.strip()
    if message:
        # A title needs a line, not a 10 MB prompt: keep summaries and the cache small.
        return message if len(message) <= PREVIEW_MAX else message[:PREVIEW_MAX] + "…"
    if images:
        return "[Image]"
    return None


def event_user_message(payload: dict[str, Any]) -> tuple[str, int]:
    """(text, image count) of a `user_message` event (any release)."""
    text = s(payload, "message") or ""
    images = len(lst(payload, "images")) + len(lst(payload, "local_images"))
    return text, images


def item_user_message(item: dict[str, Any]) -> tuple[str, int]:
    """(text, image count) of an `item_completed` UserMessage item."""
    content = item.get("content")
    return content_text(content), count_images(content)


def token_usage(d: Any) -> TokenUsage | None:
    if not isinstance(d, dict) or not d:
        return None
    def n(key: str) -> int:
        return i(d, key) or 0

    return TokenUsage(
        input=n("input_tokens"),
        cached_input=n("cached_input_tokens"),
        output=n("output_tokens"),
        reasoning_output=n("reasoning_output_tokens"),
        total=n("total_tokens"),
    )


def source_label(source: Any) -> str | None:
    """SessionSource (`"exec"`, `{"subagent": "review"}`, `{"custom": "atlas"}`, ...) as one
    short string: `exec`, `subagent:review`, `custom:atlas`, `subagent:thread_spawn`."""
    if isinstance(source, str):
        return source or None
    if isinstance(source, dict) and len(source) == 1:
        key, value = next(iter(source.items()))
        if isinstance(value, str):
            return f"{key}:{value}"
        if isinstance(value, dict) and len(value) == 1:
            return f"{key}:{next(iter(value))}"
        return str(key)
    return None


def duration_ms(value: Any) -> int | None:
    """Codex durations: {"secs", "nanos"}, or seconds as a number."""
    if isinstance(value, dict):
        secs = i(value, "secs") or 0
        nanos = i(value, "nanos") or 0
        return secs * 1000 + nanos // 1_000_000
    if isinstance(value, int | float) and not isinstance(value, bool) \
            and math.isfinite(value) and abs(value) < 1e15:
        return int(value * 1000)
    return None


def shell_command(command: Any) -> str | None:
    """A shell command as one line: `bash -lc SCRIPT` shows SCRIPT."""
    if isinstance(command, str):
        return command
    if isinstance(command, list) and command and all(isinstance(c, str) for c in command):
        if len(command) == 3 and command[1] in ("-lc", "-c") and command[0].rsplit("/", 1)[-1] in (
            "bash", "sh", "zsh"
        ):
            return command[2]
        return shlex.join(command)
    return None


_EXIT = r"^(?:Process exited with code|Exit code:) (-?\d+)$"  # (compiled on first use)
_WALL = r"^Wall time: (\d+(?:\.\d*)?) seconds$"
_EXEC_HEADERS = ("Chunk ID:", "Wall time:", "Exit code:", "Process exited with code")


def split_exec_output(text: str) -> tuple[str, int | None, int | None]:
    """(the output, the exit code, the wall time in ms) of command output wrapped in the
    headers newer Codex writes ("Chunk ID: ...\\nWall time: 0.2138 seconds\\nProcess exited
    with code 0\\n...Output:\\n<output>"). Unified exec (exec_command, write_stdin) records no
    other duration; a running process has no exit code yet."""
    if not text.startswith(_EXEC_HEADERS):
        return text, None, None
    head, sep, body = text.partition("\nOutput:\n")
    if not sep:
        return text, None, None
    match = re.search(_EXIT, head, re.M)
    wall = re.search(_WALL, head, re.M)
    return (body, int(match.group(1)) if match else None,
            duration_ms(float(wall.group(1))) if wall else None)


@overload
def compact_json(value: dict[str, Any] | list[Any] | str) -> str: ...
@overload
def compact_json(value: Any) -> str | None: ...
def compact_json(value: Any) -> str | None:
    """A value as recorded, on one line (a string as it is; what JSON cannot say, its repr)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return repr(value)
