"""The session picker driven through Textual's Pilot: filters, sorting, search, preview,
resume and unarchive, literal text, wide characters and the command palette."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from support.apps import picker_app, settle
from support.homes import FIXED_MTIME
from textual.command import CommandList, CommandPalette
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Input

from codex_tui import timefmt
from codex_tui.dialogs.confirm import ConfirmScreen
from codex_tui.resume import ResumeRequest
from codex_tui.screens.picker import PickerScreen
from codex_tui.widgets.session_list import SIZE_WIDTH, TOKENS_WIDTH, SessionList

SIZE = (150, 40)
DAY = "sessions/2026/11/21"
BETA = "/home/dev/src/beta"
ALPHA = "/home/dev/src/alpha"

# Sessions of /home/dev/src/beta in the fixture home, by id (= by creation time) descending.
CACHE = "01a1fe37-7d3b-7fa0-9ed3-e1fdb5097751"  # "... why is the [red]cache[/red] cold?"
FORKED = "01a1fe36-a3e5-7b30-9c75-8b09d6038321"
B169 = "01a1fe36-9923-7570-9f27-baeff79474f4"
B150 = "01a1fe36-83d7-7141-9f9a-c70280a8052e"
B120 = "01a1fe36-70b1-7732-b06b-76da75feba97"
B80 = "01a1fe36-6356-7371-a92c-e9bf1fee400b"
B50 = "01a1fe36-5693-7132-b012-6959cea1107a"
BETA_IDS = [CACHE, FORKED, B169, B150, B120, B80, B50]

NAMED = "01a1fe37-05e8-79e2-b09f-d8e316352b56"  # thread name "picker-demo-thread", in alpha
ARCHIVED = "01a1fe36-9010-7023-a856-a8c802ee8a8a"
ARCHIVED_FILE = "rollout-2026-11-21T13-05-51-01a1fe36-9010-7023-a856-a8c802ee8a8a.jsonl"
BARE_IDS = {  # Codex 0.20: no cwd recorded
    "5d7ed0a2-8eb1-4f3e-a776-cbf2a19e0053", "2a0e6f2d-2c6d-4a89-b155-6f0fb18c5151",
    "e0f531b4-b3e5-46b2-bb08-4abc63049363", "5031ac39-3cc4-40bf-9dd5-27fd05497345",
}
ACTIVE_COUNT = 27

SUBAGENT = "01a1fe38-0000-7000-8000-00000000a6e7"
MULTILINE = "01a1fe38-0000-7000-8000-0000000000f1"
WIDE_IDS = ["01a1fe38-0000-7000-8000-0000000000c1", "01a1fe38-0000-7000-8000-0000000000c2",
            "01a1fe38-0000-7000-8000-0000000000c3"]


# ---- helpers ----------------------------------------------------------------------------------


def write_session(home: Path, thread_id: str, prompt: str, cwd: str | None, *,
                  ts: str = "2026-11-21T10:00:00.000Z", mtime: float | None = None,
                  source: object = "cli") -> Path:
    """A minimal legacy (envelope) rollout with one turn, in sessions/2026/11/21/."""

    def line(kind: str, payload: object) -> str:
        return json.dumps({"timestamp": ts, "type": kind, "payload": payload},
                          ensure_ascii=False) + "\n"

    meta: dict[str, object] = {"id": thread_id, "timestamp": ts, "originator": "codex_cli_rs",
                               "cli_version": "0.169.0", "source": source,
                               "model_provider": "openai"}
    if cwd is not None:
        meta["cwd"] = cwd
    text = line("session_meta", meta)
    text += line("event_msg", {"type": "task_started", "turn_id": "t1"})
    text += line("turn_context", {"cwd": cwd or "/", "model": "gpt-5.1-codex"})
    text += line("response_item", {"type": "message", "role": "user",
                                   "content": [{"type": "input_text", "text": prompt}]})
    text += line("event_msg", {"type": "user_message", "message": prompt, "images": []})
    text += line("event_msg", {"type": "agent_message", "message": "ok"})
    text += line("event_msg", {"type": "task_complete", "turn_id": "t1"})
    path = home / DAY / f"rollout-2026-11-21T10-00-00-{thread_id}.jsonl"
    path.write_text(text, encoding="utf-8")
    stamp = FIXED_MTIME if mtime is None else mtime
    os.utime(path, (stamp, stamp))
    return path


def session_file(home: Path, thread_id: str, archived: bool = False) -> Path:
    folder = home / ("archived_sessions" if archived else DAY)
    [path] = folder.glob(f"rollout-*-{thread_id}.jsonl")
    return path


def set_mtime(home: Path, thread_id: str, seconds: float) -> None:
    os.utime(session_file(home, thread_id), (seconds, seconds))


def session_list(app) -> SessionList:
    return app.screen.query_one(SessionList)


def row_ids(app) -> list[str]:
    return [r.id for r in session_list(app).rows]


def rendered(widget: Widget) -> list[str]:
    """The widget's lines as the terminal would show them (plain text)."""
    return [strip.text for strip in
            widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))]


def list_lines(app) -> list[str]:
    """The SessionList's rendered rows, one per session (blank lines below them dropped)."""
    widget = session_list(app)
    lines = [widget.render_line(y).text for y in range(widget.size.height)]
    return [line for line in lines if line.strip()]


def preview_text(app) -> str:
    return "\n".join(line.rstrip() for line in rendered(app.screen.query_one("#preview-body")))


def empty_text(app) -> str:
    """The message the list shows, centred, while it has no rows."""
    widget = session_list(app)
    return " ".join(line for y in range(widget.size.height)
                    if (line := widget.render_line(y).text.strip()))


def status_line(app) -> str:
    return rendered(app.screen.query_one("#picker-header"))[0]


async def type_search(pilot, text: str) -> None:
    await pilot.press("slash", *text)
    await settle(pilot)


# ---- filters and order ---------------------------------------------------------------------


async def test_default_rows_are_this_directory_newest_first(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        # Every fixture file has the same mtime: equal "updated" times order by id, descending.
        assert row_ids(app) == BETA_IDS
        assert session_list(app).cursor == 0
        assert app.focused is session_list(app)
        assert "No sessions" not in empty_text(app)
        lines = list_lines(app)
        assert len(lines) == len(BETA_IDS)
        assert not any("/home/dev/src" in line for line in lines)  # no cwd column
        assert "7 shown" in status_line(app)


async def test_order_is_updated_time_then_id(codex_home):
    set_mtime(codex_home, B50, FIXED_MTIME + 60)
    set_mtime(codex_home, B120, FIXED_MTIME + 30)
    set_mtime(codex_home, B80, FIXED_MTIME + 30)  # a tie with B120: the larger id first
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert row_ids(app) == [B50, B120, B80, CACHE, FORKED, B169, B150]


async def test_a_shows_every_directory_with_the_cwd_column(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        ids = row_ids(app)
        assert len(ids) == ACTIVE_COUNT
        assert len(set(ids)) == ACTIVE_COUNT
        assert set(ids) >= BARE_IDS  # 0.20 sessions, which recorded no cwd
        assert NAMED in ids
        assert ARCHIVED not in ids
        assert ids == sorted(ids, reverse=True)  # equal mtimes: by id
        lines = list_lines(app)
        assert len(lines) == ACTIVE_COUNT
        text = "\n".join(lines)
        for cwd in ("/home/dev/src/alpha", "/home/dev/src/beta", "/home/dev/src/gamma/sub"):
            assert cwd in text
        assert "every directory" in status_line(app)
        await pilot.press("a")
        await settle(pilot)
        assert row_ids(app) == BETA_IDS


async def test_r_shows_only_archived_sessions(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert row_ids(app) == [ARCHIVED]
        assert "Archived sessions" in status_line(app)
        await pilot.press("a")  # archived in every directory: still just the one
        await settle(pilot)
        assert row_ids(app) == [ARCHIVED]
        await pilot.press("r")
        await settle(pilot)
        assert len(row_ids(app)) == ACTIVE_COUNT


async def test_s_sorts_by_created_instead_of_updated(codex_home):
    # Updated (mtime) order is the reverse of created order, with one tie.
    for seconds, thread_id in enumerate(BETA_IDS):
        set_mtime(codex_home, thread_id, FIXED_MTIME - 100 + 10 * seconds)
    set_mtime(codex_home, B169, FIXED_MTIME - 100)  # same mtime as CACHE
    by_updated = [B50, B80, B120, B150, FORKED, CACHE, B169]
    by_created = BETA_IDS
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert row_ids(app) == by_updated
        await pilot.press("down", "down")
        await settle(pilot)
        assert session_list(app).current.id == B120
        await pilot.press("s")
        await settle(pilot)
        assert app.screen.filters.sort == "created"
        assert row_ids(app) == by_created
        assert session_list(app).current.id == B120  # the cursor stays on the session
        await pilot.press("s")
        await settle(pilot)
        assert row_ids(app) == by_updated


async def test_i_reveals_sub_agent_sessions(codex_home):
    source = session_file(codex_home, B169)
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    meta = json.loads(lines[0])
    assert meta["type"] == "session_meta"
    meta["payload"]["source"] = {"subagent": "review"}
    text = (json.dumps(meta) + "\n" + "".join(lines[1:])).replace(B169, SUBAGENT)
    target = source.with_name(source.name.replace(B169, SUBAGENT))
    target.write_text(text, encoding="utf-8")
    os.utime(target, (FIXED_MTIME + 10, FIXED_MTIME + 10))

    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert SUBAGENT not in row_ids(app)
        await pilot.press("i")
        await settle(pilot)
        assert row_ids(app) == [SUBAGENT, *BETA_IDS]
        assert session_list(app).current.id == CACHE  # the cursor stays where it was
        await pilot.press("home")
        await settle(pilot)
        text = preview_text(app)
        assert SUBAGENT in text
        assert "subagent:review" in text
        await pilot.press("i")
        await settle(pilot)
        assert row_ids(app) == BETA_IDS


async def test_cursor_keys(codex_home):
    app = picker_app(codex_home, all_dirs=True)
    async with app.run_test(size=(150, 20)) as pilot:
        await settle(pilot)
        widget = session_list(app)
        height = widget.size.height
        assert height < ACTIVE_COUNT  # so that paging and scrolling happen
        await pilot.press("down", "down", "up")
        assert widget.cursor == 1
        await pilot.press("end")
        await settle(pilot)
        assert widget.cursor == ACTIVE_COUNT - 1
        assert widget.current.id in widget.visible_ids()
        await pilot.press("home")
        assert widget.cursor == 0
        await pilot.press("pagedown")
        assert widget.cursor == height - 1
        await pilot.press("pagedown", "pagedown", "pagedown")
        assert widget.cursor == ACTIVE_COUNT - 1
        await pilot.press("pageup")
        assert widget.cursor == ACTIVE_COUNT - height
        await pilot.press("up")
        await settle(pilot)
        assert widget.current.id in widget.visible_ids()
        assert widget.current.id in preview_text(app)


# ---- search ----------------------------------------------------------------------------------


async def test_search_filters_rows(codex_home):
    app = picker_app(codex_home, all_dirs=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_search(pilot, "cache")
        search = app.screen.query_one("#picker-search", Input)
        assert app.focused is search
        assert search.value == "cache"
        assert row_ids(app) == [CACHE]


@pytest.mark.parametrize("query", ["pickr", "picker-demo", "PICKER demo"])
async def test_search_finds_the_named_thread(codex_home, query):
    app = picker_app(codex_home, all_dirs=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_search(pilot, query)
        assert row_ids(app) == [NAMED]


async def test_search_with_no_match_shows_the_empty_state_and_esc_clears(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_search(pilot, "qqzzxxjj")
        assert row_ids(app) == []
        assert "No sessions match 'qqzzxxjj'" in empty_text(app)
        assert "No session selected" in preview_text(app)
        await pilot.press("escape")  # clears the search and returns to the list
        await settle(pilot)
        assert app.screen.query_one("#picker-search", Input).value == ""
        assert row_ids(app) == BETA_IDS
        assert "No sessions match" not in empty_text(app)
        assert app.focused is session_list(app)
        assert app.is_running
        await pilot.press("escape")  # nothing left to clear: quit
        await pilot.pause()
    assert app.return_value is None


async def test_esc_in_an_empty_search_box_returns_to_the_list(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#picker-search", Input)
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is session_list(app)
        assert app.is_running
        assert row_ids(app) == BETA_IDS


async def test_keys_typed_right_after_slash_go_to_the_search(codex_home):
    """A terminal hands "/re" over in one read: the keys after the slash are the search's,
    not the list's bindings (`r` would show the archived sessions)."""
    from textual import events

    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, char in (("slash", "/"), ("r", "r"), ("e", "e")):
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)  # (all queued at once, as a terminal read)
        await settle(pilot)
        assert app.screen.query_one("#picker-search", Input).value == "re"
        assert not app.screen.filters.archived


async def test_empty_directory_message(codex_home):
    app = picker_app(codex_home, cwd="/home/dev/src/nowhere")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert row_ids(app) == []
        message = empty_text(app)
        assert "No sessions in /home/dev/src/nowhere" in message
        assert "a to show every directory" in message.replace("  ", " ")


# ---- preview ---------------------------------------------------------------------------------


async def test_preview_follows_the_cursor(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = preview_text(app)
        assert CACHE in text
        assert f"cwd     {BETA}" in text
        assert "› beta interactive: why is the [red]cache[/red] cold?" in text
        assert "reading…" not in text
        await pilot.press("down")
        await settle(pilot)
        text = preview_text(app)
        assert FORKED in text
        assert CACHE not in text
        assert "forked: try another approach" in text
        await pilot.press("down")
        await settle(pilot)
        text = preview_text(app)
        assert B169 in text
        first_user = next(line for line in text.splitlines() if line.startswith("› "))
        assert first_user == "› [0.169.0] please run the tests and list files"


async def test_p_toggles_the_preview(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        preview = app.screen.query_one("#picker-preview")
        wide = session_list(app).size.width
        assert preview.display
        await pilot.press("p")
        await settle(pilot)
        assert not preview.display
        assert session_list(app).size.width > wide
        await pilot.press("p")
        await settle(pilot)
        assert preview.display
        assert CACHE in preview_text(app)


async def test_narrow_terminal_hides_the_preview(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.screen.query_one("#picker-preview").display
        assert row_ids(app) == BETA_IDS
        assert len(list_lines(app)) == len(BETA_IDS)


@pytest.mark.parametrize("size", [(80, 24), (150, 40)])
async def test_list_and_preview_span_the_terminal_width(codex_home, size):
    """Nothing is left blank at the right edge: on a narrow terminal the list gets the whole
    width, on a wide one the preview reaches the edge."""
    app = picker_app(codex_home)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        widget = session_list(app)
        assert widget.region.x == 0
        right = app.screen.query_one("#picker-body").region.right
        assert right == size[0]
        if size[0] < 100:
            assert widget.region.width == size[0]
        else:
            assert app.screen.query_one("#picker-preview").region.right == size[0]


# ---- resume ----------------------------------------------------------------------------------


async def test_enter_resumes_the_highlighted_session(codex_home):
    app = picker_app(codex_home, resume_mode=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
    assert app.return_value == ResumeRequest(FORKED, BETA)


async def test_enter_on_the_first_row(codex_home):
    app = picker_app(codex_home, resume_mode=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_value == ResumeRequest(CACHE, BETA)


async def test_enter_in_the_search_box_resumes_the_match(codex_home):
    app = picker_app(codex_home, resume_mode=True, all_dirs=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_search(pilot, "pickr")
        assert app.focused is app.screen.query_one("#picker-search", Input)
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_value == ResumeRequest(NAMED, ALPHA)


async def test_enter_on_a_session_without_cwd(codex_home):
    bare = "e0f531b4-b3e5-46b2-bb08-4abc63049363"  # largest id: first among equal mtimes
    app = picker_app(codex_home, resume_mode=True, all_dirs=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert session_list(app).current.id == bare
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_value == ResumeRequest(bare, None)


async def test_enter_with_no_rows_does_nothing(codex_home):
    app = picker_app(codex_home, resume_mode=True, cwd="/home/dev/src/nowhere")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_value is None


async def test_archived_session_confirm_unarchives_and_resumes(codex_home):
    archived = codex_home / "archived_sessions" / ARCHIVED_FILE
    restored = codex_home / DAY / ARCHIVED_FILE
    content = archived.read_bytes()
    app = picker_app(codex_home, resume_mode=True, archived=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert row_ids(app) == [ARCHIVED]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert archived.exists()  # nothing moves before the answer
        await pilot.press("enter")  # the focused "Unarchive and resume" button
        await pilot.pause()
    assert app.return_value == ResumeRequest(ARCHIVED, BETA)
    assert not archived.exists()
    assert restored.read_bytes() == content


async def test_archived_session_y_confirms(codex_home):
    app = picker_app(codex_home, resume_mode=True, archived=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
    assert app.return_value == ResumeRequest(ARCHIVED, BETA)
    assert (codex_home / DAY / ARCHIVED_FILE).exists()


async def test_archived_session_cancel_leaves_the_file(codex_home):
    archived = codex_home / "archived_sessions" / ARCHIVED_FILE
    app = picker_app(codex_home, resume_mode=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        assert app.is_running
        assert row_ids(app) == [ARCHIVED]
        # Asked again, and cancelled with the button this time.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.click("#confirm-no")
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        assert app.is_running
    assert app.return_value is None
    assert archived.exists()
    assert not (codex_home / DAY / ARCHIVED_FILE).exists()


# ---- literal text, multi-line prompts, wide characters -----------------------------------------


async def test_markup_in_a_prompt_is_shown_literally(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = list_lines(app)[0]
        assert "beta interactive: why is the [red]cache[/red] cold?" in row
        text = preview_text(app)
        assert "› beta interactive: why is the [red]cache[/red] cold?" in text
        # The title line of the preview wraps; its words are all there, markup included.
        assert "beta interactive: why is the [red]cache[/red]" in text
        # Searching highlights the matched characters and still shows the markup verbatim.
        await type_search(pilot, "cache")
        strip = session_list(app).render_line(0)
        assert "[red]cache[/red]" in strip.text
        matched = "".join(seg.text for seg in strip if seg.style and seg.style.underline)
        assert matched == "cache"


async def test_multi_line_prompt_renders_on_one_row(codex_home):
    prompt = "fix it\nthen\n\n    test\tall\r\nof it"
    write_session(codex_home, MULTILINE, prompt, BETA, mtime=FIXED_MTIME + 60)
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert row_ids(app) == [MULTILINE, *BETA_IDS]
        lines = list_lines(app)
        assert len(lines) == len(BETA_IDS) + 1
        assert "fix it then test all of it" in lines[0]
        # The paginated fork: marked, and titled by its source's first prompt, as Codex does.
        assert "↳ [0.169.0] please run the tests and list files" in lines[2]
        text = preview_text(app)
        assert "fix it then test all of it" in text


WIDE_TITLES = [
    "修复缓存 🚀 bug in 日本語のテスト",
    "🎉🎉🎉 launch 🚀 день 한국어 테스트 ✨",
    "長い" * 60 + "🐛",  # far wider than the title column: cut inside wide characters
]


def _assert_columns_aligned(app) -> None:
    widget = session_list(app)
    width = widget.size.width
    rows = widget.rows
    assert len(rows) >= len(WIDE_TITLES)
    starts = []
    for y, row in enumerate(rows[: widget.size.height]):
        strip = widget.render_line(y)
        text = strip.text
        assert strip.cell_length == width
        assert cell_len(text) == width, (row.id, text)
        tail = timefmt.size(row.size).rjust(SIZE_WIDTH) + " " + timefmt.tokens(row.tokens).rjust(
            TOKENS_WIDTH)
        assert text.endswith(tail), (row.id, text)
        starts.append(cell_len(text[: text.rindex(tail)]))
    assert set(starts) == {width - SIZE_WIDTH - 1 - TOKENS_WIDTH}, starts


@pytest.mark.parametrize("size", [(150, 40), (121, 30), (80, 24)])
async def test_wide_characters_keep_columns_aligned(codex_home, size):
    for n, (thread_id, title) in enumerate(zip(WIDE_IDS, WIDE_TITLES, strict=True)):
        write_session(codex_home, thread_id, title, BETA, mtime=FIXED_MTIME + 10 + n)
    app = picker_app(codex_home)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert set(WIDE_IDS) <= set(row_ids(app))
        lines = list_lines(app)
        assert any("修复缓存 🚀 bug" in line for line in lines)
        assert any(line.count("長い") > 3 and "…" in line for line in lines)
        _assert_columns_aligned(app)


async def test_dates_of_other_years_keep_columns_aligned(codex_home):
    """A session last active in another year (or dated far in the future by a wrong clock)
    shows `Mar 2024`, in the column, where `2024-03-04` pushed the row past its width."""
    year = 366 * 86400
    for n, (thread_id, title) in enumerate(zip(WIDE_IDS, WIDE_TITLES, strict=True)):
        mtime = FIXED_MTIME + 2 * year if n == 2 else FIXED_MTIME - (n + 1) * year
        write_session(codex_home, thread_id, title, BETA, mtime=mtime)
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert set(WIDE_IDS) <= set(row_ids(app))
        text = "\n".join(list_lines(app))
        assert "Nov 2025" in text and "Nov 2024" in text and "Nov 2028" in text
        _assert_columns_aligned(app)


async def test_wide_characters_in_the_cwd_column_keep_columns_aligned(codex_home):
    wide_cwd = "/home/dev/プロジェクト/🚀ロケット/深いフォルダ/さらに深いフォルダ"
    for n, (thread_id, title) in enumerate(zip(WIDE_IDS, WIDE_TITLES, strict=True)):
        write_session(codex_home, thread_id, title, wide_cwd if n else BETA,
                      mtime=FIXED_MTIME + 10 + n)
    app = picker_app(codex_home, all_dirs=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert row_ids(app)[:3] == WIDE_IDS[::-1]
        _assert_columns_aligned(app)
        lines = list_lines(app)
        assert "フォルダ" in lines[0]  # the path is cut at its start, its end kept


# ---- command palette -----------------------------------------------------------------------


async def test_system_commands_include_every_picker_action(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("Resume selected session", "Search sessions",
                      "Toggle this directory / all directories",
                      "Toggle active / archived sessions", "Toggle sort: updated / created",
                      "Toggle sub-agent, review and memory threads", "Toggle preview pane",
                      "Reload sessions"):
            assert title in titles
        assert {t for t, _, _ in app.screen.commands()} <= set(titles)


async def test_command_palette_runs_a_picker_command(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"archived")
        prompts: list[str] = []
        for _ in range(50):  # the palette searches asynchronously
            await pilot.pause(0.05)
            commands = app.screen.query_one(CommandList)
            prompts = [str(commands.get_option_at_index(i).prompt)
                       for i in range(commands.option_count)]
            if any("Toggle active / archived sessions" in p for p in prompts):
                break
        assert any(p.startswith("Toggle active / archived sessions") for p in prompts), prompts
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        assert app.screen.filters.archived
        assert row_ids(app) == [ARCHIVED]


# ---- the picker's command line --------------------------------------------------------------


def _vanished_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()


def test_picker_in_a_vanished_directory_shows_every_directory(codex_home, tmp_path,
                                                               monkeypatch, capsys):
    from codex_tui.app import CodexTuiApp
    from codex_tui.cli import main

    opened = []

    def fake_run(app):
        opened.append((app.start_cwd, app.filters.all_dirs))
        return None

    monkeypatch.setattr(CodexTuiApp, "run", fake_run)
    _vanished_dir(tmp_path, monkeypatch)
    code = main(["--codex-home", str(codex_home)])
    out, err = capsys.readouterr()
    assert code == 0
    assert out == ""
    assert "Traceback" not in err
    assert re.search(r"current directory no longer exists", err), err
    assert opened == [(None, True)]


def test_resume_print_in_a_vanished_directory(codex_home, tmp_path, monkeypatch, capsys):
    from codex_tui.app import CodexTuiApp
    from codex_tui.cli import main

    monkeypatch.setattr(CodexTuiApp, "run",
                        lambda app: ResumeRequest(NAMED, ALPHA) if app.filters.all_dirs
                        else None)
    _vanished_dir(tmp_path, monkeypatch)
    code = main(["--codex-home", str(codex_home), "resume", "--print"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out == f"{NAMED}\n"
    assert "no longer exists" in err
    assert "Traceback" not in err


def test_resume_last_in_a_vanished_directory_uses_every_directory(codex_home, tmp_path,
                                                                  monkeypatch, capsys):
    from codex_tui.cli import main

    set_mtime(codex_home, NAMED, FIXED_MTIME + 100)  # the newest, in /home/dev/src/alpha
    _vanished_dir(tmp_path, monkeypatch)
    code = main(["--codex-home", str(codex_home), "resume", "--last", "--print"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out == f"{NAMED}\n"
    assert "no longer exists" in err


async def test_cursor_follows_the_top_while_rows_stream_in(codex_home):
    """Rows arrive in batches (oldest-created last): until the user moves, the cursor stays
    on the first row instead of on whichever session happened to load first."""
    from codex_tui.store.model import ThreadSummary

    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        widget = session_list(app)
        rows = list(widget.rows)
        widget.set_rows(rows[3:])  # a first batch without the newest sessions
        widget.set_rows(rows)  # then everything
        assert widget.current.id == rows[0].id
        await pilot.press("down")
        widget.set_rows(list(reversed(rows)))  # once moved, the cursor keeps its session
        assert widget.current.id == rows[1].id
        assert isinstance(widget.current, ThreadSummary)


# ---- transcript and resume keys ---------------------------------------------------------------


async def test_enter_opens_the_transcript_when_browsing(codex_home):
    from codex_tui.screens.transcript import TranscriptScreen

    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)
        assert app.screen.thread_id == FORKED
        await pilot.press("escape")  # back to the picker, on the same row
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        assert session_list(app).current.id == FORKED
        assert app.is_running


async def test_t_opens_the_transcript_in_the_resume_picker(codex_home):
    from codex_tui.screens.transcript import TranscriptScreen

    app = picker_app(codex_home, resume_mode=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)
        assert app.screen.thread_id == CACHE
        assert app.is_running


async def test_c_resumes_when_browsing(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "c")
        await pilot.pause()
    assert app.return_value == ResumeRequest(FORKED, BETA)


async def test_the_key_bar_names_what_enter_does(codex_home):
    for resume_mode, says, not_says in ((False, "Open", "c Resume"), (True, "Resume", "Open")):
        app = picker_app(codex_home, resume_mode=resume_mode)
        async with app.run_test(size=(200, 40)) as pilot:
            await settle(pilot)
            bar = rendered(app.screen.query_one("KeyBar"))[0]
            assert f"enter {says}" in bar.replace("⏎", "enter")
            if resume_mode:
                assert "c Resume" not in bar and not_says not in bar
            assert "t Transcript" in bar


async def test_search_index_is_built_before_the_first_key(codex_home, monkeypatch):
    from codex_tui.store.search import SummarySearch

    built: list[int] = []
    index = SummarySearch._index

    def counting(self, summaries):
        if tuple(map(id, summaries)) != self._key:  # a (re)build, not a reuse
            built.append(len(summaries))
        return index(self, summaries)

    monkeypatch.setattr(SummarySearch, "_index", counting)
    from codex_tui.screens.picker import INDEX_DELAY

    app = picker_app(codex_home, all_dirs=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.pause(INDEX_DELAY + 0.1)
        assert built  # indexed while idle, a moment after the list was drawn
        before = len(built)
        await pilot.press("slash", "b", "e")
        await settle(pilot)
        assert len(built) == before  # the keys reused it
        assert app.screen.query_one(SessionList).rows


# ---- keystroke cost --------------------------------------------------------------------------


@pytest.fixture
def many_sessions(codex_home: Path) -> Path:
    """The fixture home plus 120 sessions in one directory: a list taller than the screen."""
    for n in range(120):
        write_session(codex_home, f"0c0ffee0-0000-7000-8000-{n:012d}",
                      f"bulk prompt number {n}" + (" needle" if n % 40 == 0 else ""),
                      "/work/bulk", mtime=FIXED_MTIME - n)
    return codex_home


async def test_typing_does_not_lay_out_the_screen_per_key(many_sessions, monkeypatch):
    """A keystroke repaints the search box and the list; it lays nothing out again (Textual
    would reflow and repaint every widget for the box's and the list's new virtual sizes)."""
    app = picker_app(many_sessions, all_dirs=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        layouts: list[int] = []
        real = type(app.screen)._refresh_layout

        def counting(screen, *args, **kwargs):
            layouts.append(1)
            return real(screen, *args, **kwargs)

        monkeypatch.setattr(type(app.screen), "_refresh_layout", counting)
        for key in "bulk prompt":
            await pilot.press("space" if key == " " else key)
            await pilot.pause()
        await settle(pilot)
        assert session_list(app).rows  # the query matched (the list changed size as it typed)
        assert len(layouts) <= 2, f"{len(layouts)} layouts for 11 keys"


async def test_the_scrollbar_follows_the_row_count(many_sessions):
    """The list sets its virtual size without a layout: its scrollbar and scroll range must
    still follow the rows, going as a query leaves a few and coming back when it is cleared."""
    app = picker_app(many_sessions, all_dirs=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        widget = session_list(app)
        total = len(widget.rows)
        assert total > widget.size.height
        assert widget.show_vertical_scrollbar and not widget.show_horizontal_scrollbar
        assert widget.max_scroll_y == total - widget.size.height
        await type_search(pilot, "needle")
        assert len(widget.rows) == 3
        assert not widget.show_vertical_scrollbar and widget.max_scroll_y == 0
        await pilot.press("escape")
        await settle(pilot)
        assert len(widget.rows) == total
        assert widget.show_vertical_scrollbar
        assert widget.max_scroll_y == total - widget.size.height
        await pilot.press("end")
        await settle(pilot)
        assert widget.scroll_offset.y == widget.max_scroll_y
        assert row_ids(app)[-1] == widget.rows[-1].id


# ---- forks and folded search -----------------------------------------------------------------


async def test_a_fork_is_marked_and_its_preview_names_its_source(codex_home):
    """The 0.169 paginated fork is titled as its source (Codex's preview of a fork), right
    above it: the row's ↳ and the preview's "forked from" and own turns tell them apart."""
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = list_lines(app)
        source_title = "[0.169.0] please run the tests and list files"
        assert f"↳ {source_title}" in lines[BETA_IDS.index(FORKED)]
        assert source_title in lines[BETA_IDS.index(B169)]
        assert [i for i, line in enumerate(lines) if "↳" in line] == [BETA_IDS.index(FORKED)]
        await pilot.press("down")
        await settle(pilot)
        text = preview_text(app)
        assert " ".join(text.split()).startswith(f"↳ {source_title} id {FORKED} "
                                                 f"forked from {source_title} {B169} ")
        assert B169 in text
        assert "its own turns" in text
        assert "› [0.169.0] forked: try another approach" in text
        assert f"› {source_title}" not in text  # the inherited turns are the source's
        await pilot.press("down")
        await settle(pilot)
        text = preview_text(app)
        assert "forked from" not in text and "↳" not in text
        assert f"› {source_title}" in text


async def test_search_ignores_case_and_accents(codex_home):
    sid = "01a1fe38-0000-7000-8000-0000000000ca"
    write_session(codex_home, sid, "Un CAFÉ et l'ünïcödé, s'il vous plaît", BETA,
                  mtime=FIXED_MTIME + 60)
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for i, (query, marked) in enumerate((("cafe", "CAFÉ"), ("Unicode", "ünïcödé"),
                                             ("plait", "plaît"))):
            if i:
                await pilot.press("escape")  # clears the search
            await type_search(pilot, query)
            assert row_ids(app) == [sid], query
            strip = session_list(app).render_line(0)
            matched = "".join(seg.text for seg in strip if seg.style and seg.style.underline)
            assert matched == marked, query
