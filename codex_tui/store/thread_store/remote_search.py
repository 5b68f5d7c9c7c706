"""Transcript search on an app-server's home: Codex's own `thread/search` (its index of
every thread's messages), one result per thread with the matching snippet.

The server does not say which turn matched: hits carry turn 0 ("not known"), and a screen
opening one finds the turn from the snippet (`locate_snippet`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from ..text_index import TextHit, TextSearchResult, make_excerpt
from .convert import ALL_SOURCE_KINDS
from .jsonrpc import AppServerError, MethodNotFound

if TYPE_CHECKING:
    from ..items import Turn
    from .appserver import AppServerThreadStore


def search_text(store: AppServerThreadStore, query: str, limit: int,
                threads: Collection[str] | None) -> TextSearchResult:
    words = list(dict.fromkeys(query.split()))
    result = TextSearchResult(query, [], mode="thread/search")
    if not words or (threads is not None and not threads):
        return result
    hits: list[TextHit] = []
    for archived in (False, True):
        try:
            answer = store.client.request("thread/search", {
                "searchTerm": query.strip(), "limit": limit + 1, "archived": archived,
                "sourceKinds": ALL_SOURCE_KINDS})
        except MethodNotFound:
            result.error = (f"{store.label} has no transcript search (thread/search needs "
                            "a newer Codex there)")
            return result
        except AppServerError as exc:
            result.error = f"{store.label}: {exc}"
            return result
        for entry in (answer or {}).get("data") or []:
            thread = entry.get("thread") if isinstance(entry, dict) else None
            snippet = entry.get("snippet") if isinstance(entry, dict) else None
            if not isinstance(thread, dict) or not isinstance(snippet, str):
                continue
            thread_id = str(thread.get("id") or "").lower()
            if not thread_id or (threads is not None and thread_id not in threads):
                continue
            updated = thread.get("updatedAt")
            ts = float(updated) if isinstance(updated, int | float) else None
            excerpt, positions = make_excerpt(snippet, words)
            hits.append(TextHit(thread_id, 0, "message", ts, snippet, excerpt, positions))
    result.more = len(hits) > limit
    result.hits = hits[:limit]
    result.notes.append(f"searched by {store.label} (thread/search): one match per session")
    return result


def locate_snippet(turns: Sequence[Turn], snippet: str) -> int | None:
    """The turn whose message or command holds `snippet` (whitespace aside)."""
    want = " ".join(snippet.split())
    if not want:
        return None
    for turn in turns:
        for item in turn.items:
            text = getattr(item, "text", None) or getattr(item, "command", None)
            if isinstance(text, str) and want in " ".join(text.split()):
                return turn.index
    return None
