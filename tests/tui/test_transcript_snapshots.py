"""SVG snapshots of the transcript viewer (kept in snapshots/)."""

from __future__ import annotations

from support.apps import keys, settle
from support.transcripts import thread_of, turn
from test_transcript import BARE_TESTS, FAIL_169, FORK_169, TESTS_169, memory_app, transcript_app

from codex_tui.store import Problem
from codex_tui.store.model import (
    Aborted,
    AgentMessage,
    Compaction,
    Note,
    Patch,
    PatchFile,
    Reasoning,
    ToolCall,
    Unknown,
    UserMessage,
)


def test_transcript_tool_calls_and_code(snap_compare, codex_home):
    """0.169 `exec`, four turns: turn headers with time, duration and tokens; the prompt;
    folded reasoning; `$ command` with its exit code and five rows of output; Markdown
    with a Pygments-highlighted code block."""
    assert snap_compare(transcript_app(codex_home, TESTS_169), terminal_size=(120, 40),
                        run_before=settle)


def test_transcript_failed_turn(snap_compare, codex_home):
    """A turn the provider refused: `✗ failed` in its header and the error in red."""
    assert snap_compare(transcript_app(codex_home, FAIL_169), terminal_size=(120, 24),
                        run_before=settle)


def test_transcript_legacy_020_session(snap_compare, codex_home):
    """A Codex 0.20 session (bare lines, no directory, no turn events): still one turn with
    its tool call, exit code and duration."""
    assert snap_compare(transcript_app(codex_home, BARE_TESTS), terminal_size=(120, 30),
                        run_before=settle)


def test_transcript_fork_inherited_prefix(snap_compare, codex_home):
    """`G` in a paginated fork: the parent's last turn dimmed and marked inherited, the
    "forked here" divider, then the fork's own turn."""
    assert snap_compare(transcript_app(codex_home, FORK_169), terminal_size=(120, 40),
                        run_before=keys("G"))


def test_transcript_fork_banner(snap_compare, codex_home):
    """The top of the same fork: the banner naming the parent, inherited turns dimmed."""
    assert snap_compare(transcript_app(codex_home, FORK_169), terminal_size=(120, 24),
                        run_before=settle)


def test_transcript_reasoning_expanded(snap_compare, codex_home):
    """`r`: reasoning summaries expanded (as Markdown) in every turn."""
    assert snap_compare(transcript_app(codex_home, TESTS_169), terminal_size=(120, 40),
                        run_before=keys("r"))


def test_transcript_find_matches_highlighted(snap_compare, codex_home):
    """`/tool` Enter: every match highlighted, the current one stronger, the find bar kept
    open and the status line counting."""
    assert snap_compare(transcript_app(codex_home, TESTS_169), terminal_size=(120, 40),
                        run_before=keys("slash", *"tool", "enter"))


def test_transcript_narrow_terminal(snap_compare, codex_home):
    """80x24: the header line gives way (no model), the key bar shows keys only."""
    assert snap_compare(transcript_app(codex_home, TESTS_169), terminal_size=(80, 24),
                        run_before=settle)


def test_transcript_every_item_kind(snap_compare):
    """Problems stated at the top; a failed command; another tool; a coloured patch; a plan
    note; an unknown record folded; compaction; an aborted turn; text with markup-like
    brackets shown literally."""
    diff = "@@ -1,3 +1,3 @@\n def main():\n-    print('old')\n+    print('new')"
    thread = thread_of(
        turn(1, UserMessage("rename [bold]print[/bold] calls, see [this](x)"),
             Reasoning("**Looking** at main.py"),
             ToolCall("c1", "shell", "pytest -q", output="F\nFAILED test_main.py::test_x\n",
                      exit_code=1, duration_ms=2300),
             ToolCall("c2", "web_search", "rich markup escape", status="completed"),
             Patch("p1", files=[PatchFile("src/main.py", "update", diff)], success=True),
             Note("plan", "1. fix the call  2. run the tests"),
             Unknown("event_msg/brand_new_event", {"type": "brand_new_event"}, line=42),
             AgentMessage("Renamed. The `[bold]` text is **not** markup.")),
        turn(2, UserMessage("and compact"), Compaction("Summary: renamed the calls."),
             Aborted("interrupted"), status="aborted"),
        problems=[Problem("line is not JSON", "/home/dev/.codex/sessions/x.jsonl", 17)],
        title="rename [bold]print[/bold] calls")
    assert snap_compare(memory_app(thread), terminal_size=(120, 50), run_before=settle)
