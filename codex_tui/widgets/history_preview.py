"""The history search's preview: the prompt (or matching message) in full, its session, and
the exchange around it: the turn before, the turn itself, the turn after."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from .. import timefmt
from ..store.history import HistoryEntry, highlight_positions
from ..store.model import Thread, ThreadSummary, Turn
from ..store.text_index import TextHit
from ..textutil import one_line, printable

MAX_LINES = 12
SIDE_LINES = 3


class HistoryPreview(VerticalScroll):
    DEFAULT_CSS = """
    HistoryPreview {
        padding: 0 1;
        & > #history-preview-body { width: 100%; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="history-preview-body")

    def show(self, row: HistoryEntry | TextHit | None, *, query: str,
             summary: ThreadSummary | None, missing: bool, thread: Thread | None,
             turn: int | None, now: datetime, reading: bool = False) -> None:
        """`turn`: the number of the turn the row belongs to, once found in `thread`."""
        body = self.query_one("#history-preview-body", Static)
        if row is None:
            body.update(Text("Nothing selected.", style="dim"))
            return
        parts: list = [_heading(row, summary, missing, now)]
        if isinstance(row, TextHit):
            label = {"user": "You", "assistant": "Codex", "command": "Command",
                     "search": "Web search", "plan": "Plan"}.get(row.kind, row.kind)
            parts.append(Text(f"\n{label}, turn {row.turn}:", style="bold"))
            parts.append(_literal(row.text, query))
        else:
            parts.append(Text("\nPrompt:", style="bold"))
            parts.append(_literal(row.text, query))
        if missing:
            sid = row.thread_id if isinstance(row, TextHit) else row.session_id
            parts.append(Text(f"\n⚠ No rollout file for session {sid}: it was deleted, or "
                              "never saved.", style="yellow"))
        elif thread is not None and turn is not None:
            parts.append(_exchange(thread, turn))
        elif reading:
            parts.append(Text("\nreading the session…", style="dim italic"))
        elif thread is not None:
            parts.append(Text("\n(the turn of this prompt was not found in the session)",
                              style="dim"))
        body.update(Group(*parts))
        self.scroll_home(animate=False)


def _heading(row: HistoryEntry | TextHit, summary: ThreadSummary | None, missing: bool,
             now: datetime) -> Text:
    if isinstance(row, TextHit):
        when = datetime.fromtimestamp(row.ts, UTC) if row.ts is not None else None
        sid = row.thread_id
    else:
        when = row.when
        sid = row.session_id
    text = Text()
    text.append(f"{timefmt.absolute(when)} ({timefmt.relative(when, now)})\n", style="bold")
    if missing:
        text.append("session not found\n", style="red italic")
    elif summary is not None:
        text.append(one_line(summary.title) or "(no message yet)", style="bold")
        text.append("\n")
        text.append(f"{one_line(summary.cwd) or '(directory not recorded)'}\n", style="dim")
        if summary.archived:
            text.append("archived\n", style="yellow")
    text.append(sid, style="dim")
    return text


def _literal(value: str, query: str) -> Text:
    """Session text as it is (never markup), query words highlighted line by line."""
    lines = printable(value.strip("\n")).splitlines() or [""]
    out = Text()
    for i, line in enumerate(lines[:200]):
        if i:
            out.append("\n")
        part = Text(line)
        for pos in highlight_positions(query, line) if query else ():
            part.stylize("bold reverse", pos, pos + 1)
        out.append_text(part)
    if len(lines) > 200:
        out.append(f"\n… {len(lines) - 200} more lines", style="dim")
    return out


def _exchange(thread: Thread, number: int) -> Text:
    out = Text()
    turns = thread.turns
    pos = next((i for i, t in enumerate(turns) if t.index == number), None)
    if pos is None:
        return out
    out.append("\n── the exchange ──\n", style="dim")
    if pos > 0:
        _turn(out, turns[pos - 1], SIDE_LINES, dim=True)
    _turn(out, turns[pos], MAX_LINES, dim=False)
    if pos + 1 < len(turns):
        _turn(out, turns[pos + 1], SIDE_LINES, dim=True)
    return out


def _turn(out: Text, turn: Turn, lines: int, dim: bool) -> None:
    style = "dim" if dim else ""
    out.append(f"\nTurn {turn.index}\n", style="bold dim" if dim else "bold")
    for item in turn.items:
        if item.kind == "user_message":
            out.append("› ", style="bold cyan" if not dim else "dim cyan")
            out.append(_clip(item.text, lines) + "\n", style="cyan" if not dim else "dim cyan")
        elif item.kind == "agent_message":
            out.append(_clip(item.text, lines) + "\n", style=style)
        elif item.kind == "tool_call" and item.command and not dim:
            out.append(f"$ {one_line(item.command)[:200]}\n", style="green")


def _clip(text: str, lines: int) -> str:
    rows = printable(text.strip()).splitlines()
    if len(rows) > lines:
        rows = [*rows[:lines], "…"]
    return "\n".join(r if len(r) <= 400 else r[:399] + "…" for r in rows)
