"""A thread as Markdown (`codex-tui show ID --markdown`). Session text is put in fences or
escaped so that it reads literally."""

from __future__ import annotations

import json
import re

from ..store.kinds import command_language
from ..store.model import (
    Aborted,
    AgentMessage,
    Compaction,
    ErrorItem,
    Item,
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
from ..store.plans import progress
from ..store.serialize import iso
from ..store.web_search import describe
from ..timefmt import duration


def fence(text: str, lang: str = "") -> str:
    """A fenced block that no backtick run inside `text` can close."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{ticks}{lang}\n{body}{ticks}"


def inline(text: str) -> str:
    """Inline code that shows `text` literally, whatever backticks it holds."""
    text = " ".join(text.split())
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines()) or ">"


def fmt_tokens(n: int) -> str:
    return f"{n:,}"


def thread_markdown(thread: Thread) -> str:
    s = thread.summary
    out: list[str] = [f"# {_heading(s.title or '(no title)')}", ""]
    meta = [
        ("Session", inline(s.id)),
        ("Name", inline(s.name) if s.name else None),
        ("Created", iso(s.created_at)),
        ("Updated", iso(s.updated_at)),
        ("Directory", inline(s.cwd) if s.cwd else None),
        ("Branch", inline(s.git_branch) if s.git_branch else None),
        ("Model", s.model),
        ("Codex", s.cli_version),
        ("Source", s.source),
        ("Forked from", inline(s.forked_from_id) if s.forked_from_id else None),
        ("Archived", "yes" if s.archived else None),
        ("Tokens", fmt_tokens(thread.tokens.total) if thread.tokens else None),
    ]
    out += [f"- **{k}:** {v}" for k, v in meta if v]
    if thread.problems:
        out += ["", "**Warnings**", ""]
        out += [f"- {_escape(str(p))}" for p in thread.problems]
    for turn in thread.turns:
        out += ["", *turn_markdown(turn)]
    return "\n".join(out).rstrip() + "\n"


def turn_markdown(turn: Turn) -> list[str]:
    bits = [f"Turn {turn.index}"]
    if turn.started_at:
        bits.append(iso(turn.started_at) or "")
    bits.append(turn.status)
    if turn.tokens:
        bits.append(f"{fmt_tokens(turn.tokens.total)} tokens")
    if turn.inherited:
        bits.append("inherited")
    out = [f"## {' · '.join(bits)}", ""]
    for item in turn.items:
        out += _item(item)
        out.append("")
    return out


def _item(item: Item) -> list[str]:
    if isinstance(item, UserMessage):
        images = f" (+{item.images} image(s))" if item.images else ""
        return [f"**User**{images}", "", quote(item.text)]
    if isinstance(item, AgentMessage):
        # Assistant text is Markdown already: keep it as written.
        return ["**Assistant**", "", item.text]
    if isinstance(item, Reasoning):
        return ["<details><summary>Reasoning</summary>", "", quote(item.text), "", "</details>"]
    if isinstance(item, ToolCall):
        status = f" · exit {item.exit_code}" if item.exit_code is not None else ""
        if item.duration_ms is not None:
            status += f" · {duration(item.duration_ms)}"
        language = command_language(item.name) or ""
        out = [f"**Tool** {inline(item.name)}{status}", "", fence(item.command or "", language)]
        if item.output:
            out += ["", fence(item.output, "text")]
        return out
    if isinstance(item, Patch):
        state = {True: " · applied", False: " · failed", None: ""}[item.success]
        out = [f"**Patch**{state}"]
        out += [_patch_file(f.change, f.path) for f in item.files]
        if item.patch:
            out += ["", fence(item.patch, "diff")]
        else:
            for f in item.files:
                if f.diff:
                    out += ["", inline(f.path), "", fence(f.diff, "diff")]
        return out
    if isinstance(item, WebSearch):
        return [_web_search(item)]
    if isinstance(item, Plan):
        return _plan(item)
    if isinstance(item, ErrorItem):
        return [f"**Error:** {_escape(item.message)}"]
    if isinstance(item, Aborted):
        return [f"**Turn aborted** ({_escape(item.reason or 'unknown reason')})"]
    if isinstance(item, Compaction):
        window = f" (window {item.window_number})" if item.window_number is not None else ""
        out = [f"**Context compacted**{window}"]
        if item.message:
            out += ["", quote(item.message)]
        return out
    if isinstance(item, Note):
        return [f"*{_escape(item.label)}:* {_escape(item.text)}"]
    if isinstance(item, Unknown):
        raw = json.dumps(item.raw, ensure_ascii=False, indent=2, default=str)
        return [f"**Unknown record** {inline(item.record_type)}", "", fence(raw, "json")]
    return []


def _patch_file(change: str, path: str) -> str:
    if change.startswith("move to "):
        return f"- move {inline(path)} → {inline(change[len('move to '):])}"
    return f"- {_escape(change)} {inline(path)}"


def _web_search(item: WebSearch) -> str:
    """One line: `**Web search:** `query``, `**Open page:** `url``, `**Find in page:**
    `pattern` in `url`` (queries, URLs and patterns in code spans: shown literally)."""
    label, texts = describe(item)
    line = f"**{label[:1].upper()}{label[1:]}:**"
    if item.action == "find_in_page" and item.pattern and item.url:
        line += f" {inline(item.pattern)} in {inline(item.url)}"
    elif texts:
        line += " " + " · ".join(inline(t) for t in texts)
    else:
        line += " *(no query recorded)*"
    if item.status and item.status not in ("completed", "success"):
        line += f" · {_escape(item.status)}"
    return line


_CHECKS = {"completed": "[x]", "in_progress": "[ ]", "pending": "[ ]"}


def _plan(item: Plan) -> list[str]:
    """A proposed plan as the Markdown it is; a checklist as a task list."""
    if item.text is not None:
        # Quoted: its headings stay inside the plan, under the turn's.
        return ["**Proposed plan**", "", quote(item.text)]
    out = [f"**Plan** · {progress(item)}"]
    if item.explanation:
        out += ["", quote(item.explanation)]
    out.append("")
    for step in item.steps:
        note = {"completed": "", "pending": "", "in_progress": " *(in progress)*"}.get(
            step.status or "", f" *({_escape(step.status or 'no status')})*")
        out.append(f"- {_CHECKS.get(step.status or '', '[ ]')} {_escape(step.step)}{note}")
    return out


def _escape(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", " ".join(text.split()))


def _heading(text: str) -> str:
    return _escape(text)
