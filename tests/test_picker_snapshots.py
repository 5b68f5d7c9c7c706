"""SVG snapshots of the session picker (kept in snapshots/)."""

from __future__ import annotations

from conftest import picker_app, settle


def test_picker_default_view(snap_compare, codex_home):
    """Sessions of this directory (/home/dev/src/beta), newest first, preview on the right."""
    assert snap_compare(picker_app(codex_home), terminal_size=(150, 40), run_before=settle)
