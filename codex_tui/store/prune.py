"""Which sessions `codex-tui prune` acts on: the selection rules, each in one place.

A rule names an action (archive or delete) and filters: last activity older than a
duration, larger than a size, recorded in a directory (or anywhere), of a kind of source,
active or archived. The defaults keep a prune from doing what nobody asked for: archiving
takes active sessions only (archived ones already are), and deleting takes archived ones
only unless active ones are asked for twice (`--active`/no state, plus `include_active`).

Pure standard library: the CLI parses options into a PruneRule, and the bulk runner
(bulk.py) writes through the ThreadStore.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from .errors import StoreError
from .model import ThreadSummary
from .query import cwd_matcher, normalize_path
from .storage import source_kind

ACTIONS = ("archive", "delete")
STATES = ("active", "archived", "any")

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")
_DURATION_UNITS = {
    "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1),
    # Months and years as the calendar averages them: "6m" is about half a year.
    "m": timedelta(days=30.436875), "y": timedelta(days=365.2425),
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(i?[bB])?\s*$")
_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


class PruneError(StoreError):
    """A rule that cannot be applied as given (exit status 2 on the command line)."""


def parse_duration(text: str) -> timedelta:
    """"90d", "6m" (months), "2w", "1y", "12h"; a bare number is days."""
    match = _DURATION.match(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in {"", *_DURATION_UNITS}:
        raise PruneError(f"not a duration: {text!r} (e.g. 90d, 6m, 2w, 1y, 12h)")
    return float(match.group(1)) * _DURATION_UNITS[unit or "d"]


def parse_size(text: str) -> int:
    """"500K", "10M", "1.5G", "10MiB", "10MB" (units of 1024, as `du` and `find` count); a
    bare number is bytes."""
    match = _SIZE.match(text)
    if match is None:
        raise PruneError(f"not a size: {text!r} (e.g. 500K, 10M, 1.5G)")
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()])


class PruneRule(NamedTuple):
    action: str  # "archive" | "delete"
    older_than: timedelta | None = None  # last activity (updated_at) before now - this
    larger_than: int | None = None  # bytes of all the thread's files
    cwd: str | None = None  # None: every directory
    sources: frozenset[str] | None = None  # kinds (storage.source_kind) or labels
    state: str | None = None  # "active" | "archived" | "any"; None: the action's default
    include_active: bool = False  # deleting active sessions was asked for explicitly

    def checked(self) -> PruneRule:
        """The rule with its state settled, or a PruneError saying what is missing."""
        if self.action not in ACTIONS:
            raise PruneError(f"unknown action {self.action!r} (archive or delete)")
        state = self.state
        if state is not None and state not in STATES:
            raise PruneError(f"unknown state {state!r} (active, archived or any)")
        if self.action == "archive":
            if state == "archived":
                raise PruneError("archived sessions are already archived: "
                                 "--archive takes active sessions")
            state = "active"
        elif state is None:
            state = "any" if self.include_active else "archived"
        elif state in ("active", "any") and not self.include_active:
            raise PruneError("deleting active (unarchived) sessions needs --include-active "
                             "as well (there is no undo)")
        return self._replace(state=state)


def matches(summary: ThreadSummary, rule: PruneRule, now: datetime,
            spellings: set[str] | None = None) -> bool:
    """Whether the (checked) rule selects this session."""
    if rule.state == "active" and summary.archived:
        return False
    if rule.state == "archived" and not summary.archived:
        return False
    # (No known activity time: not known to be old, so left alone.)
    if rule.older_than is not None and (summary.updated_at is None
                                        or summary.updated_at >= now - rule.older_than):
        return False
    if rule.larger_than is not None and (summary.size is None
                                         or summary.size <= rule.larger_than):
        return False
    if spellings is not None and (summary.cwd is None
                                  or normalize_path(summary.cwd) not in spellings):
        return False
    if rule.sources is not None:
        label = summary.source or "unknown"
        if label not in rule.sources and source_kind(summary.source) not in rule.sources:
            return False
    return True


def select(summaries: Iterable[ThreadSummary], rule: PruneRule,
           now: datetime) -> list[ThreadSummary]:
    """The sessions the rule acts on, oldest activity first (the order they are written)."""
    rule = rule.checked()
    spellings = cwd_matcher(rule.cwd) if rule.cwd is not None else None
    chosen = [s for s in summaries if matches(s, rule, now, spellings)]
    chosen.sort(key=lambda s: (s.updated_at is None, s.updated_at or now, s.id))
    return chosen
