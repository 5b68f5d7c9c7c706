"""Running the pinned Codex CLI on a test home, against the loopback model of
support/mock_model.py: what the compatibility tests share.

- `CODEX`: $CODEX_TUI_TEST_CODEX, else the pinned CLI in the cache folder `make codex-cli`
  installs it to; `skip_unless_installed()` is a module's `pytestmark` for it;
- `codex_or_skip()`: for a fixture, the same CLI, installed with npm when missing and npm is
  there (the tail and no-unknown-records tests; they had their own copy, tests/real_codex.py);
- `codex_home_for(mock, path)` / `codex_env(home)`: a bare CODEX_HOME pointing Codex at the
  mock, and the environment to run Codex in on it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from support.homes import FIXTURE_HOME
from support.mock_model import MockModel, config_toml
from support.procs import argv, processes

CODEX_VERSION = "0.171.0"
_CACHE = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
CODEX = os.environ.get("CODEX_TUI_TEST_CODEX") or os.path.join(
    _CACHE, "codex-tui-test", f"codex-{CODEX_VERSION}", "node_modules", ".bin", "codex")
RUN_TIMEOUT = 60


def codex_binary(install: bool = True) -> str | None:
    """The pinned CLI; when it is missing (and $CODEX_TUI_TEST_CODEX does not name one),
    installed with npm into its cache folder if npm is there; None when there is none."""
    if os.environ.get("CODEX_TUI_TEST_CODEX"):
        return CODEX if os.access(CODEX, os.X_OK) else None
    if os.access(CODEX, os.X_OK):
        return CODEX
    npm = shutil.which("npm")
    if not install or npm is None:
        return None
    prefix = Path(CODEX).parents[2]  # .../codex-<version>/node_modules/.bin/codex
    prefix.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix),
                        f"@openai/codex@{CODEX_VERSION}"], check=True, timeout=300,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return CODEX if os.access(CODEX, os.X_OK) else None


def codex_or_skip() -> str:
    """The pinned Codex CLI, or the test is skipped (failed, when $CODEX_TUI_REQUIRE_CODEX
    says it must run)."""
    binary = codex_binary()
    if binary is None:
        if os.environ.get("CODEX_TUI_REQUIRE_CODEX"):
            pytest.fail("the pinned Codex CLI is required ($CODEX_TUI_REQUIRE_CODEX)")
        pytest.skip(f"Codex CLI {CODEX_VERSION} not available (npm install failed or no npm)")
    return binary


def codex_home_for(mock: MockModel, home: Path) -> Path:
    """A bare CODEX_HOME (no sessions) whose config.toml points Codex at `mock`."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(config_toml(mock.base_url))
    return home


def codex_env(home: Path) -> dict[str, str]:
    """This process's environment without OpenAI's or Codex's variables, on `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CODEX_"))}
    env["CODEX_HOME"] = str(home)
    env["NO_COLOR"] = "1"
    return env


def skip_unless_installed() -> list:
    """A module's `pytestmark`: skip it when the pinned CLI is not installed, or fail at
    once when $CODEX_TUI_REQUIRE_CODEX says it must be."""
    if os.access(CODEX, os.X_OK):
        return []
    if os.environ.get("CODEX_TUI_REQUIRE_CODEX"):
        raise RuntimeError(f"the Codex CLI {CODEX_VERSION} is not installed at {CODEX}: "
                           "run `make codex-cli` (needs npm)")
    return [pytest.mark.skip(reason=f"Codex CLI not installed at {CODEX} "
                                    "(`make codex-cli` installs it)")]


def make_home(tmp_path: Path, mock: MockModel, *more_sessions: Path) -> Path:
    """The fixture sessions and names, and a config.toml pointing Codex at `mock`; no Codex
    database (Codex must find sessions by their files, and builds its own). `more_sessions`:
    other `sessions/` trees merged in."""
    home = tmp_path / "codex-home"
    home.mkdir()
    for sub in ("sessions", "archived_sessions"):
        shutil.copytree(FIXTURE_HOME / sub, home / sub)
    for tree in more_sessions:
        shutil.copytree(tree, home / "sessions", dirs_exist_ok=True)
    shutil.copy(FIXTURE_HOME / "session_index.jsonl", home / "session_index.jsonl")
    (home / "config.toml").write_text(config_toml(mock.base_url))
    return home


def run_codex(home: Path, *args: str, stderr: int = subprocess.PIPE
              ) -> tuple[int, bytes, bytes | None]:
    """`codex ARGS` on `home`, in a work directory beside it and a process group of its own:
    (exit status, stdout, stderr). Fails the test when it runs over RUN_TIMEOUT or leaves
    processes behind."""
    work = home.parent / "work"
    work.mkdir(exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home.parent),
           "CODEX_HOME": str(home), "TZ": "UTC", "NO_COLOR": "1"}
    proc = subprocess.Popen([CODEX, *args], cwd=work, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=stderr, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"codex {' '.join(args)} did not finish in {RUN_TIMEOUT} s")
    leftover = _live_members(proc.pid)
    for pid in leftover:
        os.kill(pid, signal.SIGKILL)
    assert not leftover, f"codex {' '.join(args)} left processes behind: {leftover}"
    return proc.returncode, out, err


def stop_daemons(home: Path, settle: float = 2.0, limit: float = 10.0) -> list[int]:
    """Stop the app-server daemon Codex's interactive TUI starts for `home` (it runs from
    `home/packages/app-server-daemon/`, in a session of its own, outlives the TUI, and may
    come up just after the TUI is gone: looked for until none has been seen for `settle`
    seconds); the pids it stopped."""
    stopped: list[int] = []
    deadline = time.monotonic() + limit
    quiet_since = time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - quiet_since < settle:
        found = [pid for pid in _home_processes(home) if pid not in stopped]
        for pid in found:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if found:
            stopped += found
            quiet_since = time.monotonic()
        time.sleep(0.1)
    return stopped


def _home_processes(home: Path) -> list[int]:
    """Processes run from a program inside `home`."""
    prefix = os.fsencode(str(home)) + b"/"
    return [pid for pid, _ in processes() if (run := argv(pid)) and run[0].startswith(prefix)]


def _live_members(pgid: int, grace: float = 2.0) -> list[int]:
    """Processes still running in the process group Codex was started in (zombies, which
    only wait for init to reap them, don't count), after `grace` seconds to exit."""
    deadline = time.monotonic() + grace
    while True:
        live = [pid for pid, fields in processes() if int(fields[2]) == pgid]
        if not live or time.monotonic() > deadline:
            return live
        time.sleep(0.1)


def indexed_home(tmp_path: Path, mock: MockModel) -> Path:
    """`make_home`, then one `codex exec`: Codex indexes the home (state_5.sqlite) on its
    first run, and its app-server lists what that index holds."""
    home = make_home(tmp_path, mock)
    # A new session (resuming one would move it, in Codex's index, to where it was resumed)
    code, _, err = run_codex(home, "exec", "--skip-git-repo-check", "warm up the index")
    assert code == 0, (err or b"")[-2000:]
    return home


def app_server_store(home: Path, label: str = "app-server"):
    """An AppServerThreadStore over the pinned `codex app-server` serving `home`."""
    from codex_tui.store.thread_store.appserver import AppServerThreadStore
    from codex_tui.store.thread_store.jsonrpc import AppServerClient, ServerCommand

    client = AppServerClient(ServerCommand([CODEX, "app-server"], "codex app-server",
                                           env={"CODEX_HOME": str(home)}))
    return AppServerThreadStore(client, label)


# -- what Codex says and asks, for the compatibility tests ------------------------------


def codex(home: Path, *args: str) -> tuple[int, str]:
    """Run the Codex CLI on `home`; (exit status, stdout + stderr)."""
    code, out, _ = run_codex(home, *args, stderr=subprocess.STDOUT)
    return code, out.decode(errors="replace")


def resume(home: Path, mock: MockModel, ref: str, prompt: str,
           *flags: str) -> tuple[int, str, dict | None]:
    """`codex exec resume [flags] REF PROMPT`: status, output, and the model request it made
    (None when it made none)."""
    before = len(mock.requests)
    code, out = codex(home, "exec", "--skip-git-repo-check", "resume", *flags, ref, prompt)
    assert len(mock.requests) - before <= 1, out[-2000:]
    return code, out, mock.requests[-1] if len(mock.requests) > before else None


def session_id(out: str) -> str | None:
    match = re.search(r"^session id: (\S+)$", out, re.M)
    return match.group(1) if match else None


def user_texts(request: dict) -> list[str]:
    texts = []
    for item in request["input"]:
        if item.get("type") == "message" and item.get("role") == "user":
            text = "".join(part.get("text", "") for part in item["content"])
            if not text.lstrip().startswith(("<", "# AGENTS.md")):
                texts.append(text)
    return texts
