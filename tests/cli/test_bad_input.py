"""Bad input never produces a traceback, is never dropped silently, and is never written to.

Spec §7 ("How Codex tolerates bad input") lists what Codex itself does with each kind of
damage; codex-tui must list and show every such file, and say what was wrong: in the
per-thread `warnings` of `list --json`, the top-level `warnings` of `show --json`, and on
stderr for the plain CLI.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from codex_tui.cli import main

TS = "2026-11-21T10:00:00.000Z"
DAY = "sessions/2026/11/21"
GOOD = "01a1fe40-0000-7000-8000-000000000001"
BAD = "01a1fe40-0000-7000-8000-0000000000ba"
CACHE_PROMPT = "beta interactive: why is the [red]cache[/red] cold?"
CACHE_ID = "01a1fe37-7d3b-7fa0-9ed3-e1fdb5097751"


# ---- builders -------------------------------------------------------------------------------


def line(kind: str, payload: object, ts: str = TS) -> str:
    return json.dumps({"timestamp": ts, "type": kind, "payload": payload}) + "\n"


def meta(thread_id: str, cwd: str = "/home/dev/proj") -> str:
    return line("session_meta", {
        "id": thread_id, "timestamp": TS, "cwd": cwd, "originator": "codex_cli_rs",
        "cli_version": "0.120.0", "source": "cli", "model_provider": "openai",
    })


def turn(prompt: str, n: int, reply: str | None = None) -> str:
    reply = reply or f"reply to {prompt}"
    return "".join([
        line("event_msg", {"type": "task_started", "turn_id": f"t{n}"}),
        line("response_item", {"type": "message", "role": "user",
                               "content": [{"type": "input_text", "text": prompt}]}),
        line("event_msg", {"type": "user_message", "message": prompt, "images": []}),
        line("event_msg", {"type": "agent_message", "message": reply}),
        line("event_msg", {"type": "task_complete", "turn_id": f"t{n}"}),
    ])


def rollout(thread_id: str, prompts: list[str]) -> str:
    return meta(thread_id) + "".join(turn(p, n) for n, p in enumerate(prompts, 1))


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def run_subprocess(*args: str, env: dict[str, str] | None = None,
                   cwd: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "codex_tui", *args],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, **(env or {})}, cwd=cwd,
    )


def texts(shown: dict) -> list[str]:
    return [i.get("text") or "" for t in shown["turns"] for i in t["items"]]


# ---- damaged files --------------------------------------------------------------------------


@dataclass
class Case:
    content: bytes
    warning: str  # regex a warning must match (case-insensitive)
    line: int | None = None  # the physical line the warning must name, when there is one
    shown_prompts: tuple[str, ...] = ()  # user messages that must still be shown


def _truncated_last_line() -> Case:
    good = rollout(BAD, ["before the cut"])
    data = good + '{"timestamp":"2026-11-21T10:00:05.000Z","type":"event_msg","payload":{"type":"ag'
    return Case(data.encode(), r"incomplete|cut off|truncat|partial|no newline",
                good.count("\n") + 1, ("before the cut",))


def _invalid_json_in_the_middle() -> Case:
    first = rollout(BAD, ["first prompt"])
    data = first + "{this is: not json]\n" + turn("second prompt", 2)
    return Case(data.encode(), r"json", first.count("\n") + 1, ("first prompt", "second prompt"))


def _non_utf8_bytes() -> Case:
    first = rollout(BAD, ["first prompt"])
    bad_line = line("event_msg", {"type": "agent_message", "message": "caf\u00e9 MARK"})
    bad_line = bad_line.encode().replace(b"\\u00e9", b"\xff\xfe")  # raw bytes in a string
    assert b"\xff\xfe" in bad_line
    data = first.encode() + bad_line + turn("after the bad bytes", 2).encode()
    return Case(data, r"utf-?8", first.count("\n") + 1, ("first prompt", "after the bad bytes"))


def _empty_file() -> Case:
    return Case(b"", r"empty")


def _no_session_meta() -> Case:
    data = turn("a prompt without metadata", 1)
    return Case(data.encode(), r"session.?meta|metadata", None, ("a prompt without metadata",))


CASES: dict[str, Callable[[], Case]] = {
    "truncated-last-line": _truncated_last_line,
    "invalid-json-middle": _invalid_json_in_the_middle,
    "non-utf8-bytes": _non_utf8_bytes,
    "empty-file": _empty_file,
    "no-session-meta": _no_session_meta,
}


def _home_with(make_home, content: bytes) -> Path:
    return make_home({GOOD: rollout(GOOD, ["a healthy session"]), BAD: content})


def _matching(warnings: list[dict], case: Case) -> list[dict]:
    return [
        w for w in warnings
        if re.search(case.warning, w["message"], re.I)
        and (case.line is None or w["line"] == case.line)
    ]


@pytest.mark.parametrize("name", list(CASES))
def test_damaged_file_lists_with_warning(capsys, make_home, name):
    case = CASES[name]()
    home = _home_with(make_home, case.content)
    code, out, _ = run(capsys, "--codex-home", str(home), "list", "--all", "--json")
    assert code == 0
    listed = {s["id"]: s for s in json.loads(out)}
    assert set(listed) == {GOOD, BAD}, "a damaged file must still be listed"
    assert listed[GOOD]["warnings"] == []
    assert _matching(listed[BAD]["warnings"], case), listed[BAD]["warnings"]
    assert all(w["path"] and w["path"].endswith(".jsonl") for w in listed[BAD]["warnings"])

    # The plain listing states the problem on stderr and still prints both sessions.
    code, out, err = run(capsys, "--codex-home", str(home), "list", "--all")
    assert code == 0
    assert GOOD in out and BAD in out
    assert re.search(case.warning, err, re.I), err
    assert BAD in err  # the warning names the file


@pytest.mark.parametrize("name", list(CASES))
def test_damaged_file_shows_with_warning(capsys, make_home, name):
    case = CASES[name]()
    home = _home_with(make_home, case.content)
    code, out, _ = run(capsys, "--codex-home", str(home), "show", BAD, "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["thread"]["id"] == BAD
    assert _matching(shown["warnings"], case), shown["warnings"]
    prompts = [t["user_message"] for t in shown["turns"]]
    for prompt in case.shown_prompts:
        assert prompt in prompts, "the readable lines around the damage must still show"

    code, out, err = run(capsys, "--codex-home", str(home), "show", BAD)
    assert code == 0
    assert re.search(case.warning, err, re.I), err
    for prompt in case.shown_prompts:
        assert prompt in out

    code, out, err = run(capsys, "--codex-home", str(home), "show", BAD, "--markdown")
    assert code == 0
    assert re.search(case.warning, err + out, re.I)


def test_non_utf8_text_is_replaced_not_lost(capsys, make_home):
    case = _non_utf8_bytes()
    home = _home_with(make_home, case.content)
    code, out, _ = run(capsys, "--codex-home", str(home), "show", BAD, "--json")
    assert code == 0
    agent = [t for t in texts(json.loads(out)) if "MARK" in t]
    assert agent == ["caf\ufffd\ufffd MARK"]


def test_damaged_files_via_subprocess(make_home):
    """The real entry point (`python -m codex_tui`): no traceback on stderr, exit 0."""
    home = make_home({
        GOOD: rollout(GOOD, ["a healthy session"]),
        BAD: _truncated_last_line().content,
        "01a1fe40-0000-7000-8000-0000000000bb": _non_utf8_bytes().content,
        "01a1fe40-0000-7000-8000-0000000000bc": b"",
        "01a1fe40-0000-7000-8000-0000000000bd": _no_session_meta().content,
    })
    proc = run_subprocess("--codex-home", str(home), "list", "--all")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.count("\n") == 5
    assert "warning" in proc.stderr.lower()
    for ref in (BAD, "01a1fe40-0000-7000-8000-0000000000bb", "01a1fe40-0000-7000-8000-0000000000bc",
                "01a1fe40-0000-7000-8000-0000000000bd"):
        for fmt in ((), ("--json",), ("--markdown",)):
            proc = run_subprocess("--codex-home", str(home), "show", ref, *fmt)
            assert proc.returncode == 0, (ref, fmt, proc.stderr)
            assert "Traceback" not in proc.stderr, (ref, fmt)


# ---- a 10 MB line ---------------------------------------------------------------------------

BIG = 10 * 1024 * 1024


def _big_text(tag: str) -> str:
    unit = f"{tag} 0123456789 abcdefghijklmnopqrstuvwxyz\n"
    return (unit * (BIG // len(unit) + 1))[:BIG]


def _complete_or_warned(value: str | None, expected: str, warnings: list[dict], line: int):
    """A huge value is either shown in full, or its cut is stated (never lost silently)."""
    if value == expected:
        return
    assert any(w["line"] == line for w in warnings), (
        f"huge value not shown in full ({len(value or '')} of {len(expected)} chars) "
        "and no warning says so")


def test_huge_user_message(capsys, make_home):
    big = _big_text("user")
    data = meta(BAD) + line("event_msg", {"type": "task_started", "turn_id": "t1"})
    data += line("event_msg", {"type": "user_message", "message": big, "images": []})
    data += line("event_msg", {"type": "agent_message", "message": "that was long"})
    data += line("event_msg", {"type": "task_complete", "turn_id": "t1"})
    data += turn("a short follow-up", 2)
    home = _home_with(make_home, data.encode())

    code, out, _ = run(capsys, "--codex-home", str(home), "list", "--all", "--json")
    assert code == 0
    listed = {s["id"]: s for s in json.loads(out)}
    assert set(listed) == {GOOD, BAD}
    assert (listed[BAD]["title"] or "").startswith("user 0123456789")

    code, out, _ = run(capsys, "--codex-home", str(home), "show", BAD, "--json")
    assert code == 0
    shown = json.loads(out)
    assert [t["user_message"][:4] for t in shown["turns"]] == ["user", "a sh"]
    _complete_or_warned(shown["turns"][0]["user_message"], big,
                        shown["warnings"], 3)
    assert "that was long" in texts(shown)

    code, out, _ = run(capsys, "--codex-home", str(home), "show", BAD)
    assert code == 0
    assert "a short follow-up" in out
    code, out, _ = run(capsys, "--codex-home", str(home), "list", "--all")
    assert code == 0
    assert BAD in out


def test_huge_function_call_output(capsys, make_home):
    big = _big_text("out")
    data = meta(BAD) + line("event_msg", {"type": "task_started", "turn_id": "t1"})
    data += line("event_msg", {"type": "user_message", "message": "dump it", "images": []})
    data += line("response_item", {"type": "function_call", "name": "shell", "call_id": "c1",
                                   "arguments": json.dumps({"command": ["bash", "-lc",
                                                                        "cat big.txt"]})})
    data += line("response_item", {"type": "function_call_output", "call_id": "c1",
                                   "output": big})
    data += line("event_msg", {"type": "agent_message", "message": "printed it"})
    data += line("event_msg", {"type": "task_complete", "turn_id": "t1"})
    home = _home_with(make_home, data.encode())

    code, out, _ = run(capsys, "--codex-home", str(home), "list", "--all", "--json")
    assert code == 0
    listed = {s["id"]: s for s in json.loads(out)}
    assert listed[BAD]["title"] == "dump it"

    code, out, _ = run(capsys, "--codex-home", str(home), "show", BAD, "--json")
    assert code == 0
    shown = json.loads(out)
    [tool] = [i for t in shown["turns"] for i in t["items"] if i["kind"] == "tool_call"]
    assert tool["command"] == "cat big.txt"
    _complete_or_warned(tool["output"], big, shown["warnings"], 5)
    assert "printed it" in texts(shown)

    code, out, _ = run(capsys, "--codex-home", str(home), "show", BAD, "--markdown")
    assert code == 0
    assert "printed it" in out


# ---- unknown record types -------------------------------------------------------------------

UNKNOWN_TOP = {"future_field": [1, 2, {"nested": True}], "note": "top-level type from 0.999"}
UNKNOWN_EVENT = {"type": "future_event_kind", "detail": {"a": 1}, "text": "event from 0.999"}
UNKNOWN_RESPONSE = {"type": "future_response_kind", "id": "fr_1", "blob": "response from 0.999"}
UNKNOWN_ITEM = {"type": "FutureTurnItem", "id": "fi_1", "payload_text": "item from 0.999"}


def _unknown_rollout(paginated: bool) -> str:
    records = [
        ("session_meta", {"id": BAD, "timestamp": TS, "cwd": "/home/dev/proj",
                          "originator": "codex-tui", "cli_version": "0.169.0",
                          "source": "vscode", "model_provider": "openai",
                          **({"history_mode": "paginated"} if paginated else {})}),
        ("event_msg", {"type": "task_started", "turn_id": "t1"}),
    ]
    if paginated:
        records.append(("event_msg", {"type": "item_completed", "thread_id": BAD,
                                      "turn_id": "t1",
                                      "item": {"type": "UserMessage", "id": "u1",
                                               "content": [{"type": "text",
                                                            "text": "what is new?"}]}}))
    else:
        records.append(("event_msg", {"type": "user_message", "message": "what is new?",
                                      "images": []}))
    records += [
        ("future_record_type", UNKNOWN_TOP),
        ("event_msg", UNKNOWN_EVENT),
        ("response_item", UNKNOWN_RESPONSE),
    ]
    if paginated:
        records.append(("event_msg", {"type": "item_completed", "thread_id": BAD,
                                      "turn_id": "t1", "item": UNKNOWN_ITEM}))
    records += [
        ("event_msg", {"type": "agent_message", "message": "known reply"}),
        ("event_msg", {"type": "task_complete", "turn_id": "t1"}),
    ]
    out = ""
    for ordinal, (kind, payload) in enumerate(records):
        obj: dict[str, object] = {"timestamp": TS}
        if paginated:
            obj["ordinal"] = ordinal
        obj.update({"type": kind, "payload": payload})
        out += json.dumps(obj) + "\n"
    return out


@pytest.mark.parametrize("paginated", [False, True], ids=["legacy", "paginated"])
def test_unknown_records_are_kept(capsys, make_home, paginated):
    home = _home_with(make_home, _unknown_rollout(paginated).encode())
    code, out, _ = run(capsys, "--codex-home", str(home), "list", "--all", "--json")
    assert code == 0
    listed = {s["id"]: s for s in json.loads(out)}
    assert listed[BAD]["title"] == "what is new?"

    code, out, _ = run(capsys, "--codex-home", str(home), "show", BAD, "--json")
    assert code == 0
    shown = json.loads(out)
    [only] = shown["turns"]
    assert only["user_message"] == "what is new?"
    assert "known reply" in texts(shown)
    unknown = [i for i in only["items"] if i["kind"] == "unknown"]
    raws = [i.get("raw") for i in unknown]
    expected = [UNKNOWN_TOP, UNKNOWN_EVENT, UNKNOWN_RESPONSE]
    if paginated:
        expected.append(UNKNOWN_ITEM)
    for payload in expected:
        assert payload in raws, f"unknown record dropped: {payload}"
    assert len(unknown) == len(expected)

    # Plain and Markdown output show them too (not silently dropped).
    for fmt in ((), ("--markdown",)):
        code, out, _ = run(capsys, "--codex-home", str(home), "show", BAD, *fmt)
        assert code == 0
        assert "top-level type from 0.999" in out
        assert "event from 0.999" in out
        assert "response from 0.999" in out


UNKNOWN_WARNING = re.compile(
    r"unknown|unrecogni[sz]ed|not (?:known|understood)|unsupported", re.I)


@pytest.mark.parametrize("paginated", [False, True], ids=["legacy", "paginated"])
def test_unknown_records_are_stated_in_show_warnings(capsys, make_home, paginated):
    home = _home_with(make_home, _unknown_rollout(paginated).encode())
    code, out, _ = run(capsys, "--codex-home", str(home), "show", BAD, "--json")
    assert code == 0
    warnings = json.loads(out)["warnings"]
    assert [w for w in warnings if UNKNOWN_WARNING.search(w["message"])], warnings
    mentioned = " ".join(w["message"] for w in warnings)
    for name in ("future_record_type", "future_event_kind", "future_response_kind"):
        assert name in mentioned, f"{name} not named in warnings: {warnings}"

    code, _, err = run(capsys, "--codex-home", str(home), "show", BAD)
    assert code == 0
    assert UNKNOWN_WARNING.search(err), err


@pytest.mark.parametrize("paginated", [False, True], ids=["legacy", "paginated"])
def test_unknown_records_are_stated_in_list_warnings(capsys, make_home, paginated):
    # The unknown records are within the first lines, which a listing reads anyway.
    home = _home_with(make_home, _unknown_rollout(paginated).encode())
    code, out, _ = run(capsys, "--codex-home", str(home), "list", "--all", "--json")
    assert code == 0
    listed = {s["id"]: s for s in json.loads(out)}
    warnings = listed[BAD]["warnings"]
    assert [w for w in warnings if UNKNOWN_WARNING.search(w["message"])], warnings
    assert listed[GOOD]["warnings"] == []

    code, _, err = run(capsys, "--codex-home", str(home), "list", "--all")
    assert code == 0
    assert UNKNOWN_WARNING.search(err), err


# ---- the user's mistakes: missing home, unknown id, ambiguous prefix -----------------------


@pytest.mark.parametrize("args", [["list"], ["list", "--all", "--json"], ["show", "abc"],
                                  ["show", "abc", "--json"]])
def test_missing_codex_home(capsys, tmp_path, args):
    missing = tmp_path / "no-such-codex-home"
    code, out, err = run(capsys, "--codex-home", str(missing), *args)
    assert code == 2
    assert out == ""
    assert str(missing) in err
    assert re.search(r"not found|does not exist|no such|missing", err, re.I)
    assert len(err.strip().splitlines()) <= 3


def test_missing_codex_home_env_subprocess(tmp_path):
    missing = tmp_path / "nowhere"
    proc = run_subprocess("list", "--all", env={"CODEX_HOME": str(missing)})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert str(missing) in proc.stderr
    proc = run_subprocess("show", "01a1fe36", "--json", env={"CODEX_HOME": str(missing)})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_codex_home_is_a_file(capsys, tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    code, _, err = run(capsys, "--codex-home", str(not_a_dir), "list", "--all")
    assert code == 2
    assert str(not_a_dir) in err


@pytest.mark.parametrize("fmt", [(), ("--json",), ("--markdown",)])
def test_unknown_id(capsys, codex_home, fmt):
    ref = "01a1fe99-dead-7000-8000-000000000000"
    code, out, err = run(capsys, "--codex-home", str(codex_home), "show", ref, *fmt)
    assert code == 2
    assert out == ""
    assert ref in err
    assert re.search(r"no session|not found|matches nothing|no match", err, re.I)


@pytest.mark.parametrize("ref", ["01a1fe36", "01a1FE36-5", "01a1fe3"])
def test_ambiguous_prefix(capsys, codex_home, ref):
    code, out, err = run(capsys, "--codex-home", str(codex_home), "show", ref, "--json")
    assert code == 2
    assert out == ""
    assert ref in err
    assert re.search(r"several|multiple|ambiguous|matches \d+", err, re.I)
    # The candidates are listed so the user can pick one.
    assert "01a1fe36-5584-7391-9030-75b16ca14546" in err


def test_unknown_and_ambiguous_via_subprocess(codex_home):
    proc = run_subprocess("--codex-home", str(codex_home), "show", "01a1fe36")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "01a1fe36" in proc.stderr
    proc = run_subprocess("--codex-home", str(codex_home), "show", "no-such-thread-name")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "no-such-thread-name" in proc.stderr


# ---- reading never writes -------------------------------------------------------------------


def snapshot(home: Path) -> dict[str, tuple]:
    """Every file and folder under `home`: checksum, size, mode and mtime."""
    state: dict[str, tuple] = {}
    for root, dirs, files in os.walk(home):
        for name in dirs:
            path = Path(root, name)
            st = path.stat()
            state[str(path.relative_to(home)) + "/"] = ("dir", st.st_mode, st.st_mtime_ns)
        for name in files:
            path = Path(root, name)
            st = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            state[str(path.relative_to(home))] = (digest, st.st_size, st.st_mode,
                                                  st.st_mtime_ns)
    st = home.stat()
    state["./"] = ("dir", st.st_mode, st.st_mtime_ns)
    return state


def test_reading_never_writes(capsys, codex_home, tmp_path, monkeypatch):
    home = str(codex_home)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    before = snapshot(codex_home)

    writes: list[tuple[str, str]] = []
    real_open = builtins.open
    real_os_open = os.open

    def spy_open(file, mode="r", *args, **kwargs):
        if isinstance(file, str | bytes | os.PathLike) and any(c in mode for c in "wax+") \
                and str(os.fspath(file)).startswith(home):
            writes.append((str(file), mode))
        return real_open(file, mode, *args, **kwargs)

    def spy_os_open(path, flags, *args, **kwargs):
        if str(os.fspath(path)).startswith(home) and flags & (
                os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC):
            writes.append((str(path), f"flags={flags}"))
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)

    list_args = [[], ["--all"], ["--all", "--json"], ["--all", "--archived"],
                 ["--all", "--archived", "--json"], ["--all", "--sort", "created"],
                 ["--all", "--search", "cache"], ["--cwd", "/home/dev/src/beta", "--json"]]
    for args in list_args:
        code, _, _ = run(capsys, "--codex-home", home, "list", *args)
        assert code == 0, args
    code, out, _ = run(capsys, "--codex-home", home, "list", "--all", "--json")
    ids = [s["id"] for s in json.loads(out)]
    code, out, _ = run(capsys, "--codex-home", home, "list", "--all", "--archived", "--json")
    ids += [s["id"] for s in json.loads(out)]
    assert len(ids) == 28
    for thread_id in ids:
        for fmt in ((), ("--json",), ("--markdown",)):
            code, _, _ = run(capsys, "--codex-home", home, "show", thread_id, *fmt)
            assert code == 0, (thread_id, fmt)
    run(capsys, "--codex-home", home, "show", "picker-demo-thread")
    run(capsys, "--codex-home", home, "show", "01a1fe36")  # ambiguous: exit 2, still no write

    monkeypatch.undo()
    after = snapshot(codex_home)
    assert writes == []
    assert sorted(after) == sorted(before), "files appeared or disappeared"
    assert after == before
    assert not [p for p in after if p.endswith(("-shm", "-wal", "-journal", ".lock"))]


def test_reading_never_writes_subprocess(codex_home):
    before = snapshot(codex_home)
    for args in (["list", "--all"], ["list", "--all", "--json"], ["show", CACHE_ID],
                 ["show", CACHE_ID, "--markdown"], ["show", "picker-demo-thread", "--json"]):
        proc = run_subprocess("--codex-home", str(codex_home), *args)
        assert proc.returncode == 0, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    assert snapshot(codex_home) == before


# ---- session text is literal ----------------------------------------------------------------


def test_markup_in_prompt_is_literal(capsys, codex_home):
    home = str(codex_home)
    code, out, _ = run(capsys, "--codex-home", home, "list", "--all")
    assert code == 0
    assert CACHE_PROMPT in out
    code, out, _ = run(capsys, "--codex-home", home, "list", "--all", "--json")
    [summary] = [s for s in json.loads(out) if s["id"] == CACHE_ID]
    assert summary["title"] == CACHE_PROMPT
    code, out, _ = run(capsys, "--codex-home", home, "list", "--all", "--search", "[red]cache")
    assert CACHE_PROMPT in out

    code, out, _ = run(capsys, "--codex-home", home, "show", CACHE_ID)
    assert code == 0
    assert CACHE_PROMPT in out
    code, out, _ = run(capsys, "--codex-home", home, "show", CACHE_ID, "--markdown")
    assert code == 0
    assert CACHE_PROMPT in out
    code, out, _ = run(capsys, "--codex-home", home, "show", CACHE_ID, "--json")
    assert json.loads(out)["turns"][0]["user_message"] == CACHE_PROMPT


def test_markup_in_prompt_is_literal_subprocess(codex_home):
    proc = run_subprocess("--codex-home", str(codex_home), "list", "--all")
    assert proc.returncode == 0
    assert CACHE_PROMPT in proc.stdout
    proc = run_subprocess("--codex-home", str(codex_home), "show", CACHE_ID)
    assert proc.returncode == 0
    assert CACHE_PROMPT in proc.stdout
    assert "Traceback" not in proc.stderr


ESC_PROMPT = "look \x1b[31mred\x1b[0m and \x1b]0;pwned\x07 title \x9b2J end"
ESC_NAME = "name \x1b[5mblink\x1b[0m"


def test_escape_sequences_not_printed_raw(capsys, make_home):
    data = meta(BAD) + turn(ESC_PROMPT, 1, reply="reply with \x1b[2J clear screen")
    index = json.dumps({"id": GOOD, "thread_name": ESC_NAME,
                        "updated_at": "2026-11-21T10:00:00Z"}) + "\n"
    home = make_home({GOOD: rollout(GOOD, ["plain"]), BAD: data}, index=index)

    outputs = []
    for args in (["list", "--all"], ["list", "--all", "--sort", "created"],
                 ["show", BAD], ["show", BAD, "--markdown"], ["show", GOOD],
                 ["show", GOOD, "--markdown"]):
        code, out, err = run(capsys, "--codex-home", str(home), *args)
        assert code == 0, args
        for stream in (out, err):
            assert "\x1b" not in stream, args
            assert "\x9b" not in stream, args
            assert "\x07" not in stream, args
        outputs.append(out)
    listing, _, shown, markdown, *_ = outputs
    # The text around the escapes is still there.
    for out in (listing, shown, markdown):
        assert "look" in out and "red" in out and "end" in out
    assert "blink" in listing

    # JSON keeps the exact text (escaped by JSON itself, so also safe on a terminal).
    code, out, _ = run(capsys, "--codex-home", str(home), "show", BAD, "--json")
    assert "\x1b" not in out
    assert json.loads(out)["turns"][0]["user_message"] == ESC_PROMPT
    code, out, _ = run(capsys, "--codex-home", str(home), "list", "--all", "--json")
    assert "\x1b" not in out
    names = {s["id"]: s["name"] for s in json.loads(out)}
    assert names[GOOD] == ESC_NAME


def test_escape_sequences_subprocess(make_home):
    home = make_home({BAD: meta(BAD) + turn(ESC_PROMPT, 1)})
    for args in (["list", "--all"], ["show", BAD]):
        proc = subprocess.run(
            [sys.executable, "-m", "codex_tui", "--codex-home", str(home), *args],
            capture_output=True, timeout=120, check=False,
        )
        assert proc.returncode == 0
        assert b"Traceback" not in proc.stderr
        assert b"\x1b" not in proc.stdout + proc.stderr
        assert b"\xc2\x9b" not in proc.stdout + proc.stderr  # U+009B (CSI) as UTF-8
