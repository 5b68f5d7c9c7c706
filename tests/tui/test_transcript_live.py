"""Follow mode of the transcript: a session being written shows a LIVE badge and its running
turn, new items appear as Codex appends them, the view follows the bottom only when it is
there (else a "↓ N new" marker that jumps down), and a resumed run follows on. Pilot tests
and SVG snapshots (kept in snapshots/)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import orjson
from support.apps import settle
from support.records import split_at_turn
from support.transcripts import thread_of, turn
from test_transcript import SIZE, TESTS_169, lines, long_thread, screen, text, transcript_app, view

from codex_tui.screens.transcript import TranscriptScreen
from codex_tui.store import InMemoryThreadStore
from codex_tui.store.model import AgentMessage, ToolCall, UserMessage
from codex_tui.store.rollout import RawLine, Record, decode_line


def title(app) -> str:
    return str(app.screen.query_one("#tv-title").render())


async def wait_for(pilot, condition, timeout: float = 5.0) -> float:
    """Pause until `condition()`; the seconds it took."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "timed out"
        await pilot.pause(0.02)
    return time.monotonic() - start


def rec(payload: dict, ts: str = "2026-11-21T09:30:00.000Z") -> Record:
    data = orjson.dumps({"timestamp": ts, "type": "event_msg", "payload": payload})
    record, _ = decode_line(RawLine(1, 0, len(data) + 1, data, True))
    assert record is not None
    return record


def new_turn(n: int, *, reply: bool = True) -> list[Record]:
    ts = f"2026-11-21T09:{30 + n:02d}:00.000Z"
    out = [rec({"type": "task_started", "turn_id": f"live{n}"}, ts),
           rec({"type": "user_message", "message": f"live question {n}"}, ts)]
    if reply:
        out.append(rec({"type": "agent_message", "message": f"Live answer {n}."}, ts))
    return out


def live_thread(turns: int = 2, running: bool = True):
    """An in-memory session written just now (its last turn still running)."""
    made = [turn(n, UserMessage(f"question {n}"),
                 ToolCall(f"c{n}", "shell", f"make step-{n}", output="ok\n", exit_code=0),
                 AgentMessage(f"Answer {n}."))
            for n in range(1, turns + 1)]
    if running:
        made[-1].status = "incomplete"
        made[-1].completed_at = None
        made[-1].duration_ms = None
        made[-1].items = made[-1].items[:2]
    return fresh(thread_of(*made, title="a live session"))


def fresh(thread):
    """As if its file had just been written."""
    thread.summary = thread.summary._replace(updated_at=datetime.now(UTC) - timedelta(seconds=1))
    return thread


# ---- a real file, written as Codex writes it ---------------------------------------------------


def cut_live(codex_home):
    """The 4-turn 0.169 session cut just after its last turn started, written just now."""
    path = next((codex_home / "sessions").rglob(f"rollout-*-{TESTS_169}.jsonl"))
    data = path.read_bytes()
    head, _ = split_at_turn(data, 4)
    path.write_bytes(head)
    return path, data


async def test_follows_a_file_being_written(codex_home):
    path, data = cut_live(codex_home)
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "● LIVE" in title(app)
        assert "● running" in text(app)  # the last turn's header, shown at the bottom
        assert view(app).at_bottom
        before = len(view(app).blocks)
        with open(path, "ab") as stream:
            stream.write(data[len(path.read_bytes()):])
        took = await wait_for(pilot, lambda: "● running" not in text(app))
        assert took < 2.0  # (the benchmark measures the real latency: ~0.1-0.2 s)
        assert len(view(app).blocks) > before
        assert view(app).at_bottom  # it was at the bottom: it stays there
        shown = text(app)
        assert "Here is a reply to: [0.169.0] thanks, summarize" in shown
        assert "4 turns" in str(app.screen.query_one("#tv-meta").render())
        assert "● LIVE" in title(app)  # still written a moment ago


async def test_a_resumed_run_appends_turns(codex_home):
    """`codex resume` appends to the same file: its turns show up as they are written."""
    path, data = cut_live(codex_home)
    with open(path, "ab") as stream:
        stream.write(data[len(path.read_bytes()):])
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "4 turns" in str(app.screen.query_one("#tv-meta").render())
        head, rest = split_at_turn(data, 4)
        again = (head.splitlines(keepends=True)[-1] + rest).replace(
            b"thanks, summarize", b"resumed, once more")
        with open(path, "ab") as stream:
            stream.write(again)
        await wait_for(pilot, lambda: "5 turns" in str(
            app.screen.query_one("#tv-meta").render()))
        assert "resumed, once more" in text(app)


async def test_old_session_is_not_live(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "LIVE" not in title(app)
        assert view(app).scroll_y == 0  # opened at the top, as before


# ---- in memory: the view's behaviour -------------------------------------------------------------


async def test_new_items_below_a_view_away_from_the_bottom():
    thread = fresh(long_thread(12))
    store = InMemoryThreadStore([thread])
    app = transcript_app(store=store, thread_id=thread.summary.id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        v = view(app)
        await pilot.press("home")
        await settle(pilot)
        top = lines(app)
        store.append(thread.summary.id, new_turn(13))
        await wait_for(pilot, lambda: v.new_below > 0)
        assert v.new_below == 3  # header, prompt, reply
        assert lines(app)[:-1] == top[:-1]  # the view stayed where it was
        assert "↓ 3 new blocks · End to follow" in lines(app)[-1]
        # More while still away: the count grows.
        store.append(thread.summary.id, [rec({"type": "agent_message", "message": "more"})])
        await wait_for(pilot, lambda: v.new_below == 4)
        await pilot.press("end")
        await settle(pilot)
        assert v.new_below == 0 and v.at_bottom
        assert "↓" not in lines(app)[-1]
        assert "more" in text(app)


async def test_the_end_is_followed_when_the_rows_above_grow():
    """A view that went to the end stays on it when the rows above it become taller (exact
    heights measured after estimates, a size known late: what a loaded machine reorders),
    and a new turn is then shown, not counted below."""
    thread = fresh(long_thread(12))
    store = InMemoryThreadStore([thread])
    app = transcript_app(store=store, thread_id=thread.summary.id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        v = view(app)
        await pilot.press("end")
        await settle(pilot)
        assert v.at_bottom
        # The first block turns out 40 rows taller than it was drawn: the end moves down
        # while the view stays where it was.
        v._set_height(0, v._heights[0] + 40)
        v._sync_virtual_size()
        assert v.scroll_y < v.max_scroll_y
        store.append(thread.summary.id, new_turn(13))
        await wait_for(pilot, lambda: "Live answer 13." in text(app))
        assert v.new_below == 0 and v.scroll_y == v.max_scroll_y
        # Scrolled up by the user: no longer following.
        await pilot.press("pageup")
        await settle(pilot)
        store.append(thread.summary.id, new_turn(14))
        await wait_for(pilot, lambda: v.new_below > 0)


async def test_clicking_the_marker_jumps_down():
    thread = fresh(long_thread(12))
    store = InMemoryThreadStore([thread])
    app = transcript_app(store=store, thread_id=thread.summary.id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        v = view(app)
        await pilot.press("home")
        store.append(thread.summary.id, new_turn(13))
        await wait_for(pilot, lambda: v.new_below > 0)
        region = v.scrollable_content_region
        await pilot.click(v, offset=(region.width - 3, region.height - 1))
        await settle(pilot)
        assert v.at_bottom and v.new_below == 0
        assert "Live answer 13." in text(app)


async def test_running_turn_completes_and_badge_goes_when_quiet():
    thread = live_thread()
    store = InMemoryThreadStore([thread])
    app = transcript_app(store=store, thread_id=thread.summary.id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "● LIVE" in title(app) and "● running" in text(app)
        store.append(thread.summary.id, new_turn(3))
        await wait_for(pilot, lambda: "live question 3" in text(app))
        # The earlier turn, no longer the last, ends as it was recorded ("unfinished").
        assert "● running" in text(app) and text(app).count("● running") == 1
        # Nothing written for a long while: not live any more.
        store.append(thread.summary.id, [rec({"type": "task_complete", "turn_id": "live3"})],
                     mtime=time.time() - 3600)
        await wait_for(pilot, lambda: "LIVE" not in title(app))
        assert "● running" not in text(app)


async def test_follow_stops_with_the_screen():
    thread = live_thread()
    store = InMemoryThreadStore([thread])
    app = transcript_app(store=store, thread_id=thread.summary.id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        follow = [w for w in app.workers if w.group == "live-transcript"]
        assert len(follow) == 1 and follow[0].is_running
        assert isinstance(screen(app), TranscriptScreen)
    for _ in range(50):  # its loop sees the cancellation within one poll interval
        if follow[0].is_finished:
            break
        time.sleep(0.02)
    assert follow[0].is_cancelled and follow[0].is_finished


def test_follow_can_be_turned_off():
    thread = live_thread()
    scr = TranscriptScreen(InMemoryThreadStore([thread]), thread.summary.id, follow=False)
    assert scr.follow is False


# ---- snapshots ---------------------------------------------------------------------------------


def test_snapshot_live_badge_and_running_turn(snap_compare):
    """A session being written: the LIVE badge in the title, the last turn's header says
    ● running, the view opened at the bottom."""
    thread = live_thread(3)
    assert snap_compare(transcript_app(store=InMemoryThreadStore([thread]),
                                       thread_id=thread.summary.id),
                        terminal_size=(120, 30), run_before=settle)


def test_snapshot_new_items_marker(snap_compare):
    """Away from the bottom when a new turn arrives: the view stays, "↓ 3 new blocks"
    shows at the bottom right."""
    thread = fresh(long_thread(12))
    store = InMemoryThreadStore([thread])

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("home")
        store.append(thread.summary.id, new_turn(13))
        await wait_for(pilot, lambda: view(pilot.app).new_below == 3)
        await settle(pilot)

    assert snap_compare(transcript_app(store=store, thread_id=thread.summary.id),
                        terminal_size=(120, 30), run_before=run_before)

