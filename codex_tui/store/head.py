"""The head of a rollout: its metadata and preview, read without reading the whole file."""

from __future__ import annotations

import re
from typing import Any

import orjson

from . import fields as f
from .copied_history import SubAgentCopy
from .envcontext import context_cwd
from .kinds import UnknownTally, unknown_label
from .model import Problem
from .rollout import (
    ByteReader,
    Record,
    classify,
    decode_line,
    iter_raw_lines,
    open_rollout,
    parse_json,
)

# Codex looks for session_meta in the first 10 records and a preview within 210 lines; we read
# a little further so that sessions Codex hides still list, but never the whole file.
HEAD_LINE_LIMIT = 256
TAIL_BYTES = 256 * 1024


class Head:
    """What the head of a rollout says. (A plain class, as the cold start-up's first page
    imports this module: a dataclass would compile its methods then.)"""

    __slots__ = ("bare", "context_cwd", "meta", "meta_line", "model", "paginated_lines",
                 "preview", "problems", "records_seen")

    def __init__(self) -> None:
        self.meta: dict[str, Any] | None = None
        self.meta_line: int | None = None
        self.bare = False
        self.paginated_lines = False  # lines carry an `ordinal`
        self.preview: str | None = None
        self.model: str | None = None
        self.records_seen = 0
        self.problems: list[Problem] = []
        # The cwd of the first injected environment context: where session_meta has none
        # (the bare lines of Codex 0.2x), the only record of the working directory.
        self.context_cwd: str | None = None

    @property
    def cwd(self) -> str | None:
        return f.s(self.meta, "cwd") or self.context_cwd


def scan_head(stream: ByteReader, path: str) -> Head:
    head = Head()
    fallback: str | None = None  # first real user response item, for files without events
    copy: SubAgentCopy | None = None  # a sub-agent's copy of its parent, while in it
    copied_preview: str | None = None  # the copy's first prompt (the parent's)
    unknown = UnknownTally()
    for raw in iter_raw_lines(stream):
        if raw.line_no > HEAD_LINE_LIMIT:
            break
        record, problem = decode_line(raw, path)
        if problem is not None:
            head.problems.append(problem)
        if record is None:
            continue
        head.records_seen += 1
        label = unknown_label(record)
        if label is not None:
            unknown.add(label, record)
        if record.ordinal is not None:
            head.paginated_lines = True
        if record.kind == "session_meta":
            if head.meta is None and isinstance(record.payload, dict):
                head.meta = record.payload
                head.meta_line = record.line_no
                head.bare = record.bare
                copy = SubAgentCopy.of(head.meta)
            continue
        if copy is not None and copy.copied(record):
            copied_preview = copied_preview or _preview(record)
        elif head.preview is None:
            preview = _preview(record)
            if preview is not None:
                head.preview = preview
            elif fallback is None:
                fallback = _fallback_preview(record)
        if head.model is None and record.kind == "turn_context":
            head.model = f.s(record.payload, "model")
        if head.context_cwd is None and record.kind == "response_item" \
                and record.type == "message":
            head.context_cwd = context_cwd(record.payload)
        if head.meta is not None and head.preview is not None and head.model is not None \
                and head.cwd is not None:
            break
    head.problems.extend(unknown.problems())
    if head.preview is None:
        head.preview = fallback
    if head.preview is None and copy is not None and not copy.done:
        head.preview = copied_preview  # where its own history starts can't be told here
    if head.meta is None:
        if head.records_seen == 0 and not head.problems:
            head.problems.append(Problem("empty file", path))
        else:
            head.problems.append(Problem("no session metadata (session_meta) found", path))
    return head


def _preview(record: Record) -> str | None:
    p = record.payload
    if record.kind != "event_msg" or not isinstance(p, dict):
        return None
    if record.type == "user_message":
        return f.preview_text(*f.event_user_message(p))
    if record.type == "item_completed":
        item = f.dct(p, "item")
        if f.s(item, "type") == "UserMessage":
            return f.preview_text(*f.item_user_message(item))
    return None


def _fallback_preview(record: Record) -> str | None:
    p = record.payload
    if record.kind == "response_item" and record.type == "message" and isinstance(p, dict) \
            and f.is_real_user_response_item(p):
        content = p.get("content")
        return f.preview_text(f.content_text(content), f.count_images(content))
    return None


def read_head(path: str) -> Head:
    try:
        with open_rollout(path) as stream:
            return scan_head(stream, path)
    except Exception as exc:
        head = Head()
        head.problems.append(Problem(_describe(exc), path))
        return head


def read_tail_tokens(path: str, size: int) -> int | None:
    """Newest `total_token_usage.total_tokens` in the last TAIL_BYTES of the file."""
    if path.endswith(".zst"):
        return None
    try:
        with open(path, "rb") as stream:
            start = max(0, size - TAIL_BYTES)
            stream.seek(start)
            data = stream.read(TAIL_BYTES)
    except OSError:
        return None
    # Search backwards for the markers instead of splitting the whole tail into lines.
    end = len(data)
    while True:
        hit = max(data.rfind(b'"token_count"', 0, end), data.rfind(b'"token_usage_record"', 0, end))
        if hit == -1:
            return None
        line_start = data.rfind(b"\n", 0, hit) + 1
        if line_start == 0 and start > 0:
            return None  # the tail's first piece is a partial line
        line_end = data.find(b"\n", hit)
        line = data[line_start: len(data) if line_end == -1 else line_end]
        end = line_start
        value, _ = parse_json(line)
        kind, typ, payload, *_ = classify(value)
        if kind == "event_msg" and typ == "token_count":
            usage = f.token_usage(f.dct(f.dct(payload, "info"), "total_token_usage"))
            if usage is not None:
                return usage.total
        elif kind == "token_usage_record":
            usage = f.token_usage(f.dct(payload, "thread_token_usage"))
            if usage is not None:
                return usage.total


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"cannot read: {exc.strerror or exc}"
    return str(exc) or type(exc).__name__


_CWD_RE = re.compile(rb'"cwd"\s*:\s*("(?:[^"\\]|\\.)*")')
PEEK_BYTES = 4096


def peek_cwd(path: str) -> str | None:
    """The first `cwd` written near the start of the file, from one small read, or None when
    it can't be told that cheaply. A hint for choosing which heads to read first, never a
    fact about the thread: summaries come from the full head read."""
    if path.endswith(".zst"):
        return None
    try:
        with open(path, "rb") as stream:
            chunk = stream.read(PEEK_BYTES)
    except OSError:
        return None
    match = _CWD_RE.search(chunk)
    if match is None:
        return None
    try:
        value = orjson.loads(match.group(1))
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, str) else None
