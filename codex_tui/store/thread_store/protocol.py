"""The ThreadStore protocol: the only way screens and the CLI reach session data, and
what every store shares (id resolution, watch updates)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple, Protocol

from ..errors import AmbiguousThread, ThreadNotFound
from ..model import Problem, ThreadSummary
from ..query import ThreadQuery

if TYPE_CHECKING:
    from ..history import History
    from ..items import Thread
    from ..live import LiveThread
    from ..tail import Follower
    from ..text_index import TextSearchResult, UpdateStats
    from ..usage.accounting import ThreadUsage

    # (each thread with its usage, the labels of the homes usage can't be read from)
    UsageListing = tuple[list[tuple[ThreadSummary, ThreadUsage]], list[str]]

EPOCH = datetime.fromtimestamp(0, UTC)
# Patterns, not compiled ones: `re` compiles them on first use (start-up need not).
_ID_PREFIX = r"^[0-9a-fA-F-]{4,36}$"
FULL_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
FIRST_PAGE_BUDGET = 0.010  # seconds a cold start may spend reading heads before its first frame
# Bulk writes leave alone a thread that forks' histories start from: Codex refuses to delete
# it, and codex-tui does not archive it either (a fork would be left resting on an archive).
PROTECT_FORK_SOURCES = frozenset({"archive", "delete"})


Keep = Callable[[ThreadSummary], bool]


class ResumeCommand(NamedTuple):
    """How to hand a session to the real Codex CLI: the command, what to add to its
    environment, the directory to run it in (None: stay), and a note for the user (the
    session's directory is gone, ...)."""

    argv: list[str]
    env: dict[str, str]
    cwd: str | None
    note: str | None


class ThreadStore(Protocol):
    def first_page(self, cwd: str | None, limit: int, keep: Keep | None = None,
                   budget: float = FIRST_PAGE_BUDGET) -> list[ThreadSummary]:
        """A first screen of rows (newest first, recorded in `cwd` unless None, accepted by
        `keep`), quickly enough to be drawn in the first frame: at most `budget` seconds of
        reading. Possibly stale or incomplete: `scan()` says what is really there."""
        ...

    def cached(self, cwd: str | None = None) -> Iterator[list[ThreadSummary]]:
        """Possibly stale summaries from a cache, available before `scan()`, in batches
        (those of `cwd`, or the newest, first); may yield nothing."""
        ...

    def scan(self) -> list[ThreadSummary]:
        """Every thread, active and archived, as cheaply as possible: some may be `pending`
        (file system facts only) until `complete()` has read them."""
        ...

    def complete(self, first: list[str] | None = None) -> Iterator[ThreadSummary]:
        """Finish the pending summaries from `scan()`, `first` ones first."""
        ...

    def list_threads(self, query: ThreadQuery) -> list[ThreadSummary]: ...

    def summary(self, thread_id: str) -> ThreadSummary:
        """One thread's complete summary."""
        ...

    def read_thread(self, thread_id: str, max_bytes: int | None = None) -> Thread:
        """The thread's turns; `max_bytes` reads only the start of each file."""
        ...

    def resolve(self, ref: str) -> ThreadSummary:
        """A thread by full id, unique id prefix, or thread name."""
        ...

    def unarchive(self, thread_id: str) -> ThreadSummary:
        """Move an archived thread back among the active ones, as Codex does."""
        ...

    def archive(self, thread_id: str) -> ThreadSummary:
        """Move a thread's files into archived_sessions/, as Codex does."""
        ...

    def set_name(self, thread_id: str, name: str) -> tuple[ThreadSummary, list[str]]:
        """Name a thread as Codex does; returns it and warnings (name collisions, ...)."""
        ...

    def name_warnings(self, thread_id: str, name: str) -> list[str]:
        """Warnings `set_name` would give, from what is already known (no reading)."""
        ...

    def delete(self, thread_id: str) -> None:
        """Remove a thread's files and names, as Codex does (refused while a paginated
        fork's history still references it)."""
        ...

    def write_refusals(self, thread_ids: Collection[str], action: str) -> dict[str, str]:
        """Which of these threads a bulk `action` ("archive", "unarchive", "delete") leaves
        alone, and why, as far as the store can tell without writing: Codex is writing the
        thread (it holds its writer lock), or (archive, delete: PROTECT_FORK_SOURCES) a
        paginated fork's history still references it. The write may still refuse others."""
        ...

    def usage_listing(self, cwd: str | None = None) -> UsageListing:
        """Token usage of every thread started in `cwd` (None: anywhere), active and
        archived, and the labels of the homes it cannot be read from (an app-server's
        protocol carries no per-response usage): store/usage/."""
        ...

    def storage_files(self) -> dict[str, int]:
        """Bytes of the home's session folders ("sessions/", "archived_sessions/") and its
        own files (history.jsonl, session_index.jsonl, Codex's SQLite files) by name; empty
        when the store cannot see them (a home reached through an app-server)."""
        ...

    def codex_index_note(self, thread_id: str) -> str | None:
        """A warning when Codex's own index (state_5.sqlite, read only) disagrees with where
        the thread's files are, e.g. right after an archive."""
        ...

    def fork_thread(self, thread_id: str, keep_turns: int,
                    name: str | None = None) -> ThreadSummary:
        """Write a new session holding turns 1..keep_turns of `thread_id` and return it.
        `name` None inherits the source's name (as Codex does); "" gives no name."""
        ...

    @property
    def problems(self) -> list[Problem]:
        """Problems with the home itself (an unreadable session index, ...)."""
        ...

    def history(self) -> History:
        """The prompts of history.jsonl, newest first (read again only when it changed)."""
        ...

    def update_text_index(self, progress: Callable[[int, int], None] | None = None,
                          cancelled: Callable[[], bool] | None = None) -> UpdateStats:
        """Bring the transcript text index up to date (only changed threads are read)."""
        ...

    def search_text(self, query: str, limit: int = 200, update: bool = True,
                    threads: Collection[str] | None = None) -> TextSearchResult:
        """Messages and commands of every transcript (of `threads` only, unless None)
        holding the words of `query`; `update` first brings the index up to date."""
        ...

    def follow(self, thread_id: str, last: int | None = None) -> Follower:
        """A follower of the thread's current file: from its first line (`last` None), or
        from its last `last` complete lines (0: only what is appended from now on)."""
        ...

    def read_live(self, thread_id: str, known: Thread | None = None) -> LiveThread:
        """The whole thread (as `read_thread`) and a follower past its complete lines:
        `poll()` the result for what Codex appends. `known` is the whole thread as just
        read, which a store may take instead of reading it again."""
        ...

    def watch(self) -> StoreWatcher:
        """A watcher for new, growing, renamed, archived and deleted sessions after the
        listing (`scan()`): each `poll()` gives the summaries that changed."""
        ...

    # -- where the sessions are, and how they are written and resumed ------------------------

    @property
    def label(self) -> str:
        """The machine or home, as the UI names it ("this machine", "devbox", a path)."""
        ...

    @property
    def homes(self) -> list[str]:
        """The labels of the homes this store shows (one, unless it merges several)."""
        ...

    def failures(self) -> list[tuple[str, str]]:
        """(label, message) of each part of the store that could not be listed (a merged
        store's host that is down); the rest of the listing is still good."""
        ...

    def last_write_via(self) -> str | None:
        """How this thread's last write went: "codex app-server 0.171.0", "files", ..."""
        ...

    def resume_command(self, thread_id: str, cwd: str | None,
                       codex_bin: Callable[[], str]) -> ResumeCommand:
        """The command that resumes the session where it lives (`codex_bin` finds this
        machine's codex, asked only when it is needed)."""
        ...

    def close(self) -> None:
        """Stop what the store started (app-server processes)."""
        ...


class OneHome:
    """What a store of one home says of its homes (a merged store says more)."""

    label: str

    @property
    def homes(self) -> list[str]:
        return [self.label]

    def usage_listing(self, cwd: str | None = None) -> UsageListing:
        return [], [self.label]  # (a store that reads rollout files says otherwise)

    def failures(self) -> list[tuple[str, str]]:
        return []  # it raises instead; a merged store makes that one home's failure


def page_matcher(cwd: str | None, keep: Keep | None) -> Keep:
    """What `first_page` accepts: the active threads of `cwd` (any when None) that `keep`
    (the screen's whole query) accepts too."""
    active = ThreadQuery(cwd=cwd or None).matcher()
    return active if keep is None else lambda s: active(s) and keep(s)


def resolve_ref(ref: str, summaries: list[ThreadSummary]) -> ThreadSummary:
    """Shared id / prefix / name resolution, with clear errors."""
    ref = ref.strip()
    if not ref:
        raise ThreadNotFound("no session id or name given")
    low = ref.lower()
    by_id = [s for s in summaries if s.id == low]
    if by_id:
        return by_id[0]
    matches: dict[str, ThreadSummary] = {}
    if re.match(_ID_PREFIX, ref):
        for s in summaries:
            if s.id.startswith(low):
                matches[s.id] = s
    for s in summaries:
        if s.name == ref:
            matches[s.id] = s
    if not matches:
        for s in summaries:
            if s.name and s.name.lower() == low:
                matches[s.id] = s
    if len(matches) == 1:
        return next(iter(matches.values()))
    if not matches:
        raise ThreadNotFound(f"no session matches {ref!r} (by id, id prefix or name)")
    ids = sorted(matches)
    listed = "\n".join(f"  {i}  {matches[i].title or ''}" for i in ids[:20])
    more = f"\n  ... and {len(ids) - 20} more" if len(ids) > 20 else ""
    raise AmbiguousThread(f"{ref!r} matches {len(ids)} sessions:\n{listed}{more}", ids)



class WatchUpdate:
    """What a watcher saw change. (A plain class: a dataclass would compile its methods at
    every start-up.)"""

    __slots__ = ("removed", "summaries")

    def __init__(self, summaries: list[ThreadSummary] | None = None,
                 removed: list[str] | None = None) -> None:
        self.summaries = [] if summaries is None else summaries  # new or changed
        self.removed = [] if removed is None else removed  # thread ids no longer there

    def __bool__(self) -> bool:
        return bool(self.summaries or self.removed)


class StoreWatcher(Protocol):
    def poll(self) -> WatchUpdate: ...

