"""AppServerThreadStore: a Codex home reached through `codex app-server` (JSON-RPC on the
stdio of `codex app-server`, `ssh HOST codex app-server`, or any command that speaks it).

- Listing: `thread/list` from Codex's index, every source kind, active and archived, paged
  with the server's cursors and streamed by `cached()` a page at a time (a small first page
  first), which `scan()` then returns.
- Transcripts: the rollout files themselves, copied with `fs/readFile` (mirror.py) and read
  by the same reader as local sessions; a server without `fs/readFile` is read through
  `thread/turns/list` instead (convert.py).
- Writes: Codex's own `thread/archive`, `thread/unarchive`, `thread/name/set`,
  `thread/delete`, `thread/fork` (codex_writes.py).
- Search: `thread/search` for transcripts; the prompt history is the server's
  `history.jsonl`, read as a local one is.
- Live: a watcher polls `thread/list` from the newest row's backwards cursor (and hears the
  server's notifications); a follower re-reads a file when the server says it changed.
"""

from __future__ import annotations

import os
import posixpath
import re
import threading
import time
from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING, Any

from ..errors import StoreError, ThreadNotFound
from ..model import Problem, ThreadSummary
from ..paths import ThreadFiles, parse_rollout_name
from ..query import ThreadQuery, apply_query
from .codex_writes import CodexWrites
from .convert import ALL_SOURCE_KINDS, summary_from_thread, turns_from_protocol
from .jsonrpc import AppServerClient, AppServerError, MethodNotFound
from .mirror import Mirror, mirror_root
from .protocol import FIRST_PAGE_BUDGET, FULL_ID, Keep, OneHome, ResumeCommand, resolve_ref

if TYPE_CHECKING:
    from ..history import History
    from ..items import Thread
    from ..live import LiveThread
    from ..text_index import TextSearchResult, UpdateStats
    from .remote_watch import AppServerWatcher

FIRST_LIMIT = 50  # rows of the first page (what a picker shows at once)
PAGE_LIMIT = 100  # rows per page after it (Codex 0.171 sends at most 100, whatever is asked)
FRESH_SECONDS = 10.0  # a listing streamed by cached() this recently is what scan() returns
SEARCH_LIMIT = 200
MAX_EVENTS = 1000  # notifications kept until a watcher takes them


class AppServerThreadStore(OneHome):
    """The ThreadStore protocol over one `codex app-server` (see the module docstring).
    `label` names the machine or home in the UI; `resume` builds the command that resumes a
    session where the server runs (`ssh -t HOST ...`; None: it cannot be resumed from here)."""

    def __init__(self, client: AppServerClient, label: str, *,
                 resume: Callable[[str, str | None], ResumeCommand] | None = None) -> None:
        self.client = client
        self.label = label
        self._resume = resume
        self._lock = threading.RLock()
        self._summaries: dict[str, ThreadSummary] = {}
        self._scanned = False
        self._mirror: Mirror | None = None
        self._history: History | None = None
        self._history_stamp: int | None = None
        self._problems: list[Problem] = []
        self._last_write = threading.local()
        self._names_cache: dict[str, str] | None = None
        self._names_stamp: int | None = None
        self._names_checked = 0.0
        self._streamed: tuple[float, dict[str, ThreadSummary]] | None = None
        self._events: list[tuple[str, Any]] = []
        client.on_notification(self._heard)

    # -- what this store is ----------------------------------------------------------------

    @property
    def codex_home(self) -> str | None:
        """The server's CODEX_HOME, as it reported it (connects if needed)."""
        self.client.start()
        home = self.client.info.get("codexHome")
        return home if isinstance(home, str) else None

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)

    def last_write_via(self) -> str | None:
        return getattr(self._last_write, "via", None)

    def close(self) -> None:
        self.client.close()

    # -- listing ---------------------------------------------------------------------------

    def first_page(self, cwd: str | None, limit: int, keep: Keep | None = None,
                   budget: float = FIRST_PAGE_BUDGET) -> list[ThreadSummary]:
        return []  # nothing crosses the network before the first frame

    def cached(self, cwd: str | None = None) -> Iterator[list[ThreadSummary]]:
        """The listing as it arrives, a page at a time: first a small page (this directory's
        newest, or the newest), then every page of the active and the archived threads, so
        a picker fills in as the server answers (10,000 rows are 100 requests). `scan()`
        right after returns what was streamed."""
        if cwd:
            page, _ = self._list_page(False, FIRST_LIMIT, None, cwd=cwd)
            self._remember(page)
            yield page
        listed: dict[str, ThreadSummary] = {}
        for archived in (False, True):
            for page in self._pages(archived, first=None if cwd or archived else FIRST_LIMIT):
                listed.update((s.id, s) for s in page)
                self._remember(page)
                yield page
        with self._lock:
            self._streamed = (time.monotonic(), listed)

    def _remember(self, page: list[ThreadSummary]) -> None:
        with self._lock:
            for s in page:
                self._summaries.setdefault(s.id, s)

    def scan(self) -> list[ThreadSummary]:
        with self._lock:
            streamed, self._streamed = self._streamed, None
        if streamed is not None and time.monotonic() - streamed[0] < FRESH_SECONDS:
            summaries = streamed[1]
        else:
            summaries = {s.id: s for archived in (False, True) for s in self._list_all(archived)}
        with self._lock:
            self._summaries = dict(summaries)
            self._scanned = True
        return list(summaries.values())

    def complete(self, first: list[str] | None = None) -> Iterator[ThreadSummary]:
        return iter(())  # the server's rows are complete

    def refresh(self) -> None:
        with self._lock:
            self._scanned = False

    def refresh_summary(self, thread_id: str) -> None:
        """Forget what is known of one thread (its file moved): asked again when needed."""
        with self._lock:
            self._summaries.pop(thread_id, None)

    def _list_page(self, archived: bool, limit: int, cursor: str | None,
                   **extra: Any) -> tuple[list[ThreadSummary], dict[str, Any]]:
        # Codex's index alone: three times as fast as letting it open every listed rollout
        # (2-3 ms a row, for status and stats we do not use), and it is what Codex lists.
        params: dict[str, Any] = {"limit": limit, "sortKey": "updated_at",
                                  "sourceKinds": ALL_SOURCE_KINDS, "archived": archived,
                                  "useStateDbOnly": True, **extra}
        if cursor:
            params["cursor"] = cursor
        result = self.client.request("thread/list", params)
        data = result.get("data") if isinstance(result, dict) else None
        rows = [s for t in data or [] if isinstance(t, dict)
                and (s := summary_from_thread(t, archived, self.label)) is not None]
        names = self._names()
        if names:
            rows = [s._replace(name=names[s.id]) if s.id in names else s for s in rows]
        return rows, result if isinstance(result, dict) else {}

    def _names(self) -> dict[str, str]:
        """Thread names from the server's session_index.jsonl, as a local home's are read:
        Codex's index leaves out names written there by others (a paginated thread's name
        from an older Codex, or from codex-tui without Codex), which `codex resume NAME`
        still finds. Read again only when the file changed (asked at most once a second)."""
        from ..names import SESSION_INDEX, read_names

        now = time.monotonic()
        with self._lock:
            if self._names_cache is not None and now - self._names_checked < 1.0:
                return self._names_cache
            self._names_checked = now
        if not self._reads_files():
            return {}
        home = self.codex_home
        if not home:
            return {}
        remote = posixpath.join(home, SESSION_INDEX)
        mirror = self.mirror()
        stamp = mirror.modified_ms(remote)
        with self._lock:
            if stamp is not None and stamp == self._names_stamp and self._names_cache is not None:
                return self._names_cache
        names: dict[str, str] = {}
        if stamp is not None:
            try:
                local = mirror.fetch(remote, stamp)
            except AppServerError:
                local = None
            if local is not None:
                names, problems = read_names(os.path.dirname(local))
                self._problems = self._relabel(problems)
        with self._lock:
            self._names_cache, self._names_stamp = names, stamp
        return names

    def _list_all(self, archived: bool, **extra: Any) -> list[ThreadSummary]:
        return [s for page in self._pages(archived, **extra) for s in page]

    def _pages(self, archived: bool, first: int | None = None,
               **extra: Any) -> Iterator[list[ThreadSummary]]:
        """Every page of the active (or archived) threads, following the server's cursor;
        the first one `first` rows long when given (a screen's first rows come sooner)."""
        cursor: str | None = None
        seen: set[str] = set()
        limit = first or PAGE_LIMIT
        while True:
            page, result = self._list_page(archived, limit, cursor, **extra)
            yield page
            cursor = result.get("nextCursor")
            if not isinstance(cursor, str) or not page or cursor in seen:
                return
            seen.add(cursor)
            limit = PAGE_LIMIT

    def _load(self) -> dict[str, ThreadSummary]:
        with self._lock:
            if self._scanned:
                return self._summaries
        self.scan()
        return self._summaries

    def list_threads(self, query: ThreadQuery) -> list[ThreadSummary]:
        extra: dict[str, Any] = {}
        if query.cwd is not None:
            extra["cwd"] = posixpath.normpath(query.cwd)
        # archived=None asks for both: the server lists one status a request.
        statuses = [False, True] if query.archived is None else [query.archived]
        rows = [s for archived in statuses for s in self._list_all(archived, **extra)]
        return apply_query(rows, query._replace(cwd=None) if extra else query)

    def summary(self, thread_id: str) -> ThreadSummary:
        with self._lock:
            known = self._summaries.get(thread_id)
        if known is not None:
            return known
        return self._read_summary(thread_id)

    def _read_summary(self, thread_id: str) -> ThreadSummary:
        """`thread/read`'s summary: more than a listing row holds (Codex's index keeps no
        fork source: `thread/list` says forkedFromId null where `thread/read` knows it)."""
        try:
            result = self.client.request("thread/read", {"threadId": thread_id})
        except MethodNotFound:
            raise
        except AppServerError as exc:
            raise ThreadNotFound(f"no session with id {thread_id} on {self.label} "
                                 f"({exc})") from None
        thread = result.get("thread") if isinstance(result, dict) else None
        summary = summary_from_thread(thread, None, self.label) if isinstance(thread, dict) \
            else None
        if summary is None:
            raise ThreadNotFound(f"no session with id {thread_id} on {self.label}")
        name = self._names().get(summary.id)
        if name:
            summary = summary._replace(name=name)
        with self._lock:
            listed = self._summaries.get(summary.id)
            if listed is not None:
                # The listing's row stays (thread/read gives a resumed thread's latest cwd,
                # thread/list where it started, as a local listing does); it gains what it
                # lacked.
                summary = listed._replace(
                    forked_from_id=listed.forked_from_id or summary.forked_from_id,
                    parent_thread_id=listed.parent_thread_id or summary.parent_thread_id)
            self._summaries[summary.id] = summary
        return summary

    def resolve(self, ref: str) -> ThreadSummary:
        full_id = ref.strip().lower()
        if re.match(FULL_ID, full_id):
            try:
                return self.summary(full_id)
            except ThreadNotFound:
                pass
        return resolve_ref(ref, list(self._load().values()))

    # -- transcripts -----------------------------------------------------------------------

    def mirror(self) -> Mirror:
        with self._lock:
            if self._mirror is None:
                self._mirror = Mirror(self.client, mirror_root(self.client.command.display()),
                                      self.codex_home)
            return self._mirror

    def _reads_files(self) -> bool:
        return self.client.has("fs/readFile") and self.client.has("fs/getMetadata")

    def thread_files(self, thread_id: str) -> ThreadFiles | None:
        """The thread's files, copied here: its current file and the other segments of the
        same thread beside it (a revert's history_base names an older segment)."""
        from ..catalog import group_rollout_files

        try:
            summary = self.summary(thread_id)
        except ThreadNotFound:
            return None
        if not summary.path.startswith("/"):
            return None
        mirror = self.mirror()
        paths = [summary.path]
        folder = posixpath.dirname(summary.path)
        try:
            listing = self.client.request("fs/readDirectory", {"path": folder})
        except AppServerError:
            listing = None
        for entry in (listing or {}).get("entries") or []:
            name = entry.get("fileName") if isinstance(entry, dict) else None
            if not isinstance(name, str):
                continue
            parsed = parse_rollout_name(name)
            if parsed is not None and parsed.thread_id == thread_id and not parsed.compressed:
                path = posixpath.join(folder, name)
                if path not in paths:
                    paths.append(path)
        files = [rf for path in paths if (rf := mirror.rollout_file(mirror.fetch(path)))]
        grouped = group_rollout_files([rf for rf in files if not rf.archived],
                                      [rf for rf in files if rf.archived])
        return grouped.get(thread_id)

    def read_thread(self, thread_id: str, max_bytes: int | None = None) -> Thread:
        summary = self._read_summary(thread_id)
        if self._reads_files():
            try:
                return self._read_files(summary)
            except MethodNotFound:
                pass
        return self._read_protocol(summary)

    def _read_files(self, summary: ThreadSummary) -> Thread:
        from ..reader import read_thread

        tf = self.thread_files(summary.id)
        if tf is None:
            return self._read_protocol(summary)
        thread = read_thread(tf, summary, self.thread_files)
        thread.problems = self._relabel(thread.problems)
        tokens = thread.tokens
        thread.summary = summary._replace(
            tokens=tokens.total if tokens is not None else summary.tokens,
            size=tf.current.size)
        return thread

    def _relabel(self, problems: list[Problem]) -> list[Problem]:
        mirror = self.mirror()
        return [p._replace(path=f"{self.label}:{mirror.remote_label(p.path)}")
                if p.path else p for p in problems]

    def _read_protocol(self, summary: ThreadSummary) -> Thread:
        from ..items import Thread

        turns: list[Any] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"threadId": summary.id, "itemsView": "full",
                                      "sortDirection": "asc", "limit": 200}
            if cursor:
                params["cursor"] = cursor
            result = self.client.request("thread/turns/list", params)
            turns.extend(result.get("data") or [])
            cursor = result.get("nextCursor")
            if not isinstance(cursor, str):
                break
        problems = [Problem(f"read through {self.label}'s thread/turns/list (this server "
                            "cannot send the rollout file): items as Codex summarizes them")]
        return Thread(summary, turns_from_protocol(turns), problems,
                      inherited_from=summary.forked_from_id)

    # -- live ------------------------------------------------------------------------------

    def follow(self, thread_id: str, last: int | None = None) -> Any:
        from .remote_follow import RemoteFollower

        tf = self.thread_files(thread_id)
        if tf is None:
            raise StoreError(f"cannot follow {thread_id} on {self.label}: its file cannot "
                             "be read through this server")
        return RemoteFollower(self, thread_id, tf.current.path, last)

    def read_live(self, thread_id: str, known: Thread | None = None) -> LiveThread:
        from ..live import LiveThread
        from ..reader import read_thread_records
        from .remote_follow import RemoteFollower

        summary = self.summary(thread_id)
        tf = self.thread_files(thread_id) if self._reads_files() else None
        if tf is None:
            raise StoreError(f"{self.label} cannot send rollout files: no live view")
        records, problems, base_id, offset, lines = read_thread_records(
            tf, summary, self.thread_files)
        follower = RemoteFollower(self, thread_id, tf.current.path, None, offset, lines)
        return LiveThread(summary, records, self._relabel(problems), base_id, follower,
                          reload=lambda: self.read_live(thread_id))

    def watch(self) -> AppServerWatcher:
        from .remote_watch import AppServerWatcher

        return AppServerWatcher(self)

    def _heard(self, method: str, params: Any) -> None:
        if method.startswith("thread/") and isinstance(params, dict):
            with self._lock:
                self._events.append((method, params))
                del self._events[:-MAX_EVENTS]  # kept for a watcher; none may be polling

    def take_events(self) -> list[tuple[str, Any]]:
        with self._lock:
            events, self._events = self._events, []
        return events

    # -- history and search ----------------------------------------------------------------

    def history(self) -> History:
        from ..history import History, parse_history

        home = self.codex_home
        if not home:
            return History([], missing=True)
        remote = posixpath.join(home, "history.jsonl")
        mirror = self.mirror()
        stamp = mirror.modified_ms(remote)
        if stamp is None:
            return History([], path=f"{self.label}:{remote}", missing=True)
        with self._lock:
            if self._history is not None and self._history_stamp == stamp:
                return self._history
        with open(mirror.fetch(remote, stamp), "rb") as stream:
            history = parse_history(stream.read(), f"{self.label}:{remote}")
        with self._lock:
            self._history, self._history_stamp = history, stamp
        return history

    def update_text_index(self, progress: Callable[[int, int], None] | None = None,
                          cancelled: Callable[[], bool] | None = None) -> UpdateStats:
        from ..text_index import UpdateStats

        return UpdateStats()  # the server keeps its own index

    def search_text(self, query: str, limit: int = SEARCH_LIMIT, update: bool = True,
                    threads: Collection[str] | None = None) -> TextSearchResult:
        from .remote_search import search_text

        return search_text(self, query, limit, threads)

    # -- writes (Codex's own) --------------------------------------------------------------

    def _writes(self) -> CodexWrites:
        self._last_write.via = None
        writes = CodexWrites(self.client)
        self._last_write.via = writes.route
        return writes

    def archive(self, thread_id: str) -> ThreadSummary:
        summary = self.summary(thread_id)
        if summary.archived:
            raise StoreError(f"session {thread_id} is already archived")
        self._writes().archive(thread_id)
        return self._changed(summary._replace(archived=True))

    def unarchive(self, thread_id: str) -> ThreadSummary:
        summary = self.summary(thread_id)
        thread = self._writes().unarchive(thread_id)
        new = summary_from_thread(thread, False, self.label) if thread else None
        return self._changed(new or summary._replace(archived=False))

    def set_name(self, thread_id: str, name: str) -> tuple[ThreadSummary, list[str]]:
        from ..manage import normalize_name

        summary = self.summary(thread_id)
        stored = normalize_name(name)
        warnings = self.name_warnings(thread_id, stored)
        self._writes().set_name(thread_id, stored)
        return self._changed(summary._replace(name=stored)), warnings

    def name_warnings(self, thread_id: str, name: str) -> list[str]:
        from ..manage import name_warnings

        with self._lock:
            names = {tid: s.name for tid, s in self._summaries.items() if s.name}
        return name_warnings(names, thread_id, name)

    def codex_index_note(self, thread_id: str) -> str | None:
        return None  # Codex made the change itself: its index agrees

    def write_refusals(self, thread_ids: Collection[str], action: str) -> dict[str, str]:
        return {}  # the server's files are out of sight: Codex refuses each write itself

    def storage_files(self) -> dict[str, int]:
        return {}  # (the protocol has no way to ask for them)

    def delete(self, thread_id: str) -> None:
        self.summary(thread_id)
        self._writes().delete(thread_id)
        with self._lock:
            self._summaries.pop(thread_id, None)

    def fork_thread(self, thread_id: str, keep_turns: int,
                    name: str | None = None) -> ThreadSummary:
        source = self.summary(thread_id)
        thread = self.read_thread(thread_id)
        total = len(thread.turns)
        if isinstance(keep_turns, bool) or keep_turns < 1 or keep_turns > total:
            raise StoreError(f"cannot fork at turn {keep_turns}: session {thread_id} has "
                             f"{total} turn{'s' if total != 1 else ''}")
        last = None if keep_turns == total else thread.turns[keep_turns - 1].turn_id
        if keep_turns < total and not last:
            raise StoreError(f"cannot fork {thread_id} at turn {keep_turns} on {self.label}: "
                             "the turn has no id Codex can fork at")
        new_name = source.name if name is None else name.strip()
        created = self._writes().fork(thread_id, last, new_name or None)
        summary = summary_from_thread(created, False, self.label)
        if summary is None:
            raise StoreError(f"{self.label} sent a fork without an id")
        return self._changed(summary)

    def _changed(self, summary: ThreadSummary) -> ThreadSummary:
        with self._lock:
            self._summaries[summary.id] = summary
        return summary

    # -- resuming --------------------------------------------------------------------------

    def resume_command(self, thread_id: str, cwd: str | None,
                       codex_bin: Callable[[], str]) -> ResumeCommand:
        if self._resume is None:
            raise StoreError(f"sessions on {self.label} cannot be resumed from here")
        return self._resume(thread_id, cwd)
