"""Records Codex writes that used to show as unknown or be dropped silently: each is known,
shown where a reader wants it (an item, a note, a count), and never reported as unknown.

Fixtures: real Codex 0.171.0 output in tests/fixtures/codex-0.171-home, hand-made shapes in
tests/fixtures/shapes-home (see their READMEs).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.homes import FIXTURES
from support.transcripts import screen

from codex_tui.cli import main
from codex_tui.store import LocalThreadStore
from codex_tui.store.model import Compaction, Note, Thread, ToolCall, Unknown

REAL = FIXTURES / "codex-0.171-home"
SHAPES = FIXTURES / "shapes-home"

EXEC_3_TURNS = "01a24de3-5d1e-7492-b4d8-5511905173e6"  # exec, resumed twice (3 processes)
SPAWNER = "01a24de4-fab6-7710-b63e-fcc476c9d5a0"  # exec turn that spawned a sub-agent
LEGACY = "01a24de7-98ba-7cf0-a704-cdb369bc4ff1"  # app-server legacy: run, image, spawn, compact
PAGINATED = "01a24ded-81a6-79b0-8671-f44fb1730f6d"  # run, compact, view image
VIEW_IMAGE_LEGACY = "01990a04-0000-7000-8000-00000000a104"
GHOST = "01990a05-0000-7000-8000-00000000a105"
TOOL_SEARCH = "01990a06-0000-7000-8000-00000000a106"
ID_ALLOCATION = "01a24e00-0000-7000-8000-00000000a107"
BARE_XML = "5e7a2a01-8c1d-4f0e-9a55-0d2a2025cafe"
ZETA = "/home/dev/src/zeta"


def items_of(thread: Thread, kind: type) -> list:
    return [i for t in thread.turns for i in t.items if isinstance(i, kind)]


def show_json(home: Path, thread_id: str, capsys) -> dict:
    assert main(["--codex-home", str(home), "show", thread_id, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def markdown(home: Path, thread_id: str, capsys) -> str:
    assert main(["--codex-home", str(home), "show", thread_id, "--markdown"]) == 0
    return capsys.readouterr().out


# ---- view_image --------------------------------------------------------------------------


def test_view_image_legacy_event_shows_the_path_and_the_image(shapes_store, capsys):
    thread = shapes_store.read_thread(VIEW_IMAGE_LEGACY)
    (call,) = items_of(thread, ToolCall)
    assert (call.name, call.command, call.output) == (
        "view_image", "/home/dev/src/eta/shot.png", "[image]")
    assert not items_of(thread, Unknown) and thread.problems == []
    assert "⚙ view_image /home/dev/src/eta/shot.png" in screen(thread)
    assert "│ [image]" in screen(thread)
    assert "(no output)" not in screen(thread)
    doc = show_json(Path(shapes_store.codex_home), VIEW_IMAGE_LEGACY, capsys)
    (item,) = [i for i in doc["turns"][0]["items"] if i["kind"] == "tool_call"]
    assert (item["name"], item["command"], item["output"]) == (
        "view_image", "/home/dev/src/eta/shot.png", "[image]")
    assert doc["warnings"] == []


@pytest.mark.parametrize("thread_id, turn", [(PAGINATED, 2), (LEGACY, 1)])
def test_view_image_in_real_0_171_sessions(store_0171, thread_id, turn):
    """Paginated: an ImageView turn item (a file:// URI); legacy: the function call alone."""
    thread = store_0171.read_thread(thread_id)
    (call,) = [i for i in thread.turns[turn].items if isinstance(i, ToolCall)]
    assert (call.name, call.command, call.output) == ("view_image", f"{ZETA}/pic.png", "[image]")
    assert not any(isinstance(i, Note) and i.label == "image" for i in thread.turns[turn].items)


# ---- tool search, ghost snapshots, settings ----------------------------------------------


def test_tool_search_is_a_call_with_the_tools_it_found(shapes_store, capsys):
    thread = shapes_store.read_thread(TOOL_SEARCH)
    search, event = items_of(thread, ToolCall)
    assert (search.name, search.command, search.output, search.status) == (
        "tool_search", "calendar event", "found calendar.create_event, calendar.list_events",
        "completed")
    assert json.loads(search.arguments) == {"query": "calendar event", "limit": 3}
    assert (event.name, event.output) == ("create_event", "created event 42")
    assert "found calendar.create_event, calendar.list_events" in markdown(
        Path(shapes_store.codex_home), TOOL_SEARCH, capsys)


def test_ghost_snapshot_is_a_note_naming_its_commit(shapes_store, capsys):
    thread = shapes_store.read_thread(GHOST)
    (note,) = items_of(thread, Note)
    assert (note.label, note.text) == ("snapshot", "undo snapshot, git commit 9f8e7d6c5b4a")
    assert "· snapshot: undo snapshot, git commit 9f8e7d6c5b4a" in screen(thread)
    assert "*snapshot:* undo snapshot, git commit 9f8e7d6c5b4a" in markdown(
        Path(shapes_store.codex_home), GHOST, capsys)


def test_each_application_of_thread_settings_is_a_note(store_0171):
    """`codex exec resume` applies the thread's settings in each process: three notes."""
    thread = store_0171.read_thread(EXEC_3_TURNS)
    notes = [(t.index, i.text) for t in thread.turns for i in t.items
             if isinstance(i, Note) and i.label == "settings"]
    assert notes == [(n, f"model mock-model, approvals never, permissions :workspace, in {ZETA}")
                     for n in (1, 2, 3)]
    assert "· settings: model mock-model, approvals never" in screen(thread, 120)


# ---- counted records ---------------------------------------------------------------------


def test_bookkeeping_records_are_counted_not_shown(store_0171, shapes_store, capsys):
    doc = show_json(Path(store_0171.codex_home), EXEC_3_TURNS, capsys)
    assert doc["thread"]["bookkeeping"] == {"world_state": 1, "turn_context": 3,
                                            "token_usage_record": 5}
    doc = show_json(Path(shapes_store.codex_home), ID_ALLOCATION, capsys)
    assert doc["thread"]["bookkeeping"] == {"id_allocation": 1}
    assert doc["warnings"] == []
    assert [i["kind"] for i in doc["turns"][0]["items"]] == ["user_message", "agent_message"]
    doc = show_json(Path(shapes_store.codex_home), BARE_XML, capsys)
    assert doc["thread"]["bookkeeping"] == {"state": 4}


# ---- compaction --------------------------------------------------------------------------


@pytest.mark.parametrize("thread_id, turn", [(PAGINATED, 1), (LEGACY, 3)])
def test_compaction_shows_its_window_number_once(store_0171, thread_id, turn):
    thread = store_0171.read_thread(thread_id)
    compactions = [i for i in thread.turns[turn].items if isinstance(i, Compaction)]
    assert len(compactions) == 1  # the compacted record and its twin are one compaction
    assert compactions[0].window_number == 1
    assert compactions[0].message and compactions[0].message.startswith("Another language model")
    assert "⇲ context compacted · window 1" in screen(thread)


def test_compaction_window_in_markdown_and_json(store_0171, capsys):
    assert "**Context compacted** (window 1)" in markdown(Path(store_0171.codex_home), PAGINATED,
                                                          capsys)
    doc = show_json(Path(store_0171.codex_home), PAGINATED, capsys)
    (item,) = [i for i in doc["turns"][1]["items"] if i["kind"] == "compaction"]
    assert item["window_number"] == 1


def test_a_window_number_in_window_id_is_read_and_an_id_string_is_not(make_home):
    lines = [{"timestamp": "2025-10-01T10:00:00.000Z", "type": "session_meta",
              "payload": {"id": GHOST, "timestamp": "2025-10-01T10:00:00.000Z", "cwd": "/x"}}]
    for window_id in (3, "01a1fe47-7111-7000-8000-000000000000"):
        lines.append({"timestamp": "2025-10-01T10:00:01.000Z", "type": "compacted",
                      "payload": {"message": "s", "window_id": window_id}})
    home = make_home({GHOST: "".join(json.dumps(o) + "\n" for o in lines)})
    thread = LocalThreadStore(str(home)).read_thread(GHOST)
    assert [c.window_number for c in items_of(thread, Compaction)] == [3, None]


# ---- sub-agent and client tools (0.171 turn items) ---------------------------------------


def test_spawn_agent_call_shows_its_prompt_and_the_agent(store_0171):
    thread = store_0171.read_thread(SPAWNER)
    (call,) = items_of(thread, ToolCall)
    assert (call.name, call.command, call.status) == (
        "spawn_agent", "child task: say hi", "completed")
    assert call.output == "Anscombe 01a24de4-fb2f-7b70-b0c5-c6f907e04065 (pending_init)"
    assert thread.problems == []


def item_home(make_home, *items: dict) -> Thread:
    tid = "01a24e00-0000-7000-8000-0000000000c0"
    lines = [{"timestamp": "2026-12-07T10:00:00.000Z", "ordinal": 0, "type": "session_meta",
              "payload": {"id": tid, "timestamp": "2026-12-07T10:00:00.000Z", "cwd": "/x",
                          "history_mode": "paginated"}},
             {"timestamp": "2026-12-07T10:00:00.000Z", "ordinal": 1, "type": "event_msg",
              "payload": {"type": "task_started", "turn_id": "t"}}]
    for n, item in enumerate(items, 2):
        lines.append({"timestamp": "2026-12-07T10:00:01.000Z", "ordinal": n, "type": "event_msg",
                      "payload": {"type": "item_completed", "turn_id": "t", "item": item}})
    home = make_home({tid: "".join(json.dumps(o) + "\n" for o in lines)})
    return LocalThreadStore(str(home)).read_thread(tid)


def test_dynamic_tool_sub_agent_activity_and_hook_prompt_items(make_home):
    thread = item_home(
        make_home,
        {"type": "DynamicToolCall", "id": "d1", "namespace": "crm", "tool": "lookup",
         "arguments": {"q": "acme"}, "status": "completed", "success": False,
         "content_items": [{"type": "inputText", "text": "not found"}],
         "duration": {"secs": 1, "nanos": 500_000_000}},
        {"type": "SubAgentActivity", "id": "a1", "kind": "started",
         "agent_thread_id": "01a24e00-0000-7000-8000-0000000000c1", "agent_path": "/root/x"},
        {"type": "HookPrompt", "id": "h1",
         "fragments": [{"text": "run the linter first", "hookRunId": "r1"}]})
    (call,) = items_of(thread, ToolCall)
    assert (call.name, call.command, call.output, call.status, call.duration_ms) == (
        "crm.lookup", '{"q":"acme"}', "not found", "failed", 1500)
    notes = [(n.label, n.text) for n in items_of(thread, Note)]
    assert notes == [("sub-agent", "started /root/x (01a24e00-0000-7000-8000-0000000000c1)"),
                     ("hook", "run the linter first")]
    assert not items_of(thread, Unknown) and thread.problems == []


# ---- the model's own calls -------------------------------------------------------------


def test_a_compaction_summary_is_not_an_assistant_reply(store_0171):
    """The model's summary for a compaction (metadata compaction_output) is shown by the
    compaction, not again as a reply: the compaction turn holds no agent message."""
    for thread_id, turn in ((PAGINATED, 1), (LEGACY, 3)):
        compaction_turn = store_0171.read_thread(thread_id).turns[turn]
        assert compaction_turn.compaction
        assert [i.kind for i in compaction_turn.items] == ["compaction", "note"]


def test_a_legacy_spawn_agent_call_shows_the_message_it_sent(store_0171):
    (call,) = items_of(store_0171.read_thread(LEGACY), ToolCall)[2:3]
    assert (call.name, call.command) == ("spawn_agent", "child task: say hi")
    assert json.loads(call.arguments)["fork_context"] is True


def test_tool_names_nested_deep_do_not_recurse():
    from codex_tui.store import extra_items

    spec: dict = {"type": "function", "name": "leaf"}
    for _ in range(50_000):
        spec = {"type": "namespace", "name": "n", "tools": [spec]}
    items: list = []
    calls: dict = {}

    def tool(call_id, make, name="tool"):
        return calls.setdefault(call_id, make(call_id, name))

    extra_items.response_item("tool_search_output", {"call_id": "c", "tools": [spec]}, items,
                              tool)
    assert calls["c"].output.endswith(".n.leaf")


def test_html_export_shows_the_new_items(store_0171, shapes_store, capsys):
    assert main(["--codex-home", str(store_0171.codex_home), "export", PAGINATED, "--format",
                 "html"]) == 0
    page = capsys.readouterr().out
    assert "Context compacted (window 1)" in page
    assert "<em>settings:</em> model mock-model" in page
    assert main(["--codex-home", str(shapes_store.codex_home), "export", GHOST, "--format",
                 "html"]) == 0
    assert "<em>snapshot:</em> undo snapshot, git commit 9f8e7d6c5b4a" in capsys.readouterr().out
