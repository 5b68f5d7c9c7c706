"""Copy the SVG snapshots that show each screen into assets/screens/, for the README.

The snapshot tests write snapshots/ (`pytest --snapshot-update`); this script picks one per
screen or dialog and copies it, so the pictures in the README are the screens as the tests
last saw them. tests/tui/test_readme_screens.py fails when a copy is stale or missing:
run `python scripts/readme_screens.py` after updating snapshots.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "snapshots"
ASSETS = ROOT / "assets" / "screens"

# assets/screens/<name>.svg <- snapshots/<test module>/<test>.svg
SCREENS = {
    "picker": "test_picker_snapshots/test_picker_default_view",
    "picker-search": "test_picker_snapshots/test_picker_search_highlights",
    "picker-homes": "test_picker_homes/test_merged_picker_snapshot",
    "transcript": "test_transcript_snapshots/test_transcript_tool_calls_and_code",
    "transcript-live": "test_transcript_live/test_snapshot_live_badge_and_running_turn",
    "history-prompts": "test_history_snapshots/test_history_prompts_highlights",
    "history-transcripts": "test_history_snapshots/test_history_transcripts_highlights",
    "fork-dialog": "test_fork_dialog_snapshots/test_fork_dialog_from_the_transcript",
    "fork-done": "test_fork_dialog_snapshots/test_fork_done",
    "rename-dialog": "test_manage_tui/test_snapshot_rename_dialog_with_a_collision",
    "export-dialog": "test_manage_tui/test_snapshot_export_dialog",
    "delete-confirmation": "test_manage_tui/test_snapshot_delete_confirmation",
    "storage": "test_storage_screen/test_storage_by_project",
    "picker-marked": "test_picker_marks/test_marked_rows",
    "bulk-confirmation": "test_picker_marks/test_bulk_confirmation_with_a_fork_source",
    "usage": "test_usage_snapshots/test_usage_over_time_wide",
    "usage-sessions": "test_usage_snapshots/test_usage_sessions_of_a_project_in_a_month_80x24",
}


def source(name: str) -> Path:
    return SNAPSHOTS / f"{SCREENS[name]}.svg"


def target(name: str) -> Path:
    return ASSETS / f"{name}.svg"


def main() -> int:
    ASSETS.mkdir(parents=True, exist_ok=True)
    missing = [SCREENS[n] for n in SCREENS if not source(n).is_file()]
    if missing:
        print(f"no snapshot for: {', '.join(missing)} (run the snapshot tests)", file=sys.stderr)
        return 1
    for name in SCREENS:
        shutil.copyfile(source(name), target(name))
    stale = sorted(set(ASSETS.glob("*.svg")) - {target(n) for n in SCREENS})
    for path in stale:
        path.unlink()
    print(f"{len(SCREENS)} screens copied to {ASSETS.relative_to(ROOT)}"
          + (f", {len(stale)} old ones removed" if stale else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
