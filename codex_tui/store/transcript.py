"""Records -> turns -> items, for every format generation.

Turn boundaries: `task_started` ... `task_complete`/`turn_aborted` where a file records them;
otherwise (older legacy and bare files) a real user message starts a turn. Newer files
write most things twice (a `response_item` and its `event_msg` or `item_completed` twin);
per turn the richest source of each category is shown and its twins are skipped:
`item_completed` items, else legacy events, else response items.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from . import extra_items as extra
from . import fields as f
from . import patches, plans
from .kinds import (
    KNOWN_EVENTS,
    KNOWN_KINDS,
    KNOWN_RESPONSES,
    SHELL_TOOLS,
    UnknownTally,
    unknown_label,
)
from .model import (
    Aborted,
    AgentMessage,
    Compaction,
    ErrorItem,
    Item,
    Note,
    Patch,
    Plan,
    Problem,
    Reasoning,
    TokenUsage,
    ToolCall,
    Turn,
    Unknown,
    UserMessage,
)
from .rollout import Record
from .segments import Segment, segment
from .web_search import WebSearches


def _segment(records: list[Record]) -> tuple[list[Segment], int, list[tuple[int, Note]]]:
    """The records' turn segments (segments.py), a turn of records that show nothing left out
    of a session that never had a turn."""
    return segment(records, lambda seg: bool(_build_turn(seg, 1, _TokenTracker(), None)[0].items))


@dataclass(slots=True)
class TranscriptResult:
    turns: list[Turn]
    problems: list[Problem]
    rolled_back: int


def build_turns(records: list[Record]) -> TranscriptResult:
    segments, rolled_back, notes = _segment(records)
    turns: list[Turn] = []
    tracker = _TokenTracker()
    model: str | None = None
    for seg in segments:
        turn, model = _build_turn(seg, len(turns) + 1, tracker, model)
        turns.append(turn)
    for turn_index, note in notes:
        if 0 <= turn_index < len(turns):
            turns[turn_index].items.append(note)
    return TranscriptResult(turns, _record_problems(records), rolled_back)


def _record_problems(records: list[Record]) -> list[Problem]:
    """Unknown and malformed records are shown raw in the transcript; say so once per type."""
    tally = _RecordProblems()
    tally.add(records)
    return tally.problems()


@dataclass(slots=True)
class _RecordProblems:
    unknown: UnknownTally = field(default_factory=UnknownTally)
    malformed: UnknownTally = field(default_factory=UnknownTally)

    def add(self, records: list[Record]) -> None:
        for rec in records:
            label = unknown_label(rec)
            if label is not None:
                self.unknown.add(label, rec)
            elif not isinstance(rec.payload, dict):
                self.malformed.add(rec.kind, rec)

    def problems(self) -> list[Problem]:
        problems = self.unknown.problems()
        problems += [
            Problem(p.message.replace("unknown record type", "malformed payload in record type"),
                    p.path, p.line)
            for p in self.malformed.problems()
        ]
        return problems


class TurnBuilder:
    """`build_turns`, kept up to date as records are appended (a followed session).

    Only the last turn can still change when records are appended (segments before it never
    receive records again), so `extend()` re-segments from the start of the last turn and
    rebuilds that turn and any new ones; the turns before it are kept as they are (the same
    objects, so a screen can tell what changed). A rollback marker can drop earlier turns:
    from the first one on, every extend() rebuilds everything.

    `frozen` starts the builder after turns whose records it does not have (a thread given
    ready-made, as in tests): new records then only add turns."""

    def __init__(self, records: list[Record] | None = None,
                 frozen: list[Turn] | None = None) -> None:
        self.records: list[Record] = []
        self._frozen: list[Turn] = list(frozen or [])
        self._tail: list[Turn] = []
        self._tail_start = 0  # index in `records` of the first record of the last turn
        self._prev: TokenUsage | None = None  # the token tracker after the frozen turns
        self._model: str | None = None  # the model after the frozen turns
        self._problems = _RecordProblems()
        self._rollbacks = False
        self.rolled_back = 0
        if records:
            self.extend(records)

    @property
    def turns(self) -> list[Turn]:
        return self._frozen + self._tail

    def problems(self) -> list[Problem]:
        return self._problems.problems()

    def extend(self, records: list[Record]) -> None:
        if not records:
            return
        self.records.extend(records)
        self._problems.add(records)
        if not self._rollbacks and any(
                r.kind == "event_msg" and r.type == "thread_rolled_back" for r in records):
            self._rollbacks = True
        if self._rollbacks:
            result = build_turns(self.records)
            self._frozen, self._tail = [], result.turns
            self.rolled_back = result.rolled_back
            return
        self._rebuild_tail()

    def _rebuild_tail(self) -> None:
        recs = self.records[self._tail_start:]
        segments, _, _ = _segment(recs)
        tracker = _TokenTracker()
        tracker.prev = self._prev
        model = self._model
        base = len(self._frozen)
        turns: list[Turn] = []
        state = (tracker.prev, model)
        for i, seg in enumerate(segments):
            if i == len(segments) - 1:
                state = (tracker.prev, model)  # before the last turn: where the next starts
            turn, model = _build_turn(seg, base + i + 1, tracker, model)
            turns.append(turn)
        if len(segments) > 1:
            self._frozen.extend(turns[:-1])
            self._prev, self._model = state
            first = segments[-1].records[0]
            j = len(recs) - 1
            while j > 0 and recs[j] is not first:
                j -= 1
            self._tail_start += j
        self._tail = turns[-1:]


# ---- one turn ----------------------------------------------------------------------------


class _TokenTracker:
    """Per-turn usage from the cumulative `token_count` totals. Totals restart at 0 whenever
    a new Codex process resumes the thread; the first response of a process has
    total == last."""

    def __init__(self) -> None:
        self.prev: TokenUsage | None = None

    def turn_usage(self, counts: list[tuple[TokenUsage, TokenUsage | None]]) -> TokenUsage | None:
        if not counts:
            return None
        usage = TokenUsage()
        for total, last in counts:
            prev = self.prev
            if total == prev:
                continue  # the same count emitted twice
            if prev is None or total.total < prev.total or total == last:
                usage = usage.plus(total)  # a fresh process: its total is all new
            else:
                usage = usage.plus(total.minus(prev))
            self.prev = total
        return usage


def _build_turn(
    seg: Segment, index: int, tracker: _TokenTracker, model: str | None
) -> tuple[Turn, str | None]:
    recs = seg.records
    turn = Turn(index=index)
    if recs:
        turn.source_path = recs[0].path
        turn.start_offset = recs[0].offset
        own = [r for r in recs if r.path == turn.source_path]
        turn.end_offset = own[-1].end if own else None
        turn.inherited = recs[0].inherited

    has_ic = {"UserMessage": False, "AgentMessage": False, "Reasoning": False}
    has_ev = {"user_message": False, "agent_message": False, "agent_reasoning": False}
    has_compacted = False
    for rec in recs:
        if rec.kind == "event_msg":
            if rec.type == "item_completed":
                t = f.s(f.dct(rec.payload, "item"), "type")
                if t in has_ic:
                    has_ic[t] = True
            elif rec.type in has_ev:
                has_ev[rec.type] = True
        elif rec.kind == "compacted":
            has_compacted = True
    users_from = "ic" if has_ic["UserMessage"] else "ev" if has_ev["user_message"] else "ri"
    agents_from = "ic" if has_ic["AgentMessage"] else "ev" if has_ev["agent_message"] else "ri"
    reason_from = "ic" if has_ic["Reasoning"] else "ev" if has_ev["agent_reasoning"] else "ri"

    items: list[Item] = []
    tools: dict[str, ToolCall | Patch | Plan] = {}
    searches = WebSearches(items)
    plan_calls = plans.has_update_plan_call(recs)
    token_counts: list[tuple[TokenUsage, TokenUsage | None]] = []
    turn_usage_record: TokenUsage | None = None
    aborted_reason: str | None = None

    def tool(call_id: str | None, make: type[ToolCall] | type[Patch] | type[Plan],
             name: str = "tool", /) -> ToolCall | Patch | Plan:
        if call_id and call_id in tools:
            return tools[call_id]
        obj = make(call_id=call_id) if make is Patch or make is Plan else ToolCall(call_id, name)
        items.append(obj)
        if call_id:
            tools[call_id] = obj
        return obj

    for rec in recs:
        kind, typ, p = rec.kind, rec.type, rec.payload
        if kind == "response_item" and isinstance(p, dict):
            if typ == "message":
                role = p.get("role")
                if role == "user" and users_from == "ri" and f.is_real_user_response_item(p):
                    content = p.get("content")
                    items.append(UserMessage(f.content_text(content), f.count_images(content)))
                elif role == "assistant" and agents_from == "ri" \
                        and not extra.is_compaction_output(rec):
                    text = f.content_text(p.get("content"))
                    if text:
                        items.append(AgentMessage(text, f.s(p, "phase")))
                # developer/system messages and injected context are instructions, not turns.
            elif typ == "reasoning":
                if reason_from == "ri":
                    text = "\n\n".join(
                        f.s(part, "text") or "" for part in f.lst(p, "summary")
                    ).strip()
                    if text:
                        items.append(Reasoning(text))
            elif typ == "web_search_call":
                searches.add_call(p)
            elif typ in extra.RESPONSES or extra.handles_call(typ, p):
                extra.response_item(typ, p, items, tool)
            elif typ in ("function_call", "custom_tool_call", "local_shell_call"):
                _apply_call(p, typ, tool)
            elif typ in ("function_call_output", "custom_tool_call_output"):
                _apply_output(p, tool)
            elif typ == "image_generation_call":
                items.append(Note("image", f.s(p, "revised_prompt") or "image generated"))
            elif typ == "agent_message":
                items.append(Note("agent message", f.content_text(p.get("content"))))
            elif typ not in KNOWN_RESPONSES:
                items.append(Unknown(f"response_item/{typ}", p, rec.line_no))
        elif kind == "event_msg" and isinstance(p, dict):
            if typ == "user_message" and users_from == "ev":
                text, images = f.event_user_message(p)
                items.append(UserMessage(text, images))
            elif typ == "agent_message" and agents_from == "ev":
                items.append(AgentMessage(f.s(p, "message") or "", f.s(p, "phase")))
            elif typ == "agent_reasoning" and reason_from == "ev":
                items.append(Reasoning(f.s(p, "text") or ""))
            elif typ == "item_completed" and f.s(f.dct(p, "item"), "type") == "WebSearch":
                searches.add_item(f.dct(p, "item"))
            elif typ == "item_completed":
                _apply_item(f.dct(p, "item"), items, tool, users_from, agents_from, reason_from,
                            rec)
            elif typ == "exec_command_end":
                call = tool(f.s(p, "call_id"), ToolCall, "shell")
                if isinstance(call, Patch):  # apply_patch run through the shell tool
                    patches.settle_exit(call, f.i(p, "exit_code"), f.s(p, "aggregated_output")
                                        or f.s(p, "formatted_output"))
                elif isinstance(call, ToolCall):
                    call.command = call.command or f.shell_command(p.get("command"))
                    output = f.s(p, "aggregated_output") or f.s(p, "formatted_output")
                    if output is None:
                        output = (f.s(p, "stdout") or "") + (f.s(p, "stderr") or "")
                    call.output = output
                    call.exit_code = f.i(p, "exit_code")
                    call.duration_ms = f.duration_ms(p.get("duration"))
            elif typ == "patch_apply_end":
                patch = tool(f.s(p, "call_id"), Patch)
                if isinstance(patch, Patch):
                    success = p.get("success")
                    patch.success = success if isinstance(success, bool) else None
                    out = (f.s(p, "stdout") or "") + (f.s(p, "stderr") or "")
                    patch.output = patch.output or out or None
                    if not patch.files:
                        patch.files = patches.event_changes(p.get("changes"))
            elif typ == "mcp_tool_call_end":
                mcp = _mcp_call(tool, f.s(p, "call_id"), f.dct(p, "invocation"))
                if mcp is not None:
                    mcp.output = _mcp_result(p.get("result"))
                    mcp.duration_ms = f.duration_ms(p.get("duration"))
            elif typ == "web_search_end":
                searches.add_end(p)
            elif typ == "plan_update":
                # Releases that kept this event also wrote the update_plan call it echoes.
                checklist = None if plan_calls else plans.checklist(p)
                if checklist is not None:
                    items.append(checklist)
            elif typ == "turn_aborted":
                aborted_reason = f.s(p, "reason") or "aborted"
                items.append(Aborted(aborted_reason))
            elif typ in ("error", "stream_error"):
                items.append(ErrorItem(f.s(p, "message") or typ))
            elif typ == "token_count":
                info = f.dct(p, "info")
                total = f.token_usage(f.dct(info, "total_token_usage"))
                if total is not None:
                    token_counts.append((total, f.token_usage(f.dct(info, "last_token_usage"))))
            elif typ == "context_compacted":
                if not has_compacted:
                    items.append(Compaction(None))
            elif typ == "thread_name_updated":
                items.append(Note("renamed", f.s(p, "thread_name") or "(name cleared)"))
            elif typ in ("entered_review_mode", "exited_review_mode"):
                items.append(Note("review", typ.replace("_", " ")))
            elif typ == "thread_goal_updated":
                goal = f.s(p, "objective") or f.s(f.dct(p, "goal"), "objective") or ""
                items.append(Note("goal", goal))
            elif typ == "warning":
                items.append(Note("warning", f.s(p, "message") or ""))
            elif typ == "task_started":
                turn.turn_id = f.s(p, "turn_id")
                # The line timestamp has milliseconds; `started_at` only seconds.
                turn.started_at = f.parse_time(rec.timestamp) or f.parse_time(p.get("started_at"))
            elif typ == "task_complete":
                turn.turn_id = turn.turn_id or f.s(p, "turn_id")
                turn.completed_at = (f.parse_time(rec.timestamp)
                                     or f.parse_time(p.get("completed_at")))
                turn.duration_ms = f.i(p, "duration_ms")
                err = p.get("error")
                if isinstance(err, dict) and err:
                    turn.error = _error_text(f.s(err, "message") or f.compact_json(err))
                elif isinstance(err, str) and err:
                    turn.error = _error_text(err)
                if turn.error:
                    items.append(ErrorItem(turn.error))
            elif typ in extra.EVENTS:
                extra.event(typ, p, items, tool)
            elif typ not in KNOWN_EVENTS:
                items.append(Unknown(f"event_msg/{typ}", p, rec.line_no))
        elif kind == "compacted":
            extra.add_compaction(items, p)
        elif kind == "turn_context":
            model = f.s(p, "model") or model
        elif kind == "token_usage_record":
            usage = f.token_usage(f.dct(p, "turn_token_usage"))
            turn_usage_record = usage or turn_usage_record
        elif kind == "inter_agent_communication" and isinstance(p, dict):
            items.append(Note("agents", f.compact_json(p) or ""))
        elif kind not in KNOWN_KINDS or not isinstance(p, dict):
            items.append(Unknown(kind if typ is None else f"{kind}/{typ}", p, rec.line_no))

    turn.items = items = plans.settle(items)
    turn.model = model
    first_user = next((it for it in items if isinstance(it, UserMessage)), None)
    turn.user_message = first_user.text if first_user else None
    turn.compaction = first_user is None and any(isinstance(it, Compaction) for it in items)

    usage_from_counts = tracker.turn_usage(token_counts)
    turn.tokens = turn_usage_record or usage_from_counts

    if turn.started_at is None and recs:
        turn.started_at = f.parse_time(recs[0].timestamp)
    if turn.completed_at is None and not seg.open and recs:
        turn.completed_at = f.parse_time(recs[-1].timestamp)
    if turn.duration_ms is None and turn.started_at and turn.completed_at:
        turn.duration_ms = max(0, int((turn.completed_at - turn.started_at).total_seconds()
                                      * 1000))

    has_reply = any(isinstance(it, AgentMessage) or (isinstance(it, Plan) and it.text is not None)
                    for it in items)
    if aborted_reason is not None:
        turn.status = "aborted"
    elif turn.error:
        turn.status = "failed"
    elif seg.explicit:
        turn.status = "incomplete" if seg.open else "completed"
    else:
        errors = any(isinstance(it, ErrorItem) for it in items)
        turn.status = "completed" if has_reply else "failed" if errors else "incomplete"
    return turn, model


def _error_text(message: str) -> str:
    """Codex stores API errors as a JSON string inside `message`; show the inner message."""
    try:
        inner = json.loads(message)
    except (ValueError, RecursionError):
        return message
    err = f.dct(inner, "error")
    return f.s(err, "message") or f.s(inner, "message") or message


def _apply_call(p: dict[str, Any], typ: str | None, tool: extra.Tool) -> None:
    call_id = f.s(p, "call_id") or f.s(p, "id")
    name = f.s(p, "name") or ("shell" if typ == "local_shell_call" else "tool")
    if typ == "local_shell_call":
        if _shell_patch(f.dct(p, "action").get("command"), call_id, tool):
            return
        call = tool(call_id, ToolCall, "shell")
        if isinstance(call, ToolCall):
            action = f.dct(p, "action")
            call.command = f.shell_command(action.get("command"))
            call.arguments = f.compact_json(action)
            call.status = f.s(p, "status")
        return
    raw = f.s(p, "arguments") if typ == "function_call" else f.s(p, "input")
    if name == "apply_patch":
        patch = tool(call_id, Patch)
        if isinstance(patch, Patch):
            text = raw
            if typ == "function_call" and raw:
                args = _loads(raw)
                text = f.s(args, "input") or f.s(args, "patch") or raw
            patch.patch = text
            patch.files = patch.files or patches.patch_files(text or "")
        return
    if name == "update_plan" and typ == "function_call":
        checklist = plans.checklist(raw or "", call_id)
        if checklist is not None:
            plan = tool(call_id, Plan)
            if isinstance(plan, Plan):
                plan.steps, plan.explanation = checklist.steps, checklist.explanation
            return
    if name in SHELL_TOOLS and raw:
        args = _loads(raw)
        if isinstance(args, dict) and _shell_patch(args.get("command") or f.s(args, "cmd"),
                                                   call_id, tool):
            return
    call = tool(call_id, ToolCall, name)
    if not isinstance(call, ToolCall):
        return
    call.name = name
    call.arguments = raw
    call.status = f.s(p, "status") or call.status
    if name in SHELL_TOOLS and raw:
        args = _loads(raw)
        command = f.shell_command(args.get("command")) if isinstance(args, dict) else None
        command = command or f.s(args, "cmd")
        call.command = command or call.command
    if call.command is None:
        call.command = raw


def _shell_patch(command: Any, call_id: str | None, tool: extra.Tool) -> bool:
    """A shell call that runs apply_patch becomes a Patch, as the apply_patch tool's are."""
    text = patches.patch_of_command(command)
    if text is None:
        return False
    patch = tool(call_id, Patch)
    if isinstance(patch, Patch):
        patch.patch = text
        patch.files = patch.files or patches.patch_files(text)
    return True


def _apply_output(p: dict[str, Any], tool: extra.Tool) -> None:
    call_id = f.s(p, "call_id")
    output = p.get("output")
    text: str | None
    exit_code: int | None = None
    duration: int | None = None
    if isinstance(output, str):
        text = output
        wrapped = _loads(output) if output.startswith("{") else None
        if isinstance(wrapped, dict) and "output" in wrapped:
            # Older shell tools: {"output": "...", "metadata": {"exit_code", "duration_seconds"}}
            text = f.s(wrapped, "output") or ""
            meta = f.dct(wrapped, "metadata")
            exit_code = f.i(meta, "exit_code")
            seconds = meta.get("duration_seconds")
            duration = f.duration_ms(seconds) if isinstance(seconds, int | float) else None
        else:
            text, exit_code, duration = f.split_exec_output(output)
    elif isinstance(output, list):
        text = extra.output_text(output)
    elif isinstance(output, dict):
        text = f.s(output, "content") or f.compact_json(output)
    else:
        text = None
    target = tool(call_id, ToolCall, "tool")
    if isinstance(target, Plan):
        return  # update_plan answers "Plan updated"
    if isinstance(target, Patch):
        patches.settle_exit(target, exit_code, text)
        return
    if target.output is None:
        target.output = text
    if target.exit_code is None:
        target.exit_code = exit_code
    if target.duration_ms is None:
        target.duration_ms = duration


def _apply_item(item: dict[str, Any], items: list[Item], tool: extra.Tool, users_from: str,
                agents_from: str, reason_from: str, rec: Record) -> None:
    t = f.s(item, "type")
    if t == "UserMessage":
        if users_from == "ic":
            text, images = f.item_user_message(item)
            items.append(UserMessage(text, images))
    elif t == "AgentMessage":
        if agents_from == "ic":
            items.append(AgentMessage(f.content_text(item.get("content")), f.s(item, "phase")))
    elif t == "Reasoning":
        if reason_from == "ic":
            parts = [x for x in f.lst(item, "summary_text") if isinstance(x, str)]
            text = "\n\n".join(parts).strip()
            if text:
                items.append(Reasoning(text))
    elif t == "CommandExecution":
        call = tool(f.s(item, "id"), ToolCall, "shell")
        if isinstance(call, ToolCall):
            call.name = call.name if call.name != "tool" else "shell"
            call.command = f.shell_command(item.get("command")) or call.command
            output = f.s(item, "aggregated_output")
            call.output = output if output is not None else call.output
            call.exit_code = f.i(item, "exit_code") if "exit_code" in item else call.exit_code
            call.duration_ms = f.duration_ms(item.get("duration")) or call.duration_ms
            call.status = f.s(item, "status") or call.status
    elif t == "FileChange":
        patch = tool(f.s(item, "id"), Patch)
        if isinstance(patch, Patch):
            patch.files = patches.item_changes(item.get("changes")) or patch.files
            status = f.s(item, "status")
            if status:
                patch.success = status == "completed"
    elif t == "McpToolCall":
        mcp = _mcp_call(tool, f.s(item, "id"), item)
        if mcp is not None:
            err = item.get("error")
            mcp.output = _mcp_result(item.get("result")) or (f.compact_json(err) if err else None)
            mcp.status = f.s(item, "status")
            mcp.duration_ms = f.i(item, "duration_ms") or f.duration_ms(item.get("duration"))
    elif t == "Plan":
        items.append(Plan(text=f.s(item, "text") or ""))
    elif t == "ContextCompaction":
        extra.compaction_twin(items)
    elif t in extra.ITEMS:
        extra.turn_item(t, item, items, tool)
    elif t == "ImageGeneration":
        items.append(Note("image", f.s(item, "revised_prompt") or f.s(item, "path") or t))
    else:
        items.append(Unknown(f"item_completed/{t}", item, rec.line_no))


def _mcp_call(tool: extra.Tool, call_id: str | None, spec: dict[str, Any]) -> ToolCall | None:
    """The ToolCall of an MCP call, named `server.tool`, from an event's `invocation` or a
    McpToolCall item (both carry server, tool and arguments)."""
    name = f"{f.s(spec, 'server') or 'mcp'}.{f.s(spec, 'tool') or '?'}"
    call = tool(call_id, ToolCall, name)
    if not isinstance(call, ToolCall):
        return None
    call.name = name
    call.arguments = f.compact_json(spec.get("arguments"))
    call.command = call.arguments
    return call


def _mcp_result(result: Any) -> str | None:
    if not isinstance(result, dict):
        return f.compact_json(result)
    ok = result.get("Ok", result)
    if isinstance(ok, dict) and isinstance(ok.get("content"), list):
        return f.content_text(ok["content"], ("text",))
    err = result.get("Err")
    if err is not None:
        return f.compact_json(err)
    return f.compact_json(result)


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None
