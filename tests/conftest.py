"""Shared fixtures: copies of the real Codex homes in tests/fixtures, never modified in place.

The tests are in tiers: store/ (the store and rendering, no app), cli/ (the command line and
its JSON), tui/ (Pilot and SVG snapshot tests), compat/ (the real Codex CLI, a real sshd,
Chromium). Helpers that set nothing up are plain functions in support/ (this folder is on
sys.path: pytest's "prepend" import mode puts a rootless conftest's folder there)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support.apps import SNAPSHOTS
from support.homes import FIXTURES, SHAPES, copy_home
from support.sshd import sshd_keys, sshd_server, start_sshd  # noqa: F401  (fixtures: a real sshd)


@pytest.fixture
def codex_home(tmp_path: Path) -> Path:
    """A writable copy of the fixture CODEX_HOME written by real Codex releases 0.20-0.169."""
    return copy_home(tmp_path / "codex-home")


@pytest.fixture
def shapes_home(tmp_path: Path) -> Path:
    """A CODEX_HOME of the hand-made rollouts in tests/fixtures/shapes (one record shape
    each: web searches, plans, apply_patch through the shell, patch events, wall times)."""
    day = tmp_path / "shapes-home" / "sessions/2026/03/01"
    day.mkdir(parents=True)
    for src in sorted(SHAPES.glob("rollout-*.jsonl")):
        shutil.copyfile(src, day / src.name)
    return copy_home(tmp_path / "shapes-copy", tmp_path / "shapes-home")


@pytest.fixture
def make_home(tmp_path: Path) -> Callable[..., Path]:
    """Build a CODEX_HOME from rollout contents: make_home({"<thread id>": b"...lines..."}).

    Keys are thread ids (or full file names); values are bytes or str. Files go to
    sessions/2026/11/21/ unless `archived=True`."""

    counter = iter(range(1_000_000))

    def build(rollouts: dict[str, bytes | str], archived: bool = False,
              index: str | bytes | None = None, home: Path | None = None) -> Path:
        home = home or tmp_path / f"home-{next(counter)}"
        day = home / ("archived_sessions" if archived else "sessions/2026/11/21")
        day.mkdir(parents=True, exist_ok=True)
        for key, content in rollouts.items():
            name = key if key.startswith("rollout-") else f"rollout-2026-11-21T10-00-00-{key}.jsonl"
            data = content.encode() if isinstance(content, str) else content
            (day / name).write_bytes(data)
        if index is not None:
            data = index.encode() if isinstance(index, str) else index
            (home / "session_index.jsonl").write_bytes(data)
        return home

    return build


@pytest.fixture
def bulk_home(tmp_path: Path) -> Path:
    """A home for the storage report, prune and bulk tests (support/bulk_home.py): sessions
    in several projects, months, sources and sizes, active and archived, and a real fork
    pair, with a history, a name index and SQLite files of known sizes."""
    from support.bulk_home import build_home

    return build_home(tmp_path / "bulk-home")


@pytest.fixture(scope="module")
def store_0171(tmp_path_factory: pytest.TempPathFactory):
    """A read-only store over tests/fixtures/codex-0.171-home (sessions Codex 0.171 wrote)."""
    from codex_tui.store import LocalThreadStore

    home = copy_home(tmp_path_factory.mktemp("real") / "h", FIXTURES / "codex-0.171-home")
    return LocalThreadStore(str(home), cache=False)


@pytest.fixture(scope="module")
def shapes_store(tmp_path_factory: pytest.TempPathFactory):
    """A read-only store over tests/fixtures/shapes-home (one record shape a session)."""
    from codex_tui.store import LocalThreadStore

    home = copy_home(tmp_path_factory.mktemp("shapes") / "h", FIXTURES / "shapes-home")
    return LocalThreadStore(str(home), cache=False)


@pytest.fixture(autouse=True)
def _writes_to_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writes go to the files unless a test asks for Codex's app-server (a codex on the
    developer's PATH must not change what the other tests do)."""
    monkeypatch.setenv("CODEX_TUI_WRITES", "files")


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test's summary cache out of the user's real cache directory."""
    directory = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("CODEX_TUI_CACHE_DIR", str(directory))
    return directory


# ---- Textual apps and SVG snapshots --------------------------------------------------------

os.environ["TZ"] = "UTC"  # absolute times in screens are local times
time.tzset()


def _snapshot_dirname(cls, *, test_location) -> str:
    """SVG snapshots live in the top-level snapshots/ folder, one subfolder per test module
    (relies on syrupy 4.8.0 internals; both packages are pinned exactly): a module's
    snapshots stay where they are whichever tier folder the module is in."""
    return str(SNAPSHOTS / test_location.basename)


try:
    from pytest_textual_snapshot import SVGImageExtension

    SVGImageExtension.dirname = classmethod(_snapshot_dirname)
except ImportError:  # pragma: no cover - the test extra is always installed by make test
    pass
