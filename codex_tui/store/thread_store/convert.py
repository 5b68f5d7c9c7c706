"""The app-server protocol's shapes (v2 `Thread`, `Turn`, `ThreadItem`) as our model.

Listings come from `thread/list`: Codex's own index of a home. Transcripts normally come from
the rollout files themselves (mirror.py); `turns_from_protocol` is the fallback for a server
without `fs/readFile`: every item type the protocol has is mapped to what it is, and one this
version does not know is kept verbatim as Unknown, never dropped.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from .. import fields as f
from ..model import ThreadSummary

ALL_SOURCE_KINDS = ["cli", "vscode", "exec", "appServer", "subAgent", "subAgentReview",
                    "subAgentCompact", "subAgentThreadSpawn", "subAgentOther", "unknown"]
# The protocol's camelCase source names as the rollout files spell them (source_label).
_SOURCE_NAMES = {"appServer": "mcp", "subAgent": "subagent", "vscode": "vscode"}


def _time(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1e11:
        return datetime.fromtimestamp(value, UTC)
    return None


def source_label(source: Any) -> str | None:
    """The protocol's SessionSource (`"exec"`, `{"subAgent": "review"}`, `{"subAgent":
    {"thread_spawn": {...}}}`, `{"custom": "x"}`) as the listing spells the rollout's."""
    if isinstance(source, str):
        return _SOURCE_NAMES.get(source, source) or None
    if isinstance(source, dict) and len(source) == 1:
        key, value = next(iter(source.items()))
        return f.source_label({_SOURCE_NAMES.get(key, key): value})
    return None


def is_archived_path(path: str | None) -> bool:
    return path is not None and "/archived_sessions/" in path.replace("\\", "/")


def summary_from_thread(thread: dict[str, Any], archived: bool | None = None,
                        home: str | None = None) -> ThreadSummary | None:
    """A `Thread` of `thread/list` or `thread/read` as a summary; None when it has no id."""
    thread_id = f.s(thread, "id")
    if not thread_id:
        return None
    path = f.s(thread, "path")
    git = f.dct(thread, "gitInfo") or {}
    mode = f.s(thread, "historyMode") or "legacy"
    return ThreadSummary(
        id=thread_id.lower(),
        path=path or f"{home or 'app-server'}:{thread_id}",
        created_at=_time(thread.get("createdAt")),
        updated_at=_time(thread.get("updatedAt")),
        cwd=f.s(thread, "cwd"),
        preview=f.s(thread, "preview") or None,
        name=(f.s(thread, "name") or "").strip() or None,
        source=source_label(thread.get("source")),
        originator=f.s(thread, "originator"),
        cli_version=f.s(thread, "cliVersion"),
        model=f.s(thread, "model"),
        model_provider=f.s(thread, "modelProvider"),
        git_branch=f.s(git, "branch"),
        git_sha=f.s(git, "sha"),
        git_origin=f.s(git, "originUrl"),
        archived=is_archived_path(path) if archived is None else archived,
        forked_from_id=(f.s(thread, "forkedFromId") or "").lower() or None,
        parent_thread_id=(f.s(thread, "parentThreadId") or "").lower() or None,
        history_mode=mode,
        format="paginated" if mode == "paginated" else "envelope",
        size=None,  # Codex's index keeps no file size
        home=home,
    )


# -- transcripts from the protocol (fallback) ---------------------------------------------


def turns_from_protocol(turns: list[Any]) -> list[Any]:
    """`Turn`s with their items (itemsView "full") as our Turns."""
    from ..items import Turn

    out: list[Turn] = []
    for raw in turns:
        if not isinstance(raw, dict):
            continue
        items = [item for it in raw.get("items") or [] if (item := _item(it)) is not None]
        user = next((i.text for i in items if i.kind == "user_message"), None)
        status = f.s(raw, "status") or "incomplete"
        error = f.dct(raw, "error")
        started = _ms_time(raw.get("startedAt")) or _time(raw.get("startedAt"))
        out.append(Turn(
            index=len(out) + 1,
            turn_id=f.s(raw, "id"),
            user_message=user,
            items=items,
            started_at=started,
            completed_at=_ms_time(raw.get("completedAt")) or _time(raw.get("completedAt")),
            duration_ms=f.i(raw, "durationMs"),
            status={"interrupted": "aborted", "inProgress": "incomplete"}.get(status, status),
            error=f.s(error, "message") if error else None,
        ))
    return out


def _ms_time(value: Any) -> datetime | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 1e11:
        return datetime.fromtimestamp(value / 1000, UTC)
    return None


def _text(content: Any) -> str:
    parts = []
    for part in content if isinstance(content, list) else []:
        if isinstance(part, dict) and isinstance(part.get("text"), str):
            parts.append(part["text"])
    return "\n".join(parts)


def _item(it: Any) -> Any:
    from ..items import (
        AgentMessage,
        Compaction,
        Note,
        Patch,
        PatchFile,
        Plan,
        Reasoning,
        ToolCall,
        Unknown,
        UserMessage,
        WebSearch,
    )

    if not isinstance(it, dict):
        return None
    kind = f.s(it, "type") or "?"
    if kind == "userMessage":
        content = it.get("content")
        if not isinstance(content, list):
            content = []
        images = sum(1 for p in content if isinstance(p, dict) and "image" in str(p.get("type")))
        return UserMessage(_text(content), images)
    if kind == "agentMessage":
        return AgentMessage(f.s(it, "text") or "", f.s(it, "phase"))
    if kind == "reasoning":
        summary = it.get("summary")
        if not isinstance(summary, list):
            summary = []
        return Reasoning("\n\n".join(s for s in summary if isinstance(s, str)))
    if kind == "commandExecution":
        return ToolCall(f.s(it, "id"), "shell", command=f.s(it, "command"),
                        output=f.s(it, "aggregatedOutput"), exit_code=f.i(it, "exitCode"),
                        duration_ms=f.i(it, "durationMs"), status=f.s(it, "status"))
    if kind == "fileChange":
        files = [PatchFile(f.s(c, "path") or "?", _change_kind(c.get("kind")), f.s(c, "diff"))
                 for c in it.get("changes") or [] if isinstance(c, dict)]
        status = f.s(it, "status")
        return Patch(f.s(it, "id"), files=files,
                     success=None if status in (None, "inProgress") else status == "completed")
    if kind in ("mcpToolCall", "dynamicToolCall", "collabAgentToolCall"):
        name = "/".join(x for x in (f.s(it, "server"), f.s(it, "tool")) if x) or kind
        arguments = it.get("arguments")
        args = arguments if isinstance(arguments, str) else \
            json.dumps(arguments, ensure_ascii=False) if arguments is not None else None
        result = it.get("result") if it.get("result") is not None else it.get("error")
        output = result if isinstance(result, str) else \
            json.dumps(result, ensure_ascii=False) if result is not None else None
        return ToolCall(f.s(it, "id"), name, command=args, arguments=args, output=output,
                        duration_ms=f.i(it, "durationMs"), status=f.s(it, "status"))
    if kind == "webSearch":
        action = f.dct(it, "action") or {}
        queries = [q for q in action.get("queries") or [] if isinstance(q, str)]
        return WebSearch(f.s(it, "id"), _snake(f.s(action, "type")),
                         query=f.s(action, "query") or f.s(it, "query"), queries=queries,
                         url=f.s(action, "url"), pattern=f.s(action, "pattern"))
    if kind == "contextCompaction":
        return Compaction(None)
    if kind == "plan":
        return Plan(text=f.s(it, "text") or "", call_id=f.s(it, "id"))
    if kind in ("enteredReviewMode", "exitedReviewMode"):
        return Note("review", f.s(it, "review") or kind)
    if kind == "imageView":
        return Note("image", f.s(it, "path") or "")
    return Unknown(f"item:{kind}", it)


def _snake(name: str | None) -> str | None:
    """The protocol's camelCase action names as the rollout's ("openPage" -> "open_page")."""
    if not name:
        return None
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _change_kind(kind: Any) -> str:
    if isinstance(kind, dict):
        return f.s(kind, "type") or "update"
    return kind if isinstance(kind, str) else "update"
