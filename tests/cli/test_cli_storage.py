"""`codex-tui du` and `codex-tui prune` on the command line: the JSON shapes scripts rely on,
figures against sizes computed here, a dry run that writes nothing (checksums), refusals in
the exit status, and rules that cannot be applied."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from pathlib import Path

import pytest
from support.bulk_home import FORK, FORK_SOURCE, SPECS, disk_bytes, session_bytes, sid

from codex_tui.cli import main


def checksums(bulk_home: Path) -> dict[str, str]:
    return {str(p.relative_to(bulk_home)): hashlib.sha256(p.read_bytes()).hexdigest()
            + f":{p.stat().st_mtime_ns}"
            for p in sorted(bulk_home.rglob("*")) if p.is_file() and p.suffix != ".lock"}


def cli(capsys, bulk_home: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--codex-home", str(bulk_home), *args])
    out, err = capsys.readouterr()
    return code, out, err


def where(bulk_home: Path, tid: str) -> set[str]:
    return {p.relative_to(bulk_home).parts[0] for p in bulk_home.rglob(f"rollout-*{tid}*")}


# -- du ------------------------------------------------------------------------------------

def test_du_json_against_the_disk(capsys, bulk_home):
    code, out, _ = cli(capsys, bulk_home, "du", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["by"] == "project"
    assert data["total_bytes"] == disk_bytes(bulk_home)
    assert data["files"]["sessions/"] == disk_bytes(bulk_home / "sessions")
    assert data["files"]["archived_sessions/"] == disk_bytes(bulk_home / "archived_sessions")
    assert data["files"]["history.jsonl"] == (bulk_home / "history.jsonl").stat().st_size
    groups = {g["key"]: g for g in data["groups"]}
    alpha = [s for s in SPECS if s.cwd == "/home/dev/alpha"]
    assert groups["/home/dev/alpha"] == {
        "key": "/home/dev/alpha", "sessions": 4,
        "bytes": sum(session_bytes(bulk_home, s.id) for s in alpha),
        "archived_sessions": 1,
        "archived_bytes": sum(session_bytes(bulk_home, s.id) for s in alpha if s.archived)}
    assert data["largest"][0]["id"] == sid(1)
    assert data["largest"][0]["bytes"] == session_bytes(bulk_home, sid(1))
    assert set(data["largest"][0]) >= {"id", "title", "cwd", "bytes"}


@pytest.mark.parametrize("by", ["month", "source", "size"])
def test_du_groupings(capsys, bulk_home, by):
    code, out, _ = cli(capsys, bulk_home, "du", "--by", by, "--json")
    data = json.loads(out)
    assert code == 0 and data["by"] == by
    assert sum(g["sessions"] for g in data["groups"]) == len(SPECS) + 2
    assert sum(g["bytes"] for g in data["groups"]) == \
        disk_bytes(bulk_home / "sessions") + disk_bytes(bulk_home / "archived_sessions")


def test_du_text(capsys, bulk_home):
    code, out, _ = cli(capsys, bulk_home, "du", "--top", "2", "--largest", "1")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"{bulk_home}: ")
    assert "10 sessions (2 archived)" in lines[0]
    alpha = next(ln for ln in lines if ln.endswith("/home/dev/alpha"))
    assert "████████████████████" in alpha  # the biggest group fills its bar
    assert "2 more" in out and "--top 0 shows all" in out
    assert sid(1) in out.split("Largest sessions")[1]


def test_du_writes_nothing(capsys, bulk_home):
    before = checksums(bulk_home)
    cli(capsys, bulk_home, "du")
    cli(capsys, bulk_home, "du", "--json", "--by", "size")
    assert checksums(bulk_home) == before


# -- prune ---------------------------------------------------------------------------------

def test_prune_dry_run_changes_nothing(capsys, bulk_home):
    before = checksums(bulk_home)
    code, out, _ = cli(capsys, bulk_home, "prune", "--all", "--older-than", "90d", "--archive",
                       "--json")
    assert checksums(bulk_home) == before
    data = json.loads(out)
    assert data["dry_run"] is True
    results = {s["id"]: s for s in data["sessions"]}
    assert set(results) == {sid(1), sid(2), FORK_SOURCE, FORK}
    first = results[sid(1)]
    assert {k: first[k] for k in ("action", "result", "bytes", "reason")} == {
        "action": "archive", "result": "would", "bytes": session_bytes(bulk_home, sid(1)),
        "reason": None}
    assert first["path"].endswith(f"{sid(1)}.jsonl")
    assert results[FORK_SOURCE]["result"] == "refused"
    assert "forked history still references it" in results[FORK_SOURCE]["reason"]
    assert data["total_bytes"] == sum(s["bytes"] for s in data["sessions"]
                                      if s["result"] == "would")
    assert code == 1  # something would be refused

    code, out, _ = cli(capsys, bulk_home, "prune", "--cwd", "/home/dev/alpha", "--older-than",
                       "90d", "--archive")
    assert code == 0
    assert "would archive 2 sessions" in out and "--yes" in out
    assert checksums(bulk_home) == before


def test_prune_archive_with_a_refusal(capsys, bulk_home):
    locks = bulk_home / "thread-writer-locks"
    locks.mkdir()
    fd = os.open(locks / f"{sid(2)}.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        code, out, _ = cli(capsys, bulk_home, "prune", "--cwd", "/home/dev/alpha",
                           "--older-than", "30d", "--archive", "--yes", "--json")
    finally:
        os.close(fd)
    data = json.loads(out)
    assert code == 1
    assert data["dry_run"] is False
    assert [(s["id"], s["result"]) for s in data["sessions"]] == [
        (sid(1), "done"), (sid(2), "refused")]
    assert "is open in Codex" in data["sessions"][1]["reason"]
    assert data["total_bytes"] == data["sessions"][0]["bytes"]
    assert where(bulk_home, sid(1)) == {"archived_sessions"}
    assert where(bulk_home, sid(2)) == {"sessions"}


def test_prune_delete_archived_and_text_output(capsys, bulk_home):
    code, out, _ = cli(capsys, bulk_home, "prune", "--all", "--delete", "--yes")
    assert code == 0
    assert where(bulk_home, sid(4)) == where(bulk_home, sid(8)) == set()
    assert "deleted 2 sessions" in out
    assert where(bulk_home, sid(1)) == {"sessions"}  # active ones are not deleted by default


def test_prune_delete_active_needs_include_active(capsys, bulk_home):
    before = checksums(bulk_home)
    code, _, err = cli(capsys, bulk_home, "prune", "--all", "--active", "--delete", "--yes")
    assert code == 2 and "--include-active" in err
    assert checksums(bulk_home) == before
    code, out, _ = cli(capsys, bulk_home, "prune", "--cwd", "/home/dev/beta", "--source",
                       "sub-agent", "--delete", "--include-active", "--yes", "--json")
    assert code == 0
    assert [s["id"] for s in json.loads(out)["sessions"]] == [sid(6)]
    assert where(bulk_home, sid(6)) == set()


@pytest.mark.parametrize("args, words", [
    (["--archive"], "--cwd PATH"),
    (["--all", "--archive", "--older-than", "soon"], "not a duration"),
    (["--all", "--archive", "--larger-than", "big"], "not a size"),
    (["--all", "--archived", "--archive"], "already archived"),
])
def test_prune_rules_that_cannot_be_applied(capsys, bulk_home, args, words):
    code, _, err = cli(capsys, bulk_home, "prune", *args)
    assert code == 2 and words in err


def test_prune_larger_than(capsys, bulk_home):
    code, out, _ = cli(capsys, bulk_home, "prune", "--all", "--larger-than", "250K", "--archive",
                       "--json")
    assert code == 0
    assert {s["id"] for s in json.loads(out)["sessions"]} == {sid(1), sid(2)}


def test_prune_nothing_matches(capsys, bulk_home):
    code, out, err = cli(capsys, bulk_home, "prune", "--cwd", "/nowhere", "--archive", "--yes")
    assert code == 0 and "nothing to do" in out + err


@pytest.mark.parametrize("after_the_move", [False, True])
def test_prune_interrupted_in_a_write_says_which_were_done(capsys, bulk_home, monkeypatch,
                                                           after_the_move):
    """A second Ctrl-C lands inside the second session's write: before its file moved, or
    after (its folder not yet synced). The run says which, from the session as it is."""
    from codex_tui.store import manage

    calls = {"n": 0}
    target = "fsync_dir" if after_the_move else "move_no_replace"
    original = getattr(manage, target)

    def interrupt(*args):
        calls["n"] += 1
        if calls["n"] == (3 if after_the_move else 2):  # (fsync_dir: twice a session)
            raise KeyboardInterrupt
        return original(*args)

    monkeypatch.setattr(manage, target, interrupt)
    code, out, _ = cli(capsys, bulk_home, "prune", "--cwd", "/home/dev/alpha", "--archive",
                       "--yes", "--json")
    assert code == 130
    results = [(s["id"], s["result"]) for s in json.loads(out)["sessions"]]
    second = "done" if after_the_move else "not reached"
    assert results == [(sid(1), "done"), (sid(2), second), (sid(3), "not reached")]
    assert where(bulk_home, sid(2)) == ({"archived_sessions"} if after_the_move else {"sessions"})
    assert where(bulk_home, sid(3)) == {"sessions"}
