"""Records -> turn segments, for every format generation (transcript.py builds the turns).

Turn boundaries: `task_started` ... `task_complete`/`turn_aborted` where a file records them;
otherwise (older legacy and bare files) a real user message starts a turn. Records before the
first turn (meta, injected context) join it; `thread_rolled_back` markers drop the last turns.
A copy of another thread's history (a fork's, a sub-agent's: marked `inherited`) never shares
a turn with the thread's own records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from . import fields as f
from .model import Note
from .rollout import Record


@dataclass(slots=True)
class Segment:
    records: list[Record] = field(default_factory=list)
    explicit: bool = False  # opened by task_started
    open: bool = True
    has_user_event: bool = False
    has_user: bool = False  # any user input (counts for rollbacks)


def segment(records: list[Record], shows: Callable[[Segment], bool]
            ) -> tuple[list[Segment], int, list[tuple[int, Note]]]:
    """(the turn segments, how many turns rollbacks dropped, notes to add to turns by index).
    `shows(segment)`: whether a segment would show anything, for a session without turns."""
    segments: list[Segment] = []
    preamble: list[Record] = []  # before the first turn (meta, context): merged into turn 1
    between: list[Record] = []  # after a turn is over, before the next: the next turn's
    current: Segment | None = None
    rolled_back = 0
    notes: list[tuple[int, Note]] = []

    def start(explicit: bool) -> Segment:
        nonlocal current
        seg = Segment(explicit=explicit)
        if not segments and preamble:
            seg.records.extend(preamble)
            preamble.clear()
        seg.records.extend(between)
        between.clear()
        segments.append(seg)
        current = seg
        return seg

    for rec in records:
        kind, typ, payload = rec.kind, rec.type, rec.payload
        if kind == "session_meta":
            continue
        if current is not None and _ends_turn(current, rec):
            current = None
        if kind == "event_msg" and typ == "task_started":
            prior = current
            seg = start(True)
            if prior is not None and not prior.explicit and prior.open \
                    and not prior.has_user_event:
                # `migrate-rollouts` writes the user's response item just before the
                # task_started it synthesizes: that message opens this turn, not one of its own.
                segments.remove(prior)
                seg.records.extend(prior.records)
                seg.has_user = prior.has_user
            seg.records.append(rec)
            continue
        if kind == "event_msg" and typ in ("task_complete", "turn_aborted"):
            seg = current or start(True)
            seg.records.append(rec)
            seg.open = False
            continue
        if kind == "event_msg" and typ == "thread_rolled_back":
            n = f.i(payload, "num_turns") or 0
            dropped = _roll_back(segments, n)
            rolled_back += dropped
            current = segments[-1] if segments else None
            if current is not None:
                current.open = False
            notes.append((len(segments) - 1, Note("rollback", f"rolled back {n} turn(s)")))
            continue
        in_open_task = current is not None and current.explicit and current.open
        if kind == "response_item" and typ == "message" and isinstance(payload, dict) \
                and f.is_real_user_response_item(payload):
            seg = current if in_open_task and current is not None else start(False)
            seg.has_user = True
            seg.records.append(rec)
            continue
        if kind == "event_msg" and typ == "user_message":
            if current is not None and (in_open_task or (not current.explicit and current.open
                                                         and not current.has_user_event)):
                seg = current
            else:
                seg = start(False)
            seg.has_user_event = seg.has_user = True
            seg.records.append(rec)
            continue
        if kind == "event_msg" and typ == "item_completed" \
                and f.s(f.dct(payload, "item"), "type") == "UserMessage":
            seg = current if in_open_task and current is not None else start(False)
            seg.has_user = True
            seg.records.append(rec)
            continue
        if current is None:
            (between if segments else preamble).append(rec)
        else:
            current.records.append(rec)
    if between:
        segments[-1].records.extend(between)
    if preamble:
        # Records but no turn at all (a session that never got a prompt): keep them visible,
        # unless none shows anything (injected context and settings alone are not a turn).
        seg = Segment(records=list(preamble), open=False)
        if shows(seg):
            segments.append(seg)
    return segments, rolled_back, notes


def _ends_turn(seg: Segment, rec: Record) -> bool:
    """Whether `rec` starts what comes after `seg` rather than joining it: the thread's own
    records after a copy of another thread's history (a fork's, a sub-agent's: the copied
    turn may still be running), and the settings a resumed session applies after a turn."""
    if seg.records and seg.records[0].inherited and not rec.inherited:
        return True
    return rec.kind == "event_msg" and rec.type == "thread_settings_applied" \
        and seg.explicit and not seg.open


def _roll_back(segments: list[Segment], n: int) -> int:
    """Drop the last `n` user turns and everything after the first of them."""
    if n <= 0:
        return 0
    user_positions = [idx for idx, seg in enumerate(segments) if seg.has_user]
    if not user_positions:
        return 0
    n = min(n, len(user_positions))
    cut = user_positions[-n]
    del segments[cut:]
    return n
