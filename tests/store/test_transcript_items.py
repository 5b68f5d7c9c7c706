"""Record kinds the real-CLI fixtures don't contain, built from the shapes in the spec (§2)."""

from __future__ import annotations

import json

from support.records import ev, records, ri, user

from codex_tui.store.model import Patch, Reasoning, ToolCall, WebSearch
from codex_tui.store.transcript import build_turns


def test_mcp_call_from_the_event_and_from_the_item():
    turns = build_turns(records(
        user("look it up"),
        ev({"type": "mcp_tool_call_end", "call_id": "c1",
            "invocation": {"server": "docs", "tool": "search", "arguments": {"q": "x"}},
            "duration": {"secs": 1, "nanos": 500_000_000},
            "result": {"Ok": {"content": [{"type": "text", "text": "found it"}]}}}),
        ev({"type": "item_completed", "item": {
            "type": "McpToolCall", "id": "c2", "server": "git", "tool": "log",
            "arguments": {"n": 3}, "status": "failed", "error": {"message": "boom"}}}),
    )).turns
    [first, second] = [i for i in turns[0].items if isinstance(i, ToolCall)]
    assert (first.name, first.command, first.output, first.duration_ms) == \
        ("docs.search", '{"q":"x"}', "found it", 1500)
    assert (second.name, second.command, second.status) == ("git.log", '{"n":3}', "failed")
    assert "boom" in (second.output or "")


def test_apply_patch_and_its_end_event_are_one_patch():
    patch_text = "*** Begin Patch\n*** Update File: src/a.rs\n@@\n-a\n+b\n*** End Patch\n"
    turns = build_turns(records(
        user("fix it"),
        ri({"type": "custom_tool_call", "call_id": "p1", "name": "apply_patch",
            "input": patch_text}),
        ev({"type": "patch_apply_end", "call_id": "p1", "success": True,
            "stdout": "Success.\n", "stderr": "",
            "changes": {"/p/src/a.rs": {"type": "update", "unified_diff": "@@\n-a\n+b\n"}}}),
        ri({"type": "custom_tool_call_output", "call_id": "p1", "output": "Success.\n"}),
    )).turns
    [patch] = [i for i in turns[0].items if isinstance(i, Patch)]
    assert patch.patch == patch_text
    assert [(f.path, f.change) for f in patch.files] == [("src/a.rs", "update")]
    assert patch.success is True
    assert patch.output == "Success.\n"


def test_shell_call_and_its_exec_end_event_are_one_tool_call():
    turns = build_turns(records(
        user("run it"),
        ri({"type": "function_call", "name": "shell", "call_id": "s1",
            "arguments": json.dumps({"command": ["bash", "-lc", "make test"]})}),
        ev({"type": "exec_command_end", "call_id": "s1", "command": ["bash", "-lc", "make test"],
            "aggregated_output": "1 failed\n", "exit_code": 2,
            "duration": {"secs": 0, "nanos": 250_000_000}}),
        ri({"type": "function_call_output", "call_id": "s1",
            "output": json.dumps({"output": "1 failed\n", "metadata": {"exit_code": 2}})}),
    )).turns
    [call] = [i for i in turns[0].items if isinstance(i, ToolCall)]
    assert (call.command, call.output, call.exit_code, call.duration_ms) == \
        ("make test", "1 failed\n", 2, 250)


def test_web_search_call_and_end_are_one_web_search():
    turns = build_turns(records(
        user("search"),
        ri({"type": "web_search_call", "id": "w1", "status": "completed",
            "action": {"type": "search", "query": "rust serde flatten"}}),
        ev({"type": "web_search_end", "call_id": "w1", "query": "rust serde flatten"}),
    )).turns
    [search] = turns[0].items[1:]
    assert isinstance(search, WebSearch)
    assert (search.action, search.query, search.status) == \
        ("search", "rust serde flatten", "completed")


def test_rollback_drops_the_last_user_turns_and_is_noted():
    result = build_turns(records(
        user("one"), ev({"type": "agent_message", "message": "1"}),
        user("two"), ev({"type": "agent_message", "message": "2"}),
        user("three"), ev({"type": "agent_message", "message": "3"}),
        ev({"type": "thread_rolled_back", "num_turns": 2}),
        user("two again"), ev({"type": "agent_message", "message": "2b"}),
    ))
    assert [t.user_message for t in result.turns] == ["one", "two again"]
    assert result.rolled_back == 2
    assert any(i.kind == "note" and "rolled back 2" in i.text for i in result.turns[0].items)


def test_reasoning_events_win_over_their_response_item_twins():
    turns = build_turns(records(
        user("think"),
        ev({"type": "agent_reasoning", "text": "**Plan** first"}),
        ri({"type": "reasoning", "summary": [{"type": "summary_text", "text": "**Plan** first"}]}),
    )).turns
    assert [i.text for i in turns[0].items if isinstance(i, Reasoning)] == ["**Plan** first"]
