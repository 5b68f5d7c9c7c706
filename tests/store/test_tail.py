"""The rollout follower (store/tail.py), `store.follow()` and `codex-tui tail`.

Property tests: a writer appends a real rollout in arbitrary chunks, splitting lines and
UTF-8 characters anywhere, with polls in between; the follower yields exactly the original
records, in order, once each. Truncation, replacement and deletion mid-follow are survived:
after the last reset, the records are exactly the new file's.
"""

from __future__ import annotations

import io
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.homes import FIXTURE_HOME, ROOT

from codex_tui.store import InMemoryThreadStore, LocalThreadStore
from codex_tui.store.rollout import Record, read_records
from codex_tui.store.tail import Follower, TailBatch, complete_end, last_lines_start

DAY = FIXTURE_HOME / "sessions" / "2026" / "11" / "21"
TESTS_169 = "01a1fe36-9923-7570-9f27-baeff79474f4"
OTHER_169 = "01a1fe37-05e8-79e2-b09f-d8e316352b56"


def _file(thread_id: str) -> Path:
    return next(DAY.glob(f"rollout-*-{thread_id}.jsonl"))


def _line(kind: str, payload: dict, ts: str = "2026-11-21T13:07:00.000Z") -> bytes:
    return orjson.dumps({"timestamp": ts, "type": kind, "payload": payload}) + b"\n"


# A real 0.169 rollout, then lines with multi-byte characters (2, 3 and 4 bytes in UTF-8), a
# blank line and a line that is not JSON: cuts can fall inside any of them.
UNICODE_TAIL = (
    _line("event_msg", {"type": "agent_message", "message": "héllo wörld — 日本語のテキスト 🌍🚀"})
    + b"\n"
    + _line("event_msg", {"type": "user_message", "message": "ça marche ? ✓ 𝄞 émoji 👩‍💻"})
    + b"{not json at all \xc3\xa9}\n"
    + _line("event_msg", {"type": "agent_message", "message": "fin ∎"})
)
ROLLOUT_A = _file(TESTS_169).read_bytes() + UNICODE_TAIL
ROLLOUT_B = _file(OTHER_169).read_bytes()


def _key(rec: Record) -> tuple:
    return (rec.line_no, rec.offset, rec.end, rec.kind, rec.type, rec.timestamp, rec.ordinal,
            orjson.dumps(rec.payload))


def expected(data: bytes) -> list[tuple]:
    """The records a whole read of `data` gives (complete lines only)."""
    end = data.rfind(b"\n") + 1
    return [_key(r) for r in read_records(io.BytesIO(data[:end])) if isinstance(r, Record)]


class Collector:
    """What a consumer keeps: records since the last reset, and everything seen."""

    def __init__(self) -> None:
        self.records: list[tuple] = []
        self.before_reset: list[list[tuple]] = []
        self.problems: list[str] = []
        self.missing = 0

    def take(self, batch: TailBatch) -> None:
        if batch.reset:
            self.before_reset.append(self.records)
            self.records = []
        if batch.missing:
            self.missing += 1
        self.records += [_key(r) for r in batch.records]
        self.problems += [p.message for p in batch.problems]

    def drain(self, follower: Follower) -> None:
        for _ in range(1000):
            batch = follower.poll()
            self.take(batch)
            if not batch.more:
                return


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


def _append(path: Path, data: bytes) -> None:
    with open(path, "ab") as stream:
        stream.write(data)


# ---- properties --------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.integers(min_value=0, max_value=len(ROLLOUT_A)), max_size=60),
       polls=st.lists(st.integers(min_value=0, max_value=2), min_size=61, max_size=61),
       start_empty=st.booleans())
def test_chunked_appends_yield_exactly_the_records(tmp_path_factory, cuts, polls,
                                                   start_empty):
    path = tmp_path_factory.mktemp("tail") / "rollout.jsonl"
    if start_empty:
        path.write_bytes(b"")
    follower = Follower(str(path))
    seen = Collector()
    for i, chunk in enumerate(_chunks(ROLLOUT_A, cuts)):
        _append(path, chunk)
        for _ in range(polls[i % len(polls)]):
            seen.take(follower.poll())
            # Never half a line: every record so far is one the whole file has, in order.
            assert seen.records == expected(ROLLOUT_A)[: len(seen.records)]
    seen.drain(follower)
    assert seen.records == expected(ROLLOUT_A)
    assert not seen.before_reset or seen.before_reset == [[]]  # at most the file's creation
    assert len(seen.problems) == 1 and seen.problems[0].startswith("not valid JSON")


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.integers(min_value=0, max_value=len(ROLLOUT_A)),
       cuts=st.lists(st.integers(min_value=0, max_value=len(ROLLOUT_B)), max_size=30),
       polls=st.lists(st.integers(min_value=0, max_value=2), min_size=31, max_size=31),
       poll_between=st.booleans(),
       how=st.sampled_from(["truncate", "replace", "delete"]))
def test_truncation_replacement_and_deletion_are_survived(tmp_path_factory, first, cuts,
                                                          polls, poll_between, how):
    """File A is followed part way, then truncated (same inode), replaced (a rename over
    it) or deleted, and file B written in chunks: after the last reset the follower has
    exactly B's records, and before it only a prefix of A's."""
    directory = tmp_path_factory.mktemp("tail")
    path = directory / "rollout.jsonl"
    path.write_bytes(ROLLOUT_A[:first])
    follower = Follower(str(path))
    seen = Collector()
    seen.drain(follower)
    chunks = _chunks(ROLLOUT_B, cuts)
    if how == "truncate":
        path.write_bytes(b"")
    elif how == "replace":
        other = directory / "new.jsonl"
        other.write_bytes(chunks[0] if chunks else b"")
        os.replace(other, path)
        chunks = chunks[1:]
    else:
        path.unlink()
        if poll_between:
            seen.take(follower.poll())
            assert seen.missing == 1
    if poll_between:
        seen.take(follower.poll())
    for i, chunk in enumerate(chunks):
        _append(path, chunk)
        for _ in range(polls[i % len(polls)]):
            seen.take(follower.poll())
            assert seen.records == expected(ROLLOUT_B)[: len(seen.records)] or \
                seen.records == expected(ROLLOUT_A)[: len(seen.records)]
    seen.drain(follower)
    assert seen.records == expected(ROLLOUT_B)
    for earlier in seen.before_reset:
        assert earlier == expected(ROLLOUT_A)[: len(earlier)]


def test_a_concurrent_writer_in_random_chunks(tmp_path):
    """A writer thread appends while the follower loops (real timing, not interleaved)."""
    import random

    path = tmp_path / "rollout.jsonl"
    rng = random.Random(7)
    data = ROLLOUT_A * 3
    done = threading.Event()

    stop = threading.Event()

    def writer() -> None:
        pos = 0
        while pos < len(data):
            n = rng.randint(1, 4000)
            _append(path, data[pos:pos + n])
            pos += n
            time.sleep(rng.random() * 0.002)
        done.set()
        time.sleep(0.05)
        stop.set()

    thread = threading.Thread(target=writer)
    follower = Follower(str(path))
    seen = Collector()
    thread.start()
    for batch in follower.follow(stop=stop, interval=0.001):
        seen.take(batch)
    thread.join()
    seen.drain(follower)
    assert seen.records == expected(data)


def test_an_oversize_line_is_skipped_and_reported_without_holding_it(tmp_path):
    path = tmp_path / "rollout.jsonl"
    big = _line("event_msg", {"type": "agent_message", "message": "x" * 5000})
    small = _line("event_msg", {"type": "agent_message", "message": "after"})
    path.write_bytes(b"")
    follower = Follower(str(path), max_line=1000)
    seen = Collector()
    for i in range(0, len(big), 300):
        _append(path, big[i:i + 300])
        seen.take(follower.poll())
        assert len(follower._carry) <= 1000 + 300
    _append(path, small)
    seen.drain(follower)
    assert len(seen.problems) == 1 and "longer than" in seen.problems[0]
    assert [r[0] for r in seen.records] == [2]  # the line after it, numbered as in the file
    assert follower.offset == len(big) + len(small)


def test_first_line_rewritten_in_place_resets(tmp_path):
    """Same inode and a larger size, but the first line changed (rewritten in place)."""
    path = tmp_path / "rollout.jsonl"
    path.write_bytes(ROLLOUT_A[:3000])
    follower = Follower(str(path))
    seen = Collector()
    seen.drain(follower)
    with open(path, "r+b") as stream:  # no truncation: overwrite from the start
        stream.write(ROLLOUT_B)
    seen.drain(follower)
    assert seen.before_reset and seen.records == expected(ROLLOUT_B)


def test_start_past_existing_lines_and_last_n(tmp_path):
    path = tmp_path / "rollout.jsonl"
    path.write_bytes(ROLLOUT_A + b'{"timestamp":"x","type":"event_msg","pay')
    all_records = expected(ROLLOUT_A)
    offset, lines = complete_end(str(path))
    assert offset == len(ROLLOUT_A) and lines == ROLLOUT_A.count(b"\n")
    seen = Collector()
    follower = Follower(str(path), offset, lines)
    seen.drain(follower)
    assert seen.records == []
    _append(path, b'load":{"type":"agent_message","message":"done"}}\n')
    seen.drain(follower)
    assert len(seen.records) == 1 and seen.records[0][0] == lines + 1
    offset, lines = last_lines_start(str(path), 3)
    seen = Collector()
    seen.drain(Follower(str(path), offset, lines))
    # The last three lines: the one that is not JSON, "fin", and the new one.
    assert [r[0] for r in seen.records] == [all_records[-1][0], lines + 3] == \
        [lines + 2, lines + 3]
    assert len(seen.problems) == 1


def test_missing_file_then_created(tmp_path):
    path = tmp_path / "later.jsonl"
    follower = Follower(str(path))
    seen = Collector()
    seen.take(follower.poll())
    path.write_bytes(ROLLOUT_B)
    seen.drain(follower)
    assert seen.records == expected(ROLLOUT_B)


# ---- through the store ---------------------------------------------------------------------


def test_store_follow_from_now_and_archive_move(codex_home):
    store = LocalThreadStore(str(codex_home))
    follower = store.follow(TESTS_169, last=0)
    seen = Collector()
    seen.drain(follower)
    assert seen.records == []
    path = Path(follower.path)
    _append(path, UNICODE_TAIL)
    seen.drain(follower)
    assert len(seen.records) == 3  # (and a blank line and one that is not JSON)
    # Archived by Codex: the same file renamed into archived_sessions/.
    archived = codex_home / "archived_sessions" / path.name
    os.rename(path, archived)
    batch = follower.poll()
    assert batch.moved_to == str(archived) and not batch.reset
    _append(archived, _line("event_msg", {"type": "agent_message", "message": "still here"}))
    seen.drain(follower)
    assert len(seen.records) == 4 and not seen.before_reset


def test_in_memory_store_follow():
    from support.transcripts import thread_of, turn

    from codex_tui.store.model import UserMessage

    thread = thread_of(turn(1, UserMessage("hi")))
    store = InMemoryThreadStore([thread])
    follower = store.follow(thread.summary.id)
    assert not follower.poll()
    rec = Record("event_msg", "agent_message", {"type": "agent_message", "message": "x"})
    store.append(thread.summary.id, [rec], mtime=1000.0)
    batch = follower.poll()
    assert batch.records == [rec] and follower.mtime == 1000.0


# ---- codex-tui tail ------------------------------------------------------------------------------


def _spawn_tail(home: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), CODEX_HOME=str(home))
    # SIGINT as a terminal's Ctrl+C finds it, even when the suite runs in the background
    # (a shell starts `&` jobs with SIGINT ignored, and children inherit that).
    return subprocess.Popen([sys.executable, "-m", "codex_tui", "tail", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _read_lines(proc: subprocess.Popen, n: int, timeout: float = 10.0) -> list[bytes]:
    lines: list[bytes] = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    buffer = b""
    while len(lines) < n and time.monotonic() < deadline:
        chunk = proc.stdout.read()
        if chunk:
            buffer += chunk
            *done, buffer = buffer.split(b"\n")
            lines += done
        else:
            time.sleep(0.02)
    return lines


@pytest.mark.parametrize("as_json", [True, False])
def test_cli_tail_prints_appended_records_until_interrupted(codex_home, as_json):
    path = _file(TESTS_169)
    live = codex_home / path.relative_to(FIXTURE_HOME)
    proc = _spawn_tail(codex_home, TESTS_169[:13], "-n", "2", *(["--json"] if as_json else []))
    try:
        first = _read_lines(proc, 2)
        assert len(first) == 2
        _append(live, UNICODE_TAIL)
        later = _read_lines(proc, 4 if as_json else 3)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    assert proc.returncode in (0, 130)
    if as_json:
        objs = [orjson.loads(line) for line in first + later]
        assert [o["type"] for o in objs[:2]] == ["token_count", "task_complete"]
        assert objs[2]["payload"]["message"].endswith("🌍🚀")
        assert [o.get("type") or o["event"] for o in objs[2:]] == [
            "agent_message", "user_message", "problem", "agent_message"]
        assert objs[-1]["line"] == live.read_bytes().count(b"\n")
    else:
        text = [line.decode() for line in later]
        assert "agent" in text[0] and "🌍🚀" in text[0]
        assert "user" in text[1] and "👩‍💻" in text[1]
        assert text[-1].endswith("fin ∎")
        assert b"not valid JSON" in proc.stderr.read()
