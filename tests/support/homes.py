"""The fixture folders, and copies of them with deterministic modes and times."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"
FIXTURE_HOME = FIXTURES / "codex-home"
SAMPLES = FIXTURES / "samples"
SHAPES = FIXTURES / "shapes"
GOLDEN = TESTS / "golden"

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
