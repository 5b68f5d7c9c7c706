"""Marking many sessions in the picker and acting on all of them: Space and `*`, the header's
count and bytes, Esc, one confirmation with how many and how many bytes, the run's progress
and per-session results (a refusal in the middle in the store's words); and snapshots of
marked rows, the confirmation and the results."""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path

from support.apps import fixed_now, settle
from support.bulk_home import FORK, FORK_SOURCE, session_bytes, sid

from codex_tui.app import CodexTuiApp
from codex_tui.dialogs.bulk import BulkExportDialog, BulkProgress
from codex_tui.dialogs.confirm import ConfirmScreen
from codex_tui.screens.picker import PickerScreen
from codex_tui.store import LocalThreadStore
from codex_tui.store.bulk import DONE, REFUSED
from codex_tui.store.query import ListFilters
from codex_tui.store.storage import human_bytes

ALPHA = "/home/dev/alpha"  # newest first: sid(3), sid(2), sid(1)
BETA = "/home/dev/src/beta"  # the fork pair: FORK (newer), FORK_SOURCE



def app_on(bulk_home: Path, cwd: str = ALPHA, **filters) -> CodexTuiApp:
    return CodexTuiApp(LocalThreadStore(str(bulk_home), cache=False), cwd=cwd,
                       filters=ListFilters(**filters), now=fixed_now)


def where(bulk_home: Path, tid: str) -> set[str]:
    return {p.relative_to(bulk_home).parts[0] for p in bulk_home.rglob(f"rollout-*{tid}*")}


def checksums(bulk_home: Path) -> dict[str, str]:
    return {str(p.relative_to(bulk_home)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(bulk_home.rglob("*")) if p.is_file() and p.suffix != ".lock"}


def header(app) -> str:
    return app.screen.status().plain


async def test_space_marks_and_moves_on_and_the_header_counts(bulk_home):
    app = app_on(bulk_home)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        picker = app.screen
        await pilot.press("space", "space")
        assert picker.list.marks == {sid(3), sid(2)}
        assert picker.list.current.id == sid(1)  # the cursor moved on each time
        size = session_bytes(bulk_home, sid(3)) + session_bytes(bulk_home, sid(2))
        assert f"2 marked ({human_bytes(size)})" in header(app)
        await pilot.press("up", "space")  # unmark
        assert picker.list.marks == {sid(3)}
        await pilot.press("escape")  # clears the marks; does not quit
        assert picker.list.marks == frozenset()
        assert app.is_running and isinstance(app.screen, PickerScreen)
        assert "marked" not in header(app)


async def test_star_marks_every_row_shown_after_a_search(bulk_home):
    app = app_on(bulk_home, all_dirs=True)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        picker = app.screen
        await pilot.press("slash", *"alpha", "down")  # (down: back to the list's keys)
        picker.list.focus()
        await pilot.press("asterisk")
        alpha = {sid(1), sid(2), sid(3)}  # the directory matches
        assert picker.list.marks == {s.id for s in picker.list.rows} == alpha
        picker.search.value = ""
        await pilot.pause()
        assert len(picker.list.rows) > 3
        assert picker.list.marks == alpha  # kept through the search
        await pilot.press("asterisk")
        assert picker.list.marks == {s.id for s in picker.list.rows}
        await pilot.press("asterisk")  # all were marked: unmark them all
        assert picker.list.marks == frozenset()


async def test_mark_to_the_end_marks_this_and_older_ones(bulk_home):
    app = app_on(bulk_home)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        picker = app.screen
        await pilot.press("down", "greater_than_sign")
        assert picker.list.marks == {sid(2), sid(1)}  # sid(3), the newest, left out


async def test_bulk_archive_with_a_refusal_in_the_middle(bulk_home):
    locks = bulk_home / "thread-writer-locks"
    locks.mkdir()
    fd = os.open(locks / f"{sid(2)}.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # Codex is writing sid(2)
    try:
        app = app_on(bulk_home)
        async with app.run_test(size=(150, 40)) as pilot:
            await settle(pilot)
            picker = app.screen
            await pilot.press("asterisk", "ctrl+a")
            await settle(pilot)
            confirm = app.screen
            assert isinstance(confirm, ConfirmScreen)
            size = session_bytes(bulk_home, sid(1)) + session_bytes(bulk_home, sid(3))
            assert confirm._question == f"Archive 2 sessions ({human_bytes(size)})?"
            assert "1 session will be left alone" in confirm._message
            assert "is open in Codex" in confirm._message
            await pilot.press("enter")
            await settle(pilot)
            progress = app.screen
            assert isinstance(progress, BulkProgress)
            assert [(o.id, o.result) for o in progress.outcomes] == [
                (sid(1), DONE), (sid(2), REFUSED), (sid(3), DONE)]
            await pilot.press("enter")  # Close
            await settle(pilot)
            assert app.screen is picker
            assert picker.list.marks == {sid(2)}  # the refused one stays marked
            assert [s.id for s in picker.list.rows] == [sid(2)]
    finally:
        os.close(fd)
    assert where(bulk_home, sid(1)) == where(bulk_home, sid(3)) == {"archived_sessions"}
    assert where(bulk_home, sid(2)) == {"sessions"}


async def test_bulk_delete_asks_once_and_cancel_writes_nothing(bulk_home):
    app = app_on(bulk_home, archived=True, all_dirs=True)
    before = checksums(bulk_home)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        await pilot.press("asterisk", "d")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        size = session_bytes(bulk_home, sid(4)) + session_bytes(bulk_home, sid(8))
        assert confirm._question == f"Delete 2 sessions ({human_bytes(size)})?"
        assert "no undo" in confirm._message
        await pilot.press("enter")  # the focus is on Cancel for a delete
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        assert checksums(bulk_home) == before
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert [o.result for o in app.screen.outcomes] == [DONE, DONE]
    assert where(bulk_home, sid(4)) == where(bulk_home, sid(8)) == set()


async def test_marked_active_sessions_left_out_of_unarchive(bulk_home):
    app = app_on(bulk_home, all_dirs=True)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        picker = app.screen
        picker.list.set_marks([sid(3)])
        await pilot.press("r")  # the archived view: its sessions marked too
        await pilot.press("asterisk", "ctrl+a")
        await settle(pilot)
        confirm = app.screen
        assert confirm._question.startswith("Unarchive 2 sessions")
        assert "1 session marked is not archived: left out." in confirm._message


async def test_bulk_export_one_file_each(bulk_home, tmp_path):
    out = tmp_path / "exports"
    out.mkdir()
    app = app_on(bulk_home)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, BulkExportDialog)
        dialog.query_one("#bulk-folder").value = str(out)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen._question.startswith("Export 2 sessions")
        await pilot.press("enter")
        await settle(pilot)
        assert [o.result for o in app.screen.outcomes] == [DONE, DONE]
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 2 and all(f.endswith(".md") for f in files)
    assert any(sid(2)[:8] in f for f in files)


async def test_stop_between_two_sessions(bulk_home, monkeypatch):
    from codex_tui.store import manage

    app = app_on(bulk_home)
    original = manage.archive_thread
    screens = []

    def archive(codex_home, tid):
        screens[0].stopping = True  # Esc pressed while the first one is written
        return original(codex_home, tid)

    monkeypatch.setattr(manage, "archive_thread", archive)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        await pilot.press("asterisk", "ctrl+a")
        await settle(pilot)
        real_push = app.push_screen

        def push(screen, *args, **kwargs):
            screens.append(screen)
            return real_push(screen, *args, **kwargs)

        monkeypatch.setattr(app, "push_screen", push)
        await pilot.press("enter")
        await settle(pilot)
        progress = app.screen
        assert [o.result for o in progress.outcomes] == [DONE, "not reached", "not reached"]
    assert where(bulk_home, sid(1)) == {"archived_sessions"}
    assert where(bulk_home, sid(2)) == where(bulk_home, sid(3)) == {"sessions"}


# -- snapshots -----------------------------------------------------------------------------

def press(*keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


def test_marked_rows(snap_compare, bulk_home):
    """Space twice: the two newest alpha sessions marked (✓ in a gutter, tinted), the
    cursor on the third; the header counts 2 marked and their bytes."""
    assert snap_compare(app_on(bulk_home), terminal_size=(150, 30), run_before=press("space",
                                                                               "space"))


def test_bulk_confirmation_with_a_fork_source(snap_compare, bulk_home):
    """`*` then Ctrl+A in /home/dev/src/beta: one question, how many and how many bytes;
    the fork's source is left alone, in the store's words."""
    assert snap_compare(app_on(bulk_home, cwd=BETA), terminal_size=(150, 34),
                        run_before=press("asterisk", "ctrl+a"))


def test_bulk_results(snap_compare, bulk_home):
    """After the run: 1 archived, 1 refused (the fork's source) with its reason."""
    assert snap_compare(app_on(bulk_home, cwd=BETA), terminal_size=(150, 34),
                        run_before=press("asterisk", "ctrl+a", "enter"))


def test_fork_pair_is_beta(bulk_home):
    store = LocalThreadStore(str(bulk_home), cache=False)
    assert store.summary(FORK).cwd == store.summary(FORK_SOURCE).cwd == BETA
