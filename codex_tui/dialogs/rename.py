"""Name a session: a one-line input that says, as you type, what the name would collide
with. Returns the name typed (not yet stored), or None when cancelled."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from ..store import ThreadSummary
from ..textutil import one_line

Warn = Callable[[str], list[str]]


class RenameDialog(ModalScreen[str | None]):
    CSS_PATH = "rename.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, summary: ThreadSummary, warnings: Warn | None = None) -> None:
        super().__init__()
        self.summary = summary
        self._warnings = warnings

    def compose(self) -> ComposeResult:
        s = self.summary
        with Vertical(id="rename-box"):
            yield Static("Rename session", id="rename-title")
            about = Text(one_line(s.preview or "(no message yet)")[:300], style="italic")
            about.append(f"\n{s.id}", style="dim")
            yield Static(about, id="rename-about")
            yield Input(value=s.name or "", placeholder="a name for `codex resume NAME`",
                        id="rename-input")
            yield Static(id="rename-warnings")
            with Horizontal(id="rename-buttons"):
                yield Button("Rename", variant="primary", id="rename-ok")
                yield Button("Cancel", id="rename-cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._check(self.query_one(Input).value)

    @on(Input.Changed, "#rename-input")
    def _changed(self, event: Input.Changed) -> None:
        self._check(event.value)

    def _check(self, value: str) -> None:
        box = self.query_one("#rename-warnings", Static)
        name = value.strip()
        lines: list[str] = []
        if not name:
            lines.append("A name cannot be empty.")
        elif name == (self.summary.name or ""):
            lines.append("This is the session's name already.")
        elif self._warnings is not None:
            lines += self._warnings(name)
        box.update(Text("\n".join(f"⚠ {line}" for line in lines)))
        box.display = bool(lines)
        self.query_one("#rename-ok", Button).disabled = not name

    @on(Input.Submitted, "#rename-input")
    @on(Button.Pressed, "#rename-ok")
    def _submit(self) -> None:
        name = self.query_one(Input).value.strip()
        if name:
            self.dismiss(name)

    @on(Button.Pressed, "#rename-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
