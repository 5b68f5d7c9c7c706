"""Archive, rename and delete done by codex-tui, then checked with the real Codex CLI.

The pinned @openai/codex (installed by `make codex-cli`) runs against a loopback stand-in
for the model API (tests/support/mock_model.py), on a copy of the fixture sessions:

- a session renamed here is resumed by `codex exec resume --all NAME` (legacy and paginated);
- a session archived here is refused by `codex exec resume ID`, with Codex's own "is
  archived" refusal when Codex builds its index from the files, and `codex unarchive` then
  restores it where codex-tui would have put it;
- a deleted session is gone for `codex exec resume`; a paginated fork's source is refused by
  Codex and by codex-tui alike until the fork is deleted;
- when Codex had already indexed the sessions (state_5.sqlite), the archived session is still
  refused (Codex 0.169 answers "no rollout found": it does not repair a row whose file moved,
  and codex-tui never writes its database), codex-tui says so, and unarchiving here makes
  Codex resume it again; a session Codex archived is not unarchived here (Codex's index would
  go on calling it archived).

`make test` requires the CLI; a plain `pytest` run without it skips these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.codex_cli import (
    codex,
    make_home,
    resume,
    session_id,
    skip_unless_installed,
    user_texts,
)
from support.mock_model import MockModel

from codex_tui.cli import main

pytestmark = skip_unless_installed()

ARCHIVE = "01a1fe36-976d-7502-9877-b87642d8c5e2"  # 0.169 paginated
ARCHIVE_FILE = f"rollout-2026-11-21T13-05-53-{ARCHIVE}.jsonl"
LEGACY = "01a1fe36-5584-7391-9030-75b16ca14546"  # 0.50 legacy
LEGACY_PROMPT = "[0.50.0] hello there, explain this repo"
PAGINATED = "01a1fe36-a066-71e0-bf1c-8bc78bba9b27"  # 0.169 paginated
PAGINATED_PROMPT = "[0.169.0] this one will fail please"  # its first (failed) turn
FORK = "01a1fe36-a3e5-7b30-9c75-8b09d6038321"  # paginated fork of FORK_SOURCE
FORK_SOURCE = "01a1fe36-9923-7570-9f27-baeff79474f4"
CODEX_ARCHIVES = "01a1fe36-a1d8-73f3-9189-a8903a6b0bd2"
WARM = "01a1fe36-8e23-7b32-af97-3f0a4ae01141"  # resumed once so that Codex builds its index
DAY = "sessions/2026/11/21"


@pytest.fixture(scope="module")
def mock() -> MockModel:
    with MockModel() as server:
        yield server


@pytest.fixture
def home(tmp_path: Path, mock: MockModel) -> Path:
    return make_home(tmp_path, mock)


def _databases(home: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in home.glob("*.sqlite*")}


def tui(capsys, home: Path, *args: str) -> tuple[int, str, str]:
    """Run codex-tui's CLI; Codex's database files must be exactly as they were after."""
    before = _databases(home)
    code = main(["--codex-home", str(home), *args])
    out, err = capsys.readouterr()
    assert _databases(home) == before, "codex-tui touched Codex's SQLite files"
    return code, out, err


def test_codex_agrees_with_archive_rename_and_delete_done_here(capsys, home, mock):
    # Done here, before Codex has ever looked at this home.
    assert tui(capsys, home, "archive", ARCHIVE)[0] == 0
    assert tui(capsys, home, "rename", LEGACY, "compat legacy name")[0] == 0
    assert tui(capsys, home, "rename", PAGINATED, "compat paginated name")[0] == 0
    code, _, err = tui(capsys, home, "delete", FORK_SOURCE, "--yes")
    assert code == 2 and "forked history still references it" in err
    assert tui(capsys, home, "delete", FORK, "--yes")[0] == 0

    # Renamed: `codex exec resume NAME` resumes that session, with its history.
    for ref, thread_id, first in [("compat legacy name", LEGACY, LEGACY_PROMPT),
                                  ("compat paginated name", PAGINATED, PAGINATED_PROMPT)]:
        code, out, request = resume(home, mock, ref, f"resumed by name {ref}", "--all")
        assert code == 0, out[-2000:]
        assert session_id(out) == thread_id, out[-2000:]
        assert request is not None
        texts = user_texts(request)
        assert texts[0] == first and texts[-1] == f"resumed by name {ref}", texts

    # Archived: refused as Codex refuses the sessions it archives itself, no model request.
    code, out, request = resume(home, mock, ARCHIVE, "resume the archived one")
    assert code != 0 and request is None
    assert f"session {ARCHIVE} is archived" in out, out[-2000:]
    assert f"codex unarchive {ARCHIVE}" in out

    # Deleted: gone; and the fork's source is refused by Codex too while the fork existed.
    code, out, request = resume(home, mock, FORK, "resume the deleted one")
    assert code != 0 and request is None and f"no rollout found for thread id {FORK}" in out

    # Codex's own unarchive takes the session back from where codex-tui put it, to where
    # codex-tui would have put it; then it resumes.
    code, out = codex(home, "unarchive", ARCHIVE)
    assert code == 0, out[-2000:]
    assert (home / DAY / ARCHIVE_FILE).exists()
    assert not (home / "archived_sessions" / ARCHIVE_FILE).exists()
    code, out, request = resume(home, mock, ARCHIVE, "back again")
    assert code == 0 and request is not None and session_id(out) == ARCHIVE, out[-2000:]

    # The fork is gone, so its source can go (here); Codex then cannot resume it either.
    assert tui(capsys, home, "delete", FORK_SOURCE, "--yes")[0] == 0
    code, out, request = resume(home, mock, FORK_SOURCE, "resume the deleted source")
    assert code != 0 and request is None
    assert f"no rollout found for thread id {FORK_SOURCE}" in out


def test_codex_delete_refuses_a_fork_source_as_codex_tui_does(capsys, home):
    code, out = codex(home, "delete", "--force", FORK_SOURCE)
    assert code != 0, out[-2000:]
    assert list(home.glob(f"{DAY}/*{FORK_SOURCE}*"))  # Codex kept it
    code, _, err = tui(capsys, home, "delete", FORK_SOURCE, "--yes")
    assert code == 2 and "forked history still references it" in err
    assert list(home.glob(f"{DAY}/*{FORK_SOURCE}*"))


def test_after_codex_indexed_the_home(capsys, home, mock):
    # Codex builds state_5.sqlite from the files on its first run.
    code, out, _ = resume(home, mock, WARM, "warm up")
    assert code == 0, out[-2000:]
    assert (home / "state_5.sqlite").exists()

    # Archived here: Codex's index still has the old path, so Codex refuses the session as
    # missing rather than archived; codex-tui says so.
    code, _, err = tui(capsys, home, "archive", ARCHIVE)
    assert code == 0 and "no rollout found" in err
    code, out, request = resume(home, mock, ARCHIVE, "resume the archived one")
    assert code != 0 and request is None
    assert f"no rollout found for thread id {ARCHIVE}" in out, out[-2000:]
    # Unarchived here: the file is back where Codex's index says, and Codex resumes it.
    assert tui(capsys, home, "unarchive", ARCHIVE)[0] == 0
    code, out, request = resume(home, mock, ARCHIVE, "back again")
    assert code == 0 and request is not None and session_id(out) == ARCHIVE, out[-2000:]

    # Renamed here: found by the new name.
    assert tui(capsys, home, "rename", PAGINATED, "indexed paginated name")[0] == 0
    code, out, request = resume(home, mock, "indexed paginated name", "by name", "--all")
    assert code == 0 and session_id(out) == PAGINATED, out[-2000:]

    # Deleted here: gone for Codex, though its index still has a row.
    assert tui(capsys, home, "delete", LEGACY, "--yes")[0] == 0
    code, out, request = resume(home, mock, LEGACY, "resume the deleted one")
    assert code != 0 and request is None, out[-2000:]
    assert "no rollout found" in out or "file does not exist" in out, out[-2000:]

    # A session Codex archived (recorded in its index) is left to `codex unarchive`.
    code, out = codex(home, "archive", CODEX_ARCHIVES)
    assert code == 0, out[-2000:]
    code, _, err = tui(capsys, home, "unarchive", CODEX_ARCHIVES)
    assert code == 2 and f"codex unarchive {CODEX_ARCHIVES}" in err
    code, out = codex(home, "unarchive", CODEX_ARCHIVES)
    assert code == 0, out[-2000:]
