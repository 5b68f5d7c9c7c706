"""Plans: the proposed plan of plan mode and the checklist of `update_plan`.

Plan mode records a proposed plan twice: as an `item_completed` Plan item (`{"id", "text"}`)
and inside the assistant's message, between `<proposed_plan>` and `</proposed_plan>` lines
(the response item keeps the whole text; what the agent_message event keeps varies). The
plan is shown once, as a plan: `settle()` cuts the blocks out of assistant messages and keeps
a block as a Plan only when no Plan item of the turn holds the same text.

Like Codex's parser (utils/stream-parser, proposed_plan.rs), a tag counts only on a line of
its own and outside fenced code, so a message that quotes the tags in a code block is left
alone; an unclosed block runs to the end of the message.

`update_plan` (function call arguments, and the `plan_update` event of releases that kept
it) is `{"explanation"?: str, "plan": [{"step": str, "status": "pending" | "in_progress" |
"completed"}]}`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import fields as f
from .items import AgentMessage, Item, Plan, PlanStep

OPEN_TAG = "<proposed_plan>"
CLOSE_TAG = "</proposed_plan>"
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def split_proposed_plans(text: str) -> list[tuple[bool, str]] | None:
    """The message as (is_plan, text) pieces in order; None when it holds no plan block."""
    if OPEN_TAG not in text:
        return None
    pieces: list[tuple[bool, str]] = []
    buf: list[str] = []
    inside = found = False
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        tag = line.strip()
        if fence is None and not inside and tag == OPEN_TAG:
            pieces.append((False, "".join(buf)))
            buf, inside, found = [], True, True
            continue
        if fence is None and inside and tag == CLOSE_TAG:
            pieces.append((True, "".join(buf)))
            buf, inside = [], False
            continue
        buf.append(line)
        fence = _next_fence(fence, line)
    if not found:
        return None
    pieces.append((inside, "".join(buf)))
    return [(is_plan, piece) for is_plan, piece in pieces if is_plan or piece.strip()]


def _next_fence(fence: str | None, line: str) -> str | None:
    """The fence open after `line` (its backticks or tildes), given the one open before."""
    match = _FENCE.match(line)
    if fence is None:
        return match.group(1) if match else None
    if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
            and not line.strip()[len(match.group(1)):].strip():
        return None
    return fence


def _key(text: str) -> str:
    return " ".join(text.split())


def settle(items: list[Item]) -> list[Item]:
    """The turn's items with each proposed plan shown once: blocks cut out of assistant
    messages (the rest of a message kept), a block kept as a Plan unless the turn has a Plan
    item of the same text, and repeated Plan items dropped."""
    if not any((isinstance(it, Plan) and it.text is not None)
               or (isinstance(it, AgentMessage) and OPEN_TAG in it.text) for it in items):
        return items
    recorded = {_key(it.text) for it in items if isinstance(it, Plan) and it.text is not None}
    shown: set[str] = set()
    out: list[Item] = []
    for it in items:
        if isinstance(it, Plan) and it.text is not None:
            key = _key(it.text)
            if key not in shown:
                shown.add(key)
                out.append(it)
            continue
        pieces = split_proposed_plans(it.text) if isinstance(it, AgentMessage) else None
        if pieces is None:
            out.append(it)
            continue
        assert isinstance(it, AgentMessage)
        text: list[str] = []  # the message's text around plans shown elsewhere: one message
        for is_plan, piece in pieces:
            if not is_plan:
                text.append(piece.strip("\n"))
                continue
            key = _key(piece)
            if not key or key in recorded or key in shown:
                continue
            shown.add(key)
            if text:
                out.append(AgentMessage("\n\n".join(text), it.phase))
                text = []
            out.append(Plan(text=piece.strip("\n")))
        if text:
            out.append(AgentMessage("\n\n".join(text), it.phase))
    return out


def checklist(args: Any, call_id: str | None = None) -> Plan | None:
    """The Plan of `update_plan` arguments (a dict, or their JSON text); None when they are
    not of that shape (the call is then shown as the tool call it is)."""
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except (ValueError, RecursionError):
            return None
    if not isinstance(args, dict) or not isinstance(args.get("plan"), list):
        return None
    steps: list[PlanStep] = []
    for entry in args["plan"]:
        step = f.s(entry, "step")
        if step is None:
            return None
        steps.append(PlanStep(step, f.s(entry, "status")))
    return Plan(steps=steps, explanation=f.s(args, "explanation") or None, call_id=call_id)


STATUS_MARKS = {"completed": "✔", "in_progress": "◐", "pending": "○"}


def step_mark(status: str | None) -> str:
    """The checklist mark of a step status (unknown or missing statuses get `?`)."""
    return STATUS_MARKS.get(status or "", "?")


def progress(plan: Plan) -> str:
    """`2 of 5 done` for a checklist."""
    done = sum(1 for s in plan.steps if s.status == "completed")
    return f"{done} of {len(plan.steps)} done"


def has_update_plan_call(records: list) -> bool:
    """Whether a turn's records hold an `update_plan` function call (its `plan_update`
    events then repeat it)."""
    return any(r.kind == "response_item" and r.type == "function_call"
               and f.s(r.payload, "name") == "update_plan" for r in records)
