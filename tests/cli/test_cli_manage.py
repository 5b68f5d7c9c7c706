"""`codex-tui archive | unarchive | rename | delete | export` on a copy of the fixture home."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import orjson
import pytest
from support.homes import FIXTURE_HOME, GOLDEN

from codex_tui.cli import main

PAGINATED = "01a1fe36-976d-7502-9877-b87642d8c5e2"
FORK = "01a1fe36-a3e5-7b30-9c75-8b09d6038321"
FORK_SOURCE = "01a1fe36-9923-7570-9f27-baeff79474f4"


def run(capsys, home: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--codex-home", str(home), *args])
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys, home: Path, *flags: str) -> list[str]:
    code, out, _ = run(capsys, home, "list", "--all", "--json", *flags)
    assert code == 0
    return [row["id"] for row in json.loads(out)]


def test_archive_and_unarchive(capsys, codex_home):
    code, out, err = run(capsys, codex_home, "archive", PAGINATED[:13])
    assert code == 0 and err == ""
    assert out.startswith(f"archived {PAGINATED}")
    assert PAGINATED in listed(capsys, codex_home, "--archived")
    assert PAGINATED not in listed(capsys, codex_home)
    code, _, err = run(capsys, codex_home, "archive", PAGINATED)
    assert code == 2 and "already archived" in err
    code, out, _ = run(capsys, codex_home, "unarchive", PAGINATED)
    assert code == 0 and out.startswith(f"unarchived {PAGINATED}")
    assert PAGINATED in listed(capsys, codex_home)


def test_missing_ids_are_clear_errors(capsys, codex_home):
    for command in (["archive"], ["unarchive"], ["rename"], ["delete"], ["export"]):
        extra = ["x"] if command == ["rename"] else []
        code, out, err = run(capsys, codex_home, *command, "nothing-like-this", *extra)
        assert code == 2 and out == ""
        assert err.startswith("codex-tui: no session matches 'nothing-like-this'"), command


def test_rename_then_resolve_by_name(capsys, codex_home):
    code, out, err = run(capsys, codex_home, "rename", PAGINATED, "  My parser fix ")
    assert (code, err) == (0, "")
    # Not through Codex (conftest says so): the name went to the files, and the line says so.
    assert out == f"named {PAGINATED}  My parser fix  (via files: $CODEX_TUI_WRITES is files)\n"
    code, out, _ = run(capsys, codex_home, "show", "My parser fix", "--json")
    assert json.loads(out)["thread"]["id"] == PAGINATED


def test_rename_collision_warns_on_stderr(capsys, codex_home):
    code, _, err = run(capsys, codex_home, "rename", PAGINATED, "picker-demo-thread")
    assert code == 0
    assert err.startswith("warning: another session is also named 'picker-demo-thread'")


def test_rename_refuses_a_blank_name(capsys, codex_home):
    before = (codex_home / "session_index.jsonl").read_bytes()
    code, _, err = run(capsys, codex_home, "rename", PAGINATED, "  ")
    assert code == 2 and "cannot be empty" in err
    assert (codex_home / "session_index.jsonl").read_bytes() == before


def test_delete_needs_yes_without_a_terminal(capsys, codex_home, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run(capsys, codex_home, "delete", PAGINATED)
    assert code == 2 and "--yes" in err
    assert PAGINATED in listed(capsys, codex_home)


def test_delete_asks_on_a_terminal(capsys, codex_home, monkeypatch):
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Tty("n\n"))
    code, _, err = run(capsys, codex_home, "delete", PAGINATED)
    assert code == 1 and "not deleted" in err
    assert PAGINATED in listed(capsys, codex_home)
    monkeypatch.setattr(sys, "stdin", Tty("y\n"))
    code, out, _ = run(capsys, codex_home, "delete", PAGINATED)
    assert code == 0 and out.startswith(f"deleted {PAGINATED}")
    assert PAGINATED not in listed(capsys, codex_home)


def test_delete_yes_and_the_fork_refusal(capsys, codex_home):
    code, _, err = run(capsys, codex_home, "delete", FORK_SOURCE, "--yes")
    assert code == 2 and "forked history still references it" in err and FORK in err
    assert run(capsys, codex_home, "delete", FORK, "--yes")[0] == 0
    assert run(capsys, codex_home, "delete", FORK_SOURCE, "--yes")[0] == 0
    assert not {FORK, FORK_SOURCE} & set(listed(capsys, codex_home))


def test_unwritable_home_is_refused(capsys, codex_home):
    day = codex_home / "sessions/2026/11/21"
    os.chmod(day, 0o555)
    try:
        code, _, err = run(capsys, codex_home, "archive", PAGINATED)
    finally:
        os.chmod(day, 0o755)
    assert code == 2 and "read-only" in err and "nothing was written" in err


# -- export ----------------------------------------------------------------------------------

def test_export_markdown_matches_the_golden_file(capsys, codex_home):
    code, out, err = run(capsys, codex_home, "export", FORK)
    assert (code, err) == (0, "")
    golden = GOLDEN / "export-fork-0.169.md"
    if os.environ.get("CODEX_TUI_UPDATE_GOLDEN"):
        golden.write_text(out)
    assert out == golden.read_text()


def test_export_to_files_by_extension(capsys, codex_home, tmp_path):
    for name, check in [
        ("t.md", lambda b: b.startswith(b"# ")),
        ("t.html", lambda b: b.startswith(b"<!DOCTYPE html>")),
        ("t.json", lambda b: orjson.loads(b)["thread"]["id"] == FORK),
        ("t.txt", lambda b: b.startswith(b"# ")),  # unknown extension: Markdown
    ]:
        code, out, err = run(capsys, codex_home, "export", FORK, "-o", str(tmp_path / name))
        assert code == 0, err
        assert out.startswith(f"exported {FORK}")
        assert check((tmp_path / name).read_bytes()), name


def test_export_json_is_the_show_json_shape(capsys, codex_home):
    _, shown, _ = run(capsys, codex_home, "show", FORK, "--json")
    _, exported, _ = run(capsys, codex_home, "export", FORK, "--format", "json")
    assert json.loads(exported) == json.loads(shown)


def test_export_does_not_replace_a_file_without_force(capsys, codex_home, tmp_path):
    target = tmp_path / "out.md"
    target.write_text("keep me")
    code, _, err = run(capsys, codex_home, "export", FORK, "-o", str(target))
    assert code == 2 and "already exists" in err
    assert target.read_text() == "keep me"
    code, _, _ = run(capsys, codex_home, "export", FORK, "-o", str(target), "--force")
    assert code == 0 and target.read_text().startswith("# ")


def test_export_refusals(capsys, codex_home, tmp_path):
    code, _, err = run(capsys, codex_home, "export", FORK, "--format", "pdf")
    assert code == 2 and "unknown export format" in err
    code, _, err = run(capsys, codex_home, "export", FORK, "-o", str(tmp_path))
    assert code == 2 and "is a folder" in err
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    code, _, err = run(capsys, codex_home, "export", FORK, "-o", str(locked / "x.md"))
    assert code == 2 and "read-only" in err


def test_the_fixture_home_is_not_touched(capsys):
    before = sorted(p.name for p in FIXTURE_HOME.rglob("*"))
    run(capsys, FIXTURE_HOME, "export", FORK, "--format", "html")
    assert sorted(p.name for p in FIXTURE_HOME.rglob("*")) == before


@pytest.mark.parametrize("fmt", ["markdown", "html", "json"])
def test_export_every_fixture_session(capsys, codex_home, fmt):
    ids = listed(capsys, codex_home) + listed(capsys, codex_home, "--archived")
    for thread_id in ids:
        code, out, err = run(capsys, codex_home, "export", thread_id, "--format", fmt)
        assert code == 0 and out, (thread_id, err)
