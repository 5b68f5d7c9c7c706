"""Export a session to a file: a format (Markdown, HTML, JSON) and a path. Returns an
ExportRequest, or None when cancelled; the screen then writes the file in a worker."""

from __future__ import annotations

import os
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, RadioButton, RadioSet, Static

from ..export.formats import EXTENSIONS, FORMATS, default_filename, format_for_path
from ..store import ThreadSummary
from ..textutil import one_line

LABELS = {"markdown": "Markdown", "html": "HTML page", "json": "JSON"}


@dataclass(frozen=True, slots=True)
class ExportRequest:
    thread_id: str
    format: str  # "markdown" | "html" | "json"
    path: str
    overwrite: bool = False


class ExportDialog(ModalScreen[ExportRequest | None]):
    CSS_PATH = "export.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, summary: ThreadSummary, directory: str | None = None,
                 fmt: str = "markdown") -> None:
        super().__init__()
        self.summary = summary
        self.format = fmt
        self._directory = directory or default_folder()

    def compose(self) -> ComposeResult:
        s = self.summary
        with Vertical(id="export-box"):
            yield Static("Export session", id="export-title")
            yield Static(Text(one_line(s.title or "(no message yet)")[:300], style="italic"),
                         id="export-about")
            yield Static("Format", classes="export-label")
            with RadioSet(id="export-format"):
                for fmt in FORMATS:
                    yield RadioButton(LABELS[fmt], value=fmt == self.format, id=f"fmt-{fmt}")
            yield Static("Write to", classes="export-label")
            yield Input(value=os.path.join(self._directory, default_filename(s, self.format)),
                        placeholder="file to write", id="export-path")
            yield Checkbox("Replace the file if it exists", id="export-overwrite")
            yield Static(id="export-note")
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export-ok")
                yield Button("Cancel", id="export-cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()
        self._check()

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        self.format = (event.pressed.id or "fmt-markdown").removeprefix("fmt-")
        path_input = self.query_one("#export-path", Input)
        stem, ext = os.path.splitext(path_input.value)
        if format_for_path(path_input.value) is not None or not ext:
            path_input.value = stem + EXTENSIONS[self.format]
        self._check()

    @on(Input.Changed, "#export-path")
    @on(Checkbox.Changed, "#export-overwrite")
    def _changed(self) -> None:
        self._check()

    def _path(self) -> str:
        return os.path.abspath(os.path.expanduser(self.query_one("#export-path",
                                                                 Input).value.strip()))

    def _check(self) -> bool:
        note = self.query_one("#export-note", Static)
        raw = self.query_one("#export-path", Input).value.strip()
        overwrite = self.query_one("#export-overwrite", Checkbox).value
        problem = None
        if not raw:
            problem = "Give a file to write."
        elif os.path.isdir(self._path()):
            problem = "That is a folder: give a file name."
        elif os.path.lexists(self._path()) and not overwrite:
            problem = "That file exists: tick “Replace” to overwrite it."
        note.update(Text(f"⚠ {problem}" if problem else ""))
        note.display = problem is not None
        self.query_one("#export-ok", Button).disabled = problem is not None
        return problem is None

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-ok")
    def _submit(self) -> None:
        if self._check():
            self.dismiss(ExportRequest(self.summary.id, self.format, self._path(),
                                       self.query_one("#export-overwrite", Checkbox).value))

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def default_folder() -> str:
    """Where exports go unless told: the current directory (home, when it vanished)."""
    try:
        return os.getcwd()
    except OSError:
        return os.path.expanduser("~")
