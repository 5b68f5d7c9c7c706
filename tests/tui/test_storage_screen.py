"""The Storage screen: opened from the picker (D) and the command palette, its figures the
store's report, regrouped (g) and sorted (s) without reading again, Enter on a project
back to the picker on that directory, Enter on a largest session to its transcript; and
SVG snapshots of what it shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.apps import fixed_now, settle
from support.bulk_home import FORK, FORK_SOURCE, SPECS, disk_bytes, sid

from codex_tui.app import CodexTuiApp
from codex_tui.screens.picker import PickerScreen
from codex_tui.screens.storage import StorageScreen, month_range
from codex_tui.store import InMemoryThreadStore, LocalThreadStore
from codex_tui.store.storage import every_thread
from codex_tui.widgets.session_list import SessionList


def app_on(bulk_home: Path, cwd: str = "/home/dev/beta") -> CodexTuiApp:
    return CodexTuiApp(LocalThreadStore(str(bulk_home), cache=False), cwd=cwd, now=fixed_now)


def memory_app(bulk_home: Path) -> CodexTuiApp:
    """The bulk bulk_home's sessions in a memory store, with fixed file sizes: nothing in the
    picture depends on where the test's bulk_home is."""
    local = LocalThreadStore(str(bulk_home), cache=False)
    store = InMemoryThreadStore([local.read_thread(s.id) for s in every_thread(local)])
    store.files = {"sessions/": 1_016_214, "archived_sessions/": 217_913,
                   "history.jsonl": 85, "session_index.jsonl": 119,
                   "state_5.sqlite": 4096, "logs_2.sqlite-wal": 1000}
    return CodexTuiApp(store, cwd="/home/dev/beta", now=fixed_now)


def group_keys(screen: StorageScreen) -> list[str | None]:
    return [g.key for g in screen._groups]


async def test_open_from_the_picker_and_read_the_figures(bulk_home):
    app = app_on(bulk_home)
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StorageScreen)
        report = screen.report
        assert report.total_bytes == disk_bytes(bulk_home)
        assert report.sessions == len(SPECS) + 2
        assert group_keys(screen)[0] == "/home/dev/alpha"  # the biggest project first
        assert [s.id for s in report.largest[:2]] == [sid(1), sid(2)]


async def test_group_and_sort_without_reading_again(bulk_home, monkeypatch):
    app = app_on(bulk_home)
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        screen = app.screen
        monkeypatch.setattr(app.store, "scan", lambda: pytest.fail("read the bulk_home again"))
        await pilot.press("g")  # by month
        assert screen.by == "month"
        assert sum(g.sessions for g in screen._groups) == len(SPECS) + 2
        await pilot.press("g")  # by source
        assert set(group_keys(screen)) == {"interactive", "exec", "sub-agent"}
        await pilot.press("s")  # by number of sessions
        assert screen.sort == "sessions"
        counts = [g.sessions for g in screen._groups]
        assert counts == sorted(counts, reverse=True)
        assert group_keys(screen)[0] == "exec"
        await pilot.press("s", "s")  # by name
        assert group_keys(screen) == ["exec", "interactive", "sub-agent"]


async def test_enter_on_a_project_opens_the_picker_there(bulk_home):
    app = app_on(bulk_home, cwd="/home/dev/beta")
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        await pilot.press("enter")  # /home/dev/alpha, the biggest
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        assert len(app.screen_stack) == 1  # back to the picker, not a second one
        assert picker.cwd == "/home/dev/alpha"
        rows = picker.query_one(SessionList).rows
        assert {s.id for s in rows} == {sid(1), sid(2), sid(3)}  # the active ones
        await pilot.press("r")
        assert {s.id for s in picker.query_one(SessionList).rows} == {sid(4)}


async def test_enter_on_a_sub_agents_project_shows_them(bulk_home):
    app = app_on(bulk_home, cwd="/home/dev/alpha")
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        screen = app.screen
        index = group_keys(screen).index("/home/dev/beta")
        screen.query_one("#storage-groups").highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        rows = app.screen.query_one(SessionList).rows
        assert {s.id for s in rows} == {sid(5), sid(6), sid(7)}  # the sub-agent's too


async def test_enter_on_a_largest_session_reads_it(bulk_home):
    from codex_tui.screens.transcript import TranscriptScreen

    app = app_on(bulk_home)
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)
        assert app.screen.thread_id == sid(1)


async def test_months_and_other_groups_do_not_open_the_picker(bulk_home):
    app = app_on(bulk_home)
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        await pilot.press("g", "enter")
        assert isinstance(app.screen, StorageScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, PickerScreen)


async def test_from_the_command_palette(bulk_home):
    app = app_on(bulk_home)
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"storage")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StorageScreen)


def test_month_range_fills_gaps():
    assert month_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert month_range("", "") == []


def test_fork_pair_counts_in_its_project(bulk_home):
    report = every_thread(LocalThreadStore(str(bulk_home), cache=False))
    assert {FORK, FORK_SOURCE} <= {s.id for s in report}


# -- snapshots -----------------------------------------------------------------------------

def storage_keys(*pressed: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        if pressed:
            await pilot.press(*pressed)
            await settle(pilot)

    return run_before


def test_storage_by_project(snap_compare, bulk_home):
    """The bulk_home's files as bars, bytes per month, projects biggest first (alpha's archived
    part in its own colour after the active part), and the largest sessions."""
    assert snap_compare(memory_app(bulk_home), terminal_size=(150, 45),
                        run_before=storage_keys())


def test_storage_by_month_sorted_by_sessions(snap_compare, bulk_home):
    """g then s: months, the one with most sessions first."""
    assert snap_compare(memory_app(bulk_home), terminal_size=(150, 45),
                        run_before=storage_keys("g", "s"))
