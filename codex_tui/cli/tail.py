"""`codex-tui tail ID [--json] [-n N]`: print a session's records as Codex appends them,
like `tail -f`, until interrupted. Uses the store alone (no Textual), so it starts fast.

Text mode prints one line per record (time, what it is, a one-line gist); `--json` prints
one JSON object per line: records as `{"line", "offset", "timestamp", "ordinal", "kind",
"type", "payload"}`, and what happens to the file as `{"event": "reset" | "missing" |
"moved" | "problem", ...}`.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

import orjson

from ..store import fields as f
from ..store.model import Problem
from ..store.rollout import Record
from ..store.tail import POLL_SECONDS, TailBatch
from ..textutil import clip, one_line, printable

if TYPE_CHECKING:
    from ..store import ThreadStore

GIST_WIDTH = 160


def run_tail(store: ThreadStore, thread_id: str, *, last: int, as_json: bool,
             stop: threading.Event | None = None, interval: float = POLL_SECONDS,
             out: TextIO | None = None) -> int:
    """Follow until `stop` is set or the user interrupts (Ctrl-C ends it quietly)."""
    out = out or sys.stdout
    follower = store.follow(thread_id, last=last)
    write = _json_writer(out) if as_json else _text_writer(out)
    try:
        for batch in follower.follow(stop=stop, interval=interval):
            write(batch)
            out.flush()
    except KeyboardInterrupt:
        pass
    return 0


def _json_writer(out: TextIO) -> Callable[[TailBatch], None]:
    buffer = getattr(out, "buffer", None)

    def emit(value: dict[str, Any]) -> None:
        data = orjson.dumps(value, default=str) + b"\n"
        if buffer is not None:
            buffer.write(data)
        else:
            out.write(data.decode())

    def write(batch: TailBatch) -> None:
        if batch.reset:
            emit({"event": "reset"})
        if batch.moved_to:
            emit({"event": "moved", "path": batch.moved_to})
        if batch.missing:
            emit({"event": "missing"})
        for item in in_file_order(batch):
            if isinstance(item, Record):
                emit(record_json(item))
            else:
                emit({"event": "problem", "message": item.message, "line": item.line})

    return write


def in_file_order(batch: TailBatch) -> list[Record | Problem]:
    """The batch's records and problems as their lines come in the file."""
    items: list[Record | Problem] = [*batch.records, *batch.problems]
    items.sort(key=lambda x: x.line_no if isinstance(x, Record) else (x.line or 0))
    return items


def record_json(rec: Record) -> dict[str, Any]:
    return {"line": rec.line_no, "offset": rec.offset, "timestamp": rec.timestamp,
            "ordinal": rec.ordinal, "kind": rec.kind, "type": rec.type,
            "payload": rec.payload}


def _text_writer(out: TextIO) -> Callable[[TailBatch], None]:
    def write(batch: TailBatch) -> None:
        if batch.reset:
            print("--- the file was replaced or truncated: reading it again from the start",
                  file=sys.stderr)
        if batch.moved_to:
            print(f"--- the file moved to {printable(batch.moved_to)}", file=sys.stderr)
        if batch.missing:
            print("--- the file is gone; waiting for it to come back", file=sys.stderr)
        for item in in_file_order(batch):
            if isinstance(item, Record):
                out.write(printable(record_line(item)) + "\n")
            else:
                out.flush()
                print(f"warning: {printable(str(item))}", file=sys.stderr)

    return write


def record_line(rec: Record) -> str:
    """`hh:mm:ss  what  gist` in local time."""
    when = f.parse_time(rec.timestamp)
    stamp = when.astimezone().strftime("%H:%M:%S") if when else "--:--:--"
    what, gist = describe(rec)
    gist = clip(one_line(gist[: GIST_WIDTH * 2]), GIST_WIDTH) if gist else ""
    return f"{stamp}  {what:<12} {gist}".rstrip()


def describe(rec: Record) -> tuple[str, str]:
    """A short label and a one-line gist of a record."""
    p = rec.payload
    kind, typ = rec.kind, rec.type
    if not isinstance(p, dict):
        return kind + (f"/{typ}" if typ else ""), ""
    if kind == "session_meta":
        return "session", " ".join(filter(None, [
            f.s(p, "id"), f.s(p, "cwd"),
            f"codex {f.s(p, 'cli_version')}" if f.s(p, "cli_version") else None]))
    if kind == "turn_context":
        return "context", " ".join(filter(None, [f.s(p, "model"), f.s(p, "cwd")]))
    if kind == "compacted":
        return "compacted", f.s(p, "message") or ""
    if kind == "event_msg":
        if typ == "user_message":
            return "user", f.event_user_message(p)[0]
        if typ == "agent_message":
            return "agent", f.s(p, "message") or ""
        if typ in ("agent_reasoning", "agent_reasoning_raw_content"):
            return "reasoning", f.s(p, "text") or ""
        if typ == "item_completed":
            return _item(f.dct(p, "item"))
        if typ == "task_started":
            return "turn", "started " + (f.s(p, "turn_id") or "")
        if typ == "task_complete":
            return "turn", "complete " + (f.s(p, "last_agent_message") or "")
        if typ == "turn_aborted":
            return "turn", "aborted " + (f.s(p, "reason") or "")
        if typ == "exec_command_end":
            code = f.i(p, "exit_code")
            return "exec", f"{f.shell_command(p.get('command')) or ''}" + \
                (f"  → exit {code}" if code is not None else "")
        if typ == "token_count":
            total = f.i(f.dct(f.dct(p, "info"), "total_token_usage"), "total_tokens")
            return "tokens", f"{total:,} total" if total is not None else ""
        if typ in ("error", "stream_error", "warning"):
            return typ, f.s(p, "message") or ""
        return typ or "event", ""
    if kind == "response_item":
        if typ == "message":
            role = f.s(p, "role") or "?"
            return role, f.content_text(p.get("content"))
        if typ == "reasoning":
            return "reasoning", " ".join(f.s(x, "text") or "" for x in f.lst(p, "summary"))
        if typ in ("function_call", "custom_tool_call"):
            return "tool call", f"{f.s(p, 'name') or '?'} " + \
                (f.s(p, "arguments") or f.s(p, "input") or "")
        if typ in ("function_call_output", "custom_tool_call_output"):
            out = p.get("output")
            return "tool output", out if isinstance(out, str) else ""
        return typ or "response", ""
    return kind + (f"/{typ}" if typ else ""), ""


def _item(item: dict[str, Any]) -> tuple[str, str]:
    t = f.s(item, "type") or "item"
    if t == "UserMessage":
        return "user", f.item_user_message(item)[0]
    if t == "AgentMessage":
        return "agent", f.content_text(item.get("content"))
    if t == "Reasoning":
        return "reasoning", " ".join(x for x in f.lst(item, "summary_text")
                                     if isinstance(x, str))
    if t == "CommandExecution":
        code = f.i(item, "exit_code")
        return "exec", (f.shell_command(item.get("command")) or "") + \
            (f"  → exit {code}" if code is not None else "")
    return t, ""
