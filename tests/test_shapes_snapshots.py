"""SVG snapshots (kept in snapshots/) and screen text of the transcript for the record shapes
of tests/fixtures/shapes: web searches, plans, apply_patch through the shell, wall times."""

from __future__ import annotations

from conftest import settle
from test_transcript import SIZE, text, transcript_app

EXEC = "01990100-0000-7000-8000-000000000005"


async def test_wall_times_are_tool_durations(shapes_home):
    app = transcript_app(shapes_home, EXEC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = [r.strip() for r in text(app).splitlines()]
    assert any(r.startswith("$ cargo test -p parser") and r.endswith("10.0s") for r in rows)
    assert any(r.endswith("✗ exit 101 · 12.5s") for r in rows)
    assert any(r.startswith("$ git status --short") and r.endswith("✓ exit 0 · 213ms")
               for r in rows)
