"""The app-server JSON-RPC client against a server that misbehaves on purpose
(tests/support/fake_app_server.py): timeouts, deaths, hangs and unknown methods are clear errors and
a restart, never a frozen caller; no process outlives its client."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from support import script
from support.homes import ROOT
from support.procs import wait_gone

from codex_tui.store.thread_store.jsonrpc import (
    AppServerClient,
    AppServerError,
    AppServerUnavailable,
    MethodNotFound,
    ServerCommand,
)

FAKE = Path(script("fake_app_server.py"))


def client(tmp_path: Path, mode: str, timeout: float = 5.0) -> tuple[AppServerClient, Path]:
    pidfile = tmp_path / ("pid-" + mode.replace(":", "-").replace("/", "-"))
    command = ServerCommand([sys.executable, str(FAKE), mode, str(pidfile)], "fake server")
    return AppServerClient(command, request_timeout=timeout, start_timeout=timeout), pidfile


def pid_of(pidfile: Path) -> int:
    deadline = time.monotonic() + 5
    while not pidfile.exists() or not pidfile.read_text():
        assert time.monotonic() < deadline, "the fake server never started"
        time.sleep(0.02)
    return int(pidfile.read_text())


def test_requests_and_the_initialize_answer(tmp_path):
    c, pidfile = client(tmp_path, "ok")
    try:
        assert c.request("thread/list", {"limit": 3}) == {
            "echo": "thread/list", "params": {"limit": 3}}
        assert c.codex_version == "9.9.9"
        assert c.info["codexHome"] == "/nowhere"
        with pytest.raises(AppServerError, match="it failed") as failed:
            c.request("fail")
        assert failed.value.code == -32603 and failed.value.method == "fail"
    finally:
        c.close()
    assert wait_gone(pid_of(pidfile))


def test_many_threads_share_one_server(tmp_path):
    c, _ = client(tmp_path, "ok")
    results: list[object] = []

    def ask(n: int) -> None:
        results.append(c.request("thread/read", {"n": n})["params"]["n"])

    workers = [threading.Thread(target=ask, args=(n,)) for n in range(20)]
    try:
        for w in workers:
            w.start()
        for w in workers:
            w.join(10)
        assert sorted(results) == list(range(20))
        assert c.restarts == 0
    finally:
        c.close()


def test_a_hung_request_times_out_and_the_next_one_restarts_the_server(tmp_path):
    c, pidfile = client(tmp_path, "hang:thread/read", timeout=0.5)
    try:
        assert c.request("thread/list")["echo"] == "thread/list"
        first = pid_of(pidfile)
        started = time.monotonic()
        with pytest.raises(AppServerUnavailable, match=r"did not answer thread/read within 0\.5 s"):
            c.request("thread/read")
        assert time.monotonic() - started < 3
        assert wait_gone(first), "the hung server was left running"
        assert c.request("thread/list")["echo"] == "thread/list"  # a new server
        assert c.restarts == 1 and pid_of(pidfile) != first
    finally:
        c.close()


def test_a_server_that_dies_fails_its_request_at_once_with_its_last_words(tmp_path):
    c, _ = client(tmp_path, "die:thread/archive", timeout=10)
    try:
        c.request("thread/list")
        started = time.monotonic()
        with pytest.raises(AppServerUnavailable) as died:
            c.request("thread/archive", {"threadId": "x"})
        assert time.monotonic() - started < 3  # not the 10 s timeout
        assert "exited with status 3" in str(died.value)
        assert "dying on thread/archive" in str(died.value)
        assert c.request("thread/list")["echo"] == "thread/list"
    finally:
        c.close()


def test_a_server_that_cannot_start_says_why(tmp_path):
    c, _ = client(tmp_path, "exit")
    with pytest.raises(AppServerUnavailable, match=r"cannot start .*host that refuses"):
        c.request("thread/list")
    c.close()


def test_a_server_that_never_answers_initialize(tmp_path):
    c, pidfile = client(tmp_path, "silent", timeout=0.5)
    with pytest.raises(AppServerUnavailable, match=r"did not start within 0\.5 s"):
        c.request("thread/list")
    assert wait_gone(pid_of(pidfile))
    c.close()


def test_a_missing_program_is_a_sentence(tmp_path):
    c = AppServerClient(ServerCommand([str(tmp_path / "no-such-codex"), "app-server"],
                                      "codex app-server"))
    with pytest.raises(AppServerUnavailable, match="cannot start codex app-server"):
        c.request("thread/list")
    c.close()


def test_unknown_methods_are_detected_and_remembered(tmp_path):
    c, _ = client(tmp_path, "old")
    try:
        assert c.request("thread/list")["echo"] == "thread/list"
        with pytest.raises(MethodNotFound) as missing:
            c.request("fs/readFile", {"path": "/x"})
        assert missing.value.method == "fs/readFile"
        assert not c.has("fs/readFile") and c.has("thread/list")
        with pytest.raises(MethodNotFound):  # known missing: not asked again
            c.request("fs/readFile", {"path": "/x"})
    finally:
        c.close()


def test_garbage_on_stdout_and_server_requests_are_handled(tmp_path):
    c, _ = client(tmp_path, "garbage")
    try:
        assert c.request("thread/list")["echo"] == "thread/list"
        answers = c.request("answers")
        # Its approval request was refused: we never run turns.
        assert any(a.get("id") == 900 and a.get("error", {}).get("code") == -32601
                   for a in answers)
    finally:
        c.close()


def test_notifications_reach_listeners(tmp_path):
    c, _ = client(tmp_path, "ok")
    heard: list[tuple[str, object]] = []
    c.on_notification(lambda method, params: heard.append((method, params)))
    try:
        c.request("notify")
        assert ("thread/archived", {"threadId": "abc"}) in heard
    finally:
        c.close()


def test_closed_clients_refuse_politely(tmp_path):
    c, _ = client(tmp_path, "ok")
    c.request("thread/list")
    c.close()
    with pytest.raises(AppServerUnavailable, match="closed"):
        c.request("thread/list")


_EXIT_WITHOUT_CLOSE = """
import sys
sys.path.insert(0, {root!r})
from codex_tui.store.thread_store.jsonrpc import AppServerClient, ServerCommand
c = AppServerClient(ServerCommand([sys.executable, {fake!r}, "ok", {pidfile!r}], "fake"))
c.request("thread/list")
print("asked", flush=True)
"""


def test_no_server_outlives_a_process_that_forgot_to_close(tmp_path):
    pidfile = tmp_path / "pid"
    code = _EXIT_WITHOUT_CLOSE.format(root=str(ROOT), fake=str(FAKE),
                                      pidfile=str(pidfile))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=30)
    assert out.stdout.strip() == "asked", out.stderr
    assert wait_gone(pid_of(pidfile))


def test_no_server_outlives_a_killed_process(tmp_path):
    """Killed with SIGKILL (no atexit): the server sees its stdin close and goes."""
    pidfile = tmp_path / "pid"
    code = _EXIT_WITHOUT_CLOSE.format(root=str(ROOT), fake=str(FAKE),
                                      pidfile=str(pidfile)) + "import time; time.sleep(60)\n"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "asked"
        proc.kill()
        proc.wait(10)
        assert wait_gone(pid_of(pidfile))
    finally:
        if proc.poll() is None:
            proc.kill()
    assert os.path.exists(pidfile)


def test_a_server_without_fs_read_is_read_through_its_turns(tmp_path):
    """An older app-server cannot send rollout files: the store reads its thread/turns/list,
    every item as what it is, an item type it does not know kept whole, and says so."""
    from codex_tui.store.thread_store.appserver import AppServerThreadStore

    c, _ = client(tmp_path, "nofs")
    store = AppServerThreadStore(c, "old-server")
    try:
        [summary] = store.scan()
        assert summary.source == "subagent:review" and summary.git_branch == "main"
        thread = store.read_thread(summary.id)
        assert not (c.has("fs/readFile") and c.has("fs/getMetadata"))  # found missing
        [turn] = thread.turns
        kinds = [i.kind for i in turn.items]
        assert kinds == ["user_message", "reasoning", "tool_call", "patch", "web_search",
                         "tool_call", "unknown", "agent_message"]
        assert turn.user_message == "fix the build" and turn.status == "completed"
        command = turn.items[2]
        assert (command.command, command.exit_code, command.duration_ms) == ("make", 0, 1200)
        assert turn.items[3].files[0].path == "a.py" and turn.items[3].success is True
        assert turn.items[4].query == "rust serde"
        assert turn.items[5].name == "docs/lookup"
        assert turn.items[6].raw == {"type": "somethingNew", "id": "i7", "payload": 1}
        assert any("thread/turns/list" in p.message for p in thread.problems)
    finally:
        store.close()


def test_closing_a_client_stuck_starting_is_quick(tmp_path):
    """Quitting while a host hangs (ssh still connecting): close() stops the server at once
    and the waiting request fails, instead of holding the exit up to the start timeout."""
    c, pidfile = client(tmp_path, "silent", timeout=30)
    failed: list[BaseException] = []

    def ask() -> None:
        try:
            c.request("thread/list")
        except AppServerUnavailable as exc:
            failed.append(exc)

    worker = threading.Thread(target=ask)
    worker.start()
    pid = pid_of(pidfile)
    time.sleep(0.3)
    started = time.monotonic()
    c.close()
    worker.join(10)
    assert time.monotonic() - started < 3
    assert failed and not worker.is_alive()
    assert wait_gone(pid)


def test_a_missing_method_is_one_sentence(tmp_path):
    c, _ = client(tmp_path, "old")
    try:
        with pytest.raises(MethodNotFound) as missing:
            c.request("thread/archive", {"threadId": "x"})
        assert str(missing.value) == "fake server (Codex 9.9.9) does not support thread/archive"
    finally:
        c.close()


def test_a_background_start_is_used_and_its_failure_reported_once(tmp_path):
    c, pidfile = client(tmp_path, "ok")
    try:
        c.start_soon()
        pid = pid_of(pidfile)
        assert c.request("thread/list")["echo"] == "thread/list"
        assert c.restarts == 0 and pid_of(pidfile) == pid  # the one started early
    finally:
        c.close()
    failing, _ = client(tmp_path, "exit")
    failing.start_soon()
    time.sleep(1.0)
    with pytest.raises(AppServerUnavailable, match="cannot start"):
        failing.request("thread/list")  # the early failure, not a second attempt
    assert failing.restarts == 0
    failing.close()


def _codex_stub(tmp_path, mode: str):
    """A `codex` whose `app-server` is the fake server in `mode`."""
    stub = tmp_path / f"codex-{mode.replace(':', '-').replace('/', '-')}"
    stub.write_text(f"#!/bin/sh\nexec {sys.executable} {FAKE} {mode}\n")
    stub.chmod(0o755)
    return str(stub)


def test_a_write_codex_cannot_start_for_goes_to_the_files(tmp_path, codex_home, monkeypatch):
    from codex_tui.store import LocalThreadStore

    monkeypatch.delenv("CODEX_TUI_WRITES")
    store = LocalThreadStore(str(codex_home), cache=False,
                             codex_bin=_codex_stub(tmp_path, "exit"))
    thread_id = "01a1fe36-5584-7391-9030-75b16ca14546"
    try:
        assert store.archive(thread_id).archived
        assert store.last_write_via().startswith("files: Codex could not start")
        assert list(codex_home.glob(f"archived_sessions/*{thread_id}*"))
    finally:
        store.close()


def test_a_write_codex_stops_answering_is_not_made_twice(tmp_path, codex_home, monkeypatch):
    """Asked, then silent: the write may have been made, so it is not made again on the
    files; the user is told to look before trying again."""
    from codex_tui.store import LocalThreadStore, StoreError

    monkeypatch.delenv("CODEX_TUI_WRITES")
    store = LocalThreadStore(str(codex_home), cache=False,
                             codex_bin=_codex_stub(tmp_path, "hang:thread/archive"))
    thread_id = "01a1fe36-5584-7391-9030-75b16ca14546"
    store._writes.client().request_timeout = 0.5
    try:
        with pytest.raises(StoreError, match="may or may not have been made"):
            store.archive(thread_id)
        assert not list(codex_home.glob(f"archived_sessions/*{thread_id}*"))
    finally:
        store.close()
