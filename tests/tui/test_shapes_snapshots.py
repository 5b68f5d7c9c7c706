"""SVG snapshots (kept in snapshots/) and screen text of the transcript for the record shapes
of tests/fixtures/shapes: web searches, plans, apply_patch through the shell, wall times."""

from __future__ import annotations

from support.apps import settle
from test_transcript import SIZE, text, transcript_app

SEARCHES = "01990100-0000-7000-8000-000000000001"
PLANS = "01990100-0000-7000-8000-000000000002"
SHELL = "01990100-0000-7000-8000-000000000003"
CODE_MODE = "01990100-0000-7000-8000-000000000004"
EXEC = "01990100-0000-7000-8000-000000000005"


def test_web_searches(snap_compare, shapes_home):
    """One row a search, with its query (several queries side by side), the page it opened
    or the pattern and page of a find; no blank web_search rows."""
    assert snap_compare(transcript_app(shapes_home, SEARCHES), terminal_size=(120, 40),
                        run_before=settle)


def test_plans(snap_compare, shapes_home):
    """A proposed plan rendered as Markdown behind a gutter (no raw tags, not twice); the
    update_plan checklist with its explanation and a mark for each step's status."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("G")
        await settle(pilot)

    assert snap_compare(transcript_app(shapes_home, PLANS), terminal_size=(120, 50),
                        run_before=run_before)


def test_shell_patches(snap_compare, shapes_home):
    """apply_patch run through the shell shown as patches (applied, failed); the heredoc
    Codex did not intercept stays a command."""
    assert snap_compare(transcript_app(shapes_home, SHELL), terminal_size=(120, 50),
                        run_before=settle)


async def test_event_only_patch_shows_added_lines(shapes_home):
    app = transcript_app(shapes_home, CODE_MODE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = [r.strip() for r in text(app).splitlines()]
    start = rows.index("│ A /home/dev/proj/docs/index.md")
    assert rows[start + 1:start + 8] == ["│ +# Docs", "│ +", "│ +Welcome.", "│ +", "│ +## Build",
                                         "│ +", "│ +    make docs"]
    assert "│ -old docs" in rows
    assert "│ R /home/dev/proj/NOTES → /home/dev/proj/docs/NOTES.md" in rows


async def test_wall_times_are_tool_durations(shapes_home):
    app = transcript_app(shapes_home, EXEC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = [r.strip() for r in text(app).splitlines()]
    assert any(r.startswith("$ cargo test -p parser") and r.endswith("10.0s") for r in rows)
    assert any(r.endswith("✗ exit 101 · 12.5s") for r in rows)
    assert any(r.startswith("$ git status --short") and r.endswith("✓ exit 0 · 213ms")
               for r in rows)
