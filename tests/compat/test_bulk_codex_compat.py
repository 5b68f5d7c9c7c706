"""`codex-tui prune` with the real Codex CLI (0.171.0) at hand, on a home Codex has indexed:
each session is archived by Codex's own app-server (so Codex calls it archived: `codex exec
resume` refuses it), the sources of forks are left alone in the store's words, and what was
not archived still resumes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.codex_cli import CODEX, codex, make_home, resume, skip_unless_installed
from support.mock_model import MockModel

from codex_tui.cli import main

pytestmark = skip_unless_installed()

WARM = "01a1fe36-8e23-7b32-af97-3f0a4ae01141"
BETA = "/home/dev/src/beta"
FORK_SOURCE = "01a1fe36-9923-7570-9f27-baeff79474f4"  # a3e5 forks from it
ARCHIVED_FORK_SOURCE = "01a1fe36-83d7-7141-9f9a-c70280a8052e"  # archived 9010 forks from it
ARCHIVED_HERE = ["01a1fe37-7d3b-7fa0-9ed3-e1fdb5097751", "01a1fe36-a3e5-7b30-9c75-8b09d6038321",
                 "01a1fe36-70b1-7732-b06b-76da75feba97", "01a1fe36-6356-7371-a92c-e9bf1fee400b",
                 "01a1fe36-5693-7132-b012-6959cea1107a"]
VIA_CODEX = "codex app-server 0.171.0"


@pytest.fixture(scope="module")
def mock() -> MockModel:
    with MockModel() as server:
        yield server


@pytest.fixture
def home(tmp_path: Path, mock: MockModel, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CODEX_TUI_WRITES")  # through Codex
    home = make_home(tmp_path, mock)
    code, out = codex(home, "exec", "--skip-git-repo-check", "resume", WARM, "warm up")
    assert code == 0, out[-2000:]
    return home


def test_prune_archives_through_codex(capsys, home, mock):
    code = main(["--codex-home", str(home), "--codex-bin", CODEX, "prune", "--cwd", BETA,
                 "--archive", "--yes", "--json"])
    data = json.loads(capsys.readouterr().out)
    results = {s["id"]: s for s in data["sessions"]}
    assert code == 1  # two were left alone
    assert {tid for tid, s in results.items() if s["result"] == "done"} == set(ARCHIVED_HERE)
    for tid in ARCHIVED_HERE:
        assert results[tid]["via"] == VIA_CODEX
    for tid in (FORK_SOURCE, ARCHIVED_FORK_SOURCE):
        assert results[tid]["result"] == "refused"
        assert "forked history still references it" in results[tid]["reason"]

    # Codex calls them archived, in its own words; the sources left alone still resume.
    archived = ARCHIVED_HERE[2]
    code, out, request = resume(home, mock, archived, "resume an archived one")
    assert code != 0 and request is None
    assert f"session {archived} is archived" in out, out[-2000:]
    code, out, request = resume(home, mock, FORK_SOURCE, "still here")
    assert code == 0, out[-2000:]
