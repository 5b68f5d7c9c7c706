"""The picker's preview: the selected session's metadata and its first exchanges."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from .. import timefmt
from ..store.model import ThreadSummary
from ..textutil import printable

if TYPE_CHECKING:
    from ..store.items import Thread

EXCHANGES = 3
MAX_LINES = 8


class PreviewPane(VerticalScroll):
    DEFAULT_CSS = """
    PreviewPane {
        padding: 0 1;
        & > #preview-body { width: 100%; }
    }
    """

    def compose(self):
        yield Static(id="preview-body")

    def show(self, summary: ThreadSummary | None, thread: Thread | None, now: datetime) -> None:
        """Show `summary`, with `thread` (its first turns) once it has been read."""
        body = self.query_one("#preview-body", Static)
        if summary is None:
            body.update(Text("No session selected.", style="dim"))
            return
        parts: list = [_metadata(summary, now)]
        if summary.problems:
            warn = Text()
            for p in summary.problems[:5]:
                warn.append(f"⚠ {printable(p.message)}\n", style="yellow")
            if len(summary.problems) > 5:
                warn.append(f"⚠ … and {len(summary.problems) - 5} more\n", style="yellow")
            parts.append(warn)
        if thread is None:
            parts.append(Text("\nreading…", style="dim italic"))
        else:
            parts.append(_exchanges(thread))
        body.update(Group(*parts))
        self.scroll_home(animate=False)


def _metadata(s: ThreadSummary, now: datetime):
    from rich.table import Table  # first used after the first frame

    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    title = s.title or "(no message yet)"
    table.add_row("", Text(printable(" ".join(title.split())), style="bold"))
    rows = [
        ("id", s.id),
        ("home", s.home),
        ("name", s.name),
        ("created", f"{timefmt.absolute(s.created_at)} ({timefmt.relative(s.created_at, now)})"),
        ("updated", f"{timefmt.absolute(s.updated_at)} ({timefmt.relative(s.updated_at, now)})"),
        ("cwd", s.cwd or "(not recorded)"),
        ("branch", s.git_branch),
        ("model", s.model),
        ("codex", s.cli_version),
        ("source", s.source),
        ("forked from", s.forked_from_id),
        ("tokens", f"{s.tokens:,}" if s.tokens is not None else None),
        ("size", timefmt.size(s.size)),  # ("" when not known: not shown)
        ("archived", "yes" if s.archived else None),
    ]
    for label, value in rows:
        if value:
            table.add_row(label, Text(printable(value)))
    return table


def _exchanges(thread: Thread) -> Text:
    out = Text()
    shown = 0
    for turn in thread.turns:
        if shown >= EXCHANGES:
            break
        messages = [i for i in turn.items if i.kind in ("user_message", "agent_message")]
        if not messages:
            continue
        shown += 1
        out.append("\n")
        for item in messages[:2] if turn.user_message else messages[:1]:
            if item.kind == "user_message":
                out.append("› ", style="bold cyan")
                out.append(_clip(item.text) + "\n", style="cyan")
            else:
                out.append(_clip(item.text) + "\n")
    if shown == 0:
        out.append("\n(no messages)", style="dim")
    return out


def _clip(text: str) -> str:
    lines = printable(text.strip()).splitlines()
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], "…"]
    return "\n".join(line if len(line) <= 400 else line[:399] + "…" for line in lines)
