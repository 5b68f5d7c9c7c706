"""Dialogs of a bulk action on the marked sessions: the one question (how many sessions,
how many bytes, which are left alone and why), the export's format and folder, and the
progress of the run with each session's result as it comes (store/bulk.py does the
writing; Esc stops it between two sessions)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import NamedTuple

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, ProgressBar, RadioButton, RadioSet, Static
from textual.worker import get_current_worker

from ..store import ThreadStore, ThreadSummary
from ..store.bulk import DONE, NOT_REACHED, REFUSED, WOULD, BulkOutcome, Write, run, totals
from ..store.storage import human_bytes
from ..textutil import clip, one_line

VERBS = {"archive": "Archive", "unarchive": "Unarchive", "delete": "Delete",
         "export": "Export"}
PAST = {"archive": "archived", "unarchive": "unarchived", "delete": "deleted",
        "export": "exported"}
LISTED = 6  # sessions named in the question; the rest are counted
TITLE = 60
LISTED_TITLE = 42  # a title beside its size, on one line of the question's box


def _plural(n: int, word: str = "session") -> str:
    return f"{n:,} {word}{'s' if n != 1 else ''}"


def _title(s: ThreadSummary, width: int = TITLE) -> str:
    return clip(one_line(s.title[:width * 2] if s.title else "") or s.id, width)


def bulk_question(action: str, outcomes: Sequence[BulkOutcome],
                  summaries: dict[str, ThreadSummary], left_out: int,
                  target: str | None = None) -> tuple[str, str]:
    """(message, question) of the one confirmation: what will be written, what is left
    alone and why (the store's words), what does not apply."""
    would = [o for o in outcomes if o.result == WOULD]
    refused = [o for o in outcomes if o.result == REFUSED]
    size = sum(o.bytes or 0 for o in would)
    lines = [f"{_plural(len(would))}, {human_bytes(size)}:"]
    lines += [f"  • {human_bytes(o.bytes):>10}  {_title(summaries[o.id], LISTED_TITLE)}"
              for o in would[:LISTED]]
    if len(would) > LISTED:
        lines.append(f"  … and {len(would) - LISTED:,} more")
    if refused:
        lines.append(f"\n{_plural(len(refused))} will be left alone:")
        for o in refused[:LISTED]:
            lines.append(f"  • {_title(summaries[o.id])}: {o.reason}")
        if len(refused) > LISTED:
            lines.append(f"  … and {len(refused) - LISTED:,} more")
    if left_out:
        already = {"archive": "already archived", "unarchive": "not archived"}.get(action,
                                                                                  "not fit")
        lines.append(f"\n{_plural(left_out)} marked {'is' if left_out == 1 else 'are'} "
                     f"{already}: left out.")
    if action == "delete":
        lines.append("\nTheir files and names are removed for good, as `codex delete` "
                     "does. There is no undo.")
    elif action == "archive":
        lines.append("\nCodex will not resume them until they are unarchived.")
    elif action == "export" and target:
        lines.append(f"\nInto {target}")
    question = f"{VERBS[action]} {_plural(len(would))} ({human_bytes(size)})?"
    return "\n".join(lines), question


class ExportTarget(NamedTuple):
    format: str
    folder: str


class BulkExportDialog(ModalScreen[ExportTarget | None]):
    """The format and the folder for exporting many sessions (one file each, named as a
    single export names it; an existing file is not replaced)."""

    CSS_PATH = "bulk.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, count: int, folder: str) -> None:
        super().__init__()
        self.count = count
        self.format = "markdown"
        self.folder = folder

    def compose(self) -> ComposeResult:
        from .export import LABELS

        with Vertical(id="bulk-box"):
            yield Static(f"Export {_plural(self.count)}", id="bulk-title")
            yield Static("Format", classes="bulk-label")
            with RadioSet(id="bulk-format"):
                for fmt, label in LABELS.items():
                    yield RadioButton(label, value=fmt == self.format, id=f"fmt-{fmt}")
            yield Static("Into the folder", classes="bulk-label")
            yield Input(value=self.folder, id="bulk-folder")
            yield Static(id="bulk-note")
            with Horizontal(id="bulk-buttons"):
                yield Button("Next", variant="primary", id="bulk-ok")
                yield Button("Cancel", id="bulk-cancel")

    def on_mount(self) -> None:
        self.query_one("#bulk-folder", Input).focus()
        self._check()

    @on(RadioSet.Changed, "#bulk-format")
    def _format(self, event: RadioSet.Changed) -> None:
        self.format = (event.pressed.id or "fmt-markdown").removeprefix("fmt-")

    @on(Input.Changed, "#bulk-folder")
    def _check(self) -> bool:
        folder = self._folder()
        problem = None if os.path.isdir(folder) else "No such folder."
        note = self.query_one("#bulk-note", Static)
        note.update(Text(f"⚠ {problem}" if problem else ""))
        note.display = problem is not None
        self.query_one("#bulk-ok", Button).disabled = problem is not None
        return problem is None

    def _folder(self) -> str:
        raw = self.query_one("#bulk-folder", Input).value.strip()
        return os.path.abspath(os.path.expanduser(raw)) if raw else ""

    @on(Input.Submitted, "#bulk-folder")
    @on(Button.Pressed, "#bulk-ok")
    def _submit(self) -> None:
        if self._check():
            self.dismiss(ExportTarget(self.format, self._folder()))

    @on(Button.Pressed, "#bulk-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class BulkProgress(ModalScreen[list[BulkOutcome]]):
    """The run: a progress bar, and each session's result as it is known (refusals with
    their reason); Esc stops it between two sessions (the session being written is
    finished, never cut in half)."""

    CSS_PATH = "bulk.tcss"
    BINDINGS = [Binding("escape", "stop", "Stop / close")]

    class Outcome(Message):
        def __init__(self, outcome: BulkOutcome) -> None:
            super().__init__()
            self.outcome = outcome

    class Finished(Message):
        pass

    def __init__(self, store: ThreadStore, summaries: list[ThreadSummary], action: str,
                 write: Write | None = None,
                 done: Callable[[BulkOutcome], None] | None = None) -> None:
        super().__init__()
        self.store = store
        self.summaries = summaries
        self.action = action
        self.write = write
        self._after_write = done  # called (in the worker) after each session written
        self.outcomes: list[BulkOutcome] = []
        self.stopping = False
        self.finished = False
        self._by_id = {s.id: s for s in summaries}

    def compose(self) -> ComposeResult:
        with Vertical(id="bulk-box", classes="-progress"):
            yield Static(f"{VERBS[self.action]} {_plural(len(self.summaries))}…",
                         id="bulk-title")
            yield ProgressBar(total=len(self.summaries), show_eta=False, id="bulk-bar")
            yield Static("", id="bulk-status")
            yield OptionList(id="bulk-results", markup=False)
            with Horizontal(id="bulk-buttons"):
                yield Button("Stop", variant="warning", id="bulk-stop")

    def on_mount(self) -> None:
        self.query_one("#bulk-results", OptionList).display = False
        self.start()

    @work(thread=True, exclusive=True, group="bulk", exit_on_error=False)
    def start(self) -> None:
        worker = get_current_worker()
        for outcome in run(self.store, self.summaries, self.action, self.write,
                           cancelled=lambda: self.stopping or worker.is_cancelled):
            if outcome.result == DONE and self._after_write is not None:
                self._after_write(outcome)
            self.post_message(self.Outcome(outcome))
        self.post_message(self.Finished())

    @on(Outcome)
    def _outcome(self, message: Outcome) -> None:
        self.outcomes.append(message.outcome)
        self.query_one("#bulk-bar", ProgressBar).advance(1)
        results = self.query_one("#bulk-results", OptionList)
        results.display = True
        results.add_option(self._row(message.outcome))
        self._status()

    @on(Finished)
    def _finished(self) -> None:
        self.finished = True
        counted = totals(self.outcomes)
        n, size = counted.get(DONE, (0, 0))
        title = f"{PAST[self.action].capitalize()} {_plural(n)} ({human_bytes(size)})"
        if self.stopping:
            title += " — stopped"
        self.query_one("#bulk-title", Static).update(title)
        self._status()
        button = self.query_one("#bulk-stop", Button)
        button.label = "Close"
        button.variant = "primary"
        button.focus()

    def _status(self) -> None:
        counted = totals(self.outcomes)
        parts = [f"{counted.get(DONE, (0, 0))[0]:,} {PAST[self.action]}"]
        for result in (REFUSED, NOT_REACHED):
            if result in counted:
                parts.append(f"{counted[result][0]:,} {result}")
        left = len(self.summaries) - len(self.outcomes)
        if left and not self.finished:
            parts.append(f"{left:,} to go")
        via = next((o.via for o in reversed(self.outcomes) if o.via), None)
        status = " · ".join(parts) + (f"   (via {via})" if via else "")
        self.query_one("#bulk-status", Static).update(status)

    def _row(self, o: BulkOutcome) -> Text:
        """Each session as it is written: what became of it, its size and title, and (when
        refused) the reason in the store's words."""
        s = self._by_id.get(o.id)
        row = Text()
        label = PAST[self.action] if o.result == DONE else o.result
        row.append(f"{label:<11}", style="bold red" if o.result == REFUSED else
                   "green" if o.result == DONE else "dim")
        row.append(f"{human_bytes(o.bytes):>10}  ", style="dim")
        row.append(_title(s, LISTED_TITLE) if s else o.id)
        if o.reason:
            row.append(f"\n           {one_line(o.reason)}", style="dim")
        return row

    @on(Button.Pressed, "#bulk-stop")
    def action_stop(self) -> None:
        if self.finished:
            self.dismiss(self.outcomes)
        elif not self.stopping:
            self.stopping = True
            self.query_one("#bulk-status", Static).update(
                "Stopping after the session being written…")
