"""Property tests for the parsers of record shapes: the pairing of web search records."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from test_transcript_items import ev, records, ri, user

from codex_tui.store.model import WebSearch
from codex_tui.store.transcript import build_turns


@settings(max_examples=200, deadline=None)
@given(data=st.data(), n=st.integers(1, 5))
def test_each_search_is_one_item_whatever_the_order(data, n):
    """Searches of distinct queries, each written as a call (with or without its id) and an
    event, all records in any order."""
    lines = []
    for k in range(n):
        query = f"query {k}"
        action = {"type": "search", "query": query}
        call = {"type": "web_search_call", "status": "completed", "action": action}
        if data.draw(st.booleans(), label=f"call {k} has its id"):
            call["id"] = f"ws_{k}"
        end = {"type": "web_search_end", "call_id": f"ws_{k}", "query": query}
        pair = [ri(call), ev(end)]
        lines += pair if data.draw(st.booleans(), label=f"call {k} first") else pair[::-1]
    lines = data.draw(st.permutations(lines), label="order")
    items = build_turns(records(user("q"), *lines)).turns[0].items[1:]
    assert all(isinstance(i, WebSearch) for i in items)
    assert sorted((i.call_id, i.query) for i in items) == \
        [(f"ws_{k}", f"query {k}") for k in range(n)]
