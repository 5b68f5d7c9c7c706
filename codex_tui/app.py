"""The Textual app: theme, command palette, and the first screen. Screens do the work."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from rich.console import RenderableType
from textual.app import App, SystemCommand
from textual.screen import Screen

from . import gcpause
from .resume import ResumeRequest
from .screens.picker import PickerScreen
from .store import ThreadStore
from .store.query import ListFilters

GC_BACKSTOP_SECONDS = 15.0


class CodexTuiApp(App[ResumeRequest | None]):
    # Absolute, so that subclasses defined elsewhere (tests, benchmarks) still find them.
    # Screens' sheets are loaded here too: a screen bringing its own sheet makes Textual
    # parse every stylesheet again (about 10 ms) when it is first shown.
    CSS_PATH = [Path(__file__).with_name("app.tcss"),
                Path(__file__).parent / "screens" / "picker.tcss"]
    TITLE = "codex-tui"

    def __init__(self, store: ThreadStore, *, cwd: str | None,
                 filters: ListFilters | None = None,
                 now: Callable[[], datetime] | None = None,
                 transcript: str | None = None, resume_mode: bool = False,
                 history: bool = False) -> None:
        gcpause.pause()  # until the first screen has loaded; see gcpause
        super().__init__()
        self.store = store
        self.start_cwd = cwd
        self.filters = filters or ListFilters()
        self.now = now
        self.start_transcript = transcript  # a thread id: open its transcript, not the picker
        self.resume_mode = resume_mode  # `codex-tui resume`: Enter in the picker resumes
        self.start_history = history  # `codex-tui history`: open the history search

    def get_default_screen(self) -> Screen:
        # The picker is the bottom of the stack itself, not pushed over Textual's empty
        # default screen: styling and switching screens costs its start-up about 8 ms. (The
        # other first screens are pushed: a default screen's own CSS_PATH is not loaded.)
        if self.start_transcript or self.start_history:
            return super().get_default_screen()
        return PickerScreen(self.store, cwd=self.start_cwd, filters=self.filters,
                            now=self.now, resume_mode=self.resume_mode)

    def on_mount(self) -> None:
        # Screens resume collection when their loading ends; this is the backstop.
        self.set_timer(GC_BACKSTOP_SECONDS, gcpause.resume)
        if self.start_transcript:
            from .screens.transcript import TranscriptScreen

            self.push_screen(TranscriptScreen(self.store, self.start_transcript, now=self.now))
        elif self.start_history:
            from .screens.history_search import HistorySearchScreen

            self.push_screen(HistorySearchScreen(self.store, cwd=self.start_cwd, now=self.now))

    def leave_screen(self, screen: Screen) -> None:
        """Back from `screen` to the screen below it, or out of the app when there is none
        (`show ID` and `history` start on screens pushed over Textual's empty one)."""
        stack = self.screen_stack
        below = stack[-2] if len(stack) > 1 and stack[-1] is screen else None
        if below is None or type(below) is Screen:
            self.exit(None)
        else:
            self.pop_screen()

    def exit(self, result: ResumeRequest | None = None, return_code: int = 0,
             message: RenderableType | None = None) -> None:
        # A worker waiting on a host that hangs would hold the exit up until its request
        # timed out: stop what the store started (its app-server or ssh), off this loop.
        threading.Thread(target=self.store.close, daemon=True, name="close store").start()
        super().exit(result, return_code, message)

    def on_unmount(self) -> None:
        gcpause.resume()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Storage: where the home's space goes",
                            "Sizes per project, month and source; the largest sessions",
                            self.open_storage)
        commands = getattr(screen, "commands", None)  # each screen lists its own actions
        if callable(commands):
            for title, help_text, callback in commands():
                yield SystemCommand(title, help_text, callback)

    def open_storage(self) -> None:
        """The Storage screen: where the home's space goes."""
        from .screens.storage import StorageScreen

        self.push_screen(StorageScreen(self.store, now=self.now))

    def show_project(self, cwd: str) -> None:
        """The picker on one directory's sessions, every source shown (so that its rows add
        up to what the Storage screen counted): the picker below, or a new one."""
        pickers = [s for s in self.screen_stack if isinstance(s, PickerScreen)]
        if not pickers:
            self.push_screen(PickerScreen(self.store, cwd=cwd, filters=ListFilters(
                all_sources=True), now=self.now))
            return
        while self.screen is not pickers[-1]:
            self.pop_screen()
        pickers[-1].show_directory(cwd, all_sources=True)

    def open_fork(self, thread_id: str, turn: int | None) -> None:
        """The fork dialog on `thread_id`, its cut at `turn` (None: the last turn); then the
        fork is written and the new session offered to resume or read."""
        from .flows.fork import start_fork

        start_fork(self, self.store, thread_id, turn, now=self.now)
