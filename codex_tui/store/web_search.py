"""Web searches: one item per search, however many records describe it.

Codex writes a search as a `web_search_call` response item and a `web_search_end` event
(paginated files add an `item_completed` WebSearch item). Their order varies by release (the
event can come first), and releases before ~0.130 wrote the response item without its `id`
(`#[serde(skip_serializing)]`), so ids alone cannot pair them. Within a turn a record joins
the first search that has no record of its source yet, whose id does not contradict its own
and whose detail (what Codex displays: the query, the URL, "'pattern' in url") does not
contradict its own; otherwise it is a new search.

`action` (models.rs `WebSearchAction`, snake_case; the app-server writes camelCase):
`{"type":"search","query"?,"queries"?}`, `{"type":"open_page","url"?}`,
`{"type":"find_in_page","url"?,"pattern"?}`, `{"type":"other"}`; older calls carry `{}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import fields as f
from .items import Item, WebSearch

_ACTIONS = {"openPage": "open_page", "findInPage": "find_in_page"}

CALL, END, ITEM = "call", "end", "item"  # the records that can describe one search


@dataclass(slots=True)
class _Seen:
    sources: set[str] = field(default_factory=set)
    end_query: str | None = None  # the event's `query`: Codex's display detail


def action_detail(action: str | None, query: str | None, queries: list[str],
                  url: str | None, pattern: str | None) -> str:
    """The one line Codex shows for an action (core `web_search_action_detail`)."""
    if action == "open_page":
        return url or ""
    if action == "find_in_page":
        if pattern and url:
            return f"'{pattern}' in {url}"
        return f"'{pattern}'" if pattern else url or ""
    if query:
        return query
    if queries:
        return queries[0] + (" ..." if len(queries) > 1 else "")
    return ""


def _parse_action(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    typ = f.s(value, "type")
    queries = [q for q in f.lst(value, "queries") if isinstance(q, str)]
    return {
        "action": _ACTIONS.get(typ, typ) if typ else None,
        "query": f.s(value, "query") or None,
        "queries": queries,
        "url": f.s(value, "url") or None,
        "pattern": f.s(value, "pattern") or None,
    }


class WebSearches:
    """The searches of one turn, added to the turn's `items` as their records come."""

    def __init__(self, items: list[Item]) -> None:
        self._items = items
        self._searches: list[tuple[WebSearch, _Seen]] = []

    def add_call(self, payload: dict[str, Any]) -> None:
        """A `web_search_call` response item."""
        info = _parse_action(payload.get("action"))
        search = self._join(CALL, f.s(payload, "id") or f.s(payload, "call_id"), info, None)
        search.status = f.s(payload, "status") or search.status

    def add_end(self, payload: dict[str, Any]) -> None:
        """A `web_search_end` event: `call_id`, `query` (the detail), and in newer releases
        the `action`."""
        info = _parse_action(payload.get("action"))
        self._join(END, f.s(payload, "call_id"), info, f.s(payload, "query"))

    def add_item(self, item: dict[str, Any]) -> None:
        """An `item_completed` WebSearch item: `id`, `query` (the detail), `action`."""
        info = _parse_action(item.get("action"))
        self._join(ITEM, f.s(item, "id"), info, f.s(item, "query"))

    def _join(self, source: str, call_id: str | None, info: dict[str, Any],
              detail_query: str | None) -> WebSearch:
        detail = action_detail(info.get("action"), info.get("query"), info.get("queries", []),
                               info.get("url"), info.get("pattern")) or (detail_query or "")
        found = None
        if call_id:
            found = next((pair for pair in self._searches if pair[0].call_id == call_id), None)
        if found is None:
            found = next((pair for pair in self._searches
                          if source not in pair[1].sources
                          and not (call_id and pair[0].call_id)
                          and _compatible(detail, _detail(*pair))), None)
        if found is None:
            found = (WebSearch(call_id), _Seen())
            self._searches.append(found)
            self._items.append(found[0])
        search, seen = found
        seen.sources.add(source)
        search.call_id = search.call_id or call_id
        if detail_query and not seen.end_query:
            seen.end_query = detail_query
        _merge(search, info)
        _settle_query(search, seen)
        return search


def _merge(search: WebSearch, info: dict[str, Any]) -> None:
    action = info.get("action")
    if action and (search.action in (None, "other") or action == search.action):
        search.action = action
    search.query = search.query or info.get("query")
    search.queries = search.queries or info.get("queries", [])
    search.url = search.url or info.get("url")
    search.pattern = search.pattern or info.get("pattern")


def _settle_query(search: WebSearch, seen: _Seen) -> None:
    """Without a query in any action, a search's query is the event's `query` (releases
    before the action was added to the event wrote only that); for opened pages and finds
    that text is the URL or pattern again, so it is not repeated as a query."""
    if search.query or search.queries or not seen.end_query:
        return
    if search.action in (None, "search", "other"):
        search.query = seen.end_query


def _detail(search: WebSearch, seen: _Seen) -> str:
    return action_detail(search.action, search.query, search.queries, search.url,
                         search.pattern) or (seen.end_query or "")


def _compatible(a: str, b: str) -> bool:
    """Two details describe the same search unless both are known and differ."""
    return not a or not b or " ".join(a.split()) == " ".join(b.split())


def describe(search: WebSearch) -> tuple[str, list[str]]:
    """(what was done, the texts it was done with) for display: the queries of a search,
    the URL of an opened page, the pattern and URL of a find."""
    if search.action == "open_page":
        return "open page", [search.url] if search.url else []
    if search.action == "find_in_page":
        return "find in page", [x for x in (search.pattern, search.url) if x]
    texts = [search.query] if search.query else []
    texts += [q for q in search.queries if q and q not in texts]
    if search.action not in (None, "search", "other"):
        return f"web search ({search.action})", texts
    return "web search", texts


def display_line(search: WebSearch) -> str:
    """The search as one line: `web search: q1 · q2`, `find in page: 'p' in url`."""
    label, texts = describe(search)
    if search.action == "find_in_page" and search.pattern and search.url:
        return f"{label}: '{search.pattern}' in {search.url}"
    return f"{label}: {' · '.join(texts)}" if texts else label


def index_text(search: WebSearch) -> str:
    """What the transcript search index finds a search by: its queries, URL and pattern."""
    return "\n".join(describe(search)[1])
