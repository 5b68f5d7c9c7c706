"""Tool durations from the `Wall time:` line of unified exec output when no duration is
recorded (Codex 0.98-0.121 write no exec_command_end), and exit codes from "Process exited
with code N" (tests/fixtures/shapes/...0005), in the JSON, the Markdown and the HTML."""

from __future__ import annotations

import json

import pytest
from support.cli import run, run_json
from support.html import page_of
from support.records import ev, records, ri, user

from codex_tui.store import fields as f
from codex_tui.store.model import ToolCall
from codex_tui.store.transcript import build_turns

EXEC = "01990100-0000-7000-8000-000000000005"


@pytest.mark.parametrize(("text", "expected"), [
    ("Chunk ID: ab\nWall time: 0.2138 seconds\nProcess exited with code 0\n"
     "Original token count: 3\nOutput:\nhi\n", ("hi\n", 0, 213)),
    ("Chunk ID: ab\nWall time: 10 seconds\nProcess running with session ID 42\nOutput:\n",
     ("", None, 10_000)),
    ("Exit code: 2\nWall time: 1.5 seconds\nOutput:\nboom", ("boom", 2, 1500)),
    ("Wall time: soon\nOutput:\nx", ("x", None, None)),
    ("plain output\nWall time: 3 seconds\n", ("plain output\nWall time: 3 seconds\n", None, None)),
])
def test_split_exec_output(text, expected):
    assert f.split_exec_output(text) == expected


def test_a_recorded_duration_wins_over_the_wall_time():
    [call] = build_turns(records(
        user("x"),
        ri({"type": "function_call", "name": "exec_command", "call_id": "e",
            "arguments": json.dumps({"cmd": "ls"})}),
        ev({"type": "exec_command_end", "call_id": "e", "exit_code": 0,
            "aggregated_output": "a\n", "duration": {"secs": 2, "nanos": 0}}),
        ri({"type": "function_call_output", "call_id": "e",
            "output": "Chunk ID: 1\nWall time: 0.5 seconds\nProcess exited with code 0\n"
                      "Output:\na\n"}),
    )).turns[0].items[1:]
    assert isinstance(call, ToolCall) and call.duration_ms == 2000


def test_show_json_has_durations_and_exit_codes(shapes_home, capsys):
    shown = run_json(capsys, "--codex-home", str(shapes_home), "show", EXEC, "--json")
    calls = [i for i in shown["turns"][0]["items"] if i["kind"] == "tool_call"]
    assert [(c["name"], c["exit_code"], c["duration_ms"]) for c in calls] == [
        ("exec_command", None, 10002), ("write_stdin", 101, 12500),
        ("exec_command", 0, 213), ("shell_command", 0, 41)]
    assert calls[2]["output"] == " M src/lexer.rs\n"


def test_markdown_and_html_show_the_durations(shapes_home, capsys):
    _, out, _ = run(capsys, "--codex-home", str(shapes_home), "show", EXEC, "--markdown")
    assert "**Tool** `exec_command` · 10.0s" in out
    assert "**Tool** `write_stdin` · exit 101 · 12.5s" in out
    assert "**Tool** `exec_command` · exit 0 · 213ms" in out
    page = page_of(shapes_home, EXEC)
    assert '<span class="bad">exit 101</span> <span class="muted">12.5s</span>' in page
    assert '<span class="ok">exit 0</span> <span class="muted">213ms</span>' in page
