"""The picker's preview: the selected session's metadata and its first exchanges.

A fork is marked (↳) and says what it was forked from, by its source's title and id, and
shows its own first exchanges: Codex titles a fork as its source until it is named, and their
first exchanges are the same."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from .. import timefmt
from ..store.model import ThreadSummary
from ..textutil import printable
from .session_list import FORK_MARK

if TYPE_CHECKING:
    from rich.table import Table

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

    def compose(self) -> ComposeResult:
        yield Static(id="preview-body")

    def show(self, summary: ThreadSummary | None, thread: Thread | None, now: datetime,
             source: ThreadSummary | None = None) -> None:
        """Show `summary`, with `thread` (its first turns) once it has been read; `source`:
        the summary of the thread it was forked from, when it is known."""
        body = self.query_one("#preview-body", Static)
        if summary is None:
            body.update(Text("No session selected.", style="dim"))
            return
        parts: list = [_metadata(summary, now, source)]
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


def _metadata(s: ThreadSummary, now: datetime, source: ThreadSummary | None) -> Table:
    from rich.table import Table  # first used after the first frame

    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    title = Text()  # (a style given here would cover what is appended too)
    if s.forked_from_id:
        title.append(FORK_MARK, style="dim")
    title.append(_one_line(s.title or "(no message yet)"), style="bold")
    table.add_row("", title)
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
        ("tokens", f"{s.tokens:,}" if s.tokens is not None else None),
        ("size", timefmt.size(s.size)),  # ("" when not known: not shown)
        ("archived", "yes" if s.archived else None),
    ]
    for label, value in rows:
        if value:
            table.add_row(label, Text(printable(value)))
        if label == "id" and s.forked_from_id:
            table.add_row("forked from", _source(s.forked_from_id, source))
    return table


def _source(source_id: str, source: ThreadSummary | None) -> Text:
    """The fork's source: its title (when it is listed) over its id."""
    text = Text()
    if source is not None:
        text.append(_one_line(source.title or "(no message yet)"))
        text.append("\n")
    text.append(printable(source_id), style="dim")
    return text


def _one_line(text: str) -> str:
    return printable(" ".join(text.split()))


def _exchanges(thread: Thread) -> Text:
    out = Text()
    shown = 0
    turns = thread.turns
    if any(t.inherited for t in turns):  # a fork: its own turns (the others are its source's)
        turns = [t for t in turns if not t.inherited]
        out.append("\nits own turns (those before the fork are its source's):\n", style="dim")
    for turn in turns:
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
        out.append("\n(no messages)" if turns is thread.turns else "\n(none yet)", style="dim")
    return out


def _clip(text: str) -> str:
    lines = printable(text.strip()).splitlines()
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], "…"]
    return "\n".join(line if len(line) <= 400 else line[:399] + "…" for line in lines)
