"""Sessions on another machine: `codex-tui --remote HOST` against a real sshd on 127.0.0.1
(tests/support/sshd.py) serving a temporary CODEX_HOME through the real `codex app-server` 0.171.0.

List, show, history search, fork, archive and rename on the "remote" home give the same
results as on the same home read locally; resume builds the right `ssh -t` command; a host
that is down, refuses or hangs is a clear error (and, beside a working home, one failed home
of the listing); `--remote-command` is checked the same way without ssh; nothing is left
running on either side.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.codex_cli import CODEX, indexed_home, run_codex
from support.codex_cli import skip_unless_installed as codex_required
from support.homes import FIXTURE_HOME, ROOT
from support.mock_model import MockModel
from support.sshd import DOWN_ALIAS, HUNG_ALIAS, REFUSED_ALIAS, remote_path
from support.sshd import skip_unless_installed as sshd_required

from codex_tui.cli import main

pytestmark = [*codex_required(), *sshd_required()]

SOURCE = "01a1fe36-9923-7570-9f27-baeff79474f4"  # 0.169 paginated, 4 turns
SOURCE_PROMPT = "[0.169.0] please run the tests and list files"
FORK = "01a1fe36-a3e5-7b30-9c75-8b09d6038321"  # its paginated fork, made by Codex 0.169
FORK_PROMPT = "[0.169.0] forked: try another approach"
LEGACY = "01a1fe36-5584-7391-9030-75b16ca14546"  # 0.50 legacy
INTERACTIVE = "01a1fe37-7d3b-7fa0-9ed3-e1fdb5097751"
BETA = "/home/dev/src/beta"
# What a listing row says in both places (Codex's index keeps times to the second, has no
# file sizes or token counts, and no fork source: those are compared where they are kept).
SAME_FIELDS = ("id", "title", "name", "preview", "cwd", "source", "cli_version", "archived",
               "git_branch")


@pytest.fixture(scope="module")
def mock():
    with MockModel() as server:
        yield server


@pytest.fixture
def home(tmp_path: Path, mock: MockModel, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture sessions and prompt history, indexed by Codex once (as a home Codex has
    been used in is)."""
    monkeypatch.delenv("CODEX_TUI_WRITES")  # remote writes are Codex's own anyway
    home = indexed_home(tmp_path, mock)
    (home / "history.jsonl").write_bytes((FIXTURE_HOME / "history.jsonl").read_bytes())
    return home


@pytest.fixture
def server(start_sshd, home: Path, monkeypatch: pytest.MonkeyPatch):
    """A real sshd whose sessions find the pinned codex on their PATH and serve `home`."""
    sshd = start_sshd({"PATH": remote_path(os.path.dirname(CODEX)), "CODEX_HOME": str(home),
                       "HOME": str(home.parent)})
    monkeypatch.setenv("CODEX_TUI_SSH_COMMAND", shlex.join(sshd.ssh_command))
    yield sshd
    deadline = time.monotonic() + 5
    while sshd.remote_processes() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sshd.remote_processes() == [], "codex app-server outlived the command"


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def as_json(capsys, *args: str):
    code, out, err = cli(capsys, *args)
    assert code == 0, err
    return json.loads(out)


def rows(listing: list[dict]) -> dict[str, dict]:
    return {r["id"]: {f: r[f] for f in SAME_FIELDS} for r in listing}


def assert_same_but_the_fork(remote: dict[str, dict], local: dict[str, dict]) -> None:
    """The same rows, but for one difference that is Codex's own: a paginated fork's preview
    (and so title) is its source's first prompt in the index Codex keeps from the fork on,
    which is what a local listing gives; in an index Codex rebuilt from the files (as here),
    it is the fork's own first prompt."""
    assert local[FORK]["preview"] == SOURCE_PROMPT
    assert remote[FORK]["preview"] == FORK_PROMPT
    same = dict(remote)
    same[FORK] = {**remote[FORK], "preview": SOURCE_PROMPT, "title": SOURCE_PROMPT}
    assert same == local


def test_list_and_show_match_the_local_home(capsys, home, server):
    local = as_json(capsys, "--codex-home", str(home), "list", "--all", "--json")
    remote = as_json(capsys, "--remote", server.alias, "list", "--all", "--json")
    # Codex lists what it can read: every generation but the bare 0.20-era files.
    readable = {i: r for i, r in rows(local).items()
                if next(x for x in local if x["id"] == i)["format"] != "bare"}
    assert_same_but_the_fork(rows(remote), readable)
    assert {r["home"] for r in remote} == {server.alias}
    for thread_id in (SOURCE, LEGACY, INTERACTIVE):
        here = as_json(capsys, "--codex-home", str(home), "show", thread_id, "--json")
        there = as_json(capsys, "show", thread_id, "--json", "--remote", server.alias)
        assert there["turns"] == here["turns"]
        assert there["warnings"] == here["warnings"] == []
        assert there["thread"]["token_usage"] == here["thread"]["token_usage"]
    # This directory's sessions, as `list` in BETA would give them.
    here = as_json(capsys, "--codex-home", str(home), "list", "--cwd", BETA, "--json")
    there = as_json(capsys, "--remote", server.alias, "list", "--cwd", BETA, "--json")
    assert [r["id"] for r in there] == [r["id"] for r in here]


def test_history_and_transcript_search(capsys, home, server):
    for query in ("alpha", "cache cold", "walkthrough"):
        here = as_json(capsys, "--codex-home", str(home), "history", query, "--json")
        there = as_json(capsys, "--remote", server.alias, "history", query, "--json")
        assert [(e["session_id"], e["text"]) for e in there] == \
            [(e["session_id"], e["text"]) for e in here]
        assert here
    # Transcript search goes through Codex's thread/search: a match per session.
    hits = as_json(capsys, "--remote", server.alias, "search", "explain this repo", "--json")
    found = {h["thread_id"] for h in hits}
    local = as_json(capsys, "--codex-home", str(home), "search", "explain this repo", "--json")
    assert found and found <= {h["thread_id"] for h in local}


def test_writes_on_the_remote_home(capsys, home, server, mock):
    fork = as_json(capsys, "--remote", server.alias, "fork", SOURCE, "--turn", "2", "--json")
    assert fork["via"] == f"codex app-server on {server.alias} 0.171.0"
    shown = as_json(capsys, "--codex-home", str(home), "show", fork["id"], "--json")
    assert [t["inherited"] for t in shown["turns"]] == [True, True]

    done = as_json(capsys, "--remote", server.alias, "rename", LEGACY, "named remotely",
                   "--json")
    assert done["via"].startswith("codex app-server on ")
    local = {r["id"]: r for r in as_json(capsys, "--codex-home", str(home), "list", "--all",
                                         "--json")}
    assert local[LEGACY]["name"] == "named remotely"

    as_json(capsys, "--remote", server.alias, "archive", SOURCE, "--json")
    archived = as_json(capsys, "--codex-home", str(home), "list", "--all", "--archived",
                       "--json")
    assert SOURCE in {r["id"] for r in archived}
    code, out, _ = run_codex(home, "exec", "--skip-git-repo-check", "resume", SOURCE, "hi",
                             stderr=subprocess.STDOUT)
    assert code != 0 and f"session {SOURCE} is archived" in out.decode()


def test_resume_runs_codex_there_through_ssh_t(capsys, home, server, monkeypatch):
    from codex_tui import resume

    ran = []
    monkeypatch.setattr(resume, "exec_command", ran.append)
    code, _, err = cli(capsys, "--remote", server.alias, "resume", "--all", "--last")
    assert code == 0, err
    [command] = ran
    newest = as_json(capsys, "--remote", server.alias, "list", "--all", "--json")[0]
    assert command.argv == [*server.ssh_command, "-t", server.alias,
                            f"cd {BETA} && codex resume {newest['id']}"] or \
        command.argv[-1].endswith(f"codex resume {newest['id']}")
    assert command.argv[: len(server.ssh_command) + 2] == [*server.ssh_command, "-t",
                                                           server.alias]


def test_resume_through_a_stub_ssh(tmp_path, home, server):
    """The command really run: a stub `ssh` logs the resume and passes everything else to
    the real one."""
    log = tmp_path / "ssh.log"
    stub = tmp_path / "ssh-stub"
    real = shlex.join(server.ssh_command)
    stub.write_text(
        "#!/bin/sh\n"
        f'case " $* " in *" -t "*) printf "%s\\n" "$@" > {shlex.quote(str(log))}; exit 0;; esac\n'
        f'exec {real} "$@"\n')
    stub.chmod(0o755)
    env = {**os.environ, "CODEX_TUI_SSH_COMMAND": str(stub),
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("CODEX_TUI_WRITES", None)
    proc = subprocess.run([sys.executable, "-m", "codex_tui", "--remote", server.alias,
                           "resume", "--last", "--all"], env=env, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    argv = log.read_text().splitlines()
    assert argv[:2] == ["-t", server.alias]
    assert argv[2].startswith("cd ") and " && codex resume " in argv[2]


@pytest.mark.parametrize(("alias", "said"), [
    (DOWN_ALIAS, "Connection refused"),
    (REFUSED_ALIAS, "Permission denied"),
    (HUNG_ALIAS, "timed out"),
])
def test_hosts_that_fail_are_clear_errors(capsys, sshd_server, monkeypatch, alias, said):
    monkeypatch.setenv("CODEX_TUI_SSH_COMMAND", shlex.join(sshd_server.ssh_command))
    started = time.monotonic()
    code, out, err = cli(capsys, "--remote", alias, "list", "--all")
    assert code == 2 and out == ""
    assert err.startswith(f"codex-tui: codex app-server on {alias}") and said in err, err
    assert "Traceback" not in err
    assert time.monotonic() - started < 15


def test_a_failed_host_beside_a_working_home(capsys, codex_home, sshd_server, monkeypatch):
    monkeypatch.setenv("CODEX_TUI_SSH_COMMAND", shlex.join(sshd_server.ssh_command))
    code, out, err = cli(capsys, "--codex-home", str(codex_home), "--remote", DOWN_ALIAS,
                         "list", "--all", "--json")
    assert code == 0
    listed = json.loads(out)
    assert listed and {r["home"] for r in listed} == {str(codex_home)}
    assert f"warning: {DOWN_ALIAS}: codex app-server on {DOWN_ALIAS}" in err
    assert "Connection refused" in err


def test_remote_command_without_ssh(capsys, home):
    command = f"env CODEX_HOME={shlex.quote(str(home))} {shlex.quote(CODEX)} app-server"
    local = as_json(capsys, "--codex-home", str(home), "list", "--all", "--json")
    remote = as_json(capsys, "--remote-command", command, "list", "--all", "--json")
    readable = {i: r for i, r in rows(local).items()
                if next(x for x in local if x["id"] == i)["format"] != "bare"}
    assert_same_but_the_fork(rows(remote), readable)
    here = as_json(capsys, "--codex-home", str(home), "show", SOURCE, "--json")
    there = as_json(capsys, "--remote-command", command, "show", SOURCE, "--json")
    assert there["turns"] == here["turns"]
