"""The Textual app: theme, command palette, and the first screen. Screens do the work."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from textual.app import App, SystemCommand
from textual.screen import Screen

from .resume import ResumeRequest
from .screens.picker import PickerFilters, PickerScreen
from .store import ThreadStore


class CodexTuiApp(App[ResumeRequest | None]):
    # Absolute, so that subclasses defined elsewhere (tests, benchmarks) still find it.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "codex-tui"

    def __init__(self, store: ThreadStore, *, cwd: str | None,
                 filters: PickerFilters | None = None,
                 now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.store = store
        self.start_cwd = cwd
        self.filters = filters or PickerFilters()
        self.now = now

    def on_mount(self) -> None:
        self.push_screen(PickerScreen(self.store, cwd=self.start_cwd, filters=self.filters,
                                      now=self.now))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, PickerScreen):
            for title, help_text, callback in screen.commands():
                yield SystemCommand(title, help_text, callback)
