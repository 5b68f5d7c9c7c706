"""The real-sshd fixture of tests/support/sshd.py, which the `--remote` tests stand on: logging in,
SetEnv, the real Codex CLI over ssh, the failure hosts, and stopping without leftovers."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
from support import sshd
from support.codex_cli import CODEX
from support.codex_cli import skip_unless_installed as codex_marks
from support.sshd import HUNG_CONNECT_TIMEOUT, SSH_COMMAND_VAR, SshServer

pytestmark = sshd.skip_unless_installed()


def test_logs_in_and_runs_a_command(start_sshd) -> None:
    server = start_sshd()
    result = server.run("echo ok")
    assert (result.returncode, result.stdout, result.stderr) == (0, "ok\n", "")
    assert server.alias == "codex-test-host"
    assert server.ssh_command == ["ssh", "-F", str(server.config_path)]
    assert server.env[SSH_COMMAND_VAR] == f"ssh -F {server.config_path}"
    # The alias works for plain ssh and the config, as the product will call it.
    plain = subprocess.run([*server.ssh_command, server.alias, "echo", "plain"],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    assert plain.stdout == "plain\n"


def test_setenv_reaches_the_session(start_sshd, tmp_path: Path) -> None:
    home = tmp_path / "codex-home"
    server = start_sshd({"CODEX_HOME": str(home), "CODEX_TUI_PROBE": "two words; $NOT_EXPANDED"})
    result = server.run('printf "%s|" "$CODEX_HOME" "$CODEX_TUI_PROBE"')
    assert result.stdout == f"{home}|two words; $NOT_EXPANDED|"
    # Each server has its own: a second one started in the same test does not share it.
    other = start_sshd({"CODEX_HOME": "/elsewhere"})
    assert other.port != server.port
    assert other.run('printf %s "$CODEX_HOME"').stdout == "/elsewhere"


def _needs_codex(test):
    for mark in codex_marks():
        test = mark(test)
    return test


@_needs_codex
def test_real_codex_runs_over_ssh(start_sshd) -> None:
    """The npm `codex` is a node script: its directory and node's must be on the PATH."""
    server = start_sshd({"PATH": sshd.remote_path(os.path.dirname(CODEX))})
    result = server.run("codex --version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "codex-cli 0.171.0"


def test_down_host_is_refused_at_once(sshd_server) -> None:
    server = sshd_server
    result, elapsed = _timed(server, server.down_alias)
    assert result.returncode == 255
    assert "Connection refused" in result.stderr
    assert elapsed < 2


def test_refused_host_fails_authentication(sshd_server) -> None:
    server = sshd_server
    result, elapsed = _timed(server, server.refused_alias)
    assert result.returncode == 255
    assert "Permission denied (publickey)" in result.stderr
    assert elapsed < sshd.CONNECT_TIMEOUT
    assert server.wait_log("Connection closed by authenticating user")
    # The failed login does not shut the address out: the next one still gets in.
    assert server.run("echo ok").stdout == "ok\n"


def test_hung_host_times_out_after_connect_timeout(sshd_server) -> None:
    server = sshd_server
    result, elapsed = _timed(server, server.hung_alias)
    assert result.returncode == 255
    assert "timed out during banner exchange" in result.stderr
    assert HUNG_CONNECT_TIMEOUT - 0.2 < elapsed < HUNG_CONNECT_TIMEOUT + 2


def test_hung_host_without_timeout_hangs(start_sshd) -> None:
    """Without ConnectTimeout, ssh waits for the banner as long as the host stays silent:
    only the caller's own timeout ends it."""
    server = start_sshd(hung_timeout=None)
    with pytest.raises(subprocess.TimeoutExpired):
        server.run("true", alias=server.hung_alias, timeout=1)


@pytest.fixture
def gone_after() -> list[tuple[SshServer, subprocess.Popen]]:
    """(server, ssh client) pairs to check once the fixtures are torn down: requested before
    `start_sshd`, so its teardown runs after start_sshd's."""
    pairs: list[tuple[SshServer, subprocess.Popen]] = []
    yield pairs
    for server, session in pairs:
        _assert_gone(server)
        assert session.wait(timeout=5) == 255  # the client saw its connection close
        session.stdout.close()


def test_sshd_is_gone_after_the_test(gone_after, start_sshd) -> None:
    server = start_sshd()
    gone_after.append((server, _long_session(server)))
    assert server.remote_processes()


def test_stop_ends_sshd_sessions_and_what_they_left(start_sshd) -> None:
    server = start_sshd()
    session = _long_session(server)
    # One without the tag in its environment: found as a child of sshd's connection.
    untagged = _long_session(server, "exec env -i sleep 300")
    # One detached from its session (a session of its own, its parent gone): found by the
    # tag SetEnv puts in its environment.
    server.run("setsid sleep 300 </dev/null >/dev/null 2>&1 &")
    assert len(server.remote_processes()) >= 2
    children = sshd._descendants(server.pid)
    untagged_sleeps = [pid for pid in set(children) - set(server.remote_processes())
                       if _argv(pid)[:2] == [b"sleep", b"300"]]
    assert len(untagged_sleeps) == 1
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 3  # all went on SIGTERM: none waited for SIGKILL
    _assert_gone(server)
    live = {pid for pid, _ in sshd._processes()}
    assert not live & set(children)
    for client in (session, untagged):
        assert client.wait(timeout=5) == 255  # the client sees the connection close
        client.stdout.close()
    server.stop()  # a second stop does nothing


def test_missing_sshd_skips_or_fails_when_required(monkeypatch) -> None:
    monkeypatch.setattr(sshd, "SSHD", "/nonexistent/sshd")
    monkeypatch.delenv("CODEX_TUI_REQUIRE_SSHD", raising=False)
    [mark] = sshd.skip_unless_installed()
    assert mark.name == "skip"
    assert "make sshd" in mark.kwargs["reason"]
    monkeypatch.setenv("CODEX_TUI_REQUIRE_SSHD", "1")
    with pytest.raises(RuntimeError, match="/nonexistent/sshd"):
        sshd.skip_unless_installed()


def _timed(server: SshServer, alias: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = server.run("true", alias=alias, timeout=30)
    return result, time.monotonic() - started


def _long_session(server: SshServer, command: str = "exec sleep 300") -> subprocess.Popen:
    """A session that stays open (its remote command waits) until the server stops."""
    session = subprocess.Popen([*server.ssh_command, server.alias, f"echo up; {command}"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    assert session.stdout.readline() == "up\n"
    return session


def _argv(pid: int) -> list[bytes]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")


def _assert_gone(server: SshServer) -> None:
    assert not server.alive()
    assert server.process.returncode is not None
    assert not server.remote_processes()
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.connect(("127.0.0.1", server.port))
