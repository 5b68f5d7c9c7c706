"""Setting up `benchmarks.remote`: Codex's index of a generated home (one `codex exec resume`
against a loopback mock model), the session it writes to, and an OpenSSH server on 127.0.0.1
that runs `codex app-server` on that home. Nothing here is measured but the indexing.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TEST_CODEX = "/root/.cache/codex-tui-test/codex-0.171.0/node_modules/.bin/codex"
SSHD = "/usr/sbin/sshd"
ALIAS = "codex-bench-host"
# SetEnv'd into every session of this process's sshd, to find what they leave running.
TAG = "CODEX_TUI_BENCH_SSHD"
TAG_VALUE = uuid.uuid4().hex
FORK_TURN = 2  # the writes fork the session at this turn


def find_codex(given: str | None) -> str:
    """--codex, $CODEX_TUI_CODEX_BIN, `codex` on PATH, else the test suite's Codex 0.171.0."""
    for candidate in (given, os.environ.get("CODEX_TUI_CODEX_BIN"), shutil.which("codex"),
                      TEST_CODEX):
        if candidate and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    raise SystemExit("no codex binary: give --codex PATH")


# -- Codex's index: one `codex exec resume` against a loopback model ---------------------------

def mock_model() -> ThreadingHTTPServer:
    """Answers each POST .../responses with one short assistant message (SSE)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # Codex tries a websocket first: no
            self.send_response(404)
            self.send_header("content-length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            usage = {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 0},
                     "output_tokens": 2, "output_tokens_details": {"reasoning_tokens": 0},
                     "total_tokens": 12}
            item = {"type": "message", "role": "assistant", "id": "msg_1",
                    "content": [{"type": "output_text", "text": "warm"}]}
            events = [{"type": "response.created", "response": {"id": "resp_1"}},
                      {"type": "response.output_item.done", "item": item},
                      {"type": "response.completed",
                       "response": {"id": "resp_1", "usage": usage}}]
            body = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("content-length", str(len(body.encode())))
            self.end_headers()
            self.wfile.write(body.encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def indexed(home: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{home / 'state_5.sqlite'}?mode=ro", uri=True) as db:
        return dict(zip(("threads", "archived"), db.execute(
            "SELECT count(*), coalesce(sum(archived), 0) FROM threads").fetchone(), strict=True))


def index_home(home: Path, codex: str, thread_id: str, reindex: bool, work: Path) -> dict:
    """Codex lists what its index holds: index the home with one `codex exec resume`, timed,
    then the same command again on the indexed home (the difference is the indexing; most of
    the second is Codex trying a websocket to the model, five times, before plain HTTP)."""
    if (home / "state_5.sqlite").exists() and not reindex:
        return {"indexed_now": False, **indexed(home)}
    for old in home.glob("state_5.sqlite*"):
        old.unlink()
    server = mock_model()
    config = home / "config.toml"
    before = config.read_bytes() if config.exists() else None
    # The session's provider is `openai`: Codex refuses to resume it with another one.
    config.write_text(f'openai_base_url = "http://127.0.0.1:{server.server_port}/v1"\n')
    env = dict(os.environ, CODEX_HOME=str(home), OPENAI_API_KEY="bench")
    times = []
    try:
        for _ in range(2):
            started = time.monotonic()
            proc = subprocess.run([codex, "exec", "--skip-git-repo-check", "resume", thread_id,
                                   "warm"], env=env, cwd=work, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=900)
            times.append(time.monotonic() - started)
            if proc.returncode != 0:
                raise RuntimeError(f"codex exec resume failed:\n{proc.stderr[-3000:]}")
    finally:
        server.shutdown()
        if before is None:
            config.unlink()
        else:
            config.write_bytes(before)
    return {"indexed_now": True, "first_exec_s": times[0], "indexed_exec_s": times[1],
            "indexing_s": times[0] - times[1], **indexed(home)}


def pick_thread(home: Path) -> str:
    """The newest Codex 0.169 (paginated) session with three turns or more: Codex can fork it
    at a turn, and its writes go through Codex."""
    from codex_tui.store import LocalThreadStore
    from codex_tui.store.query import ThreadQuery

    store = LocalThreadStore(str(home))
    rows = [s for s in store.list_threads(ThreadQuery())
            if s.format == "paginated" and (s.size or 0) < 100_000]
    for s in sorted(rows, key=lambda s: s.updated_at.timestamp() if s.updated_at else 0,
                    reverse=True):
        if len(store.read_thread(s.id).turns) > FORK_TURN:
            return s.id
    raise RuntimeError(f"{home}: no paginated session with {FORK_TURN + 1} turns")


# -- sshd on loopback ---------------------------------------------------------------------------

def start_sshd(work: Path, setenv: dict[str, str]) -> tuple[subprocess.Popen, Path]:
    """Debian's sshd on a free 127.0.0.1 port letting this user in with a key made here;
    returns it and an ssh_config whose Host ALIAS reaches it."""
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # its privilege-separation dir
    d = work / "sshd"
    d.mkdir()
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / name)],
                       check=True, capture_output=True)
    (d / "authorized_keys").write_text((d / "client.pub").read_text())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    (d / "known_hosts").write_text(f"[127.0.0.1]:{port} {(d / 'host.pub').read_text()}")
    env = " ".join(f'"{k}={v}"' for k, v in {**setenv, TAG: TAG_VALUE}.items())
    (d / "sshd_config").write_text("\n".join([
        "ListenAddress 127.0.0.1", f"Port {port}", f"HostKey {d / 'host'}",
        f"AuthorizedKeysFile {d / 'authorized_keys'}", f"PidFile {d / 'sshd.pid'}",
        "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
        "PermitRootLogin prohibit-password", "StrictModes no", "UseDNS no", "PrintMotd no",
        "MaxStartups 50", f"SetEnv {env}", ""]))
    config = d / "ssh_config"
    config.write_text("\n".join([
        f"Host {ALIAS}", "  HostName 127.0.0.1", f"  Port {port}",
        f"  IdentityFile {d / 'client'}", "  IdentitiesOnly yes", "  IdentityAgent none",
        f"  UserKnownHostsFile {d / 'known_hosts'}", "  StrictHostKeyChecking yes",
        "  BatchMode yes", "  ControlMaster no", "  ControlPath none", "  LogLevel ERROR", ""]))
    config.chmod(0o600)
    log = open(d / "sshd.log", "wb")  # noqa: SIM115 (sshd writes it until stopped)
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(d / "sshd_config")],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 10
    while b"Server listening" not in (d / "sshd.log").read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"sshd did not start:\n{(d / 'sshd.log').read_text()}")
        time.sleep(0.01)
    probe = subprocess.run(["ssh", "-F", str(config), ALIAS, "true"], capture_output=True,
                           text=True, timeout=30)
    if probe.returncode != 0:
        stop_sshd(proc)
        raise RuntimeError(f"ssh {ALIAS} true: {probe.stderr}")
    return proc, config


def stop_sshd(proc: subprocess.Popen) -> int:
    """Stop sshd; end what its sessions left running (none should): returns how many."""
    proc.terminate()
    proc.wait(10)
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if f"{TAG}={TAG_VALUE}\0".encode() in Path(f"/proc/{pid}/environ").read_bytes():
                left.append(int(pid))
        except OSError:
            continue
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 15)
    return len(left)
