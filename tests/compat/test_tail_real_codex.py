"""Follow a session while the real Codex CLI (0.169.0) writes it: `codex exec` against the
loopback model stand-in, slowed down so that the rollout grows over a few seconds. The
follower, started as soon as the file exists, yields exactly the final file's records, and
some of them before Codex has finished."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from support.codex_cli import codex_env, codex_home_for, codex_or_skip
from support.mock_model import MockModel

from codex_tui.store import LocalThreadStore
from codex_tui.store.rollout import Record, read_records
from codex_tui.store.tail import Follower
from codex_tui.store.transcript import TurnBuilder, build_turns

DELAY = 0.4  # seconds before each streamed item


@pytest.fixture(scope="module")
def codex() -> str:
    return codex_or_skip()


def _key(rec: Record) -> tuple:
    return (rec.line_no, rec.offset, rec.end, rec.kind, rec.type, rec.timestamp, repr(rec.payload))


def test_follow_a_session_while_codex_writes_it(codex, tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "main.py").write_text("print('hi')\n")
    with MockModel(delay=DELAY) as mock:
        home = codex_home_for(mock, tmp_path / "codex-home")
        proc = subprocess.Popen(
            [codex, "exec", "--skip-git-repo-check",
             "--dangerously-bypass-approvals-and-sandbox", "please run the tests"],
            cwd=project, env=codex_env(home), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            arrivals: list[tuple[float, tuple]] = []
            builder = TurnBuilder()
            deadline = time.monotonic() + 30
            path = None
            while path is None and proc.poll() is None and time.monotonic() < deadline:
                found = sorted((home / "sessions").rglob("rollout-*.jsonl"))
                path = found[0] if found else None
                time.sleep(0.02)
            assert path is not None, "Codex wrote no rollout"
            follower = Follower(str(path))
            ended_at = None
            while time.monotonic() < deadline:
                batch = follower.poll()
                assert not batch.reset and not batch.problems
                now = time.monotonic()
                arrivals += [(now, _key(r)) for r in batch.records]
                builder.extend(batch.records)
                if ended_at is None and proc.poll() is not None:
                    ended_at = time.monotonic()
                if ended_at is not None and not batch.more:
                    break
                time.sleep(0.05)
            assert ended_at is not None, "codex exec did not finish in 30 s"
            stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            assert proc.returncode == 0, stderr[-2000:]
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            if proc.stderr:
                proc.stderr.close()
    final = path.read_bytes()
    expected = [_key(r) for r in read_records(io.BytesIO(final)) if isinstance(r, Record)]
    assert [k for _, k in arrivals] == expected
    assert final.endswith(b"\n")
    # Records came while Codex was still at work (its model replies were slowed down).
    early = [k for when, k in arrivals if when < ended_at - DELAY]
    assert len(early) >= 3, (len(early), len(expected))
    # The turns built as records came equal a whole read of the file.
    records = [r for r in read_records(io.BytesIO(final), str(path)) if isinstance(r, Record)]
    assert builder.turns == build_turns(records).turns
    thread = LocalThreadStore(str(home), cache=False).read_thread(path.name[-42:-6])
    assert thread.turns and thread.turns[-1].status == "completed"
    assert any("echo hello from the tool" in (getattr(i, "command", "") or "")
               for i in thread.turns[-1].items)
