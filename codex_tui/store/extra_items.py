"""Transcript items for the records beyond messages, commands and patches: the settings a
session applied, undo snapshots, image views, tool searches, sub-agent calls, dynamic tools,
hook prompts. (transcript.py builds the turns and calls in here for these shapes.)

Each function takes the record's payload (or its turn item), the turn's item list, and the
turn's `tool(call_id, make, name)` helper, which returns the ToolCall already made for that
call id (so a call recorded twice, as a response item and as an event or turn item, is one
block) or a new one appended to the items.
"""

from __future__ import annotations

import json
from typing import Any, Protocol
from urllib.parse import unquote

from . import fields as f
from .model import Compaction, Item, Note, Patch, Plan, ToolCall

# response_item types handled here (transcript.py routes them in)
RESPONSES = frozenset({"ghost_snapshot", "tool_search_call", "tool_search_output"})
# event_msg types handled here
EVENTS = frozenset({"thread_settings_applied", "view_image_tool_call"})
# item_completed turn item types handled here
ITEMS = frozenset({"ImageView", "CollabAgentToolCall", "DynamicToolCall", "SubAgentActivity",
                   "HookPrompt"})

IMAGE_MARK = "[image]"  # an image in a tool's output (its data is not text)


class Tool(Protocol):
    """The turn's `tool(call_id, make, name)` helper (above). The item it returns for a known
    call id may be of another kind than `make`: callers check."""

    def __call__(self, call_id: str | None, make: type[ToolCall] | type[Patch] | type[Plan],
                 name: str = ..., /) -> ToolCall | Patch | Plan: ...


def output_text(parts: list[Any]) -> str:
    """A tool output given as content parts: the text parts, and `[image]` for each image
    (a view_image output is one `input_image` part: that an image came back is the output)."""
    out: list[str] = []
    for part in parts:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind in ("input_text", "output_text", "text", "Text", "inputText"):
            text = part.get("text")
            if isinstance(text, str):
                out.append(text)
        elif kind in ("input_image", "image", "Image", "inputImage"):
            out.append(IMAGE_MARK)
    return "\n".join(out)


def _path(value: Any) -> str | None:
    """A path as Codex records it: a plain path, or (turn items) a `file://` URI."""
    if not isinstance(value, str) or not value:
        return None
    if value.startswith("file://"):
        return unquote(value[len("file://"):]) or value
    return value


def add_compaction(items: list[Item], p: Any) -> None:
    """A `compacted` record: its summary, and the context window it opens (`window_number`;
    very old files put the number in `window_id`, later an id string). Its twin recorded
    before it (a ContextCompaction turn item) is the same compaction: replaced, not repeated."""
    window = f.i(p, "window_number")
    found = Compaction(f.s(p, "message"), window if window is not None else f.i(p, "window_id"))
    for n, item in enumerate(items):
        if isinstance(item, Compaction) and item.message is None and item.window_number is None:
            items[n] = found
            return
    items.append(found)


def is_compaction_output(rec: Any) -> bool:
    """An assistant message the model wrote as a compaction's summary (metadata
    `compaction_output`): the compaction shows it, it is no reply to the user."""
    meta = rec.metadata
    return isinstance(meta, dict) and meta.get("compaction_output") is True


def compaction_twin(items: list[Item]) -> None:
    """A ContextCompaction turn item: the compaction, unless its `compacted` record (or an
    earlier twin) already shows it."""
    if not any(isinstance(item, Compaction) for item in items):
        items.append(Compaction(None))


# ---- response items ----------------------------------------------------------------------


def response_item(typ: str | None, p: dict[str, Any], items: list[Item], tool: Tool) -> None:
    if handles_call(typ, p):
        _function_call(p, tool)
    elif typ == "ghost_snapshot":
        # Codex's undo point: a git commit of the work tree taken before the turn changed it.
        commit = f.dct(p, "ghost_commit")
        sha = f.s(commit, "id")
        items.append(Note("snapshot", f"undo snapshot, git commit {sha[:12]}" if sha
                          else "undo snapshot"))
    elif typ == "tool_search_call":
        call = tool(f.s(p, "call_id") or f.s(p, "id"), ToolCall, "tool_search")
        if isinstance(call, ToolCall):
            args = p.get("arguments")
            call.name = "tool_search"
            call.arguments = f.compact_json(args)
            paths = [x for x in f.lst(args, "paths") if isinstance(x, str)]
            call.command = (f.s(args, "query") or f.s(args, "goal") or ", ".join(paths)
                            or call.arguments)
            call.status = f.s(p, "status") or call.status
    elif typ == "tool_search_output":
        call = tool(f.s(p, "call_id"), ToolCall, "tool_search")
        if isinstance(call, ToolCall):
            names = _tool_names(f.lst(p, "tools"))
            call.output = ("found " + ", ".join(names)) if names else "no tools found"
            call.status = f.s(p, "status") or call.status


def _tool_names(tools: list[Any]) -> list[str]:
    """The names of the tools a search loaded (`namespace.tool` inside namespaces). Iterative:
    a file can nest them as deep as its JSON parser allows."""
    names: list[str] = []
    stack: list[tuple[str, Any]] = [("", spec) for spec in reversed(tools)]
    while stack:
        prefix, spec = stack.pop()
        name = f.s(spec, "name")
        inner = f.lst(spec, "tools")
        if inner:
            inner_prefix = f"{prefix}{name}." if name else prefix
            stack.extend((inner_prefix, x) for x in reversed(inner))
        elif name:
            names.append(prefix + name)
    return names


_CALLS = frozenset({"view_image", "spawn_agent", "send_input"})  # function calls shown here


def handles_call(typ: str | None, p: dict[str, Any]) -> bool:
    """A function call shown here: `view_image`, or a multi-agent call that sends a message."""
    return typ == "function_call" and f.s(p, "name") in _CALLS


def _function_call(p: dict[str, Any], tool: Tool) -> None:
    """`view_image` (its command line: the image's path), `spawn_agent` and `send_input` (the
    message sent to the agent)."""
    name = f.s(p, "name") or "tool"
    call = tool(f.s(p, "call_id") or f.s(p, "id"), ToolCall, name)
    if isinstance(call, ToolCall):
        call.name = name
        call.arguments = f.s(p, "arguments")
        try:
            args = json.loads(call.arguments or "")
        except (ValueError, RecursionError):
            args = None
        shown = _path(f.s(args, "path")) if name == "view_image" else (
            f.s(args, "message") or output_text(f.lst(args, "items")) or None)
        call.command = call.command or shown or call.arguments
        call.status = f.s(p, "status") or call.status


# ---- events ------------------------------------------------------------------------------


def event(typ: str | None, p: dict[str, Any], items: list[Item], tool: Tool) -> None:
    if typ == "thread_settings_applied":
        note = Note("settings", settings_text(f.dct(p, "thread_settings")))
        if not items or items[-1] != note:  # (a fork applies them twice in a row)
            items.append(note)
    elif typ == "view_image_tool_call":
        # {call_id, path}: Codex attached the image at `path` to the model's context.
        _image_viewed(tool, f.s(p, "call_id"), _path(f.s(p, "path")))


def settings_text(settings: dict[str, Any]) -> str:
    """The settings Codex applied to the thread (at its start, a resume, a fork, after a
    compaction), as one line: model, reasoning effort, approvals, permissions, directory."""
    mode = f.dct(settings, "collaboration_mode")
    effort = f.s(f.dct(mode, "settings"), "reasoning_effort") or f.s(settings, "reasoning_effort")
    bits = []
    if model := f.s(settings, "model"):
        bits.append(f"model {model}")
    if effort:
        bits.append(f"effort {effort}")
    if approvals := f.s(settings, "approval_policy"):
        bits.append(f"approvals {approvals}")
    profile = f.s(f.dct(settings, "active_permission_profile"), "id")
    sandbox = f.s(f.dct(settings, "sandbox_policy"), "type")
    if profile or sandbox:
        bits.append(f"permissions {profile or sandbox}")
    if cwd := f.s(settings, "cwd"):
        bits.append(f"in {cwd}")
    return ", ".join(bits) or "applied"


def _image_viewed(tool: Tool, call_id: str | None, path: str | None) -> None:
    call = tool(call_id, ToolCall, "view_image")
    if isinstance(call, ToolCall):
        call.name = "view_image"
        call.command = path or call.command
        if call.output is None:
            call.output = IMAGE_MARK


# ---- turn items (paginated sessions) -----------------------------------------------------


def turn_item(t: str | None, item: dict[str, Any], items: list[Item], tool: Tool) -> None:
    if t == "ImageView":
        _image_viewed(tool, f.s(item, "id"), _path(f.s(item, "path")))
    elif t == "CollabAgentToolCall":
        _collab_call(item, tool)
    elif t == "DynamicToolCall":
        _dynamic_call(item, tool)
    elif t == "SubAgentActivity":
        what = f.s(item, "kind") or "activity"
        who = f.s(item, "agent_path") or f.s(item, "agentPath") or ""
        thread = f.s(item, "agent_thread_id") or f.s(item, "agentThreadId") or ""
        items.append(Note("sub-agent", " ".join(x for x in (what, who, thread and f"({thread})")
                                                if x)))
    elif t == "HookPrompt":
        texts = [f.s(x, "text") or "" for x in f.lst(item, "fragments")]
        items.append(Note("hook", "\n".join(t for t in texts if t) or "(empty hook prompt)"))


def _collab_call(item: dict[str, Any], tool: Tool) -> None:
    """A multi-agent tool call (spawn_agent, send_input, wait, ...): the prompt it sent and the
    agents it reached, with their state."""
    name = f.s(item, "tool") or "agent"
    call = tool(f.s(item, "id"), ToolCall, name)
    if not isinstance(call, ToolCall):
        return
    call.command = f.s(item, "prompt") or call.command
    states = f.dct(item, "agents_states") or f.dct(item, "agentsStates")
    agents = f.lst(item, "receiver_agents") or f.lst(item, "receiverAgents")
    lines = []
    for agent in agents:
        thread = f.s(agent, "thread_id") or f.s(agent, "threadId") or "?"
        nick = f.s(agent, "agent_nickname") or f.s(agent, "agentNickname")
        state = states.get(thread)
        state = state if isinstance(state, str) else f.compact_json(state)
        lines.append(" ".join(x for x in (nick, thread, state and f"({state})") if x))
    if not agents:
        lines = [str(x) for x in f.lst(item, "receiver_thread_ids")]
    if lines:
        call.output = "\n".join(lines)
    call.status = f.s(item, "status") or call.status


def _dynamic_call(item: dict[str, Any], tool: Tool) -> None:
    """A call of a tool the client registered (`dynamic_tools`)."""
    name = f.s(item, "tool") or "dynamic_tool"
    if namespace := f.s(item, "namespace"):
        name = f"{namespace}.{name}"
    call = tool(f.s(item, "id"), ToolCall, name)
    if not isinstance(call, ToolCall):
        return
    call.name = name
    call.arguments = f.compact_json(item.get("arguments"))
    call.command = call.arguments
    parts = f.lst(item, "content_items") or f.lst(item, "contentItems")
    error = f.s(item, "error")
    call.output = output_text(parts) if parts else error
    status = f.s(item, "status")
    if item.get("success") is False and status in (None, "completed"):
        status = "failed"
    call.status = status or call.status
    call.duration_ms = f.duration_ms(item.get("duration")) or call.duration_ms
