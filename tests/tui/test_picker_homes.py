"""Several homes in one picker (`--codex-home A --codex-home B --remote HOST`): one list
sorted together with a column naming each row's home, a filter per home (`m`), a home that
is down shown as one error line while the others work, and each row's actions sent to the
store it came from."""

from __future__ import annotations

import json
import os
from pathlib import Path

from support.apps import fixed_now, settle
from support.homes import FIXED_MTIME

from codex_tui.app import CodexTuiApp
from codex_tui.store import InMemoryThreadStore, LocalThreadStore
from codex_tui.store.query import ListFilters
from codex_tui.store.thread_store.merged import MergedThreadStore
from codex_tui.widgets.session_list import SessionList

BETA = "/home/dev/src/beta"
DEVBOX_ID = "01a1fe3a-0000-7000-8000-0000000000d1"
DEVBOX_OLD = "01a1fe3a-0000-7000-8000-0000000000d2"
DOWN = "ssh: connect to host broken-host port 22: Connection refused"


def devbox_home(root: Path) -> Path:
    """A second home: two sessions in BETA, one newer than every fixture session."""
    day = root / "devbox-home" / "sessions" / "2026" / "11" / "21"
    day.mkdir(parents=True)
    for thread_id, prompt, mtime in [(DEVBOX_ID, "devbox: profile the parser", FIXED_MTIME + 60),
                                     (DEVBOX_OLD, "devbox: an older question", FIXED_MTIME - 9e4)]:
        ts = "2026-11-21T10:00:00.000Z"
        lines = [
            {"timestamp": ts, "type": "session_meta", "payload": {
                "id": thread_id, "timestamp": ts, "cwd": BETA, "originator": "codex_cli_rs",
                "cli_version": "0.171.0", "source": "cli", "model_provider": "openai"}},
            {"timestamp": ts, "type": "event_msg", "payload": {"type": "task_started",
                                                               "turn_id": "t1"}},
            {"timestamp": ts, "type": "event_msg", "payload": {"type": "user_message",
                                                               "message": prompt}},
            {"timestamp": ts, "type": "event_msg", "payload": {"type": "agent_message",
                                                               "message": "on it"}},
            {"timestamp": ts, "type": "event_msg", "payload": {"type": "task_complete",
                                                               "turn_id": "t1"}},
        ]
        path = day / f"rollout-2026-11-21T10-00-00-{thread_id}.jsonl"
        path.write_text("".join(json.dumps(line) + "\n" for line in lines))
        os.utime(path, (mtime, mtime))
    return root / "devbox-home"


def merged_app(codex_home: Path, tmp_path: Path, **filters) -> CodexTuiApp:
    store = MergedThreadStore([
        LocalThreadStore(str(codex_home), label="this machine"),
        LocalThreadStore(str(devbox_home(tmp_path)), label="devbox"),
        InMemoryThreadStore([], label="broken-host", fail=DOWN),
    ])
    return CodexTuiApp(store, cwd=BETA, filters=ListFilters(**filters), now=fixed_now)


def shown(app: CodexTuiApp) -> list[tuple[str | None, str]]:
    return [(s.home, s.id) for s in app.screen.query_one(SessionList).rows]


async def test_homes_are_merged_sorted_and_filtered(codex_home, tmp_path):
    app = merged_app(codex_home, tmp_path)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        rows = shown(app)
        homes = {home for home, _ in rows}
        assert homes == {"this machine", "devbox"}
        # One list, newest first across homes: the devbox session is the newest of all.
        assert rows[0] == ("devbox", DEVBOX_ID)
        updated = [s.updated_at for s in app.screen.query_one(SessionList).rows]
        assert updated == sorted(updated, reverse=True)
        # The home that is down: one line, the others listed.
        assert app.screen.query_one(SessionList)._notices == [f"broken-host: {DOWN}"]
        await pilot.press("m")  # every home -> this machine
        await settle(pilot)
        assert {home for home, _ in shown(app)} == {"this machine"}
        await pilot.press("m")  # -> devbox
        await settle(pilot)
        assert shown(app) == [("devbox", DEVBOX_ID), ("devbox", DEVBOX_OLD)]
        await pilot.press("m", "m")  # -> broken-host (nothing), -> every home again
        await settle(pilot)
        assert {home for home, _ in shown(app)} == {"this machine", "devbox"}


async def test_each_rows_actions_go_to_its_own_home(codex_home, tmp_path):
    app = merged_app(codex_home, tmp_path)
    devbox = tmp_path / "devbox-home"
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(SessionList).current.id == DEVBOX_ID
        await pilot.press("ctrl+a")
        await settle(pilot)
        for _ in range(50):
            if list(devbox.glob(f"archived_sessions/*{DEVBOX_ID}*")):
                break
            await pilot.pause(0.05)
        assert list(devbox.glob(f"archived_sessions/*{DEVBOX_ID}*"))
        assert not list(codex_home.glob(f"archived_sessions/*{DEVBOX_ID}*"))
        assert DEVBOX_ID not in {i for _, i in shown(app)}


async def test_one_home_has_no_home_column_or_key(codex_home):
    store = LocalThreadStore(str(codex_home))
    app = CodexTuiApp(store, cwd=BETA, filters=ListFilters(), now=fixed_now)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(SessionList)._home_cells == 0
        assert app.screen.check_action("toggle_home", ()) is False


def test_merged_picker_snapshot(snap_compare, codex_home, tmp_path):
    """Two homes and one that is down: a column naming each row's home, newest first across
    both, the filter bar's `m` Home choice, and the failed home as one red line on top."""
    assert snap_compare(merged_app(codex_home, tmp_path), terminal_size=(150, 40),
                        run_before=settle)


def test_merged_picker_one_home_snapshot(snap_compare, codex_home, tmp_path):
    """`m` twice: devbox's sessions only (no home column: there is one), the header says
    which home."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("m", "m")
        await settle(pilot)

    assert snap_compare(merged_app(codex_home, tmp_path), terminal_size=(150, 40),
                        run_before=run_before)
