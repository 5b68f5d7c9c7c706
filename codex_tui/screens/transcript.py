"""One session's transcript: turns, messages, tool calls, patches, reasoning, problems.

A worker reads the start of the thread through the ThreadStore first (so that the first
screen comes at once, even for a 30 MB rollout), then the whole of it; the view keeps its
place when the full thread replaces the partial one.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from .. import gcpause, timefmt
from ..flows import manage as manage_flow
from ..flows.manage import MANAGE_BINDINGS, ManageActions, SessionChanged
from ..flows.resume import request_resume
from ..render import build_blocks
from ..render.blocks import head_blocks, turn_blocks
from ..store import StoreError, Thread, ThreadStore, ThreadSummary, Turn
from ..store.live import LiveThread
from ..store.reader import read_is_whole
from ..textutil import one_line
from ..widgets.key_bar import KeyBar
from ..widgets.transcript_view import TranscriptView
from .app_ref import codex_app

PARTIAL_BYTES = 512 * 1024  # read first: enough for a screenful of any session
FIRST_PAINT_WAIT = 0.5  # seconds the loader waits for the first screen to be drawn
FOLLOW_SECONDS = 0.1  # how often the follower looks for appended lines (one stat)
QUIET_FOLLOW_SECONDS = 0.2  # ... once nothing was written for ACTIVE_SECONDS
ACTIVE_SECONDS = 10.0
# The follow worker runs as long as the screen: a group of its own, which tests and
# benchmarks waiting for the loading workers leave out (see tests/conftest.settle).
FOLLOW_GROUP = "live-transcript"


class TranscriptScreen(ManageActions, Screen):
    CSS_PATH = "transcript.tcss"

    BINDINGS = [
        # Pairs show as one entry in the key bar ("[ ]", "n N"): it has to fit 120 columns.
        Binding("right_square_bracket", "turn(1)", "Turn", key_display="[ ]"),
        Binding("left_square_bracket", "turn(-1)", "Previous turn", show=False),
        Binding("slash", "find", "Find", key_display="/"),
        Binding("n", "find_next(1)", "Match", key_display="n N"),
        Binding("N", "find_next(-1)", "Previous match", show=False),
        Binding("o", "toggle_output", "Output"),
        Binding("r", "toggle_reasoning", "Reasoning"),
        Binding("y", "copy_id", "Copy id"),
        Binding("c", "resume", "Resume"),
        Binding("f", "fork", "Fork"),
        *MANAGE_BINDINGS,
        Binding("escape", "escape", "Back"),
        Binding("q", "back", "Back", show=False),
    ]

    class ThreadLoaded(Message):
        def __init__(self, thread: Thread, complete: bool) -> None:
            super().__init__()
            self.thread = thread
            self.complete = complete

    class ThreadGrew(Message):
        """The followed session changed (records appended, or it stopped or started being
        written). A newer one replaces one still queued: each carries the whole thread."""

        def __init__(self, thread: Thread, live: bool) -> None:
            super().__init__()
            self.thread = thread
            self.live = live
            self.read_at = time.perf_counter()

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, TranscriptScreen.ThreadGrew)

    class _Following(Message):
        def __init__(self, live: LiveThread) -> None:
            super().__init__()
            self.live = live

    def __init__(self, store: ThreadStore, thread_id: str, *,
                 now: Callable[[], datetime] | None = None, turn: int | None = None,
                 follow: bool = True) -> None:
        super().__init__()
        self.store = store
        self.thread_id = thread_id
        self.start_turn = turn  # open scrolled to this turn (Turn.index), once it is read
        self._now = now
        self.thread: Thread | None = None
        self._loading = True
        self._error: str | None = None
        self._turn: int | None = None
        self._find: TranscriptView.FindChanged | None = None
        # When the first (partial) thread was drawn, for benchmarks.
        self.first_shown_at: float | None = None
        self._first_paint = threading.Event()
        self.live = False  # the session is being written (LIVE badge)
        self.follow = follow  # watch for appended records once loaded
        self._live_thread: LiveThread | None = None
        self.grew_at: float | None = None  # when the last ThreadGrew was read (benchmarks)

    @property
    def busy(self) -> bool:
        """True until the whole thread has been read. (Not `loading`: that is Textual's
        Widget.loading, which covers a widget with a loading indicator.)"""
        return self._loading

    def now(self) -> datetime:
        return self._now() if self._now else datetime.now().astimezone()

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="tv-title")
        yield Static(id="tv-meta")
        yield TranscriptView(id="tv-view")
        yield Static(id="tv-empty")
        with Horizontal(id="tv-findbar"):
            yield Static("Find:", id="tv-find-label")
            yield Input(placeholder="text in the transcript (Enter: next match, Esc: close)",
                        id="tv-find")
        yield Static(id="tv-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(TranscriptView).focus()
        self._update_chrome()
        self.load_thread()

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    # -- loading (worker -> messages) ------------------------------------------------------

    @work(thread=True, exclusive=True, group="transcript-load", exit_on_error=False)
    def load_thread(self) -> None:
        worker = get_current_worker()
        first = self.store.read_thread(self.thread_id, max_bytes=PARTIAL_BYTES)
        complete = read_is_whole(first, PARTIAL_BYTES)
        self.post_message(self.ThreadLoaded(first, complete))
        if worker.is_cancelled or (complete and not self.follow):
            return
        # Let the first screen be drawn before this thread takes the GIL for the rest.
        self._first_paint.wait(timeout=FIRST_PAINT_WAIT)
        if not self.follow:
            thread = self.store.read_thread(self.thread_id)
            if not worker.is_cancelled:
                self.post_message(self.ThreadLoaded(thread, True))
            return
        # The whole thread, and a follower just past its complete lines.
        live = self.store.read_live(self.thread_id, known=first if complete else None)
        if worker.is_cancelled:
            return
        if complete:
            # Read twice (a small file): only what changed in between is redrawn.
            self.post_message(self.ThreadGrew(live.thread, live.live))
        else:
            self.post_message(self.ThreadLoaded(live.thread, True))
        self.post_message(self._Following(live))

    @on(ThreadLoaded)
    def _on_loaded(self, message: ThreadLoaded) -> None:
        first = self.thread is None
        self.thread = message.thread
        # A partial read's problems are about where it stopped: wait for the whole thread.
        blocks = build_blocks(message.thread, show_problems=message.complete)
        view = self.view
        at_bottom = not first and view.at_bottom and self.live
        view.set_blocks(blocks, keep_position=not first)
        opened_live = first and self.follow and _recent(message.thread)
        if opened_live:
            self.live = True
        if self.start_turn is not None:  # opened at a turn (from the history search)
            self._go_to_start_turn(self.start_turn, message.complete)
        elif opened_live:
            # Opened while Codex writes it: start at the bottom, as `tail -f` does.
            view.action_bottom()
            self.call_after_refresh(view.action_bottom)  # once the view has its size
        elif at_bottom:
            view.action_bottom()
        self._loading = not message.complete
        if message.complete:
            gcpause.resume()
        self._update_chrome()
        if first:
            self.refresh_bindings()  # archive or unarchive, now that the thread is known

    def _go_to_start_turn(self, turn: int, complete: bool) -> None:
        # A partial read may stop before the turn: then the whole thread will bring it.
        if self.view.show_turn(turn):
            self.start_turn = None
        elif complete:
            self.notify(f"Turn {turn} is not in this session", timeout=3)
            self.start_turn = None

    # -- following (a worker as long as the screen) -----------------------------------------

    @on(_Following)
    def _start_following(self, message: _Following) -> None:
        self._live_thread = message.live
        # (ignore: Textual's WorkType union makes mypy infer no result type for an async
        # callable, which matches both its coroutine-function and plain-callable arms)
        self.run_worker(partial(self._follow, message.live),  # type: ignore[arg-type]
                        exclusive=True,
                        group=FOLLOW_GROUP, description="follow the session",
                        exit_on_error=False)

    async def _follow(self, live: LiveThread) -> None:
        """An async worker: it sleeps on the event loop, looks with one stat, and reads in a
        pool thread (a thread worker would hold one of the few executor threads for as long
        as the screen lives, and a few stacked screens would starve every other worker)."""
        active_until = 0.0
        while True:
            # One stat here; the reading and the turn building, when there is something to
            # read, in a thread.
            if live.stale():
                active_until = time.monotonic() + ACTIVE_SECONDS
                thread = await asyncio.to_thread(live.poll)
                if thread is not None:
                    self.post_message(self.ThreadGrew(thread, live.live))
            quiet = time.monotonic() > active_until
            await _sleep_to_tick(QUIET_FOLLOW_SECONDS if quiet else FOLLOW_SECONDS)

    @on(ThreadGrew)
    def _on_grew(self, message: ThreadGrew) -> None:
        self.grew_at = message.read_at
        old, new = self.thread, message.thread
        self.live = message.live
        self.thread = new
        view = self.view
        if old is None or self._loading:
            view.set_blocks(build_blocks(new, show_problems=not self._loading),
                            keep_position=old is not None)
        else:
            start = _first_changed_turn(old.turns, new.turns)
            if head_blocks(old) != head_blocks(new):
                at_bottom = view.at_bottom
                view.set_blocks(build_blocks(new), keep_position=True)
                if at_bottom:
                    view.action_bottom()
            elif start < max(len(old.turns), len(new.turns)):
                blocks = view.blocks
                index = len(blocks)
                while index > 0 and blocks[index - 1].turn >= start:
                    index -= 1
                view.replace_from(index, turn_blocks(new, start))
        self._update_chrome()

    @on(TranscriptView.BlocksPainted)
    def _shown(self) -> None:
        # From the frame that drew the blocks: call_after_refresh can run a frame early.
        self.first_shown_at = time.perf_counter()
        self._first_paint.set()

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if event.worker.group == FOLLOW_GROUP:
            self.live = False
            self.notify(f"Stopped following the session: {type(error).__name__}: {error}",
                        severity="warning", timeout=10)
            self._update_chrome()
            return
        if event.worker.group != "transcript-load":
            # The view's measuring or counting: say so rather than show stale numbers.
            self.notify(f"{event.worker.description} failed: {type(error).__name__}: {error}",
                        severity="error", timeout=10)
            return
        self._loading = False
        gcpause.resume()
        self._error = str(error) if isinstance(error, StoreError) else \
            f"{type(error).__name__}: {error}"
        self.notify(f"Could not read the session: {self._error}", severity="error",
                    timeout=10)
        self._update_chrome()

    # -- chrome ------------------------------------------------------------------------------

    def _update_chrome(self) -> None:
        self.query_one("#tv-title", Static).update(self._title())
        self.query_one("#tv-meta", Static).update(self._meta())
        self.query_one("#tv-status", Static).update(self._status())
        empty = self.thread is None or (not self.thread.turns and not self.thread.problems)
        self.set_class(empty, "-empty")
        if empty:
            if self._error:
                text = Text(f"Could not read session {self.thread_id}:\n{self._error}",
                            style="red")
            elif self.thread is None:
                text = Text("Reading the session…", style="italic")
            else:
                text = Text("This session has no turns yet.", style="italic")
            self.query_one("#tv-empty", Static).update(text)

    def _title(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        summary = self.thread.summary if self.thread else None
        title = one_line(summary.title) if summary and summary.title else "(no message yet)"
        if summary is None:
            title = "Session"
        right = Text()
        if self.live:
            right.append("  ")
            right.append(" ● LIVE ", style="bold reverse green")
        right.append(f"  {self.thread_id}", style="dim")
        width = max(10, self.size.width - 2 - right.cell_len)
        head = Text(title, style="bold")
        head.truncate(width, overflow="ellipsis")
        text.append_text(head)
        text.append(" " * max(0, width - head.cell_len))
        text.append_text(right)
        return text

    def _meta(self) -> Text:
        """Where and how the session ran, on one line: on a narrow terminal the less useful
        facts give way (the directory and the turn count stay)."""
        if self.thread is None:
            return Text()
        s = self.thread.summary
        turns = len(self.thread.turns)
        more = "+" if self._loading else ""
        # (importance: lower stays longer, text, style), in display order.
        bits: list[tuple[int, str, str]] = [
            (0, one_line(s.cwd) if s.cwd else "(directory not recorded)", "bold")]
        if s.git_branch:
            bits.append((8, f"branch {one_line(s.git_branch)}", ""))
        if s.model:
            bits.append((4, one_line(s.model), ""))
        if s.cli_version:
            bits.append((7, f"codex {one_line(s.cli_version)}", ""))
        bits.append((1, f"{turns}{more} turn{'s' if turns != 1 or more else ''}", ""))
        tokens = self.thread.tokens
        if tokens is not None and not self._loading:
            bits.append((5, f"{timefmt.tokens(tokens.total)} tokens", ""))
        if s.created_at:
            bits.append((6, f"{s.created_at.astimezone():%Y-%m-%d %H:%M} "
                            f"({timefmt.relative(s.created_at, self.now())})", ""))
        if s.archived:
            bits.append((3, "archived", "yellow"))
        if self.thread.problems and not self._loading:
            n = len(self.thread.problems)
            bits.append((2, f"⚠ {n} problem{'s' if n != 1 else ''}", "yellow"))
        width = max(10, self.size.width - 2)
        while True:
            text = Text(no_wrap=True, overflow="ellipsis")
            for i, (_, value, style) in enumerate(bits):
                if i:
                    text.append(" · ", style="dim")
                text.append(value, style=style)
            if text.cell_len <= width or len(bits) == 1:
                break
            bits.remove(max(bits, key=lambda bit: bit[0]))
        text.truncate(width, overflow="ellipsis")
        return text

    def _status(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.thread is not None and self.thread.turns:
            total = len(self.thread.turns)
            more = "+" if self._loading else ""
            if self._turn is None or not 0 <= self._turn < total:  # (a reload can shrink it)
                text.append(f"{total}{more} turns", style="bold")
            else:
                turn = self.thread.turns[self._turn]
                text.append(f"Turn {turn.index} of {total}{more}", style="bold")
                if turn.inherited:
                    text.append(" (inherited)", style="dim")
        find = self._find
        if find is not None and find.query:
            text.append("   find ")
            text.append(one_line(find.query), style="bold")
            if find.total is None:
                text.append(": counting…", style="italic")
            elif find.total == 0:
                text.append(": no matches", style="yellow")
            elif find.current is None:
                text.append(f": {find.total:,} match{'es' if find.total != 1 else ''}")
            else:
                text.append(f": {find.current:,} of {find.total:,}")
        flags = []
        view = self.view
        if view.show_output:
            flags.append("output shown")
        if view.show_reasoning:
            flags.append("reasoning shown")
        if flags:
            text.append("   " + ", ".join(flags), style="dim")
        if self._loading and self._error is None:
            text.append("   loading…", style="italic")
        return text

    @on(TranscriptView.CurrentTurnChanged)
    def _on_turn(self, event: TranscriptView.CurrentTurnChanged) -> None:
        self._turn = event.turn
        self.query_one("#tv-status", Static).update(self._status())

    @on(TranscriptView.FindChanged)
    def _on_find(self, event: TranscriptView.FindChanged) -> None:
        self._find = event
        if event.wrapped:
            self.notify("Find wrapped around", timeout=2)
        self.query_one("#tv-status", Static).update(self._status())

    def on_resize(self) -> None:
        self.query_one("#tv-title", Static).update(self._title())
        self.query_one("#tv-meta", Static).update(self._meta())

    # -- find --------------------------------------------------------------------------------

    @property
    def finding(self) -> bool:
        return self.has_class("-finding")

    def action_find(self) -> None:
        self.add_class("-finding")
        self.query_one("#tv-find", Input).focus()

    @on(Input.Changed, "#tv-find")
    def _on_find_changed(self, event: Input.Changed) -> None:
        self.view.set_query(event.value)
        self._find = TranscriptView.FindChanged(event.value, None, None)
        self.query_one("#tv-status", Static).update(self._status())

    @on(Input.Submitted, "#tv-find")
    def _on_find_submitted(self) -> None:
        view = self.view
        view.focus()
        if view.find_query and not view.find_next(1):
            self.notify(f"No match for “{one_line(view.find_query)}”", timeout=3)

    def close_find(self) -> None:
        self.remove_class("-finding")
        self.query_one("#tv-find", Input).value = ""
        self.view.set_query("")
        self._find = None
        self.view.focus()
        self.query_one("#tv-status", Static).update(self._status())

    def action_find_next(self, direction: int) -> None:
        view = self.view
        if not view.find_query:
            self.action_find()
            return
        if not view.find_next(direction):
            self.notify(f"No match for “{one_line(view.find_query)}”", timeout=3)

    # -- actions ---------------------------------------------------------------------------

    def action_turn(self, direction: int) -> None:
        if not self.view.next_turn(direction):
            self.notify("No later turn" if direction > 0 else "No earlier turn", timeout=2)

    def action_toggle_output(self) -> None:
        self.view.show_output = not self.view.show_output
        self.query_one("#tv-status", Static).update(self._status())

    def action_toggle_reasoning(self) -> None:
        self.view.show_reasoning = not self.view.show_reasoning
        self.query_one("#tv-status", Static).update(self._status())

    def action_copy_id(self) -> None:
        self.app.copy_to_clipboard(self.thread_id)
        self.notify(f"Copied the session id {self.thread_id}", timeout=3)

    def action_resume(self) -> None:
        try:
            summary = self.thread.summary if self.thread else self.store.summary(self.thread_id)
        except StoreError as exc:
            self.notify(str(exc), severity="error")
            return
        request_resume(self, self.store, summary)

    def action_fork(self) -> None:
        turn = self.view.current_turn
        if self.thread is None or turn is None:
            self.notify("Move to a turn first: the fork keeps the turns up to it", timeout=3)
            return
        codex_app(self).open_fork(self.thread_id, self.thread.turns[turn].index)

    # -- manage (archive, unarchive, rename, delete, export) ---------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("archive", "unarchive"):
            return manage_flow.check(action, self.thread.summary if self.thread else None)
        return True

    def manage_target(self) -> ThreadSummary | None:
        if self.thread is None:
            self.notify("The session is still being read", timeout=3)
            return None
        return self.thread.summary

    @on(SessionChanged)
    def _on_session_changed(self, message: SessionChanged) -> None:
        if message.thread_id != self.thread_id or self.thread is None:
            return
        if message.summary is None:  # deleted: nothing left to show
            self.action_back()
            return
        self.thread.summary = message.summary
        if self._live_thread is not None:
            self._live_thread.use_summary(message.summary)
        self._update_chrome()
        self.refresh_bindings()

    def action_escape(self) -> None:
        if self.finding:
            self.close_find()
        else:
            self.action_back()

    def action_back(self) -> None:
        codex_app(self).leave_screen(self)

    def commands(self) -> list[tuple[str, str, object]]:
        """Every action, for the command palette: (title, help, callback)."""
        view = self.view
        return [
            ("Find in transcript", "Search the text of every block", self.action_find),
            ("Next match", "Jump to the next find match", lambda: self.action_find_next(1)),
            ("Previous match", "Jump to the previous find match",
             lambda: self.action_find_next(-1)),
            ("Next turn", "Jump to the next turn", lambda: self.action_turn(1)),
            ("Previous turn", "Jump to the previous turn", lambda: self.action_turn(-1)),
            ("Go to the start", "Scroll to the first turn", view.action_top),
            ("Go to the end", "Scroll to the last turn", view.action_bottom),
            ("Toggle tool output", "Expand or fold every tool output and long patch",
             self.action_toggle_output),
            ("Toggle reasoning", "Expand or fold every reasoning summary",
             self.action_toggle_reasoning),
            ("Expand or fold the block at the cursor", "Tool output, reasoning, raw record",
             view.action_toggle_block),
            ("Copy session id", "Copy the id to the clipboard", self.action_copy_id),
            ("Resume session", "Run codex resume on this session", self.action_resume),
            ("Fork at this turn", "Start a new session from the turns up to the cursor",
             self.action_fork),
            *manage_flow.manage_commands(
                self.action_archive, self.action_unarchive, self.action_rename,
                self.action_delete, self.action_export, "this session",
                self.thread.summary.archived if self.thread else None),
            ("Back", "Leave the transcript", self.action_back),
        ]


async def _sleep_to_tick(interval: float) -> None:
    """Sleep to the next multiple of `interval` on the loop's clock: every follower (one per
    open transcript) then wakes in the same loop iteration, not each on its own."""
    now = asyncio.get_running_loop().time()
    await asyncio.sleep(interval - now % interval + 0.001)


def _first_changed_turn(old: list[Turn], new: list[Turn]) -> int:
    """Where two snapshots of a followed thread start to differ: a follower keeps the turns
    that did not change as the same objects (after a reload, equal ones)."""
    i = 0
    for a, b in zip(old, new, strict=False):
        if a is not b and a != b:
            break
        i += 1
    return i


def _recent(thread: Thread) -> bool:
    """Written in the last minute (by the real clock: the file's mtime is real)."""
    return thread.summary.live(datetime.now(UTC))
