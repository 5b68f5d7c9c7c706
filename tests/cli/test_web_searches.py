"""Web searches: one item per search, whatever records describe it and in whatever order
(tests/fixtures/shapes/...0001 and hand-built records), in the JSON, the Markdown, the HTML
and the transcript search index."""

from __future__ import annotations

from support.cli import run, run_json
from support.html import page_of, parse
from support.records import ev, records, ri, user

from codex_tui.store.model import ToolCall, WebSearch
from codex_tui.store.text_index import thread_rows
from codex_tui.store.transcript import build_turns
from codex_tui.store.web_search import display_line

SEARCHES = "01990100-0000-7000-8000-000000000001"
PAGE = "https://github.com/serde-rs/serde/releases"


def searches(*lines: dict) -> list[WebSearch]:
    items = [i for t in build_turns(records(user("q"), *lines)).turns for i in t.items]
    assert not any(isinstance(i, ToolCall) for i in items)
    return [i for i in items if isinstance(i, WebSearch)]


def fields(s: WebSearch) -> tuple:
    return (s.call_id, s.action, s.query, s.queries, s.url, s.pattern)


def test_the_call_without_id_and_its_event_are_one_search():
    [s] = searches(
        ri({"type": "web_search_call", "status": "completed",
            "action": {"type": "search", "query": "rust serde flatten"}}),
        ev({"type": "web_search_end", "call_id": "ws_1", "query": "rust serde flatten"}))
    assert fields(s) == ("ws_1", "search", "rust serde flatten", [], None, None)
    assert s.status == "completed"


def test_the_event_first_and_the_call_with_its_id_are_one_search():
    action = {"type": "search", "query": "argus", "queries": ["argus"]}
    [s] = searches(
        ev({"type": "web_search_end", "call_id": "ws_9", "query": "argus", "action": action}),
        ri({"type": "web_search_call", "id": "ws_9", "status": "completed", "action": action}))
    assert fields(s) == ("ws_9", "search", "argus", ["argus"], None, None)


def test_an_empty_action_takes_the_query_of_its_event():
    """0.13x: `"action": {}` on the call, the query only in the event."""
    [s] = searches(
        ri({"type": "web_search_call", "status": "completed", "action": {}}),
        ev({"type": "web_search_end", "call_id": "c", "query": "q", "action": {}}))
    assert (s.call_id, s.action, s.query) == ("c", None, "q")


def test_open_page_and_find_in_page_keep_url_and_pattern_not_a_query():
    opened, found = searches(
        ri({"type": "web_search_call", "action": {"type": "open_page", "url": PAGE}}),
        ev({"type": "web_search_end", "call_id": "a", "query": PAGE}),
        ev({"type": "web_search_end", "call_id": "b", "query": f"'1.0' in {PAGE}",
            "action": {"type": "findInPage", "url": PAGE, "pattern": "1.0"}}),
        ri({"type": "web_search_call", "action": {"type": "find_in_page", "url": PAGE,
                                                   "pattern": "1.0"}}))
    assert fields(opened) == ("a", "open_page", None, [], PAGE, None)
    assert fields(found) == ("b", "find_in_page", None, [], PAGE, "1.0")
    assert display_line(found) == f"find in page: '1.0' in {PAGE}"


def test_different_searches_stay_apart():
    """Two calls without ids and their two events pair in order; a detail that does not
    match, or two different ids, never pair."""
    found = searches(
        ri({"type": "web_search_call", "action": {"type": "search", "query": "one"}}),
        ri({"type": "web_search_call", "action": {"type": "search", "query": "two"}}),
        ev({"type": "web_search_end", "call_id": "w2", "query": "two"}),
        ev({"type": "web_search_end", "call_id": "w1", "query": "one"}),
        ri({"type": "web_search_call", "id": "w3", "action": {"type": "search", "query": "x"}}),
        ev({"type": "web_search_end", "call_id": "w4", "query": "x"}),
        ev({"type": "web_search_end", "call_id": "w5", "query": "same"}),
        ev({"type": "web_search_end", "call_id": "w6", "query": "same"}))
    assert [(s.call_id, s.query) for s in found] == [
        ("w1", "one"), ("w2", "two"), ("w3", "x"), ("w4", "x"), ("w5", "same"), ("w6", "same")]


def test_the_paginated_item_joins_its_call_and_event():
    action = {"type": "search", "query": "tokio select"}
    [s] = searches(
        ri({"type": "web_search_call", "id": "ws_5", "status": "completed", "action": action}),
        ev({"type": "web_search_end", "call_id": "ws_5", "query": "tokio select",
            "action": action}),
        ev({"type": "item_completed", "item": {"type": "WebSearch", "id": "ws_5",
                                               "query": "tokio select", "action": action}}))
    assert fields(s) == ("ws_5", "search", "tokio select", [], None, None)


def test_show_json_has_each_search_once(shapes_home, capsys):
    shown = run_json(capsys, "--codex-home", str(shapes_home), "show", SEARCHES, "--json")
    turns = [[i for i in t["items"] if i["kind"] in ("web_search", "tool_call")]
             for t in shown["turns"]]
    assert [[(i["kind"], i["action"], i["query"], i["queries"], i["url"], i["pattern"])
             for i in items] for items in turns] == [
        [("web_search", "search", "serde 1.0.220 release notes", [], None, None),
         ("web_search", "open_page", None, [], PAGE, None),
         ("web_search", "find_in_page", None, [], PAGE, "1.0.220")],
        [("web_search", "search", "serde flatten enum",
          ["serde flatten enum", "serde untagged enum example"], None, None),
         ("web_search", "search", None,
          ["serde internally tagged enum", "serde adjacently tagged"], None, None),
         ("web_search", "open_page", None, [], "https://serde.rs/enum-representations.html",
          None),
         ("web_search", "find_in_page", None, [], "https://serde.rs/enum-representations.html",
          "#[serde(tag"),
         ("web_search", "other", "serde_with flatten", [], None, None)],
    ]
    assert [i["call_id"] for i in shown["turns"][0]["items"] if i["kind"] == "web_search"] == \
        ["ws_0a1", "ws_0a2", "ws_0a3"]
    assert shown["warnings"] == []


def test_markdown_shows_queries_urls_and_patterns_literally(shapes_home, capsys):
    code, out, _ = run(capsys, "--codex-home", str(shapes_home), "show", SEARCHES, "--markdown")
    assert code == 0
    assert "**Web search:** `serde 1.0.220 release notes`" in out
    assert f"**Open page:** `{PAGE}`" in out
    assert f"**Find in page:** `1.0.220` in `{PAGE}`" in out
    assert "**Web search:** `serde flatten enum` · `serde untagged enum example`" in out
    assert "**Find in page:** `#[serde(tag` in `https://serde.rs/enum-representations.html`" \
        in out
    assert "```sh\n```" not in out  # the blank command block of a duplicate
    assert out.count("serde 1.0.220 release notes") == 1


def test_html_shows_each_search_once(shapes_home):
    page = page_of(shapes_home, SEARCHES)
    tags = parse(page)
    rows = [a for t, a in tags.tags if t == "p" and a.get("class") == "search"]
    assert len(rows) == 8
    assert page.count("serde 1.0.220 release notes") == 1
    assert "<code>#[serde(tag</code> in <code>https://serde.rs/enum-representations.html" \
        "</code>" in page


def test_the_search_index_has_each_search_once(shapes_home):
    from codex_tui.store import LocalThreadStore

    thread = LocalThreadStore(str(shapes_home), cache=False).read_thread(SEARCHES)
    rows = [(turn, kind, text) for turn, kind, _, text in thread_rows(thread)
            if kind == "search"]
    assert rows == [
        (1, "search", "serde 1.0.220 release notes"),
        (1, "search", PAGE),
        (1, "search", f"1.0.220\n{PAGE}"),
        (2, "search", "serde flatten enum\nserde untagged enum example"),
        (2, "search", "serde internally tagged enum\nserde adjacently tagged"),
        (2, "search", "https://serde.rs/enum-representations.html"),
        (2, "search", "#[serde(tag\nhttps://serde.rs/enum-representations.html"),
        (2, "search", "serde_with flatten"),
    ]
    assert not any(kind == "command" for _, kind, _, _ in thread_rows(thread))

