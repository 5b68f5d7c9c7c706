"""Read a whole thread: its records, the parent history it references, and its turns.

Paginated forks and revert segments do not copy history: their `session_meta` carries
`history_base {thread_id, end_ordinal_exclusive, end_byte_offset}` pointing at a prefix of
another file (another thread's, or an older segment of the same thread). That prefix is read
first, recursively, with loops and missing files reported instead of followed forever.
"""

from __future__ import annotations

from collections.abc import Callable

from . import fields as f
from .copied_history import mark_copied_history
from .envcontext import recorded_cwd
from .kinds import bookkeeping_counts
from .model import Problem, Thread, ThreadSummary, unique_problems
from .paths import RolloutFile, ThreadFiles
from .rollout import Record, decode_line, iter_raw_lines, open_rollout, read_records
from .transcript import build_turns

MAX_HISTORY_DEPTH = 64

Resolve = Callable[[str], ThreadFiles | None]


def read_thread(tf: ThreadFiles, summary: ThreadSummary, resolve: Resolve,
                max_bytes: int | None = None) -> Thread:
    """The whole thread; with `max_bytes`, only the start of each file (enough for a preview
    of the first turns, never the whole of a 30 MB file)."""
    problems: list[Problem] = list(summary.problems)
    visited: set[str] = set()
    records, base_id = _effective_records(tf.current, tf.thread_id, resolve, problems, visited, 0,
                                          max_bytes)
    result = build_turns(records)
    problems.extend(result.problems)
    if summary.cwd is None:
        # A bare-line session records its cwd in an environment context, which the head
        # read may not have reached (or a summary built without one).
        cwd = recorded_cwd(records)
        summary = summary if cwd is None else summary._replace(cwd=cwd)
    return Thread(
        summary=summary,
        turns=result.turns,
        problems=unique_problems(problems),
        inherited_from=base_id or summary.forked_from_id,
        rolled_back_turns=result.rolled_back,
        bookkeeping=bookkeeping_counts(records),
    )


def read_is_whole(thread: Thread, max_bytes: int | None) -> bool:
    """Whether `read_thread(..., max_bytes)` got the whole thread: no cut (max_bytes None),
    or a single plain file no longer than the cut that inherits nothing from a parent. (A
    store that does not know the size, as a server's, always needs the full read.)"""
    if max_bytes is None:
        return True
    s = thread.summary
    return (s.size is not None and s.size <= max_bytes and len(s.segments) <= 1
            and not s.compressed and thread.inherited_from is None
            and not any(t.inherited for t in thread.turns))


def read_thread_records(tf: ThreadFiles, summary: ThreadSummary, resolve: Resolve
                        ) -> tuple[list[Record], list[Problem], str | None, int, int]:
    """For following a thread: (its effective records, the problems of reading them, the id
    its history comes from, and where its current file's complete lines end: the byte after
    the last newline and the number of lines before it). A last line still being written is
    left out, for the follower to read once it is whole."""
    problems: list[Problem] = list(summary.problems)
    tail = {"offset": 0, "lines": 0}
    records, base_id = _effective_records(tf.current, tf.thread_id, resolve, problems, set(), 0,
                                          None, tail)
    return records, problems, base_id, tail["offset"], tail["lines"]


def _read_file(path: str, problems: list[Problem], max_bytes: int | None = None,
               tail: dict[str, int] | None = None) -> list[Record]:
    records: list[Record] = []
    try:
        with open_rollout(path) as stream:
            if tail is not None:
                for raw in iter_raw_lines(stream):
                    if not raw.terminated:
                        break
                    record, problem = decode_line(raw, path)
                    if problem is not None:
                        problems.append(problem)
                    if record is not None:
                        records.append(record)
                    tail["offset"], tail["lines"] = raw.end, raw.line_no
                return records
            for item in read_records(stream, path, stop=max_bytes):
                if isinstance(item, Record):
                    records.append(item)
                else:
                    problems.append(item)
    except Exception as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        problems.append(Problem(f"cannot read: {reason}", path))
    return records


def _effective_records(
    rf: RolloutFile,
    thread_id: str,
    resolve: Resolve,
    problems: list[Problem],
    visited: set[str],
    depth: int,
    max_bytes: int | None = None,
    tail: dict[str, int] | None = None,
) -> tuple[list[Record], str | None]:
    visited.add(rf.path)
    own = _read_file(rf.path, problems, max_bytes, tail)
    meta = next((r.payload for r in own if r.kind == "session_meta"), None)
    base = f.dct(meta, "history_base")
    if not base:
        mark_copied_history(own, thread_id, meta)
        return own, None

    base_id = (f.s(base, "thread_id") or "").lower()
    end_ordinal = f.i(base, "end_ordinal_exclusive")
    end_byte = f.i(base, "end_byte_offset")
    if depth >= MAX_HISTORY_DEPTH:
        problems.append(Problem("history_base chain too deep; older history omitted", rf.path))
        return own, base_id or None
    base_file = _pick_base_file(base_id, end_byte, resolve, visited, rf, problems)
    if base_file is None:
        return own, base_id or None
    inherited, _ = _effective_records(base_file, base_id, resolve, problems, visited, depth + 1,
                                      max_bytes)
    kept = [
        r for r in inherited
        if _before_cut(r, base_file.path, end_ordinal, end_byte)
    ]
    if end_ordinal is not None and kept and kept[-1].ordinal is not None \
            and kept[-1].ordinal + 1 < end_ordinal:
        problems.append(Problem(
            f"parent history ends at ordinal {kept[-1].ordinal}, before the fork point "
            f"{end_ordinal}; some inherited lines are missing", rf.path))
    if base_id != thread_id:
        for r in kept:
            r.inherited = True
    return kept + own, base_id


def _before_cut(r: Record, base_path: str, end_ordinal: int | None, end_byte: int | None) -> bool:
    if end_ordinal is not None and r.ordinal is not None:
        return r.ordinal < end_ordinal
    if end_byte is not None and r.path == base_path:
        return r.end <= end_byte
    return True


def _pick_base_file(
    base_id: str,
    end_byte: int | None,
    resolve: Resolve,
    visited: set[str],
    current: RolloutFile,
    problems: list[Problem],
) -> RolloutFile | None:
    if not base_id:
        problems.append(Problem("history_base names no thread; parent history omitted",
                                current.path))
        return None
    tf = resolve(base_id)
    candidates = [rf for rf in reversed(tf.files)] if tf else []
    fresh = [rf for rf in candidates if rf.path not in visited]
    if not fresh:
        if candidates:
            problems.append(Problem(
                f"history_base of thread {base_id} loops back to a file already read; "
                "parent history omitted", current.path))
        else:
            problems.append(Problem(
                f"parent history not found: thread {base_id} (history_base); "
                "showing this file's turns only", current.path))
        return None
    if base_id == current.name.thread_id:
        # A revert segment: the base is an older segment of the same thread.
        fresh = [rf for rf in fresh if _order_key(rf) <= _order_key(current)] or fresh
    for rf in fresh:
        if end_byte is None or _ends_line_at(rf, end_byte):
            return rf
    problems.append(Problem(
        f"no file of thread {base_id} has a line ending at byte {end_byte}; "
        "inherited history may not match the fork point", current.path))
    return fresh[0]


def _order_key(rf: RolloutFile) -> tuple[str, int]:
    return (rf.name.stamp, 0 if rf.name.segment_id is None else 1)


def _ends_line_at(rf: RolloutFile, end_byte: int) -> bool:
    if rf.name.compressed:
        return True  # can't seek cheaply; trust the reference
    if end_byte == 0:
        return True
    if rf.size < end_byte:
        return False
    try:
        with open(rf.path, "rb") as stream:
            stream.seek(end_byte - 1)
            return stream.read(1) == b"\n"
    except OSError:
        return False
