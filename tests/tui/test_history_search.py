"""The history search screen, driven with Textual's Pilot: prompts and transcript modes,
opening a session at the matching turn, resuming, the directory filter, missing sessions."""

from __future__ import annotations

from pathlib import Path

import orjson
from support.apps import FIXED_NOW, fixed_now, picker_app, settle
from support.history import row_texts, rows, type_query

from codex_tui.app import CodexTuiApp
from codex_tui.resume import ResumeRequest
from codex_tui.screens.history_search import PROMPTS, TRANSCRIPTS, HistorySearchScreen
from codex_tui.screens.picker import PickerScreen
from codex_tui.screens.transcript import TranscriptScreen
from codex_tui.store import InMemoryThreadStore, LocalThreadStore, ThreadQuery
from codex_tui.store.history import parse_history
from codex_tui.store.text_index import TextHit
from codex_tui.widgets.history_list import HistoryList

SIZE = (150, 40)
BETA = "/home/dev/src/beta"
SID_A = "01a1fe37-05e8-79e2-b09f-d8e316352b56"  # alpha: three prompts, three turns
SID_B = "01a1fe37-7d3b-7fa0-9ed3-e1fdb5097751"  # beta: "[red]cache[/red]"
MISSING = "01a1fe99-0000-7000-8000-000000000000"


def add_history(home: Path, *lines: bytes) -> None:
    with open(home / "history.jsonl", "ab") as stream:
        for line in lines:
            stream.write(line + b"\n")


def missing_prompt(home: Path) -> None:
    """The newest prompt belongs to a session whose rollout is gone; then a bad line."""
    add_history(home, orjson.dumps({"session_id": MISSING, "ts": FIXED_NOW - 60,
                                    "text": "prompt of a deleted session, [bold]literal[/bold]"}),
                b"this line is not JSON")


def history_app(home: Path, cwd: str | None = BETA, store=None) -> CodexTuiApp:
    """The app as `codex-tui history` opens it, with a fixed clock."""
    store = store if store is not None else LocalThreadStore(str(home))
    return CodexTuiApp(store, cwd=cwd, now=fixed_now, history=True)


def screen(app) -> HistorySearchScreen:
    assert isinstance(app.screen, HistorySearchScreen)
    return app.screen


async def test_opens_directly_newest_first(codex_home):
    app = history_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        s = screen(app)
        assert s.mode == PROMPTS
        assert row_texts(app)[0] == "beta interactive: why is the [red]cache[/red] cold?"
        assert len(rows(app)) == 4
        await pilot.press("escape")  # nothing typed: leaves (it is the first screen)
        await pilot.pause()
    assert app.return_value is None


async def test_picker_key_opens_it_and_escape_comes_back(codex_home):
    app = picker_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert any(title.startswith("Search prompt history") for title, _, _ in
                   app.screen.commands())
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistorySearchScreen)
        await type_query(pilot, "alpha")
        await pilot.press("escape")  # clears the search
        await settle(pilot)
        assert screen(app).query_one("#hs-search").value == ""
        await pilot.press("escape")  # back to the picker
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)


async def test_typing_filters_and_highlights(codex_home):
    app = history_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "alpha")
        assert row_texts(app) == ["please run the build in alpha",
                                  "interactive question about the picker in alpha"]
        lst = app.screen.query_one(HistoryList)
        text = lst._row_text(lst.rows[0], 100)
        match = lst.get_component_rich_style("row-list--match", partial=True)
        styled = {i for span in text.spans if span.style == match
                  for i in range(span.start, span.end)}
        at = text.plain.index("alpha")
        assert styled == set(range(at, at + 5))
        await type_query(pilot, " zzz")
        assert rows(app) == []
        empty = str(lst._empty.plain)
        assert "No prompts match 'alpha zzz'" in empty


async def test_typing_does_not_lay_out_the_screen_per_key(codex_home, monkeypatch):
    """As in the picker: a keystroke repaints the search box and the list, and lays nothing
    out again (the box's and the list's new virtual sizes would ask for a full reflow)."""
    app = history_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        layouts: list[int] = []
        real = type(app.screen)._refresh_layout

        def counting(screen, *args, **kwargs):
            layouts.append(1)
            return real(screen, *args, **kwargs)

        monkeypatch.setattr(type(app.screen), "_refresh_layout", counting)
        for key in "alpha":
            await pilot.press(key)
            await pilot.pause()
        await settle(pilot)
        assert len(rows(app)) == 2  # the list changed size as it typed
        # The preview, shown when the cursor rests, lays out its new text: a few layouts,
        # not one or two a key.
        assert len(layouts) <= 3, f"{len(layouts)} layouts for 5 keys"


async def test_enter_opens_the_transcript_at_the_matching_turn(codex_home):
    app = history_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "walkthrough")
        assert row_texts(app) == ["give me a long walkthrough"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)
        t = app.screen
        assert t.thread_id == SID_A
        assert t.thread.turns[t.view.current_turn].index == 3
        # Scrolled there too: the turn's header is the view's first line.
        assert t.view.scroll_y == t.view._tops()[t.view.cursor] > 0
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HistorySearchScreen)


async def test_transcript_mode_searches_every_transcript(codex_home):
    app = history_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        await settle(pilot)
        s = screen(app)
        assert s.mode == TRANSCRIPTS
        assert "Type to search the text of every transcript" in \
            app.screen.query_one(HistoryList)._empty.plain
        await type_query(pilot, "walkthrough")
        hits = rows(app)
        assert hits and all(isinstance(h, TextHit) for h in hits)
        user = [h for h in hits if h.kind == "user"]
        assert [(h.thread_id, h.turn) for h in user] == [(SID_A, 3)]
        lst = app.screen.query_one(HistoryList)
        lst.cursor = hits.index(user[0])
        await pilot.press("enter")
        await settle(pilot)
        t = app.screen
        assert isinstance(t, TranscriptScreen)
        assert t.thread.turns[t.view.current_turn].index == 3
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("tab")  # back to prompts, the query kept
        await settle(pilot)
        assert row_texts(app) == ["give me a long walkthrough"]


async def test_this_directory_toggle(codex_home):
    app = history_app(codex_home, cwd=BETA)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert [r.session_id for r in rows(app)] == [SID_B]
        await pilot.press("tab")
        await type_query(pilot, "reply")
        cwds = {t.id: t.cwd for archived in (False, True) for t in
                LocalThreadStore(str(codex_home)).list_threads(ThreadQuery(archived=archived))}
        assert rows(app) and {cwds[h.thread_id] for h in rows(app)} == {BETA}
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert SID_A in {h.thread_id for h in rows(app)}


async def test_resume_key_exits_with_the_session(codex_home):
    app = history_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "walkthrough")
        await pilot.press("ctrl+r")
        await pilot.pause()
    assert app.return_value == ResumeRequest(SID_A, "/home/dev/src/alpha")


async def test_missing_session_is_marked_and_not_opened(codex_home):
    missing_prompt(codex_home)
    app = history_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        s = screen(app)
        assert s.history.bad_lines == 1
        assert "1 unreadable line skipped" in s.status().plain
        first = rows(app)[0]
        assert first.session_id == MISSING
        lst = app.screen.query_one(HistoryList)
        assert "session not found" in lst._row_text(first, 140).plain
        assert "[bold]literal[/bold]" in lst._row_text(first, 140).plain
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HistorySearchScreen)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.return_value is None


async def test_no_history_file(codex_home):
    (codex_home / "history.jsonl").unlink()
    app = history_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert rows(app) == []
        assert "No history.jsonl in this Codex home" in \
            app.screen.query_one(HistoryList)._empty.plain


async def test_in_memory_store():
    from support.transcripts import thread_of, turn

    from codex_tui.store.model import AgentMessage, UserMessage

    thread = thread_of(turn(1, UserMessage("first question")),
                       turn(2, UserMessage("second [b]question[/b]"), AgentMessage("answer")))
    sid = thread.summary.id
    history = parse_history(b"".join(
        orjson.dumps({"session_id": sid, "ts": int(t.started_at.timestamp()),
                      "text": t.user_message}) + b"\n" for t in thread.turns))
    store = InMemoryThreadStore([thread], history=history)
    app = history_app(Path("."), store=store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert row_texts(app) == ["second [b]question[/b]", "first question"]
        await pilot.press("enter")
        await settle(pilot)
        t = app.screen
        assert isinstance(t, TranscriptScreen)
        assert t.thread.turns[t.view.current_turn].index == 2


async def test_prompt_search_ignores_case_and_accents(codex_home):
    """`cafe plait` finds "Un CAFÉ crème, s'il vous plaît", highlighted as written."""
    add_history(codex_home, orjson.dumps({"session_id": SID_B, "ts": FIXED_NOW - 30,
                                          "text": "Un CAFÉ crème, s'il vous plaît"}))
    app = history_app(codex_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "cafe plait")
        assert row_texts(app) == ["Un CAFÉ crème, s'il vous plaît"]
        strip = app.screen.query_one(HistoryList).render_line(0)
        matched = "".join(seg.text for seg in strip if seg.style and seg.style.underline)
        assert matched == "CAFÉplaît"


async def test_prompt_rows_drawn_as_segments_match_the_text_they_replace(codex_home):
    """Prompt rows are built straight as segments (the keystroke's fast path); cell for cell
    and style for style they are what `_row_text` gives, at every width, highlights, a match
    far right and a missing session included."""
    from rich.segment import Segment

    missing_prompt(codex_home)
    app = history_app(codex_home, cwd=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        def cells(segments: list[Segment]) -> list[tuple[str, object]]:
            return [(ch, seg.style or None) for seg in segments for ch in seg.text]

        lst = app.screen.query_one(HistoryList)
        for query in ("", "alpha", "picker", "lit", "build alpha"):
            if query:
                await type_query(pilot, query)
            assert lst.rows
            for row in lst.rows:
                for width in (40, 61, 100, 140):
                    assert cells(lst._row_segments(row, width)) == \
                        cells(lst._segments_of(lst._row_text(row, width))), (query, width)
            app.screen.query_one("#hs-search").value = ""
            await settle(pilot)


async def test_a_search_shows_a_screenful_then_its_whole_page(codex_home):
    """A query that matches thousands of prompts draws a screenful of them in its own
    frame (the header says it is still searching), then the whole page, whose first rows
    are the same and are not drawn again."""
    from codex_tui.store.history import RESULT_LIMIT

    add_history(codex_home, *(orjson.dumps({"session_id": SID_B, "ts": FIXED_NOW - 1000 - i,
                                            "text": f"fix the parser, take {i}"})
                              for i in range(2_000)))
    app = history_app(codex_home, cwd=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        s = screen(app)
        s._query = "fix parser"
        s.refilter()
        first = [e.text for e in s.list.rows]
        assert 0 < len(first) < 100
        assert "searching…" in s.status().plain
        await pilot.pause()  # (the screenful's frame)
        drawn: list[str] = []
        draw = s.list._row_segments

        def counted(row, width):
            drawn.append(row.text)
            return draw(row, width)

        s.list._row_segments = counted  # type: ignore[method-assign]
        await settle(pilot)
        whole = [e.text for e in s.list.rows]
        assert len(whole) == RESULT_LIMIT and whole[:len(first)] == first
        assert drawn == []
        assert "searching…" not in s.status().plain
        assert f"{RESULT_LIMIT:,}+ matches" in s.status().plain
