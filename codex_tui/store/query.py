"""Filtering, sorting and fuzzy search of thread summaries, shared by every ThreadStore."""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from typing import NamedTuple

from .model import ThreadSummary
from .search import match_fields

_EPOCH = datetime.fromtimestamp(0, UTC)


class ThreadQuery(NamedTuple):
    cwd: str | None = None  # None: every directory
    archived: bool = False
    sort: str = "updated"  # "updated" | "created"
    search: str | None = None
    sources: frozenset[str] | None = None  # None: every source
    limit: int | None = None


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
    spellings = cwd_matcher(query.cwd) if query.cwd is not None else None
    out: list[ThreadSummary] = []
    for s in summaries:
        if s.archived != query.archived:
            continue
        if spellings is not None and (s.cwd is None or normalize_path(s.cwd) not in spellings):
            continue
        if query.sources is not None and (s.source or "unknown") not in query.sources:
            continue
        if query.search and search_score(s, query.search) is None:
            continue
        out.append(s)
    if query.sort == "created":
        out.sort(key=lambda s: (s.created_at or _EPOCH, s.id), reverse=True)
    else:
        out.sort(key=lambda s: (s.updated_at or _EPOCH, s.id), reverse=True)
    if query.limit is not None:
        out = out[: query.limit]
    return out
