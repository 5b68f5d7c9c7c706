"""A fork made by the real Codex CLI (pinned 0.171.0), then given a prompt of its own, is
listed with the preview Codex's own index keeps for it: the first prompt of the history it
carries, its source's. (tests/fixtures/fork-0.171 holds the same case, recorded.)

`make test` installs the CLI and requires it; a plain `pytest` run without it skips this."""

from __future__ import annotations

import json
import os
import select
import sqlite3
import subprocess
import time
from pathlib import Path

from support.codex_cli import CODEX, RUN_TIMEOUT, run_codex, skip_unless_installed
from support.mock_model import MockModel, config_toml

from codex_tui.cli import main
from codex_tui.store.paths import parse_rollout_name

pytestmark = skip_unless_installed()


def app_server_fork(home: Path, thread_id: str) -> str:
    """`thread/fork` through `codex app-server` (what `codex fork` and the picker's Fork do):
    the new thread's id."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home.parent),
           "CODEX_HOME": str(home), "TZ": "UTC", "NO_COLOR": "1"}
    proc = subprocess.Popen([CODEX, "app-server"], cwd=home.parent / "work", env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    assert proc.stdin is not None and proc.stdout is not None

    def call(request_id: int, method: str, params: dict) -> dict:
        proc.stdin.write(json.dumps({"id": request_id, "method": method, "params": params})
                         .encode() + b"\n")
        proc.stdin.flush()
        deadline = time.monotonic() + RUN_TIMEOUT
        while time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 0.5)
            if ready:
                message = json.loads(proc.stdout.readline() or b"null")
                assert message is not None, "codex app-server closed its output"
                if message.get("id") == request_id:
                    assert "error" not in message, message
                    return message["result"]
        raise AssertionError(f"no answer to {method}")

    try:
        call(0, "initialize", {"clientInfo": {"name": "codex-tui-tests", "version": "0"}})
        proc.stdin.write(b'{"method": "initialized"}\n')
        return call(1, "thread/fork", {"threadId": thread_id})["thread"]["id"]
    finally:
        proc.stdin.close()
        proc.terminate()
        proc.wait(timeout=10)


def test_a_prompted_fork_keeps_its_source_s_preview(tmp_path: Path, capsys) -> None:
    home = tmp_path / "codex-home"
    (home / "sessions").mkdir(parents=True)
    with MockModel() as mock:
        (home / "config.toml").write_text(config_toml(mock.base_url))
        code, _, _ = run_codex(home, "exec", "--skip-git-repo-check", "Crème brûlée, first")
        assert code == 0
        [rollout] = home.rglob("rollout-*.jsonl")
        source = parse_rollout_name(rollout.name).thread_id
        fork = app_server_fork(home, source)
        code, _, _ = run_codex(home, "exec", "--skip-git-repo-check", "resume", fork,
                               "the fork's own prompt")
        assert code == 0

    uri = f"file:{home / 'state_5.sqlite'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        index = {row[0]: row[1:] for row in db.execute(
            "SELECT id, preview, name FROM threads")}
    assert index[fork][0] == index[source][0] == "Crème brûlée, first"

    assert main(["--codex-home", str(home), "list", "--all", "--json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    for thread_id, (preview, name) in index.items():
        assert rows[thread_id]["preview"] == preview
        assert rows[thread_id]["title"] == (name or preview)
    assert rows[fork]["forked_from_id"] == source
