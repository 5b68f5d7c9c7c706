"""Shared fixtures: copies of the real Codex homes in tests/fixtures, never modified in place."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_HOME = FIXTURES / "codex-home"
SAMPLES = FIXTURES / "samples"

# A fixed mtime for every copied file, so "updated" times are deterministic.
FIXED_MTIME = 1795266400.0  # 2026-11-21T13:06:40Z


def copy_home(dest: Path, src: Path = FIXTURE_HOME) -> Path:
    shutil.copytree(src, dest)
    for root, dirs, files in os.walk(dest):
        for name in [*dirs, *files]:
            path = os.path.join(root, name)
            os.chmod(path, 0o755 if os.path.isdir(path) else 0o644)
            os.utime(path, (FIXED_MTIME, FIXED_MTIME))
    return dest


@pytest.fixture
def codex_home(tmp_path: Path) -> Path:
    """A writable copy of the fixture CODEX_HOME written by real Codex releases 0.20-0.169."""
    return copy_home(tmp_path / "codex-home")


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


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test's summary cache out of the user's real cache directory."""
    directory = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("CODEX_TUI_CACHE_DIR", str(directory))
    return directory
