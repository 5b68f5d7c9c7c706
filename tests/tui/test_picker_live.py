"""The picker live: new sessions appear without a restart, rows update as their session
grows, renames/archives/deletions show, at a cost that does not grow with the number of
sessions (only today's folders, live files and a few stats per poll)."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

from support.apps import picker_app, settle
from support.homes import FIXTURE_HOME

from codex_tui.screens.picker import PickerScreen
from codex_tui.store import LocalThreadStore
from codex_tui.store import watch as watch_module
from codex_tui.store.thread_store import LocalStoreWatcher
from codex_tui.store.watch import HomeWatcher
from codex_tui.widgets.session_list import SessionList

TESTS_169 = "01a1fe36-9923-7570-9f27-baeff79474f4"
NEW_ID = "01a1ff00-1111-7222-8333-444455556666"
DAY = datetime(2026, 11, 21, 15, 0)


def source_file() -> Path:
    return next((FIXTURE_HOME / "sessions").rglob(f"rollout-*-{TESTS_169}.jsonl"))


def new_session(directory: Path, thread_id: str = NEW_ID, upto: int | None = None) -> Path:
    """A copy of a real 0.169 session under another id, in `directory`."""
    data = source_file().read_bytes().replace(TESTS_169.encode(), thread_id.encode())
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"rollout-2026-11-21T15-00-00-{thread_id}.jsonl"
    path.write_bytes(data if upto is None else data[:upto])
    return path


def watcher_for(store: LocalThreadStore, today: datetime = DAY) -> LocalStoreWatcher:
    store.scan()
    for _ in store.complete():
        pass
    known = {rf.path: (rf.size, rf.mtime_ns, rf.inode)
             for tf in store._files.values() for rf in tf.files}
    return LocalStoreWatcher(store, HomeWatcher(store.codex_home, known,
                                                locate=store._current_path,
                                                today=lambda: today))


def test_new_growing_renamed_archived_and_deleted(codex_home):
    store = LocalThreadStore(str(codex_home), cache=False)
    watcher = watcher_for(store)
    assert not watcher.poll()
    today = codex_home / "sessions" / "2026" / "11" / "21"
    # A new session, its first lines only.
    path = new_session(today, upto=30_000)
    update = watcher.poll()
    assert [s.id for s in update.summaries] == [NEW_ID]
    first_size = update.summaries[0].size
    assert not update.summaries[0].pending and update.summaries[0].cwd  # its head was read
    # It grows.
    with open(path, "ab") as stream:
        stream.write(b'{"timestamp":"2026-11-21T15:00:09.000Z","type":"event_msg",'
                     b'"payload":{"type":"agent_message","message":"more"}}\n')
    update = watcher.poll()
    assert [s.id for s in update.summaries] == [NEW_ID]
    assert update.summaries[0].size > first_size
    # Renamed (session_index.jsonl appended, as Codex does).
    with open(codex_home / "session_index.jsonl", "ab") as stream:
        stream.write(f'{{"id":"{NEW_ID}","thread_name":"live one",'
                     f'"updated_at":"2026-11-21T15:01:00Z"}}\n'.encode())
    update = watcher.poll()
    assert any(s.id == NEW_ID and s.name == "live one" for s in update.summaries)
    # Archived: renamed into archived_sessions/.
    archived = codex_home / "archived_sessions" / path.name
    os.rename(path, archived)
    update = watcher.poll()
    assert [(s.id, s.archived, s.path) for s in update.summaries] == \
        [(NEW_ID, True, str(archived))]
    # Deleted.
    archived.unlink()
    update = watcher.poll()
    assert update.removed == [NEW_ID] and not update.summaries


def test_a_resumed_old_session_is_seen_through_its_writer_lock(codex_home):
    """An old session in an old folder grows while Codex holds its writer lock."""
    store = LocalThreadStore(str(codex_home), cache=False)
    watcher = watcher_for(store, today=datetime(2026, 12, 25, 12, 0))  # another day
    old = next((codex_home / "sessions").rglob(f"rollout-*-{TESTS_169}.jsonl"))
    locks = codex_home / "thread-writer-locks"
    locks.mkdir()
    (locks / f"{TESTS_169}.lock").write_bytes(b"")
    assert not watcher.poll()
    with open(old, "ab") as stream:
        stream.write(b'{"timestamp":"2026-12-25T12:00:00.000Z","type":"event_msg",'
                     b'"payload":{"type":"agent_message","message":"resumed"}}\n')
    update = watcher.poll()
    assert [s.id for s in update.summaries] == [TESTS_169]


def test_poll_cost_does_not_grow_with_the_number_of_sessions(codex_home, monkeypatch):
    """2,000 old sessions: a poll stats the watched folders, today's files and the index,
    never the old files."""
    old_day = codex_home / "sessions" / "2025" / "01" / "02"
    for n in range(2000):
        new_session(old_day, f"01a1ff00-0000-7000-8000-{n:012d}", upto=200)
    store = LocalThreadStore(str(codex_home), cache=False)
    store.scan()
    watcher = HomeWatcher(store.codex_home, {}, today=lambda: datetime(2026, 12, 25))
    calls: list[str] = []
    real_stat = os.stat

    def counting(path, *args, **kwargs):
        calls.append(str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(watch_module.os, "stat", counting)
    for _ in range(3):
        watcher.poll()
    monkeypatch.setattr(watch_module.os, "stat", real_stat)
    assert len(calls) <= 3 * 6, calls  # 2 dated dirs, archived dir, locks dir, index
    assert not any("2025" in c for c in calls)


# ---- in the picker ---------------------------------------------------------------------------


async def wait_for(pilot, condition, timeout: float = 8.0) -> None:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "timed out"
        await pilot.pause(0.05)


def row_ids(app) -> list[str]:
    return [s.id for s in app.screen.query_one(SessionList).rows]


async def test_picker_shows_new_sessions_and_growth_without_a_restart(codex_home):
    app = picker_app(codex_home, cwd="/home/dev/src/beta")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        assert NEW_ID not in row_ids(app)
        now = datetime.now()
        today = codex_home / "sessions" / f"{now:%Y}" / f"{now:%m}" / f"{now:%d}"
        data = source_file().read_bytes()
        path = new_session(today, upto=30_000)
        await wait_for(pilot, lambda: NEW_ID in row_ids(app))
        rows = app.screen.query_one(SessionList).rows
        assert rows[0].id == NEW_ID  # the most recently updated first
        size = rows[0].size
        with open(path, "ab") as stream:
            stream.write(data[30_000:].replace(TESTS_169.encode(), NEW_ID.encode()))
        await wait_for(pilot, lambda: app.screen.query_one(SessionList).rows[0].size > size)
        path.unlink()
        await wait_for(pilot, lambda: NEW_ID not in row_ids(app))
        watchers = [w for w in app.workers if w.group == "live-picker"]
        assert len(watchers) == 1 and watchers[0].is_running


async def test_picker_clock_redraws_relative_times(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        session_list = app.screen.query_one(SessionList)
        before = session_list._version
        session_list.set_now(datetime(2030, 1, 1).astimezone())
        assert session_list._version == before + 1
