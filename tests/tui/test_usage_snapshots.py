"""SVG snapshots of the Usage screen (kept in snapshots/), on the usage-home fixture (days in
UTC: conftest sets TZ)."""

from __future__ import annotations

from support.apps import settle
from test_usage_screen import USAGE_HOME, usage_app


def keys(*pressed: str):
    """A run_before: the picker, `u`, then `pressed`, each settled."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in ("u", *pressed):
            await pilot.press(key)
            await settle(pilot)

    return run_before


def test_usage_over_time_80x24(snap_compare):
    """80x24: a bar per day (11-10, without usage, in its place), the latest highlighted;
    the totals, the session without usage and the unpriced model in the header."""
    assert snap_compare(usage_app(USAGE_HOME), terminal_size=(80, 24), run_before=keys())


def test_usage_over_time_wide(snap_compare):
    """160x45: the bars take the width."""
    assert snap_compare(usage_app(USAGE_HOME), terminal_size=(160, 45), run_before=keys())


def test_usage_projects_80x24(snap_compare):
    """Projects, the most tokens first, with cost ('+': part of it has no price)."""
    assert snap_compare(usage_app(USAGE_HOME), terminal_size=(80, 24),
                        run_before=keys("tab"))


def test_usage_models_wide(snap_compare):
    """Models: tokens split into input, cached, output and reasoning; 'no price' for the
    model the price table does not know."""
    assert snap_compare(usage_app(USAGE_HOME), terminal_size=(160, 45),
                        run_before=keys("tab", "tab"))


def test_usage_sessions_of_a_project_in_a_month_80x24(snap_compare):
    """g g (months), Enter on 2026-11, s on its biggest project: alpha's sessions that month,
    the most tokens first; the header names the steps."""
    assert snap_compare(usage_app(USAGE_HOME), terminal_size=(80, 24),
                        run_before=keys("g", "g", "enter", "s"))
