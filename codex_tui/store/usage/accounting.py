"""One thread's token usage, from its rollout files: the accounting rules, in one place.

Codex writes an `event_msg/token_count` after each model response, holding
`info.total_token_usage` (the thread's cumulative total, as the writing process knows it) and
`info.last_token_usage` (that one response). The rules:

- A response's usage is its `last_token_usage`. Only when a (very old) event has no `last` is
  it the change of the cumulative total since the previous event, and a total that went down
  (or equals `last`) means a new process started counting from zero: older releases restart
  the cumulative total when `codex resume` opens the thread in a new process (0.171 carries it
  over; both are read right this way).
- An event whose cumulative total equals the previous one's is not a new response: 0.80 and
  0.120 write each `token_count` again, unchanged, when the next request starts, 0.50 when a
  process resumes a thread, and 0.171 after a compaction (a `last` of zeros but a total). Those are
  skipped (and their `last` tallied as `repeated`, to explain ccusage's figures). The rule's
  one blind spot: a new process whose first response equals, to the token, the previous
  process's whole total reads as a repeat.
- Lines a fork or a sub-agent copied from its parent (copied_history.py says which) are the
  parent's usage, already counted in the parent's file: they feed the running total but are
  not counted (tallied as `inherited`). A paginated fork copies nothing; its first total
  includes its base's, which is why `last` and not the total is the response's usage.
- The model is the one the latest `turn_context` names; none recorded stays None (unpriced),
  never a guess.
- Usage belongs to the instant of its own event: it is kept per quarter hour of UTC (`slot`),
  so that any time zone's days (and --utc) come from the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import fields as f
from ..copied_history import mark_copied_history
from ..model import TokenUsage
from ..paths import ThreadFiles
from ..rollout import Record, classify, open_rollout, parse_json

SLOT_SECONDS = 900  # a quarter hour: every time zone's offset is a multiple of it

# The lines the accounting needs; every other line is left undecoded (the speed of a cold
# report over 10,000 sessions is the speed of this search). A marker inside some message's
# text only costs a decode: what counts is the decoded record's kind.
_MARKERS = (b'"token_count"', b'"turn_context"', b'"session_meta"', b'"thread_settings_applied"')

# Cause names for what is read but not counted (see the module's docstring).
REPEATED = "repeated"
INHERITED = "inherited"

Fields = list[int]  # input, cached_input, output, reasoning_output, total


class ThreadUsage:
    """What one thread used: `buckets[(slot, model)]` = 5 token counts; `skipped[(slot,
    cause)]` = what a reader summing every event's `last` would add besides."""

    __slots__ = ("buckets", "events", "skipped", "undated")

    def __init__(self) -> None:
        self.buckets: dict[tuple[int, str | None], Fields] = {}
        self.skipped: dict[tuple[int, str], Fields] = {}
        self.events = 0  # token_count events counted
        self.undated = 0  # counted-worthy events without a usable timestamp (not counted)

    @property
    def has_usage(self) -> bool:
        return self.events > 0

    def total(self) -> TokenUsage:
        out = [0] * 5
        for values in self.buckets.values():
            _add(out, values)
        return TokenUsage(*out)

    def to_json(self) -> list[Any]:
        return [self.events, self.undated,
                [[slot, model, *v] for (slot, model), v in self.buckets.items()],
                [[slot, cause, *v] for (slot, cause), v in self.skipped.items()]]

    @classmethod
    def from_json(cls, value: Any) -> ThreadUsage:
        """The inverse of to_json; raises ValueError/TypeError on anything else."""
        events, undated, buckets, skipped = value
        usage = cls()
        usage.events, usage.undated = int(events), int(undated)
        for slot, model, *v in buckets:
            usage.buckets[(int(slot), model if isinstance(model, str) else None)] = _five(v)
        for slot, cause, *v in skipped:
            usage.skipped[(int(slot), str(cause))] = _five(v)
        return usage


def _five(values: list[Any]) -> Fields:
    if len(values) != 5:
        raise ValueError("a usage bucket holds five counts")
    sum(values)  # a TypeError for anything but numbers (cheaper than checking each)
    return values


def _add(into: Fields, values: Iterable[int]) -> None:
    for i, v in enumerate(values):
        into[i] += v


def _fields(usage: TokenUsage) -> Fields:
    # A missing total_tokens is input + output (what Codex's total is made of).
    total = usage.total if usage.total > 0 else usage.input + usage.output
    return [usage.input, usage.cached_input, usage.output, usage.reasoning_output, total]


def slot_of(timestamp: str | None, memo: dict[str, int | None]) -> int | None:
    """The quarter hour of UTC a timestamp falls in. Codex writes UTC with a `Z`: those are
    told by their first 16 characters (`YYYY-MM-DDThh:mm`), parsed once per quarter hour
    (a thread's events crowd into a few); any other form is parsed whole."""
    if not timestamp:
        return None
    if timestamp.endswith("Z") and len(timestamp) >= 17 and timestamp[16] == ":":
        minute = timestamp[:16]
        if minute in memo:
            return memo[minute]
        when = f.parse_time(minute + ":00Z")
        got = memo[minute] = int(when.timestamp()) // SLOT_SECONDS if when else None
        return got
    when = f.parse_time(timestamp)
    return int(when.timestamp()) // SLOT_SECONDS if when is not None else None


def relevant_records(data: bytes) -> list[Record]:
    """The records of one file's bytes that the accounting reads, in file order."""
    spans: dict[int, int] = {}  # line start -> line end
    for marker in _MARKERS:  # bytes.find per marker: much faster than one regex over it all
        pos = data.find(marker)
        while pos != -1:
            start = data.rfind(b"\n", 0, pos) + 1
            stop = data.find(b"\n", pos)
            stop = len(data) if stop == -1 else stop
            spans[start] = stop
            pos = data.find(marker, stop)
    out: list[Record] = []
    for start in sorted(spans):
        value, _ = parse_json(data[start: spans[start]])
        if value is None:
            continue  # a bad or cut-off line: the listing reports it, it holds no usage
        kind, typ, payload, timestamp, ordinal, bare = classify(value)
        out.append(Record(kind, typ, payload, timestamp, ordinal, offset=start, bare=bare))
    return out


def read_thread_usage(tf: ThreadFiles) -> ThreadUsage:
    """The usage of one thread's files (oldest first). A file that can't be read adds
    nothing (the listing reports it)."""
    records: list[Record] = []
    for rf in tf.files:
        try:
            with open_rollout(rf.path) as stream:
                data = stream.read()
        except Exception:  # unreadable, compressed without zstd, a bad .zst: no usage
            continue
        records.extend(relevant_records(data))
    return account(records, tf.thread_id)


def account(records: list[Record], thread_id: str) -> ThreadUsage:
    """Apply the rules (module docstring) to a thread's records, in file order."""
    meta = next((r.payload for r in records if r.kind == "session_meta"), None)
    if meta is not None:
        mark_copied_history(records, thread_id, meta)
    usage = ThreadUsage()
    slots: dict[str, int | None] = {}
    model: str | None = None
    prev: TokenUsage | None = None
    for rec in records:
        if rec.kind == "turn_context":
            model = f.s(rec.payload, "model") or model
            continue
        if rec.kind != "event_msg" or rec.type != "token_count":
            continue
        info = f.dct(rec.payload, "info")
        total = f.token_usage(f.dct(info, "total_token_usage"))
        last = f.token_usage(f.dct(info, "last_token_usage"))
        if total is None and last is None:
            continue  # a rate-limits-only event
        slot = slot_of(rec.timestamp, slots)
        if total is not None and total == prev:
            if last is not None and slot is not None and any(last[:4]):
                # (a `last` of zeros but a total, as after a compaction, is no response)
                _add(usage.skipped.setdefault((slot, REPEATED), [0] * 5), _fields(last))
            continue
        spent: TokenUsage | None
        if last is not None:
            spent = last
        elif prev is None or total is None or total.total < prev.total:
            spent = total  # a new process counting from zero
        else:
            spent = total.minus(prev)
        if total is not None:
            prev = total
        if spent is None:
            continue
        if rec.inherited:
            if slot is not None:
                _add(usage.skipped.setdefault((slot, INHERITED), [0] * 5), _fields(spent))
            continue
        if slot is None:
            usage.undated += 1
            continue
        usage.events += 1
        _add(usage.buckets.setdefault((slot, model), [0] * 5), _fields(spent))
    return usage
