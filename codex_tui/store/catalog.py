"""The catalog: every thread under a CODEX_HOME, from a cheap pass over the file system.

One thread can have several files (revert segments `..._<segment>.jsonl`, a `.jsonl.zst`
sibling, a copy left in both `sessions/` and `archived_sessions/`): they are grouped by the
thread id in their names, and the problems that grouping finds are stated on the thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from . import fields as f
from .head import Head, read_head, read_tail_tokens, scan_head
from .model import Problem, ThreadSummary, unique_problems
from .paths import ARCHIVED, RolloutFile, ThreadFiles, parse_rollout_name, scan_rollout_files

Locate = Callable[[str], ThreadFiles | None]  # a thread's files by id (for forks' sources)
MAX_BASE_DEPTH = 64


def group_files(codex_home: str, thread_id: str | None = None) -> dict[str, ThreadFiles]:
    """Every thread's files; with `thread_id`, only that thread's (a walk of the folders'
    names that stats nothing else: a few ms where the whole catalog takes a few hundred)."""
    return group_rollout_files(scan_rollout_files(codex_home, False, thread_id),
                               scan_rollout_files(codex_home, True, thread_id))


def regroup(codex_home: str, paths: Iterable[str]) -> dict[str, ThreadFiles]:
    """`group_files` over the given rollout paths only (those that still exist): what a
    watcher re-reads for the threads it saw change."""
    archived_dir = os.path.join(codex_home, ARCHIVED)
    active: list[RolloutFile] = []
    archived: list[RolloutFile] = []
    for path in paths:
        name = parse_rollout_name(os.path.basename(path))
        if name is None:
            continue
        try:
            st = os.stat(path)
        except OSError:
            continue
        in_archive = os.path.dirname(path) == archived_dir
        rf = RolloutFile(path, name, in_archive, st.st_size, st.st_mtime_ns, st.st_ino)
        (archived if in_archive else active).append(rf)
    return group_rollout_files(active, archived)


def group_rollout_files(active: Iterable[RolloutFile],
                        archived_files: Iterable[RolloutFile]) -> dict[str, ThreadFiles]:
    by_id: dict[str, ThreadFiles] = {}
    for archived, found in ((False, active), (True, archived_files)):
        files = sorted(found, key=_order)
        plain = {rf.path for rf in files if not rf.name.compressed}
        for rf in files:
            problems: list[Problem] = []
            tf = by_id.get(rf.name.thread_id)
            if rf.name.compressed and rf.path[: -len(".zst")] in plain:
                # Codex reads the plain file when both exist; so do we, and say so.
                if tf is not None:
                    tf.problems.append(Problem(
                        "a compressed copy (.jsonl.zst) lies beside the plain file; "
                        "the plain file is read, as Codex does", rf.path))
                continue
            if tf is None:
                by_id[rf.name.thread_id] = ThreadFiles(rf.name.thread_id, [rf], archived, problems)
            elif tf.archived != archived:
                tf.problems.append(Problem(
                    "the thread has files in both sessions/ and archived_sessions/; "
                    "showing the active copy", rf.path))
            else:
                tf.files.append(rf)
    return by_id


def _order(rf: RolloutFile) -> tuple[str, int, str]:
    # Segments written later carry a later name stamp; at the same stamp the base file first.
    return (rf.name.stamp, 0 if rf.name.segment_id is None else 1, rf.path)


def summarize(tf: ThreadFiles, names: dict[str, str],
              locate: Locate | None = None) -> ThreadSummary:
    """A ThreadSummary from the heads of the thread's files (never the whole file). With
    `locate`, a paginated fork's preview is its source's first prompt (`carried_preview`)."""
    first = tf.files[0]
    current = tf.current
    problems: list[Problem] = list(tf.problems)
    head = read_head(first.path)
    problems.extend(head.problems)
    preview = head.preview
    base_id = f.s(f.dct(head.meta, "history_base"), "thread_id")
    if locate is not None and base_id and base_id.lower() != tf.thread_id:  # a paginated fork
        preview = carried_preview(head.meta or {}, first, locate, problems) or preview
    model = head.model
    for rf in tf.files[1:]:
        if preview is not None and model is not None:
            break
        later = read_head(rf.path)
        preview = preview or later.preview
        model = model or later.model

    meta = head.meta or {}
    git = f.dct(meta, "git")
    source_raw = meta.get("source")
    thread_id = tf.thread_id
    meta_id = f.s(meta, "id")
    if meta_id and meta_id.lower() != thread_id:
        problems.append(Problem(
            f"session_meta id {meta_id} differs from the id in the file name", first.path))

    created = f.parse_time(meta.get("timestamp"))
    if created is None:
        local = first.name.local_time
        if local is not None:
            created = local.astimezone(UTC)  # the name is the writer's local time
            problems.append(Problem(
                "no creation time in session_meta; taken from the file name (local time)",
                first.path))
    updated = datetime.fromtimestamp(max(rf.mtime_ns for rf in tf.files) / 1e9, UTC)

    history_mode = f.s(meta, "history_mode") or "legacy"
    if history_mode not in ("legacy", "paginated"):
        problems.append(Problem(f"unknown history_mode {history_mode!r}", first.path))
    if head.bare:
        fmt = "bare"
    elif head.paginated_lines or history_mode == "paginated":
        fmt = "paginated"
    else:
        fmt = "envelope"
    if current.name.compressed:
        try:
            import zstandard  # noqa: F401
        except ImportError:
            problems.append(Problem(
                "compressed rollout (.jsonl.zst): install the 'zstd' extra to read it",
                current.path))

    parent = f.s(meta, "parent_thread_id")
    spawn = f.dct(f.dct(source_raw, "subagent"), "thread_spawn")
    parent = parent or f.s(spawn, "parent_thread_id")

    return ThreadSummary(
        id=thread_id,
        path=current.path,
        created_at=created,
        updated_at=updated,
        cwd=head.cwd,
        preview=preview,
        name=names.get(thread_id),
        source=f.source_label(source_raw) if source_raw is not None else None,
        originator=f.s(meta, "originator"),
        cli_version=f.s(meta, "cli_version"),
        model=model,
        model_provider=f.s(meta, "model_provider"),
        git_branch=f.s(git, "branch"),
        git_sha=f.s(git, "commit_hash"),
        git_origin=f.s(git, "repository_url"),
        archived=tf.archived,
        forked_from_id=f.s(meta, "forked_from_id"),
        parent_thread_id=parent,
        tokens=read_tail_tokens(current.path, current.size),
        history_mode=history_mode,
        format=fmt,
        size=sum(rf.size for rf in tf.files),
        segments=tuple(rf.path for rf in tf.files),
        compressed=current.name.compressed,
        problems=tuple(unique_problems(problems)),
    )


def carried_preview(meta: dict[str, Any], rf: RolloutFile, locate: Locate,
                    problems: list[Problem], depth: int = 0,
                    visited: set[str] | None = None) -> str | None:
    """The first prompt of the history a paginated fork (whose head says `meta`, in file
    `rf`) carries: within the prefix its `history_base` keeps, through forks of forks and
    revert segments; None when that history holds no prompt.

    That is the preview Codex's index keeps for a fork (state_5.sqlite `preview`, listed by
    `codex resume`): set when the fork is made, left as it is by the fork's own prompts. (A
    legacy fork copies the history, so its head already starts with that prompt.) A source
    that can't be found is a problem, and the fork's own first prompt stands in."""
    from .reader import _pick_base_file  # (forks only: not imported to list other threads)

    base = f.dct(meta, "history_base")
    if not base or depth >= MAX_BASE_DEPTH:
        return None
    visited = {rf.path} if visited is None else visited
    end_byte = f.i(base, "end_byte_offset")
    base_id = (f.s(base, "thread_id") or "").lower()
    base_file = _pick_base_file(base_id, end_byte, locate, visited, rf, problems)
    if base_file is None:
        return None
    visited.add(base_file.path)
    head = _head_before(base_file.path, end_byte)
    earlier = None
    if head.meta is not None:  # the source's own carried history comes first
        earlier = carried_preview(head.meta, base_file, locate, problems, depth + 1, visited)
    return earlier or head.preview


def _head_before(path: str, end: int | None) -> Head:
    """The head of `path`, reading no further than byte `end` (the fork point)."""
    from .rollout import _Bounded, open_rollout

    if end is None:
        return read_head(path)
    try:
        with open_rollout(path) as stream:
            return scan_head(_Bounded(stream, end), path)
    except Exception:  # the source's own listing says what is wrong with it
        return Head()


def stub_summary(tf: ThreadFiles, names: dict[str, str]) -> ThreadSummary:
    """What the file system alone says (ids, times from names and mtimes), before any read."""
    first = tf.files[0]
    local = first.name.local_time
    return ThreadSummary(
        id=tf.thread_id,
        path=tf.current.path,
        created_at=local.astimezone(UTC) if local else None,
        updated_at=datetime.fromtimestamp(max(rf.mtime_ns for rf in tf.files) / 1e9, UTC),
        name=names.get(tf.thread_id),
        archived=tf.archived,
        size=sum(rf.size for rf in tf.files),
        segments=tuple(rf.path for rf in tf.files),
        compressed=tf.current.name.compressed,
        problems=tuple(tf.problems),
        pending=True,
    )
