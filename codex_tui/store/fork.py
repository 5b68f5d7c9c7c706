"""Fork a thread at a turn: a new session holding turns 1..N of its source.

Three ways to write it, by the source's format (see the storage spec, section 4):

- `reference` (paginated sources, Codex 0.160 and later): as Codex writes a paginated fork,
  no history is copied. The new file is one `session_meta` line whose `history_base
  {thread_id, end_ordinal_exclusive, end_byte_offset}` names the prefix of the file that
  holds the cut, and whose own `ordinal` continues at `end_ordinal_exclusive`.
- `copy` (envelope sources, legacy mode): as Codex writes a legacy fork: a new
  `session_meta`, then the source's first `session_meta` line verbatim, then the source's
  lines up to the end of turn N, byte for byte.
- `convert` (bare-line sources of Codex 0.20, which today's Codex cannot resume: "rollout is
  empty"): the same layout as `copy`, with each bare response item wrapped in an envelope
  (and each real user message given its `user_message` event, as envelope-era Codex wrote
  it), so the fork is a session the current Codex CLI resumes.

The cut is the end of turn N: right after its `task_complete`/`turn_aborted` where the file
records turn events, else after its last line. The source file is never modified; the new
file is written to a temporary file, fsynced and renamed into
`sessions/YYYY/MM/DD/rollout-<local time>-<new id>.jsonl`.

Pure Python: never imports Textual or Rich.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from . import fields as f
from .atomic import append_session_index, check_writable, write_new_file
from .copied_history import FORK_ORIGINATOR
from .envcontext import recorded_cwd
from .errors import StoreError
from .model import Problem, Turn
from .paths import SESSIONS, ThreadFiles, parse_rollout_name
from .reader import Resolve, _effective_records
from .rollout import Record, open_rollout
from .transcript import _segment, build_turns

ORIGINATOR = FORK_ORIGINATOR  # who wrote the fork's session_meta (Codex writes its own name)

# Keys of the source's session_meta that describe the source itself, not its history.
_DROP_META_KEYS = frozenset({
    "id", "session_id", "timestamp", "forked_from_id", "forked_from_ordinal_exclusive",
    "history_base", "context_window", "subagent_history_start_ordinal", "parent_thread_id",
    "agent_nickname", "agent_role", "agent_path", "originator",
})
_TURN_END = frozenset({"task_complete", "turn_aborted"})
# Reader problems that mean part of the history is missing: a fork would lose turns.
_MISSING_HISTORY = ("parent history", "history_base", "inherited lines are missing",
                    "loops back")


def uuid7(now_ms: int | None = None) -> str:
    """A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits; sorts by time,
    as Codex's thread ids do."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= secrets.randbits(12) << 64
    value |= 0b10 << 62  # variant
    value |= secrets.randbits(62)
    return str(uuid.UUID(int=value))


@dataclass(slots=True)
class ForkPlan:
    """Where to cut the source and how to write the fork; `turns` are the kept turns."""

    source_id: str
    keep_turns: int
    total_turns: int
    style: str  # "reference" | "copy" | "convert"
    cut_path: str  # the file holding the last kept line
    cut_end: int  # bytes of cut_path kept (just past the last kept line's newline)
    cut_ordinal: int | None  # reference: end_ordinal_exclusive
    base_thread_id: str | None  # reference: the thread whose file holds the cut
    meta: dict[str, Any]  # the source's own session_meta payload
    meta_path: str  # the source's current file
    meta_end: int  # byte just past the source's first session_meta line
    turns: list[Turn]
    turn_open: bool = False  # the last kept turn started and has not ended (yet)
    # the source's working directory as recorded (session_meta, else its environment
    # context: the bare lines of Codex 0.2x have no cwd in their first line)
    cwd: str | None = None

    @property
    def whole(self) -> bool:
        """Every turn is kept (Codex forks a whole thread without naming a turn)."""
        return self.keep_turns == self.total_turns

    @property
    def last_turn_id(self) -> str | None:
        """The id of the last kept turn, as recorded (what Codex's fork is cut after)."""
        return self.turns[-1].turn_id if self.turns else None


def plan_fork(tf: ThreadFiles, resolve: Resolve, keep_turns: int,
              source_format: str = "envelope") -> ForkPlan:
    """Read the source and find the cut after turn `keep_turns`, or raise StoreError saying
    why the fork can't be made."""
    thread_id = tf.thread_id
    if isinstance(keep_turns, bool) or not isinstance(keep_turns, int) or keep_turns < 1:
        raise StoreError(f"cannot fork at turn {keep_turns}: turns are numbered from 1")
    problems: list[Problem] = []
    records, _ = _effective_records(tf.current, thread_id, resolve, problems, set(), 0)
    missing = [p for p in problems if any(m in p.message for m in _MISSING_HISTORY)]
    if missing:
        raise StoreError(f"cannot fork {thread_id}: part of its history can't be found "
                         f"({missing[0].message})")
    own_meta = next((r for r in records
                     if r.kind == "session_meta" and r.path == tf.current.path), None)
    if own_meta is None or not isinstance(own_meta.payload, dict):
        raise StoreError(f"cannot fork {thread_id}: its rollout has no session metadata")
    segments, _, _ = _segment(records)
    if not segments:
        raise StoreError(f"cannot fork {thread_id}: it has no turns")
    if keep_turns > len(segments):
        raise StoreError(f"cannot fork at turn {keep_turns}: session {thread_id} has only "
                         f"{len(segments)} turn{'s' if len(segments) != 1 else ''}")
    segment = segments[keep_turns - 1]
    if not segment.records:
        raise StoreError(f"cannot fork {thread_id}: the end of turn {keep_turns} can't be found")
    cut = segment.records[-1]
    if segment.explicit and not segment.open:
        ends = [r for r in segment.records if r.kind == "event_msg" and r.type in _TURN_END]
        if ends:
            cut = ends[-1]
    if cut.path is None:
        raise StoreError(f"cannot fork {thread_id}: the end of turn {keep_turns} can't be found")
    if not _ends_with_newline(cut):
        raise StoreError(f"cannot fork at turn {keep_turns}: its last line is still being "
                         "written (or was cut off); try again when the turn has finished")

    paginated = f.s(own_meta.payload, "history_mode") == "paginated" or own_meta.ordinal is not None
    base_thread_id: str | None = None
    cut_ordinal: int | None = None
    if paginated:
        style = "reference"
        if cut.ordinal is None:
            raise StoreError(f"cannot fork {thread_id}: the line ending turn {keep_turns} has no "
                             "ordinal, so the turn boundary can't be referenced")
        name = parse_rollout_name(os.path.basename(cut.path))
        if name is None:
            raise StoreError(f"cannot fork {thread_id}: {cut.path} is not a rollout file name")
        base_thread_id = name.thread_id
        cut_ordinal = cut.ordinal + 1
    else:
        style = "convert" if own_meta.bare or source_format == "bare" else "copy"
        if cut.path != tf.current.path:
            raise StoreError(f"cannot fork {thread_id}: turn {keep_turns} is not in its "
                             "current file")

    kept = build_turns(records).turns[:keep_turns]
    return ForkPlan(
        source_id=thread_id,
        keep_turns=keep_turns,
        total_turns=len(segments),
        style=style,
        cut_path=cut.path,
        cut_end=cut.end,
        cut_ordinal=cut_ordinal,
        base_thread_id=base_thread_id,
        meta=own_meta.payload,
        meta_path=tf.current.path,
        meta_end=own_meta.end,
        turns=kept,
        turn_open=segment.explicit and segment.open,
        cwd=recorded_cwd(r for r in records if r.path == tf.current.path),
    )


def _ends_with_newline(record: Record) -> bool:
    if record.path is None or record.path.endswith(".zst"):
        return True  # compressed files are complete by construction
    try:
        with open(record.path, "rb") as stream:
            stream.seek(record.end - 1)
            return stream.read(1) == b"\n"
    except OSError:
        return False


# ---- writing ----------------------------------------------------------------------------


@dataclass(slots=True)
class ForkResult:
    thread_id: str
    path: str
    plan: ForkPlan


def _stamp(now: datetime) -> str:
    """Line timestamps as Codex writes them: UTC, milliseconds, `Z`."""
    now = now.astimezone(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def fork_path(codex_home: str, thread_id: str, now: datetime) -> str:
    """`sessions/YYYY/MM/DD/rollout-YYYY-MM-DDThh-mm-ss-<id>.jsonl`, in local time."""
    local = now.astimezone()
    return os.path.join(
        codex_home, SESSIONS, f"{local.year:04d}", f"{local.month:02d}", f"{local.day:02d}",
        f"rollout-{local.strftime('%Y-%m-%dT%H-%M-%S')}-{thread_id}.jsonl")


def new_meta(source: dict[str, Any], new_id: str, source_id: str, now: datetime,
             cwd: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The fork's session_meta payload: the source's, with the fork's identity. Codex's
    fields come in Codex's order (id, forked_from_id, ..., timestamp, cwd, originator, ...)."""
    out: dict[str, Any] = {}
    if "session_id" in source:
        out["session_id"] = new_id
    out["id"] = new_id
    out["forked_from_id"] = source_id
    for key, value in (extra or {}).items():
        if key.startswith("forked_from"):
            out[key] = value
    out["timestamp"] = _stamp(now)
    out["cwd"] = cwd
    out["originator"] = ORIGINATOR
    for key, value in source.items():
        if key in _DROP_META_KEYS or key in out or key == "git":
            continue
        out[key] = value
    if not isinstance(out.get("cli_version"), str):
        out["cli_version"] = "unknown"
    if isinstance(out.get("source"), dict):
        out["source"] = "cli"  # a fork of a sub-agent's thread is the user's own thread
    for key, value in (extra or {}).items():
        if not key.startswith("forked_from"):
            out[key] = value
    if "git" in source:
        out["git"] = source["git"]
    return out


def write_fork(codex_home: str, plan: ForkPlan, cwd: str | None = None,
               now: datetime | None = None) -> ForkResult:
    """Write the fork `plan` describes as a new rollout; returns its id and path."""
    now = now or datetime.now(UTC)
    new_id = uuid7(int(now.timestamp() * 1000))
    path = fork_path(codex_home, new_id, now)
    check_writable(os.path.join(codex_home, SESSIONS), "sessions folder")
    source_cwd = f.s(plan.meta, "cwd") or plan.cwd or cwd or os.getcwd()
    if plan.style == "reference":
        data = _reference(plan, new_id, now, source_cwd)
    elif plan.style == "copy":
        data = _copy(plan, new_id, now, source_cwd)
    else:
        data = _convert(plan, new_id, now, source_cwd)
    write_new_file(path, data)
    return ForkResult(new_id, path, plan)


def _line(obj: dict[str, Any]) -> bytes:
    return orjson.dumps(obj) + b"\n"


def _reference(plan: ForkPlan, new_id: str, now: datetime, cwd: str) -> bytes:
    assert plan.cut_ordinal is not None and plan.base_thread_id is not None
    extra = {
        "forked_from_ordinal_exclusive": plan.cut_ordinal,
        "history_mode": "paginated",
        "history_base": {
            "thread_id": plan.base_thread_id,
            "end_ordinal_exclusive": plan.cut_ordinal,
            "end_byte_offset": plan.cut_end,
        },
    }
    source = {k: v for k, v in plan.meta.items() if k not in ("history_mode",)}
    meta = new_meta(source, new_id, plan.source_id, now, cwd, extra)
    return _line({"timestamp": _stamp(now), "ordinal": plan.cut_ordinal,
                  "type": "session_meta", "payload": meta})


def _read_range(path: str, start: int, end: int) -> bytes:
    with open_rollout(path) as stream:
        if path.endswith(".zst"):
            data = stream.read(end)
            return data[start:end]
        stream.seek(start)
        return stream.read(end - start)


def _copy(plan: ForkPlan, new_id: str, now: datetime, cwd: str) -> bytes:
    meta = new_meta(plan.meta, new_id, plan.source_id, now, cwd)
    head = _line({"timestamp": _stamp(now), "type": "session_meta", "payload": meta})
    source_meta_line = _read_range(plan.meta_path, 0, plan.meta_end)
    body = _read_range(plan.meta_path, plan.meta_end, plan.cut_end)
    # The source's first line is its session_meta (Codex requires it); copy it verbatim.
    start = source_meta_line.rfind(b"\n", 0, len(source_meta_line) - 1) + 1
    parts = [head, _terminated(source_meta_line[start:]), _terminated(body)]
    return b"".join(p for p in parts if p)


def _terminated(data: bytes) -> bytes:
    return data if not data or data.endswith(b"\n") else data + b"\n"


def _convert(plan: ForkPlan, new_id: str, now: datetime, cwd: str) -> bytes:
    """0.20 bare lines -> envelopes. The bare first line `{id, timestamp, instructions,
    git}` becomes the fork's session_meta; `{"record_type": ...}` markers are dropped; each
    response item is wrapped, stamped with the source's time (the only time it recorded)."""
    src = plan.meta
    when = f.s(src, "timestamp") or _stamp(now)
    meta: dict[str, Any] = {
        "id": new_id,
        "forked_from_id": plan.source_id,
        "timestamp": _stamp(now),
        "cwd": cwd,
        "originator": ORIGINATOR,
        "cli_version": f.s(src, "cli_version") or "unknown",
        "instructions": src.get("instructions"),
    }
    if "git" in src:
        meta["git"] = src["git"]
    out = [_line({"timestamp": _stamp(now), "type": "session_meta", "payload": meta})]
    body = _read_range(plan.meta_path, plan.meta_end, plan.cut_end)
    for raw in body.splitlines():
        if not raw.strip():
            continue
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            continue  # Codex skips unreadable lines too
        if not isinstance(obj, dict) or "record_type" in obj \
                or not isinstance(obj.get("type"), str):
            continue
        if "payload" in obj:  # already an envelope
            out.append(_terminated(raw))
            continue
        out.append(_line({"timestamp": when, "type": "response_item", "payload": obj}))
        if obj.get("type") == "message" and f.is_real_user_response_item(obj):
            content = obj.get("content")
            out.append(_line({"timestamp": when, "type": "event_msg", "payload": {
                "type": "user_message", "message": f.content_text(content), "images": []}}))
    return b"".join(out)


def add_name(codex_home: str, thread_id: str, name: str) -> None:
    """Name a thread the way Codex does: a line in session_index.jsonl, under its lock."""
    append_session_index(codex_home, thread_id, name)
