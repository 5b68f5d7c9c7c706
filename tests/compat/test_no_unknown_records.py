"""No record type Codex writes is reported as unknown: over every fixture and sample (real
Codex output from 0.20 to 0.171, and the hand-made shapes), and over sessions the real Codex
CLI 0.171.0 writes now (exec, resume, a tool call, an image view, a sub-agent spawned with its
parent's history, a compaction and a fork through the app-server are in the 0.171 fixture).

Unknown records stay kept and shown (tests/store/test_transcript_items.py builds them in code); a
fixture made of unknown records on purpose would be listed in DELIBERATELY_UNKNOWN.
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest
from support.codex_cli import codex_env, codex_home_for, codex_or_skip
from support.homes import FIXTURES
from support.mock_model import MockModel

from codex_tui.store import LocalThreadStore, ThreadQuery
from codex_tui.store.head import read_head
from codex_tui.store.kinds import KNOWN_RESPONSE_METADATA, unknown_label
from codex_tui.store.model import Unknown
from codex_tui.store.rollout import Record, open_rollout, read_records
from codex_tui.store.transcript import build_turns

PNG_4X4 = ("iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGP4z8AARwzEcQCukw/x0F8j"
           "ngAAAABJRU5ErkJggg==")  # a red square
DELIBERATELY_UNKNOWN: set[str] = set()  # fixture file names made of unknown records
ROLLOUTS = sorted(
    p for p in FIXTURES.rglob("*.jsonl")
    if p.name not in ("history.jsonl", "session_index.jsonl")
    and p.name not in DELIBERATELY_UNKNOWN)


def records_of(path: Path) -> list[Record]:
    with open_rollout(str(path)) as stream:
        return [r for r in read_records(stream, str(path)) if isinstance(r, Record)]


def unknowns(path: Path) -> list[str]:
    """Everything about `path` that says "unknown": records the classifier does not know,
    Unknown items in its turns, and problems the head reader or the full reader state."""
    records = records_of(path)
    found = [label for r in records if (label := unknown_label(r)) is not None]
    result = build_turns(records)
    found += [i.record_type for t in result.turns for i in t.items if isinstance(i, Unknown)]
    found += [p.message for p in result.problems]
    found += [p.message for p in read_head(str(path)).problems if "unknown" in p.message]
    return found


def test_the_fixtures_hold_every_generation():
    names = {p.relative_to(FIXTURES).parts[0] for p in ROLLOUTS}
    assert names == {"codex-home", "codex-0.171-home", "shapes", "shapes-home", "fork-0.20",
                     "fork-0.171", "samples", "usage-home"}
    assert len(ROLLOUTS) >= 50


@pytest.mark.parametrize("path", ROLLOUTS, ids=lambda p: f"{p.parent.name}/{p.name[-24:]}")
def test_no_record_of_a_fixture_is_unknown(path):
    assert unknowns(path) == []


def test_every_response_item_metadata_key_is_known():
    seen: set[str] = set()
    for path in ROLLOUTS:
        for line in path.read_text(encoding="utf-8").splitlines():
            obj = json.loads(line)
            if isinstance(obj, dict) and isinstance(obj.get("metadata"), dict):
                seen |= set(obj["metadata"])
    assert "model_search_state" in seen  # 0.170+ writes it on every response item
    assert seen <= KNOWN_RESPONSE_METADATA, seen - KNOWN_RESPONSE_METADATA


# ---- what the real Codex CLI writes today ------------------------------------------------


@pytest.fixture(scope="module")
def codex() -> str:
    return codex_or_skip()


def run(codex: str, home: Path, project: Path, *args: str) -> None:
    proc = subprocess.run([codex, "exec", "--skip-git-repo-check", *args], cwd=project,
                          env=codex_env(home), stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]


def test_nothing_the_real_codex_writes_is_unknown(codex, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "pic.png").write_bytes(base64.b64decode(PNG_4X4))
    with MockModel() as mock:
        home = codex_home_for(mock, tmp_path / "codex-home")
        run(codex, home, project, "please run the tests")
        (first,) = sorted((home / "sessions").rglob("rollout-*.jsonl"))
        thread_id = first.name[-len("01a1fe36-9923-7570-9f27-baeff79474f4.jsonl"):-len(".jsonl")]
        run(codex, home, project, "resume", thread_id, "now view image pic.png")
        run(codex, home, project, "resume", thread_id, "spawn a helper agent")
    files = sorted((home / "sessions").rglob("rollout-*.jsonl"))
    assert len(files) == 2  # the thread, and its sub-agent
    for path in files:
        assert unknowns(path) == [], path.name
    store = LocalThreadStore(str(home), cache=False)
    summaries = {s.id: s for s in store.list_threads(ThreadQuery())}
    assert all(s.problems == () for s in summaries.values())
    (child,) = [s for s in summaries.values() if s.parent_thread_id == thread_id]
    thread = store.read_thread(thread_id)
    assert [t.user_message for t in thread.turns] == [
        "please run the tests", "now view image pic.png", "spawn a helper agent"]
    kinds = [(i.kind, getattr(i, "name", None)) for i in thread.turns[1].items]
    assert ("tool_call", "view_image") in kinds
    sub = store.read_thread(child.id)
    assert [t.inherited for t in sub.turns][:3] == [True, True, True]
    assert sub.problems == []
