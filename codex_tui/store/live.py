"""A thread kept up to date while Codex writes it (the transcript's follow mode).

`LiveThread` owns a follower positioned just past the complete lines of the thread's
current file, and a `TurnBuilder` holding the records read so far: `poll()` reads what was
appended and returns a new `Thread` when something changed, rebuilding only the last turn
(and new ones). Turns that did not change are the same objects in the new Thread, so a
screen can redraw from the first turn that did.

A file replaced, truncated or rewritten starts everything over (`reload`); a resumed run
appends to the same file, so it is followed like the first run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

from .model import (
    FUTURE_SLACK,
    LIVE_SECONDS,
    Problem,
    Thread,
    ThreadSummary,
    Turn,
    unique_problems,
)
from .paths import ARCHIVED
from .rollout import Record
from .tail import TailBatch
from .transcript import TurnBuilder

RUNNING = "running"  # Turn.status of the last turn while its file is live and it has no end


class FollowerLike(Protocol):
    # (read here, never set: a local file's Follower or a remote one's properties)
    @property
    def path(self) -> str: ...

    @property
    def mtime(self) -> float | None: ...

    def stale(self) -> bool: ...

    def poll(self) -> TailBatch: ...


class LiveThread:
    """A thread and the follower of its current file. `thread` is the latest snapshot."""

    def __init__(self, summary: ThreadSummary, records: list[Record], problems: list[Problem],
                 inherited_from: str | None, follower: FollowerLike, *,
                 frozen: list[Turn] | None = None, rolled_back: int = 0,
                 reload: Callable[[], LiveThread] | None = None,
                 clock: Callable[[], float] = time.time,
                 live_seconds: float = LIVE_SECONDS) -> None:
        self.follower = follower
        self._summary = summary
        self._builder = TurnBuilder(records, frozen=frozen)
        self._rolled_back = rolled_back  # turns the frozen ones had dropped
        self._read_problems = problems  # from reading the files (not per-record tallies)
        self._tail_problems: list[Problem] = []
        self._inherited_from = inherited_from
        self._reload = reload
        self._clock = clock
        self._live_seconds = live_seconds
        self.appended = 0  # records read by the follower so far
        self.resets = 0
        self.missing = False
        self.live = self._is_live()
        self.thread = self._snapshot()

    @property
    def records(self) -> list[Record]:
        return self._builder.records

    def _is_live(self) -> bool:
        mtime = self.follower.mtime
        if mtime is None or self.missing:
            return False
        age = self._clock() - mtime
        return -FUTURE_SLACK <= age < self._live_seconds

    def stale(self) -> bool:
        """Whether `poll()` could change anything: the follower's one stat, and the clock
        against the LIVE window. Cheap: an event loop may call it every 100 ms."""
        return self.follower.stale() or self._is_live() != self.live

    def poll(self) -> Thread | None:
        """Read what was appended; the new Thread when anything shown changed, else None."""
        batch = self.follower.poll()
        changed = False
        if batch.reset:
            self.resets += 1
            if self._reload is not None:
                fresh = self._reload()
                self._adopt(fresh)
                changed = True
                batch = TailBatch(missing=batch.missing)  # the reload read it all
            else:
                self._builder = TurnBuilder()
                self._tail_problems = []
                changed = True
        if batch.missing != self.missing and (batch.missing or batch.records or batch.reset):
            self.missing = batch.missing
            changed = True
        if batch.moved_to:  # archived or unarchived (by Codex, or by us)
            archived = os.path.basename(os.path.dirname(batch.moved_to)) == ARCHIVED
            self._summary = self._summary._replace(path=batch.moved_to, archived=archived)
            changed = True
        if batch.records:
            self.missing = False
            self.appended += len(batch.records)
            self._builder.extend(batch.records)
            changed = True
        if batch.problems:
            self._tail_problems += batch.problems
            changed = True
        live = self._is_live()
        if live != self.live:
            self.live = live
            changed = True
        if not changed:
            return None
        self.thread = self._snapshot()
        return self.thread

    def use_summary(self, summary: ThreadSummary) -> None:
        """The session's metadata changed by a write (a name, a move): later snapshots carry
        it, rather than what was read when following began."""
        self._summary = summary

    def _adopt(self, fresh: LiveThread) -> None:
        self.follower = fresh.follower
        self._summary = fresh._summary
        self._builder = fresh._builder
        self._rolled_back = fresh._rolled_back
        self._read_problems = fresh._read_problems
        self._tail_problems = []
        self._inherited_from = fresh._inherited_from

    def _snapshot(self) -> Thread:
        turns = self._builder.turns
        if self.live and turns and turns[-1].status == "incomplete":
            turns[-1:] = [replace(turns[-1], status=RUNNING)]
        summary = self._summary
        changes: dict = {}
        mtime = self.follower.mtime
        if mtime is not None:
            changes["updated_at"] = datetime.fromtimestamp(mtime, UTC)
        size = getattr(self.follower, "size", None)
        if size is not None and len(summary.segments) <= 1:
            changes["size"] = size
        if summary.preview is None:
            first = next((t.user_message for t in turns if t.user_message), None)
            if first:
                changes["preview"] = first
        if changes:
            summary = summary._replace(**changes)
        problems = unique_problems(
            self._read_problems + self._builder.problems() + self._tail_problems)
        return Thread(summary=summary, turns=turns, problems=problems,
                      inherited_from=self._inherited_from or summary.forked_from_id,
                      rolled_back_turns=self._rolled_back + self._builder.rolled_back)
