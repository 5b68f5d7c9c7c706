"""A real OpenSSH server on 127.0.0.1 for the tests of `codex-tui --remote HOST`.

`start_sshd(setenv={...})` (a fixture: a factory) starts Debian's /usr/sbin/sshd on a free
loopback port with a temporary host key and a temporary authorized key, and writes a client
ssh_config whose aliases reach it and its failure cases:

    codex-test-host     the server; logs in as the current user with the test key
    codex-refused-host  the same server, with a key it does not accept (auth fails)
    codex-down-host     a closed loopback port (connection refused)
    codex-hung-host     a loopback port that accepts and never says a word (banner timeout)

Tests reach ssh through that config only (`ssh -F CONFIG`; -F also keeps out the user's
~/.ssh/config and /etc/ssh/ssh_config), and point the product at it with
$CODEX_TUI_SSH_COMMAND, which `SshServer.env` sets. After the test, sshd is stopped with its
connections and whatever their sessions started, even processes that left their session
(sessions carry a tag in their environment: sshd gives each connection a session of its own,
so a process group would not catch them).

sshd's SetEnv is fixed when it starts, so a test that serves its own CODEX_HOME starts its own
server: about 0.3 s (sshd listens within milliseconds; the rest is a first login, which proves
the key works). Keys are made once per session; `sshd_server` is one server for the session.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pwd
import re
import selectors
import shlex
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from support.procs import processes

SSHD = "/usr/sbin/sshd"
ALIAS = "codex-test-host"
DOWN_ALIAS = "codex-down-host"
REFUSED_ALIAS = "codex-refused-host"
HUNG_ALIAS = "codex-hung-host"
SSH_COMMAND_VAR = "CODEX_TUI_SSH_COMMAND"
# Marks every process a session of one server starts, to find them when it stops.
TAG_VAR = "CODEX_TUI_SSHD_TAG"

CONNECT_TIMEOUT = 5  # ConnectTimeout of the working and refused aliases, seconds
HUNG_CONNECT_TIMEOUT = 2  # the hung alias's: ssh gives up waiting for the banner after it
START_TIMEOUT = 10  # for sshd to listen and let the test key in
STANDARD_PATH = "/usr/local/bin:/usr/bin:/bin"


# ---- availability ----------------------------------------------------------------------------

def missing() -> str | None:
    """Why the tests cannot run a real sshd here, or None when they can."""
    if not os.access(SSHD, os.X_OK):
        return (f"OpenSSH server not installed at {SSHD} "
                "(`make sshd` installs Debian's openssh-server)")
    for tool in ("ssh", "ssh-keygen"):
        if shutil.which(tool) is None:
            return f"`{tool}` not found (Debian's openssh-client)"
    return None


def skip_unless_installed() -> list:
    """A module's `pytestmark`: skip it when sshd is not installed, or fail at once when
    $CODEX_TUI_REQUIRE_SSHD says it must be (as support/codex_cli.py does for the Codex
    CLI)."""
    reason = missing()
    if reason is None:
        return []
    if os.environ.get("CODEX_TUI_REQUIRE_SSHD"):
        raise RuntimeError(reason)
    return [pytest.mark.skip(reason=reason)]


def _require() -> None:
    """In a fixture: skip the test, or fail it when $CODEX_TUI_REQUIRE_SSHD is set."""
    reason = missing()
    if reason is None:
        return
    if os.environ.get("CODEX_TUI_REQUIRE_SSHD"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def remote_path(*dirs: str | os.PathLike) -> str:
    """A PATH for SetEnv: `dirs` first, then the directory of `node` (the npm `codex` is a
    node script), then the standard directories."""
    node = shutil.which("node")
    parts = [*map(str, dirs), *([os.path.dirname(node)] if node else []),
             *STANDARD_PATH.split(":")]
    return ":".join(dict.fromkeys(parts))


# ---- keys ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SshKeys:
    """Key files made once per session: the server's host key, the key the server accepts
    (`client`) and one it does not (`stranger`). Each `x` is the private key; `x.pub` beside."""

    host: Path
    client: Path
    stranger: Path

    @classmethod
    def generate(cls, directory: Path) -> SshKeys:
        paths = {}
        for name in ("host", "client", "stranger"):
            path = directory / f"{name}_ed25519"
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                            f"codex-tui-test-{name}", "-f", str(path)],
                           check=True, stdin=subprocess.DEVNULL, capture_output=True)
            paths[name] = path
        return cls(**paths)


def _public(key: Path) -> str:
    return key.with_name(key.name + ".pub").read_text().strip()


# ---- the failure hosts -----------------------------------------------------------------------

class ClosedPort:
    """A loopback port bound and not listening: connecting is refused (the kernel answers with
    a reset), and no other program can take the port while the test holds it."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]

    def close(self) -> None:
        self._sock.close()


class SilentServer:
    """A loopback TCP server that accepts connections and never sends a byte: a host whose
    sshd hangs before its banner. Connections stay open until `close`."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, name="silent-server", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with selectors.DefaultSelector() as sel:
            sel.register(self._listener, selectors.EVENT_READ)
            while not self._stop.is_set():
                if sel.select(timeout=0.1):
                    try:
                        conn, _ = self._listener.accept()
                    except BlockingIOError:
                        continue
                    self._conns.append(conn)  # held open, never read or written

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self._conns:
            conn.close()
        self._listener.close()


# ---- the server ------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@functools.cache
def _sshd_version() -> tuple[int, int]:
    out = subprocess.run([SSHD, "-V"], capture_output=True, text=True, check=False)
    match = re.search(r"OpenSSH_(\d+)\.(\d+)", out.stderr + out.stdout)
    return (int(match[1]), int(match[2])) if match else (0, 0)


def _quote(value: str) -> str:
    """A value for an ssh(d)_config line, double-quoted. Refuses what the quoting cannot
    carry as is: quotes, backslashes (escapes there), line ends."""
    if any(c in value for c in '"\\\n\r\0'):
        raise ValueError(f"cannot write {value!r} in an ssh config")
    return f'"{value}"'


def _path(path: Path) -> str:
    """A file name for the configs, where `%` starts a token (%h, %u...)."""
    if "%" in str(path):
        raise ValueError(f"cannot write {path} in an ssh config: it holds a %")
    return _quote(str(path))


def sshd_config(*, port: int, keys: SshKeys, authorized_keys: Path, pid_file: Path,
                setenv: Mapping[str, str]) -> str:
    lines = [
        "ListenAddress 127.0.0.1",
        f"Port {port}",
        f"HostKey {_path(keys.host)}",
        f"AuthorizedKeysFile {_path(authorized_keys)}",
        f"PidFile {_path(pid_file)}",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "PermitRootLogin prohibit-password",  # CI runs as root; keys only
        # The key files live under /tmp (world-writable): StrictModes would refuse them.
        "StrictModes no",
        "PrintMotd no",
        "PrintLastLog no",
        "UseDNS no",
        "LoginGraceTime 30",
        "MaxStartups 50",
        "LogLevel INFO",
    ]
    if _sshd_version() >= (9, 8):
        # Newer sshd blocks a source address for a while after failed or unfinished logins:
        # every test connects from 127.0.0.1, and some fail on purpose.
        lines.append("PerSourcePenalties no")
    if setenv:  # sshd takes the first SetEnv line only: all of them go on one
        lines.append("SetEnv " + " ".join(_quote(f"{k}={v}") for k, v in setenv.items()))
    return "\n".join(lines) + "\n"


def ssh_config(*, port: int, keys: SshKeys, known_hosts: Path, user: str, down_port: int,
               hung_port: int, hung_timeout: int | None) -> str:
    def host(alias: str, port: int, identity: Path, timeout: int | None) -> list[str]:
        lines = [f"Host {alias}", "  HostName 127.0.0.1", f"  Port {port}",
                 f"  User {user}", f"  IdentityFile {_path(identity)}"]
        if timeout is not None:
            lines.append(f"  ConnectTimeout {timeout}")
        return [*lines, ""]

    return "\n".join([
        *host(ALIAS, port, keys.client, CONNECT_TIMEOUT),
        *host(REFUSED_ALIAS, port, keys.stranger, CONNECT_TIMEOUT),
        *host(DOWN_ALIAS, down_port, keys.client, CONNECT_TIMEOUT),
        *host(HUNG_ALIAS, hung_port, keys.client, hung_timeout),
        "Host *",
        "  IdentitiesOnly yes",
        "  IdentityAgent none",
        "  PreferredAuthentications publickey",
        f"  UserKnownHostsFile {_path(known_hosts)}",
        "  GlobalKnownHostsFile /dev/null",
        "  StrictHostKeyChecking yes",
        "  UpdateHostKeys no",
        "  BatchMode yes",
        "  ControlMaster no",
        "  ControlPath none",
        "  ForwardAgent no",
        "  ForwardX11 no",
        "  LogLevel ERROR",
        "",
    ])


@dataclass
class SshServer:
    """A running sshd and the client config that reaches it (see the module's docstring)."""

    port: int
    config_path: Path
    log_path: Path
    setenv: dict[str, str]
    process: subprocess.Popen
    tag: str
    alias: str = ALIAS
    refused_alias: str = REFUSED_ALIAS
    down_alias: str = DOWN_ALIAS
    hung_alias: str = HUNG_ALIAS
    _closers: list[Callable[[], None]] = field(default_factory=list, repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def ssh_command(self) -> list[str]:
        return ["ssh", "-F", str(self.config_path)]

    @property
    def env(self) -> dict[str, str]:
        """This process's environment with $CODEX_TUI_SSH_COMMAND pointing ssh at the test
        config: for `subprocess.run(..., env=server.env)`."""
        return {**os.environ, SSH_COMMAND_VAR: shlex.join(self.ssh_command)}

    @property
    def pid(self) -> int:
        return self.process.pid

    def run(self, cmd: str | Sequence[str], *, alias: str | None = None,
            input: str | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
        """`ssh ALIAS CMD` (text, stdout and stderr captured, no check). `cmd` is a remote
        shell command line, or a list of words quoted for it."""
        remote = cmd if isinstance(cmd, str) else shlex.join(cmd)
        return subprocess.run([*self.ssh_command, alias or self.alias, remote], input=input,
                              stdin=None if input is not None else subprocess.DEVNULL,
                              capture_output=True, text=True, errors="replace",
                              timeout=timeout, check=False)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_log(self, text: str, timeout: float = 5) -> bool:
        """Whether `text` shows in sshd's log within `timeout` seconds (sshd may log what
        happened to a connection after the client has already exited)."""
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def remote_processes(self) -> list[int]:
        """Live processes that sessions of this server started (found by the tag SetEnv puts
        in their environment), e.g. a `codex app-server` still running."""
        return _tagged(self.tag)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Stop sshd, its connections and whatever the sessions left running; idempotent.
        sshd is paused first so that it forks no connection while its children are listed
        (once it has exited they would belong to init, out of sight)."""
        if self._stopped:
            return
        self._stopped = True
        if self.alive():
            os.kill(self.pid, signal.SIGSTOP)
            try:
                children = _descendants(self.pid)
                _signal(children, signal.SIGTERM)
                self.process.terminate()
            finally:
                os.kill(self.pid, signal.SIGCONT)
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            _end(children)
        _end(self.remote_processes())
        while self._closers:
            self._closers.pop()()


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, ppid in _processes():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _processes() -> Iterator[tuple[int, int]]:
    """(pid, parent pid) of every live process but zombies."""
    for pid, fields in processes():
        yield pid, int(fields[1])


def _tagged(tag: str) -> list[int]:
    needle = f"{TAG_VAR}={tag}".encode() + b"\0"
    found = []
    for pid, _ in _processes():
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if needle in f.read():
                    found.append(pid)
        except OSError:
            continue
    return found


def _signal(pids: list[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def _end(pids: list[int], grace: float = 3) -> None:
    """SIGTERM `pids`, then SIGKILL those still there after `grace` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not pids:
            return
        _signal(pids, sig)
        deadline = time.monotonic() + grace
        while True:
            live = {p for p, _ in _processes()}
            pids = [p for p in pids if p in live]
            if not pids or time.monotonic() > deadline:
                break
            time.sleep(0.02)


def start(directory: Path, keys: SshKeys, setenv: Mapping[str, str] | None = None, *,
          hung_timeout: int | None = HUNG_CONNECT_TIMEOUT) -> SshServer:
    """Start sshd with its files in `directory` (made if missing); return it once the test
    key logs in. `setenv`: the environment of every session (sshd's SetEnv). `hung_timeout`:
    the hung alias's ConnectTimeout (None: none, ssh then waits for the banner forever)."""
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        # Run as root, sshd chroots its unprivileged half into this directory and will not
        # start without it (Debian's init script makes it the same way).
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    tag = uuid.uuid4().hex
    env = {TAG_VAR: tag, **(setenv or {})}
    authorized = directory / "authorized_keys"
    authorized.write_text(_public(keys.client) + "\n")
    known_hosts = directory / "known_hosts"
    user = pwd.getpwuid(os.getuid()).pw_name
    closers: list[Callable[[], None]] = []
    down, hung = ClosedPort(), SilentServer()
    closers += [down.close, hung.close]
    try:
        for _attempt in range(5):  # another program may take the free port first
            port = _free_port()
            known_hosts.write_text(f"[127.0.0.1]:{port} {_public(keys.host)}\n")
            config = directory / "sshd_config"
            config.write_text(sshd_config(port=port, keys=keys, authorized_keys=authorized,
                                          pid_file=directory / "sshd.pid", setenv=env))
            client = directory / "ssh_config"
            client.write_text(ssh_config(port=port, keys=keys, known_hosts=known_hosts,
                                         user=user, down_port=down.port, hung_port=hung.port,
                                         hung_timeout=hung_timeout))
            client.chmod(0o600)  # ssh refuses a config others may write
            log = directory / "sshd.log"
            with open(log, "wb") as log_file:
                process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)],
                                           stdin=subprocess.DEVNULL, stdout=log_file,
                                           stderr=subprocess.STDOUT, start_new_session=True)
            server = SshServer(port=port, config_path=client, log_path=log,
                               setenv=dict(setenv or {}), process=process, tag=tag)
            if _wait_listening(server):
                server._closers = closers
                break
            server.stop()  # it exited: the port was taken
        else:
            raise RuntimeError(f"sshd did not start on 127.0.0.1:\n{server.log()}")
    except BaseException:
        for close in closers:
            close()
        raise
    try:
        probe = server.run("true", timeout=START_TIMEOUT)
        if probe.returncode != 0:
            raise RuntimeError(f"sshd on port {port} did not let the test key in "
                               f"(ssh: {probe.stderr.strip()!r}):\n{server.log()}")
    except BaseException:
        server.stop()
        raise
    return server


def _wait_listening(server: SshServer) -> bool:
    """Wait for sshd's "Server listening" line: True then, False if sshd exits first (the
    port was taken). Watching the log, not connecting: a connection closed before it logs in
    counts against the address in newer sshd (PerSourcePenalties)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if "Server listening on" in server.log():
            return True
        if not server.alive():
            return False
        time.sleep(0.005)
    server.stop()
    raise RuntimeError(f"sshd did not listen within {START_TIMEOUT} s:\n{server.log()}")


# ---- fixtures (registered in tests/conftest.py) ----------------------------------------------

@pytest.fixture(scope="session")
def sshd_keys(tmp_path_factory: pytest.TempPathFactory) -> SshKeys:
    """The host key and the client keys, made once per test session."""
    _require()
    return SshKeys.generate(tmp_path_factory.mktemp("ssh-keys"))


@pytest.fixture
def start_sshd(sshd_keys: SshKeys, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[Callable[..., SshServer]]:
    """A factory: `start_sshd(setenv=None, *, hung_timeout=2) -> SshServer`, a real sshd on
    127.0.0.1 whose sessions get `setenv`; every server it started is stopped after the
    test."""
    servers: list[SshServer] = []

    def factory(setenv: Mapping[str, str] | None = None, *,
                hung_timeout: int | None = HUNG_CONNECT_TIMEOUT) -> SshServer:
        server = start(tmp_path_factory.mktemp("sshd"), sshd_keys, setenv,
                       hung_timeout=hung_timeout)
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def sshd_server(sshd_keys: SshKeys, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[SshServer]:
    """One server for the whole session, for tests that need no SetEnv of their own (the
    failure hosts, a plain login); stopped at the end of the session."""
    server = start(tmp_path_factory.mktemp("sshd"), sshd_keys)
    yield server
    server.stop()
