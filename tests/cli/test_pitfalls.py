"""One test (or a small group) per compatibility pitfall of the storage spec, §10 (1-10).

Every test builds a minimal CODEX_HOME with `make_home`, or works on a copy of the fixture
home written by real Codex releases (`codex_home`). Everything goes through the public
surface: `LocalThreadStore`, or the CLI (`codex_tui.cli.main`) and its JSON output.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.homes import SAMPLES

from codex_tui.cli import main
from codex_tui.store import LocalThreadStore, ThreadQuery
from codex_tui.store.serialize import thread_json

TS = "2026-11-21T10:00:00.000Z"
DAY = "sessions/2026/11/21"

# Thread ids (UUIDv7-shaped, so they sort by creation like Codex's).
A = "01a1fe40-0000-7000-8000-00000000000a"
B = "01a1fe40-0000-7000-8000-00000000000b"
C = "01a1fe40-0000-7000-8000-00000000000c"
D = "01a1fe40-0000-7000-8000-00000000000d"
E = "01a1fe40-0000-7000-8000-00000000000e"
F = "01a1fe40-0000-7000-8000-00000000000f"
SEG = "01a1fe41-0000-7000-8000-000000000999"
MISSING = "01a1fe99-0000-7000-8000-000000000000"


# ---- builders -------------------------------------------------------------------------------


def line(kind: str, payload: object, ts: str = TS, ordinal: int | None = None) -> str:
    obj: dict[str, object] = {"timestamp": ts}
    if ordinal is not None:
        obj["ordinal"] = ordinal
    obj["type"] = kind
    obj["payload"] = payload
    return json.dumps(obj) + "\n"


def meta(thread_id: str, cwd: str = "/home/dev/proj", ts: str = TS, **extra: object) -> dict:
    payload: dict[str, object] = {
        "id": thread_id,
        "timestamp": ts,
        "cwd": cwd,
        "originator": "codex_cli_rs",
        "cli_version": "0.120.0",
        "source": "cli",
        "model_provider": "openai",
    }
    payload.update(extra)
    return payload


def user_msg(text: str) -> dict:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def legacy_turn(prompt: str, n: int, task_events: bool = True) -> str:
    """One legacy turn: the response item twin, the user_message event, a reply."""
    out = ""
    if task_events:
        out += line("event_msg", {"type": "task_started", "turn_id": f"t{n}"})
    out += line("response_item", user_msg(prompt))
    out += line("event_msg", {"type": "user_message", "message": prompt, "images": []})
    out += line("event_msg", {"type": "agent_message", "message": f"reply to {prompt}"})
    out += line("response_item", {"type": "message", "role": "assistant",
                                  "content": [{"type": "output_text",
                                               "text": f"reply to {prompt}"}]})
    if task_events:
        out += line("event_msg", {"type": "task_complete", "turn_id": f"t{n}",
                                  "last_agent_message": f"reply to {prompt}"})
    return out


def legacy(thread_id: str, prompts: list[str], task_events: bool = True, **meta_extra) -> str:
    out = line("session_meta", meta(thread_id, **meta_extra))
    for n, prompt in enumerate(prompts, 1):
        out += legacy_turn(prompt, n, task_events)
    return out


class Paginated:
    """A paginated rollout: every line has a contiguous `ordinal`; items are item_completed."""

    def __init__(self, thread_id: str, first_ordinal: int = 0, **meta_extra: object) -> None:
        self.thread_id = thread_id
        self.lines: list[str] = []
        self.ordinal = first_ordinal
        self.add("session_meta", meta(thread_id, history_mode="paginated",
                                      cli_version="0.169.0", **meta_extra))

    def add(self, kind: str, payload: object) -> None:
        self.lines.append(line(kind, payload, ordinal=self.ordinal))
        self.ordinal += 1

    def turn(self, prompt: str) -> Paginated:
        turn_id = f"{self.thread_id}-turn-{self.ordinal}"
        self.add("event_msg", {"type": "task_started", "turn_id": turn_id})
        self.add("event_msg", {"type": "item_completed", "thread_id": self.thread_id,
                               "turn_id": turn_id,
                               "item": {"type": "UserMessage", "id": f"u{self.ordinal}",
                                        "content": [{"type": "text", "text": prompt}]}})
        self.add("event_msg", {"type": "item_completed", "thread_id": self.thread_id,
                               "turn_id": turn_id,
                               "item": {"type": "AgentMessage", "id": f"a{self.ordinal}",
                                        "content": [{"type": "Text",
                                                     "text": f"reply to {prompt}"}]}})
        self.add("event_msg", {"type": "task_complete", "turn_id": turn_id})
        return self

    def cut(self) -> dict:
        """A history_base pointing at everything written so far."""
        return {"thread_id": self.thread_id, "end_ordinal_exclusive": self.ordinal,
                "end_byte_offset": len(self.text().encode())}

    def text(self) -> str:
        return "".join(self.lines)


def run_json(capsys, home: Path, *args: str):
    code = main(["--codex-home", str(home), *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err
    return json.loads(out)


def list_all(capsys, home: Path, *extra: str) -> list[dict]:
    return run_json(capsys, home, "list", "--all", "--json", *extra)


def show(capsys, home: Path, ref: str) -> dict:
    return run_json(capsys, home, "show", ref, "--json")


def user_messages(shown: dict) -> list[str | None]:
    return [t["user_message"] for t in shown["turns"]]


def warning_text(warnings: list[dict]) -> str:
    return "\n".join(json.dumps(w) for w in warnings).lower()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- 1. two history modes -------------------------------------------------------------------

LEGACY_SAMPLE = SAMPLES / "legacy-0.46-style-handmade.jsonl"
MIGRATED_SAMPLE = SAMPLES / "legacy-0.46-style-after-migrate-rollouts.jsonl"
SAMPLE_ID = "01990001-0001-7001-8001-000000000001"


def _essentials(shown: dict) -> list[tuple]:
    """What a reader sees of a turn, independent of the history mode it was stored in."""
    out = []
    for t in shown["turns"]:
        items = []
        for it in t["items"]:
            if it["kind"] in ("user_message", "agent_message", "reasoning"):
                items.append((it["kind"], it["text"]))
            elif it["kind"] == "tool_call":
                items.append((it["kind"], it["command"], it["output"], it["exit_code"]))
            elif it["kind"] == "patch":
                items.append((it["kind"], tuple(f["path"] for f in it["files"])))
        out.append((t["user_message"], tuple(items)))
    return out


def test_pitfall_01_two_history_modes(capsys, make_home):
    legacy_home = make_home({SAMPLE_ID: LEGACY_SAMPLE.read_bytes()})
    paginated_home = make_home({SAMPLE_ID: MIGRATED_SAMPLE.read_bytes()})

    [leg] = list_all(capsys, legacy_home)
    [pag] = list_all(capsys, paginated_home)
    assert leg["history_mode"] == "legacy"
    assert pag["history_mode"] == "paginated"
    for summary in (leg, pag):
        assert summary["id"] == SAMPLE_ID
        assert summary["title"] == "Fix the failing test in parser.rs"
        assert summary["cwd"] == "/home/dev/proj"
        assert summary["created_at"] == "2025-10-01T10:00:00.000Z"

    leg_shown = show(capsys, legacy_home, SAMPLE_ID)
    pag_shown = show(capsys, paginated_home, SAMPLE_ID)
    assert user_messages(leg_shown) == ["Fix the failing test in parser.rs"]
    assert _essentials(leg_shown) == _essentials(pag_shown)
    tool = next(i for t in pag_shown["turns"] for i in t["items"] if i["kind"] == "tool_call")
    assert tool["command"] == "cargo test -p parser"
    assert tool["exit_code"] == 101


def test_pitfall_01_fixture_home_every_release_reads(capsys, codex_home):
    """The same conversation recorded by 0.20 (bare lines), 0.50-0.120 (legacy envelopes)
    and 0.150-0.169 (paginated) reads back as the same kind of turns."""
    listed = {s["id"]: s for s in list_all(capsys, codex_home)}
    wanted = "please run the tests and list files"
    runs = {s["id"]: s for s in listed.values() if (s["title"] or "").endswith(wanted)}
    modes = {s["history_mode"] for s in runs.values()}
    assert modes == {"legacy", "paginated"}
    assert len(runs) >= 6
    for thread_id in runs:
        shown = show(capsys, codex_home, thread_id)
        first = shown["turns"][0]
        assert first["user_message"].endswith(wanted)
        tools = [i for i in first["items"] if i["kind"] == "tool_call"]
        assert tools, thread_id
        assert "hello from the tool" in (tools[0]["output"] or ""), thread_id
        assert tools[0]["exit_code"] == 0, thread_id
        assert any(i["kind"] == "agent_message" for i in first["items"]), thread_id


def test_pitfall_01_rewritten_in_place_is_reread_by_a_new_store(capsys, make_home):
    """`codex migrate-rollouts --apply` rewrites a legacy file in place: same path, same
    mtime to the nanosecond. A new store instance must not serve the legacy parse."""
    home = make_home({SAMPLE_ID: LEGACY_SAMPLE.read_bytes()})
    path = home / DAY / f"rollout-2026-11-21T10-00-00-{SAMPLE_ID}.jsonl"
    stamp = 1795266400_123456789
    os.utime(path, ns=(stamp, stamp))

    first = LocalThreadStore(str(home))
    [before] = first.list_threads(ThreadQuery())
    assert before.history_mode == "legacy"
    legacy_json = thread_json(first.read_thread(SAMPLE_ID))
    assert legacy_json["thread"]["history_mode"] == "legacy"
    assert "Fix the failing test in parser.rs" in user_messages(legacy_json)
    assert show(capsys, home, SAMPLE_ID)["thread"]["history_mode"] == "legacy"

    path.write_bytes(MIGRATED_SAMPLE.read_bytes())
    os.utime(path, ns=(stamp, stamp))
    assert path.stat().st_mtime_ns == stamp

    second = LocalThreadStore(str(home))
    [after] = second.list_threads(ThreadQuery())
    assert after.history_mode == "paginated"
    assert after.path == before.path
    migrated = thread_json(second.read_thread(SAMPLE_ID))
    assert migrated["thread"]["history_mode"] == "paginated"
    # The turn boundaries now come from the synthetic task_started/task_complete.
    assert "rollout-5" in [t["turn_id"] for t in migrated["turns"]]

    # Exactly what a store that never saw the legacy content reads from the new bytes.
    fresh_home = make_home({SAMPLE_ID: MIGRATED_SAMPLE.read_bytes()})
    fresh_path = fresh_home / DAY / path.name
    os.utime(fresh_path, ns=(stamp, stamp))
    fresh = thread_json(LocalThreadStore(str(fresh_home)).read_thread(SAMPLE_ID))
    assert migrated["turns"] == fresh["turns"]
    for key in ("title", "preview", "history_mode", "format", "size", "tokens", "created_at",
                "updated_at", "cli_version", "model"):
        assert migrated["thread"][key] == fresh["thread"][key], key

    # And through the CLI (a fresh store per call).
    shown = show(capsys, home, SAMPLE_ID)
    assert shown["thread"]["history_mode"] == "paginated"
    assert shown["turns"] == fresh["turns"]


# ---- 2. paginated forks/reverts are incomplete files ----------------------------------------


def test_pitfall_02_history_base_followed_recursively_into_archive(capsys, make_home):
    # Grandparent G (archived): turns g1, g2.  Parent P forks G after g1, adds p1, p2.
    # Child C forks P after p1, adds c1.  C shows g1, p1, c1.
    grand = Paginated(A).turn("g1")
    grand_cut = grand.cut()
    grand.turn("g2")
    parent = Paginated(B, first_ordinal=grand_cut["end_ordinal_exclusive"],
                       history_base=grand_cut, forked_from_id=A)
    parent.turn("p1")
    parent_cut = parent.cut()
    parent.turn("p2")
    child = Paginated(C, first_ordinal=parent_cut["end_ordinal_exclusive"],
                      history_base=parent_cut, forked_from_id=B)
    child.turn("c1")

    home = make_home({A: grand.text()}, archived=True)
    make_home({B: parent.text(), C: child.text()}, home=home)

    shown = show(capsys, home, C)
    assert user_messages(shown) == ["g1", "p1", "c1"]
    assert [t["inherited"] for t in shown["turns"]] == [True, True, False]
    assert shown["thread"]["forked_from_id"] == B
    assert shown["warnings"] == []

    assert user_messages(show(capsys, home, B)) == ["g1", "p1", "p2"]
    # The archived grandparent itself is untouched by its forks.
    archived = run_json(capsys, home, "list", "--all", "--archived", "--json")
    assert [s["id"] for s in archived] == [A]
    assert user_messages(show(capsys, home, A)) == ["g1", "g2"]


def test_pitfall_02_history_base_into_older_segment_of_same_thread(capsys, make_home):
    # thread/revert before t3: a new segment file with the same id and a history_base that
    # points at the base file, cut before t3.
    base = Paginated(A).turn("t1").turn("t2")
    cut = base.cut()
    base.turn("t3")
    segment = Paginated(A, first_ordinal=cut["end_ordinal_exclusive"], history_base=cut)
    segment.turn("t4 after revert")
    home = make_home({
        A: base.text(),
        f"rollout-2026-11-21T11-00-00-{A}_{SEG}.jsonl": segment.text(),
    })
    shown = show(capsys, home, A)
    assert user_messages(shown) == ["t1", "t2", "t4 after revert"]
    assert shown["warnings"] == []
    assert not any(t["inherited"] for t in shown["turns"])  # same thread, not a parent


def test_pitfall_02_history_base_byte_offset_only(capsys, make_home):
    """A base given by end_byte_offset alone (no ordinals to compare) cuts by bytes."""
    parent_text = legacy(A, ["one", "two"])
    cut = len(legacy(A, ["one"]).encode())
    child = line("session_meta", meta(B, history_mode="paginated", forked_from_id=A,
                                      history_base={"thread_id": A, "end_byte_offset": cut}))
    child += legacy_turn("three", 3)
    home = make_home({A: parent_text, B: child})
    assert user_messages(show(capsys, home, B)) == ["one", "three"]


def _run_cli(home: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "codex_tui", "--codex-home", str(home), *args],
        capture_output=True, text=True, timeout=timeout, check=False,
    )


def test_pitfall_02_history_base_loop_is_reported_not_followed(make_home):
    a = Paginated(A, history_base={"thread_id": B, "end_ordinal_exclusive": 5}).turn("a1")
    b = Paginated(B, history_base={"thread_id": A, "end_ordinal_exclusive": 5}).turn("b1")
    own = Paginated(C, history_base={"thread_id": C, "end_ordinal_exclusive": 5}).turn("c1")
    home = make_home({A: a.text(), B: b.text(), C: own.text()})

    # In a subprocess with a timeout: a reader that follows the loop must not hang the suite.
    listed = _run_cli(home, "list", "--all", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {s["id"] for s in json.loads(listed.stdout)} == {A, B, C}
    for thread_id, own_prompt in ((A, "a1"), (B, "b1"), (C, "c1")):
        proc = _run_cli(home, "show", thread_id, "--json")
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        shown = json.loads(proc.stdout)
        assert own_prompt in user_messages(shown)
        assert "loop" in warning_text(shown["warnings"]), shown["warnings"]
        plain = _run_cli(home, "show", thread_id)
        assert plain.returncode == 0, plain.stderr
        assert "Traceback" not in plain.stderr
        assert "loop" in plain.stderr.lower()


def test_pitfall_02_missing_parent_is_reported(capsys, make_home):
    child = Paginated(B, first_ordinal=9, forked_from_id=MISSING,
                      history_base={"thread_id": MISSING, "end_ordinal_exclusive": 9,
                                    "end_byte_offset": 1234})
    child.turn("my own turn")
    home = make_home({B: child.text()})
    [summary] = list_all(capsys, home)
    assert summary["id"] == B
    shown = show(capsys, home, B)
    assert user_messages(shown) == ["my own turn"]
    text = warning_text(shown["warnings"])
    assert MISSING in text
    assert "not found" in text or "missing" in text

    assert main(["--codex-home", str(home), "show", B]) == 0
    out, err = capsys.readouterr()
    assert MISSING in err
    assert "my own turn" in out


PAG_PARENT = "01a1fe31-df6d-7a70-bb40-8ad562fea740"
PAG_FORK = "01a1fe34-3954-7d32-930c-54d05d3f5d7c"
REVERT_SEGMENT = "01a1fe34-5000-7000-8000-000000000001"


def _real_paginated_home(make_home) -> Path:
    """Real 0.169 files: a paginated thread, a fork of it (history_base, ordinal 32) and a
    revert segment of the thread itself (same id, history_base before its third turn).
    The samples' long strings were elided, so their end_byte_offset no longer matches."""
    return make_home({
        f"rollout-2026-11-21T13-00-43-{PAG_PARENT}.jsonl":
            (SAMPLES / "paginated-thread.jsonl").read_bytes(),
        f"rollout-2026-11-21T13-03-17-{PAG_FORK}.jsonl":
            (SAMPLES / "paginated-fork-lastTurnId.jsonl").read_bytes(),
        f"rollout-2026-11-21T13-03-39-{PAG_PARENT}_{REVERT_SEGMENT}.jsonl":
            (SAMPLES / "paginated-revert-segment.jsonl").read_bytes(),
    })


def test_pitfall_02_real_paginated_fork_and_revert(capsys, make_home):
    home = _real_paginated_home(make_home)
    listed = {s["id"]: s for s in list_all(capsys, home)}
    assert set(listed) == {PAG_PARENT, PAG_FORK}
    assert listed[PAG_FORK]["forked_from_id"] == PAG_PARENT
    assert len(listed[PAG_PARENT]["segments"]) == 2

    fork = show(capsys, home, PAG_FORK)
    assert user_messages(fork) == ["paginated first question", "RUNCMD list files",
                                   "follow-up in fork_pag_last2"]
    assert [t["inherited"] for t in fork["turns"]] == [True, True, False]
    # The reverted thread: its third turn was cut off by the segment's history_base.
    assert user_messages(show(capsys, home, PAG_PARENT)) == ["paginated first question",
                                                             "RUNCMD list files"]


# ---- 3. one thread, several files -----------------------------------------------------------


def test_pitfall_03_segments_list_once(capsys, make_home):
    base = Paginated(A).turn("t1").turn("t2")
    cut = base.cut()
    segment = Paginated(A, first_ordinal=cut["end_ordinal_exclusive"], history_base=cut)
    segment.turn("t3")
    seg_name = f"rollout-2026-11-21T11-00-00-{A}_{SEG}.jsonl"
    home = make_home({A: base.text(), seg_name: segment.text(), B: legacy(B, ["other"])})

    listed = list_all(capsys, home)
    assert sorted(s["id"] for s in listed) == sorted([A, B])
    [thread] = [s for s in listed if s["id"] == A]
    assert thread["path"].endswith(seg_name)  # the newest file is the current one
    assert len(thread["segments"]) == 2
    assert thread["title"] == "t1"

    # Archived listings can hold both files too (Codex 0.169 showed the thread twice).
    archived_home = make_home({A: base.text(), seg_name: segment.text()}, archived=True)
    archived = run_json(capsys, archived_home, "list", "--all", "--archived", "--json")
    assert [s["id"] for s in archived] == [A]
    assert user_messages(show(capsys, archived_home, A)) == ["t1", "t2", "t3"]
    # Resolving by a prefix must not call the two files "several sessions".
    assert show(capsys, archived_home, A[:13])["thread"]["id"] == A


# ---- 4. preview != first response_item user message -----------------------------------------

AGENTS_MD = ("# AGENTS.md instructions for /home/dev/proj\n\n"
             "<INSTRUCTIONS>\nuse tabs\n</INSTRUCTIONS>")
ENV_CONTEXT = "<environment_context>\n  <cwd>/home/dev/proj</cwd>\n</environment_context>"


def _with_context(thread_id: str, event: dict, response_text: str | None = None) -> str:
    out = line("session_meta", meta(thread_id))
    out += line("response_item", user_msg(AGENTS_MD))
    out += line("response_item", user_msg(ENV_CONTEXT))
    if response_text is not None:
        out += line("response_item", user_msg(response_text))
    out += line("event_msg", event)
    out += line("event_msg", {"type": "agent_message", "message": "ok"})
    return out


def test_pitfall_04_preview_rules(capsys, make_home):
    paginated = Paginated(E)
    paginated.add("response_item", user_msg(ENV_CONTEXT))
    paginated.turn("paginated request")
    only_context = line("session_meta", meta(F))
    only_context += line("response_item", user_msg(AGENTS_MD))
    only_context += line("response_item", user_msg(ENV_CONTEXT))

    home = make_home({
        A: _with_context(A, {"type": "user_message", "message": "the real request"},
                         response_text="the real request"),
        B: _with_context(B, {"type": "user_message",
                             "message": "Some context\n## My request for Codex:\nReal request\n"}),
        C: _with_context(C, {"type": "user_message", "message": "",
                             "images": ["data:image/png;base64,iVBORw0KGgo="]}),
        D: _with_context(D, {"type": "user_message", "message": "  ",
                             "local_images": ["/tmp/screenshot.png"]}),
        E: paginated.text(),
        F: only_context,
    })
    titles = {s["id"]: s["title"] for s in list_all(capsys, home)}
    assert titles[A] == "the real request"
    assert titles[B] == "Real request"
    assert titles[C] == "[Image]"
    assert titles[D] == "[Image]"
    assert titles[E] == "paginated request"
    for title in titles.values():
        assert "environment_context" not in (title or "")
        assert "AGENTS.md" not in (title or "")
    assert titles[F] is None or titles[F] == ""


def test_pitfall_04_preview_from_event_not_response_item(capsys, make_home):
    """When the response item and the event differ, the event is what Codex previews."""
    home = make_home({A: _with_context(A, {"type": "user_message", "message": "from the event"},
                                       response_text="from the response item")})
    [summary] = list_all(capsys, home)
    assert summary["title"] == "from the event"
    assert summary["preview"] == "from the event"


# ---- 5. names live outside the rollout ------------------------------------------------------


def test_pitfall_05_names_from_session_index(capsys, make_home):
    index = "".join([
        json.dumps({"id": A, "thread_name": "old name", "updated_at": "2026-11-21T10:00:00Z"}),
        "\n",
        "this line is not json\n",
        json.dumps({"id": B, "thread_name": "B's name", "updated_at": "2026-11-21T10:00:01Z"}),
        "\r\n",
        "{\"id\": \"truncated\n",
        json.dumps({"id": A, "thread_name": "new name", "updated_at": "2026-11-21T10:00:02Z"}),
        "\n",
        json.dumps({"id": B, "thread_name": "   ", "updated_at": "2026-11-21T10:00:03Z"}),
        "\n",
        json.dumps(["not", "an", "object"]),
        "\n",
        json.dumps({"id": C.upper(), "thread_name": "upper-case id",
                    "updated_at": "2026-11-21T10:00:04Z"}),
        "\r\n",
        "\n",
    ])
    home = make_home({A: legacy(A, ["prompt a"]), B: legacy(B, ["prompt b"]),
                      C: legacy(C, ["prompt c"]), D: legacy(D, ["prompt d"])}, index=index)
    listed = {s["id"]: s for s in list_all(capsys, home)}
    assert listed[A]["name"] == "new name"
    assert listed[A]["title"] == "new name"
    assert listed[B]["name"] is None  # a blank newest name means "no name"
    assert listed[B]["title"] == "prompt b"
    assert listed[C]["name"] == "upper-case id"
    assert listed[D]["name"] is None
    assert listed[D]["title"] == "prompt d"

    # The plain CLI works too, and the newest name resolves.
    assert main(["--codex-home", str(home), "list", "--all"]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert "session_index.jsonl" in err  # the skipped lines are stated, not hidden
    assert "new name" in out
    assert "old name" not in out
    assert show(capsys, home, "new name")["thread"]["id"] == A
    assert main(["--codex-home", str(home), "show", "old name", "--json"]) == 2
    capsys.readouterr()


def test_pitfall_05_fixture_name(capsys, codex_home):
    listed = {s["id"]: s for s in list_all(capsys, codex_home)}
    assert listed["01a1fe37-05e8-79e2-b09f-d8e316352b56"]["name"] == "picker-demo-thread"


# ---- 6. legacy forks: 2+ session_meta; rollbacks --------------------------------------------


def test_pitfall_06_legacy_fork_first_meta_is_the_threads(capsys, make_home):
    fork_ts = "2026-11-21T12:00:00.000Z"
    parent = legacy(A, ["parent one", "parent two"], cwd="/home/dev/parent")
    parent_meta = meta(A, cwd="/home/dev/parent")
    fork = line("session_meta", meta(B, cwd="/home/dev/fork", ts=fork_ts, forked_from_id=A),
                ts=fork_ts)
    fork += line("session_meta", parent_meta, ts=fork_ts)
    # The copied history carries the fork time in its line timestamps.
    fork += "".join(
        json.dumps({**json.loads(x), "timestamp": fork_ts}) + "\n"
        for x in legacy_turn("parent one", 1).splitlines()
    )
    fork += line("event_msg", {"type": "thread_settings_applied", "thread_id": B}, ts=fork_ts)
    fork += legacy_turn("fork one", 2)
    home = make_home({A: parent, B: fork})

    listed = {s["id"]: s for s in list_all(capsys, home)}
    assert set(listed) == {A, B}
    assert listed[B]["cwd"] == "/home/dev/fork"
    assert listed[B]["created_at"] == fork_ts
    assert listed[B]["forked_from_id"] == A
    assert listed[B]["title"] == "parent one"
    assert listed[A]["cwd"] == "/home/dev/parent"
    assert listed[A]["forked_from_id"] is None

    shown = show(capsys, home, B)
    assert shown["thread"]["id"] == B
    assert user_messages(shown) == ["parent one", "fork one"]
    assert [t["inherited"] for t in shown["turns"]] == [True, False]
    assert not any("session_meta id" in w["message"] for w in shown["warnings"])
    assert user_messages(show(capsys, home, A)) == ["parent one", "parent two"]


LEG_PARENT = "01a1fe31-e471-7bf3-bfb7-ac85e9a3afb4"
LEG_FORK = "01a1fe34-3907-7ba0-92bd-259ca08842b3"


def test_pitfall_06_real_legacy_fork(capsys, make_home):
    home = make_home({
        f"rollout-2026-11-21T13-00-45-{LEG_PARENT}.jsonl":
            (SAMPLES / "legacy-thread-0.169.jsonl").read_bytes(),
        f"rollout-2026-11-21T13-03-17-{LEG_FORK}.jsonl":
            (SAMPLES / "legacy-fork-lastTurnId.jsonl").read_bytes(),
    })
    listed = {s["id"]: s for s in list_all(capsys, home)}
    assert set(listed) == {LEG_PARENT, LEG_FORK}
    assert listed[LEG_FORK]["forked_from_id"] == LEG_PARENT
    assert listed[LEG_FORK]["created_at"] == "2026-11-21T13:03:17.775Z"
    assert listed[LEG_PARENT]["created_at"] == "2026-11-21T13:00:45.051Z"
    assert listed[LEG_FORK]["warnings"] == []

    fork = show(capsys, home, LEG_FORK)
    assert fork["thread"]["id"] == LEG_FORK
    assert user_messages(fork) == ["legacy first question", "RUNCMD list files",
                                   "follow-up in fork_legacy_last2"]
    assert [t["inherited"] for t in fork["turns"]] == [True, True, False]
    assert user_messages(show(capsys, home, LEG_PARENT)) == [
        "legacy first question", "RUNCMD list files", "legacy third message"]


@pytest.mark.parametrize("task_events", [True, False], ids=["with-task-events", "older"])
def test_pitfall_06_thread_rolled_back_drops_last_turns(capsys, make_home, task_events):
    rollback = line("event_msg", {"type": "thread_rolled_back", "num_turns": 1})
    rollback2 = line("event_msg", {"type": "thread_rolled_back", "num_turns": 2})
    text = line("session_meta", meta(A))
    for n, prompt in enumerate(["u1", "u2", "u3"], 1):
        text += legacy_turn(prompt, n, task_events)
    text += rollback
    text += legacy_turn("u4", 4, task_events)
    home = make_home({A: text})
    shown = show(capsys, home, A)
    assert user_messages(shown) == ["u1", "u2", "u4"]
    assert shown["thread"]["rolled_back_turns"] == 1

    # Markers are cumulative.
    text += rollback2 + legacy_turn("u5", 5, task_events)
    home = make_home({A: text})
    shown = show(capsys, home, A)
    assert user_messages(shown) == ["u1", "u5"]
    assert shown["thread"]["rolled_back_turns"] == 3


# ---- 7. default filters hide sessions -------------------------------------------------------

SOURCES = {
    A: {"source": "exec", "originator": "codex_exec"},
    B: {"source": {"subagent": "review"}},
    C: {"source": {"subagent": {"thread_spawn": {"parent_thread_id": A, "depth": 1,
                                                 "agent_path": None, "agent_nickname": "x",
                                                 "agent_role": "worker"}}},
        "parent_thread_id": A},
    D: {"source": "mcp", "model_provider": "azure"},
    E: {"source": {"custom": "atlas"}, "model_provider": "some-local-provider"},
}


def test_pitfall_07_all_sources_and_providers_listed(capsys, make_home, tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    cwd = str(project.resolve())
    rollouts = {tid: legacy(tid, [f"prompt {tid[-1]}"], cwd=cwd, **extra)
                for tid, extra in SOURCES.items()}
    no_provider = json.loads(line("session_meta", meta(F, cwd=cwd)))
    del no_provider["payload"]["model_provider"]
    del no_provider["payload"]["source"]
    rollouts[F] = json.dumps(no_provider) + "\n" + legacy_turn("prompt f", 1)
    home = make_home(rollouts)

    listed = {s["id"]: s for s in list_all(capsys, home)}
    assert set(listed) == {A, B, C, D, E, F}
    assert listed[A]["source"] == "exec"
    assert listed[D]["model_provider"] == "azure"
    assert listed[F]["model_provider"] is None

    # The default listing (current directory) does not filter by source or provider either.
    monkeypatch.chdir(project)
    default = run_json(capsys, home, "list", "--json")
    assert {s["id"] for s in default} == {A, B, C, D, E, F}


@pytest.mark.parametrize("spelling", ["{p}", "{p}/", "{p}/sub/..", "{p}//", "{p}/./"])
def test_pitfall_07_cwd_filter_normalised(capsys, make_home, tmp_path, spelling):
    proj = str(tmp_path / "proj")
    home = make_home({
        A: legacy(A, ["plain"], cwd=proj),
        B: legacy(B, ["trailing slash recorded"], cwd=proj + "/"),
        C: legacy(C, ["sibling"], cwd=proj + "ect"),
        D: legacy(D, ["elsewhere"], cwd="/somewhere/else"),
    })
    listed = run_json(capsys, home, "list", "--cwd", spelling.format(p=proj), "--json")
    assert {s["id"] for s in listed} == {A, B}


# ---- 8. time zones ----------------------------------------------------------------------------


def test_pitfall_08_created_from_meta_updated_from_mtime(capsys, make_home, monkeypatch):
    # The file name stamp is the writer's local time (here UTC+10); the meta is UTC.
    name = f"rollout-2026-11-21T23-30-00-{A}.jsonl"
    home = make_home({name: legacy(A, ["tz"], ts="2026-11-21T13:30:00.123Z")})
    path = home / DAY / name
    mtime_ns = 1795266400_987654321  # 2026-11-21T13:06:40.987654321Z
    os.utime(path, ns=(mtime_ns, mtime_ns))

    try:
        for tz in ("UTC", "Australia/Sydney", "America/Los_Angeles"):
            monkeypatch.setenv("TZ", tz)
            time.tzset()
            [summary] = list_all(capsys, home)
            assert summary["created_at"] == "2026-11-21T13:30:00.123Z", tz
            assert summary["updated_at"] == "2026-11-21T13:06:40.987Z", tz
            shown = show(capsys, home, A)["thread"]
            assert shown["created_at"] == "2026-11-21T13:30:00.123Z", tz
            assert shown["updated_at"] == "2026-11-21T13:06:40.987Z", tz
    finally:
        monkeypatch.undo()
        time.tzset()


def test_pitfall_08_sort_created_uses_meta_not_file_name(capsys, make_home):
    home = make_home({
        # Name stamps say B is newer; the metas say A is.
        f"rollout-2026-11-21T01-00-00-{A}.jsonl": legacy(A, ["a"], ts="2026-11-21T12:00:00.000Z"),
        f"rollout-2026-11-21T09-00-00-{B}.jsonl": legacy(B, ["b"], ts="2026-11-21T08:00:00.000Z"),
    })
    listed = list_all(capsys, home, "--sort", "created")
    assert [s["id"] for s in listed] == [A, B]


# ---- 9. live files ------------------------------------------------------------------------------


def test_pitfall_09_trailing_partial_line(capsys, make_home):
    good = legacy(A, ["first", "second"])
    cut_json = good + '{"timestamp":"2026-11-21T10:00:01.000Z","type":"event_msg","payload":{"ty'
    no_newline = good + line("event_msg", {"type": "agent_message",
                                           "message": "written without newline"}).rstrip("\n")
    home = make_home({A: cut_json, B: no_newline.replace(A, B)})
    listed = {s["id"]: s for s in list_all(capsys, home)}
    assert set(listed) == {A, B}
    last_line = good.count("\n") + 1
    for thread_id in (A, B):
        shown = show(capsys, home, thread_id)
        assert user_messages(shown) == ["first", "second"]
        assert any(w["line"] == last_line for w in shown["warnings"]), shown["warnings"]
        assert any(w["line"] == last_line for w in listed[thread_id]["warnings"])
    # A complete JSON value without its newline is not lost.
    texts = [i.get("text") for t in show(capsys, home, B)["turns"] for i in t["items"]]
    assert "written without newline" in texts


def _zst(data: bytes) -> bytes:
    zstandard = pytest.importorskip("zstandard")
    return zstandard.ZstdCompressor().compress(data)


def test_pitfall_09_plain_sibling_wins_over_zst(capsys, make_home):
    name = f"rollout-2026-11-21T10-00-00-{A}.jsonl"
    home = make_home({
        name: legacy(A, ["plain copy"]),
        name + ".zst": _zst(legacy(A, ["compressed copy"]).encode()),
    })
    [summary] = list_all(capsys, home)
    assert summary["id"] == A
    assert summary["title"] == "plain copy"
    assert summary["path"].endswith(".jsonl")
    assert user_messages(show(capsys, home, A)) == ["plain copy"]
    # The skipped sibling is reported, not silently ignored.
    assert any(".jsonl.zst" in w["message"] and w["path"].endswith(".zst")
               for w in summary["warnings"])


def test_pitfall_09_lone_zst_reads(capsys, make_home):
    pytest.importorskip("zstandard")
    name = f"rollout-2026-11-21T10-00-00-{A}.jsonl.zst"
    home = make_home({name: _zst(legacy(A, ["compressed one", "compressed two"]).encode()),
                      B: legacy(B, ["plain"])})
    listed = {s["id"]: s for s in list_all(capsys, home)}
    assert set(listed) == {A, B}
    assert listed[A]["title"] == "compressed one"
    assert listed[A]["path"].endswith(".jsonl.zst")
    assert listed[A]["warnings"] == []
    shown = show(capsys, home, A)
    assert user_messages(shown) == ["compressed one", "compressed two"]
    assert shown["warnings"] == []
    # Reading never decompresses to disk.
    assert sorted(p.name for p in (home / DAY).iterdir()) == sorted(
        [name, f"rollout-2026-11-21T10-00-00-{B}.jsonl"])


# ---- 10. SQLite is a cache with traps -------------------------------------------------------

SQLITE_FILES = ("state_5.sqlite", "thread_history_1.sqlite")


def _everything(capsys, home: Path) -> tuple[list, list, dict]:
    listed = list_all(capsys, home)
    archived = run_json(capsys, home, "list", "--all", "--archived", "--json")
    shown = {s["id"]: show(capsys, home, s["id"]) for s in [*listed, *archived]}
    return listed, archived, shown


def test_pitfall_10_sqlite_deleted(capsys, codex_home):
    before = _everything(capsys, codex_home)
    for name in SQLITE_FILES:
        (codex_home / name).unlink()
    after = _everything(capsys, codex_home)
    assert after == before
    paginated = [s for s in after[0] if s["history_mode"] == "paginated"]
    assert paginated
    for s in paginated:
        assert after[2][s["id"]]["turns"], s["id"]  # turns without thread_history_1.sqlite


def test_pitfall_10_sqlite_garbage(capsys, codex_home):
    before = _everything(capsys, codex_home)
    for name in SQLITE_FILES:
        (codex_home / name).write_bytes(b"this is not a database\x00\xff" * 100)
    (codex_home / "state_5.sqlite-wal").write_bytes(b"garbage wal")
    assert _everything(capsys, codex_home) == before


def test_pitfall_10_sqlite_never_written(capsys, codex_home, monkeypatch):
    connects: list[tuple] = []
    real_connect = sqlite3.connect

    def spy(database, *args, **kwargs):
        connects.append((str(database), kwargs.get("uri", False)))
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", spy)
    hashes = {name: sha256(codex_home / name) for name in SQLITE_FILES}
    stats = {name: (codex_home / name).stat().st_mtime_ns for name in SQLITE_FILES}
    _everything(capsys, codex_home)
    for ref in ("picker-demo-thread", "01a1fe36-a3e5"):
        assert main(["--codex-home", str(codex_home), "show", ref, "--markdown"]) == 0
        capsys.readouterr()
    assert {name: sha256(codex_home / name) for name in SQLITE_FILES} == hashes
    assert {name: (codex_home / name).stat().st_mtime_ns for name in SQLITE_FILES} == stats
    leftovers = [p.name for p in codex_home.iterdir()
                 if p.name.endswith(("-wal", "-shm", "-journal"))]
    assert leftovers == []
    # If the store ever consults SQLite, it must be read-only.
    for database, uri in connects:
        assert uri and "mode=ro" in database, (database, uri)


def test_pitfall_10_unreadable_sqlite_does_not_matter(capsys, codex_home):
    if os.geteuid() == 0:
        # root ignores permissions; a directory in place of the file is unreadable as a DB.
        for name in SQLITE_FILES:
            (codex_home / name).unlink()
            (codex_home / name).mkdir()
    else:
        for name in SQLITE_FILES:
            (codex_home / name).chmod(0)
    try:
        listed = list_all(capsys, codex_home)
        assert len(listed) == 27
        assert show(capsys, codex_home, "picker-demo-thread")["turns"]
    finally:
        for name in SQLITE_FILES:
            p = codex_home / name
            if p.is_dir():
                shutil.rmtree(p)
            else:
                p.chmod(0o644)
