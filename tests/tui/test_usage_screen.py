"""The Usage screen (screens/usage.py), driven with Pilot on the usage-home fixture: opened
from the picker, its four tabs, the period cycle, and where Enter goes from each tab."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.apps import picker_app, settle
from support.homes import FIXTURES
from textual.widgets import DataTable, TabbedContent

from codex_tui.screens.picker import PickerScreen
from codex_tui.screens.transcript import TranscriptScreen
from codex_tui.screens.usage import UsageScreen, bar, period_days, short
from codex_tui.widgets.session_list import SessionList

USAGE_HOME = FIXTURES / "usage-home"
C = "01990b00-0000-7000-8000-00000000c00"


@pytest.fixture
def usage_home(tmp_path: Path) -> Path:
    home = tmp_path / "usage-home"
    shutil.copytree(USAGE_HOME, home)
    return home


def usage_app(home: Path):
    return picker_app(home, cwd="/home/dev/src/alpha", all_dirs=True)


async def open_usage(pilot) -> UsageScreen:
    await settle(pilot)
    await pilot.press("u")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, UsageScreen)
    return screen


def keys_of(table: DataTable) -> list[str]:
    return [str(k.value) for k in table.rows]


async def test_u_opens_usage_with_days_in_order_and_the_quiet_ones(usage_home):
    async with usage_app(usage_home).run_test(size=(80, 24)) as pilot:
        screen = await open_usage(pilot)
        table = screen.query_one("#usage-time", DataTable)
        assert keys_of(table) == [f"2026-11-{d:02d}" for d in range(3, 12)]  # 11-10 too
        assert table.cursor_row == table.row_count - 1  # the latest in view
        assert table.has_focus
        assert screen.reports is not None
        assert screen.reports.time.totals.usage.total == 229600


async def test_g_cycles_day_week_month(usage_home):
    async with usage_app(usage_home).run_test(size=(80, 24)) as pilot:
        screen = await open_usage(pilot)
        table = screen.query_one("#usage-time", DataTable)
        table.move_cursor(row=0)
        await pilot.press("g")
        await settle(pilot)
        assert keys_of(table) == ["2026-W45", "2026-W46"]
        assert table.cursor_row == 1  # the latest again, not the row the days' cursor was on
        await pilot.press("g")
        await settle(pilot)
        assert keys_of(screen.query_one("#usage-time", DataTable)) == ["2026-11"]


async def test_enter_on_a_day_narrows_to_it_and_escape_steps_back(usage_home):
    async with usage_app(usage_home).run_test(size=(80, 24)) as pilot:
        screen = await open_usage(pilot)
        table = screen.query_one("#usage-time", DataTable)
        table.move_cursor(row=3)  # 2026-11-06: the fork's own response only
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one(TabbedContent).active == "tab-projects"
        projects = screen.query_one("#usage-projects", DataTable)
        assert keys_of(projects) == ["/home/dev/src/gamma"]
        # Filled again while hidden: the column still fits the directory, not its label.
        assert projects.columns["key"].get_render_width(projects) >= len("/home/dev/src/gamma")
        assert keys_of(screen.query_one("#usage-sessions", DataTable)) == [C + "4"]
        await pilot.press("escape")  # every day again
        await settle(pilot)
        assert screen.focus_on.steps == ()
        assert len(keys_of(screen.query_one("#usage-sessions", DataTable))) == 7
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PickerScreen)


async def test_a_month_then_its_biggest_project_then_its_sessions(usage_home):
    """The question a user asks: last month, which project used the most, and which of its
    sessions."""
    async with usage_app(usage_home).run_test(size=(80, 24)) as pilot:
        screen = await open_usage(pilot)
        await pilot.press("g", "g")  # months
        await settle(pilot)
        await pilot.press("enter")  # 2026-11: Projects of that month
        await settle(pilot)
        projects = screen.query_one("#usage-projects", DataTable)
        assert keys_of(projects)[0] == "/home/dev/src/alpha" and projects.has_focus
        await pilot.press("s")  # its sessions, biggest first
        await settle(pilot)
        assert screen.focus_on.label() == "2026-11 · alpha"
        assert keys_of(screen.query_one("#usage-sessions", DataTable)) == [
            C + "1", C + "5", C + "8"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TranscriptScreen)
        assert pilot.app.screen.thread_id == C + "1"


async def test_enter_on_a_model_shows_its_sessions(usage_home):
    async with usage_app(usage_home).run_test(size=(80, 24)) as pilot:
        screen = await open_usage(pilot)
        await pilot.press("tab", "tab")
        await settle(pilot)
        models = screen.query_one("#usage-models", DataTable)
        assert models.has_focus
        models.move_cursor(row=keys_of(models).index("acme-coder-9"))
        await pilot.press("enter")
        await settle(pilot)
        assert keys_of(screen.query_one("#usage-sessions", DataTable)) == [C + "8"]
        assert screen.reports is not None
        assert screen.reports.sessions.rows[0].usage.total == 12800  # that model's part


async def test_enter_on_a_project_opens_the_picker_on_it(usage_home):
    async with usage_app(usage_home).run_test(size=(80, 24)) as pilot:
        screen = await open_usage(pilot)
        await pilot.press("tab")
        await settle(pilot)
        projects = screen.query_one("#usage-projects", DataTable)
        assert keys_of(projects)[0] == "/home/dev/src/alpha"  # the most tokens first
        projects.move_cursor(row=1)
        await pilot.press("enter")
        await settle(pilot)
        picker = pilot.app.screen
        assert isinstance(picker, PickerScreen)
        assert picker.cwd == "/home/dev/src/gamma" and not picker.filters.all_dirs
        ids = {s.id for s in picker.query_one(SessionList).rows}
        assert ids == {C + "3", C + "4"}


async def test_enter_on_a_session_opens_its_transcript(usage_home):
    async with usage_app(usage_home).run_test(size=(80, 24)) as pilot:
        screen = await open_usage(pilot)
        await pilot.press("tab", "tab", "tab")
        await settle(pilot)
        sessions = screen.query_one("#usage-sessions", DataTable)
        assert keys_of(sessions)[0] == C + "1"  # the most tokens
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TranscriptScreen)
        assert pilot.app.screen.thread_id == C + "1"


async def test_a_toggles_this_directory(usage_home):
    async with usage_app(usage_home).run_test(size=(80, 24)) as pilot:
        screen = await open_usage(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert screen.reports is not None
        assert {r.key for r in screen.reports.projects.rows} == {"/home/dev/src/alpha"}


async def test_the_picker_offers_usage_in_the_command_palette(usage_home):
    async with usage_app(usage_home).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [title for title, _, _ in pilot.app.screen.commands()]
        assert "Usage: tokens and cost" in titles


def test_bars_and_short_numbers():
    assert bar(100, 100, 10) == "█" * 10
    assert bar(55, 100, 10) == "█████▌"
    assert bar(1, 10_000, 10) == "▏"  # something is not nothing
    assert bar(0, 100, 10) == ""
    assert [short(n) for n in (950, 12_345, 4_560_000, 1_200_000_000, 123_456)] == [
        "950", "12.3k", "4.56M", "1.2B", "123k"]
    assert period_days("2026-W45", "week")[0].isoformat() == "2026-11-02"
    assert period_days("2026-12", "month")[1].isoformat() == "2026-12-31"
