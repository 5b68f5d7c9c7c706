"""Property tests for the rollout reader: truncated files, chunked streams, fuzzed lines.

Nothing in `codex_tui.store` may raise on bad input: every line becomes a Record or a
Problem, and a file cut off at any byte keeps every complete line it still has.
"""

from __future__ import annotations

import io
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from support.homes import FIXTURE_HOME, SAMPLES, copy_home

from codex_tui.store import LocalThreadStore, Thread, ThreadQuery
from codex_tui.store.head import scan_head
from codex_tui.store.model import Problem
from codex_tui.store.paths import parse_rollout_name
from codex_tui.store.rollout import RawLine, Record, iter_raw_lines, read_records
from codex_tui.store.transcript import build_turns

FIXTURES = FIXTURE_HOME.parent

# ---- the fixture rollouts ------------------------------------------------------------------

_HOME_FILES = sorted(
    p for sub in ("sessions", "archived_sessions")
    for p in (FIXTURE_HOME / sub).rglob("rollout-*.jsonl")
)
_SAMPLE_FILES = sorted(SAMPLES.glob("*.jsonl"))

# Keyed by the path relative to tests/fixtures, so a failing example names its file.
FILES: dict[str, bytes] = {
    p.relative_to(FIXTURES).as_posix(): p.read_bytes() for p in [*_HOME_FILES, *_SAMPLE_FILES]
}


def _name(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


# Small files whose every line boundary is tried explicitly (just after and just before
# each newline), on top of the random cuts.
_BOUNDARY_FILES = [
    _name(SAMPLES / "paginated-revert-segment.jsonl"),
    _name(SAMPLES / "legacy-0.46-style-handmade.jsonl"),
    *(_name(p) for p in _HOME_FILES if len(p.read_bytes()) < 1300),  # the bare 0.20-era files
]


def _explicit_cuts() -> list[tuple[str, int]]:
    cuts: list[tuple[str, int]] = []
    for name, data in FILES.items():
        cuts += [(name, 0), (name, max(0, len(data) - 1)), (name, len(data))]
    for name in _BOUNDARY_FILES:
        data = FILES[name]
        for pos, byte in enumerate(data):
            if byte == 0x0A:
                cuts += [(name, pos), (name, pos + 1)]  # without / with the newline
    return sorted(set(cuts))


EXPLICIT_CUTS = _explicit_cuts()


def _with_explicit_cuts(test):
    for case in EXPLICIT_CUTS:
        test = example(case=case)(test)
    return test


cut_cases = st.sampled_from(sorted(FILES)).flatmap(
    lambda name: st.tuples(st.just(name), st.integers(0, len(FILES[name])))
)


# ---- scratch homes the cut files are written into ----------------------------------------


def _first_line_id(data: bytes) -> str | None:
    """The thread id in the file's first line (an envelope's payload, or a bare meta line)."""
    try:
        first = json.loads(data.split(b"\n", 1)[0])
    except ValueError:
        return None
    if not isinstance(first, dict):
        return None
    payload = first.get("payload")
    candidate = payload.get("id") if isinstance(payload, dict) else first.get("id")
    try:
        return str(uuid.UUID(candidate)) if isinstance(candidate, str) else None
    except ValueError:
        return None


@dataclass
class _Slot:
    home: Path
    target: Path  # the rollout file the cut content goes to
    thread_id: str
    original: bytes


@dataclass
class _Reference:
    items: list[Record | Problem]
    thread: Thread


class Scratch:
    """A copy of the fixture home (for its own rollouts) and one single-file home per sample
    (the samples share thread ids, so they can't live side by side). Not a dataclass: its
    short repr keeps Hypothesis from pretty-printing every cached record for each example."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.home = home
        self.slots: dict[str, _Slot] = {}
        self.references: dict[str, _Reference] = {}

    def __repr__(self) -> str:
        return f"Scratch({str(self.root)!r})"

    def slot(self, name: str) -> _Slot:
        if name in self.slots:
            return self.slots[name]
        data = FILES[name]
        source = FIXTURES / name
        if source.is_relative_to(FIXTURE_HOME):
            target = self.home / source.relative_to(FIXTURE_HOME)
            parsed = parse_rollout_name(target.name)
            assert parsed is not None
            thread_id = parsed.thread_id
            slot = _Slot(self.home, target, thread_id, data)
        else:
            thread_id = _first_line_id(data) or str(uuid.uuid5(uuid.NAMESPACE_URL, name))
            home = self.root / "samples" / source.stem
            day = home / "sessions" / "2026" / "11" / "21"
            day.mkdir(parents=True)
            target = day / f"rollout-2026-11-21T10-00-00-{thread_id}.jsonl"
            target.write_bytes(data)
            slot = _Slot(home, target, thread_id, data)
        self.slots[name] = slot
        return slot

    def reference(self, name: str) -> _Reference:
        """Records and turns of the uncut file, read in the same home as the cut ones."""
        if name not in self.references:
            slot = self.slot(name)
            assert slot.target.read_bytes() == slot.original
            items = list(read_records(io.BytesIO(slot.original), str(slot.target)))
            thread = LocalThreadStore(str(slot.home)).read_thread(slot.thread_id)
            self.references[name] = _Reference(items, thread)
        return self.references[name]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Scratch:
    root = tmp_path_factory.mktemp("cut-homes")
    return Scratch(root, copy_home(root / "codex-home"))


def _line_of(item: Record | Problem) -> int | None:
    return item.line_no if isinstance(item, Record) else item.line


def _is_complete_json(data: bytes) -> bool:
    try:
        json.loads(data.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return False
    return True


def _same_path(a: str | None, b: Path) -> bool:
    return a is not None and os.path.normpath(a) == os.path.normpath(str(b))


# ---- a. cutting a fixture at any byte ------------------------------------------------------


def test_explicit_cuts_cover_every_file_and_line_boundaries() -> None:
    assert len(FILES) == len(_HOME_FILES) + len(_SAMPLE_FILES) >= 30
    assert len(_BOUNDARY_FILES) >= 3
    assert sum(1 for name, _ in EXPLICIT_CUTS if name in _BOUNDARY_FILES) > 20


@_with_explicit_cuts
@settings(max_examples=500, deadline=None)
@given(case=cut_cases)
def test_cut_file_keeps_every_complete_line(scratch: Scratch, case: tuple[str, int]) -> None:
    name, cut = case
    data = FILES[name]
    slot = scratch.slot(name)
    ref = scratch.reference(name)
    cut_data = data[:cut]

    # (i) never raises; every item is a Record or a Problem
    items = list(read_records(io.BytesIO(cut_data), str(slot.target)))
    assert all(isinstance(it, Record | Problem) for it in items)

    # (ii) lines that still end with "\n" decode exactly as in the whole file
    complete_end = cut_data.rfind(b"\n") + 1
    complete_lines = cut_data[:complete_end].count(b"\n")
    expected = [it for it in ref.items if (_line_of(it) or 0) <= complete_lines]
    got = [it for it in items if (_line_of(it) or 0) <= complete_lines]
    assert got == expected
    for it in got:
        if isinstance(it, Record):
            assert it.end <= complete_end

    # (iii) the partial last line: a Problem, unless it happens to be complete JSON
    partial = cut_data[complete_end:]
    rest = [it for it in items if (_line_of(it) or 0) > complete_lines]
    assert all(_line_of(it) == complete_lines + 1 for it in rest), rest
    records = [it for it in rest if isinstance(it, Record)]
    problems = [it for it in rest if isinstance(it, Problem)]
    if not partial.strip():
        assert rest == []
    elif _is_complete_json(partial):
        assert len(records) == 1
        assert len(problems) >= 1  # "no newline" (or a repair note)
        rec = records[0]
        assert (rec.offset, rec.end) == (complete_end, cut)
        whole = [it for it in ref.items
                 if isinstance(it, Record) and it.line_no == complete_lines + 1]
        if whole and data[cut:cut + 1] == b"\n":
            # cut just before the newline: the same record, minus its newline
            w = whole[0]
            assert (rec.kind, rec.type, rec.payload, rec.line_no, rec.offset) == (
                w.kind, w.type, w.payload, w.line_no, w.offset)
    else:
        assert records == []
        assert len(problems) == 1

    # the head scan of the cut file never raises either
    scan_head(io.BytesIO(cut_data), str(slot.target))

    # the whole home with the cut file in it: listing and reading never raise, and every
    # turn that ended before the cut is still there with the same user message
    slot.target.write_bytes(cut_data)
    try:
        store = LocalThreadStore(str(slot.home))
        store.list_threads(ThreadQuery(cwd=None))
        store.list_threads(ThreadQuery(cwd=None, archived=True))
        assert isinstance(store.problems, list)
        thread = store.read_thread(slot.thread_id)
    finally:
        slot.target.write_bytes(slot.original)
    for turn in ref.thread.turns:
        if not _same_path(turn.source_path, slot.target) or turn.end_offset is None \
                or turn.end_offset > cut:
            continue
        assert len(thread.turns) >= turn.index, (turn.index, turn.user_message)
        kept = thread.turns[turn.index - 1]
        assert (kept.user_message, kept.start_offset) == (turn.user_message, turn.start_offset)


def test_reference_threads_have_turns(scratch: Scratch) -> None:
    """The turn check above is not vacuous: most fixture rollouts read as several turns."""
    with_turns = [
        name for name in FILES
        if not name.endswith(("history.jsonl", "session_index.jsonl"))
        and any(t.user_message for t in scratch.reference(name).thread.turns)
    ]
    assert len(with_turns) >= 25


# ---- b. chunking invariance of iter_raw_lines ---------------------------------------------

MAX_LINE = 64


class ChunkedStream(io.RawIOBase):
    """Returns the data in pieces of the given sizes (cycled), whatever size is asked for."""

    def __init__(self, data: bytes, sizes: list[int]) -> None:
        self._data = data
        self._pos = 0
        self._sizes = sizes
        self._reads = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._pos >= len(self._data):
            return b""
        n = self._sizes[self._reads % len(self._sizes)]
        self._reads += 1
        if size is not None and size >= 0:
            n = min(n, size)
        chunk = self._data[self._pos:self._pos + n]
        self._pos += len(chunk)
        return chunk


def _as_tuple(raw: RawLine) -> tuple[int, int, int, bytes | None, bool]:
    return raw.line_no, raw.offset, raw.end, raw.data, raw.terminated


def _expected_lines(data: bytes, start: int, max_line: int) -> list[tuple]:
    out = []
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        end = len(data) if nl == -1 else nl + 1
        line = data[pos:end].removesuffix(b"\n")
        out.append((len(out) + 1, start + pos, start + end,
                    None if len(line) > max_line else line, nl != -1))
        pos = end
    return out


_line_bodies = st.one_of(
    st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")),
    st.text(max_size=30).map(lambda t: t.replace("\n", "").encode("utf-8", "surrogatepass")),
    st.builds(lambda c, n: c * n, st.sampled_from([b"x", b"{", b"\xff", b"\r", b" ", b"\xe2\x82"]),
              st.integers(MAX_LINE - 2, 4 * MAX_LINE)),
)
byte_documents = st.one_of(
    st.builds(lambda lines, trailing: b"\n".join(lines) + (b"\n" if trailing else b""),
              st.lists(_line_bodies, max_size=12), st.booleans()),
    st.binary(max_size=400),
)
chunk_sizes = st.lists(st.integers(1, 3 * MAX_LINE), min_size=1, max_size=8)


@settings(max_examples=400, deadline=None)
@given(data=byte_documents, sizes=chunk_sizes, start=st.integers(0, 5000))
@example(data=b"a" * MAX_LINE + b"\n" + b"b" * (MAX_LINE + 1) + b"\nc", sizes=[1], start=0)
@example(data=b"x" * (MAX_LINE + 1), sizes=[MAX_LINE], start=7)
@example(data=b"\n\n\n", sizes=[2], start=0)
@example(data=b"", sizes=[1], start=3)
@example(data=b"y" * 300 + b"\n" + b"z" * 10 + b"\n", sizes=[MAX_LINE + 1, 3], start=0)
def test_iter_raw_lines_is_chunking_invariant(data: bytes, sizes: list[int], start: int) -> None:
    chunked = [_as_tuple(r) for r in iter_raw_lines(ChunkedStream(data, sizes), start, MAX_LINE)]
    at_once = [_as_tuple(r) for r in iter_raw_lines(io.BytesIO(data), start, MAX_LINE)]
    assert chunked == at_once
    assert chunked == _expected_lines(data, start, MAX_LINE)

    # offsets: contiguous and monotone, covering the input exactly
    assert [n for n, *_ in chunked] == list(range(1, len(chunked) + 1))
    expected_offset = start
    for _, offset, end, line, terminated in chunked:
        assert offset == expected_offset
        assert end > offset
        expected_offset = end
        body = data[offset - start:end - start]
        if line is None:  # oversize: skipped, never held
            assert len(body.removesuffix(b"\n")) > MAX_LINE
        else:
            assert len(line) <= MAX_LINE
            assert line + (b"\n" if terminated else b"") == body
    assert expected_offset == start + len(data)
    assert all(term for *_, term in chunked[:-1])
    if chunked:
        assert chunked[-1][4] == data.endswith(b"\n")

    # lines + newlines reproduce the input (oversize lines stand in as their byte range)
    rebuilt = b"".join(
        (line if line is not None else data[offset - start:end - start].removesuffix(b"\n"))
        + (b"\n" if terminated else b"")
        for _, offset, end, line, terminated in chunked
    )
    assert rebuilt == data


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(FILES)), sizes=st.lists(st.integers(1, 5000), min_size=1,
                                                             max_size=5))
def test_fixture_lines_do_not_depend_on_chunking(name: str, sizes: list[int]) -> None:
    data = FILES[name]
    chunked = [_as_tuple(r) for r in iter_raw_lines(ChunkedStream(data, sizes))]
    assert chunked == [_as_tuple(r) for r in iter_raw_lines(io.BytesIO(data))]
    assert b"".join(line + b"\n" * term for *_, line, term in chunked) == data


# ---- c. fuzzing the decoder, the transcript builder and the head scan ----------------------

CODEX_KEYS = [
    "type", "payload", "timestamp", "ordinal", "id", "cwd", "record_type", "role", "content",
    "call_id", "output", "message", "item", "info", "text", "name", "arguments", "input",
    "status", "num_turns", "turn_id", "total_token_usage", "last_token_usage", "total_tokens",
    "images", "local_images", "changes", "invocation", "result", "action", "command",
    "summary_text", "error", "reason", "history_base", "thread_id", "end_ordinal_exclusive",
    "end_byte_offset", "forked_from_id", "model", "duration", "secs", "nanos", "exit_code",
    "success", "phase", "internal_chat_message_metadata_passthrough", "content_item_kinds",
    "source", "git", "turn_token_usage", "thread_token_usage", "aggregated_output", "query",
    "started_at", "completed_at", "duration_ms", "stdout", "stderr", "unified_diff", "path",
    "kind", "Ok", "Err", "server", "tool", "thread_name", "objective", "goal",
    "formatted_output", "metadata", "history_mode", "parent_thread_id", "subagent",
    "thread_spawn", "update", "summary", "instructions",
]
# Keys a typed payload object gets most often (every CODEX_KEYS key can still occur).
_PAYLOAD_KEYS = [
    "payload", "role", "content", "call_id", "output", "message", "item", "info", "text",
    "name", "arguments", "input", "num_turns", "total_token_usage", "changes", "invocation",
    "result", "action", "command", "error", "history_base", "duration", "exit_code",
    "internal_chat_message_metadata_passthrough", "content_item_kinds", "images",
]
ENVELOPE_KINDS = [
    "session_meta", "response_item", "event_msg", "turn_context", "compacted", "world_state",
    "token_usage_record", "state", "rollout_reference", "something_new",
]
RESPONSE_TYPES = [
    "message", "function_call", "function_call_output", "custom_tool_call",
    "custom_tool_call_output", "local_shell_call", "web_search_call", "tool_search_call",
    "reasoning", "ghost_snapshot", "other", "agent_message", "image_generation_call",
]
EVENT_TYPES = [
    "user_message", "agent_message", "agent_reasoning", "task_started", "task_complete",
    "turn_aborted", "thread_rolled_back", "item_completed", "token_count", "exec_command_end",
    "patch_apply_end", "mcp_tool_call_end", "web_search_end", "context_compacted",
    "thread_name_updated", "error", "stream_error", "warning", "thread_goal_updated",
    "entered_review_mode", "exited_review_mode", "thread_settings_applied", "brand_new_event",
]
ITEM_TYPES = [
    "UserMessage", "AgentMessage", "Reasoning", "CommandExecution", "FileChange",
    "McpToolCall", "WebSearch", "Plan", "ContextCompaction", "ImageGeneration", "ImageView",
    "Sleep",
]
PART_TYPES = ["input_text", "output_text", "text", "Text", "input_image", "image", "summary_text"]
TYPE_VALUES = [*ENVELOPE_KINDS, *RESPONSE_TYPES, *EVENT_TYPES, *ITEM_TYPES, *PART_TYPES,
               "update", "add", "delete", "user", "assistant", "developer", "exec", "search"]
# Fields the reader takes as numbers (durations, counts, exit codes, times).
NUMERIC_KEYS = [
    "duration", "duration_ms", "exit_code", "num_turns", "started_at", "completed_at",
    "end_ordinal_exclusive", "end_byte_offset",
]
_INTERESTING_STRINGS = [
    "", " ", "bash", "-lc", "apply_patch", "shell", "exec_command", "user.text",
    "*** Begin Patch\n*** Update File: a.py\n*** Move to: b.py\n@@\n-a\n+b\n*** End Patch\n",
    '{"output":"x","metadata":{"exit_code":1,"duration_seconds":2.5}}',
    '{"output":"x","metadata":{"duration_seconds":NaN}}',
    '{"cmd":"ls","command":["bash","-lc","ls"]}', '{"input":"*** Add File: x"}', "{", "[",
    "Chunk ID: 1\nWall time: 0.1 seconds\nProcess exited with code 3\nOutput:\nhi",
    "<environment_context>", "## My request for Codex: hi", "2026-11-21T13:00:16.147Z",
    "2026-11-21T13:00:16.123456789+02:00", "not a time", "9999-99-99T99:99:99Z",
    "01a1fe36-83d7-7141-9f9a-c70280a8052e", '{"error":{"message":"boom"}}',
    "\ud800", "a\udfffb", "\x00", "\u2028", "\ufeff",
]
# Strategies wrapped in st.deferred print as one short line (their full repr, with every
# sampled value, runs to hundreds of kB in Hypothesis' reports).
_STRINGS = st.one_of(st.text(max_size=20), st.sampled_from(TYPE_VALUES),
                     st.sampled_from(_INTERESTING_STRINGS))
strings = st.deferred(lambda: _STRINGS)
_NUMBERS = st.one_of(
    st.integers(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 2**63, -1, 0]),
)
numbers = st.deferred(lambda: _NUMBERS)
scalars = st.one_of(st.none(), st.booleans(), numbers, strings)
durations = st.fixed_dictionaries({}, optional={"secs": numbers, "nanos": numbers})
_KEYS = st.one_of(st.sampled_from(CODEX_KEYS), st.text(max_size=6))
keys = st.deferred(lambda: _KEYS)


def _typed(types: list[str], fields: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A dict with a known `type` plus a few known fields (and numbers where Codex has them)."""
    typed = st.builds(
        lambda t, known, nums: {**known, **nums, "type": t},
        st.sampled_from(types),
        st.dictionaries(st.sampled_from(_PAYLOAD_KEYS), fields, max_size=5),
        st.dictionaries(st.sampled_from(NUMERIC_KEYS), st.one_of(numbers, numbers, durations),
                        max_size=4),
    )
    return st.deferred(lambda: typed)


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=5),
        _typed(TYPE_VALUES, children),
    )


json_values = st.recursive(scalars, _extend, max_leaves=20)
_fields = st.one_of(scalars, json_values)
items = _typed(ITEM_TYPES, _fields)
event_payloads = st.one_of(
    _typed(EVENT_TYPES, _fields),
    st.builds(lambda p, item: {**p, "type": "item_completed", "item": item},
              _typed(EVENT_TYPES, _fields), items),
)
_envelope_extras = {"timestamp": st.one_of(strings, scalars), "ordinal": scalars,
                    "metadata": json_values}
_event_envelopes = st.fixed_dictionaries(
    {"type": st.just("event_msg"), "payload": event_payloads}, optional=_envelope_extras)
_response_envelopes = st.fixed_dictionaries(
    {"type": st.just("response_item"), "payload": _typed(RESPONSE_TYPES, _fields)},
    optional=_envelope_extras)
_other_envelopes = st.fixed_dictionaries(
    {"type": st.sampled_from(ENVELOPE_KINDS), "payload": json_values}, optional=_envelope_extras)
# Weighted towards the records the transcript builder does the most with.
envelopes = st.one_of(_event_envelopes, _event_envelopes, _event_envelopes,
                      _response_envelopes, _response_envelopes, _other_envelopes)
bare_lines = st.one_of(
    _typed(RESPONSE_TYPES, _fields),  # 0.20-era response items written bare
    st.fixed_dictionaries({}, optional={k: _fields for k in (
        "id", "timestamp", "record_type", "type", "role", "content", "instructions", "git")}),
)


@st.composite
def json_lines(draw: st.DrawFn) -> bytes:
    value = draw(st.one_of(envelopes, envelopes, envelopes, bare_lines, json_values))
    ensure_ascii = draw(st.booleans())
    text = json.dumps(value, ensure_ascii=ensure_ascii, allow_nan=True)
    # Lone surrogates: escaped (\ud800) with ensure_ascii, raw CESU-8 bytes without it.
    return text.encode("utf-8", "surrogatepass")


_NASTY_LINES = [
    b"\x00", b"\xff\xfe{}", b"\xc3\x28", b"\xed\xa0\x80", b'"\\ud800"', b'{"a":"\\udc00"}',
    b'{"type":"event_msg","payload":{"type":"user_message","message":"\\ud800 hi"}}',
    b'{"type":"event_msg","payload":{"type":"user_message","message":"hi\xff"}}',
    b"{}", b"[]", b"null", b"1e999", b"NaN", b"-Infinity", b"   ", b"\r", b"{\"type\":",
    b"[" * 5000, b"{\"a\":" * 3000, b"9" * 5000,
]
raw_lines = st.one_of(st.binary(max_size=60).map(lambda b: b.replace(b"\n", b"")),
                      st.sampled_from(_NASTY_LINES))
fuzz_documents = st.builds(
    lambda lines, trailing: b"\n".join(lines) + (b"\n" if trailing else b""),
    st.lists(st.one_of(json_lines(), json_lines(), json_lines(), raw_lines), max_size=12),
    st.booleans(),
)


def _decode_everything(data: bytes) -> list[Record | Problem]:
    items = list(read_records(io.BytesIO(data), "fuzz.jsonl"))
    assert all(isinstance(it, Record | Problem) for it in items)
    records = [it for it in items if isinstance(it, Record)]
    result = build_turns(records)
    assert [t.index for t in result.turns] == list(range(1, len(result.turns) + 1))
    head = scan_head(io.BytesIO(data), "fuzz.jsonl")
    assert head.meta is None or isinstance(head.meta, dict)
    return items


def _line(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


# Deep values with a lone surrogate near the top (so they are scrubbed), in a list and a dict.
_DEEP_SURROGATE_LIST = b'["\\ud800",' + b"[" * 600 + b"]" * 600 + b"]\n"
_DEEP_SURROGATE_DICT = b'{"a":"\\ud800","b":' + b'{"a":' * 600 + b"1" + b"}" * 600 + b"}\n"


# Hand-written lines the fuzzer might not hit often; each is its own test case so a failure
# names it, and the random search below still runs when one of them fails.
HANDWRITTEN_LINES = {
    "exec-end-nan-duration": _line({"type": "event_msg", "payload": {
        "type": "exec_command_end", "call_id": "c", "duration": float("nan")}}),
    "mcp-end-infinite-duration": _line({"type": "event_msg", "payload": {
        "type": "mcp_tool_call_end", "duration": float("inf")}}),
    "shell-output-nan-seconds": _line({"type": "response_item", "payload": {
        "type": "function_call_output", "call_id": "c",
        "output": '{"output": "x", "metadata": {"duration_seconds": NaN}}'}}),
    "command-item-minus-infinity": _line({"type": "event_msg", "payload": {
        "type": "item_completed", "item": {
            "type": "CommandExecution", "id": "c", "duration": -float("inf")}}}),
    "rollback-huge-float": b'{"type":"event_msg","payload":{"type":"thread_rolled_back",'
                           b'"num_turns":1e308}}\n',
    "rollback-negative": b'{"type":"event_msg","payload":{"type":"thread_rolled_back",'
                         b'"num_turns":-5}}\n',
    "task-error-deep-json": b'{"timestamp":"2026-11-21T13:00:16.147Z","type":"event_msg",'
                            b'"payload":{"type":"task_complete","error":"{\\"error\\":'
                            + b"[" * 3000 + b'"}}\n',
    "payload-deep-valid": b'{"type":"event_msg","payload":{"type":"weird","x":'
                          + b"[" * 1000 + b"]" * 1000 + b"}}\n",
    "big-int-ordinal": b'{"type":"event_msg","ordinal":' + b"9" * 400 + b',"payload":{}}\n',
    "cesu-surrogate": b'{"type":"event_msg","payload":{"type":"user_message",'
                      b'"message":"\xed\xa0\x80"}}\n',
    "top-level-surrogate-string": b'"\\ud800"\n',
    "surrogate-key": b'{"type":"event_msg","payload":{"type":"warning","\\udc00":"x"}}\n',
}


@pytest.mark.parametrize("data", list(HANDWRITTEN_LINES.values()), ids=list(HANDWRITTEN_LINES))
def test_handwritten_lines_never_raise(data: bytes) -> None:
    _decode_everything(data)


@settings(max_examples=400, deadline=None)
@given(data=fuzz_documents)
def test_fuzzed_lines_never_raise(data: bytes) -> None:
    _decode_everything(data)


@pytest.mark.parametrize("data", [
    b"[" * 100_000,
    b"[" * 100_000 + b"\n",
    b"{\"a\":" * 100_000 + b"\n",
    b"[" * 100_000 + b"]" * 100_000 + b"\n",
    b'{"type":"event_msg","payload":' + b"[" * 100_000 + b"\n",
], ids=["open-unterminated", "open", "dicts", "balanced", "in-payload"])
def test_deeply_nested_line_is_a_problem(data: bytes) -> None:
    items = _decode_everything(data)
    assert len(items) == 1
    assert isinstance(items[0], Problem)
    assert items[0].line == 1


@pytest.mark.parametrize("data", [_DEEP_SURROGATE_LIST, _DEEP_SURROGATE_DICT],
                         ids=["list", "dict"])
def test_deep_value_with_lone_surrogate_decodes(data: bytes) -> None:
    """Valid JSON a few hundred levels deep with a lone surrogate near the top: decoded (or
    reported), never a RecursionError."""
    items = _decode_everything(data)
    assert items and all(it.line_no == 1 if isinstance(it, Record) else it.line == 1
                         for it in items)


@pytest.fixture(scope="module")
def fuzz_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-home")


FUZZ_ID = "01a1fe36-0000-7000-8000-000000000001"
OTHER_ID = "01a1fe36-0000-7000-8000-000000000002"


@settings(max_examples=120, deadline=None)
@given(own=fuzz_documents, other=fuzz_documents, meta=st.one_of(
    json_values,
    st.fixed_dictionaries({"id": st.sampled_from([FUZZ_ID, OTHER_ID])}, optional={
        "history_base": st.fixed_dictionaries({}, optional={
            "thread_id": st.one_of(st.sampled_from([FUZZ_ID, OTHER_ID, "", "zz"]), scalars),
            "end_ordinal_exclusive": scalars, "end_byte_offset": scalars}),
        "forked_from_id": st.one_of(st.sampled_from([FUZZ_ID, OTHER_ID]), scalars),
        "history_mode": st.one_of(st.sampled_from(["legacy", "paginated"]), scalars),
        "timestamp": scalars, "cwd": scalars, "source": json_values, "git": json_values,
    }),
))
def test_fuzzed_rollouts_read_through_the_store(fuzz_home: Path, own: bytes, other: bytes,
                                                meta: Any) -> None:
    """The same fuzzed lines behind a session_meta line (with fuzzed history_base links to a
    second fuzzed thread or to itself), listed and read through LocalThreadStore."""
    day = fuzz_home / "sessions" / "2026" / "11" / "21"
    day.mkdir(parents=True, exist_ok=True)
    meta_line = _line({"timestamp": "2026-11-21T10:00:00.000Z", "type": "session_meta",
                       "payload": meta}) + b"\n"
    (day / f"rollout-2026-11-21T10-00-00-{FUZZ_ID}.jsonl").write_bytes(meta_line + own)
    (day / f"rollout-2026-11-21T09-00-00-{OTHER_ID}.jsonl").write_bytes(other)
    store = LocalThreadStore(str(fuzz_home))
    listed = store.list_threads(ThreadQuery(cwd=None))
    assert {s.id for s in listed} == {FUZZ_ID, OTHER_ID}
    for thread_id in (FUZZ_ID, OTHER_ID):
        thread = store.read_thread(thread_id)
        assert thread.summary.id == thread_id
