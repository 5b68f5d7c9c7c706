"""A client of `codex app-server`: JSON-RPC 2.0, one JSON object per line on its stdio.

One process per client, started on first use (`codex app-server`, `ssh HOST codex
app-server`, or any command that speaks the protocol), initialized, and shut down with the
client (or at exit). A reader thread matches responses to requests; every request has a
timeout. A server that dies or stops answering is killed and reported in a sentence, and the
next request starts a new one: a hung server never freezes a caller for longer than its
timeout. Requests the server makes of us (approvals, ...) are refused: we never run turns.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import os
import re
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson

from ..errors import StoreError

REQUEST_TIMEOUT = 30.0  # seconds a request may take before the server counts as hung
START_TIMEOUT = 30.0  # seconds to start and initialize (ssh connects first)
CLOSE_GRACE = 2.0  # seconds a server gets to exit once its stdin is closed
RETRY_AFTER = 5.0  # seconds a background start's failure stands before a new attempt
STDERR_LINES = 20  # last lines of the server's stderr kept for error messages
METHOD_NOT_FOUND = -32601
INVALID_REQUEST = -32600

Notification = Callable[[str, Any], None]


class AppServerError(StoreError):
    """The server answered a request with an error."""

    def __init__(self, message: str, code: int | None = None, method: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.method = method


class MethodNotFound(AppServerError):
    """This Codex version does not have the method (JSON-RPC -32601)."""


class AppServerUnavailable(StoreError):
    """The server could not be started, died, or did not answer in time."""


class ServerNotStarted(AppServerUnavailable):
    """The server could not be started: nothing was asked of it (a write can go elsewhere;
    one it stopped answering in the middle of cannot)."""


class ServerCommand:
    """How to start a server: `argv` (or a shell command line, `shell`), extra environment,
    and a label for messages ("codex app-server on HOST")."""

    __slots__ = ("argv", "env", "label", "shell")

    def __init__(self, argv: Sequence[str] | str, label: str,
                 env: Mapping[str, str] | None = None, shell: bool = False) -> None:
        self.argv = argv
        self.label = label
        self.env = dict(env or {})
        self.shell = shell

    def display(self) -> str:
        import shlex

        return self.argv if isinstance(self.argv, str) else shlex.join(self.argv)


class _Pending:
    __slots__ = ("done", "error", "result")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Any = None
        self.error: StoreError | None = None


class AppServerClient:
    """One `codex app-server` process and the requests sent to it (thread-safe)."""

    def __init__(self, command: ServerCommand, *, client_version: str | None = None,
                 request_timeout: float = REQUEST_TIMEOUT,
                 start_timeout: float = START_TIMEOUT) -> None:
        self.command = command
        self.client_version = client_version or _our_version()
        self.request_timeout = request_timeout
        self.start_timeout = start_timeout
        self.info: dict[str, Any] = {}  # the initialize result (codexHome, userAgent, ...)
        self.restarts = 0  # servers started after the first
        self._lock = threading.RLock()  # starting, stopping
        self._write_lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._pending: dict[int, _Pending] = {}
        self._next_id = 0
        self._stderr: collections.deque[str] = collections.deque(maxlen=STDERR_LINES)
        self._listeners: list[Notification] = []
        self._missing: set[str] = set()  # methods this server said it does not have
        self._closed = False
        self._started_once = False
        self._errors_reader: threading.Thread | None = None
        self._early_failure: tuple[float, StoreError] | None = None  # of start_soon()
        _LIVE.add(self)

    # -- public ----------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return self.command.label

    @property
    def running(self) -> bool:
        proc = self._proc
        return proc is not None and proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def codex_version(self) -> str | None:
        """The server's Codex version, from its user agent ("name/0.171.0 (...)")."""
        agent = self.info.get("userAgent")
        match = re.search(r"/(\d+\.\d+\.\d+\S*)", agent) if isinstance(agent, str) else None
        return match.group(1) if match else None

    def has(self, method: str) -> bool:
        """False once the server has said it does not know `method`."""
        return method not in self._missing

    def on_notification(self, listener: Notification) -> None:
        self._listeners.append(listener)

    def request(self, method: str, params: Mapping[str, Any] | None = None,
                timeout: float | None = None) -> Any:
        """Send a request and wait for its result. Raises MethodNotFound, AppServerError
        (the server's error) or AppServerUnavailable (no answer: the server is restarted
        on the next request)."""
        if method in self._missing:
            raise MethodNotFound(f"{self.label} does not support {method}",
                                 METHOD_NOT_FOUND, method)
        self.start()
        return self._call(method, params, self.request_timeout if timeout is None else timeout)

    def start_soon(self) -> None:
        """Start the server in the background (ssh's connection and the server's start take
        a few hundred ms: they can go on while the app is built). A failure is kept for the
        first request to report, not tried a second time at once."""

        def start() -> None:
            try:
                self.start()
            except StoreError as exc:
                self._early_failure = (time.monotonic(), exc)

        threading.Thread(target=start, daemon=True, name=f"start {self.label}").start()

    def start(self) -> None:
        """Start and initialize the server unless it is running."""
        with self._lock:
            if self._closed:
                raise AppServerUnavailable(f"{self.label}: the connection is closed")
            if self.running and self.info:
                return
            failed, self._early_failure = self._early_failure, None
            if failed is not None and time.monotonic() - failed[0] < RETRY_AFTER:
                raise failed[1]
            self._stop_process()
            if self._started_once:
                self.restarts += 1
            self._started_once = True
            try:
                self._spawn()
                self.info = self._call("initialize", {
                    "clientInfo": {"name": "codex-tui", "title": "codex-tui",
                                   "version": self.client_version},
                    # thread/search is experimental in 0.171; we never run turns.
                    "capabilities": {"experimentalApi": True},
                }, self.start_timeout, starting=True) or {}
                self._notify("initialized", {})
            except StoreError as exc:
                self._stop_process()
                raise ServerNotStarted(str(exc)) from None

    def close(self) -> None:
        """Stop the server (stdin closed first, as a clean exit; then signals)."""
        self._closed = True
        proc = self._proc
        if proc is not None and not self.info:
            # Still starting (ssh connecting to a host that hangs): nothing to lose, and the
            # start holds the lock until it gives up.
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGTERM)
        with self._lock:
            self._stop_process()
        _LIVE.discard(self)

    # -- process -----------------------------------------------------------------------------

    def _spawn(self) -> None:
        env = {**os.environ, **self.command.env} if self.command.env else None
        try:
            # A session of its own: the terminal's signals (Ctrl+C in a CLI command) are
            # ours to handle; the server goes when its stdin closes, even if we are killed.
            proc = subprocess.Popen(
                self.command.argv, shell=self.command.shell, env=env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                start_new_session=True, bufsize=0)
        except OSError as exc:
            raise AppServerUnavailable(
                f"cannot start {self.label} ({self.command.display()}): "
                f"{exc.strerror or exc}") from None
        self._proc = proc
        self._stderr.clear()
        errors = threading.Thread(target=self._read_stderr, args=(proc,), daemon=True,
                                  name=f"app-server stderr {proc.pid}")
        errors.start()
        self._errors_reader = errors
        threading.Thread(target=self._read_stdout, args=(proc, errors), daemon=True,
                         name=f"app-server reader {proc.pid}").start()

    def _stop_process(self) -> None:
        proc, self._proc = self._proc, None
        self.info = {}
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if proc.stdin:
                proc.stdin.close()
        try:
            proc.wait(CLOSE_GRACE)
        except subprocess.TimeoutExpired:
            for sig, wait in ((signal.SIGTERM, CLOSE_GRACE), (signal.SIGKILL, 5.0)):
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, sig)
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # Whatever it started in its session (ssh's helpers, codex's children) goes too.
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        self._fail_pending(proc, "stopped")

    def _read_stdout(self, proc: subprocess.Popen[bytes], errors: threading.Thread) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if not line.strip():
                continue
            try:
                message = orjson.loads(line)
            except orjson.JSONDecodeError:
                self._stderr.append(f"(not JSON on stdout) {line[:200]!r}")
                continue
            if isinstance(message, dict):
                self._dispatch(proc, message)
        proc.wait()
        errors.join(1.0)  # its last words (ssh's "Connection refused") belong in the error
        if self._proc is proc:  # died on its own (a stopped one's requests already failed)
            self._fail_pending(proc, "exited")

    def _read_stderr(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            text = line.decode("utf-8", "replace").strip()
            if text:
                self._stderr.append(_strip_ansi(text))

    def _dispatch(self, proc: subprocess.Popen[bytes], message: dict[str, Any]) -> None:
        method = message.get("method")
        if isinstance(method, str):
            if "id" in message:  # a request of the server's: we never run turns
                self._send(proc, {"jsonrpc": "2.0", "id": message["id"], "error": {
                    "code": METHOD_NOT_FOUND,
                    "message": f"codex-tui does not handle {method}"}})
                return
            for listener in list(self._listeners):
                with contextlib.suppress(Exception):
                    listener(method, message.get("params"))
            return
        request_id = message.get("id")
        pending = self._pending.pop(request_id, None) if isinstance(request_id, int) else None
        if pending is None:
            return
        error = message.get("error")
        if isinstance(error, dict):
            code = error.get("code")
            text = str(error.get("message") or "unknown error")
            cls = MethodNotFound if _method_missing(code, text) else AppServerError
            pending.error = cls(text, code if isinstance(code, int) else None)
        else:
            pending.result = message.get("result")
        pending.done.set()

    def _fail_pending(self, proc: subprocess.Popen[bytes], how: str) -> None:
        """Every request still waiting on `proc` fails now, with what the server said."""
        reason = self._death_reason(proc, how)
        for request_id, pending in list(self._pending.items()):
            if not pending.done.is_set():
                self._pending.pop(request_id, None)
                pending.error = AppServerUnavailable(reason)
                pending.done.set()

    def _death_reason(self, proc: subprocess.Popen[bytes], how: str) -> str:
        status = proc.poll()
        said = "; ".join(list(self._stderr)[-3:])
        if status == 127 or "command not found" in said:
            hint = (" (is codex on the PATH of non-interactive shells there? "
                    "--remote-command 'CMD' runs any command instead)")
        else:
            hint = ""
        code = f" with status {status}" if status is not None and how == "exited" else ""
        return f"{self.label} {how}{code}" + (f": {said}" if said else "") + hint

    # -- messages ----------------------------------------------------------------------------

    def _send(self, proc: subprocess.Popen[bytes], message: dict[str, Any]) -> None:
        data = orjson.dumps(message) + b"\n"
        with self._write_lock:
            assert proc.stdin is not None
            proc.stdin.write(data)
            proc.stdin.flush()

    def _notify(self, method: str, params: Any) -> None:
        proc = self._proc
        if proc is not None:
            with contextlib.suppress(OSError, ValueError):
                self._send(proc, {"jsonrpc": "2.0", "method": method, "params": params})

    def _call(self, method: str, params: Mapping[str, Any] | None, timeout: float,
              starting: bool = False) -> Any:
        proc = self._proc
        if proc is None:
            raise AppServerUnavailable(f"{self.label} is not running")
        pending = _Pending()
        with self._lock:
            self._next_id += 1
            request_id = self._next_id
        self._pending[request_id] = pending
        try:
            self._send(proc, {"jsonrpc": "2.0", "id": request_id, "method": method,
                              "params": dict(params or {})})
        except (OSError, ValueError):
            self._pending.pop(request_id, None)
            # It died before reading this: wait for its last words (ssh's reason) first.
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(CLOSE_GRACE)
            if self._errors_reader is not None:
                self._errors_reader.join(1.0)
            raise AppServerUnavailable(self._death_reason(proc, "exited")) from None
        if not pending.done.wait(timeout):
            self._pending.pop(request_id, None)
            what = "start" if starting else f"answer {method}"
            said = "; ".join(list(self._stderr)[-2:])
            with self._lock:
                if self._proc is proc:  # hung: the next request starts a new server
                    self._stop_process()
            raise AppServerUnavailable(
                f"{self.label} did not {what} within {timeout:g} s"
                + (f" ({said})" if said else "") + "; it was stopped and will be restarted")
        if isinstance(pending.error, MethodNotFound):
            self._missing.add(method)
            # (Codex's own words list every method it has: a sentence is kinder.)
            version = f" (Codex {self.codex_version})" if self.codex_version else ""
            pending.error = MethodNotFound(f"{self.label}{version} does not support {method}",
                                           pending.error.code, method)
        if pending.error is not None:
            if isinstance(pending.error, AppServerError):
                pending.error.method = method
            raise pending.error
        return pending.result


def _our_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("codex-tui")
    except metadata.PackageNotFoundError:
        return "0"


def _method_missing(code: object, text: str) -> bool:
    # JSON-RPC's "method not found"; codex app-server (0.171) answers an unknown method
    # with -32600 "Invalid request: unknown variant `x/y`, expected one of ...".
    return code == METHOD_NOT_FOUND or (
        code == INVALID_REQUEST and text.startswith("Invalid request: unknown variant"))


_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _strip_ansi(text: str) -> str:
    return _ANSI_RE.sub("", text)


# Every client still open is closed at exit: no server outlives codex-tui.
_LIVE: weakref.WeakSet[AppServerClient] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for client in list(_LIVE):
        with contextlib.suppress(Exception):
            client.close()
