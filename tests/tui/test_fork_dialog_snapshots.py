"""SVG snapshots of the fork dialog and of what follows it (kept in snapshots/)."""

from __future__ import annotations

from support.apps import keys, settle
from support.transcripts import thread_of, turn
from test_transcript import FORK_169, TESTS_169, transcript_app

from codex_tui.store import InMemoryThreadStore
from codex_tui.store import fork as fork_module
from codex_tui.store.model import UserMessage

NAMED = "01a1fe37-05e8-79e2-b09f-d8e316352b56"



def test_fork_dialog_from_the_transcript(snap_compare, codex_home):
    """`]` then `f` in a four-turn 0.169 session: the turns with their times and prompts,
    turns 1-2 kept (the cut marked ✂), 3-4 dimmed as left out, the summary line, an empty
    name, Fork / Cancel."""
    assert snap_compare(transcript_app(codex_home, TESTS_169), terminal_size=(120, 36),
                        run_before=keys("right_square_bracket", "f"))


def test_fork_dialog_on_a_fork(snap_compare, codex_home):
    """`G` then `f` in Codex's own paginated fork: its four inherited turns are marked
    inherited; the cut is on its own last turn."""
    assert snap_compare(transcript_app(codex_home, FORK_169), terminal_size=(120, 36),
                        run_before=keys("G", "f"))


def test_fork_dialog_offers_the_source_name(snap_compare, codex_home):
    """A named session: the name field starts with the source's name (Codex's forks
    inherit it)."""
    assert snap_compare(transcript_app(codex_home, NAMED), terminal_size=(120, 36),
                        run_before=keys("f"))


def test_fork_done(snap_compare, monkeypatch):
    """After the fork: its id, name, file and which way it was written (here as through
    Codex's app-server), and Resume now / Open transcript / Back."""
    monkeypatch.setattr(fork_module, "uuid7", lambda *a: "01a1ff00-0000-7000-8000-000000000001")
    thread = thread_of(turn(1, UserMessage("first question")),
                       turn(2, UserMessage("second question")),
                       turn(3, UserMessage("third question")))

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.open_fork(thread.summary.id, 2)
        await settle(pilot)
        await pilot.press("tab", *"take two", "enter")
        await settle(pilot)

    store = InMemoryThreadStore([thread], via="codex app-server 0.171.0")
    app = transcript_app(store=store, thread_id=thread.summary.id)
    assert snap_compare(app, terminal_size=(120, 30), run_before=run_before)
