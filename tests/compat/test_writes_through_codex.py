"""Writes made here with a codex binary at hand go through Codex's own `codex app-server`,
and the real Codex CLI (pinned, installed by `make codex-cli`) then behaves exactly as if its
own TUI had made them, on a home Codex has already indexed (state_5.sqlite):

- archived: `codex exec resume` refuses it with Codex's own "is archived" message, and
  `codex unarchive` takes it back; unarchived here, it resumes;
- renamed: `codex exec resume NAME` finds it, and Codex's own picker (`codex resume --all`,
  in a pseudo-terminal) lists it by the new name (a name written to the files is not shown
  there for a paginated session: the control case);
- deleted: gone for Codex;
- forked: Codex resumes the fork with exactly the kept turns.
Bare 0.20-era sessions, which Codex cannot read, are still written on the files, and say so.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from support.codex_cli import (
    CODEX,
    codex,
    make_home,
    resume,
    session_id,
    skip_unless_installed,
    stop_daemons,
    user_texts,
)
from support.mock_model import MockModel
from support.terminal import PtyProcess

from codex_tui.cli import main

pytestmark = skip_unless_installed()

ARCHIVE = "01a1fe36-976d-7502-9877-b87642d8c5e2"  # 0.169 paginated
ARCHIVE_FILE = f"rollout-2026-11-21T13-05-53-{ARCHIVE}.jsonl"
LEGACY = "01a1fe36-5584-7391-9030-75b16ca14546"  # 0.50 legacy
INTERACTIVE = "01a1fe37-7d3b-7fa0-9ed3-e1fdb5097751"  # 0.169 paginated, vscode source
OTHER_INTERACTIVE = "01a1fe37-05e8-79e2-b09f-d8e316352b56"
TESTS_169 = "01a1fe36-9923-7570-9f27-baeff79474f4"  # paginated, 4 turns (a fork's source)
WARM = "01a1fe36-8e23-7b32-af97-3f0a4ae01141"
BARE = "5031ac39-3cc4-40bf-9dd5-27fd05497345"  # Codex 0.20
DAY = "sessions/2026/11/21"
VIA_CODEX = "codex app-server 0.171.0"


@pytest.fixture(scope="module")
def mock() -> MockModel:
    with MockModel() as server:
        yield server


@pytest.fixture
def home(tmp_path: Path, mock: MockModel, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CODEX_TUI_WRITES")  # through Codex: what this file is about
    home = make_home(tmp_path, mock)
    code, out = codex(home, "exec", "--skip-git-repo-check", "resume", WARM, "warm up")
    assert code == 0, out[-2000:]
    assert (home / "state_5.sqlite").exists()  # Codex has indexed the home
    return home


def tui(capsys, home: Path, *args: str) -> dict:
    """codex-tui's CLI with the pinned codex at hand; its --json answer."""
    code = main(["--codex-home", str(home), "--codex-bin", CODEX, *args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_archive_and_unarchive_as_codex_does_them(capsys, home, mock):
    done = tui(capsys, home, "archive", ARCHIVE)
    assert done["via"] == VIA_CODEX and done["session"]["archived"] is True
    assert done["warnings"] == []  # Codex moved it: no warning that its index disagrees
    code, out, request = resume(home, mock, ARCHIVE, "resume the archived one")
    assert code != 0 and request is None
    assert f"session {ARCHIVE} is archived" in out, out[-2000:]

    # Codex's own unarchive takes back a session archived here.
    code, out = codex(home, "unarchive", ARCHIVE)
    assert code == 0, out[-2000:]
    assert (home / DAY / ARCHIVE_FILE).exists()
    code, out, request = resume(home, mock, ARCHIVE, "back again")
    assert code == 0 and session_id(out) == ARCHIVE, out[-2000:]

    # Archived and unarchived here: Codex resumes it.
    assert tui(capsys, home, "archive", ARCHIVE)["via"] == VIA_CODEX
    done = tui(capsys, home, "unarchive", ARCHIVE)
    assert done["via"] == VIA_CODEX and done["session"]["archived"] is False
    code, out, request = resume(home, mock, ARCHIVE, "and again")
    assert code == 0 and session_id(out) == ARCHIVE, out[-2000:]


def test_a_name_set_here_is_codexs_name(capsys, home, mock, tmp_path):
    assert tui(capsys, home, "rename", INTERACTIVE, "renamed through codex")["via"] == VIA_CODEX
    code, out, _ = resume(home, mock, "renamed through codex", "by name", "--all")
    assert code == 0 and session_id(out) == INTERACTIVE, out[-2000:]
    # The control case: written to the files, a paginated session's name does not reach
    # Codex's list (Codex reads those names from its index only).
    code = main(["--codex-home", str(home), "rename", OTHER_INTERACTIVE, "renamed on files"])
    assert code == 0 and "via files" in capsys.readouterr().out
    screen = codex_picker(home, tmp_path, "renamed through codex")
    assert "renamed through codex" in screen and "renamed on files" not in screen


def codex_picker(home: Path, tmp_path: Path, wait_for: str) -> str:
    """What Codex's own resume picker (`codex resume --all`) shows on `home`."""
    work = tmp_path / "picker-work"
    work.mkdir(exist_ok=True)
    env = {"PATH": "/usr/bin:/bin:" + str(Path(sys.executable).parent), "HOME": str(home.parent),
           "CODEX_HOME": str(home), "TERM": "xterm-256color", "TZ": "UTC"}
    child = PtyProcess([CODEX, "resume", "--all"], cwd=work, env=env)
    try:
        child.wait_for(re.escape(wait_for), timeout=30)
        return child.text
    finally:
        child.close()
        stop_daemons(home)  # the daemon Codex's TUI starts for the home outlives it


def test_delete_as_codex_does_it(capsys, home, mock):
    assert tui(capsys, home, "delete", LEGACY, "--yes")["via"] == VIA_CODEX
    assert not list(home.glob(f"sessions/**/*{LEGACY}*"))
    code, out, request = resume(home, mock, LEGACY, "resume the deleted one")
    assert code != 0 and request is None, out[-2000:]
    # Codex's own refusal to delete a paginated fork's source reaches the user as it is.
    code = main(["--codex-home", str(home), "--codex-bin", CODEX, "delete", TESTS_169, "--yes"])
    assert code == 2 and "forked history still references it" in capsys.readouterr().err


def test_a_fork_made_through_codex_resumes_with_the_kept_turns(capsys, home, mock):
    assert main(["--codex-home", str(home), "show", TESTS_169, "--json"]) == 0
    prompts = [t["user_message"] for t in json.loads(capsys.readouterr().out)["turns"]]
    assert len(prompts) == 4
    fork = tui(capsys, home, "fork", TESTS_169, "--turn", "2", "--name", "codex fork")
    assert fork["via"] == VIA_CODEX
    assert fork["forked_from_id"] == TESTS_169 and fork["name"] == "codex fork"
    code, out, request = resume(home, mock, fork["id"], "after the fork")
    assert code == 0 and session_id(out) == fork["id"], out[-2000:]
    assert request is not None
    assert user_texts(request) == [*prompts[:2], "after the fork"]
    # codex-tui reads it as Codex wrote it: two inherited turns, then the new one.
    code = main(["--codex-home", str(home), "show", fork["id"], "--json"])
    shown = json.loads(capsys.readouterr().out)
    assert [t["inherited"] for t in shown["turns"]] == [True, True, False]


def test_bare_sessions_are_still_written_on_the_files(capsys, home):
    done = tui(capsys, home, "rename", BARE, "a 0.20 session")
    assert done["via"] == "files: Codex cannot read 0.20-era sessions"
    fork = tui(capsys, home, "fork", BARE, "--turn", "1")
    assert fork["via"] == "files: Codex cannot read 0.20-era sessions"
