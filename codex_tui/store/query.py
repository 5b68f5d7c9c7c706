"""Filtering, sorting and fuzzy search of thread summaries, shared by every ThreadStore."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import NamedTuple

from .model import ThreadSummary
from .search import match_fields


class ThreadQuery(NamedTuple):
    """Which threads a listing shows and in what order: the one place that decides it, for
    the CLI, every store and every screen (`matcher()` and `sort_key()`)."""

    cwd: str | None = None  # None: every directory
    archived: bool | None = False  # None: active and archived alike
    sort: str = "updated"  # "updated" | "created"
    search: str | None = None
    sources: frozenset[str] | None = None  # None: every source
    limit: int | None = None
    all_sources: bool = True  # False: sub-agent, review and memory threads are left out
    home: str | None = None  # only this machine or home's threads (None: every one)

    def in_cwd(self) -> Callable[[str | None], bool]:
        """Whether a recorded working directory is this query's (any, when cwd is None): a
        session's cwd may be spelled as given or with symlinks resolved."""
        if self.cwd is None:
            return _any_cwd
        spellings = cwd_matcher(self.cwd) if self.cwd else set()  # "": no directory at all
        return lambda cwd: cwd is not None and normalize_path(cwd) in spellings

    def matcher(self) -> Callable[[ThreadSummary], bool]:
        """`matches` for many summaries: the cwd's spellings are resolved once, here."""
        in_cwd = None if self.cwd is None else self.in_cwd()
        archived, sources, all_sources, home = (self.archived, self.sources,
                                                self.all_sources, self.home)
        search = self.search

        def matches(s: ThreadSummary) -> bool:
            if archived is not None and s.archived != archived:
                return False
            if home is not None and s.home != home:
                return False
            if not all_sources and not visible_source(s.source, False):
                return False
            if sources is not None and (s.source or "unknown") not in sources:
                return False
            if in_cwd is not None and not in_cwd(s.cwd):
                return False
            return not search or search_score(s, search) is not None

        return matches

    def matches(self, summary: ThreadSummary) -> bool:
        """Whether the listing shows `summary` (for one; `matcher()` for many)."""
        return self.matcher()(summary)

    def sort_key(self) -> Callable[[ThreadSummary], tuple[float, str]]:
        """The key of the listing's order, newest first when sorted by it in reverse: the
        sort time (no time: the epoch), then the id, so that the order is total."""
        if self.sort == "created":
            return _created_key
        return _updated_key

    def without_search(self) -> ThreadQuery:
        """The same rows before any search and limit (what a screen keeps between keys)."""
        return self._replace(search=None, limit=None)


class ListFilters(NamedTuple):
    """The toggles of a listing screen (and of the CLI that opens one): which directory,
    status, order, sources and home. `query(cwd)` says what they mean, as a ThreadQuery."""

    all_dirs: bool = False
    archived: bool = False
    sort: str = "updated"  # "updated" | "created"
    all_sources: bool = False
    home: str | None = None  # only this machine or home's sessions (None: every one)

    def query(self, cwd: str | None) -> ThreadQuery:
        return ThreadQuery(cwd=None if self.all_dirs else cwd or "", archived=self.archived,
                           sort=self.sort, all_sources=self.all_sources, home=self.home)


def _any_cwd(cwd: str | None) -> bool:
    return True


def _updated_key(s: ThreadSummary) -> tuple[float, str]:
    return (s.updated_at.timestamp() if s.updated_at else 0.0, s.id)


def _created_key(s: ThreadSummary) -> tuple[float, str]:
    return (s.created_at.timestamp() if s.created_at else 0.0, s.id)


HIDDEN_SOURCE_PREFIXES = ("subagent", "internal")


def visible_source(source: str | None, all_sources: bool) -> bool:
    """Interactive and exec sessions by default; sub-agent, review and memory threads only
    when asked for."""
    return all_sources or not (source or "").startswith(HIDDEN_SOURCE_PREFIXES)


def normalize_path(path: str) -> str:
    return os.path.normpath(path) if path else path


def cwd_matcher(cwd: str) -> set[str]:
    """The spellings of `cwd` a session may have recorded: as given and symlinks resolved."""
    spellings = {normalize_path(os.path.abspath(cwd))}
    with contextlib.suppress(OSError):
        spellings.add(os.path.realpath(cwd))
    return spellings


ID_FIELD = frozenset({4})  # ids match by substring only: subsequences of hex are noise


def search_fields(summary: ThreadSummary) -> list[str | None]:
    """What a search looks at, in the order screens show it."""
    return [summary.title, summary.name, summary.cwd, summary.git_branch, summary.id]


def search_score(summary: ThreadSummary, query: str) -> float | None:
    """How well `query` matches the thread's title, name, cwd, branch or id, or None."""
    found = match_fields(query, search_fields(summary), exact=ID_FIELD)
    return None if found is None else found[0]


def apply_query(summaries: list[ThreadSummary], query: ThreadQuery) -> list[ThreadSummary]:
    out = list(filter(query.matcher(), summaries))
    out.sort(key=query.sort_key(), reverse=True)
    if query.limit is not None:
        out = out[: query.limit]
    return out
