"""`codex-tui` in a real pseudo-terminal, or as a plain child process, with a stub `codex`
that logs how it was run."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from support.homes import ROOT

COLS, ROWS = 120, 36


WAIT = 20.0  # seconds: the bound on every wait below


_ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|"
                      rb"[()][0-9A-Za-z]|[=>78DEHMNOZc])")


def make_stub(tmp_path: Path) -> tuple[Path, Path]:
    """A `codex` that logs its arguments and working directory, then exits 0."""
    log = tmp_path / "codex-stub.log"
    stub = tmp_path / "bin" / "codex"
    stub.parent.mkdir()
    stub.write_text(
        "#!/bin/sh\n"
        f"printf 'argv: %s\\n' \"$*\" >> '{log}'\n"
        f"printf 'pwd: %s\\n' \"$(pwd -P)\" >> '{log}'\n"
        f"printf 'codex_home: %s\\n' \"$CODEX_HOME\" >> '{log}'\n"
        "exit 0\n")
    stub.chmod(0o755)
    return stub, log


def read_log(log: Path) -> dict[str, str]:
    assert log.exists(), "the stub codex never ran"
    entries = dict(line.split(": ", 1) for line in log.read_text().splitlines())
    return entries


def child_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"CODEX_HOME", "CODEX_TUI_CODEX_BIN"} and not k.startswith("TEXTUAL")}
    env.update({
        "TERM": "xterm-256color",
        "COLUMNS": str(COLS),
        "LINES": str(ROWS),
        "CODEX_TUI_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    })
    return env


def screen_text(raw: bytes) -> str:
    return _ESCAPES.sub(b"", raw).decode("utf-8", "replace")


class PtyProcess:
    """A child process on a pseudo-terminal, its output collected as it comes."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.master = master
        self.output = b""
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, cwd=cwd,
                                     env=env, close_fds=True, start_new_session=True)
        os.close(slave)

    def _read(self, timeout: float) -> bool:
        """Read what is there; False once the terminal is closed (every writer gone)."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the slave side is closed
            return False
        if not data:
            return False
        self.output += data
        return True

    @property
    def text(self) -> str:
        return screen_text(self.output)

    def wait_for(self, pattern: str, timeout: float = WAIT) -> None:
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while not regex.search(self.text):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {pattern!r}; screen:\n"
                                     f"{self.text[-3000:]}")
            if not self._read(0.05) and self.proc.poll() is not None:
                raise AssertionError(f"exited ({self.proc.returncode}) before {pattern!r}; "
                                     f"output:\n{self.text[-3000:]}")

    def send(self, data: str) -> None:
        os.write(self.master, data.encode())

    def wait_exit(self, timeout: float = WAIT) -> int:
        deadline = time.monotonic() + timeout
        while self._read(0.05):
            if time.monotonic() > deadline:
                raise AssertionError(f"did not exit; screen:\n{self.text[-3000:]}")
        return self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        os.close(self.master)


def run_cli(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "codex_tui", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=WAIT, check=False,
                          stdin=subprocess.DEVNULL)
