"""A Thread flattened into blocks: one per turn header and one per item, plus a few
thread-level blocks (problems, the fork banner and divider). Blocks are what the view
measures, caches and folds; their keys stay the same when a partial read of a thread is
replaced by the full one, so the view can keep its place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from ..store.model import (
    Aborted,
    AgentMessage,
    Compaction,
    ErrorItem,
    Note,
    Patch,
    Plan,
    Reasoning,
    Thread,
    ToolCall,
    Turn,
    Unknown,
    UserMessage,
    WebSearch,
)
from ..store.web_search import display_line

# Thread-level kinds; the others are the items' own `kind`.
PROBLEMS = "problems"
BANNER = "banner"
HEADER = "header"
DIVIDER = "divider"

# Fold groups: what the global toggles act on.
OUTPUT = "output"  # tool output and long patches (`o`)
REASONING = "reasoning"  # reasoning summaries (`r`)
DETAIL = "detail"  # raw records, compaction summaries, long problem lists (per block only)

_GROUPS = {
    "tool_call": OUTPUT,
    "patch": OUTPUT,
    "reasoning": REASONING,
    "unknown": DETAIL,
    "compaction": DETAIL,
    PROBLEMS: DETAIL,
}


@dataclass(frozen=True, slots=True)
class Block:
    kind: str
    key: tuple  # stable across partial and full reads of the same thread
    turn: int = -1  # position in thread.turns; -1 for thread-level blocks
    item: Any = None  # the Turn (header), the item, the problems list, banner or divider text
    inherited: bool = False  # part of a fork's parent history
    extra: Any = None  # header: show the date; divider: the parent id

    @property
    def group(self) -> str | None:
        return _GROUPS.get(self.kind)


def build_blocks(thread: Thread, *, show_problems: bool = True) -> list[Block]:
    return head_blocks(thread, show_problems=show_problems) + turn_blocks(thread)


def head_blocks(thread: Thread, *, show_problems: bool = True) -> list[Block]:
    """The thread-level blocks before the first turn: problems, fork and rollback banners."""
    blocks: list[Block] = []
    if show_problems and thread.problems:
        blocks.append(Block(PROBLEMS, (PROBLEMS,), item=list(thread.problems)))
    inherited = sum(1 for t in thread.turns if t.inherited)
    if inherited:
        parent = thread.inherited_from or thread.summary.forked_from_id or "another session"
        what = "turn is" if inherited == 1 else f"{inherited} turns are"
        if _is_sub_agent(thread):
            text = f"↳ Sub-agent of {parent}: the first {what} a copy of its history (dimmed)."
        else:
            text = f"↳ Forked from {parent}: the first {what} its history (dimmed)."
        blocks.append(Block(BANNER, (BANNER, "fork"), item=text))
    if thread.rolled_back_turns:
        n = thread.rolled_back_turns
        blocks.append(Block(BANNER, (BANNER, "rollback"),
                            item=f"↶ {n} turn{'s' if n != 1 else ''} rolled back (not shown)."))
    return blocks


def _is_sub_agent(thread: Thread) -> bool:
    s = thread.summary
    return bool(s.parent_thread_id) and (s.source or "").startswith("subagent")


def turn_blocks(thread: Thread, start: int = 0) -> list[Block]:
    """The blocks of turns `start`.. (a followed session redraws from its last turn)."""
    blocks: list[Block] = []
    last_day = None
    for earlier in reversed(thread.turns[:start]):
        if earlier.started_at:
            last_day = earlier.started_at.astimezone().date()
            break
    for pos in range(start, len(thread.turns)):
        turn = thread.turns[pos]
        if pos and thread.turns[pos - 1].inherited and not turn.inherited:
            label = ("spawned here: this sub-agent's own turns start below"
                     if _is_sub_agent(thread) else None)
            blocks.append(Block(DIVIDER, (DIVIDER,), turn=pos, item=label,
                                extra=thread.inherited_from))
        day = turn.started_at.astimezone().date() if turn.started_at else None
        show_date = day is not None and day != last_day
        last_day = day or last_day
        blocks.append(Block(HEADER, ("turn", turn.index), pos, turn, turn.inherited, show_date))
        for j, item in enumerate(turn.items):
            blocks.append(Block(item.kind, ("item", turn.index, j), pos, item, turn.inherited))
        if turn.status == "failed" and turn.error and \
                not any(isinstance(i, ErrorItem) for i in turn.items):
            blocks.append(Block("error", ("turn-error", turn.index), pos,
                                ErrorItem(turn.error), turn.inherited))
    return blocks


def search_text(block: Block) -> str:
    """Everything a block can show, folded parts included, for find."""
    item = block.item
    if block.kind == PROBLEMS:
        return "\n".join(str(p) for p in item)
    if block.kind == BANNER:
        return item
    if block.kind == DIVIDER:
        return item or "forked here"
    if block.kind == HEADER:
        return header_words(item)
    if isinstance(item, UserMessage | AgentMessage | Reasoning):
        return item.text
    if isinstance(item, ToolCall):
        return "\n".join(filter(None, [item.name, item.command, item.output]))
    if isinstance(item, Patch):
        parts = [f.path for f in item.files]
        parts += [f.diff for f in item.files if f.diff]
        parts += [item.patch or "", item.output or ""]
        return "\n".join(parts)
    if isinstance(item, WebSearch):
        return display_line(item)
    if isinstance(item, Plan):
        steps = [f"{s.step} ({s.status or 'no status'})" for s in item.steps]
        return "\n".join(filter(None, ["plan", item.text, item.explanation, *steps]))
    if isinstance(item, ErrorItem):
        return item.message
    if isinstance(item, Aborted):
        return f"turn aborted {item.reason or ''}"
    if isinstance(item, Compaction):
        return f"context compacted\n{item.message or ''}"
    if isinstance(item, Note):
        return f"{item.label}: {item.text}"
    if isinstance(item, Unknown):
        return f"{item.record_type}\n{raw_json(item.raw)}"
    return ""


def header_words(turn: Turn) -> str:
    return " ".join(filter(None, [f"Turn {turn.index}", turn.status, turn.model]))


def raw_json(raw: Any) -> str:
    try:
        return orjson.dumps(raw, option=orjson.OPT_INDENT_2, default=str).decode()
    except (TypeError, orjson.JSONEncodeError):
        return repr(raw)
