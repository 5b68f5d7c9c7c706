"""The `codex-tui` command line: `list` filters, sorting, search and JSON shapes; `show`
reference resolution, JSON shape and Markdown."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import run, run_json
from support.homes import FIXTURE_HOME

from codex_tui.cli import main

TS = "2026-11-21T10:00:00.000Z"
DAY = "sessions/2026/11/21"
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")

A = "01a1fe40-0000-7000-8000-00000000000a"
B = "01a1fe40-0000-7000-8000-00000000000b"
C = "01a1fe40-0000-7000-8000-c0ffee123456"
D = "01a1fe40-0000-7000-8000-00000000000d"
X = "01a1fe40-0000-7000-8000-0000000000aa"  # archived

LIST_KEYS = {"id", "title", "name", "cwd", "created_at", "updated_at", "source", "cli_version",
             "model", "archived", "forked_from_id", "path", "tokens"}


# ---- builders -------------------------------------------------------------------------------


def line(kind: str, payload: object, ts: str = TS) -> str:
    return json.dumps({"timestamp": ts, "type": kind, "payload": payload}) + "\n"


def rollout(thread_id: str, prompts: list[str], cwd: str, ts: str = TS,
            branch: str | None = None, tokens: int = 0, model: str = "gpt-5.1-codex",
            **extra: object) -> str:
    meta: dict[str, object] = {
        "id": thread_id, "timestamp": ts, "cwd": cwd, "originator": "codex-tui",
        "cli_version": "0.169.0", "source": "vscode", "model_provider": "openai",
    }
    if branch:
        meta["git"] = {"branch": branch, "commit_hash": "0" * 40}
    meta.update(extra)
    out = line("session_meta", meta)
    total = 0
    for n, prompt in enumerate(prompts, 1):
        out += line("event_msg", {"type": "task_started", "turn_id": f"t{n}"})
        out += line("turn_context", {"cwd": cwd, "model": model})
        out += line("response_item", {"type": "message", "role": "user",
                                      "content": [{"type": "input_text", "text": prompt}]})
        out += line("event_msg", {"type": "user_message", "message": prompt, "images": []})
        out += line("response_item", {
            "type": "function_call", "name": "shell", "call_id": f"call_{n}",
            "arguments": json.dumps({"command": ["bash", "-lc", f"echo {n}"]})})
        out += line("response_item", {
            "type": "function_call_output", "call_id": f"call_{n}",
            "output": json.dumps({"output": f"{n}\n", "metadata": {"exit_code": n - 1,
                                                                   "duration_seconds": 0.5}})})
        out += line("event_msg", {"type": "agent_message", "message": f"reply to {prompt}"})
        total += tokens
        if tokens:
            def usage(n: int) -> dict:
                return {"input_tokens": n, "cached_input_tokens": 0, "output_tokens": 0,
                        "reasoning_output_tokens": 0, "total_tokens": n}

            out += line("event_msg", {"type": "token_count", "info": {
                "total_token_usage": usage(total), "last_token_usage": usage(tokens)}})
        out += line("event_msg", {"type": "task_complete", "turn_id": f"t{n}"})
    return out


def ids(listing: list[dict]) -> list[str]:
    return [s["id"] for s in listing]


def set_mtime(home: Path, thread_id: str, seconds: float, archived: bool = False) -> None:
    folder = home / ("archived_sessions" if archived else DAY)
    [path] = folder.glob(f"rollout-*-{thread_id}*.jsonl")
    os.utime(path, (seconds, seconds))


@pytest.fixture
def work(tmp_path_factory) -> Path:
    """Session folders live here; not under tmp_path, whose name carries the test id (and
    so would match --search queries)."""
    path = tmp_path_factory.mktemp("ws") / "work"
    path.mkdir()
    return path.resolve()


@pytest.fixture
def project(work: Path) -> Path:
    path = work / "project"
    path.mkdir()
    return path


@pytest.fixture
def home(make_home, project: Path, work: Path) -> Path:
    """Four active sessions (three in `project`) and one archived one (in `project`).

    created (meta): A < B < C < D ; updated (mtime): C < A < D < B."""
    other = str(work / "elsewhere-dir")
    h = make_home({
        A: rollout(A, ["Fix the parser bug", "and the lexer"], str(project),
                   ts="2026-11-21T08:00:00.000Z", branch="feature/zebra", tokens=100),
        B: rollout(B, ["Write the README"], str(project), ts="2026-11-21T09:00:00.000Z"),
        C: rollout(C, ["Refactor the cache layer"], str(project),
                   ts="2026-11-21T10:00:00.000Z"),
        D: rollout(D, ["Something in another folder"], other, ts="2026-11-21T11:00:00.000Z"),
    }, index=json.dumps({"id": B, "thread_name": "docs-sprint",
                         "updated_at": "2026-11-21T12:00:00Z"}) + "\n")
    make_home({X: rollout(X, ["An archived conversation"], str(project),
                          ts="2026-11-20T10:00:00.000Z")}, archived=True, home=h)
    base = 1795266400.0
    set_mtime(h, C, base + 10)
    set_mtime(h, A, base + 20)
    set_mtime(h, D, base + 30)
    set_mtime(h, B, base + 40)
    set_mtime(h, X, base + 50, archived=True)
    return h


# ---- list: where ----------------------------------------------------------------------------


def test_list_defaults_to_current_directory(capsys, home, project, monkeypatch):
    monkeypatch.chdir(project)
    listed = run_json(capsys, "--codex-home", str(home), "list", "--json")
    assert ids(listed) == [B, A, C]  # newest update first; D lives elsewhere

    code, out, _ = run(capsys, "--codex-home", str(home), "list")
    assert code == 0
    rows = out.splitlines()
    assert [row.split()[0] for row in rows] == [B, A, C]
    assert "Something in another folder" not in out


def test_no_command_opens_the_picker_on_this_directory(capsys, home, project, monkeypatch):
    from codex_tui.app import CodexTuiApp

    opened = []

    def fake_run(app):
        opened.append((app.start_cwd, app.filters.all_dirs))
        return None  # the user quit without choosing

    monkeypatch.setattr(CodexTuiApp, "run", fake_run)
    monkeypatch.chdir(project)
    code, out, _ = run(capsys, "--codex-home", str(home))
    assert code == 0
    assert out == ""
    assert opened == [(str(project), False)]


def test_list_current_directory_with_no_sessions(capsys, home, tmp_path, monkeypatch):
    empty = tmp_path / "empty-dir"
    empty.mkdir()
    monkeypatch.chdir(empty)
    assert run_json(capsys, "--codex-home", str(home), "list", "--json") == []
    code, out, err = run(capsys, "--codex-home", str(home), "list")
    assert code == 0
    assert out == ""
    assert "--all" in err  # a hint at how to see everything


def test_list_all(capsys, home, work, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    listed = run_json(capsys, "--codex-home", str(home), "list", "--all", "--json")
    assert ids(listed) == [B, D, A, C]
    code, out, _ = run(capsys, "--codex-home", str(home), "list", "--all")
    assert code == 0
    assert [row.split()[0] for row in out.splitlines()] == [B, D, A, C]
    assert str(work / "elsewhere-dir") in out  # --all shows each session's folder


def test_list_cwd(capsys, home, project, work, tmp_path):
    other = work / "elsewhere-dir"
    listed = run_json(capsys, "--codex-home", str(home), "list", "--cwd", str(other), "--json")
    assert ids(listed) == [D]
    listed = run_json(capsys, "--codex-home", str(home), "list", "--cwd", f"{project}/",
                      "--json")
    assert ids(listed) == [B, A, C]
    assert run_json(capsys, "--codex-home", str(home), "list", "--cwd",
                    str(tmp_path / "nowhere"), "--json") == []


def test_list_cwd_relative(capsys, home, work, monkeypatch):
    monkeypatch.chdir(work)
    listed = run_json(capsys, "--codex-home", str(home), "list", "--cwd", "elsewhere-dir",
                      "--json")
    assert ids(listed) == [D]
    listed = run_json(capsys, "--codex-home", str(home), "list", "--cwd",
                      "./project/../elsewhere-dir", "--json")
    assert ids(listed) == [D]


def test_list_archived(capsys, home, project, monkeypatch):
    listed = run_json(capsys, "--codex-home", str(home), "list", "--all", "--archived", "--json")
    assert ids(listed) == [X]
    assert listed[0]["archived"] is True
    assert listed[0]["title"] == "An archived conversation"
    monkeypatch.chdir(project)
    assert ids(run_json(capsys, "--codex-home", str(home), "list", "--archived", "--json")) == [X]
    active = run_json(capsys, "--codex-home", str(home), "list", "--all", "--json")
    assert X not in ids(active)
    assert all(s["archived"] is False for s in active)


# ---- list: order and search -----------------------------------------------------------------


def test_list_sort_created_vs_updated(capsys, home):
    by_updated = run_json(capsys, "--codex-home", str(home), "list", "--all", "--json")
    by_updated_explicit = run_json(capsys, "--codex-home", str(home), "list", "--all",
                                   "--sort", "updated", "--json")
    by_created = run_json(capsys, "--codex-home", str(home), "list", "--all", "--sort",
                          "created", "--json")
    assert ids(by_updated) == ids(by_updated_explicit) == [B, D, A, C]
    assert ids(by_created) == [D, C, B, A]
    stamps = [s["created_at"] for s in by_created]
    assert stamps == sorted(stamps, reverse=True)
    stamps = [s["updated_at"] for s in by_updated]
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize(("query", "expected"), [
    ("parser", {A}),  # title
    ("PARSER", {A}),  # case-insensitive
    ("fix the parsre", {A}),  # fuzzy: a typo
    ("docs-sprint", {B}),  # thread name
    ("DOCS", {B}),
    ("zebra", {A}),  # git branch
    ("ZEBAR", {A}),  # fuzzy and case-insensitive
    ("elsewhere", {D}),  # cwd
    ("c0ffee", {C}),  # id
    ("C0FFEE123456", {C}),
    ("qqqqzzzzxxxx", set()),
])
def test_list_search(capsys, home, query, expected):
    listed = run_json(capsys, "--codex-home", str(home), "list", "--all", "--search", query,
                      "--json")
    assert set(ids(listed)) == expected


def test_list_search_combines_with_cwd_and_archived(capsys, home, project):
    assert ids(run_json(capsys, "--codex-home", str(home), "list", "--cwd", str(project),
                        "--search", "something", "--json")) == []
    assert ids(run_json(capsys, "--codex-home", str(home), "list", "--all", "--archived",
                        "--search", "archived conversation", "--json")) == [X]


# ---- list --json shape ----------------------------------------------------------------------


def test_list_json_shape(capsys, home):
    listed = run_json(capsys, "--codex-home", str(home), "list", "--all", "--json")
    assert isinstance(listed, list)
    for s in listed:
        assert set(s) >= LIST_KEYS, LIST_KEYS - set(s)
        assert ISO_Z.match(s["created_at"]), s["created_at"]
        assert ISO_Z.match(s["updated_at"]), s["updated_at"]
        assert Path(s["path"]).is_file()
        assert Path(s["path"]).is_absolute()
        assert isinstance(s["archived"], bool)
        assert isinstance(s["warnings"], list)
    by_id = {s["id"]: s for s in listed}
    a = by_id[A]
    assert a["title"] == "Fix the parser bug"
    assert a["name"] is None
    assert a["cwd"].endswith("/work/project")
    assert a["created_at"] == "2026-11-21T08:00:00.000Z"
    assert a["updated_at"] == "2026-11-21T13:07:00.000Z"
    assert a["source"] == "vscode"
    assert a["cli_version"] == "0.169.0"
    assert a["model"] == "gpt-5.1-codex"
    assert a["forked_from_id"] is None
    assert a["tokens"] == 200
    assert by_id[B]["name"] == "docs-sprint"
    assert by_id[B]["title"] == "docs-sprint"
    assert by_id[B]["tokens"] is None


def test_list_json_fixture_home(capsys, codex_home):
    listed = run_json(capsys, "--codex-home", str(codex_home), "list", "--all", "--json")
    assert len(listed) == 27
    for s in listed:
        assert set(s) >= LIST_KEYS
        assert ISO_Z.match(s["created_at"]) and ISO_Z.match(s["updated_at"])
    fork = next(s for s in listed if s["id"] == "01a1fe36-a3e5-7b30-9c75-8b09d6038321")
    assert fork["forked_from_id"] == "01a1fe36-9923-7570-9f27-baeff79474f4"
    assert fork["source"] == "exec"
    assert fork["model"] == "mock-model"
    assert fork["tokens"] == 21302


# ---- show -----------------------------------------------------------------------------------


def test_show_json_shape(capsys, home):
    shown = run_json(capsys, "--codex-home", str(home), "show", A, "--json")
    assert set(shown) == {"thread", "turns", "warnings"}
    assert shown["warnings"] == []
    thread = shown["thread"]
    assert set(thread) >= LIST_KEYS
    assert thread["id"] == A
    assert ISO_Z.match(thread["created_at"]) and ISO_Z.match(thread["updated_at"])
    assert [t["index"] for t in shown["turns"]] == [1, 2]
    assert [t["user_message"] for t in shown["turns"]] == ["Fix the parser bug", "and the lexer"]
    for n, t in enumerate(shown["turns"], 1):
        assert {"index", "user_message", "items", "tokens"} <= set(t)
        assert t["tokens"]["total"] == 100
        assert all("kind" in i for i in t["items"])
        kinds = [i["kind"] for i in t["items"]]
        assert kinds == ["user_message", "tool_call", "agent_message"]
        [tool] = [i for i in t["items"] if i["kind"] == "tool_call"]
        assert tool["command"] == f"echo {n}"
        assert tool["output"] == f"{n}\n"
        assert tool["exit_code"] == n - 1


def test_show_json_fixture_paginated_tool_items(capsys, codex_home):
    shown = run_json(capsys, "--codex-home", str(codex_home), "show",
                     "01a1fe36-9923-7570-9f27-baeff79474f4", "--json")
    tools = [i for t in shown["turns"] for i in t["items"] if i["kind"] == "tool_call"]
    assert tools
    for tool in tools:
        assert {"command", "output", "exit_code"} <= set(tool)
        assert tool["command"] == "ls -la && echo hello from the tool && cat main.py"
        assert "hello from the tool" in tool["output"]
        assert tool["exit_code"] == 0
    for t in shown["turns"]:
        assert t["tokens"] is None or t["tokens"]["total"] > 0


@pytest.mark.parametrize(("ref", "expected"), [
    ("01a1fe36-a3e5", "01a1fe36-a3e5-7b30-9c75-8b09d6038321"),  # unique prefix
    ("01A1FE36-A3E5-7B30", "01a1fe36-a3e5-7b30-9c75-8b09d6038321"),  # prefix, upper case
    ("01a1fe37-7d3b-7fa0-9ed3-e1fdb5097751", "01a1fe37-7d3b-7fa0-9ed3-e1fdb5097751"),
    ("picker-demo-thread", "01a1fe37-05e8-79e2-b09f-d8e316352b56"),  # thread name
    ("01a1fe36-9010", "01a1fe36-9010-7023-a856-a8c802ee8a8a"),  # archived, by prefix
])
def test_show_resolves(capsys, codex_home, ref, expected):
    shown = run_json(capsys, "--codex-home", str(codex_home), "show", ref, "--json")
    assert shown["thread"]["id"] == expected


def test_show_by_name_built_home(capsys, home):
    assert run_json(capsys, "--codex-home", str(home), "show", "docs-sprint",
                    "--json")["thread"]["id"] == B
    code, out, _ = run(capsys, "--codex-home", str(home), "show", "docs-sprint", "--markdown")
    assert code == 0
    assert "Write the README" in out


def test_show_plain(capsys, home):
    # Plain `show` opens the transcript viewer in a terminal; --markdown prints the text.
    code, out, err = run(capsys, "--codex-home", str(home), "show", A, "--markdown")
    assert code == 0
    assert err == ""
    assert "Fix the parser bug" in out
    assert "and the lexer" in out
    assert "echo 1" in out
    assert "reply to and the lexer" in out


def test_show_markdown(capsys, home):
    code, out, _ = run(capsys, "--codex-home", str(home), "show", A, "--markdown")
    assert code == 0
    headings = [row for row in out.splitlines() if row.startswith("## ")]
    assert len(headings) == 2
    assert headings[0].startswith("## Turn 1")
    assert headings[1].startswith("## Turn 2")
    assert "Fix the parser bug" in out
    assert "and the lexer" in out
    assert "reply to Fix the parser bug" in out
    assert "echo 2" in out
    assert out.index("Fix the parser bug") < out.index("and the lexer")


def test_show_markdown_fixture(capsys, codex_home):
    code, out, _ = run(capsys, "--codex-home", str(codex_home), "show",
                       "01a1fe36-a3e5-7b30-9c75-8b09d6038321", "--markdown")
    assert code == 0
    for n in range(1, 6):
        assert re.search(rf"^## Turn {n}\b", out, re.M), n
    assert "[0.169.0] please run the tests and list files" in out
    assert "[0.169.0] forked: try another approach" in out


def test_show_json_and_markdown_are_exclusive(capsys, home):
    with pytest.raises(SystemExit) as exc:
        main(["--codex-home", str(home), "show", A, "--json", "--markdown"])
    assert exc.value.code == 2
    capsys.readouterr()


# ---- a vanished current directory -----------------------------------------------------------


def test_vanished_current_directory(capsys, home, tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    for args in (["list"], ["list", "--json"], ["list", "--archived"]):
        code, out, err = run(capsys, "--codex-home", str(home), *args)
        assert code == 2, args
        assert out == ""
        assert re.search(r"current directory", err, re.I), err
        assert len(err.strip().splitlines()) == 1
    # --all and an absolute --cwd do not need the current directory.
    assert len(run_json(capsys, "--codex-home", str(home), "list", "--all", "--json")) == 4
    assert run_json(capsys, "--codex-home", str(home), "show", A, "--json")["thread"]["id"] == A


def test_vanished_current_directory_subprocess(home, tmp_path):
    gone = tmp_path / "gone-too"
    gone.mkdir()
    script = (
        "import os, sys, runpy\n"
        f"os.chdir({str(gone)!r}); os.rmdir({str(gone)!r})\n"
        f"sys.argv = ['codex_tui', '--codex-home', {str(home)!r}, 'list']\n"
        "runpy.run_module('codex_tui', run_name='__main__')\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False, cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "current directory" in proc.stderr


# ---- the real entry point -------------------------------------------------------------------


def test_subprocess_list_and_show(home, project):
    env = {**os.environ, "CODEX_HOME": str(home)}
    proc = subprocess.run([sys.executable, "-m", "codex_tui", "list", "--json"],
                          capture_output=True, text=True, timeout=120, check=False,
                          cwd=project, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert ids(json.loads(proc.stdout)) == [B, A, C]
    proc = subprocess.run([sys.executable, "-m", "codex_tui", "show", "docs-sprint",
                           "--markdown"], capture_output=True, text=True, timeout=120,
                          check=False, cwd=project, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "## Turn 1" in proc.stdout
    assert "Write the README" in proc.stdout


def test_all_before_the_picker_opens_every_directory(capsys, home, project, monkeypatch):
    from codex_tui.app import CodexTuiApp

    opened = []
    monkeypatch.setattr(CodexTuiApp, "run",
                        lambda app: opened.append(app.filters.all_dirs) or None)
    monkeypatch.chdir(project)
    assert run(capsys, "--codex-home", str(home), "--all")[0] == 0
    assert opened == [True]


def test_make_run_uses_the_demo_home_when_there_are_no_sessions(tmp_path, monkeypatch):
    from codex_tui.cli import launch

    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "no-such-home"))
    args = launch.launch_args([])
    assert args[:3] == ["--codex-home", str(launch.DEMO_HOME), "--all"]
    assert (launch.DEMO_HOME / "sessions").is_dir()
    monkeypatch.setenv("CODEX_HOME", str(FIXTURE_HOME))
    assert launch.launch_args([]) == ["--codex-home", str(FIXTURE_HOME)]


# -- the parser builds only the subcommand it is given -------------------------------------

PARSES = [
    [], ["--all"], ["--codex-home", "list"], ["--codex-home=/x", "--all"], ["resume"],
    ["--codex-h", "list", "show", "abc"], ["--codex-b", "tail", "resume"],
    ["resume", "--all", "--print"], ["--codex-bin", "/bin/true", "resume", "--last"],
    ["list", "--all", "--json", "--limit", "3", "--source", "cli", "--source", "exec"],
    ["list", "--cwd", "list"], ["show", "abc", "--markdown"], ["history", "fix", "--json"],
    ["history"], ["search", "parser", "--limit", "5"], ["fork", "abc", "--turn", "2"],
    ["archive", "abc"], ["unarchive", "abc"], ["rename", "abc", "new name"],
    ["delete", "abc", "-y"], ["export", "abc", "-f", "html", "-o", "x.html", "--force"],
    ["tail", "abc", "-n", "0", "--json"],
    ["--remote", "list", "list"], ["--remote-command", "show", "resume"],
    ["--remote=devbox", "resume", "--codex-bin", "/bin/true"],
    ["list", "--codex-home", "/x", "--remote", "h", "--json"], ["archive", "abc", "--json"],
]


@pytest.mark.parametrize("argv", PARSES, ids=lambda a: " ".join(a) or "(none)")
def test_partial_parser_parses_as_the_whole_one(argv: list[str]):
    from codex_tui.cli.commands import build_parser

    assert vars(build_parser(argv).parse_args(argv)) == vars(build_parser().parse_args(argv))


def test_the_picker_builds_no_subparser():
    import argparse

    from codex_tui.cli.commands import build_parser

    parser = build_parser([])
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert sub.choices == {}
    assert build_parser(["--codex-home", "x", "tail", "abc"])._subparsers is not None
    named = next(a for a in build_parser(["tail", "abc"])._actions
                 if isinstance(a, argparse._SubParsersAction))
    assert list(named.choices) == ["tail"]
    every = next(a for a in build_parser(["-h"])._actions
                 if isinstance(a, argparse._SubParsersAction))
    from codex_tui.cli.args import _SUBCOMMANDS

    assert set(every.choices) == set(_SUBCOMMANDS) and "usage" in every.choices


# -- global options before or after the subcommand -----------------------------------------


@pytest.mark.parametrize(("argv", "expected"), [
    (["resume", "--codex-bin", "/bin/codex"], {"codex_bin": "/bin/codex", "command": "resume"}),
    (["list", "--codex-home", "/h", "--all"], {"codex_home": ["/h"], "all": True}),
    (["--codex-home", "/a", "list", "--codex-home", "/b"], {"codex_home": ["/a", "/b"]}),
    (["--remote", "one", "show", "ID", "--remote", "two", "--json"],
     {"remote": ["one", "two"], "id": "ID", "json": True}),
    (["--codex-bin", "/a", "fork", "ID", "--turn", "1", "--codex-bin", "/b"],
     {"codex_bin": "/b", "turn": 1}),
    (["history", "q", "--remote-command", "env X=1 codex app-server"],
     {"remote_command": ["env X=1 codex app-server"], "query": "q"}),
    (["list"], {"codex_home": None, "remote": None, "codex_bin": None}),
])
def test_global_options_anywhere(argv, expected):
    from codex_tui.cli.args import parse_args

    args = vars(parse_args(argv))
    assert {key: args[key] for key in expected} == expected
    assert not any(key.startswith("late_") for key in args)


def test_a_global_option_after_the_subcommand_reaches_the_command(capsys, codex_home):
    code = main(["list", "--all", "--json", "--codex-home", str(codex_home)])
    assert code == 0
    assert len(json.loads(capsys.readouterr().out)) == 27
