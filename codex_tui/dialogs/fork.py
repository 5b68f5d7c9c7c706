"""Fork a session at a turn: the dialog that asks where (and what name), and what follows.

`ForkDialog` lists the source's turns (number, time, prompt); the highlighted turn is the
cut: it and every turn before it are kept, the rest are left out. It returns a
`ForkRequest`, or None when cancelled. `start_fork` runs the whole flow for a screen: the
dialog, the write (through the ThreadStore, in a worker), then `ForkDone`, which offers to
resume the new session now, open its transcript, or go back.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from ..store import StoreError, Thread, ThreadStore, ThreadSummary, Turn
from ..textutil import one_line

PROMPT_WIDTH = 200  # characters of a prompt kept for its row (the row clips the rest)


@dataclass(frozen=True, slots=True)
class ForkRequest:
    """Fork `thread_id` keeping turns 1..`keep_turns`; `name` "" means no name."""

    thread_id: str
    keep_turns: int
    name: str


def _when(turn: Turn) -> str:
    return f"{turn.started_at.astimezone():%Y-%m-%d %H:%M:%S}" if turn.started_at else " " * 19


def turn_row(turn: Turn, kept: bool, cut: bool) -> Text:
    """One turn of the list: a mark (kept, cut, left out), number, time, prompt."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if cut:
        text.append("✂ ", style="bold")
    elif kept:
        text.append("● ", style="green")
    else:
        text.append("○ ", style="dim")
    style = "" if kept else "dim"
    text.append(f"{turn.index:>3}  ", style=style or "bold")
    text.append(_when(turn) + "  ", style="dim")
    if turn.compaction:
        prompt = "(compaction)"
    elif turn.user_message is not None:
        prompt = one_line(turn.user_message[:PROMPT_WIDTH * 2]) or "(empty prompt)"
    else:
        prompt = "(no prompt)"
    text.append(prompt, style=style)
    if turn.inherited:
        text.append("  inherited", style="dim italic")
    return text


class ForkDialog(ModalScreen[ForkRequest | None]):
    CSS_PATH = "fork.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "confirm", "Fork", show=False),
    ]

    class Loaded(Message):
        def __init__(self, thread: Thread | None, error: str | None) -> None:
            super().__init__()
            self.thread = thread
            self.error = error

    def __init__(self, store: ThreadStore, thread_id: str, turn: int | None = None, *,
                 thread: Thread | None = None) -> None:
        """`turn`: the turn to cut after (1-based; default the last); `thread`: the source
        when the caller has it read already, else it is read through the store."""
        super().__init__()
        self.store = store
        self.thread_id = thread_id
        self.thread = thread
        self._initial = turn
        self._cut: int | None = None  # 1-based
        self._error: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="fork-box"):
            yield Static(id="fork-title")
            yield Static("Choose the last turn to keep: the new session holds it and every "
                         "turn before it. The source session is not changed.",
                         id="fork-help")
            yield OptionList(id="fork-turns")
            yield Static(id="fork-summary")
            with Horizontal(id="fork-name-row"):
                yield Static("Name", id="fork-name-label")
                yield Input(placeholder="optional: a name for `codex resume NAME`",
                            id="fork-name")
            with Horizontal(id="fork-buttons"):
                yield Static("↑↓ turn  Enter fork  Tab name  Esc cancel", id="fork-keys")
                yield Button("Fork", variant="primary", id="fork-confirm")
                yield Button("Cancel", id="fork-cancel")

    def on_mount(self) -> None:
        self.query_one("#fork-turns", OptionList).focus()
        if self.thread is not None:
            self._show(self.thread)
        else:
            self.query_one("#fork-title", Static).update(Text("Reading the session…",
                                                               style="italic"))
            self.query_one("#fork-confirm", Button).disabled = True
            self._load()

    @work(thread=True, exclusive=True, group="fork-load", exit_on_error=False)
    def _load(self) -> None:
        try:
            thread = self.store.read_thread(self.thread_id)
        except StoreError as exc:
            self.post_message(self.Loaded(None, str(exc)))
            return
        self.post_message(self.Loaded(thread, None))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.thread is None:
            self._fail(message.error or "cannot read the session")
            return
        self.thread = message.thread
        self._show(message.thread)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self._fail(f"{type(error).__name__}: {error}")

    def _fail(self, error: str) -> None:
        self._error = error
        self.query_one("#fork-title", Static).update(
            Text(f"Cannot fork {self.thread_id}: {error}", style="red"))
        self.query_one("#fork-confirm", Button).disabled = True

    def _show(self, thread: Thread) -> None:
        title = one_line(thread.summary.title or "") or "(no message yet)"
        head = Text("Fork ", style="bold")
        head.append(f"“{title[:PROMPT_WIDTH]}”", style="bold")
        head.append(f"  {thread.summary.id}", style="dim")
        self.query_one("#fork-title", Static).update(head)
        name = self.query_one("#fork-name", Input)
        if thread.summary.name:
            name.value = thread.summary.name  # Codex's forks inherit the name
        turns = thread.turns
        options = self.query_one("#fork-turns", OptionList)
        if not turns:
            self._fail("it has no turns")
            return
        cut = self._initial if self._initial is not None else len(turns)
        self._cut = max(1, min(cut, len(turns)))
        options.add_options([Option(turn_row(t, t.index <= self._cut, t.index == self._cut))
                             for t in turns])
        options.highlighted = self._cut - 1
        self.query_one("#fork-confirm", Button).disabled = False
        self._update_summary()

    @on(OptionList.OptionHighlighted, "#fork-turns")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.thread is None or event.option_index is None:
            return
        old, new = self._cut, event.option_index + 1
        if old == new:
            return
        self._cut = new
        options = self.query_one("#fork-turns", OptionList)
        low, high = sorted((old or new, new))
        for t in self.thread.turns[low - 1: high]:
            options.replace_option_prompt_at_index(
                t.index - 1, turn_row(t, t.index <= new, t.index == new))
        self._update_summary()

    def _update_summary(self) -> None:
        if self.thread is None or self._cut is None:
            return
        total = len(self.thread.turns)
        text = Text()
        kept = "turn 1" if self._cut == 1 else f"turns 1–{self._cut}"
        text.append(f"Keeps {kept} of {total}", style="bold")
        left = total - self._cut
        if left == 1:
            text.append(f"; turn {total} is left out")
        elif left > 1:
            text.append(f"; turns {self._cut + 1}–{total} are left out")
        text.append(".")
        self.query_one("#fork-summary", Static).update(text)

    @property
    def cut(self) -> int | None:
        """The last kept turn (1-based), once the turns are shown."""
        return self._cut

    def request(self) -> ForkRequest | None:
        if self.thread is None or self._cut is None or self._error:
            return None
        name = self.query_one("#fork-name", Input).value.strip()
        return ForkRequest(self.thread.summary.id, self._cut, name)

    @on(OptionList.OptionSelected, "#fork-turns")
    @on(Input.Submitted, "#fork-name")
    def action_confirm(self) -> None:
        request = self.request()
        if request is not None:
            self.dismiss(request)

    @on(Button.Pressed, "#fork-confirm")
    def _confirm_pressed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#fork-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ForkDone(ModalScreen[str | None]):
    """After the fork: "resume", "open" (its transcript), or None (back)."""

    CSS_PATH = "fork.tcss"
    BINDINGS = [
        Binding("escape", "choose('')", "Back"),
        Binding("c", "choose('resume')", "Resume"),
        Binding("t", "choose('open')", "Transcript"),
    ]

    def __init__(self, fork: ThreadSummary, request: ForkRequest, source_title: str,
                 via: str | None = None) -> None:
        super().__init__()
        self.fork = fork
        self.request = request
        self.source_title = source_title
        self.via = via  # which way it was written: through Codex, or to the files (why)

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("Forked. ", style="bold green")
        kept = "turn 1" if self.request.keep_turns == 1 else \
            f"turns 1–{self.request.keep_turns}"
        text.append(f"The new session keeps {kept} of “{self.source_title[:PROMPT_WIDTH]}”.\n")
        text.append("id    ", style="dim")
        text.append(self.fork.id, style="bold")
        if self.fork.name:
            text.append("\nname  ", style="dim")
            text.append(self.fork.name)
        text.append("\nfile  ", style="dim")
        text.append(self.fork.path)
        if self.via:
            text.append("\nvia   ", style="dim")
            text.append(self.via)
        with Vertical(id="fork-done-box"):
            yield Static(text, id="fork-done-message")
            with Horizontal(id="fork-done-buttons"):
                yield Static("c resume  t transcript  Esc back", id="fork-done-keys")
                yield Button("Resume now", variant="primary", id="fork-done-resume")
                yield Button("Open transcript", id="fork-done-open")
                yield Button("Back", id="fork-done-back")

    def on_mount(self) -> None:
        self.query_one("#fork-done-resume", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        choice = {"fork-done-resume": "resume", "fork-done-open": "open"}.get(
            event.button.id or "")
        self.dismiss(choice)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice or None)
