"""The working directory of pre-envelope (bare-line) sessions, Codex 0.2x.

Their first line `{"id", "timestamp", "instructions", "git"}` has no `cwd`; they record it in
the environment context Codex injects as a user message, in one of two forms by release:
`<environment_context><cwd>PATH</cwd>...` or, older, a plain-text line
`Current working directory: PATH` inside the same tags. Fixtures: tests/fixtures/shapes-home
(see its README).
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from support.apps import picker_app, settle
from support.homes import FIXTURES, copy_home
from support.terminal import child_env, make_stub, read_log, run_cli
from test_picker import SIZE, row_ids

from codex_tui.cli import main
from codex_tui.store import LocalThreadStore, ThreadQuery
from codex_tui.store.envcontext import context_cwd
from codex_tui.store.head import scan_head

SHAPES = FIXTURES / "shapes-home"
XML_ID = "5e7a2a01-8c1d-4f0e-9a55-0d2a2025cafe"  # <cwd>/home/dev/src/delta</cwd>
PLAIN_ID = "5e7a2a02-3b6f-4d21-8e44-1f2a2025beef"  # Current working directory: .../epsilon
CONTEXT_ONLY_ID = "5e7a2a03-77d0-4a9b-b1c2-2e2a2025f00d"  # the context and nothing else
DELTA = "/home/dev/src/delta"
EPSILON = "/home/dev/src/epsilon"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return copy_home(tmp_path / "shapes-home", SHAPES)


def cli_json(capsys, *args: str):
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def bare(*lines: dict) -> bytes:
    return b"".join(json.dumps(o).encode() + b"\n" for o in lines)


def context(text: str) -> dict:
    return {"type": "message", "id": None, "role": "user",
            "content": [{"type": "input_text", "text": text}]}


HEADER = {"id": "5e7a2a09-0000-4000-8000-000000000009", "timestamp": "2025-08-20T10:00:00Z",
          "instructions": None}


# ---- the two forms -----------------------------------------------------------------------


@pytest.mark.parametrize("text, cwd", [
    ("<environment_context>\n  <cwd>/a/b</cwd>\n  <shell>bash</shell>\n</environment_context>",
     "/a/b"),
    ("<environment_context>\n\nCurrent working directory: /c d/e\nApproval policy: never\n\n"
     "</environment_context>", "/c d/e"),
    ("<environment_context>\nCurrent working directory: C:\\Users\\dev\\proj\n"
     "</environment_context>", "C:\\Users\\dev\\proj"),
    # Not the session's cwd: no cwd in the context, or the user's own words.
    ("<environment_context>\n  <approval_policy>never</approval_policy>\n</environment_context>",
     None),
    ("Current working directory: /not/injected", None),
    ("please cd to <cwd>/x</cwd>", None),
])
def test_context_cwd_reads_both_forms_of_injected_context(text, cwd):
    assert context_cwd(context(text)) == cwd


def test_context_cwd_ignores_assistant_messages_and_other_shapes():
    text = "<environment_context><cwd>/a</cwd></environment_context>"
    assert context_cwd({**context(text), "role": "assistant"}) is None
    assert context_cwd({"type": "function_call", "arguments": text}) is None
    assert context_cwd(None) is None
    assert context_cwd({"type": "message", "role": "user", "content": 5}) is None


def test_head_reader_takes_the_cwd_of_the_first_context():
    data = bare(HEADER, {"record_type": "state"},
                context("<environment_context>\n  <cwd>/first</cwd>\n</environment_context>"),
                context("hello"),
                context("<environment_context>\n  <cwd>/second</cwd>\n</environment_context>"))
    head = scan_head(io.BytesIO(data), "x.jsonl")
    assert head.bare and head.cwd == "/first"
    assert head.preview == "hello"


def test_session_meta_cwd_wins_over_a_context():
    meta = {"timestamp": "2026-11-21T10:00:00Z", "type": "session_meta",
            "payload": {"id": HEADER["id"], "timestamp": "2026-11-21T10:00:00Z", "cwd": "/meta"}}
    item = {"timestamp": "2026-11-21T10:00:00Z", "type": "response_item",
            "payload": context("<environment_context><cwd>/ctx</cwd></environment_context>")}
    head = scan_head(io.BytesIO(bare(meta, item)), "x.jsonl")
    assert head.cwd == "/meta"


# ---- list, show, Markdown ----------------------------------------------------------------


def test_list_json_gives_bare_sessions_their_cwd(home, capsys):
    rows = {r["id"]: r for r in cli_json(capsys, "--codex-home", str(home), "list", "--all",
                                         "--json")}
    assert rows[XML_ID]["cwd"] == DELTA
    assert rows[PLAIN_ID]["cwd"] == EPSILON
    assert rows[CONTEXT_ONLY_ID]["cwd"] == DELTA
    for thread_id in (XML_ID, PLAIN_ID, CONTEXT_ONLY_ID):
        assert rows[thread_id]["format"] == "bare"
        assert rows[thread_id]["warnings"] == []


def test_bare_sessions_list_under_their_directory(home, capsys):
    rows = cli_json(capsys, "--codex-home", str(home), "list", "--cwd", DELTA, "--json")
    assert {r["id"] for r in rows} == {XML_ID, CONTEXT_ONLY_ID}
    rows = cli_json(capsys, "--codex-home", str(home), "list", "--cwd", EPSILON, "--json")
    assert [r["id"] for r in rows] == [PLAIN_ID]
    store = LocalThreadStore(str(home))
    assert {s.id for s in store.list_threads(ThreadQuery(cwd=DELTA))} == {XML_ID, CONTEXT_ONLY_ID}


def test_show_json_and_markdown_give_the_cwd(home, capsys):
    doc = cli_json(capsys, "--codex-home", str(home), "show", PLAIN_ID, "--json")
    assert doc["thread"]["cwd"] == EPSILON
    assert [t["user_message"] for t in doc["turns"]] == ["[0.2x] what does this project do?"]
    assert main(["--codex-home", str(home), "show", XML_ID, "--markdown"]) == 0
    assert f"- **Directory:** `{DELTA}`" in capsys.readouterr().out.splitlines()


def test_a_context_message_alone_is_not_a_turn(home, capsys):
    doc = cli_json(capsys, "--codex-home", str(home), "show", CONTEXT_ONLY_ID, "--json")
    assert doc["turns"] == []
    assert doc["warnings"] == []
    assert main(["--codex-home", str(home), "show", CONTEXT_ONLY_ID, "--markdown"]) == 0
    assert "## Turn" not in capsys.readouterr().out


def test_a_preamble_with_an_unknown_record_is_still_shown(make_home):
    """Only records that show nothing are dropped with the empty turn: an unknown one stays."""
    data = bare(HEADER, {"record_type": "state"},
                context("<environment_context><cwd>/a</cwd></environment_context>"),
                {"type": "message_from_the_future", "x": 1})
    home = make_home({HEADER["id"]: data})
    thread = LocalThreadStore(str(home)).read_thread(HEADER["id"])
    assert [i.kind for t in thread.turns for i in t.items] == ["unknown"]


def test_the_full_reader_fills_in_a_cwd_the_head_did_not_reach(make_home):
    filler = [context(f"filler {n}") for n in range(300)]  # past the head reader's lines
    data = bare(HEADER, *filler,
                context("<environment_context><cwd>/late</cwd></environment_context>"))
    home = make_home({HEADER["id"]: data})
    store = LocalThreadStore(str(home))
    assert store.summary(HEADER["id"]).cwd is None
    assert store.read_thread(HEADER["id"]).summary.cwd == "/late"


async def test_the_picker_shows_bare_sessions_under_this_directory(home):
    app = picker_app(home, cwd=DELTA)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert set(row_ids(app)) == {XML_ID, CONTEXT_ONLY_ID}
        await pilot.press("a")  # every directory
        await settle(pilot)
        assert {XML_ID, PLAIN_ID, CONTEXT_ONLY_ID} <= set(row_ids(app))
        await pilot.press("a")
        await settle(pilot)
        assert set(row_ids(app)) == {XML_ID, CONTEXT_ONLY_ID}


# ---- fork and resume in the right place --------------------------------------------------


def test_fork_of_a_bare_session_carries_its_recorded_cwd(home, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # not where the session ran
    store = LocalThreadStore(str(home), cache=False)
    fork = store.fork_thread(XML_ID, 1)
    first = json.loads(Path(fork.path).read_text().splitlines()[0])
    assert first["type"] == "session_meta"
    assert first["payload"]["cwd"] == DELTA
    assert store.summary(fork.id).cwd == DELTA
    fork = store.fork_thread(PLAIN_ID, 1)
    assert json.loads(Path(fork.path).read_text().splitlines()[0])["payload"]["cwd"] == EPSILON


def test_resume_runs_codex_in_the_recorded_directory(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    home = tmp_path / "home"
    day = home / "sessions/2025/08/20"
    day.mkdir(parents=True)
    data = bare(HEADER, {"record_type": "state"},
                context(f"<environment_context>\n  <cwd>{project}</cwd>\n</environment_context>"),
                context("fix the build"))
    (day / f"rollout-2025-08-20T10-00-00-{HEADER['id']}.jsonl").write_bytes(data)
    stub, log = make_stub(tmp_path)
    proc = run_cli(["--codex-home", str(home), "--codex-bin", str(stub), "resume", "--last"],
                   project, child_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    entries = read_log(log)
    assert entries["argv"] == f"resume {HEADER['id']}"
    assert entries["pwd"] == os.path.realpath(project)
