"""Textual apps under test: the app on a fixed clock, waiting for its workers, and the
`run_before` that the SVG snapshot tests press keys with."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from support.homes import FIXED_MTIME, ROOT

SNAPSHOTS = ROOT / "snapshots"
# "Now" for every screen under test: five minutes after the fixtures' fixed mtime.
FIXED_NOW = FIXED_MTIME + 300


def fixed_now() -> datetime:
    return datetime.fromtimestamp(FIXED_NOW, UTC)


def picker_app(home: Path, cwd: str | None = "/home/dev/src/beta", resume_mode: bool = False,
               **filters):
    """The app as `codex-tui` (or, with `resume_mode`, `codex-tui resume`) opens it, on
    `home`, with a fixed clock."""
    from codex_tui.app import CodexTuiApp
    from codex_tui.store import LocalThreadStore
    from codex_tui.store.query import ListFilters

    return CodexTuiApp(LocalThreadStore(str(home)), cwd=cwd, filters=ListFilters(**filters),
                       now=fixed_now, resume_mode=resume_mode)


def finite_workers(app) -> list:
    """The app's workers but those that run as long as their screen (following a live
    session, watching for new ones: groups named "live-...")."""
    return [w for w in app.workers if not (w.group or "").startswith("live-")]


async def settle(pilot) -> None:
    """Wait until listing and preview workers are done, their messages handled, and the
    screen has repainted."""
    await pilot.pause()
    for _ in range(200):
        if workers := finite_workers(pilot.app):  # (an empty list would mean all of them)
            await pilot.app.workers.wait_for_complete(workers)
        await pilot.pause()
        running = any(w.is_running for w in finite_workers(pilot.app))
        if not running and not getattr(pilot.app.screen, "busy", False):
            break
    await pilot.pause()


def keys(*pressed: str):
    """A snap_compare `run_before` that presses `pressed`, then waits for workers and the
    repaint (the `press=` argument of snap_compare would press after run_before, with no
    wait)."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press(*pressed)
        await settle(pilot)

    return run_before
