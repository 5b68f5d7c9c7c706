"""Global search: every prompt of history.jsonl, or the text of every transcript.

Prompts (the default mode) are searched on each keystroke, in this screen, by the store's
History search (fuzzy, then newest first). Transcripts are searched through the store's text
index, in a worker, after the index has been brought up to date (the first time, for a large
home, that takes a while: the header counts). Workers read; this screen hands rows down to a
HistoryList and the row under the cursor to a HistoryPreview.
"""

from __future__ import annotations

import gc
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from functools import partial

from textual import on, work
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input
from textual.worker import Worker, WorkerState, get_current_worker

from .. import gcpause
from ..flows.resume import request_resume
from ..store import StoreError, Thread, ThreadStore, ThreadSummary, Turn
from ..store.history import History, HistoryEntry, HistoryResult, locate_turn
from ..store.query import ThreadQuery
from ..store.reader import read_is_whole
from ..store.text_index import TextHit, TextSearchResult, UpdateStats
from ..widgets.history_list import HistoryList, HistoryRow
from ..widgets.history_preview import HistoryPreview
from .app_ref import codex_app
from .history_chrome import PROMPTS, TRANSCRIPTS, HistoryChrome
from .list_screen import ListScreen

PREVIEW_DELAY = 0.15  # the preview reads a session once the cursor rests on its row
PREVIEW_BYTES = 256 * 1024  # read first for a preview (then all, if the turn is further)
TEXT_SEARCH_DELAY = 0.08  # transcript searches wait this long for the next key
TEXT_LIMIT = 200
BATCH_SECONDS = 0.2
THREAD_CACHE = 4


class HistorySearchScreen(HistoryChrome, ListScreen[HistoryList]):
    CSS_PATH = "history_search.tcss"
    ID_PREFIX = "hs"
    FOCUS_SEARCH = True
    COMPACT_FILTERS = False  # (the directory's name says more than the labels would save)

    BINDINGS = [
        Binding("enter", "open", "Open at turn", priority=True),
        Binding("ctrl+r", "resume", "Resume", key_display="^r"),
        Binding("tab", "toggle_mode", "Prompts/Transcripts", key_display="tab", priority=True),
        Binding("ctrl+t", "toggle_dir", "This dir", key_display="^t"),
        Binding("escape", "escape", "Clear / back"),
    ]

    class HistoryLoaded(Message):
        def __init__(self, history: History) -> None:
            super().__init__()
            self.history = history

    class SessionsLoaded(Message):
        def __init__(self, summaries: list[ThreadSummary], known: set[str] | None,
                     done: bool) -> None:
            super().__init__()
            self.summaries = summaries
            self.known = known  # every existing thread id, once the file system was listed
            self.done = done

    class IndexProgress(Message):
        def __init__(self, done: int, todo: int, stats: UpdateStats | None = None) -> None:
            super().__init__()
            self.done = done
            self.todo = todo
            self.stats = stats

    class TextResults(Message):
        def __init__(self, query: str, key: tuple, result: TextSearchResult) -> None:
            super().__init__()
            self.query = query
            self.key = key
            self.result = result

    class PreviewLoaded(Message):
        def __init__(self, key: tuple | None, thread_id: str, thread: Thread | None,
                     complete: bool) -> None:
            super().__init__()
            self.key = key  # the row (and query) it was read for
            self.thread_id = thread_id
            self.thread = thread
            self.complete = complete  # the whole thread (not only its start)

    class TurnFound(Message):
        def __init__(self, thread_id: str, turn: int | None) -> None:
            super().__init__()
            self.thread_id = thread_id
            self.turn = turn

    def __init__(self, store: ThreadStore, *, cwd: str | None,
                 now: Callable[[], datetime] | None = None, mode: str = PROMPTS,
                 this_dir: bool = False, query: str = "") -> None:
        self.mode = mode  # (read by the placeholder, as the base class composes)
        super().__init__(store, cwd=cwd, now=now, query=query)
        self.this_dir = this_dir and cwd is not None
        self.history: History | None = None
        self._sessions: dict[str, ThreadSummary] = {}
        self._known: set[str] | None = None
        self._sessions_done = False
        self._sessions_version = 0
        # The sessions of this directory, active or archived, of every source.
        self._in_dir = ThreadQuery(cwd=cwd, archived=None).matcher() if cwd else None
        self._allowed_key: tuple | None = None
        self._allowed: set[str] = set()
        self._result: HistoryResult | None = None
        self._text: TextSearchResult | None = None
        self._text_key: tuple | None = None
        self._text_pending = False
        self._index_state: str | None = None  # None: not started; "indexing"; "ready"
        self._index_progress = (0, 0)
        self._index_stats: UpdateStats | None = None
        # Sessions read for the preview: (thread or None, whether all of it was read).
        self._threads: OrderedDict[str, tuple[Thread | None, bool]] = OrderedDict()
        self._preview_for: tuple | None = None
        self._preview_timer: Timer | None = None
        self._preview_pending = False  # the cursor moved; its preview is not shown yet
        self.last_filter_seconds = 0.0  # read by benchmarks/
        self.filtered_at: float | None = None
        self.search_done_at: float | None = None  # when the last search's page was whole
        self._rest: tuple | None = None  # (query, sessions) of a page still to fill

    @property
    def busy(self) -> bool:
        """True while something this screen shows is still being read (tests wait on it).
        (Not `loading`: that is Textual's Widget.loading, a loading indicator's switch.)"""
        return self.history is None or not self._sessions_done or \
            self._index_state == "indexing" or self._text_pending or self._preview_pending \
            or self._rest is not None

    # -- layout ----------------------------------------------------------------------------

    def make_list(self, *, id: str) -> HistoryList:
        return HistoryList(id=id)

    def make_preview(self, *, id: str) -> HistoryPreview:
        return HistoryPreview(id=id)

    def mounted(self) -> None:
        self.update_chrome()
        self.load_history()
        if self.mode == TRANSCRIPTS:
            self.index_transcripts()

    # -- loading ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def load_history(self) -> None:
        from ..store.listing import stream_listing

        worker = get_current_worker()
        history = self.store.history()
        history.searcher  # noqa: B018  (index the prompts here, not on the first keystroke)
        import rapidfuzz.fuzz
        import rapidfuzz.process  # noqa: F401
        self.post_message(self.HistoryLoaded(history))
        # Then what is known of the sessions: titles and directories, and which exist; the
        # sessions of the newest prompts first.
        first = list(dict.fromkeys(e.session_id for e in history.entries[:500]))
        for batch in stream_listing(self.store, None, interval=BATCH_SECONDS, first=first,
                                    cancelled=lambda: worker.is_cancelled):
            if batch.summaries or not batch.cached:
                self.post_message(self.SessionsLoaded(batch.summaries, batch.known, batch.done))

    def _freeze_if_loaded(self) -> None:
        """Once prompts and sessions are all read: what was read lives on (100,000 prompts,
        their index, 10,000 summaries), so move it out of the cyclic collector's sight, as
        the picker does (else a full collection, every so many keystrokes, walks it all)."""
        if self.history is not None and self._sessions_done:
            gcpause.resume()
            gc.freeze()

    @on(HistoryLoaded)
    def _on_history(self, message: HistoryLoaded) -> None:
        self.history = message.history
        self._freeze_if_loaded()
        if self.mode == PROMPTS:
            self.refilter()
        self.update_chrome()

    @on(SessionsLoaded)
    def _on_sessions(self, message: SessionsLoaded) -> None:
        for s in message.summaries:
            self._sessions[s.id] = s
        if message.known is not None:
            self._known = message.known
        self._sessions_done = message.done
        self._sessions_version += 1
        self._freeze_if_loaded()
        self.list.sessions_changed(self._sessions, self._known)
        if self.this_dir:
            self.refilter()  # the directory filter depends on what is known
        else:
            self.update_chrome()
        self._refresh_preview_heading()

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        group = event.worker.group
        error = event.worker.error
        if group == "text-index":
            self._index_state = "failed"
        if group == "text-search":
            self._text_pending = False
        if group == "history":
            self._sessions_done = True
            if self.history is None:
                self.history = History([], error=str(error))
        self.notify(f"{event.worker.description} failed: {type(error).__name__}: {error}",
                    severity="error", timeout=10)
        self.update_chrome()

    # -- the directory filter ------------------------------------------------------------------

    def _allowed_sessions(self) -> set[str] | None:
        if not self.this_dir:
            return None
        key = (self._sessions_version,)
        if self._allowed_key != key:
            in_dir = self._in_dir
            self._allowed = {s.id for s in self._sessions.values()
                             if in_dir is not None and in_dir(s)}
            self._allowed_key = key
        return self._allowed

    # -- prompts ---------------------------------------------------------------------------

    def refilter(self) -> None:
        if self.mode == TRANSCRIPTS:
            self._search_transcripts()
            return
        started = time.perf_counter()
        self._rest = None
        if self.history is None:
            self._result = None
        else:
            # A screenful of matches in this frame (the page's first rows), the page of
            # RESULT_LIMIT once it is drawn (a word in many prompts can take tens of
            # milliseconds to fill it, at 500,000 prompts).
            query, sessions = self._query, self._allowed_sessions()
            self._result = self.history.search(query, limit=self.list.size.height + 8,
                                               sessions=sessions)
            if self._result.capped:
                self._rest = (query, sessions)
        self._show_result()
        if self._rest is not None:
            self.list.after_paint(partial(self._search_rest, self._rest))
        self.last_filter_seconds = time.perf_counter() - started
        self.filtered_at = time.perf_counter()
        self.update_chrome()

    def _show_result(self) -> None:
        rows = self._result.entries if self._result is not None else []
        self.list.show(rows, query=self._query, sessions=self._sessions, known=self._known,
                       now=self.now())

    def _search_rest(self, rest: tuple) -> None:
        """The whole page of a search whose first screenful is on screen."""
        if rest is not self._rest or self.history is None:
            return  # a newer key (or filter) searched since
        self._rest = None
        self._result = self.history.search(rest[0], sessions=rest[1])
        self._show_result()  # (the same rows on top: only the scrollbar changes)
        self.search_done_at = time.perf_counter()
        self.update_chrome()

    # -- transcripts -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="text-index", exit_on_error=False)
    def index_transcripts(self) -> None:
        worker = get_current_worker()
        last = [0.0]

        def progress(done: int, todo: int) -> None:
            if time.monotonic() - last[0] >= BATCH_SECONDS or done == todo:
                last[0] = time.monotonic()
                self.post_message(self.IndexProgress(done, todo))

        stats = self.store.update_text_index(progress=progress,
                                             cancelled=lambda: worker.is_cancelled)
        self.post_message(self.IndexProgress(stats.added + stats.updated,
                                             stats.added + stats.updated, stats))

    @on(IndexProgress)
    def _on_index_progress(self, message: IndexProgress) -> None:
        self._index_progress = (message.done, message.todo)
        if message.stats is not None:
            self._index_state = "ready"
            self._index_stats = message.stats
            self._text_key = None  # search again: there may be more to find
            if self.mode == TRANSCRIPTS:
                self._search_transcripts()
        elif self._index_state is None:
            self._index_state = "indexing"
        self.update_chrome()

    def _search_transcripts(self) -> None:
        query = self._query.strip()
        threads = self._allowed_sessions()
        key = (query, None if threads is None else frozenset(threads), self._index_state)
        if key == self._text_key:
            return
        self._text_key = key
        if not query:
            self._text = None
            self._text_pending = False
            self.list.show([], query="", sessions=self._sessions, known=self._known,
                           now=self.now())
            self.update_chrome()
            return
        self._text_pending = True
        self.update_chrome()
        self.search_text(query, key, threads)

    @work(thread=True, exclusive=True, group="text-search", exit_on_error=False)
    def search_text(self, query: str, key: tuple, threads: set[str] | None) -> None:
        time.sleep(TEXT_SEARCH_DELAY)  # typing on: this search is cancelled by the next one
        if get_current_worker().is_cancelled:
            return
        result = self.store.search_text(query, TEXT_LIMIT, update=False, threads=threads)
        if not get_current_worker().is_cancelled:
            self.post_message(self.TextResults(query, key, result))

    @on(TextResults)
    def _on_text_results(self, message: TextResults) -> None:
        if message.key != self._text_key or self.mode != TRANSCRIPTS:
            return
        self._text = message.result
        self._text_pending = False
        self.list.show(message.result.hits, query=message.query, sessions=self._sessions,
                       known=self._known, now=self.now())
        self.update_chrome()

    # -- preview ---------------------------------------------------------------------------

    def _row_session(self, row: HistoryEntry | TextHit) -> str:
        return row.thread_id if isinstance(row, TextHit) else row.session_id

    def _missing(self, sid: str) -> bool:
        return self._known is not None and sid not in self._known

    @on(HistoryList.Highlighted)
    def _on_highlight(self, event: HistoryList.Highlighted[HistoryRow]) -> None:
        row = event.row
        if row is None:
            self._preview_for = None
            self._preview_pending = False
            self.query_one(HistoryPreview).show(None, query="", summary=None, missing=False,
                                                thread=None, turn=None, now=self.now())
            return
        key = (id(row), self._query)
        if key == self._preview_for:
            return
        self._preview_for = key
        # Shown once the cursor rests (typing or scrolling fast costs no preview: one timer,
        # pushed back by each move), and read (the start of the session first) only when
        # not read already.
        if not self.query_one(HistoryPreview).display:
            return
        self._preview_pending = True
        if self._preview_timer is None:
            self._preview_timer = self.set_timer(PREVIEW_DELAY, self._cursor_rested)
        else:
            self._preview_timer.reset()

    def _cursor_rested(self) -> None:
        self._preview_timer = None
        row = self.list.current
        if row is None or (id(row), self._query) != self._preview_for:
            self._preview_pending = False
            return
        sid = self._row_session(row)
        if self._missing(sid) or sid in self._threads:
            self._preview_pending = False
            self._show_preview(row)
            known, _ = self._cached_turn(row)
            if not known:
                self.load_preview(self._preview_for, sid, 0)  # the rest of the thread
            return
        self._show_preview(row)  # "reading…" under the prompt
        self.load_preview(self._preview_for, sid, PREVIEW_BYTES)

    def _cached_turn(self, row: HistoryRow) -> tuple[bool, int | None]:
        """(known, turn): the row's turn, if what was read of its session says. (A server's
        transcript search does not say the turn: turn 0, found from the matched text.)"""
        if isinstance(row, TextHit) and row.turn:
            return True, row.turn
        cached = self._threads.get(self._row_session(row))
        if cached is None:
            return False, None
        thread, complete = cached
        if thread is None:
            return True, None
        turn = _locate(thread.turns, row, complete)
        return turn is not None or complete, turn

    def _show_preview(self, row: HistoryRow) -> None:
        sid = self._row_session(row)
        cached = self._threads.get(sid)
        thread = cached[0] if cached is not None else None
        known, turn = self._cached_turn(row)
        summary = thread.summary if thread is not None else self._sessions.get(sid)
        self.query_one(HistoryPreview).show(
            row, query=self._query, summary=summary, missing=self._missing(sid),
            thread=thread, turn=turn, now=self.now(),
            reading=not known and not self._missing(sid))

    def _refresh_preview_heading(self) -> None:
        row = self.list.current
        if row is not None and self._preview_for is not None and \
                (id(row), self._query) == self._preview_for:
            self._show_preview(row)

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def load_preview(self, key: tuple, thread_id: str, read: int) -> None:
        """Read the first `read` bytes of the thread (0: all of it) for the preview."""
        if get_current_worker().is_cancelled:
            return
        try:
            thread = self.store.read_thread(thread_id, max_bytes=read or None)
        except StoreError:
            thread = None
        complete = thread is None or read_is_whole(thread, read or None)
        self.post_message(self.PreviewLoaded(key, thread_id, thread, complete))

    @on(PreviewLoaded)
    def _on_preview_loaded(self, message: PreviewLoaded) -> None:
        self._remember(message.thread_id, message.thread, message.complete)
        row = self.list.current
        if row is None or (id(row), self._query) != message.key:
            return
        self._preview_pending = False
        self._show_preview(row)
        known, _ = self._cached_turn(row)
        if not known and self._threads.get(message.thread_id, (None, True))[1] is False:
            self.load_preview(message.key, message.thread_id, 0)  # the rest of the thread

    def _remember(self, thread_id: str, thread: Thread | None, complete: bool) -> None:
        old = self._threads.get(thread_id)
        if old is not None and old[1] and not complete:
            return  # keep the whole thread read before
        self._threads[thread_id] = (thread, complete)
        self._threads.move_to_end(thread_id)
        while len(self._threads) > THREAD_CACHE:
            self._threads.popitem(last=False)

    # -- actions ---------------------------------------------------------------------------

    @on(Input.Submitted, "#hs-search")
    def _on_submit(self) -> None:
        self.action_open()

    @on(HistoryList.Selected)
    def _on_selected(self) -> None:
        self.action_open()

    def _target(self, gone: str) -> tuple[HistoryRow, str] | None:
        """The row under the cursor and its session, unless that session's file is gone
        (then `gone` says what cannot be done)."""
        row = self.list.current
        if row is None:
            return None
        sid = self._row_session(row)
        if self._missing(sid):
            self.notify(f"That session's rollout file is gone: {gone}", timeout=3)
            return None
        return row, sid

    def action_open(self) -> None:
        if (target := self._target("nothing to open")) is None:
            return
        row, sid = target
        known, turn = self._cached_turn(row)
        if known:
            self._open_transcript(sid, turn)
        else:
            self.find_turn(sid, row)

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def find_turn(self, thread_id: str, entry: HistoryEntry | TextHit) -> None:
        try:
            thread = self.store.read_thread(thread_id)
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.post_message(self.PreviewLoaded(None, thread_id, thread, True))
        self.post_message(self.TurnFound(thread_id, _locate(thread.turns, entry, True)))

    @on(TurnFound)
    def _on_turn_found(self, message: TurnFound) -> None:
        self._open_transcript(message.thread_id, message.turn)

    def _open_transcript(self, thread_id: str, turn: int | None) -> None:
        from .transcript import TranscriptScreen

        self.app.push_screen(TranscriptScreen(self.store, thread_id, now=self._now, turn=turn))

    def action_resume(self) -> None:
        if (target := self._target("it cannot be resumed")) is None:
            return
        _, sid = target
        try:
            summary = self.store.summary(sid)
        except StoreError as exc:
            self.notify(str(exc), severity="error")
            return
        request_resume(self, self.store, summary)

    def action_toggle_mode(self) -> None:
        self.mode = TRANSCRIPTS if self.mode == PROMPTS else PROMPTS
        self.search.placeholder = self.placeholder()
        self.list.reset_cursor()
        self._preview_for = None
        if self.mode == TRANSCRIPTS:
            self._text_key = None
            if self._index_state is None:
                self._index_state = "indexing"
                self.index_transcripts()
        self.refilter()
        self.update_chrome()

    def action_toggle_dir(self) -> None:
        if self.cwd is None:
            self.notify("The current directory is unknown", timeout=3)
            return
        self.this_dir = not self.this_dir
        self.list.pin_cursor()
        self.refilter()

    def action_escape(self) -> None:
        search = self.search
        if search.value:
            search.value = ""
        else:
            self.action_back()

    def action_back(self) -> None:
        codex_app(self).leave_screen(self)

    def commands(self) -> list[tuple[str, str, object]]:
        """Every action, for the command palette: (title, help, callback)."""
        return [
            ("Open at the matching turn", "Read the session, scrolled to this prompt's turn",
             self.action_open),
            ("Resume session", "Run codex resume on the highlighted prompt's session",
             self.action_resume),
            ("Toggle prompts / transcripts", "Search history.jsonl or the text of every "
             "transcript", self.action_toggle_mode),
            ("Toggle this directory / all directories",
             "Only sessions started in the current directory", self.action_toggle_dir),
            ("Back", "Leave the history search", self.action_back),
        ]


def _locate(turns: list[Turn], row: HistoryEntry | TextHit, complete: bool) -> int | None:
    if isinstance(row, TextHit):
        from ..store.thread_store.remote_search import locate_snippet

        return locate_snippet(turns, row.text)
    return locate_turn(turns, row, complete=complete)
