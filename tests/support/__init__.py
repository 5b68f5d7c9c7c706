"""Helpers the tests share, importable from every tier (`from support.homes import copy_home`):
tests/conftest.py puts tests/ on sys.path (pytest's default "prepend" import mode), and turns
the helpers that set state up into fixtures.

- homes.py: the fixture folders and `copy_home`, with the fixed mtime every copy gets;
- apps.py: Textual apps on a fixed clock, `settle` and the snapshot tests' `keys`;
- mock_model.py: the loopback stand-in for the model API that the real Codex CLI talks to;
- codex_cli.py, sshd.py, procs.py: running the real Codex CLI and a real sshd, and the
  processes they leave;
- hostile.py: hostile CODEX_HOMEs; crash_child.py, fake_app_server.py: scripts run as child
  processes (`script("crash_child.py")`).
"""

from __future__ import annotations

from pathlib import Path

SUPPORT = Path(__file__).resolve().parent


def script(name: str) -> str:
    """The path of a script in tests/support, to run as `python PATH ...`."""
    return str(SUPPORT / name)
