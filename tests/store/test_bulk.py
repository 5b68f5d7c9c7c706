"""Bulk writes (store/bulk.py) through the ThreadStore: one refusal in the middle leaves the
others done, each in the store's own words; a cancelled run stops between two sessions and
says which were reached; an interrupted write leaves that session as before or as after."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest
from support.bulk_home import FORK, FORK_SOURCE, SPECS, session_bytes, sid

from codex_tui.store import (
    InMemoryThreadStore,
    LocalThreadStore,
    StoreError,
    ThreadQuery,
    manage,
)
from codex_tui.store.bulk import DONE, NOT_REACHED, REFUSED, outcome_json, run, totals
from codex_tui.store.storage import every_thread


def where(bulk_home: Path, tid: str) -> set[str]:
    return {p.relative_to(bulk_home).parts[0] for p in bulk_home.rglob(f"rollout-*{tid}*")}


def summaries(store, ids):
    by_id = {s.id: s for s in every_thread(store)}
    return [by_id[tid] for tid in ids]


def hold_writer_lock(bulk_home: Path, tid: str) -> int:
    locks = bulk_home / "thread-writer-locks"
    locks.mkdir(exist_ok=True)
    fd = os.open(locks / f"{tid}.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a live Codex holds
    return fd


def test_archive_with_a_session_codex_is_writing_in_the_middle(bulk_home):
    store = LocalThreadStore(str(bulk_home), cache=False)
    ids = [sid(1), sid(2), sid(3)]
    fd = hold_writer_lock(bulk_home, sid(2))
    try:
        outcomes = list(run(store, summaries(store, ids), "archive"))
    finally:
        os.close(fd)
    assert [(o.id, o.result) for o in outcomes] == [
        (sid(1), DONE), (sid(2), REFUSED), (sid(3), DONE)]
    assert "is open in Codex" in outcomes[1].reason
    assert where(bulk_home, sid(1)) == where(bulk_home, sid(3)) == {"archived_sessions"}
    assert where(bulk_home, sid(2)) == {"sessions"}
    assert outcomes[0].via.startswith("files")  # (CODEX_TUI_WRITES=files in the tests)
    assert outcomes[0].bytes == session_bytes(bulk_home, sid(1))
    # A fresh store sees the same.
    fresh = {s.id: s for s in every_thread(LocalThreadStore(str(bulk_home), cache=False))}
    assert fresh[sid(1)].archived and fresh[sid(3)].archived and not fresh[sid(2)].archived
    # and the listing the runner's store keeps agrees, without a new scan (each moved
    # thread is found where its files went: _moved)
    archived = {s.id: s for s in store.list_threads(ThreadQuery(archived=True))}
    assert {sid(1), sid(3)} <= set(archived) and sid(2) not in archived
    assert archived[sid(1)].path == str(bulk_home / "archived_sessions" / Path(
        outcomes[0].path).name)


def test_a_lock_taken_after_the_check_is_refused_by_the_write(bulk_home, monkeypatch):
    store = LocalThreadStore(str(bulk_home), cache=False)
    ids = [sid(1), sid(3)]
    fds = []
    original = manage.archive_thread

    def archive(codex_home, tid):
        if tid == sid(3):
            fds.append(hold_writer_lock(bulk_home, tid))  # Codex opens it meanwhile
        return original(codex_home, tid)

    monkeypatch.setattr(manage, "archive_thread", archive)
    try:
        outcomes = list(run(store, summaries(store, ids), "archive"))
    finally:
        for fd in fds:
            os.close(fd)
    assert [o.result for o in outcomes] == [DONE, REFUSED]
    assert "is open in Codex" in outcomes[1].reason
    assert where(bulk_home, sid(3)) == {"sessions"}


def test_delete_with_a_fork_source_in_the_middle(bulk_home):
    store = LocalThreadStore(str(bulk_home), cache=False)
    ids = [sid(8), FORK_SOURCE, sid(4)]
    outcomes = list(run(store, summaries(store, ids), "delete"))
    assert [o.result for o in outcomes] == [DONE, REFUSED, DONE]
    assert "forked history still references it" in outcomes[1].reason
    assert FORK in outcomes[1].reason
    assert where(bulk_home, sid(8)) == where(bulk_home, sid(4)) == set()
    assert where(bulk_home, FORK_SOURCE) == {"sessions"}
    assert totals(outcomes) == {DONE: (2, outcomes[0].bytes + outcomes[2].bytes),
                                REFUSED: (1, outcomes[1].bytes)}


def test_a_failing_write_is_reported_in_the_stores_words(bulk_home):
    store = LocalThreadStore(str(bulk_home), cache=False)
    ids = [sid(1), sid(5), sid(3)]
    day = bulk_home / "sessions" / next(s.created.strftime("%Y/%m/%d") for s in SPECS
                                   if s.id == sid(5))
    os.chmod(day, 0o555)
    try:
        outcomes = list(run(store, summaries(store, ids), "archive"))
    finally:
        os.chmod(day, 0o755)
    assert [o.result for o in outcomes] == [DONE, REFUSED, DONE]
    assert "read-only" in outcomes[1].reason
    assert where(bulk_home, sid(5)) == {"sessions"}


def test_cancelled_between_two_sessions(bulk_home):
    store = LocalThreadStore(str(bulk_home), cache=False)
    ids = [sid(1), sid(2), sid(3)]
    seen: list[str] = []
    outcomes = []
    for o in run(store, summaries(store, ids), "archive", cancelled=lambda: len(seen) >= 1):
        seen.append(o.id)
        outcomes.append(o)
    assert [o.result for o in outcomes] == [DONE, NOT_REACHED, NOT_REACHED]
    assert where(bulk_home, sid(1)) == {"archived_sessions"}
    assert where(bulk_home, sid(2)) == where(bulk_home, sid(3)) == {"sessions"}


def test_interrupted_in_the_middle_each_session_is_before_or_after(bulk_home, monkeypatch):
    """A crash inside the second write (between its steps): the first is archived, the
    second reads as before or after, the third untouched."""
    store = LocalThreadStore(str(bulk_home), cache=False)
    ids = [sid(1), sid(2), sid(3)]
    calls = {"n": 0}
    original = manage.move_no_replace

    def crash(src, dest):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return original(src, dest)

    monkeypatch.setattr(manage, "move_no_replace", crash)
    done = []
    with pytest.raises(KeyboardInterrupt):
        for o in run(store, summaries(store, ids), "archive"):
            done.append(o)
    assert [o.id for o in done] == [sid(1)]
    fresh = {s.id: s for s in every_thread(LocalThreadStore(str(bulk_home), cache=False))}
    assert fresh[sid(1)].archived
    assert not fresh[sid(2)].archived and where(bulk_home, sid(2)) == {"sessions"}
    assert not fresh[sid(3)].archived


def test_unarchive_and_an_export_like_write(bulk_home, tmp_path):
    store = LocalThreadStore(str(bulk_home), cache=False)
    outcomes = list(run(store, summaries(store, [sid(4), sid(8)]), "unarchive"))
    assert [o.result for o in outcomes] == [DONE, DONE]
    assert where(bulk_home, sid(4)) == where(bulk_home, sid(8)) == {"sessions"}

    written = []

    def export(_store, summary):
        if summary.id == sid(5):
            raise StoreError("cannot write there")
        written.append(summary.id)

    outcomes = list(run(store, summaries(store, [sid(3), sid(5), sid(7)]), "export",
                        write=export))
    assert [o.result for o in outcomes] == [DONE, REFUSED, DONE]
    assert outcomes[1].reason == "cannot write there"
    assert written == [sid(3), sid(7)]


def test_in_memory_store_refuses_as_the_local_one(bulk_home):
    local = LocalThreadStore(str(bulk_home), cache=False)
    threads = [local.read_thread(s.id) for s in every_thread(local)]
    memory = InMemoryThreadStore(threads)
    memory.open_in_codex.add(sid(2))
    outcomes = list(run(memory, summaries(memory, [sid(1), sid(2), FORK_SOURCE]), "archive"))
    assert [o.result for o in outcomes] == [DONE, REFUSED, REFUSED]
    assert "is open in Codex" in outcomes[1].reason
    assert "forked history still references it" in outcomes[2].reason


def test_outcome_json_names():
    from codex_tui.store.bulk import BulkOutcome

    data = outcome_json(BulkOutcome("i", "/p", 3, "delete", DONE))
    assert set(data) >= {"id", "path", "bytes", "action", "result", "reason"}
