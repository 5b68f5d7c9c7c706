"""Archive, unarchive, rename, delete and export from the picker and the transcript, driven
through Textual's Pilot on a copy of the fixture home; and SVG snapshots of the dialogs."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from support.apps import picker_app, settle
from textual.command import CommandPalette
from textual.widgets import Button, Input

from codex_tui.dialogs.confirm import ConfirmScreen
from codex_tui.dialogs.export import ExportDialog
from codex_tui.dialogs.rename import RenameDialog
from codex_tui.screens.picker import PickerScreen
from codex_tui.screens.transcript import TranscriptScreen
from codex_tui.widgets.session_list import SessionList

SIZE = (150, 40)
DAY = "sessions/2026/11/21"
CACHE = "01a1fe37-7d3b-7fa0-9ed3-e1fdb5097751"  # newest in /home/dev/src/beta: the first row
CACHE_FILE = f"rollout-2026-11-21T13-06-51-{CACHE}.jsonl"
FORKED = "01a1fe36-a3e5-7b30-9c75-8b09d6038321"  # second row; forks from B169
B169 = "01a1fe36-9923-7570-9f27-baeff79474f4"  # third row
ARCHIVED = "01a1fe36-9010-7023-a856-a8c802ee8a8a"
ARCHIVED_FILE = f"rollout-2026-11-21T13-05-51-{ARCHIVED}.jsonl"
NAMED = "01a1fe37-05e8-79e2-b09f-d8e316352b56"  # "picker-demo-thread"


def row_ids(app) -> list[str]:
    return [s.id for s in app.screen.query_one(SessionList).rows]


def current(app) -> str:
    return app.screen.query_one(SessionList).current.id


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


def errors(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def cursor_to(pilot, thread_id: str) -> None:
    for _ in range(40):
        if current(pilot.app) == thread_id:
            return
        await pilot.press("down")
    raise AssertionError(f"{thread_id} not in the list")


# -- archive / unarchive -----------------------------------------------------------------------

async def test_picker_archive_and_unarchive(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current(app) == CACHE
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert (codex_home / "archived_sessions" / CACHE_FILE).exists()
        assert not (codex_home / DAY / CACHE_FILE).exists()
        assert CACHE not in row_ids(app)  # the active list no longer shows it
        assert any("Archived" in m for m in messages(app))
        await pilot.press("r")  # the archived view
        await settle(pilot)
        assert set(row_ids(app)) == {CACHE, ARCHIVED}
        await cursor_to(pilot, CACHE)
        await pilot.press("ctrl+a")  # here it unarchives
        await settle(pilot)
        assert (codex_home / DAY / CACHE_FILE).exists()
        assert row_ids(app) == [ARCHIVED]
        assert any("Unarchived" in m for m in messages(app))
        assert not errors(app)


async def test_key_bar_shows_the_keys_that_apply(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=(220, 40)) as pilot:
        await settle(pilot)
        bar = str(app.screen.query_one("KeyBar").render())
        for label in ("^a Archive", "F2 Rename", "d Delete", "e Export"):
            assert label in bar, bar
        assert "Unarchive" not in bar
        await pilot.press("r")
        await settle(pilot)
        bar = str(app.screen.query_one("KeyBar").render())
        assert "^a Unarchive" in bar and "^a Archive" not in bar


async def test_archive_refused_while_codex_has_it_open(codex_home):
    import fcntl

    locks = codex_home / "thread-writer-locks"
    locks.mkdir()
    fd = os.open(locks / f"{CACHE}.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        app = picker_app(codex_home)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+a")
            await settle(pilot)
            assert CACHE in row_ids(app)
            [error] = errors(app)
            assert "open in Codex" in error and "Traceback" not in error
    finally:
        os.close(fd)
    assert (codex_home / DAY / CACHE_FILE).exists()


async def test_unwritable_folder_is_a_clear_error(codex_home):
    os.chmod(codex_home / DAY, 0o555)
    try:
        app = picker_app(codex_home)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+a")
            await settle(pilot)
            [error] = errors(app)
            assert "read-only" in error
            assert CACHE in row_ids(app)
    finally:
        os.chmod(codex_home / DAY, 0o755)


# -- rename ----------------------------------------------------------------------------------

async def test_picker_rename(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RenameDialog)
        box = dialog.query_one(Input)
        assert box.value == ""  # no name yet
        assert dialog.query_one("#rename-ok", Button).disabled
        await pilot.press("enter")  # an empty name is not accepted
        assert app.screen is dialog
        await pilot.press(*"picker-demo-thread")
        await pilot.pause()
        warning = str(dialog.query_one("#rename-warnings").render())
        assert "also named 'picker-demo-thread'" in warning and NAMED in warning
        box.value = "Cache investigation"
        await pilot.pause()
        assert not dialog.query_one("#rename-warnings").display
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        row = app.screen.query_one(SessionList).current
        assert row.id == CACHE and row.name == "Cache investigation"
        assert any("codex resume 'Cache investigation'" in m for m in messages(app))
    last = (codex_home / "session_index.jsonl").read_bytes().splitlines()[-1]
    assert orjson.loads(last)["id"] == CACHE
    assert orjson.loads(last)["thread_name"] == "Cache investigation"


async def test_rename_cancel_writes_nothing(codex_home):
    before = (codex_home / "session_index.jsonl").read_bytes()
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2", *"abc", "escape")
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
    assert (codex_home / "session_index.jsonl").read_bytes() == before


# -- delete ----------------------------------------------------------------------------------

async def test_picker_delete_asks_first_and_defaults_to_cancel(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # the focused button is Cancel
        await settle(pilot)
        assert (codex_home / DAY / CACHE_FILE).exists()
        assert CACHE in row_ids(app)
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert not (codex_home / DAY / CACHE_FILE).exists()
        assert CACHE not in row_ids(app)
        assert any("Deleted" in m for m in messages(app))


async def test_picker_delete_of_a_fork_source_is_refused(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await cursor_to(pilot, B169)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        [error] = errors(app)
        assert "forked history still references it" in error and FORKED in error
        assert B169 in row_ids(app)


# -- export ----------------------------------------------------------------------------------

async def test_picker_export_html(codex_home, tmp_path):
    target = tmp_path / "out.md"
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        path = dialog.query_one("#export-path", Input)
        assert path.value.endswith(f"-{CACHE[:8]}.md")
        path.value = str(target)
        await pilot.click("#fmt-html")
        await pilot.pause()
        assert path.value == str(tmp_path / "out.html")  # the extension follows the format
        await pilot.click("#export-ok")
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        assert any(str(tmp_path / "out.html") in m for m in messages(app))
    page = (tmp_path / "out.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "why is the [red]cache[/red] cold?" in page


async def test_export_will_not_replace_a_file_unless_asked(codex_home, tmp_path):
    target = tmp_path / "keep.md"
    target.write_text("keep")
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.pause()
        assert dialog.query_one("#export-ok", Button).disabled
        await pilot.press("enter")
        assert app.screen is dialog
        await pilot.click("#export-overwrite")
        await pilot.pause()
        await pilot.click("#export-ok")
        await settle(pilot)
    assert target.read_text().startswith("# ")


# -- from the transcript -------------------------------------------------------------------------

async def test_transcript_archive_refreshes_the_picker_below(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TranscriptScreen)
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert screen.thread.summary.archived
        assert "archived" in str(screen.query_one("#tv-meta").render())
        bar = str(screen.query_one("KeyBar").render())
        assert "Unarchive" in bar
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        assert CACHE not in row_ids(app)
    assert (codex_home / "archived_sessions" / CACHE_FILE).exists()


async def test_transcript_rename_updates_its_title(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        await pilot.press("f2", *"Cold cache", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert str(screen.query_one("#tv-title").render()).startswith("Cold cache")


async def test_transcript_delete_goes_back_to_the_picker(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        assert CACHE not in row_ids(app)
    assert not (codex_home / DAY / CACHE_FILE).exists()


async def test_palette_lists_the_manage_commands(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c[0] for c in app.screen.commands()]
        for title in ("Archive selected session", "Rename selected session",
                      "Delete selected session", "Export selected session"):
            assert title in titles
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Rename selected")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RenameDialog)


# -- snapshots -----------------------------------------------------------------------------------

def _keys(*pressed: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press(*pressed)
        await settle(pilot)

    return run_before


def test_snapshot_delete_confirmation(snap_compare, codex_home):
    """`d` on the first row: the delete question, Cancel focused, a red Delete button."""
    assert snap_compare(picker_app(codex_home), terminal_size=SIZE, run_before=_keys("d"))


def test_snapshot_rename_dialog_with_a_collision(snap_compare, codex_home):
    """F2, then a name another session has: the warning under the input."""
    assert snap_compare(picker_app(codex_home), terminal_size=SIZE,
                        run_before=_keys("f2", *"picker-demo-thread"))


def test_snapshot_export_dialog(snap_compare, codex_home, monkeypatch):
    """`e`: the formats, the path (in the current directory), replace, Export/Cancel."""
    monkeypatch.chdir(Path("/"))
    assert snap_compare(picker_app(codex_home), terminal_size=SIZE, run_before=_keys("e"))
