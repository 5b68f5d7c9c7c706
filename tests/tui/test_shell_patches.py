"""apply_patch run through the shell tool, and patches known only from patch_apply_end events,
shown as patches with their diff (tests/fixtures/shapes/...0003 and ...0004 and hand-built
records), in the JSON, the Markdown and the HTML."""

from __future__ import annotations

import json

import pytest
from support.cli import run, run_json
from support.html import page_of
from support.records import ev, records, ri, user

from codex_tui.store.model import Patch, ToolCall
from codex_tui.store.patches import patch_of_command
from codex_tui.store.transcript import build_turns

SHELL = "01990100-0000-7000-8000-000000000003"
CODE_MODE = "01990100-0000-7000-8000-000000000004"
PATCH = "*** Begin Patch\n*** Update File: a.py\n@@\n-x\n+y\n*** End Patch"


@pytest.mark.parametrize("command", [
    ["apply_patch", PATCH],
    ["applypatch", PATCH],
    ["bash", "-lc", f"apply_patch <<'EOF'\n{PATCH}\nEOF\n"],
    ["/bin/zsh", "-c", f"apply_patch <<EOF\n{PATCH}\nEOF"],
    ["bash", "-lc", f'cd /home/dev/proj && apply_patch <<"PATCH"\n{PATCH}\nPATCH\n'],
    ["pwsh", "-NoProfile", "-Command", f"apply_patch <<'EOF'\n{PATCH}\nEOF"],
    f"apply_patch <<'EOF'\n{PATCH}\nEOF",
])
def test_the_forms_codex_intercepts_are_patches(command):
    assert (patch_of_command(command) or "").rstrip("\n") == PATCH


@pytest.mark.parametrize("command", [
    ["bash", "-lc", f"apply_patch <<'EOF' && cargo fmt\n{PATCH}\nEOF"],
    ["bash", "-lc", f"echo hi; apply_patch <<'EOF'\n{PATCH}\nEOF"],
    ["bash", "-lc", f"apply_patch <<'EOF'\n{PATCH}\nEOF\necho done"],
    ["bash", "-lc", "cat <<'EOF'\nx\nEOF"],
    ["python", "-c", f"apply_patch <<'EOF'\n{PATCH}\nEOF"],
    ["apply_patch"], ["ls", PATCH], [], "ls -la", None, 5, ["apply_patch", 3],
])
def test_other_commands_are_not(command):
    assert patch_of_command(command) is None


def test_a_shell_apply_patch_is_one_patch_with_its_output_and_end_event():
    turns = build_turns(records(
        user("fix"),
        ri({"type": "function_call", "name": "shell", "call_id": "s1",
            "arguments": json.dumps({"command": ["bash", "-lc",
                                                 f"apply_patch <<'EOF'\n{PATCH}\nEOF"]})}),
        ev({"type": "patch_apply_end", "call_id": "s1", "success": True, "stdout": "ok\n",
            "changes": {"/p/a.py": {"update": {"unified_diff": "@@\n-x\n+y\n"}}}}),
        ri({"type": "function_call_output", "call_id": "s1", "output": json.dumps(
            {"output": "ok\n", "metadata": {"exit_code": 0, "duration_seconds": 0.0}})}),
        ri({"type": "function_call", "name": "exec_command", "call_id": "s2",
            "arguments": json.dumps({"cmd": f"apply_patch <<'EOF'\n{PATCH}\nEOF"})}),
        ri({"type": "function_call_output", "call_id": "s2",
            "output": "Success. Updated the following files:\nM a.py\n"}),
    )).turns
    first, second = turns[0].items[1:]
    assert isinstance(first, Patch) and isinstance(second, Patch)
    assert (first.patch or "").rstrip("\n") == PATCH and first.success is True
    assert [(f.path, f.change) for f in first.files] == [("a.py", "update")]
    assert second.success is True  # from "Success. Updated the following files"
    assert not any(isinstance(i, ToolCall) for i in turns[0].items)


def test_added_and_deleted_files_of_events_are_diff_lines():
    [patch] = build_turns(records(user("x"), ev({
        "type": "patch_apply_end", "call_id": "exec-1", "success": True,
        "changes": {"new.md": {"add": {"content": "# T\n\nbody\n"}},
                    "old.md": {"delete": {"content": "gone\n"}},
                    "b.py": {"update": {"unified_diff": "@@\n-a\n+b\n",
                                        "move_path": "c.py"}}}}))).turns[0].items[1:]
    assert [(f.path, f.change, f.diff) for f in patch.files] == [
        ("new.md", "add", "+# T\n+\n+body\n"), ("old.md", "delete", "-gone\n"),
        ("b.py", "move to c.py", "@@\n-a\n+b\n")]


def test_a_file_change_item_map_and_list_are_patches():
    """Core's FileChange item keeps the event's map; the app-server writes a list."""
    turns = build_turns(records(user("x"), ev({"type": "item_completed", "item": {
        "type": "FileChange", "id": "f1", "status": "completed",
        "changes": {"n.txt": {"type": "add", "content": "a\n\nb"}}}}), ev({
            "type": "item_completed", "item": {
                "type": "FileChange", "id": "f2", "status": "failed",
                "changes": [{"path": "m.txt", "kind": {"type": "add"}, "diff": "z\n"}]}}))).turns
    first, second = turns[0].items[1:]
    assert [(f.path, f.change, f.diff) for f in first.files] == [("n.txt", "add", "+a\n+\n+b\n")]
    assert [(f.path, f.diff) for f in second.files] == [("m.txt", "+z\n")]
    assert (first.success, second.success) == (True, False)


def test_show_json_of_shell_patches(shapes_home, capsys):
    shown = run_json(capsys, "--codex-home", str(shapes_home), "show", SHELL, "--json")
    items = [i for i in shown["turns"][0]["items"] if i["kind"] in ("patch", "tool_call")]
    assert [(i["kind"], i["call_id"], i.get("success")) for i in items] == [
        ("patch", "call_p1", True), ("patch", "call_p2", True), ("patch", "call_p3", False),
        ("tool_call", "call_p4", None)]
    assert [f["path"] for i in items[:3] for f in i["files"]] == \
        ["notes/TODO.md", "src/parser.rs", "src/lexer.rs"]
    assert items[0]["patch"].startswith("*** Begin Patch\n*** Add File: notes/TODO.md\n+# TODO")
    assert items[1]["patch"].endswith("*** End Patch\n")  # the heredoc's body
    assert "apply_patch verification failed" in items[2]["output"]
    assert items[3]["exit_code"] == 127  # `apply_patch <<EOF && cargo fmt` ran as a command


def test_show_json_of_a_patch_known_from_its_events(shapes_home, capsys):
    shown = run_json(capsys, "--codex-home", str(shapes_home), "show", CODE_MODE, "--json")
    [patch] = [i for i in shown["turns"][0]["items"] if i["kind"] == "patch"]
    assert patch["success"] is True
    assert [(f["path"].rsplit("/", 1)[-1], f["change"], f["diff"]) for f in patch["files"]] == [
        ("index.md", "add", "+# Docs\n+\n+Welcome.\n+\n+## Build\n+\n+    make docs\n"),
        ("old.md", "delete", "-old docs\n"),
        ("README.md", "update", "@@ -1,2 +1,2 @@\n # proj\n-See docs/old.md\n+See docs/index.md\n"),
        ("NOTES", "move to /home/dev/proj/docs/NOTES.md", ""),
    ]


def test_markdown_of_shell_and_event_patches(shapes_home, capsys):
    _, out, _ = run(capsys, "--codex-home", str(shapes_home), "show", SHELL, "--markdown")
    assert out.count("**Patch**") == 3 and "**Patch** · failed" in out
    assert "```diff\n*** Begin Patch\n*** Add File: notes/TODO.md\n+# TODO\n+\n+- tokenizer\n" \
        in out
    assert '"apply_patch"' not in out and "**Tool** `shell` · exit 127" in out
    _, out, _ = run(capsys, "--codex-home", str(shapes_home), "show", CODE_MODE, "--markdown")
    assert ("`/home/dev/proj/docs/index.md`\n\n```diff\n+# Docs\n+\n+Welcome.\n+\n+## Build\n+\n"
            "+    make docs\n```") in out
    assert "- move `/home/dev/proj/NOTES` → `/home/dev/proj/docs/NOTES.md`" in out


def test_html_of_shell_and_event_patches(shapes_home):
    page = page_of(shapes_home, SHELL)
    assert page.count('class="fold patch"') == 3
    assert page.count('class="fold tool"') == 1
    page = page_of(shapes_home, CODE_MODE)
    added = page[page.index("docs/index.md</code></div>"):]
    added = added[:added.index("</pre>")]
    assert added.count("+") >= 7 and "+</span>\n" in added  # the blank lines kept as "+"


def test_code_mode_is_javascript_not_a_shell_command(shapes_home, capsys):
    """Code mode's `exec` tool runs JavaScript: shown as the tool it is, never as `$ …`."""
    from codex_tui.store.kinds import command_language

    assert command_language("exec") == "js" and command_language("exec_command") == "sh"
    assert command_language("docs/lookup") is None
    _, out, _ = run(capsys, "--codex-home", str(shapes_home), "show", CODE_MODE, "--markdown")
    assert "**Tool** `exec`" in out and "```js\nconst r = await tools.apply_patch" in out
    assert "```sh\nconst" not in out
    page = page_of(shapes_home, CODE_MODE)
    tool = page[page.index('class="fold tool"'):]
    tool = tool[:tool.index("</details>")]
    assert 'class="block hl"' in tool  # highlighted (as JavaScript)


async def test_code_mode_in_the_transcript(shapes_home):
    from support.apps import settle
    from test_transcript import text, transcript_app

    app = transcript_app(shapes_home, thread_id=CODE_MODE)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        shown = text(app)
        assert "⚙ exec const r = await tools.apply_patch" in shown
        assert "$ const r" not in shown
