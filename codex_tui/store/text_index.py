"""A full-text index of every transcript: user and assistant messages, tool commands, web
searches and plans.

SQLite (stdlib) in the user's cache directory, never in CODEX_HOME. One row per message or
command, with its thread and turn (the 1-based turn number the transcript viewer shows), in
an FTS5 table with the trigram tokenizer, so any substring of three or more characters is
found. Where this Python's SQLite lacks the trigram tokenizer, FTS5's default tokenizer matches
word prefixes instead; without FTS5 at all, a plain table is scanned with LIKE. `mode` says
which.

Case and accents are folded as in every other search (store/fold.py: `cafe` finds `Café`):
FTS5's own `remove_diacritics` belongs to the unicode61 tokenizer, not to trigram, so the
full-text table indexes the *fold* of each text (a contentless table: the text itself is kept
once, in `items`) and queries are folded the same way; LIKE scans compare folds too (SQL
function `codex_fold`, registered on every connection). ASCII text, flagged in `items.ascii`,
goes in as it is: both tokenizers and LIKE ignore ASCII case themselves, and a call into
Python per row would triple the time of a LIKE scan. Excerpts are cut from the original text,
their highlights brought back from the fold.

The index is brought up to date incrementally: a thread is read again only when one of its
files changed path, size, mtime or inode (`codex migrate-rollouts` rewrites files in place
keeping their mtime); threads whose files are gone are dropped. A fork's inherited turns are
its parent's text and are indexed once, under the parent.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field

from .cache import cache_dir
from .fold import fold, fold_map, original_positions
from .model import Plan, Thread

INDEX_VERSION = 3  # 2: web searches (once each) and plans; 3: the full-text table holds folded text
# What is indexed and scanned for an `items` row (`t`): the fold of its text.
_FOLDED = "(CASE WHEN {t}.ascii THEN {t}.text ELSE codex_fold({t}.text) END)"
BATCH_THREADS = 100  # threads per transaction while updating
EXCERPT_WIDTH = 160
# Full-text tokenizers, best first: (mode, FTS5 tokenizer). Without any: LIKE scans.
TOKENIZERS = (("trigram", "trigram"), ("unicode61", "unicode61"))

Loader = Callable[[], Thread]


@dataclass(frozen=True, slots=True)
class IndexSource:
    """A thread as the index sees it: its id, a key that changes whenever one of its files
    does, and how to read it."""

    thread_id: str
    key: str
    load: Loader


@dataclass(slots=True)
class UpdateStats:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: int = 0
    items: int = 0  # rows written
    seconds: float = 0.0
    cancelled: bool = False

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.removed


@dataclass(frozen=True, slots=True)
class TextHit:
    thread_id: str
    turn: int  # 1-based, as the transcript numbers turns
    kind: str  # "user" | "assistant" | "command" | "search" | "plan"
    ts: float | None  # when the turn started (unix seconds), if recorded
    text: str  # the whole message or command
    excerpt: str  # one line around the first match
    positions: tuple[int, ...]  # matched characters in `excerpt`


@dataclass(slots=True)
class TextSearchResult:
    query: str
    hits: list[TextHit]
    more: bool = False  # there were more than the limit
    mode: str = "trigram"
    error: str | None = None  # the query could not be run (said why)
    notes: list[str] = field(default_factory=list)


def index_path(codex_home: str, directory: str | None = None) -> str:
    digest = hashlib.sha1(os.path.realpath(codex_home).encode()).hexdigest()[:16]
    return os.path.join(directory or cache_dir(), f"text-{digest}.sqlite3")


def thread_rows(thread: Thread) -> list[tuple[int, str, float | None, str]]:
    """(turn, kind, ts, text) for every message and command of the thread's own turns."""
    from .web_search import index_text as search_text  # items are loaded by now

    rows: list[tuple[int, str, float | None, str]] = []
    for turn in thread.turns:
        if turn.inherited:
            continue
        ts = turn.started_at.timestamp() if turn.started_at else None
        for item in turn.items:
            if item.kind == "user_message":
                text, label = item.text, "user"
            elif item.kind == "agent_message":
                text, label = item.text, "assistant"
            elif item.kind == "tool_call":
                text, label = item.command or "", "command"
            elif item.kind == "web_search":
                text, label = search_text(item), "search"
            elif item.kind == "plan":
                text, label = plan_text(item), "plan"
            else:
                continue
            if text and text.strip():
                rows.append((turn.index, label, ts, text))
    return rows


def plan_text(plan: Plan) -> str:
    """A proposed plan's Markdown, or a checklist's explanation and steps."""
    if plan.text is not None:
        return plan.text
    return "\n".join(filter(None, [plan.explanation, *(s.step for s in plan.steps)]))


class TextIndex:
    """The index file (or an in-memory database when `path` is None)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._memory: sqlite3.Connection | None = None
        self._memory_lock = threading.RLock()
        self.persistent = path is not None
        self.mode = "trigram"
        self.problem: str | None = None  # why the index is not persistent, if so
        try:
            self._setup()
        except (sqlite3.Error, OSError) as exc:
            if path is None:
                raise
            # An unusable cache file or directory: keep going in memory, and say so.
            self.problem = f"text index not saved ({exc}); rebuilt in memory each run"
            self.path = None
            self.persistent = False
            self._local = threading.local()
            self._setup()

    # -- connections ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        if self.path is None:
            with self._memory_lock:
                if self._memory is None:
                    self._memory = sqlite3.connect(":memory:", check_same_thread=False)
                    _add_functions(self._memory)
                yield self._memory
            return
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30)
            _add_functions(conn)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        yield conn

    def _setup(self) -> None:
        if self.path is not None:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
        with self._conn() as conn:
            version = _meta(conn, "version")
            if version is not None and version != str(INDEX_VERSION):
                conn.executescript("DROP TABLE IF EXISTS items_fts; DROP TABLE IF EXISTS items;"
                                   "DROP TABLE IF EXISTS threads; DROP TABLE IF EXISTS meta;")
                version = None
            if version is None:
                self.mode = _create(conn)
            else:
                self.mode = _meta(conn, "mode") or "like"

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        if self._memory is not None:
            self._memory.close()
            self._memory = None

    # -- update ----------------------------------------------------------------------------------

    def update(self, sources: Iterable[IndexSource],
               progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> UpdateStats:
        """Bring the index up to date with `sources` (every thread there is): read the new
        and changed ones, drop the vanished ones. `progress(done, todo)` is called as threads
        are read; when `cancelled()` turns true the work done so far is kept."""
        started = time.perf_counter()
        stats = UpdateStats()
        sources = list(sources)
        with self._write_lock, self._conn() as conn:
            known = dict(conn.execute("SELECT thread_id, key FROM threads"))
            live = {s.thread_id for s in sources}
            gone = [tid for tid in known if tid not in live]
            todo = [s for s in sources if known.get(s.thread_id) != s.key]
            stats.unchanged = len(sources) - len(todo)
            with conn:
                for tid in gone:
                    _delete_thread(conn, tid)
                stats.removed = len(gone)
            if progress:
                progress(0, len(todo))
            for start in range(0, len(todo), BATCH_THREADS):
                if cancelled is not None and cancelled():
                    stats.cancelled = True
                    break
                batch = todo[start:start + BATCH_THREADS]
                read: list[tuple[IndexSource, list | None]] = []
                for source in batch:
                    try:
                        rows = thread_rows(source.load())
                    except Exception:  # an unreadable thread is retried next time
                        rows = None
                    read.append((source, rows))
                    if cancelled is not None and cancelled():
                        break
                with conn:
                    for source, rows in read:
                        if rows is None:
                            stats.failed += 1
                            continue
                        existed = source.thread_id in known
                        if existed:
                            _delete_thread(conn, source.thread_id)
                        conn.executemany(
                            "INSERT INTO items(thread_id, turn, kind, ts, text, ascii) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            [(source.thread_id, *row, row[3].isascii()) for row in rows])
                        conn.execute("INSERT OR REPLACE INTO threads(thread_id, key, items) "
                                     "VALUES (?, ?, ?)", (source.thread_id, source.key, len(rows)))
                        stats.items += len(rows)
                        if existed:
                            stats.updated += 1
                        else:
                            stats.added += 1
                if progress:
                    progress(min(start + len(batch), len(todo)), len(todo))
                if len(read) < len(batch):
                    stats.cancelled = True
                    break
        stats.seconds = time.perf_counter() - started
        return stats

    def threads(self) -> int:
        with self._conn() as conn:
            return conn.execute("SELECT count(*) FROM threads").fetchone()[0]

    def size_bytes(self) -> int:
        """The index's size on disk (database, WAL)."""
        if self.path is None:
            return 0
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(OSError):
                total += os.path.getsize(self.path + suffix)
        return total

    # -- search ----------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 200,
               threads: Collection[str] | None = None) -> TextSearchResult:
        """Messages and commands holding every word of `query` (case and accents folded),
        best first (FTS5's bm25 rank), the newest first among equals; only those of `threads`
        unless it is None."""
        words = list(dict.fromkeys(fold(query).split()))
        result = TextSearchResult(query, [], mode=self.mode)
        if not words or (threads is not None and not threads):
            return result
        sql, params = self._query(words, sorted(threads) if threads is not None else None)
        try:
            with self._conn() as conn:
                rows = conn.execute(sql, [*params, limit + 1]).fetchall()
        except sqlite3.OperationalError as exc:
            result.error = f"cannot search for {query!r}: {exc}"
            return result
        result.more = len(rows) > limit
        for thread_id, turn, kind, ts, text in rows[:limit]:
            excerpt, positions = make_excerpt(text, words)
            result.hits.append(TextHit(thread_id, turn, kind, ts, text, excerpt, positions))
        return result

    def _query(self, words: list[str], threads: list[str] | None) -> tuple[str, list]:
        columns = "items.thread_id, items.turn, items.kind, items.ts, items.text"
        likes = [w for w in words if self.mode != "trigram" or len(w) < 3]
        if self.mode == "like":
            likes = words
        matched = [w for w in words if w not in likes]
        if self.mode == "unicode61":
            matched = words  # token prefixes
            likes = []
        conditions = [f"{_FOLDED.format(t='items')} LIKE ? ESCAPE '\\'" for _ in likes]
        like_params: list = [f"%{_like_escape(w)}%" for w in likes]
        if threads is not None:
            conditions.append(f"items.thread_id IN ({','.join('?' * len(threads))})")
            like_params += threads
        like_sql = " AND ".join(conditions)
        if matched:
            suffix = "*" if self.mode == "unicode61" else ""
            expr = " AND ".join(f'"{w.replace(chr(34), chr(34) * 2)}"{suffix}' for w in matched)
            where = "items_fts MATCH ?" + (f" AND {like_sql}" if like_sql else "")
            sql = (f"SELECT {columns} FROM items_fts JOIN items ON items.id = items_fts.rowid "
                   f"WHERE {where} ORDER BY items_fts.rank, items.ts DESC LIMIT ?")
            return sql, [expr, *like_params]
        sql = f"SELECT {columns} FROM items WHERE {like_sql} ORDER BY items.ts DESC LIMIT ?"
        return sql, like_params


def _add_functions(conn: sqlite3.Connection) -> None:
    # The triggers that fill the full-text table and the LIKE scans call it.
    conn.create_function("codex_fold", 1, _fold_sql, deterministic=True)


def _fold_sql(text: str | bytes | int | float | None) -> str | bytes | int | float | None:
    # (what SQLite passes a function: any of its values)
    return fold(text) if isinstance(text, str) else text


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def _create(conn: sqlite3.Connection) -> str:
    """Create the tables with the best full-text support this SQLite has; return the mode."""
    with conn:
        conn.executescript("""
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE IF NOT EXISTS threads(thread_id TEXT PRIMARY KEY, key TEXT NOT NULL,
                                               items INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS items(id INTEGER PRIMARY KEY, thread_id TEXT NOT NULL,
                                             turn INTEGER NOT NULL, kind TEXT NOT NULL,
                                             ts REAL, text TEXT NOT NULL,
                                             ascii INTEGER NOT NULL DEFAULT 0);
            CREATE INDEX IF NOT EXISTS items_thread ON items(thread_id);
        """)
        mode = "like"
        for candidate, tokenizer in TOKENIZERS:
            try:
                # Contentless: it indexes codex_fold(text), which no table holds.
                conn.execute(f"CREATE VIRTUAL TABLE items_fts USING fts5(text, content='', "
                             f"tokenize='{tokenizer}')")
            except sqlite3.OperationalError:
                continue
            mode = candidate
            break
        if mode != "like":
            conn.executescript(f"""
                CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN
                    INSERT INTO items_fts(rowid, text) VALUES (new.id, {_FOLDED.format(t='new')});
                END;
                CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN
                    INSERT INTO items_fts(items_fts, rowid, text)
                    VALUES ('delete', old.id, {_FOLDED.format(t='old')});
                END;
            """)
        conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                         [("version", str(INDEX_VERSION)), ("mode", mode)])
    return mode


def _delete_thread(conn: sqlite3.Connection, thread_id: str) -> None:
    conn.execute("DELETE FROM items WHERE thread_id = ?", (thread_id,))
    conn.execute("DELETE FROM threads WHERE thread_id = ?", (thread_id,))


_SPACES = re.compile(r"\s+")


def make_excerpt(text: str, words: list[str],
                 width: int = EXCERPT_WIDTH) -> tuple[str, tuple[int, ...]]:
    """One line of `text` around the first match of any of `words` (whitespace collapsed),
    and where every word occurs in it; words are matched in folds (store/fold.py), the
    positions index the excerpt as shown."""
    flat = _SPACES.sub(" ", text).strip()
    folded = [w for w in (fold(w) for w in words) if w]
    low, origin = fold_map(flat)
    first = min((p for w in folded if (p := low.find(w)) != -1), default=0)
    if origin is not None and first < len(origin):
        first = origin[first]
    start = max(0, first - width // 4)
    if start:
        space = flat.rfind(" ", start - 12, start)
        start = space + 1 if space != -1 else start
    end = min(len(flat), start + width)
    excerpt = flat[start:end]
    prefix = "…" if start else ""
    suffix = "…" if end < len(flat) else ""
    # The fold of the excerpt is the excerpt's part of the fold (characters fold one by one).
    window, window_origin = fold_map(excerpt)
    found: set[int] = set()
    for w in folded:
        at = window.find(w)
        while at != -1:
            found.update(range(at, at + len(w)))
            at = window.find(w, at + 1)
    positions = original_positions(found, window_origin, excerpt)
    return prefix + excerpt + suffix, tuple(sorted(p + len(prefix) for p in positions))
