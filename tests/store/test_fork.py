"""ThreadStore.fork_thread: the files it writes, checked against the source files read with
plain `json` (never the code under test), and the ways it refuses.

The real Codex CLI resuming these forks is tests/compat/test_fork_codex_compat.py."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.homes import FIXTURES

from codex_tui.cli import main
from codex_tui.store import (
    InMemoryThreadStore,
    LocalThreadStore,
    StoreError,
    ThreadNotFound,
    ThreadQuery,
    atomic,
)
from codex_tui.store.fork import uuid7

DAY = Path("sessions/2026/11/21")
V050 = "01a1fe36-5693-7132-b012-6959cea1107a"  # envelope, no turn events, 4 turns
V0120 = "01a1fe36-70b1-7732-b06b-76da75feba97"  # envelope with task_started/task_complete
V0169 = "01a1fe36-9923-7570-9f27-baeff79474f4"  # paginated, 4 turns
FORK0169 = "01a1fe36-a3e5-7b30-9c75-8b09d6038321"  # Codex's paginated fork of V0169 (5 turns)
ARCHIVED_FORK = "01a1fe36-9010-7023-a856-a8c802ee8a8a"  # archived 0.150 fork
NAMED = "01a1fe37-05e8-79e2-b09f-d8e316352b56"  # named "picker-demo-thread"
BARE = "3b9e0c52-0d2a-4f6e-8c11-2f0a20200020"  # tests/fixtures/fork-0.20, 3 turns
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture
def home(codex_home: Path) -> Path:
    shutil.copytree(FIXTURES / "fork-0.20" / "sessions", codex_home / "sessions",
                    dirs_exist_ok=True)
    return codex_home


def source_file(home: Path, thread_id: str) -> Path:
    (path,) = [p for p in home.rglob(f"rollout-*-{thread_id}.jsonl")]
    return path


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def objs(path: Path) -> list[dict]:
    return [json.loads(line) for line in lines(path)]


def snapshot(home: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in home.rglob("*") if p.is_file() and p.name != "session_index.jsonl"}


def user_prompt_index(path: Path, prompt_suffix: str) -> int:
    """Index of the line holding the response-item user message ending with the text."""
    for i, o in enumerate(objs(path)):
        p = o.get("payload", o)
        if o.get("type") in ("response_item", "message") and p.get("role") == "user" and \
                any(c.get("text", "").endswith(prompt_suffix) for c in p.get("content", [])):
            return i
    raise AssertionError(prompt_suffix)


# ---- reference style: paginated sources -------------------------------------------------


def test_paginated_fork_is_one_history_base_line(home):
    store = LocalThreadStore(str(home), cache=False)
    before = snapshot(home)
    src = source_file(home, V0169)
    src_meta = objs(src)[0]["payload"]

    fork = store.fork_thread(V0169, 2)

    path = Path(fork.path)
    assert path.parent.parent.parent.parent == home / "sessions"
    (line,) = objs(path)
    # The cut: just after turn 2's task_complete (the second one in the source).
    completes = [i for i, o in enumerate(objs(src))
                 if o["type"] == "event_msg" and o["payload"]["type"] == "task_complete"]
    cut = completes[1]
    cut_ordinal = objs(src)[cut]["ordinal"] + 1
    cut_bytes = sum(len(raw) for raw in lines(src)[: cut + 1])
    assert line["type"] == "session_meta"
    assert line["ordinal"] == cut_ordinal
    meta = line["payload"]
    assert meta["id"] == fork.id and meta["session_id"] == fork.id
    assert meta["forked_from_id"] == V0169
    assert meta["forked_from_ordinal_exclusive"] == cut_ordinal
    assert meta["history_mode"] == "paginated"
    assert meta["history_base"] == {"thread_id": V0169, "end_ordinal_exclusive": cut_ordinal,
                                    "end_byte_offset": cut_bytes}
    assert meta["cwd"] == src_meta["cwd"]
    assert meta["base_instructions"] == src_meta["base_instructions"]
    assert meta["model_provider"] == src_meta["model_provider"]
    assert "context_window" not in meta
    assert snapshot(home) == {**before, str(path): (path.read_bytes(), path.stat().st_mtime_ns)}


def test_fork_names_its_file_as_codex_does(home):
    fork = LocalThreadStore(str(home), cache=False).fork_thread(V0169, 1)
    assert UUID_RE.match(fork.id)
    meta = objs(Path(fork.path))[0]["payload"]
    created = datetime.strptime(meta["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs(created - datetime.now(UTC)) < timedelta(minutes=1)
    local = created.astimezone()
    expected = (home / "sessions" / local.strftime("%Y/%m/%d")
                / f"rollout-{local.strftime('%Y-%m-%dT%H-%M-%S')}-{fork.id}.jsonl")
    assert Path(fork.path) == expected
    # UUIDv7: the first 48 bits are the creation time in milliseconds.
    ms = uuid.UUID(fork.id).int >> 80
    assert abs(ms / 1000 - created.timestamp()) < 1
    # No temporary file is left beside it.
    assert [p.name for p in Path(fork.path).parent.iterdir() if p.name.startswith(".")] == []


def test_fork_of_a_paginated_fork_references_the_file_holding_the_cut(home):
    """Codex's fork FORK0169 inherits turns 1-4 from V0169 and has turn 5 in its own file."""
    store = LocalThreadStore(str(home), cache=False)
    inherited_cut = store.fork_thread(FORK0169, 2)
    own_cut = store.fork_thread(FORK0169, 5)

    meta = objs(Path(inherited_cut.path))[0]["payload"]
    assert meta["forked_from_id"] == FORK0169
    assert meta["history_base"]["thread_id"] == V0169  # the file that holds turn 2
    meta = objs(Path(own_cut.path))[0]["payload"]
    assert meta["history_base"] == {
        "thread_id": FORK0169,
        "end_ordinal_exclusive": objs(source_file(home, FORK0169))[-1]["ordinal"] + 1,
        "end_byte_offset": source_file(home, FORK0169).stat().st_size,
    }
    thread = store.read_thread(own_cut.id)
    assert len(thread.turns) == 5 and all(t.inherited for t in thread.turns)


def test_fork_of_an_archived_session(home):
    store = LocalThreadStore(str(home), cache=False)
    archived = store.read_thread(ARCHIVED_FORK)
    assert archived.summary.archived
    fork = store.fork_thread(ARCHIVED_FORK, len(archived.turns))
    assert not fork.archived and fork.path.startswith(str(home / "sessions"))
    meta = objs(Path(fork.path))[0]["payload"]
    assert meta["history_base"]["thread_id"] == ARCHIVED_FORK
    thread = store.read_thread(fork.id)
    assert [t.user_message for t in thread.turns] == [t.user_message for t in archived.turns]
    assert thread.problems == []


# ---- copy style: envelope sources ---------------------------------------------------------


def test_envelope_fork_copies_lines_up_to_the_turn(home):
    """0.50 records no turn events: turn 2 ends where turn 3's user message begins."""
    store = LocalThreadStore(str(home), cache=False)
    src = source_file(home, V050)
    fork = store.fork_thread(V050, 2)
    out = lines(Path(fork.path))
    end = user_prompt_index(src, "run the linter too")
    assert out[1] == lines(src)[0]  # the source's session_meta, verbatim
    assert out[2:] == lines(src)[1:end]  # then its lines, byte for byte
    meta = json.loads(out[0])
    assert meta["type"] == "session_meta" and "ordinal" not in meta
    assert meta["payload"]["id"] == fork.id
    assert meta["payload"]["forked_from_id"] == V050
    assert meta["payload"]["cwd"] == json.loads(out[1])["payload"]["cwd"]
    assert "history_base" not in meta["payload"]


def test_envelope_fork_with_turn_events_ends_at_task_complete(home):
    store = LocalThreadStore(str(home), cache=False)
    src = source_file(home, V0120)
    fork = store.fork_thread(V0120, 2)
    completes = [i for i, o in enumerate(objs(src))
                 if o["type"] == "event_msg" and o["payload"]["type"] == "task_complete"]
    assert lines(Path(fork.path))[2:] == lines(src)[1: completes[1] + 1]


def test_envelope_fork_reads_back_as_a_fork_with_inherited_turns(home):
    store = LocalThreadStore(str(home), cache=False)
    fork = store.fork_thread(V050, 3)
    listed = {s.id: s for s in store.list_threads(ThreadQuery())}
    assert fork.id in listed and listed[fork.id].forked_from_id == V050
    thread = store.read_thread(fork.id)
    source = store.read_thread(V050)
    assert [t.user_message for t in thread.turns] == \
        [t.user_message for t in source.turns[:3]]
    assert all(t.inherited for t in thread.turns)
    assert thread.inherited_from == V050
    # ... and a fresh store (a rescan) sees the same.
    again = LocalThreadStore(str(home), cache=False).read_thread(fork.id)
    assert [t.inherited for t in again.turns] == [True, True, True]


def test_fork_of_our_envelope_fork(home):
    store = LocalThreadStore(str(home), cache=False)
    first = store.fork_thread(V050, 3)
    second = store.fork_thread(first.id, 2)
    out = lines(Path(second.path))
    assert out[1] == lines(Path(first.path))[0]  # the first fork's meta, verbatim
    thread = store.read_thread(second.id)
    assert [t.user_message for t in thread.turns] == \
        [t.user_message for t in store.read_thread(V050).turns[:2]]
    assert all(t.inherited for t in thread.turns)


# ---- convert style: 0.20 bare lines -------------------------------------------------------


def test_bare_session_forks_into_envelopes(home):
    store = LocalThreadStore(str(home), cache=False)
    src = source_file(home, BARE)
    fork = store.fork_thread(BARE, 2)
    out = objs(Path(fork.path))
    assert all(set(o) >= {"timestamp", "type", "payload"} for o in out)
    meta = out[0]["payload"]
    assert meta["id"] == fork.id and meta["forked_from_id"] == BARE
    assert {"cwd", "originator", "cli_version", "timestamp"} <= set(meta)
    # Every bare response item up to the end of turn 2, wrapped, in order; no state markers.
    end = user_prompt_index(src, "long answer about markdown rendering")
    expected = [o for o in objs(src)[1:end] if "record_type" not in o]
    wrapped = [o["payload"] for o in out if o["type"] == "response_item"]
    assert wrapped == expected
    assert all(o["timestamp"] == objs(src)[0]["timestamp"] for o in out[1:])
    # Each user message has its user_message event, as envelope-era Codex wrote.
    events = [o["payload"]["message"] for o in out if o["type"] == "event_msg"]
    assert events == ["[0.20.0] please run the tests and list files",
                      "[0.20.0] hello there, explain this repo"]
    thread = store.read_thread(fork.id)
    assert [t.user_message for t in thread.turns] == events
    assert all(t.inherited for t in thread.turns)
    assert store.summary(fork.id).format == "envelope"


def test_bare_fork_without_cwd_takes_the_current_directory(home, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    fork = LocalThreadStore(str(home), cache=False).fork_thread(BARE, 1)
    assert objs(Path(fork.path))[0]["payload"]["cwd"] == str(tmp_path)


# ---- names ----------------------------------------------------------------------------------


def index_lines(home: Path) -> list[dict]:
    return [json.loads(line) for line in (home / "session_index.jsonl").read_text().splitlines()]


def test_a_name_is_appended_to_session_index(home):
    store = LocalThreadStore(str(home), cache=False)
    before = index_lines(home)
    fork = store.fork_thread(V0169, 2, name="  try the other parser  ")
    after = index_lines(home)
    assert after[:-1] == before
    assert after[-1]["id"] == fork.id and after[-1]["thread_name"] == "try the other parser"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$", after[-1]["updated_at"])
    assert fork.name == "try the other parser"
    assert (home / "session_index.jsonl.lock").exists()
    assert LocalThreadStore(str(home), cache=False).summary(fork.id).name == \
        "try the other parser"
    assert store.resolve("try the other parser").id == fork.id


def test_a_fork_inherits_the_source_name_unless_told_otherwise(home):
    store = LocalThreadStore(str(home), cache=False)
    inherited = store.fork_thread(NAMED, 1)
    assert inherited.name == "picker-demo-thread"
    assert index_lines(home)[-1] == {**index_lines(home)[-1], "id": inherited.id,
                                     "thread_name": "picker-demo-thread"}
    count = len(index_lines(home))
    unnamed = store.fork_thread(NAMED, 1, name="")
    assert unnamed.name is None and len(index_lines(home)) == count


def test_the_name_waits_for_codex_lock_and_gives_up_clearly(home, monkeypatch):
    monkeypatch.setattr(atomic, "LOCK_TIMEOUT", 0.3)
    lock = os.open(home / "session_index.jsonl.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        with pytest.raises(StoreError, match="session index lock"):
            atomic.append_session_index(str(home), V0169, "x", )
    finally:
        os.close(lock)
    atomic.append_session_index(str(home), V0169, "x")
    assert index_lines(home)[-1]["thread_name"] == "x"


def test_append_starts_on_a_new_line_after_a_cut_off_one(tmp_path):
    (tmp_path / "session_index.jsonl").write_bytes(b'{"id":"a","thread_na')
    atomic.append_session_index(str(tmp_path), "b", "name")
    last = (tmp_path / "session_index.jsonl").read_bytes().splitlines()[-1]
    assert json.loads(last)["id"] == "b"


# ---- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("turn", [0, -1, 5, 99])
def test_turn_out_of_range_is_refused(home, turn):
    store = LocalThreadStore(str(home), cache=False)
    before = snapshot(home)
    with pytest.raises(StoreError, match=f"turn {turn}"):
        store.fork_thread(V0169, turn)
    assert snapshot(home) == before


def test_unknown_id_is_refused(home):
    with pytest.raises(ThreadNotFound):
        LocalThreadStore(str(home), cache=False).fork_thread("0000", 1)


def test_read_only_sessions_folder_is_refused(home):
    os.chmod(home / "sessions", 0o555)
    try:
        with pytest.raises(StoreError, match="read-only"):
            LocalThreadStore(str(home), cache=False).fork_thread(V050, 1)
    finally:
        os.chmod(home / "sessions", 0o755)


META = ('{"timestamp":"2026-11-21T10:00:00.000Z","ordinal":0,"type":"session_meta",'
        '"payload":{"id":"%s","timestamp":"2026-11-21T10:00:00.000Z","cwd":"/p",'
        '"originator":"x","cli_version":"0.169.0","history_mode":"paginated"}}\n')
USER = ('{"timestamp":"2026-11-21T10:00:01.000Z",%s"type":"event_msg","payload":'
        '{"type":"user_message","message":"hello %d"}}\n')


def test_turn_boundary_without_an_ordinal_is_refused(make_home):
    tid = "01a1fe36-0000-7000-8000-000000000001"
    home = make_home({tid: META % tid + USER % ("", 1)})
    with pytest.raises(StoreError, match="no ordinal"):
        LocalThreadStore(str(home), cache=False).fork_thread(tid, 1)


def test_a_turn_still_being_written_is_refused(make_home):
    tid = "01a1fe36-0000-7000-8000-000000000002"
    home = make_home({tid: META % tid + USER % ('"ordinal":1,', 1)
                      + USER.rstrip("\n") % ('"ordinal":2,', 2)})
    store = LocalThreadStore(str(home), cache=False)
    assert store.fork_thread(tid, 1).id  # the finished turn forks
    with pytest.raises(StoreError, match="still being written"):
        store.fork_thread(tid, 2)


def test_a_turn_still_running_in_codex_is_refused(make_home):
    """Codex holds the thread's writer lock and turn 2 has started but not ended."""
    tid = "01a1fe36-0000-7000-8000-000000000005"
    started = ('{"timestamp":"2026-11-21T10:00:01.000Z","ordinal":%d,"type":"event_msg",'
               '"payload":{"type":"task_started","turn_id":"t%d"}}\n')
    done = ('{"timestamp":"2026-11-21T10:00:02.000Z","ordinal":%d,"type":"event_msg",'
            '"payload":{"type":"task_complete","turn_id":"t%d"}}\n')
    home = make_home({tid: META % tid + started % (1, 1) + USER % ('"ordinal":2,', 1)
                      + done % (3, 1) + started % (4, 2) + USER % ('"ordinal":5,', 2)})
    (home / "thread-writer-locks").mkdir()
    (home / "thread-writer-locks" / f"{tid}.lock").touch()
    store = LocalThreadStore(str(home), cache=False)
    assert store.fork_thread(tid, 1).id
    with pytest.raises(StoreError, match="still running"):
        store.fork_thread(tid, 2)
    (home / "thread-writer-locks" / f"{tid}.lock").unlink()
    assert store.fork_thread(tid, 2).id  # Codex gone: the turn was cut off, fork it as is


def test_missing_parent_history_is_refused(make_home):
    tid = "01a1fe36-0000-7000-8000-000000000003"
    meta = json.loads(META % tid)
    meta["payload"]["history_base"] = {"thread_id": "01a1fe36-0000-7000-8000-00000000dead",
                                       "end_ordinal_exclusive": 5, "end_byte_offset": 100}
    meta["ordinal"] = 5
    home = make_home({tid: json.dumps(meta) + "\n" + USER % ('"ordinal":6,', 1)})
    with pytest.raises(StoreError, match="history can't be found"):
        LocalThreadStore(str(home), cache=False).fork_thread(tid, 1)


def test_a_session_without_turns_is_refused(make_home):
    tid = "01a1fe36-0000-7000-8000-000000000004"
    home = make_home({tid: META % tid})
    with pytest.raises(StoreError, match="no turns"):
        LocalThreadStore(str(home), cache=False).fork_thread(tid, 1)


def test_write_new_file_never_replaces(tmp_path):
    target = tmp_path / "a.jsonl"
    atomic.write_new_file(str(target), b"one\n")
    with pytest.raises(StoreError, match="already exists"):
        atomic.write_new_file(str(target), b"two\n")
    assert target.read_bytes() == b"one\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]


def test_uuid7_sorts_by_time():
    ids = [uuid7(1_700_000_000_000 + i) for i in range(50)]
    assert ids == sorted(ids)
    assert all(UUID_RE.match(i) for i in ids)


# ---- the in-memory store and the CLI ---------------------------------------------------------


def test_in_memory_fork(home):
    source = LocalThreadStore(str(home), cache=False).read_thread(V050)
    store = InMemoryThreadStore([source])
    fork = store.fork_thread(V050, 2, name="mine")
    thread = store.read_thread(fork.id)
    assert fork.forked_from_id == V050 and fork.name == "mine"
    assert [t.user_message for t in thread.turns] == \
        [t.user_message for t in source.turns[:2]]
    assert all(t.inherited for t in thread.turns)
    with pytest.raises(StoreError):
        store.fork_thread(V050, 5)


def test_cli_fork_prints_the_new_id(home, capsys):
    assert main(["--codex-home", str(home), "fork", V0169[:13], "--turn", "2"]) == 0
    new_id = capsys.readouterr().out.strip()
    assert UUID_RE.match(new_id)
    assert LocalThreadStore(str(home), cache=False).summary(new_id).forked_from_id == V0169


def test_cli_fork_json(home, capsys):
    assert main(["--codex-home", str(home), "fork", "picker-demo-thread", "--turn", "1",
                 "--name", "json fork", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["forked_from_id"] == NAMED and out["name"] == "json fork"
    assert Path(out["path"]).exists()


@pytest.mark.parametrize("args, message", [
    (["fork", V0169, "--turn", "0"], "turn 0"),
    (["fork", V0169, "--turn", "9"], "has only 4 turns"),
    (["fork", "nothing-like-this", "--turn", "1"], "no session matches"),
])
def test_cli_fork_refusals(home, capsys, args, message):
    assert main(["--codex-home", str(home), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("codex-tui: ")
