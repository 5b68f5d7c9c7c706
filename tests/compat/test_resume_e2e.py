"""`codex-tui resume` end to end: the picker in a real pseudo-terminal hands the chosen
session to a stub `codex` binary, run in the session's directory; and the paths without a
picker (`--last`, `--print`, a missing binary, no session to resume)."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import pytest
from support.homes import FIXED_MTIME
from support.terminal import (
    PtyProcess,
    child_env,
    make_stub,
    read_log,
    run_cli,
)

from codex_tui.cli import main

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

DAY = "sessions/2026/11/21"

PROJ_ID = "01a1fe39-0000-7000-8000-0000000000e1"
GONE_ID = "01a1fe39-0000-7000-8000-0000000000e2"
OLDER_ID = "01a1fe39-0000-7000-8000-0000000000e3"
SUB_ID = "01a1fe39-0000-7000-8000-0000000000e4"
ARCH_ID = "01a1fe39-0000-7000-8000-0000000000e5"


# ---- helpers ----------------------------------------------------------------------------------


def write_session(home: Path, thread_id: str, prompt: str, cwd: str, *, mtime: float,
                  source: object = "cli", archived: bool = False) -> Path:
    """A minimal legacy (envelope) rollout with one turn."""
    ts = "2026-11-21T10:00:00.000Z"

    def line(kind: str, payload: object) -> str:
        return json.dumps({"timestamp": ts, "type": kind, "payload": payload}) + "\n"

    text = line("session_meta", {"id": thread_id, "timestamp": ts, "cwd": cwd,
                                 "originator": "codex_cli_rs", "cli_version": "0.169.0",
                                 "source": source, "model_provider": "openai"})
    text += line("event_msg", {"type": "task_started", "turn_id": "t1"})
    text += line("turn_context", {"cwd": cwd, "model": "gpt-5.1-codex"})
    text += line("response_item", {"type": "message", "role": "user",
                                   "content": [{"type": "input_text", "text": prompt}]})
    text += line("event_msg", {"type": "user_message", "message": prompt, "images": []})
    text += line("event_msg", {"type": "agent_message", "message": "ok"})
    text += line("event_msg", {"type": "task_complete", "turn_id": "t1"})
    folder = home / ("archived_sessions" if archived else DAY)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"rollout-2026-11-21T10-00-00-{thread_id}.jsonl"
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def pick_in_pty(tmp_path: Path, home: Path, stub: Path, start: Path, title: str,
                search: str) -> PtyProcess:
    """Open `resume --all` in a pty, search for `search`, press Enter; return the finished
    process (output collected)."""
    child = PtyProcess([sys.executable, "-m", "codex_tui", "--codex-home", str(home),
                        "--codex-bin", str(stub), "resume", "--all"],
                       cwd=start, env=child_env(tmp_path))
    try:
        child.wait_for(re.escape(title))
        child.send("/")
        time.sleep(0.2)
        child.send(search)
        child.wait_for(r"(?<![\d,])1 shown of")
        child.send("\r")
        code = child.wait_exit()
    finally:
        child.close()
    assert code == 0, child.text[-3000:]
    return child


# ---- the picker in a pseudo-terminal -----------------------------------------------------------


def test_resume_picks_in_a_pty_and_runs_codex_in_the_session_directory(tmp_path, codex_home):
    project = tmp_path / "proj"
    project.mkdir()
    start = tmp_path / "start"
    start.mkdir()
    title = "zebra unicorn migration plan"
    write_session(codex_home, PROJ_ID, title, str(project), mtime=FIXED_MTIME + 60)
    stub, log = make_stub(tmp_path)

    child = pick_in_pty(tmp_path, codex_home, stub, start, title, "unicorn")

    entries = read_log(log)
    assert entries["argv"] == f"resume {PROJ_ID}"
    assert entries["pwd"] == os.path.realpath(project)
    # Codex is pointed at the home the session was found in, not its default ~/.codex.
    assert entries["codex_home"] == os.path.abspath(codex_home)
    assert "Traceback" not in child.text


def test_resume_in_a_pty_when_the_session_directory_is_gone(tmp_path, codex_home):
    gone = tmp_path / "gone"  # never created
    start = tmp_path / "start"
    start.mkdir()
    title = "walrus narwhal cleanup"
    write_session(codex_home, GONE_ID, title, str(gone), mtime=FIXED_MTIME + 60)
    stub, log = make_stub(tmp_path)

    child = pick_in_pty(tmp_path, codex_home, stub, start, title, "narwhal")

    entries = read_log(log)
    assert entries["argv"] == f"resume {GONE_ID}"
    assert entries["pwd"] == os.path.realpath(start)  # stayed where it was started
    assert "no longer exists" in child.text
    assert str(gone) in child.text
    assert "Traceback" not in child.text


# ---- without a picker -------------------------------------------------------------------------


@pytest.fixture
def project_home(tmp_path: Path, make_home) -> tuple[Path, Path]:
    """A home with sessions in `proj`: an older and a newer one, and, newer still, a
    sub-agent thread and an archived one (neither of which `--last` may pick)."""
    project = tmp_path / "proj"
    project.mkdir()
    home = make_home({})
    write_session(home, OLDER_ID, "the older one", str(project), mtime=FIXED_MTIME)
    write_session(home, PROJ_ID, "the newer one", str(project), mtime=FIXED_MTIME + 10)
    write_session(home, SUB_ID, "a review thread", str(project), mtime=FIXED_MTIME + 20,
                  source={"subagent": "review"})
    write_session(home, ARCH_ID, "an archived one", str(project), mtime=FIXED_MTIME + 30,
                  archived=True)
    return home, project


def test_resume_last_print(project_home, monkeypatch, capsys):
    home, project = project_home
    monkeypatch.chdir(project)
    code = main(["--codex-home", str(home), "resume", "--last", "--print"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out == f"{PROJ_ID}\n"
    assert err == ""


def test_resume_last_print_subprocess(project_home, tmp_path):
    home, project = project_home
    proc = run_cli(["--codex-home", str(home), "resume", "--last", "--print"], project,
                   child_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{PROJ_ID}\n"


def test_resume_last_execs_codex(project_home, tmp_path):
    home, project = project_home
    stub, log = make_stub(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # From the project directory: the newest session there, run in that directory.
    proc = run_cli(["--codex-home", str(home), "--codex-bin", str(stub), "resume", "--last"],
                   project, child_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    entries = read_log(log)
    assert entries["argv"] == f"resume {PROJ_ID}"
    assert entries["pwd"] == os.path.realpath(project)


def test_resume_takes_the_global_options_after_it(project_home, tmp_path):
    """`codex-tui resume --codex-bin PATH --codex-home HOME`, as users type it."""
    home, project = project_home
    stub, log = make_stub(tmp_path)
    proc = run_cli(["resume", "--last", "--codex-bin", str(stub), "--codex-home", str(home)],
                   project, child_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert read_log(log)["argv"] == f"resume {PROJ_ID}"


def test_resume_last_finds_codex_through_the_environment(project_home, tmp_path):
    home, project = project_home
    stub, log = make_stub(tmp_path)
    env = {**child_env(tmp_path), "CODEX_TUI_CODEX_BIN": str(stub)}
    proc = run_cli(["--codex-home", str(home), "resume", "--last"], project, env)
    assert proc.returncode == 0, proc.stderr
    assert read_log(log)["argv"] == f"resume {PROJ_ID}"


@pytest.mark.parametrize("extra", [[], ["--last"], ["--all"]])
def test_resume_with_a_missing_codex_binary(project_home, tmp_path, extra):
    home, project = project_home
    proc = run_cli(["--codex-home", str(home), "--codex-bin", "/nonexistent", "resume",
                    *extra], project, child_env(tmp_path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert "/nonexistent" in proc.stderr
    assert "not found" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_resume_with_no_codex_on_path(project_home, tmp_path):
    home, project = project_home
    env = {**child_env(tmp_path), "PATH": str(tmp_path / "empty-bin")}
    proc = run_cli(["--codex-home", str(home), "resume", "--last"], project, env)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "'codex' not found" in proc.stderr
    assert "PATH" in proc.stderr


def test_resume_last_with_no_session_here(project_home, tmp_path):
    home, _ = project_home
    stub, log = make_stub(tmp_path)
    empty = tmp_path / "empty-dir"
    empty.mkdir()
    proc = run_cli(["--codex-home", str(home), "--codex-bin", str(stub), "resume", "--last"],
                   empty, child_env(tmp_path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert "no session to resume" in proc.stderr
    assert str(empty) in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not log.exists()  # codex was not run
