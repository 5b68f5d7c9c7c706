"""The screens on a home served by `codex app-server` (the real 0.171.0; the same store as
--remote, without ssh): the prompt history of the server's history.jsonl, transcript search
through Codex's thread/search (opening a hit at the turn that matched), a transcript
following a session as it is written there, and `tail`."""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import pytest
from support.apps import fixed_now, settle
from support.codex_cli import app_server_store, indexed_home, skip_unless_installed
from support.history import row_texts, rows, type_query
from support.homes import FIXTURE_HOME
from support.mock_model import MockModel

from codex_tui.app import CodexTuiApp
from codex_tui.cli.tail import run_tail
from codex_tui.screens.history_search import TRANSCRIPTS, HistorySearchScreen
from codex_tui.screens.transcript import TranscriptScreen
from codex_tui.store.text_index import TextHit

pytestmark = skip_unless_installed()

SID_A = "01a1fe37-05e8-79e2-b09f-d8e316352b56"  # interactive, 3 turns; "walkthrough" in turn 3
LEGACY = "01a1fe36-5584-7391-9030-75b16ca14546"
LEGACY_FILE = f"sessions/2026/11/21/rollout-2026-11-21T13-05-36-{LEGACY}.jsonl"
SIZE = (150, 40)


@pytest.fixture(scope="module")
def mock():
    with MockModel() as server:
        yield server


@pytest.fixture
def home(tmp_path: Path, mock: MockModel) -> Path:
    home = indexed_home(tmp_path, mock)
    (home / "history.jsonl").write_bytes((FIXTURE_HOME / "history.jsonl").read_bytes())
    return home


@pytest.fixture
def store(home: Path):
    made = app_server_store(home)
    yield made
    made.close()


def append(path: Path, *payloads: dict) -> None:
    ts = "2026-11-21T13:20:00.000Z"
    with open(path, "a") as out:
        for payload in payloads:
            out.write(json.dumps({"timestamp": ts, "type": "event_msg", "payload": payload})
                      + "\n")


async def test_history_search_on_a_server(store):
    app = CodexTuiApp(store, cwd=None, now=fixed_now, history=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HistorySearchScreen)
        await type_query(pilot, "walkthrough")
        assert row_texts(app) == ["give me a long walkthrough"]
        await pilot.press("tab")  # transcripts: Codex's own thread/search
        await settle(pilot)
        assert app.screen.mode == TRANSCRIPTS
        hits = rows(app)
        assert [h.thread_id for h in hits] == [SID_A]
        assert isinstance(hits[0], TextHit) and hits[0].turn == 0  # the server does not say
        await pilot.press("enter")
        await settle(pilot)
        t = app.screen
        assert isinstance(t, TranscriptScreen) and t.thread_id == SID_A
        # The turn was found from the matched text: the third.
        assert t.thread.turns[t.view.current_turn].index == 3


async def test_a_transcript_follows_a_session_written_there(store, home):
    app = CodexTuiApp(store, cwd=None, now=None, transcript=LEGACY)
    path = home / LEGACY_FILE
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        t = app.screen
        assert isinstance(t, TranscriptScreen) and len(t.thread.turns) == 1
        append(path, {"type": "task_started", "turn_id": "remote-live"},
               {"type": "user_message", "message": "a turn written on the server"},
               {"type": "agent_message", "message": "and its answer"})
        deadline = time.monotonic() + 10
        while len(t.thread.turns) < 2:
            assert time.monotonic() < deadline, "the new turn never arrived"
            await pilot.pause(0.1)
        assert t.thread.turns[-1].user_message == "a turn written on the server"


def test_tail_on_a_server(store, home):
    path = home / LEGACY_FILE
    out = io.StringIO()
    stop = threading.Event()
    worker = threading.Thread(target=run_tail, args=(store, LEGACY),
                              kwargs={"last": 0, "as_json": True, "stop": stop, "out": out})
    worker.start()
    try:
        time.sleep(0.5)
        append(path, {"type": "agent_message", "message": "tailed from afar"})
        deadline = time.monotonic() + 10
        while "tailed from afar" not in out.getvalue():
            assert time.monotonic() < deadline, out.getvalue()
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(10)
    [line] = [json.loads(x) for x in out.getvalue().splitlines() if "tailed" in x]
    assert line["payload"]["message"] == "tailed from afar"


def test_the_watcher_sees_what_changes_there(store, home, mock):
    from support.codex_cli import run_codex

    from codex_tui.store.thread_store.remote_watch import AppServerWatcher

    store.scan()
    watcher = AppServerWatcher(store, poll_seconds=0, reconcile_seconds=3600)
    assert not watcher.poll()

    def poll_until(check) -> list:
        seen = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            update = watcher.poll()
            seen.append(update)
            if check(update):
                return seen
            time.sleep(0.2)
        raise AssertionError(f"never seen: {seen}")

    # A session Codex starts there: found by the "updated since" query.
    code, _, _ = run_codex(home, "exec", "--skip-git-repo-check", "a brand new session")
    assert code == 0
    poll_until(lambda u: any(s.preview == "a brand new session" for s in u.summaries))
    # Archived through this connection: the server's notification says so.
    store.archive(LEGACY)
    poll_until(lambda u: any(s.id == LEGACY and s.archived for s in u.summaries))
    # Deleted by someone else: the next full listing says it is gone.
    code, _, _ = run_codex(home, "delete", "--force", SID_A)
    assert code == 0
    watcher.reconcile_seconds = 0
    poll_until(lambda u: SID_A in u.removed)
