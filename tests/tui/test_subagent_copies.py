"""Sub-agents spawned as a fork of their parent carry a copy of its `session_meta` and of its
turns so far: those turns are inherited (marked, dimmed, not counted in the sub-agent's
tokens), never the sub-agent's own turn 1.

Fixtures: real Codex 0.171.0 sub-agents in tests/fixtures/codex-0.171-home (paginated and
legacy, with `thread_settings_applied` after the copy; one spawned without the parent's
history), and in tests/fixtures/shapes-home a paginated one whose copy is marked only by
`subagent_history_start_ordinal` (releases before `thread_settings_applied`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.homes import FIXTURES
from support.transcripts import screen

from codex_tui.cli import main
from codex_tui.store import LocalThreadStore
from codex_tui.store.copied_history import mark_copied_history
from codex_tui.store.model import Note
from codex_tui.store.rollout import Record

REAL = FIXTURES / "codex-0.171-home"
SHAPES = FIXTURES / "shapes-home"

PAGINATED_CHILD = "01a24de4-fb2f-7b70-b0c5-c6f907e04065"  # of SPAWNER, copy + settings
SPAWNER = "01a24de4-fab6-7710-b63e-fcc476c9d5a0"
LEGACY_CHILD = "01a24de7-9a6f-7771-94da-ef712e14ae38"  # of LEGACY_PARENT: 3 turns copied
LEGACY_PARENT = "01a24de7-98ba-7cf0-a704-cdb369bc4ff1"
FRESH_CHILD = "01a24dec-7afb-7113-8f51-41ede349206a"  # spawned without the parent's history
ORDINAL_CHILD = "01a24e00-0000-7000-8000-00000000a108"  # marked by the start ordinal only
ORDINAL_PARENT = "01a24e00-0000-7000-8000-0000000000b0"


def test_paginated_sub_agent_copy_is_inherited(store_0171):
    thread = store_0171.read_thread(PAGINATED_CHILD)
    assert [(t.user_message, t.inherited) for t in thread.turns] == [
        ("spawn a helper agent", True), ("child task: say hi", False)]
    assert thread.turns[1].status == "aborted"  # codex exec ended while it ran
    assert thread.summary.id == PAGINATED_CHILD  # the copied parent meta is not its own
    assert thread.summary.parent_thread_id == SPAWNER == thread.inherited_from
    assert thread.summary.source == "subagent:thread_spawn"
    # Its own settings record is in its own turn, not in the copied (still running) one.
    assert [i.label for i in thread.turns[0].items if isinstance(i, Note)] == []
    assert [i.label for i in thread.turns[1].items if isinstance(i, Note)] == ["settings"]


def test_legacy_sub_agent_copy_is_inherited_and_not_counted(store_0171, capsys):
    thread = store_0171.read_thread(LEGACY_CHILD)
    assert [(t.user_message, t.inherited) for t in thread.turns] == [
        ("legacy: please run the tests", True), ("legacy: now view image pic.png", True),
        ("legacy: spawn a helper agent", True), ("child task: say hi", False)]
    copied = [t.tokens.total for t in thread.turns[:3] if t.tokens]
    assert copied  # the copy holds the parent's token counts ...
    own = thread.turns[3].tokens
    assert own is not None and thread.tokens == own  # ... which are not the sub-agent's
    assert main(["--codex-home", str(store_0171.codex_home), "show", LEGACY_CHILD, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["thread"]["token_usage"] == own._asdict()
    assert [t["inherited"] for t in doc["turns"]] == [True, True, True, False]
    assert [t["index"] for t in doc["turns"]] == [1, 2, 3, 4]


def test_a_sub_agent_without_its_parents_history_inherits_nothing(store_0171):
    thread = store_0171.read_thread(FRESH_CHILD)
    assert [(t.user_message, t.inherited) for t in thread.turns] == [
        ("child task: say hi", False)]
    assert thread.summary.parent_thread_id == "01a24dec-7a50-7dd2-9f71-e6dbfab26e02"
    assert thread.tokens is not None


def test_the_start_ordinal_alone_marks_the_copy(shapes_store, capsys):
    thread = shapes_store.read_thread(ORDINAL_CHILD)
    assert [(t.user_message, t.inherited, t.status) for t in thread.turns] == [
        ("parent: explain the parser", True, "completed"),
        ("parent: get a second opinion from a helper", True, "incomplete"),
        ("review the parser", False, "completed")]
    assert thread.tokens is not None and thread.tokens.total == 1320  # not the parent's 91,500
    assert main(["--codex-home", str(shapes_store.codex_home), "show", ORDINAL_CHILD,
                 "--markdown"]) == 0
    headings = [x for x in capsys.readouterr().out.splitlines() if x.startswith("## Turn")]
    assert [h.endswith("inherited") for h in headings] == [True, True, False]
    assert headings[-1] == "## Turn 3 · 2026-06-01T12:00:00.100Z · completed · 1,320 tokens"


def test_the_transcript_says_whose_history_the_copy_is(shapes_store):
    text = screen(shapes_store.read_thread(ORDINAL_CHILD), 120)
    assert (f"↳ Sub-agent of {ORDINAL_PARENT}: the first 2 turns are a copy of its history "
            "(dimmed).") in text
    assert "spawned here: this sub-agent's own turns start below" in text


async def test_the_tui_marks_the_copied_turns(shapes_store):
    from support.apps import settle
    from test_transcript import SIZE, status, text, transcript_app

    app = transcript_app(store=shapes_store, thread_id=ORDINAL_CHILD)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = text(app)
        assert f"↳ Sub-agent of {ORDINAL_PARENT}: the first 2 turns are a copy" in shown
        meta = str(app.screen.query_one("#tv-meta").render())
        assert "1.3k tokens" in meta  # its own, not the copied 91.5k
        await pilot.press("]")  # from the banner to the first turn
        await settle(pilot)
        assert "Turn 1 of 3 (inherited)" in status(app)
        await pilot.press("]", "]")
        await settle(pilot)
        assert "Turn 3 of 3" in status(app) and "inherited" not in status(app)


# ---- the rule, on records ----------------------------------------------------------------


def rec(kind: str, payload: dict, ordinal: int | None = None, typ: str | None = None) -> Record:
    return Record(kind, typ or payload.get("type"), payload, ordinal=ordinal)


def test_a_parent_alone_with_one_session_meta_is_no_copy():
    """A sub-agent spawned fresh writes its settings after its own first records: they stay
    its own (no forked_from_id, no copied session_meta)."""
    me = "01a24e00-0000-7000-8000-0000000000d1"
    meta = {"id": me, "source": {"subagent": {"thread_spawn": {"parent_thread_id": "p"}}}}
    records = [rec("session_meta", meta, 0, None),
               rec("event_msg", {"type": "task_started"}, 1),
               rec("event_msg", {"type": "thread_settings_applied", "thread_id": me}, 2)]
    mark_copied_history(records, me, meta)
    assert [r.inherited for r in records] == [False, False, False]


def test_the_start_ordinal_wins_over_a_settings_event():
    me = "01a24e00-0000-7000-8000-0000000000d2"
    meta = {"id": me, "forked_from_id": "p", "subagent_history_start_ordinal": 3}
    records = [rec("session_meta", meta, 0, None), rec("session_meta", {"id": "p"}, 1, None),
               rec("event_msg", {"type": "thread_settings_applied", "thread_id": me}, 2),
               rec("event_msg", {"type": "task_started"}, 3)]
    mark_copied_history(records, me, meta)
    assert [r.inherited for r in records] == [False, True, True, False]


def test_fixture_files_are_what_this_file_assumes():
    child = Path(REAL, "sessions/2026/12/07/"
                 f"rollout-2026-12-07T00-26-21-{PAGINATED_CHILD}.jsonl").read_text().splitlines()
    metas = [json.loads(x)["payload"] for x in child if '"type":"session_meta"' in x]
    assert [m["id"] for m in metas] == [PAGINATED_CHILD, SPAWNER]
    assert metas[0]["subagent_history_start_ordinal"] == 8
    assert metas[0]["source"]["subagent"]["thread_spawn"]["parent_thread_id"] == SPAWNER


@pytest.mark.parametrize("store_name, thread_id, title", [
    ("store_0171", PAGINATED_CHILD, "child task: say hi"),
    ("store_0171", LEGACY_CHILD, "child task: say hi"),  # the copy holds the parent's prompts
    ("shapes_store", ORDINAL_CHILD, "review the parser"),
])
def test_a_sub_agent_is_titled_by_its_own_task(request, store_name, thread_id, title, capsys):
    store = request.getfixturevalue(store_name)
    assert store.summary(thread_id).title == title
    assert main(["--codex-home", str(store.codex_home), "list", "--all", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[thread_id]["preview"] == title


def test_a_sub_agent_whose_copy_has_no_end_marker_keeps_the_copied_title(make_home):
    """No start ordinal and no settings event: where its own history starts is unknown (the
    reader marks nothing either), so the first prompt is what it holds."""
    me, parent = "01a24e00-0000-7000-8000-0000000000e1", "01a24e00-0000-7000-8000-0000000000e2"
    ts = "2026-06-01T12:00:00.000Z"
    source = {"subagent": {"thread_spawn": {"parent_thread_id": parent}}}
    lines = [("session_meta", {"id": me, "forked_from_id": parent, "timestamp": ts, "cwd": "/x",
                               "source": source}),
             ("session_meta", {"id": parent, "timestamp": ts, "cwd": "/x"}),
             ("event_msg", {"type": "user_message", "message": "parent prompt"}),
             ("event_msg", {"type": "user_message", "message": "own prompt"})]
    data = "".join(json.dumps({"timestamp": ts, "type": k, "payload": p}) + "\n"
                   for k, p in lines)
    store = LocalThreadStore(str(make_home({me: data})))
    assert store.summary(me).title == "parent prompt"
    assert [t.inherited for t in store.read_thread(me).turns] == [False, False]
