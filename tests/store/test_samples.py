"""The real 0.169 sample rollouts in tests/fixtures/samples (see samples/README.md).

Long strings in the samples were elided, so `history_base.end_byte_offset` no longer matches
the copies; ordinals still do. Each test builds a CODEX_HOME from the samples it needs, with
the file names Codex would give them: `rollout-<ts>-<thread uuid>[_<segment uuid>].jsonl`,
the thread uuid being the id of the file's first session_meta. Expected values are literal or
read from the sample files with plain `json`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from support.homes import SAMPLES

from codex_tui.store import LocalThreadStore, ThreadQuery
from codex_tui.store.model import (
    AgentMessage,
    Compaction,
    Patch,
    Reasoning,
    ToolCall,
    UserMessage,
)

COMPACTION = "legacy-thread-with-compaction.jsonl"
PAGINATED = "paginated-thread.jsonl"
PAGINATED_FORK = "paginated-fork-lastTurnId.jsonl"
REVERT_SEGMENT = "paginated-revert-segment.jsonl"
LEGACY = "legacy-thread-0.169.jsonl"
LEGACY_FORK = "legacy-fork-lastTurnId.jsonl"
HANDMADE = "legacy-0.46-style-handmade.jsonl"
MIGRATED = "legacy-0.46-style-after-migrate-rollouts.jsonl"
ALL_SAMPLES = sorted(p.name for p in SAMPLES.glob("*.jsonl")
                     if p.name not in ("session_index.jsonl", "history.jsonl"))

SEGMENT_UUID = "01a1fe34-ffff-7fff-8fff-0123456789ab"  # any uuid: the revert segment's own

PAGINATED_ID = "01a1fe31-df6d-7a70-bb40-8ad562fea740"
PAGINATED_FORK_ID = "01a1fe34-3954-7d32-930c-54d05d3f5d7c"
LEGACY_ID = "01a1fe31-e471-7bf3-bfb7-ac85e9a3afb4"
LEGACY_FORK_ID = "01a1fe34-3907-7ba0-92bd-259ca08842b3"
HANDMADE_ID = "01990001-0001-7001-8001-000000000001"


# ---- reading the samples directly ----------------------------------------------------------


def lines(name: str) -> list[dict]:
    return [json.loads(line) for line in (SAMPLES / name).read_text().splitlines()]


def metas(name: str) -> list[dict]:
    return [o["payload"] for o in lines(name) if o["type"] == "session_meta"]


def events(name: str, event_type: str) -> list[dict]:
    return [o["payload"] for o in lines(name)
            if o["type"] == "event_msg" and o["payload"]["type"] == event_type]


def rollout_name(name: str, segment: str | None = None) -> str:
    """The file name Codex gives the sample: its thread id and creation time."""
    meta = metas(name)[0]
    stamp = meta["timestamp"][:19].replace(":", "-")
    suffix = f"_{segment}" if segment else ""
    return f"rollout-{stamp}-{meta['id']}{suffix}.jsonl"


@pytest.fixture
def home_of(make_home: Callable[..., Path]) -> Callable[..., LocalThreadStore]:
    """A store over a home holding the given samples (name, or (name, segment uuid))."""

    def build(*samples: str | tuple[str, str], index: str | None = None) -> LocalThreadStore:
        files = {}
        for entry in samples:
            name, segment = entry if isinstance(entry, tuple) else (entry, None)
            files[rollout_name(name, segment)] = (SAMPLES / name).read_bytes()
        return LocalThreadStore(str(make_home(files, index=index)))

    return build


def of(kind: type, items: list) -> list:
    return [it for it in items if isinstance(it, kind)]


def user_messages(store: LocalThreadStore, thread_id: str) -> list[str | None]:
    return [t.user_message for t in store.read_thread(thread_id).turns]


# ---- every sample on its own ---------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_SAMPLES)
def test_each_sample_lists_once_and_reads(home_of, name: str) -> None:
    store = home_of(name)
    thread_id = metas(name)[0]["id"]
    rows = store.list_threads(ThreadQuery())
    assert [s.id for s in rows] == [thread_id]
    assert rows[0].created_at == datetime.fromisoformat(metas(name)[0]["timestamp"])
    thread = store.read_thread(thread_id)  # never raises, whatever is missing
    assert thread.summary.id == thread_id


# ---- legacy thread with a compaction ---------------------------------------------------------


def test_compaction_turns(home_of) -> None:
    store = home_of(COMPACTION)
    thread_id = metas(COMPACTION)[0]["id"]
    turns = store.read_thread(thread_id).turns
    assert [t.user_message for t in turns] == [
        "First question: what is 2+2?",
        "RUNCMD please list files",
        "Third message to keep",
        None,  # the compaction turn has no user input
    ]
    assert [t.compaction for t in turns] == [False, False, False, True]
    assert [t.status for t in turns] == ["completed"] * 4
    assert [t.turn_id for t in turns] == [e["turn_id"] for e in events(COMPACTION, "task_started")]


def test_compaction_marker_shows_once(home_of) -> None:
    """The checkpoint is a `compacted` line plus a `context_compacted` event: one marker."""
    store = home_of(COMPACTION)
    turns = store.read_thread(metas(COMPACTION)[0]["id"]).turns
    (compacted,) = [o["payload"] for o in lines(COMPACTION) if o["type"] == "compacted"]
    assert [len(of(Compaction, t.items)) for t in turns] == [0, 0, 0, 1]
    assert of(Compaction, turns[3].items)[0].message == compacted["message"]


def test_compaction_thread_items_show_once(home_of) -> None:
    store = home_of(COMPACTION)
    turns = store.read_thread(metas(COMPACTION)[0]["id"]).turns[:3]
    replies = [e["message"] for e in events(COMPACTION, "agent_message")]
    reasoning = [e["text"] for e in events(COMPACTION, "agent_reasoning")]
    assert [[a.text for a in of(AgentMessage, t.items)] for t in turns] == [[r] for r in replies]
    assert [[r.text for r in of(Reasoning, t.items)] for t in turns] == [[r] for r in reasoning]
    assert [len(of(UserMessage, t.items)) for t in turns] == [1, 1, 1]


def test_compaction_thread_tool_call(home_of) -> None:
    store = home_of(COMPACTION)
    turn = store.read_thread(metas(COMPACTION)[0]["id"]).turns[1]
    (output,) = [o["payload"]["output"] for o in lines(COMPACTION)
                 if o["type"] == "response_item"
                 and o["payload"]["type"] == "function_call_output"]
    headers, body = output.split("\nOutput:\n", 1)
    assert "Process exited with code 0" in headers
    (call,) = of(ToolCall, turn.items)
    assert (call.call_id, call.command, call.exit_code) == ("call_2", "ls -la", 0)
    assert call.output == body


def test_compaction_thread_listing(home_of) -> None:
    (summary,) = home_of(COMPACTION).list_threads(ThreadQuery())
    assert summary.title == "First question: what is 2+2?"
    assert summary.history_mode == "legacy"
    assert summary.format == "envelope"
    assert summary.cli_version == "0.169.0"
    assert summary.cwd == "/home/dev/proj"


# ---- paginated fork (lastTurnId) --------------------------------------------------------------


def parent_sample(name: str) -> str:
    """The sample that starts the thread named by `name`'s history_base.thread_id (a revert
    segment has the same thread id, but is itself based on another file)."""
    base_id = metas(name)[0]["history_base"]["thread_id"]
    (parent,) = [s for s in ALL_SAMPLES if s != name and metas(s)[0]["id"] == base_id
                 and "history_base" not in metas(s)[0]]
    return parent


def test_paginated_fork_parent_is_the_paginated_thread() -> None:
    base = metas(PAGINATED_FORK)[0]["history_base"]
    assert parent_sample(PAGINATED_FORK) == PAGINATED
    assert base["thread_id"] == PAGINATED_ID == metas(PAGINATED_FORK)[0]["forked_from_id"]
    # The fork's own lines continue at the cut; the parent's line before it ends turn 2.
    assert lines(PAGINATED_FORK)[0]["ordinal"] == base["end_ordinal_exclusive"] == 32
    (cut_line,) = [o for o in lines(PAGINATED) if o["ordinal"] == 31]
    assert cut_line["payload"]["type"] == "task_complete"
    # Byte offsets are stale in the elided samples: the reader must cut by ordinal.
    assert base["end_byte_offset"] > (SAMPLES / PAGINATED).stat().st_size


def test_paginated_fork_reads_parent_prefix(home_of) -> None:
    store = home_of(PAGINATED, PAGINATED_FORK)
    turns = store.read_thread(PAGINATED_FORK_ID).turns
    assert [t.user_message for t in turns] == [
        "paginated first question",
        "RUNCMD list files",
        "follow-up in fork_pag_last2",
    ]
    assert [t.inherited for t in turns] == [True, True, False]
    assert [t.status for t in turns] == ["completed"] * 3
    assert [len(of(AgentMessage, t.items)) for t in turns] == [1, 1, 1]
    assert store.read_thread(PAGINATED_FORK_ID).inherited_from == PAGINATED_ID


def test_paginated_fork_inherited_tool_call(home_of) -> None:
    store = home_of(PAGINATED, PAGINATED_FORK)
    turn = store.read_thread(PAGINATED_FORK_ID).turns[1]
    (item,) = [e["item"] for e in events(PAGINATED, "item_completed")
               if e["item"]["type"] == "CommandExecution"]
    (call,) = of(ToolCall, turn.items)
    assert (call.command, call.output, call.exit_code) == ("ls -la", item["aggregated_output"], 0)


def test_paginated_fork_listing(home_of) -> None:
    index = (SAMPLES / "session_index.jsonl").read_text()
    store = home_of(PAGINATED, PAGINATED_FORK, index=index)
    rows = {s.id: s for s in store.list_threads(ThreadQuery())}
    assert set(rows) == {PAGINATED_ID, PAGINATED_FORK_ID}
    fork = rows[PAGINATED_FORK_ID]
    assert fork.forked_from_id == PAGINATED_ID
    assert fork.history_mode == "paginated"
    # The first prompt of the history it carries (its source's), as Codex's index keeps it.
    assert fork.preview == rows[PAGINATED_ID].preview == "paginated first question"
    # Forks inherit the source's name (a session_index entry for the fork's id).
    assert fork.name == rows[PAGINATED_ID].name == "My paginated thread"
    assert fork.title == "My paginated thread"


def test_parent_reads_all_its_turns(home_of) -> None:
    store = home_of(PAGINATED, PAGINATED_FORK)
    turns = store.read_thread(PAGINATED_ID).turns
    assert [t.user_message for t in turns] == [
        "paginated first question", "RUNCMD list files", "paginated third message"]
    assert not any(t.inherited for t in turns)


# ---- paginated revert segment ---------------------------------------------------------------


def test_revert_segment_is_the_same_thread() -> None:
    meta = metas(REVERT_SEGMENT)[0]
    assert meta["id"] == PAGINATED_ID
    assert meta["history_base"]["thread_id"] == PAGINATED_ID
    assert meta["history_base"]["end_ordinal_exclusive"] == 32
    assert lines(REVERT_SEGMENT)[0]["ordinal"] == 32


def test_revert_segment_lists_once(home_of) -> None:
    store = home_of(PAGINATED, (REVERT_SEGMENT, SEGMENT_UUID))
    (summary,) = store.list_threads(ThreadQuery())
    assert summary.id == PAGINATED_ID
    assert [Path(p).name for p in summary.segments] == [
        rollout_name(PAGINATED), rollout_name(REVERT_SEGMENT, SEGMENT_UUID)]
    assert Path(summary.path).name == rollout_name(REVERT_SEGMENT, SEGMENT_UUID)
    assert summary.created_at == datetime.fromisoformat(metas(PAGINATED)[0]["timestamp"])
    assert summary.preview == "paginated first question"


def test_revert_segment_reads_base_prefix_plus_own_lines(home_of) -> None:
    store = home_of(PAGINATED, (REVERT_SEGMENT, SEGMENT_UUID))
    turns = store.read_thread(PAGINATED_ID).turns
    # Turn 3 ("paginated third message", ordinals 32+) was reverted.
    assert [t.user_message for t in turns] == ["paginated first question", "RUNCMD list files"]
    assert [t.status for t in turns] == ["completed", "completed"]
    assert not any(t.inherited for t in turns)  # its own history, not a parent's
    assert [len(of(AgentMessage, t.items)) for t in turns] == [1, 1]


# ---- legacy fork (lastTurnId) -------------------------------------------------------------------


def test_legacy_fork_has_two_session_metas() -> None:
    own, copied = metas(LEGACY_FORK)
    assert (own["id"], own["forked_from_id"]) == (LEGACY_FORK_ID, LEGACY_ID)
    # a copy of the source's first meta (0.169 adds multi_agent_version to the copy)
    source = metas(LEGACY)[0]
    assert (copied["id"], copied["timestamp"]) == (LEGACY_ID, source["timestamp"])
    assert copied["timestamp"] < own["timestamp"]


def test_legacy_fork_listing_uses_the_first_meta(home_of) -> None:
    store = home_of(LEGACY_FORK)
    (summary,) = store.list_threads(ThreadQuery())
    assert summary.id == LEGACY_FORK_ID
    assert summary.forked_from_id == LEGACY_ID
    assert summary.created_at == datetime.fromisoformat(metas(LEGACY_FORK)[0]["timestamp"])
    assert summary.history_mode == "legacy"


def test_legacy_fork_copied_turns_are_inherited(home_of) -> None:
    store = home_of(LEGACY_FORK)
    thread = store.read_thread(LEGACY_FORK_ID)
    assert [t.user_message for t in thread.turns] == [
        "legacy first question", "RUNCMD list files", "follow-up in fork_legacy_last2"]
    assert [t.inherited for t in thread.turns] == [True, True, False]
    assert [t.status for t in thread.turns] == ["completed"] * 3
    assert [len(of(AgentMessage, t.items)) for t in thread.turns] == [1, 1, 1]
    assert [len(of(Reasoning, t.items)) for t in thread.turns] == [1, 1, 1]
    assert thread.inherited_from == LEGACY_ID


def test_legacy_fork_beside_its_source(home_of) -> None:
    store = home_of(LEGACY, LEGACY_FORK)
    assert {s.id for s in store.list_threads(ThreadQuery())} == {LEGACY_ID, LEGACY_FORK_ID}
    source = store.read_thread(LEGACY_ID).turns
    assert [t.user_message for t in source] == [
        "legacy first question", "RUNCMD list files", "legacy third message"]
    assert not any(t.inherited for t in source)
    assert len(store.read_thread(LEGACY_FORK_ID).turns) == 3


# ---- 0.46-style handmade rollout, before and after `codex migrate-rollouts` --------------------


def transcript(store: LocalThreadStore) -> list[tuple]:
    return [
        (t.user_message,
         [a.text for a in of(AgentMessage, t.items)],
         [r.text for r in of(Reasoning, t.items)])
        for t in store.read_thread(HANDMADE_ID).turns
    ]


def test_migrated_rollout_reads_like_the_original(home_of) -> None:
    expected = [("Fix the failing test in parser.rs",
                 ["I fixed the off-by-one in parser.rs."],
                 ["**Inspecting parser**"])]
    assert metas(HANDMADE)[0]["id"] == metas(MIGRATED)[0]["id"] == HANDMADE_ID
    assert transcript(home_of(HANDMADE)) == expected
    assert transcript(home_of(MIGRATED)) == expected


@pytest.mark.parametrize("name", [HANDMADE, MIGRATED])
def test_046_tools(home_of, name: str) -> None:
    (turn,) = home_of(name).read_thread(HANDMADE_ID).turns
    assert turn.status == "completed"
    (call,) = of(ToolCall, turn.items)
    assert (call.call_id, call.command, call.output, call.exit_code) == (
        "call_abc", "cargo test -p parser", "test result: FAILED", 101)
    (patch,) = of(Patch, turn.items)
    assert patch.call_id == "call_def"
    assert [(f.path, f.change) for f in patch.files] == [("src/parser.rs", "update")]
    assert patch.output == "Success. Updated the following files:\nM src/parser.rs\n"


@pytest.mark.parametrize(("name", "mode", "fmt"), [
    (HANDMADE, "legacy", "envelope"),
    (MIGRATED, "paginated", "paginated"),
])
def test_046_listing(home_of, name: str, mode: str, fmt: str) -> None:
    (summary,) = home_of(name).list_threads(ThreadQuery())
    assert summary.title == "Fix the failing test in parser.rs"
    assert summary.cli_version == "0.46.0"
    assert summary.source == "cli"
    assert summary.git_branch == "main"
    assert summary.tokens == 5300
    assert (summary.history_mode, summary.format) == (mode, fmt)


# ---- parents that are not there ------------------------------------------------------------------


def test_fork_without_its_parent_states_the_problem(home_of) -> None:
    store = home_of(PAGINATED_FORK)
    thread = store.read_thread(PAGINATED_FORK_ID)
    assert [t.user_message for t in thread.turns] == ["follow-up in fork_pag_last2"]
    assert not any(t.inherited for t in thread.turns)
    assert any(PAGINATED_ID in p.message for p in thread.problems), thread.problems


def test_revert_segment_without_its_base_states_the_problem(home_of) -> None:
    store = home_of((REVERT_SEGMENT, SEGMENT_UUID))
    thread = store.read_thread(PAGINATED_ID)
    assert not any(t.user_message for t in thread.turns)
    assert any(PAGINATED_ID in p.message for p in thread.problems), thread.problems
