"""The session picker: the first screen, and a drop-in `codex resume` picker.

Data flows one way: a worker lists sessions through the ThreadStore and posts them here in
batches; the store's SortedRows merges each batch into the filtered, sorted rows (in time
proportional to the batch) and this screen hands them down to the SessionList.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input
from textual.worker import Worker, WorkerState, get_current_worker

from .. import gcpause
from ..flows import manage as manage_flow
from ..flows.manage import MANAGE_BINDINGS, ManageActions, SessionChanged
from ..flows.resume import request_resume
from ..store import StoreError, ThreadStore, ThreadSummary
from ..store.query import ListFilters
from ..store.rows import SortedBatch, SortedRows, sort_batch
from ..store.search import SearchRun, SummarySearch
from ..textutil import one_line
from ..widgets.list_header import Filter
from ..widgets.preview import PreviewPane
from ..widgets.session_list import SessionList
from .app_ref import codex_app
from .list_screen import ListScreen
from .picker_marks import MARK_BINDINGS, MarkActions

if TYPE_CHECKING:
    from ..store.items import Thread

PREVIEW_BYTES = 256 * 1024
PREVIEW_DELAY = 0.2
FIRST_PAINT_WAIT = 0.5  # seconds the loader waits for the first rows to be painted
BATCH_SECONDS = 0.1
FIRST_BATCH_SECONDS = 0.02
WATCH_SECONDS = 1.0  # how often the watcher looks for new and growing sessions
SEARCH_SLICE_SECONDS = 0.008  # a search's work between two looks for keys typed meanwhile
INDEX_DELAY = 0.25  # seconds after a listing ends that the search index is built
CLOCK_SECONDS = 10.0  # how often relative times and live markers are redrawn
# The watcher runs as long as the screen: a group of its own, which tests and benchmarks
# waiting for the loading workers leave out (see tests/support/apps.settle).
WATCH_GROUP = "live-picker"




class PickerScreen(MarkActions, ManageActions, ListScreen[SessionList]):
    CSS_PATH = "picker.tcss"
    ID_PREFIX = "picker"

    BINDINGS = [
        # Priority: run as the key arrives, so the keys behind it in the same terminal read
        # ("/re") go to the search box, not to the list's bindings.
        Binding("slash", "focus_search", "Search", priority=True),
        Binding("a", "toggle_all", "All dirs"),
        Binding("r", "toggle_archived", "Archived"),
        Binding("s", "toggle_sort", "Sort"),
        Binding("i", "toggle_sources", "Sub-agents"),
        Binding("m", "toggle_home", "Home"),
        Binding("p", "toggle_preview", "Preview"),
        # Enter opens the transcript, or resumes when started as `codex-tui resume`
        # (check_action keeps the one that applies).
        Binding("enter", "open_selected", "Open"),
        Binding("enter", "resume_selected", "Resume"),
        Binding("t", "transcript", "Transcript"),
        Binding("c", "resume_key", "Resume"),
        Binding("h", "history", "History"),
        Binding("D", "storage", "Storage", show=False),  # (and the palette)
        Binding("u", "usage", "Usage", show=False),  # (in the palette; the bar is full)
        *MANAGE_BINDINGS,
        *MARK_BINDINGS,
        Binding("f", "fork", "Fork"),
        Binding("escape", "escape", "Clear / quit"),
        Binding("q", "quit", "Quit"),
    ]

    class SummariesLoaded(Message):
        def __init__(self, summaries: list[ThreadSummary], replace: bool, done: bool,
                     failures: list[tuple[str, str]] | None = None,
                     ready: SortedBatch | None = None) -> None:
            super().__init__()
            self.summaries = summaries
            self.replace = replace
            self.done = done
            self.failures = failures  # (home, why) of the homes that could not be listed
            self.ready = ready  # the summaries sorted already, by the worker

    class SessionsChanged(Message):
        """The watcher saw sessions appear, grow, get renamed or go."""

        def __init__(self, summaries: list[ThreadSummary], removed: list[str]) -> None:
            super().__init__()
            self.summaries = summaries
            self.removed = removed

    class PreviewLoaded(Message):
        def __init__(self, thread_id: str, thread: Thread | None) -> None:
            super().__init__()
            self.thread_id = thread_id
            self.thread = thread

    def __init__(self, store: ThreadStore, *, cwd: str | None, filters: ListFilters,
                 now: Callable[[], datetime] | None = None, resume_mode: bool = False) -> None:
        super().__init__(store, cwd=cwd, now=now)
        self.filters = filters
        # Every summary, and those the filters show in their order, kept by the store's rules.
        self._rows = SortedRows(filters.query(cwd))
        self._search = SummarySearch()
        self._loading = True
        self._preview_for: str | None = None
        self.resume_mode = resume_mode  # Enter resumes (`codex-tui resume`), else opens
        # Timings read by benchmarks/: when rows first reached the screen, last filter cost.
        self.first_rows_at: float | None = None
        self.first_rows_painted_at: float | None = None
        self.last_filter_seconds = 0.0
        self.search_done_at: float | None = None  # when the last search found its last row
        self._search_run: SearchRun | None = None  # a search still going on, if any
        self._first_paint = threading.Event()
        self._watching = False
        self._screenful = 48  # rows a first page reads (the screen's height and some)

    @property
    def _summaries(self) -> dict[str, ThreadSummary]:
        """Every session listed so far, by id (read only: changes go through `_rows`)."""
        return self._rows.by_id

    @property
    def busy(self) -> bool:
        """True until every session has been listed and read. (Not `loading`: that is
        Textual's Widget.loading, a loading indicator's switch.)"""
        return self._loading

    # -- layout ----------------------------------------------------------------------------

    def make_list(self, *, id: str) -> SessionList:
        return SessionList(id=id)

    def make_preview(self, *, id: str) -> PreviewPane:
        return PreviewPane(id=id)

    def placeholder(self) -> str:
        return "Type / to search title, name, directory, branch, id"

    def mounted(self) -> None:
        # A first screen of rows, read here so that it is in the first frame: the cache's
        # newest rows for this directory, or (cold) a few dozen heads, within a budget.
        self._screenful = self.app.size.height + 8
        first = self.store.first_page(None if self.filters.all_dirs else self.cwd,
                                      limit=self._screenful, keep=self._rows.query.matcher())
        if first:
            self._rows.replace(first)
            self.refilter()
        else:
            self.update_chrome()
        self.load_sessions(wait_for_paint=bool(first), first=len(first))
        self.set_interval(CLOCK_SECONDS, self._tick)

    # -- loading (worker -> messages) ------------------------------------------------------

    @work(thread=True, exclusive=True, group="listing", exit_on_error=False)
    def load_sessions(self, wait_for_paint: bool = False, first: int | None = None) -> None:
        from ..store.listing import stream_listing  # (after the first frame)

        worker = get_current_worker()
        if wait_for_paint:
            # Let the first rows reach the screen before this thread takes the GIL.
            self._first_paint.wait(timeout=FIRST_PAINT_WAIT)
        # Rows at once from the last run (this directory's first), or with no cache the
        # newest heads for a screenful (when the first frame had less); the scan corrects them.
        cwd = None if self.filters.all_dirs else self.cwd
        fill = None if first is None else (first, self._screenful, self._rows.query.matcher())
        for batch in stream_listing(self.store, cwd, interval=BATCH_SECONDS,
                                    first_interval=FIRST_BATCH_SECONDS,
                                    cancelled=lambda: worker.is_cancelled, fill=fill):
            # A batch the rows will sort in (the scan's whole list, a cache's rows) is
            # filtered and sorted here, by the rows' rules as they are now: the screen only
            # merges it. (Both read here as hints: the screen checks them again.)
            ready = sort_batch(self._rows.query, batch.summaries) \
                if batch.replace or self._rows.sorts_in(len(batch.summaries)) else None
            self.post_message(self.SummariesLoaded(batch.summaries, replace=batch.replace,
                                                   done=batch.done, failures=batch.failures,
                                                   ready=ready))
            if batch.cached and batch.summaries:
                self._first_paint.wait(timeout=FIRST_PAINT_WAIT)

    @on(SummariesLoaded)
    def _on_summaries(self, message: SummariesLoaded) -> None:
        if message.replace:
            self._rows.replace(message.summaries, message.ready)
        else:
            self._rows.update(message.summaries, message.ready)
        if message.failures is not None:
            self.list.set_notices(
                [f"{home}: {one_line(why)}" for home, why in message.failures])
        self._loading = not message.done
        self.refilter()
        if message.done:
            gcpause.resume()
            # The search index of every row, built once the list is drawn (a moment after:
            # not in the frame that says the listing is done), rather than in the first
            # keystroke (~30 ms on 10,000 sessions).
            self.set_timer(INDEX_DELAY, self._prepare_search)
            if not self._watching:
                self._watching = True
                self.watch_sessions()

    def _prepare_search(self, steps: Iterator[int] | None = None) -> None:
        """The search index, a step at a time (keys typed meanwhile are handled between
        steps; the first key finishes it)."""
        if steps is None:
            steps = self._search.preparing(self._rows.rows)
        if next(steps, None) is None:
            gcpause.keep()  # (the index lives as long as the rows)
        else:
            self.call_later(self._prepare_search, steps)

    # -- live: new and growing sessions (a worker as long as the screen) --------------------

    @work(exclusive=True, group=WATCH_GROUP, exit_on_error=False)
    async def watch_sessions(self) -> None:
        # An async worker polling in a pool thread: a thread worker would hold one of the
        # few executor threads for as long as the screen lives.
        watcher = await asyncio.to_thread(self.store.watch)
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            update = await asyncio.to_thread(watcher.poll)
            if update:
                self.post_message(self.SessionsChanged(update.summaries, update.removed))

    @on(SessionsChanged)
    def _on_sessions_changed(self, message: SessionsChanged) -> None:
        self._rows.update(message.summaries)
        self._rows.remove(message.removed)
        self.refilter()
        preview = self.query_one(PreviewPane)
        if self._preview_for in {s.id for s in message.summaries} and preview.display:
            self.load_preview(self._preview_for)  # the highlighted session grew

    def _tick(self) -> None:
        self.list.set_now(self.now())

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == WATCH_GROUP:
            self.notify(f"Stopped watching for new sessions: {event.worker.error}",
                        severity="warning", timeout=10)
            return
        if event.state == WorkerState.ERROR:
            self._loading = False
            gcpause.resume()
            self.notify(f"Could not read sessions: {event.worker.error}", severity="error",
                        timeout=10)
            self.update_chrome()

    # -- filtering ---------------------------------------------------------------------------

    def refilter(self) -> None:
        started = time.perf_counter()
        rows = self._rows.rows  # filtered and sorted as the sessions arrived
        self._search_run = None
        if self._query.strip():
            # The first screenful's matches in this frame; the rest once it is drawn (over
            # 50,000 rows a short word's test of every row takes tens of milliseconds).
            run = self._search.start(rows, self._query)  # keeps the order
            run.more(self._screenful)
            self._show_found(run)
            if not run.done:
                self._search_run = run
                self.list.after_paint(partial(self._search_on, run))
        else:  # every row: their column widths are kept as they come (no pass over them)
            self._show(rows, (self._rows.longest("git_branch"), self._rows.longest("cwd")))
        self.last_filter_seconds = time.perf_counter() - started
        if rows and self.first_rows_at is None:
            self.first_rows_at = time.perf_counter()
        self.update_chrome()

    def _show(self, rows: Sequence[ThreadSummary], longest: tuple[int, int]) -> None:
        self.list.set_rows(rows, query=self._query, show_cwd=self.filters.all_dirs,
                           now=self.now(), created=self.filters.sort == "created",
                           homes=self.store.homes if self.filters.home is None else None,
                           longest=longest)

    def _show_found(self, run: SearchRun) -> None:
        self._show(run.rows(), (run.longest("git_branch"),
                                run.longest("cwd") if self.filters.all_dirs else 0))

    def _search_on(self, run: SearchRun) -> None:
        """Go on with a search whose first rows are on screen, a slice at a time (keys
        typed meanwhile are handled between slices), and show its rows once it is done."""
        if run is not self._search_run:
            return  # a newer key (or batch, or filter) started another
        if not run.step(SEARCH_SLICE_SECONDS):
            self.call_later(self._search_on, run)
            return
        self._search_run = None
        # (The rows on screen are the same: drawn again only if the column widths changed.)
        self._show_found(run)
        self.search_done_at = time.perf_counter()
        self.update_chrome()

    def finish_search(self) -> None:
        """Every match of the search on screen now (before acting on the rows shown)."""
        run = self._search_run
        if run is not None:
            run.finish()
            self._search_on(run)

    @on(SessionList.RowsPainted)
    def _rows_painted(self) -> None:
        self.first_rows_painted_at = time.perf_counter()
        self._first_paint.set()

    def status(self) -> Text:
        rows = self.list.rows
        total = self._total()
        where = "every directory" if self.filters.all_dirs else one_line(self.cwd or "?")
        if self.filters.home is not None:
            where += f" on {self.filters.home}"
        kind = "Archived sessions" if self.filters.archived else "Sessions"
        searching = self._search_run is not None
        status = Text.assemble((f"{kind} in ", "bold"), (where, "bold"),
                               f"  ·  {len(rows):,}{'+' if searching else ''} shown of "
                               f"{total:,}")
        if searching:
            status.append("  ·  searching…", style="italic")
        if self._loading:
            done = len(self._rows) - self._rows.pending
            if done < len(self._rows):
                status.append(f"  ·  reading {done:,}/{len(self._rows):,}…",
                              style="italic")
            else:  # every row read, more still arriving (a server's pages)
                status.append(f"  ·  listing… {done:,} so far", style="italic")
        status.append_text(self.mark_status())
        return status

    def _total(self) -> int:
        """Sessions in the current status (active or archived), whatever the other filters."""
        return self._rows.total(self.filters.archived)

    def filter_bar(self) -> list[Filter]:
        f = self.filters
        bar = [
            Filter("a", "Dir", [("This", not f.all_dirs), ("All", f.all_dirs)]),
            Filter("r", "Status", [("Active", not f.archived), ("Archived", f.archived)]),
            Filter("s", "Sort", [("Updated", f.sort == "updated"),
                                 ("Created", f.sort == "created")]),
            Filter("i", "Sources", [("Interactive+exec", not f.all_sources),
                                    ("All", f.all_sources)], short=["Usual", "All"]),
        ]
        homes = self.store.homes
        if len(homes) > 1:
            bar.append(Filter("m", "Home", [("All", f.home is None),
                                            *((h, f.home == h) for h in homes)],
                              short=["All", *(h[:12] for h in homes)]))
        return bar

    def empty_message(self) -> Text:
        if self._loading and not self._summaries:
            return Text("Reading sessions…", style="italic")
        if self._query.strip():
            return Text.assemble("No sessions match ", (repr(self._query.strip()), "bold"),
                                 ".  Esc clears the search.")
        kind = "archived sessions" if self.filters.archived else "sessions"
        if not self.filters.all_dirs:
            loading = "  (still reading…)" if self._loading else ""
            return Text.assemble(f"No {kind} in ", (one_line(self.cwd or "?"), "bold"),
                                 f".{loading}\nPress ", ("a", "bold reverse"),
                                 " to show every directory.")
        return Text(f"No {kind} found." + ("  (still reading…)" if self._loading else ""))

    # -- search ------------------------------------------------------------------------------

    @on(Input.Submitted, "#picker-search")
    def _on_search_submit(self) -> None:
        self.list.action_select()

    # -- preview -----------------------------------------------------------------------------

    @on(SessionList.Highlighted)
    def _on_highlight(self, event: SessionList.Highlighted[ThreadSummary]) -> None:
        preview = self.query_one(PreviewPane)
        summary = event.row
        if summary is None:
            self._preview_for = None
            preview.show(None, None, self.now())
            return
        if summary.id == self._preview_for:
            return
        self._preview_for = summary.id
        if preview.display:
            self.load_preview(summary.id)  # shows it once the cursor rests there

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def load_preview(self, thread_id: str) -> None:
        # Read only the row the cursor rests on: scrolling or typing fast reads nothing, and
        # leaves the GIL to the keystrokes.
        time.sleep(PREVIEW_DELAY)
        if get_current_worker().is_cancelled:
            return
        try:
            thread = self.store.read_thread(thread_id, max_bytes=PREVIEW_BYTES)
        except StoreError:
            thread = None
        self.post_message(self.PreviewLoaded(thread_id, thread))

    @on(PreviewLoaded)
    def _on_preview_loaded(self, message: PreviewLoaded) -> None:
        if message.thread_id != self._preview_for:
            return
        summary = self._summaries.get(message.thread_id)
        if message.thread is not None:
            summary = message.thread.summary
        source = self._summaries.get(summary.forked_from_id or "") if summary else None
        self.query_one(PreviewPane).show(summary, message.thread, self.now(), source)

    # -- resume --------------------------------------------------------------------------------

    @on(SessionList.Selected)
    def _on_selected(self, event: SessionList.Selected[ThreadSummary]) -> None:
        if self.resume_mode:
            self.resume(event.row)
        else:
            self.open_transcript(event.row)

    def resume(self, summary: ThreadSummary) -> None:
        request_resume(self, self.store, summary)

    def open_transcript(self, summary: ThreadSummary) -> None:
        from .transcript import TranscriptScreen  # its renderers are not needed to start

        self.app.push_screen(TranscriptScreen(self.store, summary.id, now=self._now))

    # -- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open_selected", "resume_key"):
            return not self.resume_mode
        if action == "resume_selected":
            return self.resume_mode
        if action in ("archive", "unarchive"):  # the rows shown are all one or the other
            return (action == "unarchive") == self.filters.archived
        if action == "toggle_home":
            return len(self.store.homes) > 1
        if action == "focus_search" and self.search.has_focus:
            return None  # a slash typed in the search box is text
        return True

    def _selected(self) -> ThreadSummary | None:
        return self.list.current

    def action_open_selected(self) -> None:
        self.list.action_select()

    def action_resume_selected(self) -> None:
        self.list.action_select()

    def action_transcript(self) -> None:
        if (summary := self._selected()) is not None:
            self.open_transcript(summary)

    def action_resume_key(self) -> None:
        if (summary := self._selected()) is not None:
            self.resume(summary)

    def action_history(self) -> None:
        from .history_search import HistorySearchScreen  # not needed to start

        self.app.push_screen(HistorySearchScreen(self.store, cwd=self.cwd, now=self._now))

    def action_usage(self) -> None:
        from .usage import UsageScreen  # not needed to start

        self.app.push_screen(UsageScreen(self.store, cwd=self.cwd, all_dirs=self.filters.all_dirs,
                                         now=self._now))

    def action_storage(self) -> None:
        self.app.open_storage()  # type: ignore[attr-defined]

    def show_directory(self, cwd: str, all_sources: bool | None = None) -> None:
        """Only `cwd`'s sessions, the search cleared (the Usage and Storage screens' Enter on
        a project); `all_sources` True shows every source (Storage: so that the rows add up
        to its figures)."""
        self.cwd = cwd
        search = self.query_one("#picker-search", Input)
        if search.value:
            search.value = ""
        sources = self.filters.all_sources if all_sources is None else all_sources
        # (the rows' query is made anew for the new cwd)
        self._toggle(all_dirs=False, all_sources=sources)
        self.query_one(SessionList).focus()

    # -- manage (archive, unarchive, rename, delete, export) ---------------------------------

    def manage_target(self) -> ThreadSummary | None:
        if (summary := self._selected()) is None:
            self.notify("No session selected", timeout=3)
        return summary

    @on(SessionChanged)
    def _on_session_changed(self, message: SessionChanged) -> None:
        """A write went through (here or on a screen above): show the row as it is now (a
        fork: its new row, without a rescan)."""
        if message.summary is None:
            self._rows.remove([message.thread_id])
        else:
            self._rows.update([message.summary])
        if self._preview_for == message.thread_id:
            self._preview_for = None  # read the preview again
        self.refilter()
        self.refresh_bindings()

    def action_fork(self) -> None:
        if (summary := self._selected()) is not None:
            codex_app(self).open_fork(summary.id, None)  # the dialog starts at the last turn

    def action_focus_search(self) -> None:
        self.set_focus(self.search)  # (now: Widget.focus() would wait for a later turn)

    def _toggle(self, **changes: Any) -> None:
        self.filters = self.filters._replace(**changes)
        self._rows.set_query(self.filters.query(self.cwd))
        # A filter change is the user's doing: the highlighted session stays highlighted.
        self.list.pin_cursor()
        self.refilter()

    def action_toggle_all(self) -> None:
        self._toggle(all_dirs=not self.filters.all_dirs)

    def action_toggle_archived(self) -> None:
        self._toggle(archived=not self.filters.archived)

    def action_toggle_sort(self) -> None:
        self._toggle(sort="created" if self.filters.sort == "updated" else "updated")

    def action_toggle_sources(self) -> None:
        self._toggle(all_sources=not self.filters.all_sources)

    def action_toggle_home(self) -> None:
        """Every home, then each home in turn."""
        cycle: list[str | None] = [None, *self.store.homes]
        now = cycle.index(self.filters.home) if self.filters.home in cycle else 0
        self._toggle(home=cycle[(now + 1) % len(cycle)])

    def action_toggle_preview(self) -> None:
        self.toggle_class("-no-preview")
        preview = self.query_one(PreviewPane)
        if preview.display and self._preview_for:
            self.load_preview(self._preview_for)

    def action_escape(self) -> None:
        search = self.search
        if search.value:
            search.value = ""
            self.list.focus()
        elif search.has_focus:
            self.list.focus()
        elif not self.clear_marks():
            self.app.exit(None)

    def action_quit(self) -> None:
        self.app.exit(None)

    def commands(self) -> list[tuple[str, str, object]]:
        """Every action, for the command palette: (title, help, callback)."""
        return [
            ("Resume selected session", "Run codex resume on the highlighted session",
             self.action_resume_key if not self.resume_mode else self.action_resume_selected),
            ("Open transcript", "Read the highlighted session's turns", self.action_transcript),
            ("Fork session", "Start a new session from the highlighted one's turns up to one "
             "you choose", self.action_fork),
            ("Search sessions", "Focus the search box", self.action_focus_search),
            ("Search prompt history and transcripts",
             "Every prompt in history.jsonl, or the text of every transcript",
             self.action_history),
            ("Usage: tokens and cost", "Tokens and estimated cost by day, project, model and "
             "session (u)", self.action_usage),
            ("Toggle this directory / all directories", "Filter by the current directory",
             self.action_toggle_all),
            ("Toggle active / archived sessions", "Show archived_sessions/ instead",
             self.action_toggle_archived),
            ("Toggle sort: updated / created", "Sort by last update or creation time",
             self.action_toggle_sort),
            ("Toggle sub-agent, review and memory threads", "Show every session source",
             self.action_toggle_sources),
            ("Toggle preview pane", "Show or hide the session preview",
             self.action_toggle_preview),
            *([("Cycle homes: every one / each in turn", "Show one machine or home's sessions "
                "(m)", self.action_toggle_home)] if len(self.store.homes) > 1 else []),
            ("Reload sessions", "Read the sessions folder again", self.load_sessions),
            *manage_flow.manage_commands(
                self.action_archive, self.action_unarchive, self.action_rename,
                self.action_delete, self.action_export, "selected session",
                self.filters.archived),
            *self.mark_commands(),
        ]
