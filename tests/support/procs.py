"""What the tests know of the processes on this machine, from /proc: to check that nothing a
test started outlives it, and to stop what something else left behind."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator


def processes() -> Iterator[tuple[int, list[str]]]:
    """(pid, the fields of /proc/PID/stat after the command name: state, ppid, pgrp, ...)
    of every live process but zombies (which only wait to be reaped)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as st:
                fields = st.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields and fields[0] != "Z":
            yield int(entry), fields


def argv(pid: int) -> list[bytes]:
    """The process's command line ([] when it is gone)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmd:
            return cmd.read().split(b"\0")
    except OSError:
        return []


def wait_gone(pid: int, timeout: float = 5.0) -> bool:
    """True once process `pid` no longer exists."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        time.sleep(0.05)
    return False
