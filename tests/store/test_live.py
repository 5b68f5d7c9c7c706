"""Incremental turns (TurnBuilder) and LiveThread: a followed session gives the same turns as
a whole read, rebuilding only from the last turn on."""

from __future__ import annotations

import io
import os
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.homes import FIXTURE_HOME, SAMPLES
from support.records import split_at_turn

from codex_tui.store import LocalThreadStore
from codex_tui.store.live import RUNNING, LiveThread
from codex_tui.store.rollout import Record, read_records
from codex_tui.store.transcript import TurnBuilder, build_turns

FILES = {
    p.name: p.read_bytes()
    for p in sorted([*(FIXTURE_HOME / "sessions").rglob("rollout-*.jsonl"),
                     *(FIXTURE_HOME / "archived_sessions").rglob("rollout-*.jsonl"),
                     *SAMPLES.glob("*.jsonl")])
}
TESTS_169 = "01a1fe36-9923-7570-9f27-baeff79474f4"


def records_of(data: bytes) -> list[Record]:
    return [r for r in read_records(io.BytesIO(data), "f.jsonl") if isinstance(r, Record)]


RECORDS = {name: records_of(data) for name, data in FILES.items()}


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(RECORDS)),
       cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=12))
def test_incremental_turns_equal_a_whole_build(name, cuts):
    records = RECORDS[name]
    points = sorted({c % (len(records) + 1) for c in cuts} | {len(records)})
    builder = TurnBuilder()
    done = 0
    for point in points:
        before = builder.turns
        builder.extend(records[done:point])
        done = point
        whole = build_turns(records[:done])
        assert builder.turns == whole.turns
        assert builder.problems() == whole.problems
        assert builder.rolled_back == whole.rolled_back
        # Turns before the last one of the previous step are the same objects.
        if not builder._rollbacks:
            kept = max(0, len(before) - 1)
            assert all(a is b for a, b in zip(before[:kept], builder.turns[:kept],
                                              strict=True))


def test_every_record_one_at_a_time():
    for name, records in RECORDS.items():
        builder = TurnBuilder()
        for i, rec in enumerate(records):
            builder.extend([rec])
            if i % 7 == 0 or i == len(records) - 1:
                assert builder.turns == build_turns(records[: i + 1]).turns, (name, i)


# ---- LiveThread over a real file ----------------------------------------------------------------


@pytest.fixture
def growing(codex_home):
    """The 4-turn 0.169 session cut just after its last turn started."""
    path = next((codex_home / "sessions").rglob(f"rollout-*-{TESTS_169}.jsonl"))
    data = path.read_bytes()
    head, rest = split_at_turn(data, 4)
    path.write_bytes(head + rest[:17])  # and a piece of the next line
    return codex_home, path, data


def test_live_thread_follows_a_growing_file(growing):
    home, path, data = growing
    store = LocalThreadStore(str(home), cache=False)
    live = store.read_live(TESTS_169)
    thread = live.thread
    assert len(thread.turns) == 4
    assert thread.turns[-1].status == RUNNING  # written just now, no task_complete yet
    assert not any("last line" in p.message for p in thread.problems)
    first_three = thread.turns[:3]
    assert live.poll() is None  # nothing new
    with open(path, "ab") as stream:
        stream.write(data[path.stat().st_size:])
    grown = live.poll()
    assert grown is not None
    assert [t.status for t in grown.turns] == ["completed"] * 4
    assert all(a is b for a, b in zip(first_three, grown.turns[:3], strict=True))
    whole = LocalThreadStore(str(home), cache=False).read_thread(TESTS_169)
    assert grown.turns == whole.turns
    assert grown.summary.size == len(data)


def test_live_thread_resumed_run_appends_a_turn(growing):
    """A resumed run appends to the same file: new turns follow on."""
    home, path, data = growing
    with open(path, "ab") as stream:
        stream.write(data[path.stat().st_size:])
    store = LocalThreadStore(str(home), cache=False)
    live = store.read_live(TESTS_169)
    assert len(live.thread.turns) == 4
    head, rest = split_at_turn(data, 4)
    fourth = head.splitlines(keepends=True)[-1] + rest  # the last turn, from its start
    resumed = b"".join(
        line.replace(b"2026-11-21T13:05:5", b"2026-11-21T14:05:5")
        for line in fourth.splitlines(keepends=True)[:-1])
    with open(path, "ab") as stream:
        stream.write(resumed[: len(resumed) // 2])
        stream.flush()
        grown = live.poll()
        assert grown is not None and len(grown.turns) == 5
        assert grown.turns[-1].status == RUNNING
        stream.write(resumed[len(resumed) // 2:])
    grown = live.poll()
    assert grown is not None and len(grown.turns) == 5
    assert grown.turns[-1].started_at.hour == 14


def test_live_thread_not_live_when_old_and_reset_on_replace(growing):
    home, path, data = growing
    os.utime(path, (1_000_000_000, 1_000_000_000))
    store = LocalThreadStore(str(home), cache=False)
    live = store.read_live(TESTS_169)
    assert not live.live and live.thread.turns[-1].status == "incomplete"
    # Rewritten (migrate-rollouts style: a new file renamed over the old one).
    tmp = Path(str(path) + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    grown = live.poll()
    assert grown is not None and live.resets == 1
    assert [t.status for t in grown.turns] == ["completed"] * 4
    assert live.live  # just written


def test_live_thread_in_memory():
    from support.transcripts import thread_of, turn

    from codex_tui.store import InMemoryThreadStore
    from codex_tui.store.model import UserMessage

    thread = thread_of(turn(1, UserMessage("hi")))
    store = InMemoryThreadStore([thread])
    live = store.read_live(thread.summary.id)
    line = {"timestamp": "2026-11-21T09:10:00.000Z", "type": "event_msg"}

    def rec(payload: dict) -> Record:
        obj = dict(line, payload=payload)
        return records_of(orjson.dumps(obj) + b"\n")[0]

    store.append(thread.summary.id, [rec({"type": "task_started", "turn_id": "t2"}),
                                     rec({"type": "user_message", "message": "more"})])
    grown = live.poll()
    assert grown is not None and len(grown.turns) == 2
    assert grown.turns[0] is thread.turns[0]
    assert grown.turns[1].status == RUNNING and grown.turns[1].user_message == "more"
    assert isinstance(live, LiveThread)


def test_rollback_marker_rebuilds_everything():
    def rec(payload: dict, n: int) -> Record:
        obj = {"timestamp": f"2026-11-21T09:{n:02d}:00.000Z", "type": "event_msg",
               "payload": payload}
        return records_of(orjson.dumps(obj) + b"\n")[0]

    records: list[Record] = []
    for i in range(3):
        records += [rec({"type": "task_started", "turn_id": f"t{i}"}, 3 * i),
                    rec({"type": "user_message", "message": f"q{i}"}, 3 * i),
                    rec({"type": "agent_message", "message": f"a{i}"}, 3 * i + 1),
                    rec({"type": "task_complete", "turn_id": f"t{i}"}, 3 * i + 2)]
    records.append(rec({"type": "thread_rolled_back", "num_turns": 1}, 20))
    records += [rec({"type": "task_started", "turn_id": "t9"}, 30),
                rec({"type": "user_message", "message": "again"}, 30)]
    builder = TurnBuilder()
    for i, r in enumerate(records):
        builder.extend([r])
        whole = build_turns(records[: i + 1])
        assert builder.turns == whole.turns and builder.rolled_back == whole.rolled_back
    assert [t.user_message for t in builder.turns] == ["q0", "q1", "again"]
