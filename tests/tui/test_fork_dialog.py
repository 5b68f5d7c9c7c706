"""The fork flow driven through Textual's Pilot: the dialog from the transcript (at the
current turn) and from the picker (at the last turn), choosing the cut and a name, the
write through the store, and what follows (resume now, open the transcript, go back).
Snapshots are in test_fork_dialog_snapshots.py."""

from __future__ import annotations

import json
from pathlib import Path

from support.apps import picker_app, settle
from support.transcripts import thread_of, turn
from test_transcript import SIZE, TESTS_169, memory_app, transcript_app
from textual.widgets import Button, Input, OptionList

from codex_tui.dialogs.fork import ForkDialog, ForkDone, ForkRequest
from codex_tui.resume import ResumeRequest
from codex_tui.screens.picker import PickerScreen
from codex_tui.screens.transcript import TranscriptScreen
from codex_tui.store.model import UserMessage

NAMED = "01a1fe37-05e8-79e2-b09f-d8e316352b56"  # "picker-demo-thread", in /home/dev/src/beta


def new_rollouts(home: Path, before: set[Path]) -> list[Path]:
    return sorted(set(home.rglob("rollout-*.jsonl")) - before)


def summary_text(app) -> str:
    return str(app.screen.query_one("#fork-summary").render())


async def test_f_in_the_transcript_opens_the_dialog_at_the_current_turn(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "f")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ForkDialog)
        assert dialog.cut == 3
        assert dialog.query_one(OptionList).option_count == 4
        assert summary_text(app) == "Keeps turns 1–3 of 4; turn 4 is left out."
        await pilot.press("up")
        assert dialog.cut == 2
        assert summary_text(app) == "Keeps turns 1–2 of 4; turns 3–4 are left out."
        assert dialog.request() == ForkRequest(TESTS_169, 2, "")


async def test_confirming_writes_the_fork_and_opens_its_transcript(codex_home):
    before = set(codex_home.rglob("rollout-*.jsonl"))
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "f")
        await settle(pilot)
        await pilot.press("up", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ForkDone)
        (path,) = new_rollouts(codex_home, before)
        fork_id = app.screen.fork.id
        assert fork_id in path.name
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)
        assert app.screen.thread_id == fork_id
        thread = app.screen.thread
        assert [t.inherited for t in thread.turns] == [True, True]
        assert thread.inherited_from == TESTS_169
        # Back to the source's transcript, then out.
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.thread_id == TESTS_169


async def test_escape_cancels_and_writes_nothing(codex_home):
    before = set(codex_home.rglob("*"))
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ForkDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)
    assert set(codex_home.rglob("*")) == before


async def test_the_cancel_button(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await pilot.click("#fork-cancel")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)


async def test_f_in_the_picker_forks_with_a_name_and_resumes(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        source = picker._selected()
        await pilot.press("f")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ForkDialog)
        turns = len(dialog.thread.turns)
        assert dialog.cut == turns  # from the picker: the last turn
        await pilot.press("tab")
        name = dialog.query_one("#fork-name", Input)
        assert name.has_focus
        name.value = ""
        await pilot.press(*"second try", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ForkDone)
        fork = app.screen.fork
        assert fork.name == "second try" and fork.forked_from_id == source.id
        # The picker lists the new session at once.
        assert fork.id in picker._summaries
        await pilot.press("c")
        await settle(pilot)
    assert app.return_value == ResumeRequest(fork.id, source.cwd)
    last = json.loads((codex_home / "session_index.jsonl").read_text().splitlines()[-1])
    assert last["id"] == fork.id and last["thread_name"] == "second try"


async def test_the_dialog_offers_the_source_name(codex_home):
    app = transcript_app(codex_home, NAMED)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert app.screen.query_one("#fork-name", Input).value == "picker-demo-thread"


async def test_back_after_the_fork_returns_to_where_it_started(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await pilot.click("#fork-confirm")
        await settle(pilot)
        assert isinstance(app.screen, ForkDone)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)
        assert app.screen.thread_id == TESTS_169


async def test_a_failed_write_is_reported(codex_home):
    before = set(codex_home.rglob("rollout-*.jsonl"))
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        (codex_home / "sessions").chmod(0o555)
        try:
            await pilot.press("enter")
            await settle(pilot)
        finally:
            (codex_home / "sessions").chmod(0o755)
        assert isinstance(app.screen, TranscriptScreen)
        messages = [n.message for n in app._notifications]
        assert any("Fork failed" in m and "read-only" in m for m in messages)
    assert new_rollouts(codex_home, before) == []


async def test_a_session_without_turns_cannot_be_forked():
    app = memory_app(thread_of())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_fork(app.start_transcript, None)
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ForkDialog)
        assert dialog.query_one("#fork-confirm", Button).disabled
        assert "no turns" in str(dialog.query_one("#fork-title").render())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ForkDialog)  # nothing to confirm


async def test_an_unknown_session_is_stated(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        app.open_fork("01a1fe36-0000-7000-8000-00000000dead", None)
        await settle(pilot)
        assert "Cannot fork" in str(app.screen.query_one("#fork-title").render())


async def test_fork_is_in_the_picker_key_bar_and_palette(codex_home):
    app = picker_app(codex_home)
    # Wide enough for every label (narrower, the key bar keeps the last keys without them).
    async with app.run_test(size=(230, 40)) as pilot:
        await settle(pilot)
        bar = str(app.screen.query_one("KeyBar").render())
        assert " f Fork " in bar
        titles = [title for title, _, _ in app.screen.commands()]
        assert "Fork session" in titles


async def test_in_memory_store_fork_flow():
    thread = thread_of(turn(1, UserMessage("one")), turn(2, UserMessage("two")),
                       turn(3, UserMessage("three")))
    app = memory_app(thread)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_fork(thread.summary.id, 2)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        fork = app.screen.fork
        forked = app.store.read_thread(fork.id)
        assert [t.user_message for t in forked.turns] == ["one", "two"]
        assert all(t.inherited for t in forked.turns)
