"""The first screen of rows: read before the picker's first frame, cold or warm, and never
in place of the real listing."""

from __future__ import annotations

import gc
import json
import os
import threading
from pathlib import Path

import pytest
from support.apps import picker_app, settle

from codex_tui import gcpause
from codex_tui.store import LocalThreadStore, ThreadQuery
from codex_tui.store import catalog as catalog_module
from codex_tui.store.head import peek_cwd
from codex_tui.store.paths import newest_rollout_files, scan_rollout_files
from codex_tui.store.thread_store.protocol import FIRST_PAGE_BUDGET

ALL = ThreadQuery(cwd=None)
# What a first page holds, not how fast: time enough on any machine (the budget has its own test).
ENOUGH = 30.0


def meta_line(tid: str, cwd: str, when: str) -> str:
    return json.dumps({"timestamp": when, "type": "session_meta",
                       "payload": {"id": tid, "timestamp": when, "cwd": cwd,
                                   "originator": "codex_cli_rs", "cli_version": "0.120.0",
                                   "source": "cli"}})


def user_line(text: str) -> str:
    return json.dumps({"timestamp": "2026-01-01T00:00:00Z", "type": "event_msg",
                       "payload": {"type": "user_message", "message": text}})


def tid(n: int) -> str:
    return f"01a10000-0000-7000-8000-{n:012d}"


@pytest.fixture
def dated_home(tmp_path: Path) -> Path:
    """Sessions over three days (and one from the era that wrote straight into sessions/),
    half of them in /work/here."""
    home = tmp_path / "home"
    n = 0
    for day in ("2026/10/30", "2026/11/02", "2026/11/21"):
        folder = home / "sessions" / day
        folder.mkdir(parents=True)
        for hour in (9, 13, 17):
            n += 1
            y, m, d = day.split("/")
            stamp = f"{y}-{m}-{d}T{hour:02d}-00-00"
            cwd = "/work/here" if n % 2 else "/work/elsewhere"
            text = meta_line(tid(n), cwd, f"{y}-{m}-{d}T{hour:02d}:00:00Z") + "\n" \
                + user_line(f"prompt {n}") + "\n"
            path = folder / f"rollout-{stamp}-{tid(n)}.jsonl"
            path.write_text(text)
            os.utime(path, (1_790_000_000 + n * 3600,) * 2)  # updated in the same order
    old = home / "sessions" / f"rollout-2025-01-01T00-00-00-{tid(99)}.jsonl"
    old.write_text(meta_line(tid(99), "/work/here", "2025-01-01T00:00:00Z") + "\n"
                   + user_line("very old") + "\n")
    os.utime(old, (1_700_000_000,) * 2)
    return home


def test_newest_files_come_first_and_every_file_comes(dated_home: Path):
    order = [rf.name.thread_id for rf in newest_rollout_files(str(dated_home))]
    assert order == [tid(n) for n in (9, 8, 7, 6, 5, 4, 3, 2, 1, 99)]
    assert sorted(order) == sorted(rf.name.thread_id
                                   for rf in scan_rollout_files(str(dated_home), False))


def test_newest_files_list_only_the_folders_consumed(dated_home: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    listed: list[str] = []
    real = os.scandir

    def counting(path):
        listed.append(str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", counting)
    files = newest_rollout_files(str(dated_home))
    next(files)
    assert not any(p.endswith(("10/30", "11/02")) for p in listed)


def test_peek_cwd_reads_the_recorded_directory(dated_home: Path, tmp_path: Path):
    first = next(newest_rollout_files(str(dated_home)))
    assert peek_cwd(first.path) == "/work/here"
    odd = tmp_path / "odd.jsonl"
    odd.write_text('{"payload": {"cwd": "/tmp/with \\"quote\\" and \\u00e9"}}\n')
    assert peek_cwd(str(odd)) == '/tmp/with "quote" and é'
    (tmp_path / "none.jsonl").write_text('{"type": "message"}\n')
    assert peek_cwd(str(tmp_path / "none.jsonl")) is None
    assert peek_cwd(str(tmp_path / "missing.jsonl")) is None


def test_cold_first_page_is_newest_first_and_filtered(dated_home: Path):
    store = LocalThreadStore(str(dated_home))
    page = store.first_page("/work/here", limit=3, budget=ENOUGH)
    assert [s.id for s in page] == [tid(9), tid(7), tid(5)]
    assert all(not s.pending and s.cwd == "/work/here" for s in page)
    everyone = LocalThreadStore(str(dated_home)).first_page(None, limit=4, budget=ENOUGH)
    assert [s.id for s in everyone] == [tid(9), tid(8), tid(7), tid(6)]


def test_cold_first_page_respects_keep_and_budget(dated_home: Path):
    store = LocalThreadStore(str(dated_home))
    page = store.first_page(None, limit=10, keep=lambda s: s.preview != "prompt 9",
                           budget=ENOUGH)
    assert tid(9) not in [s.id for s in page]
    assert LocalThreadStore(str(dated_home)).first_page(None, limit=10, budget=0.0) == []


def test_cold_first_page_heads_are_not_read_again(dated_home: Path,
                                                  monkeypatch: pytest.MonkeyPatch):
    reads: list[str] = []
    real = catalog_module.read_head

    def counting(path: str):
        reads.append(os.path.basename(path))
        return real(path)

    monkeypatch.setattr(catalog_module, "read_head", counting)
    store = LocalThreadStore(str(dated_home))
    page = store.first_page("/work/here", limit=2, budget=ENOUGH)
    assert len(page) == 2
    early = list(reads)
    reads.clear()
    store.scan()
    list(store.complete())
    assert not set(early) & set(reads)
    assert len(early) + len(reads) == 10


def test_warm_first_page_comes_from_the_cache(dated_home: Path,
                                              monkeypatch: pytest.MonkeyPatch):
    LocalThreadStore(str(dated_home)).list_threads(ALL)  # fills the cache

    def no_heads(*_args):
        raise AssertionError("a warm first page must not read heads")

    monkeypatch.setattr(catalog_module, "read_head", no_heads)
    page = LocalThreadStore(str(dated_home)).first_page("/work/here", limit=3, budget=ENOUGH)
    assert [s.id for s in page] == [tid(9), tid(7), tid(5)]
    everyone = LocalThreadStore(str(dated_home)).first_page(None, limit=2, budget=ENOUGH)
    assert [s.id for s in everyone] == [tid(9), tid(8)]


def test_first_page_never_shows_archived_or_unreadable(tmp_path: Path, make_home):
    home = make_home({tid(1): meta_line(tid(1), "/w", "2026-11-21T10:00:00Z") + "\n"},
                     archived=True)
    assert LocalThreadStore(str(home)).first_page(None, limit=5, budget=ENOUGH) == []
    empty = tmp_path / "empty"
    empty.mkdir()
    assert LocalThreadStore(str(empty)).first_page(None, limit=5, budget=ENOUGH) == []


async def test_first_rows_are_in_the_first_frame(dated_home: Path,
                                                 monkeypatch: pytest.MonkeyPatch):
    # The listing worker is held back: whatever rows are on screen came from first_page.
    release = threading.Event()
    real_scan = LocalThreadStore.scan

    def held_scan(self):
        release.wait(10)
        return real_scan(self)

    monkeypatch.setattr(LocalThreadStore, "scan", held_scan)
    app = picker_app(dated_home, cwd="/work/here")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        await pilot.pause()
        assert screen.first_rows_at is not None
        assert screen.first_rows_painted_at is not None
        shown = [s.id for s in screen.query_one("SessionList").rows]
        assert shown[:3] == [tid(9), tid(7), tid(5)]
        release.set()
        await settle(pilot)
        assert [s.id for s in screen.query_one("SessionList").rows] == \
            [tid(n) for n in (9, 7, 5, 3, 1, 99)]


async def test_gc_is_paused_while_loading_and_resumed_after(dated_home: Path, monkeypatch):
    assert gc.isenabled()
    seen: list[bool] = []  # gc.isenabled() when loading ended (a small home loads so fast
    real = gcpause.resume  # that the test body may only begin after it)

    def resume() -> None:
        seen.append(gc.isenabled())
        real()

    monkeypatch.setattr(gcpause, "resume", resume)
    app = picker_app(dated_home, cwd="/work/here")
    assert not gc.isenabled()  # paused from the app's construction
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert seen and seen[0] is False  # still paused until the rows were loaded
        assert gc.isenabled()
    assert gc.isenabled()
    gcpause.resume()  # idempotent
    assert gc.isenabled()


async def test_cold_rows_come_before_the_whole_home_is_listed(dated_home: Path,
                                                              monkeypatch: pytest.MonkeyPatch):
    """When the first frame's budget found nothing (this directory's sessions are rare), the
    loader reads the newest day folders' heads for a screenful before it lists the home:
    at 50,000 sessions that listing takes seconds."""
    release = threading.Event()
    real_scan = LocalThreadStore.scan
    real_first = LocalThreadStore.first_page

    def held_scan(self):
        release.wait(10)
        return real_scan(self)

    def nothing_in_the_first_frame(self, cwd, limit, keep=None, budget=FIRST_PAGE_BUDGET):
        return [] if budget == FIRST_PAGE_BUDGET else real_first(self, cwd, limit, keep, budget)

    monkeypatch.setattr(LocalThreadStore, "scan", held_scan)
    monkeypatch.setattr(LocalThreadStore, "first_page", nothing_in_the_first_frame)
    app = picker_app(dated_home, cwd="/work/here")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        expected = [tid(n) for n in (9, 7, 5, 3, 1, 99)]
        for _ in range(200):
            await pilot.pause(0.02)
            if [s.id for s in screen.query_one("SessionList").rows] == expected:
                break
        assert [s.id for s in screen.query_one("SessionList").rows] == expected
        assert not release.is_set()  # the whole listing has not even started
        release.set()
        await settle(pilot)
        assert [s.id for s in screen.query_one("SessionList").rows] == expected
