"""Every command and screen over a hostile CODEX_HOME (tests/support/hostile.py): no traceback, a
bounded time and memory, each problem stated once, and not a byte of the home changed."""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest
from support.apps import picker_app, settle
from support.hostile import HostileHome, build_hostile_home, snapshot_tree, tid

from codex_tui.cli import main

MEMORY_LIMIT = 1536 * 1024 * 1024  # address space for a subprocess: bounded, not the test's
COMMAND_SECONDS = 60


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileHome:
    seed = int(os.environ.get("CODEX_TUI_HOSTILE_SEED", "0"))
    return build_hostile_home(tmp_path_factory.mktemp("hostile") / "home", seed=seed)


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    # Ctrl+C as a terminal sends it: a suite started in the background (SIGINT ignored, as
    # a shell does for `&`) must not pass that on to the commands it interrupts.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_cli(home: Path, *args: str, timeout: float = COMMAND_SECONDS
            ) -> subprocess.CompletedProcess:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "codex_tui", "--codex-home", str(home), *args],
        capture_output=True, timeout=timeout, check=False, preexec_fn=_limited,
        env={**os.environ, "COLUMNS": "100"}, stdin=subprocess.DEVNULL)
    assert time.monotonic() - started < timeout
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")[-3000:]
    return done


def listed(home: Path, *extra: str) -> list[dict]:
    done = run_cli(home, "list", "--all", "--json", *extra)
    assert done.returncode == 0, done.stderr
    return orjson.loads(done.stdout)


def in_process(capsys, home: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--codex-home", str(home), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_list_survives_and_states_problems_once(hostile: HostileHome) -> None:
    rows = listed(hostile.path) + listed(hostile.path, "--archived")
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    for row in rows:
        messages = [(w["message"], w.get("path"), w.get("line")) for w in row["warnings"]]
        assert len(messages) == len(set(messages)), row["id"]
    # Damaged files are listed, not dropped: every regular rollout file's thread shows up.
    for path in hostile.rollouts:
        thread_id = tid(path)
        data = path.read_bytes()
        if not data.strip():
            continue
        assert thread_id in ids, path.name


def test_damage_is_stated(hostile: HostileHome) -> None:
    rows = {r["id"]: r for r in listed(hostile.path) + listed(hostile.path, "--archived")}
    for case in ("garbage", "deep_nesting", "non_utf8", "nul_bytes", "wrong_types"):
        for path in hostile.cases[case]:
            row = rows[tid(path)]
            shown = orjson.loads(run_cli(hostile.path, "show", row["id"], "--json").stdout)
            assert row["warnings"] or shown["warnings"], (case, path.name)


def test_not_rollouts_are_not_listed_and_links_out_are(hostile: HostileHome) -> None:
    ids = {r["id"] for r in listed(hostile.path)}
    for case in ("directory", "fifo", "symlink_loop", "dangling_symlink"):
        for path in hostile.cases[case]:
            assert tid(path) not in ids, case
    (link,) = hostile.cases["symlink_out"]
    assert tid(link) in ids


def test_show_every_thread(capsys, hostile: HostileHome) -> None:
    rows = listed(hostile.path) + listed(hostile.path, "--archived")
    for row in rows:
        for fmt in ("--json", "--markdown"):
            started = time.monotonic()
            code, out, err = in_process(capsys, hostile.path, "show", row["id"], fmt)
            assert code == 0, (row["id"], err)
            assert time.monotonic() - started < 10
            if fmt == "--json":
                shown = orjson.loads(out)
                messages = [(w["message"], w.get("path"), w.get("line"))
                            for w in shown["warnings"]]
                duplicated = [m for m, n in Counter(messages).items() if n > 1]
                assert not duplicated, (row["id"], duplicated)


def test_show_subprocess_on_the_worst(hostile: HostileHome) -> None:
    for case in ("deep_nesting", "non_utf8", "lone_surrogates", "nul_bytes", "truncated"):
        path = hostile.cases[case][0]
        done = run_cli(hostile.path, "show", tid(path), "--markdown")
        assert done.returncode == 0, done.stderr


def test_vanished_file_is_a_clear_error(capsys, tmp_path: Path) -> None:
    home = build_hostile_home(tmp_path / "home", seed=1)
    from codex_tui.store import LocalThreadStore, StoreError

    store = LocalThreadStore(str(home.path), cache=False)
    store.scan()
    victim = hostile_victim(home)
    victim.unlink()
    try:
        thread = store.read_thread(tid(victim))
    except StoreError as exc:  # either refused with a message...
        assert "no session" in str(exc)
    else:  # ...or shown with the problem stated
        assert any("cannot read" in p.message and "No such file" in p.message
                   for p in thread.problems)
    code, _out, _err = in_process(capsys, home.path, "show", tid(victim), "--json")
    assert code in (0, 2)


def hostile_victim(home: HostileHome) -> Path:
    return home.cases["garbage"][0]  # a thread of one file


def test_unreadable_file_is_stated(capsys, tmp_path: Path, monkeypatch) -> None:
    home = build_hostile_home(tmp_path / "home", seed=2)
    victim = hostile_victim(home)
    thread_id = tid(victim)
    if os.geteuid() != 0:
        victim.chmod(0)
    else:  # root reads anything: make the open fail as it would for a user
        import builtins

        real_open = builtins.open

        def refusing(file, *args, **kwargs):
            if os.fspath(file) == str(victim):
                raise PermissionError(13, "Permission denied", str(victim))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", refusing)
    code, out, err = in_process(capsys, home.path, "list", "--all", "--json")
    assert code == 0
    row = next(r for r in orjson.loads(out) if r["id"] == thread_id)
    assert any("ermission" in w["message"] or "cannot read" in w["message"]
               for w in row["warnings"]), row["warnings"]
    code, out, err = in_process(capsys, home.path, "show", thread_id, "--json")
    assert code != 0 or orjson.loads(out)["warnings"]
    assert err.startswith("codex-tui:") or code == 0


def test_locked_sqlite_does_not_matter(hostile: HostileHome) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3,sys,time; db=sqlite3.connect(sys.argv[1], isolation_level=None);"
         "db.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(30)",
         str(hostile.path / "thread_history_1.sqlite")], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"locked"
        assert listed(hostile.path)
    finally:
        holder.kill()
        holder.wait()


def test_huge_line_is_bounded(tmp_path: Path) -> None:
    home = build_hostile_home(tmp_path / "home", seed=3, huge=True)
    (path,) = home.cases["huge_line"]
    thread_id = tid(path)
    rows = listed(home.path)
    assert thread_id in {r["id"] for r in rows}
    done = run_cli(home.path, "show", thread_id, "--json")
    assert done.returncode == 0
    assert b"after the huge line" in done.stdout


def shown_text(pane) -> str:
    from rich.console import Console

    console = Console(width=120, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(pane.query_one("#preview-body").content)
    return console.export_text()


async def test_picker_walks_every_row(hostile: HostileHome) -> None:
    from codex_tui.widgets.preview import PreviewPane
    from codex_tui.widgets.session_list import SessionList

    before = snapshot_tree(hostile.path)
    app = picker_app(hostile.path, cwd=None, all_dirs=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        session_list = app.screen.query_one(SessionList)
        total = len(session_list.rows)
        assert total > 40
        warned = 0
        for n in range(total):
            await pilot.press("down")
            if n % 4:  # every row drawn and previewed; every fourth one waited for
                await pilot.pause()
                continue
            await settle(pilot)
            if "⚠" in shown_text(app.screen.query_one(PreviewPane)):
                warned += 1
        assert warned > 3  # the damage shows in the preview as a note
        for key in ("slash", "n", "u", "l", "escape", "a", "a"):
            await pilot.press(key)
            await settle(pilot)
    assert app.return_code in (None, 0)
    assert snapshot_tree(hostile.path) == before


async def test_transcript_opens_every_kind(hostile: HostileHome) -> None:
    from codex_tui.app import CodexTuiApp
    from codex_tui.store import LocalThreadStore

    before = snapshot_tree(hostile.path)
    store = LocalThreadStore(str(hostile.path))
    for case, paths in sorted(hostile.cases.items()):
        if case in ("directory", "fifo", "symlink_loop", "dangling_symlink"):
            continue
        path = paths[0]
        if not path.read_bytes().strip():
            continue
        app = CodexTuiApp(store, cwd=None, transcript=tid(path))
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            for key in ("end", "home", "o", "r", "tab", "enter"):
                await pilot.press(key)
                await pilot.pause()
            screen = app.screen
            assert screen.__class__.__name__ == "TranscriptScreen", case
            if case in ("garbage", "deep_nesting", "nul_bytes"):
                assert screen.thread is not None and screen.thread.problems, case
        assert app.return_code in (None, 0), case
    assert snapshot_tree(hostile.path) == before


def test_cli_reads_change_nothing(capsys, hostile: HostileHome) -> None:
    before = snapshot_tree(hostile.path)
    for args in (["list", "--all", "--json"], ["list", "--all", "--archived"],
                 ["list", "--all", "--search", "prompt"]):
        in_process(capsys, hostile.path, *args)
    for path in hostile.rollouts[:20]:
        in_process(capsys, hostile.path, "show", tid(path), "--markdown")
    assert snapshot_tree(hostile.path) == before


def test_history_and_search_commands(hostile: HostileHome) -> None:
    before = snapshot_tree(hostile.path)
    for args in (["history", "--json"], ["history", "prompt", "--json"],
                 ["history", "x", "--json", "--cwd", "/nowhere"],
                 ["search", "hello", "--json"], ["search", "still here", "--json"]):
        done = run_cli(hostile.path, *args)
        assert done.returncode == 0, (args, done.stderr)
        assert isinstance(orjson.loads(done.stdout), list)
    rows = orjson.loads(run_cli(hostile.path, "history", "--json").stdout)
    assert any(r["session"] is None for r in rows)  # a prompt of a gone session, still shown
    done = run_cli(hostile.path, "history", "--json")
    assert re.search(rb"warning: .*history.jsonl: \d+ unreadable lines skipped", done.stderr)
    assert snapshot_tree(hostile.path) == before


async def test_history_screen_over_hostile_home(hostile: HostileHome) -> None:
    from codex_tui.app import CodexTuiApp
    from codex_tui.store import LocalThreadStore

    before = snapshot_tree(hostile.path)
    app = CodexTuiApp(LocalThreadStore(str(hostile.path)), cwd=None, history=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for key in ("p", "r", "o", "down", "down", "tab", "h", "e", "down", "tab", "escape"):
            await pilot.press(key)
            await settle(pilot)
    assert app.return_code in (None, 0)
    assert snapshot_tree(hostile.path) == before


def test_export_every_thread_changes_nothing(capsys, hostile: HostileHome) -> None:
    before = snapshot_tree(hostile.path)
    rows = listed(hostile.path) + listed(hostile.path, "--archived")
    for row in rows:
        for fmt in ("markdown", "html", "json"):
            code, out, err = in_process(capsys, hostile.path, "export", row["id"], "-f", fmt)
            assert code == 0, (row["id"], fmt, err)
            assert out
    assert snapshot_tree(hostile.path) == before


def test_writes_over_a_hostile_home_succeed_or_refuse_clearly(capsys, tmp_path: Path) -> None:
    home = build_hostile_home(tmp_path / "home", seed=4)
    rows = listed(home.path)
    for row in rows:
        for args in (["fork", row["id"], "--turn", "1", "--json"],
                     ["rename", row["id"], "hostile [b]name[/b]"],
                     ["archive", row["id"]]):
            code, _out, err = in_process(capsys, home.path, *args)
            assert code == 0 or err.startswith("codex-tui:"), (args, err)
    for row in listed(home.path, "--archived"):
        code, _out, err = in_process(capsys, home.path, "unarchive", row["id"])
        assert code == 0 or err.startswith("codex-tui:"), (row["id"], err)
    for row in listed(home.path):
        code, _out, err = in_process(capsys, home.path, "delete", row["id"], "--yes")
        assert code == 0 or err.startswith("codex-tui:"), (row["id"], err)
    # What is left still lists, and what could not be written says why.
    listed(home.path)
    listed(home.path, "--archived")


def test_following_changes_nothing(hostile: HostileHome) -> None:
    from codex_tui.store import LocalThreadStore

    before = snapshot_tree(hostile.path)
    store = LocalThreadStore(str(hostile.path))
    rows = listed(hostile.path) + listed(hostile.path, "--archived")
    for row in rows:
        follower = store.follow(row["id"], last=5)
        for _ in range(2):
            follower.poll()
        store.watch().poll()
    for row in rows[:3]:  # the command, until interrupted
        proc = subprocess.Popen(
            [sys.executable, "-m", "codex_tui", "--codex-home", str(hostile.path), "tail",
             row["id"], "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            preexec_fn=_limited)
        time.sleep(1.0)
        proc.send_signal(2)  # Ctrl+C
        _out, err = proc.communicate(timeout=20)
        assert b"Traceback" not in err, err.decode(errors="replace")
    assert snapshot_tree(hostile.path) == before
