"""The transcript viewer driven through Textual's Pilot: what it shows for each kind of item,
navigation, folding, find, copy / resume / fork / back, the partial-then-full load, literal
text, and a large session."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from support.apps import fixed_now, settle
from support.transcripts import BETA, thread_of, turn
from textual.widgets import Input

from codex_tui.app import CodexTuiApp
from codex_tui.dialogs.confirm import ConfirmScreen
from codex_tui.resume import ResumeRequest
from codex_tui.screens.picker import PickerScreen
from codex_tui.screens.transcript import PARTIAL_BYTES, TranscriptScreen
from codex_tui.store import InMemoryThreadStore, LocalThreadStore, Problem, Thread
from codex_tui.store.model import (
    Aborted,
    AgentMessage,
    Compaction,
    ErrorItem,
    Note,
    Patch,
    PatchFile,
    Reasoning,
    ToolCall,
    Unknown,
    UserMessage,
)
from codex_tui.widgets.transcript_view import TranscriptView

SIZE = (120, 40)

# Fixture sessions (see test_generations.py).
TESTS_169 = "01a1fe36-9923-7570-9f27-baeff79474f4"  # 4 turns, tool calls, code blocks
FAIL_169 = "01a1fe36-a066-71e0-bf1c-8bc78bba9b27"  # one failed turn
BARE_TESTS = "2a0e6f2d-2c6d-4a89-b155-6f0fb18c5151"  # Codex 0.20, with a tool call
FORK_169 = "01a1fe36-a3e5-7b30-9c75-8b09d6038321"  # 4 inherited turns, then its own
FORK_PARENT = "01a1fe36-9923-7570-9f27-baeff79474f4"
ARCHIVED_FORK = "01a1fe36-9010-7023-a856-a8c802ee8a8a"
LS_COMMAND = "ls -la && echo hello from the tool && cat main.py"


# ---- helpers ----------------------------------------------------------------------------------


def transcript_app(home: Path | None = None, thread_id: str = TESTS_169, *, store=None,
                   app_class: type[CodexTuiApp] = CodexTuiApp) -> CodexTuiApp:
    """The app as `codex-tui show ID` opens it, with a fixed clock."""
    store = store if store is not None else LocalThreadStore(str(home))
    return app_class(store, cwd=BETA, now=fixed_now, transcript=thread_id)


def screen(app) -> TranscriptScreen:
    assert isinstance(app.screen, TranscriptScreen)
    return app.screen


def view(app) -> TranscriptView:
    return app.screen.query_one(TranscriptView)


def lines(app) -> list[str]:
    """The view's rows as drawn (plain text, gutter included)."""
    v = view(app)
    v._measure_view()
    return [v.render_line(y).text.rstrip() for y in range(v.size.height)]


def text(app) -> str:
    return "\n".join(lines(app))


def status(app) -> str:
    return str(app.screen.query_one("#tv-status").render())


def all_rows(app) -> list[str]:
    """Every row of the transcript (rendering every block)."""
    v = view(app)
    rows: list[str] = []
    for i in range(len(v.blocks)):
        rows += [s.text.rstrip() for s in v._strips(i)]
    return rows


def block_index(app, kind: str, nth: int = 0) -> int:
    found = [i for i, b in enumerate(view(app).blocks) if b.kind == kind]
    return found[nth]


def memory_app(thread: Thread, **kw) -> CodexTuiApp:
    return transcript_app(store=InMemoryThreadStore([thread]), thread_id=thread.summary.id, **kw)


# ---- what is shown ----------------------------------------------------------------------------


async def test_header_and_first_turn(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        title = str(app.screen.query_one("#tv-title").render())
        meta = str(app.screen.query_one("#tv-meta").render())
        assert "[0.169.0] please run the tests and list files" in title
        assert TESTS_169 in title
        for part in (BETA, "mock-model", "codex 0.169.0", "4 turns", "18k tokens"):
            assert part in meta, part
        shown = text(app)
        assert "Turn 1 · 2026-11-21 13:05:53 · 331ms · in 5.5k / out 475 / cached 2.0k" in shown
        assert "› [0.169.0] please run the tests and list files" in shown
        assert "▸ reasoning (1 line) **Planning** I will list the files first." in shown
        assert f"$ {LS_COMMAND}" in shown and "✓ exit 0" in shown
        assert "│ total 16" in shown
        assert "… 2 more lines (enter or o to expand)" in shown
        assert "hello from the tool\n" not in shown.replace("echo hello from the tool", "")
        assert "• Done. The command finished (reply 158)." in shown
        assert "Turn 1 of 4" in status(app)
        assert not screen(app).busy


async def test_assistant_markdown_with_highlighted_code(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        v = view(app)
        index = next(i for i, b in enumerate(v.blocks)
                     if b.kind == "agent_message" and "Part 1" in b.item.text)
        strips = v._strips(index)
        rows = [s.text.rstrip() for s in strips]
        assert rows[0] == "• Part 1"
        assert "    inline code" not in rows  # inline code stays inline
        code = next(s for s in strips if "def part_1(x: int) -> int:" in s.text)
        colours = {seg.style.color.name for seg in code if seg.style and seg.style.color
                   and seg.text.strip()}
        backgrounds = {seg.style.bgcolor for seg in code if seg.style and seg.style.bgcolor}
        assert len(colours) >= 3, colours  # Pygments tokens in several colours
        assert backgrounds  # the code block's own background
        assert "```" not in "\n".join(rows)


async def test_failed_turn_is_marked(codex_home):
    app = transcript_app(codex_home, FAIL_169)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = lines(app)
        header = next(row for row in shown if "Turn 1 ·" in row)
        assert header.endswith("✗ failed")
        assert "  ✗ error: mock provider refused" in shown
        v = view(app)
        strip = v._strips(block_index(app, "error"))[0]
        assert any(seg.style and seg.style.color and seg.style.color.name == "#ff6b6b"
                   for seg in strip)


async def test_legacy_020_session(codex_home):
    app = transcript_app(codex_home, BARE_TESTS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        meta = str(app.screen.query_one("#tv-meta").render())
        assert "(directory not recorded)" in meta
        shown = text(app)
        assert "Turn 1" in shown
        assert "› [0.20.0] please run the tests and list files" in shown
        assert f"$ {LS_COMMAND}" in shown
        assert "✓ exit 0 · 200ms" in shown
        assert "• Done. The command finished (reply 116)." in shown


async def test_fork_marks_its_inherited_prefix(codex_home):
    app = transcript_app(codex_home, FORK_169)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = all_rows(app)
        assert rows[0] == (f"↳ Forked from {FORK_PARENT}: the first 4 turns are its history "
                           "(dimmed).")
        headers = [r for r in rows if r.startswith(" Turn ")]
        assert len(headers) == 5
        assert all(h.endswith("inherited") for h in headers[:4])
        assert not headers[4].endswith("inherited")
        divider = next(i for i, r in enumerate(rows) if "forked here" in r)
        assert rows.index(headers[3]) < divider < rows.index(headers[4])
        v = view(app)
        user = v._strips(next(i for i, b in enumerate(v.blocks)
                              if b.kind == "user_message" and b.inherited))[0]
        own = v._strips(next(i for i, b in enumerate(v.blocks)
                             if b.kind == "user_message" and not b.inherited))[0]
        assert all(seg.style.dim for seg in user if seg.text.strip())
        assert not any(seg.style and seg.style.dim for seg in own)


async def test_every_item_kind_is_shown():
    diff = "@@ -1,2 +1,2 @@\n-old line\n+new line\n context"
    thread = thread_of(
        turn(1, UserMessage("fix it", images=2),
             Reasoning("**Thinking** about it\nsecond line"),
             ToolCall("c1", "shell", "false", output="boom\n", exit_code=1, duration_ms=1500),
             ToolCall("c2", "web_search", "textual line api", status="completed"),
             Patch("p1", files=[PatchFile("src/app.py", "update", diff)], success=True),
             Note("plan", "1. read 2. write"),
             Unknown("event_msg/brand_new", {"type": "brand_new", "x": [1, 2]}, line=7),
             Compaction("summary of the first part"),
             ErrorItem("stream disconnected"),
             Aborted("interrupted")),
        turn(2, UserMessage("again"), status="aborted"),
        problems=[Problem("last line is incomplete", "/x/rollout.jsonl", 12)],
        rolled_back=2)
    app = memory_app(thread)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = all_rows(app)
        joined = "\n".join(rows)
        assert rows[0] == "⚠ 1 problem reading this session:"
        assert rows[1] == "  • /x/rollout.jsonl:12: last line is incomplete"
        assert "↶ 2 turns rolled back (not shown)." in rows
        assert "› fix it  [2 images]" in joined
        assert "$ false" in joined and "✗ exit 1 · 1.5s" in joined
        assert "⚙ web_search textual line api" in joined
        assert "✎ patch · 1 file · applied" in joined
        assert "  │ M src/app.py" in joined
        assert "  │ -old line" in joined and "  │ +new line" in joined
        assert "· plan: 1. read 2. write" in joined
        assert "▸ unknown record event_msg/brand_new (line 7)  enter shows it" in joined
        assert "⇲ context compacted (enter shows the summary)" in joined
        assert "✗ error: stream disconnected" in joined
        assert "⊘ turn aborted: interrupted" in joined
        assert next(r for r in rows if r.startswith(" Turn 2")).endswith("⊘ aborted")
        v = view(app)
        patch = v._strips(block_index(app, "patch"))
        added = next(s for s in patch if "+new line" in s.text)
        assert any(seg.style and seg.style.color and seg.style.color.name == "green"
                   for seg in added)


async def test_unknown_record_expands_to_its_json():
    thread = thread_of(turn(1, UserMessage("hi"),
                            Unknown("response_item/new_thing", {"type": "new_thing", "n": 1})))
    app = memory_app(thread)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        v = view(app)
        v._set_cursor(block_index(app, "unknown"))
        await pilot.press("enter")
        await settle(pilot)
        assert "▌ ▾ unknown record response_item/new_thing" in text(app)
        rows = [s.text.rstrip() for s in v._strips(v.cursor)]
        assert rows[1:5] == ["  │ {", '  │   "type": "new_thing",', '  │   "n": 1', "  │ }"]


async def test_session_text_is_literal():
    prompt = "show [bold red]this[/] and [link=https://x]y[/link] \x1b[31mred"
    answer = "Use `[red]x[/red]` like [this](https://example.com) \\[not markup]"
    thread = thread_of(turn(1, UserMessage(prompt), AgentMessage(answer),
                            ToolCall("c", "shell", "echo '[b]x[/b]'", output="[i]out[/i]\n",
                                     exit_code=0)), title=prompt)
    app = memory_app(thread)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = text(app)
        assert "› show [bold red]this[/] and [link=https://x]y[/link] ␛[31mred" in shown
        assert "[red]x[/red]" in shown
        assert "$ echo '[b]x[/b]'" in shown
        assert "│ [i]out[/i]" in shown
        title = str(app.screen.query_one("#tv-title").render())
        assert "[bold red]this[/]" in title and "\x1b" not in title


async def test_empty_session():
    app = memory_app(thread_of())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.has_class("-empty")
        assert "no turns yet" in str(app.screen.query_one("#tv-empty").render())


async def test_unknown_session_id_is_stated(codex_home):
    app = transcript_app(codex_home, "01a1fe36-0000-7000-8000-000000000000")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Could not read session" in str(app.screen.query_one("#tv-empty").render())
        assert not screen(app).busy


# ---- navigation --------------------------------------------------------------------------------


async def test_turn_keys_and_start_end(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        v = view(app)
        await pilot.press("right_square_bracket")
        assert "Turn 2 of 4" in status(app)
        assert lines(app)[0].startswith("▌  Turn 2 ·")  # the header at the top, cursor on it
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert "Turn 4 of 4" in status(app)
        await pilot.press("right_square_bracket")  # no later turn: stays
        assert "Turn 4 of 4" in status(app)
        await pilot.press("left_square_bracket")
        assert "Turn 3 of 4" in status(app)
        await pilot.press("G")
        assert v.scroll_y == v.max_scroll_y > 0
        assert v.cursor == len(v.blocks) - 1
        assert "Turn 4 of 4" in status(app)
        await pilot.press("g")
        assert v.scroll_y == 0 and v.cursor == 0
        await pilot.press("end")
        assert v.scroll_y == v.max_scroll_y
        await pilot.press("home")
        assert v.scroll_y == 0


async def test_scroll_keys_move_and_cursor_follows(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        v = view(app)
        height = v.scrollable_content_region.height
        await pilot.press("j", "j", "down")
        assert v.scroll_y == 3
        await pilot.press("k")
        assert v.scroll_y == 2
        await pilot.press("pagedown")
        assert v.scroll_y == 2 + height - 1
        await pilot.press("space")
        assert v.scroll_y == 2 + 2 * (height - 1)
        await pilot.press("pageup", "b")
        assert v.scroll_y == 2
        await pilot.press("pagedown", "pagedown")
        # The cursor stays on a block that is on screen.
        tops = v._tops()
        assert tops[v.cursor] + v._heights[v.cursor] > v.scroll_y
        assert tops[v.cursor] < v.scroll_y + height
        await pilot.press("tab")
        before = v.cursor
        await pilot.press("tab", "shift+tab")
        assert v.cursor == before


async def test_mouse_click_selects_and_folds(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        v = view(app)
        tool = block_index(app, "tool_call")
        row = v._tops()[tool] - int(v.scroll_y)
        await pilot.click(TranscriptView, offset=(5, row))
        await settle(pilot)
        assert v.cursor == tool
        assert v.expanded(tool)
        assert "│ hello from the tool" in text(app)


# ---- folding -------------------------------------------------------------------------------------


async def test_o_toggles_every_tool_output(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "│ print('x')" not in "\n".join(all_rows(app))
        await pilot.press("o")
        await settle(pilot)
        rows = "\n".join(all_rows(app))
        assert rows.count("│ print('x')") == 2  # both tool calls
        assert "more lines" not in rows
        assert "output shown" in status(app)
        await pilot.press("o")
        await settle(pilot)
        assert "│ print('x')" not in "\n".join(all_rows(app))


async def test_enter_toggles_only_the_block_at_the_cursor(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        v = view(app)
        first_tool = block_index(app, "tool_call")
        while v.cursor != first_tool:
            await pilot.press("tab")
        await pilot.press("enter")
        await settle(pilot)
        rows = "\n".join(all_rows(app))
        assert rows.count("│ print('x')") == 1
        await pilot.press("enter")
        await settle(pilot)
        assert "│ print('x')" not in "\n".join(all_rows(app))
        # A block with nothing to fold says so.
        v._set_cursor(block_index(app, "user_message"))
        await pilot.press("enter")
        await settle(pilot)
        assert any("Nothing to expand" in n.message for n in app._notifications)


async def test_r_toggles_reasoning(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        shown = text(app)
        assert "▾ reasoning" in shown
        assert "  Planning I will list the files first." in shown  # as Markdown
        assert "reasoning shown" in status(app)
        await pilot.press("r")
        await settle(pilot)
        assert "▸ reasoning (1 line)" in text(app)


# ---- find ----------------------------------------------------------------------------------------


async def test_find_highlights_and_n_N_move_between_matches(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        v = view(app)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"hello", "enter")
        await settle(pilot)
        assert app.focused is v  # Enter keeps the find, back in the transcript
        # Both commands and both outputs ("hello from the tool" once folded away, expanded).
        assert v.match_total == 4
        assert "find hello: 1 of 4" in status(app)
        first = v._match
        assert first is not None and v.blocks[first[0]].kind == "tool_call"
        match_style = v.get_component_rich_style("transcript-view--match")
        strip = v._strips(first[0])[0]
        assert any(seg.text.lower() == "hello" and seg.style.bgcolor == match_style.bgcolor
                   for seg in strip)
        await pilot.press("n")
        assert "find hello: 2 of 4" in status(app)
        second = v._match
        assert second != first and v.expanded(second[0])  # the folded output opened
        assert "│ hello from the tool" in text(app)
        await pilot.press("n", "n")
        assert "find hello: 4 of 4" in status(app)
        await pilot.press("n")  # wraps around
        assert "find hello: 1 of 4" in status(app)
        await pilot.press("N")
        assert "find hello: 4 of 4" in status(app)
        await pilot.press("escape")  # closes find, clears the highlight
        assert not app.screen.has_class("-finding")
        assert v.find_query == "" and "find" not in status(app)
        assert isinstance(app.screen, TranscriptScreen)


async def test_find_ignores_case_and_accents(codex_home):
    """`cafe` finds CAFÉ, café and Café (its é typed as e + U+0301), each highlighted."""
    decomposed = "Cafe\u0301"
    app = memory_app(thread_of(turn(1, UserMessage("Un CAFÉ, s'il vous plaît"),
                                    AgentMessage(f"Voilà: café crème, et {decomposed}."))))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        v = view(app)
        await pilot.press("slash", *"cafe", "enter")
        await settle(pilot)
        assert v.match_total == 3
        match_style = v.get_component_rich_style("transcript-view--match")
        found = []
        for _ in range(3):
            index, row = v._match[:2]
            strip = v._strips(index)[row]
            found.append("".join(seg.text for seg in strip
                                 if seg.style and seg.style.bgcolor == match_style.bgcolor))
            await pilot.press("n")
        assert found[0] == "CAFÉ"
        # One row holds the other two, both highlighted (a combining accent takes no cell of
        # its own: it is drawn in the cell of its letter).
        assert found[1] == found[2] and found[1].startswith("caféCafe")


async def test_find_without_matches(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zebra", "enter")
        await settle(pilot)
        assert "find zebra: no matches" in status(app)
        assert any("No match" in n.message for n in app._notifications)


async def test_n_without_a_query_opens_find(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        assert app.screen.has_class("-finding")
        assert isinstance(app.focused, Input)
        await pilot.press("q", "escape")  # typed into the box; Esc closes it
        assert not app.screen.has_class("-finding")
        assert app.focused is view(app)
        assert isinstance(app.screen, TranscriptScreen)


# ---- copy, resume, fork, back -------------------------------------------------------------------


async def test_y_copies_the_session_id(codex_home):
    app = transcript_app(codex_home)
    copied: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.copy_to_clipboard = copied.append
        await pilot.press("y")
        assert copied == [TESTS_169]
        assert any(TESTS_169 in n.message for n in app._notifications)


async def test_c_resumes_the_session(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
    assert app.return_value == ResumeRequest(TESTS_169, BETA)


async def test_c_on_an_archived_session_offers_to_unarchive(codex_home):
    app = transcript_app(codex_home, ARCHIVED_FORK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await settle(pilot)
    assert app.return_value == ResumeRequest(ARCHIVED_FORK, BETA)
    assert list((codex_home / "sessions/2026/11/21").glob(f"*{ARCHIVED_FORK}.jsonl"))


async def test_f_forks_at_the_current_turn(codex_home):
    asked: list[tuple[str, int]] = []

    class App(CodexTuiApp):
        def open_fork(self, thread_id: str, turn: int) -> None:
            asked.append((thread_id, turn))

    app = transcript_app(codex_home, app_class=App)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "f")
    assert asked == [(TESTS_169, 3)]


async def test_f_opens_the_fork_dialog(codex_home):
    from codex_tui.dialogs.fork import ForkDialog

    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ForkDialog)
        assert app.screen.cut == 1  # the turn at the top of the view


async def test_escape_quits_when_the_transcript_is_the_only_screen(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")
    assert app.return_value is None
    assert not app.is_running


async def test_back_returns_to_the_picker(codex_home):
    from support.apps import picker_app

    app = picker_app(codex_home)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        app.push_screen(TranscriptScreen(app.store, TESTS_169, now=fixed_now))
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        assert app.is_running


async def test_command_palette_lists_every_transcript_action(codex_home):
    app = transcript_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Find in transcript", "Next match", "Previous match", "Next turn",
                      "Previous turn", "Go to the start", "Go to the end",
                      "Toggle tool output", "Toggle reasoning",
                      "Expand or fold the block at the cursor", "Copy session id",
                      "Resume session", "Fork at this turn", "Back"):
            assert title in titles, title


# ---- loading -------------------------------------------------------------------------------------


class SlowStore(InMemoryThreadStore):
    """The first read gives the start of the thread; the full read waits for `release`."""

    def __init__(self, partial: Thread, full: Thread) -> None:
        super().__init__([full])
        self.partial = partial
        self.release = threading.Event()
        self.reads: list[int | None] = []

    def read_thread(self, thread_id: str, max_bytes: int | None = None) -> Thread:
        self.reads.append(max_bytes)
        if max_bytes is not None:
            return self.partial
        assert self.release.wait(10)
        return super().read_thread(thread_id)


def long_thread(turns: int, **summary_fields) -> Thread:
    return thread_of(*[
        turn(n, UserMessage(f"question number {n}"),
             ToolCall(f"c{n}", "shell", f"make step-{n}",
                      output="".join(f"line {k}\n" for k in range(12)), exit_code=0),
             AgentMessage(f"Answer {n}.\n\n- one\n- two"))
        for n in range(1, turns + 1)], **summary_fields)


async def test_partial_then_full_keeps_the_position():
    full = long_thread(40, size=PARTIAL_BYTES * 4)
    partial = Thread(full.summary, full.turns[:15], [Problem("last line is incomplete")])
    store = SlowStore(partial, full)
    app = transcript_app(store=store, thread_id=full.summary.id)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            await pilot.pause(0.02)
            if app.screen.query_one(TranscriptView).blocks:
                break
        v = view(app)
        assert screen(app).busy
        assert "loading…" in status(app)
        assert "15+ turns" in str(app.screen.query_one("#tv-meta").render())
        # The partial read's problem (where it stopped) is not shown.
        assert not any(b.kind == "problems" for b in v.blocks)
        for _ in range(6):
            await pilot.press("right_square_bracket")
        await pilot.press("j", "j")
        top_key = v.blocks[v._anchor()[0]].key
        offset = v._anchor()[1]
        cursor_key = v.blocks[v.cursor].key
        shown = lines(app)
        store.release.set()
        await settle(pilot)
        assert not screen(app).busy
        assert len(v.blocks) > 100
        assert v.blocks[v._anchor()[0]].key == top_key and v._anchor()[1] == offset
        assert v.blocks[v.cursor].key == cursor_key
        assert lines(app) == shown
        assert "Turn 7 of 40" in status(app) and "loading" not in status(app)
        assert store.reads == [PARTIAL_BYTES, None]


async def test_small_session_is_read_once():
    thread = long_thread(2)
    store = SlowStore(thread, thread)
    app = transcript_app(store=store, thread_id=thread.summary.id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert store.reads == [PARTIAL_BYTES]
        assert not screen(app).busy


# ---- scale ---------------------------------------------------------------------------------


async def test_large_session_stays_responsive():
    """1,000 turns (4,000 blocks), one tool output of 10,000 lines: the first screen, the end,
    expanding everything and find each take well under a second of work."""
    big_output = "".join(f"{k:05d} some build output line\n" for k in range(10_000))
    thread = long_thread(1000)
    thread.turns[500].items[1].output = big_output
    app = memory_app(thread)
    async with app.run_test(size=SIZE) as pilot:
        started = time.perf_counter()
        await settle(pilot)
        assert time.perf_counter() - started < 10  # generous: slow CI machines
        v = view(app)
        assert len(v.blocks) == 4000
        for keys in (["G"], ["g"], ["o"], ["G"], ["k"] * 5, ["g"]):
            started = time.perf_counter()
            await pilot.press(*keys)
            assert time.perf_counter() - started < 3, keys
        big = next(i for i, b in enumerate(v.blocks) if b.kind == "tool_call" and b.turn == 500)
        v.show_block(big, 5000)
        await pilot.pause()
        assert "│ 05000 some build output line" in text(app) or \
            "│ 04999 some build output line" in text(app)
        # Only what was shown is kept rendered.
        assert v._cache.rows <= 20_000
        await pilot.press("slash", *"09999 some", "enter")
        await settle(pilot)
        assert v.match_total == 1
        assert v._match is not None and v._match[0] == big


# ---- the command line ------------------------------------------------------------------------


def test_show_opens_the_transcript_in_a_terminal(codex_home, monkeypatch, capsys):
    from codex_tui.cli import commands as cli

    opened: list[tuple[str | None, str | None]] = []

    def fake_run(self):
        opened.append((self.start_transcript, self.start_cwd))
        return None

    monkeypatch.setattr(cli, "_interactive", lambda: True)
    monkeypatch.setattr(CodexTuiApp, "run", fake_run)
    assert cli.main(["--codex-home", str(codex_home), "show", TESTS_169[:13]]) == 0
    assert [t for t, _ in opened] == [TESTS_169]
    assert capsys.readouterr().out == ""


def test_show_resumes_when_the_transcript_asks(codex_home, monkeypatch):
    from codex_tui import resume
    from codex_tui.cli import commands as cli

    ran: list = []
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    monkeypatch.setattr(CodexTuiApp, "run", lambda self: ResumeRequest(TESTS_169, BETA))
    monkeypatch.setattr(resume, "find_codex", lambda explicit=None: "/bin/codex")
    monkeypatch.setattr(resume, "exec_command", ran.append)
    assert cli.main(["--codex-home", str(codex_home), "show", TESTS_169]) == 0
    [command] = ran
    assert command.argv == ["/bin/codex", "resume", TESTS_169]
    assert command.env == {"CODEX_HOME": str(codex_home)}
    # BETA is a fixture path that does not exist here: codex runs where we are, and says so.
    assert command.cwd is None and command.note and BETA in command.note


@pytest.mark.parametrize("flag", [[], ["--markdown"]])
def test_show_prints_markdown_when_not_a_terminal(codex_home, capsys, flag):
    from codex_tui.cli import commands as cli

    assert cli.main(["--codex-home", str(codex_home), "show", TESTS_169, *flag]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# \\[0.169.0\\] please run the tests and list files")
    assert "## Turn 4" in out
