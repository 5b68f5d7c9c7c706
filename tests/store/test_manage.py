"""Archive, unarchive, rename and delete (store/manage.py, through the ThreadStore): the
files end up as Codex leaves them, refusals change nothing, and a crash between steps
leaves the thread as before or as after."""

from __future__ import annotations

import fcntl
import os
import re
import time
from pathlib import Path

import orjson
import pytest
from support.homes import FIXED_MTIME

from codex_tui.store import LocalThreadStore, StoreError, ThreadNotFound, atomic, manage
from codex_tui.store.atomic import ThreadOpenElsewhere, remove_session_index_entries
from codex_tui.store.names import read_names

PAGINATED = "01a1fe36-976d-7502-9877-b87642d8c5e2"  # 0.169, nobody forks from it
LEGACY = "01a1fe36-5584-7391-9030-75b16ca14546"  # 0.50
NAMED = "01a1fe37-05e8-79e2-b09f-d8e316352b56"  # "picker-demo-thread"
FORK_SOURCE = "01a1fe36-9923-7570-9f27-baeff79474f4"  # a3e5 forks from it (history_base)
FORK = "01a1fe36-a3e5-7b30-9c75-8b09d6038321"
ARCHIVED_FORK_SOURCE = "01a1fe36-83d7-7141-9f9a-c70280a8052e"  # archived 9010 forks from it
ARCHIVED_FORK = "01a1fe36-9010-7023-a856-a8c802ee8a8a"
DAY = Path("sessions/2026/11/21")
INDEX_LINE = re.compile(
    rb'^\{"id":"(?P<id>[0-9a-f-]{36})","thread_name":"(?P<name>[^"]*)",'
    rb'"updated_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z"\}$')


def files_of(home: Path, thread_id: str) -> list[Path]:
    return sorted(p.relative_to(home) for p in home.rglob(f"rollout-*{thread_id}*"))


def snapshot(home: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under the home (but the lock files Codex's protocol leaves) with its
    content and mtime."""
    out = {}
    for p in sorted(home.rglob("*")):
        if p.is_file() and "thread-writer-locks" not in p.parts and p.suffix != ".lock":
            out[str(p.relative_to(home))] = (p.read_bytes(), p.stat().st_mtime_ns)
    return out


def store(home: Path) -> LocalThreadStore:
    return LocalThreadStore(str(home), cache=False)


# -- archive ---------------------------------------------------------------------------------

def test_archive_moves_the_file_flat_keeping_name_and_mtime(codex_home):
    [before] = files_of(codex_home, PAGINATED)
    data = (codex_home / before).read_bytes()
    summary = store(codex_home).archive(PAGINATED)
    assert summary.archived
    assert files_of(codex_home, PAGINATED) == [Path("archived_sessions") / before.name]
    moved = codex_home / "archived_sessions" / before.name
    assert moved.read_bytes() == data
    assert moved.stat().st_mtime == FIXED_MTIME
    # Codex's writer lock was taken and tidied away; the coordination lock file stays.
    locks = codex_home / "thread-writer-locks"
    assert not (locks / f"{PAGINATED}.lock").exists()
    assert (locks / ".coordination.lock").exists()
    fresh = store(codex_home)
    assert fresh.summary(PAGINATED).archived
    assert fresh.summary(PAGINATED).path == str(moved)


def test_archive_moves_every_segment_and_compressed_copy(make_home):
    tid = "01a1fe36-0000-7000-8000-00000000abcd"
    seg = "01a1fe36-0000-7000-8000-0000000000ff"
    meta = orjson.dumps({"timestamp": "2026-11-21T10:00:00.000Z", "type": "session_meta",
                         "payload": {"id": tid, "timestamp": "2026-11-21T10:00:00.000Z",
                                     "cwd": "/x", "originator": "t", "cli_version": "0.169.0"}})
    home = make_home({
        tid: meta + b"\n",
        f"rollout-2026-11-21T10-00-00-{tid}.jsonl.zst": b"zst",
        f"rollout-2026-11-22T10-00-00-{tid}_{seg}.jsonl": meta + b"\n",
    })
    store(home).archive(tid)
    assert [p.parts[0] for p in files_of(home, tid)] == ["archived_sessions"] * 3
    assert {p.name for p in files_of(home, tid)} == {
        f"rollout-2026-11-21T10-00-00-{tid}.jsonl",
        f"rollout-2026-11-21T10-00-00-{tid}.jsonl.zst",
        f"rollout-2026-11-22T10-00-00-{tid}_{seg}.jsonl"}
    store(home).unarchive(tid)
    assert {str(p.parent) for p in files_of(home, tid)} == {
        "sessions/2026/11/21", "sessions/2026/11/22"}


def test_archive_refusals_change_nothing(codex_home):
    s = store(codex_home)
    before = snapshot(codex_home)
    with pytest.raises(ThreadNotFound):
        s.archive("01a1fe36-0000-7000-8000-000000000000")
    with pytest.raises(StoreError, match="already archived"):
        s.archive(ARCHIVED_FORK)
    assert snapshot(codex_home) == before


def test_archive_refused_while_codex_has_the_thread_open(codex_home):
    locks = codex_home / "thread-writer-locks"
    locks.mkdir()
    fd = os.open(locks / f"{PAGINATED}.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a live Codex holds
    before = snapshot(codex_home)
    try:
        with pytest.raises(ThreadOpenElsewhere, match="open in Codex"):
            store(codex_home).archive(PAGINATED)
        with pytest.raises(ThreadOpenElsewhere):
            store(codex_home).delete(PAGINATED)
    finally:
        os.close(fd)
    assert snapshot(codex_home) == before
    assert (locks / f"{PAGINATED}.lock").exists()  # Codex's file is left alone


def test_a_stale_lock_file_does_not_block(codex_home):
    locks = codex_home / "thread-writer-locks"
    locks.mkdir()
    (locks / f"{PAGINATED}.lock").write_bytes(b"")  # left by a crashed Codex, not held
    store(codex_home).archive(PAGINATED)
    assert not (locks / f"{PAGINATED}.lock").exists()


def test_archive_refused_in_an_unwritable_folder(codex_home):
    day = codex_home / DAY
    os.chmod(day, 0o555)
    before = snapshot(codex_home)
    try:
        with pytest.raises(StoreError, match="read-only"):
            store(codex_home).archive(PAGINATED)
    finally:
        os.chmod(day, 0o755)
    assert snapshot(codex_home) == before


def test_archive_refuses_to_replace_an_archived_copy(codex_home):
    [active] = files_of(codex_home, PAGINATED)
    (codex_home / "archived_sessions" / active.name).write_bytes(b"other\n")
    before = snapshot(codex_home)
    with pytest.raises(StoreError, match="already exists"):
        store(codex_home).archive(PAGINATED)
    assert snapshot(codex_home) == before


# -- unarchive -------------------------------------------------------------------------------

def test_unarchive_restores_the_dated_folder_and_touches_the_current_file(codex_home):
    [archived] = files_of(codex_home, ARCHIVED_FORK)
    started = time.time()
    summary = store(codex_home).unarchive(ARCHIVED_FORK)
    assert not summary.archived
    assert files_of(codex_home, ARCHIVED_FORK) == [DAY / archived.name]
    # As Codex (touch_modified_time): the restored session sorts as just updated.
    assert (codex_home / DAY / archived.name).stat().st_mtime >= started - 1
    assert not (codex_home / "thread-writer-locks" / f"{ARCHIVED_FORK}.lock").exists()


def test_archive_then_unarchive_round_trip(codex_home):
    before = files_of(codex_home, LEGACY)
    data = (codex_home / before[0]).read_bytes()
    s = store(codex_home)
    s.archive(LEGACY)
    assert s.summary(LEGACY).archived
    s.unarchive(LEGACY)
    assert files_of(codex_home, LEGACY) == before
    assert (codex_home / before[0]).read_bytes() == data
    assert not s.summary(LEGACY).archived


def test_unarchive_refusals(codex_home):
    s = store(codex_home)
    before = snapshot(codex_home)
    with pytest.raises(StoreError, match="not archived"):
        s.unarchive(PAGINATED)
    [archived] = files_of(codex_home, ARCHIVED_FORK)
    (codex_home / DAY / archived.name).write_bytes(b"in the way\n")
    with pytest.raises(StoreError, match="already exists"):
        manage.unarchive_thread(str(codex_home), ARCHIVED_FORK)
    (codex_home / DAY / archived.name).unlink()
    assert snapshot(codex_home) == before


# -- rename ----------------------------------------------------------------------------------

def test_rename_appends_one_line_in_codex_format(codex_home):
    index = codex_home / "session_index.jsonl"
    old = index.read_bytes()
    summary, warnings = store(codex_home).set_name(PAGINATED, "  Parser fix  ")
    assert warnings == []
    assert summary.name == "Parser fix" and summary.title == "Parser fix"
    data = index.read_bytes()
    assert data.startswith(old)
    added = data[len(old):]
    assert added.endswith(b"\n") and added.count(b"\n") == 1
    match = INDEX_LINE.match(added.rstrip(b"\n"))
    assert match and match["id"].decode() == PAGINATED and match["name"] == b"Parser fix"
    assert (codex_home / "session_index.jsonl.lock").exists()  # Codex's lock file
    assert read_names(str(codex_home))[0][PAGINATED] == "Parser fix"
    assert store(codex_home).resolve("Parser fix").id == PAGINATED


def test_rename_writes_non_ascii_names_as_utf8(codex_home):
    store(codex_home).set_name(PAGINATED, "Réparer le “parseur” 🚀")
    last = (codex_home / "session_index.jsonl").read_bytes().splitlines()[-1]
    assert orjson.loads(last)["thread_name"] == "Réparer le “parseur” 🚀"


def test_rename_refusals(codex_home):
    s = store(codex_home)
    before = snapshot(codex_home)
    with pytest.raises(StoreError, match="empty"):
        s.set_name(PAGINATED, "   ")
    with pytest.raises(StoreError, match="one line"):
        s.set_name(PAGINATED, "two\nlines")
    with pytest.raises(ThreadNotFound):
        s.set_name("01a1fe36-0000-7000-8000-000000000000", "x")
    os.chmod(codex_home, 0o555)
    try:
        with pytest.raises(StoreError, match="read-only"):
            s.set_name(PAGINATED, "x")
    finally:
        os.chmod(codex_home, 0o755)
    assert snapshot(codex_home) == before


def test_rename_warns_about_name_collisions(codex_home):
    s = store(codex_home)
    assert s.name_warnings(PAGINATED, "picker-demo-thread") == []  # before any listing
    s.scan()
    [warning] = s.name_warnings(PAGINATED, "picker-demo-thread")
    assert NAMED in warning and "picker-demo-thread" in warning
    assert s.name_warnings(NAMED, "picker-demo-thread") == []  # its own name
    summary, warnings = s.set_name(PAGINATED, "picker-demo-thread")
    assert len(warnings) == 1 and NAMED in warnings[0]
    # The newest entry wins the name, as `codex resume picker-demo-thread` would pick.
    assert summary.name == "picker-demo-thread"
    [id_warning] = s.name_warnings(PAGINATED, "01a1fe36-0000-7000-8000-000000000000")
    assert "reads as a session id" in id_warning


def test_rename_to_the_same_name_writes_nothing(codex_home):
    index = codex_home / "session_index.jsonl"
    old = index.read_bytes()
    _, warnings = store(codex_home).set_name(NAMED, "picker-demo-thread")
    assert "already named" in warnings[0]
    assert index.read_bytes() == old


def test_rename_after_a_cut_off_index_line_starts_a_new_line(codex_home):
    index = codex_home / "session_index.jsonl"
    index.write_bytes(index.read_bytes() + b'{"id":"01a1fe36-976d')
    store(codex_home).set_name(PAGINATED, "after crash")
    lines = index.read_bytes().split(b"\n")
    assert INDEX_LINE.match(lines[-2])


# -- delete ----------------------------------------------------------------------------------

def test_delete_removes_files_and_index_entries(codex_home):
    index = codex_home / "session_index.jsonl"
    s = store(codex_home)
    s.set_name(PAGINATED, "doomed")
    s.set_name(LEGACY, "kept")
    s.set_name(PAGINATED, "doomed again")
    junk = b'not json\n{"id":"' + PAGINATED.encode() + b'","thread_name":"no stamp"}\n'
    index.write_bytes(index.read_bytes() + junk)
    os.chmod(index, 0o600)
    s.delete(PAGINATED)
    assert files_of(codex_home, PAGINATED) == []
    lines = index.read_bytes().splitlines(keepends=True)
    # Only whole entries of that thread go (as Codex's remove_thread_name_entries); the
    # rest stays byte for byte, unreadable lines included.
    assert [orjson.loads(x)["id"] for x in lines if x.startswith(b'{"id') and b"updated" in x] \
        == [NAMED, LEGACY]
    assert b"not json\n" in lines
    assert any(b"no stamp" in x for x in lines)
    assert os.stat(index).st_mode & 0o777 == 0o600
    assert not [p for p in codex_home.iterdir() if p.name.startswith(".codex-tui")]
    with pytest.raises(ThreadNotFound):
        s.summary(PAGINATED)
    with pytest.raises(ThreadNotFound):
        store(codex_home).summary(PAGINATED)
    assert not (codex_home / "thread-writer-locks" / f"{PAGINATED}.lock").exists()


def test_delete_removes_archived_segments_and_compressed_copies(make_home):
    tid = "01a1fe36-0000-7000-8000-00000000abcd"
    seg = "01a1fe36-0000-7000-8000-0000000000ff"
    home = make_home({tid: b"{}\n", f"rollout-2026-11-21T10-00-00-{tid}.jsonl.zst": b"z"})
    make_home({f"rollout-2026-11-22T10-00-00-{tid}_{seg}.jsonl": b"{}\n"}, archived=True,
              home=home)
    removed = manage.delete_thread(str(home), tid)
    assert len(removed) == 3
    assert files_of(home, tid) == []
    assert (home / "sessions/2026/11/21").is_dir()  # empty date folders stay, as in Codex


def test_delete_refused_while_a_fork_references_it(codex_home):
    s = store(codex_home)
    before = snapshot(codex_home)
    with pytest.raises(StoreError, match="forked history still references it") as err:
        s.delete(FORK_SOURCE)
    assert FORK in str(err.value)
    # An archived fork counts too.
    with pytest.raises(StoreError, match="forked history still references it") as err:
        s.delete(ARCHIVED_FORK_SOURCE)
    assert ARCHIVED_FORK in str(err.value)
    assert snapshot(codex_home) == before
    # Once the fork is gone the source can go.
    s.delete(FORK)
    s.delete(FORK_SOURCE)
    assert files_of(codex_home, FORK_SOURCE) == []


def test_delete_refusals_change_nothing(codex_home):
    s = store(codex_home)
    before = snapshot(codex_home)
    with pytest.raises(ThreadNotFound):
        s.delete("01a1fe36-0000-7000-8000-000000000000")
    os.chmod(codex_home / DAY, 0o555)
    try:
        with pytest.raises(StoreError, match="read-only"):
            s.delete(PAGINATED)
    finally:
        os.chmod(codex_home / DAY, 0o755)
    assert snapshot(codex_home) == before


def test_remove_index_entries_without_any_writes_nothing(codex_home, tmp_path):
    index = codex_home / "session_index.jsonl"
    st = index.stat()
    assert remove_session_index_entries(str(codex_home), PAGINATED) == 0
    assert index.stat().st_ino == st.st_ino
    assert remove_session_index_entries(str(tmp_path), PAGINATED) == 0  # no index at all
    assert not (tmp_path / "session_index.jsonl").exists()


def test_remove_index_entries_matches_ids_as_uuids(codex_home):
    index = codex_home / "session_index.jsonl"
    upper = NAMED.upper()
    index.write_bytes(index.read_bytes() + orjson.dumps(
        {"id": upper, "thread_name": "x", "updated_at": "2026"}) + b"\n")
    assert remove_session_index_entries(str(codex_home), NAMED) == 2
    assert index.read_bytes() == b""


# -- crash between steps -----------------------------------------------------------------------

def _segmented(make_home) -> tuple[Path, str]:
    tid = "01a1fe36-0000-7000-8000-00000000abcd"
    seg = "01a1fe36-0000-7000-8000-0000000000ff"
    lines = [
        {"timestamp": "2026-11-21T10:00:00.000Z", "type": "session_meta",
         "payload": {"id": tid, "timestamp": "2026-11-21T10:00:00.000Z", "cwd": "/x",
                     "originator": "t", "cli_version": "0.169.0"}},
        {"timestamp": "2026-11-21T10:00:01.000Z", "type": "event_msg",
         "payload": {"type": "user_message", "message": "first"}},
    ]
    data = b"".join(orjson.dumps(x) + b"\n" for x in lines)
    home = make_home({tid: data, f"rollout-2026-11-22T10-00-00-{tid}_{seg}.jsonl": data})
    return home, tid


class Crash(Exception):
    pass


def _crash_after(monkeypatch, target, name: str, steps: int) -> None:
    real = getattr(target, name)
    calls = iter(range(1_000))

    def step(*args, **kwargs):
        if next(calls) >= steps:
            raise Crash
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, step)


@pytest.mark.parametrize("steps", [0, 1])
def test_archive_interrupted_reads_as_before_or_after(make_home, monkeypatch, steps):
    home, tid = _segmented(make_home)
    _crash_after(monkeypatch, manage, "move_no_replace", steps)
    with pytest.raises(Crash):
        manage.archive_thread(str(home), tid)
    summary = store(home).summary(tid)
    assert not summary.archived  # the current file moves last: still active until it does
    assert summary.path.endswith("_01a1fe36-0000-7000-8000-0000000000ff.jsonl")
    monkeypatch.undo()
    # The writer lock was released: the archive can be finished.
    manage.archive_thread(str(home), tid)
    assert store(home).summary(tid).archived


@pytest.mark.parametrize("steps", [0, 1])
def test_unarchive_interrupted_reads_as_before_or_after(make_home, monkeypatch, steps):
    home, tid = _segmented(make_home)
    manage.archive_thread(str(home), tid)
    _crash_after(monkeypatch, manage, "move_no_replace", steps)
    with pytest.raises(Crash):
        manage.unarchive_thread(str(home), tid)
    summary = store(home).summary(tid)
    assert summary.archived == (steps == 0)  # the current file moves first
    assert summary.path.endswith("_01a1fe36-0000-7000-8000-0000000000ff.jsonl")
    monkeypatch.undo()
    manage.unarchive_thread(str(home), tid)
    assert not store(home).summary(tid).archived


def test_delete_interrupted_keeps_the_thread_listed(make_home, monkeypatch):
    home, tid = _segmented(make_home)
    _crash_after(monkeypatch, manage.os, "unlink", 1)
    with pytest.raises(Crash):
        manage.delete_thread(str(home), tid)
    monkeypatch.undo()
    # The current file goes last: the thread is still there (not an older copy of it).
    summary = store(home).summary(tid)
    assert summary.path.endswith("_01a1fe36-0000-7000-8000-0000000000ff.jsonl")
    manage.delete_thread(str(home), tid)
    assert files_of(home, tid) == []


def test_writer_lock_is_exclusive_and_released(codex_home):
    home = str(codex_home)
    with atomic.thread_writer_lock(home, PAGINATED):
        with pytest.raises(ThreadOpenElsewhere), atomic.thread_writer_lock(home, PAGINATED):
            pass
        with atomic.thread_writer_lock(home, LEGACY):
            pass
    with atomic.thread_writer_lock(home, PAGINATED):
        pass
    assert sorted(os.listdir(codex_home / "thread-writer-locks")) == [".coordination.lock"]


def test_move_no_replace(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("a")
    b.write_text("b")
    with pytest.raises(StoreError, match="already exists"):
        atomic.move_no_replace(str(a), str(b))
    assert a.read_text() == "a" and b.read_text() == "b"
    b.unlink()
    atomic.move_no_replace(str(a), str(b))
    assert not a.exists() and b.read_text() == "a"


# -- Codex's own index (state_5.sqlite, read only) ---------------------------------------------

def _index(home: Path, rows: list[tuple[str, str, int]]) -> Path:
    import sqlite3

    db = home / "state_5.sqlite"
    db.unlink(missing_ok=True)
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE threads (id TEXT PRIMARY KEY, rollout_path TEXT, "
                "archived INTEGER)")
    con.executemany("INSERT INTO threads VALUES (?, ?, ?)", rows)
    con.commit()
    con.close()
    return db


def test_unarchive_refused_when_codex_archived_it(codex_home):
    [archived] = files_of(codex_home, ARCHIVED_FORK)
    db = _index(codex_home, [(ARCHIVED_FORK, str(codex_home / archived), 1)])
    before = snapshot(codex_home)
    with pytest.raises(StoreError, match=r"codex unarchive 01a1fe36-9010"):
        store(codex_home).unarchive(ARCHIVED_FORK)
    assert snapshot(codex_home) == before
    # Codex's database is only read: nothing is created beside it.
    assert sorted(p.name for p in codex_home.iterdir() if p.name.startswith("state_5")) \
        == [db.name]


def test_an_index_copied_from_another_home_is_ignored(codex_home):
    [archived] = files_of(codex_home, ARCHIVED_FORK)
    _index(codex_home, [(ARCHIVED_FORK, f"/elsewhere/.codex/{archived}", 1)])
    assert not store(codex_home).unarchive(ARCHIVED_FORK).archived


def test_archive_warns_when_codex_index_still_lists_it_active(codex_home):
    [active] = files_of(codex_home, PAGINATED)
    _index(codex_home, [(PAGINATED, str(codex_home / active), 0)])
    s = store(codex_home)
    assert s.codex_index_note(PAGINATED) is None  # files and index agree
    s.archive(PAGINATED)
    note = s.codex_index_note(PAGINATED)
    assert note and "no rollout found" in note
    s.unarchive(PAGINATED)  # back where the index says: nothing to say any more
    assert s.codex_index_note(PAGINATED) is None


def test_reading_a_live_codex_index_writes_nothing(tmp_path):
    import sqlite3

    from codex_tui.store.codex_index import index_row

    db = tmp_path / "state_5.sqlite"
    writer = sqlite3.connect(db)  # stays open, as a running Codex would
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE threads (id TEXT PRIMARY KEY, rollout_path TEXT, "
                   "archived INTEGER)")
    writer.execute("INSERT INTO threads VALUES ('t1', '/x/a.jsonl', 1)")
    writer.commit()
    try:
        files = {p.name: (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes())
                 for p in tmp_path.iterdir()}
        assert "state_5.sqlite-wal" in files
        row = index_row(str(tmp_path), "t1")  # the row is only in the -wal file so far
        assert row is not None and row.archived and row.rollout_path == "/x/a.jsonl"
        assert index_row(str(tmp_path), "t2") is None
        assert {p.name: (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes())
                for p in tmp_path.iterdir()} == files
    finally:
        writer.close()


# -- the in-memory store (tests and snapshots use it) --------------------------------------------

def test_in_memory_store_manages_as_the_local_one(codex_home):
    from codex_tui.store import InMemoryThreadStore, ThreadSummary

    local = store(codex_home)
    threads = [local.read_thread(t) for t in (PAGINATED, NAMED, FORK, FORK_SOURCE)]
    memory = InMemoryThreadStore(threads)
    assert memory.archive(PAGINATED).archived
    with pytest.raises(StoreError, match="already archived"):
        memory.archive(PAGINATED)
    assert not memory.unarchive(PAGINATED).archived
    with pytest.raises(StoreError, match="not archived"):
        memory.unarchive(PAGINATED)
    summary, warnings = memory.set_name(PAGINATED, " picker-demo-thread ")
    assert summary.name == "picker-demo-thread" and NAMED in warnings[0]
    with pytest.raises(StoreError, match="empty"):
        memory.set_name(PAGINATED, " ")
    with pytest.raises(ThreadNotFound):
        memory.delete("01a1fe36-0000-7000-8000-000000000000")
    with pytest.raises(StoreError, match="forked history still references it"):
        memory.delete(FORK_SOURCE)
    memory.delete(FORK)
    memory.delete(FORK_SOURCE)
    assert {s.id for s in memory.scan()} == {PAGINATED, NAMED}
    assert memory.codex_index_note(PAGINATED) is None
    assert isinstance(summary, ThreadSummary)
