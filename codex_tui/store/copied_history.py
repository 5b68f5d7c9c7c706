"""Which lines of a rollout are a copy of another thread's history (marked `inherited`).

Two kinds of thread start with a copy of their parent's history in their own file:

- legacy forks (`codex fork`, `thread/fork` of a legacy thread, and forks written by
  store/fork.py): a new `session_meta`, a verbatim copy of the parent's `session_meta`, the
  parent's lines up to the cut;
- sub-agents spawned as a fork of their parent (`spawn_agent` with `fork_context`): a
  `session_meta` with `forked_from_id` and a sub-agent `source` (`{"subagent":
  {"thread_spawn": {"parent_thread_id", ...}}}`), a copy of the parent's `session_meta`, then
  the parent's turns so far (the last one usually still running: the one that spawned it).

Where the copy ends, by the evidence each release writes (first that applies):

1. `session_meta.subagent_history_start_ordinal` (paginated sub-agents): the child's own
   history starts at that ordinal; every line before it but the child's own meta is copied;
2. the first `thread_settings_applied` event naming this thread (Codex 0.169 and later write
   it for the new thread right after the copy; the copied ones name the parent);
3. forks written by codex-tui (no settings event): the lines stamped no later than the
   fork's creation time.

Without any of these nothing is marked: a guess would hide the thread's own turns.
"""

from __future__ import annotations

from typing import Any

from . import fields as f
from .rollout import Record

FORK_ORIGINATOR = "codex_tui_fork"  # the originator of forks written by store/fork.py


def parent_of(meta: Any) -> str | None:
    """The thread a sub-agent was spawned by (`parent_thread_id`, or its source's)."""
    spawn = f.dct(f.dct(f.dct(meta, "source"), "subagent"), "thread_spawn")
    return f.s(meta, "parent_thread_id") or f.s(spawn, "parent_thread_id")


def mark_copied_history(records: list[Record], thread_id: str, meta: Any) -> None:
    """Set `inherited` on the records of this file that copy another thread's history."""
    metas = [i for i, r in enumerate(records) if r.kind == "session_meta"]
    if not metas:
        return
    # A sub-agent started without its parent's history has a parent but no copy (and no
    # second session_meta): its first lines are its own.
    if not (f.s(meta, "forked_from_id") or (parent_of(meta) and len(metas) >= 2)):
        return
    own = metas[0]
    start_ordinal = f.i(meta, "subagent_history_start_ordinal")
    if start_ordinal is not None and any(r.ordinal is not None for r in records):
        for r in records[own + 1:]:
            if r.ordinal is not None and r.ordinal < start_ordinal:
                r.inherited = True
        return
    start = metas[1] if len(metas) >= 2 else own + 1
    for end in range(start + 1, len(records)):
        r = records[end]
        if r.kind == "event_msg" and r.type == "thread_settings_applied" \
                and (f.s(r.payload, "thread_id") or "").lower() == thread_id:
            for copied in records[start:end]:
                copied.inherited = True
            return
    _mark_copy_by_time(records, start, meta)


class SubAgentCopy:
    """For the head reader, record by record: is this still a sub-agent's copy of its parent?
    (Its title is its own first prompt, not its parent's.) The same evidence as above: the
    start ordinal, else the first `thread_settings_applied` naming the thread."""

    __slots__ = ("done", "start", "thread_id")

    def __init__(self, meta: Any) -> None:
        self.thread_id = (f.s(meta, "id") or "").lower()
        self.start = f.i(meta, "subagent_history_start_ordinal")
        self.done = False

    @staticmethod
    def of(meta: Any) -> SubAgentCopy | None:
        """A tracker for a sub-agent started with a copy of its parent, else None."""
        if f.s(meta, "forked_from_id") and parent_of(meta):
            return SubAgentCopy(meta)
        return None

    def copied(self, rec: Record) -> bool:
        if self.start is not None and rec.ordinal is not None:
            self.done = rec.ordinal >= self.start
        elif not self.done and rec.kind == "event_msg" and rec.type == "thread_settings_applied" \
                and (f.s(rec.payload, "thread_id") or "").lower() == self.thread_id:
            self.done = True
        return not self.done


def _mark_copy_by_time(records: list[Record], start: int, meta: Any) -> None:
    """Legacy forks written by codex-tui (store/fork.py) copy the parent's lines with their
    own timestamps and write no `thread_settings_applied`: the copy is the run of lines
    stamped no later than the fork's creation time (turns added since come later)."""
    created = f.parse_time(f.s(meta, "timestamp"))
    if created is None or f.s(meta, "originator") != FORK_ORIGINATOR:
        return
    for r in records[start:]:
        when = f.parse_time(r.timestamp)
        if r.kind == "session_meta" and when is None:
            when = f.parse_time(f.s(r.payload, "timestamp"))
        if when is None or when > created:
            return
        r.inherited = True
