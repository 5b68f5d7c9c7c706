"""Shared fixtures: copies of the real Codex homes in tests/fixtures, never modified in place."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sshd import sshd_keys, sshd_server, start_sshd  # noqa: F401  (fixtures: a real sshd on 127.0.0.1)

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_HOME = FIXTURES / "codex-home"
SAMPLES = FIXTURES / "samples"

# A fixed mtime for every copied file, so "updated" times are deterministic.
FIXED_MTIME = 1795266600.0  # 2026-11-21T13:10:00Z, after every fixture session ends


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


SHAPES = FIXTURES / "shapes"


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

SNAPSHOTS = Path(__file__).resolve().parent.parent / "snapshots"
# "Now" for every screen under test: five minutes after the fixtures' fixed mtime.
FIXED_NOW = FIXED_MTIME + 300

os.environ["TZ"] = "UTC"  # absolute times in screens are local times
time.tzset()


def _snapshot_dirname(cls, *, test_location) -> str:
    """SVG snapshots live in the top-level snapshots/ folder, one subfolder per test module
    (relies on syrupy 4.8.0 internals; both packages are pinned exactly)."""
    return str(SNAPSHOTS / test_location.basename)


try:
    from pytest_textual_snapshot import SVGImageExtension

    SVGImageExtension.dirname = classmethod(_snapshot_dirname)
except ImportError:  # pragma: no cover - the test extra is always installed by make test
    pass


def fixed_now() -> datetime:
    return datetime.fromtimestamp(FIXED_NOW, UTC)


def picker_app(home: Path, cwd: str | None = "/home/dev/src/beta", resume_mode: bool = False,
               **filters):
    """The app as `codex-tui` (or, with `resume_mode`, `codex-tui resume`) opens it, on
    `home`, with a fixed clock."""
    from codex_tui.app import CodexTuiApp
    from codex_tui.screens.picker import PickerFilters
    from codex_tui.store import LocalThreadStore

    return CodexTuiApp(LocalThreadStore(str(home)), cwd=cwd, filters=PickerFilters(**filters),
                       now=fixed_now, resume_mode=resume_mode)


def finite_workers(app) -> list:
    """The app's workers but those that run as long as their screen (following a live
    session, watching for new ones: groups named "live-...")."""
    return [w for w in app.workers if not (w.group or "").startswith("live-")]


async def settle(pilot) -> None:
    """Wait until listing and preview workers are done, their messages handled, and the
    screen has repainted."""
    await pilot.pause()
    for _ in range(200):
        if workers := finite_workers(pilot.app):  # (an empty list would mean all of them)
            await pilot.app.workers.wait_for_complete(workers)
        await pilot.pause()
        busy = any(w.is_running for w in finite_workers(pilot.app))
        if not busy and not getattr(pilot.app.screen, "loading", False):
            break
    await pilot.pause()
